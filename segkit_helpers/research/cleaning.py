"""Cleaning order lines in DuckDB: the six rules, what each removed, and the error when nothing is left.

The rules (:func:`clean_transactions`) reduce typed :class:`~segkit_helpers.research.lines.Lines`
to the lines kept, with their order and item tables, and count per rule the lines and
customers they touched (the cleaning table of 01, ``cleaning.csv``).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from segkit_helpers.engines.sql import when
from segkit_helpers.errors import InputError
from segkit_helpers.io.sources import connect, quote_ident, quote_literal
from segkit_helpers.report.i18n import _
from segkit_helpers.research.lines import (
    Lines,
    engine_errors,
    item_keys,
    items_sql,
    order_facts,
    product_line_sql,
    select_list,
    temp_name,
)

#: Names of the cleaning rules of :func:`_clean` (rule 2 with its date: :func:`late_rule`), for its table and messages.
NO_CUSTOMER_RULE = "no customer id"
LATE_RULE = "dated after asof"
DUPLICATE_RULE = "exact duplicate line"
PRICE_RULE = "unit price zero or negative"
RETURN_RULE = "return or cancellation"
NON_POSITIVE_RULE = "customer's net revenue not positive"


def late_rule(asof: dt.date) -> str:
    """The name of cleaning rule 2 (lines dated after ``asof``)."""
    return f"{LATE_RULE} ({asof})"


#: What to check when a rule removed the last lines (rules named as in :func:`_clean`).
_EMPTY_HINTS = {NO_CUSTOMER_RULE: "is columns.transactions.customer_id the right column?",
                LATE_RULE: "is asof right?"}


def nothing_left(table: str, total: int, removed: list[tuple[str, int]], first: dt.date | None = None) -> InputError:
    """The one-line error for order lines of which cleaning leaves no customer.

    Parameters
    ----------
    table
        The logical table, for the message.
    total
        Lines read (up to any date).
    removed
        ``(rule, lines removed)`` of the cleaning rules, in the order they run (the
        rows of the cleaning table that removed lines).
    first
        The day of the earliest line, named when rule 2 (after ``asof``) removed the last lines.

    Returns
    -------
    InputError
        To raise: "table '<table>': no customer left after cleaning: N lines, n removed by
        rule '<rule>', …", or "no order lines in the source" when there are none.
    """
    if not total:
        return InputError(f"table '{table}': no order lines in the source (only a header, or an empty result). "
                          f"Nothing to segment.")
    rules = [rule for rule, n in removed if n]
    parts = ", ".join(f"{n:,} removed by rule '{rule}'" for rule, n in removed if n)
    last = f" (the last by rule '{rules[-1]}')" if len(rules) > 1 else ""
    hint = next((h for key, h in _EMPTY_HINTS.items() if rules[-1].startswith(key)),
                "see the cleaning section of the config.")
    if first is not None and rules[-1].startswith(LATE_RULE):
        hint += f" The earliest line is dated {first}."
    return InputError(f"table '{table}': no customer left after cleaning: {total:,} line{'s' * (total != 1)}, "
                      f"{parts}{last}: {hint}")


def cancellation_sql(columns: list[str], prefix: str = "C", statuses: list[str] | None = None) -> str:
    """SQL condition for a return or cancellation line.

    A line is one when its amount or quantity is negative, its order id starts with
    ``prefix`` (e.g. "C" in the Online Retail data), or its ``status`` is one of
    ``statuses``.
    """
    terms = ["amount < 0"]
    if "quantity" in columns:
        terms.append("quantity < 0")
    if prefix:
        terms.append(f"coalesce(starts_with(CAST(order_id AS VARCHAR), {quote_literal(prefix)}), false)")
    if statuses and "status" in columns:
        terms.append(f"coalesce(status IN ({', '.join(map(quote_literal, statuses))}), false)")
    return "(" + " OR ".join(terms) + ")"


def is_cancellation(frame: pd.DataFrame, prefix: str = "C", statuses: list[str] | None = None) -> pd.Series:
    """:func:`cancellation_sql` evaluated on a DataFrame of lines (one bool per row, same order)."""
    con = connect()
    try:
        con.register("frame", frame.reset_index(drop=True))
        cond = cancellation_sql(list(frame.columns), prefix, statuses)
        flags = con.execute(f"SELECT coalesce({cond}, false) AS flag FROM frame").df()["flag"]
    finally:
        con.close()
    return pd.Series(flags.to_numpy(dtype=bool), index=frame.index)


def duplicate_rule(cfg: dict, columns: list[str]) -> tuple[bool, str]:
    """Whether exact duplicate lines are dropped (cleaning rule 3), and why.

    ``cleaning.drop_duplicates: auto`` (the default) drops them only when the data can
    show that two equal lines are one line recorded twice: when ``order_id`` and
    ``product`` are mapped (the same product twice in one order, at one quantity and
    price, is a double record), or when ``line_id`` is mapped (a line's own id: lines
    equal in every column, line id included, are one line loaded twice, e.g. from
    overlapping exports; lines with different ids are different lines however alike).
    Without them, equal lines are as likely two identical purchases (one customer
    buying the same 14.37 item twice on a day), so every line is kept. ``true`` and
    ``false`` force the rule either way.

    Parameters
    ----------
    cfg
        The cycle config (``cleaning.drop_duplicates``).
    columns
        The logical columns taken from the source (:attr:`Lines.source_columns`).

    Returns
    -------
    apply : bool
        Drop the surplus copies of exact duplicate lines.
    reason : str
        One sentence for the cleaning table (01) and the data checks (00), starting
        with "removed" or "kept" (in the report language).
    """
    setting = cfg["cleaning"]["drop_duplicates"]
    if setting is True:
        return True, _("removed: cleaning.drop_duplicates is true")
    if setting is False:
        return False, _("kept: cleaning.drop_duplicates is false")
    if "line_id" in columns:
        return True, _("removed: a line id is mapped, so lines equal in every column, line id included, are one line "
                       "twice")
    if {"order_id", "product"} <= set(columns):
        return True, _("removed: order id and product are mapped, so equal lines of one order are one line twice")
    if "order_id" in columns:
        return False, _("kept: without a product (or a line id), equal lines are not evidence of a duplicate (the same "
                        "item twice in one order)")
    if "product" in columns:
        return False, _("kept: without an order id (or a line id), equal lines are not evidence of a duplicate (two "
                        "identical purchases on one day)")
    return False, _("kept: without an order id and a product (or a line id), equal lines are not evidence of a "
                    "duplicate (two identical purchases on one day)")


def _surplus_copies(lines: Lines, keys: str, in_range: str) -> str:
    """A table of the surplus copies of exact duplicate lines (identical in every column in ``keys``).

    One row per line that occurs more than once, with ``extra`` = its copies − 1.
    Grouping every line by every column is the slowest step of a profile, so it is
    done in two passes: the lines are grouped by a 64-bit hash of all their columns
    (one small key), then only the lines whose hash occurs more than once are
    grouped by the columns themselves, so that a hash collision never merges two
    different lines.
    """
    con, surplus = lines.con, temp_name("surplus")
    candidates = "true"
    if isinstance(con, duckdb.DuckDBPyConnection):  # DuckDB's row hash; elsewhere the engine groups the lines itself
        hashes = temp_name("dup_hashes")
        con.execute(f"CREATE TEMP TABLE {hashes} AS SELECT h FROM (SELECT hash({keys}) AS h FROM {lines.name} "
                    f"WHERE {in_range}) AS hashed GROUP BY h HAVING count(*) > 1")
        candidates = f"hash({keys}) IN (SELECT h FROM {hashes})"
        if not con.execute(f"SELECT count(*) FROM {hashes}").fetchall()[0][0]:
            candidates = "false"  # no hash occurs twice: no duplicates, no second pass
    con.execute(f"CREATE TEMP TABLE {surplus} AS SELECT {keys}, count(*) - 1 AS extra FROM {lines.name} "
                f"WHERE {in_range} AND {candidates} GROUP BY {keys} HAVING count(*) > 1")
    if candidates != "true":
        con.execute(f"DROP TABLE {hashes}")
    return surplus


def _rule_tables(con: duckdb.DuckDBPyConnection, flagged: str, copies: str | None, columns: list[str],
                 keep: str) -> tuple[str, str]:
    """The order table with rules 3–5 counted per order, and those counts, kept lines and net per customer.

    ``flagged`` holds the lines (every copy of a duplicate), ``copies`` (when duplicates
    are dropped) the surplus copies with weight −copies: their sums per order, a small
    table, are subtracted from the lines' (a copy never is an order's only line, so the
    earliest day of its kept lines stays as it is).
    """
    order_rules, customer_rules = temp_name("order_rules"), temp_name("customer_rules")
    facts = order_facts(columns, False, keep)
    lines = (f"SELECT customer_id, order_id, count({when('bad_price')}) AS price, "
             f"count({when('NOT bad_price AND is_return')}) AS returned, {select_list(facts)} "
             f"FROM {flagged} AS flagged GROUP BY customer_id, order_id")
    if copies is None:
        con.execute(f"CREATE TEMP TABLE {order_rules} AS SELECT customer_id, order_id, 0 AS duplicate, price, returned, "
                    f"{', '.join(facts)} FROM ({lines}) AS per_order")
    else:
        surplus = (f"SELECT customer_id, order_id, -sum(weight) AS duplicate, "
                   f"sum({when('bad_price', 'weight')}) AS price, sum({when('NOT bad_price AND is_return', 'weight')}) "
                   f"AS returned, {select_list(order_facts(columns, True, keep))} FROM {copies} AS copies "
                   f"GROUP BY customer_id, order_id")
        summed = [f"coalesce(l.{c} + s.{c}, l.{c}) AS {c}" for c in ["price", "returned", *facts] if c != "order_day"]
        con.execute(
            f"CREATE TEMP TABLE {order_rules} AS SELECT l.customer_id, l.order_id, coalesce(s.duplicate, 0) AS duplicate, "
            f"{', '.join(summed)}, l.order_day FROM ({lines}) AS l LEFT JOIN ({surplus}) AS s "
            f"ON l.customer_id = s.customer_id AND l.order_id = s.order_id")
    con.execute(
        f"CREATE TEMP TABLE {customer_rules} AS SELECT customer_id, coalesce(sum(duplicate), 0) AS duplicate, "
        f"coalesce(sum(price), 0) AS price, coalesce(sum(returned), 0) AS returned, coalesce(sum(lines), 0) AS kept, "
        f"round(sum(net_value), 2) AS net FROM {order_rules} GROUP BY customer_id")
    return order_rules, customer_rules


def _items_table(con: duckdb.DuckDBPyConnection, flagged: str, copies: str | None, columns: list[str],
                 line: tuple[str, str], keep: str, customers: str) -> str:
    """The item table of the kept lines (:func:`items_sql`), the surplus copies' spend subtracted per product line.

    A copy never is the only line of its product, so the products counted stay as they are.
    ``customers`` holds every customer of the lines (for :func:`item_keys`).
    """
    items = temp_name("all_items")
    sql = items_sql(flagged, columns, line, False, keep, item_keys(con, customers, flagged, columns, line))
    if copies is not None:
        line_expr, join = line
        grouped = "l.customer_id" + (f", {line_expr}" if line_expr != "NULL" else "")
        on = "i.customer_id = s.customer_id" + (" AND i.line = s.line" if line_expr != "NULL" else "")
        line_expr = "CAST(NULL AS VARCHAR)" if line_expr == "NULL" else line_expr
        surplus = (f"SELECT l.customer_id, {line_expr} AS line, sum(l.amount * weight) AS spend FROM {copies} AS l "
                   f"{join} WHERE {keep} AND l.amount > 0 GROUP BY {grouped}")
        sql = (f"SELECT i.customer_id, i.line, i.products, coalesce(i.spend + s.spend, i.spend) AS spend "
               f"FROM ({sql}) AS i LEFT JOIN ({surplus}) AS s ON {on}")
    con.execute(f"CREATE TEMP TABLE {items} AS {sql}")
    return items


def rule_sql(columns: list[str], cfg: dict) -> tuple[bool, str, str, str, str]:
    """SQL of the cleaning rules of :func:`_clean` on lines with these columns.

    Returns
    -------
    drop_returns : bool
        ``cleaning.returns`` is ``drop``.
    asof : str
        The ``asof`` timestamp literal.
    in_range : str
        Condition of rules 1–2: a customer id, dated up to ``asof``.
    flags : str
        Select list of the flags ``bad_price`` (rule 4) and ``is_return`` (rule 5).
    keep : str
        Condition on those flags of a line that is kept.
    """
    rules = cfg["cleaning"]
    drop_returns = rules.get("returns", "net") == "drop"
    cancel = cancellation_sql(columns, rules["cancellation_prefix"], rules.get("cancelled_statuses"))
    if drop_returns and "quantity" in columns:
        cancel = f"({cancel} OR quantity <= 0)"
    asof = f"TIMESTAMP '{cfg['asof'].isoformat()}'"
    in_range = f"customer_id IS NOT NULL AND order_day <= {asof}"
    flags = (f"{'coalesce(unit_price <= 0, false)' if 'unit_price' in columns else 'false'} AS bad_price, "
             f"coalesce({cancel}, false) AS is_return")
    keep = "NOT bad_price" + (" AND NOT is_return" if drop_returns else "")
    return drop_returns, asof, in_range, flags, keep


def clean_transactions(lines: Lines, cfg: dict) -> tuple[Lines, pd.DataFrame]:
    """Apply the cleaning rules in DuckDB and count what each one did (see :func:`_clean`).

    Raises
    ------
    ConfigError
        DuckDB ran out of memory within ``engine.memory_limit``.
    """
    with engine_errors(cfg):
        return _clean(lines, cfg)


def _clean(lines: Lines, cfg: dict) -> tuple[Lines, pd.DataFrame]:
    """Apply the cleaning rules in DuckDB and count what each one did.

    Rules, in order (``cleaning.*`` in the config):

    1. drop lines without a customer id;
    2. drop lines dated after ``asof`` (``asof`` is inclusive);
    3. exact duplicate lines — identical in every mapped column: one copy of each is
       kept when :func:`duplicate_rule` says the data can show they are duplicates
       (``drop_duplicates``), else every line is kept; counted either way (unless
       ``drop_duplicates: false``);
    4. drop lines with a zero or negative unit price (adjustments, free samples);
    5. returns and cancellations (:func:`cancellation_sql`, negative whatever their
       sign, :func:`_signed`): netted into the customer's revenue and counted
       (``returns: net``), or removed together with
       lines of zero quantity (``returns: drop``, the "usual" cleaning of the
       Online Retail literature);
    6. drop customers whose net revenue is not positive, in cents
       (``drop_non_positive_customers``).

    The lines are read in a few passes, none of which is kept in memory: one counts
    rules 1–2; two find the duplicates (:func:`_surplus_copies`); one builds the order
    table while counting rules 4–5 per order, and one the item table (both tables as
    in :func:`aggregated`; on DuckDB the item table is grouped by hashes checked on the
    customer table and the product catalogue, :func:`item_keys`). Those two read the lines as they are, every copy included:
    the surplus copies (a small table) are aggregated apart, weighing −1 per copy, and
    their sums subtracted per order and per product line (:func:`_rule_tables`,
    :func:`_items_table`). Rule 6 and the report need only the order table.

    Parameters
    ----------
    lines
        Typed order lines (:func:`load_transactions` or :func:`prepare_transactions`).
    cfg
        The cycle config.

    Returns
    -------
    clean : Lines
        The remaining lines (a view, read only when asked for) with their order and
        item tables.
    report : pandas.DataFrame
        One row per rule: ``rule``, ``action`` (removed/netted/kept), ``lines``,
        ``customers`` (distinct customers affected), ``lines_left`` and ``note`` (why
        duplicates were removed or kept).

    Raises
    ------
    InputError
        The rules leave no customer (:func:`nothing_left`).
    """
    rules = cfg["cleaning"]
    con, cols = lines.con, lines.columns
    dedup, dedup_reason = duplicate_rule(cfg, lines.source_columns)
    drop_returns, asof, in_range, flags, keep = rule_sql(cols, cfg)
    total, no_id, late, late_customers, first = con.execute(
        f"SELECT count(*), count({when('customer_id IS NULL')}), "
        f"count({when(f'customer_id IS NOT NULL AND order_day > {asof}')}), "
        f"count(DISTINCT {when(f'order_day > {asof}', 'customer_id')}), min(order_day) "
        f"FROM {lines.name}").fetchall()[0]
    keys = ", ".join(quote_ident(c) for c in cols if c != "order_day")  # order_day derives from order_date
    surplus = None
    if rules["drop_duplicates"] is not False:  # counted when kept too, for the cleaning table
        surplus = _surplus_copies(lines, keys, in_range)
    flagged = _signed(f"(SELECT source.*, {flags} FROM {lines.name} AS source WHERE {in_range})", cols)
    copies = None
    if dedup:  # the surplus copies weigh −(copies): their sums are subtracted, so that every sum counts each line once
        row = [c for c in cols if c != "order_day"] + ["order_day", "weight"]
        copies = _signed(f"(SELECT {keys}, date_trunc('day', order_date) AS order_day, -extra AS weight, {flags} "
                         f"FROM {surplus} AS surplus)", row)
    order_rules, customer_rules = _rule_tables(con, flagged, copies, cols, keep)
    all_items = None
    if "product" in cols or "category" in cols:  # its customers' hashes are checked on the customer table
        line = product_line_sql(con, cols, cfg["research"]["product_lines"])
        all_items = _items_table(con, flagged, copies, cols, line, keep, customer_rules)
    counts = con.execute(
        f"SELECT coalesce(sum(duplicate), 0), count({when('duplicate > 0')}), coalesce(sum(price), 0), "
        f"count({when('price > 0')}), coalesce(sum(returned), 0), count({when('returned > 0')}), "
        f"coalesce(sum({when('net <= 0', 'kept')}), 0), count({when('kept > 0 AND net <= 0')}) "
        f"FROM {customer_rules}").fetchall()[0]
    dup_lines, dup_customers, price_lines, price_customers, ret_lines, ret_customers, poor_lines, poor_customers = (
        int(x) for x in counts)
    if surplus and not dedup:  # kept: the equal lines are counted all the same
        dup_lines, dup_customers = (int(x) for x in con.execute(
            f"SELECT coalesce(sum(extra), 0), count(DISTINCT customer_id) FROM {surplus}").fetchall()[0])

    steps = [(NO_CUSTOMER_RULE, "removed", no_id, 0, ""),
             (late_rule(cfg["asof"]), "removed", late, late_customers, ""),
             (DUPLICATE_RULE, "removed" if dedup else "kept", dup_lines, dup_customers,
              dedup_reason if surplus else f"{dedup_reason} (not counted)")]
    if "unit_price" in cols:
        steps.append((PRICE_RULE, "removed", price_lines, price_customers, ""))
    steps.append((RETURN_RULE, "removed" if drop_returns else "netted", ret_lines, ret_customers, ""))
    positive = ""
    if rules["drop_non_positive_customers"]:
        steps.append((NON_POSITIVE_RULE, "removed", poor_lines, poor_customers, ""))
        if poor_customers:
            positive = f" AND customer_id NOT IN (SELECT customer_id FROM {customer_rules} WHERE net <= 0)"
    report = pd.DataFrame(steps, columns=["rule", "action", "lines", "customers", "note"])
    report["lines_left"] = total - report["lines"].where(report["action"] == "removed", 0).cumsum()
    report[["lines", "customers", "lines_left"]] = report[["lines", "customers", "lines_left"]].astype("int64")
    report = report[["rule", "action", "lines", "customers", "lines_left", "note"]]
    if report["lines_left"].iloc[-1] <= 0:
        removed = report[report["action"] == "removed"]
        raise nothing_left(lines.table, int(total), list(zip(removed["rule"], removed["lines"].astype(int))),
                           first.date() if first is not None else None)

    facts = list(order_facts(cols, dedup))
    orders, clean = temp_name("orders"), temp_name("clean")
    # a view: one copy of the orders in memory, however many lines had none kept
    con.execute(f"CREATE TEMP VIEW {orders} AS SELECT customer_id, order_id, {', '.join(facts)} FROM {order_rules} "
                f"WHERE lines > 0{positive}")
    items = None
    if all_items:
        items = temp_name("items")
        con.execute(f"CREATE TEMP VIEW {items} AS SELECT * FROM {all_items} WHERE true{positive}")
    distinct = "DISTINCT " if dedup else ""
    signed = _signed(f"(SELECT lines.*, {flags} FROM {lines.name} AS lines WHERE {in_range})", cols)
    con.execute(f"CREATE TEMP VIEW {clean} AS SELECT {distinct}{', '.join(quote_ident(c) for c in cols)} "
                f"FROM {signed} AS signed WHERE {keep}{positive}")
    return Lines(con, clean, lines.table, orders, items, lines.mapped), report


def _signed(flagged: str, columns: list[str]) -> str:
    """Lines flagged as returns or cancellations (``is_return``) with a negative amount (and quantity).

    ``flagged`` is a subquery of lines with ``columns`` and the flags ``bad_price`` and
    ``is_return``; the result has the same columns, in that order.

    A cancellation marked only by its order id or status (``cleaning.cancelled_statuses``)
    may be written with a positive quantity, like the purchase it reverses (a storno
    line); it reduces the customer's revenue all the same, so its amount counts as
    ``-|amount|``. Lines already negative are unchanged.
    """
    signed = {"amount": "CASE WHEN is_return THEN -abs(amount) ELSE amount END AS amount",
              "quantity": "CASE WHEN is_return THEN -abs(quantity) ELSE quantity END AS quantity"}
    select = [signed.get(c, quote_ident(c)) for c in [*columns, "bad_price", "is_return"]]
    return f"(SELECT {', '.join(select)} FROM {flagged} AS flagged)"
