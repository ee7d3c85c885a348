"""Customer-level validation: the review sheet and the experts' agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit_helpers.errors import InputError
from segkit_helpers.evaluation.review import read_filled_sheet, review_agreement, review_sheet, write_review_sheet
from segkit_helpers.report.test import agreement_table, review_text


def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    # two segments; prob_1 decides typicality in segment 1, prob_2 in segment 2
    p1 = [0.9, 0.8, 0.55, 0.6, 0.95, 0.3, 0.1, 0.45]
    segments = pd.DataFrame({"customer_id": [f"c{i}" for i in range(8)], "prob_1": p1,
                             "prob_2": [1 - p for p in p1]})
    segments["segment"] = np.where(segments["prob_1"] >= 0.5, 1, 2)
    segments["membership"] = segments[["prob_1", "prob_2"]].max(axis=1)
    segments["segment_name"] = segments["segment"].map({1: "Gold", 2: "=Rest"})
    profile = pd.DataFrame({"customer_id": segments["customer_id"], "monetary": range(100, 900, 100),
                            "frequency": range(1, 9)})
    return profile, segments


def test_typical_and_borderline_by_hand():
    sheet = review_sheet(*tables(), n_typical=2, n_borderline=1)
    seg1 = sheet[sheet["segment"] == 1]
    # segment 1 = c0 (0.9), c1 (0.8), c2 (0.55), c3 (0.6), c4 (0.95): typical c4, c0; borderline = smallest
    # margin |p1 - p2| among the rest: c2 (0.10)
    assert seg1[["kind", "customer_id"]].values.tolist() == [["typical", "c4"], ["typical", "c0"], ["borderline", "c2"]]
    seg2 = sheet[sheet["segment"] == 2]
    # segment 2 = c5 (0.7), c6 (0.9), c7 (0.55): typical c6, c5; borderline c7 (margin 0.10)
    assert seg2["customer_id"].tolist() == ["c6", "c5", "c7"]
    assert seg2["second_segment"].eq("Gold").all()
    assert sheet.columns[-2:].tolist() == ["verdict", "comment"] and sheet["verdict"].eq("").all()
    assert sheet.loc[sheet["customer_id"] == "c4", "monetary"].item() == 500


def test_written_sheet_is_safe_for_spreadsheets(tmp_path):
    path = write_review_sheet(review_sheet(*tables(), 1, 1), tmp_path / "review.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for Excel
    assert "'=Rest" in raw.decode("utf-8-sig")  # formula-like persona name neutralised


def test_agreement_with_wilson_intervals(tmp_path):
    sheet = review_sheet(*tables(), n_typical=2, n_borderline=1)
    sheet["verdict"] = ["yes", "fits", "no", "fits", "does not fit", "?"]
    sheet.to_csv(tmp_path / "filled.csv", index=False)
    table = review_agreement(read_filled_sheet(tmp_path / "filled.csv"))
    # segment 1: fits 2, does not fit 1 -> 2/3; Wilson 95%: centre (2 + 1.92)/(3 + 3.84) = 0.5731,
    # half-width 1.96 * sqrt(2*1/3 + 0.9604) / 6.8415 = 0.3654 -> 0.2077 to 0.9385
    assert table.loc[1, ["fits", "does_not_fit", "unsure"]].tolist() == [2, 1, 0]
    assert table.loc[1, "agreement"] == pytest.approx(2 / 3)
    assert table.loc[1, "ci_low"] == pytest.approx(0.2077, abs=1e-3)
    assert table.loc[1, "ci_high"] == pytest.approx(0.9385, abs=1e-3)
    # segment 2: fits 1, does not fit 1, unsure 1 -> 50 %, not below the revision bar
    assert table.loc[2, "agreement"] == 0.5 and not table.loc[2, "revise"]
    assert table.loc["all", "reviewed"] == 6
    words = agreement_table(table)
    assert words.loc[1, "reading"].startswith("Segment 1: experts agree on 2 of 3 customers (67%")
    assert words.loc["all", "reading"].startswith("All segments: experts agree on 3 of 5")
    assert review_text(sheet, table).startswith("- Segment 1: experts agree")
    assert review_text(sheet, table.iloc[:0]).startswith("Review sheet: 6 customers to send")


def test_bad_verdicts_are_named(tmp_path):
    sheet = review_sheet(*tables(), 1, 1)
    sheet["verdict"] = ["fits", "kind of", "", "nope"]
    sheet.to_csv(tmp_path / "filled.csv", index=False)
    with pytest.raises(InputError, match=r"'review sheet', column 'verdict': 2 row\(s\).*'kind of'"):
        read_filled_sheet(tmp_path / "filled.csv")
    with pytest.raises(InputError, match="cannot be read"):
        read_filled_sheet(tmp_path / "missing.csv")
