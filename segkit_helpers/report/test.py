"""The words of the test step (03): verdicts, readings and tables of the tests in plain language.

Every sentence of the page and of ``validation.json`` is written here from the figures that
:mod:`segkit_helpers.evaluation` returns, in the report's language (:mod:`segkit_helpers.report.i18n`);
the words :mod:`segkit_helpers.evaluation` stores (test names, strengths, verdicts) stay English
in the artefacts and are translated where they are shown (:mod:`segkit_helpers.report.vocabulary`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit_helpers.evaluation.experiments import OUTCOMES
from segkit_helpers.evaluation.stats import NOT_TESTABLE
from segkit_helpers.evaluation.structure import NATURAL_MARGIN, STABILITY_TOLERANCE
from segkit_helpers.evaluation.verdicts import DO_NOT_TARGET_ALONE
from segkit_helpers.report.i18n import N_, _
from segkit_helpers.report.numbers import count, number, share
from segkit_helpers.report.tables import Table, currency_of
from segkit_helpers.report.vocabulary import bound, header, p_text, signed, view, word

NATURAL = N_("natural segments")
CONSTRUCTED = N_("constructed segments: useful divisions, not natural types")
RULE_BASED = N_("the four quadrants are thresholds on profit and loyalty, not groups found in the data")
def structure_evidence(structure: dict) -> str:
    """The figures of :func:`segkit_helpers.evaluation.structure.null_reference` in a phrase."""
    if structure["rule_based"]:
        return _(RULE_BASED)
    return _("silhouette {silhouette} against at most {null_silhouette} in {draws} draws without groups; stability "
             "(ARI) {stability} against {null_stability} on average").format(
        silhouette=number(structure["silhouette"]), null_silhouette=number(structure["null_silhouette_max"]),
        draws=structure["draws"], stability=number(structure["stability"]),
        null_stability=number(structure["null_stability_mean"]))


def structure_reading(structure: dict) -> str:
    """The verdict natural / constructed in one sentence, with its evidence."""
    if structure["rule_based"]:
        constructed = _(CONSTRUCTED)
        return f"{constructed[0].upper()}{constructed[1:]}: {_(RULE_BASED)}."
    evidence, k = structure_evidence(structure), structure["segments"]
    if structure["natural"]:
        return _("Natural segments: the {k} segments are clearly better separated and at least as stable as the same "
                 "scheme fitted to customers without groups ({evidence}).").format(k=k, evidence=evidence)
    if not structure["separated"]:
        text = _("Constructed segments: useful divisions, not natural types — the {k} segments are no better "
                 "separated than the same scheme fitted to customers without groups ({evidence}).")
    else:
        text = _("Constructed segments: useful divisions, not natural types — the {k} segments are less stable than "
                 "the same scheme fitted to customers without groups ({evidence}).")
    return text.format(k=k, evidence=evidence) + " " + _(
        "Borders are soft: read the membership probabilities, and judge the segments by what they predict on features "
        "they were not built from.")


def structure_record(structure: dict) -> dict:
    """The ``structure`` entry of ``validation.json``: verdict, method, rule, figures, evidence and reading."""
    verdict = _(NATURAL) if structure["natural"] else _(CONSTRUCTED)
    words = {"evidence": structure_evidence(structure), "reading": structure_reading(structure)}
    if structure["rule_based"]:
        return {"verdict": verdict, "natural": False, "method": _("none: quadrants are set by rules"), "draws": 0,
                "rule": _("rule-based quadrants are constructed by definition"), **words}
    return {"verdict": verdict, "natural": structure["natural"],
            "method": _("same scheme and k on draws of one Gaussian (numeric features, SigClust) with independently "
                        "permuted categories"),
            "rule": _("natural when the silhouette beats every draw by {margin} and the stability is at least the "
                      "draws' mean (within {tolerance})").format(margin=bound(NATURAL_MARGIN), tolerance=bound(STABILITY_TOLERANCE)),
            "draws": structure["draws"], "silhouette": round(structure["silhouette"], 4),
            "stability": round(structure["stability"], 4),
            "null_silhouette": [round(v, 4) for v in structure["null_silhouette"]],
            "null_stability": [round(v, 4) for v in structure["null_stability"]], **words}


def null_table(structure: dict) -> pd.DataFrame:
    """The real fit and every draw of the reference without groups, one row each (silhouette, stability)."""
    record = structure_record(structure)
    if not record["draws"]:
        return pd.DataFrame({_("reading"): [record["reading"]]})
    fit, silhouette, stability = _("fit"), _("silhouette"), _("stability (ARI)")
    rows = [{fit: _("the customers"), silhouette: record["silhouette"], stability: record["stability"]}]
    rows += [{fit: _("without groups, draw {i}").format(i=i), silhouette: s, stability: a}
             for i, (s, a) in enumerate(zip(record["null_silhouette"], record["null_stability"]), 1)]
    return pd.DataFrame(rows).set_index(fit).round(3)


def stability_text(stability: pd.Series) -> str:
    """The bootstrap ARIs of :func:`segkit_helpers.evaluation.validation.bootstrap_stability` in one line."""
    return _("{n} resamples: mean ARI {mean}, lowest {lowest}").format(
        n=len(stability), mean=number(stability.mean()), lowest=number(stability.min()))


def readable_tests(table: pd.DataFrame) -> pd.DataFrame:
    """A table of :func:`segkit_helpers.evaluation.differences.difference_tests` in words: test, statistic,
    Holm p and effect with its strength, "not testable" and the reason where a statistic is undefined (no NaN
    on the page); a table without features becomes one line saying so. Headers in the report's language."""
    if table.empty:
        return pd.DataFrame({_("reading"): [_("No feature to test: set 'validation.test_features' to features that "
                                              "the segments were not built from.")]})
    def effect(row) -> str:
        if row["strength"] == NOT_TESTABLE:
            return f"{_(NOT_TESTABLE)}: {_(row['reason'])}"
        return f"{_(row['effect'])} = {number(row['effect_size'])} ({_(row['strength'])})"

    yes, no = _("yes"), _("no")
    out = pd.DataFrame({
        _("test"): [word(t) for t in table["test"]],
        _("statistic"): [number(s, 1) if np.isfinite(s) else "—" for s in table["statistic"]],
        _("after Holm"): [p_text(p) for p in table["p_holm"]],
        _("effect"): [effect(row) for _row, row in table.iterrows()],
        _("differs"): np.where(table["differs"], yes, no),
    }, index=table.index)
    if "role" in table:
        out.insert(0, _("role"), [word(r) for r in table["role"]])
    return out


