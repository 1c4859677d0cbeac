"""The Python surface: pandas and polars conversions, filters, the cache argument, errors
(each names the path or argument), the comparison, and the docs `help()` shows."""

import datetime
import shutil

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import srtlog
from conftest import TESTDATA


@pytest.fixture(scope="module")
def example():
    return srtlog.load(TESTDATA / "runs", cache=False)


def test_pandas_and_polars_conversions_keep_rows_columns_and_values(example):
    for name in ("runs", "points", "batches", "memory", "launch_args"):
        table = example.table(name)
        df = example.to_pandas(name)
        assert isinstance(df, pd.DataFrame)
        assert df.shape == (table.num_rows, table.num_columns)
        assert list(df.columns) == table.column_names
        pf = example.to_polars(name)
        assert isinstance(pf, pl.DataFrame)
        assert pf.shape == (table.num_rows, table.num_columns)
        assert pf.columns == table.column_names
    points = example.to_pandas("points")
    # Floats stay floats (null is NaN), timestamps datetimes, lists lists.
    assert points["output_tps"].dtype == "float64"
    assert points["output_tps"].tolist()[0] == example.points.column("output_tps")[0].as_py()
    batches = example.to_pandas("batches")
    assert str(batches["timestamp"].dtype).startswith("datetime64")
    runs = example.to_polars("runs")
    assert runs["tags"].dtype == pl.List(pl.String)
    assert runs["job_id"].to_list() == example.job_ids
    # The example query of the README: best tok/s/GPU per topology.
    best = points.groupby("topology")["output_tps_per_gpu"].max()
    assert best.notna().any()


def test_filters_are_the_command_lines(example):
    one = srtlog.load(TESTDATA / "runs", cache=False, job="4401463")
    assert one.job_ids == ["4401463"]
    assert one.runs.column("job_id").to_pylist() == ["4401463"]
    gpu = example.runs.column("gpu_type").to_pylist()[0]
    by_gpu = srtlog.load(TESTDATA / "runs", cache=False, gpu_type=[gpu.upper()])
    assert set(by_gpu.runs.column("gpu_type").to_pylist()) == {gpu}
    assert len(srtlog.load(TESTDATA / "runs", cache=False, job=("4401463", "4999"))) == 2
    assert len(srtlog.load(TESTDATA / "runs", cache=False, since="2100-01-01")) == 0
    assert len(srtlog.load(TESTDATA / "runs", cache=False, since=datetime.date(2000, 1, 1))) == len(example)
    no_nodes = srtlog.load(TESTDATA / "runs", cache=False, nodes=False)
    assert no_nodes.batches.num_rows == 0 and example.batches.num_rows > 0
    assert no_nodes.points.num_rows == example.points.num_rows


def test_cache_dir_is_used_and_a_warm_load_gives_the_same_tables(tmp_path, example):
    cache = tmp_path / "cache"
    cold = srtlog.load(TESTDATA / "runs", cache=cache)
    assert cold.cache_stats["writes"] > 0 and any(cache.iterdir())
    warm = srtlog.load(TESTDATA / "runs", cache=str(cache))
    assert warm.cache_stats["hits"] > 0
    for name in srtlog.TABLES:
        assert warm.table(name).equals(example.table(name)), name


def test_a_file_is_not_a_directory_and_the_error_names_it():
    path = TESTDATA / "runs" / "4401463" / "4401463.json"
    with pytest.raises(srtlog.RunDirectoryError, match=str(path)) as err:
        srtlog.load(path)
    assert isinstance(err.value, srtlog.SrtlogError)
    missing = TESTDATA / "no-such-dir"
    with pytest.raises(srtlog.RunDirectoryError, match=f"cannot read {missing}"):
        srtlog.load(missing)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"gpu": "gb200"}, "unknown run filter 'gpu'|unknown run filter \"gpu\""),
        ({"since": "yesterday"}, 'since: "yesterday" is not a date'),
        ({"tag": 3}, "tag: expected a string or a list of strings, got int"),
        ({"backend": ["sglang", 1]}, "backend: expected strings, got int"),
        ({"jobs": 0}, "jobs: must be at least 1"),
        ({"cache": 1.5}, "cache: expected True, False or a directory"),
    ],
)
def test_bad_arguments_are_argument_errors_that_say_what(kwargs, message):
    with pytest.raises(srtlog.ArgumentError, match=message):
        srtlog.load(TESTDATA / "runs", **kwargs)


def test_an_unknown_table_is_an_argument_error(example):
    with pytest.raises(srtlog.ArgumentError, match="no table \"nope\"; the tables are runs, points"):
        example.table("nope")
    with pytest.raises(AttributeError, match="the tables are"):
        example.nope


def test_bad_runs_load_with_their_skips_and_warnings():
    bad = srtlog.load(TESTDATA / "bad-runs", cache=False)
    skipped = bad.skipped.to_pylist()
    assert skipped and all(s["reason"].startswith(s["path"]) for s in skipped)
    assert any(w for w in bad.runs.column("run_warnings").to_pylist())


def test_diff_of_a_pair_gives_the_document_and_its_point_deltas():
    a, b = TESTDATA / "diff" / "pairs" / "7001", TESTDATA / "diff" / "pairs" / "7002"
    c = srtlog.diff(a, b, cache=False)
    assert c.document["diff_schema_version"] == 1
    assert [r["job_id"] for r in c.document["baseline"]] == ["7001"]
    assert c.comparable
    # 7002 is 10 % slower at concurrency 64: the default gate fails.
    assert c.failed
    deltas = c.points.to_pylist()
    row = next(d for d in deltas if d["concurrency"] == 64 and d["metric"] == "output_tps_per_gpu")
    assert (row["baseline_median"], row["candidate_median"], row["pct_change"]) == (1000.0, 900.0, -10.0)
    assert row["judgement"] == "worse"
    assert not srtlog.diff(srtlog.load(a, cache=False), srtlog.load(a, cache=False), fail_on="default").failed
    assert isinstance(c.to_pandas(), pd.DataFrame)


def test_diff_errors_name_what_is_wrong():
    a = srtlog.load(TESTDATA / "diff" / "pairs" / "7001", cache=False)
    empty = srtlog.load(TESTDATA / "diff" / "pairs", cache=False, job="9999")
    with pytest.raises(srtlog.ComparisonError, match="the candidate selects no run"):
        srtlog.diff(a, empty)
    with pytest.raises(srtlog.ArgumentError, match="fail_on: "):
        srtlog.diff(a, a, fail_on="output_tps<<")


def test_help_explains_every_argument():
    doc = srtlog.load.__doc__
    for arg in ("path", "nodes", "cache", "jobs", "requests", "job", "tag", "gpu_type", "backend", "since"):
        assert f"``{arg}``" in doc or f"{arg}:" in doc, arg
    for arg in ("baseline", "candidate", "fail_on", "load_options"):
        assert arg in srtlog.diff.__doc__
