"""The firmographic scheme: segments from mixed numeric and categorical company attributes.

Method: **Gower dissimilarity** (Gower 1971) and **k-medoids** by FasterPAM (Schubert &
Rousseeuw 2021, package ``kmedoids``; PAM: Kaufman & Rousseeuw 1990). Why this one:

- Gower treats each attribute on its own terms — a range-scaled difference for numbers,
  match / mismatch for categories — so industry, region and employee count weigh the
  same without inventing a numeric code for a category (k-means would need one-hot
  dummies whose weight grows with the number of levels);
- k-medoids needs only dissimilarities, and its centres are real customers (a "typical
  account" a sales director can look up), robust to outliers such as one giant customer;
- k-prototypes (Huang 1998) would also do, but its only Python implementation (kmodes)
  has been unreleased since 2022; FAMD then k-means is "tandem" clustering, which can
  hide the structure in the dropped dimensions (Arabie & Hubert 1994).

For many customers the n × n matrix does not fit, so **CLARA** (Kaufman & Rousseeuw
1990, ch. 3) is used above ``sample_size`` customers: FasterPAM on several seeded samples,
keeping the medoids with the lowest total dissimilarity over all customers (computed in
chunks), then everyone is assigned to the nearest medoid.

The Gower dissimilarity is written here because the ``gower`` package (0.1.2, 2022)
fails on pandas 3's string dtype.
"""

from __future__ import annotations

import kmedoids
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.utils.validation import check_is_fitted
from tqdm import tqdm

from segkit_helpers.errors import InputError
from segkit_helpers.io.model_io import PandasState
from segkit_helpers.schemes.behavioural import bootstrap_ari, recommend_k

CHUNK = 2000  # rows of customers against medoids per block when scoring many customers


class GowerScale:
    """How each attribute enters Gower's dissimilarity, learnt from the fitting customers.

    Numeric attributes are ``log1p``-transformed when listed in ``log_features``, then
    scaled by their range at fit time (new customers are clipped into it);
    categorical attributes are compared as text.
    """

    def __init__(self, data: pd.DataFrame, features: list[str], categorical: list[str], log_features: list[str]):
        self.features = list(features)
        self.categorical = [f for f in features if f in categorical or not pd.api.types.is_numeric_dtype(data[f])]
        self.numeric = [f for f in features if f not in self.categorical]
        self.log_features = [f for f in log_features if f in self.numeric]
        values = self.numeric_values(data)
        self.low = np.nanmin(values, axis=0) if len(values) else np.zeros(len(self.numeric))
        spread = (np.nanmax(values, axis=0) - self.low) if len(values) else np.ones(len(self.numeric))
        self.spread = np.where(spread > 0, spread, 1.0)
        self.levels = {f: sorted(data[f].dropna().astype(str).unique()) for f in self.categorical}

    def numeric_values(self, data: pd.DataFrame) -> np.ndarray:
        """The numeric attributes as floats (log1p where configured), missing as NaN."""
        values = data[self.numeric].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan,
                                                                            copy=True)
        for j, f in enumerate(self.numeric):
            if f in self.log_features:
                values[:, j] = np.log1p(np.clip(values[:, j], 0, None))
        return values

    def encode(self, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Numeric attributes scaled to [0, 1] (NaN = missing) and categorical ones as integer codes (−1 = missing).

        Levels seen at fit time keep their code; a level first seen now gets a code
        after them (it matches only itself).
        """
        scaled = np.clip((self.numeric_values(data) - self.low) / self.spread, 0, 1)
        codes = np.empty((len(data), len(self.categorical)), dtype=np.int64)
        for j, f in enumerate(self.categorical):
            text = data[f].astype("string")
            unseen = sorted(set(text.dropna()) - set(self.levels[f]))
            codes[:, j] = pd.Categorical(text, categories=self.levels[f] + unseen).codes
        return scaled, codes


def gower_matrix(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Gower (1971) dissimilarity between every row of ``a`` and every row of ``b``.

    ``d(x, y) = Σ_f δ_f s_f / Σ_f δ_f`` where, for a numeric attribute, ``s_f`` =
    |x_f − y_f| on the range-scaled values and, for a categorical one, 0 if equal else
    1; ``δ_f`` = 0 when the attribute is missing in either customer (it is left out of
    that pair), else 1. Inputs are :meth:`GowerScale.encode` outputs. A pair with no
    attribute in common gets dissimilarity 1.
    """
    (num_a, cat_a), (num_b, cat_b) = a, b
    total = np.zeros((len(num_a), len(num_b)))
    count = np.zeros_like(total)
    for j in range(num_a.shape[1]):
        diff = np.abs(num_a[:, j][:, None] - num_b[:, j][None, :])
        present = ~np.isnan(diff)
        total += np.where(present, diff, 0.0)
        count += present
    for j in range(cat_a.shape[1]):
        left, right = cat_a[:, j][:, None], cat_b[:, j][None, :]
        present = (left >= 0) & (right >= 0)
        total += present & (left != right)
        count += present
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), 1.0)


