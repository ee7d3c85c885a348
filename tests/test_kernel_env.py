"""The environment the cycle's kernels run in: one OpenMP/BLAS thread except where results depend on it."""

from __future__ import annotations

import os

from segkit_helpers import cycle
from segkit_helpers.report.pages import PAGES


def test_one_thread_for_every_notebook_but_the_thread_dependent_ones():
    for stem in PAGES:
        env = cycle.kernel_env(stem)
        assert env["TQDM_DISABLE"] == "1"
        assert ("OMP_NUM_THREADS" in env) == (stem not in cycle.THREAD_DEPENDENT)
    assert cycle.THREAD_DEPENDENT <= set(PAGES)
    assert cycle.kernel_env("03_test")["OMP_NUM_THREADS"] == "1"


def test_the_kernel_environment_is_restored_afterwards(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    with cycle._kernel_environment(cycle.kernel_env("03_test")):
        assert os.environ["OMP_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "1"
    assert os.environ["OMP_NUM_THREADS"] == "7" and "MKL_NUM_THREADS" not in os.environ
