"""Every table a notebook page shows, formatted once: the one table layer of the reports.

:func:`table` wraps a data frame with what each column holds (its *kind*: a count, an amount of
money, a share …) and returns a :class:`Table` that a notebook shows as report-grade HTML:
values through :mod:`segkit_helpers.report.numbers` only, readable headers (:data:`HEADERS`),
text left-aligned and numbers right-aligned, no index unless asked for, missing values as
``–``, yes/no for booleans, and a sentence instead of a table without rows. The page styles
the classes ``sk-table`` and ``sk-table-wrap`` (``resources/css/tables.css``): a wrapper that
scrolls wide and long tables, with a sticky header.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import pandas as pd

from segkit_helpers.report import numbers
from segkit_helpers.report.i18n import N_, _

#: Kinds of column: how a value of each reads (``digits`` where the kind takes them). ``change`` is a relative
#: change (a share with its sign: ``+29%``). ``figure`` is text
#: already written with :mod:`~segkit_helpers.report.numbers` (a column mixing kinds), aligned as a number.
KINDS = ("text", "count", "number", "money", "share", "change", "p", "date", "flag", "figure")
NUMERIC_KINDS = frozenset({"count", "number", "money", "share", "change", "p", "figure"})

#: Column name → header, where replacing ``_`` by spaces does not read well (in English; :func:`header`
#: shows them translated).
HEADERS = {
    "customer_id": N_("customer"),
    "customer_share": N_("share of customers"),
    "revenue_share": N_("share of revenue"),
    "profit_share": N_("share of profit"),
    "recency_days": N_("recency (days)"),
    "tenure_days": N_("tenure (days)"),
    "avg_order_value": N_("average order value"),
    "p_value": N_("p"),
    "p_holm": N_("p after Holm"),
    "ci_low": N_("95% CI low"),
    "ci_high": N_("95% CI high"),
    "mde": N_("minimum detectable effect"),
    "psi": N_("PSI"),
    "ari": N_("ARI"),
    "k": N_("k"),
    "n": N_("n"),
    "rfm_segment": N_("RFM segment"),
    "abc_class": N_("ABC class"),
    "xyz_class": N_("XYZ class"),
    "clv": N_("CLV"),
    "p_alive": N_("probability alive"),
    "value_loyalty_quadrant": N_("profitability × loyalty quadrant"),
    "distinct_on": N_("distinct on"),
    "order_gap_cv": N_("order gap CV"),
    "monthly_spend_cv": N_("monthly spend CV"),
    "r_min": N_("lowest R score"),
    "r_max": N_("highest R score"),
    "f_min": N_("lowest F score"),
    "f_max": N_("highest F score"),
    "m_min": N_("lowest M score"),
    "m_max": N_("highest M score"),
    "type_label": N_("persona type"),
    "assigned_by": N_("assigned by"),
    "lapsed_share": N_("share lapsed"),
    "share_change": N_("change of share"),
    "segment_name": N_("segment name"),
    "secondary_segment": N_("secondary segment"),
    "hybrid_label": N_("hybrid label"),
}
#: Header patterns for families of columns: (regular expression, header template).
HEADER_PATTERNS = (
    (re.compile(r"(.+)_previous"), N_("{} (previous cycle)")),
    (re.compile(r"center_(.+)"), N_("centre: {}")),
    (re.compile(r"prob_(.+)"), N_("probability of segment {}")),
    (re.compile(r"median_(.+)"), N_("median {}")),
    (re.compile(r"mean_(.+)"), N_("mean {}")),
    (re.compile(r"line_share_(.+)"), N_("line share {}")),
)
#: The sentence shown instead of a table without rows when the caller gives none.
NO_ROWS = N_("Nothing to show here for this cycle.")
YES, NO = N_("yes"), N_("no")
#: Headers that are a column name with ``_`` as spaces (:func:`header`): marked here so that they are translated.
PLAIN_HEADERS = (N_("customers"), N_("revenue"), N_("profit"), N_("segment"), N_("name"), N_("description"),
                 N_("question"), N_("answer"), N_("measure"), N_("value"), N_("check"), N_("bar"), N_("passed"),
                 N_("scheme"), N_("data available"), N_("chosen"), N_("rule"), N_("lines"),
                 N_("assumption"), N_("setting"), N_("actual"), N_("predicted"), N_("membership"),
                 N_("frequency"), N_("monetary"), N_("silhouette"), N_("stability"), N_("recommended"),
                 N_("profile column"), N_("orders"), N_("action"), N_("note"), N_("lines left"),
                 N_("CLV model"), N_("mean rank"), N_("expected orders"), N_("total value"), N_("product line"),
                 N_("penetration"), N_("expected value"), N_("rank"), N_("buyers"), N_("jaccard"), N_("stable"),
                 N_("first order"), N_("last order"), N_("orders per month"), N_("active months"), N_("repeat rate"),
                 N_("mean days between orders"), N_("basket value change"), N_("distinct products"),
                 N_("repeat order value"), N_("purchase days"), N_("repeat day value"), N_("repeat day value sd"),
                 N_("r score"), N_("f score"), N_("m score"), N_("gross margin"), N_("loyalty score"),
                 N_("expected order value"), N_("main quadrant"), N_("repeat purchase days in calibration"),
                 N_("days between orders"), N_("hint"), N_("share active months"),
                 N_("inertia"))


def currency_of(cfg: dict) -> str | None:
    """The currency of a cycle's amounts (``report.currency``; ``None``: amounts without a currency)."""
    return cfg.get("report", {}).get("currency")


