"""The history of a cycle: its chain of previous cycles and every segment's size and value share in each."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from segkit_helpers.io.config import processed_dir
from segkit_helpers.monitoring.previous import read_yaml


def cycle_lineage(workdir: Path, current: Path) -> list[tuple[str, Path]]:
    """The cycles this one descends from: itself, its ``previous_cycle``, that cycle's own, and so on.

    ``current`` is the artefact folder of the cycle being run (a staging folder during
    ``segkit cycle``); the others are published folders of ``data/processed/`` under
    ``workdir``. The chain stops at a cycle without ``previous_cycle``, at one whose
    artefacts are missing, at a loop, and at any cycle dated after ``current``'s
    ``asof``: a later or unrelated cycle never enters the history.

    Returns
    -------
    list of (cycle id, folder)
        Newest first.
    """
    config = read_yaml(Path(current) / "config.yml")
    asof = pd.Timestamp(config["asof"]) if config.get("asof") else None
    chain = [(str(config.get("cycle", Path(current).name)), Path(current))]
    previous = config.get("previous_cycle")
    while previous and str(previous) not in {name for name, _ in chain}:
        folder = processed_dir(Path(workdir), str(previous))
        previous_config = read_yaml(folder / "config.yml")
        if not (folder / "profiles.csv").is_file() or not previous_config.get("asof"):
            break
        if asof is not None and pd.Timestamp(previous_config["asof"]) > asof:
            break
        chain.append((str(previous), folder))
        previous = previous_config.get("previous_cycle")
    return chain


def cycle_history(workdir: Path, current: Path) -> pd.DataFrame:
    """Size and value share of every segment in each cycle of this cycle's lineage.

    The cycles are those of :func:`cycle_lineage` (this one and its chain of previous
    cycles, none dated after this one); each cycle's date is ``asof`` from its
    ``config.yml`` and its segment names come from its ``personas.yml``.

    Returns
    -------
    pandas.DataFrame
        One row per cycle and segment: ``cycle``, ``asof``, ``segment``, ``name``,
        ``customers``, ``customer_share``, ``revenue_share``; sorted by ``asof``.
    """
    rows = []
    for cycle, folder in cycle_lineage(workdir, current):
        if not (folder / "profiles.csv").is_file():
            continue
        asof = pd.Timestamp(read_yaml(folder / "config.yml").get("asof", pd.NaT))
        names = {p["segment"]: p["name"] for p in read_yaml(folder / "personas.yml").get("personas", [])}
        profiles = pd.read_csv(folder / "profiles.csv")
        for _, row in profiles.iterrows():
            rows.append({"cycle": cycle, "asof": asof, "segment": int(row["segment"]),
                         "name": names.get(int(row["segment"]), ""), "customers": int(row["customers"]),
                         "customer_share": float(row["customer_share"]), "revenue_share": float(row["revenue_share"])})
    table = pd.DataFrame(rows, columns=["cycle", "asof", "segment", "name", "customers", "customer_share",
                                        "revenue_share"])
    return table.sort_values(["asof", "cycle", "segment"], kind="stable", ignore_index=True)
