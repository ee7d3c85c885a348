"""The one statistics module: every value against scipy / statsmodels and hand-computed cases."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from segkit_helpers.evaluation.stats import (
    NOT_TESTABLE,
    chi_square,
    compare_segments,
    cramers_v,
    differs,
    epsilon_squared,
    holm,
    kruskal_wallis,
    mann_whitney,
    p_text,
    rank_biserial,
    strength,
    two_proportions,
)


def test_p_text():
    assert p_text(0.0004) == "p < 0.001"
    assert p_text(0.001) == "p = 0.001"
    assert p_text(0.01234) == "p = 0.012"
    assert p_text(float("nan")) == NOT_TESTABLE


@pytest.mark.parametrize("effect, label", [(0.0, "negligible"), (0.099, "negligible"), (0.1, "weak"), (0.2, "moderate"),
                                           (0.399, "moderate"), (0.4, "relatively strong"), (0.6, "strong"),
                                           (0.8, "very strong"), (-0.45, "relatively strong")])
def test_strength_on_the_correlation_scale(effect, label):
    assert strength(effect) == label


@pytest.mark.parametrize("eps2, label", [(0.0, "negligible"), (0.0099, "negligible"), (0.01, "weak"), (0.039, "weak"),
                                         (0.04, "moderate"), (0.159, "moderate"), (0.16, "relatively strong"),
                                         (0.36, "strong"), (0.639, "strong"), (0.64, "very strong"), (1.0, "very strong")])
def test_strength_of_a_squared_effect_reads_its_root(eps2, label):
    assert strength(eps2, squared=True) == label


def test_strength_of_nan_is_not_testable():
    assert strength(float("nan")) == NOT_TESTABLE


def test_epsilon_squared_by_hand():
    # H / (n - 1): 12 / 24 = 0.5, the same as H / ((n^2 - 1) / (n + 1)) = 12 / (624 / 26)
    assert epsilon_squared(12.0, 25) == 0.5 == 12.0 / ((25**2 - 1) / (25 + 1))
    assert epsilon_squared(7.2, 9) == pytest.approx(0.9)


def test_kruskal_wallis_by_hand_and_against_scipy():
    # groups 1-3, 4-6, 7-9: N = 9, rank sums 6, 15, 24 -> H = 12/90 * (12 + 75 + 192) - 30 = 7.2, p = exp(-3.6)
    result = kruskal_wallis([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert result["statistic"] == pytest.approx(7.2)
    assert result["p_value"] == pytest.approx(math.exp(-3.6), rel=1e-9)
    assert result["effect"] == "ε²" and result["effect_size"] == pytest.approx(0.9)
    assert result["strength"] == "very strong"
    rng = np.random.default_rng(0)
    groups = [rng.normal(m, 1, 40).round(1) for m in (0, 0.3, 1)]  # rounded: ties
    h, p = sps.kruskal(*groups)
    result = kruskal_wallis(groups)
    assert (result["statistic"], result["p_value"]) == (pytest.approx(h), pytest.approx(p))
    assert result["effect_size"] == pytest.approx(h / 119)


def test_cramers_v_of_a_2x2_table_by_hand():
    # [[3, 1], [1, 3]]: expected 2 everywhere, chi2 = 4 * (1^2 / 2) = 2 without Yates; V = sqrt(2 / (8 * 1)) = 0.5.
    # With Yates' correction chi2 would be 4 * (0.5^2 / 2) = 0.5 and "V" 0.25: not the definition.
    table = np.array([[3, 1], [1, 3]])
    assert cramers_v(table) == pytest.approx(0.5)
    result = chi_square(table)
    assert result["statistic"] == pytest.approx(2.0) and result["dof"] == 1
    assert result["p_value"] == pytest.approx(math.erfc(1.0))  # P(chi2_1 > 2)
    assert result["effect_size"] == pytest.approx(0.5) and result["strength"] == "relatively strong"
    assert sps.chi2_contingency(table)[0] == pytest.approx(0.5)  # scipy's default (Yates) differs


def test_chi_square_against_scipy_on_a_3x4_table():
    table = np.array([[10, 20, 30, 5], [20, 10, 5, 30], [15, 15, 15, 15]])
    chi2, p, dof, _ = sps.chi2_contingency(table, correction=False)
    result = chi_square(table)
    assert (result["statistic"], result["p_value"], result["dof"]) == (pytest.approx(chi2), pytest.approx(p), dof)
    assert result["effect_size"] == pytest.approx(math.sqrt(chi2 / (table.sum() * 2)))


def test_rank_biserial_sign_is_positive_when_the_first_group_is_larger():
    high, low = [4, 5, 6], [1, 2, 3]
    u1 = sps.mannwhitneyu(high, low).statistic
    assert u1 == 9 and rank_biserial(u1, 3, 3) == 1.0  # 2 * 9 / 9 - 1
    assert mann_whitney(high, low)["effect_size"] == 1.0
    assert mann_whitney(low, high)["effect_size"] == -1.0
    # one tie across groups counts half: x = [1, 3], y = [2, 3] -> U1 = 0 + 1 + 0.5 = 1.5, r = 2 * 1.5 / 4 - 1 = -0.25
    assert mann_whitney([1, 3], [2, 3])["effect_size"] == pytest.approx(-0.25)


def test_mann_whitney_against_scipy():
    rng = np.random.default_rng(1)
    x, y = rng.normal(0.5, 1, 30).round(1), rng.normal(0, 1, 45).round(1)
    for alternative in ("two-sided", "greater", "less"):
        expected = sps.mannwhitneyu(x, y, alternative=alternative)
        result = mann_whitney(x, y, alternative)
        assert result["statistic"] == pytest.approx(expected.statistic)
        assert result["p_value"] == pytest.approx(expected.pvalue)
        assert result["effect_size"] == pytest.approx(2 * expected.statistic / (30 * 45) - 1)


def test_two_proportions_by_hand_and_against_statsmodels():
    # 30/100 vs 20/100: pooled 0.25, se = sqrt(0.25 * 0.75 * 2 / 100), z = 0.1 / se = 1.63299
    result = two_proportions([30, 20], [100, 100])
    assert result["statistic"] == pytest.approx(0.1 / math.sqrt(0.25 * 0.75 * 0.02))
    assert result["effect_size"] == pytest.approx(0.1)
    for alternative in ("two-sided", "larger", "smaller"):
        z, p = proportions_ztest([30, 20], [100, 100], alternative=alternative)
        assert two_proportions([30, 20], [100, 100], alternative)["p_value"] == pytest.approx(p)
    assert two_proportions([0, 0], [10, 10])["strength"] == NOT_TESTABLE


def test_holm_leaves_missing_p_values_out():
    # three p-values 0.01, 0.03, 0.04: Holm 3 * 0.01 = 0.03, max(0.03, 2 * 0.03) = 0.06, max(0.06, 0.04) = 0.06
    adjusted, reject = holm([0.01, np.nan, 0.04, 0.03])
    assert adjusted[[0, 2, 3]].tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert np.isnan(adjusted[1])
    assert reject.tolist() == [True, False, False, False]
    assert adjusted[[0, 2, 3]].tolist() == pytest.approx(multipletests([0.01, 0.04, 0.03], method="holm")[1].tolist())
    assert holm([])[0].size == 0


def test_constant_input_is_not_testable_and_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for result in (compare_segments(pd.Series([1.0] * 6), [1, 1, 2, 2, 3, 3]),
                       compare_segments(pd.Series(["x"] * 6), [1, 1, 2, 2, 3, 3]),
                       kruskal_wallis([[1.0], []]),
                       mann_whitney([2, 2], [2, 2, 2])):
            assert result["strength"] == NOT_TESTABLE and result["reason"]
            assert np.isnan(result["p_value"]) and np.isnan(result["effect_size"])


def test_compare_segments_follows_the_column_type_and_drops_missing_values():
    labels = [1, 1, 1, 1, 2, 2, 2, 2]
    category = compare_segments(pd.Series(["A", "A", "A", "B", "B", "B", "B", "A"]), labels)
    assert category["test"] == "chi-square test of independence" and category["effect_size"] == pytest.approx(0.5)
    number = compare_segments(pd.Series([1, 2, 3, np.nan, 5, 6, 7, 8]), labels)
    assert number["statistic"] == pytest.approx(sps.kruskal([1, 2, 3], [5, 6, 7, 8]).statistic)
    coded = compare_segments(pd.Series([1, 1, 1, 2, 2, 2, 2, 1]), labels, categorical=True)
    assert coded["effect_size"] == pytest.approx(0.5)


def test_differs_needs_significance_and_a_moderate_effect():
    assert differs(0.01, "moderate") and not differs(0.01, "weak")
    assert not differs(0.05, "strong") and not differs(float("nan"), NOT_TESTABLE)
