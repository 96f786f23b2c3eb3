//! `alloysim portfolio`: every subset of the changes with common random
//! numbers, the efficient frontier and the recommendation for a budget,
//! on a deterministic line where the best subset for each budget is known
//! by hand.

use crate::common::{alloysim, scenario};
use alloysim::portfolio::{portfolio, Objective, PortfolioError};

/// A feeds B (the bottleneck, 2 min). Speeding up A alone buys nothing;
/// a faster B (1 min) doubles the output to 60/h, where A (1 min) limits
/// it; only A at 0.5 min with B at 1 min and a second B machine reach
/// 120/h.
const LINE: &str = r#"
[scenario]
name = "buy"
warmup = "1h"
horizon = "100h"
replications = 3

[economics]
margin_per_part = 10.0
weeks_per_year = 50
years = 5

[[products]]
name = "p"
route = ["a", "b"]

[[stations]]
name = "a"
process = { dist = "deterministic", value = 1 }

[[stations]]
name = "b"
buffer = 5
process = { dist = "deterministic", value = 2 }

[[changes]]
name = "faster-a"
capex = 1e6
stations.a = { process = { dist = "deterministic", value = 0.5 } }

[[changes]]
name = "faster-b"
capex = 2e6
stations.b = { process = { dist = "deterministic", value = 1 } }

[[changes]]
name = "second-b"
capex = 5e6
stations.b = { machines = 2 }
"#;

#[test]
fn the_best_subset_for_each_budget_by_hand() {
    let s = scenario(LINE);
    let p = portfolio(&s, Objective::Throughput, Some(4e6), Some(2), &|| {}).unwrap();
    assert_eq!(p.candidates.len(), 8);
    let frontier: Vec<(Vec<String>, f64)> = p
        .frontier()
        .iter()
        .map(|c| (c.changes.clone(), c.objective.mean))
        .collect();
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        frontier,
        vec![
            (names(&[]), 30.0),
            (names(&["faster-b"]), 60.0),
            (names(&["faster-a", "faster-b", "second-b"]), 120.0),
        ]
    );
    let best = &p.candidates[p.recommended.unwrap()];
    assert_eq!(best.changes, names(&["faster-b"]));
    // Each subset that adds capex and nothing else is off the frontier.
    for c in &p.candidates {
        if c.changes == names(&["faster-a"]) || c.changes == names(&["faster-a", "faster-b"]) {
            assert!(!c.frontier, "{:?}", c.changes);
        }
    }
    // With too little money, buying nothing is best; the best never falls
    // as the budget grows.
    let mut last = f64::NEG_INFINITY;
    for budget in [0.0, 1e6, 2e6, 3e6, 7e6, 8e6, 1e9] {
        let p = portfolio(&s, Objective::Throughput, Some(budget), Some(2), &|| {}).unwrap();
        let best = &p.candidates[p.recommended.unwrap()];
        if budget < 2e6 {
            assert!(best.changes.is_empty(), "{budget}: {:?}", best.changes);
        }
        assert!(best.objective.mean >= last);
        last = best.objective.mean;
    }
    assert_eq!(last, 120.0);
}

#[test]
fn npv_of_each_subset_by_hand() {
    // 30 parts/h more at a margin of 10 over 168 × 50 hours a year is
    // 2.52 M a year; undiscounted over 5 years 12.6 M, less 2 M of capex.
    let s = scenario(LINE);
    let p = portfolio(&s, Objective::Npv, None, Some(2), &|| {}).unwrap();
    let faster_b = p
        .candidates
        .iter()
        .find(|c| c.changes == ["faster-b"])
        .unwrap();
    let npv = faster_b.npv.unwrap().mean;
    assert!(
        (npv - (30.0 * 10.0 * 168.0 * 50.0 * 5.0 - 2e6)).abs() < 1e-3,
        "{npv}"
    );
    assert_eq!(p.candidates[0].npv.unwrap().mean, 0.0);
    // Faster A alone: the same output, capex lost.
    let faster_a = p
        .candidates
        .iter()
        .find(|c| c.changes == ["faster-a"])
        .unwrap();
    assert_eq!(faster_a.npv.unwrap().mean, -1e6);
    assert!(!faster_a.frontier);
}

#[test]
fn the_command_writes_the_frontier_and_the_recommendation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("buy.toml");
    std::fs::write(&path, LINE).unwrap();
    let out = dir.path().join("out");
    alloysim()
        .args([
            "portfolio",
            "--budget",
            "4e6",
            "--objective",
            "throughput",
            "-o",
        ])
        .arg(&out)
        .arg(&path)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("portfolio.csv")).unwrap();
    assert!(csv.starts_with(
        "changes,capex,throughput_per_h,throughput_ci95_low,throughput_ci95_high,npv,npv_ci95_low,npv_ci95_high,frontier"
    ));
    assert!(
        csv.lines()
            .any(|l| l.starts_with("faster-b,2000000,60,") && l.contains(",true,")),
        "{csv}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("portfolio.json")).unwrap())
            .unwrap();
    assert_eq!(json["recommended"], serde_json::json!(["faster-b"]));
    assert!(out.join("portfolio.png").exists());
}

#[test]
fn too_many_changes_or_no_economics_are_refused() {
    let mut text = LINE.to_owned();
    for i in 0..11 {
        text.push_str(&format!(
            "\n[[changes]]\nname = \"c{i}\"\nstations.b = {{ buffer = {} }}\n",
            6 + i
        ));
    }
    let s = scenario(&text);
    let e = portfolio(&s, Objective::Throughput, None, Some(1), &|| {}).unwrap_err();
    assert!(
        matches!(e, PortfolioError::TooManyChanges { changes: 14, .. }),
        "{e}"
    );
    assert_eq!(e.exit_code(), 2);
    let without = scenario(
        &LINE
            .replace("[economics]", "[energy]")
            .replace("margin_per_part = 10.0\nweeks_per_year = 50\nyears = 5", ""),
    );
    let e = portfolio(&without, Objective::Npv, None, Some(1), &|| {}).unwrap_err();
    assert!(e.to_string().contains("needs [economics]"), "{e}");
}
