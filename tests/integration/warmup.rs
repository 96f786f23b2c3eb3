//! The warm-up check against transients known by hand: a queue of 300
//! parts at time 0 that drains at a known rate is flagged, with a warm-up
//! that covers the draining; the same line measured after the draining is
//! not flagged, nor, but in at most 2 of 20 seeds, a line that settles
//! within its warm-up; a line whose source releases more than it can work
//! is told that no warm-up helps; a line whose plant closes at nights (and
//! weekends), measured from a time when the closure's queue is still being
//! worked off, is in its daily (weekly) rhythm, not in a transient, while
//! the same line started with days or weeks of work in its buffer is
//! flagged, with a warm-up of whole days (weeks).

use crate::common::{run, scenario};

/// A source of one part per `interarrival` minutes (exponential) into one
/// machine of 1 min a part: 0.5 parts/min drain a queue of 300 parts in
/// 300 / (1 − 0.5) = 600 min.
fn draining(warmup: &str, seed: u64, initial: u32, interarrival: f64) -> String {
    format!(
        r#"
[scenario]
name = "drain"
warmup = "{warmup}"
horizon = "3d"
replications = 8
seed = {seed}

[source]
mode = "interarrival"
interarrival = {{ dist = "exponential", mean = {interarrival} }}

[[products]]
name = "p"
route = ["A"]

[[stations]]
name = "A"
buffer = "inf"
process = 1.0

[initial_wip]
A = {initial}
"#
    )
}

#[test]
fn a_queue_that_drains_for_ten_hours_is_flagged_with_a_warm_up_that_covers_it() {
    for seed in 1..=6 {
        let s = scenario(&draining("0h", seed, 300, 2.0));
        let (summary, result) = run(&s, 2);
        let check = summary.variants[0].warmup_check.as_ref().unwrap();
        assert!(!check.settled, "seed {seed}");
        // The suggested warm-up covers the draining (the mean WIP is back
        // near its level of 0.75 about 10 h in) and lies in the first half
        // of the measured period, where MSER looks.
        assert!(
            (9.0..=36.0).contains(&check.cut_h),
            "seed {seed}: cut {} h",
            check.cut_h
        );
        // After the cut the WIP is the M/D/1's: L = ρ + ρ² / (2 (1 − ρ))
        // = 0.75 at ρ = 0.5.
        let found = alloysim::warmup::check(s.baseline(), &s.run, &result.variants[0].replications)
            .unwrap();
        assert!(
            (found.wip_after - 0.75).abs() < 0.1,
            "seed {seed}: {}",
            found.wip_after
        );
        assert!(found.wip_before > 20.0, "seed {seed}: {}", found.wip_before);
        let warning = summary
            .warnings
            .iter()
            .find(|w| w.key_path == "scenario.warmup")
            .map(|w| w.message.clone())
            .unwrap_or_else(|| panic!("{:?}", summary.warnings));
        assert!(
            warning.contains("has not settled") && warning.contains("try warmup = \""),
            "{warning}"
        );
    }
    // Measured after a day, the same line has settled.
    let (summary, _) = run(&scenario(&draining("1d", 1, 300, 2.0)), 2);
    assert!(summary.variants[0].warmup_check.as_ref().unwrap().settled);
}

#[test]
fn settled_lines_are_seldom_flagged() {
    // M/D/1 at load 0.5 from empty, a day of warm-up: no transient left.
    let flagged = (0..20)
        .filter(|&seed| {
            let (summary, _) = run(&scenario(&draining("1d", seed, 0, 2.0)), 2);
            !summary.variants[0].warmup_check.as_ref().unwrap().settled
        })
        .count();
    assert!(flagged <= 2, "{flagged} of 20 settled lines flagged");
}

#[test]
fn an_overloaded_line_is_told_that_no_warm_up_settles_it() {
    // Releases of 1.25 a minute into a machine of one a minute.
    let (summary, _) = run(&scenario(&draining("1d", 3, 0, 0.8)), 2);
    let check = summary.variants[0].warmup_check.as_ref().unwrap();
    assert!(!check.settled);
    let warmup: Vec<&str> = summary
        .warnings
        .iter()
        .filter(|w| w.key_path == "scenario.warmup")
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(warmup.len(), 1, "{:?}", summary.warnings);
    assert!(
        warmup[0].contains("no warm-up lets it settle"),
        "{}",
        warmup[0]
    );
    assert!(!warmup[0].contains("try warmup"), "{}", warmup[0]);
}

