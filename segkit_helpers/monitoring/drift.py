"""Cycle-over-cycle monitoring: matching segment ids, migration matrix, size changes, alerts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import linear_sum_assignment

from segkit_helpers.io.config import processed_dir

NEW, LOST = "new customer", "lost customer"
#: The artefact of step 02 with each customer's values of the scheme's own features.
SCHEME_FEATURES = "scheme_features.parquet"


def load_previous(workdir: Path, previous_cycle: str | None) -> dict | None:
    """The previous cycle's ``segments.parquet`` and ``profiles.csv``, or ``None`` for a first cycle.

    Raises
    ------
    FileNotFoundError
        ``previous_cycle`` is set but its artefacts are not in ``data/processed``.
    """
    if not previous_cycle:
        return None
    folder = processed_dir(workdir, previous_cycle)
    needed = [folder / "segments.parquet", folder / "profiles.csv"]
    missing = [p for p in needed if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            f"previous cycle '{previous_cycle}' has no {missing[0].name} in {folder}. "
            "Run that cycle first (same --workdir) or remove 'previous_cycle' from the config."
        )
    personas = folder / "personas.yml"
    config = folder / "config.yml"
    asof = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("asof") if config.is_file() else None
    profile = folder / "customers.parquet"
    features = folder / SCHEME_FEATURES
    return {
        "cycle": previous_cycle,
        "asof": pd.Timestamp(asof) if asof else None,
        "profile": pd.read_parquet(profile) if profile.is_file() else None,
        "scheme_features": pd.read_parquet(features) if features.is_file() else None,
        "segments": pd.read_parquet(needed[0]),
        "profiles": pd.read_csv(needed[1], index_col="segment"),
        "personas": (yaml.safe_load(personas.read_text(encoding="utf-8")) or {}).get("personas", [])
        if personas.is_file() else [],
    }


def match_segments(current: pd.DataFrame, previous: pd.DataFrame, max_distance: float = 1.0) -> dict[int, int]:
    """Map current segment ids to the previous cycle's ids by nearest centres.

    Centres are in ``log1p`` feature units, comparable across cycles. The pairing
    minimises the total Euclidean distance (Hungarian algorithm,
    :func:`scipy.optimize.linear_sum_assignment`; Kuhn 1955). A pair further apart
    than ``max_distance`` is not the same segment; unpaired current segments get
    new ids after the largest id ever used.

    Parameters
    ----------
    current, previous
        Centres, one row per segment id, the same feature columns.

    Returns
    -------
    dict
        ``{current id: id to use}``.
    """
    cost = np.linalg.norm(current.to_numpy()[:, None, :] - previous.to_numpy()[None, :, :], axis=2)
    rows, cols = linear_sum_assignment(cost)
    mapping = {}
    for r, c in zip(rows, cols):
        if cost[r, c] <= max_distance:
            mapping[int(current.index[r])] = int(previous.index[c])
    next_id = int(max(previous.index.max(), current.index.max())) + 1
    for seg in current.index:
        if int(seg) not in mapping:
            mapping[int(seg)] = next_id
            next_id += 1
    return mapping


def previous_centers(previous: dict | None) -> pd.DataFrame | None:
    """Centres of the previous cycle's segments (from its ``profiles.csv``), log1p units."""
    if previous is None:
        return None
    centers = previous["profiles"].filter(like="center_")
    return centers.rename(columns=lambda c: c.removeprefix("center_"))


def migration_matrix(previous: dict | None, current: pd.DataFrame) -> pd.DataFrame | None:
    """Customers moving between segments from the previous cycle to this one (``None`` in a first cycle).

    Rows are the previous segment (plus ``new customer`` for customers not in the
    previous cycle), columns the current segment (plus ``lost customer`` for those
    no longer segmented). Cells count customers.
    """
    if previous is None:
        return None
    merged = previous["segments"][["customer_id", "segment"]].merge(
        current[["customer_id", "segment"]], on="customer_id", how="outer", suffixes=("_previous", "_current")
    )
    before = merged["segment_previous"].astype("Int64").astype("string").fillna(NEW)
    after = merged["segment_current"].astype("Int64").astype("string").fillna(LOST)
    table = pd.crosstab(before.rename("previous segment"), after.rename("current segment"))
    order = lambda labels, extra: sorted((l for l in labels if l != extra), key=int) + ([extra] if extra in labels else [])
    return table.reindex(index=order(table.index, NEW), columns=order(table.columns, LOST), fill_value=0)


