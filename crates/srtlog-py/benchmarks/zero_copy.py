"""Peak RSS of a 1 M-batch run converted to pyarrow and pandas, step by step.

    python benchmarks/zero_copy.py RUN_DIR

RUN_DIR holds one run of about a million batches (`cargo xtask gen-corpus DIR --runs 1 --lines
270000 --workers 4` gives 4 workers x 270 000 lines, 95 % batch lines). The script reports,
after each step, the interpreter's resident set (VmRSS), its peak (VmHWM) and the bytes
pyarrow's allocator holds: the load (Rust records), the pyarrow table (built by Rust's Arrow
builders and handed over by pointer: pyarrow allocates nothing), the records dropped, and a
pandas DataFrame (pandas' own copy). Run it in a fresh interpreter; it is a measurement, not a
test (the suite's test_zero_copy.py checks the addresses).
"""

import gc
import sys
import time


def status():
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
    return fields


def report(step, t0, extra=""):
    import pyarrow as pa

    s = status()
    print(
        f"{step:<34} {time.perf_counter() - t0:>7.2f} s  RSS {s['VmRSS']:>7.0f} MB  peak {s['VmHWM']:>7.0f} MB  "
        f"pyarrow pool {pa.total_allocated_bytes() / 2**20:>6.1f} MB  {extra}"
    )


def main():
    run_dir = sys.argv[1]
    t0 = time.perf_counter()
    import pyarrow as pa  # noqa: F401

    import srtlog

    report("imports", t0)
    t0 = time.perf_counter()
    runs = srtlog.load(run_dir, cache=False, requests=False)
    report("load (records in Rust)", t0)
    t0 = time.perf_counter()
    table = runs.batches
    report("batches -> pyarrow.Table", t0, f"{table.num_rows} rows, {table.nbytes / 2**20:.0f} MB of Arrow data")
    del runs
    gc.collect()
    report("records dropped (table kept)", time.perf_counter())
    t0 = time.perf_counter()
    df = table.to_pandas()
    report("table -> pandas.DataFrame", t0, f"{df.memory_usage(deep=False).sum() / 2**20:.0f} MB in pandas")


if __name__ == "__main__":
    main()
