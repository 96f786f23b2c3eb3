//! `alloysim backtest`: a baseline agrees with daily output drawn from
//! itself, and disagrees with a plant whose bottleneck is 10 % slower.

use crate::common::{alloysim, scenario};
use alloysim::backtest::{backtest, read_observed};
use alloysim::engine::simulate_daily;

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

/// Daily output of `text`'s baseline, with seed `seed`, as the plant's CSV.
fn plant_csv(text: &str, seed: u64) -> String {
    let s = scenario(text);
    let mut run = s.run;
    run.seed = seed;
    let rep = simulate_daily(s.baseline(), &run, 0);
    assert_eq!(rep.good_per_day.len(), 40);
    let shares = rep.stations[1].state_shares();
    let mut csv = "day,good_parts,b.down\n".to_owned();
    for (d, g) in rep.good_per_day.iter().enumerate() {
        csv.push_str(&format!(
            "{},{g},{}\n",
            d + 1,
            shares[alloysim::model::MachineState::Down]
        ));
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
            "plant.csv:1:3: unknown column \"c.busy\"",
        ),
        (
            "day,good_parts,b.sleeping\n1,5,0.5\n",
            "unknown column \"b.sleeping\"",
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
    assert!(out.join("backtest.png").exists());
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
