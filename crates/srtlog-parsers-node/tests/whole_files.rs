//! Whole-file snapshot tests over the fixture worker logs in `testdata/runs`
//! (refresh with `UPDATE_EXPECT=1 cargo test -p srtlog-parsers-node`).

use expect_test::expect_file;
use srtlog_model::{ArgValue, BatchType, WorkerType};
use srtlog_parsers_node::{SglangParser, TrtllmParser};

use crate::common::{parse_files, render};

#[test]
fn current_srtctl_prefill() {
    let data = parse_files(&SglangParser, &["4401463/logs/eos0219_prefill_w0.out"]);
    expect_file!["snapshots/4401463_eos0219_prefill_w0.txt"].assert_eq(&render(&data));
    assert_eq!((data.batches.len(), data.memory_snapshots.len(), data.stats.malformed_lines), (20, 24, 1));
    assert!(data.batches.iter().all(|b| b.batch_type == BatchType::Prefill && b.dp == b.tp && b.tp == b.ep));
    assert_eq!(data.batches.iter().map(|b| b.dp).max(), Some(3), "every DP rank logs its own batches");
    let b = &data.batches.get(1).unwrap();
    assert_eq!(b.timestamp.map(|t| t.to_string()).as_deref(), Some("2026-01-16T06:22:17"));
    assert_eq!(
        (b.new_seq(), b.new_token(), b.inflight_req(), b.input_throughput()),
        (Some(2), Some(16384), Some(2), Some(12131.25))
    );
    let c = &data.config;
    assert_eq!(
        (c.tp_size, c.dp_size, c.ep_size, c.enable_dp_attention),
        (Some(4), Some(4), Some(4), Some(true))
    );
    // The interleaved two-writer line is the one malformed line, reported with its number.
    assert!(data.stats.diagnostics[0].starts_with("line 68: "));
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
    assert_eq!((data.batches.len(), data.stats.malformed_lines, data.stats.lines), (24, 0, 67));
    let ranks: std::collections::BTreeSet<u32> = data.batches.iter().map(|b| b.dp).collect();
    assert_eq!(ranks.into_iter().collect::<Vec<_>>(), vec![0, 2, 3]);
    assert_eq!(data.batches.iter().filter(|b| b.cuda_graph() == Some(false)).count(), 2);
    let b = &data.batches.get(3).unwrap(); // the CRLF line
    assert_eq!((b.running_req(), b.accept_len(), b.queue_req()), (Some(7), Some(2.39), Some(0)));
    let progress: Vec<_> =
        data.memory_snapshots.iter().filter(|m| m.event == "capture_cuda_graph_progress").collect();
    assert_eq!(progress.len(), 2);
    assert_eq!(
        (progress[0].avail_mem_gb, progress[0].timestamp),
        (Some(65.06), None),
        "last fragment of the line"
    );
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
    assert_eq!((data.batches.len(), data.stats.lines), (13, 60), ".out and .err counted together");
    let cmd = data.launch_command.as_ref().expect("xtrace command");
    assert_eq!(
        (cmd.worker_type, cmd.args.get("tp_size")),
        (Some(WorkerType::Prefill), Some(&ArgValue::Int(4)))
    );
    assert_eq!(data.environment["SGLANG_DG_CACHE_DIR"], "/configs/dg-10212025");
    assert_eq!(data.environment["MC_FORCE_MNNVL"], "1");
    assert_eq!(data.environment.len(), 6);
    let b = &data.batches.get(0).unwrap();
    assert_eq!(
        (b.tp, b.unbootstrapped_req(), b.transfer_req(), b.cached_token()),
        (0, Some(0), Some(1), Some(512))
    );
    assert_eq!(data.batches.get(9).unwrap().input_throughput(), Some(11004.0));
    // dynamo-formatted server_args= and bracket-format scheduler lines in one file.
    assert_eq!((data.config.tp_size, data.config.max_running_requests), (Some(4), Some(256)));
    assert_eq!(
        data.memory_snapshots
            .iter()
            .filter(|m| m.event == "load_weight_end")
            .map(|m| m.tp)
            .collect::<Vec<_>>(),
        vec![0, 1, 2, 3]
    );
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
    assert_eq!(data.batches.len(), 14);
    assert!(data
        .batches
        .iter()
        .all(|b| b.batch_type == BatchType::Decode && b.preallocated_usage().is_some()));
    assert_eq!(data.batches.get(9).unwrap().retracted_req(), Some(1));
    assert_eq!(data.launch_command.as_ref().and_then(|c| c.worker_type), Some(WorkerType::Decode));
}

