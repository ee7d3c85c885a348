"""Where segkit's shipped files are: notebooks, sample cycles, sample data and resources.

In a checkout (or an editable install) they are the repository's own folders. An installed
wheel carries copies under ``segkit_helpers/_shipped/`` (``notebooks/``, ``cycles/``,
``data/raw/``), laid out like the repository, so the sample configs' relative data paths
resolve the same way. Outputs never go there: see :func:`default_workdir`.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: The copies of notebooks, cycles and sample data inside an installed wheel.
SHIPPED_DIR = PACKAGE_DIR / "_shipped"


def shipped_root() -> Path:
    """The folder holding ``notebooks/``, ``cycles/`` and ``data/raw/``.

    Returns
    -------
    Path
        :data:`SHIPPED_DIR` in an installed wheel, else the repository root.
    """
    return SHIPPED_DIR if SHIPPED_DIR.is_dir() else PACKAGE_DIR.parent


def is_installed() -> bool:
    """True when segkit runs from an installed wheel rather than a checkout."""
    return shipped_root() == SHIPPED_DIR


PROJ_ROOT = shipped_root()
CYCLES_DIR = PROJ_ROOT / "cycles"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
RESOURCES_DIR = PACKAGE_DIR / "resources"
#: The shipped sample: two cycles of the Online Retail data, run in this order.
SAMPLE_CONFIGS = [
    CYCLES_DIR / "online_retail_2011-06-01.yml",
    CYCLES_DIR / "online_retail_2011-12-09.yml",
]


def default_workdir() -> Path:
    """The work folder when none is given: the project root in a checkout, else the current folder."""
    return Path.cwd() if is_installed() else PROJ_ROOT
