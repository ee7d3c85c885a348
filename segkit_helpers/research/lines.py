"""Order lines in DuckDB: :class:`Lines`, reading them typed from a source, and their order and item tables.

Order lines never pass through pandas whole: :class:`Lines` is a DuckDB view (or
table) with segkit's logical column names, and every step is a SQL query on it.
The lines are read mapped, typed and checked (:func:`load_transactions`, with the SQL
of :mod:`segkit_helpers.io.tables`), and reduced to an order table and an item table
(:func:`aggregated`, or while cleaning: :mod:`segkit_helpers.research.cleaning`), from
which every per-customer metric is computed; only per-customer results come back as
DataFrames.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pandas as pd

from segkit_helpers.engines.sql import when
from segkit_helpers.errors import ConfigError, InputError
from segkit_helpers.io.config_inputs import TABLE_COLUMNS
from segkit_helpers.io.sources import connect, relation_columns, stored_zones
from segkit_helpers.io.tables import (
    check_parsed,
    column_mapping,
    date_expr,
    id_check,
    id_expr,
    number_expr,
    plain_text,
    raw_expr,
)

_names = itertools.count()


def temp_name(prefix: str) -> str:
    """A name for a temporary view or table, unique in this process (``<prefix>_<n>``)."""
    return f"{prefix}_{next(_names)}"


#: How the optional columns of ``TABLE_COLUMNS["transactions"]`` (the one list) are typed:
#: ids keep integers as integers, numbers are parsed, every other column is text.
ID_COLUMNS = ["order_id", "line_id"]
NUMERIC_COLUMNS = ["quantity", "unit_price", "amount", "cost"]
TEXT_COLUMNS = [c for c in TABLE_COLUMNS["transactions"]["optional"] if c not in ID_COLUMNS + NUMERIC_COLUMNS]


#: The customer id as text, for results that leave DuckDB (integer ids are kept as integers inside).
TEXT_ID = "CAST(customer_id AS VARCHAR)"


@dataclass(frozen=True)
class Lines:
    """Order lines held in DuckDB.

    Attributes
    ----------
    con : duckdb.DuckDBPyConnection
        The connection that holds them.
    name : str
        The view or table: one row per order line with logical columns
        ``customer_id``, ``order_id`` (text, or integers when the source has
        integer ids: :data:`TEXT_ID` turns them to text), ``order_date``, ``order_day``
        (timestamps), ``amount`` (and any mapped ``quantity``, ``unit_price``,
        ``cost``, ``line_id``, ``product``, ``category``, ``channel``, ``status``).
    table : str
        The logical table name, for messages.
    orders, items : str or None
        The order and item tables of these lines, once built (:func:`aggregated`).
    mapped : tuple of str or None
        The logical columns taken from the source (``order_id`` is derived when it is not
        among them); None: every column.
    """

    con: duckdb.DuckDBPyConnection
    name: str
    table: str = "transactions"
    orders: str | None = None
    items: str | None = None
    mapped: tuple[str, ...] | None = None

    @property
    def source_columns(self) -> list[str]:
        """The logical columns taken from the source (not derived)."""
        return list(self.mapped) if self.mapped is not None else self.columns

    @property
    def columns(self) -> list[str]:
        """The logical columns present."""
        return list(relation_columns(self.con, self.name))

    def sql(self, query: str) -> pd.DataFrame:
        """Run ``query`` with ``{lines}`` standing for this table; return a DataFrame."""
        return self.con.execute(query.format(lines=self.name)).df()

    def scalar(self, query: str):
        """Run ``query`` (``{lines}`` = this table) and return its single value."""
        return self.con.execute(query.format(lines=self.name)).fetchall()[0][0]

    def df(self) -> pd.DataFrame:
        """All lines as a DataFrame (ids as text), ordered by date, customer and order (small tables only)."""
        ids = [c for c in ("customer_id", "order_id") if c in self.columns]
        keys = [c for c in ("order_date", "customer_id", "order_id") if c in self.columns]
        text = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in ids)
        return self.sql(f"SELECT * REPLACE ({text}) FROM {{lines}} ORDER BY {', '.join(keys)}")

    def __len__(self) -> int:
        return int(self.scalar("SELECT count(*) FROM {lines}"))


def as_lines(lines: "Lines | pd.DataFrame") -> Lines:
    """Use a DataFrame of lines (logical column names, already typed) as :class:`Lines`."""
    if isinstance(lines, Lines):
        return lines
    con = connect()
    name = temp_name("frame")
    con.register(name, lines)
    return Lines(con, name)


def _typed_lines(con, view: str, mapping: dict[str, str], table: str, date_format: str | None = None,
                 dialect: dict | None = None, zones: dict[str, str] | None = None) -> Lines:
    """Create the typed view of order lines over a source view, after checking its values.

    ``dialect`` holds the source's ``decimal``, ``thousands`` (for text numbers) and
    ``timezone``; ``zones`` the zone each zone-aware source column was written in. On
    DuckDB, text ids and text columns that need no trimming (:func:`plain_text`, one
    query) are taken as they are: the same values, computed once instead of in every pass.
    """
    dialect = dialect or {}
    kinds = relation_columns(con, view)
    date_col = mapping["order_date"]
    date_raw = raw_expr(date_col, kinds[date_col])
    checks = [("order_date", date_raw, date_expr(date_col, kinds[date_col], date_format, dialect.get("timezone"),
                                                  (zones or {}).get(date_col)), "dates")]
    for col in NUMERIC_COLUMNS:
        if col in mapping:
            src = mapping[col]
            checks.append((col, raw_expr(src, kinds[src]),
                           number_expr(src, kinds[src], dialect.get("decimal") or ".", dialect.get("thousands")),
                           "numbers"))
    ids = [id_check(c, mapping[c], kinds[mapping[c]]) for c in ["customer_id", *ID_COLUMNS] if c in mapping]
    check_parsed(con, view, checks + [check for check in ids if check], table)
    parsed = {logical: expr for logical, _, expr, _ in checks}
    texts = [c for c in ["customer_id", *ID_COLUMNS, *TEXT_COLUMNS] if c in mapping]
    untrimmed, undotted = set(), set()
    if isinstance(con, duckdb.DuckDBPyConnection):  # elsewhere one query less, every expression kept
        text = sorted({mapping[c] for c in texts if kinds[mapping[c]].upper() == "VARCHAR"})
        untrimmed, undotted = plain_text(con, view, text, [mapping[c] for c in ["customer_id", *ID_COLUMNS]
                                                           if c in mapping])

    def ident(logical: str) -> str:
        src = mapping[logical]
        return id_expr(src, kinds[src], src not in untrimmed, src not in undotted)

    select = [f"{ident('customer_id')} AS customer_id", f"{parsed['order_date']} AS order_date"]
    select += [f"{ident(c)} AS {c}" for c in ID_COLUMNS if c in mapping]
    select += [f"{parsed[c]} AS {c}" for c in NUMERIC_COLUMNS if c in mapping]
    if "amount" not in mapping:
        select.append(f"{parsed['quantity']} * {parsed['unit_price']} AS amount")
    select += [f"{raw_expr(mapping[c], kinds[mapping[c]], mapping[c] not in untrimmed)} AS {c}"
               for c in TEXT_COLUMNS if c in mapping]
    derived = ["date_trunc('day', order_date) AS order_day"]
    if "order_id" not in mapping:  # an order is one customer's lines on one calendar day
        derived.append(f"{TEXT_ID} || '@' || strftime(order_date, '%Y-%m-%d') AS order_id")
    name = temp_name("lines")
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT typed.*, {', '.join(derived)} "
                f"FROM (SELECT {', '.join(select)} FROM {view}) AS typed")
    return Lines(con, name, table, mapped=tuple(mapping))


def load_transactions(cfg: dict, session=None) -> Lines:
    """Open the configured order lines on the engine of ``engine.name``, mapped, typed and checked.

    One pass over the source checks that dates and numbers parse. (Whether cleaning
    leaves a customer is checked by :func:`~segkit_helpers.research.checks.check_sources`
    before a cycle and by the cleaning itself.)

    Parameters
    ----------
    cfg
        The cycle config.
    session
        A Spark session for ``engine.name: spark`` (default: started from ``engine.spark``).

    Returns
    -------
    Lines
        A view over the source (not loaded into memory): see :class:`Lines`. On the
        ``spark`` and ``database`` engines it is a view there
        (:mod:`segkit_helpers.engines.connect`).

    Raises
    ------
    InputError
        Unreadable source, missing column, dates or numbers that do not parse.
    """
    from segkit_helpers.engines.connect import check_typed, open_source

    source = cfg["sources"]["transactions"]
    con, view = open_source(cfg, "transactions", session)
    try:
        kinds = relation_columns(con, view)
        mapping = column_mapping(cfg, "transactions", list(kinds))
        check_typed(con, kinds, mapping, "transactions")
        with engine_errors(cfg):
            return _typed_lines(con, view, mapping, "transactions", source.get("date_format"), source,
                                stored_zones(source))
    except BaseException:  # nothing left open: a database connection would hold its locks
        con.close()
        raise


def prepare_transactions(frame: pd.DataFrame, table: str = "transactions") -> Lines:
    """Type and complete order lines given as a DataFrame with logical column names.

    Adds ``order_day`` (calendar day of ``order_date``), ``amount`` (``quantity ×
    unit_price`` unless given) and ``order_id`` (one customer's lines on one calendar
    day when there is none). The DataFrame is not modified.

    Raises
    ------
    InputError
        Dates or numbers that cannot be parsed, with their count and an example.
    """
    con = connect()
    view = temp_name("frame")
    con.register(view, frame)
    present = {c: c for c in frame.columns if c in TABLE_COLUMNS["transactions"]["required"]
               + TABLE_COLUMNS["transactions"]["optional"]}
    return _typed_lines(con, view, present, table)


@contextmanager
def engine_errors(cfg: dict) -> Iterator[None]:
    """Turn DuckDB running out of memory into a one-line message naming the setting to change."""
    try:
        yield
    except duckdb.OutOfMemoryException:
        limit = cfg["engine"]["memory_limit"]
        raise ConfigError(
            f"table 'transactions': DuckDB ran out of memory with engine.memory_limit = "
            f"{limit or 'DuckDB default (80% of RAM)'}. Raise engine.memory_limit "
            f"{f'above {limit}' if limit else 'to what this machine can give'}, "
            f"or set engine.threads: 1 to need less of it."
        ) from None


# --- order and item tables -------------------------------------------------------------------


def _weighted(expr: str, weighted: bool) -> str:
    """``expr`` times the line's weight (duplicate copies weigh −1 each), or as is when all weigh 1."""
    return f"({expr}) * weight" if weighted else expr


