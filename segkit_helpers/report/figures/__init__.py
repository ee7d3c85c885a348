"""Figures of the cycle, one module per step. Each is titled, labelled and carries a one-line
"how to read" caption.

Single-panel plots take ``ax=None`` and return the Axes; multi-panel ones return the Figure.
pyplot is imported in these modules only.
"""
