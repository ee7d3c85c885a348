"""The ``segkit`` command line (a contract: schedulers and scripts rely on it).

``segkit cycle [CONFIG.yml ...] [--workdir DIR] [-p NAME VALUE]...``
    Run whole cycles (all notebooks, HTML reports); no CONFIG = the shipped sample
    (its two cycles, in order).
``segkit profile CONFIG.yml --out FILE.parquet [-p engine.name duckdb|spark|database] [--no-progress]``
    The research step alone: inputs → customer profile table, no notebook; the order
    lines are aggregated on the engine of ``engine.name``.
``segkit score MODEL.skops INPUT --out FILE [--trust]``
    Assign new customers (a profile table) to the segments of a saved model.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from segkit_helpers import __version__
from segkit_helpers.io.config import parse_override
from segkit_helpers.io.paths import SAMPLE_CONFIGS
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
    profile.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                         help="set a config key, dotted (e.g. -p engine.name spark -p engine.spark.master local[2])")
    profile.add_argument("--no-progress", action="store_true", help="no progress bar")
    score = sub.add_parser("score", help="assign new customers to the segments of a saved model")
    score.add_argument("model", metavar="MODEL.skops", help="model.skops of a cycle (personas.yml beside it names "
                                                            "the segments)")
    score.add_argument("input", metavar="INPUT", help="customer table (Parquet or CSV) with customer_id, "
                                                      "recency_days, frequency, monetary")
    score.add_argument("--out", required=True, metavar="FILE", help="output table (.parquet or .csv)")
    score.add_argument("--trust", action="store_true", help="also load types outside segkit's allow-list from the "
                                                             "model file (only for a file you made yourself)")
    return parser


def _cycle(args: argparse.Namespace) -> None:
    from segkit_helpers.cycle import run_cycle

    overrides = dict(parse_override(name, value) for name, value in args.parameter)
    configs = args.configs or [str(p) for p in SAMPLE_CONFIGS]
    for config in configs:
        index = run_cycle(config, args.workdir, overrides, progress=not args.no_progress)
        print(f"cycle done: {index}")


def _profile(args: argparse.Namespace) -> None:
    from segkit_helpers.io.artefacts import write_parquet
    from segkit_helpers.research.profile import profile_from_config

    overrides = dict(parse_override(name, value) for name, value in args.parameter)
    profile, cleaning = profile_from_config(args.config, overrides, progress=not args.no_progress)
    write_parquet(profile, Path(args.out))
    print(cleaning.to_string(index=False), file=sys.stderr)
    print(f"profile: {len(profile):,} customers → {args.out}")


def _score(args: argparse.Namespace) -> None:
    import pandas as pd
    import yaml

    from segkit_helpers.io.artefacts import write_csv, write_parquet
    from segkit_helpers.errors import InputError
    from segkit_helpers.io.model_io import load_model
    from segkit_helpers.schemes.behavioural import score_customers

    model_path, input_path, out = Path(args.model), Path(args.input), Path(args.out)
    for path, what in ((model_path, "model"), (input_path, "input")):
        if not path.is_file():
            raise InputError(f"{what} file not found: {path}")
    model = load_model(model_path, trust=args.trust)
    reader = pd.read_parquet if input_path.suffix.lower() in (".parquet", ".pq") else \
        (lambda p: pd.read_csv(p, dtype={"customer_id": str}))
    try:
        customers = reader(input_path)
    except Exception as exc:  # unreadable input: one line, not a traceback
        raise InputError(f"table 'customers to score': cannot read {input_path}: {exc}") from None
    personas_file = model_path.with_name("personas.yml")
    personas = yaml.safe_load(personas_file.read_text(encoding="utf-8"))["personas"] if personas_file.is_file() else None
    scored = score_customers(model, customers, personas)
    (write_csv if out.suffix.lower() == ".csv" else write_parquet)(scored, out)
    print(f"scored {len(scored):,} customers → {out}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``segkit`` and ``python -m segkit_helpers``; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        {"cycle": _cycle, "profile": _profile, "score": _score}[args.command](args)
    except SegkitError as exc:
        print(f"segkit: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        print(f"segkit: stopped by {signal.Signals(signum).name}; previous outputs untouched "
              "(a cycle's executed notebooks are kept in reports/<cycle>.failed/)", file=sys.stderr)
        return 128 + signum
    return 0


def run() -> None:
    """The ``segkit`` command: :func:`main`, then exit with its code.

    After a stop by a signal (exit code 128 + signal) the process ends at once, without
    the interpreter's exit handlers: the run has already cleaned up, and the notebook
    runner's own handlers would try to shut down kernels that are gone and print their
    errors after segkit's one line.
    """
    code = main()
    if code > 128:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    raise SystemExit(code)
