"""Sentences and tables for the reader of steps 00 and 01: assumptions, the CLV fit, the holdout check.

The compute functions of :mod:`segkit_helpers.research` return numbers and records;
what a person reads about them is written here, in one place, so that it can be
translated later.
"""

from __future__ import annotations

import pandas as pd

from segkit_helpers.evaluation.stats import p_text
from segkit_helpers.report import numbers
from segkit_helpers.report.sentences import Block
from segkit_helpers.report.tables import Table, currency_of, header, table
from segkit_helpers.research.clv import NO_DROPOUT_BELOW, ClvFit, HoldoutCheck
from segkit_helpers.research.lines import Lines, summarize_lines
from segkit_helpers.research.summaries import abc_xyz_table, clv_by_rfm_segment, persona_metrics_summary


def value_assumptions(cfg: dict) -> Table:
    """The value and CLV settings behind profit and CLV, stated for the reader of a report."""
    value, clv, currency = cfg["value"], cfg["clv"], currency_of(cfg)
    rows = {
        "gross margin (no cost column)": f"{numbers.share(value['margin_rate'])} of net revenue",
        "cost to serve per order": numbers.money(value["cost_per_order"], currency, 2),
        "cost to serve per customer": numbers.money(value["cost_per_customer"], currency, 2),
        "loyal when (r_score + f_score) / 2 reaches": f"{cfg['loyalty']['threshold']}",
        "CLV horizon": f"{clv['horizon_months']} months" if clv["enabled"] else "CLV switched off",
        "CLV discount rate": f"{numbers.share(clv['discount_rate'])} a year",
        "CLV model check holdout": f"last {clv['holdout_days']} days before asof",
    }
    frame = pd.DataFrame({"assumption": list(rows), "setting": list(rows.values())})
    return table(frame, caption="The value and CLV assumptions behind profit and CLV")


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


def holdout_view(check: HoldoutCheck) -> Table:
    """The calibration / holdout table, or one sentence with the reason there is none."""
    return table(check.table, {"actual": "number", "predicted": "number"}, index=True,
                 caption="Holdout check: repeat purchase days, actual against predicted",
                 empty=f"No holdout check: {check.reason}.")


# --- the tables of pages 00 and 01 (through the one table layer, :mod:`segkit_helpers.report.tables`) -------------

#: The readiness checks whose value is a share (the others are counts).
SHARE_CHECKS = ("share of",)


def answers_view(answers: pd.DataFrame) -> Table:
    """The five questions and their answers (:func:`~segkit_helpers.research.readiness.answers_table`)."""
    return table(answers[["question", "answer"]], caption="The five readiness questions")


def lines_view(lines: Lines | pd.DataFrame, cfg: dict) -> Table:
    """The headline counts of the order lines (:func:`~segkit_helpers.research.lines.summarize_lines`)."""
    summary, currency = summarize_lines(lines), currency_of(cfg)
    shown = [numbers.money(v, currency) if name == "net revenue" else numbers.count(v) for name, v in summary.items()]
    return table(pd.DataFrame({"measure": list(summary.index), "value": shown}), {"value": "figure"},
                 caption="Order lines up to any date")


def _bar(bar: str, is_share: bool) -> str:
    """A check's bar (``">= 200"``, ``"<= 0.3"``) with its number formatted and ≥ / ≤ signs."""
    if not bar:
        return ""
    sign, _, value = bar.partition(" ")
    shown = numbers.share(float(value)) if is_share else numbers.count(float(value))
    return {">=": "≥", "<=": "≤"}.get(sign, sign) + " " + shown


def checks_view(checks: pd.DataFrame) -> Table:
    """The data checks (:func:`~segkit_helpers.research.readiness.data_checks`): value, bar and passed in words."""
    shares = [row.check.startswith(SHARE_CHECKS) for row in checks.itertuples()]
    shown = pd.DataFrame({
        "check": checks["check"],
        "value": [numbers.share(v, 1) if s else numbers.count(v) for v, s in zip(checks["value"], shares)],
        "bar": [_bar(b, s) for b, s in zip(checks["bar"], shares)],
        "passed": ["" if p is None else "yes" if p else "no" for p in checks["passed"]],
    })
    return table(shown, {"value": "figure", "bar": "figure"}, caption="Data checks (blank: no bar, for information)")


