"""Behavioural segmentation: choice of k, the segment model, profiles and persona drafts.

Customers are clustered on log-transformed (log-modulus: ``log1p`` for non-negative values),
standardised RFM — or the profile columns of ``segmentation.features`` — with k-means
(Lloyd's algorithm, k-means++ starts; scikit-learn). Segment ids are 1..k sorted by mean revenue per customer (1 = most valuable) in a first cycle, or
carried over from the previous cycle's matching segments
(:func:`segkit_helpers.monitoring.drift.match_segments`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, euclidean_distances, calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils.validation import check_is_fitted
from tqdm import tqdm

from segkit_helpers.io.model_io import MODEL_FILE, PandasState, save_model
from segkit_helpers.schemes.value_loyalty import QuadrantModel

FEATURES = ["recency_days", "frequency", "monetary"]
FEATURE_WORDS = {
    "recency_days": ("Active", "Cooling", "Lapsed"),  # low recency = bought lately
    "frequency": ("frequent", "regular", "occasional"),
    "monetary": ("high-value", "mid-value", "low-value"),
}
DISTINCT_Z = 0.5  # a segment mean this many overall SDs from the overall mean is "distinctive"


def log_modulus(values: np.ndarray) -> np.ndarray:
    """``sign(x) · log(1 + |x|)``, the log-modulus transform (John & Draper 1980).

    It is ``log1p`` for the usual non-negative, right-skewed amounts and counts, and keeps
    negative values (a basket-value change, a net revenue left negative when not cleaned)
    on the same scale, mirrored, instead of clipping them.
    """
    return np.sign(values) * np.log1p(np.abs(values))


def make_pipeline(k: int, seed: int) -> Pipeline:
    """log-modulus → standardise → k-means with ``k`` clusters and 10 seeded k-means++ starts."""
    return Pipeline(
        [
            ("log", FunctionTransformer(log_modulus, feature_names_out="one-to-one")),
            ("scale", StandardScaler()),
            ("kmeans", KMeans(n_clusters=k, n_init=10, random_state=seed)),
        ]
    )


def scale_features(features: pd.DataFrame) -> np.ndarray:
    """The model's feature space: ``log1p`` then z-scores (as in :func:`make_pipeline`)."""
    return StandardScaler().fit_transform(log_modulus(features.to_numpy(dtype=float)))


def bootstrap_ari(n: int, fit_predict, seed: int, resamples: int = 10, sample: int = 5000) -> np.ndarray:
    """Global stability of a clustering method: ARI between solutions on bootstrap pairs.

    For each of ``resamples`` rounds, the method is fitted on two independent
    bootstrap samples and both solutions assign the same evaluation customers; their
    adjusted Rand index (Hubert & Arabie 1985) measures how reproducible the
    partition is — the global stability of Dolnicar, Grün & Leisch (2018, ch. 7),
    ``bootFlexclust``. With more than ``sample`` customers, bootstrap and evaluation
    samples have ``sample`` customers (seeded), which keeps the cost flat in the
    data size.

    Parameters
    ----------
    n
        Number of customers.
    fit_predict
        ``fit_predict(train_rows, eval_rows, seed) -> labels of eval_rows``: fits the
        method on the customers at ``train_rows`` (positions, with repeats) and
        assigns those at ``eval_rows``.

    Returns
    -------
    numpy.ndarray
        One ARI per round.
    """
    rng = np.random.default_rng(seed)
    m = min(n, sample)
    scores = np.empty(resamples)
    for b in range(resamples):
        evaluate = rng.choice(n, size=m, replace=False) if m < n else np.arange(n)
        labels = [fit_predict(rng.integers(0, n, size=m), evaluate, int(rng.integers(2**31 - 1))) for _ in range(2)]
        scores[b] = adjusted_rand_score(*labels)
    return scores


def bootstrap_pair_stability(scaled: np.ndarray, k: int, seed: int, resamples: int = 10,
                             sample: int = 5000) -> np.ndarray:
    """:func:`bootstrap_ari` of k-means (3 seeded starts) with ``k`` clusters on ``scaled`` rows."""
    def fit_predict(train: np.ndarray, evaluate: np.ndarray, start: int) -> np.ndarray:
        return KMeans(n_clusters=k, n_init=3, random_state=start).fit(scaled[train]).predict(scaled[evaluate])

    return bootstrap_ari(len(scaled), fit_predict, seed, resamples, sample)


