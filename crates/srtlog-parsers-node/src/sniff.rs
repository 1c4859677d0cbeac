//! Recognising a backend from the first bytes of a worker log.

use crate::bytes::find;

fn any(head: &[u8], needles: &[&[u8]]) -> bool {
    needles.iter().any(|n| find(head, n).is_some())
}

const TRT: &[&[u8]] = &[
    b"[TRT-LLM]",
    b"[TensorRT-LLM]",
    b"tensorrt_llm",
    b"dynamo.trtllm",
    b"trtllm-serve",
    b"trtllm-llmapi-launch",
    b"libtensorrtllm", // the Triton backend's glog lines (`libtensorrtllm.cc:1205]`)
];

/// Whether `head` looks like an SGLang worker log (and not a TensorRT-LLM one).
pub(crate) fn sglang(head: &[u8]) -> bool {
    !any(head, TRT)
        && any(
            head,
            &[
                b"sglang",
                b"server_args=ServerArgs(",
                b"Prefill batch",
                b"Decode batch",
                b"new fill batch", // sglang 0.1.x (2024)
                b"KV Cache is allocated",
                b"Load weight begin",
            ],
        )
}

/// Whether `head` looks like a TensorRT-LLM worker log.
pub(crate) fn trtllm(head: &[u8]) -> bool {
    any(head, TRT) || any(head, &[b"TensorRT-LLM", b"iter = "])
}
