"""Behavioural segmentation: the k-means segment model, profiles and persona drafts.

Customers are clustered on log-transformed (log-modulus: ``log1p`` for non-negative values),
standardised RFM — or the profile columns of ``segmentation.features`` — with k-means
(Lloyd's algorithm, k-means++ starts; scikit-learn). Segment ids are 1..k sorted by mean revenue per customer (1 = most valuable) in a first cycle, or
carried over from the previous cycle's matching segments
(:func:`segkit_helpers.monitoring.drift.match_segments`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, euclidean_distances, silhouette_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils.validation import check_is_fitted

from segkit_helpers.report.i18n import N_
from segkit_helpers.schemes.base import PERSONA_METRICS, SegmentScheme, fuzzy_memberships
from segkit_helpers.schemes.estimator import components, fit_components, make_clusterer, memberships
from segkit_helpers.schemes.kselect import k_table

FEATURES = ["recency_days", "frequency", "monetary"]



def log_modulus(values: np.ndarray) -> np.ndarray:
    """``sign(x) · log(1 + |x|)``, the log-modulus transform (John & Draper 1980).

    It is ``log1p`` for the usual non-negative, right-skewed amounts and counts, and keeps
    negative values (a basket-value change, a net revenue left negative when not cleaned)
    on the same scale, mirrored, instead of clipping them.
    """
    return np.sign(values) * np.log1p(np.abs(values))


def make_space() -> Pipeline:
    """The model's space: log-modulus → standardise (z-scores)."""
    return Pipeline([("log", FunctionTransformer(log_modulus, feature_names_out="one-to-one")),
                     ("scale", StandardScaler())])


def scale_features(features: pd.DataFrame) -> np.ndarray:
    """The model's feature space: ``log1p`` then z-scores (as in :func:`make_space`)."""
    return StandardScaler().fit_transform(log_modulus(features.to_numpy(dtype=float)))


