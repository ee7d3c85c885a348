"""Paths and the cycle configuration: schema, defaults, loading and validation.

A cycle config is a YAML file. Every key is listed in :data:`SCHEMA`; unknown keys,
missing required keys and values of the wrong type are errors raised before any
work starts. Relative paths resolve against the config file's folder.
"""

from __future__ import annotations

import codecs
import copy
import datetime as dt
import difflib
import os
import re
from pathlib import Path
from typing import Any

import yaml

from segkit_helpers.errors import ConfigError
from segkit_helpers.schemes.catalog import SCHEMES
from segkit_helpers.io.sources import FILE_FORMATS

PROJ_ROOT = Path(__file__).resolve().parents[2]
CYCLES_DIR = PROJ_ROOT / "cycles"
RESOURCES_DIR = Path(__file__).resolve().parents[1] / "resources"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
#: The shipped sample: two cycles of the Online Retail data, run in this order.
SAMPLE_CONFIGS = [
    CYCLES_DIR / "online_retail_2011-06-01.yml",
    CYCLES_DIR / "online_retail_2011-12-09.yml",
]

REQUIRED = object()  # marker: the key has no default

#: Logical column names per input table (DESIGN.md): the one list, which the readers in
#: ``data`` follow. ``required`` must be present (``quantity``/``unit_price`` may be replaced
#: by ``amount``). ``line_id`` identifies an order line in the source (a line number or id);
#: ``status`` is an order line's state, for ``cleaning.cancelled_statuses``.
TABLE_COLUMNS: dict[str, dict[str, list[str]]] = {
    "transactions": {
        "required": ["customer_id", "order_date"],
        "optional": ["order_id", "line_id", "quantity", "unit_price", "amount", "product", "category", "cost",
                     "channel", "status"],
    },
    "customers": {
        "required": ["customer_id"],
        "optional": ["industry", "employees", "revenue", "legal_form", "region", "cost_to_serve", "acquisition_date"],
    },
    "survey": {"required": ["customer_id"], "optional": []},
    "experiments": {"required": ["customer_id", "group"], "optional": ["converted", "revenue"]},
}
#: Tables whose mapping may name extra logical columns (survey questions, firmographic attributes);
#: their unmapped source columns are read too, under their own names.
OPEN_TABLES = {"survey", "customers"}



#: The ``sources.<table>`` keys that say how a CSV file is written; the defaults read a plain
#: UTF-8 export. (DESIGN.md: "CSV files are read as real exports are written".)
CSV_DIALECT: dict[str, tuple] = {
    "delimiter": (str, None),  # None: detected by DuckDB's sniffer
    "decimal": (str, "."),  # "." or ","
    "thousands": (str, None),  # digit group separator; None: none with ".", spaces with ","
    "encoding": (str, "utf-8"),  # any Python codec name: utf-8, cp1250, cp1251, latin-1 ...
    "header": (bool, True),  # False: columns are named column0, column1, ...
}


def _source_schema() -> dict:
    return {
        "path": (str, None),  # CSV, Parquet, Excel or DuckDB file
        "sheet": (str, None),  # Excel sheet
        "url": (str, None),  # SQLAlchemy URL, instead of a path
        "query": (str, None),  # SQL for a url or a DuckDB file
        "table": (str, None),  # table name for a url or a DuckDB file (instead of a query)
        "date_format": (str, None),  # strptime format of text dates, e.g. "%d/%m/%Y %H:%M"
        "timezone": (str, None),  # IANA zone the dates are read in; none: the clock written in the data
        **CSV_DIALECT,
    }


