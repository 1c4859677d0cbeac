//! Worker launch commands: finding the server program in a command line and reading its
//! arguments into a [`NodeLaunchCommand`] by the one rule of [`LaunchArgs`], shared by both
//! backends.

use srtlog_model::{ArgValue, LaunchArgs, NodeLaunchCommand, ParallelConfig, Tool, WorkerType};

pub use srtlog_model::shell_words;

/// Which program a command launches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Program {
    /// `python -m sglang.launch_server` / `python3 -m dynamo.sglang`.
    Sglang,
    /// `python3 -m dynamo.trtllm` / `trtllm-serve`.
    Trtllm,
}

/// Finds the program in `words`; returns the tool whose flags follow and the index of the
/// first argument after it.
fn find_program(words: &[String], want: Program) -> Option<(Tool, usize)> {
    for (i, w) in words.iter().enumerate() {
        let base = w.rsplit('/').next().unwrap_or(w);
        if base.starts_with("python") && words.get(i + 1).map(String::as_str) == Some("-m") {
            let module = words.get(i + 2).map(String::as_str).unwrap_or("");
            let tool = match want {
                Program::Sglang => {
                    matches!(module, "sglang.launch_server" | "dynamo.sglang" | "sglang_router.launch_server")
                        .then_some(Tool::Sglang)
                }
                Program::Trtllm => (module == "dynamo.trtllm" || module.starts_with("tensorrt_llm"))
                    .then_some(Tool::DynamoTrtllm),
            };
            if let Some(tool) = tool {
                return Some((tool, i + 3));
            }
        }
        if want == Program::Trtllm && base == "trtllm-serve" {
            return Some((Tool::TrtllmServe, i + 1));
        }
    }
    None
}

/// Parses a launch command for `program`. `raw` is kept as written (trimmed).
pub(crate) fn parse_command(raw: &str, program: Program) -> Option<NodeLaunchCommand> {
    let raw = raw.trim();
    let words = shell_words(raw);
    let (tool, args_at) = find_program(&words, program)?;
    let (mut args, positional) = LaunchArgs::from_flags(tool, &words[args_at..]);
    if tool == Tool::TrtllmServe {
        // `trtllm-serve [serve] <model> ...`: the model is click's positional `model`.
        let model = positional.iter().find(|p| p.as_str() != "serve");
        if let Some(m) = model {
            args.insert_setting(tool, "model", ArgValue::Str(m.clone()));
        }
    }
    let worker_type =
        args.get("disaggregation_mode").and_then(ArgValue::as_str).and_then(WorkerType::from_word);
    Some(NodeLaunchCommand {
        backend_type: match program {
            Program::Sglang => "sglang",
            Program::Trtllm => "trtllm",
        }
        .to_owned(),
        worker_type,
        raw_command: raw.to_owned(),
        args,
    })
}

/// Parallelism and limits a command line states (used only to fill what the log itself does
/// not say: `server_args=` / the engine-args dict win). Names are destinations: SGLang's
/// (`tp_size`, `chunked_prefill_size`), `dynamo.trtllm`'s (`tensor_parallel_size`,
/// `enable_attention_dp`) and `trtllm-serve`'s (`tp_size`, `max_batch_size`); a setting given
/// as a list (a repeated flag) states no single value and is left out.
pub fn config_from_args(args: &LaunchArgs) -> ParallelConfig {
    let get = |names: &[&str]| names.iter().find_map(|n| args.get(n));
    let num = |names: &[&str]| get(names).and_then(ArgValue::as_i64).and_then(|v| u64::try_from(v).ok());
    let small = |names: &[&str]| num(names).and_then(|v| u32::try_from(v).ok());
    ParallelConfig {
        tp_size: small(&["tp_size", "tensor_parallel_size"]),
        dp_size: small(&["dp_size", "data_parallel_size"]),
        ep_size: small(&["ep_size", "expert_parallel_size", "moe_expert_parallel_size"]),
        pp_size: small(&["pp_size", "pipeline_parallel_size"]),
        enable_dp_attention: get(&["enable_dp_attention", "enable_attention_dp"]).and_then(|v| match v {
            ArgValue::Bool(b) => Some(*b),
            ArgValue::Int(n) => Some(*n != 0),
            _ => None,
        }),
        max_running_requests: num(&["max_running_requests", "max_batch_size"]),
        max_num_tokens: num(&["chunked_prefill_size", "max_num_tokens"]),
        context_length: num(&["context_length", "max_seq_len"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_respect_quotes() {
        let w = shell_words(
            r#"python3 -m x --kv-events-config '{"publisher":"zmq", "topic":"kv"}' --a "b c" d\ e"#,
        );
        assert_eq!(w[4], r#"{"publisher":"zmq", "topic":"kv"}"#);
        assert_eq!(w[6], "b c");
        assert_eq!(w[7], "d e");
    }

    #[test]
    fn programs_and_their_tools() {
        let sglang = "python3 -m sglang.launch_server --model-path /m --tp 8 --disaggregation-mode prefill";
        let c = parse_command(sglang, Program::Sglang).unwrap();
        assert_eq!((c.backend_type.as_str(), c.worker_type), ("sglang", Some(WorkerType::Prefill)));
        assert_eq!(c.args.get("tp_size"), Some(&ArgValue::Int(8)));
        assert_eq!(parse_command(sglang, Program::Trtllm), None);

        let serve = "trtllm-serve serve /models/dsr1 --tp_size 8 --ep_size 4 --extra_llm_api_options x.yaml";
        let c = parse_command(serve, Program::Trtllm).unwrap();
        assert_eq!(c.args.get("model"), Some(&ArgValue::Str("/models/dsr1".into())));
        assert_eq!(c.args.get("extra_llm_api_options"), Some(&ArgValue::Str("x.yaml".into())));
        assert_eq!((c.worker_type, c.raw_command.as_str()), (None, serve));

        let dynamo =
            "trtllm-llmapi-launch python3 -m dynamo.trtllm --model-path /model --disaggregation-mode decode";
        let c = parse_command(dynamo, Program::Trtllm).unwrap();
        assert_eq!(c.worker_type, Some(WorkerType::Decode));
        assert_eq!(c.args.get("model_path"), Some(&ArgValue::Str("/model".into())));
    }

    #[test]
    fn config_reads_each_tools_names() {
        let args = |tool, cmd: &str| LaunchArgs::from_flags(tool, &shell_words(cmd)).0;
        let c = config_from_args(&args(
            Tool::Sglang,
            "--tp 8 --dp 2 --ep 8 --enable-dp-attention --chunked-prefill-size 8192 --max-running-requests 256",
        ));
        assert_eq!(
            (c.tp_size, c.dp_size, c.ep_size, c.enable_dp_attention),
            (Some(8), Some(2), Some(8), Some(true))
        );
        assert_eq!((c.max_num_tokens, c.max_running_requests), (Some(8192), Some(256)));
        let c =
            config_from_args(&args(Tool::TrtllmServe, "--tp_size 4 --max_batch_size 64 --max_seq_len 9000"));
        assert_eq!((c.tp_size, c.max_running_requests, c.context_length), (Some(4), Some(64), Some(9000)));
        let c = config_from_args(&args(
            Tool::DynamoTrtllm,
            "--tensor-parallel-size 2 --enable-attention-dp false",
        ));
        assert_eq!((c.tp_size, c.enable_dp_attention), (Some(2), Some(false)));
        assert_eq!(
            config_from_args(&args(Tool::Sglang, "--tp 4 --tp 8")).tp_size,
            None,
            "a list is no one size"
        );
    }
}
