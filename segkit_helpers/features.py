"""The customer profile: RFM, scores, named RFM segments, persona metrics, value and loyalty.

Definitions shared by every part of segkit (DESIGN.md):

- ``asof`` is an inclusive calendar date.
- An *order* is an ``order_id`` whose net value (sum of its lines' amounts) is
  positive; returns and cancellations are not orders, but their value is netted
  into ``monetary``.
- ``recency_days`` = asof − calendar date of the customer's last order, whole days.
- ``frequency`` = number of orders.
- ``monetary`` = net revenue: sum of the amounts of all the customer's lines up to
  asof, returns included.
- ``tenure_days`` = asof − calendar date of the first order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from segkit_helpers.config import RESOURCES_DIR
from segkit_helpers.errors import ConfigError

DAYS_PER_MONTH = 365.25 / 12
QUADRANTS = {
    (True, True): "profitable & loyal",
    (True, False): "profitable & disloyal",
    (False, True): "unprofitable & loyal",
    (False, False): "unprofitable & disloyal",
}


def order_table(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per (customer, order id): its calendar day and net value.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``order_id``, ``order_day`` (earliest line), ``net_value``
        and ``is_order`` (net value > 0).
    """
    orders = (
        lines.groupby(["customer_id", "order_id"], observed=True, sort=True)
        .agg(order_day=("order_day", "min"), net_value=("amount", "sum"))
        .reset_index()
    )
    orders["is_order"] = orders["net_value"].round(2) > 0  # in cents, so a fully returned order is not one
    return orders


def rfm_table(lines: pd.DataFrame, asof: dt.date) -> pd.DataFrame:
    """Recency, frequency, monetary value and tenure per customer.

    Parameters
    ----------
    lines
        Clean order lines with ``customer_id``, ``order_id``, ``order_day``, ``amount``.
    asof
        Inclusive analysis date.

    Returns
    -------
    pandas.DataFrame
        One row per customer with at least one order, sorted by ``customer_id``:
        ``first_order``, ``last_order`` (calendar dates of the first and last order),
        ``recency_days``, ``frequency``, ``monetary``, ``avg_order_value``
        (monetary / frequency) and ``tenure_days``. Customers whose lines are all
        returns have no order and no row.
    """
    orders = order_table(lines)
    real = orders[orders["is_order"]]
    per_customer = real.groupby("customer_id", observed=True).agg(
        first_order=("order_day", "min"), last_order=("order_day", "max"), frequency=("order_id", "nunique")
    )
    monetary = lines.groupby("customer_id", observed=True)["amount"].sum().rename("monetary")
    rfm = per_customer.join(monetary, how="left").reset_index().sort_values("customer_id", ignore_index=True)
    asof_ts = pd.Timestamp(asof)
    rfm["recency_days"] = (asof_ts - rfm["last_order"]).dt.days.astype("int64")
    rfm["tenure_days"] = (asof_ts - rfm["first_order"]).dt.days.astype("int64")
    rfm["frequency"] = rfm["frequency"].astype("int64")
    rfm["monetary"] = rfm["monetary"].round(2)
    rfm["avg_order_value"] = (rfm["monetary"] / rfm["frequency"]).round(2)
    columns = ["customer_id", "first_order", "last_order", "recency_days", "frequency", "monetary",
               "avg_order_value", "tenure_days"]
    return rfm[columns]


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


def persona_metrics(lines: pd.DataFrame, rfm: pd.DataFrame) -> pd.DataFrame:
    """Persona metrics of seed 002, per customer.

    - ``orders_per_month`` = frequency / active months, where active months =
      max(tenure_days + 1, one month) / (365.25 / 12): the customer's own buying
      span, at least one month so that a brand-new customer is not inflated;
    - ``orders_per_quarter`` = 3 × ``orders_per_month``;
    - ``distinct_products`` = number of distinct products on lines with a positive
      amount (only when the transactions map ``product``).
    """
    out = rfm[["customer_id"]].copy()
    months = np.maximum(rfm["tenure_days"] + 1, DAYS_PER_MONTH) / DAYS_PER_MONTH
    out["orders_per_month"] = (rfm["frequency"] / months).round(4)
    out["orders_per_quarter"] = (3 * out["orders_per_month"]).round(4)
    if "product" in lines:
        bought = lines[lines["amount"] > 0]
        counts = bought.groupby("customer_id", observed=True)["product"].nunique().rename("distinct_products")
        out = out.merge(counts, on="customer_id", how="left")
        out["distinct_products"] = out["distinct_products"].fillna(0).astype("int64")
    return out


