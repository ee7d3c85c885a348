"""Customer-level validation (seed 002 step 6): do real customers make sense for their persona?

Per segment, the most **typical** customers (highest membership probability) and the most
**borderline** ones (smallest gap between the first and the second membership
probability) are listed with the data points a business expert can judge, in a review
sheet with an empty ``verdict`` column. Experts write one of:

- ``fits`` (also yes / y / 1 / true): the customer is what the persona describes;
- ``does not fit`` (also no / n / 0 / false): the persona misdescribes this customer;
- ``unsure`` (also ? / maybe): cannot tell.

When the filled sheet is given back (``validation.review_sheet``), agreement per segment
is ``fits / (fits + does not fit)`` with a Wilson (1927) score interval; a segment where
experts agree on fewer than half of the reviewed customers needs its persona revised.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from segkit_helpers.io.artefacts import restore_formulas, write_csv
from segkit_helpers.errors import InputError

DATA_POINTS = ["recency_days", "frequency", "monetary", "avg_order_value", "orders_per_quarter", "tenure_days",
               "profit", "p_alive", "rfm_segment", "value_loyalty_quadrant"]
VERDICTS = {"fits": "fits", "yes": "fits", "y": "fits", "1": "fits", "true": "fits",
            "does not fit": "does not fit", "doesn't fit": "does not fit", "no": "does not fit", "n": "does not fit",
            "0": "does not fit", "false": "does not fit", "unsure": "unsure", "?": "unsure", "maybe": "unsure"}
REVISE_BELOW = 0.5


def review_sheet(profile: pd.DataFrame, segments: pd.DataFrame, n_typical: int = 5, n_borderline: int = 5,
                 columns: list[str] | None = None) -> pd.DataFrame:
    """The review sheet: per segment the most typical and the most borderline customers.

    Typical = the highest membership in the own segment; borderline = the smallest
    margin between the own and the second-highest membership; ties are broken by
    customer id, so the sheet is the same on every run. A customer is listed once
    (as typical when both apply).

    Returns
    -------
    pandas.DataFrame
        ``segment``, ``segment_name``, ``kind``, ``customer_id``, ``membership``,
        ``second_segment`` (its persona name), the data points (``columns``, default
        :data:`DATA_POINTS` present in the profile), and empty ``verdict`` and ``comment``.
    """
    probs = segments.filter(regex=r"^prob_\d+$")
    ordered = np.sort(probs.to_numpy(), axis=1)
    table = segments[["customer_id", "segment"]].assign(
        segment_name=segments.get("segment_name", segments["segment"].astype(str)),
        membership=segments["membership"].to_numpy(),
        margin=ordered[:, -1] - (ordered[:, -2] if probs.shape[1] > 1 else 0.0),
        second=probs.columns.to_numpy()[np.argsort(-probs.to_numpy(), axis=1, kind="stable")[:, 1]]
        if probs.shape[1] > 1 else "")
    names = dict(zip(segments["segment"], table["segment_name"]))
    table["second_segment"] = table["second"].str.removeprefix("prob_").astype(int).map(names) \
        if probs.shape[1] > 1 else ""
    picks = []
    for _, part in table.groupby("segment", sort=True):
        typical = part.sort_values(["membership", "customer_id"], ascending=[False, True], kind="stable").head(n_typical)
        rest = part[~part["customer_id"].isin(typical["customer_id"])]
        borderline = rest.sort_values(["margin", "customer_id"], kind="stable").head(n_borderline)
        picks += [typical.assign(kind="typical"), borderline.assign(kind="borderline")]
    sheet = pd.concat(picks, ignore_index=True)
    points = [c for c in (columns or DATA_POINTS) if c in profile.columns]
    sheet = sheet.merge(profile[["customer_id", *points]], on="customer_id", how="left")
    sheet["verdict"], sheet["comment"] = "", ""
    return sheet[["segment", "segment_name", "kind", "customer_id", "membership", "second_segment", *points,
                  "verdict", "comment"]].round({"membership": 3})


def write_review_sheet(sheet: pd.DataFrame, path: str | Path) -> Path:
    """Write the sheet as CSV for a spreadsheet: UTF-8 with a byte-order mark (so Excel reads accents),
    formula-like cells neutralised, written atomically."""
    return write_csv(sheet, path, excel=True)


def read_filled_sheet(path: str | Path) -> pd.DataFrame:
    """Read a review sheet filled in by experts, with verdicts normalised to fits / does not fit / unsure.

    Raises
    ------
    InputError
        The file cannot be read, lacks the ``segment`` or ``verdict`` column, or holds a
        verdict that is not one of the accepted words (count and an example named).
    """
    try:
        sheet = pd.read_csv(path, dtype={"customer_id": str, "verdict": str}, encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"review sheet {path}: cannot be read ({exc.strerror})") from None
    for column in ("segment", "verdict"):
        if column not in sheet:
            raise InputError(f"table 'review sheet': column '{column}' is missing in {path}")
    text = sheet["verdict"].fillna("").str.strip().str.lower()
    verdict = text.map(VERDICTS)
    bad = verdict.isna() & (text != "")
    if bad.any():
        raise InputError.bad_rows("review sheet", "verdict", int(bad.sum()), sheet.loc[bad, "verdict"].iloc[0],
                                  "are not 'fits', 'does not fit' or 'unsure' (or yes / no / ?)")
    return restore_formulas(sheet).assign(verdict=verdict.fillna(""))


def review_agreement(filled: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Agreement of experts with the personas, per segment and overall.

    Returns
    -------
    pandas.DataFrame
        One row per segment plus ``all``: ``reviewed``, ``fits``, ``does_not_fit``,
        ``unsure``, ``unanswered``, ``agreement`` = fits / (fits + does not fit),
        ``ci_low``/``ci_high`` (Wilson score interval) and ``revise`` (agreement below 0.5).
    """
    def summary(part: pd.DataFrame) -> dict:
        counts = part["verdict"].value_counts()
        fits, misfits = int(counts.get("fits", 0)), int(counts.get("does not fit", 0))
        judged = fits + misfits
        low, high = proportion_confint(fits, judged, alpha=alpha, method="wilson") if judged else (np.nan, np.nan)
        return {"reviewed": len(part), "fits": fits, "does_not_fit": misfits, "unsure": int(counts.get("unsure", 0)),
                "unanswered": int(counts.get("", 0)), "agreement": fits / judged if judged else np.nan,
                "ci_low": low, "ci_high": high}

    rows = {seg: summary(part) for seg, part in filled.groupby("segment", sort=True)}
    rows["all"] = summary(filled)
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("segment")
    table["revise"] = table["agreement"] < REVISE_BELOW
    return table


def review_for_cycle(profile: pd.DataFrame, segments: pd.DataFrame, validation: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The review sheet to send out and, when ``validation.review_sheet`` names a filled one, the agreement table
    (:func:`review_agreement`; without a filled sheet, empty). ``validation``: the config's section."""
    sheet = review_sheet(profile, segments, validation["review_typical"], validation["review_borderline"])
    filled_path = validation["review_sheet"]
    if not filled_path:
        return sheet, pd.DataFrame(columns=["reviewed", "fits", "does_not_fit", "unsure", "unanswered", "agreement",
                                            "ci_low", "ci_high", "revise"])
    return sheet, review_agreement(read_filled_sheet(filled_path))