/// The plant closed at nights and weekends, open 06:00–22:00 Monday to
/// Friday.
const NIGHTS_AND_WEEKENDS: &str = r#"[{ days = "sat-sun" }, { days = "mon-fri", start = "00:00", end = "06:00" }, { days = "mon-fri", start = "22:00", end = "24:00" }]"#;
/// The plant closed at nights only, every day alike.
const NIGHTS: &str = r#"[{ days = "daily", start = "00:00", end = "06:00" }, { days = "daily", start = "22:00", end = "24:00" }]"#;

/// Orders every 3.5 min (exponential) into A (1 min) and B (1.1 min), a
/// plant closed in the windows `closed`: the orders of each closure queue
/// up and are worked off in the next open hours, so the WIP follows the
/// calendar's daily or weekly cycle (highest when the plant opens) around
/// a steady mean. `initial` parts wait at A at time 0.
fn calendar_line(closed: &str, warmup: &str, horizon: &str, seed: u64, initial: u32) -> String {
    format!(
        r#"
[scenario]
name = "calendar"
warmup = "{warmup}"
horizon = "{horizon}"
replications = 10
seed = {seed}

[source]
mode = "interarrival"
interarrival = {{ dist = "exponential", mean = 3.5 }}

[calendar]
closed = {closed}

[[products]]
name = "p"
route = ["A", "B"]

[[stations]]
name = "A"
process = {{ dist = "exponential", mean = 1.0 }}

[[stations]]
name = "B"
buffer = 5
process = {{ dist = "exponential", mean = 1.1 }}

[initial_wip]
A = {initial}
"#
    )
}

/// How many of seeds 1..=20 the check flags.
fn flagged(closed: &str, warmup: &str, horizon: &str) -> usize {
    (1..=20)
        .filter(|&seed| {
            let (summary, _) = run(
                &scenario(&calendar_line(closed, warmup, horizon, seed, 0)),
                2,
            );
            !summary.variants[0].warmup_check.as_ref().unwrap().settled
        })
        .count()
}

#[test]
fn a_plant_calendar_is_a_rhythm_not_a_transient() {
    // Measured from Monday 00:00 after a week, for eight weeks: batches of
    // five bins (the check before it knew the plant calendar) flagged 8 of
    // these 20 seeds, taking Monday's high WIP for a transient; for two or
    // three weeks, all 20. Batches of whole weeks (two or three of them:
    // the first against the rest) flag none.
    for horizon in ["56d", "14d", "21d"] {
        let n = flagged(NIGHTS_AND_WEEKENDS, "7d", horizon);
        assert!(n <= 2, "{horizon}: {n} of 20 settled lines flagged");
    }
    // The same every day: batches of a day, so five days are enough (five-
    // bin batches flagged 19 of the 20).
    let n = flagged(NIGHTS, "2d", "5d");
    assert!(n <= 2, "nights: {n} of 20 settled lines flagged");
}

#[test]
fn a_transient_under_a_plant_calendar_is_found_in_whole_periods() {
    // 3000 parts at time 0: the line works 80 of 168 h a week at about
    // 54 parts/h and is sent 17 an hour, so it drains about 9 an hour, in
    // about two weeks; 1000 parts drain within the first of two weeks; 300
    // parts under the nightly calendar (16 h a day at about 54 an hour,
    // about 19 an hour net) within the first day of five.
    let cases = [
        (NIGHTS_AND_WEEKENDS, "56d", 3000, 168.0),
        (NIGHTS_AND_WEEKENDS, "14d", 1000, 168.0),
        (NIGHTS, "5d", 300, 24.0),
    ];
    for (closed, horizon, initial, period_h) in cases {
        for seed in 1..=3 {
            let text = calendar_line(closed, "0d", horizon, seed, initial);
            let (summary, _) = run(&scenario(&text), 2);
            let check = summary.variants[0].warmup_check.as_ref().unwrap();
            assert!(!check.settled, "{horizon}, seed {seed}");
            let periods = check.cut_h / period_h;
            assert!(
                periods >= 1.0 && (periods - periods.round()).abs() < 1e-9,
                "{horizon}, seed {seed}: cut {} h",
                check.cut_h
            );
        }
    }
}

/// The warnings of a run of `text` (two threads) that contain `part`.
fn run_warnings(text: &str, part: &str) -> (Vec<String>, bool) {
    let (summary, _) = run(&scenario(text), 2);
    let warnings = crate::common::warnings_containing(&summary.warnings, part);
    (warnings, summary.variants[0].warmup_check.is_some())
}

