//! Regression tests, one per defect found trying alloysim as a new user
//! would, each named after what went wrong.

use crate::common::{alloysim, assert_in_ci, errors, scenario};
use alloysim::engine::simulate;
use alloysim::model::MachineState;
use std::fs;
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// The warnings of a scenario given as text (as `t.toml`) that contain
/// `part`, as printed.
fn warnings_of(text: &str, part: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let scenario = alloysim::scenario::Scenario::from_text(text, "t.toml", dir.path()).unwrap();
    crate::common::warnings_containing(&scenario.warnings(), part)
}

fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

const ZERO_TIME: &str = r#"
[scenario]
name = "z"
horizon = 100
[[products]]
name = "p"
route = ["A"]
[[stations]]
name = "A"
process = 0
"#;

/// A line whose processing times are all 0 hung `run` (simulated time never
/// advanced). Under the unlimited source it is refused at load.
#[test]
fn a_line_on_which_no_time_passes_is_refused_at_load() {
    let message = errors(ZERO_TIME);
    assert!(
        message.contains("products[0].route: no time passes on the route of product \"p\""),
        "{message}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "z.toml", ZERO_TIME);
    alloysim().arg("validate").arg(&path).assert().code(2);
}

/// Where the structure does not guarantee it (a rework loop that takes no
/// time), the engine stops a run whose time stands still.
#[test]
fn a_run_whose_time_stands_still_stops_with_a_message() {
    let text = r#"
[scenario]
name = "loop"
horizon = 100
replications = 1
[source]
mode = "interarrival"
interarrival = 10
[[products]]
name = "p"
route = ["A"]
[[stations]]
name = "A"
buffer = 1
process = 0
rework = { prob = 1.0, to = "A" }
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "loop.toml", text);
    let assert = alloysim()
        .args(["run", "-q", "-o"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .assert()
        .code(3);
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains("simulated time stopped at")
            && stderr.contains("at A without time passing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no part ever leaves it"),
        "the warning comes first: {stderr}"
    );
    assert!(!dir.path().join("out").exists(), "nothing written");
}

const SMALL: &str = r#"
[scenario]
name = "small"
horizon = "10h"
replications = 3
seed = 5
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = { dist = "exponential", mean = 1.0 }
[[stations]]
name = "B"
buffer = 2
process = { dist = "exponential", mean = 0.9 }
energy = { busy_kw = 10, idle_kw = 1 }
"#;

/// The files in a folder, each with a digest of its content (of
/// `summary.json` without the run's timing).
fn contents(dir: &Path) -> Vec<(String, u64)> {
    let digest = |bytes: &[u8]| {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let mut files: Vec<(String, u64)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = if name == "summary.json" {
                serde_json::to_vec(&crate::common::read_summary_without_timing(dir)).unwrap()
            } else {
                fs::read(&p).unwrap()
            };
            (name, digest(&bytes))
        })
        .collect();
    files.sort();
    files
}

/// Everything in a folder's parent that is not the folder: leftovers.
fn leftovers(dir: &Path) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(&format!(".{name}.alloysim")))
        .collect()
}

/// The result set was renamed file by file: a failure or a kill between
/// renames left a mix of old and new files. Now, whatever step fails and
/// whether the process dies there, the folder holds either the whole old
/// set or the whole new one, keeps the files that are not this command's,
/// and the next run removes what a dead one left.
#[test]
fn a_failure_at_any_step_of_writing_leaves_the_old_or_the_new_results_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    let run = |seed: &str, fault: Option<&str>| {
        let mut command = alloysim();
        command
            .args(["run", "-q", "--seed", seed, "-o"])
            .arg(&out)
            .arg(&path);
        if let Some(fault) = fault {
            command.env("ALLOYSIM_FAULT", fault);
        }
        command.assert()
    };
    run("1", None).success();
    fs::write(out.join("notes.txt"), "the engineer's notes").unwrap();
    fs::write(out.join("sweep.csv"), "another command's results").unwrap();
    let old = contents(&out);
    run("2", None).success();
    let new = contents(&out);
    assert_ne!(old, new);
    for step in ["stage", "carry", "swap", "cleanup"] {
        for kind in ["fail", "abort"] {
            // Back to the old set, then a faulty run towards the new one.
            run("1", None).success();
            assert_eq!(contents(&out), old);
            let assert = run("2", Some(&format!("{step}:{kind}")));
            let after = contents(&out);
            let expected = if step == "cleanup" { &new } else { &old };
            assert_eq!(
                &after, expected,
                "{step}:{kind}: a mixed or lost result set"
            );
            if kind == "fail" && step != "cleanup" {
                assert.code(1);
                assert!(leftovers(&out).is_empty(), "{step}: {:?}", leftovers(&out));
            }
        }
    }
    // A dead writer's leftovers go with the next run.
    run("2", Some("carry:abort"));
    assert!(!leftovers(&out).is_empty());
    run("2", None).success();
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
    assert_eq!(contents(&out), new);
}

/// `--no-charts` into an old folder left the old charts beside the new data.
#[test]
fn results_without_charts_remove_the_old_charts() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    alloysim()
        .args(["run", "-q", "-o"])
        .arg(&out)
        .arg(&path)
        .assert()
        .success();
    assert!(out.join("throughput.png").exists() && out.join("energy.png").exists());
    alloysim()
        .args([
            "sweep",
            "-q",
            "--no-charts",
            "-r",
            "2",
            "--param",
            "stations.B.buffer=1,2",
            "-o",
        ])
        .arg(&out)
        .arg(&path)
        .assert()
        .success();
    alloysim()
        .args(["run", "-q", "--no-charts", "-o"])
        .arg(&out)
        .arg(&path)
        .assert()
        .success();
    let names: Vec<String> = contents(&out).into_iter().map(|(n, _)| n).collect();
    assert!(!names.iter().any(|n| n.ends_with(".png")), "{names:?}");
    assert!(
        names.contains(&"sweep.csv".to_owned()),
        "another command's file is kept"
    );
    assert!(names.contains(&"summary.json".to_owned()));
}

