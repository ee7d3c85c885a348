"""Do the segments differ? Tests per feature on the clustering features (a description) and on
held-out features (the evidence), pairwise between segments and per segment against the rest.

Every test and effect size comes from :mod:`segkit_helpers.evaluation.stats`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit_helpers.evaluation.stats import NOT_TESTABLE, compare_segments, differs, holm, is_categorical, mann_whitney, p_text
from segkit_helpers.schemes.behavioural import FEATURES
from segkit_helpers.schemes.common import scheme_class, scheme_features

#: The role of a feature in :func:`clustering_differences`: clustered by the scheme, or a descriptor beside them.
CIRCULAR = "clustering feature (circular)"
DESCRIPTOR = "descriptor"

def difference_tests(data: pd.DataFrame, labels, features: list[str], alpha: float = 0.05,
                     categorical: list[str] | tuple = ()) -> pd.DataFrame:
    """Does each feature differ across the groups of ``labels``? One test per feature, Holm-adjusted.

    Each feature goes through :func:`segkit_helpers.evaluation.stats.compare_segments`:
    Kruskal–Wallis with ε² for numbers, chi-square with Cramér's V for categories (and
    the columns of ``categorical``); a constant feature is "not testable". Holm's
    correction runs over the testable features of the table.

    Returns
    -------
    pandas.DataFrame
        One row per feature: ``test``, ``statistic``, ``p_value``, ``p_holm``,
        ``significance`` (the Holm p read aloud), ``effect``, ``effect_size``,
        ``strength``, ``differs`` (Holm p < ``alpha`` and at least a moderate effect)
        and ``reason`` (why not testable).
    """
    labels = np.asarray(labels)
    rows = []
    for feature in features:
        result = compare_segments(data[feature], labels, True if feature in categorical else None)
        rows.append({"feature": feature, **result})
    table = pd.DataFrame(rows, columns=["feature", "test", "statistic", "p_value", "effect", "effect_size",
                                        "strength", "reason"]).set_index("feature")
    table["p_holm"], _ = holm(table["p_value"], alpha)
    table["significance"] = [p_text(p) for p in table["p_holm"]]
    table["differs"] = np.array([differs(p, s, alpha) for p, s in zip(table["p_holm"], table["strength"])], dtype=bool)
    table["statistic"] = table["statistic"].astype(float).round(3)
    table["effect_size"] = table["effect_size"].astype(float).round(4)
    return table[["test", "statistic", "p_value", "p_holm", "significance", "effect", "effect_size", "strength",
                  "differs", "reason"]]


def clustering_differences(data: pd.DataFrame, segments: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Differences on the features the scheme clustered, with RFM beside them: a description, not evidence.

    The segments were cut to differ on their clustering features
    (:func:`segkit_helpers.schemes.common.scheme_features`), so these tests pass on any data,
    even without groups: their ``role`` says so ("clustering feature (circular)").
    Recency, frequency and monetary value are added as ``descriptor`` rows when the
    scheme did not cluster them. Columns as :func:`difference_tests`, plus ``role``.
    """
    clustered = scheme_features(data, cfg)
    descriptors = [f for f in FEATURES if f in data and f not in clustered]
    table = difference_tests(data, segments["segment"], clustered + descriptors, cfg["validation"]["alpha"],
                             cfg["segmentation"]["categorical"])
    table.insert(0, "role", [CIRCULAR if f in clustered else DESCRIPTOR for f in table.index])
    return table


def holdout_features(data: pd.DataFrame, cfg: dict) -> list[str]:
    """The features hypotheses are tested on: ``validation.test_features``, else the scheme's
    ``holdout_features``; clustering features and columns absent from the data are left out."""
    clustered = set(scheme_features(data, cfg))
    chosen = cfg["validation"]["test_features"]
    candidates = scheme_class(cfg).holdout_features if chosen is None else chosen
    return [f for f in dict.fromkeys(candidates) if f in data and f not in clustered]


def holdout_differences(data: pd.DataFrame, segments: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Differences between segments on features NOT used to build them (:func:`holdout_features`): evidence.

    Columns as :func:`difference_tests` (Holm over these features).
    """
    return difference_tests(data, segments["segment"], holdout_features(data, cfg), cfg["validation"]["alpha"])


def pairwise_tests(profile: pd.DataFrame, segments: pd.Series, features: list[str], alpha: float = 0.05) -> pd.DataFrame:
    """Post-hoc pairwise Mann–Whitney U tests between segments, Holm-corrected, with rank-biserial effect sizes.

    For every numeric feature and every pair of segments (a < b): the two-sided
    Mann–Whitney U test of segment a against segment b
    (:func:`segkit_helpers.evaluation.stats.mann_whitney`); the p-values of all pairs and features
    together are adjusted by Holm's (1979) method; ``rank_biserial`` is positive when
    segment a tends to have the larger values (:func:`segkit_helpers.evaluation.stats.rank_biserial`).
    Categorical features and pairs that are not testable (constant values) are left out.

    Returns
    -------
    pandas.DataFrame
        One row per (feature, segment a, segment b): ``U`` (of segment a), ``p_value``,
        ``p_holm``, ``differs`` (p_holm < ``alpha``) and ``rank_biserial``.
    """
    labels = np.asarray(segments)
    ids = np.unique(labels)
    rows = []
    for feature in features:
        if is_categorical(profile[feature]):
            continue
        values = profile[feature].to_numpy()
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                result = mann_whitney(values[labels == a], values[labels == b])
                if result["strength"] != NOT_TESTABLE:
                    rows.append({"feature": feature, "segment_a": int(a), "segment_b": int(b), "U": result["statistic"],
                                 "p_value": result["p_value"], "rank_biserial": round(result["effect_size"], 4)})
    table = pd.DataFrame(rows, columns=["feature", "segment_a", "segment_b", "U", "p_value", "rank_biserial"])
    p_holm, reject = holm(table["p_value"], alpha)
    table.insert(5, "p_holm", p_holm)
    table.insert(6, "differs", reject)
    return table


def segment_distinctness(data: pd.DataFrame, segments: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Per segment, the held-out features (:func:`holdout_features`) on which it differs from all other customers.

    Each segment against the rest (:func:`difference_tests` with the two groups "in
    the segment" and "not"; Holm over the features); a feature counts when Holm p <
    ``validation.alpha`` with at least a moderate effect.

    Returns
    -------
    pandas.DataFrame
        One row per segment id: ``distinct_on`` (features, strongest first, comma-separated),
        ``n_distinct`` and ``n_testable`` (held-out features that could be tested).
    """
    features = holdout_features(data, cfg)
    labels = segments["segment"].to_numpy()
    rows = []
    for seg in np.unique(labels):
        tests = difference_tests(data, labels == seg, features, cfg["validation"]["alpha"])
        size = np.where(tests["effect"] == "ε²", np.sqrt(tests["effect_size"].clip(lower=0)), tests["effect_size"])
        found = tests.assign(size=size).loc[tests["differs"]].sort_values("size", ascending=False).index.tolist()
        rows.append({"segment": int(seg), "distinct_on": ", ".join(found), "n_distinct": len(found),
                     "n_testable": int((tests["strength"] != NOT_TESTABLE).sum())})
    return pd.DataFrame(rows, columns=["segment", "distinct_on", "n_distinct", "n_testable"]).set_index("segment")
