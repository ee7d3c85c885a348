"""What every figure shares: the caption, the axes factory and the RFM axis labels."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure


LABELS = {"recency_days": "recency (days since last order)", "frequency": "frequency (orders)",
          "monetary": "monetary (net revenue)"}


def caption(fig: Figure, text: str) -> None:
    """Put a "how to read" caption under a figure."""
    fig.text(0.01, -0.02, "How to read: " + text, ha="left", va="top", fontsize=9, style="italic", wrap=True)


def use_axes(ax: Axes | None, size: tuple[float, float] = (7, 4)) -> Axes:
    """The given axes, or new ones of ``size`` inches on a new figure."""
    return ax if ax is not None else plt.subplots(figsize=size, layout="constrained")[1]
