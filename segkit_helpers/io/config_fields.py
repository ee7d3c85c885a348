"""Typed leaves of the cycle config: what a YAML value may be, and the one-line message when it is not.

Every check raises :class:`Invalid`, whose message holds ``{key}`` where the dotted config
key goes (a check does not know where in the config it sits); :mod:`segkit_helpers.io.config`
fills it in and raises :class:`~segkit_helpers.errors.ConfigError`. Paths and SQLite URLs are
resolved against the ``folder`` of the validation context (the config file's folder).
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from babel.numbers import is_currency
from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationError, ValidationInfo,
    model_validator,
)

from segkit_helpers.errors import ConfigError
from segkit_helpers.schemes import SCHEMES


class Invalid(ValueError):
    """A config value breaks a rule; ``{key}`` in the message stands for the dotted key."""

    def for_key(self, key: str) -> str:
        """The message naming ``key``."""
        return str(self).replace("{key}", key)


def suggest(key: str, allowed: list[str]) -> str:
    """The "did you mean" hint for an unknown ``key``, and the keys allowed there."""
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"{hint} Allowed here: {', '.join(sorted(allowed))}."


def _kind(kind: type, name: str) -> BeforeValidator:
    """YAML's reading of a scalar, checked: an int is a float, a number or date is text, a bool is neither."""

    def check(value: Any) -> Any:
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if kind is str and isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
            return str(value)  # YAML reads `cycle: 2011-06-01` as a date: keep it as text
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise Invalid(f"config key '{{key}}' must be {name}, got {value!r}")
        return value

    return BeforeValidator(check)


def rule(test: Callable[[Any], bool], must: str) -> AfterValidator:
    """A check of one value: ``test`` false gives "config key '...' ``must``, got ...". """

    def check(value: Any) -> Any:
        if not test(value):
            raise Invalid(f"config key '{{key}}' {must}, got {value!r}")
        return value

    return AfterValidator(check)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"config key '{{key}}' must be a date as YYYY-MM-DD, got {value!r}") from None


def _text_list(value: Any) -> list[str]:
    if not isinstance(value, list) or any(isinstance(item, (bool, list, dict)) or item is None for item in value):
        raise Invalid(f"config key '{{key}}' must be a list of names, got {value!r}")
    return [str(item) for item in value]


def _k_range(value: Any) -> list[int]:
    if not (isinstance(value, list) and len(value) == 2
            and all(isinstance(k, int) and not isinstance(k, bool) for k in value) and 2 <= value[0] <= value[1]):
        raise Invalid(f"config key '{{key}}' must be [min, max] with 2 <= min <= max, got {value!r}")
    return value


def _k(value: Any) -> int | str:
    if not (value == "auto" or (isinstance(value, int) and not isinstance(value, bool) and value >= 2)):
        raise Invalid(f"config key '{{key}}' must be 'auto' or an integer >= 2, got {value!r}")
    return value


def one_of(*choices: Any, meaning: str = "") -> BeforeValidator:
    """Exactly one of ``choices`` (compared with ``is`` for bools, so 1 is not true)."""

    def check(value: Any) -> Any:
        if not any(value is c if isinstance(c, bool) else (value == c and not isinstance(value, bool)) for c in choices):
            names = meaning or " or ".join(repr(c) for c in choices)
            raise Invalid(f"config key '{{key}}' must be {names}, got {value!r}")
        return value

    return BeforeValidator(check)


def _column_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise Invalid("config key '{key}' must map logical names to source columns")
    for logical, source in value.items():
        if not isinstance(source, str):
            raise Invalid(f"config key '{{key}}.{logical}' must be a source column name (text), got {source!r}")
    return dict(value)


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    folder = (info.context or {}).get("folder")
    return (Path(folder) / value).resolve() if folder else value


def _resolve_sqlite_url(url: str, info: ValidationInfo) -> str:
    """``sqlite:///relative.db`` is resolved against the config's folder, like file paths."""
    folder = (info.context or {}).get("folder")
    prefix = "sqlite:///"
    if folder and url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((Path(folder) / url[len(prefix):]).resolve())
    return url


#: A cycle id: letters, digits, ".", "_" and "-", starting with a letter, digit or "_" (names starting
#: with "." are segkit's own staging and lock folders), and not ending in ".failed" (a failed run's copy).
CYCLE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")


def _cycle_id(text: str) -> str:
    if not CYCLE_NAME.fullmatch(text) or text.endswith(".failed"):
        raise Invalid(f"config key '{{key}}' is {text!r}: a cycle id is one folder name of letters, digits, '.', '_' "
                      "and '-' (up to 100, not starting with '.', no '/' or '\\', not ending in '.failed'), "
                      "e.g. '2024-06-30'")
    return text


def check_cycle_name(name: Any, key: str = "cycle") -> str:
    """``name`` if it is a safe cycle id (:data:`CYCLE_NAME`), else a :class:`ConfigError` naming ``key``.

    A cycle id names the folders ``data/processed/<cycle>`` and ``reports/<cycle>`` that
    a run replaces, so it must be one plain folder name: no path separators, not
    ``.`` or ``..``, nothing that resolves elsewhere.
    """
    try:
        return _cycle_id(str(name))
    except Invalid as exc:
        raise ConfigError(exc.for_key(key)) from None


#: Units DuckDB accepts in ``memory_limit``, in bytes.
MEMORY_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
                "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
#: Below this DuckDB cannot run segkit's aggregations at all.
MIN_MEMORY_LIMIT = 64 * 10**6


