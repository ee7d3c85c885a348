"""The artefacts of one cycle that its index reads, loaded once (:class:`CycleFacts`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from segkit_helpers.io.artefacts import read_json
from segkit_helpers.monitoring.previous import read_yaml
from segkit_helpers.report.i18n import _


@dataclass
class CycleFacts:
    """The artefacts of one cycle that the index reads, loaded once."""

    folder: Path
    cfg: dict
    readiness: dict
    monitor: dict
    validation: dict
    k_choice: dict | None
    clv: dict | None
    profiles: pd.DataFrame
    service: pd.DataFrame
    types: pd.DataFrame | None
    names: pd.Series
    period: tuple[dt.date, dt.date]

    @classmethod
    def load(cls, folder: str | Path) -> CycleFacts:
        """Read the artefacts of the cycle in ``folder`` (its ``data/processed/<cycle>`` or staging folder)."""
        folder = Path(folder)
        optional = lambda name: read_json(folder / name) if (folder / name).is_file() else None  # noqa: E731
        types = folder / "persona_types.csv"
        customers = pd.read_parquet(folder / "customers.parquet", columns=["first_order"])
        cfg = read_yaml(folder / "config.yml")
        asof = pd.Timestamp(cfg["asof"]).date()
        return cls(folder=folder, cfg=cfg, readiness=read_json(folder / "readiness.json"),
                   monitor=read_json(folder / "monitor.json"), validation=read_json(folder / "validation.json"),
                   k_choice=optional("k_choice.json"), clv=optional("clv.json"),
                   profiles=pd.read_csv(folder / "profiles.csv", index_col="segment"),
                   service=pd.read_csv(folder / "service_models.csv", index_col="segment"),
                   types=pd.read_csv(types, index_col="segment") if types.is_file() else None,
                   names=pd.read_parquet(folder / "segments.parquet", columns=["segment", "segment_name"])
                   .drop_duplicates("segment").set_index("segment")["segment_name"],
                   period=(pd.Timestamp(customers["first_order"].min()).date(), asof))

    @property
    def currency(self) -> str | None:
        """``report.currency`` of the cycle's config."""
        return self.cfg["report"]["currency"]

    def check(self, name: str) -> float | None:
        """The value of a readiness data check whose name starts with ``name`` (English; the artefact stores it in
        the cycle's language)."""
        return next((c["value"] for c in self.readiness["checks"] if c["check"].startswith(_(name))), None)
