"""Probabilistic customer lifetime value: BG/NBD for orders, Gamma–Gamma for order value.

Models (maximum likelihood, from the ``lifetimes`` package):

- BG/NBD, Fader, Hardie & Lee (2005), "Counting your customers the easy way",
  *Marketing Science* 24(2):275–284 — repeat orders and the chance a customer is
  still active ("alive");
- Gamma–Gamma, Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves
  for customer base analysis", *Journal of Marketing Research* 42(4):415–430 — the
  expected value of a customer's future orders.

Why ``lifetimes`` rather than PyMC-Marketing: both implement these likelihoods; lifetimes
fits them by plain maximum likelihood in seconds with a small dependency (autograd,
scipy) and reproduces the published CDNOW parameters, whereas PyMC-Marketing brings
PyMC and a compiling tensor backend that costs minutes and hundreds of megabytes on
every fresh install. lifetimes is no longer developed; its use is confined to this
module, so the models can be swapped without touching anything else.

Assumptions: BG/NBD — while alive, a customer orders at a Poisson rate (Gamma
heterogeneous across customers) and drops out after any order with a probability
(Beta heterogeneous); Gamma–Gamma — order values vary around each customer's own
mean, independently of how often they order. Time unit: weeks.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd

from segkit_helpers.errors import InputError

DAYS_PER_WEEK = 7.0
WEEKS_PER_MONTH = 365.25 / 12 / 7


def lifetimes_inputs(profile: pd.DataFrame) -> pd.DataFrame:
    """The BG/NBD summary per customer, in weeks, from the customer profile.

    ``frequency`` = repeat orders (orders − 1), ``recency`` = time between the first
    and the last order, ``T`` = time since the first order (``tenure_days``),
    ``monetary_value`` = mean net value of the repeat orders (0 without any).
    """
    return pd.DataFrame(
        {
            "frequency": profile["frequency"].to_numpy() - 1,
            "recency": (profile["tenure_days"] - profile["recency_days"]).to_numpy() / DAYS_PER_WEEK,
            "T": profile["tenure_days"].to_numpy() / DAYS_PER_WEEK,
            "monetary_value": profile["repeat_order_value"].fillna(0).clip(lower=0).to_numpy(),
        },
        index=profile.index,
    )


PENALIZER_STEPS = (0.001, 0.01, 0.1)


def _fit(model_class, penalizer: float, columns: tuple, usable) -> object:
    """Fit a lifetimes model; if it does not converge or predicts nonsense, retry with larger penalizers.

    lifetimes' own advice on a ConvergenceError is a larger L2 penalizer; a fit
    whose parameters drift to the boundary can also converge yet give NaN
    predictions, which ``usable(model)`` catches. The penalizer that worked stays on
    the fitted model as ``penalizer_coef``. lifetimes prints the optimiser's report on
    failure; it is kept out of the notebooks.
    """
    from lifetimes.utils import ConvergenceError

    for coef in (penalizer, *[p for p in PENALIZER_STEPS if p > penalizer]):
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                model = model_class(penalizer_coef=coef).fit(*columns)
                if usable(model):
                    return model
        except ConvergenceError:
            continue
    raise InputError(f"the {model_class.__name__} CLV model could not be fitted (no convergence even with "
                     f"penalizer {PENALIZER_STEPS[-1]}): the history is too short or too regular for it. "
                     "Set clv.enabled: false to skip CLV.")


def fit_bgnbd(summary: pd.DataFrame, penalizer: float = 0.0, horizon_weeks: float = 52.0):
    """Fit the BG/NBD model (lifetimes ``BetaGeoFitter``) to a frequency/recency/T summary.

    A fit is kept only if its predictions over ``horizon_weeks`` are finite for every customer.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifetimes' import warns under pandas 3
        from lifetimes import BetaGeoFitter

    def usable(model) -> bool:
        with np.errstate(all="ignore"):
            expected = model.conditional_expected_number_of_purchases_up_to_time(
                horizon_weeks, summary["frequency"], summary["recency"], summary["T"])
            alive = model.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
        return bool(np.isfinite(expected).all() and np.isfinite(alive).all())

    return _fit(BetaGeoFitter, penalizer, (summary["frequency"], summary["recency"], summary["T"]), usable)


