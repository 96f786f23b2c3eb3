//! Batches, setups, operators and shifts, transfers and energy, each against
//! a deterministic case computed by hand.

use crate::common::{run, scenario};
use alloysim::engine::{simulate, ReplicationResult};
use alloysim::model::MachineState;

fn one_run(text: &str) -> ReplicationResult {
    let s = scenario(text);
    let r = simulate(&s.variants[0].model, &s.run, 0);
    assert!(r.deadlock.is_none(), "{:?}", r.deadlock);
    r
}

fn header(warmup: &str, horizon: &str) -> String {
    format!("[scenario]\nname = \"f\"\nwarmup = {warmup}\nhorizon = {horizon}\nreplications = 1\n")
}

#[test]
fn batch_throughput_is_size_over_batch_time() {
    // A (1 min) feeds an oven that takes 10 parts per 30 min: 20 parts/h.
    let text = header("120", "3000")
        + r#"
[[products]]
name = "p"
route = ["A", "oven"]
[[stations]]
name = "A"
process = 1.0
[[stations]]
name = "oven"
buffer = 20
process = 30.0
batch = { size = 10 }
"#;
    let r = one_run(&text);
    assert!(
        (r.throughput_per_h() - 20.0).abs() <= 10.0 * 60.0 / 3000.0,
        "{}",
        r.throughput_per_h()
    );
    assert_eq!(r.stations[1].operations * 10, r.stations[1].finished);
    // The oven is always busy: batches back to back.
    assert!((r.stations[1].state_shares()[MachineState::Busy] - 1.0).abs() < 1e-9);
}

#[test]
fn batch_max_wait_releases_a_partial_batch_on_time() {
    // A part reaches the oven every 10 min (t = 10, 20, ...). A batch of up
    // to 5 starts when the oldest part has waited 15 min, with at least 2
    // parts: at 25 with the parts of 10 and 20, done at 26. Lead times: the
    // part finished at A at 10 entered the line at 0 -> 26; the second
    // entered at 10 -> 16. Mean 21 min; 3 batches of 2 per hour.
    let text = header("0", "600")
        + r#"
[[products]]
name = "p"
route = ["A", "oven"]
[[stations]]
name = "A"
process = 10.0
[[stations]]
name = "oven"
buffer = 10
process = 1.0
batch = { size = 5, min = 2, max_wait = 15 }
"#;
    let r = one_run(&text);
    // Batches start at 25, 45, ..., 585: 29 pairs in 600 min.
    assert_eq!(r.good_parts, 58);
    assert_eq!(r.stations[1].operations, 29);
    assert!(
        (r.lead_time_mean_min() - 21.0).abs() < 1e-9,
        "{}",
        r.lead_time_mean_min()
    );
    // With min = 3 the first batch waits for the third part (t = 30).
    let r = one_run(&text.replace("min = 2", "min = 3"));
    // Batches of 3 start at 30, 60, ... and end 1 min later: 20 batches in
    // 600 min (the one started at 600 ends after the horizon).
    assert_eq!(r.stations[1].operations, 20);
    assert_eq!(r.good_parts, 19 * 3);
    // Lead times in a batch started at 30k: parts entered at 30k-30, -20,
    // -10, leave at 30k+1: mean 21 min as well.
    assert!((r.lead_time_mean_min() - 21.0).abs() < 1e-9);
}

#[test]
fn setup_every_n_parts_gives_n_over_np_plus_s() {
    // p = 1 min, a 2-min tool change after every 4 parts: 4 parts per 6 min.
    let text = header("60", "6000")
        + r#"
[[products]]
name = "p"
route = ["A"]
[[stations]]
name = "A"
process = 1.0
setup = { time = 2.0, on = "every", every = 4 }
"#;
    let r = one_run(&text);
    assert!(
        (r.throughput_per_h() - 40.0).abs() <= 60.0 / 6000.0,
        "{}",
        r.throughput_per_h()
    );
    let shares = r.stations[0].state_shares();
    assert!(
        (shares[MachineState::Setup] - 1.0 / 3.0).abs() < 1e-3,
        "setup share {shares:?}"
    );
    assert_eq!(r.stations[0].setups, 1000);
}

