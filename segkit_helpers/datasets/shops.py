"""Synthetic and public order-line data sets for testing the kit on data it was not built on.

Every generator takes a seed and draws from one :class:`numpy.random.Generator`, so the
same arguments give an identical frame. Lines use the logical column names of the
transactions table (``customer_id``, ``order_id``, ``order_date``, ``quantity``,
``unit_price``, ``product``); :func:`foreign_columns` renames them as Polish or Russian
exports name them and :func:`write_export` writes them as those exports are written.

- :func:`planted_shop`: a shop whose customers belong to planted buyer types (the truth
  an adjusted Rand index is measured against);
- :func:`continuum_shop`: a shop with no types at all (one continuous population), where
  the honest answer is "constructed segments";
- :func:`cdnow_lines`: the CDNOW master file (Fader & Hardie 2001) shipped in the
  ``lifetimes`` package, read without importing lifetimes.
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

START = pd.Timestamp("2023-01-01")
PRODUCTS = 60  # catalogue size: products are P001 … P060
MISSING_CUSTOMER_SHARE = 0.01  # share of lines written without a customer id
RETURN_SHARE = 0.02  # share of orders with one returned line


@dataclass(frozen=True)
class BuyerType:
    """One planted buyer type.

    Attributes
    ----------
    name
        Label of the type (the planted truth per customer).
    share
        Share of the customers of this type (the shares of a mix sum to 1).
    mean_gap_days
        Mean of the exponential gap between two orders, in days; ``None``: a single order.
    basket_lines
        Mean number of lines per order (1 + Poisson(basket_lines − 1)).
    quantity
        Mean quantity per line (1 + Poisson(quantity − 1)).
    median_price
        Median unit price; prices are lognormal around it with the shop's ``price_sigma``.
    """

    name: str
    share: float
    mean_gap_days: float | None
    basket_lines: float
    quantity: float
    median_price: float


#: The default mix: four types that differ in pace, basket and price.
DEFAULT_TYPES: tuple[BuyerType, ...] = (
    BuyerType("wholesale", 0.10, 12.0, 8.0, 12.0, 6.0),
    BuyerType("regular", 0.30, 40.0, 4.0, 3.0, 8.0),
    BuyerType("occasional", 0.35, 120.0, 2.5, 2.0, 12.0),
    BuyerType("one-off", 0.25, None, 1.5, 1.0, 20.0),
)


def with_shares(shares: dict[str, float], types: tuple[BuyerType, ...] = DEFAULT_TYPES) -> tuple[BuyerType, ...]:
    """The same buyer types with other shares (``{name: share}``, summing to 1; others get 0)."""
    if abs(sum(shares.values()) - 1.0) > 1e-9:
        raise ValueError(f"shares must sum to 1, got {sum(shares.values())}")
    return tuple(BuyerType(t.name, shares.get(t.name, 0.0), t.mean_gap_days, t.basket_lines, t.quantity,
                           t.median_price) for t in types)


#: Type mixes of the foreign-data benchmark: the default, one dominated by one-off buyers, one wholesale-heavy.
TYPE_MIXES: dict[str, tuple[BuyerType, ...]] = {
    "balanced": DEFAULT_TYPES,
    "one-off heavy": with_shares({"wholesale": 0.05, "regular": 0.10, "occasional": 0.20, "one-off": 0.65}),
    "wholesale heavy": with_shares({"wholesale": 0.40, "regular": 0.30, "occasional": 0.20, "one-off": 0.10}),
}


def _counts(shares: np.ndarray, n: int) -> np.ndarray:
    """Exact counts for ``n`` items in these shares (largest remainder, ties to the first)."""
    raw = shares / shares.sum() * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    return counts


def _order_days(rng: np.random.Generator, gaps: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Customer index and day of every order: the first in the first half, then exponential gaps (≥ 1 day)."""
    owners, order_days = [], []
    for c, gap in enumerate(gaps):
        day = int(rng.integers(0, days // 2))
        while day < days:
            owners.append(c)
            order_days.append(day)
            if not np.isfinite(gap):  # a one-off buyer
                break
            day += max(1, int(rng.exponential(gap)))
    return np.asarray(owners, dtype=np.int64), np.asarray(order_days, dtype=np.int64)


def _lines(rng: np.random.Generator, gaps: np.ndarray, baskets: np.ndarray, quantities: np.ndarray,
           prices: np.ndarray, price_sigma: float, days: int, order_ids: bool, products: bool) -> pd.DataFrame:
    """Order lines for customers with these per-customer parameters (see :func:`planted_shop`)."""
    owner, day = _order_days(rng, gaps, days)
    n_lines = 1 + rng.poisson(baskets[owner] - 1.0)
    line_owner, line_order = np.repeat(owner, n_lines), np.repeat(np.arange(len(owner)), n_lines)
    minutes = np.repeat(rng.integers(8 * 60, 20 * 60, size=len(owner)), n_lines)
    n = len(line_owner)
    lines = pd.DataFrame({
        "customer_id": pd.array(10001 + line_owner, dtype="Int64"),
        "order_id": (100001 + line_order).astype(str),
        "order_date": START + pd.to_timedelta(np.repeat(day, n_lines), unit="D") + pd.to_timedelta(minutes, unit="min"),
        "quantity": (1 + rng.poisson(quantities[line_owner] - 1.0)).astype(np.int64),
        "unit_price": np.maximum(np.round(prices[line_owner] * rng.lognormal(0.0, price_sigma, size=n), 2), 0.01),
        "product": np.char.add("P", np.char.zfill(rng.integers(1, PRODUCTS + 1, size=n).astype(str), 3)),
    })
    returned = np.flatnonzero(rng.random(len(owner)) < RETURN_SHARE)  # orders with one returned line
    first_line = np.searchsorted(line_order, returned)
    back = lines.iloc[first_line].copy()
    back["order_id"] = "C" + back["order_id"]
    back["quantity"] = -np.minimum(back["quantity"].to_numpy(), 1 + rng.poisson(0.5, size=len(back)))
    back["order_date"] += pd.to_timedelta(rng.integers(1, 10, size=len(back)), unit="D")
    lines = pd.concat([lines, back], ignore_index=True)
    lines.loc[rng.random(len(lines)) < MISSING_CUSTOMER_SHARE, "customer_id"] = pd.NA
    lines = lines.sort_values(["order_date", "order_id"], kind="stable", ignore_index=True)
    drop = [c for c, keep in (("order_id", order_ids), ("product", products)) if not keep]
    return lines.drop(columns=drop)


def planted_shop(n_customers: int, seed: int, types: tuple[BuyerType, ...] = DEFAULT_TYPES, price_sigma: float = 1.0,
                 days: int = 540, order_ids: bool = True, products: bool = True) -> tuple[pd.DataFrame, pd.Series]:
    """Order lines of a shop whose customers belong to planted buyer types.

    Each type (:class:`BuyerType`) has a share of the customers (exact counts, largest
    remainder, shuffled over the ids), a mean exponential gap between orders, a basket
    size, a quantity per line and a median unit price. A customer's first order falls in
    the first half of the ``days``-day window starting on 2023-01-01, the next ones follow
    after gaps of at least one day (so every order is on its own calendar day) until the
    window ends; an order is dated at a random minute between 08:00 and 20:00. Unit prices
    are lognormal: median × exp(``price_sigma`` × N(0, 1)), rounded to the cent, at least
    0.01. About 2 % of the orders have one line returned 1–9 days later (negative
    quantity, invoice id prefixed "C", possibly after the window) and about 1 % of the
    lines have no customer id.

    Parameters
    ----------
    n_customers
        Number of customers (ids 10001 … 10000 + n_customers).
    seed
        Seed of the random generator: the same arguments give an identical frame.
    types
        The buyer types (default :data:`DEFAULT_TYPES`; others in :data:`TYPE_MIXES`).
    price_sigma
        Lognormal sigma of unit prices (0.3 narrow, 1.0 typical, 1.6 very wide).
    days
        Length of the window in days.
    order_ids, products
        Keep the ``order_id`` and ``product`` columns (without an order id a return
        cannot be told by its prefix and is only a negative quantity).

    Returns
    -------
    lines : pandas.DataFrame
        ``customer_id`` (Int64, missing on some lines), ``order_id`` (text),
        ``order_date`` (timestamp), ``quantity`` (int), ``unit_price`` (float),
        ``product`` (text), sorted by date and order.
    planted : pandas.Series
        The buyer type per customer, indexed by ``customer_id``.
    """
    rng = np.random.default_rng(seed)
    kinds = np.repeat(np.arange(len(types)), _counts(np.array([t.share for t in types]), n_customers))
    kinds = rng.permutation(kinds)

    def per_customer(attr: str) -> np.ndarray:
        return np.array([np.inf if getattr(t, attr) is None else getattr(t, attr) for t in types], dtype=float)[kinds]

    lines = _lines(rng, per_customer("mean_gap_days"), per_customer("basket_lines"), per_customer("quantity"),
                   per_customer("median_price"), price_sigma, days, order_ids, products)
    planted = pd.Series(np.array([t.name for t in types])[kinds], index=pd.Index(10001 + np.arange(n_customers),
                                                                                 name="customer_id"), name="type")
    return lines, planted


def continuum_shop(n_customers: int, seed: int, price_sigma: float = 1.0, days: int = 540, order_ids: bool = True,
                   products: bool = True) -> pd.DataFrame:
    """Order lines of a shop without buyer types: one continuous population.

    Every customer's mean gap between orders is lognormal (median 60 days, sigma 1.0),
    their basket 1 + lognormal (median 1.5 lines, sigma 0.6) and their median unit price
    lognormal (median 10, sigma 0.8), all drawn independently; orders, quantities (mean
    2 per line), prices, returns and missing ids then follow as in :func:`planted_shop`.
    Any segments found here are divisions of a continuum, not natural types.

    Parameters
    ----------
    n_customers, seed, price_sigma, days, order_ids, products
        As in :func:`planted_shop`.

    Returns
    -------
    pandas.DataFrame
        The order lines, columns as in :func:`planted_shop`.
    """
    rng = np.random.default_rng(seed)
    gaps = rng.lognormal(np.log(60.0), 1.0, size=n_customers)
    baskets = 1.0 + rng.lognormal(np.log(1.5), 0.6, size=n_customers)
    prices = rng.lognormal(np.log(10.0), 0.8, size=n_customers)
    return _lines(rng, gaps, baskets, np.full(n_customers, 2.0), prices, price_sigma, days, order_ids, products)


#: Column names of Polish and Russian exports, per logical transactions column.
FOREIGN_COLUMNS: dict[str, dict[str, str]] = {
    "pl": {"customer_id": "nr_klienta", "order_id": "nr_faktury", "order_date": "data", "quantity": "ilosc",
           "unit_price": "cena_netto", "product": "indeks", "amount": "wartosc_netto"},
    "ru": {"customer_id": "клиент", "order_id": "номер_заказа", "order_date": "дата", "quantity": "количество",
           "unit_price": "цена", "product": "артикул", "amount": "сумма"},
}


def foreign_columns(lines: pd.DataFrame, language: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename the logical columns as a ``language`` ("pl" or "ru") export names them.

    Returns
    -------
    renamed : pandas.DataFrame
        The lines under the foreign names (other columns unchanged).
    mapping : dict
        ``columns.transactions`` of a cycle config: logical name → foreign name, for the
        columns present.
    """
    mapping = {logical: name for logical, name in FOREIGN_COLUMNS[language].items() if logical in lines}
    return lines.rename(columns=mapping), mapping


@dataclass(frozen=True)
class Dialect:
    """How one kind of export writes a CSV file."""

    delimiter: str
    decimal: str
    encoding: str
    date_format: str
    header_end: str  # line ending of the header line
    row_end: str  # line ending of every other line
    names: tuple[str, ...]  # customer names written in the extra name column
    name_column: str


_POLISH = ("Łukasz Wójcik", "Zofia Żółkiewska", "Grzegorz Brzęczyszczykiewicz", "Małgorzata Kaczmarek",
           "Paweł Dąbrowski", "Agnieszka Wiśniewska", "Przedsiębiorstwo Handlowe „Łódź” sp. z o.o.")
_RUSSIAN = ("Пётр Иванов", "Наталья Смирнова", "Сергей Кузнецов", "Юлия Попова", "ООО «Ёлка и Щука»",
            "Фёдор Соколов", "Эльвира Шевчук")

#: Export dialects: Polish and Russian Excel, a file with mixed line endings, a plain US CSV.
DIALECTS: dict[str, Dialect] = {
    "pl": Dialect(";", ",", "cp1250", "%d.%m.%Y %H:%M", "\r\n", "\r\n", _POLISH, "nazwa_klienta"),
    "ru": Dialect(";", ",", "cp1251", "%d.%m.%Y", "\r\n", "\r\n", _RUSSIAN, "наименование_клиента"),
    "mixed_eol": Dialect(",", ".", "utf-8", "%Y-%m-%d %H:%M:%S", "\n", "\r\n", _POLISH + _RUSSIAN, "customer_name"),
    "us": Dialect(",", ".", "utf-8", "%Y-%m-%d %H:%M:%S", "\n", "\n", _POLISH + _RUSSIAN, "customer_name"),
}


def _cells(column: pd.Series, dialect: Dialect) -> list[str]:
    """A column as the dialect writes it: dates in its format, decimals with its separator, missing as empty."""
    if pd.api.types.is_datetime64_any_dtype(column):
        text = column.dt.strftime(dialect.date_format)
    elif pd.api.types.is_float_dtype(column):
        text = column.map(lambda x: f"{x:.2f}".replace(".", dialect.decimal))
    else:
        text = column.astype("string")
    return text.fillna("").tolist()


def write_export(lines: pd.DataFrame, path: str | Path, dialect: str, customer_column: str = "customer_id") -> dict:
    """Write order lines as a CSV export of this ``dialect`` (a key of :data:`DIALECTS`).

    ``pl`` (Polish Excel): ``;``, decimal comma, cp1250, dates ``%d.%m.%Y %H:%M``, CRLF;
    ``ru`` (Russian Excel): ``;``, decimal comma, cp1251, dates ``%d.%m.%Y``, CRLF;
    ``mixed_eol``: the header line ends in LF and every row in CRLF, UTF-8, ``,``;
    ``us``: UTF-8, ``,``, ISO dates, LF. Floats are written with two decimals. A last
    column holds each customer's name (Polish or Cyrillic, in the dialect's alphabet;
    picked by a fixed hash of the customer id), empty where the id is missing.

    Parameters
    ----------
    lines
        Order lines (logical or foreign column names).
    path
        The file to write.
    dialect
        ``pl``, ``ru``, ``mixed_eol`` or ``us``.
    customer_column
        The column holding the customer id (for the name column).

    Returns
    -------
    dict
        The ``sources.transactions`` keys a cycle config needs to read the file besides
        its ``path`` (``delimiter``, ``decimal``, ``encoding``, ``date_format``), only
        those that differ from a plain UTF-8, comma-separated file with ISO dates.
    """
    spec = DIALECTS[dialect]
    ids = lines[customer_column].astype("string")
    pick = pd.util.hash_array(ids.fillna("").to_numpy(dtype=object)) % len(spec.names)  # pandas' fixed hash key
    names = pd.Series(np.array(spec.names, dtype=object)[pick], index=lines.index).where(ids.notna(), "")
    columns = [_cells(lines[c], spec) for c in lines] + [names.tolist()]
    with open(path, "w", encoding=spec.encoding, newline="") as handle:
        csv.writer(handle, delimiter=spec.delimiter, lineterminator=spec.header_end).writerow(
            [*map(str, lines.columns), spec.name_column])
        csv.writer(handle, delimiter=spec.delimiter, lineterminator=spec.row_end).writerows(zip(*columns))
    plain = DIALECTS["us"]
    keys = {"delimiter": spec.delimiter, "decimal": spec.decimal, "encoding": spec.encoding,
            "date_format": spec.date_format}
    return {key: value for key, value in keys.items() if value != getattr(plain, key)}


def cdnow_path() -> Path | None:
    """Where the ``lifetimes`` package keeps ``datasets/CDNOW_master.txt``; ``None`` when absent.

    Found with :func:`importlib.util.find_spec`, which locates a top-level package without
    running it (``importlib.resources.files("lifetimes")`` would import lifetimes and its
    dependencies).
    """
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "CDNOW_master.txt"
    return path if path.is_file() else None


def cdnow_lines() -> pd.DataFrame | None:
    """The CDNOW master data set: 69,659 purchase records of 23,570 customers.

    The entire purchase history, up to the end of June 1998, of the cohort of 23,570
    customers who made their first-ever purchase at the online music shop CDNOW in the
    first quarter of 1997; first used by Fader & Hardie (2001), "Forecasting repeat sales
    at CDNOW: a case study", *Interfaces* 31(3), S94–S107, and the data behind the
    published BG/NBD fit (Fader, Hardie & Lee 2005). The data set is distributed by Bruce
    Hardie (brucehardie.com/datasets, with the note "Notes on the CDNOW Master Data Set")
    without a stated licence, for research and teaching; the ``lifetimes`` package ships
    it in its MIT-licensed repository as ``lifetimes/datasets/CDNOW_master.txt`` without
    a licence of its own for the data. segkit does not redistribute it.

    The file is whitespace separated with a header line (``customer_id date
    number_of_cds dollar_value``), CRLF line endings, zero-padded 5-digit ids and dates
    as ``YYYYMMDD``; a record is one purchase (a customer may have several records on one
    day, some of equal value).

    Returns
    -------
    pandas.DataFrame or None
        ``customer_id`` (text, zero-padded as in the file), ``order_date`` (timestamp,
        midnight), ``quantity`` (number of CDs, int) and ``amount`` (dollars, float), in
        file order; ``None`` when lifetimes (and so the file) is not installed.
    """
    path = cdnow_path()
    if path is None:
        return None
    raw = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str, "date": str})
    return pd.DataFrame({"customer_id": raw["customer_id"], "order_date": pd.to_datetime(raw["date"], format="%Y%m%d"),
                         "quantity": raw["number_of_cds"].astype("int64"), "amount": raw["dollar_value"].astype(float)})
