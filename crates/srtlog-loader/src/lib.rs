//! Run loader (placeholder until the loader lands).