def value_and_loyalty(profile: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Profit, loyalty and the profitability × loyalty quadrant of seed 003.

    - ``gross_margin`` = monetary × ``value.margin_rate``;
    - ``cost_to_serve`` = frequency × ``value.cost_per_order``;
    - ``profit`` = gross_margin − cost_to_serve; *profitable* means profit > 0;
    - ``loyalty_score`` = (r_score + f_score) / 2, on the 1–5 scale; *loyal* means
      loyalty_score ≥ ``loyalty.threshold``;
    - ``value_loyalty_quadrant``: one of the four names of :data:`QUADRANTS`.
    """
    out = profile[["customer_id"]].copy()
    out["gross_margin"] = (profile["monetary"] * cfg["value"]["margin_rate"]).round(2)
    out["cost_to_serve"] = (profile["frequency"] * cfg["value"]["cost_per_order"]).round(2)
    out["profit"] = (out["gross_margin"] - out["cost_to_serve"]).round(2)
    out["loyalty_score"] = (profile["r_score"] + profile["f_score"]) / 2
    profitable = out["profit"] > 0
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


def build_profile(lines: pd.DataFrame, cfg: dict, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """The full customer profile of the research step (``customers.parquet``).

    Parameters
    ----------
    lines
        Clean order lines (:func:`segkit_helpers.data.clean_transactions`).
    cfg
        The cycle config.
    rules
        Named-segment rules (default: :func:`load_rfm_rules` of ``research.rfm_rules``).

    Returns
    -------
    pandas.DataFrame
        One row per customer: the columns of :func:`rfm_table`, ``r_score``,
        ``f_score``, ``m_score``, ``rfm_segment``, the persona metrics, the value and
        loyalty columns and ``abc_class``.
    """
    rules = load_rfm_rules(cfg["research"]["rfm_rules"]) if rules is None else rules
    profile = add_rfm_scores(rfm_table(lines, cfg["asof"]))
    profile["rfm_segment"] = name_rfm_segments(profile, rules)
    profile = profile.merge(persona_metrics(lines, profile), on="customer_id")
    profile = profile.merge(value_and_loyalty(profile, cfg), on="customer_id")
    profile["abc_class"] = abc_classes(profile["monetary"], cfg["abc"]["a_share"], cfg["abc"]["b_share"])
    return profile


def rfm_segment_summary(profile: pd.DataFrame) -> pd.DataFrame:
    """Customers, share of customers and share of revenue per named RFM segment."""
    summary = profile.groupby("rfm_segment", observed=True).agg(
        customers=("customer_id", "size"),
        median_recency_days=("recency_days", "median"),
        median_frequency=("frequency", "median"),
        revenue=("monetary", "sum"),
    )
    summary["customer_share"] = (summary["customers"] / summary["customers"].sum()).round(3)
    summary["revenue_share"] = (summary["revenue"] / summary["revenue"].sum()).round(3)
    summary["revenue"] = summary["revenue"].round(2)
    return summary.sort_values("revenue", ascending=False)


def save_profile(ctx, profile: pd.DataFrame, cleaning: pd.DataFrame) -> str:
    """Write ``customers.parquet`` and the cleaning table ``cleaning.csv``."""
    from segkit_helpers.artefacts import write_csv, write_parquet

    write_parquet(profile, ctx.artefact("customers.parquet"))
    write_csv(cleaning, ctx.artefact("cleaning.csv"))
    return f"wrote customers.parquet ({len(profile):,} customers) and cleaning.csv to data/processed/{ctx.cycle}/"


def profile_from_config(config_path: str | Path, overrides: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The research step without a notebook: read, prepare, clean, profile.

    Returns
    -------
    profile : pandas.DataFrame
        As :func:`build_profile`.
    cleaning : pandas.DataFrame
        As the report of :func:`segkit_helpers.data.clean_transactions`.
    """
    from segkit_helpers.config import load_config
    from segkit_helpers.data import clean_transactions, load_transactions

    cfg = load_config(config_path, overrides)
    lines, cleaning = clean_transactions(load_transactions(cfg), cfg)
    return build_profile(lines, cfg), cleaning
