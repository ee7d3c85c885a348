"""Input tables: reading CSV/Parquet/Excel sources, mapping columns, checking and cleaning.

Every table is read with its source columns renamed to segkit's logical names
(``columns.<table>`` in the config; an unmapped logical name is looked up under its
own name). Problems are reported as :class:`~segkit_helpers.errors.InputError` naming
the table, column, number of bad rows and an example.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from segkit_helpers.config import TABLE_COLUMNS
from segkit_helpers.errors import InputError

READERS = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel", ".xls": "excel"}


def _format(path: Path, table: str) -> str:
    try:
        return READERS[path.suffix.lower()]
    except KeyError:
        raise InputError(
            f"table '{table}': cannot read '{path.name}': unknown file type '{path.suffix}'. "
            f"Use one of: {', '.join(sorted(READERS))}."
        ) from None


def source_columns(path: str | Path, table: str, sheet: str | None = None) -> list[str]:
    """The column names of a source file, read without loading its rows."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"table '{table}': file not found: {path}. Check 'sources.{table}.path' in the config.")
    fmt = _format(path, table)
    try:
        if fmt == "parquet":
            return list(pq.read_schema(path).names)
        if fmt == "csv":
            return list(pd.read_csv(path, nrows=0).columns)
        return list(pd.read_excel(path, sheet_name=sheet or 0, nrows=0).columns)
    except Exception as exc:  # any reader failure means the file is unusable as this format
        raise InputError(f"table '{table}': cannot read {path} as {fmt}: {exc}") from None


def column_mapping(cfg: dict, table: str, available: list[str]) -> dict[str, str]:
    """Logical name → source column for ``table``, checked against ``available``.

    Raises
    ------
    InputError
        A required logical column is neither mapped nor present, or a mapped source
        column is missing from the file.
    """
    mapped = dict(cfg["columns"].get(table, {}))
    spec = TABLE_COLUMNS[table]
    for logical in spec["required"] + spec["optional"]:
        if logical not in mapped and logical in available:
            mapped[logical] = logical
    for logical, source in mapped.items():
        if source not in available:
            raise InputError(
                f"table '{table}': column '{source}' (mapped to '{logical}' by 'columns.{table}.{logical}') "
                f"is not in the source. Source columns: {', '.join(map(str, available))}."
            )
    needed = list(spec["required"])
    if table == "transactions" and "amount" not in mapped:
        needed += ["quantity", "unit_price"]
    for logical in needed:
        if logical not in mapped:
            hint = " (or map 'amount' instead of quantity and unit_price)" if logical in ("quantity", "unit_price") else ""
            raise InputError(
                f"table '{table}': required column '{logical}' is not mapped{hint}. "
                f"Add 'columns.{table}.{logical}: <source column>' to the config. "
                f"Source columns: {', '.join(map(str, available))}."
            )
    return mapped


def check_sources(cfg: dict) -> None:
    """Check that every configured source is readable and has its required columns.

    Cheap: reads headers only. Run before a cycle starts so that a bad config fails
    in seconds, not in the middle of a notebook.
    """
    for table, source in cfg["sources"].items():
        if source["path"]:
            available = source_columns(source["path"], table, source["sheet"])
            column_mapping(cfg, table, available)


def read_table(cfg: dict, table: str) -> pd.DataFrame:
    """Read one configured input table with logical column names.

    Parameters
    ----------
    cfg
        A config from :func:`segkit_helpers.config.load_config`.
    table
        ``transactions``, ``customers``, ``survey`` or ``experiments``.

    Returns
    -------
    pandas.DataFrame
        Only the mapped columns, renamed to their logical names. ``customer_id`` is
        text (leading zeros kept), missing ids are ``NA``.
    """
    source = cfg["sources"][table]
    path = Path(source["path"])
    mapping = column_mapping(cfg, table, source_columns(path, table, source["sheet"]))
    usecols = list(dict.fromkeys(mapping.values()))
    text_cols = {mapping["customer_id"]: "string"}
    if "order_id" in mapping:
        text_cols[mapping["order_id"]] = "string"
    fmt = _format(path, table)
    if fmt == "parquet":
        df = pd.read_parquet(path, columns=usecols)
    elif fmt == "csv":
        df = pd.read_csv(path, usecols=usecols, dtype=text_cols)
    else:
        df = pd.read_excel(path, sheet_name=source["sheet"] or 0, usecols=usecols, dtype=text_cols)
    out = pd.DataFrame({logical: df[src] for logical, src in mapping.items()})
    out["customer_id"] = _as_id(out["customer_id"])
    if "order_id" in out:
        out["order_id"] = _as_id(out["order_id"])
    return out


def load_transactions(cfg: dict) -> pd.DataFrame:
    """Read and type the order lines: :func:`read_table` then :func:`prepare_transactions`."""
    return prepare_transactions(read_table(cfg, "transactions"))


def _as_id(values: pd.Series) -> pd.Series:
    """Ids as text; integer-valued numbers lose no digits and get no '.0'."""
    if pd.api.types.is_float_dtype(values):
        values = values.astype("Int64")
    out = values.astype("string").str.strip()
    return out.mask(out == "", pd.NA)


