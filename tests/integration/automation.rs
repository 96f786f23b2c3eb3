//! What automation changes: operators who load and unload (one tending
//! several machines), repair crews, planned maintenance, the plant
//! calendar, lots and a line that starts full. Each against a number known
//! independently of the simulator: the finite-source queue in closed form,
//! hand-computed deterministic cycles, the exact Markov chain.

use crate::common::{assert_in_ci, errors, estimate_of, run, scenario};
use alloysim::exact::solve_model;
use alloysim::model::MachineState;

/// Stationary distribution of the finite-source queue M/M/c//N: N sources
/// that each ask for service at rate `lambda` while not in the queue, `c`
/// servers of rate `mu`. Returns P(n in the queue or in service), n = 0..N.
fn finite_source(n: u32, c: u32, lambda: f64, mu: f64) -> Vec<f64> {
    let mut p = vec![1.0];
    for k in 1..=n {
        let arrivals = f64::from(n - k + 1) * lambda;
        let services = f64::from(k.min(c)) * mu;
        p.push(p[k as usize - 1] * arrivals / services);
    }
    let total: f64 = p.iter().sum();
    p.iter().map(|x| x / total).collect()
}

/// N machines each needing an operator to load (the operators' pool of
/// `operators`), exponential load and run times, unlimited raw parts: the
/// machine-interference model.
fn interference(machines: u32, operators: u32, run_min: f64, load_min: f64) -> String {
    format!(
        r#"
[scenario]
name = "interference"
warmup = "20h"
horizon = "1500h"
replications = 5
seed = 11

[[products]]
name = "p"
route = ["cnc"]

[[pools]]
name = "op"
size = {operators}

[[stations]]
name = "cnc"
machines = {machines}
process = {{ dist = "exponential", mean = {run_min} }}
load = {{ dist = "exponential", mean = {load_min} }}
operators = {{ pool = "op", count = 1, for = "load_unload" }}
"#
    )
}

#[test]
fn one_operator_loading_several_machines_is_the_finite_source_queue() {
    for (machines, operators) in [(5, 1), (6, 2)] {
        let (run_min, load_min) = (10.0, 2.0);
        let p = finite_source(machines, operators, 1.0 / run_min, 1.0 / load_min);
        let in_service: f64 = p
            .iter()
            .enumerate()
            .map(|(k, pk)| pk * f64::from((k as u32).min(operators)))
            .sum();
        let queued: f64 = p
            .iter()
            .enumerate()
            .map(|(k, pk)| pk * k as f64)
            .sum::<f64>()
            - in_service;
        let throughput_per_h = in_service / load_min * 60.0;
        let m = f64::from(machines);
        let s = scenario(&interference(machines, operators, run_min, load_min));
        let (summary, result) = run(&s, 2);
        let v = &summary.variants[0];
        assert_in_ci("throughput", &v.throughput_per_h, throughput_per_h, 5);
        let busy = estimate_of(&result, 0, |r| {
            r.stations[0].state_shares()[MachineState::Busy]
        });
        assert_in_ci("running share", &busy, (m - in_service - queued) / m, 5);
        let waiting = estimate_of(&result, 0, |r| {
            r.stations[0].state_shares()[MachineState::WaitingLoadUnload]
        });
        assert_in_ci("waiting for the operator", &waiting, queued / m, 5);
        // The exact chain of the same line agrees with the closed form.
        let exact = solve_model(&s.variants[0].model, false).unwrap();
        assert!(
            (exact.throughput_per_h / throughput_per_h - 1.0).abs() < 1e-9,
            "exact {} vs closed form {throughput_per_h}",
            exact.throughput_per_h
        );
        let loading = exact.stations[0].shares[MachineState::LoadUnload];
        assert!((loading - in_service / m).abs() < 1e-9);
    }
}

/// N machines that fail while they run (exponential), a repair crew of
/// `crew`: the machine-repairman model.
fn repairman(machines: u32, crew: u32) -> String {
    format!(
        r#"
[scenario]
name = "repairman"
warmup = "50h"
horizon = "4000h"
replications = 5
seed = 5

[[products]]
name = "p"
route = ["press"]

[[pools]]
name = "tech"
size = {crew}

[[stations]]
name = "press"
machines = {machines}
process = {{ dist = "exponential", mean = 1 }}
failures = {{ ttf = {{ dist = "exponential", mean = 50 }}, ttr = {{ dist = "exponential", mean = 10 }}, repair = {{ pool = "tech", count = 1 }} }}
"#
    )
}

#[test]
fn a_repair_crew_is_the_machine_repairman_queue() {
    for (machines, crew) in [(5, 1), (5, 2)] {
        let p = finite_source(machines, crew, 1.0 / 50.0, 1.0 / 10.0);
        let down: f64 = p.iter().enumerate().map(|(k, pk)| pk * k as f64).sum();
        let repairing: f64 = p
            .iter()
            .enumerate()
            .map(|(k, pk)| pk * f64::from((k as u32).min(crew)))
            .sum();
        let m = f64::from(machines);
        // Every machine that is up runs (raw parts never lack): one part a minute.
        let throughput_per_h = (m - down) * 60.0;
        let s = scenario(&repairman(machines, crew));
        let (summary, result) = run(&s, 2);
        let v = &summary.variants[0];
        assert_in_ci("throughput", &v.throughput_per_h, throughput_per_h, 5);
        let waiting = estimate_of(&result, 0, |r| {
            r.stations[0].repair_waiting_min / r.measured_min / m
        });
        assert_in_ci("waiting for the crew", &waiting, (down - repairing) / m, 5);
        let exact = solve_model(&s.variants[0].model, false).unwrap();
        assert!(
            (exact.throughput_per_h / throughput_per_h - 1.0).abs() < 1e-9,
            "exact {} vs closed form {throughput_per_h}",
            exact.throughput_per_h
        );
    }
}

/// A deterministic line of one station, with `extra` station keys and
/// `top` sections.
fn deterministic(machines: u32, process: f64, extra: &str, top: &str, horizon: &str) -> String {
    format!(
        r#"
[scenario]
name = "by-hand"
horizon = "{horizon}"
replications = 1
{top}
[[products]]
name = "p"
route = ["m"]

[[stations]]
name = "m"
machines = {machines}
process = {{ dist = "deterministic", value = {process} }}
{extra}
"#
    )
}

