"""Unit tests of reading sources, column mapping, typing (io.tables, research.lines) and cleaning (research.cleaning)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from segkit_helpers.cli import main
from segkit_helpers.io.config import load_config
from segkit_helpers.io.tables import column_mapping, plain_text, read_table, source_columns
from segkit_helpers.research.checks import check_sources
from segkit_helpers.research.cleaning import clean_transactions, duplicate_rule, is_cancellation
from segkit_helpers.research.lines import load_transactions, prepare_transactions, sample_period, summarize_lines
from segkit_helpers.errors import InputError
from segkit_helpers.research.metrics import customer_metrics, order_table
from segkit_helpers.research.readiness import data_checks
from tests.conftest import make_transactions, write_cycle_config

MAPPING = {
    "customer_id": "CustomerID",
    "order_id": "InvoiceNo",
    "order_date": "InvoiceDate",
    "quantity": "Quantity",
    "unit_price": "UnitPrice",
}


def source_frame() -> pd.DataFrame:
    """Three order lines in source column names; ids are text with leading zeros."""
    return pd.DataFrame(
        {
            "InvoiceNo": ["000501", "000501", "C000502"],
            "CustomerID": ["00123", "00123", "04560"],
            "InvoiceDate": ["2024-01-05 10:00:00", "2024-01-05 10:00:00", "2024-01-07 09:30:00"],
            "Quantity": [2, 1, -1],
            "UnitPrice": [2.5, 10.0, 4.0],
            "Unused": ["x", "y", "z"],
        }
    )


def make_cfg(tmp_path: Path, source: Path, mapping: dict | None = None, sheet: str | None = None,
             extra: str = "") -> dict:
    lines = ['cycle: "t"', "asof: 2024-01-31", "sources:", "  transactions:", f"    path: {source}"]
    if sheet:
        lines.append(f"    sheet: {sheet}")
    if mapping:
        lines += ["columns:", "  transactions:"] + [f"    {k}: {v}" for k, v in mapping.items()]
    cfg_path = tmp_path / "cycle.yml"
    cfg_path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return load_config(cfg_path)


def check_read(df: pd.DataFrame) -> None:
    assert list(df.columns) == ["customer_id", "order_id", "order_date", "quantity", "unit_price"]
    assert df["customer_id"].tolist() == ["00123", "00123", "04560"]
    assert df["order_id"].tolist() == ["000501", "000501", "C000502"]
    assert df["quantity"].tolist() == [2, 1, -1]
    assert df["unit_price"].tolist() == [2.5, 10.0, 4.0]


# --- read_table ------------------------------------------------------------------------------


def test_read_csv_keeps_leading_zeros(tmp_path):
    path = tmp_path / "lines.csv"
    source_frame().to_csv(path, index=False)
    df = read_table(make_cfg(tmp_path, path, MAPPING), "transactions")
    check_read(df)
    assert isinstance(df["customer_id"].dtype, pd.StringDtype)


def test_read_csv_unmapped_columns_found_by_logical_name(tmp_path):
    path = tmp_path / "lines.csv"
    pd.DataFrame(
        {"customer_id": ["007", "", " 0042 "], "order_date": ["2024-01-01"] * 3, "amount": [1.0, 2.0, 3.0],
         "channel": ["web", "web", "shop"]}
    ).to_csv(path, index=False)
    df = read_table(make_cfg(tmp_path, path), "transactions")
    assert set(df.columns) == {"customer_id", "order_date", "amount", "channel"}
    # text ids: leading zeros kept, surrounding blanks stripped, empty -> NA
    assert df["customer_id"].iloc[0] == "007"
    assert pd.isna(df["customer_id"].iloc[1])
    assert df["customer_id"].iloc[2] == "0042"


def test_read_parquet(tmp_path):
    path = tmp_path / "lines.parquet"
    source_frame().to_parquet(path, index=False)
    check_read(read_table(make_cfg(tmp_path, path, MAPPING), "transactions"))


def test_read_parquet_float_ids_lose_no_digits(tmp_path):
    # e.g. the UCI data: CustomerID stored as float with missing values
    path = tmp_path / "lines.parquet"
    frame = source_frame()
    frame["CustomerID"] = [12346.0, float("nan"), 17850.0]
    frame.to_parquet(path, index=False)
    df = read_table(make_cfg(tmp_path, path, MAPPING), "transactions")
    assert df["customer_id"].iloc[0] == "12346"
    assert pd.isna(df["customer_id"].iloc[1])
    assert df["customer_id"].iloc[2] == "17850"


def test_read_excel(tmp_path):
    path = tmp_path / "lines.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"note": ["first sheet is not the data"]}).to_excel(writer, sheet_name="About", index=False)
        source_frame().to_excel(writer, sheet_name="Lines", index=False)
    check_read(read_table(make_cfg(tmp_path, path, MAPPING, sheet="Lines"), "transactions"))


def test_unknown_file_type(tmp_path):
    path = tmp_path / "lines.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match=r"table 'transactions'.*unknown file type '\.json'"):
        source_columns(path, "transactions")


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"table 'customers': file not found"):
        source_columns(tmp_path / "nope.csv", "customers")


def test_check_sources_reads_headers(tmp_path):
    path = tmp_path / "lines.csv"
    source_frame().to_csv(path, index=False)
    check_sources(make_cfg(tmp_path, path, MAPPING, extra="segmentation:\n  k_range: [2, 2]\n"))  # no error
    assert source_columns(path, "transactions") == list(source_frame().columns)


# --- column_mapping --------------------------------------------------------------------------


def test_mapping_combines_config_and_own_names():
    cfg = {"columns": {"transactions": {"customer_id": "Kunde", "order_date": "Datum"}}}
    mapped = column_mapping(cfg, "transactions", ["Kunde", "Datum", "amount", "product", "other"])
    assert mapped == {"customer_id": "Kunde", "order_date": "Datum", "amount": "amount", "product": "product"}


def test_mapped_column_missing_from_file():
    cfg = {"columns": {"transactions": {"customer_id": "CustID"}}}
    with pytest.raises(InputError) as info:
        column_mapping(cfg, "transactions", ["CustomerID", "order_date", "amount"])
    message = str(info.value)
    assert "table 'transactions'" in message
    assert "column 'CustID'" in message
    assert "'columns.transactions.customer_id'" in message


def test_unmapped_required_column():
    cfg = {"columns": {"transactions": {}}}
    with pytest.raises(InputError) as info:
        column_mapping(cfg, "transactions", ["customer_id", "InvoiceDate", "amount"])
    message = str(info.value)
    assert "table 'transactions'" in message
    assert "required column 'order_date'" in message


def test_quantity_and_price_required_without_amount():
    cfg = {"columns": {"transactions": {}}}
    with pytest.raises(InputError, match=r"required column 'unit_price'.*or map 'amount'"):
        column_mapping(cfg, "transactions", ["customer_id", "order_date", "quantity"])


def test_required_column_of_another_table():
    cfg = {"columns": {"experiments": {}}}
    with pytest.raises(InputError, match=r"table 'experiments': required column 'group'"):
        column_mapping(cfg, "experiments", ["customer_id", "converted"])


# --- prepare_transactions --------------------------------------------------------------------


def test_prepare_computes_amount_day_and_order_id():
    lines = pd.DataFrame(
        {
            "customer_id": pd.array(["00123", "00123", "00777"], dtype="string"),
            "order_date": ["2024-01-05 10:00:00", "2024-01-05 23:59:00", "2024-01-06 00:00:00"],
            "quantity": ["3", "2", "-1"],  # text numbers are parsed
            "unit_price": [2.5, 4.0, 10.0],
        }
    )
    out = prepare_transactions(lines).df()
    # amount = quantity * unit_price: 3*2.5 = 7.5, 2*4 = 8, -1*10 = -10
    assert out["amount"].tolist() == [7.5, 8.0, -10.0]
    assert out["order_day"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-05"),
                                         pd.Timestamp("2024-01-06")]
    # one customer's lines on one calendar day form one order
    assert out["order_id"].tolist() == ["00123@2024-01-05", "00123@2024-01-05", "00777@2024-01-06"]
    assert out["order_date"].iloc[1] == pd.Timestamp("2024-01-05 23:59:00")
    assert lines["quantity"].tolist() == ["3", "2", "-1"]  # the input is not modified


def test_prepare_keeps_given_amount_and_order_id():
    lines = pd.DataFrame(
        {
            "customer_id": pd.array(["1", "2"], dtype="string"),
            "order_id": pd.array(["A1", "A2"], dtype="string"),
            "order_date": ["2024-02-01", "2024-02-02"],
            "quantity": [2, 2],
            "unit_price": [5.0, 5.0],
            "amount": [9.0, 11.0],  # given amount wins over quantity * unit_price
        }
    )
    out = prepare_transactions(lines).df()
    assert out["amount"].tolist() == [9.0, 11.0]
    assert out["order_id"].tolist() == ["A1", "A2"]


def test_prepare_drops_time_zone():
    lines = pd.DataFrame({"customer_id": pd.array(["1"], dtype="string"),
                          "order_date": ["2024-02-01T10:00:00+01:00"], "amount": [1.0]})
    out = prepare_transactions(lines).df()
    assert out["order_date"].dt.tz is None
    assert out["order_day"].iloc[0] == pd.Timestamp("2024-02-01")


@pytest.mark.parametrize("table, column, values, words, example", [
    ("orders", "order_date", {"order_date": ["2024-01-05", "not a date", "2024-01-07", "31/31/2024"],
                              "amount": [1.0, 2.0, 3.0, 4.0]}, "2 row(s) are not dates", "'not a date'"),
    ("transactions", "quantity", {"order_date": ["2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08"],
                                  "quantity": ["1", "two", "3", "4"], "unit_price": [1.0] * 4},
     "1 row(s) are not numbers", "'two'"),
])
def test_bad_dates_and_numbers_are_reported(table, column, values, words, example):
    lines = pd.DataFrame({"customer_id": pd.array(["1", "2", "3", "4"], dtype="string"), **values})
    with pytest.raises(InputError) as info:
        prepare_transactions(lines, table=table)
    message = str(info.value)
    assert f"table '{table}'" in message and f"column '{column}'" in message
    assert words in message and example in message


def test_missing_dates_are_reported():
    lines = pd.DataFrame({"customer_id": pd.array(["1", "2"], dtype="string"),
                          "order_date": ["2024-01-05", None], "amount": [1.0, 2.0]})
    with pytest.raises(InputError, match=r"table 'transactions', column 'order_date': 1 row\(s\) have no date"):
        prepare_transactions(lines)


def test_empty_numbers_are_reported():
    lines = pd.DataFrame({"customer_id": pd.array(["1", "2"], dtype="string"),
                          "order_date": ["2024-01-05", "2024-01-06"], "amount": [1.0, None]})
    with pytest.raises(InputError, match=r"column 'amount': 1 row\(s\) are empty"):
        prepare_transactions(lines)


# --- cleaning --------------------------------------------------------------------------------


def tiny_lines() -> pd.DataFrame:
    """Nine order lines, each exercising one cleaning rule (asof = 2024-01-31)."""
    rows = [
        # customer, order, date, quantity, unit price
        (None, "1001", "2024-01-02 10:00", 1, 10.0),  # 0: no customer id
        ("A", "1002", "2024-02-01 08:00", 1, 10.0),  # 1: after asof
        ("A", "1003", "2024-01-05 10:00", 2, 5.0),  # 2: kept, amount 10
        ("A", "1003", "2024-01-05 10:00", 2, 5.0),  # 3: exact duplicate of 2
        ("A", "1004", "2024-01-06 10:00", 1, 0.0),  # 4: zero unit price
        ("A", "C1005", "2024-01-07 10:00", -1, 5.0),  # 5: return, amount -5 (netted)
        ("B", "1006", "2024-01-08 10:00", 1, 4.0),  # 6: amount 4
        ("B", "C1007", "2024-01-09 10:00", -1, 4.0),  # 7: return -4 -> B nets to 0
        ("C", "1008", "2024-01-31 18:00", 3, 2.0),  # 8: on asof day (inclusive), amount 6
    ]
    lines = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "quantity", "unit_price"])
    lines["customer_id"] = lines["customer_id"].astype("string")
    lines["order_id"] = lines["order_id"].astype("string")
    return prepare_transactions(lines)


def cleaning_cfg(**cleaning) -> dict:
    base = {"cancellation_prefix": "C", "drop_duplicates": True, "drop_non_positive_customers": True}
    return {"asof": dt.date(2024, 1, 31), "cleaning": {**base, **cleaning}, "research": {"product_lines": None}}


def test_clean_transactions_counts_each_rule():
    clean, report = clean_transactions(tiny_lines(), cleaning_cfg())
    # Hand count over the 9 lines of tiny_lines():
    #   no customer id        -> line 0          (0 customers: the id is missing), 8 left
    #   after asof            -> line 1          (customer A), 7 left
    #   exact duplicate       -> line 3          (A), 6 left
    #   unit price <= 0       -> line 4          (A), 5 left
    #   returns, netted       -> lines 5 and 7   (A and B), still 5 left
    #   net revenue <= 0      -> B: 4 - 4 = 0 -> lines 6, 7 (B), 3 left (A nets 10 - 5 = 5 > 0)
    expected = pd.DataFrame(
        {
            "rule": ["no customer id", "dated after asof (2024-01-31)", "exact duplicate line",
                     "unit price zero or negative", "return or cancellation",
                     "customer's net revenue not positive"],
            "action": ["removed", "removed", "removed", "removed", "netted", "removed"],
            "lines": [1, 1, 1, 1, 2, 2],
            "customers": [0, 1, 1, 1, 2, 1],
            "lines_left": [8, 7, 6, 5, 5, 3],
            "note": ["", "", "removed: cleaning.drop_duplicates is true", "", "", ""],
        }
    )
    pd.testing.assert_frame_equal(report, expected, check_dtype=False)
    rows = clean.df()
    assert rows["order_id"].tolist() == ["1003", "C1005", "1008"]
    assert rows["customer_id"].tolist() == ["A", "A", "C"]
    assert rows["amount"].tolist() == [10.0, -5.0, 6.0]


def test_clean_transactions_rules_can_be_switched_off():
    clean, report = clean_transactions(
        tiny_lines(), cleaning_cfg(drop_duplicates=False, drop_non_positive_customers=False)
    )
    # without the duplicate and net-revenue rules: 9 - 1 (no id) - 1 (after asof) - 1 (price 0) = 6 lines
    assert report["rule"].tolist() == ["no customer id", "dated after asof (2024-01-31)", "exact duplicate line",
                                       "unit price zero or negative", "return or cancellation"]
    assert report["action"].tolist() == ["removed", "removed", "kept", "removed", "netted"]
    assert report["note"].iloc[2] == "kept: cleaning.drop_duplicates is false (not counted)"
    assert report["lines_left"].tolist() == [8, 7, 7, 6, 6]
    assert len(clean) == 6


def test_cancellation_prefix_and_negative_lines():
    lines = pd.DataFrame(
        {
            "order_id": pd.array(["C1", "X2", "3", "4", pd.NA], dtype="string"),
            "amount": [5.0, 5.0, -1.0, 2.0, 2.0],
            "quantity": [1, 1, 1, -1, 1],
        }
    )
    # C1: prefix; X2: nothing; 3: negative amount; 4: negative quantity; NA id: nothing
    assert is_cancellation(lines, "C").tolist() == [True, False, True, True, False]
    assert is_cancellation(lines, "X").tolist() == [False, True, True, True, False]
    assert is_cancellation(lines, "").tolist() == [False, False, True, True, False]


def test_sample_period_and_summary():
    clean, _ = clean_transactions(tiny_lines(), cleaning_cfg())
    assert sample_period(clean) == (dt.date(2024, 1, 5), dt.date(2024, 1, 31))
    summary = summarize_lines(clean)
    # lines 3; customers A, C; orders 1003, C1005, 1008; revenue 10 - 5 + 6 = 11
    assert summary.to_dict() == {"lines": 3, "customers": 2, "orders": 3, "net revenue": 11.0}


def test_duplicates_count_once_in_every_table():
    # customer A: line L bought three times (two surplus copies), line M once; B: one line, two copies
    rows = [("A", "1", "2024-01-05 10:00", 2, 5.0, "p1")] * 3 + [
        ("A", "1", "2024-01-05 10:00", 1, 5.0, "p1"),  # same product, other quantity: not a duplicate
        ("A", "2", "2024-01-09 10:00", 1, 7.0, "p2"),
    ] + [("B", "3", "2024-01-06 10:00", 1, 4.0, "p1")] * 2
    frame = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "quantity", "unit_price", "product"])
    clean, report = clean_transactions(prepare_transactions(frame), cleaning_cfg())
    assert report.set_index("rule").loc["exact duplicate line", ["lines", "customers"]].tolist() == [3, 2]
    assert summarize_lines(clean).to_dict() == {"lines": 4, "customers": 2, "orders": 3,
                                                "net revenue": 10.0 + 5.0 + 7.0 + 4.0}
    metrics = customer_metrics(clean, dt.date(2024, 1, 31)).set_index("customer_id")
    assert metrics.loc["A", "monetary"] == 22.0 and metrics.loc["B", "monetary"] == 4.0
    assert metrics["distinct_products"].to_dict() == {"A": 2, "B": 1}
    # the order and item tables agree with the cleaned lines themselves
    pd.testing.assert_frame_equal(metrics.reset_index(), customer_metrics(clean.df(), dt.date(2024, 1, 31)))
    assert clean.df()["quantity"].tolist() == [2, 1, 1, 1]


def test_integer_ids_become_text_at_customer_level(tmp_path):
    path = tmp_path / "lines.parquet"
    frame = source_frame()
    frame["CustomerID"] = [9, 9, 10]  # int64 in the file
    frame["InvoiceNo"] = [501, 501, 502]
    frame["Quantity"] = [2, 1, 3]
    frame.to_parquet(path, index=False)
    cfg = make_cfg(tmp_path, path, MAPPING)
    clean, _ = clean_transactions(load_transactions(cfg), cfg)
    profile = customer_metrics(clean, cfg["asof"])
    assert profile["customer_id"].tolist() == ["10", "9"]  # text, sorted as text
    assert order_table(clean)["order_id"].tolist() == ["502", "501"]
    assert clean.df()["customer_id"].tolist() == ["9", "9", "10"]


# --- duplicate lines: decided by what the data can show ---------------------------------------


@pytest.mark.parametrize(
    "setting, columns, applies, starts",
    [
        ("auto", ["customer_id", "order_date", "amount"], False, "kept: without an order id and a product"),
        ("auto", ["customer_id", "order_id", "order_date", "amount"], False, "kept: without a product (or a line id)"),
        ("auto", ["customer_id", "order_date", "amount", "product"], False, "kept: without an order id (or a line id)"),
        ("auto", ["customer_id", "order_id", "product", "order_date", "amount"], True, "removed: order id and product"),
        ("auto", ["customer_id", "line_id", "order_date", "amount"], True, "removed: a line id is mapped"),
        (True, ["customer_id", "order_date", "amount"], True, "removed: cleaning.drop_duplicates is true"),
        (False, ["customer_id", "order_id", "product", "order_date", "amount"], False,
         "kept: cleaning.drop_duplicates is false"),
    ],
)
def test_duplicate_rule(setting, columns, applies, starts):
    apply, reason = duplicate_rule({"cleaning": {"drop_duplicates": setting}}, columns)
    assert apply is applies
    assert reason.startswith(starts)


def cdnow_lines(tmp_path: Path) -> Path:
    """CDNOW-style lines (customer, date, amount; no order id, no product) as a CSV file.

    Customer 00001 buys the same 14.37 CD twice on 1997-01-01 (two equal lines) and
    once more on 1997-02-03; customer 00002 buys once.
    """
    path = tmp_path / "cdnow.csv"
    path.write_text("customer,date,dollars\n00001,1997-01-01,14.37\n00001,1997-01-01,14.37\n"
                    "00001,1997-02-03,12.49\n00002,1997-01-02,77.00\n", encoding="utf-8")
    return path


def test_cdnow_equal_lines_are_kept_under_the_default(tmp_path):
    path = cdnow_lines(tmp_path)
    cfg = make_cfg(tmp_path, path, {"customer_id": "customer", "order_date": "date", "amount": "dollars"})
    assert cfg["cleaning"]["drop_duplicates"] == "auto"
    clean, report = clean_transactions(load_transactions(cfg), cfg)
    metrics = customer_metrics(clean, cfg["asof"]).set_index("customer_id")
    # monetary = the plain sum of all lines: 14.37 + 14.37 + 12.49 = 41.23; two orders (two days)
    assert metrics.loc["00001", "monetary"] == pytest.approx(41.23, abs=0.005)
    assert metrics.loc["00001", "frequency"] == 2
    assert metrics.loc["00002", "monetary"] == pytest.approx(77.0, abs=0.005)
    row = report.set_index("rule").loc["exact duplicate line"]
    assert (row["action"], row["lines"], row["customers"]) == ("kept", 1, 1)  # counted, not removed
    assert row["note"] == ("kept: without an order id and a product (or a line id), equal lines are not "
                           "evidence of a duplicate (two identical purchases on one day)")
    assert report["lines_left"].iloc[-1] == 4
    # the readiness check of 00 says the same
    checks = data_checks(load_transactions(cfg), cfg)
    label = checks["check"][checks["check"].str.startswith("share of exact duplicate lines")].iloc[0]
    assert row["note"] in label


def test_cdnow_shaped_shop_monetary_is_the_plain_sum_to_the_cent(tmp_path):
    # the synthetic shop as CDNOW has it: customer, day, amount per line; 5 % of lines bought twice
    lines = make_transactions(n_customers=300, seed=11).dropna(subset=["CustomerID"])
    lines = pd.DataFrame({"customer": lines["CustomerID"].astype(int).map("{:05d}".format),
                          "date": lines["InvoiceDate"].dt.strftime("%Y-%m-%d"),
                          "dollars": (lines["Quantity"] * lines["UnitPrice"]).round(2)})
    lines = pd.concat([lines, lines.sample(frac=0.05, random_state=1)], ignore_index=True)
    lines = lines[lines["date"] <= "2024-01-31"]
    lines.to_csv(tmp_path / "cdnow.csv", index=False)
    cfg = make_cfg(tmp_path, tmp_path / "cdnow.csv", {"customer_id": "customer", "order_date": "date",
                                                       "amount": "dollars"})
    clean, _ = clean_transactions(load_transactions(cfg), cfg)
    metrics = customer_metrics(clean, cfg["asof"]).set_index("customer_id")
    # independent: pandas sums of the lines; an order is a customer's day with a positive net value
    cents = (lines["dollars"] * 100).round().astype("int64")
    net = cents.groupby(lines["customer"]).sum()
    net = net[net > 0]
    days = cents.groupby([lines["customer"], lines["date"]]).sum()
    orders = (days > 0).groupby(level=0).sum()
    assert (metrics["monetary"].mul(100).round().astype("int64") == net.reindex(metrics.index)).all()
    assert metrics.index.sort_values().tolist() == net.index.sort_values().tolist()
    assert (metrics["frequency"] == orders.reindex(metrics.index)).all()


def test_exact_duplicates_still_dropped_with_order_id_and_product(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text("customer,invoice,sku,date,dollars\n00001,A1,cd7,1997-01-01,14.37\n"
                    "00001,A1,cd7,1997-01-01,14.37\n00001,A2,cd7,1997-02-03,12.49\n", encoding="utf-8")
    cfg = make_cfg(tmp_path, path, {"customer_id": "customer", "order_id": "invoice", "product": "sku",
                                    "order_date": "date", "amount": "dollars"})
    clean, report = clean_transactions(load_transactions(cfg), cfg)
    assert customer_metrics(clean, cfg["asof"])["monetary"].tolist() == [pytest.approx(14.37 + 12.49)]
    row = report.set_index("rule").loc["exact duplicate line"]
    assert (row["action"], row["lines"]) == ("removed", 1)
    assert row["note"].startswith("removed: order id and product are mapped")


def test_line_id_decides_duplicates(tmp_path):
    # lines 1 and 2 are equal but have their own ids: two purchases; line 3 is line 2 loaded twice
    path = tmp_path / "lines.csv"
    path.write_text("line,customer,date,dollars\n1,00001,1997-01-01,14.37\n2,00001,1997-01-01,14.37\n"
                    "2,00001,1997-01-01,14.37\n", encoding="utf-8")
    cfg = make_cfg(tmp_path, path, {"line_id": "line", "customer_id": "customer", "order_date": "date",
                                    "amount": "dollars"})
    clean, report = clean_transactions(load_transactions(cfg), cfg)
    assert customer_metrics(clean, cfg["asof"])["monetary"].tolist() == [pytest.approx(2 * 14.37)]
    assert report.set_index("rule").loc["exact duplicate line", ["action", "lines"]].tolist() == ["removed", 1]


# --- cancellations marked by status ------------------------------------------------------------


def status_lines(tmp_path: Path) -> Path:
    """Order lines whose cancellations are marked only by a status, with positive quantities.

    Customer 7: order Z1 (2 × 10.00), reversed by the storno document S1 (2 × 10.00,
    "storno"), and order Z2 (1 × 30.00). Customer 8: order Z3 (3 × 5.00) with a
    "cancelled" line of the same 3 × 5.00 in the same order, and order Z4 (1 × 4.00).
    """
    path = tmp_path / "lines.csv"
    path.write_text("client,doc,booked,qty,price,state\n7,Z1,2024-01-03,2,10.00,ok\n7,S1,2024-01-04,2,10.00,storno\n"
                    "7,Z2,2024-01-10,1,30.00,ok\n8,Z3,2024-01-05,3,5.00,ok\n8,Z3,2024-01-05,3,5.00,cancelled\n"
                    "8,Z4,2024-01-06,1,4.00,ok\n", encoding="utf-8")
    return path


STATUS_MAPPING = {"customer_id": "client", "order_id": "doc", "order_date": "booked", "quantity": "qty",
                  "unit_price": "price", "status": "state"}
STATUSES = "cleaning:\n  cancelled_statuses: [storno, cancelled]\n"


def test_cancelled_statuses_are_netted_and_not_orders(tmp_path):
    cfg = make_cfg(tmp_path, status_lines(tmp_path), STATUS_MAPPING, extra=STATUSES)
    clean, report = clean_transactions(load_transactions(cfg), cfg)
    metrics = customer_metrics(clean, cfg["asof"]).set_index("customer_id")
    # 7: Z1 20, S1 -20 (not an order: negative), Z2 30 -> monetary 30 from 2 orders (Z1, Z2), as a return is netted
    # 8: Z3 15 - 15 = 0 (not an order), Z4 4 -> monetary 4 from 1 order
    assert metrics.loc["7", ["monetary", "frequency"]].tolist() == [30.0, 2]
    assert metrics.loc["8", ["monetary", "frequency"]].tolist() == [4.0, 1]
    assert report.set_index("rule").loc["return or cancellation", ["action", "lines", "customers"]].tolist() == [
        "netted", 2, 2]
    assert sorted(clean.df().query("status != 'ok'")["amount"]) == [-20.0, -15.0]


def test_cancelled_statuses_are_removed_under_returns_drop(tmp_path):
    cfg = make_cfg(tmp_path, status_lines(tmp_path), STATUS_MAPPING, extra=STATUSES + "  returns: drop\n")
    clean, report = clean_transactions(load_transactions(cfg), cfg)
    metrics = customer_metrics(clean, cfg["asof"]).set_index("customer_id")
    assert metrics.loc["7", ["monetary", "frequency"]].tolist() == [50.0, 2]
    assert metrics.loc["8", ["monetary", "frequency"]].tolist() == [19.0, 2]
    assert report.set_index("rule").loc["return or cancellation", ["action", "lines"]].tolist() == ["removed", 2]


def test_status_is_ignored_without_cancelled_statuses(tmp_path):
    cfg = make_cfg(tmp_path, status_lines(tmp_path), STATUS_MAPPING)
    clean, _ = clean_transactions(load_transactions(cfg), cfg)
    assert customer_metrics(clean, cfg["asof"])["monetary"].tolist() == [70.0, 34.0]


# --- empty is an error -------------------------------------------------------------------------

EMPTY_MAPPING = {"customer_id": "client", "order_date": "booked", "quantity": "qty", "unit_price": "price"}
EMPTY_CASES = {
    # header and no lines
    "no lines": ("client,booked,qty,price\n",
                 "table 'transactions': no order lines in the source"),
    # 3 lines, none with a customer id
    "no customer ids": ("client,booked,qty,price\n,2024-01-02,1,2.0\n ,2024-01-03,1,2.0\n,2024-01-04,2,1.5\n",
                        "table 'transactions': no customer left after cleaning: 3 lines, 3 removed by rule "
                        "'no customer id': is columns.transactions.customer_id the right column?"),
    # asof 2024-01-31 is before every line; one line has no customer id
    "asof before every line": ("client,booked,qty,price\n7,2024-02-02,1,2.0\n,2024-02-03,1,2.0\n8,2024-03-04,2,1.5\n",
                               "table 'transactions': no customer left after cleaning: 3 lines, 1 removed by rule "
                               "'no customer id', 2 removed by rule 'dated after asof (2024-01-31)' (the last by rule "
                               "'dated after asof (2024-01-31)'): is asof right? The earliest line is dated 2024-02-02."),
    # the only customers' lines are a free sample and a return
    "nothing left after cleaning": ("client,booked,qty,price\n7,2024-01-02,1,0\n8,2024-01-03,1,0.0\n8,2024-01-04,-1,2.0\n",
                                    "table 'transactions': no customer left after cleaning: 3 lines, 2 removed by "
                                    "rule 'unit price zero or negative', 1 removed by rule 'customer's net revenue "
                                    "not positive' (the last by rule 'customer's net revenue not positive')"),
}


def empty_case(tmp_path: Path, case: str) -> Path:
    """A cycle config over the CSV of one of :data:`EMPTY_CASES`."""
    folder = tmp_path / "cfg"
    folder.mkdir(parents=True)
    path = tmp_path / "lines.csv"
    path.write_text(EMPTY_CASES[case][0], encoding="utf-8")
    return write_cycle_config(folder, path, "empty", "2024-01-31", columns={"transactions": EMPTY_MAPPING})


def test_empty_sources_are_an_error_in_the_data_layer(tmp_path):
    for case, (_, message) in EMPTY_CASES.items():
        cfg = load_config(empty_case(tmp_path / case.replace(" ", "_"), case))
        with pytest.raises(InputError) as info:
            clean_transactions(load_transactions(cfg), cfg)
        assert str(info.value).startswith(message), case
        assert "\n" not in str(info.value)
        with pytest.raises(InputError, match="^" + re.escape(message)):  # the pre-check of a cycle
            check_sources(cfg)


def test_customers_whose_lines_net_to_nothing_are_found_by_the_cleaning(tmp_path):
    # 8 bought 2.00 and returned it: a positive line passes the pre-check, the cleaning removes 8
    path = tmp_path / "lines.csv"
    path.write_text("client,booked,qty,price\n7,2024-01-02,1,0\n8,2024-01-03,1,2.0\n8,2024-01-04,-1,2.0\n")
    cfg = make_cfg(tmp_path, path, EMPTY_MAPPING)
    with pytest.raises(InputError, match=re.escape(
            "no customer left after cleaning: 3 lines, 1 removed by rule 'unit price zero or negative', 2 removed by "
            "rule 'customer's net revenue not positive'")):
        clean_transactions(load_transactions(cfg), cfg)


def test_empty_frame_is_an_error():
    frame = pd.DataFrame({"customer_id": pd.array([], dtype="string"), "order_date": pd.Series([], dtype="str"),
                          "amount": pd.Series([], dtype=float)})
    with pytest.raises(InputError, match="table 'transactions': no order lines in the source"):
        clean_transactions(prepare_transactions(frame), cleaning_cfg())


@pytest.mark.parametrize("case", list(EMPTY_CASES))
def test_profile_stops_on_empty_data(tmp_path, capsys, case):
    out = tmp_path / "profile.parquet"
    code = main(["profile", str(empty_case(tmp_path, case)), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("segkit: error: table 'transactions': ")
    assert not out.exists()


@pytest.mark.parametrize("case", list(EMPTY_CASES))
def test_cycle_stops_before_any_notebook_on_empty_data(tmp_path, capsys, case):
    code = main(["cycle", str(empty_case(tmp_path, case)), "--workdir", str(tmp_path), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and EMPTY_CASES[case][1] in err
    assert not (tmp_path / "data" / "processed").exists() and not (tmp_path / "reports").exists()


# --- plain text columns (DuckDB's typed view skips trimming where nothing needs it) -------------


def test_plain_text_names_the_columns_that_need_no_trimming_and_the_ids_without_a_dot():
    con = duckdb.connect()
    con.register("t", pd.DataFrame({"padded": [" x", "y"], "plain": ["y", "z"], "dotted": ["1.0", "2"],
                                    "blank": ["", "q"], "missing": [None, "r"]}))
    untrimmed, undotted = plain_text(con, "t", ["padded", "plain", "dotted", "blank", "missing"], ["plain", "dotted"])
    assert untrimmed == {"plain", "dotted", "missing"}
    assert undotted == {"plain"}


@pytest.mark.parametrize("padded", [True, False])
def test_typed_lines_are_the_same_whether_or_not_a_column_needs_trimming(padded):
    pad = " " if padded else ""
    frame = pd.DataFrame({"customer_id": ["c1", "c2"], "order_id": ["7.0", "8"],
                          "order_date": pd.to_datetime(["2024-01-01", "2024-01-02"]), "amount": [1.0, 2.0],
                          "product": [f"{pad}p1", "p2"]})
    lines = prepare_transactions(frame).df()
    assert lines["order_id"].tolist() == ["7", "8"]
    assert lines["product"].tolist() == ["p1", "p2"]