/// A folder in place of a result file made the rename fail after other
/// files had been replaced.
#[test]
fn a_folder_in_place_of_a_result_file_is_replaced_with_the_set() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    fs::create_dir_all(out.join("stations.csv")).unwrap();
    alloysim()
        .args(["run", "-q", "-o"])
        .arg(&out)
        .arg(&path)
        .assert()
        .success();
    assert!(out.join("stations.csv").is_file());
}

/// Two runs into one folder could interleave their files; they are
/// serialised, and the folder holds one whole set.
#[test]
fn two_runs_into_one_folder_leave_one_whole_set() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    let spawn = |seed: &str| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("alloysim"))
            .args(["run", "-q", "-j", "1", "--seed", seed, "-o"])
            .arg(&out)
            .arg(&path)
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn("11"), spawn("12"));
    assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let seed = summary["seed"].as_u64().unwrap();
    let csv = fs::read_to_string(out.join("replications.csv")).unwrap();
    let first_seed: u64 = csv
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(first_seed, alloysim::engine::rng::replication_seed(seed, 0));
}

/// The output folder was checked only after the simulation, and the
/// message named no path.
#[test]
fn an_output_folder_that_cannot_hold_results_is_refused_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "small.toml",
        &SMALL.replace("\"10h\"", "\"1000000h\""),
    );
    let file = write(dir.path(), "a-file", "not a folder");
    let start = std::time::Instant::now();
    let assert = alloysim()
        .args(["run", "-q", "-o"])
        .arg(&file)
        .arg(&path)
        .assert()
        .code(2);
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains("a-file") && stderr.contains("not a folder"),
        "{stderr}"
    );
    assert!(
        start.elapsed().as_secs() < 20,
        "refused before simulating a long horizon"
    );
    let inside = dir.path().join("a-file").join("out");
    let stderr = stderr_of(
        &alloysim()
            .args(["run", "-q", "-o"])
            .arg(&inside)
            .arg(&path)
            .assert()
            .code(2),
    );
    assert!(stderr.contains("a-file"), "{stderr}");
    let holds = dir.path().join("holds");
    fs::create_dir_all(holds.join("mine")).unwrap();
    let stderr = stderr_of(
        &alloysim()
            .args(["run", "-q", "-o"])
            .arg(&holds)
            .arg(&path)
            .assert()
            .code(2),
    );
    assert!(
        stderr.contains("holds folders of its own (mine/)"),
        "{stderr}"
    );
    let stderr = stderr_of(
        &alloysim()
            .current_dir(dir.path())
            .args(["run", "-q", "-o", "."])
            .arg(&path)
            .assert()
            .code(2),
    );
    assert!(stderr.contains("current folder"), "{stderr}");
}

/// A scenario named ".." wrote into the working folder; a long name failed
/// with "File name too long" after the run.
#[test]
fn a_scenario_name_that_would_leave_the_output_folder_is_refused() {
    for (name, expected) in [
        ("..", "does not start with '.'"),
        (".hidden", "does not start with '.'"),
        (&"x".repeat(101), "at most 100 characters"),
    ] {
        let message = errors(&SMALL.replace("name = \"small\"", &format!("name = \"{name}\"")));
        assert!(message.contains(expected), "{name}: {message}");
    }
}

/// `--horizon 20` was taken as 20 time units without a word, and the run
/// printed "0 h measured" and NaN gains; `--horizon 1e10d` bypassed the
/// file's limit.
#[test]
fn command_line_durations_follow_the_file_rules_and_nan_never_reaches_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n[[changes]]\nname = \"c\"\nstations.B = {{ buffer = 3 }}\n",
        SMALL.replace("time_unit", "x")
    );
    let path = write(
        dir.path(),
        "small.toml",
        &text.replace("[scenario]", "[scenario]\ntime_unit = \"s\""),
    );
    let out = dir.path().join("out");
    let assert = alloysim()
        .args(["run", "--horizon", "20", "--no-charts", "-o"])
        .arg(&out)
        .arg(&path)
        .assert()
        .success();
    let (stdout, stderr) = (stdout_of(&assert), stderr_of(&assert));
    assert!(
        stderr.contains("--horizon 20 is read in the scenario's time unit"),
        "{stderr}"
    );
    assert!(
        stdout.contains("20 s measured") || stdout.contains("measured after"),
        "{stdout}"
    );
    for text in [stdout.clone()].into_iter().chain(
        ["summary.json", "replications.csv", "stations.csv"]
            .map(|f| fs::read_to_string(out.join(f)).unwrap()),
    ) {
        // As a word: "maintenance" holds the letters too.
        let nan = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word.eq_ignore_ascii_case("nan"));
        assert!(!nan, "{text}");
    }
    let stderr = stderr_of(
        &alloysim()
            .args(["run", "--horizon", "1e10d"])
            .arg(&path)
            .assert()
            .code(2),
    );
    assert!(
        stderr.contains("--horizon: expected a duration of at most"),
        "{stderr}"
    );
    alloysim()
        .args(["run", "--horizon", "0"])
        .arg(&path)
        .assert()
        .code(2);
    alloysim()
        .args(["run", "--warmup", "-1h"])
        .arg(&path)
        .assert()
        .code(2);
}

