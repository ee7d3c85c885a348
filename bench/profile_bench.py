"""Benchmark of the research step: `segkit profile` against two plain baselines, in one run.

For each size (default 1M and 10M order lines) the script generates synthetic order lines
with the shape of the UCI Online Retail data (Parquet), then runs, each in its own process:

1. ``segkit profile`` with ``clv.enabled false`` (cleaning with counts, RFM, persona
   metrics, value, loyalty, ABC/XYZ — everything but the CLV fit), and once more
   without the exact-duplicate rule (``cleaning.drop_duplicates false``), the one
   step that must look at every line as a whole;
2. a bare DuckDB RFM query on the same file (one GROUP BY, written to Parquet);
3. lifetimes' ``summary_data_from_transaction_data`` (pandas), the usual Python way.

It prints wall time and peak resident memory (of each process, from the kernel's
rusage) and the ratios segkit / DuckDB and lifetimes / segkit.

    python bench/profile_bench.py                 # 1M and 10M lines
    python bench/profile_bench.py --sizes 100000000 --skip-lifetimes --memory-limit 3GB   # 100M lines
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ASOF = "2011-12-09"
CHUNK = 1_000_000
LINES_PER_CUSTOMER = 124  # Online Retail: 541,909 lines / 4,372 customers
LINES_PER_INVOICE = 21  # 541,909 / 25,900


def generate(path: Path, n_lines: int, seed: int = 0) -> None:
    """Write ``n_lines`` synthetic order lines in the Online Retail columns, chunk by chunk."""
    rng = np.random.default_rng(seed)
    n_customers = max(n_lines // LINES_PER_CUSTOMER, 10)
    start = np.datetime64("2010-12-01T08:00", "s")
    span = int((np.datetime64("2011-12-09T18:00", "s") - start).astype(int))
    writer = None
    invoice_base = 536365
    for offset in range(0, n_lines, CHUNK):
        n = min(CHUNK, n_lines - offset)
        invoice = invoice_base + (offset + np.arange(n)) // LINES_PER_INVOICE
        customer = (invoice * 2654435761 % n_customers + 12346).astype("int64")  # one customer per invoice
        when = start + (invoice - invoice_base) * span // max(n_lines // LINES_PER_INVOICE, 1)
        cancelled = rng.random(n) < 0.02
        quantity = rng.geometric(0.15, n) * np.where(cancelled, -1, 1)
        table = pa.table({
            "InvoiceNo": pa.array(np.where(cancelled, "C", "") + invoice.astype(str)),
            "StockCode": pa.array((rng.zipf(1.3, n) % 4000 + 10000).astype(str)),
            "Quantity": pa.array(quantity.astype("int64")),
            "InvoiceDate": pa.array(when.astype("datetime64[us]")),
            "UnitPrice": pa.array(np.round(rng.lognormal(1.0, 0.9, n), 2)),
            "CustomerID": pa.array(customer, mask=rng.random(n) < 0.25),
            "Country": pa.array(np.full(n, "United Kingdom")),
        })
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    writer.close()


CONFIG = """cycle: bench
asof: {asof}
sources:
  transactions:
    path: {path}
columns:
  transactions:
    customer_id: CustomerID
    order_id: InvoiceNo
    order_date: InvoiceDate
    quantity: Quantity
    unit_price: UnitPrice
    product: StockCode
engine:
  memory_limit: {memory_limit}
clv:
  enabled: false
"""

DUCKDB_RFM = """
import duckdb, sys
duckdb.connect().execute(f'''
  COPY (SELECT CustomerID, max(InvoiceDate) AS last_order, count(DISTINCT InvoiceNo) AS frequency,
               sum(Quantity * UnitPrice) AS monetary
        FROM read_parquet('{sys.argv[1]}')
        WHERE CustomerID IS NOT NULL AND InvoiceDate < TIMESTAMP '{sys.argv[2]}' + INTERVAL 1 DAY
        GROUP BY CustomerID) TO '{sys.argv[3]}' (FORMAT parquet)''')
"""

LIFETIMES = """
import sys, warnings
warnings.simplefilter("ignore")
import pandas as pd
from lifetimes.utils import summary_data_from_transaction_data
df = pd.read_parquet(sys.argv[1], columns=["CustomerID", "InvoiceDate", "Quantity", "UnitPrice"]).dropna()
df["amount"] = df["Quantity"] * df["UnitPrice"]
summary = summary_data_from_transaction_data(df, "CustomerID", "InvoiceDate", monetary_value_col="amount",
                                             observation_period_end=sys.argv[2])
