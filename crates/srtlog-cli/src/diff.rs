//! `diff BASELINE CANDIDATE`: compares two sets of runs ([`srtlog_diff`]), prints the
//! comparison as tables that fit a 100-column terminal (or, with `--json`, the versioned
//! document), and gates: exit 1 when a threshold of `--fail-on` is crossed beyond noise.
//!
//! A side is picked by a *selector* ([`Selector`]), resolved the same way here and in `report
//! --baseline/--candidate` ([`load_side`]). Exit codes: 0 no regression, 1 a regression, 2 a
//! usage error, a side that selects no run, or a comparison that is not comparable.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use srtlog_diff::gate::{Gate, GateResult, DEFAULT_GATE};
use srtlog_diff::points::MetricDelta;
use srtlog_diff::stats::Noise;
use srtlog_diff::{compare, Comparison, RunInput};
use srtlog_loader::metadata::read_config_for_comparison;
use srtlog_loader::model::BenchmarkRun;
use srtlog_loader::NodeDetail;

use crate::load::{load, LoadArgs, LoadFlags};

/// Options of `diff`.
#[derive(Debug, Clone, Args)]
#[command(after_long_help = DIFF_HELP)]
pub struct DiffArgs {
    /// BASELINE and CANDIDATE selectors: a run directory; a directory of runs (every run under
    /// it is one side, its repeats); job ids under --root (`7001` or `7011,7012,7013`); or
    /// `tag:TAG`, the runs under --root carrying TAG. Leave one out to give it by --baseline-tag
    /// or --candidate-tag.
    #[arg(value_name = "SELECTOR", num_args = 0..=2)]
    pub sides: Vec<String>,
    /// The baseline is the runs under --root carrying TAG (repeatable: any of them).
    #[arg(long, value_name = "TAG")]
    pub baseline_tag: Vec<String>,
    /// The candidate is the runs under --root carrying TAG (repeatable: any of them).
    #[arg(long, value_name = "TAG")]
    pub candidate_tag: Vec<String>,
    /// Where job ids and tags are looked up.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Thresholds that make the command fail: `METRIC<-N%` or `METRIC>+N%` (or without `%`,
    /// in the metric's unit), comma-separated; `default` for the default set, `none` for none.
    #[arg(long, value_name = "THRESHOLDS", default_value = DEFAULT_GATE)]
    pub fail_on: String,
    /// Print the whole comparison as one JSON document (`diff_schema_version`) on stdout; the
    /// gate's lines go to stderr.
    #[arg(long)]
    pub json: bool,
    /// How to read the runs (filters apply to both sides).
    #[command(flatten)]
    pub load: LoadFlags,
}

const DIFF_HELP: &str = "\
Examples:
  srtlog diff runs/7001 runs/7002
  srtlog diff 7001 7002 --root runs
  srtlog diff --root runs --baseline-tag nightly-41 --candidate-tag nightly-42
  srtlog diff runs/7001 runs/7002 --fail-on 'output_tps_per_gpu<-5%,p99_ttft_ms>+10%'

Points are matched by ISL/OSL and concurrency (open-loop points by request rate). A side's
runs at one point are repeats: a change inside the sides' spread (bootstrap interval of the
median with 3+ runs, else min-max) is 'within noise'; single runs give 'noise unknown'.
The gate fails on a crossed threshold unless it is within noise.

Exit status:
  0  no regression
  1  a threshold is crossed (beyond noise, or noise unknown)
  2  a usage error, a side that selects no run, or runs that are not comparable";

/// How one side names its runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// A run directory or a directory of runs.
    Path(PathBuf),
    /// Job ids under the root.
    Jobs(Vec<String>),
    /// Runs under the root carrying any of these tags.
    Tags(Vec<String>),
}

