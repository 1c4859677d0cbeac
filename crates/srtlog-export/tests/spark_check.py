#!/usr/bin/env python3
"""Builds an srtlog dataset in shards, refreshes it, reads it with Spark and checks the answers
against `srtlog analyze --json`: python3 spark_check.py <srtlog binary> [testdata dir]

Needs `pip install pyspark` and a Java runtime (`.ci/run` installs both). Steps:

1. copies the workspace's `testdata/` to a temporary directory (caches are written there, never
   in the repository);
2. `srtlog analyze --json` of the copy: the expected values;
3. `srtlog export --dataset DS --shard i/2` for i = 0, 1 as two processes at once, into one
   directory; checks the marker (complete, rows per table as in the JSON);
4. touches one run's metadata file and runs `export --refresh`: only that run's partition is
   rewritten (inodes of every other file unchanged);
5. one local Spark session reads every table (`spark.read.parquet` with Hive partition
   discovery; `job_id` a string, with partition type inference off, as docs/SCALE-OUT.md
   recommends), checks the row counts, runs the README's query (best output tokens/s per GPU
   per topology over complete runs) and a join of points and batches (per run: points, batches
   and the largest running_req), and compares both with the JSON exactly.

Exits non-zero with a message on the first failed check; prints `SPARK_CHECK OK` at the end.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The tables are the marker's ("tables"), so a table added to the dataset is read here too.
TABLES = []


START = time.monotonic()


def step(name):
    print(f"spark_check: {time.monotonic() - START:6.1f} s  {name}", flush=True)


def fail(message):
    print(f"spark_check: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def run(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        fail(f"{' '.join(map(str, cmd))} exited {out.returncode}:\n{out.stderr}")
    return out


def topology(m):
    if m["mode"] == "aggregated":
        return f"{m['agg_workers']}A"
    return f"{m['prefill_workers']}P/{m['decode_workers']}D"


def expected_from(doc):
    """Row counts, the README query's answer and the points × batches join, from the JSON."""
    runs = doc["runs"]
    rows = {
        "runs": len(runs),
        "points": sum(len(r["profiler"]["concurrency_values"]) for r in runs),
        "batches": sum(len(n["metrics"]["batches"]) for r in runs for n in r.get("nodes", [])),
        "memory": sum(len(n["metrics"]["memory_snapshots"]) for r in runs for n in r.get("nodes", [])),
        "accuracy": sum(len(r.get("accuracy", [])) for r in runs),
    }
    best = {}
    for r in runs:
        if not r["is_complete"]:
            continue
        t = topology(r["metadata"])
        values = [v for v in r["derived"]["output_tps_per_gpu"] if v is not None]
        n = len(r["profiler"]["concurrency_values"])
        cur = best.get(t, (None, 0))
        top = max([v for v in [cur[0], *values] if v is not None], default=None)
        best[t] = (top, cur[1] + n)
    readme = sorted((t, v, n) for t, (v, n) in best.items())
    joined = []
    for r in runs:
        points = len(r["profiler"]["concurrency_values"])
        batches = [b for n in r.get("nodes", []) for b in n["metrics"]["batches"]]
        if points and batches:
            running = [b["running_req"] for b in batches if b.get("running_req") is not None]
            joined.append((r["metadata"]["job_id"], r["metadata"]["path"], points, len(batches), max(running, default=None)))
    return rows, readme, sorted(joined, key=lambda x: (x[0], x[1]))


def files_with_inodes(ds):
    return {str(p.relative_to(ds)): p.stat().st_ino for p in ds.rglob("*.parquet")}


