//! Launch arguments by their real names: the one rule that turns a tool's command-line flags
//! (and the settings headers that stand for them) into typed values under the name the tool's
//! own parser gives them — the argparse `dest` / click parameter name, the name the servers'
//! `server_args` and config dumps use (`--tp 8` and `--tensor-parallel-size 8` are both
//! `tp_size = 8` for SGLang).
//!
//! The rule ([`Tool::dest`]): strip the leading dashes, `-` → `_`, then the tool's alias table
//! for flags whose destination is not their spelling; a settings-header key goes through the
//! tool's header table first ([`Tool::setting_dest`]: sa-bench's `req_rate=` is `request_rate`,
//! as `--request-rate` is). Values ([`ArgValue::from_word`]):
//! canonical integers are [`ArgValue::Int`], finite decimals [`ArgValue::Float`], the words
//! `true`/`false` (any case) [`ArgValue::Bool`], anything else [`ArgValue::Str`] — `inf` and
//! `nan` too, because JSON has no number for them and a string keeps what was written. A bare
//! flag is `true`; a flag followed by several words, or given several times, is an
//! [`ArgValue::List`]. There is no null: an argument that is absent is not in the map.
//!
//! ```
//! use srtlog_model::{shell_words, ArgValue, LaunchArgs, Tool};
//!
//! let words = shell_words("--tp 8 --enable-dp-attention --mem-fraction-static 0.8 --cuda-graph-bs 1 2 4");
//! let (args, positional) = LaunchArgs::from_flags(Tool::Sglang, &words);
//! assert!(positional.is_empty());
//! assert_eq!(args.get("tp_size"), Some(&ArgValue::Int(8)));
//! assert_eq!(args.get("enable_dp_attention"), Some(&ArgValue::Bool(true)));
//! assert_eq!(args.get("mem_fraction_static"), Some(&ArgValue::Float(0.8)));
//! assert_eq!(args.get("cuda_graph_bs").map(ArgValue::to_string).as_deref(), Some("[1,2,4]"));
//! ```

use std::collections::btree_map::{self, BTreeMap};
use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// One typed argument value. Serialized as the plain JSON value (`8`, `0.8`, `true`, `"x"`,
/// `[1, 2]`).
#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    /// A canonical integer (`8`, `-1`; not `08`).
    Int(i64),
    /// A finite decimal number (`0.8`, `1e-5`).
    Float(f64),
    /// A bare flag (`true`), or the word `true`/`false`.
    Bool(bool),
    /// Anything else, as written (`inf`, `/model`, `prefill`).
    Str(String),
    /// Several values: a flag with several words after it, or given several times.
    List(Vec<ArgValue>),
}

impl ArgValue {
    /// Types one word as written on a command line: canonical integers, finite decimals,
    /// `true`/`false` (any case); anything else, `inf` and `nan` included, is a string.
    pub fn from_word(word: &str) -> ArgValue {
        if is_canonical_int(word) {
            if let Ok(n) = word.parse::<i64>() {
                return ArgValue::Int(n);
            }
        }
        if looks_decimal(word) {
            if let Ok(x) = word.parse::<f64>() {
                if x.is_finite() {
                    return ArgValue::Float(x);
                }
            }
        }
        if word.eq_ignore_ascii_case("true") {
            return ArgValue::Bool(true);
        }
        if word.eq_ignore_ascii_case("false") {
            return ArgValue::Bool(false);
        }
        ArgValue::Str(word.to_owned())
    }

    /// The values of several words: one word is that word's value, more are a list.
    pub fn from_words<S: AsRef<str>>(words: &[S]) -> ArgValue {
        match words {
            [one] => ArgValue::from_word(one.as_ref()),
            many => ArgValue::List(many.iter().map(|w| ArgValue::from_word(w.as_ref())).collect()),
        }
    }

