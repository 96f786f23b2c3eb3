//! Deterministic lines whose every figure can be computed by hand, and
//! conservation laws that hold in every run.

use crate::common::{run, scenario};
use alloysim::engine::{simulate, StateShares};
use alloysim::model::MachineState;

fn line(stations: &str, horizon: f64) -> String {
    format!(
        "[scenario]\nname = \"t\"\nwarmup = 100\nhorizon = {horizon}\nreplications = 1\n\n[[products]]\nname = \"p\"\nroute = [\"A\", \"B\", \"C\"]\n{stations}"
    )
}

/// Shares of (busy, blocked, starved) of each station of replication 0.
fn shares(text: &str) -> (f64, Vec<StateShares>) {
    let s = scenario(text);
    let r = simulate(&s.variants[0].model, &s.run, 0);
    let shares = r.stations.iter().map(|s| s.state_shares()).collect();
    (r.throughput_per_h(), shares)
}

#[test]
fn throughput_is_one_over_the_slowest_cycle() {
    // A 1 min, B 2 min on 2 machines (cycle 1 min per part), C 1.5 min: the
    // slowest cycle is C's 1.5 min, so 40 parts/h.
    let text = line(
        r#"
[[stations]]
name = "A"
process = 1.0
[[stations]]
name = "B"
machines = 2
buffer = 3
process = 2.0
[[stations]]
name = "C"
buffer = 3
process = 1.5
"#,
        3000.0,
    );
    let (throughput, shares) = shares(&text);
    // Measured 3000 min: 2000 parts, ± one at the window's edges.
    assert!(
        (throughput - 40.0).abs() <= 60.0 / 3000.0,
        "throughput {throughput}"
    );
    assert!(
        (shares[2][MachineState::Busy] - 1.0).abs() < 1e-9,
        "C is always busy"
    );
    assert!(
        (shares[0][MachineState::Busy] - 1.5f64.recip()).abs() < 1e-3,
        "A busy 1/1.5"
    );
}

#[test]
fn zero_buffer_blocking_pattern_by_hand() {
    // A (1 min) feeds B (2 min) with no buffer between them: A finishes at
    // t, B is still busy until t + 1, so A is blocked half of every 2 min
    // cycle. C (1.5 min) after B starves 0.5 of every 2 min.
    let text = line(
        r#"
[[stations]]
name = "A"
process = 1.0
[[stations]]
name = "B"
buffer = 0
process = 2.0
[[stations]]
name = "C"
buffer = 0
process = 1.5
"#,
        2000.0,
    );
    let (throughput, shares) = shares(&text);
    assert!(
        (throughput - 30.0).abs() <= 60.0 / 2000.0,
        "throughput {throughput}"
    );
    let [a, b, c] = [shares[0], shares[1], shares[2]];
    assert!(
        (a[MachineState::Busy] - 0.5).abs() < 1e-3 && (a[MachineState::Blocked] - 0.5).abs() < 1e-3,
        "A busy/blocked {a:?}"
    );
    assert!((b[MachineState::Busy] - 1.0).abs() < 1e-9, "B {b:?}");
    assert!(
        (c[MachineState::Busy] - 0.75).abs() < 1e-3
            && (c[MachineState::Starved] - 0.25).abs() < 1e-3,
        "C {c:?}"
    );
}

#[test]
fn zero_buffer_reverse_line_blocks_upstream_of_the_slow_end() {
    // A 2 min, B 0.5 min, C 3 min, buffers 0. C limits: 20 parts/h. B takes
    // a part every 3 min, is busy 0.5 of it and blocked 2.5 waiting for C...
    // until A's next part arrives: B holds its finished part 2.5 min, so
    // busy 1/6, blocked 5/6. A: busy 2 of 3 min, blocked 1.
    let text = line(
        r#"
[[stations]]
name = "A"
process = 2.0
[[stations]]
name = "B"
buffer = 0
process = 0.5
[[stations]]
name = "C"
buffer = 0
process = 3.0
"#,
        3000.0,
    );
    let (throughput, shares) = shares(&text);
    assert!(
        (throughput - 20.0).abs() <= 60.0 / 3000.0,
        "throughput {throughput}"
    );
    let [a, b] = [shares[0], shares[1]];
    assert!(
        (a[MachineState::Busy] - 2.0 / 3.0).abs() < 1e-3
            && (a[MachineState::Blocked] - 1.0 / 3.0).abs() < 1e-3,
        "A {a:?}"
    );
    assert!(
        (b[MachineState::Busy] - 1.0 / 6.0).abs() < 1e-3
            && (b[MachineState::Blocked] - 5.0 / 6.0).abs() < 1e-3,
        "B {b:?}"
    );
}

