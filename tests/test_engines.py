"""The profile's line aggregation gives DuckDB's answer on Spark and inside PostgreSQL, and its SQL compiles elsewhere.

Equality is exact: every column of the profile and of the cleaning table, values and
types (``pandas.testing.assert_frame_equal`` with ``check_exact``), on the sample and on
generated shops (returns, duplicates, missing ids, no order ids, text ids, statuses).
Spark runs in ``local[2]`` mode (skipped, saying why, without Java or pyspark);
PostgreSQL needs ``SEGKIT_TEST_POSTGRES_URL`` (CI starts a server: ``.ci/start-postgres.sh``).
The SQL sent to Snowflake and BigQuery cannot be run here: golden files hold it
(``tests/golden/``; ``SEGKIT_UPDATE_GOLDEN=1`` rewrites them after a deliberate change).
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlglot
import yaml

from segkit_helpers.cli import main
from segkit_helpers.datasets.shops import continuum_shop
from segkit_helpers.errors import ConfigError, InputError
from segkit_helpers.io.config import load_config
from segkit_helpers.io.paths import PROJ_ROOT
from segkit_helpers.research.profile import profile_from_config
from segkit_helpers.research.profile_sql import compiled_profile_sql

SAMPLE = PROJ_ROOT / "cycles" / "online_retail_2011-12-09.yml"
SAMPLE_LINES = PROJ_ROOT / "data" / "raw" / "online_retail" / "online_retail_2010_2011.parquet"
GOLDEN = Path(__file__).parent / "golden"


def assert_same(expected: tuple[pd.DataFrame, pd.DataFrame], actual: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """The same profile and cleaning table, exactly (values and types)."""
    for want, got in zip(expected, actual):
        pd.testing.assert_frame_equal(got, want, check_exact=True)


def copy_to_postgres(url: str, frame: pd.DataFrame, name: str) -> None:
    """Write ``frame`` as a new PostgreSQL table with COPY (a million lines in seconds)."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        frame.head(0).to_sql(name, engine, index=False)
        with engine.begin() as conn:
            with conn.connection.dbapi_connection.cursor() as cursor:
                with cursor.copy(f'COPY "{name}" FROM STDIN') as copy:
                    for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None):
                        copy.write_row(row)
    finally:
        engine.dispose()


@pytest.fixture
def pg_tables(postgres_url):
    """``pg_tables(frame) -> name``: a fresh PostgreSQL table of ``frame``; dropped after the test."""
    import sqlalchemy

    names: list[str] = []

    def write(frame: pd.DataFrame) -> str:
        names.append(f"lines_{uuid.uuid4().hex[:8]}")
        copy_to_postgres(postgres_url, frame, names[-1])
        return names[-1]

    yield write
    engine = sqlalchemy.create_engine(postgres_url)
    with engine.begin() as conn:
        for name in names:
            conn.execute(sqlalchemy.text(f'DROP TABLE IF EXISTS "{name}"'))
    engine.dispose()


