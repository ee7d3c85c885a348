"""Artefacts are written atomically and readable like any other file (the process umask decides)."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from segkit_helpers.io.artefacts import write_csv, write_json, write_parquet, write_text, write_yaml


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


def test_every_csv_segkit_writes_goes_through_the_formula_guard():
    # one writer for all: no module but artefacts.py calls DataFrame.to_csv
    from segkit_helpers.io.paths import PROJ_ROOT

    writers = [p.name for p in (PROJ_ROOT / "segkit_helpers").rglob("*.py")
               if ".to_csv(" in p.read_text(encoding="utf-8") and p.name != "artefacts.py"]
    assert writers == []


def test_csv_formula_cells_are_neutralised_and_restored(tmp_path):
    from segkit_helpers.io.artefacts import restore_formulas

    table = pd.DataFrame({"customer_id": ["=HYPERLINK(\"x\")", "+48 600", "0042"], "name": ["@cmd", "-x", "ok"],
                          "value": [-1.5, 2.0, 3.0]})
    path = write_csv(table, tmp_path / "a.csv", excel=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # a byte-order mark for Excel
    read = pd.read_csv(path, dtype={"customer_id": str}, encoding="utf-8-sig")
    assert read["customer_id"].tolist() == ["'=HYPERLINK(\"x\")", "'+48 600", "0042"]
    assert read["name"].tolist() == ["'@cmd", "'-x", "ok"] and read["value"].tolist() == [-1.5, 2.0, 3.0]
    pd.testing.assert_frame_equal(restore_formulas(read), table)


def test_segkit_score_output_csv_is_guarded(tmp_path):
    from segkit_helpers.cli import main
    from segkit_helpers.io.model_io import save_model
    from segkit_helpers.schemes.behavioural import SegmentModel
    from tests.test_segmentation import planted_profile

    profile = planted_profile()
    save_model(SegmentModel(n_segments=3, random_state=0).fit(profile), tmp_path / "model.skops")
    new = profile.head(3).assign(customer_id=["=1+1", "@x", "ok"])
    new.to_csv(tmp_path / "new.csv", index=False)
    assert main(["score", str(tmp_path / "model.skops"), str(tmp_path / "new.csv"), "--out", str(tmp_path / "o.csv")]) == 0
    assert pd.read_csv(tmp_path / "o.csv", dtype=str)["customer_id"].tolist() == ["'=1+1", "'@x", "ok"]
