//! Loading a run's per-request records: every `profile_export.jsonl` of its aiperf artifact
//! directories ([`request_files`]: warm-up directories excluded), streamed line by line into
//! [`BenchmarkRun::requests`]. Only when [`LoaderOptions::with_requests`](crate::LoaderOptions)
//! asks: they can be millions of rows and only the dataset's `requests/` table uses them.
//!
//! A point's concurrency comes from its directory's name, else from the sibling export's
//! `input_config.loadgen.concurrency`. Whatever does not read cleanly (an unopenable file, bad
//! or cut lines, unknown units) becomes a result warning naming the file, so nothing is lost
//! without a word.

use std::fs::File;
use std::io::BufReader;

use srtlog_model::{BenchmarkRun, RunFiles};
use srtlog_parsers_bench::aiperf_records::{
    concurrency_from_export, read_records, request_files, sibling_export,
};

/// Reads every request file of `files` into `run.requests`, in path order; problems become
/// warnings in `run.profiler.warnings`.
pub(crate) fn load_requests(files: &RunFiles, run: &mut BenchmarkRun) {
    for (path, named) in request_files(files) {
        let concurrency = named.or_else(|| {
            let export = sibling_export(&path);
            files
                .is_file(&export)
                .then(|| std::fs::read(files.full_path(&export)).ok())
                .flatten()
                .and_then(|b| concurrency_from_export(&b))
        });
        let full = files.full_path(&path);
        let file = match File::open(&full) {
            Ok(f) => f,
            Err(e) => {
                run.profiler.warnings.push(format!("{path}: cannot read per-request records: {e}"));
                continue;
            }
        };
        let stats =
            read_records(BufReader::with_capacity(1 << 16, file), &path, concurrency, &mut run.requests);
        if concurrency.is_none() && stats.records > 0 {
            run.profiler.warnings.push(format!(
                "{path}: {} request records without a concurrency (neither the directory name nor the export says)",
                stats.records
            ));
        }
        run.profiler.warnings.extend(stats.diagnostics);
    }
}
