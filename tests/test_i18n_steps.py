"""Steps 00–02 in the report language: their sentences, table headers and persona names are the catalogs'
translations in ru and pl, and English where the report is in English."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from segkit_helpers.report import i18n
from segkit_helpers.report.hypothesis import rfm_name
from segkit_helpers.report.research import clv_caveat, readiness_block
from segkit_helpers.report.sentences import saved
from segkit_helpers.report.tables import header, table
from segkit_helpers.research.clv import fit_clv
from segkit_helpers.research.readiness import answers_table, readiness_verdict
from segkit_helpers.schemes.kselect import explain_k

ACTIVE = {"recency_days": "Active", "frequency": "frequent", "monetary": "high-value"}
K_TABLE = pd.DataFrame({"k": [2, 3, 4], "silhouette": [0.44, 0.36, 0.30], "stability": [0.97, 0.85, 0.70],
                        "recommended": [False, True, False]})
TENDENCY = {"hopkins": 0.934, "best_silhouette": 0.443, "best_silhouette_k": 2, "natural": False}
#: English words that must not be left in a ru or pl sentence.
ENGLISH = re.compile(r"\b(the|segments|customers|we|recommend|buyers|not answered|yes|no|share|saved)\b", re.I)


def _sentences(language: str) -> dict[str, str]:
    with i18n.language(language):
        answers = answers_table({"goal": "grow", "base_large_and_varied": "", "actionable": "yes", "resources": "yes",
                                 "will_act": "yes"})
        return {
            "saved": saved("2011-06-01"),
            "name": rfm_name(ACTIVE),
            "question": answers.loc["goal", "question"],
            "unanswered": answers.loc["base_large_and_varied", "answer"],
            "verdict": readiness_block({"verdict": "go", "reasons": []}),
            "header": header("median_recency_days"),
            "explanation": explain_k(K_TABLE, TENDENCY, 3, min_k=3),
            "caveat": clv_caveat(fit_clv(pd.DataFrame(), {"enabled": False})),
        }


def test_english_sentences_read_as_written():
    shown = _sentences("en")
    assert shown["saved"] == "The results of this step are saved with cycle 2011-06-01."
    assert shown["name"] == "Active frequent high-value buyers"
    assert shown["unanswered"] == "not answered" and shown["header"] == "median recency (days)"
    assert shown["explanation"].startswith("We recommend 3 segments: of the business-usable options (3 to 4 segments)")
    assert "Hopkins 0.93" in shown["explanation"] and "agree 85%" in shown["explanation"]


@pytest.mark.parametrize("language, name, saved_note, unanswered, header_text", [
    ("ru", "Активные частые покупатели с высокой ценностью", "Результаты этого шага сохранены в цикле 2011-06-01.",
     "нет ответа", "медиана: давность (дней)"),
    ("pl", "Aktywni klienci kupujący często, o wysokiej wartości", "Wyniki tego kroku zapisano w cyklu 2011-06-01.",
     "brak odpowiedzi", "mediana: czas od zakupu (dni)"),
])
def test_steps_00_to_02_speak_the_report_language(language, name, saved_note, unanswered, header_text):
    shown = _sentences(language)
    assert shown["name"] == name and shown["saved"] == saved_note
    assert shown["unanswered"] == unanswered and shown["header"] == header_text
    with i18n.language(language):
        assert shown["question"] == i18n._("What drives the need to segment (the business goal)?")
        assert shown["verdict"] == i18n._("Go: the answers and the data support a segmentation.")
    assert "Hopkins 0,93" in shown["explanation"] and "85%" in shown["explanation"]
    for key, text in shown.items():
        assert not ENGLISH.search(text.replace("p_alive", "").replace("total_value", "")), (key, text)


def test_an_unanswered_question_is_found_in_any_language():
    for language in i18n.LANGUAGES:
        with i18n.language(language):
            answers = answers_table({"goal": "", "base_large_and_varied": "a", "actionable": "a", "resources": "a",
                                     "will_act": "a"})
            checks = pd.DataFrame({"check": ["x"], "value": [1], "bar": [""], "passed": [None]})
            schemes = pd.DataFrame({"data available": [True], "chosen": [True]}, index=["behavioural"])
            verdict = readiness_verdict(answers, checks, schemes)
        assert verdict["verdict"] == "go with caveats" and len(verdict["reasons"]) == 1


def test_table_headers_translate_where_shown_and_keep_the_column_names():
    shown = table(pd.DataFrame({"customer_share": [0.5], "revenue": [1.0]}), {"customer_share": "share"})
    with i18n.language("ru"):
        html = shown._repr_html_()
    assert list(shown.frame.columns) == ["customer_share", "revenue"]
    assert "доля клиентов" in html and "выручка" in html and "share of customers" not in html


def test_share_checks_are_known_by_their_names_in_every_language():
    from segkit_helpers.research.readiness import is_share_check

    for language in i18n.LANGUAGES:
        with i18n.language(language):
            assert is_share_check(i18n._("share of exact duplicate lines ({rule})").format(rule="kept"))
            assert is_share_check(i18n._("share of lines without customer"))
            assert not is_share_check(i18n._("customers with an id"))
