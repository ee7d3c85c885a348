"""Safe by default: cycle ids are names, one run per cycle, bad engine values and full disks in one line."""

from __future__ import annotations

import errno
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from filelock import FileLock

from segkit_helpers import cycle as cycle_module
from segkit_helpers.cli import main
from segkit_helpers.cycle import cycle_lock
from tests.conftest import write_cycle_config


def _run(args, capsys):
    code = main(args)
    return code, capsys.readouterr().err


@pytest.fixture
def workdir(tmp_path):
    """A work folder that already holds another cycle's outputs (which nothing may touch)."""
    root = tmp_path / "work"
    for folder in ("data/processed/other", "reports/other"):
        (root / folder).mkdir(parents=True)
        (root / folder / "keep.txt").write_text("previous outputs", encoding="utf-8")
    return root


def _tree(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if ".locks" not in p.parts)


@pytest.mark.parametrize("bad", [".", "", "..", "/tmp/elsewhere", "a/../../x", "a/b", "a\\b", ".hidden", "x.failed",
                                 "x" * 101])
def test_unsafe_cycle_ids_are_refused_before_anything_is_written(shop, tmp_path, workdir, capsys, bad):
    before = _tree(workdir)
    cfg = write_cycle_config(tmp_path, shop["data"], "x", "2024-01-31")
    raw = yaml.safe_load(cfg.read_text())
    raw["cycle"] = bad
    cfg.write_text(yaml.safe_dump(raw))
    code, err = _run(["cycle", str(cfg), "--workdir", str(workdir)], capsys)
    assert code == 1
    assert ("config key 'cycle'" in err and "one folder name" in err) or "'cycle' is required" in err, err
    assert "Traceback" not in err
    assert _tree(workdir) == before


@pytest.mark.parametrize("bad", ["..", "../other", "/abs", "x"])
def test_unsafe_previous_cycle_is_refused(shop, tmp_path, workdir, capsys, bad):
    cfg = write_cycle_config(tmp_path, shop["data"], "x", "2024-01-31", previous=bad)
    code, err = _run(["cycle", str(cfg), "--workdir", str(workdir)], capsys)
    assert code == 1 and "previous_cycle" in err and "Traceback" not in err


@pytest.mark.parametrize("key, value, words", [
    ("engine.threads", "0", "at least 1"),
    ("engine.threads", "many", "must be int"),
    ("engine.memory_limit", "lots", "amount with a unit"),
    ("engine.memory_limit", "2MB", "at least 64MB"),
])
def test_bad_engine_values_are_one_line_errors(shop, workdir, capsys, key, value, words):
    code, err = _run(["cycle", str(shop["configs"][0]), "--workdir", str(workdir), "-p", key, value], capsys)
    assert code == 1 and key in err and words in err, err
    assert len(err.strip().splitlines()) == 1


def test_a_second_run_of_the_same_cycle_stops_at_once(shop, workdir, capsys):
    before = _tree(workdir)
    lock = FileLock(workdir / "data" / "processed" / ".locks" / "c1.lock")
    (workdir / "data" / "processed" / ".locks").mkdir()
    with lock:  # a run of c1 in progress
        code, err = _run(["cycle", str(shop["configs"][0]), "--workdir", str(workdir)], capsys)
    assert code == 1 and "cycle 'c1' is already running" in err
    assert _tree(workdir) == before


def test_the_lock_is_released_when_its_holder_is_killed(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from filelock import FileLock; "
        f"lock = FileLock({str(tmp_path / 'c.lock')!r}); lock.acquire(); print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(TimeoutError):
        FileLock(tmp_path / "c.lock", timeout=0).acquire()
    holder.kill()
    holder.wait()
    with FileLock(tmp_path / "c.lock", timeout=5):
        pass


def test_leftovers_of_killed_runs_of_this_cycle_are_removed(tmp_path):
    names = [".staging-c1-4242", ".old-c1-17", ".staging-c1-x-99", ".staging-c1x-5", "c1", "c1.failed"]
    for parent in ("data/processed", "reports"):
        for name in names:
            (tmp_path / parent / name).mkdir(parents=True)
    with cycle_lock(tmp_path, "c1"):
        for parent in ("data/processed", "reports"):
            left = sorted(p.name for p in (tmp_path / parent).iterdir() if p.name != ".locks")
            # a cycle named "c1-x" or "c1x" is another cycle: its staging folders are not ours to remove
            assert left == sorted([".staging-c1-x-99", ".staging-c1x-5", "c1", "c1.failed"])


def test_a_full_disk_is_one_line_and_leaves_nothing_staged(shop, workdir, capsys, monkeypatch):
    def full(text, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(cycle_module, "write_text", full)
    before = _tree(workdir)
    code, err = _run(["cycle", str(shop["configs"][0]), "--workdir", str(workdir), "--no-progress"], capsys)
    assert code == 1 and "no space left on the device" in err and "--workdir" in err, err
    assert len(err.strip().splitlines()) == 1
    assert [p for p in _tree(workdir) if p not in before] in ([], ["reports/c1.failed"])
    assert not any(".staging" in p for p in _tree(workdir))


def test_a_notebook_that_hits_a_full_disk_says_so():
    import papermill as pm

    exc = pm.PapermillExecutionError(3, 4, "", "OSError", "[Errno 28] No space left on device: 'x.parquet'", [])
    message = cycle_module._failure_message("01_research", exc, cycle_module.Path("/w/reports/c1"))
    assert message.startswith("notebook 01_research stopped: no space left on the device of /w/reports")
    assert "\n" not in message


def _tiny_shop(tmp_path, rows):
    lines = pd.DataFrame(rows, columns=["CustomerID", "InvoiceNo", "InvoiceDate", "Quantity", "UnitPrice", "StockCode"])
    lines["InvoiceDate"] = pd.to_datetime(lines["InvoiceDate"])
    lines.to_parquet(tmp_path / "tiny.parquet", index=False)
    return write_cycle_config(tmp_path, tmp_path / "tiny.parquet", "tiny", "2024-06-30")


@pytest.mark.parametrize("rows, extra, words", [
    ([(1, "A", "2024-01-02", 1, 5.0, "p")], [], "1 customer(s); segmenting needs at least 2"),
    ([(i, f"A{i}", "2024-01-02", 1, 5.0, "p") for i in range(30)], [], "all 30 customers bought alike"),
    ([(i, f"A{i}", "2024-01-02", 1, 5.0 + i, "p") for i in range(30)], ["-p", "segmentation.k", "40"],
     "segmentation.k is 40 but there are only 30 customers"),
    ([(i, f"A{i}", "2024-01-02", 1, 5.0 + i, "p") for i in range(4)], [],
     "segmentation.k_range [2, 5] reaches beyond the 4 customers"),
])
def test_too_few_or_identical_customers_stop_before_any_notebook(tmp_path, capsys, rows, extra, words):
    config = _tiny_shop(tmp_path, rows)
    code, err = _run(["cycle", str(config), "--workdir", str(tmp_path / "w"), *extra], capsys)
    assert code == 1 and words in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "w" / "reports").exists()
