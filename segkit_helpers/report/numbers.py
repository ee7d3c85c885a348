"""How a number, an amount of money, a share, a p-value or a date reads on a page: written once.

Every table, sentence and index figure formats through these functions, so that a page never
shows ``4372.00`` customers, ``0.17`` where 17 % is meant or a timestamp's ``00:00:00``. The
locale rules (separators, decimal mark, currency symbol and its place) are CLDR's, through
Babel: the same calls give ``4,317`` and ``£1,234.56`` in English, ``4 317`` and
``1 234,56 zł`` in Polish. Without a ``locale``, the report's language is used
(:mod:`segkit_helpers.report.i18n`).
"""

from __future__ import annotations

import datetime as dt
import math
from numbers import Real

import pandas as pd
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from segkit_helpers.report.i18n import current_language

#: What a missing value reads as.
MISSING = "–"
#: p-values below this read as "< 0.001" (APA style: exact p down to three decimals).
SMALLEST_P = 0.001


def _locale(locale: str | None) -> str:
    """``locale``, or the language the report is being written in (:func:`~segkit_helpers.report.i18n.current_language`)."""
    return locale or current_language()


def _missing(value: object) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, Real) and math.isnan(value))


def count(value: Real | None, locale: str | None = None) -> str:
    """A whole number with the locale's group separator: ``4,317`` (``4 317`` in ru/pl)."""
    return MISSING if _missing(value) else format_decimal(round(float(value)), format="#,##0", locale=_locale(locale))


def number(value: Real | None, digits: int = 2, locale: str | None = None) -> str:
    """A measurement with ``digits`` decimals and group separators: ``1,234.57``."""
    if _missing(value):
        return MISSING
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0", locale=_locale(locale))


def money(value: Real | None, currency: str | None, digits: int = 0, locale: str | None = None) -> str:
    """An amount in ``currency`` (ISO 4217 code) with the locale's symbol and its place: ``£1,235``.

    ``digits`` decimals: 0 in report tables, 2 to the cent. Without a currency
    (``report.currency`` not set) the amount is a plain :func:`number`.
    """
    if _missing(value):
        return MISSING
    if currency is None:
        return number(value, digits, locale)
    return format_currency(value, currency, format=_currency_pattern(locale, digits), locale=_locale(locale),
                           currency_digits=False)


def _currency_pattern(locale: str, digits: int) -> str:
    """The locale's standard currency pattern (CLDR's carry two decimals) with ``digits`` decimals."""
    pattern = Locale.parse(_locale(locale)).currency_formats["standard"].pattern.split(";")[0]
    return pattern.replace(".00", "." + "0" * digits if digits else "")


def share(value: Real | None, digits: int = 0, locale: str | None = None) -> str:
    """A share (0.17) as a percentage: ``17%`` (``17 %`` where the locale spaces it)."""
    if _missing(value):
        return MISSING
    return format_percent(value, format="#,##0" + ("." + "0" * digits if digits else "") + "%", locale=_locale(locale))


def p_value(value: Real | None, locale: str | None = None) -> str:
    """A p-value to three decimals, and ``< 0.001`` below that (never ``0.00``)."""
    if _missing(value):
        return MISSING
    if value < SMALLEST_P:
        return "< " + number(SMALLEST_P, 3, locale)
    return number(value, 3, locale)


def date(value: dt.date | str | pd.Timestamp | None, locale: str | None = None) -> str:
    """A date as the locale writes it in full sentences: ``Jun 1, 2011`` (no time of day)."""
    if _missing(value):
        return MISSING
    return format_date(pd.Timestamp(value).date(), format="medium", locale=_locale(locale))
