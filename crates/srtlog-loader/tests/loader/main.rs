//! The loader's integration tests, in one test binary (each binary links the cache and Parquet,
//! so one binary links once): cold, warm and touched loads on the fixtures (`end_to_end`),
//! hostile trees (`hostile`), the 2.x layout and run setups (`layout`), the parser registry as a loader-only binary sees it (`registry`)
//! skipped runs (`skipped`), request records (`requests`), Tachometer series (`server_metrics`) and undated lines (`undated`), with their
//! fixture helpers in `common`. `parallel.rs` stays a binary of its own: it registers a probe
//! parser, which every other test would see.

mod common;
mod end_to_end;
mod hostile;
mod layout;
mod power;
mod registry;
mod requests;
mod server_metrics;
mod skipped;
mod undated;
