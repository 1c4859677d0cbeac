//! Every worker-log paste under `../shared/real/files/issue-pastes/` (real lines users posted in
//! public issues; `MANIFEST.md` there gives each source), read as the loader reads a worker
//! file: the backend told by the registered parsers' sniff of the head, the file streamed
//! through `parse_reader`, and a time-only line dated from the file's modification time (these
//! pastes have no run metadata). The counts were read off the files by hand. The directory is
//! required: without it this test fails rather than passing on nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use srtlog_model::{node_parsers, ParseOptions, UndatedDay, WorkerLogData};

const PASTES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/real/files/issue-pastes");

/// What one file gives: the parser the sniff picks (`None`: neither; then both are run and
/// must find nothing), batches, malformed lines, memory snapshots, and the first batch's
/// timestamp and `(dp, tp, ep)` when there is one.
struct Expect {
    file: &'static str,
    parser: Option<&'static str>,
    batches: usize,
    malformed: u64,
    memory: usize,
    first: Option<(&'static str, (u32, u32, u32))>,
}

const fn e(
    file: &'static str,
    parser: Option<&'static str>,
    (batches, malformed, memory): (usize, u64, usize),
    first: Option<(&'static str, (u32, u32, u32))>,
) -> Expect {
    Expect { file, parser, batches, malformed, memory, first }
}

const SGL: Option<&str> = Some("sglang");
const TRT: Option<&str> = Some("trtllm");

const EXPECTED: &[Expect] = &[
    e("dynamo/dynamo-pr-3498_2025-10_frontend-kv-router.log", None, (0, 0, 0), None),
    e(
        "sglang/antgroup-sglang-pr-4_2025-10_custom-log-format.log",
        SGL,
        (4, 0, 0),
        Some(("2025-10-29T02:27:35", (15, 15, 15))),
    ),
    e(
        "sglang/openclaw-rl-issue-44_2026-03_ray-actor-prefix.log",
        SGL,
        (7, 0, 0),
        Some(("2026-03-22T13:53:37", (0, 0, 0))),
    ),
    e(
        "sglang/sglang-issue-11648_2025-10_pd-prefill-dp.log",
        SGL,
        (5, 0, 0),
        Some(("2025-10-15T14:44:31", (5, 5, 5))),
    ),
    // The date is the file's modification day: checked below.
    e("sglang/sglang-issue-1270_2024-08_time-only-prefix.log", SGL, (10, 0, 0), None),
    // The first line's pasted file name is a wrapper like `srun:`: that line is intact.
    e(
        "sglang/sglang-issue-36081_2026-08_full-token-swa-tp-ep.log",
        SGL,
        (4, 0, 0),
        Some(("2026-08-23T09:05:37", (0, 0, 0))),
    ),
    e(
        "sglang/sglang-issue-3909_2025-02_decode.log",
        SGL,
        (9, 0, 0),
        Some(("2025-02-27T04:46:39", (0, 0, 0))),
    ),
    e(
        "sglang/sglang-issue-4407_2025-03_largest-len.log",
        SGL,
        (7, 0, 0),
        Some(("2025-03-14T02:16:14", (0, 0, 0))),
    ),
    e("sglang/sglang-issue-444_2024-05_new-fill-batch.log", SGL, (1, 0, 0), Some(("", (0, 0, 0)))),
    e("sglang/sglang-issue-938_2024-08_no-prefix.log", SGL, (1, 0, 0), Some(("", (0, 0, 0)))),
    e(
        "sglang/sglang-jax-pr-564_2025-12_cache-miss.log",
        SGL,
        (9, 0, 0),
        Some(("2025-12-17T05:10:47", (0, 0, 0))),
    ),
    e(
        "sglang/sglang-pr-13023_2025-11_no-tp-prefix.log",
        SGL,
        (8, 0, 0),
        Some(("2025-11-11T04:06:27", (0, 0, 0))),
    ),
    // 1 decode + 3 prefill; the 6 uvicorn access lines share the prefix and are not batches.
    e(
        "sglang/sglang-pr-22166_2026-04_agg-mixed-with-access-log.log",
        SGL,
        (4, 0, 0),
        Some(("2026-04-05T20:02:51", (0, 0, 0))),
    ),
    e(
        "sglang/sglang-pr-22331_2026-04_decode-tp0.log",
        SGL,
        (8, 0, 0),
        Some(("2026-04-08T14:05:21", (0, 0, 0))),
    ),
    // Every batch line clipped by the terminal: 1 decode + 5 prefill, all malformed.
    e("sglang/sglang-pr-25960_2026-05_terminal-clipped-A.log", SGL, (0, 6, 0), None),
    // 5 clipped prefill lines, one of them behind a tqdm bar.
    e("sglang/sglang-pr-25960_2026-05_terminal-clipped-B-tqdm.log", SGL, (0, 5, 0), None),
    e(
        "sglang/sglang-pr-3699_2025-02_prefill-cache-hit-rate.log",
        SGL,
        (1, 0, 0),
        Some(("2025-02-26T15:44:36", (0, 0, 0))),
    ),
    e(
        "sglang/skypilot-deepseek-r1-readme_2025-02_ray-prefix.log",
        SGL,
        (3, 0, 0),
        Some(("2025-02-14T00:42:22", (2, 2, 0))),
    ),
    // `Use 63.32 GB for model weights`, the temporary KV pool's MemUsageChange.
    e("trtllm/dgx-spark-gptoss120b-readme_2025-12_trtllm-1.1.0rc3_memory-A.log", TRT, (0, 0, 2), None),
    // Weights inside torch, peak, estimated KV, the final MemUsageChange.
    e("trtllm/dgx-spark-gptoss120b-readme_2025-12_trtllm-1.1.0rc3_memory-B.log", TRT, (0, 0, 4), None),
    // One JSON object hard-wrapped over 5 lines: damaged, one malformed line (its first).
    e("trtllm/tensorrtllm_backend-issue-217_2023-12_triton-iter-stats.log", TRT, (0, 1, 0), None),
    // The minimal statistics object has no request counts: no batch type to go by.
    e("trtllm/trtllm-issue-431_2023-11_triton-iter-counter.log", TRT, (0, 1, 0), None),
    e(
        "trtllm/trtllm-pr-3914_2025-04_iter-elapsed-time.log",
        TRT,
        (2, 0, 0),
        Some(("2025-04-28T09:56:44", (0, 0, 0))),
    ),
];

fn files_under(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under the root");
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}

/// Parses `path` as the loader does with `parser` (the day of time-only lines from its mtime).
fn parse(parser: &dyn srtlog_model::NodeParser, path: &PathBuf) -> WorkerLogData {
    let mtime = std::fs::metadata(path).and_then(|m| m.modified()).expect("mtime");
    let options = ParseOptions {
        undated_day: UndatedDay::for_file(None, Some(srtlog_model::mtime_ns(mtime))),
        ..ParseOptions::default()
    };
    let mut data = WorkerLogData::default();
    let mut file = std::fs::File::open(path).expect("open");
    parser.parse_reader(&mut file, &options, &mut data).expect("read");
    data
}

#[test]
fn every_pasted_worker_log_is_read_with_exact_counts() {
    let root = Path::new(PASTES);
    assert!(root.is_dir(), "{} is missing: the real-data tests need ../shared/real", root.display());
    let listed: BTreeSet<String> = EXPECTED.iter().map(|x| x.file.to_owned()).collect();
    assert_eq!(files_under(root), listed, "every file has a row, and every row a file");
    let parsers = node_parsers().expect("registry");
    for x in EXPECTED {
        let path = root.join(x.file);
        let head = std::fs::read(&path).expect("read");
        let sniffed = parsers.iter().find(|p| p.sniff(&head)).map(|p| p.name());
        assert_eq!(sniffed, x.parser, "{}: sniffed backend", x.file);
        let runs: Vec<_> = match x.parser {
            Some(name) => parsers.iter().filter(|p| p.name() == name).collect(),
            None => parsers.iter().collect(),
        };
        for parser in runs {
            let data = parse(*parser, &path);
            let got = (data.batches.len(), data.stats.malformed_lines, data.memory_snapshots.len());
            assert_eq!(got, (x.batches, x.malformed, x.memory), "{} with {}", x.file, parser.name());
            // Each malformed line is described, with its line number.
            let described = data.stats.diagnostics.iter().filter(|d| d.starts_with("line ")).count();
            assert_eq!(described as u64, x.malformed, "{}: {:?}", x.file, data.stats.diagnostics);
            if let Some((ts, ranks)) = x.first {
                let b = &data.batches.get(0).unwrap();
                let got_ts = b.timestamp.map(|t| t.to_string()).unwrap_or_default();
                assert_eq!((got_ts.as_str(), (b.dp, b.tp, b.ep)), (ts, ranks), "{}", x.file);
            }
        }
    }
}

#[test]
fn the_time_only_paste_is_dated_from_the_file_and_says_so() {
    let path = Path::new(PASTES).join("sglang/sglang-issue-1270_2024-08_time-only-prefix.log");
    let parser = srtlog_model::get_node_parser("sglang").expect("registered");
    let data = parse(parser, &path);
    let mtime = std::fs::metadata(&path).and_then(|m| m.modified()).expect("mtime");
    let day = UndatedDay::for_file(None, Some(srtlog_model::mtime_ns(mtime))).expect("a day");
    // Ten lines from 04:40:55 to 04:40:57, no midnight: all on the file's day.
    let times: Vec<String> = data.batches.iter().map(|b| b.timestamp.expect("dated").to_string()).collect();
    let day_text = day.describe_day();
    assert_eq!(times.first().map(String::as_str), Some(format!("{day_text}T04:40:55").as_str()));
    assert_eq!(times.last().map(String::as_str), Some(format!("{day_text}T04:40:57").as_str()));
    assert_eq!(
        data.stats.diagnostics,
        [format!(
            "10 lines print a time without a date (first: line 1): date {day_text} taken from the file's modification time"
        )]
    );
    let b = &data.batches.get(3).unwrap();
    assert_eq!(
        (b.running_req(), b.num_tokens(), b.token_usage(), b.gen_throughput(), b.queue_req(), b.tp),
        (Some(1), Some(3902), Some(0.0), Some(333.97), Some(0), 0)
    );
}

#[test]
fn the_trtllm_memory_pastes_give_their_snapshots_and_limits() {
    let parser = srtlog_model::get_node_parser("trtllm").expect("registered");
    let root = Path::new(PASTES).join("trtllm");
    let a = parse(parser, &root.join("dgx-spark-gptoss120b-readme_2025-12_trtllm-1.1.0rc3_memory-A.log"));
    let b = parse(parser, &root.join("dgx-spark-gptoss120b-readme_2025-12_trtllm-1.1.0rc3_memory-B.log"));
    type Snap = (String, Option<f64>, Option<f64>, Option<u64>, String);
    let snaps = |d: &WorkerLogData| -> Vec<Snap> {
        d.memory_snapshots
            .iter()
            .map(|m| {
                let ts = m.timestamp.map(|t| t.to_string()).unwrap_or_default();
                (m.event.clone(), m.mem_usage_gb, m.kv_cache_gb, m.kv_tokens, ts)
            })
            .collect()
    };
    let s = |event: &str, usage, kv, tokens, ts: &str| (event.to_owned(), usage, kv, tokens, ts.to_owned());
    assert_eq!(
        snaps(&a),
        [
            s("model_weights", Some(63.32), None, None, "2025-12-20T04:20:21"),
            // `[TensorRT-LLM][INFO]` lines have no timestamp.
            s("kv_cache_allocated", None, Some(0.56), Some(8224), ""),
        ]
    );
    assert_eq!(
        snaps(&b),
        [
            s("model_weights_loaded", Some(63.52), None, None, "2025-12-20T04:21:50"),
            s("peak_memory", Some(113.65), Some(5.95), None, "2025-12-20T04:21:51"),
            s("kv_cache_estimated", None, Some(5.95), None, "2025-12-20T04:21:51"),
            s("kv_cache_allocated", None, Some(5.95), Some(86720), ""),
        ]
    );
    // `max_seq_len=8224, max_num_requests=64, max_num_tokens=8192, max_batch_size=64`.
    assert_eq!(
        (a.config.context_length, a.config.max_num_tokens, a.config.max_running_requests),
        (Some(8224), Some(8192), Some(64))
    );
    assert_eq!(b.config.context_length, Some(86720));
}