    /// The type's name, as the dataset's `value_type` column spells it: `int`, `float`,
    /// `bool`, `str`, `list`.
    pub fn type_name(&self) -> &'static str {
        match self {
            ArgValue::Int(_) => "int",
            ArgValue::Float(_) => "float",
            ArgValue::Bool(_) => "bool",
            ArgValue::Str(_) => "str",
            ArgValue::List(_) => "list",
        }
    }

    /// The integer, when the value is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            ArgValue::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The boolean, when the value is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ArgValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The string, when the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ArgValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            ArgValue::Int(n) => Value::from(*n),
            // Finite by construction; a hand-built non-finite float has no JSON number.
            ArgValue::Float(x) => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
            ArgValue::Bool(b) => Value::Bool(*b),
            ArgValue::Str(s) => Value::String(s.clone()),
            ArgValue::List(items) => Value::Array(items.iter().map(ArgValue::to_json).collect()),
        }
    }

    /// The value of a JSON value: integers that fit `i64` are [`ArgValue::Int`], other numbers
    /// [`ArgValue::Float`]. `null` and objects are not argument values; the message says which.
    pub fn from_json(value: &serde_json::Value) -> Result<ArgValue, String> {
        use serde_json::Value;
        Ok(match value {
            Value::Bool(b) => ArgValue::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => ArgValue::Int(i),
                None => ArgValue::Float(n.as_f64().ok_or_else(|| format!("number {n} out of range"))?),
            },
            Value::String(s) => ArgValue::Str(s.clone()),
            Value::Array(items) => {
                ArgValue::List(items.iter().map(ArgValue::from_json).collect::<Result<_, _>>()?)
            }
            Value::Null => return Err("null is not a launch-argument value".to_owned()),
            Value::Object(_) => return Err("an object is not a launch-argument value".to_owned()),
        })
    }

    /// Adds `more` after this value: a list grows, a scalar becomes a list of both.
    fn append(&mut self, more: ArgValue) {
        let items = match self {
            ArgValue::List(items) => items,
            scalar => {
                let first = std::mem::replace(scalar, ArgValue::List(Vec::new()));
                let ArgValue::List(items) = scalar else { unreachable!("just replaced by a list") };
                items.push(first);
                items
            }
        };
        match more {
            ArgValue::List(more) => items.extend(more),
            one => items.push(one),
        }
    }
}

/// The compact JSON text of the value (`8`, `"inf"`, `[1,2]`), as the dataset's `value`
/// column holds it.
impl fmt::Display for ArgValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

impl Serialize for ArgValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ArgValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        ArgValue::from_json(&value).map_err(de::Error::custom)
    }
}

/// `-?[1-9][0-9]*` or `0`: what a person writes for an integer. `08` and `+8` stay strings,
/// so that the value reads back as written.
fn is_canonical_int(word: &str) -> bool {
    let digits = word.strip_prefix('-').unwrap_or(word);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
}

/// Digits with a `.` or an exponent, nothing else: `0.8`, `.5`, `1e-5`, `-2.5`. (Rust's float
/// parser also takes `inf`, `nan` and `infinity`, which must stay strings; an integer too
/// large for `i64` stays a string rather than lose digits as a float.)
fn looks_decimal(word: &str) -> bool {
    let body = word.strip_prefix('-').unwrap_or(word);
    body.bytes().any(|b| b.is_ascii_digit())
        && body.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
        && body.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
}

/// Whether a word is a flag (`--x`, `-x`) rather than a value (`-1`, `-0.5` and `-` are values).
pub fn is_flag(word: &str) -> bool {
    word.len() > 1
        && word.starts_with('-')
        && !word[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.')
}

/// The program whose flags are read: it decides the alias table and how many words a flag
/// takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tool {
    /// SGLang's `sglang.launch_server` (and `dynamo.sglang`, `sglang_router.launch_server`,
    /// which take its `ServerArgs`): argparse.
    Sglang,
    /// `python3 -m dynamo.trtllm` (and the `tensorrt_llm` modules): argparse.
    DynamoTrtllm,
    /// `trtllm-serve`: click, one value per option, the model a positional argument.
    TrtllmServe,
    /// sa-bench's `benchmark_serving.py` and its `SA-Bench Config:` header: argparse.
    SaBench,
    /// `aiperf profile` and the mooncake-router header: cyclopts, which also makes `--no-x`
    /// for every boolean `--x`.
    Aiperf,
}

