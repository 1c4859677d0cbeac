//! The Tachometer reader on files written here with arrow-rs (both writer schemas, an IPC
//! stream, inline and column labels, histogram rows, the in-progress precedence and its
//! overlaps) and on the real writer's files in `../shared/real/tachometer/`.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, Float32Array, Float64Array, Int64Array, LargeStringArray, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use srtlog_model::{ServerMetrics, ServerTimeBase};
use srtlog_parsers_telemetry::tachometer::{read_files, select, unix_seconds, ReadOptions, TachometerReader};

/// One row as the writer would write it: endpoint, metric_name, value, time_since_start,
/// timestamp_ns, then the label columns `gpu`, `hostname`, `worker_index`, `worker_role`.
type TestRow = (&'static str, &'static str, f64, f64, i64, [&'static str; 4]);

const LABEL_COLUMNS: [&str; 4] = ["gpu", "hostname", "worker_index", "worker_role"];

/// A batch of the v1 (Float32, no `timestamp_ns`, Utf8) or v2 (Float64, `timestamp_ns`,
/// LargeUtf8, `metric_name_clean` like a compacted file) schema.
fn batch(rows: &[TestRow], v2: bool) -> RecordBatch {
    let text = |f: &dyn Fn(&TestRow) -> &str| -> ArrayRef {
        if v2 {
            Arc::new(rows.iter().map(|r| Some(f(r))).collect::<LargeStringArray>())
        } else {
            Arc::new(rows.iter().map(|r| Some(f(r))).collect::<StringArray>())
        }
    };
    let str_type = if v2 { DataType::LargeUtf8 } else { DataType::Utf8 };
    let float_type = if v2 { DataType::Float64 } else { DataType::Float32 };
    let mut fields = vec![
        Field::new("scraper_endpoint", str_type.clone(), false),
        Field::new("metric_name", str_type.clone(), false),
        Field::new("metric_value", float_type.clone(), false),
        Field::new("histogram_bucket_lower", float_type.clone(), true),
        Field::new("time_since_start", DataType::Float64, false),
    ];
    let value: ArrayRef = if v2 {
        Arc::new(rows.iter().map(|r| r.2).collect::<Float64Array>())
    } else {
        Arc::new(rows.iter().map(|r| r.2 as f32).collect::<Float32Array>())
    };
    // The writer's own (unreliable) lower bound: must not be what the reader uses.
    let lower: ArrayRef = if v2 {
        Arc::new(rows.iter().map(|_| Some(99.0)).collect::<Float64Array>())
    } else {
        Arc::new(rows.iter().map(|_| Some(99.0f32)).collect::<Float32Array>())
    };
    let mut columns: Vec<ArrayRef> = vec![
        text(&|r| r.0),
        text(&|r| r.1),
        value,
        lower,
        Arc::new(rows.iter().map(|r| r.3).collect::<Float64Array>()),
    ];
    if v2 {
        fields.push(Field::new("timestamp_ns", DataType::Int64, false));
        columns.push(Arc::new(rows.iter().map(|r| r.4).collect::<Int64Array>()));
    }
    for (i, name) in LABEL_COLUMNS.iter().enumerate() {
        fields.push(Field::new(*name, str_type.clone(), false));
        columns.push(text(&move |r| r.5[i]));
    }
    if v2 {
        fields.push(Field::new("metric_name_clean", str_type, true));
        columns.push(text(&|r| r.1.split('{').next().unwrap()));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

/// A ZSTD Parquet file of `rows`, in row groups of `group` rows.
fn parquet(rows: &[TestRow], v2: bool, group: usize) -> Bytes {
    let b = batch(rows, v2);
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(group))
        .build();
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, b.schema(), Some(props)).unwrap();
    w.write(&b).unwrap();
    w.close().unwrap();
    Bytes::from(out)
}

/// An Arrow IPC stream of `rows` (the writer's `current.arrow`).
fn ipc_stream(rows: &[TestRow], v2: bool) -> Vec<u8> {
    let b = batch(rows, v2);
    let mut out = Vec::new();
    let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut out, &b.schema()).unwrap();
    w.write(&b).unwrap();
    w.finish().unwrap();
    drop(w);
    out
}

const DEC: [&str; 4] = ["", "n7", "0", "decode"];
const GPU2: [&str; 4] = ["2", "", "1", "prefill"];
const NODE: [&str; 4] = ["", "n7", "", ""];

/// Two scrapes at t = 0.5 and 1.0 s (epoch 1_800_000_000.5 / 1_800_000_001 s).
fn scrapes() -> Vec<TestRow> {
    let ts = |t: f64| 1_800_000_000_000_000_000 + (t * 1e9) as i64;
    let mut rows = Vec::new();
    for (t, running, watts) in [(0.5, 12.0, 301.5), (1.0, 14.0, 305.25)] {
        rows.push((
            "backend_decode0_rank0",
            "sglang:num_running_reqs{engine_type=\"decode\",tp_rank=\"0\"}",
            running,
            t,
            ts(t),
            DEC,
        ));
        rows.push((
            "backend_decode0_rank0",
            "sglang:ttft{le=\"0.5\",model_name=\"m\"}",
            running - 10.0,
            t,
            ts(t),
            DEC,
        ));
        rows.push((
            "backend_decode0_rank0",
            "sglang:ttft{le=\"+Inf\",model_name=\"m\"}",
            running,
            t,
            ts(t),
            DEC,
        ));
        rows.push(("backend_decode0_rank0", "sglang:ttft{le=\"0.1\",model_name=\"m\"}", 1.0, t, ts(t), DEC));
        rows.push(("dcgm_n7", "gpu_power", watts, t, ts(t), GPU2));
        rows.push((
            "node_exporter_n7",
            "filesystem_avail_bytes{fstype=xfs,mount=root}",
            5.0e9,
            t,
            ts(t),
            NODE,
        ));
        rows.push(("node_exporter_n7", "cpu_online", 1.0, t, ts(t), NODE));
        rows.push(("node_exporter_n7", "cpu_online", 1.0, t, ts(t), NODE));
    }
    rows
}

fn read_one(bytes: Bytes, options: ReadOptions) -> ServerMetrics {
    let mut r = TachometerReader::new(options, false);
    r.read_parquet("final.parquet", bytes).unwrap();
    r.finish()
}

#[test]
fn v2_float64_with_timestamps_labels_and_histograms() {
    let m = read_one(parquet(&scrapes(), true, 4), ReadOptions::default());
    assert_eq!(m.time_base, ServerTimeBase::Unix);
    assert_eq!(m.points(), 16, "every row, the repeated cpu_online rows included");
    let running = m.metric("sglang:num_running_reqs").next().unwrap();
    assert_eq!(running.worker.role.as_deref(), Some("decode"));
    assert_eq!(running.worker.index, Some(0));
    assert_eq!(running.worker.host.as_deref(), Some("n7"));
    assert_eq!(running.labels, vec![("engine_type".into(), "decode".into()), ("tp_rank".into(), "0".into())]);
    assert_eq!(running.t, vec![1_800_000_000.5, 1_800_000_001.0]);
    assert_eq!(unix_seconds(1_796_156_236_347_798_633), 1_796_156_236.0 + 0.347_798_633);
    assert_eq!(running.values, vec![12.0, 14.0]);
    let fs = m.metric("filesystem_avail_bytes").next().unwrap();
    assert_eq!(fs.labels, vec![("fstype".into(), "xfs".into()), ("mount".into(), "root".into())]);
    assert_eq!(fs.labels_text(), "fstype=\"xfs\",mount=\"root\"");
    assert_eq!(m.metric("cpu_online").next().unwrap().values, vec![1.0, 1.0, 1.0, 1.0]);
    // Histogram: rebuilt from `le`, not from the writer's lower bound (99 in every row).
    let h = m.histograms();
    assert_eq!(h.len(), 1);
    let b: Vec<(f64, f64, Vec<f64>)> =
        h[0].buckets.iter().map(|(l, u, s)| (*l, *u, s.values.clone())).collect();
    assert_eq!(
        b,
        vec![(0.0, 0.1, vec![1.0, 1.0]), (0.1, 0.5, vec![2.0, 4.0]), (0.5, f64::INFINITY, vec![12.0, 14.0])]
    );
    assert_eq!(h[0].labels, &[("model_name".to_owned(), "m".to_owned())]);
    // DCGM: host from the endpoint, GPU from the column.
    let power = m.gpu_power_samples();
    assert_eq!(power.len(), 2);
    assert_eq!(
        (power[0].host.as_str(), power[0].gpu, power[0].t_unix, power[0].watts),
        ("n7", 2, 1_800_000_000.5, 301.5)
    );
    assert_eq!(power[1].watts, 305.25);
}

#[test]
fn v1_float32_is_relative_time_and_widened_values() {
    let m = read_one(parquet(&scrapes(), false, 1000), ReadOptions::default());
    assert_eq!(m.time_base, ServerTimeBase::SinceScraperStart);
    let p = m.metric("gpu_power").next().unwrap();
    assert_eq!(p.t, vec![0.5, 1.0]);
    assert_eq!(p.values, vec![301.5, 305.25], "exact in f32");
    assert!(m.gpu_power_samples().is_empty(), "no wall time, no power samples");
}

#[test]
fn metric_subset_filters_row_groups_and_rows() {
    let mut rows = scrapes();
    // Sorted by name like a compacted file, so that row groups hold disjoint names.
    rows.sort_by(|a, b| a.1.cmp(b.1).then(a.3.total_cmp(&b.3)));
    let wanted = ReadOptions { metrics: Some(BTreeSet::from(["gpu_power".to_owned()])) };
    let m = read_one(parquet(&rows, true, 2), wanted);
    assert_eq!(m.series.len(), 1);
    assert_eq!(m.series[0].values, vec![301.5, 305.25]);
}

#[test]
fn in_progress_union_counts_overlaps_once_and_keeps_repeated_rows() {
    let all = scrapes();
    let (first, second) = all.split_at(8);
    // incomplete-1 = out-1 (first scrape), out-2 = second scrape, current.arrow = copy of out-2.
    let inc = parquet(first, true, 100);
    let out1 = parquet(first, true, 100);
    let out2 = parquet(second, true, 100);
    let cur = ipc_stream(second, true);
    let paths = [
        "logs/tachometer/incomplete-1.parquet",
        "logs/tachometer/local/out-1.parquet",
        "logs/tachometer/local/out-2.parquet",
        "logs/tachometer/local/current.arrow",
    ];
    let (m, errors) = read_files(
        paths,
        ReadOptions::default(),
        |p| {
            Ok(if p.ends_with("incomplete-1.parquet") {
                inc.clone()
            } else if p.ends_with("out-1.parquet") {
                out1.clone()
            } else {
                out2.clone()
            })
        },
        |_| Ok(std::io::Cursor::new(cur.clone())),
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(m.points(), 16, "two scrapes of 8 rows");
    assert_eq!(m.duplicate_rows, 16, "out-1 and current.arrow are copies");
    assert_eq!(m.metric("cpu_online").next().unwrap().t.len(), 4, "two identical rows per scrape stay two");
    assert_eq!(m.sources, paths.to_vec());
}

#[test]
fn final_supersedes_and_a_damaged_file_is_named() {
    let fin = parquet(&scrapes(), true, 100);
    let paths = ["t/local/final.parquet", "t/final.parquet", "t/incomplete-3.parquet"];
    assert_eq!(select(paths), vec!["t/final.parquet"]);
    let (m, errors) =
        read_files(paths, ReadOptions::default(), |_| Ok(fin.clone()), |_| Ok(std::io::empty()));
    assert!(errors.is_empty());
    assert_eq!((m.points(), m.duplicate_rows, m.sources.len()), (16, 0, 1));

    let paths = ["t/incomplete-3.parquet", "t/local/current.arrow"];
    let good = parquet(&scrapes(), false, 100);
    let (m, errors) = read_files(
        paths,
        ReadOptions::default(),
        |_| Ok(good.clone()),
        |_| Ok(std::io::Cursor::new(b"not arrow".to_vec())),
    );
    assert_eq!(m.points(), 16, "what the good file gave");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].to_string().starts_with("t/local/current.arrow: "), "{}", errors[0]);
    let mut r = TachometerReader::new(ReadOptions::default(), false);
    let e = r.read_parquet("x/final.parquet", Bytes::from_static(b"PAR1 truncated")).unwrap_err();
    assert!(e.to_string().starts_with("x/final.parquet: "), "{e}");
}

