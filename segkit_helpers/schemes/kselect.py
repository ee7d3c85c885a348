"""The choice of the number of segments, the same for every scheme.

:func:`k_table` is the one loop: each k is fitted once, scored by the scheme's own
internal indices (:meth:`segkit_helpers.schemes.base.SegmentScheme.k_scores`) and by
bootstrap stability (:func:`bootstrap_ari`); :func:`recommend_k` picks the most stable
business-usable k. :func:`cluster_tendency` and :func:`explain_k` say, in one sentence,
why this number.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score
from sklearn.neighbors import NearestNeighbors
from tqdm import tqdm

from segkit_helpers.report import numbers
from segkit_helpers.report.i18n import _
from segkit_helpers.schemes.base import SegmentScheme


def bootstrap_ari(n: int, fit_predict, seed: int, resamples: int = 10, sample: int = 5000) -> np.ndarray:
    """Global stability of a clustering method: ARI between solutions on bootstrap pairs.

    For each of ``resamples`` rounds, the method is fitted on two independent
    bootstrap samples and both solutions assign the same evaluation customers; their
    adjusted Rand index (Hubert & Arabie 1985) measures how reproducible the
    partition is — the global stability of Dolnicar, Grün & Leisch (2018, ch. 7),
    ``bootFlexclust``. With more than ``sample`` customers, bootstrap and evaluation
    samples have ``sample`` customers (seeded), which keeps the cost flat in the
    data size.

    Parameters
    ----------
    n
        Number of customers.
    fit_predict
        ``fit_predict(train_rows, eval_rows, seed) -> labels of eval_rows``: fits the
        method on the customers at ``train_rows`` (positions, with repeats) and
        assigns those at ``eval_rows``.

    Returns
    -------
    numpy.ndarray
        One ARI per round.
    """
    rng = np.random.default_rng(seed)
    m = min(n, sample)
    scores = np.empty(resamples)
    for b in range(resamples):
        evaluate = rng.choice(n, size=m, replace=False) if m < n else np.arange(n)
        labels = [fit_predict(rng.integers(0, n, size=m), evaluate, int(rng.integers(2**31 - 1))) for _ in range(2)]
        scores[b] = adjusted_rand_score(*labels)
    return scores


def recommend_k(table: pd.DataFrame, min_k: int, higher_better: list[str], lower_better: list[str],
                tolerance: float = 0.01) -> pd.DataFrame:
    """Add ``mean_rank`` and ``recommended`` to a k-selection table (one row per k).

    Rule (the same for every scheme): internal indices on customer data usually
    favour the smallest k, which no business can use, so the recommended k is the
    **most stable** k (column ``stability``) among those of at least ``min_k``.
    Stabilities within ``tolerance`` of the best count as equal; among those the best
    ``mean_rank`` — the average rank over the internal indices ``higher_better`` and
    ``lower_better`` — wins, then the smaller k (merging two true groups can be as
    stable as finding them, so the internal indices break the tie). If no k reaches
    ``min_k``, the smallest is taken.
    """
    ranks = [table[c].rank(ascending=False) for c in higher_better] + [table[c].rank() for c in lower_better]
    table = table.copy()
    table["mean_rank"] = pd.concat(ranks, axis=1).mean(axis=1)
    usable = table[table["k"] >= min_k]
    if usable.empty:
        usable = table.iloc[:1]
    tied = usable[usable["stability"] >= usable["stability"].max() - tolerance]
    chosen = tied.sort_values(["mean_rank", "k"]).iloc[0]["k"]
    table["recommended"] = table["k"] == chosen
    return table

def k_table(model, X: pd.DataFrame, ks: Iterable[int], seed: int, *, min_k: int = 2, resamples: int = 10,
            sample: int = 5000, silhouette_sample: int | None = None, refit: bool = False) -> pd.DataFrame:
    """Score every k in ``ks`` by the scheme's internal indices and by bootstrap stability: the one k loop.

    For each k, a clone of ``model`` with ``n_segments=k`` and ``random_state=seed`` is
    fitted to all customers; its ``k_scores`` give the scheme's internal indices (on at
    most ``silhouette_sample`` customers, default ``sample``) and ``stability`` is the
    mean :func:`bootstrap_ari` of its ``bootstrap_fit_predict`` (samples of at most
    ``sample`` customers, seed ``seed + k``). With ``refit``, every scheme is scored the
    same way (:class:`~segkit_helpers.schemes.base.SegmentScheme`'s silhouette on its
    dissimilarities and full refits, seed ``seed``): the score of one fixed k that step 03
    compares with data without groups. The recommendation follows :func:`recommend_k`
    on the scheme's ``higher_better`` and ``lower_better`` indices.

    Returns
    -------
    pandas.DataFrame
        One row per k: ``k``, the indices, ``mean_rank``, ``stability``, ``stability_sd`` and
        ``recommended`` (bool).
    """
    rows = []
    for k in tqdm(list(ks), desc="choosing k", leave=False):
        fitted = clone(model).set_params(n_segments=k, random_state=seed).fit(X)
        scorer = SegmentScheme if refit else type(fitted)
        scores = scorer.k_scores(fitted, X, seed, silhouette_sample or sample)
        stability = bootstrap_ari(len(X), scorer.bootstrap_fit_predict(fitted, X), seed if refit else seed + k,
                                  resamples, sample)
        rows.append({"k": k, **scores, "stability": float(stability.mean()), "stability_sd": float(stability.std())})
    table = recommend_k(pd.DataFrame(rows), min_k, list(scorer.higher_better), list(scorer.lower_better))
    return table[["k", *scores, "mean_rank", "stability", "stability_sd", "recommended"]]


def fixed_k_table(model, data: pd.DataFrame, seed: int, resamples: int = 10, sample: int = 2000) -> pd.DataFrame:
    """:func:`k_table` with ``refit`` for the one k of ``model`` (a scheme with a fixed k, or step 03's reference)."""
    return k_table(model, data, [model.n_segments], seed, resamples=resamples, sample=sample, refit=True)


def hopkins_statistic(scaled: np.ndarray, seed: int, sample: int = 500) -> float:
    """Hopkins statistic of cluster tendency (Hopkins & Skellam 1954; Lawson & Jurs 1990).

    ``H = Σu / (Σu + Σw)``, where ``u`` are the distances from ``m`` points drawn
    uniformly in the data's bounding box to their nearest customer and ``w`` the
    distances from ``m`` sampled customers to their nearest other customer
    (``m`` = min(``sample``, n / 10)). About 0.5 for data without structure, towards
    1 for clustered data; above 0.75 is read as natural clusters.

    Written here because no maintained library provides it (pyclustertend is
    unmaintained); nearest neighbours come from scikit-learn.
    """
    rng = np.random.default_rng([seed, 0x486F706B])  # a stream of its own, unlike any data made with `seed`
    n, d = scaled.shape
    m = max(1, min(sample, n // 10))
    nn = NearestNeighbors(n_neighbors=2).fit(scaled)
    uniform = rng.uniform(scaled.min(axis=0), scaled.max(axis=0), size=(m, d))
    u = nn.kneighbors(uniform, n_neighbors=1)[0][:, 0]
    w = nn.kneighbors(scaled[rng.choice(n, size=m, replace=False)], n_neighbors=2)[0][:, 1]
    return float(u.sum() / (u.sum() + w.sum()))


NATURAL_HOPKINS = 0.75


NATURAL_SILHOUETTE = 0.5


def cluster_tendency(points: np.ndarray, k_table: pd.DataFrame, seed: int) -> dict:
    """Are the segments natural groups or a constructed division of a continuum?

    Two conditions, both needed: the Hopkins statistic (:func:`hopkins_statistic`)
    is at least 0.75 — the data are far from uniform — and the best mean silhouette
    over the candidate k is at least 0.5, "a reasonable structure" in Kaufman &
    Rousseeuw (1990). Hopkins alone cannot tell one skewed blob from several groups:
    a single Gaussian cloud already scores about 0.85. ``points`` are the customers in the
    scheme's space (:func:`segkit_helpers.schemes.common.embedding`).

    Returns
    -------
    dict
        ``hopkins``, ``best_silhouette`` (and its ``best_silhouette_k``) and ``natural`` (bool).
    """
    h = hopkins_statistic(points, seed)
    best_row = k_table.loc[k_table["silhouette"].idxmax()]
    best = float(best_row["silhouette"])
    return {"hopkins": round(h, 3), "best_silhouette": round(best, 3), "best_silhouette_k": int(best_row["k"]),
            "natural": h >= NATURAL_HOPKINS and best >= NATURAL_SILHOUETTE}


def explain_k(k_table: pd.DataFrame, tendency: dict, k: int, set_by_config: bool = False, min_k: int = 2) -> str:
    """One sentence, for a sales director, on why this number of segments.

    It states the agreement between two independent refits at this k (the stability
    curve), names a coarser k that would be more repeatable but is below ``min_k``,
    says when the configuration overrides the recommendation, and gives the cluster
    tendency (:func:`cluster_tendency`) as a first reading only: whether the segments
    are natural or constructed is decided in step 03 against a reference without
    groups (:func:`segkit_helpers.evaluation.validation.null_reference`), so the report says it once.
    """
    table = k_table.set_index("k")
    recommended = int(k_table.loc[k_table["recommended"], "k"].iloc[0])
    agree = lambda n: numbers.share(table.loc[n, "stability"])  # noqa: E731
    if set_by_config or k not in table.index:
        sentence = _("We use {k} segments, as set in the configuration").format(k=k)
        if k in table.index:
            sentence += " " + _("(two independent refits agree {agree})").format(agree=agree(k))
        if recommended != k:
            sentence += "; " + _("the most repeatable business-usable number would be {k} ({agree})").format(
                k=recommended, agree=agree(recommended))
    else:
        usable = table.index[table.index >= min_k]
        sentence = _("We recommend {k} segments: of the business-usable options ({low} to {high} segments) this is "
                     "the most repeatable — two refits on resampled customers agree {agree} (adjusted Rand "
                     "index)").format(k=k, low=usable.min(), high=usable.max(), agree=agree(k))
        coarser = table[table.index < min_k]
        if len(coarser) and coarser["stability"].max() > table.loc[k, "stability"]:
            sentence += "; " + _("{k} segments would be more repeatable still, but too coarse to act on").format(
                k=int(coarser["stability"].idxmax()))
    return _("{sentence}. {structure}; step 03 gives the verdict, comparing the segments with the same scheme "
             "fitted to data without groups.").format(sentence=sentence, structure=_structure(tendency))


def _structure(tendency: dict) -> str:
    """The cluster tendency (:func:`cluster_tendency`) as the second sentence of :func:`explain_k`, capitalised."""
    best = _("the best split, into {k} segments, has a silhouette of {silhouette}").format(
        k=tendency["best_silhouette_k"], silhouette=numbers.number(tendency["best_silhouette"]))
    hopkins = numbers.number(tendency["hopkins"])
    if tendency["natural"]:
        structure = _("at first sight the customers fall into natural groups (Hopkins {hopkins}; {best})").format(
            hopkins=hopkins, best=best)
    else:
        structure = _("at first sight the customers are far from random (Hopkins {hopkins}) but form no clear groups "
                      "({best}; {clear} would be a clear structure), so the segments look like a practical division "
                      "of a continuum, with soft borders").format(hopkins=hopkins, best=best,
                                                                   clear=numbers.number(NATURAL_SILHOUETTE, 1))
    return structure[0].upper() + structure[1:]


def chosen_k(k_table: pd.DataFrame, k_setting: int | str) -> int:
    """``segmentation.k`` when it is a number, else the recommended k of :func:`k_table`."""
    if k_setting != "auto":
        return int(k_setting)
    return int(k_table.loc[k_table["recommended"], "k"].iloc[0])
