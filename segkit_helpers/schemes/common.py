"""The segmentation schemes of seed 001, behind one interface: ``segmentation.scheme`` picks one.

==================  ======================================  ============================================
scheme              what is clustered                       method
==================  ======================================  ============================================
``behavioural``     RFM (or ``segmentation.features``)      log1p, z-scores, k-means (segmentation.py)
``firmographic``    customers-table attributes, mixed       Gower + k-medoids (firmographic.py)
``needs``           survey answers                          latent class analysis (needs.py)
``opportunity``     product-line shares of spend            log1p, z-scores, k-means; whitespace
                                                            per customer (opportunity.py)
``value_loyalty``   profit and loyalty score                the four quadrants of seed 003
                                                            (value_loyalty.py)
==================  ======================================  ============================================

Every scheme's model has the same interface (``fit``, ``predict``, ``predict_proba``,
``relabel``, ``centers_``, ``pairwise_distances``, ``describe_segments``), so the test,
monitor and deploy steps work the same for all; the value × loyalty matrix is computed
beside every scheme in the research step.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit_helpers.errors import InputError
from segkit_helpers.schemes.opportunity import require_product_lines
from segkit_helpers.schemes.catalog import SCHEMES, source_configured
from segkit_helpers.schemes.behavioural import (
    FEATURES,
    SegmentModel,
    assign_segments,
    bootstrap_ari,
    chosen_k,
    cluster_tendency,
    explain_k,
    recommend_k,
    scale_features,
    select_k,
)
from segkit_helpers.schemes.value_loyalty import QuadrantModel



def scheme_data(profile: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """The customers a scheme segments, one row each: the profile plus the scheme's own inputs.

    ``firmographic`` adds the customers table's attributes (``sources.customers``;
    customers without a row there keep missing attributes, which Gower leaves out);
    ``needs`` keeps only survey respondents and adds their answers
    (``sources.survey``). Other schemes use the profile as it is.

    Raises
    ------
    InputError
        The scheme's source table is not configured.
    """
    from segkit_helpers.io.tables import read_table

    scheme = cfg["segmentation"]["scheme"]
    if scheme not in ("firmographic", "needs"):
        return profile
    table = SCHEMES[scheme].table
    if not source_configured(cfg, table):
        raise InputError(f"the {scheme} scheme needs the '{table}' table: set 'sources.{table}.path' (or '.url')")
    extra = read_table(cfg, table)
    duplicated = extra["customer_id"].duplicated()
    if duplicated.any():
        raise InputError.bad_rows(table, "customer_id", int(duplicated.sum()), extra.loc[duplicated, "customer_id"].iloc[0],
                                  "repeat a customer id already given")
    clash = [c for c in extra.columns if c != "customer_id" and c in profile.columns]
    extra = extra.rename(columns={c: f"{c}_{table}" for c in clash})
    how = "left" if scheme == "firmographic" else "inner"
    data = profile.merge(extra, on="customer_id", how=how)
    if data.empty:
        raise InputError(f"table '{table}': none of its {len(extra):,} customer ids is in the profile "
                         f"(for example {extra['customer_id'].iloc[0]!r}); check the customer id mapping")
    data = data.reset_index(drop=True)
    data.attrs["scheme_columns"] = [c for c in extra.columns if c != "customer_id"]
    return data


def scheme_features(data: pd.DataFrame, cfg: dict) -> list[str]:
    """The columns the scheme clusters: ``segmentation.features`` or the scheme's default.

    Defaults: behavioural → RFM; opportunity → the ``line_share_<line>`` columns;
    value_loyalty → profit and loyalty score; needs → every survey column but
    ``customer_id`` and the weight; firmographic → every customers-table attribute
    but ``cost_to_serve`` and ``acquisition_date``.
    """
    seg = cfg["segmentation"]
    scheme = seg["scheme"]
    if scheme == "value_loyalty":
        return list(QuadrantModel.features)
    if seg["features"]:
        features = list(seg["features"])
    elif scheme == "behavioural":
        features = list(FEATURES)
    elif scheme == "opportunity":
        features = require_product_lines(data)
    else:  # firmographic, needs: the columns the customers table or the survey added
        not_features = {seg["weight_column"], "cost_to_serve", "acquisition_date"}
        features = [c for c in data.attrs.get("scheme_columns", []) if c not in not_features]
        if not features:
            raise InputError(f"the {scheme} scheme found no columns to segment on: set 'segmentation.features'")
    missing = [f for f in features if f not in data.columns]
    if missing:
        raise InputError(f"segmentation.features: column '{missing[0]}' is in no input table "
                         f"(available: {', '.join(map(str, data.columns))})")
    return features


def new_model(cfg: dict, k: int, features: list[str]):
    """An unfitted model of the configured scheme with ``k`` segments."""
    seg = cfg["segmentation"]
    scheme, seed = seg["scheme"], cfg["seed"]
    if scheme == "firmographic":
        from segkit_helpers.schemes.firmographic import FirmographicModel

        return FirmographicModel(n_segments=k, random_state=seed, features=features,
                                 categorical=seg["categorical"], log_features=seg["log_features"])
    if scheme == "needs":
        from segkit_helpers.schemes.needs import NeedsModel

        return NeedsModel(n_segments=k, random_state=seed, features=features, weight_column=seg["weight_column"])
    if scheme == "value_loyalty":
        return QuadrantModel(random_state=seed, profit_threshold=cfg["value"]["profit_threshold"],
                             profit_quantile=cfg["value"]["profit_quantile"],
                             loyalty_threshold=cfg["loyalty"]["threshold"])
    return SegmentModel(n_segments=k, random_state=seed, features=None if features == FEATURES else features)


def choose_k(data: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Score every k of ``segmentation.k_range`` for the configured scheme (one row per k).

    Each scheme reports its own internal indices beside the bootstrap stability; the
    recommendation rule is the same for all (:func:`segkit_helpers.schemes.behavioural.recommend_k`).
    The value × loyalty scheme has four fixed quadrants: its table has the one row k = 4.
    """
    seg, seed = cfg["segmentation"], cfg["seed"]
    scheme = seg["scheme"]
    features = scheme_features(data, cfg)
    if scheme == "firmographic":
        from segkit_helpers.schemes.firmographic import select_k_firmographic

        return select_k_firmographic(data, features, seg["k_range"], seed, min_k=seg["min_k"],
                                     resamples=seg["stability_resamples"], categorical=seg["categorical"],
                                     log_features=seg["log_features"])
    if scheme == "needs":
        from segkit_helpers.schemes.needs import select_k_needs

        return select_k_needs(data, features, seg["k_range"], seed, min_k=seg["min_k"],
                              resamples=seg["stability_resamples"], weight_column=seg["weight_column"])
    if scheme == "value_loyalty":
        return fixed_k_table(new_model(cfg, 4, features), data, seed, seg["stability_resamples"])
    return select_k(data[features], seg["k_range"], seed, seg["silhouette_sample"], seg["min_k"],
                    seg["stability_resamples"], seg["stability_sample"])