#[test]
fn deterministic_failures_by_hand() {
    // One machine, 1 min per part, fails after every 10 min of processing
    // and is repaired in 5: 10 parts per 15 min = 40/h; busy 2/3, down 1/3.
    let text = r#"
[scenario]
name = "t"
horizon = 3000
replications = 1
[[products]]
name = "p"
route = ["A"]
[[stations]]
name = "A"
process = 1.0
failures = { ttf = 10.0, ttr = 5.0 }
"#;
    let s = scenario(text);
    let r = simulate(&s.variants[0].model, &s.run, 0);
    assert!((r.throughput_per_h() - 40.0).abs() <= 60.0 / 3000.0);
    let shares = r.stations[0].state_shares();
    assert!(
        (shares[MachineState::Busy] - 2.0 / 3.0).abs() < 1e-9
            && (shares[MachineState::Down] - 1.0 / 3.0).abs() < 1e-9,
        "{shares:?}"
    );
}

#[test]
fn preempt_resume_keeps_the_work_done() {
    // Processing 4 min, a failure every 3 min of processing, repair 1 min:
    // part 1 runs 0-3, down 3-4, finishes 4-5; ttf restarts at the repair:
    // part 2 runs 5-7 (2 of 3 ttf left), part 3 ... Over a long run the
    // machine processes 3 min per 4 min of time: 45 min of work per hour,
    // 11.25 parts/h. Preempt-restart would lose work and give less.
    let text = r#"
[scenario]
name = "t"
horizon = 4000
replications = 1
[[products]]
name = "p"
route = ["A"]
[[stations]]
name = "A"
process = 4.0
failures = { ttf = 3.0, ttr = 1.0 }
"#;
    let s = scenario(text);
    let r = simulate(&s.variants[0].model, &s.run, 0);
    assert!(
        (r.throughput_per_h() - 11.25).abs() <= 60.0 / 4000.0,
        "{}",
        r.throughput_per_h()
    );
}

const REWORK_AND_SCRAP: &str = r#"
[scenario]
name = "t"
warmup = "10h"
horizon = "200h"
replications = 8
[[products]]
name = "p"
route = ["A", "B", "C"]
[[stations]]
name = "A"
process = { dist = "exponential", mean = 1.0 }
[[stations]]
name = "B"
buffer = 4
process = { dist = "lognormal", mean = 0.8, cv = 0.5 }
failures = { ttf = { dist = "exponential", mean = 60 }, ttr = { dist = "exponential", mean = 6 }, basis = "calendar" }
scrap = 0.05
[[stations]]
name = "C"
buffer = 2
machines = 2
process = { dist = "uniform", min = 1.0, max = 2.0 }
failures = { ttf = { dist = "weibull", shape = 1.5, scale = 100 }, ttr = 3 }
scrap = 0.02
rework = { prob = 0.1, to = "A" }
"#;

#[test]
fn parts_are_conserved_and_shares_sum_to_one() {
    let s = scenario(REWORK_AND_SCRAP);
    let (_, result) = run(&s, 2);
    let model = &s.variants[0].model;
    for r in &result.variants[0].replications {
        assert_eq!(
            r.wip_at_start + r.released,
            r.good_parts + r.scrap_parts + r.wip_at_end,
            "conservation in replication {}",
            r.replication
        );
        let scrapped: u64 = r.stations.iter().map(|s| s.scrapped).sum();
        assert_eq!(scrapped, r.scrap_parts);
        for (station, spec) in r.stations.iter().zip(&model.stations) {
            let sum: f64 = station.state_shares().iter().sum();
            assert!((sum - 1.0).abs() < 1e-9, "shares sum to {sum}");
            // Every machine is in exactly one state all the time.
            let minutes: f64 = station.state_min.iter().sum();
            let expected = f64::from(spec.machines) * r.measured_min;
            assert!(
                (minutes - expected).abs() < 1e-6 * expected,
                "{minutes} vs {expected}"
            );
        }
    }
}

#[test]
fn rework_and_scrap_rates_match_visit_ratios() {
    // A (1 min, always busy: unlimited source, rework goes to B) makes 60
    // parts/h; B scraps 5 %, C scraps 2 % and sends 10 % back to B. A good
    // part leaves C with probability 0.88 per visit and is lost with 0.02
    // plus B's scrap on each return: good per release =
    // 0.95 * 0.88 / (1 - 0.95 * 0.10).
    let text = r#"
[scenario]
name = "t"
warmup = "10h"
horizon = "400h"
replications = 10
[[products]]
name = "p"
route = ["A", "B", "C"]
[[stations]]
name = "A"
process = 1.0
[[stations]]
name = "B"
buffer = "inf"
process = { dist = "exponential", mean = 0.4 }
scrap = 0.05
[[stations]]
name = "C"
buffer = "inf"
process = { dist = "exponential", mean = 0.5 }
scrap = 0.02
rework = { prob = 0.1, to = "B" }
"#;
    let s = scenario(text);
    let (summary, _) = run(&s, 2);
    let good_per_release = 0.95 * 0.88 / (1.0 - 0.95 * 0.10);
    crate::common::assert_in_ci(
        "good parts/h",
        &summary.variants[0].throughput_per_h,
        60.0 * good_per_release,
        10,
    );
    let capacity = alloysim::model::capacity::capacity(&s.variants[0].model);
    assert!((capacity.good_per_release - good_per_release).abs() < 1e-9);
}

