"""The parts of the engines that need no engine: SQL compilation, CTE composition, result types, Spark's errors."""

from __future__ import annotations

import decimal

import pandas as pd
import pytest
import sqlglot

from segkit_helpers.engines.database import QueryComposer
from segkit_helpers.engines.results import Result, normalize_frame
from segkit_helpers.engines.spark import duckdb_type
from segkit_helpers.engines.spark_session import spark_errors, spark_failure
from segkit_helpers.engines.sql import compile_sql, temp_statement, when
from segkit_helpers.errors import ConfigError


def test_when_is_an_aggregate_filter_every_dialect_reads():
    assert when("x > 0") == "CASE WHEN x > 0 THEN 1 END"
    sql = f"SELECT count({when('x > 0')}), sum({when('x > 0', 'x')}) FROM t"
    for dialect in ("duckdb", "spark", "postgres", "snowflake", "bigquery"):
        assert "FILTER" not in compile_sql(sql, dialect).upper()


def test_postgres_gets_rounding_contains_and_ends_with_it_has():
    sql = compile_sql("SELECT round(sum(x), 2), contains(a, '.'), ends_with(a, ' ') FROM t", "postgres")
    assert sql == ("SELECT CAST(ROUND(CAST(SUM(x) AS DECIMAL), 2) AS DOUBLE PRECISION), POSITION('.' IN a) > 0, "
                   "RIGHT(a, LENGTH(' ')) = ' ' FROM t")
    assert compile_sql("SELECT round(x, 2) FROM t", "duckdb") == "SELECT round(x, 2) FROM t"  # DuckDB runs it as written


def test_temp_statements_are_recognised():
    assert temp_statement("CREATE TEMP TABLE orders_3 AS SELECT 1") == ("TABLE", "orders_3", "SELECT 1")
    assert temp_statement("CREATE TEMP VIEW v AS\nSELECT a FROM t") == ("VIEW", "v", "SELECT a FROM t")
    assert temp_statement("DROP TABLE IF EXISTS x") == ("TABLE", "x", None)
    assert temp_statement("SELECT 1") is None


def test_a_query_is_sent_with_the_named_queries_it_reads_in_definition_order():
    composer = QueryComposer("postgres")
    composer.statement("CREATE TEMP VIEW a AS SELECT 1 AS x")
    composer.statement("CREATE TEMP TABLE unused AS SELECT 2 AS y")
    composer.statement("CREATE TEMP TABLE b AS SELECT x + 1 AS x FROM a")
    sql = composer.statement("WITH c AS (SELECT x FROM b) SELECT x FROM c")
    assert sql == "WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS x FROM a), c AS (SELECT x FROM b) SELECT x FROM c"
    composer.statement("DROP TABLE b")
    assert "b AS" not in composer.statement("SELECT x FROM a")
    composer.register("m", pd.DataFrame({"product": ["p1", None], "line": ["gifts", "toys"]}))
    values = composer.statement("SELECT line FROM m")
    assert "VALUES ('p1', 'gifts'), (NULL, 'toys')" in values
    sqlglot.parse_one(values, read="postgres")


def test_results_come_back_in_duckdbs_types():
    frame = pd.DataFrame({
        "mean": [decimal.Decimal("1.5"), None], "count": [decimal.Decimal("3"), decimal.Decimal("4")],
        "day": pd.to_datetime(["2024-01-02", "2024-01-03"]).astype("datetime64[ns]"),
        "instant": pd.to_datetime(["2024-01-02 23:30"]).tz_localize("Europe/Warsaw").repeat(2),
        "text": ["a", None]})
    out = normalize_frame(frame)
    assert out.dtypes.astype(str).tolist()[:4] == ["float64", "int64", "datetime64[us]", "datetime64[us]"]
    assert out["text"].iloc[0] == "a" and pd.isna(out["text"].iloc[1])
    assert out["instant"].iloc[0] == pd.Timestamp("2024-01-02 22:30")  # UTC, no zone
    assert Result(frame).fetchone()[:2] == (1.5, 3)


def test_spark_types_are_named_as_duckdb_names_them():
    assert [duckdb_type(t) for t in ("string", "bigint", "timestamp_ntz", "timestamp", "decimal(10,2)", "double")] == [
        "VARCHAR", "BIGINT", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "DECIMAL(10,2)", "DOUBLE"]