def membership_kinds(columns: pd.Index) -> dict[str, str]:
    """Kinds of the membership columns of a segment table: ``prob_<id>`` and ``membership`` as shares, the
    ``secondary_segment`` id as a count."""
    kinds = {c: "share" for c in columns if str(c).startswith("prob_") or c == "membership"}
    return kinds | ({"secondary_segment": "count"} if "secondary_segment" in columns else {})


def header(column: object) -> str:
    """The header of a column in the report language: :data:`HEADERS`, a :data:`HEADER_PATTERNS` family, else
    ``_`` → space (the column name stays the identifier; only what is shown is translated)."""
    name = str(column)
    if name in HEADERS:
        return _(HEADERS[name])
    for pattern, template in HEADER_PATTERNS:
        match = pattern.fullmatch(name)
        if match:
            return _(template).format(header(match.group(1)))
    return _(name.replace("_", " "))


def _parse_kind(spec: str) -> tuple[str, int | None]:
    """``"number:3"`` → ``("number", 3)``; ``"share"`` → ``("share", None)``."""
    kind, _sep, digits = spec.partition(":")
    if kind not in KINDS:
        raise ValueError(f"unknown column kind {spec!r}; one of {', '.join(KINDS)} (optionally ':<digits>')")
    return kind, int(digits) if digits else None


def infer_kind(values: pd.Series) -> str:
    """The kind of a column from its dtype: flag, count, number, date or text."""
    if pd.api.types.is_bool_dtype(values):
        return "flag"
    if pd.api.types.is_integer_dtype(values):
        return "count"
    if pd.api.types.is_float_dtype(values):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    return "text"


