"""The cycle config as pydantic models: every key, its type, its default and its meaning, once.

:class:`CycleConfig` is the whole file; each section is a model a function can take on its
own. Unknown keys are errors (``extra="forbid"``), a key set to nothing (``null``) takes its
default, and the README's key table is generated from the descriptions here and in
:mod:`segkit_helpers.io.config_inputs` (:mod:`segkit_helpers.io.config_table`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from segkit_helpers.io.config_fields import (
    ConfigPath, Currency, CycleId, DatabaseUrl, Date, Flag, Float, Int, Invalid, K, KRange, MemoryLimit, Names, PasswordEnv,
    Scheme, Section, Share, Text, key, one_of, rule, section,
)
from segkit_helpers.io.config_inputs import Columns, Sources, check_password_env, database_url
from segkit_helpers.report.i18n import LANGUAGES


_QUESTIONS = "answers to the five questions (notebook 00's parameters of the same names override them when not empty)"
_BARS = "data bars of the go / no-go verdict"


class Readiness(Section):
    """``readiness``: the five business questions and the data bars of notebook 00."""

    goal: Text = key("", _QUESTIONS)
    base_large_and_varied: Text = key("", _QUESTIONS)
    actionable: Text = key("", _QUESTIONS)
    resources: Text = key("", _QUESTIONS)
    will_act: Text = key("", _QUESTIONS)
    min_customers: Int = key(200, _BARS)
    min_history_days: Int = key(180, _BARS)
    max_missing_customer_share: Float = key(0.5, _BARS)
    stop_on_no_go: Flag = key(True, _BARS)


_DUCKDB = "DuckDB limits (threads ≥ 1; a limit with a unit, at least 64MB); beyond the memory limit DuckDB spills to disk"


class Spark(Section):
    """``engine.spark``: the Spark session of ``engine.name: spark``."""

    master: Text = key("local[*]", "Spark master URL: `local[*]` (this machine, all cores), `local[2]`, "
                       "`spark://host:7077`, `yarn`; an active session (Databricks, or one passed to the Python API) "
                       "is used as it is", "`local[*]`")
    conf: dict[str, Any] = Field(default_factory=dict, description="Spark settings for the session, e.g. "
                                 "`spark.driver.memory: 4g`, `spark.executor.memory: 8g`")


class Engine(Section):
    """``engine``: where the order lines are aggregated, and DuckDB's threads and memory."""

    name: Annotated[Literal["duckdb", "spark", "database"], one_of("duckdb", "spark", "database")] = key(
        "duckdb", "where the profile's order lines are aggregated (cleaning counts, order and item tables, customer "
        "metrics): `duckdb` (embedded, out of core), `spark` (a Spark session: `sources.transactions.path` as "
        "Parquet, CSV or Delta, or `.table` of its catalog), `database` (inside the database of "
        "`sources.transactions.url`: no order line leaves the server); only customer-level rows come back")
    threads: Annotated[Int, rule(lambda n: n >= 1, "must be a whole number of at least 1")] | None = key(
        None, _DUCKDB, "all cores")
    memory_limit: MemoryLimit | None = key(None, _DUCKDB, "DuckDB's default")
    spark: Spark = section(Spark)


_CANCELLED = "an order id prefix, or values of a mapped `status` column, that mark a cancellation (its value counts " \
             "negative, as a storno of a purchase, whatever the sign of its quantity)"


class Cleaning(Section):
    """``cleaning``: returns, cancellations, duplicates."""

    returns: Annotated[Literal["net", "drop"], one_of("net", "drop")] = key(
        "net", "`net`: returns and cancellations reduce revenue but are not orders; `drop`: removed, with lines of "
        "zero quantity (the usual literature cleaning)")
    cancelled_statuses: Names = key([], _CANCELLED)
    cancellation_prefix: Text = key("C", _CANCELLED, '"C"')
    drop_duplicates: Annotated[bool | Literal["auto"], one_of(True, False, "auto", meaning="auto, true or false")] = key(
        "auto", "exact duplicate lines (equal in every mapped column): `auto` drops the surplus copies only when "
        "`order_id` and `product`, or a `line_id`, are mapped, and keeps every line otherwise (without them, equal "
        "lines are two identical purchases as often as one line twice); `true` / `false` force it. The cleaning "
        "table and 00's check say which and why")
    drop_non_positive_customers: Flag = key(True, "drop customers whose net revenue is not positive")