def main():
    if len(sys.argv) < 2:
        fail("usage: spark_check.py <srtlog binary> [testdata dir]")
    srtlog = Path(sys.argv[1]).resolve()
    testdata = Path(sys.argv[2] if len(sys.argv) > 2 else Path(__file__).resolve().parents[3] / "testdata")
    check(srtlog.is_file(), f"{srtlog}: no srtlog binary (cargo build -p srtlog-cli)")
    tmp = Path(tempfile.mkdtemp(prefix="srtlog-spark-"))
    try:
        root = tmp / "testdata"
        shutil.copytree(testdata, root, ignore=shutil.ignore_patterns("cached_assets"), symlinks=True)
        ds = tmp / "dataset"

        step("testdata copied")
        doc = json.loads(run([srtlog, "analyze", root, "--json", "--quiet"]).stdout)
        step("analyze --json")
        rows, readme, joined = expected_from(doc)
        check(rows["runs"] > 10 and rows["batches"] > 0, f"testdata too small: {rows}")

        # 2 shards at once, one process each, into one directory.
        shards = [
            subprocess.Popen([srtlog, "export", root, "--quiet", "--dataset", ds, "--shard", f"{i}/2"],
                             stderr=subprocess.PIPE, text=True)
            for i in range(2)
        ]
        for i, p in enumerate(shards):
            _, err = p.communicate()
            check(p.returncode == 0, f"shard {i}/2 exited {p.returncode}: {err}")
        step("2 shards exported")
        marker = json.loads((ds / "_srtlog_dataset.json").read_text())
        TABLES.extend(marker["tables"])
        check({"runs", "points", "batches", "memory"} <= set(TABLES), f"marker tables: {TABLES}")
        check(marker["complete"] is True, f"marker not complete after both shards: {marker}")
        check(marker["shards"] == {"count": 2, "pending": []}, f"marker shards: {marker.get('shards')}")
        for table, n in rows.items():
            check(marker["rows"][table] == n, f"marker rows[{table}] = {marker['rows'][table]}, JSON {n}")

        # A refresh after one run changed rewrites that run's partition only.
        run_dir = next(Path(r["metadata"]["path"]) for r in doc["runs"] if r["metadata"]["job_id"] == "4999")
        meta = next(p for p in [run_dir / "4999.json", run_dir / "metadata.json"] if p.exists())
        before = files_with_inodes(ds)
        st = meta.stat()
        os.utime(meta, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
        out = run([srtlog, "export", root, "--dataset", ds, "--refresh"])
        check(re.search(r"\b1 partitions written, 0 removed; \d+ runs found, 1 read\b", out.stderr),
              f"refresh did not rewrite exactly one run: {out.stderr}")
        step("refreshed")
        after = files_with_inodes(ds)
        check(before.keys() == after.keys(), "the refresh changed the file set")
        changed = sorted(f for f in before if before[f] != after[f])
        check(changed == sorted(f"{t}/job_id=4999/part-0.parquet" for t in TABLES),
              f"refresh rewrote {changed}")
        check(json.loads((ds / "_srtlog_dataset.json").read_text())["rows"] == marker["rows"], "rows changed")

        spark_checks(ds, rows, readme, joined, doc)
        print("SPARK_CHECK OK")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def spark_checks(ds, rows, readme, joined, doc):
    from pyspark.sql import SparkSession
    from pyspark.sql.types import StringType, IntegerType

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("srtlog-spark-check")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        # A few dozen partition directories: list them in the driver, not as a Spark job per read.
        .config("spark.sql.sources.parallelPartitionDiscovery.threshold", "100000")
        # Job ids are names, not numbers: keep them as written (see docs/SCALE-OUT.md).
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    step("Spark session started")
    try:
        for table in TABLES:
            df = spark.read.parquet(str(ds / table))
            df.createOrReplaceTempView(table)
            field = df.schema["job_id"]
            check(isinstance(field.dataType, StringType), f"{table}.job_id is {field.dataType}, not a string")
            if table in rows:
                check(df.count() == rows[table], f"Spark reads {df.count()} rows of {table}, JSON has {rows[table]}")
        ids = sorted(r.job_id for r in spark.sql("SELECT DISTINCT job_id FROM runs").collect())
        check(ids == sorted({r["metadata"]["job_id"] for r in doc["runs"]}), f"job ids: {ids}")
        # With inference on (Spark's default), numeric ids become integers: why the recipe turns it off.
        spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "true")
        inferred = spark.read.parquet(str(ds / "runs")).schema["job_id"].dataType
        check(isinstance(inferred, IntegerType), f"inferred job_id type {inferred}")
        spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")

        step("Spark read every table")
        # The README's example query.
        got = spark.sql(
            """
            SELECT r.topology, max(p.output_tps_per_gpu) AS best, count(*) AS points
            FROM runs r JOIN points p ON p.job_id = r.job_id AND p.run_path = r.path
            WHERE r.is_complete
            GROUP BY r.topology ORDER BY r.topology
            """
        ).collect()
        got = sorted((r.topology, r.best, r.points) for r in got)
        check(got == readme, f"best tok/s/GPU per topology:\n Spark {got}\n JSON  {readme}")

        # Points joined with batches, per run.
        got = spark.sql(
            """
            WITH b AS (
              SELECT job_id, run_path, count(*) AS batches, max(running_req) AS max_running
              FROM batches GROUP BY job_id, run_path
            )
            SELECT p.job_id, p.run_path, count(*) AS points, first(b.batches) AS batches,
                   first(b.max_running) AS max_running
            FROM points p JOIN b ON p.job_id = b.job_id AND p.run_path = b.run_path
            GROUP BY p.job_id, p.run_path ORDER BY p.job_id, p.run_path
            """
        ).collect()
        got = [(r.job_id, r.run_path, r.points, r.batches, r.max_running) for r in got]
        check(len(joined) > 0, "no run with both points and batches in testdata")
        check(got == joined, f"points x batches per run:\n Spark {got}\n JSON  {joined}")
        step("Spark queries checked")
        print(f"spark: {rows['runs']} runs, {len(readme)} topologies, {len(joined)} runs joined with their batches")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
