"""Sentences a notebook shows as text, and the one every step says when it has written its artefacts.

Kept apart from the steps' own words (:mod:`segkit_helpers.report.research` …) so that a step
imports only the words it needs, not the statistics behind another step's sentences.
"""

from __future__ import annotations

import html


class Sentence(str):
    """A sentence that a notebook shows as text (not as a quoted string)."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self)}</p>"


def saved(files: str, cycle: str) -> Sentence:
    """What a step wrote, e.g. "wrote readiness.json to data/processed/<cycle>/"."""
    return Sentence(f"wrote {files} to data/processed/{cycle}/")
