"""The one table layer of the pages (report.tables), the blocks of report.sentences, and what no page may show."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from segkit_helpers.report.sentences import Block, Sentence, saved
from segkit_helpers.report.tables import header, table

WRAP = '<div class="sk-table-wrap"><table class="sk-table">'


def test_counts_money_shares_and_headers_read_as_a_report():
    frame = pd.DataFrame({"lines_left": [541909, 12], "revenue": [1234.56, 7.0], "customer_share": [0.171, 0.5]})
    html = table(frame, {"revenue": "money"}, currency="GBP")._repr_html_()
    assert html == (
        WRAP + '<thead><tr><th class="sk-num" scope="col">lines left</th><th class="sk-num" scope="col">revenue</th>'
        '<th class="sk-num" scope="col">share of customers</th></tr></thead><tbody>'
        '<tr><td class="sk-num">541,909</td><td class="sk-num">£1,235</td><td class="sk-num">0.17</td></tr>'
        '<tr><td class="sk-num">12</td><td class="sk-num">£7</td><td class="sk-num">0.50</td></tr>'
        "</tbody></table></div>")
    shares = table(frame, {"customer_share": "share", "revenue": "money"})._repr_html_()
    assert '<td class="sk-num">17%</td>' in shares and '<td class="sk-num">50%</td>' in shares
    assert '<td class="sk-num">1,234.56</td>' not in shares and '<td class="sk-num">1,235</td>' in shares  # no currency


def test_a_change_carries_its_sign():
    html = table(pd.DataFrame({"share_change": [0.29, -0.12, 0.0]}), {"share_change": "change"})._repr_html_()
    assert re.findall(r'<td class="sk-num">(.*?)</td>', html) == ["+29%", "-12%", "0%"]
    assert '<th class="sk-num" scope="col">change of share</th>' in html


def test_p_values_dates_flags_and_missing_values():
    frame = pd.DataFrame({"p_holm": [0.00001, 0.0456], "first_order": pd.to_datetime(["2011-06-01", None]),
                          "stable": [True, False], "note": ["kept", None]})
    html = table(frame, {"p_holm": "p"})._repr_html_()
    rows = re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1])
    assert rows[0] == ('<td class="sk-num">&lt; 0.001</td><td class="sk-text">Jun 1, 2011</td>'
                       '<td class="sk-text">yes</td><td class="sk-text">kept</td>')
    assert rows[1] == ('<td class="sk-num">0.046</td><td class="sk-text">–</td>'
                       '<td class="sk-text">no</td><td class="sk-text">–</td>')
    assert "00:00:00" not in html and "NaN" not in html and "None" not in html
    assert '<th class="sk-num" scope="col">p after Holm</th>' in html


def test_the_index_shows_only_when_asked_and_text_is_left_aligned():
    frame = pd.DataFrame({"customers": [361, 1012]}, index=pd.Index([1, 2], name="segment"))
    hidden = table(frame)._repr_html_()
    assert "segment" not in hidden and hidden.count("<td") == 2
    shown = table(frame, index=True, caption="Sizes")._repr_html_()
    assert shown.startswith(WRAP + "<caption>Sizes</caption><thead><tr>"
                            '<th class="sk-num" scope="col">segment</th><th class="sk-num" scope="col">customers</th>')
    words = table(pd.DataFrame({"name": ["Lapsed <low>"], "value": ["£5"]}), {"value": "figure"})._repr_html_()
    assert '<td class="sk-text">Lapsed &lt;low&gt;</td><td class="sk-num">£5</td>' in words


def test_an_empty_table_is_its_sentence():
    empty = table(pd.DataFrame(columns=["previous", "current"]), empty="First cycle: nothing to compare with yet.")
    assert empty._repr_html_() == '<p class="sk-empty">First cycle: nothing to compare with yet.</p>'
    assert repr(empty) == "First cycle: nothing to compare with yet."
    assert "<table" not in table(None)._repr_html_()


def test_headers_come_from_one_mapping():
    assert header("lines_left") == "lines left"
    assert header("median_recency_days") == "median recency (days)"
    assert header("prob_3") == "probability of segment 3"
    assert header("monetary_previous") == "monetary (previous cycle)"
    assert header("p_holm") == "p after Holm"


def test_an_unknown_kind_or_column_is_an_error():
    with pytest.raises(ValueError, match="unknown column kind"):
        table(pd.DataFrame({"a": [1]}), {"a": "percent"})
    with pytest.raises(KeyError, match="no such column"):
        table(pd.DataFrame({"a": [1]}), {"b": "count"})


def test_blocks_carry_their_kind_and_lists():
    block = Block("Go: ready.\n- question not answered: goal\n- <second>", "caveat")
    assert block._repr_html_() == ('<div class="sk-block sk-caveat"><p>Go: ready.</p><ul>'
                                   "<li>question not answered: goal</li><li>&lt;second&gt;</li></ul></div>")
    assert repr(block) == str(block) and isinstance(block, Sentence)
    with pytest.raises(ValueError, match="unknown block kind"):
        Block("x", "loud")


def test_saving_says_no_file_and_no_path():
    assert saved("2011-06-01") == "The results of this step are saved with cycle 2011-06-01."


# --- what no page may show ------------------------------------------------------------------------------------

class _PageText(HTMLParser):
    """The visible text of a page (no script, style or image data) and the text of each table cell."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.cells: list[str] = []
        self._skip = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("td", "th"):
            self._cell = []
        if dict(attrs).get("data-mime-type") == "application/vnd.jupyter.stderr":
            self.text.append("Warning: output on stderr")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


RAW_CELLS = {"True", "False", "None", "NaN", "nan", "<NA>", "NaT"}
FORBIDDEN = {"a Verdict: repr": r"'?Verdict:", "a time of day": r"00:00:00", "a path": r"data/processed",
             "a warning": r"Warning", "a traceback": r"Traceback", "more than 3 decimals": r"\d\.\d{4,}"}


def page_problems(html: str) -> list[str]:
    """What a report page must not show: reprs, raw True/None/NaN cells, times of day, paths, warnings,
    tracebacks and numbers with more than three decimals."""
    parser = _PageText()
    parser.feed(html)
    text = " ".join(parser.text)
    problems = [f"{what}: {re.search(pattern, text).group(0)!r}" for what, pattern in FORBIDDEN.items()
                if re.search(pattern, text)]
    return problems + [f"a raw cell: {cell!r}" for cell in parser.cells if cell in RAW_CELLS]


def test_the_page_scan_finds_what_a_page_must_not_show():
    clean = "<style>td { width: 0.12345px }</style><p>17% of customers</p>" + table(
        pd.DataFrame({"stable": [True]}))._repr_html_()
    assert page_problems(clean) == []
    dirty = ("<pre>'Verdict: go'</pre><table><tr><td>True</td><td>NaN</td></tr></table><p>2011-06-01 00:00:00, "
             "wrote x to data/processed/c1/, 0.12345</p>"
             '<div data-mime-type="application/vnd.jupyter.stderr">UserWarning</div>')
    found = page_problems(dirty)
    assert len(found) == 7 and "a raw cell: 'True'" in found and any(p.startswith("a path") for p in found)
