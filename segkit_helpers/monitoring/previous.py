"""The previous cycle: its artefacts, and matching this cycle's segment ids to its segments."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import linear_sum_assignment

from segkit_helpers.io.config import processed_dir

#: The artefact of step 02 with each customer's values of the scheme's own features.
SCHEME_FEATURES = "scheme_features.parquet"


def read_yaml(path: Path) -> dict:
    """A YAML mapping of a cycle's folder, empty when the file is absent or empty."""
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}


def load_previous(workdir: Path, previous_cycle: str | None) -> dict | None:
    """The previous cycle's ``segments.parquet`` and ``profiles.csv``, or ``None`` for a first cycle.

    Raises
    ------
    FileNotFoundError
        ``previous_cycle`` is set but its artefacts are not in ``data/processed``.
    """
    if not previous_cycle:
        return None
    folder = processed_dir(workdir, previous_cycle)
    needed = [folder / "segments.parquet", folder / "profiles.csv"]
    missing = [p for p in needed if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            f"previous cycle '{previous_cycle}' has no {missing[0].name} in {folder}. "
            "Run that cycle first (same --workdir) or remove 'previous_cycle' from the config."
        )
    asof = read_yaml(folder / "config.yml").get("asof")
    profile = folder / "customers.parquet"
    features = folder / SCHEME_FEATURES
    return {
        "cycle": previous_cycle,
        "asof": pd.Timestamp(asof) if asof else None,
        "profile": pd.read_parquet(profile) if profile.is_file() else None,
        "scheme_features": pd.read_parquet(features) if features.is_file() else None,
        "segments": pd.read_parquet(needed[0]),
        "profiles": pd.read_csv(needed[1], index_col="segment"),
        "personas": read_yaml(folder / "personas.yml").get("personas", []),
    }


def match_segments(current: pd.DataFrame, previous: pd.DataFrame, max_distance: float = 1.0) -> dict[int, int]:
    """Map current segment ids to the previous cycle's ids by nearest centres.

    Centres are in ``log1p`` feature units, comparable across cycles. The pairing
    minimises the total Euclidean distance (Hungarian algorithm,
    :func:`scipy.optimize.linear_sum_assignment`; Kuhn 1955). A pair further apart
    than ``max_distance`` is not the same segment; unpaired current segments get
    new ids after the largest id ever used.

    Parameters
    ----------
    current, previous
        Centres, one row per segment id, the same feature columns.

    Returns
    -------
    dict
        ``{current id: id to use}``.
    """
    cost = np.linalg.norm(current.to_numpy()[:, None, :] - previous.to_numpy()[None, :, :], axis=2)
    rows, cols = linear_sum_assignment(cost)
    mapping = {}
    for r, c in zip(rows, cols):
        if cost[r, c] <= max_distance:
            mapping[int(current.index[r])] = int(previous.index[c])
    next_id = int(max(previous.index.max(), current.index.max())) + 1
    for seg in current.index:
        if int(seg) not in mapping:
            mapping[int(seg)] = next_id
            next_id += 1
    return mapping


def previous_centers(previous: dict | None) -> pd.DataFrame | None:
    """Centres of the previous cycle's segments (from its ``profiles.csv``), log1p units."""
    if previous is None:
        return None
    centers = previous["profiles"].filter(like="center_")
    return centers.rename(columns=lambda c: c.removeprefix("center_"))