#[test]
fn one_operator_loading_and_unloading_two_machines_by_hand() {
    // Load 2, process 2, unload 1, one operator for two machines. From
    // t = 4 the cycle repeats every 6 min: the operator unloads and loads
    // one machine (3 min) then the other, while each machine waits 1 min
    // of its 6 for the operator: 2 parts per 6 min, the operator busy all
    // the time; per machine busy 2, load/unload 3, waiting 1.
    let pool = "[[pools]]\nname = \"op\"\nsize = 1\n";
    let extra = r#"load = { dist = "deterministic", value = 2 }
unload = { dist = "deterministic", value = 1 }
operators = { pool = "op", count = 1, for = "load_unload" }"#;
    let s = scenario(
        &deterministic(2, 2.0, extra, pool, "6000min")
            .replace("replications = 1", "replications = 1\nwarmup = \"60min\""),
    );
    let (summary, result) = run(&s, 1);
    assert!((summary.variants[0].throughput_per_h.mean - 20.0).abs() < 1e-9);
    let shares = result.variants[0].replications[0].stations[0].state_shares();
    for (state, share) in [
        (MachineState::Busy, 2.0 / 6.0),
        (MachineState::LoadUnload, 3.0 / 6.0),
        (MachineState::WaitingLoadUnload, 1.0 / 6.0),
    ] {
        assert!(
            (shares[state] - share).abs() < 1e-9,
            "{state:?}: {}",
            shares[state]
        );
    }
    // The same operator held for the whole operation runs one machine at a
    // time: 5 min a part.
    let all = scenario(&deterministic(
        2,
        2.0,
        &extra.replace("load_unload", "all"),
        pool,
        "6000min",
    ));
    let (summary, _) = run(&all, 1);
    assert!((summary.variants[0].throughput_per_h.mean - 12.0).abs() < 1e-9);
    // Setups only: the operator is never needed, 2 machines × 1 part / 5 min.
    let setup_only = scenario(&deterministic(
        2,
        2.0,
        &extra.replace("load_unload", "setup"),
        pool,
        "6000min",
    ));
    let (summary, _) = run(&setup_only, 1);
    assert!((summary.variants[0].throughput_per_h.mean - 24.0).abs() < 1e-9);
}

const CALENDAR: &str = r#"
[calendar]
start_date = "2027-01-04"
closed = [ { days = "sat-sun" }, { days = "mon-fri", start = "22:00", end = "06:00" } ]
holidays = ["2027-01-06", "2026-12-25"]
"#;

#[test]
fn the_plant_calendar_and_holidays_by_hand() {
    // Open: Monday 00:00-22:00 (Sunday is closed, the night window starts
    // on Monday evening), Tuesday to Friday 06:00-22:00: 22 + 4 × 16 = 86 h
    // a week; the holiday on Wednesday 6 January takes its 16 open hours;
    // the one before the start date is never reached. 4 weeks: 328 h.
    let text = deterministic(1, 1.0, "", CALENDAR, "28d");
    let s = scenario(&text);
    assert!(s
        .warnings()
        .iter()
        .any(|w| w.message.contains("before start_date")));
    let (summary, result) = run(&s, 1);
    let open_h = 4.0 * 86.0 - 16.0;
    let v = &summary.variants[0];
    assert!((v.throughput_per_h.mean - open_h * 60.0 / (28.0 * 24.0)).abs() < 1e-9);
    let shares = result.variants[0].replications[0].stations[0].state_shares();
    assert!((shares[MachineState::OffShift] - (1.0 - open_h / (28.0 * 24.0))).abs() < 1e-12);
    // A lights-out station works through.
    let lights_out = scenario(&deterministic(1, 1.0, "lights_out = true", CALENDAR, "28d"));
    let (summary, _) = run(&lights_out, 1);
    assert!((summary.variants[0].throughput_per_h.mean - 60.0).abs() < 1e-9);
}

#[test]
fn an_operation_under_way_finishes_when_the_plant_closes() {
    // Open 00:00-08:00 daily: parts of 50 min start at 0, 50, ..., 450;
    // the last ends at 500, after closing. 10 parts a day, busy 500 of
    // 1440 min, the rest off shift.
    let top = r#"
[calendar]
closed = [ { days = "daily", start = "08:00", end = "24:00" } ]
"#;
    let s = scenario(&deterministic(1, 50.0, "", top, "7d"));
    let (summary, result) = run(&s, 1);
    assert!((summary.variants[0].good_parts_mean - 70.0).abs() < 1e-9);
    let shares = result.variants[0].replications[0].stations[0].state_shares();
    assert!((shares[MachineState::Busy] - 500.0 / 1440.0).abs() < 1e-12);
    assert!((shares[MachineState::OffShift] - 940.0 / 1440.0).abs() < 1e-12);
}

#[test]
fn a_machine_repaired_while_the_plant_is_closed_starts_when_it_opens() {
    // Closed 02:00-06:00 daily (120-360 min). A makes a part every 50 min
    // and moves it to S in 30 min; S, idle and reserved for it, fails at
    // 60 (calendar basis) and is repaired at 160. The part, on S since 80,
    // must wait for the plant to open at 360, not start at 160 (S then
    // fails again at 220, is repaired at 320, and starts at 360): no good
    // part, no processing, in the first 300 min.
    let text = r#"
[scenario]
name = "repaired"
warmup = 0
horizon = 300
replications = 1
[calendar]
closed = [ { days = "daily", start = "02:00", end = "06:00" } ]
[[products]]
name = "p"
route = ["A", "S"]
[[stations]]
name = "A"
process = 50
transfer = 30
[[stations]]
name = "S"
buffer = 0
process = 10
failures = { ttf = 60, ttr = 100, basis = "calendar" }
"#;
    let (summary, result) = run(&scenario(text), 1);
    assert_eq!(summary.variants[0].good_parts_mean, 0.0);
    let s = result.variants[0].replications[0].stations[1].state_shares();
    assert_eq!(s[MachineState::Busy], 0.0);
    // Down 60-160 and 220-300, waiting for the plant 160-220.
    assert!(
        (s[MachineState::Down] - 180.0 / 300.0).abs() < 1e-12,
        "{s:?}"
    );
    assert!(
        (s[MachineState::OffShift] - 60.0 / 300.0).abs() < 1e-12,
        "{s:?}"
    );
}