_LINES = "CSV `product,line` mapping for the product split (a mapped `category` column is used first); the lines " \
         "with the most spend that keep their name (the rest are \"other\")"


class Research(Section):
    """``research``: RFM rules and product lines."""

    rfm_rules: ConfigPath | None = key(None, "YAML file of named RFM segment rules (copy "
                                       "`segkit_helpers/resources/rfm_segments.yml`)", "shipped grid")
    product_lines: ConfigPath | None = key(None, _LINES)
    max_product_lines: Int = key(8, _LINES)


_PROFIT = "profit = gross margin (from a `cost` column, else margin_rate × revenue) − cost to serve (cost_per_order × " \
          "orders + cost_per_customer, or the customers table's `cost_to_serve`)"
_PROFITABLE = "profitable = profit above the threshold, or above this quantile of profit (e.g. 0.5) when set"


class Value(Section):
    """``value``: margin and cost to serve."""

    margin_rate: Float = key(0.25, _PROFIT)
    cost_per_order: Float = key(5.0, _PROFIT)
    cost_per_customer: Float = key(0.0, _PROFIT)
    profit_threshold: Float = key(0.0, _PROFITABLE)
    profit_quantile: Share | None = key(None, _PROFITABLE)


class Loyalty(Section):
    """``loyalty``: the loyal bar."""

    threshold: Float = key(3.0, "loyal when (r_score + f_score) / 2 reaches it")


class Abc(Section):
    """``abc``: ABC classes."""

    a_share: Float = key(0.8, "ABC classes by share of revenue")
    b_share: Float = key(0.15, "ABC classes by share of revenue")

    @model_validator(mode="after")
    def _shares(self) -> Abc:
        if not 0 < self.a_share < self.a_share + self.b_share < 1:
            raise Invalid("config keys 'abc.a_share' and 'abc.b_share' must be positive and sum to less than 1")
        return self


class Xyz(Section):
    """``xyz``: XYZ classes."""

    x_max: Float = key(0.5, "XYZ classes by the coefficient of variation of monthly spend")
    y_max: Float = key(1.0, "XYZ classes by the coefficient of variation of monthly spend")

    @model_validator(mode="after")
    def _order(self) -> Xyz:
        if not 0 < self.x_max < self.y_max:
            raise Invalid("config keys 'xyz.x_max' < 'xyz.y_max' must be positive thresholds of the coefficient of "
                          "variation")
        return self


_CLV = "CLV fit (off for speed), horizon, annual discount rate, ridge penalty × Σ (log parameter)² on the scaled data " \
       "(0 = plain maximum likelihood), holdout period of the model check"


class Clv(Section):
    """``clv``: the customer lifetime value model."""

    enabled: Flag = key(True, _CLV)
    horizon_months: Int = key(12, _CLV)
    discount_rate: Float = key(0.10, _CLV)
    penalizer: Float = key(0.0, _CLV)
    holdout_days: Int = key(90, _CLV)

    @model_validator(mode="after")
    def _ranges(self) -> Clv:
        if self.horizon_months < 1 or not 0 <= self.discount_rate < 1:
            raise Invalid("config keys 'clv.horizon_months' (>= 1) and 'clv.discount_rate' (annual, 0 to 1) are out "
                          "of range")
        return self


class EstimatorSpec(Section):
    """``segmentation.estimator``: a clusterer of the user's choice, by import path."""

    estimator_class: Text = Field(alias="class", description="import path of a scikit-learn-style clusterer")
    params: dict[str, Any] = Field(default_factory=dict, description="keyword arguments of its constructor")


_K = "number of segments, or the range searched and the smallest k recommended"
_STABILITY = "bootstrap pairs per k for the stability curve; customers per resample (seeded sample above it)"
_SILHOUETTE = "silhouette sample size; second membership that makes a customer hybrid"
_FIRMOGRAPHIC = "firmographic: numeric-coded categories and skewed amounts; needs: survey weight column"


