"""Benchmark of the research step at scale: segkit's profile against plain baselines, in one run.

1. Generates a synthetic shop deterministically (seeded numpy, written to Parquet with
   pyarrow one row group at a time, so generation is bounded in memory): customers with
   heavy-tailed order counts, several lines per order, cancellations (order id "C…",
   negative quantity), product codes, quantities, unit prices (a few zero), a small share
   of exact duplicate lines and of lines without a customer id, two years of dates; half
   of a customer's lines are among their usual products (customer-product pairs repeat
   about as often as in the Online Retail data). The
   file and a minimal cycle config beside it are cached in ``--data-dir`` by (lines, seed).
2. Runs each contender in its own process (started by a small launcher, so that one
   contender's peak memory never counts in another's; see :data:`LAUNCHER`):

   - a bare DuckDB RFM query on the same file (group by customer: last date, distinct
     orders, summed amount; no cleaning), the plain baseline;
   - segkit's profile without CLV (:func:`segkit_helpers.research.profile.profile_from_config`
     with ``clv.enabled: false``, the default cleaning), and once more without the exact
     duplicate check (``cleaning.drop_duplicates: false``), for reference;
   - the same profile on Spark ``local[2]`` (``engine.name: spark``), or "not run" with the
     reason when Spark or segkit's Spark engine is not there;
   - lifetimes' ``summary_data_from_transaction_data``: reading the Parquet into pandas
     counts in its time (a profile reads its file too); the time without the read is
     printed beside it.

It prints the wall time of each contender's work (the timed call in its process: starting
Python and importing libraries excluded; the whole process's time is printed too), its peak
resident memory (the process's ``ru_maxrss``), the ratios against the issue's targets with
PASS / MISS, the machine, the date and the versions.

    python bench/profile_bench.py --quick                    # 1M lines, a smoke run
    python bench/profile_bench.py                            # 10M lines (the issue's targets)
    python bench/profile_bench.py --lines 100000000 --skip-lifetimes
    python bench/profile_bench.py --billion --data-dir /big/disk/segkit-bench   # 1 billion lines, ~8 GB of Parquet
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "segkit-profile-bench"

# --- the synthetic shop --------------------------------------------------------------------

START = np.datetime64("2023-01-01", "D")
DAYS = 731  # 2023-01-01 .. 2024-12-31
ASOF = "2024-12-31"
CHUNK = 1_000_000  # lines per row group, generated one at a time
LINES_PER_CUSTOMER = 100  # on average; the Online Retail data have 124
LINES_PER_ORDER = 8  # on average (geometric)
CUSTOMER_SKEW = 2.5  # customer rank = n * u**skew: the top 1 % of customers place ~16 % of orders
PRODUCTS = 4000
PRODUCT_SKEW = 3.0
USUAL_PRODUCTS, USUAL_SHARE = 20, 0.5  # half of a customer's lines are one of their 20 usual products
CANCELLED_ORDERS = 0.02  # share of orders that are cancellations ("C" + order id, negative quantities)
NO_CUSTOMER_ORDERS = 0.015  # share of orders without a customer id
DUPLICATE_LINES = 0.003  # share of lines that are an exact second copy of the line before them
ZERO_PRICE_LINES = 0.001  # adjustments and free samples
ORDER_BASE = 500_000
SHOP_VERSION = 2  # in the cached file's name: raise it whenever the shop's generation changes
MIX = 2654435761  # Knuth's multiplicative hash (a prime): rank -> customer id, a bijection for n < MIX


def shop_chunk(index: int, n_lines: int, seed: int, n_customers: int, n_chunks: int) -> pa.Table:
    """Row group ``index`` of the shop: ``n_lines`` order lines, the same for the same arguments.

    Orders are numbered ``ORDER_BASE + index * CHUNK + j`` (unique across row groups) and
    dated in order over the two years; a chunk's surplus duplicate copies are planted
    right after the line they copy.
    """
    rng = np.random.default_rng([seed, index])
    n_dup = int(round(n_lines * DUPLICATE_LINES))
    base = n_lines - n_dup
    sizes = rng.geometric(1 / LINES_PER_ORDER, base // LINES_PER_ORDER * 2 + 16)
    ends = np.cumsum(sizes)
    n_orders = int(np.searchsorted(ends, base)) + 1
    sizes = sizes[:n_orders].copy()
    sizes[-1] -= ends[n_orders - 1] - base  # the last order ends with the chunk
    order = np.repeat(np.arange(n_orders), sizes)

    rank = (n_customers * rng.random(n_orders) ** CUSTOMER_SKEW).astype(np.int64)
    customer = (rank * MIX) % n_customers + 10_000
    position = (index + np.arange(n_orders) / n_orders) / n_chunks
    day = START + np.minimum((position * DAYS).astype(np.int64), DAYS - 1)
    seconds = rng.integers(8 * 3600, 19 * 3600, n_orders)
    when = day.astype("datetime64[s]") + seconds
    cancelled = rng.random(n_orders) < CANCELLED_ORDERS
    no_customer = rng.random(n_orders) < NO_CUSTOMER_ORDERS

    product = (PRODUCTS * rng.random(base) ** PRODUCT_SKEW).astype(np.int64)
    usual = rng.random(base) < USUAL_SHARE  # one of the customer's usual products, else any
    favourite = (customer[order] * 31 + rng.integers(0, USUAL_PRODUCTS, base) * 7919) % PRODUCTS
    product = np.where(usual, favourite, product)
    prices = np.round(np.random.default_rng([seed, 1 << 40]).lognormal(1.0, 0.9, PRODUCTS), 2)
    price = np.where(rng.random(base) < ZERO_PRICE_LINES, 0.0, prices[product])
    quantity = rng.geometric(0.15, base).astype(np.int32) * np.where(cancelled[order], -1, 1).astype(np.int32)

    copies = np.ones(base, dtype=np.int64)
    copies[rng.choice(base, n_dup, replace=False)] += 1
    order, product, price, quantity = (np.repeat(a, copies) for a in (order, product, price, quantity))

    order_id = pc.cast(pa.array(ORDER_BASE + index * CHUNK + order), pa.string())
    order_id = pc.if_else(pa.array(cancelled[order]), pc.binary_join_element_wise("C", order_id, ""), order_id)
    return pa.table({
        "InvoiceNo": order_id,
        "StockCode": pc.cast(pa.array((product * 7919) % PRODUCTS + 10_000), pa.string()),
        "Quantity": pa.array(quantity),
        "InvoiceDate": pa.array(when[order].astype("datetime64[us]")),
        "UnitPrice": pa.array(price),
        "CustomerID": pa.array(customer[order], mask=no_customer[order]),
    })


def generate_shop(path: Path, n_lines: int, seed: int, chunk: int = CHUNK) -> dict[str, int]:
    """Write ``n_lines`` order lines of the shop to ``path`` (Parquet), one row group of ``chunk`` lines at a time.

    Written to a ``.partial`` file renamed at the end, so an interrupted run leaves no
    file that looks complete.

    Returns
    -------
    dict
        What was written: ``lines``, ``orders``, ``customer_ids`` (the pool of ids drawn
        from) and the planted ``no_customer_lines``, ``cancelled_lines``,
        ``planted_duplicate_copies``, ``zero_price_lines``, and ``duplicate_copies``: all
        surplus exact copies, the planted ones and the lines equal by chance (a usual
        product twice in one order at one quantity; an order never spans two row groups,
        so they are counted per row group).
    """
    n_chunks = -(-n_lines // chunk)
    n_customers = max(n_lines // LINES_PER_CUSTOMER, 10)
    partial = path.with_name(path.name + ".partial")
    facts = dict.fromkeys(["lines", "orders", "no_customer_lines", "cancelled_lines", "planted_duplicate_copies",
                           "duplicate_copies", "zero_price_lines"], 0) | {"customer_ids": n_customers}
    writer = None
    try:
        for index in range(n_chunks):
            n = min(chunk, n_lines - index * chunk)
            table = shop_chunk(index, n, seed, n_customers, n_chunks)
            if writer is None:
                writer = pq.ParquetWriter(partial, table.schema)
            writer.write_table(table, row_group_size=chunk)
            facts["lines"] += n
            facts["orders"] += pc.count_distinct(table["InvoiceNo"]).as_py()
            facts["no_customer_lines"] += table["CustomerID"].null_count
            facts["cancelled_lines"] += pc.sum(pc.starts_with(table["InvoiceNo"], "C")).as_py() or 0
            facts["planted_duplicate_copies"] += int(round(n * DUPLICATE_LINES))
            distinct = table.group_by(table.column_names, use_threads=False).aggregate([]).num_rows
            facts["duplicate_copies"] += n - distinct
            facts["zero_price_lines"] += pc.sum(pc.equal(table["UnitPrice"], 0.0)).as_py() or 0
    finally:
        if writer is not None:
            writer.close()
    partial.replace(path)
    return facts


CONFIG = """# The profile benchmark's synthetic shop (bench/profile_bench.py): {lines:,} order lines, seed {seed}.
cycle: bench-{lines}-{seed}
asof: {asof}
seed: {seed}
sources:
  transactions:
    path: {data}
