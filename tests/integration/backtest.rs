//! `alloysim backtest`: a baseline agrees with daily output drawn from
//! itself, and disagrees with a plant whose bottleneck is 10 % slower.

use crate::common::{alloysim, scenario};
use alloysim::backtest::{backtest, read_observed};
use alloysim::engine::{simulate, simulate_daily, simulate_daily_until};
use alloysim::model::MachineState;
use std::sync::atomic::AtomicBool;

static NEVER: AtomicBool = AtomicBool::new(false);

const LINE: &str = r#"
[scenario]
name = "plant"
warmup = "2d"
horizon = "40d"
replications = 8
seed = 4

[[products]]
name = "p"
route = ["a", "b"]

[[stations]]
name = "a"
process = { dist = "exponential", mean = 1.0 }

[[stations]]
name = "b"
buffer = 5
process = { dist = "gamma", mean = 1.2, cv = 0.5 }
failures = { ttf = { dist = "exponential", mean = "8h" }, ttr = { dist = "exponential", mean = "30min" } }
"#;

/// [`LINE`] with a plant calendar closed in `windows` (TOML, inside
/// `closed = [...]`).
fn closed(windows: &str) -> String {
    LINE.replace(
        "[[products]]",
        &format!("[calendar]\nclosed = [{windows}]\n\n[[products]]"),
    )
}

/// The rows (without the header) of weekdays: time 0 is a Monday and the
/// warm-up two days, so day d is weekday (d + 1) mod 7 (5 and 6 the
/// weekend).
fn working_days<'a>(rows: &[&'a str]) -> Vec<&'a str> {
    rows.iter()
        .copied()
        .enumerate()
        .filter(|(i, _)| (i + 2) % 7 < 5)
        .map(|(_, r)| r)
        .collect()
}

/// The same rows numbered 1, 2, 3, ... (what taking the rows in file order
/// did).
fn renumbered(rows: &[&str]) -> Vec<String> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| format!("{}{}", i + 1, &r[r.find(',').unwrap()..]))
        .collect()
}

/// Daily output and station b's down share of `text`'s baseline, with seed
/// `seed`, as the plant's CSV.
fn plant_csv(text: &str, seed: u64) -> String {
    plant_csv_of(text, seed, MachineState::Down)
}

/// Daily output and station b's share of `state` of `text`'s baseline,
/// with seed `seed`, as the plant's CSV.
fn plant_csv_of(text: &str, seed: u64, state: MachineState) -> String {
    let s = scenario(text);
    let mut run = s.run;
    run.seed = seed;
    let rep = simulate_daily_until(s.baseline(), &run, 0, &[(1, state)], &NEVER);
    assert_eq!(rep.good_per_day.len(), 40);
    let mut csv = format!("day,good_parts,b.{}\n", state.name());
    for (d, g) in rep.good_per_day.iter().enumerate() {
        csv.push_str(&format!("{},{g},{}\n", d + 1, rep.share_per_day[d]));
    }
    csv
}

#[test]
fn the_baseline_agrees_with_itself_and_not_with_a_slower_plant() {
    let s = scenario(LINE);
    let same = read_observed(&plant_csv(LINE, 777), "plant.csv", &s).unwrap();
    let b = backtest(&s, &same, Some(2)).unwrap();
    assert_eq!(b.verdict, "agrees", "{}", b.sentence());
    assert!(b
        .sentence()
        .starts_with("the baseline reproduces the observed daily output within ±"));
    assert!(b.shares.iter().all(|c| !c.disagrees), "{:?}", b.shares);
    let slower = LINE.replace("mean = 1.2, cv = 0.5", "mean = 1.32, cv = 0.5");
    let plant = read_observed(&plant_csv(&slower, 777), "plant.csv", &s).unwrap();
    let b = backtest(&s, &plant, Some(2)).unwrap();
    assert_eq!(b.verdict, "disagrees", "{}", b.sentence());
    assert!(b.difference_pct.mean < -5.0 && b.difference_pct.ci95_high < 0.0);
    assert!(b.p_value < 0.05);
}

