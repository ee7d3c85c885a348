"""Figures of the cycle, one module per step. Each is titled, labelled and carries a one-line
"how to read" caption (:func:`~segkit_helpers.report.figures.base.caption`: the page's
figcaption and alt text); tick labels are fitted so that none overlap.

Single-panel plots take ``ax=None`` and return the Axes; multi-panel ones return the Figure.
pyplot is imported in these modules only.
"""
