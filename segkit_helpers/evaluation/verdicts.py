"""The verdicts of the test step: the standing hypotheses H1–H3 and each segment's.

Verdicts and the figures behind them; :mod:`segkit_helpers.report.test` puts them in words.
"""

from __future__ import annotations

import pandas as pd

from segkit_helpers.evaluation.stats import NOT_TESTABLE

#: What a segment's verdict can be (:func:`segment_verdicts`).
DO_NOT_TARGET_ALONE, TARGET, TARGET_SOFT = "do not target alone", "target", "target as a division with soft borders"


def hypothesis_verdicts(stability: pd.Series, holdout: pd.DataFrame, structure: dict, bars: dict) -> dict[str, dict]:
    """Verdicts of the standing hypotheses of every cycle.

    H1 the segmentation is stable: mean bootstrap ARI ≥ ``validation.min_stability``;
    H2 the segments differ on features they were NOT built from
    (:func:`segkit_helpers.evaluation.differences.holdout_differences`): at least one held-out
    feature differs (Holm p < ``validation.alpha``, at least a moderate effect) — "not
    testable" when none can be tested; H3 the segments are natural groups
    (:func:`segkit_helpers.evaluation.structure.null_reference`). Differences on the
    clustering features are no hypothesis: they hold by construction.

    Parameters
    ----------
    bars
        The config's ``validation`` section (``min_stability``, ``alpha``).

    Returns
    -------
    dict
        ``{"H1": {verdict, mean_ari, bar}, "H2": {verdict, differ (features), testable (count),
        alpha}, "H3": {verdict}}``; a verdict is "supported", "not supported" or "not testable".
    """
    alpha, bar = bars["alpha"], bars["min_stability"]
    testable = holdout[holdout["strength"] != NOT_TESTABLE]
    found = testable.index[testable["differs"]].tolist()
    h2 = NOT_TESTABLE if testable.empty else "supported" if found else "not supported"
    return {
        "H1": {"verdict": "supported" if stability.mean() >= bar else "not supported", "mean_ari": stability.mean(),
               "bar": bar},
        "H2": {"verdict": h2, "differ": found, "testable": len(testable), "alpha": alpha},
        "H3": {"verdict": "supported" if structure["natural"] else "not supported"},
    }


def segment_verdicts(segments: pd.DataFrame, silhouettes: pd.Series, personas: list[dict], distinct: pd.DataFrame,
                     structure: dict, bars: dict) -> pd.DataFrame:
    """Per segment: size, stability (bootstrap Jaccard, from the persona cards), separation (mean
    silhouette), the held-out features it differs on
    (:func:`segkit_helpers.evaluation.differences.segment_distinctness`) and the verdict.

    A segment is "do not target alone" when its stability is below
    ``validation.min_segment_stability`` (``unstable``), its separation below
    ``validation.min_separation`` (``blends``) or it differs from the other customers on none
    of the testable features it was not built from (``indistinct``; no such feature: not
    judged); it may still be served together with a neighbour. Otherwise "target", or — when
    the segments are constructed — "target as a division with soft borders". ``bars`` is the
    config's ``validation`` section.

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``name``, ``customers``, ``stability``, ``separation``,
        ``distinct_on``, ``unstable``, ``blends``, ``indistinct`` and ``verdict``.
    """
    cards = {p["segment"]: p for p in personas}
    rows = []
    for seg, size in segments["segment"].value_counts().sort_index().items():
        card = cards.get(int(seg), {})
        stability = card.get("stability", float("nan"))
        separation = float(silhouettes.get(seg, float("nan")))
        found = distinct.loc[seg, "distinct_on"] if seg in distinct.index else ""
        testable = seg in distinct.index and distinct.loc[seg, "n_testable"] > 0
        weak = {"unstable": stability < bars["min_segment_stability"], "blends": separation < bars["min_separation"],
                "indistinct": bool(testable and not found)}
        verdict = DO_NOT_TARGET_ALONE if any(weak.values()) else TARGET if structure["natural"] else TARGET_SOFT
        rows.append({"segment": int(seg), "name": card.get("name", ""), "customers": int(size), "stability": stability,
                     "separation": separation, "distinct_on": found, **weak, "verdict": verdict})
    return pd.DataFrame(rows).set_index("segment")