columns:
  transactions:
    customer_id: CustomerID
    order_id: InvoiceNo
    order_date: InvoiceDate
    quantity: Quantity
    unit_price: UnitPrice
    product: StockCode
clv:
  enabled: false
"""


@dataclass(frozen=True)
class Shop:
    """A generated shop: its Parquet file, its cycle config, what it holds and the seconds generation took."""

    lines: int
    seed: int
    data: Path
    config: Path
    facts: dict[str, int]
    generated_seconds: float | None  # None: cached by an earlier run


def shop_files(data_dir: Path, n_lines: int, seed: int) -> Shop:
    """The shop's Parquet file, cycle config and facts (JSON) in ``data_dir``, generated unless already there."""
    data_dir.mkdir(parents=True, exist_ok=True)
    stem = f"shop_v{SHOP_VERSION}_{n_lines}_seed{seed}"
    data, config, facts_file = (data_dir / f"{stem}{ext}" for ext in (".parquet", ".yml", ".json"))
    seconds = None
    if not (data.exists() and facts_file.exists()):
        started = time.perf_counter()
        facts = generate_shop(data, n_lines, seed)
        seconds = time.perf_counter() - started
        facts_file.write_text(json.dumps(facts, indent=1), encoding="utf-8")
    config.write_text(CONFIG.format(lines=n_lines, seed=seed, asof=ASOF, data=data.name), encoding="utf-8")
    return Shop(n_lines, seed, data, config, json.loads(facts_file.read_text()), seconds)


