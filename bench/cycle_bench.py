"""Benchmark of a whole cycle: the six notebooks of the sample's first cycle against empty ones, in one run.

1. Runs the first shipped cycle (``cycles/online_retail_2011-06-01.yml``) through
   :func:`segkit_helpers.cycle.run_cycle` — the path ``segkit cycle`` takes — in a
   temporary work folder, timing each notebook (papermill execution and HTML page).
2. Runs six empty notebooks (the parameters cell only, importing nothing) through the
   same :func:`segkit_helpers.cycle.run_notebook` (papermill, the same kernel and
   kernel environment, HTML rendering): the floor that papermill, kernel start-up and
   nbconvert cost whatever a notebook does.

It prints the seconds per notebook, the total, the floor and their ratio, with the
machine's load average (other processes on the same cores slow both runs).

    python bench/cycle_bench.py                       # sample cycle 1 against the floor
    python bench/cycle_bench.py --keep /tmp/run       # keep the cycle's work folder (to compare outputs)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from segkit_helpers import cycle
from segkit_helpers.report.pages import PAGES

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "cycles" / "online_retail_2011-06-01.yml"


def timed_cycle(config: Path, workdir: Path) -> dict[str, float]:
    """Run one cycle with :func:`~segkit_helpers.cycle.run_cycle`; the wall seconds of each notebook."""
    seconds: dict[str, float] = {}
    run_notebook = cycle.run_notebook

    def timed(source: Path, *args, **kw) -> Path:
        started = time.perf_counter()
        executed = run_notebook(source, *args, **kw)
        seconds[source.stem] = time.perf_counter() - started
        return executed

    cycle.run_notebook = timed
    try:
        cycle.run_cycle(config, workdir, progress=False)
    finally:
        cycle.run_notebook = run_notebook
    return seconds


def empty_notebook(path: Path) -> Path:
    """Write a notebook holding only the parameters cell of the cycle's notebooks."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('config_path: str = ""\nworkdir: str = ""\nout_dir: str = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params]
    nb.metadata["kernelspec"] = {"name": cycle.KERNEL, "display_name": "segkit", "language": "python"}
    nbformat.write(nb, path)
    return path


def timed_floor(folder: Path) -> dict[str, float]:
    """Run six empty notebooks through :func:`~segkit_helpers.cycle.run_notebook`; their wall seconds."""
    sources, reports = folder / "notebooks", folder / "reports"
    sources.mkdir()
    reports.mkdir()
    kernel = cycle.kernel_name()
    parameters = cycle.notebook_parameters(CONFIG, folder, folder)
    seconds = {}
    for stem in PAGES:
        source = empty_notebook(sources / f"{stem}.ipynb")
        started = time.perf_counter()
        with cycle._kernel_environment(cycle.kernel_env(stem)):
            cycle.run_notebook(source, reports, parameters, kernel)
        seconds[stem] = time.perf_counter() - started
    return seconds


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=CONFIG, help="the cycle to run (default: sample cycle 1)")
    parser.add_argument("--keep", type=Path, help="work folder of the cycle, kept afterwards (default: a temporary one)")
    args = parser.parse_args()
    print(f"segkit cycle benchmark · {os.cpu_count()} cores · Python {sys.version.split()[0]} · "
          f"load average {load()} (1, 5, 15 min)", flush=True)
    with tempfile.TemporaryDirectory(prefix="segkit-cycle-bench-") as tmp:
        workdir = args.keep or Path(tmp) / "cycle"
        started = time.perf_counter()
        notebooks = timed_cycle(args.config, workdir)
        total = time.perf_counter() - started
        load_cycle = load()
        floor_dir = Path(tmp) / "floor"
        floor_dir.mkdir()
        floor = timed_floor(floor_dir)
    floor_total = sum(floor.values())
    print(f"\n{'notebook':<16}{'cycle s':>10}{'empty s':>10}{'ratio':>8}")
    for stem in PAGES:
        print(f"{stem:<16}{notebooks[stem]:10.2f}{floor[stem]:10.2f}{notebooks[stem] / floor[stem]:8.1f}")
    print(f"{'notebooks':<16}{sum(notebooks.values()):10.2f}{floor_total:10.2f}"
          f"{sum(notebooks.values()) / floor_total:8.1f}")
    print(f"\ncycle total (with checks, index and publishing) {total:.2f} s; floor (six empty notebooks) "
          f"{floor_total:.2f} s; ratio {total / floor_total:.1f}x (target <= 3x)")
    print(f"load average after the cycle {load_cycle}, after the floor {load()} (1, 5, 15 min)")


if __name__ == "__main__":
    main()
