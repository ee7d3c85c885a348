"""End to end: `segkit cycle` on the synthetic shop, two cycles, asserting on artefacts and HTML."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat

import pandas as pd
import pytest
import yaml

from segkit_helpers.cli import main
from segkit_helpers.io.paths import PROJ_ROOT
from segkit_helpers.report.pages import PAGES
from tests.test_notebook_page import EXTERNAL, MAX_PAGE_BYTES
from tests.test_tables import page_problems

pytestmark = pytest.mark.slow

ARTEFACTS = ["config.yml", "readiness.json", "cleaning.csv", "customers.parquet", "segments.parquet", "profiles.csv",
             "personas.yml", "model.skops", "validation.json", "monitor.json", "export/segments.csv",
             "export/segments.parquet"]


def test_every_artefact_and_page_is_written(two_cycles):
    for cycle in ("c1", "c2"):
        for name in ARTEFACTS:
            assert (two_cycles / "data" / "processed" / cycle / name).is_file(), (cycle, name)
        pages = sorted(p.name for p in (two_cycles / "reports" / cycle).glob("*.html"))
        assert pages == sorted([f"{stem}.html" for stem in PAGES] + ["index.html", "history.html"])
        downloads = sorted(p.name for p in (two_cycles / "reports" / cycle / "downloads").iterdir())
        assert {"profiles.csv", "segments.csv"} <= set(downloads) <= {"profiles.csv", "segments.csv", "new_customers.csv"}
    leftovers = [p.name for p in (two_cycles / "reports").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_reports_and_artefacts_are_readable_like_any_other_file(two_cycles):
    mask = os.umask(0)
    os.umask(mask)
    expected = 0o666 & ~mask
    files = [p for folder in ("reports/c2", "data/processed/c2") for p in (two_cycles / folder).rglob("*") if p.is_file()]
    assert files
    assert {p.relative_to(two_cycles).as_posix(): oct(stat.S_IMODE(p.stat().st_mode)) for p in files
            if stat.S_IMODE(p.stat().st_mode) != expected} == {}


def test_customer_profile_follows_the_contract(two_cycles):
    profile = pd.read_parquet(two_cycles / "data/processed/c2/customers.parquet")
    for col in ["customer_id", "first_order", "last_order", "recency_days", "frequency", "monetary", "avg_order_value",
                "tenure_days", "r_score", "f_score", "m_score", "rfm_segment", "abc_class", "value_loyalty_quadrant",
                "orders_per_quarter", "orders_per_month", "share_active_months", "repeat_rate", "order_gap_cv",
                "basket_value_change", "distinct_products", "gross_margin", "cost_to_serve", "profit", "xyz_class",
                "p_alive", "expected_orders", "clv", "total_value"]:
        assert col in profile, col
    assert profile["customer_id"].is_unique
    assert profile[["r_score", "f_score", "m_score"]].isin(range(1, 6)).all().all()
    assert (profile["monetary"] > 0).all() and (profile["frequency"] >= 1).all()
    assert profile["p_alive"].between(0, 1).all() and (profile["clv"] >= 0).all()
    cleaning = pd.read_csv(two_cycles / "data/processed/c2/cleaning.csv")
    assert cleaning["rule"].iloc[0] == "no customer id" and cleaning["lines"].iloc[0] > 0


def test_segments_have_probabilities_and_names(two_cycles):
    segments = pd.read_parquet(two_cycles / "data/processed/c2/segments.parquet")
    probs = segments.filter(like="prob_")
    assert len(probs.columns) == segments["segment"].nunique()
    assert (probs.sum(axis=1) - 1).abs().max() < 1e-5
    assert segments["segment_name"].notna().all()
    personas = yaml.safe_load((two_cycles / "data/processed/c2/personas.yml").read_text())["personas"]
    assert {p["segment"] for p in personas} == set(segments["segment"])


def test_second_cycle_is_compared_with_the_first(two_cycles):
    first = json.loads((two_cycles / "data/processed/c1/monitor.json").read_text())
    second = json.loads((two_cycles / "data/processed/c2/monitor.json").read_text())
    assert first["first_cycle"] is True
    assert second["previous_cycle"] == "c1"
    lapsed = pd.DataFrame(second["lapsed"])
    assert lapsed["customers"].sum() == len(pd.read_parquet(two_cycles / "data/processed/c1/segments.parquet"))
    assert (lapsed["lapsed"] <= lapsed["customers"]).all() and lapsed["lapsed"].sum() > 0
    assert {d["feature"] for d in second["drift"]} == {"recency_days", "frequency", "monetary"}
    assert isinstance(second["revision"]["revision_due"], bool)
    quadrants = second["quadrant_migration"]
    assert quadrants["rows"][-1] == "new customer" and quadrants["columns"][0] == "profitable & loyal"
    assert sum(map(sum, quadrants["counts"])) >= len(pd.read_parquet(two_cycles / "data/processed/c1/segments.parquet"))
    counts = second["migration"]["counts"]
    c1_customers = len(pd.read_parquet(two_cycles / "data/processed/c1/segments.parquet"))
    assert "new customer" in second["migration"]["rows"]
    returning = sum(sum(row) for label, row in zip(second["migration"]["rows"], counts) if label != "new customer")
    assert returning == c1_customers


def test_export_has_one_row_per_customer_with_actions(two_cycles):
    export = pd.read_csv(two_cycles / "data/processed/c2/export/segments.csv", dtype={"customer_id": str})
    segments = pd.read_parquet(two_cycles / "data/processed/c2/segments.parquet")
    assert sorted(export["customer_id"]) == sorted(segments["customer_id"])
    assert export[["persona", "service_model", "next_action"]].notna().all().all()
    assert export["priority"].between(1, 4).all()


def test_html_reports_are_code_free_and_name_segments(two_cycles):
    reports = two_cycles / "reports" / "c2"
    index = (reports / "index.html").read_text(encoding="utf-8")
    name = pd.read_parquet(two_cycles / "data/processed/c2/segments.parquet")["segment_name"].iloc[0]
    assert name in index
    assert "Business hypotheses" in index and "Our most valuable segment orders more often" in index
    assert "Decision summary" in index and "The gold customers are segment" in index
    assert 'href="../c1/index.html"' in index and "Next full revision" in index
    export = pd.read_csv(reports / "downloads" / "segments.csv", dtype=str)
    assert export.equals(pd.read_csv(two_cycles / "data/processed/c2/export/segments.csv", dtype=str))
    validation = json.loads((two_cycles / "data/processed/c2/validation.json").read_text())
    assert {h["verdict"] for h in validation["hypothesis_register"]} <= {"supported", "not supported", "contradicted"}
    assert (two_cycles / "data/processed/c2/review_sheet.csv").is_file()
    monitor = json.loads((two_cycles / "data/processed/c2/monitor.json").read_text())
    assert {row["cycle"] for row in monitor["history"]} == {"c1", "c2"}
    assert {row["fate"] for row in monitor["lineage"]} <= {"kept", "new", "vanished", "split", "merged"}
    for stem in PAGES:
        assert f'href="{stem}.html"' in index
        page = (reports / f"{stem}.html").read_text(encoding="utf-8")
        assert "from segkit_helpers" not in page and "open_cycle(" not in page, stem
        assert 'class="jp-CodeMirrorEditor' not in page and "Traceback" not in page, stem
        assert ".staging-" not in page, stem
        assert EXTERNAL.findall(page) == [] and "<script" not in page, stem  # self-contained
        assert len(page.encode("utf-8")) < MAX_PAGE_BYTES, stem
        images = re.findall(r"<img\b[^>]*>", page)
        assert page.count("<figure") == page.count("<figcaption>") == len(images), stem
        alts = [re.search(r"""\balt=(["'])(.*?)\1""", img) for img in images]  # ' when the caption quotes
        assert all(alt and "How to read: " in alt.group(2) for alt in alts), stem
        notebook = (reports / f"{stem}.ipynb").read_text(encoding="utf-8")
        assert ".staging-" not in notebook and str(two_cycles / "data" / "processed" / "c2") in notebook, stem
    hypothesis = (reports / "02_hypothesis.html").read_text(encoding="utf-8")
    assert name in hypothesis
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64', hypothesis)) >= 3


