"""Shared fixtures: a small synthetic shop with planted customer types, and its cycle configs."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

os.environ.setdefault("TQDM_DISABLE", "1")

# Planted buyer types: (share, mean days between orders, mean order value).
BUYER_TYPES = {"wholesaler": (0.2, 12, 900.0), "regular": (0.35, 45, 150.0), "occasional": (0.45, 160, 40.0)}


def make_transactions(n_customers: int = 240, seed: int = 0, start: str = "2023-01-01", days: int = 540) -> pd.DataFrame:
    """Order lines of a synthetic shop in the Online Retail shape (column names as that source).

    Customers of three planted types buy at their own pace and basket size; about 3 % of
    lines are returns (negative quantity, invoice "C…"), a few lines lack a customer id.
    """
    rng = np.random.default_rng(seed)
    start_ts = pd.Timestamp(start)
    rows, invoice = [], 100000
    names = list(BUYER_TYPES)
    shares = [BUYER_TYPES[n][0] for n in names]
    for c in range(n_customers):
        gap, value = BUYER_TYPES[names[rng.choice(len(names), p=shares)]][1:]
        day = rng.integers(0, days // 2)
        while day < days:
            invoice += 1
            for _ in range(rng.integers(1, 4)):
                qty = int(rng.integers(1, 12))
                price = round(float(rng.gamma(4.0, value / 4.0 / 6.0)), 2) + 0.01
                rows.append((str(invoice), f"P{rng.integers(1, 40):03d}", qty, start_ts + pd.Timedelta(days=int(day), hours=10),
                             price, 10000 + c))
                if rng.random() < 0.03:
                    rows.append((f"C{invoice}", rows[-1][1], -qty, rows[-1][3] + pd.Timedelta(days=2), price, 10000 + c))
            day += max(1, int(rng.exponential(gap)))
    lines = pd.DataFrame(rows, columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"])
    lines["CustomerID"] = lines["CustomerID"].astype("Int64")
    lines.loc[lines.sample(frac=0.01, random_state=seed).index, "CustomerID"] = pd.NA
    return lines.sort_values("InvoiceDate", kind="stable", ignore_index=True)


def write_cycle_config(folder: Path, data_path: Path, cycle: str, asof: str, previous: str | None = None, **extra) -> Path:
    """A cycle config for the synthetic shop, written to ``folder/<cycle>.yml``."""
    cfg = {
        "cycle": cycle,
        "asof": asof,
        "seed": 7,
        "sources": {"transactions": {"path": os.path.relpath(data_path, folder)}},
        "columns": {"transactions": {"customer_id": "CustomerID", "order_id": "InvoiceNo", "order_date": "InvoiceDate",
                                     "quantity": "Quantity", "unit_price": "UnitPrice", "product": "StockCode"}},
        "readiness": {"goal": "test", "base_large_and_varied": "yes", "actionable": "yes", "resources": "yes",
                      "will_act": "yes", "min_customers": 50},
        "segmentation": {"k_range": [2, 5]},
        "validation": {"bootstrap": 5},
    }
    if previous:
        cfg["previous_cycle"] = previous
    for key, value in extra.items():
        cfg[key] = value
    path = folder / f"{cycle}.yml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def shop(tmp_path_factory) -> dict:
    """The synthetic shop as Parquet plus two cycle configs (the second compares with the first)."""
    folder = tmp_path_factory.mktemp("shop")
    data = folder / "lines.parquet"
    make_transactions().to_parquet(data, index=False)
    first = write_cycle_config(folder, data, "c1", "2024-01-31")
    second = write_cycle_config(folder, data, "c2", "2024-06-23", previous="c1",
                                deploy={"target": {"url": "sqlite:///crm.db", "table": "segments_c2"}})
    return {"folder": folder, "data": data, "configs": [first, second]}


# --- whole cycles, run once per session and shared by the tests that read their outputs ---------


def run_cycle(workdir: Path, *args: str, cwd: Path | None = None, env: dict | None = None) -> None:
    """``segkit cycle ARGS --workdir WORKDIR`` through the real command line; fails the test on a non-zero exit."""
    result = subprocess.run([sys.executable, "-m", "segkit_helpers", "cycle", *args, "--workdir", str(workdir)],
                            cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]


def run_example(name: str, workdir: Path, *params: str) -> Path:
    """Run ``cycles/examples/NAME`` with ``-p`` overrides given as NAME VALUE pairs; returns the work folder."""
    from segkit_helpers.io.paths import CYCLES_DIR

    overrides = [item for pair in zip(["-p"] * (len(params) // 2), params[::2], params[1::2]) for item in pair]
    run_cycle(workdir, str(CYCLES_DIR / "examples" / name), *overrides)
    return workdir


@pytest.fixture(scope="session")
def two_cycles(shop, tmp_path_factory) -> Path:
    """Both cycles of the synthetic shop, run through the real command line in a fresh work folder."""
    workdir = tmp_path_factory.mktemp("work")
    run_cycle(workdir, *map(str, shop["configs"]))
    return workdir


@pytest.fixture(scope="session")
def translated_cycles(shop, tmp_path_factory) -> dict[str, Path]:
    """The shop's first cycle with its reports in each translated language (``report.language``): language → work folder."""
    from segkit_helpers.report.i18n import LANGUAGES, SOURCE_LANGUAGE

    folders = {}
    for language in (name for name in LANGUAGES if name != SOURCE_LANGUAGE):
        folders[language] = tmp_path_factory.mktemp(f"shop-{language}")
        run_cycle(folders[language], str(shop["configs"][0]), "-p", "report.language", language)
    return folders


