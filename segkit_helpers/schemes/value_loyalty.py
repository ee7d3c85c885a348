"""The profitability × loyalty scheme of seed 003: four rule-based quadrants as segments.

A customer is *profitable* when ``profit`` exceeds the profit threshold — 0 by
default (``value.profit_threshold``), or a quantile of profit
(``value.profit_quantile``, e.g. 0.5 = above the median customer) — and *loyal* when
``loyalty_score`` ≥ ``loyalty.threshold`` (research step). The quadrants are fixed, so
there is no choice of k and no soft membership: each customer belongs to one quadrant
with probability 1. Segment ids follow :data:`QUADRANT_IDS` in every cycle, so they
never need matching.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.metrics import pairwise_distances as sk_pairwise_distances
from sklearn.utils.validation import check_is_fitted

from segkit_helpers.research.scores import QUADRANTS, profit_threshold
from segkit_helpers.io.model_io import PandasState

# id → (profitable, loyal); 1 is the "gold fund" every playbook aims at.
QUADRANT_IDS = {1: (True, True), 2: (True, False), 3: (False, True), 4: (False, False)}
FEATURES = ["profit", "loyalty_score"]


class QuadrantModel(PandasState, ClusterMixin, BaseEstimator):
    """Profitability × loyalty quadrants as a segment model (same interface as the other schemes).

    Parameters
    ----------
    profit_threshold, profit_quantile
        See :func:`profit_threshold`; a quantile is learnt from the customers at fit time.
    loyalty_threshold
        Loyal means ``loyalty_score`` ≥ this value (1–5 scale).
    """

    def __init__(self, n_segments: int = 4, random_state: int = 42, profit_threshold: float = 0.0,
                 profit_quantile: float | None = None, loyalty_threshold: float = 3.0):
        self.n_segments = n_segments
        self.random_state = random_state
        self.profit_threshold = profit_threshold
        self.profit_quantile = profit_quantile
        self.loyalty_threshold = loyalty_threshold

    features = FEATURES

    def fit(self, X: pd.DataFrame, y=None) -> "QuadrantModel":
        """Learn the profit cut (a quantile when configured); ids are fixed by :data:`QUADRANT_IDS`."""
        self.profit_cut_ = profit_threshold(X["profit"], self.profit_threshold, self.profit_quantile)
        self.segment_ids_ = np.array(list(QUADRANT_IDS), dtype="int64")
        return self

    def _flags(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        check_is_fitted(self)
        return (X["profit"].to_numpy() > self.profit_cut_), (X["loyalty_score"].to_numpy() >= self.loyalty_threshold)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Quadrant id of each customer."""
        profitable, loyal = self._flags(X)
        ids = np.empty(len(X), dtype="int64")
        for seg, (p, l) in QUADRANT_IDS.items():
            ids[(profitable == p) & (loyal == l)] = seg
        return ids

    def predict_proba(self, X: pd.DataFrame) -> pd.DataFrame:
        """Membership: 1 for the customer's quadrant, 0 elsewhere (quadrants are rules, not mixtures)."""
        ids = self.predict(X)
        return pd.DataFrame({seg: (ids == seg).astype(float) for seg in QUADRANT_IDS}, index=X.index)

    def relabel(self, mapping: dict[int, int]) -> "QuadrantModel":
        """Quadrant ids are fixed; only the identity mapping is accepted."""
        if any(int(k) != int(v) for k, v in mapping.items()):
            raise ValueError("value × loyalty quadrants keep their ids in every cycle")
        return self

    @property
    def centers_(self) -> pd.DataFrame:
        """Each quadrant as (profitable, loyal) flags: identical in every cycle."""
        return pd.DataFrame([[float(p), float(l)] for p, l in QUADRANT_IDS.values()], columns=["profitable", "loyal"],
                            index=pd.Index(list(QUADRANT_IDS), name="segment"))

    def pairwise_distances(self, X: pd.DataFrame) -> np.ndarray:
        """Euclidean distance on standardised profit (sign-preserving log) and loyalty score."""
        profit = np.sign(X["profit"].to_numpy()) * np.log1p(np.abs(X["profit"].to_numpy()))
        values = np.column_stack([profit, X["loyalty_score"].to_numpy(dtype=float)])
        sd = values.std(axis=0)
        return sk_pairwise_distances((values - values.mean(axis=0)) / np.where(sd > 0, sd, 1))

    def describe_segments(self, X: pd.DataFrame) -> pd.DataFrame:
        """Mean profit and loyalty score per quadrant id."""
        return X[FEATURES].groupby(self.predict(X)).mean().rename_axis("segment")


def quadrant_names() -> dict[int, str]:
    """Quadrant id → quadrant name (as in the research step)."""
    return {seg: QUADRANTS[flags] for seg, flags in QUADRANT_IDS.items()}
