"""The profile's line aggregation on Apache Spark (``engine.name: spark``).

:class:`SparkConnection` runs segkit's SQL (DuckDB dialect, compiled to Spark SQL by
:func:`segkit_helpers.engines.sql.compile_sql`) on a Spark session with the calls the
aggregation makes of a DuckDB connection: ``execute`` (queries, and ``CREATE TEMP
TABLE`` as an eagerly cached temporary view, ``CREATE TEMP VIEW`` as a temporary
view), ``register`` (a small pandas table, such as the product-line mapping) and
``columns``. The order lines stay on the cluster; only customer-level results are
collected (through Arrow).

:func:`open_spark_source` makes the temporary view of ``sources.transactions``: a
Parquet, CSV or Delta path, or a table of the session's catalog (``table``).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pandas as pd

from segkit_helpers.engines.results import Result
from segkit_helpers.engines.spark_session import spark_errors
from segkit_helpers.engines.sql import compile_sql, temp_statement
from segkit_helpers.errors import ConfigError, InputError

_views = itertools.count()

#: Spark's type names → DuckDB's (what :mod:`segkit_helpers.io.tables` types by). Spark's TIMESTAMP is an
#: instant (local time zone), its TIMESTAMP_NTZ a clock time, as DuckDB's TIMESTAMPTZ and TIMESTAMP.
_TYPES = {"string": "VARCHAR", "bigint": "BIGINT", "int": "INTEGER", "smallint": "SMALLINT", "tinyint": "TINYINT",
          "double": "DOUBLE", "float": "FLOAT", "boolean": "BOOLEAN", "date": "DATE", "timestamp_ntz": "TIMESTAMP",
          "timestamp": "TIMESTAMP WITH TIME ZONE", "binary": "BLOB"}


def duckdb_type(spark_type: str) -> str:
    """DuckDB's name for a Spark column type (``decimal(10,2)`` → ``DECIMAL(10,2)``; unknown → upper case)."""
    if spark_type.startswith("decimal"):
        return spark_type.upper()
    if spark_type.startswith("varchar") or spark_type.startswith("char"):
        return "VARCHAR"
    return _TYPES.get(spark_type, spark_type.upper())


class SparkConnection:
    """segkit's SQL on a Spark session (see the module docstring).

    Parameters
    ----------
    session : pyspark.sql.SparkSession
        The session (:func:`segkit_helpers.engines.spark_session.spark_session`).
    """

    dialect = "spark"

    def __init__(self, session):
        self.session = session
        self._cached: set[str] = set()
        self._views: dict[str, None] = {}  # in creation order: dropped in reverse, readers before what they read

    def execute(self, sql: str) -> Result:
        """Run one statement (DuckDB dialect); a query's rows come back as a :class:`Result`."""
        statement = temp_statement(sql)
        with spark_errors():
            if statement is None:
                return Result(self.session.sql(compile_sql(sql, self.dialect)).toPandas())
            kind, name, query = statement
            if query is None:
                self._drop(name)
            elif kind == "TABLE":  # materialised once, as DuckDB's temporary table
                self._drop(name)
                self.session.sql(f"CACHE TABLE {name} AS {compile_sql(query, self.dialect)}")
                self._cached.add(name)
            else:
                self.session.sql(f"CREATE OR REPLACE TEMPORARY VIEW {name} AS {compile_sql(query, self.dialect)}")
            self._views[name] = None
            return Result(None)

    def _drop(self, name: str) -> None:
        if name in self._cached:
            self.session.sql(f"UNCACHE TABLE IF EXISTS {name}")
            self._cached.discard(name)
        self.session.catalog.dropTempView(name)
        self._views.pop(name, None)

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """A small pandas table as a temporary view (text columns as strings)."""
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType([StructField(str(c), StringType()) for c in frame.columns])
        rows = [[None if pd.isna(v) else str(v) for v in row] for row in frame.itertuples(index=False)]
        self.session.createDataFrame(rows, schema).createOrReplaceTempView(name)
        self._views[name] = None

    def unregister(self, name: str) -> None:
        self._drop(name)

    def columns(self, view: str) -> dict[str, str]:
        """Column name → DuckDB type name of a view."""
        return {name: duckdb_type(kind) for name, kind in self.session.table(view).dtypes}

    def close(self) -> None:
        """Drop the views and cached tables made here (the session stays: it may be the caller's)."""
        for name in reversed(list(self._views)):
            self._drop(name)


#: File formats Spark reads for a source, by extension (a directory: ``sources.<table>.format``, or its files').
SPARK_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".txt": "csv", ".tsv": "csv"}


def _format(path: Path, source: dict, table: str) -> str:
    if source.get("format"):
        return source["format"]
    if path.is_dir():
        if (path / "_delta_log").is_dir():
            return "delta"
        suffixes = {p.suffix.lower() for p in path.rglob("*") if p.is_file() and not p.name.startswith(("_", "."))}
        found = sorted({SPARK_FORMATS[s] for s in suffixes if s in SPARK_FORMATS})
        if len(found) == 1:
            return found[0]
    elif path.suffix.lower() in SPARK_FORMATS:
        return SPARK_FORMATS[path.suffix.lower()]
    raise InputError(f"table '{table}': engine spark cannot tell the format of {path}; set sources.{table}.format "
                     f"(parquet, csv or delta)")


def _check_spark_dialect(source: dict, table: str) -> None:
    """Spark parses text dates in ISO form and numbers with a decimal point; other writings need DuckDB."""
    for key, default in (("date_format", None), ("thousands", None), ("decimal", ".")):
        if source.get(key) not in (None, default):
            raise ConfigError(f"table '{table}': engine spark reads text dates in ISO form and numbers with a decimal "
                              f"point, not sources.{table}.{key} = {source[key]!r}; use engine.name duckdb for this "
                              f"file, or store it typed (Parquet, Delta)")


def open_spark_source(con: SparkConnection, source: dict, table: str) -> str:
    """A temporary view of ``sources.<table>`` on the Spark session; its name.

    ``path``: a Parquet file or dataset directory, a CSV file or directory (read with
    the configured ``delimiter``, ``encoding``, ``header``; every column as text, typed
    later in SQL as on DuckDB), or a Delta table directory; ``table``: a table of the
    session's catalog (e.g. ``sales.order_lines`` on Databricks).

    Raises
    ------
    InputError
        A path that does not exist or cannot be read, or an unknown table.
    """
    view = f"src_{table}_{next(_views)}"
    reader = con.session.read
    try:
        if source.get("table") and not source.get("path"):
            frame = con.session.table(source["table"])
        else:
            path = Path(source["path"])
            if not path.exists():
                raise InputError(f"table '{table}': file not found: {path}. Check 'sources.{table}.path' in the config.")
            fmt = _format(path, source, table)
            _check_spark_dialect(source, table)
            if fmt == "csv":
                options = {"header": str(bool(source.get("header", True))).lower(),
                           "encoding": source.get("encoding") or "UTF-8", "inferSchema": "false",
                           "sep": source.get("delimiter") or ",", "multiLine": "false"}
                frame = reader.options(**options).csv(str(path))
            else:
                frame = reader.format(fmt).load(str(path))
        frame.createOrReplaceTempView(view)
    except (InputError, ConfigError):
        raise
    except Exception as exc:  # Spark's AnalysisException etc.: one line
        first = re.sub(r"\s+", " ", str(exc).strip().splitlines()[0]) if str(exc).strip() else type(exc).__name__
        where = source.get("path") or source.get("table")
        raise InputError(f"table '{table}': engine spark cannot read {where}: {first}") from None
    con._views[view] = None
    return view