#: Every config key: ``(type, default)`` leaves inside nested dicts.
SCHEMA: dict[str, Any] = {
    "cycle": (str, REQUIRED),
    "asof": (dt.date, REQUIRED),
    "previous_cycle": (str, None),
    "seed": (int, 42),
    "sources": {table: _source_schema() for table in TABLE_COLUMNS},
    "columns": {table: dict for table in TABLE_COLUMNS},
    "readiness": {
        "goal": (str, ""),
        "base_large_and_varied": (str, ""),
        "actionable": (str, ""),
        "resources": (str, ""),
        "will_act": (str, ""),
        "min_customers": (int, 200),
        "min_history_days": (int, 180),
        "max_missing_customer_share": (float, 0.5),
        "stop_on_no_go": (bool, True),
    },
    "engine": {"threads": (int, None), "memory_limit": (str, None)},
    "cleaning": {
        "returns": (str, "net"),
        "cancelled_statuses": (list, []),
        "cancellation_prefix": (str, "C"),
        "drop_duplicates": ((bool, str), "auto"),  # auto: decided by the columns mapped (data.duplicate_rule)
        "drop_non_positive_customers": (bool, True),
    },
    "research": {"rfm_rules": (str, None), "product_lines": (str, None), "max_product_lines": (int, 8)},
    "value": {
        "margin_rate": (float, 0.25),
        "cost_per_order": (float, 5.0),
        "cost_per_customer": (float, 0.0),
        "profit_threshold": (float, 0.0),  # profitable = profit above this ...
        "profit_quantile": (float, None),  # ... or above this quantile of profit (e.g. 0.5), when set
    },
    "loyalty": {"threshold": (float, 3.0)},
    "abc": {"a_share": (float, 0.8), "b_share": (float, 0.15)},
    "xyz": {"x_max": (float, 0.5), "y_max": (float, 1.0)},
    "clv": {
        "enabled": (bool, True),
        "horizon_months": (int, 12),
        "discount_rate": (float, 0.10),
        "penalizer": (float, 0.0),
        "holdout_days": (int, 90),
    },
    "segmentation": {
        "scheme": (str, "behavioural"),
        "k": ((int, str), "auto"),
        "k_range": (list, [2, 8]),
        "min_k": (int, 3),
        "stability_resamples": (int, 10),
        "stability_sample": (int, 5000),
        "silhouette_sample": (int, 5000),
        "hybrid_threshold": (float, 0.3),
        "features": (list, None),  # columns clustered; default per scheme (RFM for behavioural)
        "categorical": (list, []),  # firmographic: numeric-coded columns to treat as categories
        "log_features": (list, []),  # firmographic: skewed amounts to log-transform
        "weight_column": (str, None),  # needs: survey weight column
        "min_penetration": (float, 0.3),  # opportunity: a line is whitespace where this share of the segment buys it
    },
    "validation": {
        "bootstrap": (int, 20),
        "alpha": (float, 0.05),
        "min_stability": (float, 0.75),
        "min_segment_stability": (float, 0.6),
        "min_separation": (float, 0.25),
        "hypotheses": (str, None),  # hypothesis register (YAML); default: the shipped example
        "test_features": (list, None),  # features hypotheses are tested on; default per scheme (validation.py)
        "review_sheet": (str, None),  # a review sheet filled in by business experts (CSV)
        "review_typical": (int, 5),
        "review_borderline": (int, 5),
    },
    "monitor": {"psi_alert": (float, 0.25), "revision_months": (int, 12), "last_revision": (dt.date, None)},
    "deploy": {"playbook": (str, None), "target": {"url": (str, None), "table": (str, "segkit_segments"),
                                                     "if_exists": (str, "fail")}},
}


