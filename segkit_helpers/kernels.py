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


class QuietKernelManager(AsyncKernelManager):
    """Kernels whose own console output (start-up and shutdown logs) does not reach the user's terminal.

    What a notebook prints is captured in the notebook itself; the kernel process's
    stdout and stderr only carry ipykernel's log, which on a stopped run would print
    tracebacks of interrupted message handlers.
    """

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        return await super()._async_launch_kernel(kernel_cmd, **kw)

    _launch_kernel = _async_launch_kernel


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
        km = KernelManager(kernel_name=kernel_name())
        km.start_kernel(cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
