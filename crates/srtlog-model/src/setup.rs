//! A run's setup — what it ran on and with: [`RunSetup`], one record per run.
//!
//! srt-slurm records provenance in several files, each partial: the metadata's container and
//! (2.x) `identity` block, `config.yaml` (the recipe), `recipe.lock.yaml` (v1 and v2: the
//! resolved container path, SLURM context, srtctl's identity verification and the workers'
//! fingerprints), `fingerprint_<role>_w<i>.json` per worker (framework versions, GPUs, driver,
//! CUDA, NCCL, Python, environment) and `resource_snapshot.json` (CPU model, GPU counts). The
//! loader reads them (this crate does no I/O) into one `RunSetup`, so that runs can be grouped
//! ([`RunSetup::key`]) and compared ([`RunSetup::differences`]) by setup without knowing which
//! file said what.
//!
//! The per-worker fingerprints are kept ([`RunSetup::workers`]); the run-level fields are what
//! every worker agrees on ([`RunSetup::summarize_workers`]). A setup is configuration: it is read
//! fresh on every load and never cached.
//!
//! ```
//! use srtlog_model::{RunSetup, WorkerFingerprint};
//!
//! let fp = serde_json::json!({"frameworks": {"vllm": "0.20.1"}, "cuda_version": "Cuda compilation tools, release 13.0, V13.0.88"});
//! let mut a = RunSetup { container_image: Some("vllm/vllm-openai:v0.20.1".into()), ..Default::default() };
//! a.workers.insert("decode_w0".into(), WorkerFingerprint::from_json(&fp).unwrap());
//! assert!(a.summarize_workers().is_empty(), "one worker always agrees with itself");
//! assert_eq!(a.frameworks["vllm"], "0.20.1");
//! assert_eq!(a.cuda_version.as_deref(), Some("13.0.88"));
//!
//! let mut b = a.clone();
//! b.frameworks.insert("vllm".into(), "0.20.2".into());
//! assert_ne!(a.key(), b.key());
//! let diff = a.differences(&b);
//! assert_eq!(diff, [("frameworks.vllm".to_owned(), Some("0.20.1".to_owned()), Some("0.20.2".to_owned()))]);
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::text::StringMap;

/// The GPUs of a worker (or of every worker, in the run-level summary), from `nvidia-smi` as the
/// fingerprint recorded it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpuSetup {
    /// GPU model (`NVIDIA GB200`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// GPUs visible on the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Driver version (`580.82.07`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// Memory of one GPU as reported (`189471 MiB`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
}

/// One worker's `fingerprint_<role>_w<i>.json` (or its copy in `recipe.lock.yaml`), as far as a
/// comparison of setups needs it. `pip freeze` lists are not kept: the framework versions are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerFingerprint {
    /// Host the worker ran on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// When the fingerprint was taken (UTC, as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// CPU architecture (`aarch64`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Operating system (`Ubuntu 22.04.5 LTS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// GPUs and driver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu: Option<GpuSetup>,
    /// Python version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python_version: Option<String>,
    /// CUDA toolkit version (see `cuda_version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cuda_version: Option<String>,
    /// NCCL version, dotted (`2.28.9`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nccl_version: Option<String>,
    /// Installed framework versions (`vllm`, `sglang`, `tensorrt_llm`, `dynamo`).
    #[serde(default, skip_serializing_if = "StringMap::is_empty")]
    pub frameworks: StringMap,
    /// The model's Hugging Face revision, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_revision: Option<String>,
    /// Environment variables the fingerprint captured (secrets already redacted by srtctl).
    #[serde(default, skip_serializing_if = "StringMap::is_empty")]
    pub env: StringMap,
}

impl WorkerFingerprint {
    /// Reads a fingerprint object; `None` when `value` is not a JSON object. Unknown or
    /// ill-typed fields are left out (the file is written by hand-maintained Python).
    pub fn from_json(value: &Value) -> Option<Self> {
        let obj = value.as_object()?;
        let text = |key: &str| obj.get(key).and_then(scalar_text);
        let gpu = obj.get("gpu").and_then(Value::as_object).map(|gpu| {
            let gpus = gpu.get("gpus").and_then(Value::as_array);
            let first = gpus.and_then(|g| g.first());
            GpuSetup {
                name: first.and_then(|g| g.get("name")).and_then(scalar_text),
                count: gpus.and_then(|g| u32::try_from(g.len()).ok()),
                driver: gpu
                    .get("driver")
                    .and_then(scalar_text)
                    .or_else(|| first.and_then(|g| g.get("driver")).and_then(scalar_text)),
                memory: first.and_then(|g| g.get("memory")).and_then(scalar_text),
            }
        });
        Some(WorkerFingerprint {
            hostname: text("hostname"),
            timestamp: text("timestamp"),
            arch: text("arch"),
            os: text("os"),
            gpu: gpu.filter(|g| g != &GpuSetup::default()),
            python_version: text("python_version"),
            cuda_version: text("cuda_version").and_then(|v| cuda_version(&v)),
            nccl_version: text("nccl_version").map(|v| nccl_version(&v)),
            frameworks: string_map(obj.get("frameworks")),
            model_revision: obj.get("model").and_then(|m| m.get("hf_revision")).and_then(scalar_text),
            env: string_map(obj.get("env")),
        })
    }
}

