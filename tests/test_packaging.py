"""The repo's promises: README's two commands, CI calling them, conda and pip environments agreeing."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import yaml

from segkit_helpers.io.paths import PROJ_ROOT

CONDA_NAMES = {"duckdb": "python-duckdb"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!\[ ]", requirement, maxsplit=1)[0].lower()


def test_readme_starts_with_the_two_commands():
    text = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    first_block = text.split("```")[1]
    assert "make cycle" in first_block and "make test" in first_block


def test_ci_runs_the_readme_test_command():
    assert "make test" in (PROJ_ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_conda_environment_has_every_dependency():
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    needed = [_name(r) for r in project["dependencies"] + sum(project["optional-dependencies"].values(), [])]
    env = yaml.safe_load((PROJ_ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    conda |= {_name(d) for d in sum((d["pip"] for d in env["dependencies"] if isinstance(d, dict)), [])}
    missing = [n for n in needed if CONDA_NAMES.get(n, n) not in conda]
    assert missing == []


def test_make_targets_resolve():
    for target in ("help", "cycle", "test", "install"):
        result = subprocess.run(["make", "-n", target], cwd=PROJ_ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    listing = subprocess.run(["make", "help"], cwd=PROJ_ROOT, capture_output=True, text=True).stdout
    assert "cycle:" in listing and "test:" in listing


def test_sample_configs_and_data_are_shipped():
    from segkit_helpers.io.config import load_config
    from segkit_helpers.io.paths import SAMPLE_CONFIGS

    raw = (PROJ_ROOT / "data" / "raw").resolve()
    for path in SAMPLE_CONFIGS:
        source = Path(load_config(path)["sources"]["transactions"]["path"])
        assert raw in source.parents and source.is_file()
    assert (PROJ_ROOT / "data" / "raw" / "README.md").is_file()
