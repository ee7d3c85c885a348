"""The cycle context a notebook works in: its config, work folder and artefact folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from segkit_helpers.io.config import default_config_path, load_config, processed_dir, resolve_workdir
from segkit_helpers.report.i18n import set_language

if TYPE_CHECKING:
    from segkit_helpers.report.tables import Table


@dataclass(frozen=True)
class CycleContext:
    """Where one cycle reads and writes.

    Attributes
    ----------
    cfg : dict
        The validated config.
    workdir : Path
        Holds ``data/processed/<cycle>`` of every cycle and ``reports/``.
    out_dir : Path
        Where this cycle's artefacts go (``data/processed/<cycle>`` unless a runner
        stages them elsewhere).
    """

    cfg: dict
    workdir: Path
    out_dir: Path

    def artefact(self, name: str) -> Path:
        """Path of an artefact of this cycle, e.g. ``ctx.artefact("customers.parquet")``."""
        return self.out_dir / name

    @property
    def cycle(self) -> str:
        return self.cfg["cycle"]

    def summary(self) -> "Table":
        """The cycle at a glance: id, as-of date, previous cycle, scheme and random seed
        (:func:`segkit_helpers.report.sentences.cycle_table`)."""
        from segkit_helpers.report.sentences import cycle_table

        return cycle_table(self.cfg)


def _readable_tables() -> None:
    """pandas display settings for reports: thousands separators, full text cells, no truncation."""
    import pandas as pd

    pd.set_option("display.float_format", "{:,.2f}".format)
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_columns", 40)


def open_cycle(config_path: str = "", workdir: str = "", out_dir: str = "") -> CycleContext:
    """Load the config and fix the folders of a cycle (the notebooks' first call).

    Also sets pandas' display options for readable report tables (thousands
    separators, whole text cells) and the language the cycle's words are written in
    (``report.language``: :func:`segkit_helpers.report.i18n.set_language`).

    Parameters
    ----------
    config_path
        Cycle config; empty = the shipped sample's first cycle.
    workdir
        Empty = ``$SEGKIT_WORKDIR`` or the project root.
    out_dir
        Empty = ``<workdir>/data/processed/<cycle>``.
    """
    _readable_tables()
    cfg = load_config(config_path or default_config_path())
    set_language(cfg["report"]["language"])
    root = resolve_workdir(workdir)
    out = Path(out_dir).resolve() if out_dir else processed_dir(root, cfg["cycle"])
    out.mkdir(parents=True, exist_ok=True)
    return CycleContext(cfg=cfg, workdir=root, out_dir=out)


def read_artefact(ctx: CycleContext, name: str):
    """Read an artefact of this cycle by file name (Parquet, CSV, JSON, YAML or the skops model)."""
    import pandas as pd
    import yaml

    from segkit_helpers.io.artefacts import read_json

    path = ctx.artefact(name)
    if not path.is_file():
        raise FileNotFoundError(f"{name} not found in {ctx.out_dir}: run the earlier notebooks of cycle {ctx.cycle} first")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".csv":
        return pd.read_csv(path, index_col=0)
    if path.suffix == ".json":
        return read_json(path)
    if path.suffix == ".skops":
        from segkit_helpers.io.model_io import load_model

        return load_model(path)
    return yaml.safe_load(path.read_text(encoding="utf-8"))