impl Selector {
    /// Reads a selector: an existing directory is a path; `tag:TAG` a tag; anything else job
    /// ids separated by commas.
    pub fn parse(text: &str) -> Result<Selector, String> {
        if let Some(tag) = text.strip_prefix("tag:") {
            return if tag.is_empty() {
                Err("empty tag in selector \"tag:\"".to_owned())
            } else {
                Ok(Selector::Tags(vec![tag.to_owned()]))
            };
        }
        if Path::new(text).is_dir() {
            return Ok(Selector::Path(PathBuf::from(text)));
        }
        let jobs: Vec<String> =
            text.split(',').map(str::trim).filter(|j| !j.is_empty()).map(str::to_owned).collect();
        if jobs.is_empty() || text.contains('/') {
            return Err(format!("{text:?} is neither a directory, nor job ids, nor tag:TAG"));
        }
        Ok(Selector::Jobs(jobs))
    }

    /// The selector as users wrote it.
    fn describe(&self) -> String {
        match self {
            Selector::Path(p) => p.display().to_string(),
            Selector::Jobs(j) => format!("job {}", j.join(",")),
            Selector::Tags(t) => format!("tag {}", t.join(",")),
        }
    }
}

/// One side's loaded runs and their config files.
#[derive(Debug, Default)]
pub struct Side {
    /// The runs, newest job first.
    pub runs: Vec<BenchmarkRun>,
    /// Each run's `config.yaml` as JSON, when it has one that could be read.
    pub configs: Vec<Option<serde_json::Value>>,
    /// What could not be read (skipped runs, unreadable config files), each naming its file.
    pub warnings: Vec<String>,
}

impl Side {
    /// The side as the comparison takes it.
    pub fn inputs(&self) -> Vec<RunInput<'_>> {
        self.runs
            .iter()
            .zip(&self.configs)
            .map(|(run, config)| RunInput { run, config: config.as_ref() })
            .collect()
    }
}

/// Reads a run's config file through the loader (the one crate that reads run files); an
/// unreadable one is a warning naming it, and its settings are then not compared.
fn read_config(run: &BenchmarkRun, warnings: &mut Vec<String>) -> Option<serde_json::Value> {
    read_config_for_comparison(Path::new(&run.metadata.path), warnings)
}

/// Loads one side: the runs `selector` names under `root`, with `flags` (whose filters apply
/// too). A side that selects no run is a usage error (exit 2), said in one line.
pub fn load_side(name: &str, selector: &Selector, root: &Path, flags: &LoadFlags) -> Result<Side, ExitCode> {
    let mut args = LoadArgs { dir: root.to_path_buf(), flags: flags.clone() };
    match selector {
        Selector::Path(p) => args.dir = p.clone(),
        Selector::Jobs(j) => args.flags.filter.job_ids.extend(j.iter().cloned()),
        Selector::Tags(t) => args.flags.filter.tags.extend(t.iter().cloned()),
    }
    // Queue depth and KV-cache use per role are taken from the batches.
    let report = load(&args, NodeDetail::Batches)?;
    let mut side = Side::default();
    for s in &report.skipped {
        side.warnings.push(format!("{name}: skipped {}: {}", s.path, s.reason));
    }
    side.warnings.extend(report.warnings.iter().map(|w| format!("{name}: {w}")));
    if report.runs.is_empty() {
        eprintln!("srtlog: the {name} ({}) selects no run under {}", selector.describe(), args.dir.display());
        return Err(ExitCode::from(2));
    }
    for run in report.runs {
        let config = read_config(&run, &mut side.warnings);
        side.configs.push(config);
        side.runs.push(run);
    }
    Ok(side)
}

fn usage(message: &str) -> ExitCode {
    eprintln!("srtlog: {message}");
    ExitCode::from(2)
}