/// Two feeders, one per product, and a shared machine M with setups on
/// product change. `feeder_batch` parts leave each feeder together.
fn alternation(feeder_batch: u32) -> ReplicationResult {
    let batch = if feeder_batch > 1 {
        format!("batch = {{ size = {feeder_batch} }}")
    } else {
        String::new()
    };
    let cycle = 2 * feeder_batch;
    let text = header("100", "6000")
        + &format!(
            r#"
[[products]]
name = "a"
route = ["SA", "M"]
[[products]]
name = "b"
route = ["SB", "M"]
[[stations]]
name = "SA"
process = {cycle}
{batch}
[[stations]]
name = "SB"
process = {cycle}
{batch}
[[stations]]
name = "M"
buffer = "inf"
process = 0.25
setup = {{ time = 0.25 }}
"#
        );
    one_run(&text)
}

#[test]
fn product_alternation_abab_vs_aabb() {
    // ABAB: both feeders finish together every 2 min, A before B (lower
    // machine number), so M sees a b a b ...: every part but the first needs
    // a setup. AABB: feeders release pairs, so M sees a a b b: one setup per
    // two parts.
    let abab = alternation(1);
    let parts = abab.stations[2].finished;
    assert_eq!(parts, 6000, "one part per minute");
    assert_eq!(abab.stations[2].setups, parts);
    let aabb = alternation(2);
    assert_eq!(aabb.stations[2].finished, 6000);
    assert_eq!(aabb.stations[2].setups, 3000);
}

#[test]
fn two_shift_manual_line_produces_its_share_of_round_the_clock_output() {
    // A -> B, 1 min each, both manned by one crew working Monday to Friday
    // 06:00-22:00 (two 8-hour shifts). Each working day A makes 960 parts
    // and B finishes all but the last, which waits for the next morning.
    // Two weeks from Monday 00:00: 2 * 5 * 960 - 1 good parts.
    let text = header("0", "\"14d\"")
        + r#"
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = 1.0
operators = { pool = "crew" }
[[stations]]
name = "B"
buffer = 5
process = 1.0
operators = { pool = "crew", count = 1 }
[[pools]]
name = "crew"
size = 2
shifts = [ { days = "mon-fri", start = "06:00", end = "14:00" },
           { days = "mon-fri", start = "14:00", end = "22:00" } ]
"#;
    let r = one_run(&text);
    assert_eq!(r.good_parts, 2 * 5 * 960 - 1);
    // A works exactly the shift time: 4800 of 10080 minutes a week.
    let shares = r.stations[0].state_shares();
    assert!(
        (shares[MachineState::Busy] - 4800.0 / 10080.0).abs() < 1e-9,
        "{shares:?}"
    );
    assert!(
        (shares[MachineState::OffShift] - 5280.0 / 10080.0).abs() < 1e-9,
        "off shift {shares:?}"
    );
    // Round the clock (no shifts) the same line makes 20160 - 1.
    let unmanned = text
        .replace("operators = { pool = \"crew\" }\n", "")
        .replace("operators = { pool = \"crew\", count = 1 }\n", "");
    assert_eq!(one_run(&unmanned).good_parts, 20160 - 1);
}

#[test]
fn one_operator_shared_by_two_stations() {
    // A (1 min) and B (2 min) need the same single operator: the operator
    // alternates, one part per 3 min: 20 parts/h; A busy 1/3, B busy 2/3,
    // and their busy shares sum to at most 1.
    let text = header("30", "3000")
        + r#"
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = 1.0
operators = { pool = "op" }
[[stations]]
name = "B"
buffer = 1
process = 2.0
operators = { pool = "op" }
[[pools]]
name = "op"
size = 1
"#;
    let r = one_run(&text);
    assert!((r.throughput_per_h() - 20.0).abs() <= 60.0 / 3000.0);
    let (a, b) = (r.stations[0].state_shares(), r.stations[1].state_shares());
    assert!(
        (a[MachineState::Busy] - 1.0 / 3.0).abs() < 1e-3
            && (b[MachineState::Busy] - 2.0 / 3.0).abs() < 1e-3,
        "{a:?} {b:?}"
    );
    assert!(a[MachineState::Busy] + b[MachineState::Busy] <= 1.0 + 1e-9);
    assert!(
        (a[MachineState::WaitingOperator] - 2.0 / 3.0).abs() < 1e-3,
        "A waits for the operator {a:?}"
    );
}

