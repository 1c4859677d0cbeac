//! Integration tests of srtlog-parsers-node, in one test binary.

mod common;
mod eras;
mod files;
mod launch_args;
mod lines;
mod property;
mod real;
mod reference;
mod whole_files;
