"""Unit tests of segkit_helpers.monitoring (and its words, segkit_helpers.report.monitor) with hand-made
centres, segments and profiles."""

from __future__ import annotations

import datetime as dt

import math

import numpy as np
import pandas as pd
import pytest

from segkit_helpers.monitoring.alerts import alerts, lineage_alerts, revision_verdict, segment_lineage
from segkit_helpers.evaluation.stats import population_stability_index
from segkit_helpers.monitoring.drift import feature_drift, segment_kpis
from segkit_helpers.monitoring.history import cycle_history, cycle_lineage
from segkit_helpers.monitoring.migration import (
    LOST,
    NEW,
    lapsed_since_previous,
    migration_matrix,
    quadrant_migration,
    retention,
    size_changes,
)
from segkit_helpers.monitoring.previous import load_previous, match_segments, previous_centers
from segkit_helpers.report.monitor import alert_messages, alerts_text, lineage_table, revision_record, revision_text

COLUMNS = ["recency_days", "frequency", "monetary"]


def centres(rows: dict[int, tuple[float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS).rename_axis("segment")


PREVIOUS = centres({1: (0, 0, 0), 2: (5, 5, 5), 3: (10, 10, 10)})


# --- matching ids ----------------------------------------------------------------------------


def test_match_swapped_order_maps_back():
    # the same three segments, found in another order and slightly moved (distances 0.1, 0.1, 0.2)
    current = centres({1: (10.1, 10, 10), 2: (0, 0.1, 0), 3: (5, 5, 5.2)})
    assert match_segments(current, PREVIOUS) == {1: 3, 2: 1, 3: 2}


def test_identical_centres_keep_their_ids():
    assert match_segments(PREVIOUS, PREVIOUS) == {1: 1, 2: 2, 3: 3}


def test_far_away_centre_gets_a_new_id():
    # current 2 is sqrt(3 * 40^2) = 69.3 from previous 3, its cheapest partner: > 1, so not the same segment
    current = centres({1: (0, 0, 0.1), 2: (50, 50, 50)})
    # new ids start after the largest id used in either cycle: max(3, 2) + 1 = 4
    assert match_segments(current, PREVIOUS) == {1: 1, 2: 4}


def test_several_new_segments_and_more_current_than_previous():
    current = centres({1: (5, 5, 5), 2: (40, 0, 0), 3: (0, 0, 0.5), 4: (0, 40, 0), 5: (10, 10, 9.5)})
    # 1 -> 2 (distance 0), 3 -> 1 (0.5), 5 -> 3 (0.5); 2 and 4 are unmatched: ids max(3, 5) + 1 = 6, then 7
    assert match_segments(current, PREVIOUS) == {1: 2, 3: 1, 5: 3, 2: 6, 4: 7}


def test_max_distance_bound_is_inclusive():
    current = centres({1: (0, 0, 1.0)})  # exactly 1.0 from previous 1
    assert match_segments(current, PREVIOUS, max_distance=1.0) == {1: 1}
    assert match_segments(current, PREVIOUS, max_distance=0.99) == {1: 4}


def test_hungarian_minimises_the_total_distance():
    # greedy nearest-first would pair current 1 with previous 1 (distance 0.4) and leave current 2
    # with previous 2 at 1.5 (total 1.9); the optimum pairs 1 -> 2 (0.6) and 2 -> 1 (0.5): total 1.1
    previous = centres({1: (0, 0, 0), 2: (1, 0, 0)})
    current = centres({1: (0.4, 0, 0), 2: (-0.5, 0, 0)})
    assert match_segments(current, previous) == {1: 2, 2: 1}


def test_previous_centers_from_profiles():
    profiles = pd.DataFrame(
        {"customers": [10, 20], "center_recency_days": [1.0, 2.0], "center_frequency": [3.0, 4.0],
         "center_monetary": [5.0, 6.0]},
        index=pd.Index([1, 2], name="segment"),
    )
    got = previous_centers({"profiles": profiles})
    assert got.columns.tolist() == COLUMNS
    assert got.loc[2].tolist() == [2.0, 4.0, 6.0]
    assert previous_centers(None) is None


# --- migration -------------------------------------------------------------------------------


def previous_cycle(profiles: pd.DataFrame | None = None) -> dict:
    segments = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"], "segment": [1, 1, 2, 2, 3]})
    return {"cycle": "before", "segments": segments, "profiles": profiles}


CURRENT = pd.DataFrame({"customer_id": ["a", "b", "c", "f", "g"], "segment": [1, 2, 2, 1, 10]})


def test_migration_matrix_by_hand():
    matrix = migration_matrix(previous_cycle(), CURRENT)
    # a 1->1, b 1->2, c 2->2, d 2->lost, e 3->lost, f new->1, g new->10
    expected = pd.DataFrame(
        [[1, 1, 0, 0],
         [0, 1, 0, 1],
         [0, 0, 0, 1],
         [1, 0, 1, 0]],
        index=pd.Index(["1", "2", "3", NEW], name="previous segment"),
        columns=pd.Index(["1", "2", "10", LOST], name="current segment"),  # numeric order: 10 after 2
    )
    pd.testing.assert_frame_equal(matrix, expected, check_dtype=False, check_index_type=False,
                                  check_column_type=False)
    assert matrix.to_numpy().sum() == 7  # every customer of either cycle once


def test_migration_first_cycle_is_none():
    assert migration_matrix(None, CURRENT) is None


def test_retention_by_hand():
    matrix = migration_matrix(previous_cycle(), CURRENT)
    # customers in both cycles: a (1->1), b (1->2), c (2->2); stayed: a, c -> 2 / 3
    assert retention(matrix) == pytest.approx(2 / 3)


def test_retention_without_returning_customers_is_nan():
    previous = {"segments": pd.DataFrame({"customer_id": ["x"], "segment": [1]})}
    current = pd.DataFrame({"customer_id": ["y"], "segment": [1]})
    assert math.isnan(retention(migration_matrix(previous, current)))


# --- size changes and alerts -----------------------------------------------------------------


def profiles_table(rows: dict[int, tuple[int, float, float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=["customers", "customer_share", "revenue_share"]).rename_axis("segment")


BEFORE = profiles_table({1: (40, 0.4, 0.7), 2: (30, 0.3, 0.2), 3: (30, 0.3, 0.1)})
NOW = profiles_table({1: (60, 0.6, 0.8), 2: (30, 0.3, 0.15), 4: (10, 0.1, 0.05)})


def test_size_changes_by_hand():
    table = size_changes({"profiles": BEFORE}, NOW)
    assert table.index.tolist() == [1, 2, 3, 4]
    assert table["status"].tolist() == ["kept", "kept", "vanished", "new"]
    # share change = now / before - 1: 0.6 / 0.4 - 1 = 0.5; 0.3 / 0.3 - 1 = 0
    assert table.loc[1, "share_change"] == pytest.approx(0.5)
    assert table.loc[2, "share_change"] == pytest.approx(0.0)
    assert table.loc[[3, 4], "share_change"].isna().all()
    assert table.loc[1, "customers_previous"] == 40
    assert table.loc[4, "customer_share"] == 0.1


def test_size_changes_first_cycle():
    table = size_changes(None, NOW)
    assert table["status"].tolist() == ["first cycle"] * 3
    assert table.columns.tolist() == ["customers", "customer_share", "revenue_share", "status"]


def test_alerts_by_hand():
    changes = size_changes({"profiles": BEFORE}, NOW)
    migration = migration_matrix(previous_cycle(), CURRENT)  # retention 2/3: no retention alert
    assert alert_messages(alerts(changes, migration)) == [
        "segment 1 grew from 40% to 60% of customers (+50% relative)",
        "segment 3 of the previous cycle has no match now",
        "segment 4 is new this cycle",
    ]
    # a looser bar silences the share alert; new / vanished segments are always reported
    assert alert_messages(alerts(changes, migration, max_share_change=0.6)) == [
        "segment 3 of the previous cycle has no match now",
        "segment 4 is new this cycle",
    ]


def test_alert_for_shrinking_segment_and_low_retention():
    before = profiles_table({1: (50, 0.5, 0.5), 2: (50, 0.5, 0.5)})
    now = profiles_table({1: (80, 0.8, 0.5), 2: (20, 0.2, 0.5)})
    previous = {"segments": pd.DataFrame({"customer_id": ["a", "b", "c"], "segment": [1, 1, 2]}),
                "profiles": before}
    current = pd.DataFrame({"customer_id": ["a", "b", "c"], "segment": [2, 2, 2]})
    # stayed: only c -> 1 / 3 < 0.5
    found = alerts(size_changes(previous, now), migration_matrix(previous, current))
    assert found[-1] == {"alert": "retention", "retention": pytest.approx(1 / 3)}
    assert alert_messages(found) == [
        "segment 1 grew from 50% to 80% of customers (+60% relative)",
        "segment 2 shrank from 50% to 20% of customers (-60% relative)",
        "only 33% of returning customers stayed in their segment",
    ]


def test_no_alerts_in_a_first_cycle():
    assert alerts(size_changes(None, NOW), None) == []


def test_alerts_and_revision_in_words():
    assert alerts_text(None, []) == "First cycle: nothing to compare with yet."
    assert alerts_text({"cycle": "a"}, []) == "Compared with cycle a.\n\nNo alerts."
    found = [{"alert": "new", "segment": 4}, {"alert": "vanished", "segment": 3}]
    assert alerts_text({"cycle": "a"}, found) == ("Compared with cycle a.\n\n- segment 4 is new this cycle\n"
                                                  "- segment 3 of the previous cycle has no match now")
    revision = {"revision_due": True, "reasons": [*found, {"alert": "drift", "feature": "monetary", "psi": 0.314}]}
    assert revision_text(revision) == ("Revision due: segment 4 is new this cycle; segment 3 of the previous cycle "
                                       "has no match now; monetary drifted (PSI 0.31)")
    assert revision_record({"revision_due": False, "reasons": []}) == {"revision_due": False, "reasons": []}
    assert revision_text({"revision_due": False, "reasons": []}) == "No revision due."


# --- loading the previous cycle --------------------------------------------------------------


def test_load_previous(tmp_path):
    assert load_previous(tmp_path, None) is None
    with pytest.raises(FileNotFoundError, match="previous cycle 'c0' has no segments.parquet"):
        load_previous(tmp_path, "c0")
    folder = tmp_path / "data" / "processed" / "c0"
    folder.mkdir(parents=True)
    pd.DataFrame({"customer_id": ["00123"], "segment": [1]}).to_parquet(folder / "segments.parquet", index=False)
    BEFORE.reset_index().to_csv(folder / "profiles.csv", index=False)
    previous = load_previous(tmp_path, "c0")
    assert previous["cycle"] == "c0"
    assert previous["segments"]["customer_id"].tolist() == ["00123"]
    assert previous["profiles"].index.tolist() == [1, 2, 3]
    assert previous["profiles"].index.name == "segment"


def test_lapsed_since_previous_by_hand():
    previous = {"asof": pd.Timestamp("2024-03-31"),
                "segments": pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "segment": [1, 1, 2, 2]})}
    profile = pd.DataFrame({"customer_id": ["a", "b", "c", "e"],
                            "last_order": pd.to_datetime(["2024-05-01", "2024-03-31", "2024-02-01", "2024-06-01"])})
    table = lapsed_since_previous(previous, profile)
    # segment 1: a ordered after asof, b's last order is on the previous asof -> 1 of 2 lapsed
    # segment 2: c last ordered before, d is gone from the profile -> 2 of 2 lapsed
    assert table["customers"].to_dict() == {1: 2, 2: 2}
    assert table["lapsed"].to_dict() == {1: 1, 2: 2}
    assert table["lapsed_share"].to_dict() == {1: 0.5, 2: 1.0}
    assert lapsed_since_previous(None, profile) is None
    assert lapsed_since_previous({**previous, "asof": None}, profile) is None


def test_population_stability_index_by_hand():
    expected = np.arange(100, dtype=float)  # deciles: ten bins of 10 values
    assert population_stability_index(expected, expected) == pytest.approx(0.0)
    # all of the current population in the lowest bin: a = 1 there (e = 0.1), floored 0.0001 elsewhere
    # PSI = (1 - 0.1) ln(1 / 0.1) + 9 * (0.0001 - 0.1) ln(0.0001 / 0.1)
    shifted = np.zeros(50)
    by_hand = 0.9 * np.log(10) + 9 * (0.0001 - 0.1) * np.log(0.001)
    assert population_stability_index(expected, shifted) == pytest.approx(by_hand)


def test_feature_drift_and_revision_verdict():
    rng = np.random.default_rng(0)
    ids = [f"c{i}" for i in range(2000)]
    before = pd.DataFrame({"customer_id": ids, "monetary": rng.lognormal(5, 1, 2000),
                           "frequency": rng.poisson(3, 2000) + 1.0, "recency_days": rng.exponential(90, 2000)})
    after = pd.DataFrame({"customer_id": ids, "monetary": rng.lognormal(6, 1, 2000),
                          "frequency": rng.poisson(3, 2000) + 1.0, "recency_days": rng.exponential(90, 2000)})
    rfm = ["customer_id", "recency_days", "frequency", "monetary"]
    cfg = {"asof": dt.date(2024, 12, 31), "segmentation": {"categorical": []},
           "monitor": {"psi_alert": 0.25, "revision_months": 12, "last_revision": dt.date(2023, 6, 30)}}
    drift = feature_drift({"profile": before, "scheme_features": before[rfm]}, after[rfm], after, [])
    assert drift.loc["monetary", "reading"] == "major shift"  # a shift of one SD on the log scale
    assert drift.loc["frequency", "reading"] == "stable"
    assert set(drift["role"]) == {"segmentation feature"}  # RFM clustered: no descriptor rows twice
    verdict = revision_verdict([], drift, cfg["monitor"], cfg["asof"])
    assert verdict["revision_due"] is True
    assert {"alert": "drift", "feature": "monetary", "psi": drift.loc["monetary", "psi"]} in verdict["reasons"]
    assert {"alert": "revision age", "last": dt.date(2023, 6, 30), "months": 18} in verdict["reasons"]
    reasons = revision_record(verdict)["reasons"]
    assert any(r.startswith("monetary drifted") for r in reasons)
    assert "last full revision 2023-06-30 is 18 months old" in reasons
    calm = revision_verdict([], drift.drop(index="monetary"), {**cfg["monitor"], "last_revision": None}, cfg["asof"])
    assert calm == {"revision_due": False, "reasons": []}


def test_feature_drift_on_the_schemes_own_features_with_rfm_as_descriptors():
    rng = np.random.default_rng(1)
    n = 1000
    ids = [f"c{i}" for i in range(n)]
    profile_before = pd.DataFrame({"customer_id": ids, "monetary": rng.lognormal(5, 1, n),
                                   "frequency": np.ones(n), "recency_days": rng.exponential(90, n)})
    profile_now = profile_before.assign(monetary=rng.lognormal(6, 1, n))  # spend moved, attributes did not
    firms_before = pd.DataFrame({"customer_id": ids, "channel": rng.choice(["Horeca", "Retail"], n, p=[0.7, 0.3]),
                                 "region": rng.choice([1, 2, 3], n), "employees": rng.integers(1, 500, n)})
    firms_now = firms_before.assign(channel=rng.choice(["Horeca", "Retail"], n, p=[0.3, 0.7]))
    drift = feature_drift({"profile": profile_before, "scheme_features": firms_before}, firms_now, profile_now, ["region"])
    assert drift.index.tolist() == ["channel", "region", "employees", "recency_days", "frequency", "monetary"]
    assert drift["role"].tolist() == ["segmentation feature"] * 3 + ["descriptor"] * 3
    # channel shares about 0.7/0.3 -> 0.3/0.7: PSI = Σ (a − e) ln(a / e) over the two observed shares
    e = firms_before["channel"].value_counts(normalize=True)
    a = firms_now["channel"].value_counts(normalize=True)
    assert drift.loc["channel", "psi"] == pytest.approx(float(((a - e) * np.log(a / e)).sum()), abs=1e-4)
    assert drift.loc["channel", "reading"] == "major shift"
    assert drift.loc["region", "reading"] == "stable" and drift.loc["employees", "reading"] == "stable"
    assert drift.loc["frequency", "psi"] == 0.0  # a constant descriptor is stable, not NaN
    assert drift.loc["monetary", "reading"] == "major shift"
    monitor = {"psi_alert": 0.25, "last_revision": None}
    reasons = revision_record(revision_verdict([], drift, monitor, dt.date(2024, 12, 31)))["reasons"]
    assert reasons == [f"channel drifted (PSI {drift.loc['channel', 'psi']:.2f})"]  # descriptors inform, not decide
    only_rfm = feature_drift({"profile": profile_before, "scheme_features": None}, firms_now, profile_now, ["region"])
    assert only_rfm["role"].eq("descriptor").all()  # a previous cycle without scheme features
    assert feature_drift(None, firms_now, profile_now, ["region"]) is None


def test_population_stability_index_of_categories_by_hand():
    before = pd.Series(["a"] * 50 + ["b"] * 50)
    now = pd.Series(["a"] * 80 + ["b"] * 10 + [None] * 10)  # a missing answer is a value of its own
    by_hand = (0.8 - 0.5) * np.log(0.8 / 0.5) + (0.1 - 0.5) * np.log(0.1 / 0.5) + (0.1 - 0.0001) * np.log(0.1 / 0.0001)
    assert population_stability_index(before, now, categorical=True) == pytest.approx(by_hand)


def test_segment_kpis_now_and_before():
    segments = pd.DataFrame({"customer_id": ["a", "b", "c"], "segment": [1, 1, 2]})
    profile = pd.DataFrame({"customer_id": ["a", "b", "c"], "monetary": [10.0, 30.0, 5.0],
                            "avg_order_value": [5.0, 10.0, 5.0], "frequency": [2, 3, 1]})
    previous = {"segments": pd.DataFrame({"customer_id": ["a", "c"], "segment": [1, 2]}),
                "profile": pd.DataFrame({"customer_id": ["a", "c"], "monetary": [4.0, 2.0],
                                         "avg_order_value": [4.0, 2.0], "frequency": [1, 1]})}
    table = segment_kpis(previous, segments, profile)
    # segment 1 now: a, b -> median monetary 20; before: a -> 4
    assert table.loc[1, "monetary"] == 20.0 and table.loc[1, "monetary_previous"] == 4.0
    assert table.loc[2, "frequency"] == 1 and table.loc[2, "frequency_previous"] == 1
    assert list(segment_kpis(None, segments, profile).columns) == ["monetary", "avg_order_value", "frequency"]


def test_quadrant_migration_by_hand():
    previous = {"segments": pd.DataFrame({
        "customer_id": ["a", "b", "c"],
        "value_loyalty_quadrant": ["profitable & disloyal", "profitable & loyal", "unprofitable & disloyal"]})}
    current = pd.DataFrame({
        "customer_id": ["a", "b", "d"],
        "value_loyalty_quadrant": ["profitable & loyal", "profitable & loyal", "unprofitable & loyal"]})
    table = quadrant_migration(previous, current)
    # a moved into the gold fund, b stayed, c is gone, d is new
    assert table.loc["profitable & disloyal", "profitable & loyal"] == 1
    assert table.loc["profitable & loyal", "profitable & loyal"] == 1
    assert table.loc["unprofitable & disloyal", LOST] == 1
    assert table.loc[NEW, "unprofitable & loyal"] == 1
    assert table.to_numpy().sum() == 4
    assert table.index[-1] == NEW and table.columns[-1] == LOST
    assert quadrant_migration(None, current) is None


# --- lineage and history ---------------------------------------------------------------------


def matrix(rows: dict[str, list[int]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=columns).T


def test_lineage_split_merged_new_vanished_by_hand():
    m = matrix({"1": [90, 10, 0, 0, 5], "2": [0, 50, 50, 0, 5], "3": [0, 0, 10, 0, 2], "4": [0, 0, 40, 0, 1],
                "new customer": [3, 3, 3, 10, 0]}, ["1", "2", "5", "6", "lost customer"])
    lineage = segment_lineage(m)
    # 1 keeps 90 % of its returning customers: kept. 2 sends 50 % to 2 and 50 % to 5, none more than
    # half: split. 5 is the main destination of 2 (tied), 3 (all of its 10) and 4 (all of its 40): merged.
    # 3 and 4 have no id now: vanished (as segments; their customers went into 5); 6 holds only new customers.
    assert lineage["fate"].to_dict() == {1: "kept", 2: "split", 3: "vanished", 4: "vanished", 5: "merged", 6: "new"}
    assert lineage.loc[2, "related"] == [2, 5] and lineage.loc[5, "related"] == [2, 3, 4]
    words = lineage_table(lineage)
    assert words.columns.tolist() == ["previous", "current", "fate", "detail"]
    assert words["detail"].to_dict() == {1: "segment 1 kept", 2: "segment 2 split into 2 and 5",
                                         3: "segment 3 vanished", 4: "segment 4 vanished",
                                         5: "segments 2, 3 and 4 merged into 5", 6: "segment 6 is new"}
    assert lineage_alerts(lineage) == [{"alert": "split", "segment": 2, "related": [2, 5]},
                                       {"alert": "merged", "segment": 5, "related": [2, 3, 4]}]
    assert alert_messages(lineage_alerts(lineage)) == ["segment 2 split into 2 and 5",
                                                       "segments 2, 3 and 4 merged into 5"]
    # drift between neighbours is no split: 60 % stay, 40 % move up
    drift = matrix({"1": [10, 0, 0], "2": [40, 60, 0]}, ["1", "2", "lost customer"])
    assert segment_lineage(drift)["fate"].tolist() == ["kept", "kept"]
    assert segment_lineage(None).empty
    assert lineage_table(segment_lineage(None)).columns.tolist() == ["previous", "current", "fate", "detail"]


def test_cycle_history_follows_this_cycles_lineage_only(tmp_path):
    def cycle(folder, name, asof, shares, previous=None):
        folder.mkdir(parents=True)
        pd.DataFrame({"segment": [1, 2], "customers": [s * 100 for s in shares], "customer_share": shares,
                      "revenue_share": [0.7, 0.3]}).to_csv(folder / "profiles.csv", index=False)
        link = f"previous_cycle: '{previous}'\n" if previous else ""
        (folder / "config.yml").write_text(f"cycle: '{name}'\nasof: {asof}\n{link}")
        (folder / "personas.yml").write_text("personas:\n- {segment: 1, name: Gold}\n- {segment: 2, name: Rest}\n")

    processed = tmp_path / "data" / "processed"
    cycle(processed / "a", "a", "2023-12-31", [0.4, 0.6])
    cycle(processed / "b", "b", "2024-06-30", [0.5, 0.5], previous="a")
    cycle(processed / "wholesale", "wholesale", "2024-03-31", [0.9, 0.1])  # another data set in the same folder
    cycle(processed / "later", "later", "2025-06-30", [0.2, 0.8], previous="c")  # a later cycle, re-run before c
    cycle(processed / ".staging-c-1", "c", "2024-12-31", [0.3, 0.7], previous="b")  # the run in progress
    history = cycle_history(tmp_path, processed / ".staging-c-1")
    assert history["cycle"].tolist() == ["a", "a", "b", "b", "c", "c"]  # the lineage, ordered by asof
    assert history["name"].tolist() == ["Gold", "Rest"] * 3
    assert history.loc[history["cycle"] == "c", "customer_share"].tolist() == [0.3, 0.7]
    first = cycle_history(tmp_path, processed / "a")
    assert first["cycle"].unique().tolist() == ["a"]  # a first cycle shows itself only, whatever ran later


def test_cycle_history_stops_at_loops_missing_and_later_cycles(tmp_path):
    processed = tmp_path / "data" / "processed"
    for name, asof, previous in [("x", "2024-01-31", "y"), ("y", "2023-12-31", "x"), ("z", "2024-02-29", "gone"),
                                 ("old", "2023-01-31", "future"), ("future", "2026-01-31", None)]:
        (processed / name).mkdir(parents=True)
        (processed / name / "profiles.csv").write_text("segment,customers,customer_share,revenue_share\n1,1,1,1\n")
        (processed / name / "config.yml").write_text(f"cycle: {name}\nasof: {asof}\nprevious_cycle: {previous}\n")
    assert [c for c, _ in cycle_lineage(tmp_path, processed / "x")] == ["x", "y"]  # loop cut
    assert [c for c, _ in cycle_lineage(tmp_path, processed / "z")] == ["z"]  # previous cycle not there
    assert [c for c, _ in cycle_lineage(tmp_path, processed / "old")] == ["old"]  # previous dated later


# --- the step module and its artefact --------------------------------------------------------


def test_monitor_artefact_writes_the_record_in_words(tmp_path):
    from segkit_helpers.steps.monitor import MonitorArtefact

    previous = {**previous_cycle(BEFORE), "cycle": "2024-01"}
    migration = migration_matrix(previous, CURRENT)
    changes = size_changes(previous, NOW)
    lineage = segment_lineage(migration)
    found = alerts(changes, migration, lineage=lineage)
    revision = {"revision_due": True, "reasons": found}
    artefact = MonitorArtefact(cycle="2024-07", previous=previous, changes=changes, migration=migration, alerts=found,
                               revision=revision, lineage=lineage)
    path = artefact.save(tmp_path)
    assert path == tmp_path / "monitor.json"
    record = MonitorArtefact.load(tmp_path)
    assert list(record) == ["cycle", "previous_cycle", "first_cycle", "retention", "migration", "segments", "lapsed",
                            "quadrant_migration", "drift", "revision", "alerts", "lineage", "history"]
    assert record["alerts"] == alert_messages(found) and "segment 4 is new this cycle" in record["alerts"]
    assert record["revision"] == {"revision_due": True, "reasons": record["alerts"]}
    assert record["retention"] == round(retention(migration), 4)
    assert [row["detail"] for row in record["lineage"]] == lineage_table(lineage)["detail"].tolist()
    assert list(record["lineage"][0]) == ["segment", "previous", "current", "fate", "detail"]
    first = MonitorArtefact(cycle="2024-01", previous=None, changes=size_changes(None, NOW), migration=None, alerts=[])
    assert first.record() == {"cycle": "2024-01", "previous_cycle": None, "first_cycle": True,
                              "note": "first cycle: nothing to compare with", "alerts": [], "revision": None,
                              "lineage": [], "history": []}