def _select_rows(encoded: tuple[np.ndarray, np.ndarray], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return encoded[0][rows], encoded[1][rows]


class FirmographicModel(PandasState, ClusterMixin, BaseEstimator):
    """Gower + k-medoids segments of customers by their company attributes.

    Parameters
    ----------
    n_segments : int
        Number of segments.
    random_state : int
        Seed of FasterPAM and of the CLARA samples.
    features : list of str
        Attribute columns.
    categorical : list of str
        Numeric-coded columns to treat as categories (text columns always are).
    log_features : list of str
        Skewed amounts (spend, employees, revenue) to ``log1p`` before range scaling.
    sample_size, n_samples : int
        CLARA: above ``sample_size`` customers, fit on ``n_samples`` seeded samples of
        that size and keep the best medoids.

    Attributes
    ----------
    medoids_ : pandas.DataFrame
        The medoid customers' attribute values, one row per segment id.
    segment_ids_ : numpy.ndarray
        Segment id of each medoid (row order of ``medoids_`` before sorting).
    """

    def __init__(self, n_segments: int = 4, random_state: int = 42, features: list[str] | None = None,
                 categorical: list[str] | None = None, log_features: list[str] | None = None,
                 sample_size: int = 2000, n_samples: int = 5):
        self.n_segments = n_segments
        self.random_state = random_state
        self.features = features
        self.categorical = categorical
        self.log_features = log_features
        self.sample_size = sample_size
        self.n_samples = n_samples

    def _check(self, X: pd.DataFrame, table: str = "customers") -> pd.DataFrame:
        features = list(self.features or [])
        if not features:
            raise InputError("the firmographic scheme needs attribute columns: set 'segmentation.features'")
        for column in features:
            if column not in X:
                raise InputError(f"table '{table}': attribute column '{column}' is missing "
                                 f"(available: {', '.join(map(str, X.columns))})")
        if hasattr(self, "scale_"):
            for column in self.scale_.numeric:
                values = pd.to_numeric(X[column], errors="coerce")
                bad = values.isna() & X[column].notna()
                if bad.any():
                    raise InputError.bad_rows(table, column, int(bad.sum()), X.loc[bad, column].iloc[0],
                                              "are not numbers")
        return X[features]

    def fit(self, X: pd.DataFrame, y=None) -> "FirmographicModel":
        """Choose medoids (FasterPAM, or CLARA for many customers); ids 1..k by mean ``monetary`` when given, else by size."""
        data = self._check(X).reset_index(drop=True)
        if len(data) < self.n_segments:
            raise InputError(f"table 'customers': {len(data)} customers cannot form {self.n_segments} segments")
        self.scale_ = GowerScale(data, list(self.features), list(self.categorical or []), list(self.log_features or []))
        self._check(X)  # numeric columns holding text, now that types are known
        encoded = self.scale_.encode(data)
        medoid_rows = self._medoid_rows(encoded, len(data))
        self.medoid_codes_ = _select_rows(encoded, medoid_rows)
        clusters = gower_matrix(encoded, self.medoid_codes_).argmin(axis=1)
        if "monetary" in X:
            key = pd.Series(X["monetary"].to_numpy()).groupby(clusters).mean().reindex(range(self.n_segments))
        else:
            key = pd.Series(clusters).value_counts().reindex(range(self.n_segments), fill_value=0)
        order = key.fillna(-np.inf).sort_values(ascending=False, kind="stable").index.to_numpy()
        self.segment_ids_ = np.empty(self.n_segments, dtype="int64")
        self.segment_ids_[order] = np.arange(1, self.n_segments + 1)
        self.medoids_ = data.iloc[medoid_rows].set_axis(pd.Index(self.segment_ids_, name="segment")).sort_index()
        return self

    def _medoid_rows(self, encoded: tuple[np.ndarray, np.ndarray], n: int) -> np.ndarray:
        if n <= self.sample_size:
            result = kmedoids.fasterpam(gower_matrix(encoded, encoded), self.n_segments,
                                        random_state=self.random_state, n_cpu=1)
            return np.asarray(result.medoids)
        rng = np.random.default_rng(self.random_state)
        best, best_cost = None, np.inf
        for _ in range(self.n_samples):
            rows = np.sort(rng.choice(n, size=self.sample_size, replace=False))
            sample = _select_rows(encoded, rows)
            result = kmedoids.fasterpam(gower_matrix(sample, sample), self.n_segments,
                                        random_state=int(rng.integers(2**31 - 1)), n_cpu=1)
            candidate = rows[np.asarray(result.medoids)]
            cost = self._distances(encoded, _select_rows(encoded, candidate)).min(axis=1).sum()
            if cost < best_cost:
                best, best_cost = candidate, cost
        return best

    @staticmethod
    def _distances(encoded: tuple[np.ndarray, np.ndarray], medoids: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Gower dissimilarity of every customer to every medoid, in blocks of :data:`CHUNK` rows."""
        n = len(encoded[0])
        return np.vstack([gower_matrix(_select_rows(encoded, np.arange(i, min(i + CHUNK, n))), medoids)
                          for i in range(0, n, CHUNK)]) if n else np.zeros((0, len(medoids[0])))

    def _medoid_distances(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self)
        return self._distances(self.scale_.encode(self._check(X)), self.medoid_codes_)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Segment id of each customer: the nearest medoid (Gower)."""
        return self.segment_ids_[self._medoid_distances(X).argmin(axis=1)]

    def predict_proba(self, X: pd.DataFrame) -> pd.DataFrame:
        """Fuzzy membership from the Gower dissimilarities to the medoids (Bezdek 1981, m = 2).

        ``u_j = 1 / Σ_l (d_j / d_l)²``; a customer identical to a medoid gets 1 there.
        """
        d = self._medoid_distances(X)
        inv = 1.0 / np.maximum(d, 1e-9) ** 2
        member = inv / inv.sum(axis=1, keepdims=True)
        return pd.DataFrame(member, columns=self.segment_ids_, index=X.index)[sorted(self.segment_ids_)]

    def relabel(self, mapping: dict[int, int]) -> "FirmographicModel":
        """Give segments new ids (``{old id: new id}``), e.g. to match the previous cycle."""
        check_is_fitted(self)
        self.segment_ids_ = np.array([mapping[int(s)] for s in self.segment_ids_], dtype="int64")
        self.medoids_ = self.medoids_.rename(index=mapping).sort_index()
        return self

    @property
    def centers_(self) -> pd.DataFrame:
        """Medoids in a fixed space: numeric attributes range-scaled to [0, 1], categories one-hot (``feature=level``)."""
        check_is_fitted(self)
        scaled, codes = self.medoid_codes_
        columns = {f: scaled[:, j] for j, f in enumerate(self.scale_.numeric)}
        for j, f in enumerate(self.scale_.categorical):
            for level in self.scale_.levels[f]:
                columns[f"{f}={level}"] = (codes[:, j] == self.scale_.levels[f].index(level)).astype(float)
        table = pd.DataFrame(columns, index=pd.Index(self.segment_ids_, name="segment"))
        return table.fillna(0.0).sort_index()

    def pairwise_distances(self, X: pd.DataFrame) -> np.ndarray:
        """Gower dissimilarity between the given customers."""
        check_is_fitted(self)
        encoded = self.scale_.encode(self._check(X))
        return gower_matrix(encoded, encoded)

    def describe_segments(self, X: pd.DataFrame) -> pd.DataFrame:
        """Per segment: numeric attributes' means, and each category's most common level with its share."""
        data = self._check(X).assign(segment=self.predict(X))
        out = {}
        for f in self.features:
            if f in self.scale_.categorical:
                out[f] = data.groupby("segment")[f].agg(
                    lambda s: f"{s.mode().iloc[0]} ({(s == s.mode().iloc[0]).mean():.0%})" if s.notna().any() else "")
            else:
                out[f] = pd.to_numeric(data[f], errors="coerce").groupby(data["segment"]).mean()
        return pd.DataFrame(out).rename_axis("segment")


def select_k_firmographic(X: pd.DataFrame, features: list[str], k_range: list[int], seed: int, min_k: int = 2,
                          resamples: int = 10, sample: int = 2000, categorical: list[str] | None = None,
                          log_features: list[str] | None = None) -> pd.DataFrame:
    """Score every k for Gower + k-medoids: silhouette, cost and bootstrap stability.

    - ``silhouette``: mean silhouette width (Rousseeuw 1987) on the Gower
      dissimilarities of a seeded sample of at most ``sample`` customers (higher is
      better; ranked);
    - ``cost``: mean Gower dissimilarity of a customer to its medoid (the PAM
      objective; it always falls with k, so it is shown, not ranked — as an elbow);
    - ``stability``: :func:`segkit_helpers.schemes.behavioural.bootstrap_ari` of refits on
      bootstrap samples (at most ``sample`` customers each).

    The Euclidean indices (Calinski–Harabasz, Davies–Bouldin) are not defined on
    Gower dissimilarities and are not used. The recommendation follows
    :func:`segkit_helpers.schemes.behavioural.recommend_k`.
    """
    model = FirmographicModel(features=features, categorical=categorical or [], log_features=log_features or [],
                              sample_size=sample)
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(len(X), size=min(sample, len(X)), replace=False))
    rows = []
    for k in tqdm(range(k_range[0], k_range[1] + 1), desc="choosing k", leave=False):
        candidate = clone(model).set_params(n_segments=k, random_state=seed)
        fitted = candidate.fit(X)
        labels = fitted.predict(X.iloc[idx])
        distances = fitted.pairwise_distances(X.iloc[idx])
        silhouette = silhouette_score(distances, labels, metric="precomputed") if 1 < len(set(labels)) < len(idx) \
            else float("nan")

        def fit_predict(train: np.ndarray, evaluate: np.ndarray, start: int, k=k) -> np.ndarray:
            refit = clone(model).set_params(n_segments=k, random_state=start).fit(X.iloc[train])
            return refit.predict(X.iloc[evaluate])

        stability = bootstrap_ari(len(X), fit_predict, seed + k, resamples, sample)
        cost = fitted._medoid_distances(X).min(axis=1).mean()
        rows.append({"k": k, "silhouette": float(silhouette), "cost": float(cost),
                     "stability": float(stability.mean()), "stability_sd": float(stability.std())})
    return recommend_k(pd.DataFrame(rows), min_k, ["silhouette"], [])


def make_firmographic_sample(n: int = 1200, k: int = 4, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A synthetic B2B customers table with ``k`` planted firm types (for tests and demos).

    Each type has a dominant industry, region and legal form (80 %, 70 % and 75 % of its
    firms; the rest drawn from all levels) and its own log-normal employee count and
    annual revenue (medians spread by a factor of about 4 between types, log-SD 0.35),
    so the types differ in both kinds of attribute and overlap a little.

    Returns
    -------
    table : pandas.DataFrame
        ``customer_id``, ``industry``, ``region``, ``legal_form``, ``employees``, ``annual_revenue``.
    labels : numpy.ndarray
        The planted type of each row (0..k-1).
    """
    rng = np.random.default_rng(seed)
    industries = ["retail", "hospitality", "manufacturing", "services", "wholesale", "health"]
    regions = ["north", "south", "east", "west", "capital"]
    forms = ["sole trader", "partnership", "limited", "public"]
    labels = rng.integers(0, k, size=n)

    def pick(levels: list[str], purity: float) -> np.ndarray:
        own = np.array([levels[t % len(levels)] for t in labels])
        other = rng.choice(levels, size=n)
        return np.where(rng.random(n) < purity, own, other)

    employees = np.round(np.exp(np.log(5) + 1.4 * labels + rng.normal(0, 0.35, n)))
    revenue = np.round(np.exp(np.log(200_000) + 1.4 * ((labels * 3) % k) + rng.normal(0, 0.35, n)), -2)
    table = pd.DataFrame({
        "customer_id": [f"F{i:05d}" for i in range(n)],
        "industry": pick(industries, 0.8),
        "region": pick(regions, 0.7),
        "legal_form": pick(forms, 0.75),
        "employees": employees.astype(int),
        "annual_revenue": revenue,
    })
    return table, labels


def planted_agreement(labels: np.ndarray, segments: np.ndarray) -> float:
    """Adjusted Rand index between planted and found segments (Hubert & Arabie 1985)."""
    return float(adjusted_rand_score(labels, segments))
