"""HTML reports: the six notebooks of a cycle and their code-free pages (the index: :mod:`segkit_helpers.report.index`)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from segkit_helpers.io.artefacts import write_text
from segkit_helpers.report.i18n import N_

#: The notebooks of a cycle, in order: file stem → (title, what it is for), in English (:mod:`~segkit_helpers.report.i18n` translates).
PAGES = {
    "00_readiness": (N_("Readiness"), N_("the five questions, data checks and the go/no-go verdict")),
    "01_research": (N_("Research"), N_("cleaning, RFM and the customer profile")),
    "02_hypothesis": (N_("Hypothesis"), N_("number of segments, segment profiles and persona drafts")),
    "03_test": (N_("Test"), N_("stability, separation and differences between segments")),
    "04_monitor": (N_("Monitor"), N_("what changed since the previous cycle")),
    "05_deploy": (N_("Deploy"), N_("service models, playbook actions and the CRM export")),
}


def render_notebook_html(notebook: str | Path, html: str | Path) -> Path:
    """Render an executed notebook to a code-free HTML page.

    Code, prompts and cells tagged ``notebook-only`` (advice for people editing the
    notebook, such as how to set parameters) are left out.
    """
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"notebook-only"}), enabled=True)
    body, _ = exporter.from_notebook_node(nbformat.read(str(notebook), as_version=4))
    return write_text(body, html)
