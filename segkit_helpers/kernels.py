"""The Jupyter kernel a cycle's notebooks run in: one per cycle, quiet, on segkit's own Python.

Starting a kernel and importing pandas, scikit-learn, matplotlib and segkit takes a few
seconds; a cycle of six notebooks in six kernels paid it six times. :func:`cycle_kernel`
starts one kernel for the whole cycle and :func:`fresh_namespace` resets it between
notebooks with IPython's ``reset(new_session=True)``: the user namespace, the history
session and the execution counter start anew, so every notebook runs (and numbers its
cells) as in a new kernel; only the imported modules are kept. On the sample cycles the
artefacts and every cell's output were identical to a run in separate kernels, and nbval
runs each notebook in a kernel of its own, so no notebook can lean on a name another one
defined.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_client.manager import AsyncKernelManager, KernelManager

KERNEL = "segkit"

#: Environment of the notebooks' kernels: no progress bars (they would clutter the
#: reports) and inline figures even where the caller set a non-interactive backend
#: such as MPLBACKEND=Agg (which would leave the reports without figures).
KERNEL_ENV = {"TQDM_DISABLE": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}

#: Run in the kernel between two notebooks: close any figure left open, then reset.
RESET_CODE = ("import sys as _sys\n"
              "if 'matplotlib.pyplot' in _sys.modules: _sys.modules['matplotlib.pyplot'].close('all')\n"
              "get_ipython().reset(new_session=True)")


#: How the cycle's kernel starts: segkit's own Python, whatever kernels are registered (a
#: fresh environment needs no ``ipykernel install``; a registered ``segkit`` kernel of another
#: environment is never used by ``segkit cycle``).
KERNEL_CMD = [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f"]


class _OwnPythonQuiet:
    """Start the kernel on :data:`KERNEL_CMD` with its console output (ipykernel's log) silenced.

    What a notebook prints is captured in the notebook itself; the kernel process's
    stdout and stderr only carry ipykernel's log, which on a stopped run would print
    tracebacks of interrupted message handlers.
    """

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """:data:`KERNEL_CMD` with this kernel's connection file (the kernel spec's ``argv`` is not used)."""
        return [*KERNEL_CMD, os.path.realpath(self.connection_file), *(extra_arguments or [])]

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        return await super()._async_launch_kernel(kernel_cmd, **kw)


class QuietKernelManager(_OwnPythonQuiet, AsyncKernelManager):
    """An asynchronous kernel manager on segkit's own Python, quiet (for papermill's own kernels)."""

    _launch_kernel = _OwnPythonQuiet._async_launch_kernel


class CycleKernelManager(_OwnPythonQuiet, KernelManager):
    """The cycle's kernel: segkit's own Python, quiet, started and stopped by :func:`cycle_kernel`."""


def kernel_name() -> str:
    """The kernel name written in the executed notebooks: ``segkit`` when it runs this Python, else ``python3``.

    The name only labels the notebooks (JupyterLab reopens them on that kernel); the kernel
    process itself is always :data:`KERNEL_CMD`, i.e. this Python.
    """
    try:
        argv0 = KernelSpecManager().get_kernel_spec(KERNEL).argv[0]
    except NoSuchKernel:
        return "python3"
    same = Path(argv0).resolve() == Path(sys.executable).resolve()
    return KERNEL if same else "python3"


@contextmanager
def kernel_environment() -> Iterator[None]:
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


@contextmanager
def cycle_kernel(cwd: Path) -> Iterator[KernelManager]:
    """One quiet kernel (:func:`kernel_name`, :data:`KERNEL_ENV`) for every notebook of a cycle; shut down after."""
    with kernel_environment():
        km = CycleKernelManager(kernel_name=kernel_name())
        km.start_kernel(cwd=str(cwd))
    try:
        yield km
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)


def fresh_namespace(km: KernelManager, timeout: float = 60) -> None:
    """Reset the kernel's namespace, history session and execution counter (:data:`RESET_CODE`)."""
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        reply = client.execute_interactive(RESET_CODE, store_history=False, timeout=timeout, output_hook=lambda msg: None)
    finally:
        client.stop_channels()
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"could not reset the cycle's kernel: {reply['content'].get('evalue', '')}")
