"""The words of the test step (03): verdicts, readings and tables of the tests in plain language.

Every sentence of the page and of ``validation.json`` is written here from the figures that
:mod:`segkit_helpers.evaluation` returns, so that the words can be translated in one place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit_helpers.evaluation.experiments import OUTCOMES
from segkit_helpers.evaluation.stats import NOT_TESTABLE, p_text
from segkit_helpers.evaluation.structure import NATURAL_MARGIN, STABILITY_TOLERANCE
from segkit_helpers.evaluation.verdicts import DO_NOT_TARGET_ALONE
from segkit_helpers.report.tables import Table, currency_of, header, table

NATURAL = "natural segments"
CONSTRUCTED = "constructed segments: useful divisions, not natural types"
RULE_BASED = "the four quadrants are thresholds on profit and loyalty, not groups found in the data"


def structure_evidence(structure: dict) -> str:
    """The figures of :func:`segkit_helpers.evaluation.structure.null_reference` in a phrase."""
    if structure["rule_based"]:
        return RULE_BASED
    return (f"silhouette {structure['silhouette']:.2f} against at most {structure['null_silhouette_max']:.2f} in "
            f"{structure['draws']} draws without groups; stability (ARI) {structure['stability']:.2f} against "
            f"{structure['null_stability_mean']:.2f} on average")


def structure_reading(structure: dict) -> str:
    """The verdict natural / constructed in one sentence, with its evidence."""
    if structure["rule_based"]:
        return f"{CONSTRUCTED[0].upper()}{CONSTRUCTED[1:]}: {RULE_BASED}."
    evidence, k = structure_evidence(structure), structure["segments"]
    if structure["natural"]:
        return (f"Natural segments: the {k} segments are clearly better separated and at least as "
                f"stable as the same scheme fitted to customers without groups ({evidence}).")
    why = "no better separated" if not structure["separated"] else "less stable"
    return (f"Constructed segments: useful divisions, not natural types — the {k} segments "
            f"are {why} than the same scheme fitted to customers without groups ({evidence}). Borders are "
            f"soft: read the membership probabilities, and judge the segments by what they predict on "
            f"features they were not built from.")


def structure_record(structure: dict) -> dict:
    """The ``structure`` entry of ``validation.json``: verdict, method, rule, figures, evidence and reading."""
    verdict = NATURAL if structure["natural"] else CONSTRUCTED
    words = {"evidence": structure_evidence(structure), "reading": structure_reading(structure)}
    if structure["rule_based"]:
        return {"verdict": verdict, "natural": False, "method": "none: quadrants are set by rules", "draws": 0,
                "rule": "rule-based quadrants are constructed by definition", **words}
    return {"verdict": verdict, "natural": structure["natural"],
            "method": "same scheme and k on draws of one Gaussian (numeric features, SigClust) with independently "
                      "permuted categories",
            "rule": f"natural when the silhouette beats every draw by {NATURAL_MARGIN} and the stability is at least "
                    f"the draws' mean (within {STABILITY_TOLERANCE})",
            "draws": structure["draws"], "silhouette": round(structure["silhouette"], 4),
            "stability": round(structure["stability"], 4),
            "null_silhouette": [round(v, 4) for v in structure["null_silhouette"]],
            "null_stability": [round(v, 4) for v in structure["null_stability"]], **words}


def null_table(structure: dict) -> pd.DataFrame:
    """The real fit and every draw of the reference without groups, one row each (silhouette, stability)."""
    record = structure_record(structure)
    if not record["draws"]:
        return pd.DataFrame({"reading": [record["reading"]]})
    rows = [{"fit": "the customers", "silhouette": record["silhouette"], "stability (ARI)": record["stability"]}]
    rows += [{"fit": f"without groups, draw {i}", "silhouette": s, "stability (ARI)": a}
             for i, (s, a) in enumerate(zip(record["null_silhouette"], record["null_stability"]), 1)]
    return pd.DataFrame(rows).set_index("fit").round(3)


def stability_text(stability: pd.Series) -> str:
    """The bootstrap ARIs of :func:`segkit_helpers.evaluation.validation.bootstrap_stability` in one line."""
    return f"{len(stability)} resamples: mean ARI {stability.mean():.2f}, lowest {stability.min():.2f}"


def readable_tests(table: pd.DataFrame) -> pd.DataFrame:
    """A table of :func:`segkit_helpers.evaluation.differences.difference_tests` in words: test, statistic,
    Holm p and effect with its strength, "not testable" and the reason where a statistic is undefined (no NaN
    on the page); a table without features becomes one line saying so."""
    if table.empty:
        return pd.DataFrame({"reading": ["No feature to test: set 'validation.test_features' to features that the "
                                         "segments were not built from."]})
    def effect(row) -> str:
        if row["strength"] == NOT_TESTABLE:
            return f"{NOT_TESTABLE}: {row['reason']}"
        return f"{row['effect']} = {row['effect_size']:.2f} ({row['strength']})"

    out = pd.DataFrame({
        "test": table["test"],
        "statistic": [f"{s:,.1f}" if np.isfinite(s) else "—" for s in table["statistic"]],
        "after Holm": table["significance"],
        "effect": [effect(row) for _, row in table.iterrows()],
        "differs": np.where(table["differs"], "yes", "no"),
    }, index=table.index)
    if "role" in table:
        out.insert(0, "role", table["role"])
    return out


HYPOTHESES = {"H1": "The segmentation is stable under resampling",
              "H2": "The segments differ on features they were not built from",
              "H3": "The segments are natural groups, not divisions of a continuum"}


def hypothesis_table(verdicts: dict[str, dict], structure: dict) -> pd.DataFrame:
    """The verdicts of :func:`segkit_helpers.evaluation.verdicts.hypothesis_verdicts` with each hypothesis and
    its evidence in words: one row per id, ``hypothesis``, ``evidence``, ``verdict``."""
    h1, h2 = verdicts["H1"], verdicts["H2"]
    if h2["verdict"] == NOT_TESTABLE:
        differ = "no feature outside the clustering features can be tested"
    else:
        names = f": {', '.join(h2['differ'])}" if h2["differ"] else ""
        differ = (f"{len(h2['differ'])} of {h2['testable']} features not used to build the segments differ (Holm p < "
                  f"{h2['alpha']}, at least a moderate effect){names}")
    evidence = {"H1": f"refits on resampled customers agree with the chosen segments: mean ARI = {h1['mean_ari']:.2f} "
                      f"(bar {h1['bar']:.2f})",
                "H2": differ, "H3": structure_evidence(structure)}
    rows = [(h, HYPOTHESES[h], evidence[h], verdicts[h]["verdict"]) for h in ("H1", "H2", "H3")]
    return pd.DataFrame(rows, columns=["id", "hypothesis", "evidence", "verdict"]).set_index("id")


def segment_table(table: pd.DataFrame, bars: dict) -> pd.DataFrame:
    """The verdicts of :func:`segkit_helpers.evaluation.verdicts.segment_verdicts` with their reasons in words
    (``bars``: the ``validation`` section of the config): ``name``, ``customers``, ``stability``,
    ``separation``, ``distinct_on`` and ``verdict``."""
    def verdict(row: pd.Series) -> str:
        if row["verdict"] != DO_NOT_TARGET_ALONE:
            return row["verdict"]
        weak = []
        if row["unstable"]:
            weak.append(f"unstable (Jaccard {row['stability']:.2f} < {bars['min_segment_stability']})")
        if row["blends"]:
            weak.append(f"blends with neighbours (silhouette {row['separation']:.2f} < {bars['min_separation']})")
        if row["indistinct"]:
            weak.append("differs from other customers on no feature it was not built from")
        return f"{DO_NOT_TARGET_ALONE}: " + "; ".join(weak)

    return pd.DataFrame({"name": table["name"], "customers": table["customers"],
                         "stability": [round(v, 3) for v in table["stability"]],
                         "separation": [round(v, 3) for v in table["separation"]],
                         "distinct_on": table["distinct_on"], "verdict": [verdict(r) for _, r in table.iterrows()]},
                        index=table.index)


def observed_text(observed: dict) -> str:
    """The figures a register hypothesis compared (``observed`` of
    :func:`segkit_helpers.evaluation.hypotheses.evaluate_register`) in words."""
    if "median" in observed:
        group, rest = observed["median"]
        return f"median {group:,.2f} vs {rest:,.2f}"
    if "share" in observed:
        group, rest = observed["share"]
        return f"{observed['level']}: {group:.0%} vs {rest:.0%}"
    if "medians" in observed:
        return "medians " + ", ".join(f"{s}: {m:,.2f}" for s, m in observed["medians"].items())
    return "see segment shares"


def register_readings(table: pd.DataFrame) -> pd.DataFrame:
    """The register of :func:`segkit_helpers.evaluation.hypotheses.evaluate_register` with ``observed`` in words
    and a ``reading`` per hypothesis (as ``validation.json`` holds it)."""
    out = table.assign(observed=[observed_text(o) for o in table["observed"]])
    out["reading"] = [f"{r.statement} — {r.verdict} ({r.test}, {p_text(r.p_holm)} after Holm; {r.observed})."
                      if r.verdict != NOT_TESTABLE else
                      f"{r.statement} — {NOT_TESTABLE} ({r.test}: every customer compared has the same value)."
                      for r in out.itertuples()]
    out.loc[out["circular"], "reading"] += " Circular: the segments were built on this metric."
    return out


def register_table(table: pd.DataFrame) -> pd.DataFrame:
    """The register for the page: statistic, Holm p and effect as text ("—" and "not testable" where a statistic
    is undefined), with the observed values, verdict and the circular flag."""
    table = register_readings(table)

    def number(value: float, digits: int) -> str:
        return f"{value:,.{digits}f}" if np.isfinite(value) else "—"

    return pd.DataFrame({"test": table["test"].to_numpy(), "statistic": [number(v, 2) for v in table["statistic"]],
                         "after Holm": [p_text(p) for p in table["p_holm"]],
                         "effect": [number(v, 3) for v in table["effect"]], "observed": table["observed"].to_numpy(),
                         "verdict": table["verdict"].to_numpy(), "circular": np.where(table["circular"], "yes", "no")},
                        index=pd.Index(table["id"], name="id"))


def register_text(table: pd.DataFrame) -> str:
    """The readings of the register as a Markdown list."""
    return "\n".join(f"- {line}" for line in register_readings(table)["reading"])


def agreement_reading(segment, row: pd.Series) -> str:
    """One row of :func:`segkit_helpers.evaluation.review.review_agreement` in a sentence."""
    who = "All segments" if segment == "all" else f"Segment {segment}"
    judged = row["fits"] + row["does_not_fit"]
    if not judged:
        return f"{who}: no verdicts yet."
    text = (f"{who}: experts agree on {row['fits']} of {judged} customers ({row['agreement']:.0%}, 95% CI "
            f"{row['ci_low']:.0%}–{row['ci_high']:.0%})")
    return text + (" — revise this persona." if row["revise"] else ".")


def agreement_table(agreement: pd.DataFrame) -> pd.DataFrame:
    """The agreement table with a ``reading`` per segment (as ``validation.json`` holds it)."""
    return agreement.assign(reading=[agreement_reading(seg, row) for seg, row in agreement.iterrows()])


def review_text(sheet: pd.DataFrame, agreement: pd.DataFrame) -> str:
    """What the review step found: the sheet to send out, or the experts' agreement per segment."""
    if agreement.empty:
        return (f"Review sheet: {len(sheet)} customers to send to business experts (review_sheet.csv). "
                "Set 'validation.review_sheet' to the filled sheet to see their agreement here.")
    return "\n".join(f"- {line}" for line in agreement_table(agreement)["reading"])