# Spark's own words, as its errors carry them (driver out of memory; YARN killing an executor's container)
DRIVER_OOM = "An error occurred while calling o123.collectToPython.\n: java.lang.OutOfMemoryError: Java heap space"
LOST_EXECUTOR = ("Job aborted due to stage failure: Task 3 in stage 7.0 failed 4 times, most recent failure: Lost task "
                 "3.3 in stage 7.0 (TID 42) (host executor 2): ExecutorLostFailure (executor 2 exited caused by one of "
                 "the running tasks) Reason: Container killed by YARN for exceeding memory limits.")


def test_spark_running_out_of_memory_or_losing_an_executor_is_one_line_naming_the_setting():
    assert "spark.driver.memory" in spark_failure(RuntimeError(DRIVER_OOM))
    assert "spark.executor.memory" in spark_failure(RuntimeError(LOST_EXECUTOR))
    assert spark_failure(RuntimeError("[TABLE_OR_VIEW_NOT_FOUND] x")) is None
    with pytest.raises(ConfigError, match=r"^table 'transactions': a Spark executor was lost: raise engine.spark.conf"):
        with spark_errors():
            raise RuntimeError(LOST_EXECUTOR)
    with pytest.raises(RuntimeError, match="TABLE_OR_VIEW"):  # anything else passes through as it is
        with spark_errors():
            raise RuntimeError("[TABLE_OR_VIEW_NOT_FOUND] x")


# --- the item table grouped by hashes (DuckDB) ---------------------------------------------------

def item_lines() -> pd.DataFrame:
    """Lines of three customers (text ids, one with a leading zero), a product bought twice, a NULL product."""
    return pd.DataFrame({
        "customer_id": ["007", "007", "007", "7", "7", "B", "B"],
        "order_id": ["1", "1", "2", "3", "3", "4", "5"],
        "order_date": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-02-03", "2024-01-05", "2024-01-05",
                                      "2024-03-01", "2024-03-02"]),
        "product": ["p1", "p2", "p1", "p1", None, "p3", "p3"],
        "category": ["toys", "books", "toys", None, "books", "toys", "toys"],
        "quantity": [1, 2, 1, 3, 1, 1, 2],
        "unit_price": [10.0, 5.0, 10.0, 2.0, 4.0, 7.5, 7.5],
    })


@pytest.mark.parametrize("integer_ids", [False, True])
@pytest.mark.parametrize("columns", [["product"], ["category"], ["product", "category"]])
def test_item_table_grouped_by_hashes_equals_the_exact_one(columns, integer_ids, tmp_path):
    from segkit_helpers.research.lines import item_keys, items_sql, prepare_transactions, product_line_sql

    frame = item_lines()
    if integer_ids:  # grouped as they are, without a key table
        frame["customer_id"] = frame["customer_id"].map({"007": 1007, "7": 7, "B": 11})
    frame = frame[[c for c in frame.columns if c not in {"product", "category"} or c in columns]]
    lines = prepare_transactions(frame)
    mapping = tmp_path / "lines.csv"
    pd.DataFrame({"product": ["p1", "p2"], "line": ["toys", "books"]}).to_csv(mapping, index=False)
    con, cols = lines.con, lines.columns
    for product_lines in (None, str(mapping)):
        line = product_line_sql(con, cols, product_lines)
        keys = item_keys(con, lines.name, lines.name, cols, line)
        assert keys is not None and (keys.customers is None) == integer_ids
        exact = con.execute(f"{items_sql(lines.name, cols, line, False)} ORDER BY 1, 2").df()
        hashed = con.execute(f"{items_sql(lines.name, cols, line, False, keys=keys)} ORDER BY 1, 2").df()
        pd.testing.assert_frame_equal(hashed, exact)
        if "product" in cols:  # hand count: 007 bought p1 and p2, 7 bought p1 (its NULL product not counted)
            products = exact.groupby("customer_id")["products"].sum().to_dict()
            assert products == ({1007: 2, 7: 1, 11: 1} if integer_ids else {"007": 2, "7": 1, "B": 1})


def test_item_table_is_grouped_exactly_where_hashes_are_not_duckdbs():
    from segkit_helpers.research.lines import item_keys, prepare_transactions

    lines = prepare_transactions(item_lines())
    assert item_keys(object(), lines.name, lines.name, lines.columns, ("NULL", "")) is None