/// The two selectors: `--baseline-tag` / `--candidate-tag`, and the positionals in order for
/// the sides they leave open.
fn selectors(args: &DiffArgs) -> Result<(Selector, Selector), String> {
    let mut positional = args.sides.iter();
    let mut pick = |tags: &[String], name: &str| -> Result<Selector, String> {
        if !tags.is_empty() {
            return Ok(Selector::Tags(tags.to_vec()));
        }
        let text = positional.next().ok_or_else(|| format!("no {name}: give a selector or --{name}-tag"))?;
        Selector::parse(text)
    };
    let baseline = pick(&args.baseline_tag, "baseline")?;
    let candidate = pick(&args.candidate_tag, "candidate")?;
    if let Some(extra) = positional.next() {
        return Err(format!("unexpected selector {extra:?}: both sides are already given"));
    }
    Ok((baseline, candidate))
}

/// Runs `diff`.
pub fn run(args: &DiffArgs) -> ExitCode {
    let (baseline, candidate) = match selectors(args) {
        Ok(s) => s,
        Err(e) => return usage(&e),
    };
    let gate = match Gate::parse(&args.fail_on) {
        Ok(g) => g,
        Err(e) => return usage(&format!("--fail-on: {e}")),
    };
    let a = match load_side("baseline", &baseline, &args.root, &args.load) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let b = match load_side("candidate", &candidate, &args.root, &args.load) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut comparison = compare(&a.inputs(), &b.inputs());
    comparison.warnings = a.warnings.iter().chain(&b.warnings).cloned().collect();
    let result = gate.check(&comparison);
    comparison.gate = Some(result.clone());
    let printed = if args.json {
        serde_json::to_writer_pretty(io::stdout().lock(), &comparison).map_err(io::Error::from).and_then(
            |()| {
                println!();
                let mut err = io::stderr().lock();
                err.write_all(gate_lines(&comparison, &result).as_bytes())
            },
        )
    } else {
        let mut out = render(&comparison);
        out.push_str(&gate_lines(&comparison, &result));
        io::stdout().lock().write_all(out.as_bytes())
    };
    if let Err(e) = printed {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("srtlog: cannot write the comparison: {e}");
            return ExitCode::FAILURE;
        }
    }
    if !comparison.setup.verdict.comparable {
        eprintln!("srtlog: {}", comparison.setup.verdict.summary);
        return ExitCode::from(2);
    }
    if result.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The widest line [`render`] writes.
pub const TABLE_WIDTH: usize = 100;

/// `v` in at most 13 characters: two decimals, or scientific notation when large.
fn num(v: f64) -> String {
    if v.abs() >= 1e9 {
        format!("{v:.3e}")
    } else {
        format!("{v:.2}")
    }
}

fn signed(v: f64) -> String {
    if v.abs() >= 1e9 {
        format!("{v:+.3e}")
    } else {
        format!("{v:+.2}")
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |p| format!("{p:+.1}%"))
}

/// `text` cut to `width` characters, with `…` when cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

fn noise_word(n: Noise) -> &'static str {
    match n {
        Noise::Unknown => "unknown",
        Noise::Within => "within",
        Noise::Beyond => "beyond",
    }
}

const HEADER: (&str, &str, &str, &str, &str, &str, &str) =
    ("metric", "baseline", "candidate", "change", "%", "verdict", "noise");

fn row(out: &mut String, cells: (&str, &str, &str, &str, &str, &str, &str)) {
    let (mut m, a, b, c, p, j, n) = cells;
    // A long name (aiperf's extra metrics) gets a line of its own rather than an ambiguous cut.
    if m.chars().count() > 25 {
        out.push_str(&fit(&format!("  {m}"), TABLE_WIDTH));
        out.push('\n');
        m = "";
    }
    let line = format!("  {:<26}{:>14}{:>14}{:>14}{:>9}  {:<10}{}", fit(m, 25), a, b, c, p, j, n);
    out.push_str(line.trim_end());
    out.push('\n');
}

fn delta_rows(out: &mut String, deltas: &[MetricDelta]) {
    row(out, HEADER);
    for d in deltas {
        let spread = |s: &srtlog_diff::stats::Spread| {
            if s.n() > 1 {
                format!("{}×{}", num(s.median), s.n())
            } else {
                num(s.median)
            }
        };
        row(
            out,
            (
                &d.metric,
                &spread(&d.baseline),
                &spread(&d.candidate),
                &signed(d.change),
                &pct(d.pct_change),
                d.judgement.as_str(),
                noise_word(d.noise),
            ),
        );
    }
}

