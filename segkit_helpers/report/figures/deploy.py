"""Figures of the deploy step (05): resources against value per segment."""

from __future__ import annotations

import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from segkit_helpers.report.figures.base import caption, use_axes
from segkit_helpers.report.i18n import _


def plot_resources_vs_value(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Profit per customer of each segment, coloured by its service model."""
    ax = use_axes(ax, (7, 3.5))
    data = table.reset_index()
    data["segment"] = data["segment"].astype(str)
    sns.barplot(data, x="segment", y="profit_per_customer", hue="service_model", dodge=False, ax=ax)
    if "service_cost" in data:
        ax.scatter(range(len(data)), data["service_cost"], marker="_", s=900, color="#C44E52", zorder=3,
                   label=_("service cost per customer"))
        ax.legend(fontsize=8)
    else:
        ax.get_legend().set_title(_("service model"))
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set(title=_("Value per customer and the service model it pays for"), xlabel=_("segment"),
           ylabel=_("profit per customer"))
    caption(ax.figure, _("bars are realised profit per customer, red dashes what the segment's service model "
                         "costs per customer; a dash above its bar means the service costs more than it earns."))
    return ax
