"""``segmentation.estimator``: a clusterer of the user's choice runs the behavioural and opportunity schemes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.mixture import GaussianMixture

from segkit_helpers.errors import InputError
from segkit_helpers.schemes.behavioural import FEATURES, SegmentModel, scale_features
from segkit_helpers.schemes.common import choose_k, fit_segments, k_choice
from tests.test_schemes import config, four_types

GMM = {"class": "sklearn.mixture.GaussianMixture", "params": {"covariance_type": "diag", "n_init": 2}}
HDBSCAN = {"class": "sklearn.cluster.HDBSCAN", "params": {"min_cluster_size": 20}}


def planted(seed: int = 0):
    profile, labels = four_types(60, seed)
    profile["value_loyalty_quadrant"] = "x"
    return profile, labels


def test_prob_columns_are_the_gaussian_mixture_posteriors():
    profile, _ = planted()
    cfg = config(k_range=[3, 5], min_k=3, stability_resamples=2, estimator=GMM)
    cfg["seed"] = 0
    table = choose_k(profile, cfg)
    assert table["recommended"].sum() == 1 and table["stability"].between(0, 1).all()
    model, segments = fit_segments(profile, table, cfg)
    k = int(table.loc[table["recommended"], "k"].iloc[0])
    assert k == 4 and k_choice(table, profile, cfg)["k"] == 4
    mixture = GaussianMixture(n_components=k, random_state=0, covariance_type="diag", n_init=2)
    posterior = mixture.fit(scale_features(profile[FEATURES])).predict_proba(scale_features(profile[FEATURES]))
    for component, segment in enumerate(model.segment_ids_):
        np.testing.assert_array_equal(segments[f"prob_{segment}"].to_numpy(), posterior[:, component].round(6))
    assert (segments["segment"].to_numpy() == model.segment_ids_[posterior.argmax(axis=1)]).all()


def test_hdbscan_noise_goes_to_the_nearest_segment_centre():
    profile, _ = planted(1)
    outlier = profile.iloc[[0]].assign(customer_id="far", recency_days=3000.0, frequency=1.0, monetary=5.0)
    data = pd.concat([profile, outlier], ignore_index=True)
    model = SegmentModel(4, 0, estimator=HDBSCAN).fit(data)
    raw = model.clusterer_.labels_
    assert (raw == -1).any()  # HDBSCAN calls some customers noise ...
    assigned = model.predict(data)
    assert set(assigned) == set(model.classes_) and len(model.classes_) == model.n_components_
    # ... and each of them belongs to the segment with the nearest centre
    points = scale_features(data[FEATURES])
    centres = model.centres_z_
    for row in np.flatnonzero(raw == -1):
        nearest = int(np.argmin(((centres - points[row]) ** 2).sum(axis=1)))
        assert assigned[row] == model.segment_ids_[nearest]
    proba = model.predict_proba(data)  # no predict_proba: hard memberships aligned with classes_
    assert set(np.unique(proba)) == {0.0, 1.0}
    assert (model.classes_[proba.argmax(axis=1)] == assigned).all()


def test_an_estimator_that_cannot_be_imported_is_named():
    profile, _ = planted()
    with pytest.raises(InputError, match="cannot import 'sklearn.mixture.NoSuchMixture'"):
        SegmentModel(3, 0, estimator={"class": "sklearn.mixture.NoSuchMixture"}).fit(profile)


def test_an_estimator_for_a_scheme_with_its_own_method_is_refused():
    from segkit_helpers.schemes.common import new_model

    cfg = config("value_loyalty", estimator=GMM)
    with pytest.raises(InputError, match="value_loyalty scheme has its own method"):
        new_model(cfg, 4, ["profit", "loyalty_score"])
