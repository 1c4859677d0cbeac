//! Launch arguments by their destination names, typed: both backends' commands as a worker log
//! prints them (`[CMD]`, xtrace `+ ...`, `rank0 run ...`) and as srtctl's real sweep log records
//! them, each value read off the command by hand.

use srtlog_model::{ArgValue, LaunchArgs, NodeLaunchCommand, NodeParser, WorkerType};
use srtlog_parsers_node::{
    parse_sglang_line, parse_sweep_log, parse_trtllm_line, LineEvent, SglangParser, TrtllmParser,
};

/// The real srtctl orchestrator log (NVIDIA/srt-slurm `tests/sweep/sweep.log`, see
/// `../shared/real/MANIFEST.md`), read where it lies; a checkout without it fails here.
const REAL_SWEEP_LOG: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/real/files/nvidia-srt-slurm/tests-sweep/sweep.log");

fn command(event: LineEvent) -> NodeLaunchCommand {
    match event {
        LineEvent::LaunchCommand(c) => c,
        other => panic!("not a launch command: {other:?}"),
    }
}

fn s(v: &str) -> ArgValue {
    ArgValue::Str(v.to_owned())
}

/// Every argument of `args`, as `(name, value)`.
fn all(args: &LaunchArgs) -> Vec<(&str, ArgValue)> {
    args.iter().map(|(k, v)| (k, v.clone())).collect()
}

#[test]
fn sglang_command_short_flags_lists_and_repeats() {
    let line = "+ python3 -m sglang.launch_server --model /models/DeepSeek-R1 --tp 8 --dp 8 --ep 8 \
                --enable-dp-attention --disaggregation-mode prefill --mem-fraction-static 0.82 \
                --cuda-graph-bs 1 2 4 8 --lora-paths a=/l/a --lora-paths b=/l/b --max-running-requests 512 \
                --dist-init-addr 10.0.0.1:5757 --node-rank 0 --speculative-eagle-topk=1";
    let c = command(parse_sglang_line(line.as_bytes()));
    assert_eq!((c.backend_type.as_str(), c.worker_type), ("sglang", Some(WorkerType::Prefill)));
    assert_eq!(c.raw_command, line.trim_start_matches("+ "), "the raw command is kept as written");
    let int_list = |v: &[i64]| ArgValue::List(v.iter().map(|n| ArgValue::Int(*n)).collect());
    assert_eq!(
        all(&c.args),
        vec![
            ("cuda_graph_bs", int_list(&[1, 2, 4, 8])),
            ("disaggregation_mode", s("prefill")),
            ("dist_init_addr", s("10.0.0.1:5757")),
            ("dp_size", ArgValue::Int(8)),
            ("enable_dp_attention", ArgValue::Bool(true)),
            ("ep_size", ArgValue::Int(8)),
            ("lora_paths", ArgValue::List(vec![s("a=/l/a"), s("b=/l/b")])),
            ("max_running_requests", ArgValue::Int(512)),
            ("mem_fraction_static", ArgValue::Float(0.82)),
            ("model_path", s("/models/DeepSeek-R1")),
            ("node_rank", ArgValue::Int(0)),
            ("speculative_eagle_topk", ArgValue::Int(1)),
            ("tp_size", ArgValue::Int(8)),
        ]
    );
    // The same settings spelled long are the same names and values.
    let long = SglangParser
        .parse_launch_command(
            "python3 -m sglang.launch_server --model-path /models/DeepSeek-R1 --tensor-parallel-size 8 \
             --data-parallel-size 8 --expert-parallel-size 8",
        )
        .expect("command");
    for name in ["model_path", "tp_size", "dp_size", "ep_size"] {
        assert_eq!(long.args.get(name), c.args.get(name), "{name}");
    }
}

