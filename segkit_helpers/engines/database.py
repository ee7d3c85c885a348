"""The profile's line aggregation inside the source database (``engine.name: database``).

:class:`DatabaseConnection` runs segkit's SQL (DuckDB dialect, compiled by
:func:`segkit_helpers.engines.sql.compile_sql` to the database's dialect) on the
database of ``sources.transactions.url``, so that no order line leaves the server:
only customer-level rows (and the cleaning counts) come back.

Nothing is written on the server. The connection is read-only where the database
allows (:func:`segkit_helpers.io.sources.read_only_engine`: PostgreSQL runs every
transaction READ ONLY, and a read-only transaction may not create even a temporary
table), so segkit's temporary tables and views are kept here as named subqueries and
every query is sent with the ones it reads as common table expressions (``WITH``).
A small pandas table (the product-line mapping) travels the same way, as ``VALUES``.
PostgreSQL is tested against a real server;
:func:`segkit_helpers.research.profile_sql.compiled_profile_sql` gives the
SQL for Snowflake and BigQuery, which golden tests check.
"""

from __future__ import annotations

import pandas as pd
from sqlglot import exp

from segkit_helpers.engines.results import Result
from segkit_helpers.engines.sql import generate, parse, referenced_tables, temp_statement

#: PostgreSQL type OIDs → DuckDB type names (what :mod:`segkit_helpers.io.tables` types by).
_PG_TYPES = {16: "BOOLEAN", 20: "BIGINT", 21: "SMALLINT", 23: "INTEGER", 700: "FLOAT", 701: "DOUBLE",
             1700: "DECIMAL", 25: "VARCHAR", 1043: "VARCHAR", 1042: "VARCHAR", 19: "VARCHAR", 1082: "DATE",
             1114: "TIMESTAMP", 1184: "TIMESTAMP WITH TIME ZONE"}


class QueryComposer:
    """segkit's temporary tables and views as named subqueries, composed into one query per request.

    Parameters
    ----------
    dialect : str
        sqlglot's name of the database's dialect (postgres, snowflake, bigquery).
    """

    def __init__(self, dialect: str):
        self.dialect = dialect
        self.defined: dict[str, exp.Expression] = {}  # name → query (sqlglot tree), in definition order

    def define(self, name: str, query: exp.Expression) -> None:
        """Name a query (a later definition of the same name replaces it)."""
        self.defined.pop(name, None)
        self.defined[name] = query

    def statement(self, sql: str) -> str | None:
        """A CREATE TEMP / DROP is recorded (None returned); a query comes back compiled with its CTEs."""
        temp = temp_statement(sql)
        if temp is not None:
            _, name, query = temp
            if query is None:
                self.defined.pop(name, None)
            else:
                self.define(name, parse(query))
            return None
        return self.compose(parse(sql))

    def compose(self, tree: exp.Expression) -> str:
        """``tree`` with every named query it reads, directly or not, as a CTE in front; as the dialect's SQL."""
        needed: list[str] = []

        def visit(names: set[str]) -> None:
            for name in self.defined:
                if name in names and name not in needed:
                    visit(referenced_tables(self.defined[name]))
                    needed.append(name)

        visit(referenced_tables(tree))
        ordered = [name for name in self.defined if name in needed]  # definitions before their readers
        tree = tree.copy()
        own = tree.args.get("with_")
        ctes = [exp.CTE(this=self.defined[name].copy(), alias=exp.TableAlias(this=exp.to_identifier(name)))
                for name in ordered]
        if ctes:
            tree.set("with_", exp.With(expressions=ctes + (list(own.expressions) if own else [])))
        return generate(tree, self.dialect)

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """A small table as ``VALUES`` (every column as text)."""
        columns = [str(c) for c in frame.columns]
        rows = [tuple(None if pd.isna(v) else str(v) for v in row) for row in frame.itertuples(index=False)]
        if rows:
            values = exp.values([tuple(exp.Literal.string(v) if v is not None else exp.null() for v in row)
                                 for row in rows], alias="v", columns=columns)
            query = exp.select(*[exp.column(c, table="v") for c in columns]).from_(values)
        else:
            query = exp.select(*[exp.alias_(exp.cast(exp.null(), "VARCHAR"), c) for c in columns]).where("1 = 0")
        self.define(name, query)


class DatabaseConnection:
    """segkit's SQL inside a database (see the module docstring).

    Parameters
    ----------
    url : str
        SQLAlchemy URL of ``sources.transactions.url``.
    """

    def __init__(self, url: str):
        import sqlalchemy

        from segkit_helpers.io.sources import read_only_engine, sqlglot_dialect

        self.dialect = sqlglot_dialect(url) or "postgres"
        self.engine = read_only_engine(url)
        self.connection = self.engine.connect()
        self.composer = QueryComposer(self.dialect)
        self._text = sqlalchemy.text

    def execute(self, sql: str) -> Result:
        """Run one statement (DuckDB dialect): a query's rows come back, temporary tables are recorded."""
        compiled = self.composer.statement(sql)
        if compiled is None:
            return Result(None)
        result = self.connection.exec_driver_sql(compiled.replace("%", "%%"))
        return Result(pd.DataFrame(result.fetchall(), columns=list(result.keys())))

    def define_source(self, name: str, query: str) -> None:
        """The source's own query (in the database's dialect), read by segkit's SQL as ``name``."""
        import sqlglot

        self.composer.define(name, sqlglot.parse_one(query, read=self.dialect))

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self.composer.register(name, frame)

    def unregister(self, name: str) -> None:
        self.composer.defined.pop(name, None)

    def columns(self, view: str) -> dict[str, str]:
        """Column name → DuckDB type name of a view (from the driver's type codes)."""
        compiled = self.composer.compose(parse(f"SELECT * FROM {view} LIMIT 0"))
        result = self.connection.exec_driver_sql(compiled.replace("%", "%%"))
        described = result.cursor.description
        result.close()
        return {col.name: _PG_TYPES.get(col.type_code, "VARCHAR") for col in described}

    def close(self) -> None:
        self.connection.close()
        self.engine.dispose()


class RecordingConnection:
    """DuckDB runs segkit's SQL while each query is also composed for another dialect and kept.

    What :func:`segkit_helpers.research.profile_sql.compiled_profile_sql` uses to show the SQL a database of that dialect
    would be sent, without a server of it.
    """

    def __init__(self, con, dialect: str):
        self.con = con
        self.dialect = dialect
        self.composer = QueryComposer(dialect)
        self.queries: list[str] = []

    def execute(self, sql: str):
        compiled = self.composer.statement(sql)
        if compiled is not None:
            self.queries.append(compiled)
        return self.con.execute(sql)

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self.con.register(name, frame)
        self.composer.register(name, frame)

    def columns(self, view: str) -> dict[str, str]:
        from segkit_helpers.io.sources import relation_columns

        return relation_columns(self.con, view)

    def close(self) -> None:
        self.con.close()