#[test]
fn nothing_starts_at_the_instant_the_plant_closes_or_a_shift_ends() {
    // Parts of 60 min, one operator. The plant is closed 10:00-17:00.
    // Shift 10:00-22:00: the plant closes as the shift starts, so work
    // starts at 17:00, ..., 21:00: 5 parts a day (an operation started at
    // 10:00 made it 6 on the first day). Shift 06:00-17:00: the plant opens
    // as the shift ends, so work starts at 06:00, ..., 09:00: 4 a day.
    for (shift, per_day) in [(("10:00", "22:00"), 5.0), (("06:00", "17:00"), 4.0)] {
        let text = format!(
            "[scenario]\nname = \"tie\"\nwarmup = 0\nhorizon = \"7d\"\nreplications = 1\n[calendar]\nclosed = [ {{ days = \"daily\", start = \"10:00\", end = \"17:00\" }} ]\n[[pools]]\nname = \"crew\"\nsize = 1\nshifts = [ {{ days = \"daily\", start = \"{}\", end = \"{}\" }} ]\n[[products]]\nname = \"p\"\nroute = [\"S\"]\n[[stations]]\nname = \"S\"\nprocess = 60\noperators = {{ pool = \"crew\" }}\n",
            shift.0, shift.1
        );
        let (summary, _) = run(&scenario(&text), 1);
        assert_eq!(
            summary.variants[0].good_parts_mean,
            7.0 * per_day,
            "shift {shift:?}"
        );
    }
}

#[test]
fn a_request_queued_through_the_night_keeps_its_place_when_the_plant_and_the_shift_open_together() {
    // One person, on shift 06:00-20:00; the plant closed 22:00-06:00. The
    // cell (60 min a part) works Monday 06:00-20:00: 14 parts. At 20:00 it
    // asks for its operator for the next part: the plant is open, the
    // shift over, so it queues in the pool. The washer behind it breaks
    // (calendar basis, at 21:00) and queues its repair behind the cell's
    // request. At 06:00 on Tuesday the plant opens and the shift starts at
    // the same instant: both open, so the queue is served in its order.
    // The cell starts (06:00-07:00), the repair follows (07:00-08:00), and
    // the cell works again from 08:00: 13 parts to 20:00, 27 in all; the
    // washer is down 21:00-08:00 (660 min), 600 of them waiting for the
    // repairer. (Were the shift to find the plant still closed, the cell
    // would leave the queue for the plant's and the repair would go first:
    // down 600 min, 540 waiting.)
    let text = r#"
[scenario]
name = "opening"
warmup = 0
horizon = "2d"
replications = 1
[calendar]
closed = [ { days = "daily", start = "22:00", end = "06:00" } ]
[[pools]]
name = "crew"
size = 1
shifts = [ { days = "daily", start = "06:00", end = "20:00" } ]
[[products]]
name = "p"
route = ["cell", "washer"]
[[stations]]
name = "cell"
process = 60
operators = { pool = "crew" }
[[stations]]
name = "washer"
process = 1
buffer = "inf"
failures = { ttf = { dist = "deterministic", value = 1260 }, ttr = { dist = "deterministic", value = 60 }, basis = "calendar", repair = { pool = "crew" } }
"#;
    let (summary, result) = run(&scenario(text), 1);
    assert_eq!(summary.variants[0].good_parts_mean, 27.0);
    let washer = &result.variants[0].replications[0].stations[1];
    let day2 = 2.0 * 1440.0;
    assert!(
        (washer.state_shares()[MachineState::Down] - 660.0 / day2).abs() < 1e-12,
        "{:?}",
        washer.state_shares()
    );
    assert!(
        (washer.repair_waiting_min - 600.0).abs() < 1e-9,
        "{}",
        washer.repair_waiting_min
    );
}

#[test]
fn planned_maintenance_by_hand() {
    // Parts of 30 min. Calendar basis, every 100 min after the end of the
    // last maintenance: due at 100 during the 4th part, which finishes at
    // 120; maintenance 120-140, next due at 240 during the 8th part...:
    // 4 parts and 20 min of maintenance every 140 min. Operating basis,
    // every 90 min of processing: after 3 parts: 3 parts per 110 min.
    for (basis, every, period, parts) in
        [("calendar", 100, 140.0, 4.0), ("operating", 90, 110.0, 3.0)]
    {
        let extra = format!(
            r#"maintenance = {{ every = {every}, duration = {{ dist = "deterministic", value = 20 }}, basis = "{basis}" }}"#
        );
        let s = scenario(&deterministic(1, 30.0, &extra, "", "15400min"));
        let (summary, result) = run(&s, 1);
        let v = &summary.variants[0];
        assert!(
            (v.throughput_per_h.mean - parts / period * 60.0).abs() < 1e-9,
            "{basis}: {}",
            v.throughput_per_h.mean
        );
        let station = &result.variants[0].replications[0].stations[0];
        let shares = station.state_shares();
        assert!((shares[MachineState::Maintenance] - 20.0 / period).abs() < 1e-12);
        assert_eq!(station.maintenances as f64, 15400.0 / period);
    }
    // With a crew that works only in the day shift (Monday to Sunday
    // 06:00-14:00), maintenances due outside it wait for the crew, in the
    // maintenance state; nothing is lost.
    let crew = r#"
[[pools]]
name = "maint"
size = 1
shifts = [ { days = "daily", start = "06:00", end = "14:00" } ]
"#;
    let extra = r#"maintenance = { every = "6h", duration = { dist = "deterministic", value = 60 }, basis = "calendar", pool = "maint" }"#;
    let s = scenario(&deterministic(1, 10.0, extra, crew, "70d"));
    let (summary, result) = run(&s, 1);
    let station = &result.variants[0].replications[0].stations[0];
    let shares = station.state_shares();
    // The first maintenance falls due at 06:00 (the crew is there: 06:00-
    // 07:00), the next at 13:00 (13:00-14:00), the next at 20:00 and waits
    // for the crew until 06:00 (20:00-07:00), and so on: two maintenances
    // a day, 720 min a day in maintenance from the first morning on, 360 on
    // the first day.
    let minutes = 360.0 + 69.0 * 720.0;
    assert!(
        (shares[MachineState::Maintenance] - minutes / (70.0 * 1440.0)).abs() < 1e-9,
        "{shares:?}"
    );
    assert!((summary.variants[0].stations[0].maintenances_per_h - 2.0 / 24.0).abs() < 1e-9);
}

