//! Benchmark-result parsers (placeholder until the parsers land).
