"""One SQL text for the profile's line aggregation, compiled for each engine with sqlglot.

Why sqlglot, not Ibis
---------------------
The line aggregation (typing, cleaning counts, order and item tables, customer
metrics: :mod:`segkit_helpers.research.lines`, :mod:`~segkit_helpers.research.cleaning`,
:mod:`~segkit_helpers.research.metrics`) is written once, as SQL text in DuckDB's
dialect restricted to what every engine has: explicit ``GROUP BY`` lists, ``CASE``
inside aggregates instead of ``FILTER``, explicit select lists instead of ``* REPLACE``
and ``UNION ALL BY NAME``. :func:`compile_sql` transpiles it with sqlglot to Spark SQL,
PostgreSQL, Snowflake or BigQuery; DuckDB runs it as written.

- One expression layer (Ibis) would be a second language for the same SQL, and
  ibis-framework 12.0.0 (its latest release, 2026-12) fails on DuckDB 2.0 and on
  sqlglot ≥ 28, so it would pin DuckDB to 1.x for every user, Spark or not.
- sqlglot is already segkit's SQL parser (the read-only check of a source query,
  :func:`segkit_helpers.io.sources.read_only_query`), is pure Python, and its output
  is text that can be read, logged and checked: golden tests
  (``tests/golden/profile_*.sql``) hold the compiled SQL of every dialect, so a
  sqlglot release that changes it fails a test instead of a user's run.
- What it pins: ``sqlglot>=30,<31`` (pyproject.toml): a new major release may change
  what it generates; the golden files and the engine equality tests decide when to move.

The few rewrites sqlglot does not do itself are here (:data:`_REWRITES`): PostgreSQL
has no ``round(double, n)``, no ``contains`` and no ``ends_with``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sqlglot is imported when SQL is compiled, not with every module that writes SQL
    from sqlglot import exp

#: The dialect the SQL is written in.
SOURCE_DIALECT = "duckdb"

#: sqlglot's dialect name for each engine (``engine.name``; ``database`` from its URL).
ENGINE_DIALECTS = {"duckdb": "duckdb", "spark": "spark", "postgresql": "postgres", "snowflake": "snowflake",
                   "bigquery": "bigquery"}


def when(condition: str, value: str = "1") -> str:
    """``value`` where ``condition`` holds, else NULL: an aggregate's argument that counts only those rows.

    ``count(when(c))`` and ``sum(when(c, x))`` are ``count(*) FILTER (WHERE c)`` and
    ``sum(x) FILTER (WHERE c)`` in SQL that every engine reads (Snowflake and BigQuery
    have no ``FILTER`` clause).
    """
    return f"CASE WHEN {condition} THEN {value} END"


def _round_numeric(node: exp.Expression) -> exp.Expression:
    """PostgreSQL rounds only ``numeric`` to n places: ``round(CAST(x AS numeric), n)``, back to double."""
    from sqlglot import exp

    if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
        inner = node.copy()
        inner.set("this", exp.cast(inner.this, exp.DataType.build("DECIMAL")))
        return exp.cast(inner, exp.DataType.build("DOUBLE"))
    return node


def _contains_strpos(node: exp.Expression) -> exp.Expression:
    """PostgreSQL has no ``contains(text, part)``: ``strpos(text, part) > 0``."""
    from sqlglot import exp

    if isinstance(node, exp.Contains):
        return exp.GT(this=exp.StrPosition(this=node.this, substr=node.expression), expression=exp.Literal.number(0))
    return node


def _ends_with_right(node: exp.Expression) -> exp.Expression:
    """PostgreSQL has no ``ends_with(text, suffix)``: ``right(text, length(suffix)) = suffix``."""
    from sqlglot import exp

    if isinstance(node, exp.EndsWith):
        right = exp.Right(this=node.this, expression=exp.Length(this=node.expression.copy()))
        return exp.EQ(this=right, expression=node.expression)
    return node


_REWRITES = {"postgres": [_round_numeric, _contains_strpos, _ends_with_right]}


def parse(sql: str) -> exp.Expression:
    """The SQL (DuckDB dialect) as a sqlglot tree."""
    import sqlglot

    return sqlglot.parse_one(sql, read=SOURCE_DIALECT)


def generate(tree: exp.Expression, dialect: str) -> str:
    """A sqlglot tree as SQL of ``dialect``, with the rewrites that dialect needs."""
    for rewrite in _REWRITES.get(dialect, []):
        tree = tree.transform(rewrite, copy=True)
    return tree.sql(dialect=dialect)


def compile_sql(sql: str, dialect: str) -> str:
    """The SQL (DuckDB dialect) compiled for ``dialect`` (sqlglot's name: spark, postgres, snowflake, bigquery)."""
    if dialect == SOURCE_DIALECT:
        return sql
    return generate(parse(sql), dialect)


#: ``CREATE TEMP TABLE|VIEW name AS query`` and ``DROP TABLE|VIEW [IF EXISTS] name``, the two statements
#: besides queries that the aggregation runs (names are segkit's own: letters, digits, underscores).
_CREATE = re.compile(r"^\s*CREATE\s+TEMP(?:ORARY)?\s+(TABLE|VIEW)\s+(\w+)\s+AS\s+(.*)$", re.S | re.I)
_DROP = re.compile(r"^\s*DROP\s+(TABLE|VIEW)\s+(?:IF\s+EXISTS\s+)?(\w+)\s*;?\s*$", re.I)


def temp_statement(sql: str) -> tuple[str, str, str | None] | None:
    """``(kind, name, query)`` of a CREATE TEMP TABLE/VIEW (``query`` None for a DROP); None for a query."""
    created = _CREATE.match(sql)
    if created:
        return created.group(1).upper(), created.group(2), created.group(3)
    dropped = _DROP.match(sql)
    if dropped:
        return dropped.group(1).upper(), dropped.group(2), None
    return None


def referenced_tables(tree: exp.Expression) -> set[str]:
    """Names of the tables and views a query reads (CTE names included)."""
    from sqlglot import exp

    return {table.name for table in tree.find_all(exp.Table)}
