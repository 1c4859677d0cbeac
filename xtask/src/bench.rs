//! `bench`: srtlog's speed and memory against the machine's own line scan, on a corpus of at
//! least 1 GB of worker logs, in one run on the same files with a warm page cache.
//!
//! The reference is `grep -c -F batch` over the same worker logs (DESIGN.md section 7): its
//! output goes to a pipe, never `/dev/null`, where GNU grep stops at the first match. Each
//! srtlog measurement runs in a child process (`bench-load`, hidden) so that its peak RSS is
//! its own, and reports the time of the load itself. Every figure is the median of
//! `--repeat` runs, with min and max. The cold measurements take turns with grep, round after
//! round, and the ratios to grep and between thread counts are computed per round: on a shared
//! machine a slow spell then slows both sides of a ratio instead of one.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use clap::Args;
use srtlog_loader::{CacheMode, LoaderOptions, NodeDetail, RunLoader};

use crate::corpus::{generate, GenCorpusArgs, BUSY_METRIC_SHARE};

/// Options of `bench`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Corpus directory: reused when it holds a corpus of these parameters, else generated
    /// (default: `target/bench-corpus-<share>`, one per metric share).
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// Runs in the corpus.
    #[arg(long, default_value_t = 6)]
    pub runs: usize,
    /// Workers per run (one prefill, the rest decode; aggregated runs: all aggregated).
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Least size of all worker logs together, in GB.
    #[arg(long, default_value_t = 1.0)]
    pub min_gb: f64,
    /// Repetitions of each measurement.
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
    /// Also measure a warm load of this many small cached runs (0: skip).
    #[arg(long, default_value_t = 1000)]
    pub warm_runs: usize,
    /// Also measure peak RSS while parsing one worker log of this many GB (0: skip).
    #[arg(long, default_value_t = 2.0)]
    pub big_file_gb: f64,
    /// Share of worker-log lines that are metrics lines. The default is the busy end (workers
    /// under load, nearly every line a batch line); 0.5, 0.3 and 0.05 are the other profiles
    /// docs/PERFORMANCE.md records (0.05: idle or warning-flooded workers).
    #[arg(long, default_value_t = BUSY_METRIC_SHARE)]
    pub metric_share: f64,
}

/// Arguments of the hidden child command that does one measured load.
#[derive(Debug, Clone, Args)]
pub struct BenchLoadArgs {
    /// Root of the runs.
    pub dir: PathBuf,
    /// Threads.
    #[arg(long)]
    pub jobs: usize,
    /// Cache directory (no cache when absent).
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// Skip worker logs.
    #[arg(long)]
    pub no_nodes: bool,
    /// Stream the JSON document to stdout as `analyze --json` does.
    #[arg(long)]
    pub json: bool,
    /// Load workers as summaries where the cache is valid, as `analyze` without `--json` does.
    #[arg(long)]
    pub summaries: bool,
}

/// One measured load, as the child reports it on stderr's last line.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    secs: f64,
    peak_rss_kb: u64,
    read_bytes: u64,
    batches: u64,
    record_bytes: u64,
    /// CPU time of the whole process (all threads), user and system, in seconds.
    user_secs: f64,
    sys_secs: f64,
}

