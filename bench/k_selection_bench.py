"""Benchmark of the choice of k: segkit's stability-based selection against a plain k-means sweep.

Generates ``--customers`` synthetic customers (default 500,000) with RFM in the shape of
the Online Retail profile (four planted buyer types, log-normal spread), then times, in
one run and on the same data:

1. ``segkit_helpers.schemes.behavioural.select_k`` over k = 2..10: k-means (10 starts) on all
   customers for every k, silhouette on a seeded sample of 5,000 customers,
   Calinski–Harabasz and Davies–Bouldin on all, and global stability from 10 bootstrap
   pairs per k, each bootstrap and evaluation sample holding 5,000 customers (seeded;
   sampling keeps the stability cost flat in the number of customers);
2. the baseline: a plain k-means sweep (10 starts, every k, all customers, inertia only),
   what an analyst would run for an elbow plot.

It prints wall time, peak memory and the ratio. Target (issue 4): segkit within 60 s on
2 cores for 500k customers.

    python bench/k_selection_bench.py                  # 500,000 customers
    python bench/k_selection_bench.py --customers 100000
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

from segkit_helpers.schemes.behavioural import FEATURES, scale_features, select_k

# Planted buyer types: (share, median recency days, median orders, median revenue).
TYPES = [(0.15, 10, 25, 6000.0), (0.25, 40, 8, 1500.0), (0.35, 120, 3, 400.0), (0.25, 250, 1, 150.0)]


def make_customers(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` customers' recency_days, frequency and monetary from the four planted types."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(len(TYPES), size=n, p=[t[0] for t in TYPES])
    recency, orders, revenue = (np.array([t[i] for t in TYPES])[kind] for i in (1, 2, 3))
    return pd.DataFrame({
        "recency_days": np.round(recency * rng.lognormal(0, 0.35, n)),
        "frequency": np.maximum(1, np.round(orders * rng.lognormal(0, 0.3, n))),
        "monetary": np.round(revenue * rng.lognormal(0, 0.35, n), 2),
    })


def peak_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plain_sweep(features: pd.DataFrame, k_range: list[int], seed: int) -> list[float]:
    """The baseline: k-means inertia for every k on all customers."""
    scaled = scale_features(features)
    return [KMeans(n_clusters=k, n_init=10, random_state=seed).fit(scaled).inertia_
            for k in range(k_range[0], k_range[1] + 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=500_000)
    parser.add_argument("--k-max", type=int, default=10)
    args = parser.parse_args()
    k_range = [2, args.k_max]
    features = make_customers(args.customers)[FEATURES]
    print(f"{args.customers:,} customers, k = {k_range[0]}..{k_range[1]}")

    start = time.perf_counter()
    plain_sweep(features, k_range, seed=0)
    baseline = time.perf_counter() - start
    print(f"plain k-means sweep:          {baseline:7.1f} s   (peak so far {peak_mb():,.0f} MB)")

    start = time.perf_counter()
    table = select_k(features, k_range, seed=0, min_k=3)
    segkit = time.perf_counter() - start
    print(f"segkit select_k (stability): {segkit:7.1f} s   (peak so far {peak_mb():,.0f} MB)")
    print(f"ratio segkit / plain sweep:  {segkit / baseline:7.2f}x   target: segkit <= 60 s -> "
          f"{'met' if segkit <= 60 else 'NOT met'}")
    print(f"recommended k = {int(table.loc[table['recommended'], 'k'].iloc[0])} (planted: {len(TYPES)})")
    print(table.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