# --- the contenders, each in its own process -----------------------------------------------

# Linux carries a process's peak memory over fork and exec into the new process's ru_maxrss, so a
# contender is never started by the benchmark itself (which may have generated the data): this
# small launcher starts it and reports the wall time, exit code and peak resident memory (KiB) of
# the contender, from wait4 (the contender and the children it waited for, e.g. Spark's JVM).
LAUNCHER = """
import json, os, subprocess, sys, time
with open(sys.argv[1], "wb") as err:
    started = time.perf_counter()
    proc = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=err)
    _, status, usage = os.wait4(proc.pid, 0)
print(json.dumps({"seconds": time.perf_counter() - started, "exit": os.waitstatus_to_exitcode(status),
                  "max_rss_kib": usage.ru_maxrss}))
"""

# Each contender writes {"seconds": <its timed work>, ...} as JSON to argv[1]; argv[2] = Parquet file,
# argv[3] = cycle config, argv[4] = DuckDB memory limit ("" = DuckDB's default), argv[5] = JSON overrides.
BARE_DUCKDB = """
import json, sys, time
import duckdb, pandas
started = time.perf_counter()
con = duckdb.connect()
if sys.argv[4]:
    con.execute(f"SET memory_limit = '{sys.argv[4]}'")
rfm = con.execute('''
    SELECT CustomerID, max(InvoiceDate) AS last_order, count(DISTINCT InvoiceNo) AS frequency,
           sum(Quantity * UnitPrice) AS monetary
    FROM read_parquet($1) WHERE CustomerID IS NOT NULL GROUP BY CustomerID''', [sys.argv[2]]).df()
json.dump({"seconds": time.perf_counter() - started, "customers": len(rfm)}, open(sys.argv[1], "w"))
"""