class Segmentation(Section):
    """``segmentation``: the scheme, its features and how k is chosen."""

    scheme: Scheme = key("behavioural", "`behavioural`, `firmographic`, `needs`, `opportunity` or `value_loyalty` "
                         "(see above; the one list is the registry `segkit_helpers.schemes.SCHEMES`, which "
                         "packages extend through the entry-point group `segkit.schemes`)")
    k: K = key("auto", _K)
    k_range: KRange = key([2, 8], _K)
    min_k: Int = key(3, _K)
    stability_resamples: Int = key(10, _STABILITY)
    stability_sample: Int = key(5000, _STABILITY)
    silhouette_sample: Int = key(5000, _SILHOUETTE)
    hybrid_threshold: Float = key(0.3, _SILHOUETTE)
    features: Names | None = key(None, "columns clustered (behavioural default: RFM; opportunity: product-line "
                                 "shares; firmographic / needs: every column of the customers table / survey)",
                                 "per scheme")
    categorical: Names = key([], _FIRMOGRAPHIC)
    log_features: Names = key([], _FIRMOGRAPHIC)
    weight_column: Text | None = key(None, _FIRMOGRAPHIC)
    min_penetration: Annotated[Float, rule(lambda x: 0 < x <= 1, "must be a share in (0, 1]")] = key(
        0.3, "a product line is whitespace for a customer when this share of their segment buys it")
    estimator: EstimatorSpec | None = key(None, "bring your own clusterer for the behavioural or opportunity scheme: "
                                          "`{class: sklearn.mixture.GaussianMixture, params: {...}}`, any importable "
                                          "scikit-learn-style estimator (`predict_proba` gives the memberships)")


_SEGMENT_BARS = "per-segment bars (bootstrap Jaccard, silhouette) below which a segment is \"do not target alone\""
_REVIEW = "a review sheet filled in by experts (CSV: `verdict` = fits / does not fit / unsure); customers per " \
          "segment on the sheet"


class Validation(Section):
    """``validation``: notebook 03's tests and bars."""

    bootstrap: Annotated[Int, rule(lambda n: n >= 2, "must be at least 2")] = key(20, "resamples, test level, "
                                                                                    "stability bar")
    alpha: Float = key(0.05, "resamples, test level, stability bar")
    min_stability: Float = key(0.75, "resamples, test level, stability bar")
    min_segment_stability: Float = key(0.6, _SEGMENT_BARS)
    min_separation: Float = key(0.25, _SEGMENT_BARS)
    hypotheses: ConfigPath | None = key(None, "hypothesis register (YAML; copy "
                                        "`segkit_helpers/resources/hypotheses.yml`)", "shipped example")
    test_features: Names | None = key(
        None, "features the hypotheses (H2, per-segment verdicts) are tested on; clustering features are always left "
        "out. Default for RFM and value × loyalty schemes: tenure, share of active months, order irregularity, basket "
        "value change, spend volatility, distinct products, XYZ class (not r/f/m scores, RFM segment, order value, "
        "profit, loyalty, ABC or quadrant, which are computed from RFM); for the other schemes also recency, "
        "frequency, monetary value and order value; `[]` when nothing outside the clustered columns is independent "
        "of them", "per scheme")
    review_sheet: ConfigPath | None = key(None, _REVIEW)
    review_typical: Int = key(5, _REVIEW)
    review_borderline: Int = key(5, _REVIEW)


_DRIFT = "drift alert level (PSI); a revision is due when the last full revision (a date) is this many months old"


class Monitor(Section):
    """``monitor``: drift and revision dates."""

    psi_alert: Float = key(0.25, _DRIFT)
    revision_months: Int = key(12, _DRIFT)
    last_revision: Date | None = key(None, _DRIFT)


_TARGET = "also write the CRM export to this database table (SQLAlchemy URL), in one transaction; a table of that " \
          "name that segkit did not create is left alone and the run refused, unless `if_exists: replace`"


