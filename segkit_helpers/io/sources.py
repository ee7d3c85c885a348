"""Input sources as DuckDB relations: CSV, Parquet, Excel, a DuckDB file, or a SQLAlchemy URL + query.

Files are scanned by DuckDB where it reads them natively (CSV, Parquet, DuckDB
databases), so order lines are never loaded whole into pandas; CSV files are read in
the dialect their ``sources.<table>`` entry gives (delimiter, decimal, encoding, header). Excel sheets and
SQLAlchemy queries are read by pandas (in chunks for queries) and handed to DuckDB:
DuckDB's own Excel, SQLite and PostgreSQL readers are extensions downloaded at run
time, which segkit must not depend on.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import tempfile
import weakref
from pathlib import Path

import duckdb
import pandas as pd

from segkit_helpers.errors import InputError

FILE_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet",
                ".xlsx": "excel", ".xls": "excel", ".duckdb": "duckdb", ".ddb": "duckdb"}
QUERY_CHUNK_ROWS = 250_000
_counter = itertools.count()


def quote_ident(name: str) -> str:
    """A SQL identifier in double quotes (embedded quotes doubled)."""
    return '"' + str(name).replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A SQL string literal in single quotes (embedded quotes doubled)."""
    return "'" + str(text).replace("'", "''") + "'"


def connect(threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB connection (optionally with thread and memory limits)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")  # never the machine's zone: the same data give the same days everywhere
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:  # beyond the limit DuckDB spills to disk instead of failing
        con.execute(f"SET memory_limit = {quote_literal(memory_limit)}")
        spill = Path(tempfile.gettempdir()) / "segkit-duckdb"
        con.execute(f"SET temp_directory = {quote_literal(str(spill))}")
    return con


def file_format(path: Path, table: str) -> str:
    """``csv``, ``parquet``, ``excel`` or ``duckdb`` from the file's extension."""
    try:
        return FILE_FORMATS[path.suffix.lower()]
    except KeyError:
        raise InputError(
            f"table '{table}': cannot read '{path.name}': unknown file type '{path.suffix}'. "
            f"Use one of: {', '.join(sorted(FILE_FORMATS))}, or a database URL (sources.{table}.url)."
        ) from None


def describe(source: dict, table: str) -> str:
    """Where a table comes from, for messages: a file path or a URL without password."""
    if source.get("url"):
        url = source["url"]
        try:
            import sqlalchemy

            url = sqlalchemy.make_url(url).render_as_string(hide_password=True)
        except Exception:  # an unparsable URL is reported by open_relation
            pass
        return url
    return str(source.get("path"))


def open_relation(con: duckdb.DuckDBPyConnection, source: dict, table: str, all_varchar: bool = False,
                  text_columns: list[str] | None = None) -> str:
    """Make a configured source queryable in ``con`` and return the name of its view.

    Parameters
    ----------
    con
        The DuckDB connection the cycle's queries run in.
    source
        ``sources.<table>`` of the config: ``path`` (with ``sheet`` for Excel and
        ``table`` or ``query`` for a DuckDB file) or ``url`` with ``query`` or ``table``.
    table
        The logical table name, for messages.
    all_varchar
        Read every CSV column as text (typing and checking happen later, in SQL).
    text_columns
        CSV columns to read as text whatever they look like (ids with leading zeros).

    Raises
    ------
    InputError
        Missing or unreadable file, unknown file type, failing query.
    """
    view = f"src_{table}_{next(_counter)}"
    try:
        if source.get("url"):
            _from_sqlalchemy(con, source, view, table)
        else:
            path = Path(source["path"])
            if not path.is_file():
                raise InputError(f"table '{table}': file not found: {path}. Check 'sources.{table}.path' in the config.")
            fmt = file_format(path, table)
            if fmt == "parquet":
                import pyarrow.parquet as pq

                check_header(pq.read_schema(path).names, table, path.name)
                con.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM read_parquet({quote_literal(str(path))})")
            elif fmt == "csv":
                _from_csv(con, path, source, table, view, all_varchar, text_columns)
            elif fmt == "excel":
                text = str if all_varchar else {c: str for c in text_columns or []}
                sheet = source.get("sheet") or 0
                check_header(pd.read_excel(path, sheet_name=sheet, header=None, nrows=1).iloc[0].tolist(), table,
                             path.name)
                frame = pd.read_excel(path, sheet_name=sheet, dtype=text)
                con.register(f"{view}_df", frame)
                con.execute(f"CREATE TEMP TABLE {view} AS SELECT * FROM {view}_df")
                con.unregister(f"{view}_df")
            else:
                _from_duckdb_file(con, path, source, view, table)
        con.execute(f"SELECT * FROM {view} LIMIT 0")
    except InputError:
        raise
    except Exception as exc:  # any reader/driver failure: the source is unusable as configured
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"table '{table}': cannot read {describe(source, table)}: {first_line}") from None
    return view


