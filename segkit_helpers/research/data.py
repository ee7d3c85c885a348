"""Order lines in DuckDB: mapping source columns, typing and checking them, and cleaning.

Order lines never pass through pandas whole: :class:`Lines` is a DuckDB view (or
table) with segkit's logical column names, and every step is a SQL query on it.
Cleaning reduces the lines to an order table and an item table (:func:`aggregated`),
from which every per-customer metric is computed; only per-customer results come
back as DataFrames. Problems are reported as
:class:`~segkit_helpers.errors.InputError` naming the table, column, number of bad
rows and an example.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pandas as pd

from segkit_helpers.io.config import OPEN_TABLES, TABLE_COLUMNS
from segkit_helpers.errors import ConfigError, InputError
from segkit_helpers.io.sources import (
    check_header,
    connect,
    describe,
    dialect_hint,
    open_relation,
    quote_ident,
    quote_literal,
    read_only_engine,
    read_only_query,
    relation_columns,
    sqlglot_dialect,
    stored_zones,
)

_names = itertools.count()
#: How the optional columns of ``TABLE_COLUMNS["transactions"]`` (the one list) are typed:
#: ids keep integers as integers, numbers are parsed, every other column is text.
ID_COLUMNS = ["order_id", "line_id"]
NUMERIC_COLUMNS = ["quantity", "unit_price", "amount", "cost"]
TEXT_COLUMNS = [c for c in TABLE_COLUMNS["transactions"]["optional"] if c not in ID_COLUMNS + NUMERIC_COLUMNS]
#: Names of the cleaning rules of :func:`_clean` (rule 2 with its date: :func:`late_rule`), for its table and messages.
NO_CUSTOMER_RULE = "no customer id"
LATE_RULE = "dated after asof"
DUPLICATE_RULE = "exact duplicate line"
PRICE_RULE = "unit price zero or negative"
RETURN_RULE = "return or cancellation"
NON_POSITIVE_RULE = "customer's net revenue not positive"
#: The customer id as text, for results that leave DuckDB (integer ids are kept as integers inside).
TEXT_ID = "CAST(customer_id AS VARCHAR)"
NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")


@dataclass(frozen=True)
class Lines:
    """Order lines held in DuckDB.

    Attributes
    ----------
    con : duckdb.DuckDBPyConnection
        The connection that holds them.
    name : str
        The view or table: one row per order line with logical columns
        ``customer_id``, ``order_id`` (text, or integers when the source has
        integer ids: :data:`TEXT_ID` turns them to text), ``order_date``, ``order_day``
        (timestamps), ``amount`` (and any mapped ``quantity``, ``unit_price``,
        ``cost``, ``line_id``, ``product``, ``category``, ``channel``, ``status``).
    table : str
        The logical table name, for messages.
    orders, items : str or None
        The order and item tables of these lines, once built (:func:`aggregated`).
    mapped : tuple of str or None
        The logical columns taken from the source (``order_id`` is derived when it is not
        among them); None: every column.
    """

    con: duckdb.DuckDBPyConnection
    name: str
    table: str = "transactions"
    orders: str | None = None
    items: str | None = None
    mapped: tuple[str, ...] | None = None

    @property
    def source_columns(self) -> list[str]:
        """The logical columns taken from the source (not derived)."""
        return list(self.mapped) if self.mapped is not None else self.columns

    @property
    def columns(self) -> list[str]:
        """The logical columns present."""
        return list(relation_columns(self.con, self.name))

    def sql(self, query: str) -> pd.DataFrame:
        """Run ``query`` with ``{lines}`` standing for this table; return a DataFrame."""
        return self.con.execute(query.format(lines=self.name)).df()

    def scalar(self, query: str):
        """Run ``query`` (``{lines}`` = this table) and return its single value."""
        return self.con.execute(query.format(lines=self.name)).fetchall()[0][0]

    def df(self) -> pd.DataFrame:
        """All lines as a DataFrame (ids as text), ordered by date, customer and order (small tables only)."""
        ids = [c for c in ("customer_id", "order_id") if c in self.columns]
        keys = [c for c in ("order_date", "customer_id", "order_id") if c in self.columns]
        text = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in ids)
        return self.sql(f"SELECT * REPLACE ({text}) FROM {{lines}} ORDER BY {', '.join(keys)}")

    def __len__(self) -> int:
        return int(self.scalar("SELECT count(*) FROM {lines}"))


def as_lines(lines: "Lines | pd.DataFrame") -> Lines:
    """Use a DataFrame of lines (logical column names, already typed) as :class:`Lines`."""
    if isinstance(lines, Lines):
        return lines
    con = connect()
    name = f"frame_{next(_names)}"
    con.register(name, lines)
    return Lines(con, name)


# --- columns and mapping ---------------------------------------------------------------------


def source_columns(source: dict | str, table: str, sheet: str | None = None) -> list[str]:
    """The column names of a source (a ``sources.<table>`` entry or a file path).

    Files are read lazily by DuckDB (CSV and Parquet headers only); a database query
    is run with ``LIMIT 0``.
    """
    if not isinstance(source, dict):
        source = {"path": str(source), "sheet": sheet}
    if source.get("url"):
        return _query_columns(source, table)
    con = connect()
    try:
        return list(relation_columns(con, open_relation(con, source, table)))
    finally:
        con.close()


def _query_columns(source: dict, table: str) -> list[str]:
    import sqlalchemy

    try:
        query = read_only_query(source, table, sqlglot_dialect(source["url"]))
        engine = read_only_engine(source["url"])
        try:
            with engine.connect() as conn:
                result = conn.execute(sqlalchemy.text(f"SELECT * FROM ({query}) AS q LIMIT 0"))
                names = list(result.keys())
                check_header(names, table, "the query result")
                return names
        finally:
            engine.dispose()
    except InputError:
        raise
    except Exception as exc:  # driver, URL or SQL error: report it in one line
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"table '{table}': cannot read {describe(source, table)}: {first_line}") from None


def column_mapping(cfg: dict, table: str, available: list[str]) -> dict[str, str]:
    """Logical name → source column for ``table``, checked against ``available``.

    An unmapped logical name is looked up under its own name.

    Raises
    ------
    InputError
        A required logical column is neither mapped nor present, or a mapped source
        column is missing from the source.
    """
    mapped = dict(cfg["columns"].get(table, {}))
    spec = TABLE_COLUMNS[table]
    for logical in spec["required"] + spec["optional"]:
        if logical not in mapped and logical in available:
            mapped[logical] = logical
    # column names like "a;b;c": the file was split at the wrong delimiter, or has no header
    split = any(sep in str(c) for c in available for sep in ";,\t|")
    hint = f" Column names hold a delimiter, so the file may be read wrong. {dialect_hint(table)}" if split else ""
    for logical, source in mapped.items():
        if source not in available:
            raise InputError(
                f"table '{table}': column '{source}' (mapped to '{logical}' by 'columns.{table}.{logical}') "
                f"is not in the source. Source columns: {', '.join(map(str, available))}.{hint}"
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

    Run before a cycle starts so that a bad config fails in seconds, not in the
    middle of a notebook. Other tables, and order lines from a database URL (which
    would have to be fetched whole): headers only. Order lines in a file: two
    aggregate queries, one that checks their dates and numbers (:func:`load_transactions`)
    and one that cleaning can leave a customer (:func:`check_not_empty`), then one
    aggregation by customer (:func:`check_segmentable`).

    Raises
    ------
    InputError
        As :func:`column_mapping`, :func:`load_transactions` and :func:`check_not_empty`.
    """
    for table, source in cfg["sources"].items():
        if source["url"] or (source["path"] and table != "transactions"):
            column_mapping(cfg, table, source_columns(source, table))
    if cfg["sources"]["transactions"]["url"]:
        return
    lines = load_transactions(cfg)
    try:
        with engine_errors(cfg):
            check_not_empty(lines, cfg)
            check_segmentable(lines, cfg)
    finally:
        lines.con.close()


