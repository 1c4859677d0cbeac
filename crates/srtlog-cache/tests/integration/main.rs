//! Integration tests of srtlog-cache, in one test binary: round trips (examples and property
//! tests), damaged and foreign files, symbolic links, concurrency and the Python interop check.

// Test code may unwrap (the workspace allows it in #[test] functions; this covers the helpers).
#![allow(clippy::unwrap_used)]

mod common;
mod corruption;
mod interop;
mod links;
mod roundtrip;
