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
from segkit_helpers.report.research import answers_view, checks_view, lines_view, readiness_block, schemes_view
from segkit_helpers.report.sentences import Block, Sentence, saved
from segkit_helpers.research.lines import load_transactions, summarize_lines
from segkit_helpers.research.readiness import (
    answers_table,
    available_schemes,
    data_checks,
    readiness_record,
    stop_if_not_ready,
)

__all__ = [
    "ReadinessArtefact", "answers_table", "answers_view", "available_schemes", "checks_view", "data_checks",
    "lines_view", "load_transactions", "open_cycle", "readiness_record", "schemes_view", "stop_if_not_ready",
    "summarize_lines", "verdict",
]


def verdict(record: dict, readiness: dict) -> Block:
    """Stop on a no-go verdict (:func:`stop_if_not_ready`); else the verdict as a go / caveat block."""
    stop_if_not_ready(record, readiness)
    return readiness_block(record)


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
        """Write ``readiness.json`` and the resolved config of the cycle (``config.yml``); a neutral note that they are saved."""
        write_text(dump_config(ctx.cfg), ctx.artefact("config.yml"))
        write_json(self.record, ctx.artefact("readiness.json"))
        return saved(ctx.cycle)

    @classmethod
    def load(cls, ctx: CycleContext) -> ReadinessArtefact:
        """Read the ``readiness.json`` of the cycle."""
        return cls(read_json(ctx.artefact("readiness.json")))
