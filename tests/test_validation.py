"""Unit tests of segkit_helpers.validation: effect sizes, Kruskal–Wallis, stability, silhouettes, verdicts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from segkit_helpers.segmentation import FEATURES, SegmentModel
from segkit_helpers.validation import (
    best_jaccard,
    chi_square_tests,
    pairwise_tests,
    segment_verdicts,
    segment_stability,
    bootstrap_stability,
    effect_label,
    epsilon_squared,
    hypothesis_verdicts,
    kruskal_tests,
    segment_silhouettes,
)


def separated_profile(n: int = 30, seed: int = 0) -> pd.DataFrame:
    """Three clearly separated groups of customers (log-normal around very different centres)."""
    rng = np.random.default_rng(seed)
    parts = []
    for r, f, m in [(5, 30, 20000.0), (60, 5, 1500.0), (300, 1, 100.0)]:
        parts.append(pd.DataFrame({
            "recency_days": np.round(rng.lognormal(np.log(r + 1), 0.2, n)),
            "frequency": np.maximum(1, np.round(rng.lognormal(np.log(f), 0.2, n))),
            "monetary": np.round(rng.lognormal(np.log(m), 0.2, n), 2),
        }))
    return pd.concat(parts, ignore_index=True)


# --- effect size -----------------------------------------------------------------------------


def test_epsilon_squared_by_hand():
    # H / (n - 1): 12 / (25 - 1) = 0.5; 7.2 / 8 = 0.9
    assert epsilon_squared(12.0, 25) == 0.5
    assert epsilon_squared(7.2, 9) == pytest.approx(0.9)
    assert epsilon_squared(0.0, 100) == 0.0
    # the docstring's long form H / ((n^2 - 1) / (n + 1)) is the same: (25^2 - 1) / 26 = 24
    assert epsilon_squared(12.0, 25) == 12.0 / ((25**2 - 1) / (25 + 1))


@pytest.mark.parametrize(
    "eps2, label",
    [(0.0, "negligible"), (0.0099, "negligible"), (0.01, "weak"), (0.039, "weak"), (0.04, "moderate"),
     (0.159, "moderate"), (0.16, "relatively strong"), (0.36, "strong"), (0.639, "strong"),
     (0.64, "very strong"), (1.0, "very strong")],
)
def test_effect_label_bounds(eps2, label):
    assert effect_label(eps2) == label


# --- Kruskal–Wallis --------------------------------------------------------------------------


def test_kruskal_tests_by_hand():
    profile = pd.DataFrame({
        # segment 7: 1, 2, 3; segment 8: 4, 5, 6; segment 9: 7, 8, 9 (no ties: ranks = values)
        "separated": [1, 4, 7, 2, 5, 8, 3, 6, 9],
        # rank sums 1+5+9 = 15, 2+6+7 = 15, 3+4+8 = 15: no difference at all
        "mixed": [1, 2, 3, 5, 6, 4, 9, 7, 8],
    })
    segments = pd.Series([7, 8, 9, 7, 8, 9, 7, 8, 9])
    table = kruskal_tests(profile, segments, ["separated", "mixed"])
    assert table.index.tolist() == ["separated", "mixed"]
    assert table.columns.tolist() == ["H", "p_value", "significance", "epsilon_squared", "effect"]
    assert table.loc["separated", "significance"] == "p = 0.027"  # exp(-3.6) = 0.0273
    # separated: N = 9, rank sums R = 6, 15, 24 with n = 3 each
    #   H = 12 / (N (N + 1)) * sum(R^2 / n) - 3 (N + 1) = 12/90 * (12 + 75 + 192) - 30 = 37.2 - 30 = 7.2
    #   p = P(chi2 with 2 df > 7.2) = exp(-7.2 / 2) = exp(-3.6) = 0.0273237...
    #   eps2 = 7.2 / 8 = 0.9 -> very strong
    row = table.loc["separated"]
    assert row["H"] == pytest.approx(7.2)
    assert row["p_value"] == pytest.approx(math.exp(-3.6), rel=1e-9)
    assert row["epsilon_squared"] == pytest.approx(0.9)
    assert row["effect"] == "very strong"
    # mixed: sum(R^2 / n) = 3 * 225 / 3 = 225 -> H = 12/90 * 225 - 30 = 0; p = exp(0) = 1
    row = table.loc["mixed"]
    assert row["H"] == pytest.approx(0.0, abs=1e-9)
    assert row["p_value"] == pytest.approx(1.0)
    assert row["epsilon_squared"] == pytest.approx(0.0, abs=1e-9)
    assert row["effect"] == "negligible"


def test_kruskal_two_groups_by_hand():
    # groups {1, 2} and {3, 4, 5}: N = 5, R = 3 and 12
    #   H = 12 / 30 * (9/2 + 144/3) - 18 = 0.4 * 52.5 - 18 = 3.0;  p = P(chi2_1 > 3) = erfc(sqrt(3/2))
    table = kruskal_tests(pd.DataFrame({"x": [1, 2, 3, 4, 5]}), np.array([1, 1, 2, 2, 2]), ["x"])
    assert table.loc["x", "H"] == pytest.approx(3.0)
    assert table.loc["x", "p_value"] == pytest.approx(math.erfc(math.sqrt(1.5)), rel=1e-9)
    assert table.loc["x", "epsilon_squared"] == pytest.approx(0.75)  # 3 / 4
    assert table.loc["x", "effect"] == "very strong"


# --- stability and separation ----------------------------------------------------------------


@pytest.fixture(scope="module")
def separated():
    profile = separated_profile()
    return profile, SegmentModel(n_segments=3, random_state=0).fit(profile)


def test_bootstrap_stability_on_separated_data(separated):
    profile, model = separated
    stability = bootstrap_stability(model, profile, n_boot=5, seed=3)
    assert stability.name == "ari"
    assert stability.index.tolist() == [1, 2, 3, 4, 5]
    assert stability.index.name == "resample"
    assert stability.mean() > 0.9
    assert (stability <= 1.0 + 1e-12).all()


def test_bootstrap_stability_is_reproducible(separated):
    profile, model = separated
    a = bootstrap_stability(model, profile, n_boot=3, seed=11)
    b = bootstrap_stability(model, profile, n_boot=3, seed=11)
    pd.testing.assert_series_equal(a, b)
    # the chosen model itself is not refitted
    assert model.random_state == 0


def test_segment_silhouettes_by_hand():
    # two customers at log1p (0,0,0) and two at (2,2,2): within-segment distance 0, between 2 sqrt 3
    # -> every silhouette width is (b - a) / max(a, b) = (2 sqrt 3 - 0) / 2 sqrt 3 = 1
    profile = pd.DataFrame(np.expm1([[0, 0, 0], [0, 0, 0], [2, 2, 2], [2, 2, 2]]), columns=FEATURES)
    model = SegmentModel(n_segments=2, random_state=0).fit(profile)
    widths = segment_silhouettes(model, profile, pd.Series(model.predict(profile)))
    assert widths.name == "silhouette"
    assert widths.index.name == "segment"
    assert widths.to_dict() == {1: pytest.approx(1.0), 2: pytest.approx(1.0)}


def test_segment_silhouettes_on_separated_data(separated):
    profile, model = separated
    widths = segment_silhouettes(model, profile, model.predict(profile), sample=60, seed=1)
    assert widths.index.tolist() == [1, 2, 3]
    assert (widths > 0.5).all()


# --- verdicts --------------------------------------------------------------------------------


CFG = {"validation": {"alpha": 0.05, "min_stability": 0.75}}


def test_hypothesis_verdicts():
    stability = pd.Series([0.9, 0.8])  # mean 0.85 >= 0.75 -> H1 supported
    tests = pd.DataFrame(
        {"p_value": [0.01, 0.001, 0.2], "epsilon_squared": [0.5, 0.03, 0.3]},  # only the first differs
        index=["recency_days", "frequency", "monetary"],
    )
    silhouettes = pd.Series([0.3, 0.25], index=[1, 2])  # lowest 0.25 >= 0.25 -> H3 supported
    verdicts = hypothesis_verdicts(stability, tests, silhouettes, CFG)
    assert verdicts.index.tolist() == ["H1", "H2", "H3"]
    assert verdicts.columns.tolist() == ["hypothesis", "evidence", "verdict"]
    assert verdicts["verdict"].tolist() == ["supported", "not supported", "supported"]
    assert verdicts.loc["H1", "evidence"] == "refits on resampled customers agree with the chosen segments: mean ARI = 0.85 (bar 0.75)"
    assert verdicts.loc["H2", "evidence"] == "1 of 3 features differ (p < 0.05, ε² ≥ 0.04)"
    assert verdicts.loc["H3", "evidence"] == "lowest segment silhouette = 0.25 (bar 0.25)"


def test_hypothesis_verdicts_all_failing_and_all_passing():
    tests = pd.DataFrame({"p_value": [0.001, 0.001], "epsilon_squared": [0.04, 0.5]}, index=["a", "b"])
    good = hypothesis_verdicts(pd.Series([0.75, 0.75]), tests, pd.Series([0.6, 0.4]), CFG)
    assert (good["verdict"] == "supported").all()  # bars are inclusive: ARI 0.75, eps2 0.04
    tests_bad = tests.assign(p_value=[0.05, 0.001])  # p = alpha is not significant
    bad = hypothesis_verdicts(pd.Series([0.7, 0.79]), tests_bad, pd.Series([0.6, 0.2]), CFG)
    assert (bad["verdict"] == "not supported").all()


def test_best_jaccard_by_hand():
    reference = np.array([1, 1, 1, 2, 2, 3])
    labels = np.array([0, 0, 5, 5, 5, 5])
    # segment 1 = {0,1,2}: with cluster 0 = {0,1}: 2/3; with cluster 5 = {2,3,4,5}: 1/6 -> 2/3
    # segment 2 = {3,4}: with cluster 5: 2/4 = 0.5; segment 3 = {5}: with cluster 5: 1/4
    result = best_jaccard(reference, labels)
    assert result.to_dict() == pytest.approx({1: 2 / 3, 2: 0.5, 3: 0.25})


def test_segment_stability_flags_a_segment_that_does_not_come_back():
    rng = np.random.default_rng(0)
    # two tight, far apart groups plus one diffuse group between them
    groups = [(0.0, 0.1, 150), (6.0, 0.1, 150), (3.0, 1.5, 150)]
    logs = np.vstack([rng.normal(c, sd, size=(n, 3)) for c, sd, n in groups])
    profile = pd.DataFrame(np.expm1(np.abs(logs)), columns=FEATURES)
    model = SegmentModel(n_segments=3, random_state=0).fit(profile)
    table = segment_stability(model, profile, n_boot=8, seed=0)
    assert list(table.columns) == ["jaccard", "jaccard_min", "stable"]
    assert table["jaccard"].between(0, 1).all()
    assert table["stable"].tolist() == (table["jaccard"] >= 0.6).tolist()
    again = segment_stability(model, profile, n_boot=8, seed=0)
    pd.testing.assert_frame_equal(table, again)


def test_segment_verdicts_by_hand():
    segments = pd.DataFrame({"segment": [1, 1, 1, 2, 2, 3]})
    silhouettes = pd.Series({1: 0.5, 2: 0.2, 3: 0.4})
    personas = [{"segment": 1, "name": "A", "stability": 0.9}, {"segment": 2, "name": "B", "stability": 0.8},
                {"segment": 3, "name": "C", "stability": 0.4}]
    cfg = {"validation": {"min_segment_stability": 0.6, "min_separation": 0.25}}
    table = segment_verdicts(segments, silhouettes, personas, cfg)
    assert table["customers"].to_dict() == {1: 3, 2: 2, 3: 1}
    assert table.loc[1, "verdict"] == "target"
    assert table.loc[2, "verdict"] == "do not target alone: blends with neighbours (silhouette 0.20 < 0.25)"
    assert table.loc[3, "verdict"] == "do not target alone: unstable (Jaccard 0.40 < 0.6)"


def test_chi_square_and_cramers_v_by_hand():
    segments = pd.Series([1, 1, 1, 1, 2, 2, 2, 2])
    profile = pd.DataFrame({"abc_class": ["A", "A", "A", "B", "B", "B", "B", "A"], "same": ["x"] * 8})
    table = chi_square_tests(profile, segments, ["abc_class", "same"])
    # counts: segment 1 A3 B1, segment 2 A1 B3; expected 2 each: chi2 = 4 * 1/2 = 2, 1 df
    # p = P(chi2_1 > 2) = erfc(1) = 0.1573; V = sqrt(2 / (8 * 1)) = 0.5; "same" has one category: skipped
    assert table.index.tolist() == ["abc_class"]
    row = table.loc["abc_class"]
    assert row["chi2"] == pytest.approx(2.0) and row["dof"] == 1
    assert row["p_value"] == pytest.approx(math.erfc(1.0))
    assert row["cramers_v"] == pytest.approx(0.5)


def test_pairwise_mann_whitney_with_holm_by_hand():
    profile = pd.DataFrame({"monetary": [1, 2, 3, 4, 5, 6, 7, 8, 9]})
    segments = pd.Series([1, 1, 1, 2, 2, 2, 3, 3, 3])
    table = pairwise_tests(profile, segments, ["monetary"])
    # every pair fully separated: U = 0, exact two-sided p = 2 / C(6, 3) = 0.1; rank-biserial 1 - 0 = 1
    # Holm over 3 equal p-values: 3 * 0.1 = 0.3 for all
    assert table[["segment_a", "segment_b"]].values.tolist() == [[1, 2], [1, 3], [2, 3]]
    assert table["U"].tolist() == [0.0, 0.0, 0.0]
    assert table["p_value"].tolist() == pytest.approx([0.1, 0.1, 0.1])
    assert table["p_holm"].tolist() == pytest.approx([0.3, 0.3, 0.3])
    assert table["rank_biserial"].tolist() == [1.0, 1.0, 1.0]
    assert not table["differs"].any()
