"""Sentences and tables for the reader of steps 00 and 01: assumptions, the CLV fit, the holdout check.

The compute functions of :mod:`segkit_helpers.research` return numbers and records;
what a person reads about them is written here, in one place, in the report language
(:mod:`segkit_helpers.report.i18n`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from segkit_helpers.report import numbers
from segkit_helpers.report.i18n import N_, _, pgettext
from segkit_helpers.report.sentences import Block
from segkit_helpers.report.tables import Table, currency_of, header, table
from segkit_helpers.research.clv import NO_DROPOUT_BELOW, ClvFit, HoldoutCheck
from segkit_helpers.research.lines import Lines, summarize_lines
from segkit_helpers.research.readiness import is_share_check
from segkit_helpers.research.summaries import abc_xyz_table, clv_by_rfm_segment, persona_metrics_summary


#: Profile columns whose values are words shown translated (RFM segment names, quadrants; the profile keeps them).
LABELS_SHOWN = ("rfm_segment", "value_loyalty_quadrant")
#: The headline counts of :func:`~segkit_helpers.research.lines.summarize_lines` (its index), shown translated.
LINE_MEASURES = (N_("lines"), N_("customers"), N_("orders"), N_("net revenue"))
#: The cleaning table's actions (:func:`~segkit_helpers.research.cleaning.clean_transactions`), shown translated.
CLEANING_WORDS = (N_("removed"), N_("netted"), N_("no customer id"), N_("exact duplicate line"),
                  N_("unit price zero or negative"), N_("return or cancellation"),
                  N_("customer's net revenue not positive"))


def value_assumptions(cfg: dict) -> Table:
    """The value and CLV settings behind profit and CLV, stated for the reader of a report."""
    value, clv, currency = cfg["value"], cfg["clv"], currency_of(cfg)
    rows = {
        _("gross margin (no cost column)"): _("{share} of net revenue").format(
            share=numbers.share(value["margin_rate"])),
        _("cost to serve per order"): numbers.money(value["cost_per_order"], currency, 2),
        _("cost to serve per customer"): numbers.money(value["cost_per_customer"], currency, 2),
        _("loyal when (r_score + f_score) / 2 reaches"): f"{cfg['loyalty']['threshold']}",
        _("CLV horizon"): (_("{months} months").format(months=clv["horizon_months"]) if clv["enabled"]
                           else _("CLV switched off")),
        _("CLV discount rate"): _("{share} a year").format(share=numbers.share(clv["discount_rate"])),
        _("CLV model check holdout"): _("last {days} days before asof").format(days=clv["holdout_days"]),
    }
    frame = pd.DataFrame({"assumption": list(rows), "setting": list(rows.values())})
    return table(frame, caption=_("The value and CLV assumptions behind profit and CLV"))


def clv_caveat(fit: ClvFit) -> str:
    """One line for the reader of the reports about a CLV fit; empty when there is nothing to warn about."""
    parts = []
    if fit.method == "none":
        parts.append(_("No CLV this cycle: {reason}; p_alive, expected_orders, expected_order_value, clv and "
                       "total_value are not computed.").format(reason=fit.reason))
    elif fit.method == "bgnbd+shrunk_mean":
        parts.append(_("CLV uses spend per purchase day shrunk to the population mean (Bühlmann–Straub credibility) "
                       "because the Gamma–Gamma model did not fit ({reason}).").format(reason=fit.reason))
    if fit.no_dropout:
        parts.append(_("BG/NBD finds almost no dropping out in this history (mean dropout probability per purchase "
                       "a/(a+b) below {share}): p_alive is near 1 for everyone and does not single out lapsed "
                       "customers; read recency for that.").format(share=numbers.share(NO_DROPOUT_BELOW)))
    if fit.spend_depends_on_frequency:
        parts.append(_("Spend per purchase day correlates with purchase frequency (r = {r}): the Gamma–Gamma "
                       "independence assumption fails, so expected spend and CLV of frequent buyers are biased in "
                       "that direction.").format(r=numbers.number(fit.independence["pearson_r"])))
    return " ".join(parts)


def clv_summary(fit: ClvFit) -> pd.DataFrame:
    """The method, its reason, the parameters and the independence check of a CLV fit, as a table for 01."""
    rows = {_("method"): fit.method, _("why"): fit.reason or _("both models fitted by maximum likelihood")}
    if fit.bgnbd:
        rows[_("BG/NBD (weeks)")] = ", ".join(f"{k} = {v:.3f}" for k, v in fit.bgnbd.items())
    if fit.spend and fit.method == "bgnbd+gamma_gamma":
        rows["Gamma–Gamma"] = ", ".join(f"{k} = {v:.3f}" for k, v in fit.spend.items())
    elif fit.spend:
        k = fit.spend["k"]
        mean = _("population mean = {mean}").format(mean=numbers.number(fit.spend["population_mean"]))
        spread = f"k = σ²/τ² = {k:.3f}" if k is not None else _("no between-customer variance")
        rows[_("credibility")] = f"{mean}, {spread}"
    check = fit.independence
    if check:
        rows[_("spend ~ frequency (repeat buyers)")] = (
            _("not testable (too few repeat buyers or a constant variable)") if check["pearson_r"] is None
            else f"Pearson r = {numbers.number(check['pearson_r'], 3)}, {_p_text(check['p_value'])}, "
                 f"n = {numbers.count(check['repeat_buyers'])}")
    if fit.at_bound:
        rows[_("at the edge of their range")] = _("{parameters} (the data favour a limit of the model)").format(
            parameters=", ".join(fit.at_bound))
    rows[_("caveat")] = clv_caveat(fit) or _("none")
    return pd.DataFrame({"value": list(rows.values())}, index=pd.Index(list(rows), name="CLV model"))


def _p_text(p: float | None) -> str:
    """A p-value as read aloud, in the report language's numbers: "p < 0.001", "p = 0.012" (missing: not testable)."""
    if p is None or not np.isfinite(p):
        return _("not testable")
    shown = numbers.p_value(p)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


