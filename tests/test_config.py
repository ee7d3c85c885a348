"""Unit tests of segkit_helpers.io.config: loading, defaults, overrides and validation errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from segkit_helpers.io.config import load_config, parse_override
from segkit_helpers.errors import ConfigError

MINIMAL = """\
cycle: "c1"
asof: 2024-03-31
sources:
  transactions:
    path: data/tx.csv
"""


def write_config(folder: Path, text: str, name: str = "cycle.yml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(tmp_path: Path, text: str, overrides: dict | None = None) -> str:
    """Load ``text`` as a config, expecting a ConfigError; return its message."""
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, overrides)
    return str(info.value)


# --- defaults, paths, asof -------------------------------------------------------------------


def test_minimal_config_gets_every_default(tmp_path):
    cfg = load_config(write_config(tmp_path, MINIMAL))
    assert cfg["cycle"] == "c1"
    assert cfg["previous_cycle"] is None
    assert cfg["seed"] == 42
    assert cfg["segmentation"] == {
        "scheme": "behavioural",
        "k": "auto",
        "k_range": [2, 8],
        "min_k": 3,
        "stability_resamples": 10,
        "stability_sample": 5000,
        "silhouette_sample": 5000,
        "hybrid_threshold": 0.3,
        "features": None,
        "categorical": [],
        "log_features": [],
        "weight_column": None,
        "min_penetration": 0.3,
        "estimator": None,
    }
    assert cfg["value"] == {"margin_rate": 0.25, "cost_per_order": 5.0, "cost_per_customer": 0.0,
                            "profit_threshold": 0.0, "profit_quantile": None}
    assert cfg["xyz"] == {"x_max": 0.5, "y_max": 1.0}
    assert cfg["clv"] == {"enabled": True, "horizon_months": 12, "discount_rate": 0.10, "penalizer": 0.0,
                          "holdout_days": 90}
    assert cfg["engine"] == {"name": "duckdb", "threads": None, "memory_limit": None,
                             "spark": {"master": "local[*]", "conf": {}}}
    assert cfg["loyalty"] == {"threshold": 3.0}
    assert cfg["abc"] == {"a_share": 0.8, "b_share": 0.15}
    assert cfg["validation"] == {"bootstrap": 20, "alpha": 0.05, "min_stability": 0.75, "min_segment_stability": 0.6,
                                 "min_separation": 0.25, "hypotheses": None, "test_features": None, "review_sheet": None,
                                 "review_typical": 5, "review_borderline": 5}
    assert cfg["cleaning"] == {"returns": "net", "cancelled_statuses": [], "cancellation_prefix": "C",
                               "drop_duplicates": "auto", "drop_non_positive_customers": True}
    assert cfg["readiness"]["min_customers"] == 200
    assert cfg["readiness"]["stop_on_no_go"] is True
    assert cfg["research"] == {"rfm_rules": None, "product_lines": None, "max_product_lines": 8}
    assert cfg["deploy"] == {"playbook": None, "target": {"url": None, "table": "segkit_segments", "if_exists": "fail",
                                                          "password_env": None}}
    assert cfg["monitor"] == {"psi_alert": 0.25, "revision_months": 12, "last_revision": None}
    # every table has an (empty) column mapping and an unset source
    assert cfg["columns"] == {"transactions": {}, "customers": {}, "survey": {}, "experiments": {}}
    for table in ("customers", "survey", "experiments"):
        assert cfg["sources"][table] == {"path": None, "sheet": None, "url": None, "query": None, "table": None,
                                         "password_env": None, "date_format": None, "timezone": None, "delimiter": None, "decimal": ".", "thousands": None,
                                         "encoding": "utf-8", "header": True, "format": None, "synthetic": False}


def test_defaults_are_not_shared_between_loads(tmp_path):
    path = write_config(tmp_path, MINIMAL)
    first = load_config(path)
    first["segmentation"]["k_range"].append(99)
    assert load_config(path)["segmentation"]["k_range"] == [2, 8]


def test_relative_source_path_resolves_against_config_folder(tmp_path, monkeypatch):
    cfg_dir = tmp_path / "configs" / "cycle1"
    path = write_config(cfg_dir, MINIMAL)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the working directory must not matter
    cfg = load_config(path)
    assert Path(cfg["sources"]["transactions"]["path"]) == (cfg_dir / "data" / "tx.csv").resolve()


def test_parent_relative_and_absolute_paths(tmp_path):
    absolute = (tmp_path / "abs" / "customers.parquet").resolve()
    text = MINIMAL.replace("data/tx.csv", "../raw/tx.parquet") + (
        f"  customers:\n    path: {absolute}\n"
        "research:\n  rfm_rules: rules/rfm.yml\n"
        "deploy:\n  playbook: ../playbook.yml\n"
    )
    cfg_dir = tmp_path / "cycles"
    cfg = load_config(write_config(cfg_dir, text))
    assert Path(cfg["sources"]["transactions"]["path"]) == (tmp_path / "raw" / "tx.parquet").resolve()
    assert Path(cfg["sources"]["customers"]["path"]) == absolute
    assert Path(cfg["research"]["rfm_rules"]) == (cfg_dir / "rules" / "rfm.yml").resolve()
    assert Path(cfg["deploy"]["playbook"]) == (tmp_path / "playbook.yml").resolve()


@pytest.mark.parametrize("asof", ["2024-03-31", '"2024-03-31"', "2024-03-31 18:45:00"])
def test_asof_is_parsed_to_a_date(tmp_path, asof):
    cfg = load_config(write_config(tmp_path, MINIMAL.replace("2024-03-31", asof)))
    assert cfg["asof"] == dt.date(2024, 3, 31)
    assert type(cfg["asof"]) is dt.date


def test_unquoted_date_cycle_name_stays_text(tmp_path):
    # YAML reads `cycle: 2011-06-01` as a date; the cycle name must stay "2011-06-01"
    cfg = load_config(write_config(tmp_path, MINIMAL.replace('"c1"', "2011-06-01")))
    assert cfg["cycle"] == "2011-06-01"


def test_int_given_for_float_key_becomes_float(tmp_path):
    cfg = load_config(write_config(tmp_path, MINIMAL + "value:\n  cost_per_order: 50\n"))
    assert cfg["value"]["cost_per_order"] == 50.0
    assert isinstance(cfg["value"]["cost_per_order"], float)
    assert cfg["value"]["margin_rate"] == 0.25  # the sibling keeps its default


def test_column_mapping_is_kept(tmp_path):
    text = MINIMAL + "columns:\n  transactions:\n    customer_id: CustomerID\n    order_date: InvoiceDate\n"
    cfg = load_config(write_config(tmp_path, text))
    assert cfg["columns"]["transactions"] == {"customer_id": "CustomerID", "order_date": "InvoiceDate"}


# --- overrides -------------------------------------------------------------------------------


def test_dotted_overrides_are_applied(tmp_path):
    path = write_config(tmp_path, MINIMAL + "segmentation:\n  k: 6\n")
    cfg = load_config(path, {"segmentation.k": 4, "seed": 7, "value.margin_rate": 0.3})
    assert cfg["segmentation"]["k"] == 4
    assert cfg["segmentation"]["k_range"] == [2, 8]  # untouched sibling
    assert cfg["seed"] == 7
    assert cfg["value"]["margin_rate"] == 0.3
    assert cfg["value"]["cost_per_order"] == 5.0


def test_override_can_supply_a_missing_required_key(tmp_path):
    path = write_config(tmp_path, MINIMAL.replace("asof: 2024-03-31\n", ""))
    cfg = load_config(path, {"asof": "2024-01-15"})
    assert cfg["asof"] == dt.date(2024, 1, 15)


def test_override_with_unknown_key_is_an_error(tmp_path):
    message = config_error(tmp_path, MINIMAL, {"segmentation.kk": 4})
    assert "'segmentation.kk'" in message
    assert "Did you mean 'k'?" in message


def test_override_through_a_leaf_is_an_error(tmp_path):
    # seed set in the file: the override cannot descend into it
    message = config_error(tmp_path, MINIMAL + "seed: 3\n", {"seed.value": 4})
    assert "cannot set 'seed.value'" in message
    # seed not in the file: the override makes it a section, which is the wrong type for 'seed'
    message = config_error(tmp_path, MINIMAL, {"seed.value": 4})
    assert "config key 'seed' must be int" in message


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("segmentation.k", "5", 5),
        ("segmentation.k", "auto", "auto"),
        ("value.margin_rate", "0.3", 0.3),
        ("cleaning.drop_duplicates", "false", False),
        ("asof", "2024-01-31", dt.date(2024, 1, 31)),
        ("cycle", "'007'", "007"),
    ],
)
def test_parse_override_types_values_like_yaml(name, text, expected):
    key, value = parse_override(name, text)
    assert key == name
    assert value == expected
    assert type(value) is type(expected)


def test_parse_override_keeps_unparsable_text():
    assert parse_override("cycle", "a: b: c") == ("cycle", "a: b: c")


# --- errors ----------------------------------------------------------------------------------


def test_unknown_key_suggests_the_close_match(tmp_path):
    message = config_error(tmp_path, MINIMAL + "seeed: 3\n")
    assert "unknown config key 'seeed'" in message
    assert "Did you mean 'seed'?" in message


def test_unknown_nested_key_is_named_with_its_section(tmp_path):
    message = config_error(tmp_path, MINIMAL + "segmentation:\n  k_rnage: [2, 5]\n")
    assert "'segmentation.k_rnage'" in message
    assert "Did you mean 'k_range'?" in message


@pytest.mark.parametrize("key", ["cycle", "asof"])
def test_missing_required_key(tmp_path, key):
    text = "\n".join(line for line in MINIMAL.splitlines() if not line.startswith(key)) + "\n"
    message = config_error(tmp_path, text)
    assert f"'{key}'" in message
    assert "required" in message


def test_missing_transactions_path(tmp_path):
    message = config_error(tmp_path, 'cycle: "c1"\nasof: 2024-03-31\n')
    assert "'sources.transactions.path'" in message


@pytest.mark.parametrize(
    "extra, key",
    [
        ("seed: abc\n", "'seed'"),
        ("seed: true\n", "'seed'"),  # a bool is not an int
        ("seed: 1.5\n", "'seed'"),
        ("value:\n  margin_rate: high\n", "'value.margin_rate'"),
        ("cleaning:\n  drop_duplicates: 3\n", "'cleaning.drop_duplicates'"),
        ("cleaning:\n  drop_duplicates: sometimes\n", "'cleaning.drop_duplicates' must be auto, true or false"),
        ("segmentation:\n  k_range: 5\n", "'segmentation.k_range'"),
        ("segmentation: 3\n", "'segmentation'"),
        ("columns:\n  transactions:\n    customer_id: 5\n", "'columns.transactions.customer_id'"),
        *[(f"segmentation:\n  k_range: {k_range}\n", "'segmentation.k_range'")
          for k_range in ["[5, 3]", "[1, 4]", "[3]", "[3, 4, 5]", "[3, 4.5]"]],
        *[(f"segmentation:\n  k: {k}\n", "'segmentation.k'") for k in ["1", "many", "true"]],
        ("segmentation:\n  scheme: needs-based\n", "'segmentation.scheme'"),
        *[(f"abc: {abc}\n", "'abc.a_share'") for abc in ["{a_share: 0.9, b_share: 0.15}", "{a_share: 0, b_share: 0.15}",
                                                          "{a_share: 0.8, b_share: -0.1}"]],
        ("validation:\n  bootstrap: 1\n", "'validation.bootstrap'"),
    ],
)
def test_wrong_type_or_value_names_the_key(tmp_path, extra, key):
    message = config_error(tmp_path, MINIMAL + extra)
    assert key in message


def test_bad_asof_date(tmp_path):
    message = config_error(tmp_path, MINIMAL.replace("2024-03-31", '"2024-13-01"'))
    assert "'asof'" in message
    assert "YYYY-MM-DD" in message


def test_unknown_logical_transaction_column(tmp_path):
    text = MINIMAL + "columns:\n  transactions:\n    custmer_id: CustomerID\n"
    message = config_error(tmp_path, text)
    assert "'columns.transactions.custmer_id'" in message
    assert "Did you mean 'customer_id'?" in message


def test_survey_columns_are_open(tmp_path):
    text = MINIMAL + "columns:\n  survey:\n    customer_id: id\n    q1_satisfaction: Q1\n"
    cfg = load_config(write_config(tmp_path, text))
    assert cfg["columns"]["survey"] == {"customer_id": "id", "q1_satisfaction": "Q1"}


def test_unreadable_and_invalid_files(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path / "missing.yml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write_config(tmp_path, "cycle: [unclosed\n", name="bad.yml"))
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(write_config(tmp_path, "- a\n- b\n", name="list.yml"))


@pytest.mark.parametrize("value, expected", [("auto", "auto"), ("true", True), ("false", False)])
def test_drop_duplicates_is_auto_true_or_false(tmp_path, value, expected):
    cfg = load_config(write_config(tmp_path, MINIMAL + f"cleaning:\n  drop_duplicates: {value}\n"))
    assert cfg["cleaning"]["drop_duplicates"] == expected


def test_status_and_line_id_can_be_mapped(tmp_path):
    text = MINIMAL + "columns:\n  transactions:\n    status: Stan\n    line_id: Pozycja\n"
    cfg = load_config(write_config(tmp_path, text))
    assert cfg["columns"]["transactions"] == {"status": "Stan", "line_id": "Pozycja"}


def test_csv_dialect_keys(tmp_path):
    text = MINIMAL + ('    delimiter: ";"\n    decimal: ","\n    thousands: " "\n    encoding: cp1250\n'
                      "    header: false\n")
    source = load_config(write_config(tmp_path, text))["sources"]["transactions"]
    assert {k: source[k] for k in ("delimiter", "decimal", "thousands", "encoding", "header")} == {
        "delimiter": ";", "decimal": ",", "thousands": " ", "encoding": "cp1250", "header": False}


@pytest.mark.parametrize(
    "extra, expected",
    [
        ('    decimal: ";"\n', "'sources.transactions.decimal' must be"),
        ('    delimiter: ";;"\n', "'sources.transactions.delimiter' must be one character"),
        ('    thousands: ","\n    decimal: ","\n', "'sources.transactions.thousands' must be a non-digit other"),
        ("    thousands: 0\n", "'sources.transactions.thousands' must be a non-digit"),
        ("    encoding: cp9999\n", "'sources.transactions.encoding': unknown encoding 'cp9999'"),
    ],
)
def test_bad_csv_dialect_names_the_key(tmp_path, extra, expected):
    assert expected in config_error(tmp_path, MINIMAL + extra)


def test_csv_dialect_keys_are_for_csv_files_only(tmp_path):
    text = MINIMAL.replace("tx.csv", "tx.xlsx") + '    decimal: ","\n'
    message = config_error(tmp_path, text)
    assert "'sources.transactions.decimal' applies to CSV files only" in message