def experiment_text(data: pd.DataFrame) -> str:
    """The cycle's experiment (:func:`segkit_helpers.evaluation.experiments.load_experiment`) in a sentence."""
    if data.empty:
        return "No experiment in this cycle: set 'sources.experiments' to analyse one per segment."
    outcomes = [c for c in OUTCOMES if c in data]
    text = (f"Experiment: {len(data):,} customers, {int((data['group'] == 'treatment').sum()):,} treated; outcomes: "
            f"{', '.join(outcomes)}.")
    missing = int(data["segment"].isna().sum())
    if missing:
        text += (f" {missing:,} customers of the experiment are not in this cycle's segments: they count only in the "
                 "'all' row.")
    return text


def uplift_text(table: pd.DataFrame, outcome: str = "converted") -> str:
    """One plain sentence per row of :func:`segkit_helpers.evaluation.experiments.uplift_by_segment`, for a
    sales director (a Markdown list)."""
    if table.empty:
        return "No experiment with this outcome in the cycle."
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
    return "\n".join(f"- {line}" for line in lines)


def interaction_reading(result: dict) -> str:
    """The interaction test of :func:`segkit_helpers.evaluation.experiments.interaction_test` in one sentence."""
    if result["test"] == "none":
        return ("No experiment to test." if result["segments"] is None else
                "Only one segment took part: no comparison between segments.")
    what = "conversion" if result["outcome"] == "converted" else "revenue per customer"
    test, p = result["test"], result["p_value"]
    return (f"The effect on {what} differs between segments ({test}, {p_text(p)}): target the segments "
            "where it works." if p < 0.05 else
            f"No evidence that the effect on {what} differs between segments ({test}, {p_text(p)}).")


