"""Unit tests of the test step's evaluation: difference tests, stability, silhouettes, the reference
without groups and the verdicts, with their words (segkit_helpers.report.test)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from segkit_helpers.schemes.behavioural import FEATURES, SegmentModel
from segkit_helpers.evaluation.stats import NOT_TESTABLE
from segkit_helpers.evaluation.differences import (
    CIRCULAR,
    clustering_differences,
    difference_tests,
    holdout_differences,
    holdout_features,
    pairwise_tests,
    segment_distinctness,
)
from segkit_helpers.evaluation.structure import null_reference, segment_silhouettes
from segkit_helpers.errors import InputError
from segkit_helpers.evaluation.validation import best_jaccard, bootstrap_stability, refit_labels, segment_stability
from segkit_helpers.evaluation.verdicts import hypothesis_verdicts, segment_verdicts
from segkit_helpers.report.test import (
    CONSTRUCTED,
    NATURAL,
    hypothesis_table,
    null_table,
    readable_tests,
    segment_table,
    structure_reading,
    structure_record,
)
from tests.test_schemes import config


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
    profile = pd.concat(parts, ignore_index=True)
    return profile.assign(customer_id=[f"c{i}" for i in range(len(profile))])


# --- differences between segments --------------------------------------------------------


def test_difference_tests_by_hand():
    profile = pd.DataFrame({
        # segment 7: 1, 2, 3; segment 8: 4, 5, 6; segment 9: 7, 8, 9 (no ties: ranks = values)
        "separated": [1, 4, 7, 2, 5, 8, 3, 6, 9],
        # rank sums 1+5+9 = 15, 2+6+7 = 15, 3+4+8 = 15: no difference at all
        "mixed": [1, 2, 3, 5, 6, 4, 9, 7, 8],
    })
    segments = pd.Series([7, 8, 9, 7, 8, 9, 7, 8, 9])
    table = difference_tests(profile, segments, ["separated", "mixed"])
    assert table.index.tolist() == ["separated", "mixed"]
    assert table.columns.tolist() == ["test", "statistic", "p_value", "p_holm", "significance", "effect",
                                      "effect_size", "strength", "differs", "reason"]
    # separated: H = 12 / (N (N + 1)) * sum(R^2 / n) - 3 (N + 1) = 12/90 * (12 + 75 + 192) - 30 = 7.2
    #   p = P(chi2 with 2 df > 7.2) = exp(-3.6) = 0.0273; eps2 = 7.2 / 8 = 0.9 -> very strong
    row = table.loc["separated"]
    assert row["statistic"] == pytest.approx(7.2)
    assert row["p_value"] == pytest.approx(math.exp(-3.6), rel=1e-9)
    assert row["effect"] == "ε²" and row["effect_size"] == pytest.approx(0.9) and row["strength"] == "very strong"
    # mixed: H = 12/90 * 225 - 30 = 0; p = 1. Holm over the two: 2 * 0.0273 = 0.0546 -> not below 0.05
    row = table.loc["mixed"]
    assert row["statistic"] == pytest.approx(0.0, abs=1e-9) and row["p_value"] == pytest.approx(1.0)
    assert row["strength"] == "negligible"
    assert table["p_holm"].tolist() == pytest.approx([2 * math.exp(-3.6), 1.0])
    assert table.loc["separated", "significance"] == "p = 0.055"
    assert not table["differs"].any()


def test_difference_tests_two_groups_and_a_category_by_hand():
    profile = pd.DataFrame({"x": [1, 2, 3, 4, 5, 6, 7, 8], "abc_class": ["A", "A", "A", "B", "B", "B", "B", "A"]})
    table = difference_tests(profile, np.array([1, 1, 1, 1, 2, 2, 2, 2]), ["x", "abc_class"])
    # x: groups {1..4}, {5..8}: R = 10, 26, H = 12/72 * (100/4 + 676/4) - 27 = 5.333; eps2 = 5.333 / 7 = 0.762
    assert table.loc["x", "statistic"] == pytest.approx(5.333, abs=1e-3)
    assert table.loc["x", "effect_size"] == pytest.approx(16 / 3 / 7, abs=1e-4)
    # abc_class: A3 B1 / A1 B3, chi2 = 2 without Yates, V = sqrt(2 / 8) = 0.5, p = erfc(1)
    row = table.loc["abc_class"]
    assert row["test"] == "chi-square test of independence" and row["statistic"] == pytest.approx(2.0)
    assert row["p_value"] == pytest.approx(math.erfc(1.0)) and row["effect_size"] == pytest.approx(0.5)


def test_constant_feature_is_not_testable_without_warnings():
    profile = pd.DataFrame({"frequency": [1] * 6, "channel": ["web"] * 6, "x": [1, 2, 3, 4, 5, 6]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = difference_tests(profile, [1, 1, 1, 2, 2, 2], ["frequency", "channel", "x"])
    assert table.loc[["frequency", "channel"], "strength"].tolist() == [NOT_TESTABLE, NOT_TESTABLE]
    assert table.loc[["frequency", "channel"], "significance"].tolist() == [NOT_TESTABLE, NOT_TESTABLE]
    assert not table.loc[["frequency", "channel"], "differs"].any()
    readable = readable_tests(table)
    assert readable.loc["frequency", "effect"] == "not testable: every customer has the same value"
    assert readable.loc["frequency", "statistic"] == "—"
    assert "nan" not in readable.to_string().lower()


def test_clustering_features_are_described_as_circular_and_rfm_beside_them():
    profile = separated_profile().assign(channel=lambda d: np.where(d["monetary"] > 1000, "retail", "horeca"))
    cfg = config("firmographic", features=["channel"])
    segments = pd.DataFrame({"segment": np.repeat([1, 2, 3], 30)})
    table = clustering_differences(profile, segments, cfg)
    assert table.index.tolist() == ["channel", *FEATURES]
    assert table["role"].tolist() == [CIRCULAR, "descriptor", "descriptor", "descriptor"]


def test_holdout_features_leave_clustering_features_and_their_functions_out():
    profile = pd.DataFrame(columns=[*FEATURES, "avg_order_value", "r_score", "profit", "tenure_days",
                                    "distinct_products", "xyz_class", "Fresh"])
    assert holdout_features(profile, config()) == ["tenure_days", "distinct_products", "xyz_class"]
    firm = config("firmographic", features=["Fresh"])
    assert holdout_features(profile, firm) == [*FEATURES, "avg_order_value", "tenure_days", "distinct_products",
                                               "xyz_class"]
    chosen = config(features=["recency_days", "tenure_days"])
    chosen["validation"]["test_features"] = ["tenure_days", "frequency", "unknown"]
    assert holdout_features(profile, chosen) == ["frequency"]


def test_pairwise_mann_whitney_with_holm_by_hand():
    profile = pd.DataFrame({"monetary": [1, 2, 3, 4, 5, 6, 7, 8, 9], "flat": [1] * 9, "cat": ["a"] * 9})
    segments = pd.Series([1, 1, 1, 2, 2, 2, 3, 3, 3])
    table = pairwise_tests(profile, segments, ["monetary", "flat", "cat"])
    # every pair fully separated, the first segment lower: U1 = 0, exact two-sided p = 2 / C(6, 3) = 0.1;
    # rank-biserial 2 * 0 / 9 - 1 = -1 (negative: segment a is lower); Holm over 3 equal p-values: 0.3.
    # The constant and the categorical features are left out.
    assert table[["segment_a", "segment_b"]].values.tolist() == [[1, 2], [1, 3], [2, 3]]
    assert table["U"].tolist() == [0.0, 0.0, 0.0]
    assert table["p_value"].tolist() == pytest.approx([0.1, 0.1, 0.1])
    assert table["p_holm"].tolist() == pytest.approx([0.3, 0.3, 0.3])
    assert table["rank_biserial"].tolist() == [-1.0, -1.0, -1.0]
    assert not table["differs"].any()


# --- stability and separation ----------------------------------------------------------------


@pytest.fixture(scope="module")
def separated():
    profile = separated_profile()
    return profile, SegmentModel(n_segments=3, random_state=0).fit(profile)


def test_bootstrap_stability_on_separated_data(separated):
    profile, model = separated
    stability = bootstrap_stability(model, profile, refit_labels(model, profile, n_boot=5, seed=3))
    assert stability.name == "ari"
    assert stability.index.tolist() == [1, 2, 3, 4, 5]
    assert stability.index.name == "resample"
    assert stability.mean() > 0.9
    assert (stability <= 1.0 + 1e-12).all()


def test_bootstrap_stability_is_reproducible(separated):
    profile, model = separated
    a = bootstrap_stability(model, profile, refit_labels(model, profile, n_boot=3, seed=11))
    b = bootstrap_stability(model, profile, refit_labels(model, profile, n_boot=3, seed=11))
    pd.testing.assert_series_equal(a, b)
    # the chosen model itself is not refitted
    assert model.random_state == 0


def test_refits_are_read_by_customer_id_and_a_missing_customer_is_named(separated):
    profile, model = separated
    refits = refit_labels(model, profile, n_boot=3, seed=11)
    assert refits.columns.tolist() == ["customer_id", "resample_1", "resample_2", "resample_3"]
    shuffled = refits.sample(frac=1.0, random_state=0)  # as read back from a file in another order
    pd.testing.assert_series_equal(bootstrap_stability(model, profile, shuffled), bootstrap_stability(model, profile, refits))
    pd.testing.assert_frame_equal(segment_stability(model, profile, shuffled), segment_stability(model, profile, refits))
    missing = r"bootstrap_refits.parquet has no bootstrap refits for 1 customer\(s\) .* \(e.g. 'c0'\)"
    with pytest.raises(InputError, match=missing):
        bootstrap_stability(model, profile, refits.iloc[1:])


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


BARS = {"alpha": 0.05, "min_stability": 0.75}
NATURAL_STRUCTURE = {"natural": True, "rule_based": False, "segments": 3, "draws": 2, "silhouette": 0.6,
                     "stability": 0.9, "null_silhouette": [0.3, 0.25], "null_stability": [0.8, 0.7],
                     "null_silhouette_max": 0.3, "null_stability_mean": 0.75, "separated": True, "stable": True}
CONSTRUCTED_STRUCTURE = {**NATURAL_STRUCTURE, "natural": False, "silhouette": 0.31, "separated": False}


def holdout_table(p_holm: list[float], strength: list[str]) -> pd.DataFrame:
    names = [f"f{i}" for i in range(len(p_holm))]
    return pd.DataFrame({"p_holm": p_holm, "strength": strength,
                         "differs": [p < 0.05 and s in ("moderate", "strong") for p, s in zip(p_holm, strength)]},
                        index=names)


def test_hypothesis_verdicts():
    stability = pd.Series([0.9, 0.8])  # mean 0.85 >= 0.75 -> H1 supported
    holdout = holdout_table([0.01, 0.001, 0.2, np.nan], ["moderate", "weak", "strong", NOT_TESTABLE])
    found = hypothesis_verdicts(stability, holdout, CONSTRUCTED_STRUCTURE, BARS)
    assert found["H1"] == {"verdict": "supported", "mean_ari": pytest.approx(0.85), "bar": 0.75}
    assert found["H2"] == {"verdict": "supported", "differ": ["f0"], "testable": 3, "alpha": 0.05}
    verdicts = hypothesis_table(found, CONSTRUCTED_STRUCTURE)
    assert verdicts.index.tolist() == ["H1", "H2", "H3"]
    assert verdicts.columns.tolist() == ["hypothesis", "evidence", "verdict"]
    assert verdicts["verdict"].tolist() == ["supported", "supported", "not supported"]
    assert verdicts.loc["H1", "evidence"] == "refits on resampled customers agree with the chosen segments: mean ARI = 0.85 (bar 0.75)"
    assert verdicts.loc["H2", "evidence"] == ("1 of 3 features not used to build the segments differ (Holm p < 0.05, "
                                              "at least a moderate effect): f0")
    assert verdicts.loc["H3", "evidence"] == ("silhouette 0.31 against at most 0.30 in 2 draws without groups; "
                                              "stability (ARI) 0.90 against 0.75 on average")


def test_hypothesis_verdicts_can_say_no_and_not_testable():
    nothing = holdout_table([0.2, 0.01], ["strong", "weak"])
    verdicts = hypothesis_verdicts(pd.Series([0.7, 0.79]), nothing, CONSTRUCTED_STRUCTURE, BARS)
    assert [v["verdict"] for v in verdicts.values()] == ["not supported"] * 3
    assert hypothesis_table(verdicts, CONSTRUCTED_STRUCTURE).loc["H2", "evidence"].startswith("0 of 2 features")
    untestable = holdout_table([np.nan], [NOT_TESTABLE])
    verdicts = hypothesis_verdicts(pd.Series([0.75]), untestable, NATURAL_STRUCTURE, BARS)
    assert [v["verdict"] for v in verdicts.values()] == ["supported", NOT_TESTABLE, "supported"]  # ARI bar inclusive
    assert hypothesis_table(verdicts, NATURAL_STRUCTURE).loc["H2", "evidence"] == \
        "no feature outside the clustering features can be tested"


def test_null_table_lists_the_real_fit_and_every_draw():
    structure = {**NATURAL_STRUCTURE, "silhouette": 0.5, "null_silhouette": [0.3, 0.31]}
    table = null_table(structure)
    assert table.index.tolist() == ["the customers", "without groups, draw 1", "without groups, draw 2"]
    assert table["silhouette"].tolist() == [0.5, 0.3, 0.31]


def test_structure_in_words():
    assert structure_reading(NATURAL_STRUCTURE).startswith("Natural segments: the 3 segments are clearly better")
    assert "are no better separated than" in structure_reading(CONSTRUCTED_STRUCTURE)
    assert "are less stable than" in structure_reading({**NATURAL_STRUCTURE, "natural": False, "stable": False})
    record = structure_record(CONSTRUCTED_STRUCTURE)
    assert list(record) == ["verdict", "natural", "method", "rule", "draws", "silhouette", "stability",
                            "null_silhouette", "null_stability", "evidence", "reading"]
    assert record["verdict"] == CONSTRUCTED and record["rule"].startswith("natural when the silhouette beats")


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
    profile = pd.DataFrame(np.expm1(np.abs(logs)), columns=FEATURES).assign(customer_id=lambda d: d.index.astype(str))
    model = SegmentModel(n_segments=3, random_state=0).fit(profile)
    table = segment_stability(model, profile, refit_labels(model, profile, n_boot=8, seed=0))
    assert list(table.columns) == ["jaccard", "jaccard_min", "stable"]
    assert table["jaccard"].between(0, 1).all()
    assert table["stable"].tolist() == (table["jaccard"] >= 0.6).tolist()
    again = segment_stability(model, profile, refit_labels(model, profile, n_boot=8, seed=0))
    pd.testing.assert_frame_equal(table, again)


def test_segment_verdicts_by_hand():
    segments = pd.DataFrame({"segment": [1, 1, 1, 2, 2, 3, 4]})
    silhouettes = pd.Series({1: 0.5, 2: 0.2, 3: 0.4, 4: 0.6})
    personas = [{"segment": 1, "name": "A", "stability": 0.9}, {"segment": 2, "name": "B", "stability": 0.8},
                {"segment": 3, "name": "C", "stability": 0.4}, {"segment": 4, "name": "D", "stability": 0.9}]
    distinct = pd.DataFrame({"distinct_on": ["tenure_days", "tenure_days", "xyz_class", ""],
                             "n_distinct": [1, 1, 1, 0], "n_testable": 2}, index=pd.Index([1, 2, 3, 4], name="segment"))
    bars = {"min_segment_stability": 0.6, "min_separation": 0.25}
    found = segment_verdicts(segments, silhouettes, personas, distinct, NATURAL_STRUCTURE, bars)
    assert found["blends"].tolist() == [False, True, False, False]
    assert found["unstable"].tolist() == [False, False, True, False]
    assert found["indistinct"].tolist() == [False, False, False, True]
    table = segment_table(found, bars)
    assert table.columns.tolist() == ["name", "customers", "stability", "separation", "distinct_on", "verdict"]
    assert table["customers"].to_dict() == {1: 3, 2: 2, 3: 1, 4: 1}
    assert table.loc[1, "verdict"] == "target"
    assert table.loc[2, "verdict"] == "do not target alone: blends with neighbours (silhouette 0.20 < 0.25)"
    assert table.loc[3, "verdict"] == "do not target alone: unstable (Jaccard 0.40 < 0.6)"
    assert table.loc[4, "verdict"] == "do not target alone: differs from other customers on no feature it was not built from"
    constructed = segment_verdicts(segments, silhouettes, personas, distinct, CONSTRUCTED_STRUCTURE, bars)
    assert constructed.loc[1, "verdict"] == "target as a division with soft borders"
    nothing_to_test = distinct.assign(n_testable=0)
    assert segment_verdicts(segments, silhouettes, personas, nothing_to_test, NATURAL_STRUCTURE, bars).loc[4, "verdict"] \
        == "target"  # no held-out feature could be tested: not judged on it
    both = segment_verdicts(segments, pd.Series({3: 0.1}), personas, distinct, NATURAL_STRUCTURE, bars)
    assert segment_table(both, bars).loc[3, "verdict"] == (
        "do not target alone: unstable (Jaccard 0.40 < 0.6); blends with neighbours (silhouette 0.10 < 0.25)")


def test_segment_distinctness_names_the_held_out_features_a_segment_differs_on():
    rng = np.random.default_rng(0)
    segments = pd.DataFrame({"segment": np.repeat([1, 2, 3], 60)})
    data = pd.DataFrame({"tenure_days": np.where(segments["segment"] == 1, 400, 100) + rng.normal(0, 10, 180),
                         "distinct_products": rng.poisson(10, 180), "recency_days": rng.normal(50, 5, 180)})
    table = segment_distinctness(data, segments, config(features=["recency_days"]))
    assert table.loc[1, "distinct_on"] == "tenure_days"  # segment 1 against the rest
    assert table.loc[2, "distinct_on"] == "tenure_days"  # the rest of the customers include segment 1
    assert table["n_distinct"].tolist() == [1, 1, 1]
    assert table["n_testable"].tolist() == [2, 2, 2]
    assert "recency_days" not in table["distinct_on"].str.cat()  # a clustering feature is never evidence
    cfg = config(features=["recency_days"])
    cfg["validation"]["test_features"] = []  # nothing outside the clustering features
    nothing = segment_distinctness(data, segments, cfg)
    assert nothing["distinct_on"].tolist() == ["", "", ""] and nothing["n_testable"].tolist() == [0, 0, 0]
    assert holdout_differences(data, segments, cfg).empty
    assert readable_tests(holdout_differences(data, segments, cfg)).columns.tolist() == ["reading"]



# --- are the segments real? The reference without groups ------------------------------------


def continuum(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Customers without groups: ONE correlated log-normal population of recency, frequency and order value."""
    rng = np.random.default_rng(seed)
    cov = np.array([[0.6, -0.3, -0.2], [-0.3, 0.6, 0.3], [-0.2, 0.3, 0.5]])
    logs = rng.multivariate_normal([np.log(40), np.log(8), np.log(150)], cov, size=n)
    frequency = np.maximum(1, np.round(np.exp(logs[:, 1])))
    return pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "recency_days": np.round(np.exp(logs[:, 0])),
                         "frequency": frequency, "monetary": np.round(frequency * np.exp(logs[:, 2]), 2)})