def order_facts(columns: list[str], weighted: bool, keep: str = "true") -> dict[str, str]:
    """Aggregates of one (customer, order id) group over its kept lines: day, net value, lines, margin."""
    def kept(value: str) -> str:
        return value if keep == "true" else when(keep, value)

    facts = {"order_day": f"min({kept('order_day')})",
             "net_value": f"sum({kept(_weighted('amount', weighted))})",
             "lines": f"sum({kept('weight')})" if weighted else f"count({kept('1')})"}
    if {"cost", "quantity"} <= set(columns):
        facts["margin_from_cost"] = f"sum({kept(_weighted('amount - cost * quantity', weighted))})"
    return facts


def select_list(exprs: dict[str, str]) -> str:
    return ", ".join(f"{expr} AS {name}" for name, expr in exprs.items())


def read_product_lines(path: str) -> pd.DataFrame:
    """The ``product,line`` mapping of ``research.product_lines`` (one line per product, first wins)."""
    mapping = pd.read_csv(path, dtype=str)
    missing = {"product", "line"} - set(mapping.columns)
    if missing:
        raise InputError(f"product lines file {path}: needs columns 'product' and 'line' (missing {sorted(missing)})")
    return mapping[["product", "line"]].drop_duplicates("product")


def product_line_sql(con: duckdb.DuckDBPyConnection, columns: list[str], product_lines: str | None) -> tuple[str, str]:
    """SQL for the product line of a line (alias ``l``) and the join it needs.

    The ``category`` column when mapped, else the ``product_lines`` mapping (products
    it does not name are "other"), else none (NULL).
    """
    if "category" in columns:
        return "coalesce(l.category, 'other')", ""
    if product_lines and "product" in columns:
        mapping = temp_name("product_lines")
        con.register(mapping, read_product_lines(product_lines))
        return "coalesce(m.line, 'other')", f"LEFT JOIN {mapping} AS m ON CAST(l.product AS VARCHAR) = m.product"
    return "NULL", ""