def recommend_k(table: pd.DataFrame, min_k: int, higher_better: list[str], lower_better: list[str],
                tolerance: float = 0.01) -> pd.DataFrame:
    """Add ``mean_rank`` and ``recommended`` to a k-selection table (one row per k).

    Rule (the same for every scheme): internal indices on customer data usually
    favour the smallest k, which no business can use, so the recommended k is the
    **most stable** k (column ``stability``) among those of at least ``min_k``.
    Stabilities within ``tolerance`` of the best count as equal; among those the best
    ``mean_rank`` — the average rank over the internal indices ``higher_better`` and
    ``lower_better`` — wins, then the smaller k (merging two true groups can be as
    stable as finding them, so the internal indices break the tie). If no k reaches
    ``min_k``, the smallest is taken.
    """
    ranks = [table[c].rank(ascending=False) for c in higher_better] + [table[c].rank() for c in lower_better]
    table = table.copy()
    table["mean_rank"] = pd.concat(ranks, axis=1).mean(axis=1)
    usable = table[table["k"] >= min_k]
    if usable.empty:
        usable = table.iloc[:1]
    tied = usable[usable["stability"] >= usable["stability"].max() - tolerance]
    chosen = tied.sort_values(["mean_rank", "k"]).iloc[0]["k"]
    table["recommended"] = table["k"] == chosen
    return table


