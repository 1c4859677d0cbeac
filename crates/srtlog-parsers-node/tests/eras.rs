//! Table tests of the log eras and wrappers seen in the field: one row per era or wrapper,
//! each built from the facts of one real line (`../shared/real/files/issue-pastes/`, named per
//! row), asserting every field of the record — the expected row is the whole record, so a
//! field read that should not be fails too.

use srtlog_model::{
    BatchRow, BatchType, DaySource, NodeParser, ParseOptions, Timestamp, UndatedDay, WorkerLogData,
};
use srtlog_parsers_node::{parse_sglang_line, parse_trtllm_line, LineEvent, SglangParser, TrtllmParser};

fn at(text: &str) -> Option<Timestamp> {
    Some(Timestamp::parse(text).expect(text))
}

/// An expected row: the timestamp, the ranks and the type; the fields are filled by the caller.
fn row(ts: Option<&str>, (dp, tp, ep): (u32, u32, u32), batch_type: BatchType) -> BatchRow {
    BatchRow { timestamp: ts.and_then(at), dp, tp, ep, ..BatchRow::new(batch_type) }
}

#[track_caller]
fn read_batch(event: LineEvent) -> BatchRow {
    match event {
        LineEvent::Batch(b) => b.to_row(),
        other => panic!("expected a batch, got {other:?}"),
    }
}

fn parse(parser: &dyn NodeParser, text: &[u8], undated_day: Option<UndatedDay>) -> WorkerLogData {
    let mut data = WorkerLogData::default();
    let options = ParseOptions { undated_day, ..ParseOptions::default() };
    parser.parse_reader(&mut &text[..], &options, &mut data).expect("in-memory read");
    data
}

