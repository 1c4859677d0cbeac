//! File-name classification and sweep-log association.

use srtlog_model::{ArgValue, WorkerType};
use srtlog_parsers_node::{classify_worker_file, parse_sweep_log, LogStream};

use crate::common::fixture;

#[test]
fn worker_file_names() {
    // (file, node, role, id, stream)
    let workers: &[(&str, &str, WorkerType, &str, LogStream)] = &[
        ("eos0219_prefill_w0.out", "eos0219", WorkerType::Prefill, "w0", LogStream::Out),
        ("worker-3_decode_w0.err", "worker-3", WorkerType::Decode, "w0", LogStream::Err),
        (
            "slurm-gb300-133-181_prefill_w1.out",
            "slurm-gb300-133-181",
            WorkerType::Prefill,
            "w1",
            LogStream::Out,
        ),
        ("prefill_node_decode_w0.out", "prefill_node", WorkerType::Decode, "w0", LogStream::Out),
        ("decode-agg_prefill_w12.out", "decode-agg", WorkerType::Prefill, "w12", LogStream::Out),
        ("gpu-7_agg_w0.out", "gpu-7", WorkerType::Agg, "w0", LogStream::Out),
        (
            "watchtower-navy-cn02_decode_w0.err",
            "watchtower-navy-cn02",
            WorkerType::Decode,
            "w0",
            LogStream::Err,
        ),
    ];
    for (name, node, role, id, stream) in workers {
        let f = classify_worker_file(name).unwrap_or_else(|| panic!("{name} is a worker"));
        assert_eq!(
            (f.metadata.node_name.as_str(), f.metadata.worker_type, f.metadata.worker_id.as_str(), f.stream),
            (*node, *role, *id, *stream),
            "{name}"
        );
    }
    for name in [
        "eos0218_frontend_0.out",
        "eos0218_frontend_w0.out",
        "eos0218_nginx.out",
        "sweep_4401463.log",
        "benchmark.out",
        "eos0219_config.json",
        "eos0219_prefill_config.json",
        "eos0219_prefill_w0_config.json",
        "eos0219_prefill_w0_gpu_utilization.log",
        "fingerprint_prefill_w0.json",
        "fingerprint_prefill_w0.out",
        "_prefill_w0.out",
        "prefill_w0.out",
        "eos0219_prefill_wx.out",
        "eos0219_prefill_w.out",
        "eos0219_prefill_0.out",
        "eos0219_worker_w0.out",
        "log.out",
        "infra.out",
    ] {
        assert_eq!(classify_worker_file(name), None, "{name}");
    }
}

#[test]
fn sweep_log_associates_commands_with_workers() {
    let text = std::fs::read_to_string(fixture("4401463/logs/sweep_4401463.log")).expect("sweep log");
    let cmds = parse_sweep_log(&text);
    assert_eq!(cmds.len(), 3);
    let got: Vec<(String, WorkerType, String)> = cmds
        .iter()
        .map(|c| {
            let w = c.worker.as_ref().expect("worker");
            (w.node_name.clone(), w.worker_type, w.worker_id.clone())
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("eos0219".into(), WorkerType::Prefill, "w0".into()),
            ("eos0220".into(), WorkerType::Decode, "w0".into()),
            ("eos0221".into(), WorkerType::Decode, "w1".into()),
        ]
    );
    let first = &cmds[0];
    assert!(first.command.starts_with("python3 -m dynamo.sglang --model-path /model"));
    assert_eq!(first.timestamp.map(|t| t.to_string()).as_deref(), Some("2026-01-16T06:19:53"));
    assert_eq!(
        first.log_file.as_deref(),
        Some("/lustre/fsw/users/bench/outputs/4401463/logs/eos0219_prefill_w0.out")
    );
    assert_eq!(first.environment["DYN_SKIP_SGLANG_LOG_FORMATTING"], "1");
    assert_eq!(
        first.environment["DYN_LOG"],
        "info,dynamo_runtime::pipeline::network::ingress::push_handler=warn"
    );
    assert_eq!(first.nodes, vec!["eos0219".to_owned()]);
    // The command parses into a launch command with the JSON argument kept whole.
    use srtlog_model::NodeParser;
    let launch = srtlog_parsers_node::SglangParser.parse_launch_command(&first.command).expect("launch");
    assert_eq!(launch.worker_type, Some(WorkerType::Prefill));
    assert_eq!(
        launch.args.get("kv_events_config").and_then(ArgValue::as_str),
        Some(r#"{"publisher":"zmq","topic":"kv-events","endpoint":"tcp://*:5550"}"#)
    );
    // `--tensor-parallel-size 4` is SGLang's `tp_size`, typed.
    assert_eq!(launch.args.get("tp_size"), Some(&ArgValue::Int(4)));
    assert!(!launch.args.contains("tensor_parallel_size"));
    assert_eq!(launch.args.get("enable_dp_attention"), Some(&ArgValue::Bool(true)));
}

#[test]
fn sweep_log_mpi_and_unmatched_commands() {
    let text = "\
2026-01-16 06:19:52 [INFO] Starting decode worker 0 on 2 nodes (node-a02,node-a03) with 8 total GPUs (MPI mode)
2026-01-16 06:19:52 [INFO] Env: A=1 B=x y
2026-01-16 06:19:52 [INFO] Command: trtllm-llmapi-launch python3 -m dynamo.trtllm --model-path /model --disaggregation-mode decode
2026-01-16 06:19:53 [INFO] Command: python3 -m dynamo.frontend --http-port 8000
2026-01-16 06:19:54 [INFO] Starting agg worker 3 on gpu-9
2026-01-16 06:19:54 [INFO] Command: python3 -m dynamo.sglang --model-path /m
garbage line without a timestamp
";
    let cmds = parse_sweep_log(text);
    assert_eq!(cmds.len(), 3);
    let w = cmds[0].worker.as_ref().expect("mpi worker");
    assert_eq!(
        (w.node_name.as_str(), w.worker_type, w.worker_id.as_str()),
        ("node-a02", WorkerType::Decode, "w0")
    );
    assert_eq!(cmds[0].nodes, vec!["node-a02".to_owned(), "node-a03".to_owned()]);
    assert_eq!(cmds[0].environment["B"], "x y");
    assert_eq!(cmds[1].worker, None, "a command without a Starting line is no worker's");
    assert_eq!(cmds[1].line, 4);
    let w = cmds[2].worker.as_ref().expect("agg worker");
    assert_eq!((w.node_name.as_str(), w.worker_type, w.worker_id.as_str()), ("gpu-9", WorkerType::Agg, "w3"));
    assert!(parse_sweep_log("").is_empty());
}
