"""README's layout section names every module of the package, and nothing that is gone."""

from __future__ import annotations

import re

from segkit_helpers.io.paths import PROJ_ROOT


def layout_rows() -> dict[str, set[str]]:
    """``folder -> module names`` from the table under README's ``## Layout``."""
    text = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = set(re.findall(r"`([\w.]+)`", cells[1]))
    return rows


def modules_in(folder: str) -> set[str]:
    path = PROJ_ROOT / folder
    return {p.stem for p in path.glob("*.py") if p.name != "__init__.py"}


def test_every_package_folder_has_a_row_listing_exactly_its_modules():
    rows = layout_rows()
    packages = {str(p.parent.relative_to(PROJ_ROOT)) + "/" for p in (PROJ_ROOT / "segkit_helpers").rglob("__init__.py")}
    assert packages <= set(rows), sorted(packages - set(rows))
    for folder in packages | {"bench/"}:
        assert rows[folder] == modules_in(folder), folder


def test_every_folder_in_the_layout_exists():
    missing = [f for f in layout_rows() if not (PROJ_ROOT / f.split("<")[0]).exists()]
    assert missing == []


def module_imports() -> dict[str, set[str]]:
    """``module -> segkit_helpers modules it imports at module level`` (imports inside functions excluded)."""
    import ast

    graph = {}
    root = PROJ_ROOT / "segkit_helpers"
    for path in root.rglob("*.py"):
        parts = path.relative_to(PROJ_ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("segkit_helpers"):
                found.add(node.module)
                found |= {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("segkit_helpers")}
        graph[name] = found
    return {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}


def test_no_import_cycles():
    graph = module_imports()
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = 1
        for dep in sorted(graph[module]):
            if state.get(dep) == 1:
                return path + [module, dep]
            if dep not in state and (cycle := visit(dep, path + [module])):
                return cycle
        state[module] = 2
        return None

    cycles = [c for m in sorted(graph) if m not in state and (c := visit(m, []))]
    assert cycles == []


def test_steps_are_imported_by_notebooks_only():
    graph = module_imports()
    importers = [m for m, deps in graph.items() if not m.startswith("segkit_helpers.steps")
                 and any(d.startswith("segkit_helpers.steps") for d in deps)]
    assert importers == []
