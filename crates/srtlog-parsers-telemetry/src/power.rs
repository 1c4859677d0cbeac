//! srt-slurm's power sampler files under `logs/power/` (`../shared/FORMATS-2.md` §6): GPU
//! `samples.csv` (both header versions), CPU `samples.csv` (long v1 and wide v2), `manifest.json`
//! and the per-benchmark `windows/<stem>.json`. Pure: [`select`] picks the files from the
//! run's listing, the readers take a `Read` or bytes the loader opened.
//!
//! - **GPU samples** ([`read_gpu_samples`]). v1 header
//!   `schema_version,timestamp_unix,scrape_seq,hostname,gpu_index,gpu_uuid,power_w`; v2 appends
//!   `gpu_util_pct,sm_active` (either may be blank), and a later mapping an optional
//!   `temperature_c`. Columns are selected by name, so every variant reads alike; only
//!   `timestamp_unix`, `hostname`, `gpu_index` and `power_w` are needed (a file without one of
//!   them is not a samples file: an error naming it). A row is valid when its power is finite
//!   and ≥ 0 (the sampler's own rule), its time finite and its GPU index an integer; any other
//!   row is counted and named `file:line`, never fatal. Rows are never interpolated.
//! - **CPU samples** ([`read_cpu_samples`]). v1 long
//!   (`schema_version,timestamp_unix,hostname,source,sensor,socket_id,power_w,total_power_w`, one
//!   row per rail per instant), v2 wide (rail columns `cpu_rail_w,soc_w,dram_w,[module_w]`, one
//!   row per socket per instant) and the host collector's variant (`timestamp_local` added).
//!   In all of them `total_power_w` is the node's sum over its sockets, repeated on every row of
//!   an instant; that is the series upstream's energy report integrates, so srtlog keeps one
//!   sample per (host, instant) from it. `power_w` is a rail (long) or a socket's envelope
//!   (wide), and the rail columns are breakdowns, not additive: none is summed. A blank
//!   `total_power_w` (no Grace channel) is no sample, not a bad row.
//! - CPU files are told from GPU ones by their directory, `cpu` or `cpu_power` (upstream's
//!   rule); every other `samples.csv` under `logs/power/` is GPU.
//! - **Windows** ([`parse_window`]) and the **manifest** ([`parse_manifest`]): the fields srtlog
//!   uses (status, edges, concurrency, result path; expected devices and their roles, validity,
//!   window validations). A field of the wrong type is left `None`; a file that is not a JSON
//!   object is an error naming it.
//!
//! - **aiperf's GPU telemetry** ([`read_aiperf_gpu_telemetry`], `gpu_telemetry_export.jsonl`,
//!   FORMATS-2 §2.3, aiperf's `TelemetryRecord`): one JSON object per GPU per scrape,
//!   `timestamp_ns` (epoch ns), `hostname` (else the host of `dcgm_url`), `gpu_index` and
//!   `telemetry_data.gpu_power_usage` in W (`nvidia_gpu_power_usage` accepted too: whether the
//!   JSONL names changed with aiperf's schema 1.5 is not pinned; `amd_power` for AMD GPUs). A
//!   time series like the sampler's, so the energy engine integrates it the same way. A line
//!   that is not such a record, or has no finite power ≥ 0, is counted and named `file:line`.
//!   [`select_aiperf_telemetry`] finds the files in the listing (warm-up directories excluded,
//!   as aiperf's results are).
//!
//! The CSV is streamed through one reused record (a 16-GPU sweep of two hours at 1 Hz is about
//! 115 k rows); only the kept samples are held.

use std::collections::HashSet;
use std::fmt;
use std::io::Read;

use serde_json::Value;
use srtlog_model::{
    parent_of, CpuPowerSample, ExpectedDevice, GpuPowerSample, PowerManifest, PowerWindow, RunFiles,
    WindowValidation, WorkerType,
};

/// How many bad rows a file names before it only counts them.
pub const MAX_DIAGNOSTICS: usize = 10;

