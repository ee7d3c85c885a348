"""Reading a source table: its columns, the mapping to logical names, and typed parsing in SQL.

A source (a ``sources.<table>`` entry: a file or a database query) is opened by
:mod:`segkit_helpers.io.sources`; this module checks its header against the column
mapping of the config (:func:`column_mapping`), reads small tables whole
(:func:`read_table`), and writes the SQL that parses ids, dates and numbers as the
source writes them (:func:`id_expr`, :func:`date_expr`, :func:`number_expr`) and
checks that they parse (:func:`check_parsed`). Problems are reported as
:class:`~segkit_helpers.errors.InputError` naming the table, column, number of bad rows
and an example.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from segkit_helpers.engines.sql import when
from segkit_helpers.errors import InputError
from segkit_helpers.io.config_inputs import OPEN_TABLES, TABLE_COLUMNS
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
)

NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")


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
            expr = (f"CAST({id_expr(src, kinds[src])} AS VARCHAR)" if logical in ("customer_id", "order_id")
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
    the file's dialect (:func:`number_expr`) when every value in it parses and some
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
    exprs = {c: number_expr(c, "VARCHAR", decimal, source.get("thousands")) for c in text}
    tests = [f"count({raw_expr(c, 'VARCHAR')}) = count({e}) AND bool_or(regexp_matches({quote_ident(c)}, {group}))"
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


def raw_expr(col: str, kind: str, trim: bool = True) -> str:
    """The source value with text trimmed and blank text read as missing.

    ``trim=False``: the column has no blank or padded value (:func:`plain_text`), so it is taken as is.
    """
    c = quote_ident(col)
    return _trimmed(c) if trim and ("CHAR" in kind.upper() or kind.upper() == "VARCHAR") else c


def plain_text(con: duckdb.DuckDBPyConnection, view: str, columns: list[str],
               ids: list[str]) -> tuple[set[str], set[str]]:
    """The text columns of ``view`` among ``columns`` whose values need no trimming, and the ``ids`` without a dot.

    One query over those columns: a column with no blank value and none that starts or
    ends with a space is the same trimmed (``raw_expr(..., trim=False)``); an id column
    with no value containing "." has no trailing ``.0`` to lose (``id_expr(...,
    dots=False)``). The typed view then skips those expressions, which cost a third of
    every pass over the lines.

    Returns
    -------
    untrimmed, undotted : set of str
        The columns needing no trimming, and the ids holding no ".".
    """
    ids = [c for c in ids if c in columns]
    if not columns:
        return set(), set()
    padded = [f"coalesce(bool_or({c} = '' OR starts_with({c}, ' ') OR ends_with({c}, ' ')), false)"
              for c in map(quote_ident, columns)]
    dotted = [f"coalesce(bool_or(contains({c}, '.')), false)" for c in map(quote_ident, ids)]
    row = con.execute(f"SELECT {', '.join(padded + dotted)} FROM {view}").fetchall()[0]
    return ({c for c, bad in zip(columns, row) if not bad},
            {c for c, bad in zip(ids, row[len(columns):]) if not bad})


def _is_float(kind: str) -> bool:
    return kind.upper().startswith(("FLOAT", "DOUBLE", "DECIMAL", "REAL"))


def id_expr(col: str, kind: str, trim: bool = True, dots: bool = True) -> str:
    """Ids as the source writes them, whatever its format.

    Integers stay integers in DuckDB (grouping by them is much faster than by text;
    they become text only at customer level, :data:`segkit_helpers.research.lines.TEXT_ID`); floats, which a typed
    source uses for whole-number ids with gaps, become integers (no '.0', and a
    fractional id is a bad row, :func:`id_check`); text is kept as written, trimmed,
    blank read as missing, so leading zeros survive; a text id that is a whole number
    written with a trailing ``.0`` (a float exported to CSV) loses it, so that the same
    ids read from CSV, Parquet, Excel or a database are the same text. ``trim=False`` and
    ``dots=False``: a text column with no blank or padded value and none with a "."
    (:func:`plain_text`), taken as is.
    """
    c = quote_ident(col)
    if _is_float(kind):
        return f"CAST({c} AS BIGINT)"
    if _is_numeric(kind):
        return c
    if kind.upper() != "VARCHAR":
        return _trimmed(f"CAST({c} AS VARCHAR)")
    text = _trimmed(c) if trim else c
    return (f"CASE WHEN contains({c}, '.') THEN regexp_replace({text}, '^(-?[0-9]+)[.]0+$', '\\1') "
            f"ELSE {text} END") if dots else text


def id_check(logical: str, col: str, kind: str) -> tuple[str, str, str, str] | None:
    """The parse check of a float id column: every value a whole number (else the count and an example)."""
    if not _is_float(kind):
        return None
    c = quote_ident(col)
    return (logical, c, f"TRY_CAST(CASE WHEN {c} = trunc({c}) THEN {c} END AS BIGINT)", WHOLE_IDS)


#: A text timestamp ending in a UTC offset ("…T23:30:00+02:00", "… 23:30Z"); a bare date never matches.
OFFSET_AT_END = "[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
OFFSET = " ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"


def date_expr(col: str, kind: str, date_format: str | None, timezone: str | None = None,
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
    raw = raw_expr(col, kind)
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


def number_expr(col: str, kind: str, decimal: str = ".", thousands: str | None = None) -> str:
    """SQL for a number column as DOUBLE; text is parsed as written in the source's dialect.

    With a decimal comma or a thousands separator, text must match the number pattern of
    that dialect (digit groups of three between separators) or it is not a number: a file
    with decimal points read as ``decimal: ","`` is reported, never silently misread.
    """
    if _is_numeric(kind):
        return f"CAST({quote_ident(col)} AS DOUBLE)"
    raw = raw_expr(col, kind)
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


#: What :func:`id_check` checks; ids may be missing (cleaning counts lines without a customer).
WHOLE_IDS = "whole-number ids"


def check_parsed(con, view: str, checks: list[tuple[str, str, str, str]], table: str) -> None:
    """Raise for the first column with unparsable or missing values (count and example)."""
    parts = []
    for i, (_, raw, parsed, _) in enumerate(checks):
        if parsed.startswith("TRY_"):  # text to parse; a plain CAST of a typed column cannot fail
            bad = f"{raw} IS NOT NULL AND {parsed} IS NULL"
            parts += [f"count({when(bad)})", f"any_value({when(bad, f'CAST({raw} AS VARCHAR)')})"]
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
