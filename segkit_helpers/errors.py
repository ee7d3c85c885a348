"""Errors segkit raises for problems a user can fix (config, input data)."""


class SegkitError(Exception):
    """Base class: a problem the user can fix; the message says how."""


class ConfigError(SegkitError):
    """The cycle configuration is wrong (unknown/missing key, bad value)."""


class InputError(SegkitError):
    """An input table cannot be used (unreadable file, missing column, bad rows)."""

    @classmethod
    def bad_rows(cls, table: str, column: str, n_bad: int, example: object, problem: str) -> "InputError":
        """Build the standard message naming table, column, bad-row count and an example."""
        return cls(
            f"table '{table}', column '{column}': {n_bad:,} row(s) {problem} "
            f"(for example {example!r}). Fix the source or the column mapping in the config."
        )


class CycleError(SegkitError):
    """A notebook of the cycle failed."""