@pytest.fixture(scope="session")
def firmographic_example(tmp_path_factory) -> Path:
    """The work folder of the firmographic example cycle (wholesale customers), light on resamples."""
    return run_example("wholesale_firmographic.yml", tmp_path_factory.mktemp("firmographic"),
                       "segmentation.stability_resamples", "3")


@pytest.fixture(scope="session")
def needs_example(tmp_path_factory) -> Path:
    """The work folder of the needs example cycle (latent classes on the synthetic survey), light on resamples."""
    return run_example("online_retail_needs.yml", tmp_path_factory.mktemp("needs"),
                       "segmentation.stability_resamples", "2", "segmentation.k_range", "[3, 5]")


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from this checkout, offline when hatchling is installed (``.[test]`` brings it)."""
    from segkit_helpers.io.paths import PROJ_ROOT

    out = tmp_path_factory.mktemp("dist")
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", *isolation, "-w", str(out),
                             str(PROJ_ROOT)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    (built,) = out.glob("segkit-*.whl")
    return built


def file_tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under ``folder`` except byte-code caches."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="session")
def installed_sample(wheel, tmp_path_factory) -> dict:
    """The sample's first cycle, light, run by the installed wheel (no checkout on sys.path) from another folder.

    Returns the folders (``target`` the installation, ``workdir``, ``elsewhere`` the current
    folder of the run), the installation's file tree before the run (``before``) and the
    sample config paths the installed package resolves (``configs``).
    """
    root = tmp_path_factory.mktemp("installed")
    target, workdir, elsewhere = root / "site", root / "work", root / "elsewhere"
    elsewhere.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    before = file_tree(target)
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("SEGKIT_WORKDIR", None)
    where = subprocess.run([sys.executable, "-c", "import segkit_helpers.io.paths as p; print(*p.SAMPLE_CONFIGS)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.split()
    light = ["-p", "clv.enabled", "false", "-p", "validation.bootstrap", "5", "-p", "segmentation.k_range", "[2, 4]",
             "-p", "segmentation.stability_resamples", "2"]
    run_cycle(workdir, where[0], *light, cwd=elsewhere, env=env)
    return {"target": target, "workdir": workdir, "elsewhere": elsewhere, "before": before,
            "configs": [Path(p) for p in where]}


@pytest.fixture
def postgres_url() -> str:
    """The test PostgreSQL server's URL; skips the test when none is configured."""
    url = os.environ.get("SEGKIT_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL tests skipped: no server configured. To run them: "
                    "export SEGKIT_TEST_POSTGRES_URL=$(bash .ci/start-postgres.sh)")
    return url


@pytest.fixture
def postgres_table(postgres_url):
    """Write a frame to a fresh uniquely named PostgreSQL table: ``postgres_table(frame) -> name``.

    The tables are dropped after the test.
    """
    import uuid

    import sqlalchemy

    engine = sqlalchemy.create_engine(postgres_url)
    names: list[str] = []

    def write(frame: pd.DataFrame, prefix: str = "orders") -> str:
        names.append(f"{prefix}_{uuid.uuid4().hex[:8]}")
        frame.to_sql(names[-1], engine, index=False)
        return names[-1]

    yield write
    with engine.begin() as conn:
        for name in names:
            conn.execute(sqlalchemy.text(f"DROP TABLE IF EXISTS {name}"))
    engine.dispose()


TOY = '''
"""A toy scheme from outside segkit: customers in k bands of their order count (equal-size quantile bands)."""
import numpy as np
import pandas as pd

from segkit_helpers.schemes.base import SegmentScheme


class BandScheme(SegmentScheme):
    title = "bands of order count (a toy plugged in through an entry point)"
    needs = "order lines"
    stability_sample = 500

    def __init__(self, n_segments=3, random_state=None, features=None):
        self.n_segments = n_segments
        self.random_state = random_state
        self.features = features

    @classmethod
    def default_features(cls, data, seg):
        return ["frequency"]

    def _values(self, X):
        return X[self._columns(X, ["frequency"])[0]].to_numpy(dtype=float)

    def _fit(self, X):
        values = self._values(X)
        self.edges_ = np.quantile(values, np.linspace(0, 1, self.n_segments + 1)[1:-1])
        return self._components(X)

    def _components(self, X):
        return np.searchsorted(self.edges_, self._values(X), side="right")

    @property
    def centers_(self):
        centres = np.concatenate([[self.edges_[0]], (self.edges_[1:] + self.edges_[:-1]) / 2, [self.edges_[-1]]])
        return self._by_id(pd.DataFrame({"frequency": centres[: self.n_segments]}))

    def pairwise_distances(self, X):
        values = self._values(X)
        return np.abs(values[:, None] - values[None, :])
'''


@pytest.fixture
def toy_scheme(tmp_path, monkeypatch):
    """A module and a dist-info whose entry point registers it as scheme ``bands``."""
    (tmp_path / "toy_bands.py").write_text(textwrap.dedent(TOY), encoding="utf-8")
    info = tmp_path / "toy_bands-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-bands\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[segkit.schemes]\nbands = toy_bands:BandScheme\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "bands"


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One local Spark session (``local[2]``) for the engine and scoring tests, tables in a temporary warehouse;
    skips them, saying why, where Spark cannot run."""
    from segkit_helpers.engines.spark_session import spark_session, spark_unavailable

    reason = spark_unavailable()
    if reason:
        pytest.skip(f"Spark tests skipped: {reason}")
    session = spark_session("local[2]", {"spark.driver.memory": "2g", "spark.sql.shuffle.partitions": "4",
                                         "spark.sql.warehouse.dir": str(tmp_path_factory.mktemp("warehouse"))})
    yield session
    session.stop()