class SegmentModel(SegmentScheme):
    """K-means segments on log-standardised RFM, with value-sorted, re-mappable ids.

    Parameters
    ----------
    n_segments : int
        Number of segments.
    random_state : int
        Seed of the k-means starts.
    features : list of str, optional
        Profile columns used (default :data:`FEATURES`).
    estimator : dict, optional
        ``{"class": import path, "params": {...}}``: a clusterer of your choice instead of
        k-means with 10 seeded k-means++ starts (``segmentation.estimator``, see
        :mod:`segkit_helpers.schemes.estimator`).

    Attributes
    ----------
    space_ : sklearn.pipeline.Pipeline
        The fitted log → scale transform.
    clusterer_
        The fitted clusterer (k-means unless ``estimator``), on the scaled features.
    centres_z_ : numpy.ndarray
        The centre of each component in the scaled space.
    centers_log_ : pandas.DataFrame
        Segment centres in ``log1p`` feature units (comparable across cycles), one
        row per segment id.
    """

    title = N_("behavioural (purchase behaviour: recency, frequency, monetary value)")
    holdout_features = PERSONA_METRICS  # everything else is computed from RFM
    log_scale = True
    needs = N_("order lines (transactions): how customers buy")
    stability_sample = None
    numeric = True
    higher_better = ("silhouette", "calinski_harabasz")
    lower_better = ("davies_bouldin",)

    def __init__(self, n_segments: int = 4, random_state: int | None = 42, features: list[str] | None = None,
                 estimator: dict | None = None):
        self.n_segments = n_segments
        self.random_state = random_state
        self.features = features
        self.estimator = estimator

    @classmethod
    def default_features(cls, data: pd.DataFrame, seg: dict) -> list[str]:
        """RFM."""
        return list(FEATURES)

    @classmethod
    def from_config(cls, cfg: dict, k: int, features: list[str]) -> "SegmentModel":
        """K-means, or ``segmentation.estimator``, on ``features`` (``None`` stored for the default RFM)."""
        return cls(n_segments=k, random_state=cfg["seed"], features=None if features == FEATURES else features,
                   estimator=cfg["segmentation"]["estimator"])

    @classmethod
    def embed(cls, data: pd.DataFrame, features: list[str], seg: dict) -> pd.DataFrame:
        """The model space: log-modulus, z-scores (:func:`scale_features`)."""
        return pd.DataFrame(scale_features(data[features]), columns=features, index=data.index)

    def segment_names(self, data: pd.DataFrame, features: list[str], seg: dict) -> None:
        """``None``: persona drafts name behavioural segments by their RFM words."""
        return None

    def _x(self, X: pd.DataFrame) -> pd.DataFrame:
        return X[self._columns(X, FEATURES)]

    def _clusterer(self, k: int, seed: int | None, n_init: int = 10):
        """An unfitted clusterer with ``k`` clusters: k-means with ``n_init`` starts, or ``estimator``."""
        if self.estimator is None:
            return KMeans(n_clusters=k, n_init=n_init, random_state=seed)
        return make_clusterer(self.estimator, k, seed)

    def _fit(self, X: pd.DataFrame) -> np.ndarray:
        self.feature_names_ = list(self._x(X).columns)
        self.space_ = make_space().fit(self._x(X))
        points = self.space_.transform(self._x(X))
        self.clusterer_ = self._clusterer(self.n_segments, self.random_state)
        if self.estimator is None:
            self.clusterer_.fit(points)
            self.fit_components_, self.centres_z_ = self.clusterer_.labels_, self.clusterer_.cluster_centers_
        else:
            self.fit_components_, self.centres_z_ = fit_components(self.clusterer_, points)
        self.n_components_ = len(self.centres_z_)
        return self.fit_components_

    def _components(self, X: pd.DataFrame) -> np.ndarray:
        return components(self.clusterer_, self.centres_z_, self.space_.transform(self._x(X)))

    def _memberships(self, X: pd.DataFrame) -> np.ndarray:
        """K-means: fuzzy c-means memberships (:func:`fuzzy_memberships`) from the distances to the centres;
        another clusterer: its ``predict_proba``, else hard memberships."""
        points = self.space_.transform(self._x(X))
        if self.estimator is None:
            return fuzzy_memberships(self.clusterer_.transform(points))
        return memberships(self.clusterer_, self.centres_z_, points)

    @property
    def centers_log_(self) -> pd.DataFrame:
        """Segment centres in log-modulus feature units, one row per segment id."""
        check_is_fitted(self)
        scaler = self.space_.named_steps["scale"]
        centers = self.centres_z_ * scaler.scale_ + scaler.mean_
        return self._by_id(pd.DataFrame(centers, columns=self.feature_names_))

    @property
    def centers_(self) -> pd.DataFrame:
        """Segment centres used to match segments across cycles (the log1p centres)."""
        return self.centers_log_

    def pairwise_distances(self, X: pd.DataFrame) -> np.ndarray:
        """Euclidean distances between customers in the model's standardised log space."""
        return euclidean_distances(self.space_.transform(self._x(X)))

    def describe_segments(self, X: pd.DataFrame) -> pd.DataFrame:
        """Mean of each feature per segment id, in the features' own units."""
        return self._x(X).groupby(self.predict(X)).mean().rename_axis("segment")

    def k_scores(self, X: pd.DataFrame, seed: int, sample: int) -> dict[str, float]:
        """Mean silhouette (on a seeded sample), Calinski–Harabasz (1974), Davies–Bouldin (1979) and inertia,
        in the standardised space."""
        scaled, labels = self.space_.transform(self._x(X)), self.fit_components_
        if len(set(labels)) < 2:  # a density clusterer may find a single group
            return {"silhouette": float("nan"), "calinski_harabasz": float("nan"), "davies_bouldin": float("nan"),
                    "inertia": float("nan")}
        return {"silhouette": silhouette_score(scaled, labels, sample_size=min(sample, len(scaled)), random_state=seed),
                "calinski_harabasz": calinski_harabasz_score(scaled, labels),
                "davies_bouldin": davies_bouldin_score(scaled, labels),
                "inertia": getattr(self.clusterer_, "inertia_", float("nan"))}

    def bootstrap_fit_predict(self, X: pd.DataFrame):
        """The clusterer (k-means: 3 seeded starts) refitted on bootstrap rows of the standardised space (scaled
        once, on all customers)."""
        scaled, k = self.space_.transform(self._x(X)), self.n_segments

        def fit_predict(train: np.ndarray, evaluate: np.ndarray, start: int) -> np.ndarray:
            clusterer = self._clusterer(k, start, n_init=3)
            if self.estimator is None:
                return clusterer.fit(scaled[train]).predict(scaled[evaluate])
            _, centres = fit_components(clusterer, scaled[train])
            return components(clusterer, centres, scaled[evaluate])

        return fit_predict


def select_k(features: pd.DataFrame, k_range: list[int], seed: int, silhouette_sample: int = 5000,
             min_k: int = 2, resamples: int = 10, stability_sample: int = 5000) -> pd.DataFrame:
    """:func:`segkit_helpers.schemes.kselect.k_table` of k-means on the columns of ``features``, k in ``k_range``."""
    model = SegmentModel(features=list(features.columns))
    return k_table(model, features, range(k_range[0], k_range[1] + 1), seed, min_k=min_k, resamples=resamples,
                   sample=stability_sample, silhouette_sample=silhouette_sample)


