"""The customer profile: RFM, scores, named RFM segments, persona metrics, value, loyalty, ABC/XYZ.

Order lines are aggregated in DuckDB into an order table and an item table
(:func:`segkit_helpers.research.data.aggregated`, built while cleaning); every per-customer
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
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from segkit_helpers.io.config import RESOURCES_DIR
from segkit_helpers.research.data import TEXT_ID, Lines, aggregated, as_lines, engine_errors
from segkit_helpers.schemes.catalog import product_lines_available
from segkit_helpers.io.sources import relation_columns
from segkit_helpers.errors import ConfigError, InputError

DAYS_PER_MONTH = 365.25 / 12
QUADRANTS = {
    (True, True): "profitable & loyal",
    (True, False): "profitable & disloyal",
    (False, True): "unprofitable & loyal",
    (False, False): "unprofitable & disloyal",
}
RFM_COLUMNS = ["customer_id", "first_order", "last_order", "recency_days", "frequency", "monetary",
               "avg_order_value", "tenure_days"]
PERSONA_COLUMNS = ["orders_per_month", "orders_per_quarter", "active_months", "share_active_months",
                   "repeat_rate", "mean_days_between_orders", "order_gap_cv", "basket_value_change",
                   "monthly_spend_cv", "distinct_products"]


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
    products = ""
    if lines.items and "product" in lines.columns:
        products = (f"LEFT JOIN (SELECT customer_id, sum(products) AS distinct_products "
                    f"FROM {lines.items} GROUP BY customer_id) USING (customer_id)")
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
               avg(net_value) FILTER (WHERE n <= total // 2) AS early_value,
               avg(net_value) FILTER (WHERE n > (total + 1) // 2) AS late_value,
               avg(net_value) FILTER (WHERE n > 1) AS repeat_order_value
        FROM real GROUP BY customer_id),
    days AS (
        SELECT customer_id, order_day, sum(net_value) AS day_value,
               row_number() OVER (PARTITION BY customer_id ORDER BY order_day) AS d
        FROM real GROUP BY customer_id, order_day),
    per_day AS (
        SELECT customer_id, count(*) AS purchase_days,
               avg(day_value) FILTER (WHERE d > 1) AS repeat_day_value,
               stddev_pop(day_value) FILTER (WHERE d > 1) AS repeat_day_value_sd
        FROM days GROUP BY customer_id),
    monthly AS (
        SELECT customer_id, sum(net_value) AS spend{', sum(margin_from_cost) AS margin' if margin else ''}
        FROM {lines.orders} GROUP BY customer_id, date_trunc('month', order_day)),
    customer_totals AS (
        SELECT customer_id, sum(spend) AS monetary, sum(spend * spend) AS spend_sq
               {', sum(margin) AS margin_from_cost' if margin else ''}
        FROM monthly GROUP BY customer_id)
    SELECT * REPLACE ({TEXT_ID} AS customer_id) FROM per_customer JOIN per_day USING (customer_id)
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
    raw = lines.con.execute(_metrics_sql(lines)).df()
    asof_ts = pd.Timestamp(asof)
    out = raw[["customer_id", "first_order", "last_order"]].copy()
    out["recency_days"] = (asof_ts - raw["last_order"]).dt.days.astype("int64")
    out["frequency"] = raw["frequency"].astype("int64")
    out["monetary"] = raw["monetary"].astype(float).round(2)
    out["avg_order_value"] = (out["monetary"] / out["frequency"]).round(2)
    out["tenure_days"] = (asof_ts - raw["first_order"]).dt.days.astype("int64")
    months = np.maximum(out["tenure_days"] + 1, DAYS_PER_MONTH) / DAYS_PER_MONTH
    out["orders_per_month"] = (out["frequency"] / months).round(4)
    out["orders_per_quarter"] = (3 * out["orders_per_month"]).round(4)
    out["active_months"] = raw["active_months"].astype("int64")
    calendar_months = (asof_ts.year - raw["first_order"].dt.year) * 12 + asof_ts.month - raw["first_order"].dt.month + 1
    out["share_active_months"] = (out["active_months"] / calendar_months).round(4)
    out["repeat_rate"] = ((out["frequency"] - 1) / out["frequency"]).round(4)
    out["mean_days_between_orders"] = raw["mean_gap"].astype(float).round(2)
    regular = (raw["n_gaps"] >= 2) & (raw["mean_gap"] > 0)
    out["order_gap_cv"] = (raw["sd_gap"] / raw["mean_gap"]).where(regular).astype(float).round(4)
    out["basket_value_change"] = (raw["late_value"] / raw["early_value"] - 1).astype(float).round(4)
    mean_month = out["monetary"] / calendar_months
    sd_month = np.sqrt(np.maximum(raw["spend_sq"] / calendar_months - mean_month**2, 0))
    out["monthly_spend_cv"] = (sd_month / mean_month).where(mean_month > 0).astype(float).round(4)
    if "distinct_products" in raw:
        out["distinct_products"] = raw["distinct_products"].fillna(0).astype("int64")
    out["repeat_order_value"] = raw["repeat_order_value"].astype(float).round(2)
    out["purchase_days"] = raw["purchase_days"].astype("int64")
    out["repeat_day_value"] = raw["repeat_day_value"].astype(float).round(2)
    out["repeat_day_value_sd"] = raw["repeat_day_value_sd"].astype(float).round(2)
    if "margin_from_cost" in raw:
        out["margin_from_cost"] = raw["margin_from_cost"].astype(float).round(2)
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


def quintile_score(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Score 1–5 by quintile of rank; 5 is best.

    The score is ``ceil(5 × p)`` where ``p`` is the value's percentile rank (average
    rank / n). Tied values share their average rank and so always share a score; a
    value held by many customers (e.g. one order) can therefore leave some scores
    unused rather than split identical customers arbitrarily.
    """
    ranked = (values if higher_is_better else -values).rank(method="average", pct=True)
    return np.ceil(ranked * 5).clip(1, 5).astype("int64")


