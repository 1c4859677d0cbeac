//! The cache files are plain Parquet: pyarrow and pandas read them without srtlog.
//!
//! Runs `python3 tests/interop_check.py <dir>` on a cache written here. Needs `pyarrow` and
//! `pandas` (`pip install pyarrow pandas`); set `SRTLOG_SKIP_PY_INTEROP=1` to skip.

use std::path::Path;
use std::process::Command;

use srtlog_cache::RunCache;

use crate::common::{cache_dir, run_with_sources, sample_nodes, sample_results};

#[test]
fn python_reads_the_cache() {
    if std::env::var_os("SRTLOG_SKIP_PY_INTEROP").is_some() {
        eprintln!("note: SRTLOG_SKIP_PY_INTEROP is set: Python interop check skipped");
        return;
    }
    // On a developer's fresh machine the readers may be missing: skip with a notice. In CI
    // (`.ci/run` installs them) a missing reader is a failure, not a skip.
    let have_readers = Command::new("python3")
        .args(["-c", "import pyarrow, pandas"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_readers && std::env::var_os("CI").is_none() {
        eprintln!("note: python3 with pyarrow, pandas not found: interop check skipped (pip install pyarrow pandas)");
        return;
    }
    let (run, fps) = run_with_sources();
    let cache = RunCache::new(cache_dir(run.path()));
    cache.store_results(&fps, &sample_results()).unwrap();
    cache.store_nodes(&fps, &sample_nodes()).unwrap();

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop_check.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg(cache.dir())
        .output()
        .expect("python3 not found (set SRTLOG_SKIP_PY_INTEROP=1 to skip this test)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} failed ({}); needs `pip install pyarrow pandas`, or SRTLOG_SKIP_PY_INTEROP=1 to skip\n\
         stdout:\n{stdout}\nstderr:\n{stderr}",
        script.display(),
        output.status
    );
    eprintln!("{}", stdout.trim());
}