def schemes_view(schemes: pd.DataFrame) -> Table:
    """Which schemes the data supports (:func:`~segkit_helpers.research.readiness.available_schemes`)."""
    return table(schemes, index=True, caption="Segmentation schemes and the data they need")


def readiness_block(record: dict) -> Block:
    """The go / no-go verdict of ``readiness.json`` with its reasons, as a verdict block."""
    text = {"go": "Go: the answers and the data support a segmentation.",
            "go with caveats": "Go, with caveats: the data support a segmentation, but not every question is answered.",
            "no-go": "No-go: do not segment yet."}[record["verdict"]]
    lines = [text] + [f"- {reason}" for reason in record["reasons"]]
    kind = {"go": "go", "go with caveats": "caveat"}.get(record["verdict"], "nogo")
    return Block("\n".join(lines), kind)


def cleaning_view(cleaning: pd.DataFrame) -> Table:
    """What each cleaning rule removed or netted (:func:`~segkit_helpers.research.cleaning.clean_transactions`)."""
    return table(cleaning, caption="Cleaning: lines and customers each rule removed or netted")


def rules_view(rules: pd.DataFrame) -> Table:
    """The named RFM segments' score ranges (:func:`~segkit_helpers.research.scores.load_rfm_rules`)."""
    return table(rules, caption="Named RFM segments: the score ranges of each (1–5)")


def profile_sample(profile: pd.DataFrame, rows: int = 3) -> Table:
    """The first ``rows`` customers of the profile, one column per customer, one row per profile column."""
    sample = profile.head(rows).set_index("customer_id").T
    sample.columns = [f"customer {c}" for c in sample.columns]
    sample.index = [header(c) for c in sample.index]
    return table(sample.rename_axis("profile column"), index=True, caption="The first customers of the profile")


def rfm_summary_view(summary: pd.DataFrame, cfg: dict) -> Table:
    """Customers and revenue per named RFM segment (:func:`~segkit_helpers.research.summaries.rfm_segment_summary`)."""
    return table(summary, {"median_recency_days": "number:0", "median_frequency": "number:0", "revenue": "money",
                           "customer_share": "share", "revenue_share": "share"},
                 index=True, currency=currency_of(cfg), caption="Named RFM segments, by revenue")


def persona_metrics_view(profile: pd.DataFrame, cfg: dict) -> Table:
    """Medians of the persona metrics per RFM segment (:func:`~segkit_helpers.research.summaries.persona_metrics_summary`)."""
    metrics = persona_metrics_summary(profile)
    kinds = {c: kind for c, kind in {"avg_order_value": "money", "profit": "money", "clv": "money",
                                     "share_active_months": "share", "repeat_rate": "share",
                                     "distinct_products": "number:0"}.items() if c in metrics}
    kinds.update({c: "number" for c in metrics.columns if c not in kinds})
    return table(metrics.rename_axis("RFM segment"), kinds, index=True, currency=currency_of(cfg),
                 caption="Persona metrics: medians per RFM segment (– where undefined)")


def abc_xyz_view(profile: pd.DataFrame) -> Table:
    """Customers by ABC class (rows) and XYZ class (columns) (:func:`~segkit_helpers.research.summaries.abc_xyz_table`)."""
    crossed = abc_xyz_table(profile)
    crossed.columns = [f"XYZ {c}" for c in crossed.columns]
    return table(crossed.rename_axis("ABC class"), index=True, caption="Customers by ABC class and XYZ class")


def clv_view(fit: ClvFit) -> Table:
    """The CLV fit (:func:`clv_summary`) as a report table."""
    return table(clv_summary(fit).rename_axis("CLV model"), index=True, caption="The CLV model")


def clv_segments_view(profile: pd.DataFrame, cfg: dict) -> Table:
    """Median CLV figures per RFM segment (:func:`~segkit_helpers.research.summaries.clv_by_rfm_segment`)."""
    shown = clv_by_rfm_segment(profile)
    return table(None if shown is None else shown.rename_axis("RFM segment"),
                 {"p_alive": "share", "expected_orders": "number:1", "clv": "money", "total_value": "money"},
                 index=True, currency=currency_of(cfg), caption="CLV per RFM segment (medians)",
                 empty="No CLV this cycle: the CLV model table above says why.")