def structure_of(data: pd.DataFrame, cfg: dict, k: int) -> dict:
    from segkit_helpers.schemes.common import new_model, scheme_features

    cfg["seed"] = 0
    return structure_record(null_reference(new_model(cfg, k, scheme_features(data, cfg)).fit(data), data, cfg))


@pytest.mark.parametrize("seed, k", [(0, 3), (1, 4)])
def test_a_population_without_groups_gives_constructed_segments(seed, k):
    structure = structure_of(continuum(seed=seed), config(stability_resamples=5), k)
    assert structure["verdict"] == CONSTRUCTED and structure["natural"] is False
    assert len(structure["null_silhouette"]) == len(structure["null_stability"]) == structure["draws"] == 5
    assert structure["reading"].startswith("Constructed segments: useful divisions, not natural types")


def test_planted_types_give_natural_segments():
    from tests.test_schemes import four_types

    structure = structure_of(four_types()[0], config(stability_resamples=5), 4)
    assert structure["verdict"] == NATURAL
    assert structure["silhouette"] >= max(structure["null_silhouette"]) + 0.05
    assert structure["reading"].startswith("Natural segments")


def test_the_reference_is_seeded():
    a = structure_of(continuum(n=300), config(stability_resamples=3), 3)
    b = structure_of(continuum(n=300), config(stability_resamples=3), 3)
    assert a == b


