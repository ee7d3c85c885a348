"""A synthetic needs survey with planted personas: the sample of the needs scheme (seed 004)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The questions of the sample survey: column → statement rated 1 (disagree) to 5 (agree).
QUESTIONS = {
    "q01_price_matters_most": "Price is the first thing I compare between suppliers.",
    "q02_deadline_is_critical": "Delivery on the agreed date is critical for us.",
    "q03_quality_over_price": "I pay more for proven quality.",
    "q04_track_record_matters": "I choose suppliers by their experience with companies like mine.",
    "q05_decide_quickly": "We decide on a purchase quickly.",
    "q06_pay_quickly": "We pay invoices early or on time without reminders.",
    "q07_need_guidance": "I often need advice on what exactly to buy.",
    "q08_prefer_standard_packages": "Standard packages suit us better than custom offers.",
    "q09_burned_before": "A previous supplier let us down badly.",
    "q10_want_guarantees": "Written guarantees matter to me.",
    "q11_want_detailed_updates": "I want detailed updates at every step of an order.",
    "q12_open_to_add_ons": "I am open to extra products and services offered with an order.",
}

#: Planted personas of seed 004: typical answer (1-5) per question, in QUESTIONS order.
PERSONAS = {
    "experienced": [2, 4, 5, 5, 3, 3, 1, 2, 2, 3, 4, 3],
    "speed-focused": [3, 5, 3, 2, 5, 5, 2, 3, 2, 2, 2, 3],
    "newcomer": [5, 2, 2, 2, 3, 3, 5, 5, 1, 3, 3, 4],
    "cautious": [4, 3, 3, 4, 1, 2, 3, 2, 5, 5, 5, 1],
}
#: Shares of the personas among respondents (the sample) and in the customer base (the population).
SAMPLE_SHARES = [0.35, 0.25, 0.2, 0.2]
POPULATION_SHARES = [0.2, 0.25, 0.3, 0.25]


def make_survey(n: int = 1500, k: int = 4, scale: int = 5, seed: int = 0, customer_ids=None,
                spread: float = 0.8, missing: float = 0.02) -> tuple[pd.DataFrame, np.ndarray]:
    """A synthetic needs survey with planted personas (the sample of the needs scheme).

    Respondents belong to the personas of :data:`PERSONAS` (for k = 4; other k get
    programmatic profiles) in the shares :data:`SAMPLE_SHARES`. Each answer to
    question j is drawn on 1..``scale`` with probability ∝ exp(−(a − m_j)² / (2
    ``spread``²)) around the persona's typical answer m_j; a share ``missing`` of the
    answers is blank. ``weight`` is a post-stratification weight, population share /
    sample share of the respondent's persona (:data:`POPULATION_SHARES`), times a
    little noise, so weighted results describe the customer base rather than the
    respondents.

    Returns
    -------
    survey : pandas.DataFrame
        ``customer_id``, the questions of :data:`QUESTIONS` and ``weight``.
    labels : numpy.ndarray
        The planted persona of each respondent (0..k−1, in :data:`PERSONAS` order).
    """
    rng = np.random.default_rng(seed)
    questions = list(QUESTIONS)
    if k == len(PERSONAS):
        profiles = np.array(list(PERSONAS.values()), dtype=float)
        sample_shares, population = np.array(SAMPLE_SHARES), np.array(POPULATION_SHARES)
    else:
        profiles = rng.integers(1, scale + 1, size=(k, len(questions))).astype(float)
        sample_shares = population = np.full(k, 1 / k)
    labels = rng.choice(k, size=n, p=sample_shares)
    levels = np.arange(1, scale + 1)
    answers = np.empty((n, len(questions)))
    for j in range(len(questions)):
        weights = np.exp(-((levels[None, :] - profiles[labels, j][:, None]) ** 2) / (2 * spread**2))
        cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
        answers[:, j] = levels[(rng.random(n)[:, None] > cumulative).sum(axis=1)]
    answers[rng.random(answers.shape) < missing] = np.nan
    ids = list(customer_ids) if customer_ids is not None else [f"R{i:05d}" for i in range(n)]
    survey = pd.DataFrame(answers, columns=questions).astype("Int64")
    survey.insert(0, "customer_id", ids[:n])
    survey["weight"] = np.round(population[labels] / sample_shares[labels] * rng.uniform(0.9, 1.1, n), 3)
    return survey, labels
