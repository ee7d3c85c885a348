"""The hypothesis register: loading, checking, and verdicts against planted truths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from segkit_helpers.errors import ConfigError
from segkit_helpers.evaluation.hypotheses import evaluate_register, load_register
from segkit_helpers.report.test import register_readings, register_table, register_text


def customers(n: int = 120, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segment 1 orders more (true), spends the same per order (false 'higher'), and is
    more recent (so 'segment 1 has higher recency' is contradicted)."""
    rng = np.random.default_rng(seed)
    seg = np.repeat([1, 2, 3], n // 3)
    profile = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(len(seg))],
        "orders_per_quarter": np.where(seg == 1, 6, 2) + rng.normal(0, 0.5, len(seg)),
        "avg_order_value": rng.normal(100, 10, len(seg)),
        "recency_days": np.where(seg == 1, 10, 90) + rng.normal(0, 5, len(seg)),
        "quadrant": np.where((seg == 1) & (rng.random(len(seg)) < 0.9), "gold", "other"),
    })
    segments = pd.DataFrame({"customer_id": profile["customer_id"], "segment": seg,
                             "segment_name": pd.Series(seg).map({1: "Champions", 2: "Regulars", 3: "Sleepers"})})
    return profile, segments


REGISTER = [
    {"id": "T", "statement": "Champions order more often", "metric": "orders_per_quarter", "segments": ["Champions"],
     "expected": "higher"},
    {"id": "F", "statement": "Champions spend more per order", "metric": "avg_order_value", "segments": [1],
     "expected": "higher"},
    {"id": "R", "statement": "Champions bought longer ago", "metric": "recency_days", "segments": [1],
     "expected": "higher"},
    {"id": "D", "statement": "Recency differs between segments", "metric": "recency_days", "segments": "all",
     "expected": "differs"},
    {"id": "Q", "statement": "Champions are mostly gold", "metric": "quadrant", "level": "gold", "segments": [1],
     "expected": "higher"},
    {"id": "C", "statement": "Regulars order more than Sleepers", "metric": "orders_per_quarter", "segments": [2],
     "compare_to": [3], "expected": "higher"},
]


def test_verdicts_true_false_and_reversed():
    table = evaluate_register(REGISTER, *customers()).set_index("id")
    assert table["verdict"].to_dict() == {"T": "supported", "F": "not supported", "R": "contradicted",
                                          "D": "supported", "Q": "supported", "C": "not supported"}
    assert table.loc["T", "test"] == "Mann–Whitney U (one-sided)"
    assert table.loc["T", "effect"] == 1.0  # every Champion above every other customer: rank-biserial 1
    assert table.loc["D", "test"] == "Kruskal–Wallis H"
    assert table.loc["Q", "test"] == "two-proportion z-test (one-sided)"
    assert (table["p_holm"] >= table["p_value"]).all()
    assert table.loc["Q", "observed"] == {"level": "gold", "share": [pytest.approx(table.loc["Q", "observed"]["share"][0]),
                                                                     pytest.approx(table.loc["Q", "observed"]["share"][1])]}
    assert set(table.loc["D", "observed"]["medians"]) == {1, 2, 3}
    words = register_readings(table.reset_index()).set_index("id")
    assert words.loc["R", "reading"].startswith("Champions bought longer ago — contradicted")
    assert words.loc["T", "observed"].startswith("median ") and " vs " in words.loc["T", "observed"]
    assert words.loc["Q", "observed"].startswith("gold: ") and words.loc["D", "observed"].startswith("medians 1: ")
    assert register_text(table.reset_index()).startswith("- ")


