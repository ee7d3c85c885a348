"""The customer profile of the research step (``customers.parquet``): metrics, scores, product shares, costs.

:func:`build_profile` joins the per-customer metrics (:mod:`segkit_helpers.research.metrics`),
the scores and classes (:mod:`segkit_helpers.research.scores`), each customer's share of
spend per product line and the customers table's cost to serve;
:func:`profile_from_config` is the whole research step without a notebook (``segkit profile``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from segkit_helpers.io.config import load_config
from segkit_helpers.io.tables import read_table
from segkit_helpers.research.cleaning import clean_transactions
from segkit_helpers.research.lines import TEXT_ID, Lines, aggregated, as_lines, engine_errors, load_transactions
from segkit_helpers.research.metrics import customer_metrics
from segkit_helpers.research.scores import (
    abc_classes,
    add_rfm_scores,
    load_rfm_rules,
    name_rfm_segments,
    value_and_loyalty,
    xyz_classes,
)
from segkit_helpers.schemes.catalog import product_lines_available

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
                              f"GROUP BY customer_id, line").df()
    spend = spend.sort_values(["customer_id", "line"], kind="stable").reset_index(drop=True)  # any engine's order
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
        Clean order lines (:func:`segkit_helpers.research.cleaning.clean_transactions`).
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


def profile_from_config(config_path: str | Path, overrides: dict | None = None, spark=None,
                        progress: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The research step without a notebook: read, clean, profile (and CLV unless ``clv.enabled`` is false).

    The order lines are aggregated on the engine of ``engine.name`` (``spark``: on
    ``spark``, a session of the caller's, when given); the rest runs here on the
    customer-level rows.

    Parameters
    ----------
    config_path, overrides
        The cycle config and dotted overrides (``{"engine.name": "spark"}``).
    spark
        A Spark session to use for ``engine.name: spark``.
    progress
        Show a progress bar over the stages (on standard error, when it is a terminal).

    Returns
    -------
    profile : pandas.DataFrame
        As :func:`build_profile`, with the CLV columns when enabled.
    cleaning : pandas.DataFrame
        As the report of :func:`segkit_helpers.research.cleaning.clean_transactions`.
    """
    cfg = load_config(config_path, overrides)
    stages = STAGES + ([CLV_STAGE] if cfg["clv"]["enabled"] else [])
    with tqdm(total=len(stages), desc=f"profile on {cfg['engine']['name']}", unit="stage",
              disable=None if progress else True, file=sys.stderr) as bar:  # None: only on a terminal
        def stage(number: int) -> None:  # stages before ``number`` are done
            bar.set_postfix_str(stages[number] if number < len(stages) else "done")
            bar.update(number - bar.n)

        stage(0)
        lines = load_transactions(cfg, spark)
        try:
            stage(1)
            lines, cleaning = clean_transactions(lines, cfg)
            stage(2)
            profile = build_profile(lines, cfg)
        finally:
            lines.con.close()
        if cfg["clv"]["enabled"]:
            from segkit_helpers.research.clv import add_clv  # the CLV models (scipy) only when fitted

            stage(3)
            profile = add_clv(profile, cfg)
        stage(len(stages))
    return profile, cleaning


#: The stages of :func:`profile_from_config` its progress bar names (the first three run on the engine).
STAGES = ["reading and checking the order lines", "cleaning rules, order and item tables", "customer metrics"]
CLV_STAGE = "CLV fit"
