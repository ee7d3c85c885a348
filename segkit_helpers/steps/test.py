"""Step 03, test: what ``notebooks/03_test.ipynb`` calls.

The notebook imports this module only (``from segkit_helpers.steps import test as step``): the
tests of :mod:`segkit_helpers.evaluation`, the words of :mod:`segkit_helpers.report.test` as
Markdown for the page, and the typed artefact :class:`ValidationArtefact` that writes
``validation.json`` and ``review_sheet.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import Markdown

from segkit_helpers.context import open_cycle, read_artefact
from segkit_helpers.evaluation.differences import (clustering_differences, holdout_differences, holdout_features,
                                                   pairwise_tests, segment_distinctness)
from segkit_helpers.evaluation.experiments import interaction_test, load_experiment, uplift_by_segment
from segkit_helpers.evaluation.hypotheses import register_for_cycle
from segkit_helpers.evaluation.review import review_for_cycle, write_review_sheet
from segkit_helpers.evaluation.structure import null_reference, segment_silhouettes
from segkit_helpers.evaluation.validation import bootstrap_stability
from segkit_helpers.evaluation.verdicts import hypothesis_verdicts, segment_verdicts
from segkit_helpers.io.artefacts import read_json, write_json
from segkit_helpers.report import test as words
from segkit_helpers.report.figures.test import plot_feature_by_segment, plot_stability, plot_uplift
from segkit_helpers.report.sentences import Block, Sentence, saved
from segkit_helpers.report.test import (
    agreement_table,
    agreement_view,
    hypothesis_table,
    hypothesis_view,
    null_table,
    null_view,
    pairwise_view,
    readable_tests,
    register_table,
    register_view,
    review_view,
    segment_sizes,
    segment_table,
    segment_verdict_view,
    silhouette_view,
    tests_view,
)
from segkit_helpers.schemes.common import scheme_data

__all__ = [
    "ValidationArtefact", "agreement_table", "bootstrap_stability", "clustering_differences", "describe_experiment",
    "describe_interaction", "describe_register", "describe_review", "describe_stability", "describe_structure",
    "describe_uplift", "holdout_differences", "holdout_features", "hypothesis_table", "hypothesis_verdicts",
    "interaction_test", "load_experiment", "null_reference", "null_table", "open_cycle", "pairwise_tests",
    "plot_feature_by_segment", "plot_stability", "plot_uplift", "read_artefact", "readable_tests",
    "register_for_cycle", "register_table", "review_for_cycle", "save_validation", "scheme_data",
    "segment_distinctness", "segment_silhouettes", "segment_table", "segment_verdicts", "uplift_by_segment",
    "agreement_view", "hypothesis_view", "null_view", "pairwise_view", "register_view", "review_view",
    "segment_sizes", "segment_verdict_view", "silhouette_view", "tests_view",
]


def describe_structure(structure: dict) -> Block:
    """The verdict natural / constructed of :func:`null_reference` in one sentence."""
    return Block(words.structure_reading(structure), "key")


def describe_stability(stability: pd.Series) -> Markdown:
    """The bootstrap ARIs of :func:`bootstrap_stability` in one line."""
    return Markdown(words.stability_text(stability))


def describe_review(review: tuple[pd.DataFrame, pd.DataFrame]) -> Markdown:
    """The review sheet to send out, or the experts' agreement (``review``: :func:`review_for_cycle`)."""
    return Markdown(words.review_text(*review))


def describe_register(register: pd.DataFrame) -> Block:
    """The readings of the hypothesis register (:func:`register_for_cycle`), one per hypothesis."""
    return Block(words.register_text(register), "key")


def describe_experiment(experiment: pd.DataFrame) -> Block:
    """The cycle's experiment (:func:`load_experiment`) in a sentence."""
    return Block(words.experiment_text(experiment), "key")


def describe_uplift(table: pd.DataFrame, outcome: str = "converted") -> Block:
    """The uplift per segment (:func:`uplift_by_segment`) in one sentence per row."""
    return Block(words.uplift_text(table, outcome), "key")


