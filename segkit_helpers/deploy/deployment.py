"""Step 05: service models, playbook actions and the CRM export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from segkit_helpers.io.artefacts import write_csv, write_parquet
from segkit_helpers.io.paths import RESOURCES_DIR
from segkit_helpers.errors import ConfigError
from segkit_helpers.research.scores import QUADRANTS

EXPORT_COLUMNS = ["customer_id", "segment", "persona", "persona_type", "value_loyalty_quadrant",
                  "service_model", "channel", "cadence", "next_action", "tactics", "priority"]


def load_playbook(path: str | Path | None = None) -> dict:
    """Read a playbook (default: the shipped one) and check it covers every quadrant.

    A service model's ``min_profit_ratio`` may be empty/NaN for the catch-all last model.
    """
    path = Path(path) if path else RESOURCES_DIR / "playbook.yml"
    try:
        playbook = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read playbook {path}: {exc}") from None
    missing = [q for q in QUADRANTS.values() if q not in playbook.get("quadrants", {})]
    if missing:
        raise ConfigError(f"playbook {path}: no entry for quadrant '{missing[0]}'")
    if not playbook.get("service_models"):
        raise ConfigError(f"playbook {path}: 'service_models' is empty")
    return playbook


def quadrant_table(playbook: dict) -> pd.DataFrame:
    """The playbook's per-quadrant goal, next action and priority as a table."""
    return pd.DataFrame.from_dict(playbook["quadrants"], orient="index").rename_axis("quadrant")


def assign_service_models(profiles: pd.DataFrame, playbook: dict) -> pd.DataFrame:
    """Pick each segment's service model by its profit per customer against the overall mean.

    ``profit_ratio`` = (segment profit / segment customers) / (total profit / all
    customers). The first service model whose ``min_profit_ratio`` the segment
    reaches is chosen; a model without a ratio takes every segment left. When the
    overall profit per customer is not positive the ratio is undefined (NaN) and
    every segment takes the catch-all model (the first without a ratio, else the last).

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``profit_ratio``, ``service_model``, ``channel``, ``cadence``
        and ``service_cost`` (the model's ``cost_per_customer`` in the playbook, 0 if unset).
    """
    overall = profiles["profit"].sum() / profiles["customers"].sum()
    ratio = (profiles["profit"] / profiles["customers"]) / overall if overall > 0 else profiles["profit"] * np.nan
    chosen = []
    for r in ratio:
        for model in playbook["service_models"]:
            bar = model.get("min_profit_ratio")
            if bar is None or (isinstance(bar, float) and np.isnan(bar)) or (not np.isnan(r) and r >= bar):
                chosen.append(model)
                break
        else:
            chosen.append(playbook["service_models"][-1])
    return pd.DataFrame(
        {
            "profit_ratio": ratio.round(3),
            "service_model": [m["name"] for m in chosen],
            "channel": [m.get("channel", "") for m in chosen],
            "cadence": [m.get("cadence", "") for m in chosen],
            "service_cost": [float(m.get("cost_per_customer", 0.0)) for m in chosen],
        },
        index=profiles.index,
    )


CONDITIONS = {
    "min_value_ratio": ("value_ratio", np.greater_equal),
    "min_frequency_ratio": ("frequency_ratio", np.greater_equal),
    "max_tenure_days": ("tenure_days", np.less_equal),
}