def interaction_record(result: dict) -> dict:
    """The interaction test as ``validation.json`` holds it: ``test``, ``statistic``, ``df``, ``p_value``, ``reading``."""
    return {key: result[key] for key in ("test", "statistic", "df", "p_value")} | {"reading": interaction_reading(result)}



# --- the tables of page 03 (through the one table layer, :mod:`segkit_helpers.report.tables`) ------------------

def _features(names: pd.Index) -> pd.Index:
    """Feature names as headers (``recency_days`` → ``recency (days)``)."""
    return pd.Index([header(n) for n in names], name="feature")


def segment_sizes(segments: pd.DataFrame) -> Table:
    """Customers per segment of ``segments.parquet``."""
    sizes = segments["segment"].value_counts().sort_index().rename("customers").rename_axis("segment")
    return table(sizes, index=True, caption="Customers per segment")


def null_view(structure: dict) -> Table:
    """The real fit against every draw without groups (:func:`null_table`); the reading alone for quadrants."""
    record = structure_record(structure)
    shown = null_table(structure) if record["draws"] else None
    return table(shown, index=True, caption="Silhouette and stability: the customers against data without groups",
                 empty=record["reading"])


def tests_view(tests: pd.DataFrame) -> Table:
    """The difference tests in words (:func:`readable_tests`), features named as headers."""
    if tests.empty:
        return table(None, empty=readable_tests(tests)["reading"].iloc[0])
    shown = readable_tests(tests)
    return table(shown.set_axis(_features(shown.index)), {"statistic": "figure"}, index=True,
                 caption="Do the segments differ? Tests per feature (Holm-corrected)")


