#!/usr/bin/env python3
"""Reads an srtlog cache directory with pyarrow and pandas alone, and checks what the Rust
integration test `interop::python_reads_the_cache` wrote there (column names, Arrow types,
values, footer keys and checksums, cache_metadata.json).

Usage: interop_check.py CACHE_DIR      (exit status 0 when every check passes)
"""

import datetime
import json
import math
import sys
import zlib
from pathlib import Path

# srtlog_cache::CACHE_SCHEMA_VERSION of the writer under test.
CACHE_SCHEMA_VERSION = 4

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

RESULTS_COLUMNS = [
    ("concurrency", pa.uint32()),
    *[(name, pa.float64()) for name in [
        "output_tps", "total_tps", "request_throughput", "request_goodput", "peak_output_tps",
        "mean_ttft_ms", "median_ttft_ms", "p99_ttft_ms", "std_ttft_ms",
        "mean_tpot_ms", "median_tpot_ms", "p99_tpot_ms", "std_tpot_ms",
        "mean_itl_ms", "median_itl_ms", "p99_itl_ms", "std_itl_ms",
        "mean_e2el_ms", "median_e2el_ms", "p99_e2el_ms", "std_e2el_ms",
    ]],
    *[(name, pa.uint64()) for name in [
        "total_input_tokens", "total_output_tokens", "completed", "num_prompts",
    ]],
    ("duration", pa.float64()),
    ("request_rate", pa.float64()),
    # aiperf's point metrics (issue 13): errors, goodput count, TTFO, prefill rate, reasoning
    # tokens, the measurement window, the GPU telemetry summary.
    ("error_count", pa.uint64()),
    ("good_completed", pa.uint64()),
    *[(name, pa.float64()) for name in [
        "mean_ttfo_ms", "median_ttfo_ms", "p99_ttfo_ms",
        "mean_prefill_tps_per_user", "median_prefill_tps_per_user",
    ]],
    ("total_reasoning_tokens", pa.uint64()),
    ("window_start_unix", pa.float64()),
    ("window_end_unix", pa.float64()),
    ("telemetry_gpus", pa.uint64()),
    ("gpu_power_w", pa.float64()),
    ("gpu_energy_j", pa.float64()),
    ("gpu_utilization_pct", pa.float64()),
    ("other_metrics", pa.string()),
    ("source_file", pa.string()),
]

NODE_COLUMNS = [
    ("node_name", pa.string()),
    ("worker_type", pa.string()),
    ("worker_id", pa.string()),
    ("record_type", pa.string()),
    ("timestamp", pa.timestamp("us")),
    ("utc_offset_secs", pa.int32()),
    ("dp", pa.uint32()),
    ("tp", pa.uint32()),
    ("ep", pa.uint32()),
    ("batch_type", pa.string()),
    ("new_seq", pa.uint32()),
    ("new_token", pa.uint32()),
    ("cached_token", pa.uint32()),
    ("token_usage", pa.float64()),
    ("running_req", pa.uint32()),
    ("queue_req", pa.uint32()),
    ("prealloc_req", pa.uint32()),
    ("inflight_req", pa.uint32()),
    ("transfer_req", pa.uint32()),
    ("num_tokens", pa.uint32()),
    ("input_throughput", pa.float64()),
    ("gen_throughput", pa.float64()),
    ("preallocated_usage", pa.float64()),
    ("retracted_req", pa.uint32()),
    ("unbootstrapped_req", pa.uint32()),
    ("accept_len", pa.float64()),
    ("accept_rate", pa.float64()),
    ("cuda_graph", pa.bool_()),
    ("swa_tokens", pa.uint32()),
    ("swa_token_usage", pa.float64()),
    ("iteration", pa.uint64()),
    ("host_step_time_ms", pa.float64()),
    ("prev_device_step_time_ms", pa.float64()),
    ("cached_kv_tokens", pa.uint32()),
    ("metric_type", pa.string()),
    ("event", pa.string()),
    ("avail_mem_gb", pa.float64()),
    ("mem_usage_gb", pa.float64()),
    ("kv_cache_gb", pa.float64()),
    ("kv_tokens", pa.uint64()),
]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def check_schema(table, expected, name):
    got = [(f.name, f.type) for f in table.schema]
    check([n for n, _ in got] == [n for n, _ in expected],
          f"{name}: columns {[n for n, _ in got]}")
    for (n, t), (_, want) in zip(got, expected):
        check(t == want, f"{name}: column {n} is {t}, expected {want}")


def check_footer(path, table_name, rows):
    meta = pq.read_metadata(path).metadata
    header = json.loads(meta[b"srtlog.cache"])
    extras_raw = meta[b"srtlog.cache.extras"]
    check(header["cache_schema_version"] == CACHE_SCHEMA_VERSION, f"{path}: {header}")
    check(header["table"] == table_name, f"{path}: table {header['table']}")
    check(header["rows"] == rows, f"{path}: rows {header['rows']}")
    check(len(header["fingerprints"]) == 2, f"{path}: fingerprints {header['fingerprints']}")
    data = path.read_bytes()[: header["data_bytes"]]
    check(data[:4] == b"PAR1", f"{path}: data part does not start with PAR1")
    check(zlib.crc32(data) == header["data_crc32"], f"{path}: data_crc32 mismatch")
    check(zlib.crc32(extras_raw) == header["extras_crc32"], f"{path}: extras_crc32 mismatch")
    return json.loads(extras_raw)