/// A power file that could not be read at all (not a samples file, not JSON), naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PowerError {
    /// The file, relative to the run directory.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PowerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for PowerError {}

fn error(file: &str, message: impl Into<String>) -> PowerError {
    PowerError { file: file.to_owned(), message: message.into() }
}

/// The power files of a run, relative to the run directory ([`select`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PowerFiles {
    /// `logs/power/samples.csv`.
    pub gpu_samples: Option<String>,
    /// `logs/power/manifest.json`.
    pub manifest: Option<String>,
    /// `logs/power/windows/*.json`, by name.
    pub windows: Vec<String>,
    /// CPU `samples.csv` files: `logs/power/cpu/`, `logs/cpu_power/`, by path.
    pub cpu_samples: Vec<String>,
}

impl PowerFiles {
    /// Whether the run has any power file.
    pub fn is_empty(&self) -> bool {
        self.gpu_samples.is_none()
            && self.manifest.is_none()
            && self.windows.is_empty()
            && self.cpu_samples.is_empty()
    }
}

/// Whether `path` is a CPU samples file: a `samples.csv` in a directory named `cpu` or `cpu_power`.
pub fn is_cpu_samples(path: &str) -> bool {
    let dir = parent_of(path);
    path.ends_with("/samples.csv") && matches!(dir.rsplit('/').next(), Some("cpu" | "cpu_power"))
}

/// The run's power files from its listing (FORMATS-2 §6.1: `logs/power/` with `windows/` and
/// `cpu/`, and the host collector's `logs/cpu_power/`).
pub fn select(files: &RunFiles) -> PowerFiles {
    let mut out = PowerFiles::default();
    for entry in files.entries().iter().filter(|e| e.is_file()) {
        let path = entry.path.as_str();
        match path {
            "logs/power/samples.csv" => out.gpu_samples = Some(path.to_owned()),
            "logs/power/manifest.json" => out.manifest = Some(path.to_owned()),
            "logs/power/cpu/samples.csv" | "logs/cpu_power/samples.csv" => {
                out.cpu_samples.push(path.to_owned())
            }
            p if parent_of(p) == "logs/power/windows" && p.ends_with(".json") => {
                out.windows.push(p.to_owned())
            }
            _ => {}
        }
    }
    out.windows.sort();
    out.cpu_samples.sort();
    out
}

/// What a samples file gave: the kept samples, and the rows that could not be used.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplesRead<T> {
    /// The valid samples, in file order.
    pub samples: Vec<T>,
    /// Data rows read (valid or not).
    pub rows: u64,
    /// Rows that could not be used.
    pub bad_rows: u64,
    /// The first [`MAX_DIAGNOSTICS`] bad rows, each `file:line: why`.
    pub diagnostics: Vec<String>,
    /// `schema_version` of the first row, when it has one.
    pub schema_version: Option<String>,
}

impl<T> Default for SamplesRead<T> {
    fn default() -> Self {
        SamplesRead {
            samples: Vec::new(),
            rows: 0,
            bad_rows: 0,
            diagnostics: Vec::new(),
            schema_version: None,
        }
    }
}

impl<T> SamplesRead<T> {
    fn bad(&mut self, file: &str, line: u64, why: impl fmt::Display) {
        self.bad_rows += 1;
        if self.diagnostics.len() < MAX_DIAGNOSTICS {
            self.diagnostics.push(format!("{file}:{line}: {why}"));
        }
    }
}

/// The columns of a CSV header, by name.
struct Header(Vec<String>);

impl Header {
    fn read<R: Read>(reader: &mut csv::Reader<R>, file: &str) -> Result<Self, PowerError> {
        let header =
            reader.byte_headers().map_err(|e| error(file, format!("cannot read the header: {e}")))?;
        if header.is_empty() || (header.len() == 1 && header.get(0).is_some_and(<[u8]>::is_empty)) {
            return Err(error(file, "empty: no header"));
        }
        Ok(Header(header.iter().map(|c| String::from_utf8_lossy(c).trim().to_owned()).collect()))
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|c| c == name)
    }

    fn require(&self, name: &str, file: &str, what: &str) -> Result<usize, PowerError> {
        self.index(name).ok_or_else(|| error(file, format!("not a {what} samples file: no `{name}` column")))
    }
}