SEGKIT = """
import json, sys, time
overrides = json.loads(sys.argv[5])
if sys.argv[4]:
    overrides["engine.memory_limit"] = sys.argv[4]
result = {}
if overrides.get("engine.name") == "spark":
    try:
        from segkit_helpers.engines.spark_session import spark_unavailable
        reason = spark_unavailable()
    except ImportError as exc:
        reason = f"segkit_helpers.engines.spark_session: {exc}"
    if reason:
        result = {"not_run": reason}
if not result:
    from segkit_helpers.research.profile import profile_from_config
    started = time.perf_counter()
    try:
        profile, cleaning = profile_from_config(sys.argv[3], overrides)
    except Exception as exc:
        if overrides.get("engine.name") != "spark":
            raise
        lines = str(exc).strip().splitlines()
        result = {"not_run": f"{type(exc).__name__}: {lines[0] if lines else ''}"}
    else:
        result = {"seconds": time.perf_counter() - started, "customers": len(profile)}
json.dump(result, open(sys.argv[1], "w"))
"""

LIFETIMES = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd
from lifetimes.utils import summary_data_from_transaction_data
started = time.perf_counter()
df = pd.read_parquet(sys.argv[2], columns=["CustomerID", "InvoiceDate", "Quantity", "UnitPrice"])
read = time.perf_counter() - started
df = df.dropna(subset=["CustomerID"])
df["amount"] = df["Quantity"] * df["UnitPrice"]
summary = summary_data_from_transaction_data(df, "CustomerID", "InvoiceDate", monetary_value_col="amount",
                                             observation_period_end=json.loads(sys.argv[5])["asof"])
json.dump({"seconds": time.perf_counter() - started, "read_seconds": read, "customers": len(summary)},
          open(sys.argv[1], "w"))
"""

DUCKDB_ROW = "bare DuckDB RFM query"
SEGKIT_ROW = "segkit profile, no CLV"
NO_DUP_ROW = "segkit profile, no CLV, no duplicate check"
SPARK_ROW = "segkit profile, no CLV, Spark local[2]"
LIFETIMES_ROW = "lifetimes summary_data_from_transaction_data"

#: name -> (child code, overrides given to it)
CONTENDERS = {
    DUCKDB_ROW: (BARE_DUCKDB, {}),
    SEGKIT_ROW: (SEGKIT, {"clv.enabled": False}),
    NO_DUP_ROW: (SEGKIT, {"clv.enabled": False, "cleaning.drop_duplicates": False}),
    SPARK_ROW: (SEGKIT, {"clv.enabled": False, "engine.name": "spark", "engine.spark.master": "local[2]"}),
    LIFETIMES_ROW: (LIFETIMES, {"asof": ASOF}),
}


def run_contender(name: str, shop: Shop, memory_limit: str, folder: Path) -> dict:
    """Run one contender in its own process; its row: work and process seconds, peak MB, or why it did not run.

    Raises
    ------
    RuntimeError
        The contender failed (the tail of its error output).
    """
    code, overrides = CONTENDERS[name]
    result, err = folder / "result.json", folder / "stderr.txt"
    result.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-c", code, str(result), str(shop.data), str(shop.config), memory_limit,
               json.dumps(overrides)]
    launched = subprocess.run([sys.executable, "-c", LAUNCHER, str(err), *command], capture_output=True,
                              text=True, env=env, check=True)
    process = json.loads(launched.stdout)
    if process["exit"] != 0 or not result.exists():
        raise RuntimeError(f"{name} failed (exit {process['exit']}): {err.read_text(errors='replace')[-3000:]}")
    row = {"run": name, **json.loads(result.read_text())}
    if "not_run" not in row:
        row |= {"process_seconds": process["seconds"], "peak_mb": process["max_rss_kib"] / 1024}
    return row


# --- targets and the printed table ---------------------------------------------------------

def memory_target_mb(n_lines: int) -> int:
    """The issue's peak-memory target of the profile for this many lines (1 GB to 10M, 4 GB to 100M, else 8 GB)."""
    return 1000 if n_lines <= 10**7 else 4000 if n_lines <= 10**8 else 8000