def read_table(cfg: dict, table: str) -> pd.DataFrame:
    """Read a small configured table (e.g. ``customers``) with logical column names.

    Returns
    -------
    pandas.DataFrame
        Only the mapped columns, renamed to their logical names, types as the source
        has them; ``customer_id`` (and ``order_id``) as text, leading zeros kept.
    """
    source = cfg["sources"][table]
    header = source_columns(source, table)
    ids = [cfg["columns"].get(table, {}).get(k, k) for k in ("customer_id", "order_id")]
    con = connect()
    try:
        view = open_relation(con, source, table, text_columns=[c for c in ids if c in header])
        kinds = relation_columns(con, view)
        mapping = column_mapping(cfg, table, list(kinds))
        if table in OPEN_TABLES:  # attributes / answers not named in the mapping come along under their own names
            mapping |= {c: c for c in kinds if c not in mapping.values() and c not in mapping}
        numbers = _text_numbers(con, view, kinds, source, [mapping[k] for k in ("customer_id", "order_id")
                                                           if k in mapping])
        select = []
        for logical, src in mapping.items():
            expr = (f"CAST({_id_expr(src, kinds[src])} AS VARCHAR)" if logical in ("customer_id", "order_id")
                    else numbers.get(src, quote_ident(src)))
            select.append(f"{expr} AS {quote_ident(logical)}")
        return con.execute(f"SELECT {', '.join(select)} FROM {view}").df()
    finally:
        con.close()


def _text_numbers(con: duckdb.DuckDBPyConnection, view: str, kinds: dict[str, str], source: dict,
                  ids: list[str]) -> dict[str, str]:
    """Text columns of a CSV that are numbers with digit group separators ("1 234,56").

    DuckDB's sniffer types numbers with the file's decimal separator itself, but reads
    a column with thousands separators as text. Such a column (not an id) is parsed in
    the file's dialect (:func:`_number_expr`) when every value in it parses and some
    value has a separator: codes that merely look numeric (tax numbers with leading
    zeros) stay text. Returns column → SQL expression of the number.
    """
    decimal = source.get("decimal") or "."
    if decimal == "." and source.get("thousands") is None:
        return {}
    thousands = source.get("thousands") or " "
    group = quote_literal(_char_class(SPACES if thousands == " " else thousands))
    text = [c for c, kind in kinds.items() if kind == "VARCHAR" and c not in ids]
    if not text:
        return {}
    exprs = {c: _number_expr(c, "VARCHAR", decimal, source.get("thousands")) for c in text}
    tests = [f"count({_raw_expr(c, 'VARCHAR')}) = count({e}) AND bool_or(regexp_matches({quote_ident(c)}, {group}))"
             for c, e in exprs.items()]
    parses = con.execute(f"SELECT {', '.join(tests)} FROM {view}").fetchall()[0]
    return {c: e for (c, e), ok in zip(exprs.items(), parses) if ok}


# --- typing and checking ---------------------------------------------------------------------


def _is_numeric(kind: str) -> bool:
    return kind.upper().startswith(NUMERIC_TYPES)


def _trimmed(text: str) -> str:
    """SQL for text without surrounding spaces, blank read as missing.

    TRIM copies every string it is given, which costs a third of a pass over ten
    million ids; only the padded values go through it here.
    """
    return (f"CASE WHEN {text} = '' THEN NULL WHEN starts_with({text}, ' ') OR ends_with({text}, ' ') "
            f"THEN NULLIF(TRIM({text}), '') ELSE {text} END")


def _raw_expr(col: str, kind: str) -> str:
    """The source value with text trimmed and blank text read as missing."""
    c = quote_ident(col)
    return _trimmed(c) if "CHAR" in kind.upper() or kind.upper() == "VARCHAR" else c


def _is_float(kind: str) -> bool:
    return kind.upper().startswith(("FLOAT", "DOUBLE", "DECIMAL", "REAL"))


def _id_expr(col: str, kind: str) -> str:
    """Ids as the source writes them, whatever its format.

    Integers stay integers in DuckDB (grouping by them is much faster than by text;
    they become text only at customer level, :data:`TEXT_ID`); floats, which a typed
    source uses for whole-number ids with gaps, become integers (no '.0', and a
    fractional id is a bad row, :func:`_id_check`); text is kept as written, trimmed,
    blank read as missing, so leading zeros survive; a text id that is a whole number
    written with a trailing ``.0`` (a float exported to CSV) loses it, so that the same
    ids read from CSV, Parquet, Excel or a database are the same text.
    """
    c = quote_ident(col)
    if _is_float(kind):
        return f"CAST({c} AS BIGINT)"
    if _is_numeric(kind):
        return c
    text = _trimmed(c if kind.upper() == "VARCHAR" else f"CAST({c} AS VARCHAR)")
    return (f"CASE WHEN contains({c}, '.') THEN regexp_replace({text}, '^(-?[0-9]+)[.]0+$', '\\1') "
            f"ELSE {text} END") if kind.upper() == "VARCHAR" else text


