//! Reading a run's setup ([`RunSetup`]) from the files that record provenance.
//!
//! Sources, in the order they fill a field (a field once set is not overwritten, except that
//! the workers' agreed fingerprint values win over the resource snapshot's):
//!
//! 1. the metadata file: `model.container` (legacy `run_metadata.container`) as the container
//!    path; 2.x `identity{model{repo, revision}, container{image}, frameworks}`, `frameworks`,
//!    `slurm_partition`, `resources.cpu_check.status`;
//! 2. the run's config (`config_resolved.yaml` / `config.yaml`, as the metadata reader chose it):
//!    the settings, and its `identity` block;
//! 3. the fingerprint files, `logs/fingerprints/fingerprint_<key>.json` (2.x) then
//!    `logs/fingerprint_<key>.json` (1.x): one per worker, the first directory wins per key;
//! 4. `recipe.lock.yaml` at the run root, v2 (the recipe, then a `lock:` section with
//!    `version: 2`) or v1 (`_meta{version: 1}`, `verification`, `config`, `fingerprints`):
//!    the resolved container path, SLURM cluster/partition/srtctl commit, srtctl's identity
//!    verification (each failed check is a warning), the fingerprints of workers that have no
//!    file (`lock.fingerprints`, else top-level `fingerprints`, else `fingerprint`, as srtctl's
//!    own reader does), the resource snapshot, and the recipe as settings when there is no
//!    config file;
//! 5. `logs/resource_snapshot.json`, else the lockfile's copy: CPU model, architecture, CPU check.
//!
//! A provenance file that cannot be read is a warning (`invalid_setup`) naming it; the setup
//! holds what the others gave. Every file is read whole but bounded by
//! [`MAX_METADATA_BYTES`](crate::metadata::MAX_METADATA_BYTES), like the metadata.

use std::path::Path;

use serde_json::Value as Json;
use srtlog_model::{ParseError, RunFiles, RunSetup, RunWarning, RunWarningKind, WorkerFingerprint};

use crate::listing::relative_to;
use crate::metadata::{check_yaml_nesting, read_small_file, RunConfig, MAX_YAML_DEPTH};

/// The provenance files besides the metadata and config, relative to the run directory
/// (`*` stands for a worker key such as `prefill_w0`).
pub const SETUP_FILES: [&str; 4] =
    [LOCKFILE, "logs/fingerprints/fingerprint_*.json", "logs/fingerprint_*.json", RESOURCE_SNAPSHOT];

const LOCKFILE: &str = "recipe.lock.yaml";
const RESOURCE_SNAPSHOT: &str = "logs/resource_snapshot.json";
/// Where fingerprint files are looked for: the 2.x directory first, then `logs/` (1.x).
const FINGERPRINT_DIRS: [&str; 2] = ["logs/fingerprints", "logs"];

/// Reads the setup of a run (see the module docs). `None` when no source says anything.
/// Never fails: each unreadable file is one warning.
pub fn read_setup(
    files: &RunFiles,
    metadata_path: &Path,
    metadata: &Json,
    config: Option<&RunConfig>,
) -> (Option<RunSetup>, Vec<RunWarning>) {
    let mut reader = SetupReader { files, setup: RunSetup::default(), warnings: Vec::new() };
    reader.metadata(metadata_path, metadata);
    if let Some(config) = config {
        reader.config(config);
    }
    reader.fingerprint_files();
    let snapshot = reader.lockfile();
    reader.resource_snapshot(snapshot);
    for mismatch in reader.setup.summarize_workers() {
        reader.warnings.push(RunWarning {
            kind: RunWarningKind::SetupMismatch,
            message: format!("{}: {mismatch}", files.root().display()),
        });
    }
    let SetupReader { setup, warnings, .. } = reader;
    ((!setup.is_empty()).then_some(setup), warnings)
}

struct SetupReader<'a> {
    files: &'a RunFiles,
    setup: RunSetup,
    warnings: Vec<RunWarning>,
}