HYPOTHESES = {"H1": N_("The segmentation is stable under resampling"),
              "H2": N_("The segments differ on features they were not built from"),
              "H3": N_("The segments are natural groups, not divisions of a continuum")}


def hypothesis_table(verdicts: dict[str, dict], structure: dict) -> pd.DataFrame:
    """The verdicts of :func:`segkit_helpers.evaluation.verdicts.hypothesis_verdicts` with each hypothesis and
    its evidence in words: one row per id, ``hypothesis``, ``evidence``, ``verdict`` (the verdict stays English:
    it is compared; :func:`hypothesis_view` shows it translated)."""
    h1, h2 = verdicts["H1"], verdicts["H2"]
    if h2["verdict"] == NOT_TESTABLE:
        differ = _("no feature outside the clustering features can be tested")
    else:
        differ = _("{n} of {testable} features not used to build the segments differ (Holm p < {alpha}, at least a "
                   "moderate effect)").format(n=len(h2["differ"]), testable=h2["testable"], alpha=bound(h2["alpha"]))
        differ += f": {', '.join(h2['differ'])}" if h2["differ"] else ""
    evidence = {"H1": _("refits on resampled customers agree with the chosen segments: mean ARI = {mean} (bar {bar})")
                .format(mean=number(h1["mean_ari"]), bar=number(h1["bar"])),
                "H2": differ, "H3": structure_evidence(structure)}
    rows = [(h, _(HYPOTHESES[h]), evidence[h], verdicts[h]["verdict"]) for h in ("H1", "H2", "H3")]
    return pd.DataFrame(rows, columns=["id", "hypothesis", "evidence", "verdict"]).set_index("id")


