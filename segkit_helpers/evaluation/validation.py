"""Testing the segments: are they real, stable and different on what they were not built from?

- natural or constructed: the real fit against the same scheme and k fitted to data without
  groups (:func:`null_reference`);
- stability (bootstrap ARI and Jaccard) and separation (silhouettes);
- differences on the clustering features, a description (circular: the segments were cut to
  differ on them), and on held-out features, the evidence (:func:`holdout_differences`);
- the verdicts on H1–H3 and per segment.

Every test and effect size comes from :mod:`segkit_helpers.evaluation.stats`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score, silhouette_samples
from sklearn.metrics.cluster import contingency_matrix
from sklearn.utils import check_random_state
from tqdm import tqdm

from segkit_helpers.schemes.common import scheme_features
from segkit_helpers.schemes.behavioural import FEATURES, SegmentModel, log_modulus
from segkit_helpers.evaluation.stats import NOT_TESTABLE, compare_segments, differs, holm, is_categorical, mann_whitney, p_text


def _refitted_labels(model, profile: pd.DataFrame, n_boot: int, seed: int, desc: str):
    """Yield, per bootstrap resample, the assignment of all customers by a model refitted on it.

    Each resample draws customers with replacement and refits the same model (same
    k, a new seed per resample).
    """
    rng = check_random_state(seed)
    for _ in tqdm(range(n_boot), desc=desc, leave=False):
        idx = rng.randint(0, len(profile), size=len(profile))
        refit = clone(model).set_params(random_state=int(rng.randint(0, 2**31 - 1)))
        yield refit.fit(profile.iloc[idx]).predict(profile)


def bootstrap_stability(model: SegmentModel, profile: pd.DataFrame, n_boot: int = 20, seed: int = 42) -> pd.Series:
    """Adjusted Rand index between the chosen solution and solutions refitted on bootstrap resamples.

    The ARI (Hubert & Arabie 1985) compares each refitted assignment of all
    customers with the chosen one. This is the bootstrap stability assessment of
    Hennig (2007) and Dolnicar, Grün & Leisch (2018, ch. 7). 1 = identical
    partitions, 0 = chance agreement.

    Returns
    -------
    pandas.Series
        One ARI per resample.
    """
    reference = model.predict(profile)
    scores = [adjusted_rand_score(reference, labels)
              for labels in _refitted_labels(model, profile, n_boot, seed, "bootstrap stability")]
    return pd.Series(scores, name="ari", index=pd.RangeIndex(1, n_boot + 1, name="resample"))


def best_jaccard(reference: np.ndarray, labels: np.ndarray) -> pd.Series:
    """For each reference segment, the Jaccard index of its members with the best-matching new cluster.

    ``J(A, B) = |A ∩ B| / |A ∪ B|`` over customers (Jaccard 1901); the best match is
    the new cluster with the largest J.
    """
    ref_ids, ref = np.unique(reference, return_inverse=True)
    _, new = np.unique(labels, return_inverse=True)
    both = contingency_matrix(ref, new)
    union = both.sum(axis=1)[:, None] + both.sum(axis=0)[None, :] - both
    return pd.Series((both / union).max(axis=1), index=ref_ids)


SEGMENT_STABILITY_BAR = 0.6


def segment_stability(model: SegmentModel, profile: pd.DataFrame, n_boot: int = 20, seed: int = 42) -> pd.DataFrame:
    """Segment-level stability: mean Jaccard agreement of each segment with its best match over resamples.

    The segment-wise counterpart of :func:`bootstrap_stability`, as Hennig's (2007)
    ``clusterboot`` and flexclust's ``slswFlexclust`` (Dolnicar, Grün & Leisch 2018,
    ch. 7): a segment that does not come back in refits is an accident of this
    sample. Segments below 0.6 are flagged: not to be targeted on their own
    (Hennig: below 0.6 a cluster should not be trusted).

    Returns
    -------
    pandas.DataFrame
        One row per segment id: ``jaccard`` (mean), ``jaccard_min`` and ``stable``
        (mean ≥ 0.6).
    """
    reference = model.predict(profile)
    scores = pd.DataFrame([best_jaccard(reference, labels)
                           for labels in _refitted_labels(model, profile, n_boot, seed, "segment stability")])
    table = pd.DataFrame({"jaccard": scores.mean().round(3), "jaccard_min": scores.min().round(3)})
    table["stable"] = table["jaccard"] >= SEGMENT_STABILITY_BAR
    return table.rename_axis("segment")


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


CIRCULAR = "clustering feature (circular)"
DESCRIPTOR = "descriptor"

#: Profile metrics of how a customer buys that are not computed from recency, frequency or
#: monetary value (r/f/m scores, the RFM segment, average order value, profit, loyalty score,
#: ABC class and the value × loyalty quadrant are, so they are never held out for RFM schemes).
PERSONA_METRICS = ["tenure_days", "share_active_months", "order_gap_cv", "basket_value_change", "monthly_spend_cv",
                   "distinct_products", "xyz_class"]
#: Default features the hypotheses are tested on, per scheme: features the scheme did not
#: cluster (``validation.test_features`` overrides; clustering features are always left out).
HOLDOUT_FEATURES = {
    "behavioural": PERSONA_METRICS,
    "value_loyalty": PERSONA_METRICS,
    "opportunity": [*FEATURES, "avg_order_value", *PERSONA_METRICS],
    "firmographic": [*FEATURES, "avg_order_value", *PERSONA_METRICS],
    "needs": [*FEATURES, "avg_order_value", *PERSONA_METRICS],
}


def difference_tests(data: pd.DataFrame, labels, features: list[str], alpha: float = 0.05,
                     categorical: list[str] | tuple = ()) -> pd.DataFrame:
    """Does each feature differ across the groups of ``labels``? One test per feature, Holm-adjusted.

    Each feature goes through :func:`segkit_helpers.evaluation.stats.compare_segments`:
    Kruskal–Wallis with ε² for numbers, chi-square with Cramér's V for categories (and
    the columns of ``categorical``); a constant feature is "not testable". Holm's
    correction runs over the testable features of the table.

    Returns
    -------
    pandas.DataFrame
        One row per feature: ``test``, ``statistic``, ``p_value``, ``p_holm``,
        ``significance`` (the Holm p read aloud), ``effect``, ``effect_size``,
        ``strength``, ``differs`` (Holm p < ``alpha`` and at least a moderate effect)
        and ``reason`` (why not testable).
    """
    labels = np.asarray(labels)
    rows = []
    for feature in features:
        result = compare_segments(data[feature], labels, True if feature in categorical else None)
        rows.append({"feature": feature, **result})
    table = pd.DataFrame(rows, columns=["feature", "test", "statistic", "p_value", "effect", "effect_size",
                                        "strength", "reason"]).set_index("feature")
    table["p_holm"], _ = holm(table["p_value"], alpha)
    table["significance"] = [p_text(p) for p in table["p_holm"]]
    table["differs"] = np.array([differs(p, s, alpha) for p, s in zip(table["p_holm"], table["strength"])], dtype=bool)
    table["statistic"] = table["statistic"].astype(float).round(3)
    table["effect_size"] = table["effect_size"].astype(float).round(4)
    return table[["test", "statistic", "p_value", "p_holm", "significance", "effect", "effect_size", "strength",
                  "differs", "reason"]]


def clustering_differences(data: pd.DataFrame, segments: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Differences on the features the scheme clustered, with RFM beside them: a description, not evidence.

    The segments were cut to differ on their clustering features
    (:func:`segkit_helpers.schemes.common.scheme_features`), so these tests pass on any data,
    even without groups: their ``role`` says so ("clustering feature (circular)").
    Recency, frequency and monetary value are added as ``descriptor`` rows when the
    scheme did not cluster them. Columns as :func:`difference_tests`, plus ``role``.
    """
    clustered = scheme_features(data, cfg)
    descriptors = [f for f in FEATURES if f in data and f not in clustered]
    table = difference_tests(data, segments["segment"], clustered + descriptors, cfg["validation"]["alpha"],
                             cfg["segmentation"]["categorical"])
    table.insert(0, "role", [CIRCULAR if f in clustered else DESCRIPTOR for f in table.index])
    return table


