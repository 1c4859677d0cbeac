//! The `prefix-replay` parser: `logs/prefix-replay-isl<I>-osl<O>-c<C>/results.json`, written by
//! srt-slurm's `scripts/sa-bench/prefix_replay.py` (branch `hjjq/dcp8-dep16-prefix-replay`,
//! FORMATS-2 §3), one directory per concurrency.
//!
//! The script sends the same prompts twice: a `seed` wave (output length 1) that fills the
//! prefix cache, then the measured `replay` wave. **Only `replay` is a benchmark point**; the
//! seed is a warm-up. The wave's fields map by definition:
//!
//! | point | `replay` field | why |
//! |---|---|---|
//! | `concurrency` | `config.concurrency` (else the directory's `-c<C>`) | every prompt is sent at once, so the wave's concurrency is the prompt count |
//! | `completed`, `num_prompts` | `completed`, `completed + failed` | |
//! | `duration` | `duration_s` | |
//! | `total_input_tokens`, `total_output_tokens` | `input_tokens`, `output_tokens` | over completed requests, as sa-bench counts |
//! | `request_throughput`, `output_tps` | `request_throughput`, `output_token_throughput` | |
//! | `total_tps` | `logical_total_token_throughput` | input (cached included) plus output tokens per second: sa-bench's total |
//! | `median_ttft_ms`, `median_tpot_ms` | `median_ttft_ms`, `median_tpot_ms` | the script reports medians only |
//! | `other_metrics` | `uncached_total_token_throughput`, `cached_input_tokens_reported`, `failed`, `seed_duration_s` | when present |
//!
//! The script's `*_per_gpu` fields divide by its own `--total-gpus`; srtlog derives per-GPU
//! rates once, from the metadata, so they are not copied. Failed requests (`errors`) are a
//! warning naming the file.

use serde_json::Value;
use srtlog_model::{
    parent_of, BenchmarkPoint, ParseError, ProfilerResults, ResultSource, ResultSources, RunFiles,
    SourceBytes,
};

/// Result files, directory name order, `logs/` first; nothing else is considered.
pub fn select(files: &RunFiles) -> ResultSources {
    let mut sources = ResultSources::new(files);
    for dir in ["logs", ""] {
        for entry in files.children(dir) {
            if entry.is_dir() && entry.name().starts_with("prefix-replay-") {
                let path = srtlog_model::join_path(&entry.path, "results.json");
                if files.is_file(&path) {
                    sources.result_files.push(path);
                }
            }
        }
        if !sources.result_files.is_empty() {
            sources.result_dir = Some(dir.to_owned());
            break;
        }
    }
    sources
}

/// Parses the selected `results.json` files: one point each (see the module docs).
pub fn parse_results(
    sources: &ResultSources,
    bytes: &mut dyn Iterator<Item = SourceBytes<'_>>,
) -> Result<ProfilerResults, ParseError> {
    let mut results = ProfilerResults { source: Some(ResultSource::Json), ..Default::default() };
    let mut failures = Vec::new();
    for source in bytes {
        let parsed =
            source.bytes.map_err(|e| ParseError::io(sources.full_path(source.path), e)).and_then(|b| {
                parse_file(source.path, &b, &mut results.warnings)
                    .map_err(|m| ParseError::invalid(sources.full_path(source.path), m))
            });
        match parsed {
            Ok(point) => results.points.push(point),
            Err(err) => {
                results.warnings.push(format!("{}: skipped: {err}", source.path));
                failures.push(err);
            }
        }
    }
    if results.points.is_empty() {
        return match failures.len() {
            0 => Ok(ProfilerResults::default()),
            1 => Err(failures.remove(0)),
            _ => Err(ParseError::invalid(
                sources.full_path(sources.result_dir.as_deref().unwrap_or("")),
                format!("no usable prefix-replay result: {}", results.warnings.join("; ")),
            )),
        };
    }
    results.sort();
    Ok(results)
}

fn parse_file(path: &str, bytes: &[u8], warnings: &mut Vec<String>) -> Result<BenchmarkPoint, String> {
    let text = srtlog_model::python_json::sanitize(bytes);
    let root: Value = serde_json::from_slice(&text).map_err(|e| format!("not valid JSON: {e}"))?;
    let replay = root.get("replay").and_then(Value::as_object).ok_or("no `replay` wave")?;
    let num = |key: &str| replay.get(key).and_then(Value::as_f64).filter(|v| v.is_finite());
    let cnt = |key: &str| num(key).and_then(crate::common::as_count);
    let concurrency = root
        .pointer("/config/concurrency")
        .and_then(Value::as_u64)
        .and_then(|c| u32::try_from(c).ok())
        .or_else(|| concurrency_of_dir(parent_of(path)));
    let failed = cnt("failed");
    let mut point = BenchmarkPoint {
        concurrency,
        completed: cnt("completed"),
        num_prompts: cnt("completed").zip(failed).map(|(c, f)| c + f),
        duration: num("duration_s"),
        total_input_tokens: cnt("input_tokens"),
        total_output_tokens: cnt("output_tokens"),
        request_throughput: num("request_throughput"),
        output_tps: num("output_token_throughput"),
        total_tps: num("logical_total_token_throughput"),
        median_ttft_ms: num("median_ttft_ms"),
        median_tpot_ms: num("median_tpot_ms"),
        source_file: Some(path.to_owned()),
        ..Default::default()
    };
    for key in ["uncached_total_token_throughput", "cached_input_tokens_reported", "failed"] {
        if let Some(v) = num(key) {
            point.other_metrics.insert(key.to_owned(), v);
        }
    }
    if let Some(v) = root.pointer("/seed/duration_s").and_then(Value::as_f64).filter(|v| v.is_finite()) {
        point.other_metrics.insert("seed_duration_s".to_owned(), v);
    }
    if let Some(errors) = replay.get("errors").and_then(Value::as_array).filter(|e| !e.is_empty()) {
        let first = errors.first().and_then(Value::as_str).unwrap_or("");
        let first: String = first.chars().take(200).collect();
        warnings.push(format!("{path}: {} replay request(s) failed; first error: {first}", errors.len()));
    }
    Ok(point)
}

/// `C` of `prefix-replay-isl<I>-osl<O>-c<C>`.
fn concurrency_of_dir(dir: &str) -> Option<u32> {
    dir.rsplit('/').next()?.rsplit_once("-c")?.1.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_concurrency_falls_back_to_the_directory_name() {
        assert_eq!(concurrency_of_dir("logs/prefix-replay-isl8192-osl1024-c64"), Some(64));
        assert_eq!(concurrency_of_dir("logs/prefix-replay-x"), None);
    }
}