def add_rfm_scores(rfm: pd.DataFrame) -> pd.DataFrame:
    """Add ``r_score`` (recent = 5), ``f_score`` and ``m_score`` (1–5) by :func:`quintile_score`."""
    out = rfm.copy()
    out["r_score"] = quintile_score(out["recency_days"], higher_is_better=False)
    out["f_score"] = quintile_score(out["frequency"])
    out["m_score"] = quintile_score(out["monetary"])
    return out


def load_rfm_rules(path: str | Path | None = None) -> pd.DataFrame:
    """The named-segment rules table (default: the shipped 5×5 recency × frequency grid).

    Returns
    -------
    pandas.DataFrame
        ``name``, ``r_min``, ``r_max``, ``f_min``, ``f_max``, ``hint``, in rule order.

    Raises
    ------
    ConfigError
        A rule is malformed or some (r, f) score pair matches no rule.
    """
    path = Path(path) if path else RESOURCES_DIR / "rfm_segments.yml"
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for i, rule in enumerate(rules):
        try:
            rows.append({"name": str(rule["name"]), "r_min": int(rule["r"][0]), "r_max": int(rule["r"][1]),
                         "f_min": int(rule["f"][0]), "f_max": int(rule["f"][1]), "hint": str(rule.get("hint", ""))})
        except (KeyError, TypeError, IndexError, ValueError):
            raise ConfigError(f"RFM rules file {path}: rule {i + 1} needs name, r: [min, max] and f: [min, max]") from None
    table = pd.DataFrame(rows)
    grid = pd.DataFrame([(r, f) for r in range(1, 6) for f in range(1, 6)], columns=["r_score", "f_score"])
    unmatched = grid[name_rfm_segments(grid, table).isna()]
    if len(unmatched):
        r, f = unmatched.iloc[0]
        raise ConfigError(f"RFM rules file {path}: {len(unmatched)} score pair(s) match no rule, e.g. r={r}, f={f}")
    return table