/// SGLang `ServerArgs` fields whose flags are not their names (`server_args.py`: `aliases=`;
/// `--tp`/`--dp`/`--ep`/`--pp` are the short forms its docs use, which argparse resolves as
/// unique prefixes of `--tp-size` ...).
const SGLANG_ALIASES: &[(&str, &str)] = &[
    ("model", "model_path"),
    ("tp", "tp_size"),
    ("tensor_parallel_size", "tp_size"),
    ("dp", "dp_size"),
    ("data_parallel_size", "dp_size"),
    ("ep", "ep_size"),
    ("expert_parallel_size", "ep_size"),
    ("pp", "pp_size"),
    ("pipeline_parallel_size", "pp_size"),
    ("decode_context_parallel_size", "dcp_size"),
    ("attention_context_parallel_size", "attn_cp_size"),
    ("moe_data_parallel_size", "moe_dp_size"),
];

/// `dynamo.trtllm`'s argparse: its flags are their destinations (`--model-path` →
/// `model_path`, `--tensor-parallel-size` → `tensor_parallel_size`).
const DYNAMO_TRTLLM_ALIASES: &[(&str, &str)] = &[];

/// `trtllm-serve`'s click options are spelled as their parameters (`--tp_size`,
/// `--max_batch_size`, `--extra_llm_api_options`).
const TRTLLM_SERVE_ALIASES: &[(&str, &str)] = &[];

/// sa-bench: `benchmark_serving.py`'s flags are their destinations (`--dataset-name` →
/// `dataset_name`, `--request-rate` → `request_rate`, `--max-concurrency` →
/// `max_concurrency`); bench.sh's own `--isl`/`--osl` are the lengths it passes on.
const SA_BENCH_ALIASES: &[(&str, &str)] = &[("isl", "random_input_len"), ("osl", "random_output_len")];

/// The keys of sa-bench's `SA-Bench Config:` / `Config ...` header, by the flag of
/// `benchmark_serving.py` that bench.sh passes each to (`concurrencies` are the
/// `--max-concurrency` values it loops over). The header's `endpoint=http://host:port` is the
/// server (`--base-url`), not `--endpoint`, the API path.
const SA_BENCH_HEADER: &[(&str, &str)] = &[
    ("req_rate", "request_rate"),
    ("isl", "random_input_len"),
    ("osl", "random_output_len"),
    ("concurrencies", "max_concurrency"),
    ("dataset", "dataset_name"),
    ("endpoint", "base_url"),
];

/// aiperf's fields and the short or alternative flags that set them (`aiperf profile --help`:
/// `-m`/`--model`/`--model-names`, `-u`/`--url`, `--endpoint`/`--custom-endpoint`,
/// `-H`/`--header`).
const AIPERF_ALIASES: &[(&str, &str)] = &[
    ("m", "model_names"),
    ("model", "model_names"),
    ("u", "url"),
    ("endpoint", "custom_endpoint"),
    ("H", "header"),
];

/// The mooncake-router header lines (`Endpoint:`, `Tokenizer Path:`, ...) by the aiperf
/// setting each is passed to; `Model:` goes through the flag table (`model` → `model_names`).
const AIPERF_HEADER: &[(&str, &str)] = &[("endpoint", "url"), ("tokenizer_path", "tokenizer")];

/// sa-bench flags whose value `benchmark_serving.py` splits at commas itself.
const SA_BENCH_COMMA_LISTS: &[&str] = &["percentile_metrics", "metric_percentiles"];

