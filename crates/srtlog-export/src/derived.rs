//! Values computed from a benchmark point, with the formulas of the HTML report
//! (`srtlog-report`'s `derived.rs`), so that the dataset and the report agree.

use srtlog_model::BenchmarkPoint;

/// Input (prompt) tokens per second: `total_tps − output_tps` when both are known and the
/// difference is finite and not negative; otherwise `total_input_tokens / duration` when both
/// are known and `duration > 0`; otherwise `None`.
pub(crate) fn input_tps(point: &BenchmarkPoint) -> Option<f64> {
    let from_rates =
        point.total_tps.zip(point.output_tps).map(|(t, o)| t - o).filter(|v| v.is_finite() && *v >= 0.0);
    from_rates.or_else(|| {
        let tokens = point.total_input_tokens? as f64;
        let secs = point.duration.filter(|d| *d > 0.0)?;
        Some(tokens / secs).filter(|v| v.is_finite())
    })
}

/// [`input_tps`]` / gpus`; `None` when `gpus` is 0 or unknown.
pub(crate) fn input_tps_per_gpu(point: &BenchmarkPoint, gpus: Option<u32>) -> Option<f64> {
    Some(input_tps(point)? / f64::from(gpus.filter(|g| *g > 0)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_tps_prefers_rates_and_falls_back_to_tokens_over_duration() {
        let mut pt =
            BenchmarkPoint { total_tps: Some(1500.0), output_tps: Some(500.0), ..Default::default() };
        assert_eq!(input_tps(&pt), Some(1000.0));
        assert_eq!(input_tps_per_gpu(&pt, Some(4)), Some(250.0));
        assert_eq!(input_tps_per_gpu(&pt, Some(0)), None);
        assert_eq!(input_tps_per_gpu(&pt, None), None);
        // A negative difference is not a rate: fall back to tokens over duration.
        pt.output_tps = Some(2000.0);
        pt.total_input_tokens = Some(6000);
        pt.duration = Some(3.0);
        assert_eq!(input_tps(&pt), Some(2000.0));
        pt.total_tps = None;
        assert_eq!(input_tps(&pt), Some(2000.0));
        pt.duration = Some(0.0);
        assert_eq!(input_tps(&pt), None);
    }
}
