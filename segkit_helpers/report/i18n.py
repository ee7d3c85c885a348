"""The language of the reports: gettext message catalogs (Babel), one per language, and the language in force.

Every sentence, heading, table header and caption a page shows is written in English in the
code and templates, marked with :func:`_` (or ``_()`` in a template; a notebook's markdown
cells are messages keyed by ``<notebook>:<cell id>``, translated when the page is rendered), and
looked up in ``segkit_helpers/locale/<language>/LC_MESSAGES/segkit.po`` when the report is in
another language (``report.language``). The ``.po`` files are the source (edited by
translators, kept in git); they are compiled in memory when first used, so no build step
is needed. ``python -m segkit_helpers.report.i18n`` re-extracts the messages into
``segkit.pot`` and merges them into every catalog (new messages come in empty, so the
catalog test fails until they are translated).

Numbers, dates and money take the same language's locale
(:mod:`segkit_helpers.report.numbers`).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import NullTranslations, Translations

from segkit_helpers.io.paths import NOTEBOOKS_DIR

#: The languages the reports are written in; English is the source.
LANGUAGES = ("en", "ru", "pl")
SOURCE_LANGUAGE = "en"
DOMAIN = "segkit"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
#: Where messages are marked: the report package, the compute modules whose sentences a page shows or an
#: artefact stores (research, schemes), and the page templates.
PACKAGE_DIR = Path(__file__).resolve().parents[1]
EXTRACT_MAP = [("report/**.py", "python"), ("research/**.py", "python"), ("schemes/**.py", "python"),
               ("resources/**.j2", "jinja2"),
               ("resources/playbook.yml", "segkit_helpers.report.i18n:extract_playbook"),
               ("resources/rfm_segments.yml", "segkit_helpers.report.i18n:extract_playbook"),
               ("resources/hypotheses.yml", "segkit_helpers.report.i18n:extract_playbook")]
#: Markdown cells with this tag are advice for people editing the notebook: never on a page, not translated.
NOTEBOOK_ONLY = "notebook-only"
#: The keys of the shipped playbook, RFM segments (names, hints) and hypothesis register whose texts are shown on
#: pages and in the CRM export (translated where shown; the rest are rules).
PLAYBOOK_TEXTS = ("goal", "next_action", "name", "cadence", "channel", "label", "description", "tactics", "hint",
                  "statement")
EXTRACT_OPTIONS = {"resources/**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}

_language: contextvars.ContextVar[str] = contextvars.ContextVar("segkit_language", default=SOURCE_LANGUAGE)


def catalog_path(language: str) -> Path:
    """The ``.po`` file of ``language``."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(language: str) -> Catalog:
    """The message catalog of ``language`` as Babel reads it."""
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


@functools.cache
def translations(language: str) -> NullTranslations:
    """The gettext translations of ``language`` (English: the messages as written)."""
    if language not in LANGUAGES:
        raise ValueError(f"report language '{language}' is not one of {', '.join(LANGUAGES)}")
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, read_catalog(language))
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def current_language() -> str:
    """The language the report being written is in."""
    return _language.get()


@contextlib.contextmanager
def language(name: str) -> Iterator[str]:
    """Write reports in ``name`` inside the ``with`` block."""
    translations(name)  # fail early on an unknown language
    token = _language.set(name)
    try:
        yield name
    finally:
        _language.reset(token)


def set_language(name: str) -> None:
    """Write reports in ``name`` from now on (a notebook's kernel: one cycle, one language)."""
    translations(name)
    _language.set(name)


def _(message: str) -> str:
    """``message`` in the current language (gettext)."""
    return translations(current_language()).gettext(message)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, as translated in ``context`` (a notebook cell's key)."""
    return translations(current_language()).pgettext(context, message)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for it)
    """Mark ``message`` for translation where it is defined; :func:`_` translates it where it is shown."""
    return message


