//! Renders a report (and optionally the points CSV) from a saved `analyze --json` document.
//!
//! ```text
//! cargo xtask analyze <runs> --json > doc.json
//! cargo run -p srtlog-report --example render -- doc.json report.html [points.csv]
//! ```

use std::error::Error;
use std::fs::File;
use std::io::{BufReader, BufWriter};

use srtlog_model::AnalysisDocument;
use srtlog_report::{write_points_csv, write_report, ReportOptions};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(html)) = (args.first(), args.get(1)) else {
        return Err("usage: render <doc.json> <report.html> [points.csv]".into());
    };
    let doc: AnalysisDocument = serde_json::from_reader(BufReader::new(File::open(input)?))?;
    let mut options = ReportOptions::default();
    let name =
        std::path::Path::new(input).file_name().map_or(input.clone(), |n| n.to_string_lossy().into_owned());
    options.title = format!("srtlog report: {name}");
    write_report(&doc, &options, BufWriter::new(File::create(html)?))?;
    if let Some(csv) = args.get(2) {
        write_points_csv(&doc, BufWriter::new(File::create(csv)?))?;
    }
    eprintln!("{} runs, {} skipped -> {html}", doc.runs.len(), doc.skipped.len());
    Ok(())
}