def fixed_k_table(model, data: pd.DataFrame, seed: int, resamples: int = 10, sample: int = 2000) -> pd.DataFrame:
    """The k-selection table of a scheme whose number of segments is fixed (one row).

    ``silhouette`` is the mean silhouette width (Rousseeuw 1987) on a seeded sample
    of ``sample`` customers with the model's dissimilarities; ``stability`` the
    bootstrap ARI of :func:`segkit_helpers.schemes.behavioural.bootstrap_ari`.
    """
    from sklearn.base import clone
    from sklearn.metrics import silhouette_score

    fitted = clone(model).fit(data)
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(len(data), size=min(sample, len(data)), replace=False))
    labels = fitted.predict(data.iloc[idx])
    silhouette = (silhouette_score(fitted.pairwise_distances(data.iloc[idx]), labels, metric="precomputed")
                  if 1 < len(set(labels)) < len(idx) else float("nan"))

    def fit_predict(train: np.ndarray, evaluate: np.ndarray, start: int) -> np.ndarray:
        return clone(model).set_params(random_state=start).fit(data.iloc[train]).predict(data.iloc[evaluate])

    stability = bootstrap_ari(len(data), fit_predict, seed, resamples, sample)
    table = pd.DataFrame([{"k": fitted.n_segments, "silhouette": silhouette, "stability": float(stability.mean()),
                           "stability_sd": float(stability.std())}])
    return recommend_k(table, 2, ["silhouette"], [])


