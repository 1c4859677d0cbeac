//! Worker files of one run are parsed in parallel (one rayon task per file), and parallel
//! parsing gives exactly the result of sequential parsing.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use srtlog_loader::model::{
    NodeLaunchCommand, NodeParser, NodeParserRegistration, ParseOptions, WorkerLogData,
};
use srtlog_loader::{CacheMode, LoaderOptions, RunLoader};

/// A node parser that only records how many of its calls overlap in time.
struct OverlapProbe;

static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST_AT_ONCE: AtomicUsize = AtomicUsize::new(0);

impl NodeParser for OverlapProbe {
    fn name(&self) -> &'static str {
        "overlap-probe"
    }
    fn accepts_backend(&self, backend: &str) -> bool {
        backend == "overlap-probe"
    }
    fn sniff(&self, _head: &[u8]) -> bool {
        false
    }
    fn parse_reader(
        &self,
        reader: &mut dyn Read,
        _: &ParseOptions,
        out: &mut WorkerLogData,
    ) -> io::Result<()> {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        MOST_AT_ONCE.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(300));
        let mut buf = Vec::new();
        reader.read_to_end(&mut buf)?;
        out.stats.bytes += buf.len() as u64;
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }
    fn parse_launch_command(&self, _: &str) -> Option<NodeLaunchCommand> {
        None
    }
}

srtlog_loader::model::inventory::submit! { NodeParserRegistration::new(&OverlapProbe) }

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(name)
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn two_workers_of_one_run_are_parsed_at_the_same_time() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("7000");
    write(
        &run.join("7000.json"),
        r#"{"job_id": "7000", "backend_type": "overlap-probe", "resources": {"prefill_workers": 1, "decode_workers": 1},
            "benchmark": {"type": "sa-bench"}}"#,
    );
    write(
        &run.join("logs/sa-bench_isl_1_osl_1/results_concurrency_1_gpus_2.json"),
        r#"{"max_concurrency": 1, "completed": 1}"#,
    );
    write(&run.join("logs/a_prefill_w0.out"), "x\n");
    write(&run.join("logs/b_decode_w0.out"), "y\n");
    let options = LoaderOptions { cache: CacheMode::Disabled, jobs: Some(2), ..LoaderOptions::default() };
    let report = RunLoader::with_options(tmp.path(), options).unwrap().load_all();
    assert_eq!(report.runs.len(), 1, "{:?}", report.skipped);
    assert_eq!(report.runs[0].nodes.len(), 2);
    assert_eq!(MOST_AT_ONCE.load(Ordering::SeqCst), 2, "the two worker files were parsed concurrently");
}

#[test]
fn parallel_and_sequential_parsing_agree() {
    let load = |jobs| {
        let options =
            LoaderOptions { cache: CacheMode::Disabled, jobs: Some(jobs), ..LoaderOptions::default() };
        let report = RunLoader::with_options(testdata("runs"), options).unwrap().load_all();
        serde_json::to_string(&report.into_document()).unwrap()
    };
    let sequential = load(1);
    assert!(sequential.contains("\"batch_type\":\"decode\""), "the fixtures have worker batches");
    assert_eq!(load(2), sequential);
    assert_eq!(load(4), sequential);
}