/// `alloysim run ... | head -2` panicked (broken pipe, exit 101).
#[cfg(unix)]
#[test]
fn a_closed_output_pipe_ends_the_command_quietly() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "small.toml", SMALL);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("alloysim"))
        .args(["validate"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away at once
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

/// A station that reworks to itself reported its passes, not its parts, as
/// good/h (leak_test 27.68/h while 27.40/h reached inspect).
#[test]
fn a_station_that_reworks_to_itself_reports_the_parts_that_move_on() {
    let text = r#"
[scenario]
name = "rw"
horizon = "200h"
replications = 3
[[products]]
name = "p"
route = ["test", "pack"]
[[stations]]
name = "test"
process = { dist = "exponential", mean = 1.0 }
rework = { prob = 0.3, to = "test" }
buffer = 5
[[stations]]
name = "pack"
buffer = 5
process = 0.5
"#;
    let s = scenario(text);
    let r = simulate(&s.variants[0].model, &s.run, 0);
    let (test, pack) = (&r.stations[0], &r.stations[1]);
    // Every part that leaves the test reaches the pack station, and the
    // test finished about 1 / 0.7 times as many operations.
    assert!(
        test.passed.abs_diff(pack.finished) <= 1,
        "{test:?} {pack:?}"
    );
    let ratio = test.finished as f64 / test.passed as f64;
    assert!((ratio - 1.0 / 0.7).abs() < 0.03, "{ratio}");
}

/// A part reworked at its own station that has a transfer was moved back
/// with the transfer time whenever the station had a free place; the rule
/// is an exchange with the buffer that takes no time. Two checks: the
/// deterministic case by hand, and an exponential one against its exact
/// chain (a birth-death process).
#[test]
fn rework_at_its_own_station_takes_no_transfer_time() {
    let line = |horizon: &str, process: &str, source: &str, prob: f64, reps: u32| {
        format!(
            r#"
[scenario]
name = "rw"
horizon = "{horizon}"
warmup = "{warmup}"
replications = {reps}
[[products]]
name = "p"
route = ["s1", "s2"]
[[stations]]
name = "s1"
process = {source}
[[stations]]
name = "s2"
buffer = 1
process = {process}
rework = {{ prob = {prob}, to = "s2" }}
transfer = 2
"#,
            warmup = if reps > 1 { "100h" } else { "0" }
        )
    };
    // By hand, every part reworked for ever: s1 delivers at t = 1, 2, 3; s2
    // is busy from t = 1 on (0.90 of 10 minutes) and its buffer holds one
    // part from t = 2 on (mean 0.80).
    let s = scenario(&line("10min", "0.4", "1", 1.0, 1));
    let r = simulate(&s.variants[0].model, &s.run, 0);
    let shares = r.stations[1].state_shares();
    assert!(
        (shares[MachineState::Busy] - 0.9).abs() < 1e-9,
        "{shares:?}"
    );
    assert!(
        (shares[MachineState::Starved] - 0.1).abs() < 1e-9,
        "{shares:?}"
    );
    assert!(
        (r.stations[1].buffer_mean - 0.8).abs() < 1e-9,
        "{}",
        r.stations[1].buffer_mean
    );
    // Exponential passes of rate 2.5, each letting the part go with
    // probability 1/2: while busy, s2 releases parts at rate 1.25. With s1
    // at rate 1 and room for two parts at s2 plus one blocked at s1, the
    // line is a birth-death chain on 0..3 parts with ρ = 0.8: throughput
    // μ (1 − π0) = 1.25 (1 − 1 / (1 + ρ + ρ² + ρ³)) per minute.
    let rho: f64 = 0.8;
    let exact = 1.25 * (1.0 - 1.0 / (1.0 + rho + rho * rho + rho.powi(3))) * 60.0;
    let reps = 10;
    let text = line(
        "2000h",
        "{ dist = \"exponential\", mean = 0.4 }",
        "{ dist = \"exponential\", mean = 1.0 }",
        0.5,
        reps,
    );
    let (summary, _) = crate::common::run(&scenario(&text), 2);
    assert_in_ci(
        "throughput",
        &summary.variants[0].throughput_per_h,
        exact,
        reps as usize,
    );
}

/// An empirical file whose first value was -5 or nan had it dropped as a
/// header; several values on a line used only the first.
#[test]
fn observed_times_are_read_one_per_line_and_nothing_is_dropped_silently() {
    let dir = tempfile::tempdir().unwrap();
    let station = |file: &str| {
        SMALL.replace(
            "process = { dist = \"exponential\", mean = 0.9 }",
            &format!("process = {{ dist = \"empirical\", file = \"{file}\" }}"),
        )
    };
    let load = |name: &str, data: &str| {
        fs::write(dir.path().join(name), data).unwrap();
        alloysim::scenario::Scenario::from_text(&station(name), "t.toml", dir.path())
    };
    for (data, expected) in [
        (
            "-5\n1.0\n",
            "t1.csv:1:1: expected a duration >= 0, got \"-5\"",
        ),
        (
            "nan\n1.0\n",
            "t2.csv:1:1: expected a duration >= 0, got \"nan\"",
        ),
        (
            "3.1,4.0,5.2,6.3\n",
            "t3.csv:1:4: expected one value per line",
        ),
        (
            "time\n1.0\nx\n",
            "t4.csv:3:1: expected a duration >= 0, got \"x\"",
        ),
    ] {
        let name = format!("t{}.csv", expected.as_bytes()[1] as char);
        let err = load(&name, data).unwrap_err().to_string();
        assert!(err.contains(expected), "{data:?}: {err}");
    }
    let s = load("ok.csv", "time\n1.0\n\n2.0\n").unwrap();
    let warnings: Vec<String> = s.warnings().iter().map(|w| w.to_string()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("ok.csv:1:1: header \"time\" skipped")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("ok.csv:3:1: blank line skipped")),
        "{warnings:?}"
    );
}

/// A scenario that is /dev/zero or a FIFO grew memory or blocked for ever;
/// a Latin-1 file exited 1 with no position.
#[cfg(unix)]
#[test]
fn a_scenario_file_must_be_a_regular_utf8_text_file() {
    let assert = alloysim().args(["validate", "/dev/zero"]).assert().code(2);
    assert!(
        stderr_of(&assert).contains("not a regular file"),
        "{}",
        stderr_of(&assert)
    );
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let assert = alloysim().arg("validate").arg(&fifo).assert().code(2);
        assert!(stderr_of(&assert).contains("not a regular file"));
    }
    let mut latin1 = SMALL
        .replace("name = \"A\"", "name = \"A\" # Gie\u{df}erei")
        .into_bytes();
    let at = latin1.iter().position(|&b| b == 0xC3).unwrap();
    latin1.splice(at..at + 2, [0xDF]); // ß in Latin-1
    let path = dir.path().join("latin1.toml");
    fs::write(&path, latin1).unwrap();
    let line = SMALL.lines().position(|l| l == "name = \"A\"").unwrap() + 1;
    let assert = alloysim().arg("validate").arg(&path).assert().code(2);
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains(&format!("latin1.toml:{line}:17: not UTF-8")),
        "{stderr}"
    );
}