class Target(Section):
    """``deploy.target``: the database table the CRM export is also written to."""

    url: DatabaseUrl | None = key(None, _TARGET)
    table: Text = key("segkit_segments", _TARGET)
    if_exists: Annotated[Literal["fail", "replace"], one_of(
        "fail", "replace", meaning="'fail' (leave a table segkit did not create alone) or 'replace'")] = key(
        "fail", _TARGET)
    password_env: PasswordEnv | None = key(None, "environment variable that holds the target database's password "
                                           "(as `sources.<table>.password_env`)")

    @model_validator(mode="after")
    def _password(self) -> Target:
        check_password_env(self.url, self.password_env)
        return self

    def database_url(self) -> Any:
        """The SQLAlchemy ``URL`` of the target (password from ``password_env`` set), else ``None``."""
        return database_url(self.url, self.password_env)


class Deploy(Section):
    """``deploy``: the playbook and the database target."""

    playbook: ConfigPath | None = key(None, "playbook YAML (copy `segkit_helpers/resources/playbook.yml`): quadrant "
                                      "actions, service models with their cost per customer, persona types with "
                                      "their conditions and tactics", "shipped")
    target: Target = section(Target)


class Report(Section):
    """``report``: the language of the pages and how they write amounts."""

    language: Annotated[str, one_of(*LANGUAGES)] = key(
        "en", "language of the cycle's index and history pages: `en`, `ru` or `pl`, numbers, dates and money in "
              "its conventions (`4 317`, `12,5%`, `1 234,56 zł`); the notebook pages are still in English")

    currency: Currency | None = key(None, "currency of the order amounts (ISO 4217 code: GBP, EUR, PLN …), shown with "
                                          "every amount on the pages; unset: plain numbers", "not set")


class CycleConfig(Section):
    """A cycle config: one YAML file, every section with its defaults filled in."""

    cycle: CycleId = key(meaning="cycle id (names the output folders); analysis date, inclusive")
    asof: Date = key(meaning="cycle id (names the output folders); analysis date, inclusive")
    previous_cycle: CycleId | None = key(None, "cycle to compare with; must exist in the same workdir")
    seed: Int = key(42, "seeds every random step: same inputs and seed give byte-identical segments")
    sources: Sources = section(Sources)
    columns: Columns = section(Columns)
    readiness: Readiness = section(Readiness)
    engine: Engine = section(Engine)
    cleaning: Cleaning = section(Cleaning)
    research: Research = section(Research)
    value: Value = section(Value)
    loyalty: Loyalty = section(Loyalty)
    abc: Abc = section(Abc)
    xyz: Xyz = section(Xyz)
    clv: Clv = section(Clv)
    segmentation: Segmentation = section(Segmentation)
    validation: Validation = section(Validation)
    monitor: Monitor = section(Monitor)
    deploy: Deploy = section(Deploy)
    report: Report = section(Report)

    @model_validator(mode="after")
    def _across_sections(self) -> CycleConfig:
        if self.previous_cycle == self.cycle:
            raise Invalid(f"config key 'previous_cycle' is the cycle itself ('{self.cycle}'): name an earlier cycle")
        transactions = self.sources.transactions
        if self.engine.name == "database" and not transactions.url:
            raise Invalid("config key 'engine.name' is database: 'sources.transactions.url' (with '.query' or "
                          "'.table') names the database the order lines are aggregated in")
        if self.engine.name == "spark" and transactions.table and not (transactions.path or transactions.url):
            return self  # a table of the Spark session's catalog
        if not (transactions.path or transactions.url):
            raise Invalid("config key 'sources.transactions.path' (or '.url' with '.query') is required: "
                          "the order lines to segment")
        return self

    def as_dict(self) -> dict:
        """The plain nested dict the cycle's functions read: every key, paths as text.

        A database URL whose password comes from ``password_env`` is a SQLAlchemy ``URL``
        with the password set (its ``str`` hides it); every other value is as in the YAML.
        """
        plain = self.model_dump(by_alias=True)
        for table, source in self.sources:
            if source.password_env:
                plain["sources"][table]["url"] = source.database_url()
        if self.deploy.target.password_env:
            plain["deploy"]["target"]["url"] = self.deploy.target.database_url()
        return plain
