"""The hypothesis step in words: the scheme, the whitespace, persona drafts and their table (seed 002 steps 4–5).

Every sentence of step 02's page is built here, in the report language
(:mod:`segkit_helpers.report.i18n`): persona cards from the segment profiles of
:func:`segkit_helpers.schemes.behavioural.segment_profiles`, the scheme line and the
whitespace line from what the schemes return.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit_helpers.report import numbers
from segkit_helpers.report.i18n import N_, _
from segkit_helpers.report.sentences import Block, Sentence
from segkit_helpers.report.tables import Table, currency_of, header, membership_kinds, table
from segkit_helpers.schemes.behavioural import FEATURES, log_modulus
from segkit_helpers.schemes.common import scheme_class, scheme_features


def scheme_sentence(data: pd.DataFrame, cfg: dict) -> Sentence:
    """The scheme, the columns it clusters and how many customers it segments."""
    return Sentence(_("Scheme: {scheme}. Clustered on: {features}; {customers} customers.").format(
        scheme=_(scheme_class(cfg).title), features=", ".join(header(f) for f in scheme_features(data, cfg)),
        customers=numbers.count(len(data))))


def profile_size(profile: pd.DataFrame) -> Sentence:
    """How many customers the research profile holds."""
    return Sentence(_("{customers} customers in the profile").format(customers=numbers.count(len(profile))))


def k_sentence(choice: dict) -> Block:
    """The k used and why (:func:`segkit_helpers.schemes.common.k_choice`'s ``explanation``), as a key sentence."""
    return Block(choice["explanation"], "key")


def whitespace_sentence(gaps: pd.DataFrame, has_lines: bool, cfg: dict | None = None) -> Sentence:
    """How many customers have whitespace and what their best next lines are worth (in the currency of ``cfg``),
    or how to get product lines."""
    if not has_lines:
        return Sentence(_("No product lines in the profile: map a 'category' column of the transactions or set "
                          "'research.product_lines' to see cross-sell opportunities."))
    worth = numbers.money(gaps.loc[gaps["rank"] == 1, "expected_value"].sum(), currency_of(cfg or {}))
    return Sentence(_("{customers} customers have at least one whitespace line, worth {worth} in expected revenue for "
                      "their best next line.").format(customers=numbers.count(gaps["customer_id"].nunique()),
                                                       worth=worth))

#: The words of a persona name, one per RFM feature (English; :func:`rfm_name` translates them).
FEATURE_WORDS = {
    "recency_days": (N_("Active"), N_("Cooling"), N_("Lapsed")),  # low recency = bought lately
    "frequency": (N_("frequent"), N_("regular"), N_("occasional")),
    "monetary": (N_("high-value"), N_("mid-value"), N_("low-value")),
}
#: How the three words make a name; each language puts them in its own order.
NAME_PATTERN = N_("{recency} {frequency} {value} buyers")
DISTINCT_Z = 0.5  # a segment mean this many overall SDs from the overall mean is "distinctive"


def _feature_z(profiles: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """Each segment's RFM position as z-scores against all customers, in log1p units.

    The segment centres when the scheme clusters RFM (``center_<feature>`` columns),
    else the segment medians.
    """
    logs = log_modulus(profile[FEATURES].to_numpy(dtype=float))
    mean, sd = logs.mean(axis=0), logs.std(axis=0)
    if all(f"center_{f}" in profiles for f in FEATURES):
        centers = profiles[[f"center_{f}" for f in FEATURES]].to_numpy()
    else:
        centers = log_modulus(profiles[[f"median_{f}" for f in FEATURES]].to_numpy(dtype=float))
    return pd.DataFrame((centers - mean) / np.where(sd > 0, sd, 1), columns=FEATURES, index=profiles.index)


def _word(feature: str, z: float) -> str:
    low, mid, high = FEATURE_WORDS[feature]
    if feature == "recency_days":
        return low if z <= -DISTINCT_Z else high if z >= DISTINCT_Z else mid
    return low if z >= DISTINCT_Z else high if z <= -DISTINCT_Z else mid


def rfm_name(words: dict[str, str]) -> str:
    """A persona name from its three English words (feature → word) in the report language's word order."""
    return _(NAME_PATTERN).format(recency=_(words["recency_days"]), frequency=_(words["frequency"]),
                                  value=_(words["monetary"]))


SOFT_QUESTIONS = [
    N_("Who decides the purchase in these accounts, and how do they prefer to be contacted?"),
    N_("What problem do they solve with our products, and what pains do they mention to sales?"),
    N_("How do they respond to campaigns, discounts and new products?"),
    N_("What would make them buy more often or move more of their spend to us?"),
    N_("Which competitors do they also buy from, and why?"),
]
#: The persona table's own columns (English identifiers; :func:`~segkit_helpers.report.tables.header` translates).
PERSONA_COLUMNS = (N_("share of customers"), N_("share of revenue"), N_("stability (Jaccard)"), N_("target alone?"))


def draft_personas(profiles: pd.DataFrame, profile: pd.DataFrame, stability: pd.DataFrame | None = None,
                   previous: dict | None = None, names: dict[int, str] | None = None,
                   traits: dict[int, str] | None = None) -> list[dict]:
    """A persona draft per segment, from its distinctive features (seed 002 steps 4–5).

    The name combines three words, one per RFM feature, chosen by how far the segment
    centre lies from the overall mean in SD units (±0.5 SD is distinctive); duplicates
    get the segment id appended. A segment matched to the previous cycle keeps the
    name it had there — which the team may have edited in that cycle's
    ``personas.yml`` — so names stick across cycles. The description states size and
    value; the data answers come from the segment's medians; the soft questions are
    for business experts to answer.

    Parameters
    ----------
    stability
        :func:`segkit_helpers.evaluation.validation.segment_stability`, shown on each card.
    previous
        The previous cycle (:func:`segkit_helpers.monitoring.drift.load_previous`).
    names
        Generated names to use instead of the RFM words (schemes that segment on
        something else name segments by it: :func:`segkit_helpers.schemes.common.scheme_names`).
    traits
        A sentence per segment on what makes it distinctive
        (:func:`segkit_helpers.schemes.common.segment_traits`), added to the description.

    Returns
    -------
    list of dict
        ``segment``, ``name``, ``name_source`` (generated / previous cycle),
        ``description``, ``customers``, ``customer_share``, ``revenue_share``,
        ``stability`` and ``target_alone`` (when given), ``data_answers``
        (question → answer) and ``soft_questions``, in segment id order.
    """
    z = _feature_z(profiles, profile)
    names = names or {seg: rfm_name({f: _word(f, z.loc[seg, f]) for f in FEATURES}) for seg in profiles.index}
    counts = pd.Series(names).value_counts()
    kept = {p["segment"]: p["name"] for p in (previous or {}).get("personas", [])}
    personas = []
    for seg, row in profiles.iterrows():
        name = names[seg] if counts[names[seg]] == 1 else f"{names[seg]} ({seg})"
        card_stability = {}
        if stability is not None and seg in stability.index:
            card_stability = {"stability": float(stability.loc[seg, "jaccard"]),
                              "target_alone": bool(stability.loc[seg, "stable"])}
        personas.append(
            {
                "segment": int(seg),
                "name": kept.get(int(seg), name),
                "name_source": "previous cycle" if int(seg) in kept else "generated",
                "customers": int(row.customers),
                "customer_share": round(float(row.customer_share), 4),
                "revenue_share": round(float(row.revenue_share), 4),
                **card_stability,
                "description": _description(row) + (f" {traits[seg]}" if traits and seg in traits else ""),
                "data_answers": _data_answers(row),
                "soft_questions": [_(q) for q in SOFT_QUESTIONS],
            }
        )
    return personas


def _description(row) -> str:
    """A persona's size and value in one sentence (a row of the segment profiles)."""
    return _("{customers} customers ({customer_share} of all) bringing {revenue_share} of net revenue. Typically last "
             "bought {recency} days ago, {orders} order(s) so far, {monetary} in net revenue.").format(
        customers=numbers.count(row.customers), customer_share=numbers.share(row.customer_share),
        revenue_share=numbers.share(row.revenue_share), recency=numbers.count(row.median_recency_days),
        orders=numbers.count(row.median_frequency), monetary=numbers.number(row.median_monetary, 0))


def _data_answers(row) -> dict[str, str]:
    """The questions the data answers about a persona, with the answers (a row of the segment profiles)."""
    return {
        _("How often do they buy?"): _("{orders} orders per quarter (median)").format(
            orders=numbers.number(row.median_orders_per_quarter)),
        _("How much do they spend per order?"): _("{value} (median average order value)").format(
            value=numbers.number(row.median_avg_order_value, 0)),
        _("How recently did they buy?"): _("{days} days before the as-of date (median)").format(
            days=numbers.count(row.median_recency_days)),
        _("How much of our revenue do they bring?"): numbers.share(row.revenue_share, 1),
        _("Are they profitable and loyal?"): _("mostly {quadrant}").format(quadrant=_(row.main_quadrant)),
    }


def persona_table(personas: list[dict]) -> pd.DataFrame:
    """Persona cards as a table: name, size, value, stability, description and the data answers."""
    rows = []
    for p in personas:
        row = {"segment": p["segment"], "name": p["name"], "customers": p["customers"],
               "share of customers": numbers.share(p["customer_share"]),
               "share of revenue": numbers.share(p["revenue_share"])}
        if "stability" in p:
            row["stability (Jaccard)"] = round(p["stability"], 2)
            row["target alone?"] = _("yes") if p["target_alone"] else _("no: unstable, combine or watch")
        rows.append({**row, "description": p["description"], **p["data_answers"]})
    return pd.DataFrame(rows).set_index("segment")


# --- the tables of page 02 (through the one table layer, :mod:`segkit_helpers.report.tables`) ------------------

#: Schemes whose segment centres are in log1p units of the features (the others: the features' own units).
LOG_CENTRES = ("behavioural", "opportunity")


def k_table_view(k_table: pd.DataFrame) -> Table:
    """The k choice (:func:`~segkit_helpers.schemes.common.choose_k`): indices, stability and the recommendation."""
    kinds = {c: "number" for c in k_table.columns if pd.api.types.is_float_dtype(k_table[c])}
    shown = k_table.rename(columns={"calinski_harabasz": "Calinski–Harabasz", "davies_bouldin": "Davies–Bouldin",
                                    "stability": N_("stability (ARI)"), "stability_sd": N_("stability SD")})
    kinds = {shown.columns[list(k_table.columns).index(c)]: kind for c, kind in kinds.items()}
    return table(shown, kinds, caption=_("Number of segments k: internal indices and bootstrap stability"))


def segments_view(segments: pd.DataFrame, rows: int = 5) -> Table:
    """The first ``rows`` customers of :func:`~segkit_helpers.schemes.common.fit_segments`."""
    head = segments.head(rows)
    if "value_loyalty_quadrant" in head:
        head = head.assign(value_loyalty_quadrant=[_(q) for q in head["value_loyalty_quadrant"]])
    return table(head, membership_kinds(head.columns), caption=_("The first customers and their segments"))


def profiles_view(profiles: pd.DataFrame, cfg: dict) -> Table:
    """The segment profiles (:func:`~segkit_helpers.schemes.behavioural.segment_profiles`), money with the currency
    and the segment centres with their scale."""
    scale = _("log1p scale") if cfg["segmentation"]["scheme"] in LOG_CENTRES else _("the scheme's scale")
    if "main_quadrant" in profiles:
        profiles = profiles.assign(main_quadrant=[_(q) for q in profiles["main_quadrant"]])
    shown = profiles.rename(columns={c: _("centre: {feature}, {scale}").format(feature=header(c[len("center_"):]),
                                                                               scale=scale)
                                     for c in profiles.columns if c.startswith("center_")})
    money = ("revenue", "mean_monetary", "median_monetary", "median_avg_order_value", "profit", "clv")
    kinds = {c: "money" for c in money if c in shown}
    kinds.update({c: "share" for c in ("customer_share", "revenue_share") if c in shown})
    kinds.update({c: "number:0" for c in ("median_recency_days", "median_frequency", "median_tenure_days") if c in shown})
    return table(shown, kinds, index=True, currency=currency_of(cfg), caption=_("Segment profiles"))


def stability_view(stability: pd.DataFrame) -> Table:
    """Segment-level stability (:func:`~segkit_helpers.evaluation.validation.segment_stability`)."""
    shown = stability.rename(columns={"jaccard": N_("stability (mean Jaccard)"), "jaccard_min": N_("lowest Jaccard")})
    return table(shown, index=True, caption=_("How often each segment is found again in bootstrap refits"))


def whitespace_view(gaps: pd.DataFrame, cfg: dict, rows: int = 10) -> Table:
    """The first ``rows`` whitespace lines (:func:`~segkit_helpers.schemes.opportunity.opportunity_tables`)."""
    head = gaps.head(rows)
    if not head.empty:
        head = head.assign(product_line=[header(v) for v in head["product_line"]])
    return table(head, {"penetration": "share", "expected_value": "money"} if not head.empty else None,
                 currency=currency_of(cfg), caption=_("Whitespace: product lines a customer does not buy yet"),
                 empty=_("No whitespace: the profile has no product lines."))


def persona_view(personas: list[dict]) -> Table:
    """The persona cards (:func:`persona_table`) as a report table."""
    return table(persona_table(personas), {"stability (Jaccard)": "number"} if personas and "stability" in personas[0]
                 else None, index=True, caption=_("Persona drafts"))
