"""The decision summary of a cycle: what the index tells a sales director, read from the cycle's artefacts.

Nothing here is computed anew: each figure comes from the artefact the step that made it
wrote (profiles, service models, persona types, validation, monitor, readiness, CLV), and
each segment's one next action from the rule of :mod:`segkit_helpers.deploy.actions`.
:func:`decision_summary` gathers them; the words are in :mod:`segkit_helpers.report.findings`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from segkit_helpers.deploy.actions import segment_actions
from segkit_helpers.deploy.deployment import load_playbook
from segkit_helpers.monitoring.alerts import next_revision
from segkit_helpers.report import findings
from segkit_helpers.report.facts import CycleFacts
from segkit_helpers.report.numbers import count, date, money, share
from segkit_helpers.report.vocabulary import weak_verdict


@dataclass
class DecisionSummary:
    """What the index shows: per-segment rows, findings, caveats, next steps and dates, all as text."""

    segments: list[dict]
    findings: list[str]
    caveats: list[str]
    next_steps: list[str]
    next_revision: str
    revision_due: bool
    period: str
    totals: dict = field(default_factory=dict)


def segment_table(facts: CycleFacts) -> pd.DataFrame:
    """One row per segment: size, revenue, profit and CLV (absolute and share), service model, cost to
    serve against value, the one next action and the test verdict.

    ``cost_to_serve`` = the service model's cost per customer × customers; ``value`` = realised
    profit + expected CLV (when the profile has CLV), as in
    :func:`segkit_helpers.deploy.deployment.resources_vs_value`.
    """
    p = facts.profiles
    table = p[["customers", "customer_share", "revenue", "revenue_share", "profit", "main_quadrant"]].copy()
    table["profit_share"] = p["profit"] / p["profit"].sum() if p["profit"].sum() > 0 else float("nan")
    table["clv"] = p["clv"] if "clv" in p else float("nan")
    table["name"] = facts.names.reindex(p.index)
    table = table.join(facts.service[["service_model", "service_cost"]])
    table["cost_to_serve"] = table["service_cost"] * table["customers"]
    table["value"] = table["profit"] + table["clv"].fillna(0.0)
    playbook = load_playbook(facts.cfg["deploy"]["playbook"])
    types = facts.types["persona_type"] if facts.types is not None else None
    actions = segment_actions(p["main_quadrant"], facts.service, types, playbook)
    table = table.join(actions[["goal", "next_action", "tactics"]])
    checks = pd.DataFrame(facts.validation.get("segments") or [], columns=["segment", "verdict", "stability"])
    return table.join(checks.set_index("segment")[["verdict", "stability"]])


def _segment_rows(table: pd.DataFrame, currency: str | None) -> list[dict]:
    rows = []
    for segment, r in table.iterrows():
        rows.append({"segment": int(segment), "name": r["name"], "customers": count(r["customers"]),
                     "customer_share": share(r["customer_share"]), "revenue": money(r["revenue"], currency),
                     "revenue_share": share(r["revenue_share"]), "profit": money(r["profit"], currency),
                     "profit_share": share(r["profit_share"]), "clv": money(r["clv"], currency),
                     "service_model": r["service_model"], "cost_to_serve": money(r["cost_to_serve"], currency),
                     "value": money(r["value"], currency), "cost_exceeds_value": bool(r["cost_to_serve"] > r["value"]),
                     "goal": r["goal"], "next_action": r["next_action"], "tactics": r["tactics"] or "",
                     "verdict": r["verdict"] if isinstance(r["verdict"], str) else "",
                     "target": isinstance(r["verdict"], str) and not weak_verdict(r["verdict"])})
    return rows


def decision_summary(facts: CycleFacts, previous: CycleFacts | None = None,
                     first_asof: dt.date | None = None) -> DecisionSummary:
    """Gather the index's decision summary of a cycle (``previous``: the cycle it is compared with).

    ``first_asof`` is the ``asof`` of the first cycle of the lineage (for the revision date; default
    this cycle's).
    """
    table = segment_table(facts)
    start, asof = facts.period
    revision = facts.monitor.get("revision") or {}
    due = bool(revision.get("revision_due"))
    revise_on = next_revision(facts.cfg["monitor"], first_asof or asof, asof, due)  # YAML reads last_revision as a date
    return DecisionSummary(
        segments=_segment_rows(table, facts.currency),
        findings=findings.key_findings(facts, table),
        caveats=findings.caveats(facts, previous),
        next_steps=findings.next_steps(facts, table, date(revise_on), due),
        next_revision=date(revise_on), revision_due=due,
        period=f"{date(start)} – {date(asof)}",
        totals={"customers": count(table["customers"].sum()), "revenue": money(table["revenue"].sum(), facts.currency),
                "profit": money(table["profit"].sum(), facts.currency),
                "clv": money(table["clv"].sum(), facts.currency) if table["clv"].notna().any() else "–",
                "cost_to_serve": money(table["cost_to_serve"].sum(), facts.currency),
                "value": money(table["value"].sum(), facts.currency)},
    )
