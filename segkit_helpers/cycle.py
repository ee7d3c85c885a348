"""Running a whole cycle: notebooks 00→05 with papermill, HTML pages, index, atomic publish.

Everything of a run is written to staging folders first
(``data/processed/.staging-<cycle>-<pid>`` and ``reports/.staging-<cycle>-<pid>``) and
only moved into place when every notebook succeeded, so a failed run leaves the
previous outputs of that cycle untouched. A failed run's executed notebooks are kept
in ``reports/<cycle>.failed/`` for debugging.
"""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import papermill as pm
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from tqdm import tqdm

from segkit_helpers.config import NOTEBOOKS_DIR, dump_config, load_config, processed_dir, reports_dir, resolve_workdir
from segkit_helpers.data import check_sources
from segkit_helpers.errors import ConfigError, CycleError
from segkit_helpers.monitoring import load_previous
from segkit_helpers.report import PAGES, build_index, render_notebook_html

KERNEL = "segkit"


def kernel_name() -> str:
    """The Jupyter kernel to run notebooks in: ``segkit`` when it runs this Python, else ``python3``.

    ``python3`` is resolved by jupyter_client to the running interpreter, so either
    way notebooks execute in the same environment as segkit itself.
    """
    try:
        argv0 = KernelSpecManager().get_kernel_spec(KERNEL).argv[0]
    except NoSuchKernel:
        return "python3"
    same = Path(argv0).resolve() == Path(sys.executable).resolve()
    return KERNEL if same else "python3"


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


#: Environment of the notebooks' kernels: no progress bars (they would clutter the
#: reports) and inline figures even where the caller set a non-interactive backend
#: such as MPLBACKEND=Agg (which would leave the reports without figures).
KERNEL_ENV = {"TQDM_DISABLE": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}


@contextmanager
def _kernel_environment():
    """Set :data:`KERNEL_ENV` while notebooks run (kernels inherit it), then restore."""
    old = {key: os.environ.get(key) for key in KERNEL_ENV}
    os.environ.update(KERNEL_ENV)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _replace_dir(staged: Path, final: Path) -> None:
    """Move ``staged`` to ``final``, replacing it; the old copy is removed only afterwards."""
    old = final.with_name(f".old-{final.name}-{os.getpid()}")
    if final.exists():
        final.rename(old)
    staged.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def run_cycle(config_path: str | Path, workdir: str | Path | None = None,
              overrides: dict[str, Any] | None = None, progress: bool = True) -> Path:
    """Run one cycle end to end and publish its artefacts and reports.

    Parameters
    ----------
    config_path
        The cycle config (YAML).
    workdir
        Folder for ``data/processed/<cycle>`` and ``reports/<cycle>`` (default: the
        current folder's resolution by :func:`segkit_helpers.config.resolve_workdir`).
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
    cycle = cfg["cycle"]
    final_data, final_reports = processed_dir(root, cycle), reports_dir(root, cycle)
    tag = f".staging-{cycle}-{os.getpid()}"
    stage_data, stage_reports = final_data.with_name(tag), final_reports.with_name(tag)
    for folder in (stage_data, stage_reports):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    staged_config = stage_data / "config.yml"
    staged_config.write_text(dump_config(cfg), encoding="utf-8")
    kernel = kernel_name()
    bar = tqdm(list(PAGES), desc=f"cycle {cycle}", unit="notebook", disable=not progress, file=sys.stderr)
    try:
        with _kernel_environment():
            for stem in bar:
                bar.set_postfix_str(stem)
                executed = stage_reports / f"{stem}.ipynb"
                try:
                    pm.execute_notebook(
                        NOTEBOOKS_DIR / f"{stem}.ipynb", executed,
                        parameters=notebook_parameters(staged_config, root, stage_data),
                        kernel_name=kernel, cwd=str(NOTEBOOKS_DIR), progress_bar=False, log_output=False,
                        extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no start-up chatter on the console
                    )
                except pm.PapermillExecutionError as exc:
                    raise CycleError(_failure_message(stem, exc, final_reports)) from None
                render_notebook_html(executed, stage_reports / f"{stem}.html")
        build_index(stage_data, stage_reports)
    except BaseException:
        bar.close()
        failed = final_reports.with_name(f"{cycle}.failed")
        shutil.rmtree(failed, ignore_errors=True)
        if stage_reports.exists():
            stage_reports.rename(failed)
        shutil.rmtree(stage_data, ignore_errors=True)
        raise
    bar.close()
    _replace_dir(stage_data, final_data)
    _replace_dir(stage_reports, final_reports)
    shutil.rmtree(final_reports.with_name(f"{cycle}.failed"), ignore_errors=True)
    return final_reports / "index.html"


def _failure_message(stem: str, exc: pm.PapermillExecutionError, final_reports: Path) -> str:
    kept = final_reports.with_name(f"{final_reports.name}.failed") / f"{stem}.ipynb"
    return (f"notebook {stem} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}\n"
            f"The executed notebook is kept for debugging: {kept}\n"
            f"The previous outputs of this cycle are untouched.")