#[test]
fn sglang_eras_and_wrappers() {
    use BatchType::{Decode, Prefill};
    let rows: Vec<(&str, BatchRow)> = vec![
        (
            // sglang-issue-444 (v0.1.x, May 2024): the earliest batch line, no prefix.
            "new fill batch. #seq: 1. #cached_token: 330. #new_token: 2172. #remaining_req: 57. #running_req: 9. tree_cache_hit_rate: 69.16%",
            BatchRow {
                new_seq: Some(1),
                cached_token: Some(330),
                new_token: Some(2172),
                queue_req: Some(57),
                running_req: Some(9),
                ..row(None, (0, 0, 0), Prefill)
            },
        ),
        (
            // The same era before `#cached_token` (sglang 0.1.5 source wording), trailing `. `.
            "new fill batch. #seq: 2. #new_token: 40. #remaining_req: 0. #running_req: 1. ",
            BatchRow {
                new_seq: Some(2),
                new_token: Some(40),
                queue_req: Some(0),
                running_req: Some(1),
                ..row(None, (0, 0, 0), Prefill)
            },
        ),
        (
            // sglang-issue-938 (Aug 2024): a decode line whose prefix the user stripped.
            "Decode batch. #running-req: 1010, #token: 55006, token usage: 0.93, gen throughput (token/s): 1397.13, #queue-req: 12279",
            BatchRow {
                running_req: Some(1010),
                num_tokens: Some(55006),
                token_usage: Some(0.93),
                gen_throughput: Some(1397.13),
                queue_req: Some(12279),
                ..row(None, (0, 0, 0), Decode)
            },
        ),
        (
            // sglang-issue-1270 (Aug 2024): time without a date; the line API has no day to
            // give it (the streaming parser's, with `undated_day`, is tested below).
            "[04:40:55 TP0] Decode batch. #running-req: 2, #token: 4078, token usage: 0.00, gen throughput (token/s): 447.31, #queue-req: 0",
            BatchRow {
                running_req: Some(2),
                num_tokens: Some(4078),
                token_usage: Some(0.0),
                gen_throughput: Some(447.31),
                queue_req: Some(0),
                ..row(None, (0, 0, 0), Decode)
            },
        ),
        (
            // sglang-pr-3699 (Feb 2025): prefill with `cache hit rate: 26.67%` (no field: skipped).
            "[2025-02-26 15:44:36 TP0] Prefill batch. #new-seq: 1, #new-token: 11, #cached-token: 24, cache hit rate: 26.67%, token usage: 0.00, #running-req: 0, #queue-req: 0",
            BatchRow {
                new_seq: Some(1),
                new_token: Some(11),
                cached_token: Some(24),
                token_usage: Some(0.0),
                running_req: Some(0),
                queue_req: Some(0),
                ..row(Some("2025-02-26T15:44:36"), (0, 0, 0), Prefill)
            },
        ),
        (
            // sglang-issue-3909 (Feb 2025): `[date TP0] Decode batch.`.
            "[2025-02-27 04:46:39 TP0] Decode batch. #running-req: 8, #token: 62531, token usage: 0.12, gen throughput (token/s): 186.64, #queue-req: 0",
            BatchRow {
                running_req: Some(8),
                num_tokens: Some(62531),
                token_usage: Some(0.12),
                gen_throughput: Some(186.64),
                queue_req: Some(0),
                ..row(Some("2025-02-27T04:46:39"), (0, 0, 0), Decode)
            },
        ),
        (
            // skypilot README (Feb 2025): a Ray/SkyPilot process prefix, `DP2 TP2` tags.
            "(head, rank=0, pid=18260) [2025-02-14 00:42:22 DP2 TP2] Decode batch. #running-req: 1, #token: 210, token usage: 0.00, gen throughput (token/s): 11.45, #queue-req: 0",
            BatchRow {
                running_req: Some(1),
                num_tokens: Some(210),
                token_usage: Some(0.0),
                gen_throughput: Some(11.45),
                queue_req: Some(0),
                ..row(Some("2025-02-14T00:42:22"), (2, 2, 0), Decode)
            },
        ),
        (
            // sglang-issue-4407 (Mar 2025): `largest-len` (no field: skipped), trailing `, `.
            "[2025-03-14 02:16:14 TP0] Decode batch. #running-req: 509, #token: 180776, token usage: 0.43, gen throughput (token/s): 7897.87, largest-len: 0, #queue-req: 0, ",
            BatchRow {
                running_req: Some(509),
                num_tokens: Some(180776),
                token_usage: Some(0.43),
                gen_throughput: Some(7897.87),
                queue_req: Some(0),
                ..row(Some("2025-03-14T02:16:14"), (0, 0, 0), Decode)
            },
        ),
        (
            // sglang-issue-11648 (Oct 2025): PD prefill, DP attention, out-of-order DP ranks.
            "[2025-10-15 14:44:31 DP5 TP5 EP5] Prefill batch. #new-seq: 1, #new-token: 512, #cached-token: 0, token usage: 0.01, #unbootstrapped-req: 0, #queue-req: 7, #transferring-req: 1, input throughput (token/s): 1367.19, ",
            BatchRow {
                new_seq: Some(1),
                new_token: Some(512),
                cached_token: Some(0),
                token_usage: Some(0.01),
                unbootstrapped_req: Some(0),
                queue_req: Some(7),
                transfer_req: Some(1),
                input_throughput: Some(1367.19),
                ..row(Some("2025-10-15T14:44:31"), (5, 5, 5), Prefill)
            },
        ),
        (
            // antgroup/sglang PR 4 (Oct 2025): the fork's `DATE TIME LEVEL PID [ DPn TPn EPn file.py:N]`.
            "2025-10-29 02:27:35 INFO 8900 [ DP15 TP15 EP15 scheduler_metrics_mixin.py:222] Decode batch. #running-req: 48, #token: 571264, token usage: 0.76, accept len: 1.91, pre-allocated usage: 0.36, #retracted-req: 0, cuda graph: True, gen throughput (token/s): 740.64, #queue-req: 13, ",
            BatchRow {
                running_req: Some(48),
                num_tokens: Some(571264),
                token_usage: Some(0.76),
                accept_len: Some(1.91),
                preallocated_usage: Some(0.36),
                retracted_req: Some(0),
                cuda_graph: Some(true),
                gen_throughput: Some(740.64),
                queue_req: Some(13),
                ..row(Some("2025-10-29T02:27:35"), (15, 15, 15), Decode)
            },
        ),
        (
            // sglang-pr-13023 (Nov 2025): date-only prefix, no rank tag, `Decode batch,`.
            "[2025-11-11 04:06:27] Decode batch, #running-req: 46, #token: 34901, token usage: 0.19, cuda graph: False, gen throughput (token/s): 1447.08, #queue-req: 0, ",
            BatchRow {
                running_req: Some(46),
                num_tokens: Some(34901),
                token_usage: Some(0.19),
                cuda_graph: Some(false),
                gen_throughput: Some(1447.08),
                queue_req: Some(0),
                ..row(Some("2025-11-11T04:06:27"), (0, 0, 0), Decode)
            },
        ),
        (
            // sglang-jax PR 564 (Dec 2025): `#cache_miss` (no field: skipped).
            "[2025-12-17 05:10:47] Decode batch. #running-req: 1, #token: 64, token usage: 0.00, gen throughput (token/s): 84.39, #queue-req: 0, #cache_miss: 1",
            BatchRow {
                running_req: Some(1),
                num_tokens: Some(64),
                token_usage: Some(0.0),
                gen_throughput: Some(84.39),
                queue_req: Some(0),
                ..row(Some("2025-12-17T05:10:47"), (0, 0, 0), Decode)
            },
        ),
        (
            // OpenClaw-RL issue 44 (Mar 2026): a Ray actor prefix; the line ends in `,`.
            "(SGLangEngine pid=41820) [2026-03-22 13:53:37 TP0] Decode batch, #running-req: 6, #token: 42414, token usage: 0.04, cuda graph: True, gen throughput (token/s): 1374.02, #queue-req: 0,",
            BatchRow {
                running_req: Some(6),
                num_tokens: Some(42414),
                token_usage: Some(0.04),
                cuda_graph: Some(true),
                gen_throughput: Some(1374.02),
                queue_req: Some(0),
                ..row(Some("2026-03-22T13:53:37"), (0, 0, 0), Decode)
            },
        ),
        (
            // sglang-pr-22166 (Apr 2026): aggregated prefill with `cuda graph`.
            "[2026-04-05 20:02:51] Prefill batch, #new-seq: 1, #new-token: 158, #cached-token: 0, token usage: 0.08, #running-req: 31, #queue-req: 0, cuda graph: True, input throughput (token/s): 559.53",
            BatchRow {
                new_seq: Some(1),
                new_token: Some(158),
                cached_token: Some(0),
                token_usage: Some(0.08),
                running_req: Some(31),
                queue_req: Some(0),
                cuda_graph: Some(true),
                input_throughput: Some(559.53),
                ..row(Some("2026-04-05T20:02:51"), (0, 0, 0), Prefill)
            },
        ),
        (
            // sglang-pr-22331 (Apr 2026): current upstream, no trailing comma.
            "[2026-04-08 14:05:21 TP0] Decode batch, #running-req: 5, #token: 20800, token usage: 0.29, cuda graph: True, gen throughput (token/s): 144.95, #queue-req: 0",
            BatchRow {
                running_req: Some(5),
                num_tokens: Some(20800),
                token_usage: Some(0.29),
                cuda_graph: Some(true),
                gen_throughput: Some(144.95),
                queue_req: Some(0),
                ..row(Some("2026-04-08T14:05:21"), (0, 0, 0), Decode)
            },
        ),
        (
            // sglang-pr-25960 (May 2026, Ascend): the clipped line's surviving facts, whole;
            // `npu graph` is the NPU's graph mode.
            "[2026-05-28 02:59:59 TP0] Decode batch, #running-req: 45, #token: 44672, token usage: 0.31, accept rate: 0.32, npu graph: False, gen throughput (token/s): 863.65, #queue-req: 0",
            BatchRow {
                running_req: Some(45),
                num_tokens: Some(44672),
                token_usage: Some(0.31),
                accept_rate: Some(0.32),
                cuda_graph: Some(false),
                gen_throughput: Some(863.65),
                queue_req: Some(0),
                ..row(Some("2026-05-28T02:59:59"), (0, 0, 0), Decode)
            },
        ),
        (
            // sglang-issue-36081 (Aug 2026): `[date TP0 EP0]`, full/swa pools, accept len and
            // rate; the paste has a file name glued in front (a wrapper like any other: every
            // field of the line is intact).
            r"@c:\Users\yiming\Downloads\deepseek-v4-flash-0731-sglang-5qy5f_2026-08-23_20-05-04.txt [2026-08-23 09:05:37 TP0 EP0] Decode batch, #running-req: 1, #full token: 165376, full token usage: 0.02, #swa token: 768, swa token usage: 0.00, accept len: 5.30, accept rate: 0.86, cuda graph: True, gen throughput (token/s): 167.04, #queue-req: 0",
            BatchRow {
                running_req: Some(1),
                num_tokens: Some(165376),
                token_usage: Some(0.02),
                swa_tokens: Some(768),
                swa_token_usage: Some(0.0),
                accept_len: Some(5.30),
                accept_rate: Some(0.86),
                cuda_graph: Some(true),
                gen_throughput: Some(167.04),
                queue_req: Some(0),
                ..row(Some("2026-08-23T09:05:37"), (0, 0, 0), Decode)
            },
        ),
        (
            // sglang-issue-36081: prefill with `#pending-token` (no field: skipped).
            "[2026-08-23 09:05:54 TP0 EP0] Prefill batch, #new-seq: 1, #new-token: 256, #cached-token: 0, full token usage: 0.00, swa token usage: 0.00, #running-req: 0, #queue-req: 0, #pending-token: 0, cuda graph: False, input throughput (token/s): 12.33",
            BatchRow {
                new_seq: Some(1),
                new_token: Some(256),
                cached_token: Some(0),
                token_usage: Some(0.0),
                swa_token_usage: Some(0.0),
                running_req: Some(0),
                queue_req: Some(0),
                cuda_graph: Some(false),
                input_throughput: Some(12.33),
                ..row(Some("2026-08-23T09:05:54"), (0, 0, 0), Prefill)
            },
        ),
    ];
    for (line, want) in rows {
        assert_eq!(read_batch(parse_sglang_line(line.as_bytes())), want, "{line}");
        // The streaming parser reads the same record.
        let data = parse(&SglangParser, line.as_bytes(), None);
        assert_eq!(data.batches.iter().map(|b| b.to_row()).collect::<Vec<_>>(), [want], "{line}");
        assert_eq!(data.stats.malformed_lines, 0, "{line}");
    }
}

