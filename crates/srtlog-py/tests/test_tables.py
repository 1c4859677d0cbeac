"""Every table of a load equals the JSON document of the same load (the loader's document,
what `srtlog analyze --json` prints), value by value, on every fixture run under testdata/;
and every dataset table equals the Parquet files `srtlog export --dataset` writes."""

import json
import math
import subprocess
from datetime import datetime

import pyarrow as pa
import pyarrow.dataset as ds
import pytest

import srtlog
from conftest import workspace_binary


def wall_and_offset(text):
    """A JSON timestamp as (wall-clock datetime, UTC offset in seconds or None), as srtlog
    keeps it: the time as written, the offset only when the text has one."""
    if text is None:
        return None, None
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    offset = t.utcoffset()
    return t.replace(tzinfo=None), None if offset is None else int(offset.total_seconds())


def topology(m):
    if m["mode"] == "aggregated":
        return f"{m['agg_workers']}A"
    return f"{m['prefill_workers']}P/{m['decode_workers']}D"


def check_rows(table, expected, name, unchecked=()):
    """Rows of `table` (pyarrow) equal the dicts of `expected`, key by key; every column of the
    table is compared except `unchecked`."""
    rows = table.to_pylist()
    assert len(rows) == len(expected), name
    columns = set(table.column_names)
    for i, (row, want) in enumerate(zip(rows, expected)):
        assert columns - set(want) <= set(unchecked), f"{name}: columns not compared: {columns - set(want) - set(unchecked)}"
        for key, value in want.items():
            assert key in row, f"{name}: no column {key}"
            got = row[key]
            if isinstance(got, float) and not math.isfinite(got) and value is None:
                # JSON has no infinity: the document writes a non-finite number (a configured
                # request rate of `inf`) as null; the table keeps the float.
                continue
            assert got == value, f"{name} row {i} column {key}: {got!r} != {value!r}"


def test_tables_are_the_dataset_tables_and_skipped(loaded):
    _, runs, _ = loaded
    assert srtlog.TABLES[-1] == "skipped"
    assert {"runs", "points", "batches", "memory", "accuracy", "launch_args", "requests"} <= set(srtlog.TABLES)
    for name in srtlog.TABLES:
        table = getattr(runs, name)
        assert isinstance(table, pa.Table)
        assert table is runs.table(name)  # built once
        if name != "skipped":
            assert table.column_names[0] == "job_id"
            assert table.schema.field("job_id").type == pa.string()


def test_runs_equal_the_document(loaded):
    _, runs, doc = loaded
    expected = []
    for run in doc["runs"]:
        m, pm, prof = run["metadata"], run["profiler_metadata"], run["profiler"]
        wall, offset = wall_and_offset(m.get("run_date"))
        setup = run.get("setup") or {}
        expected.append(
            {
                "job_id": m["job_id"],
                "job_name": m.get("job_name"),
                "run_date": m.get("run_date"),
                "run_timestamp": wall,
                "run_utc_offset_secs": offset,
                "mode": m["mode"],
                "topology": topology(m),
                "gpu_type": m.get("gpu_type"),
                **{k: m[k] for k in ("prefill_nodes", "decode_nodes", "agg_nodes", "prefill_workers", "decode_workers", "agg_workers", "total_gpus")},
                **{k: m.get(k) for k in ("gpus_per_node", "gpus_per_prefill", "gpus_per_decode", "gpus_per_agg", "backend_type", "frontend_type", "container", "metadata_version", "serve_only")},
                "gpus_used": run["derived"].get("gpus_used"),
                "model_path": m["model"].get("path"),
                "precision": m["model"].get("precision"),
                "tensor_parallel": m["model"].get("tensor_parallel"),
                "tags": m.get("tags", []),
                "benchmark_type": pm.get("profiler_type"),
                "isl": pm.get("isl"),
                "osl": pm.get("osl"),
                "req_rate": pm.get("req_rate"),
                "expected_concurrencies": pm.get("concurrencies", []),
                "missing_concurrencies": run.get("missing_concurrencies", []),
                "is_complete": run["is_complete"],
                "result_source": prof.get("source"),
                "num_points": len(prof.get("concurrency_values", [])),
                "result_warnings": prof.get("warnings", []),
                "benchmark_command": (run.get("benchmark_launch_command") or {}).get("raw_command"),
                "num_workers": len(run.get("nodes", [])),
                "path": m["path"],
                "run_warnings": [f"{w['kind']}: {w['message']}" for w in run.get("warnings", [])],
                "missing_workers": [f"{w['worker_type']} {w['found']}/{w['expected']}" for w in run.get("missing_workers", [])],
                "container_image": ((setup.get("identity") or {}).get("container") or {}).get("image", setup.get("container_image")),
                "num_accuracy_results": len(run.get("accuracy", [])),
                "accuracy_warnings": run.get("accuracy_warnings", []),
                "server_metrics_sources": (run.get("server_metrics_summary") or {}).get("sources", []),
                "server_metrics_points": (run.get("server_metrics_summary") or {}).get("points"),
            }
        )
    # setup_key is RunSetup::key(), a hash the document does not carry.
    check_rows(runs.runs, expected, "runs", unchecked={"setup_key", "container_image"})


