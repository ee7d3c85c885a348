"""Customers moving since the previous cycle: migration between segments and quadrants, lapsed
customers, segment sizes and retention."""

from __future__ import annotations

import numpy as np
import pandas as pd

NEW, LOST = "new customer", "lost customer"


def migration_matrix(previous: dict | None, current: pd.DataFrame) -> pd.DataFrame | None:
    """Customers moving between segments from the previous cycle to this one (``None`` in a first cycle).

    Rows are the previous segment (plus ``new customer`` for customers not in the
    previous cycle), columns the current segment (plus ``lost customer`` for those
    no longer segmented). Cells count customers.
    """
    if previous is None:
        return None
    merged = previous["segments"][["customer_id", "segment"]].merge(
        current[["customer_id", "segment"]], on="customer_id", how="outer", suffixes=("_previous", "_current")
    )
    before = merged["segment_previous"].astype("Int64").astype("string").fillna(NEW)
    after = merged["segment_current"].astype("Int64").astype("string").fillna(LOST)
    table = pd.crosstab(before.rename("previous segment"), after.rename("current segment"))
    order = lambda labels, extra: sorted((l for l in labels if l != extra), key=int) + ([extra] if extra in labels else [])
    return table.reindex(index=order(table.index, NEW), columns=order(table.columns, LOST), fill_value=0)


QUADRANT_ORDER = ["profitable & loyal", "profitable & disloyal", "unprofitable & loyal", "unprofitable & disloyal"]


def quadrant_migration(previous: dict | None, current: pd.DataFrame) -> pd.DataFrame | None:
    """Customers moving between profitability × loyalty quadrants since the previous cycle (seed 003).

    Rows: quadrant in the previous cycle (plus ``new customer``); columns: quadrant
    now (plus ``lost customer``). Moves into "profitable & loyal" are the goal of
    the playbooks. ``None`` in a first cycle.
    """
    if previous is None or "value_loyalty_quadrant" not in previous["segments"]:
        return None
    merged = previous["segments"][["customer_id", "value_loyalty_quadrant"]].merge(
        current[["customer_id", "value_loyalty_quadrant"]], on="customer_id", how="outer",
        suffixes=("_previous", "_current"))
    table = pd.crosstab(merged["value_loyalty_quadrant_previous"].astype("string").fillna(NEW).rename("previous quadrant"),
                        merged["value_loyalty_quadrant_current"].astype("string").fillna(LOST).rename("current quadrant"))
    return table.reindex(index=QUADRANT_ORDER + [NEW], columns=QUADRANT_ORDER + [LOST], fill_value=0)


def lapsed_since_previous(previous: dict | None, profile: pd.DataFrame) -> pd.DataFrame | None:
    """Per previous segment: how many of its customers have not ordered since the previous cycle's asof.

    Each cycle profiles all history up to its asof, so a customer who stopped buying
    stays in the migration matrix; *lapsed* makes the churn visible: no order after
    the previous asof (``last_order`` ≤ previous asof).

    Returns
    -------
    pandas.DataFrame or None
        One row per previous segment: ``customers``, ``lapsed`` and ``lapsed_share``;
        ``None`` in a first cycle or when the previous asof is unknown.
    """
    if previous is None or previous.get("asof") is None:
        return None
    merged = previous["segments"][["customer_id", "segment"]].merge(
        profile[["customer_id", "last_order"]], on="customer_id", how="left")
    merged["lapsed"] = merged["last_order"].isna() | (merged["last_order"] <= previous["asof"])
    table = merged.groupby("segment").agg(customers=("customer_id", "size"), lapsed=("lapsed", "sum"))
    table["lapsed_share"] = (table["lapsed"] / table["customers"]).round(4)
    return table.rename_axis("previous segment")


def size_changes(previous: dict | None, profiles: pd.DataFrame) -> pd.DataFrame:
    """Customers, share of customers and revenue share per segment, now and in the previous cycle.

    ``status`` is ``kept`` (id in both), ``new`` (only now) or ``vanished`` (only
    before); ``share_change`` is the relative change of the segment's share of
    customers (shares, not counts, so that a growing customer base alone raises no alert).
    """
    now = profiles[["customers", "customer_share", "revenue_share"]]
    if previous is None:
        return now.assign(status="first cycle")
    before = previous["profiles"][["customers", "customer_share", "revenue_share"]]
    table = now.join(before.add_suffix("_previous"), how="outer")
    table["status"] = np.select(
        [table["customers"].isna(), table["customers_previous"].isna()], ["vanished", "new"], default="kept"
    )
    table["share_change"] = (table["customer_share"] / table["customer_share_previous"] - 1).round(4)
    return table


def retention(migration: pd.DataFrame) -> float:
    """Share of customers present in both cycles who stayed in the same segment id."""
    both = migration.drop(index=NEW, errors="ignore").drop(columns=LOST, errors="ignore")
    same = sum(both.loc[s, s] for s in both.index if s in both.columns)
    total = both.to_numpy().sum()
    return float(same / total) if total else float("nan")
