"""The SQL the ``database`` engine sends for a profile, in any dialect, without a server of it.

For reviewing what would run on Snowflake or BigQuery (which cannot run here), and for
the golden tests that hold it (``tests/golden/profile_*.sql``).
"""

from __future__ import annotations

import pandas as pd

from segkit_helpers.engines.database import RecordingConnection
from segkit_helpers.engines.sql import parse
from segkit_helpers.io.sources import connect
from segkit_helpers.io.tables import column_mapping
from segkit_helpers.research.cleaning import clean_transactions
from segkit_helpers.research.lines import _typed_lines
from segkit_helpers.research.profile import build_profile


def compiled_profile_sql(lines: pd.DataFrame, cfg: dict, dialect: str, table: str = "order_lines") -> list[str]:
    """The queries the ``database`` engine sends to compute the profile of ``lines``, in ``dialect``.

    The lines (source column names, typed: as a table of that database would hold them)
    are profiled on DuckDB while every query is composed, with its CTEs, for
    ``dialect`` (``postgres``, ``snowflake``, ``bigquery``), reading the table ``table``.

    Returns
    -------
    list of str
        The queries in the order they are sent.
    """
    con = connect()
    con.register(table, lines)
    recorder = RecordingConnection(con, dialect)
    source = "src_transactions"
    con.execute(f"CREATE TEMP VIEW {source} AS SELECT * FROM {table}")
    recorder.composer.define(source, parse(f"SELECT * FROM {table}"))
    try:
        kinds = recorder.columns(source)
        mapping = column_mapping(cfg, "transactions", list(kinds))
        typed = _typed_lines(recorder, source, mapping, "transactions")
        clean, _ = clean_transactions(typed, cfg)
        build_profile(clean, cfg)
    finally:
        con.close()
    return recorder.queries
