"""A sweep into a pandas DataFrame: srtlog (`srtlog.load(...).to_pandas("points")`) against
the Python reference's `RunLoader(dir).to_dataframe()`, on the same files.

    python benchmarks/sweep_to_pandas.py CORPUS [--reference DIR] [--repeat 3]

CORPUS is a directory of runs (`cargo xtask gen-corpus CORPUS --runs 20 --workers 5 --lines
24000 --metric-share 0.5` is the reference-shaped one); --reference is a directory holding the
reference's `analysis/srtlog` package (csahithi/srt-slurm at 43dd31a). Every measurement runs
in a fresh interpreter (wall time of the load and conversion, imports excluded; peak RSS of
that interpreter), rounds interleaved, medians printed. Both DataFrames are checked to hold
the same points (concurrency and output tok/s of every run). The reference writes its cache
into each run's `cached_assets/`: its cold rounds delete it first, and srtlog's cache is
kept elsewhere (`cache=DIR`) so that the two never read each other's files.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
mode, corpus, cache, reference = sys.argv[1:5]
if mode.startswith("reference"):
    sys.path.insert(0, reference)
    import logging
    logging.disable(logging.WARNING)
    from analysis.srtlog.run_loader import RunLoader
    import pandas
    t = time.perf_counter()
    df = RunLoader(corpus).to_dataframe()
    elapsed = time.perf_counter() - t
    points = sorted((str(r["Run ID"]).split("_")[0], int(r["Concurrency"]), float(r["Output TPS"])) for r in df.to_dict("records"))
    phases = {}
else:
    import srtlog
    import pandas
    nodes = mode.endswith("nodes")
    t = time.perf_counter()
    runs = srtlog.load(corpus, nodes=nodes, cache=(cache if "warm" in mode else False), requests=False)
    t_load = time.perf_counter()
    table = runs.table("batches" if nodes else "points")
    t_table = time.perf_counter()
    df = table.to_pandas()
    elapsed = time.perf_counter() - t
    phases = {"load": t_load - t, "table": t_table - t_load, "pandas": time.perf_counter() - t_table}
    pts = runs.to_pandas("points")
    points = sorted((j, -1 if c != c else int(c), float(o)) for j, c, o in zip(pts["job_id"], pts["concurrency"], pts["output_tps"]))
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "phases": phases, "rss_mb": rss_mb, "rows": len(df), "points": points}))
"""


def run(mode, corpus, cache, reference):
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(corpus), str(cache), str(reference or "")],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def clear_reference_cache(corpus):
    for run_dir in Path(corpus).iterdir():
        shutil.rmtree(run_dir / "cached_assets", ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--reference", type=Path, help="directory holding analysis/srtlog of the reference")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="srtlog-bench-cache-"))
    modes = ["srtlog cold", "srtlog warm", "srtlog cold nodes", "srtlog warm nodes"]
    if args.reference:
        modes += ["reference cold", "reference warm"]
    results = {m: [] for m in modes}
    # Prime srtlog's cache (results and worker parts) once.
    run("srtlog warm nodes", args.corpus, cache, args.reference)
    points = {}
    for _ in range(args.repeat):
        for mode in modes:
            if mode == "reference cold":
                clear_reference_cache(args.corpus)
            r = run(mode, args.corpus, cache, args.reference)
            results[mode].append(r)
            points[mode.split()[0]] = r["points"]
    if args.reference:
        clear_reference_cache(args.corpus)
        ref_jobs = {j for j, _, _ in points["reference"]}
        ours = [p for p in points["srtlog"] if p[0] in ref_jobs]
        same = ours == points["reference"]
        print(
            f"srtlog: {len({j for j, _, _ in points['srtlog']})} runs, {len(points['srtlog'])} points; "
            f"reference: {len(ref_jobs)} runs, {len(points['reference'])} points; "
            f"the reference's points equal srtlog's of the same runs: {same}"
        )
    print(f"{'measurement':<22} {'rows':>9} {'median s':>10} {'min s':>8} {'max s':>8} {'peak RSS MB':>12}  phases (median s)")
    for mode, rs in results.items():
        secs = [r["seconds"] for r in rs]
        print(
            f"{mode:<22} {rs[0]['rows']:>9} {statistics.median(secs):>10.3f} {min(secs):>8.3f} {max(secs):>8.3f} "
            f"{statistics.median(r['rss_mb'] for r in rs):>12.0f}  "
            + " ".join(f"{k} {statistics.median(r['phases'][k] for r in rs):.3f}" for k in rs[0]["phases"])
        )
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
