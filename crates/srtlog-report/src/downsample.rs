//! Min/max downsampling of timelines, so a million batches embed as a few thousand rows.
//!
//! The rule: split the time span into `buckets` equal intervals. A bucket with one sample keeps
//! it as is. A bucket with more keeps two rows, at the times of its first and last sample; in
//! each column those two rows hold the bucket's minimum and maximum, in the order they
//! occurred. Every spike and every dip of every column therefore survives (a line through the
//! rows touches each bucket's extremes, which is all a pixel column can show), and the output
//! has at most `2 × buckets` rows. A series with no more than `2 × buckets` samples is kept
//! unchanged.
//!
//! Gaps: where two consecutive output rows are further apart than `gap` seconds, a row of
//! nulls is inserted between them, so the chart breaks the line instead of drawing a straight
//! segment across a stretch in which the worker logged nothing.

/// A downsampled series: shared time axis and one column per metric.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Downsampled {
    /// Times (seconds), ascending.
    pub t: Vec<f64>,
    /// One column per input column, each as long as `t`.
    pub columns: Vec<Vec<Option<f64>>>,
}

impl Downsampled {
    fn push_row(&mut self, t: f64, values: impl Iterator<Item = Option<f64>>) {
        self.t.push(t);
        for (col, v) in self.columns.iter_mut().zip(values) {
            col.push(v);
        }
    }
}

/// Downsamples `columns` sampled at times `t` (ascending; `NaN`/infinite values count as
/// missing) to at most `2 × buckets` rows plus gap markers; see the module docs for the rule.
///
/// `t` and every column must have the same length; extra entries of longer inputs are ignored.
/// `buckets` of 0 is treated as 1.
pub fn min_max(t: &[f64], columns: &[&[Option<f64>]], buckets: usize, gap: Option<f64>) -> Downsampled {
    let n = columns.iter().map(|c| c.len()).chain(std::iter::once(t.len())).min().unwrap_or(0);
    let clean = |v: Option<f64>| v.filter(|x| x.is_finite());
    let buckets = buckets.max(1);
    let mut raw = Downsampled { t: Vec::new(), columns: vec![Vec::new(); columns.len()] };
    if n == 0 {
        return raw;
    }
    if n <= 2 * buckets {
        for i in 0..n {
            raw.push_row(t[i], columns.iter().map(|c| clean(c[i])));
        }
        return insert_gaps(raw, gap);
    }
    let (t0, t1) = (t[0], t[n - 1]);
    let width = (t1 - t0) / buckets as f64;
    let mut start = 0;
    while start < n {
        // The bucket of sample `start`, and the end of that bucket.
        let b = if width > 0.0 { (((t[start] - t0) / width) as usize).min(buckets - 1) } else { buckets - 1 };
        let limit = t0 + width * (b + 1) as f64;
        let mut end = start + 1;
        while end < n && (b == buckets - 1 || t[end] < limit) {
            end += 1;
        }
        if end - start == 1 {
            raw.push_row(t[start], columns.iter().map(|c| clean(c[start])));
        } else {
            let mut first = Vec::with_capacity(columns.len());
            let mut second = Vec::with_capacity(columns.len());
            for c in columns {
                let (lo, hi) = extremes(&c[start..end]);
                let (a, b) = match (lo, hi) {
                    (Some((ilo, vlo)), Some((ihi, vhi))) if ilo <= ihi => (Some(vlo), Some(vhi)),
                    (Some((_, vlo)), Some((_, vhi))) => (Some(vhi), Some(vlo)),
                    _ => (None, None),
                };
                first.push(a);
                second.push(b);
            }
            raw.push_row(t[start], first.into_iter());
            raw.push_row(t[end - 1], second.into_iter());
        }
        start = end;
    }
    insert_gaps(raw, gap)
}

/// A value and its index in the bucket.
type At = Option<(usize, f64)>;

/// (index, value) of the minimum and of the maximum finite value; first occurrence wins.
fn extremes(values: &[Option<f64>]) -> (At, At) {
    let mut lo: At = None;
    let mut hi: At = None;
    for (i, v) in values.iter().enumerate() {
        let Some(v) = v.filter(|x| x.is_finite()) else { continue };
        if lo.is_none_or(|(_, m)| v < m) {
            lo = Some((i, v));
        }
        if hi.is_none_or(|(_, m)| v > m) {
            hi = Some((i, v));
        }
    }
    (lo, hi)
}

