"""The typed config: its models, database passwords from the environment, and README's key table.

The PostgreSQL test needs a server: set SEGKIT_TEST_POSTGRES_URL (CI does, with
`.ci/start-postgres.sh`); without it the test is skipped and says how to run it.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy
import yaml

from segkit_helpers.errors import ConfigError, InputError
from segkit_helpers.io.config import CycleConfig, dump_config, load_config, load_cycle_config
from segkit_helpers.io.paths import PROJ_ROOT
from segkit_helpers.io.config_inputs import url_without_password
from segkit_helpers.io.config_table import BEGIN, END, config_key_table, main, with_key_table
from segkit_helpers.io.tables import source_columns

SECRET = "s3cr3t-不"
VAR = "SEGKIT_TEST_CONFIG_PASSWORD"

BASE = """\
cycle: "c1"
asof: 2024-03-31
"""


def leaks(text: str) -> bool:
    """Whether ``text`` holds the secret, as written or percent-encoded in a URL."""
    return SECRET in text or quote(SECRET) in text


def write(folder: Path, text: str) -> Path:
    path = folder / "cycle.yml"
    path.write_text(text, encoding="utf-8")
    return path


def shop_db(folder: Path) -> Path:
    """A SQLite file with a few order lines (table ``orders``)."""
    path = folder / "shop.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE orders (client TEXT, booked TEXT, amount REAL)")
        con.executemany("INSERT INTO orders VALUES (?, ?, ?)", [("a", "2024-01-02", 10.0), ("b", "2024-02-03", 5.5)])
    return path


def db_config(url: str, extra: str = f"    password_env: {VAR}\n") -> str:
    return BASE + f"sources:\n  transactions:\n    url: {url}\n    table: orders\n{extra}"


# --- the typed model -------------------------------------------------------------------------


def test_typed_model_matches_the_plain_dict(tmp_path):
    path = write(tmp_path, BASE + "sources:\n  transactions:\n    path: tx.csv\nsegmentation:\n  k: 4\n")
    typed = load_cycle_config(path)
    assert isinstance(typed, CycleConfig)
    assert typed.segmentation.k == 4 and typed.segmentation.k_range == [2, 8]
    assert typed.sources.transactions.path == (tmp_path / "tx.csv").resolve()  # a Path, resolved by its validator
    assert typed.asof == dt.date(2024, 3, 31)
    plain = load_config(path)
    assert plain == typed.as_dict()
    assert plain["sources"]["transactions"]["path"] == str((tmp_path / "tx.csv").resolve())
    with pytest.raises(Exception):  # sections are frozen: a function handed one cannot change the cycle's config
        typed.segmentation.k = 5


def test_estimator_is_a_class_and_its_params(tmp_path):
    text = BASE + ("sources:\n  transactions:\n    path: tx.csv\nsegmentation:\n  estimator:\n"
                   "    class: sklearn.mixture.GaussianMixture\n    params: {covariance_type: diag, n_init: 2}\n")
    cfg = load_config(write(tmp_path, text))
    assert cfg["segmentation"]["estimator"] == {"class": "sklearn.mixture.GaussianMixture",
                                                "params": {"covariance_type": "diag", "n_init": 2}}
    cfg = load_config(write(tmp_path, text.replace("    params: {covariance_type: diag, n_init: 2}\n", "")))
    assert cfg["segmentation"]["estimator"]["params"] == {}


@pytest.mark.parametrize("estimator, expected", [
    ("{params: {}}", "'segmentation.estimator.class' is required"),
    ("{class: a.B, parms: {}}", "Did you mean 'params'?"),
    ("{class: a.B, params: 3}", "'segmentation.estimator.params' must be a section"),
    ("GaussianMixture", "'segmentation.estimator' must be a section"),
])
def test_bad_estimator_names_the_key(tmp_path, estimator, expected):
    text = BASE + f"sources:\n  transactions:\n    path: tx.csv\nsegmentation:\n  estimator: {estimator}\n"
    with pytest.raises(ConfigError, match=expected):
        load_config(write(tmp_path, text))


def test_unknown_table_suggests_the_close_match(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown config key 'sources.transaction'\. Did you mean 'transactions'\?"):
        load_config(write(tmp_path, BASE + "sources:\n  transaction:\n    path: tx.csv\n"))


# --- database passwords from the environment -------------------------------------------------


def test_password_env_goes_into_the_url_and_never_into_the_saved_config(tmp_path, monkeypatch):
    monkeypatch.setenv(VAR, SECRET)
    cfg = load_config(write(tmp_path, db_config("postgresql+psycopg://analyst@db.internal/sales")))
    url = cfg["sources"]["transactions"]["url"]
    assert isinstance(url, sqlalchemy.URL) and url.password == SECRET
    assert url.render_as_string(hide_password=False) == f"postgresql+psycopg://analyst:{quote(SECRET)}@db.internal/sales"
    assert not leaks(str(url)) and not leaks(repr(cfg))  # a URL object prints without its password
    saved = dump_config(cfg)
    assert not leaks(saved)
    again = yaml.safe_load(saved)["sources"]["transactions"]
    assert again["url"] == "postgresql+psycopg://analyst@db.internal/sales" and again["password_env"] == VAR
    # the saved copy loads again, taking the password from the environment once more
    assert load_config(write(tmp_path, saved))["sources"]["transactions"]["url"].password == SECRET


def test_sqlite_has_no_password(tmp_path, monkeypatch):
    monkeypatch.setenv(VAR, SECRET)
    with pytest.raises(ConfigError, match="'sources.transactions.password_env' names a password, but SQLite"):
        load_config(write(tmp_path, db_config("sqlite:///shop.db")))
    shop_db(tmp_path)  # without password_env the same SQLite source reads as always
    cfg = load_config(write(tmp_path, db_config("sqlite:///shop.db", "")))
    assert cfg["sources"]["transactions"]["url"] == f"sqlite:///{(tmp_path / 'shop.db').resolve()}"
    assert source_columns(cfg["sources"]["transactions"], "transactions") == ["client", "booked", "amount"]


def test_deploy_target_password_env(tmp_path, monkeypatch):
    monkeypatch.setenv(VAR, SECRET)
    text = BASE + (f"sources:\n  transactions:\n    path: tx.csv\ndeploy:\n  target:\n"
                   f"    url: postgresql+psycopg://crm@db.internal/crm\n    password_env: {VAR}\n")
    cfg = load_config(write(tmp_path, text))
    assert cfg["deploy"]["target"]["url"].password == SECRET
    assert not leaks(dump_config(cfg))
    saved = yaml.safe_load(dump_config(cfg))["deploy"]["target"]
    assert saved == {"url": "postgresql+psycopg://crm@db.internal/crm", "table": "segkit_segments",
                     "if_exists": "fail", "password_env": VAR}


def test_missing_password_variable_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, db_config("sqlite:///shop.db")))
    message = str(info.value)
    assert "'sources.transactions.password_env'" in message and f"'{VAR}'" in message and "not set" in message


@pytest.mark.parametrize("url, extra, expected", [
    ("postgresql+psycopg://u:inline@h/db", f"    password_env: {VAR}\n", "exclude each other"),
    ("not a url", f"    password_env: {VAR}\n", "'sources.transactions.url' is not a database URL"),
    (None, f"    password_env: {VAR}\n", "'sources.transactions.password_env' is a database password: it needs"),
])
def test_password_env_needs_a_url_without_password(tmp_path, monkeypatch, url, extra, expected):
    monkeypatch.setenv(VAR, SECRET)
    text = db_config(url, extra) if url else BASE + f"sources:\n  transactions:\n    path: tx.csv\n{extra}"
    with pytest.raises(ConfigError, match=expected):
        load_config(write(tmp_path, text))


def test_password_written_in_the_url_is_hidden_in_the_saved_config(tmp_path):
    cfg = load_config(write(tmp_path, db_config("postgresql+psycopg://analyst:hunter2@db.internal/sales", "")))
    assert cfg["sources"]["transactions"]["url"] == "postgresql+psycopg://analyst:hunter2@db.internal/sales"
    saved = dump_config(cfg)
    assert "hunter2" not in saved and "postgresql+psycopg://analyst:***@db.internal/sales" in saved


def test_password_env_on_postgresql(tmp_path, monkeypatch):
    url = os.environ.get("SEGKIT_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL tests skipped: no server configured. To run them: "
                    "export SEGKIT_TEST_POSTGRES_URL=$(bash .ci/start-postgres.sh)")
    parsed = sqlalchemy.make_url(url)
    assert parsed.password, "SEGKIT_TEST_POSTGRES_URL must carry a password for this test"
    monkeypatch.setenv(VAR, parsed.password)
    bare = url_without_password(parsed)
    text = BASE + (f"sources:\n  transactions:\n    url: {bare}\n    password_env: {VAR}\n"
                   "    query: SELECT 'a' AS client, DATE '2024-01-02' AS booked, 10.5 AS amount\n")
    cfg = load_config(write(tmp_path, text))
    assert source_columns(cfg["sources"]["transactions"], "transactions") == ["client", "booked", "amount"]
    assert yaml.safe_load(dump_config(cfg))["sources"]["transactions"]["url"] == bare
    monkeypatch.setenv(VAR, parsed.password + "-wrong")  # the password used is the variable's
    with pytest.raises(InputError, match="password authentication failed"):
        source_columns(load_config(write(tmp_path, text))["sources"]["transactions"], "transactions")


# --- README's key table ----------------------------------------------------------------------


def test_readme_key_table_is_generated_from_the_models():
    readme = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    assert with_key_table(readme) == readme, (
        "README's config key table differs from the models: run `python -m segkit_helpers.io.config_table README.md`")


def test_key_table_names_every_key_with_its_default_and_meaning():
    table = config_key_table()
    rows = table.splitlines()[2:]
    assert all(row.count(" | ") == 2 and not row.endswith("|  |") for row in rows)  # a meaning in every row
    assert "| `cycle`, `asof` | required |" in table
    assert "| `seed` | 42 |" in table
    assert "`segmentation.k`, `.k_range`, `.min_k` | auto, [2, 8], 3 |" in table
    assert "| `sources.<table>.password_env` | none |" in table
    assert "| `columns.<table>.<logical>` | same name |" in table
    assert "| `segmentation.estimator` | none |" in table


def test_regenerating_replaces_only_the_table(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\ntext before\n\n{BEGIN}\n| old | table |\n{END}\n\ntext after\n", encoding="utf-8")
    assert main([str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text == f"# Title\n\ntext before\n\n{BEGIN}\n{config_key_table()}\n{END}\n\ntext after\n"
    readme.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no config key table"):
        main([str(readme)])

