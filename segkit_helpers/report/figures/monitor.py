"""Figures of the monitor step (04): migration heat map, flows between cycles, history of the segments."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from segkit_helpers.report import numbers
from segkit_helpers.report.figures.base import caption, shown, use_axes
from segkit_helpers.report.i18n import N_, _

#: The sentences that name what customers move between (``of``: segments or quadrants), in English.
TEXTS = {
    "segment": {"flows": N_("Flows of customers between segments"), "no_flows": N_("Flows between segments"),
                "band": N_("each band is a group of customers moving from a segment of the previous cycle (left) to "
                           "one of this cycle (right), its height proportional to their number; grey blocks are "
                           "customers new since the previous cycle or no longer present{note}."),
                "migration": N_("Migration between cycles, by segment"), "now": N_("segment this cycle"),
                "before": N_("segment last cycle"),
                "first": N_("from the second cycle on, this shows how customers moved between segments.")},
    "quadrant": {"flows": N_("Flows of customers between quadrants"), "no_flows": N_("Flows between quadrants"),
                 "band": N_("each band is a group of customers moving from a quadrant of the previous cycle (left) "
                            "to one of this cycle (right), its height proportional to their number; grey blocks are "
                            "customers new since the previous cycle or no longer present{note}."),
                 "migration": N_("Migration between cycles, by quadrant"), "now": N_("quadrant this cycle"),
                 "before": N_("quadrant last cycle"),
                 "first": N_("from the second cycle on, this shows how customers moved between quadrants.")},
}


def _text(of: str, key: str) -> str:
    """The sentence ``key`` about moves between ``of`` ("segment" or "quadrant") in the current language."""
    if of not in TEXTS:
        raise ValueError(f"customers move between segments or quadrants, not {of!r}")
    return _(TEXTS[of][key])


def plot_flows(matrix: pd.DataFrame | None, of: str = "segment", goal: str | None = None,
               ax: Axes | None = None) -> Axes:
    """Alluvial figure of a migration matrix: previous groups left, current right, bands ∝ customers.

    ``matrix`` is :func:`segkit_helpers.monitoring.drift.migration_matrix` or
    :func:`segkit_helpers.monitoring.drift.quadrant_migration` (``None`` in a first cycle:
    a note is drawn). New and lost customers are grey blocks; flows into ``goal`` (for
    quadrants: "profitable & loyal") are drawn in green. Drawn with matplotlib patches:
    no plotting library offers an alluvial diagram without a browser.
    """
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MplPath

    if matrix is None:
        ax = use_axes(ax, (7, 2))
        ax.axis("off")
        ax.text(0.5, 0.5, _("first cycle: nothing to compare with yet"), ha="center", va="center")
        ax.set(title=_text(of, "no_flows"))
        caption(ax.figure, _("the flows appear from the second cycle on."))
        return ax
    ax = use_axes(ax, (8, 0.5 * max(len(matrix.index), len(matrix.columns)) + 3))
    total, gap = matrix.to_numpy().sum(), 0.02
    palette = sns.color_palette("tab10", n_colors=max(len(matrix.index), len(matrix.columns)))

    def blocks(labels, sizes):
        out, y = {}, 1.0
        for label, size in zip(labels, sizes):
            height = size / total * (1 - gap * (len(labels) - 1))
            out[label] = [y - height, y]
            y -= height + gap
        return out

    left, right = blocks(matrix.index, matrix.sum(axis=1)), blocks(matrix.columns, matrix.sum(axis=0))
    grey = "#BBBBBB"
    colour = {label: grey if label in ("new customer", "lost customer") else palette[i % len(palette)]
              for i, label in enumerate(list(matrix.index) + [c for c in matrix.columns if c not in matrix.index])}
    next_left = {k: v[1] for k, v in left.items()}
    next_right = {k: v[1] for k, v in right.items()}
    for source in matrix.index:
        for target in matrix.columns:
            count = matrix.loc[source, target]
            if count <= 0:
                continue
            height = count / total * (1 - gap * (max(len(left), len(right)) - 1))
            y0, y1 = next_left[source], next_right[target]
            next_left[source] -= height
            next_right[target] -= height
            verts = [(0.1, y0), (0.5, y0), (0.5, y1), (0.9, y1), (0.9, y1 - height), (0.5, y1 - height),
                     (0.5, y0 - height), (0.1, y0 - height), (0.1, y0)]
            codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.LINETO,
                     MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
            into_goal = goal is not None and target == goal and source != goal
            ax.add_patch(PathPatch(MplPath(verts, codes), facecolor="#2CA02C" if into_goal else colour[source],
                                   alpha=0.55 if into_goal else 0.3, edgecolor="none"))
    for side, x, sizes, align in ((left, 0.08, matrix.sum(axis=1), "right"), (right, 0.92, matrix.sum(axis=0), "left")):
        for label, (low, high) in side.items():
            ax.add_patch(Rectangle((x - 0.02 if align == "right" else x, low), 0.02, high - low, color=colour[label]))
            ax.text(x - 0.03 if align == "right" else x + 0.03, (low + high) / 2,
                    f"{shown(label)} ({numbers.count(sizes[label])})", ha=align, va="center", fontsize=8)
    ax.set(xlim=(-0.45, 1.45), ylim=(-0.05, 1.05), xticks=[0.1, 0.9],
           xticklabels=[_("previous cycle"), _("this cycle")], yticks=[], title=_text(of, "flows"),
           xlabel=_("cycle"), ylabel=_("customers (band height)"))
    for spine in ax.spines.values():
        spine.set_visible(False)
    note = _('; green bands are moves into "{goal}", the goal of the playbooks').format(goal=shown(goal)) \
        if goal else ""
    caption(ax.figure, _text(of, "band").format(note=note))
    return ax


def plot_history(history: pd.DataFrame) -> Figure:
    """Segment sizes and revenue shares over all cycles (two panels, one line per segment)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
    cycles = history["cycle"].nunique()
    for seg, part in history.groupby("segment"):
        label = f"{seg} · {part['name'].iloc[-1]}" if part["name"].iloc[-1] else str(seg)
        axes[0].plot(part["cycle"], part["customer_share"] * 100, marker="o", label=label)
        axes[1].plot(part["cycle"], part["revenue_share"] * 100, marker="o", label=label)
    axes[0].set(title=_("Share of customers per segment"), xlabel=_("cycle"), ylabel=_("% of customers"))
    axes[1].set(title=_("Share of revenue per segment"), xlabel=_("cycle"), ylabel=_("% of net revenue"))
    axes[1].legend(fontsize=8, title=_("segment"), loc="best")
    fig.suptitle(_("Segments across cycles"))
    text = _("each line is a segment (ids are matched across cycles, so a line follows the same segment); a "
             "segment growing in customers but not in revenue is losing value per customer.")
    if cycles == 1:
        text += " " + _("There is only one cycle so far: the lines start with the next one.")
    caption(fig, text)
    return fig


