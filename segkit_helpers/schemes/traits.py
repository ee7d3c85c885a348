"""Segments in words: the features on which each segment stands out, for names and persona descriptions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit_helpers.report.i18n import N_, _

#: Profile metrics in words (English; shown translated).
LABELS = {"recency_days": N_("days since the last order"), "frequency": N_("number of orders"),
          "monetary": N_("revenue"), "avg_order_value": N_("order value"),
          "orders_per_quarter": N_("orders per quarter"),
          "basket_value_change": N_("basket value growth"), "order_gap_cv": N_("irregularity of orders"),
          "distinct_products": N_("range of products"), "share_active_months": N_("share of months active"),
          "tenure_days": N_("tenure"), "monthly_spend_cv": N_("spend volatility")}
#: Profile metrics a persona description may cite (besides the scheme's own features).
TRAIT_METRICS = list(LABELS)


def _readable(feature: str) -> str:
    """A column name as words in the report language: ``q02_deadline_is_critical`` → "deadline is critical"."""
    if feature in LABELS:
        return _(LABELS[feature])
    if feature.startswith("line_share_"):
        return _("share of {line}").format(line=feature.removeprefix("line_share_").replace("_", " "))
    words = feature.split("_")
    if len(words) > 1 and words[0][:1] == "q" and words[0][1:].isdigit():
        words = words[1:]
    return " ".join(words)


#: Features whose "high" / "low" read better in their own words.
DIRECTION_WORDS = {"recency_days": (N_("long since the last order"), N_("ordered recently"))}


def _direction(feature: str, z: float) -> str:
    """A trait in words: "high <feature>" or "low <feature>" (or the feature's own words)."""
    if feature in DIRECTION_WORDS:
        return _(DIRECTION_WORDS[feature][0 if z > 0 else 1])
    return (_("high {feature}") if z > 0 else _("low {feature}")).format(feature=_readable(feature))


def distinctive_traits(data: pd.DataFrame, labels: np.ndarray, features: list[str], categorical: list[str],
                       top: int = 2) -> dict[int, list[str]]:
    """Per segment, its most distinctive traits in words, strongest first.

    A numeric feature's strength is the segment's mean percentile rank against the
    overall mean rank, in SDs of the ranks (|z| ≥ 0.5 counts; the trait reads "high …"
    or "low …"); ranks keep one extreme customer from dominating a skewed amount. A
    categorical feature's strength is the lift of its most over-represented level
    (share in the segment / share overall − 1, counted when the level holds at least
    half the segment; the trait is the level itself, e.g. "Retail").
    """
    traits: dict[int, list[tuple[float, str]]] = {}
    for seg in np.unique(labels):
        members = data[labels == seg]
        found = []
        for feature in features:
            if feature in categorical or not pd.api.types.is_numeric_dtype(data[feature]):
                shares = members[feature].astype("string").value_counts(normalize=True)
                overall = data[feature].astype("string").value_counts(normalize=True)
                if len(shares) and shares.iloc[0] >= 0.5:
                    level = shares.index[0]
                    found.append((shares.iloc[0] / overall[level] - 1, f"{feature} {level}"))
            else:
                ranks = pd.to_numeric(data[feature], errors="coerce").rank(pct=True)
                sd = ranks.std(ddof=0)
                z = (ranks[labels == seg].mean() - ranks.mean()) / sd if sd > 1e-9 else 0.0
                if abs(z) >= 0.5:
                    found.append((abs(z), _direction(feature, z)))
        traits[int(seg)] = [text for _strength, text in sorted(found, key=lambda t: -t[0])[:top]]
    return traits


def trait_names(data: pd.DataFrame, labels: np.ndarray, features: list[str], categorical: list[str],
                noun: str) -> dict[int, str]:
    """Per segment, a name from its two most distinctive traits ("Average <noun>" when none stands out)."""
    traits = distinctive_traits(data, labels, features, categorical)
    average = _("Average {noun}").format(noun=_(noun))
    return {seg: (" · ".join(t[:1].upper() + t[1:] for t in found) if found else average)
            for seg, found in traits.items()}
