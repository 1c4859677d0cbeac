//! What a run's partition was built from: a digest of the run's listing and of the export's
//! settings, recorded per run in the partition manifest, so that `export --refresh` rewrites
//! only the runs whose sources changed.
//!
//! The listing ([`RunFiles`], built by the loader: every file the parsers may read, with its
//! size and modification time) is what the cache's fingerprints are made of too, so a run the
//! cache would re-parse is a run the refresh rewrites. Left out: srtlog's own `cached_assets/`
//! (the cache writing there is not a change of the run) and directories' modification times
//! (a file added or removed shows as its own entry). In: each file's relative path, size and
//! mtime in nanoseconds, each directory's and special file's path, and the [`BuildSettings`] —
//! the srtlog version, the dataset schema version, whether worker logs were read and the line
//! limit — because each changes the rows written from the same files.

use srtlog_model::{EntryKind, RunFiles};

/// The export's settings that change the rows written from the same source files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildSettings {
    /// Worker logs were parsed (`batches/`, `memory/` and workers' `launch_args/` have rows).
    pub nodes: bool,
    /// aiperf request records were read (`requests/` has rows).
    pub requests: bool,
    /// The longest log line parsed whole (`--max-line-bytes`).
    pub max_line_bytes: usize,
}

/// 128-bit FNV-1a, fed field by field with a separator byte after each.
struct Fnv128(u128);

impl Fnv128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

    fn field(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().chain(std::iter::once(&0xff)) {
            self.0 ^= u128::from(b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }
}

/// Whether the listing entry at `path` is srtlog's own cache, never a source.
fn is_cache(path: &str) -> bool {
    path == "cached_assets" || path.starts_with("cached_assets/")
}

/// The digest of what a run's rows are built from (see the module docs), as 32 hex digits.
/// Equal listings and settings give equal digests in every process and srtlog build of one
/// version; the listing's entries are sorted by path by [`RunFiles::new`].
pub fn source_digest(files: &RunFiles, settings: BuildSettings) -> String {
    let mut h = Fnv128(Fnv128::OFFSET);
    h.field(b"srtlog-dataset-sources/1");
    h.field(env!("CARGO_PKG_VERSION").as_bytes());
    h.field(crate::DATASET_SCHEMA_VERSION.to_string().as_bytes());
    h.field(&[u8::from(settings.nodes), u8::from(settings.requests)]);
    h.field(settings.max_line_bytes.to_string().as_bytes());
    for entry in files.entries().iter().filter(|e| !is_cache(&e.path)) {
        match entry.kind {
            EntryKind::File => {
                h.field(b"f");
                h.field(entry.path.as_bytes());
                h.field(&entry.size.to_le_bytes());
                h.field(&entry.mtime_ns.to_le_bytes());
            }
            EntryKind::Dir => {
                h.field(b"d");
                h.field(entry.path.as_bytes());
            }
            EntryKind::Special => {
                h.field(b"s");
                h.field(entry.path.as_bytes());
            }
        }
    }
    format!("{:032x}", h.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use srtlog_model::FileEntry;

    const SETTINGS: BuildSettings = BuildSettings { nodes: true, requests: true, max_line_bytes: 1 << 20 };

    fn listing(entries: Vec<FileEntry>) -> RunFiles {
        RunFiles::new("/runs/1", entries)
    }

    #[test]
    fn changes_with_a_source_and_not_with_the_cache() {
        let base = || {
            vec![
                FileEntry::dir("logs", 5),
                FileEntry::file("logs/benchmark.out", 10, 100),
                FileEntry::file("1.json", 3, 7),
            ]
        };
        let d = source_digest(&listing(base()), SETTINGS);
        assert_eq!(d.len(), 32);
        assert_eq!(d, source_digest(&listing(base()), SETTINGS));
        // The cache and directory mtimes are not sources.
        let mut cached = base();
        cached.push(FileEntry::dir("cached_assets", 9));
        cached.push(FileEntry::file("cached_assets/benchmark_results.parquet", 99, 9));
        cached[0] = FileEntry::dir("logs", 6);
        assert_eq!(d, source_digest(&listing(cached), SETTINGS));
        // A file's size, mtime, name, a new file and a setting each change it.
        let mut longer = base();
        longer[1] = FileEntry::file("logs/benchmark.out", 11, 100);
        let mut touched = base();
        touched[1] = FileEntry::file("logs/benchmark.out", 10, 101);
        let mut renamed = base();
        renamed[2] = FileEntry::file("2.json", 3, 7);
        let mut added = base();
        added.push(FileEntry::file("logs/w0.out", 0, 1));
        let others = [
            source_digest(&listing(longer), SETTINGS),
            source_digest(&listing(touched), SETTINGS),
            source_digest(&listing(renamed), SETTINGS),
            source_digest(&listing(added), SETTINGS),
            source_digest(&listing(base()), BuildSettings { nodes: false, ..SETTINGS }),
            source_digest(&listing(base()), BuildSettings { max_line_bytes: 1, ..SETTINGS }),
        ];
        let distinct: std::collections::BTreeSet<&String> = others.iter().chain([&d]).collect();
        assert_eq!(distinct.len(), others.len() + 1);
    }
}
