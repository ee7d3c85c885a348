"""The words of the deploy step (05): what arrived after asof and what the step wrote.

:mod:`segkit_helpers.deploy` returns tables and counts; the sentences a reader sees
about them are written here, in one place, in the report's language (:mod:`segkit_helpers.report.i18n`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from segkit_helpers.deploy.deployment import export_summary, persona_type_table, quadrant_table
from segkit_helpers.report.i18n import _
from segkit_helpers.report.numbers import count, date
from segkit_helpers.report.sentences import Sentence
from segkit_helpers.report.tables import Table, currency_of, membership_kinds
from segkit_helpers.report.vocabulary import view, word


def inputs_text(customers: int, segments: int) -> Sentence:
    """The size of the segmentation step 05 deploys."""
    return Sentence(_("{customers} customers in {segments} segments").format(customers=count(customers),
                                                                            segments=segments))


def arrivals_text(arrived: int, scored: int, asof: dt.date) -> Sentence:
    """How many customers arrived after ``asof`` and how many the cycle's model scored."""
    if not arrived:
        return Sentence(_("No customer arrived after {asof}: the cycle is as of the last day of the data.").format(
            asof=date(asof)))
    return Sentence(_("{arrived} customers arrived after {asof}; {scored} scored with the cycle's model.").format(
        arrived=count(arrived), asof=date(asof), scored=count(scored)))


def database_text(rows: int, table: str) -> Sentence:
    """The export written to the deploy target's table (no address on the page)."""
    return Sentence(_("the CRM export ({customers} customers) is also in table '{table}' of the configured database")
                    .format(customers=count(rows), table=table))


def joined(sentences: list[Sentence]) -> Sentence:
    """Several sentences shown as one paragraph."""
    return Sentence("; ".join(sentences))


# --- the tables of page 05 (through the one table layer, :mod:`segkit_helpers.report.tables`) ------------------

def quadrant_view(playbook: dict) -> Table:
    """The playbook per quadrant (:func:`~segkit_helpers.deploy.deployment.quadrant_table`)."""
    return view(quadrant_table(playbook).rename(index=word), index=True,
                caption=_("Playbook per profitability × loyalty quadrant"))


def persona_type_view(types: pd.DataFrame, personas: list[dict]) -> Table:
    """The persona type of each segment (:func:`~segkit_helpers.deploy.deployment.persona_type_table`)."""
    kinds = {"value_ratio": "number", "frequency_ratio": "number", "tenure_days": "number:0"}
    shown = persona_type_table(types, personas)
    shown = shown.assign(assigned_by=[word(v) for v in shown["assigned_by"]])
    return view(shown, kinds, index=True,
                caption=_("Persona type per segment and its tactics"))


def service_view(service: pd.DataFrame, cfg: dict) -> Table:
    """The service model of each segment (:func:`~segkit_helpers.deploy.deployment.assign_service_models`)."""
    return view(service, {"profit_ratio": "number", "service_cost": "money"}, index=True,
                currency=currency_of(cfg), caption=_("Service model per segment"))


def value_view(value: pd.DataFrame, cfg: dict) -> Table:
    """Cost to serve against value per segment (:func:`~segkit_helpers.deploy.deployment.resources_vs_value`)."""
    kinds = {"revenue_share": "share", "profit_per_customer": "money", "value_per_customer": "money",
             "service_cost": "money", "profit_ratio": "number"}
    return view(value, {c: k for c, k in kinds.items() if c in value}, index=True, currency=currency_of(cfg),
                caption=_("What each segment's service model costs against what it returns, per customer"))


def export_view(export: pd.DataFrame) -> Table:
    """Customers per service model and quadrant in the export (:func:`~segkit_helpers.deploy.deployment.export_summary`)."""
    shown = export_summary(export).rename_axis(_("service model"))
    return view(shown.rename(columns=word), index=True,
                caption=_("CRM export: customers per service model (rows) and quadrant (columns)"))


def arrivals_view(summary: pd.DataFrame) -> Table:
    """New customers per segment (:func:`~segkit_helpers.deploy.arrivals.new_customer_summary`)."""
    return view(summary, {"share": "share"}, index=True, caption=_("Customers who arrived after asof, per segment"))


def scored_view(scored: pd.DataFrame) -> Table:
    """Scored new customers (:func:`~segkit_helpers.deploy.arrivals.score_new_customers`)."""
    return view(scored, membership_kinds(scored.columns), caption=_("The first customers who arrived after asof"))
