"""Scoring at scale: a cycle's saved model applied to a Parquet dataset or Spark table, in parallel.

``segkit score MODEL.skops INPUT --out OUTPUT --engine spark`` runs
:func:`~segkit_helpers.schemes.behavioural.score_customers`, the one definition of
scoring, on Spark's executors (``DataFrame.mapInPandas``), one Arrow batch at a time.

How it goes:

1. The model is loaded once on the driver (:func:`~segkit_helpers.io.model_io.load_model`,
   the same allow-list as the in-process scorer) with the personas beside it; both travel
   to the executors inside the pickled scoring function (pyspark broadcasts a function
   larger than 1 MB itself).
2. INPUT is read as Parquet when it is an existing file or directory or a URI
   (``s3a://…``, ``hdfs://…``, ``dbfs:/…``), else as a Spark table (``spark.table``).
3. Checks on the driver, before the job: a missing column raises the in-process scorer's
   own message (``score_customers`` on no rows); one aggregation over the whole input
   counts the customers and the rows whose feature values are not numbers (missing, NaN
   or text that does not cast to a number), giving the in-process line with that count;
   the first :data:`SAMPLE_ROWS` rows are scored in process. An executor's own segkit
   error (the Python exception travels inside the Spark error; e.g. text that Spark casts
   but pandas does not, such as ``5d``) comes back as the same one line, counted in its
   batch; any other Python error on an executor as one line naming it.
4. The output schema is read off the scored sample, with stable types whatever a batch
   holds: ``customer_id``, ``segment_name``, ``hybrid_label`` as string, ``segment`` and
   ``secondary_segment`` as (nullable) long, the probabilities and ``membership`` as double.
   A partition or batch without rows yields nothing.
5. OUTPUT is a Parquet dataset (a directory of part files, written by the executors), or a
   Spark table when it reads ``table:NAME`` (in the session's catalog: on a cluster with a
   metastore, Unity Catalog or Glue it stays; a bare local session's catalog lives in memory
   and ends with the session, its files staying in ``spark-warehouse/``). An existing output is never replaced unless
   ``overwrite`` is set, and even then a path only when it is a directory of Spark's part
   files that neither is, holds nor lies inside the input: Spark's overwrite deletes the old
   output before the job reads the input and writes the new one. A failed job leaves no
   output directory behind. Rows come in no particular order.

The executors need segkit and its dependencies installed, the same version as the driver
(on a local session they are this interpreter).
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from segkit_helpers import errors
from segkit_helpers.engines.spark_session import spark_errors, spark_session
from segkit_helpers.errors import InputError
from segkit_helpers.io.model_io import load_model, load_personas
from segkit_helpers.schemes.behavioural import FEATURES, score_customers

if TYPE_CHECKING:  # pyspark is optional
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

#: The table name of the customers to score, in messages (as the in-process scorer's).
TABLE = "customers to score"
#: Rows scored on the driver to check the input and read the output schema off.
SAMPLE_ROWS = 100
#: The prefix of an OUTPUT that names a Spark table instead of a Parquet path.
TABLE_PREFIX = "table:"
#: Rows per Arrow batch handed to ``score_customers`` on the executors (Spark's default, 10,000, spends about
#: half of a local run on per-batch overhead); ``conf`` may set ``spark.sql.execution.arrow.maxRecordsPerBatch``.
BATCH_ROWS = 100_000
#: Output columns holding segment ids (long, nullable); other numbers are double.
SEGMENT_COLUMNS = ("segment", "secondary_segment")

_URI = re.compile(r"^[A-Za-z][\w+.-]*:/")
_SEGKIT_ERROR = re.compile(r"segkit_helpers\.errors\.(InputError|ConfigError): (.+)")
_PYTHON_ERROR = re.compile(r"^([\w.]+(?:Error|Exception)): (.+)$", re.MULTILINE)


def score_with_spark(model_path: str | os.PathLike, input: str | os.PathLike, out: str | os.PathLike, *,
                     master: str = "local[*]", conf: dict[str, Any] | None = None, session: SparkSession | None = None,
                     trust: bool = False, overwrite: bool = False) -> int:
    """Score the customers of a Parquet dataset or Spark table with a cycle's model, on Spark.

    Parameters
    ----------
    model_path
        The cycle's ``model.skops``; ``personas.yml`` beside it names the segments.
    input
        A Parquet file or dataset directory (local path or URI), or else a Spark table name,
        with ``customer_id`` and the model's feature columns.
    out
        The Parquet dataset (directory) to write, or ``table:NAME`` for a Spark table.
    master, conf
        The session to start when ``session`` is not given and none is active
        (:func:`~segkit_helpers.engines.spark_session.spark_session`; ``conf`` also goes to an
        active one, with batches of :data:`BATCH_ROWS` unless it says otherwise); a session
        this call starts is stopped at the end.
    session
        A running SparkSession to use as it is.
    trust
        Load types outside segkit's allow-list from the model file.
    overwrite
        Replace an existing output (otherwise an existing output is an error): a table, or a
        directory of Spark's part files that is not the input's.

    Returns
    -------
    int
        The number of customers scored (rows written).

    Raises
    ------
    InputError
        Model or input not found or unreadable, a column missing, values that are not
        numbers (the in-process scorer's lines), no rows, an existing output (or one
        ``overwrite`` may not replace), an executor failing.
    ConfigError
        Spark cannot start, or ran out of memory or lost an executor.
    """
    model_path = Path(model_path)
    if not model_path.is_file():
        raise InputError(f"model file not found: {model_path}")
    model = load_model(model_path, trust=trust)
    personas = load_personas(model_path)
    table_out, path_out = _output(str(out))
    with warnings.catch_warnings():
        # pyspark 4 warns at start and at each pandas conversion that it does not "fully support" pandas 3
        # (the tests check the conversions used here); the warning would come before every command's one line
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
        own = session is None and _active_session() is None
        spark = session or spark_session(master, {"spark.sql.execution.arrow.maxRecordsPerBatch": BATCH_ROWS,
                                                  **(conf or {})})
        try:
            return _score(spark, model, personas, str(input), table_out, path_out, overwrite)
        finally:
            if own:
                spark.stop()


def _score(spark: SparkSession, model, personas: list[dict] | None, input: str, table_out: str | None,
           path_out: str | None, overwrite: bool) -> int:
    """Check, score and write (the body of :func:`score_with_spark`); the number of customers scored."""
    customers = read_customers(spark, input)
    _check_output_free(spark, table_out, path_out, overwrite, input)
    schema, rows = check_and_schema(customers, model, personas)
    types = [(field.name, field.dataType.simpleString()) for field in schema.fields]
    scored = customers.mapInPandas(functools.partial(score_batches, model, personas, types), schema)
    _write(scored, table_out, path_out, overwrite)
    return rows  # score_customers gives one row per customer


def read_customers(spark: SparkSession, input: str) -> DataFrame:
    """The customers to score: Parquet at ``input`` when it is an existing path or a URI, else the table ``input``.

    Raises
    ------
    InputError
        A CSV file, unreadable Parquet, or neither a path nor a table.
    """
    if _is_path(input):
        if input.lower().endswith(".csv"):
            raise InputError(f"table '{TABLE}': the spark engine reads Parquet or a Spark table, not CSV ({input}); "
                             "convert it, or use --engine pandas")
        try:
            return spark.read.parquet(input)
        except Exception as exc:
            raise InputError(f"table '{TABLE}': cannot read {input}: {_first_line(exc)}") from None
    try:
        return spark.table(input)
    except Exception as exc:
        if any(cause in str(exc) for cause in ("NOT_FOUND", "PARSE_SYNTAX_ERROR", "INVALID_IDENTIFIER")):
            # no such table or schema, or not a table name at all (a path that does not exist: "../new.parquet")
            raise InputError(f"table '{TABLE}': {input} is neither a Parquet file or directory nor a Spark "
                             "table") from None
        raise InputError(f"table '{TABLE}': cannot read the table {input}: {_first_line(exc)}") from None


def check_and_schema(customers: DataFrame, model, personas: list[dict] | None) -> tuple[StructType, int]:
    """Check the input on the driver; return the output's Spark schema and the number of rows.

    A missing column raises the in-process scorer's own error (``score_customers`` on no
    rows); :func:`count_rows` counts the rows and the feature values that are not
    numbers over the whole input; the schema is :func:`output_schema` of the first
    :data:`SAMPLE_ROWS` rows scored in process.

    Returns
    -------
    tuple
        (``StructType`` of the scored customers, number of customers).

    Raises
    ------
    InputError
        A missing column, values that are not numbers, no rows.
    """
    features = model.features or FEATURES
    if not all(c in customers.columns for c in ["customer_id", *features]):
        score_customers(model, customers.limit(0).toPandas(), personas, table=TABLE)  # raises: column missing
    rows = count_rows(customers, features if model.numeric else [])
    if not rows:
        raise InputError(f"table '{TABLE}' has no rows: nothing to score")
    sample = customers.limit(SAMPLE_ROWS).toPandas()
    return output_schema(score_customers(model, sample, personas, table=TABLE)), rows


def count_rows(customers: DataFrame, features: list[str]) -> int:
    """The number of rows, with the rows whose ``features`` are not numbers counted as the in-process scorer does.

    A value is not a number when it is missing, NaN, or text that does not cast to a
    double (columns of other types are left to the executors' scorer); one aggregation
    over the whole input counts them all.

    Raises
    ------
    InputError
        The first feature column (in the model's order) with such rows: count and an example.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import BooleanType, NumericType, StringType

    kinds = {f.name: f.dataType for f in customers.schema.fields}
    checked = [c for c in features if isinstance(kinds[c], (NumericType, StringType, BooleanType))]
    bad = {c: customers[c].try_cast("double").isNull() | F.isnan(customers[c].try_cast("double")) for c in checked}
    counts = customers.agg(F.count(F.lit(1)).alias("rows"),
                           *[F.count_if(cond).alias(f"bad_{i}") for i, cond in enumerate(bad.values())]).first()
    for i, column in enumerate(checked):
        if counts[f"bad_{i}"]:
            example = customers.filter(bad[column]).select(column).first()[0]
            if example is None:  # missing: NaN, as pandas reads it (a float64 one from a number column)
                example = np.float64("nan") if isinstance(kinds[column], NumericType) else float("nan")
            raise InputError.bad_rows(TABLE, column, int(counts[f"bad_{i}"]), example, "are not numbers")
    return int(counts["rows"])


def output_schema(scored: pd.DataFrame) -> StructType:
    """The Spark schema of scored customers: ids and text as string, segment ids as long, other numbers as double."""
    from pyspark.sql.types import BooleanType, DoubleType, LongType, StringType, StructField, StructType

    def kind(name: str, dtype) -> Any:
        if name in SEGMENT_COLUMNS:
            return LongType()
        if name == "customer_id" or not pd.api.types.is_numeric_dtype(dtype):
            return StringType()
        return BooleanType() if pd.api.types.is_bool_dtype(dtype) else DoubleType()

    return StructType([StructField(str(name), kind(name, dtype), nullable=True)
                       for name, dtype in scored.dtypes.items()])


#: pandas dtypes of the output's Spark types (Spark's simple type names).
_PANDAS_TYPES = {"bigint": "Int64", "double": "float64", "boolean": "boolean", "string": "string"}


def score_batches(model, personas: list[dict] | None, types: list[tuple[str, str]],
                  batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """The executors' side: each batch of customers scored by ``score_customers``, in the output's types.

    ``types`` lists the output's columns with their Spark simple type names (``bigint``,
    ``double``, ``boolean``, ``string``); a batch without rows yields nothing.
    """
    for batch in batches:
        if len(batch):
            scored = score_customers(model, batch, personas, table=TABLE)
            yield pd.DataFrame({name: scored[name].astype(_PANDAS_TYPES[kind]) for name, kind in types})


def _output(out: str) -> tuple[str | None, str | None]:
    """(table name, None) for ``table:NAME``, else (None, Parquet path)."""
    if out.startswith(TABLE_PREFIX):
        name = out[len(TABLE_PREFIX):].strip()
        if not name:
            raise InputError(f"output {out!r}: name the table after '{TABLE_PREFIX}'")
        return name, None
    if out.lower().endswith(".csv"):
        raise InputError(f"output {out}: the spark engine writes a Parquet dataset (a directory) or "
                         f"{TABLE_PREFIX}NAME, not CSV")
    return None, out


def _check_output_free(spark, table: str | None, path: str | None, overwrite: bool, input: str) -> None:
    """Fail before the job when the output exists and may not be replaced, or may not be replaced by Spark.

    An existing output needs ``overwrite``. Even then a path is refused when it is the input,
    holds it or lies inside it (Spark deletes the output before it reads the input), and when
    it is not a directory of Spark's part files (a file, or a folder holding anything else).
    """
    if table:
        if not overwrite and spark.catalog.tableExists(table):
            raise InputError(_exists_message(table, path))
        return
    out, source = _qualified(spark, path), _qualified(spark, input) if _is_path(input) else None
    if source and (out == source or source.startswith(out + "/") or out.startswith(source + "/")):
        raise InputError(f"output {path}: it is the input {input}, holds it or lies inside it; write elsewhere")
    entries = _entries(spark, path)
    if entries is None:
        return
    if not overwrite:
        raise InputError(_exists_message(table, path))
    foreign = [name for name in entries if not name.startswith(("part-", "_", "."))]
    if foreign:
        raise InputError(f"output {path} is not a dataset of Spark's part files (it holds {foreign[0]!r}); "
                         "--overwrite replaces only such a directory: remove it yourself or write elsewhere")


def _hadoop(spark, path: str):
    """(Hadoop file system, Hadoop path) of ``path`` on the session (local, HDFS, S3 …); ``None`` on Spark Connect."""
    try:
        target = spark._jvm.org.apache.hadoop.fs.Path(path)
        return target.getFileSystem(spark._jsc.hadoopConfiguration()), target
    except Exception:  # no JVM gateway (Spark Connect)
        return None


def _is_path(text: str) -> bool:
    """An INPUT or OUTPUT that names a path: an existing file or directory, or a URI."""
    return Path(text).exists() or bool(_URI.match(text))


def _qualified(spark, path: str) -> str:
    """``path`` in full (scheme and absolute path, no trailing slash), to compare paths."""
    found = _hadoop(spark, path)
    text = str(found[0].makeQualified(found[1]).toString()) if found else os.path.abspath(path)
    return text.rstrip("/")


def _entries(spark, path: str) -> list[str] | None:
    """The names in the directory ``path`` (``None``: nothing there); a file gives its own name."""
    found = _hadoop(spark, path)
    if found is None:
        local = Path(path)
        return None if not local.exists() else [p.name for p in local.iterdir()] if local.is_dir() else [local.name]
    fs, target = found
    if not fs.exists(target):
        return None
    if not fs.getFileStatus(target).isDirectory():
        return [str(target.getName())]
    return [str(status.getPath().getName()) for status in fs.listStatus(target)]


def _exists_message(table: str | None, path: str | None) -> str:
    """The one line for an output that exists."""
    what = f"table {table}" if table else path
    return f"output {what} already exists; pass --overwrite to replace it"


def _write(scored, table: str | None, path: str | None, overwrite: bool) -> None:
    """Run the scoring job, writing the Parquet dataset or table; failures as one segkit line."""
    writer = scored.write.mode("overwrite" if overwrite else "errorifexists")
    with spark_errors(TABLE):
        try:
            writer.saveAsTable(table) if table else writer.parquet(path)
        except Exception as exc:
            if path:
                _remove_if_empty(scored.sparkSession, path)
            raise _as_segkit_error(exc, table, path) from None


def _remove_if_empty(spark, path: str) -> None:
    """Remove the output directory a failed job leaves behind (Spark removes its ``_temporary`` files on abort,
    not the directory), so that the next run is not refused as overwriting it; only an empty directory goes."""
    try:
        found = _hadoop(spark, path)
        if found and _entries(spark, path) == []:
            found[0].delete(found[1], False)
    except Exception:  # noqa: S110 - best effort: the job's own error is the one to show
        pass


def _as_segkit_error(exc: Exception, table: str | None, path: str | None) -> Exception:
    """A failed write as a segkit error: an executor's segkit error as it was raised, a Python error on an
    executor or Spark's refusal as one line; anything else (out of memory …) as it is, for :func:`spark_errors`."""
    from pyspark.errors import AnalysisException, PythonException

    text = str(exc)
    if match := _SEGKIT_ERROR.search(text):
        return getattr(errors, match[1])(match[2].strip())
    if "LOCATION_ALREADY_EXISTS" in text:  # the folder outlived its table (a local catalog ends with its session)
        return InputError(f"output table {table}: {_first_line(exc)}")
    if "ALREADY_EXISTS" in text:
        return InputError(_exists_message(table, path))
    if isinstance(exc, PythonException):
        found = _PYTHON_ERROR.findall(text)
        last = f"{found[-1][0]}: {found[-1][1]}" if found else _first_line(exc)
        return InputError(f"table '{TABLE}': scoring failed on an executor: {last}")
    if isinstance(exc, AnalysisException):
        return InputError(f"output {f'table {table}' if table else path}: {_first_line(exc)}")
    return exc


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message (Spark's and Py4J's run on with stack traces)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _active_session():
    """The active SparkSession of this thread, if pyspark is installed and one runs."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    return SparkSession.getActiveSession()