#[test]
fn a_maintenance_whose_crew_comes_on_a_holiday_waits_off_shift_for_the_plant() {
    // Parts of 1 min. The maintenance falls due at 20:00 on Monday (every
    // 20 h, calendar basis); its crew works 06:00-18:00, so it waits in
    // maintenance from 20:00 (1200). Tuesday is a holiday: when the crew
    // comes at 06:00 (1800) the plant is closed, so the machine waits for
    // it, off shift, until Wednesday 00:00 (2880); the crew is off again
    // until 06:00 (3240, maintenance), and the hour of work ends at 3300.
    // Over three days: busy 1200 + 1020, maintenance 600 + 360 + 60, off
    // shift 1080 minutes. (Counted as maintenance until the next change of
    // the calendar, the holiday's wait was 1080 minutes too much there.)
    let top = r#"
[calendar]
start_date = "2026-11-30"
holidays = ["2026-12-01"]

[[pools]]
name = "crew"
size = 1
shifts = [ { days = "daily", start = "06:00", end = "18:00" } ]
"#;
    let extra =
        r#"maintenance = { every = "20h", duration = "60min", basis = "calendar", pool = "crew" }"#;
    let s = scenario(&deterministic(1, 1.0, extra, top, "3d"));
    let (summary, result) = run(&s, 1);
    let station = &result.variants[0].replications[0].stations[0];
    let minutes = |state| station.state_min[state];
    assert_eq!(summary.variants[0].good_parts_mean, 2220.0);
    assert!(
        (minutes(MachineState::Busy) - 2220.0).abs() < 1e-9,
        "{:?}",
        station.state_min
    );
    assert!(
        (minutes(MachineState::Maintenance) - 1020.0).abs() < 1e-9,
        "{:?}",
        station.state_min
    );
    assert!(
        (minutes(MachineState::OffShift) - 1080.0).abs() < 1e-9,
        "{:?}",
        station.state_min
    );
}

/// Two products that share one machine with a setup on product change.
fn two_products(source: &str, mix_b: f64, process: &str) -> String {
    format!(
        r#"
[scenario]
name = "lots"
warmup = "10h"
horizon = "2000h"
replications = 3

{source}

[[products]]
name = "a"
mix = 2
route = ["cnc"]

[[products]]
name = "b"
mix = {mix_b}
route = ["cnc"]

[[stations]]
name = "cnc"
buffer = "inf"
process = {process}
setup = {{ time = {{ dist = "deterministic", value = 5 }} }}
"#
    )
}

#[test]
fn lots_make_one_setup_per_product_change_between_lots() {
    // Unlimited source, mix 1:1, lots of 10: every lot changes product;
    // a lot takes 5 + 10 × 1 min: 4 setups and 40 parts an hour.
    let s = scenario(&two_products(
        "[source]\nlot_size = 10",
        2.0,
        r#"{ dist = "deterministic", value = 1 }"#,
    ));
    let (summary, _) = run(&s, 1);
    let v = &summary.variants[0];
    assert!(
        (v.throughput_per_h.mean - 40.0).abs() < 1e-6,
        "{}",
        v.throughput_per_h.mean
    );
    assert!((v.stations[0].setups_per_h - 4.0).abs() < 1e-6);
    // Poisson releases of 30 parts an hour in lots of 5 (6 lots an hour),
    // mix 2:1: the lot sequence a, b, a | a, b, a | ... changes product at
    // 2 of every 3 lots: 4 setups an hour, whatever the processing times.
    let s = scenario(&two_products(
        "[source]\nmode = \"interarrival\"\ninterarrival = { dist = \"exponential\", mean = 2 }\nlot_size = 5",
        1.0,
        r#"{ dist = "exponential", mean = 1 }"#,
    ));
    let (_, result) = run(&s, 2);
    let setups = estimate_of(&result, 0, |r| {
        r.stations[0].setups as f64 / r.measured_min * 60.0
    });
    assert_in_ci("setups per hour", &setups, 4.0, 3);
}

#[test]
fn a_line_started_full_is_in_its_steady_state_from_time_zero() {
    // Station a (1 min) feeds b (2 min) through a buffer of 5. In steady
    // state b never waits, its buffer is full and a is blocked holding a
    // part: 7 parts in the line, 30 an hour. Started with 6 parts at b (5
    // waiting, 1 on the machine) the line is in that state from time 0: in
    // the first hour b finishes at 2, 4, ..., 60. Started empty, its first
    // part is out at 3, the 29th at 59.
    let line = |wip: &str| {
        format!(
            r#"
[scenario]
name = "full"
horizon = "1h"
replications = 1
{wip}
[[products]]
name = "p"
route = ["a", "b"]

[[stations]]
name = "a"
process = {{ dist = "deterministic", value = 1 }}

[[stations]]
name = "b"
buffer = 5
process = {{ dist = "deterministic", value = 2 }}
"#
        )
    };
    let (full, _) = run(&scenario(&line("[initial_wip]\nb = 6\n")), 1);
    let v = &full.variants[0];
    assert_eq!(v.good_parts_mean, 30.0);
    assert!((v.wip_mean - 7.0).abs() < 1e-12, "{}", v.wip_mean);
    assert!((v.stations[1].buffer_mean - 5.0).abs() < 1e-12);
    let (empty, _) = run(&scenario(&line("")), 1);
    assert_eq!(empty.variants[0].good_parts_mean, 29.0);
    // Per product, and the parts count as work in the line at the start.
    let (_, result) = run(&scenario(&line("[initial_wip]\nb = { p = 3 }\n")), 1);
    let rep = &result.variants[0].replications[0];
    assert_eq!(rep.wip_at_start, 3 + 1);
    assert_eq!(
        rep.released + rep.wip_at_start,
        rep.good_parts + rep.scrap_parts + rep.wip_at_end
    );
    let text = errors(&line("[initial_wip]\nb = 7\nc = 1\n"));
    assert!(
        text.contains("7 parts cannot wait at station \"b\""),
        "{text}"
    );
    assert!(
        text.contains("initial_wip.c: unknown station \"c\""),
        "{text}"
    );
}

