"""The index's decision summary, history page and downloads, on a hand-made cycle whose figures are computed by hand."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import yaml

from segkit_helpers.deploy.actions import one_action, resolve_actions, segment_actions
from segkit_helpers.deploy.deployment import load_playbook
from segkit_helpers.monitoring.alerts import next_revision
from segkit_helpers.report.index import build_index
from segkit_helpers.report.facts import CycleFacts
from segkit_helpers.report.summary import decision_summary, segment_table

MONITOR = {"psi_alert": 0.25, "revision_months": 12, "last_revision": None}


def write_cycle(folder, cycle="c2", asof="2024-06-30", previous=None, first_order="2024-01-01", **monitor):
    """Two segments: 1 holds 10 customers, revenue 9,000, profit 3,000 (key account, 600 a customer);
    2 holds 90, revenue 1,000, profit 1,000 (mass / digital, 10 a customer)."""
    folder.mkdir(parents=True)
    config = {"cycle": cycle, "asof": asof, "previous_cycle": previous, "report": {"currency": "GBP", "language": "en"},
              "sources": {"transactions": {"synthetic": False}, "experiments": {"synthetic": True}},
              "deploy": {"playbook": None}, "monitor": {**MONITOR, **monitor}, "clv": {"horizon_months": 12}}
    (folder / "config.yml").write_text(yaml.safe_dump(config))
    pd.DataFrame({"segment": [1, 2], "customers": [10, 90], "customer_share": [0.1, 0.9],
                  "revenue": [9000.0, 1000.0], "revenue_share": [0.9, 0.1], "profit": [3000.0, 1000.0],
                  "clv": [2000.0, 500.0], "main_quadrant": ["profitable & loyal", "unprofitable & disloyal"]}
                 ).to_csv(folder / "profiles.csv", index=False)
    pd.DataFrame({"segment": [1, 2], "profit_ratio": [7.5, 0.28], "service_model": ["key account", "mass / digital"],
                  "channel": ["field sales rep", "web shop"], "cadence": ["monthly meeting", "automated campaigns"],
                  "service_cost": [600.0, 10.0]}).to_csv(folder / "service_models.csv", index=False)
    pd.DataFrame({"segment": [1, 2], "persona_type": ["experienced", "cautious"]}).to_csv(
        folder / "persona_types.csv", index=False)
    pd.DataFrame({"customer_id": ["a", "b"], "segment": [1, 2], "segment_name": ["Big", "Small"]}).to_parquet(
        folder / "segments.parquet")
    pd.DataFrame({"first_order": pd.to_datetime([first_order, "2024-03-01"])}).to_parquet(folder / "customers.parquet")
    (folder / "readiness.json").write_text(json.dumps({
        "scheme": "behavioural", "verdict": "go", "reasons": [],
        "checks": [{"check": "share of lines without customer", "value": 0.25}]}))
    first = previous is None
    (folder / "monitor.json").write_text(json.dumps({
        "first_cycle": first, "retention": None if first else 0.8, "alerts": [] if first else ["segment 1 grew"],
        "revision": {"revision_due": not first, "reasons": [] if first else ["segment 1 grew", "recency drifted"]},
        "history": [{"cycle": cycle, "asof": asof, "segment": 1, "name": "Big", "customers": 10,
                     "customer_share": 0.1, "revenue_share": 0.9}]}))
    (folder / "validation.json").write_text(json.dumps({
        "segments": [{"segment": 1, "verdict": "target", "stability": 0.9},
                     {"segment": 2, "verdict": "do not target alone: blends with neighbours", "stability": 0.6}],
        "stability": {"mean_ari": 0.87}, "hypotheses": [{"id": "H1", "verdict": "supported"},
                                                         {"id": "H2", "verdict": "not supported"}]}))
    (folder / "export").mkdir()
    (folder / "export" / "segments.csv").write_text("customer_id,segment\na,1\nb,2\n")
    return folder


@pytest.fixture
def cycle(tmp_path):
    return write_cycle(tmp_path / "data" / "processed" / "c2")


def test_segment_table_by_hand(cycle):
    table = segment_table(CycleFacts.load(cycle))
    assert table["profit_share"].tolist() == [0.75, 0.25]          # 3,000 and 1,000 of 4,000
    assert table["cost_to_serve"].tolist() == [6000.0, 900.0]      # 600 x 10, 10 x 90
    assert table["value"].tolist() == [5000.0, 1500.0]             # profit + CLV
    assert table["name"].tolist() == ["Big", "Small"]


def test_summary_reads_as_a_director_would(cycle):
    summary = decision_summary(CycleFacts.load(cycle))
    first, second = summary.segments
    assert (first["customers"], first["revenue"], first["profit_share"]) == ("10", "£9,000", "75%")
    assert first["cost_to_serve"] == "£6,000" and first["cost_exceeds_value"]      # 6,000 > 5,000
    assert not second["cost_exceeds_value"] and not second["target"]
    assert summary.totals == {"customers": "100", "revenue": "£10,000", "profit": "£4,000", "clv": "£2,500",
                              "cost_to_serve": "£6,900", "value": "£6,500"}
    assert summary.period == "Jan 1, 2024 – Jun 30, 2024"
    text = " ".join(summary.findings)
    assert "The gold customers are segment 1 (Big): 10% of the customers bring 90% of the revenue and 75% of the profit." in text
    assert "segment 2 (Small): do not target alone: blends with neighbours" in text
    assert "adjusted Rand index of 0.87" in text and "1 of 2 checks of the segmentation held (H1)" in text
    assert "Serving segment 1 (Big) as key account costs £6,000, more than the £5,000" in text
    assert "25% of the order lines had no customer id" in " ".join(summary.caveats)
    assert any(c.startswith("The experiments table is synthetic") for c in summary.caveats)
    assert summary.next_revision == "Jun 30, 2025" and not summary.revision_due   # a first cycle: its asof + 12 months


def test_an_alert_is_said_once_and_window_lengths_are_a_caveat(tmp_path):
    write_cycle(tmp_path / "c1", cycle="c1", asof="2024-01-31", first_order="2023-12-01")
    current = write_cycle(tmp_path / "c2", previous="c1")
    summary = decision_summary(CycleFacts.load(current), CycleFacts.load(tmp_path / "c1"))
    assert sum("segment 1 grew" in f.lower() for f in summary.findings) == 1
    assert "Recency drifted." in summary.findings
    assert any("181 days of history and cycle c1 61" in c for c in summary.caveats)
    assert summary.revision_due and summary.next_steps[-1].startswith("Revise the segments and personas in full now")


def test_one_next_action_resolves_quadrant_service_model_and_persona():
    playbook = load_playbook()
    customers = pd.DataFrame({"value_loyalty_quadrant": ["profitable & loyal", "profitable & loyal"],
                              "service_model": ["inside sales", "mass / digital"], "channel": ["phone", "web shop"],
                              "cadence": ["quarterly call", "automated campaigns"], "tactics": ["Be quick.", "Reassure."]})
    resolved = resolve_actions(customers, playbook)
    action = playbook["quadrants"]["profitable & loyal"]["next_action"]
    assert resolved["next_action"].tolist() == [f"{action} — phone, quarterly call",
                                                f"{action} — web shop, automated campaigns"]
    assert resolved["tactics"].tolist() == ["Be quick.", ""]   # mass / digital: no person, no persona tactics
    assert one_action("Call.", "", "") == "Call."
    plan = segment_actions(pd.Series(["profitable & loyal"], index=[1]),
                           pd.DataFrame({"service_model": ["key account"], "channel": ["rep"], "cadence": ["monthly"]},
                                        index=[1]), pd.Series(["speed_focused"], index=[1]), playbook)
    assert plan.loc[1, "tactics"] == " ".join(playbook["persona_types"]["speed_focused"]["tactics"])
    assert plan.loc[1, "goal"] == playbook["quadrants"]["profitable & loyal"]["goal"]


@pytest.mark.parametrize("last, due, expected", [(None, False, dt.date(2025, 1, 31)),
                                                  (dt.date(2023, 2, 28), False, dt.date(2024, 2, 28)),
                                                  (None, True, dt.date(2024, 6, 30))])
def test_next_revision(last, due, expected):
    monitor = {**MONITOR, "last_revision": last}
    assert next_revision(monitor, dt.date(2024, 1, 31), dt.date(2024, 6, 30), due) == expected


def test_index_links_history_previous_cycle_and_downloads(tmp_path):
    workdir = tmp_path
    write_cycle(workdir / "data" / "processed" / "c1", cycle="c1", asof="2024-01-31")
    (workdir / "reports" / "c1").mkdir(parents=True)
    (workdir / "reports" / "c1" / "index.html").write_text("<html></html>")
    current = write_cycle(workdir / "data" / "processed" / "c2", previous="c1")
    reports = workdir / "reports" / "c2"
    reports.mkdir()
    index = build_index(current, reports, workdir, "c2.yml").read_text()
    assert 'href="../c1/index.html"' in index and 'href="history.html"' in index
    assert 'href="downloads/segments.csv"' in index and (reports / "downloads" / "segments.csv").is_file()
    assert "from the cycle config c2.yml" in index and "Next full revision: <strong>due now</strong>" in index
    history = (reports / "history.html").read_text()
    assert "c1 → c2" in history and "Big" in history