#[test]
fn transfer_with_zero_buffer_by_hand() {
    // A (1 min) moves parts to B (1 min, no buffer) in 0.5 min; the move
    // starts only once B is free, so B is fed every 1.5 min: 40 parts/h,
    // B busy 2/3, A blocked 1/3.
    let text = header("30", "3000")
        + r#"
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = 1.0
transfer = 0.5
[[stations]]
name = "B"
buffer = 0
process = 1.0
"#;
    let r = one_run(&text);
    assert!(
        (r.throughput_per_h() - 40.0).abs() <= 60.0 / 3000.0,
        "{}",
        r.throughput_per_h()
    );
    let (a, b) = (r.stations[0].state_shares(), r.stations[1].state_shares());
    assert!((b[MachineState::Busy] - 2.0 / 3.0).abs() < 1e-3, "{b:?}");
    assert!((a[MachineState::Blocked] - 1.0 / 3.0).abs() < 1e-3, "{a:?}");
    // Parts in transport count as WIP: one part on A always, one on B or on
    // its way 1.5 of every 1.5 min.
    assert!((r.wip_mean - 2.0).abs() < 1e-3, "{}", r.wip_mean);
    // A buffer of 1 lets A move the next part while B works: B is fed
    // back to back, 60 parts/h.
    let r = one_run(&text.replace("buffer = 0", "buffer = 1"));
    assert!(
        (r.throughput_per_h() - 60.0).abs() <= 60.0 / 3000.0,
        "{}",
        r.throughput_per_h()
    );
}

#[test]
fn a_part_that_arrives_first_takes_the_free_machine() {
    // A part every 2 min; A works 1 min and moves each part 10.25 min to B,
    // which works 1.5 min: B is free whenever a part arrives, so no part
    // waits and every lead time is 1 + 10.25 + 1.5 = 12.75 min. Parts leave
    // A while B is idle, so each reserves B's machine or, while an earlier
    // part holds that reservation, a buffer slot; whichever arrives first
    // must take the machine (it once waited for the part that reserved it,
    // 17.75 min each).
    let text = header("100", "10000")
        + r#"
[source]
mode = "interarrival"
interarrival = 2.0
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
buffer = "inf"
process = 1.0
transfer = 10.25
[[stations]]
name = "B"
buffer = "inf"
process = 1.5
"#;
    let r = one_run(&text);
    assert!(
        (r.lead_time_mean_min() - 12.75).abs() < 1e-9,
        "{}",
        r.lead_time_mean_min()
    );
    assert_eq!(r.stations[1].buffer_mean, 0.0);
    // 0.5 parts/min in the line for 12.75 min each (Little).
    assert!((r.wip_mean - 6.375).abs() < 1e-3, "{}", r.wip_mean);
}

#[test]
fn energy_is_power_times_time_in_each_state() {
    // A (1 min) -> B (2 min), no buffer: A busy half and blocked half of
    // the time, B always busy. A draws 10 kW busy, 4 kW idle; B 20 kW busy.
    // Per hour: 0.5*10 + 0.5*4 + 20 = 27 kWh; 30 good parts/h.
    let text = header("100", "2000")
        + r#"
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = 1.0
energy = { busy_kw = 10, idle_kw = 4 }
[[stations]]
name = "B"
buffer = 0
process = 2.0
energy = { busy_kw = 20, idle_kw = 3, down_kw = 1 }
[energy]
co2_kg_per_kwh = 0.5
price_per_kwh = 0.7
"#;
    let s = scenario(&text);
    let (summary, result) = run(&s, 1);
    let r = &result.variants[0].replications[0];
    let hours = 2000.0 / 60.0;
    assert!(
        (r.energy_kwh.unwrap() - 27.0 * hours).abs() < 1e-6,
        "{:?}",
        r.energy_kwh
    );
    assert!((r.stations[0].energy_kwh - 7.0 * hours).abs() < 1e-6);
    let v = &summary.variants[0];
    let per_part = 27.0 * hours / r.good_parts as f64;
    assert!((v.energy_kwh_per_good_part.unwrap() - per_part).abs() < 1e-9);
    assert!((v.co2_kg_per_good_part.unwrap() - 0.5 * per_part).abs() < 1e-9);
    assert!((v.energy_cost_per_good_part.unwrap() - 0.7 * per_part).abs() < 1e-9);
}

