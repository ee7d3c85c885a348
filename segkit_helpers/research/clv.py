"""Customer lifetime value of the profile: the fit chain of the CLV models, CLV columns and a holdout check.

The models (BG/NBD for purchases, Gamma–Gamma for spend per purchase) and their
maximum-likelihood fits are in :mod:`segkit_helpers.research.clv_models`.

**One purchase per calendar day.** Both models count *purchase days*, as Fader, Hardie
& Lee do on CDNOW: a customer with several invoices on one day made one purchase.
``frequency`` (x) = distinct purchase days − 1, ``recency`` (t_x) = last − first
purchase day, ``T`` = asof − first purchase day (in weeks), ``monetary_value`` (m̄) =
mean net value of the repeat purchase days (a day's value is the sum of its orders).
The profile's own ``frequency`` (orders) is not changed by this.

**Fallback chain** (the method is recorded as ``ClvFit.method``):

1. ``"bgnbd+gamma_gamma"`` — both models fitted;
2. ``"bgnbd+shrunk_mean"`` — BG/NBD fitted, Gamma–Gamma not (fewer than 2 repeat
   buyers, no convergence, or q ≤ 1 so the mean spend is infinite): spend per purchase
   is the Bühlmann–Straub credibility-weighted mean
   (:func:`~segkit_helpers.research.clv_models.credibility_spend`);
3. ``"none"`` — BG/NBD itself did not fit (no customer with a second purchase day, no
   convergence, or predictions that are not finite), or CLV is switched off: no CLV
   columns, with the reason.

The sentences that explain a fit to the reader (its caveat, its summary table) are
made by :mod:`segkit_helpers.report.research`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit_helpers.research.clv_models import (
    ModelFit,
    credibility_spend,
    expected_purchases,
    expected_spend,
    fit_bgnbd,
    fit_gamma_gamma,
    p_alive,
    spend_frequency_check,
)
from segkit_helpers.report.i18n import _
from segkit_helpers.research.metrics import order_table

DAYS_PER_WEEK = 7.0
WEEKS_PER_MONTH = 365.25 / 12 / 7


#: Below this mean dropout probability per purchase, a / (a + b), BG/NBD sees (almost) no
#: dropping out: p_alive is then near 1 for everyone, and a caveat says so.
NO_DROPOUT_BELOW = 0.01


METHODS = ("bgnbd+gamma_gamma", "bgnbd+shrunk_mean", "none")


def model_inputs(profile: pd.DataFrame) -> pd.DataFrame:
    """The per-day summary of BG/NBD and Gamma–Gamma, in weeks, from the customer profile.

    - ``frequency`` = repeat purchase days (``purchase_days`` − 1);
    - ``recency`` = (last − first purchase day) / 7 = (``tenure_days`` − ``recency_days``) / 7;
    - ``T`` = (asof − first purchase day) / 7 = ``tenure_days`` / 7;
    - ``monetary_value`` = ``repeat_day_value``, the mean net value of the repeat
      purchase days (0 without any); ``monetary_sd`` = their population standard
      deviation (``repeat_day_value_sd``, 0 without any).

    The first and last purchase days are the days of the first and last order, so
    recency and T come from the profile's order dates.
    """
    return pd.DataFrame(
        {
            "frequency": profile["purchase_days"].to_numpy() - 1,
            "recency": (profile["tenure_days"] - profile["recency_days"]).to_numpy() / DAYS_PER_WEEK,
            "T": profile["tenure_days"].to_numpy() / DAYS_PER_WEEK,
            "monetary_value": profile["repeat_day_value"].fillna(0).clip(lower=0).to_numpy(),
            "monetary_sd": profile["repeat_day_value_sd"].fillna(0).to_numpy(),
        },
        index=profile.index,
    )


@dataclass(frozen=True)
class ClvFit:
    """The CLV models of one cycle: which method was used, why, and the fitted parameters.

    Attributes
    ----------
    method : str
        One of :data:`METHODS`.
    reason : str
        Why this method (empty when both models fitted).
    bgnbd : dict or None
        r, alpha (weeks), a, b.
    spend : dict or None
        Gamma–Gamma p, q, gamma, or the credibility parameters of
        :func:`~segkit_helpers.research.clv_models.credibility_spend`.
    independence : dict or None
        :func:`~segkit_helpers.research.clv_models.spend_frequency_check`.
    at_bound : list of str
        Parameters estimated at the edge of their range, e.g. ``"BG/NBD a"``
        (a limit of the model, see ``clv_models._maximise``).
    """

    method: str
    reason: str = ""
    bgnbd: dict | None = None
    spend: dict | None = None
    independence: dict | None = None
    at_bound: list[str] = field(default_factory=list)

    @property
    def no_dropout(self) -> bool:
        """BG/NBD sees (almost) no dropping out: mean dropout probability per purchase a / (a + b) below
        :data:`NO_DROPOUT_BELOW`, so p_alive is near 1 for everyone."""
        return bool(self.bgnbd and self.bgnbd["a"] / (self.bgnbd["a"] + self.bgnbd["b"]) < NO_DROPOUT_BELOW)

    @property
    def spend_depends_on_frequency(self) -> bool:
        """The Gamma–Gamma independence check found a material correlation of spend and frequency."""
        return bool(self.independence and self.independence["material"])


def fit_clv(profile: pd.DataFrame, params: dict) -> ClvFit:
    """Fit the CLV models to the profile, falling back as the module docstring states; never raises for a fit.

    ``params`` is the config's ``clv`` section (``enabled``, ``penalizer``).
    """
    if not params["enabled"]:
        return ClvFit("none", _("switched off in the config (clv.enabled: false)"))
    summary = model_inputs(profile)
    independence = spend_frequency_check(summary)
    bg = fit_bgnbd(summary, params["penalizer"])
    if not bg.ok:
        return ClvFit("none", _("the BG/NBD model could not be fitted ({reason})").format(reason=bg.reason),
                      independence=independence)
    gg = fit_gamma_gamma(summary, params["penalizer"])
    at_bound = [f"BG/NBD {name}" for name in bg.at_bound] + [f"Gamma–Gamma {name}" for name in gg.at_bound]
    if gg.ok:
        return ClvFit("bgnbd+gamma_gamma", "", bg.params, gg.params, independence, at_bound)
    _spend, shrinkage = credibility_spend(summary)
    return ClvFit("bgnbd+shrunk_mean", gg.reason, bg.params, shrinkage, independence, at_bound)


def discounted_value(params: dict, summary: pd.DataFrame, spend: np.ndarray, months: int,
                     annual_rate: float) -> np.ndarray:
    """Σ_{i=1..months} (E[Y(i·w)] − E[Y((i−1)·w)]) · spend / (1 + d)^i, w = weeks per month.

    E[Y(t)] is :func:`expected_purchases`; d = (1 + annual_rate)^(1/12) − 1 is the
    monthly discount rate. The same discounted sum as lifetimes'
    ``customer_lifetime_value`` (month by month, discount factor 1/(1 + d)^i), so
    values stay comparable with earlier cycles.
    """
    monthly = (1 + annual_rate) ** (1 / 12) - 1
    x, t_x, T = summary["frequency"], summary["recency"], summary["T"]
    cumulative = [np.zeros(len(summary))] + [expected_purchases(params, i * WEEKS_PER_MONTH, x, t_x, T)
                                             for i in range(1, months + 1)]
    discounted = sum((cumulative[i] - cumulative[i - 1]) / (1 + monthly) ** i for i in range(1, months + 1))
    return np.asarray(discounted * spend, dtype=float)


def add_clv(profile: pd.DataFrame, cfg: dict, fit: ClvFit | None = None) -> pd.DataFrame:
    """Add ``p_alive``, ``expected_orders``, ``expected_order_value``, ``clv`` and ``total_value``.

    - ``p_alive``: BG/NBD probability that the customer is still active at asof;
    - ``expected_orders``: expected purchase days (the model's purchases) in the next
      ``clv.horizon_months``;
    - ``expected_order_value``: expected net spend of a future purchase day
      (Gamma–Gamma, or the credibility-weighted mean of the fallback);
    - ``clv`` = margin rate × :func:`discounted_value` over ``clv.horizon_months`` at
      the annual ``clv.discount_rate``: the discounted expected gross margin;
    - ``total_value`` = ``profit`` (realised) + ``clv`` (expected), seed 004's value.

    The margin rate is realised gross margin / revenue when costs are known, else
    ``value.margin_rate``. ``fit`` defaults to :func:`fit_clv`; when its method is
    ``"none"`` (including ``clv.enabled: false``) the profile is returned unchanged.
    """
    fit = fit_clv(profile, cfg["clv"]) if fit is None else fit
    if fit.method == "none":
        return profile
    summary = model_inputs(profile)
    x, t_x, T = summary["frequency"], summary["recency"], summary["T"]
    horizon = cfg["clv"]["horizon_months"]
    if fit.method == "bgnbd+gamma_gamma":
        spend = expected_spend(fit.spend, x, summary["monetary_value"])
    else:
        spend, _ = credibility_spend(summary)
    out = profile.copy()
    out["p_alive"] = p_alive(fit.bgnbd, x, t_x, T).round(4)
    out["expected_orders"] = expected_purchases(fit.bgnbd, horizon * WEEKS_PER_MONTH, x, t_x, T).round(4)
    out["expected_order_value"] = np.asarray(spend, dtype=float).round(2)
    value = discounted_value(fit.bgnbd, summary, spend, horizon, cfg["clv"]["discount_rate"])
    out["clv"] = (value * _margin_rate(profile, cfg)).round(2)
    out["total_value"] = (out["profit"] + out["clv"]).round(2)
    return out


def _margin_rate(profile: pd.DataFrame, cfg: dict) -> float:
    """The margin rate: configured, or realised gross margin / revenue when costs are known."""
    if "margin_from_cost" in profile and profile["monetary"].sum() > 0:
        return float(profile["gross_margin"].sum() / profile["monetary"].sum())
    return cfg["value"]["margin_rate"]


@dataclass(frozen=True)
class HoldoutCheck:
    """The calibration / holdout table, or ``None`` with the reason it could not be made.

    Shown in a notebook by :func:`segkit_helpers.report.research.holdout_view`.
    """

    table: pd.DataFrame | None
    reason: str = ""


def holdout_check(lines, cfg: dict) -> HoldoutCheck:
    """Calibration / holdout check of the BG/NBD model (Fader, Hardie & Lee 2005, fig. 3).

    The model is fitted on the purchase days up to asof − ``clv.holdout_days``
    (customers whose first order falls in that calibration period), one purchase per
    calendar day as in :func:`model_inputs`, and predicts each customer's purchase days
    in the holdout period; the table compares mean predicted and actual holdout
    purchase days by number of repeat purchase days in the calibration period.

    Parameters
    ----------
    lines
        Clean order lines (:class:`segkit_helpers.research.lines.Lines` or a DataFrame).

    Returns
    -------
    HoldoutCheck
        ``table``: one row per calibration repeat-day count (0, 1, … 7+) with
        ``customers``, ``actual`` and ``predicted`` mean holdout purchase days; or
        ``None`` with a ``reason`` when ``clv.enabled`` is false or the model cannot
        be fitted on the history before the holdout.
    """
    if not cfg["clv"]["enabled"]:
        return HoldoutCheck(None, _("CLV is switched off (clv.enabled: false)"))
    orders = order_table(lines)
    days = orders.loc[orders["is_order"], ["customer_id", "order_day"]].drop_duplicates()
    asof = pd.Timestamp(cfg["asof"])
    cutoff = asof - pd.Timedelta(days=cfg["clv"]["holdout_days"])
    calibration = days[days["order_day"] <= cutoff]
    grouped = calibration.groupby("customer_id")["order_day"]
    first, last, count = grouped.min(), grouped.max(), grouped.size()
    summary = pd.DataFrame({"frequency": count - 1, "recency": (last - first).dt.days / DAYS_PER_WEEK,
                            "T": (cutoff - first).dt.days / DAYS_PER_WEEK})
    later = days[(days["order_day"] > cutoff) & (days["order_day"] <= asof)]
    summary["actual"] = later.groupby("customer_id").size().reindex(summary.index, fill_value=0)
    fit = fit_bgnbd(summary, cfg["clv"]["penalizer"]) if len(summary) else ModelFit("BG/NBD", None, "no customer yet")
    if not fit.ok:
        return HoldoutCheck(None, _("on the history before {date} the BG/NBD model could not be fitted "
                                    "({reason})").format(date=cutoff.date(), reason=fit.reason))
    weeks = cfg["clv"]["holdout_days"] / DAYS_PER_WEEK
    summary["predicted"] = expected_purchases(fit.params, weeks, summary["frequency"], summary["recency"], summary["T"])
    summary["bucket"] = summary["frequency"].clip(upper=7).astype(int)
    table = summary.groupby("bucket").agg(customers=("predicted", "size"), actual=("actual", "mean"),
                                          predicted=("predicted", "mean"))
    table.index = [f"{b}+" if b == 7 else str(b) for b in table.index]
    return HoldoutCheck(table.rename_axis("repeat purchase days in calibration").round(3))
