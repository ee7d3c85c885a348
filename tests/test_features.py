"""Unit tests of segkit_helpers.research.metrics, scores and profile against hand-computed profiles."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from segkit_helpers.errors import ConfigError
from segkit_helpers.research.metrics import order_table, persona_metrics, rfm_table
from segkit_helpers.research.profile import build_profile, product_split
from segkit_helpers.research.scores import (
    QUADRANTS,
    abc_classes,
    add_rfm_scores,
    load_rfm_rules,
    name_rfm_segments,
    profit_threshold,
    quintile_score,
    value_and_loyalty,
    xyz_classes,
)
from segkit_helpers.research.summaries import rfm_segment_summary

ASOF = dt.date(2024, 3, 31)


def lines_table() -> pd.DataFrame:
    """Clean order lines of five customers (A–E) plus F, who only has a return."""
    rows = [
        # customer, order id, day, amount, product
        ("A", "O1", "2024-01-01", 100.0, "p1"),
        ("A", "O1", "2024-01-01", 50.0, "p2"),
        ("A", "O2", "2024-03-01", 200.0, "p1"),
        ("A", "C9", "2024-03-10", -30.0, "p3"),  # a return: netted, not an order
        ("B", "O3", "2024-03-31", 80.0, "p1"),  # on the asof day
        ("C", "O4", "2024-02-01", 60.0, "p4"),
        ("C", "O5", "2024-03-15", 40.0, "p5"),  # O5 is fully returned ...
        ("C", "O5", "2024-03-15", -40.0, "p5"),  # ... so it is not an order
        ("D", "O6", "2023-12-31", 10.10, "p1"),
        ("D", "O7", "2024-01-15", 20.20, "p1"),
        ("D", "O8", "2024-01-15", 30.30, "p2"),  # a second order on the same day
        ("E", "O9", "2024-03-30", 12.50, "p6"),
        ("F", "C10", "2024-02-10", -25.0, "p1"),  # returns only: no order, no row
    ]
    lines = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_day", "amount", "product"])
    lines["order_day"] = pd.to_datetime(lines["order_day"])
    return lines


# --- orders and RFM --------------------------------------------------------------------------


def test_order_table_flags_real_orders():
    orders = order_table(lines_table()).set_index("order_id")
    # O1 = 100 + 50; O5 = 40 - 40 = 0 (not an order); C9 and C10 are negative
    assert orders.loc["O1", "net_value"] == 150.0
    assert orders.loc["O5", "net_value"] == 0.0
    assert orders["is_order"].to_dict() == {
        "O1": True, "O2": True, "C9": False, "O3": True, "O4": True, "O5": False,
        "O6": True, "O7": True, "O8": True, "O9": True, "C10": False,
    }


def test_rfm_table_by_hand():
    rfm = rfm_table(lines_table(), ASOF)
    assert list(rfm.columns) == ["customer_id", "first_order", "last_order", "recency_days", "frequency",
                                 "monetary", "avg_order_value", "tenure_days"]
    # F has only a return: no order, no row
    assert rfm["customer_id"].tolist() == ["A", "B", "C", "D", "E"]
    rfm = rfm.set_index("customer_id")
    expected = {
        # A: orders O1 (1 Jan), O2 (1 Mar); return C9 netted: 150 + 200 - 30 = 320; 320 / 2 = 160
        #    recency 1 Mar -> 31 Mar = 30; tenure 1 Jan -> 31 Mar = 31 + 29 (leap Feb) + 30 = 90
        "A": ("2024-01-01", "2024-03-01", 30, 2, 320.00, 160.00, 90),
        # B: one order on the asof day: recency 0, tenure 0
        "B": ("2024-03-31", "2024-03-31", 0, 1, 80.00, 80.00, 0),
        # C: O4 only (O5 nets to 0, so its 15 Mar is not the last order); 60 + 40 - 40 = 60
        #    1 Feb -> 31 Mar = 29 + 30 = 59
        "C": ("2024-02-01", "2024-02-01", 59, 1, 60.00, 60.00, 59),
        # D: three orders, two on 15 Jan; 10.10 + 20.20 + 30.30 = 60.60; 60.60 / 3 = 20.20
        #    recency 15 Jan -> 31 Mar = 16 + 29 + 31 = 76; tenure 31 Dec -> 31 Mar = 1 + 90 = 91
        "D": ("2023-12-31", "2024-01-15", 76, 3, 60.60, 20.20, 91),
        # E: one order the day before asof
        "E": ("2024-03-30", "2024-03-30", 1, 1, 12.50, 12.50, 1),
    }
    for cid, (first, last, recency, frequency, monetary, aov, tenure) in expected.items():
        row = rfm.loc[cid]
        assert row["first_order"] == pd.Timestamp(first), cid
        assert row["last_order"] == pd.Timestamp(last), cid
        assert row["recency_days"] == recency, cid
        assert row["frequency"] == frequency, cid
        assert row["monetary"] == pytest.approx(monetary, abs=1e-9), cid
        assert row["avg_order_value"] == pytest.approx(aov, abs=1e-9), cid
        assert row["tenure_days"] == tenure, cid
    assert rfm["recency_days"].dtype == "int64"
    assert rfm["frequency"].dtype == "int64"


# --- scores and named segments ---------------------------------------------------------------


def test_quintile_score_distinct_values():
    # ranks 1..5 of 5 -> percentiles 0.2..1.0 -> ceil(5p) = 1..5
    assert quintile_score(pd.Series([30, 10, 50, 20, 40])).tolist() == [3, 1, 5, 2, 4]


def test_quintile_score_ten_values():
    # 10 distinct values: p = r/10, ceil(5p) = ceil(r/2) -> 1,1,2,2,3,3,4,4,5,5
    assert quintile_score(pd.Series(range(10))).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_quintile_score_ties_share_a_score():
    # four ties share the average rank (1+2+3+4)/4 = 2.5 -> p = 0.5 -> ceil(2.5) = 3; the top value scores 5
    assert quintile_score(pd.Series([1, 1, 1, 1, 5])).tolist() == [3, 3, 3, 3, 5]
    # all equal: average rank 3 of 5 -> p = 0.6 -> 3
    assert quintile_score(pd.Series([7, 7, 7, 7, 7])).tolist() == [3, 3, 3, 3, 3]


def test_quintile_score_recency_is_reversed():
    # fewer days since the last order is better
    assert quintile_score(pd.Series([0, 10, 20, 30, 40]), higher_is_better=False).tolist() == [5, 4, 3, 2, 1]


def test_add_rfm_scores_on_the_hand_table():
    scored = add_rfm_scores(rfm_table(lines_table(), ASOF)).set_index("customer_id")
    # recency A 30, B 0, C 59, D 76, E 1 -> best (lowest) first: B 5, E 4, A 3, C 2, D 1
    assert scored["r_score"].to_dict() == {"A": 3, "B": 5, "C": 2, "D": 1, "E": 4}
    # frequency A 2, B 1, C 1, D 3, E 1: the three 1s share rank 2 -> p 0.4 -> 2; A rank 4 -> 4; D -> 5
    assert scored["f_score"].to_dict() == {"A": 4, "B": 2, "C": 2, "D": 5, "E": 2}
    # monetary A 320, B 80, C 60, D 60.6, E 12.5 -> E 1, C 2, D 3, B 4, A 5
    assert scored["m_score"].to_dict() == {"A": 5, "B": 4, "C": 2, "D": 3, "E": 1}


@pytest.mark.parametrize(
    "r, f, name",
    [
        (5, 5, "Champions"),
        (5, 4, "Champions"),
        (4, 5, "Loyal"),
        (3, 4, "Loyal"),
        (5, 2, "Potential loyalist"),
        (5, 1, "New"),
        (4, 1, "Promising"),
        (3, 3, "Needs attention"),
        (3, 1, "About to sleep"),
        (1, 5, "Can't lose them"),
        (2, 5, "Can't lose them"),
        (2, 3, "At risk"),
        (2, 2, "Hibernating"),
        (1, 2, "Lost"),
        (1, 1, "Lost"),
    ],
)
def test_default_rfm_rules(r, f, name):
    scores = pd.DataFrame({"r_score": [r], "f_score": [f]})
    assert name_rfm_segments(scores, load_rfm_rules()).iloc[0] == name


def test_default_rules_table():
    rules = load_rfm_rules()
    assert list(rules.columns) == ["name", "r_min", "r_max", "f_min", "f_max", "hint"]
    assert rules["name"].iloc[0] == "Champions"
    assert len(rules) == 11


def test_first_matching_rule_wins():
    rules = pd.DataFrame(
        [{"name": "first", "r_min": 1, "r_max": 5, "f_min": 1, "f_max": 5, "hint": ""},
         {"name": "second", "r_min": 1, "r_max": 5, "f_min": 1, "f_max": 5, "hint": ""}]
    )
    scores = pd.DataFrame({"r_score": [1, 5], "f_score": [3, 5]}, index=[10, 20])
    named = name_rfm_segments(scores, rules)
    assert named.to_dict() == {10: "first", 20: "first"}


def test_rules_leaving_a_cell_uncovered(tmp_path):
    path = tmp_path / "rules.yml"
    # everything except r = 1, f = 1
    path.write_text(
        "- {name: all but bottom row, r: [2, 5], f: [1, 5]}\n"
        "- {name: bottom row, r: [1, 1], f: [2, 5]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"1 score pair\(s\) match no rule, e.g. r=1, f=1"):
        load_rfm_rules(path)


def test_malformed_rule(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text("- {name: everyone, r: [1, 5]}\n", encoding="utf-8")  # no f range
    with pytest.raises(ConfigError, match="rule 1 needs name"):
        load_rfm_rules(path)


def test_custom_rules_covering_everything(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text("- {name: recent, r: [4, 5], f: [1, 5]}\n- {name: other, r: [1, 3], f: [1, 5]}\n",
                    encoding="utf-8")
    rules = load_rfm_rules(path)
    assert rules["name"].tolist() == ["recent", "other"]
    assert rules["hint"].tolist() == ["", ""]


# --- persona metrics -------------------------------------------------------------------------


def persona_lines() -> pd.DataFrame:
    """Three customers for the persona metrics (asof 2024-03-31)."""
    rows = [
        # customer, order, day, amount, product, category
        ("y", "O1", "2024-01-01", 100.0, "p1", "toys"),
        ("y", "O2", "2024-01-11", 100.0, "p2", "cards"),  # gap 10 days
        ("y", "O3", "2024-01-31", 200.0, "p1", "toys"),  # gap 20
        ("y", "O4", "2024-03-01", 300.0, "p3", "cards"),  # gap 30
        ("y", "R1", "2024-03-05", -50.0, "p3", "cards"),  # a return: netted, not an order
        ("x", "O5", "2024-03-20", 50.0, "p1", "toys"),
        ("z", "O6", "2024-02-10", 60.0, "p4", "cards"),
        ("z", "O7", "2024-02-20", 40.0, "p5", "toys"),  # gap 10
    ]
    lines = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_day", "amount", "product", "category"])
    lines["order_day"] = pd.to_datetime(lines["order_day"])
    return lines


def test_persona_metrics_by_hand():
    out = persona_metrics(persona_lines(), ASOF).set_index("customer_id")
    # y: tenure 2024-01-01 -> 03-31 = 90 days; months = 91 / 30.4375; 4 orders -> 4 * 30.4375 / 91 = 1.33791
    assert out.loc["y", "orders_per_month"] == pytest.approx(1.3379)
    assert out.loc["y", "orders_per_quarter"] == pytest.approx(4.0137)  # 3 * 1.3379
    # x: one order, tenure 11 days -> at least one month -> 1 per month
    assert out.loc["x", "orders_per_month"] == pytest.approx(1.0)
    # active months: y Jan and Mar of Jan..Mar (3) -> 2/3; x Mar of Mar -> 1; z Feb of Feb..Mar -> 1/2
    assert out["active_months"].to_dict() == {"x": 1, "y": 2, "z": 1}
    assert out["share_active_months"].to_dict() == pytest.approx({"x": 1.0, "y": 0.6667, "z": 0.5})
    # repeat rate (frequency - 1) / frequency: y 3/4, x 0, z 1/2
    assert out["repeat_rate"].to_dict() == pytest.approx({"x": 0.0, "y": 0.75, "z": 0.5})
    # gaps: y 10, 20, 30 -> mean 20, population sd sqrt(200/3) = 8.16497 -> cv 0.40825; z one gap of 10
    assert out.loc["y", "mean_days_between_orders"] == 20.0
    assert out.loc["z", "mean_days_between_orders"] == 10.0
    assert out.loc["y", "order_gap_cv"] == pytest.approx(0.4082)
    assert pd.isna(out.loc["z", "order_gap_cv"]) and pd.isna(out.loc["x", "order_gap_cv"])  # fewer than 3 orders
    # basket change: y later half (200, 300) mean 250 vs earlier (100, 100) mean 100 -> +1.5; z 40 / 60 - 1
    assert out.loc["y", "basket_value_change"] == pytest.approx(1.5)
    assert out.loc["z", "basket_value_change"] == pytest.approx(-0.3333)
    assert pd.isna(out.loc["x", "basket_value_change"])
    # monthly spend, zero months included: y Jan 400, Feb 0, Mar 250: mean 216.667,
    # E[s^2] = 222500 / 3 = 74166.67, var = 74166.67 - 46944.44 = 27222.22, sd 164.99 -> cv 0.7615
    # x: Mar 50 -> cv 0; z: Feb 100, Mar 0 -> mean 50, sd 50 -> cv 1
    assert out["monthly_spend_cv"].to_dict() == pytest.approx({"x": 0.0, "y": 0.7615, "z": 1.0})
    # distinct products on positive lines: y {p1, p2, p3}, x {p1}, z {p4, p5}
    assert out["distinct_products"].to_dict() == {"x": 1, "y": 3, "z": 2}


def test_persona_metrics_without_product():
    lines = pd.DataFrame({"customer_id": ["x"], "order_id": ["1"], "order_day": [pd.Timestamp("2024-03-01")],
                          "amount": [1.0]})
    assert "distinct_products" not in persona_metrics(lines, ASOF).columns


def test_xyz_classes_by_hand():
    cv = pd.Series([0.0, 0.5, 0.7615, 1.0, 1.2, float("nan")])
    assert xyz_classes(cv).tolist() == ["X", "X", "Y", "Y", "Z", "Z"]
    assert xyz_classes(cv, x_max=0.8, y_max=1.1).tolist() == ["X", "X", "X", "Y", "Z", "Z"]


def test_product_split_from_category():
    cfg = {"research": {"product_lines": None, "max_product_lines": 8}}
    split = product_split(persona_lines(), cfg).set_index("customer_id")
    # gross purchases: y toys 100 + 200, cards 100 + 300 -> 300/700, 400/700; x toys 50; z cards 60, toys 40
    # lines ordered by total spend: cards 460, toys 390
    assert list(split.columns) == ["line_share_cards", "line_share_toys"]
    assert split.loc["y"].to_dict() == pytest.approx({"line_share_cards": 0.5714, "line_share_toys": 0.4286})
    assert split.loc["x"].to_dict() == pytest.approx({"line_share_cards": 0.0, "line_share_toys": 1.0})
    assert split.loc["z"].to_dict() == pytest.approx({"line_share_cards": 0.6, "line_share_toys": 0.4})


def test_product_split_from_mapping_file_keeps_top_lines(tmp_path):
    mapping = tmp_path / "lines.csv"
    mapping.write_text("product,line\np1,Toys\np2,Cards\np3,Cards\np4,Garden\n")
    cfg = {"research": {"product_lines": str(mapping), "max_product_lines": 1}}
    split = product_split(persona_lines().drop(columns="category"), cfg).set_index("customer_id")
    # spend by line: Cards 100 + 300 = 400, Toys 100 + 200 + 50 = 350, Garden 60, unmapped p5 40 -> other
    # one line kept (Cards); Toys, Garden and p5 are "other"
    assert list(split.columns) == ["line_share_cards", "line_share_other"]
    assert split.loc["z"].to_dict() == pytest.approx({"line_share_cards": 0.0, "line_share_other": 1.0})
    assert split.loc["y"].to_dict() == pytest.approx({"line_share_cards": 0.5714, "line_share_other": 0.4286})


def test_no_product_lines_configured():
    lines = persona_lines().drop(columns="category")
    assert product_split(lines, {"research": {"product_lines": None, "max_product_lines": 8}}) is None


# --- value and loyalty, ABC ------------------------------------------------------------------


def test_value_and_loyalty_quadrants():
    cfg = {"value": {"margin_rate": 0.25, "cost_per_order": 5.0}, "loyalty": {"threshold": 3.0}}
    profile = pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4"],
            "monetary": [100.0, 100.0, 20.0, 40.0],
            "frequency": [2, 2, 2, 2],
            "r_score": [5, 1, 3, 2],
            "f_score": [4, 2, 3, 3],
        }
    )
    out = value_and_loyalty(profile, cfg).set_index("customer_id")
    # margin = 0.25 * monetary; cost = 5 * frequency = 10; profit = margin - cost
    assert out["gross_margin"].tolist() == [25.0, 25.0, 5.0, 10.0]
    assert out["cost_to_serve"].tolist() == [10.0, 10.0, 10.0, 10.0]
    assert out["profit"].tolist() == [15.0, 15.0, -5.0, 0.0]
    # loyalty = (r + f) / 2
    assert out["loyalty_score"].tolist() == [4.5, 1.5, 3.0, 2.5]
    assert out["value_loyalty_quadrant"].to_dict() == {
        "c1": "profitable & loyal",  # 15 > 0, 4.5 >= 3
        "c2": "profitable & disloyal",  # 1.5 < 3
        "c3": "unprofitable & loyal",  # -5; 3.0 >= 3 (threshold inclusive)
        "c4": "unprofitable & disloyal",  # profit 0 is not profitable; 2.5 < 3
    }
    assert set(out["value_loyalty_quadrant"]) == set(QUADRANTS.values())


def test_profit_threshold_from_a_quantile():
    cfg = {"value": {"margin_rate": 0.25, "cost_per_order": 5.0, "profit_quantile": 0.5}, "loyalty": {"threshold": 3.0}}
    profile = pd.DataFrame({"customer_id": ["c1", "c2", "c3", "c4"], "monetary": [100.0, 60.0, 20.0, 40.0],
                            "frequency": [2, 2, 2, 2], "r_score": [5, 5, 5, 5], "f_score": [5, 5, 5, 5]})
    out = value_and_loyalty(profile, cfg).set_index("customer_id")
    # profits 15, 5, -5, 0 -> median 2.5: profitable = above the median customer (c1, c2)
    assert out["profit"].tolist() == [15.0, 5.0, -5.0, 0.0]
    assert profit_threshold(out["profit"], quantile=0.5) == 2.5
    assert out["value_loyalty_quadrant"].tolist() == ["profitable & loyal"] * 2 + ["unprofitable & loyal"] * 2


def test_abc_classes_by_hand():
    # total 100; revenue of customers before each (sorted, largest first): 0, 50, 80, 90, 96 -> shares
    # 0 < .8 A; .5 < .8 A; .8 is not < .8 but < .95 B; .9 < .95 B; .96 C
    out = abc_classes(pd.Series([50.0, 30.0, 10.0, 6.0, 4.0]), 0.8, 0.15)
    assert out.tolist() == ["A", "A", "B", "B", "C"]


def test_abc_classes_keep_input_order_and_index():
    monetary = pd.Series([6.0, 50.0, 4.0, 30.0, 10.0], index=["d", "a", "e", "b", "c"])
    out = abc_classes(monetary, 0.8, 0.15)
    assert out.to_dict() == {"d": "B", "a": "A", "e": "C", "b": "A", "c": "B"}
    assert out.index.tolist() == ["d", "a", "e", "b", "c"]


def test_abc_classes_ties_by_position():
    # before shares: first 0 -> A, second 0.5 -> not < 0.5, < 0.65 -> B
    assert abc_classes(pd.Series([10.0, 10.0]), 0.5, 0.15).tolist() == ["A", "B"]


def test_abc_single_customer_is_a():
    assert abc_classes(pd.Series([123.0])).tolist() == ["A"]


# --- the whole profile -----------------------------------------------------------------------


def test_build_profile_combines_everything():
    cfg = {"asof": ASOF, "research": {"rfm_rules": None, "product_lines": None, "max_product_lines": 8},
           "value": {"margin_rate": 0.25, "cost_per_order": 5.0},
           "loyalty": {"threshold": 3.0}, "abc": {"a_share": 0.8, "b_share": 0.15}, "xyz": {"x_max": 0.5, "y_max": 1.0}}
    profile = build_profile(lines_table(), cfg).set_index("customer_id")
    assert profile.index.tolist() == ["A", "B", "C", "D", "E"]
    # (r, f) from test_add_rfm_scores_on_the_hand_table: A (3,4) Loyal, B (5,2) Potential loyalist,
    # C (2,2) Hibernating, D (1,5) Can't lose them, E (4,2) Potential loyalist
    assert profile["rfm_segment"].to_dict() == {"A": "Loyal", "B": "Potential loyalist", "C": "Hibernating",
                                                "D": "Can't lose them", "E": "Potential loyalist"}
    # A's profit: 0.25 * 320 - 5 * 2 = 70; loyalty (3 + 4) / 2 = 3.5
    assert profile.loc["A", "profit"] == pytest.approx(70.0)
    assert profile.loc["A", "value_loyalty_quadrant"] == "profitable & loyal"
    # total 533.1; before: A 0, B 320 (0.600), D 400 (0.750), C 460.6 (0.864), E 520.6 (0.977)
    assert profile["abc_class"].to_dict() == {"A": "A", "B": "A", "D": "A", "C": "B", "E": "C"}
    for column in ("orders_per_month", "distinct_products", "gross_margin", "m_score", "xyz_class",
                   "share_active_months", "repeat_order_value"):
        assert column in profile


def test_rfm_segment_summary_shares():
    profile = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "rfm_segment": ["Lost", "Champions", "Champions", "Champions"],
            "recency_days": [300, 1, 3, 5],
            "frequency": [1, 10, 12, 14],
            "monetary": [100.0, 300.0, 300.0, 300.0],
        }
    )
    summary = rfm_segment_summary(profile)
    assert summary.index.tolist() == ["Champions", "Lost"]  # by revenue, largest first
    assert summary.loc["Champions"].to_dict() == {
        "customers": 3, "median_recency_days": 3.0, "median_frequency": 12.0, "revenue": 900.0,
        "customer_share": 0.75, "revenue_share": 0.9,
    }
    assert summary.loc["Lost", "revenue_share"] == 0.1


def test_cost_to_serve_from_the_customers_table(tmp_path):
    from segkit_helpers.io.config import load_config
    from segkit_helpers.research.profile import profile_from_config

    pd.DataFrame({"cust": ["A", "B", "C", "D", "E", "F"], "order": ["O1", "O2", "O3", "O4", "O5", "O6"],
                  "day": ["2024-01-01", "2024-02-01", "2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04"],
                  "amount": [100.0, 200.0, 50.0, 20.0, 10.0, 5.0]}).to_csv(tmp_path / "lines.csv", index=False)
    # the customers table sets A's cost to serve to 60; B has an empty cell -> the configured rule applies
    pd.DataFrame({"cust": ["A", "B"], "serve": [60.0, None]}).to_csv(tmp_path / "customers.csv", index=False)
    (tmp_path / "cycle.yml").write_text(
        "cycle: c\nasof: 2024-03-31\n"
        "sources: {transactions: {path: lines.csv}, customers: {path: customers.csv}}\n"
        "columns: {transactions: {customer_id: cust, order_id: order, order_date: day, amount: amount},\n"
        "          customers: {customer_id: cust, cost_to_serve: serve}}\n"
        "value: {margin_rate: 0.5, cost_per_order: 4, cost_per_customer: 1}\n"
        "clv: {enabled: false}\n")
    profile, _ = profile_from_config(tmp_path / "cycle.yml")
    profile = profile.set_index("customer_id")
    # A: margin 0.5 * 100 = 50, cost from the table 60 -> profit -10
    assert profile.loc["A", "cost_to_serve"] == 60.0 and profile.loc["A", "profit"] == -10.0
    # B: no value in the table -> 1 order * 4 + 1 = 5; margin 100 -> profit 95
    assert profile.loc["B", "cost_to_serve"] == 5.0 and profile.loc["B", "profit"] == 95.0
    assert "p_alive" not in profile  # clv.enabled: false skips the CLV fit
    assert load_config(tmp_path / "cycle.yml")["value"]["cost_per_customer"] == 1.0