def pairwise_view(pairwise: pd.DataFrame) -> Table:
    """The pairwise tests (:func:`~segkit_helpers.evaluation.differences.pairwise_tests`) without U and raw p."""
    shown = pairwise.drop(columns=[c for c in ("U", "p_value") if c in pairwise])
    if not shown.empty:
        shown = shown.assign(feature=[header(f) for f in shown["feature"]])
    return table(shown, {"p_holm": "p"} if not shown.empty else None, caption="Pairs of segments, per feature",
                 empty="No pairwise tests: no feature outside the clustering features to test.")


def silhouette_view(silhouettes: pd.Series) -> Table:
    """The silhouette per segment (:func:`~segkit_helpers.evaluation.structure.segment_silhouettes`)."""
    return table(silhouettes.rename("silhouette").rename_axis("segment"), index=True,
                 caption="Separation: mean silhouette per segment")


def segment_verdict_view(verdicts: pd.DataFrame, bars: dict) -> Table:
    """The per-segment verdicts in words (:func:`segment_table`)."""
    shown = segment_table(verdicts, bars)
    shown["distinct_on"] = [", ".join(header(f) for f in str(v).split(", ") if f) if v else "" for v in
                            shown["distinct_on"]]
    return table(shown, index=True, caption="Can each segment be targeted alone?")


def hypothesis_view(verdicts: dict[str, dict], structure: dict) -> Table:
    """The standing hypotheses H1–H3 with evidence and verdict (:func:`hypothesis_table`)."""
    return table(hypothesis_table(verdicts, structure), index=True, caption="The standing hypotheses of every cycle")


def review_view(review: tuple[pd.DataFrame, pd.DataFrame], cfg: dict, rows: int = 12) -> Table:
    """The first ``rows`` customers of the review sheet (:func:`~segkit_helpers.evaluation.review.review_for_cycle`)."""
    sheet = review[0].head(rows)
    kinds = {c: kind for c, kind in {"membership": "share", "monetary": "money", "avg_order_value": "money",
                                     "profit": "money", "p_alive": "share"}.items() if c in sheet}
    return table(sheet, kinds, currency=currency_of(cfg), caption="Review sheet: typical and borderline customers",
                 empty="No review sheet in this cycle.")


def agreement_view(review: tuple[pd.DataFrame, pd.DataFrame]) -> Table:
    """The experts' agreement per segment (:func:`agreement_table`), or a sentence while the sheet is not back."""
    agreement = review[1]
    shown = None if agreement.empty else agreement_table(agreement)
    kinds = {"agreement": "share", "ci_low": "share", "ci_high": "share"} if shown is not None else None
    return table(shown, kinds, index=True, caption="Business experts' agreement per segment",
                 empty="No filled review sheet yet: the experts' agreement shows here once it is back.")


def register_view(register: pd.DataFrame) -> Table:
    """The hypothesis register (:func:`register_table`)."""
    if register.empty:
        return table(None, empty="No hypotheses in the register.")
    return table(register_table(register), {"statistic": "figure", "after Holm": "figure", "effect": "figure"},
                 index=True, caption="The hypothesis register (Holm-corrected)")
