"""Figures of the research step (01): RFM distributions, RFM segments, quadrants, R×F heat map, Pareto, CLV holdout."""

from __future__ import annotations

import matplotlib.ticker
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from segkit_helpers.report import numbers
from segkit_helpers.report.figures.base import caption, feature_label, feature_name, use_axes
from segkit_helpers.report.i18n import N_, _
from segkit_helpers.schemes.behavioural import FEATURES


def plot_distributions(profile: pd.DataFrame) -> Figure:
    """Histograms of recency, frequency and monetary value on log scales."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), layout="constrained")
    for ax, feature in zip(axes, FEATURES):
        values = profile[feature].clip(lower=1)
        sns.histplot(values, bins=40, log_scale=True, ax=ax, color="#4C72B0")
        ax.set(title=feature_name(feature), xlabel=_("{label}, log scale").format(label=feature_label(feature)),
               ylabel=_("customers"))
    fig.suptitle(_("Distribution of recency, frequency and monetary value per customer"))
    caption(fig, _("each bar counts customers; the axes are logarithmic because a few customers buy far more "
                   "than the rest (values below 1 are shown at 1)."))
    return fig


def plot_rfm_segments(summary: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Share of customers beside share of revenue per named RFM segment."""
    ax = use_axes(ax, (8, 4.5))
    long = summary[["customer_share", "revenue_share"]].rename(
        columns={"customer_share": _("share of customers"), "revenue_share": _("share of revenue")}
    ).reset_index().melt(id_vars="rfm_segment", var_name="measure", value_name="share")
    sns.barplot(long, y="rfm_segment", x="share", hue="measure", ax=ax, palette=["#8DA0CB", "#FC8D62"])
    ax.set(title=_("Named RFM segments: customers and revenue"), xlabel=_("share of total"), ylabel=_("RFM segment"))
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    caption(ax.figure, _("a segment whose orange bar is longer than its blue bar brings more revenue than its "
                         "head-count suggests."))
    return ax


def plot_quadrants(profile: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """The profitability × loyalty matrix with customer counts and revenue shares."""
    ax = use_axes(ax, (6, 4.5))
    rows, cols = [N_("profitable"), N_("unprofitable")], [N_("loyal"), N_("disloyal")]
    counts = np.zeros((2, 2), dtype=int)
    labels = np.empty((2, 2), dtype=object)
    total = profile["monetary"].sum()
    for i, p in enumerate(rows):
        for j, lo in enumerate(cols):
            part = profile[profile["value_loyalty_quadrant"] == f"{p} & {lo}"]
            counts[i, j] = len(part)
            labels[i, j] = (_("{count} customers").format(count=numbers.count(len(part))) + "\n"
                            + _("{share} of revenue").format(share=numbers.share(part["monetary"].sum() / total)))
    sns.heatmap(pd.DataFrame(counts, index=[_(r) for r in rows], columns=[_(c) for c in cols]), annot=labels, fmt="",
                cmap="Greens", ax=ax, cbar_kws={"label": _("customers")})
    ax.set(title=_("Profitability × loyalty"), xlabel=_("loyalty"), ylabel=_("profitability"))
    caption(ax.figure, _("top left is the gold fund; the playbook aims to move customers from the other cells "
                         "toward it."))
    return ax


def plot_rf_heatmap(profile: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Recency score × frequency score grid coloured by median monetary value, annotated with customer counts."""
    ax = use_axes(ax, (7, 5))
    grid = profile.pivot_table(index="r_score", columns="f_score", values="monetary", aggfunc="median")
    counts = profile.pivot_table(index="r_score", columns="f_score", values="customer_id", aggfunc="size")
    grid, counts = grid.sort_index(ascending=False), counts.reindex_like(grid.sort_index(ascending=False))
    labels = counts.map(lambda n: "" if pd.isna(n) else numbers.count(n))
    sns.heatmap(grid, annot=labels, fmt="", cmap="YlOrBr", ax=ax, cbar_kws={"label": _("median net revenue")})
    ax.set(title=_("Recency × frequency, coloured by monetary value"), xlabel=_("frequency score (5 = most orders)"),
           ylabel=_("recency score (5 = most recent)"))
    caption(ax.figure, _("each cell holds the customers with those two scores (the number is how many); darker "
                         "cells spend more. Top right: recent, frequent, valuable."))
    return ax


def plot_pareto(profile: pd.DataFrame, a_share: float = 0.8, b_share: float = 0.15, ax: Axes | None = None) -> Axes:
    """Pareto curve: cumulative share of revenue against share of customers, ABC bounds marked."""
    ax = use_axes(ax, (7, 4.5))
    revenue = profile["monetary"].sort_values(ascending=False).to_numpy()
    x = np.arange(1, len(revenue) + 1) / len(revenue)
    y = np.cumsum(revenue) / revenue.sum()
    ax.plot(x, y, color="#4C72B0")
    for share, label in [(a_share, "A"), (a_share + b_share, "B")]:
        ax.axhline(share, color="#C44E52", linestyle="--", linewidth=0.8)
        ax.text(1.0, share, " " + _("end of {label}").format(label=label), va="center", fontsize=8, color="#C44E52")
    counts = profile["abc_class"].value_counts()
    ax.set(title=_("Pareto (ABC) curve of revenue"), xlabel=_("share of customers, largest first"),
           ylabel=_("cumulative share of net revenue"), xlim=(0, 1), ylim=(0, 1.02))
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    classes = "  ".join(f"{c}: {numbers.count(counts.get(c, 0))}" for c in "ABC")
    ax.text(0.55, 0.1, _("{classes} customers").format(classes=classes), fontsize=9)
    caption(ax.figure, _("the steeper the start, the more revenue rests on few customers; class A is everyone "
                         "left of where the curve crosses the first dashed line."))
    return ax


def plot_holdout(table: pd.DataFrame | None, ax: Axes | None = None) -> Axes:
    """Calibration / holdout check: mean actual and predicted holdout purchase days per calibration frequency."""
    ax = use_axes(ax, (7, 4))
    if table is None:
        ax.text(0.5, 0.5, _("No holdout check: CLV is switched off,\nor the history before the holdout is too short"),
                ha="center", va="center")
        ax.set(title=_("CLV model check"), xlabel=_("repeat purchase days in the calibration period"),
               ylabel=_("mean purchase days in the holdout"), xticks=[], yticks=[])
        caption(ax.figure, _("with CLV on, this compares predicted and actual purchase days in a holdout period."))
        return ax
    shown = table[["actual", "predicted"]].rename(columns={"actual": _("actual"), "predicted": _("predicted")})
    long = shown.reset_index().melt(id_vars=table.index.name, var_name="",
                                                              value_name="orders")
    sns.barplot(long, x=table.index.name, y="orders", hue="", ax=ax, palette=["#8DA0CB", "#FC8D62"])
    ax.set(title=_("CLV model check: predicted vs actual purchase days in the holdout period"),
           xlabel=_("repeat purchase days in the calibration period"), ylabel=_("mean purchase days in the holdout"))
    caption(ax.figure, _("bars of equal height mean the BG/NBD model predicts future purchase days well; a gap "
                         "that grows to the right means it under- or over-states the best customers."))
    return ax
