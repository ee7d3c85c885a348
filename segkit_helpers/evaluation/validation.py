"""Stability of the segments under resampling: bootstrap ARI of the whole solution and Jaccard per segment.

The other tests of the step: :mod:`~segkit_helpers.evaluation.structure` (separation, natural
or constructed), :mod:`~segkit_helpers.evaluation.differences` (differences between segments),
:mod:`~segkit_helpers.evaluation.verdicts` (H1–H3 and per segment).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.cluster import contingency_matrix
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from segkit_helpers.errors import InputError
from segkit_helpers.schemes.behavioural import SegmentModel


#: Step 02's artefact holding every bootstrap refit's assignment; step 03 reads it instead of refitting.
REFITS_FILE = "bootstrap_refits.parquet"


def refit_labels(model, data: pd.DataFrame, n_boot: int = 20, seed: int = 42) -> pd.DataFrame:
    """Every customer's segment under the model refitted on each of ``n_boot`` bootstrap resamples.

    Each resample draws customers with replacement and refits the same model (same k, a
    new seed per resample), which then assigns all customers: the resampling of Hennig's
    (2007) bootstrap stability. Computed once in step 02 (:data:`REFITS_FILE`), read by both
    :func:`segment_stability` (02) and :func:`bootstrap_stability` (03).

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` and one column of segment labels per resample (``resample_1`` …).
    """
    rng = check_random_state(seed)
    columns = {}
    for i in tqdm(range(1, n_boot + 1), desc="bootstrap refits", leave=False):
        idx = rng.randint(0, len(data), size=len(data))
        refit = clone(model).set_params(random_state=int(rng.randint(0, 2**31 - 1)))
        # many small fits: one thread each skips OpenMP start-up and oversubscription (labels unchanged)
        with threadpool_limits(1):
            columns[f"resample_{i}"] = refit.fit(data.iloc[idx]).predict(data)
    return pd.DataFrame({"customer_id": data["customer_id"].to_numpy(), **columns})


def _aligned(refits: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    """The refit labels in the row order of ``data`` (by ``customer_id``); an error when customers are missing."""
    labels = refits.set_index("customer_id")
    missing = data.loc[~data["customer_id"].isin(labels.index), "customer_id"]
    if len(missing):
        raise InputError(f"{REFITS_FILE} has no bootstrap refits for {len(missing):,} customer(s) of the profile "
                         f"(e.g. {missing.iloc[0]!r}); run notebook 02 of this cycle again")
    return labels.loc[data["customer_id"]]


def bootstrap_stability(model: SegmentModel, profile: pd.DataFrame, refits: pd.DataFrame) -> pd.Series:
    """Adjusted Rand index between the chosen solution and solutions refitted on bootstrap resamples.

    The ARI (Hubert & Arabie 1985) compares each refitted assignment of all customers
    (:func:`refit_labels`) with the chosen one. This is the bootstrap stability assessment of
    Hennig (2007) and Dolnicar, Grün & Leisch (2018, ch. 7). 1 = identical partitions, 0 =
    chance agreement.

    Returns
    -------
    pandas.Series
        One ARI per resample.
    """
    reference = model.predict(profile)
    labels = _aligned(refits, profile)
    scores = [adjusted_rand_score(reference, labels[column].to_numpy()) for column in labels]
    return pd.Series(scores, name="ari", index=pd.RangeIndex(1, len(scores) + 1, name="resample"))


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


def segment_stability(model: SegmentModel, profile: pd.DataFrame, refits: pd.DataFrame) -> pd.DataFrame:
    """Segment-level stability: mean Jaccard agreement of each segment with its best match over resamples.

    The segment-wise counterpart of :func:`bootstrap_stability`, as Hennig's (2007)
    ``clusterboot`` and flexclust's ``slswFlexclust`` (Dolnicar, Grün & Leisch 2018,
    ch. 7), over the same refits (:func:`refit_labels`): a segment that does not come
    back in refits is an accident of this sample. Segments below 0.6 are flagged: not to
    be targeted on their own (Hennig: below 0.6 a cluster should not be trusted).

    Returns
    -------
    pandas.DataFrame
        One row per segment id: ``jaccard`` (mean), ``jaccard_min`` and ``stable``
        (mean ≥ 0.6).
    """
    reference = model.predict(profile)
    labels = _aligned(refits, profile)
    scores = pd.DataFrame([best_jaccard(reference, labels[column].to_numpy()) for column in labels])
    table = pd.DataFrame({"jaccard": scores.mean().round(3), "jaccard_min": scores.min().round(3)})
    table["stable"] = table["jaccard"] >= SEGMENT_STABILITY_BAR
    return table.rename_axis("segment")
