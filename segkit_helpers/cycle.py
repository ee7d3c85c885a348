"""Running a whole cycle: notebooks 00→05 in one kernel (:mod:`segkit_helpers.kernels`), HTML pages, atomic publish.

Everything of a run is written to staging folders first
(``data/processed/.staging-<cycle>-<pid>`` and ``reports/.staging-<cycle>-<pid>``) and
only moved into place when every notebook succeeded, so a failed run leaves the
previous outputs of that cycle untouched. A failed run's executed notebooks are kept
in ``reports/<cycle>.failed/`` for debugging.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import papermill as pm
from jupyter_client.manager import KernelManager
from tqdm import tqdm

from segkit_helpers.io.artefacts import write_text
from segkit_helpers.io.config import dump_config, load_config, processed_dir, reports_dir, resolve_workdir
from segkit_helpers.io.paths import NOTEBOOKS_DIR
from segkit_helpers.research.checks import check_sources
from segkit_helpers.errors import ConfigError, CycleError
from segkit_helpers.kernels import cycle_kernel, fresh_namespace
from segkit_helpers.monitoring.previous import load_previous
from segkit_helpers.report.i18n import SOURCE_LANGUAGE
from segkit_helpers.report.index import build_index
from segkit_helpers.report.notebook_page import render_notebook_html
from segkit_helpers.report.pages import PAGES

def notebook_parameters(config_path: Path, workdir: Path, out_dir: Path) -> dict[str, Any]:
    """The papermill parameters of every notebook of a cycle (everything else is in the config)."""
    return {"config_path": str(config_path), "workdir": str(workdir), "out_dir": str(out_dir)}


def prepare(config_path: str | Path, workdir: str | Path | None, overrides: dict[str, Any] | None) -> tuple[dict, Path]:
    """Load and check everything a cycle needs before any notebook starts.

    Raises
    ------
    ConfigError, InputError
        Bad config, unreadable source, unmapped column, missing previous cycle.
    """
    cfg = load_config(config_path, overrides)
    check_sources(cfg)
    root = resolve_workdir(workdir)
    try:
        load_previous(root, cfg["previous_cycle"])
    except FileNotFoundError as exc:
        raise ConfigError(str(exc)) from None
    return cfg, root


def _replace_dir(staged: Path, final: Path) -> None:
    """Move ``staged`` to ``final``, replacing it; the old copy is removed only afterwards."""
    old = final.with_name(f".old-{final.name}-{os.getpid()}")
    if final.exists():
        final.rename(old)
    staged.rename(final)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def cycle_lock(root: Path, cycle: str):
    """Hold the lock of one cycle in one work folder while it runs; a second run stops at once.

    The lock is a file lock (``filelock``) on ``data/processed/.locks/<cycle>.lock``: the
    operating system releases it when the holder dies, even by SIGKILL, so a killed run
    never blocks the next. Holding it, the run removes what killed runs of the same
    cycle left behind (staging and half-replaced folders).

    Raises
    ------
    CycleError
        Another run of this cycle holds the lock.
    """
    from filelock import FileLock, Timeout

    locks = root / "data" / "processed" / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    lock = FileLock(locks / f"{cycle}.lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise CycleError(f"cycle '{cycle}' is already running in {root} (lock {lock.lock_file}); wait for it to "
                         "finish, or run this one with another --workdir") from None
    try:
        _remove_leftovers(root, cycle)
        yield
    finally:
        lock.release()


def _remove_leftovers(root: Path, cycle: str) -> None:
    """Staging and old folders of this cycle from runs that were killed (their pid is gone)."""
    pattern = re.compile(rf"\.(staging|old)-{re.escape(cycle)}-\d+")
    for parent in (root / "data" / "processed", root / "reports"):
        if parent.is_dir():
            for folder in parent.iterdir():
                if pattern.fullmatch(folder.name):
                    shutil.rmtree(folder, ignore_errors=True)


class Stopped(KeyboardInterrupt):
    """The run was asked to stop by a signal (SIGTERM from a scheduler, SIGINT from Ctrl-C)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def stop_on_signals():
    """Turn SIGTERM (and SIGINT) into :class:`Stopped`, so that a terminated run cleans up like Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return

    def stop(signum, frame):
        raise Stopped(signum)

    saved = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _publish_paths(stage_reports: Path, staged: dict[Path, Path]) -> None:
    """Point the executed notebooks at the published folders instead of the staging ones."""
    for notebook in stage_reports.glob("*.ipynb"):
        text = notebook.read_text(encoding="utf-8")
        for stage, final in staged.items():
            text = text.replace(json.dumps(str(stage))[1:-1], json.dumps(str(final))[1:-1])
        write_text(text, notebook)


def run_cycle(config_path: str | Path, workdir: str | Path | None = None,
              overrides: dict[str, Any] | None = None, progress: bool = True) -> Path:
    """Run one cycle end to end and publish its artefacts and reports.

    Parameters
    ----------
    config_path
        The cycle config (YAML).
    workdir
        Folder for ``data/processed/<cycle>`` and ``reports/<cycle>`` (default: the
        current folder's resolution by :func:`segkit_helpers.io.config.resolve_workdir`).
    overrides
        Dotted config keys set on top of the file (``-p NAME VALUE``).
    progress
        Show a progress bar, one step per notebook.

    Returns
    -------
    Path
        ``reports/<cycle>/index.html``.

    Raises
    ------
    CycleError
        A notebook failed; the message names it and where its executed copy is.
    """
    cfg, root = prepare(config_path, workdir, overrides)
    with cycle_lock(root, cfg["cycle"]), stop_on_signals():
        return _run_locked(cfg, root, progress, Path(config_path).name)


def _run_locked(cfg: dict, root: Path, progress: bool, config_name: str) -> Path:
    """:func:`run_cycle` once the cycle's lock is held."""
    cycle = cfg["cycle"]
    final_data, final_reports = processed_dir(root, cycle), reports_dir(root, cycle)
    tag = f".staging-{cycle}-{os.getpid()}"
    stage_data, stage_reports = final_data.with_name(tag), final_reports.with_name(tag)
    bar = tqdm(list(PAGES), desc=f"cycle {cycle}", unit="notebook", disable=not progress, file=sys.stderr)
    try:
        for folder in (stage_data, stage_reports):
            folder.mkdir(parents=True)
        staged_config = write_text(dump_config(cfg), stage_data / "config.yml")
        with cycle_kernel(NOTEBOOKS_DIR) as km:
            for stem in bar:
                bar.set_postfix_str(stem)
                try:
                    run_notebook(NOTEBOOKS_DIR / f"{stem}.ipynb", stage_reports,
                                 notebook_parameters(staged_config, root, stage_data), km, cfg["report"]["language"])
                except pm.PapermillExecutionError as exc:
                    raise CycleError(_failure_message(stem, exc, final_reports)) from None
        build_index(stage_data, stage_reports, root, config_name)
        _publish_paths(stage_reports, {stage_data: final_data, stage_reports: final_reports})
    except OSError as exc:
        _keep_failed(stage_data, stage_reports, final_reports, bar)
        if exc.errno == errno.ENOSPC:
            raise CycleError(f"no space left on the device of {root}: nothing was published and the staged data were "
                             "removed; free some space or run with another --workdir") from None
        raise
    except BaseException:
        _keep_failed(stage_data, stage_reports, final_reports, bar)
        raise
    bar.close()
    _replace_dir(stage_data, final_data)
    _replace_dir(stage_reports, final_reports)
    shutil.rmtree(final_reports.with_name(f"{cycle}.failed"), ignore_errors=True)
    return final_reports / "index.html"


def run_notebook(source: Path, report_dir: Path, parameters: dict[str, Any], km: KernelManager,
                 language: str = SOURCE_LANGUAGE) -> Path:
    """Execute one notebook with papermill in the cycle's kernel into ``report_dir``; render its HTML page beside it.

    The kernel's namespace is reset first (:func:`~segkit_helpers.kernels.fresh_namespace`).
    This is the one path every notebook of a cycle takes (``bench/cycle_bench.py`` times
    it against empty notebooks). ``language`` is ``report.language``, the page's language.
    Returns the executed notebook.

    Raises
    ------
    papermill.PapermillExecutionError
        A cell of the notebook failed.
    """
    fresh_namespace(km)
    executed = report_dir / source.name
    pm.execute_notebook(source, executed, parameters=parameters, kernel_name=km.kernel_name, km=km,
                        cwd=str(source.parent), progress_bar=False, log_output=False)
    render_notebook_html(executed, executed.with_suffix(".html"), language)
    return executed


def _keep_failed(stage_data: Path, stage_reports: Path, final_reports: Path, bar) -> None:
    """After a failure: keep the executed notebooks in ``reports/<cycle>.failed/``, drop the staged data."""
    bar.close()
    failed = final_reports.with_name(f"{final_reports.name}.failed")
    shutil.rmtree(failed, ignore_errors=True)
    if stage_reports.exists():
        try:
            stage_reports.rename(failed)
        except OSError:
            shutil.rmtree(stage_reports, ignore_errors=True)
    shutil.rmtree(stage_data, ignore_errors=True)


def _failure_message(stem: str, exc: pm.PapermillExecutionError, final_reports: Path) -> str:
    kept = final_reports.with_name(f"{final_reports.name}.failed") / f"{stem}.ipynb"
    if "No space left on device" in str(exc.evalue):
        return (f"notebook {stem} stopped: no space left on the device of {final_reports.parent}; nothing was "
                "published and the staged data were removed; free some space or run with another --workdir")
    return (f"notebook {stem} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}\n"
            f"The executed notebook is kept for debugging: {kept}\n"
            f"The previous outputs of this cycle are untouched.")
