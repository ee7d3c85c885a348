"""The cycle configuration: loading, overrides, errors and the saved copy.

A cycle config is a YAML file, read into :class:`~segkit_helpers.io.config_model.CycleConfig`
(every key, type, default and meaning is there); unknown keys, missing required keys and
values of the wrong type are errors raised before any work starts, one line naming the
key. Relative paths resolve against the config file's folder.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from segkit_helpers.errors import ConfigError
from segkit_helpers.io.config_fields import check_cycle_name, config_error
from segkit_helpers.io.config_inputs import url_without_password
from segkit_helpers.io.config_model import CycleConfig
from segkit_helpers.io.paths import SAMPLE_CONFIGS, default_workdir


def load_cycle_config(path: str | os.PathLike, overrides: dict[str, Any] | None = None) -> CycleConfig:
    """Read and validate a cycle config into its typed model.

    Parameters
    ----------
    path
        The YAML file.
    overrides
        Dotted key → value pairs applied on top (``{"segmentation.k": 4}``), as given
        by ``segkit cycle -p NAME VALUE``.

    Returns
    -------
    CycleConfig
        Every default filled in, ``asof`` a :class:`datetime.date`, every path absolute.

    Raises
    ------
    ConfigError
        Unreadable file, unknown or missing key, wrong type, a ``password_env`` that is not
        set; the message names the key.
    """
    path = Path(path).resolve()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"config file {path} must be a mapping of keys to values")
    for dotted, value in (overrides or {}).items():
        _set_dotted(raw, dotted, value)
    return validate_config(raw, path.parent)


def load_config(path: str | os.PathLike, overrides: dict[str, Any] | None = None) -> dict:
    """:func:`load_cycle_config` as the plain nested dict (:meth:`CycleConfig.as_dict`) the steps read."""
    return load_cycle_config(path, overrides).as_dict()


def validate_config(raw: dict, folder: str | os.PathLike | None = None) -> CycleConfig:
    """Validate a config mapping (as read from YAML); relative paths resolve against ``folder`` when given.

    Raises
    ------
    ConfigError
        The first problem, in one line naming its key (:func:`config_error`).
    """
    try:
        return CycleConfig.model_validate(raw, context={"folder": Path(folder) if folder else None})
    except ValidationError as exc:
        raise config_error(exc, CycleConfig) from None


def parse_override(name: str, value: str) -> tuple[str, Any]:
    """Turn a command-line ``-p NAME VALUE`` into a typed override (YAML scalar rules)."""
    try:
        return name, yaml.safe_load(value)
    except yaml.YAMLError:
        return name, value


def _set_dotted(raw: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = raw
    for key in keys[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise ConfigError(f"cannot set '{dotted}': '{key}' is not a section")
    node[keys[-1]] = value


def resolve_workdir(workdir: str | os.PathLike | None = None) -> Path:
    """The folder that holds ``data/processed`` and ``reports``.

    An empty value means ``$SEGKIT_WORKDIR`` if set, else :func:`~segkit_helpers.io.paths.default_workdir`
    (in a checkout the project root, so that notebooks opened in JupyterLab write next to the
    shipped data; in an installed wheel the current folder, never the installed package).
    """
    if workdir:
        return Path(workdir).resolve()
    return Path(os.environ.get("SEGKIT_WORKDIR") or default_workdir()).resolve()


def processed_dir(workdir: Path, cycle: str) -> Path:
    """``<workdir>/data/processed/<cycle>``: the artefacts of one cycle (``cycle`` checked as a safe name)."""
    return Path(workdir) / "data" / "processed" / check_cycle_name(cycle)


def reports_dir(workdir: Path, cycle: str) -> Path:
    """``<workdir>/reports/<cycle>``: the HTML reports of one cycle (``cycle`` checked as a safe name)."""
    return Path(workdir) / "reports" / check_cycle_name(cycle)


def default_config_path() -> Path:
    """The config notebooks use when none is given: the sample's first cycle."""
    return SAMPLE_CONFIGS[0]


def dump_config(cfg: dict) -> str:
    """The resolved config as YAML text (saved with each cycle's artefacts), without database passwords.

    A password from ``password_env`` is left out of its URL (the variable's name stays); one
    written in a URL is shown as ``***``.
    """
    plain = copy.deepcopy(cfg)
    plain["asof"] = plain["asof"].isoformat()
    for link in [*plain["sources"].values(), plain["deploy"]["target"]]:
        if link["url"]:
            link["url"] = _public_url(link["url"])
    return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True)


def _public_url(url: Any) -> str:
    """``url`` as text without its password: removed when set from the environment, else ``***``."""
    import sqlalchemy

    if not isinstance(url, str):  # a URL object: its password came from password_env
        return url_without_password(url)
    try:
        parsed = sqlalchemy.make_url(url)
    except sqlalchemy.exc.ArgumentError:
        return url  # not a URL: nothing to hide (a wrong URL is reported when it is opened)
    return url if parsed.password is None else parsed.render_as_string(hide_password=True)
