"""The words of the index's decision summary: key findings, data caveats and next steps, in plain sentences.

Each function reads the facts of a cycle (:class:`segkit_helpers.report.facts.CycleFacts`)
and the segment table of :func:`segkit_helpers.report.summary.segment_table`; all wording is
here so that it can be translated in one place.
"""

from __future__ import annotations

import pandas as pd

from segkit_helpers.evaluation.verdicts import DO_NOT_TARGET_ALONE
from segkit_helpers.report.facts import CycleFacts
from segkit_helpers.report.numbers import count, date, money, share

#: Two cycles' history windows differ "materially" beyond this share of the shorter one.
WINDOW_TOLERANCE = 0.1


def _segment(row_id: int, table: pd.DataFrame) -> str:
    name = table.loc[row_id, "name"]
    return f"segment {row_id} ({name})" if isinstance(name, str) and name else f"segment {row_id}"


def gold_sentence(table: pd.DataFrame) -> str:
    """Who the gold customers are: the segment with the largest share of profit."""
    gold = table["profit"].idxmax()
    row = table.loc[gold]
    return (f"The gold customers are {_segment(gold, table)}: {share(row['customer_share'])} of the customers bring "
            f"{share(row['revenue_share'])} of the revenue and {share(row['profit_share'])} of the profit.")


def weak_segments(table: pd.DataFrame) -> pd.DataFrame:
    """The segments step 03 says not to target alone (unstable, blending with neighbours or indistinct)."""
    return table[table["verdict"].fillna("").str.startswith(DO_NOT_TARGET_ALONE)]


def stability_sentence(facts: CycleFacts, table: pd.DataFrame) -> str | None:
    """Which segments are unstable or should not be targeted alone (step 03's per-segment verdicts)."""
    weak = weak_segments(table)
    if table["verdict"].isna().all():
        return None
    if weak.empty:
        return "Every segment passed step 03's checks of stability, separation and distinctness."
    parts = [f"{_segment(s, table)}: {r['verdict']}" for s, r in weak.iterrows()]
    return "Handle with care — " + "; ".join(parts) + "."


def change_sentences(facts: CycleFacts) -> list[str]:
    """What changed since the previous cycle, each alert once (the revision repeats the alerts)."""
    monitor = facts.monitor
    if monitor.get("first_cycle"):
        return ["This is the first cycle: nothing to compare with yet."]
    said = [f"{share(monitor['retention'])} of the customers present in both cycles stayed in their segment."]
    alerts = list(dict.fromkeys(monitor.get("alerts") or []))
    reasons = [r for r in (monitor.get("revision") or {}).get("reasons", []) if r not in alerts]
    said += [a[0].upper() + a[1:] + "." for a in alerts + reasons]
    return said


def test_sentences(facts: CycleFacts) -> list[str]:
    """Which of step 03's checks, business hypotheses and experiments held."""
    v = facts.validation
    said = []
    checks = v.get("hypotheses") or []
    if checks:
        held = [h["id"] for h in checks if h["verdict"] == "supported"]
        said.append(f"{len(held)} of {len(checks)} checks of the segmentation held"
                    + (f" ({', '.join(held)})" if held else "") + ".")
    register = v.get("hypothesis_register") or []
    if register:
        held = [h["id"] for h in register if h["verdict"] == "supported"]
        said.append(f"{len(held)} of {len(register)} business hypotheses held" + (f" ({', '.join(held)})" if held else "")
                    + ".")
    conversion = [r for r in (v.get("experiment") or {}).get("conversion") or [] if str(r["segment"]) != "all"]
    if conversion:
        lifted = [str(r["segment"]) for r in conversion if r.get("significant")]
        said.append(f"The experiment lifted conversion significantly in {len(lifted)} of {len(conversion)} segments"
                    + (f" (segment{'s' if len(lifted) > 1 else ''} {', '.join(lifted)})" if lifted else "") + ".")
    return said


def key_findings(facts: CycleFacts, table: pd.DataFrame) -> list[str]:
    """The index's key findings, in the order a reviewer asks: how many segments and why, who is gold,
    whether the segments are real and stable, what changed, what held and what it costs."""
    said = []
    if facts.k_choice:
        said.append(facts.k_choice["explanation"])
    said.append(gold_sentence(table))
    structure = facts.validation.get("structure") or {}
    if structure.get("reading"):
        said.append(structure["reading"])
    stability = facts.validation.get("stability") or {}
    if "mean_ari" in stability:
        said.append(f"Refitting on resampled customers reproduces the chosen segments with an adjusted Rand index of "
                    f"{stability['mean_ari']:.2f} on average (1 = identical); this is a check of the final "
                    f"{len(table)} segments, unlike the agreement between two independent refits used above to choose "
                    f"their number.")
    said += [s for s in [stability_sentence(facts, table)] if s]
    said += change_sentences(facts) + test_sentences(facts)
    costly = table[table["cost_to_serve"] > table["value"]]
    for segment, row in costly.iterrows():
        said.append(f"Serving {_segment(segment, table)} as {row['service_model']} costs "
                    f"{money(row['cost_to_serve'], facts.currency)}, more than the "
                    f"{money(row['value'], facts.currency)} of profit and expected value it returns.")
    return said


def caveats(facts: CycleFacts, previous: CycleFacts | None = None) -> list[str]:
    """What to keep in mind when reading the figures: the data period and its gaps, synthetic inputs,
    the CLV model's warning and history windows that differ between the cycles compared."""
    start, asof = facts.period
    said = [f"Orders from {date(start)} to {date(asof)} ({count((asof - start).days)} days)."]
    no_id = facts.check("share of lines without customer")
    if no_id:
        said.append(f"{share(no_id)} of the order lines had no customer id and are left out of every figure.")
    for table, source in facts.cfg["sources"].items():
        if source and source["synthetic"]:
            said.append(f"The {table} table is synthetic (generated with planted effects for the sample): its results "
                        f"show how the method reads, not facts about these customers.")
    if facts.clv and facts.clv.get("caveat"):
        said.append("CLV: " + facts.clv["caveat"])
    if previous is not None:
        here, there = facts.period[1] - facts.period[0], previous.period[1] - previous.period[0]
        if abs(here.days - there.days) > WINDOW_TOLERANCE * min(here.days, there.days):
            said.append(f"This cycle sees {count(here.days)} days of history and cycle {previous.cfg['cycle']} "
                        f"{count(there.days)}: customer counts and values grow with the window, so a segment that "
                        f"'grew' may only have had longer to buy.")
    return said


def next_steps(facts: CycleFacts, table: pd.DataFrame, revise_on: str, revision_due: bool) -> list[str]:
    """What to do next and when, from this cycle's results."""
    said = ["Load the CRM export (downloads/segments.csv) and hand each segment to its service model: "
            + "; ".join(f"{count(r['customers'])} customers of segment {s} to {r['service_model']}"
                        for s, r in table.iterrows()) + "."]
    for segment in weak_segments(table).index:
        said.append(f"Do not run a campaign for {_segment(segment, table)} alone; act on it together with its "
                    f"neighbours or refine it in the next cycle.")
    for segment, row in table[table["cost_to_serve"] > table["value"]].iterrows():
        said.append(f"Review the service model of {_segment(segment, table)}: it costs more than it returns.")
    said.append("Revise the segments and personas in full now (the reasons are among the key findings)." if revision_due
                else f"Run the next cycle when new orders are in; revise the segments and personas in full by {revise_on}.")
    return said
