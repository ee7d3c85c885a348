"""The scheme contract: scikit-learn's estimator checks on every registered scheme, and a scheme plugged in
from outside the package through the ``segkit.schemes`` entry point."""

from __future__ import annotations


import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from segkit_helpers.schemes import BUILTIN, SCHEMES

#: Checks that cannot apply to every scheme, and why.
IDS_FROM_ONE = ("segment ids are 1..k (1 = the most valuable segment, matched across cycles), not the 0..k−1 "
                "labels the check expects")
#: The latent class model reads survey answers: whole numbers (1-5, 0/1) or blanks. Every check that fits it on
#: scikit-learn's generated real-valued data gets an InputError naming the column; no check can feed it answers.
NEEDS_ANSWERS = "latent classes of survey answers: the check's data are real numbers, not whole-number answers"
NEEDS_CHECKS = [
    "check_fit_score_takes_y", "check_estimators_overwrite_params", "check_dont_overwrite_parameters",
    "check_estimators_fit_returns_self", "check_readonly_memmap_input", "check_n_features_in_after_fitting",
    "check_positive_only_tag_during_fit", "check_estimators_dtypes", "check_dtype_object",
    "check_pipeline_consistency", "check_estimators_nan_inf", "check_estimators_pickle",
    "check_f_contiguous_array_estimator", "check_clustering", "check_methods_sample_order_invariance",
    "check_methods_subset_invariance", "check_fit2d_1sample", "check_fit2d_1feature", "check_dict_unchanged",
    "check_fit_idempotent", "check_fit_check_is_fitted", "check_n_features_in", "check_fit2d_predict1d",
]
EXPECTED_FAILURES = {
    "behavioural": {"check_clustering": IDS_FROM_ONE},
    "opportunity": {"check_clustering": IDS_FROM_ONE},
    "firmographic": {"check_clustering": IDS_FROM_ONE,
                     "check_fit2d_1sample": "one customer cannot form segments: the InputError says so in the "
                                            "analyst's words (table and count), not scikit-learn's"},
    "needs": dict.fromkeys(NEEDS_CHECKS, NEEDS_ANSWERS),
    # quadrants are rules on two columns: from an array, column 0 is profit and column 1 the loyalty score
    "value_loyalty": {"check_clustering": IDS_FROM_ONE + "; quadrants are rules, so a quadrant may be empty"},
}
NAMES = {cls: name for name, cls in ((name, SCHEMES[name]) for name in BUILTIN)}


@parametrize_with_checks([SCHEMES[name](n_segments=3, random_state=0) for name in BUILTIN],
                         expected_failed_checks=lambda estimator: EXPECTED_FAILURES[NAMES[type(estimator)]])
def test_every_registered_scheme_passes_scikit_learns_estimator_checks(estimator, check):
    check(estimator)




def test_a_scheme_registered_through_the_entry_point_runs_the_hypothesis_step(toy_scheme):
    from segkit_helpers.io.config import validate_config
    from segkit_helpers.report.hypothesis import draft_personas
    from segkit_helpers.schemes.behavioural import segment_profiles
    from segkit_helpers.schemes.common import (choose_k, embedding, fit_segments, k_choice, scheme_data,
                                               scheme_names, segment_feature_z)
    from tests.test_schemes import four_types

    assert toy_scheme in SCHEMES and SCHEMES[toy_scheme].__name__ == "BandScheme"
    raw = {"cycle": "c", "asof": "2024-01-01", "sources": {"transactions": {"path": "x.csv"}},
           "segmentation": {"scheme": toy_scheme, "k_range": [2, 4], "min_k": 2, "stability_resamples": 2}}
    cfg = validate_config(raw).as_dict()  # config validation reads the registry: the plugged scheme is allowed
    profile, _ = four_types(50)
    profile = profile.assign(orders_per_quarter=1.0, avg_order_value=10.0, tenure_days=100, profit=1.0,
                             value_loyalty_quadrant="profitable & loyal")
    data = scheme_data(profile, cfg)
    table = choose_k(data, cfg)
    assert table["k"].tolist() == [2, 3, 4] and table["recommended"].sum() == 1
    model, segments = fit_segments(data, table, cfg)
    k = k_choice(table, data, cfg)["k"]
    assert model.classes_.tolist() == list(range(1, k + 1))
    assert segments[[f"prob_{s}" for s in model.classes_]].sum(axis=1).eq(1).all()
    profiles = segment_profiles(data, segments, model)
    personas = draft_personas(profiles, data, names=scheme_names(model, data, cfg))
    assert len(personas) == k
    assert segment_feature_z(data, segments, cfg).shape == (k, 1) and len(embedding(data, cfg)) == len(data)
    # ids follow revenue: segment 1 is the most valuable band
    revenue = data.groupby(segments["segment"].to_numpy())["monetary"].mean()
    assert revenue.idxmax() == 1 and np.isfinite(table["silhouette"]).all()
