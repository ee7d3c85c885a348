"""The ``segkit`` command line (a contract: schedulers and scripts rely on it).

``segkit cycle [CONFIG.yml ...] [--workdir DIR] [-p NAME VALUE]...``
    Run whole cycles (all notebooks, HTML reports); no CONFIG = the shipped sample
    (its two cycles, in order).
``segkit profile CONFIG.yml --out FILE.parquet``
    The research step alone: inputs → customer profile table, no notebook.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from segkit_helpers import __version__
from segkit_helpers.config import SAMPLE_CONFIGS, parse_override
from segkit_helpers.errors import SegkitError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="segkit", description="Customer-segmentation cycles: "
                                     "research → hypothesis → test → monitor → deploy.")
    parser.add_argument("--version", action="version", version=f"segkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    cycle = sub.add_parser("cycle", help="run whole cycles: notebooks 00-05 and HTML reports")
    cycle.add_argument("configs", nargs="*", metavar="CONFIG.yml",
                       help="cycle config(s), run in the order given; none = the shipped sample's two cycles")
    cycle.add_argument("--workdir", default=".", metavar="DIR",
                       help="where data/processed/<cycle>/ and reports/<cycle>/ are written (default: .)")
    cycle.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                       help="set a config key, dotted (e.g. -p segmentation.k 5 -p seed 7); repeatable")
    cycle.add_argument("--no-progress", action="store_true", help="no progress bar")
    profile = sub.add_parser("profile", help="the research step alone: inputs → customer profile (Parquet)")
    profile.add_argument("config", metavar="CONFIG.yml")
    profile.add_argument("--out", required=True, metavar="FILE.parquet")
    profile.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    return parser


def _cycle(args: argparse.Namespace) -> None:
    from segkit_helpers.cycle import run_cycle

    overrides = dict(parse_override(name, value) for name, value in args.parameter)
    configs = args.configs or [str(p) for p in SAMPLE_CONFIGS]
    for config in configs:
        index = run_cycle(config, args.workdir, overrides, progress=not args.no_progress)
        print(f"cycle done: {index}")


def _profile(args: argparse.Namespace) -> None:
    from segkit_helpers.artefacts import write_parquet
    from segkit_helpers.features import profile_from_config

    overrides = dict(parse_override(name, value) for name, value in args.parameter)
    profile, cleaning = profile_from_config(args.config, overrides)
    write_parquet(profile, Path(args.out))
    print(cleaning.to_string(index=False), file=sys.stderr)
    print(f"profile: {len(profile):,} customers → {args.out}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``segkit`` and ``python -m segkit_helpers``; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        {"cycle": _cycle, "profile": _profile}[args.command](args)
    except SegkitError as exc:
        print(f"segkit: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("segkit: interrupted; previous outputs untouched", file=sys.stderr)
        return 130
    return 0
