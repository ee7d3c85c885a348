"""The cycle's index.html (the decision summary, for reviewers), its history.html and its downloads.

The index answers without opening a notebook page: how many segments and why, the size and
value of each, who the gold customers are, what changed, which segments are unstable, what
each gets and what it costs against what it returns, the data caveats, which hypotheses and
experiments held, and what to do next and when (:mod:`segkit_helpers.report.summary`).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import jinja2
import pandas as pd

from segkit_helpers import __version__
from segkit_helpers.io.artefacts import write_text
from segkit_helpers.io.config import processed_dir
from segkit_helpers.io.paths import RESOURCES_DIR
from segkit_helpers.monitoring.history import cycle_lineage
from segkit_helpers.report import i18n, numbers
from segkit_helpers.report.pages import PAGES
from segkit_helpers.report.facts import CycleFacts
from segkit_helpers.report.summary import decision_summary

#: What the index offers to download, copied under ``reports/<cycle>/downloads/``: artefact → file name.
DOWNLOADS = {"export/segments.csv": "segments.csv", "profiles.csv": "profiles.csv",
             "export/new_customers.csv": "new_customers.csv"}


def _signed(value: float) -> str:
    """A change with its sign and one decimal, in the report's locale: ``+4.5``, ``−1.6``."""
    return ("+" if value > 0 else "") + numbers.number(value, 1)


def _environment() -> jinja2.Environment:
    """The page templates' environment: gettext in the current report language, the number formatters as filters."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(RESOURCES_DIR), autoescape=True,
                             extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(i18n._, i18n.ngettext, newstyle=True)
    env.filters.update(count=numbers.count, share=numbers.share, date=numbers.date, number=numbers.number,
                       signed=_signed)
    env.globals["lang"] = i18n.current_language()
    return env


def copy_downloads(out_dir: Path, report_dir: Path) -> list[str]:
    """Copy the CRM export and the segment profiles under ``report_dir/downloads``; the names copied."""
    folder = report_dir / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    copied = []
    for source, name in DOWNLOADS.items():
        if (out_dir / source).is_file():
            shutil.copyfile(out_dir / source, folder / name)
            copied.append(name)
    return copied


def _previous_facts(workdir: Path | None, facts: CycleFacts) -> CycleFacts | None:
    previous = facts.cfg.get("previous_cycle")
    if workdir is None or not previous or not (processed_dir(workdir, str(previous)) / "profiles.csv").is_file():
        return None
    return CycleFacts.load(processed_dir(workdir, str(previous)))


def build_history(facts: CycleFacts, report_dir: Path, workdir: Path | None) -> Path:
    """Write ``history.html``: each segment's size and value share in every cycle of the lineage, and migration."""
    history = pd.DataFrame(facts.monitor.get("history") or [])
    cycles = [name for name, _ in reversed(cycle_lineage(workdir, facts.folder))] if workdir else [facts.cfg["cycle"]]
    rows = history.to_dict("records") if not history.empty else []
    html = _environment().get_template("history.html.j2").render(
        cycle=facts.cfg["cycle"], cycles=cycles, rows=rows, migration=facts.monitor.get("migration"),
        previous_cycle=facts.cfg.get("previous_cycle"))
    return write_text(html, report_dir / "history.html")


def build_index(out_dir: str | Path, report_dir: str | Path, workdir: str | Path | None = None,
                config_name: str | None = None) -> Path:
    """Write ``index.html`` (the decision summary, linking the six pages), ``history.html`` and ``downloads/``.

    Parameters
    ----------
    out_dir
        The cycle's artefact folder (``data/processed/<cycle>`` or its staging copy).
    report_dir
        Where the notebook pages are and the index goes.
    workdir
        The work folder holding earlier cycles (for the comparison, the history and the
        link to the previous cycle's index); ``None``: this cycle alone.
    config_name
        The cycle config's file name, said under the page.
    """
    out_dir, report_dir = Path(out_dir), Path(report_dir)
    workdir = Path(workdir) if workdir is not None else None
    facts = CycleFacts.load(out_dir)
    with i18n.language(facts.cfg["report"]["language"]):
        return _write_index(facts, out_dir, report_dir, workdir, config_name)


def _write_index(facts: CycleFacts, out_dir: Path, report_dir: Path, workdir: Path | None,
                 config_name: str | None) -> Path:
    previous = _previous_facts(workdir, facts)
    lineage = cycle_lineage(workdir, out_dir) if workdir else []
    first_asof = pd.Timestamp(CycleFacts.load(lineage[-1][1]).cfg["asof"]).date() if lineage else None
    summary = decision_summary(facts, previous, first_asof)
    previous_index = (f"../{previous.cfg['cycle']}/index.html" if previous is not None and workdir is not None
                      and (report_dir.parent / str(previous.cfg["cycle"]) / "index.html").is_file() else None)
    build_history(facts, report_dir, workdir)
    html = _environment().get_template("index.html.j2").render(
        cycle=facts.cfg["cycle"], asof=numbers.date(facts.period[1]), scheme=facts.readiness["scheme"],
        previous_cycle=facts.cfg.get("previous_cycle"), previous_index=previous_index,
        readiness=facts.readiness,
        readiness_class={"go": "go", "go with caveats": "caveats"}.get(facts.readiness["verdict"], "nogo"),
        summary=summary, validation=facts.validation, currency=facts.currency,
        downloads=copy_downloads(out_dir, report_dir),
        pages=[{"file": f"{stem}.html", "title": f"{stem[:2]} {i18n._(title)}", "about": i18n._(about)}
               for stem, (title, about) in PAGES.items()],
        clv_months=facts.cfg["clv"]["horizon_months"],
        version=__version__, generated=numbers.date(dt.date.today()), config_name=config_name,
    )
    return write_text(html, report_dir / "index.html")