def name_rfm_segments(scores: pd.DataFrame, rules: pd.DataFrame) -> pd.Series:
    """Name each customer by the first rule whose r and f score ranges contain theirs."""
    names = pd.Series(pd.NA, index=scores.index, dtype="string")
    for rule in rules.itertuples():
        hit = names.isna() & scores["r_score"].between(rule.r_min, rule.r_max) & scores["f_score"].between(rule.f_min, rule.f_max)
        names[hit] = rule.name
    return names


def profit_threshold(profit: pd.Series, threshold: float = 0.0, quantile: float | None = None) -> float:
    """The profit above which a customer counts as profitable: ``threshold``, or the ``quantile`` of profit."""
    return float(profit.quantile(quantile)) if quantile is not None else float(threshold)


def value_and_loyalty(profile: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Profit, loyalty and the profitability × loyalty quadrant of seed 003.

    - ``gross_margin`` = Σ (amount − cost × quantity) when a ``cost`` column is
      mapped (``margin_from_cost``), else monetary × ``value.margin_rate``;
    - ``cost_to_serve`` = frequency × ``value.cost_per_order`` +
      ``value.cost_per_customer``, unless the customers table gives ``cost_to_serve``;
    - ``profit`` = gross_margin − cost_to_serve; *profitable* means profit above
      ``value.profit_threshold`` (default 0), or above the ``value.profit_quantile``
      of profit when that is set (:func:`profit_threshold`);
    - ``loyalty_score`` = (r_score + f_score) / 2, on the 1–5 scale; *loyal* means
      loyalty_score ≥ ``loyalty.threshold``;
    - ``value_loyalty_quadrant``: one of the four names of :data:`QUADRANTS`.
    """
    value = cfg["value"]
    out = profile[["customer_id"]].copy()
    if "margin_from_cost" in profile:
        out["gross_margin"] = profile["margin_from_cost"].round(2)
    else:
        out["gross_margin"] = (profile["monetary"] * value["margin_rate"]).round(2)
    cost = profile["frequency"] * value["cost_per_order"] + value.get("cost_per_customer", 0.0)
    if "customer_cost_to_serve" in profile:
        cost = profile["customer_cost_to_serve"].fillna(cost)
    out["cost_to_serve"] = cost.round(2)
    out["profit"] = (out["gross_margin"] - out["cost_to_serve"]).round(2)
    out["loyalty_score"] = (profile["r_score"] + profile["f_score"]) / 2
    profitable = out["profit"] > profit_threshold(out["profit"], value.get("profit_threshold", 0.0),
                                                     value.get("profit_quantile"))
    loyal = out["loyalty_score"] >= cfg["loyalty"]["threshold"]
    out["value_loyalty_quadrant"] = [QUADRANTS[(p, l)] for p, l in zip(profitable, loyal)]
    return out


def abc_classes(monetary: pd.Series, a_share: float = 0.8, b_share: float = 0.15) -> pd.Series:
    """ABC (Pareto) class by share of revenue.

    Customers are sorted by revenue, largest first (ties by position, i.e. by
    customer id in a profile). A customer is class A while the revenue of the
    customers before them is below ``a_share`` of the total, B while it is below
    ``a_share + b_share``, else C. So A holds the fewest customers that bring
    ``a_share`` of revenue.
    """
    order = monetary.sort_values(ascending=False, kind="stable")
    before = order.cumsum().shift(fill_value=0) / order.sum()
    cls = np.where(before < a_share, "A", np.where(before < a_share + b_share, "B", "C"))
    return pd.Series(cls, index=order.index).reindex(monetary.index)


def xyz_classes(cv: pd.Series, x_max: float = 0.5, y_max: float = 1.0) -> pd.Series:
    """XYZ class by the coefficient of variation of monthly spend (``monthly_spend_cv``).

    X: CV ≤ ``x_max`` (steady buyer), Y: CV ≤ ``y_max``, Z: above, or undefined
    (no positive mean spend).
    """
    return pd.Series(np.where(cv <= x_max, "X", np.where(cv <= y_max, "Y", "Z")), index=cv.index)


def product_split(lines: Lines | pd.DataFrame, cfg: dict) -> pd.DataFrame | None:
    """Product split ratio of seed 002: each customer's share of spend per product line.

    Product lines come from the ``category`` column when mapped, else from the CSV
    mapping ``research.product_lines`` (columns ``product``, ``line``; unmapped
    products count as "other"). The ``research.max_product_lines`` lines with the
    most spend keep their name, the rest are "other". Shares are of gross purchases
    (lines with a positive amount), so they lie in [0, 1] and sum to 1.

    Returns
    -------
    pandas.DataFrame or None
        ``customer_id`` and one ``line_share_<line>`` column per line; ``None`` when no
        product lines are configured.
    """
    product_lines = cfg["research"]["product_lines"]
    lines = as_lines(lines)
    if not product_lines_available(lines.columns, cfg):
        return None
    lines = aggregated(lines, product_lines)
    spend = lines.con.execute(f"SELECT {TEXT_ID} AS customer_id, line, sum(spend) AS spend FROM {lines.items} "
                              f"GROUP BY ALL ORDER BY 1, 2").df()
    top = spend.groupby("line")["spend"].sum().sort_values(ascending=False, kind="stable")
    keep = [name for name in top.index if name != "other"][: cfg["research"]["max_product_lines"]]
    spend["line"] = spend["line"].where(spend["line"].isin(keep), "other")
    table = spend.pivot_table(index="customer_id", columns="line", values="spend", aggfunc="sum", fill_value=0)
    table = table.div(table.sum(axis=1), axis=0).round(4)
    ordered = keep + (["other"] if "other" in table.columns else [])
    table = table[ordered].rename(columns=lambda name: "line_share_" + _slug(name))
    return table.reset_index()


def _slug(name: str) -> str:
    """A column-safe name: lower case, runs of other characters as one "_" ("Bags & storage" → "bags_storage")."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_") or "unnamed"


