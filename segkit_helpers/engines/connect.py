"""The engine of ``engine.name``: a connection that runs segkit's SQL, and the view of the order lines on it.

Every engine's connection offers what the line aggregation calls on DuckDB's
(``execute``, ``register``, ``close``; columns through
:func:`segkit_helpers.io.sources.relation_columns`), so the aggregation is written once
(:mod:`segkit_helpers.engines.sql`).
"""

from __future__ import annotations

import itertools

from segkit_helpers.errors import InputError
from segkit_helpers.io.sources import check_header, connect, open_relation, read_only_query

_views = itertools.count()


def open_source(cfg: dict, table: str = "transactions", session=None) -> tuple[object, str]:
    """Open ``sources.<table>`` on the configured engine: ``(connection, view name)``.

    Parameters
    ----------
    cfg
        The cycle config (``engine``, ``sources``).
    table
        The logical table.
    session
        A Spark session to use (``engine.name: spark``); default: started from ``engine.spark``.

    Raises
    ------
    InputError
        Unreadable source.
    ConfigError
        Spark cannot start.
    """
    engine, source = cfg["engine"], cfg["sources"][table]
    name = engine.get("name", "duckdb")
    if name == "spark":
        from segkit_helpers.engines.spark import SparkConnection, open_spark_source
        from segkit_helpers.engines.spark_session import spark_session

        spark = engine.get("spark") or {}
        con = SparkConnection(session or spark_session(spark.get("master", "local[*]"), spark.get("conf")))
        return con, open_spark_source(con, source, table)
    if name == "database":
        return _database_source(source, table)
    con = connect(engine["threads"], engine["memory_limit"])
    return con, open_relation(con, source, table, all_varchar=True)


def _database_source(source: dict, table: str) -> tuple[object, str]:
    from segkit_helpers.engines.database import DatabaseConnection
    from segkit_helpers.io.sources import describe

    con = DatabaseConnection(source["url"])
    view = f"src_{table}_{next(_views)}"
    try:
        con.define_source(view, read_only_query(source, table, con.dialect))
        check_header(list(con.columns(view)), table, "the query result")
    except InputError:
        con.close()
        raise
    except Exception as exc:  # driver, URL or SQL error: one line
        con.close()
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"table '{table}': cannot read {describe(source, table)}: {first}") from None
    return con, view


#: The column kinds the ``database`` engine reads as they are stored (text would need parsing the
#: database cannot be trusted to do the same way: dates in a format, decimal commas).
TYPED = {"order_date": ("TIMESTAMP", "DATE"), "quantity": ("INTEGER", "BIGINT", "SMALLINT", "DOUBLE", "FLOAT",
                                                           "DECIMAL"),
         "unit_price": ("INTEGER", "BIGINT", "SMALLINT", "DOUBLE", "FLOAT", "DECIMAL"),
         "amount": ("INTEGER", "BIGINT", "SMALLINT", "DOUBLE", "FLOAT", "DECIMAL"),
         "cost": ("INTEGER", "BIGINT", "SMALLINT", "DOUBLE", "FLOAT", "DECIMAL")}


def check_typed(con, kinds: dict[str, str], mapping: dict[str, str], table: str) -> None:
    """On the ``database`` engine, dates and numbers must be typed columns (a text column: cast it in the query).

    Raises
    ------
    InputError
        Naming the column and the cast to write.
    """
    if getattr(con, "dialect", "duckdb") in ("duckdb", "spark"):
        return
    for logical, allowed in TYPED.items():
        column = mapping.get(logical)
        if column and not kinds[column].upper().startswith(allowed):
            cast = "timestamp" if logical == "order_date" else "numeric"
            kind = "text" if kinds[column].upper() == "VARCHAR" else kinds[column].lower()
            raise InputError(f"table '{table}': column '{column}' ({logical}) is {kind} in the "
                             f"database; engine database reads dates and numbers as stored: cast it in "
                             f"sources.{table}.query, e.g. CAST(\"{column}\" AS {cast}) AS \"{column}\"")
