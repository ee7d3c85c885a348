"""The words of the deploy step (05): what arrived after asof and what the step wrote.

:mod:`segkit_helpers.deploy` returns tables and counts; the sentences a reader sees
about them are written here, in one place, so that they can be translated later.
"""

from __future__ import annotations

import datetime as dt

from segkit_helpers.report.sentences import Sentence


def inputs_text(customers: int, segments: int) -> Sentence:
    """The size of the segmentation step 05 deploys."""
    return Sentence(f"{customers:,} customers in {segments} segments")


def arrivals_text(arrived: int, scored: int, asof: dt.date) -> Sentence:
    """How many customers arrived after ``asof`` and how many the cycle's model scored."""
    if not arrived:
        return Sentence(f"No customer arrived after {asof}: the cycle is as of the last day of the data.")
    return Sentence(f"{arrived:,} customers arrived after {asof}; {scored:,} scored with the cycle's model.")


def database_text(rows: int, table: str, url: str) -> Sentence:
    """The export written to the deploy target (``url`` without its password)."""
    return Sentence(f"wrote {rows:,} rows to table '{table}' at {url}")


def export_text(customers: int, cycle: str) -> Sentence:
    """The CRM export written to the cycle's folder."""
    return Sentence(f"wrote export/segments.csv and export/segments.parquet ({customers:,} customers) "
                    f"to data/processed/{cycle}/")


def joined(sentences: list[Sentence]) -> Sentence:
    """Several sentences shown as one paragraph."""
    return Sentence("; ".join(sentences))
