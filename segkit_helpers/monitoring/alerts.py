"""Segment lineage since the previous cycle (kept, new, vanished, split or merged), the alerts, and
whether a revision is due.

Alerts and reasons are records (``{"alert": kind, ...}``); :mod:`segkit_helpers.report.monitor`
puts them in words.
"""

from __future__ import annotations

import calendar
from datetime import date

import numpy as np
import pandas as pd

from segkit_helpers.monitoring.migration import LOST, NEW, retention

SPLIT_SHARE = 0.2


def segment_lineage(migration: pd.DataFrame | None, min_share: float = SPLIT_SHARE) -> pd.DataFrame:
    """Name each segment's fate since the previous cycle: kept, new, vanished, split or merged.

    From the migration matrix's returning customers (without the new-customer row and
    the lost-customer column), in the spirit of MONIC's cluster transitions
    (Spiliopoulou et al. 2006):

    - a previous segment **split** when no current segment holds more than half of its
      returning customers and at least two hold ``min_share`` or more each;
    - a current segment is **merged** when it is the main destination (the largest share,
      ties included) of two or more previous segments;
    - otherwise a segment whose id exists in both cycles is **kept**, a current id absent
      before is **new**, and a previous id absent now is **vanished**.

    Customers drifting between neighbouring segments as they buy more or lapse are not
    a split: the flows figure shows them.

    Returns
    -------
    pandas.DataFrame
        One row per segment id of either cycle: ``previous`` and ``current`` (whether
        the id exists in each), ``fate`` and ``related`` (the segments it split into, or
        that merged into it; else empty); empty in a first cycle.
    """
    if migration is None:
        return pd.DataFrame(columns=["previous", "current", "fate", "related"])
    both = migration.drop(index=NEW, errors="ignore").drop(columns=LOST, errors="ignore")
    out_share = both.div(both.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    main = {int(p): {int(c) for c in row.index[(row == row.max()) & (row > 0)]} for p, row in out_share.iterrows()}
    before, now = {int(s) for s in both.index}, {int(s) for s in both.columns}
    rows = {}
    for seg in sorted(before | now):
        row = {"previous": seg in before, "current": seg in now}
        shares = out_share.loc[str(seg)] if seg in before else pd.Series(dtype=float)
        targets = [int(c) for c in shares.index[shares >= min_share]]
        sources = sorted(p for p, destinations in main.items() if seg in destinations)
        if len(targets) > 1 and shares.max() <= 0.5:
            row |= {"fate": "split", "related": sorted(targets)}
        elif seg in now and len(sources) > 1:
            row |= {"fate": "merged", "related": sources}
        else:
            row |= {"fate": "kept" if row["previous"] and row["current"] else "new" if row["current"] else "vanished",
                    "related": []}
        rows[seg] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("segment")


def lineage_alerts(lineage: pd.DataFrame) -> list[dict]:
    """Alerts for split and merged segments (new and vanished ones are in :func:`alerts`):
    ``{"alert": "split" | "merged", "segment": id, "related": [ids]}``."""
    return [{"alert": row["fate"], "segment": int(seg), "related": row["related"]} for seg, row in lineage.iterrows()
            if row["fate"] in ("split", "merged")]


def alerts(changes: pd.DataFrame, migration: pd.DataFrame | None, max_share_change: float = 0.25,
           lineage: pd.DataFrame | None = None) -> list[dict]:
    """Alerts: split or merged segments (:func:`lineage_alerts`), new or vanished segments, large changes
    of share, low retention.

    Returns
    -------
    list of dict
        In that order: ``{"alert": "split" | "merged", "segment", "related"}``, ``{"alert": "new" |
        "vanished", "segment"}``, ``{"alert": "share", "segment", "before", "after", "change"}``
        (shares of customers and the relative change) and ``{"alert": "retention", "retention"}``.
    """
    found = [] if lineage is None else lineage_alerts(lineage)
    if migration is None:
        return found
    for seg, row in changes.iterrows():
        if row["status"] in ("new", "vanished"):
            found.append({"alert": row["status"], "segment": seg})
        elif abs(row["share_change"]) > max_share_change:
            found.append({"alert": "share", "segment": seg, "before": row["customer_share_previous"],
                          "after": row["customer_share"], "change": row["share_change"]})
    stay = retention(migration)
    if stay < 0.5:
        found.append({"alert": "retention", "retention": stay})
    return found


def revision_verdict(found: list[dict], drift: pd.DataFrame | None, monitor: dict, asof: date) -> dict:
    """Is a full revision of the segments and personas due (seed 002 step 8)?

    Due when an alert fired (``found``: :func:`alerts`), a feature drifted beyond
    ``monitor.psi_alert``, or the last full revision (``monitor.last_revision``) is older
    than ``monitor.revision_months`` at ``asof``. ``monitor`` is the config's section.

    Returns
    -------
    dict
        ``revision_due`` and ``reasons``: the alerts, then ``{"alert": "drift", "feature", "psi"}``
        per drifted segmentation feature and ``{"alert": "revision age", "last", "months"}``.
    """
    reasons = list(found)
    if drift is not None:
        reasons += [{"alert": "drift", "feature": f, "psi": r.psi} for f, r in drift.iterrows()
                    if r.role == "segmentation feature" and r.psi > monitor["psi_alert"]]
    last = monitor["last_revision"]
    if last is not None:
        months = (asof.year - last.year) * 12 + asof.month - last.month
        if months >= monitor["revision_months"]:
            reasons.append({"alert": "revision age", "last": last, "months": months})
    return {"revision_due": bool(reasons), "reasons": reasons}


def next_revision(monitor: dict, first_asof: date, asof: date, revision_due: bool) -> date:
    """When the segments and personas are next to be revised in full (seed 002 step 8).

    ``asof`` itself when a revision is due now; otherwise ``monitor.revision_months``
    after the last full revision (``monitor.last_revision``, or, when unset, the ``asof``
    of the first cycle of this lineage, when the segments were first built).
    """
    if revision_due:
        return asof
    start = monitor["last_revision"] or first_asof
    months = start.month - 1 + monitor["revision_months"]
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)
