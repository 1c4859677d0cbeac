//! Table tests: one fixture line per format variant and its expected values.

use srtlog_model::{
    ArgValue, BatchMetrics, BatchType, MemoryMetricType, MemoryMetrics, NodeParser, ParallelConfig,
    WorkerType,
};
use srtlog_parsers_node::{parse_sglang_line, parse_trtllm_line, LineEvent, SglangParser, TrtllmParser};

#[track_caller]
fn batch(event: LineEvent) -> BatchMetrics {
    match event {
        LineEvent::Batch(b) => b,
        other => panic!("expected a batch, got {other:?}"),
    }
}

#[track_caller]
fn memory(event: LineEvent) -> MemoryMetrics {
    match event {
        LineEvent::Memory { snapshot, .. } => snapshot,
        other => panic!("expected a memory snapshot, got {other:?}"),
    }
}

#[track_caller]
fn config(event: LineEvent) -> ParallelConfig {
    match event {
        LineEvent::Config(c) | LineEvent::Limits(c) => c,
        other => panic!("expected a config, got {other:?}"),
    }
}

fn ts(b: &BatchMetrics) -> String {
    b.timestamp.map(|t| t.to_string()).unwrap_or_default()
}

const DECODE_TAIL: &str = "Decode batch, #running-req: 3, #token: 2048, token usage: 0.01, cuda graph: True, gen throughput (token/s): 10.50, #queue-req: 0, ";

