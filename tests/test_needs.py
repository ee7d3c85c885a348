"""The needs scheme: latent class model of survey answers, weights, and the planted-persona survey."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

from segkit_helpers.errors import InputError
from segkit_helpers.datasets.survey import PERSONAS, POPULATION_SHARES, QUESTIONS, SAMPLE_SHARES, make_survey
from segkit_helpers.schemes.needs import NeedsModel, check_answers
from segkit_helpers.schemes.kselect import k_table as score_k


def select_k_needs(X, questions, k_range, seed, min_k=2, resamples=10, weight_column=None):
    """The k choice of step 02 for latent classes (2,000 respondents per sample)."""
    template = NeedsModel(features=questions, weight_column=weight_column)
    return score_k(template, X, range(k_range[0], k_range[1] + 1), seed, min_k=min_k, resamples=resamples,
                   sample=2000)

Q = list(QUESTIONS)


@pytest.fixture(scope="module")
def survey() -> tuple[pd.DataFrame, np.ndarray]:
    return make_survey(800, seed=0)


@pytest.fixture(scope="module")
def fitted(survey) -> NeedsModel:
    return NeedsModel(4, 0, Q).fit(survey[0])


def test_survey_generator_is_documented_and_seeded(survey):
    table, labels = survey
    assert table.columns.tolist() == ["customer_id", *Q, "weight"]
    again, labels2 = make_survey(800, seed=0)
    pd.testing.assert_frame_equal(table, again)
    assert (labels == labels2).all()
    answers = table[Q].to_numpy(dtype=float, na_value=np.nan)
    assert np.nanmin(answers) == 1 and np.nanmax(answers) == 5
    assert 0.005 < np.isnan(answers).mean() < 0.04  # about 2 % blank
    # persona shares among respondents, and the weights that restore the population shares
    np.testing.assert_allclose(np.bincount(labels) / len(labels), SAMPLE_SHARES, atol=0.05)
    weighted = pd.Series(table["weight"].to_numpy()).groupby(labels).sum() / table["weight"].sum()
    np.testing.assert_allclose(weighted, POPULATION_SHARES, atol=0.04)


def test_recovers_the_planted_four(survey):
    table, labels = survey
    k_table = select_k_needs(table, Q, [2, 6], seed=0, min_k=3, resamples=3)
    assert k_table.columns.tolist()[:4] == ["k", "bic", "aic", "relative_entropy"]
    assert int(k_table.loc[k_table["recommended"], "k"].iloc[0]) == 4
    assert k_table.set_index("k")["bic"].idxmin() == 4
    assert adjusted_rand_score(labels, NeedsModel(4, 0, Q).fit(table).predict(table)) >= 0.9


def test_expected_answers_match_the_planted_personas(survey, fitted):
    table, labels = survey
    found = fitted.predict(table)
    centres = fitted.describe_segments()
    for persona, profile in enumerate(PERSONAS.values()):
        segment = pd.Series(found[labels == persona]).mode().iloc[0]
        # answers are drawn around the typical answer and pulled toward the middle of the scale
        assert np.abs(centres.loc[segment].to_numpy() - np.array(profile)).max() < 0.8


def test_centres_are_posterior_weighted_means_by_hand():
    # two classes that answer 1 and 3 perfectly: class means are 1 and 3, rescaled over 0..3 -> 1/3 and 1
    table = pd.DataFrame({"customer_id": list("abcdef"), "q1": [1, 1, 1, 3, 3, 3], "q2": [1, 1, 1, 3, 3, 3]})
    model = NeedsModel(2, 0, ["q1", "q2"]).fit(table)
    described = model.describe_segments().sort_values("q1")
    assert described.to_numpy().round(6).tolist() == [[1.0, 1.0], [3.0, 3.0]]
    centres = model.centers_.sort_values("q1")
    np.testing.assert_allclose(centres.to_numpy(), [[1 / 3, 1 / 3], [1.0, 1.0]])


def test_weights_move_the_class_sizes_toward_the_population(survey):
    table, labels = survey
    plain = NeedsModel(4, 0, Q).fit(table)
    weighted = NeedsModel(4, 0, Q, weight_column="weight").fit(table)
    newcomer = list(PERSONAS).index("newcomer")

    def newcomer_share(model):
        segment = pd.Series(model.predict(table)[labels == newcomer]).mode().iloc[0]
        return model.class_sizes_.loc[segment]

    # newcomers are 20 % of respondents but 30 % of the customer base
    assert newcomer_share(plain) == pytest.approx(SAMPLE_SHARES[newcomer], abs=0.04)
    assert newcomer_share(weighted) == pytest.approx(POPULATION_SHARES[newcomer], abs=0.04)


def test_memberships_ids_relabel_clone_and_determinism(survey, fitted):
    table, _ = survey
    proba = fitted.predict_proba(table)
    assert fitted.classes_.tolist() == [1, 2, 3, 4]
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba, NeedsModel(4, 0, Q).fit(table).predict_proba(table))
    sizes = pd.Series(fitted.predict(table)).value_counts()
    assert sizes.index.tolist() == [1, 2, 3, 4]  # without revenue, ids follow class size
    refit = clone(fitted).fit(table)
    assert (refit.predict(table) == fitted.predict(table)).all()
    relabelled = clone(fitted).fit(table).relabel({1: 11, 2: 12, 3: 13, 4: 14})
    assert (relabelled.predict(table) == fitted.predict(table) + 10).all()
    assert relabelled.centers_.index.tolist() == [11, 12, 13, 14]
    d = fitted.pairwise_distances(table.iloc[:5])
    assert d.shape == (5, 5) and np.allclose(np.diag(d), 0) and d.max() <= 1


def test_bad_answers_and_weights(survey):
    table, _ = survey
    bad = table.astype({"q03_quality_over_price": object})
    bad.loc[[3, 9], "q03_quality_over_price"] = ["agree", 2.5]
    with pytest.raises(InputError, match=r"'survey', column 'q03_quality_over_price': 2 row\(s\).*'agree'"):
        check_answers(bad, Q)
    with pytest.raises(InputError, match="question column 'q99' is missing"):
        check_answers(table, [*Q, "q99"])
    with pytest.raises(InputError, match="'weight': 1 row"):
        NeedsModel(4, 0, Q, weight_column="weight").fit(table.assign(weight=[0.0] + [1.0] * (len(table) - 1)))