/// The hidden child: one load, then a line of figures on stderr.
pub fn run_load(args: &BenchLoadArgs) -> ExitCode {
    let options = LoaderOptions {
        with_nodes: !args.no_nodes,
        node_detail: if args.summaries { NodeDetail::Summaries } else { NodeDetail::Batches },
        cache: args.cache_dir.clone().map_or(CacheMode::Disabled, CacheMode::Dir),
        jobs: Some(args.jobs),
        ..LoaderOptions::default()
    };
    let Ok(loader) = RunLoader::with_options(&args.dir, options) else { return ExitCode::FAILURE };
    let start = Instant::now();
    let report = loader.load_all();
    // Counted from the derived summaries, which a summary load has without the batches.
    let batches: u64 = report
        .runs
        .iter()
        .flat_map(|r| &r.derived.workers)
        .map(|w| w.prefill_batches + w.decode_batches)
        .sum();
    // The bytes the loaded batches take as stored (packed rows, `Batches::data_bytes`); a
    // summary load holds none.
    let record_bytes: u64 =
        report.runs.iter().flat_map(|r| &r.nodes).map(|n| n.metrics.batches.data_bytes() as u64).sum();
    if args.json {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        if serde_json::to_writer(&mut out, &report.into_document()).is_err() {
            return ExitCode::FAILURE;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let io_stats = fs::read_to_string("/proc/self/io").unwrap_or_default();
    let read_bytes = io_stats
        .lines()
        .find_map(|l| l.strip_prefix("rchar:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let (user, sys) = cpu_times();
    eprintln!("SAMPLE {secs} {peak} {read_bytes} {batches} {record_bytes} {user} {sys}");
    ExitCode::SUCCESS
}

/// This process's user and system CPU time in seconds, all threads (`/proc/self/stat` fields
/// 14 and 15, in the kernel's fixed 100 ticks a second). On these VMs a load that takes fresh
/// memory is sometimes slowed by it: a long stall shows in the wall time only (13 s wall for
/// 1.5 s of CPU once), slow page faults as system time; the split tells the parser's own time
/// (user) from the kernel's.
fn cpu_times() -> (f64, f64) {
    let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name (field 2) is parenthesised and may hold spaces: count after its `)`.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN) / 100.0;
    // After the `)`: state is field 3, so field N is at index N - 3.
    (ticks(14 - 3), ticks(15 - 3))
}

fn measure_child(args: &[String]) -> io::Result<Sample> {
    let exe = std::env::current_exe()?;
    let output = Command::new(exe)
        .arg("bench-load")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("SAMPLE "))
        .ok_or_else(|| io::Error::other(format!("bench-load failed: {stderr}")))?;
    let f: Vec<f64> = line.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    if f.len() != 7 {
        return Err(io::Error::other(format!("bad sample line {line:?}")));
    }
    Ok(Sample {
        secs: f[0],
        peak_rss_kb: f[1] as u64,
        read_bytes: f[2] as u64,
        batches: f[3] as u64,
        record_bytes: f[4] as u64,
        user_secs: f[5],
        sys_secs: f[6],
    })
}

/// The arguments of one `bench-load` child.
fn child_args(dir: &str, jobs: usize, cache_dir: Option<&str>, extra: &[&str]) -> Vec<String> {
    let mut args = vec![dir.to_owned(), "--jobs".to_owned(), jobs.to_string()];
    if let Some(cache) = cache_dir {
        args.extend(["--cache-dir".to_owned(), cache.to_owned()]);
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

/// `n` measurements of the same child.
fn repeat(n: usize, args: &[String]) -> io::Result<Vec<Sample>> {
    (0..n).map(|_| measure_child(args)).collect()
}

struct Stats {
    median: f64,
    min: f64,
    max: f64,
}

fn stats(mut v: Vec<f64>) -> Stats {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Stats { median, min: v.first().copied().unwrap_or(f64::NAN), max: v.last().copied().unwrap_or(f64::NAN) }
}

fn worker_logs(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walk(root)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| srtlog_parsers_node::classify_worker_file(n).is_some())
        })
        .collect();
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "cached_assets") {
                out.extend(walk(&p));
            }
        } else {
            out.push(p);
        }
    }
    out
}

fn dir_bytes(dir: &Path) -> u64 {
    total_bytes(&walk(dir))
}

fn total_bytes(files: &[PathBuf]) -> u64 {
    files.iter().filter_map(|f| fs::metadata(f).ok()).map(|m| m.len()).sum()
}

/// Reads every file once so that every measurement starts from a warm page cache; returns the
/// number of lines read (the denominator of the corpus's measured metric share).
fn warm_page_cache(files: &[PathBuf]) -> io::Result<u64> {
    let mut buf = vec![0u8; 1 << 20];
    let mut lines = 0u64;
    for f in files {
        let mut file = fs::File::open(f)?;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        }
    }
    Ok(lines)
}

