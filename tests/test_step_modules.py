"""Each notebook imports its one step module and calls only what that module exports; no import cycles;
no print() in the research library."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import nbformat
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "segkit_helpers"
NOTEBOOKS = PACKAGE.parent / "notebooks"
STEPS = {"00_readiness.ipynb": "readiness", "01_research.ipynb": "research", "02_hypothesis.ipynb": "hypothesis",
         "05_deploy.ipynb": "deploy"}


@pytest.mark.parametrize("notebook, step", sorted(STEPS.items()))
def test_a_notebook_imports_its_step_module_only_and_calls_what_it_exports(notebook, step):
    module = importlib.import_module(f"segkit_helpers.steps.{step}")
    assert all(hasattr(module, name) for name in module.__all__)
    cells = [c.source for c in nbformat.read(NOTEBOOKS / notebook, as_version=4).cells if c.cell_type == "code"]
    imports = [line for source in cells for line in source.splitlines() if re.match(r"\s*(from|import) ", line)]
    assert imports == [f"from segkit_helpers.steps import {step} as step"]
    called = {name for source in cells for name in re.findall(r"\bstep\.(\w+)", source)}
    assert called and called <= set(module.__all__), called - set(module.__all__)


def _imports(path: Path) -> set[str]:
    """The segkit_helpers modules a module imports, at any level of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("segkit_helpers"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("segkit_helpers"))
    return found


def test_no_import_cycles_in_the_package():
    modules = {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
               for p in PACKAGE.rglob("*.py") if p.name != "__main__.py"}
    graph = {name: _imports(path) & set(modules) - {name} for name, path in modules.items()}
    done, path = set(), []

    def visit(name):
        assert name not in path, "import cycle: " + " -> ".join(path[path.index(name):] + [name])
        if name in done:
            return
        path.append(name)
        for dep in graph[name]:
            if not modules[name].name == "__init__.py" or not dep.startswith(name + "."):
                visit(dep)
        path.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


@pytest.mark.parametrize("folder", ["research", "schemes", "steps", "deploy", "evaluation", "monitoring", "io", "report"])
def test_no_print_in_the_research_library(folder):
    for path in (PACKAGE / folder).glob("*.py"):
        calls = [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print"]
        assert not calls, f"{path.name}: print() on lines {calls}"


def test_notebook_02_shows_its_sentences_as_paragraphs():
    import pandas as pd

    from segkit_helpers.steps import hypothesis as step

    said = [step.profile_size(pd.DataFrame({"customer_id": ["a", "b"]})),
            step.k_sentence({"explanation": "We recommend 3 segments <because>."}),
            step.whitespace_sentence(pd.DataFrame(), has_lines=False)]
    assert [s._repr_html_()[:3] for s in said] == ["<p>", "<di", "<p>"]
    assert said[1]._repr_html_().startswith('<div class="sk-block sk-key">')
    assert said[0] == "2 customers in the profile" and "&lt;because&gt;" in said[1]._repr_html_()
