"""Atomic reading and writing of cycle artefacts (temp file, then rename).

A reader never sees a half-written file: every writer goes to a temporary file in
the same folder and renames it into place, which is atomic on POSIX and Windows.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml


_DEFAULT_FILE_MODE = 0o666  # what open() asks for; the process umask takes away the rest


def _umask() -> int:
    """The process umask (Python can only read it by setting it, so it is set back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def _atomic_path(path: Path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, _DEFAULT_FILE_MODE & ~_umask())  # mkstemp makes 0600: readable like any other file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_with(path: Path, writer: Callable[[Path], None]) -> Path:
    with _atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (pd.Timestamp,)) or hasattr(obj, "isoformat"):
        return obj.isoformat()
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def write_json(obj: Any, path: str | os.PathLike) -> Path:
    """Write ``obj`` as indented, key-ordered JSON, atomically."""
    text = json.dumps(obj, indent=2, default=_json_default, ensure_ascii=False)
    return _write_with(Path(path), lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))


def read_json(path: str | os.PathLike) -> Any:
    """Read a JSON artefact."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_yaml(obj: Any, path: str | os.PathLike) -> Path:
    """Write ``obj`` as YAML (keys in insertion order), atomically."""
    text = yaml.safe_dump(obj, sort_keys=False, allow_unicode=True)
    return _write_with(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_text(text: str, path: str | os.PathLike) -> Path:
    """Write a text file atomically."""
    return _write_with(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_parquet(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a DataFrame to Parquet without its index, atomically and deterministically."""
    return _write_with(Path(path), lambda tmp: df.to_parquet(tmp, index=False, engine="pyarrow"))


#: Cell starts a spreadsheet would run as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe.

    Cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return are the
    CSV-injection vectors listed by OWASP ("CSV Injection"); the apostrophe makes
    Excel, LibreOffice and Google Sheets show them as text. Numbers are untouched.
    """
    out = table.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            text = out[column]
            risky = text.astype("string").str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
            out[column] = text.where(~risky, "'" + text.astype("string"))
    return out


def restore_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise_formulas` on a CSV segkit wrote and a person filled in (e.g. the review sheet)."""
    out = table.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            text = out[column].astype("string")
            guarded = text.str.startswith(tuple("'" + start for start in FORMULA_STARTS)).fillna(False).astype(bool)
            out[column] = out[column].where(~guarded, text.str.slice(1))
    return out


def write_csv(df: pd.DataFrame, path: str | os.PathLike, excel: bool = False) -> Path:
    """Write a DataFrame to CSV without its index, atomically, with formula-like text cells neutralised.

    Every CSV segkit writes goes through here, so none can carry a spreadsheet formula
    (:func:`neutralise_formulas`); Parquet twins keep the exact values. ``excel`` adds
    a UTF-8 byte-order mark, so that Excel reads accented text right.
    """
    safe = neutralise_formulas(df)
    encoding = "utf-8-sig" if excel else "utf-8"
    return _write_with(Path(path), lambda tmp: safe.to_csv(tmp, index=False, encoding=encoding))


def write_bytes(data: bytes, path: str | os.PathLike) -> Path:
    """Write bytes atomically."""
    return _write_with(Path(path), lambda tmp: tmp.write_bytes(data))
