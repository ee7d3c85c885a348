"""The one next action of a customer: the quadrant, the service model and the persona type, resolved by one rule.

Three parts of the playbook speak about the same customer: the profitability × loyalty
**quadrant** (what for: keep, win back loyalty, make profitable, move on), the segment's
**service model** (who serves and how often: key account, inside sales, mass / digital) and
the segment's **persona type** (how to talk to them: seed 004's tactics). Read side by side
they can contradict each other — a "profitable & loyal" customer of an inside-sales segment
was told "personal account manager, monthly meeting" by the quadrant and "phone, quarterly
call" by the service model. The rule, written once here and in the playbook's header:

1. **Who and how often** come from the service model alone (its ``channel`` and
   ``cadence``); a quadrant's ``next_action`` says what to do, never through whom.
2. **What to do** comes from the customer's quadrant (``goal`` and ``next_action``).
3. **How to talk** — the persona type's tactics — applies only where the service model has
   personal contact (``personal: true``, the default); a model without it (mass / digital:
   automated campaigns) carries no individual tactics.

So every customer has one action: "<quadrant action> — <channel>, <cadence>", with the
tactics beside it where a person makes the contact.
"""

from __future__ import annotations

import pandas as pd


def is_personal(service_model: dict) -> bool:
    """Whether a playbook service model has personal contact (``personal``, default true)."""
    return bool(service_model.get("personal", True))


def personal_models(playbook: dict) -> dict[str, bool]:
    """Service-model name → whether it has personal contact (:func:`is_personal`)."""
    return {model["name"]: is_personal(model) for model in playbook["service_models"]}


def one_action(action: str, channel: str, cadence: str) -> str:
    """The one next action: the quadrant's action, then who (``channel``) and how often (``cadence``).

    >>> one_action("Thank them; first access to new products.", "phone and e-mail", "quarterly call")
    'Thank them; first access to new products. — phone and e-mail, quarterly call'
    """
    how = ", ".join(part for part in (channel, cadence) if part)
    return f"{action} — {how}" if how else action


def resolve_actions(customers: pd.DataFrame, playbook: dict) -> pd.DataFrame:
    """``next_action`` and ``tactics`` of each row by the module's rule.

    Parameters
    ----------
    customers
        Rows with ``value_loyalty_quadrant``, ``service_model``, ``channel``, ``cadence`` and
        ``tactics`` (the persona type's, or missing).

    Returns
    -------
    pandas.DataFrame
        ``customers`` with ``next_action`` set and ``tactics`` emptied where the service model
        has no personal contact.
    """
    quadrant_actions = {q: entry["next_action"] for q, entry in playbook["quadrants"].items()}
    personal = customers["service_model"].map(personal_models(playbook)).fillna(True).astype(bool)
    actions = [one_action(quadrant_actions[q], channel, cadence) for q, channel, cadence in
               zip(customers["value_loyalty_quadrant"], customers["channel"], customers["cadence"])]
    return customers.assign(next_action=actions, tactics=customers["tactics"].where(personal, ""))


def segment_actions(main_quadrants: pd.Series, service: pd.DataFrame, persona_types: pd.Series | None,
                    playbook: dict) -> pd.DataFrame:
    """Each segment's one next action, for its main quadrant (the index's decision summary).

    Parameters
    ----------
    main_quadrants
        The most frequent quadrant of each segment (index: segment).
    service
        :func:`segkit_helpers.deploy.deployment.assign_service_models`' table.
    persona_types
        Each segment's persona type key (``persona_type`` of
        :func:`segkit_helpers.deploy.deployment.assign_persona_types`), or ``None``; its
        tactics, as sentences, come from the playbook.
    """
    table = service[["service_model", "channel", "cadence"]].assign(value_loyalty_quadrant=main_quadrants)
    types = playbook.get("persona_types") or {}
    table["tactics"] = "" if persona_types is None else persona_types.map(
        lambda key: " ".join(types.get(key, {}).get("tactics", [])))
    table["goal"] = table["value_loyalty_quadrant"].map({q: e.get("goal", "") for q, e in playbook["quadrants"].items()})
    return resolve_actions(table.fillna({"tactics": ""}), playbook)