#[test]
fn crews_calendars_and_tasks_give_clear_errors() {
    let base = deterministic(1, 1.0, "", "[[pools]]\nname = \"op\"\nsize = 1\n", "10h");
    let cases = [
        (
            "operators = { pool = \"op\", for = \"loading\" }",
            "stations[0].operators.for: expected \"all\", \"load_unload\" or \"setup\", got \"loading\"",
        ),
        (
            "failures = { ttf = 100, ttr = 10, repair = { pool = \"ops\" } }",
            "stations[0].failures.repair.pool: unknown pool \"ops\"",
        ),
        (
            "failures = { ttf = 100, ttr = 10, repair = { pool = \"op\", count = 2 } }",
            "needs 2 technicians but pool \"op\" has only 1",
        ),
        (
            "operators = { pool = \"op\" }\nfailures = { ttf = 100, ttr = 10, repair = { pool = \"op\" } }",
            "a breakdown could never be repaired",
        ),
        (
            // Operators who only load are held through a breakdown during
            // the loading, which only calendar-basis failures can strike.
            "load = 1\noperators = { pool = \"op\", for = \"load_unload\" }\nfailures = { ttf = 100, ttr = 10, basis = \"calendar\", repair = { pool = \"op\" } }",
            "stations[0].failures.repair.count: the machine's 1 operators stay with it through a calendar-basis breakdown during the steps they are there for, and its repair needs 1 more of pool \"op\", which has only 1: a breakdown could never be repaired",
        ),
        (
            "maintenance = { every = 100, duration = 10, pool = \"op\" }\nfailures = { ttf = 100, ttr = 10, basis = \"calendar\", repair = { pool = \"op\" } }",
            "stations[0].maintenance.count: a breakdown (calendar basis) can strike during a maintenance, and the maintenance crew (1 of pool \"op\") stays with the machine while it is down; its repair needs 1 more, and the pool has only 1: such a breakdown could never be repaired",
        ),
        (
            "maintenance = { every = 0, duration = 10 }",
            "stations[0].maintenance.every",
        ),
        (
            "maintenance = { every = 100, duration = 10, count = 2 }",
            "stations[0].maintenance.pool",
        ),
    ];
    for (extra, expected) in cases {
        let text = errors(&base.replace(
            "process = { dist = \"deterministic\", value = 1 }",
            &format!("process = {{ dist = \"deterministic\", value = 1 }}\n{extra}"),
        ));
        assert!(text.contains(expected), "{extra}:\n{text}");
        assert!(text.contains("test.toml:"), "{text}");
    }
    for (calendar, expected) in [
        ("start_date = \"2027-01-05\"", "expected a Monday"),
        ("holidays = [\"2027-01-06\"]", "give start_date"),
        (
            "start_date = \"2027-01-04\"\nholidays = [\"2027-02-30\"]",
            "that month has 28 days",
        ),
        ("closed = [ { days = \"daily\" } ]", "closed all week"),
        (
            "closed = [ { days = \"mon\", start = \"08:00\" } ]",
            "give both start and end",
        ),
    ] {
        let text = errors(&base.replace(
            "[[products]]",
            &format!("[calendar]\n{calendar}\n\n[[products]]"),
        ));
        assert!(text.contains(expected), "{calendar}:\n{text}");
    }
    let shared = scenario(&deterministic(
        2,
        1.0,
        "operators = { pool = \"op\" }\nfailures = { ttf = 100, ttr = 10, repair = { pool = \"op\" } }",
        "[[pools]]\nname = \"op\"\nsize = 2\n",
        "10h",
    ));
    assert!(shared
        .warnings()
        .iter()
        .any(|w| w.message.contains("nobody is left to repair them")));
    // The same pool for maintenance and repair: two machines may both be
    // in maintenance and break down (a warning); on the operating basis a
    // machine fails only while processing, never during a maintenance,
    // and operators who only load are never held by a breakdown.
    let maintained = |machines: u32, basis: &str| {
        scenario(&deterministic(
            machines,
            1.0,
            &format!("maintenance = {{ every = 100, duration = 10, pool = \"op\" }}\nfailures = {{ ttf = 100, ttr = 10, basis = \"{basis}\", repair = {{ pool = \"op\" }} }}"),
            "[[pools]]\nname = \"op\"\nsize = 2\n",
            "10h",
        ))
    };
    let left = |s: &alloysim::scenario::Scenario| {
        s.warnings()
            .iter()
            .filter(|w| w.message.contains("nobody is left to repair them"))
            .map(|w| w.key_path.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        left(&maintained(2, "calendar")),
        ["stations[0].maintenance.count"]
    );
    assert!(left(&maintained(1, "calendar")).is_empty());
    assert!(left(&maintained(2, "operating")).is_empty());
    let loading = scenario(&deterministic(
        1,
        1.0,
        "load = 1\noperators = { pool = \"op\", for = \"load_unload\" }\nfailures = { ttf = 100, ttr = 10, repair = { pool = \"op\" } }",
        "[[pools]]\nname = \"op\"\nsize = 1\n",
        "10h",
    ));
    assert!(left(&loading).is_empty());
    let lights_out = scenario(&deterministic(1, 1.0, "lights_out = true", "", "10h"));
    assert!(lights_out
        .warnings()
        .iter()
        .any(|w| w.message.contains("no [calendar]")));
}

#[test]
fn a_busy_line_with_every_feature_conserves_parts_and_is_deterministic() {
    let text = r#"
[scenario]
name = "everything"
warmup = "2d"
horizon = "20d"
replications = 4
seed = 3

[source]
lot_size = 4

[calendar]
start_date = "2027-01-04"
closed = [ { days = "sun" }, { days = "mon-sat", start = "23:00", end = "05:00" } ]
holidays = ["2027-01-13"]

[initial_wip]
cnc = 6
oven = { a = 3, b = 2 }

[[products]]
name = "a"
route = ["cast", "cnc", "oven", "test"]

[[products]]
name = "b"
mix = 0.5
route = ["cast", "cnc", "oven", "test"]

[[pools]]
name = "ops"
size = 2
shifts = [ { days = "mon-sat", start = "06:00", end = "22:00" } ]

[[pools]]
name = "tech"
size = 1
shifts = [ { days = "mon-fri", start = "07:00", end = "15:00" } ]

[[stations]]
name = "cast"
machines = 2
process = { dist = "gamma", mean = 3, cv = 0.3 }
failures = { ttf = { dist = "exponential", mean = 400 }, ttr = { dist = "exponential", mean = 30 }, repair = { pool = "tech" } }
setup = { time = 8 }

[[stations]]
name = "cnc"
machines = 3
buffer = 10
process = { dist = "lognormal", mean = 7, cv = 0.2 }
load = { dist = "uniform", min = 0.5, max = 1.5 }
unload = 0.5
operators = { pool = "ops", for = "load_unload" }
maintenance = { every = "8h", duration = 30, basis = "operating", pool = "tech" }

[[stations]]
name = "oven"
buffer = 30
process = 40
batch = { size = 10, min = 4, max_wait = "1h" }
lights_out = true
maintenance = { every = "3d", duration = 120, basis = "calendar" }
failures = { ttf = { dist = "exponential", mean = 3000 }, ttr = 60, basis = "calendar", repair = { pool = "tech" } }

[[stations]]
name = "test"
buffer = 5
process = { dist = "exponential", mean = 2 }
scrap = 0.05
operators = { pool = "ops", for = "setup" }
setup = { time = 4, on = "every", every = 20 }
"#;
    let s = scenario(text);
    let (one, result) = run(&s, 1);
    let (two, _) = run(&s, 2);
    assert_eq!(
        serde_json::to_value(one.clone().without_timing()).unwrap(),
        serde_json::to_value(two.without_timing()).unwrap()
    );
    for rep in &result.variants[0].replications {
        assert!(rep.good_parts > 0);
        assert_eq!(
            rep.released + rep.wip_at_start,
            rep.good_parts + rep.scrap_parts + rep.wip_at_end,
            "replication {}",
            rep.replication
        );
        for (station, spec) in rep.stations.iter().zip(&s.variants[0].model.stations) {
            let machine_minutes = f64::from(spec.machines) * rep.measured_min;
            assert!((station.state_min.total() / machine_minutes - 1.0).abs() < 1e-9);
        }
    }
    let v = &one.variants[0];
    for state in [
        MachineState::LoadUnload,
        MachineState::WaitingLoadUnload,
        MachineState::Maintenance,
        MachineState::OffShift,
        MachineState::Down,
    ] {
        assert!(
            v.stations.iter().any(|s| s.shares[state] > 0.0),
            "no station spends time {state:?}"
        );
    }
}

#[test]
fn a_sweep_over_the_lot_size_shows_the_setup_and_wip_trade_off() {
    // Poisson orders of 40 an hour for two products, a 5 min setup on each
    // product change: small lots spend the machine on setups (lots of 5:
    // 8 setups = 40 min an hour, the queue explodes), large lots arrive
    // in bursts that wait. The WIP is least in between.
    let text = two_products(
        "[source]\nmode = \"interarrival\"\ninterarrival = { dist = \"exponential\", mean = 1.5 }\nlot_size = 5",
        2.0,
        r#"{ dist = "exponential", mean = 1 }"#,
    )
    .replace("horizon = \"2000h\"", "horizon = \"300h\"");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lots.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    crate::common::alloysim()
        .args(["sweep", "--param", "source.lot_size=5..45:20", "-q", "-o"])
        .arg(&out)
        .arg(&path)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let wip: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(4).unwrap().parse().unwrap())
        .collect();
    assert_eq!(wip.len(), 3, "{csv}");
    assert!(wip[1] < wip[0] && wip[1] < wip[2], "{wip:?}");
}

