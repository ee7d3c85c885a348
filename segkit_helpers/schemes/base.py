"""The scheme contract: the base class every segmentation scheme derives from.

A scheme's model is a scikit-learn clusterer (``BaseEstimator`` + ``ClusterMixin``):
``fit`` sets ``labels_`` and ``classes_`` (the segment ids), ``predict`` returns an
array of ids and ``predict_proba`` an array of memberships whose columns follow
``classes_``. Subclasses fit *components* (k-means clusters, medoids, latent classes,
quadrants, numbered 0..k−1) and say how far each customer is from each; this class
numbers the components as segments once (:meth:`SegmentScheme._order_ids`), renumbers
them across cycles (:meth:`SegmentScheme.relabel`) and turns distances into memberships
(:func:`fuzzy_memberships`).

Each scheme also declares, as class attributes and class methods, what the steps need
to know about it: the table it segments (``table``, ``join``), its features
(:meth:`SegmentScheme.scheme_features`, the ones steps 03 and 04 test), how it chooses
k (``fixed_k``, ``higher_better``, ``lower_better``, :meth:`SegmentScheme.k_scores`,
used by :mod:`segkit_helpers.schemes.kselect`) and how it names segments
(:meth:`SegmentScheme.segment_names`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.metrics import silhouette_score
from sklearn.utils.validation import check_is_fitted, validate_data

from segkit_helpers.errors import InputError
from segkit_helpers.io.model_io import PandasState
from segkit_helpers.monitoring.previous import match_segments
from segkit_helpers.schemes.catalog import source_configured
from segkit_helpers.schemes.gower import gower_embedding
from segkit_helpers.schemes.traits import trait_names

#: Smallest distance used in fuzzy memberships, so a customer on a centre gets membership 1 there.
FUZZY_FLOOR = 1e-12


def fuzzy_memberships(distances: np.ndarray) -> np.ndarray:
    """Fuzzy c-means memberships from distances to the centres (Bezdek 1981, fuzzifier m = 2).

    ``u_j = 1 / Σ_l (d_j / d_l)²``: rows sum to 1, a customer half-way between two
    centres has 0.5 in each, one on a centre has 1 there.
    """
    inv = 1.0 / np.maximum(distances, FUZZY_FLOOR) ** 2
    return inv / inv.sum(axis=1, keepdims=True)


#: Profile metrics of how a customer buys that are not computed from recency, frequency or
#: monetary value (r/f/m scores, the RFM segment, average order value, profit, loyalty score,
#: ABC class and the value × loyalty quadrant are, so they are never held out for RFM schemes).
PERSONA_METRICS = ("tenure_days", "share_active_months", "order_gap_cv", "basket_value_change", "monthly_spend_cv",
                   "distinct_products", "xyz_class")
#: What the profile says of how customers buy: RFM, order value and :data:`PERSONA_METRICS`.
BUYING_DESCRIPTORS = ("recency_days", "frequency", "monetary", "avg_order_value", *PERSONA_METRICS)


class SegmentScheme(PandasState, ClusterMixin, BaseEstimator):
    """Base class of segment models: ids 1..k, memberships, relabelling and the scheme's declarations.

    Subclasses take ``n_segments`` and ``random_state`` (an int, as scikit-learn's
    ``random_state``) in ``__init__`` and implement ``_fit`` (component of each
    fitting row), ``_components`` and ``pairwise_distances``; ``_memberships`` (one
    column per component) defaults to hard one-hot memberships.

    Attributes
    ----------
    segment_ids_ : numpy.ndarray
        Segment id of each component (index = component number).
    classes_ : numpy.ndarray
        The segment ids, sorted: the columns of :meth:`predict_proba`.
    labels_ : numpy.ndarray
        Segment id of each fitting customer.
    """

    #: How reports name the scheme, and the data it needs, in words.
    title: ClassVar[str] = ""
    needs: ClassVar[str] = ""
    #: The input table that holds what the scheme clusters.
    table: ClassVar[str] = "transactions"
    #: How :func:`segkit_helpers.schemes.common.scheme_data` adds ``table`` to the profile:
    #: ``None`` (the profile is the data), ``"left"`` (every customer) or ``"inner"`` (only those in it).
    join: ClassVar[str | None] = None
    #: Whether the scheme segments how customers buy (readiness refuses customers who all bought alike).
    buys: ClassVar[bool] = True
    #: The number of segments when the scheme fixes it (no k to choose), else ``None``.
    fixed_k: ClassVar[int | None] = None
    #: Customers per bootstrap sample of the k choice; ``None``: ``segmentation.stability_sample``.
    stability_sample: ClassVar[int | None] = 2000
    #: Columns of :meth:`k_scores` ranked in the k choice, higher or lower is better.
    higher_better: ClassVar[tuple[str, ...]] = ("silhouette",)
    lower_better: ClassVar[tuple[str, ...]] = ()
    #: Whether segment ids stay fixed across cycles (no matching to the previous cycle).
    fixed_ids: ClassVar[bool] = False
    #: Whether the features must be numbers (checked when scoring; other schemes check their own inputs).
    numeric: ClassVar[bool] = False
    #: What a segment of customers is called in generated names ("Average accounts").
    noun: ClassVar[str] = "customers"
    #: Features step 03 tests the segments on by default (``validation.test_features`` overrides); the
    #: scheme's own clustered features are always left out, since they differ by construction.
    holdout_features: ClassVar[tuple[str, ...]] = BUYING_DESCRIPTORS
    #: How step 03's reference without groups draws the features
    #: (:func:`segkit_helpers.evaluation.structure.null_sample`): all of them as categories (survey
    #: answers), and whether numeric features live on the log-modulus scale in the scheme's space.
    categorical_features: ClassVar[bool] = False
    log_scale: ClassVar[bool] = False

    # --- what the scheme declares ------------------------------------------------------------

    @classmethod
    def available(cls, cfg: dict, columns: Iterable[str]) -> bool:
        """Whether the configured data supports the scheme (its table is configured)."""
        return source_configured(cfg, cls.table)

    @classmethod
    def default_features(cls, data: pd.DataFrame, seg: dict) -> list[str]:
        """The columns clustered when ``segmentation.features`` is not set: those the scheme's table added."""
        not_features = {seg["weight_column"], "cost_to_serve", "acquisition_date"}
        features = [c for c in data.attrs.get("scheme_columns", []) if c not in not_features]
        if not features:
            raise InputError(f"the {cls.__name__} scheme found no columns to segment on: set 'segmentation.features'")
        return features

    @classmethod
    def scheme_features(cls, data: pd.DataFrame, seg: dict) -> list[str]:
        """``segmentation.features`` or :meth:`default_features`."""
        return list(seg["features"]) if seg["features"] else cls.default_features(data, seg)

    @classmethod
    def from_config(cls, cfg: dict, k: int, features: list[str]) -> "SegmentScheme":
        """An unfitted model of this scheme with ``k`` segments on ``features``."""
        return cls(n_segments=k, random_state=cfg["seed"], features=features)

    @classmethod
    def embed(cls, data: pd.DataFrame, features: list[str], seg: dict) -> pd.DataFrame:
        """Customers as points, for cluster tendency and plots (default: :func:`gower_embedding`)."""
        return gower_embedding(data, features, seg["categorical"], seg["log_features"])

    def segment_names(self, data: pd.DataFrame, features: list[str], seg: dict) -> dict[int, str] | None:
        """Generated segment names (``None``: persona drafts use the RFM words); default: the two top traits."""
        return trait_names(data, self.predict(data), features, seg["categorical"], self.noun)

    # --- fitting and assigning ---------------------------------------------------------------

    def _frame(self, X, reset: bool = False) -> pd.DataFrame:
        """The input as a table: a DataFrame as it is; an array-like validated as scikit-learn does (2-D,
        finite numbers, the fitted number of columns), as a DataFrame whose columns 0..n−1 are all features."""
        if isinstance(X, pd.DataFrame):
            return X
        frame = pd.DataFrame(validate_data(self, X, reset=reset))
        frame.attrs["from_array"] = True
        return frame

    def _columns(self, X: pd.DataFrame, default: list[str]) -> list[str]:
        """The feature columns: ``features``, else every column of an array input, else ``default``."""
        if self.features:
            return list(self.features)
        return list(X.columns) if X.attrs.get("from_array") else list(default)

    def _fit(self, X: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError

    def _components(self, X: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError

    def _memberships(self, X: pd.DataFrame) -> np.ndarray:
        """Membership of each customer in each component (component order): hard one-hot by default."""
        return (self._components(X)[:, None] == np.arange(len(self.segment_ids_))[None, :]).astype(float)

    def _component_sizes(self, components: np.ndarray) -> pd.Series:
        """What orders components when there is no ``monetary`` column: their customer counts."""
        return pd.Series(components).value_counts().reindex(range(self._n_components()), fill_value=0)

    def _order_ids(self, X: pd.DataFrame, components: np.ndarray) -> np.ndarray:
        """Segment ids 1..k of the components: by mean ``monetary`` when given (1 = most valuable), else by size."""
        n = self._n_components()
        if "monetary" in X:
            key = pd.Series(X["monetary"].to_numpy()).groupby(components).mean().reindex(range(n))
        else:
            key = self._component_sizes(components)
        order = key.fillna(-np.inf).sort_values(ascending=False, kind="stable").index.to_numpy()
        ids = np.empty(n, dtype="int64")
        ids[order] = np.arange(1, n + 1)
        return ids

    def _n_components(self) -> int:
        """How many components the fit found: ``n_segments`` unless the method finds its own number."""
        return getattr(self, "n_components_", self.n_segments)

    def fit(self, X: pd.DataFrame, y=None) -> "SegmentScheme":
        """Fit the components and number them as segments; sets ``segment_ids_``, ``classes_`` and ``labels_``."""
        X = self._frame(X, reset=True)
        components = self._fit(X)
        self.segment_ids_ = self._order_ids(X, components)
        self.classes_ = np.sort(self.segment_ids_)
        self.labels_ = self.segment_ids_[components]
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Segment id of each customer."""
        check_is_fitted(self)
        return self.segment_ids_[self._components(self._frame(X))]

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Membership of each customer in each segment (rows sum to 1), columns in ``classes_`` order."""
        check_is_fitted(self)
        return self._memberships(self._frame(X))[:, np.argsort(self.segment_ids_, kind="stable")]

    def relabel(self, previous: Mapping[int, int] | pd.DataFrame) -> "SegmentScheme":
        """Give segments new ids: a mapping ``{old id: new id}``, or the previous cycle's centres
        (one row per id, the columns of :attr:`centers_`), matched by
        :func:`segkit_helpers.monitoring.previous.match_segments`."""
        check_is_fitted(self)
        if isinstance(previous, pd.DataFrame):
            previous = match_segments(self.centers_, previous[self.centers_.columns])
        if self.fixed_ids:
            if any(int(k) != int(v) for k, v in previous.items()):
                raise ValueError(f"{type(self).__name__} keeps its segment ids in every cycle")
            return self
        self.segment_ids_ = np.array([previous[int(s)] for s in self.segment_ids_], dtype="int64")
        self.classes_ = np.sort(self.segment_ids_)
        self.labels_ = np.array([previous[int(s)] for s in self.labels_], dtype="int64")
        return self

    def _by_id(self, table: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
        """A table with one row per component, indexed by segment id instead, in id order."""
        return table.set_axis(pd.Index(self.segment_ids_, name="segment")).sort_index()

    @property
    def centers_(self) -> pd.DataFrame:
        """Segment centres in a space comparable across cycles, one row per segment id."""
        raise NotImplementedError

    def pairwise_distances(self, X: pd.DataFrame) -> np.ndarray:
        """Dissimilarities between the given customers (the scheme's own)."""
        raise NotImplementedError

    # --- the k choice (segkit_helpers.schemes.kselect) -----------------------------------------

    def k_scores(self, X: pd.DataFrame, seed: int, sample: int) -> dict[str, float]:
        """Internal indices of this fit for the k choice: the mean silhouette width (Rousseeuw 1987)
        with the model's dissimilarities, on a seeded sample of at most ``sample`` customers."""
        rng = np.random.default_rng(seed)
        idx = np.sort(rng.choice(len(X), size=min(sample, len(X)), replace=False))
        labels = self.predict(X.iloc[idx])
        silhouette = (silhouette_score(self.pairwise_distances(X.iloc[idx]), labels, metric="precomputed")
                      if 1 < len(set(labels)) < len(idx) else float("nan"))
        return {"silhouette": float(silhouette)}

    def bootstrap_fit_predict(self, X: pd.DataFrame) -> Callable[[np.ndarray, np.ndarray, int], np.ndarray]:
        """``fit_predict(train_rows, eval_rows, seed)`` for the bootstrap stability: a refit of this model."""
        def fit_predict(train: np.ndarray, evaluate: np.ndarray, start: int) -> np.ndarray:
            return clone(self).set_params(random_state=start).fit(X.iloc[train]).predict(X.iloc[evaluate])

        return fit_predict
