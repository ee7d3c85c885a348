"""Artefacts are written atomically and readable like any other file (the process umask decides)."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from segkit_helpers.artefacts import write_csv, write_json, write_parquet, write_text, write_yaml


@pytest.fixture
def umask():
    """Set a umask for one test, then restore the caller's."""
    saved = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(saved)


WRITERS = {
    "a.json": lambda p: write_json({"a": 1}, p),
    "a.yml": lambda p: write_yaml({"a": 1}, p),
    "a.html": lambda p: write_text("<p>x</p>", p),
    "a.csv": lambda p: write_csv(pd.DataFrame({"a": [1]}), p),
    "a.parquet": lambda p: write_parquet(pd.DataFrame({"a": [1]}), p),
}


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_every_writer_follows_the_process_umask(tmp_path, umask, mask, mode):
    umask(mask)
    for name, write in WRITERS.items():
        path = write(tmp_path / name)
        assert stat.S_IMODE(path.stat().st_mode) == mode, name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(WRITERS)  # no temp file left behind


def test_a_failed_write_leaves_neither_file_nor_temp(tmp_path):
    class Unwritable:
        pass

    with pytest.raises(TypeError):
        write_json({"a": Unwritable()}, tmp_path / "bad.json")
    assert list(tmp_path.iterdir()) == []
