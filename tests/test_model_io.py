"""Saved models load without running code: skops with an allow-list of types; bad files in one line."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pandas as pd
import pytest
import skops.io as sio

from segkit_helpers.cli import main
from segkit_helpers.errors import InputError
from segkit_helpers.io.model_io import load_model, save_model
from segkit_helpers.schemes.behavioural import SegmentModel
from segkit_helpers.schemes.value_loyalty import QuadrantModel
from tests.test_schemes import quadrant_profile
from tests.test_segmentation import planted_profile


@pytest.mark.parametrize("make, data", [
    (lambda: SegmentModel(n_segments=3, random_state=0), planted_profile),
    (lambda: QuadrantModel(loyalty_threshold=3.0), quadrant_profile),
], ids=["behavioural", "value_loyalty"])
def test_a_saved_model_predicts_the_same_after_loading(tmp_path, make, data):
    fitted = make().fit(data())
    loaded = load_model(save_model(fitted, tmp_path / "model.skops"))
    assert type(loaded) is type(fitted)
    np.testing.assert_array_equal(loaded.predict_proba(data()), fitted.predict_proba(data()))
    for name, value in vars(fitted).items():  # pandas attributes come back as they were
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(getattr(loaded, name), value)


class _RunsACommand:
    """What a malicious pickle does: run a command while being loaded."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_pickle_that_runs_a_command_is_refused_and_runs_nothing(tmp_path, capsys):
    marker = tmp_path / "pwned"
    bad = tmp_path / "model.skops"
    bad.write_bytes(pickle.dumps(_RunsACommand(marker)))
    (tmp_path / "new.csv").write_text("customer_id,recency_days,frequency,monetary\na,1,2,3\n", encoding="utf-8")
    code = main(["score", str(bad), str(tmp_path / "new.csv"), "--out", str(tmp_path / "out.csv")])
    err = capsys.readouterr().err
    assert code == 1 and "is not a segkit model" in err and "Traceback" not in err
    assert not marker.exists() and not (tmp_path / "out.csv").exists()


def test_a_skops_file_naming_untrusted_types_is_refused_unless_trusted(tmp_path):
    path = tmp_path / "model.skops"
    path.write_bytes(sio.dumps({"call": os.system}))
    with pytest.raises(InputError, match="names types segkit does not trust: .*system"):
        load_model(path)
    with pytest.raises(InputError, match="not a fitted segment model"):  # trusted, loaded, still not a model
        load_model(path, trust=True)


def test_truncated_and_foreign_files_are_one_line_errors(tmp_path):
    fitted = SegmentModel(n_segments=3, random_state=0).fit(planted_profile())
    data = (tmp_path / "ok.skops").write_bytes(sio.dumps(fitted)) and (tmp_path / "ok.skops").read_bytes()
    (tmp_path / "cut.skops").write_bytes(data[: len(data) // 2])
    (tmp_path / "text.skops").write_text("not a model", encoding="utf-8")
    (tmp_path / "array.skops").write_bytes(sio.dumps(np.arange(3)))
    for name, words in [("cut.skops", "truncated or corrupt"), ("text.skops", "not a segkit model"),
                        ("array.skops", "not a fitted segment model"), ("missing.skops", "cannot read it")]:
        with pytest.raises(InputError, match=words) as caught:
            load_model(tmp_path / name)
        assert "\n" not in str(caught.value)
