"""Sentences a notebook shows as text, key sentences and verdicts as styled blocks, and the note a step
shows when it has written its artefacts.

Kept apart from the steps' own words (:mod:`segkit_helpers.report.research` …) so that a step
imports only the words it needs, not the statistics behind another step's sentences.
"""

from __future__ import annotations

import html

import pandas as pd

from segkit_helpers.report import numbers
from segkit_helpers.report.i18n import N_, _
from segkit_helpers.report.tables import Table, table

#: The scheme whose name is not a word of :data:`~segkit_helpers.report.i18n.VOCABULARY` (shown translated).
SCHEME_NAMES = (N_("value_loyalty"),)

#: Kinds of block and what each is for (the CSS classes ``sk-block sk-<kind>``, ``resources/css/blocks.css``).
BLOCK_KINDS = {"go": "a verdict to go ahead", "nogo": "a verdict to stop or revise",
               "key": "a key sentence of the page", "caveat": "a caveat the reader must keep in mind"}


class Sentence(str):
    """A sentence that a notebook shows as text (not as a quoted string)."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self)}</p>"


class Block(Sentence):
    """A key sentence or verdict shown as a styled block; lines starting with ``- `` form a list.

    Parameters
    ----------
    text
        The sentence (or a heading line followed by ``- `` items).
    kind
        One of :data:`BLOCK_KINDS`.
    """

    kind: str

    def __new__(cls, text: str, kind: str = "key") -> Block:
        if kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {kind!r}; one of {', '.join(BLOCK_KINDS)}")
        block = super().__new__(cls, text)
        block.kind = kind
        return block

    def _repr_html_(self) -> str:
        parts, items = [], []
        for line in self.splitlines():
            if line.startswith("- "):
                items.append(f"<li>{html.escape(line[2:])}</li>")
                continue
            if items:
                parts.append("<ul>" + "".join(items) + "</ul>")
                items = []
            if line.strip():
                parts.append(f"<p>{html.escape(line)}</p>")
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
        return f'<div class="sk-block sk-{self.kind}">{"".join(parts)}</div>'


def verdict_block(text: str, good: bool) -> Block:
    """A verdict as a go (``good``) or no-go block."""
    return Block(text, "go" if good else "nogo")


def cycle_table(cfg: dict) -> Table:
    """The cycle at a glance: id, as-of date, previous cycle, scheme and random seed (every page's first table)."""
    facts = {_("cycle"): cfg["cycle"], _("as of (inclusive)"): numbers.date(cfg["asof"]),
             _("previous cycle"): cfg["previous_cycle"] or _("none (first cycle)"),
             _("scheme"): _(cfg["segmentation"]["scheme"]), _("random seed"): cfg["seed"]}
    frame = pd.DataFrame({"setting": list(facts), "value": [str(v) for v in facts.values()]})
    return table(frame, caption=_("The cycle"))


def saved(cycle: str) -> Sentence:
    """The neutral note a step shows after writing its artefacts (no file names, no paths)."""
    return Sentence(_("The results of this step are saved with cycle {cycle}.").format(cycle=cycle))
