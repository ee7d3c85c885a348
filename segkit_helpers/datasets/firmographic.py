"""A synthetic B2B customers table with planted firm types: the sample of the firmographic scheme."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score


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
