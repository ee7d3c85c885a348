"""Benchmark of a whole cycle: the six notebooks of the sample's first cycle against empty ones, in one run.

1. Runs the first shipped cycle (``cycles/online_retail_2011-06-01.yml``) through
   :func:`segkit_helpers.cycle.run_cycle` — the path ``segkit cycle`` takes — in a
   temporary work folder, timing each notebook (papermill execution and HTML page).
2. Runs six empty notebooks (the parameters cell only, importing nothing) through the
   same :func:`segkit_helpers.cycle.run_notebook` (papermill, one kernel started for
   them as for a cycle, HTML rendering): the floor that papermill, the kernel and
   nbconvert cost whatever a notebook does; and, for comparison, in papermill's default
   way, a new kernel per notebook (the cycle's path before one kernel per cycle).

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
import papermill as pm

from segkit_helpers import cycle
from segkit_helpers.kernels import KERNEL, QuietKernelManager, cycle_kernel, kernel_environment, kernel_name
from segkit_helpers.report.notebook_page import render_notebook_html
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
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "segkit", "language": "python"}
    nbformat.write(nb, path)
    return path


def timed_floor(folder: Path) -> tuple[float, dict[str, float]]:
    """Six empty notebooks through :func:`~segkit_helpers.cycle.run_notebook` in one cycle kernel.

    Returns the total wall seconds (kernel start included, as in a cycle) and the seconds of each notebook.
    """
    sources, reports = folder / "notebooks", folder / "reports"
    sources.mkdir()
    reports.mkdir()
    parameters = cycle.notebook_parameters(CONFIG, folder, folder)
    seconds = {}
    started = time.perf_counter()
    with cycle_kernel(sources) as km:
        for stem in PAGES:
            source = empty_notebook(sources / f"{stem}.ipynb")
            begun = time.perf_counter()
            cycle.run_notebook(source, reports, parameters, km)
            seconds[stem] = time.perf_counter() - begun
    return time.perf_counter() - started, seconds


def timed_separate_floor(folder: Path) -> float:
    """The same six empty notebooks in papermill's default way, a new kernel each: the floor before one kernel per cycle."""
    folder.mkdir()
    parameters = cycle.notebook_parameters(CONFIG, folder, folder)
    started = time.perf_counter()
    with kernel_environment():
        for stem in PAGES:
            source = empty_notebook(folder / f"{stem}.ipynb")
            executed = folder / f"{stem}.out.ipynb"
            pm.execute_notebook(source, executed, parameters=parameters, kernel_name=kernel_name(), cwd=str(folder),
                                progress_bar=False, log_output=False, kernel_manager_class=QuietKernelManager)
            render_notebook_html(executed, executed.with_suffix(".html"))
    return time.perf_counter() - started


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
        floor_total, floor = timed_floor(floor_dir)
        separate = timed_separate_floor(Path(tmp) / "separate")
    print(f"\n{'notebook':<16}{'cycle s':>10}{'empty s':>10}{'ratio':>8}")
    for stem in PAGES:
        print(f"{stem:<16}{notebooks[stem]:10.2f}{floor[stem]:10.2f}{notebooks[stem] / floor[stem]:8.1f}")
    print(f"{'notebooks':<16}{sum(notebooks.values()):10.2f}{sum(floor.values()):10.2f}"
          f"{sum(notebooks.values()) / sum(floor.values()):8.1f}")
    print(f"\ncycle total (kernel start, checks, index and publishing included) {total:.2f} s; floor (six empty "
          f"notebooks in one kernel, its start included) {floor_total:.2f} s; ratio {total / floor_total:.1f}x "
          f"(target <= 3x)")
    print(f"the same six empty notebooks in a kernel each (papermill's default) {separate:.2f} s; "
          f"cycle / that floor {total / separate:.1f}x")
    print(f"load average after the cycle {load_cycle}, after the floor {load()} (1, 5, 15 min)")


if __name__ == "__main__":
    main()