def _id_check(logical: str, col: str, kind: str) -> tuple[str, str, str, str] | None:
    """The parse check of a float id column: every value a whole number (else the count and an example)."""
    if not _is_float(kind):
        return None
    c = quote_ident(col)
    return (logical, c, f"TRY_CAST(CASE WHEN {c} = trunc({c}) THEN {c} END AS BIGINT)", WHOLE_IDS)


#: A text timestamp ending in a UTC offset ("…T23:30:00+02:00", "… 23:30Z"); a bare date never matches.
OFFSET_AT_END = "[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
OFFSET = " ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"


def _date_expr(col: str, kind: str, date_format: str | None, timezone: str | None = None,
               stored_zone: str | None = None) -> str:
    """SQL for an order date as a local clock time (DuckDB ``TIMESTAMP``), the same on every machine.

    The one time-zone rule: without ``sources.<table>.timezone`` the clock written in
    the data counts (a text ``2024-01-02 23:30+02:00`` is 23:30 on 2 January; a
    zone-aware Parquet column is read in the zone it was written in, UTC when it has
    none; a database's zone-aware timestamps in UTC). With ``timezone`` set, every
    instant with an offset or zone is converted into that zone, and times without one
    are taken to be in it. Sessions run in UTC (:func:`segkit_helpers.io.sources.connect`),
    so the machine's own zone never enters.
    """
    c, k = quote_ident(col), kind.upper()
    if "WITH TIME ZONE" in k:
        return f"timezone({quote_literal(timezone or stored_zone or 'UTC')}, {c})"
    if k.startswith(("TIMESTAMP", "DATE")):
        return f"CAST({c} AS TIMESTAMP)"
    raw = _raw_expr(col, kind)
    if date_format:
        parsed = f"TRY_STRPTIME({raw}, {quote_literal(date_format)})"
        if "%z" in date_format or "%Z" in date_format:  # strptime gives an instant: read it in the zone
            return f"TRY_CAST(timezone({quote_literal(timezone or 'UTC')}, {parsed}) AS TIMESTAMP)"
        return parsed
    if timezone:
        with_offset = f"timezone({quote_literal(timezone)}, TRY_CAST({raw} AS TIMESTAMPTZ))"
    else:
        with_offset = f"TRY_CAST(regexp_replace({raw}, {quote_literal(OFFSET)}, '') AS TIMESTAMP)"
    return (f"TRY_CAST(CASE WHEN length({raw}) > 19 AND regexp_matches({raw}, {quote_literal(OFFSET_AT_END)}) "
            f"THEN {with_offset} ELSE TRY_CAST({raw} AS TIMESTAMP) END AS TIMESTAMP)")


#: What ``thousands`` means when it is a space, and its default with ``decimal: ","``: Polish and
#: Russian Excel group digits with a non-breaking space (U+00A0, or U+202F), or a plain space.
SPACES = " \u00a0\u202f"


def _number_expr(col: str, kind: str, decimal: str = ".", thousands: str | None = None) -> str:
    """SQL for a number column as DOUBLE; text is parsed as written in the source's dialect.

    With a decimal comma or a thousands separator, text must match the number pattern of
    that dialect (digit groups of three between separators) or it is not a number: a file
    with decimal points read as ``decimal: ","`` is reported, never silently misread.
    """
    if _is_numeric(kind):
        return f"CAST({quote_ident(col)} AS DOUBLE)"
    raw = _raw_expr(col, kind)
    if thousands is None and decimal == ",":
        thousands = " "
    if decimal == "." and thousands is None:
        return f"TRY_CAST({raw} AS DOUBLE)"
    point, group = _char_class(decimal), _char_class(SPACES if thousands == " " else thousands)
    plain = rf"(?:\d+|\d{{1,3}}(?:{group}\d{{3}})+)"  # digits, or groups of three after the first
    pattern = rf"[+-]?(?:{plain}(?:{point}\d*)?|{point}\d+)(?:[eE][+-]?\d+)?"
    text = f"regexp_replace({raw}, {quote_literal(group)}, '', 'g')"
    if decimal != ".":
        text = f"replace({text}, {quote_literal(decimal)}, '.')"
    return f"TRY_CAST(CASE WHEN regexp_full_match({raw}, {quote_literal(pattern)}) THEN {text} END AS DOUBLE)"


def _char_class(chars: str) -> str:
    """A regular-expression class of ``chars`` (the few characters special inside a class escaped)."""
    return "[" + "".join("\\" + c if c in "]\\^-[" else c for c in chars) + "]"


#: What :func:`_id_check` checks; ids may be missing (cleaning counts lines without a customer).
WHOLE_IDS = "whole-number ids"


def _check_parsed(con, view: str, checks: list[tuple[str, str, str, str]], table: str) -> None:
    """Raise for the first column with unparsable or missing values (count and example)."""
    parts = []
    for i, (_, raw, parsed, _) in enumerate(checks):
        if parsed.startswith("TRY_"):  # text to parse; a plain CAST of a typed column cannot fail
            parts += [f"count(*) FILTER (WHERE {raw} IS NOT NULL AND {parsed} IS NULL)",
                      f"first(CAST({raw} AS VARCHAR)) FILTER (WHERE {raw} IS NOT NULL AND {parsed} IS NULL)"]
        else:
            parts += ["0", "NULL"]
        parts.append(f"count(*) - count({raw})")
    try:
        row = con.execute(f"SELECT {', '.join(parts)} FROM {view}").fetchall()[0]
    except duckdb.InvalidInputException as exc:  # a CSV row the reader cannot split
        raise InputError(f"table '{table}': cannot read the source: {str(exc).strip().splitlines()[0]}. "
                         f"{dialect_hint(table)}") from None
    for i, (logical, _, _, what) in enumerate(checks):
        bad, example, empty = row[3 * i: 3 * i + 3]
        if bad:
            raise InputError.bad_rows(table, logical, int(bad), example, f"are not {what}")
        if empty and what != WHOLE_IDS:
            raise InputError.bad_rows(table, logical, int(empty), None,
                                      "have no date" if what == "dates" else "are empty")


