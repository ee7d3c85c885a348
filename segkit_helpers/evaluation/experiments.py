"""Experiments per segment: uplift with confidence intervals, the right test, power and heterogeneity.

An ``experiments`` table (``customer_id``, ``group`` = control / treatment, outcomes
``converted`` 0/1 and/or ``revenue``) is analysed per segment and overall:

- **conversion**: rates, absolute uplift with Newcombe's (1998) hybrid score interval,
  the pooled two-proportion z-test — Fisher's exact test when an expected cell count is
  below 5 — and the minimum detectable effect at 80 % power (Cohen's h; Cohen 1988);
- **revenue per customer** (zero for non-buyers): difference of means with Welch's t
  interval and test (Welch 1947; unequal variances, and with hundreds of customers per
  group the t-test is robust to the skew of revenue), and the minimum detectable
  difference (Cohen's d × pooled SD);
- **multiple testing**: Holm's (1979) step-down correction across the segments of one
  outcome; the overall row is reported unadjusted;
- **heterogeneity**: does the effect differ between segments? A likelihood-ratio test of
  the group × segment interaction in a logistic regression (conversion) and an F-test of
  the interaction in a linear model (revenue), with statsmodels.

Minimum detectable effects are given instead of post-hoc power, which only restates the
p-value (Hoenig & Heisey 2001).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import confint_proportions_2indep

from segkit_helpers.errors import InputError
from segkit_helpers.evaluation.stats import fisher_exact, holm, likelihood_ratio, nested_f_test, two_proportions, welch_t
from segkit_helpers.io.tables import read_table

GROUPS = ("control", "treatment")
OUTCOMES = ("converted", "revenue")
POWER = 0.8


def check_experiments(table: pd.DataFrame, name: str = "experiments") -> pd.DataFrame:
    """Validate and normalise an experiments table.

    ``group`` is matched case- and space-insensitively to control / treatment;
    ``converted`` accepts 0/1 and true/false; ``revenue`` must be a number ≥ 0.

    Raises
    ------
    InputError
        A required column is missing, no outcome column is present, a customer appears
        twice, or a value is invalid (table, column, count and an example are named).
    """
    for column in ("customer_id", "group"):
        if column not in table:
            raise InputError(f"table '{name}': column '{column}' is missing")
    outcomes = [c for c in OUTCOMES if c in table]
    if not outcomes:
        raise InputError(f"table '{name}': no outcome column; map 'converted' (0/1) and/or 'revenue'")
    out = table[["customer_id", "group", *outcomes]].copy()
    repeated = out["customer_id"].duplicated()
    if repeated.any():
        raise InputError.bad_rows(name, "customer_id", int(repeated.sum()), out.loc[repeated, "customer_id"].iloc[0],
                                  "repeat a customer already in the experiment")
    group = out["group"].astype("string").str.strip().str.lower()
    bad = ~group.isin(GROUPS)
    if bad.any():
        raise InputError.bad_rows(name, "group", int(bad.sum()), out.loc[bad, "group"].iloc[0],
                                  "are neither 'control' nor 'treatment'")
    out["group"] = group.astype(str)
    if "converted" in out:
        text = out["converted"].astype("string").str.strip().str.lower()
        converted = text.map({"1": 1, "0": 0, "true": 1, "false": 0, "1.0": 1, "0.0": 0})
        bad = converted.isna()
        if bad.any():
            raise InputError.bad_rows(name, "converted", int(bad.sum()), out.loc[bad, "converted"].iloc[0],
                                      "are not 0/1 (or true/false)")
        out["converted"] = converted.astype(int)
    if "revenue" in out:
        revenue = pd.to_numeric(out["revenue"], errors="coerce")
        bad = revenue.isna() | (revenue < 0)
        if bad.any():
            raise InputError.bad_rows(name, "revenue", int(bad.sum()), out.loc[bad, "revenue"].iloc[0],
                                      "are not amounts of at least 0")
        out["revenue"] = revenue.astype(float)
    return out


def load_experiment(cfg: dict, segments: pd.DataFrame) -> pd.DataFrame:
    """The cycle's experiments table (``sources.experiments``) joined to the segments (:func:`join_segments`);
    empty when none is configured."""
    source = cfg["sources"]["experiments"]
    if not (source["path"] or source["url"]):
        return pd.DataFrame(columns=["customer_id", "group", "segment"])
    return join_segments(read_table(cfg, "experiments"), segments)


def join_segments(experiments: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """The checked experiments with each customer's ``segment`` (missing for customers not segmented: they
    count only in the overall row of :func:`uplift_by_segment`)."""
    data = check_experiments(experiments)
    keep = ["customer_id", "segment"] + (["segment_name"] if "segment_name" in segments else [])
    data = data.merge(segments[keep], on="customer_id", how="left")
    data["segment"] = data["segment"].astype("Int64")
    return data


def mde_proportion(p_control: float, n_control: int, n_treatment: int, alpha: float = 0.05,
                   power: float = POWER) -> float:
    """Smallest absolute conversion uplift detectable with ``power`` (two-sided, level ``alpha``).

    Solves Cohen's h = 2·asin√p₁ − 2·asin√p₀ for the group sizes (statsmodels
    ``NormalIndPower``) and turns it back into p₁ − p₀ at the control rate p₀.
    """
    if min(n_control, n_treatment) < 2:
        return float("nan")
    h = NormalIndPower().solve_power(nobs1=n_treatment, ratio=n_control / n_treatment, alpha=alpha, power=power)
    p_treatment = np.sin(min(np.arcsin(np.sqrt(p_control)) + h / 2, np.pi / 2)) ** 2
    return float(p_treatment - p_control)


def mde_mean(sd: float, n_control: int, n_treatment: int, alpha: float = 0.05, power: float = POWER) -> float:
    """Smallest difference of means detectable with ``power``: Cohen's d (``TTestIndPower``) × pooled ``sd``."""
    if min(n_control, n_treatment) < 2:
        return float("nan")
    d = TTestIndPower().solve_power(nobs1=n_treatment, ratio=n_control / n_treatment, alpha=alpha, power=power)
    return float(d * sd)