def shop_config(folder: Path, source: dict, columns: dict | None = None, cleaning: dict | None = None) -> Path:
    """A cycle config over a generated shop (logical column names unless ``columns`` maps them)."""
    cfg = {"cycle": "engines", "asof": "2024-06-30", "seed": 1, "sources": {"transactions": source},
           "clv": {"enabled": False}}
    if columns:
        cfg["columns"] = {"transactions": columns}
    if cleaning:
        cfg["cleaning"] = cleaning
    path = folder / f"engines_{uuid.uuid4().hex[:6]}.yml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def generated_shop(customers: int, seed: int, order_ids: bool = True) -> pd.DataFrame:
    """A continuum shop with its returns and missing ids, plus 0.5 % of its lines loaded twice (exact copies)."""
    lines = continuum_shop(customers, seed, order_ids=order_ids)
    rng = np.random.default_rng(seed)
    twice = lines.iloc[np.sort(rng.choice(len(lines), size=len(lines) // 200, replace=False))]
    return pd.concat([lines, twice], ignore_index=True)


def pg_source(postgres_url: str, table: str) -> dict:
    return {"url": postgres_url, "table": table}


# --- the sample -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_on_duckdb(tmp_path_factory) -> Path:
    """``segkit profile`` of the sample on DuckDB (the file it writes)."""
    out = tmp_path_factory.mktemp("sample") / "duckdb.parquet"
    assert main(["profile", str(SAMPLE), "--out", str(out), "-p", "clv.enabled", "false"]) == 0
    return out


def test_sample_profile_on_spark_is_duckdbs(spark, sample_on_duckdb, tmp_path):
    out = tmp_path / "spark.parquet"  # the fixture's session is the active one: the command uses it
    assert main(["profile", str(SAMPLE), "--out", str(out), "-p", "clv.enabled", "false",
                 "-p", "engine.name", "spark"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(sample_on_duckdb), check_exact=True)
    assert out.read_bytes() == sample_on_duckdb.read_bytes()


def test_sample_profile_inside_postgresql_is_duckdbs(sample_on_duckdb, postgres_url, pg_tables, tmp_path):
    table = pg_tables(pd.read_parquet(SAMPLE_LINES))
    cfg = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    cfg["sources"]["transactions"] = pg_source(postgres_url, table)
    cfg["research"]["product_lines"] = str(PROJ_ROOT / "data" / "raw" / "online_retail" / "product_lines.csv")
    cfg["sources"]["experiments"]["path"] = str(PROJ_ROOT / "data" / "raw" / "online_retail" / "experiment.csv")
    config, out = tmp_path / "sample_in_postgres.yml", tmp_path / "postgres.parquet"
    config.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    assert main(["profile", str(config), "--out", str(out), "-p", "clv.enabled", "false",
                 "-p", "engine.name", "database"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(sample_on_duckdb), check_exact=True)
    assert out.read_bytes() == sample_on_duckdb.read_bytes()


# --- generated shops ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def million_lines(tmp_path_factory) -> tuple[pd.DataFrame, Path]:
    """About a million order lines (30,000 customers), written as Parquet."""
    lines = generated_shop(30_000, seed=14)
    assert len(lines) > 1_000_000
    assert lines["customer_id"].isna().any() and (lines["quantity"] < 0).any() and lines.duplicated().any()
    path = tmp_path_factory.mktemp("million") / "lines.parquet"
    lines.to_parquet(path, index=False)
    return lines, path


@pytest.mark.slow
def test_a_million_lines_on_spark_and_inside_postgresql_give_duckdbs_profile(million_lines, spark, postgres_url,
                                                                            pg_tables, tmp_path):
    lines, path = million_lines
    on_file = shop_config(tmp_path, {"path": str(path)})
    expected = profile_from_config(on_file)
    assert len(expected[0]) > 25_000 and expected[1]["lines"].gt(0).sum() >= 4  # every rule had work to do
    assert_same(expected, profile_from_config(on_file, {"engine.name": "spark"}, spark=spark))
    in_database = shop_config(tmp_path, pg_source(postgres_url, pg_tables(lines)))
    assert_same(expected, profile_from_config(in_database, {"engine.name": "database"}))


def foreign_variant(lines: pd.DataFrame) -> tuple[pd.DataFrame, dict, dict]:
    """The same lines as another shop writes them: its own column names, text ids with leading zeros, a status
    column that marks cancellations, a cost per line; returns dropped instead of netted."""
    foreign = pd.DataFrame({
        "klient": lines["customer_id"].map(lambda c: None if pd.isna(c) else f"{int(c):08d}"),
        "dokument": lines["order_id"], "data": lines["order_date"], "ilosc": lines["quantity"],
        "cena": lines["unit_price"], "indeks": lines["product"],
        "koszt": (lines["unit_price"] * 0.6).round(2),
        "status": np.where(np.arange(len(lines)) % 97 == 0, "anulowane", "ok"),
    })
    columns = {"customer_id": "klient", "order_id": "dokument", "order_date": "data", "quantity": "ilosc",
               "unit_price": "cena", "product": "indeks", "cost": "koszt", "status": "status"}
    cleaning = {"cancelled_statuses": ["anulowane"], "returns": "drop"}
    return foreign, columns, cleaning


@pytest.fixture(scope="module")
def small_shop() -> pd.DataFrame:
    return generated_shop(1_500, seed=3)


@pytest.mark.parametrize("variant", ["foreign", "no order ids"])
def test_other_shops_give_duckdbs_profile_on_spark_and_postgresql(variant, small_shop, spark, postgres_url, pg_tables,
                                                                 tmp_path):
    lines, columns, cleaning = small_shop, None, None
    if variant == "foreign":
        lines, columns, cleaning = foreign_variant(small_shop)
    else:
        lines = small_shop.drop(columns=["order_id"])
    path = tmp_path / "lines.parquet"
    lines.to_parquet(path, index=False)
    on_file = shop_config(tmp_path, {"path": str(path)}, columns, cleaning)
    expected = profile_from_config(on_file)
    if variant == "foreign":  # a table of the Spark session's catalog (as on Databricks)
        spark.read.parquet(str(path)).createOrReplaceTempView("engines_test_lines")
        on_spark = shop_config(tmp_path, {"table": "engines_test_lines"}, columns, cleaning)
    else:
        on_spark = on_file
    assert_same(expected, profile_from_config(on_spark, {"engine.name": "spark"}, spark=spark))
    in_database = shop_config(tmp_path, pg_source(postgres_url, pg_tables(lines)), columns, cleaning)
    assert_same(expected, profile_from_config(in_database, {"engine.name": "database"}))


def test_spark_reads_text_csv_as_duckdb_reads_it(small_shop, spark, tmp_path):
    csv = tmp_path / "lines.csv"
    small_shop.to_csv(csv, index=False)
    on_csv = shop_config(tmp_path, {"path": str(csv)})
    assert_same(profile_from_config(on_csv), profile_from_config(on_csv, {"engine.name": "spark"}, spark=spark))


# --- what cannot run gets one clear line ----------------------------------------------------------


def test_text_dates_in_the_database_are_named_with_the_cast_to_write(small_shop, postgres_url, pg_tables, tmp_path):
    lines = small_shop.assign(order_date=small_shop["order_date"].dt.strftime("%d.%m.%Y %H:%M"))
    config = shop_config(tmp_path, pg_source(postgres_url, pg_tables(lines)))
    with pytest.raises(InputError, match=r"column 'order_date' \(order_date\) is text in the database.*"
                                         r"CAST\(\"order_date\" AS timestamp\)"):
        profile_from_config(config, {"engine.name": "database"})


def test_spark_refuses_csv_writings_it_cannot_parse_and_missing_paths(small_shop, spark, tmp_path):
    csv = tmp_path / "lines.csv"
    small_shop.to_csv(csv, index=False, sep=";", decimal=",")
    config = shop_config(tmp_path, {"path": str(csv), "delimiter": ";", "decimal": ","})
    with pytest.raises(ConfigError, match=r"engine spark reads .* not sources.transactions.decimal = ','"):
        profile_from_config(config, {"engine.name": "spark"}, spark=spark)
    gone = shop_config(tmp_path, {"path": str(tmp_path / "gone.parquet")})
    with pytest.raises(InputError, match="file not found"):
        profile_from_config(gone, {"engine.name": "spark"}, spark=spark)


def test_database_engine_needs_a_database_source(tmp_path):
    config = shop_config(tmp_path, {"path": str(tmp_path / "lines.parquet")})
    with pytest.raises(ConfigError, match="engine.name' is database: 'sources.transactions.url'"):
        load_config(config, {"engine.name": "database"})


# --- the SQL other databases are sent -----------------------------------------------------------

TEMP_NAMES = re.compile(r"\b(lines|orders|surplus|order_rules|customer_rules|all_items|items|clean|frame|"
                        r"product_lines|dup_hashes)_\d+\b")


def golden_lines() -> pd.DataFrame:
    """Six typed order lines: a return, a duplicate, a line without a customer, a line after asof."""
    return pd.DataFrame({
        "customer_id": pd.array([1, 1, 1, 2, 2, None], dtype="Int64"),
        "order_id": ["A1", "A1", "A2", "B1", "CB1", "E1"],
        "order_date": pd.to_datetime(["2024-01-02 09:00", "2024-01-02 09:00", "2024-02-10 12:00",
                                      "2024-01-15 10:00", "2024-01-20 10:00", "2024-01-03 08:00"]),
        "quantity": [2, 2, 5, 3, -1, 1], "unit_price": [10.0, 10.0, 2.0, 7.5, 7.5, 1.0],
        "product": ["s1", "s1", "s1", "s3", "s3", "s1"]})


@pytest.mark.parametrize("dialect", ["postgres", "snowflake", "bigquery", "spark"])
def test_profile_sql_for_each_dialect_matches_its_golden_file_and_parses(dialect, tmp_path):
    config = shop_config(tmp_path, {"url": "postgresql://db/shop", "table": "order_lines"})
    queries = compiled_profile_sql(golden_lines(), load_config(config), dialect)
    assert len(queries) >= 4
    for query in queries:
        sqlglot.parse_one(query, read=dialect)  # valid in that dialect
        assert "FILTER(" not in query.replace(" ", "") and "GROUP BY ALL" not in query
    text = "\n;\n".join(TEMP_NAMES.sub(r"\1_n", q) for q in queries) + "\n"
    golden = GOLDEN / f"profile_{dialect}.sql"
    if os.environ.get("SEGKIT_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}: run with SEGKIT_UPDATE_GOLDEN=1 once and review it"
    assert text == golden.read_text(encoding="utf-8")