fn runs_line(name: &str, runs: &[srtlog_diff::RunRef]) -> String {
    let jobs: Vec<String> = runs
        .iter()
        .map(|r| match &r.job_name {
            Some(n) => format!("{} ({n})", r.job_id),
            None => r.job_id.clone(),
        })
        .collect();
    fit(
        &format!(
            "{name:<10} {} run{}: {}",
            runs.len(),
            if runs.len() == 1 { "" } else { "s" },
            jobs.join(", ")
        ),
        TABLE_WIDTH,
    )
}

/// The comparison as text tables, no line wider than [`TABLE_WIDTH`].
pub fn render(c: &Comparison) -> String {
    let mut out = String::new();
    let line = |out: &mut String, text: &str| {
        out.push_str(&fit(text, TABLE_WIDTH));
        out.push('\n');
    };
    line(&mut out, &runs_line("baseline", &c.baseline));
    line(&mut out, &runs_line("candidate", &c.candidate));
    let verdict = &c.setup.verdict;
    let summary = format!("setup: {}", verdict.summary);
    match summary.find(" (").filter(|_| summary.chars().count() > TABLE_WIDTH && verdict.comparable) {
        // The settings are listed below: the verdict line keeps its count.
        Some(at) => line(&mut out, &format!("{}:", &summary[..at])),
        None => line(&mut out, &summary),
    }
    if verdict.confounded {
        line(
            &mut out,
            "  confounded: more than one setting varies, so no change can be credited to one of them",
        );
    }
    for d in &c.setup.differences {
        let v = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".to_owned());
        line(&mut out, &format!("  {}: {} -> {}", d.setting, v(&d.baseline), v(&d.candidate)));
    }
    // A side of unrelated runs can vary in hundreds of settings: the first few say enough here,
    // the JSON has them all.
    const SHOWN: usize = 12;
    for w in c.setup.varies_within.iter().take(SHOWN) {
        line(&mut out, &format!("  varies within the {}: {} ({})", w.side, w.setting, w.values.join(" | ")));
    }
    if c.setup.varies_within.len() > SHOWN {
        line(
            &mut out,
            &format!(
                "  ... and {} more that vary within a side (--json lists them)",
                c.setup.varies_within.len() - SHOWN
            ),
        );
    }
    line(&mut out, &format!("noise: {}", c.noise));
    for w in &c.warnings {
        line(&mut out, &format!("warning: {w}"));
    }
    for p in &c.points {
        out.push('\n');
        line(
            &mut out,
            &format!(
                "{}  (baseline {}, candidate {})",
                p.key.label(),
                p.baseline_runs.join(","),
                p.candidate_runs.join(",")
            ),
        );
        delta_rows(&mut out, &p.metrics);
    }
    for (name, points) in [("baseline", &c.only_baseline), ("candidate", &c.only_candidate)] {
        for p in points.iter() {
            line(&mut out, &format!("only in the {name}: {} ({})", p.key.label(), p.runs.join(",")));
        }
    }
    for f in &c.frontiers {
        out.push('\n');
        let n = |v: Option<u32>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
        let isl_osl = format!("{}/{}", n(f.isl), n(f.osl));
        match f.overlap {
            None => line(
                &mut out,
                &format!("equal interactivity {isl_osl}: the frontiers cover no common tok/s/user"),
            ),
            Some([from, to]) => {
                line(
                    &mut out,
                    &format!(
                        "equal interactivity {isl_osl}: tok/s/GPU on each frontier, tok/s/user {} to {}",
                        num(from),
                        num(to)
                    ),
                );
                row(&mut out, ("tok/s/user", "baseline", "candidate", "change", "%", "", ""));
                for s in &f.samples {
                    let judgement = if s.change > 0.0 {
                        "better"
                    } else if s.change < 0.0 {
                        "worse"
                    } else {
                        "unchanged"
                    };
                    row(
                        &mut out,
                        (
                            &num(s.tps_per_user),
                            &num(s.baseline_tps_per_gpu),
                            &num(s.candidate_tps_per_gpu),
                            &signed(s.change),
                            &pct(s.pct_change),
                            judgement,
                            "",
                        ),
                    );
                }
            }
        }
    }
    for r in &c.workers.roles {
        out.push('\n');
        let counts = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
        line(
            &mut out,
            &format!(
                "workers: {} (baseline {} per run, candidate {} per run)",
                r.role.as_str(),
                counts(&r.baseline_workers),
                counts(&r.candidate_workers)
            ),
        );
        delta_rows(&mut out, &r.metrics);
    }
    if let Some(d) = &c.workers.rate_match_ratio {
        out.push('\n');
        line(&mut out, "rate match (prefill input tok/s over decode generated tok/s)");
        delta_rows(&mut out, std::slice::from_ref(d));
    }
    for r in &c.workers.one_side_roles {
        line(&mut out, &format!("workers only in the {r}"));
    }
    out
}