// --- The real writer's files -------------------------------------------------------------

/// Epoch ns as the reader turns them into seconds ([`unix_seconds`]).
fn ns(ns: i64) -> f64 {
    unix_seconds(ns)
}

fn real(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real/tachometer").join(rel)
}

fn read_real(dir: &str, names: &[&str], options: ReadOptions) -> ServerMetrics {
    let paths: Vec<String> = names.iter().map(|n| format!("{dir}/{n}")).collect();
    let (m, errors) = read_files(
        paths.iter().map(String::as_str),
        options,
        |p| std::fs::File::open(real(p)).map_err(|e| e.to_string()),
        |p| std::fs::File::open(real(p)).map_err(|e| e.to_string()),
    );
    assert!(errors.is_empty(), "{errors:?}");
    m
}

#[test]
fn real_v1_float32_final() {
    let m = read_real("v1-float32/final", &["final.parquet"], ReadOptions::default());
    assert_eq!(m.time_base, ServerTimeBase::SinceScraperStart);
    assert_eq!((m.points(), m.skipped_rows, m.duplicate_rows), (162_295, 0, 0));
    let s = m.summary();
    assert_eq!((s.metrics.len(), s.endpoints), (120, Some(5)));
    assert_eq!((s.t_min, s.t_max), (Some(0.000620481), Some(30.747810947)));
    let decode_running = m
        .metric("sglang:num_running_reqs")
        .find(|s| s.worker.role.as_deref() == Some("decode") && s.label("tp_rank") == Some("0"))
        .unwrap();
    assert_eq!(decode_running.worker.host.as_deref(), Some("lyris0073"));
    assert_eq!((decode_running.t[0], decode_running.values[0]), (0.006335249, 38.0));
    assert_eq!(
        (*decode_running.t.last().unwrap(), *decode_running.values.last().unwrap()),
        (30.747624761, 6.0)
    );
    assert_eq!(decode_running.t.len(), 145);
    let usage = m
        .metric("sglang:token_usage")
        .find(|s| s.worker.role.as_deref() == Some("prefill") && s.label("tp_rank") == Some("0"))
        .unwrap();
    assert_eq!(usage.values[0], f64::from(0.0185f32));
    let gpu2 = m.metric("gpu_power").find(|s| s.worker.gpu == Some(2)).unwrap();
    assert_eq!(
        (gpu2.worker.host.as_deref(), gpu2.worker.role.as_deref()),
        (Some("lyris0073"), Some("decode"))
    );
    assert_eq!((gpu2.t.len(), gpu2.values[0]), (145, 165.86599731445312));
    assert!(m.gpu_power_samples().is_empty(), "v1 has no wall time");
}

