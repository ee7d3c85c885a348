"""The cycle's pages (:data:`PAGES`) and its index.html; the pages themselves: :mod:`segkit_helpers.report.notebook_page`."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pandas as pd

from segkit_helpers import __version__
from segkit_helpers.io.artefacts import read_json, write_text
from segkit_helpers.io.paths import RESOURCES_DIR

#: The notebooks of a cycle, in order: file stem → (title, what it is for).
PAGES = {
    "00_readiness": ("Readiness", "the five questions, data checks and the go/no-go verdict"),
    "01_research": ("Research", "cleaning, RFM and the customer profile"),
    "02_hypothesis": ("Hypothesis", "number of segments, segment profiles and persona drafts"),
    "03_test": ("Test", "stability, separation and differences between segments"),
    "04_monitor": ("Monitor", "what changed since the previous cycle"),
    "05_deploy": ("Deploy", "service models, playbook actions and the CRM export"),
}


def _segments_summary(out_dir: Path) -> list[dict]:
    profiles = pd.read_csv(out_dir / "profiles.csv", index_col="segment")
    service = pd.read_csv(out_dir / "service_models.csv", index_col="segment")
    names = pd.read_parquet(out_dir / "segments.parquet").drop_duplicates("segment").set_index("segment")["segment_name"]
    table = profiles.join(service[["service_model"]]).join(names.rename("name"))
    checks = read_json(out_dir / "validation.json").get("segments", [])
    if checks:
        table = table.join(pd.DataFrame(checks).set_index("segment")[["verdict"]])
    return [{"segment": int(seg), **row} for seg, row in table.to_dict("index").items()]


def _actions(out_dir: Path) -> list[dict]:
    export = pd.read_parquet(out_dir / "export" / "segments.parquet")
    grouped = export.groupby("value_loyalty_quadrant").agg(
        customers=("customer_id", "size"), priority=("priority", "first"), next_action=("next_action", "first")
    )
    return grouped.sort_values("priority").reset_index().rename(columns={"value_loyalty_quadrant": "quadrant"}).to_dict("records")


def build_index(out_dir: str | Path, report_dir: str | Path) -> Path:
    """Write ``index.html``: the cycle's summary for reviewers, linking the six pages.

    Parameters
    ----------
    out_dir
        The cycle's artefact folder (``data/processed/<cycle>`` or its staging copy).
    report_dir
        Where the notebook pages are and ``index.html`` goes.
    """
    out_dir, report_dir = Path(out_dir), Path(report_dir)
    readiness = read_json(out_dir / "readiness.json")
    monitor = read_json(out_dir / "monitor.json")
    segments = _segments_summary(out_dir)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(RESOURCES_DIR), autoescape=True)
    html = env.get_template("index.html.j2").render(
        cycle=readiness["cycle"],
        asof=readiness["asof"],
        scheme=readiness["scheme"],
        previous_cycle=monitor.get("previous_cycle"),
        n_customers=f"{sum(s['customers'] for s in segments):,}",
        readiness=readiness,
        readiness_class={"go": "go", "go with caveats": "caveats"}.get(readiness["verdict"], "nogo"),
        segments=segments,
        monitor=monitor,
        validation=read_json(out_dir / "validation.json"),
        k_choice=read_json(out_dir / "k_choice.json") if (out_dir / "k_choice.json").is_file() else None,
        clv=read_json(out_dir / "clv.json") if (out_dir / "clv.json").is_file() else None,
        actions=_actions(out_dir),
        pages=[{"file": f"{stem}.html", "title": f"{stem[:2]} {title}", "about": about}
               for stem, (title, about) in PAGES.items()],
        version=__version__,
    )
    return write_text(html, report_dir / "index.html")