#[test]
fn scrap_carries_its_energy() {
    // One machine, 1 min per part at 60 kW, half the parts scrapped: 1 kWh
    // per part made, so 2 kWh per good part (in expectation).
    let text = header("0", "\"200h\"")
        + r#"
[[products]]
name = "p"
route = ["A"]
[[stations]]
name = "A"
process = 1.0
scrap = 0.5
energy = { busy_kw = 60, idle_kw = 0 }
"#;
    let s = scenario(&text);
    let (summary, result) = run(&s, 1);
    let r = &result.variants[0].replications[0];
    let expected = r.energy_kwh.unwrap() / r.good_parts as f64;
    assert!((summary.variants[0].energy_kwh_per_good_part.unwrap() - expected).abs() < 1e-12);
    assert!((expected - 2.0).abs() < 0.05, "{expected}");
}

#[test]
fn new_states_still_sum_to_one() {
    // Shifts, shared operators, setups, batches, transfers and calendar
    // failures together: every machine is in exactly one state at all times.
    let text = r#"
[scenario]
name = "mix"
warmup = "1d"
horizon = "9d"
replications = 4
[[products]]
name = "a"
route = ["cast", "oven", "cnc"]
[[products]]
name = "b"
mix = 2
route = ["cast", "oven", "cnc"]
[[stations]]
name = "cast"
machines = 2
process = { dist = "lognormal", mean = 1.2, cv = 0.2 }
failures = { ttf = { dist = "exponential", mean = 300 }, ttr = { dist = "exponential", mean = 30 }, basis = "calendar" }
setup = { time = { dist = "uniform", min = 5, max = 15 } }
operators = { pool = "crew" }
transfer = { dist = "uniform", min = 0.5, max = 1.5 }
scrap = 0.05
energy = { busy_kw = 50, idle_kw = 10 }
[[stations]]
name = "oven"
buffer = 30
process = 45
batch = { size = 20, min = 10, max_wait = "1h" }
failures = { ttf = { dist = "exponential", mean = "50h" }, ttr = "2h" }
energy = { busy_kw = 200, idle_kw = 30 }
[[stations]]
name = "cnc"
machines = 2
buffer = 10
process = { dist = "gamma", mean = 2.0, cv = 0.3 }
operators = { pool = "crew" }
setup = { time = 20, on = "every", every = 50 }
rework = { prob = 0.02, to = "cnc" }
[[pools]]
name = "crew"
size = 3
shifts = [ { days = "mon-sat", start = "06:00", end = "22:00" }, { days = "sun", start = "22:00", end = "02:00" } ]
"#;
    let s = scenario(text);
    let (_, result) = run(&s, 2);
    for r in &result.variants[0].replications {
        assert_eq!(
            r.wip_at_start + r.released,
            r.good_parts + r.scrap_parts + r.wip_at_end
        );
        for (station, spec) in r.stations.iter().zip(&s.variants[0].model.stations) {
            let sum: f64 = station.state_shares().iter().sum();
            assert!((sum - 1.0).abs() < 1e-9);
            let minutes: f64 = station.state_min.iter().sum();
            let expected = f64::from(spec.machines) * r.measured_min;
            assert!((minutes - expected).abs() < 1e-6 * expected);
        }
        assert!(r.good_parts > 0);
    }
}