#[test]
fn trtllm_prefill() {
    let data = parse_files(&TrtllmParser, &["5120/logs/node-a01_prefill_w0.out"]);
    expect_file!["snapshots/5120_node-a01_prefill_w0.txt"].assert_eq(&render(&data));
    assert_eq!((data.batches.len(), data.stats.idle_iterations, data.memory_snapshots.len()), (14, 4, 5));
    let c = &data.config;
    assert_eq!(
        (c.tp_size, c.ep_size, c.dp_size, c.enable_dp_attention),
        (Some(4), Some(4), Some(4), Some(true))
    );
    assert_eq!(
        (c.max_running_requests, c.max_num_tokens, c.context_length),
        (Some(32), Some(16384), Some(9216)),
        "engine args, not Config(...)"
    );
    let cmd = data.launch_command.as_ref().expect("rank0 run");
    assert_eq!((cmd.backend_type.as_str(), cmd.worker_type), ("trtllm", Some(WorkerType::Prefill)));
    let first = &data.batches.get(0).unwrap();
    assert_eq!(
        (first.iteration(), first.new_token(), first.cached_kv_tokens()),
        (Some(3), Some(24576), Some(1024))
    );
    assert!(data.batches.iter().all(|b| b.batch_type == BatchType::Prefill));
    let kv = data.memory_snapshots.iter().find(|m| m.event == "kv_cache_allocated").expect("kv");
    assert_eq!((kv.kv_cache_gb, kv.kv_tokens, kv.timestamp), (Some(105.44), Some(1611776), None));
}

#[test]
fn trtllm_decode_old_form() {
    let data = parse_files(&TrtllmParser, &["5120/logs/node-a02_decode_w0.out"]);
    expect_file!["snapshots/5120_node-a02_decode_w0.txt"].assert_eq(&render(&data));
    assert_eq!((data.batches.len(), data.stats.idle_iterations, data.stats.malformed_lines), (14, 2, 1));
    assert!(data.batches.iter().all(|b| b.batch_type == BatchType::Decode && b.token_usage().is_none()));
    let b = &data.batches.get(0).unwrap();
    assert_eq!(
        (b.iteration(), b.running_req(), b.num_tokens(), b.host_step_time_ms()),
        (Some(1), Some(7), Some(7), Some(10.75))
    );
    assert_eq!(b.timestamp.map(|t| t.to_string()).as_deref(), Some("2026-01-16T06:22:09"));
    assert_eq!(data.config.max_running_requests, Some(128));
}

#[test]
fn dynamo_formatted_agg() {
    let data = parse_files(&SglangParser, &["5121/logs/gpu-7_agg_w0.out"]);
    expect_file!["snapshots/5121_gpu-7_agg_w0.txt"].assert_eq(&render(&data));
    let prefill = data.batches.iter().filter(|b| b.batch_type == BatchType::Prefill).count();
    assert_eq!((data.batches.len(), prefill), (16, 4));
    let b = &data.batches.get(0).unwrap();
    assert_eq!(b.timestamp.map(|t| t.to_string()).as_deref(), Some("2025-12-30T15:52:10.206058Z"));
    let kv = data.memory_snapshots.iter().find(|m| m.event == "kv_cache_allocated").expect("kv");
    assert_eq!((kv.kv_cache_gb, kv.kv_tokens), (Some(50.32), Some(412160)), "K + V");
    assert_eq!((data.config.tp_size, data.config.context_length), (Some(2), Some(131072)));
}

#[test]
fn dynamo_formatted_agg_hybrid_jsonl() {
    let data = parse_files(&SglangParser, &["5121/logs/gpu-8_agg_w1.out"]);
    expect_file!["snapshots/5121_gpu-8_agg_w1.txt"].assert_eq(&render(&data));
    assert_eq!(data.batches.len(), 16, "ANSI lines and JSONL lines in one file both parse");
    let b = &data.batches.get(1).unwrap(); // a JSONL line
    assert_eq!(
        (b.num_tokens(), b.swa_tokens(), b.swa_token_usage(), b.token_usage()),
        (Some(7524), Some(3594), Some(0.03), Some(0.01))
    );
    assert_eq!(b.timestamp.map(|t| t.to_string()).as_deref(), Some("2025-12-30T15:52:12.207169Z"));
    assert_eq!(data.batches.get(0).unwrap().swa_token_usage(), Some(0.01));
}
