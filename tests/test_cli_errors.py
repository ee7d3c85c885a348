"""Bad config, missing column, unreadable file: a clear one-line error before any notebook runs."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from segkit_helpers.cli import main
from tests.conftest import write_cycle_config


def _run(args, capsys):
    code = main(args)
    return code, capsys.readouterr().err


def test_unknown_config_key_is_named_with_a_hint(shop, tmp_path, capsys):
    cfg = write_cycle_config(tmp_path, shop["data"], "x", "2024-01-31", segmentaton={"k": 3})
    code, err = _run(["cycle", str(cfg), "--workdir", str(tmp_path)], capsys)
    assert code == 1
    assert "unknown config key 'segmentaton'" in err and "Did you mean 'segmentation'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "reports").exists()


def test_unknown_override_is_an_error(shop, tmp_path, capsys):
    code, err = _run(["cycle", str(shop["configs"][0]), "--workdir", str(tmp_path), "-p", "segmentation.kk", "3"], capsys)
    assert code == 1 and "segmentation.kk" in err


def test_missing_required_key(shop, tmp_path, capsys):
    cfg = write_cycle_config(tmp_path, shop["data"], "x", "2024-01-31")
    raw = yaml.safe_load(cfg.read_text())
    del raw["asof"]
    cfg.write_text(yaml.safe_dump(raw))
    code, err = _run(["cycle", str(cfg), "--workdir", str(tmp_path)], capsys)
    assert code == 1 and "'asof' is required" in err


def test_mapped_column_missing_from_source(shop, tmp_path, capsys):
    cfg = write_cycle_config(tmp_path, shop["data"], "x", "2024-01-31")
    raw = yaml.safe_load(cfg.read_text())
    raw["columns"]["transactions"]["customer_id"] = "ClientNumber"
    cfg.write_text(yaml.safe_dump(raw))
    code, err = _run(["cycle", str(cfg), "--workdir", str(tmp_path)], capsys)
    assert code == 1
    assert "table 'transactions'" in err and "'ClientNumber'" in err and "customer_id" in err


def test_unreadable_source_file(tmp_path, capsys):
    broken = tmp_path / "lines.parquet"
    broken.write_text("this is not parquet")
    cfg = write_cycle_config(tmp_path, broken, "x", "2024-01-31")
    code, err = _run(["cycle", str(cfg), "--workdir", str(tmp_path)], capsys)
    assert code == 1 and "cannot read" in err and "lines.parquet" in err


def test_missing_source_file(tmp_path, capsys):
    cfg = write_cycle_config(tmp_path, tmp_path / "nowhere.csv", "x", "2024-01-31")
    code, err = _run(["cycle", str(cfg), "--workdir", str(tmp_path)], capsys)
    assert code == 1 and "file not found" in err and "sources.transactions.path" in err


def test_missing_previous_cycle(shop, tmp_path, capsys):
    code, err = _run(["cycle", str(shop["configs"][1]), "--workdir", str(tmp_path)], capsys)
    assert code == 1 and "previous cycle 'c1'" in err and "Run that cycle first" in err


def test_bad_rows_name_table_column_count_and_example(tmp_path, capsys):
    csv = tmp_path / "lines.csv"
    csv.write_text("InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
                   "1,A,2,2024-01-02,3.5,7\n2,B,1,not a date,1.0,8\n3,C,1,yesterday,1.0,9\n")
    cfg = write_cycle_config(tmp_path, csv, "x", "2024-01-31")
    code, err = _run(["profile", str(cfg), "--out", str(tmp_path / "p.parquet")], capsys)
    assert code == 1
    assert "table 'transactions', column 'order_date': 2 row(s) are not dates" in err
    assert "'not a date'" in err
    assert not (tmp_path / "p.parquet").exists()


def test_profile_command_writes_the_customer_table(shop, tmp_path):
    out = tmp_path / "profile.parquet"
    assert main(["profile", str(shop["configs"][0]), "--out", str(out)]) == 0
    import pandas as pd

    profile = pd.read_parquet(out)
    assert {"customer_id", "recency_days", "frequency", "monetary", "rfm_segment"} <= set(profile.columns)


def test_help_lists_the_subcommands():
    result = subprocess.run([sys.executable, "-m", "segkit_helpers", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "cycle" in result.stdout and "profile" in result.stdout


def test_out_of_memory_names_the_setting():
    # the real Online Retail lines under a DuckDB memory limit far too small for them; the config refuses
    # limits below 64MB, so the limit is set past it, as a stand-in for lines too many for an accepted limit
    from segkit_helpers.io.config import load_config
    from segkit_helpers.io.paths import SAMPLE_CONFIGS
    from segkit_helpers.research.cleaning import clean_transactions
    from segkit_helpers.research.lines import load_transactions
    from segkit_helpers.errors import ConfigError
    from segkit_helpers.research.profile import build_profile

    cfg = load_config(SAMPLE_CONFIGS[1], {"clv.enabled": False})
    cfg["engine"]["memory_limit"] = "2MB"
    with pytest.raises(ConfigError, match="DuckDB ran out of memory with engine.memory_limit = 2MB") as caught:
        lines, _ = clean_transactions(load_transactions(cfg), cfg)
        build_profile(lines, cfg)
    assert "\n" not in str(caught.value) and "Raise engine.memory_limit above 2MB" in str(caught.value)


def test_a_memory_limit_too_small_is_refused_before_any_work(tmp_path, capsys):
    from segkit_helpers.io.paths import SAMPLE_CONFIGS

    out = tmp_path / "profile.parquet"
    code, err = _run(["profile", str(SAMPLE_CONFIGS[1]), "--out", str(out), "-p", "engine.memory_limit", "2MB"], capsys)
    assert code == 1 and "engine.memory_limit" in err and "at least 64MB" in err and "Traceback" not in err
    assert not out.exists()