@pytest.mark.parametrize("run", ["two_cycles", "firmographic_example", "needs_example", "translated_cycles"])
def test_no_page_shows_reprs_raw_values_paths_or_warnings(request, run):
    """Every page of every example cycle (and the shop's cycle in every translated language) passes the page scan."""
    found = request.getfixturevalue(run)
    workdirs = found.values() if isinstance(found, dict) else [found]
    problems = {}
    for workdir in workdirs:
        for folder in sorted(p for p in (workdir / "reports").iterdir() if p.is_dir() and not p.name.startswith(".")):
            for page in ["index.html", "history.html", *(f"{stem}.html" for stem in PAGES)]:
                if issues := page_problems((folder / page).read_text(encoding="utf-8")):
                    problems[f"{workdir.name}/{folder.name}/{page}"] = issues
    assert problems == {}


def test_same_inputs_and_seed_give_byte_identical_segments(shop, two_cycles, tmp_path):
    assert main(["cycle", str(shop["configs"][0]), "--workdir", str(tmp_path), "--no-progress"]) == 0
    again = (tmp_path / "data/processed/c1/segments.parquet").read_bytes()
    assert again == (two_cycles / "data/processed/c1/segments.parquet").read_bytes()


def test_failed_cycle_names_the_notebook_and_keeps_previous_outputs(shop, two_cycles, tmp_path, capsys):
    workdir = tmp_path / "work"
    shutil.copytree(two_cycles, workdir)
    before = (workdir / "data/processed/c1/segments.parquet").read_bytes()
    index_before = (workdir / "reports/c1/index.html").read_bytes()
    # a clustering feature that no table has: the scheme fails inside 02_hypothesis
    code = main(["cycle", str(shop["configs"][0]), "--workdir", str(workdir), "--no-progress",
                 "-p", "segmentation.features", "[no_such_column]"])
    assert code == 1
    err = capsys.readouterr().err
    assert "02_hypothesis" in err and "c1.failed" in err
    assert (workdir / "reports/c1.failed/02_hypothesis.ipynb").is_file()
    assert (workdir / "data/processed/c1/segments.parquet").read_bytes() == before
    assert (workdir / "reports/c1/index.html").read_bytes() == index_before
    assert not [p for p in (workdir / "data/processed").iterdir() if p.name.startswith(".") and p.name != ".locks"]