#[test]
fn damaged_sglang_lines_stay_malformed() {
    for line in [
        // sglang-pr-25960 A: clipped by the terminal mid-field, at the end and in the middle.
        "[2026-05-28 02:59:59 TP0] Decode batch, #running-req: 45, #token: 44672, token usaccept rate: 0.32, npu graph: False, gen throughput (token/s): 863.65, #queue-req",
        "[2026-05-28 02:59:59 TP0] Prefill batch, #new-seq: 1, #new-token: 896, #cached-tounning-req: 45, #queue-req: 81, #pending-token: 70187, npu graph: False, input th",
        // sglang-pr-25960 B: a tqdm bar glued in front of a clipped line.
        "  2%|\u{2588}                | 3[2026-05-28 03:00:02 TP0] Prefill batch, #new-seq: 1, #new-token: 896, #cached-tounning-req: 47, #queue-req: 80, #pending-token: 68514, npu graph: False, input th",
        // The earliest era, clipped: a name without its value, a value cut to nothing.
        "new fill batch. #seq: 1. #cached_token: 330. #new_tok",
        "new fill batch. #seq: 1. #cached_token: ",
        "new fill batch: #seq: 1",
        // Printable text after the trailing `, ` is a field cut off, not stray bytes.
        "[2025-03-14 02:16:14 TP0] Decode batch. #running-req: 509, #token: 180776, #queue-req: 0, #queue-re",
    ] {
        assert!(matches!(parse_sglang_line(line.as_bytes()), LineEvent::Malformed(_)), "{line}");
        let data = parse(&SglangParser, line.as_bytes(), None);
        assert_eq!((data.batches.len(), data.stats.malformed_lines), (0, 1), "{line}");
        assert!(data.stats.diagnostics[0].starts_with("line 1: "), "{:?}", data.stats.diagnostics);
    }
}