# The points' energy columns and the keys of the document's `derived.energy[i]` they hold.
ENERGY_COLUMNS = {
    "energy_window_start_unix": "window_start_unix",
    "energy_window_end_unix": "window_end_unix",
    "energy_window_source": "window_source",
    "energy_gpus_counted": "gpus_counted",
    "energy_gpu_j": "gpu_energy_j",
    "energy_gpu_avg_power_w": "gpu_avg_power_w",
    "energy_avg_power_per_gpu_w": "avg_power_per_gpu_w",
    "j_per_output_token": "j_per_output_token",
    "j_per_total_token": "j_per_total_token",
    "output_tps_per_w": "output_tps_per_w",
    "energy_cpu_j": "cpu_energy_j",
    "energy_cpu_avg_power_w": "cpu_avg_power_w",
    "energy_combined_j": "combined_energy_j",
    "combined_j_per_output_token": "combined_j_per_output_token",
    "combined_j_per_total_token": "combined_j_per_total_token",
    "output_tps_per_combined_w": "output_tps_per_combined_w",
    "energy_reason": "reason",
}


def test_points_equal_the_document(loaded):
    _, runs, doc = loaded
    # The point metrics are the columns the document keeps per point (a column that is null
    # at every point of a run is left out of its JSON: null here).
    derived_columns = {"output_tps_per_gpu", "total_tps_per_gpu", "input_tps_per_gpu", "output_tps_per_user", "input_tps"}
    derived_columns |= {"power_source"} | set(ENERGY_COLUMNS)
    context_columns = {"job_id", "concurrency", "other_metrics", "source_file", "gpus_used", "topology", "gpu_type", "isl", "osl", "run_path"}
    metric_columns = [c for c in runs.points.column_names if c not in derived_columns | context_columns]
    assert {"output_tps", "mean_ttft_ms", "p99_itl_ms", "total_output_tokens"} <= set(metric_columns)
    expected = []
    for run in doc["runs"]:
        prof, derived, pm = run["profiler"], run["derived"], run["profiler_metadata"]
        n = len(prof.get("concurrency_values", []))
        for j in range(n):
            row = {"job_id": run["metadata"]["job_id"], "concurrency": prof["concurrency_values"][j]}
            row.update({k: prof[k][j] if k in prof else None for k in metric_columns})
            for k in ("output_tps_per_gpu", "total_tps_per_gpu", "input_tps_per_gpu", "output_tps_per_user"):
                row[k] = derived[k][j]
            # Energy: the document's derived.energy[j] and power_source (absent: no power data).
            energy = (derived.get("energy") or [{}] * n)[j]
            row["power_source"] = derived.get("power_source")
            for column, key in ENERGY_COLUMNS.items():
                row[column] = energy.get(key)
            row["source_file"] = prof["source_files"][j] if prof.get("source_files") else None
            row["gpus_used"] = derived.get("gpus_used")
            row["topology"] = topology(run["metadata"])
            row["gpu_type"] = run["metadata"].get("gpu_type")
            row["isl"], row["osl"] = pm.get("isl"), pm.get("osl")
            row["run_path"] = run["metadata"]["path"]
            expected.append((row, (prof.get("other_metrics") or [{}] * n)[j] or {}))
    table = runs.points
    check_rows(table, [e for e, _ in expected], "points", unchecked={"input_tps", "other_metrics"})
    # other_metrics: a JSON object per row, non-finite values as strings.
    for text, (_, other) in zip(table.column("other_metrics").to_pylist(), expected):
        assert json.loads(text) == other
    # input_tps: the model's rule, checked where the document has its inputs.
    for row in table.to_pylist():
        if row["total_tps"] is not None and row["output_tps"] is not None and row["total_tps"] >= row["output_tps"]:
            assert row["input_tps"] == row["total_tps"] - row["output_tps"]


