"""Drift since the previous cycle: the population stability index per feature, and KPIs per segment."""

from __future__ import annotations

import numpy as np
import pandas as pd


def population_stability_index(expected: np.ndarray | pd.Series, actual: np.ndarray | pd.Series, bins: int = 10,
                               categorical: bool = False) -> float:
    """Population stability index of ``actual`` against ``expected`` (the previous cycle).

    ``PSI = Σ (a_i − e_i) · ln(a_i / e_i)`` over ``bins`` bins cut at the deciles of
    ``expected`` (for a categorical feature, or a numeric one with a single value, over
    its values, missing answers being a value of their own), with shares floored at
    0.0001 so that empty bins stay finite (Siddiqi 2006, *Credit Risk Scorecards*,
    ch. 12; Yurdakul 2018). Read < 0.1 as stable, 0.1–0.25 as a moderate shift, > 0.25
    as a major shift. Written here as it is a three-line formula that no maintained
    library offers directly.
    """
    expected, actual = pd.Series(expected), pd.Series(actual)
    if not categorical:
        expected, actual = expected.dropna().astype(float), actual.dropna().astype(float)
        edges = np.unique(np.quantile(expected, np.linspace(0, 1, bins + 1))) if len(expected) else np.array([])
        categorical = len(edges) < 3  # one or two distinct values: compare them as values
    if categorical:
        expected, actual = _levels(expected), _levels(actual)
        levels = pd.Index(expected.unique()).union(actual.unique())
        e = expected.value_counts(normalize=True).reindex(levels, fill_value=0).to_numpy()
        a = actual.value_counts(normalize=True).reindex(levels, fill_value=0).to_numpy()
    else:
        edges[0], edges[-1] = -np.inf, np.inf
        e = np.histogram(expected, edges)[0] / len(expected)
        a = np.histogram(actual, edges)[0] / len(actual)
    e, a = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))


def _levels(values: pd.Series) -> pd.Series:
    """Values as text labels, a missing value being the label "(missing)"."""
    return values.astype(object).where(values.notna(), "(missing)").astype(str)


def psi_reading(psi: float, alert_at: float = 0.25) -> str:
    """The usual reading of a PSI: stable below 0.1, a moderate shift up to ``alert_at``, then a major shift."""
    return "major shift" if psi > alert_at else "moderate shift" if psi > 0.1 else "stable"


#: Profile columns shown beside the scheme's own features in the drift table, as descriptors.
DESCRIPTORS = ["recency_days", "frequency", "monetary"]


def feature_drift(previous: dict | None, features: pd.DataFrame | None, profile: pd.DataFrame, cfg: dict,
                  alert_at: float = 0.25) -> pd.DataFrame | None:
    """PSI per feature between the previous cycle and this one, with a reading.

    The features are the scheme's own (``scheme_features.parquet`` of both cycles: the
    columns clustered, such as RFM, company attributes or survey answers), then the RFM
    descriptors of the customer profile (:data:`DESCRIPTORS`) that the scheme did not
    cluster on. Only the scheme's features decide whether a revision is due.

    Parameters
    ----------
    previous
        :func:`load_previous`'s record, or ``None`` in a first cycle.
    features
        This cycle's scheme features (``customer_id`` plus one column each).
    profile
        This cycle's customer profile.
    cfg
        The config (``segmentation.categorical`` marks numeric-coded categories).

    Returns
    -------
    pandas.DataFrame or None
        Index ``feature``; ``role`` ("segmentation feature" or "descriptor"), ``psi``,
        ``reading``. ``None`` in a first cycle; only the descriptors when either cycle
        lacks scheme features (a cycle written before they were saved, or another scheme).
    """
    previous_profile = None if previous is None else previous.get("profile")
    if previous_profile is None:
        return None
    previous_features = previous.get("scheme_features")
    clustered: list[str] = []
    if features is not None and previous_features is not None:
        clustered = [c for c in features.columns if c != "customer_id" and c in previous_features.columns]
    categorical = set(cfg["segmentation"]["categorical"])
    rows = []
    for feature in clustered:
        now, before = features[feature], previous_features[feature]
        is_category = feature in categorical or not (pd.api.types.is_numeric_dtype(now)
                                                     and not pd.api.types.is_bool_dtype(now))
        psi = population_stability_index(before, now, categorical=is_category)
        rows.append({"feature": feature, "role": "segmentation feature", "psi": round(psi, 4),
                     "reading": psi_reading(psi, alert_at)})
    for feature in [c for c in DESCRIPTORS if c not in clustered and c in profile and c in previous_profile]:
        psi = population_stability_index(previous_profile[feature], profile[feature])
        rows.append({"feature": feature, "role": "descriptor", "psi": round(psi, 4), "reading": psi_reading(psi, alert_at)})
    return pd.DataFrame(rows, columns=["feature", "role", "psi", "reading"]).set_index("feature")


def segment_kpis(previous: dict | None, segments: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """Median KPIs per segment — net revenue, order value, orders, P(alive) — now and in the previous cycle."""
    kpis = [c for c in ("monetary", "avg_order_value", "frequency", "p_alive") if c in profile]

    def medians(segs: pd.DataFrame, prof: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        data = segs[["customer_id", "segment"]].merge(prof[["customer_id", *columns]], on="customer_id")
        return data.groupby("segment")[columns].median()

    now = medians(segments, profile, kpis)
    previous_profile = None if previous is None else previous.get("profile")
    if previous_profile is None:
        return now.round(3)
    before = medians(previous["segments"], previous_profile, [k for k in kpis if k in previous_profile])
    return now.join(before.add_suffix("_previous"), how="outer").round(3)
