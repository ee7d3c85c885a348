"""The segmentation schemes by name, with what each needs from the data: one list for every step.

Config validation (the allowed ``segmentation.scheme`` values), the readiness step
(which schemes the data supports) and the schemes themselves (the error when a
scheme's table is missing) all read :data:`SCHEMES`, so a scheme cannot be allowed in
one place and unknown in another. The module is light (no scikit-learn), because the
config and ``segkit profile`` import it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


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


@dataclass(frozen=True)
class Scheme:
    """One segmentation scheme: its title, what it needs, and whether a config has it.

    Attributes
    ----------
    title
        How reports name the scheme.
    needs
        The data it needs, in words.
    table
        The input table that holds what it clusters.
    available
        ``available(cfg, columns)``: whether the data supports the scheme, given the
        config and the logical columns of the order lines.
    """

    title: str
    needs: str
    table: str
    available: Callable[[dict, Iterable[str]], bool]


def _has(table: str) -> Callable[[dict, Iterable[str]], bool]:
    return lambda cfg, columns: source_configured(cfg, table)


SCHEMES: dict[str, Scheme] = {
    "behavioural": Scheme("behavioural (purchase behaviour: recency, frequency, monetary value)",
                          "order lines (transactions): how customers buy", "transactions", _has("transactions")),
    "firmographic": Scheme("firmographic (company attributes)",
                           "customer attributes (customers table): industry, size, region", "customers",
                           _has("customers")),
    "needs": Scheme("needs-based (survey answers)", "survey answers (survey table): motivations and pains", "survey",
                    _has("survey")),
    "opportunity": Scheme("opportunity (which product lines customers buy)",
                          "product lines bought (transactions with a category, or products and research.product_lines)",
                          "transactions",
                          lambda cfg, columns: source_configured(cfg, "transactions")
                          and product_lines_available(columns, cfg)),
    "value_loyalty": Scheme("value × loyalty (profitability and loyalty quadrants)",
                            "order lines (transactions): profit and loyalty of each customer", "transactions",
                            _has("transactions")),
}
