"""The words of the monitor step (04): alerts, the revision verdict and the segment lineage in plain language.

Every sentence of the page and of ``monitor.json`` is written here from the records that
:mod:`segkit_helpers.monitoring` returns, so that the words can be translated in one place.
"""

from __future__ import annotations

import pandas as pd

from segkit_helpers.monitoring.drift import segment_kpis
from segkit_helpers.report.sentences import Block
from segkit_helpers.report.tables import Table, currency_of, header, table

FIRST_CYCLE_NOTE = "first cycle: nothing to compare with"


def _and(ids: list[int]) -> str:
    names = [str(i) for i in sorted(ids)]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


#: One sentence per kind of alert or revision reason (the records of :mod:`segkit_helpers.monitoring.alerts`).
ALERTS = {
    "split": "segment {segment} split into {related}",
    "merged": "segments {related} merged into {segment}",
    "new": "segment {segment} is new this cycle",
    "vanished": "segment {segment} of the previous cycle has no match now",
    "share": "segment {segment} {direction} from {before:.0%} to {after:.0%} of customers ({change:+.0%} relative)",
    "retention": "only {retention:.0%} of returning customers stayed in their segment",
    "drift": "{feature} drifted (PSI {psi:.2f})",
    "revision age": "last full revision {last} is {months} months old",
}
#: A segment's fate in the lineage, when it is no alert (split and merged are: :data:`ALERTS`).
FATES = {"kept": "segment {segment} kept", "new": "segment {segment} is new", "vanished": "segment {segment} vanished"}


def alert_text(alert: dict) -> str:
    """One alert or revision reason (:func:`segkit_helpers.monitoring.alerts.alerts`,
    :func:`segkit_helpers.monitoring.alerts.revision_verdict`) in words."""
    fields = dict(alert)
    if "related" in fields:
        fields["related"] = _and(fields["related"])
    if "change" in fields:
        fields["direction"] = "grew" if fields["change"] > 0 else "shrank"
    return ALERTS[fields.pop("alert")].format(**fields)


def alert_messages(found: list[dict]) -> list[str]:
    """The alerts in words, one line each (as ``monitor.json`` holds them)."""
    return [alert_text(a) for a in found]


def revision_record(revision: dict) -> dict:
    """The revision verdict with its reasons in words (as ``monitor.json`` holds it)."""
    return {"revision_due": revision["revision_due"], "reasons": alert_messages(revision["reasons"])}


def alerts_text(previous: dict | None, found: list[dict]) -> str:
    """The comparison with the previous cycle and its alerts (a Markdown list)."""
    if previous is None:
        return "First cycle: nothing to compare with yet."
    lines = "\n".join(f"- {m}" for m in alert_messages(found)) if found else "No alerts."
    return f"Compared with cycle {previous['cycle']}.\n\n{lines}"


def revision_text(revision: dict) -> str:
    """The revision verdict in one line."""
    if not revision["revision_due"]:
        return "No revision due."
    return "Revision due: " + "; ".join(alert_messages(revision["reasons"]))


def lineage_detail(segment: int, fate: str, related: list[int]) -> str:
    """A segment's fate since the previous cycle in a sentence."""
    if fate in FATES:
        return FATES[fate].format(segment=segment)
    return alert_text({"alert": fate, "segment": segment, "related": related})


def lineage_table(lineage: pd.DataFrame) -> pd.DataFrame:
    """The lineage of :func:`segkit_helpers.monitoring.alerts.segment_lineage` with a ``detail`` sentence per
    segment instead of the related ids: ``previous``, ``current``, ``fate``, ``detail``."""
    detail = [lineage_detail(seg, row["fate"], row["related"]) for seg, row in lineage.iterrows()]
    return lineage.drop(columns="related").assign(detail=pd.Series(detail, index=lineage.index, dtype=object))


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """Each segment's share of customers per cycle (:func:`segkit_helpers.monitoring.history.cycle_history`),
    one row per segment and name, one column per cycle."""
    return history.pivot_table(index=["segment", "name"], columns="cycle", values="customer_share").round(3)


# --- the tables of page 04 (through the one table layer, :mod:`segkit_helpers.report.tables`) ------------------

FIRST_CYCLE = "First cycle: nothing to compare with yet."


def migration_view(migration: pd.DataFrame | None) -> Table:
    """Customers moving between segments or quadrants (:func:`~segkit_helpers.monitoring.migration.migration_matrix`)."""
    shown = None if migration is None else migration.rename(columns=lambda c: f"now: {c}")
    return table(shown, index=True, caption="Customers by segment then (rows) and now (columns)", empty=FIRST_CYCLE)


def lineage_view(lineage: pd.DataFrame | None) -> Table:
    """What became of each segment since the previous cycle (:func:`lineage_table`)."""
    shown = None if lineage is None or lineage.empty else lineage_table(lineage)
    return table(shown, index=True, caption="Segments since the previous cycle", empty=FIRST_CYCLE)


def lapsed_view(lapsed: pd.DataFrame | None) -> Table:
    """Customers of each previous segment who have not bought since (:func:`~segkit_helpers.monitoring.migration.lapsed_since_previous`)."""
    return table(lapsed, {"lapsed_share": "share"} if lapsed is not None else None, index=True,
                 caption="Customers of the previous cycle who have not bought since", empty=FIRST_CYCLE)


def drift_view(drift: pd.DataFrame | None) -> Table:
    """The population stability index per feature (:func:`~segkit_helpers.monitoring.drift.feature_drift`)."""
    shown = None if drift is None else drift.set_axis(pd.Index([header(f) for f in drift.index], name="feature"))
    return table(shown, index=True, caption="Drift: population stability index (PSI) per feature", empty=FIRST_CYCLE)


def kpi_view(previous: dict | None, segments: pd.DataFrame, profile: pd.DataFrame, cfg: dict) -> Table:
    """Median KPIs per segment now and before (:func:`~segkit_helpers.monitoring.drift.segment_kpis`)."""
    kpis = segment_kpis(previous, segments, profile)
    kinds = {"monetary": "money", "avg_order_value": "money", "frequency": "number:1", "p_alive": "share"}
    kinds = {c: kinds[c.removesuffix("_previous")] for c in kpis.columns if c.removesuffix("_previous") in kinds}
    return table(kpis, kinds, index=True, currency=currency_of(cfg), caption="Median KPIs per segment")


def changes_view(changes: pd.DataFrame) -> Table:
    """Segment sizes and shares now and before (:func:`~segkit_helpers.monitoring.migration.size_changes`)."""
    kinds = {c: "change" if c == "share_change" else "share" for c in changes.columns if "share" in c}
    kinds.update({c: "count" for c in changes.columns if c.startswith("customers")})
    return table(changes, kinds, index=True, caption="Segment sizes and shares")


def history_view(history: pd.DataFrame) -> Table:
    """Each segment's share of customers per cycle of the lineage (:func:`history_table`)."""
    shown = history_table(history) if not history.empty else None
    kinds = {str(c): "share" for c in shown.columns} if shown is not None else None
    return table(shown, kinds, index=True, caption="Share of customers per segment, cycle by cycle",
                 empty="No history yet.")


def alerts_block(previous: dict | None, found: list[dict]) -> Block:
    """The comparison with the previous cycle and its alerts (:func:`alerts_text`), as a block (a caveat with alerts)."""
    return Block(alerts_text(previous, found), "caveat" if found else "key")


def revision_block(revision: dict) -> Block:
    """The revision verdict (:func:`revision_text`), as a no-go block when a revision is due."""
    return Block(revision_text(revision), "nogo" if revision["revision_due"] else "go")
