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

The Gower dissimilarity is in :mod:`segkit_helpers.schemes.gower`.
"""

from __future__ import annotations

import kmedoids
import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from segkit_helpers.errors import InputError
from segkit_helpers.report.i18n import N_
from segkit_helpers.schemes.base import SegmentScheme, fuzzy_memberships
from segkit_helpers.schemes.gower import GowerScale, select_rows, gower_matrix

CHUNK = 2000  # rows of customers against medoids per block when scoring many customers


class FirmographicModel(SegmentScheme):
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
    """

    title = N_("firmographic (company attributes)")
    needs = N_("customer attributes (customers table): industry, size, region")
    table = "customers"
    join = "left"
    buys = False
    noun = N_("accounts")

    def __init__(self, n_segments: int = 4, random_state: int | None = 42, features: list[str] | None = None,
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
        features = self._columns(X, [])
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

    @classmethod
    def from_config(cls, cfg: dict, k: int, features: list[str]) -> "FirmographicModel":
        """Gower + k-medoids on ``features`` with ``segmentation.categorical`` and ``log_features``."""
        seg = cfg["segmentation"]
        return cls(n_segments=k, random_state=cfg["seed"], features=features, categorical=seg["categorical"],
                   log_features=seg["log_features"])

    def _fit(self, X: pd.DataFrame) -> np.ndarray:
        """Choose medoids (FasterPAM, or CLARA for many customers); each customer's nearest medoid."""
        data = self._check(X).reset_index(drop=True)
        if len(data) < self.n_segments:
            raise InputError(f"table 'customers': {len(data)} customers cannot form {self.n_segments} segments")
        self.scale_ = GowerScale(data, list(data.columns), list(self.categorical or []), list(self.log_features or []))
        self._check(X)  # numeric columns holding text, now that types are known
        encoded = self.scale_.encode(data)
        medoid_rows = self._medoid_rows(encoded, len(data))
        self.medoid_codes_ = select_rows(encoded, medoid_rows)
        self.medoid_rows_ = data.iloc[medoid_rows].reset_index(drop=True)
        return gower_matrix(encoded, self.medoid_codes_).argmin(axis=1)

    @property
    def medoids_(self) -> pd.DataFrame:
        """The medoid customers' attribute values, one row per segment id."""
        return self._by_id(self.medoid_rows_)

    def _medoid_rows(self, encoded: tuple[np.ndarray, np.ndarray], n: int) -> np.ndarray:
        if n <= self.sample_size:
            result = kmedoids.fasterpam(gower_matrix(encoded, encoded), self.n_segments,
                                        random_state=self.random_state, n_cpu=1)
            return np.asarray(result.medoids)
        rng = np.random.default_rng(self.random_state)
        best, best_cost = None, np.inf
        for _ in range(self.n_samples):
            rows = np.sort(rng.choice(n, size=self.sample_size, replace=False))
            sample = select_rows(encoded, rows)
            result = kmedoids.fasterpam(gower_matrix(sample, sample), self.n_segments,
                                        random_state=int(rng.integers(2**31 - 1)), n_cpu=1)
            candidate = rows[np.asarray(result.medoids)]
            cost = self._distances(encoded, select_rows(encoded, candidate)).min(axis=1).sum()
            if cost < best_cost:
                best, best_cost = candidate, cost
        return best

    @staticmethod
    def _distances(encoded: tuple[np.ndarray, np.ndarray], medoids: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Gower dissimilarity of every customer to every medoid, in blocks of :data:`CHUNK` rows."""
        n = len(encoded[0])
        return np.vstack([gower_matrix(select_rows(encoded, np.arange(i, min(i + CHUNK, n))), medoids)
                          for i in range(0, n, CHUNK)]) if n else np.zeros((0, len(medoids[0])))

    def _medoid_distances(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self)
        return self._distances(self.scale_.encode(self._check(X)), self.medoid_codes_)

    def _components(self, X: pd.DataFrame) -> np.ndarray:
        """The nearest medoid (Gower)."""
        return self._medoid_distances(X).argmin(axis=1)

    def _memberships(self, X: pd.DataFrame) -> np.ndarray:
        """Fuzzy memberships (:func:`fuzzy_memberships`) from the Gower dissimilarities to the medoids."""
        return fuzzy_memberships(self._medoid_distances(X))

    @property
    def centers_(self) -> pd.DataFrame:
        """Medoids in a fixed space: numeric attributes range-scaled to [0, 1], categories one-hot (``feature=level``)."""
        check_is_fitted(self)
        scaled, codes = self.medoid_codes_
        columns = {f: scaled[:, j] for j, f in enumerate(self.scale_.numeric)}
        for j, f in enumerate(self.scale_.categorical):
            for level in self.scale_.levels[f]:
                columns[f"{f}={level}"] = (codes[:, j] == self.scale_.levels[f].index(level)).astype(float)
        return self._by_id(pd.DataFrame(columns).fillna(0.0))

    def pairwise_distances(self, X: pd.DataFrame) -> np.ndarray:
        """Gower dissimilarity between the given customers."""
        check_is_fitted(self)
        encoded = self.scale_.encode(self._check(X))
        return gower_matrix(encoded, encoded)

    def describe_segments(self, X: pd.DataFrame) -> pd.DataFrame:
        """Per segment: numeric attributes' means, and each category's most common level with its share."""
        data = self._check(X).assign(segment=self.predict(X))
        out = {}
        for f in self.scale_.features:
            if f in self.scale_.categorical:
                out[f] = data.groupby("segment")[f].agg(
                    lambda s: f"{s.mode().iloc[0]} ({(s == s.mode().iloc[0]).mean():.0%})" if s.notna().any() else "")
            else:
                out[f] = pd.to_numeric(data[f], errors="coerce").groupby(data["segment"]).mean()
        return pd.DataFrame(out).rename_axis("segment")

    def k_scores(self, X: pd.DataFrame, seed: int, sample: int) -> dict[str, float]:
        """The silhouette on Gower dissimilarities and ``cost``, the mean dissimilarity of a customer to its
        medoid (the PAM objective: it always falls with k, so it is shown, not ranked, as an elbow).
        Calinski–Harabasz and Davies–Bouldin are not defined on Gower dissimilarities."""
        return {**super().k_scores(X, seed, sample), "cost": float(self._medoid_distances(X).min(axis=1).mean())}
