"""segkit as an installed product: the wheel ships notebooks, cycles and sample data, and runs a cycle from them."""

from __future__ import annotations

import json
import os
import sys
import zipfile

import pytest

from tests.conftest import file_tree

from segkit_helpers.io.paths import CYCLES_DIR, NOTEBOOKS_DIR, PROJ_ROOT, SAMPLE_CONFIGS

SHIPPED = "segkit_helpers/_shipped"


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


@pytest.mark.slow
def test_installed_wheel_runs_the_shipped_sample_into_the_workdir(installed_sample):
    """``pip install`` of the wheel (no checkout on sys.path), then the sample's first cycle from another folder.

    The sample configs resolve inside the installed package; everything is written to
    ``--workdir``, nothing to the installation or the current folder.
    """
    target, workdir, elsewhere = (installed_sample[k] for k in ("target", "workdir", "elsewhere"))
    assert installed_sample["configs"] == [target / SHIPPED / "cycles" / p.name for p in SAMPLE_CONFIGS]
    assert (workdir / "reports" / "2011-06-01" / "index.html").is_file()
    out = workdir / "data" / "processed" / "2011-06-01"
    for artefact in ("config.yml", "customers.parquet", "segments.parquet", "model.skops", "export/segments.csv"):
        assert (out / artefact).is_file(), artefact
    assert str(target / SHIPPED / "data" / "raw") in (out / "config.yml").read_text()
    assert file_tree(target) == installed_sample["before"] and list(elsewhere.iterdir()) == []
