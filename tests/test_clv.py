"""CLV: BG/NBD and Gamma–Gamma reproduce the published CDNOW fits; add_clv and the holdout check."""

from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd
import pytest

from segkit_helpers.errors import InputError
from segkit_helpers.clv import add_clv, fit_bgnbd, fit_gamma_gamma, holdout_check, lifetimes_inputs

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from lifetimes.datasets import load_cdnow_summary, load_cdnow_summary_data_with_monetary_value


def test_bgnbd_reproduces_fader_hardie_lee_2005_on_cdnow():
    # Fader, Hardie & Lee (2005), Marketing Science 24(2), p. 279: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426
    summary = load_cdnow_summary(index_col=[0])
    params = fit_bgnbd(summary).params_
    assert params["r"] == pytest.approx(0.243, abs=1e-3)
    assert params["alpha"] == pytest.approx(4.414, abs=1e-3)
    assert params["a"] == pytest.approx(0.793, abs=1e-3)
    assert params["b"] == pytest.approx(2.426, abs=1e-3)


def test_gamma_gamma_reproduces_the_published_cdnow_fit():
    # Fader, Hardie & Lee (2005), JMR 42(4) / Fader & Hardie note on the Gamma-Gamma model:
    # p = 6.25, q = 3.74, gamma (v) = 15.44 on the CDNOW repeat-buyer spend
    data = load_cdnow_summary_data_with_monetary_value()
    params = fit_gamma_gamma(data).params_
    assert params["p"] == pytest.approx(6.25, abs=0.01)
    assert params["q"] == pytest.approx(3.74, abs=0.01)
    assert params["v"] == pytest.approx(15.44, abs=0.02)


def test_lifetimes_inputs_by_hand():
    profile = pd.DataFrame({"frequency": [1, 3], "tenure_days": [14, 70], "recency_days": [14, 7],
                            "repeat_order_value": [None, 30.0]})
    summary = lifetimes_inputs(profile)
    # repeat orders = orders - 1; recency = (tenure - days since last) / 7; T = tenure / 7 (weeks)
    assert summary["frequency"].tolist() == [0, 2]
    assert summary["recency"].tolist() == [0.0, 9.0]
    assert summary["T"].tolist() == [2.0, 10.0]
    assert summary["monetary_value"].tolist() == [0.0, 30.0]


@pytest.fixture(scope="module")
def cdnow_profile() -> pd.DataFrame:
    """The CDNOW summary (weeks) turned into a segkit profile (days)."""
    data = load_cdnow_summary_data_with_monetary_value()
    return pd.DataFrame({
        "customer_id": data.index.astype(str),
        "frequency": data["frequency"].to_numpy() + 1,
        "tenure_days": (data["T"] * 7).round().astype(int).to_numpy(),
        "recency_days": ((data["T"] - data["recency"]) * 7).round().astype(int).to_numpy(),
        "repeat_order_value": data["monetary_value"].where(data["frequency"] > 0).to_numpy(),
        "monetary": (data["monetary_value"] * (data["frequency"] + 1)).to_numpy(),
        "profit": 0.0,
    })


def test_add_clv_columns_and_properties(cdnow_profile):
    cfg = {"clv": {"penalizer": 0.0, "horizon_months": 12, "discount_rate": 0.1}, "value": {"margin_rate": 0.3}}
    out = add_clv(cdnow_profile, cfg)
    for col in ("p_alive", "expected_orders", "expected_order_value", "clv", "total_value"):
        assert col in out and out[col].notna().all()
    assert out["p_alive"].between(0, 1).all()
    assert (out["clv"] >= 0).all()
    # one-time buyers are "alive" with certainty under BG/NBD (no repeat, no evidence of dropping out)
    assert (out.loc[out["frequency"] == 1, "p_alive"] == 1).all()
    # a longer horizon never lowers the expected value
    longer = add_clv(cdnow_profile, {**cfg, "clv": {**cfg["clv"], "horizon_months": 24}})
    assert (longer["clv"] >= out["clv"] - 1e-9).all()


def test_holdout_check_compares_predicted_and_actual():
    rows = []
    for c in range(60):
        for k in range(c % 6 + 1):
            rows.append((f"c{c}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=(c * 3 + k * 29) % 300)))
    orders = pd.DataFrame(rows, columns=["customer_id", "order_day"]).drop_duplicates()
    lines = orders.assign(order_id=[f"o{i}" for i in range(len(orders))], amount=10.0)
    cfg = {"asof": dt.date(2024, 12, 31), "clv": {"holdout_days": 90, "penalizer": 0.01}}
    table = holdout_check(lines, cfg)
    assert list(table.columns) == ["customers", "actual", "predicted"]
    # every calibration customer is counted once: first order before the cut-off (2024-10-02)
    first = orders.groupby("customer_id")["order_day"].min()
    assert table["customers"].sum() == (first <= pd.Timestamp("2024-10-02")).sum()
    assert (table["predicted"] >= 0).all()
    assert holdout_check(lines, {**cfg, "clv": {**cfg["clv"], "enabled": False}}) is None


def test_an_unfittable_history_is_a_clear_error():
    # every customer bought exactly twice, a week apart, long ago: no model of dropping out fits
    summary = pd.DataFrame({"frequency": [1] * 30, "recency": [1.0] * 30, "T": [52.0] * 30})
    with pytest.raises(InputError, match="clv.enabled: false"):
        fit_bgnbd(summary)
