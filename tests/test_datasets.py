"""The synthetic generators and export dialects of segkit_helpers.datasets.shops."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from segkit_helpers.datasets.shops import (DEFAULT_TYPES, DIALECTS, FOREIGN_COLUMNS, TYPE_MIXES, cdnow_lines, continuum_shop,
                                     foreign_columns, planted_shop, write_export)


@pytest.fixture(scope="module")
def shop():
    return planted_shop(400, seed=3)


def test_same_seed_gives_identical_lines_and_another_seed_does_not(shop):
    lines, planted = shop
    again, planted_again = planted_shop(400, seed=3)
    pd.testing.assert_frame_equal(lines, again)
    pd.testing.assert_series_equal(planted, planted_again)
    assert not lines.equals(planted_shop(400, seed=4)[0])
    pd.testing.assert_frame_equal(continuum_shop(300, seed=1), continuum_shop(300, seed=1))


def test_planted_shares_are_exact_and_every_customer_has_a_type(shop):
    lines, planted = shop
    counts = planted.value_counts()
    assert {t.name: counts[t.name] for t in DEFAULT_TYPES} == {"wholesale": 40, "regular": 120, "occasional": 140,
                                                               "one-off": 100}
    heavy = planted_shop(201, seed=0, types=TYPE_MIXES["one-off heavy"])[1].value_counts()
    assert heavy["one-off"] == round(0.65 * 201)
    assert set(lines["customer_id"].dropna()) <= set(planted.index)


def test_planted_types_show_in_the_lines(shop):
    lines, planted = shop
    buys = lines[lines["quantity"] > 0].dropna(subset=["customer_id"])
    orders = buys.groupby("customer_id")["order_id"].nunique().rename("orders").to_frame().join(planted)
    by_type = orders.groupby("type")["orders"]
    assert by_type.max()["one-off"] == 1
    assert by_type.median()["wholesale"] > by_type.median()["regular"] > by_type.median()["occasional"] > 1


def test_every_order_is_on_its_own_day_and_returns_are_marked(shop):
    lines, _ = shop
    buys = lines[~lines["order_id"].str.startswith("C")]
    per_day = buys.assign(day=buys["order_date"].dt.floor("D")).groupby(["customer_id", "day"])["order_id"].nunique()
    assert (per_day == 1).all()
    returns = lines[lines["order_id"].str.startswith("C")]
    assert len(returns) > 0 and (returns["quantity"] < 0).all() and (buys["quantity"] > 0).all()
    assert 0.004 < lines["customer_id"].isna().mean() < 0.02


def test_price_sigma_sets_the_spread_of_log_prices():
    narrow = planted_shop(300, seed=1, price_sigma=0.3)[0]
    wide = planted_shop(300, seed=1, price_sigma=1.6)[0]
    assert np.log(narrow["unit_price"]).std() < np.log(wide["unit_price"]).std()


def test_without_order_ids_or_products_the_columns_are_gone():
    lines, _ = planted_shop(100, seed=2, order_ids=False, products=False)
    assert list(lines.columns) == ["customer_id", "order_date", "quantity", "unit_price"]


def test_foreign_columns_rename_and_return_the_config_mapping(shop):
    lines, _ = shop
    renamed, mapping = foreign_columns(lines, "ru")
    assert mapping == {c: FOREIGN_COLUMNS["ru"][c] for c in lines.columns}
    assert list(renamed.columns) == ["клиент", "номер_заказа", "дата", "количество", "цена", "артикул"]
    pd.testing.assert_frame_equal(renamed.rename(columns={v: k for k, v in mapping.items()}), lines)


def _read_back(path, keys: dict) -> pd.DataFrame:
    """Read an export with pandas and the options a config would state (defaults: plain CSV)."""
    frame = pd.read_csv(path, sep=keys.get("delimiter", ","), decimal=keys.get("decimal", "."),
                        encoding=keys.get("encoding", "utf-8"), dtype={"customer_id": "Int64", "order_id": str})
    frame["order_date"] = pd.to_datetime(frame["order_date"], format=keys.get("date_format", "%Y-%m-%d %H:%M:%S"))
    return frame


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_every_dialect_round_trips_through_pandas_with_its_stated_options(shop, dialect, tmp_path):
    lines = shop[0].head(300)
    path = tmp_path / f"{dialect}.csv"
    keys = write_export(lines, path, dialect)
    back = _read_back(path, keys)
    expected = lines.copy()
    if "%H" not in DIALECTS[dialect].date_format:  # the Russian export keeps the day only
        expected["order_date"] = expected["order_date"].dt.floor("D")
    pd.testing.assert_frame_equal(back[lines.columns], expected, check_dtype=False)
    named = back.dropna(subset=["customer_id"])[DIALECTS[dialect].name_column]
    assert named.isin(DIALECTS[dialect].names).all()


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_every_dialect_reads_with_the_csv_module(shop, dialect, tmp_path):
    lines = shop[0].head(50)
    path = tmp_path / f"{dialect}.csv"
    keys = write_export(lines, path, dialect)
    with open(path, encoding=keys.get("encoding", "utf-8"), newline="") as handle:
        rows = list(csv.reader(handle, delimiter=keys.get("delimiter", ",")))
    assert len(rows) == len(lines) + 1 and {len(r) for r in rows} == {len(lines.columns) + 1}
    price = rows[1][list(lines.columns).index("unit_price")]
    assert float(price.replace(keys.get("decimal", "."), ".")) == lines["unit_price"].iloc[0]


def test_the_config_keys_are_only_those_a_plain_csv_does_not_need(tmp_path):
    lines = planted_shop(20, seed=0)[0]
    assert write_export(lines, tmp_path / "us.csv", "us") == {}
    assert write_export(lines, tmp_path / "m.csv", "mixed_eol") == {}
    assert write_export(lines, tmp_path / "ru.csv", "ru") == {"delimiter": ";", "decimal": ",", "encoding": "cp1251",
                                                             "date_format": "%d.%m.%Y"}


@pytest.mark.parametrize("dialect, word", [("pl", "Łukasz Wójcik"), ("ru", "Пётр Иванов")])
def test_excel_exports_are_really_in_their_code_page_with_crlf(shop, tmp_path, dialect, word):
    lines = shop[0].head(400)
    path = tmp_path / f"{dialect}.csv"
    write_export(lines, path, dialect)
    data = path.read_bytes()
    assert word.encode(DIALECTS[dialect].encoding) in data
    assert word.encode("utf-8") not in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data.count(b"\r\n") == len(lines) + 1 == data.count(b"\n")
    assert b";" in data.split(b"\r\n")[0] and b"," in data.split(b"\r\n")[1]  # decimal comma in the first row


def test_mixed_line_endings_header_lf_rows_crlf(shop, tmp_path):
    lines = shop[0].head(10)
    path = tmp_path / "mixed.csv"
    write_export(lines, path, "mixed_eol")
    header, rest = path.read_bytes().split(b"\n", 1)
    assert not header.endswith(b"\r")
    assert rest.count(b"\r\n") == len(lines) == rest.count(b"\n")


def test_foreign_names_and_dialect_together(shop, tmp_path):
    renamed, mapping = foreign_columns(shop[0].head(100), "pl")
    keys = write_export(renamed, tmp_path / "pl.csv", "pl", customer_column=mapping["customer_id"])
    back = pd.read_csv(tmp_path / "pl.csv", sep=keys["delimiter"], decimal=keys["decimal"], encoding=keys["encoding"])
    assert list(back.columns) == [*renamed.columns, "nazwa_klienta"]
    assert back["cena_netto"].sum() == pytest.approx(renamed["cena_netto"].sum())


def test_cdnow_master_lines_when_lifetimes_is_installed():
    lines = cdnow_lines()
    if lines is None:
        pytest.skip("lifetimes is not installed: its data file datasets/CDNOW_master.txt is absent")
    assert len(lines) == 69_659 and lines["customer_id"].nunique() == 23_570
    assert lines["order_date"].min() == pd.Timestamp("1997-01-01")
    assert lines["order_date"].max() == pd.Timestamp("1998-06-30")
    assert lines.iloc[0].to_dict() == {"customer_id": "00001", "order_date": pd.Timestamp("1997-01-01"), "quantity": 1,
                                       "amount": 11.77}
