#!/usr/bin/env python3
"""Reads an srtlog dataset with real readers and checks it: python3 read_dataset.py <dir>

Needs `pip install duckdb pyarrow pandas` (polars is checked too when installed). Checks, for
every table, that DuckDB (read_parquet with hive_partitioning) and pyarrow.dataset (hive
partitioning) read all files as one table with the row counts of the dataset's marker, one
`job_id` column taken from the directory names, the expected column types and one schema in
every file; that pandas reads a table directory; then runs a query joining runs and points.
Prints `JOIN_RESULT <json>` (best output_tps_per_gpu per topology over complete runs) for the
Rust test that drives this script. Exits non-zero with a message on the first failed check.
"""

import json
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

TABLES = ["runs", "points", "batches", "memory", "launch_args", "power", "server_metrics"]

# Column -> DuckDB type, for a selection of columns of each table (partition column included).
DUCKDB_TYPES = {
    "runs": {
        "job_id": "VARCHAR",
        "job_name": "VARCHAR",
        "run_timestamp": "TIMESTAMP",
        "run_utc_offset_secs": "INTEGER",
        "topology": "VARCHAR",
        "total_gpus": "UINTEGER",
        "gpus_used": "UINTEGER",
        "tags": "VARCHAR[]",
        "expected_concurrencies": "UINTEGER[]",
        "missing_concurrencies": "UINTEGER[]",
        "is_complete": "BOOLEAN",
        "path": "VARCHAR",
    },
    "points": {
        "job_id": "VARCHAR",
        "concurrency": "UINTEGER",
        "output_tps": "DOUBLE",
        "total_input_tokens": "UBIGINT",
        "output_tps_per_gpu": "DOUBLE",
        "input_tps": "DOUBLE",
        "output_tps_per_user": "DOUBLE",
        "power_source": "VARCHAR",
        "energy_gpus_counted": "UINTEGER",
        "j_per_output_token": "DOUBLE",
        "output_tps_per_w": "DOUBLE",
        "other_metrics": "VARCHAR",
        "run_path": "VARCHAR",
    },
    "batches": {
        "job_id": "VARCHAR",
        "node_name": "VARCHAR",
        "timestamp": "TIMESTAMP",
        "utc_offset_secs": "INTEGER",
        "dp": "UINTEGER",
        "running_req": "UINTEGER",
        "token_usage": "DOUBLE",
        "cuda_graph": "BOOLEAN",
    },
    "memory": {
        "job_id": "VARCHAR",
        "event": "VARCHAR",
        "kv_tokens": "UBIGINT",
        "kv_cache_gb": "DOUBLE",
    },
    "launch_args": {
        "job_id": "VARCHAR",
        "node_name": "VARCHAR",
        "name": "VARCHAR",
        "value": "VARCHAR",
        "value_type": "VARCHAR",
    },
    "power": {
        "job_id": "VARCHAR",
        "host": "VARCHAR",
        "device": "VARCHAR",
        "gpu": "UINTEGER",
        "role": "VARCHAR",
        "t_unix": "DOUBLE",
        "watts": "DOUBLE",
        "source": "VARCHAR",
        "run_path": "VARCHAR",
    },
    "server_metrics": {
        "job_id": "VARCHAR",
        "endpoint": "VARCHAR",
        "worker_index": "UINTEGER",
        "gpu": "UINTEGER",
        "metric": "VARCHAR",
        "labels": "VARCHAR",
        "le": "DOUBLE",
        "t": "DOUBLE",
        "value": "DOUBLE",
    },
}

# The same selection as pyarrow types.
ARROW_TYPES = {
    "runs": {
        "run_timestamp": pa.timestamp("us"),
        "total_gpus": pa.uint32(),
        "tags": pa.list_(pa.string()),
        "expected_concurrencies": pa.list_(pa.uint32()),
        "is_complete": pa.bool_(),
    },
    "points": {"concurrency": pa.uint32(), "output_tps": pa.float64(), "total_input_tokens": pa.uint64()},
    "batches": {"timestamp": pa.timestamp("us"), "utc_offset_secs": pa.int32(), "cuda_graph": pa.bool_()},
    "memory": {"kv_tokens": pa.uint64()},
    "launch_args": {"name": pa.string(), "value": pa.string(), "value_type": pa.string()},
    "power": {"gpu": pa.uint32(), "t_unix": pa.float64(), "watts": pa.float64()},
    "server_metrics": {"gpu": pa.uint32(), "le": pa.float64(), "t": pa.float64(), "value": pa.float64()},
}

JOIN_QUERY = """
SELECT r.topology,
       max(p.output_tps_per_gpu) AS best_output_tps_per_gpu,
       arg_max(p.concurrency, p.output_tps_per_gpu) AS at_concurrency,
       count(*) AS points
FROM read_parquet('{dir}/runs/*/*.parquet', hive_partitioning = true, hive_types = {{'job_id': VARCHAR}}) r
JOIN read_parquet('{dir}/points/*/*.parquet', hive_partitioning = true, hive_types = {{'job_id': VARCHAR}}) p
  ON p.job_id = r.job_id AND p.run_path = r.path
WHERE r.is_complete
GROUP BY r.topology
ORDER BY r.topology
"""


def check(condition, message):
    if not condition:
        sys.exit(f"FAILED: {message}")