#[test]
fn real_v2_float64_final() {
    let m = read_real("v2-float64/final", &["final.parquet"], ReadOptions::default());
    assert_eq!(m.time_base, ServerTimeBase::Unix);
    assert_eq!(m.points(), 166_514);
    let s = m.summary();
    assert_eq!((s.metrics.len(), s.endpoints), (120, Some(5)));
    assert_eq!((s.t_min, s.t_max), (Some(ns(1796156236347798633)), Some(ns(1796156266559023836))));
    let decode_running = m
        .metric("sglang:num_running_reqs")
        .find(|s| s.worker.role.as_deref() == Some("decode") && s.label("tp_rank") == Some("0"))
        .unwrap();
    assert_eq!((decode_running.t[0], decode_running.values[0]), (ns(1796156236350268116), 44.0));
    assert_eq!((decode_running.t.len(), *decode_running.values.last().unwrap()), (147, 7.0));
    // The decode worker's TTFT histogram at its first scrape: 19 buckets, 16 observations.
    let h = m
        .histograms()
        .into_iter()
        .find(|h| {
            h.metric == "sglang:time_to_first_token_seconds" && h.worker.role.as_deref() == Some("decode")
        })
        .unwrap();
    assert_eq!(h.buckets.len(), 19);
    assert_eq!((h.buckets[0].0, h.buckets[0].1, h.buckets[0].2.values[0]), (0.0, 0.1, 0.0));
    assert_eq!((h.buckets[1].1, h.buckets[1].2.values[0]), (0.2, 1.0));
    assert_eq!(h.count_series().unwrap().values[0], 16.0);
    // Node exporter: unquoted inline labels, `job_id` / `run_name` columns as labels.
    let cpu = m.metric("cpu_time_p90").find(|s| s.label("mode") == Some("softirq")).unwrap();
    assert_eq!(cpu.label("job_id"), Some("2718281"));
    assert_eq!(cpu.label("run_name"), Some("dsr1-1p1d-sglang_2718281"));
    assert_eq!(cpu.values[0], 6.277000000000002);
    // GPU power: one row per GPU per scrape → 4 GPUs × 148 scrapes of usage.
    let power = m.gpu_power_samples();
    assert_eq!(power.len(), 592);
    assert_eq!(m.ambiguous_power_scrapes(), 0);
    let gpu2: Vec<_> = power.iter().filter(|p| p.gpu == 2).collect();
    assert_eq!(gpu2.len(), 148);
    assert_eq!(
        (gpu2[0].host.as_str(), gpu2[0].t_unix, gpu2[0].watts),
        ("lyris0073", ns(1796156236347798633), 165.866)
    );
    assert_eq!(gpu2[147].t_unix, ns(1796156266556663650));
}