def test_score_assigns_new_customers_with_the_saved_model(two_cycles, tmp_path, capsys):
    folder = two_cycles / "data/processed/c2"
    profile = pd.read_parquet(folder / "customers.parquet")
    new = profile[["customer_id", "recency_days", "frequency", "monetary"]].head(5)
    new.to_csv(tmp_path / "new.csv", index=False)
    assert main(["score", str(folder / "model.skops"), str(tmp_path / "new.csv"), "--out",
                 str(tmp_path / "scored.parquet")]) == 0
    scored = pd.read_parquet(tmp_path / "scored.parquet")
    segments = pd.read_parquet(folder / "segments.parquet").set_index("customer_id")
    # the same customers get the same segments and names as in the cycle
    assert scored["segment"].tolist() == segments.loc[new["customer_id"], "segment"].tolist()
    assert scored["segment_name"].tolist() == segments.loc[new["customer_id"], "segment_name"].tolist()
    assert (scored.filter(like="prob_").sum(axis=1) - 1).abs().max() < 1e-5
    new.drop(columns="monetary").to_csv(tmp_path / "bad.csv", index=False)
    assert main(["score", str(folder / "model.skops"), str(tmp_path / "bad.csv"), "--out",
                 str(tmp_path / "x.parquet")]) == 1
    assert "column 'monetary' is missing" in capsys.readouterr().err


