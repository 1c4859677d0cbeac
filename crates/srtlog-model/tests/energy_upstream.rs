//! The energy engine against upstream's energy report (`analysis/power_energy_report.py` of
//! NVIDIA/srt-slurm) on uneven samples: 2 nodes × 2 GPUs read every 0.75 s, the second node
//! 13 ms behind the first and its GPU 1 another 2 ms behind on every third scrape (so its node
//! series, summed per exact timestamp as upstream sums it, has extra points), watts drawn at
//! random once (seed 15). The expected values were computed by upstream's rule with numpy
//! (`np.searchsorted` nearest-sample snapping, `np.trapezoid` over the node series): 15475.12…
//! J for the window `T+1.1 → T+8.37`. numpy's pairwise summation may differ from a sequential
//! sum in the last bits, so the comparison allows 1e-12 relative.
#![allow(clippy::unwrap_used)]

use srtlog_model::derived::derive_energy;
use srtlog_model::{BenchmarkPoint, GpuPowerSample, PowerSource, RunPower, WindowSource};

const SAMPLES: [(f64, &str, u32, f64); 56] = [
    (1786194600.0, "n1", 0, 873.93),
    (1786194600.0, "n1", 1, 158.74),
    (1786194600.013, "n2", 0, 701.99),
    (1786194600.015, "n2", 1, 268.51),
    (1786194600.75, "n1", 0, 889.75),
    (1786194600.75, "n1", 1, 162.66),
    (1786194600.763, "n2", 0, 809.62),
    (1786194600.763, "n2", 1, 661.01),
    (1786194601.5, "n1", 0, 793.01),
    (1786194601.5, "n1", 1, 899.86),
    (1786194601.513, "n2", 0, 329.79),
    (1786194601.513, "n2", 1, 403.56),
    (1786194602.25, "n1", 0, 681.15),
    (1786194602.25, "n1", 1, 360.44),
    (1786194602.263, "n2", 0, 347.49),
    (1786194602.265, "n2", 1, 321.46),
    (1786194603.0, "n1", 0, 793.38),
    (1786194603.0, "n1", 1, 805.9),
    (1786194603.013, "n2", 0, 748.21),
    (1786194603.013, "n2", 1, 317.54),
    (1786194603.75, "n1", 0, 843.63),
    (1786194603.75, "n1", 1, 533.53),
    (1786194603.763, "n2", 0, 323.54),
    (1786194603.763, "n2", 1, 491.65),
    (1786194604.5, "n1", 0, 464.91),
    (1786194604.5, "n1", 1, 209.22),
    (1786194604.513, "n2", 0, 573.52),
    (1786194604.515, "n2", 1, 419.97),
    (1786194605.25, "n1", 0, 577.21),
    (1786194605.25, "n1", 1, 847.66),
    (1786194605.263, "n2", 0, 634.18),
    (1786194605.263, "n2", 1, 453.83),
    (1786194606.0, "n1", 0, 797.68),
    (1786194606.0, "n1", 1, 896.38),
    (1786194606.013, "n2", 0, 517.69),
    (1786194606.013, "n2", 1, 858.77),
    (1786194606.75, "n1", 0, 164.06),
    (1786194606.75, "n1", 1, 255.24),
    (1786194606.763, "n2", 0, 279.15),
    (1786194606.765, "n2", 1, 853.55),
    (1786194607.5, "n1", 0, 667.86),
    (1786194607.5, "n1", 1, 689.31),
    (1786194607.513, "n2", 0, 364.96),
    (1786194607.513, "n2", 1, 521.24),
    (1786194608.25, "n1", 0, 815.3),
    (1786194608.25, "n1", 1, 224.91),
    (1786194608.263, "n2", 0, 237.17),
    (1786194608.263, "n2", 1, 185.56),
    (1786194609.0, "n1", 0, 501.5),
    (1786194609.0, "n1", 1, 780.36),
    (1786194609.013, "n2", 0, 566.24),
    (1786194609.015, "n2", 1, 451.09),
    (1786194609.75, "n1", 0, 526.54),
    (1786194609.75, "n1", 1, 284.41),
    (1786194609.763, "n2", 0, 861.1),
    (1786194609.763, "n2", 1, 415.35),
];

fn close(got: Option<f64>, want: f64) -> bool {
    got.is_some_and(|g| ((g - want) / want).abs() < 1e-12)
}

#[test]
fn the_same_answer_as_upstreams_energy_report_on_uneven_samples() {
    let mut power = RunPower::new(PowerSource::PowerSamples);
    power.gpu_samples = SAMPLES
        .iter()
        .map(|&(t_unix, host, gpu, watts)| GpuPowerSample { t_unix, host: host.to_owned(), gpu, watts })
        .collect();
    let point = BenchmarkPoint {
        concurrency: Some(16),
        window_start_unix: Some(1786194601.1),
        window_end_unix: Some(1786194608.37),
        total_output_tokens: Some(3000),
        total_input_tokens: Some(12000),
        ..Default::default()
    };
    let energy = derive_energy(Some("sa-bench"), &[point], Some(&power));
    let e = &energy[0];
    assert_eq!(e.window_source, Some(WindowSource::ResultFile));
    assert!(close(e.gpu_energy_j, 15475.122614026071), "{:?}", e.gpu_energy_j);
    let per_gpu: Vec<Option<f64>> = e.per_gpu.iter().map(|g| g.energy_j).collect();
    for (got, want) in per_gpu.into_iter().zip([4976.561250000001, 4268.49375, 3481.44375, 3799.102641559839])
    {
        assert!(close(got, want), "{got:?} vs {want}");
    }
    // The per-GPU energies sum to more than the node totals: n2's GPU 1, read 2 ms after GPU 0
    // on every third scrape, is missing from the node series at GPU 0's instant and vice versa
    // (the module docs of derived::energy).
    let per_gpu_sum: f64 = e.per_gpu.iter().filter_map(|g| g.energy_j).sum();
    assert!(per_gpu_sum > e.gpu_energy_j.unwrap() + 1000.0, "{per_gpu_sum}");
    // Upstream's perf/W: (out / duration) / (gpu J / duration).
    let duration = 1786194608.37 - 1786194601.1;
    assert!(close(e.output_tps_per_w, (3000.0 / duration) / (15475.122614026071 / duration)));
    assert!(close(e.j_per_total_token, 15475.122614026071 / 15000.0));
}