def hopkins_statistic(scaled: np.ndarray, seed: int, sample: int = 500) -> float:
    """Hopkins statistic of cluster tendency (Hopkins & Skellam 1954; Lawson & Jurs 1990).

    ``H = Σu / (Σu + Σw)``, where ``u`` are the distances from ``m`` points drawn
    uniformly in the data's bounding box to their nearest customer and ``w`` the
    distances from ``m`` sampled customers to their nearest other customer
    (``m`` = min(``sample``, n / 10)). About 0.5 for data without structure, towards
    1 for clustered data; above 0.75 is read as natural clusters.

    Written here because no maintained library provides it (pyclustertend is
    unmaintained); nearest neighbours come from scikit-learn.
    """
    rng = np.random.default_rng([seed, 0x486F706B])  # a stream of its own, unlike any data made with `seed`
    n, d = scaled.shape
    m = max(1, min(sample, n // 10))
    nn = NearestNeighbors(n_neighbors=2).fit(scaled)
    uniform = rng.uniform(scaled.min(axis=0), scaled.max(axis=0), size=(m, d))
    u = nn.kneighbors(uniform, n_neighbors=1)[0][:, 0]
    w = nn.kneighbors(scaled[rng.choice(n, size=m, replace=False)], n_neighbors=2)[0][:, 1]
    return float(u.sum() / (u.sum() + w.sum()))


NATURAL_HOPKINS = 0.75


def select_k(features: pd.DataFrame, k_range: list[int], seed: int, silhouette_sample: int = 5000,
             min_k: int = 2, resamples: int = 10, stability_sample: int = 5000) -> pd.DataFrame:
    """Score every k in ``k_range`` by three internal indices and by bootstrap stability.

    Internal indices (scikit-learn, on the k-means solution of all customers): mean
    silhouette (Rousseeuw 1987; on a seeded sample of ``silhouette_sample``
    customers, higher is better), Calinski–Harabasz (1974, higher is better) and
    Davies–Bouldin (1979, lower is better); ``mean_rank`` is their average rank.
    ``stability`` is the mean ARI of :func:`bootstrap_pair_stability`.

    The recommendation follows :func:`recommend_k`: the most stable k of at least
    ``min_k``, ties (within 0.01) broken by the internal indices' mean rank.

    Returns
    -------
    pandas.DataFrame
        One row per k: ``k``, ``silhouette``, ``calinski_harabasz``,
        ``davies_bouldin``, ``inertia``, ``mean_rank``, ``stability``,
        ``stability_sd`` and ``recommended`` (bool).
    """
    scaled = scale_features(features)
    rows = []
    for k in tqdm(range(k_range[0], k_range[1] + 1), desc="choosing k", leave=False):
        model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(scaled)
        stability = bootstrap_pair_stability(scaled, k, seed + k, resamples, stability_sample)
        rows.append(
            {
                "k": k,
                "silhouette": silhouette_score(scaled, model.labels_, sample_size=min(silhouette_sample, len(scaled)),
                                               random_state=seed),
                "calinski_harabasz": calinski_harabasz_score(scaled, model.labels_),
                "davies_bouldin": davies_bouldin_score(scaled, model.labels_),
                "inertia": model.inertia_,
                "stability": float(stability.mean()),
                "stability_sd": float(stability.std()),
            }
        )
    table = recommend_k(pd.DataFrame(rows), min_k, ["silhouette", "calinski_harabasz"], ["davies_bouldin"])
    return table[[*table.columns[:5], "mean_rank", *table.columns[5:-2], "recommended"]]


NATURAL_SILHOUETTE = 0.5


def cluster_tendency(features: pd.DataFrame, k_table: pd.DataFrame, seed: int,
                     embedded: np.ndarray | None = None) -> dict:
    """Are the segments natural groups or a constructed division of a continuum?

    Two conditions, both needed: the Hopkins statistic (:func:`hopkins_statistic`)
    is at least 0.75 — the data are far from uniform — and the best mean silhouette
    over the candidate k is at least 0.5, "a reasonable structure" in Kaufman &
    Rousseeuw (1990). Hopkins alone cannot tell one skewed blob from several groups:
    a single Gaussian cloud already scores about 0.85. ``embedded`` gives the customers
    as points when the scheme's space is not the log-standardised ``features``.

    Returns
    -------
    dict
        ``hopkins``, ``best_silhouette`` (and its ``best_silhouette_k``) and ``natural`` (bool).
    """
    h = hopkins_statistic(scale_features(features) if embedded is None else embedded, seed)
    best_row = k_table.loc[k_table["silhouette"].idxmax()]
    best = float(best_row["silhouette"])
    return {"hopkins": round(h, 3), "best_silhouette": round(best, 3), "best_silhouette_k": int(best_row["k"]),
            "natural": h >= NATURAL_HOPKINS and best >= NATURAL_SILHOUETTE}


def explain_k(k_table: pd.DataFrame, tendency: dict, k: int, set_by_config: bool = False, min_k: int = 2) -> str:
    """One sentence, for a sales director, on why this number of segments.

    It states the agreement between two independent refits at this k (the stability
    curve), names a coarser k that would be more repeatable but is below ``min_k``,
    says when the configuration overrides the recommendation, and gives the cluster
    tendency (:func:`cluster_tendency`) as a first reading only: whether the segments
    are natural or constructed is decided in step 03 against a reference without
    groups (:func:`segkit_helpers.evaluation.validation.null_reference`), so the report says it once.
    """
    table = k_table.set_index("k")
    recommended = int(k_table.loc[k_table["recommended"], "k"].iloc[0])
    agree = lambda n: f"{table.loc[n, 'stability']:.0%}"  # noqa: E731
    if set_by_config or k not in table.index:
        sentence = f"We use {k} segments, as set in the configuration"
        if k in table.index:
            sentence += f" (two independent refits agree {agree(k)})"
        if recommended != k:
            sentence += f"; the most repeatable business-usable number would be {recommended} ({agree(recommended)})"
    else:
        usable = table.index[table.index >= min_k]
        sentence = (f"We recommend {k} segments: of the business-usable options ({usable.min()} to {usable.max()} "
                    f"segments) this is the most repeatable — two refits on resampled customers agree {agree(k)} "
                    f"(adjusted Rand index)")
        coarser = table[table.index < min_k]
        if len(coarser) and coarser["stability"].max() > table.loc[k, "stability"]:
            sentence += (f"; {int(coarser['stability'].idxmax())} segments would be more repeatable still, but too "
                         f"coarse to act on")
    best = f"the best split, into {tendency['best_silhouette_k']} segments, has a silhouette of {tendency['best_silhouette']:.2f}"
    if tendency["natural"]:
        structure = f"at first sight the customers fall into natural groups (Hopkins {tendency['hopkins']:.2f}; {best})"
    else:
        structure = (f"at first sight the customers are far from random (Hopkins {tendency['hopkins']:.2f}) but form "
                     f"no clear groups ({best}; 0.5 would be a clear structure), so the segments look like a "
                     f"practical division of a continuum, with soft borders")
    return (f"{sentence}. {structure[0].upper()}{structure[1:]}; step 03 gives the verdict, comparing the segments "
            f"with the same scheme fitted to data without groups.")


def chosen_k(k_table: pd.DataFrame, k_setting: int | str) -> int:
    """``segmentation.k`` when it is a number, else the recommended k of :func:`select_k`."""
    if k_setting != "auto":
        return int(k_setting)
    return int(k_table.loc[k_table["recommended"], "k"].iloc[0])


class SegmentModel(PandasState, ClusterMixin, BaseEstimator):
    """K-means segments on log-standardised RFM, with value-sorted, re-mappable ids.

    Parameters
    ----------
    n_segments : int
        Number of segments.
    random_state : int
        Seed of the k-means starts.
    features : list of str, optional
        Profile columns used (default :data:`FEATURES`).

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
        The fitted log → scale → k-means pipeline.
    segment_ids_ : numpy.ndarray
        Segment id of each k-means cluster (index = cluster number).
    centers_log_ : pandas.DataFrame
        Segment centres in ``log1p`` feature units (comparable across cycles), one
        row per segment id.
    """

    def __init__(self, n_segments: int = 4, random_state: int = 42, features: list[str] | None = None):
        self.n_segments = n_segments
        self.random_state = random_state
        self.features = features

    def _x(self, X: pd.DataFrame) -> pd.DataFrame:
        return X[self.features or FEATURES]

    def fit(self, X: pd.DataFrame, y=None) -> "SegmentModel":
        """Fit k-means; number segments 1..k by mean ``monetary`` (largest first)."""
        x = self._x(X)
        self.pipeline_ = make_pipeline(self.n_segments, self.random_state).fit(x)
        clusters = self.pipeline_[-1].labels_
        mean_value = pd.Series(X["monetary"].to_numpy()).groupby(clusters).mean()
        order = mean_value.sort_values(ascending=False, kind="stable").index
        self.segment_ids_ = np.empty(self.n_segments, dtype="int64")
        self.segment_ids_[order.to_numpy()] = np.arange(1, self.n_segments + 1)
        self._set_centers()
        return self

    def _set_centers(self) -> None:
        scaler = self.pipeline_.named_steps["scale"]
        centers = self.pipeline_[-1].cluster_centers_ * scaler.scale_ + scaler.mean_
        self.centers_log_ = pd.DataFrame(
            centers, columns=self.features or FEATURES, index=pd.Index(self.segment_ids_, name="segment")
        ).sort_index()

    def relabel(self, mapping: dict[int, int]) -> "SegmentModel":
        """Give segments new ids (``{old id: new id}``), e.g. to match the previous cycle."""
        check_is_fitted(self)
        self.segment_ids_ = np.array([mapping[int(s)] for s in self.segment_ids_], dtype="int64")
        self._set_centers()
        return self

    @property
    def centers_(self) -> pd.DataFrame:
        """Segment centres used to match segments across cycles (the log1p centres)."""
        return self.centers_log_

    def pairwise_distances(self, X: pd.DataFrame) -> np.ndarray:
        """Euclidean distances between customers in the model's standardised log space."""
        return euclidean_distances(self.pipeline_[:-1].transform(self._x(X)))

    def describe_segments(self, X: pd.DataFrame) -> pd.DataFrame:
        """Mean of each feature per segment id, in the features' own units."""
        return self._x(X).groupby(self.predict(X)).mean().rename_axis("segment")

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Segment id of each customer (nearest centre)."""
        check_is_fitted(self)
        return self.segment_ids_[self.pipeline_.predict(self._x(X))]

    def predict_proba(self, X: pd.DataFrame) -> pd.DataFrame:
        """Soft membership: the fuzzy c-means membership of each customer in each segment.

        With fuzzifier m = 2 (Bezdek 1981), membership in segment j is
        ``u_j = 1 / Σ_l (d_j / d_l)²`` where ``d`` are the distances to the segment
        centres in the standardised space; memberships sum to 1, and a customer
        half-way between two centres has 0.5 in each.

        Returns
        -------
        pandas.DataFrame
            One column per segment id, in id order, one row per customer.
        """
        check_is_fitted(self)
        dist = self.pipeline_.transform(self._x(X))  # distances to each k-means centre
        inv = 1.0 / np.maximum(dist, 1e-12) ** 2
        member = inv / inv.sum(axis=1, keepdims=True)
        table = pd.DataFrame(member, columns=self.segment_ids_, index=X.index)
        return table[sorted(self.segment_ids_)]


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
    proba = model.predict_proba(profile)
    out = pd.DataFrame({"customer_id": profile["customer_id"].to_numpy()})
    out["segment"] = model.predict(profile)
    for seg in proba.columns:
        out[f"prob_{seg}"] = proba[seg].round(6).to_numpy()
    values = proba.to_numpy()
    order = np.argsort(-values, axis=1, kind="stable")
    ids = proba.columns.to_numpy()
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


def _feature_z(profiles: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """Each segment's RFM position as z-scores against all customers, in log1p units.

    The segment centres when the scheme clusters RFM (``center_<feature>`` columns),
    else the segment medians.
    """
    logs = log_modulus(profile[FEATURES].to_numpy(dtype=float))
    mean, sd = logs.mean(axis=0), logs.std(axis=0)
    if all(f"center_{f}" in profiles for f in FEATURES):
        centers = profiles[[f"center_{f}" for f in FEATURES]].to_numpy()
    else:
        centers = log_modulus(profiles[[f"median_{f}" for f in FEATURES]].to_numpy(dtype=float))
    return pd.DataFrame((centers - mean) / np.where(sd > 0, sd, 1), columns=FEATURES, index=profiles.index)


def _word(feature: str, z: float) -> str:
    low, mid, high = FEATURE_WORDS[feature]
    if feature == "recency_days":
        return low if z <= -DISTINCT_Z else high if z >= DISTINCT_Z else mid
    return low if z >= DISTINCT_Z else high if z <= -DISTINCT_Z else mid


SOFT_QUESTIONS = [
    "Who decides the purchase in these accounts, and how do they prefer to be contacted?",
    "What problem do they solve with our products, and what pains do they mention to sales?",
    "How do they respond to campaigns, discounts and new products?",
    "What would make them buy more often or move more of their spend to us?",
    "Which competitors do they also buy from, and why?",
]


def draft_personas(profiles: pd.DataFrame, profile: pd.DataFrame, stability: pd.DataFrame | None = None,
                   previous: dict | None = None, names: dict[int, str] | None = None,
                   traits: dict[int, str] | None = None) -> list[dict]:
    """A persona draft per segment, from its distinctive features (seed 002 steps 4–5).

    The name combines three words, one per RFM feature, chosen by how far the segment
    centre lies from the overall mean in SD units (±0.5 SD is distinctive); duplicates
    get the segment id appended. A segment matched to the previous cycle keeps the
    name it had there — which the team may have edited in that cycle's
    ``personas.yml`` — so names stick across cycles. The description states size and
    value; the data answers come from the segment's medians; the soft questions are
    for business experts to answer.

    Parameters
    ----------
    stability
        :func:`segkit_helpers.evaluation.validation.segment_stability`, shown on each card.
    previous
        The previous cycle (:func:`segkit_helpers.monitoring.drift.load_previous`).
    names
        Generated names to use instead of the RFM words (schemes that segment on
        something else name segments by it: :func:`segkit_helpers.schemes.common.scheme_names`).
    traits
        A sentence per segment on what makes it distinctive
        (:func:`segkit_helpers.schemes.common.segment_traits`), added to the description.

    Returns
    -------
    list of dict
        ``segment``, ``name``, ``name_source`` (generated / previous cycle),
        ``description``, ``customers``, ``customer_share``, ``revenue_share``,
        ``stability`` and ``target_alone`` (when given), ``data_answers``
        (question → answer) and ``soft_questions``, in segment id order.
    """
    z = _feature_z(profiles, profile)
    names = names or {seg: " ".join(_word(f, z.loc[seg, f]) for f in FEATURES) + " buyers" for seg in profiles.index}
    counts = pd.Series(names).value_counts()
    kept = {p["segment"]: p["name"] for p in (previous or {}).get("personas", [])}
    personas = []
    for seg, row in profiles.iterrows():
        name = names[seg] if counts[names[seg]] == 1 else f"{names[seg]} ({seg})"
        card_stability = {}
        if stability is not None and seg in stability.index:
            card_stability = {"stability": float(stability.loc[seg, "jaccard"]),
                              "target_alone": bool(stability.loc[seg, "stable"])}
        personas.append(
            {
                "segment": int(seg),
                "name": kept.get(int(seg), name),
                "name_source": "previous cycle" if int(seg) in kept else "generated",
                "customers": int(row.customers),
                "customer_share": round(float(row.customer_share), 4),
                "revenue_share": round(float(row.revenue_share), 4),
                **card_stability,
                "description": (
                    f"{int(row.customers):,} customers ({row.customer_share:.0%} of all) bringing "
                    f"{row.revenue_share:.0%} of net revenue. Typically last bought "
                    f"{row.median_recency_days:.0f} days ago, {row.median_frequency:.0f} order(s) so far, "
                    f"{row.median_monetary:,.0f} in net revenue."
                    + (f" {traits[seg]}" if traits and seg in traits else "")
                ),
                "data_answers": {
                    "How often do they buy?": f"{row.median_orders_per_quarter:.2f} orders per quarter (median)",
                    "How much do they spend per order?": f"{row.median_avg_order_value:,.0f} (median average order value)",
                    "How recently did they buy?": f"{row.median_recency_days:.0f} days before the as-of date (median)",
                    "How much of our revenue do they bring?": f"{row.revenue_share:.1%}",
                    "Are they profitable and loyal?": f"mostly {row.main_quadrant}",
                },
                "soft_questions": list(SOFT_QUESTIONS),
            }
        )
    return personas


def persona_names(personas: list[dict]) -> dict[int, str]:
    """Segment id → persona name."""
    return {p["segment"]: p["name"] for p in personas}


def persona_table(personas: list[dict]) -> pd.DataFrame:
    """Persona cards as a table: name, size, value, stability, description and the data answers."""
    rows = []
    for p in personas:
        row = {"segment": p["segment"], "name": p["name"], "customers": p["customers"],
               "share of customers": f"{p['customer_share']:.0%}", "share of revenue": f"{p['revenue_share']:.0%}"}
        if "stability" in p:
            row["stability (Jaccard)"] = round(p["stability"], 2)
            row["target alone?"] = "yes" if p["target_alone"] else "no: unstable, combine or watch"
        rows.append({**row, "description": p["description"], **p["data_answers"]})
    return pd.DataFrame(rows).set_index("segment")


def name_segments(segments: pd.DataFrame, personas: list[dict]) -> pd.DataFrame:
    """Add ``segment_name`` (the persona name) after ``segment``, and ``hybrid_label``
    ("primary · secondary" persona names) for customers with a secondary segment."""
    out = segments.copy()
    names = persona_names(personas)
    out.insert(2, "segment_name", out["segment"].map(names).astype("string"))
    secondary = out["secondary_segment"].map(names).astype("string")
    out["hybrid_label"] = (out["segment_name"] + " · " + secondary).where(secondary.notna())
    return out


def save_hypothesis(ctx, model, segments: pd.DataFrame, profiles: pd.DataFrame, personas: list[dict],
                    k_table: pd.DataFrame, choice: dict, cross_sell: pd.DataFrame | None = None,
                    gaps: pd.DataFrame | None = None) -> None:
    """Write ``segments.parquet``, ``profiles.csv``, ``personas.yml``, ``k_selection.csv``, ``k_choice.json``,
    ``model.skops`` and, with product lines, ``cross_sell.csv`` and ``whitespace.parquet``."""
    from segkit_helpers.io.artefacts import write_csv, write_json, write_parquet, write_yaml

    write_parquet(name_segments(segments, personas), ctx.artefact("segments.parquet"))
    write_csv(profiles.reset_index(), ctx.artefact("profiles.csv"))
    write_yaml({"cycle": ctx.cycle, "personas": personas}, ctx.artefact("personas.yml"))
    write_csv(k_table, ctx.artefact("k_selection.csv"))
    write_json(choice, ctx.artefact("k_choice.json"))
    save_model(model, ctx.artefact(MODEL_FILE))
    if cross_sell is not None and not cross_sell.empty:
        write_csv(cross_sell, ctx.artefact("cross_sell.csv"))
        write_parquet(gaps, ctx.artefact("whitespace.parquet"))
    print(f"wrote segments.parquet ({model.n_segments} segments), profiles.csv, personas.yml, {MODEL_FILE} to data/processed/{ctx.cycle}/")


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
    numeric = features if isinstance(model, (SegmentModel, QuadrantModel)) else []
    for column in numeric:
        values = pd.to_numeric(data[column], errors="coerce")
        bad = values.isna()
        if bad.any():
            raise InputError.bad_rows(table, column, int(bad.sum()), data.loc[bad, column].iloc[0], "are not numbers")
        data[column] = values
    scored = assign_segments(model, data.reset_index(drop=True), hybrid_threshold)
    return name_segments(scored, personas) if personas else scored
