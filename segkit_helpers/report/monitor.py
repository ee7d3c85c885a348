"""The words of the monitor step (04): alerts, the revision verdict and the segment lineage in plain language.

Every sentence of the page and of ``monitor.json`` is written here from the records that
:mod:`segkit_helpers.monitoring` returns, so that the words can be translated in one place.
"""

from __future__ import annotations

import pandas as pd

from segkit_helpers.monitoring.drift import segment_kpis
from segkit_helpers.report.i18n import N_, _
from segkit_helpers.report.numbers import number, share
from segkit_helpers.report.sentences import Block
from segkit_helpers.report.tables import Table, currency_of
from segkit_helpers.report.vocabulary import header, view, word

FIRST_CYCLE_NOTE = N_("first cycle: nothing to compare with")


def _and(ids: list[int]) -> str:
    names = [str(i) for i in sorted(ids)]
    return _("{first} and {last}").format(first=", ".join(names[:-1]), last=names[-1]) if len(names) > 1 else names[0]


#: One sentence per kind of alert or revision reason (the records of :mod:`segkit_helpers.monitoring.alerts`).
ALERTS = {
    "split": N_("segment {segment} split into {related}"),
    "merged": N_("segments {related} merged into {segment}"),
    "new": N_("segment {segment} is new this cycle"),
    "vanished": N_("segment {segment} of the previous cycle has no match now"),
    "share grew": N_("segment {segment} grew from {before} to {after} of customers ({change} relative)"),
    "share shrank": N_("segment {segment} shrank from {before} to {after} of customers ({change} relative)"),
    "retention": N_("only {retention} of returning customers stayed in their segment"),
    "drift": N_("{feature} drifted (PSI {psi})"),
    "revision age": N_("last full revision {last} is {months} months old"),
}
#: How the figures of an alert read (the other fields as they are).
FIGURES = {"before": share, "after": share, "retention": share, "psi": number,
           "change": lambda v: ("+" if v >= 0 else "") + share(v)}
#: A segment's fate in the lineage, when it is no alert (split and merged are: :data:`ALERTS`).
FATES = {"kept": N_("segment {segment} kept"), "new": N_("segment {segment} is new"),
         "vanished": N_("segment {segment} vanished")}


def alert_text(alert: dict) -> str:
    """One alert or revision reason (:func:`segkit_helpers.monitoring.alerts.alerts`,
    :func:`segkit_helpers.monitoring.alerts.revision_verdict`) in words."""
    fields = dict(alert)
    kind = fields.pop("alert")
    if "related" in fields:
        fields["related"] = _and(fields["related"])
    if "change" in fields:
        kind += " grew" if fields["change"] > 0 else " shrank"
    fields = {key: FIGURES[key](value) if key in FIGURES else value for key, value in fields.items()}
    return _(ALERTS[kind]).format(**fields)


def alert_messages(found: list[dict]) -> list[str]:
    """The alerts in words, one line each (as ``monitor.json`` holds them)."""
    return [alert_text(a) for a in found]


def revision_record(revision: dict) -> dict:
    """The revision verdict with its reasons in words (as ``monitor.json`` holds it)."""
    return {"revision_due": revision["revision_due"], "reasons": alert_messages(revision["reasons"])}


def first_cycle_note() -> str:
    """The note of a first cycle's ``monitor.json``."""
    return _(FIRST_CYCLE_NOTE)


def alerts_text(previous: dict | None, found: list[dict]) -> str:
    """The comparison with the previous cycle and its alerts (a Markdown list)."""
    if previous is None:
        return _(FIRST_CYCLE)
    lines = "\n".join(f"- {m}" for m in alert_messages(found)) if found else _("No alerts.")
    return _("Compared with cycle {cycle}.").format(cycle=previous["cycle"]) + f"\n\n{lines}"


def revision_text(revision: dict) -> str:
    """The revision verdict in one line."""
    if not revision["revision_due"]:
        return _("No revision due.")
    return _("Revision due: {reasons}").format(reasons="; ".join(alert_messages(revision["reasons"])))


def lineage_detail(segment: int, fate: str, related: list[int]) -> str:
    """A segment's fate since the previous cycle in a sentence."""
    if fate in FATES:
        return _(FATES[fate]).format(segment=segment)
    return alert_text({"alert": fate, "segment": segment, "related": related})


def lineage_table(lineage: pd.DataFrame) -> pd.DataFrame:
    """The lineage of :func:`segkit_helpers.monitoring.alerts.segment_lineage` with a ``detail`` sentence per
    segment instead of the related ids: ``previous``, ``current``, ``fate``, ``detail``."""
    detail = [lineage_detail(seg, row["fate"], row["related"]) for seg, row in lineage.iterrows()]
    return lineage.drop(columns="related").assign(detail=pd.Series(detail, index=lineage.index, dtype=object))


