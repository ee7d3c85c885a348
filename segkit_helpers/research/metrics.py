"""Per-customer metrics from the order and item tables: RFM, tenure and the persona metrics.

Order lines are aggregated in DuckDB into an order table and an item table
(:func:`segkit_helpers.research.lines.aggregated`, built while cleaning); every per-customer
metric is computed from those (:func:`customer_metrics`, one SQL query), and pandas
works only on the resulting one-row-per-customer table.

Definitions shared by every part of segkit (DESIGN.md):

- ``asof`` is an inclusive calendar date.
- An *order* is an ``order_id`` whose net value (sum of its lines' amounts) is
  positive, in cents; returns and cancellations are not orders, but their value is
  netted into ``monetary``.
- ``recency_days`` = asof − calendar date of the customer's last order, whole days.
- ``frequency`` = number of orders.
- ``monetary`` = net revenue: sum of the amounts of all the customer's lines up to
  asof, returns included.
- ``tenure_days`` = asof − calendar date of the first order.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from segkit_helpers.engines.sql import when
from segkit_helpers.io.sources import relation_columns
from segkit_helpers.research.lines import TEXT_ID, Lines, aggregated

DAYS_PER_MONTH = 365.25 / 12


RFM_COLUMNS = ["customer_id", "first_order", "last_order", "recency_days", "frequency", "monetary",
               "avg_order_value", "tenure_days"]
PERSONA_COLUMNS = ["orders_per_month", "orders_per_quarter", "active_months", "share_active_months",
                   "repeat_rate", "mean_days_between_orders", "order_gap_cv", "basket_value_change",
                   "monthly_spend_cv", "distinct_products"]


def stable_round(values: pd.Series, places: int) -> pd.Series:
    """``values`` rounded to ``places`` decimals, through ``places + 6`` first.

    A sum, mean or ratio of floating-point numbers carries noise in its last bits that
    depends on the order in which an engine added them (DuckDB, Spark and PostgreSQL each
    add in their own order); rounding six places further first removes it, so that every
    engine gives the same rounded value (a mean of 480.115 is 480.12 on each, not 480.11
    on one).
    """
    return values.astype(float).round(places + 6).round(places)


def to_cents(values: pd.Series) -> pd.Series:
    """Money rounded to the cent (:func:`stable_round` to 2 places)."""
    return stable_round(values, 2)


def order_table(lines: Lines | pd.DataFrame) -> pd.DataFrame:
    """One row per (customer, order id): its calendar day and net value.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``order_id``, ``order_day`` (earliest line), ``net_value``
        and ``is_order`` (net value > 0 in cents), sorted by customer and order.
    """
    lines = aggregated(lines)
    return lines.con.execute(
        f"SELECT {TEXT_ID} AS customer_id, CAST(order_id AS VARCHAR) AS order_id, order_day, net_value, "
        f"round(net_value, 2) > 0 AS is_order FROM {lines.orders} ORDER BY 1, 2").df()


def _metrics_sql(lines: Lines) -> str:
    """The aggregation query behind :func:`customer_metrics`, over the order and item tables.

    Everything is computed from orders (monetary = sum of all orders' net values,
    returns included; monthly spend puts each order in the month of its first line),
    distinct products from the item table.
    """
    margin = "margin_from_cost" in relation_columns(lines.con, lines.orders)
    products, product_columns = "", []
    if lines.items and "product" in lines.columns:
        products = (f"LEFT JOIN (SELECT customer_id, sum(products) AS distinct_products "
                    f"FROM {lines.items} GROUP BY customer_id) AS item_totals USING (customer_id)")
        product_columns = ["distinct_products"]
    columns = ["first_order", "last_order", "frequency", "active_months", "mean_gap", "sd_gap", "n_gaps",
               "early_value", "late_value", "repeat_order_value", "purchase_days", "repeat_day_value",
               "repeat_day_value_sd", "monetary", "spend_sq", *(["margin_from_cost"] if margin else []),
               *product_columns]
    return f"""
    WITH real AS (
        SELECT *, row_number() OVER w AS n, count(*) OVER (PARTITION BY customer_id) AS total,
               date_diff('day', lag(order_day) OVER w, order_day) AS gap
        FROM {lines.orders} WHERE round(net_value, 2) > 0
        WINDOW w AS (PARTITION BY customer_id ORDER BY order_day, order_id)),
    per_customer AS (
        SELECT customer_id, min(order_day) AS first_order, max(order_day) AS last_order,
               count(*) AS frequency, count(DISTINCT date_trunc('month', order_day)) AS active_months,
               avg(gap) AS mean_gap, stddev_pop(gap) AS sd_gap, count(gap) AS n_gaps,
               avg({when('n <= total // 2', 'net_value')}) AS early_value,
               avg({when('n > (total + 1) // 2', 'net_value')}) AS late_value,
               avg({when('n > 1', 'net_value')}) AS repeat_order_value
        FROM real GROUP BY customer_id),
    days AS (
        SELECT customer_id, order_day, sum(net_value) AS day_value,
               row_number() OVER (PARTITION BY customer_id ORDER BY order_day) AS d
        FROM real GROUP BY customer_id, order_day),
    per_day AS (
        SELECT customer_id, count(*) AS purchase_days,
               avg({when('d > 1', 'day_value')}) AS repeat_day_value,
               stddev_pop({when('d > 1', 'day_value')}) AS repeat_day_value_sd
        FROM days GROUP BY customer_id),
    monthly AS (
        SELECT customer_id, sum(net_value) AS spend{', sum(margin_from_cost) AS margin' if margin else ''}
        FROM {lines.orders} GROUP BY customer_id, date_trunc('month', order_day)),
    customer_totals AS (
        SELECT customer_id, sum(spend) AS monetary, sum(spend * spend) AS spend_sq
               {', sum(margin) AS margin_from_cost' if margin else ''}
        FROM monthly GROUP BY customer_id)
    SELECT {TEXT_ID} AS customer_id, {', '.join(columns)}
    FROM per_customer JOIN per_day USING (customer_id)
    JOIN customer_totals USING (customer_id) {products}
    ORDER BY 1"""


def customer_metrics(lines: Lines | pd.DataFrame, asof: dt.date) -> pd.DataFrame:
    """RFM and persona metrics per customer, aggregated in DuckDB.

    Parameters
    ----------
    lines
        Clean order lines with ``customer_id``, ``order_id``, ``order_day``,
        ``amount`` (optional ``product``, ``cost`` and ``quantity``).
    asof
        Inclusive analysis date.

    Returns
    -------
    pandas.DataFrame
        One row per customer with at least one order, sorted by ``customer_id``:
        the columns of :func:`rfm_table` and :func:`persona_metrics`, plus
        ``repeat_order_value`` (mean net value of orders after the first),
        ``margin_from_cost`` (when a ``cost`` column is mapped), and the inputs of the
        CLV models, which count one purchase per calendar day: ``purchase_days``
        (distinct days with an order), ``repeat_day_value`` and ``repeat_day_value_sd``
        (mean and population SD of the net value of the purchase days after the first,
        a day's value being the sum of its orders; empty without a repeat day).
    """
    lines = aggregated(lines)
    raw = lines.con.execute(_metrics_sql(lines)).df().sort_values("customer_id", kind="stable").reset_index(drop=True)
    asof_ts = pd.Timestamp(asof)
    out = raw[["customer_id", "first_order", "last_order"]].copy()
    out["recency_days"] = (asof_ts - raw["last_order"]).dt.days.astype("int64")
    out["frequency"] = raw["frequency"].astype("int64")
    out["monetary"] = to_cents(raw["monetary"])
    out["avg_order_value"] = to_cents(out["monetary"] / out["frequency"])
    out["tenure_days"] = (asof_ts - raw["first_order"]).dt.days.astype("int64")
    months = np.maximum(out["tenure_days"] + 1, DAYS_PER_MONTH) / DAYS_PER_MONTH
    out["orders_per_month"] = (out["frequency"] / months).round(4)
    out["orders_per_quarter"] = (3 * out["orders_per_month"]).round(4)
    out["active_months"] = raw["active_months"].astype("int64")
    calendar_months = (asof_ts.year - raw["first_order"].dt.year) * 12 + asof_ts.month - raw["first_order"].dt.month + 1
    out["share_active_months"] = (out["active_months"] / calendar_months).round(4)
    out["repeat_rate"] = ((out["frequency"] - 1) / out["frequency"]).round(4)
    out["mean_days_between_orders"] = stable_round(raw["mean_gap"], 2)
    regular = (raw["n_gaps"] >= 2) & (raw["mean_gap"] > 0)
    out["order_gap_cv"] = stable_round((raw["sd_gap"] / raw["mean_gap"]).where(regular), 4)
    out["basket_value_change"] = stable_round(raw["late_value"] / raw["early_value"] - 1, 4)
    mean_month = out["monetary"] / calendar_months
    sd_month = np.sqrt(np.maximum(raw["spend_sq"] / calendar_months - mean_month**2, 0))
    out["monthly_spend_cv"] = stable_round((sd_month / mean_month).where(mean_month > 0), 4)
    if "distinct_products" in raw:
        out["distinct_products"] = raw["distinct_products"].fillna(0).astype("int64")
    out["repeat_order_value"] = to_cents(raw["repeat_order_value"])
    out["purchase_days"] = raw["purchase_days"].astype("int64")
    out["repeat_day_value"] = to_cents(raw["repeat_day_value"])
    out["repeat_day_value_sd"] = to_cents(raw["repeat_day_value_sd"])
    if "margin_from_cost" in raw:
        out["margin_from_cost"] = to_cents(raw["margin_from_cost"])
    return out.reset_index(drop=True)


def rfm_table(lines: Lines | pd.DataFrame, asof: dt.date) -> pd.DataFrame:
    """Recency, frequency, monetary value and tenure per customer.

    Returns
    -------
    pandas.DataFrame
        One row per customer with at least one order, sorted by ``customer_id``:
        ``first_order``, ``last_order`` (calendar days of the first and last order),
        ``recency_days``, ``frequency``, ``monetary``, ``avg_order_value``
        (monetary / frequency) and ``tenure_days``. Customers whose lines are all
        returns have no order and no row.
    """
    return customer_metrics(lines, asof)[RFM_COLUMNS]


def persona_metrics(lines: Lines | pd.DataFrame, asof: dt.date) -> pd.DataFrame:
    """Persona metrics of seed 002, per customer (``customer_id`` plus the columns below).

    - ``orders_per_month`` = frequency / active span in months, where the span is
      max(tenure_days + 1, one month) / (365.25 / 12): the customer's own buying
      span, at least one month so that a brand-new customer is not inflated;
    - ``orders_per_quarter`` = 3 × ``orders_per_month``;
    - ``active_months`` = calendar months with an order; ``share_active_months`` =
      active_months / calendar months from the first order's month to asof's month;
    - ``repeat_rate`` = (frequency − 1) / frequency: the share of the customer's
      orders that were repeat purchases;
    - ``mean_days_between_orders`` = mean gap between consecutive orders (≥ 2
      orders); ``order_gap_cv`` = standard deviation / mean of those gaps, the
      regularity of buying (≥ 3 orders; 0 = clockwork);
    - ``basket_value_change`` = mean order value of the later half of the orders /
      that of the earlier half − 1 (the middle order left out when their number is
      odd; ≥ 2 orders): +0.25 means baskets grew by a quarter;
    - ``monthly_spend_cv`` = coefficient of variation of net spend per calendar
      month (zero months included) since the first order's month (population SD);
    - ``distinct_products`` = distinct products on lines with a positive amount
      (only when ``product`` is mapped; a product filed under two ``category``
      values counts once in each).
    """
    metrics = customer_metrics(lines, asof)
    return metrics[["customer_id"] + [c for c in PERSONA_COLUMNS if c in metrics]]
