"""CLV: the BG/NBD and Gamma–Gamma likelihoods by hand, the published CDNOW fits, lifetimes' predictions,
the per-day inputs, the fallback chain, the independence check and the holdout check."""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, special, stats

from segkit_helpers.io.artefacts import read_json
from segkit_helpers.report.research import clv_caveat, clv_summary, holdout_view
from segkit_helpers.research.clv import METHODS, WEEKS_PER_MONTH, ClvFit, add_clv, fit_clv, holdout_check, model_inputs
from segkit_helpers.research.clv_models import (
    bgnbd_log_likelihood,
    credibility_spend,
    expected_purchases,
    expected_spend,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
    _hyp2f1_series,
    p_alive,
    spend_frequency_check,
)
from segkit_helpers.research.metrics import customer_metrics
from segkit_helpers.research.profile import build_profile
from segkit_helpers.research.summaries import clv_by_rfm_segment
from segkit_helpers.steps.research import ResearchArtefacts

CDNOW = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)  # Fader, Hardie & Lee (2005), Marketing Science, p. 279
CFG = {"asof": dt.date(2024, 6, 30),
       "clv": {"enabled": True, "penalizer": 0.0, "horizon_months": 12, "discount_rate": 0.1, "holdout_days": 90},
       "value": {"margin_rate": 0.3, "cost_per_order": 0.0, "cost_per_customer": 0.0},
       "loyalty": {"threshold": 3.0}, "abc": {"a_share": 0.8, "b_share": 0.15}, "xyz": {"x_max": 0.5, "y_max": 1.0},
       "research": {"rfm_rules": None, "product_lines": None, "max_product_lines": 8}}


def cdnow_file(name: str) -> Path:
    """A CDNOW file shipped with lifetimes (a test dependency), found without importing lifetimes."""
    return Path(importlib.util.find_spec("lifetimes").origin).parent / "datasets" / name


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    """The CDNOW cohort summary (2,357 customers, weeks), x = repeat purchase days, zbar = their mean spend."""
    return pd.read_csv(cdnow_file("cdnow_customers_summary_with_transactions.csv"), index_col=0).rename(
        columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})


@pytest.fixture(scope="module")
def cdnow_profile(cdnow) -> pd.DataFrame:
    """The CDNOW summary turned into a segkit profile (days)."""
    return pd.DataFrame({
        "customer_id": cdnow.index.astype(str),
        "rfm_segment": np.where(cdnow["frequency"] > 0, "repeat", "one-off"),
        "frequency": cdnow["frequency"].to_numpy() + 1,
        "purchase_days": cdnow["frequency"].to_numpy() + 1,
        "tenure_days": (cdnow["T"] * 7).to_numpy(),
        "recency_days": ((cdnow["T"] - cdnow["recency"]) * 7).to_numpy(),
        "repeat_day_value": cdnow["monetary_value"].where(cdnow["frequency"] > 0).to_numpy(),
        "repeat_day_value_sd": np.nan,
        "monetary": (cdnow["monetary_value"] * (cdnow["frequency"] + 1)).to_numpy(),
        "profit": 0.0,
    })


# --- the likelihoods and predictions by hand ------------------------------------------------------

def test_bgnbd_log_likelihood_of_one_customer_against_a_direct_evaluation():
    r, alpha, a, b = CDNOW.values()
    x, t_x, T = 2, 30.43, 38.86
    beta = special.beta
    nbd = math.gamma(r + x) * alpha**r / math.gamma(r)
    direct = (beta(a, b + x) / beta(a, b) * nbd / (alpha + T) ** (r + x)
              + beta(a + 1, b + x - 1) / beta(a, b) * nbd / (alpha + t_x) ** (r + x))
    assert bgnbd_log_likelihood(CDNOW, [x], [t_x], [T])[0] == pytest.approx(math.log(direct), rel=1e-12)
    # no repeat purchase: the NBD probability of no purchase in (0, T], (alpha / (alpha + T))^r
    assert bgnbd_log_likelihood(CDNOW, [0], [0.0], [T])[0] == pytest.approx(r * math.log(alpha / (alpha + T)))