def _text(value: object) -> str:
    """A text cell: words for booleans, ``–`` for missing, lists joined, numbers as numbers."""
    if isinstance(value, (bool, np.bool_)):
        return _(YES) if value else _(NO)
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, (pd.Timestamp, dt.date)):
        return numbers.date(value)
    if isinstance(value, Integral):
        return numbers.count(value)
    if isinstance(value, Real):
        return numbers.number(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return numbers.MISSING
    return str(value)


def format_value(value: object, kind: str, digits: int | None = None, currency: str | None = None) -> str:
    """One cell as it reads on a page (``kind``: one of :data:`KINDS`)."""
    if kind != "text" and (value is None or value is pd.NA or pd.isna(value) is True):
        return numbers.MISSING
    if isinstance(value, str) and kind not in ("text", "date"):
        return value  # already words ("—", "not testable") in a column of figures
    if kind == "count":
        return numbers.count(value)
    if kind == "number":
        return numbers.number(value, 2 if digits is None else digits)
    if kind == "money":
        return numbers.money(value, currency, digits or 0)
    if kind == "share":
        return numbers.share(value, digits or 0)
    if kind == "change":  # a relative change: the share with its sign
        return ("+" if value > 0 else "") + numbers.share(value, digits or 0)
    if kind == "p":
        return numbers.p_value(value)
    if kind == "date":
        return numbers.date(value)
    if kind == "flag":
        return _(YES) if bool(value) else _(NO)
    return _text(value)


@dataclass(frozen=True)
class Table:
    """A report table: a frame with the kind of each column, its caption and its sentence when empty.

    Build it with :func:`table`; a notebook shows it through :meth:`_repr_html_`. The caption and the empty
    sentence come translated by the caller (the default :data:`NO_ROWS` is translated where it is shown), the
    headers are translated where they are shown (:func:`header`).
    """

    frame: pd.DataFrame
    kinds: Mapping[str, str] = field(default_factory=dict)
    caption: str | None = None
    empty: str = NO_ROWS
    currency: str | None = None

    def cells(self) -> pd.DataFrame:
        """The formatted cells (strings), one column per column of the frame."""
        out = {}
        for name in self.frame.columns:
            kind, digits = _parse_kind(self.kinds[name])
            out[name] = [format_value(v, kind, digits, self.currency) for v in self.frame[name]]
        return pd.DataFrame(out, index=self.frame.index, columns=self.frame.columns)

    def _align(self, name: str, value: object) -> str:
        """``sk-num`` for numeric columns and numbers in text columns, else ``sk-text``."""
        kind = _parse_kind(self.kinds[name])[0]
        if kind in NUMERIC_KINDS:
            return "sk-num"
        number = isinstance(value, Real) and not isinstance(value, (bool, np.bool_)) and not pd.isna(value)
        return "sk-num" if kind == "text" and number else "sk-text"

    def _repr_html_(self) -> str:
        if self.frame.empty:
            return f'<p class="sk-empty">{html.escape(_(self.empty))}</p>'
        columns = list(self.frame.columns)
        head = "".join(f'<th class="{self._align(c, None)}" scope="col">{html.escape(header(c))}</th>'
                       for c in columns)
        rows = "".join(
            "<tr>" + "".join(f'<td class="{self._align(c, raw)}">{html.escape(v)}</td>'
                             for c, raw, v in zip(columns, raws, shown)) + "</tr>"
            for raws, shown in zip(self.frame.itertuples(index=False, name=None),
                                   self.cells().itertuples(index=False, name=None))
        )
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (f'<div class="sk-table-wrap"><table class="sk-table">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{rows}</tbody></table></div>")

    def __repr__(self) -> str:
        if self.frame.empty:
            return _(self.empty)
        cells = self.cells().rename(columns=header)
        return cells.to_string(index=False)


def table(frame: pd.DataFrame | pd.Series | None, columns: Mapping[str, str] | None = None, *,
          caption: str | None = None, empty: str = NO_ROWS, index: bool = False,
          currency: str | None = None) -> Table:
    """A frame as a report table.

    Parameters
    ----------
    frame
        The rows to show (a series is one column; ``None`` is a table without rows).
    columns
        Column name → kind (:data:`KINDS`, optionally with digits: ``"number:3"``, ``"share:1"``);
        columns not named get the kind of their dtype (:func:`infer_kind`).
    caption
        A line above the table saying what it shows.
    empty
        The sentence shown instead of the table when it has no rows.
    index
        Show the index as the first column(s) (when it names the rows, e.g. the segment);
        otherwise it is left out.
    currency
        ISO 4217 code of the ``money`` columns (``cfg["report"]["currency"]``; ``None``: plain numbers).
    """
    if frame is None:
        frame = pd.DataFrame()
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if index and not frame.empty:
        frame = frame.reset_index()
    frame = frame.set_axis([_column_name(c) for c in frame.columns], axis=1)
    given = dict(columns or {})
    unknown = set(given) - set(frame.columns)
    if unknown and not frame.empty:
        raise KeyError(f"no such column(s) in the table: {', '.join(sorted(unknown))}")
    kinds = {name: given.get(name) or infer_kind(frame[name]) for name in frame.columns}
    for spec in given.values():
        _parse_kind(spec)
    return Table(frame, kinds, caption, empty, currency)


def _column_name(column: object) -> str:
    """A column label as text (the levels of a pivot's column joined)."""
    if isinstance(column, tuple):
        return " ".join(str(c) for c in column if str(c))
    return str(column)