/// Everything srtlog knows about how a run was set up. See the module docs for the sources.
///
/// Every field is optional: a run has whatever its files recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSetup {
    /// The container image as declared (`identity.container.image`: `vllm/vllm-openai:v0.20.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_image: Option<String>,
    /// The container as the job resolved it (`lock.resolved.container_path`, else the
    /// metadata's `model.container`): a path or URI, cluster-specific.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_path: Option<String>,
    /// Hugging Face repository of the model (`identity.model.repo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_repo: Option<String>,
    /// Model revision (`identity.model.revision`, else the workers' `model.hf_revision`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_revision: Option<String>,
    /// Framework versions installed, as every worker's fingerprint gives them.
    #[serde(default, skip_serializing_if = "StringMap::is_empty")]
    pub frameworks: StringMap,
    /// Framework versions the recipe or metadata declared (`identity.frameworks`, `frameworks`):
    /// often container tags rather than versions.
    #[serde(default, skip_serializing_if = "StringMap::is_empty")]
    pub declared_frameworks: StringMap,
    /// GPUs and driver every worker agrees on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu: Option<GpuSetup>,
    /// CUDA toolkit version every worker agrees on (see `cuda_version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cuda_version: Option<String>,
    /// NCCL version every worker agrees on (`2.28.9`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nccl_version: Option<String>,
    /// Python version every worker agrees on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python_version: Option<String>,
    /// Operating system every worker agrees on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// CPU architecture (the workers' fingerprints, else `resource_snapshot.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// CPU model of the job's host (`resource_snapshot.json` `hardware.cpu_model`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_model: Option<String>,
    /// SLURM cluster (`lock.slurm.cluster`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// SLURM partition (`lock.slurm.partition`, or the metadata's `slurm_partition`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// The srtctl commit that ran the job (`lock.slurm.srtctl_commit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srtctl_commit: Option<String>,
    /// srtctl's identity verification summary (`2 verified, 2 declared, 1 FAILED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<String>,
    /// The CPU allocation check (`ok`, `warning`, `unknown`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_check: Option<String>,
    /// Hash of [`RunSetup::settings`] without the run's name (see [`RunSetup::set_settings`]):
    /// equal for two runs of one recipe, whatever its comments or key order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_hash: Option<String>,
    /// The config (`config_resolved.yaml` / `config.yaml`, else the recipe in
    /// `recipe.lock.yaml`) flattened to dotted paths ([`flatten_settings`]).
    #[serde(default, skip_serializing_if = "StringMap::is_empty")]
    pub settings: StringMap,
    /// Each worker's fingerprint, by srtctl's worker key (`prefill_w0`, `decode_w0`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub workers: BTreeMap<String, WorkerFingerprint>,
    /// The files this setup was read from, relative to the run directory.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

/// Reads one field of a worker's fingerprint as text.
type Getter<'a> = dyn Fn(&WorkerFingerprint) -> Option<String> + 'a;

/// Config keys that name a run rather than configure it, left out of [`RunSetup::config_hash`]
/// (they stay in [`RunSetup::settings`]).
pub const UNHASHED_SETTINGS: &[&str] = &["name"];

/// A stable key of a setup ([`RunSetup::key`]): 16 hex digits, equal for equal setups.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SetupKey(pub String);

impl fmt::Display for SetupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl RunSetup {
    /// Whether nothing at all is known.
    pub fn is_empty(&self) -> bool {
        self == &RunSetup::default()
    }

    /// Sets [`RunSetup::settings`] and [`RunSetup::config_hash`] from a config document.
    pub fn set_settings(&mut self, config: &Value) {
        self.settings = flatten_settings(config);
        let hashed = self
            .settings
            .iter()
            .filter(|(k, _)| !UNHASHED_SETTINGS.iter().any(|u| k.as_str() == *u || is_under(k, u)));
        self.config_hash = Some(fnv_hex(hashed.flat_map(|(k, v)| [k.as_str(), "=", v.as_str(), "\n"])));
    }

