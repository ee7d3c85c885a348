"""Every kind of source gives the same profile: CSV, Parquet, Excel, DuckDB file, SQLite and PostgreSQL.

The PostgreSQL test needs a server: set SEGKIT_TEST_POSTGRES_URL (CI does, with
`.ci/start-postgres.sh`); without it the test is skipped and says how to run it.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import sqlalchemy
import yaml

from segkit_helpers.config import PROJ_ROOT, load_config
from segkit_helpers.data import clean_transactions, load_transactions, summarize_lines
from segkit_helpers.errors import InputError
from segkit_helpers.features import rfm_table

POSTGRES_URL = os.environ.get("SEGKIT_TEST_POSTGRES_URL")
MAPPING = {"customer_id": "client", "order_id": "invoice", "order_date": "booked", "quantity": "qty",
           "unit_price": "price", "product": "sku"}


def shop_lines() -> pd.DataFrame:
    """Eight order lines: text ids with leading zeros, a return, a line after asof."""
    return pd.DataFrame({
        "client": ["007", "007", "007", "0420", "0420", "99", "99", None],
        "invoice": ["A1", "A1", "A2", "B1", "CB1", "D1", "D2", "E1"],
        "booked": pd.to_datetime(["2024-01-02 09:00", "2024-01-02 09:00", "2024-02-10 12:00", "2024-01-15 10:00",
                                  "2024-01-20 10:00", "2024-03-01 08:00", "2024-04-02 08:00", "2024-01-03 08:00"]),
        "qty": [2, 1, 5, 3, -1, 1, 1, 1],
        "price": [10.0, 4.0, 2.0, 7.5, 7.5, 100.0, 50.0, 1.0],
        "sku": ["s1", "s2", "s1", "s3", "s3", "s9", "s9", "s1"],
    })


# Hand-computed profile, asof 2024-03-31 (D2 is after asof, E1 has no customer):
#   007: A1 = 20 + 4 = 24 on 01-02, A2 = 10 on 02-10 -> frequency 2, monetary 34, recency 50, tenure 89
#   0420: B1 = 22.5 on 01-15, return CB1 = -7.5 -> frequency 1, monetary 15, recency 76, tenure 76
#   99: D1 = 100 on 03-01 -> frequency 1, monetary 100, recency 30, tenure 30
EXPECTED = pd.DataFrame({"customer_id": ["007", "0420", "99"], "recency_days": [50, 76, 30],
                         "frequency": [2, 1, 1], "monetary": [34.0, 15.0, 100.0], "tenure_days": [89, 76, 30]})


def write_config(folder: Path, source: dict) -> Path:
    cfg = {"cycle": "s", "asof": "2024-03-31", "sources": {"transactions": source},
           "columns": {"transactions": MAPPING}}
    path = folder / "cycle.yml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def profile_of(config: Path) -> pd.DataFrame:
    cfg = load_config(config)
    clean, _ = clean_transactions(load_transactions(cfg), cfg)
    return rfm_table(clean, cfg["asof"])[["customer_id", "recency_days", "frequency", "monetary", "tenure_days"]]


def check(profile: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(profile.reset_index(drop=True), EXPECTED, check_dtype=False)


def test_csv(tmp_path):
    shop_lines().to_csv(tmp_path / "lines.csv", index=False)
    check(profile_of(write_config(tmp_path, {"path": "lines.csv"})))


def test_parquet(tmp_path):
    shop_lines().to_parquet(tmp_path / "lines.parquet", index=False)
    check(profile_of(write_config(tmp_path, {"path": "lines.parquet"})))


def test_excel(tmp_path):
    shop_lines().to_excel(tmp_path / "lines.xlsx", sheet_name="Orders", index=False)
    check(profile_of(write_config(tmp_path, {"path": "lines.xlsx", "sheet": "Orders"})))


def test_duckdb_file_table_and_query(tmp_path):
    con = duckdb.connect(str(tmp_path / "shop.duckdb"))
    frame = shop_lines()
    con.execute("CREATE TABLE order_lines AS SELECT * FROM frame")
    con.close()
    check(profile_of(write_config(tmp_path, {"path": "shop.duckdb", "table": "order_lines"})))
    check(profile_of(write_config(tmp_path, {"path": "shop.duckdb",
                                             "query": "SELECT * FROM order_lines WHERE qty <> 0"})))


def test_sqlite_url_relative_to_the_config(tmp_path):
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    shop_lines().to_sql("order_lines", engine, index=False)
    engine.dispose()
    check(profile_of(write_config(tmp_path, {"url": "sqlite:///shop.db", "query": "SELECT * FROM order_lines"})))
    check(profile_of(write_config(tmp_path, {"url": "sqlite:///shop.db", "table": "order_lines"})))


def test_postgresql(tmp_path):
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests skipped: no server configured. To run them: "
                    "export SEGKIT_TEST_POSTGRES_URL=$(bash .ci/start-postgres.sh)")
    table = f"order_lines_{uuid.uuid4().hex[:8]}"
    engine = sqlalchemy.create_engine(POSTGRES_URL)
    shop_lines().to_sql(table, engine, index=False)
    try:
        config = write_config(tmp_path, {"url": POSTGRES_URL, "query": f"SELECT * FROM {table}"})
        check(profile_of(config))
    finally:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f"DROP TABLE {table}"))
        engine.dispose()


def test_amount_without_order_id(tmp_path):
    frame = shop_lines().assign(net=lambda d: d["qty"] * d["price"]).drop(columns=["invoice", "qty", "price"])
    frame.to_parquet(tmp_path / "lines.parquet", index=False)
    cfg_path = tmp_path / "cycle.yml"
    cfg_path.write_text(yaml.safe_dump({
        "cycle": "s", "asof": "2024-03-31", "sources": {"transactions": {"path": "lines.parquet"}},
        "columns": {"transactions": {"customer_id": "client", "order_date": "booked", "amount": "net"}}}))
    profile = profile_of(cfg_path).set_index("customer_id")
    # without order ids an order is a customer's lines on one day: 007 has 01-02 (24) and 02-10 (10);
    # 0420's return on 01-20 is its own "order" of -7.5 -> not an order, netted
    assert profile.loc["007", "frequency"] == 2 and profile.loc["007", "monetary"] == 34.0
    assert profile.loc["0420", "frequency"] == 1 and profile.loc["0420", "monetary"] == 15.0


def test_text_dates_with_a_format(tmp_path):
    frame = shop_lines()
    frame["booked"] = frame["booked"].dt.strftime("%d/%m/%Y %H:%M")
    frame.to_csv(tmp_path / "lines.csv", index=False)
    check(profile_of(write_config(tmp_path, {"path": "lines.csv", "date_format": "%d/%m/%Y %H:%M"})))
    with pytest.raises(InputError, match=r"column 'order_date': 8 row\(s\) are not dates \(for example '02/01/2024"):
        # without the format, day-first text dates do not parse, and the message says so
        profile_of(write_config(tmp_path, {"path": "lines.csv"}))


def test_bad_query_is_a_clear_error(tmp_path):
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    shop_lines().to_sql("order_lines", engine, index=False)
    engine.dispose()
    with pytest.raises(InputError, match=r"table 'transactions': cannot read sqlite:///.*no such table"):
        profile_of(write_config(tmp_path, {"url": "sqlite:///shop.db", "query": "SELECT * FROM nowhere"}))


def test_online_retail_usual_cleaning_matches_the_published_counts():
    """The shipped data, cleaned the usual way (customer known, not cancelled, quantity > 0, price > 0)."""
    cfg = load_config(PROJ_ROOT / "cycles" / "online_retail_2011-12-09.yml",
                      {"cleaning.returns": "drop", "cleaning.drop_duplicates": False})
    lines = load_transactions(cfg)
    assert summarize_lines(lines)["net revenue"] == pytest.approx(9_747_747.93, abs=0.01)
    clean, report = clean_transactions(lines, cfg)
    summary = summarize_lines(clean)
    assert (summary["lines"], summary["customers"], summary["orders"]) == (397_884, 4_338, 18_532)
    assert report["lines_left"].iloc[-1] == 397_884
