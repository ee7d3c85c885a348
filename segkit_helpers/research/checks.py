"""Checks of the configured sources before a cycle starts: readable, mapped, and leaving customers to segment.

Run by ``segkit cycle`` before any notebook (:func:`check_sources`), so that a bad
config or unusable data fails in seconds with one line, not in the middle of a notebook.
"""

from __future__ import annotations

from segkit_helpers.engines.sql import when
from segkit_helpers.errors import InputError
from segkit_helpers.io.tables import column_mapping, source_columns
from segkit_helpers.schemes import SCHEMES
from segkit_helpers.research.cleaning import (
    NO_CUSTOMER_RULE,
    NON_POSITIVE_RULE,
    PRICE_RULE,
    RETURN_RULE,
    late_rule,
    nothing_left,
    rule_sql,
)
from segkit_helpers.research.lines import Lines, engine_errors, load_transactions

def check_sources(cfg: dict) -> None:
    """Check that every configured source is readable and has its required columns.

    Run before a cycle starts so that a bad config fails in seconds, not in the
    middle of a notebook. Other tables, and order lines from a database URL (which
    would have to be fetched whole): headers only. Order lines in a file: two
    aggregate queries, one that checks their dates and numbers (:func:`load_transactions`)
    and one that cleaning can leave a customer (:func:`check_not_empty`), then one
    aggregation by customer (:func:`check_segmentable`).

    Raises
    ------
    InputError
        As :func:`column_mapping`, :func:`load_transactions` and :func:`check_not_empty`.
    """
    for table, source in cfg["sources"].items():
        if source["url"] or (source["path"] and table != "transactions"):
            column_mapping(cfg, table, source_columns(source, table))
    if cfg["sources"]["transactions"]["url"]:
        return
    lines = load_transactions(cfg)
    try:
        with engine_errors(cfg):
            check_not_empty(lines, cfg)
            check_segmentable(lines, cfg)
    finally:
        lines.con.close()


def check_not_empty(lines: Lines, cfg: dict) -> None:
    """Raise when cleaning (:func:`~segkit_helpers.research.cleaning.clean_transactions`) cannot leave a
    single customer; one DuckDB query.

    Counts the lines rules 1, 2, 4 and 5 remove, and the lines kept with a positive
    amount: without one, no customer's net revenue is positive, and rule 6 removes
    every customer that is left. (A customer whose purchases exist but net to zero or
    less is found by the cleaning itself.) Duplicate lines are not looked for: the
    duplicate rule keeps one copy of each line.

    Raises
    ------
    InputError
        :func:`~segkit_helpers.research.cleaning.nothing_left`, with the counts of the rules that removed the lines.
    """
    drop_returns, asof, in_range, flags, keep = rule_sql(lines.columns, cfg)
    total, no_id, late, first, price, returned, kept, positive = lines.con.execute(
        f"SELECT count(*), count({when('customer_id IS NULL')}), "
        f"count({when(f'customer_id IS NOT NULL AND order_day > {asof}')}), min(order_day), "
        f"count({when('in_range AND bad_price')}), count({when('in_range AND NOT bad_price AND is_return')}), "
        f"count({when(f'in_range AND {keep}')}), count({when(f'in_range AND {keep} AND NOT is_return AND amount > 0')}) "
        f"FROM (SELECT lines.*, {in_range} AS in_range, {flags} FROM {lines.name} AS lines) AS flagged").fetchall()[0]
    removed = [(NO_CUSTOMER_RULE, no_id), (late_rule(cfg["asof"]), late)]
    if kept and not (positive == 0 and cfg["cleaning"]["drop_non_positive_customers"]):
        return
    if total > no_id + late:  # lines in range, but none that rules 4-6 keep
        removed += [(PRICE_RULE, price)]
        if drop_returns:
            removed.append((RETURN_RULE, returned))
        removed.append((NON_POSITIVE_RULE, kept))
    raise nothing_left(lines.table, int(total), [(rule, int(n)) for rule, n in removed],
                       first.date() if first is not None else None)


def check_segmentable(lines: Lines, cfg: dict) -> None:
    """Raise when the customers up to ``asof`` are too few, or too alike, for the configured segments.

    One aggregation by customer of the lines the cleaning keeps (orders, net spend,
    last day; an approximation of the profile that needs no duplicate check): fewer
    than two customers, a fixed ``segmentation.k`` or a ``k_range`` beyond their
    number, or (for schemes that segment buying behaviour) customers who all bought
    alike leave nothing to segment.

    Raises
    ------
    InputError
        One line naming the count and the key to change.
    """
    _, _, in_range, flags, keep = rule_sql(lines.columns, cfg)
    per_customer = (f"SELECT customer_id, count(DISTINCT order_id) AS orders, round(sum(amount), 2) AS spend, "
                    f"max(order_day) AS last_day FROM (SELECT lines.*, {flags} FROM {lines.name} AS lines "
                    f"WHERE {in_range}) AS flagged WHERE {keep} GROUP BY customer_id")
    customers, kinds = lines.con.execute(
        f"SELECT (SELECT count(*) FROM ({per_customer}) AS c), (SELECT count(*) FROM (SELECT DISTINCT orders, spend, "
        f"last_day FROM ({per_customer}) AS c) AS d)").fetchone()
    seg = cfg["segmentation"]
    where = f"table '{lines.table}' up to asof {cfg['asof']}"
    if customers < 2:
        raise InputError(f"{where}: {customers} customer(s); segmenting needs at least 2 (readiness.min_customers "
                         f"asks for {cfg['readiness']['min_customers']})")
    scheme = SCHEMES[seg["scheme"]]
    fixed_k = scheme.fixed_k is None and isinstance(seg["k"], int)
    if fixed_k and seg["k"] > customers:
        raise InputError(f"{where}: segmentation.k is {seg['k']} but there are only {customers:,} customers; set a "
                         "smaller k or k: auto")
    if scheme.fixed_k is None and not fixed_k and seg["k_range"][1] > customers:
        raise InputError(f"{where}: segmentation.k_range {seg['k_range']} reaches beyond the {customers:,} customers; "
                         f"lower its upper end to at most {customers}")
    if scheme.buys and kinds == 1:  # schemes that segment how customers buy (the others use another table)
        raise InputError(f"{where}: all {customers:,} customers bought alike (the same orders, spend and last day): "
                         "there is nothing to segment them by")
