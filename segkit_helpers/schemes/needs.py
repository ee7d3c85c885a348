"""The needs-based scheme: segments from survey answers with a latent class model.

Method: **latent class analysis** (Lazarsfeld & Henry 1968; Goodman 1974) — a finite
mixture in which, within a class, the answers to the questions are independent
categorical variables. Each respondent gets a posterior probability per class, which is
the soft membership the hybrid types of seed 004 call for. Fitted by EM with StepMix
(Morin et al. 2025, *Journal of Statistical Software*), a maintained scikit-learn-style
package that accepts survey weights (``sample_weight``) and missing answers
(``categorical_nan``). Likert answers 1..L are treated as L unordered categories (no
equal-distance assumption); yes/no as 0/1.

The shipped sample is a synthetic survey (:func:`segkit_helpers.datasets.survey.make_survey`) with the four client
types of seed 004 planted: experienced, speed-focused, newcomer and cautious buyers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted
from stepmix.stepmix import StepMix

from segkit_helpers.errors import InputError
from segkit_helpers.report.i18n import N_
from segkit_helpers.schemes.base import SegmentScheme
from segkit_helpers.schemes.gower import gower_matrix

def survey_questions(survey: pd.DataFrame, weight_column: str | None = None) -> list[str]:
    """Every column of a survey table but ``customer_id`` and the weight."""
    return [c for c in survey.columns if c not in ("customer_id", weight_column)]


def check_answers(survey: pd.DataFrame, questions: list[str], table: str = "survey") -> int:
    """Check answers are whole numbers ≥ 0 (Likert 1..L, yes/no 0/1) or missing; return L (the largest answer).

    Raises
    ------
    InputError
        A question column is missing, or holds text, non-integers or negative numbers.
        (Repeated respondents are caught when the survey is read:
        :func:`segkit_helpers.schemes.common.scheme_data`.)
    """
    missing = [c for c in questions if c not in survey]
    if missing:
        raise InputError(f"table '{table}': question column '{missing[0]}' is missing")
    values = survey[questions].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    given = survey[questions].notna().to_numpy()
    bad = (np.isnan(values) & given) | (~np.isnan(values) & ((np.nan_to_num(values) % 1 != 0) | (values < 0)))
    if bad.any():
        j = int(np.flatnonzero(bad.any(axis=0))[0])
        rows = bad[:, j]
        raise InputError.bad_rows(table, questions[j], int(rows.sum()), survey[questions[j]].to_numpy()[rows][0],
                                  "are not answers (whole numbers such as 1-5 or 0/1, or empty)")
    top = np.nanmax(values) if (~np.isnan(values)).any() else np.nan
    return int(top) if not np.isnan(top) else 1


class NeedsModel(SegmentScheme):
    """Latent class segments of survey respondents (StepMix, categorical indicators).

    Parameters
    ----------
    n_segments : int
        Number of latent classes.
    random_state : int
        Seed of the EM starts.
    features : list of str
        Question columns.
    weight_column : str, optional
        Survey weight column, passed to the fit as ``sample_weight``.
    n_init : int
        EM starts; the best likelihood is kept.

    Attributes
    ----------
    n_outcomes_ : int
        Answer categories per question (the largest answer + 1).
    class_sizes_ : pandas.Series
        Estimated (weighted) share of each segment in the population.
    """

    title = N_("needs-based (survey answers)")
    needs = N_("survey answers (survey table): motivations and pains")
    table = "survey"
    join = "inner"
    buys = False
    noun = N_("respondents")
    categorical_features = True
    lower_better = ("bic",)

    def __init__(self, n_segments: int = 4, random_state: int | None = 42, features: list[str] | None = None,
                 weight_column: str | None = None, n_init: int = 3):
        self.n_segments = n_segments
        self.random_state = random_state
        self.features = features
        self.weight_column = weight_column
        self.n_init = n_init

    def _answers(self, X: pd.DataFrame) -> np.ndarray:
        check_answers(X, self._columns(X, []))
        answers = X[self._columns(X, [])].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if hasattr(self, "n_outcomes_"):
            answers[answers >= self.n_outcomes_] = np.nan  # an answer never seen in fitting carries no information
        return answers

    def _weights(self, X: pd.DataFrame) -> np.ndarray | None:
        if not self.weight_column:
            return None
        if self.weight_column not in X:
            raise InputError(f"table 'survey': weight column '{self.weight_column}' is missing")
        weights = pd.to_numeric(X[self.weight_column], errors="coerce")
        bad = weights.isna() | (weights <= 0)
        if bad.any():
            raise InputError.bad_rows("survey", self.weight_column, int(bad.sum()), X.loc[bad, self.weight_column].iloc[0],
                                      "are not positive weights")
        return weights.to_numpy(dtype=float)

    @classmethod
    def from_config(cls, cfg: dict, k: int, features: list[str]) -> "NeedsModel":
        """Latent classes of the answers to ``features``, weighted by ``segmentation.weight_column``."""
        return cls(n_segments=k, random_state=cfg["seed"], features=features,
                   weight_column=cfg["segmentation"]["weight_column"])

    def _fit(self, X: pd.DataFrame) -> np.ndarray:
        """Fit the latent class model by EM; each respondent's most probable class."""
        self.questions_ = self._columns(X, [])
        if not self.questions_:
            raise InputError("the needs scheme needs question columns: set 'segmentation.features'")
        self.n_outcomes_ = check_answers(X, self.questions_) + 1
        answers, weights = self._answers(X), self._weights(X)
        self.stepmix_ = StepMix(n_components=self.n_segments, measurement="categorical_nan",
                                measurement_params={"max_n_outcomes": self.n_outcomes_}, n_init=self.n_init,
                                abs_tol=1e-4, max_iter=300, random_state=self.random_state, verbose=0,
                                progress_bar=0).fit(answers, sample_weight=weights)
        posterior = self.stepmix_.predict_proba(answers)
        self._set_centers(answers, posterior, weights)
        return posterior.argmax(axis=1)

    def _component_sizes(self, components: np.ndarray) -> pd.Series:
        """The estimated class shares (the mixture weights)."""
        return pd.Series(self.stepmix_.get_parameters()["weights"])

    @property
    def class_sizes_(self) -> pd.Series:
        """Estimated (weighted) share of each segment in the population, by segment id."""
        return self._by_id(pd.Series(self.stepmix_.get_parameters()["weights"]))

    def _set_centers(self, answers: np.ndarray, posterior: np.ndarray, weights: np.ndarray | None) -> None:
        """Expected answer per class and question: the posterior- (and survey-) weighted mean of the observed answers.

        At the EM optimum this equals Σ_a a · P(answer = a | class), the mean of the
        fitted class-conditional answer distribution.
        """
        w = posterior * (1.0 if weights is None else weights[:, None])
        observed = ~np.isnan(answers)
        totals = np.nan_to_num(answers).T @ w
        counts = observed.astype(float).T @ w
        expected = totals / np.where(counts > 0, counts, 1)
        self.class_answers_ = pd.DataFrame(expected.T, columns=self.questions_)

    @property
    def expected_answers_(self) -> pd.DataFrame:
        """Expected answer per segment (rows, by id) and question."""
        return self._by_id(self.class_answers_)

    def _memberships(self, X: pd.DataFrame) -> np.ndarray:
        """Posterior class probabilities of each respondent (rows sum to 1)."""
        return self.stepmix_.predict_proba(self._answers(X))

    def _components(self, X: pd.DataFrame) -> np.ndarray:
        """The most probable class."""
        return self._memberships(X).argmax(axis=1)

    @property
    def centers_(self) -> pd.DataFrame:
        """Expected answer per segment and question, rescaled from 0..L−1 to [0, 1] (comparable across cycles)."""
        return self.expected_answers_ / max(self.n_outcomes_ - 1, 1)

    def pairwise_distances(self, X: pd.DataFrame) -> np.ndarray:
        """Mean absolute difference of two respondents' answers on the 0–1 scale, questions either left
        blank left out: Gower's (1971) dissimilarity with every question numeric."""
        check_is_fitted(self)
        answers = (self._answers(X), np.empty((len(X), 0), dtype=np.int64))
        scaled = (answers[0] / max(self.n_outcomes_ - 1, 1), answers[1])
        return gower_matrix(scaled, scaled)

    def describe_segments(self, X: pd.DataFrame | None = None) -> pd.DataFrame:
        """The expected answer per segment and question (on the survey's own scale)."""
        check_is_fitted(self)
        return self.expected_answers_.copy()

    def k_scores(self, X: pd.DataFrame, seed: int, sample: int) -> dict[str, float]:
        """BIC (Schwarz 1978; ranked, the usual criterion for the number of latent classes: Nylund, Asparouhov &
        Muthén 2007), AIC (Akaike 1974; over-extracts, shown only), relative entropy (Ramaswamy et al. 1993; 1 =
        every respondent clearly in one class, shown only) and the silhouette on mean absolute answer differences."""
        answers = self._answers(X)
        return {"bic": self.stepmix_.bic(answers), "aic": self.stepmix_.aic(answers),
                "relative_entropy": self.stepmix_.relative_entropy(answers), **super().k_scores(X, seed, sample)}