impl Tool {
    /// The tool's name as the model's `backend_type` / `benchmark_type` spells the family.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Sglang => "sglang",
            Tool::DynamoTrtllm => "dynamo.trtllm",
            Tool::TrtllmServe => "trtllm-serve",
            Tool::SaBench => "sa-bench",
            Tool::Aiperf => "aiperf",
        }
    }

    fn aliases(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Tool::Sglang => SGLANG_ALIASES,
            Tool::DynamoTrtllm => DYNAMO_TRTLLM_ALIASES,
            Tool::TrtllmServe => TRTLLM_SERVE_ALIASES,
            Tool::SaBench => SA_BENCH_ALIASES,
            Tool::Aiperf => AIPERF_ALIASES,
        }
    }

    /// Whether a flag takes every word up to the next flag (argparse `nargs="+"`, cyclopts
    /// lists); click options take exactly one.
    fn greedy(self) -> bool {
        !matches!(self, Tool::TrtllmServe)
    }

    fn header_aliases(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Tool::SaBench => SA_BENCH_HEADER,
            Tool::Aiperf => AIPERF_HEADER,
            Tool::Sglang | Tool::DynamoTrtllm | Tool::TrtllmServe => &[],
        }
    }

    /// THE normalization rule: the destination name of a flag or settings key of this tool.
    /// Leading dashes are stripped, `-` becomes `_`, then the tool's alias table applies.
    ///
    /// ```
    /// use srtlog_model::Tool;
    /// assert_eq!(Tool::Sglang.dest("--tp"), "tp_size");
    /// assert_eq!(Tool::Sglang.dest("--served-model-name"), "served_model_name");
    /// assert_eq!(Tool::TrtllmServe.dest("--max_batch_size"), "max_batch_size");
    /// assert_eq!(Tool::SaBench.dest("--request-rate"), "request_rate");
    /// ```
    pub fn dest(self, flag: &str) -> String {
        let name = flag.trim_start_matches('-').replace('-', "_");
        match self.aliases().iter().find(|(from, _)| *from == name) {
            Some((_, to)) => (*to).to_owned(),
            None => name,
        }
    }

    /// The destination of a setting named outside the flags — a key of the tool's settings
    /// header (sa-bench's `req_rate=`, mooncake-router's `Endpoint:`), a positional argument —
    /// by the same rule: the header table of the tool first, then [`Tool::dest`].
    ///
    /// ```
    /// use srtlog_model::Tool;
    /// assert_eq!(Tool::SaBench.setting_dest("req_rate"), Tool::SaBench.dest("--request-rate"));
    /// assert_eq!(Tool::SaBench.setting_dest("concurrencies"), "max_concurrency");
    /// assert_eq!(Tool::Aiperf.setting_dest("endpoint"), Tool::Aiperf.dest("-u"));
    /// ```
    pub fn setting_dest(self, key: &str) -> String {
        let name = key.trim().replace(['-', ' '], "_");
        match self.header_aliases().iter().find(|(from, _)| *from == name) {
            Some((_, to)) => (*to).to_owned(),
            None => self.dest(&name),
        }
    }

    /// The value of `words` given to flag `dest`: the words typed, and split at commas where
    /// the tool itself splits them.
    fn value(self, dest: &str, words: &[&str]) -> ArgValue {
        if self == Tool::SaBench && SA_BENCH_COMMA_LISTS.contains(&dest) {
            let parts: Vec<&str> =
                words.iter().flat_map(|w| w.split(',')).filter(|p| !p.is_empty()).collect();
            if !parts.is_empty() {
                return ArgValue::List(parts.iter().map(|p| ArgValue::from_word(p)).collect());
            }
        }
        ArgValue::from_words(words)
    }
}

/// A command's arguments: destination name → typed value, ordered by name. Built only through
/// [`LaunchArgs::from_flags`] and [`LaunchArgs::insert_setting`], so every name went through
/// [`Tool::dest`]. Serialized as a JSON object of typed values.
///
/// The API for comparing runs: [`get`](LaunchArgs::get) one setting by its normalized name,
/// [`iter`](LaunchArgs::iter) all of them in name order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LaunchArgs(BTreeMap<String, ArgValue>);

impl LaunchArgs {
    /// No arguments.
    pub fn new() -> Self {
        LaunchArgs::default()
    }