def conversion_test(control: np.ndarray, treatment: np.ndarray, alpha: float = 0.05) -> dict:
    """Uplift of the conversion rate with Newcombe's interval and the right test (see the module docstring)."""
    n0, n1, x0, x1 = len(control), len(treatment), int(control.sum()), int(treatment.sum())
    row = {"n_control": n0, "n_treatment": n1, "control": x0 / n0 if n0 else np.nan,
           "treatment": x1 / n1 if n1 else np.nan}
    row["uplift"] = row["treatment"] - row["control"]
    if n0 == 0 or n1 == 0:
        return {**row, "ci_low": np.nan, "ci_high": np.nan, "test": "none (a group is empty)", "statistic": np.nan,
                "p_value": np.nan, "mde": np.nan}
    low, high = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb", alpha=alpha)
    table = np.array([[x1, n1 - x1], [x0, n0 - x0]])
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    result = fisher_exact(table) if (expected < 5).any() else two_proportions([x1, x0], [n1, n0])
    statistic, p, test = result["statistic"], result["p_value"], result["test"]
    return {**row, "ci_low": float(low), "ci_high": float(high), "test": test, "statistic": float(statistic),
            "p_value": float(p), "mde": mde_proportion(row["control"], n0, n1, alpha)}


def revenue_test(control: np.ndarray, treatment: np.ndarray, alpha: float = 0.05) -> dict:
    """Difference of mean revenue per customer with Welch's interval and t-test."""
    n0, n1 = len(control), len(treatment)
    row = {"n_control": n0, "n_treatment": n1, "control": control.mean() if n0 else np.nan,
           "treatment": treatment.mean() if n1 else np.nan}
    row["uplift"] = row["treatment"] - row["control"]
    if min(n0, n1) < 2:
        return {**row, "ci_low": np.nan, "ci_high": np.nan, "test": "none (a group is too small)",
                "statistic": np.nan, "p_value": np.nan, "mde": np.nan}
    welch = welch_t(treatment, control, alpha)
    pooled = np.sqrt(((n0 - 1) * control.var(ddof=1) + (n1 - 1) * treatment.var(ddof=1)) / (n0 + n1 - 2))
    return {**row, "ci_low": welch["ci_low"], "ci_high": welch["ci_high"], "test": welch["test"],
            "statistic": welch["statistic"], "p_value": welch["p_value"], "mde": mde_mean(pooled, n0, n1, alpha)}


