//! Sweeps, attribution and precision on demand.

use crate::common::{assert_in_ci, scenario};
use alloysim::attribution::attribute;
use alloysim::exact::solve_model;
use alloysim::experiment::{run_to_precision, widest_half_width_pct, ExperimentResult};
use alloysim::sweep::{parse_param, sweep};

const CHANGES: &str = r#"
[scenario]
name = "attr"
warmup = "1h"
horizon = "40h"
replications = 6
seed = 3
[[products]]
name = "p"
route = ["A", "B", "C"]
[[stations]]
name = "A"
process = { dist = "exponential", mean = 1.0 }
failures = { ttf = { dist = "exponential", mean = 60 }, ttr = 6 }
[[stations]]
name = "B"
buffer = 2
process = { dist = "lognormal", mean = 1.1, cv = 0.5 }
scrap = 0.05
[[stations]]
name = "C"
buffer = 2
process = { dist = "exponential", mean = 0.9 }
[[changes]]
name = "faster-b"
stations.B = { process = { dist = "lognormal", mean = 0.8, cv = 0.5 } }
[[changes]]
name = "bigger-buffers"
stations.B = { buffer = 6 }
stations.C = { buffer = 6 }
[[changes]]
name = "nothing"
stations.C = { machines = 1 }
[[changes]]
name = "less-scrap"
stations.B = { scrap = 0.01 }
[[changes]]
name = "less-scrap-again"
stations.B = { scrap = 0.01 }
"#;

#[test]
fn shapley_values_are_efficient_null_and_symmetric() {
    let s = scenario(CHANGES);
    let a = attribute(&s, 1, Some(2), &|| {}).unwrap();
    assert_eq!(a.subsets, 32);
    let total: f64 = a.changes.iter().map(|c| c.shapley.mean).sum();
    assert!(
        (total - a.gain_per_h.mean).abs() < 1e-9,
        "{total} vs {}",
        a.gain_per_h.mean
    );
    let by_name = |n: &str| a.changes.iter().find(|c| c.name == n).unwrap();
    assert_eq!(by_name("nothing").shapley.mean, 0.0);
    assert_eq!(by_name("nothing").shapley.ci95_low, Some(0.0));
    assert_eq!(
        by_name("less-scrap").shapley.mean,
        by_name("less-scrap-again").shapley.mean
    );
    assert!(by_name("faster-b").shapley.mean > 0.0);
}

#[test]
fn factorial_fit_of_non_interacting_changes_by_hand() {
    // A (2 min) limits a deterministic line with B (1 min): 30 parts/h.
    // Speeding A to 1.5 min gives 40/h whatever B does; speeding B to 0.8
    // changes nothing while A limits. Main effects 10 and 0, interaction 0,
    // Shapley values 10 and 0.
    let text = r#"
[scenario]
name = "det"
warmup = 60
horizon = 6000
replications = 2
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = 2.0
[[stations]]
name = "B"
buffer = 1
process = 1.0
[[changes]]
name = "faster-a"
stations.A = { process = 1.5 }
[[changes]]
name = "faster-b"
stations.B = { process = 0.8 }
"#;
    let a = attribute(&scenario(text), 1, Some(1), &|| {}).unwrap();
    let tolerance = 2.0 * 60.0 / 6000.0; // one part either side of the window
    assert!(
        (a.changes[0].main_effect.unwrap() - 10.0).abs() < tolerance,
        "{:?}",
        a.changes[0]
    );
    assert!(
        a.changes[1].main_effect.unwrap().abs() < tolerance,
        "{:?}",
        a.changes[1]
    );
    assert!(
        a.interactions[0].effect.abs() < tolerance,
        "{:?}",
        a.interactions
    );
    assert!((a.changes[0].shapley.mean - 10.0).abs() < tolerance);
    assert!(a.changes[1].shapley.mean.abs() < tolerance);
}

