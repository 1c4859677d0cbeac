//! Whole-file snapshot tests over the fixture worker logs in `testdata/runs`
//! (refresh with `UPDATE_EXPECT=1 cargo test -p srtlog-parsers-node`).

use expect_test::expect_file;
use srtlog_model::{BatchType, WorkerType};
use srtlog_parsers_node::{SglangParser, TrtllmParser};

use crate::common::{parse_files, render};

#[test]
fn current_srtctl_prefill() {
    let data = parse_files(&SglangParser, &["4401463/logs/eos0219_prefill_w0.out"]);
    expect_file!["snapshots/4401463_eos0219_prefill_w0.txt"].assert_eq(&render(&data));
}

#[test]
fn current_srtctl_decode_w0() {
    let data = parse_files(&SglangParser, &["4401463/logs/eos0220_decode_w0.out"]);
    expect_file!["snapshots/4401463_eos0220_decode_w0.txt"].assert_eq(&render(&data));
}

#[test]
fn current_srtctl_decode_w1() {
    let data = parse_files(&SglangParser, &["4401463/logs/eos0221_decode_w1.out"]);
    expect_file!["snapshots/4401463_eos0221_decode_w1.txt"].assert_eq(&render(&data));
}

#[test]
fn legacy_prefill_pair() {
    let data = parse_files(
        &SglangParser,
        &[
            "3667_1P_1D_20251110_192145/watchtower-navy-cn01_prefill_w0.out",
            "3667_1P_1D_20251110_192145/watchtower-navy-cn01_prefill_w0.err",
        ],
    );
    expect_file!["snapshots/3667_cn01_prefill_w0.txt"].assert_eq(&render(&data));
}

#[test]
fn legacy_decode_pair() {
    let data = parse_files(
        &SglangParser,
        &[
            "3667_1P_1D_20251110_192145/watchtower-navy-cn02_decode_w0.out",
            "3667_1P_1D_20251110_192145/watchtower-navy-cn02_decode_w0.err",
        ],
    );
    expect_file!["snapshots/3667_cn02_decode_w0.txt"].assert_eq(&render(&data));
}

#[test]
fn trtllm_prefill() {
    let data = parse_files(&TrtllmParser, &["5120/logs/node-a01_prefill_w0.out"]);
    expect_file!["snapshots/5120_node-a01_prefill_w0.txt"].assert_eq(&render(&data));
}

#[test]
fn trtllm_decode_old_form() {
    let data = parse_files(&TrtllmParser, &["5120/logs/node-a02_decode_w0.out"]);
    expect_file!["snapshots/5120_node-a02_decode_w0.txt"].assert_eq(&render(&data));
}

#[test]
fn dynamo_formatted_agg() {
    let data = parse_files(&SglangParser, &["5121/logs/gpu-7_agg_w0.out"]);
    expect_file!["snapshots/5121_gpu-7_agg_w0.txt"].assert_eq(&render(&data));
}

#[test]
fn dynamo_formatted_agg_hybrid_jsonl() {
    let data = parse_files(&SglangParser, &["5121/logs/gpu-8_agg_w1.out"]);
    expect_file!["snapshots/5121_gpu-8_agg_w1.txt"].assert_eq(&render(&data));
}

#[allow(unused_imports)]
use {BatchType as _, WorkerType as _};