def test_p_alive_by_hand():
    r, alpha, a, b = CDNOW.values()
    # x = 1, t_x = 10, T = 30: 1 / (1 + a / b * ((alpha + 30) / (alpha + 10)) ** (r + 1))
    expected = 1 / (1 + a / b * ((alpha + 30) / (alpha + 10)) ** (r + 1))
    assert p_alive(CDNOW, [1, 0], [10.0, 0.0], [30.0, 30.0]).tolist() == pytest.approx([expected, 1.0])


def test_expected_purchases_of_a_new_customer_is_the_unconditional_expectation():
    # with x = t_x = T = 0, eq. 10 of FHL (2005) reduces to eq. 9:
    # E[X(t)] = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t))^r * 2F1(r, b; a + b - 1; t / (alpha + t)))
    r, alpha, a, b = CDNOW.values()
    t = 39.0
    eq9 = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    assert expected_purchases(CDNOW, t, [0], [0.0], [0.0])[0] == pytest.approx(eq9, rel=1e-10)


def test_expected_purchases_when_the_hypergeometric_term_is_negative():
    # a + b + x - 1 < 0 (here -0.48, a fit of the test shop): 2F1 is negative, eq. 10 still holds;
    # 2F1 summed from its defining series, sum over n of (r)_n (b)_n / (a + b - 1)_n z^n / n!
    params = {"r": 0.87, "alpha": 3.95, "a": 0.019, "b": 0.499}
    r, alpha, a, b = params.values()
    t, T = 52.0, 20.0
    z = t / (alpha + T + t)
    terms = [1.0]
    for n in range(400):  # each term from the previous: (a + n)(b + n) / ((c + n)(n + 1)) z
        terms.append(terms[-1] * (r + n) * (b + n) / ((a + b - 1 + n) * (n + 1)) * z)
    series = sum(terms)
    assert series < 0
    eq10 = (a + b - 1) / (a - 1) * (1 - (1 - z) ** r * series)
    assert expected_purchases(params, t, [0], [0.0], [T])[0] == pytest.approx(eq10, rel=1e-9)


def test_gamma_gamma_density_against_numerical_integration_over_the_customers_mean():
    # m-bar of x purchases ~ Gamma(p x, nu x) given nu, nu ~ Gamma(q, gamma): integrate nu out numerically
    params = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    x, m = 3, 24.5

    def joint(nu: float) -> float:
        return (stats.gamma.pdf(m, a=params["p"] * x, scale=1 / (nu * x))
                * stats.gamma.pdf(nu, a=params["q"], scale=1 / params["gamma"]))

    marginal, _ = integrate.quad(joint, 0, np.inf, limit=200)
    assert gamma_gamma_log_likelihood(params, [x], [m])[0] == pytest.approx(math.log(marginal), rel=1e-8)


def test_expected_spend_by_hand():
    params = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    # x = 2, m-bar = 30: 6.25 * (15.44 + 60) / (12.5 + 2.74) = 30.932...; x = 0: the mean p gamma / (q - 1)
    assert expected_spend(params, [2, 0], [30.0, 0.0]).tolist() == pytest.approx(
        [6.25 * 75.44 / 15.24, 6.25 * 15.44 / 2.74])


def test_credibility_spend_by_hand():
    # three repeat buyers and a one-off buyer
    summary = pd.DataFrame({"frequency": [1, 2, 3, 0], "monetary_value": [10.0, 20.0, 40.0, 0.0],
                            "monetary_sd": [0.0, 5.0, 10.0, 0.0]})
    spend, params = credibility_spend(summary)
    mu = (10 + 40 + 120) / 6  # 28.333
    sigma2 = (2 * 25 + 3 * 100) / (0 + 1 + 2)  # 116.667
    between = 1 * (10 - mu) ** 2 + 2 * (20 - mu) ** 2 + 3 * (40 - mu) ** 2
    tau2 = (between - 2 * sigma2) / (6 - 14 / 6)
    k = sigma2 / tau2
    z = np.array([1, 2, 3, 0]) / (np.array([1, 2, 3, 0]) + k)
    assert params["population_mean"] == pytest.approx(mu)
    assert params["k"] == pytest.approx(k)
    assert spend.tolist() == pytest.approx((z * [10, 20, 40, 0] + (1 - z) * mu).tolist())
    assert spend[3] == pytest.approx(mu)  # a one-off buyer gets the population mean
    # no spread between customers: everyone gets the mean
    flat, flat_params = credibility_spend(summary.assign(monetary_value=[20.0, 20.0, 20.0, 0.0]))
    assert flat.tolist() == pytest.approx([20.0] * 4) and flat_params["k"] is None


