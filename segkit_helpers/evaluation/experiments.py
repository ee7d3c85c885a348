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
from scipy import stats
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from segkit_helpers.errors import InputError
from segkit_helpers.evaluation.stats import holm, p_text, two_proportions

GROUPS = ("control", "treatment")
OUTCOMES = ("converted", "revenue")
POWER = 0.8

#: Planted absolute conversion uplifts per segment of :func:`make_experiment` (others: 0).
PLANTED_CONVERSION = {1: 0.08, 2: 0.04, 3: 0.0}
#: Planted revenue uplift per converter (currency units) per segment (others: 0).
PLANTED_REVENUE = {1: 60.0, 2: 20.0, 3: 0.0}


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
    """The cycle's experiments table (``sources.experiments``) joined to the segments; empty when none is configured."""
    from segkit_helpers.io.tables import read_table

    source = cfg["sources"]["experiments"]
    if not (source["path"] or source["url"]):
        print("No experiment in this cycle: set 'sources.experiments' to analyse one per segment.")
        return pd.DataFrame(columns=["customer_id", "group", "segment"])
    data = join_segments(read_table(cfg, "experiments"), segments)
    print(f"Experiment: {len(data):,} customers, {int((data['group'] == 'treatment').sum()):,} treated; outcomes: "
          f"{', '.join(c for c in OUTCOMES if c in data)}.")
    return data


