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
from sklearn.metrics import pairwise_distances as sk_pairwise_distances

from segkit_helpers.report.i18n import N_
from segkit_helpers.research.scores import QUADRANTS, profit_threshold
from segkit_helpers.schemes.base import PERSONA_METRICS, SegmentScheme

# id → (profitable, loyal); 1 is the "gold fund" every playbook aims at.
QUADRANT_IDS = {1: (True, True), 2: (True, False), 3: (False, True), 4: (False, False)}
FEATURES = ["profit", "loyalty_score"]


class QuadrantModel(SegmentScheme):
    """Profitability × loyalty quadrants as a segment model (same interface as the other schemes).

    Parameters
    ----------
    profit_threshold, profit_quantile
        See :func:`profit_threshold`; a quantile is learnt from the customers at fit time.
    loyalty_threshold
        Loyal means ``loyalty_score`` ≥ this value (1–5 scale).
    """

    title = N_("value × loyalty (profitability and loyalty quadrants)")
    holdout_features = PERSONA_METRICS  # everything else is computed from RFM
    needs = N_("order lines (transactions): profit and loyalty of each customer")
    fixed_k = len(QUADRANT_IDS)
    fixed_ids = True
    numeric = True
    #: Why the k choice has one row, in the words of :func:`segkit_helpers.schemes.common.k_choice`.
    fixed_k_reason = N_("The value × loyalty scheme has four fixed groups — profitable or not, loyal or not — so "
                        "there is no number of segments to choose")

    def __init__(self, n_segments: int = 4, random_state: int | None = 42, profit_threshold: float = 0.0,
                 profit_quantile: float | None = None, loyalty_threshold: float = 3.0):
        self.n_segments = n_segments
        self.random_state = random_state
        self.profit_threshold = profit_threshold
        self.profit_quantile = profit_quantile
        self.loyalty_threshold = loyalty_threshold

    features = FEATURES

    @classmethod
    def scheme_features(cls, data: pd.DataFrame, seg: dict) -> list[str]:
        """Profit and loyalty score, whatever ``segmentation.features`` says."""
        return list(FEATURES)

    @classmethod
    def from_config(cls, cfg: dict, k: int, features: list[str]) -> "QuadrantModel":
        """The quadrants of ``value.profit_threshold`` / ``profit_quantile`` and ``loyalty.threshold``."""
        return cls(random_state=cfg["seed"], profit_threshold=cfg["value"]["profit_threshold"],
                   profit_quantile=cfg["value"]["profit_quantile"], loyalty_threshold=cfg["loyalty"]["threshold"])

    def segment_names(self, data: pd.DataFrame, features: list[str], seg: dict) -> dict[int, str]:
        """The quadrant names."""
        return quadrant_names()

    def _fit(self, X: pd.DataFrame) -> np.ndarray:
        """Learn the profit cut (a quantile when configured)."""
        self.profit_cut_ = profit_threshold(self._profit_loyalty(X)[0], self.profit_threshold, self.profit_quantile)
        return self._components(X)

    @staticmethod
    def _profit_loyalty(X: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        """Profit and loyalty score: the named columns, or an array input's first two columns."""
        if X.attrs.get("from_array"):
            if X.shape[1] < 2:
                raise ValueError(f"value × loyalty quadrants need two columns, profit and loyalty score; got "
                                 f"{X.shape[1]} feature(s)")
            return X[0], X[1]
        return X["profit"], X["loyalty_score"]

    def _order_ids(self, X: pd.DataFrame, components: np.ndarray) -> np.ndarray:
        """Ids are fixed by :data:`QUADRANT_IDS` (component j is quadrant j + 1)."""
        return np.array(list(QUADRANT_IDS), dtype="int64")

    def _components(self, X: pd.DataFrame) -> np.ndarray:
        """Quadrant of each customer, 0..3 in :data:`QUADRANT_IDS` order."""
        profit, loyalty = self._profit_loyalty(X)
        profitable, loyal = profit.to_numpy() > self.profit_cut_, loyalty.to_numpy() >= self.loyalty_threshold
        components = np.empty(len(X), dtype="int64")
        for j, (p, l) in enumerate(QUADRANT_IDS.values()):
            components[(profitable == p) & (loyal == l)] = j
        return components

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