    /// Reads `--flag value`, `--flag=value`, `-f value` and bare `--flag` words of `tool`.
    /// Returns the arguments and the positional words (those before the first flag, and, for
    /// a tool whose options take one value, those after an option's value).
    ///
    /// A flag followed by several words takes them all (a list), a flag given again adds its
    /// values to a list, a bare flag is `true`; for aiperf `--no-x` is `x = false`.
    pub fn from_flags<S: AsRef<str>>(tool: Tool, words: &[S]) -> (LaunchArgs, Vec<String>) {
        let mut args = LaunchArgs::new();
        let mut positional = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let word = words[i].as_ref();
            i += 1;
            if !is_flag(word) {
                positional.push(word.to_owned());
                continue;
            }
            let (flag, inline) = match word.split_once('=') {
                Some((f, v)) => (f, Some(v)),
                None => (word, None),
            };
            if flag.trim_start_matches('-').is_empty() {
                positional.push(word.to_owned());
                continue;
            }
            let mut values: Vec<&str> = inline.into_iter().collect();
            if inline.is_none() {
                while i < words.len() && !is_flag(words[i].as_ref()) {
                    values.push(words[i].as_ref());
                    i += 1;
                    if !tool.greedy() {
                        break;
                    }
                }
            }
            let mut dest = tool.dest(flag);
            let value = if values.is_empty() {
                match dest.strip_prefix("no_").filter(|_| tool == Tool::Aiperf) {
                    Some(positive) => {
                        dest = positive.to_owned();
                        ArgValue::Bool(false)
                    }
                    None => ArgValue::Bool(true),
                }
            } else {
                tool.value(&dest, &values)
            };
            args.push(dest, value);
        }
        (args, positional)
    }

    /// Records a setting read from somewhere other than flags (a settings header, the model
    /// positional of `trtllm-serve`) under `tool`'s name for `key` ([`Tool::setting_dest`]),
    /// unless the setting is already there: what an earlier source said is kept.
    pub fn insert_setting(&mut self, tool: Tool, key: &str, value: ArgValue) {
        self.0.entry(tool.setting_dest(key)).or_insert(value);
    }

    /// Adds every argument of `other` that is not set here.
    pub fn merge_missing(&mut self, other: LaunchArgs) {
        for (name, value) in other.0 {
            self.0.entry(name).or_insert(value);
        }
    }

    /// Removes the argument `name` (a destination name), returning its value.
    pub fn remove(&mut self, name: &str) -> Option<ArgValue> {
        self.0.remove(name)
    }

    fn push(&mut self, dest: String, value: ArgValue) {
        match self.0.entry(dest) {
            btree_map::Entry::Vacant(slot) => {
                slot.insert(value);
            }
            btree_map::Entry::Occupied(mut slot) => slot.get_mut().append(value),
        }
    }

    /// The value of the argument `name` (a destination name, `tp_size`).
    pub fn get(&self, name: &str) -> Option<&ArgValue> {
        self.0.get(name)
    }

    /// Whether the argument `name` is set.
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Every argument, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ArgValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many arguments there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a LaunchArgs {
    type Item = (&'a String, &'a ArgValue);
    type IntoIter = btree_map::Iter<'a, String, ArgValue>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Builds arguments from `(name, value)` pairs whose names are already destinations (a
/// decoded dataset table, a test's expectation); repeated names become lists as on a command
/// line.
impl FromIterator<(String, ArgValue)> for LaunchArgs {
    fn from_iter<I: IntoIterator<Item = (String, ArgValue)>>(iter: I) -> Self {
        let mut args = LaunchArgs::new();
        for (name, value) in iter {
            args.push(name, value);
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell_words;

    fn parse(tool: Tool, cmd: &str) -> (LaunchArgs, Vec<String>) {
        LaunchArgs::from_flags(tool, &shell_words(cmd))
    }

    #[test]
    fn words_are_typed_as_written() {
        for (word, want) in [
            ("8", ArgValue::Int(8)),
            ("-1", ArgValue::Int(-1)),
            ("0", ArgValue::Int(0)),
            ("08", ArgValue::Str("08".into())),
            ("+8", ArgValue::Str("+8".into())),
            ("0.8", ArgValue::Float(0.8)),
            (".5", ArgValue::Float(0.5)),
            ("1e-5", ArgValue::Float(1e-5)),
            ("-2.5", ArgValue::Float(-2.5)),
            ("inf", ArgValue::Str("inf".into())),
            ("nan", ArgValue::Str("nan".into())),
            ("Infinity", ArgValue::Str("Infinity".into())),
            ("true", ArgValue::Bool(true)),
            ("False", ArgValue::Bool(false)),
            ("1.2.3", ArgValue::Str("1.2.3".into())),
            ("e5", ArgValue::Str("e5".into())),
            ("99999999999999999999", ArgValue::Str("99999999999999999999".into())),
            ("/model", ArgValue::Str("/model".into())),
            ("", ArgValue::Str(String::new())),
        ] {
            assert_eq!(ArgValue::from_word(word), want, "{word:?}");
        }
    }

    #[test]
    fn sglang_aliases_repeats_and_lists() {
        let (a, p) = parse(
            Tool::Sglang,
            "--model /m --tp 8 --dp-size=2 --ep 8 --disaggregation-mode prefill --enable-dp-attention \
             --cuda-graph-bs 1 2 4 --lora-paths a=x --lora-paths b=y --offset -1 --no-x",
        );
        assert!(p.is_empty());
        let got: Vec<(&str, String)> = a.iter().map(|(k, v)| (k, v.to_string())).collect();
        assert_eq!(
            got,
            [
                ("cuda_graph_bs", "[1,2,4]"),
                ("disaggregation_mode", "\"prefill\""),
                ("dp_size", "2"),
                ("enable_dp_attention", "true"),
                ("ep_size", "8"),
                ("lora_paths", "[\"a=x\",\"b=y\"]"),
                ("model_path", "\"/m\""),
                ("no_x", "true"),
                ("offset", "-1"),
                ("tp_size", "8"),
            ]
            .map(|(k, v)| (k, v.to_owned()))
        );
        // The long forms name the same settings.
        let (long, _) =
            parse(Tool::Sglang, "--tensor-parallel-size 8 --expert-parallel-size 8 --model-path /m");
        for name in ["tp_size", "ep_size", "model_path"] {
            assert_eq!(long.get(name), a.get(name), "{name}");
        }
    }

    #[test]
    fn click_options_take_one_value_and_leave_positionals() {
        let (a, p) =
            parse(Tool::TrtllmServe, "serve /model --tp_size 8 --backend pytorch extra --trust_remote_code");
        assert_eq!(p, ["serve", "/model", "extra"]);
        assert_eq!(a.get("tp_size"), Some(&ArgValue::Int(8)));
        assert_eq!(a.get("backend"), Some(&ArgValue::Str("pytorch".into())));
        assert_eq!(a.get("trust_remote_code"), Some(&ArgValue::Bool(true)));
    }

    #[test]
    fn benchmark_flags_and_headers_share_names() {
        let (mut a, _) = parse(
            Tool::SaBench,
            "--request-rate inf --percentile-metrics ttft,tpot,itl --metric-percentiles 90,99",
        );
        assert_eq!(
            a.get("percentile_metrics").map(ArgValue::to_string).as_deref(),
            Some(r#"["ttft","tpot","itl"]"#)
        );
        assert_eq!(a.get("metric_percentiles").map(ArgValue::to_string).as_deref(), Some("[90,99]"));
        a.insert_setting(Tool::SaBench, "req_rate", ArgValue::Str("10".into()));
        assert_eq!(a.get("request_rate"), Some(&ArgValue::Str("inf".into())), "what is there is kept");
        assert!(!a.contains("req_rate"));

        let (b, _) = parse(Tool::Aiperf, "-m M -u http://h:8000 --streaming --no-verbose --endpoint /v1/x");
        assert_eq!(b.get("model_names"), Some(&ArgValue::Str("M".into())));
        assert_eq!(b.get("url"), Some(&ArgValue::Str("http://h:8000".into())));
        assert_eq!(b.get("streaming"), Some(&ArgValue::Bool(true)));
        assert_eq!(b.get("verbose"), Some(&ArgValue::Bool(false)));
        assert_eq!(b.get("custom_endpoint"), Some(&ArgValue::Str("/v1/x".into())));
        assert_eq!(Tool::Aiperf.setting_dest("endpoint"), "url");
        assert_eq!(Tool::Aiperf.setting_dest("model"), "model_names");
        assert_eq!(Tool::Aiperf.setting_dest("tokenizer_path"), "tokenizer");
        assert_eq!(Tool::SaBench.setting_dest("endpoint"), "base_url");
        assert_eq!(Tool::SaBench.dest("--endpoint"), "endpoint");
        assert_eq!(Tool::SaBench.setting_dest("isl"), Tool::SaBench.dest("--random-input-len"));
    }

    #[test]
    fn json_is_one_typed_value_per_argument_and_reads_back() {
        let (a, _) =
            parse(Tool::Sglang, "--tp 8 --mem-fraction-static 0.85 --x inf --flag --list 1 a --f 2.0");
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            json,
            r#"{"f":2.0,"flag":true,"list":[1,"a"],"mem_fraction_static":0.85,"tp_size":8,"x":"inf"}"#
        );
        let back: LaunchArgs = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        // A document written before values were typed still reads (as strings, names as they were).
        let old: LaunchArgs = serde_json::from_str(r#"{"tp-size": "4"}"#).unwrap();
        assert_eq!(old.get("tp-size"), Some(&ArgValue::Str("4".into())));
        let err = serde_json::from_str::<LaunchArgs>(r#"{"x": null}"#).unwrap_err().to_string();
        assert!(err.contains("null is not a launch-argument value"), "{err}");
    }
}
