"""The words of the index's decision summary: key findings, data caveats and next steps, in plain sentences.

Each function reads the facts of a cycle (:class:`segkit_helpers.report.facts.CycleFacts`)
and the segment table of :func:`segkit_helpers.report.summary.segment_table`; all wording is
here so that it can be translated in one place.
"""

from __future__ import annotations

import pandas as pd

from segkit_helpers.report.facts import CycleFacts
from segkit_helpers.report.i18n import _
from segkit_helpers.report.numbers import count, date, money, number, share
from segkit_helpers.report.vocabulary import weak_verdict

#: Two cycles' history windows differ "materially" beyond this share of the shorter one.
WINDOW_TOLERANCE = 0.1


def _segment(row_id: int, table: pd.DataFrame) -> str:
    name = table.loc[row_id, "name"]
    if isinstance(name, str) and name:
        return _("segment {id} ({name})").format(id=row_id, name=name)
    return _("segment {id}").format(id=row_id)


def gold_sentence(table: pd.DataFrame) -> str:
    """Who the gold customers are: the segment with the largest share of profit."""
    gold = table["profit"].idxmax()
    row = table.loc[gold]
    return _("The gold customers are {segment}: {customers} of the customers bring {revenue} of the revenue and "
             "{profit} of the profit.").format(segment=_segment(gold, table), customers=share(row["customer_share"]),
                                               revenue=share(row["revenue_share"]), profit=share(row["profit_share"]))


def weak_segments(table: pd.DataFrame) -> pd.DataFrame:
    """The segments step 03 says not to target alone (unstable, blending with neighbours or indistinct)."""
    return table[[weak_verdict(v) for v in table["verdict"]]]


def stability_sentence(facts: CycleFacts, table: pd.DataFrame) -> str | None:
    """Which segments are unstable or should not be targeted alone (step 03's per-segment verdicts)."""
    weak = weak_segments(table)
    if table["verdict"].isna().all():
        return None
    if weak.empty:
        return _("Every segment passed step 03's checks of stability, separation and distinctness.")
    parts = [f"{_segment(s, table)}: {r['verdict']}" for s, r in weak.iterrows()]
    return _("Handle with care — {segments}.").format(segments="; ".join(parts))


def change_sentences(facts: CycleFacts) -> list[str]:
    """What changed since the previous cycle, each alert once (the revision repeats the alerts)."""
    monitor = facts.monitor
    if monitor.get("first_cycle"):
        return [_("This is the first cycle: nothing to compare with yet.")]
    said = [_("{share} of the customers present in both cycles stayed in their segment.").format(
        share=share(monitor["retention"]))]
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
        said.append(_("{held} of {total} checks of the segmentation held{ids}.").format(
            held=len(held), total=len(checks), ids=f" ({', '.join(held)})" if held else ""))
    register = v.get("hypothesis_register") or []
    if register:
        held = [h["id"] for h in register if h["verdict"] == "supported"]
        said.append(_("{held} of {total} business hypotheses held{ids}.").format(
            held=len(held), total=len(register), ids=f" ({', '.join(held)})" if held else ""))
    conversion = [r for r in (v.get("experiment") or {}).get("conversion") or [] if str(r["segment"]) != "all"]
    if conversion:
        lifted = [str(r["segment"]) for r in conversion if r.get("significant")]
        said.append(_("The experiment lifted conversion significantly in {lifted} of {total} segments{ids}.").format(
            lifted=len(lifted), total=len(conversion), ids=f" ({', '.join(lifted)})" if lifted else ""))
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
        said.append(_("Refitting on resampled customers reproduces the chosen segments with an adjusted Rand index of "
                      "{ari} on average (1 = identical); this checks the final segments, unlike the agreement between "
                      "two independent refits used above to choose their number.").format(
            ari=number(stability["mean_ari"], 2)))
    said += [s for s in [stability_sentence(facts, table)] if s]
    said += change_sentences(facts) + test_sentences(facts)
    costly = table[table["cost_to_serve"] > table["value"]]
    for segment, row in costly.iterrows():
        said.append(_("Serving {segment} as {service_model} costs {cost}, more than the {value} of profit and expected "
                      "value it returns.").format(segment=_segment(segment, table), service_model=row["service_model"],
                                                  cost=money(row["cost_to_serve"], facts.currency),
                                                  value=money(row["value"], facts.currency)))
    return said


def caveats(facts: CycleFacts, previous: CycleFacts | None = None) -> list[str]:
    """What to keep in mind when reading the figures: the data period and its gaps, synthetic inputs,
    the CLV model's warning and history windows that differ between the cycles compared."""
    start, asof = facts.period
    said = [_("Orders from {start} to {end} ({days} days).").format(start=date(start), end=date(asof),
                                                                     days=count((asof - start).days))]
    no_id = facts.check("share of lines without customer")
    if no_id:
        said.append(_("{share} of the order lines had no customer id and are left out of every figure.").format(
            share=share(no_id)))
    for table, source in facts.cfg["sources"].items():
        if source and source["synthetic"]:
            said.append(_("The {table} table is synthetic (generated with planted effects for the sample): its results "
                          "show how the method reads, not facts about these customers.").format(table=table))
    if facts.clv and facts.clv.get("caveat"):
        said.append(_("CLV: {caveat}").format(caveat=facts.clv["caveat"]))
    if previous is not None:
        here, there = facts.period[1] - facts.period[0], previous.period[1] - previous.period[0]
        if abs(here.days - there.days) > WINDOW_TOLERANCE * min(here.days, there.days):
            said.append(_("This cycle sees {days} days of history and cycle {previous} {previous_days}: customer counts "
                          "and values grow with the window, so a segment that 'grew' may only have had longer to "
                          "buy.").format(days=count(here.days), previous=previous.cfg["cycle"],
                                         previous_days=count(there.days)))
    return said


def next_steps(facts: CycleFacts, table: pd.DataFrame, revise_on: str, revision_due: bool) -> list[str]:
    """What to do next and when, from this cycle's results."""
    handover = "; ".join(_("{customers} customers of segment {id} to {service_model}").format(
        customers=count(r["customers"]), id=s, service_model=r["service_model"]) for s, r in table.iterrows())
    said = [_("Load the CRM export (downloads/segments.csv) and hand each segment to its service model: "
              "{handover}.").format(handover=handover)]
    for segment in weak_segments(table).index:
        said.append(_("Do not run a campaign for {segment} alone; act on it together with its neighbours or refine it "
                      "in the next cycle.").format(segment=_segment(segment, table)))
    for segment, row in table[table["cost_to_serve"] > table["value"]].iterrows():
        said.append(_("Review the service model of {segment}: it costs more than it returns.").format(
            segment=_segment(segment, table)))
    said.append(_("Revise the segments and personas in full now (the reasons are among the key findings).")
                if revision_due else _("Run the next cycle when new orders are in; revise the segments and personas in "
                                       "full by {date}.").format(date=revise_on))
    return said
