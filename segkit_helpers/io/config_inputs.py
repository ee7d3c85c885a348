"""The input side of the cycle config: ``sources`` (where each table is read from) and ``columns``."""

from __future__ import annotations

import os
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, create_model, field_validator, model_validator

from segkit_helpers.io.config_fields import (
    Char, ColumnMap, ConfigPath, DatabaseUrl, Encoding, Flag, Invalid, PasswordEnv, Section, Text, TimeZone, key,
    one_of, section, suggest,
)
from segkit_helpers.io.sources import FILE_FORMATS

#: Logical column names per input table (DESIGN.md): the one list, which the readers in
#: ``data`` follow. ``required`` must be present (``quantity``/``unit_price`` may be replaced
#: by ``amount``). ``line_id`` identifies an order line in the source (a line number or id);
#: ``status`` is an order line's state, for ``cleaning.cancelled_statuses``.
TABLE_COLUMNS: dict[str, dict[str, list[str]]] = {
    "transactions": {
        "required": ["customer_id", "order_date"],
        "optional": ["order_id", "line_id", "quantity", "unit_price", "amount", "product", "category", "cost",
                     "channel", "status"],
    },
    "customers": {
        "required": ["customer_id"],
        "optional": ["industry", "employees", "revenue", "legal_form", "region", "cost_to_serve", "acquisition_date"],
    },
    "survey": {"required": ["customer_id"], "optional": []},
    "experiments": {"required": ["customer_id", "group"], "optional": ["converted", "revenue"]},
}
#: Tables whose mapping may name extra logical columns (survey questions, firmographic attributes);
#: their unmapped source columns are read too, under their own names.
OPEN_TABLES = {"survey", "customers"}
#: The ``sources.<table>`` keys that say how a CSV file is written (DESIGN.md: "CSV files are read
#: as real exports are written"); their defaults read a plain UTF-8 export.
CSV_DIALECT = ("delimiter", "decimal", "thousands", "encoding", "header")


def database_url(url: str | None, password_env: str | None) -> Any:
    """``url`` as a SQLAlchemy URL, with the password from ``$password_env`` when one is named."""
    if not url:
        return None
    import sqlalchemy

    parsed = sqlalchemy.make_url(url)
    return parsed.set(password=os.environ[password_env]) if password_env else parsed


def url_without_password(url: Any) -> str:
    """A SQLAlchemy URL (text or ``URL``) as text with no password at all (``URL.set`` cannot remove one)."""
    import sqlalchemy

    parsed = sqlalchemy.make_url(url)
    return sqlalchemy.URL.create(parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database,
                                 parsed.query).render_as_string(hide_password=False)