# --- the published CDNOW fits and lifetimes' predictions -------------------------------------------

def test_bgnbd_reproduces_fader_hardie_lee_2005_on_cdnow(cdnow):
    fit = fit_bgnbd(cdnow)
    for name, published in CDNOW.items():
        assert fit.params[name] == pytest.approx(published, abs=1e-3), name
    assert fit.at_bound == []


def test_gamma_gamma_reproduces_the_published_cdnow_fit(cdnow):
    # Fader & Hardie (2013), note 025: p = 6.25, q = 3.74, gamma = 15.44 on the 946 CDNOW repeat buyers
    fit = fit_gamma_gamma(cdnow)
    assert fit.params["p"] == pytest.approx(6.25, abs=0.01)
    assert fit.params["q"] == pytest.approx(3.74, abs=0.01)
    assert fit.params["gamma"] == pytest.approx(15.44, abs=0.02)


def test_the_fit_does_not_depend_on_the_currency_or_time_unit(cdnow):
    # spend in cents, time in days: shapes unchanged, scale parameters scaled
    gg = fit_gamma_gamma(cdnow.assign(monetary_value=cdnow["monetary_value"] * 100)).params
    assert gg["p"] == pytest.approx(6.25, abs=0.01) and gg["gamma"] == pytest.approx(1544, abs=2)
    bg = fit_bgnbd(cdnow.assign(recency=cdnow["recency"] * 7, T=cdnow["T"] * 7)).params
    assert bg["r"] == pytest.approx(0.243, abs=1e-3) and bg["alpha"] == pytest.approx(4.414 * 7, abs=0.01)


def test_predictions_match_lifetimes_on_cdnow(cdnow):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifetimes' import warns under pandas 3
        from lifetimes import BetaGeoFitter, GammaGammaFitter
    bgf, ggf = BetaGeoFitter(), GammaGammaFitter()
    ours = fit_bgnbd(cdnow).params
    bgf.params_ = pd.Series(ours)[["r", "alpha", "a", "b"]]
    x, t_x, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    assert p_alive(ours, x, t_x, T) == pytest.approx(bgf.conditional_probability_alive(x, t_x, T), abs=1e-6)
    for t in (4.0, 52.0, 260.0):
        theirs = bgf.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, T)
        assert expected_purchases(ours, t, x, t_x, T) == pytest.approx(np.asarray(theirs), abs=1e-6)
    spend = fit_gamma_gamma(cdnow).params
    ggf.params_ = pd.Series({"p": spend["p"], "q": spend["q"], "v": spend["gamma"]})
    theirs = ggf.conditional_expected_average_profit(x, cdnow["monetary_value"])
    assert expected_spend(spend, x, cdnow["monetary_value"]) == pytest.approx(np.asarray(theirs), abs=1e-6)


def test_independence_check_on_cdnow(cdnow):
    # Fader & Hardie (2013), note 025: the correlation of x and z-bar among repeat buyers is 0.11
    check = spend_frequency_check(cdnow)
    assert check["repeat_buyers"] == 946
    assert check["pearson_r"] == pytest.approx(0.11, abs=0.005)
    assert check["material"] is False  # significant (p < 0.001) but small


def test_independence_check_flags_a_strong_correlation_and_skips_a_constant():
    summary = pd.DataFrame({"frequency": [1, 2, 3, 4, 5, 6], "monetary_value": [10.0, 21, 29, 41, 50, 62]})
    check = spend_frequency_check(summary)
    assert check["pearson_r"] == pytest.approx(stats.pearsonr(summary["frequency"], summary["monetary_value"])[0],
                                               abs=1e-4)
    assert check["material"] is True
    constant = spend_frequency_check(summary.assign(monetary_value=20.0))
    assert constant["pearson_r"] is None and constant["material"] is False


