"""Does the default cycle work on data the kit was not built on? One cycle per data shape.

Generates shops with :mod:`segkit_helpers.datasets.shops` — planted buyer types at several
sizes, seeds, type mixes and price spreads; a shop with no types at all (continuum);
Polish and Russian column names; every CSV export dialect; CDNOW when the ``lifetimes``
package (and so its data file) is installed — writes each with a cycle config into a
temporary folder and runs the DEFAULT cycle (CLV on) in its own process with a timeout:

    python -m segkit_helpers cycle CONFIG --workdir W --no-progress

It prints one row per shape as it finishes, then a Markdown table: completed or the
one-line error, seconds, customers profiled, recommended k, adjusted Rand index of the
segments against the planted types, the CLV method (``method`` of ``clv.json``, and
whether it carries a caveat), 02's first reading of the structure ("natural" /
"constructed", from ``k_choice.json``) and 03's verdict against a reference without
groups (``structure`` of ``validation.json``), with the share of hypotheses supported
and of segments to target.

    python bench/foreign_data.py --quick        # 4 small shapes, a few minutes
    python bench/foreign_data.py                # the full grid (14 shapes), about 25 minutes on 2 idle cores
    python bench/foreign_data.py --only CDNOW --only sigma   # shapes whose name contains either
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml
from sklearn.metrics import adjusted_rand_score

from segkit_helpers.datasets.shops import (TYPE_MIXES, cdnow_lines, cdnow_path, continuum_shop, foreign_columns, planted_shop,
                                     write_export)
from segkit_helpers.io.paths import PROJ_ROOT as ROOT

CYCLE = "foreign"
READINESS = {"goal": "foreign-data benchmark", "base_large_and_varied": "yes", "actionable": "yes",
             "resources": "yes", "will_act": "yes"}


@dataclass
class Shape:
    """One data shape: how to make its lines, and how it is written and mapped."""

    name: str
    make: Callable[[], tuple[pd.DataFrame, pd.Series | None]]
    language: str | None = None  # foreign column names: "pl" or "ru"
    dialect: str | None = None  # CSV export dialect; None: Parquet
    extra: dict = field(default_factory=dict)  # config keys besides the defaults


def planted(n: int, seed: int, mix: str = "balanced", sigma: float = 1.0, **kwargs) -> Callable:
    return lambda: planted_shop(n, seed, types=TYPE_MIXES[mix], price_sigma=sigma, **kwargs)


def continuum(n: int, seed: int) -> Callable:
    return lambda: (continuum_shop(n, seed), None)


def cdnow() -> tuple[pd.DataFrame, None]:
    lines = cdnow_lines()
    return lines.drop(columns="quantity"), None  # mapped with an amount, no order id, no product


def grid(quick: bool) -> list[Shape]:
    """The shapes tried: a few small ones with ``quick``, else the full grid."""
    if quick:
        return [Shape("planted 300 balanced s1", planted(300, 1)),
                Shape("continuum 300 s2", continuum(300, 2)),
                Shape("planted 300 pl names, pl export", planted(300, 3), language="pl", dialect="pl"),
                Shape("planted 300 mixed line endings", planted(300, 4), dialect="mixed_eol")]
    shapes = [Shape("planted 300 balanced s1", planted(300, 1)), Shape("planted 1200 balanced s1", planted(1200, 1)),
              Shape("planted 5000 balanced s2", planted(5000, 2)), Shape("planted 20000 balanced s1", planted(20000, 1))]
    shapes += [Shape(f"planted 1200 {mix} s3", planted(1200, 3, mix)) for mix in TYPE_MIXES if mix != "balanced"]
    shapes += [Shape("planted 1200 price sigma 0.3 s4", planted(1200, 4, sigma=0.3)),
               Shape("planted 2500 price sigma 1.6 s4", planted(2500, 4, sigma=1.6)),
               Shape("continuum 1200 s5", continuum(1200, 5))]
    shapes += [Shape("planted 300 pl names, pl export s7", planted(300, 7), language="pl", dialect="pl"),
               Shape("planted 300 ru names, ru export s8", planted(300, 8), language="ru", dialect="ru"),
               Shape("planted 300 mixed line endings s9", planted(300, 9), dialect="mixed_eol"),
               Shape("planted 300 no order id, no product, us export s10",
                     planted(300, 10, order_ids=False, products=False), dialect="us")]
    if cdnow_path() is not None:
        shapes.append(Shape("CDNOW master (amount, no order id)", cdnow))
    return shapes


def write_shape(shape: Shape, folder: Path) -> tuple[Path, pd.Series | None]:
    """Write the shape's lines and cycle config into ``folder``; the config path and the planted types."""
    lines, types = shape.make()
    asof = lines["order_date"].max().date()  # the file's last day: every line counts
    mapping = {c: c for c in lines.columns}
    if shape.language:
        lines, mapping = foreign_columns(lines, shape.language)
    if shape.dialect:
        data = folder / "lines.csv"
        source = write_export(lines, data, shape.dialect, customer_column=mapping["customer_id"])
    else:
        data, source = folder / "lines.parquet", {}
        lines.to_parquet(data, index=False)
    config = {"cycle": CYCLE, "asof": asof, "seed": 42, "sources": {"transactions": {"path": data.name, **source}},
              "columns": {"transactions": mapping}, "readiness": READINESS, **shape.extra}
    path = folder / "cycle.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path, types


