"""The scheme dispatch (schemes.py), the opportunity whitespace and the value × loyalty scheme."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

from segkit_helpers.io.config import validate_config
from segkit_helpers.errors import InputError
from segkit_helpers.schemes.opportunity import cross_sell_table, next_best_line, whitespace
from segkit_helpers.schemes.common import (
    choose_k,
    distinctive_traits,
    embedding,
    fit_segments,
    k_choice,
    scheme_data,
    scheme_features,
    scheme_names,
    segment_traits,
)
from segkit_helpers.report.hypothesis import draft_personas
from segkit_helpers.schemes.behavioural import FEATURES, segment_profiles
from segkit_helpers.schemes.value_loyalty import QuadrantModel
from tests.test_segmentation import planted_profile

# Four planted buyer types for the behavioural planted-k test: (recency days, orders, revenue).
TYPES = [(8, 30, 12000.0), (45, 8, 2000.0), (150, 3, 400.0), (330, 1, 60.0)]


def config(scheme: str = "behavioural", **segmentation) -> dict:
    """A complete cycle config (defaults) for the given scheme."""
    raw = {"cycle": "c", "asof": "2024-01-01", "sources": {"transactions": {"path": "x.csv"}},
           "segmentation": {"scheme": scheme, **segmentation}}
    return validate_config(copy.deepcopy(raw)).as_dict()


def four_types(n_per_type: int = 150, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(TYPES)), n_per_type)
    base = np.array(TYPES)[labels]
    noise = rng.lognormal(0, 0.25, size=base.shape)
    profile = pd.DataFrame({"customer_id": [f"c{i:04d}" for i in range(len(labels))],
                            "recency_days": np.round(base[:, 0] * noise[:, 0]),
                            "frequency": np.maximum(1, np.round(base[:, 1] * noise[:, 1])),
                            "monetary": np.round(base[:, 2] * noise[:, 2], 2)})
    return profile, labels


# --- behavioural -----------------------------------------------------------------------------


def test_behavioural_recovers_the_planted_four():
    profile, labels = four_types()
    cfg = config(k_range=[2, 7], min_k=3)
    cfg["seed"] = 0
    k_table = choose_k(profile, cfg)
    assert int(k_table.loc[k_table["recommended"], "k"].iloc[0]) == 4
    profile["value_loyalty_quadrant"] = "profitable & loyal"
    model, segments = fit_segments(profile, k_table, cfg)
    assert adjusted_rand_score(labels, segments["segment"]) >= 0.9
    np.testing.assert_allclose(segments.filter(like="prob_").sum(axis=1), 1, atol=1e-5)  # each stored to 6 decimals


def test_fit_segments_matches_previous_ids():
    profile = planted_profile()
    cfg = config(k=3)
    cfg["seed"] = 0
    k_table = pd.DataFrame({"k": [2, 3], "recommended": [False, True]})
    model, segments = fit_segments(profile, k_table, cfg)
    assert model.n_segments == 3
    assert segments["segment"].tolist() == (profile["group"] + 1).tolist()
    assert segments["value_loyalty_quadrant"].tolist() == profile["value_loyalty_quadrant"].tolist()

    # a previous cycle with the same segments under ids 30, 10, 20 -> the new model takes those ids
    profiles = segment_profiles(profile, segments, model).rename(index={1: 30, 2: 10, 3: 20})
    model2, segments2 = fit_segments(profile, k_table, cfg, previous={"cycle": "before", "profiles": profiles})
    assert segments2["segment"].map({30: 1, 10: 2, 20: 3}).tolist() == segments["segment"].tolist()
    assert model2.centers_.index.tolist() == [10, 20, 30]


def test_previous_cycle_of_another_scheme_is_not_matched():
    profile = planted_profile()
    cfg = config(k=3)
    k_table = pd.DataFrame({"k": [3], "recommended": [True]})
    other = pd.DataFrame({"center_profitable": [1.0, 0.0], "center_loyal": [1.0, 0.0]}, index=pd.Index([7, 8], name="segment"))
    model, segments = fit_segments(profile, k_table, cfg, previous={"cycle": "before", "profiles": other})
    assert sorted(segments["segment"].unique()) == [1, 2, 3]


def test_behavioural_features_are_configurable():
    profile = planted_profile()
    profile["orders_per_quarter"] = profile["frequency"] / 4
    cfg = config(features=["frequency", "monetary", "orders_per_quarter"])
    assert scheme_features(profile, cfg) == ["frequency", "monetary", "orders_per_quarter"]
    with pytest.raises(InputError, match="'tenure'"):
        scheme_features(profile, config(features=["frequency", "tenure"]))


# --- value × loyalty -------------------------------------------------------------------------


def quadrant_profile() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"], "profit": [15.0, 15.0, -5.0, 0.0, 40.0],
                         "loyalty_score": [4.5, 1.5, 3.0, 2.5, 3.0], "monetary": [1.0] * 5,
                         "value_loyalty_quadrant": ["x"] * 5})


def test_quadrant_model_by_hand():
    model = QuadrantModel(loyalty_threshold=3.0).fit(quadrant_profile())
    # profit > 0 and loyalty >= 3 -> 1; profit > 0, disloyal -> 2; unprofitable & loyal -> 3; neither -> 4
    assert model.predict(quadrant_profile()).tolist() == [1, 2, 3, 4, 1]
    proba = model.predict_proba(quadrant_profile())
    assert model.classes_.tolist() == [1, 2, 3, 4] and (proba.sum(axis=1) == 1).all()
    assert proba[1, 1] == 1.0
    # the median profit (15) as threshold: only e (40) is profitable
    by_median = QuadrantModel(profit_quantile=0.5).fit(quadrant_profile())
    assert by_median.profit_cut_ == 15.0
    assert by_median.predict(quadrant_profile()).tolist() == [3, 4, 3, 4, 1]
    assert clone(model).fit(quadrant_profile()).predict(quadrant_profile()).tolist() == [1, 2, 3, 4, 1]
    with pytest.raises(ValueError):
        model.relabel({1: 2})


def test_value_loyalty_scheme_end_to_end():
    cfg = config("value_loyalty")
    data = quadrant_profile()
    k_table = choose_k(pd.concat([data] * 20, ignore_index=True), cfg)
    assert k_table["k"].tolist() == [4] and k_table["recommended"].all()
    assert k_table["stability"].iloc[0] == 1.0  # a rule with a fixed threshold gives the same split every time
    model, segments = fit_segments(data, k_table, cfg)
    assert segments["segment"].tolist() == [1, 2, 3, 4, 1]
    assert "no number of segments to choose" in k_choice(k_table, data, cfg)["explanation"]
    assert scheme_names(model, data, cfg)[1] == "profitable & loyal"


# --- opportunity -----------------------------------------------------------------------------


def small_baskets() -> tuple[pd.DataFrame, pd.DataFrame]:
    profile = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5], "monetary": [100.0, 200.0, 50.0, 80.0, 10.0],
                            "line_share_a": [0.5, 1.0, 0.0, 0.25, 1.0], "line_share_b": [0.5, 0.0, 1.0, 0.75, 0.0]})
    return profile, pd.DataFrame({"customer_id": [1, 2, 3, 4, 5], "segment": [1, 1, 1, 2, 2]})


def test_cross_sell_table_by_hand():
    table = cross_sell_table(*small_baskets()).set_index(["segment", "product_line"])
    # segment 1 (customers 1-3): line a bought by 1 (spend 0.5*100 = 50) and 2 (200): penetration 2/3,
    # spend per buyer 125; customer 3 is whitespace, expected value 2/3 * 125 = 83.33
    assert table.loc[(1, "a"), "penetration"] == 0.6667
    assert table.loc[(1, "a"), "spend_per_buyer"] == 125.0
    assert table.loc[(1, "a"), "whitespace_customers"] == 1
    assert table.loc[(1, "a"), "expected_value"] == 83.3333
    # segment 2: b bought by 4 only (0.75*80 = 60): penetration 1/2, customer 5 expected 0.5 * 60 = 30
    assert table.loc[(2, "b"), "expected_value"] == 30.0
    # segment 2 buys a fully: no whitespace
    assert table.loc[(2, "a"), "whitespace_customers"] == 0


def test_whitespace_per_customer_and_threshold():
    gaps = whitespace(*small_baskets())
    assert gaps[["customer_id", "product_line", "expected_value", "rank"]].values.tolist() == [
        [2, "b", 33.33, 1], [3, "a", 83.33, 1], [5, "b", 30.0, 1]]
    assert next_best_line(gaps).set_index("customer_id")["next_best_line"].to_dict() == {2: "b", 3: "a", 5: "b"}
    # a line bought by only half of segment 2 is not whitespace when 60 % must buy it
    assert 5 not in whitespace(*small_baskets(), min_penetration=0.6)["customer_id"].tolist()


def test_opportunity_scheme_needs_product_lines():
    with pytest.raises(InputError, match="research.product_lines"):
        scheme_features(planted_profile(), config("opportunity"))


def test_opportunity_scheme_finds_basket_types():
    rng = np.random.default_rng(0)
    mixes = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
    labels = np.repeat([0, 1, 2], 80)
    shares = rng.dirichlet(np.ones(3), size=len(labels)) * 0.2 + mixes[labels] * 0.8
    profile = pd.DataFrame({"customer_id": np.arange(len(labels)), "monetary": rng.uniform(100, 200, len(labels)),
                            "line_share_kitchen": shares[:, 0], "line_share_garden": shares[:, 1], "line_share_toys": shares[:, 2],
                            "value_loyalty_quadrant": "profitable & loyal"})
    cfg = config("opportunity", k=3)
    model, segments = fit_segments(profile, pd.DataFrame({"k": [3], "recommended": [True]}), cfg)
    assert adjusted_rand_score(labels, segments["segment"]) >= 0.9
    assert sorted(scheme_names(model, profile, cfg).values()) == ["garden buyers", "kitchen buyers", "toys buyers"]


# --- shared pieces ---------------------------------------------------------------------------


def test_distinctive_traits_by_hand():
    data = pd.DataFrame({"channel": ["Retail", "Retail", "Retail", "Horeca", "Horeca", "Horeca"],
                         "spend": [10.0, 10.0, 10.0, 0.0, 0.0, 0.0]})
    traits = distinctive_traits(data, np.array([1, 1, 1, 2, 2, 2]), ["channel", "spend"], [])
    # segment 1: all Retail (lift 1/0.5 - 1 = 1) and spend z = (10 - 5) / 5 = 1 -> both count, equal strength
    assert sorted(traits[1]) == ["channel Retail", "high spend"]
    assert sorted(traits[2]) == ["channel Horeca", "low spend"]


def test_scheme_data_needs_its_table():
    with pytest.raises(InputError, match="sources.survey.path"):
        scheme_data(planted_profile(), config("needs"))


def test_scheme_data_joins_customer_attributes(tmp_path):
    profile = planted_profile()
    customers = pd.DataFrame({"customer_id": profile["customer_id"].iloc[:10], "industry": ["retail"] * 10})
    customers.to_csv(tmp_path / "customers.csv", index=False)
    cfg = config("firmographic")
    cfg["sources"]["customers"]["path"] = str(tmp_path / "customers.csv")
    data = scheme_data(profile, cfg)
    assert len(data) == len(profile) and data["industry"].notna().sum() == 10
    assert scheme_features(data, cfg) == ["industry"]
    pd.concat([customers, customers.iloc[:1]]).to_csv(tmp_path / "customers.csv", index=False)
    with pytest.raises(InputError, match="customer_id.*1 row"):
        scheme_data(profile, cfg)


def test_segment_traits_cite_scheme_features_and_persona_metrics():
    profile = planted_profile()
    cfg = config(k=3)
    model, segments = fit_segments(profile, pd.DataFrame({"k": [3], "recommended": [True]}), cfg)
    traits = segment_traits(model, profile, cfg)
    # segment 1 (most valuable) bought most recently, orders most and spends most (the groups are fully
    # separated, so these traits are about equally strong). Tenure is the same for everyone: never a trait.
    assert traits[1].startswith("Stands out by: ") and traits[1].count(",") == 2
    assert "high number of orders" in traits[1] and "ordered recently" in traits[1]
    assert "long since the last order" in traits[3] and "tenure" not in traits[1] + traits[2] + traits[3]
    personas = draft_personas(segment_profiles(profile, segments, model), profile, names=None, traits=traits)
    assert personas[0]["description"].endswith(traits[1])


def test_embedding_of_survey_answers_with_blanks():
    from segkit_helpers.datasets.survey import QUESTIONS, make_survey

    survey, _ = make_survey(200, seed=1)  # nullable integers with about 2 % blanks
    cfg = config("needs", features=list(QUESTIONS))
    points = embedding(survey, cfg)
    assert points.shape == (200, len(QUESTIONS)) and not points.isna().any().any()
    assert points.min().min() >= 0 and points.max().max() <= 1  # answers 1..5 range-scaled


def test_hypothesis_artefacts_save_and_load_round_trip(tmp_path):
    from segkit_helpers.context import CycleContext
    from segkit_helpers.steps.hypothesis import HypothesisArtefacts, refit_labels, scheme_feature_table

    profile, _ = four_types(40)
    profile = profile.assign(orders_per_quarter=1.0, avg_order_value=10.0, tenure_days=100, profit=1.0,
                             value_loyalty_quadrant="profitable & loyal")
    cfg = config(k_range=[3, 4], min_k=3, stability_resamples=2)
    table = choose_k(profile, cfg)
    model, segments = fit_segments(profile, table, cfg)
    profiles = segment_profiles(profile, segments, model)
    personas = draft_personas(profiles, profile)
    empty = pd.DataFrame()
    artefacts = HypothesisArtefacts(model, segments, profiles, personas, table, k_choice(table, profile, cfg),
                                    scheme_feature_table(profile, cfg), empty, empty, refit_labels(model, profile, 2, 0))
    ctx = CycleContext(cfg=cfg, workdir=tmp_path, out_dir=tmp_path)
    said = artefacts.save(ctx)
    assert said == f"The results of this step are saved with cycle {ctx.cycle}."
    assert (tmp_path / "segments.parquet").is_file() and (tmp_path / "scheme_features.parquet").is_file()
    assert not (tmp_path / "cross_sell.csv").exists()  # no product lines: no cross-sell files
    back = HypothesisArtefacts.load(ctx)
    assert back.personas == personas and back.choice == artefacts.choice
    pd.testing.assert_frame_equal(back.profiles, profiles, check_dtype=False)
    pd.testing.assert_frame_equal(back.refits, artefacts.refits)
    assert back.segments["segment_name"].notna().all() and back.features.columns.tolist() == ["customer_id", *FEATURES]
    np.testing.assert_array_equal(back.model.predict(profile), model.predict(profile))
