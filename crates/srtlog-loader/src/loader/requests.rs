//! Loading a run's per-request records: every `profile_export.jsonl` of its aiperf artifact
//! directories ([`request_files`]: warm-up directories excluded), streamed line by line into
//! [`BenchmarkRun::requests`]. Only when [`LoaderOptions::with_requests`](crate::LoaderOptions)
//! asks: they can be millions of rows and only the dataset's `requests/` table uses them.
//!
//! A point's concurrency comes from its directory's name, else from the sibling export's
//! `input_config.loadgen.concurrency`. Whatever does not read cleanly (an unopenable file, bad
//! or cut lines, unknown units) becomes a result warning naming the file, so nothing is lost
//! without a word. The records are cached as their own part (`requests.parquet`), whose
//! sources are exactly the files read: the request files and the exports asked for a
//! concurrency.

use std::fs::File;
use std::io::BufReader;

use srtlog_model::{BenchmarkRun, RunFiles};
use srtlog_parsers_bench::aiperf_records::{
    concurrency_from_export, read_records, request_files, sibling_export,
};

use super::{fingerprints, RunLoader};

impl RunLoader {
    /// Reads (or takes from the cache) every request file of `files` into `run.requests`, in
    /// path order; problems become warnings in `run.profiler.warnings`.
    pub(super) fn load_requests(&self, files: &RunFiles, run: &mut BenchmarkRun) {
        let found = request_files(files);
        if found.is_empty() {
            return;
        }
        // What is read: each request file, and the export beside it when the name has no concurrency.
        let exports: Vec<Option<String>> = found
            .iter()
            .map(|(path, named)| Some(sibling_export(path)).filter(|e| named.is_none() && files.is_file(e)))
            .collect();
        let sources =
            found.iter().map(|(p, _)| p.as_str()).chain(exports.iter().flatten().map(String::as_str));
        let cache = self.cache_for(files.root());
        let fps = cache.as_ref().and_then(|_| fingerprints(files, sources));
        if let (Some(cache), Some(fps)) = (&cache, &fps) {
            if let Some((records, warnings)) = self.cache_lookup(cache.load_requests(fps)) {
                run.requests = records;
                run.profiler.warnings.extend(warnings);
                return;
            }
        }
        let mut warnings = Vec::new();
        for ((path, named), export) in found.iter().zip(&exports) {
            let concurrency = named.or_else(|| {
                let bytes = std::fs::read(files.full_path(export.as_deref()?)).ok()?;
                concurrency_from_export(&bytes)
            });
            let file = match File::open(files.full_path(path)) {
                Ok(f) => f,
                Err(e) => {
                    warnings.push(format!("{path}: cannot read per-request records: {e}"));
                    continue;
                }
            };
            let stats =
                read_records(BufReader::with_capacity(1 << 16, file), path, concurrency, &mut run.requests);
            if concurrency.is_none() && stats.records > 0 {
                warnings.push(format!(
                    "{path}: {} request records without a concurrency (neither the directory name nor the export says)",
                    stats.records
                ));
            }
            warnings.extend(stats.diagnostics);
        }
        if let (Some(cache), Some(fps)) = (&cache, &fps) {
            match cache.store_requests(fps, &run.requests, &warnings) {
                Ok(()) => self.side().cache.writes += 1,
                Err(err) => self.note_store_error(files.root(), err),
            }
        }
        run.profiler.warnings.extend(warnings);
    }
}
