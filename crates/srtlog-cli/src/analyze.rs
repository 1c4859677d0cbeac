//! `analyze <dir>`: load runs and print them as tables or as the JSON document.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Args;
use comfy_table::{presets, Cell, CellAlignment, Table};
use srtlog_loader::model::{BenchmarkRun, ResultSource, RunSetup, RunWarningKind, WorkerType};
use srtlog_loader::{LoadReport, NodeDetail};

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

impl AnalyzeArgs {
    /// How much of each worker the output needs: the JSON document every batch, the tables
    /// only per-worker summaries (which a valid cache gives without decoding a batch).
    pub fn node_detail(&self) -> NodeDetail {
        if self.json {
            NodeDetail::Batches
        } else {
            NodeDetail::Summaries
        }
    }
}

/// Runs `analyze`.
pub fn run(args: &AnalyzeArgs) -> ExitCode {
    let report = match load(&args.load, args.node_detail()) {
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
    // Energy columns only for runs with power data (derived.energy, one entry per point).
    let energy = &run.derived.energy;
    let with_energy = !energy.is_empty();
    let mut header = vec![
        "conc",
        "out tok/s",
        "tok/s/GPU",
        "tok/s/user",
        "TTFT mean",
        "TTFT p99",
        "ITL mean",
        "TPOT mean",
    ];
    if with_energy {
        header.extend(["tok/s/W", "J/tok"]);
    }
    header.push("source");
    let mut table = Table::new();
    table.load_preset(presets::UTF8_BORDERS_ONLY).set_header(header);
    let source = match run.profiler.source {
        Some(ResultSource::Json) => "json",
        Some(ResultSource::BenchmarkOut) => "fallback",
        Some(ResultSource::Rollup) => "rollup",
        None => "-",
    };
    for (i, point) in run.profiler.points.iter().enumerate() {
        let mut row = vec![
            point.concurrency.map_or("open-loop".to_owned(), |c| c.to_string()),
            fmt_f(point.output_tps, 1),
            fmt_f(point.output_tps_per_gpu(gpus), 1),
            fmt_f(point.output_tps_per_user(), 1),
            fmt_f(point.mean_ttft_ms, 1),
            fmt_f(point.p99_ttft_ms, 1),
            fmt_f(point.mean_itl_ms, 2),
            fmt_f(point.mean_tpot_ms, 2),
        ];
        if with_energy {
            let e = energy.get(i);
            row.push(fmt_f(e.and_then(|e| e.output_tps_per_w), 3));
            row.push(fmt_f(e.and_then(|e| e.j_per_output_token), 3));
        }
        let numbers = row.len();
        row.push(source.to_owned());
        table.add_row(row.into_iter().enumerate().map(|(i, v)| {
            let cell = Cell::new(v);
            if i < numbers {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    if run.profiler.points.is_empty() && run.accuracy.is_empty() {
        writeln!(out, "  no benchmark results (see the warnings below)")?;
    } else if !run.profiler.points.is_empty() {
        writeln!(out, "{table}")?;
    }
    if run.is_complete {
        writeln!(out, "  complete: every expected concurrency has a result")?;
    } else if !run.missing_concurrencies.is_empty() {
        let missing: Vec<String> = run.missing_concurrencies.iter().map(u32::to_string).collect();
        writeln!(out, "  INCOMPLETE: no result for concurrency {}", missing.join(", "))?;
    }
    for w in &run.profiler.warnings {
        writeln!(out, "  warning: {w}")?;
    }
    write_power(out, run)?;
    write_accuracy(out, run)?;
    // Missing workers are said once, with the reason the warning gives (`missing_workers`
    // in the JSON holds the counts).
    for w in &run.warnings {
        match w.kind {
            RunWarningKind::MissingWorkers => writeln!(out, "  MISSING WORKERS: {}", w.message)?,
            kind => writeln!(out, "  warning [{}]: {}", kind.as_str(), w.message)?,
        }
    }
    if let Some(setup) = &run.setup {
        writeln!(out, "  Setup: {}", setup_line(setup))?;
    }
    if !run.nodes.is_empty() {
        write_worker_summary(out, run)?;
    }
    writeln!(out)
}

/// The run's power source and, per point without energy, why (the figures are in the table).
fn write_power(out: &mut impl Write, run: &BenchmarkRun) -> io::Result<()> {
    let Some(power) = &run.power else { return Ok(()) };
    writeln!(
        out,
        "  Power: {} ({} GPU samples, {} CPU samples)",
        power.source.as_str(),
        power.gpu_sample_count,
        power.cpu_sample_count
    )?;
    // Each reason or note once, with the concurrencies it applies to.
    let mut said: Vec<(String, Vec<String>)> = Vec::new();
    for (point, e) in run.profiler.points.iter().zip(&run.derived.energy) {
        let conc = point.concurrency.map_or("open-loop".to_owned(), |c| c.to_string());
        let reason = e.reason.iter().map(|r| format!("unknown: {r}"));
        for line in reason.chain(e.notes.iter().cloned()) {
            match said.iter_mut().find(|(l, _)| *l == line) {
                Some((_, concs)) => concs.push(conc.clone()),
                None => said.push((line, vec![conc.clone()])),
            }
        }
    }
    for (line, concs) in said {
        writeln!(out, "  energy, conc {}: {line}", concs.join(", "))?;
    }
    for w in &power.warnings {
        writeln!(out, "  power: {w}")?;
    }
    Ok(())
}

/// One line of a run's setup: container, framework versions, GPUs, CUDA, config hash, key.
fn setup_line(setup: &RunSetup) -> String {
    let mut parts = Vec::new();
    if let Some(c) = setup.container_image.as_deref().or(setup.container_path.as_deref()) {
        parts.push(format!("container {c}"));
    }
    if !setup.frameworks.is_empty() {
        let versions: Vec<String> = setup.frameworks.iter().map(|(k, v)| format!("{k} {v}")).collect();
        parts.push(versions.join(", "));
    }
    if let Some(gpu) = &setup.gpu {
        let mut g = match (gpu.count, &gpu.name) {
            (Some(n), Some(name)) => format!("{n}x {name}"),
            (None, Some(name)) => name.clone(),
            _ => "GPU".to_owned(),
        };
        if let Some(d) = &gpu.driver {
            g.push_str(&format!(" driver {d}"));
        }
        parts.push(g);
    }
    if let Some(c) = &setup.cuda_version {
        parts.push(format!("CUDA {c}"));
    }
    if let Some(h) = &setup.config_hash {
        parts.push(format!("config {h}"));
    }
    parts.push(format!("key {}", setup.key()));
    parts.join(" · ")
}

/// The run's accuracy results, one row per task, metric and filter (nothing when it has none).
fn write_accuracy(out: &mut impl Write, run: &BenchmarkRun) -> io::Result<()> {
    if !run.accuracy.is_empty() {
        let mut table = Table::new();
        table
            .load_preset(presets::UTF8_BORDERS_ONLY)
            .set_header(["task", "metric", "filter", "value", "n", "eval"]);
        for a in &run.accuracy {
            let value = match a.stderr {
                Some(se) => format!("{} ± {}", fmt_f(Some(a.value), 4), fmt_f(Some(se), 4)),
                None => fmt_f(Some(a.value), 4),
            };
            table.add_row([
                Cell::new(&a.task),
                Cell::new(&a.metric),
                Cell::new(a.filter.as_deref().unwrap_or("-")),
                Cell::new(value).set_alignment(CellAlignment::Right),
                Cell::new(a.samples.map_or("-".to_owned(), |n| n.to_string()))
                    .set_alignment(CellAlignment::Right),
                Cell::new(&a.eval),
            ]);
        }
        writeln!(out, "  Accuracy:")?;
        writeln!(out, "{table}")?;
    }
    for w in &run.accuracy_warnings {
        writeln!(out, "  warning: {w}")?;
    }
    Ok(())
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
    // Every figure comes from the derived engine (`run.derived`), which a summary load reads
    // from the cache without decoding a batch.
    for (i, node) in nodes.iter().enumerate() {
        let m = &node.metrics;
        let derived = run.derived.workers.get(i);
        let size = |v: Option<u32>| v.map_or("?".to_owned(), |v| v.to_string());
        let time = |t: Option<Option<srtlog_loader::model::Timestamp>>| {
            t.flatten().map_or("-".into(), |t| t.to_string())
        };
        table.add_row([
            format!("{} {}", m.metadata.node_name, m.metadata.worker_id),
            m.metadata.worker_type.as_str().to_owned(),
            format!("{}/{}/{}", size(m.config.tp_size), size(m.config.dp_size), size(m.config.ep_size)),
            derived.map_or("-".into(), |d| d.prefill_batches.to_string()),
            derived.map_or("-".into(), |d| d.decode_batches.to_string()),
            time(derived.map(|d| d.first_batch_at)),
            time(derived.map(|d| d.last_batch_at)),
            fmt_f(derived.and_then(|d| d.peak_gen_throughput), 1),
            fmt_f(derived.and_then(|d| d.median_gen_throughput), 1),
            derived.and_then(|d| d.cache_hit_rate).map_or("-".into(), |v| format!("{:.1}%", v * 100.0)),
            derived.and_then(|d| d.peak_token_usage).map_or("-".into(), |v| format!("{:.0}%", v * 100.0)),
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
