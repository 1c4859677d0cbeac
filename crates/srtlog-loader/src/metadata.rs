//! Reading a run's metadata: `{job_id}.json` / `metadata.json` (flat v2 or legacy v1.0) and
//! `config.yaml`, into [`RunMetadata`] and [`ProfilerMetadata`].
//!
//! Metadata files are small and written by hand-maintained Python, so this reader is lenient
//! about types (numbers may be strings, `isl` may be `null`) and strict about shape (the file
//! must be a JSON object that names a job). Where the metadata and `config.yaml` both say
//! something, the metadata wins: it records what ran; `config.yaml` is the recipe.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use serde_yaml::Value as Yaml;
use srtlog_columnar::{open_regular, Links};
use srtlog_model::{
    Mode, ModelInfo, ParseError, ProfilerMetadata, RunMetadata, RunWarning, RunWarningKind, SkipKind,
    StringMap,
};

/// Largest metadata or config file read (bigger ones are not metadata; refusing them bounds memory).
pub const MAX_METADATA_BYTES: u64 = 16 << 20;

/// The metadata file of a run directory: `{job_id}.json` (job id = leading digits of the
/// directory name) or `metadata.json`; else any `<digits>.json` at the run root.
pub fn find_metadata_file(run_dir: &Path) -> Option<PathBuf> {
    let name = run_dir.file_name()?.to_string_lossy().into_owned();
    let job_id = leading_job_id(&name);
    if let Some(id) = job_id {
        let p = run_dir.join(format!("{id}.json"));
        if p.is_file() {
            return Some(p);
        }
    }
    let p = run_dir.join("metadata.json");
    if p.is_file() {
        return Some(p);
    }
    // A run directory renamed by hand still has its `<job_id>.json`; only trusted when the
    // directory has the `logs/` folder of a run, so that unrelated folders of numbered JSON
    // files are not taken for runs.
    if !run_dir.join("logs").is_dir() {
        return None;
    }
    let mut candidates: Vec<PathBuf> = fs::read_dir(run_dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension().is_some_and(|e| e == "json")
                && p.file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    candidates.sort();
    candidates.into_iter().next()
}

/// The job id at the start of a run directory's name: `4401463` in `4401463` and in
/// `3667_1P_1D_20251110_192145`.
pub fn leading_job_id(dir_name: &str) -> Option<&str> {
    let end = dir_name.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(dir_name.len());
    if end == 0 {
        return None;
    }
    match dir_name.as_bytes().get(end) {
        None | Some(b'_') | Some(b'-') => Some(&dir_name[..end]),
        _ => None,
    }
}

/// The config file of a run: `config_resolved.yaml` (what ran, when the recipe had variants),
/// else `config.yaml`, else `logs/config.yaml`.
pub fn find_config_file(run_dir: &Path) -> Option<PathBuf> {
    [
        run_dir.join("config_resolved.yaml"),
        run_dir.join("config.yaml"),
        run_dir.join("logs").join("config_resolved.yaml"),
        run_dir.join("logs").join("config.yaml"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// A run's config file ([`find_config_file`]) as a JSON value, for comparing two runs'
/// settings (`diff`): `None` when the run has no config file, or when it cannot be read or is
/// not representable as JSON — then a warning naming the file is pushed to `warnings` and the
/// run's settings are left out of the comparison. Used by the CLI's `diff` and the Python
/// bindings' `srtlog.diff`, so both read a side's settings by one rule.
pub fn read_config_for_comparison(run_dir: &Path, warnings: &mut Vec<String>) -> Option<serde_json::Value> {
    let path = find_config_file(run_dir)?;
    match RunConfig::read(&path).map(|c| serde_json::to_value(&c.doc)) {
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => {
            warnings.push(format!(
                "{}: not comparable as settings ({e}); its settings are left out",
                path.display()
            ));
            None
        }
        Err(e) => {
            warnings.push(format!("{e}; its settings are left out"));
            None
        }
    }
}

/// Reads a regular file of at most [`MAX_METADATA_BYTES`] (see [`open_regular`]: a device or
/// FIFO is refused, and a larger file is refused before any byte is read).
pub fn read_small_file(path: &Path) -> Result<Vec<u8>, ParseError> {
    let file = open_regular(path, Links::Follow).map_err(|e| ParseError::io(path, e))?;
    if file.len() > MAX_METADATA_BYTES {
        return Err(ParseError::invalid(path, format!("larger than {MAX_METADATA_BYTES} bytes")));
    }
    file.read_all().map_err(|e| ParseError::io(path, e))
}

/// The first `limit` bytes of a regular file (fewer if it is shorter); empty when it cannot be
/// read. Heads are only used to recognise a format or find a header line near the top; a file
/// that cannot be read is reported by the full read that follows.
pub(crate) fn read_head(path: &Path, limit: u64) -> Vec<u8> {
    use std::io::Read;
    let mut buf = Vec::new();
    if let Ok(file) = open_regular(path, Links::Follow) {
        let _ = file.take(limit).read_to_end(&mut buf);
    }
    buf
}

/// A parsed `config.yaml`.
#[derive(Debug, Clone, Default)]
pub struct RunConfig {
    /// The whole document.
    pub doc: Yaml,
    /// The file it came from.
    pub path: Option<PathBuf>,
}

impl RunConfig {
    /// Reads and parses a config file.
    pub fn read(path: &Path) -> Result<Self, ParseError> {
        Self::parse(&read_small_file(path)?, path)
    }

    /// Parses config bytes; `path` is only for error messages. No I/O.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Self, ParseError> {
        check_yaml_nesting(bytes, MAX_YAML_DEPTH).map_err(|m| ParseError::invalid(path, m))?;
        let doc: Yaml = serde_yaml::from_slice(bytes).map_err(|e| ParseError::Syntax {
            path: path.to_path_buf(),
            format: "YAML",
            message: e.to_string(),
        })?;
        if !(doc.is_mapping() || doc.is_null()) {
            return Err(ParseError::invalid(path, "config is not a YAML mapping"));
        }
        Ok(RunConfig { doc, path: Some(path.to_path_buf()) })
    }

    fn get(&self, keys: &[&str]) -> Option<&Yaml> {
        let mut v = &self.doc;
        for k in keys {
            v = v.get(*k)?;
        }
        (!v.is_null()).then_some(v)
    }

    /// `backend.type`; `sglang` when a `backend` block exists without a type (srtctl's default).
    pub fn backend_type(&self) -> Option<String> {
        match self.get(&["backend", "type"]) {
            Some(v) => yaml_string(v),
            None => self.get(&["backend"]).map(|_| "sglang".to_owned()),
        }
    }

    /// The environment block for a worker role (`prefill`, `decode`, `agg`).
    pub fn environment(&self, role: &str) -> StringMap {
        let keys: &[&str] = match role {
            "prefill" => &["prefill_environment"],
            "decode" => &["decode_environment"],
            _ => &["aggregated_environment", "agg_environment"],
        };
        let mut env = StringMap::new();
        for key in keys {
            if let Some(Yaml::Mapping(map)) = self.get(&["backend", key]) {
                for (k, v) in map {
                    if let (Some(k), Some(v)) = (yaml_string(k), yaml_string(v)) {
                        env.insert(k, v);
                    }
                }
            }
        }
        env
    }
}

/// Deepest nesting accepted in `config.yaml`. Real recipes nest a handful of levels; libyaml
/// takes time quadratic in the depth before serde_yaml's own recursion limit (128) reports
/// it, so a file nested 100,000 deep would take a minute. This check is linear.
pub const MAX_YAML_DEPTH: usize = 100;

/// Rejects YAML nested deeper than `limit` without parsing it: flow collections (`[`, `{`)
/// outside quotes and comments, plus block nesting (indentation and `- - -` chains on a line).
pub fn check_yaml_nesting(bytes: &[u8], limit: usize) -> Result<(), String> {
    let too_deep =
        |line: usize| Err(format!("YAML nested deeper than {limit} levels (line {line}); refused"));
    let mut flow = 0usize;
    let mut quote: Option<u8> = None;
    for (line_no, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if quote.is_none() && flow == 0 {
            // Block nesting: each level is at least one column of indentation or one `- `.
            let indent = line.iter().take_while(|&&b| b == b' ').count();
            let mut dashes = 0;
            let mut rest = &line[indent..];
            while let Some(r) = rest.strip_prefix(b"- ") {
                dashes += 1;
                rest = r.trim_ascii_start();
            }
            if indent / 2 + dashes > limit {
                return too_deep(line_no + 1);
            }
        }
        let mut prev = b' ';
        let mut i = 0;
        while i < line.len() {
            let c = line[i];
            match quote {
                Some(b'"') if c == b'\\' => i += 1,
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    b'#' if prev == b' ' || prev == b'\t' => break,
                    b'"' | b'\'' if matches!(prev, b' ' | b'\t' | b'[' | b'{' | b',' | b':') => {
                        quote = Some(c)
                    }
                    b'[' | b'{' => {
                        flow += 1;
                        if flow > limit {
                            return too_deep(line_no + 1);
                        }
                    }
                    b']' | b'}' => flow = flow.saturating_sub(1),
                    _ => {}
                },
            }
            prev = c;
            i += 1;
        }
        if quote == Some(b'\'') {
            quote = None; // single-quoted scalars do not span lines in the configs we read
        }
    }
    Ok(())
}

fn yaml_string(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn yaml_u32(v: &Yaml) -> Option<u32> {
    match v {
        Yaml::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Yaml::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn json_u32(v: Option<&Json>) -> Option<u32> {
    match v? {
        Json::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn json_string(v: Option<&Json>) -> Option<String> {
    match v? {
        Json::String(s) if !s.is_empty() => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses a concurrency list in any form recipes use: `"4x8x16"`, `"256"`, `[4, 8]`, `['8192']`, `8`.
pub fn parse_concurrencies_yaml(v: &Yaml) -> Result<Vec<u32>, String> {
    match v {
        Yaml::Null => Ok(vec![]),
        Yaml::Number(_) => yaml_u32(v).map(|c| vec![c]).ok_or_else(|| format!("bad concurrency {v:?}")),
        Yaml::String(s) => parse_concurrency_string(s),
        Yaml::Sequence(items) => {
            items.iter().map(|i| yaml_u32(i).ok_or_else(|| format!("bad concurrency {i:?}"))).collect()
        }
        other => Err(format!("concurrencies must be a list or an x-separated string, not {other:?}")),
    }
}

fn parse_concurrencies_json(v: &Json) -> Result<Vec<u32>, String> {
    match v {
        Json::Null => Ok(vec![]),
        Json::String(s) => parse_concurrency_string(s),
        Json::Number(_) => json_u32(Some(v)).map(|c| vec![c]).ok_or_else(|| format!("bad concurrency {v}")),
        Json::Array(items) => {
            items.iter().map(|i| json_u32(Some(i)).ok_or_else(|| format!("bad concurrency {i}"))).collect()
        }
        other => Err(format!("concurrencies must be a list or an x-separated string, not {other}")),
    }
}

/// `"4x8x16"` → `[4, 8, 16]`; also accepts `,` or spaces as separators and `[..]` brackets.
pub fn parse_concurrency_string(s: &str) -> Result<Vec<u32>, String> {
    let s = s.trim().trim_start_matches('[').trim_end_matches(']');
    s.split(|c: char| c == 'x' || c == ',' || c.is_whitespace())
        .map(|t| t.trim().trim_matches(|c| c == '\'' || c == '"'))
        .filter(|t| !t.is_empty())
        .map(|t| t.parse::<u32>().map_err(|_| format!("bad concurrency {t:?} in {s:?}")))
        .collect()
}

/// `2026-01-16 06:12:41` → `2026-01-16T06:12:41`; `20251110_192145` → `2025-11-10T19:21:45`.
fn normalize_date(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() == 15 && b[8] == b'_' && b.iter().enumerate().all(|(i, c)| i == 8 || c.is_ascii_digit()) {
        return format!("{}-{}-{}T{}:{}:{}", &s[0..4], &s[4..6], &s[6..8], &s[9..11], &s[11..13], &s[13..15]);
    }
    match srtlog_model::Timestamp::parse(s) {
        Some(ts) => ts.to_string(),
        None => s.to_owned(),
    }
}

/// What [`read_run_metadata`] returns.
#[derive(Debug, Clone)]
pub struct MetadataBundle {
    /// The run's metadata.
    pub metadata: RunMetadata,
    /// What the benchmark was asked to do.
    pub profiler_metadata: ProfilerMetadata,
    /// The parsed config, when the run has one.
    pub config: Option<RunConfig>,
    /// The metadata file read.
    pub metadata_path: PathBuf,
    /// The metadata document as read, for what the typed metadata does not hold (the 2.x
    /// `identity` and `frameworks` blocks the setup reads).
    pub document: Json,
    /// What could not be read without making the run unreadable: a `config.yaml` that is not
    /// valid YAML or has unusable values (the run is then read from its metadata alone).
    pub warnings: Vec<RunWarning>,
}

/// Why a run's metadata could not be read: which file, and how it maps to a skip kind.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct MetadataError {
    /// `invalid_metadata` or `io_error`.
    pub kind: SkipKind,
    /// The error, naming the file.
    pub error: ParseError,
}

impl MetadataError {
    fn metadata(error: ParseError) -> Self {
        let kind = if matches!(error, ParseError::Io { .. }) {
            SkipKind::IoError
        } else {
            SkipKind::InvalidMetadata
        };
        MetadataError { kind, error }
    }
}

/// The warning a run gets when its config file cannot be used.
fn config_warning(error: &ParseError) -> RunWarning {
    let kind = if matches!(error, ParseError::Io { .. }) {
        RunWarningKind::IoError
    } else {
        RunWarningKind::InvalidConfig
    };
    RunWarning { kind, message: format!("{error}; the run is read from its metadata alone") }
}

/// Reads a run's metadata file and `config.yaml` (when present). Only the metadata file can
/// make this fail: a config that cannot be read is a warning of the bundle.
pub fn read_run_metadata(run_dir: &Path, metadata_path: &Path) -> Result<MetadataBundle, MetadataError> {
    let (config, warning) = match find_config_file(run_dir).map(|p| RunConfig::read(&p)) {
        Some(Ok(config)) => (Some(config), None),
        Some(Err(err)) => (None, Some(config_warning(&err))),
        None => (None, None),
    };
    let bytes = read_small_file(metadata_path).map_err(MetadataError::metadata)?;
    let mut bundle = parse_run_metadata(run_dir, metadata_path, &bytes, config)?;
    bundle.warnings.splice(0..0, warning);
    Ok(bundle)
}

/// Parses metadata bytes (with an already parsed config). `run_dir` supplies the job id when
/// the metadata has none; `metadata_path` names the file in errors. No I/O.
pub fn parse_run_metadata(
    run_dir: &Path,
    metadata_path: &Path,
    bytes: &[u8],
    config: Option<RunConfig>,
) -> Result<MetadataBundle, MetadataError> {
    metadata_with_config(run_dir, metadata_path, bytes, config).map_err(MetadataError::metadata)
}

fn metadata_with_config(
    run_dir: &Path,
    metadata_path: &Path,
    bytes: &[u8],
    config: Option<RunConfig>,
) -> Result<MetadataBundle, ParseError> {
    let doc: Json = serde_json::from_slice(&srtlog_model::python_json::sanitize(bytes))
        .map_err(|e| ParseError::json(metadata_path, &e))?;
    let obj =
        doc.as_object().ok_or_else(|| ParseError::invalid(metadata_path, "metadata is not a JSON object"))?;
    let dir_name = run_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();

    let (mut metadata, mut profiler) = if let Some(run) = obj.get("run_metadata") {
        legacy_v1(obj, run, metadata_path)?
    } else {
        flat_v2(obj, metadata_path)?
    };
    if metadata.job_id.is_empty() {
        metadata.job_id = leading_job_id(&dir_name).map(str::to_owned).ok_or_else(|| {
            ParseError::invalid(
                metadata_path,
                "no job_id (nor run_metadata.slurm_job_id) and the directory name has none",
            )
        })?;
    }
    metadata.path = run_dir.to_string_lossy().into_owned();
    let mut warnings = Vec::new();
    if let Some(cfg) = &config {
        // The metadata is filled first and wins, so a config value that cannot be used only
        // leaves out what the config would have added.
        if let Err(m) = fill_from_config(&mut metadata, &mut profiler, cfg) {
            warnings
                .push(config_warning(&ParseError::invalid(cfg.path.as_deref().unwrap_or(metadata_path), m)));
        }
    }
    finish(&mut metadata);
    Ok(MetadataBundle {
        metadata,
        profiler_metadata: profiler,
        config,
        metadata_path: metadata_path.to_path_buf(),
        document: doc,
        warnings,
    })
}

type Obj = serde_json::Map<String, Json>;

fn flat_v2(obj: &Obj, path: &Path) -> Result<(RunMetadata, ProfilerMetadata), ParseError> {
    let mut m = RunMetadata {
        metadata_version: json_string(obj.get("version")),
        job_id: json_string(obj.get("job_id")).unwrap_or_default(),
        job_name: json_string(obj.get("job_name")),
        run_date: json_string(obj.get("generated_at")).map(|d| normalize_date(&d)),
        backend_type: json_string(obj.get("backend_type")),
        frontend_type: json_string(obj.get("frontend_type")),
        // 2.x: written only when submitted with `--serve-only`.
        serve_only: obj.get("serve_only").and_then(Json::as_bool),
        ..RunMetadata::default()
    };
    if let Some(model) = obj.get("model") {
        let model = model.as_object().ok_or_else(|| ParseError::invalid(path, "`model` is not an object"))?;
        m.model.path = json_string(model.get("path"));
        m.model.precision = json_string(model.get("precision"));
        m.model.tensor_parallel = json_u32(model.get("tensor_parallel"));
        m.container = json_string(model.get("container"));
    }
    if let Some(res) = obj.get("resources") {
        let res = res.as_object().ok_or_else(|| ParseError::invalid(path, "`resources` is not an object"))?;
        read_resources(&mut m, res);
    }
    m.tags = match obj.get("tags") {
        None | Some(Json::Null) => vec![],
        Some(Json::Array(items)) => items.iter().filter_map(|t| json_string(Some(t))).collect(),
        Some(Json::String(s)) => {
            s.split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect()
        }
        Some(other) => return Err(ParseError::invalid(path, format!("`tags` must be a list, not {other}"))),
    };
    let mut p = ProfilerMetadata::default();
    if let Some(bench) = obj.get("benchmark") {
        let bench =
            bench.as_object().ok_or_else(|| ParseError::invalid(path, "`benchmark` is not an object"))?;
        read_benchmark_block(&mut p, bench, path)?;
    }
    m.mode = if m.agg_workers > 0 || m.agg_nodes > 0 { Mode::Aggregated } else { Mode::Disaggregated };
    if let Some(mode) = json_string(obj.get("mode")) {
        m.mode = parse_mode(&mode).unwrap_or(m.mode);
    }
    Ok((m, p))
}

fn read_resources(m: &mut RunMetadata, res: &Obj) {
    m.gpu_type = json_string(res.get("gpu_type"));
    m.gpus_per_node = json_u32(res.get("gpus_per_node"));
    m.prefill_nodes = json_u32(res.get("prefill_nodes")).unwrap_or(0);
    m.decode_nodes = json_u32(res.get("decode_nodes")).unwrap_or(0);
    m.agg_nodes = json_u32(res.get("agg_nodes")).unwrap_or(0);
    m.prefill_workers = json_u32(res.get("prefill_workers")).unwrap_or(0);
    m.decode_workers = json_u32(res.get("decode_workers")).unwrap_or(0);
    m.agg_workers = json_u32(res.get("agg_workers")).unwrap_or(0);
    m.gpus_per_prefill = json_u32(res.get("gpus_per_prefill"));
    m.gpus_per_decode = json_u32(res.get("gpus_per_decode"));
    m.gpus_per_agg = json_u32(res.get("gpus_per_agg"));
}

fn read_benchmark_block(p: &mut ProfilerMetadata, bench: &Obj, path: &Path) -> Result<(), ParseError> {
    p.profiler_type = json_string(bench.get("type"));
    p.isl = json_u32(bench.get("isl"));
    p.osl = json_u32(bench.get("osl"));
    if let Some(c) = bench.get("concurrencies") {
        p.concurrencies = parse_concurrencies_json(c).map_err(|e| ParseError::invalid(path, e))?;
    }
    p.req_rate = json_string(bench.get("req_rate").or_else(|| bench.get("req-rate")));
    Ok(())
}

fn parse_mode(s: &str) -> Option<Mode> {
    match s.to_ascii_lowercase().as_str() {
        "disaggregated" | "disagg" => Some(Mode::Disaggregated),
        "aggregated" | "agg" => Some(Mode::Aggregated),
        _ => None,
    }
}

fn legacy_v1(obj: &Obj, run: &Json, path: &Path) -> Result<(RunMetadata, ProfilerMetadata), ParseError> {
    let run = run.as_object().ok_or_else(|| ParseError::invalid(path, "`run_metadata` is not an object"))?;
    let mut m = RunMetadata {
        metadata_version: json_string(obj.get("version")).or_else(|| Some("1.0".to_owned())),
        job_id: json_string(run.get("slurm_job_id"))
            .or_else(|| json_string(obj.get("job_id")))
            .unwrap_or_default(),
        job_name: json_string(run.get("job_name")),
        run_date: json_string(run.get("run_date"))
            .or_else(|| json_string(obj.get("generated_at")))
            .map(|d| normalize_date(&d)),
        container: json_string(run.get("container")),
        model: ModelInfo {
            path: json_string(run.get("model_dir")),
            precision: json_string(run.get("precision")),
            ..ModelInfo::default()
        },
        backend_type: json_string(run.get("backend_type")).or_else(|| json_string(obj.get("backend_type"))),
        ..RunMetadata::default()
    };
    read_resources(&mut m, run);
    m.mode = if m.agg_workers > 0 || m.agg_nodes > 0 { Mode::Aggregated } else { Mode::Disaggregated };
    if let Some(mode) = json_string(run.get("mode")) {
        m.mode =
            parse_mode(&mode).ok_or_else(|| ParseError::invalid(path, format!("unknown mode {mode:?}")))?;
    }
    let mut p = ProfilerMetadata::default();
    if let Some(prof) = obj.get("profiler_metadata") {
        let prof = prof
            .as_object()
            .ok_or_else(|| ParseError::invalid(path, "`profiler_metadata` is not an object"))?;
        read_benchmark_block(&mut p, prof, path)?;
    }
    Ok((m, p))
}

fn fill_from_config(m: &mut RunMetadata, p: &mut ProfilerMetadata, cfg: &RunConfig) -> Result<(), String> {
    let get_u32 = |keys: &[&str]| cfg.get(keys).and_then(yaml_u32);
    let get_str = |keys: &[&str]| cfg.get(keys).and_then(yaml_string);
    if p.profiler_type.is_none() {
        p.profiler_type = get_str(&["benchmark", "type"]);
    }
    if p.isl.is_none() {
        p.isl = get_u32(&["benchmark", "isl"]);
    }
    if p.osl.is_none() {
        p.osl = get_u32(&["benchmark", "osl"]);
    }
    // A bad value is reported once everything else has been filled in.
    let mut error = None;
    if p.concurrencies.is_empty() {
        if let Some(c) = cfg.get(&["benchmark", "concurrencies"]) {
            match parse_concurrencies_yaml(c) {
                Ok(c) => p.concurrencies = c,
                Err(e) => error = Some(format!("benchmark.concurrencies: {e}")),
            }
        }
    }
    if p.req_rate.is_none() {
        p.req_rate = get_str(&["benchmark", "req_rate"]);
    }
    if m.backend_type.is_none() {
        m.backend_type = cfg.backend_type();
    }
    if m.frontend_type.is_none() {
        m.frontend_type = get_str(&["frontend", "type"]);
    }
    if m.gpu_type.is_none() {
        m.gpu_type = get_str(&["resources", "gpu_type"]);
    }
    if m.gpus_per_node.is_none() {
        m.gpus_per_node = get_u32(&["resources", "gpus_per_node"]);
    }
    if m.container.is_none() {
        m.container = get_str(&["model", "container"]);
    }
    if m.model.path.is_none() {
        m.model.path = get_str(&["model", "path"]);
    }
    if m.model.precision.is_none() {
        m.model.precision = get_str(&["model", "precision"]);
    }
    let counts_missing = m.prefill_workers + m.decode_workers + m.agg_workers == 0;
    if counts_missing {
        m.prefill_nodes = get_u32(&["resources", "prefill_nodes"]).unwrap_or(0);
        m.decode_nodes = get_u32(&["resources", "decode_nodes"]).unwrap_or(0);
        m.agg_nodes = get_u32(&["resources", "agg_nodes"]).unwrap_or(0);
        m.prefill_workers = get_u32(&["resources", "prefill_workers"]).unwrap_or(0);
        m.decode_workers = get_u32(&["resources", "decode_workers"]).unwrap_or(0);
        m.agg_workers = get_u32(&["resources", "agg_workers"]).unwrap_or(0);
        m.mode = if m.agg_workers > 0 || m.agg_nodes > 0 { Mode::Aggregated } else { Mode::Disaggregated };
    }
    for (field, key) in [
        (&mut m.gpus_per_prefill, "gpus_per_prefill"),
        (&mut m.gpus_per_decode, "gpus_per_decode"),
        (&mut m.gpus_per_agg, "gpus_per_agg"),
    ] {
        if field.is_none() {
            *field = get_u32(&["resources", key]);
        }
    }
    if m.model.tensor_parallel.is_none() {
        let mode_key = match m.mode {
            Mode::Aggregated => "aggregated",
            Mode::Disaggregated => "decode",
        };
        m.model.tensor_parallel =
            ["sglang_config", "trtllm_config", "vllm_config"].iter().find_map(|section| {
                ["tensor-parallel-size", "tp-size", "tensor_parallel_size"]
                    .iter()
                    .find_map(|k| get_u32(&["backend", section, mode_key, k]))
            });
    }
    error.map_or(Ok(()), Err)
}

fn finish(m: &mut RunMetadata) {
    m.total_gpus = m.allocated_gpus();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_forms() {
        assert_eq!(parse_concurrency_string("4x8x16"), Ok(vec![4, 8, 16]));
        assert_eq!(parse_concurrency_string("256"), Ok(vec![256]));
        assert_eq!(parse_concurrency_string("['8192']"), Ok(vec![8192]));
        assert!(parse_concurrency_string("4xeight").is_err());
        let yaml: Yaml = serde_yaml::from_str("[128, '256']").unwrap();
        assert_eq!(parse_concurrencies_yaml(&yaml), Ok(vec![128, 256]));
        let yaml: Yaml = serde_yaml::from_str("'8192'").unwrap();
        assert_eq!(parse_concurrencies_yaml(&yaml), Ok(vec![8192]));
        let yaml: Yaml = serde_yaml::from_str("64").unwrap();
        assert_eq!(parse_concurrencies_yaml(&yaml), Ok(vec![64]));
    }

    #[test]
    fn job_id_from_directory_name() {
        assert_eq!(leading_job_id("4401463"), Some("4401463"));
        assert_eq!(leading_job_id("3667_1P_1D_20251110_192145"), Some("3667"));
        assert_eq!(leading_job_id("12abc"), None);
        assert_eq!(leading_job_id("logs"), None);
    }

    #[test]
    fn nesting_check_accepts_recipes_and_refuses_bombs() {
        let recipe = b"backend:\n  sglang_config:\n    prefill: {tp: 4, env: [\"a[b\", 'c{d']}  # [[[[\n    decode:\n      - - x\n";
        assert_eq!(check_yaml_nesting(recipe, 8), Ok(()));
        let deep = format!("a: {}{}", "[".repeat(101), "]".repeat(101));
        assert!(check_yaml_nesting(deep.as_bytes(), 100).unwrap_err().contains("line 1"));
        let dashes = format!("a:\n{}x\n", "- ".repeat(101));
        assert!(check_yaml_nesting(dashes.as_bytes(), 100).is_err());
        let indent = format!("a:\n{}b: 1\n", " ".repeat(202));
        assert!(check_yaml_nesting(indent.as_bytes(), 100).is_err());
    }

    #[test]
    fn dates_are_normalized() {
        assert_eq!(normalize_date("2026-01-16 06:12:41"), "2026-01-16T06:12:41");
        assert_eq!(normalize_date("20251110_192145"), "2025-11-10T19:21:45");
        assert_eq!(normalize_date("yesterday"), "yesterday");
    }
}