fn reader<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(input)
}

fn cell(record: &csv::ByteRecord, i: usize) -> &str {
    record.get(i).and_then(|c| std::str::from_utf8(c).ok()).unwrap_or("").trim()
}

fn number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok()
}

/// Streams the data rows of `csv` into `row` (with the row's line number), one reused record:
/// a row the CSV reader cannot read is counted and named (and the read ends on an I/O error),
/// and the first row's `schema_version` is kept. The one loop of both sample readers.
fn for_each_row<R: Read, T>(
    mut csv: csv::Reader<R>,
    file: &str,
    version_col: Option<usize>,
    out: &mut SamplesRead<T>,
    mut row: impl FnMut(&mut SamplesRead<T>, &csv::ByteRecord, u64),
) {
    let mut record = csv::ByteRecord::new();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                out.rows += 1;
                out.bad(file, line, format!("unreadable row: {e}"));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        }
        out.rows += 1;
        let line = record.position().map_or(0, csv::Position::line);
        if out.schema_version.is_none() {
            out.schema_version = version_col.map(|i| cell(&record, i).to_owned()).filter(|v| !v.is_empty());
        }
        row(out, &record, line);
    }
}

/// Reads a GPU `samples.csv` (module docs). `file` names it in diagnostics.
pub fn read_gpu_samples<R: Read>(input: R, file: &str) -> Result<SamplesRead<GpuPowerSample>, PowerError> {
    let mut csv = reader(input);
    let header = Header::read(&mut csv, file)?;
    let t_col = header.require("timestamp_unix", file, "GPU power")?;
    let host_col = header.require("hostname", file, "GPU power")?;
    let gpu_col = header.require("gpu_index", file, "GPU power")?;
    let power_col = header.require("power_w", file, "GPU power")?;
    let version_col = header.index("schema_version");
    let mut out = SamplesRead::default();
    for_each_row(csv, file, version_col, &mut out, |out, record, line| {
        let t = number(cell(record, t_col)).filter(|t| t.is_finite());
        let host = cell(record, host_col);
        let gpu = cell(record, gpu_col).parse::<u32>().ok();
        let power = cell(record, power_col);
        let watts = number(power).filter(|w| w.is_finite() && *w >= 0.0);
        match (t, host.is_empty(), gpu, watts) {
            (Some(t_unix), false, Some(gpu), Some(watts)) => {
                out.samples.push(GpuPowerSample { t_unix, host: host.to_owned(), gpu, watts })
            }
            (None, ..) => out.bad(
                file,
                line,
                format!("timestamp_unix `{}` is not a finite number", cell(record, t_col)),
            ),
            (_, true, ..) => out.bad(file, line, "no hostname"),
            (_, _, None, _) => {
                out.bad(file, line, format!("gpu_index `{}` is not an integer", cell(record, gpu_col)))
            }
            (.., None) => out.bad(file, line, format!("power_w `{power}` is not a finite number ≥ 0")),
        }
    });
    Ok(out)
}

/// Reads a CPU `samples.csv` of any layout (module docs): one sample per (host, instant) from
/// `total_power_w`.
pub fn read_cpu_samples<R: Read>(input: R, file: &str) -> Result<SamplesRead<CpuPowerSample>, PowerError> {
    let mut csv = reader(input);
    let header = Header::read(&mut csv, file)?;
    let t_col = header.require("timestamp_unix", file, "CPU power")?;
    let host_col = header.require("hostname", file, "CPU power")?;
    let total_col = header.require("total_power_w", file, "CPU power")?;
    let version_col = header.index("schema_version");
    let mut out = SamplesRead::default();
    let mut seen: HashSet<(String, u64)> = HashSet::new();
    for_each_row(csv, file, version_col, &mut out, |out, record, line| {
        let t = number(cell(record, t_col)).filter(|t| t.is_finite());
        let host = cell(record, host_col);
        let total = cell(record, total_col);
        let Some(t_unix) = t else {
            out.bad(file, line, format!("timestamp_unix `{}` is not a finite number", cell(record, t_col)));
            return;
        };
        if host.is_empty() {
            out.bad(file, line, "no hostname");
            return;
        }
        if total.is_empty() {
            return; // no Grace channel at this instant: no node total, not an error
        }
        let Some(watts) = number(total).filter(|w| w.is_finite() && *w >= 0.0) else {
            out.bad(file, line, format!("total_power_w `{total}` is not a finite number ≥ 0"));
            return;
        };
        if seen.insert((host.to_owned(), t_unix.to_bits())) {
            out.samples.push(CpuPowerSample { t_unix, host: host.to_owned(), watts });
        }
    });
    Ok(out)
}