def load_config(path: str | os.PathLike, overrides: dict[str, Any] | None = None) -> dict:
    """Read, complete and validate a cycle config.

    Parameters
    ----------
    path
        The YAML file.
    overrides
        Dotted key → value pairs applied on top (``{"segmentation.k": 4}``), as given
        by ``segkit cycle -p NAME VALUE``.

    Returns
    -------
    dict
        The config with every default filled in, ``asof`` as a :class:`datetime.date`
        and every source path absolute.

    Raises
    ------
    ConfigError
        Unreadable file, unknown or missing key, wrong type; the message names the key.
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
    cfg = _complete(raw, SCHEMA, prefix="")
    _check_values(cfg)
    for table, source in cfg["sources"].items():
        if source["path"]:
            source["path"] = str((path.parent / source["path"]).resolve())
        if source["url"]:
            source["url"] = _resolve_sqlite_url(source["url"], path.parent)
    for key in ("rfm_rules", "product_lines"):
        if cfg["research"][key]:
            cfg["research"][key] = str((path.parent / cfg["research"][key]).resolve())
    if cfg["deploy"]["target"]["url"]:
        cfg["deploy"]["target"]["url"] = _resolve_sqlite_url(cfg["deploy"]["target"]["url"], path.parent)
    for key in ("hypotheses", "review_sheet"):
        if cfg["validation"][key]:
            cfg["validation"][key] = str((path.parent / cfg["validation"][key]).resolve())
    if cfg["deploy"]["playbook"]:
        cfg["deploy"]["playbook"] = str((path.parent / cfg["deploy"]["playbook"]).resolve())
    return cfg


def _resolve_sqlite_url(url: str, folder: Path) -> str:
    """``sqlite:///relative.db`` is resolved against the config's folder, like file paths."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((folder / url[len(prefix):]).resolve())
    return url


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


