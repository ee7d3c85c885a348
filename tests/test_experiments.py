"""Experiments per segment: hand-computed tests, planted-effect recovery, heterogeneity and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit_helpers.errors import InputError
from segkit_helpers.datasets.experiments import PLANTED_CONVERSION, PLANTED_REVENUE, make_experiment
from segkit_helpers.evaluation.experiments import (
    check_experiments,
    conversion_test,
    interaction_test,
    join_segments,
    mde_mean,
    mde_proportion,
    revenue_test,
    uplift_by_segment,
)
from segkit_helpers.report.test import experiment_text, interaction_reading, interaction_record, uplift_text


def segments_table(n: int = 36000, k: int = 3, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"customer_id": [f"c{i:05d}" for i in range(n)], "segment": rng.integers(1, k + 1, n),
                         "segment_name": "x"})


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    segments = segments_table()
    return join_segments(make_experiment(segments, seed=4), segments)


# --- hand-computed cases ---------------------------------------------------------------------


def test_two_proportion_z_test_by_hand():
    control = np.r_[np.ones(30), np.zeros(170)]
    treatment = np.r_[np.ones(50), np.zeros(150)]
    row = conversion_test(control, treatment)
    # rates 0.15 and 0.25: uplift 0.10; pooled p = 80/400 = 0.2, SE = sqrt(0.2*0.8*(1/200+1/200)) = 0.04
    # z = 0.10 / 0.04 = 2.5; p = 2 * (1 - Phi(2.5)) = 0.012419
    assert row["uplift"] == pytest.approx(0.10)
    assert row["statistic"] == pytest.approx(2.5)
    assert row["p_value"] == pytest.approx(0.0124193, abs=1e-6)
    assert row["test"] == "two-proportion z-test"
    assert row["ci_low"] < 0.10 < row["ci_high"] and row["ci_low"] > 0


def test_fisher_exact_for_small_counts():
    row = conversion_test(np.r_[np.ones(1), np.zeros(9)], np.r_[np.ones(6), np.zeros(4)])
    # 2x2 table [[6, 4], [1, 9]]: expected counts 3.5 < 5 -> Fisher; two-sided p = 0.057275
    assert row["test"] == "Fisher's exact test"
    assert row["p_value"] == pytest.approx(0.0572755, abs=1e-6)


def test_welch_by_hand():
    control, treatment = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0, 8.0, 10.0])
    row = revenue_test(control, treatment)
    # means 2.5 and 6; variances 1.6667 and 10; SE = sqrt(1.6667/4 + 10/5) = sqrt(2.41667) = 1.55456
    # t = 3.5 / 1.55456 = 2.25144; Welch df = 2.41667^2 / ((0.41667^2)/3 + 2^2/4) = 5.3868
    assert row["uplift"] == pytest.approx(3.5)
    assert row["statistic"] == pytest.approx(2.25144, abs=1e-5)
    se, df = np.sqrt(2.416667), 2.416667**2 / (0.416667**2 / 3 + 4 / 4)
    half = 3.5 - row["ci_low"]
    assert half == pytest.approx(se * pytest.importorskip("scipy.stats").t.ppf(0.975, df), rel=1e-4)


def test_minimum_detectable_effects():
    # Cohen's h for n = 1000 per group, alpha 0.05, power 0.8: h = (1.95996 + 0.84162) * sqrt(2/1000) = 0.125294
    # at p0 = 0.10: asin(sqrt(0.1)) = 0.321751; + h/2 = 0.384398; sin^2 = 0.140624 -> MDE 0.040624
    assert mde_proportion(0.10, 1000, 1000) == pytest.approx(0.040624, abs=1e-5)
    assert mde_proportion(0.10, 4000, 4000) < mde_proportion(0.10, 1000, 1000)
    # Cohen's d for n = 100 per group: about 0.3981 (t-based), times SD 50 -> 19.9
    assert mde_mean(50.0, 100, 100) == pytest.approx(19.9, abs=0.2)


def test_holm_across_segments():
    data = pd.DataFrame({"customer_id": range(8), "group": ["control", "treatment"] * 4,
                         "revenue": [1.0, 3.0, 2.0, 5.0, 1.0, 2.0, 1.5, 2.2],
                         "segment": pd.array([1] * 4 + [2] * 4, dtype="Int64")})
    table = uplift_by_segment(data, "revenue")
    p1, p2 = table.loc[1, "p_value"], table.loc[2, "p_value"]
    small, large = sorted([p1, p2])
    # Holm (1979): the smallest p times 2, the next times 1, kept monotone
    holm = {small: min(1, 2 * small), large: min(1, max(2 * small, large))}
    assert table.loc[1, "p_holm"] == pytest.approx(holm[p1]) and table.loc[2, "p_holm"] == pytest.approx(holm[p2])
    assert table.loc["all", "p_holm"] == table.loc["all", "p_value"]  # the overall row is not adjusted


# --- planted effects -------------------------------------------------------------------------


def test_recovers_the_planted_conversion_uplifts(planted):
    table = uplift_by_segment(planted, "converted", alpha=0.001)  # 99.9 % intervals for the coverage check
    for segment, effect in PLANTED_CONVERSION.items():
        assert table.loc[segment, "ci_low"] <= effect <= table.loc[segment, "ci_high"], segment
    usual = uplift_by_segment(planted, "converted")
    assert usual.loc[[1, 2], "significant"].all()  # +8 and +4 points
    assert usual.loc[3, "p_holm"] > 0.01  # no planted effect
    assert usual.loc["all", "n_control"] + usual.loc["all", "n_treatment"] == len(planted)


def test_recovers_the_planted_revenue_uplifts(planted):
    table = uplift_by_segment(planted, "revenue", alpha=0.001)
    for segment, extra in PLANTED_REVENUE.items():
        # revenue per customer rises by the conversion uplift times the order value (mean 150) plus the
        # extra per converter times the treated conversion rate (0.10 + uplift)
        effect = PLANTED_CONVERSION[segment] * 150 + extra * (0.10 + PLANTED_CONVERSION[segment])
        assert table.loc[segment, "ci_low"] <= effect <= table.loc[segment, "ci_high"], segment
    assert table.loc[1, "test"] == "Welch's t-test"


def test_interaction_detects_heterogeneity_and_not_its_absence(planted):
    assert interaction_test(planted, "converted")["p_value"] < 0.001
    assert interaction_test(planted, "revenue")["p_value"] < 0.001
    segments = segments_table(20000)
    same = join_segments(make_experiment(segments, effects={1: 0.05, 2: 0.05, 3: 0.05},
                                         revenue_effects={}, seed=5), segments)
    result = interaction_test(same, "converted")
    assert result["df"] == 2 and result["p_value"] > 0.05 and result["segments"] == 3
    assert interaction_reading(result).startswith("No evidence that the effect on conversion differs")
    assert interaction_reading(interaction_test(planted, "revenue")).startswith(
        "The effect on revenue per customer differs between segments (F-test (linear model), p < 0.001)")
    assert list(interaction_record(result)) == ["test", "statistic", "df", "p_value", "reading"]


def test_interaction_without_a_comparison():
    nothing = interaction_test(pd.DataFrame(), "converted")
    assert nothing["test"] == "none" and interaction_reading(nothing) == "No experiment to test."
    one = join_segments(make_experiment(segments_table(200, k=1), seed=1), segments_table(200, k=1))
    assert interaction_reading(interaction_test(one, "converted")) == ("Only one segment took part: no comparison "
                                                                       "between segments.")


def test_generator_is_seeded_and_shaped():
    segments = segments_table(1000)
    first = make_experiment(segments, seed=9, sample_share=0.5)
    pd.testing.assert_frame_equal(first, make_experiment(segments, seed=9, sample_share=0.5))
    assert first.columns.tolist() == ["customer_id", "group", "converted", "revenue"]
    assert 400 < len(first) < 600
    assert (first.loc[first["converted"] == 0, "revenue"] == 0).all()


def test_sentences_for_readers(planted):
    text = uplift_text(uplift_by_segment(planted, "converted"), "converted")
    assert "- Segment 1 (x): +" in text and "significant after Holm correction" in text
    assert "- All customers:" in text and "could detect effects of ±" in text
    assert "revenue per customer (95% CI" in uplift_text(uplift_by_segment(planted, "revenue"), "revenue")
    assert uplift_text(uplift_by_segment(None, "revenue"), "revenue") == "No experiment with this outcome in the cycle."
    assert experiment_text(planted).startswith(f"Experiment: {len(planted):,} customers, ")
    assert experiment_text(pd.DataFrame()).startswith("No experiment in this cycle")


# --- bad input -------------------------------------------------------------------------------


def test_bad_experiment_tables():
    good = pd.DataFrame({"customer_id": ["a", "b"], "group": [" Control", "TREATMENT"], "converted": ["1", "false"]})
    checked = check_experiments(good)
    assert checked["group"].tolist() == ["control", "treatment"] and checked["converted"].tolist() == [1, 0]
    with pytest.raises(InputError, match="'group': 1 row.*'test'"):
        check_experiments(good.assign(group=["control", "test"]))
    with pytest.raises(InputError, match="no outcome column"):
        check_experiments(good.drop(columns="converted"))
    with pytest.raises(InputError, match="'customer_id': 1 row"):
        check_experiments(pd.concat([good, good.iloc[:1]]))
    with pytest.raises(InputError, match="'revenue': 1 row.*-5"):
        check_experiments(good.assign(revenue=[10, -5]))


def test_customers_outside_the_segments_count_only_overall():
    segments = pd.DataFrame({"customer_id": ["a", "b"], "segment": [1, 1]})
    experiment = pd.DataFrame({"customer_id": ["a", "b", "z"], "group": ["control", "treatment", "treatment"],
                               "converted": [0, 1, 1]})
    data = join_segments(experiment, segments)
    assert "1 customers of the experiment are not in this cycle's segments" in experiment_text(data)
    table = uplift_by_segment(data, "converted")
    assert table.loc[1, "n_treatment"] == 1 and table.loc["all", "n_treatment"] == 2