#[test]
fn stray_bytes_after_a_complete_line_are_dropped_with_a_note() {
    // sglang-issue-4407's line (complete, trailing `, `), then invalid UTF-8 and a NUL.
    let line: &[u8] = b"[2025-03-14 02:16:14 TP0] Decode batch. #running-req: 509, #token: 180776, token usage: 0.43, gen throughput (token/s): 7897.87, largest-len: 0, #queue-req: 0, \xff\xfe\x00\x9c";
    let want = BatchRow {
        running_req: Some(509),
        num_tokens: Some(180776),
        token_usage: Some(0.43),
        gen_throughput: Some(7897.87),
        queue_req: Some(0),
        ..row(Some("2025-03-14T02:16:14"), (0, 0, 0), BatchType::Decode)
    };
    assert_eq!(read_batch(parse_sglang_line(line)), want);
    let mut text = line.to_vec();
    text.push(b'\n');
    let data = parse(&SglangParser, &text, None);
    assert_eq!(data.batches.iter().map(|b| b.to_row()).collect::<Vec<_>>(), [want]);
    assert_eq!(data.stats.malformed_lines, 0);
    assert_eq!(data.stats.diagnostics.len(), 1);
    assert!(data.stats.diagnostics[0].starts_with("line 1: stray bytes after the last field ignored: "));
    // Stray bytes where a value should be are still an unparsable value.
    let bad: &[u8] = b"[2025-03-14 02:16:14 TP0] Decode batch. #running-req: 509, #token: \xff\xfe";
    assert!(matches!(parse_sglang_line(bad), LineEvent::Malformed(_)));
}

