"""Figures of the test step (03): bootstrap stability, a feature by segment, experiment uplift."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from segkit_helpers.report import numbers
from segkit_helpers.report.figures.base import caption, feature_label, feature_name, use_axes
from segkit_helpers.report.i18n import _


def plot_uplift(table: pd.DataFrame, outcome: str = "converted", ax: Axes | None = None) -> Axes:
    """Uplift per segment with its confidence interval (a forest plot), significant ones highlighted.

    ``table`` is :func:`segkit_helpers.evaluation.experiments.uplift_by_segment`; an empty table
    draws a note instead.
    """
    if table.empty:
        ax = use_axes(ax, (7, 2))
        ax.axis("off")
        ax.text(0.5, 0.5, _("no experiment in this cycle (sources.experiments)"), ha="center", va="center")
        ax.set(title=_("Experiment uplift per segment"))
        caption(ax.figure, _("an experiments table with control and treatment groups is needed."))
        return ax
    scale = 100 if outcome == "converted" else 1
    rows = table.iloc[::-1]
    names = rows.get("segment_name", pd.Series(index=rows.index, dtype=object))
    labels = [_("all customers") if s == "all" else _("segment {id}").format(id=s) + (f" · {n}" if isinstance(n, str)
              else "") for s, n in zip(rows.index, names)]
    ax = use_axes(ax, (7, 0.6 * len(rows) + 1.8))
    y = np.arange(len(rows))
    colours = np.where(rows["significant"].astype(bool), "#C44E52", "#8C8C8C")
    ax.hlines(y, rows["ci_low"] * scale, rows["ci_high"] * scale, colors=colours, linewidth=2)
    ax.scatter(rows["uplift"] * scale, y, color=colours, zorder=3)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, labels)
    if outcome == "converted":
        title, unit = _("Experiment: uplift per segment (conversion)"), _("percentage points of conversion")
    else:
        title, unit = _("Experiment: uplift per segment (revenue)"), _("revenue per customer")
    ax.set(title=title, xlabel=_("treatment − control ({unit})").format(unit=unit), ylabel=_("segment"))
    caption(ax.figure, _("dot = measured uplift, line = 95% confidence interval; red = significant after Holm "
                         "correction across segments. A line crossing zero means no reliable effect."))
    return ax


def plot_stability(stability: pd.Series, bar: float, ax: Axes | None = None) -> Axes:
    """Adjusted Rand index of each bootstrap resample against the chosen solution."""
    ax = use_axes(ax, (7, 3.5))
    sns.histplot(stability, bins=15, binrange=(min(0, stability.min()), 1), ax=ax, color="#55A868")
    ax.axvline(bar, color="#C44E52", linestyle="--", label=_("bar {value}").format(value=numbers.number(bar, 2)))
    mean = round(float(stability.mean()), 2)  # as Python rounds the float: 0.925 is a hair above, 0.93
    ax.axvline(stability.mean(), color="black", label=_("mean {value}").format(value=numbers.number(mean, 2)))
    ax.set(title=_("Bootstrap stability of the segments"), xlabel=_("adjusted Rand index (1 = same segments)"),
           ylabel=_("resamples"))
    ax.legend(fontsize=8)
    caption(ax.figure, _("each resample refits the segments on a bootstrap sample; values near 1 mean the same "
                         "segments come back, values left of the bar mean they do not."))
    return ax


def plot_feature_by_segment(profile: pd.DataFrame, segments: pd.Series, feature: str, ax: Axes | None = None) -> Axes:
    """Box plots of one feature per segment, log scale."""
    ax = use_axes(ax, (7, 3.5))
    sns.boxplot(x=np.asarray(segments).astype(str), y=profile[feature].clip(lower=1), ax=ax, log_scale=True,
                color="#8DA0CB", fliersize=1, order=sorted(set(np.asarray(segments).astype(str)), key=int))
    ax.set(title=_("{feature} by segment").format(feature=feature_name(feature)), xlabel=_("segment"),
           ylabel=_("{label}, log scale").format(label=feature_label(feature)))
    caption(ax.figure, _("boxes span the middle half of each segment's customers, the line is the median; boxes "
                         "at different heights mean the segments differ on this feature."))
    return ax
