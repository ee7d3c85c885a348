"""A header that names a column twice or not at all stops the run, naming it (no silent renaming)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy
import yaml

from segkit_helpers.cli import main

GOOD = "client;invoice;booked;qty;price\n1;A1;2024-01-02;1;10\n2;B1;2024-01-03;2;5\n"


def _config(tmp_path, source):
    cfg = {"cycle": "h", "asof": "2024-03-31", "sources": {"transactions": source},
           "columns": {"transactions": {"customer_id": "client", "order_id": "invoice", "order_date": "booked",
                                        "quantity": "qty", "unit_price": "price"}}}
    path = tmp_path / "cycle.yml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def _profile(tmp_path, source, capsys):
    code = main(["profile", str(_config(tmp_path, source)), "--out", str(tmp_path / "p.parquet"),
                 "-p", "clv.enabled", "false"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("header, words", [
    ("client;invoice;booked;qty;price;price", "names column 'price' twice (columns 5 and 6)"),
    ("client;invoice;booked;qty;price;Price ", "names column 'Price' twice (columns 5 and 6)"),
    ("client;invoice;booked;qty;price;", "a column without a name (column 6)"),
])
def test_csv_headers(tmp_path, capsys, header, words):
    body = "\n".join(line + ";7" for line in GOOD.splitlines()[1:])
    (tmp_path / "lines.csv").write_text(header + "\n" + body + "\n", encoding="utf-8")
    code, err = _profile(tmp_path, {"path": "lines.csv", "delimiter": ";"}, capsys)
    assert code == 1 and "table 'transactions'" in err and words in err and "Traceback" not in err, err
    code, err = _profile(tmp_path, {"path": "lines.csv"}, capsys)  # delimiter sniffed
    assert code == 1 and words in err, err


def test_a_good_header_still_reads(tmp_path, capsys):
    (tmp_path / "lines.csv").write_text(GOOD, encoding="utf-8")
    code, err = _profile(tmp_path, {"path": "lines.csv"}, capsys)
    assert code == 0, err


def test_parquet_excel_and_sql_headers(tmp_path, capsys):
    arrays = [pa.array(["1", "2"]), pa.array(["A1", "B1"]), pa.array(["2024-01-02", "2024-01-03"]),
              pa.array([1, 2]), pa.array([10.0, 5.0]), pa.array([99.0, 98.0])]
    names = ["client", "invoice", "booked", "qty", "price", "qty"]
    pq.write_table(pa.Table.from_arrays(arrays, names=names), tmp_path / "lines.parquet")
    code, err = _profile(tmp_path, {"path": "lines.parquet"}, capsys)
    assert code == 1 and "names column 'qty' twice (columns 4 and 6)" in err, err

    import pandas as pd

    frame = pd.DataFrame([["1", "A1", "2024-01-02", 1, 10.0, 3]], columns=names[:5] + ["client"])
    frame.to_excel(tmp_path / "lines.xlsx", index=False)
    code, err = _profile(tmp_path, {"path": "lines.xlsx"}, capsys)
    assert code == 1 and "names column 'client' twice (columns 1 and 6)" in err, err

    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    frame.iloc[:, :5].to_sql("lines", engine, index=False)
    engine.dispose()
    code, err = _profile(tmp_path, {"url": "sqlite:///shop.db", "query": "SELECT *, price AS qty FROM lines"}, capsys)
    assert code == 1 and "the query result names column 'qty' twice" in err, err
