"""Step 00: answers from the config, scheme availability from the schemes' own predicates, the verdict."""

from __future__ import annotations

import sqlalchemy
import yaml

from segkit_helpers.io.config import load_config
from segkit_helpers.research.lines import load_transactions
from segkit_helpers.research.readiness import available_schemes, answers_table, data_checks, readiness_record
from segkit_helpers.schemes import SCHEMES
from tests.conftest import make_transactions, write_cycle_config


def sqlite_cycle(tmp_path, **extra):
    """A cycle whose order lines come from a SQLite database (a URL source, no file path)."""
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    lines = make_transactions(n_customers=60, seed=3)
    lines["InvoiceDate"] = lines["InvoiceDate"].astype(str)
    lines.to_sql("order_lines", engine, index=False)
    engine.dispose()
    path = write_cycle_config(tmp_path, tmp_path / "unused.parquet", "db", "2024-06-30", **extra)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["sources"] = {"transactions": {"url": "sqlite:///shop.db", "table": "order_lines"}}
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return load_config(path)


def test_answers_come_from_the_config_and_parameters_only_override():
    cfg = {"readiness": {"goal": "grow wholesale", "base_large_and_varied": "", "actionable": " yes ",
                         "resources": "", "will_act": "yes"}}
    table = answers_table(cfg["readiness"], {"goal": "", "resources": "one analyst", "will_act": "  "})
    assert table.loc["goal", "answer"] == "grow wholesale"  # empty parameter: the config's answer
    assert table.loc["resources", "answer"] == "one analyst"  # a typed parameter wins
    assert table.loc["actionable", "answer"] == "yes"
    assert table.loc["will_act", "answer"] == "yes"  # blank parameter does not erase the config's answer
    assert table.loc["base_large_and_varied", "answer"] == "not answered"
    assert list(answers_table(cfg["readiness"]).index) == list(table.index)


def test_a_database_source_supports_the_order_line_schemes(tmp_path):
    cfg = sqlite_cycle(tmp_path, segmentation={"scheme": "value_loyalty"})
    schemes = available_schemes(cfg, load_transactions(cfg))
    assert list(schemes.index) == list(SCHEMES)  # one list: every scheme the config accepts
    available = schemes["data available"]
    assert available["behavioural"] and available["value_loyalty"]
    assert not available["firmographic"] and not available["needs"]
    assert not available["opportunity"]  # products are mapped, but no product lines are configured
    assert schemes.loc["value_loyalty", "chosen"]


def test_value_loyalty_on_a_database_source_is_go(tmp_path):
    cfg = sqlite_cycle(tmp_path, segmentation={"scheme": "value_loyalty"})
    lines = load_transactions(cfg)
    record = readiness_record(answers_table(cfg["readiness"]), data_checks(lines, cfg), available_schemes(cfg, lines), cfg)
    assert record["verdict"] == "go", record["reasons"]


def test_opportunity_needs_product_lines_as_the_product_split_does(tmp_path):
    mapping = tmp_path / "lines.csv"
    mapping.write_text("product,line\nP001,kitchen\n", encoding="utf-8")
    cfg = sqlite_cycle(tmp_path, research={"product_lines": str(mapping)})
    assert available_schemes(cfg, load_transactions(cfg)).loc["opportunity", "data available"]


def test_a_scheme_without_its_table_is_no_go(tmp_path):
    cfg = sqlite_cycle(tmp_path, segmentation={"scheme": "firmographic"})
    lines = load_transactions(cfg)
    record = readiness_record(answers_table(cfg["readiness"]), data_checks(lines, cfg), available_schemes(cfg, lines), cfg)
    assert record["verdict"] == "no-go"
    assert "the chosen scheme has no data" in record["reasons"]


def test_the_readiness_artefact_is_saved_and_read_back(tmp_path):
    from segkit_helpers.context import CycleContext
    from segkit_helpers.steps.readiness import ReadinessArtefact

    cfg = sqlite_cycle(tmp_path, segmentation={"scheme": "value_loyalty"})
    lines = load_transactions(cfg)
    record = readiness_record(answers_table(cfg["readiness"]), data_checks(lines, cfg), available_schemes(cfg, lines), cfg)
    ctx = CycleContext(cfg=cfg, workdir=tmp_path, out_dir=tmp_path / "out")
    ctx.out_dir.mkdir()
    said = ReadinessArtefact(record).save(ctx)
    assert said == "The results of this step are saved with cycle db." and repr(said) == str(said)
    assert (ctx.out_dir / "config.yml").is_file()
    back = ReadinessArtefact.load(ctx).record
    assert back["verdict"] == record["verdict"] and back["scheme"] == "value_loyalty"
    assert [row["check"] for row in back["checks"]] == [row["check"] for row in record["checks"]]