def join_segments(experiments: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """The checked experiments with each customer's ``segment`` (missing for customers not segmented)."""
    data = check_experiments(experiments)
    keep = ["customer_id", "segment"] + (["segment_name"] if "segment_name" in segments else [])
    data = data.merge(segments[keep], on="customer_id", how="left")
    data["segment"] = data["segment"].astype("Int64")
    missing = int(data["segment"].isna().sum())
    if missing:
        print(f"{missing:,} customers of the experiment are not in this cycle's segments: they count only in the "
              "'all' row.")
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
    if (expected < 5).any():
        statistic, p = stats.fisher_exact(table)
        test = "Fisher's exact test"
    else:
        result = two_proportions([x1, x0], [n1, n0])
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
    compare = CompareMeans(DescrStatsW(treatment), DescrStatsW(control))
    statistic, p, _ = compare.ttest_ind(usevar="unequal")
    low, high = compare.tconfint_diff(alpha=alpha, usevar="unequal")
    pooled = np.sqrt(((n0 - 1) * control.var(ddof=1) + (n1 - 1) * treatment.var(ddof=1)) / (n0 + n1 - 2))
    return {**row, "ci_low": float(low), "ci_high": float(high), "test": "Welch's t-test", "statistic": float(statistic),
            "p_value": float(p), "mde": mde_mean(pooled, n0, n1, alpha)}


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
    same comparison in ordinary least squares (``anova_lm``).

    Returns
    -------
    dict
        ``test``, ``statistic``, ``df``, ``p_value`` and ``reading`` (one sentence).
    """
    if data is None or data.empty or outcome not in data:
        return {"test": "none", "statistic": np.nan, "df": 0, "p_value": np.nan, "reading": "No experiment to test."}
    part = data.dropna(subset=["segment"]).assign(segment=lambda d: d["segment"].astype(int).astype(str))
    if part["segment"].nunique() < 2:
        return {"test": "none", "statistic": np.nan, "df": 0, "p_value": np.nan,
                "reading": "Only one segment took part: no comparison between segments."}
    full_formula, reduced_formula = f"{outcome} ~ C(group) * C(segment)", f"{outcome} ~ C(group) + C(segment)"
    if outcome == "converted":
        full = smf.logit(full_formula, part).fit(disp=0)
        reduced = smf.logit(reduced_formula, part).fit(disp=0)
        statistic, df = 2 * (full.llf - reduced.llf), int(full.df_model - reduced.df_model)
        p, test = float(stats.chi2.sf(statistic, df)), "likelihood-ratio test (logistic regression)"
    else:
        full, reduced = smf.ols(full_formula, part).fit(), smf.ols(reduced_formula, part).fit()
        comparison = anova_lm(reduced, full)
        statistic, df = float(comparison["F"].iloc[1]), int(comparison["df_diff"].iloc[1])
        p, test = float(comparison["Pr(>F)"].iloc[1]), "F-test (linear model)"
    what = "conversion" if outcome == "converted" else "revenue per customer"
    reading = (f"The effect on {what} differs between segments ({test}, {p_text(p)}): target the segments "
               "where it works." if p < 0.05 else
               f"No evidence that the effect on {what} differs between segments ({test}, {p_text(p)}).")
    return {"test": test, "statistic": round(float(statistic), 4), "df": df, "p_value": p, "reading": reading}


def describe_uplift(table: pd.DataFrame, outcome: str = "converted") -> None:
    """Print one plain sentence per row of :func:`uplift_by_segment`, for a sales director."""
    if table.empty:
        print("No experiment with this outcome in the cycle.")
        return
    lines = []
    for seg, row in table.iterrows():
        who = "All customers" if seg == "all" else f"Segment {seg}" + (
            f" ({row['segment_name']})" if "segment_name" in row and isinstance(row["segment_name"], str) else "")
        if pd.isna(row["p_value"]):
            lines.append(f"{who}: not testable ({row['test']}).")
            continue
        if outcome == "converted":
            effect = (f"{row['uplift'] * 100:+.1f} points conversion ({row['control']:.1%} → {row['treatment']:.1%}; "
                      f"95% CI {row['ci_low'] * 100:+.1f} to {row['ci_high'] * 100:+.1f})")
            detect = f"±{row['mde'] * 100:.1f} points"
        else:
            effect = (f"{row['uplift']:+,.2f} revenue per customer (95% CI {row['ci_low']:+,.2f} to "
                      f"{row['ci_high']:+,.2f})")
            detect = f"±{row['mde']:,.2f}"
        verdict = ("significant after Holm correction" if row["significant"] and seg != "all" else
                   "significant" if row["significant"] else "not significant")
        lines.append(f"{who}: {effect}, {verdict} ({p_text(row['p_holm'])}); the test could detect effects of "
                     f"{detect}.")
    print("\n".join(lines))


def make_experiment(segments: pd.DataFrame, effects: dict[int, float] | None = None,
                    revenue_effects: dict[int, float] | None = None, base_rate: float = 0.10,
                    treatment_share: float = 0.5, seed: int = 0, sample_share: float = 1.0,
                    order_value: float = 150.0) -> pd.DataFrame:
    """A synthetic experiment with planted per-segment effects (the sample and the tests).

    A share ``sample_share`` of the customers in ``segments`` (``customer_id``,
    ``segment``) is randomised, ``treatment_share`` of them to treatment. A control
    customer converts with probability ``base_rate``; a treated one with
    ``base_rate + effects[segment]`` (default :data:`PLANTED_CONVERSION`). A converter's
    revenue is Gamma-distributed (shape 2) with mean ``order_value``, plus
    ``revenue_effects[segment]`` when treated (default :data:`PLANTED_REVENUE`); others
    have revenue 0.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``group``, ``converted``, ``revenue``.
    """
    effects = PLANTED_CONVERSION if effects is None else effects
    revenue_effects = PLANTED_REVENUE if revenue_effects is None else revenue_effects
    rng = np.random.default_rng(seed)
    chosen = segments[rng.random(len(segments)) < sample_share]
    treated = rng.random(len(chosen)) < treatment_share
    seg = chosen["segment"].to_numpy()
    uplift = np.array([effects.get(int(s), 0.0) for s in seg])
    converted = rng.random(len(chosen)) < base_rate + treated * uplift
    extra = np.array([revenue_effects.get(int(s), 0.0) for s in seg]) * treated
    revenue = np.where(converted, rng.gamma(2.0, order_value / 2.0, len(chosen)) + extra, 0.0).round(2)
    return pd.DataFrame({"customer_id": chosen["customer_id"].to_numpy(),
                         "group": np.where(treated, "treatment", "control"),
                         "converted": converted.astype(int), "revenue": revenue})
