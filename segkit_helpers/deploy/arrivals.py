"""Customers who arrived after ``asof``: their profile as of the source's last day and their scores.

Step 05 assigns them with the cycle's saved model. Only their own order lines are
profiled when the model reads per-customer metrics alone (the default behavioural
features); a model reading population-relative columns (scores, classes, quadrants,
product-line shares) gets the full profile of every customer, as the research step
builds it, cut to the arrivals.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass

import pandas as pd

from segkit_helpers.research.cleaning import clean_transactions
from segkit_helpers.research.lines import Lines, aggregated, load_transactions, sample_period, temp_name
from segkit_helpers.research.metrics import customer_metrics
from segkit_helpers.research.profile import build_profile

#: The columns of an empty arrivals table.
NO_ARRIVALS = ["customer_id", "first_order"]


def later_config(cfg: dict, lines: Lines) -> dict:
    """The cycle's config as of the last day of ``lines``, without the CLV fit (segment models do not use it)."""
    later = copy.deepcopy(cfg)
    later["asof"] = sample_period(lines)[1]
    later["clv"]["enabled"] = False
    return later


def arrival_lines(lines: Lines, asof) -> Lines:
    """The clean lines of the customers whose first order (positive net value) is after ``asof``.

    Views over ``lines``' own order and item tables, so every per-customer figure is
    computed from the same rows as in the full profile.
    """
    lines = aggregated(lines)
    arrived = temp_name("arrived")
    lines.con.execute(f"CREATE TEMP TABLE {arrived} AS SELECT customer_id FROM {lines.orders} "
                      f"WHERE round(net_value, 2) > 0 GROUP BY customer_id "
                      f"HAVING min(order_day) > TIMESTAMP '{pd.Timestamp(asof)}'")
    views = {}
    for key in ("name", "orders", "items"):
        table = getattr(lines, key)
        if table:
            views[key] = temp_name(key)
            lines.con.execute(f"CREATE TEMP VIEW {views[key]} AS SELECT * FROM {table} "
                              f"WHERE customer_id IN (SELECT customer_id FROM {arrived})")
    return dataclasses.replace(lines, **views)


def new_customers(cfg: dict, columns: list[str] | None = None) -> pd.DataFrame:
    """Profile of the customers whose first order came after ``asof`` (step 05 scores them).

    Every line of the source is cleaned as of its last day with the cycle's settings
    (:func:`later_config`). When all of ``columns`` are per-customer metrics
    (:func:`~segkit_helpers.research.metrics.customer_metrics`), only the arrivals'
    lines are profiled and the table holds those metrics; otherwise (or without
    ``columns``) the full research profile of every customer is built and cut to the
    arrivals. Empty when the cycle is as of the source's last day.
    """
    lines = load_transactions(cfg)
    later = later_config(cfg, lines)
    if later["asof"] <= cfg["asof"]:
        return pd.DataFrame(columns=NO_ARRIVALS)
    cleaned, _ = clean_transactions(lines, later)
    profile = None
    if columns is not None:
        profile = customer_metrics(arrival_lines(cleaned, cfg["asof"]), later["asof"])
        if not set(columns) <= set(profile.columns):
            profile = None
    if profile is None:
        profile = build_profile(cleaned, later)
    arrived = profile[profile["first_order"] > pd.Timestamp(cfg["asof"])]
    return arrived.reset_index(drop=True)


def model_columns(model, cfg: dict) -> list[str] | None:
    """The profile columns a saved model reads, when the scheme reads the profile alone; else None."""
    from segkit_helpers.schemes.behavioural import FEATURES

    if cfg["segmentation"]["scheme"] != "behavioural":
        return None
    return ["customer_id", *(getattr(model, "features", None) or FEATURES)]


@dataclass(frozen=True)
class Arrivals:
    """The customers who arrived after asof, scored with the cycle's model.

    Attributes
    ----------
    scored : pandas.DataFrame
        As :func:`segkit_helpers.schemes.behavioural.score_customers` (segment, persona
        name, membership probabilities) plus ``first_order``; empty when nobody arrived.
    arrived : int
        How many customers arrived (a scheme's own table may leave some unscored).
    """

    scored: pd.DataFrame
    arrived: int


def score_new_customers(model, cfg: dict, personas: list[dict]) -> Arrivals:
    """Assign the customers who arrived after ``asof`` with the cycle's saved model."""
    from segkit_helpers.schemes.behavioural import score_customers
    from segkit_helpers.schemes.common import scheme_data

    arrived = new_customers(cfg, model_columns(model, cfg))
    if arrived.empty:
        return Arrivals(pd.DataFrame(columns=["customer_id", "segment", "segment_name", "first_order"]), 0)
    data = scheme_data(arrived, cfg)
    scored = score_customers(model, data, personas, cfg["segmentation"]["hybrid_threshold"],
                             table="customers arriving after asof")
    scored.insert(3, "first_order", data["first_order"].dt.date.to_numpy())
    return Arrivals(scored, len(arrived))


def new_customer_summary(scored: pd.DataFrame) -> pd.DataFrame:
    """New customers per segment: count and share."""
    if scored.empty:
        return pd.DataFrame(columns=["segment", "persona", "new customers", "share"]).set_index("segment")
    table = scored.groupby(["segment", "segment_name"]).size().rename("new customers").reset_index(level=1)
    table["share"] = (table["new customers"] / table["new customers"].sum()).round(3)
    return table.rename(columns={"segment_name": "persona"})