fn insert_gaps(series: Downsampled, gap: Option<f64>) -> Downsampled {
    let Some(gap) = gap.filter(|g| g.is_finite() && *g > 0.0) else { return series };
    let mut out = Downsampled {
        t: Vec::with_capacity(series.t.len()),
        columns: vec![Vec::new(); series.columns.len()],
    };
    for i in 0..series.t.len() {
        if i > 0 && series.t[i] - series.t[i - 1] > gap {
            out.push_row((series.t[i] + series.t[i - 1]) / 2.0, series.columns.iter().map(|_| None));
        }
        out.push_row(series.t[i], series.columns.iter().map(|c| c[i]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn max_of(col: &[Option<f64>]) -> f64 {
        col.iter().flatten().copied().fold(f64::NEG_INFINITY, f64::max)
    }
    fn min_of(col: &[Option<f64>]) -> f64 {
        col.iter().flatten().copied().fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn short_series_are_kept_unchanged() {
        let t = [0.0, 1.0, 2.0];
        let v = [Some(1.0), None, Some(f64::NAN)];
        let d = min_max(&t, &[&v], 10, None);
        assert_eq!(d.t, t);
        assert_eq!(d.columns, vec![vec![Some(1.0), None, None]]);
    }

    #[test]
    fn row_count_is_bounded_and_single_spikes_survive() {
        let n = 1_000_000;
        let t: Vec<f64> = (0..n).map(|i| i as f64 * 0.01).collect();
        let mut a: Vec<Option<f64>> = (0..n).map(|i| Some(100.0 + (i % 7) as f64)).collect();
        let mut b: Vec<Option<f64>> = (0..n).map(|i| Some((i % 13) as f64)).collect();
        a[654_321] = Some(99_999.0); // one-sample spike
        a[123_456] = Some(-5.0); // one-sample dip
        b[999_999] = Some(1e6); // spike in the very last sample
        b[10] = None;
        for buckets in [1, 7, 500, 2000] {
            let d = min_max(&t, &[&a, &b], buckets, None);
            assert!(d.t.len() <= 2 * buckets, "{} rows for {buckets} buckets", d.t.len());
            assert!(d.t.windows(2).all(|w| w[0] <= w[1]), "times ascend");
            assert_eq!(max_of(&d.columns[0]), 99_999.0);
            assert_eq!(min_of(&d.columns[0]), -5.0);
            assert_eq!(max_of(&d.columns[1]), 1e6);
            assert_eq!(min_of(&d.columns[1]), 0.0);
            assert_eq!(d.t[0], 0.0);
            assert_eq!(*d.t.last().unwrap(), t[n - 1]);
        }
    }

    #[test]
    fn extremes_keep_their_order_of_occurrence() {
        // Falling then rising within one bucket: max first, then min in the falling bucket.
        let t: Vec<f64> = (0..8).map(f64::from).collect();
        let v: Vec<Option<f64>> = [9.0, 5.0, 1.0, 3.0, 2.0, 4.0, 6.0, 8.0].into_iter().map(Some).collect();
        let d = min_max(&t, &[&v], 2, None);
        assert_eq!(d.t, vec![0.0, 3.0, 4.0, 7.0]);
        assert_eq!(d.columns[0], vec![Some(9.0), Some(1.0), Some(2.0), Some(8.0)]);
    }

    #[test]
    fn all_missing_buckets_stay_missing_and_gaps_break_the_line() {
        let t = [0.0, 1.0, 2.0, 100.0, 101.0];
        let v = [Some(1.0), Some(2.0), Some(3.0), Some(4.0), Some(5.0)];
        let d = min_max(&t, &[&v], 100, Some(10.0));
        assert_eq!(d.t, vec![0.0, 1.0, 2.0, 51.0, 100.0, 101.0]);
        assert_eq!(d.columns[0][3], None);
        let none = [None, None, None, None, None, None, None];
        let t7: Vec<f64> = (0..7).map(f64::from).collect();
        let d = min_max(&t7, &[&none], 1, None);
        assert!(d.columns[0].iter().all(Option::is_none));
        assert!(min_max(&[], &[&[]], 5, None).t.is_empty());
    }

    #[test]
    fn identical_timestamps_do_not_loop_or_divide_by_zero() {
        let t = vec![5.0; 1000];
        let v: Vec<Option<f64>> = (0..1000).map(|i| Some(f64::from(i))).collect();
        let d = min_max(&t, &[&v], 10, None);
        assert_eq!(d.columns[0], vec![Some(0.0), Some(999.0)]);
    }
}
