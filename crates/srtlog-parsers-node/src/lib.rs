//! Worker-log parsers (placeholder until the parsers land).
