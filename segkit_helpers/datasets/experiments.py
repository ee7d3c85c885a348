"""A synthetic campaign experiment with planted effects per segment (the sample cycle's and the tests')."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Planted absolute conversion uplifts per segment of :func:`make_experiment` (others: 0).
PLANTED_CONVERSION = {1: 0.08, 2: 0.04, 3: 0.0}
#: Planted revenue uplift per converter (currency units) per segment (others: 0).
PLANTED_REVENUE = {1: 60.0, 2: 20.0, 3: 0.0}


def make_experiment(segments: pd.DataFrame, effects: dict[int, float] | None = None,
                    revenue_effects: dict[int, float] | None = None, base_rate: float = 0.10,
                    treatment_share: float = 0.5, seed: int = 0, sample_share: float = 1.0,
                    order_value: float = 150.0) -> pd.DataFrame:
    """A synthetic experiment with planted per-segment effects (the sample and the tests).

    A share ``sample_share`` of the customers in ``segments`` (``customer_id``,
    ``segment``) is randomised, ``treatment_share`` of them to treatment. A control
    customer converts with probability ``base_rate``; a treated one with
    ``base_rate + effects[segment]`` (default :data:`PLANTED_CONVERSION`). A converter's
    revenue is Gamma-distributed (shape 2) with mean ``order_value``, plus
    ``revenue_effects[segment]`` when treated (default :data:`PLANTED_REVENUE`); others
    have revenue 0.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``group``, ``converted``, ``revenue``.
    """
    effects = PLANTED_CONVERSION if effects is None else effects
    revenue_effects = PLANTED_REVENUE if revenue_effects is None else revenue_effects
    rng = np.random.default_rng(seed)
    chosen = segments[rng.random(len(segments)) < sample_share]
    treated = rng.random(len(chosen)) < treatment_share
    seg = chosen["segment"].to_numpy()
    uplift = np.array([effects.get(int(s), 0.0) for s in seg])
    converted = rng.random(len(chosen)) < base_rate + treated * uplift
    extra = np.array([revenue_effects.get(int(s), 0.0) for s in seg]) * treated
    revenue = np.where(converted, rng.gamma(2.0, order_value / 2.0, len(chosen)) + extra, 0.0).round(2)
    return pd.DataFrame({"customer_id": chosen["customer_id"].to_numpy(),
                         "group": np.where(treated, "treatment", "control"),
                         "converted": converted.astype(int), "revenue": revenue})
