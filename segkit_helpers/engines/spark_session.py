"""A Spark session for segkit: started from ``engine.spark`` or given, with clear errors when Spark cannot run.

pyspark is an optional dependency (the ``spark`` extra); it needs a Java runtime
(17 or later for Spark 4). :func:`spark_unavailable` says why Spark cannot start
here, so that tests can skip with that reason and users get one line instead of a
JVM traceback. :func:`spark_errors` turns a Spark job's out-of-memory or lost executor
into one line naming the setting to change.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from segkit_helpers.errors import ConfigError

#: Session settings segkit needs whatever the cluster: timestamps read and returned as written (no zone
#: shift), Arrow for the customer-level results that come back, ANSI SQL (a failed cast is an error, not a
#: silent NULL; segkit's own checks use TRY_CAST); ``engine.spark.conf`` overrides any of them.
DEFAULT_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.enabled": "false",
    "spark.sql.ansi.enabled": "true",
    "spark.ui.showConsoleProgress": "true",  # Spark's bar per stage on long runs (DuckDB shows its own per query)
}


def spark_unavailable() -> str | None:
    """Why a local Spark session cannot start on this machine (``None``: it can)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'segkit[spark]')"
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "no Java runtime (Spark needs Java 17 or later: on Debian, apt-get install openjdk-17-jre-headless)"
    return None


def spark_session(master: str = "local[*]", conf: dict[str, Any] | None = None, app_name: str = "segkit"):
    """Get or start the Spark session of ``engine.spark`` (``master``, extra ``conf``).

    An active session (one the caller started, e.g. on Databricks) is reused as it is,
    apart from segkit's session settings of :data:`DEFAULT_CONF`. A local session runs
    its Python workers (``mapInPandas``, UDFs) with this interpreter unless
    ``PYSPARK_PYTHON`` says otherwise (pyspark's default, ``python3`` on the PATH, may
    lack segkit's packages).

    Raises
    ------
    ConfigError
        pyspark or Java is missing, or the session does not start.
    """
    reason = spark_unavailable()
    if reason:
        raise ConfigError(f"engine.name spark: {reason}")
    import warnings

    from pyspark.sql import SparkSession

    # pyspark 4.3 warns at every Arrow conversion that it "does not yet fully support pandas >= 3"; the
    # engine tests compare every result with DuckDB's, so the warning is noise on a user's terminal
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

    settings = {**DEFAULT_CONF, **{k: str(v) for k, v in (conf or {}).items()}}
    active = SparkSession.getActiveSession()
    if active is not None:
        for key, value in settings.items():
            if active.conf.isModifiable(key):  # static settings (memory, warehouse) are the session owner's
                active.conf.set(key, value)
        return active
    if master.startswith("local"):  # a local session listens on loopback only, whatever the host name resolves to
        settings = {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1", **settings}
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # and says nothing of the host name at start
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # JVM failed to start: one line, not a Py4J traceback
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"engine.name spark: the Spark session did not start (engine.spark.master = {master}): "
                          f"{first}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


#: Fragments of Spark's error messages → the one-line advice segkit gives.
_SPARK_FAILURES = [
    (("OutOfMemoryError", "java heap space", "GC overhead limit"),
     "Spark ran out of memory: raise engine.spark.conf spark.driver.memory (local mode) or "
     "spark.executor.memory (cluster), e.g. 4g"),
    (("ExecutorLostFailure", "lost executor", "Executor heartbeat timed out", "SparkContext was shut down"),
     "a Spark executor was lost: raise engine.spark.conf spark.executor.memory, or "
     "spark.executor.memoryOverhead on a cluster, and run again"),
]


def spark_failure(exc: BaseException) -> str | None:
    """The one-line advice for a Spark job's failure, when it is one segkit recognises."""
    text = str(exc)
    lowered = text.lower()
    for fragments, advice in _SPARK_FAILURES:
        if any(f.lower() in lowered for f in fragments):
            return advice
    return None


@contextmanager
def spark_errors(table: str = "transactions") -> Iterator[None]:
    """Turn Spark's out-of-memory or lost-executor failures into one :class:`ConfigError` line."""
    try:
        yield
    except ConfigError:
        raise
    except Exception as exc:
        advice = spark_failure(exc)
        if advice is None:
            raise
        raise ConfigError(f"table '{table}': {advice}") from None