def prepare_transactions(lines: pd.DataFrame, table: str = "transactions") -> pd.DataFrame:
    """Type and complete order lines: dates, numbers, ``amount`` and ``order_id``.

    Parameters
    ----------
    lines
        Logical columns from :func:`read_table`.

    Returns
    -------
    pandas.DataFrame
        Same rows plus ``order_day`` (calendar date of ``order_date``), ``amount``
        (``quantity × unit_price`` unless given) and ``order_id`` (one customer's
        lines on one calendar day when the source has none).

    Raises
    ------
    InputError
        Dates or numbers that cannot be parsed, with their count and an example.
    """
    out = lines.copy()
    out["order_date"] = _parse_dates(out["order_date"], table, "order_date")
    for col in ("quantity", "unit_price", "amount", "cost"):
        if col in out:
            out[col] = _parse_numbers(out[col], table, col)
    if "amount" not in out:
        out["amount"] = out["quantity"] * out["unit_price"]
    out["order_day"] = out["order_date"].dt.normalize()
    if "order_id" not in out:
        day = out["order_day"].dt.strftime("%Y-%m-%d")
        out["order_id"] = (out["customer_id"] + "@" + day).astype("string")
    return out


def _parse_dates(values: pd.Series, table: str, column: str) -> pd.Series:
    parsed = pd.to_datetime(values, errors="coerce")
    bad = parsed.isna() & values.notna()
    if bad.any():
        raise InputError.bad_rows(table, column, int(bad.sum()), values[bad].iloc[0], "are not dates")
    if parsed.isna().any():
        raise InputError.bad_rows(table, column, int(parsed.isna().sum()), None, "have no date")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[us]")


def _parse_numbers(values: pd.Series, table: str, column: str) -> pd.Series:
    parsed = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = parsed.isna() & values.notna()
    if bad.any():
        raise InputError.bad_rows(table, column, int(bad.sum()), values[bad].iloc[0], "are not numbers")
    if parsed.isna().any():
        raise InputError.bad_rows(table, column, int(parsed.isna().sum()), None, "are empty")
    return parsed


def is_cancellation(lines: pd.DataFrame, prefix: str = "C") -> pd.Series:
    """Lines that are returns or cancellations: negative quantity/amount or an order id starting with ``prefix``."""
    flag = lines["amount"] < 0
    if "quantity" in lines:
        flag |= lines["quantity"] < 0
    if prefix:
        flag |= lines["order_id"].str.startswith(prefix).fillna(False).astype(bool)
    return flag


def clean_transactions(lines: pd.DataFrame, cfg: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the cleaning rules and count what each one did.

    Rules, in order (``cleaning.*`` in the config):

    1. drop lines without a customer id;
    2. drop lines dated after ``asof`` (``asof`` is inclusive);
    3. drop exact duplicate lines (``drop_duplicates``);
    4. drop lines with a zero or negative unit price (adjustments, free samples);
    5. keep returns and cancellations, netted into the customer's revenue (counted);
    6. drop customers whose net revenue is not positive (``drop_non_positive_customers``).

    Parameters
    ----------
    lines
        Output of :func:`prepare_transactions`.
    cfg
        The cycle config.

    Returns
    -------
    clean : pandas.DataFrame
        The remaining lines.
    report : pandas.DataFrame
        One row per rule: ``rule``, ``action`` (removed/netted), ``lines``,
        ``customers`` (distinct customers affected) and ``lines_left``.
    """
    rules = cfg["cleaning"]
    asof = pd.Timestamp(cfg["asof"])
    steps: list[tuple[str, str, pd.Series, int, int]] = []
    current = lines

    def drop(rule: str, mask: pd.Series) -> None:
        nonlocal current
        steps.append((rule, "removed", current.loc[mask, "customer_id"], int(mask.sum()), len(current) - int(mask.sum())))
        current = current.loc[~mask]

    drop("no customer id", current["customer_id"].isna())
    drop(f"dated after asof ({cfg['asof']})", current["order_day"] > asof)
    if rules["drop_duplicates"]:
        drop("exact duplicate line", current.duplicated(keep="first"))
    if "unit_price" in current:
        drop("unit price zero or negative", current["unit_price"] <= 0)
    netted = is_cancellation(current, rules["cancellation_prefix"])
    steps.append(("return or cancellation", "netted", current.loc[netted, "customer_id"], int(netted.sum()), len(current)))
    if rules["drop_non_positive_customers"]:
        net = current.groupby("customer_id", observed=True)["amount"].transform("sum")
        drop("customer's net revenue not positive", net.round(2) <= 0)  # cents: float sums of netted lines
    report = pd.DataFrame(
        [
            {"rule": rule, "action": action, "lines": n, "customers": ids.nunique(), "lines_left": left}
            for rule, action, ids, n, left in steps
        ]
    )
    return current.reset_index(drop=True), report


def sample_period(lines: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """First and last calendar day present in ``lines``."""
    return lines["order_day"].min().date(), lines["order_day"].max().date()


def summarize_lines(lines: pd.DataFrame) -> pd.Series:
    """Headline counts of a line table: lines, customers, orders, revenue."""
    return pd.Series(
        {
            "lines": len(lines),
            "customers": lines["customer_id"].nunique(),
            "orders": lines["order_id"].nunique(),
            "net revenue": float(np.round(lines["amount"].sum(), 2)),
        }
    )
