//! [`RunFilter`]: which runs a command is about (`--job`, `--tag`, `--gpu-type`, `--backend`,
//! `--since`), applied right after a run's metadata is read so that filtered-out runs cost no
//! result or log parsing.

use srtlog_model::{RunMetadata, Shard, Timestamp};

/// A conjunction of run predicates; an empty list means "any". Within one list any value
/// matches (`--tag a --tag b` keeps runs tagged `a` or `b`); values compare case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFilter {
    /// Job ids to keep.
    pub jobs: Vec<String>,
    /// Tags, any of which a run must carry.
    pub tags: Vec<String>,
    /// GPU types (`gb200`, `h100`).
    pub gpu_types: Vec<String>,
    /// Backends (`sglang`, `trtllm`).
    pub backends: Vec<String>,
    /// Keep runs dated at or after this time (`2026-01-01` or `2026-01-01T12:00:00`).
    pub since: Option<Timestamp>,
    /// Keep only the jobs this shard owns ([`Shard::owns`], by the metadata's job id), so that
    /// `n` independent exports split a tree without parsing each other's runs.
    pub shard: Option<Shard>,
}

impl RunFilter {
    /// Whether no predicate is set.
    pub fn is_empty(&self) -> bool {
        *self == RunFilter::default()
    }

    /// Parses a `--since` value: a date (`2026-01-16`) or a date and time.
    pub fn parse_since(text: &str) -> Result<Timestamp, String> {
        let text = text.trim();
        let full = if text.len() == 10 { format!("{text}T00:00:00") } else { text.to_owned() };
        Timestamp::parse(&full)
            .ok_or_else(|| format!("--since: {text:?} is not a date (YYYY-MM-DD[THH:MM:SS])"))
    }

    /// Whether a job id passes the `--job` predicate (used before metadata is read).
    pub fn accepts_job_id(&self, job_id: Option<&str>) -> bool {
        self.jobs.is_empty() || job_id.is_some_and(|j| self.jobs.iter().any(|f| f == j))
    }

    /// Whether a run passes every predicate.
    pub fn accepts(&self, m: &RunMetadata) -> bool {
        let any = |wanted: &[String], have: Option<&str>| {
            wanted.is_empty() || have.is_some_and(|h| wanted.iter().any(|w| w.eq_ignore_ascii_case(h)))
        };
        self.accepts_job_id(Some(&m.job_id))
            && any(&self.gpu_types, m.gpu_type.as_deref())
            && any(&self.backends, m.backend_type.as_deref())
            && (self.tags.is_empty() || m.tags.iter().any(|t| any(&self.tags, Some(t))))
            && self.since.is_none_or(|since| {
                m.run_date
                    .as_deref()
                    .and_then(Timestamp::parse)
                    .is_some_and(|d| d.wall_micros >= since.wall_micros)
            })
            && self.shard.is_none_or(|shard| shard.owns(&m.job_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(job: &str, gpu: &str, backend: &str, tags: &[&str], date: &str) -> RunMetadata {
        RunMetadata {
            job_id: job.into(),
            run_date: Some(date.into()),
            gpu_type: Some(gpu.into()),
            backend_type: Some(backend.into()),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            ..RunMetadata::default()
        }
    }

    #[test]
    fn each_predicate_filters() {
        let a = run("100", "gb200", "sglang", &["nightly"], "2026-01-16T06:12:41");
        let b = run("200", "H100", "trtllm", &[], "2025-12-01T00:00:00");
        assert!(RunFilter::default().accepts(&a) && RunFilter::default().accepts(&b));
        let f = RunFilter { jobs: vec!["200".into()], ..Default::default() };
        assert!(!f.accepts(&a) && f.accepts(&b));
        let f = RunFilter { gpu_types: vec!["h100".into()], ..Default::default() };
        assert!(!f.accepts(&a) && f.accepts(&b), "GPU types compare case-insensitively");
        let f = RunFilter { backends: vec!["sglang".into()], ..Default::default() };
        assert!(f.accepts(&a) && !f.accepts(&b));
        let f = RunFilter { tags: vec!["nightly".into(), "other".into()], ..Default::default() };
        assert!(f.accepts(&a) && !f.accepts(&b));
        let f =
            RunFilter { since: Some(RunFilter::parse_since("2026-01-01").unwrap()), ..Default::default() };
        assert!(f.accepts(&a) && !f.accepts(&b));
        assert!(RunFilter::parse_since("last week").is_err());
        // A shard keeps exactly the jobs it owns: the shards of one count split the runs.
        let shards: Vec<RunFilter> =
            (0..3).map(|i| RunFilter { shard: Shard::new(i, 3), ..Default::default() }).collect();
        for m in [&a, &b] {
            assert_eq!(shards.iter().filter(|f| f.accepts(m)).count(), 1, "{}", m.job_id);
            let owner = Shard::of(&m.job_id, 3) as usize;
            assert!(shards[owner].accepts(m));
        }
    }
}