def _typed_lines(con, view: str, mapping: dict[str, str], table: str, date_format: str | None = None,
                 dialect: dict | None = None, zones: dict[str, str] | None = None) -> Lines:
    """Create the typed view of order lines over a source view, after checking its values.

    ``dialect`` holds the source's ``decimal``, ``thousands`` (for text numbers) and
    ``timezone``; ``zones`` the zone each zone-aware source column was written in.
    """
    dialect = dialect or {}
    kinds = relation_columns(con, view)
    date_col = mapping["order_date"]
    date_raw = _raw_expr(date_col, kinds[date_col])
    checks = [("order_date", date_raw, _date_expr(date_col, kinds[date_col], date_format, dialect.get("timezone"),
                                                  (zones or {}).get(date_col)), "dates")]
    for col in NUMERIC_COLUMNS:
        if col in mapping:
            src = mapping[col]
            checks.append((col, _raw_expr(src, kinds[src]),
                           _number_expr(src, kinds[src], dialect.get("decimal") or ".", dialect.get("thousands")),
                           "numbers"))
    ids = [_id_check(c, mapping[c], kinds[mapping[c]]) for c in ["customer_id", *ID_COLUMNS] if c in mapping]
    _check_parsed(con, view, checks + [check for check in ids if check], table)
    parsed = {logical: expr for logical, _, expr, _ in checks}
    select = [f"{_id_expr(mapping['customer_id'], kinds[mapping['customer_id']])} AS customer_id",
              f"{parsed['order_date']} AS order_date"]
    select += [f"{_id_expr(mapping[c], kinds[mapping[c]])} AS {c}" for c in ID_COLUMNS if c in mapping]
    select += [f"{parsed[c]} AS {c}" for c in NUMERIC_COLUMNS if c in mapping]
    if "amount" not in mapping:
        select.append(f"{parsed['quantity']} * {parsed['unit_price']} AS amount")
    select += [f"{_raw_expr(mapping[c], kinds[mapping[c]])} AS {c}" for c in TEXT_COLUMNS if c in mapping]
    derived = ["date_trunc('day', order_date) AS order_day"]
    if "order_id" not in mapping:  # an order is one customer's lines on one calendar day
        derived.append(f"{TEXT_ID} || '@' || strftime(order_date, '%Y-%m-%d') AS order_id")
    name = f"lines_{next(_names)}"
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT *, {', '.join(derived)} FROM (SELECT {', '.join(select)} FROM {view})")
    return Lines(con, name, table, mapped=tuple(mapping))


def late_rule(asof: dt.date) -> str:
    """The name of cleaning rule 2 (lines dated after ``asof``)."""
    return f"{LATE_RULE} ({asof})"


#: What to check when a rule removed the last lines (rules named as in :func:`_clean`).
_EMPTY_HINTS = {NO_CUSTOMER_RULE: "is columns.transactions.customer_id the right column?",
                LATE_RULE: "is asof right?"}


def nothing_left(table: str, total: int, removed: list[tuple[str, int]], first: dt.date | None = None) -> InputError:
    """The one-line error for order lines of which cleaning leaves no customer.

    Parameters
    ----------
    table
        The logical table, for the message.
    total
        Lines read (up to any date).
    removed
        ``(rule, lines removed)`` of the cleaning rules, in the order they run (the
        rows of the cleaning table that removed lines).
    first
        The day of the earliest line, named when rule 2 (after ``asof``) removed the last lines.

    Returns
    -------
    InputError
        To raise: "table '<table>': no customer left after cleaning: N lines, n removed by
        rule '<rule>', …", or "no order lines in the source" when there are none.
    """
    if not total:
        return InputError(f"table '{table}': no order lines in the source (only a header, or an empty result). "
                          f"Nothing to segment.")
    rules = [rule for rule, n in removed if n]
    parts = ", ".join(f"{n:,} removed by rule '{rule}'" for rule, n in removed if n)
    last = f" (the last by rule '{rules[-1]}')" if len(rules) > 1 else ""
    hint = next((h for key, h in _EMPTY_HINTS.items() if rules[-1].startswith(key)),
                "see the cleaning section of the config.")
    if first is not None and rules[-1].startswith(LATE_RULE):
        hint += f" The earliest line is dated {first}."
    return InputError(f"table '{table}': no customer left after cleaning: {total:,} line{'s' * (total != 1)}, "
                      f"{parts}{last}: {hint}")


def load_transactions(cfg: dict) -> Lines:
    """Open the configured order lines in DuckDB, mapped, typed and checked.

    One pass over the source checks that dates and numbers parse. (Whether cleaning
    leaves a customer is checked by :func:`check_sources` before a cycle and by the
    cleaning itself.)

    Returns
    -------
    Lines
        A view over the source (not loaded into memory): see :class:`Lines`.

    Raises
    ------
    InputError
        Unreadable source, missing column, dates or numbers that do not parse.
    """
    source = cfg["sources"]["transactions"]
    engine = cfg.get("engine", {})
    con = connect(engine.get("threads"), engine.get("memory_limit"))
    view = open_relation(con, source, "transactions", all_varchar=True)
    mapping = column_mapping(cfg, "transactions", list(relation_columns(con, view)))
    with engine_errors(cfg):
        return _typed_lines(con, view, mapping, "transactions", source.get("date_format"), source,
                            stored_zones(source))


def prepare_transactions(frame: pd.DataFrame, table: str = "transactions") -> Lines:
    """Type and complete order lines given as a DataFrame with logical column names.

    Adds ``order_day`` (calendar day of ``order_date``), ``amount`` (``quantity ×
    unit_price`` unless given) and ``order_id`` (one customer's lines on one calendar
    day when there is none). The DataFrame is not modified.

    Raises
    ------
    InputError
        Dates or numbers that cannot be parsed, with their count and an example.
    """
    con = connect()
    view = f"frame_{next(_names)}"
    con.register(view, frame)
    present = {c: c for c in frame.columns if c in TABLE_COLUMNS["transactions"]["required"]
               + TABLE_COLUMNS["transactions"]["optional"]}
    return _typed_lines(con, view, present, table)


@contextmanager
def engine_errors(cfg: dict) -> Iterator[None]:
    """Turn DuckDB running out of memory into a one-line message naming the setting to change."""
    try:
        yield
    except duckdb.OutOfMemoryException:
        limit = cfg.get("engine", {}).get("memory_limit") or "DuckDB's default (80% of RAM)"
        raise ConfigError(
            f"table 'transactions': DuckDB ran out of memory with engine.memory_limit = {limit}. "
            f"Raise engine.memory_limit (e.g. 4GB), or set engine.threads: 1 to need less of it."
        ) from None


