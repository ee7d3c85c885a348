"""``segkit score --engine spark``: a real local Spark session scores as the in-process scorer does, row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from segkit_helpers.engines.spark_session import spark_unavailable

if spark_unavailable():
    pytest.skip(f"Spark tests skipped: {spark_unavailable()}", allow_module_level=True)

from segkit_helpers.cli import main  # noqa: E402
from segkit_helpers.deploy.spark_scoring import score_with_spark  # noqa: E402
from segkit_helpers.io.model_io import load_model, load_personas, save_model  # noqa: E402
from segkit_helpers.schemes.behavioural import SegmentModel, score_customers  # noqa: E402
from tests.test_segmentation import planted_profile  # noqa: E402

FEATURE_COLUMNS = ["customer_id", "recency_days", "frequency", "monetary"]


@pytest.fixture(scope="module")
def cycle(tmp_path_factory) -> dict:
    """A fitted model with personas, as a cycle leaves them, and new customers: the planted groups and blends of
    two of them (so that some customers have a secondary segment and a hybrid label)."""
    folder = tmp_path_factory.mktemp("cycle")
    profile = planted_profile()
    save_model(SegmentModel(n_segments=3, random_state=0).fit(profile), folder / "model.skops")
    personas = [{"segment": s, "name": name} for s, name in zip((1, 2, 3), ("Champions", "Regulars", "Lapsed"))]
    (folder / "personas.yml").write_text(yaml.safe_dump({"personas": personas}), encoding="utf-8")
    rng = np.random.default_rng(1)
    first, second = profile.sample(40, random_state=1), profile.sample(40, random_state=2)
    weight = rng.uniform(0.3, 0.7, (40, 1))
    features = FEATURE_COLUMNS[1:]
    blends = pd.DataFrame(weight * np.log1p(first[features].to_numpy())
                          + (1 - weight) * np.log1p(second[features].to_numpy()), columns=features)
    blends = np.expm1(blends).round(2).assign(customer_id=[f"b{i:03d}" for i in range(40)])
    new = pd.concat([profile[FEATURE_COLUMNS], blends[FEATURE_COLUMNS]], ignore_index=True)
    new.to_parquet(folder / "new.parquet", index=False)
    return {"folder": folder, "model": folder / "model.skops", "new": new, "input": folder / "new.parquet"}


def in_process(cycle: dict, customers: pd.DataFrame) -> pd.DataFrame:
    """What the in-process scorer gives, in comparable types."""
    model = load_model(cycle["model"])
    return comparable(score_customers(model, customers, load_personas(cycle["model"])))


def comparable(scored: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by customer id; ids and names as text, segments as nullable integers."""
    out = scored.sort_values("customer_id", ignore_index=True)
    for column in out:
        if column in ("segment", "secondary_segment"):
            out[column] = out[column].astype("Int64")
        elif not pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def test_scores_equal_the_in_process_scorer_on_four_partitions(spark, cycle, tmp_path):
    spark.read.parquet(str(cycle["input"])).repartition(4).cache().createOrReplaceTempView("new_customers")
    assert spark.table("new_customers").rdd.getNumPartitions() == 4
    n = score_with_spark(cycle["model"], "new_customers", tmp_path / "scored", session=spark)
    expected = in_process(cycle, cycle["new"])
    assert n == len(cycle["new"]) == 220
    pd.testing.assert_frame_equal(comparable(pd.read_parquet(tmp_path / "scored")), expected)
    assert expected["hybrid_label"].notna().sum() > 5 and expected["secondary_segment"].isna().sum() > 100
    types = {f.name: f.dataType.simpleString() for f in spark.read.parquet(str(tmp_path / "scored")).schema.fields}
    assert types == {"customer_id": "string", "segment": "bigint", "segment_name": "string", "prob_1": "double",
                     "prob_2": "double", "prob_3": "double", "membership": "double", "secondary_segment": "bigint",
                     "hybrid_label": "string"}


def test_partitions_without_rows_and_integer_ids(spark, cycle, tmp_path):
    few = cycle["new"].iloc[[0, 70, 200]].assign(customer_id=[7, 70, 700])  # integer ids come out as text
    spark.createDataFrame(few).repartition(4).createOrReplaceTempView("few_customers")
    assert spark.table("few_customers").rdd.getNumPartitions() == 4  # so one at least has no rows
    assert score_with_spark(cycle["model"], "few_customers", tmp_path / "few", session=spark) == 3
    got = comparable(pd.read_parquet(tmp_path / "few"))
    pd.testing.assert_frame_equal(got, in_process(cycle, few.astype({"customer_id": str})))


