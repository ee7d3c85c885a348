"""Step 04, monitor: what ``notebooks/04_monitor.ipynb`` calls.

The notebook imports this module only (``from segkit_helpers.steps import monitor as step``):
the comparisons of :mod:`segkit_helpers.monitoring`, the words of
:mod:`segkit_helpers.report.monitor` as tables and blocks for the page, and the typed artefact
:class:`MonitorArtefact` that writes ``monitor.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from segkit_helpers.context import open_cycle, read_artefact
from segkit_helpers.io.artefacts import read_json, write_json
from segkit_helpers.monitoring.alerts import alerts, revision_verdict, segment_lineage
from segkit_helpers.monitoring.drift import feature_drift, segment_kpis
from segkit_helpers.monitoring.history import cycle_history
from segkit_helpers.monitoring.migration import (lapsed_since_previous, migration_matrix, quadrant_migration, retention,
                                                 size_changes)
from segkit_helpers.monitoring.previous import load_previous
from segkit_helpers.report import monitor as words
from segkit_helpers.report.monitor import (
    alerts_block,
    changes_view,
    drift_view,
    history_table,
    history_view,
    kpi_view,
    lapsed_view,
    lineage_table,
    lineage_view,
    migration_view,
    revision_block,
)
from segkit_helpers.report.figures.monitor import plot_flows, plot_history, plot_migration
from segkit_helpers.report.sentences import Block, Sentence, saved

__all__ = [
    "MonitorArtefact", "alerts", "cycle_history", "describe_alerts", "describe_revision", "feature_drift",
    "history_table", "lapsed_since_previous", "lineage_table", "load_previous", "migration_matrix", "open_cycle",
    "plot_flows", "plot_history", "plot_migration", "quadrant_migration", "read_artefact", "revision_verdict",
    "save_monitor", "segment_kpis", "segment_lineage", "size_changes", "changes_view", "drift_view", "history_view",
    "kpi_view", "lapsed_view", "lineage_view", "migration_view",
]


def describe_alerts(previous: dict | None, found: list[dict]) -> Block:
    """The comparison with the previous cycle and its alerts (``found``: :func:`alerts`)."""
    return alerts_block(previous, found)


def describe_revision(revision: dict) -> Block:
    """The revision verdict (:func:`revision_verdict`) as a verdict block."""
    return revision_block(revision)


def _table(matrix: pd.DataFrame) -> dict:
    return {"rows": list(matrix.index), "columns": list(matrix.columns), "counts": matrix.to_numpy().tolist()}


@dataclass
class MonitorArtefact:
    """What step 04 found, written as ``monitor.json``.

    Attributes
    ----------
    cycle
        The cycle id.
    previous
        :func:`load_previous` (``None`` in a first cycle).
    changes, migration, alerts
        :func:`size_changes`, :func:`migration_matrix` and :func:`alerts`.
    lapsed, drift, revision, quadrants, lineage, history
        :func:`lapsed_since_previous`, :func:`feature_drift`, :func:`revision_verdict`,
        :func:`quadrant_migration`, :func:`segment_lineage` and :func:`cycle_history`, when run.
    """

    FILE = "monitor.json"

    cycle: str
    previous: dict | None
    changes: pd.DataFrame
    migration: pd.DataFrame | None
    alerts: list[dict]
    lapsed: pd.DataFrame | None = None
    drift: pd.DataFrame | None = None
    revision: dict | None = None
    quadrants: pd.DataFrame | None = None
    lineage: pd.DataFrame | None = None
    history: pd.DataFrame | None = None

    def record(self) -> dict:
        """The content of ``monitor.json``: a first-cycle note, or the migration matrix, size changes, drift and
        alerts; the segment lineage and the history over all cycles when given."""
        revision = None if self.revision is None else words.revision_record(self.revision)
        history = self.history
        extra = {
            "lineage": [] if self.lineage is None else lineage_table(self.lineage).reset_index().to_dict(orient="records"),
            "history": [] if history is None else history.assign(asof=history["asof"].astype(str)).to_dict(orient="records"),
        }
        if self.previous is None:
            return {"cycle": self.cycle, "previous_cycle": None, "first_cycle": True, "note": words.first_cycle_note(),
                    "alerts": [], "revision": revision, **extra}
        return {
            "cycle": self.cycle,
            "previous_cycle": self.previous["cycle"],
            "first_cycle": False,
            "retention": round(retention(self.migration), 4),
            "migration": _table(self.migration),
            "segments": self.changes.reset_index().replace({np.nan: None}).to_dict(orient="records"),
            "lapsed": [] if self.lapsed is None else self.lapsed.reset_index().to_dict(orient="records"),
            "quadrant_migration": None if self.quadrants is None else _table(self.quadrants),
            "drift": [] if self.drift is None else self.drift.reset_index().to_dict(orient="records"),
            "revision": revision,
            "alerts": words.alert_messages(self.alerts),
            **extra,
        }

    def save(self, folder: str | Path) -> Path:
        """Write ``monitor.json`` into ``folder``."""
        return write_json(self.record(), Path(folder) / self.FILE)

    @classmethod
    def load(cls, folder: str | Path) -> dict:
        """The record a cycle saved in ``folder`` (``monitor.json``, as :meth:`record` wrote it)."""
        return read_json(Path(folder) / cls.FILE)


def save_monitor(artefact: MonitorArtefact, ctx) -> Sentence:
    """Write the artefact into the cycle's folder; a neutral note that it is saved."""
    artefact.save(ctx.out_dir)
    return saved(ctx.cycle)
