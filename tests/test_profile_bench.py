"""bench/profile_bench.py on a tiny shop: the generated data hold what was planted, and the report has every row.

Nothing here is timed: the figures themselves are the benchmark's business.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import duckdb
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "profile_bench.py"
LINES = 20_000
COLUMNS = "InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice, CustomerID"  # every column of the shop


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("profile_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture(scope="module")
def shop(bench, tmp_path_factory):
    return bench.shop_files(tmp_path_factory.mktemp("shop"), LINES, seed=3)


def measured(path: Path) -> dict[str, int]:
    """The shop's planted properties, counted by DuckDB from the Parquet file itself."""
    names = ["lines", "orders", "no_customer_lines", "cancelled_lines", "negative_cancelled", "zero_price_lines",
             "duplicate_copies", "customers", "max_orders", "days"]
    row = duckdb.execute(
        "SELECT count(*), count(DISTINCT InvoiceNo), count(*) FILTER (WHERE CustomerID IS NULL), "
        "count(*) FILTER (WHERE starts_with(InvoiceNo, 'C')), "
        "count(*) FILTER (WHERE starts_with(InvoiceNo, 'C') AND Quantity < 0), count(*) FILTER (WHERE UnitPrice = 0), "
        f"(SELECT sum(n - 1) FROM (SELECT count(*) AS n FROM read_parquet($1) GROUP BY {COLUMNS} HAVING n > 1)), "
        "count(DISTINCT CustomerID), "
        "(SELECT max(n) FROM (SELECT count(DISTINCT InvoiceNo) AS n FROM read_parquet($1) GROUP BY CustomerID)), "
        "date_diff('day', min(InvoiceDate), max(InvoiceDate)) FROM read_parquet($1)", [str(path)]).fetchall()[0]
    return dict(zip(names, row))


def test_the_shop_holds_the_planted_lines(bench, shop):
    got, facts = measured(shop.data), shop.facts
    assert got["lines"] == facts["lines"] == LINES
    assert got["orders"] == facts["orders"] and 1_000 < got["orders"] < LINES / 3  # several lines per order
    assert got["no_customer_lines"] == facts["no_customer_lines"] > 0
    assert got["cancelled_lines"] == got["negative_cancelled"] == facts["cancelled_lines"] > 0
    assert got["zero_price_lines"] == facts["zero_price_lines"]
    assert facts["planted_duplicate_copies"] == round(LINES * bench.DUPLICATE_LINES) > 0
    assert got["duplicate_copies"] == facts["duplicate_copies"] > facts["planted_duplicate_copies"]
    assert got["max_orders"] > 10 * got["orders"] / got["customers"]  # heavy-tailed orders per customer
    assert got["days"] > 700  # about two years


def test_the_same_seed_gives_the_same_file_and_another_seed_another(bench, shop, tmp_path):
    again = bench.shop_files(tmp_path, LINES, seed=3)
    other = bench.shop_files(tmp_path, LINES, seed=4)
    assert again.data.read_bytes() == shop.data.read_bytes()
    assert other.data.read_bytes() != shop.data.read_bytes()
    assert bench.shop_files(tmp_path, LINES, seed=3).generated_seconds is None  # cached


def test_the_report_has_every_row_and_target(bench, shop, tmp_path, capsys):
    out = tmp_path / "figures.json"
    # Spark is left out here (its session alone takes longer than the rest); tests/test_engines.py runs that engine
    bench.main(["--lines", str(LINES), "--seed", "3", "--data-dir", str(shop.data.parent), "--json", str(out),
                "--skip-spark"])
    text = capsys.readouterr().out
    for row in bench.CONTENDERS:
        assert row in text
    for line in ("segkit / bare DuckDB work time", "lifetimes (Parquet read included) / segkit work time",
                 "segkit peak memory", "cores", "duckdb", "lifetimes"):
        assert line in text
    figures = json.loads(out.read_text())
    rows = {r["run"]: r for r in figures["rows"]}
    assert set(rows) == set(bench.CONTENDERS)
    for name in (bench.DUCKDB_ROW, bench.SEGKIT_ROW, bench.NO_DUP_ROW, bench.LIFETIMES_ROW):
        assert rows[name]["seconds"] > 0 and rows[name]["peak_mb"] > 10, name
    assert rows[bench.SEGKIT_ROW]["customers"] > 0
    spark = rows[bench.SPARK_ROW]
    assert "seconds" not in spark and f"not run: {spark['not_run']}" in text
    assert [t["verdict"] for t in figures["targets"]] != ["not run"] * 3


def test_the_billion_lines_need_a_data_dir_outside_the_repository(bench):
    with pytest.raises(SystemExit):
        bench.main(["--billion"])
    with pytest.raises(SystemExit):
        bench.main(["--data-dir", str(BENCH.parent)])