impl SetupReader<'_> {
    fn rel(&self, path: &Path) -> String {
        relative_to(self.files.root(), path).unwrap_or_else(|| path.to_string_lossy().into_owned())
    }

    fn invalid(&mut self, error: ParseError) {
        self.warnings.push(RunWarning {
            kind: RunWarningKind::InvalidSetup,
            message: format!("{error}; the setup is read without it"),
        });
    }

    /// Reads and parses a listed JSON or YAML file; `None` (with a warning) when it cannot be.
    fn read(&mut self, rel: &str) -> Option<Json> {
        let path = self.files.full_path(rel);
        let bytes = match read_small_file(&path) {
            Ok(b) => b,
            Err(err) => {
                self.invalid(err);
                return None;
            }
        };
        let parsed = if rel.ends_with(".json") {
            serde_json::from_slice(&srtlog_model::python_json::sanitize(&bytes))
                .map_err(|e| ParseError::json(&path, &e))
        } else {
            check_yaml_nesting(&bytes, MAX_YAML_DEPTH)
                .map_err(|m| ParseError::invalid(&path, m))
                .and_then(|()| {
                    serde_yaml::from_slice::<serde_yaml::Value>(&bytes).map_err(|e| ParseError::Syntax {
                        path: path.clone(),
                        format: "YAML",
                        message: e.to_string(),
                    })
                })
                .and_then(|yaml| yaml_to_json(&yaml, &path))
        };
        match parsed {
            Ok(v) if v.is_object() => {
                self.setup.sources.push(rel.to_owned());
                Some(v)
            }
            Ok(_) => {
                self.invalid(ParseError::invalid(&path, "not a mapping"));
                None
            }
            Err(err) => {
                self.invalid(err);
                None
            }
        }
    }

    fn metadata(&mut self, path: &Path, doc: &Json) {
        let s = &mut self.setup;
        let before = s.clone();
        fill(&mut s.container_path, text(doc.pointer("/model/container")));
        fill(&mut s.container_path, text(doc.pointer("/run_metadata/container")));
        identity(s, doc.get("identity"));
        declared(s, doc.get("frameworks"));
        fill(&mut s.partition, text(doc.get("slurm_partition")));
        fill(&mut s.cpu_check, text(doc.pointer("/resources/cpu_check/status")));
        if *s != before {
            let rel = self.rel(path);
            self.setup.sources.push(rel);
        }
    }

    fn config(&mut self, config: &RunConfig) {
        let path = config.path.as_deref().unwrap_or(Path::new("config.yaml"));
        match yaml_to_json(&config.doc, path) {
            Ok(doc) => {
                self.setup.set_settings(&doc);
                identity(&mut self.setup, doc.get("identity"));
                let rel = self.rel(path);
                self.setup.sources.push(rel);
            }
            Err(err) => self.invalid(err),
        }
    }

    fn fingerprint_files(&mut self) {
        for dir in FINGERPRINT_DIRS {
            let found: Vec<(String, String)> = self
                .files
                .children(dir)
                .filter(|e| e.is_file())
                .filter_map(|e| {
                    let key = e.name().strip_prefix("fingerprint_")?.strip_suffix(".json")?;
                    Some((key.to_owned(), e.path.clone()))
                })
                .collect();
            for (key, rel) in found {
                if self.setup.workers.contains_key(&key) {
                    continue;
                }
                if let Some(doc) = self.read(&rel) {
                    if let Some(fp) = WorkerFingerprint::from_json(&doc) {
                        self.setup.workers.insert(key, fp);
                    }
                }
            }
        }
    }

    /// Reads `recipe.lock.yaml`; returns its resource snapshot, if it has one.
    fn lockfile(&mut self) -> Option<Json> {
        if !self.files.is_file(LOCKFILE) {
            return None;
        }
        let doc = self.read(LOCKFILE)?;
        let path = self.files.full_path(LOCKFILE);
        // v2: the recipe, then `lock:`; v1: `_meta` with everything at the top level.
        let (lock, slurm, recipe) = match (doc.get("lock"), doc.get("_meta")) {
            (Some(lock), _) if lock.is_object() => {
                let mut recipe = doc.clone();
                if let Some(m) = recipe.as_object_mut() {
                    m.remove("lock");
                }
                (lock, lock.get("slurm"), Some(recipe))
            }
            (_, Some(meta)) if meta.is_object() => (&doc, meta.get("slurm"), doc.get("config").cloned()),
            _ => {
                self.setup.sources.retain(|s| s != LOCKFILE);
                self.invalid(ParseError::invalid(
                    &path,
                    "neither a `lock:` section (lockfile v2) nor `_meta` (lockfile v1)",
                ));
                return None;
            }
        };
        let s = &mut self.setup;
        fill(&mut s.container_path, text(lock.pointer("/resolved/container_path")));
        if let Some(slurm) = slurm {
            fill(&mut s.cluster, text(slurm.get("cluster")));
            fill(&mut s.partition, text(slurm.get("partition")));
            fill(&mut s.srtctl_commit, text(slurm.get("srtctl_commit")));
        }
        if let Some(verification) = lock.get("verification") {
            fill(&mut s.verification, text(verification.get("result")));
            let failed =
                verification.get("checks").and_then(Json::as_array).into_iter().flatten().filter(|c| {
                    c.get("status").and_then(Json::as_str).is_some_and(|st| st.eq_ignore_ascii_case("FAIL"))
                });
            for check in failed {
                self.warnings.push(RunWarning {
                    kind: RunWarningKind::SetupVerificationFailed,
                    message: format!(
                        "{}: srtctl's check of {} failed: {}",
                        path.display(),
                        text(check.get("field")).unwrap_or_else(|| "?".into()),
                        text(check.get("message")).unwrap_or_default()
                    ),
                });
            }
        }
        let fingerprints = [lock.get("fingerprints"), doc.get("fingerprints"), doc.get("fingerprint")]
            .into_iter()
            .flatten()
            .find_map(Json::as_object);
        for (key, fp) in fingerprints.into_iter().flatten() {
            if let Some(fp) = WorkerFingerprint::from_json(fp) {
                self.setup.workers.entry(key.clone()).or_insert(fp);
            }
        }
        if let Some(recipe) = recipe.filter(Json::is_object) {
            if self.setup.settings.is_empty() {
                self.setup.set_settings(&recipe);
            }
            identity(&mut self.setup, recipe.get("identity"));
        }
        lock.get("resource_snapshot").filter(|v| v.is_object()).cloned()
    }

    fn resource_snapshot(&mut self, from_lockfile: Option<Json>) {
        let doc = if self.files.is_file(RESOURCE_SNAPSHOT) { self.read(RESOURCE_SNAPSHOT) } else { None };
        let Some(doc) = doc.or(from_lockfile) else { return };
        let s = &mut self.setup;
        fill(&mut s.cpu_model, text(doc.pointer("/hardware/cpu_model")));
        fill(&mut s.arch, text(doc.pointer("/hardware/architecture")));
        fill(&mut s.cpu_check, text(doc.pointer("/cpu_check/status")));
    }
}

/// The 2.x `identity` block (of the metadata or the recipe).
fn identity(s: &mut RunSetup, identity: Option<&Json>) {
    let Some(identity) = identity else { return };
    fill(&mut s.container_image, text(identity.pointer("/container/image")));
    fill(&mut s.model_repo, text(identity.pointer("/model/repo")));
    fill(&mut s.model_revision, text(identity.pointer("/model/revision")));
    declared(s, identity.get("frameworks"));
}

fn declared(s: &mut RunSetup, frameworks: Option<&Json>) {
    for (k, v) in frameworks.and_then(Json::as_object).into_iter().flatten() {
        if let Some(v) = text(Some(v)) {
            s.declared_frameworks.entry(k.clone()).or_insert(v);
        }
    }
}

fn fill(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value;
    }
}

fn text(v: Option<&Json>) -> Option<String> {
    match v? {
        Json::String(s) if !s.is_empty() => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A YAML document as JSON (keys that are numbers or booleans become their text).
fn yaml_to_json(yaml: &serde_yaml::Value, path: &Path) -> Result<Json, ParseError> {
    serde_json::to_value(yaml)
        .map_err(|e| ParseError::invalid(path, format!("not representable as JSON: {e}")))
}