    /// Fills the run-level fields from [`RunSetup::workers`] where every worker that says
    /// agrees (a field already set, e.g. from the resource snapshot, is overwritten only by
    /// an agreed worker value). Returns one message per field on which workers disagree; that
    /// field is then left empty at run level (the workers keep their values).
    pub fn summarize_workers(&mut self) -> Vec<String> {
        let mut mismatches = Vec::new();
        if self.workers.is_empty() {
            return mismatches;
        }
        let mut agree = |field: &str, get: &Getter<'_>| -> Option<String> {
            let values: BTreeMap<String, Vec<&str>> = self
                .workers
                .iter()
                .filter_map(|(k, w)| get(w).map(|v| (v, k.as_str())))
                .fold(BTreeMap::new(), |mut acc, (v, k)| {
                    acc.entry(v).or_default().push(k);
                    acc
                });
            match values.len() {
                0 => None,
                1 => values.into_keys().next(),
                _ => {
                    let described: Vec<String> =
                        values.iter().map(|(v, ks)| format!("{v} ({})", ks.join(", "))).collect();
                    mismatches.push(format!("workers disagree on {field}: {}", described.join(" vs ")));
                    None
                }
            }
        };
        let fields: [(&str, &Getter<'_>); 9] = [
            ("gpu.name", &|w| w.gpu.as_ref()?.name.clone()),
            ("gpu.count", &|w| w.gpu.as_ref()?.count.map(|c| c.to_string())),
            ("gpu.driver", &|w| w.gpu.as_ref()?.driver.clone()),
            ("gpu.memory", &|w| w.gpu.as_ref()?.memory.clone()),
            ("cuda_version", &|w| w.cuda_version.clone()),
            ("nccl_version", &|w| w.nccl_version.clone()),
            ("python_version", &|w| w.python_version.clone()),
            ("os", &|w| w.os.clone()),
            ("arch", &|w| w.arch.clone()),
        ];
        let mut agreed: BTreeMap<&str, Option<String>> = BTreeMap::new();
        for (field, get) in fields {
            agreed.insert(field, agree(field, get));
        }
        let names: std::collections::BTreeSet<String> =
            self.workers.values().flat_map(|w| w.frameworks.keys().cloned()).collect();
        let mut frameworks = StringMap::new();
        for name in names {
            let field = format!("frameworks.{name}");
            if let Some(v) = agree(&field, &|w| w.frameworks.get(&name).cloned()) {
                frameworks.insert(name, v);
            }
        }
        let revision = agree("model_revision", &|w| w.model_revision.clone());
        let mut take = |field: &str| agreed.remove(field).flatten();
        let gpu = GpuSetup {
            name: take("gpu.name"),
            count: take("gpu.count").and_then(|c| c.parse().ok()),
            driver: take("gpu.driver"),
            memory: take("gpu.memory"),
        };
        if gpu != GpuSetup::default() {
            self.gpu = Some(gpu);
        }
        for (slot, field) in [
            (&mut self.cuda_version, "cuda_version"),
            (&mut self.nccl_version, "nccl_version"),
            (&mut self.python_version, "python_version"),
            (&mut self.os, "os"),
            (&mut self.arch, "arch"),
        ] {
            if let Some(v) = take(field) {
                *slot = Some(v);
            }
        }
        self.frameworks.extend(frameworks);
        if self.model_revision.is_none() {
            self.model_revision = revision;
        }
        mismatches
    }

    /// Every comparable field of the setup by a dotted name (`container_image`,
    /// `frameworks.vllm`, `gpu.driver`, `settings.backend.vllm_config.decode.max-num-seqs`,
    /// `workers.decode_w0.frameworks.vllm`, `workers.decode_w0.env.NCCL_DEBUG`, ...), for
    /// showing or comparing setups. Sources, host names and fingerprint times are left out:
    /// they say where and when, not what.
    pub fn fields(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        self.identity_fields(&mut out);
        for (k, v) in &self.settings {
            out.insert(format!("settings.{k}"), v.clone());
        }
        for (key, w) in &self.workers {
            for (k, v) in &w.env {
                out.insert(format!("workers.{key}.env.{k}"), v.clone());
            }
        }
        for (k, v) in [
            ("cluster", &self.cluster),
            ("partition", &self.partition),
            ("srtctl_commit", &self.srtctl_commit),
            ("verification", &self.verification),
            ("cpu_check", &self.cpu_check),
        ] {
            if let Some(v) = v {
                out.insert(k.to_owned(), v.clone());
            }
        }
        out
    }

