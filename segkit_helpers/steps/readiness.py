"""Step 00, readiness: what ``notebooks/00_readiness.ipynb`` calls (the notebook imports this module only).

The five questions, the data checks, the schemes the data supports and the verdict
(:mod:`segkit_helpers.research.readiness`), and the artefact of the step,
:class:`ReadinessArtefact` (``readiness.json`` and the cycle's resolved ``config.yml``).
"""

from __future__ import annotations

from dataclasses import dataclass

from segkit_helpers.context import CycleContext, open_cycle
from segkit_helpers.io.artefacts import read_json, write_json, write_text
from segkit_helpers.io.config import dump_config
from segkit_helpers.report.sentences import Sentence, saved
from segkit_helpers.research.lines import load_transactions, summarize_lines
from segkit_helpers.research.readiness import (
    answers_table,
    available_schemes,
    data_checks,
    readiness_record,
    stop_if_not_ready,
)

__all__ = [
    "ReadinessArtefact", "answers_table", "available_schemes", "data_checks", "load_transactions", "open_cycle",
    "readiness_record", "stop_if_not_ready", "summarize_lines",
]


@dataclass(frozen=True)
class ReadinessArtefact:
    """What step 00 leaves for the cycle: ``readiness.json`` (answers, checks, schemes, verdict).

    Attributes
    ----------
    record : dict
        :func:`~segkit_helpers.research.readiness.readiness_record`.
    """

    record: dict

    def save(self, ctx: CycleContext) -> Sentence:
        """Write ``readiness.json`` and the resolved config of the cycle (``config.yml``); say what was written."""
        write_text(dump_config(ctx.cfg), ctx.artefact("config.yml"))
        write_json(self.record, ctx.artefact("readiness.json"))
        return saved("readiness.json", ctx.cycle)

    @classmethod
    def load(cls, ctx: CycleContext) -> ReadinessArtefact:
        """Read the ``readiness.json`` of the cycle."""
        return cls(read_json(ctx.artefact("readiness.json")))
