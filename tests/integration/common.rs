//! Helpers shared by the test modules.

use alloysim::experiment::{self, ExperimentResult};
use alloysim::scenario::Scenario;
use alloysim::stats::Estimate;
use alloysim::summary::{summarise, Summary};
use std::path::Path;

/// The `alloysim` binary of this build, ready for arguments.
pub fn alloysim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("alloysim").unwrap()
}

/// Loads scenario text, panicking with the diagnostics if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    match Scenario::from_text(text, "test.toml", Path::new(".")) {
        Ok(s) => s,
        Err(e) => panic!("scenario should load:\n{e}"),
    }
}

/// The diagnostics of an invalid scenario, as printed.
pub fn errors(text: &str) -> String {
    match Scenario::from_text(text, "test.toml", Path::new(".")) {
        Ok(_) => panic!("scenario should be rejected:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// The warnings among `warnings` that contain `part`, as printed.
pub fn warnings_containing(warnings: &[alloysim::scenario::Warning], part: &str) -> Vec<String> {
    warnings
        .iter()
        .map(|w| w.to_string())
        .filter(|w| w.contains(part))
        .collect()
}

/// `warnings` is one warning, which starts with `start` and contains
/// `part` (`what` names the case in a failure).
pub fn assert_one_warning(warnings: &[String], start: &str, part: &str, what: &str) {
    assert_eq!(warnings.len(), 1, "{what}: {warnings:?}");
    assert!(
        warnings[0].starts_with(start) && warnings[0].contains(part),
        "{what}: {}",
        warnings[0]
    );
}

/// Runs every variant on `threads` threads and summarises.
pub fn run(scenario: &Scenario, threads: usize) -> (Summary, ExperimentResult) {
    let result = experiment::run(scenario, Some(threads), &|| {}).expect("run succeeds");
    let mut summary = summarise(scenario, &result);
    summary.set_timing(experiment::timing(&result, threads));
    (summary, result)
}

/// `summary.json` of a result folder without the run's measurements
/// (wall time, speed, threads, memory: `Summary::without_timing`).
pub fn read_summary_without_timing(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    let summary: Summary = serde_json::from_str(&text).unwrap();
    serde_json::to_value(summary.without_timing()).unwrap()
}

/// Asserts that `value` lies inside the estimate's 95 % interval (what the
/// contract reports). Use for single headline checks only: each such check
/// fails by chance one time in twenty, whatever the seed.
pub fn assert_in_ci95(what: &str, estimate: &Estimate, value: f64) {
    let (low, high) = (estimate.ci95_low.unwrap(), estimate.ci95_high.unwrap());
    assert!(
        low <= value && value <= high,
        "{what}: theory {value} outside the 95% CI [{low}, {high}] (mean {})",
        estimate.mean
    );
}

/// Asserts that `value` lies inside the 99.9 % Student-t interval of the
/// replications behind `estimate` (`replications` of them). The suite makes
/// a few dozen such checks; at 95 % one or two would fail by chance for any
/// seed, at 99.9 % the family fails by chance about 3 % of the time, while a
/// bias of a few standard errors is still caught.
pub fn assert_in_ci(what: &str, estimate: &Estimate, value: f64, replications: usize) {
    let df = replications - 1;
    let widen = alloysim::stats::t_quantile(0.9995, df) / alloysim::stats::t_quantile_975(df);
    let half = estimate.half_width().unwrap() * widen;
    assert!(
        (value - estimate.mean).abs() <= half,
        "{what}: theory {value} outside the 99.9% CI {} ± {half}",
        estimate.mean
    );
}

/// A per-replication figure as an estimate over replications.
pub fn estimate_of(
    result: &ExperimentResult,
    variant: usize,
    f: impl Fn(&alloysim::engine::ReplicationResult) -> f64,
) -> Estimate {
    let values: Vec<f64> = result.variants[variant]
        .replications
        .iter()
        .map(f)
        .collect();
    alloysim::stats::estimate(&values)
}

/// A line that locks: B reworks to A through a full zero-capacity buffer
/// while A waits for B.
pub const DEADLOCK: &str = r#"
[scenario]
name = "locked"
horizon = "10h"
replications = 1

[[products]]
name = "p"
route = ["A", "B"]

[[stations]]
name = "A"
buffer = 0
process = 1.0

[[stations]]
name = "B"
buffer = 0
process = 1.0
rework = { prob = 1.0, to = "A" }
"#;

/// Uniform numbers in [0, 1) from a 64-bit linear congruential generator
/// seeded with `seed`: the random lines of the tests, the same for a seed on
/// every platform.
pub fn uniforms(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    }
}