QUADRANT_ORDER = ["profitable & loyal", "profitable & disloyal", "unprofitable & loyal", "unprofitable & disloyal"]


def quadrant_migration(previous: dict | None, current: pd.DataFrame) -> pd.DataFrame | None:
    """Customers moving between profitability × loyalty quadrants since the previous cycle (seed 003).

    Rows: quadrant in the previous cycle (plus ``new customer``); columns: quadrant
    now (plus ``lost customer``). Moves into "profitable & loyal" are the goal of
    the playbooks. ``None`` in a first cycle.
    """
    if previous is None or "value_loyalty_quadrant" not in previous["segments"]:
        return None
    merged = previous["segments"][["customer_id", "value_loyalty_quadrant"]].merge(
        current[["customer_id", "value_loyalty_quadrant"]], on="customer_id", how="outer",
        suffixes=("_previous", "_current"))
    table = pd.crosstab(merged["value_loyalty_quadrant_previous"].astype("string").fillna(NEW).rename("previous quadrant"),
                        merged["value_loyalty_quadrant_current"].astype("string").fillna(LOST).rename("current quadrant"))
    return table.reindex(index=QUADRANT_ORDER + [NEW], columns=QUADRANT_ORDER + [LOST], fill_value=0)


def lapsed_since_previous(previous: dict | None, profile: pd.DataFrame) -> pd.DataFrame | None:
    """Per previous segment: how many of its customers have not ordered since the previous cycle's asof.

    Each cycle profiles all history up to its asof, so a customer who stopped buying
    stays in the migration matrix; *lapsed* makes the churn visible: no order after
    the previous asof (``last_order`` ≤ previous asof).

    Returns
    -------
    pandas.DataFrame or None
        One row per previous segment: ``customers``, ``lapsed`` and ``lapsed_share``;
        ``None`` in a first cycle or when the previous asof is unknown.
    """
    if previous is None or previous.get("asof") is None:
        return None
    merged = previous["segments"][["customer_id", "segment"]].merge(
        profile[["customer_id", "last_order"]], on="customer_id", how="left")
    merged["lapsed"] = merged["last_order"].isna() | (merged["last_order"] <= previous["asof"])
    table = merged.groupby("segment").agg(customers=("customer_id", "size"), lapsed=("lapsed", "sum"))
    table["lapsed_share"] = (table["lapsed"] / table["customers"]).round(4)
    return table.rename_axis("previous segment")


def population_stability_index(expected: np.ndarray | pd.Series, actual: np.ndarray | pd.Series, bins: int = 10,
                               categorical: bool = False) -> float:
    """Population stability index of ``actual`` against ``expected`` (the previous cycle).

    ``PSI = Σ (a_i − e_i) · ln(a_i / e_i)`` over ``bins`` bins cut at the deciles of
    ``expected`` (for a categorical feature, or a numeric one with a single value, over
    its values, missing answers being a value of their own), with shares floored at
    0.0001 so that empty bins stay finite (Siddiqi 2006, *Credit Risk Scorecards*,
    ch. 12; Yurdakul 2018). Read < 0.1 as stable, 0.1–0.25 as a moderate shift, > 0.25
    as a major shift. Written here as it is a three-line formula that no maintained
    library offers directly.
    """
    expected, actual = pd.Series(expected), pd.Series(actual)
    if not categorical:
        expected, actual = expected.dropna().astype(float), actual.dropna().astype(float)
        edges = np.unique(np.quantile(expected, np.linspace(0, 1, bins + 1))) if len(expected) else np.array([])
        categorical = len(edges) < 3  # one or two distinct values: compare them as values
    if categorical:
        expected, actual = _levels(expected), _levels(actual)
        levels = pd.Index(expected.unique()).union(actual.unique())
        e = expected.value_counts(normalize=True).reindex(levels, fill_value=0).to_numpy()
        a = actual.value_counts(normalize=True).reindex(levels, fill_value=0).to_numpy()
    else:
        edges[0], edges[-1] = -np.inf, np.inf
        e = np.histogram(expected, edges)[0] / len(expected)
        a = np.histogram(actual, edges)[0] / len(actual)
    e, a = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))


