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

Every scheme's model is a :class:`segkit_helpers.schemes.base.SegmentScheme` (``fit``,
``predict``, ``predict_proba``, ``relabel``, ``centers_``, ``pairwise_distances``,
``describe_segments``) that declares what it needs; the functions here look the
configured scheme up in :data:`segkit_helpers.schemes.SCHEMES` and ask it, so the test,
monitor and deploy steps work the same for all; the value × loyalty matrix is computed
beside every scheme in the research step.
"""

from __future__ import annotations

import pandas as pd

from segkit_helpers.errors import InputError
from segkit_helpers.monitoring.previous import previous_centers
from segkit_helpers.report import numbers
from segkit_helpers.report.i18n import _
from segkit_helpers.schemes import SCHEMES
from segkit_helpers.schemes.behavioural import assign_segments
from segkit_helpers.schemes.catalog import source_configured
from segkit_helpers.schemes.kselect import chosen_k, cluster_tendency, explain_k, k_table
from segkit_helpers.schemes.traits import TRAIT_METRICS, distinctive_traits


def scheme_class(cfg: dict) -> type:
    """The model class of ``segmentation.scheme`` (:data:`segkit_helpers.schemes.SCHEMES`)."""
    return SCHEMES[cfg["segmentation"]["scheme"]]


def scheme_data(profile: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """The customers a scheme segments, one row each: the profile plus the scheme's own inputs.

    A scheme with a ``join`` adds its table's columns: ``firmographic`` the customers
    table's attributes (``sources.customers``, a left join: customers without a row
    there keep missing attributes, which Gower leaves out); ``needs`` keeps only survey
    respondents and adds their answers (``sources.survey``, an inner join). Other
    schemes use the profile as it is.

    Raises
    ------
    InputError
        The scheme's source table is not configured.
    """
    from segkit_helpers.io.tables import read_table

    scheme, cls = cfg["segmentation"]["scheme"], scheme_class(cfg)
    if cls.join is None:
        return profile
    table = cls.table
    if not source_configured(cfg, table):
        raise InputError(f"the {scheme} scheme needs the '{table}' table: set 'sources.{table}.path' (or '.url')")
    extra = read_table(cfg, table)
    duplicated = extra["customer_id"].duplicated()
    if duplicated.any():
        raise InputError.bad_rows(table, "customer_id", int(duplicated.sum()), extra.loc[duplicated, "customer_id"].iloc[0],
                                  "repeat a customer id already given")
    clash = [c for c in extra.columns if c != "customer_id" and c in profile.columns]
    extra = extra.rename(columns={c: f"{c}_{table}" for c in clash})
    data = profile.merge(extra, on="customer_id", how=cls.join)
    if data.empty:
        raise InputError(f"table '{table}': none of its {len(extra):,} customer ids is in the profile "
                         f"(for example {extra['customer_id'].iloc[0]!r}); check the customer id mapping")
    data = data.reset_index(drop=True)
    data.attrs["scheme_columns"] = [c for c in extra.columns if c != "customer_id"]
    return data


def scheme_features(data: pd.DataFrame, cfg: dict) -> list[str]:
    """The columns the scheme clusters: ``segmentation.features`` or the scheme's default.

    Defaults (the scheme's ``default_features``): behavioural → RFM; opportunity → the
    ``line_share_<line>`` columns; value_loyalty → always profit and loyalty score;
    needs → every survey column but ``customer_id`` and the weight; firmographic → every
    customers-table attribute but ``cost_to_serve`` and ``acquisition_date``.
    """
    features = scheme_class(cfg).scheme_features(data, cfg["segmentation"])
    missing = [f for f in features if f not in data.columns]
    if missing:
        raise InputError(f"segmentation.features: column '{missing[0]}' is in no input table "
                         f"(available: {', '.join(map(str, data.columns))})")
    return features


def new_model(cfg: dict, k: int, features: list[str]):
    """An unfitted model of the configured scheme with ``k`` segments.

    Raises
    ------
    InputError
        ``segmentation.estimator`` is set for a scheme that has its own method.
    """
    cls = scheme_class(cfg)
    if cfg["segmentation"]["estimator"] and "estimator" not in cls._get_param_names():
        raise InputError(f"segmentation.estimator: the {cfg['segmentation']['scheme']} scheme has its own method; "
                         "a clusterer of your choice runs the behavioural or opportunity scheme")
    return cls.from_config(cfg, k, features)


def choose_k(data: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Score every k of ``segmentation.k_range`` for the configured scheme (one row per k).

    :func:`segkit_helpers.schemes.kselect.k_table` with the scheme's own internal indices
    beside the bootstrap stability; the recommendation rule is the same for all
    (:func:`segkit_helpers.schemes.kselect.recommend_k`). A scheme with a fixed number of
    segments (value × loyalty: four quadrants) has the one row of that k.
    """
    seg, seed, cls = cfg["segmentation"], cfg["seed"], scheme_class(cfg)
    sample = cls.stability_sample or seg["stability_sample"]
    if cls.fixed_k:
        model = new_model(cfg, cls.fixed_k, scheme_features(data, cfg))
        return k_table(model, data, [cls.fixed_k], seed, resamples=seg["stability_resamples"], sample=sample,
                       refit=True)
    model = new_model(cfg, seg["k_range"][0], scheme_features(data, cfg))
    return k_table(model, data, range(seg["k_range"][0], seg["k_range"][1] + 1), seed, min_k=seg["min_k"],
                   resamples=seg["stability_resamples"], sample=sample,
                   silhouette_sample=seg["silhouette_sample"] if cls.stability_sample is None else None)


def embedding(data: pd.DataFrame, cfg: dict, features: list[str] | None = None) -> pd.DataFrame:
    """Customers as points in a numeric space: for cluster tendency, profile plots and the segment map.

    The scheme's ``embed``: for behavioural and opportunity the model space (log1p,
    z-scores); otherwise numeric columns range-scaled to [0, 1] (log1p first for
    ``segmentation.log_features``) and categories one-hot (columns ``feature=level``),
    missing values at the column mean (:func:`segkit_helpers.schemes.gower.gower_embedding`).
    ``features`` default to :func:`scheme_features`.
    """
    return scheme_class(cfg).embed(data, features or scheme_features(data, cfg), cfg["segmentation"])


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
    cls = scheme_class(cfg)
    k = cls.fixed_k or chosen_k(k_table, cfg["segmentation"]["k"])
    model = new_model(cfg, k, scheme_features(data, cfg)).fit(data)
    before = previous_centers(previous)
    if before is not None and not cls.fixed_ids and set(before.columns) == set(model.centers_.columns):
        model.relabel(before)
    segments = assign_segments(model, data, cfg["segmentation"]["hybrid_threshold"])
    segments["value_loyalty_quadrant"] = data["value_loyalty_quadrant"].to_numpy()
    return model, segments


def k_choice(k_table: pd.DataFrame, data: pd.DataFrame, cfg: dict) -> dict:
    """The number of segments used, the cluster tendency and the one-sentence explanation."""
    scheme, cls = cfg["segmentation"]["scheme"], scheme_class(cfg)
    if cls.fixed_k:
        stability = float(k_table["stability"].iloc[0])
        return {"k": cls.fixed_k, "set_by": "scheme", "scheme": scheme, "explanation": _(
            "{reason}; refits on resampled customers agree {agree} (adjusted Rand index).").format(
            reason=_(cls.fixed_k_reason), agree=numbers.share(stability))}
    k = chosen_k(k_table, cfg["segmentation"]["k"])
    tendency = cluster_tendency(embedding(data, cfg).to_numpy(), k_table, cfg["seed"])
    by_config = cfg["segmentation"]["k"] != "auto"
    return {"k": k, "set_by": "config" if by_config else "recommendation", "scheme": scheme, **tendency,
            "explanation": explain_k(k_table, tendency, k, by_config, cfg["segmentation"]["min_k"])}


def segment_traits(model, data: pd.DataFrame, cfg: dict, top: int = 3) -> dict[int, str]:
    """Per segment, one sentence naming its most distinctive features and persona metrics.

    :func:`distinctive_traits` over the scheme's features and the profile metrics of
    :data:`TRAIT_METRICS` present (plus product-line shares), e.g. "Stands out by: high
    orders per quarter, high range of products, low days since the last order."
    """
    features = list(dict.fromkeys(scheme_features(data, cfg) + [c for c in data.columns if c in TRAIT_METRICS
                                                                or c.startswith("line_share_")]))
    traits = distinctive_traits(data, model.predict(data), features, cfg["segmentation"]["categorical"], top)
    return {seg: (_("Stands out by: {traits}.").format(traits=", ".join(found)) if found
                  else _("Close to the average customer.")) for seg, found in traits.items()}


def scheme_feature_table(data: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Each customer's values of the columns the scheme clusters (``scheme_features.parquet``).

    The values are as read (before any scaling): RFM for the behavioural scheme, the
    company attributes or survey answers for the firmographic and needs schemes. Step
    04 compares them with the previous cycle's to measure drift of what the segments
    are made of.
    """
    features = data[["customer_id", *scheme_features(data, cfg)]].copy()
    text = [c for c in features.columns if features[c].dtype == object]  # mixed answers: stored as text
    features[text] = features[text].astype("string")
    return features


def scheme_names(model, data: pd.DataFrame, cfg: dict) -> dict[int, str] | None:
    """Generated persona names (the scheme's ``segment_names``; ``None``: use the RFM words).

    Value × loyalty: the quadrant names. Opportunity: the product line the segment
    over-buys most. Firmographic and needs: the two most distinctive traits
    (:func:`segkit_helpers.schemes.traits.distinctive_traits`). Duplicates get the
    segment id appended later.
    """
    return model.segment_names(data, scheme_features(data, cfg), cfg["segmentation"])