#[test]
fn the_capacity_bound_counts_loading_maintenance_the_calendar_and_operator_pools() {
    use alloysim::model::capacity::{capacity, Limit};
    // Five machines of 10 min with a 4 min load: 5 × 60 / 14 parts/h of
    // machine capacity; the one operator who loads them all: 60 / 4.
    let s = scenario(&interference(5, 1, 10.0, 4.0));
    let cap = capacity(&s.variants[0].model);
    assert!((cap.stations[0].good_parts_per_h - 300.0 / 14.0).abs() < 1e-9);
    assert!((cap.pools[0].good_parts_per_h - 15.0).abs() < 1e-9);
    assert_eq!(cap.limit, Limit::Pool(0));
    assert_eq!(cap.limit_name(), "op");
    // Maintenance on the operating basis: 20 min per 90 min of processing
    // of 30 min parts; under the calendar of 86 open hours in 168 (no
    // holidays), in 5 spells each followed by the 30 min part started
    // before closing: 60 / (30 × (1 + 20/90)) × 88.5/168.
    let extra =
        r#"maintenance = { every = 90, duration = { dist = "deterministic", value = 20 } }"#;
    let calendar = CALENDAR
        .replace(", \"2026-12-25\"", "")
        .replace("holidays = [\"2027-01-06\"]", "");
    let s = scenario(&deterministic(1, 30.0, extra, &calendar, "28d"));
    let cap = capacity(&s.variants[0].model);
    let expected = 60.0 / (30.0 * (1.0 + 20.0 / 90.0)) * 88.5 / 168.0;
    assert!(
        (cap.bound_per_h - expected).abs() < 1e-9,
        "{} vs {expected}",
        cap.bound_per_h
    );
}

