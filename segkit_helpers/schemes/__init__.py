"""The segmentation schemes of the hypothesis step, and :data:`SCHEMES`, their registry.

:data:`SCHEMES` maps a ``segmentation.scheme`` name to its model class (a
:class:`segkit_helpers.schemes.base.SegmentScheme`). Built-in schemes are listed as
``"module:Class"`` strings and imported only when looked up, so the config and the
readiness step can read the names without loading scikit-learn; other packages add
schemes through the entry-point group ``segkit.schemes`` (name = scheme, value =
``module:Class``). Config validation, readiness, the research checks and
:mod:`segkit_helpers.schemes.common` all read this one registry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from importlib.metadata import entry_points

#: Entry-point group through which other packages register schemes.
ENTRY_POINT_GROUP = "segkit.schemes"

BUILTIN = {
    "behavioural": "segkit_helpers.schemes.behavioural:SegmentModel",
    "firmographic": "segkit_helpers.schemes.firmographic:FirmographicModel",
    "needs": "segkit_helpers.schemes.needs:NeedsModel",
    "opportunity": "segkit_helpers.schemes.opportunity:OpportunityModel",
    "value_loyalty": "segkit_helpers.schemes.value_loyalty:QuadrantModel",
}


def load_class(spec: str) -> type:
    """The class named by ``"package.module:Class"``."""
    module, _, name = spec.partition(":")
    return getattr(import_module(module), name)


class Registry(Mapping):
    """Scheme name → model class; built-ins first, then the entry points (read on each listing)."""

    def __init__(self, builtin: dict[str, str]):
        self._builtin = dict(builtin)
        self._loaded: dict[str, type] = {}

    def _specs(self) -> dict[str, str]:
        plugged = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name not in self._builtin}
        return {**self._builtin, **plugged}

    def __getitem__(self, name: str) -> type:
        if name not in self._loaded:
            self._loaded[name] = load_class(self._specs()[name])
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs())

    def __len__(self) -> int:
        return len(self._specs())

    def __contains__(self, name: object) -> bool:
        return name in self._specs()

    def type_names(self) -> set[str]:
        """``module.Class`` of every registered scheme, as a model file names them."""
        return {spec.replace(":", ".") for spec in self._specs().values()}


#: The registry of segmentation schemes (see the module docstring).
SCHEMES = Registry(BUILTIN)
