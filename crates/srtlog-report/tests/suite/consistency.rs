//! One run, one answer: the numbers the page embeds are the JSON document's. Over every fixture
//! run in `testdata/runs` (loaded as `analyze --json --no-cache` loads them) and hand-built runs
//! whose decode workers have several DP ranks, each logged by two TP ranks, the rate match,
//! the worker summaries, GPUs used and the per-point derived metrics of the page (and of the
//! Pareto points and the CSV) equal those of `serde_json::to_value(&doc)`, exactly: the report
//! embeds them unrounded.

use std::path::PathBuf;

use serde_json::Value;
use srtlog_loader::{CacheMode, LoaderOptions, RunLoader};
use srtlog_model::AnalysisDocument;
use srtlog_report::{render_report, write_points_csv, ReportOptions};

use crate::common::{big_doc, synthetic_doc};
use crate::render::data_block;

fn fixture_runs() -> AnalysisDocument {
    fixtures("runs")
}

fn fixtures(dir: &str) -> AnalysisDocument {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(dir);
    let options = LoaderOptions { cache: CacheMode::Disabled, ..Default::default() };
    RunLoader::with_options(root, options).unwrap().load_all().into_document()
}

/// Index of the point with `concurrency` in a run's JSON columns.
fn point_index(run: &Value, concurrency: &Value) -> usize {
    let values = run["profiler"]["concurrency_values"].as_array().unwrap();
    values.iter().position(|c| c == concurrency).unwrap()
}