# --- order and item tables -------------------------------------------------------------------


def _weighted(expr: str, weighted: bool) -> str:
    """``expr`` times the line's weight (duplicate copies weigh −1 each), or as is when all weigh 1."""
    return f"({expr}) * weight" if weighted else expr


def _order_facts(columns: list[str], weighted: bool, keep: str = "true") -> dict[str, str]:
    """Aggregates of one (customer, order id) group over its kept lines: day, net value, lines, margin."""
    only = f" FILTER (WHERE {keep})" if keep != "true" else ""
    facts = {"order_day": f"min(order_day){only}",
             "net_value": f"sum({_weighted('amount', weighted)}){only}",
             "lines": f"{'sum(weight)' if weighted else 'count(*)'}{only}"}
    if {"cost", "quantity"} <= set(columns):
        facts["margin_from_cost"] = f"sum({_weighted('amount - cost * quantity', weighted)}){only}"
    return facts


def _select(exprs: dict[str, str]) -> str:
    return ", ".join(f"{expr} AS {name}" for name, expr in exprs.items())


def read_product_lines(path: str) -> pd.DataFrame:
    """The ``product,line`` mapping of ``research.product_lines`` (one line per product, first wins)."""
    mapping = pd.read_csv(path, dtype=str)
    missing = {"product", "line"} - set(mapping.columns)
    if missing:
        raise InputError(f"product lines file {path}: needs columns 'product' and 'line' (missing {sorted(missing)})")
    return mapping[["product", "line"]].drop_duplicates("product")


def _product_line(con: duckdb.DuckDBPyConnection, columns: list[str], product_lines: str | None) -> tuple[str, str]:
    """SQL for the product line of a line (alias ``l``) and the join it needs.

    The ``category`` column when mapped, else the ``product_lines`` mapping (products
    it does not name are "other"), else none (NULL).
    """
    if "category" in columns:
        return "coalesce(l.category, 'other')", ""
    if product_lines and "product" in columns:
        mapping = f"product_lines_{next(_names)}"
        con.register(mapping, read_product_lines(product_lines))
        return "coalesce(m.line, 'other')", f"LEFT JOIN {mapping} m ON CAST(l.product AS VARCHAR) = m.product"
    return "NULL", ""


def _items_sql(source: str, columns: list[str], line: tuple[str, str], weighted: bool, keep: str = "true") -> str:
    """Spend and distinct products per (customer, product line) on lines with a positive amount.

    The lines are grouped by customer and product first (a transient aggregate that
    DuckDB spills to disk when it must), so that only the small per-line table is kept.
    """
    line_expr, join = line
    product = ", l.product" if "product" in columns else ""
    inner = (f"SELECT l.customer_id{product}, {line_expr} AS line, sum({_weighted('l.amount', weighted)}) AS spend "
             f"FROM {source} l {join} WHERE {keep} AND l.amount > 0 GROUP BY ALL")
    products = "count(product)" if product else "NULL"
    return (f"SELECT customer_id, line, {products} AS products, sum(spend) AS spend FROM ({inner}) "
            f"GROUP BY customer_id, line")


def aggregated(lines: "Lines | pd.DataFrame", product_lines: str | None = None) -> Lines:
    """``lines`` with its order table and item table built (once) in DuckDB.

    The order table has one row per (``customer_id``, ``order_id``): ``order_day``
    (earliest line), ``net_value`` (sum of amounts), ``lines`` and, when ``cost``
    and ``quantity`` are mapped, ``margin_from_cost``. The item table (when
    ``product`` or ``category`` is mapped) has one row per customer and product line
    (:func:`_product_line`; one row per customer without lines): ``products`` (distinct
    products) and ``spend`` on lines with a positive amount. Everything per customer
    is computed from these two tables, never from the lines again.
    """
    lines = as_lines(lines)
    if lines.orders:
        return lines
    con, cols = lines.con, lines.columns
    orders = f"orders_{next(_names)}"
    con.execute(f"CREATE TEMP TABLE {orders} AS SELECT customer_id, order_id, {_select(_order_facts(cols, False))} "
                f"FROM {lines.name} GROUP BY customer_id, order_id")
    items = None
    if "product" in cols or "category" in cols:
        items = f"items_{next(_names)}"
        sql = _items_sql(lines.name, cols, _product_line(con, cols, product_lines), False)
        con.execute(f"CREATE TEMP TABLE {items} AS {sql}")
    return dataclasses.replace(lines, orders=orders, items=items)


# --- cleaning --------------------------------------------------------------------------------


def cancellation_sql(columns: list[str], prefix: str = "C", statuses: list[str] | None = None) -> str:
    """SQL condition for a return or cancellation line.

    A line is one when its amount or quantity is negative, its order id starts with
    ``prefix`` (e.g. "C" in the Online Retail data), or its ``status`` is one of
    ``statuses``.
    """
    terms = ["amount < 0"]
    if "quantity" in columns:
        terms.append("quantity < 0")
    if prefix:
        terms.append(f"coalesce(starts_with(CAST(order_id AS VARCHAR), {quote_literal(prefix)}), false)")
    if statuses and "status" in columns:
        terms.append(f"coalesce(status IN ({', '.join(map(quote_literal, statuses))}), false)")
    return "(" + " OR ".join(terms) + ")"


def is_cancellation(frame: pd.DataFrame, prefix: str = "C", statuses: list[str] | None = None) -> pd.Series:
    """:func:`cancellation_sql` evaluated on a DataFrame of lines (one bool per row, same order)."""
    con = connect()
    try:
        con.register("frame", frame.reset_index(drop=True))
        cond = cancellation_sql(list(frame.columns), prefix, statuses)
        flags = con.execute(f"SELECT coalesce({cond}, false) AS flag FROM frame").df()["flag"]
    finally:
        con.close()
    return pd.Series(flags.to_numpy(dtype=bool), index=frame.index)