def embedding(data: pd.DataFrame, cfg: dict, features: list[str] | None = None) -> pd.DataFrame:
    """Customers as points in a numeric space: for cluster tendency, profile plots and the segment map.

    Behavioural and opportunity: the model space (log1p, z-scores). Firmographic and
    needs: numeric columns range-scaled to [0, 1] (log1p first for
    ``segmentation.log_features``) and categories one-hot (columns ``feature=level``)
    — the space in which Gower's distance is a Manhattan distance up to weights.
    Value × loyalty: profit and loyalty score range-scaled. Missing values take the
    column mean. ``features`` default to :func:`scheme_features`.
    """
    scheme = cfg["segmentation"]["scheme"]
    features = features or scheme_features(data, cfg)
    if scheme in ("behavioural", "opportunity"):
        return pd.DataFrame(scale_features(data[features]), columns=features, index=data.index)
    from segkit_helpers.schemes.firmographic import GowerScale

    seg = cfg["segmentation"]
    scale = GowerScale(data, features, seg.get("categorical", []), seg.get("log_features", []))
    numbers, codes = scale.encode(data)
    table = pd.DataFrame(numbers, columns=scale.numeric, index=data.index)
    table = table.fillna(table.mean()).fillna(0.0)
    for j, feature in enumerate(scale.categorical):
        for code, level in enumerate(scale.levels[feature]):
            table[f"{feature}={level}"] = (codes[:, j] == code).astype(float)
    return table