def worker_rows(doc, key):
    for run in doc["runs"]:
        for node in run.get("nodes", []):
            worker = node["metrics"]["metadata"]
            for item in node["metrics"][key]:
                wall, offset = wall_and_offset(item.get("timestamp"))
                row = {"job_id": run["metadata"]["job_id"], **worker, **item, "timestamp": wall, "utc_offset_secs": offset, "run_path": run["metadata"]["path"]}
                yield row


def test_batches_equal_the_document(loaded):
    _, runs, doc = loaded
    check_rows(runs.batches, list(worker_rows(doc, "batches")), "batches")


def test_memory_equals_the_document(loaded):
    _, runs, doc = loaded
    check_rows(runs.memory, list(worker_rows(doc, "memory_snapshots")), "memory")


def test_accuracy_equals_the_document(loaded):
    _, runs, doc = loaded
    expected = [
        {"job_id": run["metadata"]["job_id"], **a, "topology": topology(run["metadata"]), "gpu_type": run["metadata"].get("gpu_type"), "run_path": run["metadata"]["path"]}
        for run in doc["runs"]
        for a in run.get("accuracy", [])
    ]
    check_rows(runs.accuracy, expected, "accuracy")


def value_type(v):
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list"}[type(v)]


def test_launch_args_equal_the_document(loaded):
    _, runs, doc = loaded
    expected, values = [], []
    for run in doc["runs"]:
        commands = []
        bench = run.get("benchmark_launch_command")
        if bench:
            commands.append((None, bench["benchmark_type"], bench))
        for node in run.get("nodes", []):
            command = node["node_config"].get("launch_command")
            if command:
                commands.append((node["metrics"]["metadata"], command["backend_type"], command))
        for worker, tool, command in commands:
            for name in sorted(command.get("extra_args", {})):
                value = command["extra_args"][name]
                w = worker or {}
                expected.append(
                    {
                        "job_id": run["metadata"]["job_id"],
                        "node_name": w.get("node_name"),
                        "worker_type": w.get("worker_type"),
                        "worker_id": w.get("worker_id"),
                        "tool": tool,
                        "name": name,
                        "value_type": value_type(value),
                        "raw_command": command["raw_command"],
                        "run_path": run["metadata"]["path"],
                    }
                )
                values.append(value)
    table = runs.launch_args
    check_rows(table, expected, "launch_args", unchecked={"value"})
    assert [json.loads(v) for v in table.column("value").to_pylist()] == values


def test_skipped_equals_the_document(loaded):
    _, runs, doc = loaded
    check_rows(runs.skipped, doc["skipped"], "skipped")


def test_every_dataset_table_equals_the_exported_files(loaded, tmp_path):
    """The tables are the dataset's: `srtlog export --dataset` of the same root, read back
    with pyarrow, has the same rows run by run (job_id is the partition column there)."""
    root, runs, _ = loaded
    out = tmp_path / "dataset"
    subprocess.run(
        [str(workspace_binary("srtlog")), "export", str(root), "--dataset", str(out), "--no-cache", "-q"],
        check=True,
        capture_output=True,
    )
    partitioning = ds.partitioning(pa.schema([("job_id", pa.string())]), flavor="hive")
    for name in srtlog.TABLES:
        if name == "skipped":
            continue
        ours = runs.table(name)
        files = ds.dataset(out / name, format="parquet", partitioning=partitioning).to_table()
        assert files.num_rows == ours.num_rows, name
        assert set(files.column_names) == set(ours.column_names), name
        key = "path" if name == "runs" else "run_path"
        for path in set(ours.column(key).to_pylist()):
            a = ours.filter(pa.compute.equal(ours.column(key), path)).to_pylist()
            b = files.filter(pa.compute.equal(files.column(key), path)).select(ours.column_names).to_pylist()
            assert a == b, f"{name} of {path}"


def test_power_and_server_metrics_count_what_the_document_says(loaded):
    """The samples and series are not in the JSON document; its records count them."""
    _, runs, doc = loaded
    for run in doc["runs"]:
        job = run["metadata"]["job_id"]
        power = run.get("power") or {}
        rows = [r for r in runs.power.to_pylist() if r["job_id"] == job and r["run_path"] == run["metadata"]["path"]]
        assert len(rows) == power.get("gpu_sample_count", 0) + power.get("cpu_sample_count", 0), job
        assert all(r["source"] == power["source"] or r["device"] == "cpu" for r in rows)
        summary = run.get("server_metrics_summary") or {}
        points = [r for r in runs.server_metrics.to_pylist() if r["job_id"] == job and r["run_path"] == run["metadata"]["path"]]
        assert len(points) == (summary.get("points") or 0), job
        assert summary.get("read", True), f"{job}: srtlog.load reads the Tachometer series by default"
