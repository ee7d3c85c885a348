"""The words of the monitor step (04): alerts, the revision verdict and the segment lineage in plain language.

Every sentence of the page and of ``monitor.json`` is written here from the records that
:mod:`segkit_helpers.monitoring` returns, so that the words can be translated in one place.
"""

from __future__ import annotations

import pandas as pd

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
