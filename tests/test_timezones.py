"""One time-zone rule: the clock written in the data, or offsets converted into sources.<table>.timezone;
the same days from CSV and Parquet, whatever the machine's zone."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from segkit_helpers.io.config import load_config
from segkit_helpers.research.lines import load_transactions

# two orders near midnight, written in Warsaw time (UTC+1 in winter)
WARSAW = pd.to_datetime(["2024-01-02 23:30", "2024-01-03 00:30"]).tz_localize("Europe/Warsaw")


def _frame(times) -> pd.DataFrame:
    return pd.DataFrame({"client": ["1", "2"], "invoice": ["A", "B"], "booked": times, "qty": [1, 1],
                         "price": [10.0, 20.0]})


def _days(tmp_path, source: dict) -> list[str]:
    cfg = {"cycle": "tz", "asof": "2024-03-31", "sources": {"transactions": source},
           "columns": {"transactions": {"customer_id": "client", "order_id": "invoice", "order_date": "booked",
                                        "quantity": "qty", "unit_price": "price"}}}
    (tmp_path / "cycle.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    lines = load_transactions(load_config(tmp_path / "cycle.yml"))
    days = lines.sql("SELECT strftime(order_date, '%Y-%m-%d %H:%M') AS t FROM {lines} ORDER BY customer_id")
    return days["t"].tolist()


def test_text_offsets_keep_the_written_clock_or_convert_into_the_zone(tmp_path):
    text = pd.DataFrame({"client": ["1", "2", "3"], "invoice": ["A", "B", "C"], "qty": [1, 1, 1], "price": [1.0] * 3,
                         "booked": ["2024-01-02 23:30:00-05:00", "2024-01-02T10:00:00Z", "2024-01-02 12:00"]})
    text.to_csv(tmp_path / "lines.csv", index=False)
    assert _days(tmp_path, {"path": "lines.csv"}) == ["2024-01-02 23:30", "2024-01-02 10:00", "2024-01-02 12:00"]
    warsaw = _days(tmp_path, {"path": "lines.csv", "timezone": "Europe/Warsaw"})
    # 23:30 at UTC-5 is 05:30 next day in Warsaw; 10:00Z is 11:00; a time without offset is Warsaw time already
    assert warsaw == ["2024-01-03 05:30", "2024-01-02 11:00", "2024-01-02 12:00"]


def test_csv_and_parquet_give_the_same_days(tmp_path):
    _frame(WARSAW).to_parquet(tmp_path / "lines.parquet", index=False)  # zone-aware, zone stored
    _frame(WARSAW).to_csv(tmp_path / "lines.csv", index=False)  # pandas writes "… 23:30:00+01:00"
    written = ["2024-01-02 23:30", "2024-01-03 00:30"]
    assert _days(tmp_path, {"path": "lines.parquet"}) == written
    assert _days(tmp_path, {"path": "lines.csv"}) == written
    in_utc = ["2024-01-02 22:30", "2024-01-02 23:30"]
    assert _days(tmp_path, {"path": "lines.parquet", "timezone": "UTC"}) == in_utc
    assert _days(tmp_path, {"path": "lines.csv", "timezone": "UTC"}) == in_utc


@pytest.mark.parametrize("machine_zone", ["Pacific/Kiritimati", "America/Adak"])
def test_the_machines_zone_never_moves_an_order(tmp_path, machine_zone):
    _frame(WARSAW).to_parquet(tmp_path / "lines.parquet", index=False)
    _frame(WARSAW.tz_convert("UTC")).to_parquet(tmp_path / "utc.parquet", index=False)
    script = ("import sys, yaml; from segkit_helpers.io.config import load_config; "
              "from segkit_helpers.research.lines import load_transactions; "
              "lines = load_transactions(load_config(sys.argv[1])); "
              "print(lines.sql(\"SELECT strftime(order_date, '%Y-%m-%d %H:%M') AS t FROM {lines} "
              "ORDER BY customer_id\")['t'].tolist())")
    outputs = []
    for name in ("lines.parquet", "utc.parquet"):
        cfg = {"cycle": "tz", "asof": "2024-03-31", "sources": {"transactions": {"path": name}},
               "columns": {"transactions": {"customer_id": "client", "order_id": "invoice", "order_date": "booked",
                                            "quantity": "qty", "unit_price": "price"}}}
        (tmp_path / "c.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "c.yml")], capture_output=True, text=True,
                              env={**os.environ, "TZ": machine_zone}, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(done.stdout.strip())
    assert outputs == ["['2024-01-02 23:30', '2024-01-03 00:30']", "['2024-01-02 22:30', '2024-01-02 23:30']"]


def test_an_unknown_zone_is_a_config_error(tmp_path):
    from segkit_helpers.errors import ConfigError

    _frame(WARSAW).to_parquet(tmp_path / "lines.parquet", index=False)
    with pytest.raises(ConfigError, match="unknown time zone 'Europe/Varsovia'"):
        _days(tmp_path, {"path": "lines.parquet", "timezone": "Europe/Varsovia"})
