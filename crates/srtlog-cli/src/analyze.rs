//! `analyze <dir>`: load runs and print them as tables or as the JSON document.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Args;
use comfy_table::{presets, Cell, CellAlignment, Table};
use srtlog_loader::model::{BatchType, BenchmarkRun, ResultSource, WorkerType};
use srtlog_loader::LoadReport;

use crate::load::{load, LoadArgs};

/// Options of `analyze`.
#[derive(Debug, Clone, Args)]
pub struct AnalyzeArgs {
    /// Runs to read.
    #[command(flatten)]
    pub load: LoadArgs,
    /// Print the JSON document (schema_version 1) on stdout instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Runs `analyze`.
pub fn run(args: &AnalyzeArgs) -> ExitCode {
    let report = match load(&args.load) {
        Ok(report) => report,
        Err(code) => return code,
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match write_output(args, report, &mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is not an error worth a message.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("srtlog: cannot write output: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Writes what `analyze` prints for `report`: the JSON document with `--json`, else the tables.
pub fn write_output(args: &AnalyzeArgs, report: LoadReport, out: &mut impl Write) -> io::Result<()> {
    if args.json {
        write_json(out, report)
    } else {
        write_tables(out, &report, &args.load.dir)
    }
}

/// Streams the JSON document: no intermediate string, cost proportional to its size.
fn write_json(out: &mut impl Write, report: LoadReport) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &report.into_document()).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

fn fmt_f(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => "-".to_owned(),
    }
}

fn write_tables(out: &mut impl Write, report: &LoadReport, root: &std::path::Path) -> io::Result<()> {
    if report.runs.is_empty() && report.skipped.is_empty() {
        writeln!(out, "no runs under {}", root.display())?;
    }
    for run in &report.runs {
        write_run(out, run)?;
    }
    if !report.skipped.is_empty() {
        writeln!(out, "Skipped {} run(s):", report.skipped.len())?;
        let mut table = Table::new();
        table.load_preset(presets::UTF8_BORDERS_ONLY).set_header(["job", "kind", "reason"]);
        for s in &report.skipped {
            table.add_row([
                s.job_id.clone().unwrap_or_else(|| "-".into()),
                s.kind.as_str().to_owned(),
                s.reason.clone(),
            ]);
        }
        writeln!(out, "{table}")?;
    }
    for w in &report.warnings {
        writeln!(out, "warning: {w}")?;
    }
    Ok(())
}

fn write_run(out: &mut impl Write, run: &BenchmarkRun) -> io::Result<()> {
    let m = &run.metadata;
    let p = &run.profiler_metadata;
    let gpus = m.gpus_used();
    let isl_osl = match (p.isl, p.osl) {
        (None, None) => "-".to_owned(),
        (i, o) => {
            format!("{}/{}", i.map_or("?".into(), |v| v.to_string()), o.map_or("?".into(), |v| v.to_string()))
        }
    };
    writeln!(
        out,
        "Job {}  {}  {}  {} GPUs  backend {}  benchmark {}  ISL/OSL {}{}",
        m.job_id,
        m.gpu_type.as_deref().unwrap_or("?"),
        m.topology(),
        gpus.map_or("?".into(), |g| g.to_string()),
        m.backend_type.as_deref().unwrap_or("?"),
        p.profiler_type.as_deref().unwrap_or("?"),
        isl_osl,
        if m.tags.is_empty() { String::new() } else { format!("  tags {}", m.tags.join(",")) },
    )?;
    if let Some(name) = &m.job_name {
        writeln!(out, "  {name}  ({})", m.path)?;
    }
    let mut table = Table::new();
    table.load_preset(presets::UTF8_BORDERS_ONLY).set_header([
        "conc",
        "out tok/s",
        "tok/s/GPU",
        "tok/s/user",
        "TTFT mean",
        "TTFT p99",
        "ITL mean",
        "TPOT mean",
        "source",
    ]);
    let source = match run.profiler.source {
        Some(ResultSource::Json) => "json",
        Some(ResultSource::BenchmarkOut) => "fallback",
        Some(ResultSource::Rollup) => "rollup",
        None => "-",
    };
    for point in &run.profiler.points {
        let row = [
            point.concurrency.map_or("open-loop".to_owned(), |c| c.to_string()),
            fmt_f(point.output_tps, 1),
            fmt_f(point.output_tps_per_gpu(gpus), 1),
            fmt_f(point.output_tps_per_user(), 1),
            fmt_f(point.mean_ttft_ms, 1),
            fmt_f(point.p99_ttft_ms, 1),
            fmt_f(point.mean_itl_ms, 2),
            fmt_f(point.mean_tpot_ms, 2),
            source.to_owned(),
        ];
        table.add_row(row.into_iter().enumerate().map(|(i, v)| {
            let cell = Cell::new(v);
            if i < 8 {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    writeln!(out, "{table}")?;
    if run.is_complete {
        writeln!(out, "  complete: every expected concurrency has a result")?;
    } else if !run.missing_concurrencies.is_empty() {
        let missing: Vec<String> = run.missing_concurrencies.iter().map(u32::to_string).collect();
        writeln!(out, "  INCOMPLETE: no result for concurrency {}", missing.join(", "))?;
    }
    for w in &run.profiler.warnings {
        writeln!(out, "  warning: {w}")?;
    }
    if !run.nodes.is_empty() {
        write_worker_summary(out, run)?;
    }
    writeln!(out)
}

fn write_worker_summary(out: &mut impl Write, run: &BenchmarkRun) -> io::Result<()> {
    let nodes = &run.nodes;
    let count = |t: WorkerType| nodes.iter().filter(|n| n.metrics.metadata.worker_type == t).count();
    let (p, d, a) = (count(WorkerType::Prefill), count(WorkerType::Decode), count(WorkerType::Agg));
    let mut roles = Vec::new();
    for (n, name) in [(p, "prefill"), (d, "decode"), (a, "agg")] {
        if n > 0 {
            roles.push(format!("{n} {name}"));
        }
    }
    writeln!(out, "  Workers: {}", roles.join(", "))?;
    let mut table = Table::new();
    table.load_preset(presets::UTF8_BORDERS_ONLY).set_header([
        "worker",
        "type",
        "tp/dp/ep",
        "prefill batches",
        "decode batches",
        "first",
        "last",
        "peak gen tok/s",
        "median gen tok/s",
        "cache hit",
        "peak KV use",
        "malformed",
    ]);
    for (i, node) in nodes.iter().enumerate() {
        let m = &node.metrics;
        let derived = run.derived.workers.get(i);
        let batches = &m.batches;
        let prefill = batches.iter().filter(|b| b.batch_type == BatchType::Prefill).count();
        let decode = batches.len() - prefill;
        let first = batches.iter().filter_map(|b| b.timestamp).min();
        let last = batches.iter().filter_map(|b| b.timestamp).max();
        let peak_kv = batches
            .iter()
            .filter_map(|b| b.token_usage())
            .fold(None, |acc: Option<f64>, v| Some(acc.map_or(v, |a| a.max(v))));
        let size = |v: Option<u32>| v.map_or("?".to_owned(), |v| v.to_string());
        table.add_row([
            format!("{} {}", m.metadata.node_name, m.metadata.worker_id),
            m.metadata.worker_type.as_str().to_owned(),
            format!("{}/{}/{}", size(m.config.tp_size), size(m.config.dp_size), size(m.config.ep_size)),
            prefill.to_string(),
            decode.to_string(),
            first.map_or("-".into(), |t| t.to_string()),
            last.map_or("-".into(), |t| t.to_string()),
            fmt_f(derived.and_then(|d| d.peak_gen_throughput), 1),
            fmt_f(derived.and_then(|d| d.median_gen_throughput), 1),
            derived.and_then(|d| d.cache_hit_rate).map_or("-".into(), |v| format!("{:.1}%", v * 100.0)),
            peak_kv.map_or("-".into(), |v| format!("{:.0}%", v * 100.0)),
            m.stats.malformed_lines.to_string(),
        ]);
    }
    let rendered = table.to_string();
    for line in rendered.lines() {
        writeln!(out, "  {line}")?;
    }
    if let Some(rm) = &run.derived.rate_match {
        writeln!(
            out,
            "  Rate match: prefill input / decode generated tokens/s = {} (over {} buckets of {} s)",
            fmt_f(rm.ratio, 2),
            rm.offsets_s.len(),
            rm.bucket_secs
        )?;
    }
    Ok(())
}