def test_export_lands_in_the_configured_database(shop, two_cycles):
    import sqlalchemy

    engine = sqlalchemy.create_engine(f"sqlite:///{shop['folder'] / 'crm.db'}")  # relative to the config
    try:
        table = pd.read_sql_table("segments_c2", engine)
    finally:
        engine.dispose()
    export = pd.read_parquet(two_cycles / "data/processed/c2/export/segments.parquet")
    pd.testing.assert_frame_equal(table, export, check_dtype=False)


# --- the example cycles of the other schemes, on their shipped data ---------------------------


def test_firmographic_example_on_the_wholesale_customers(firmographic_example):
    """Gower + k-medoids on channel, region and the six spend amounts: the two segments are the two channels."""
    from sklearn.metrics import adjusted_rand_score

    out = firmographic_example / "data" / "processed" / "wholesale-2014"
    segments = pd.read_parquet(out / "segments.parquet")
    customers = pd.read_csv(PROJ_ROOT / "data/raw/wholesale_customers/customers.csv", dtype={"customer_id": str})
    merged = segments.merge(customers, on="customer_id")
    assert len(merged) == 440
    assert adjusted_rand_score(merged["channel"], merged["segment"]) == 1.0
    assert sorted(segments.filter(like="prob_").columns) == ["prob_1", "prob_2"]
    assert json.loads((out / "k_choice.json").read_text())["k"] == 2
    page = (firmographic_example / "reports" / "wholesale-2014" / "02_hypothesis.html").read_text(encoding="utf-8")
    assert "firmographic (company attributes)" in page and "Channel Retail" in page


def test_needs_example_finds_the_planted_client_types(needs_example):
    """Latent classes on the synthetic survey: four segments, each a client type of seed 004."""
    out = needs_example / "data" / "processed" / "2011-12-09-needs"
    assert json.loads((out / "k_choice.json").read_text())["k"] == 4
    types = pd.read_csv(out / "persona_types.csv")
    assert sorted(types["persona_type"]) == ["cautious", "experienced", "newcomer", "speed_focused"]
    assert types["assigned_by"].eq("survey answers").all()
    segments = pd.read_parquet(out / "segments.parquet")
    survey = pd.read_csv(PROJ_ROOT / "data/raw/online_retail/needs_survey.csv", dtype={"customer_id": str})
    assert set(segments["customer_id"]) <= set(survey["customer_id"]) and len(segments) > 1400


SERVICE_MODELS = {"ru": {"ключевой клиент", "внутренние продажи", "массовое / цифровое"},
                  "pl": {"kluczowy klient", "sprzedaż wewnętrzna", "masowy / cyfrowy"}}


@pytest.mark.parametrize("language, summary", [("ru", "Сводка для решения"), ("pl", "Podsumowanie decyzyjne")])
def test_a_cycle_reports_in_its_language(translated_cycles, language, summary):
    import nbformat

    from segkit_helpers.io.paths import NOTEBOOKS_DIR
    from segkit_helpers.report import i18n

    reports = translated_cycles[language] / "reports" / "c1"
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}">' in index and summary in index
    for stem in PAGES:
        page = (reports / f"{stem}.html").read_text(encoding="utf-8")
        first = nbformat.read(str(NOTEBOOKS_DIR / f"{stem}.ipynb"), as_version=4).cells[0]
        with i18n.language(language):
            heading = i18n.pgettext(i18n.cell_context(stem, first["id"]), first.source).splitlines()[0]
        assert f'<html lang="{language}">' in page and heading.lstrip("# ").strip() in page, stem
    services = pd.read_csv(translated_cycles[language] / "data/processed/c1/service_models.csv")["service_model"]
    assert set(services) <= SERVICE_MODELS[language]
    export = pd.read_csv(translated_cycles[language] / "data/processed/c1/export/segments.csv")
    assert set(export["service_model"]) <= SERVICE_MODELS[language]