def duplicate_rule(cfg: dict, columns: list[str]) -> tuple[bool, str]:
    """Whether exact duplicate lines are dropped (cleaning rule 3), and why.

    ``cleaning.drop_duplicates: auto`` (the default) drops them only when the data can
    show that two equal lines are one line recorded twice: when ``order_id`` and
    ``product`` are mapped (the same product twice in one order, at one quantity and
    price, is a double record), or when ``line_id`` is mapped (a line's own id: lines
    equal in every column, line id included, are one line loaded twice, e.g. from
    overlapping exports; lines with different ids are different lines however alike).
    Without them, equal lines are as likely two identical purchases (one customer
    buying the same 14.37 item twice on a day), so every line is kept. ``true`` and
    ``false`` force the rule either way.

    Parameters
    ----------
    cfg
        The cycle config (``cleaning.drop_duplicates``).
    columns
        The logical columns taken from the source (:attr:`Lines.source_columns`).

    Returns
    -------
    apply : bool
        Drop the surplus copies of exact duplicate lines.
    reason : str
        One sentence for the cleaning table (01) and the data checks (00), starting
        with "removed" or "kept".
    """
    setting = cfg["cleaning"]["drop_duplicates"]
    if setting is True:
        return True, "removed: cleaning.drop_duplicates is true"
    if setting is False:
        return False, "kept: cleaning.drop_duplicates is false"
    if "line_id" in columns:
        return True, "removed: a line id is mapped, so lines equal in every column, line id included, are one line twice"
    if {"order_id", "product"} <= set(columns):
        return True, "removed: order id and product are mapped, so equal lines of one order are one line twice"
    missing = " and ".join(name for col, name in (("order_id", "an order id"), ("product", "a product"))
                           if col not in columns)
    example = "two identical purchases on one day" if "order_id" not in columns else "the same item twice in one order"
    return False, f"kept: without {missing} (or a line id), equal lines are not evidence of a duplicate ({example})"


def _surplus_copies(lines: Lines, keys: str, in_range: str) -> str:
    """A table of the surplus copies of exact duplicate lines (identical in every column in ``keys``).

    One row per line that occurs more than once, with ``extra`` = its copies − 1.
    Grouping every line by every column is the slowest step of a profile, so it is
    done in two passes: the lines are grouped by a 64-bit hash of all their columns
    (one small key), then only the lines whose hash occurs more than once are
    grouped by the columns themselves, so that a hash collision never merges two
    different lines.
    """
    con, hashes, surplus = lines.con, f"dup_hashes_{next(_names)}", f"surplus_{next(_names)}"
    con.execute(f"CREATE TEMP TABLE {hashes} AS SELECT h FROM (SELECT hash({keys}) AS h FROM {lines.name} "
                f"WHERE {in_range}) GROUP BY h HAVING count(*) > 1")
    candidates = f"hash({keys}) IN (SELECT h FROM {hashes})"
    if not con.execute(f"SELECT count(*) FROM {hashes}").fetchall()[0][0]:
        candidates = "false"  # no hash occurs twice: no duplicates, no second pass
    con.execute(f"CREATE TEMP TABLE {surplus} AS SELECT {keys}, count(*) - 1 AS extra FROM {lines.name} "
                f"WHERE {in_range} AND {candidates} GROUP BY ALL HAVING count(*) > 1")
    con.execute(f"DROP TABLE {hashes}")
    return surplus


def _rule_tables(con: duckdb.DuckDBPyConnection, flagged: str, columns: list[str], weighted: bool,
                 keep: str) -> tuple[str, str]:
    """The order table with rules 3–5 counted per order, and those counts, kept lines and net per customer."""
    n = "sum(weight)" if weighted else "count(*)"
    order_rules, customer_rules = f"order_rules_{next(_names)}", f"customer_rules_{next(_names)}"
    con.execute(
        f"CREATE TEMP TABLE {order_rules} AS SELECT customer_id, order_id, "
        f"{'-sum(weight) FILTER (WHERE weight < 0)' if weighted else '0'} AS duplicate, "
        f"{n} FILTER (WHERE bad_price) AS price, {n} FILTER (WHERE NOT bad_price AND is_return) AS returned, "
        f"{_select(_order_facts(columns, weighted, keep))} FROM {flagged} GROUP BY customer_id, order_id")
    con.execute(
        f"CREATE TEMP TABLE {customer_rules} AS SELECT customer_id, coalesce(sum(duplicate), 0) AS duplicate, "
        f"coalesce(sum(price), 0) AS price, coalesce(sum(returned), 0) AS returned, coalesce(sum(lines), 0) AS kept, "
        f"round(sum(net_value), 2) AS net FROM {order_rules} GROUP BY customer_id")
    return order_rules, customer_rules


def _rule_sql(columns: list[str], cfg: dict) -> tuple[bool, str, str, str, str]:
    """SQL of the cleaning rules of :func:`_clean` on lines with these columns.

    Returns
    -------
    drop_returns : bool
        ``cleaning.returns`` is ``drop``.
    asof : str
        The ``asof`` timestamp literal.
    in_range : str
        Condition of rules 1–2: a customer id, dated up to ``asof``.
    flags : str
        Select list of the flags ``bad_price`` (rule 4) and ``is_return`` (rule 5).
    keep : str
        Condition on those flags of a line that is kept.
    """
    rules = cfg["cleaning"]
    drop_returns = rules.get("returns", "net") == "drop"
    cancel = cancellation_sql(columns, rules["cancellation_prefix"], rules.get("cancelled_statuses"))
    if drop_returns and "quantity" in columns:
        cancel = f"({cancel} OR quantity <= 0)"
    asof = f"TIMESTAMP '{cfg['asof'].isoformat()}'"
    in_range = f"customer_id IS NOT NULL AND order_day <= {asof}"
    flags = (f"{'coalesce(unit_price <= 0, false)' if 'unit_price' in columns else 'false'} AS bad_price, "
             f"coalesce({cancel}, false) AS is_return")
    keep = "NOT bad_price" + (" AND NOT is_return" if drop_returns else "")
    return drop_returns, asof, in_range, flags, keep


