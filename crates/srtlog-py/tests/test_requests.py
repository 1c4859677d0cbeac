"""The requests table on a real aiperf per-request export: run 5121 of testdata (an aiperf
artifact directory whose export says concurrency 32) copied to a temporary directory, with
`../shared/real/files/aiperf-plot-fixtures/qwen_concurrency1/profile_export.jsonl` (10
requests of a real aiperf run, read in place, copied only into the temporary run) as its
per-request records. Each row equals the file's line, read here with `json` independently
of srtlog's parser; the dataset's `requests/` file holds the same rows."""

import json
import shutil
import subprocess

import pyarrow as pa
import pyarrow.dataset as ds
import pytest

import srtlog
from conftest import REPO, TESTDATA, workspace_binary

REAL = REPO.parent / "shared" / "real" / "files" / "aiperf-plot-fixtures" / "qwen_concurrency1" / "profile_export.jsonl"
ARTIFACT = "logs/artifacts/Qwen3-32B_synthetic_20251001_101500"


@pytest.fixture(scope="module")
def run_with_requests(tmp_path_factory):
    if not REAL.is_file():
        pytest.fail(f"{REAL} is missing: the suite reads ../shared/real in place")
    run = tmp_path_factory.mktemp("requests") / "5121"
    shutil.copytree(TESTDATA / "runs" / "5121", run)
    shutil.copyfile(REAL, run / ARTIFACT / "profile_export.jsonl")
    return run


def value(metrics, name):
    m = metrics.get(name)
    return None if m is None else m["value"]


def test_every_request_line_is_a_row(run_with_requests):
    runs = srtlog.load(run_with_requests, cache=False, nodes=False)
    lines = [json.loads(line) for line in REAL.read_text().splitlines() if line.strip()]
    rows = runs.requests.to_pylist()
    assert len(rows) == len(lines) == 10
    for row, line in zip(rows, lines):
        meta, metrics = line["metadata"], line["metrics"]
        assert row["job_id"] == "5121"
        assert row["concurrency"] == 32
        assert row["start_ns"] == meta["request_start_ns"]
        assert row["ack_ns"] == meta["request_ack_ns"]
        assert row["end_ns"] == meta["request_end_ns"]
        assert row["phase"] == meta["benchmark_phase"]
        assert row["was_cancelled"] == meta["was_cancelled"]
        assert row["ttft_ms"] == value(metrics, "time_to_first_token")
        assert row["ttst_ms"] == value(metrics, "time_to_second_token")
        assert row["request_latency_ms"] == value(metrics, "request_latency")
        assert row["input_tokens"] == value(metrics, "input_sequence_length")
        assert row["output_sequence_length"] == value(metrics, "output_sequence_length")
        assert row["is_error"] == (line.get("error") is not None)
        assert row["run_path"] == str(run_with_requests)
    # Not asked for, not read.
    assert srtlog.load(run_with_requests, cache=False, nodes=False, requests=False).requests.num_rows == 0


def test_the_requests_table_is_the_datasets(run_with_requests, tmp_path):
    runs = srtlog.load(run_with_requests, cache=False, nodes=False)
    out = tmp_path / "dataset"
    subprocess.run(
        [str(workspace_binary("srtlog")), "export", str(run_with_requests), "--dataset", str(out), "--no-cache", "-q"],
        check=True,
        capture_output=True,
    )
    partitioning = ds.partitioning(pa.schema([("job_id", pa.string())]), flavor="hive")
    files = ds.dataset(out / "requests", format="parquet", partitioning=partitioning).to_table()
    assert files.num_rows == 10
    assert files.select(runs.requests.column_names).to_pylist() == runs.requests.to_pylist()