def segment_table(table: pd.DataFrame, bars: dict) -> pd.DataFrame:
    """The verdicts of :func:`segkit_helpers.evaluation.verdicts.segment_verdicts` with their reasons in words
    (``bars``: the ``validation`` section of the config): ``name``, ``customers``, ``stability``,
    ``separation``, ``distinct_on`` and ``verdict`` (in the report's language; :func:`weak_verdict` reads it)."""
    def verdict(row: pd.Series) -> str:
        if row["verdict"] != DO_NOT_TARGET_ALONE:
            return _(row["verdict"])
        weak = []
        if row["unstable"]:
            weak.append(_("unstable (Jaccard {stability} < {bar})").format(
                stability=number(row["stability"]), bar=bound(bars["min_segment_stability"])))
        if row["blends"]:
            weak.append(_("blends with neighbours (silhouette {separation} < {bar})").format(
                separation=number(row["separation"]), bar=bound(bars["min_separation"])))
        if row["indistinct"]:
            weak.append(_("differs from other customers on no feature it was not built from"))
        return f"{_(DO_NOT_TARGET_ALONE)}: " + "; ".join(weak)

    return pd.DataFrame({"name": table["name"], "customers": table["customers"],
                         "stability": [round(v, 3) for v in table["stability"]],
                         "separation": [round(v, 3) for v in table["separation"]],
                         "distinct_on": table["distinct_on"], "verdict": [verdict(r) for _i, r in table.iterrows()]},
                        index=table.index)


def observed_text(observed: dict) -> str:
    """The figures a register hypothesis compared (``observed`` of
    :func:`segkit_helpers.evaluation.hypotheses.evaluate_register`) in words."""
    if "median" in observed:
        group, rest = observed["median"]
        return _("median {group} vs {rest}").format(group=number(group), rest=number(rest))
    if "share" in observed:
        group, rest = observed["share"]
        return _("{level}: {group} vs {rest}").format(level=word(observed["level"]), group=share(group), rest=share(rest))
    if "medians" in observed:
        return _("medians {values}").format(values=", ".join(f"{s}: {number(m)}" for s, m in observed["medians"].items()))
    return _("see segment shares")


def register_reading(row) -> str:
    """One hypothesis of the register (a row of :func:`register_readings`) in a sentence."""
    if row.verdict == NOT_TESTABLE:
        text = _("{statement} — {verdict} ({test}: every customer compared has the same value).")
    else:
        text = _("{statement} — {verdict} ({test}, {p} after Holm; {observed}).")
    text = text.format(statement=_(row.statement), verdict=_(row.verdict), test=word(row.test), p=p_text(row.p_holm),
                       observed=row.observed)
    return text + (" " + _("Circular: the segments were built on this metric.") if row.circular else "")


def register_readings(table: pd.DataFrame) -> pd.DataFrame:
    """The register of :func:`segkit_helpers.evaluation.hypotheses.evaluate_register` with ``observed`` in words
    and a ``reading`` per hypothesis (as ``validation.json`` holds it)."""
    out = table.assign(observed=[observed_text(o) for o in table["observed"]])
    out["reading"] = [register_reading(r) for r in out.itertuples()]
    return out


def register_table(table: pd.DataFrame) -> pd.DataFrame:
    """The register for the page: statistic, Holm p and effect as text ("—" and "not testable" where a statistic
    is undefined), with the observed values, verdict and the circular flag (headers in the report's language)."""
    table = register_readings(table)

    def figure(value: float, digits: int) -> str:
        return number(value, digits) if np.isfinite(value) else "—"

    return pd.DataFrame({_("test"): [word(t) for t in table["test"]],
                         _("statistic"): [figure(v, 2) for v in table["statistic"]],
                         _("after Holm"): [p_text(p) for p in table["p_holm"]],
                         _("effect"): [figure(v, 3) for v in table["effect"]], _("observed"): table["observed"].to_numpy(),
                         _("verdict"): [_(v) for v in table["verdict"]],
                         _("circular"): np.where(table["circular"], _("yes"), _("no"))},
                        index=pd.Index(table["id"], name="id"))


def register_text(table: pd.DataFrame) -> str:
    """The readings of the register as a Markdown list."""
    return "\n".join(f"- {line}" for line in register_readings(table)["reading"])


def _who(segment, everyone: str) -> str:
    return everyone if segment == "all" else _("Segment {segment}").format(segment=segment)


def agreement_reading(segment, row: pd.Series) -> str:
    """One row of :func:`segkit_helpers.evaluation.review.review_agreement` in a sentence."""
    who = _who(segment, _("All segments"))
    judged = row["fits"] + row["does_not_fit"]
    if not judged:
        return _("{who}: no verdicts yet.").format(who=who)
    text = _("{who}: experts agree on {fits} of {judged} customers ({agreement}, 95% CI {low}–{high})").format(
        who=who, fits=row["fits"], judged=judged, agreement=share(row["agreement"]), low=share(row["ci_low"]),
        high=share(row["ci_high"]))
    return text + (_(" — revise this persona.") if row["revise"] else ".")