/// sglang-issue-1270's time-only prefix, as a file around midnight.
const AROUND_MIDNIGHT: &str = "\
[23:59:58 TP0] Load weight end. type=LlamaForCausalLM, dtype=torch.float16, avail mem=61.25 GB, mem usage=14.96 GB.
[23:59:59 TP0] Decode batch. #running-req: 2, #token: 4078, token usage: 0.00, gen throughput (token/s): 447.31, #queue-req: 0
[00:00:01.5 TP0] Decode batch. #running-req: 1, #token: 3902, token usage: 0.00, gen throughput (token/s): 333.97, #queue-req: 0
";

fn stamps(data: &WorkerLogData) -> Vec<String> {
    let memory = data.memory_snapshots.iter().map(|m| m.timestamp);
    let batches = data.batches.iter().map(|b| b.timestamp);
    memory.chain(batches).map(|t| t.map(|t| t.to_string()).unwrap_or_default()).collect()
}

#[test]
fn time_only_lines_take_the_run_date_and_say_so() {
    let day = UndatedDay::for_file(Some("2024-08-31T23:50:00"), None);
    let data = parse(&SglangParser, AROUND_MIDNIGHT.as_bytes(), day);
    assert_eq!(stamps(&data), ["2024-08-31T23:59:58", "2024-08-31T23:59:59", "2024-09-01T00:00:01.5"]);
    assert_eq!(
        data.stats.diagnostics,
        ["3 lines print a time without a date (first: line 1): date 2024-08-31 taken from run metadata"]
    );
    assert_eq!((data.batches.len(), data.stats.malformed_lines), (2, 0));
    assert_eq!(data.memory_snapshots[0].mem_usage_gb, Some(14.96));
}

