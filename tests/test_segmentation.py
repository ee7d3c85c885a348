"""Unit tests of segkit_helpers.schemes.behavioural on planted groups and on a tiny hand-computable model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit_helpers.schemes.behavioural import (
    FEATURES,
    SegmentModel,
    assign_segments,
    log_modulus,
    name_segments,
    segment_profiles,
    scale_features,
    select_k,
)
from segkit_helpers.report.hypothesis import SOFT_QUESTIONS, draft_personas, persona_table
from segkit_helpers.schemes.kselect import bootstrap_ari, chosen_k, cluster_tendency, explain_k, hopkins_statistic

# Three planted groups: (recency days, orders, net revenue) around which customers are drawn.
GROUPS = [(5, 30, 20000.0), (60, 5, 1500.0), (300, 1, 100.0)]


def planted_profile(n: int = 60, seed: int = 0) -> pd.DataFrame:
    """A customer profile with three well-separated groups (``group`` 0 = most valuable)."""
    rng = np.random.default_rng(seed)
    parts = []
    for g, (r, f, m) in enumerate(GROUPS):
        frequency = np.maximum(1, np.round(rng.lognormal(np.log(f), 0.2, n)))
        monetary = np.round(rng.lognormal(np.log(m), 0.2, n), 2)
        parts.append(
            pd.DataFrame(
                {
                    "recency_days": np.round(rng.lognormal(np.log(r + 1), 0.2, n)),
                    "frequency": frequency,
                    "monetary": monetary,
                    "orders_per_quarter": frequency / 4,
                    "avg_order_value": monetary / frequency,
                    "tenure_days": 365.0,
                    "profit": 0.25 * monetary - 5 * frequency,
                    "value_loyalty_quadrant": ["profitable & loyal", "unprofitable & loyal",
                                               "unprofitable & disloyal"][g],
                    "group": g,
                }
            )
        )
    profile = pd.concat(parts, ignore_index=True)
    profile.insert(0, "customer_id", [f"{i:05d}" for i in range(len(profile))])
    return profile


@pytest.fixture(scope="module")
def profile() -> pd.DataFrame:
    return planted_profile()


@pytest.fixture(scope="module")
def model(profile) -> SegmentModel:
    return SegmentModel(n_segments=3, random_state=0).fit(profile)


def from_logs(logs) -> pd.DataFrame:
    """Customers whose log1p(recency, frequency, monetary) are the given triples."""
    return pd.DataFrame(np.expm1(np.asarray(logs, dtype=float)), columns=FEATURES)


@pytest.fixture
def tiny_model() -> SegmentModel:
    """Two customers at log1p (0,0,0) and two at (2,2,2).

    Standardising each column [0, 0, 2, 2]: mean 1, SD 1, so the centres are
    z = (1,1,1) (higher revenue: segment 1) and z = (-1,-1,-1) (segment 2).
    """
    return SegmentModel(n_segments=2, random_state=0).fit(from_logs([[0, 0, 0], [0, 0, 0], [2, 2, 2], [2, 2, 2]]))


# --- choice of k -----------------------------------------------------------------------------


def test_select_k_recommends_the_planted_three(profile):
    table = select_k(profile[FEATURES], [2, 6], seed=0)
    assert table["k"].tolist() == [2, 3, 4, 5, 6]
    assert list(table.columns) == ["k", "silhouette", "calinski_harabasz", "davies_bouldin", "inertia",
                                   "mean_rank", "stability", "stability_sd", "recommended"]
    # k = 2 (two planted groups merged) and k = 3 both come back identically on every resample:
    # the tie goes to the better internal indices, k = 3
    assert table.loc[table["k"] == 3, "stability"].item() == pytest.approx(1.0)
    assert table["recommended"].sum() == 1
    assert table.loc[table["recommended"], "k"].item() == 3
    # k = 3 is best on all three indices, so its mean rank is 1
    assert table.loc[table["k"] == 3, "mean_rank"].item() == 1.0
    assert chosen_k(table, "auto") == 3
    assert chosen_k(table, 5) == 5


def test_select_k_respects_min_k(profile):
    table = select_k(profile[FEATURES], [2, 6], seed=0, min_k=4)
    assert table.loc[table["recommended"], "k"].item() >= 4


def test_cluster_tendency_and_explanation(profile):
    table = select_k(profile[FEATURES], [2, 4], seed=0)
    tendency = cluster_tendency(scale_features(profile[FEATURES]), table, seed=0)
    assert tendency["natural"] is True and tendency["hopkins"] > 0.75  # three well separated planted groups
    sentence = explain_k(table, tendency, 3)
    assert sentence.startswith("We recommend 3 segments") and "natural groups" in sentence
    assert explain_k(table, tendency, 9).startswith("We use 9 segments, as set in the configuration")


def test_hopkins_statistic_of_random_and_clustered_data():
    rng = np.random.default_rng(0)
    uniform = rng.uniform(size=(2000, 3))
    # Hopkins & Skellam: about 0.5 for points spread at random
    assert hopkins_statistic(uniform, seed=0) == pytest.approx(0.5, abs=0.05)
    blobs = np.vstack([rng.normal(c, 0.05, size=(500, 3)) for c in (0, 3, 6)])
    assert hopkins_statistic(blobs, seed=0) > 0.9


def test_bootstrap_stability_is_seeded(profile):
    fit_predict = SegmentModel(3, 0).fit(profile).bootstrap_fit_predict(profile)
    first = bootstrap_ari(len(profile), fit_predict, seed=1, resamples=4)
    np.testing.assert_array_equal(first, bootstrap_ari(len(profile), fit_predict, seed=1, resamples=4))
    assert first.shape == (4,) and (first <= 1).all()


def test_select_k_single_candidate():
    table = select_k(planted_profile(n=20, seed=1)[FEATURES], [3, 3], seed=0)
    assert table["k"].tolist() == [3]
    assert table["recommended"].tolist() == [True]
    assert table["mean_rank"].tolist() == [1.0]


# --- SegmentModel ----------------------------------------------------------------------------


def test_model_finds_the_planted_groups_ordered_by_value(profile, model):
    labels = model.predict(profile)
    # ids are sorted by mean monetary: planted group 0 (20,000) -> 1, group 1 (1,500) -> 2, group 2 (100) -> 3
    assert np.array_equal(labels, profile["group"].to_numpy() + 1)
    mean_value = profile.groupby(labels)["monetary"].mean()
    assert mean_value.index.tolist() == [1, 2, 3]
    assert mean_value.is_monotonic_decreasing
    assert model.centers_log_.index.tolist() == [1, 2, 3]
    assert list(model.centers_log_.columns) == FEATURES


def test_same_seed_same_labels(profile):
    a = SegmentModel(n_segments=4, random_state=7).fit(profile)
    b = SegmentModel(n_segments=4, random_state=7).fit(profile)
    assert np.array_equal(a.predict(profile), b.predict(profile))
    pd.testing.assert_frame_equal(a.centers_log_, b.centers_log_)


def test_predict_proba_rows_sum_to_one(profile, model):
    proba = model.predict_proba(profile)
    assert isinstance(proba, np.ndarray) and model.classes_.tolist() == [1, 2, 3]
    assert proba.shape == (len(profile), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert ((proba >= 0) & (proba <= 1)).all()
    # the most likely segment is the assigned (nearest) one
    assert np.array_equal(model.classes_[proba.argmax(axis=1)], model.predict(profile))


def test_fit_sets_labels_and_needs_no_monetary_when_not_a_feature(profile):
    features = ["recency_days", "frequency"]
    data = profile.iloc[30:][features]  # planted group 0 has 30 customers left, groups 1 and 2 have 60
    model = SegmentModel(3, 0, features=features)
    labels = model.fit_predict(data)
    assert np.array_equal(labels, model.labels_) and np.array_equal(labels, model.predict(data))
    # without monetary, ids go by size (largest first): the 30 left of group 0 are segment 3
    assert (labels[profile.iloc[30:]["group"].to_numpy() == 0] == 3).all()


def test_tiny_model_centres(tiny_model):
    assert sorted(tiny_model.segment_ids_.tolist()) == [1, 2]
    np.testing.assert_allclose(tiny_model.centers_log_.loc[1], [2, 2, 2], atol=1e-12)
    np.testing.assert_allclose(tiny_model.centers_log_.loc[2], [0, 0, 0], atol=1e-12)


def test_fuzzy_membership_by_hand(tiny_model):
    points = from_logs([[1, 1, 1], [0, 0, 2], [1, 1, 3], [0, 0, 0]])
    proba = tiny_model.predict_proba(points)
    expected = np.array(
        [
            # z (0,0,0): equally far (sqrt 3) from both centres -> 0.5 / 0.5
            [0.5, 0.5],
            # z (-1,-1,1): d1 = sqrt(4+4+0) = 2 sqrt 2, d2 = 2 -> u1 = 1 / (1 + (2 sqrt 2 / 2)^2) = 1/3, u2 = 2/3
            [1 / 3, 2 / 3],
            # z (0,0,2): d1 = sqrt(1+1+1) = sqrt 3, d2 = sqrt(1+1+9) = sqrt 11 -> u1 = 1 / (1 + 3/11) = 11/14
            [11 / 14, 3 / 14],
            # z (-1,-1,-1): on centre 2 -> membership 1
            [0.0, 1.0],
        ]
    )
    np.testing.assert_allclose(proba, expected, atol=1e-9)
    assert tiny_model.predict(points.iloc[1:]).tolist() == [2, 1, 2]


def test_relabel(tiny_model):
    points = from_logs([[0, 0, 2], [2, 2, 2]])
    tiny_model.relabel({1: 7, 2: 3})
    assert tiny_model.predict(points).tolist() == [3, 7]
    assert tiny_model.centers_log_.index.tolist() == [3, 7]
    np.testing.assert_allclose(tiny_model.centers_log_.loc[7], [2, 2, 2], atol=1e-12)
    proba = tiny_model.predict_proba(points)
    assert tiny_model.classes_.tolist() == [3, 7]
    np.testing.assert_allclose(proba[0], [2 / 3, 1 / 3], atol=1e-9)


def test_log1p_clips_negatives():
    # sign(x) * log(1 + |x|): -log 6, 0, 1
    np.testing.assert_allclose(log_modulus(np.array([-5.0, 0.0, np.e - 1])), [-np.log(6), 0.0, 1.0])


# --- assignment ------------------------------------------------------------------------------


def test_assign_segments_secondary_threshold(tiny_model):
    customers = from_logs([[0, 0, 2], [1, 1, 3]])
    customers.insert(0, "customer_id", ["007", "008"])
    out = assign_segments(tiny_model, customers, hybrid_threshold=0.3)
    assert out.columns.tolist() == ["customer_id", "segment", "prob_1", "prob_2", "membership", "secondary_segment"]
    assert out["customer_id"].tolist() == ["007", "008"]
    assert out["segment"].tolist() == [2, 1]
    # by hand (see test_fuzzy_membership_by_hand): 007 -> (1/3, 2/3), 008 -> (11/14, 3/14)
    assert out["prob_1"].tolist() == [0.333333, 0.785714]
    assert out["prob_2"].tolist() == [0.666667, 0.214286]
    assert out["membership"].tolist() == [0.666667, 0.785714]
    # 1/3 >= 0.3 -> secondary 1; 3/14 = 0.214 < 0.3 -> none
    assert out["secondary_segment"].iloc[0] == 1
    assert pd.isna(out["secondary_segment"].iloc[1])

    lower = assign_segments(tiny_model, customers, hybrid_threshold=0.2)
    assert lower["secondary_segment"].tolist() == [1, 2]
    higher = assign_segments(tiny_model, customers, hybrid_threshold=0.5)
    assert higher["secondary_segment"].isna().all()


# --- profiles and personas -------------------------------------------------------------------


def test_segment_profiles(profile, model):
    segments = assign_segments(model, profile)
    table = segment_profiles(profile, segments, model)
    assert table.index.tolist() == [1, 2, 3]
    assert table.columns[:4].tolist() == ["customers", "customer_share", "revenue", "revenue_share"]
    assert table["customers"].tolist() == [60, 60, 60]
    assert table["customer_share"].tolist() == [0.3333, 0.3333, 0.3333]
    assert table["main_quadrant"].tolist() == ["profitable & loyal", "unprofitable & loyal",
                                               "unprofitable & disloyal"]
    np.testing.assert_allclose(table["revenue_share"].sum(), 1.0, atol=1e-3)
    np.testing.assert_allclose(table[[f"center_{f}" for f in FEATURES]].to_numpy(),
                               model.centers_log_.to_numpy(), atol=1e-4)


def test_draft_personas_on_planted_groups(profile, model):
    segments = assign_segments(model, profile)
    personas = draft_personas(segment_profiles(profile, segments, model), profile)
    names = [p["name"] for p in personas]
    assert len(set(names)) == len(names) == 3
    assert [p["segment"] for p in personas] == [1, 2, 3]
    assert names == ["Active frequent high-value buyers", "Cooling regular mid-value buyers",
                     "Lapsed occasional low-value buyers"]
    for p in personas:
        assert set(p) == {"segment", "name", "name_source", "customers", "customer_share", "revenue_share",
                          "description", "data_answers", "soft_questions"}
        assert p["name_source"] == "generated"
        assert p["soft_questions"] == SOFT_QUESTIONS
    table = persona_table(personas)
    assert table.index.tolist() == [1, 2, 3]
    named = name_segments(segments, personas)
    assert named.columns[:3].tolist() == ["customer_id", "segment", "segment_name"]
    assert named.loc[0, "segment_name"] == "Active frequent high-value buyers"


def hand_profiles(centres: dict[int, tuple[float, float, float]]) -> pd.DataFrame:
    rows = {
        seg: {"customers": 10, "customer_share": 0.25, "revenue_share": 0.5, "median_recency_days": 12.0,
              "median_frequency": 3.0, "median_monetary": 1234.0, "median_orders_per_quarter": 1.5,
              "median_avg_order_value": 411.3, "main_quadrant": "profitable & loyal",
              "center_recency_days": c[0], "center_frequency": c[1], "center_monetary": c[2]}
        for seg, c in centres.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def test_draft_personas_by_hand_and_duplicate_names():
    # all customers: log1p values (0,0,0) and (2,2,2) -> mean 1, SD 1 per feature, so z = centre - 1
    everyone = from_logs([[0, 0, 0], [2, 2, 2]])
    profiles = hand_profiles({
        1: (0.2, 1.8, 1.9),  # z (-0.8, 0.8, 0.9): Active frequent high-value
        2: (1.7, 0.3, 1.2),  # z (0.7, -0.7, 0.2): Lapsed occasional mid-value
        3: (1.7, 0.3, 1.1),  # same words as 2: both get their id appended
        4: (1.3, 1.4, 0.4),  # z (0.3, 0.4, -0.6): Cooling regular low-value
    })
    personas = draft_personas(profiles, everyone)
    assert [p["name"] for p in personas] == [
        "Active frequent high-value buyers",
        "Lapsed occasional mid-value buyers (2)",
        "Lapsed occasional mid-value buyers (3)",
        "Cooling regular low-value buyers",
    ]
    assert personas[0]["description"] == (
        "10 customers (25% of all) bringing 50% of net revenue. Typically last bought "
        "12 days ago, 3 order(s) so far, 1,234 in net revenue."
    )
    assert personas[0]["data_answers"]["How often do they buy?"] == "1.50 orders per quarter (median)"
    assert personas[0]["data_answers"]["How much of our revenue do they bring?"] == "50.0%"
    assert personas[0]["data_answers"]["Are they profitable and loyal?"] == "mostly profitable & loyal"


def test_persona_names_stick_across_cycles_and_cards_carry_stability():
    profile = planted_profile()
    model = SegmentModel(n_segments=3, random_state=0).fit(profile)
    segments = assign_segments(model, profile)
    segments["value_loyalty_quadrant"] = "profitable & loyal"
    full = profile.assign(orders_per_quarter=1.0, avg_order_value=10.0, profit=1.0,
                          value_loyalty_quadrant="profitable & loyal")
    profiles = segment_profiles(full, segments, model)
    stability = pd.DataFrame({"jaccard": [0.95, 0.5, 0.8], "jaccard_min": [0.9, 0.2, 0.7],
                              "stable": [True, False, True]}, index=pd.Index([1, 2, 3], name="segment"))
    # the team renamed segment 2 in the previous cycle's personas.yml
    previous = {"personas": [{"segment": 2, "name": "Weekend crafters"}]}
    personas = draft_personas(profiles, full, stability, previous)
    by_id = {p["segment"]: p for p in personas}
    assert by_id[2]["name"] == "Weekend crafters" and by_id[2]["name_source"] == "previous cycle"
    assert by_id[1]["name_source"] == "generated"
    assert by_id[2]["stability"] == 0.5 and by_id[2]["target_alone"] is False
    table = persona_table(personas)
    assert table.loc[2, "target alone?"].startswith("no")
    named = name_segments(segments, personas)
    hybrid = named[named["secondary_segment"].notna()]
    assert (hybrid["hybrid_label"] == hybrid["segment_name"] + " · "
            + hybrid["secondary_segment"].map({p["segment"]: p["name"] for p in personas})).all()
    assert named.loc[named["secondary_segment"].isna(), "hybrid_label"].isna().all()


def test_explanation_when_the_config_overrides_the_recommendation():
    table = pd.DataFrame({"k": [2, 3, 4, 5], "silhouette": [0.4, 0.3, 0.3, 0.2], "stability": [0.97, 0.88, 0.86, 0.7],
                          "recommended": [False, True, False, False]})
    tendency = {"hopkins": 0.9, "best_silhouette": 0.4, "best_silhouette_k": 2, "natural": False}
    auto = explain_k(table, tendency, 3, min_k=3)
    assert auto.startswith("We recommend 3 segments: of the business-usable options (3 to 5 segments)")
    assert "agree 88%" in auto and "2 segments would be more repeatable still" in auto
    assert "practical division of a continuum" in auto
    forced = explain_k(table, tendency, 5, set_by_config=True, min_k=3)
    assert forced.startswith("We use 5 segments, as set in the configuration (two independent refits agree 70%)")
    assert "the most repeatable business-usable number would be 3 (88%)" in forced
