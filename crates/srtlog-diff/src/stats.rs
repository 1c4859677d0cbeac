//! The spread of a metric over a side's repeats, the bootstrap interval of its median, and the
//! one rule that says whether a difference is within noise.
//!
//! A side's value at a point is the **median** over its repeats (the runs of that side that
//! measured the point; one run: its value). Its **noise interval** is, with three or more
//! repeats, the 95 % bootstrap percentile interval of the median ([`BOOTSTRAP_RESAMPLES`]
//! resamples drawn with a SplitMix64 generator seeded with [`BOOTSTRAP_SEED`] and the number
//! of values, so that the same values always give the same interval); with two repeats, their
//! min–max; with one, the value itself. A difference is **within noise** when the two sides'
//! noise intervals overlap, **beyond noise** when they do not and at least one side has
//! repeats, and **unknown** when both sides are single runs: a single pair can show a change
//! but not whether it is larger than run-to-run variation.

use serde::{Deserialize, Serialize};

/// Resamples drawn for a bootstrap interval.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;
/// Seed of the bootstrap's generator (mixed with the number of values).
pub const BOOTSTRAP_SEED: u64 = 0x5EED_D1FF;

/// A metric's values on one side at one point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// The values, one per repeat, in run order.
    pub values: Vec<f64>,
    /// Their median (the side's value).
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// 95 % bootstrap interval of the median, with at least three values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_ci95: Option<[f64; 2]>,
}

impl Spread {
    /// The spread of `values`; `None` when there are none.
    pub fn of(values: Vec<f64>) -> Option<Spread> {
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let median = median_of_sorted(&sorted)?;
        let median_ci95 = (values.len() >= 3).then(|| bootstrap_median_ci(&sorted));
        Some(Spread { min: sorted[0], max: sorted[sorted.len() - 1], median, median_ci95, values })
    }

    /// Number of repeats.
    pub fn n(&self) -> usize {
        self.values.len()
    }

    /// The interval [`noise`] compares (see the module docs).
    pub fn noise_interval(&self) -> [f64; 2] {
        self.median_ci95.unwrap_or([self.min, self.max])
    }
}

/// Whether a difference is larger than run-to-run variation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Noise {
    /// Both sides are single runs: the variation is not known.
    Unknown,
    /// The sides' noise intervals overlap.
    Within,
    /// They do not, and at least one side has repeats.
    Beyond,
}

impl Noise {
    /// The words tables print.
    pub fn as_str(self) -> &'static str {
        match self {
            Noise::Unknown => "noise unknown",
            Noise::Within => "within noise",
            Noise::Beyond => "beyond noise",
        }
    }
}

/// The noise verdict of a difference between two spreads (see the module docs).
pub fn noise(a: &Spread, b: &Spread) -> Noise {
    if a.n() < 2 && b.n() < 2 {
        return Noise::Unknown;
    }
    let ([a_lo, a_hi], [b_lo, b_hi]) = (a.noise_interval(), b.noise_interval());
    if a_lo <= b_hi && b_lo <= a_hi {
        Noise::Within
    } else {
        Noise::Beyond
    }
}

/// The median of sorted values: the middle one, or the mean of the two middle ones.
pub fn median_of_sorted(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The median by selection (linear time, for the long lists of a worker's batches); reorders
/// `values`. The model's rule, so that a worker's median here is the one `derived` gives.
pub use srtlog_model::derived::median as median_in_place;

/// SplitMix64: small, fast, and the same sequence on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// An index below `n` (the modulo bias is below 2⁻⁵⁰ for the few values a side has).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The 2.5th and 97.5th percentiles of the medians of [`BOOTSTRAP_RESAMPLES`] resamples (with
/// replacement, as many values as there are) of `sorted`.
fn bootstrap_median_ci(sorted: &[f64]) -> [f64; 2] {
    let n = sorted.len();
    let mut rng = SplitMix64(BOOTSTRAP_SEED ^ n as u64);
    let mut sample = vec![0.0; n];
    let mut medians: Vec<f64> = (0..BOOTSTRAP_RESAMPLES)
        .map(|_| {
            for s in sample.iter_mut() {
                *s = sorted[rng.below(n)];
            }
            sample.sort_by(f64::total_cmp);
            median_of_sorted(&sample).unwrap_or(f64::NAN)
        })
        .collect();
    medians.sort_by(f64::total_cmp);
    let at = |q: f64| {
        medians[((q * (BOOTSTRAP_RESAMPLES - 1) as f64).round() as usize).min(BOOTSTRAP_RESAMPLES - 1)]
    };
    [at(0.025), at(0.975)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_of_one_two_and_many_values() {
        let one = Spread::of(vec![5.0]).unwrap();
        assert_eq!((one.median, one.min, one.max, one.median_ci95), (5.0, 5.0, 5.0, None));
        let two = Spread::of(vec![4.0, 2.0]).unwrap();
        assert_eq!((two.median, two.noise_interval()), (3.0, [2.0, 4.0]));
        let many = Spread::of(vec![10.0, 12.0, 11.0, 30.0, 9.0]).unwrap();
        assert_eq!(many.median, 11.0);
        let [lo, hi] = many.median_ci95.unwrap();
        // The median of a resample is one of the values, and the interval holds the median.
        assert!(many.values.contains(&lo) && many.values.contains(&hi));
        assert!(lo <= 11.0 && 11.0 <= hi && lo >= 9.0 && hi <= 30.0);
        assert_eq!(Spread::of(vec![]), None);
    }

    #[test]
    fn the_bootstrap_is_deterministic() {
        let v = vec![100.0, 103.0, 98.0, 101.0];
        assert_eq!(Spread::of(v.clone()).unwrap().median_ci95, Spread::of(v).unwrap().median_ci95);
    }

    #[test]
    fn noise_needs_repeats_and_compares_intervals() {
        let s = |v: &[f64]| Spread::of(v.to_vec()).unwrap();
        assert_eq!(noise(&s(&[100.0]), &s(&[90.0])), Noise::Unknown);
        assert_eq!(noise(&s(&[100.0, 104.0, 98.0]), &s(&[101.0, 99.0, 103.0])), Noise::Within);
        assert_eq!(noise(&s(&[100.0, 101.0, 99.0]), &s(&[90.0, 91.0, 89.0])), Noise::Beyond);
        // One side single: its value against the other's interval.
        assert_eq!(noise(&s(&[100.0]), &s(&[99.0, 102.0])), Noise::Within);
        assert_eq!(noise(&s(&[120.0]), &s(&[99.0, 102.0])), Noise::Beyond);
    }

    #[test]
    fn median_in_place_matches_the_sorted_median() {
        let mut v = vec![3.0, 1.0, 4.0, 1.0, 5.0, 9.0];
        assert_eq!(median_in_place(&mut v), Some(3.5));
        assert_eq!(median_in_place(&mut []), None);
    }
}