def default_memory_limit(n_lines: int) -> str:
    """``engine.memory_limit`` the benchmark gives DuckDB: room under the memory target for Python and pandas."""
    return "600MB" if n_lines <= 10**7 else "3GB" if n_lines <= 10**8 else "6GB"


def targets(rows: dict[str, dict], n_lines: int) -> list[dict]:
    """The issue's targets with the measured figure, PASS / MISS (None: a contender did not run)."""
    def ran(name: str) -> dict | None:
        row = rows.get(name)
        return row if row and "seconds" in row else None

    seg, duck, life = ran(SEGKIT_ROW), ran(DUCKDB_ROW), ran(LIFETIMES_ROW)
    out = [{"target": "segkit / bare DuckDB work time", "limit": "<= 3x",
            "value": seg["seconds"] / duck["seconds"] if seg and duck else None, "ok": lambda v: v <= 3},
           {"target": "lifetimes (Parquet read included) / segkit work time", "limit": ">= 4x",
            "value": life["seconds"] / seg["seconds"] if seg and life else None, "ok": lambda v: v >= 4},
           {"target": "segkit peak memory (MB)", "limit": f"<= {memory_target_mb(n_lines):,}",
            "value": seg["peak_mb"] if seg else None, "ok": lambda v: v <= memory_target_mb(n_lines)}]
    for t in out:
        ok = t.pop("ok")
        t["verdict"] = "not run" if t["value"] is None else "PASS" if ok(t["value"]) else "MISS"
    return out


def machine() -> dict:
    """Cores, RAM, load average, date and the versions that matter."""
    versions = {"python": platform.python_version()}
    for package in ("segkit", "duckdb", "pandas", "pyarrow", "numpy", "lifetimes", "pyspark"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    git = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    versions["segkit commit"] = git.stdout.strip() or "unknown"
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cores": os.cpu_count(),
            "ram_gib": round(ram, 1), "load_average": [round(x, 2) for x in os.getloadavg()],
            "platform": platform.platform(), "versions": versions}


def format_row(row: dict) -> str:
    """One contender's line of the table."""
    if "not_run" in row:
        return f"{row['run']:<46}  not run: {row['not_run']}"
    line = (f"{row['run']:<46}{row['seconds']:10.2f}{row['process_seconds']:11.2f}{row['peak_mb']:11,.0f}"
            f"{row.get('load_after', float('nan')):8.2f}")
    if "read_seconds" in row:
        line += (f"   (Parquet read into pandas {row['read_seconds']:.2f} s; "
                 f"without it {row['seconds'] - row['read_seconds']:.2f} s)")
    return line


def report(info: dict, shop: Shop, memory_limit: str, rows: list[dict], checks: list[dict]) -> str:
    """The printed report: machine, data, one line per contender, the targets."""
    v, facts = info["versions"], shop.facts
    gen = (f"generated in {shop.generated_seconds:.1f} s" if shop.generated_seconds is not None
           else "cached (generated by an earlier run)")
    size = shop.data.stat().st_size / 1e6
    out = [f"segkit profile benchmark · {shop.lines:,} order lines (seed {shop.seed}) · {info['date']}",
           f"machine: {info['cores']} cores, {info['ram_gib']} GiB RAM, {info['platform']}; load average "
           f"{' '.join(map(str, info['load_average']))} (1, 5, 15 min) at the start",
           "versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
           f"data: {shop.data} ({size:,.0f} MB Parquet), {gen}",
           f"shop: {facts['orders']:,} orders of {facts['customer_ids']:,} customer ids (heavy-tailed); planted: "
           f"{facts['no_customer_lines']:,} lines without customer id, {facts['cancelled_lines']:,} cancellation "
           f"lines, "
           f"{facts['planted_duplicate_copies']:,} surplus exact duplicate copies ({facts['duplicate_copies']:,} with "
           f"the lines equal by chance), {facts['zero_price_lines']:,} zero-price lines",
           f"DuckDB memory limit (segkit's engine.memory_limit and the bare query): "
           f"{memory_limit or 'DuckDB default'}",
           "",
           f"{'contender':<46}{'work s':>10}{'process s':>11}{'peak MB':>11}{'load':>8}"]
    out += [format_row(row) for row in rows]
    out += ["",
            "work s: the timed call in the contender's process (starting Python and importing excluded); "
            "process s: the whole process; peak MB: its ru_maxrss; load: the 1-minute load average after it (other "
            "processes on the same cores slow every row).",
            "lifetimes' time includes reading the Parquet file into pandas (segkit's and DuckDB's include reading it).",
            ""]
    scale = "" if shop.lines == 10**7 else " (the issue's time targets are set at 10M lines)"
    out.append(f"targets{scale}:")
    for t in checks:
        value = "—" if t["value"] is None else (f"{t['value']:,.0f}" if "MB" in t["target"] else f"{t['value']:.2f}x")
        out.append(f"  {t['target']:<54}{value:>10}   target {t['limit']:<10} {t['verdict']}")
    return "\n".join(out)