/// `buffer = 4294967296` did not name the limit.
#[test]
fn a_buffer_beyond_the_limit_names_it() {
    let message = errors(&SMALL.replace("buffer = 2", "buffer = 4294967296"));
    assert!(
        message.contains("expected an integer from 0 to 1000000000 or \"inf\""),
        "{message}"
    );
}

/// The WIP guard blamed an unbounded buffer when the buffer was bounded.
#[test]
fn the_wip_guard_names_the_buffer_that_fills() {
    let text = r#"
[scenario]
name = "big"
horizon = "1000d"
replications = 1
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = 0.001
[[stations]]
name = "B"
buffer = 2000000
process = 1.0
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "big.toml", text);
    let assert = alloysim()
        .args(["run", "-q", "-o"])
        .arg(dir.path().join("o"))
        .arg(&path)
        .assert()
        .code(1);
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains("station \"B\", whose buffer holds up to 2000000"),
        "{stderr}"
    );
}

/// A change used by no variant was never validated (`scrap = 7` passed).
#[test]
fn a_change_that_no_variant_uses_is_checked() {
    let text = format!(
        "{SMALL}\n[[changes]]\nname = \"unused\"\nstations.B = {{ scrap = 7 }}\n[[changes]]\nname = \"used\"\nstations.B = {{ buffer = 3 }}\n[[variants]]\nname = \"v\"\nchanges = [\"used\"]\n"
    );
    let message = errors(&text);
    assert!(
        message.contains("changes[0].stations.B.scrap: expected a probability"),
        "{message}"
    );
}

/// A bad key in a change was reported once per variant, under the
/// baseline's key path.
#[test]
fn a_bad_key_in_a_change_is_reported_once_under_the_change() {
    let text = format!(
        "{SMALL}\n[[changes]]\nname = \"c\"\nstations.B = {{ bufer = 3 }}\n[[variants]]\nname = \"v1\"\nchanges = [\"c\"]\n[[variants]]\nname = \"v2\"\nchanges = [\"c\"]\n"
    );
    let message = errors(&text);
    assert!(
        message.contains("changes[0].stations.B.bufer: unknown key"),
        "{message}"
    );
    assert!(message.contains("1 error in scenario"), "{message}");
}

/// One route typo added four false follow-on errors (unknown products in
/// per-product tables of the products that could not be read).
#[test]
fn a_route_typo_adds_no_follow_on_errors() {
    let text = r#"
[scenario]
name = "t"
horizon = "8h"
[[products]]
name = "a"
route = ["X", "Y"]
[[products]]
name = "b"
route = ["X", "Yy"]
[[stations]]
name = "X"
process = 1
process_by_product = { b = 2 }
scrap_by_product = { b = 0.1 }
[[stations]]
name = "Y"
buffer = 2
process = 1
"#;
    let message = errors(text);
    assert!(message.contains("unknown station \"Yy\""), "{message}");
    assert!(message.contains("1 error in scenario"), "{message}");
}

/// Replications not yet started ran 65 536 events each before looking at
/// the stop flag: `-r 2000` took 49 s to stop.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_large_batch_of_replications_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "small.toml",
        &SMALL.replace("\"10h\"", "\"2000h\""),
    );
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("alloysim"))
        .args(["run", "-q", "-r", "20000", "-o"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let start = std::time::Instant::now();
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let stopped_in = start.elapsed();
    assert_eq!(status.code(), Some(1));
    assert!(stopped_in.as_secs_f64() < 5.0, "stopped in {stopped_in:?}");
    assert!(!dir.path().join("out").exists(), "nothing written");
}
/// The terminal tables: the answer (the variant table) last, and lines that
/// fit 100 columns.
#[test]
fn the_run_table_ends_with_the_answer_and_fits_100_columns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let assert = alloysim()
        .args(["run", "-r", "2", "--no-charts", "-o"])
        .arg(dir.path().join("out"))
        .arg(root.join("scenarios/pilot_line.toml"))
        .env("NO_COLOR", "1")
        .assert()
        .success();
    let stdout = stdout_of(&assert);
    for line in stdout.lines() {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    assert!(!stdout.contains('\u{1b}'), "no colour without a terminal");
    let variant_table = stdout.rfind("variant ").unwrap();
    assert!(
        stdout.rfind("stations, ").unwrap() < variant_table,
        "{stdout}"
    );
    // One bottleneck everywhere: the variant table's, the station table's
    // mark and the reason line name the same station as summary.json.
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("out/summary.json")).unwrap()).unwrap();
    for variant in summary["variants"].as_array().unwrap() {
        let name = variant["name"].as_str().unwrap();
        let main = variant["bottleneck"].as_str().unwrap();
        let row = stdout[variant_table..]
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap();
        assert_eq!(row.split_whitespace().rev().nth(3), Some(main), "{row}");
        assert!(
            stdout.contains(&format!("{name}: {main}: bottleneck ")),
            "{stdout}"
        );
        let stations = stdout.find(&format!("stations, {name} ")).unwrap();
        assert!(
            stdout[stations..].contains(&format!("\n{main} *")),
            "{stdout}"
        );
    }
}