#[test]
fn bad_observed_files_are_refused() {
    let s = scenario(LINE);
    for (csv, expected) in [
        (
            "day,good_parts,c.busy\n1,5,0.5\n",
            "plant.csv:1:3: unknown column \"c.busy\": expected day, good_parts or <station>.<state>; the scenario has no station \"c\" (its stations: a, b)",
        ),
        (
            "day,good_parts,busy\n1,5,0.5\n",
            "plant.csv:1:3: unknown column \"busy\": expected day, good_parts or <station>.<state>; a share column names a station and a machine state",
        ),
        (
            "1,5\n2,6\n",
            "plant.csv:1:1: no header line: the first line must name the columns, e.g. \"day,good_parts\" (and <station>.<state> shares); it reads \"1,5\"",
        ),
        (
            "day,good_parts,b.sleeping\n1,5,0.5\n",
            "unknown column \"b.sleeping\": expected day, good_parts or <station>.<state>; \"sleeping\" is not a machine state (the states: busy, setup,",
        ),
        ("day,b.busy\n1,0.5\n", "no column \"good_parts\""),
        (
            "day,good_parts\n1,5\n2,x\n",
            "plant.csv:3:2: expected a number >= 0, got \"x\"",
        ),
        (
            "day,good_parts,b.down\n1,5,1.5\n",
            "expected a share from 0 to 1",
        ),
        (
            "day,good_parts\n1,5\n2,6\n",
            "2 day(s); a back-test needs at least 5",
        ),
    ] {
        let e = read_observed(csv, "plant.csv", &s).unwrap_err();
        assert!(e.to_string().contains(expected), "{e}");
    }
}

#[test]
fn the_command_writes_backtest_json_and_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let scenario_path = dir.path().join("plant.toml");
    std::fs::write(&scenario_path, LINE).unwrap();
    let observed = dir.path().join("daily.csv");
    std::fs::write(&observed, plant_csv(LINE, 555)).unwrap();
    let out = dir.path().join("out");
    alloysim()
        .args(["backtest", "--observed"])
        .arg(&observed)
        .arg("-o")
        .arg(&out)
        .arg(&scenario_path)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("backtest.json")).unwrap()).unwrap();
    for key in ["observed_mean", "simulated_mean", "p_value", "verdict"] {
        assert!(!json[key].is_null(), "{key}");
    }
    for key in ["mean", "ci95_low", "ci95_high"] {
        assert!(json["difference_pct"][key].is_number(), "{key}");
    }
    // Below the daily output (1000 px), the band of the one observed share
    // (b.down): its observed (red) and simulated (blue) means are drawn.
    let png = image::open(out.join("backtest.png")).unwrap().to_rgb8();
    assert_eq!(png.dimensions(), (1600, 1000 + 250 + 60));
    let count = |colour: [u8; 3]| {
        (1000..png.height())
            .flat_map(|y| (0..png.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| png.get_pixel(x, y).0 == colour)
            .count()
    };
    assert!(count([0xD6, 0x27, 0x28]) > 200 && count([0x44, 0x77, 0xAA]) > 200);
}

#[test]
fn a_baseline_that_locks_up_is_an_error_not_days_without_output() {
    // The line of `DEADLOCK` locks in its first minutes.
    let locked = crate::common::DEADLOCK.replace(
        "horizon = \"10h\"\nreplications = 1",
        "horizon = \"6d\"\nreplications = 2",
    );
    let s = scenario(&locked);
    let observed = read_observed(
        "day,good_parts\n1,100\n2,100\n3,100\n4,100\n5,100\n6,100\n",
        "plant.csv",
        &s,
    )
    .unwrap();
    let error = backtest(&s, &observed, Some(2)).unwrap_err();
    assert_eq!(error.exit_code(), 3);
    assert!(error.to_string().contains("deadlocked"), "{error}");
}

