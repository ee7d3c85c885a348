"""Opportunity: product-line whitespace and the segment × product-line cross-sell table.

The opportunity lens of seed 001 ("fit with another product line"): customers who
resemble each other — the same segment — tend to buy the same product lines, so a
line that most of a customer's segment buys and the customer does not is a cross-sell
opportunity. Product lines are the ``line_share_<line>`` columns of the research step
(:func:`segkit_helpers.research.features.product_split`).

Definitions, per segment *s* and product line *l*:

- a customer **buys** *l* when their share of spend on *l* is above 0;
- ``penetration`` p(s, l) = buyers of *l* in *s* / customers in *s*;
- ``spend_per_buyer`` m(s, l) = mean of share_l × monetary over the buyers of *l* in *s*
  (net revenue split by the customer's gross spend shares);
- a customer of *s* who does not buy *l* has **whitespace** on *l* when
  p(s, l) ≥ ``min_penetration``; its ``expected_value`` = p(s, l) × m(s, l): the
  spend of a typical adopter, weighted by how likely a look-alike customer adopts
  (the segment's penetration). This is the "look-alike" propensity of cross-sell
  practice, stated plainly rather than modelled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit_helpers.errors import InputError
from segkit_helpers.report.i18n import N_, _
from segkit_helpers.schemes.behavioural import SegmentModel
from segkit_helpers.schemes.catalog import product_lines_available, source_configured

SHARE_PREFIX = "line_share_"


def share_columns(profile: pd.DataFrame) -> list[str]:
    """The ``line_share_<line>`` columns of a profile (product split), in profile order."""
    return [c for c in profile.columns if c.startswith(SHARE_PREFIX)]


def require_product_lines(profile: pd.DataFrame) -> list[str]:
    """The share columns, or a clear error saying how to get product lines."""
    columns = share_columns(profile)
    if len(columns) < 2:
        raise InputError(
            "table 'customers' has no product split (line_share_<line> columns): map a 'category' column of the "
            "transactions, or set 'research.product_lines' to a CSV with columns product,line"
        )
    return columns


class OpportunityModel(SegmentModel):
    """K-means segments on the product-line shares of spend (log-modulus, z-scores), named by the line they over-buy."""

    title = N_("opportunity (which product lines customers buy)")
    needs = N_("product lines bought (transactions with a category, or products and research.product_lines)")

    @classmethod
    def available(cls, cfg: dict, columns) -> bool:
        """Transactions with product lines."""
        return source_configured(cfg, cls.table) and product_lines_available(columns, cfg)

    @classmethod
    def default_features(cls, data: pd.DataFrame, seg: dict) -> list[str]:
        """The ``line_share_<line>`` columns."""
        return require_product_lines(data)

    def segment_names(self, data: pd.DataFrame, features: list[str], seg: dict) -> dict[int, str]:
        """The product line each segment over-buys most (largest mean share against all customers)."""
        lift = data[features].groupby(self.predict(data)).mean() / data[features].mean().replace(0, np.nan)
        return {int(s): _("{line} buyers").format(line=row.idxmax().removeprefix(SHARE_PREFIX).replace("_", " "))
                for s, row in lift.iterrows()}


def _spend_by_line(profile: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    spend = profile[columns].mul(profile["monetary"].clip(lower=0), axis=0)
    return spend.rename(columns=lambda c: c.removeprefix(SHARE_PREFIX))


def cross_sell_table(profile: pd.DataFrame, segments: pd.DataFrame, min_penetration: float = 0.3) -> pd.DataFrame:
    """Segment × product-line cross-sell table (see :func:`_cross_sell`), rounded for reading."""
    return _cross_sell(profile, segments, min_penetration).round(4)


def _cross_sell(profile: pd.DataFrame, segments: pd.DataFrame, min_penetration: float) -> pd.DataFrame:
    """Segment × product-line table: penetration, spend per buyer, whitespace customers and value.

    Returns
    -------
    pandas.DataFrame
        One row per (segment, product_line): ``customers`` (in the segment),
        ``buyers``, ``penetration``, ``spend_per_buyer``, ``whitespace_customers``
        (non-buyers, counted only where penetration ≥ ``min_penetration``, else 0) and
        ``expected_value`` (their summed expected value, see the module docstring).
    """
    columns = require_product_lines(profile)
    data = profile[["customer_id", "monetary", *columns]].merge(segments[["customer_id", "segment"]], on="customer_id")
    spend = _spend_by_line(data, columns)
    buys = data[columns].gt(0).set_axis(spend.columns, axis=1)
    grouped_buys = buys.groupby(data["segment"])
    table = pd.DataFrame({
        "customers": grouped_buys.size().repeat(len(spend.columns)).to_numpy(),
        "buyers": grouped_buys.sum().stack().to_numpy(),
        "spend_per_buyer": spend.where(buys).groupby(data["segment"]).mean().stack(future_stack=True).to_numpy(),
    }, index=grouped_buys.sum().stack().index.set_names(["segment", "product_line"]))
    out = table.reset_index()
    out["penetration"] = out["buyers"] / out["customers"]
    out["spend_per_buyer"] = out["spend_per_buyer"].fillna(0.0)
    open_lines = out["penetration"] >= min_penetration
    out["whitespace_customers"] = (out["customers"] - out["buyers"]).where(open_lines, 0)
    out["expected_value"] = out["whitespace_customers"] * out["penetration"] * out["spend_per_buyer"]
    out = out[["segment", "product_line", "customers", "buyers", "penetration", "spend_per_buyer",
               "whitespace_customers", "expected_value"]]
    return out.sort_values(["segment", "expected_value"], ascending=[True, False], kind="stable").reset_index(drop=True)


def whitespace(profile: pd.DataFrame, segments: pd.DataFrame, min_penetration: float = 0.3) -> pd.DataFrame:
    """Per customer, the product lines their segment buys and they do not, with the expected value of each.

    Returns
    -------
    pandas.DataFrame
        One row per (customer, open line): ``customer_id``, ``segment``,
        ``product_line``, ``penetration``, ``expected_value``; sorted by customer
        and by expected value, largest first; ``rank`` 1 = the best next line.
    """
    table = _cross_sell(profile, segments, min_penetration)
    open_lines = table[table["whitespace_customers"] > 0][["segment", "product_line", "penetration", "spend_per_buyer"]]
    columns = share_columns(profile)
    shares = profile[["customer_id", *columns]].merge(segments[["customer_id", "segment"]], on="customer_id")
    long = shares.melt(id_vars=["customer_id", "segment"], value_vars=columns, var_name="product_line", value_name="share")
    long["product_line"] = long["product_line"].str.removeprefix(SHARE_PREFIX)
    gaps = long[long["share"] <= 0].merge(open_lines, on=["segment", "product_line"])
    gaps["expected_value"] = (gaps["penetration"] * gaps["spend_per_buyer"]).round(2)
    gaps = gaps.sort_values(["customer_id", "expected_value", "product_line"], ascending=[True, False, True], kind="stable")
    gaps["rank"] = gaps.groupby("customer_id").cumcount() + 1
    return gaps[["customer_id", "segment", "product_line", "penetration", "expected_value", "rank"]].reset_index(drop=True)


def next_best_line(gaps: pd.DataFrame) -> pd.DataFrame:
    """Each customer's best whitespace line (rank 1) and its expected value."""
    best = gaps[gaps["rank"] == 1]
    return best[["customer_id", "product_line", "expected_value"]].rename(
        columns={"product_line": "next_best_line", "expected_value": "next_best_line_value"})


CROSS_SELL_COLUMNS = ["segment", "product_line", "customers", "buyers", "penetration", "spend_per_buyer",
                      "whitespace_customers", "expected_value"]
WHITESPACE_COLUMNS = ["customer_id", "segment", "product_line", "penetration", "expected_value", "rank"]


def opportunity_tables(profile: pd.DataFrame, segments: pd.DataFrame, cfg: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cross-sell table and the per-customer whitespace for any scheme's segments.

    Both are empty (with their columns) when the profile has no product lines
    (:func:`segkit_helpers.report.hypothesis.whitespace_sentence` says so and how to add them).
    """
    if len(share_columns(profile)) < 2:
        return pd.DataFrame(columns=CROSS_SELL_COLUMNS), pd.DataFrame(columns=WHITESPACE_COLUMNS)
    threshold = cfg["segmentation"]["min_penetration"]
    gaps = whitespace(profile, segments, threshold)
    return cross_sell_table(profile, segments, threshold), gaps