def test_mann_whitney_and_holm_by_hand():
    profile = pd.DataFrame({"customer_id": list("abcdef"), "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    segments = pd.DataFrame({"customer_id": list("abcdef"), "segment": [2, 2, 2, 1, 1, 1]})
    table = evaluate_register([{"id": "H", "statement": "s", "metric": "x", "segments": [1], "expected": "higher"}],
                          profile, segments)
    # U = 9 (all 3 x 3 pairs favour segment 1); exact one-sided p = 1 / C(6,3) = 0.05; the opposite
    # direction has p = 1; Holm over the two: min(1, 2 * 0.05) = 0.1 -> not supported at 0.05
    assert table.loc[0, "statistic"] == 9.0
    assert table.loc[0, "p_value"] == pytest.approx(0.05)
    assert table.loc[0, "p_holm"] == pytest.approx(0.1)
    assert table.loc[0, "verdict"] == "not supported"


def test_register_is_checked(tmp_path):
    assert [h["id"] for h in load_register()] == ["B1", "B2", "B3", "B4", "B5"]
    path = tmp_path / "register.yml"
    path.write_text(yaml.safe_dump({"hypotheses": [{**REGISTER[0], "segmnets": [1]}]}))
    with pytest.raises(ConfigError, match="hypothesis T: unknown key 'segmnets'. Did you mean 'segments'"):
        load_register(path)
    path.write_text(yaml.safe_dump({"hypotheses": [{**REGISTER[0], "expected": "bigger"}]}))
    with pytest.raises(ConfigError, match="expected must be one of"):
        load_register(path)
    profile, segments = customers()
    with pytest.raises(ConfigError, match="metric 'churn'"):
        evaluate_register([{**REGISTER[0], "metric": "churn"}], profile, segments)
    with pytest.raises(ConfigError, match="segment 'Gold' is not a segment"):
        evaluate_register([{**REGISTER[0], "segments": ["Gold"]}], profile, segments)
    with pytest.raises(ConfigError, match="is a category; add 'level:'"):
        evaluate_register([{k: v for k, v in REGISTER[4].items() if k != "level"}], profile, segments)


def test_the_register_uses_the_one_cramers_v_and_rank_biserial():
    from segkit_helpers.evaluation.stats import cramers_v

    # the 2x2 table [[3, 1], [1, 3]]: V = 0.5 from the chi-square without Yates (0.25 with it)
    profile = pd.DataFrame({"customer_id": list("abcdefgh"), "abc": list("AAABBBBA"), "x": [1, 2, 3, 4, 5, 6, 7, 8]})
    segments = pd.DataFrame({"customer_id": list("abcdefgh"), "segment": [1, 1, 1, 1, 2, 2, 2, 2]})
    register = [{"id": "V", "statement": "s", "metric": "abc", "segments": "all", "expected": "differs"},
                {"id": "R", "statement": "s", "metric": "x", "segments": [1], "expected": "lower"}]
    table = evaluate_register(register, profile, segments).set_index("id")
    assert table.loc["V", "effect"] == pytest.approx(0.5) == cramers_v([[3, 1], [1, 3]])
    assert table.loc["R", "effect"] == -1.0  # segment 1 lower than the rest: negative, as in pairwise_tests


def test_constant_metric_is_not_testable_and_clustering_metrics_are_circular():
    profile, segments = customers()
    profile["flat"] = 1.0
    register = [{"id": "N", "statement": "Flat differs", "metric": "flat", "segments": "all", "expected": "differs"},
                REGISTER[2]]
    table = evaluate_register(register, profile, segments, clustered=["recency_days"]).set_index("id")
    assert table.loc["N", "verdict"] == "not testable"
    assert table["circular"].tolist() == [False, True]
    words = register_readings(table.reset_index()).set_index("id")
    assert "nan" not in words.loc["N", "reading"].lower()
    assert words.loc["R", "reading"].endswith("Circular: the segments were built on this metric.")
    shown = register_table(table.reset_index())
    assert shown.loc["N", ["statistic", "after Holm", "effect"]].tolist() == ["—", "not testable", "—"]
    assert shown["circular"].tolist() == ["no", "yes"]
    assert "nan" not in shown.to_string().lower()