def items_sql(source: str, columns: list[str], line: tuple[str, str], weighted: bool, keep: str = "true",
              keys: "ItemKeys | None" = None) -> str:
    """Spend and distinct products per (customer, product line) on lines with a positive amount.

    The lines are grouped by customer and product first (a transient aggregate that
    DuckDB spills to disk when it must), so that only the small per-line table is kept.
    With ``keys`` (:func:`item_keys`) they are grouped by 64-bit hashes of the customer,
    product and line instead of the values: the same table, grouped faster, and within
    DuckDB's memory limit where text keys are not (hundreds of millions of customer–product
    pairs); the values are joined back from the small key tables.
    """
    if keys is not None:
        return _hashed_items_sql(source, columns, line, weighted, keep, keys)
    line_expr, join = line
    product = ", l.product" if "product" in columns else ""
    grouped = f"l.customer_id{product}" + (f", {line_expr}" if line_expr != "NULL" else "")
    line_expr = "CAST(NULL AS VARCHAR)" if line_expr == "NULL" else line_expr
    inner = (f"SELECT l.customer_id{product}, {line_expr} AS line, sum({_weighted('l.amount', weighted)}) AS spend "
             f"FROM {source} AS l {join} WHERE {keep} AND l.amount > 0 GROUP BY {grouped}")
    products = "count(product)" if product else "CAST(NULL AS BIGINT)"
    return (f"SELECT customer_id, line, {products} AS products, sum(spend) AS spend FROM ({inner}) AS per_product "
            f"GROUP BY customer_id, line")