/// aiperf's `gpu_telemetry_export.jsonl` files of the listing, by path; a path with a part
/// starting with `warmup` (aiperf-bench's `artifacts/warmup/`) is left out.
pub fn select_aiperf_telemetry(files: &RunFiles) -> Vec<String> {
    let mut out: Vec<String> = files
        .entries()
        .iter()
        .filter(|e| e.is_file() && e.name() == "gpu_telemetry_export.jsonl")
        .filter(|e| !e.path.split('/').any(|part| part.to_ascii_lowercase().starts_with("warmup")))
        .map(|e| e.path.clone())
        .collect();
    out.sort();
    out
}

/// The fields of one aiperf telemetry record that srtlog reads.
#[derive(serde::Deserialize)]
struct TelemetryLine {
    timestamp_ns: Option<serde_json::Number>,
    hostname: Option<String>,
    dcgm_url: Option<String>,
    gpu_index: Option<u32>,
    telemetry_data: Option<serde_json::Map<String, Value>>,
}

/// `node1` of `http://node1:9401/metrics`, `localhost` of `pynvml://localhost`.
fn host_of_url(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', ':']).next()?;
    (!host.is_empty()).then_some(host)
}

/// Epoch nanoseconds as epoch seconds: whole seconds plus the fraction, so that
/// `1762551535130000000` is `1762551535.13` (dividing the f64 of the integer by 1e9 is not).
fn ns_to_secs(ns: &serde_json::Number) -> Option<f64> {
    match ns.as_u64() {
        Some(n) => Some((n / 1_000_000_000) as f64 + (n % 1_000_000_000) as f64 / 1e9),
        None => ns.as_f64().filter(|t| t.is_finite()).map(|t| t / 1e9),
    }
}

/// Reads aiperf's `gpu_telemetry_export.jsonl` (module docs) line by line from `input`.
pub fn read_aiperf_gpu_telemetry<R: std::io::BufRead>(
    mut input: R,
    file: &str,
) -> SamplesRead<GpuPowerSample> {
    let mut out = SamplesRead::default();
    let mut line = String::new();
    let mut number = 0u64;
    loop {
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                out.rows += 1;
                out.bad(file, number + 1, format!("unreadable: {e}"));
                break;
            }
        }
        number += 1;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        out.rows += 1;
        let record: TelemetryLine = match serde_json::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                out.bad(file, number, format!("not a telemetry record: {e}"));
                continue;
            }
        };
        let watts = record.telemetry_data.as_ref().and_then(|d| {
            ["gpu_power_usage", "nvidia_gpu_power_usage", "amd_power"]
                .iter()
                .find_map(|k| d.get(*k)?.as_f64())
        });
        let host = record
            .hostname
            .as_deref()
            .filter(|h| !h.is_empty())
            .or_else(|| record.dcgm_url.as_deref().and_then(host_of_url));
        match (
            record.timestamp_ns.as_ref().and_then(ns_to_secs),
            host,
            record.gpu_index,
            watts.filter(|w| w.is_finite() && *w >= 0.0),
        ) {
            (Some(t), Some(host), Some(gpu), Some(watts)) => {
                out.samples.push(GpuPowerSample { t_unix: t, host: host.to_owned(), gpu, watts })
            }
            (None, ..) => out.bad(file, number, "no timestamp_ns"),
            (_, None, ..) => out.bad(file, number, "no hostname or dcgm_url"),
            (_, _, None, _) => out.bad(file, number, "no gpu_index"),
            (.., None) => out.bad(file, number, "no gpu_power_usage that is a finite number ≥ 0"),
        }
    }
    out
}