/// Day d of the plant meets day d of every replication, by the `day`
/// column: rows in any order give the same back-test, days without a row
/// (a plant that logs only its working days) are left out of both sides,
/// and the run lasts to the last observed day whatever the horizon. Before,
/// the rows were taken in file order and the horizon was the scenario's:
/// a log of weekdays only was compared with weekends of the simulation,
/// and observed days past the horizon were dropped without a word.
#[test]
fn observed_days_meet_simulated_days_by_number() {
    let closed = closed(r#"{ days = "sat-sun" }"#);
    let s = scenario(&closed);
    let plant = plant_csv(&closed, 901);
    let rows: Vec<&str> = plant.lines().skip(1).collect();
    let csv = |rows: &[&str]| format!("day,good_parts,b.down\n{}\n", rows.join("\n"));
    let json = |b: &alloysim::backtest::Backtest| serde_json::to_string(b).unwrap();

    let all = backtest(
        &s,
        &read_observed(&plant, "plant.csv", &s).unwrap(),
        Some(2),
    )
    .unwrap();
    assert_eq!(all.verdict, "agrees", "{}", all.sentence());
    assert_eq!((all.days_observed, all.days_simulated), (40, 40));

    // The same rows backwards: the same back-test.
    let backwards: Vec<&str> = rows.iter().rev().copied().collect();
    let b = backtest(
        &s,
        &read_observed(&csv(&backwards), "plant.csv", &s).unwrap(),
        Some(2),
    );
    assert_eq!(json(&b.unwrap()), json(&all));

    // Only the working days.
    let working = working_days(&rows);
    assert_eq!(working.len(), 28);
    let observed = read_observed(&csv(&working), "plant.csv", &s).unwrap();
    // Days 39 and 40 are a weekend: the log ends on day 38, with the ten
    // weekend days before it missing.
    assert_eq!((observed.last_day(), observed.missing_days()), (38, 10));
    let weekdays = backtest(&s, &observed, Some(2)).unwrap();
    assert_eq!(weekdays.verdict, "agrees", "{}", weekdays.sentence());
    assert_eq!((weekdays.days_observed, weekdays.days_simulated), (28, 38));
    // Both sides are means over the working days only: the simulated one
    // recomputed from the replications' daily counts.
    let mut run = s.run;
    run.horizon_min = 38.0 * 1440.0;
    let by_hand = (0..8)
        .map(|r| {
            let days = simulate_daily(s.baseline(), &run, r).good_per_day;
            let on = (1..=38u32).filter(|d| (d + 1) % 7 < 5);
            on.map(|d| f64::from(days[d as usize - 1])).sum::<f64>() / 28.0
        })
        .sum::<f64>()
        / 8.0;
    assert!((weekdays.simulated_mean - by_hand).abs() < 1e-9 * by_hand);
    assert!(weekdays.simulated_mean > 1.3 * all.simulated_mean);

    // The same working days numbered 1, 2, 3, ... (what taking the rows
    // in file order did): they meet the simulated weekends, and the
    // baseline no longer reproduces them.
    let renumbered = renumbered(&working);
    let renumbered: Vec<&str> = renumbered.iter().map(String::as_str).collect();
    let shifted = read_observed(&csv(&renumbered), "plant.csv", &s).unwrap();
    let b = backtest(&s, &shifted, Some(2)).unwrap();
    assert_eq!(b.verdict, "disagrees", "{}", b.sentence());

    // Observed days past the scenario's horizon of 40 days are simulated.
    let mut longer = rows.clone();
    longer.push("45,700,0.02");
    let b = backtest(
        &s,
        &read_observed(&csv(&longer), "plant.csv", &s).unwrap(),
        Some(2),
    );
    let b = b.unwrap();
    assert_eq!((b.days_observed, b.days_simulated), (41, 45));

    // A day twice, day 0 or a fraction of a day is refused with its line.
    for (rows, expected) in [
        (
            "1,5\n2,5\n3,5\n2,6\n4,5\n",
            "plant.csv:5:1: day 2 is given twice (also on line 3)",
        ),
        (
            "0,5\n2,5\n3,5\n4,6\n5,5\n",
            "plant.csv:2:1: expected a whole day number from 1",
        ),
        (
            "1,5\n2.5,5\n3,5\n4,6\n5,5\n",
            "plant.csv:3:1: expected a whole day number from 1",
        ),
    ] {
        let e = read_observed(&format!("day,good_parts\n{rows}"), "plant.csv", &s).unwrap_err();
        assert!(e.to_string().contains(expected), "{e}");
    }
}

/// A station's share of each state, day by day: over the days they add up
/// to the run's shares (the days are the measured period), each day's add
/// up to 1, and asking for them changes no other figure of the run.
#[test]
fn daily_shares_add_up_to_the_run_and_change_nothing_else() {
    let closed =
        closed(r#"{ days = "sat-sun" }, { days = "mon-fri", start = "22:00", end = "06:00" }"#);
    let s = scenario(&closed);
    let columns: Vec<(usize, MachineState)> = (0..2)
        .flat_map(|station| MachineState::ALL.map(|state| (station, state)))
        .collect();
    let n = columns.len();
    for r in 0..3 {
        let rep = simulate_daily_until(s.baseline(), &s.run, r, &columns, &NEVER);
        assert_eq!(rep.share_per_day.len(), 40 * n);
        for day in rep.share_per_day.chunks(n) {
            for station in day.chunks(MachineState::ALL.len()) {
                let sum: f64 = station.iter().sum();
                assert!((sum - 1.0).abs() < 1e-9, "a day's shares add up to {sum}");
            }
        }
        for (c, &(station, state)) in columns.iter().enumerate() {
            let mean = (0..40).map(|d| rep.share_per_day[d * n + c]).sum::<f64>() / 40.0;
            let run = rep.stations[station].state_shares()[state];
            assert!(
                (mean - run).abs() < 1e-9,
                "station {station}, {state:?}: days {mean}, run {run}"
            );
        }
        let mut plain = simulate(s.baseline(), &s.run, r);
        let mut with = rep.clone();
        plain.good_per_day.clear();
        with.good_per_day.clear();
        with.share_per_day.clear();
        assert_eq!(
            serde_json::to_string(&plain).unwrap(),
            serde_json::to_string(&with).unwrap()
        );
    }
}

/// One machine of a fixed minute, always fed, the plant closed at
/// weekends: busy all of each weekday and off shift all of each weekend
/// day (time 0 is a Monday; no warm-up).
#[test]
fn daily_shares_of_a_line_closed_at_weekends_by_hand() {
    let s = scenario(
        r#"
[scenario]
name = "week"
warmup = 0
horizon = "14d"
replications = 1

[calendar]
closed = [{ days = "sat-sun" }]

[[products]]
name = "p"
route = ["m"]

[[stations]]
name = "m"
process = "1min"
"#,
    );
    let columns = [(0, MachineState::Busy), (0, MachineState::OffShift)];
    let rep = simulate_daily_until(s.baseline(), &s.run, 0, &columns, &NEVER);
    for day in 0..14 {
        let weekend = day % 7 >= 5;
        let (busy, off) = (rep.share_per_day[2 * day], rep.share_per_day[2 * day + 1]);
        let want = if weekend { (0.0, 1.0) } else { (1.0, 0.0) };
        assert!(
            (busy - want.0).abs() < 1e-12 && (off - want.1).abs() < 1e-12,
            "day {}: busy {busy}, off shift {off}",
            day + 1
        );
    }
}

/// A plant that logs its working days only: its shares are compared with
/// the simulated working days, not with the run's, which the closed
/// weekends dilute.
#[test]
fn station_shares_meet_the_simulated_shares_of_the_same_days() {
    let closed = closed(r#"{ days = "sat-sun" }"#);
    let s = scenario(&closed);
    let plant = plant_csv_of(&closed, 902, MachineState::Busy);
    let rows: Vec<&str> = plant.lines().skip(1).collect();
    let working = working_days(&rows);
    let csv = format!("day,good_parts,b.busy\n{}\n", working.join("\n"));
    let observed = read_observed(&csv, "plant.csv", &s).unwrap();
    let b = backtest(&s, &observed, Some(2)).unwrap();
    assert_eq!(b.verdict, "agrees", "{}", b.sentence());
    let share = &b.shares[0];
    assert!(!share.disagrees, "{share:?}");
    // The run's busy share, weekends included, is far lower.
    let run = simulate(s.baseline(), &s.run, 0).stations[1].state_shares()[MachineState::Busy];
    assert!(
        share.simulated > 1.3 * run,
        "{share:?} against the run's {run}"
    );
    assert!((share.observed - share.simulated).abs() < 0.02, "{share:?}");

    // The same rows numbered 1, 2, 3, ...: working days meet weekends.
    let renumbered = renumbered(&working);
    let csv = format!("day,good_parts,b.busy\n{}\n", renumbered.join("\n"));
    let b = backtest(&s, &read_observed(&csv, "plant.csv", &s).unwrap(), Some(2)).unwrap();
    assert!(b.shares[0].disagrees, "{:?}", b.shares[0]);
}

/// A back-test runs to the last observed day, not for the scenario's
/// horizon, so what that horizon would measure is not warned about:
/// `validate` tells that 40 days are not whole weeks of a plant closed at
/// weekends; the back-test of the same file, over 40 observed days
/// compared one by one, does not.
#[test]
fn a_backtest_is_not_warned_about_the_horizon_it_does_not_use() {
    let text = closed(r#"{ days = "sat-sun" }"#);
    let dir = tempfile::tempdir().unwrap();
    let scenario_path = dir.path().join("plant.toml");
    std::fs::write(&scenario_path, &text).unwrap();
    let observed = dir.path().join("daily.csv");
    std::fs::write(&observed, plant_csv(&text, 555)).unwrap();
    let stderr = |args: &[&str]| {
        let output = alloysim().args(args).arg(&scenario_path).output().unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stderr).unwrap()
    };
    assert!(stderr(&["validate"]).contains("weekly rhythm"));
    let out = dir.path().join("out");
    let args = [
        "backtest",
        "--no-charts",
        "--observed",
        observed.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    assert!(!stderr(&args).contains("rhythm"));
}