#: DuckDB's integer types: customer ids of these types group as fast as their hashes.
INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT", "UHUGEINT"}


@dataclass(frozen=True)
class ItemKeys:
    """Tables mapping 64-bit hashes back to values, each checked free of collisions (:func:`item_keys`)."""

    customers: str | None  # customer_id, customer_key; None for integer ids, grouped as they are
    lines: str | None  # line, line_key; None when there are no product lines


def item_keys(con: duckdb.DuckDBPyConnection, customers: str, source: str, columns: list[str],
              line: tuple[str, str]) -> ItemKeys | None:
    """The key tables of a hashed item table, or None where the exact grouping must be used.

    None when ``con`` is not DuckDB (its ``hash()`` is DuckDB's) or when two different
    customers (of ``customers``), products or product lines (of ``source``) share a hash:
    then grouping by hashes could merge them. Integer customer ids are grouped as they
    are (no hash, no key table). The products and lines are read in one pass grouped by
    product and line, a small aggregate (a catalogue, not the lines).
    """
    if not isinstance(con, duckdb.DuckDBPyConnection):
        return None
    line_expr, join = line
    dims = ["l.product AS product"] if "product" in columns else []
    dims += [f"{line_expr} AS line"] if line_expr != "NULL" else []
    catalogue = temp_name("item_catalogue")
    if dims:
        con.execute(f"CREATE TEMP TABLE {catalogue} AS SELECT {', '.join(dims)} FROM {source} AS l {join} "
                    f"GROUP BY ALL")
    integer_ids = relation_columns(con, customers)["customer_id"] in INTEGER_TYPES
    checks = [] if integer_ids else [
        f"SELECT count(DISTINCT customer_id) = count(DISTINCT hash(customer_id)) FROM {customers}"]
    checks += [f"SELECT count(DISTINCT {name}) = count(DISTINCT {when(f'{name} IS NOT NULL', f'hash({name})')}) "
               f"FROM {catalogue}"
               for name in ("product", "line") if any(d.endswith(f" AS {name}") for d in dims)]
    unique = all(con.execute(check).fetchall()[0][0] for check in checks)
    keys = None if integer_ids else temp_name("customer_keys")
    lines = temp_name("line_keys") if line_expr != "NULL" else None
    if unique and keys:
        con.execute(f"CREATE TEMP TABLE {keys} AS SELECT customer_id, hash(customer_id) AS customer_key "
                    f"FROM {customers} GROUP BY customer_id")
    if unique and lines:
        con.execute(f"CREATE TEMP TABLE {lines} AS SELECT line, hash(line) AS line_key FROM {catalogue} "
                    f"GROUP BY line")
    if dims:
        con.execute(f"DROP TABLE {catalogue}")
    return ItemKeys(keys, lines) if unique else None