fn object(bytes: &[u8], file: &str) -> Result<serde_json::Map<String, Value>, PowerError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(error(file, "not a JSON object")),
        Err(e) => Err(error(file, format!("not JSON: {e}"))),
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_owned)
}

fn real(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|x| x.is_finite())
}

fn int(v: Option<&Value>) -> Option<u32> {
    v.and_then(Value::as_u64).and_then(|x| u32::try_from(x).ok())
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Reads a `windows/<stem>.json` (FORMATS-2 §6.3); `file` is its path relative to the run.
pub fn parse_window(bytes: &[u8], file: &str) -> Result<PowerWindow, PowerError> {
    let w = object(bytes, file)?;
    Ok(PowerWindow {
        file: file.to_owned(),
        benchmark_type: text(w.get("benchmark_type")),
        result_path: text(w.get("result_path")),
        concurrency: int(w.get("concurrency")),
        start_unix: real(w.get("benchmark_start_time_unix")),
        end_unix: real(w.get("benchmark_end_time_unix")),
        status: text(w.get("status")),
        reason: text(w.get("reason")),
    })
}

/// Reads `manifest.json` (FORMATS-2 §6.4): status, validity, expected devices with their roles,
/// window validations. An assignment whose role is not `prefill`, `decode` or `agg` is left out.
pub fn parse_manifest(bytes: &[u8], file: &str) -> Result<PowerManifest, PowerError> {
    let m = object(bytes, file)?;
    let list = |key: &str| m.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    let expected_devices = list("expected_devices")
        .iter()
        .filter_map(|d| {
            let host = text(d.get("hostname"))?;
            let gpu = int(d.get("gpu_index"))?;
            let mut roles: Vec<WorkerType> = d
                .get("assignments")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.get("worker_role").and_then(Value::as_str))
                        .filter_map(WorkerType::from_word)
                        .collect()
                })
                .unwrap_or_default();
            roles.sort();
            roles.dedup();
            Some(ExpectedDevice { host, gpu, roles })
        })
        .collect();
    let window_validations = list("window_validations")
        .iter()
        .map(|v| WindowValidation {
            benchmark_type: text(v.get("benchmark_type")),
            concurrency: int(v.get("concurrency")),
            window_file: text(v.get("window_file")),
            power_coverage_valid: v.get("power_coverage_valid").and_then(Value::as_bool),
            reason_codes: strings(v.get("reason_codes")),
        })
        .collect();
    Ok(PowerManifest {
        status: text(m.get("status")),
        publication_valid: m.get("publication_valid").and_then(Value::as_bool),
        sample_interval_seconds: real(m.get("sample_interval_seconds")),
        expected_devices,
        window_validations,
        reason_codes: strings(m.get("reason_codes")),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cpu_files_are_told_by_their_directory() {
        assert!(is_cpu_samples("logs/power/cpu/samples.csv"));
        assert!(is_cpu_samples("logs/cpu_power/samples.csv"));
        assert!(!is_cpu_samples("logs/power/samples.csv"));
        assert!(!is_cpu_samples("logs/power/cpu/cpu_manifest.json"));
    }

    #[test]
    fn an_empty_or_foreign_file_is_an_error_naming_it() {
        let e = read_gpu_samples(&b""[..], "logs/power/samples.csv").unwrap_err();
        assert_eq!(e.to_string(), "logs/power/samples.csv: empty: no header");
        let e = read_gpu_samples(&b"a,b\n1,2\n"[..], "x.csv").unwrap_err();
        assert_eq!(e.to_string(), "x.csv: not a GPU power samples file: no `timestamp_unix` column");
        assert_eq!(parse_window(b"[1]", "w.json").unwrap_err().message, "not a JSON object");
    }
}
