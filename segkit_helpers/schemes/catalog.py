"""Whether a config's data has what a scheme needs: a configured source, product lines.

The schemes' ``available`` predicates (:mod:`segkit_helpers.schemes.base`) and the
profile read these; the module is light (no scikit-learn), because ``segkit profile``
imports it.
"""

from __future__ import annotations

from collections.abc import Iterable


def source_configured(cfg: dict, table: str) -> bool:
    """Whether ``sources.<table>`` names a file (``path``) or a database (``url``)."""
    source = cfg["sources"][table]
    return bool(source.get("path") or source.get("url"))


def product_lines_available(columns: Iterable[str], cfg: dict) -> bool:
    """Whether order lines with these logical columns give product lines.

    A mapped ``category`` column, or a ``product`` column with the ``research.product_lines``
    mapping (CSV ``product,line``).
    """
    columns = set(columns)
    return "category" in columns or ("product" in columns and bool(cfg["research"]["product_lines"]))
