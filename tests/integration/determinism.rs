//! Reproducibility and common random numbers.

use crate::common::{run, scenario};
use alloysim::summary::Summary;

const LINE: &str = r#"
[scenario]
name = "crn"
warmup = "2h"
horizon = "50h"
replications = 6
seed = 99

[[products]]
name = "p"
route = ["A", "B", "C"]

[[stations]]
name = "A"
process = { dist = "exponential", mean = 1.0 }
failures = { ttf = { dist = "exponential", mean = 80 }, ttr = { dist = "lognormal", mean = 6, cv = 0.7 } }
scrap = 0.02

[[stations]]
name = "B"
buffer = "inf"
process = { dist = "gamma", mean = 0.9, cv = 0.4 }
failures = { ttf = { dist = "exponential", mean = 120 }, ttr = 4, basis = "calendar" }
scrap = 0.03

[[stations]]
name = "C"
buffer = 3
machines = 2
process = { dist = "triangular", min = 1, mode = 1.5, max = 2.5 }

[[changes]]
name = "nothing"
stations.B = { machines = 1 }

[[changes]]
name = "faster-b"
stations.B = { process = { dist = "gamma", mean = 0.6, cv = 0.2 }, scrap = 0.01 }

[[changes]]
name = "extra-station"
new_stations = [ { name = "D", buffer = 2, process = { dist = "erlang", k = 3, mean = 0.5 } } ]
products.p = { route = ["A", "B", "C", "D"] }

[[variants]]
name = "same"
changes = ["nothing"]

[[variants]]
name = "faster"
changes = ["faster-b"]

[[variants]]
name = "longer"
changes = ["extra-station", "faster-b"]
"#;

fn without_wall_time(summary: &Summary) -> String {
    serde_json::to_string(&summary.clone().without_timing()).unwrap()
}

#[test]
fn one_and_two_threads_give_identical_summaries() {
    let s = scenario(LINE);
    let (one, _) = run(&s, 1);
    let (two, _) = run(&s, 2);
    assert_eq!(without_wall_time(&one), without_wall_time(&two));
    let (again, _) = run(&s, 2);
    assert_eq!(without_wall_time(&two), without_wall_time(&again));
}

#[test]
fn another_seed_gives_other_numbers() {
    let mut s = scenario(LINE);
    let (first, _) = run(&s, 2);
    s.run.seed = 100;
    let (second, _) = run(&s, 2);
    assert_ne!(
        first.variants[0].throughput_per_h.mean,
        second.variants[0].throughput_per_h.mean
    );
}

#[test]
fn a_change_that_alters_nothing_gives_exactly_zero_difference() {
    let (summary, _) = run(&scenario(LINE), 2);
    let same = &summary.comparisons[0];
    assert_eq!(same.variant, "same");
    assert_eq!(same.diff_per_h.mean, 0.0);
    assert_eq!(same.diff_per_h.ci95_low, Some(0.0));
    assert_eq!(same.diff_per_h.ci95_high, Some(0.0));
    assert_eq!(same.gain_pct.mean, 0.0);
}

#[test]
fn a_change_at_one_station_leaves_the_draws_of_the_others_unchanged() {
    // A feeds B through an unbounded buffer, so A's history depends only on
    // its own random streams: whatever the variants do to B, C or D, every
    // figure of A must be bit-identical to the baseline's.
    let (_, result) = run(&scenario(LINE), 2);
    let baseline = &result.variants[0].replications;
    for variant in &result.variants[1..] {
        for (b, v) in baseline.iter().zip(&variant.replications) {
            assert_eq!(
                b.stations[0].state_min, v.stations[0].state_min,
                "{}",
                variant.name
            );
            assert_eq!(b.stations[0].finished, v.stations[0].finished);
            assert_eq!(b.stations[0].scrapped, v.stations[0].scrapped);
        }
    }
    // And the changed station's figures do change.
    let faster = &result.variants[2].replications[0];
    assert_ne!(
        baseline[0].stations[1].state_min,
        faster.stations[1].state_min
    );
}

#[test]
fn paired_comparison_is_the_mean_of_per_replication_differences() {
    let (summary, result) = run(&scenario(LINE), 2);
    let base: Vec<f64> = result.variants[0]
        .replications
        .iter()
        .map(|r| r.throughput_per_h())
        .collect();
    let faster: Vec<f64> = result.variants[2]
        .replications
        .iter()
        .map(|r| r.throughput_per_h())
        .collect();
    let diffs: Vec<f64> = faster.iter().zip(&base).map(|(f, b)| f - b).collect();
    let expected = alloysim::stats::estimate(&diffs);
    let comparison = &summary.comparisons[1];
    assert_eq!(comparison.variant, "faster");
    assert_eq!(comparison.diff_per_h, expected);
    let base_mean = base.iter().sum::<f64>() / base.len() as f64;
    assert!((comparison.gain_pct.mean - 100.0 * expected.mean / base_mean).abs() < 1e-9);
}
