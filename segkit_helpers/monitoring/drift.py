"""Drift since the previous cycle: the population stability index per feature
(:func:`segkit_helpers.evaluation.stats.population_stability_index`), and KPIs per segment."""

from __future__ import annotations

import pandas as pd

from segkit_helpers.evaluation.stats import population_stability_index, psi_reading


#: Profile columns shown beside the scheme's own features in the drift table, as descriptors.
DESCRIPTORS = ["recency_days", "frequency", "monetary"]


def feature_drift(previous: dict | None, features: pd.DataFrame | None, profile: pd.DataFrame, categorical: list[str],
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
    categorical
        Numeric-coded categories among the features (``segmentation.categorical``).

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
    rows = []
    for feature in clustered:
        now, before = features[feature], previous_features[feature]
        is_category = feature in set(categorical) or not (pd.api.types.is_numeric_dtype(now)
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