#[test]
fn trtllm_serve_and_dynamo_commands() {
    let serve = "trtllm-serve /models/DeepSeek-R1-FP4 --backend pytorch --tp_size 8 --ep_size 4 --pp_size 1 \
                 --max_batch_size 161 --max_num_tokens 1160 --kv_cache_free_gpu_memory_fraction 0.8 \
                 --trust_remote_code --extra_llm_api_options x.yaml";
    let c = TrtllmParser.parse_launch_command(serve).expect("trtllm-serve");
    assert_eq!((c.backend_type.as_str(), c.worker_type), ("trtllm", None));
    assert_eq!(
        all(&c.args),
        vec![
            ("backend", s("pytorch")),
            ("ep_size", ArgValue::Int(4)),
            ("extra_llm_api_options", s("x.yaml")),
            ("kv_cache_free_gpu_memory_fraction", ArgValue::Float(0.8)),
            ("max_batch_size", ArgValue::Int(161)),
            ("max_num_tokens", ArgValue::Int(1160)),
            ("model", s("/models/DeepSeek-R1-FP4")),
            ("pp_size", ArgValue::Int(1)),
            ("tp_size", ArgValue::Int(8)),
            ("trust_remote_code", ArgValue::Bool(true)),
        ]
    );
    // The same command traced by `set -x` in a worker log.
    let traced = command(parse_trtllm_line(format!("+ {serve}").as_bytes()));
    assert_eq!(traced.args, c.args);
    let rank0 = "rank0 run python3 -m dynamo.trtllm --model-path /model --served-model-name m \
                 --disaggregation-mode decode --extra-engine-args /logs/trtllm_config_decode.yaml in background";
    let d = command(parse_trtllm_line(rank0.as_bytes()));
    assert_eq!(d.worker_type, Some(WorkerType::Decode));
    assert_eq!(d.args.get("extra_engine_args"), Some(&s("/logs/trtllm_config_decode.yaml")));
    assert_eq!(d.args.get("served_model_name"), Some(&s("m")));
}

#[test]
fn real_sweep_log_commands() {
    let text = std::fs::read_to_string(REAL_SWEEP_LOG)
        .unwrap_or_else(|e| panic!("{REAL_SWEEP_LOG}: {e} (the real files must be next to the repository)"));
    let commands = parse_sweep_log(&text);
    // Four prefill workers (w0-w3 on theia0044/45), one decode worker (theia0047-50), then
    // the benchmark's `bash .../bench.sh`, which is no worker launch.
    let launches: Vec<(String, NodeLaunchCommand)> = commands
        .iter()
        .filter_map(|c| {
            let w = c.worker.as_ref()?;
            Some((
                format!("{}_{}_{}", w.node_name, w.worker_type.as_str(), w.worker_id),
                TrtllmParser.parse_launch_command(&c.command)?,
            ))
        })
        .collect();
    let names: Vec<&str> = launches.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "theia0044_prefill_w0",
            "theia0044_prefill_w1",
            "theia0045_prefill_w2",
            "theia0045_prefill_w3",
            "theia0047_decode_w0"
        ]
    );
    assert!(TrtllmParser.parse_launch_command(&commands.last().expect("commands").command).is_none());
    for (name, c) in &launches {
        let role = if name.contains("prefill") { "prefill" } else { "decode" };
        assert_eq!(c.worker_type, WorkerType::from_word(role), "{name}");
        assert!(c
            .raw_command
            .starts_with("trtllm-llmapi-launch python3 -m dynamo.trtllm --model-path /model"));
        assert_eq!(
            all(&c.args),
            vec![
                ("disaggregation_mode", s(role)),
                ("extra_engine_args", s(&format!("/logs/trtllm_config_{role}.yaml"))),
                ("model_path", s("/model")),
                ("publish_events_and_metrics", ArgValue::Bool(true)),
                ("request_plane", s("nats")),
                ("served_model_name", s("nvidia_GLM-5-NVFP4")),
            ],
            "{name}"
        );
    }
}
