"""``python -m segkit_helpers`` is the same as the ``segkit`` command."""

from segkit_helpers.cli import run

run()
