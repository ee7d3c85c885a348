"""Notebook pages: self-contained (nothing from the web), segkit's CSS inline, figures in <figure> with their caption."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from segkit_helpers.io.paths import PROJ_ROOT
from segkit_helpers.kernels import QuietKernelManager
from segkit_helpers.report.figures.base import METADATA_KEY
from segkit_helpers.report.notebook_page import CSS_DIR, page_stylesheets, render_notebook_html

#: Anything a browser would fetch from elsewhere: src/href/url()/@import to http(s) or protocol-relative.
EXTERNAL = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)(?:https?:)?//""", re.I)
MAX_PAGE_BYTES = 1_500_000

FIGURE_CELL = """\
import pandas as pd
from segkit_helpers.report.figures.research import plot_pareto
profile = pd.DataFrame({"monetary": [900.0, 300, 200, 100, 50, 20, 10, 5], "abc_class": list("AABBCCCC")})
plot_pareto(profile);"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> Path:
    """A small notebook run in a kernel: math in markdown, one figure, a table, a notebook-only cell."""
    nb = new_notebook(cells=[
        new_markdown_cell("# A small page\n\nSome text with math, $x^2$, shown as written."),
        new_code_cell(FIGURE_CELL),
        new_code_cell('print("advice for notebook editors")', metadata={"tags": ["notebook-only"]}),
        new_code_cell('pd.DataFrame({"customers": [3, 4]})'),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, kernel_name="python3", kernel_manager_class=QuietKernelManager, timeout=120,
                   resources={"metadata": {"path": str(PROJ_ROOT)}}).execute()
    path = tmp_path_factory.mktemp("page") / "small.ipynb"
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def page(executed) -> str:
    return render_notebook_html(executed, executed.with_suffix(".html")).read_text(encoding="utf-8")


def test_a_figure_is_shown_once_with_its_caption_in_the_metadata(executed):
    outputs = nbformat.read(str(executed), as_version=4).cells[1].outputs
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1, [o.get("output_type") for o in outputs]
    meta = images[0].metadata[METADATA_KEY]
    assert meta["title"] == "Pareto (ABC) curve of revenue"
    assert meta["how_to_read"].startswith("How to read: the steeper the start")
    assert meta["alt"] == f"{meta['title']}. {meta['how_to_read']}"


def test_page_loads_nothing_from_the_web(page):
    assert EXTERNAL.findall(page) == []
    assert "require.js" not in page and "mathjax" not in page.lower() and "mermaid" not in page.lower()
    assert "<script" not in page


def test_figure_sits_in_figure_with_its_caption_as_figcaption_and_alt(page, executed):
    meta = nbformat.read(str(executed), as_version=4).cells[1].outputs[0].metadata[METADATA_KEY]
    figures = re.findall(r"<figure\b.*?</figure>", page, re.S)
    assert len(figures) == 1
    alt = re.search(r"""<img [^>]*alt=(["'])(.*?)\1""", figures[0]).group(2)
    assert html.unescape(alt) == meta["alt"]
    caption = re.search(r"<figcaption>(.*?)</figcaption>", figures[0], re.S).group(1)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", caption)).split())
    assert text == f"{meta['title']} {meta['how_to_read']}"
    assert "No description has been provided" not in page


def test_every_stylesheet_is_inlined_in_name_order(page):
    sheets = page_stylesheets()
    assert (CSS_DIR / "page.css").is_file() and len(sheets) == len(list(CSS_DIR.glob("*.css")))
    positions = [page.find(css) for css in sheets]
    assert -1 not in positions and positions == sorted(positions)
    assert "@media print" in (CSS_DIR / "page.css").read_text(encoding="utf-8")


def test_page_is_code_free_light_and_keeps_text_and_tables(page):
    assert len(page.encode("utf-8")) < MAX_PAGE_BYTES
    assert "advice for notebook editors" not in page and "plot_pareto" not in page
    assert "A small page" in page and "<table" in page and "customers" in page