#[test]
fn sglang_prefix_forms() {
    // (line, timestamp, dp, tp, ep)
    let rows: &[(String, &str, u32, u32, u32)] = &[
        (format!("[2025-11-04 05:31:43 DP0 TP0 EP0] {DECODE_TAIL}"), "2025-11-04T05:31:43", 0, 0, 0),
        (format!("[2025-11-04 07:05:55 TP3] {DECODE_TAIL}"), "2025-11-04T07:05:55", 0, 3, 0),
        (format!("[2025-12-08 14:34:44 PP0 TP1] {DECODE_TAIL}"), "2025-12-08T14:34:44", 0, 1, 0),
        (format!("[2025-02-14 00:42:22 DP2 TP2] {DECODE_TAIL}"), "2025-02-14T00:42:22", 2, 2, 0),
        (format!("[2026-01-16 06:20:17 DP5 ATTN_CP0 MOE_DP1 TP5 EP5] {DECODE_TAIL}"), "2026-01-16T06:20:17", 5, 5, 5),
        (format!("[2025-08-08 03:34:38] {DECODE_TAIL}"), "2025-08-08T03:34:38", 0, 0, 0),
        (format!("[2025-08-08 03:34:38.123456 TP7] {DECODE_TAIL}"), "2025-08-08T03:34:38.123456", 0, 7, 0),
        (format!("srun: task 3: [2025-11-04 05:31:43 DP31 TP31 EP31] {DECODE_TAIL}"), "2025-11-04T05:31:43", 31, 31, 31),
        (format!("\x1b[36m[worker-3]\x1b[0m [2025-11-04 05:31:43 TP1] {DECODE_TAIL}"), "2025-11-04T05:31:43", 0, 1, 0),
        (
            format!("\x1b[2m2025-12-30T15:52:38.206058Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mscheduler.log_decode_stats\x1b[0m\x1b[2m:\x1b[0m {DECODE_TAIL}"),
            "2025-12-30T15:52:38.206058Z",
            0,
            0,
            0,
        ),
        (
            format!(r#"{{"time":"2025-12-30T15:52:38.206058+01:00","level":"INFO","target":"log","message":"{DECODE_TAIL}","log.line":12}}"#),
            "2025-12-30T15:52:38.206058+01:00",
            0,
            0,
            0,
        ),
        (format!("{DECODE_TAIL}\r"), "", 0, 0, 0),
    ];
    for (line, want_ts, dp, tp, ep) in rows {
        let b = batch(parse_sglang_line(line.as_bytes()));
        assert_eq!((ts(&b).as_str(), b.dp, b.tp, b.ep), (*want_ts, *dp, *tp, *ep), "{line}");
        assert_eq!(
            (b.running_req(), b.num_tokens(), b.cuda_graph()),
            (Some(3), Some(2048), Some(true)),
            "{line}"
        );
    }
}

#[test]
fn sglang_batch_eras() {
    let p = "[2025-05-27 10:00:00 TP0] ";
    // Early 2025 prefill.
    let b = batch(parse_sglang_line(format!("{p}Prefill batch. #new-seq: 1, #new-token: 512, #cached-token: 64, token usage: 0.02, #running-req: 3, #queue-req: 4").as_bytes()));
    assert_eq!(b.batch_type, BatchType::Prefill);
    assert_eq!(
        (b.new_seq(), b.new_token(), b.cached_token(), b.token_usage(), b.running_req(), b.queue_req()),
        (Some(1), Some(512), Some(64), Some(0.02), Some(3), Some(4))
    );
    // Early 2025 decode with speculative accept len.
    let b = batch(parse_sglang_line(format!("{p}Decode batch. #running-req: 1, #token: 210, token usage: 0.00, accept len: 3.12, gen throughput (token/s): 11.45, #queue-req: 0").as_bytes()));
    assert_eq!(
        (b.batch_type, b.num_tokens(), b.accept_len(), b.gen_throughput()),
        (BatchType::Decode, Some(210), Some(3.12), Some(11.45))
    );
    // Mid 2025 PD prefill (trailing space), and the build with input throughput.
    let b = batch(parse_sglang_line(format!("{p}Prefill batch. #new-seq: 2, #new-token: 16384, #cached-token: 0, token usage: 0.03, #running-req: 0, #unbootstrapped-req: 1, #queue-req: 2, #transferring-req: 3 ").as_bytes()));
    assert_eq!(
        (b.unbootstrapped_req(), b.queue_req(), b.transfer_req(), b.input_throughput()),
        (Some(1), Some(2), Some(3), None)
    );
    let b = batch(parse_sglang_line(format!("{p}Prefill batch. #new-seq: 2, #new-token: 16384, #cached-token: 0, token usage: 0.03, #unbootstrapped-req: 1, #queue-req: 2, #transferring-req: 3, input throughput (token/s): 9876.54, ").as_bytes()));
    assert_eq!((b.transfer_req(), b.input_throughput(), b.running_req()), (Some(3), Some(9876.54), None));
    // Mid 2025 PD decode.
    let b = batch(parse_sglang_line(format!("{p}Decode batch. #running-req: 9, #token: 9000, token usage: 0.12, pre-allocated usage: 0.05, #retracted-req: 2, cuda graph: True, gen throughput (token/s): 700.10, #queue-req: 1, ").as_bytes()));
    assert_eq!(
        (b.preallocated_usage(), b.retracted_req(), b.cuda_graph(), b.queue_req()),
        (Some(0.05), Some(2), Some(true), Some(1))
    );
    // Late 2025 PD prefill.
    let b = batch(parse_sglang_line(format!("{p}Prefill batch, #new-seq: 4, #new-token: 32768, #cached-token: 128, token usage: 0.25, #running-req: 1, #queue-req: 5, #prealloc-req: 6, #inflight-req: 7, input throughput (token/s): 45000.25, ").as_bytes()));
    assert_eq!(
        (b.prealloc_req(), b.inflight_req(), b.input_throughput()),
        (Some(6), Some(7), Some(45000.25))
    );
    // Late 2025 non-PD prefill.
    let b = batch(parse_sglang_line(format!("{p}Prefill batch, #new-seq: 4, #new-token: 32768, #cached-token: 128, token usage: 0.25, #running-req: 1, #queue-req: 5, ").as_bytes()));
    assert_eq!((b.new_seq(), b.prealloc_req(), b.inflight_req()), (Some(4), None, None));
    // Late 2025 PD decode with accept len/rate.
    let b = batch(parse_sglang_line(format!("{p}Decode batch, #running-req: 64, #token: 90000, token usage: 0.45, accept len: 2.71, accept rate: 0.68, pre-allocated usage: 0.10, #prealloc-req: 3, #transfer-req: 2, #retracted-req: 0, cuda graph: False, gen throughput (token/s): 3200.00, #queue-req: 0, ").as_bytes()));
    assert_eq!(
        (
            b.accept_len(),
            b.accept_rate(),
            b.preallocated_usage(),
            b.prealloc_req(),
            b.transfer_req(),
            b.retracted_req(),
            b.cuda_graph()
        ),
        (Some(2.71), Some(0.68), Some(0.10), Some(3), Some(2), Some(0), Some(false))
    );
    // Late 2025 non-PD decode on CPU.
    let b = batch(parse_sglang_line(format!("{p}Decode batch, #running-req: 2, #token: 300, token usage: 0.01, cpu graph: False, gen throughput (token/s): 5.00, #queue-req: 0, ").as_bytes()));
    assert_eq!((b.cuda_graph(), b.gen_throughput()), (Some(false), Some(5.0)));
    // Hybrid SWA pools: `full token usage` fills token_usage, never `swa token usage`.
    let b = batch(parse_sglang_line(format!("{p}Prefill batch, #new-seq: 1, #new-token: 2048, #cached-token: 0, full token usage: 0.11, swa token usage: 0.22, #running-req: 0, #queue-req: 0, ").as_bytes()));
    assert_eq!((b.token_usage(), b.swa_token_usage()), (Some(0.11), Some(0.22)));
    let b = batch(parse_sglang_line(format!("{p}Decode batch, #running-req: 4, #full token: 7424, full token usage: 0.01, #swa token: 3584, swa token usage: 0.33, cuda graph: True, gen throughput (token/s): 215.02, #queue-req: 0, ").as_bytes()));
    assert_eq!(
        (b.num_tokens(), b.token_usage(), b.swa_tokens(), b.swa_token_usage()),
        (Some(7424), Some(0.01), Some(3584), Some(0.33))
    );
    // Mamba pools: unknown fields ignored.
    let b = batch(parse_sglang_line(format!("{p}Decode batch, #running-req: 4, #full token: 100, full token usage: 0.02, mamba num: 3, mamba usage: 0.50, cuda graph: True, gen throughput (token/s): 1.00, #queue-req: 0, ").as_bytes()));
    assert_eq!((b.num_tokens(), b.token_usage(), b.swa_token_usage()), (Some(100), Some(0.02), None));
    // Forward count after the keyword.
    let b = batch(parse_sglang_line(format!("{p}Decode batch [1234], #running-req: 5, #token: 50, token usage: 0.00, cuda graph: True, gen throughput (token/s): 1.00, #queue-req: 0, ").as_bytes()));
    assert_eq!(b.running_req(), Some(5));
    let b = batch(parse_sglang_line(format!("{p}Prefill batch [77], #new-seq: 1, #new-token: 10, #cached-token: 0, token usage: 0.00, #running-req: 0, #queue-req: 0, ").as_bytes()));
    assert_eq!(b.new_token(), Some(10));
    // Research fork: page usage, dequeue time (ignored), known fields still read.
    let b = batch(parse_sglang_line(
        format!("{p}Decode batch. #running-req: 3, #used page num: 10, page usage: 0.10, itl: 12.0")
            .as_bytes(),
    ));
    assert_eq!((b.running_req(), b.token_usage()), (Some(3), None));
}

#[test]
fn sglang_malformed_and_ignored_lines() {
    let malformed = [
        "[2026-01-16 06:24:40 DP2 TP2 EP2] Prefill batch, #new-seq: 2, #new-token: 1638[2026-01-16 06:24:40 DP3 TP3 EP3] Prefill batch, #new-seq: 1",
        "[2026-01-16 06:24:40 TP0] Decode batch, #running-req: many, #token: 1",
        "[2026-01-16 06:24:40 TP0] Decode batch: nothing",
        "[2026-01-16 06:24:40 TP0] Decode batch, ",
        // A log cut off mid-line (crash, or still being written).
        "[2026-01-16 06:24:40 TP0] Decode batch, #running-req: 4, #tok",
        "[2026-01-16 06:24:40 TP0] Decode batch, #running-req: 4, #token: 300, token usage:",
        "[2026-01-16 06:24:40 TP0] KV Cache is allocated. #tokens: lots",
        "[2026-01-16 06:24:40 TP0] Load weight end. type=X, avail mem=?? GB",
        // Counts are `u32`: a larger one is refused rather than cut to 32 bits.
        "[2026-01-16 06:24:40 TP0] Decode batch, #running-req: 4294967296, #token: 1",
        "[2026-01-16 06:24:40 TP0] Prefill batch, #new-seq: 1, #new-token: 99999999999999999999, #cached-token: 0",
    ];
    for line in malformed {
        assert!(matches!(parse_sglang_line(line.as_bytes()), LineEvent::Malformed(_)), "{line}");
    }
    // The largest count that fits takes the slow path (10 digits) and is kept exactly.
    let max = "[2026-01-16 06:24:40 TP0] Decode batch, #running-req: 4294967295, #token: 123456789";
    let b = batch(parse_sglang_line(max.as_bytes()));
    assert_eq!((b.running_req(), b.num_tokens()), (Some(u32::MAX), Some(123_456_789)));
    let ignored = [
        // A marker split by an escape code (the streaming parser never sees this line).
        "[2026-01-16 06:24:40 TP0] Decode bat\x1b[0mch, #running-req: 4, #token: 300",
        "[2026-01-16 06:20:11] INFO:     127.0.0.1:40256 - \"GET /health HTTP/1.1\" 200 OK",
        "[2026-01-16 06:22:40] WARNING scheduler.py:812: Prefill batch is taking longer than expected",
        "Traceback (most recent call last): Decode batch, #running-req: 1",
        "[2026-01-16 06:21:10 TP0] Capture cuda graph begin. This can take up to several minutes.",
        "",
        "\u{fffd}\u{fffd} garbage",
    ];
    for line in ignored {
        assert_eq!(parse_sglang_line(line.as_bytes()), LineEvent::Ignored, "{line}");
    }
    assert_eq!(parse_sglang_line(b"\xff\xfe[2026-01-16 06:20:11] \xc3("), LineEvent::Ignored);
}

#[test]
fn sglang_memory_lines() {
    let p = "[2025-08-08 03:34:38 TP1] ";
    // (message, event, type, avail, usage, kv_gb, kv_tokens)
    type Row =
        (&'static str, &'static str, MemoryMetricType, Option<f64>, Option<f64>, Option<f64>, Option<u64>);
    let rows: &[Row] = &[
        ("Init torch distributed ends. mem usage=0.52 GB", "init_torch_distributed_end", MemoryMetricType::Memory, None, Some(0.52), None, None),
        ("Load weight begin. avail mem=177.81 GB", "load_weight_begin", MemoryMetricType::Memory, Some(177.81), None, None, None),
        ("Load weight end. type=DeepseekV3ForCausalLM, dtype=torch.bfloat16, avail mem=63.23 GB", "load_weight_end", MemoryMetricType::Memory, Some(63.23), None, None, None),
        ("Load weight end. type=DeepseekV3ForCausalLM, dtype=torch.bfloat16, avail mem=63.23 GB, mem usage=14.34 GB.", "load_weight_end", MemoryMetricType::Memory, Some(63.23), Some(14.34), None, None),
        ("Load weight end. elapsed=20.56 s, type=Qwen3ForCausalLM, dtype=torch.bfloat16, avail mem=63.21 GB, mem usage=15.31 GB.", "load_weight_end", MemoryMetricType::Memory, Some(63.21), Some(15.31), None, None),
        ("Load weight end. elapsed=20.56 s, type=Qwen3ForCausalLM, quant=fp8, avail mem=63.21 GB, mem usage=15.31 GB.", "load_weight_end", MemoryMetricType::Memory, Some(63.21), Some(15.31), None, None),
        ("KV Cache is allocated. #tokens: 412160, K size: 25.16 GB, V size: 25.16 GB", "kv_cache_allocated", MemoryMetricType::KvCache, None, None, Some(50.32), Some(412160)),
        ("KV Cache is allocated. #tokens: 1048576, KV size: 68.62 GB", "kv_cache_allocated", MemoryMetricType::KvCache, None, None, Some(68.62), Some(1048576)),
        ("Memory pool end. avail mem=66.40 GB", "memory_pool_end", MemoryMetricType::Memory, Some(66.40), None, None, None),
        ("Capture cuda graph begin. This can take up to several minutes. avail mem=66.10 GB", "capture_cuda_graph_begin", MemoryMetricType::Memory, Some(66.10), None, None, None),
        ("Capture cuda graph end. Time elapsed: 4.80 s. mem usage=1.10 GB. avail mem=64.90 GB.", "capture_cuda_graph_end", MemoryMetricType::Memory, Some(64.90), Some(1.10), None, None),
        ("Capture cuda graph end. Time elapsed: 4.80 s. avail mem=64.90 GB", "capture_cuda_graph_end", MemoryMetricType::Memory, Some(64.90), None, None, None),
        ("max_total_num_tokens=1048576, chunked_prefill_size=16384, max_prefill_tokens=16384, max_running_requests=512, context_len=163840, available_gpu_mem=65.90 GB", "scheduler_summary", MemoryMetricType::Memory, Some(65.90), None, None, Some(1048576)),
    ];
    for (msg, event, kind, avail, usage, kv, tokens) in rows {
        let line = format!("{p}{msg}");
        let m = memory(parse_sglang_line(line.as_bytes()));
        assert_eq!((m.event.as_str(), m.metric_type, m.tp), (*event, *kind, 1), "{line}");
        assert_eq!((m.avail_mem_gb, m.mem_usage_gb, m.kv_tokens), (*avail, *usage, *tokens), "{line}");
        assert_eq!(m.kv_cache_gb.map(|v| (v * 100.0).round() / 100.0), *kv, "{line}");
        assert_eq!(m.timestamp.map(|t| t.to_string()).as_deref(), Some("2025-08-08T03:34:38"));
    }
    // The scheduler summary also states limits.
    let event = parse_sglang_line(format!("{p}{}", rows[12].0).as_bytes());
    let LineEvent::Memory { limits: Some(l), .. } = event else { panic!("no limits") };
    assert_eq!(
        (l.max_running_requests, l.context_length, l.max_num_tokens),
        (Some(512), Some(163840), Some(16384))
    );
    // Progress bar: no timestamp, several fragments per physical line, the last one counts.
    let bar = "\rCapturing batches (bs=128 avail_mem=57.52 GB):   5%|▌         | 1/20 [00:00<00:03,  5.24it/s]\rCapturing batches (bs=120 avail_mem=57.31 GB):  10%|█         | 2/20 [00:00<00:03,  5.30it/s]";
    let m = memory(parse_sglang_line(bar.as_bytes()));
    assert_eq!(
        (m.event.as_str(), m.avail_mem_gb, m.timestamp),
        ("capture_cuda_graph_progress", Some(57.31), None)
    );
}

#[test]
fn sglang_server_args_matches_whole_keys() {
    let line = "[2026-01-16 06:20:11] server_args=ServerArgs(model_path='/model', moe_dense_tp_size=1, moe_dp_size=2, attn_cp_size=1, disaggregation_decode_tp=None, disaggregation_decode_dp=8, json_model_override_args='{\"tp_size=\": 99}', tp_size=8, pp_size=1, dp_size=8, load_balance_method='round_robin', ep_size=8, enable_dp_attention=True, max_running_requests=None, context_length=32768)";
    let c = config(parse_sglang_line(line.as_bytes()));
    assert_eq!((c.tp_size, c.dp_size, c.ep_size, c.pp_size), (Some(8), Some(8), Some(8), Some(1)));
    assert_eq!(
        (c.enable_dp_attention, c.max_running_requests, c.context_length),
        (Some(true), None, Some(32768))
    );
}

#[test]
fn sglang_launch_commands() {
    let kv = r#"'{"publisher":"zmq","topic":"kv-events","endpoint":"tcp://*:5550"}'"#;
    let rows: &[(String, Option<WorkerType>)] = &[
        (format!("[CMD] python3 -m sglang.launch_server --model-path /model --tp-size 4 --disaggregation-mode prefill --kv-events-config {kv} --enable-dp-attention"), Some(WorkerType::Prefill)),
        ("python -m sglang.launch_server --model /model --tp 2 --dp 2 --served-model-name m".to_owned(), None),
        (format!("python3 -m dynamo.sglang --model-path /model --tensor-parallel-size 4 --disaggregation-mode decode --kv-events-config {kv}"), Some(WorkerType::Decode)),
        ("+ python3 -m dynamo.sglang --served-model-name m --model-path /model/ --tp-size 4 --disaggregation-mode prefill --trust-remote-code".to_owned(), Some(WorkerType::Prefill)),
    ];
    for (line, worker_type) in rows {
        let LineEvent::LaunchCommand(c) = parse_sglang_line(line.as_bytes()) else { panic!("{line}") };
        assert_eq!(c.backend_type, "sglang");
        assert_eq!(c.worker_type, *worker_type, "{line}");
        // `--model` and `--model-path` are one setting, `model_path`.
        assert!(
            c.args.get("model_path").and_then(ArgValue::as_str).is_some_and(|m| m.starts_with("/model")),
            "{line}"
        );
        assert!(!c.args.contains("model"), "{line}");
        if line.contains("kv-events") {
            assert_eq!(
                c.args.get("kv_events_config").and_then(ArgValue::as_str),
                Some(r#"{"publisher":"zmq","topic":"kv-events","endpoint":"tcp://*:5550"}"#)
            );
        }
        if line.contains("--enable-dp-attention") {
            assert_eq!(c.args.get("enable_dp_attention"), Some(&ArgValue::Bool(true)));
        }
        assert_eq!(
            c.args.get("tp_size").and_then(ArgValue::as_i64),
            Some(if line.contains("--tp 2") { 2 } else { 4 })
        );
    }
    let c = SglangParser
        .parse_launch_command("python -m sglang.launch_server --model /m --tp 2 --dp 2")
        .expect("command");
    assert_eq!(
        (c.args.get("tp_size"), c.args.get("dp_size")),
        (Some(&ArgValue::Int(2)), Some(&ArgValue::Int(2)))
    );
    assert_eq!(
        parse_sglang_line(b"+ SGLANG_DG_CACHE_DIR=/configs/dg"),
        LineEvent::Environment { name: "SGLANG_DG_CACHE_DIR".into(), value: "/configs/dg".into() }
    );
}

const NEW_ITER: &str = "[01/16/2026-06:22:01] [TRT-LLM] [RANK 0] [I] iter = 42, global_rank = 4, rank = 2, num_scheduled_requests = 3, kv_cache_util = 0.125, currank_total_requests = 3/5, host_step_time = 12.345678901234567ms, prev_device_step_time = 40.5ms, timestamp = 2026-01-16 06:22:02, states = {'num_ctx_requests': 1, 'num_ctx_tokens': 1024, 'num_generation_tokens': 2, 'cached_kv_tokens': 512}";

#[test]
fn trtllm_iteration_forms() {
    let b = batch(parse_trtllm_line(NEW_ITER.as_bytes()));
    assert_eq!(b.batch_type, BatchType::Prefill);
    assert_eq!(
        (b.iteration(), b.tp, b.dp, b.running_req(), b.token_usage()),
        (Some(42), 2, 0, Some(3), Some(0.125))
    );
    assert_eq!(
        (b.new_seq(), b.new_token(), b.num_tokens(), b.cached_kv_tokens()),
        (Some(1), Some(1024), Some(2), Some(512))
    );
    assert_eq!((b.host_step_time_ms(), b.prev_device_step_time_ms()), (Some(12.345678901234567), Some(40.5)));
    assert_eq!(ts(&b), "2026-01-16T06:22:02", "the line's own timestamp wins over the prefix");
    // N/A values.
    let na = NEW_ITER
        .replace("kv_cache_util = 0.125", "kv_cache_util = N/A")
        .replace("prev_device_step_time = 40.5ms", "prev_device_step_time = N/A");
    let b = batch(parse_trtllm_line(na.as_bytes()));
    assert_eq!((b.token_usage(), b.prev_device_step_time_ms()), (None, None));
    // Old form: `num_scheduled_requests:` after the timestamp; decode-only.
    let old = "[01/16/2026-06:22:09] [TRT-LLM] [RANK 0] [I] iter = 7, global_rank = 0, rank = 0, currank_total_requests = 7/7, host_step_time = 10.75ms, prev_device_step_time = 9.113ms, timestamp = 2026-01-16 06:22:09, num_scheduled_requests: 7, states = {'num_ctx_requests': 0, 'num_ctx_tokens': 0, 'num_generation_tokens': 7}";
    let b = batch(parse_trtllm_line(old.as_bytes()));
    assert_eq!(
        (b.batch_type, b.running_req(), b.num_tokens(), b.new_token(), b.token_usage()),
        (BatchType::Decode, Some(7), Some(7), Some(0), None)
    );
    // Oldest form: elapsed_time in seconds, no scheduled count; no `timestamp =` uses the prefix.
    let oldest = "[01/16/2026-06:22:10] [TRT-LLM] [I] iter = 8, global_rank = 0, rank = 0, currank_total_requests = 1/1, elapsed_time = 0.0125s, states = {'num_ctx_requests': 0, 'num_ctx_tokens': 0, 'num_generation_tokens': 1}";
    let b = batch(parse_trtllm_line(oldest.as_bytes()));
    assert_eq!((b.host_step_time_ms(), b.running_req()), (Some(12.5), None));
    assert_eq!(ts(&b), "2026-01-16T06:22:10");
    // A marker split by an escape code is not a marker: the streaming parser never sees the
    // line, so the line parser ignores it too (fuzz finding, `trtllm_stream`).
    let split = old.replace("iter = 7", "i\x1b[0mter = 7");
    assert_eq!(parse_trtllm_line(split.as_bytes()), LineEvent::Ignored);
    // A states dict that is not flat (a nested value) takes the general reader: same counts.
    let nested =
        old.replace("'num_generation_tokens': 7}", "'num_generation_tokens': 7, 'spec': {'draft': [1, 2]}}");
    let b = batch(parse_trtllm_line(nested.as_bytes()));
    assert_eq!((b.new_seq(), b.new_token(), b.num_tokens()), (Some(0), Some(0), Some(7)));
    let quoted = old.replace("{'num_ctx_requests': 0,", "{'phase': 'gen', 'num_ctx_requests': 3,");
    assert_eq!(batch(parse_trtllm_line(quoted.as_bytes())).new_seq(), Some(3));
    // Idle.
    let idle = old.replace("'num_generation_tokens': 7", "'num_generation_tokens': 0");
    assert_eq!(parse_trtllm_line(idle.as_bytes()), LineEvent::IdleIteration);
    // Malformed.
    for bad in [
        old.replace("host_step_time = 10.75ms", "host_step_time = fast"),
        old.replace(
            ", states = {'num_ctx_requests': 0, 'num_ctx_tokens': 0, 'num_generation_tokens': 7}",
            "",
        ),
        old.replace("'num_ctx_tokens': 0, ", ""),
        old.replace("'num_generation_tokens': 7", "'num_generation_tokens': 4294967296"),
    ] {
        assert!(matches!(parse_trtllm_line(bad.as_bytes()), LineEvent::Malformed(_)), "{bad}");
    }
}

#[test]
fn trtllm_memory_lines() {
    let p = "[01/16/2026-06:21:02] [TRT-LLM] [RANK 1] [I] ";
    type Row = (String, &'static str, Option<f64>, Option<f64>, Option<u64>);
    let rows: Vec<Row> = vec![
        (format!("{p}Peak memory during memory usage profiling (torch + non-torch): 61.74 GiB, available KV cache memory when calculating max tokens: 105.44 GiB"), "peak_memory", Some(61.74), Some(105.44), None),
        (format!("{p}Peak memory during memory usage profiling (torch + non-torch): 61.74 GiB, available KV cache memory when calculating max tokens: 105.44 GiB, fraction is set 0.8999999761581421, kv size is 70272"), "peak_memory", Some(61.74), Some(105.44), None),
        (format!("{p}Peak memory during memory usage profiling (torch + non-torch): 61.74 GiB, available KV cache memory when calculating max tokens: 105.44 GiB, fraction is set 0.85, kv size is 70272, device total memory 178.35 GiB, , tmp kv_mem 4.12 GiB"), "peak_memory", Some(61.74), Some(105.44), None),
        (format!("{p}Memory used after loading model weights (inside torch) in memory usage profiling: 52.38 GiB"), "model_weights_loaded", Some(52.38), None, None),
        (format!("{p}Estimated max memory in KV cache : 105.44 GiB"), "kv_cache_estimated", None, Some(105.44), None),
        ("[TensorRT-LLM][INFO] [MemUsageChange] Allocated 105.44 GiB for max tokens in paged KV cache (1611776).".to_owned(), "kv_cache_allocated", None, Some(105.44), Some(1611776)),
    ];
    for (line, event, usage, kv, tokens) in rows {
        let m = memory(parse_trtllm_line(line.as_bytes()));
        assert_eq!(
            (m.event.as_str(), m.mem_usage_gb, m.kv_cache_gb, m.kv_tokens),
            (event, usage, kv, tokens),
            "{line}"
        );
        if line.starts_with('[') && !line.starts_with("[TensorRT") {
            assert_eq!(
                (m.tp, m.timestamp.map(|t| t.to_string())),
                (1, Some("2026-01-16T06:21:02".to_owned()))
            );
        } else {
            assert_eq!(m.timestamp, None);
        }
    }
    let c = config(parse_trtllm_line(
        format!("{p}max_seq_len=9216, max_num_requests=32, max_num_tokens=16384, max_batch_size=32")
            .as_bytes(),
    ));
    assert_eq!(
        (c.context_length, c.max_num_tokens, c.max_running_requests),
        (Some(9216), Some(16384), Some(32))
    );
}

#[test]
fn trtllm_engine_args_and_config() {
    let line = "\x1b[2m2026-01-16T06:20:15.130021Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mdynamo.trtllm.main.init\x1b[0m\x1b[2m:\x1b[0m TensorRT-LLM engine args: {'model': '/model', 'scheduler_config': SchedulerConfig(capacity_scheduler_policy=<CapacitySchedulerPolicy.GUARANTEED_NO_EVICT: 'GUARANTEED_NO_EVICT'>, context_chunking_policy=None), 'tensor_parallel_size': 8, 'pipeline_parallel_size': 1, 'moe_expert_parallel_size': 8, 'kv_cache_config': {'free_gpu_memory_fraction': 0.85, 'nested': {'max_batch_size': 1}, 'note': 'a}b'}, 'enable_attention_dp': True, 'max_batch_size': 256, 'max_num_tokens': 8448, 'max_seq_len': 2251, 'moe_config': {'backend': 'CUTLASS'}}";
    let c = config(parse_trtllm_line(line.as_bytes()));
    assert_eq!((c.tp_size, c.pp_size, c.ep_size, c.dp_size), (Some(8), Some(1), Some(8), Some(8)));
    assert_eq!(
        (c.enable_dp_attention, c.max_running_requests, c.max_num_tokens, c.context_length),
        (Some(true), Some(256), Some(8448), Some(2251))
    );
    // Config(...) shows CLI defaults: ignored.
    let cfg = "2026-01-16T06:20:15.123456Z  INFO dynamo.trtllm.main.init: Initializing the worker with config: Config(namespace=dynamo, tensor_parallel_size=1, pipeline_parallel_size=1, max_batch_size=2048, max_num_tokens=8192, max_seq_len=None)";
    assert_eq!(parse_trtllm_line(cfg.as_bytes()), LineEvent::Ignored);
}

#[test]
fn trtllm_launch_commands() {
    let rows = [
        "\x1b[33mrank0 run python3 -m dynamo.trtllm --model-path /model --served-model-name m --disaggregation-mode prefill --extra-engine-args /logs/trtllm_config_prefill.yaml in background\x1b[0m",
        "trtllm-llmapi-launch trtllm-serve /model --host 0.0.0.0 --port 8000 --tensor_parallel_size 4 --config /logs/trtllm_config_agg.yaml",
        "+ numactl -m 0,1 trtllm-llmapi-launch python3 -m dynamo.trtllm --model-path /model --disaggregation-mode decode",
    ];
    let LineEvent::LaunchCommand(c) = parse_trtllm_line(rows[0].as_bytes()) else { panic!("rank0 run") };
    assert_eq!((c.backend_type.as_str(), c.worker_type), ("trtllm", Some(WorkerType::Prefill)));
    assert!(c.raw_command.starts_with("python3 -m dynamo.trtllm") && c.raw_command.ends_with(".yaml"));
    let LineEvent::LaunchCommand(c) = parse_trtllm_line(rows[1].as_bytes()) else { panic!("trtllm-serve") };
    // trtllm-serve's click parameters: the positional `model`, `--tensor_parallel_size` as spelled.
    assert_eq!(
        (c.args.get("model"), c.args.get("tensor_parallel_size")),
        (Some(&ArgValue::Str("/model".into())), Some(&ArgValue::Int(4)))
    );
    assert_eq!(c.args.get("port"), Some(&ArgValue::Int(8000)));
    let LineEvent::LaunchCommand(c) = parse_trtllm_line(rows[2].as_bytes()) else { panic!("xtrace") };
    assert_eq!(c.worker_type, Some(WorkerType::Decode));
    assert!(TrtllmParser.parse_launch_command("trtllm-serve /m --tp_size 2").is_some());
}

#[test]
fn sniff_and_backend_names() {
    for name in ["sglang", "dynamo-sglang", "lmsysorg/sglang:v0.5.6-cu129", "SGLang"] {
        assert!(SglangParser.accepts_backend(name), "{name}");
        assert!(!TrtllmParser.accepts_backend(name), "{name}");
    }
    for name in [
        "trtllm",
        "tensorrt-llm",
        "dynamo-trtllm",
        "nvcr.io/nvidia/ai-dynamo/tensorrt-llm-runtime:0.8.1",
        "TensorRT-LLM",
    ] {
        assert!(TrtllmParser.accepts_backend(name), "{name}");
        assert!(!SglangParser.accepts_backend(name), "{name}");
    }
    let sgl = b"[2026-01-16 06:20:11] server_args=ServerArgs(model_path='/model', tp_size=4)\n";
    let trt = b"\x1b[33mrank0 run python3 -m dynamo.trtllm --model-path /m in background\x1b[0m\n[01/16/2026-06:20:17] [TRT-LLM] [I] x\n";
    assert!(SglangParser.sniff(sgl) && !TrtllmParser.sniff(sgl));
    assert!(TrtllmParser.sniff(trt) && !SglangParser.sniff(trt));
    assert!(!SglangParser.sniff(b"hello") && !TrtllmParser.sniff(b"hello"));
}

#[test]
fn registry_has_both_parsers() {
    let names = srtlog_model::list_node_parsers().expect("registry");
    assert!(names.contains(&"sglang") && names.contains(&"trtllm"), "{names:?}");
    assert_eq!(srtlog_model::get_node_parser("trtllm").map(|p| p.name()).ok(), Some("trtllm"));
}

#[test]
fn huge_numbers_do_not_overflow() {
    let line = "[2026-01-16 06:24:40 TP0] Decode batch, #running-req: 99999999999999999999999999, token usage: 777777777777777777777777777.5, ";
    assert!(matches!(parse_sglang_line(line.as_bytes()), LineEvent::Malformed(_)));
    let line = "[2026-01-16 06:24:40 TP0] Decode batch, #running-req: 1, token usage: 777777777777777777777777777.5, ";
    assert_eq!(batch(parse_sglang_line(line.as_bytes())).token_usage(), Some(777777777777777777777777777.5));
    let line = "[99/99/9999-99:99:99] [TRT-LLM] [RANK 99999999999999999999] [I] iter = 99999999999999999999999, rank = 1, states = {'num_ctx_tokens': 1, 'num_generation_tokens': 1}";
    assert!(matches!(parse_trtllm_line(line.as_bytes()), LineEvent::Malformed(_)));
}
