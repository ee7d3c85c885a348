"""The ``segkit`` command line (a contract: schedulers and scripts rely on it).

``segkit cycle [CONFIG.yml ...] [--workdir DIR] [-p NAME VALUE]...``
    Run whole cycles (all notebooks, HTML reports); no CONFIG = the shipped sample
    (its two cycles, in order).
``segkit profile CONFIG.yml --out FILE.parquet [-p engine.name duckdb|spark|database] [--no-progress]``
    The research step alone: inputs → customer profile table, no notebook; the order
    lines are aggregated on the engine of ``engine.name``.
``segkit score MODEL.skops INPUT --out OUTPUT [--trust] [--engine {pandas,spark}]``
``[--master URL] [--conf KEY VALUE]... [--overwrite]``
    Assign new customers (a profile table) to the segments of a saved model. The pandas
    engine (default) reads a Parquet or CSV file and writes ``OUTPUT`` (.parquet or .csv),
    replacing it atomically. The spark engine scores a Parquet dataset or a Spark table
    on Spark's executors (``segkit_helpers.deploy.spark_scoring``) and writes a Parquet
    dataset (a directory) or the Spark table ``table:NAME``; an existing output is kept
    unless ``--overwrite``.
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
    score.add_argument("input", metavar="INPUT",
                       help="customer table with customer_id and the model's features (recency_days, frequency, "
                            "monetary by default): a Parquet or CSV file; with --engine spark a Parquet file or "
                            "dataset directory (path or URI), or else a Spark table name")
    score.add_argument("--out", required=True, metavar="OUTPUT",
                       help="output: a .parquet or .csv file (pandas, replaced if it exists); with --engine spark a "
                            "Parquet dataset directory (path or URI) or table:NAME for a Spark table")
    score.add_argument("--trust", action="store_true", help="also load types outside segkit's allow-list from the "
                                                             "model file (only for a file you made yourself)")
    score.add_argument("--engine", choices=["pandas", "spark"], default="pandas",
                       help="pandas: in this process (default); spark: in parallel on Spark's executors, for tens of "
                            "millions of customers")
    score.add_argument("--master", default="local[*]", metavar="URL",
                       help="Spark master of --engine spark (default local[*]; an active session is used as it is)")
    score.add_argument("--conf", nargs=2, action="append", default=[], metavar=("KEY", "VALUE"),
                       help="a Spark setting of --engine spark, e.g. --conf spark.driver.memory 8g; repeatable")
    score.add_argument("--overwrite", action="store_true",
                       help="--engine spark: replace an existing output directory or table (else it is an error)")
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

    from segkit_helpers.io.artefacts import write_csv, write_parquet
    from segkit_helpers.errors import ConfigError, InputError
    from segkit_helpers.io.model_io import load_model, load_personas
    from segkit_helpers.schemes.behavioural import score_customers

    if args.engine == "spark":
        from segkit_helpers.deploy.spark_scoring import score_with_spark

        scored = score_with_spark(args.model, args.input, args.out, master=args.master, conf=dict(args.conf),
                                  trust=args.trust, overwrite=args.overwrite)
        print(f"scored {scored:,} customers → {args.out}")
        return
    if args.conf or args.master != "local[*]" or args.overwrite:
        raise ConfigError("--master, --conf and --overwrite are options of --engine spark (the pandas engine "
                          "replaces its output file)")
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
    scored = score_customers(model, customers, load_personas(model_path))
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
