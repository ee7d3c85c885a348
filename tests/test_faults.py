"""Fault suite: a run killed or terminated at any notebook, or started twice, leaves the published cycle intact."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import write_cycle_config

pytestmark = pytest.mark.slow

CYCLE = "c1"


def _snapshot(workdir) -> dict[str, str]:
    """SHA-256 of every published file of the cycle."""
    files = [p for folder in (f"data/processed/{CYCLE}", f"reports/{CYCLE}") for p in (workdir / folder).rglob("*")
             if p.is_file()]
    return {p.relative_to(workdir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _start(config, workdir) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "segkit_helpers", "cycle", str(config), "--workdir", str(workdir),
                             "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_notebook(workdir, proc: subprocess.Popen, stem: str, timeout: float = 240) -> None:
    """Wait until the run is executing ``stem`` (papermill has written its output notebook)."""
    staged = workdir / "reports" / f".staging-{CYCLE}-{proc.pid}" / f"{stem}.ipynb"
    deadline = time.monotonic() + timeout
    while not staged.is_file():
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.monotonic() < deadline, f"the run did not reach {stem}"
        time.sleep(0.2)
    time.sleep(0.5)


@pytest.fixture(scope="module")
def config(shop):
    """Cycle c1 of the shop with the fewest resamples that still run every step (each run is quick)."""
    folder = shop["folder"] / "faults"
    folder.mkdir(exist_ok=True)
    return write_cycle_config(folder, shop["data"], CYCLE, "2024-01-31",
                              segmentation={"k_range": [2, 3], "stability_resamples": 2},
                              validation={"bootstrap": 2})


@pytest.fixture(scope="module")
def published(config, tmp_path_factory):
    """A work folder where cycle c1 has been published once, with the hashes of its files."""
    workdir = tmp_path_factory.mktemp("faults")
    done = subprocess.run([sys.executable, "-m", "segkit_helpers", "cycle", str(config), "--workdir",
                           str(workdir), "--no-progress"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return workdir, _snapshot(workdir)


# each notebook once, the signals alternating: SIGKILL leaves staging behind, SIGTERM cleans up itself
STOPS = [("00_readiness", signal.SIGKILL), ("01_research", signal.SIGTERM), ("02_hypothesis", signal.SIGKILL),
         ("03_test", signal.SIGTERM), ("04_monitor", signal.SIGKILL), ("05_deploy", signal.SIGTERM)]


@pytest.mark.parametrize("stem, signum", STOPS, ids=[f"{s}-{g.name}" for s, g in STOPS])
def test_a_stopped_run_leaves_the_published_cycle_byte_identical(config, published, stem, signum):
    workdir, hashes = published
    proc = _start(config, workdir)
    _wait_for_notebook(workdir, proc, stem)
    stale = [p for p in (workdir / "reports").iterdir() if p.name.startswith(".staging")]
    assert [p.name for p in stale] == [f".staging-{CYCLE}-{proc.pid}"]  # a killed run's leftovers went
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert _snapshot(workdir) == hashes
    if signum == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM
        assert err.strip().splitlines()[-1].startswith("segkit: stopped by SIGTERM"), err[-2000:]
        assert "Traceback" not in err
        assert (workdir / "reports" / f"{CYCLE}.failed" / f"{stem}.ipynb").is_file()
        assert not any(p.name.startswith(".staging") for p in (workdir / "data" / "processed").iterdir())
    else:
        assert proc.returncode == -signal.SIGKILL


def test_a_concurrent_run_is_refused_while_the_first_goes_on(config, published):
    workdir, hashes = published
    first = _start(config, workdir)
    _wait_for_notebook(workdir, first, "01_research")
    second = subprocess.run([sys.executable, "-m", "segkit_helpers", "cycle", str(config), "--workdir",
                             str(workdir)], capture_output=True, text=True, timeout=120)
    assert second.returncode == 1 and f"cycle '{CYCLE}' is already running" in second.stderr
    first.send_signal(signal.SIGINT)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 128 + signal.SIGINT and "stopped by SIGINT" in err and "Traceback" not in err
    assert _snapshot(workdir) == hashes
