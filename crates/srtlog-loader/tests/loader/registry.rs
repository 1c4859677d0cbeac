//! A binary that depends only on the loader sees every built-in parser: the loader names the
//! parser crates, so their `inventory` registrations are linked in (a crate that only submits
//! and that no code names is silently dropped by the linker).

use srtlog_loader::model::{
    get_benchmark_parser, get_node_parser, list_benchmark_parsers, list_node_parsers, RegistryError,
};

#[test]
fn every_builtin_parser_is_registered() {
    assert_eq!(
        list_benchmark_parsers(),
        Ok(vec![
            "agentic",
            "agentx",
            "aiperf",
            "aiperf-bench",
            "mlperf",
            "mooncake-router",
            "prefix-replay",
            "prefix_replay",
            "sa-bench",
            "trace-replay"
        ])
    );
    let accuracy: Vec<&str> =
        srtlog_loader::model::accuracy_parsers().unwrap().iter().map(|p| p.name()).collect();
    assert_eq!(accuracy, ["evals", "mlperf"]);
    assert_eq!(list_node_parsers(), Ok(vec!["sglang", "trtllm"]));
    assert_eq!(get_benchmark_parser("sa-bench").map(|p| p.name()), Ok("sa-bench"));
    assert_eq!(get_node_parser("trtllm").map(|p| p.name()), Ok("trtllm"));
}

#[test]
fn an_unknown_name_lists_the_registered_ones() {
    match get_node_parser("vllm") {
        Err(err @ RegistryError::Unknown { .. }) => {
            assert_eq!(err.to_string(), "no node parser named \"vllm\"; registered: sglang, trtllm");
        }
        other => panic!("expected an unknown-name error, got {:?}", other.map(|p| p.name())),
    }
}