def describe_interaction(result: dict) -> Block:
    """The interaction test (:func:`interaction_test`) in one sentence."""
    return Block(words.interaction_reading(result), "key")


def _records(table: pd.DataFrame | None) -> list[dict]:
    if table is None or table.empty:
        return []
    return table.reset_index().replace({np.nan: None}).to_dict(orient="records")


@dataclass
class ValidationArtefact:
    """What step 03 found, written as ``validation.json`` (and ``review_sheet.csv``).

    Attributes
    ----------
    cycle
        The cycle id.
    stability
        :func:`bootstrap_stability` (one ARI per resample).
    separation
        :func:`segment_silhouettes`.
    structure
        :func:`null_reference`.
    tests, holdout_tests
        :func:`clustering_differences` and :func:`holdout_differences`.
    hypotheses
        :func:`hypothesis_verdicts`.
    segments
        :func:`segment_verdicts`; ``bars`` the ``validation`` section of the config (the bars its
        verdicts are read against).
    pairwise_tests, review, register
        :func:`pairwise_tests`, :func:`review_for_cycle` (sheet, agreement) and
        :func:`register_for_cycle`, when run.
    experiment
        ``conversion`` / ``revenue`` to :func:`uplift_by_segment` tables and
        ``conversion_interaction`` / ``revenue_interaction`` to :func:`interaction_test` results.
    """

    FILE = "validation.json"
    REVIEW_SHEET = "review_sheet.csv"

    cycle: str
    stability: pd.Series
    separation: pd.Series
    structure: dict
    tests: pd.DataFrame
    holdout_tests: pd.DataFrame
    hypotheses: dict
    segments: pd.DataFrame
    bars: dict
    pairwise_tests: pd.DataFrame | None = None
    review: tuple[pd.DataFrame, pd.DataFrame] | None = None
    register: pd.DataFrame | None = None
    experiment: dict = field(default_factory=dict)

    def record(self) -> dict:
        """The content of ``validation.json``: figures, verdicts and their words (:mod:`segkit_helpers.report.test`)."""
        stability = self.stability
        return {
            "cycle": self.cycle,
            "stability": {"method": "bootstrap ARI vs chosen solution", "resamples": len(stability),
                          "mean_ari": round(float(stability.mean()), 4), "min_ari": round(float(stability.min()), 4),
                          "ari": [round(float(v), 4) for v in stability]},
            "separation": {str(k): round(float(v), 4) for k, v in self.separation.items()},
            "structure": words.structure_record(self.structure),
            "tests": _records(self.tests),
            "holdout_tests": _records(self.holdout_tests),
            "hypotheses": _records(hypothesis_table(self.hypotheses, self.structure)),
            "segments": _records(words.segment_table(self.segments, self.bars)),
            "pairwise_tests": [] if self.pairwise_tests is None else
            self.pairwise_tests.replace({np.nan: None}).to_dict(orient="records"),
            "review_agreement": _records(agreement_table(self.review[1])) if self.review else [],
            "hypothesis_register": [] if self.register is None or self.register.empty else
            _records(words.register_readings(self.register).set_index("id")),
            "experiment": {key: _records(value) if isinstance(value, pd.DataFrame) else words.interaction_record(value)
                           for key, value in self.experiment.items()},
        }

    def save(self, folder: str | Path) -> list[Path]:
        """Write ``validation.json`` and, with a review, ``review_sheet.csv`` into ``folder``; the paths written."""
        folder = Path(folder)
        written = [write_review_sheet(self.review[0], folder / self.REVIEW_SHEET)] if self.review else []
        return written + [write_json(self.record(), folder / self.FILE)]

    @classmethod
    def load(cls, folder: str | Path) -> dict:
        """The record a cycle saved in ``folder`` (``validation.json``, as :meth:`record` wrote it)."""
        return read_json(Path(folder) / cls.FILE)


def save_validation(artefact: ValidationArtefact, ctx) -> Sentence:
    """Write the artefact into the cycle's folder; a neutral note that it is saved."""
    artefact.save(ctx.out_dir)
    return saved(ctx.cycle)
