"""The research step on CDNOW (no order id, no product, an amount per line) against plain pandas.

CDNOW's master file has one record per customer purchase with a date and a dollar value;
a customer may have several records on one day, some of equal value (two single CDs at
the same price). With no order id and no product, equal records are not evidence of a
duplicate, so every one must count in ``monetary``; an order is one customer's purchases
on one calendar day (DESIGN.md), counted when its net value is positive.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from segkit_helpers.datasets.shops import cdnow_lines
from segkit_helpers.research.profile import profile_from_config

ASOF = pd.Timestamp("1998-06-30")  # the last day of the file


@pytest.fixture(scope="module")
def cdnow():
    lines = cdnow_lines()
    if lines is None:
        pytest.skip("lifetimes is not installed, so its data file lifetimes/datasets/CDNOW_master.txt is absent")
    return lines


@pytest.fixture(scope="module")
def profile(cdnow, tmp_path_factory):
    """``segkit profile`` (without CLV) on CDNOW as the master file names its columns, as of its last day."""
    folder = tmp_path_factory.mktemp("cdnow")
    cdnow.rename(columns={"order_date": "date", "quantity": "number_of_cds", "amount": "dollar_value"}).to_parquet(
        folder / "cdnow.parquet", index=False)
    config = folder / "cdnow.yml"
    config.write_text(yaml.safe_dump({
        "cycle": "cdnow", "asof": ASOF.date(),
        "sources": {"transactions": {"path": "cdnow.parquet"}},
        "columns": {"transactions": {"customer_id": "customer_id", "order_date": "date", "amount": "dollar_value"}},
    }), encoding="utf-8")
    table, _ = profile_from_config(config, {"clv.enabled": False})
    return table.set_index("customer_id")


@pytest.fixture(scope="module")
def expected(cdnow) -> pd.DataFrame:
    """RFM per customer in pandas: every line counts; an order is a calendar day of positive net value."""
    days = cdnow.assign(day=cdnow["order_date"].dt.floor("D")).groupby(["customer_id", "day"])["amount"].sum()
    orders = days[days.round(2) > 0].reset_index()
    per_customer = orders.groupby("customer_id").agg(first=("day", "min"), last=("day", "max"),
                                                     frequency=("day", "size"))
    out = pd.DataFrame({"monetary": cdnow.groupby("customer_id")["amount"].sum().round(2)})
    out = out[out["monetary"] > 0].join(per_customer, how="inner")  # cleaning.drop_non_positive_customers
    out["recency_days"] = (ASOF - out["last"]).dt.days
    out["tenure_days"] = (ASOF - out["first"]).dt.days
    return out


def test_every_customer_with_positive_spend_is_profiled(profile, expected, cdnow):
    assert cdnow["customer_id"].nunique() == 23_570
    assert sorted(profile.index) == sorted(expected.index)


def test_monetary_is_the_plain_sum_of_every_line_to_the_cent(profile, expected):
    cents = (profile["monetary"].mul(100).round().astype("int64")
             - expected["monetary"].reindex(profile.index).mul(100).round().astype("int64"))
    wrong = cents[cents != 0]
    assert wrong.empty, (f"{len(wrong)} customers with a wrong monetary, e.g. {wrong.index[0]}: "
                         f"{wrong.iloc[0]} cents (profile − plain sum)")


@pytest.mark.parametrize("column", ["frequency", "recency_days", "tenure_days"])
def test_orders_recency_and_tenure_match_calendar_days(profile, expected, column):
    got = profile[column].astype("int64")
    want = expected[column].reindex(profile.index).astype("int64")
    wrong = got[got != want]
    assert wrong.empty, f"{len(wrong)} customers with a wrong {column}, e.g. {wrong.index[0]}: {wrong.iloc[0]} " \
                        f"instead of {want[wrong.index[0]]}"