/// One line per violated threshold (two when it would not fit 100 columns), then `no
/// regression` when the gate passes.
pub fn gate_lines(c: &Comparison, g: &GateResult) -> String {
    let mut out = String::new();
    if !c.points.is_empty() || !g.violations.is_empty() {
        out.push('\n');
    }
    for v in &g.violations {
        let label = match v.noise {
            Noise::Within => "within noise",
            Noise::Beyond | Noise::Unknown => "REGRESSION",
        };
        let noise = match v.noise {
            Noise::Unknown => "noise unknown (single runs)",
            n => n.as_str(),
        };
        // The threshold without its metric, which the line names first; the change as the
        // threshold reads it (percent or the metric's unit), then the other.
        let limit = v.threshold.strip_prefix(v.metric.as_str()).unwrap_or(&v.threshold);
        let change = if limit.ends_with('%') {
            format!("{}, {}", pct(v.pct_change), signed(v.change))
        } else {
            format!("{}, {}", signed(v.change), pct(v.pct_change))
        };
        let head = format!(
            "{label} {} {}: {} -> {} ({change}) crosses {limit}",
            v.metric,
            v.point.label(),
            num(v.baseline),
            num(v.candidate),
        );
        // One line when it fits 100 columns; else the noise verdict on its own line.
        if v.noise == Noise::Within {
            let _ = writeln!(out, "{head}");
        } else if head.chars().count() + noise.len() + 2 <= TABLE_WIDTH {
            let _ = writeln!(out, "{head}; {noise}");
        } else {
            let _ = writeln!(out, "{head};\n    {noise}");
        }
    }
    if !g.failed && c.setup.verdict.comparable {
        let within = g.violations.len();
        let _ = if within == 0 {
            writeln!(
                out,
                "no regression ({} threshold{} at {} point{})",
                g.thresholds.len(),
                plural(g.thresholds.len()),
                c.points.len(),
                plural(c.points.len())
            )
        } else {
            writeln!(out, "no regression beyond noise ({within} crossing{} within noise)", plural(within))
        };
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_read_paths_tags_and_job_ids() {
        assert_eq!(Selector::parse("tag:nightly-41"), Ok(Selector::Tags(vec!["nightly-41".into()])));
        assert_eq!(Selector::parse("7011, 7012"), Ok(Selector::Jobs(vec!["7011".into(), "7012".into()])));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().to_str().unwrap();
        assert_eq!(Selector::parse(p), Ok(Selector::Path(dir.path().to_path_buf())));
        assert!(Selector::parse("tag:").is_err());
        assert!(Selector::parse(",").is_err());
        assert!(Selector::parse("no/such/dir").is_err());
    }

    #[test]
    fn cells_fit_their_columns() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert!(num(-1.23e12).len() <= 13 && num(999_999_999.99).len() <= 13);
        assert_eq!(pct(None), "-");
    }
}