#[test]
fn real_metric_subset() {
    let wanted = ReadOptions { metrics: Some(BTreeSet::from(["sglang:num_running_reqs".to_owned()])) };
    let m = read_real("v2-float64/final", &["final.parquet"], wanted);
    assert_eq!((m.series.len(), m.points()), (4, 588));
}

const IN_PROGRESS: [&str; 7] = [
    "incomplete-1.parquet",
    "incomplete-2.parquet",
    "out-1.parquet",
    "out-2.parquet",
    "out-3.parquet",
    "out-4.parquet",
    "current.arrow",
];

#[test]
fn real_in_progress_sets() {
    // incomplete-2 holds out-1 and out-2, out-4 holds current.arrow: the multiset union of
    // incomplete-2, out-1..4 and current.arrow (pyarrow, counted by hand the same way).
    let m = read_real("v1-float32/in-progress", &IN_PROGRESS, ReadOptions::default());
    assert_eq!(m.sources.len(), 6, "incomplete-1 is superseded by incomplete-2");
    assert_eq!((m.points(), m.duplicate_rows), (160_665, 251_255 - 160_665));
    assert_eq!(m.time_base, ServerTimeBase::SinceScraperStart);
    let s = m.summary();
    assert_eq!((s.t_min, s.t_max), (Some(0.003164981), Some(30.417330283)));

    let m = read_real("v2-float64/in-progress", &IN_PROGRESS, ReadOptions::default());
    assert_eq!((m.points(), m.duplicate_rows), (161_534, 260_096 - 161_534));
    assert_eq!(m.time_base, ServerTimeBase::Unix);
    let s = m.summary();
    assert_eq!((s.t_min, s.t_max), (Some(ns(1796156269415153778)), Some(ns(1796156298523128449))));
}