def holdout_view(check: HoldoutCheck) -> Table:
    """The calibration / holdout table, or one sentence with the reason there is none."""
    return table(check.table, {"actual": "number", "predicted": "number"}, index=True,
                 caption=_("Holdout check: repeat purchase days, actual against predicted"),
                 empty=_("No holdout check: {reason}.").format(reason=check.reason))


# --- the tables of pages 00 and 01 (through the one table layer, :mod:`segkit_helpers.report.tables`) -------------

def answers_view(answers: pd.DataFrame) -> Table:
    """The five questions and their answers (:func:`~segkit_helpers.research.readiness.answers_table`)."""
    return table(answers[["question", "answer"]], caption=_("The five readiness questions"))


def lines_view(lines: Lines | pd.DataFrame, cfg: dict) -> Table:
    """The headline counts of the order lines (:func:`~segkit_helpers.research.lines.summarize_lines`)."""
    summary, currency = summarize_lines(lines), currency_of(cfg)
    shown = [numbers.money(v, currency) if name == "net revenue" else numbers.count(v) for name, v in summary.items()]
    measures = [_(name) for name in summary.index]
    return table(pd.DataFrame({"measure": measures, "value": shown}), {"value": "figure"},
                 caption=_("Order lines up to any date"))


def _bar(bar: str, is_share: bool) -> str:
    """A check's bar (``">= 200"``, ``"<= 0.3"``) with its number formatted and ≥ / ≤ signs."""
    if not bar:
        return ""
    sign, _sep, value = bar.partition(" ")
    shown = numbers.share(float(value)) if is_share else numbers.count(float(value))
    return {">=": "≥", "<=": "≤"}.get(sign, sign) + " " + shown


def checks_view(checks: pd.DataFrame) -> Table:
    """The data checks (:func:`~segkit_helpers.research.readiness.data_checks`): value, bar and passed in words.
    """
    shares = [is_share_check(name) for name in checks["check"]]
    shown = pd.DataFrame({
        "check": checks["check"],
        "value": [numbers.share(v, 1) if s else numbers.count(v) for v, s in zip(checks["value"], shares)],
        "bar": [_bar(b, s) for b, s in zip(checks["bar"], shares)],
        "passed": ["" if p is None else _("yes") if p else _("no") for p in checks["passed"]],
    })
    return table(shown, {"value": "figure", "bar": "figure"}, caption=_("Data checks (blank: no bar, for information)"))


def schemes_view(schemes: pd.DataFrame) -> Table:
    """Which schemes the data supports (:func:`~segkit_helpers.research.readiness.available_schemes`)."""
    shown = schemes.assign(needs=[_(n) for n in schemes["needs"]]).rename(index=_)
    shown = shown.rename(columns={"needs": pgettext("column of the schemes table", "needs")})
    return table(shown, index=True, caption=_("Segmentation schemes and the data they need"))


