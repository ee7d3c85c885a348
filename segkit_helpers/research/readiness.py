"""Step 00: are we ready to segment? The five questions of seed 001 and data checks."""

from __future__ import annotations

import pandas as pd

from segkit_helpers.engines.sql import when
from segkit_helpers.research.cleaning import cancellation_sql, duplicate_rule
from segkit_helpers.research.lines import Lines
from segkit_helpers.schemes import SCHEMES
from segkit_helpers.io.sources import quote_ident
from segkit_helpers.report.i18n import N_, _

#: Seed 001's five questions, keyed as in the ``readiness`` config section (in English; stored translated).
QUESTIONS = {
    "goal": N_("What drives the need to segment (the business goal)?"),
    "base_large_and_varied": N_("Is the customer base large and varied enough to show distinct buying behaviours?"),
    "actionable": N_("Can the organisation act on the segments (actionable, not just accurate)?"),
    "resources": N_("Are there resources (data, people, money) to carry it through?"),
    "will_act": N_("Will the organisation act on the results (channels, portals, product lines)?"),
}
#: The answer of a question answered nowhere (stored in the report language).
NOT_ANSWERED = N_("not answered")
#: The name of the check on lines without a customer id (the index reads its value by this name, translated).
MISSING_CUSTOMER_CHECK = N_("share of lines without customer")
#: The checks whose value is a share (the others are counts), as their names begin in any language.
SHARE_CHECKS = (MISSING_CUSTOMER_CHECK, N_("share of return/cancellation lines"),
                N_("share of exact duplicate lines ({rule})"))


def answers_table(readiness: dict, overrides: dict[str, str] | None = None) -> pd.DataFrame:
    """The five questions with the answers of the config's ``readiness`` section (``readiness``).

    ``overrides`` (the notebook's parameters, when an analyst fills them in) replace the
    config's answer of a question only where they are not empty; a question answered
    nowhere is "not answered" (questions and that answer in the report language).
    """
    given = {key: (text or "").strip() for key, text in (overrides or {}).items()}
    rows = [{"question": _(question),
             "answer": given.get(key) or (readiness[key] or "").strip() or _(NOT_ANSWERED)}
            for key, question in QUESTIONS.items()]
    return pd.DataFrame(rows, index=pd.Index(list(QUESTIONS), name="key"))


def data_checks(lines: Lines, cfg: dict) -> pd.DataFrame:
    """Data sufficiency and quality checks on the raw order lines up to ``asof`` (one DuckDB pass).

    Checks: customers with an id (≥ ``readiness.min_customers``), history length
    in days (≥ ``readiness.min_history_days``), share of lines without a customer
    (≤ ``readiness.max_missing_customer_share``); reported without a bar: share of
    returns/cancellations and of exact duplicate lines (identical in every mapped column),
    named with what step 01 does with them and why (:func:`~segkit_helpers.research.cleaning.duplicate_rule`).

    Returns
    -------
    pandas.DataFrame
        ``check`` (its name in the report language), ``value``, ``bar`` and ``passed`` (``None`` where informational).
    """
    rd = cfg["readiness"]
    asof = f"TIMESTAMP '{cfg['asof'].isoformat()}'"
    cancel = cancellation_sql(lines.columns, cfg["cleaning"]["cancellation_prefix"], cfg["cleaning"]["cancelled_statuses"])
    keys = ", ".join(quote_ident(c) for c in lines.columns)
    n, customers, first, last, missing, returns = lines.con.execute(
        f"SELECT count(*), count(DISTINCT customer_id), min(order_day), max(order_day), "
        f"count({when('customer_id IS NULL')}), count({when(f'coalesce({cancel}, false)')}) "
        f"FROM {lines.name} WHERE order_day <= {asof}").fetchone()
    distinct = lines.scalar(f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM {{lines}} WHERE order_day <= {asof}) "
                            f"AS distinct_lines")
    total = max(n, 1)
    history = (last - first).days if n else 0
    rows = [
        (_("customers with an id"), customers, f">= {rd['min_customers']}", customers >= rd["min_customers"]),
        (_("history length (days)"), history, f">= {rd['min_history_days']}", history >= rd["min_history_days"]),
        (_(MISSING_CUSTOMER_CHECK), round(missing / total, 4), f"<= {rd['max_missing_customer_share']}",
         missing / total <= rd["max_missing_customer_share"]),
        (_(SHARE_CHECKS[1]), round(returns / total, 4), "", None),
        (_(SHARE_CHECKS[2]).format(rule=duplicate_rule(cfg, lines.source_columns)[1]),
         round((n - distinct) / total, 4), "", None),
        (_("order lines up to asof"), n, "", None),
    ]
    return pd.DataFrame(rows, columns=["check", "value", "bar", "passed"]).astype({"value": "object"})


