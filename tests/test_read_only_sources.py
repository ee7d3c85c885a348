"""The configured SQL only reads: one SELECT, checked before it runs; connections read-only where possible."""

from __future__ import annotations


import duckdb
import pytest
import sqlalchemy
import yaml

from segkit_helpers.cli import main
from segkit_helpers.errors import InputError
from segkit_helpers.io.sources import read_only_engine, read_only_query
from tests.conftest import make_transactions, write_cycle_config

PAYLOADS = [
    "DROP TABLE {t}",
    "DELETE FROM {t} RETURNING *",
    "SELECT * FROM {t}; DROP TABLE {t}",
    "SELECT * FROM {t}; COPY (SELECT * FROM {t}) TO '{out}'",
    "COPY (SELECT * FROM {t}) TO '{out}'",
    "WITH gone AS (DELETE FROM {t} RETURNING *) SELECT * FROM gone",
    "SELECT * INTO stolen FROM {t}",
    "UPDATE {t} SET \"Quantity\" = 0",
]


def _lines():
    lines = make_transactions(n_customers=30, seed=5)
    lines["InvoiceDate"] = lines["InvoiceDate"].astype(str)
    return lines


def _config(tmp_path, source: dict):
    path = write_cycle_config(tmp_path, tmp_path / "unused.parquet", "ro", "2024-06-30")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["sources"] = {"transactions": source}
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def _profile(tmp_path, source, capsys):
    out = tmp_path / "profile.parquet"
    code = main(["profile", str(_config(tmp_path, source)), "--out", str(out), "-p", "clv.enabled", "false"])
    return code, capsys.readouterr().err, out


@pytest.mark.parametrize("payload", PAYLOADS)
def test_writing_sql_is_refused_on_sqlite_and_the_data_stay(tmp_path, capsys, payload):
    db = tmp_path / "shop.db"
    engine = sqlalchemy.create_engine(f"sqlite:///{db}")
    _lines().to_sql("orders", engine, index=False)
    query = payload.format(t="orders", out=tmp_path / "leak.csv")
    code, err, out = _profile(tmp_path, {"url": "sqlite:///shop.db", "query": query}, capsys)
    assert code == 1 and "sources.transactions.query" in err and "Traceback" not in err, err
    assert not out.exists() and not (tmp_path / "leak.csv").exists()
    with engine.connect() as conn:
        assert conn.execute(sqlalchemy.text("SELECT count(*) FROM orders")).scalar() == len(_lines())
        assert conn.execute(sqlalchemy.text("SELECT count(*) FROM orders WHERE \"Quantity\" = 0")).scalar() == 0
    engine.dispose()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_writing_sql_is_refused_on_a_duckdb_file(tmp_path, capsys, payload):
    db = tmp_path / "shop.duckdb"
    with duckdb.connect(str(db)) as con:
        frame = _lines()
        con.execute("CREATE TABLE orders AS SELECT * FROM frame")
    query = payload.format(t="orders", out=tmp_path / "leak.csv")
    code, err, out = _profile(tmp_path, {"path": str(db), "query": query}, capsys)
    assert code == 1 and "sources.transactions.query" in err and "Traceback" not in err, err
    assert not out.exists() and not (tmp_path / "leak.csv").exists()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == len(_lines())


def test_writing_sql_is_refused_on_postgresql(tmp_path, capsys, postgres_url, postgres_table):
    url, table = postgres_url, postgres_table(_lines())
    for payload in PAYLOADS:
        query = payload.format(t=table, out="/tmp/segkit-leak.csv")
        code, err, _ = _profile(tmp_path, {"url": url, "query": query}, capsys)
        assert code == 1 and "sources.transactions.query" in err, (payload, err)
    with read_only_engine(url).connect() as conn:
        assert conn.execute(sqlalchemy.text(f"SELECT count(*) FROM {table}")).scalar() == len(_lines())
    # second line of defence: even SQL that slipped past the check runs in a read-only transaction
    with read_only_engine(url).connect() as conn, pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
        conn.execute(sqlalchemy.text(f"DELETE FROM {table}"))
    code, err, out = _profile(tmp_path, {"url": url, "query": f'SELECT * FROM {table} WHERE "Quantity" > 0'}, capsys)
    assert code == 0 and out.is_file(), err


def test_sqlite_sources_are_opened_read_only(tmp_path):
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    _lines().to_sql("orders", engine, index=False)
    engine.dispose()
    with read_only_engine(f"sqlite:///{tmp_path / 'shop.db'}").connect() as conn:
        assert conn.execute(sqlalchemy.text("SELECT count(*) FROM orders")).scalar() == len(_lines())
        with pytest.raises(sqlalchemy.exc.OperationalError, match="readonly"):
            conn.execute(sqlalchemy.text("DELETE FROM orders"))


@pytest.mark.parametrize("query", ["SELECT * FROM orders", "select a, b from orders where a > 1;",
                                   "WITH x AS (SELECT * FROM orders) SELECT * FROM x",
                                   "SELECT 1 AS a UNION ALL SELECT 2", "(SELECT * FROM orders)"])
def test_plain_reads_pass_the_check(query):
    assert read_only_query({"query": query}, "transactions") == query.rstrip(";")


def test_a_table_source_is_quoted_not_parsed():
    assert read_only_query({"table": 'odd"name'}, "transactions") == 'SELECT * FROM "odd""name"'
    with pytest.raises(InputError, match="holds 2 statements"):
        read_only_query({"query": "SELECT 1; SELECT 2"}, "transactions")
