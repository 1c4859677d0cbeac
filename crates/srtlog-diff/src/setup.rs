//! What differs between the two sides' setups, and whether they can be compared at all.
//!
//! Every run's setup is flattened into named settings, each a string, under one prefix per
//! source:
//!
//! | prefix | from |
//! |---|---|
//! | `metadata.` | the run metadata: `model`, `precision`, `container`, `gpu_type`, `topology`, `gpus_used`, `backend`, `frontend`, `mode` |
//! | `benchmark.` | what the benchmark was asked: `type`, `isl`, `osl`, `req_rate`; and the benchmark client's settings from `benchmark.out` |
//! | `config.` | `config.yaml` (or `config_resolved.yaml`) flattened to dotted paths (`config.backend.sglang_config.decode.mem-fraction-static`); a list is one value, written as JSON; `name` (the job name) and `benchmark.concurrencies` (which points exist: matched point by point) are left out |
//! | `args.{role}.` | each worker role's launch arguments ([`launch_args`]), but those that name a place (host, ports, init address, node rank, config and log paths: `PLACE_ARGS`) |
//! | `env.{role}.` | each worker role's environment variables |
//! | `provenance.` | the run's setup record, when the loader has one ([`provenance`]) |
//!
//! `config.yaml` keys that repeat a metadata setting (`model.container`, `resources.gpu_type`,
//! `benchmark.isl`, ...) are left out, so that one change counts once.
//!
//! Workers of one role that disagree on a setting give it all their values, joined by ` | `.
//! A side whose runs disagree on a setting (repeats that are not one setup) is told apart:
//! the setting is listed in [`Setup::varies_within`] and the verdict says so (confounded),
//! since its spread then mixes noise with the setting's effect; a side that mixes models or GPU
//! types is not comparable (it would pool different systems as repeats of one point).
//!
//! The **verdict**: the sides are *not comparable* when they served a different model, ran a
//! different ISL/OSL or a different GPU type (the numbers would answer another question), or
//! share no benchmark point; otherwise *comparable*, with the settings that differ named — a
//! confounded comparison (several settings differ) is labelled as such, never hidden.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use srtlog_model::{BenchmarkRun, NodeInfo};

use crate::RunInput;

/// The settings that make a comparison meaningless when they differ, and why.
/// Settings that make a comparison meaningless when they vary among one side's runs, and what
/// the side then mixes.
const MIXED_BLOCKERS: &[(&str, &str)] = &[("metadata.model", "models"), ("metadata.gpu_type", "GPU types")];

/// Launch arguments that say where a worker runs, listens or writes, not how it serves: they
/// differ between any two jobs (other nodes, other ports, other log paths) and would make every
/// comparison look confounded. Compared with `_` read as `-`.
const PLACE_ARGS: &[&str] = &[
    "host",
    "port",
    "nccl-port",
    "dist-init-addr",
    "nccl-init-addr",
    "node-rank",
    "disaggregation-bootstrap-port",
    "dump-config-to",
    "extra-engine-args",
    "extra-llm-api-options",
    "kv-events-config",
];

/// Whether a launch argument names a place rather than a setting (`PLACE_ARGS`).
fn is_place_arg(name: &str) -> bool {
    let name = name.replace('_', "-");
    PLACE_ARGS.contains(&name.as_str())
}

const BLOCKERS: &[(&str, &str)] = &[
    ("metadata.model", "different model"),
    ("benchmark.isl", "different ISL/OSL"),
    ("benchmark.osl", "different ISL/OSL"),
    ("metadata.gpu_type", "different GPU type"),
];

/// Left out of the comparison: the job name names a run rather than configures it, and the
/// sweep's concurrency list only decides which points exist — those are matched point by
/// point, and a point on one side only is listed as such.
const NOT_SETTINGS: &[&str] = &["config.name", "config.benchmark.concurrencies"];

/// `config.yaml` keys that say what a `metadata.` or `benchmark.` setting says: the metadata
/// wins where both speak (it records what ran), so one change counts once.
const COVERED_BY_METADATA: &[&str] = &[
    "config.model.path",
    "config.model.container",
    "config.model.precision",
    "config.resources.gpu_type",
    "config.benchmark.type",
    "config.benchmark.isl",
    "config.benchmark.osl",
    "config.benchmark.req_rate",
];

/// One setting whose value differs between the sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingDifference {
    /// Its name (`config.backend.sglang_config.decode.mem-fraction-static`).
    pub setting: String,
    /// The baseline's value(s); `None` when no baseline run has the setting.
    pub baseline: Option<String>,
    /// The candidate's.
    pub candidate: Option<String>,
}

/// A setting whose value differs among the runs of one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithinSide {
    /// `baseline` or `candidate`.
    pub side: String,
    /// The setting.
    pub setting: String,
    /// The values its runs have (`(absent)` for runs without it).
    pub values: Vec<String>,
}

