"""The deploy target: the CRM export written to a database table in one transaction (``deploy.target``)."""

from __future__ import annotations

import pandas as pd

from segkit_helpers.errors import InputError

#: The table in the target database where segkit records the tables it created (the marker).
MARKER_TABLE = "segkit_managed_tables"


def _transactional(engine) -> None:
    """Make SQLite run DDL inside the transaction too (SQLAlchemy's recipe for pysqlite), so that the
    drop, rename and marker of :func:`write_to_database` commit or roll back together."""
    import sqlalchemy

    if engine.dialect.name != "sqlite":
        return

    @sqlalchemy.event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, record):
        dbapi_connection.isolation_level = None

    @sqlalchemy.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


def write_to_database(export: pd.DataFrame, url: str, table: str = "segkit_segments", if_exists: str = "fail") -> str:
    """Write the CRM export to a database table through SQLAlchemy, in one transaction.

    The rows go to ``<table>__new``, the old table is dropped and the new one renamed,
    and the table is recorded in :data:`MARKER_TABLE`, all in one transaction, so
    readers see either the old or the new assignment, never half of one. A table of
    that name which segkit did not create (no row in the marker table) is left alone
    and the write refused, unless ``if_exists`` is ``"replace"`` (``deploy.target.if_exists``).
    Values are written as they are (ids as text).

    Returns
    -------
    str
        The URL without its password (for the report's sentence).

    Raises
    ------
    InputError
        The table exists and segkit did not create it; or the database refused the write.
    """
    import sqlalchemy

    safe = sqlalchemy.make_url(url).render_as_string(hide_password=True)
    engine = sqlalchemy.create_engine(url)
    _transactional(engine)
    marker = sqlalchemy.Table(MARKER_TABLE, sqlalchemy.MetaData(),
                              sqlalchemy.Column("table_name", sqlalchemy.Text, primary_key=True),
                              sqlalchemy.Column("written_at", sqlalchemy.Text), sqlalchemy.Column("rows", sqlalchemy.Integer))
    staging = f"{table}__new"
    try:
        with engine.begin() as conn:
            marker.create(conn, checkfirst=True)
            exists = sqlalchemy.inspect(conn).has_table(table)
            ours = conn.execute(sqlalchemy.select(marker.c.table_name).where(marker.c.table_name == table)).first()
            if exists and not ours and if_exists != "replace":
                raise InputError(f"table '{table}' already exists at {safe} and segkit did not create it: it is left "
                                 "as it is. Name another table in deploy.target.table, or set "
                                 "deploy.target.if_exists: replace to overwrite it")
            export.to_sql(staging, conn, if_exists="fail", index=False, dtype={"customer_id": sqlalchemy.types.Text()})
            quote = conn.dialect.identifier_preparer.quote
            if exists:
                conn.execute(sqlalchemy.text(f"DROP TABLE {quote(table)}"))
            conn.execute(sqlalchemy.text(f"ALTER TABLE {quote(staging)} RENAME TO {quote(table)}"))
            conn.execute(marker.delete().where(marker.c.table_name == table))
            conn.execute(marker.insert().values(table_name=table, rows=len(export),
                                                written_at=pd.Timestamp.now("UTC").isoformat(timespec="seconds")))
    except (sqlalchemy.exc.SQLAlchemyError, pd.errors.DatabaseError, ValueError) as exc:
        raise InputError(f"cannot write the export to {safe}, table '{table}': {str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()
    return safe