/// A station that lets no part of a product pass (scrap 1, or scrap and
/// rework adding up to 1) made a line of no good parts without a word.
#[test]
fn a_station_that_lets_no_part_pass_gets_a_warning() {
    let line = |station: &str, extra: &str| {
        format!(
            r#"
[scenario]
name = "closed"
horizon = "10h"
replications = 2
[[products]]
name = "p"
route = ["A", "B"]
[[products]]
name = "q"
route = ["A", "B"]
[[stations]]
name = "A"
process = 1.0
[[stations]]
name = "B"
buffer = 2
process = 1.0
{station}
{extra}"#
        )
    };
    let warnings = |text: &str| warnings_of(text, "");
    let closing = |w: &Vec<String>| {
        w.iter()
            .filter(|w| w.contains("no good part of it"))
            .cloned()
            .collect::<Vec<_>>()
    };
    // Scrap 1 at the station, for both products: a warning for each, at
    // the value (line 19, column 9).
    let w = warnings(&line("scrap = 1.0", ""));
    let c = closing(&w);
    assert_eq!(c.len(), 2, "{w:?}");
    assert!(
        c[0].starts_with("t.toml:19:9: stations[1].scrap: every part of product \"p\" is scrapped at station \"B\""),
        "{c:?}"
    );
    // Scrap 1 for one product only: only that product.
    let c = closing(&warnings(&line("scrap_by_product = { q = 1 }", "")));
    assert_eq!(c.len(), 1, "{c:?}");
    assert!(c[0].contains("stations[1].scrap_by_product.q") && c[0].contains("\"q\""));
    // Scrap and rework adding up to 1, also where the decimals miss 1 by a
    // rounding (0.7 + 0.3), and rework with probability 1 to an earlier
    // station: every part goes back or out.
    for station in [
        "scrap = 0.4\nrework = { prob = 0.6, to = \"A\" }",
        "scrap = 0.7\nrework = { prob = 0.3, to = \"A\" }",
        "rework = { prob = 1.0, to = \"A\" }",
    ] {
        let c = closing(&warnings(&line(station, "")));
        assert_eq!(c.len(), 2, "{station}: {c:?}");
        assert!(
            c[0].contains("stations[1].rework.prob") && c[0].contains("none passes the station")
        );
    }
    // Rework at the station itself with probability 1 keeps its own warning
    // alone.
    let w = warnings(&line("rework = { prob = 1.0, to = \"B\" }", ""));
    assert!(closing(&w).is_empty(), "{w:?}");
    assert!(
        w.iter().any(|w| w.contains("no part ever leaves it")),
        "{w:?}"
    );
    // A station that lets some parts pass gets no such warning.
    for station in [
        "scrap = 0.999",
        "scrap = 0.4\nrework = { prob = 0.5, to = \"A\" }",
    ] {
        let w = warnings(&line(station, ""));
        assert!(closing(&w).is_empty(), "{station}: {w:?}");
    }
    // A change that closes the station is pointed at in the change.
    let change = "[[changes]]\nname = \"all-scrap\"\nstations.B = { scrap = 1.0 }\n[[variants]]\nname = \"v\"\nchanges = [\"all-scrap\"]\n";
    let c = closing(&warnings(&line("scrap = 0.1", change)));
    assert_eq!(c.len(), 2, "{c:?}");
    assert!(c[0].starts_with("t.toml:22:"), "{c:?}");
    // And `--deny-warnings` makes it an error that writes nothing.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "closed.toml", &line("scrap = 1.0", ""));
    alloysim()
        .args(["run", "-q", "--deny-warnings", "-o"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .assert()
        .code(2);
    assert!(!dir.path().join("out").exists(), "nothing written");
}

/// A station whose crew only works while the plant is closed never
/// worked, and the run said nothing.
#[test]
fn a_station_that_can_never_work_gets_a_warning() {
    let line = |task: &str, steps: &str, lights_out: bool| {
        format!(
            r#"
[scenario]
name = "never"
horizon = "7d"
replications = 2
[calendar]
closed = [{{ days = "sat-sun" }}]
[[pools]]
name = "weekend"
size = 1
shifts = [{{ days = "sat-sun", start = "06:00", end = "14:00" }}]
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = 1.0
[[stations]]
name = "B"
buffer = 2
process = 1.0
lights_out = {lights_out}
operators = {{ pool = "weekend", count = 1, for = "{task}" }}
{steps}
"#
        )
    };
    let never = |text: &str| warnings_of(text, "can never work");
    let w = never(&line("all", "", false));
    assert_eq!(
        w,
        vec![
            "stations[1]: in variant \"baseline\" station \"B\" can never work: every shift of \
             its operators' pool \"weekend\" falls in the plant's closed time; the line makes \
             no good part that passes it"
        ],
    );
    assert_eq!(never(&line("load_unload", "load = 0.5", false)).len(), 1);
    // Operators needed for no step, or only for setups (none here), or a
    // station that works while the plant is closed: no warning.
    assert!(never(&line("load_unload", "", false)).is_empty());
    assert!(never(&line("setup", "load = 0.5", false)).is_empty());
    assert!(never(&line("all", "", true)).is_empty());
    // And the warning is right: the line makes nothing.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "never.toml", &line("all", "", false));
    alloysim()
        .args(["run", "-q", "--no-charts", "-o"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .assert()
        .success();
    let summary = fs::read_to_string(dir.path().join("out/summary.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(json["variants"][0]["good_parts_mean"], 0.0, "{summary}");
    assert!(
        summary.contains("can never work"),
        "recorded in summary.json"
    );
}

/// Swapped failure or maintenance times (a repair longer than the time
/// between failures, a maintenance longer than its interval) ran without a
/// word and made a line that is mostly down.
#[test]
fn swapped_failure_and_maintenance_times_get_a_warning() {
    let line = |failures: &str, maintenance: &str| {
        format!(
            r#"
[scenario]
name = "swapped"
horizon = "1d"
replications = 2
[[products]]
name = "p"
route = ["A"]
[[stations]]
name = "A"
process = 1.0
failures = {failures}
maintenance = {maintenance}
"#
        )
    };
    let warnings = |text: &str| warnings_of(text, "swapped?");
    let w = warnings(&line(
        r#"{ ttf = "10min", ttr = { dist = "exponential", mean = "8h" } }"#,
        r#"{ every = "30min", duration = "2h" }"#,
    ));
    assert_eq!(
        w,
        vec![
            "t.toml:12:35: stations[0].failures.ttr: the mean time to repair (8.0 h) is longer \
             than the mean time to failure (10.0 min): the machine would spend more time down \
             than working; are ttf and ttr swapped?",
            "t.toml:13:45: stations[0].maintenance.duration: a maintenance takes 2.0 h on \
             average, as long as or longer than the 30.0 min between maintenances: the machine \
             would spend at least half of its time in maintenance; are every and duration \
             swapped?",
        ],
    );
    // Times the right way round: no warning.
    let w = warnings(&line(
        r#"{ ttf = "8h", ttr = { dist = "exponential", mean = "10min" } }"#,
        r#"{ every = "2h", duration = "30min" }"#,
    ));
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn a_pool_that_no_station_uses_gets_a_warning_at_its_name() {
    let line = |pools: &str, station: &str, changes: &str| {
        format!(
            r#"[scenario]
name = "pools"
horizon = "10h"
[[products]]
name = "p"
route = ["cast"]
{pools}
[[stations]]
name = "cast"
process = 1.0
{station}
{changes}"#
        )
    };
    let warnings = |text: &str| warnings_of(text, "used by no station");
    let two = "[[pools]]\nname = \"crew\"\nsize = 2\n[[pools]]\nname = \"fitters\"\nsize = 1\ncost_per_h = 30\n";
    // The station's operators name one pool; the other, paid, does nothing.
    let w = warnings(&line(two, "operators = { pool = \"crew\" }", ""));
    assert_eq!(
        w,
        vec![
            "t.toml:11:8: pools[1].name: pool \"fitters\" is used by no station (as operators, \
             repair or maintenance crew) in the baseline or any variant: its people do no work \
             in the model, though its cost_per_h is counted as labour"
        ],
    );
    // Used as the repair crew and the maintenance crew: no warning.
    let crews = "operators = { pool = \"crew\" }\nfailures = { ttf = 100, ttr = 5, repair = { pool = \"fitters\" } }";
    assert!(warnings(&line(two, crews, "")).is_empty());
    let crews = "operators = { pool = \"crew\" }\nmaintenance = { every = 100, duration = 5, pool = \"fitters\" }";
    assert!(warnings(&line(two, crews, "")).is_empty());
    // Used by a variant only (a change moves the station to it): no warning.
    let change = "[[changes]]\nname = \"fitters_run_it\"\nstations.cast = { operators = { pool = \"fitters\" } }\n";
    assert!(warnings(&line(two, "operators = { pool = \"crew\" }", change)).is_empty());
    // No pool used at all: one warning each, unpaid without the labour clause.
    let w = warnings(&line(two, "", ""));
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].starts_with("t.toml:8:8: pools[0].name: pool \"crew\""),
        "{w:?}"
    );
    assert!(w[0].ends_with("no work in the model"), "{w:?}");
}

#[test]
fn a_bad_buffer_at_a_batch_station_is_reported_once() {
    let text = r#"[scenario]
name = "oven"
horizon = "10h"
[[products]]
name = "p"
route = ["cast", "oven"]
[[stations]]
name = "cast"
process = 1.0
[[stations]]
name = "oven"
buffer = -1
process = 20.0
batch = { size = 10, min = 4 }
"#;
    let message = errors(text);
    assert!(
        message.contains("test.toml:12:10: stations[1].buffer: expected an integer >= 0"),
        "{message}"
    );
    // The unreadable buffer does not stand in as 0 for the batch check.
    assert!(!message.contains("batch.min"), "{message}");
    assert!(message.contains("1 error"), "{message}");
}

#[test]
fn a_single_replication_gets_a_warning() {
    let text = |replications: u32| {
        format!(
            "[scenario]\nname = \"one\"\nhorizon = \"10h\"\nreplications = {replications}\n\
             [[products]]\nname = \"p\"\nroute = [\"A\"]\n\
             [[stations]]\nname = \"A\"\nprocess = {{ dist = \"exponential\", mean = 1.0 }}\n"
        )
    };
    let one = "no confidence interval";
    assert_eq!(warnings_of(&text(1), one).len(), 1);
    assert!(warnings_of(&text(2), one).is_empty());
    let dir = tempfile::tempdir().unwrap();
    let one_rep = write(dir.path(), "one.toml", &text(1));
    let three_reps = write(dir.path(), "three.toml", &text(3));
    // Whether running `path` with `extra` options prints the warning.
    let warns = |path: &Path, extra: &[&str]| {
        let out = dir.path().join("out");
        let _ = fs::remove_dir_all(&out);
        let assert = alloysim()
            .args(["run", "--no-charts", "-o"])
            .arg(&out)
            .args(extra)
            .arg(path)
            .assert()
            .success();
        stderr_of(&assert).contains(one)
    };
    assert!(warns(&one_rep, &[]));
    // -r overrides the file, either way.
    assert!(!warns(&one_rep, &["-r", "3"]));
    assert!(warns(&three_reps, &["-r", "1"]));
    // --precision runs rounds of at least two replications.
    assert!(!warns(&one_rep, &["--precision", "50"]));
}

/// A normal of large spread is drawn again while negative, so its times
/// average more than its `mean`: a warning gives the share thrown away
/// and the mean of the times drawn (closed form of the truncated normal;
/// mean 1, sd 3: Φ(−1/3) = 36.9 %, mean 2.80), and the capacity table
/// uses that mean. A normal of cv 0.3 is negative in 0.04 % of draws: no
/// warning.
#[test]
fn a_normal_truncated_at_zero_gets_a_warning_and_its_true_mean() {
    let line = |process: &str| {
        format!(
            r#"
[scenario]
name = "wide"
horizon = "1d"
replications = 2
[[products]]
name = "p"
route = ["A"]
[[stations]]
name = "A"
process = {process}
"#
        )
    };
    let wide = line(r#"{ dist = "normal", mean = 1.0, sd = 3.0 }"#);
    let w = warnings_of(&wide, "normal");
    assert_eq!(
        w,
        vec![
            "t.toml:11:11: stations[0].process: a normal of mean 1.0 min and sd 3.0 min is \
             negative in 36.9 % of draws, which are drawn again, so its times average 2.8 min \
             (the capacity figures use that): a lognormal or gamma keeps the mean and spread as \
             written"
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    let s = alloysim::scenario::Scenario::from_text(&wide, "t.toml", dir.path()).unwrap();
    let cap = alloysim::model::capacity::capacity(s.baseline());
    assert!(
        (cap.bound_per_h - 60.0 / 2.795_470_834).abs() < 1e-6,
        "{}",
        cap.bound_per_h
    );
    let narrow = line(r#"{ dist = "normal", mean = 1.0, cv = 0.3 }"#);
    assert!(warnings_of(&narrow, "normal").is_empty());
}

/// The same warning of several variants is given once, naming them all;
/// variants whose warning differs keep their own.
#[test]
fn a_warning_shared_by_variants_is_given_once_naming_them() {
    let text = r#"
[scenario]
name = "short"
horizon = "2h"
replications = 2
[[products]]
name = "p"
route = ["A"]
[[stations]]
name = "A"
process = "1h"
[[changes]]
name = "buffer"
stations.A = { buffer = 3 }
[[changes]]
name = "slower"
stations.A = { process = "2h" }
[[variants]]
name = "b1"
changes = ["buffer"]
[[variants]]
name = "b2"
changes = ["buffer"]
[[variants]]
name = "s"
changes = ["slower"]
"#;
    let w = warnings_of(text, "the horizon");
    assert_eq!(
        w,
        vec![
            "scenario.horizon: the horizon (2.0 h) is shorter than 5 cycles of the slowest \
             operation (station \"A\", 60.0 min a cycle in variants \"baseline\", \"b1\" and \
             \"b2\"): the results depend on where each replication stops; simulate longer",
            "scenario.horizon: the horizon (2.0 h) is shorter than 5 cycles of the slowest \
             operation (station \"A\", 2.0 h a cycle in variant \"s\"): the results depend on \
             where each replication stops; simulate longer",
        ]
    );
}

/// One machine of exactly 1 min a part under a plant calendar, measured
/// for `horizon` after `warmup` from Monday 00:00.
fn one_machine_under(closed: &str, warmup: &str, horizon: &str) -> String {
    format!(
        r#"
[scenario]
name = "rhythm"
warmup = "{warmup}"
horizon = "{horizon}"
replications = 2
[calendar]
closed = {closed}
[[products]]
name = "p"
route = ["A"]
[[stations]]
name = "A"
process = {{ dist = "deterministic", value = 1.0 }}
"#
    )
}

/// A line that works to a weekly (daily) rhythm measured over a horizon
/// that is not whole weeks (days) counts some days (hours) more often
/// than others: by hand, closed at weekends, 30 days from Thursday hold
/// 22 working days (44 good parts/h), from Saturday 20 (40/h), and any
/// whole number of weeks 5 of 7 (42.86/h). Such horizons are warned
/// about, with whole weeks to use instead; whole ones are not.
#[test]
fn a_horizon_of_part_of_the_calendars_week_or_day_is_warned_about() {
    let weekends = r#"[ { days = "sat-sun" } ]"#;
    let cases = [
        ("3d", "30d", 44.0, true),
        ("5d", "30d", 40.0, true),
        ("3d", "28d", 300.0 / 7.0, false),
        ("5d", "35d", 300.0 / 7.0, false),
        ("0d", "3d", 60.0, true),
    ];
    for (warmup, horizon, per_h, warned) in cases {
        let text = one_machine_under(weekends, warmup, horizon);
        let (summary, _) = crate::common::run(&scenario(&text), 1);
        let throughput = summary.variants[0].throughput_per_h.mean;
        assert!(
            (throughput - per_h).abs() < 1e-9,
            "{warmup} + {horizon}: {throughput} good parts/h"
        );
        let w = warnings_of(&text, "rhythm");
        assert_eq!(w.len(), usize::from(warned), "{warmup} + {horizon}: {w:?}");
    }
    assert_eq!(
        warnings_of(&one_machine_under(weekends, "3d", "30d"), "rhythm"),
        vec![
            "scenario.horizon: in variant \"baseline\" the line works to a weekly rhythm (its \
             crews' shifts or the plant's closed times differ between days), but the measured \
             period (30d) is 4 weeks and 2 days: the part beyond whole weeks (6.7 % of the \
             horizon) counts some hours of the week more often than others, which biases \
             throughput, shares and costs; make the horizon whole weeks, e.g. horizon = \"28d\" \
             or \"35d\""
        ]
    );
    // Closed every night: a daily rhythm, 16 working hours a day (40/h).
    let nights = r#"[ { days = "mon-sun", start = "22:00", end = "06:00" } ]"#;
    for (horizon, warned) in [("4d", false), ("100h", true), ("30d", false)] {
        let text = one_machine_under(nights, "1d", horizon);
        let w = warnings_of(&text, "rhythm");
        assert_eq!(w.len(), usize::from(warned), "{horizon}: {w:?}");
        if !warned {
            let (summary, _) = crate::common::run(&scenario(&text), 1);
            let throughput = summary.variants[0].throughput_per_h.mean;
            assert!((throughput - 40.0).abs() < 1e-9, "{horizon}: {throughput}");
        }
    }
    assert!(
        warnings_of(&one_machine_under(nights, "1d", "100h"), "rhythm")[0]
            .contains("is 4 days and 4 h: the part beyond whole days (4.0 % of the horizon)")
    );
    // No rhythm where the closures stop no station (all work lights-out:
    // 60/h over any 30 days), nor from the shifts of a pool no station uses.
    let lights_out = one_machine_under(weekends, "3d", "30d")
        .replace("name = \"A\"\n", "name = \"A\"\nlights_out = true\n");
    assert!(warnings_of(&lights_out, "rhythm").is_empty());
    let (summary, _) = crate::common::run(&scenario(&lights_out), 1);
    assert!((summary.variants[0].throughput_per_h.mean - 60.0).abs() < 1e-9);
    let idle_pool = one_machine_under("[]", "3d", "30d").replace(
        "[[products]]",
        "[[pools]]\nname = \"day\"\nsize = 1\nshifts = [ { days = \"mon-fri\", start = \"06:00\", end = \"14:00\" } ]\n[[products]]",
    );
    let w = warnings_of(&idle_pool, "");
    assert!(
        w.iter().any(|w| w.contains("is used by no station")),
        "{w:?}"
    );
    assert!(!w.iter().any(|w| w.contains("rhythm")), "{w:?}");
}

/// A change whose every value is the baseline's already (however its keys
/// are ordered or its numbers written) buys nothing: warned about, at the
/// change, with its capex; a change that sets one value differently, sets
/// a key the baseline leaves out, or adds a station is not.
#[test]
fn a_change_that_changes_nothing_is_warned_about() {
    let line = |change: &str| {
        format!(
            r#"
[scenario]
name = "same"
horizon = "8h"
replications = 2
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = {{ dist = "exponential", mean = 1.0 }}
failures = {{ ttf = "8h", ttr = "30min" }}
[[stations]]
name = "B"
buffer = 10
process = {{ dist = "exponential", mean = 1.0 }}
[[changes]]
name = "measure"
{change}
"#
        )
    };
    let same = [
        (
            r#"capex = 2e5
stations.A = { process = { mean = 1.0, dist = "exponential" }, failures = { ttr = "30min" } }"#,
            "every value it sets is the baseline's already, so a variant with it simulates the \
             same line as without it; its capex (200000) buys nothing",
        ),
        ("stations.B = { buffer = 1_0 }", "every value it sets"),
        ("capex = 1e6", "it sets no stations, products or pools"),
    ];
    for (change, told) in same {
        crate::common::assert_one_warning(
            &warnings_of(&line(change), "changes nothing"),
            "t.toml:17:1: changes[0]: change \"measure\" changes nothing in the line: ",
            told,
            change,
        );
    }
    let different = [
        "stations.A = { process = { dist = \"exponential\", mean = 0.9 } }",
        "stations.A = { failures = { ttr = \"20min\" } }",
        "stations.B = { buffer = 10, machines = 2 }",
        "stations.B = { setup = { time = \"5min\" } }",
        r#"new_stations = [ { name = "C", buffer = 2, process = 1.0 } ]
products.p = { route = ["A", "B", "C"] }"#,
    ];
    for change in different {
        let w = warnings_of(&line(change), "changes nothing");
        assert!(w.is_empty(), "{change}: {w:?}");
    }
}

/// The forecast of a run (`validate`'s "estimated run", `run`'s note on a
/// long study) from a probe that stops within the warm-up: the probe's
/// clock, not the end of the warm-up, says how far it got.
#[test]
fn a_run_is_forecast_right_when_its_probe_ends_within_the_warm_up() {
    let scenario = crate::common::scenario(
        r#"
[scenario]
name = "t"
warmup = 400000
horizon = 400000
replications = 1
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = 1.0
[[stations]]
name = "B"
buffer = 5
process = 0.5
"#,
    );
    let per_min = alloysim::experiment::PROBE_EVENTS as f64 / 800_000.0;
    assert!(per_min < 1.0, "the probe must stop within the warm-up");
    let (forecast, _) = alloysim::experiment::estimate(&scenario, 1);
    let (_, result) = crate::common::run(&scenario, 1);
    let ratio = forecast / result.events as f64;
    assert!(
        (0.95..1.05).contains(&ratio),
        "forecast {forecast:.3e}, ran {}",
        result.events
    );
}

/// A batch's `min` without `max_wait` does nothing: every batch waits
/// until it is full.
#[test]
fn a_batch_minimum_without_a_longest_wait_is_warned_about() {
    let line = |batch: &str| {
        format!(
            r#"[scenario]
name = "t"
horizon = "10d"
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = 1.0
[[stations]]
name = "B"
buffer = 5
process = 0.5
batch = {batch}
"#
        )
    };
    crate::common::assert_one_warning(
        &warnings_of(&line("{ size = 3, min = 1 }"), "batch.min"),
        "t.toml:14:27: stations[1].batch.min: batch.min (1) takes effect only after batch.max_wait",
        "every batch waits until it is full (3 parts)",
        "min without max_wait",
    );
    for quiet in [
        "{ size = 3, min = 1, max_wait = 5 }",
        "{ size = 3, min = 3 }",
        "{ size = 3 }",
    ] {
        let w = warnings_of(&line(quiet), "batch.min");
        assert!(w.is_empty(), "{quiet}: {w:?}");
    }
}

/// A warning about a value a change writes names the change's key path,
/// as an error there does, not the patched entry's path in the merged
/// line (which, for an added station, the file does not even have).
#[test]
fn a_warning_inside_a_change_names_the_change() {
    let text = r#"[scenario]
name = "t"
horizon = "10d"
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = 1.0
[[stations]]
name = "B"
buffer = 5
process = 0.5
[[changes]]
name = "c"
stations.B = { process = { dist = "lognormal", mean = 1, cv = 30 }, batch = { size = 3, min = 2 } }
new_stations = [ { name = "C", buffer = 3, process = { dist = "gamma", mean = 1, cv = 40 } } ]
products.p = { route = ["A", "B", "C"] }
[[variants]]
name = "v"
changes = ["c"]
"#;
    let cv = warnings_of(text, "coefficient of variation");
    assert_eq!(cv.len(), 2, "{cv:?}");
    assert!(
        cv[0].starts_with("t.toml:16:63: changes[0].stations.B.process.cv: "),
        "{}",
        cv[0]
    );
    assert!(
        cv[1].starts_with("t.toml:17:87: changes[0].new_stations[0].process.cv: "),
        "{}",
        cv[1]
    );
    crate::common::assert_one_warning(
        &warnings_of(text, "batch.min"),
        "t.toml:16:95: changes[0].stations.B.batch.min: ",
        "takes effect only after batch.max_wait",
        "min in a change",
    );
}

/// A shift that ends at the time it starts lasts 24 hours, as a closed
/// window of the plant calendar does (the reference says so for both; the
/// shift was refused): 06:00 to 06:00, Monday to Friday, is Monday 06:00
/// to Saturday 06:00, 120 hours of a 168-hour week.
#[test]
fn a_shift_that_ends_when_it_starts_lasts_a_day() {
    let s = crate::common::scenario(
        r#"[scenario]
name = "t"
horizon = "28d"
replications = 2
[[products]]
name = "a"
route = ["A"]
[[stations]]
name = "A"
process = 1.0
operators = { pool = "crew" }
[[pools]]
name = "crew"
size = 1
shifts = [ { days = "mon-fri", start = "06:00", end = "06:00" } ]
"#,
    );
    let (summary, _) = crate::common::run(&s, 1);
    let throughput = summary.variants[0].throughput_per_h.mean;
    let by_hand = 60.0 * 120.0 / 168.0;
    assert!(
        (throughput - by_hand).abs() < 1e-9,
        "{throughput} against {by_hand}"
    );
}
