"""README's layout section names every module of the package, and nothing that is gone."""

from __future__ import annotations

import re

from segkit_helpers.io.config import PROJ_ROOT


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
