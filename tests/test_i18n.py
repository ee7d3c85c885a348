"""Languages of the reports: complete catalogs, placeholders that match, and the index written in ru and pl."""

from __future__ import annotations

import re

import pytest
import yaml

from segkit_helpers.report import i18n, numbers
from segkit_helpers.report.index import build_index
from tests.test_index import write_cycle

TRANSLATED = [name for name in i18n.LANGUAGES if name != i18n.SOURCE_LANGUAGE]


def test_the_template_catalog_holds_every_marked_message():
    marked = {m.id for m in i18n.extract() if m.id}
    with (i18n.LOCALE_DIR / "segkit.pot").open("rb") as pot:
        from babel.messages.pofile import read_po
        shipped = {m.id for m in read_po(pot) if m.id}
    assert marked == shipped, "run `python -m segkit_helpers.report.i18n` to update segkit.pot and the catalogs"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(language):
    catalog = i18n.read_catalog(language)
    def translated(message):
        found = catalog.get(message.id, context=message.context)
        return found is not None and found.string

    untranslated = [m.id for m in i18n.extract() if m.id and not translated(m)]
    assert untranslated == [], f"{language}: {len(untranslated)} messages lack a translation, e.g. {untranslated[:3]}"
    assert not [m.id for m in catalog if m.id and m.fuzzy], f"{language}: fuzzy translations"
    for message in catalog:
        if message.id:
            assert set(re.findall(r"\{\w+\}|%\(\w+\)s", message.id)) == \
                set(re.findall(r"\{\w+\}|%\(\w+\)s", message.string)), (language, message.id)


def test_language_is_scoped_and_unknown_languages_refused():
    assert i18n._("Decision summary") == "Decision summary"
    with i18n.language("ru"):
        assert i18n._("Decision summary") == "Сводка для решения"
        assert numbers.count(4317) == "4\xa0317" and numbers.share(0.125, 1) == "12,5%"
    with i18n.language("pl"):
        assert i18n._("Decision summary") == "Podsumowanie decyzyjne" and numbers.money(1234.56, "PLN", 2) == "1\xa0234,56\xa0zł"
    assert i18n.current_language() == "en" and numbers.count(4317) == "4,317"
    with pytest.raises(ValueError, match="'de' is not one of en, ru, pl"):
        i18n.translations("de")


@pytest.mark.parametrize("language, heading, customers", [("ru", "Сводка для решения", "клиентов: 100"),
                                                          ("pl", "Podsumowanie decyzyjne", "klientów: 100")])
def test_the_index_is_written_in_the_configured_language(tmp_path, language, heading, customers):
    cycle = write_cycle(tmp_path / "data" / "processed" / "c2")
    config = yaml.safe_load((cycle / "config.yml").read_text())
    config["report"]["language"] = language
    (cycle / "config.yml").write_text(yaml.safe_dump(config))
    reports = tmp_path / "reports" / "c2"
    reports.mkdir(parents=True)
    index = build_index(cycle, reports, tmp_path).read_text(encoding="utf-8")
    assert f'<html lang="{language}">' in index and heading in index and customers in index
    assert "9\xa0000\xa0" in index      # money grouped in the locale's way (£ in ru, GBP in pl)
    assert "Decision summary" not in index and "Key findings" not in index
    history = (reports / "history.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}">' in history and "History of cycle" not in history


def test_the_shipped_playbook_speaks_the_report_language_and_keeps_its_rules(tmp_path):
    from segkit_helpers.deploy.deployment import load_playbook

    english = load_playbook()
    with i18n.language("ru"):
        russian = load_playbook()
    assert [m["name"] for m in russian["service_models"]] == ["ключевой клиент", "внутренние продажи",
                                                              "массовое / цифровое"]
    assert russian["quadrants"]["profitable & loyal"]["goal"] == "Удержать: это ваш золотой фонд."
    assert russian["persona_types"]["cautious"]["label"] == "Осторожный покупатель"
    # identifiers and rules are the same in every language
    assert russian["quadrants"].keys() == english["quadrants"].keys()
    assert [m["cost_per_customer"] for m in russian["service_models"]] == [600, 120, 10]
    assert russian["persona_types"]["experienced"]["when"] == english["persona_types"]["experienced"]["when"]
    own = tmp_path / "own.yml"
    own.write_text((i18n.PACKAGE_DIR / "resources" / "playbook.yml").read_text(encoding="utf-8")
                   .replace("name: key account", "name: Großkunde"), encoding="utf-8")
    with i18n.language("pl"):
        assert load_playbook(own)["service_models"][0]["name"] == "Großkunde"   # a team's own words stay


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_notebook_page_reads_in_the_report_language(tmp_path, language):
    from segkit_helpers.io.paths import NOTEBOOKS_DIR
    from segkit_helpers.report.notebook_page import render_notebook_html

    source = NOTEBOOKS_DIR / "05_deploy.ipynb"
    with i18n.language(language):
        heading = i18n.pgettext(i18n.cell_context("05_deploy", "05-00"), _markdown(source, "05-00"))
    page = render_notebook_html(source, tmp_path / "05_deploy.html", language).read_text(encoding="utf-8")
    first_line = heading.splitlines()[0].lstrip("# ").strip()
    assert f'<html lang="{language}">' in page and first_line in page
    assert _markdown(source, "05-00").splitlines()[0].lstrip("# ").strip() not in page   # the English heading is gone


def _markdown(notebook, cell_id: str) -> str:
    import nbformat

    return next(c.source for c in nbformat.read(str(notebook), as_version=4).cells if c.get("id") == cell_id)
