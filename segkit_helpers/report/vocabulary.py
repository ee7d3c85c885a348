"""The words :mod:`segkit_helpers.evaluation`, :mod:`segkit_helpers.monitoring` and :mod:`segkit_helpers.deploy` store.

Test names, effect strengths, verdicts, fates and readings are written in English into the
tables and artefacts of the compute modules, where code compares them; they are marked here
(:data:`COMPUTED`) and translated where a page shows them (:func:`word`). The few number
phrases the sentences of steps 03–05 share (a p-value read aloud, a signed figure) are here too.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd

from segkit_helpers.evaluation.stats import NOT_TESTABLE
from segkit_helpers.evaluation.verdicts import DO_NOT_TARGET_ALONE
from segkit_helpers.report.i18n import N_, _
from segkit_helpers.report.numbers import SMALLEST_P, number, p_value
from segkit_helpers.report.tables import HEADER_PATTERNS, HEADERS, Table, table

#: Words the compute modules write into their tables (English, compared in code), shown translated.
COMPUTED = (N_("negligible"), N_("weak"), N_("moderate"), N_("relatively strong"), N_("strong"), N_("very strong"),
            N_("Kruskal–Wallis H"), N_("chi-square test of independence"), N_("Mann–Whitney U"),
            N_("two-proportion z-test"), N_("Fisher's exact test"), N_("Welch's t-test"),
            N_("Mann–Whitney U (one-sided)"), N_("two-proportion z-test (one-sided)"),
            N_("likelihood-ratio test (logistic regression)"), N_("F-test (linear model)"), N_("none"),
            N_("none (a group is empty)"), N_("none (a group is too small)"), N_("ε²"), N_("Cramér's V"),
            N_("rank-biserial r"), N_("difference of shares"), N_("fewer than two groups have values"),
            N_("every customer has the same value"), N_("one category only"), N_("a group has no values"),
            N_("a group is empty or every customer is alike"), N_("clustering feature (circular)"),
            N_("descriptor"), N_("target"), N_("target as a division with soft borders"), N_("do not target alone"),
            N_("all customers"), N_("converted"), N_("revenue"), N_("segmentation feature"), N_("major shift"),
            N_("moderate shift"), N_("stable"), N_("kept"), N_("new"), N_("vanished"), N_("split"), N_("merged"),
            N_("first cycle"), N_("survey answers"), N_("rule"),
            N_("typical"), N_("borderline"))

#: The headers of the tables of pages 03–05 (:data:`~segkit_helpers.report.tables.HEADERS`, the columns' own
#: names and the header families of :data:`~segkit_helpers.report.tables.HEADER_PATTERNS`), shown translated.
TABLE_HEADERS = (
    N_("segment"), N_("customers"), N_("verdict"), N_("feature"), N_("test"), N_("statistic"), N_("service model"),
    N_("effect"), N_("differs"), N_("after Holm"), N_("tenure (days)"), N_("silhouette"), N_("share of revenue"),
    N_("service cost"), N_("profit ratio"), N_("probability alive"), N_("name"), N_("monetary"), N_("id"),
    N_("frequency"), N_("average order value"), N_("segment name"), N_("role"), N_("persona"), N_("membership"),
    N_("customer"), N_("value ratio"), N_("value per customer"), N_("tactics"), N_("status"), N_("stability"),
    N_("share of customers"), N_("separation"), N_("segment a"), N_("segment b"), N_("second segment"),
    N_("recency (days)"), N_("rank biserial"), N_("quadrant"), N_("profitability × loyalty quadrant"),
    N_("profit per customer"), N_("profit"), N_("priority"), N_("previous segment"), N_("current segment"),
    N_("persona type"), N_("p after Holm"), N_("orders per quarter"), N_("next action"), N_("kind"), N_("goal"),
    N_("frequency ratio"), N_("distinct on"), N_("cost exceeds value"), N_("comment"), N_("channel"), N_("cadence"),
    N_("assigned by"), N_("RFM segment"), N_("share lapsed"), N_("share"), N_("secondary segment"), N_("previous"),
    N_("current"), N_("new customers"), N_("lapsed"), N_("hybrid label"), N_("first order"), N_("fate"),
    N_("detail"), N_("change of share"), N_("PSI"), N_("fits"), N_("does not fit"), N_("unsure"), N_("agreement"),
    N_("95% CI low"), N_("95% CI high"), N_("revise"), N_("revenue share"), N_("p"),
    N_("share active months"), N_("order gap CV"), N_("basket value change"), N_("monthly spend CV"),
    N_("distinct products"), N_("XYZ class"), N_("ABC class"), N_("CLV"), N_("orders"),
    N_("{} (previous cycle)"), N_("centre: {}"), N_("probability of segment {}"), N_("median {}"), N_("mean {}"))


def header(column: object) -> str:
    """A column's header (:func:`segkit_helpers.report.tables.header`) in the report's language."""
    name = str(column)
    if name in HEADERS:
        return _(HEADERS[name])
    for pattern, template in HEADER_PATTERNS:
        match = pattern.fullmatch(name)
        if match:
            return _(template).format(header(match.group(1)))
    return _(name.replace("_", " "))


def view(frame: pd.DataFrame | pd.Series | None, columns: dict[str, str] | None = None, **options) -> Table:
    """:func:`segkit_helpers.report.tables.table` with the headers (columns and index names) and yes / no in the
    report's language."""
    if frame is None:
        return table(None, columns, **options)
    frame = frame.to_frame() if isinstance(frame, pd.Series) else frame
    flags = [c for c in frame.columns if pd.api.types.is_bool_dtype(frame[c])]
    if flags:
        frame = frame.copy()
        for column in flags:
            frame[column] = np.where(frame[column], _("yes"), _("no"))
    names = {c: header(c) for c in frame.columns}
    shown = frame.rename(columns=names)
    shown.index = shown.index.set_names([None if n is None else header(n) for n in frame.index.names])
    return table(shown, {names.get(c, c): kind for c, kind in (columns or {}).items()}, **options)


def word(value: object) -> object:
    """A stored word (:data:`COMPUTED`, :data:`~segkit_helpers.report.i18n.VOCABULARY`) in the report's language;
    anything else as it is."""
    return _(value) if isinstance(value, str) and value else value


def p_text(p: float) -> str:
    """A p-value as read aloud: "p < 0.001", "p = 0.012", or "not testable" when it is missing (NaN)."""
    if p is None or not np.isfinite(p):
        return _(NOT_TESTABLE)
    return ("p " if p < SMALLEST_P else "p = ") + p_value(p)


def signed(value: float, digits: int) -> str:
    """A number with its sign (``+1.5``, ``-0.3``)."""
    return ("+" if math.copysign(1.0, value) > 0 else "") + number(value, digits)


def bound(value: float) -> str:
    """A configured bound with the decimals it was written with (``0.6``, ``0.05``; ``0,6`` in ru/pl)."""
    return number(value, max(0, -Decimal(str(value)).as_tuple().exponent))


def weak_verdict(verdict: object) -> bool:
    """Whether a segment verdict of ``validation.json`` (in any report language) says not to target it alone."""
    return isinstance(verdict, str) and verdict.startswith((DO_NOT_TARGET_ALONE, _(DO_NOT_TARGET_ALONE)))