def holdout_features(data: pd.DataFrame, cfg: dict) -> list[str]:
    """The features hypotheses are tested on: ``validation.test_features``, else :data:`HOLDOUT_FEATURES`
    of the scheme; clustering features and columns absent from the data are left out."""
    clustered = set(scheme_features(data, cfg))
    chosen = cfg["validation"]["test_features"]
    candidates = HOLDOUT_FEATURES[cfg["segmentation"]["scheme"]] if chosen is None else chosen
    return [f for f in dict.fromkeys(candidates) if f in data and f not in clustered]


def holdout_differences(data: pd.DataFrame, segments: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Differences between segments on features NOT used to build them (:func:`holdout_features`): evidence.

    Columns as :func:`difference_tests` (Holm over these features).
    """
    return difference_tests(data, segments["segment"], holdout_features(data, cfg), cfg["validation"]["alpha"])


def readable_tests(table: pd.DataFrame) -> pd.DataFrame:
    """A table of :func:`difference_tests` in words: test, statistic, Holm p and effect with its strength,
    "not testable" and the reason where a statistic is undefined (no NaN on the page); a table without
    features becomes one line saying so."""
    if table.empty:
        return pd.DataFrame({"reading": ["No feature to test: set 'validation.test_features' to features that the "
                                         "segments were not built from."]})
    def effect(row) -> str:
        if row["strength"] == NOT_TESTABLE:
            return f"{NOT_TESTABLE}: {row['reason']}"
        return f"{row['effect']} = {row['effect_size']:.2f} ({row['strength']})"

    out = pd.DataFrame({
        "test": table["test"],
        "statistic": [f"{s:,.1f}" if np.isfinite(s) else "—" for s in table["statistic"]],
        "after Holm": table["significance"],
        "effect": [effect(row) for _, row in table.iterrows()],
        "differs": np.where(table["differs"], "yes", "no"),
    }, index=table.index)
    if "role" in table:
        out.insert(0, "role", table["role"])
    return out


def pairwise_tests(profile: pd.DataFrame, segments: pd.Series, features: list[str], alpha: float = 0.05) -> pd.DataFrame:
    """Post-hoc pairwise Mann–Whitney U tests between segments, Holm-corrected, with rank-biserial effect sizes.

    For every numeric feature and every pair of segments (a < b): the two-sided
    Mann–Whitney U test of segment a against segment b
    (:func:`segkit_helpers.evaluation.stats.mann_whitney`); the p-values of all pairs and features
    together are adjusted by Holm's (1979) method; ``rank_biserial`` is positive when
    segment a tends to have the larger values (:func:`segkit_helpers.evaluation.stats.rank_biserial`).
    Categorical features and pairs that are not testable (constant values) are left out.

    Returns
    -------
    pandas.DataFrame
        One row per (feature, segment a, segment b): ``U`` (of segment a), ``p_value``,
        ``p_holm``, ``differs`` (p_holm < ``alpha``) and ``rank_biserial``.
    """
    labels = np.asarray(segments)
    ids = np.unique(labels)
    rows = []
    for feature in features:
        if is_categorical(profile[feature]):
            continue
        values = profile[feature].to_numpy()
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                result = mann_whitney(values[labels == a], values[labels == b])
                if result["strength"] != NOT_TESTABLE:
                    rows.append({"feature": feature, "segment_a": int(a), "segment_b": int(b), "U": result["statistic"],
                                 "p_value": result["p_value"], "rank_biserial": round(result["effect_size"], 4)})
    table = pd.DataFrame(rows, columns=["feature", "segment_a", "segment_b", "U", "p_value", "rank_biserial"])
    p_holm, reject = holm(table["p_value"], alpha)
    table.insert(5, "p_holm", p_holm)
    table.insert(6, "differs", reject)
    return table


def segment_distinctness(data: pd.DataFrame, segments: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Per segment, the held-out features (:func:`holdout_features`) on which it differs from all other customers.

    Each segment against the rest (:func:`difference_tests` with the two groups "in
    the segment" and "not"; Holm over the features); a feature counts when Holm p <
    ``validation.alpha`` with at least a moderate effect.

    Returns
    -------
    pandas.DataFrame
        One row per segment id: ``distinct_on`` (features, strongest first, comma-separated),
        ``n_distinct`` and ``n_testable`` (held-out features that could be tested).
    """
    features = holdout_features(data, cfg)
    labels = segments["segment"].to_numpy()
    rows = []
    for seg in np.unique(labels):
        tests = difference_tests(data, labels == seg, features, cfg["validation"]["alpha"])
        size = np.where(tests["effect"] == "ε²", np.sqrt(tests["effect_size"].clip(lower=0)), tests["effect_size"])
        found = tests.assign(size=size).loc[tests["differs"]].sort_values("size", ascending=False).index.tolist()
        rows.append({"segment": int(seg), "distinct_on": ", ".join(found), "n_distinct": len(found),
                     "n_testable": int((tests["strength"] != NOT_TESTABLE).sum())})
    return pd.DataFrame(rows, columns=["segment", "distinct_on", "n_distinct", "n_testable"]).set_index("segment")


# --- are the segments real? The reference without groups ------------------------------------

#: Draws of the reference without groups (each refits the scheme once plus its bootstrap pairs).
NULL_DRAWS = 5
#: Silhouette points by which the real fit must beat every draw of the reference to be "natural".
NATURAL_MARGIN = 0.05
#: The real fit must be at least as stable as the reference's mean, within this tolerance
#: (the tolerance of :func:`segkit_helpers.schemes.behavioural.recommend_k`).
STABILITY_TOLERANCE = 0.01
NATURAL = "natural segments"
CONSTRUCTED = "constructed segments: useful divisions, not natural types"


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
    from segkit_helpers.schemes.firmographic import GowerScale

    seg = cfg["segmentation"]
    scheme = seg["scheme"]
    out = data.copy()
    if scheme == "needs":
        numeric, categorical = [], list(features)
    else:
        scale = GowerScale(data, features, seg["categorical"], seg["log_features"])
        numeric, categorical = scale.numeric, scale.categorical
    for feature in categorical:
        out[feature] = data[feature].iloc[rng.permutation(len(data))].set_axis(data.index)
    if numeric:
        raw = data[numeric].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        logged = [j for j, f in enumerate(numeric) if scheme in ("behavioural", "opportunity")
                  or f in seg["log_features"]]
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
    scored the same way (:func:`segkit_helpers.schemes.common.fixed_k_table`): separation = mean
    silhouette width (Rousseeuw 1987) with the model's dissimilarities, stability = the
    bootstrap-pair ARI of :func:`segkit_helpers.schemes.behavioural.bootstrap_ari`
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
        ``verdict``, ``natural`` (bool), ``method``, ``rule``, ``draws``, ``silhouette``,
        ``stability`` (the real fit), ``null_silhouette``, ``null_stability`` (one per
        draw), ``evidence`` (the figures in a phrase) and ``reading`` (one sentence).
    """
    from sklearn.base import clone
    from threadpoolctl import threadpool_limits

    from segkit_helpers.schemes.common import fixed_k_table

    seg = cfg["segmentation"]
    if seg["scheme"] == "value_loyalty":
        return {"verdict": CONSTRUCTED, "natural": False, "method": "none: quadrants are set by rules", "draws": 0,
                "rule": "rule-based quadrants are constructed by definition",
                "evidence": "the four quadrants are thresholds on profit and loyalty, not groups found in the data",
                "reading": f"{CONSTRUCTED[0].upper()}{CONSTRUCTED[1:]}: the four quadrants are thresholds on profit "
                           "and loyalty, not groups found in the data."}
    features = scheme_features(data, cfg)

    # the sample sizes of step 02's k choice: stability_sample for k-means; for the Gower schemes the default
    # of fixed_k_table (2,000, as select_k_firmographic / select_k_needs), which bounds the n × n dissimilarities
    sizes = {"sample": seg["stability_sample"]} if seg["scheme"] in ("behavioural", "opportunity") else {}

    def score(sample: pd.DataFrame) -> tuple[float, float]:
        row = fixed_k_table(clone(model), sample, cfg["seed"], seg["stability_resamples"], **sizes).iloc[0]
        return float(row["silhouette"]), float(row["stability"])

    # many small fits: on one thread each they skip OpenMP start-up and oversubscription (20x faster on 2 cores)
    with threadpool_limits(1):
        silhouette, stability = score(data)
        rng = np.random.default_rng([cfg["seed"], 0x4E554C4C])  # a stream of its own
        null = [score(null_sample(data, cfg, features, rng)) for _ in tqdm(range(draws), desc="null reference",
                                                                            leave=False)]
    null_sil, null_stab = np.array([s for s, _ in null]), np.array([a for _, a in null])
    beats = silhouette >= np.nanmax(null_sil) + NATURAL_MARGIN
    as_stable = stability >= np.nanmean(null_stab) - STABILITY_TOLERANCE
    natural = bool(beats and as_stable)
    evidence = (f"silhouette {silhouette:.2f} against at most {np.nanmax(null_sil):.2f} in {draws} draws without "
                f"groups; stability (ARI) {stability:.2f} against {np.nanmean(null_stab):.2f} on average")
    if natural:
        reading = (f"Natural segments: the {model.n_segments} segments are clearly better separated and at least as "
                   f"stable as the same scheme fitted to customers without groups ({evidence}).")
    else:
        why = "no better separated" if not beats else "less stable"
        reading = (f"Constructed segments: useful divisions, not natural types — the {model.n_segments} segments "
                   f"are {why} than the same scheme fitted to customers without groups ({evidence}). Borders are "
                   f"soft: read the membership probabilities, and judge the segments by what they predict on "
                   f"features they were not built from.")
    return {"verdict": NATURAL if natural else CONSTRUCTED, "natural": natural,
            "method": "same scheme and k on draws of one Gaussian (numeric features, SigClust) with independently "
                      "permuted categories",
            "rule": f"natural when the silhouette beats every draw by {NATURAL_MARGIN} and the stability is at least "
                    f"the draws' mean (within {STABILITY_TOLERANCE})",
            "draws": draws, "silhouette": round(silhouette, 4), "stability": round(stability, 4),
            "null_silhouette": [round(float(v), 4) for v in null_sil],
            "null_stability": [round(float(v), 4) for v in null_stab], "evidence": evidence, "reading": reading}


def null_table(structure: dict) -> pd.DataFrame:
    """The real fit and every draw of the reference without groups, one row each (silhouette, stability)."""
    if not structure["draws"]:
        return pd.DataFrame({"reading": [structure["reading"]]})
    rows = [{"fit": "the customers", "silhouette": structure["silhouette"], "stability (ARI)": structure["stability"]}]
    rows += [{"fit": f"without groups, draw {i}", "silhouette": s, "stability (ARI)": a}
             for i, (s, a) in enumerate(zip(structure["null_silhouette"], structure["null_stability"]), 1)]
    return pd.DataFrame(rows).set_index("fit").round(3)


def hypothesis_verdicts(stability: pd.Series, holdout: pd.DataFrame, structure: dict, cfg: dict) -> pd.DataFrame:
    """Verdicts of the standing hypotheses of every cycle.

    H1 the segmentation is stable: mean bootstrap ARI ≥ ``validation.min_stability``;
    H2 the segments differ on features they were NOT built from
    (:func:`holdout_differences`): at least one held-out feature differs (Holm p <
    ``validation.alpha``, at least a moderate effect) — "not testable" when none can be
    tested; H3 the segments are natural groups: :func:`null_reference`. Differences on
    the clustering features are no hypothesis: they hold by construction.
    """
    alpha, bar = cfg["validation"]["alpha"], cfg["validation"]["min_stability"]
    testable = holdout[holdout["strength"] != NOT_TESTABLE]
    found = testable.index[testable["differs"]].tolist()
    if testable.empty:
        h2 = ("no feature outside the clustering features can be tested", NOT_TESTABLE)
    else:
        names = f": {', '.join(found)}" if found else ""
        h2 = (f"{len(found)} of {len(testable)} features not used to build the segments differ (Holm p < {alpha}, "
              f"at least a moderate effect){names}", "supported" if found else "not supported")
    rows = [
        ("H1", "The segmentation is stable under resampling",
         f"refits on resampled customers agree with the chosen segments: mean ARI = {stability.mean():.2f} "
         f"(bar {bar:.2f})", "supported" if stability.mean() >= bar else "not supported"),
        ("H2", "The segments differ on features they were not built from", *h2),
        ("H3", "The segments are natural groups, not divisions of a continuum", structure["evidence"],
         "supported" if structure["natural"] else "not supported"),
    ]
    return pd.DataFrame(rows, columns=["id", "hypothesis", "evidence", "verdict"]).set_index("id")


def segment_verdicts(segments: pd.DataFrame, silhouettes: pd.Series, personas: list[dict], distinct: pd.DataFrame,
                     structure: dict, cfg: dict) -> pd.DataFrame:
    """Per segment: size, stability (bootstrap Jaccard, from the persona cards), separation (mean
    silhouette), the held-out features it differs on (:func:`segment_distinctness`) and the verdict.

    A segment is "do not target alone" when its stability is below
    ``validation.min_segment_stability``, its separation below ``validation.min_separation``
    or it differs from the other customers on none of the testable features it was not
    built from (no such feature: not judged); it may still be served together with a
    neighbour. Otherwise "target", or — when the
    segments are constructed (:func:`null_reference`) — "target as a division with soft
    borders".
    """
    bars = cfg["validation"]
    cards = {p["segment"]: p for p in personas}
    rows = []
    for seg, size in segments["segment"].value_counts().sort_index().items():
        card = cards.get(int(seg), {})
        stability = card.get("stability", float("nan"))
        separation = float(silhouettes.get(seg, float("nan")))
        found = distinct.loc[seg, "distinct_on"] if seg in distinct.index else ""
        testable = seg in distinct.index and distinct.loc[seg, "n_testable"] > 0
        weak = []
        if stability < bars["min_segment_stability"]:
            weak.append(f"unstable (Jaccard {stability:.2f} < {bars['min_segment_stability']})")
        if separation < bars["min_separation"]:
            weak.append(f"blends with neighbours (silhouette {separation:.2f} < {bars['min_separation']})")
        if testable and not found:
            weak.append("differs from other customers on no feature it was not built from")
        verdict = ("do not target alone: " + "; ".join(weak) if weak else
                   "target" if structure["natural"] else "target as a division with soft borders")
        rows.append({"segment": int(seg), "name": card.get("name", ""), "customers": int(size),
                     "stability": round(stability, 3), "separation": round(separation, 3), "distinct_on": found,
                     "verdict": verdict})
    return pd.DataFrame(rows).set_index("segment")

def _records(table: pd.DataFrame | None) -> list[dict]:
    if table is None or table.empty:
        return []
    return table.reset_index().replace({np.nan: None}).to_dict(orient="records")


def save_validation(ctx, stability: pd.Series, silhouettes: pd.Series, description: pd.DataFrame,
                    holdout: pd.DataFrame, structure: dict, verdicts: pd.DataFrame, segment_table: pd.DataFrame,
                    pairwise: pd.DataFrame | None = None, review: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                    register: pd.DataFrame | None = None, experiment: dict | None = None) -> None:
    """Write ``validation.json`` and, when given, ``review_sheet.csv`` (the customer-level review sheet).

    Keys: ``stability``, ``separation``, ``structure`` (:func:`null_reference`: the
    verdict natural / constructed and the null-reference figures), ``tests`` (the
    description on the clustering features and RFM, :func:`clustering_differences`),
    ``holdout_tests`` (:func:`holdout_differences`), ``hypotheses``, ``segments``,
    ``pairwise_tests``, ``review_agreement``, ``hypothesis_register`` and ``experiment``.
    ``review`` is (sheet, agreement) of :func:`segkit_helpers.evaluation.review.review_for_cycle`;
    ``register`` the table of :func:`segkit_helpers.evaluation.hypotheses.evaluate_register`;
    ``experiment`` maps ``conversion`` / ``revenue`` to uplift tables and
    ``conversion_interaction`` / ``revenue_interaction`` to interaction tests.
    """
    from segkit_helpers.io.artefacts import write_json
    from segkit_helpers.evaluation.review import write_review_sheet

    record = {
        "cycle": ctx.cycle,
        "stability": {"method": "bootstrap ARI vs chosen solution", "resamples": len(stability),
                      "mean_ari": round(float(stability.mean()), 4), "min_ari": round(float(stability.min()), 4),
                      "ari": [round(float(v), 4) for v in stability]},
        "separation": {str(k): round(float(v), 4) for k, v in silhouettes.items()},
        "structure": structure,
        "tests": _records(description),
        "holdout_tests": _records(holdout),
        "hypotheses": _records(verdicts),
        "segments": _records(segment_table),
        "pairwise_tests": [] if pairwise is None else pairwise.replace({np.nan: None}).to_dict(orient="records"),
        "review_agreement": _records(review[1]) if review else [],
        "hypothesis_register": _records(register.set_index("id") if register is not None else None),
        "experiment": {key: (_records(value) if isinstance(value, pd.DataFrame) else value)
                       for key, value in (experiment or {}).items()},
    }
    if review:
        write_review_sheet(review[0], ctx.artefact("review_sheet.csv"))
    write_json(record, ctx.artefact("validation.json"))
    print(f"wrote validation.json to data/processed/{ctx.cycle}/")