/// One grep over `files`: its wall time and its CPU time (user + system, seconds).
///
/// grep runs under `sh`, whose `times` then prints the CPU time of its children; the shell's
/// own start is in the wall time, as a process start is in every srtlog figure.
fn time_grep(files: &[PathBuf]) -> io::Result<(f64, f64)> {
    let start = Instant::now();
    // Output captured in a pipe: GNU grep stops at the first match when stdout is /dev/null.
    let out = Command::new("sh")
        .args(["-c", r#"grep -c -F batch "$@"; times"#, "sh"])
        .args(files)
        .stdout(Stdio::piped())
        .output()?;
    let secs = start.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stdout);
    // `times` prints two lines, the shell's own times, then its children's: `0m0.220000s 0m0.350000s`.
    let cpu = text.lines().last().map(|l| l.split_whitespace().filter_map(minutes_seconds).sum::<f64>());
    match cpu {
        Some(cpu) if text.lines().count() > 2 => Ok((secs, cpu)),
        _ => Err(io::Error::other(format!("grep printed nothing usable: {text:?}"))),
    }
}

/// `1m2.500000s` (as `times` prints it) in seconds.
fn minutes_seconds(v: &str) -> Option<f64> {
    let (m, s) = v.strip_suffix('s')?.split_once('m')?;
    Some(m.parse::<f64>().ok()? * 60.0 + s.parse::<f64>().ok()?)
}

/// Generates (or reuses) a corpus with `lines` per worker log; a marker file records the parameters.
fn ensure_corpus(dir: &Path, runs: usize, workers: usize, lines: usize, metric_share: f64) -> io::Result<()> {
    let marker = dir.join(".srtlog-corpus");
    let want = format!("runs={runs} workers={workers} lines={lines} share={metric_share} seed=42 v4\n");
    if fs::read_to_string(&marker).ok().as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    if dir.exists() {
        fs::remove_dir_all(dir)?;
    }
    eprintln!("generating corpus in {} ({runs} runs x {workers} workers x {lines} lines) ...", dir.display());
    generate(&GenCorpusArgs { dir: dir.to_path_buf(), runs, lines, seed: 42, metric_share, workers })?;
    fs::write(marker, want)
}

/// Runs `bench`.
pub fn run(args: &BenchArgs) -> ExitCode {
    match bench(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("srtlog bench: {err}");
            ExitCode::FAILURE
        }
    }
}

fn row(name: &str, s: &Stats, extra: &str) {
    println!("| {name} | {:.3} | {:.3} | {:.3} | {extra} |", s.median, s.min, s.max);
}