#[test]
fn product_mix_shares_a_station() {
    // Two products 3:1 on one deterministic station: 1 min and 3 min. Mean
    // time per part 1.5 min: 40 parts/h.
    let text = r#"
[scenario]
name = "t"
horizon = "500h"
replications = 10
[[products]]
name = "small"
mix = 3
route = ["A"]
[[products]]
name = "large"
mix = 1
route = ["A"]
[[stations]]
name = "A"
process = 1.0
process_by_product = { large = 3.0 }
"#;
    let (summary, _) = run(&scenario(text), 2);
    crate::common::assert_in_ci("parts/h", &summary.variants[0].throughput_per_h, 40.0, 10);
}

#[test]
fn a_route_may_visit_a_station_twice() {
    // A machines every part twice (route A -> B -> A), 1 min a visit: A's
    // capacity is 30 parts/h, B (0.5 min) idles half of the time.
    let text = r#"
[scenario]
name = "t"
warmup = 60
horizon = 3000
replications = 1
[[products]]
name = "p"
route = ["A", "B", "A"]
[[stations]]
name = "A"
buffer = 2
process = 1.0
[[stations]]
name = "B"
buffer = 2
process = 0.5
"#;
    let s = scenario(text);
    let r = simulate(&s.variants[0].model, &s.run, 0);
    assert!(r.deadlock.is_none());
    assert!(
        (r.throughput_per_h() - 30.0).abs() <= 60.0 / 3000.0,
        "{}",
        r.throughput_per_h()
    );
    assert!((r.stations[0].state_shares()[MachineState::Busy] - 1.0).abs() < 1e-9);
    assert!((r.stations[1].state_shares()[MachineState::Busy] - 0.25).abs() < 1e-3);
}

#[test]
fn a_lock_between_some_stations_is_caught_while_others_still_run() {
    // Regression: A (no buffer) sends parts to B and takes them back for a
    // second operation. t=0-1 A makes p1, B takes it (1-6); A makes p2 (into
    // B's buffer) and p3, then blocks on B at 3. At 6, B's p1 must go back to
    // A, which holds p3: A waits for B, B for A. C keeps failing and being
    // repaired (calendar basis), so events go on: the lock must be found from
    // the blocked machines, not from an empty event list.
    let text = r#"
[scenario]
name = "t"
horizon = 600
replications = 1
[[products]]
name = "p"
route = ["A", "B", "A", "C"]
[[stations]]
name = "A"
buffer = 0
process = 1.0
[[stations]]
name = "B"
buffer = 1
process = 5.0
[[stations]]
name = "C"
buffer = 5
process = 1.0
failures = { ttf = 10, ttr = 1, basis = "calendar" }
"#;
    let s = scenario(text);
    let r = simulate(&s.variants[0].model, &s.run, 0);
    let lock = r.deadlock.expect("the lock is reported");
    assert_eq!(lock.time_min, 6.0);
    assert_eq!(lock.stations, vec!["A".to_owned(), "B".to_owned()]);
}

#[test]
fn a_station_of_a_hundred_thousand_machines_serves_every_part_at_once() {
    // A makes a part every 1/64 min (exact in binary); B has 100 000
    // machines of 500 min, so each part finds a free machine at once (at
    // most 32 000 are busy). Good parts by t = 2000: those A finished by
    // 1500, i.e. 96 000 (the last exactly at the horizon). B's busy time
    // over [0, 2000]: part k starts at k/64 and is busy min(500, 2000 − k/64),
    // so 96 000 · 500 + Σ_{j=1}^{32 000} (500 − j/64) = 48 000 000 +
    // 7 999 750 machine-minutes, a share of 55 999 750 / (2000 · 100 000).
    // Each part's search for a free machine costs the same whatever the
    // station's size (a bit set), so this runs in about a second.
    let s = scenario(
        r#"
[scenario]
name = "wide"
warmup = 0
horizon = 2000
replications = 1
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = 0.015625
[[stations]]
name = "B"
machines = 100000
buffer = 0
process = 500
"#,
    );
    let r = simulate(&s.variants[0].model, &s.run, 0);
    assert_eq!(r.good_parts, 96_000);
    let b = r.stations[1].state_shares()[MachineState::Busy];
    assert!((b - 55_999_750.0 / 2e8).abs() < 1e-9, "B busy {b}");
    let a = r.stations[0].state_shares();
    assert!((a[MachineState::Busy] - 1.0).abs() < 1e-12 && a[MachineState::Blocked] == 0.0);
}
