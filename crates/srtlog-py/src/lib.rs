//! Python bindings of srtlog: `import srtlog`, then `srtlog.load(path)` gives the runs under a
//! directory as `pyarrow.Table`s — `runs`, `points`, `batches`, `memory`, `accuracy`,
//! `launch_args`, `requests` (every table of `srtlog-export`'s [`Table::ALL`], so a table
//! added to the dataset appears here unedited) and `skipped` — and `srtlog.diff(a, b)`
//! compares two loads as `srtlog diff` does.
//!
//! Nothing here is a rule of its own. The loader ([`srtlog_loader::RunLoader`]) reads the
//! runs, with its run filters and thread pool, with the GIL released; the tables are built by
//! `srtlog-export`'s [`table_batches`](srtlog_export::table_batches) — the builders that write
//! the dataset's Parquet files, plus the partition column `job_id` — and cross to `pyarrow`
//! through the Arrow C data interface (`arrow-pyarrow`): pyarrow gets pointers to the buffers
//! Rust allocated, nothing is copied or serialized; `skipped` is
//! [`skipped_batches`](srtlog_export::skipped_batches); the comparison is `srtlog-diff`'s.
//!
//! [`load`] is the binding-free part (requests, filters, tables, comparison), tested in Rust;
//! `python` (the `srtlog._native` extension module) only converts arguments and errors. The
//! Python package (`python/srtlog/`) adds the docstrings, `to_pandas()` / `to_polars()` and
//! typed stubs.
//!
//! [`Table::ALL`]: srtlog_export::Table::ALL

pub mod load;
mod python;