    /// The setup's key: a hash of what decides how the run performs — the container (image,
    /// else path), model repository and revision, declared and installed framework versions,
    /// GPUs, driver, CUDA, NCCL, Python, OS, architecture, CPU model, [`RunSetup::config_hash`],
    /// and each worker's own fingerprint of those. Not in the key: where and when the run ran
    /// (cluster, partition, hosts, times), srtctl's commit, environment variables and the file
    /// names read. Two runs of one recipe on one software stack share a key.
    ///
    /// The hash is 64-bit FNV-1a: a grouping key, not a cryptographic digest.
    pub fn key(&self) -> SetupKey {
        let mut fields = BTreeMap::new();
        self.identity_fields(&mut fields);
        SetupKey(fnv_hex(fields.iter().flat_map(|(k, v)| [k.as_str(), "=", v.as_str(), "\n"])))
    }

    /// The fields ([`RunSetup::fields`]) that differ between two setups, in name order, each
    /// with its value on this side and on the other (`None` where a side lacks it).
    pub fn differences(&self, other: &RunSetup) -> Vec<(String, Option<String>, Option<String>)> {
        let (a, b) = (self.fields(), other.fields());
        let names: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        names
            .into_iter()
            .filter_map(|name| {
                let (x, y) = (a.get(name), b.get(name));
                (x != y).then(|| (name.clone(), x.cloned(), y.cloned()))
            })
            .collect()
    }

    fn identity_fields(&self, out: &mut BTreeMap<String, String>) {
        let mut put = |k: String, v: &Option<String>| {
            if let Some(v) = v {
                out.insert(k, v.clone());
            }
        };
        put("container".into(), &self.container_image.clone().or_else(|| self.container_path.clone()));
        put("model_repo".into(), &self.model_repo);
        put("model_revision".into(), &self.model_revision);
        put("config_hash".into(), &self.config_hash);
        put("cpu_model".into(), &self.cpu_model);
        common_fields("", self.gpu.as_ref(), &self.frameworks, &mut put);
        for (k, v) in [
            ("cuda_version", &self.cuda_version),
            ("nccl_version", &self.nccl_version),
            ("python_version", &self.python_version),
            ("os", &self.os),
            ("arch", &self.arch),
        ] {
            put(k.to_owned(), v);
        }
        for (k, v) in &self.declared_frameworks {
            put(format!("declared_frameworks.{k}"), &Some(v.clone()));
        }
        for (key, w) in &self.workers {
            let prefix = format!("workers.{key}.");
            common_fields(&prefix, w.gpu.as_ref(), &w.frameworks, &mut put);
            for (k, v) in [
                ("cuda_version", &w.cuda_version),
                ("nccl_version", &w.nccl_version),
                ("python_version", &w.python_version),
                ("os", &w.os),
                ("arch", &w.arch),
                ("model_revision", &w.model_revision),
            ] {
                put(format!("{prefix}{k}"), v);
            }
        }
    }
}

fn common_fields(
    prefix: &str,
    gpu: Option<&GpuSetup>,
    frameworks: &StringMap,
    put: &mut impl FnMut(String, &Option<String>),
) {
    if let Some(gpu) = gpu {
        put(format!("{prefix}gpu.name"), &gpu.name);
        put(format!("{prefix}gpu.count"), &gpu.count.map(|c| c.to_string()));
        put(format!("{prefix}gpu.driver"), &gpu.driver);
        put(format!("{prefix}gpu.memory"), &gpu.memory);
    }
    for (k, v) in frameworks {
        put(format!("{prefix}frameworks.{k}"), &Some(v.clone()));
    }
}

fn is_under(key: &str, prefix: &str) -> bool {
    key.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.'))
}

/// Flattens a config document to `dotted.path = value`: mappings nest by key, a list of
/// scalars is one value (its JSON text, `[4,8]`), a list holding mappings nests by index
/// (`checks.0.field`); strings are kept as they are, other scalars as JSON (`8`, `true`,
/// `null`). An empty mapping is `{}`.
///
/// ```
/// let cfg = serde_json::json!({"benchmark": {"isl": 8192, "concurrencies": [4, 8], "type": "sa-bench"}, "x": {}});
/// let flat = srtlog_model::flatten_settings(&cfg);
/// assert_eq!(flat["benchmark.isl"], "8192");
/// assert_eq!(flat["benchmark.concurrencies"], "[4,8]");
/// assert_eq!(flat["benchmark.type"], "sa-bench");
/// assert_eq!(flat["x"], "{}");
/// ```
pub fn flatten_settings(config: &Value) -> StringMap {
    fn walk(prefix: &str, value: &Value, out: &mut StringMap) {
        let child = |key: &str| if prefix.is_empty() { key.to_owned() } else { format!("{prefix}.{key}") };
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (k, v) in map {
                    walk(&child(k), v, out);
                }
            }
            Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
                for (i, v) in items.iter().enumerate() {
                    walk(&child(&i.to_string()), v, out);
                }
            }
            Value::String(s) => {
                out.insert(prefix.to_owned(), s.clone());
            }
            other => {
                out.insert(prefix.to_owned(), other.to_string());
            }
        }
    }
    let mut out = StringMap::new();
    if config.as_object().is_some_and(|m| !m.is_empty()) {
        walk("", config, &mut out);
    }
    out
}