def check_not_empty(lines: Lines, cfg: dict) -> None:
    """Raise when cleaning (:func:`_clean`) cannot leave a single customer; one DuckDB query.

    Counts the lines rules 1, 2, 4 and 5 remove, and the lines kept with a positive
    amount: without one, no customer's net revenue is positive, and rule 6 removes
    every customer that is left. (A customer whose purchases exist but net to zero or
    less is found by the cleaning itself.) Duplicate lines are not looked for: the
    duplicate rule keeps one copy of each line.

    Raises
    ------
    InputError
        :func:`nothing_left`, with the counts of the rules that removed the lines.
    """
    drop_returns, asof, in_range, flags, keep = _rule_sql(lines.columns, cfg)
    total, no_id, late, first, price, returned, kept, positive = lines.con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE customer_id IS NULL), "
        f"count(*) FILTER (WHERE customer_id IS NOT NULL AND order_day > {asof}), min(order_day), "
        f"count(*) FILTER (WHERE in_range AND bad_price), count(*) FILTER (WHERE in_range AND NOT bad_price AND is_return), "
        f"count(*) FILTER (WHERE in_range AND {keep}), count(*) FILTER (WHERE in_range AND {keep} AND NOT is_return "
        f"AND amount > 0) FROM (SELECT *, {in_range} AS in_range, {flags} FROM {lines.name})").fetchall()[0]
    removed = [(NO_CUSTOMER_RULE, no_id), (late_rule(cfg["asof"]), late)]
    if kept and not (positive == 0 and cfg["cleaning"]["drop_non_positive_customers"]):
        return
    if total > no_id + late:  # lines in range, but none that rules 4-6 keep
        removed += [(PRICE_RULE, price)]
        if drop_returns:
            removed.append((RETURN_RULE, returned))
        removed.append((NON_POSITIVE_RULE, kept))
    raise nothing_left(lines.table, int(total), [(rule, int(n)) for rule, n in removed],
                       first.date() if first is not None else None)


#: Schemes that segment the customers of the order lines by how they buy (the others use another table).
BUYING_SCHEMES = ("behavioural", "opportunity", "value_loyalty")


def check_segmentable(lines: Lines, cfg: dict) -> None:
    """Raise when the customers up to ``asof`` are too few, or too alike, for the configured segments.

    One aggregation by customer of the lines the cleaning keeps (orders, net spend,
    last day; an approximation of the profile that needs no duplicate check): fewer
    than two customers, a fixed ``segmentation.k`` or a ``k_range`` beyond their
    number, or (for schemes that segment buying behaviour) customers who all bought
    alike leave nothing to segment.

    Raises
    ------
    InputError
        One line naming the count and the key to change.
    """
    _, _, in_range, flags, keep = _rule_sql(lines.columns, cfg)
    customers, kinds = lines.con.execute(
        f"SELECT count(*), count(DISTINCT (orders, spend, last_day)) FROM (SELECT customer_id, "
        f"count(DISTINCT order_id) AS orders, round(sum(amount), 2) AS spend, max(order_day) AS last_day "
        f"FROM (SELECT *, {flags} FROM {lines.name} WHERE {in_range}) WHERE {keep} GROUP BY customer_id)").fetchone()
    seg = cfg["segmentation"]
    where = f"table '{lines.table}' up to asof {cfg['asof']}"
    if customers < 2:
        raise InputError(f"{where}: {customers} customer(s); segmenting needs at least 2 (readiness.min_customers "
                         f"asks for {cfg['readiness']['min_customers']})")
    fixed_k = seg["scheme"] != "value_loyalty" and isinstance(seg["k"], int)
    if fixed_k and seg["k"] > customers:
        raise InputError(f"{where}: segmentation.k is {seg['k']} but there are only {customers:,} customers; set a "
                         "smaller k or k: auto")
    if seg["scheme"] != "value_loyalty" and not fixed_k and seg["k_range"][1] > customers:
        raise InputError(f"{where}: segmentation.k_range {seg['k_range']} reaches beyond the {customers:,} customers; "
                         f"lower its upper end to at most {customers}")
    if seg["scheme"] in BUYING_SCHEMES and kinds == 1:
        raise InputError(f"{where}: all {customers:,} customers bought alike (the same orders, spend and last day): "
                         "there is nothing to segment them by")


def clean_transactions(lines: Lines, cfg: dict) -> tuple[Lines, pd.DataFrame]:
    """Apply the cleaning rules in DuckDB and count what each one did (see :func:`_clean`).

    Raises
    ------
    ConfigError
        DuckDB ran out of memory within ``engine.memory_limit``.
    """
    with engine_errors(cfg):
        return _clean(lines, cfg)


