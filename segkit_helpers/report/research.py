"""Sentences and tables for the reader of steps 00 and 01: assumptions, the CLV fit, the holdout check.

The compute functions of :mod:`segkit_helpers.research` return numbers and records;
what a person reads about them is written here, in one place, so that it can be
translated later.
"""

from __future__ import annotations

import pandas as pd

from segkit_helpers.evaluation.stats import p_text
from segkit_helpers.report.sentences import Sentence
from segkit_helpers.research.clv import NO_DROPOUT_BELOW, ClvFit, HoldoutCheck


def value_assumptions(cfg: dict) -> pd.DataFrame:
    """The value and CLV settings behind profit and CLV, stated for the reader of a report."""
    value, clv = cfg["value"], cfg["clv"]
    rows = {
        "gross margin (no cost column)": f"{value['margin_rate']:.0%} of net revenue",
        "cost to serve per order": f"{value['cost_per_order']:,.2f}",
        "cost to serve per customer": f"{value['cost_per_customer']:,.2f}",
        "loyal when (r_score + f_score) / 2 reaches": f"{cfg['loyalty']['threshold']}",
        "CLV horizon": f"{clv['horizon_months']} months" if clv["enabled"] else "CLV switched off",
        "CLV discount rate": f"{clv['discount_rate']:.0%} a year",
        "CLV model check holdout": f"last {clv['holdout_days']} days before asof",
    }
    return pd.DataFrame({"setting": list(rows.values())}, index=pd.Index(list(rows), name="assumption"))


def clv_caveat(fit: ClvFit) -> str:
    """One line for the reader of the reports about a CLV fit; empty when there is nothing to warn about."""
    parts = []
    if fit.method == "none":
        parts.append(f"No CLV this cycle: {fit.reason}; p_alive, expected_orders, expected_order_value, "
                     "clv and total_value are not computed.")
    elif fit.method == "bgnbd+shrunk_mean":
        parts.append("CLV uses spend per purchase day shrunk to the population mean (Bühlmann–Straub "
                     f"credibility) because the Gamma–Gamma model did not fit ({fit.reason}).")
    if fit.no_dropout:
        parts.append("BG/NBD finds almost no dropping out in this history (mean dropout probability per "
                     f"purchase a/(a+b) below {NO_DROPOUT_BELOW:.0%}): p_alive is near 1 for everyone and does "
                     "not single out lapsed customers; read recency for that.")
    if fit.spend_depends_on_frequency:
        parts.append(f"Spend per purchase day correlates with purchase frequency (r = "
                     f"{fit.independence['pearson_r']:.2f}): the Gamma–Gamma independence assumption fails, "
                     "so expected spend and CLV of frequent buyers are biased in that direction.")
    return " ".join(parts)


def clv_summary(fit: ClvFit) -> pd.DataFrame:
    """The method, its reason, the parameters and the independence check of a CLV fit, as a table for 01."""
    rows = {"method": fit.method, "why": fit.reason or "both models fitted by maximum likelihood"}
    if fit.bgnbd:
        rows["BG/NBD (weeks)"] = ", ".join(f"{k} = {v:.3f}" for k, v in fit.bgnbd.items())
    if fit.spend and fit.method == "bgnbd+gamma_gamma":
        rows["Gamma–Gamma"] = ", ".join(f"{k} = {v:.3f}" for k, v in fit.spend.items())
    elif fit.spend:
        k = fit.spend["k"]
        rows["credibility"] = (f"population mean = {fit.spend['population_mean']:,.2f}, "
                               + (f"k = σ²/τ² = {k:.3f}" if k is not None else "no between-customer variance"))
    check = fit.independence
    if check:
        rows["spend ~ frequency (repeat buyers)"] = (
            "not testable (too few repeat buyers or a constant variable)" if check["pearson_r"] is None
            else f"Pearson r = {check['pearson_r']:.3f}, {p_text(check['p_value'])}, n = {check['repeat_buyers']:,}")
    if fit.at_bound:
        rows["at the edge of their range"] = ", ".join(fit.at_bound) + " (the data favour a limit of the model)"
    rows["caveat"] = clv_caveat(fit) or "none"
    return pd.DataFrame({"value": list(rows.values())}, index=pd.Index(list(rows), name="CLV model"))


def holdout_view(check: HoldoutCheck) -> pd.DataFrame | Sentence:
    """The calibration / holdout table, or one sentence with the reason there is none."""
    return check.table if check.table is not None else Sentence(f"No holdout check: {check.reason}.")
