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


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a DataFrame to UTF-8 CSV without its index, atomically."""
    return _write_with(Path(path), lambda tmp: df.to_csv(tmp, index=False, encoding="utf-8"))


def write_bytes(data: bytes, path: str | os.PathLike) -> Path:
    """Write bytes atomically."""
    return _write_with(Path(path), lambda tmp: tmp.write_bytes(data))
