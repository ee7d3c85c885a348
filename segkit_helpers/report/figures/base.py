"""What every figure shares: the caption, the axes factory, tick labels that fit and the RFM axis labels.

A figure's caption is its title and a "How to read: …" sentence. :func:`caption` records it
on the figure and, in a notebook kernel with the inline backend, shows the figure once with
the caption in the output's metadata (key :data:`METADATA_KEY`); the page template
(:mod:`segkit_helpers.report.notebook_page`) puts it in the ``<figcaption>`` and the ``alt`` text.
"""

from __future__ import annotations

import textwrap
from dataclasses import asdict, dataclass
from weakref import WeakKeyDictionary

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.category import StrCategoryLocator
from matplotlib.ticker import FixedLocator

from segkit_helpers.report.i18n import N_, _

#: The axis label of each RFM feature, in English (shown through :func:`feature_label`).
LABELS = {"recency_days": N_("recency (days since last order)"), "frequency": N_("frequency (orders)"),
          "monetary": N_("monetary (net revenue)")}
#: The short name of each RFM feature as a panel title shows it (English: the column name).
# Translators: "recency_days" is the recency feature's short name (days since the last order), a panel title.
NAMES = {"recency_days": N_("recency_days"), "frequency": N_("frequency"), "monetary": N_("monetary")}

#: The key of a figure output's metadata that carries its caption.
METADATA_KEY = "segkit_figure"
#: Tick labels longer than this many characters are wrapped onto several lines.
WRAP_AT = 18


@dataclass(frozen=True)
class FigureCaption:
    """A figure's title and its "How to read: …" sentence; ``alt`` is both, for the image's alt text."""

    title: str
    how_to_read: str

    @property
    def alt(self) -> str:
        """The alternative text of the figure's image: title, then how to read it."""
        return f"{self.title.rstrip('.')}. {self.how_to_read}"

    def metadata(self) -> dict:
        """The display metadata the page template reads."""
        return {METADATA_KEY: {**asdict(self), "alt": self.alt}}


_CAPTIONS: WeakKeyDictionary[Figure, FigureCaption] = WeakKeyDictionary()


def figure_title(fig: Figure) -> str:
    """The figure's title: its suptitle, else the first axes title."""
    titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
    return next((t.strip() for t in titles if t.strip()), _("Figure"))


def shown(word: str) -> str:
    """A word the data stores in English (a quadrant, "new customer") as the page shows it; other labels as given."""
    return _(word) if isinstance(word, str) and word else word


def feature_name(feature: str) -> str:
    """The short name of a feature in the current language (an unknown feature: its column name)."""
    return _(NAMES[feature]) if feature in NAMES else feature


def feature_label(feature: str) -> str:
    """The axis label of a feature in the current language (an unknown feature: its short name)."""
    return _(LABELS[feature]) if feature in LABELS else feature_name(feature)


def caption(fig: Figure, text: str) -> FigureCaption:
    """Give a finished figure its caption, fit its tick labels and show it once in a notebook.

    Parameters
    ----------
    fig
        The figure, fully drawn on (call this last).
    text
        How to read the figure, in the current language, without the "How to read: " lead.

    Returns
    -------
    FigureCaption
        Also available later as :func:`caption_of`.
    """
    found = _CAPTIONS[fig] = FigureCaption(figure_title(fig), _("How to read: {text}").format(text=text))
    fit_tick_labels(fig)
    if _inline_kernel():
        from IPython.display import display

        display(fig, metadata=found.metadata())
        plt.close(fig)  # the inline backend would show it a second time at the end of the cell
    return found


def caption_of(fig: Figure) -> FigureCaption | None:
    """The caption :func:`caption` gave ``fig`` (``None`` if none)."""
    return _CAPTIONS.get(fig)


def _inline_kernel() -> bool:
    """True in a Jupyter kernel drawing with the inline backend (JupyterLab, papermill)."""
    if "matplotlib_inline" not in matplotlib.get_backend():
        return False
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


def use_axes(ax: Axes | None, size: tuple[float, float] = (7, 4)) -> Axes:
    """The given axes, or new ones of ``size`` inches on a new figure."""
    return ax if ax is not None else plt.subplots(figsize=size, layout="constrained")[1]


def _axis_overlaps(axis: Axis) -> bool:
    renderer = axis.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in axis.get_ticklabels() if t.get_visible() and t.get_text().strip()]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def _wrap(axis: Axis) -> None:
    """Wrap long labels of categorical ticks (fixed or category ticks; numeric ticks keep their formatter)."""
    if isinstance(axis.get_major_locator(), (FixedLocator, StrCategoryLocator)):
        texts = [t.get_text() for t in axis.get_ticklabels()]
        axis.set_ticks(axis.get_ticklocs(), [textwrap.fill(t, WRAP_AT) for t in texts])


def fit_tick_labels(fig: Figure) -> None:
    """Wrap and turn tick labels until no two of an axis overlap.

    x labels are wrapped, then turned 35° and then 90°; y labels are wrapped, then made
    smaller. Each step redraws the figure (its layout engine may move the axes).
    """
    fig.canvas.draw()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if _axis_overlaps(axis):
                _wrap(axis)
                fig.canvas.draw()
        for angle in (35, 90):
            if not _axis_overlaps(ax.xaxis):
                break
            ax.tick_params(axis="x", labelrotation=angle, rotation_mode="xtick")
            fig.canvas.draw()
        while _axis_overlaps(ax.yaxis) and (size := ax.get_yticklabels()[0].get_fontsize()) > 6:
            ax.tick_params(axis="y", labelsize=size - 1)
            fig.canvas.draw()