def lineage_shown(lineage: pd.DataFrame) -> pd.DataFrame:
    """:func:`lineage_table` for the page: the fate in the report's language."""
    shown = lineage_table(lineage)
    return shown.assign(fate=[word(f) for f in shown["fate"]])


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """Each segment's share of customers per cycle (:func:`segkit_helpers.monitoring.history.cycle_history`),
    one row per segment and name, one column per cycle."""
    return history.pivot_table(index=["segment", "name"], columns="cycle", values="customer_share").round(3)


# --- the tables of page 04 (through the one table layer, :mod:`segkit_helpers.report.tables`) ------------------

FIRST_CYCLE = N_("First cycle: nothing to compare with yet.")


def migration_view(migration: pd.DataFrame | None) -> Table:
    """Customers moving between segments or quadrants (:func:`~segkit_helpers.monitoring.migration.migration_matrix`)."""
    shown = None if migration is None else migration.rename(
        index=word, columns=lambda c: _("now: {segment}").format(segment=word(c)))
    return view(shown, index=True, caption=_("Customers by segment then (rows) and now (columns)"),
                empty=_(FIRST_CYCLE))


def lineage_view(lineage: pd.DataFrame | None) -> Table:
    """What became of each segment since the previous cycle (:func:`lineage_table`)."""
    shown = None if lineage is None or lineage.empty else lineage_shown(lineage)
    return view(shown, index=True, caption=_("Segments since the previous cycle"), empty=_(FIRST_CYCLE))


def lapsed_view(lapsed: pd.DataFrame | None) -> Table:
    """Customers of each previous segment who have not bought since (:func:`~segkit_helpers.monitoring.migration.lapsed_since_previous`)."""
    return view(lapsed, {"lapsed_share": "share"} if lapsed is not None else None, index=True,
                caption=_("Customers of the previous cycle who have not bought since"), empty=_(FIRST_CYCLE))


def drift_view(drift: pd.DataFrame | None) -> Table:
    """The population stability index per feature (:func:`~segkit_helpers.monitoring.drift.feature_drift`)."""
    shown = None if drift is None else drift.set_axis(pd.Index([header(f) for f in drift.index], name="feature"))
    if shown is not None:
        shown = shown.assign(**{c: [word(v) for v in shown[c]] for c in ("role", "reading") if c in shown})
    return view(shown, index=True, caption=_("Drift: population stability index (PSI) per feature"),
                empty=_(FIRST_CYCLE))


def kpi_view(previous: dict | None, segments: pd.DataFrame, profile: pd.DataFrame, cfg: dict) -> Table:
    """Median KPIs per segment now and before (:func:`~segkit_helpers.monitoring.drift.segment_kpis`)."""
    kpis = segment_kpis(previous, segments, profile)
    kinds = {"monetary": "money", "avg_order_value": "money", "frequency": "number:1", "p_alive": "share"}
    kinds = {c: kinds[c.removesuffix("_previous")] for c in kpis.columns if c.removesuffix("_previous") in kinds}
    return view(kpis, kinds, index=True, currency=currency_of(cfg), caption=_("Median KPIs per segment"))


def changes_view(changes: pd.DataFrame) -> Table:
    """Segment sizes and shares now and before (:func:`~segkit_helpers.monitoring.migration.size_changes`)."""
    kinds = {c: "change" if c == "share_change" else "share" for c in changes.columns if "share" in c}
    kinds.update({c: "count" for c in changes.columns if c.startswith("customers")})
    if "status" in changes:
        changes = changes.assign(status=[word(v) for v in changes["status"]])
    return view(changes, kinds, index=True, caption=_("Segment sizes and shares"))


def history_view(history: pd.DataFrame) -> Table:
    """Each segment's share of customers per cycle of the lineage (:func:`history_table`)."""
    shown = history_table(history) if not history.empty else None
    kinds = {str(c): "share" for c in shown.columns} if shown is not None else None
    return view(shown, kinds, index=True, caption=_("Share of customers per segment, cycle by cycle"),
                empty=_("No history yet."))


def alerts_block(previous: dict | None, found: list[dict]) -> Block:
    """The comparison with the previous cycle and its alerts (:func:`alerts_text`), as a block (a caveat with alerts)."""
    return Block(alerts_text(previous, found), "caveat" if found else "key")


def revision_block(revision: dict) -> Block:
    """The revision verdict (:func:`revision_text`), as a no-go block when a revision is due."""
    return Block(revision_text(revision), "nogo" if revision["revision_due"] else "go")
