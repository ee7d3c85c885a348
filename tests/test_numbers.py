"""Numbers on a page: hand-written expectations for every formatter and locale."""

import datetime as dt

import numpy as np
import pytest

from segkit_helpers.io.config import load_config
from segkit_helpers.errors import ConfigError
from segkit_helpers.report import numbers


@pytest.mark.parametrize("locale, expected", [("en", "4,317"), ("ru", "4\xa0317"), ("pl", "4\xa0317")])
def test_counts_have_the_locales_group_separator(locale, expected):
    assert numbers.count(4317.0, locale) == expected


def test_counts_round_and_never_show_decimals():
    assert numbers.count(4372.4) == "4,372"
    assert numbers.count(541909) == "541,909"


@pytest.mark.parametrize("locale, expected", [("en", "£1,234.56"), ("pl", "1\xa0234,56\xa0GBP")])
def test_money_to_the_cent_has_the_currency_symbol_in_its_place(locale, expected):
    assert numbers.money(1234.56, "GBP", 2, locale) == expected


def test_money_in_tables_is_whole_and_polish_zloty_reads_zl():
    assert numbers.money(1234.56, "GBP") == "£1,235"
    assert numbers.money(-50, "GBP") == "-£50"
    assert numbers.money(1234.56, "PLN", 2, "pl") == "1\xa0234,56\xa0zł"


def test_money_without_a_currency_is_a_plain_number():
    assert numbers.money(1234.56, None) == "1,235"


@pytest.mark.parametrize("value, digits, locale, expected",
                         [(0.17, 0, "en", "17%"), (0.125, 1, "en", "12.5%"), (0.125, 1, "pl", "12,5%")])
def test_shares_read_as_percentages(value, digits, locale, expected):
    assert numbers.share(value, digits, locale) == expected


def test_p_values_never_read_zero():
    assert numbers.p_value(0.00001) == "< 0.001"
    assert numbers.p_value(0.0312) == "0.031"
    assert numbers.p_value(0.0312, "ru") == "0,031"


def test_dates_have_no_time_of_day():
    assert numbers.date("2011-06-01 00:00:00") == "Jun 1, 2011"
    assert numbers.date(dt.date(2011, 12, 9), "pl") == "9 gru 2011"


@pytest.mark.parametrize("missing", [None, np.nan, float("nan")])
def test_missing_values_read_as_a_dash(missing):
    assert numbers.count(missing) == numbers.share(missing) == numbers.money(missing, "GBP") == numbers.MISSING


def test_report_currency_is_checked_against_iso_4217(tmp_path, shop):
    config = shop["folder"] / "currency.yml"
    config.write_text(shop["configs"][0].read_text() + "\nreport:\n  currency: pln\n")
    assert load_config(config)["report"]["currency"] == "PLN"
    config.write_text(shop["configs"][0].read_text() + "\nreport:\n  currency: zloty\n")
    with pytest.raises(ConfigError, match="report.currency.*ISO 4217"):
        load_config(config)
