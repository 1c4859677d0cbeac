//! Values computed from a benchmark point, with the formulas of the HTML report
//! (`srtlog-report`'s `derived.rs`), so that the dataset and the report agree.

use srtlog_model::BenchmarkPoint;

/// Input (prompt) tokens per second: the model's [`BenchmarkPoint::input_tps`], the formula
/// the JSON document and the report use too.
pub(crate) fn input_tps(point: &BenchmarkPoint) -> Option<f64> {
    point.input_tps()
}

/// [`input_tps`]` / gpus`; `None` when `gpus` is 0 or unknown.
pub(crate) fn input_tps_per_gpu(point: &BenchmarkPoint, gpus: Option<u32>) -> Option<f64> {
    point.input_tps_per_gpu(gpus)
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