def test_cli_scores_a_parquet_dataset_into_a_dataset_and_a_table(spark, cycle, tmp_path, capsys):
    dataset = tmp_path / "customers"  # a directory of part files, as Spark writes them
    spark.read.parquet(str(cycle["input"])).repartition(3).write.parquet(str(dataset))
    args = ["score", str(cycle["model"]), str(dataset), "--engine", "spark", "--master", "local[2]",
            "--conf", "spark.sql.execution.arrow.maxRecordsPerBatch", "16"]  # several batches per partition
    assert main([*args, "--out", str(tmp_path / "scored")]) == 0
    assert capsys.readouterr().out.strip() == f"scored 220 customers → {tmp_path / 'scored'}"
    expected = in_process(cycle, cycle["new"])
    pd.testing.assert_frame_equal(comparable(pd.read_parquet(tmp_path / "scored")), expected)
    assert main([*args, "--out", "table:scored_customers"]) == 0
    pd.testing.assert_frame_equal(comparable(spark.table("scored_customers").toPandas()), expected)
    # an existing output is kept unless --overwrite
    before = sorted(p.name for p in (tmp_path / "scored").iterdir())
    for out in (str(tmp_path / "scored"), "table:scored_customers"):
        assert main([*args, "--out", out]) == 1
        assert capsys.readouterr().err.strip().endswith("already exists; pass --overwrite to replace it")
    assert sorted(p.name for p in (tmp_path / "scored").iterdir()) == before
    spark.createDataFrame(cycle["new"].head(5)).write.parquet(str(tmp_path / "five"))
    five = ["score", str(cycle["model"]), str(tmp_path / "five"), "--engine", "spark", "--overwrite"]
    assert main([*five, "--out", str(tmp_path / "scored")]) == 0
    assert main([*five, "--out", "table:scored_customers"]) == 0
    assert len(pd.read_parquet(tmp_path / "scored")) == spark.table("scored_customers").count() == 5


def bad_inputs(new: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Inputs both engines refuse, by name."""
    text = new.astype({"monetary": str})
    text.loc[[3, 150], "monetary"] = "n/a"  # the same text twice: Spark's rows have no order to pick an example by
    missing_value = new.copy()
    missing_value.loc[[10, 11, 12], "frequency"] = np.nan
    java_number = new.astype({"monetary": str})  # Java (hence Spark) reads "5d" as 5.0, pandas does not:
    java_number.loc[100, "monetary"] = "5d"  # the executor's scorer refuses it, the driver's check does not
    return {"column missing": new.drop(columns="monetary"), "text": text, "missing value": missing_value,
            "refused on an executor": java_number}


@pytest.mark.parametrize("case", ["column missing", "text", "missing value", "refused on an executor"])
def test_bad_input_gives_the_in_process_line(spark, cycle, tmp_path, capsys, case):
    path = tmp_path / "bad.parquet"
    bad_inputs(cycle["new"])[case].to_parquet(path, index=False)
    assert main(["score", str(cycle["model"]), str(path), "--out", str(tmp_path / "a.parquet")]) == 1
    expected = capsys.readouterr().err
    assert main(["score", str(cycle["model"]), str(path), "--out", str(tmp_path / "b"), "--engine", "spark"]) == 1
    got = capsys.readouterr().err
    assert got == expected and got.startswith("segkit: error: table 'customers to score'") and got.count("\n") == 1
    assert not (tmp_path / "b").exists()


def test_inputs_and_outputs_it_cannot_use(spark, cycle, tmp_path, capsys):
    cycle["new"].to_csv(tmp_path / "new.csv", index=False)
    spark.createDataFrame(cycle["new"]).limit(0).createOrReplaceTempView("nobody")
    cases = {
        "no_such_table": "no_such_table is neither a Parquet file or directory nor a Spark table",
        str(tmp_path / "gone/new.parquet"): "gone/new.parquet is neither a Parquet file or directory nor a Spark",
        str(tmp_path / "new.csv"): "the spark engine reads Parquet or a Spark table, not CSV",
        "nobody": "has no rows: nothing to score",
    }
    for source, message in cases.items():
        assert main(["score", str(cycle["model"]), source, "--out", str(tmp_path / "x"), "--engine", "spark"]) == 1
        assert message in capsys.readouterr().err
    assert main(["score", str(cycle["model"]), str(cycle["input"]), "--out", str(tmp_path / "x.csv"),
                 "--engine", "spark"]) == 1
    assert "writes a Parquet dataset (a directory) or table:NAME, not CSV" in capsys.readouterr().err
    assert main(["score", str(cycle["model"]), str(cycle["input"]), "--out", str(tmp_path / "x.parquet"),
                 "--overwrite"]) == 1
    assert "options of --engine spark" in capsys.readouterr().err
    # --overwrite never deletes the input (Spark would, before reading it) nor a folder of other files
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/notes.txt").write_text("keep me", encoding="utf-8")
    refusals = {str(cycle["input"]): "it is the input", str(cycle["folder"]): "holds it or lies inside it",
                str(tmp_path / "docs"): "is not a dataset of Spark's part files (it holds 'notes.txt')"}
    for out, message in refusals.items():
        assert main(["score", str(cycle["model"]), str(cycle["input"]), "--out", out, "--engine", "spark",
                     "--overwrite"]) == 1
        assert message in capsys.readouterr().err
    assert len(pd.read_parquet(cycle["input"])) == 220 and (tmp_path / "docs/notes.txt").read_text() == "keep me"


def test_a_mixed_data_model_scores_as_in_process(spark, tmp_path):
    from segkit_helpers.datasets.firmographic import make_firmographic_sample
    from segkit_helpers.schemes.firmographic import FirmographicModel

    firms, _ = make_firmographic_sample(200, k=3, seed=1)  # text categories and amounts: no numeric-only check
    columns = ["industry", "region", "legal_form", "employees", "annual_revenue"]
    save_model(FirmographicModel(3, 0, columns, log_features=["employees", "annual_revenue"]).fit(firms),
               tmp_path / "model.skops")
    firms.to_parquet(tmp_path / "firms.parquet", index=False)
    n = score_with_spark(tmp_path / "model.skops", tmp_path / "firms.parquet", tmp_path / "out", session=spark)
    assert n == 200
    expected = comparable(score_customers(load_model(tmp_path / "model.skops"), firms))
    pd.testing.assert_frame_equal(comparable(pd.read_parquet(tmp_path / "out")), expected)
