"""The README's table of config keys, generated from the models (defaults and meanings stay in one place).

Regenerate the table in README.md after changing a key::

    python -m segkit_helpers.io.config_table README.md

``tests/test_config_table.py`` fails while README's table differs from :func:`config_key_table`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from segkit_helpers.io.config_fields import model_of
from segkit_helpers.io.config_model import CycleConfig

#: The lines around the generated table in README.md.
BEGIN = "<!-- config keys: generated from segkit_helpers/io/config_model.py by " \
        "`python -m segkit_helpers.io.config_table README.md`; edit the models, not this table -->"
END = "<!-- end of config keys -->"


def _leaves(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, str, FieldInfo]]:
    """``(section, name, field)`` of every key under ``model``, in the order of the models."""
    placeholder = getattr(model, "placeholder", None)
    fields = list(model.model_fields.items())
    if placeholder:  # one entry per input table, all alike: shown once as <table>
        fields = [(placeholder, fields[0][1])]
    for name, field in fields:
        inner = model_of(field.annotation)
        if inner is not None and field.default_factory is inner:
            yield from _leaves(inner, f"{prefix}{name}.")
        else:
            yield prefix, name + _extra(field).get("suffix", ""), field


def _extra(field: FieldInfo) -> dict[str, Any]:
    return field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}


def _shown(field: FieldInfo) -> str:
    """How the table shows a key's default."""
    if "shown" in _extra(field):
        return _extra(field)["shown"]
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value) if value != "" else "empty"


def config_key_table() -> str:
    """Markdown table ``key | default | meaning`` of every config key.

    Neighbouring keys of one section that share their meaning form one row, as
    ``a.x``, ``.y`` with their defaults in the same order (once when all are equal).
    """
    rows: list[tuple[str, list[str], list[str], str]] = []  # section, names, defaults, meaning
    for prefix, name, field in _leaves(CycleConfig, ""):
        meaning = field.description or ""
        if rows and rows[-1][0] == prefix and rows[-1][3] == meaning:
            rows[-1][1].append(name)
            rows[-1][2].append(_shown(field))
        else:
            rows.append((prefix, [name], [_shown(field)], meaning))
    lines = ["| key | default | meaning |", "| --- | --- | --- |"]
    for prefix, names, defaults, meaning in rows:
        keys = ", ".join([f"`{prefix}{names[0]}`"] + [f"`{'.' if prefix else ''}{name}`" for name in names[1:]])
        default = defaults[0] if len(set(defaults)) == 1 else ", ".join(defaults)
        lines.append(f"| {keys} | {default} | {meaning} |")
    return "\n".join(lines)


def with_key_table(readme: str) -> str:
    """``readme`` with the text between :data:`BEGIN` and :data:`END` replaced by the current table."""
    head, begin, rest = readme.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not (begin and end):
        raise ValueError(f"the README has no config key table between the lines {BEGIN!r} and {END!r}")
    return f"{head}{BEGIN}\n{config_key_table()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """Rewrite the key table of the README named in ``argv`` (default ``README.md``); 0 when done."""
    path = Path((argv or sys.argv[1:] or ["README.md"])[0])
    path.write_text(with_key_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