fn bench(args: &BenchArgs) -> io::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = args.workers.max(1);
    let corpus = args
        .corpus
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("target/bench-corpus-{}", args.metric_share)));
    // The generator writes about 150–200 bytes per line, depending on the share.
    let lines = ((args.min_gb * 1e9) / (args.runs * workers) as f64 / 150.0).ceil() as usize;
    ensure_corpus(&corpus, args.runs, workers, lines, args.metric_share)?;
    let files = worker_logs(&corpus);
    let bytes = total_bytes(&files);
    let mb = bytes as f64 / 1e6;
    let total_lines = warm_page_cache(&files)?;
    println!(
        "corpus: {} ({} runs, {} worker logs, {:.0} MB, {total_lines} lines); {threads} threads",
        corpus.display(),
        args.runs,
        files.len(),
        mb
    );
    println!();
    println!("| measurement | median s | min s | max s | notes |");
    println!("|---|---|---|---|---|");

    // grep, srtlog on 1 thread and on all threads take turns, round after round, so that a
    // slow spell of this shared machine slows all three alike; the ratios are per round. The
    // two srtlog loads swap places every round: on these VMs the first process after grep to
    // take fresh memory sometimes stalls on it, which a fixed order would charge to one side.
    let dir = corpus.to_string_lossy().into_owned();
    let (one_args, all_args) = (child_args(&dir, 1, None, &[]), child_args(&dir, threads, None, &[]));
    let (mut grep_v, mut grep_cpu_v, mut one, mut all) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..args.repeat {
        // Every round starts warm: a VM's memory reclaim (DAMON's `kdamond`, seen on these
        // machines) can evict the corpus between rounds, and the next grep then reads from disk.
        warm_page_cache(&files)?;
        let (grep_secs, grep_cpu) = time_grep(&files)?;
        grep_v.push(grep_secs);
        grep_cpu_v.push(grep_cpu);
        if one.len() % 2 == 0 {
            one.push(measure_child(&one_args)?);
            all.push(measure_child(&all_args)?);
        } else {
            all.push(measure_child(&all_args)?);
            one.push(measure_child(&one_args)?);
        }
    }
    let grep = stats(grep_v.clone());
    row(
        "`grep -c -F batch` (all worker logs)",
        &grep,
        &format!("{:.0} MB/s, CPU {:.2} s", mb / grep.median, stats(grep_cpu_v.clone()).median),
    );
    let one_s = stats(one.iter().map(|s| s.secs).collect());
    let rss1 = one.iter().map(|s| s.peak_rss_kb).max().unwrap_or(0);
    row(
        "srtlog cold, 1 thread",
        &one_s,
        &format!(
            "{:.0} MB/s, {:.2}x grep, CPU {:.2} s user + {:.2} s system, peak RSS {} MB, {} batches = {:.1} % of lines ({} MB of records)",
            mb / one_s.median,
            one_s.median / grep.median,
            stats(one.iter().map(|s| s.user_secs).collect()).median,
            stats(one.iter().map(|s| s.sys_secs).collect()).median,
            rss1 / 1024,
            one[0].batches,
            100.0 * one[0].batches as f64 / total_lines.max(1) as f64,
            one[0].record_bytes >> 20
        ),
    );
    let all_s = stats(all.iter().map(|s| s.secs).collect());
    let rss_all = all.iter().map(|s| s.peak_rss_kb).max().unwrap_or(0);
    row(
        &format!("srtlog cold, {threads} threads"),
        &all_s,
        &format!(
            "{:.0} MB/s, {:.2}x grep, {:.2}x faster than 1 thread, peak RSS {} MB",
            mb / all_s.median,
            all_s.median / grep.median,
            one_s.median / all_s.median,
            rss_all / 1024
        ),
    );
    let per_round = |f: &dyn Fn(usize) -> f64| stats((0..args.repeat).map(f).collect());
    row(
        "ratio per round: srtlog 1 thread ÷ grep",
        &per_round(&|i| one[i].secs / grep_v[i]),
        "targets (issue 14): ≤ 2.5 at ≥ 90 % batch lines, ≤ 1.8 at 50 % (columns are ratios, not seconds)",
    );
    row(
        "CPU ratio per round: srtlog 1 thread ÷ grep (user + system)",
        &per_round(&|i| (one[i].user_secs + one[i].sys_secs) / grep_cpu_v[i]),
        "the same on CPU time (10 ms clock): a wait outside the CPU does not count, slow page faults do (system time)",
    );
    row(
        &format!("ratio per round: srtlog 1 thread ÷ {threads} threads"),
        &per_round(&|i| one[i].secs / all[i].secs),
        "speed-up from threads (columns are ratios)",
    );

    let cache = std::env::temp_dir().join(format!("srtlog-bench-cache-{}", std::process::id()));
    let _ = fs::remove_dir_all(&cache);
    let cache_arg = cache.to_string_lossy().into_owned();
    measure_child(&child_args(&dir, threads, Some(&cache_arg), &[]))?;
    let warm: Vec<Sample> = repeat(args.repeat, &child_args(&dir, threads, Some(&cache_arg), &[]))?;
    let warm_s = stats(warm.iter().map(|s| s.secs).collect());
    row(
        "srtlog warm (valid cache), whole corpus",
        &warm_s,
        &format!(
            "{:.2}x faster than cold with {threads} threads; read {} MB in all, cache is {} MB, logs are {mb:.0} MB",
            all_s.median / warm_s.median,
            warm[0].read_bytes >> 20,
            dir_bytes(&cache) >> 20
        ),
    );
    let tables: Vec<Sample> =
        repeat(args.repeat, &child_args(&dir, threads, Some(&cache_arg), &["--summaries"]))?;
    let tables_s = stats(tables.iter().map(|s| s.secs).collect());
    row(
        "srtlog warm, tables (`analyze` without `--json`: worker summaries, no batch decoded)",
        &tables_s,
        &format!(
            "{:.0}x faster than warm with batches; {} batches summarised; peak RSS {} MB",
            warm_s.median / tables_s.median,
            tables[0].batches,
            tables.iter().map(|s| s.peak_rss_kb).max().unwrap_or(0) / 1024
        ),
    );
    let warm_results: Vec<Sample> =
        repeat(args.repeat, &child_args(&dir, threads, Some(&cache_arg), &["--no-nodes"]))?;
    row(
        "srtlog warm, results only (`--no-nodes`): cache validation + metadata",
        &stats(warm_results.iter().map(|s| s.secs).collect()),
        &format!("{} runs", args.runs),
    );
    let json: Vec<Sample> = repeat(args.repeat, &child_args(&dir, threads, Some(&cache_arg), &["--json"]))?;
    let json_s = stats(json.iter().map(|s| s.secs).collect());
    row(
        "srtlog warm + `--json` streamed to a pipe",
        &json_s,
        &format!(
            "peak RSS {} MB (warm without JSON: {} MB)",
            json.iter().map(|s| s.peak_rss_kb).max().unwrap_or(0) / 1024,
            warm.iter().map(|s| s.peak_rss_kb).max().unwrap_or(0) / 1024
        ),
    );
    let _ = fs::remove_dir_all(&cache);

    if args.warm_runs > 0 {
        let small = corpus.with_file_name(format!("bench-corpus-small-{}", args.metric_share));
        ensure_corpus(&small, args.warm_runs, 2, 200, args.metric_share)?;
        let small_dir = small.to_string_lossy().into_owned();
        let small_cache =
            std::env::temp_dir().join(format!("srtlog-bench-small-cache-{}", std::process::id()));
        let _ = fs::remove_dir_all(&small_cache);
        let sc = small_cache.to_string_lossy().into_owned();
        measure_child(&child_args(&small_dir, threads, Some(&sc), &[]))?;
        let w: Vec<Sample> = repeat(args.repeat, &child_args(&small_dir, threads, Some(&sc), &[]))?;
        row(
            &format!("srtlog warm, {} cached runs (with nodes)", args.warm_runs),
            &stats(w.iter().map(|s| s.secs).collect()),
            "",
        );
        let w: Vec<Sample> =
            repeat(args.repeat, &child_args(&small_dir, threads, Some(&sc), &["--no-nodes"]))?;
        row(
            &format!("srtlog warm, {} cached runs, results only", args.warm_runs),
            &stats(w.iter().map(|s| s.secs).collect()),
            "",
        );
        let _ = fs::remove_dir_all(&small_cache);
    }

    if args.big_file_gb > 0.0 {
        let big = corpus.with_file_name(format!("bench-corpus-big-{}", args.metric_share));
        let lines = (args.big_file_gb * 1e9 / 150.0).ceil() as usize;
        ensure_corpus(&big, 1, 1, lines, args.metric_share)?;
        let big_files = worker_logs(&big);
        let largest =
            big_files.iter().filter_map(|f| fs::metadata(f).ok()).map(|m| m.len()).max().unwrap_or(0);
        warm_page_cache(&big_files)?;
        let s = measure_child(&[big.to_string_lossy().into_owned(), "--jobs".into(), "1".into()])?;
        println!(
            "| srtlog cold, 1 thread, one worker log of {:.2} GB | {:.3} | | | peak RSS {} MB; parsed records {} MB; RSS − records = {} MB |",
            largest as f64 / 1e9,
            s.secs,
            s.peak_rss_kb / 1024,
            s.record_bytes >> 20,
            (s.peak_rss_kb / 1024).saturating_sub(s.record_bytes >> 20)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_times_builtin() {
        assert_eq!(minutes_seconds("0m0.220000s"), Some(0.22));
        assert_eq!(minutes_seconds("1m2.5s"), Some(62.5));
        assert_eq!(minutes_seconds("0.22s"), None);
        assert_eq!(minutes_seconds("0m0.2"), None);
    }

    #[test]
    fn reads_its_own_cpu_time() {
        // The fields parse as small tick counts: a wrong index gives NaN (fails both checks)
        // or another field, such as the start time in ticks since boot (fails the second).
        let (user, sys) = cpu_times();
        assert!(user >= 0.0 && sys >= 0.0, "{user} {sys}");
        assert!(user < 3600.0 && sys < 3600.0, "{user} {sys}");
    }
}