def agreement_table(agreement: pd.DataFrame) -> pd.DataFrame:
    """The agreement table with a ``reading`` per segment (as ``validation.json`` holds it)."""
    return agreement.assign(reading=[agreement_reading(seg, row) for seg, row in agreement.iterrows()])


def review_text(sheet: pd.DataFrame, agreement: pd.DataFrame) -> str:
    """What the review step found: the sheet to send out, or the experts' agreement per segment."""
    if agreement.empty:
        return _("Review sheet: {n} customers to send to business experts (review_sheet.csv). Set "
                 "'validation.review_sheet' to the filled sheet to see their agreement here.").format(n=len(sheet))
    return "\n".join(f"- {line}" for line in agreement_table(agreement)["reading"])


def experiment_text(data: pd.DataFrame) -> str:
    """The cycle's experiment (:func:`segkit_helpers.evaluation.experiments.load_experiment`) in a sentence."""
    if data.empty:
        return _("No experiment in this cycle: set 'sources.experiments' to analyse one per segment.")
    outcomes = [_(c) for c in OUTCOMES if c in data]
    text = _("Experiment: {customers} customers, {treated} treated; outcomes: {outcomes}.").format(
        customers=count(len(data)), treated=count(int((data["group"] == "treatment").sum())),
        outcomes=", ".join(outcomes))
    missing = int(data["segment"].isna().sum())
    if missing:
        text += " " + _("{n} customers of the experiment are not in this cycle's segments: they count only in the "
                        "'all' row.").format(n=count(missing))
    return text


def _uplift_line(seg, row: pd.Series, outcome: str) -> str:
    """One row of the uplift table in a sentence."""
    name = f" ({row['segment_name']})" if "segment_name" in row and isinstance(row["segment_name"], str) else ""
    who = _("All customers") if seg == "all" else _who(seg, "") + name
    if pd.isna(row["p_value"]):
        return _("{who}: not testable ({test}).").format(who=who, test=word(row["test"]))
    if outcome == "converted":
        effect = _("{uplift} points conversion ({control} → {treatment}; 95% CI {low} to {high})").format(
            uplift=signed(row["uplift"] * 100, 1), control=share(row["control"], 1),
            treatment=share(row["treatment"], 1), low=signed(row["ci_low"] * 100, 1), high=signed(row["ci_high"] * 100, 1))
        detect = _("±{mde} points").format(mde=number(row["mde"] * 100, 1))
    else:
        effect = _("{uplift} revenue per customer (95% CI {low} to {high})").format(
            uplift=signed(row["uplift"], 2), low=signed(row["ci_low"], 2), high=signed(row["ci_high"], 2))
        detect = f"±{number(row['mde'])}"
    verdict = (_("significant after Holm correction") if row["significant"] and seg != "all" else
               _("significant") if row["significant"] else _("not significant"))
    return _("{who}: {effect}, {verdict} ({p}); the test could detect effects of {detect}.").format(
        who=who, effect=effect, verdict=verdict, p=p_text(row["p_holm"]), detect=detect)


def uplift_text(table: pd.DataFrame, outcome: str = "converted") -> str:
    """One plain sentence per row of :func:`segkit_helpers.evaluation.experiments.uplift_by_segment`, for a
    sales director (a Markdown list)."""
    if table.empty:
        return _("No experiment with this outcome in the cycle.")
    return "\n".join(f"- {_uplift_line(seg, row, outcome)}" for seg, row in table.iterrows())


def interaction_reading(result: dict) -> str:
    """The interaction test of :func:`segkit_helpers.evaluation.experiments.interaction_test` in one sentence."""
    if result["test"] == "none":
        return (_("No experiment to test.") if result["segments"] is None else
                _("Only one segment took part: no comparison between segments."))
    what = _("conversion") if result["outcome"] == "converted" else _("revenue per customer")
    test, p = word(result["test"]), result["p_value"]
    if p < 0.05:
        text = _("The effect on {what} differs between segments ({test}, {p}): target the segments where it works.")
    else:
        text = _("No evidence that the effect on {what} differs between segments ({test}, {p}).")
    return text.format(what=what, test=test, p=p_text(p))


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
    return view(sizes, index=True, caption=_("Customers per segment"))