/// The CUDA version from a fingerprint's `nvcc --version | grep release` line: the build
/// (`13.0.88` from `Cuda compilation tools, release 13.0, V13.0.88`), else the release, else
/// the text as written; `None` for `unavailable` or an empty value.
pub fn cuda_version(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.eq_ignore_ascii_case("unavailable") {
        return None;
    }
    let build = raw
        .split([',', ' '])
        .find_map(|w| w.strip_prefix('V').filter(|v| v.starts_with(|c: char| c.is_ascii_digit())));
    let release = raw.split_once("release ").map(|(_, r)| r.split(',').next().unwrap_or(r).trim());
    Some(build.or(release).unwrap_or(raw).to_owned())
}

/// `(2, 28, 9)` → `2.28.9`; anything else as written.
fn nccl_version(raw: &str) -> String {
    let t = raw.trim();
    match t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(inner) => inner.split(',').map(str::trim).collect::<Vec<_>>().join("."),
        None => t.to_owned(),
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn string_map(v: Option<&Value>) -> StringMap {
    v.and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), scalar_text(v)?))).collect())
        .unwrap_or_default()
}

/// 64-bit FNV-1a of the concatenated parts, as 16 hex digits.
fn fnv_hex<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_normalized() {
        assert_eq!(
            cuda_version("Cuda compilation tools, release 13.0, V13.0.88").as_deref(),
            Some("13.0.88")
        );
        assert_eq!(cuda_version("Cuda compilation tools, release 12.8").as_deref(), Some("12.8"));
        assert_eq!(cuda_version("unavailable"), None);
        assert_eq!(nccl_version("(2, 28, 9)"), "2.28.9");
        assert_eq!(nccl_version("2.27.3"), "2.27.3");
    }

    #[test]
    fn disagreeing_workers_leave_the_summary_empty_and_say_so() {
        let fp = |v: &str| {
            WorkerFingerprint::from_json(&serde_json::json!({"frameworks": {"sglang": v, "dynamo": "0.8.0"}}))
                .unwrap()
        };
        let mut s = RunSetup::default();
        s.workers.insert("prefill_w0".into(), fp("0.5.6"));
        s.workers.insert("decode_w0".into(), fp("0.5.7"));
        let mismatches = s.summarize_workers();
        assert_eq!(
            mismatches,
            ["workers disagree on frameworks.sglang: 0.5.6 (prefill_w0) vs 0.5.7 (decode_w0)"]
        );
        assert_eq!(s.frameworks, StringMap::from([("dynamo".into(), "0.8.0".into())]));
        // The workers' own values still make the key: another mix is another setup.
        let mut t = s.clone();
        t.workers.insert("decode_w0".into(), fp("0.5.6"));
        assert_ne!(s.key(), t.key());
    }

    #[test]
    fn the_key_ignores_where_and_when_and_the_run_name() {
        let mut a = RunSetup { container_path: Some("/c.sqsh".into()), ..Default::default() };
        a.set_settings(&serde_json::json!({"name": "run-a", "benchmark": {"isl": 1024}}));
        let mut b = a.clone();
        b.set_settings(&serde_json::json!({"name": "run-b", "benchmark": {"isl": 1024}}));
        b.cluster = Some("watchtower".into());
        b.sources = vec!["recipe.lock.yaml".into()];
        assert_eq!(a.config_hash, b.config_hash);
        assert_eq!(a.key(), b.key());
        assert_eq!(a.key().0.len(), 16);
        let mut c = a.clone();
        c.set_settings(&serde_json::json!({"name": "run-a", "benchmark": {"isl": 8192}}));
        assert_ne!(a.key(), c.key());
        assert_eq!(
            a.differences(&c),
            [
                ("config_hash".to_owned(), a.config_hash.clone(), c.config_hash.clone()),
                ("settings.benchmark.isl".to_owned(), Some("1024".into()), Some("8192".into())),
            ]
        );
    }
}