def _clean(lines: Lines, cfg: dict) -> tuple[Lines, pd.DataFrame]:
    """Apply the cleaning rules in DuckDB and count what each one did.

    Rules, in order (``cleaning.*`` in the config):

    1. drop lines without a customer id;
    2. drop lines dated after ``asof`` (``asof`` is inclusive);
    3. exact duplicate lines — identical in every mapped column: one copy of each is
       kept when :func:`duplicate_rule` says the data can show they are duplicates
       (``drop_duplicates``), else every line is kept; counted either way (unless
       ``drop_duplicates: false``);
    4. drop lines with a zero or negative unit price (adjustments, free samples);
    5. returns and cancellations (:func:`cancellation_sql`, negative whatever their
       sign, :func:`_signed`): netted into the customer's revenue and counted
       (``returns: net``), or removed together with
       lines of zero quantity (``returns: drop``, the "usual" cleaning of the
       Online Retail literature);
    6. drop customers whose net revenue is not positive, in cents
       (``drop_non_positive_customers``).

    The lines are read in a few passes, none of which is kept in memory: one counts
    rules 1–2; two find the duplicates (:func:`_surplus_copies`), whose surplus
    copies then weigh −1 in every sum; one builds the item table, and one the order
    table while counting rules 4–5 per order (both tables as in :func:`aggregated`).
    Rule 6 and the report need only the order table.

    Parameters
    ----------
    lines
        Typed order lines (:func:`load_transactions` or :func:`prepare_transactions`).
    cfg
        The cycle config.

    Returns
    -------
    clean : Lines
        The remaining lines (a view, read only when asked for) with their order and
        item tables.
    report : pandas.DataFrame
        One row per rule: ``rule``, ``action`` (removed/netted/kept), ``lines``,
        ``customers`` (distinct customers affected), ``lines_left`` and ``note`` (why
        duplicates were removed or kept).

    Raises
    ------
    InputError
        The rules leave no customer (:func:`nothing_left`).
    """
    rules = cfg["cleaning"]
    con, cols = lines.con, lines.columns
    dedup, dedup_reason = duplicate_rule(cfg, lines.source_columns)
    drop_returns, asof, in_range, flags, keep = _rule_sql(cols, cfg)
    total, no_id, late, late_customers, first = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE customer_id IS NULL), "
        f"count(*) FILTER (WHERE customer_id IS NOT NULL AND order_day > {asof}), "
        f"count(DISTINCT customer_id) FILTER (WHERE order_day > {asof}), min(order_day) "
        f"FROM {lines.name}").fetchall()[0]
    source = f"(SELECT * FROM {lines.name} WHERE {in_range})"
    surplus = None
    if rules["drop_duplicates"] is not False:  # counted when kept too, for the cleaning table
        keys = ", ".join(quote_ident(c) for c in cols if c != "order_day")  # order_day derives from order_date
        surplus = _surplus_copies(lines, keys, in_range)
    if dedup:  # surplus copies come back with weight −1, so that every sum counts each line once
        source = (f"(SELECT *, 1 AS weight FROM {source} UNION ALL BY NAME SELECT {keys}, "
                  f"date_trunc('day', order_date) AS order_day, -extra AS weight FROM {surplus})")
    flagged = _signed(f"(SELECT *, {flags} FROM {source})", cols)
    # the item table first: its aggregate is the largest, and runs best with little else held in memory
    all_items = None
    if "product" in cols or "category" in cols:
        all_items = f"all_items_{next(_names)}"
        line = _product_line(con, cols, cfg.get("research", {}).get("product_lines"))
        con.execute(f"CREATE TEMP TABLE {all_items} AS {_items_sql(flagged, cols, line, dedup, keep)}")
    order_rules, customer_rules = _rule_tables(con, flagged, cols, dedup, keep)
    counts = con.execute(
        f"SELECT coalesce(sum(duplicate), 0), count(*) FILTER (WHERE duplicate > 0), coalesce(sum(price), 0), "
        f"count(*) FILTER (WHERE price > 0), coalesce(sum(returned), 0), count(*) FILTER (WHERE returned > 0), "
        f"coalesce(sum(kept) FILTER (WHERE net <= 0), 0), count(*) FILTER (WHERE kept > 0 AND net <= 0) "
        f"FROM {customer_rules}").fetchall()[0]
    dup_lines, dup_customers, price_lines, price_customers, ret_lines, ret_customers, poor_lines, poor_customers = (
        int(x) for x in counts)
    if surplus and not dedup:  # kept: the equal lines are counted all the same
        dup_lines, dup_customers = (int(x) for x in con.execute(
            f"SELECT coalesce(sum(extra), 0), count(DISTINCT customer_id) FROM {surplus}").fetchall()[0])

    steps = [(NO_CUSTOMER_RULE, "removed", no_id, 0, ""),
             (late_rule(cfg["asof"]), "removed", late, late_customers, ""),
             (DUPLICATE_RULE, "removed" if dedup else "kept", dup_lines, dup_customers,
              dedup_reason if surplus else f"{dedup_reason} (not counted)")]
    if "unit_price" in cols:
        steps.append((PRICE_RULE, "removed", price_lines, price_customers, ""))
    steps.append((RETURN_RULE, "removed" if drop_returns else "netted", ret_lines, ret_customers, ""))
    positive = ""
    if rules["drop_non_positive_customers"]:
        steps.append((NON_POSITIVE_RULE, "removed", poor_lines, poor_customers, ""))
        if poor_customers:
            positive = f" AND customer_id NOT IN (SELECT customer_id FROM {customer_rules} WHERE net <= 0)"
    report = pd.DataFrame(steps, columns=["rule", "action", "lines", "customers", "note"])
    report["lines_left"] = total - report["lines"].where(report["action"] == "removed", 0).cumsum()
    report[["lines", "customers", "lines_left"]] = report[["lines", "customers", "lines_left"]].astype("int64")
    report = report[["rule", "action", "lines", "customers", "lines_left", "note"]]
    if report["lines_left"].iloc[-1] <= 0:
        removed = report[report["action"] == "removed"]
        raise nothing_left(lines.table, int(total), list(zip(removed["rule"], removed["lines"].astype(int))),
                           first.date() if first is not None else None)

    facts = list(_order_facts(cols, dedup))
    orders, clean = f"orders_{next(_names)}", f"clean_{next(_names)}"
    # a view: one copy of the orders in memory, however many lines had none kept
    con.execute(f"CREATE TEMP VIEW {orders} AS SELECT customer_id, order_id, {', '.join(facts)} FROM {order_rules} "
                f"WHERE lines > 0{positive}")
    items = None
    if all_items:
        items = f"items_{next(_names)}"
        con.execute(f"CREATE TEMP VIEW {items} AS SELECT * FROM {all_items} WHERE true{positive}")
    distinct = "DISTINCT " if dedup else ""
    signed = _signed(f"(SELECT *, {flags} FROM {lines.name} WHERE {in_range})", cols)
    con.execute(f"CREATE TEMP VIEW {clean} AS SELECT {distinct}{', '.join(quote_ident(c) for c in cols)} "
                f"FROM {signed} WHERE {keep}{positive}")
    return Lines(con, clean, lines.table, orders, items, lines.mapped), report


def _signed(flagged: str, columns: list[str]) -> str:
    """Lines flagged as returns or cancellations (``is_return``) with a negative amount (and quantity).

    A cancellation marked only by its order id or status (``cleaning.cancelled_statuses``)
    may be written with a positive quantity, like the purchase it reverses (a storno
    line); it reduces the customer's revenue all the same, so its amount counts as
    ``-|amount|``. Lines already negative are unchanged.
    """
    signed = ["CASE WHEN is_return THEN -abs(amount) ELSE amount END AS amount"]
    if "quantity" in columns:
        signed.append("CASE WHEN is_return THEN -abs(quantity) ELSE quantity END AS quantity")
    return f"(SELECT * REPLACE ({', '.join(signed)}) FROM {flagged})"


def sample_period(lines: Lines) -> tuple[dt.date, dt.date]:
    """First and last calendar day present in ``lines``."""
    first, last = lines.con.execute(
        f"SELECT min(order_day), max(order_day) FROM {lines.orders or lines.name}").fetchall()[0]
    return first.date(), last.date()


def summarize_lines(lines: "Lines | pd.DataFrame") -> pd.Series:
    """Headline counts of a line table: lines, customers, orders (integers) and net revenue.

    Orders are distinct order ids; computed from the order table (:func:`aggregated`).
    """
    lines = aggregated(lines)
    n, customers, orders, revenue = lines.con.execute(
        f"SELECT coalesce(sum(lines), 0), count(DISTINCT customer_id), count(DISTINCT order_id), "
        f"coalesce(sum(net_value), 0) FROM {lines.orders}").fetchall()[0]
    return pd.Series({"lines": int(n), "customers": int(customers), "orders": int(orders),
                      "net revenue": round(float(revenue), 2)}, name="value", dtype=object)