def check_password_env(url: str | None, password_env: str | None) -> None:
    """A ``password_env`` needs a URL of a database that has passwords, and no password written in it."""
    if password_env is None:
        return
    if not url:
        raise Invalid("config key '{key}.password_env' is a database password: it needs '{key}.url'")
    import sqlalchemy

    try:
        parsed = database_url(url, None)
    except sqlalchemy.exc.ArgumentError:
        raise Invalid(f"config key '{{key}}.url' is not a database URL (e.g. postgresql+psycopg://user@host/db), "
                      f"got {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        raise Invalid("config key '{key}.password_env' names a password, but SQLite files have none: remove it")
    if parsed.password is not None:
        raise Invalid("config keys '{key}.url' (with a password) and '{key}.password_env' exclude each other: "
                      "keep the password in one place, preferably the environment variable")


_URL = "any SQLAlchemy URL instead of a file (`sqlite:///shop.db` is relative to the config; " \
       "`postgresql+psycopg://user@host/db`), with `.query` (SQL) or `.table`"
_PASSWORD = "environment variable that holds the database password, put into the URL when connecting " \
            "(never logged nor written into the saved `config.yml`); or write it in the URL"
_CSV_SEPARATORS = "CSV only: field separator (e.g. `\";\"`); decimal separator, `\".\"` or `\",\"`; digit group " \
                  "separator (`\" \"` also means the non-breaking spaces Excel writes; with `decimal: \",\"` spaces " \
                  "are the default). Numbers must then be written in groups of three (`1 234,56`), or the line is " \
                  "reported, never misread"
_CSV_FILE = "CSV only: any Python codec (`cp1250`, `cp1251`, `latin-1`, `utf-16` …; others than UTF-8, UTF-16 and " \
            "Latin-1 are transcoded to a temporary UTF-8 copy, removed after use); `header: false`: columns are " \
            "named `column0`, `column1`, … (map those)"


class SourceConfig(Section):
    """Where one input table is read from: a file, or a database URL with a query or table."""

    path: ConfigPath | None = key(None, "a CSV, Parquet, Excel (`.sheet`) or DuckDB file (`.table` or `.query`); "
                                  "tables: `transactions` (required), `customers`, `survey`, `experiments`", "—")
    sheet: Text | None = key(None, "Excel sheet to read (default: the first)", "first")
    url: DatabaseUrl | None = key(None, _URL, "—")
    query: Text | None = key(None, _URL, "—")
    table: Text | None = key(None, _URL, "—")
    password_env: PasswordEnv | None = key(None, _PASSWORD)
    date_format: Text | None = key(None, "strptime format for text dates, e.g. `\"%d/%m/%Y %H:%M\"` or `\"%d.%m.%Y\"`",
                                   "ISO")
    timezone: TimeZone | None = key(None, "IANA zone (e.g. `Europe/Warsaw`) that dates are read in: times with an "
                                    "offset or a zone are converted into it, times without one are taken to be in "
                                    "it. Without it, the clock written in the data counts (`23:30+02:00` is 23:30; a "
                                    "zone-aware Parquet column in the zone it was written in). The machine's zone "
                                    "never enters")
    delimiter: Char | None = key(None, _CSV_SEPARATORS, "detected")  # None: DuckDB's sniffer
    decimal: Annotated[Literal[".", ","], one_of(".", ",")] = key(".", _CSV_SEPARATORS, '"."')
    thousands: Char | None = key(None, _CSV_SEPARATORS)  # None: none with ".", spaces with ","
    encoding: Encoding = key("utf-8", _CSV_FILE)
    header: Flag = key(True, _CSV_FILE)
    format: Annotated[Literal["parquet", "csv", "delta"], one_of("parquet", "csv", "delta")] | None = key(
        None, "engine spark: the format of a `path` that is a directory (default: from its files; `delta` when it "
        "holds `_delta_log/`)", "detected")
    synthetic: Flag = key(False, "the table is generated, not observed (as the sample's experiment and survey): the "
                                 "index says so among its caveats")

    @model_validator(mode="after")
    def _consistent(self) -> SourceConfig:
        if self.path and self.url:
            raise Invalid("config keys '{key}.path' and '.url' exclude each other: keep one")
        if self.url and not (self.query or self.table):
            raise Invalid("config key '{key}.url' needs '.query' (SQL) or '.table'")
        check_password_env(self.url, self.password_env)
        given = [name for name in CSV_DIALECT if getattr(self, name) != type(self).model_fields[name].default]
        if given and not (self.path and FILE_FORMATS.get(self.path.suffix.lower()) == "csv"):
            raise Invalid(f"config key '{{key}}.{given[0]}' applies to CSV files only (.csv, .txt, .tsv); "
                          f"remove it for {self.path or 'a database source'}")
        if self.thousands is not None and (self.thousands == self.decimal or self.thousands.isdigit()):
            raise Invalid("config key '{key}.thousands' must be a non-digit other than the decimal separator, "
                          f"got {self.thousands!r}")
        return self

    def database_url(self) -> Any:
        """The SQLAlchemy ``URL`` of a database source (password from ``password_env`` set), else ``None``."""
        return database_url(self.url, self.password_env)


class _PerTable(Section):
    #: How the README's key table names a table of this section.
    placeholder: ClassVar[str] = "<table>"


Sources = create_model("Sources", __base__=_PerTable, __doc__="``sources``: one entry per input table.",
                       **{table: (SourceConfig, section(SourceConfig)) for table in TABLE_COLUMNS})


class _ColumnsBase(_PerTable):
    @field_validator("*")
    @classmethod
    def _logical_names(cls, mapping: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        table = info.field_name
        if table not in OPEN_TABLES:
            allowed = TABLE_COLUMNS[table]["required"] + TABLE_COLUMNS[table]["optional"]
            for logical in mapping:
                if logical not in allowed:
                    raise Invalid(f"unknown logical column '{{key}}.{logical}'.{suggest(logical, allowed)}")
        return mapping


Columns = create_model("Columns", __base__=_ColumnsBase, __doc__="``columns``: logical name → source column, per table.",
                       **{table: (ColumnMap, Field(default_factory=dict, description="map your columns to logical "
                                                   "names (below)", json_schema_extra={"shown": "same name",
                                                                                       "suffix": ".<logical>"}))
                          for table in TABLE_COLUMNS})