#[test]
fn buffer_sweep_matches_the_exact_chain_at_every_point() {
    let text = r#"
[scenario]
name = "sweep"
warmup = "2000min"
horizon = "100000min"
replications = 10
seed = 11
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = { dist = "exponential", mean = 1.0 }
[[stations]]
name = "B"
buffer = 0
process = { dist = "exponential", mean = 1.0 }
"#;
    let s = scenario(text);
    let param = parse_param("stations.B.buffer=0..6:2").unwrap();
    let result = sweep(&s, 0, std::slice::from_ref(&param), Some(2), &|| {}).unwrap();
    assert_eq!(result.points.len(), 4);
    for (point, value) in result.points.iter().zip(&param.values) {
        let edited = s
            .with_edits(&[alloysim::scenario::Edit {
                path: param.path.clone(),
                value: *value,
            }])
            .unwrap();
        let exact = solve_model(&edited.variants[0].model, false).unwrap();
        // Closed form too: mu1 = mu2 = 1, buffer b: throughput = (b+2)/(b+3) per min.
        let b = match value {
            alloysim::scenario::EditValue::Integer(b) => *b as f64,
            _ => unreachable!(),
        };
        assert!((exact.throughput_per_h - 60.0 * (b + 2.0) / (b + 3.0)).abs() < 1e-9);
        assert_in_ci(
            &format!("buffer {b}"),
            &point.throughput_per_h,
            exact.throughput_per_h,
            10,
        );
    }
    // More buffer, more throughput; the best is the largest buffer.
    assert_eq!(result.best, 3);
}

#[test]
fn sweep_errors_name_the_point() {
    let s = scenario(CHANGES);
    // The error of a sweep of one parameter, as printed.
    let error_of = |param: &str| {
        sweep(&s, 0, &[parse_param(param).unwrap()], Some(1), &|| {})
            .unwrap_err()
            .to_string()
    };
    let err = error_of("stations.X.buffer=1,2");
    assert!(err.contains("no station named \"X\""), "{err}");
    // A path that leads nowhere is the option's fault, not the file's: no
    // line and column.
    assert!(
        err.contains("--param: stations.X.buffer: no station named"),
        "{err}"
    );
    assert!(!err.contains("test.toml:"), "{err}");
    let err = error_of("stations.B.buffer=-1,2");
    assert!(err.contains("stations.B.buffer = -1"), "{err}");
    assert!(err.contains("expected an integer >= 0"), "{err}");
    // A bad value is reported where the key it replaces is written (B's
    // buffer, line 17) ...
    assert!(err.contains("test.toml:17:10: stations[1].buffer"), "{err}");
    // ... and one the file does not give, at the entry it is set in (B's
    // [[stations]], line 15), not at the top of the file.
    let err = error_of("stations.B.machines=0,1");
    assert!(err.contains("stations.B.machines = 0"), "{err}");
    assert!(
        err.contains("test.toml:15:1: stations[1].machines"),
        "{err}"
    );
    // An unknown key set by the option is reported at the entry too.
    let err = error_of("stations.B.bufer=1,2");
    assert!(
        err.contains(
            "test.toml:15:1: stations[1].bufer: unknown key \"bufer\" (did you mean \"buffer\"?)"
        ),
        "{err}"
    );
}

fn truncated(result: &ExperimentResult, replications: usize) -> ExperimentResult {
    let mut r = result.clone();
    for v in &mut r.variants {
        v.replications.truncate(replications);
    }
    r
}

#[test]
fn precision_stops_at_the_first_batch_that_meets_the_target() {
    let s = scenario(CHANGES);
    let (result, precision) = run_to_precision(&s, 1.0, 200, Some(2), &|| {}).unwrap();
    assert!(precision.met, "{precision:?}");
    let batch = 6;
    assert_eq!(precision.replications % batch, 0);
    assert!(
        precision.replications > batch,
        "the first batch alone should not suffice here"
    );
    assert!(widest_half_width_pct(&result) <= 1.0);
    let one_batch_less = truncated(&result, (precision.replications - batch) as usize);
    assert!(widest_half_width_pct(&one_batch_less) > 1.0);
    // Same replications, same numbers on one thread.
    let (again, p1) = run_to_precision(&s, 1.0, 200, Some(1), &|| {}).unwrap();
    assert_eq!(p1, precision);
    for (a, b) in again.variants.iter().zip(&result.variants) {
        let ta: Vec<f64> = a
            .replications
            .iter()
            .map(|r| r.throughput_per_h())
            .collect();
        let tb: Vec<f64> = b
            .replications
            .iter()
            .map(|r| r.throughput_per_h())
            .collect();
        assert_eq!(ta, tb);
    }
    // A cap below what is needed is reported as not met.
    let (_, capped) = run_to_precision(&s, 0.01, 12, Some(2), &|| {}).unwrap();
    assert!(!capped.met && capped.replications == 12);
}
