"""Figures in the report language: titles, captions, tick labels and annotations come from the catalogs."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from segkit_helpers.monitoring.migration import LOST, NEW, QUADRANT_ORDER  # noqa: E402
from segkit_helpers.report import i18n  # noqa: E402
from segkit_helpers.report.figures import monitor, research, test  # noqa: E402
from segkit_helpers.report.figures.base import caption_of  # noqa: E402

LEADS = {"ru": "Как читать: ", "pl": "Jak czytać: "}
#: Words spelt the same in English and in the language ("te same segmenty": the same segments).
HOMOGRAPHS = {"ru": set(), "pl": {"same"}}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def pareto():
    profile = pd.DataFrame({"monetary": [50.0, 30.0, 10.0, 6.0, 4.0], "abc_class": ["A", "A", "B", "B", "C"]})
    return research.plot_pareto(profile)


def quadrant_migration():
    rows, columns = QUADRANT_ORDER + [NEW], QUADRANT_ORDER + [LOST]
    counts = pd.DataFrame(np.arange(25).reshape(5, 5) * 100, index=pd.Index(rows, dtype="string"),
                          columns=pd.Index(columns, dtype="string"))
    return monitor.plot_migration(counts, of="quadrant")


def stability():
    return test.plot_stability(pd.Series([0.9, 0.95, 1.0, 0.85]), bar=0.75)


#: Each figure with the English of its title and of its "how to read" sentence.
FIGURES = {
    "pareto": (pareto, "Pareto (ABC) curve of revenue",
               "the steeper the start, the more revenue rests on few customers; class A is everyone left of where "
               "the curve crosses the first dashed line."),
    "quadrant migration": (quadrant_migration, "Migration between cycles, by quadrant",
                           "the diagonal holds customers who stayed in their segment; off-diagonal cells are moves; "
                           "the 'new' row and 'lost' column are customers who arrived or left."),
    "stability": (stability, "Bootstrap stability of the segments",
                  "each resample refits the segments on a bootstrap sample; values near 1 mean the same segments "
                  "come back, values left of the bar mean they do not."),
}


def english_words(text: str) -> set[str]:
    """The lower-case words of three letters or more (names and acronyms such as ABC may stay)."""
    return set(re.findall(r"\b[a-z]{3,}\b", text))


@pytest.mark.parametrize("language", sorted(LEADS))
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_a_figure_is_titled_and_captioned_in_the_report_language(language, name):
    draw, title, how_to_read = FIGURES[name]
    english = caption_of(draw().figure)
    assert (english.title, english.how_to_read) == (title, "How to read: " + how_to_read)
    catalog = i18n.read_catalog(language)
    with i18n.language(language):
        found = caption_of(draw().figure)
    assert found.title == catalog[title].string
    assert found.how_to_read == LEADS[language] + catalog[how_to_read].string
    words = set(re.findall(r"\w+", found.alt.lower()))
    assert english_words(english.alt) & words - HOMOGRAPHS[language] == set(), f"English left in the {language} caption"


def test_tick_labels_and_annotations_name_quadrants_and_counts_in_the_language():
    with i18n.language("ru"):
        ax = quadrant_migration()
        profile = pd.DataFrame({"monetary": [100.0, 50.0, 1.0], "customer_id": ["a", "b", "c"],
                                "value_loyalty_quadrant": ["profitable & loyal", "profitable & loyal",
                                                           "unprofitable & disloyal"]})
        quadrants = research.plot_quadrants(profile)
    rows = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert rows == ["прибыльные и лояльные", "прибыльные и нелояльные", "неприбыльные и лояльные",
                    "неприбыльные и нелояльные", "новый клиент"]
    assert "ушедший клиент" in [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert "2\xa0400" in [t.get_text() for t in ax.texts]          # counts grouped the Russian way
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("квадрант в этом цикле", "квадрант в прошлом цикле")
    assert [t.get_text() for t in quadrants.texts][0] == "клиентов: 2\n99% выручки"
    assert [t.get_text() for t in quadrants.get_yticklabels()] == ["прибыльные", "неприбыльные"]


def test_a_figure_drawn_after_the_block_is_english_again():
    with i18n.language("pl"):
        stability()
    ax = stability()
    assert caption_of(ax.figure).how_to_read.startswith("How to read: each resample")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["bar 0.75", "mean 0.93"]


def test_segment_profiles_make_room_for_long_translated_persona_names():
    import warnings

    from segkit_helpers.report.figures.hypothesis import plot_segment_profiles

    z = pd.DataFrame(np.random.default_rng(0).normal(size=(3, 3)), index=[1, 2, 3],
                     columns=["recency_days", "frequency", "monetary"])
    personas = [{"segment": 1, "name": "Активные частые покупатели с высокой ценностью"},
                {"segment": 2, "name": "Активные регулярные покупатели со средней ценностью"},
                {"segment": 3, "name": "Неактивные эпизодические покупатели с низкой ценностью"}]
    with warnings.catch_warnings(), i18n.language("ru"):
        warnings.simplefilter("error", UserWarning)   # "constrained_layout not applied …" before the names wrapped
        ax = plot_segment_profiles(z, personas)
        ax.figure.canvas.draw()
    assert all("\n" in label.get_text() for label in ax.get_yticklabels())
    plt.close(ax.figure)