/// Checks the page and the CSV of `doc` against its JSON; returns how many rate matches
/// were compared.
fn assert_report_numbers_are_the_json_numbers(doc: &AnalysisDocument) -> usize {
    let json = serde_json::to_value(doc).unwrap();
    let data = data_block(&render_report(doc, &ReportOptions::default()));
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(data["runs"].as_array().unwrap().len(), runs.len());
    for (i, run) in runs.iter().enumerate() {
        let (d, page) = (&run["derived"], &data["runs"][i]);
        let job = &run["metadata"]["job_id"];
        assert_eq!(page["gpus_used"], d["gpus_used"], "run {job}: gpus_used");
        assert_eq!(page["workers"], d["workers"], "run {job}: worker summaries");
        let points = page["points"].as_array().unwrap();
        assert_eq!(points.len(), d["output_tps_per_gpu"].as_array().unwrap().len(), "run {job}");
        for (k, p) in points.iter().enumerate() {
            for key in ["output_tps_per_gpu", "output_tps_per_user"] {
                assert_eq!(p[key], d[key][k], "run {job}, point {k}: {key}");
            }
        }
    }
    for p in data["pareto"]["points"].as_array().unwrap() {
        let run = &runs[p["run"].as_u64().unwrap() as usize];
        let k = point_index(run, &p["concurrency"]);
        assert_eq!(p["x"], run["derived"]["output_tps_per_user"][k]);
        assert_eq!(p["y"], run["derived"]["output_tps_per_gpu"][k]);
    }
    // The energy Pareto: x the JSON's output_tps_per_user, y its energy[k].output_tps_per_w.
    for p in data["energy"]["pareto_points"].as_array().unwrap() {
        let run = &runs[p["run"].as_u64().unwrap() as usize];
        let k = point_index(run, &p["concurrency"]);
        assert_eq!(p["x"], run["derived"]["output_tps_per_user"][k]);
        assert_eq!(p["y"], run["derived"]["energy"][k]["output_tps_per_w"]);
    }
    let with_energy: usize = runs
        .iter()
        .map(|r| {
            let energy = r["derived"]["energy"].as_array().map_or(&[][..], Vec::as_slice);
            let user = r["derived"]["output_tps_per_user"].as_array().map_or(&[][..], Vec::as_slice);
            energy
                .iter()
                .zip(user)
                .filter(|(e, u)| e["output_tps_per_w"].is_number() && u.is_number())
                .count()
        })
        .sum();
    assert_eq!(
        data["energy"]["pareto_points"].as_array().unwrap().len(),
        with_energy,
        "every point with energy"
    );
    // The shaded windows of the power charts are the JSON's energy windows.
    for t in data["energy"]["power"].as_array().unwrap() {
        let run = &runs[t["run"].as_u64().unwrap() as usize];
        let t0 = t["t0_unix"].as_f64().unwrap();
        let energies = run["derived"]["energy"].as_array().unwrap();
        let windows: Vec<(f64, f64)> = energies
            .iter()
            .filter_map(|e| {
                Some((e["window_start_unix"].as_f64()? - t0, e["window_end_unix"].as_f64()? - t0))
            })
            .collect();
        let page: Vec<(f64, f64)> = t["windows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| (w["start_s"].as_f64().unwrap(), w["end_s"].as_f64().unwrap()))
            .collect();
        assert_eq!(page, windows, "run {}: power windows", run["metadata"]["job_id"]);
    }
    // Every run with a rate match has a timeline that carries it unchanged, and no timeline
    // shows one the JSON does not have.
    let timelines = data["timelines"].as_array().unwrap();
    let mut compared = 0;
    for (i, run) in runs.iter().enumerate() {
        let rate_match = &run["derived"]["rate_match"];
        let timeline = timelines.iter().find(|t| t["run"] == i);
        match timeline {
            Some(t) => {
                assert_eq!(&t["rate_match"], rate_match, "run {}: rate match", run["metadata"]["job_id"]);
                compared += usize::from(!rate_match.is_null());
            }
            None => {
                assert!(rate_match.is_null(), "run {}: rate match not in the page", run["metadata"]["job_id"])
            }
        }
    }
    // The CSV's derived columns, in Rust's shortest round-trip form.
    let mut csv = Vec::new();
    write_points_csv(doc, &mut csv).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut rows = reader.records().map(Result::unwrap);
    for run in runs {
        for k in 0..run["profiler"]["concurrency_values"].as_array().unwrap().len() {
            let row = rows.next().unwrap();
            for key in ["output_tps_per_gpu", "total_tps_per_gpu", "input_tps_per_gpu", "output_tps_per_user"]
            {
                let want = run["derived"][key][k].as_f64().map(|v| v.to_string()).unwrap_or_default();
                assert_eq!(&row[column(key)], want, "CSV {key}");
            }
            let energy = &run["derived"]["energy"][k];
            for (csv_key, key) in [
                ("gpu_energy_j", "gpu_energy_j"),
                ("j_per_output_token", "j_per_output_token"),
                ("j_per_total_token", "j_per_total_token"),
                ("output_tps_per_w", "output_tps_per_w"),
                ("combined_energy_j", "combined_energy_j"),
            ] {
                let want = energy[key].as_f64().map(|v| v.to_string()).unwrap_or_default();
                assert_eq!(&row[column(csv_key)], want, "CSV {csv_key}");
            }
        }
    }
    compared
}

#[test]
fn the_page_shows_the_json_numbers_for_every_fixture_run() {
    let doc = fixture_runs();
    assert_eq!(doc.runs.len(), 8, "skipped: {:?}", doc.skipped);
    // 4401463 (DP-attention ranks), 3667, 6001 and 6003 (disaggregated, with prefill and
    // decode logs) have a rate match; the aggregated runs none.
    assert_eq!(assert_report_numbers_are_the_json_numbers(&doc), 4);
}

#[test]
fn the_page_shows_the_json_energy_for_the_power_fixtures() {
    let doc = fixtures("power-runs");
    assert_eq!(doc.runs.len(), 2, "skipped: {:?}", doc.skipped);
    assert_report_numbers_are_the_json_numbers(&doc);
    let data = data_block(&render_report(&doc, &ReportOptions::default()));
    // 7001's two points and 7002's first have energy; 7002's second has none (no samples).
    assert_eq!(data["energy"]["pareto_points"].as_array().unwrap().len(), 3);
    let power = data["energy"]["power"].as_array().unwrap();
    assert_eq!(power.len(), 2);
    let roles: Vec<&str> = power
        .iter()
        .flat_map(|t| t["roles"].as_array().unwrap())
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    // 7002 first (newest job first), no manifest: one line.
    assert_eq!(roles, ["all GPUs", "decode", "prefill"]);
    // 7001 at k = 0: prefill 300 + 200 W, decode 400 + 400 W.
    let first = |t: &Value, role: usize| t["roles"][role]["watts"][0].as_f64().unwrap();
    assert_eq!((first(&power[1], 0), first(&power[1], 1)), (800.0, 500.0));
}

#[test]
fn the_page_shows_the_json_numbers_for_runs_with_repeated_tp_ranks() {
    // Decode workers with two DP ranks, each logged by TP 0 and TP 1; an aggregated run.
    assert_eq!(assert_report_numbers_are_the_json_numbers(&synthetic_doc(400)), 1);
    assert_eq!(assert_report_numbers_are_the_json_numbers(&big_doc(120_000)), 1);
}

#[test]
fn a_document_without_derived_values_is_derived_with_the_models_engine() {
    let derived = synthetic_doc(200);
    let mut bare = derived.clone();
    bare.runs.iter_mut().for_each(|r| r.derived = Default::default());
    let page = |doc: &AnalysisDocument| data_block(&render_report(doc, &ReportOptions::default()));
    let (with, without) = (page(&derived), page(&bare));
    assert_eq!(with["runs"], without["runs"]);
    assert_eq!(with["timelines"], without["timelines"]);
    assert!(with["timelines"][0]["rate_match"]["ratio"].as_f64().is_some());
}