def _suggest(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"{hint} Allowed here: {', '.join(sorted(allowed))}."


def _complete(raw: dict, schema: dict, prefix: str) -> dict:
    """Check keys of ``raw`` against ``schema`` and fill in defaults, recursively."""
    unknown = [k for k in raw if k not in schema]
    if unknown:
        key = unknown[0]
        raise ConfigError(f"unknown config key '{prefix}{key}'.{_suggest(key, list(schema))}")
    out: dict = {}
    for key, spec in schema.items():
        full = f"{prefix}{key}"
        value = raw.get(key)
        if spec is dict:  # free mapping of str → str (column mappings)
            out[key] = _check_mapping(value or {}, full)
        elif isinstance(spec, dict):
            if value is not None and not isinstance(value, dict):
                raise ConfigError(f"config key '{full}' must be a section (a mapping), got {value!r}")
            out[key] = _complete(value or {}, spec, prefix=f"{full}.")
        else:
            out[key] = _check_leaf(value, spec, full)
    return out


def _check_mapping(value: Any, key: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"config key '{key}' must map logical names to source columns")
    for logical, source in value.items():
        if not isinstance(source, str):
            raise ConfigError(f"config key '{key}.{logical}' must be a source column name (text), got {source!r}")
    return dict(value)


def _check_leaf(value: Any, spec: tuple, key: str) -> Any:
    kind, default = spec
    if value is None:
        if default is REQUIRED:
            raise ConfigError(f"config key '{key}' is required but missing. Add it to the config file.")
        return copy.deepcopy(default)
    if kind is dt.date:
        return _as_date(value, key)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is str and isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        return str(value)  # YAML reads `cycle: 2011-06-01` as a date: keep it as text
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise ConfigError(f"config key '{key}' must be {names}, got {value!r}")
    return value


def _as_date(value: Any, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"config key '{key}' must be a date as YYYY-MM-DD, got {value!r}") from None


#: A cycle id: letters, digits, ".", "_" and "-", starting with a letter, digit or "_" (names starting
#: with "." are segkit's own staging and lock folders), and not ending in ".failed" (a failed run's copy).
CYCLE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")


def check_cycle_name(name: Any, key: str = "cycle") -> str:
    """``name`` if it is a safe cycle id (:data:`CYCLE_NAME`), else a :class:`ConfigError` naming ``key``.

    A cycle id names the folders ``data/processed/<cycle>`` and ``reports/<cycle>`` that
    a run replaces, so it must be one plain folder name: no path separators, not
    ``.`` or ``..``, nothing that resolves elsewhere.
    """
    text = str(name)
    if not CYCLE_NAME.fullmatch(text) or text.endswith(".failed"):
        raise ConfigError(f"config key '{key}' is {text!r}: a cycle id is one folder name of letters, digits, '.', '_' "
                          "and '-' (up to 100, not starting with '.', no '/' or '\\', not ending in '.failed'), "
                          "e.g. '2024-06-30'")
    return text


def _check_values(cfg: dict) -> None:
    check_cycle_name(cfg["cycle"])
    if cfg["previous_cycle"] is not None:
        check_cycle_name(cfg["previous_cycle"], "previous_cycle")
        if cfg["previous_cycle"] == cfg["cycle"]:
            raise ConfigError(f"config key 'previous_cycle' is the cycle itself ('{cfg['cycle']}'): name an earlier cycle")
    engine = cfg["engine"]
    if engine["threads"] is not None and engine["threads"] < 1:
        raise ConfigError(f"config key 'engine.threads' must be a whole number of at least 1, got {engine['threads']!r}")
    if engine["memory_limit"] is not None:
        _check_memory_limit(engine["memory_limit"])
    seg = cfg["segmentation"]
    if seg["scheme"] not in SCHEMES:
        raise ConfigError(f"config key 'segmentation.scheme' is '{seg['scheme']}'.{_suggest(seg['scheme'], list(SCHEMES))}")
    k_range = seg["k_range"]
    if len(k_range) != 2 or not all(isinstance(k, int) for k in k_range) or not 2 <= k_range[0] <= k_range[1]:
        raise ConfigError(f"config key 'segmentation.k_range' must be [min, max] with 2 <= min <= max, got {k_range!r}")
    k = seg["k"]
    if not (k == "auto" or (isinstance(k, int) and not isinstance(k, bool) and k >= 2)):
        raise ConfigError(f"config key 'segmentation.k' must be 'auto' or an integer >= 2, got {k!r}")
    if not 0 < cfg["abc"]["a_share"] < cfg["abc"]["a_share"] + cfg["abc"]["b_share"] < 1:
        raise ConfigError("config keys 'abc.a_share' and 'abc.b_share' must be positive and sum to less than 1")
    if not 0 < cfg["xyz"]["x_max"] < cfg["xyz"]["y_max"]:
        raise ConfigError("config keys 'xyz.x_max' < 'xyz.y_max' must be positive thresholds of the coefficient of variation")
    if cfg["clv"]["horizon_months"] < 1 or not 0 <= cfg["clv"]["discount_rate"] < 1:
        raise ConfigError("config keys 'clv.horizon_months' (>= 1) and 'clv.discount_rate' (annual, 0 to 1) are out of range")
    quantile = cfg["value"]["profit_quantile"]
    if quantile is not None and not 0 < quantile < 1:
        raise ConfigError(f"config key 'value.profit_quantile' must be between 0 and 1 (e.g. 0.5), got {quantile!r}")
    if not 0 < seg["min_penetration"] <= 1:
        raise ConfigError("config key 'segmentation.min_penetration' must be a share in (0, 1]")
    if cfg["validation"]["bootstrap"] < 2:
        raise ConfigError("config key 'validation.bootstrap' must be at least 2")
    if cfg["deploy"]["target"]["if_exists"] not in ("fail", "replace"):
        raise ConfigError("config key 'deploy.target.if_exists' must be 'fail' (leave a table segkit did not create "
                          f"alone) or 'replace', got {cfg['deploy']['target']['if_exists']!r}")
    if cfg["cleaning"]["returns"] not in ("net", "drop"):
        raise ConfigError(f"config key 'cleaning.returns' must be 'net' or 'drop', got {cfg['cleaning']['returns']!r}")
    if cfg["cleaning"]["drop_duplicates"] not in (True, False, "auto"):
        raise ConfigError("config key 'cleaning.drop_duplicates' must be auto, true or false, "
                          f"got {cfg['cleaning']['drop_duplicates']!r}")
    if not (cfg["sources"]["transactions"]["path"] or cfg["sources"]["transactions"]["url"]):
        raise ConfigError("config key 'sources.transactions.path' (or '.url' with '.query') is required: "
                          "the order lines to segment")
    for table, source in cfg["sources"].items():
        if source["path"] and source["url"]:
            raise ConfigError(f"config keys 'sources.{table}.path' and '.url' exclude each other: keep one")
        if source["url"] and not (source["query"] or source["table"]):
            raise ConfigError(f"config key 'sources.{table}.url' needs '.query' (SQL) or '.table'")
        _check_dialect(source, table)
        if source["timezone"] is not None:
            _check_timezone(source["timezone"], table)
    for table, mapping in cfg["columns"].items():
        if table in OPEN_TABLES:
            continue
        allowed = TABLE_COLUMNS[table]["required"] + TABLE_COLUMNS[table]["optional"]
        for logical in mapping:
            if logical not in allowed:
                raise ConfigError(f"unknown logical column 'columns.{table}.{logical}'.{_suggest(logical, allowed)}")


#: Units DuckDB accepts in ``memory_limit``, in bytes.
MEMORY_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
                "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
#: Below this DuckDB cannot run segkit's aggregations at all.
MIN_MEMORY_LIMIT = 64 * 10**6


def _check_memory_limit(text: str) -> None:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*", str(text).lower())
    if not match or match[2] not in MEMORY_UNITS:
        raise ConfigError(f"config key 'engine.memory_limit' must be an amount with a unit such as '600MB' or '4GB', "
                          f"got {text!r}")
    if float(match[1]) * MEMORY_UNITS[match[2]] < MIN_MEMORY_LIMIT:
        raise ConfigError(f"config key 'engine.memory_limit' is {text!r}: segkit needs at least 64MB for DuckDB "
                          "(beyond the limit it spills to disk, so a few hundred MB is a safe floor)")


def _check_timezone(name: str, table: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"config key 'sources.{table}.timezone': unknown time zone {name!r} "
                          "(an IANA name such as 'Europe/Warsaw', 'Europe/Moscow' or 'UTC')") from None


def _check_dialect(source: dict, table: str) -> None:
    """The CSV dialect keys of one source: CSV files only, and values DuckDB and Python can use."""
    given = [key for key, (_, default) in CSV_DIALECT.items() if source[key] != default]
    is_csv = bool(source["path"]) and FILE_FORMATS.get(Path(source["path"]).suffix.lower()) == "csv"
    if given and not is_csv:
        raise ConfigError(f"config key 'sources.{table}.{given[0]}' applies to CSV files only "
                          f"(.csv, .txt, .tsv); remove it for {source['path'] or 'a database source'}")
    if source["decimal"] not in (".", ","):
        raise ConfigError(f"config key 'sources.{table}.decimal' must be \".\" or \",\", got {source['decimal']!r}")
    separators = {"delimiter": source["delimiter"], "thousands": source["thousands"]}
    for key, value in separators.items():
        if value is not None and len(value) != 1:
            raise ConfigError(f"config key 'sources.{table}.{key}' must be one character, got {value!r}")
    if source["thousands"] is not None and (source["thousands"] == source["decimal"]
                                            or source["thousands"].isdigit()):
        raise ConfigError(f"config key 'sources.{table}.thousands' must be a non-digit other than the decimal "
                          f"separator, got {source['thousands']!r}")
    try:
        codecs.lookup(source["encoding"])
    except LookupError:
        raise ConfigError(f"config key 'sources.{table}.encoding': unknown encoding {source['encoding']!r} "
                          f"(e.g. utf-8, cp1250, cp1251, latin-1)") from None


def resolve_workdir(workdir: str | os.PathLike | None = None) -> Path:
    """The folder that holds ``data/processed`` and ``reports``.

    An empty value means ``$SEGKIT_WORKDIR`` if set, else the project root (so that
    notebooks opened in JupyterLab write next to the shipped data).
    """
    if workdir:
        return Path(workdir).resolve()
    return Path(os.environ.get("SEGKIT_WORKDIR") or PROJ_ROOT).resolve()


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
    """The resolved config as YAML text (saved with each cycle's artefacts)."""
    plain = copy.deepcopy(cfg)
    plain["asof"] = plain["asof"].isoformat()
    return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True)
