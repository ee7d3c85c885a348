"""Figures of the cycle. Each is titled, labelled and carries a one-line "how to read" caption.

Single-panel plots take ``ax=None`` and return the Axes; multi-panel ones return
the Figure. pyplot is imported here only.
"""

from __future__ import annotations

import matplotlib

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.decomposition import PCA

from segkit_helpers.schemes.behavioural import FEATURES, persona_names

LABELS = {"recency_days": "recency (days since last order)", "frequency": "frequency (orders)",
          "monetary": "monetary (net revenue)"}


def caption(fig: Figure, text: str) -> None:
    """Put a "how to read" caption under a figure."""
    fig.text(0.01, -0.02, "How to read: " + text, ha="left", va="top", fontsize=9, style="italic", wrap=True)


def _ax(ax: Axes | None, size=(7, 4)) -> Axes:
    return ax if ax is not None else plt.subplots(figsize=size, layout="constrained")[1]


def plot_distributions(profile: pd.DataFrame) -> Figure:
    """Histograms of recency, frequency and monetary value on log scales."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), layout="constrained")
    for ax, feature in zip(axes, FEATURES):
        values = profile[feature].clip(lower=1)
        sns.histplot(values, bins=40, log_scale=True, ax=ax, color="#4C72B0")
        ax.set(title=feature, xlabel=LABELS[feature] + ", log scale", ylabel="customers")
    fig.suptitle("Distribution of recency, frequency and monetary value per customer")
    caption(fig, "each bar counts customers; the axes are logarithmic because a few customers buy far more "
                 "than the rest (values below 1 are shown at 1).")
    return fig


def plot_rfm_segments(summary: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Share of customers beside share of revenue per named RFM segment."""
    ax = _ax(ax, (8, 4.5))
    long = summary[["customer_share", "revenue_share"]].rename(
        columns={"customer_share": "share of customers", "revenue_share": "share of revenue"}
    ).reset_index().melt(id_vars="rfm_segment", var_name="measure", value_name="share")
    sns.barplot(long, y="rfm_segment", x="share", hue="measure", ax=ax, palette=["#8DA0CB", "#FC8D62"])
    ax.set(title="Named RFM segments: customers and revenue", xlabel="share of total", ylabel="RFM segment")
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    caption(ax.figure, "a segment whose orange bar is longer than its blue bar brings more revenue than its "
                       "head-count suggests.")
    return ax


LOWER_IS_BETTER = {"davies_bouldin", "bic", "aic", "cost", "inertia"}
NOT_PLOTTED = {"k", "stability", "stability_sd", "mean_rank", "recommended", "inertia"}


def plot_k_selection(k_table: pd.DataFrame) -> Figure:
    """Bootstrap stability and the scheme's internal indices over k, the recommended k marked.

    One panel per numeric column of ``k_table`` (stability first); BIC, AIC,
    Davies–Bouldin and cost read "lower is better", the others "higher is better".
    """
    indices = [c for c in k_table.columns if c not in NOT_PLOTTED and pd.api.types.is_numeric_dtype(k_table[c])
               and not pd.api.types.is_bool_dtype(k_table[c])]
    panels = [("stability", "higher is better")] + [
        (c, "lower is better" if c in LOWER_IS_BETTER else "higher is better") for c in indices]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.8 * len(panels), 3.6), layout="constrained", squeeze=False)
    axes = axes[0]
    chosen = k_table.loc[k_table["recommended"], "k"].iloc[0]
    for ax, (col, better) in zip(axes, panels):
        ax.plot(k_table["k"], k_table[col], marker="o", color="#4C72B0")
        if col == "stability":
            ax.fill_between(k_table["k"], k_table[col] - k_table["stability_sd"],
                            k_table[col] + k_table["stability_sd"], color="#4C72B0", alpha=0.15)
        ax.axvline(chosen, color="#C44E52", linestyle="--", label=f"recommended k = {chosen}")
        ax.set(title=f"{col.replace('_', '-')} ({better})", xlabel="number of segments k", ylabel=col)
        ax.set_xticks(k_table["k"])
    axes[0].legend(loc="best", fontsize=8)
    fig.suptitle("Choice of the number of segments")
    caption(fig, "each panel scores the same candidate numbers of segments. Stability (left; band = ± 1 SD over "
                 "resamples) is how reliably the same segments come back; the dashed line marks the most stable "
                 "business-usable k.")
    return fig