def customer_costs(cfg: dict) -> pd.DataFrame | None:
    """Cost to serve per customer from the customers table, when it maps ``cost_to_serve``."""
    from segkit_helpers.research.data import read_table

    source = cfg["sources"]["customers"]
    if not (source["path"] or source["url"]):
        return None
    customers = read_table(cfg, "customers")
    if "cost_to_serve" not in customers:
        return None
    return customers[["customer_id", "cost_to_serve"]].rename(columns={"cost_to_serve": "customer_cost_to_serve"})


def build_profile(lines: Lines | pd.DataFrame, cfg: dict, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """The full customer profile of the research step (``customers.parquet``).

    Parameters
    ----------
    lines
        Clean order lines (:func:`segkit_helpers.research.data.clean_transactions`).
    cfg
        The cycle config.
    rules
        Named-segment rules (default: :func:`load_rfm_rules` of ``research.rfm_rules``).

    Returns
    -------
    pandas.DataFrame
        One row per customer: the columns of :func:`rfm_table`, ``r_score``,
        ``f_score``, ``m_score``, ``rfm_segment``, the persona metrics and product
        shares, the value and loyalty columns, ``abc_class`` and ``xyz_class``.
        The CLV columns are added by :func:`segkit_helpers.research.clv.add_clv`.
    """
    rules = load_rfm_rules(cfg["research"]["rfm_rules"]) if rules is None else rules
    with engine_errors(cfg):
        profile = add_rfm_scores(customer_metrics(lines, cfg["asof"]))
        split = product_split(lines, cfg)
    profile.insert(profile.columns.get_loc("m_score") + 1, "rfm_segment", name_rfm_segments(profile, rules))
    costs = customer_costs(cfg) if "sources" in cfg else None
    if costs is not None:
        profile = profile.merge(costs, on="customer_id", how="left")
    profile = profile.merge(value_and_loyalty(profile, cfg), on="customer_id")
    profile = profile.drop(columns=[c for c in ("customer_cost_to_serve",) if c in profile])
    profile["abc_class"] = abc_classes(profile["monetary"], cfg["abc"]["a_share"], cfg["abc"]["b_share"])
    profile["xyz_class"] = xyz_classes(profile["monthly_spend_cv"], cfg["xyz"]["x_max"], cfg["xyz"]["y_max"])
    if split is not None:
        profile = profile.merge(split, on="customer_id", how="left")
    return profile


def rfm_segment_summary(profile: pd.DataFrame) -> pd.DataFrame:
    """Customers, share of customers and share of revenue per named RFM segment."""
    summary = profile.groupby("rfm_segment", observed=True).agg(
        customers=("customer_id", "size"),
        median_recency_days=("recency_days", "median"),
        median_frequency=("frequency", "median"),
        revenue=("monetary", "sum"),
    )
    summary["customer_share"] = (summary["customers"] / summary["customers"].sum()).round(3)
    summary["revenue_share"] = (summary["revenue"] / summary["revenue"].sum()).round(3)
    summary["revenue"] = summary["revenue"].round(2)
    return summary.sort_values("revenue", ascending=False)


def value_assumptions(cfg: dict) -> pd.DataFrame:
    """The value and CLV settings behind profit and CLV, stated for the reader of a report."""
    value, clv = cfg["value"], cfg["clv"]
    rows = {
        "gross margin (no cost column)": f"{value['margin_rate']:.0%} of net revenue",
        "cost to serve per order": f"{value['cost_per_order']:,.2f}",
        "cost to serve per customer": f"{value['cost_per_customer']:,.2f}",
        "loyal when (r_score + f_score) / 2 reaches": f"{cfg['loyalty']['threshold']}",
        "CLV horizon": f"{clv['horizon_months']} months" if clv["enabled"] else "CLV switched off",
        "CLV discount rate": f"{clv['discount_rate']:.0%} a year",
        "CLV model check holdout": f"last {clv['holdout_days']} days before asof",
    }
    return pd.DataFrame({"setting": list(rows.values())}, index=pd.Index(list(rows), name="assumption"))


def persona_metrics_summary(profile: pd.DataFrame) -> pd.DataFrame:
    """Medians of the persona, value and loyalty metrics per named RFM segment, by revenue, and for all
    customers; "—" where a metric is undefined (gaps need 2 or 3 orders)."""
    columns = [c for c in PERSONA_COLUMNS + ["avg_order_value", "profit", "p_alive", "clv"] if c in profile]
    table = profile.groupby("rfm_segment", observed=True)[columns].median()
    order = profile.groupby("rfm_segment", observed=True)["monetary"].sum().sort_values(ascending=False).index
    table = table.reindex(order)
    table.loc["all customers"] = profile[columns].median()
    return table.round(3).astype(object).where(table.notna(), "—")


def save_profile(ctx, profile: pd.DataFrame, cleaning: pd.DataFrame) -> None:
    """Write ``customers.parquet`` and the cleaning table ``cleaning.csv``."""
    from segkit_helpers.io.artefacts import write_csv, write_parquet

    write_parquet(profile, ctx.artefact("customers.parquet"))
    write_csv(cleaning, ctx.artefact("cleaning.csv"))
    print(f"wrote customers.parquet ({len(profile):,} customers) and cleaning.csv to data/processed/{ctx.cycle}/")


def profile_from_config(config_path: str | Path, overrides: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The research step without a notebook: read, clean, profile (and CLV unless ``clv.enabled`` is false).

    Returns
    -------
    profile : pandas.DataFrame
        As :func:`build_profile`, with the CLV columns when enabled.
    cleaning : pandas.DataFrame
        As the report of :func:`segkit_helpers.research.data.clean_transactions`.
    """
    from segkit_helpers.research.clv import add_clv
    from segkit_helpers.io.config import load_config
    from segkit_helpers.research.data import clean_transactions, load_transactions

    cfg = load_config(config_path, overrides)
    lines, cleaning = clean_transactions(load_transactions(cfg), cfg)
    profile = build_profile(lines, cfg)
    if cfg["clv"]["enabled"]:
        profile = add_clv(profile, cfg)
    return profile, cleaning
