"""Are the segments natural types or divisions of a continuum? Separation per segment and the real
fit against the same scheme and k fitted to data without groups (:func:`null_reference`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import silhouette_samples
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from segkit_helpers.schemes.behavioural import SegmentModel, log_modulus
from segkit_helpers.schemes.common import scheme_class, scheme_features
from segkit_helpers.schemes.gower import GowerScale
from segkit_helpers.schemes.kselect import fixed_k_table


def segment_silhouettes(model: SegmentModel, profile: pd.DataFrame, segments: pd.Series,
                        sample: int = 5000, seed: int = 42) -> pd.Series:
    """Mean silhouette width (Rousseeuw 1987) of each segment's members, on a seeded sample.

    Computed with the model's own dissimilarities (``model.pairwise_distances``:
    Euclidean in the standardised space for k-means, Gower for k-medoids …); > 0.5
    well separated, 0.25–0.5 fair, < 0.25 weak (Kaufman & Rousseeuw 1990).
    """
    rng = check_random_state(seed)
    idx = np.sort(rng.choice(len(profile), size=min(sample, len(profile)), replace=False))
    distances = model.pairwise_distances(profile.iloc[idx])
    labels = np.asarray(segments)[idx]
    if not 1 < len(np.unique(labels)) < len(labels):
        return pd.Series(np.nan, index=pd.Index(np.unique(labels), name="segment"), name="silhouette")
    widths = pd.Series(silhouette_samples(distances, labels, metric="precomputed"), index=labels)
    return widths.groupby(level=0).mean().rename("silhouette").rename_axis("segment")


#: Draws of the reference without groups (each refits the scheme once plus its bootstrap pairs).
NULL_DRAWS = 5
#: Silhouette points by which the real fit must beat every draw of the reference to be "natural".
NATURAL_MARGIN = 0.05
#: The real fit must be at least as stable as the reference's mean, within this tolerance
#: (the tolerance of :func:`segkit_helpers.schemes.kselect.recommend_k`).
STABILITY_TOLERANCE = 0.01


def null_sample(data: pd.DataFrame, cfg: dict, features: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """One draw of customers without groups: the data with the clustering features replaced.

    The reference of "one group only" in each scheme's own terms:

    - numeric features, in the scheme's transformed space (log-modulus for behavioural
      and opportunity; ``log1p`` of ``segmentation.log_features`` for firmographic), are
      drawn from ONE multivariate Gaussian with their mean and covariance — the null of
      SigClust (Liu, Hayes, Nobel & Marron 2008): a single Gaussian is a single cluster,
      and keeping the covariance keeps correlated features (frequency and revenue) from
      looking like structure. Missing values stay missing;
    - categorical features (firmographic categories, every survey answer of the needs
      scheme) are permuted independently, which keeps each one's distribution and
      removes any association: for survey answers this is the one-class latent class
      model (answers independent within a class, Goodman 1974).

    Other columns (weights, ``monetary`` used to order ids) are kept as they are.
    """
    seg = cfg["segmentation"]
    scheme = scheme_class(cfg)
    out = data.copy()
    if scheme.categorical_features:
        numeric, categorical = [], list(features)
    else:
        scale = GowerScale(data, features, seg["categorical"], seg["log_features"])
        numeric, categorical = scale.numeric, scale.categorical
    for feature in categorical:
        out[feature] = data[feature].iloc[rng.permutation(len(data))].set_axis(data.index)
    if numeric:
        raw = data[numeric].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        logged = [j for j, f in enumerate(numeric) if scheme.log_scale or f in seg["log_features"]]
        values = raw.copy()
        values[:, logged] = log_modulus(values[:, logged])
        missing = np.isnan(values)
        mean = np.nanmean(values, axis=0)
        filled = np.where(missing, mean, values)
        draw = rng.multivariate_normal(mean, np.atleast_2d(np.cov(filled, rowvar=False)), size=len(data),
                                       method="eigh")
        draw[:, logged] = np.sign(draw[:, logged]) * np.expm1(np.abs(draw[:, logged]))  # back from log-modulus
        draw[missing] = np.nan
        for j, feature in enumerate(numeric):
            out[feature] = draw[:, j]
    return out


def null_reference(model, data: pd.DataFrame, cfg: dict, draws: int = NULL_DRAWS) -> dict:
    """Are the segments natural types or divisions of a continuum? The real fit against data without groups.

    The same scheme with the same k (a clone of the fitted model) is fitted to the
    customers and to ``draws`` seeded draws of :func:`null_sample`, and each fit is
    scored the same way (:func:`segkit_helpers.schemes.kselect.fixed_k_table`): separation = mean
    silhouette width (Rousseeuw 1987) with the model's dissimilarities, stability = the
    bootstrap-pair ARI of :func:`segkit_helpers.schemes.kselect.bootstrap_ari`
    (``segmentation.stability_resamples`` pairs, of as many customers as step 02's
    choice of k samples: ``segmentation.stability_sample`` for k-means, 2,000 for the
    Gower schemes). Comparing a clustering index with its value on reference data without
    structure is the idea of the gap statistic (Tibshirani, Walther & Hastie 2001); the
    reference is SigClust's single Gaussian (see :func:`null_sample`).

    Rule: **natural** when the real silhouette beats every draw of the reference by at
    least :data:`NATURAL_MARGIN` and the real stability is at least the reference's
    mean (within :data:`STABILITY_TOLERANCE`); else **constructed** — useful divisions of
    a continuum, since data without groups split the same way look about as good. The
    value × loyalty quadrants are set by rules, not found in the data: constructed, with
    nothing to fit.

    Returns
    -------
    dict
        ``natural`` (bool), ``rule_based`` (the quadrants: nothing fitted), ``draws``; when fitted
        also ``segments`` (k), ``silhouette`` and ``stability`` (the real fit),
        ``null_silhouette`` and ``null_stability`` (one per draw), ``null_silhouette_max``,
        ``null_stability_mean``, ``separated`` (the silhouette rule holds) and ``stable``
        (the stability rule holds). The verdict in words: :func:`segkit_helpers.report.test.structure_record`.
    """
    seg, cls = cfg["segmentation"], scheme_class(cfg)
    if cls.fixed_k:  # rule-based segments (value × loyalty quadrants): nothing to compare with data without groups
        return {"natural": False, "rule_based": True, "draws": 0}
    features = scheme_features(data, cfg)
    # the sample size of step 02's k choice (the scheme's own, or segmentation.stability_sample for k-means)
    sample_size = cls.stability_sample or seg["stability_sample"]

    def score(sample: pd.DataFrame) -> tuple[float, float]:
        row = fixed_k_table(clone(model), sample, cfg["seed"], seg["stability_resamples"], sample_size).iloc[0]
        return float(row["silhouette"]), float(row["stability"])

    # many small fits: on one thread each they skip OpenMP start-up and oversubscription (20x faster on 2 cores)
    with threadpool_limits(1):
        silhouette, stability = score(data)
        rng = np.random.default_rng([cfg["seed"], 0x4E554C4C])  # a stream of its own
        null = [score(null_sample(data, cfg, features, rng)) for _ in tqdm(range(draws), desc="null reference",
                                                                            leave=False)]
    null_sil, null_stab = np.array([s for s, _ in null]), np.array([a for _, a in null])
    beats = bool(silhouette >= np.nanmax(null_sil) + NATURAL_MARGIN)
    as_stable = bool(stability >= np.nanmean(null_stab) - STABILITY_TOLERANCE)
    return {"natural": beats and as_stable, "rule_based": False, "segments": model.n_segments, "draws": draws,
            "silhouette": silhouette, "stability": stability, "null_silhouette": [float(v) for v in null_sil],
            "null_stability": [float(v) for v in null_stab], "null_silhouette_max": float(np.nanmax(null_sil)),
            "null_stability_mean": float(np.nanmean(null_stab)), "separated": beats, "stable": as_stable}
