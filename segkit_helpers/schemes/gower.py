"""Gower's (1971) dissimilarity for mixed numeric and categorical attributes, and its embedding.

Written here because the ``gower`` package (0.1.2, 2022) fails on pandas 3's string
dtype. The firmographic and needs schemes measure dissimilarity with it; every scheme
that does not cluster in a Euclidean space is drawn in :func:`gower_embedding`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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


def select_rows(encoded: tuple[np.ndarray, np.ndarray], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return encoded[0][rows], encoded[1][rows]


def gower_embedding(data: pd.DataFrame, features: list[str], categorical: list[str],
                    log_features: list[str]) -> pd.DataFrame:
    """Customers as points: numeric columns range-scaled to [0, 1] (log1p first for ``log_features``),
    categories one-hot (columns ``feature=level``), missing values at the column mean.

    The space in which Gower's distance is a Manhattan distance up to weights.
    """
    scale = GowerScale(data, features, categorical, log_features)
    numbers, codes = scale.encode(data)
    table = pd.DataFrame(numbers, columns=scale.numeric, index=data.index)
    table = table.fillna(table.mean()).fillna(0.0)
    for j, feature in enumerate(scale.categorical):
        for code, level in enumerate(scale.levels[feature]):
            table[f"{feature}={level}"] = (codes[:, j] == code).astype(float)
    return table