#[test]
fn the_exact_chain_with_loading_operators_and_a_repair_crew_matches_the_simulation() {
    // No closed form: two stations in series, the first with a repair crew
    // of one for its two machines, the second with one operator loading
    // its three machines, a buffer of 3 between them.
    let text = r#"
[scenario]
name = "markov"
warmup = "20h"
horizon = "2000h"
replications = 6
seed = 8

[[products]]
name = "p"
route = ["press", "cnc"]

[[pools]]
name = "tech"
size = 1

[[pools]]
name = "op"
size = 1

[[stations]]
name = "press"
machines = 2
process = { dist = "exponential", mean = 2 }
failures = { ttf = { dist = "exponential", mean = 30 }, ttr = { dist = "exponential", mean = 8 }, repair = { pool = "tech" } }

[[stations]]
name = "cnc"
machines = 3
buffer = 3
process = { dist = "exponential", mean = 4 }
load = { dist = "exponential", mean = 1 }
operators = { pool = "op", for = "load_unload" }
"#;
    let s = scenario(text);
    let exact = solve_model(&s.variants[0].model, false).unwrap();
    let (summary, result) = run(&s, 2);
    let v = &summary.variants[0];
    assert_in_ci("throughput", &v.throughput_per_h, exact.throughput_per_h, 6);
    for (k, state) in [
        (0, MachineState::Down),
        (1, MachineState::LoadUnload),
        (1, MachineState::WaitingLoadUnload),
        (1, MachineState::Blocked),
    ] {
        let simulated = estimate_of(&result, 0, |r| r.stations[k].state_shares()[state]);
        let reference = exact.stations[k].shares[state];
        assert_in_ci(&format!("station {k} {state:?}"), &simulated, reference, 6);
    }
}

#[test]
fn a_change_can_make_one_operator_tend_two_machines() {
    // The by-hand line of one operator and two machines (load 2, process 2,
    // unload 1): held for the whole operation, 12 parts/h; a change to
    // loading and unloading only, 20 parts/h.
    let text = deterministic(
        2,
        2.0,
        r#"load = { dist = "deterministic", value = 2 }
unload = { dist = "deterministic", value = 1 }
operators = { pool = "op" }"#,
        "[[pools]]\nname = \"op\"\nsize = 1\n",
        "6000min",
    ) + r#"
[[changes]]
name = "tending"
stations.m = { operators = { for = "load_unload" } }
"#;
    let s = scenario(&text.replace("replications = 1", "replications = 1\nwarmup = \"60min\""));
    let (summary, _) = run(&s, 1);
    assert!((summary.variants[0].throughput_per_h.mean - 12.0).abs() < 1e-9);
    assert!((summary.variants[1].throughput_per_h.mean - 20.0).abs() < 1e-9);
}

/// Runs `text` and returns its exit code and error output.
fn run_stderr(text: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("line.toml");
    std::fs::write(&path, text).unwrap();
    let output = crate::common::alloysim()
        .args(["run", "-q", "--no-charts", "-o"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .output()
        .unwrap();
    let code = output.status.code().unwrap();
    (code, String::from_utf8_lossy(&output.stderr).to_string())
}

/// Two machines, each holding one of the pool's two operators while it
/// processes; both fail after 10 min of processing and their repairs need
/// a third person of the same pool. `shifts` is the pool's (or empty).
fn held_through_breakdowns(shifts: &str, horizon: &str) -> String {
    deterministic(
        2,
        100.0,
        r#"operators = { pool = "op" }
failures = { ttf = { dist = "deterministic", value = 10 }, ttr = 5, repair = { pool = "op" } }"#,
        &format!("[[pools]]\nname = \"op\"\nsize = 2\n{shifts}"),
        horizon,
    )
}

#[test]
fn a_line_whose_repairers_are_all_held_by_broken_machines_stops_and_says_why() {
    let (code, stderr) = run_stderr(&held_through_breakdowns("", "10h"));
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("at simulated time 0.167 h"), "{stderr}");
    assert!(
        stderr.contains("requests wait for people of pool \"op\" whom nothing will free"),
        "{stderr}"
    );
    assert!(stderr.contains("nobody is left to repair them"), "{stderr}");
}

#[test]
fn a_pool_lock_stops_the_run_also_where_shifts_go_on_changing() {
    // The line above, its pool on shift 00:00-12:00 every day: the shift
    // changes would go on for ever after the lock, so the run used to go
    // on to its horizon making nothing. The lock is found when the second
    // machine queues for its repair, at 10 min.
    let text = held_through_breakdowns(
        "shifts = [ { days = \"daily\", start = \"00:00\", end = \"12:00\" } ]\n",
        "28d",
    );
    let (code, stderr) = run_stderr(&text);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("at simulated time 0.167 h"), "{stderr}");
    assert!(
        stderr.contains("requests wait for people of pool \"op\" whom nothing will free"),
        "{stderr}"
    );
    // The first machine down while the second still works is no lock: the
    // second's operator, free at the end of its part, repairs the first.
    // Parts of 10 min fed one a minute, failures after 20.5 min of
    // processing: the first machine (parts from 1) fails at 21.5 and
    // waits; the second (from 2) finishes its part at 22 and its operator
    // repairs the first (22-27), then starts the second's next part, which
    // fails at 27.5 and waits while the first works on. By 35 min: two
    // parts from each machine, and no lock.
    let text = r#"
[scenario]
name = "by-hand"
horizon = "35min"
replications = 1

[[pools]]
name = "op"
size = 2
shifts = [ { days = "daily", start = "00:00", end = "12:00" } ]

[[products]]
name = "p"
route = ["feed", "m"]

[[stations]]
name = "feed"
process = 1

[[stations]]
name = "m"
machines = 2
buffer = 2
process = { dist = "deterministic", value = 10 }
operators = { pool = "op" }
failures = { ttf = { dist = "deterministic", value = 20.5 }, ttr = 5, repair = { pool = "op" } }
"#;
    let (summary, _) = run(&scenario(text), 1);
    assert_eq!(summary.variants[0].good_parts_mean, 4.0);
}

#[test]
fn a_request_waiting_first_can_lock_a_pool_that_repairs_what_holds_its_people() {
    // Pool of 3. "trim" (1 min a part) needs 2 operators to unload (1 min);
    // "cast" (10 min a part) holds 2 for its whole operation and fails
    // after 5 min of processing, its repair needing 1 of the same pool.
    // trim unloads its first part 1-2 (2 operators), cast takes it at 2
    // (2 operators, 1 left); trim's second part is done at 3 and its
    // unloading waits for 2; cast fails at 7 holding its 2, and its repair
    // queues behind trim's unloading, which the one free operator cannot
    // serve: the line stops at 7 min. One station alone fits (2 held + 1
    // for the repair = 3); the warning is about the pool.
    let text = r#"
[scenario]
name = "by-hand"
horizon = "28d"
replications = 1

[[pools]]
name = "crew"
size = 3
shifts = [ { days = "daily", start = "00:00", end = "12:00" } ]

[[products]]
name = "p"
route = ["trim", "cast"]

[[stations]]
name = "trim"
process = 1
unload = 1
operators = { pool = "crew", count = 2, for = "load_unload" }

[[stations]]
name = "cast"
buffer = 2
process = 10
operators = { pool = "crew", count = 2 }
failures = { ttf = { dist = "deterministic", value = 5 }, ttr = 5, repair = { pool = "crew" } }
"#;
    let (code, stderr) = run_stderr(text);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("at simulated time 0.117 h"), "{stderr}");
    assert!(
        stderr.contains("held by machines that are down or wait themselves, at \"cast\""),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "pool \"crew\" (3 people) repairs machines that keep up to 2 of its people while they are down (at \"cast\"), and the operators of station \"trim\" needs 2"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("give the pool at least 4 people"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("nobody is left to repair them"),
        "{stderr}"
    );
    // With 4 people the same line runs.
    let (code, stderr) = run_stderr(&text.replace("size = 3", "size = 4"));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("stops for good"), "{stderr}");
}

