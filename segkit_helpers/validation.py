"""Testing the segments: bootstrap stability, separation and differences between segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score, silhouette_samples
from sklearn.metrics.cluster import contingency_matrix
from sklearn.utils import check_random_state
from tqdm import tqdm

from segkit_helpers.segmentation import SegmentModel


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


def epsilon_squared(h: float, n: int) -> float:
    """Effect size of a Kruskal–Wallis H: ε² = H / ((n² − 1) / (n + 1)) = H / (n − 1).

    Tomczak & Tomczak (2014), *Trends in Sport Sciences* 21(1):19–25. Ranges 0–1.
    """
    return float(h / (n - 1))


def effect_label(eps2: float) -> str:
    """Rule-of-thumb label for ε² (Rea & Parker 2014): <0.01 negligible, <0.04 weak,
    <0.16 moderate, <0.36 relatively strong, <0.64 strong, else very strong."""
    for bound, label in [(0.01, "negligible"), (0.04, "weak"), (0.16, "moderate"),
                         (0.36, "relatively strong"), (0.64, "strong")]:
        if eps2 < bound:
            return label
    return "very strong"


def kruskal_tests(profile: pd.DataFrame, segments: pd.Series, features: list[str]) -> pd.DataFrame:
    """Kruskal–Wallis H test (scipy) per feature: do the segments differ in distribution?

    Returns
    -------
    pandas.DataFrame
        One row per feature: ``H``, ``p_value``, ``significance`` (the p-value as
        read aloud), ``epsilon_squared`` and ``effect``.
    """
    rows = []
    labels = np.asarray(segments)
    for feature in features:
        groups = [profile[feature].to_numpy()[labels == s] for s in np.unique(labels)]
        h, p = stats.kruskal(*groups)
        eps2 = epsilon_squared(h, len(labels))
        rows.append({"feature": feature, "H": round(float(h), 3), "p_value": float(p),
                     "significance": "p < 0.001" if p < 0.001 else f"p = {p:.3f}",
                     "epsilon_squared": round(eps2, 4), "effect": effect_label(eps2)})
    return pd.DataFrame(rows).set_index("feature")


def chi_square_tests(profile: pd.DataFrame, segments: pd.Series, columns: list[str]) -> pd.DataFrame:
    """Chi-square test of independence (scipy) between segment and each categorical column, with Cramér's V.

    Cramér's V = sqrt(χ² / (n · (min(rows, columns) − 1))) (Cramér 1946), 0 = no
    association, 1 = the segment determines the category; from
    :func:`scipy.stats.contingency.association`.

    Returns
    -------
    pandas.DataFrame
        One row per column: ``chi2``, ``dof``, ``p_value``, ``significance`` and ``cramers_v``.
    """
    rows = []
    labels = np.asarray(segments)
    for column in columns:
        table = pd.crosstab(labels, profile[column].to_numpy())
        if min(table.shape) < 2:
            continue
        chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)  # no Yates: same χ² as Cramér's V
        rows.append({"column": column, "chi2": round(float(chi2), 3), "dof": int(dof), "p_value": float(p),
                     "significance": "p < 0.001" if p < 0.001 else f"p = {p:.3f}",
                     "cramers_v": round(float(stats.contingency.association(table, method="cramer")), 4)})
    return pd.DataFrame(rows).set_index("column") if rows else pd.DataFrame(
        columns=["chi2", "dof", "p_value", "significance", "cramers_v"]).rename_axis("column")


def pairwise_tests(profile: pd.DataFrame, segments: pd.Series, features: list[str], alpha: float = 0.05) -> pd.DataFrame:
    """Post-hoc pairwise Mann–Whitney U tests between segments, Holm-corrected, with rank-biserial effect sizes.

    For every feature and every pair of segments: the two-sided Mann–Whitney U test
    (scipy); the p-values of all pairs and features together are adjusted by Holm's
    (1979) step-down method (statsmodels ``multipletests``); the effect size is the
    rank-biserial correlation r = 1 − 2U / (n₁ n₂) (Kerby 2014), from −1 to 1.

    Returns
    -------
    pandas.DataFrame
        One row per (feature, segment a, segment b): ``U``, ``p_value``, ``p_holm``,
        ``differs`` (p_holm < ``alpha``) and ``rank_biserial``.
    """
    from statsmodels.stats.multitest import multipletests

    labels = np.asarray(segments)
    ids = np.unique(labels)
    rows = []
    for feature in features:
        values = profile[feature].to_numpy()
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                x, y = values[labels == a], values[labels == b]
                u, p = stats.mannwhitneyu(x, y, alternative="two-sided")
                rows.append({"feature": feature, "segment_a": int(a), "segment_b": int(b), "U": float(u),
                             "p_value": float(p), "rank_biserial": round(1 - 2 * float(u) / (len(x) * len(y)), 4)})
    table = pd.DataFrame(rows)
    if len(table):
        reject, p_holm, _, _ = multipletests(table["p_value"], alpha=alpha, method="holm")
        table.insert(5, "p_holm", p_holm)
        table.insert(6, "differs", reject)
    return table


def hypothesis_verdicts(stability: pd.Series, tests: pd.DataFrame, silhouettes: pd.Series, cfg: dict) -> pd.DataFrame:
    """Verdicts of the standing hypotheses of every cycle.

    H1 the segmentation is stable: mean bootstrap ARI ≥ ``validation.min_stability``;
    H2 the segments differ on every segmentation feature: Kruskal–Wallis p <
    ``validation.alpha`` with at least a moderate effect (ε² ≥ 0.04);
    H3 every segment is at least fairly separated: mean silhouette ≥ 0.25.
    """
    alpha, bar = cfg["validation"]["alpha"], cfg["validation"]["min_stability"]
    differ = (tests["p_value"] < alpha) & (tests["epsilon_squared"] >= 0.04)
    rows = [
        ("H1", "The segmentation is stable under resampling",
         f"refits on resampled customers agree with the chosen segments: mean ARI = {stability.mean():.2f} "
         f"(bar {bar:.2f})",
         stability.mean() >= bar),
        ("H2", "Segments differ on every segmentation feature",
         f"{int(differ.sum())} of {len(tests)} features differ (p < {alpha}, ε² ≥ 0.04)", bool(differ.all())),
        ("H3", "Every segment is at least fairly separated",
         f"lowest segment silhouette = {silhouettes.min():.2f} (bar 0.25)", silhouettes.min() >= 0.25),
    ]
    table = pd.DataFrame(rows, columns=["id", "hypothesis", "evidence", "supported"])
    table["verdict"] = np.where(table["supported"], "supported", "not supported")
    return table.drop(columns="supported").set_index("id")


def segment_verdicts(segments: pd.DataFrame, silhouettes: pd.Series, personas: list[dict], cfg: dict) -> pd.DataFrame:
    """Per segment: size, stability (bootstrap Jaccard, from the persona cards), separation
    (mean silhouette) and the verdict.

    A segment is "do not target alone" when its stability is below
    ``validation.min_segment_stability`` or its separation below
    ``validation.min_separation``; it may still be served together with a neighbour.
    """
    bars = cfg["validation"]
    cards = {p["segment"]: p for p in personas}
    rows = []
    for seg, size in segments["segment"].value_counts().sort_index().items():
        card = cards.get(int(seg), {})
        stability = card.get("stability", float("nan"))
        separation = float(silhouettes.get(seg, float("nan")))
        weak = []
        if stability < bars["min_segment_stability"]:
            weak.append(f"unstable (Jaccard {stability:.2f} < {bars['min_segment_stability']})")
        if separation < bars["min_separation"]:
            weak.append(f"blends with neighbours (silhouette {separation:.2f} < {bars['min_separation']})")
        rows.append({"segment": int(seg), "name": card.get("name", ""), "customers": int(size),
                     "stability": round(stability, 3), "separation": round(separation, 3),
                     "verdict": "do not target alone: " + "; ".join(weak) if weak else "target"})
    return pd.DataFrame(rows).set_index("segment")


def _records(table: pd.DataFrame | None) -> list[dict]:
    if table is None or table.empty:
        return []
    return table.reset_index().replace({np.nan: None}).to_dict(orient="records")


def save_validation(ctx, stability: pd.Series, silhouettes: pd.Series, tests: pd.DataFrame,
                    verdicts: pd.DataFrame, segment_table: pd.DataFrame,
                    categorical: pd.DataFrame | None = None, pairwise: pd.DataFrame | None = None,
                    review: tuple[pd.DataFrame, pd.DataFrame] | None = None, register: pd.DataFrame | None = None,
                    experiment: dict | None = None) -> None:
    """Write ``validation.json`` and, when given, ``review_sheet.csv`` (the customer-level review sheet).

    ``review`` is (sheet, agreement) of :func:`segkit_helpers.review.review_for_cycle`;
    ``register`` the table of :func:`segkit_helpers.hypotheses.evaluate_register`;
    ``experiment`` maps ``conversion`` / ``revenue`` to uplift tables and
    ``conversion_interaction`` / ``revenue_interaction`` to interaction tests.
    """
    from segkit_helpers.artefacts import write_json
    from segkit_helpers.review import write_review_sheet

    record = {
        "cycle": ctx.cycle,
        "stability": {"method": "bootstrap ARI vs chosen solution", "resamples": len(stability),
                      "mean_ari": round(float(stability.mean()), 4), "min_ari": round(float(stability.min()), 4),
                      "ari": [round(float(v), 4) for v in stability]},
        "separation": {str(k): round(float(v), 4) for k, v in silhouettes.items()},
        "tests": tests.reset_index().to_dict(orient="records"),
        "hypotheses": verdicts.reset_index().to_dict(orient="records"),
        "segments": segment_table.reset_index().replace({np.nan: None}).to_dict(orient="records"),
        "categorical_tests": [] if categorical is None else categorical.reset_index().to_dict(orient="records"),
        "pairwise_tests": [] if pairwise is None else pairwise.to_dict(orient="records"),
        "review_agreement": _records(review[1]) if review else [],
        "hypothesis_register": _records(register.set_index("id") if register is not None else None),
        "experiment": {key: (_records(value) if isinstance(value, pd.DataFrame) else value)
                       for key, value in (experiment or {}).items()},
    }
    if review:
        write_review_sheet(review[0], ctx.artefact("review_sheet.csv"))
    write_json(record, ctx.artefact("validation.json"))
    print(f"wrote validation.json to data/processed/{ctx.cycle}/")
