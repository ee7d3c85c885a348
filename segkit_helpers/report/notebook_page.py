"""Code-free, self-contained HTML pages of executed notebooks.

A page is nbconvert's JupyterLab page through segkit's template
(``resources/templates/segkit_page``): no script, font or stylesheet comes from the web
(no require.js, MathJax or Mermaid), every ``*.css`` of ``resources/css/`` is inlined in
name order, and a figure carrying segkit's caption metadata (see
:func:`segkit_helpers.report.figures.base.caption`) sits in a ``<figure>`` whose
``<figcaption>`` and ``alt`` text are its title and "how to read" caption. The markdown
cells read in the report's language (:func:`segkit_helpers.report.i18n.translate_notebook`).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from segkit_helpers.io.artefacts import write_text
from segkit_helpers.io.paths import RESOURCES_DIR
from segkit_helpers.report.i18n import NOTEBOOK_ONLY, SOURCE_LANGUAGE, language, translate_notebook

#: The folder of the page stylesheets, inlined in every page sorted by file name.
CSS_DIR = RESOURCES_DIR / "css"


def page_stylesheets() -> list[str]:
    """The text of every ``*.css`` file of :data:`CSS_DIR`, sorted by file name."""
    return [path.read_text(encoding="utf-8") for path in sorted(CSS_DIR.glob("*.css"))]


def page_exporter(language_code: str = SOURCE_LANGUAGE) -> HTMLExporter:
    """nbconvert's HTML exporter set up for segkit's pages: no code, no prompts, no notebook-only cells."""
    exporter = HTMLExporter(template_name="segkit_page", extra_template_basedirs=[str(RESOURCES_DIR / "templates")],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            language_code=language_code)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY}), enabled=True)
    return exporter


def render_notebook_html(notebook: str | Path, html: str | Path, report_language: str = SOURCE_LANGUAGE) -> Path:
    """Render an executed notebook to a code-free, self-contained HTML page.

    Parameters
    ----------
    notebook
        The executed notebook (``.ipynb``, named as its source: its markdown cells are
        translated by that name and their cell ids).
    html
        Where the page goes (written atomically).
    report_language
        ``report.language``: the language of the markdown cells and the page's ``lang``.

    Returns
    -------
    Path
        ``html``.
    """
    with language(report_language):
        node = translate_notebook(nbformat.read(str(notebook), as_version=4), Path(notebook).stem)
    body, _ = page_exporter(report_language).from_notebook_node(node, resources={"segkit_css": page_stylesheets()})
    return write_text(body, html)