def run_cycle(config: Path, workdir: Path, timeout: int) -> tuple[str, float]:
    """Run the default cycle in its own process (group): ``completed``, or the one-line error; seconds."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "TQDM_DISABLE": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "segkit_helpers", "cycle", str(config), "--workdir", str(workdir),
                             "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the cycle and its notebook kernels
        proc.communicate()
        return f"timeout after {timeout} s", time.perf_counter() - start
    seconds = time.perf_counter() - start
    if proc.returncode == 0:
        return "completed", seconds
    lines = [line.strip() for line in err.splitlines() if line.strip()]
    error = next((line for line in reversed(lines) if line.startswith("segkit: error:")), lines[-1] if lines else "")
    return error.removeprefix("segkit: error: ") or f"exit code {proc.returncode}", seconds


def _find(record, key: str):
    """The first value of ``key`` anywhere in a nested JSON record, else None."""
    if isinstance(record, dict):
        if key in record:
            return record[key]
        record = list(record.values())
    if isinstance(record, list):
        for item in record:
            found = _find(item, key)
            if found is not None:
                return found
    return None


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def outcome(workdir: Path, types: pd.Series | None) -> dict:
    """What the cycle wrote: customers, k, ARI, CLV method, 02's structure and 03's verdict ("-" when absent)."""
    out = workdir / "data" / "processed" / CYCLE
    row = dict.fromkeys(["customers", "k", "ARI", "CLV method", "02 structure", "03 verdict"], "-")
    if (out / "customers.parquet").is_file():
        row["customers"] = f"{len(pd.read_parquet(out / 'customers.parquet', columns=['customer_id'])):,}"
    if (out / "k_selection.csv").is_file():
        table = pd.read_csv(out / "k_selection.csv")
        row["k"] = str(int(table.loc[table["recommended"], "k"].iloc[0]))
    if types is not None and (out / "segments.parquet").is_file():
        segments = pd.read_parquet(out / "segments.parquet", columns=["customer_id", "segment"])
        truth = types.set_axis(types.index.astype(str)).reindex(segments["customer_id"].astype(str))
        row["ARI"] = f"{adjusted_rand_score(truth.to_numpy(), segments['segment'].to_numpy()):.3f}"
    clv = _json(out / "clv.json")
    if clv is not None:
        caveat = " (caveat)" if clv.get("caveat") else ""
        row["CLV method"] = f"{clv['method']}{caveat}"
    natural = _find(_json(out / "k_choice.json"), "natural")
    if natural is not None:
        row["02 structure"] = "natural" if natural else "constructed"
    validation = _json(out / "validation.json")
    if validation is not None:
        hyps, segs = validation.get("hypotheses", []), validation.get("segments", [])
        row["03 verdict"] = (f"{validation.get('structure', {}).get('verdict', '-')}; "
                             f"{sum(h.get('verdict') == 'supported' for h in hyps)}/{len(hyps)} hypotheses supported, "
                             f"{sum(str(s.get('verdict', '')).startswith('target') for s in segs)}/{len(segs)} "
                             "segments target")
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 small shapes (a few minutes) to check the harness")
    parser.add_argument("--only", metavar="TEXT", action="append", default=[],
                        help="only the shapes whose name contains TEXT (repeatable)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cycle (default 900)")
    parser.add_argument("--keep", metavar="DIR", help="keep every shape's data, config and outputs under DIR")
    args = parser.parse_args(argv)
    shapes = [s for s in grid(args.quick) if not args.only or any(t.lower() in s.name.lower() for t in args.only)]
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="segkit-foreign-"))
    rows = []
    for i, shape in enumerate(shapes):
        folder = base / f"{i:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        config, types = write_shape(shape, folder)
        result, seconds = run_cycle(config, folder / "work", args.timeout)
        row = {"shape": shape.name, "result": result, "seconds": f"{seconds:.0f}", **outcome(folder / "work", types)}
        rows.append(row)
        print(" | ".join(row.values()), flush=True)
    table = pd.DataFrame(rows)
    print()
    print("| " + " | ".join(table.columns) + " |")
    print("|" + " --- |" * len(table.columns))
    for row in table.itertuples(index=False):
        print("| " + " | ".join(str(v).replace("|", "/") for v in row) + " |")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0 if (table["result"] == "completed").all() else 1


if __name__ == "__main__":
    sys.exit(main())