def uplift_by_segment(data: pd.DataFrame, outcome: str = "converted", alpha: float = 0.05) -> pd.DataFrame:
    """Per segment and overall: group sizes, outcome per group, uplift, CI, test, Holm-adjusted p and MDE.

    Parameters
    ----------
    data
        :func:`join_segments`.
    outcome
        ``converted`` or ``revenue``.

    Returns
    -------
    pandas.DataFrame
        One row per segment plus ``all``: ``n_control``, ``n_treatment``,
        ``control``, ``treatment``, ``uplift``, ``ci_low``, ``ci_high``,
        ``relative_uplift``, ``test``, ``statistic``, ``p_value``, ``p_holm`` (Holm
        across segments; the overall row unadjusted), ``significant`` and ``mde``.
    """
    columns = ["n_control", "n_treatment", "control", "treatment", "uplift", "ci_low", "ci_high", "relative_uplift",
               "test", "statistic", "p_value", "p_holm", "significant", "mde"]
    if data is None or data.empty or outcome not in data:
        return pd.DataFrame(columns=columns).rename_axis("segment")
    test = conversion_test if outcome == "converted" else revenue_test

    def run(part: pd.DataFrame) -> dict:
        values = part.groupby("group")[outcome]
        get = lambda g: values.get_group(g).to_numpy(dtype=float) if g in values.groups else np.array([])  # noqa: E731
        return test(get("control"), get("treatment"), alpha)

    rows = {int(seg): run(part) for seg, part in data.dropna(subset=["segment"]).groupby("segment")}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["p_holm"], _ = holm(table["p_value"], alpha)
    overall = pd.DataFrame([run(data)], index=["all"])
    overall["p_holm"] = overall["p_value"]
    table = pd.concat([table, overall])
    table["relative_uplift"] = table["uplift"] / table["control"].replace(0, np.nan)
    table["significant"] = table["p_holm"] < alpha
    if "segment_name" in data:
        names = data.dropna(subset=["segment"]).groupby("segment")["segment_name"].first()
        table.insert(0, "segment_name", [names.get(s, "all customers") if s != "all" else "all customers"
                                         for s in table.index])
    return table[[c for c in table.columns if c not in columns] + columns].rename_axis("segment")


def interaction_test(data: pd.DataFrame, outcome: str = "converted") -> dict:
    """Does the treatment effect differ between segments? The group × segment interaction.

    Conversion: likelihood-ratio test of a logistic regression ``converted ~ group *
    segment`` against ``group + segment`` (χ², df = segments − 1). Revenue: F-test of the
    same comparison in ordinary least squares.

    Returns
    -------
    dict
        ``outcome``, ``segments`` (how many took part; ``None`` without an experiment),
        ``test`` ("none" when there is nothing to compare), ``statistic``, ``df`` and ``p_value``.
    """
    none = {"outcome": outcome, "segments": None, "test": "none", "statistic": np.nan, "df": 0, "p_value": np.nan}
    if data is None or data.empty or outcome not in data:
        return none
    part = data.dropna(subset=["segment"]).assign(segment=lambda d: d["segment"].astype(int).astype(str))
    if part["segment"].nunique() < 2:
        return {**none, "segments": int(part["segment"].nunique())}
    full_formula, reduced_formula = f"{outcome} ~ C(group) * C(segment)", f"{outcome} ~ C(group) + C(segment)"
    if outcome == "converted":
        result = likelihood_ratio(smf.logit(full_formula, part).fit(disp=0), smf.logit(reduced_formula, part).fit(disp=0))
        test = "likelihood-ratio test (logistic regression)"
    else:
        result = nested_f_test(smf.ols(reduced_formula, part).fit(), smf.ols(full_formula, part).fit())
        test = "F-test (linear model)"
    return {"outcome": outcome, "segments": int(part["segment"].nunique()), "test": test,
            "statistic": round(float(result["statistic"]), 4), "df": result["df"], "p_value": result["p_value"]}