def fit_gamma_gamma(summary: pd.DataFrame, penalizer: float = 0.0):
    """Fit the Gamma–Gamma model on customers with repeat orders of positive mean value.

    The fit is usable only when q > 1 (else the mean order value is infinite).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lifetimes import GammaGammaFitter

    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    return _fit(GammaGammaFitter, penalizer, (repeat["frequency"], repeat["monetary_value"]),
                lambda model: bool(model.params_["q"] > 1))


def add_clv(profile: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Add ``p_alive``, ``expected_orders``, ``expected_order_value``, ``clv`` and ``total_value``.

    - ``p_alive``: BG/NBD probability that the customer is still active at asof;
    - ``expected_orders``: expected orders in the next ``clv.horizon_months``;
    - ``expected_order_value``: Gamma–Gamma expected net value of a future order;
    - ``clv``: expected gross margin of the next ``clv.horizon_months``, discounted
      monthly at the annual ``clv.discount_rate`` (lifetimes' discounted cash-flow
      sum of expected orders × order value, times the margin rate);
    - ``total_value`` = ``profit`` (realised) + ``clv`` (expected), seed 004's value.

    With ``clv.enabled: false`` the profile is returned unchanged.
    """
    params = cfg["clv"]
    if not params.get("enabled", True):
        return profile
    summary = lifetimes_inputs(profile)
    horizon_weeks = params["horizon_months"] * WEEKS_PER_MONTH
    bgf = fit_bgnbd(summary, params["penalizer"], horizon_weeks)
    ggf = fit_gamma_gamma(summary, params["penalizer"])
    out = profile.copy()
    out["p_alive"] = bgf.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"]).round(4)
    out["expected_orders"] = bgf.conditional_expected_number_of_purchases_up_to_time(
        horizon_weeks, summary["frequency"], summary["recency"], summary["T"]).round(4)
    value = ggf.conditional_expected_average_profit(summary["frequency"], summary["monetary_value"])
    out["expected_order_value"] = np.asarray(value, dtype=float).round(2)
    monthly_rate = (1 + params["discount_rate"]) ** (1 / 12) - 1
    revenue = ggf.customer_lifetime_value(bgf, summary["frequency"], summary["recency"], summary["T"],
                                          summary["monetary_value"], time=params["horizon_months"],
                                          discount_rate=monthly_rate, freq="W")
    margin_rate = _margin_rate(profile, cfg)
    out["clv"] = (np.asarray(revenue, dtype=float) * margin_rate).round(2)
    out["total_value"] = (out["profit"] + out["clv"]).round(2)
    return out


def _margin_rate(profile: pd.DataFrame, cfg: dict) -> float:
    """The margin rate: configured, or realised gross margin / revenue when costs are known."""
    if "margin_from_cost" in profile and profile["monetary"].sum() > 0:
        return float(profile["gross_margin"].sum() / profile["monetary"].sum())
    return cfg["value"]["margin_rate"]


def holdout_check(lines, cfg: dict) -> pd.DataFrame | None:
    """Calibration / holdout check of the BG/NBD model (Fader, Hardie & Lee 2005, fig. 3).

    The model is fitted on orders up to asof − ``clv.holdout_days`` (customers whose
    first order falls in that calibration period) and predicts each customer's orders
    in the holdout period; the table compares mean predicted and actual holdout
    orders by number of repeat orders in the calibration period.

    The split is written here rather than taken from ``lifetimes.utils``, whose
    ``calibration_and_holdout_data`` fails under pandas 3.

    Parameters
    ----------
    lines
        Clean order lines (:class:`segkit_helpers.data.Lines` or a DataFrame).

    Returns
    -------
    pandas.DataFrame or None
        One row per calibration repeat-order count (0, 1, … 7+): ``customers``,
        ``actual`` and ``predicted`` mean holdout orders; ``None`` when
        ``clv.enabled`` is false or the history before the holdout is too short to
        fit the model (a message says so).
    """
    from segkit_helpers.features import order_table

    if not cfg["clv"].get("enabled", True):
        return None
    orders = order_table(lines)
    orders = orders.loc[orders["is_order"], ["customer_id", "order_day"]]
    asof = pd.Timestamp(cfg["asof"])
    cutoff = asof - pd.Timedelta(days=cfg["clv"]["holdout_days"])
    calibration = orders[orders["order_day"] <= cutoff]
    grouped = calibration.groupby("customer_id")["order_day"]
    first, last, count = grouped.min(), grouped.max(), grouped.size()
    summary = pd.DataFrame({"frequency": count - 1, "recency": (last - first).dt.days / DAYS_PER_WEEK,
                            "T": (cutoff - first).dt.days / DAYS_PER_WEEK})
    later = orders[(orders["order_day"] > cutoff) & (orders["order_day"] <= asof)]
    summary["actual"] = later.groupby("customer_id").size().reindex(summary.index, fill_value=0)
    weeks = cfg["clv"]["holdout_days"] / DAYS_PER_WEEK
    try:
        bgf = fit_bgnbd(summary, cfg["clv"]["penalizer"], weeks)
    except InputError as exc:  # a diagnostic: report it, do not stop the cycle
        print(f"No holdout check: on the history before {cutoff.date()} {exc}")
        return None
    summary["predicted"] = bgf.conditional_expected_number_of_purchases_up_to_time(
        weeks, summary["frequency"], summary["recency"], summary["T"])
    summary["bucket"] = summary["frequency"].clip(upper=7).astype(int)
    table = summary.groupby("bucket").agg(customers=("predicted", "size"), actual=("actual", "mean"),
                                          predicted=("predicted", "mean"))
    table.index = [f"{b}+" if b == 7 else str(b) for b in table.index]
    return table.rename_axis("repeat orders in calibration").round(3)


CLV_COLUMNS = ["p_alive", "expected_orders", "clv", "total_value"]


def clv_by_rfm_segment(profile: pd.DataFrame) -> pd.DataFrame:
    """Median P(alive), expected orders, CLV and total value per named RFM segment, highest CLV first.

    Empty (with a note) when the CLV step was switched off (``clv.enabled: false``).
    """
    if not set(CLV_COLUMNS) <= set(profile.columns):
        print("CLV not computed: clv.enabled is false in the config.")
        return pd.DataFrame(columns=CLV_COLUMNS).rename_axis("rfm_segment")
    return profile.groupby("rfm_segment")[CLV_COLUMNS].median().sort_values("clv", ascending=False)