def _memory_limit(text: str) -> str:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*", text.lower())
    if not match or match[2] not in MEMORY_UNITS:
        raise Invalid(f"config key '{{key}}' must be an amount with a unit such as '600MB' or '4GB', got {text!r}")
    if float(match[1]) * MEMORY_UNITS[match[2]] < MIN_MEMORY_LIMIT:
        raise Invalid(f"config key '{{key}}' is {text!r}: segkit needs at least 64MB for DuckDB "
                      "(beyond the limit it spills to disk, so a few hundred MB is a safe floor)")
    return text


def _timezone(name: str) -> str:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"config key '{{key}}': unknown time zone {name!r} "
                      "(an IANA name such as 'Europe/Warsaw', 'Europe/Moscow' or 'UTC')") from None
    return name


def _encoding(name: str) -> str:
    try:
        codecs.lookup(name)
    except LookupError:
        raise Invalid(f"config key '{{key}}': unknown encoding {name!r} (e.g. utf-8, cp1250, cp1251, latin-1)") from None
    return name


def _scheme(name: str) -> str:
    if name not in SCHEMES:
        raise Invalid(f"config key '{{key}}' is '{name}'.{suggest(name, list(SCHEMES))}")
    return name


def _env_name(name: str) -> str:
    if name not in os.environ:
        raise Invalid(f"config key '{{key}}' names the environment variable '{name}', which is not set: set it to "
                      "the database password before running segkit")
    return name


Int = Annotated[int, _kind(int, "int")]
Float = Annotated[float, _kind(float, "float")]
Flag = Annotated[bool, _kind(bool, "bool")]
Text = Annotated[str, _kind(str, "str")]
Date = Annotated[dt.date, BeforeValidator(_as_date)]
Names = Annotated[list[str], BeforeValidator(_text_list)]
Share = Annotated[Float, rule(lambda x: 0 < x < 1, "must be between 0 and 1 (e.g. 0.5)")]
Currency = Annotated[Text, AfterValidator(str.upper), rule(is_currency, "must be an ISO 4217 currency code (e.g. GBP, EUR, PLN)")]
#: A file named in the config: absolute after loading, text in the plain dict.
ConfigPath = Annotated[Path, _kind(str, "str"), AfterValidator(_resolve_path), PlainSerializer(str, return_type=str)]
DatabaseUrl = Annotated[str, _kind(str, "str"), AfterValidator(_resolve_sqlite_url)]
PasswordEnv = Annotated[str, _kind(str, "str"), AfterValidator(_env_name)]
CycleId = Annotated[str, _kind(str, "str"), AfterValidator(_cycle_id)]
Scheme = Annotated[str, _kind(str, "str"), AfterValidator(_scheme)]
MemoryLimit = Annotated[str, _kind(str, "str"), AfterValidator(_memory_limit)]
TimeZone = Annotated[str, _kind(str, "str"), AfterValidator(_timezone)]
Encoding = Annotated[str, _kind(str, "str"), AfterValidator(_encoding)]
Char = Annotated[str, _kind(str, "str"), rule(lambda s: len(s) == 1, "must be one character")]
K = Annotated[int | Literal["auto"], BeforeValidator(_k)]
KRange = Annotated[list[int], BeforeValidator(_k_range)]
ColumnMap = Annotated[dict[str, str], BeforeValidator(_column_map)]


def key(default: Any = ..., meaning: str = "", shown: str | None = None, **kwargs: Any) -> Any:
    """A config key: its default, its meaning (the README's), and how the table shows the default."""
    return Field(default, description=meaning, json_schema_extra={"shown": shown} if shown else None, **kwargs)


def section(model: type[BaseModel]) -> Any:
    """A section of the config: its model's defaults when the file leaves it out."""
    return Field(default_factory=model)


class Section(BaseModel):
    """A mapping of the config: unknown keys are errors, ``null`` means the default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _nulls_are_defaults(cls, data: Any) -> Any:
        return {k: v for k, v in data.items() if v is not None} if isinstance(data, dict) else data


def config_error(exc: ValidationError, root: type[BaseModel]) -> ConfigError:
    """The first problem pydantic found under ``root``, as one line naming its key.

    An unknown key comes first: it is usually a misspelt one, which also makes a required
    key look missing.
    """
    errors = sorted(exc.errors(), key=lambda error: error["type"] != "extra_forbidden")
    return ConfigError(_message(errors[0], root))


def _message(error: dict, root: type[BaseModel]) -> str:
    """One pydantic error as segkit's one-line message."""
    loc = tuple(str(part) for part in error["loc"])
    key = ".".join(loc)
    problem = error.get("ctx", {}).get("error")
    if isinstance(problem, Invalid):
        return problem.for_key(key)
    if error["type"] == "extra_forbidden":
        parent = section_at(root, loc[:-1])
        allowed = [field.alias or name for name, field in parent.model_fields.items()] if parent else []
        return f"unknown config key '{key}'.{suggest(loc[-1], allowed)}"
    if error["type"] == "missing":
        return f"config key '{key}' is required but missing. Add it to the config file."
    if error["type"] in ("model_type", "dict_type"):
        return f"config key '{key}' must be a section (a mapping), got {error['input']!r}"
    return f"config key '{key}': {error['msg']}"


def section_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The section model at a location under ``root`` (``("segmentation",)``), ``None`` below a leaf."""
    model: type[BaseModel] | None = root
    for part in loc:
        field = model.model_fields.get(part) if model else None
        model = model_of(field.annotation) if field else None
    return model


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The model inside a field's type (``Target``, ``EstimatorSpec | None``), ``None`` for a leaf."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = model_of(arg)
        if found:
            return found
    return None
