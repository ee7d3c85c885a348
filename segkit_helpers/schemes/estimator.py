"""Bring your own clusterer: ``segmentation.estimator`` for the k-means schemes (behavioural, opportunity).

``{class: "sklearn.mixture.GaussianMixture", params: {...}}`` names any importable
scikit-learn-style clusterer. It runs in the scheme's space (log-modulus, z-scores) in
place of k-means: its number of clusters is set to k through ``n_clusters`` or
``n_components`` when it has one (HDBSCAN and other density methods find their own
number), its ``random_state`` to the seed when it takes one. Each segment's centre is
the mean of its members; a point a density method calls noise (label −1) belongs to
the nearest centre, and so does every new customer when the clusterer has no
``predict``. Memberships are its ``predict_proba`` when it has one, otherwise hard
(1 for the assigned segment).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
from sklearn.metrics import euclidean_distances

from segkit_helpers.errors import InputError
from segkit_helpers.schemes import load_class

#: Constructor parameters that set the number of clusters, in the order tried.
SIZE_PARAMETERS = ("n_clusters", "n_components")


def make_clusterer(spec: dict[str, Any], k: int, seed: int | None) -> Any:
    """An unfitted clusterer from ``{"class": "module.Class", "params": {...}}`` with ``k`` clusters and ``seed``.

    Raises
    ------
    InputError
        The class cannot be imported, or is not a clusterer (no ``fit``).
    """
    path = spec["class"]
    module, _, name = path.rpartition(".")
    try:
        cls = load_class(f"{module}:{name}")
    except (ImportError, AttributeError, ValueError):
        raise InputError(f"config key 'segmentation.estimator.class': cannot import {path!r} "
                         "(give a full import path such as sklearn.mixture.GaussianMixture)") from None
    if not hasattr(cls, "fit"):
        raise InputError(f"config key 'segmentation.estimator.class': {path} has no fit method")
    accepted = inspect.signature(cls).parameters
    params = dict(spec.get("params") or {})
    size = next((p for p in SIZE_PARAMETERS if p in accepted), None)
    if size:
        params[size] = k
    if "random_state" in accepted:
        params["random_state"] = seed
    return cls(**params)


def fit_components(clusterer: Any, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fit ``clusterer`` on ``points``; return each point's component (noise at its nearest centre) and the centres.

    Components are numbered 0..m−1 as the clusterer numbers them; the centres are the
    members' means (one row per component).
    """
    labels = np.asarray(clusterer.fit_predict(points) if hasattr(clusterer, "fit_predict")
                        else clusterer.fit(points).predict(points))
    found = np.unique(labels[labels >= 0])
    if not len(found):
        raise InputError("segmentation.estimator: the clusterer found no segments (every customer is noise)")
    if hasattr(clusterer, "predict"):  # its own numbering, which predict and predict_proba keep
        m = int(found.max()) + 1
    else:  # renumber what was found 0..m−1
        m, labels = len(found), np.where(labels >= 0, np.searchsorted(found, labels), -1)
    centres = np.array([points[labels == j].mean(axis=0) if (labels == j).any() else np.full(points.shape[1], np.nan)
                        for j in range(m)])
    noise = labels < 0
    if noise.any():
        labels[noise] = nearest(points[noise], centres)
    return labels, centres


def nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre (Euclidean; a centre without members is never nearest)."""
    distances = euclidean_distances(points, np.nan_to_num(centres, nan=np.inf))
    distances[:, np.isnan(centres).any(axis=1)] = np.inf
    return distances.argmin(axis=1)


def components(clusterer: Any, centres: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Component of new points: the clusterer's ``predict`` when it has one (noise → nearest centre), else the nearest centre."""
    if not hasattr(clusterer, "predict"):
        return nearest(points, centres)
    labels = np.asarray(clusterer.predict(points))
    noise = labels < 0
    if noise.any():
        labels[noise] = nearest(points[noise], centres)
    return labels


def memberships(clusterer: Any, centres: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``predict_proba`` when the clusterer has one, else hard memberships (one column per component)."""
    if hasattr(clusterer, "predict_proba"):
        return np.asarray(clusterer.predict_proba(points), dtype=float)
    assigned = components(clusterer, centres, points)
    return (assigned[:, None] == np.arange(len(centres))[None, :]).astype(float)
