"""Saving and loading fitted segment models without running code from the file.

A pickled model (joblib) runs whatever its file says when it is loaded, so a model
file from elsewhere could run a shell command. segkit saves models with ``skops.io``
(scikit-learn's sister project for safe persistence): loading builds only the types the
file names, and only types of an allow-list are built without asking. Anything else
(for example ``builtins.eval`` or ``os.system`` in a crafted file) is refused unless the
user passes ``--trust``.

skops cannot store pandas objects, so the model classes keep their pandas attributes
through :class:`PandasState`, which stores them as plain arrays and lists.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from segkit_helpers.errors import InputError

#: The file name of a cycle's fitted model.
MODEL_FILE = "model.skops"
#: Modules whose types a model file may name and that are built without ``--trust``.
TRUSTED_MODULES = ("segkit_helpers.", "sklearn.", "numpy.", "scipy.", "stepmix.", "kmedoids.")


def _encode(value: Any) -> Any:
    """A pandas object as a dict of lists and arrays (anything else as it is)."""
    if isinstance(value, pd.DataFrame):
        return {"__pandas__": "DataFrame", "columns": [_plain(c) for c in value.columns],
                "data": [_column(value[c]) for c in value.columns], "index": _column(value.index),
                "index_name": value.index.name}
    if isinstance(value, pd.Series):
        return {"__pandas__": "Series", "data": _column(value), "index": _column(value.index), "name": _plain(value.name),
                "index_name": value.index.name}
    return value


def _decode(value: Any) -> Any:
    if not (isinstance(value, dict) and "__pandas__" in value):
        return value
    index = pd.Index(value["index"], name=value["index_name"])
    if value["__pandas__"] == "Series":
        return pd.Series(value["data"], index=index, name=value["name"])
    return pd.DataFrame(dict(zip(value["columns"], value["data"])), index=index, columns=value["columns"])


def _column(values: pd.Series | pd.Index) -> np.ndarray | list:
    """Numbers as an array; text, categories and mixed values as a list of plain Python values."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return np.asarray(values)
    return [_plain(v) for v in values]


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return value.item() if isinstance(value, np.generic) else value


class PandasState:
    """Mixin: pickle and skops state with pandas attributes stored as plain arrays and lists."""

    def __getstate__(self) -> dict:
        state = super().__getstate__() if hasattr(super(), "__getstate__") else dict(self.__dict__)
        return {key: _encode(value) for key, value in state.items()}

    def __setstate__(self, state: dict) -> None:
        decoded = {key: _decode(value) for key, value in state.items()}
        if hasattr(super(), "__setstate__"):
            super().__setstate__(decoded)
        else:
            self.__dict__.update(decoded)


def trusted(type_name: str) -> bool:
    """A type built without ``--trust``: from :data:`TRUSTED_MODULES`, or the model class of a scheme registered
    through the ``segkit.schemes`` entry point (the installed plugin's code runs whenever its scheme is used anyway;
    only its registered class is trusted, not the rest of its package)."""
    from segkit_helpers.schemes import SCHEMES

    return type_name.startswith(TRUSTED_MODULES) or type_name in SCHEMES.type_names()


def save_model(model: Any, path: str | os.PathLike) -> Path:
    """Write a fitted model with ``skops.io``, atomically."""
    import skops.io as sio

    from segkit_helpers.io.artefacts import write_bytes

    return write_bytes(sio.dumps(model), path)


def load_model(path: str | os.PathLike, trust: bool = False) -> Any:
    """Load a model saved by :func:`save_model`, building only allowed types.

    Parameters
    ----------
    path
        The model file (``model.skops`` of a cycle).
    trust
        Also build types that are not :func:`trusted` (only for a file you made).

    Raises
    ------
    InputError
        Not a model file, a truncated or corrupt one, or one naming types that are not
        trusted (listed in the message).
    """
    import skops.io as sio

    path = Path(path)
    try:
        data = path.read_bytes()
        named = sio.get_untrusted_types(data=data)
    except OSError as exc:
        raise InputError(f"model file {path}: cannot read it ({exc.strerror})") from None
    except Exception:  # zip or schema errors: whatever the file is, it is not a saved model
        raise InputError(f"model file {path} is not a segkit model (saved by segkit cycle as {MODEL_FILE}) "
                         "or it is truncated or corrupt") from None
    refused = [name for name in named if not trusted(name)]
    if refused and not trust:
        raise InputError(f"model file {path} names types segkit does not trust: {', '.join(refused[:5])}. "
                         "It may run code when loaded; use --trust only for a file you made yourself")
    try:
        model = sio.loads(data, trusted=named)
    except Exception as exc:
        raise InputError(f"model file {path} cannot be loaded: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    if not (hasattr(model, "predict_proba") and hasattr(model, "segment_ids_")):
        raise InputError(f"model file {path} holds a {type(model).__name__}, not a fitted segment model")
    return model


def load_personas(model_path: str | os.PathLike) -> list[dict] | None:
    """The personas of ``personas.yml`` beside a cycle's model file (``None`` when there is none)."""
    import yaml

    personas_file = Path(model_path).with_name("personas.yml")
    if not personas_file.is_file():
        return None
    return yaml.safe_load(personas_file.read_text(encoding="utf-8"))["personas"]