def is_share_check(name: str) -> bool:
    """Whether the check named ``name`` (in the report language) has a share as its value (:data:`SHARE_CHECKS`)."""
    return name.startswith(tuple(_(check).split("{")[0] for check in SHARE_CHECKS))


def available_schemes(cfg: dict, lines: Lines) -> pd.DataFrame:
    """Which segmentation schemes the configured data supports.

    Each scheme's own predicate (:data:`segkit_helpers.schemes.SCHEMES`) decides,
    on the config's sources (files or database URLs) and the order lines' mapped columns.
    """
    rows = [{"scheme": name, "needs": scheme.needs, "data available": bool(scheme.available(cfg, lines.columns)),
             "chosen": name == cfg["segmentation"]["scheme"]} for name, scheme in SCHEMES.items()]
    return pd.DataFrame(rows).set_index("scheme")


def readiness_verdict(answers: pd.DataFrame, checks: pd.DataFrame, schemes: pd.DataFrame) -> dict:
    """Go / no-go: no-go if a data check with a bar fails or the chosen scheme lacks data;
    "go with caveats" if a question is unanswered; else "go" (the verdict is an identifier, the reasons are
    sentences in the report language)."""
    failed = checks[checks["passed"] == False]  # noqa: E712  (None = informational)
    unanswered = answers[answers["answer"] == _(NOT_ANSWERED)].index.tolist()
    chosen = schemes[schemes["chosen"]]
    reasons = [_("data check failed: {check} = {value} (needs {bar})").format(check=r.check, value=r.value, bar=r.bar)
               for r in failed.itertuples()]
    if chosen.empty or not bool(chosen["data available"].iloc[0]):
        reasons.append(_("the chosen scheme has no data"))
    if reasons:
        verdict = "no-go"
    elif unanswered:
        verdict, reasons = "go with caveats", [_("question not answered: {key}").format(key=k) for k in unanswered]
    else:
        verdict = "go"
    return {"verdict": verdict, "reasons": reasons}


def readiness_record(answers: pd.DataFrame, checks: pd.DataFrame, schemes: pd.DataFrame, cfg: dict) -> dict:
    """The content of ``readiness.json``: answers, checks, schemes, verdict."""
    return {
        "cycle": cfg["cycle"],
        "asof": cfg["asof"].isoformat(),
        "answers": answers.reset_index().to_dict(orient="records"),
        "checks": checks.to_dict(orient="records"),
        "schemes": schemes.reset_index().to_dict(orient="records"),
        "scheme": cfg["segmentation"]["scheme"],
        **readiness_verdict(answers, checks, schemes),
    }


class NotReadyError(RuntimeError):
    """The readiness verdict is no-go and ``readiness.stop_on_no_go`` is set."""


def stop_if_not_ready(record: dict, readiness: dict) -> None:
    """Raise :class:`NotReadyError` on a no-go verdict (unless ``readiness.stop_on_no_go`` is off)."""
    if record["verdict"] == "no-go" and readiness["stop_on_no_go"]:
        raise NotReadyError("readiness verdict is no-go: " + "; ".join(record["reasons"]))