def persona_type_figures(profiles: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """Per segment the figures persona-type rules read, relative to all customers.

    ``value_ratio`` = revenue per customer of the segment / revenue per customer
    overall; ``frequency_ratio`` = the segment's median orders per quarter / the
    median over all customers; ``tenure_days`` = the segment's median tenure.
    """
    overall_value = profiles["revenue"].sum() / profiles["customers"].sum()
    overall_frequency = profile["orders_per_quarter"].median()
    return pd.DataFrame({
        "value_ratio": (profiles["revenue"] / profiles["customers"] / overall_value).round(3),
        "frequency_ratio": (profiles["median_orders_per_quarter"] / overall_frequency).round(3),
        "tenure_days": profiles["median_tenure_days"],
    }, index=profiles.index)


AGREE = 3.5  # an expected answer at or above this (1-5 scale) counts as agreeing


def assign_persona_types(profiles: pd.DataFrame, profile: pd.DataFrame, personas: list[dict],
                         playbook: dict, model=None) -> pd.DataFrame:
    """The seed-004 persona type of each segment, with its tactics (playbook ``persona_types``).

    A segment takes the first type whose ``when`` conditions (see
    :data:`CONDITIONS` and :func:`persona_type_figures`) all hold; a type without
    conditions takes every segment left. With a needs-scheme ``model`` (it has
    ``expected_answers_``), a type's ``agrees`` list is checked first: every listed
    question's expected answer in the segment is at least :data:`AGREE`.
    ``persona_type`` set on a persona in ``personas.yml`` overrules both
    (``assigned_by`` says which rule applied).

    Returns
    -------
    pandas.DataFrame
        One row per segment: the figures, ``persona_type`` (key), ``type_label``,
        ``assigned_by`` and ``tactics`` (one string, "; "-separated).
    """
    types = playbook.get("persona_types") or {}
    if not types:
        raise ConfigError("playbook: 'persona_types' is empty; add the persona types and their tactics")
    figures = persona_type_figures(profiles, profile)
    answers = getattr(model, "expected_answers_", None)
    chosen, source = [], []
    overrides = {p["segment"]: p.get("persona_type") for p in personas}
    for seg, row in figures.iterrows():
        key = overrides.get(seg)
        if key is not None and key not in types:
            raise ConfigError(f"personas.yml: segment {seg} has persona_type '{key}'; the playbook knows "
                              f"{', '.join(types)}")
        how = "personas.yml"
        if key is None and answers is not None and seg in answers.index:
            key = next((k for k, t in types.items() if t.get("agrees")
                        and all(answers.loc[seg].get(q, 0) >= AGREE for q in t["agrees"])), None)
            how = "survey answers"
        if key is None:
            key = next((k for k, t in types.items() if _conditions_hold(t.get("when") or {}, row)), list(types)[-1])
            how = "rule"
        chosen.append(key)
        source.append(how)
    out = figures.assign(persona_type=chosen, assigned_by=source)
    out["type_label"] = [types[k].get("label", k) for k in chosen]
    out["tactics"] = ["; ".join(types[k].get("tactics", [])) for k in chosen]
    return out


def _conditions_hold(when: dict, figures: pd.Series) -> bool:
    for key, bound in when.items():
        if key not in CONDITIONS:
            raise ConfigError(f"playbook: unknown persona-type condition '{key}' (known: {', '.join(CONDITIONS)})")
        column, compare = CONDITIONS[key]
        if not compare(figures[column], bound):
            return False
    return True


def persona_type_table(types: pd.DataFrame, personas: list[dict]) -> pd.DataFrame:
    """Persona types for the report: segment, persona, type, why, and the tactics as a bulleted line."""
    names = {p["segment"]: p["name"] for p in personas}
    table = types.assign(persona=types.index.map(names))
    table["tactics"] = "• " + table["tactics"].str.replace("; ", " • ")
    return table[["persona", "type_label", "assigned_by", "value_ratio", "frequency_ratio", "tenure_days", "tactics"]]


def build_export(segments: pd.DataFrame, service: pd.DataFrame, personas: list[dict], playbook: dict,
                 types: pd.DataFrame | None = None) -> pd.DataFrame:
    """The CRM assignment table: one row per customer with segment, persona, persona type and
    tactics, quadrant, service model, next action and priority (1 = highest; from the quadrant)."""
    out = segments[["customer_id", "segment", "value_loyalty_quadrant"]].copy()
    out["persona"] = out["segment"].map({p["segment"]: p["name"] for p in personas})
    if types is None:
        types = pd.DataFrame({"type_label": pd.Series(dtype=str), "tactics": pd.Series(dtype=str)})
    out = out.join(types[["type_label", "tactics"]].rename(columns={"type_label": "persona_type"}), on="segment")
    out = out.join(service[["service_model", "channel", "cadence"]], on="segment")
    quadrants = quadrant_table(playbook)
    out["next_action"] = out["value_loyalty_quadrant"].map(quadrants["next_action"])
    out["priority"] = out["value_loyalty_quadrant"].map(quadrants["priority"]).astype("int64")
    return out[EXPORT_COLUMNS].sort_values(["priority", "segment", "customer_id"], ignore_index=True)


def write_export(export: pd.DataFrame, folder: str | Path) -> list[Path]:
    """Write ``segments.csv`` (formulas neutralised, for spreadsheets) and ``segments.parquet`` (exact values)."""
    folder = Path(folder)
    return [write_csv(export, folder / "segments.csv"),
            write_parquet(export, folder / "segments.parquet")]


def export_summary(export: pd.DataFrame) -> pd.DataFrame:
    """Customers per service model and profitability × loyalty quadrant in the export."""
    return export.pivot_table(index="service_model", columns="value_loyalty_quadrant", values="customer_id",
                              aggfunc="size", fill_value=0)


#: The table in the target database where segkit records the tables it created (the marker).
MARKER_TABLE = "segkit_managed_tables"


def _transactional(engine) -> None:
    """Make SQLite run DDL inside the transaction too (SQLAlchemy's recipe for pysqlite), so that the
    drop, rename and marker of :func:`write_to_database` commit or roll back together."""
    import sqlalchemy

    if engine.dialect.name != "sqlite":
        return

    @sqlalchemy.event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, record):
        dbapi_connection.isolation_level = None

    @sqlalchemy.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