#: Encodings DuckDB's CSV reader decodes itself (Python codec name → DuckDB's name); any other is
#: transcoded by Python first (:func:`_utf8_copy`).
DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "iso8859-1": "latin-1", "utf-16": "utf-16"}
TRANSCODE_CHUNK_CHARS = 1 << 22


def _from_csv(con: duckdb.DuckDBPyConnection, path: Path, source: dict, table: str, view: str,
              all_varchar: bool, text_columns: list[str] | None) -> None:
    """A view over a CSV file read with the dialect of ``sources.<table>`` (delimiter, decimal, encoding, header).

    Numbers with thousands separators are not DuckDB's business here: the order lines
    are read as text and parsed in SQL (:func:`segkit_helpers.io.tables.number_expr`).
    """
    encoding = codecs.lookup(source.get("encoding") or "utf-8").name
    readable = path if encoding in DUCKDB_ENCODINGS else _utf8_copy(con, path, encoding, table)
    options = [f"header = {'true' if source.get('header', True) else 'false'}",
               f"encoding = {quote_literal(DUCKDB_ENCODINGS.get(encoding, 'utf-8'))}"]
    if source.get("delimiter"):
        options.append(f"delim = {quote_literal(source['delimiter'])}")
    if not all_varchar and source.get("decimal", ".") != ".":
        options.append(f"decimal_separator = {quote_literal(source['decimal'])}")
    options.append("all_varchar = true" if all_varchar else "types = {" + ", ".join(
        f"{quote_literal(c)}: 'VARCHAR'" for c in text_columns or []) + "}")
    read = f"read_csv({quote_literal(str(readable))}, {', '.join(options)}"
    try:
        con.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM {read})")
        _check_csv_header(con, readable, encoding if readable == path else "utf-8", source, table, path.name)
    except duckdb.InvalidInputException:
        # DuckDB's strict mode wants one line ending in the whole file; exports whose header ends
        # in LF and whose rows end in CRLF fail its sniffer. Non-strict mode reads both endings
        # (and strips the CR); it is only tried when strict mode could not read the file.
        try:
            con.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM {read}, strict_mode = false)")
            con.execute(f"SELECT * FROM {view} LIMIT 1")
        except duckdb.Error as exc:
            first_line = str(exc).strip().splitlines()[0]
            raise InputError(f"table '{table}': cannot read {path} as CSV ({first_line}). {dialect_hint(table)}") from None


def check_header(names: list, table: str, where: str) -> None:
    """Stop on a header that names a column twice or not at all.

    Readers rename such columns silently (``revenue`` and ``revenue_1``, ``column3``),
    and the wrong one would then be read. Names are compared as DuckDB does, without
    regard to case and surrounding spaces.

    Raises
    ------
    InputError
        Naming the duplicated or blank columns and their positions.
    """
    blank = [i + 1 for i, name in enumerate(names) if name is None or (isinstance(name, float) and name != name)
             or not str(name).strip()]
    if blank:
        raise InputError(f"table '{table}': the header of {where} has a column without a name (column "
                         f"{', '.join(map(str, blank))}); name it in the source")
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        key = str(name).strip().lower()
        if key in seen:
            raise InputError(f"table '{table}': the header of {where} names column '{str(name).strip()}' twice "
                             f"(columns {seen[key]} and {i + 1}); rename one in the source so segkit reads the "
                             "right one")
        seen[key] = i + 1


