"""Scores and classes of a customer: RFM quintile scores, named RFM segments, value × loyalty, ABC and XYZ.

Each works on the one-row-per-customer table of :mod:`segkit_helpers.research.metrics`
(DataFrame in, Series or DataFrame out); the rules of the named segments are data
(``research.rfm_rules``, default the shipped grid).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from segkit_helpers.errors import ConfigError
from segkit_helpers.io.paths import RESOURCES_DIR

QUADRANTS = {
    (True, True): "profitable & loyal",
    (True, False): "profitable & disloyal",
    (False, True): "unprofitable & loyal",
    (False, False): "unprofitable & disloyal",
}


def quintile_score(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Score 1–5 by quintile of rank; 5 is best.

    The score is ``ceil(5 × p)`` where ``p`` is the value's percentile rank (average
    rank / n). Tied values share their average rank and so always share a score; a
    value held by many customers (e.g. one order) can therefore leave some scores
    unused rather than split identical customers arbitrarily.
    """
    ranked = (values if higher_is_better else -values).rank(method="average", pct=True)
    return np.ceil(ranked * 5).clip(1, 5).astype("int64")


def add_rfm_scores(rfm: pd.DataFrame) -> pd.DataFrame:
    """Add ``r_score`` (recent = 5), ``f_score`` and ``m_score`` (1–5) by :func:`quintile_score`."""
    out = rfm.copy()
    out["r_score"] = quintile_score(out["recency_days"], higher_is_better=False)
    out["f_score"] = quintile_score(out["frequency"])
    out["m_score"] = quintile_score(out["monetary"])
    return out


def load_rfm_rules(path: str | Path | None = None) -> pd.DataFrame:
    """The named-segment rules table (default: the shipped 5×5 recency × frequency grid).

    Returns
    -------
    pandas.DataFrame
        ``name``, ``r_min``, ``r_max``, ``f_min``, ``f_max``, ``hint``, in rule order.

    Raises
    ------
    ConfigError
        A rule is malformed or some (r, f) score pair matches no rule.
    """
    path = Path(path) if path else RESOURCES_DIR / "rfm_segments.yml"
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for i, rule in enumerate(rules):
        try:
            rows.append({"name": str(rule["name"]), "r_min": int(rule["r"][0]), "r_max": int(rule["r"][1]),
                         "f_min": int(rule["f"][0]), "f_max": int(rule["f"][1]), "hint": str(rule.get("hint", ""))})
        except (KeyError, TypeError, IndexError, ValueError):
            raise ConfigError(f"RFM rules file {path}: rule {i + 1} needs name, r: [min, max] and f: [min, max]") from None
    table = pd.DataFrame(rows)
    grid = pd.DataFrame([(r, f) for r in range(1, 6) for f in range(1, 6)], columns=["r_score", "f_score"])
    unmatched = grid[name_rfm_segments(grid, table).isna()]
    if len(unmatched):
        r, f = unmatched.iloc[0]
        raise ConfigError(f"RFM rules file {path}: {len(unmatched)} score pair(s) match no rule, e.g. r={r}, f={f}")
    return table


def name_rfm_segments(scores: pd.DataFrame, rules: pd.DataFrame) -> pd.Series:
    """Name each customer by the first rule whose r and f score ranges contain theirs."""
    names = pd.Series(pd.NA, index=scores.index, dtype="string")
    for rule in rules.itertuples():
        hit = names.isna() & scores["r_score"].between(rule.r_min, rule.r_max) & scores["f_score"].between(rule.f_min, rule.f_max)
        names[hit] = rule.name
    return names


def profit_threshold(profit: pd.Series, threshold: float = 0.0, quantile: float | None = None) -> float:
    """The profit above which a customer counts as profitable: ``threshold``, or the ``quantile`` of profit."""
    return float(profit.quantile(quantile)) if quantile is not None else float(threshold)


def value_and_loyalty(profile: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Profit, loyalty and the profitability × loyalty quadrant of seed 003.

    - ``gross_margin`` = Σ (amount − cost × quantity) when a ``cost`` column is
      mapped (``margin_from_cost``), else monetary × ``value.margin_rate``;
    - ``cost_to_serve`` = frequency × ``value.cost_per_order`` +
      ``value.cost_per_customer``, unless the customers table gives ``cost_to_serve``;
    - ``profit`` = gross_margin − cost_to_serve; *profitable* means profit above
      ``value.profit_threshold`` (default 0), or above the ``value.profit_quantile``
      of profit when that is set (:func:`profit_threshold`);
    - ``loyalty_score`` = (r_score + f_score) / 2, on the 1–5 scale; *loyal* means
      loyalty_score ≥ ``loyalty.threshold``;
    - ``value_loyalty_quadrant``: one of the four names of :data:`QUADRANTS`.
    """
    value = cfg["value"]
    out = profile[["customer_id"]].copy()
    if "margin_from_cost" in profile:
        out["gross_margin"] = profile["margin_from_cost"].round(2)
    else:
        out["gross_margin"] = (profile["monetary"] * value["margin_rate"]).round(2)
    cost = profile["frequency"] * value["cost_per_order"] + value.get("cost_per_customer", 0.0)
    if "customer_cost_to_serve" in profile:
        cost = profile["customer_cost_to_serve"].fillna(cost)
    out["cost_to_serve"] = cost.round(2)
    out["profit"] = (out["gross_margin"] - out["cost_to_serve"]).round(2)
    out["loyalty_score"] = (profile["r_score"] + profile["f_score"]) / 2
    profitable = out["profit"] > profit_threshold(out["profit"], value.get("profit_threshold", 0.0),
                                                     value.get("profit_quantile"))
    loyal = out["loyalty_score"] >= cfg["loyalty"]["threshold"]
    out["value_loyalty_quadrant"] = [QUADRANTS[(p, l)] for p, l in zip(profitable, loyal)]
    return out


def abc_classes(monetary: pd.Series, a_share: float = 0.8, b_share: float = 0.15) -> pd.Series:
    """ABC (Pareto) class by share of revenue.

    Customers are sorted by revenue, largest first (ties by position, i.e. by
    customer id in a profile). A customer is class A while the revenue of the
    customers before them is below ``a_share`` of the total, B while it is below
    ``a_share + b_share``, else C. So A holds the fewest customers that bring
    ``a_share`` of revenue.
    """
    order = monetary.sort_values(ascending=False, kind="stable")
    before = order.cumsum().shift(fill_value=0) / order.sum()
    cls = np.where(before < a_share, "A", np.where(before < a_share + b_share, "B", "C"))
    return pd.Series(cls, index=order.index).reindex(monetary.index)


def xyz_classes(cv: pd.Series, x_max: float = 0.5, y_max: float = 1.0) -> pd.Series:
    """XYZ class by the coefficient of variation of monthly spend (``monthly_spend_cv``).

    X: CV ≤ ``x_max`` (steady buyer), Y: CV ≤ ``y_max``, Z: above, or undefined
    (no positive mean spend).
    """
    return pd.Series(np.where(cv <= x_max, "X", np.where(cv <= y_max, "Y", "Z")), index=cv.index)