def _levels(values: pd.Series) -> pd.Series:
    """Values as text labels, a missing value being the label "(missing)"."""
    return values.astype(object).where(values.notna(), "(missing)").astype(str)


def psi_reading(psi: float, alert_at: float = 0.25) -> str:
    """The usual reading of a PSI: stable below 0.1, a moderate shift up to ``alert_at``, then a major shift."""
    return "major shift" if psi > alert_at else "moderate shift" if psi > 0.1 else "stable"


#: Profile columns shown beside the scheme's own features in the drift table, as descriptors.
DESCRIPTORS = ["recency_days", "frequency", "monetary"]


def feature_drift(previous: dict | None, features: pd.DataFrame | None, profile: pd.DataFrame, cfg: dict,
                  alert_at: float = 0.25) -> pd.DataFrame | None:
    """PSI per feature between the previous cycle and this one, with a reading.

    The features are the scheme's own (``scheme_features.parquet`` of both cycles: the
    columns clustered, such as RFM, company attributes or survey answers), then the RFM
    descriptors of the customer profile (:data:`DESCRIPTORS`) that the scheme did not
    cluster on. Only the scheme's features decide whether a revision is due.

    Parameters
    ----------
    previous
        :func:`load_previous`'s record, or ``None`` in a first cycle.
    features
        This cycle's scheme features (``customer_id`` plus one column each).
    profile
        This cycle's customer profile.
    cfg
        The config (``segmentation.categorical`` marks numeric-coded categories).

    Returns
    -------
    pandas.DataFrame or None
        Index ``feature``; ``role`` ("segmentation feature" or "descriptor"), ``psi``,
        ``reading``. ``None`` in a first cycle; only the descriptors when either cycle
        lacks scheme features (a cycle written before they were saved, or another scheme).
    """
    previous_profile = None if previous is None else previous.get("profile")
    if previous_profile is None:
        return None
    previous_features = previous.get("scheme_features")
    clustered: list[str] = []
    if features is not None and previous_features is not None:
        clustered = [c for c in features.columns if c != "customer_id" and c in previous_features.columns]
    categorical = set(cfg["segmentation"]["categorical"])
    rows = []
    for feature in clustered:
        now, before = features[feature], previous_features[feature]
        is_category = feature in categorical or not (pd.api.types.is_numeric_dtype(now)
                                                     and not pd.api.types.is_bool_dtype(now))
        psi = population_stability_index(before, now, categorical=is_category)
        rows.append({"feature": feature, "role": "segmentation feature", "psi": round(psi, 4),
                     "reading": psi_reading(psi, alert_at)})
    for feature in [c for c in DESCRIPTORS if c not in clustered and c in profile and c in previous_profile]:
        psi = population_stability_index(previous_profile[feature], profile[feature])
        rows.append({"feature": feature, "role": "descriptor", "psi": round(psi, 4), "reading": psi_reading(psi, alert_at)})
    return pd.DataFrame(rows, columns=["feature", "role", "psi", "reading"]).set_index("feature")