def assign_segments(model: SegmentModel, profile: pd.DataFrame, hybrid_threshold: float = 0.3) -> pd.DataFrame:
    """Segment, membership probabilities and secondary segment of every customer.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``segment``, ``prob_<id>`` per segment (summing to 1),
        ``membership`` (the probability of the assigned segment) and
        ``secondary_segment`` (the next most likely segment when its probability is
        at least ``hybrid_threshold``, else missing).
    """
    values = model.predict_proba(profile)
    ids = model.classes_
    out = pd.DataFrame({"customer_id": profile["customer_id"].to_numpy()})
    out["segment"] = model.predict(profile)
    for j, seg in enumerate(ids):
        out[f"prob_{seg}"] = values[:, j].round(6)
    order = np.argsort(-values, axis=1, kind="stable")
    out["membership"] = values[np.arange(len(values)), order[:, 0]].round(6)
    second_p = values[np.arange(len(values)), order[:, 1]] if values.shape[1] > 1 else np.zeros(len(values))
    second = pd.Series(ids[order[:, 1]] if values.shape[1] > 1 else 0, dtype="Int64")
    out["secondary_segment"] = second.where(second_p >= hybrid_threshold, pd.NA).to_numpy()
    return out


def segment_profiles(profile: pd.DataFrame, segments: pd.DataFrame, model: SegmentModel) -> pd.DataFrame:
    """Per-segment profile: size, shares of customers and revenue, medians and centres.

    Returns
    -------
    pandas.DataFrame
        One row per segment id: ``customers``, ``customer_share``, ``revenue``,
        ``revenue_share``, ``mean_monetary``, medians of recency, frequency, monetary,
        orders per quarter, average order value and tenure, ``profit``, the dominant
        value × loyalty quadrant, and ``center_<feature>`` (log1p units, used to
        match segments across cycles).
    """
    data = profile.merge(segments[["customer_id", "segment"]], on="customer_id")
    grouped = data.groupby("segment")
    table = grouped.agg(
        customers=("customer_id", "size"),
        revenue=("monetary", "sum"),
        mean_monetary=("monetary", "mean"),
        median_recency_days=("recency_days", "median"),
        median_frequency=("frequency", "median"),
        median_monetary=("monetary", "median"),
        median_orders_per_quarter=("orders_per_quarter", "median"),
        median_avg_order_value=("avg_order_value", "median"),
        median_tenure_days=("tenure_days", "median"),
        profit=("profit", "sum"),
        **({"clv": ("clv", "sum")} if "clv" in data else {}),
    )
    table["customer_share"] = table["customers"] / table["customers"].sum()
    table["revenue_share"] = table["revenue"] / table["revenue"].sum()
    table["main_quadrant"] = grouped["value_loyalty_quadrant"].agg(lambda s: s.value_counts().index[0])
    centers = model.centers_.add_prefix("center_")
    table = table.join(centers).round(4)
    first = ["customers", "customer_share", "revenue", "revenue_share"]
    return table[first + [c for c in table.columns if c not in first]]


def persona_names(personas: list[dict]) -> dict[int, str]:
    """Segment id → persona name."""
    return {p["segment"]: p["name"] for p in personas}


def name_segments(segments: pd.DataFrame, personas: list[dict]) -> pd.DataFrame:
    """Add ``segment_name`` (the persona name) after ``segment``, and ``hybrid_label``
    ("primary · secondary" persona names) for customers with a secondary segment."""
    out = segments.copy()
    names = persona_names(personas)
    out.insert(2, "segment_name", out["segment"].map(names).astype("string"))
    secondary = out["secondary_segment"].map(names).astype("string")
    out["hybrid_label"] = (out["segment_name"] + " · " + secondary).where(secondary.notna())
    return out


def score_customers(model, customers: pd.DataFrame, personas: list[dict] | None = None,
                    hybrid_threshold: float = 0.3, table: str = "customers to score") -> pd.DataFrame:
    """Assign new customers (a table with the model's feature columns) to segments, with any scheme's model.

    Returns
    -------
    pandas.DataFrame
        As :func:`assign_segments`, plus ``segment_name`` when ``personas`` are given.

    Raises
    ------
    InputError
        A feature column is missing, or holds values that are not numbers.
    """
    from segkit_helpers.errors import InputError

    check_is_fitted(model)
    features = model.features or FEATURES
    for column in ["customer_id", *features]:
        if column not in customers:
            raise InputError(f"table '{table}': column '{column}' is missing; the model needs "
                             f"customer_id and {', '.join(features)} (as in customers.parquet)")
    data = customers.copy()
    # k-means and quadrants take numbers; the mixed-data and survey models check their own inputs
    numeric = features if model.numeric else []
    for column in numeric:
        values = pd.to_numeric(data[column], errors="coerce")
        bad = values.isna()
        if bad.any():
            raise InputError.bad_rows(table, column, int(bad.sum()), data.loc[bad, column].iloc[0], "are not numbers")
        data[column] = values
    scored = assign_segments(model, data.reset_index(drop=True), hybrid_threshold)
    return name_segments(scored, personas) if personas else scored
