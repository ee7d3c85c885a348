"""Step 05: service models, playbook actions and the CRM export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from segkit_helpers.artefacts import write_csv, write_parquet
from segkit_helpers.config import RESOURCES_DIR
from segkit_helpers.errors import ConfigError
from segkit_helpers.features import QUADRANTS

EXPORT_COLUMNS = ["customer_id", "segment", "persona", "value_loyalty_quadrant",
                  "service_model", "channel", "cadence", "next_action", "priority"]


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


def build_export(segments: pd.DataFrame, service: pd.DataFrame, personas: list[dict], playbook: dict) -> pd.DataFrame:
    """The CRM assignment table: one row per customer with segment, persona, quadrant,
    service model, next action and priority (1 = highest; from the quadrant)."""
    out = segments[["customer_id", "segment", "value_loyalty_quadrant"]].copy()
    out["persona"] = out["segment"].map({p["segment"]: p["name"] for p in personas})
    out = out.join(service[["service_model", "channel", "cadence"]], on="segment")
    quadrants = quadrant_table(playbook)
    out["next_action"] = out["value_loyalty_quadrant"].map(quadrants["next_action"])
    out["priority"] = out["value_loyalty_quadrant"].map(quadrants["priority"]).astype("int64")
    return out[EXPORT_COLUMNS].sort_values(["priority", "segment", "customer_id"], ignore_index=True)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe.

    Cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return are the
    CSV-injection vectors listed by OWASP ("CSV Injection"); the apostrophe makes
    Excel, LibreOffice and Google Sheets show them as text. Numbers are untouched.
    """
    out = table.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            text = out[column]
            risky = text.astype("string").str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
            out[column] = text.where(~risky, "'" + text.astype("string"))
    return out


def write_export(export: pd.DataFrame, folder: str | Path) -> list[Path]:
    """Write ``segments.csv`` (formulas neutralised, for spreadsheets) and ``segments.parquet`` (exact values)."""
    folder = Path(folder)
    return [write_csv(neutralise_formulas(export), folder / "segments.csv"),
            write_parquet(export, folder / "segments.parquet")]


def export_summary(export: pd.DataFrame) -> pd.DataFrame:
    """Customers per service model and profitability × loyalty quadrant in the export."""
    return export.pivot_table(index="service_model", columns="value_loyalty_quadrant", values="customer_id",
                              aggfunc="size", fill_value=0)


def write_to_database(export: pd.DataFrame, url: str, table: str = "segkit_segments") -> str:
    """Write the CRM export to a database table through SQLAlchemy, replacing it atomically.

    The rows go to ``<table>__new`` first; then, in one transaction, the old table
    is dropped and the new one renamed, so readers see either the old or the new
    assignment, never half of one. Values are written as they are (ids as text).

    Returns
    -------
    str
        A one-line summary (URL without password).
    """
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    staging = f"{table}__new"
    try:
        export.to_sql(staging, engine, if_exists="replace", index=False,
                      dtype={"customer_id": sqlalchemy.types.Text()})
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f'DROP TABLE IF EXISTS "{table}"'))
            conn.execute(sqlalchemy.text(f'ALTER TABLE "{staging}" RENAME TO "{table}"'))
    except sqlalchemy.exc.SQLAlchemyError as exc:
        from segkit_helpers.errors import InputError

        safe = sqlalchemy.make_url(url).render_as_string(hide_password=True)
        raise InputError(f"cannot write the export to {safe}, table '{table}': {str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()
    return f"wrote {len(export):,} rows to table '{table}' at {sqlalchemy.make_url(url).render_as_string(hide_password=True)}"


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


def save_deploy(ctx, export: pd.DataFrame, service: pd.DataFrame) -> None:
    """Write the CRM export (``export/segments.csv`` and ``.parquet``, and the database table of
    ``deploy.target`` when set) and ``service_models.csv``."""
    write_export(export, ctx.artefact("export"))
    write_csv(service.reset_index(), ctx.artefact("service_models.csv"))
    target = ctx.cfg["deploy"]["target"]
    if target["url"]:
        print(write_to_database(export, target["url"], target["table"]))
    print(f"wrote export/segments.csv and export/segments.parquet ({len(export):,} customers) to data/processed/{ctx.cycle}/")
