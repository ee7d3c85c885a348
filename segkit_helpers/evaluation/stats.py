"""The one statistics module: the tests, effect sizes and p-value wording of the test step.

Every test of 03 (the segment tests, the hypothesis register, the experiments) and of the
monitor step is called from here, so each statistic has one definition:

==========================  ===============================  ===========================================
question                    test                             effect size
==========================  ===============================  ===========================================
a number differs across     Kruskal–Wallis H (scipy)         ε² = H / (n − 1) (Tomczak & Tomczak 2014)
segments
a category differs across   chi-square test of independence  Cramér's V from the χ² without Yates'
segments                    (scipy, no Yates correction)     correction (Cramér 1946)
one group above another     Mann–Whitney U (scipy)           rank-biserial r = 2U₁ / (n₁n₂) − 1 (Kerby
                                                             2014): positive when the FIRST group tends
                                                             to be larger
a share above another       two-proportion z-test            difference of the shares
                            (statsmodels); Fisher's exact
                            test for small counts (scipy)
a mean above another        Welch's t-test (statsmodels)     difference of the means
does an effect differ       likelihood-ratio test of nested  —
across segments             logistic models; F-test of
                            nested linear models
many tests at once          Holm (1979) step-down            —
                            (statsmodels ``multipletests``)
a distribution moved since  population stability index       — (read < 0.1 stable, 0.1–0.25 moderate,
the previous cycle          (Siddiqi 2006)                   > 0.25 major shift)
==========================  ===============================  ===========================================

Strength labels read an effect size aloud on one scale for all of them (Rea & Parker
2014, for correlation-like measures: |r| or V below 0.1 negligible, 0.1 weak, 0.2
moderate, 0.4 relatively strong, 0.6 strong, 0.8 very strong); ε² is a squared measure,
so its label is that of √ε² (0.01, 0.04, 0.16, 0.36, 0.64).

A feature that takes one value only (or a group with no value) cannot be tested: the
functions say "not testable" with the reason instead of calling scipy, whose statistics
are undefined (NaN, with a RuntimeWarning) on constant input.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

#: Bounds of the strength labels on the correlation scale (Rea & Parker 2014).
STRENGTH_BOUNDS = ((0.1, "negligible"), (0.2, "weak"), (0.4, "moderate"), (0.6, "relatively strong"),
                   (0.8, "strong"))
NOT_TESTABLE = "not testable"


def p_text(p: float) -> str:
    """A p-value as read aloud: "p < 0.001", "p = 0.012", or "not testable" when it is missing (NaN)."""
    if p is None or not np.isfinite(p):
        return NOT_TESTABLE
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def strength(effect: float, squared: bool = False) -> str:
    """Plain-language strength of an effect size (see the module docstring); NaN → "not testable".

    Parameters
    ----------
    effect
        A correlation-like effect (|rank-biserial r|, Cramér's V), or with ``squared`` a
        squared one (ε²), which is read on the same scale through its square root.
    """
    if effect is None or not np.isfinite(effect):
        return NOT_TESTABLE
    size = math.sqrt(max(effect, 0.0)) if squared else abs(effect)
    for bound, label in STRENGTH_BOUNDS:
        if size < bound:
            return label
    return "very strong"


def epsilon_squared(h: float, n: int) -> float:
    """ε² of a Kruskal–Wallis H: ε² = H / ((n² − 1) / (n + 1)) = H / (n − 1).

    Tomczak & Tomczak (2014), *Trends in Sport Sciences* 21(1):19–25, eq. for E²_R;
    ``n`` is the number of observations over all groups. 0 = no difference, 1 = the
    groups do not overlap.
    """
    return float(h / (n - 1))


def cramers_v(table: np.ndarray | pd.DataFrame) -> float:
    """Cramér's V of a contingency table: √(χ² / (n · (min(rows, columns) − 1))) (Cramér 1946).

    χ² is Pearson's statistic WITHOUT Yates' continuity correction (the definition of
    V), from :func:`scipy.stats.contingency.association`; no small-sample bias
    correction. 0 = no association, 1 = the row determines the column.
    """
    return float(sps.contingency.association(np.asarray(table), method="cramer"))


def rank_biserial(u1: float, n1: int, n2: int) -> float:
    """Rank-biserial correlation of a Mann–Whitney U: r = 2 U₁ / (n₁ n₂) − 1 (Kerby 2014).

    ``u1`` is the U statistic of the FIRST group (scipy's ``mannwhitneyu(x, y)``
    statistic is that of ``x``): the number of pairs in which the first group's value is
    larger, ties counting half. r = +1 when every value of the first group is above
    every value of the second, −1 when below, 0 when they overlap evenly.
    """
    return float(2 * u1 / (n1 * n2) - 1)


def _clean(values) -> np.ndarray:
    values = pd.Series(values)
    return values[values.notna()].to_numpy()


def _untestable(test: str, effect: str, reason: str) -> dict:
    return {"test": test, "statistic": np.nan, "p_value": np.nan, "effect": effect, "effect_size": np.nan,
            "strength": NOT_TESTABLE, "reason": reason}


def kruskal_wallis(groups: list) -> dict:
    """Kruskal–Wallis H test (Kruskal & Wallis 1952; scipy) of k groups of numbers, with ε².

    Missing values are left out. Not testable when fewer than two groups have values or
    every value is the same.

    Returns
    -------
    dict
        ``test``, ``statistic`` (H), ``p_value``, ``effect`` ("ε²"), ``effect_size``,
        ``strength`` and ``reason`` (why not testable, else "").
    """
    groups = [g for g in (_clean(g).astype(float) for g in groups) if len(g)]
    test = "Kruskal–Wallis H"
    if len(groups) < 2:
        return _untestable(test, "ε²", "fewer than two groups have values")
    pooled = np.concatenate(groups)
    if np.all(pooled == pooled[0]):
        return _untestable(test, "ε²", "every customer has the same value")
    h, p = sps.kruskal(*groups)
    eps2 = epsilon_squared(h, len(pooled))
    return {"test": test, "statistic": float(h), "p_value": float(p), "effect": "ε²", "effect_size": eps2,
            "strength": strength(eps2, squared=True), "reason": ""}


def chi_square(table: pd.DataFrame | np.ndarray) -> dict:
    """Pearson's chi-square test of independence (scipy, no Yates correction) with Cramér's V.

    Not testable when the table has fewer than two rows or two columns with counts.

    Returns
    -------
    dict
        As :func:`kruskal_wallis`, with ``dof`` and ``effect`` "Cramér's V".
    """
    counts = np.asarray(table, dtype=np.int64)
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0] if counts.size else counts
    test = "chi-square test of independence"
    if counts.ndim != 2 or min(counts.shape) < 2:
        return {**_untestable(test, "Cramér's V", "one category only"), "dof": 0}
    chi2, p, dof, _ = sps.chi2_contingency(counts, correction=False)  # no Yates: the χ² of Cramér's V
    v = cramers_v(counts)
    return {"test": test, "statistic": float(chi2), "p_value": float(p), "dof": int(dof), "effect": "Cramér's V",
            "effect_size": v, "strength": strength(v), "reason": ""}


def is_categorical(values: pd.Series) -> bool:
    """A column is compared as categories when it is not numeric (text, category, boolean)."""
    return not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)


def compare_segments(values: pd.Series, labels, categorical: bool | None = None) -> dict:
    """Does one feature differ across segments? Kruskal–Wallis (numbers) or chi-square (categories).

    The one call for a feature across segments (03 and 04): a number gets
    :func:`kruskal_wallis` with ε², a category :func:`chi_square` with Cramér's V;
    customers with a missing value are left out. ``categorical`` defaults to
    :func:`is_categorical`.

    Returns
    -------
    dict
        ``test``, ``statistic``, ``p_value``, ``effect``, ``effect_size``, ``strength``
        ("not testable" with a ``reason`` when the statistic is undefined).
    """
    values = pd.Series(values).reset_index(drop=True)
    labels = pd.Series(np.asarray(labels)).reset_index(drop=True)
    keep = values.notna()
    values, labels = values[keep], labels[keep]
    if is_categorical(values) if categorical is None else categorical:
        result = chi_square(pd.crosstab(labels, values.astype(str)))
        result.pop("dof", None)
        return result
    return kruskal_wallis([values[labels == s] for s in sorted(labels.unique())])


def mann_whitney(x, y, alternative: str = "two-sided") -> dict:
    """Mann–Whitney U test (Mann & Whitney 1947; scipy) of ``x`` against ``y``, with the rank-biserial r.

    ``alternative`` as scipy: "two-sided", "greater" (x tends to be larger) or "less".
    ``statistic`` is U₁, the U of ``x``; ``effect_size`` is :func:`rank_biserial`
    (positive when ``x`` tends to be larger). Not testable when a group is empty or
    every value is the same.
    """
    x, y = _clean(x).astype(float), _clean(y).astype(float)
    test = "Mann–Whitney U"
    if not len(x) or not len(y):
        return _untestable(test, "rank-biserial r", "a group has no values")
    pooled = np.concatenate([x, y])
    if np.all(pooled == pooled[0]):
        return _untestable(test, "rank-biserial r", "every customer has the same value")
    u1, p = sps.mannwhitneyu(x, y, alternative=alternative)
    r = rank_biserial(u1, len(x), len(y))
    return {"test": test, "statistic": float(u1), "p_value": float(p), "effect": "rank-biserial r",
            "effect_size": r, "strength": strength(r), "reason": ""}


def two_proportions(counts: list[int], sizes: list[int], alternative: str = "two-sided") -> dict:
    """Two-proportion z-test (pooled variance; statsmodels ``proportions_ztest``) of the share
    counts[0] / sizes[0] against counts[1] / sizes[1].

    ``alternative``: "two-sided", "larger" (the first share is larger) or "smaller";
    ``effect_size`` is the difference of the shares. Not testable when a group is empty
    or both shares are 0 or both 1 (the pooled variance is 0).
    """
    test = "two-proportion z-test"
    if min(sizes) == 0 or sum(counts) in (0, sum(sizes)):
        return _untestable(test, "difference of shares", "a group is empty or every customer is alike")
    z, p = proportions_ztest(counts, sizes, alternative=alternative)
    diff = counts[0] / sizes[0] - counts[1] / sizes[1]
    return {"test": test, "statistic": float(z), "p_value": float(p), "effect": "difference of shares",
            "effect_size": float(diff), "strength": "", "reason": ""}


def fisher_exact(table: np.ndarray) -> dict:
    """Fisher's exact test (scipy, two-sided) of a 2 × 2 table: ``test``, ``statistic`` (the odds ratio), ``p_value``."""
    statistic, p = sps.fisher_exact(table)
    return {"test": "Fisher's exact test", "statistic": float(statistic), "p_value": float(p)}


def welch_t(x: np.ndarray, y: np.ndarray, alpha: float = 0.05) -> dict:
    """Welch's t-test (Welch 1947; unequal variances, statsmodels) of the mean of ``x`` against that of ``y``.

    Returns
    -------
    dict
        ``test``, ``statistic`` (t), ``p_value`` (two-sided) and ``ci_low`` / ``ci_high``: the
        1 − ``alpha`` Welch interval of mean(x) − mean(y).
    """
    compare = CompareMeans(DescrStatsW(x), DescrStatsW(y))
    statistic, p, _ = compare.ttest_ind(usevar="unequal")
    low, high = compare.tconfint_diff(alpha=alpha, usevar="unequal")
    return {"test": "Welch's t-test", "statistic": float(statistic), "p_value": float(p), "ci_low": float(low),
            "ci_high": float(high)}


def likelihood_ratio(full, reduced) -> dict:
    """Likelihood-ratio test of two nested fitted models (statsmodels results with ``llf`` and ``df_model``).

    ``statistic`` = 2 (ℓ_full − ℓ_reduced), χ² with the difference of the models' degrees of freedom.
    """
    statistic, df = 2 * (full.llf - reduced.llf), int(full.df_model - reduced.df_model)
    return {"statistic": statistic, "df": df, "p_value": float(sps.chi2.sf(statistic, df))}


def nested_f_test(reduced, full) -> dict:
    """F-test of two nested ordinary least squares fits (statsmodels ``anova_lm``): ``statistic``, ``df``, ``p_value``."""
    comparison = anova_lm(reduced, full)
    return {"statistic": float(comparison["F"].iloc[1]), "df": int(comparison["df_diff"].iloc[1]),
            "p_value": float(comparison["Pr(>F)"].iloc[1])}


def holm(p_values, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Holm's (1979) step-down adjustment (statsmodels ``multipletests``), missing p-values left out.

    Returns
    -------
    (adjusted, reject)
        Holm-adjusted p-values (NaN where the p-value was NaN) and whether each is
        below ``alpha`` (False where NaN).
    """
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        adjusted[tested] = multipletests(p[tested], alpha=alpha, method="holm")[1]
    return adjusted, np.nan_to_num(adjusted, nan=1.0) < alpha


#: Strength labels read as a real difference (an effect of at least "moderate").
AT_LEAST_MODERATE = ("moderate", "relatively strong", "strong", "very strong")


def differs(p: float, strength_label: str, alpha: float = 0.05) -> bool:
    """A difference worth reporting: significant (p < ``alpha``) with at least a moderate effect."""
    return bool(p is not None and np.isfinite(p) and p < alpha and strength_label in AT_LEAST_MODERATE)


def population_stability_index(expected: np.ndarray | pd.Series, actual: np.ndarray | pd.Series, bins: int = 10,
                               categorical: bool = False) -> float:
    """Population stability index of ``actual`` against ``expected`` (the previous cycle).

    ``PSI = Σ (a_i − e_i) · ln(a_i / e_i)`` over ``bins`` bins cut at the deciles of
    ``expected`` (for a categorical feature, or a numeric one with a single value, over
    its values, missing answers being a value of their own), with shares floored at
    0.0001 so that empty bins stay finite (Siddiqi 2006, *Credit Risk Scorecards*,
    ch. 12; Yurdakul 2018). Read < 0.1 as stable, 0.1–0.25 as a moderate shift, > 0.25
    as a major shift. Written here as it is a three-line formula that no maintained
    library offers directly.
    """
    expected, actual = pd.Series(expected), pd.Series(actual)
    if not categorical:
        expected, actual = expected.dropna().astype(float), actual.dropna().astype(float)
        edges = np.unique(np.quantile(expected, np.linspace(0, 1, bins + 1))) if len(expected) else np.array([])
        categorical = len(edges) < 3  # one or two distinct values: compare them as values
    if categorical:
        expected, actual = _levels(expected), _levels(actual)
        levels = pd.Index(expected.unique()).union(actual.unique())
        e = expected.value_counts(normalize=True).reindex(levels, fill_value=0).to_numpy()
        a = actual.value_counts(normalize=True).reindex(levels, fill_value=0).to_numpy()
    else:
        edges[0], edges[-1] = -np.inf, np.inf
        e = np.histogram(expected, edges)[0] / len(expected)
        a = np.histogram(actual, edges)[0] / len(actual)
    e, a = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))


def _levels(values: pd.Series) -> pd.Series:
    """Values as text labels, a missing value being the label "(missing)"."""
    return values.astype(object).where(values.notna(), "(missing)").astype(str)


def psi_reading(psi: float, alert_at: float = 0.25) -> str:
    """The usual reading of a PSI: stable below 0.1, a moderate shift up to ``alert_at``, then a major shift."""
    return "major shift" if psi > alert_at else "moderate shift" if psi > 0.1 else "stable"
