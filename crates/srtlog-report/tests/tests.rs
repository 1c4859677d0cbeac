//! Integration tests of srtlog-report, in one test binary: the rendered page (structure,
//! embedded data, escaping, size), the CSV export, the page's numbers against the JSON
//! document's, the baseline-vs-candidate section, and the page in headless Chromium.

// Test helpers outside `#[test]` functions may unwrap too.
#![allow(clippy::unwrap_used)]

#[path = "suite/ab.rs"]
mod ab;
#[path = "suite/browser.rs"]
mod browser;
#[path = "suite/common.rs"]
mod common;
#[path = "suite/consistency.rs"]
mod consistency;
#[path = "suite/csv_export.rs"]
mod csv_export;
#[path = "suite/render.rs"]
mod render;