def main(cache_dir):
    cache_dir = Path(cache_dir)

    # --- benchmark_results.parquet
    path = cache_dir / "benchmark_results.parquet"
    results = pq.read_table(path)
    check_schema(results, RESULTS_COLUMNS, path.name)
    check(results.num_rows == 3, f"results rows {results.num_rows}")
    rows = results.to_pylist()
    check(rows[0]["concurrency"] == 4 and rows[1]["concurrency"] == 16, f"{rows[0]['concurrency']}")
    check(rows[2]["concurrency"] is None, "open-loop concurrency is null")
    check(rows[0]["output_tps"] == 1024.5, f"output_tps {rows[0]['output_tps']}")
    check(rows[0]["total_input_tokens"] == 8_192_000, "total_input_tokens")
    check(math.isinf(rows[0]["request_rate"]) and rows[0]["request_rate"] > 0, "request_rate inf")
    check(rows[1]["output_tps"] is None, "absent metric is null, not 0")
    other = json.loads(rows[0]["other_metrics"])
    check(other == {"p90_itl_ms": 7.25, "p99.9_ttft_ms": 0.1 + 0.2}, f"other_metrics {other}")
    check(json.loads(rows[1]["other_metrics"]) == {}, "empty other_metrics")
    check(rows[0]["source_file"].endswith("results_concurrency_4_gpus_8.json"), "source_file")
    extras = check_footer(path, "benchmark_results", 3)
    check(extras["source"] == "json" and len(extras["warnings"]) == 1, f"extras {extras}")

    df = pd.read_parquet(path)
    check(list(df.columns) == [n for n, _ in RESULTS_COLUMNS], "pandas columns")
    check(pd.isna(df["mean_ttft_ms"][1]), "pandas null")
    check(df["request_rate"][0] == float("inf"), "pandas inf")

    # --- node_metrics.parquet
    path = cache_dir / "node_metrics.parquet"
    nodes = pq.read_table(path)
    check_schema(nodes, NODE_COLUMNS, path.name)
    check(nodes.num_rows == 5, f"node rows {nodes.num_rows}")
    rows = nodes.to_pylist()
    check([r["record_type"] for r in rows] == ["batch"] * 3 + ["memory"] * 2, "record types")
    check({r["node_name"] for r in rows} == {"eos0219"}, "the idle worker has no rows")
    first = rows[0]
    check(first["worker_type"] == "decode" and first["worker_id"] == "w0", "worker")
    check(first["timestamp"] == datetime.datetime(2026, 1, 16, 6, 20, 17), f"ts {first['timestamp']}")
    check(first["utc_offset_secs"] is None, "no zone in the log: null offset")
    check(first["batch_type"] == "prefill" and first["new_token"] == 8192, "prefill batch")
    check(first["cuda_graph"] is False and first["metric_type"] is None, "bool and null")
    second = rows[1]
    check(second["timestamp"] == datetime.datetime(2025, 12, 30, 15, 52, 38, 206058), "wall clock")
    check(second["utc_offset_secs"] == 3600, "zone kept as offset")
    check((second["dp"], second["tp"], second["ep"]) == (3, 1, 7), "ranks")
    check(rows[2]["timestamp"] is None, "untimed batch")
    kv = rows[3]
    check(kv["metric_type"] == "kv_cache" and kv["event"] == "kv_cache_allocated", "memory row")
    check(kv["kv_tokens"] == 1_048_576 and kv["batch_type"] is None, "memory values")
    extras = check_footer(path, "node_metrics", 5)
    workers = extras["workers"]
    check([w["node_name"] for w in workers] == ["eos0219", "eos0220"], f"workers {workers}")
    check(workers[1]["batch_rows"] == 0 and workers[1]["memory_rows"] == 0, "idle worker kept")
    check(workers[0]["config"]["tp_size"] == 8, "parallel config")

    df = pd.read_parquet(path)
    batches = df[df["record_type"] == "batch"]
    check(len(batches) == 3, "pandas filter")
    check(str(df["timestamp"].dtype).startswith("datetime64"), f"dtype {df['timestamp'].dtype}")
    check(batches["gen_throughput"].max() == 4096.0, "pandas aggregate")

    # --- cache_metadata.json
    summary = json.loads((cache_dir / "cache_metadata.json").read_text())
    check(summary["cache_schema_version"] == CACHE_SCHEMA_VERSION, f"summary {summary}")
    check(summary["files"]["benchmark_results.parquet"]["rows"] == 3, "summary rows")
    check(summary["files"]["node_metrics.parquet"]["workers"] == 2, "summary workers")

    print(f"interop OK: pyarrow {pa.__version__}, pandas {pd.__version__}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
