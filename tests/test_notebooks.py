"""The notebooks: stored clean, parameterised for papermill, thin, and runnable top to bottom (nbval)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from segkit_helpers.io.paths import NOTEBOOKS_DIR, PROJ_ROOT
from segkit_helpers.report.pages import PAGES

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
COMMON = {"config_path", "workdir", "out_dir"}


def test_the_six_notebooks_of_the_cycle_exist():
    assert [p.stem for p in NOTEBOOKS] == list(PAGES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_is_the_typed_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first_code.metadata.get("tags", [])
    params = pm.inspect_notebook(str(path))
    assert COMMON <= set(params), "papermill could not parse every parameter"
    for name, spec in params.items():
        assert spec["inferred_type_name"] != "None", f"{name} has no type"
        assert spec["help"], f"{name} has no comment"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_thin(path):
    """Markdown explains, code cells call helpers: no loops, functions or classes in notebooks."""
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= 4
    for source in code:
        assert not re.search(r"^\s*(def|class|for|while|if|with)\b|lambda", source, re.M), source[:80]
        assert len(source.splitlines()) <= 8, source[:80]


@pytest.mark.slow
def test_notebooks_run_top_to_bottom_under_nbval(tmp_path):
    """Every notebook, in order, with its default parameters (the shipped sample), under nbval."""
    env = {**os.environ, "SEGKIT_WORKDIR": str(tmp_path), "TQDM_DISABLE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
         "-q", *map(str, NOTEBOOKS)],
        cwd=PROJ_ROOT, env=env, capture_output=True, text=True, timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
    cycle_dir = Path(tmp_path) / "data" / "processed" / "2011-06-01"
    assert (cycle_dir / "export" / "segments.csv").is_file()