/// A measured period too short for the check's batches is said to be
/// so, with the length that would do, instead of passing unchecked in
/// silence: one week of a weekly calendar (batches of a week, two
/// needed), one day of a daily one, and a warm-up of 29 days before one
/// day without a calendar (1 of the run's 240 bins a day, fewer than the
/// 20 of four five-bin batches). Two weeks, two days and a warm-up of a
/// day are checked. Variants unchecked for one reason are named in one
/// warning.
#[test]
fn a_measured_period_too_short_to_check_the_warm_up_is_told() {
    let cases = [
        (calendar_line(NIGHTS_AND_WEEKENDS, "7d", "7d", 1, 0), "batches of whole weeks (1 week each here), and the measured period (7.0 d) holds fewer than two; measure at least 14d"),
        (calendar_line(NIGHTS, "2d", "1d", 1, 0), "batches of whole days (1 day each here), and the measured period (24.0 h) holds fewer than two; measure at least 48h"),
        (draining("29d", 1, 0, 2.0).replace("horizon = \"3d\"", "horizon = \"1d\""), "batches of 5 of the run's 240 time bins, and the measured period (24.0 h) holds fewer than 4 (the warm-up is 29.0 d); measure longer"),
    ];
    for (text, why) in &cases {
        let (w, checked) = run_warnings(text, "not checked");
        assert!(!checked);
        crate::common::assert_one_warning(
            &w,
            "scenario.horizon: variant \"baseline\": the warm-up was not checked: ",
            why,
            why,
        );
    }
    let enough = [
        calendar_line(NIGHTS_AND_WEEKENDS, "7d", "14d", 1, 0),
        calendar_line(NIGHTS, "2d", "2d", 1, 0),
        draining("1d", 1, 0, 2.0),
    ];
    for text in &enough {
        let (w, checked) = run_warnings(text, "not checked");
        assert!(checked && w.is_empty(), "{w:?}");
    }
    let two = format!(
        "{}\n[[changes]]\nname = \"faster\"\nstations.B = {{ process = {{ dist = \"exponential\", mean = 1.0 }} }}\n[[changes]]\nname = \"bigger\"\nstations.B = {{ buffer = 9 }}\n[[variants]]\nname = \"f\"\nchanges = [\"faster\"]\n[[variants]]\nname = \"b\"\nchanges = [\"bigger\"]\n",
        calendar_line(NIGHTS_AND_WEEKENDS, "7d", "7d", 1, 0)
    );
    let (w, _) = run_warnings(&two, "not checked");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("variants \"baseline\", \"f\" and \"b\": the warm-up was not checked"),
        "{}",
        w[0]
    );
}

/// A queue of 300 parts draining into a machine at load 0.8: about 25 of
/// the 48 measured hours. `replications` replications.
fn slow_drain(seed: u64, replications: u32, initial: u32, warmup: &str) -> String {
    format!(
        r#"
[scenario]
name = "drain"
warmup = "{warmup}"
horizon = "2d"
replications = {replications}
seed = {seed}
[source]
mode = "interarrival"
interarrival = {{ dist = "exponential", mean = 1.25 }}
[[products]]
name = "p"
route = ["A"]
[[stations]]
name = "A"
buffer = "inf"
process = {{ dist = "exponential", mean = 1.0 }}
[initial_wip]
A = {initial}
"#
    )
}

/// With four to seven replications the cut was chosen on half of them and
/// tested on the other half, two or three, whose paired test on one or two
/// degrees of freedom found almost nothing: this queue passed as settled in
/// 8 of 10 seeds with two, four or five replications. The cut is now
/// chosen and tested on all of them below eight; two or three are each
/// also tested as one replication is. Settled lines still seldom get
/// flagged.
#[test]
fn a_long_drain_is_found_with_a_handful_of_replications() {
    for replications in [2, 3, 4, 5, 7] {
        for seed in 1..=5 {
            let (summary, _) = run(&scenario(&slow_drain(seed, replications, 300, "0h")), 2);
            let check = summary.variants[0].warmup_check.as_ref().unwrap();
            assert!(
                !check.settled,
                "{replications} replications, seed {seed}: {check:?}"
            );
        }
        let flagged = (0..20)
            .filter(|&seed| {
                let (summary, _) = run(&scenario(&slow_drain(seed, replications, 0, "2d")), 2);
                !summary.variants[0].warmup_check.as_ref().unwrap().settled
            })
            .count();
        assert!(
            flagged <= 2,
            "{replications} replications: {flagged} of 20 settled lines flagged"
        );
    }
}