#[test]
fn time_only_lines_take_the_file_date_as_the_last_lines_day() {
    // Modified 2024-09-01T00:10:00 UTC: the last line is on that day, the earlier ones before
    // midnight on the day before.
    let day = UndatedDay::for_file(None, Some(1_725_149_400_000_000_000));
    assert_eq!(day.map(|d| d.source), Some(DaySource::FileModified));
    let data = parse(&SglangParser, AROUND_MIDNIGHT.as_bytes(), day);
    assert_eq!(stamps(&data), ["2024-08-31T23:59:58", "2024-08-31T23:59:59", "2024-09-01T00:00:01.5"]);
    assert_eq!(
        data.stats.diagnostics,
        ["3 lines print a time without a date (first: line 1): date 2024-09-01 taken from the file's modification time"]
    );
}

#[test]
fn time_only_lines_without_any_date_keep_no_timestamp_and_say_so() {
    let data = parse(&SglangParser, AROUND_MIDNIGHT.as_bytes(), None);
    assert_eq!(stamps(&data), ["", "", ""]);
    assert_eq!(data.batches.len(), 2);
    assert_eq!(
        data.stats.diagnostics,
        ["3 lines print a time without a date (first: line 1) and no run date or file time is known: their timestamps are left empty"]
    );
    // A dated log gets no note.
    let dated = "[2025-02-27 04:46:39 TP0] Decode batch. #running-req: 8, #token: 62531, token usage: 0.12, gen throughput (token/s): 186.64, #queue-req: 0\n";
    assert!(parse(&SglangParser, dated.as_bytes(), day_of("2024-08-31")).stats.diagnostics.is_empty());
}

#[test]
fn a_clock_going_back_passed_midnight_unless_by_seconds() {
    let line = |t: &str| {
        format!("[{t} TP0] Decode batch. #running-req: 1, #token: 40, token usage: 0.00, gen throughput (token/s): 1.00, #queue-req: 0\n")
    };
    // Ranks a second out of order stay on their day; a 13-hour silence over midnight, and a
    // second midnight, move on a day each.
    let text: String =
        ["20:00:05", "20:00:03", "09:00:00", "08:59:59", "23:00:00", "00:30:00"].map(line).concat();
    let data = parse(&SglangParser, text.as_bytes(), day_of("2024-08-31"));
    let want = [
        "2024-08-31T20:00:05",
        "2024-08-31T20:00:03",
        "2024-09-01T09:00:00",
        "2024-09-01T08:59:59",
        "2024-09-01T23:00:00",
        "2024-09-02T00:30:00",
    ];
    assert_eq!(stamps(&data), want);
}

fn day_of(date: &str) -> Option<UndatedDay> {
    UndatedDay::for_file(Some(date), None)
}