/// Whether the sides can be compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// `false` when the numbers answer another question (see the module docs).
    pub comparable: bool,
    /// Why not, when not comparable.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// The settings that differ (all of them, blockers included).
    pub differing: Vec<String>,
    /// Whether several settings differ, or the runs of a side differ among themselves, so that
    /// no change can be credited to one setting.
    pub confounded: bool,
    /// The one-line verdict: `comparable: one setting differs (X)`, `comparable: N settings
    /// differ (X, Y, …)`, `comparable: no setting differs`, `not comparable: <why>`.
    pub summary: String,
}

/// The setup comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    /// The verdict.
    pub verdict: Verdict,
    /// Every setting that differs, by name.
    pub differences: Vec<SettingDifference>,
    /// Settings that differ among one side's runs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub varies_within: Vec<WithinSide>,
    /// How many settings were compared.
    pub settings_compared: usize,
}

/// A role's launch arguments by their normalized (argparse destination) names, values as
/// their JSON text ([`srtlog_model::LaunchArgs`]): the one place that reads them, so that
/// `--tp 8` on one side and `--tensor-parallel-size 8` on the other are one setting.
pub fn launch_args(node: &NodeInfo) -> Vec<(String, String)> {
    node.node_config
        .launch_command
        .as_ref()
        .map(|c| c.args.iter().map(|(k, v)| (k.to_owned(), v.to_string())).collect())
        .unwrap_or_default()
}

/// A run's provenance settings (container image, framework versions, GPUs, driver, CUDA, ...
/// from `recipe.lock.yaml`, fingerprints and resource snapshots, [`RunSetup::fields`](srtlog_model::RunSetup::fields)):
/// the one place that reads the run's setup record. Left out: the config's settings, their
/// hash and the workers' environments (compared as `config.*` and `env.*`, so that one changed
/// setting is one difference), and where the run ran (cluster, partition) or whether srtctl's
/// identity check passed, which say nothing of what was run.
pub fn provenance(run: &BenchmarkRun) -> Vec<(String, String)> {
    let Some(setup) = &run.setup else { return Vec::new() };
    setup
        .fields()
        .into_iter()
        .filter(|(k, v)| {
            let compared_elsewhere = k.starts_with("settings.")
                || k.starts_with("workers.")
                || k == "config_hash"
                // The metadata's container is compared as `metadata.container` already.
                || (k == "container" && run.metadata.container.as_deref() == Some(v.as_str()));
            let where_not_what = matches!(k.as_str(), "cluster" | "partition" | "verification" | "cpu_check");
            !(compared_elsewhere || where_not_what)
        })
        .collect()
}

/// Flattens a JSON value into dotted paths: objects nest, everything else (lists included) is
/// one value, written compactly.
fn flatten(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
        serde_json::Value::Null => {}
        serde_json::Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

/// The settings of one run (see the module docs).
pub fn settings(input: &RunInput<'_>) -> BTreeMap<String, String> {
    let run = input.run;
    let m = &run.metadata;
    let mut out = BTreeMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            out.insert(k.to_owned(), v);
        }
    };
    put("metadata.model", m.model.path.clone());
    put("metadata.precision", m.model.precision.clone());
    put("metadata.container", m.container.clone());
    put("metadata.gpu_type", m.gpu_type.as_ref().map(|g| g.to_lowercase()));
    put("metadata.topology", Some(m.topology()));
    put("metadata.mode", Some(m.mode.as_str().to_owned()));
    put("metadata.gpus_used", m.gpus_used().map(|g| g.to_string()));
    put("metadata.backend", m.backend_type.clone());
    put("metadata.frontend", m.frontend_type.clone());
    let p = &run.profiler_metadata;
    put("benchmark.type", p.profiler_type.clone());
    put("benchmark.isl", p.isl.map(|v| v.to_string()));
    put("benchmark.osl", p.osl.map(|v| v.to_string()));
    put("benchmark.req_rate", p.req_rate.clone());
    if let Some(cmd) = &run.benchmark_launch_command {
        for (k, v) in cmd.args.iter() {
            // ISL, OSL and the concurrencies are compared from the metadata and the matched
            // points (normalized names: sa-bench's `isl`, `osl`, `concurrencies`).
            if !matches!(k, "random_input_len" | "random_output_len" | "max_concurrency") {
                put(&format!("benchmark.{k}"), Some(v.to_string()));
            }
        }
    }
    if let Some(config) = input.config {
        flatten("config", config, &mut out);
    }
    let mut per_role: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for node in &run.nodes {
        let role = node.metrics.metadata.worker_type.as_str();
        for (k, v) in launch_args(node).into_iter().filter(|(k, _)| !is_place_arg(k)) {
            per_role.entry(format!("args.{role}.{k}")).or_default().insert(v);
        }
        for (k, v) in &node.node_config.environment {
            per_role.entry(format!("env.{role}.{k}")).or_default().insert(v.clone());
        }
    }
    for (k, values) in per_role {
        out.insert(k, values.into_iter().collect::<Vec<_>>().join(" | "));
    }
    for (k, v) in provenance(run) {
        out.insert(format!("provenance.{k}"), v);
    }
    for k in NOT_SETTINGS.iter().chain(COVERED_BY_METADATA) {
        out.remove(*k);
    }
    out
}