def test_a_fit_without_dropping_out_is_a_caveat():
    fit = ClvFit("bgnbd+gamma_gamma", bgnbd={"r": 1.0, "alpha": 5.0, "a": 0.001, "b": 200.0})
    assert "almost no dropping out" in clv_caveat(fit)
    assert clv_caveat(ClvFit("bgnbd+gamma_gamma", bgnbd=CDNOW)) == ""


# --- the per-day inputs ---------------------------------------------------------------------------

def day_lines() -> pd.DataFrame:
    """A: two invoices on 1 March (10 + 20), one on 5 March (40), two on 9 March (5 + 15); B: one day."""
    rows = [("A", "a1", "2024-03-01", 10.0), ("A", "a2", "2024-03-01", 20.0), ("A", "a3", "2024-03-05", 40.0),
            ("A", "a4", "2024-03-09", 5.0), ("A", "a5", "2024-03-09", 15.0), ("B", "b1", "2024-03-02", 8.0)]
    lines = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_day", "amount"])
    lines["order_day"] = pd.to_datetime(lines["order_day"])
    return lines


def test_the_profile_counts_purchase_days():
    metrics = customer_metrics(day_lines(), dt.date(2024, 3, 31)).set_index("customer_id")
    assert metrics.loc["A", "frequency"] == 5  # orders keep their own count
    assert metrics.loc["A", "purchase_days"] == 3
    # repeat days 5 March (40) and 9 March (5 + 15 = 20): mean 30, population SD 10
    assert metrics.loc["A", "repeat_day_value"] == pytest.approx(30.0)
    assert metrics.loc["A", "repeat_day_value_sd"] == pytest.approx(10.0)
    assert metrics.loc["B", "purchase_days"] == 1 and pd.isna(metrics.loc["B", "repeat_day_value"])


def test_model_inputs_by_hand():
    profile = pd.DataFrame({"purchase_days": [1, 3], "tenure_days": [14, 70], "recency_days": [14, 7],
                            "repeat_day_value": [None, 30.0], "repeat_day_value_sd": [None, 10.0]})
    summary = model_inputs(profile)
    # repeat days = days - 1; recency = (tenure - days since last) / 7; T = tenure / 7 (weeks)
    assert summary["frequency"].tolist() == [0, 2]
    assert summary["recency"].tolist() == [0.0, 9.0]
    assert summary["T"].tolist() == [2.0, 10.0]
    assert summary["monetary_value"].tolist() == [0.0, 30.0]
    assert summary["monetary_sd"].tolist() == [0.0, 10.0]


# --- ordinary shops and the fallback chain --------------------------------------------------------

BUYER_TYPES = {  # share, mean days between purchases, log-mean and log-SD of the price, mean lifetime (days)
    "wholesaler": (0.15, 10, 5.5, 0.6, None), "regular": (0.30, 40, 4.0, 0.8, None),
    "occasional": (0.35, 150, 3.0, 1.0, None), "lapsing": (0.20, 25, 3.5, 0.9, 120)}


