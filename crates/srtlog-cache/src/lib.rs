//! Parquet cache (placeholder until the cache lands).