def scalar(con, sql):
    """The one value of a query (works with DuckDB 1.x and 2.x)."""
    return con.execute(sql).fetchall()[0][0]


def glob(root, table):
    return f"{root}/{table}/*/*.parquet"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: read_dataset.py <dataset dir>")
    root = Path(sys.argv[1])
    marker = json.loads((root / "_srtlog_dataset.json").read_text())
    check(marker["format"] == "srtlog-dataset" and marker["complete"], f"marker: {marker}")
    expected_rows = marker["rows"]
    con = duckdb.connect()
    runs_ids = None

    for table in TABLES:
        files = sorted((root / table).glob("*/*.parquet"))
        check(files, f"{table}: no files")
        # One schema in every file, without the partition column.
        schemas = {str(pq.read_schema(f).remove_metadata()) for f in files}
        check(len(schemas) == 1, f"{table}: files have {len(schemas)} different schemas")
        check("job_id" not in pq.read_schema(files[0]).names, f"{table}: job_id inside the files")

        # DuckDB, the partition column typed as text.
        source = f"read_parquet('{glob(root, table)}', hive_partitioning = true, hive_types = {{'job_id': VARCHAR}})"
        rows = scalar(con, f"SELECT count(*) FROM {source}")
        check(rows == expected_rows[table], f"duckdb {table}: {rows} rows, marker says {expected_rows[table]}")
        columns = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        described = {name: kind for name, kind, *_ in columns}
        names = [name for name, *_ in columns]
        check(names.count("job_id") == 1, f"duckdb {table}: job_id appears {names.count('job_id')} times")
        for column, kind in DUCKDB_TYPES[table].items():
            check(described.get(column) == kind, f"duckdb {table}.{column}: {described.get(column)}, expected {kind}")
        # DuckDB with its own type inference for the partition column reads the same rows.
        inferred = scalar(con, f"SELECT count(*) FROM read_parquet('{glob(root, table)}', hive_partitioning = true)")
        check(inferred == rows, f"duckdb {table} (inferred partition type): {inferred} rows")
        ids = {r[0] for r in con.execute(f"SELECT DISTINCT job_id FROM {source}").fetchall()}
        if table == "runs":
            runs_ids = ids
        else:
            check(ids <= runs_ids, f"duckdb {table}: job ids {ids - runs_ids} have no run")

        # pyarrow.dataset with hive partitioning, job_id as a string.
        part = ds.partitioning(pa.schema([("job_id", pa.string())]), flavor="hive")
        dataset = ds.dataset(root / table, format="parquet", partitioning=part)
        check(dataset.count_rows() == rows, f"pyarrow {table}: {dataset.count_rows()} rows")
        arrow_table = dataset.to_table()
        check(arrow_table.schema.names.count("job_id") == 1, f"pyarrow {table}: job_id count")
        for column, kind in ARROW_TYPES[table].items():
            got = arrow_table.schema.field(column).type
            check(got == kind, f"pyarrow {table}.{column}: {got}, expected {kind}")
        check(set(arrow_table.column("job_id").to_pylist()) == ids, f"pyarrow {table}: job ids differ from duckdb's")
        # ... and with the plain string form of the argument.
        check(ds.dataset(root / table, format="parquet", partitioning="hive").count_rows() == rows, f"pyarrow {table} 'hive'")

        # Every file's footer names its own partition's job id, as the directory decodes.
        for f in files:
            footer = json.loads(pq.read_metadata(f).metadata[b"srtlog.export"])
            one = ds.dataset(f.parent, format="parquet", partitioning=part, partition_base_dir=str(root / table))
            check(footer["table"] == table, f"{f}: footer table {footer['table']}")
            check(footer["rows"] == pq.read_metadata(f).num_rows, f"{f}: footer rows")
            decoded = set(one.to_table(columns=["job_id"]).column("job_id").to_pylist())
            check(decoded <= {footer["job_id"]}, f"{f}: directory decodes to {decoded}, footer says {footer['job_id']}")

        # pandas reads the table directory (pyarrow engine, hive partitioning by default).
        frame = pd.read_parquet(root / table)
        check(len(frame) == rows and "job_id" in frame.columns, f"pandas {table}: {len(frame)} rows")

        try:
            import polars as pl
        except ImportError:
            pl = None
        if pl is not None:
            lazy = pl.scan_parquet(glob(root, table), hive_partitioning=True, hive_schema={"job_id": pl.String})
            got = lazy.select(pl.len()).collect().item()
            check(got == rows, f"polars {table}: {got} rows")

        print(f"{table}: {rows} rows in {len(files)} files; duckdb, pyarrow, pandas{', polars' if pl else ''} agree")

    # Open-loop points (no concurrency) survive as nulls.
    nulls = scalar(
        con, f"SELECT count(*) FROM read_parquet('{glob(root, 'points')}', hive_partitioning = true) WHERE concurrency IS NULL"
    )
    print(f"points without concurrency: {nulls}")

    query = JOIN_QUERY.format(dir=root)
    print(con.sql(query))
    rows = [
        {"topology": t, "best_output_tps_per_gpu": best, "at_concurrency": c, "points": n}
        for t, best, c, n in con.execute(query).fetchall()
    ]
    print("JOIN_RESULT " + json.dumps(rows))


if __name__ == "__main__":
    main()