def plot_segment_profiles(z: pd.DataFrame, personas: list[dict], ax: Axes | None = None) -> Axes:
    """Heat map of each segment's feature means against all customers, in SD units.

    ``z`` is :func:`segkit_helpers.schemes.common.segment_feature_z` (rows: segment ids).
    """
    ax = _ax(ax, (max(7, 0.7 * z.shape[1] + 3), 0.6 * len(z) + 2))
    names = persona_names(personas)
    labelled = z.set_axis([f"{s} · {names.get(s, '')}" for s in z.index], axis=0)
    sns.heatmap(labelled, annot=z.shape[1] <= 12, fmt=".1f", cmap="RdBu_r", center=0, ax=ax,
                cbar_kws={"label": "SDs from the mean"})
    ax.set(title="Segment profiles: each segment against all customers", xlabel="feature (as clustered)",
           ylabel="segment")
    caption(ax.figure, "red = above the average customer, blue = below, in standard deviations of the clustered "
                       "features (amounts on a log scale; for a category, the share of the segment in it). "
                       "For recency, blue means bought more recently.")
    return ax


def plot_segment_map(points: pd.DataFrame, segments: pd.Series, seed: int = 42, sample: int = 3000,
                     ax: Axes | None = None) -> Axes:
    """Customers on the first two principal components of the clustered features.

    ``points`` is :func:`segkit_helpers.schemes.common.embedding` (one row per customer,
    aligned with ``segments``).
    """
    ax = _ax(ax, (7, 5))
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(len(points), size=min(sample, len(points)), replace=False))
    values = points.to_numpy(dtype=float)[idx]
    pca = PCA(n_components=2, random_state=seed).fit(values)
    xy = pca.transform(values)
    sns.scatterplot(x=xy[:, 0], y=xy[:, 1], hue=np.asarray(segments)[idx].astype(str), s=12, alpha=0.6,
                    palette="tab10", ax=ax)
    ev = pca.explained_variance_ratio_
    ax.set(title="Segment map (principal components of the clustered features)",
           xlabel=f"component 1 ({ev[0]:.0%} of variance)", ylabel=f"component 2 ({ev[1]:.0%} of variance)")
    ax.legend(title="segment", fontsize=8)
    caption(ax.figure, "each dot is a customer (a random sample); well-separated colours mean distinct segments, "
                       "overlap means customers between segments.")
    return ax