#: Words the artefacts store in English and the pages show translated (verdicts, migration rows …).
VOCABULARY = (N_("supported"), N_("not supported"), N_("contradicted"), N_("not testable"), N_("go"),
              N_("go with caveats"), N_("no-go"), N_("new customer"), N_("lost customer"), N_("behavioural"),
              N_("opportunity"), N_("firmographic"), N_("needs"), N_("quadrants"), N_("profitable & loyal"),
              N_("profitable & disloyal"), N_("unprofitable & loyal"), N_("unprofitable & disloyal"))


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message in the current language, as its grammar counts ``n``."""
    return translations(current_language()).ngettext(singular, plural, n)


def extract_playbook(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method for the shipped playbook: every text under :data:`PLAYBOOK_TEXTS`."""
    import yaml

    def texts(node):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value in PLAYBOOK_TEXTS:
                    items = value.value if isinstance(value, yaml.SequenceNode) else [value]
                    for item in items:
                        if isinstance(item, yaml.ScalarNode):
                            yield item.start_mark.line + 1, item.value
                else:
                    yield from texts(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                yield from texts(item)

    for line, text in texts(yaml.compose(fileobj.read().decode("utf-8"))):
        yield line, "_", text, []


def cell_context(notebook: str, cell_id: str) -> str:
    """The message context of a notebook's markdown cell: ``<notebook stem>:<cell id>``."""
    return f"{notebook}:{cell_id}"


def translated_cells(cells: list[dict]) -> Iterator[tuple[str, str]]:
    """The (cell id, source) of every markdown cell a page shows (not tagged :data:`NOTEBOOK_ONLY`)."""
    for cell in cells:
        if cell["cell_type"] == "markdown" and NOTEBOOK_ONLY not in cell.get("metadata", {}).get("tags", []):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            if source.strip():
                yield cell["id"], source


def extract_notebook(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extraction method for a notebook: each markdown cell a page shows, keyed by its cell id."""
    import json

    stem = Path(fileobj.name).stem
    for cell_id, source in translated_cells(json.load(fileobj)["cells"]):
        yield 1, "pgettext", (cell_context(stem, cell_id), source), []


def translate_notebook(nb, stem: str):
    """A copy of an executed notebook whose markdown cells read in the current language (at render time)."""
    import copy

    translated = copy.deepcopy(nb)
    for cell in translated.cells:
        if cell.cell_type == "markdown" and cell.get("id"):
            cell.source = pgettext(cell_context(stem, cell["id"]), cell.source)
    return translated


def translate_texts(node, keys: tuple[str, ...] = PLAYBOOK_TEXTS):
    """A copy of a nested YAML structure with the strings under ``keys`` in the current language."""
    if isinstance(node, dict):
        return {k: (_translate_value(v) if k in keys else translate_texts(v, keys)) for k, v in node.items()}
    if isinstance(node, list):
        return [translate_texts(item, keys) for item in node]
    return node


def _translate_value(value):
    if isinstance(value, list):
        return [_(v) if isinstance(v, str) else v for v in value]
    return _(value) if isinstance(value, str) else value


def extract() -> Catalog:
    """Every message marked in the report package and the templates, as a template catalog."""
    template = Catalog(domain=DOMAIN, project="segkit", charset="utf-8")
    found = [*extract_from_dir(PACKAGE_DIR, EXTRACT_MAP, options_map=EXTRACT_OPTIONS, comment_tags=("Translators:",)),
             *extract_from_dir(NOTEBOOKS_DIR, [("*.ipynb", "segkit_helpers.report.i18n:extract_notebook")])]
    for filename, lineno, message, comments, context in found:
        template.add(message, locations=[(filename, lineno)], auto_comments=comments, context=context)
    return template


def update_catalogs() -> None:
    """Write ``segkit.pot`` from the sources and merge it into every language's catalog."""
    template = extract()
    LOCALE_DIR.mkdir(exist_ok=True)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as pot:
        write_po(pot, template, omit_header=True, sort_output=True, no_location=True)
    for name in LANGUAGES:
        if name == SOURCE_LANGUAGE:
            continue
        path = catalog_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = read_catalog(name) if path.is_file() else Catalog(locale=name, domain=DOMAIN, project="segkit",
                                                                      fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as po:
            write_po(po, catalog, omit_header=False, sort_output=True, no_location=True, ignore_obsolete=True)


if __name__ == "__main__":  # python -m segkit_helpers.report.i18n
    update_catalogs()
    sys.exit(0)