def readiness_block(record: dict) -> Block:
    """The go / no-go verdict of ``readiness.json`` with its reasons, as a verdict block."""
    text = {"go": _("Go: the answers and the data support a segmentation."),
            "go with caveats": _("Go, with caveats: the data support a segmentation, but not every question is "
                                 "answered."),
            "no-go": _("No-go: do not segment yet.")}[record["verdict"]]
    lines = [text] + [f"- {reason}" for reason in record["reasons"]]
    kind = {"go": "go", "go with caveats": "caveat"}.get(record["verdict"], "nogo")
    return Block("\n".join(lines), kind)


def cleaning_view(cleaning: pd.DataFrame) -> Table:
    """What each cleaning rule removed or netted (:func:`~segkit_helpers.research.cleaning.clean_transactions`)."""
    shown = cleaning.assign(rule=[_rule(r) for r in cleaning["rule"]], action=[_(a) for a in cleaning["action"]])
    return table(shown, caption=_("Cleaning: lines and customers each rule removed or netted"))


def _rule(rule: str) -> str:
    """A cleaning rule's name in the report language (rule 2 carries its date: ``dated after asof (<date>)``)."""
    dated = re.fullmatch(r"dated after asof \((.+)\)", rule)
    return _("dated after asof ({date})").format(date=dated.group(1)) if dated else _(rule)


def rules_view(rules: pd.DataFrame) -> Table:
    """The named RFM segments' score ranges (:func:`~segkit_helpers.research.scores.load_rfm_rules`)."""
    shown = rules.assign(**{c: [_(v) for v in rules[c]] for c in ("name", "hint") if c in rules})
    return table(shown, caption=_("Named RFM segments: the score ranges of each (1–5)"))


def profile_sample(profile: pd.DataFrame, rows: int = 3) -> Table:
    """The first ``rows`` customers of the profile, one column per customer, one row per profile column."""
    head = profile.head(rows)
    sample = head.assign(**{c: [_(v) for v in head[c]] for c in LABELS_SHOWN if c in head}).set_index("customer_id").T
    sample.columns = [_("customer {id}").format(id=c) for c in sample.columns]
    sample.index = [header(c) for c in sample.index]
    return table(sample.rename_axis("profile column"), index=True, caption=_("The first customers of the profile"))


def rfm_summary_view(summary: pd.DataFrame, cfg: dict) -> Table:
    """Customers and revenue per named RFM segment (:func:`~segkit_helpers.research.summaries.rfm_segment_summary`)."""
    return table(summary.rename(index=_), {"median_recency_days": "number:0", "median_frequency": "number:0", "revenue": "money",
                           "customer_share": "share", "revenue_share": "share"},
                 index=True, currency=currency_of(cfg), caption=_("Named RFM segments, by revenue"))


def persona_metrics_view(profile: pd.DataFrame, cfg: dict) -> Table:
    """Medians of the persona metrics per RFM segment (:func:`~segkit_helpers.research.summaries.persona_metrics_summary`)."""
    metrics = persona_metrics_summary(profile)
    kinds = {c: kind for c, kind in {"avg_order_value": "money", "profit": "money", "clv": "money",
                                     "share_active_months": "share", "repeat_rate": "share",
                                     "distinct_products": "number:0"}.items() if c in metrics}
    kinds.update({c: "number" for c in metrics.columns if c not in kinds})
    return table(metrics.rename(index=_).rename_axis("RFM segment"), kinds, index=True, currency=currency_of(cfg),
                 caption=_("Persona metrics: medians per RFM segment (– where undefined)"))


def abc_xyz_view(profile: pd.DataFrame) -> Table:
    """Customers by ABC class (rows) and XYZ class (columns) (:func:`~segkit_helpers.research.summaries.abc_xyz_table`)."""
    crossed = abc_xyz_table(profile)
    crossed.columns = [f"XYZ {c}" for c in crossed.columns]
    return table(crossed.rename_axis("ABC class"), index=True, caption=_("Customers by ABC class and XYZ class"))


def clv_view(fit: ClvFit) -> Table:
    """The CLV fit (:func:`clv_summary`) as a report table."""
    return table(clv_summary(fit).rename_axis("CLV model"), index=True, caption=_("The CLV model"))


def clv_segments_view(profile: pd.DataFrame, cfg: dict) -> Table:
    """Median CLV figures per RFM segment (:func:`~segkit_helpers.research.summaries.clv_by_rfm_segment`)."""
    shown = clv_by_rfm_segment(profile)
    return table(None if shown is None else shown.rename(index=_).rename_axis("RFM segment"),
                 {"p_alive": "share", "expected_orders": "number:1", "clv": "money", "total_value": "money"},
                 index=True, currency=currency_of(cfg), caption=_("CLV per RFM segment (medians)"),
                 empty=_("No CLV this cycle: the CLV model table above says why."))