def plot_quadrants(profile: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """The profitability × loyalty matrix with customer counts and revenue shares."""
    ax = _ax(ax, (6, 4.5))
    rows, cols = ["profitable", "unprofitable"], ["loyal", "disloyal"]
    counts = np.zeros((2, 2), dtype=int)
    labels = np.empty((2, 2), dtype=object)
    total = profile["monetary"].sum()
    for i, p in enumerate(rows):
        for j, lo in enumerate(cols):
            part = profile[profile["value_loyalty_quadrant"] == f"{p} & {lo}"]
            counts[i, j] = len(part)
            labels[i, j] = f"{len(part):,} customers\n{part['monetary'].sum() / total:.0%} of revenue"
    sns.heatmap(pd.DataFrame(counts, index=rows, columns=cols), annot=labels, fmt="", cmap="Greens", ax=ax,
                cbar_kws={"label": "customers"})
    ax.set(title="Profitability × loyalty", xlabel="loyalty", ylabel="profitability")
    caption(ax.figure, "top left is the gold fund; the playbook aims to move customers from the other cells "
                       "toward it.")
    return ax


def plot_cross_sell(table: pd.DataFrame | None, personas: list[dict] | None = None, ax: Axes | None = None) -> Axes:
    """Segment × product-line penetration, annotated with the whitespace's expected value.

    ``table`` is :func:`segkit_helpers.schemes.opportunity.cross_sell_table`; an empty table
    (no product lines) draws a note instead.
    """
    if table is None or table.empty:
        ax = _ax(ax, (7, 2))
        ax.axis("off")
        ax.text(0.5, 0.5, "no product lines: map a 'category' column or set research.product_lines",
                ha="center", va="center")
        ax.set(title="Cross-sell opportunities")
        caption(ax.figure, "the cross-sell table needs product lines per order line.")
        return ax
    names = persona_names(personas or [])
    table = table.assign(product_line=table["product_line"].str.replace("_", " "))
    share = table.pivot(index="segment", columns="product_line", values="penetration")
    value = table.pivot(index="segment", columns="product_line", values="expected_value")
    labels = share.map(lambda p: f"{p:.0%}") + "\n" + value.map(lambda v: f"+{v:,.0f}" if v > 0 else "")
    ax = _ax(ax, (max(7, 1.1 * share.shape[1] + 2), 0.7 * len(share) + 2))
    sns.heatmap(share.set_axis([f"{s} · {names.get(s, '')}" for s in share.index], axis=0), annot=labels, fmt="",
                cmap="Blues", vmin=0, vmax=1, ax=ax, cbar_kws={"label": "share of the segment buying the line"})
    ax.set(title="Cross-sell: who buys which product line", xlabel="product line", ylabel="segment")
    caption(ax.figure, "colour and percentage: share of the segment's customers who buy the line; below it, the "
                       "expected revenue if the segment's non-buyers bought like its buyers (penetration × spend "
                       "per buyer, summed over non-buyers; shown where at least segmentation.min_penetration buy).")
    return ax


def plot_uplift(table: pd.DataFrame, outcome: str = "converted", ax: Axes | None = None) -> Axes:
    """Uplift per segment with its confidence interval (a forest plot), significant ones highlighted.

    ``table`` is :func:`segkit_helpers.evaluation.experiments.uplift_by_segment`; an empty table
    draws a note instead.
    """
    if table.empty:
        ax = _ax(ax, (7, 2))
        ax.axis("off")
        ax.text(0.5, 0.5, "no experiment in this cycle (sources.experiments)", ha="center", va="center")
        ax.set(title="Experiment uplift per segment")
        caption(ax.figure, "an experiments table with control and treatment groups is needed.")
        return ax
    scale = 100 if outcome == "converted" else 1
    rows = table.iloc[::-1]
    labels = [("all customers" if s == "all" else f"segment {s}") + (f" · {n}" if isinstance(n, str) and s != "all"
              else "") for s, n in zip(rows.index, rows.get("segment_name", pd.Series(index=rows.index, dtype=object)))]
    ax = _ax(ax, (7, 0.6 * len(rows) + 1.8))
    y = np.arange(len(rows))
    colours = np.where(rows["significant"].astype(bool), "#C44E52", "#8C8C8C")
    ax.hlines(y, rows["ci_low"] * scale, rows["ci_high"] * scale, colors=colours, linewidth=2)
    ax.scatter(rows["uplift"] * scale, y, color=colours, zorder=3)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, labels)
    unit = "percentage points of conversion" if outcome == "converted" else "revenue per customer"
    ax.set(title=f"Experiment: uplift per segment ({'conversion' if outcome == 'converted' else 'revenue'})",
           xlabel=f"treatment − control ({unit})", ylabel="segment")
    caption(ax.figure, "dot = measured uplift, line = 95% confidence interval; red = significant after Holm "
                       "correction across segments. A line crossing zero means no reliable effect.")
    return ax


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
        ax = _ax(ax, (7, 2))
        ax.axis("off")
        ax.text(0.5, 0.5, "first cycle: nothing to compare with yet", ha="center", va="center")
        ax.set(title=f"Flows between {of}s")
        caption(ax.figure, "the flows appear from the second cycle on.")
        return ax
    ax = _ax(ax, (8, 0.5 * max(len(matrix.index), len(matrix.columns)) + 3))
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
            ax.text(x - 0.03 if align == "right" else x + 0.03, (low + high) / 2, f"{label} ({sizes[label]:,})",
                    ha=align, va="center", fontsize=8)
    ax.set(xlim=(-0.45, 1.45), ylim=(-0.05, 1.05), xticks=[0.1, 0.9], xticklabels=["previous cycle", "this cycle"],
           yticks=[], title=f"Flows of customers between {of}s", xlabel="cycle", ylabel="customers (band height)")
    for spine in ax.spines.values():
        spine.set_visible(False)
    note = f"; green bands are moves into \"{goal}\", the goal of the playbooks" if goal else ""
    caption(ax.figure, f"each band is a group of customers moving from a {of} of the previous cycle (left) to one of "
                       f"this cycle (right), its height proportional to their number; grey blocks are customers new "
                       f"since the previous cycle or no longer present{note}.")
    return ax