#[test]
fn planned_maintenance_waits_for_the_plant_to_open() {
    // Open 00:00-08:00 daily; parts of 1 min; maintenance every 10 h of
    // elapsed time, 60 min. Due at 10:00 on the first day, it waits for
    // the plant to open at midnight and takes the first hour of the next
    // day; the next falls due at 11:00, closed again: one maintenance a
    // day from the second day on. A week: 480 parts the first day, 420 on
    // each of the six others.
    let top = r#"
[calendar]
closed = [ { days = "daily", start = "08:00", end = "24:00" } ]
"#;
    let extra = r#"maintenance = { every = "10h", duration = { dist = "deterministic", value = 60 }, basis = "calendar" }"#;
    let s = scenario(&deterministic(1, 1.0, extra, top, "7d"));
    let (summary, result) = run(&s, 1);
    assert_eq!(summary.variants[0].good_parts_mean, 480.0 + 6.0 * 420.0);
    let station = &result.variants[0].replications[0].stations[0];
    assert_eq!(station.maintenances, 6);
    let shares = station.state_shares();
    assert!((shares[MachineState::Maintenance] - 6.0 * 60.0 / (7.0 * 1440.0)).abs() < 1e-12);
}

/// Operators needed only for setups leave the machines working off shift:
/// the capacity bound counted the crew's 40 h a week as the station's
/// working time (14.3 parts/h) while the line made 60 parts/h.
#[test]
fn operators_needed_only_for_setups_do_not_bound_the_station_by_their_shifts() {
    use alloysim::model::capacity::{capacity, Limit};
    let line = |task: &str, steps: &str| {
        format!(
            r#"
[scenario]
name = "unattended"
horizon = "14d"
replications = 3
[[pools]]
name = "crew"
size = 1
shifts = [{{ days = "mon-fri", start = "06:00", end = "14:00" }}]
[[products]]
name = "p"
route = ["s"]
[[stations]]
name = "s"
process = {{ dist = "deterministic", value = 1.0 }}
operators = {{ pool = "crew", for = "{task}" }}
{steps}
"#
        )
    };
    // For setups only (none is ever due): the machine works around the
    // clock, 60 parts/h, and the bound says so.
    for (task, steps) in [("setup", ""), ("load_unload", "")] {
        let s = scenario(&line(task, steps));
        let cap = capacity(&s.variants[0].model);
        assert!(
            (cap.bound_per_h - 60.0).abs() < 1e-9,
            "{task}: {}",
            cap.bound_per_h
        );
        assert_eq!(cap.limit, Limit::Station(0));
        let (summary, _) = run(&s, 2);
        let simulated = summary.variants[0].throughput_per_h.mean;
        assert!((simulated - 60.0).abs() < 1e-6, "{task}: {simulated}");
        assert!(simulated <= cap.bound_per_h + 1e-9);
    }
    // Needed for the whole operation, or to load: the crew's 40 h of 168
    // pace the station, with the minute part started at the end of each of
    // the 5 shifts: 60 × (40 h + 5 min) / 168 h.
    for (task, steps) in [
        ("all", ""),
        (
            "load_unload",
            "load = { dist = \"deterministic\", value = 0.0 }",
        ),
    ] {
        let s = scenario(&line(task, steps));
        let cap = capacity(&s.variants[0].model);
        let expected = 60.0 * (40.0 * 60.0 + 5.0) / (168.0 * 60.0);
        assert!(
            (cap.bound_per_h - expected).abs() < 1e-9,
            "{task}: {}",
            cap.bound_per_h
        );
    }
}

/// Work started on shift is finished after it: a 6 h operation started at
/// 12:00 on a 06:00-14:00 shift runs to 18:00. The capacity bound counted
/// the shift hours only (40 h of 168, 0.040 parts/h), below what the line
/// makes (two parts a day, 0.060 parts/h).
#[test]
fn the_capacity_bound_counts_the_work_a_shift_leaves_under_way() {
    use alloysim::model::capacity::capacity;
    let text = r#"
[scenario]
name = "oven"
horizon = "28d"
replications = 2
[[pools]]
name = "crew"
size = 1
shifts = [{ days = "mon-fri", start = "06:00", end = "14:00" }]
[[products]]
name = "p"
route = ["oven"]
[[stations]]
name = "oven"
process = { dist = "deterministic", value = "6h" }
operators = { pool = "crew" }
"#;
    let s = scenario(text);
    let cap = capacity(&s.variants[0].model);
    // Each of the 5 shifts, and the 6 h of work it leaves under way: 70 h
    // of 168, one part per 6 h, for the station and for its crew.
    let expected = 70.0 / 168.0 / 6.0;
    assert!(
        (cap.bound_per_h - expected).abs() < 1e-9,
        "{}",
        cap.bound_per_h
    );
    assert!((cap.stations[0].good_parts_per_h - expected).abs() < 1e-9);
    assert!((cap.pools[0].good_parts_per_h - expected).abs() < 1e-9);
    // The line: parts start at 06:00 and 12:00 on each of 5 days, 10 a
    // week, 10 / 168 parts/h, within the bound.
    let (summary, _) = run(&s, 2);
    let simulated = summary.variants[0].throughput_per_h.mean;
    assert!((simulated - 10.0 / 168.0).abs() < 1e-9, "{simulated}");
    assert!(simulated <= cap.bound_per_h);
}