def segment_kpis(previous: dict | None, segments: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """Median KPIs per segment — net revenue, order value, orders, P(alive) — now and in the previous cycle."""
    kpis = [c for c in ("monetary", "avg_order_value", "frequency", "p_alive") if c in profile]

    def medians(segs: pd.DataFrame, prof: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        data = segs[["customer_id", "segment"]].merge(prof[["customer_id", *columns]], on="customer_id")
        return data.groupby("segment")[columns].median()

    now = medians(segments, profile, kpis)
    previous_profile = None if previous is None else previous.get("profile")
    if previous_profile is None:
        return now.round(3)
    before = medians(previous["segments"], previous_profile, [k for k in kpis if k in previous_profile])
    return now.join(before.add_suffix("_previous"), how="outer").round(3)


def revision_verdict(messages: list[str], drift: pd.DataFrame | None, cfg: dict) -> dict:
    """Is a full revision of the segments and personas due (seed 002 step 8)?

    Due when an alert fired, a feature drifted beyond ``monitor.psi_alert``, or the
    last full revision (``monitor.last_revision``) is older than
    ``monitor.revision_months``.
    """
    reasons = list(messages)
    if drift is not None:
        reasons += [f"{f} drifted (PSI {r.psi:.2f})" for f, r in drift.iterrows()
                    if r.role == "segmentation feature" and r.psi > cfg["monitor"]["psi_alert"]]
    last = cfg["monitor"]["last_revision"]
    if last is not None:
        months = (cfg["asof"].year - last.year) * 12 + cfg["asof"].month - last.month
        if months >= cfg["monitor"]["revision_months"]:
            reasons.append(f"last full revision {last.isoformat()} is {months} months old")
    return {"revision_due": bool(reasons), "reasons": reasons}


def size_changes(previous: dict | None, profiles: pd.DataFrame) -> pd.DataFrame:
    """Customers, share of customers and revenue share per segment, now and in the previous cycle.

    ``status`` is ``kept`` (id in both), ``new`` (only now) or ``vanished`` (only
    before); ``share_change`` is the relative change of the segment's share of
    customers (shares, not counts, so that a growing customer base alone raises no alert).
    """
    now = profiles[["customers", "customer_share", "revenue_share"]]
    if previous is None:
        return now.assign(status="first cycle")
    before = previous["profiles"][["customers", "customer_share", "revenue_share"]]
    table = now.join(before.add_suffix("_previous"), how="outer")
    table["status"] = np.select(
        [table["customers"].isna(), table["customers_previous"].isna()], ["vanished", "new"], default="kept"
    )
    table["share_change"] = (table["customer_share"] / table["customer_share_previous"] - 1).round(4)
    return table


def alerts(changes: pd.DataFrame, migration: pd.DataFrame | None, max_share_change: float = 0.25,
           lineage: pd.DataFrame | None = None) -> list[str]:
    """Plain-language alerts: split or merged segments (:func:`segment_lineage`), new or vanished
    segments, large changes of share, low retention."""
    messages = [] if lineage is None else lineage_alerts(lineage)
    if migration is None:
        return messages
    for seg, row in changes.iterrows():
        if row["status"] == "new":
            messages.append(f"segment {seg} is new this cycle")
        elif row["status"] == "vanished":
            messages.append(f"segment {seg} of the previous cycle has no match now")
        elif abs(row["share_change"]) > max_share_change:
            direction = "grew" if row["share_change"] > 0 else "shrank"
            messages.append(
                f"segment {seg} {direction} from {row['customer_share_previous']:.0%} to "
                f"{row['customer_share']:.0%} of customers ({row['share_change']:+.0%} relative)"
            )
    stay = retention(migration)
    if stay < 0.5:
        messages.append(f"only {stay:.0%} of returning customers stayed in their segment")
    return messages


def describe_alerts(previous: dict | None, messages: list[str]) -> None:
    """Print the comparison and its alerts in plain lines (for the report)."""
    if previous is None:
        print("First cycle: nothing to compare with yet.")
        return
    print(f"Compared with cycle {previous['cycle']}.")
    print("\n".join(f"• {m}" for m in messages) if messages else "No alerts.")


def describe_revision(revision: dict) -> None:
    """Print the revision verdict in one line (for the report)."""
    print("Revision due: " + "; ".join(revision["reasons"]) if revision["revision_due"] else "No revision due.")


def retention(migration: pd.DataFrame) -> float:
    """Share of customers present in both cycles who stayed in the same segment id."""
    both = migration.drop(index=NEW, errors="ignore").drop(columns=LOST, errors="ignore")
    same = sum(both.loc[s, s] for s in both.index if s in both.columns)
    total = both.to_numpy().sum()
    return float(same / total) if total else float("nan")


def save_monitor(ctx, previous: dict | None, changes: pd.DataFrame, migration: pd.DataFrame | None,
                 messages: list[str], lapsed: pd.DataFrame | None = None, drift: pd.DataFrame | None = None,
                 revision: dict | None = None, quadrants: pd.DataFrame | None = None,
                 lineage: pd.DataFrame | None = None, history: pd.DataFrame | None = None) -> None:
    """Write ``monitor.json``: first-cycle note, or migration matrix, size changes and alerts; and
    the segment lineage and the history over all cycles when given."""
    from segkit_helpers.io.artefacts import write_json

    extra = {
        "lineage": [] if lineage is None else lineage.reset_index().to_dict(orient="records"),
        "history": [] if history is None else history.assign(asof=history["asof"].astype(str)).to_dict(orient="records"),
    }
    if previous is None:
        record = {"cycle": ctx.cycle, "previous_cycle": None, "first_cycle": True,
                  "note": "first cycle: nothing to compare with", "alerts": [], "revision": revision, **extra}
    else:
        record = {
            "cycle": ctx.cycle,
            "previous_cycle": previous["cycle"],
            "first_cycle": False,
            "retention": round(retention(migration), 4),
            "migration": {"rows": list(migration.index), "columns": list(migration.columns),
                          "counts": migration.to_numpy().tolist()},
            "segments": changes.reset_index().replace({np.nan: None}).to_dict(orient="records"),
            "lapsed": [] if lapsed is None else lapsed.reset_index().to_dict(orient="records"),
            "quadrant_migration": None if quadrants is None else {
                "rows": list(quadrants.index), "columns": list(quadrants.columns),
                "counts": quadrants.to_numpy().tolist()},
            "drift": [] if drift is None else drift.reset_index().to_dict(orient="records"),
            "revision": revision,
            "alerts": messages,
            **extra,
        }
    write_json(record, ctx.artefact("monitor.json"))
    print(f"wrote monitor.json to data/processed/{ctx.cycle}/")


SPLIT_SHARE = 0.2


def segment_lineage(migration: pd.DataFrame | None, min_share: float = SPLIT_SHARE) -> pd.DataFrame:
    """Name each segment's fate since the previous cycle: kept, new, vanished, split or merged.

    From the migration matrix's returning customers (without the new-customer row and
    the lost-customer column), in the spirit of MONIC's cluster transitions
    (Spiliopoulou et al. 2006):

    - a previous segment **split** when no current segment holds more than half of its
      returning customers and at least two hold ``min_share`` or more each;
    - a current segment is **merged** when it is the main destination (the largest share,
      ties included) of two or more previous segments;
    - otherwise a segment whose id exists in both cycles is **kept**, a current id absent
      before is **new**, and a previous id absent now is **vanished**.

    Customers drifting between neighbouring segments as they buy more or lapse are not
    a split: the flows figure shows them.

    Returns
    -------
    pandas.DataFrame
        One row per segment id of either cycle: ``previous`` and ``current`` (whether
        the id exists in each), ``fate`` and ``detail`` (a sentence); empty in a first cycle.
    """
    if migration is None:
        return pd.DataFrame(columns=["previous", "current", "fate", "detail"])
    both = migration.drop(index=NEW, errors="ignore").drop(columns=LOST, errors="ignore")
    out_share = both.div(both.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    main = {int(p): {int(c) for c in row.index[(row == row.max()) & (row > 0)]} for p, row in out_share.iterrows()}
    before, now = {int(s) for s in both.index}, {int(s) for s in both.columns}
    rows = {}
    for seg in sorted(before | now):
        row = {"previous": seg in before, "current": seg in now}
        shares = out_share.loc[str(seg)] if seg in before else pd.Series(dtype=float)
        targets = [int(c) for c in shares.index[shares >= min_share]]
        sources = sorted(p for p, destinations in main.items() if seg in destinations)
        if len(targets) > 1 and shares.max() <= 0.5:
            row |= {"fate": "split", "detail": f"segment {seg} split into {_and(targets)}"}
        elif seg in now and len(sources) > 1:
            row |= {"fate": "merged", "detail": f"segments {_and(sources)} merged into {seg}"}
        elif row["previous"] and row["current"]:
            row |= {"fate": "kept", "detail": f"segment {seg} kept"}
        elif row["current"]:
            row |= {"fate": "new", "detail": f"segment {seg} is new"}
        else:
            row |= {"fate": "vanished", "detail": f"segment {seg} vanished"}
        rows[seg] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("segment")


def _and(ids: list[int]) -> str:
    names = [str(i) for i in sorted(ids)]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def lineage_alerts(lineage: pd.DataFrame) -> list[str]:
    """Alerts for split and merged segments (new and vanished ones are in :func:`alerts`)."""
    return [row["detail"] for _, row in lineage.iterrows() if row["fate"] in ("split", "merged")]


def _read_yaml(path: Path) -> dict:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}


def cycle_lineage(workdir: Path, current: Path) -> list[tuple[str, Path]]:
    """The cycles this one descends from: itself, its ``previous_cycle``, that cycle's own, and so on.

    ``current`` is the artefact folder of the cycle being run (a staging folder during
    ``segkit cycle``); the others are published folders of ``data/processed/`` under
    ``workdir``. The chain stops at a cycle without ``previous_cycle``, at one whose
    artefacts are missing, at a loop, and at any cycle dated after ``current``'s
    ``asof``: a later or unrelated cycle never enters the history.

    Returns
    -------
    list of (cycle id, folder)
        Newest first.
    """
    config = _read_yaml(Path(current) / "config.yml")
    asof = pd.Timestamp(config["asof"]) if config.get("asof") else None
    chain = [(str(config.get("cycle", Path(current).name)), Path(current))]
    previous = config.get("previous_cycle")
    while previous and str(previous) not in {name for name, _ in chain}:
        folder = processed_dir(Path(workdir), str(previous))
        previous_config = _read_yaml(folder / "config.yml")
        if not (folder / "profiles.csv").is_file() or not previous_config.get("asof"):
            break
        if asof is not None and pd.Timestamp(previous_config["asof"]) > asof:
            break
        chain.append((str(previous), folder))
        previous = previous_config.get("previous_cycle")
    return chain


def cycle_history(workdir: Path, current: Path) -> pd.DataFrame:
    """Size and value share of every segment in each cycle of this cycle's lineage.

    The cycles are those of :func:`cycle_lineage` (this one and its chain of previous
    cycles, none dated after this one); each cycle's date is ``asof`` from its
    ``config.yml`` and its segment names come from its ``personas.yml``.

    Returns
    -------
    pandas.DataFrame
        One row per cycle and segment: ``cycle``, ``asof``, ``segment``, ``name``,
        ``customers``, ``customer_share``, ``revenue_share``; sorted by ``asof``.
    """
    rows = []
    for cycle, folder in cycle_lineage(workdir, current):
        if not (folder / "profiles.csv").is_file():
            continue
        asof = pd.Timestamp(_read_yaml(folder / "config.yml").get("asof", pd.NaT))
        names = {p["segment"]: p["name"] for p in _read_yaml(folder / "personas.yml").get("personas", [])}
        profiles = pd.read_csv(folder / "profiles.csv")
        for _, row in profiles.iterrows():
            rows.append({"cycle": cycle, "asof": asof, "segment": int(row["segment"]),
                         "name": names.get(int(row["segment"]), ""), "customers": int(row["customers"]),
                         "customer_share": float(row["customer_share"]), "revenue_share": float(row["revenue_share"])})
    table = pd.DataFrame(rows, columns=["cycle", "asof", "segment", "name", "customers", "customer_share",
                                        "revenue_share"])
    return table.sort_values(["asof", "cycle", "segment"], kind="stable", ignore_index=True)
