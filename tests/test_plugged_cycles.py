"""Whole cycles with what a user plugs in: a scheme from outside segkit (entry point ``segkit.schemes``) and a
clusterer of their choice (``segmentation.estimator``)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from segkit_helpers.cycle import run_cycle
from segkit_helpers.io.model_io import load_model
from segkit_helpers.schemes.behavioural import FEATURES, scale_features
from tests.conftest import write_cycle_config

pytestmark = pytest.mark.slow

LIGHT = {"clv": {"enabled": False}, "validation": {"bootstrap": 3}}


def test_a_scheme_plugged_in_through_the_entry_point_runs_a_whole_cycle(shop, toy_scheme, tmp_path, monkeypatch):
    # the cycle's kernel is another process: it finds the plugged scheme (written to tmp_path by the fixture) on
    # its PYTHONPATH, as it would an installed plugin
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])))
    config = write_cycle_config(tmp_path, shop["data"], "bands", "2024-01-31",
                                segmentation={"scheme": toy_scheme, "k": 3, "stability_resamples": 2}, **LIGHT)
    index = run_cycle(config, tmp_path / "work", progress=False)
    assert index.is_file()
    out = tmp_path / "work" / "data" / "processed" / "bands"
    segments = pd.read_parquet(out / "segments.parquet")
    assert sorted(segments["segment"].unique()) == [1, 2, 3]
    assert type(load_model(out / "model.skops")).__name__ == "BandScheme"  # a registered scheme is trusted
    assert "bands of order count" in (tmp_path / "work" / "reports" / "bands" / "02_hypothesis.html").read_text()


def test_a_gaussian_mixture_cycle_saves_the_mixtures_posteriors(shop, tmp_path):
    gmm = {"class": "sklearn.mixture.GaussianMixture", "params": {"covariance_type": "diag"}}
    config = write_cycle_config(tmp_path, shop["data"], "gmm", "2024-01-31",
                                segmentation={"k": 3, "estimator": gmm, "stability_resamples": 2}, **LIGHT)
    run_cycle(config, tmp_path / "work", progress=False)
    out = tmp_path / "work" / "data" / "processed" / "gmm"
    model = load_model(out / "model.skops")
    assert type(model.clusterer_).__name__ == "GaussianMixture"
    profile = pd.read_parquet(out / "customers.parquet")
    posterior = model.clusterer_.predict_proba(scale_features(profile[FEATURES]))
    segments = pd.read_parquet(out / "segments.parquet").set_index("customer_id").loc[profile["customer_id"]]
    for component, segment in enumerate(model.segment_ids_):
        np.testing.assert_allclose(segments[f"prob_{segment}"].to_numpy(), posterior[:, component], atol=5e-7)
    assert (segments["segment"].to_numpy() == model.segment_ids_[posterior.argmax(axis=1)]).all()