def lognormal_shop(n_customers: int = 2000, seed: int = 0, start: str = "2023-01-01", days: int = 540) -> pd.DataFrame:
    """Order lines of a shop with four buyer types, lognormal prices and one type that stops buying."""
    rng = np.random.default_rng(seed)
    names = list(BUYER_TYPES)
    rows, start_ts = [], pd.Timestamp(start)
    for c in range(n_customers):
        _, gap, mu, sigma, life = BUYER_TYPES[names[rng.choice(4, p=[BUYER_TYPES[n][0] for n in names])]]
        day = int(rng.integers(0, days // 2))
        stop = day + rng.exponential(life) if life else days
        while day < min(days, stop):
            for line in range(int(rng.integers(1, 4))):
                rows.append((f"c{c}", f"o{len(rows)}", start_ts + pd.Timedelta(days=day),
                             round(float(rng.lognormal(mu, sigma)) * int(rng.integers(1, 6)), 2) + 0.01))
            day += max(1, int(rng.exponential(gap)))
    return pd.DataFrame(rows, columns=["customer_id", "order_id", "order_day", "amount"])


def test_many_invoices_on_two_days_are_two_purchases():
    # issue 10: 34 invoices on two days, then nothing for 372 days, in a shop where some buyers lapse
    asof = pd.Timestamp("2024-06-23")
    days = [asof - pd.Timedelta(days=372 + 300), asof - pd.Timedelta(days=372)]
    burst = pd.DataFrame({"customer_id": "burst", "order_id": [f"z{i}" for i in range(34)],
                          "order_day": [days[i % 2] for i in range(34)], "amount": 50.0})
    lines = pd.concat([lognormal_shop(1000, seed=2), burst], ignore_index=True)
    profile = build_profile(lines, {**CFG, "asof": asof.date()})
    fit = fit_clv(profile, CFG["clv"])
    assert fit.bgnbd["a"] > 0.01  # the population fit sees dropping out
    out = add_clv(profile, CFG, fit).set_index("customer_id")
    assert out.loc["burst", "frequency"] == 34 and out.loc["burst", "purchase_days"] == 2
    assert out.loc["burst", "p_alive"] > 0.5
    # the same history counted per invoice (x = 33 repeats) leaves no chance of being alive
    assert p_alive(fit.bgnbd, [33], [300 / 7], [(372 + 300) / 7])[0] < 0.01


@pytest.fixture(scope="module")
def lognormal_profile() -> pd.DataFrame:
    return build_profile(lognormal_shop(), {**CFG, "asof": dt.date(2024, 6, 23)})


def test_both_models_fit_an_ordinary_lognormal_shop(lognormal_profile):
    fit = fit_clv(lognormal_profile, CFG["clv"])
    assert fit.method == "bgnbd+gamma_gamma" and fit.reason == ""
    assert fit.spend["q"] > 1
    out = add_clv(lognormal_profile, CFG, fit)
    assert out["p_alive"].between(0, 1).all() and (out["clv"] >= 0).all() and out["clv"].notna().all()
    # the lapsing buyers (planted) are the least likely to be alive among repeat buyers
    assert out.loc[out["purchase_days"] > 1, "p_alive"].min() < 0.2


def test_add_clv_columns_and_properties(cdnow_profile):
    out = add_clv(cdnow_profile, CFG)
    for col in ("p_alive", "expected_orders", "expected_order_value", "clv", "total_value"):
        assert col in out and out[col].notna().all()
    assert out["p_alive"].between(0, 1).all() and (out["clv"] >= 0).all()
    # one-time buyers are "alive" with certainty under BG/NBD (no repeat, no evidence of dropping out)
    assert (out.loc[out["purchase_days"] == 1, "p_alive"] == 1).all()
    longer = add_clv(cdnow_profile, {**CFG, "clv": {**CFG["clv"], "horizon_months": 24}})
    assert (longer["clv"] >= out["clv"] - 1e-9).all()


def test_clv_is_the_discounted_monthly_sum(cdnow_profile):
    fit = fit_clv(cdnow_profile, CFG["clv"])
    out = add_clv(cdnow_profile, {**CFG, "clv": {**CFG["clv"], "horizon_months": 2}}, fit)
    one = model_inputs(cdnow_profile).iloc[[0]]
    x, t_x, T, m = one["frequency"], one["recency"], one["T"], one["monetary_value"]
    d = 1.1 ** (1 / 12) - 1
    e1 = expected_purchases(fit.bgnbd, WEEKS_PER_MONTH, x, t_x, T)[0]
    e2 = expected_purchases(fit.bgnbd, 2 * WEEKS_PER_MONTH, x, t_x, T)[0]
    spend = expected_spend(fit.spend, x, m)[0]
    by_hand = 0.3 * spend * (e1 / (1 + d) + (e2 - e1) / (1 + d) ** 2)
    assert out["clv"].iloc[0] == pytest.approx(by_hand, abs=0.006)


def synthetic_profile(spend: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """A profile of 400 customers with BG/NBD-like histories and the given mean spend per repeat day."""
    rng = np.random.default_rng(seed)
    n = len(spend)
    tenure = rng.integers(60, 500, n)
    days = 1 + rng.poisson(tenure / 60)
    recency = np.where(days > 1, (tenure * rng.uniform(0, 0.6, n)).astype(int), tenure)
    return pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "rfm_segment": "all", "frequency": days,
                         "purchase_days": days, "tenure_days": tenure, "recency_days": recency,
                         "repeat_day_value": np.where(days > 1, spend, np.nan),
                         "repeat_day_value_sd": np.where(days > 2, spend / 3, np.where(days > 1, 0.0, np.nan)),
                         "monetary": spend * days, "profit": 0.0})


def test_spend_with_an_infinite_mean_falls_back_to_the_credibility_mean(tmp_path):
    # customers' mean spend lognormal with log-SD 3: Gamma-Gamma's q comes out below 1
    profile = synthetic_profile(np.exp(np.random.default_rng(1).normal(3, 3, 400)))
    fit = fit_clv(profile, CFG["clv"])
    assert fit.method == "bgnbd+shrunk_mean" and "q = " in fit.reason
    assert "Bühlmann–Straub" in clv_caveat(fit)
    out = add_clv(profile, CFG, fit)
    expected, _ = credibility_spend(model_inputs(profile))
    assert out["expected_order_value"].tolist() == pytest.approx(expected.round(2).tolist())
    assert out["clv"].notna().all() and (out["clv"] >= 0).all()
    cleaning = pd.DataFrame({"rule": ["no customer id"], "lines": [0], "note": [""]})
    ctx = type("Ctx", (), {"artefact": lambda self, name: tmp_path / name, "cycle": "c1"})()
    said = ResearchArtefacts(out, cleaning, fit).save(ctx)
    assert said == "The results of this step are saved with cycle c1." and "data/processed" not in said
    saved = read_json(tmp_path / "clv.json")
    assert saved["method"] == "bgnbd+shrunk_mean" and saved["caveat"] == clv_caveat(fit)
    assert set(saved["bgnbd"]) == {"r", "alpha", "a", "b"} and "population_mean" in saved["spend"]
    back = ResearchArtefacts.load(ctx)
    assert back.clv == fit and back.cleaning.equals(cleaning) and back.profile.equals(out)


def test_constant_spend_is_the_limit_of_the_gamma_gamma_model():
    profile = synthetic_profile(np.full(400, 25.0))
    fit = fit_clv(profile, CFG["clv"])
    assert fit.method == "bgnbd+gamma_gamma" and "Gamma–Gamma q" in fit.at_bound
    assert add_clv(profile, CFG, fit)["expected_order_value"].tolist() == pytest.approx([25.0] * 400)


def test_no_second_purchase_day_means_no_clv_columns_and_no_error():
    profile = synthetic_profile(np.full(400, 25.0)).assign(purchase_days=1, repeat_day_value=np.nan)
    fit = fit_clv(profile, CFG["clv"])
    assert fit.method == "none" and "second purchase day" in fit.reason
    assert fit.method in METHODS and clv_caveat(fit).startswith("No CLV this cycle")
    out = add_clv(profile, CFG)
    assert out.equals(profile)  # like clv.enabled: false
    assert clv_by_rfm_segment(out) is None


def test_a_bgnbd_fit_that_does_not_converge_means_no_clv_columns(monkeypatch):
    def no_convergence(fun, x0, **kwargs):
        return optimize.OptimizeResult(x=x0, fun=fun(x0), success=False)

    profile = synthetic_profile(np.full(400, 25.0))
    monkeypatch.setattr("segkit_helpers.research.clv_models.optimize.minimize", no_convergence)
    fit = fit_clv(profile, CFG["clv"])
    assert fit.method == "none"
    assert fit.reason == "the BG/NBD model could not be fitted (the optimiser did not converge from any starting value)"
    assert "p_alive" not in add_clv(profile, CFG, fit)


def test_identical_histories_long_ago_are_fitted_as_gone():
    # every customer bought on exactly two days, a week apart, a year ago: the fit says they left
    profile = synthetic_profile(np.full(30, 25.0)).assign(purchase_days=2, tenure_days=364, recency_days=357)
    out = add_clv(profile, CFG)
    assert (out["p_alive"] < 0.01).all() and (out["expected_orders"] < 0.01).all()


def test_hyp2f1_series_by_hand_and_where_scipy_gives_nan():
    # 2F1(1, 1; 2; z) = -ln(1 - z) / z (Abramowitz & Stegun 15.1.3); 2F1(a, b; b; z) = (1 - z)^(-a) (15.1.8)
    z = np.array([0.0, 0.1, 0.5, 0.9])
    assert np.allclose(_hyp2f1_series(1.0, 1.0, 2.0, z), np.r_[1.0, -np.log1p(-z[1:]) / z[1:]], rtol=1e-12)
    assert np.allclose(_hyp2f1_series(2.5, 3.0, 3.0, 0.3), 0.7 ** -2.5, rtol=1e-12)
    assert np.isnan(_hyp2f1_series(1.0, 1.0, 2.0, 1.0))  # outside the disc of convergence: no value
    # a degenerate fit (identical customers): scipy's hyp2f1 gives NaN here in both forms, the prediction does not
    params = dict(r=14665.97, alpha=14686.14, a=422.43, b=0.002336)
    year = expected_purchases(params, 52.0, [1.0], [1.0], [52.0])
    assert np.isfinite(year).all() and 0 <= year[0] <= p_alive(params, [1.0], [1.0], [52.0])[0] * 1.01


def test_switched_off():
    fit = fit_clv(pd.DataFrame(), {**CFG["clv"], "enabled": False})
    assert fit == ClvFit("none", "switched off in the config (clv.enabled: false)")


def test_fit_summary_states_method_parameters_and_check(cdnow_profile):
    table = clv_summary(fit_clv(cdnow_profile, CFG["clv"]))
    assert table.loc["method", "value"] == "bgnbd+gamma_gamma"
    assert "r = 0.243" in table.loc["BG/NBD (weeks)", "value"]
    assert "Pearson r = 0.114" in table.loc["spend ~ frequency (repeat buyers)", "value"]
    assert table.loc["caveat", "value"] == "none"


# --- the holdout check ----------------------------------------------------------------------------

def holdout_lines() -> pd.DataFrame:
    rows = []
    for c in range(60):
        for k in range(c % 6 + 1):
            rows.append((f"c{c}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=(c * 3 + k * 29) % 300)))
    orders = pd.DataFrame(rows, columns=["customer_id", "order_day"]).drop_duplicates()
    return orders.assign(order_id=[f"o{i}" for i in range(len(orders))], amount=10.0)


def test_holdout_check_compares_predicted_and_actual():
    lines = holdout_lines()
    cfg = {"asof": dt.date(2024, 12, 31), "clv": {"enabled": True, "holdout_days": 90, "penalizer": 0.0}}
    check = holdout_check(lines, cfg)
    table = check.table
    assert holdout_view(check).frame.equals(table.reset_index())
    assert list(table.columns) == ["customers", "actual", "predicted"]
    # every calibration customer is counted once: first purchase before the cut-off (2024-10-02)
    first = lines.groupby("customer_id")["order_day"].min()
    assert table["customers"].sum() == (first <= pd.Timestamp("2024-10-02")).sum()
    assert (table["predicted"] >= 0).all()
    # a second invoice on the same day is not a second purchase
    same_day = lines.assign(order_id=lines["order_id"] + "b")
    doubled = holdout_check(pd.concat([lines, same_day], ignore_index=True), cfg).table
    pd.testing.assert_frame_equal(doubled, table)


def test_holdout_check_gives_a_reason_instead_of_a_table():
    lines = holdout_lines()
    cfg = {"asof": dt.date(2024, 12, 31), "clv": {"holdout_days": 90, "penalizer": 0.0, "enabled": False}}
    off = holdout_check(lines, cfg)
    assert off.table is None and "switched off" in off.reason
    shown = holdout_view(off)
    assert repr(shown) == "No holdout check: CLV is switched off (clv.enabled: false)." and "switched off" in shown._repr_html_()
    assert shown._repr_html_().startswith('<p class="sk-empty">')
    one_day = lines.assign(order_day=pd.Timestamp("2024-02-01"))
    short = holdout_check(one_day, {**cfg, "clv": {**cfg["clv"], "enabled": True}})
    assert short.table is None and "second purchase day" in short.reason