def _check_csv_header(con: duckdb.DuckDBPyConnection, readable: Path, encoding: str, source: dict, table: str,
                      where: str) -> None:
    """:func:`check_header` on a CSV file's first line (in ``encoding``), split with the configured or sniffed
    delimiter."""
    if not source.get("header", True):
        return
    delimiter = source.get("delimiter") or con.execute(
        f"SELECT delimiter FROM sniff_csv({quote_literal(str(readable))}, strict_mode = false)").fetchone()[0]
    with open(readable, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as handle:
        first = next(csv.reader(handle, delimiter=delimiter), [])
    check_header(first, table, where)


def dialect_hint(table: str) -> str:
    """The config keys that say how a CSV file is written, for messages."""
    return (f"Say how the file is written: sources.{table}.delimiter, .decimal, .thousands, .encoding, .header "
            f"(README, Bring your own data).")


def _utf8_copy(con: duckdb.DuckDBPyConnection, path: Path, encoding: str, table: str) -> Path:
    """``path`` transcoded from ``encoding`` to UTF-8 in a temporary file, removed with ``con``.

    DuckDB decodes only UTF-8, UTF-16 and Latin-1 itself; its ``encodings`` extension
    (cp1250, cp1251 ...) is downloaded at run time, which segkit must not do. Python's
    codecs transcode the file in chunks, so memory stays bounded whatever its size.
    """
    handle, name = tempfile.mkstemp(prefix="segkit-", suffix=".csv")
    copy = Path(name)
    weakref.finalize(con, copy.unlink, missing_ok=True)
    with open(handle, "w", encoding="utf-8", newline="") as out, \
            open(path, encoding=encoding, errors="strict", newline="") as src:
        try:
            while chunk := src.read(TRANSCODE_CHUNK_CHARS):
                out.write(chunk)
        except UnicodeDecodeError as exc:
            raise InputError(f"table '{table}': cannot read {path} as {encoding}: bytes "
                             f"{exc.object[exc.start:exc.end]!r} are not {encoding} text. "
                             f"Check sources.{table}.encoding.") from None
    return copy


#: sqlglot's dialect for SQLAlchemy's dialect names (others are parsed as generic SQL).
SQLGLOT_DIALECTS = {"postgresql": "postgres", "sqlite": "sqlite", "mysql": "mysql", "mariadb": "mysql",
                    "mssql": "tsql", "oracle": "oracle", "snowflake": "snowflake", "bigquery": "bigquery",
                    "duckdb": "duckdb"}


def read_only_query(source: dict, table: str, dialect: str | None = None) -> str:
    """The SQL of a source (``query``, or all of ``table``), checked to be one statement that only reads.

    segkit runs the configured SQL on the user's database, so it must not be able to
    change it: the text is parsed with sqlglot and accepted only if it is a single
    SELECT (with CTEs, unions and subqueries as needed) containing no statement that
    writes (INSERT, UPDATE, DELETE, MERGE, DROP, CREATE, ALTER, COPY, SELECT INTO, …).
    Connections are also opened read-only where the engine allows
    (:func:`read_only_engine`), as a second line of defence.

    Raises
    ------
    InputError
        The SQL does not parse, holds several statements, or is not a read.
    """
    import sqlglot
    from sqlglot import exp

    if not source.get("query"):
        return f"SELECT * FROM {quote_ident(source['table'])}"
    query = source["query"].strip().rstrip(";").strip()
    where = f"sources.{table}.query"
    try:
        statements = [s for s in sqlglot.parse(query, read=dialect) if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise InputError(f"table '{table}': {where} is not SQL segkit can check: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise InputError(f"table '{table}': {where} holds {len(statements)} statements; give one SELECT")
    tree = statements[0]
    writes = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Drop, exp.Create, exp.Alter, exp.Copy,
              exp.Into, exp.Command, exp.TruncateTable)
    found = next((node for node in tree.walk() if isinstance(node, writes)), None)
    if not isinstance(tree, exp.Query) or found is not None:
        kind = type(found or tree).__name__.upper()
        raise InputError(f"table '{table}': {where} must only read (one SELECT, WITH … SELECT or UNION); "
                         f"it holds {kind}, which segkit never runs on a source")
    return query


def read_only_engine(url: str):
    """A SQLAlchemy engine for a source, read-only where the database allows it.

    SQLite files are opened with ``mode=ro`` (the file cannot be written); PostgreSQL
    connections run every transaction as READ ONLY (``postgresql_readonly``). Other
    databases rely on :func:`read_only_query` alone.
    """
    import sqlalchemy

    parsed = sqlalchemy.make_url(url)
    name = parsed.get_backend_name()
    if name == "sqlite" and parsed.database and parsed.database != ":memory:":
        parsed = parsed.set(database=f"file:{parsed.database}", query={**parsed.query, "mode": "ro", "uri": "true"})
        return sqlalchemy.create_engine(parsed)
    if name == "postgresql":
        return sqlalchemy.create_engine(parsed, execution_options={"postgresql_readonly": True})
    return sqlalchemy.create_engine(parsed)


def sqlglot_dialect(url: str) -> str | None:
    """sqlglot's name for the dialect of a SQLAlchemy URL (``None``: generic)."""
    import sqlalchemy

    return SQLGLOT_DIALECTS.get(sqlalchemy.make_url(url).get_backend_name())


def _from_duckdb_file(con: duckdb.DuckDBPyConnection, path: Path, source: dict, view: str, table: str) -> None:
    alias = f"{view}_db"
    con.execute(f"ATTACH {quote_literal(str(path))} AS {alias} (READ_ONLY)")
    if source.get("query"):
        query = read_only_query(source, table, "duckdb")
        con.execute(f"USE {alias}")  # the query names the file's tables unqualified; stays in use (views bind late)
        con.execute(f"CREATE TEMP VIEW {view} AS {query}")
    elif source.get("table"):
        con.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM {alias}.{quote_ident(source['table'])}")
    else:
        raise InputError(f"DuckDB file {path}: set 'table' or 'query' in its sources entry")


def _from_sqlalchemy(con: duckdb.DuckDBPyConnection, source: dict, view: str, table: str) -> None:
    """Stream a query's rows into a DuckDB table, chunk by chunk (memory stays bounded)."""
    import sqlalchemy

    query = read_only_query(source, table, sqlglot_dialect(source["url"]))
    engine = read_only_engine(source["url"])
    try:
        with engine.connect() as conn:
            chunks = pd.read_sql_query(sqlalchemy.text(query), conn, chunksize=QUERY_CHUNK_ROWS)
            created = False
            for chunk in chunks:
                check_header(list(chunk.columns), table, "the query result")
                chunk = chunk.astype({c: object for c in chunk.columns if chunk[c].isna().all()})
                con.register(f"{view}_chunk", chunk)
                if not created:
                    con.execute(f"CREATE TEMP TABLE {view} AS SELECT * FROM {view}_chunk")
                    created = True
                else:
                    con.execute(f"INSERT INTO {view} BY NAME SELECT * FROM {view}_chunk")
                con.unregister(f"{view}_chunk")
            if not created:  # no rows: keep the columns
                empty = pd.read_sql_query(sqlalchemy.text(f"SELECT * FROM ({query}) AS q WHERE 1 = 0"), conn)
                check_header(list(empty.columns), table, "the query result")
                con.register(f"{view}_chunk", empty.astype(object))
                con.execute(f"CREATE TEMP TABLE {view} AS SELECT * FROM {view}_chunk")
                con.unregister(f"{view}_chunk")
    finally:
        engine.dispose()


def stored_zones(source: dict) -> dict[str, str]:
    """The zone each zone-aware timestamp column of a Parquet file was written in (Arrow's ``tz``).

    DuckDB reads such columns as instants and forgets the zone; segkit reads the local
    clock of that zone, as written (:func:`segkit_helpers.io.tables.date_expr`).
    """
    path = source.get("path")
    if not path or FILE_FORMATS.get(Path(path).suffix.lower()) != "parquet":
        return {}
    import pyarrow as pa
    import pyarrow.parquet as pq

    return {field.name: field.type.tz for field in pq.read_schema(path)
            if pa.types.is_timestamp(field.type) and field.type.tz}


def relation_columns(con: duckdb.DuckDBPyConnection, view: str) -> dict[str, str]:
    """Column name → DuckDB type of a view (on another engine's connection: its types under DuckDB's names)."""
    if not isinstance(con, duckdb.DuckDBPyConnection):
        return con.columns(view)
    rows = con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()
    return {str(name): str(kind) for name, kind, *_ in rows}
