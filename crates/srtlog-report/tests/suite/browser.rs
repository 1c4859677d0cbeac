//! The report in a real browser: headless Chromium opens the file offline, runs its scripts,
//! and must draw every chart without a script error. Also takes a screenshot.
//!
//! Skipped (with a notice on stderr) when `SRTLOG_SKIP_BROWSER` is set or no Chromium is
//! found, but only outside CI: when `CI` is set, a missing browser fails the test. The browser
//! is `$SRTLOG_CHROMIUM`, else the first of `chromium`, `chromium-browser`, `google-chrome`,
//! `google-chrome-stable` on `PATH`. Set `SRTLOG_REPORT_SCREENSHOT=<file.png>` to keep the
//! screenshot (and the page, as `<file>.html`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use srtlog_report::{render_report, ReportOptions, CHART_IDS, SERVER_CHART_IDS};

use crate::common::{big_doc, synthetic_doc};

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

fn notice(text: &str) {
    // Written to the process's stderr directly so it is visible even when the harness
    // captures test output.
    let _ = writeln!(std::io::stderr(), "browser test skipped: {text}");
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SRTLOG_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

fn chromium_or_skip() -> Option<PathBuf> {
    let ci = in_ci();
    if !ci && std::env::var_os("SRTLOG_SKIP_BROWSER").is_some() {
        notice("SRTLOG_SKIP_BROWSER is set");
        return None;
    }
    match find_chromium() {
        Some(p) => Some(p),
        None if ci => panic!(
            "CI is set but no Chromium was found (apt-get install -y chromium, or set SRTLOG_CHROMIUM)"
        ),
        None => {
            notice("no chromium on PATH (apt-get install -y chromium)");
            None
        }
    }
}

/// Runs headless Chromium on `page` (plus a URL fragment) with `extra` arguments; returns its stdout.
fn run_chromium(browser: &Path, page: &Path, fragment: &str, extra: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        // Any network access would fail: the report must not need it.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--virtual-time-budget=10000",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(extra)
    .arg(format!("file://{}{fragment}", page.display()))
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).map(|_| s)
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = out.join().unwrap().unwrap();
    let stderr = err.join().unwrap();
    assert!(status.success(), "chromium failed ({status}); stderr:\n{stderr}");
    stdout
}

/// The markup of the element with `id` up to the next chart container (or 20 kB).
fn element_region<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom.find(&format!(r#"id="{id}""#)).unwrap_or_else(|| panic!("no #{id} in the DOM"));
    let rest = &dom[start + id.len() + 5..];
    let end = rest.find(r#"id="chart-"#).unwrap_or(rest.len().min(20_000));
    &rest[..end]
}

#[test]
fn report_renders_in_headless_chromium_without_errors() {
    let Some(browser) = chromium_or_skip() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let mut options = ReportOptions::default();
    options.title = "srtlog report (browser test)".to_owned();
    std::fs::write(&page, render_report(&synthetic_doc(3000), &options)).unwrap();

    let dom = run_chromium(&browser, &page, "", &["--dump-dom".to_owned()]);
    assert!(
        dom.contains("<body data-report-ready=\"true\""),
        "the report script did not finish:\n{}",
        &dom[..dom.len().min(3000)]
    );
    let errors = element_region(&dom, "console-errors");
    let errors = &errors[..errors.find("</div>").unwrap_or(0)];
    assert!(errors.ends_with('>') && !errors.contains("<div"), "script errors in the page: {errors}");
    for id in CHART_IDS.iter().chain(SERVER_CHART_IDS) {
        let region = element_region(&dom, id);
        assert!(region.contains("class=\"uplot"), "#{id} has no uPlot chart");
        assert!(region.contains("<canvas"), "#{id} has no canvas");
    }
    // The server series of the first run: one line (legend entry) per backend worker.
    assert!(
        element_region(&dom, "server-note").contains("3 workers"),
        "{}",
        element_region(&dom, "server-note")
    );
    assert!(
        element_region(&dom, "chart-server-running").contains("decode 1 (eos0221) · backend_decode1_rank0")
    );
    // The hostile job name is text, not markup: only the page's own four scripts exist.
    assert_eq!(dom.matches("<script").count(), 4, "unexpected script elements");
    assert!(dom.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The timeline selectors were filled: three kinds of series for the first run.
    let series = element_region(&dom, "timeline-series");
    for group in ["All workers of a role", "Workers", "DP ranks", "Compare workers", "Each decode worker"] {
        assert!(series.contains(group), "no {group} group");
    }
    assert!(dom.contains("3 of 3 runs shown"));
    // The worker table of the first run: one row per worker, from derived.workers.
    let workers = element_region(&dom, "worker-summary");
    assert!(workers.contains(r#"<table id="worker-table">"#), "no worker table: {workers}");
    assert_eq!(workers.matches("<tr>").count(), 1 + 3, "header and three workers: {workers}");
    assert!(workers.contains("eos0220") && workers.contains("Prefix-cache hit rate"));
    // Every run is in the chart legends.
    for label in ["4401463 1P/2D gb200", "5120 4A h100", "4999 2P/4D gb200"] {
        assert!(element_region(&dom, "legend-pareto").contains(label), "{label} not in the Pareto legend");
    }

    // Filters preset in the URL fragment hide runs in the table and the charts.
    let dom = run_chromium(&browser, &page, "#filter-gpu=h100", &["--dump-dom".to_owned()]);
    assert!(dom.contains("1 of 3 runs shown"), "the GPU filter did not apply");
    assert!(
        dom.contains(r#"<tr data-run="0" hidden="">"#)
            && !dom.contains(r#"<tr data-run="1" class="incomplete" hidden"#)
    );
    let legend = element_region(&dom, "legend-pareto");
    assert!(legend.contains("5120 4A h100") && !legend.contains("4401463"), "{legend}");
    let errors = element_region(&dom, "console-errors");
    assert!(
        errors[..errors.find("</div>").unwrap_or(0)].ends_with('>'),
        "script errors with a filter: {errors}"
    );

    let shot = dir.path().join("report.png");
    run_chromium(
        &browser,
        &page,
        "",
        &[format!("--screenshot={}", shot.display()), "--window-size=1400,2400".to_owned()],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 50_000, "screenshot is suspiciously small ({} bytes)", png.len());
    if let Some(keep) = std::env::var_os("SRTLOG_REPORT_SCREENSHOT") {
        std::fs::copy(&shot, &keep).unwrap();
        std::fs::copy(&page, Path::new(&keep).with_extension("html")).unwrap();
    }
}

/// The million-batch report in the browser (slow: run with `--ignored`).
#[test]
#[ignore = "builds a million batches and starts a browser; run with --ignored"]
fn a_million_batch_report_renders_in_headless_chromium() {
    let Some(browser) = chromium_or_skip() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("big.html");
    std::fs::write(&page, render_report(&big_doc(1_000_000), &ReportOptions::default())).unwrap();
    let started = Instant::now();
    let dom = run_chromium(&browser, &page, "", &["--dump-dom".to_owned()]);
    let _ = writeln!(std::io::stderr(), "1M-batch report: load and draw in {:?}", started.elapsed());
    assert!(dom.contains("<body data-report-ready=\"true\""));
    let errors = element_region(&dom, "console-errors");
    assert!(errors[..errors.find("</div>").unwrap_or(0)].ends_with('>'), "script errors: {errors}");
    for id in CHART_IDS {
        assert!(element_region(&dom, id).contains("<canvas"), "#{id} has no canvas");
    }
}