def write_to_database(export: pd.DataFrame, url: str, table: str = "segkit_segments", if_exists: str = "fail") -> str:
    """Write the CRM export to a database table through SQLAlchemy, in one transaction.

    The rows go to ``<table>__new``, the old table is dropped and the new one renamed,
    and the table is recorded in :data:`MARKER_TABLE`, all in one transaction, so
    readers see either the old or the new assignment, never half of one. A table of
    that name which segkit did not create (no row in the marker table) is left alone
    and the write refused, unless ``if_exists`` is ``"replace"`` (``deploy.target.if_exists``).
    Values are written as they are (ids as text).

    Returns
    -------
    str
        A one-line summary (URL without password).

    Raises
    ------
    InputError
        The table exists and segkit did not create it; or the database refused the write.
    """
    import sqlalchemy

    from segkit_helpers.errors import InputError

    safe = sqlalchemy.make_url(url).render_as_string(hide_password=True)
    engine = sqlalchemy.create_engine(url)
    _transactional(engine)
    marker = sqlalchemy.Table(MARKER_TABLE, sqlalchemy.MetaData(),
                              sqlalchemy.Column("table_name", sqlalchemy.Text, primary_key=True),
                              sqlalchemy.Column("written_at", sqlalchemy.Text), sqlalchemy.Column("rows", sqlalchemy.Integer))
    staging = f"{table}__new"
    try:
        with engine.begin() as conn:
            marker.create(conn, checkfirst=True)
            exists = sqlalchemy.inspect(conn).has_table(table)
            ours = conn.execute(sqlalchemy.select(marker.c.table_name).where(marker.c.table_name == table)).first()
            if exists and not ours and if_exists != "replace":
                raise InputError(f"table '{table}' already exists at {safe} and segkit did not create it: it is left "
                                 "as it is. Name another table in deploy.target.table, or set "
                                 "deploy.target.if_exists: replace to overwrite it")
            export.to_sql(staging, conn, if_exists="fail", index=False, dtype={"customer_id": sqlalchemy.types.Text()})
            quote = conn.dialect.identifier_preparer.quote
            if exists:
                conn.execute(sqlalchemy.text(f"DROP TABLE {quote(table)}"))
            conn.execute(sqlalchemy.text(f"ALTER TABLE {quote(staging)} RENAME TO {quote(table)}"))
            conn.execute(marker.delete().where(marker.c.table_name == table))
            conn.execute(marker.insert().values(table_name=table, rows=len(export),
                                                written_at=pd.Timestamp.now("UTC").isoformat(timespec="seconds")))
    except (sqlalchemy.exc.SQLAlchemyError, pd.errors.DatabaseError, ValueError) as exc:
        raise InputError(f"cannot write the export to {safe}, table '{table}': {str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()
    return f"wrote {len(export):,} rows to table '{table}' at {safe}"


def resources_vs_value(profiles: pd.DataFrame, service: pd.DataFrame) -> pd.DataFrame:
    """Resources against value per segment (seed 000): what its service model costs against what it returns.

    ``value_per_customer`` = realised profit per customer + expected CLV per customer
    (when the profile has CLV); ``cost_exceeds_value`` flags segments whose service
    model costs more per customer than that value.
    """
    table = profiles[["customers", "revenue_share"]].copy()
    table["profit_per_customer"] = (profiles["profit"] / profiles["customers"]).round(2)
    table = table.join(service[["service_model", "profit_ratio"]])
    if "service_cost" in service:
        clv = profiles["clv"] / profiles["customers"] if "clv" in profiles else 0.0
        table["value_per_customer"] = (table["profit_per_customer"] + clv).round(2)
        table["service_cost"] = service["service_cost"]
        table["cost_exceeds_value"] = table["service_cost"] > table["value_per_customer"]
    return table


def save_deploy(ctx, export: pd.DataFrame, service: pd.DataFrame, types: pd.DataFrame | None = None,
                new_scores: pd.DataFrame | None = None) -> None:
    """Write the CRM export (``export/segments.csv`` and ``.parquet``, and the database table of
    ``deploy.target`` when set), ``service_models.csv``, ``persona_types.csv`` and the scores of
    customers who arrived after asof (``export/new_customers.csv`` and ``.parquet``)."""
    write_export(export, ctx.artefact("export"))
    write_csv(service.reset_index(), ctx.artefact("service_models.csv"))
    if types is not None:
        write_csv(types.reset_index(), ctx.artefact("persona_types.csv"))
    if new_scores is not None and not new_scores.empty:
        write_csv(new_scores, ctx.artefact("export") / "new_customers.csv")
        write_parquet(new_scores, ctx.artefact("export") / "new_customers.parquet")
    target = ctx.cfg["deploy"]["target"]
    if target["url"]:
        print(write_to_database(export, target["url"], target["table"], target["if_exists"]))
    print(f"wrote export/segments.csv and export/segments.parquet ({len(export):,} customers) to data/processed/{ctx.cycle}/")


def new_customers(cfg: dict) -> pd.DataFrame:
    """Profile of the customers whose first order came after ``asof`` (step 05 scores them).

    The research step is re-run on every line of the source, as of its last day, with
    the same cleaning and value settings but without the CLV fit (the segment models
    do not use it); only customers whose ``first_order`` is after the cycle's
    ``asof`` are kept. Empty when the cycle is as of the source's last day.
    """
    import copy

    from segkit_helpers.research.cleaning import clean_transactions
    from segkit_helpers.research.lines import load_transactions, sample_period
    from segkit_helpers.research.profile import build_profile

    later = copy.deepcopy(cfg)
    lines = load_transactions(later)
    later["asof"] = sample_period(lines)[1]
    later["clv"]["enabled"] = False
    if later["asof"] <= cfg["asof"]:
        return pd.DataFrame(columns=["customer_id", "first_order"])
    cleaned, _ = clean_transactions(lines, later)
    profile = build_profile(cleaned, later)
    arrived = profile[profile["first_order"] > pd.Timestamp(cfg["asof"])]
    return arrived.reset_index(drop=True)


def score_new_customers(model, cfg: dict, personas: list[dict]) -> pd.DataFrame:
    """Assign the customers who arrived after ``asof`` with the cycle's saved model.

    Returns
    -------
    pandas.DataFrame
        As :func:`segkit_helpers.schemes.behavioural.score_customers` (segment, persona
        name, membership probabilities) plus ``first_order``; empty when nobody
        arrived after ``asof``.
    """
    from segkit_helpers.schemes.common import scheme_data
    from segkit_helpers.schemes.behavioural import score_customers

    arrived = new_customers(cfg)
    if arrived.empty:
        print(f"No customer arrived after {cfg['asof']}: the cycle is as of the last day of the data.")
        return pd.DataFrame(columns=["customer_id", "segment", "segment_name", "first_order"])
    data = scheme_data(arrived, cfg)
    scored = score_customers(model, data, personas, cfg["segmentation"]["hybrid_threshold"],
                             table="customers arriving after asof")
    scored.insert(3, "first_order", data["first_order"].dt.date.to_numpy())
    print(f"{len(arrived):,} customers arrived after {cfg['asof']}; {len(scored):,} scored with the cycle's model.")
    return scored


def new_customer_summary(scored: pd.DataFrame) -> pd.DataFrame:
    """New customers per segment: count and share."""
    if scored.empty:
        return pd.DataFrame(columns=["segment", "persona", "new customers", "share"]).set_index("segment")
    table = scored.groupby(["segment", "segment_name"]).size().rename("new customers").reset_index(level=1)
    table["share"] = (table["new customers"] / table["new customers"].sum()).round(3)
    return table.rename(columns={"segment_name": "persona"})
