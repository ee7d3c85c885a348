"""Step 02, hypothesis: what ``notebooks/02_hypothesis.ipynb`` calls (the notebook imports this module only).

The configured scheme (:data:`segkit_helpers.schemes.SCHEMES`) chooses k, fits the
segments and names them (:mod:`segkit_helpers.schemes`); persona drafts and sentences
come from :mod:`segkit_helpers.report.hypothesis`, figures from
:mod:`segkit_helpers.report.figures`; :class:`HypothesisArtefacts` are what the step
leaves for the rest of the cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import yaml

from segkit_helpers.context import CycleContext, open_cycle, read_artefact
from segkit_helpers.evaluation.validation import REFITS_FILE, refit_labels, segment_stability
from segkit_helpers.io.artefacts import read_json, write_csv, write_json, write_parquet, write_yaml
from segkit_helpers.io.model_io import MODEL_FILE, load_model, save_model
from segkit_helpers.monitoring.previous import SCHEME_FEATURES, load_previous
from segkit_helpers.report.figures.hypothesis import (
    plot_cross_sell,
    plot_k_selection,
    plot_membership,
    plot_segment_map,
    plot_segment_profiles,
)
from segkit_helpers.report.figures.research import plot_quadrants
from segkit_helpers.report.hypothesis import (
    draft_personas,
    k_sentence,
    k_table_view,
    persona_table,
    persona_view,
    profile_size,
    profiles_view,
    scheme_sentence,
    segments_view,
    stability_view,
    whitespace_sentence,
    whitespace_view,
)
from segkit_helpers.report.sentences import Sentence, saved
from segkit_helpers.schemes.behavioural import name_segments, segment_profiles
from segkit_helpers.schemes.common import (
    choose_k,
    embedding,
    fit_segments,
    k_choice,
    scheme_data,
    scheme_feature_table,
    scheme_names,
    segment_feature_z,
    segment_traits,
)
from segkit_helpers.schemes.opportunity import opportunity_tables

__all__ = [
    "HypothesisArtefacts", "choose_k", "draft_personas", "embedding", "fit_segments", "k_choice", "load_previous",
    "open_cycle", "opportunity_tables", "persona_table", "plot_cross_sell", "plot_k_selection", "plot_membership",
    "plot_quadrants", "plot_segment_map", "plot_segment_profiles", "read_artefact", "scheme_data",
    "k_sentence", "profile_size", "scheme_feature_table", "scheme_names", "scheme_sentence", "segment_feature_z", "segment_profiles",
    "refit_labels", "segment_stability", "segment_traits", "whitespace_sentence", "k_table_view", "persona_view",
    "profiles_view", "segments_view", "stability_view", "whitespace_view",
]


@dataclass(frozen=True)
class HypothesisArtefacts:
    """What step 02 leaves for the rest of the cycle.

    Attributes
    ----------
    model
        The fitted scheme (``model.skops``, a :class:`~segkit_helpers.schemes.base.SegmentScheme`).
    segments : pandas.DataFrame
        Segment, memberships and secondary segment per customer
        (:func:`~segkit_helpers.schemes.common.fit_segments`; saved with the persona names
        as ``segments.parquet``).
    profiles : pandas.DataFrame
        Per-segment profile (``profiles.csv``, :func:`~segkit_helpers.schemes.behavioural.segment_profiles`).
    personas : list of dict
        Persona drafts (``personas.yml``, :func:`~segkit_helpers.report.hypothesis.draft_personas`).
    k_table : pandas.DataFrame
        The k choice (``k_selection.csv``, :func:`~segkit_helpers.schemes.common.choose_k`).
    choice : dict
        The k used and why (``k_choice.json``, :func:`~segkit_helpers.schemes.common.k_choice`).
    features : pandas.DataFrame
        Each customer's values of the clustered columns (``scheme_features.parquet``,
        :func:`~segkit_helpers.schemes.common.scheme_feature_table`).
    cross_sell, gaps : pandas.DataFrame
        Segment × product-line table and per-customer whitespace (``cross_sell.csv``,
        ``whitespace.parquet``; written only with product lines).
    refits : pandas.DataFrame
        Every customer's segment under each bootstrap refit (``bootstrap_refits.parquet``,
        :func:`~segkit_helpers.evaluation.validation.refit_labels`): step 03 reads them
        instead of refitting.
    """

    model: object
    segments: pd.DataFrame
    profiles: pd.DataFrame
    personas: list[dict]
    k_table: pd.DataFrame
    choice: dict
    features: pd.DataFrame
    cross_sell: pd.DataFrame
    gaps: pd.DataFrame
    refits: pd.DataFrame

    def save(self, ctx: CycleContext) -> Sentence:
        """Write the step's artefacts; a neutral note that they are saved."""
        write_parquet(name_segments(self.segments, self.personas), ctx.artefact("segments.parquet"))
        write_csv(self.profiles.reset_index(), ctx.artefact("profiles.csv"))
        write_yaml({"cycle": ctx.cycle, "personas": self.personas}, ctx.artefact("personas.yml"))
        write_csv(self.k_table, ctx.artefact("k_selection.csv"))
        write_json(self.choice, ctx.artefact("k_choice.json"))
        save_model(self.model, ctx.artefact(MODEL_FILE))
        if not self.cross_sell.empty:
            write_csv(self.cross_sell, ctx.artefact("cross_sell.csv"))
            write_parquet(self.gaps, ctx.artefact("whitespace.parquet"))
        write_parquet(self.features, ctx.artefact(SCHEME_FEATURES))
        write_parquet(self.refits, ctx.artefact(REFITS_FILE))
        return saved(ctx.cycle)

    @classmethod
    def load(cls, ctx: CycleContext) -> HypothesisArtefacts:
        """Read the artefacts of step 02 of the cycle (the model only from its trusted types)."""
        cross_sell_path = ctx.artefact("cross_sell.csv")
        has_lines = cross_sell_path.exists()
        return cls(
            model=load_model(ctx.artefact(MODEL_FILE)),
            segments=pd.read_parquet(ctx.artefact("segments.parquet")),
            profiles=pd.read_csv(ctx.artefact("profiles.csv")).set_index("segment"),
            personas=yaml.safe_load(ctx.artefact("personas.yml").read_text(encoding="utf-8"))["personas"],
            k_table=pd.read_csv(ctx.artefact("k_selection.csv")),
            choice=read_json(ctx.artefact("k_choice.json")),
            features=pd.read_parquet(ctx.artefact(SCHEME_FEATURES)),
            cross_sell=pd.read_csv(cross_sell_path) if has_lines else pd.DataFrame(),
            gaps=pd.read_parquet(ctx.artefact("whitespace.parquet")) if has_lines else pd.DataFrame(),
            refits=pd.read_parquet(ctx.artefact(REFITS_FILE)),
        )
