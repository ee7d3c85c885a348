"""Step 05, deploy: what ``notebooks/05_deploy.ipynb`` calls (the notebook imports this module only).

The step reuses the artefacts of steps 01–03 (:class:`DeployInputs`: segments, segment
profiles, personas, the customer profile and the saved model) and profiles only the
customers who arrived after asof (:mod:`segkit_helpers.deploy.arrivals`). Playbook,
persona types, service models and the export come from
:mod:`segkit_helpers.deploy.deployment`, the sentences from :mod:`segkit_helpers.report.deploy`;
:class:`DeployArtefacts` writes what the step leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from segkit_helpers.context import CycleContext, open_cycle, read_artefact
from segkit_helpers.deploy.arrivals import Arrivals, new_customer_summary, score_new_customers
from segkit_helpers.deploy.deployment import (
    assign_persona_types,
    assign_service_models,
    build_export,
    export_summary,
    load_playbook,
    persona_type_table,
    quadrant_table,
    resources_vs_value,
    write_export,
)
from segkit_helpers.deploy.target import write_to_database
from segkit_helpers.io.artefacts import write_csv, write_parquet
from segkit_helpers.report import deploy as words
from segkit_helpers.report.figures.deploy import plot_resources_vs_value
from segkit_helpers.report.deploy import (
    arrivals_view,
    export_view,
    persona_type_view,
    quadrant_view,
    scored_view,
    service_view,
    value_view,
)
from segkit_helpers.report.sentences import Sentence, saved
from segkit_helpers.report.tables import Table

__all__ = [
    "DeployArtefacts", "DeployInputs", "arrivals_by_segment", "assign_persona_types", "assign_service_models",
    "build_export", "describe_arrivals", "describe_inputs", "export_summary", "first_arrivals",
    "load_playbook", "open_cycle", "persona_type_table", "plot_resources_vs_value", "quadrant_table",
    "resources_vs_value", "score_new_customers", "export_view", "persona_type_view", "quadrant_view", "service_view",
    "value_view",
]


@dataclass(frozen=True)
class DeployInputs:
    """What step 05 reads from the earlier steps of the cycle (nothing of it is computed again).

    Attributes
    ----------
    segments : pandas.DataFrame
        ``segments.parquet`` (step 02): each customer's segment and quadrant.
    profiles : pandas.DataFrame
        ``profiles.csv`` (step 02): one row per segment.
    personas : list of dict
        The personas of ``personas.yml``.
    profile : pandas.DataFrame
        ``customers.parquet`` (step 01): the customer profile as of asof.
    model : Any
        ``model.skops``: the cycle's segment model.
    """

    segments: pd.DataFrame
    profiles: pd.DataFrame
    personas: list[dict]
    profile: pd.DataFrame
    model: Any

    @classmethod
    def load(cls, ctx: CycleContext) -> DeployInputs:
        """Read the artefacts of steps 01 and 02 of the cycle."""
        return cls(read_artefact(ctx, "segments.parquet"), read_artefact(ctx, "profiles.csv"),
                   read_artefact(ctx, "personas.yml")["personas"], read_artefact(ctx, "customers.parquet"),
                   read_artefact(ctx, "model.skops"))


def describe_inputs(inputs: DeployInputs) -> Sentence:
    """How many customers and segments the step deploys."""
    return words.inputs_text(len(inputs.segments), len(inputs.personas))


def describe_arrivals(arrivals: Arrivals, cfg: dict) -> Sentence:
    """The customers of :func:`score_new_customers` in one sentence."""
    return words.arrivals_text(arrivals.arrived, len(arrivals.scored), cfg["asof"])


def arrivals_by_segment(arrivals: Arrivals) -> Table | None:
    """New customers per segment (:func:`new_customer_summary`); nothing to show when none arrived."""
    return None if arrivals.scored.empty else arrivals_view(new_customer_summary(arrivals.scored))


def first_arrivals(arrivals: Arrivals, rows: int = 10) -> Table | None:
    """The first ``rows`` scored new customers; nothing to show when none arrived."""
    return None if arrivals.scored.empty else scored_view(arrivals.scored.head(rows))


@dataclass(frozen=True)
class DeployArtefacts:
    """What step 05 leaves: the CRM export, the service models, the persona types and the arrivals' scores."""

    export: pd.DataFrame
    service: pd.DataFrame
    types: pd.DataFrame | None = None
    new_scores: pd.DataFrame | None = None

    def save(self, ctx: CycleContext) -> Sentence:
        """Write ``export/segments.csv`` and ``.parquet`` (and the ``deploy.target`` table when set),
        ``service_models.csv``, ``persona_types.csv`` and ``export/new_customers.csv`` and ``.parquet``;
        a neutral note that they are saved."""
        write_export(self.export, ctx.artefact("export"))
        write_csv(self.service.reset_index(), ctx.artefact("service_models.csv"))
        if self.types is not None:
            write_csv(self.types.reset_index(), ctx.artefact("persona_types.csv"))
        if self.new_scores is not None and not self.new_scores.empty:
            write_csv(self.new_scores, ctx.artefact("export") / "new_customers.csv")
            write_parquet(self.new_scores, ctx.artefact("export") / "new_customers.parquet")
        target = ctx.cfg["deploy"]["target"]
        if target["url"]:
            write_to_database(self.export, target["url"], target["table"], target["if_exists"])
            return words.joined([saved(ctx.cycle), words.database_text(len(self.export), target["table"])])
        return saved(ctx.cycle)
