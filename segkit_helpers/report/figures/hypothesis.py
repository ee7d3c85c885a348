"""Figures of the hypothesis step (02): choice of k, segment profiles, segment map, cross-sell, memberships."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.decomposition import PCA

from segkit_helpers.report import numbers
from segkit_helpers.report.figures.base import caption, feature_name, use_axes
from segkit_helpers.report.i18n import N_, _
from segkit_helpers.schemes.behavioural import persona_names


LOWER_IS_BETTER = {"davies_bouldin", "bic", "aic", "cost", "inertia"}
#: The panel names of the k table's columns that are words (the others, BIC, AIC and the indices named
#: after their authors, read the same in every language).
INDEX_NAMES = (N_("stability"), N_("silhouette"), N_("cost"))


NOT_PLOTTED = {"k", "stability", "stability_sd", "mean_rank", "recommended", "inertia"}


def plot_k_selection(k_table: pd.DataFrame) -> Figure:
    """Bootstrap stability and the scheme's internal indices over k, the recommended k marked.

    One panel per numeric column of ``k_table`` (stability first); BIC, AIC,
    Davies–Bouldin and cost read "lower is better", the others "higher is better".
    """
    indices = [c for c in k_table.columns if c not in NOT_PLOTTED and pd.api.types.is_numeric_dtype(k_table[c])
               and not pd.api.types.is_bool_dtype(k_table[c])]
    panels = [("stability", N_("higher is better"))] + [
        (c, N_("lower is better") if c in LOWER_IS_BETTER else N_("higher is better")) for c in indices]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.8 * len(panels), 3.6), layout="constrained", squeeze=False)
    axes = axes[0]
    chosen = k_table.loc[k_table["recommended"], "k"].iloc[0]
    for ax, (col, better) in zip(axes, panels):
        ax.plot(k_table["k"], k_table[col], marker="o", color="#4C72B0")
        if col == "stability":
            ax.fill_between(k_table["k"], k_table[col] - k_table["stability_sd"],
                            k_table[col] + k_table["stability_sd"], color="#4C72B0", alpha=0.15)
        ax.axvline(chosen, color="#C44E52", linestyle="--",
                   label=_("recommended k = {k}").format(k=numbers.count(chosen)))
        ax.set(title=_("{index} ({direction})").format(index=_(col.replace("_", "-")), direction=_(better)),
               xlabel=_("number of segments k"), ylabel=_(col))
        ax.set_xticks(k_table["k"])
    axes[0].legend(loc="best", fontsize=8)
    fig.suptitle(_("Choice of the number of segments"))
    caption(fig, _("each panel scores the same candidate numbers of segments. Stability (left; band = ± 1 SD over "
                   "resamples) is how reliably the same segments come back; the dashed line marks the most stable "
                   "business-usable k."))
    return fig


#: Persona names on a heat map's rows are wrapped at this many characters.
PERSONA_WRAP = 30


def plot_segment_profiles(z: pd.DataFrame, personas: list[dict], ax: Axes | None = None) -> Axes:
    """Heat map of each segment's feature means against all customers, in SD units.

    ``z`` is :func:`segkit_helpers.schemes.common.segment_feature_z` (rows: segment ids).
    """
    names = persona_names(personas)
    # persona names run long (more so in ru and pl): wrapped before drawing, with room for their lines
    rows = [textwrap.fill(f"{s} · {names.get(s, '')}", PERSONA_WRAP) for s in z.index]
    lines = max(row.count("\n") + 1 for row in rows)
    ax = use_axes(ax, (max(7, 0.7 * z.shape[1] + 4.5), (0.4 + 0.2 * lines) * len(z) + 2))
    labelled = z.set_axis(rows, axis=0)
    sns.heatmap(labelled, annot=z.shape[1] <= 12, fmt=".1f", cmap="RdBu_r", center=0, ax=ax,
                cbar_kws={"label": _("SDs from the mean")})
    ax.set(title=_("Segment profiles: each segment against all customers"), xlabel=_("feature (as clustered)"),
           ylabel=_("segment"))
    caption(ax.figure, _("red = above the average customer, blue = below, in standard deviations of the clustered "
                         "features (amounts on a log scale; for a category, the share of the segment in it). "
                         "For recency, blue means bought more recently."))
    return ax


def plot_segment_map(points: pd.DataFrame, segments: pd.Series, seed: int = 42, sample: int = 3000,
                     ax: Axes | None = None) -> Axes:
    """Customers on the first two principal components of the clustered features.

    ``points`` is :func:`segkit_helpers.schemes.common.embedding` (one row per customer,
    aligned with ``segments``).
    """
    ax = use_axes(ax, (7, 5))
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(len(points), size=min(sample, len(points)), replace=False))
    values = points.to_numpy(dtype=float)[idx]
    labels = np.asarray(segments)[idx].astype(str)
    if values.shape[1] < 2:  # one clustered feature: the customers along it, a row per segment
        sns.stripplot(x=values[:, 0], y=labels, hue=labels, palette="tab10", size=3, alpha=0.6, legend=False, ax=ax)
        name = feature_name(str(points.columns[0]))
        ax.set(title=_("Segment map (the one clustered feature, {feature})").format(feature=name), xlabel=name,
               ylabel=_("segment"))
        caption(ax.figure, _("each dot is a customer (a random sample); rows that do not overlap mean distinct "
                             "segments."))
        return ax
    pca = PCA(n_components=2, random_state=seed).fit(values)
    xy = pca.transform(values)
    sns.scatterplot(x=xy[:, 0], y=xy[:, 1], hue=labels, s=12, alpha=0.6,
                    palette="tab10", ax=ax)
    ev = pca.explained_variance_ratio_
    component = _("component {number} ({share} of variance)")
    ax.set(title=_("Segment map (principal components of the clustered features)"),
           xlabel=component.format(number=1, share=numbers.share(ev[0])),
           ylabel=component.format(number=2, share=numbers.share(ev[1])))
    ax.legend(title=_("segment"), fontsize=8)
    caption(ax.figure, _("each dot is a customer (a random sample); well-separated colours mean distinct segments, "
                         "overlap means customers between segments."))
    return ax


def plot_cross_sell(table: pd.DataFrame | None, personas: list[dict] | None = None, ax: Axes | None = None) -> Axes:
    """Segment × product-line penetration, annotated with the whitespace's expected value.

    ``table`` is :func:`segkit_helpers.schemes.opportunity.cross_sell_table`; an empty table
    (no product lines) draws a note instead.
    """
    if table is None or table.empty:
        ax = use_axes(ax, (7, 2))
        ax.axis("off")
        ax.text(0.5, 0.5, _("no product lines: map a 'category' column or set research.product_lines"),
                ha="center", va="center")
        ax.set(title=_("Cross-sell opportunities"))
        caption(ax.figure, _("the cross-sell table needs product lines per order line."))
        return ax
    names = persona_names(personas or [])
    table = table.assign(product_line=table["product_line"].str.replace("_", " "))
    share = table.pivot(index="segment", columns="product_line", values="penetration")
    value = table.pivot(index="segment", columns="product_line", values="expected_value")
    labels = share.map(numbers.share) + "\n" + value.map(lambda v: "+" + numbers.number(v, 0) if v > 0 else "")
    ax = use_axes(ax, (max(7, 1.1 * share.shape[1] + 2), 0.7 * len(share) + 2))
    sns.heatmap(share.set_axis([f"{s} · {names.get(s, '')}" for s in share.index], axis=0), annot=labels, fmt="",
                cmap="Blues", vmin=0, vmax=1, ax=ax, cbar_kws={"label": _("share of the segment buying the line")})
    ax.set(title=_("Cross-sell: who buys which product line"), xlabel=_("product line"), ylabel=_("segment"))
    caption(ax.figure, _("colour and percentage: share of the segment's customers who buy the line; below it, the "
                         "expected revenue if the segment's non-buyers bought like its buyers (penetration × spend "
                         "per buyer, summed over non-buyers; shown where at least segmentation.min_penetration "
                         "buy)."))
    return ax


def plot_membership(segments: pd.DataFrame, hybrid_threshold: float = 0.3, ax: Axes | None = None) -> Axes:
    """Histogram of each customer's membership probability in their own segment."""
    ax = use_axes(ax, (7, 3.5))
    sns.histplot(segments["membership"], bins=20, binrange=(0, 1), ax=ax, color="#8172B2")
    hybrids = segments["secondary_segment"].notna().mean()
    ax.set(title=_("How clearly customers belong to their segment ({share} are hybrids)").format(
               share=numbers.share(hybrids)),
           xlabel=_("membership probability of the assigned segment"), ylabel=_("customers"))
    caption(ax.figure, _("near 1 = a clear member; lower values are customers between segments. Customers whose "
                         "second segment reaches {threshold} get a hybrid label such as 'A · B'.").format(
                             threshold=numbers.share(hybrid_threshold)))
    return ax
