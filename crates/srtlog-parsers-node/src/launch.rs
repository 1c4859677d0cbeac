//! Worker launch commands: shell-word splitting and `--flag value` parsing into
//! [`NodeLaunchCommand`], shared by both backends.

use srtlog_model::{NodeLaunchCommand, ParallelConfig, StringMap, WorkerType};

pub use srtlog_model::shell_words;

/// Whether a word is a flag (`--x`, `-x`) rather than a value (`-1`, `-0.5` are values).
fn is_flag(word: &str) -> bool {
    word.starts_with('-')
        && word.len() > 1
        && !word[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.')
}

/// Parses the arguments after the program/module into `flag -> value`. Flag names lose their
/// leading dashes and keep their spelling; a flag without a value is `"true"`; `--flag=value`
/// is split. Positional words are returned separately.
pub fn parse_flags(args: &[String]) -> (StringMap, Vec<String>) {
    let mut map = StringMap::new();
    let mut positional = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let word = &args[i];
        if is_flag(word) {
            let name = word.trim_start_matches('-');
            if let Some((k, v)) = name.split_once('=') {
                map.insert(k.to_owned(), v.to_owned());
            } else if let Some(next) = args.get(i + 1).filter(|n| !is_flag(n)) {
                map.insert(name.to_owned(), next.clone());
                i += 1;
            } else {
                map.insert(name.to_owned(), "true".to_owned());
            }
        } else {
            positional.push(word.clone());
        }
        i += 1;
    }
    (map, positional)
}

/// Which program a command launches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Program {
    /// `python -m sglang.launch_server` / `python3 -m dynamo.sglang`.
    Sglang,
    /// `python3 -m dynamo.trtllm` / `trtllm-serve`.
    Trtllm,
}

/// Finds the program in `words`; returns it and the index of the first argument after it.
fn find_program(words: &[String], want: Program) -> Option<(usize, bool)> {
    for (i, w) in words.iter().enumerate() {
        let base = w.rsplit('/').next().unwrap_or(w);
        if base.starts_with("python") && words.get(i + 1).map(String::as_str) == Some("-m") {
            let module = words.get(i + 2).map(String::as_str).unwrap_or("");
            let ok = match want {
                Program::Sglang => {
                    module == "sglang.launch_server"
                        || module == "dynamo.sglang"
                        || module == "sglang_router.launch_server"
                }
                Program::Trtllm => module == "dynamo.trtllm" || module.starts_with("tensorrt_llm"),
            };
            if ok {
                return Some((i + 3, false));
            }
        }
        if want == Program::Trtllm && base == "trtllm-serve" {
            return Some((i + 1, true));
        }
    }
    None
}

/// Parses a launch command for `program`. `raw` is kept as written (trimmed).
pub(crate) fn parse_command(raw: &str, program: Program) -> Option<NodeLaunchCommand> {
    let raw = raw.trim();
    let words = shell_words(raw);
    let (args_at, serve) = find_program(&words, program)?;
    let (mut extra_args, positional) = parse_flags(&words[args_at..]);
    if serve {
        // `trtllm-serve <model> ...`: the model is the first positional word.
        let model = positional.first().filter(|p| p.as_str() != "serve");
        let model = model.or_else(|| positional.get(1));
        if let Some(m) = model {
            extra_args.entry("model".to_owned()).or_insert_with(|| m.clone());
        }
    }
    let worker_type = extra_args
        .get("disaggregation-mode")
        .or_else(|| extra_args.get("disaggregation_mode"))
        .and_then(|m| WorkerType::from_word(m.as_str()));
    Some(NodeLaunchCommand {
        backend_type: match program {
            Program::Sglang => "sglang",
            Program::Trtllm => "trtllm",
        }
        .to_owned(),
        worker_type,
        raw_command: raw.to_owned(),
        extra_args,
    })
}

/// Parallelism and limits a command line states (used only to fill what the log itself does
/// not say: `server_args=` / the engine-args dict win).
pub fn config_from_args(args: &StringMap) -> ParallelConfig {
    let get = |names: &[&str]| names.iter().find_map(|n| args.get(*n));
    let num = |names: &[&str]| get(names).and_then(|v| v.trim().parse::<u64>().ok());
    let small = |names: &[&str]| num(names).and_then(|v| u32::try_from(v).ok());
    ParallelConfig {
        tp_size: small(&["tp-size", "tp", "tensor-parallel-size", "tensor_parallel_size", "tp_size"]),
        dp_size: small(&["dp-size", "dp", "data-parallel-size", "dp_size"]),
        ep_size: small(&["ep-size", "ep", "expert-parallel-size", "moe_expert_parallel_size", "ep_size"]),
        pp_size: small(&["pp-size", "pp", "pipeline-parallel-size", "pipeline_parallel_size", "pp_size"]),
        enable_dp_attention: get(&["enable-dp-attention", "enable_attention_dp"])
            .map(|v| !matches!(v.as_str(), "false" | "False" | "0")),
        max_running_requests: num(&["max-running-requests", "max_batch_size", "max-batch-size"]),
        max_num_tokens: num(&["chunked-prefill-size", "max_num_tokens", "max-num-tokens"]),
        context_length: num(&["context-length", "max_seq_len", "max-seq-len"]),
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
    fn flags() {
        let words = shell_words("--tp-size 4 --enable-dp-attention --x=1 --offset -1 pos");
        let (m, p) = parse_flags(&words);
        assert_eq!(m["tp-size"], "4");
        assert_eq!(m["enable-dp-attention"], "true");
        assert_eq!(m["x"], "1");
        assert_eq!(m["offset"], "-1");
        assert_eq!(p, vec!["pos".to_owned()]);
    }
}
