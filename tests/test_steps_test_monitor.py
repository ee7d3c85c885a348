"""Notebooks 03 and 04 import their step module only, and call only what it exports."""

from __future__ import annotations

import importlib
import re

import nbformat
import pytest

from segkit_helpers.io.paths import NOTEBOOKS_DIR


@pytest.mark.parametrize("notebook, step", [("03_test", "test"), ("04_monitor", "monitor")])
def test_notebook_imports_its_step_module_only(notebook, step):
    module = importlib.import_module(f"segkit_helpers.steps.{step}")
    nb = nbformat.read(NOTEBOOKS_DIR / f"{notebook}.ipynb", as_version=4)
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    imports = [line for source in code for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert imports == [f"from segkit_helpers.steps import {step} as step"]
    called = {name for source in code for name in re.findall(r"\bstep\.(\w+)", source)}
    assert called and called <= set(module.__all__), called - set(module.__all__)
    assert all(hasattr(module, name) for name in module.__all__)