summary.to_parquet(sys.argv[3])
"""


# A process's peak memory (ru_maxrss) starts from the memory of the process it was forked from:
# Linux carries the parent's peak over fork and exec. So each command is started by this small
# launcher rather than by the benchmark itself, which holds the generated lines; the launcher
# reports the wall time and peak resident memory of its child alone.
LAUNCHER = """
import os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - started
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit(proc.stderr.read().decode()[-2000:])
print(seconds, usage.ru_maxrss)
"""


def measure(command: list[str]) -> tuple[float, float]:
    """Run a command; return its wall seconds and peak resident memory in MB (of the command's process)."""
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *command], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed: {done.stderr}")
    seconds, max_rss_kib = done.stdout.split()
    return float(seconds), float(max_rss_kib) / 1024  # ru_maxrss is in KiB on Linux


def run_size(n_lines: int, folder: Path, memory_limit: str, skip_lifetimes: bool) -> list[dict]:
    data = folder / f"lines_{n_lines}.parquet"
    t0 = time.perf_counter()
    generate(data, n_lines)
    print(f"\n{n_lines:,} lines: generated {data.stat().st_size / 1e6:,.0f} MB of Parquet in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    config = folder / f"bench_{n_lines}.yml"
    config.write_text(CONFIG.format(asof=ASOF, path=data, memory_limit=memory_limit), encoding="utf-8")
    profile = [sys.executable, "-m", "segkit_helpers", "profile", str(config), "--out", str(folder / "segkit.parquet")]
    runs = {
        "segkit profile (no CLV)": profile,
        "segkit profile (no CLV, no duplicate check)": profile + ["-p", "cleaning.drop_duplicates", "false"],
        "bare DuckDB RFM query": [sys.executable, "-c", DUCKDB_RFM, str(data), ASOF, str(folder / "duckdb.parquet")],
    }
    if not skip_lifetimes:
        runs["lifetimes summary_data_from_transaction_data"] = [
            sys.executable, "-c", LIFETIMES, str(data), ASOF, str(folder / "lifetimes.parquet")]
    rows = []
    for name, command in runs.items():
        seconds, peak = measure(command)
        rows.append({"lines": n_lines, "run": name, "seconds": seconds, "peak_mb": peak})
        print(f"  {name:<46} {seconds:8.2f} s   peak {peak:8,.0f} MB", flush=True)
    data.unlink()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated numbers of order lines")
    parser.add_argument("--memory-limit", default="600MB", help="DuckDB memory limit for segkit (engine.memory_limit)")
    parser.add_argument("--skip-lifetimes", action="store_true", help="do not run the lifetimes baseline")
    args = parser.parse_args()
    print(f"segkit profile benchmark · {os.cpu_count()} cores · Python {sys.version.split()[0]} · "
          f"DuckDB memory limit for segkit {args.memory_limit}")
    results = []
    with tempfile.TemporaryDirectory(prefix="segkit-bench-") as tmp:
        for size in (int(float(s)) for s in args.sizes.split(",")):
            results += run_size(size, Path(tmp), args.memory_limit, args.skip_lifetimes)
    print("\nratios (lower is better for segkit):")
    for size in sorted({r["lines"] for r in results}):
        by = {r["run"]: r for r in results if r["lines"] == size}
        seg, duck = by["segkit profile (no CLV)"], by["bare DuckDB RFM query"]
        fast = by["segkit profile (no CLV, no duplicate check)"]
        line = (f"  {size:>12,} lines: segkit / DuckDB time {seg['seconds'] / duck['seconds']:.2f}x "
                f"({fast['seconds'] / duck['seconds']:.2f}x without the duplicate check)")
        life = by.get("lifetimes summary_data_from_transaction_data")
        if life:
            line += (f", lifetimes / segkit time {life['seconds'] / seg['seconds']:.1f}x "
                     f"({life['seconds'] / fast['seconds']:.1f}x)")
        line += f", segkit peak {seg['peak_mb']:,.0f} MB"
        print(line)


if __name__ == "__main__":
    main()