def _hashed_items_sql(source: str, columns: list[str], line: tuple[str, str], weighted: bool, keep: str,
                      keys: ItemKeys) -> str:
    """:func:`items_sql` grouped by hashes of the customer, product and line, the values joined back."""
    line_expr, join = line
    product = ", CASE WHEN l.product IS NOT NULL THEN hash(l.product) END AS product_key" if "product" in columns else ""
    line_key = f", hash({line_expr}) AS line_key" if keys.lines else ""
    groups = "customer_key" + (", product_key" if product else "") + (", line_key" if line_key else "")
    customer = "l.customer_id" if keys.customers is None else "hash(l.customer_id)"
    inner = (f"SELECT {customer} AS customer_key{product}{line_key}, "
             f"sum({_weighted('l.amount', weighted)}) AS spend FROM {source} AS l {join} "
             f"WHERE {keep} AND l.amount > 0 GROUP BY {groups}")
    products = "count(product_key)" if product else "CAST(NULL AS BIGINT)"
    per_line = "customer_key" + (", line_key" if line_key else "")
    outer = (f"SELECT {per_line}, {products} AS products, sum(spend) AS spend FROM ({inner}) AS per_product "
             f"GROUP BY {per_line}")
    line_value, line_join = "CAST(NULL AS VARCHAR)", ""
    if keys.lines:
        line_value, line_join = "n.line", f"JOIN {keys.lines} AS n ON i.line_key = n.line_key"
    customer_value, customer_join = "i.customer_key", ""
    if keys.customers:
        customer_value, customer_join = "k.customer_id", f"JOIN {keys.customers} AS k ON i.customer_key = k.customer_key"
    return (f"SELECT {customer_value} AS customer_id, {line_value} AS line, i.products, i.spend FROM ({outer}) AS i "
            f"{customer_join} {line_join}")


def aggregated(lines: "Lines | pd.DataFrame", product_lines: str | None = None) -> Lines:
    """``lines`` with its order table and item table built (once) in DuckDB.

    The order table has one row per (``customer_id``, ``order_id``): ``order_day``
    (earliest line), ``net_value`` (sum of amounts), ``lines`` and, when ``cost``
    and ``quantity`` are mapped, ``margin_from_cost``. The item table (when
    ``product`` or ``category`` is mapped) has one row per customer and product line
    (:func:`product_line_sql`; one row per customer without lines): ``products`` (distinct
    products) and ``spend`` on lines with a positive amount. Everything per customer
    is computed from these two tables, never from the lines again.
    """
    lines = as_lines(lines)
    if lines.orders:
        return lines
    con, cols = lines.con, lines.columns
    orders = temp_name("orders")
    con.execute(f"CREATE TEMP TABLE {orders} AS SELECT customer_id, order_id, {select_list(order_facts(cols, False))} "
                f"FROM {lines.name} GROUP BY customer_id, order_id")
    items = None
    if "product" in cols or "category" in cols:
        items = temp_name("items")
        line = product_line_sql(con, cols, product_lines)
        sql = items_sql(lines.name, cols, line, False, keys=item_keys(con, orders, lines.name, cols, line))
        con.execute(f"CREATE TEMP TABLE {items} AS {sql}")
    return dataclasses.replace(lines, orders=orders, items=items)


def sample_period(lines: Lines) -> tuple[dt.date, dt.date]:
    """First and last calendar day present in ``lines``."""
    first, last = lines.con.execute(
        f"SELECT min(order_day), max(order_day) FROM {lines.orders or lines.name}").fetchall()[0]
    return first.date(), last.date()


def summarize_lines(lines: "Lines | pd.DataFrame") -> pd.Series:
    """Headline counts of a line table: lines, customers, orders (integers) and net revenue.

    Orders are distinct order ids; computed from the order table (:func:`aggregated`).
    """
    lines = aggregated(lines)
    n, customers, orders, revenue = lines.con.execute(
        f"SELECT coalesce(sum(lines), 0), count(DISTINCT customer_id), count(DISTINCT order_id), "
        f"coalesce(sum(net_value), 0) FROM {lines.orders}").fetchall()[0]
    return pd.Series({"lines": int(n), "customers": int(customers), "orders": int(orders),
                      "net revenue": round(float(revenue), 2)}, name="value", dtype=object)