def plot_history(history: pd.DataFrame) -> Figure:
    """Segment sizes and revenue shares over all cycles (two panels, one line per segment)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
    cycles = history["cycle"].nunique()
    for seg, part in history.groupby("segment"):
        label = f"{seg} · {part['name'].iloc[-1]}" if part["name"].iloc[-1] else str(seg)
        axes[0].plot(part["cycle"], part["customer_share"] * 100, marker="o", label=label)
        axes[1].plot(part["cycle"], part["revenue_share"] * 100, marker="o", label=label)
    axes[0].set(title="Share of customers per segment", xlabel="cycle", ylabel="% of customers")
    axes[1].set(title="Share of revenue per segment", xlabel="cycle", ylabel="% of net revenue")
    axes[1].legend(fontsize=8, title="segment", loc="best")
    fig.suptitle("Segments across cycles")
    only = " There is only one cycle so far: the lines start with the next one." if cycles == 1 else ""
    caption(fig, "each line is a segment (ids are matched across cycles, so a line follows the same segment); a "
                 f"segment growing in customers but not in revenue is losing value per customer.{only}")
    return fig


def plot_stability(stability: pd.Series, bar: float, ax: Axes | None = None) -> Axes:
    """Adjusted Rand index of each bootstrap resample against the chosen solution."""
    ax = _ax(ax, (7, 3.5))
    sns.histplot(stability, bins=15, binrange=(min(0, stability.min()), 1), ax=ax, color="#55A868")
    ax.axvline(bar, color="#C44E52", linestyle="--", label=f"bar {bar:.2f}")
    ax.axvline(stability.mean(), color="black", label=f"mean {stability.mean():.2f}")
    ax.set(title="Bootstrap stability of the segments", xlabel="adjusted Rand index (1 = same segments)",
           ylabel="resamples")
    ax.legend(fontsize=8)
    caption(ax.figure, "each resample refits the segments on a bootstrap sample; values near 1 mean the same "
                       "segments come back, values left of the bar mean they do not.")
    return ax


def plot_feature_by_segment(profile: pd.DataFrame, segments: pd.Series, feature: str, ax: Axes | None = None) -> Axes:
    """Box plots of one feature per segment, log scale."""
    ax = _ax(ax, (7, 3.5))
    sns.boxplot(x=np.asarray(segments).astype(str), y=profile[feature].clip(lower=1), ax=ax, log_scale=True,
                color="#8DA0CB", fliersize=1, order=sorted(set(np.asarray(segments).astype(str)), key=int))
    ax.set(title=f"{feature} by segment", xlabel="segment", ylabel=LABELS.get(feature, feature) + ", log scale")
    caption(ax.figure, "boxes span the middle half of each segment's customers, the line is the median; boxes "
                       "at different heights mean the segments differ on this feature.")
    return ax


def plot_migration(matrix: pd.DataFrame | None, ax: Axes | None = None, of: str = "segment") -> Axes:
    """Heat map of customers moving between the previous and the current segments (or quadrants: ``of``).

    ``None`` (a first cycle) draws a labelled empty panel saying so.
    """
    ax = _ax(ax, (7, 5) if of == "segment" else (9, 5))
    if matrix is None:
        ax.text(0.5, 0.5, "First cycle: no previous cycle to compare with", ha="center", va="center")
        ax.set(title="Migration between cycles", xlabel=f"{of} this cycle", ylabel=f"{of} last cycle",
               xticks=[], yticks=[])
        caption(ax.figure, f"from the second cycle on, this shows how customers moved between {of}s.")
        return ax
    sns.heatmap(matrix, annot=True, fmt=",d", cmap="Blues", ax=ax, cbar_kws={"label": "customers"})
    ax.set(title=f"Migration between cycles, by {of}", xlabel=f"{of} this cycle", ylabel=f"{of} last cycle")
    caption(ax.figure, "the diagonal holds customers who stayed in their segment; off-diagonal cells are moves; "
                       "the 'new' row and 'lost' column are customers who arrived or left.")
    return ax


def plot_resources_vs_value(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Profit per customer of each segment, coloured by its service model."""
    ax = _ax(ax, (7, 3.5))
    data = table.reset_index()
    data["segment"] = data["segment"].astype(str)
    sns.barplot(data, x="segment", y="profit_per_customer", hue="service_model", dodge=False, ax=ax)
    if "service_cost" in data:
        ax.scatter(range(len(data)), data["service_cost"], marker="_", s=900, color="#C44E52", zorder=3,
                   label="service cost per customer")
        ax.legend(fontsize=8)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set(title="Value per customer and the service model it pays for", xlabel="segment",
           ylabel="profit per customer")
    caption(ax.figure, "bars are realised profit per customer, red dashes what the segment's service model "
                       "costs per customer; a dash above its bar means the service costs more than it earns.")
    return ax