FIRM = dict(features=["industry", "region", "legal_form", "employees", "annual_revenue"],
            log_features=["employees", "annual_revenue"], stability_resamples=5)


def test_firmographic_planted_types_are_natural_and_shuffled_attributes_constructed():
    from segkit_helpers.datasets.firmographic import make_firmographic_sample

    firms, _ = make_firmographic_sample(n=400, k=4, seed=0)
    assert structure_of(firms, config("firmographic", **FIRM), 4)["verdict"] == NATURAL
    rng = np.random.default_rng(0)
    flat = firms.copy()
    for column in ["industry", "region", "legal_form"]:
        flat[column] = rng.permutation(flat[column].to_numpy())
    employees = rng.lognormal(np.log(20), 1.0, len(flat))  # one population: revenue follows size
    flat["employees"] = np.round(employees).astype(int)
    flat["annual_revenue"] = np.round(employees * 30000 * rng.lognormal(0, 0.4, len(flat)), -2)
    assert structure_of(flat, config("firmographic", **FIRM), 4)["verdict"] == CONSTRUCTED


def test_value_loyalty_quadrants_are_constructed_by_rule():
    structure = null_reference(None, pd.DataFrame(), config("value_loyalty"))
    assert structure_record(structure)["verdict"] == CONSTRUCTED and structure["draws"] == 0
    assert structure_record(structure)["reading"] == ("Constructed segments: useful divisions, not natural types: the "
                                                      "four quadrants are thresholds on profit and loyalty, not groups "
                                                      "found in the data.")
    assert null_table(structure).columns.tolist() == ["reading"]


