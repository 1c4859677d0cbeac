//! Listing a run directory once: [`list_run_files`] → [`RunFiles`] (paths, sizes, mtimes).
//!
//! The listing is what the benchmark parsers choose their files from, what the worker files,
//! sweep logs and config dumps are found in, and what the cache fingerprints, so that a load
//! never parses one set of files and fingerprints another. It goes as deep as the run layouts
//! put anything srtlog reads, and no deeper:
//!
//! - the run root and each directory in it (`logs/*`, legacy `sa-bench_isl_*/*`, `artifacts/*`),
//!   except srtlog's own `cached_assets/`;
//! - the directories in `logs/` (`logs/sa-bench_isl_*/*`, `logs/artifacts/*`) and in `artifacts/`
//!   (`artifacts/<run>/*`);
//! - Tachometer's `logs/tachometer/local/` and `logs/telemetry/local/` (`out-N.parquet`,
//!   `current.arrow`);
//! - the directories in `logs/artifacts/` (`logs/artifacts/<run>/profile_export_aiperf.json`),
//!   `logs/accuracy/` (`logs/accuracy/sgl_eval_<eval>_<id>/metrics.json`), `logs/eval_results/`
//!   (`logs/eval_results/<model>/results_<date>.json`), `logs/agentic/` (`conc_<C>/`) and
//!   `logs/power/` (the power sampler's `windows/` and `cpu/`);
//! - one level below an artifact directory (`logs/artifacts/conc_<C>/<name>/`), and agentic's
//!   `logs/agentic/conc_<C>/aiperf_artifacts/[<sub>/]profile_export_aiperf.json`.
//!
//! Symbolic links are followed (walkdir's loop detection stops cycles), and listed as what they
//! point to. An entry that cannot be stat'ed (a dangling link, a permission error, a loop) or
//! whose name is not UTF-8 is left out: no format srtlog reads names its files so.
//!
//! An entry that is neither a regular file nor a directory — a device, FIFO or socket, or a link
//! to one (`logs/x_decode_w0.out -> /dev/zero`) — is listed as
//! [`EntryKind::Special`](srtlog_model::EntryKind::Special): as no parser takes anything but files, it is never opened (an
//! endless or blocking file cannot hang a load), and the loader warns, naming it, so that it is
//! not lost without a word. This is the one place that decides what such an entry becomes.

use std::path::{Component, Path};

use srtlog_model::{mtime_ns, parent_of, FileEntry, RunFiles};

/// How many levels below the run directory the listing reaches
/// (`logs/agentic/conc_<C>/aiperf_artifacts/<sub>/<file>`).
pub const LISTING_DEPTH: usize = 6;

/// Whether the listing enters the directory at `path` (relative), `depth` levels down.
fn descends_into(path: &str, depth: usize) -> bool {
    match depth {
        0 => true,
        1 => path != "cached_assets",
        2 => matches!(parent_of(path), "logs" | "artifacts"),
        // aiperf artifact directories; sgl-eval's `sgl_eval_<eval>_*/` and lm-eval's
        // `<model>/` result directories; agentic's `conc_<C>/`.
        // Tachometer's `local/` (`out-N.parquet`, `current.arrow`, the copy of `final.parquet`).
        3 => {
            matches!(
                parent_of(path),
                "logs/artifacts" | "logs/accuracy" | "logs/eval_results" | "logs/agentic" | "logs/power"
            ) || matches!(path, "logs/tachometer/local" | "logs/telemetry/local")
        }
        // An export one level below its artifact directory (`conc_<C>/<name>/`); agentic's
        // `conc_<C>/aiperf_artifacts/`.
        4 => {
            let parent = parent_of(path);
            parent_of(parent) == "logs/artifacts"
                || (parent_of(parent) == "logs/agentic" && path.ends_with("/aiperf_artifacts"))
        }
        // agentic's `conc_<C>/aiperf_artifacts/<sub>/`.
        5 => {
            parent_of(parent_of(parent_of(path))) == "logs/agentic"
                && parent_of(path).ends_with("/aiperf_artifacts")
        }
        _ => false,
    }
}