def run(n_lines: int, seed: int, data_dir: Path, memory_limit: str, skip: set[str]) -> tuple[str, dict]:
    """Generate (or reuse) the shop, run every contender not in ``skip``; the printed report and its JSON."""
    info = machine()
    shop = shop_files(data_dir, n_lines, seed)
    if shop.generated_seconds is not None:
        print(f"generated {n_lines:,} lines in {shop.generated_seconds:.1f} s", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="segkit-profile-bench-") as tmp:
        for name in CONTENDERS:
            if name in skip:
                rows.append({"run": name, "not_run": "skipped (command-line option)"})
            else:
                rows.append(run_contender(name, shop, memory_limit, Path(tmp)))
                rows[-1]["load_after"] = round(os.getloadavg()[0], 2)
            print(format_row(rows[-1]), flush=True)
    checks = targets({r["run"]: r for r in rows}, n_lines)
    data = {"lines": n_lines, "seed": seed, "data": str(shop.data), "parquet_mb": shop.data.stat().st_size / 1e6,
            "generation_seconds": shop.generated_seconds, "shop": shop.facts, "memory_limit": memory_limit,
            "machine": info, "rows": rows, "targets": checks}
    return report(info, shop, memory_limit, rows, checks), data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=lambda s: int(float(s)), default=10**7, help="order lines (default 10M)")
    parser.add_argument("--quick", action="store_true", help="1M lines, a smoke run")
    parser.add_argument("--billion", action="store_true",
                        help="1 billion lines (~8 GB of Parquet in --data-dir, which must be given): the bare "
                        "query and segkit's profile on DuckDB only")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated shop (default 0)")
    parser.add_argument("--data-dir", type=Path, help=f"where the shops are cached (default {DEFAULT_DATA_DIR})")
    parser.add_argument("--memory-limit", help="DuckDB memory limit, 'none' for DuckDB's default "
                        "(default 600MB to 10M lines, 3GB to 100M, else 6GB)")
    parser.add_argument("--skip-lifetimes", action="store_true", help="do not run lifetimes")
    parser.add_argument("--skip-spark", action="store_true", help="do not run the Spark profile")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    n_lines = 10**9 if args.billion else 10**6 if args.quick else args.lines
    if args.billion and args.data_dir is None:
        parser.error("--billion writes ~8 GB of Parquet: name the folder with --data-dir")
    data_dir = (args.data_dir or DEFAULT_DATA_DIR).resolve()
    if data_dir.is_relative_to(ROOT):
        parser.error(f"--data-dir {data_dir} is inside the repository; name a folder outside it")
    limit = default_memory_limit(n_lines) if args.memory_limit is None else args.memory_limit
    limit = "" if limit.lower() == "none" else limit
    skip = {LIFETIMES_ROW} if args.skip_lifetimes or args.billion else set()
    skip |= {SPARK_ROW} if args.skip_spark or args.billion else set()
    skip |= {NO_DUP_ROW} if args.billion else set()
    text, data = run(n_lines, args.seed, data_dir, limit, skip)
    print("\n" + text)
    if args.json:
        args.json.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