def null_view(structure: dict) -> Table:
    """The real fit against every draw without groups (:func:`null_table`); the reading alone for quadrants."""
    record = structure_record(structure)
    shown = null_table(structure) if record["draws"] else None
    return view(shown, index=True, caption=_("Silhouette and stability: the customers against data without groups"),
                empty=record["reading"])


def tests_view(tests: pd.DataFrame) -> Table:
    """The difference tests in words (:func:`readable_tests`), features named as headers."""
    shown = readable_tests(tests)
    if tests.empty:
        return view(None, empty=shown.iloc[0, 0])
    return view(shown.set_axis(_features(shown.index)), {_("statistic"): "figure"}, index=True,
                caption=_("Do the segments differ? Tests per feature (Holm-corrected)"))


def pairwise_view(pairwise: pd.DataFrame) -> Table:
    """The pairwise tests (:func:`~segkit_helpers.evaluation.differences.pairwise_tests`) without U and raw p."""
    shown = pairwise.drop(columns=[c for c in ("U", "p_value") if c in pairwise])
    if not shown.empty:
        shown = shown.assign(feature=[header(f) for f in shown["feature"]])
    return view(shown, {"p_holm": "p"} if not shown.empty else None, caption=_("Pairs of segments, per feature"),
                empty=_("No pairwise tests: no feature outside the clustering features to test."))


def silhouette_view(silhouettes: pd.Series) -> Table:
    """The silhouette per segment (:func:`~segkit_helpers.evaluation.structure.segment_silhouettes`)."""
    return view(silhouettes.rename("silhouette").rename_axis("segment"), index=True,
                caption=_("Separation: mean silhouette per segment"))


def segment_verdict_view(verdicts: pd.DataFrame, bars: dict) -> Table:
    """The per-segment verdicts in words (:func:`segment_table`)."""
    shown = segment_table(verdicts, bars)
    shown["distinct_on"] = [", ".join(header(f) for f in str(v).split(", ") if f) if v else "" for v in
                            shown["distinct_on"]]
    return view(shown, index=True, caption=_("Can each segment be targeted alone?"))


def hypothesis_view(verdicts: dict[str, dict], structure: dict) -> Table:
    """The standing hypotheses H1–H3 with evidence and verdict (:func:`hypothesis_table`)."""
    shown = hypothesis_table(verdicts, structure)
    shown = shown.assign(verdict=[_(v) for v in shown["verdict"]]).rename(
        columns={"hypothesis": _("hypothesis"), "evidence": _("evidence"), "verdict": _("verdict")})
    return view(shown, index=True, caption=_("The standing hypotheses of every cycle"))


def review_view(review: tuple[pd.DataFrame, pd.DataFrame], cfg: dict, rows: int = 12) -> Table:
    """The first ``rows`` customers of the review sheet (:func:`~segkit_helpers.evaluation.review.review_for_cycle`)."""
    sheet = review[0].head(rows)
    sheet = sheet.assign(**{c: [word(v) for v in sheet[c]] for c in ("kind", "value_loyalty_quadrant") if c in sheet})
    kinds = {c: kind for c, kind in {"membership": "share", "monetary": "money", "avg_order_value": "money",
                                     "profit": "money", "p_alive": "share"}.items() if c in sheet}
    return view(sheet, kinds, currency=currency_of(cfg), caption=_("Review sheet: typical and borderline customers"),
                empty=_("No review sheet in this cycle."))


def agreement_view(review: tuple[pd.DataFrame, pd.DataFrame]) -> Table:
    """The experts' agreement per segment (:func:`agreement_table`), or a sentence while the sheet is not back."""
    agreement = review[1]
    shown = None if agreement.empty else agreement_table(agreement)
    kinds = {"agreement": "share", "ci_low": "share", "ci_high": "share"} if shown is not None else None
    return view(shown, kinds, index=True, caption=_("Business experts' agreement per segment"),
                empty=_("No filled review sheet yet: the experts' agreement shows here once it is back."))


def register_view(register: pd.DataFrame) -> Table:
    """The hypothesis register (:func:`register_table`)."""
    if register.empty:
        return view(None, empty=_("No hypotheses in the register."))
    figures = (_("statistic"), _("after Holm"), _("effect"))
    return view(register_table(register), dict.fromkeys(figures, "figure"), index=True,
                caption=_("The hypothesis register (Holm-corrected)"))