/// One side's value of a setting: its runs' distinct values, `(absent)` for runs without it.
fn side_values(runs: &[BTreeMap<String, String>], key: &str) -> Vec<String> {
    let set: BTreeSet<String> =
        runs.iter().map(|r| r.get(key).cloned().unwrap_or_else(|| "(absent)".to_owned())).collect();
    set.into_iter().collect()
}

fn joined(values: &[String]) -> Option<String> {
    let present: Vec<&str> = values.iter().map(String::as_str).filter(|v| *v != "(absent)").collect();
    if present.is_empty() {
        None
    } else if present.len() < values.len() {
        Some(values.join(" | "))
    } else {
        Some(present.join(" | "))
    }
}

/// Compares the sides' setups; `shared_points` is how many benchmark points both sides have.
pub fn compare_setups(baseline: &[RunInput<'_>], candidate: &[RunInput<'_>], shared_points: usize) -> Setup {
    let a: Vec<_> = baseline.iter().map(settings).collect();
    let b: Vec<_> = candidate.iter().map(settings).collect();
    let keys: BTreeSet<&String> = a.iter().chain(&b).flat_map(|s| s.keys()).collect();
    let mut differences = Vec::new();
    let mut varies_within = Vec::new();
    for key in &keys {
        let (va, vb) = (side_values(&a, key), side_values(&b, key));
        for (side, v) in [("baseline", &va), ("candidate", &vb)] {
            if v.len() > 1 {
                varies_within.push(WithinSide {
                    side: side.to_owned(),
                    setting: (*key).clone(),
                    values: v.clone(),
                });
            }
        }
        if va != vb {
            differences.push(SettingDifference {
                setting: (*key).clone(),
                baseline: joined(&va),
                candidate: joined(&vb),
            });
        }
    }
    let differing: Vec<String> = differences.iter().map(|d| d.setting.clone()).collect();
    let mut reasons: Vec<String> = Vec::new();
    for (setting, why) in BLOCKERS {
        if let Some(d) = differences.iter().find(|d| d.setting == *setting) {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".to_owned());
            let reason = format!("{why} ({} vs {})", show(&d.baseline), show(&d.candidate));
            // ISL and OSL are one reason.
            if !reasons.iter().any(|r| r.starts_with(why)) {
                reasons.push(reason);
            } else if let Some(r) = reasons.iter_mut().find(|r| r.starts_with(why)) {
                r.push_str(&format!("; {setting} {} vs {}", show(&d.baseline), show(&d.candidate)));
            }
        }
    }
    // ISL/OSL may vary within a side (points are keyed by them); a side that mixes models or
    // GPU types would pool different systems as repeats of one point.
    for (setting, what) in MIXED_BLOCKERS {
        for w in varies_within.iter().filter(|w| w.setting == *setting) {
            reasons.push(format!("the {} mixes {what} ({})", w.side, w.values.join(" | ")));
        }
    }
    if shared_points == 0 {
        reasons.push("no benchmark point (ISL/OSL and concurrency or request rate) on both sides".to_owned());
    }
    let mut summary = if !reasons.is_empty() {
        format!("not comparable: {}", reasons.join("; "))
    } else {
        match differing.len() {
            0 => "comparable: no setting differs".to_owned(),
            1 => format!("comparable: one setting differs ({})", differing[0]),
            n => format!("comparable: {n} settings differ ({})", differing.join(", ")),
        }
    };
    let mixed: BTreeSet<&str> = varies_within.iter().map(|w| w.setting.as_str()).collect();
    if reasons.is_empty() && !mixed.is_empty() {
        let n = mixed.len();
        summary.push_str(&format!(
            "; the runs of a side differ in {n} setting{} ({}), so their repeats mix setups",
            if n == 1 { "" } else { "s" },
            mixed.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    Setup {
        verdict: Verdict {
            comparable: reasons.is_empty(),
            reasons,
            confounded: differing.len() > 1 || !varies_within.is_empty(),
            differing,
            summary,
        },
        differences,
        varies_within,
        settings_compared: keys.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use srtlog_model::{ModelInfo, ProfilerMetadata, RunMetadata};

    fn run(model: &str, isl: u32, container: &str) -> BenchmarkRun {
        BenchmarkRun {
            metadata: RunMetadata {
                job_id: "1".into(),
                gpu_type: Some("GB200".into()),
                container: Some(container.into()),
                model: ModelInfo { path: Some(model.into()), ..Default::default() },
                ..Default::default()
            },
            profiler_metadata: ProfilerMetadata { isl: Some(isl), osl: Some(1024), ..Default::default() },
            ..Default::default()
        }
    }

    fn input(run: &BenchmarkRun) -> RunInput<'_> {
        RunInput { run, config: None }
    }

    #[test]
    fn config_flattens_to_dotted_paths_without_the_job_name() {
        let r = run("m", 1024, "c");
        let config =
            serde_json::json!({"name": "job", "backend": {"decode": {"mem": 0.8, "tp": [1, 2]}}, "x": null});
        let s = settings(&RunInput { run: &r, config: Some(&config) });
        assert_eq!(s.get("config.backend.decode.mem").map(String::as_str), Some("0.8"));
        assert_eq!(s.get("config.backend.decode.tp").map(String::as_str), Some("[1,2]"));
        assert!(!s.contains_key("config.name") && !s.contains_key("config.x"));
        assert_eq!(s.get("metadata.gpu_type").map(String::as_str), Some("gb200"));
    }

    #[test]
    fn verdicts() {
        let (a, b) = (run("m", 1024, "c1"), run("m", 1024, "c2"));
        let one = compare_setups(&[input(&a)], &[input(&b)], 3);
        assert_eq!(one.verdict.summary, "comparable: one setting differs (metadata.container)");
        assert_eq!(one.differences[0].baseline.as_deref(), Some("c1"));
        let same = compare_setups(&[input(&a)], &[input(&a)], 3);
        assert_eq!(same.verdict.summary, "comparable: no setting differs");
        let c = run("other", 8192, "c1");
        let not = compare_setups(&[input(&a)], &[input(&c)], 0);
        assert!(!not.verdict.comparable);
        assert_eq!(
            not.verdict.summary,
            "not comparable: different model (m vs other); different ISL/OSL (1024 vs 8192); \
             no benchmark point (ISL/OSL and concurrency or request rate) on both sides"
        );
    }

    #[test]
    fn launch_arguments_that_name_a_place_are_not_settings() {
        use srtlog_model::{
            ArgValue, NodeConfig, NodeLaunchCommand, NodeMetadata, NodeMetrics, ParallelConfig, ParseStats,
            WorkerType,
        };
        let mut r = run("m", 1024, "c");
        let args = [
            ("dist-init-addr", "10.0.0.1:5757"),
            ("port", "30000"),
            ("tp_size", "8"),
            ("dump_config_to", "/x"),
        ];
        r.nodes.push(NodeInfo {
            metrics: NodeMetrics {
                metadata: NodeMetadata {
                    node_name: "n".into(),
                    worker_type: WorkerType::Decode,
                    worker_id: "w0".into(),
                },
                batches: vec![].into(),
                memory_snapshots: vec![],
                config: ParallelConfig::default(),
                stats: ParseStats::default(),
            },
            node_config: NodeConfig {
                launch_command: Some(NodeLaunchCommand {
                    args: args.iter().map(|(k, v)| (k.to_string(), ArgValue::Str(v.to_string()))).collect(),
                    ..Default::default()
                }),
                ..Default::default()
            },
        });
        let s = settings(&input(&r));
        let args: Vec<&String> = s.keys().filter(|k| k.starts_with("args.")).collect();
        assert_eq!(args, ["args.decode.tp_size"]);
    }

    #[test]
    fn repeats_that_disagree_are_told_apart() {
        let (a1, a2, b) = (run("m", 1024, "c1"), run("m", 1024, "c2"), run("m", 1024, "c1"));
        let s = compare_setups(&[input(&a1), input(&a2)], &[input(&b)], 1);
        assert_eq!(s.varies_within.len(), 1);
        assert_eq!(s.varies_within[0].values, ["c1", "c2"]);
        assert_eq!(s.differences[0].baseline.as_deref(), Some("c1 | c2"));
        assert!(s.verdict.comparable && s.verdict.confounded, "{}", s.verdict.summary);
        assert!(s.verdict.summary.ends_with(
            "; the runs of a side differ in 1 setting (metadata.container), so their repeats mix setups"
        ));
        let (m1, m2) = (run("m1", 1024, "c"), run("m2", 1024, "c"));
        let mixed = compare_setups(&[input(&m1), input(&m2)], &[input(&m1), input(&m2)], 1);
        assert_eq!(
            mixed.verdict.summary,
            "not comparable: the baseline mixes models (m1 | m2); the candidate mixes models (m1 | m2)"
        );
    }
}