#[test]
fn trtllm_eras() {
    // trtllm-pr-3914 (Apr 2025): `elapsed_time` in seconds; the PR's next form adds
    // `num_scheduled_requests: 10`.
    let oldest = "[04/28/2025-09:56:44] [TRT-LLM] [I] iter = 198, global_rank = 0, rank = 0, currank_total_requests = 0/0, elapsed_time = 0.005060911178588867s, timestamp = 2025-04-28 09:56:44, states = {'num_ctx_requests': 0, 'num_ctx_tokens': 0, 'num_generation_tokens': 16}";
    let want = BatchRow {
        iteration: Some(198),
        host_step_time_ms: Some(0.005060911178588867 * 1000.0),
        new_seq: Some(0),
        new_token: Some(0),
        num_tokens: Some(16),
        ..row(Some("2025-04-28T09:56:44"), (0, 0, 0), BatchType::Decode)
    };
    assert_eq!(read_batch(parse_trtllm_line(oldest.as_bytes())), want);
    let next = oldest.replace(", states", ", num_scheduled_requests: 10, states");
    assert_eq!(read_batch(parse_trtllm_line(next.as_bytes())), BatchRow { running_req: Some(10), ..want });

    // tensorrtllm_backend-issue-217 (Dec 2023): the Triton backend's statistics, unwrapped.
    let triton = r#"I1218 03:35:37.688135 20559 libtensorrtllm.cc:1205] {"Active Request Count":1,"Context Requests":1,"Free KV cache blocks":480,"Generation Requests":0,"Iteration Counter":0,"Max KV cache blocks":513,"Max Request Count":64,"MicroBatch ID":0,"Runtime CPU Memory Usage":156,"Runtime GPU Memory Usage":3648012,"Runtime Pinned Memory Usage":16,"Scheduled Requests":1,"Timestamp":"12-18-2023 03:35:37","Tokens per KV cache block":64,"Total Context Tokens":2048,"Used KV cache blocks":1}"#;
    let want = BatchRow {
        iteration: Some(0),
        running_req: Some(1),
        new_seq: Some(1),
        new_token: Some(2048),
        ..row(Some("2023-12-18T03:35:37"), (0, 0, 0), BatchType::Prefill)
    };
    assert_eq!(read_batch(parse_trtllm_line(triton.as_bytes())), want);
    // A generation-only iteration is a decode batch; one with neither is idle.
    let decode = triton
        .replace(r#""Context Requests":1"#, r#""Context Requests":0"#)
        .replace(r#""Generation Requests":0"#, r#""Generation Requests":3"#)
        .replace(r#""Total Context Tokens":2048"#, r#""Total Context Tokens":0"#);
    let got = read_batch(parse_trtllm_line(decode.as_bytes()));
    assert_eq!(
        got,
        BatchRow { new_seq: Some(0), new_token: Some(0), batch_type: BatchType::Decode, ..want.clone() }
    );
    let idle = decode.replace(r#""Generation Requests":3"#, r#""Generation Requests":0"#);
    assert_eq!(parse_trtllm_line(idle.as_bytes()), LineEvent::IdleIteration);
    // Malformed: the hard-wrapped paste's first line; trtllm-issue-431's minimal object (no
    // request counts: no batch type to go by); an unparsable counter.
    for bad in [
        r#"I1218 03:35:37.688135 20559 libtensorrtllm.cc:1205] {"Active Request Count":1,"Context Requests":1,"Free KV cache "#.to_owned(),
        r#"I1120 02:29:01.795279 42888 libtensorrtllm.cc:1009] {"Active Request Count":1,"Iteration Counter":200,"Timestamp":"11-20-2023 02:29:01"}"#.to_owned(),
        triton.replace(r#""Iteration Counter":0"#, r#""Iteration Counter":"x""#),
    ] {
        assert!(matches!(parse_trtllm_line(bad.as_bytes()), LineEvent::Malformed(_)), "{bad}");
    }
}

#[test]
fn trtllm_model_weights_line() {
    // dgx-spark trtllm-serve 1.1.0rc3 (Dec 2025).
    let line = "[12/20/2025-04:20:21] [TRT-LLM] [I] Use 63.32 GB for model weights.";
    let LineEvent::Memory { snapshot, limits: None } = parse_trtllm_line(line.as_bytes()) else {
        panic!("not a memory line")
    };
    assert_eq!(
        (snapshot.event.as_str(), snapshot.mem_usage_gb, snapshot.avail_mem_gb, snapshot.kv_cache_gb),
        ("model_weights", Some(63.32), None, None)
    );
    assert_eq!(snapshot.timestamp, at("2025-12-20T04:20:21"));
    let data = parse(&TrtllmParser, line.as_bytes(), None);
    assert_eq!(data.memory_snapshots, [snapshot]);
}