def one_population_transactions(n_customers: int = 600, seed: int = 0, start: str = "2023-01-01",
                                days: int = 540) -> pd.DataFrame:
    """Order lines of a shop WITHOUT buyer types: :func:`tests.conftest.make_transactions` with each
    customer's pace and basket size drawn from one log-normal population instead of three types."""
    rng = np.random.default_rng(seed)
    start_ts = pd.Timestamp(start)
    rows, invoice = [], 100000
    for c in range(n_customers):
        gap, value = rng.lognormal(np.log(50), 0.8), rng.lognormal(np.log(150), 0.8)
        day = rng.integers(0, days // 2)
        while day < days:
            invoice += 1
            for _ in range(rng.integers(1, 4)):
                price = round(float(rng.gamma(4.0, value / 4.0 / 6.0)), 2) + 0.01
                rows.append((str(invoice), f"P{rng.integers(1, 40):03d}", int(rng.integers(1, 12)),
                             start_ts + pd.Timedelta(days=int(day), hours=10), price, 10000 + c))
            day += max(1, int(rng.exponential(gap)))
    return pd.DataFrame(rows, columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"])


@pytest.mark.parametrize("shop, verdict", [("one population", CONSTRUCTED), ("three planted types", NATURAL)])
def test_verdict_from_order_lines(tmp_path, shop, verdict):
    """The issue's case: order lines with no structure give constructed segments, planted buyer types natural ones."""
    from segkit_helpers.io.config import load_config
    from segkit_helpers.research.profile import profile_from_config
    from segkit_helpers.schemes.common import choose_k, fit_segments
    from tests.conftest import make_transactions, write_cycle_config

    lines = one_population_transactions() if shop == "one population" else make_transactions(600, seed=1)
    lines.to_parquet(tmp_path / "lines.parquet", index=False)
    path = write_cycle_config(tmp_path, tmp_path / "lines.parquet", "c", "2024-06-23", clv={"enabled": False},
                              segmentation={"k_range": [2, 5], "stability_resamples": 5})
    cfg = load_config(path)
    profile, _ = profile_from_config(path)
    model, segments = fit_segments(profile, choose_k(profile, cfg), cfg)
    assert structure_record(null_reference(model, profile, cfg))["verdict"] == verdict


def test_needs_planted_personas_are_natural_and_shuffled_answers_constructed():
    from segkit_helpers.datasets.survey import QUESTIONS, make_survey

    survey, _ = make_survey(n=300, seed=0)
    needs = dict(features=list(QUESTIONS), weight_column="weight", stability_resamples=2)
    assert structure_of(survey, config("needs", **needs), 4)["verdict"] == NATURAL
    rng = np.random.default_rng(0)
    shuffled = survey.copy()
    for question in QUESTIONS:  # every answer keeps its distribution, the personas are gone
        shuffled[question] = survey[question].iloc[rng.permutation(len(survey))].set_axis(survey.index)
    assert structure_of(shuffled, config("needs", **needs), 4)["verdict"] == CONSTRUCTED


# --- the step module and its artefact --------------------------------------------------------


def test_validation_artefact_writes_figures_verdicts_and_words(tmp_path):
    from segkit_helpers.steps.test import ValidationArtefact

    rng = np.random.default_rng(0)
    segments = pd.DataFrame({"customer_id": [f"c{i}" for i in range(60)], "segment": np.repeat([1, 2], 30)})
    data = pd.DataFrame({"tenure_days": np.where(segments["segment"] == 1, 400, 100) + rng.normal(0, 10, 60)})
    holdout = difference_tests(data, segments["segment"], ["tenure_days"])
    stability = pd.Series([0.9, 0.8])
    found = segment_verdicts(segments, pd.Series({1: 0.5, 2: 0.1}), [{"segment": 1, "name": "A", "stability": 0.9}],
                             pd.DataFrame({"distinct_on": ["tenure_days", ""], "n_testable": 1}, index=[1, 2]),
                             NATURAL_STRUCTURE, {"min_segment_stability": 0.6, "min_separation": 0.25})
    sheet = pd.DataFrame({"segment": [1], "customer_id": ["c0"], "verdict": [""]})
    artefact = ValidationArtefact(
        cycle="c", stability=stability, separation=pd.Series({1: 0.5, 2: 0.1}), structure=NATURAL_STRUCTURE,
        tests=holdout, holdout_tests=holdout, hypotheses=hypothesis_verdicts(stability, holdout, NATURAL_STRUCTURE, BARS),
        segments=found, bars={"min_segment_stability": 0.6, "min_separation": 0.25},
        review=(sheet, pd.DataFrame(columns=["reviewed", "fits", "does_not_fit"])),
        experiment={"conversion_interaction": {"outcome": "converted", "segments": None, "test": "none",
                                               "statistic": np.nan, "df": 0, "p_value": np.nan}})
    written = artefact.save(tmp_path)
    assert [p.name for p in written] == ["review_sheet.csv", "validation.json"]
    record = ValidationArtefact.load(tmp_path)
    assert list(record) == ["cycle", "stability", "separation", "structure", "tests", "holdout_tests", "hypotheses",
                            "segments", "pairwise_tests", "review_agreement", "hypothesis_register", "experiment"]
    assert record["stability"]["mean_ari"] == 0.85 and record["separation"] == {"1": 0.5, "2": 0.1}
    assert record["structure"] == structure_record(NATURAL_STRUCTURE)
    assert [h["verdict"] for h in record["hypotheses"]] == ["supported", "supported", "supported"]
    assert record["segments"][1]["verdict"] == ("do not target alone: blends with neighbours (silhouette 0.10 < 0.25); "
                                                "differs from other customers on no feature it was not built from")
    assert record["segments"][1]["stability"] is None  # no persona card: NaN in the table, null in the file
    assert record["experiment"]["conversion_interaction"]["reading"] == "No experiment to test."
    assert record["review_agreement"] == [] and record["hypothesis_register"] == []
