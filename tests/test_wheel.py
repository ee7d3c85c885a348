"""segkit as an installed product: the wheel ships notebooks, cycles and sample data, and runs a cycle from them."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from segkit_helpers.io.paths import CYCLES_DIR, NOTEBOOKS_DIR, PROJ_ROOT, SAMPLE_CONFIGS

SHIPPED = "segkit_helpers/_shipped"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from this checkout, offline when hatchling is installed (``.[test]`` brings it)."""
    out = tmp_path_factory.mktemp("dist")
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", *isolation, "-w", str(out),
                             str(PROJ_ROOT)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    (built,) = out.glob("segkit-*.whl")
    return built


def _shipped_files() -> list[str]:
    """Every file of notebooks/, cycles/ and data/raw/ in the checkout, as its path inside the wheel."""
    files = [*NOTEBOOKS_DIR.glob("*.ipynb"), *CYCLES_DIR.rglob("*.yml"), *(PROJ_ROOT / "data" / "raw").rglob("*.*")]
    return sorted(f"{SHIPPED}/{p.relative_to(PROJ_ROOT).as_posix()}" for p in files
                  if "__pycache__" not in p.parts and not any(part.startswith(".") for part in p.parts))


def test_wheel_ships_notebooks_cycles_sample_data_and_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = _shipped_files()
    assert len([n for n in expected if n.endswith(".ipynb")]) == 6
    assert f"{SHIPPED}/data/raw/online_retail/online_retail_2010_2011.parquet" in expected
    assert [n for n in expected if n not in names] == []
    assert "segkit_helpers/resources/index.html.j2" in names and "segkit_helpers/io/paths.py" in names
    page = ["segkit_helpers/resources/templates/segkit_page/conf.json",
            "segkit_helpers/resources/templates/segkit_page/index.html.j2", "segkit_helpers/resources/css/page.css"]
    assert [n for n in page if n not in names] == []
    assert not [n for n in names if "__pycache__" in n or ".ipynb_checkpoints" in n]


def test_kernels_run_segkits_own_python_whatever_kernel_is_registered(tmp_path, monkeypatch):
    """A "segkit" kernel registered for another Python is neither chosen nor launched."""
    from segkit_helpers.kernels import CycleKernelManager, QuietKernelManager, kernel_name

    spec = tmp_path / "kernels" / "segkit"
    spec.mkdir(parents=True)
    argv = ["/elsewhere/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "other", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    assert kernel_name() == "python3"
    manager = QuietKernelManager(kernel_name="segkit", connection_file=str(tmp_path / "kernel.json"))
    assert manager.kernel_spec.argv[0] == "/elsewhere/bin/python"
    cmd = manager.format_kernel_cmd()
    assert cmd[0] == sys.executable and cmd[-1] == os.path.realpath(tmp_path / "kernel.json")
    cycle_manager = CycleKernelManager(kernel_name="segkit", connection_file=str(tmp_path / "cycle.json"))
    assert cycle_manager.format_kernel_cmd()[0] == sys.executable  # the cycle's one kernel as well


def test_installed_package_defaults_to_writing_in_the_current_folder(tmp_path, monkeypatch):
    """With ``_shipped/`` present (an installed wheel) the default work folder is the current one, not the package."""
    from segkit_helpers.io import paths
    from segkit_helpers.io.config import resolve_workdir

    shipped, elsewhere = tmp_path / "_shipped", tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("SEGKIT_WORKDIR", raising=False)
    assert paths.shipped_root() == PROJ_ROOT and resolve_workdir(None) == PROJ_ROOT  # a checkout
    shipped.mkdir()
    monkeypatch.setattr(paths, "SHIPPED_DIR", shipped)
    assert paths.shipped_root() == shipped and paths.is_installed()
    assert resolve_workdir(None) == elsewhere.resolve()


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under ``folder`` except byte-code caches."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.mark.slow
def test_installed_wheel_runs_the_shipped_sample_into_the_workdir(wheel, tmp_path):
    """``pip install`` of the wheel (no checkout on sys.path), then the sample's first cycle from another folder.

    The sample configs resolve inside the installed package; everything is written to
    ``--workdir``, nothing to the installation or the current folder.
    """
    target, workdir, elsewhere = tmp_path / "site", tmp_path / "work", tmp_path / "elsewhere"
    elsewhere.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    before = _tree(target)
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("SEGKIT_WORKDIR", None)
    where = subprocess.run([sys.executable, "-c", "import segkit_helpers.io.paths as p; print(*p.SAMPLE_CONFIGS)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert [Path(p) for p in where] == [target / SHIPPED / "cycles" / p.name for p in SAMPLE_CONFIGS]
    light = ["-p", "clv.enabled", "false", "-p", "validation.bootstrap", "5", "-p", "segmentation.k_range", "[2, 4]",
             "-p", "segmentation.stability_resamples", "2"]
    result = subprocess.run([sys.executable, "-m", "segkit_helpers", "cycle", where[0], "--workdir", str(workdir),
                             *light], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (workdir / "reports" / "2011-06-01" / "index.html").is_file()
    out = workdir / "data" / "processed" / "2011-06-01"
    for artefact in ("config.yml", "customers.parquet", "segments.parquet", "model.skops", "export/segments.csv"):
        assert (out / artefact).is_file(), artefact
    assert str(target / SHIPPED / "data" / "raw") in (out / "config.yml").read_text()
    assert _tree(target) == before and list(elsewhere.iterdir()) == []