/// `path` relative to `root`, `/`-separated; `None` when it is not below `root` or not UTF-8.
pub fn relative_to(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for component in rel.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str()?),
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// Lists `run_dir` (see the module docs for how deep). Never fails: what cannot be listed is
/// left out, and a run directory that cannot be read gives an empty listing.
pub fn list_run_files(run_dir: &Path) -> RunFiles {
    let mut entries = Vec::new();
    let mut walker = walkdir::WalkDir::new(run_dir).follow_links(true).max_depth(LISTING_DEPTH).into_iter();
    while let Some(item) = walker.next() {
        let entry = match item {
            Ok(entry) => entry,
            Err(err) => {
                tracing::debug!("not listed: {err}");
                continue;
            }
        };
        let is_dir = entry.file_type().is_dir();
        let Some(path) = relative_to(run_dir, entry.path()) else {
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        };
        if is_dir && !descends_into(&path, entry.depth()) {
            walker.skip_current_dir();
        }
        if entry.depth() == 0 {
            continue;
        }
        let is_file = entry.file_type().is_file();
        let modified =
            entry.metadata().map_err(std::io::Error::from).and_then(|m| Ok((m.len(), m.modified()?)));
        match modified {
            Ok((_, mtime)) if is_dir => entries.push(FileEntry::dir(path, mtime_ns(mtime))),
            Ok((size, mtime)) if is_file => entries.push(FileEntry::file(path, size, mtime_ns(mtime))),
            Ok((_, mtime)) => entries.push(FileEntry::special(path, mtime_ns(mtime))),
            Err(err) => tracing::debug!("not listed: {}: {err}", entry.path().display()),
        }
    }
    RunFiles::new(run_dir, entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_reaches_what_the_layouts_hold_and_no_further() {
        let tmp = tempfile::tempdir().unwrap();
        let run = tmp.path();
        for file in [
            "1.json",
            "logs/benchmark.out",
            "logs/sa-bench_isl_1_osl_2/r.json",
            "sa-bench_isl_1_osl_2/r.json",
            "logs/artifacts/m_20260101_000000/profile_export_aiperf.json",
            "artifacts/m_20260101_000000/profile_export_aiperf.json",
            "cached_assets/benchmark_results.parquet",
            "outputs/deep/too_deep.json",
            "logs/profiles/rank0/trace.json",
            "logs/tachometer/local/current.arrow",
            "logs/telemetry/local/out-1.parquet",
        ] {
            let path = run.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, b"12345").unwrap();
        }
        let files = list_run_files(run);
        let paths: Vec<&str> =
            files.entries().iter().filter(|e| e.is_file()).map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "1.json",
                "artifacts/m_20260101_000000/profile_export_aiperf.json",
                "logs/artifacts/m_20260101_000000/profile_export_aiperf.json",
                "logs/benchmark.out",
                "logs/sa-bench_isl_1_osl_2/r.json",
                "logs/tachometer/local/current.arrow",
                "logs/telemetry/local/out-1.parquet",
                "sa-bench_isl_1_osl_2/r.json",
            ]
        );
        assert!(
            files.is_dir("cached_assets")
                && files.is_dir("outputs/deep")
                && files.is_dir("logs/profiles/rank0")
        );
        let entry = files.get("logs/benchmark.out").unwrap();
        let meta = std::fs::metadata(run.join("logs/benchmark.out")).unwrap();
        assert_eq!((entry.size, entry.mtime_ns), (5, mtime_ns(meta.modified().unwrap())));
        assert_eq!(files.root(), run);
    }

    #[test]
    fn devices_and_fifos_are_listed_as_special_and_links_as_their_targets() {
        let tmp = tempfile::tempdir().unwrap();
        let run = tmp.path();
        std::fs::create_dir(run.join("logs")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", run.join("logs/a_decode_w0.out")).unwrap();
        std::os::unix::fs::symlink("/dev/null", run.join("benchmark.out")).unwrap();
        let status = std::process::Command::new("mkfifo").arg(run.join("logs/b_decode_w1.out")).status();
        assert!(status.unwrap().success());
        std::fs::write(run.join("logs/real.out"), b"x").unwrap();
        std::os::unix::fs::symlink(run.join("logs/real.out"), run.join("logs/c_decode_w2.out")).unwrap();
        let files = list_run_files(run);
        let kinds: Vec<(&str, srtlog_model::EntryKind)> =
            files.entries().iter().map(|e| (e.path.as_str(), e.kind)).collect();
        use srtlog_model::EntryKind::{Dir, File, Special};
        assert_eq!(
            kinds,
            [
                ("benchmark.out", Special),
                ("logs", Dir),
                ("logs/a_decode_w0.out", Special),
                ("logs/b_decode_w1.out", Special),
                ("logs/c_decode_w2.out", File),
                ("logs/real.out", File),
            ]
        );
        assert_eq!(files.benchmark_out(), None, "a device is never taken for a file");
    }

    #[test]
    fn relative_paths() {
        let root = Path::new("/runs/1");
        assert_eq!(relative_to(root, Path::new("/runs/1/logs/a.out")).as_deref(), Some("logs/a.out"));
        assert_eq!(relative_to(root, root).as_deref(), Some(""));
        assert_eq!(relative_to(root, Path::new("/other/a.out")), None);
    }
}
