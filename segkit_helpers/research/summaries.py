"""Tables of the profile per named RFM segment, and of ABC × XYZ, for the research notebook (01)."""

from __future__ import annotations

import pandas as pd

from segkit_helpers.research.metrics import PERSONA_COLUMNS

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


def persona_metrics_summary(profile: pd.DataFrame) -> pd.DataFrame:
    """Medians of the persona, value and loyalty metrics per named RFM segment, by revenue, and for all
    customers; "—" where a metric is undefined (gaps need 2 or 3 orders)."""
    columns = [c for c in PERSONA_COLUMNS + ["avg_order_value", "profit", "p_alive", "clv"] if c in profile]
    table = profile.groupby("rfm_segment", observed=True)[columns].median()
    order = profile.groupby("rfm_segment", observed=True)["monetary"].sum().sort_values(ascending=False).index
    table = table.reindex(order)
    table.loc["all customers"] = profile[columns].median()
    return table.round(3).astype(object).where(table.notna(), "—")


CLV_COLUMNS = ["p_alive", "expected_orders", "clv", "total_value"]


def clv_by_rfm_segment(profile: pd.DataFrame) -> pd.DataFrame | None:
    """Median P(alive), expected purchase days, CLV and total value per named RFM segment, highest CLV first.

    ``None`` (nothing to show; the fit table above states why) when the profile has no
    CLV columns.
    """
    if not set(CLV_COLUMNS) <= set(profile.columns):
        return None
    return profile.groupby("rfm_segment")[CLV_COLUMNS].median().sort_values("clv", ascending=False)


def abc_xyz_table(profile: pd.DataFrame) -> pd.DataFrame:
    """Customers by ABC class (rows) and XYZ class (columns)."""
    return profile.pivot_table(index="abc_class", columns="xyz_class", values="customer_id", aggfunc="size",
                               fill_value=0)