// --- The fixture run's file ---------------------------------------------------------------

/// The rows of `testdata/runs/6001/logs/tachometer/final.parquet`: a v2 compacted file of
/// three scrapes (10:05:20–22 UTC on 2026-08-01, the worker logs' times) of the run's three
/// workers (SGLang gauges), one TTFT histogram, DCGM power of two GPUs and one node-exporter
/// gauge, sorted by (metric_name, time_since_start) like the writer's compaction.
fn fixture_rows() -> Vec<TestRow> {
    const T0: i64 = 1_785_578_720; // 2026-08-01T10:05:20Z
    let mut rows: Vec<TestRow> = Vec::new();
    let workers: [(&str, [&str; 4], &str); 3] = [
        ("backend_prefill0_rank0", ["", "gb-n01", "0", "prefill"], "prefill"),
        ("backend_decode0_rank0", ["", "gb-n02", "0", "decode"], "decode"),
        ("backend_decode1_rank0", ["", "gb-n03", "1", "decode"], "decode"),
    ];
    for s in 0..3u32 {
        let tss = 0.25 + f64::from(s);
        let ts = (T0 + i64::from(s)) * 1_000_000_000 + 250_000_000;
        let f = f64::from(s);
        for (w, (endpoint, labels, engine)) in workers.iter().enumerate() {
            let w = w as f64;
            let name = |m: &str| -> &'static str {
                Box::leak(format!("sglang:{m}{{engine_type=\"{engine}\",tp_rank=\"0\"}}").into_boxed_str())
            };
            rows.push((endpoint, name("num_running_reqs"), 8.0 + w + f, tss, ts, *labels));
            rows.push((endpoint, name("num_queue_reqs"), 2.0 - f.min(2.0), tss, ts, *labels));
            rows.push((endpoint, name("token_usage"), 0.02 + 0.01 * f, tss, ts, *labels));
            rows.push((endpoint, name("gen_throughput"), 300.0 + 100.0 * w + f, tss, ts, *labels));
        }
        let dec = ["", "gb-n02", "0", "decode"];
        for (le, count) in [("0.5", 1.0 + f), ("1.0", 3.0 + f), ("+Inf", 4.0 + f)] {
            let name: &'static str = Box::leak(
                format!("sglang:time_to_first_token_seconds{{le=\"{le}\",model_name=\"dsr1\"}}")
                    .into_boxed_str(),
            );
            rows.push(("backend_decode0_rank0", name, count, tss, ts, dec));
        }
        rows.push(("dcgm_gb-n02", "gpu_power", 640.5 + 10.0 * f, tss, ts, ["0", "", "0", "decode"]));
        rows.push(("dcgm_gb-n02", "gpu_power", 655.25 + 10.0 * f, tss, ts, ["1", "", "0", "decode"]));
        rows.push((
            "node_exporter_gb-n02",
            "memory_MemAvailable_bytes",
            8.0e11 - 1.0e9 * f,
            tss,
            ts,
            ["", "gb-n02", "", ""],
        ));
    }
    rows.sort_by(|a, b| a.1.cmp(b.1).then(a.3.total_cmp(&b.3)));
    rows
}

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/runs/6001/logs/tachometer/final.parquet")
}

/// Writes the fixture run's Tachometer file. Run once after changing [`fixture_rows`]:
/// `cargo test -p srtlog-parsers-telemetry --test tachometer -- --ignored write_fixture`.
#[test]
#[ignore = "writes testdata/runs/6001/logs/tachometer/final.parquet"]
fn write_fixture() {
    let path = fixture_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, parquet(&fixture_rows(), true, 200_000)).unwrap();
}

#[test]
fn the_fixture_file_holds_what_its_generator_writes() {
    let bytes = Bytes::from(std::fs::read(fixture_path()).unwrap());
    let committed = read_one(bytes, ReadOptions::default());
    let generated = read_one(parquet(&fixture_rows(), true, 200_000), ReadOptions::default());
    assert_eq!(committed, generated);
    assert_eq!((committed.points(), committed.time_base), (3 * (12 + 3 + 2 + 1), ServerTimeBase::Unix));
}
