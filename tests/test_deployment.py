"""Unit tests of segkit_helpers.deploy: playbook, service models, the CRM export, its target and the arrivals."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from segkit_helpers.deploy.deployment import (
    EXPORT_COLUMNS,
    assign_persona_types,
    assign_service_models,
    build_export,
    load_playbook,
    persona_type_table,
    quadrant_table,
    resources_vs_value,
    write_export,
)
from segkit_helpers.deploy.arrivals import new_customer_summary, new_customers, score_new_customers
from segkit_helpers.errors import ConfigError
from segkit_helpers.io.paths import RESOURCES_DIR
from segkit_helpers.research.scores import QUADRANTS

ACTIONS = {
    "profitable & loyal": "Thank them and ask what they plan next; give first access to new products; "
                          "protect their prices and delivery dates.",
    "unprofitable & disloyal": "One reactivation offer; stop paid contact if there is no response.",
}


@pytest.fixture(scope="module")
def playbook() -> dict:
    return load_playbook()


def seg_profiles(customers, profit, index=None) -> pd.DataFrame:
    index = pd.Index(index or range(1, len(customers) + 1), name="segment")
    return pd.DataFrame({"customers": customers, "profit": profit}, index=index)


# --- playbook --------------------------------------------------------------------------------


def test_default_playbook_covers_the_four_quadrants(playbook):
    assert set(playbook["quadrants"]) == set(QUADRANTS.values())
    assert {q: v["priority"] for q, v in playbook["quadrants"].items()} == {
        "profitable & loyal": 1, "profitable & disloyal": 2, "unprofitable & loyal": 3,
        "unprofitable & disloyal": 4,
    }
    assert [m["name"] for m in playbook["service_models"]] == ["key account", "inside sales", "mass / digital"]
    assert [m["min_profit_ratio"] for m in playbook["service_models"][:2]] == [2.0, 0.5]
    assert math.isnan(playbook["service_models"][2]["min_profit_ratio"])  # the catch-all


def test_quadrant_table(playbook):
    table = quadrant_table(playbook)
    assert table.index.name == "quadrant"
    assert table.loc["profitable & loyal", "next_action"] == ACTIONS["profitable & loyal"]
    assert table["priority"].to_dict()["unprofitable & loyal"] == 3


def test_playbook_missing_a_quadrant(tmp_path):
    path = tmp_path / "playbook.yml"
    path.write_text(
        "quadrants:\n"
        "  profitable & loyal: {priority: 1, next_action: call}\n"
        "  profitable & disloyal: {priority: 2, next_action: call}\n"
        "  unprofitable & loyal: {priority: 3, next_action: call}\n"
        "service_models:\n  - {name: all}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="no entry for quadrant 'unprofitable & disloyal'"):
        load_playbook(path)


def test_playbook_without_service_models(tmp_path):
    quadrants = "".join(f"  {q}: {{priority: {i}, next_action: x}}\n" for i, q in enumerate(QUADRANTS.values(), 1))
    path = tmp_path / "playbook.yml"
    path.write_text("quadrants:\n" + quadrants + "service_models: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'service_models' is empty"):
        load_playbook(path)


def test_unreadable_playbook(tmp_path):
    with pytest.raises(ConfigError, match="cannot read playbook"):
        load_playbook(tmp_path / "missing.yml")


# --- service models --------------------------------------------------------------------------


def test_service_models_by_profit_ratio(playbook):
    profiles = seg_profiles([10, 20, 70], [1000.0, 400.0, 100.0])
    out = assign_service_models(profiles, playbook)
    # overall profit per customer = 1500 / 100 = 15
    # segment 1: 1000 / 10 = 100 -> 100 / 15 = 6.667 >= 2   -> key account
    # segment 2: 400 / 20 = 20   -> 20 / 15 = 1.333 >= 0.5  -> inside sales
    # segment 3: 100 / 70 = 1.43 -> 1.43 / 15 = 0.095 < 0.5 -> mass / digital
    assert out.index.tolist() == [1, 2, 3]
    assert out["profit_ratio"].tolist() == [6.667, 1.333, 0.095]
    assert out["service_model"].tolist() == ["key account", "inside sales", "mass / digital"]
    assert out["channel"].tolist() == ["field sales rep", "phone and e-mail",
                                       "web shop, newsletter, self-service portal"]
    assert out["cadence"].tolist() == ["monthly meeting", "quarterly call", "automated campaigns"]


def test_service_model_bars_are_inclusive(playbook):
    # overall = (8 + 2 + 0.5 - 6.5) / 4 = 1 -> ratios 8, 2, 0.5, -6.5
    out = assign_service_models(seg_profiles([1, 1, 1, 1], [8.0, 2.0, 0.5, -6.5]), playbook)
    assert out["profit_ratio"].tolist() == [8.0, 2.0, 0.5, -6.5]
    assert out["service_model"].tolist() == ["key account", "key account", "inside sales", "mass / digital"]


def test_zero_overall_profit_sends_everyone_to_the_catch_all(playbook):
    out = assign_service_models(seg_profiles([5, 5], [100.0, -100.0]), playbook)
    assert out["profit_ratio"].isna().all()
    assert out["service_model"].tolist() == ["mass / digital", "mass / digital"]


def test_negative_overall_profit_gives_no_ratio(playbook):
    # overall = (100 - 300) / 2 = -100: dividing by it would give the loss-making segment 2 a ratio of
    # -300 / -100 = 3 (key account) and the profitable segment 1 a ratio of -1; with no positive overall
    # profit per customer the ratio is undefined and every segment takes the catch-all model
    out = assign_service_models(seg_profiles([1, 1], [100.0, -300.0]), playbook)
    assert out["profit_ratio"].isna().all()
    assert out["service_model"].tolist() == ["mass / digital", "mass / digital"]


def test_no_catch_all_falls_back_to_the_last_model():
    playbook = {"service_models": [{"name": "vip", "min_profit_ratio": 1.5}, {"name": "std", "min_profit_ratio": 1.0}]}
    out = assign_service_models(seg_profiles([1, 1], [3.0, 1.0]), playbook)  # ratios 1.5, 0.5
    assert out["service_model"].tolist() == ["vip", "std"]


def test_model_without_ratio_takes_the_rest():
    playbook = {"service_models": [{"name": "vip", "min_profit_ratio": 1.5, "channel": "rep"},
                                   {"name": "rest", "min_profit_ratio": None}]}
    out = assign_service_models(seg_profiles([1, 1], [3.0, 1.0]), playbook)  # overall 2 -> 1.5, 0.5
    assert out["service_model"].tolist() == ["vip", "rest"]
    assert out["channel"].tolist() == ["rep", ""]
    assert out["cadence"].tolist() == ["", ""]


def test_resources_vs_value(playbook):
    profiles = seg_profiles([10, 20, 70], [1000.0, 400.0, 100.0]).assign(revenue_share=[0.6, 0.3, 0.1])
    table = resources_vs_value(profiles, assign_service_models(profiles, playbook))
    assert table.columns.tolist() == ["customers", "revenue_share", "profit_per_customer", "service_model",
                                      "profit_ratio", "value_per_customer", "service_cost", "cost_exceeds_value"]
    assert table["profit_per_customer"].tolist() == [100.0, 20.0, 1.43]  # 100 / 70 = 1.4286 -> 1.43
    # shipped playbook costs: key account 600, inside sales 120, mass / digital 10 a customer
    assert table["service_cost"].tolist() == [600.0, 120.0, 10.0]
    # no CLV here, so value = profit per customer: 100 < 600, 20 < 120, 1.43 < 10
    assert table["cost_exceeds_value"].tolist() == [True, True, True]


# --- export ----------------------------------------------------------------------------------


def export_inputs(playbook):
    segments = pd.DataFrame(
        {
            "customer_id": pd.array(["00123", "00045", "00999", "01000", "00007", "00002"], dtype="string"),
            "segment": [2, 1, 1, 2, 1, 2],
            "prob_1": [0.1, 0.9, 0.8, 0.2, 0.7, 0.3],  # extra columns are not exported
            "value_loyalty_quadrant": ["unprofitable & disloyal", "profitable & loyal", "profitable & disloyal",
                                       "profitable & loyal", "unprofitable & loyal", "profitable & loyal"],
        }
    )
    # overall 600 / 6 = 100: segment 1 ratio 200 / 100 = 2 -> key account, segment 2 ratio 0 -> mass
    service = assign_service_models(seg_profiles([3, 3], [600.0, 0.0]), playbook)
    personas = [{"segment": 1, "name": "Big buyers"}, {"segment": 2, "name": "Small buyers"}]
    return segments, service, personas


def test_build_export(playbook):
    export = build_export(*export_inputs(playbook), playbook)
    assert export.columns.tolist() == EXPORT_COLUMNS
    # sorted by priority (from the quadrant), then segment, then customer id
    assert export["customer_id"].tolist() == ["00045", "00002", "01000", "00999", "00007", "00123"]
    assert export["priority"].tolist() == [1, 1, 1, 2, 3, 4]
    assert export["priority"].dtype == "int64"
    assert export["segment"].tolist() == [1, 2, 2, 1, 1, 2]
    assert export["persona"].tolist() == ["Big buyers", "Small buyers", "Small buyers", "Big buyers",
                                          "Big buyers", "Small buyers"]
    assert export["service_model"].tolist() == ["key account", "mass / digital", "mass / digital",
                                                "key account", "key account", "mass / digital"]
    assert export["channel"].iloc[0] == "field sales rep"
    assert export["cadence"].iloc[1] == "automated campaigns"
    # one action: the quadrant's what, the service model's who and how often (deploy/actions.py)
    assert export["next_action"].iloc[0] == ACTIONS["profitable & loyal"] + " — field sales rep, monthly meeting"
    assert export["next_action"].iloc[1] == (ACTIONS["profitable & loyal"] + " — web shop, newsletter, self-service "
                                             "portal, automated campaigns")
    assert export["next_action"].iloc[5] == (ACTIONS["unprofitable & disloyal"] + " — web shop, newsletter, "
                                             "self-service portal, automated campaigns")
    assert export.index.tolist() == list(range(6))


def test_write_export_round_trips_ids(tmp_path, playbook):
    export = build_export(*export_inputs(playbook), playbook)
    paths = write_export(export, tmp_path / "export")
    assert [p.name for p in paths] == ["segments.csv", "segments.parquet"]
    assert all(p.is_file() for p in paths)
    assert sorted(p.name for p in (tmp_path / "export").iterdir()) == ["segments.csv", "segments.parquet"]

    csv = pd.read_csv(paths[0], dtype=str)
    assert csv.columns.tolist() == EXPORT_COLUMNS
    assert csv["customer_id"].tolist() == ["00045", "00002", "01000", "00999", "00007", "00123"]
    assert csv["next_action"].iloc[0] == export["next_action"].iloc[0]  # text with ';' survives quoting

    parquet = pd.read_parquet(paths[1])
    assert parquet["customer_id"].tolist() == ["00045", "00002", "01000", "00999", "00007", "00123"]
    pd.testing.assert_frame_equal(parquet, export, check_dtype=False)


def test_formula_cells_are_neutralised_in_the_csv_only(tmp_path):
    from segkit_helpers.io.artefacts import neutralise_formulas

    export = pd.DataFrame({"customer_id": ["00123", "=1+2"], "persona": ["@SUM(A1)", "Loyal"],
                           "next_action": ["-call", "+1 555"], "priority": [1, -2]})
    safe = neutralise_formulas(export)
    assert safe["customer_id"].tolist() == ["00123", "'=1+2"]
    assert safe["persona"].tolist() == ["'@SUM(A1)", "Loyal"]
    assert safe["next_action"].tolist() == ["'-call", "'+1 555"]
    assert safe["priority"].tolist() == [1, -2]  # numbers untouched
    write_export(export, tmp_path)
    csv = pd.read_csv(tmp_path / "segments.csv", dtype=str)
    assert csv["persona"].tolist() == ["'@SUM(A1)", "Loyal"]
    parquet = pd.read_parquet(tmp_path / "segments.parquet")
    assert parquet["customer_id"].tolist() == ["00123", "=1+2"]  # exact values kept for systems


def round_trip(url: str, table: str) -> None:
    import sqlalchemy

    from segkit_helpers.deploy.target import MARKER_TABLE, write_to_database
    from segkit_helpers.errors import InputError

    export = pd.DataFrame({"customer_id": ["00123", "007", "=1+2"], "segment": [1, 2, 2],
                           "persona": ["Active · buyers", "Lapsed", "Ünïcode"], "priority": [1, 3, 4],
                           "next_action": ["call", "mail", "web"]})
    theirs = f"{table}_crm"
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as conn:  # a table of the CRM's own, which segkit must not drop
            conn.execute(sqlalchemy.text(f'CREATE TABLE "{theirs}" (id INTEGER, note TEXT)'))
            conn.execute(sqlalchemy.text(f"INSERT INTO \"{theirs}\" VALUES (1, 'keep me')"))
        write_to_database(export.iloc[:1], url, table)  # an older assignment, replaced below
        shown = write_to_database(export, url, table)
        assert shown == sqlalchemy.make_url(url).render_as_string(hide_password=True)
        back = pd.read_sql_table(table, engine)
        pd.testing.assert_frame_equal(back, export, check_dtype=False)  # ids and values unchanged
        with pytest.raises(InputError, match="segkit did not create it"):
            write_to_database(export, url, theirs)
        assert pd.read_sql_table(theirs, engine)["note"].tolist() == ["keep me"]  # untouched, no staging left
        assert not sqlalchemy.inspect(engine).has_table(f"{theirs}__new")
        write_to_database(export, url, theirs, if_exists="replace")  # asked for: replaced, then segkit's
        assert len(pd.read_sql_table(theirs, engine)) == 3
        write_to_database(export.iloc[:2], url, theirs)
        marked = pd.read_sql_table(MARKER_TABLE, engine).set_index("table_name")["rows"]
        assert marked.to_dict() == {table: 3, theirs: 2}
    finally:
        with engine.begin() as conn:
            for name in (table, theirs, MARKER_TABLE):
                conn.execute(sqlalchemy.text(f'DROP TABLE IF EXISTS "{name}"'))
        engine.dispose()


def test_a_failed_write_rolls_back_to_the_previous_assignment(tmp_path):
    import sqlalchemy

    from segkit_helpers.deploy.target import write_to_database
    from segkit_helpers.errors import InputError

    url = f"sqlite:///{tmp_path / 'crm.db'}"
    good = pd.DataFrame({"customer_id": ["a", "b"], "segment": [1, 2]})
    write_to_database(good, url, "segments")
    broken = pd.DataFrame({"customer_id": ["c"], "segment": [object()]})  # a value no database can store
    with pytest.raises(InputError, match="cannot write the export"):
        write_to_database(broken, url, "segments")
    engine = sqlalchemy.create_engine(url)
    try:
        assert pd.read_sql_table("segments", engine)["customer_id"].tolist() == ["a", "b"]
        assert not sqlalchemy.inspect(engine).has_table("segments__new")
    finally:
        engine.dispose()


def test_export_round_trips_through_sqlite(tmp_path):
    round_trip(f"sqlite:///{tmp_path / 'crm.db'}", "segkit_segments")


def test_export_round_trips_through_postgresql(postgres_url):
    import uuid

    round_trip(postgres_url, f"segkit_segments_{uuid.uuid4().hex[:8]}")


# --- persona types (seed 004) ----------------------------------------------------------------


def type_profiles() -> tuple[pd.DataFrame, pd.DataFrame]:
    profiles = pd.DataFrame({"customers": [10, 10, 10, 10], "revenue": [5000.0, 1500.0, 1000.0, 500.0],
                             "median_orders_per_quarter": [4.0, 2.0, 0.5, 0.5],
                             "median_tenure_days": [700.0, 500.0, 90.0, 400.0]},
                            index=pd.Index([1, 2, 3, 4], name="segment"))
    profile = pd.DataFrame({"orders_per_quarter": [1.0, 2.0, 3.0, 0.5, 0.5, 1.5]})  # median 1.25
    return profiles, profile


def test_persona_types_by_rule(playbook):
    profiles, profile = type_profiles()
    personas = [{"segment": s, "name": f"p{s}"} for s in profiles.index]
    types = assign_persona_types(profiles, profile, personas, playbook)
    # revenue per customer overall = 8000 / 40 = 200; value ratios 2.5, 0.75, 0.5, 0.25
    assert types["value_ratio"].tolist() == [2.5, 0.75, 0.5, 0.25]
    # frequency ratios against the overall median 1.25: 3.2, 1.6, 0.4, 0.4
    assert types["frequency_ratio"].tolist() == [3.2, 1.6, 0.4, 0.4]
    # 1: value >= 1.5 and frequency >= 1.5 -> experienced; 2: frequency >= 1 -> speed-focused;
    # 3: tenure 90 <= 180 -> newcomer; 4: none holds -> cautious (the catch-all)
    assert types["persona_type"].tolist() == ["experienced", "speed_focused", "newcomer", "cautious"]
    assert types["type_label"].tolist() == ["Experienced buyer", "Speed-focused buyer", "Newcomer", "Cautious buyer"]
    assert types["assigned_by"].eq("rule").all()
    assert types.loc[4, "tactics"].startswith("Reassure")


def test_persona_type_override_and_errors(playbook):
    profiles, profile = type_profiles()
    personas = [{"segment": 1, "name": "p1", "persona_type": "cautious"}]
    types = assign_persona_types(profiles, profile, personas, playbook)
    assert types.loc[1, "persona_type"] == "cautious" and types.loc[1, "assigned_by"] == "personas.yml"
    with pytest.raises(ConfigError, match="persona_type 'vip'"):
        assign_persona_types(profiles, profile, [{"segment": 1, "name": "p1", "persona_type": "vip"}], playbook)
    broken = {**playbook, "persona_types": {"x": {"when": {"min_age": 3}}}}
    with pytest.raises(ConfigError, match="min_age"):
        assign_persona_types(profiles, profile, [], broken)


def test_export_carries_persona_type_and_tactics(playbook):
    profiles, profile = type_profiles()
    personas = [{"segment": s, "name": f"p{s}"} for s in profiles.index]
    types = assign_persona_types(profiles, profile, personas, playbook)
    segments = pd.DataFrame({"customer_id": ["a", "b"], "segment": [1, 4],
                             "value_loyalty_quadrant": ["profitable & loyal", "unprofitable & disloyal"]})
    service = assign_service_models(seg_profiles([10] * 4, [100.0, 50.0, 10.0, 1.0]), playbook)
    export = build_export(segments, service, personas, playbook, types)
    assert export.columns.tolist() == EXPORT_COLUMNS
    assert export["persona_type"].tolist() == ["Experienced buyer", "Cautious buyer"]
    assert service["service_model"].tolist() == ["key account", "inside sales", "mass / digital", "mass / digital"]
    # tactics only where a person makes the contact: segment 4 is served by mass / digital
    assert export["tactics"].iloc[0].startswith("Get to the bottom")
    assert export["tactics"].iloc[1] == ""
    # one tactic after another, each whole (a tactic may itself hold "; ")
    experienced = playbook["persona_types"]["experienced"]["tactics"]
    assert export["tactics"].iloc[0].split(" • ") == experienced
    assert persona_type_table(types, personas).loc[1, "tactics"] == "• " + " • ".join(experienced)


def test_tactics_follow_the_service_model_of_personal_contact(playbook):
    profiles, profile = type_profiles()
    personas = [{"segment": s, "name": f"p{s}"} for s in profiles.index]
    types = assign_persona_types(profiles, profile, personas, playbook)
    personal = {**playbook, "service_models": [{**m, "personal": True} for m in playbook["service_models"]]}
    segments = pd.DataFrame({"customer_id": ["b"], "segment": [4], "value_loyalty_quadrant": ["unprofitable & disloyal"]})
    service = assign_service_models(seg_profiles([10] * 4, [100.0, 50.0, 10.0, 1.0]), personal)
    assert build_export(segments, service, personas, personal, types)["tactics"].iloc[0].startswith("Reassure")


def test_a_playbook_personal_flag_must_be_true_or_false(tmp_path, playbook):
    text = (RESOURCES_DIR / "playbook.yml").read_text(encoding="utf-8").replace("personal: false", "personal: maybe")
    (tmp_path / "p.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="mass / digital.*personal: 'maybe'; write true or false"):
        load_playbook(tmp_path / "p.yml")


# --- customers who arrived after asof --------------------------------------------------------


def test_new_customers_are_those_first_buying_after_asof(shop, tmp_path):
    from segkit_helpers.io.config import load_config
    from tests.conftest import make_transactions, write_cycle_config

    cfg = load_config(write_cycle_config(tmp_path, shop["data"], "early", "2023-06-30"))
    arrived = new_customers(cfg)
    # by hand from the raw lines: customers whose first regular (non-"C") invoice is after 30 June 2023
    lines = make_transactions().dropna(subset=["CustomerID"])
    regular = lines[~lines["InvoiceNo"].str.startswith("C")]
    first = regular.groupby("CustomerID")["InvoiceDate"].min()
    expected = {str(c) for c in first[first > pd.Timestamp("2023-06-30 23:59:59")].index}
    assert len(expected) > 20 and set(arrived["customer_id"]) == expected
    assert (arrived["first_order"] > pd.Timestamp("2023-06-30")).all()


def test_only_the_arrivals_are_profiled_and_their_metrics_match_the_full_profile(shop, tmp_path):
    from segkit_helpers.io.config import load_config
    from segkit_helpers.research.metrics import PERSONA_COLUMNS, RFM_COLUMNS
    from tests.conftest import write_cycle_config

    cfg = load_config(write_cycle_config(tmp_path, shop["data"], "early", "2023-06-30"))
    columns = RFM_COLUMNS + PERSONA_COLUMNS
    own = new_customers(cfg, columns)
    full = new_customers(cfg)
    assert "r_score" in full and "r_score" not in own  # the population's scores were not computed
    pd.testing.assert_frame_equal(own[columns], full[columns])
    # a column the arrivals' own lines cannot give falls back to the full profile
    pd.testing.assert_frame_equal(new_customers(cfg, ["customer_id", "r_score"]), full)


def test_score_new_customers_with_the_cycle_model(shop, tmp_path, playbook):
    from segkit_helpers.io.config import load_config
    from segkit_helpers.research.profile import profile_from_config
    from segkit_helpers.schemes.behavioural import SegmentModel
    from tests.conftest import write_cycle_config

    path = write_cycle_config(tmp_path, shop["data"], "early", "2023-06-30")
    profile, _ = profile_from_config(path, {"clv.enabled": False})
    model = SegmentModel(n_segments=3, random_state=0).fit(profile)
    personas = [{"segment": s, "name": f"persona {s}"} for s in (1, 2, 3)]
    arrivals = score_new_customers(model, load_config(path), personas)
    scored = arrivals.scored
    assert arrivals.arrived == len(scored)
    assert len(scored) > 20 and set(scored["segment"]) <= {1, 2, 3}
    assert scored.filter(like="prob_").sum(axis=1).round(4).eq(1).all()
    summary = new_customer_summary(scored)
    assert summary["new customers"].sum() == len(scored)
    assert summary["persona"].str.startswith("persona").all()
    # a cycle as of the last day of the data has nobody to score
    late = load_config(shop["configs"][1])
    none = score_new_customers(model, late, personas)
    assert none.scored.empty and none.arrived == 0
    # the page shows the tables only when someone arrived (no empty tables under "nobody arrived")
    from segkit_helpers.steps import deploy as step

    assert step.arrivals_by_segment(none) is None and step.first_arrivals(none) is None
    assert step.arrivals_by_segment(arrivals).frame.equals(summary.reset_index())
    assert len(step.first_arrivals(arrivals, 5).frame) == 5


def test_persona_types_from_survey_answers(playbook):
    from segkit_helpers.datasets.survey import PERSONAS, QUESTIONS, make_survey
    from segkit_helpers.schemes.needs import NeedsModel

    survey, labels = make_survey(600, seed=3)
    model = NeedsModel(4, 0, list(QUESTIONS)).fit(survey)
    found = pd.Series(model.predict(survey)).groupby(labels).agg(lambda s: s.mode().iloc[0])  # persona -> segment
    profiles, profile = type_profiles()  # behavioural figures that alone would say: experienced, speed, newcomer, cautious
    profiles = profiles.set_axis(found.loc[[3, 0, 1, 2]].to_numpy(), axis=0)  # ... on segments of other personas
    types = assign_persona_types(profiles, profile, [], playbook, model)
    # the planted survey personas win over the behavioural rule: each segment gets its own persona's type
    planted = dict(zip(found.to_numpy(), ["experienced", "speed_focused", "newcomer", "cautious"]))
    assert types["persona_type"].to_dict() == planted
    assert types["assigned_by"].eq("survey answers").all()
    assert list(PERSONAS) == ["experienced", "speed-focused", "newcomer", "cautious"]
