"""Step 05: playbook, persona types, service models, resources against value and the CRM export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from segkit_helpers.deploy.actions import resolve_actions
from segkit_helpers.io.artefacts import write_csv, write_parquet
from segkit_helpers.io.paths import RESOURCES_DIR
from segkit_helpers.errors import ConfigError
from segkit_helpers.report.i18n import translate_texts
from segkit_helpers.research.scores import QUADRANTS

EXPORT_COLUMNS = ["customer_id", "segment", "persona", "persona_type", "value_loyalty_quadrant",
                  "service_model", "channel", "cadence", "next_action", "tactics", "priority"]


def load_playbook(path: str | Path | None = None) -> dict:
    """Read a playbook (default: the shipped one) and check it covers every quadrant.

    A service model's ``min_profit_ratio`` may be empty/NaN for the catch-all last model.
    Its texts (goals, actions, service-model names, channels, cadences, persona-type labels,
    descriptions and tactics) are given in the report's language where the catalogs translate
    them (the shipped playbook's are; :func:`segkit_helpers.report.i18n.translate_texts`); quadrant
    names and persona-type keys are identifiers and stay as written.
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
    for model in playbook["service_models"]:
        if not isinstance(model.get("personal", True), bool):
            raise ConfigError(f"playbook {path}: service model '{model.get('name')}' has personal: "
                              f"{model['personal']!r}; write true or false")
    playbook = translate_texts(playbook)
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


#: How a persona type's tactics are joined in one cell (persona_types.csv, the CRM export); a tactic may hold "; ".
TACTICS_SEPARATOR = " • "

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
        ``assigned_by`` and ``tactics`` (one string, the tactics joined by :data:`TACTICS_SEPARATOR`).
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
    out["tactics"] = [TACTICS_SEPARATOR.join(types[k].get("tactics", [])) for k in chosen]
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
    table["tactics"] = "• " + table["tactics"]
    return table[["persona", "type_label", "assigned_by", "value_ratio", "frequency_ratio", "tenure_days", "tactics"]]


def build_export(segments: pd.DataFrame, service: pd.DataFrame, personas: list[dict], playbook: dict,
                 types: pd.DataFrame | None = None) -> pd.DataFrame:
    """The CRM assignment table: one row per customer with segment, persona, persona type and
    tactics, quadrant, service model, the one next action and priority (1 = highest; from the quadrant).

    The next action and the tactics follow the one rule of :mod:`segkit_helpers.deploy.actions`:
    the service model says who and how often, the quadrant what to do, the persona type how to
    talk (only where the service model has personal contact).
    """
    out = segments[["customer_id", "segment", "value_loyalty_quadrant"]].copy()
    out["persona"] = out["segment"].map({p["segment"]: p["name"] for p in personas})
    if types is None:
        types = pd.DataFrame({"type_label": pd.Series(dtype=str), "tactics": pd.Series(dtype=str)})
    out = out.join(types[["type_label", "tactics"]].rename(columns={"type_label": "persona_type"}), on="segment")
    out = out.join(service[["service_model", "channel", "cadence"]], on="segment")
    out = resolve_actions(out, playbook)
    out["priority"] = out["value_loyalty_quadrant"].map(quadrant_table(playbook)["priority"]).astype("int64")
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