def plot_rf_heatmap(profile: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Recency score × frequency score grid coloured by median monetary value, annotated with customer counts."""
    ax = _ax(ax, (7, 5))
    grid = profile.pivot_table(index="r_score", columns="f_score", values="monetary", aggfunc="median")
    counts = profile.pivot_table(index="r_score", columns="f_score", values="customer_id", aggfunc="size")
    grid, counts = grid.sort_index(ascending=False), counts.reindex_like(grid.sort_index(ascending=False))
    labels = counts.map(lambda n: "" if pd.isna(n) else f"{int(n):,}")
    sns.heatmap(grid, annot=labels, fmt="", cmap="YlOrBr", ax=ax, cbar_kws={"label": "median net revenue"})
    ax.set(title="Recency × frequency, coloured by monetary value", xlabel="frequency score (5 = most orders)",
           ylabel="recency score (5 = most recent)")
    caption(ax.figure, "each cell holds the customers with those two scores (the number is how many); darker "
                       "cells spend more. Top right: recent, frequent, valuable.")
    return ax


def plot_pareto(profile: pd.DataFrame, a_share: float = 0.8, b_share: float = 0.15, ax: Axes | None = None) -> Axes:
    """Pareto curve: cumulative share of revenue against share of customers, ABC bounds marked."""
    ax = _ax(ax, (7, 4.5))
    revenue = profile["monetary"].sort_values(ascending=False).to_numpy()
    x = np.arange(1, len(revenue) + 1) / len(revenue)
    y = np.cumsum(revenue) / revenue.sum()
    ax.plot(x, y, color="#4C72B0")
    for share, label in [(a_share, "A"), (a_share + b_share, "B")]:
        ax.axhline(share, color="#C44E52", linestyle="--", linewidth=0.8)
        ax.text(1.0, share, f" end of {label}", va="center", fontsize=8, color="#C44E52")
    counts = profile["abc_class"].value_counts()
    ax.set(title="Pareto (ABC) curve of revenue", xlabel="share of customers, largest first",
           ylabel="cumulative share of net revenue", xlim=(0, 1), ylim=(0, 1.02))
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.text(0.55, 0.1, "  ".join(f"{c}: {counts.get(c, 0):,}" for c in "ABC") + " customers", fontsize=9)
    caption(ax.figure, "the steeper the start, the more revenue rests on few customers; class A is everyone "
                       "left of where the curve crosses the first dashed line.")
    return ax


def plot_holdout(table: pd.DataFrame | None, ax: Axes | None = None) -> Axes:
    """Calibration / holdout check: mean actual and predicted holdout purchase days per calibration frequency."""
    ax = _ax(ax, (7, 4))
    if table is None:
        ax.text(0.5, 0.5, "No holdout check: CLV is switched off,\nor the history before the holdout is too short",
                ha="center", va="center")
        ax.set(title="CLV model check", xlabel="repeat purchase days in the calibration period",
               ylabel="mean purchase days in the holdout", xticks=[], yticks=[])
        caption(ax.figure, "with CLV on, this compares predicted and actual purchase days in a holdout period.")
        return ax
    long = table[["actual", "predicted"]].reset_index().melt(id_vars=table.index.name, var_name="",
                                                              value_name="orders")
    sns.barplot(long, x=table.index.name, y="orders", hue="", ax=ax, palette=["#8DA0CB", "#FC8D62"])
    ax.set(title="CLV model check: predicted vs actual purchase days in the holdout period",
           xlabel="repeat purchase days in the calibration period", ylabel="mean purchase days in the holdout")
    caption(ax.figure, "bars of equal height mean the BG/NBD model predicts future purchase days well; a gap "
                       "that grows to the right means it under- or over-states the best customers.")
    return ax


def plot_membership(segments: pd.DataFrame, hybrid_threshold: float = 0.3, ax: Axes | None = None) -> Axes:
    """Histogram of each customer's membership probability in their own segment."""
    ax = _ax(ax, (7, 3.5))
    sns.histplot(segments["membership"], bins=20, binrange=(0, 1), ax=ax, color="#8172B2")
    hybrids = segments["secondary_segment"].notna().mean()
    ax.set(title=f"How clearly customers belong to their segment ({hybrids:.0%} are hybrids)",
           xlabel="membership probability of the assigned segment", ylabel="customers")
    caption(ax.figure, "near 1 = a clear member; lower values are customers between segments. Customers whose "
                       f"second segment reaches {hybrid_threshold:.0%} get a hybrid label such as 'A · B'.")
    return ax