def plot_migration(matrix: pd.DataFrame | None, ax: Axes | None = None, of: str = "segment") -> Axes:
    """Heat map of customers moving between the previous and the current segments (or quadrants: ``of``).

    ``None`` (a first cycle) draws a labelled empty panel saying so.
    """
    ax = use_axes(ax, (7, 5) if of == "segment" else (9, 5))
    if matrix is None:
        ax.text(0.5, 0.5, _("First cycle: no previous cycle to compare with"), ha="center", va="center")
        ax.set(title=_("Migration between cycles"), xlabel=_text(of, "now"), ylabel=_text(of, "before"),
               xticks=[], yticks=[])
        caption(ax.figure, _text(of, "first"))
        return ax
    labels = matrix.map(numbers.count).to_numpy()
    sns.heatmap(matrix.rename(index=shown, columns=shown), annot=labels, fmt="", cmap="Blues", ax=ax,
                cbar_kws={"label": _("customers")})
    ax.tick_params(axis="y", labelrotation=0)  # seaborn turns short row labels upright; "new customer" reads across
    ax.set(title=_text(of, "migration"), xlabel=_text(of, "now"), ylabel=_text(of, "before"))
    caption(ax.figure, _("the diagonal holds customers who stayed in their segment; off-diagonal cells are moves; "
                         "the 'new' row and 'lost' column are customers who arrived or left."))
    return ax