def segment_feature_z(data: pd.DataFrame, segments: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Each segment's mean on every feature against all customers, in overall SDs (rows: segment ids).

    Computed in the :func:`embedding` space, so it reads the same for every scheme: a
    segment's feature mean minus the overall mean, divided by the overall SD (a
    category's column is the share of the segment in it). As flexclust's segment
    profile ``barchart`` (Dolnicar, Grün & Leisch 2018, ch. 8).
    """
    points = embedding(data, cfg)
    sd = points.std(ddof=0).replace(0, 1.0)
    means = points.groupby(segments["segment"].to_numpy()).mean()
    return ((means - points.mean()) / sd).rename_axis("segment")


def fit_segments(data: pd.DataFrame, k_table: pd.DataFrame, cfg: dict, previous: dict | None = None):
    """Fit the configured scheme's model and assign every customer (the hypothesis step's core).

    Parameters
    ----------
    data
        :func:`scheme_data`.
    k_table
        :func:`choose_k` output; ``segmentation.k`` overrides its recommendation.
    cfg
        The cycle config (``seed``, ``segmentation.*``).
    previous
        The previous cycle (:func:`segkit_helpers.monitoring.drift.load_previous`); when it
        used the same scheme and features, segment ids are matched to its segments'
        centres (:func:`segkit_helpers.monitoring.drift.match_segments`).

    Returns
    -------
    model
        The fitted model (see the module docstring for its interface).
    segments : pandas.DataFrame
        :func:`segkit_helpers.schemes.behavioural.assign_segments` plus ``value_loyalty_quadrant``.
    """
    from segkit_helpers.monitoring.previous import match_segments, previous_centers  # here: monitoring imports segmentation

    features = scheme_features(data, cfg)
    k = 4 if cfg["segmentation"]["scheme"] == "value_loyalty" else chosen_k(k_table, cfg["segmentation"]["k"])
    model = new_model(cfg, k, features).fit(data)
    before = previous_centers(previous)
    if before is not None and cfg["segmentation"]["scheme"] != "value_loyalty" \
            and set(before.columns) == set(model.centers_.columns):
        model.relabel(match_segments(model.centers_, before[model.centers_.columns]))
    segments = assign_segments(model, data, cfg["segmentation"]["hybrid_threshold"])
    segments["value_loyalty_quadrant"] = data["value_loyalty_quadrant"].to_numpy()
    return model, segments


def k_choice(k_table: pd.DataFrame, data: pd.DataFrame, cfg: dict) -> dict:
    """The number of segments used, the cluster tendency and the one-sentence explanation."""
    scheme = cfg["segmentation"]["scheme"]
    features = scheme_features(data, cfg)
    if scheme == "value_loyalty":
        stability = float(k_table["stability"].iloc[0])
        return {"k": 4, "set_by": "scheme", "scheme": scheme, "explanation": (
            "The value × loyalty scheme has four fixed groups — profitable or not, loyal or not — so there is no "
            f"number of segments to choose; refits on resampled customers agree {stability:.0%} (adjusted Rand index).")}
    k = chosen_k(k_table, cfg["segmentation"]["k"])
    tendency = cluster_tendency(data[features], k_table, cfg["seed"], embedding(data, cfg, features).to_numpy())
    by_config = cfg["segmentation"]["k"] != "auto"
    return {"k": k, "set_by": "config" if by_config else "recommendation", "scheme": scheme, **tendency,
            "explanation": explain_k(k_table, tendency, k, by_config, cfg["segmentation"]["min_k"])}


LABELS = {"recency_days": "days since the last order", "frequency": "number of orders", "monetary": "revenue",
          "avg_order_value": "order value", "orders_per_quarter": "orders per quarter",
          "basket_value_change": "basket value growth", "order_gap_cv": "irregularity of orders",
          "distinct_products": "range of products", "share_active_months": "share of months active",
          "tenure_days": "tenure", "monthly_spend_cv": "spend volatility"}
#: Profile metrics a persona description may cite (besides the scheme's own features).
TRAIT_METRICS = list(LABELS)


def _readable(feature: str) -> str:
    """A column name as words: ``q02_deadline_is_critical`` → "deadline is critical"."""
    if feature in LABELS:
        return LABELS[feature]
    if feature.startswith("line_share_"):
        return "share of " + feature.removeprefix("line_share_").replace("_", " ")
    words = feature.split("_")
    if len(words) > 1 and words[0][:1] == "q" and words[0][1:].isdigit():
        words = words[1:]
    return " ".join(words)


#: Features whose "high" / "low" read better in their own words.
DIRECTION_WORDS = {"recency_days": ("long since the last order", "ordered recently")}


def _direction(feature: str, z: float) -> str:
    if feature in DIRECTION_WORDS:
        return DIRECTION_WORDS[feature][0 if z > 0 else 1]
    return f"{'high' if z > 0 else 'low'} {_readable(feature)}"


def distinctive_traits(data: pd.DataFrame, labels: np.ndarray, features: list[str], categorical: list[str],
                       top: int = 2) -> dict[int, list[str]]:
    """Per segment, its most distinctive traits in words, strongest first.

    A numeric feature's strength is the segment's mean percentile rank against the
    overall mean rank, in SDs of the ranks (|z| ≥ 0.5 counts; the trait reads "high …"
    or "low …"); ranks keep one extreme customer from dominating a skewed amount. A
    categorical feature's strength is the lift of its most over-represented level
    (share in the segment / share overall − 1, counted when the level holds at least
    half the segment; the trait is the level itself, e.g. "Retail").
    """
    traits: dict[int, list[tuple[float, str]]] = {}
    for seg in np.unique(labels):
        members = data[labels == seg]
        found = []
        for feature in features:
            if feature in categorical or not pd.api.types.is_numeric_dtype(data[feature]):
                shares = members[feature].astype("string").value_counts(normalize=True)
                overall = data[feature].astype("string").value_counts(normalize=True)
                if len(shares) and shares.iloc[0] >= 0.5:
                    level = shares.index[0]
                    found.append((shares.iloc[0] / overall[level] - 1, f"{feature} {level}"))
            else:
                ranks = pd.to_numeric(data[feature], errors="coerce").rank(pct=True)
                sd = ranks.std(ddof=0)
                z = (ranks[labels == seg].mean() - ranks.mean()) / sd if sd > 1e-9 else 0.0
                if abs(z) >= 0.5:
                    found.append((abs(z), _direction(feature, z)))
        traits[int(seg)] = [text for _, text in sorted(found, key=lambda t: -t[0])[:top]]
    return traits


def segment_traits(model, data: pd.DataFrame, cfg: dict, top: int = 3) -> dict[int, str]:
    """Per segment, one sentence naming its most distinctive features and persona metrics.

    :func:`distinctive_traits` over the scheme's features and the profile metrics of
    :data:`TRAIT_METRICS` present (plus product-line shares), e.g. "Stands out by: high
    orders per quarter, high range of products, low days since the last order."
    """
    features = list(dict.fromkeys(scheme_features(data, cfg) + [c for c in data.columns if c in TRAIT_METRICS
                                                                or c.startswith("line_share_")]))
    traits = distinctive_traits(data, model.predict(data), features, cfg["segmentation"]["categorical"], top)
    return {seg: ("Stands out by: " + ", ".join(found) + "." if found else "Close to the average customer.")
            for seg, found in traits.items()}


def describe_scheme(data: pd.DataFrame, cfg: dict) -> None:
    """Print the scheme, the columns it clusters and how many customers it segments."""
    scheme = cfg["segmentation"]["scheme"]
    print(f"Scheme: {SCHEMES[scheme].title}.")
    print(f"Clustered on: {', '.join(scheme_features(data, cfg))}; {len(data):,} customers.")


def save_scheme_features(ctx, data: pd.DataFrame) -> None:
    """Write ``scheme_features.parquet``: each customer's values of the columns the scheme clusters.

    The values are as read (before any scaling): RFM for the behavioural scheme, the
    company attributes or survey answers for the firmographic and needs schemes. Step
    04 compares them with the previous cycle's to measure drift of what the segments
    are made of.
    """
    from segkit_helpers.io.artefacts import write_parquet
    from segkit_helpers.monitoring.previous import SCHEME_FEATURES

    features = data[["customer_id", *scheme_features(data, ctx.cfg)]].copy()
    text = [c for c in features.columns if features[c].dtype == object]  # mixed answers: stored as text
    features[text] = features[text].astype("string")
    write_parquet(features, ctx.artefact(SCHEME_FEATURES))


def scheme_names(model, data: pd.DataFrame, cfg: dict) -> dict[int, str] | None:
    """Generated persona names for schemes that do not segment on RFM (``None``: use the RFM words).

    Value × loyalty: the quadrant names. Opportunity: the product line the segment
    over-buys most. Firmographic and needs: the two most distinctive traits
    (:func:`distinctive_traits`). Duplicates get the segment id appended later.
    """
    from segkit_helpers.schemes.value_loyalty import quadrant_names

    scheme = cfg["segmentation"]["scheme"]
    if scheme == "behavioural":
        return None
    if scheme == "value_loyalty":
        return quadrant_names()
    labels = model.predict(data)
    features = scheme_features(data, cfg)
    if scheme == "opportunity":
        lift = data[features].groupby(labels).mean() / data[features].mean().replace(0, np.nan)
        return {int(seg): f"{row.idxmax().removeprefix('line_share_').replace('_', ' ')} buyers"
                for seg, row in lift.iterrows()}
    traits = distinctive_traits(data, labels, features, cfg["segmentation"]["categorical"])
    noun = "respondents" if scheme == "needs" else "accounts"
    return {seg: (" · ".join(t[:1].upper() + t[1:] for t in found) if found else f"Average {noun}")
            for seg, found in traits.items()}
