"""Step 01, research: what ``notebooks/01_research.ipynb`` calls (the notebook imports this module only).

Reading and cleaning the order lines, the customer profile, its summaries and figures,
the CLV models (:mod:`segkit_helpers.research`, :mod:`segkit_helpers.report`), and the
artefacts of the step, :class:`ResearchArtefacts` (``customers.parquet``,
``cleaning.csv``, ``clv.json``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import pandas as pd

from segkit_helpers.context import CycleContext, open_cycle
from segkit_helpers.io.artefacts import read_json, write_csv, write_json, write_parquet
from segkit_helpers.report.figures.research import (
    plot_distributions,
    plot_holdout,
    plot_pareto,
    plot_quadrants,
    plot_rf_heatmap,
    plot_rfm_segments,
)
from segkit_helpers.report.research import (
    abc_xyz_view,
    cleaning_view,
    clv_caveat,
    clv_segments_view,
    clv_summary,
    clv_view,
    holdout_view,
    lines_view,
    persona_metrics_view,
    profile_sample,
    rfm_summary_view,
    rules_view,
    value_assumptions,
)
from segkit_helpers.report.sentences import Sentence, saved
from segkit_helpers.research.cleaning import clean_transactions
from segkit_helpers.research.clv import ClvFit, add_clv, fit_clv, holdout_check
from segkit_helpers.research.lines import load_transactions, summarize_lines
from segkit_helpers.research.profile import build_profile
from segkit_helpers.research.scores import load_rfm_rules
from segkit_helpers.research.summaries import (
    abc_xyz_table,
    clv_by_rfm_segment,
    persona_metrics_summary,
    rfm_segment_summary,
)

__all__ = [
    "ResearchArtefacts", "abc_xyz_table", "add_clv", "build_profile", "clean_transactions",
    "clv_by_rfm_segment", "clv_summary", "fit_clv", "holdout_check", "holdout_view", "load_rfm_rules",
    "load_transactions", "open_cycle", "persona_metrics_summary", "plot_distributions", "plot_holdout",
    "plot_pareto", "plot_quadrants", "plot_rf_heatmap", "plot_rfm_segments", "rfm_segment_summary",
    "summarize_lines", "value_assumptions", "abc_xyz_view", "clv_segments_view", "clv_view", "cleaning_view",
    "lines_view", "persona_metrics_view", "profile_sample", "rfm_summary_view", "rules_view",
]


@dataclass(frozen=True)
class ResearchArtefacts:
    """What step 01 leaves for the rest of the cycle.

    Attributes
    ----------
    profile : pandas.DataFrame
        The customer profile with its CLV columns (``customers.parquet``,
        :func:`~segkit_helpers.research.profile.build_profile`).
    cleaning : pandas.DataFrame
        The cleaning table (``cleaning.csv``,
        :func:`~segkit_helpers.research.cleaning.clean_transactions`).
    clv : ClvFit
        The CLV method, its reason and parameters (``clv.json``, with the caveat for readers).
    """

    profile: pd.DataFrame
    cleaning: pd.DataFrame
    clv: ClvFit

    def save(self, ctx: CycleContext) -> Sentence:
        """Write ``customers.parquet``, ``cleaning.csv`` and ``clv.json``; a neutral note that they are saved."""
        write_parquet(self.profile, ctx.artefact("customers.parquet"))
        write_csv(self.cleaning, ctx.artefact("cleaning.csv"))
        write_json({**asdict(self.clv), "caveat": clv_caveat(self.clv)}, ctx.artefact("clv.json"))
        return saved(ctx.cycle)

    @classmethod
    def load(cls, ctx: CycleContext) -> ResearchArtefacts:
        """Read the artefacts of step 01 of the cycle."""
        record = read_json(ctx.artefact("clv.json"))
        clv = ClvFit(**{f.name: record[f.name] for f in fields(ClvFit)})
        cleaning = pd.read_csv(ctx.artefact("cleaning.csv"), keep_default_na=False)
        return cls(pd.read_parquet(ctx.artefact("customers.parquet")), cleaning, clv)
