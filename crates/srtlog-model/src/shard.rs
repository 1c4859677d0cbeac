//! Shards of a run tree: which of `n` independent exports (one per SLURM array task) owns a job.
//!
//! A job belongs to shard `hash(job_id) mod n`, where `hash` is 64-bit FNV-1a of the id's bytes
//! followed by SplitMix64's finalizer (so that consecutive numeric ids spread evenly over the
//! shards). The rule depends on the job id alone, never on a run's position in a listing: runs
//! that come and go do not move the others, every run of one job id (`4401463/` and
//! `4401463_rerun/`, which share a dataset partition) is owned by the same shard, and the rule
//! is the same in every process, on every machine and in every srtlog version that keeps it.

use std::fmt;
use std::str::FromStr;

/// One shard of `count`, numbered from 0: `--shard 1/4` is the second of four.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// Why a shard spec (`i/n`) is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid shard {spec:?}: {reason} (expected i/n with 0 <= i < n, e.g. 0/4)")]
pub struct ShardError {
    spec: String,
    reason: &'static str,
}

impl Shard {
    /// Shard `index` of `count`; `None` unless `index < count`.
    pub fn new(index: u32, count: u32) -> Option<Self> {
        (index < count).then_some(Shard { index, count })
    }

    /// This shard's number, from 0.
    pub fn index(self) -> u32 {
        self.index
    }

    /// How many shards there are.
    pub fn count(self) -> u32 {
        self.count
    }

    /// The shard of `count` that owns `job_id` (see the module docs); `count` 0 is treated as 1.
    pub fn of(job_id: &str, count: u32) -> u32 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in job_id.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // SplitMix64's finalizer: FNV's low bits alone follow the last bytes too closely.
        hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        hash ^= hash >> 31;
        // The remainder is below `count`, which is a u32.
        u32::try_from(hash % u64::from(count.max(1))).unwrap_or(0)
    }

    /// Whether this shard owns `job_id`.
    pub fn owns(self, job_id: &str) -> bool {
        Shard::of(job_id, self.count) == self.index
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    /// Parses `i/n` (`0/4`).
    fn from_str(spec: &str) -> Result<Self, ShardError> {
        let err = |reason| ShardError { spec: spec.to_owned(), reason };
        let (i, n) = spec.trim().split_once('/').ok_or_else(|| err("no '/'"))?;
        let i: u32 = i.trim().parse().map_err(|_| err("the index is not a number"))?;
        let n: u32 = n.trim().parse().map_err(|_| err("the count is not a number"))?;
        if n == 0 {
            return Err(err("the count is 0"));
        }
        Shard::new(i, n).ok_or_else(|| err("the index is not below the count"))
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_index_below_count() {
        assert_eq!("1/4".parse::<Shard>().map(|s| (s.index(), s.count())), Ok((1, 4)));
        assert_eq!("0/1".parse::<Shard>().map(|s| s.to_string()), Ok("0/1".to_owned()));
        for bad in ["0/0", "3/2", "2/2", "1", "a/2", "1/b", "-1/2", "", "1/2/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let message = "3/2".parse::<Shard>().map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            message,
            "invalid shard \"3/2\": the index is not below the count (expected i/n with 0 <= i < n, e.g. 0/4)"
        );
    }

    #[test]
    fn owner_depends_on_the_job_id_alone_and_is_pinned() {
        // Pinned values (computed independently in Python from the rule in the module docs):
        // changing the rule would move every job of an existing sharded dataset.
        assert_eq!(Shard::of("4401463", 4), Shard::of("4401463", 4));
        assert_eq!(
            [Shard::of("4401463", 4), Shard::of("3667_1P_1D_20251110_192145", 4), Shard::of("", 4)],
            [PINNED_4401463, PINNED_3667, PINNED_EMPTY]
        );
        assert_eq!(Shard::of("anything", 1), 0);
        assert_eq!(Shard::of("anything", 0), 0);
        let shard = Shard::new(Shard::of("123", 3), 3).unwrap();
        assert!(shard.owns("123"));
    }

    #[test]
    fn consecutive_ids_spread_over_the_shards() {
        let mut counts = [0u32; 4];
        for id in 4_400_000..4_404_000 {
            counts[Shard::of(&id.to_string(), 4) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (900..=1100).contains(&c)), "{counts:?}");
    }

    const PINNED_4401463: u32 = 1;
    const PINNED_3667: u32 = 0;
    const PINNED_EMPTY: u32 = 3;
}
