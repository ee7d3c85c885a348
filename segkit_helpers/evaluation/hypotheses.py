"""The hypothesis register: business statements about the segments, tested on the data.

A YAML file lists hypotheses (``hypotheses:``), each with:

- ``id`` and ``statement`` (plain words);
- ``metric``: a column of the profile (``customers.parquet``);
- ``segments``: segment ids or persona names (or ``all``);
- ``expected``: ``higher`` or ``lower`` — the named segments against every other customer,
  or against ``compare_to`` (segment ids / names) when given — or ``differs``: the metric
  differs across all segments;
- ``level`` (categorical metrics with higher / lower): the share of customers at this level.

The test follows the metric, every call from :mod:`segkit_helpers.evaluation.stats`: a number →
one-sided Mann–Whitney U (Mann & Whitney 1947) with the rank-biserial correlation (positive
when the named segments tend to be higher) for higher / lower, Kruskal–Wallis (1952) with
ε² for differs; a category → the one-sided two-proportion z-test of the share at ``level``
for higher / lower (effect: the difference of the shares), chi-square test of independence
(no Yates correction) with Cramér's V for differs. Holm's (1979) correction runs across
the register; a metric that takes one value only is "not testable". A directional hypothesis is
also tested in the opposite direction (Holm-adjusted with the rest): **supported** when
significant as expected, **contradicted** when significant the other way, else **not
supported**.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from segkit_helpers.io.paths import RESOURCES_DIR
from segkit_helpers.errors import ConfigError
from segkit_helpers.evaluation.stats import NOT_TESTABLE, compare_segments, holm, mann_whitney, two_proportions
from segkit_helpers.schemes.common import scheme_features

KEYS = {"id", "statement", "metric", "segments", "expected", "compare_to", "level"}
EXPECTED = ("higher", "lower", "differs")


def load_register(path: str | Path | None = None) -> list[dict]:
    """Read a register (default: the shipped example) and check its keys and values.

    Raises
    ------
    ConfigError
        Unreadable file, an unknown key (with a suggestion), or a hypothesis without
        ``id``, ``statement``, ``metric``, ``segments`` or a valid ``expected``.
    """
    path = Path(path) if path else RESOURCES_DIR / "hypotheses.yml"
    try:
        items = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("hypotheses") or []
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read hypothesis register {path}: {exc}") from None
    for number, item in enumerate(items, 1):
        name = item.get("id", f"#{number}")
        unknown = sorted(set(item) - KEYS)
        if unknown:
            close = difflib.get_close_matches(unknown[0], sorted(KEYS), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ConfigError(f"hypothesis {name}: unknown key '{unknown[0]}'.{hint}")
        for key in ("id", "statement", "metric", "segments", "expected"):
            if key not in item:
                raise ConfigError(f"hypothesis {name}: '{key}' is missing")
        if item["expected"] not in EXPECTED:
            raise ConfigError(f"hypothesis {name}: expected must be one of {', '.join(EXPECTED)}, "
                              f"got {item['expected']!r}")
    return items


def _segment_ids(value, names: dict[str, int], hypothesis: str, known: set[int]) -> list[int]:
    if value == "all":
        return sorted(known)
    ids = []
    for entry in value if isinstance(value, list) else [value]:
        seg = names.get(str(entry)) if not isinstance(entry, int) else entry
        if seg not in known:
            raise ConfigError(f"hypothesis {hypothesis}: segment {entry!r} is not a segment of this cycle "
                              f"(ids {sorted(known)}, or persona names)")
        ids.append(int(seg))
    return ids


def _directional(group: pd.Series, rest: pd.Series, level) -> tuple[str, float, float, float, float, dict]:
    """Test 'group higher than rest': (test, statistic, p higher, p lower, effect, observed).

    ``observed`` is ``{"median": [group, rest]}`` for numbers, ``{"level": level, "share": [group, rest]}``
    for the share of a category.
    """
    if level is None:
        higher, lower = mann_whitney(group, rest, "greater"), mann_whitney(group, rest, "less")
        observed = {"median": [group.median(), rest.median()]}
        return "Mann–Whitney U (one-sided)", higher["statistic"], higher["p_value"], lower["p_value"], \
            round(higher["effect_size"], 3), observed
    counts = [int((group == level).sum()), int((rest == level).sum())]
    sizes = [len(group), len(rest)]
    higher, lower = two_proportions(counts, sizes, "larger"), two_proportions(counts, sizes, "smaller")
    shares = [c / n if n else np.nan for c, n in zip(counts, sizes)]
    return "two-proportion z-test (one-sided)", higher["statistic"], higher["p_value"], lower["p_value"], \
        round(higher["effect_size"], 3), {"level": level, "share": shares}


def _differs(values: pd.Series, labels: pd.Series, categorical: bool) -> tuple[str, float, float, float, dict]:
    """Test 'the metric differs across the segments': (test, statistic, p, effect, observed).

    ``observed`` is ``{"medians": {segment: median}}`` for numbers, ``{}`` for a category.
    """
    result = compare_segments(values, labels, categorical)
    observed = {} if categorical else {"medians": values.groupby(labels.to_numpy()).median().to_dict()}
    return result["test"], result["statistic"], result["p_value"], round(result["effect_size"], 4), observed


def evaluate_register(register: list[dict], profile: pd.DataFrame, segments: pd.DataFrame,
                      alpha: float = 0.05, clustered: list[str] | tuple = ()) -> pd.DataFrame:
    """Test every hypothesis of the register on the cycle's customers (see the module docstring).

    A hypothesis on one of the ``clustered`` features (the scheme's clustering features)
    is tested all the same but flagged ``circular``: the segments were cut to differ on
    it, so its verdict describes the segments and is no evidence that they are real.

    Returns
    -------
    pandas.DataFrame
        One row per hypothesis: ``id``, ``statement``, ``test``, ``statistic``,
        ``p_value``, ``p_holm``, ``effect``, ``observed`` (the figures compared, a dict:
        see :func:`_directional` and :func:`_differs`), ``verdict`` and ``circular``.
    """
    data = profile.merge(segments[["customer_id", "segment"]], on="customer_id")
    known = set(int(s) for s in data["segment"].unique())
    names = dict(zip(segments.get("segment_name", pd.Series(dtype=str)).astype(str), segments["segment"]))
    rows, p_values = [], []
    for item in register:
        metric = item["metric"]
        if metric not in data:
            raise ConfigError(f"hypothesis {item['id']}: metric '{metric}' is not a column of customers.parquet")
        ids = _segment_ids(item["segments"], names, item["id"], known)
        categorical = not pd.api.types.is_numeric_dtype(data[metric])
        if item["expected"] == "differs":
            part = data[data["segment"].isin(ids)]
            test, statistic, p, effect, observed = _differs(part[metric], part["segment"], categorical)
            p_pair = (p, np.nan)
        else:
            if categorical and "level" not in item:
                raise ConfigError(f"hypothesis {item['id']}: '{metric}' is a category; add 'level:' to compare the "
                                  f"share of one level, or use expected: differs")
            others = _segment_ids(item["compare_to"], names, item["id"], known) if "compare_to" in item \
                else sorted(known - set(ids))
            group = data.loc[data["segment"].isin(ids), metric]
            rest = data.loc[data["segment"].isin(others), metric]
            test, statistic, p_high, p_low, effect, observed = _directional(group, rest, item.get("level"))
            p_pair = (p_high, p_low) if item["expected"] == "higher" else (p_low, p_high)
        rows.append({"id": item["id"], "statement": item["statement"], "test": test, "statistic": round(statistic, 4),
                     "p_value": p_pair[0], "effect": effect, "observed": observed})
        p_values.append(p_pair)
    pairs = np.array(p_values, dtype=float).reshape(-1, 2)
    adjusted, reject = holm(pairs.ravel(), alpha)
    adjusted, reject = adjusted.reshape(pairs.shape), reject.reshape(pairs.shape)
    table = pd.DataFrame(rows)
    table["p_holm"] = adjusted[:, 0]
    table["verdict"] = np.select([np.isnan(pairs[:, 0]), reject[:, 0], reject[:, 1]],
                                 [NOT_TESTABLE, "supported", "contradicted"], default="not supported")
    table["circular"] = [item["metric"] in clustered for item in register]
    return table[["id", "statement", "test", "statistic", "p_value", "p_holm", "effect", "observed", "verdict",
                  "circular"]]


def register_for_cycle(profile: pd.DataFrame, segments: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Test the cycle's register (``validation.hypotheses``, default the shipped example) with
    :func:`evaluate_register`; hypotheses on the scheme's clustering features are flagged circular."""
    register = load_register(cfg["validation"]["hypotheses"])
    return evaluate_register(register, profile, segments, cfg["validation"]["alpha"], scheme_features(profile, cfg))
