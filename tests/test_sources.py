"""Every kind of source gives the same profile: CSV, Parquet, Excel, DuckDB file, SQLite and PostgreSQL.

The PostgreSQL test needs a server: set SEGKIT_TEST_POSTGRES_URL (CI does, with
`.ci/start-postgres.sh`); without it the test is skipped and says how to run it.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import sqlalchemy
import yaml

from segkit_helpers.io.config import load_config
from segkit_helpers.io.paths import PROJ_ROOT
from segkit_helpers.io.tables import read_table
from segkit_helpers.research.checks import check_sources
from segkit_helpers.research.cleaning import clean_transactions
from segkit_helpers.research.lines import load_transactions, summarize_lines
from segkit_helpers.errors import InputError
from segkit_helpers.research.metrics import rfm_table

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


def test_postgresql(tmp_path, postgres_url, postgres_table):
    table = postgres_table(shop_lines(), "order_lines")
    check(profile_of(write_config(tmp_path, {"url": postgres_url, "query": f"SELECT * FROM {table}"})))


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


def test_empty_database_table_is_found_when_the_lines_are_read(tmp_path):
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    shop_lines().iloc[:0].to_sql("order_lines", engine, index=False)
    engine.dispose()
    cfg = load_config(write_config(tmp_path, {"url": "sqlite:///shop.db", "table": "order_lines"}))
    check_sources(cfg)  # a database source is not fetched whole before a cycle: its header only
    with pytest.raises(InputError, match="table 'transactions': no order lines in the source"):
        clean_transactions(load_transactions(cfg), cfg)


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


# --- CSV files as Polish and Russian Excel writes them -----------------------------------------

NBSP = "\u00a0"


def excel_number(value: float) -> str:
    """A number as Polish / Russian Excel writes it: decimal comma, non-breaking space between digit groups."""
    text = f"{abs(value):,.2f}".replace(",", NBSP).replace(".", ",")
    return ("-" if value < 0 else "") + text


def write_like_excel(frame: pd.DataFrame, path: Path, encoding: str, date_format: str = "%d.%m.%Y %H:%M") -> None:
    """``frame`` as "CSV (semicolon separated)" of a Polish or Russian Excel: ``;`` between fields,
    decimal commas, dates like 31.12.2023, CRLF line endings, the Windows code page of the locale."""
    def cell(value) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if isinstance(value, pd.Timestamp):
            return value.strftime(date_format)
        if isinstance(value, float):
            return excel_number(value)
        text = str(value)
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ';"') else text

    rows = [";".join(map(str, frame.columns))] + [";".join(cell(v) for v in row) for row in frame.itertuples(index=False)]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode(encoding))


def dialect(**keys) -> dict:
    return {"delimiter": ";", "decimal": ",", "date_format": "%d.%m.%Y %H:%M", **keys}


def test_polish_excel_export_cp1250(tmp_path):
    frame = shop_lines().assign(firma=["Żółć sp. z o.o.", "Żółć sp. z o.o.", "Żółć sp. z o.o.", "Łódź; Hurt", "Łódź; Hurt",
                                       "Gęś", "Gęś", "Ćma"])
    write_like_excel(frame, tmp_path / "zamowienia.csv", "cp1250")
    assert "Łódź".encode("cp1250") in (tmp_path / "zamowienia.csv").read_bytes()
    check(profile_of(write_config(tmp_path, {"path": "zamowienia.csv", **dialect(encoding="cp1250")})))


def test_russian_excel_export_cp1251_with_cancellations_by_status(tmp_path):
    frame = shop_lines().assign(
        client_name=["ООО «Ромашка»"] * 3 + ["ИП Иванов"] * 2 + ["АО «Берёза»"] * 3,
        status=["Проведён"] * 8)
    # 99's order D1 is cancelled ("Отменён") by a storno line with a positive quantity
    storno = frame.iloc[[5]].assign(invoice="D1-С", booked=pd.Timestamp("2024-03-02 08:00"), status="Отменён")
    frame = pd.concat([frame, storno, frame.iloc[[6]].assign(invoice="D3", booked=pd.Timestamp("2024-03-05 08:00"))],
                      ignore_index=True)
    write_like_excel(frame, tmp_path / "заказы.csv", "cp1251")
    config = write_config(tmp_path, {"path": "заказы.csv", **dialect(encoding="cp1251")})
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw["columns"]["transactions"]["status"] = "status"
    raw["cleaning"] = {"cancelled_statuses": ["Отменён"]}
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    profile = profile_of(config).set_index("customer_id")
    # 99: D1 100 - 100 (storno) + D3 50 = 50 from one order (D3 on 03-05: recency 26); D1 is still an order
    assert profile.loc["99", ["monetary", "frequency", "recency_days"]].tolist() == [50.0, 2, 26]
    assert profile.loc["007", "monetary"] == 34.0 and profile.loc["0420", "monetary"] == 15.0


def test_thousands_and_decimal_commas(tmp_path):
    lines = ("klient;data;kwota\r\n"
             f"007;02.01.2024;1{NBSP}234,56\r\n007;03.01.2024;10,0\r\n0420;04.01.2024;-2,5\r\n"
             "0420;05.01.2024;1 000 000\r\n0420;06.01.2024;,5\r\n")
    (tmp_path / "l.csv").write_text(lines, encoding="utf-8", newline="")
    source = {"path": "l.csv", "delimiter": ";", "decimal": ",", "date_format": "%d.%m.%Y"}
    mapping = {"customer_id": "klient", "order_date": "data", "amount": "kwota"}
    config = write_config(tmp_path, source)
    raw = yaml.safe_load(config.read_text())
    raw["columns"]["transactions"] = mapping
    config.write_text(yaml.safe_dump(raw))
    amounts = load_transactions(load_config(config)).df()["amount"].tolist()
    assert amounts == [1234.56, 10.0, -2.5, 1_000_000.0, 0.5]
    # decimal points in a file declared with decimal commas are reported, never misread
    (tmp_path / "l.csv").write_text("klient;data;kwota\n007;02.01.2024;10.50\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"column 'amount': 1 row\(s\) are not numbers \(for example '10.50'\)"):
        load_transactions(load_config(config))
    # an explicit thousands separator: 1.234,56 (German style); groups of three only
    (tmp_path / "l.csv").write_text("klient;data;kwota\n007;02.01.2024;1.234,56\n007;02.01.2024;12.34\n",
                                    encoding="utf-8")
    raw["sources"]["transactions"]["thousands"] = "."
    config.write_text(yaml.safe_dump(raw))
    with pytest.raises(InputError, match=r"1 row\(s\) are not numbers \(for example '12.34'\)"):
        load_transactions(load_config(config))


def test_mixed_line_endings(tmp_path):
    # header line ending in LF, rows in CRLF: DuckDB's strict sniffer fails on it, pandas reads it
    frame = shop_lines()
    body = frame.to_csv(index=False, lineterminator="\r\n")
    header, rest = body.split("\r\n", 1)
    (tmp_path / "lines.csv").write_bytes((header + "\n" + rest).encode())
    assert len(pd.read_csv(tmp_path / "lines.csv")) == 8
    check(profile_of(write_config(tmp_path, {"path": "lines.csv"})))


def test_unreadable_csv_names_the_dialect_keys(tmp_path):
    keys = "sources.transactions.delimiter, .decimal, .thousands, .encoding, .header"
    # a cp1250 export read as UTF-8
    write_like_excel(shop_lines().assign(firma="Łódź"), tmp_path / "z.csv", "cp1250")
    with pytest.raises(InputError) as info:
        profile_of(write_config(tmp_path, {"path": "z.csv", **dialect()}))
    message = str(info.value)
    assert message.startswith("table 'transactions': cannot read") and "\n" not in message
    assert keys in message
    # split at the wrong delimiter: columns like "007;A1;02.01.2024 09:00;2;10"
    with pytest.raises(InputError, match=re.escape(f"Column names hold a delimiter, so the file may be read wrong. "
                                                   f"Say how the file is written: {keys}")):
        profile_of(write_config(tmp_path, {"path": "z.csv", "delimiter": ",", "encoding": "cp1250"}))


def test_csv_without_a_header(tmp_path):
    shop_lines().to_csv(tmp_path / "lines.csv", index=False, header=False)
    config = write_config(tmp_path, {"path": "lines.csv", "header": False})
    raw = yaml.safe_load(config.read_text())
    raw["columns"]["transactions"] = {"customer_id": "column0", "order_id": "column1", "order_date": "column2",
                                      "quantity": "column3", "unit_price": "column4", "product": "column5"}
    config.write_text(yaml.safe_dump(raw))
    check(profile_of(config))


def test_customers_table_with_decimal_commas_and_latin1(tmp_path):
    (tmp_path / "kunden.csv").write_bytes(f"kunde;name;umsatz\r\n007;Müller GmbH;1{NBSP}234,50\r\n"
                                          f"0420;Bäckerei Groß;99,00\r\n".encode("latin-1"))
    (tmp_path / "cycle.yml").write_text(yaml.safe_dump({
        "cycle": "s", "asof": "2024-03-31",
        "sources": {"transactions": {"path": "lines.csv"},
                    "customers": {"path": "kunden.csv", "delimiter": ";", "decimal": ",", "encoding": "latin-1"}},
        "columns": {"customers": {"customer_id": "kunde", "revenue": "umsatz"}}}))
    customers = read_table(load_config(tmp_path / "cycle.yml"), "customers")
    assert customers["customer_id"].tolist() == ["007", "0420"]
    assert customers["name"].tolist() == ["Müller GmbH", "Bäckerei Groß"]
    assert customers["revenue"].tolist() == [1234.5, 99.0]


def test_transcoded_copy_is_removed_with_its_connection(tmp_path):
    import gc
    import tempfile

    frame = shop_lines().assign(firma="Łódź")
    write_like_excel(frame, tmp_path / "z.csv", "cp1250")
    before = set(Path(tempfile.gettempdir()).glob("segkit-*.csv"))
    lines = load_transactions(load_config(write_config(tmp_path, {"path": "z.csv", **dialect(encoding="cp1250")})))
    assert len(set(Path(tempfile.gettempdir()).glob("segkit-*.csv")) - before) == 1
    lines.con.close()
    del lines
    gc.collect()
    assert set(Path(tempfile.gettempdir()).glob("segkit-*.csv")) - before == set()


def _float_id_lines() -> pd.DataFrame:
    """Lines whose numeric customer ids have a gap (missing), so typed sources store them as floats."""
    return pd.DataFrame({"client": [10000.0, 10000.0, 12346.0, None], "invoice": ["A1", "A2", "B1", "C1"],
                         "booked": pd.to_datetime(["2024-01-02", "2024-02-03", "2024-01-05", "2024-01-06"]),
                         "qty": [1, 2, 3, 1], "price": [1.5, 2.0, 3.0, 9.0], "sku": ["s1", "s1", "s2", "s3"]})


def test_ids_are_the_same_text_from_every_kind_of_source(tmp_path):
    """Float-typed ids (Parquet, SQLite, PostgreSQL) and their CSV / Excel exports give '10000', never '10000.0'."""
    lines = _float_id_lines()
    sources = {}
    lines.to_parquet(tmp_path / "lines.parquet", index=False)
    sources["parquet"] = {"path": "lines.parquet"}
    lines.to_csv(tmp_path / "float.csv", index=False)  # pandas writes 10000.0
    sources["csv with .0"] = {"path": "float.csv"}
    lines.assign(client=lines["client"].astype("Int64")).to_csv(tmp_path / "int.csv", index=False)
    sources["csv"] = {"path": "int.csv"}
    lines.to_excel(tmp_path / "lines.xlsx", index=False)
    sources["excel"] = {"path": "lines.xlsx"}
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    lines.to_sql("order_lines", engine, index=False)
    engine.dispose()
    sources["sqlite"] = {"url": "sqlite:///shop.db", "table": "order_lines"}
    table = None
    if POSTGRES_URL:
        table = f"float_ids_{uuid.uuid4().hex[:8]}"
        pg = sqlalchemy.create_engine(POSTGRES_URL)
        lines.to_sql(table, pg, index=False)
        sources["postgresql"] = {"url": POSTGRES_URL, "table": table}
    try:
        ids = {name: profile_of(write_config(tmp_path, source))["customer_id"].tolist()
               for name, source in sources.items()}
    finally:
        if table:
            with pg.begin() as conn:
                conn.execute(sqlalchemy.text(f'DROP TABLE "{table}"'))
            pg.dispose()
    assert ids == {name: ["10000", "12346"] for name in sources}


def test_a_fractional_numeric_id_is_a_bad_row(tmp_path):
    lines = _float_id_lines()
    lines.loc[2, "client"] = 12346.5
    lines.to_parquet(tmp_path / "lines.parquet", index=False)
    with pytest.raises(InputError, match=r"column 'customer_id': 1 row\(s\) are not whole-number ids .*12346.5"):
        load_transactions(load_config(write_config(tmp_path, {"path": "lines.parquet"})))
