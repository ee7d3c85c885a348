"""Steps 03–05 speak the report language: their sentences are the catalog's translations, their identifiers stay."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from segkit_helpers.evaluation.verdicts import DO_NOT_TARGET_ALONE, TARGET
from segkit_helpers.report import deploy, i18n, monitor, numbers, test
from segkit_helpers.report.vocabulary import p_text, weak_verdict

STRUCTURE = {"rule_based": False, "natural": False, "separated": True, "segments": 4, "silhouette": 0.31,
             "null_silhouette_max": 0.29, "draws": 5, "stability": 0.81, "null_stability_mean": 0.88,
             "null_silhouette": [0.2] * 5, "null_stability": [0.9] * 5}
SEGMENTS = pd.DataFrame({"name": ["A", "B"], "customers": [10, 20], "stability": [0.55, 0.9],
                         "separation": [0.02, 0.3], "distinct_on": ["", "monetary"], "unstable": [True, False],
                         "blends": [True, False], "indistinct": [False, False],
                         "verdict": [DO_NOT_TARGET_ALONE, TARGET]}, index=pd.Index([0, 1], name="segment"))
BARS = {"min_segment_stability": 0.6, "min_separation": 0.05}


@pytest.mark.parametrize("language", ["ru", "pl"])
def test_step_sentences_are_the_catalogs_translations(language):
    with i18n.language(language):
        _ = i18n._
        evidence = _("silhouette {silhouette} against at most {null_silhouette} in {draws} draws without groups; "
                     "stability (ARI) {stability} against {null_stability} on average").format(
            silhouette=numbers.number(0.31), null_silhouette=numbers.number(0.29), draws=5,
            stability=numbers.number(0.81), null_stability=numbers.number(0.88))
        assert test.structure_evidence(STRUCTURE) == evidence and "," in evidence    # decimal comma
        assert test.structure_reading(STRUCTURE).startswith(_(
            "Constructed segments: useful divisions, not natural types — the {k} segments are less stable than the "
            "same scheme fitted to customers without groups ({evidence}).").format(k=4, evidence=evidence))
        assert monitor.alert_text({"alert": "share", "segment": 2, "before": 0.1, "after": 0.2, "change": 1.0}) == \
            _("segment {segment} grew from {before} to {after} of customers ({change} relative)").format(
                segment=2, before=numbers.share(0.1), after=numbers.share(0.2), change="+" + numbers.share(1.0))
        assert monitor.revision_text({"revision_due": False}) == _("No revision due.") != "No revision due."
        assert deploy.arrivals_text(3, 2, dt.date(2011, 6, 1)) == _(
            "{arrived} customers arrived after {asof}; {scored} scored with the cycle's model.").format(
            arrived=3, asof=numbers.date(dt.date(2011, 6, 1)), scored=2)
        assert p_text(0.0123) == "p = 0,012" and p_text(float("nan")) == _("not testable")
        verdicts = test.segment_table(SEGMENTS, BARS)["verdict"]
    assert verdicts[0].startswith(i18n.translations(language).gettext(DO_NOT_TARGET_ALONE) + ": ")
    assert "0,55 < 0,6" in verdicts[0] and verdicts[1] == i18n.translations(language).gettext(TARGET)
    with i18n.language(language):   # the index tells weak segments apart in the cycle's language
        assert weak_verdict(verdicts[0]) and not weak_verdict(verdicts[1])


def test_english_stays_as_it_was_and_identifiers_stay_english():
    assert test.structure_evidence(STRUCTURE) == ("silhouette 0.31 against at most 0.29 in 5 draws without groups; "
                                                  "stability (ARI) 0.81 against 0.88 on average")
    assert monitor.alert_text({"alert": "share", "segment": 2, "before": 0.2, "after": 0.1, "change": -0.5}) == \
        "segment 2 shrank from 20% to 10% of customers (-50% relative)"
    assert test.segment_table(SEGMENTS, BARS)["verdict"].tolist() == [
        "do not target alone: unstable (Jaccard 0.55 < 0.6); blends with neighbours (silhouette 0.02 < 0.05)", "target"]
    verdicts = {"H1": {"verdict": "supported", "mean_ari": 0.9, "bar": 0.8},
                "H2": {"verdict": "not testable"}, "H3": {"verdict": "not supported"}}
    with i18n.language("ru"):
        hypotheses = test.hypothesis_table(verdicts, STRUCTURE)
        shown = test.hypothesis_view(verdicts, STRUCTURE).frame
    assert hypotheses["verdict"].tolist() == ["supported", "not testable", "not supported"]   # compared in findings
    assert shown.iloc[:, -1].tolist() == ["подтверждена", "не проверяема", "не подтверждена"]


def test_the_shipped_register_reads_in_the_report_language_and_a_teams_own_statement_stays():
    from collections import namedtuple

    Row = namedtuple("Row", "statement verdict test p_holm observed circular")
    shipped = Row("The segments spend differently per order.", "supported", "Kruskal–Wallis H", 0.0001, "x", False)
    with i18n.language("pl"):
        assert test.register_reading(shipped) == "Segmenty wydają na zamówienie różnie. — potwierdzona " \
                                                 "(H Kruskala–Wallisa, p < 0,001 po poprawce Holma; x)."
        own = test.register_reading(shipped._replace(statement="Unsere Kunden kaufen gern.", circular=True))
    assert own.startswith("Unsere Kunden kaufen gern. — potwierdzona") and own.endswith("zbudowano na tej mierze.")
    assert test.register_reading(shipped) == ("The segments spend differently per order. — supported "
                                              "(Kruskal–Wallis H, p < 0.001 after Holm; x).")


def test_step_tables_have_headers_and_captions_in_the_report_language():
    with i18n.language("ru"):
        shown = test.segment_verdict_view(SEGMENTS, BARS)
        html = shown._repr_html_()
        changes = monitor.changes_view(pd.DataFrame({"customers": [5], "customers_previous": [4],
                                                     "share_change": [0.25], "status": ["kept"]},
                                                    index=pd.Index([1], name="segment")))._repr_html_()
    assert shown.caption == "Можно ли работать с каждым сегментом отдельно?"
    assert ">устойчивость<" in html and ">отделимость<" in html and ">stability<" not in html
    assert ">клиенты (предыдущий цикл)<" in changes and ">сохранился<" in changes and "+25" in changes
    english = test.segment_verdict_view(SEGMENTS, BARS)._repr_html_()
    assert ">stability<" in english and ">distinct on<" in english


def test_flags_of_the_step_tables_read_yes_no_in_the_report_language():
    lineage = pd.DataFrame({"previous": [True], "current": [False], "fate": ["vanished"], "related": [[]]},
                           index=pd.Index([4], name="segment"))
    with i18n.language("pl"):
        html = monitor.lineage_view(lineage)._repr_html_()
    assert ">tak<" in html and ">nie<" in html and ">zniknął<" in html and ">yes<" not in html
    assert ">yes<" in monitor.lineage_view(lineage)._repr_html_()
