//! The `alloysim` binary: commands, result files and exit codes.

use crate::common::{alloysim, DEADLOCK};
use std::fs;
use std::path::Path;

const SMALL: &str = r#"
[scenario]
name = "small"
warmup = "1h"
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
scrap = 0.05

[[changes]]
name = "faster"
stations.B = { process = { dist = "exponential", mean = 0.5 } }
"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn run_writes_the_result_files() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    let assert = alloysim()
        .args(["run", "-j", "2", "--no-charts", "-o"])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("baseline") && stdout.contains("automated"),
        "{stdout}"
    );
    assert!(stdout.contains("events/s"), "{stdout}");
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "scenario",
        "version",
        "seed",
        "replications",
        "warmup_h",
        "horizon_h",
        "wall_s",
        "events",
        "events_per_s",
        "variants",
        "comparisons",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(summary["scenario"], "small");
    assert_eq!(summary["replications"], 3);
    let variant = &summary["variants"][0];
    for key in [
        "name",
        "throughput_per_h",
        "good_parts_mean",
        "scrap_parts_mean",
        "wip_mean",
        "lead_time_min_mean",
        "energy_kwh_per_good_part",
        "co2_kg_per_good_part",
        "bottleneck",
        "events_mean",
        "stations",
    ] {
        assert!(variant.get(key).is_some(), "variant lacks {key}");
    }
    for key in ["mean", "ci95_low", "ci95_high"] {
        assert!(variant["throughput_per_h"][key].is_number());
    }
    let station = &variant["stations"][0];
    for key in [
        "name",
        "busy",
        "setup",
        "blocked",
        "starved",
        "waiting_operator",
        "off_shift",
        "down",
        "buffer_mean",
        "throughput_per_h",
        "scrap_share",
        "oee",
        "energy_kwh",
    ] {
        assert!(station.get(key).is_some(), "station lacks {key}");
    }
    let comparison = &summary["comparisons"][0];
    assert_eq!(comparison["variant"], "automated");
    assert!(comparison["gain_pct"]["mean"].as_f64().unwrap() > 0.0);

    let replications = fs::read_to_string(out.join("replications.csv")).unwrap();
    let mut lines = replications.lines();
    assert_eq!(
        lines.next().unwrap(),
        "variant,replication,seed,throughput_per_h,good_parts,scrap_parts,wip_mean,lead_time_mean_min,energy_kwh,events"
    );
    assert_eq!(lines.count(), 6, "2 variants x 3 replications");
    let stations = fs::read_to_string(out.join("stations.csv")).unwrap();
    assert_eq!(stations.lines().count(), 1 + 2 * 2);
    // No temporary files are left behind.
    let leftovers: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn one_and_two_threads_write_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "small.toml", SMALL);
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("out{threads}"));
        alloysim()
            .args(["run", "--quiet", "--no-charts", "-j", threads, "-o"])
            .arg(&out)
            .arg(&scenario)
            .assert()
            .success()
            .stdout("");
        let summary = crate::common::read_summary_without_timing(&out);
        outputs.push((
            summary,
            fs::read(out.join("replications.csv")).unwrap(),
            fs::read(out.join("stations.csv")).unwrap(),
        ));
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn overrides_change_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    alloysim()
        .args([
            "run",
            "-q",
            "--no-charts",
            "-r",
            "2",
            "--seed",
            "9",
            "--horizon",
            "2h",
            "--warmup",
            "30min",
            "-o",
        ])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["replications"], 2);
    assert_eq!(summary["seed"], 9);
    assert_eq!(summary["horizon_h"], 2.0);
    assert_eq!(summary["warmup_h"], 0.5);
}

#[test]
fn invalid_scenario_exits_2_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let text = SMALL.replace("buffer = 2", "buffer = -3");
    let line = text.lines().position(|l| l == "buffer = -3").unwrap() + 1;
    let bad = write(dir.path(), "bad.toml", &text);
    let assert = alloysim().arg("run").arg(&bad).assert().code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains(&format!(
            "bad.toml:{line}:10: stations[1].buffer: expected an integer >= 0 or \"inf\", got -3"
        )),
        "{stderr}"
    );
    alloysim().arg("validate").arg(&bad).assert().code(2);
}

#[test]
fn a_line_that_scraps_every_part_has_a_capacity_bound_of_zero_not_nan() {
    let dir = tempfile::tempdir().unwrap();
    let text = SMALL.replace(
        "process = { dist = \"exponential\", mean = 1.0 }",
        "process = { dist = \"exponential\", mean = 1.0 }\nscrap = 1.0",
    );
    let scenario = write(dir.path(), "all_scrap.toml", &text);
    let assert = alloysim().arg("validate").arg(&scenario).assert().success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("every part of product \"p\" is scrapped"),
        "{stderr}"
    );
    assert!(!stdout.contains("NaN"), "{stdout}");
    // B gets no part at all: 0 good parts/h, like A and the bound.
    let b = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("B "))
        .unwrap();
    assert!(b.trim_end().ends_with(" 0.00"), "{b}");
    assert!(
        stdout.contains("upper bound on good output: 0.00 parts/h"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "small.toml", SMALL);
    alloysim()
        .args(["run", "--horizon", "soon"])
        .arg(&scenario)
        .assert()
        .code(2);
    alloysim()
        .args(["run", "-j", "0"])
        .arg(&scenario)
        .assert()
        .code(2);
    alloysim()
        .args(["run", "--bogus"])
        .arg(&scenario)
        .assert()
        .code(2);
    alloysim()
        .arg("run")
        .arg(dir.path().join("missing.toml"))
        .assert()
        .code(1);
    // Far more threads than any machine has cores: refused at once (100 000
    // of them were still starting after 20 s), and so is a SLURM task of
    // that many.
    let assert = alloysim()
        .args(["run", "-j", "100000"])
        .arg(&scenario)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("100000 is not in 1..=1024"), "{stderr}");
    let assert = alloysim()
        .args(["slurm", "run"])
        .arg(&scenario)
        .args(["--tasks", "2", "--cpus-per-task", "5000", "--dry-run"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("--cpus-per-task: expected a number from 1 to 1024, got \"5000\""),
        "{stderr}"
    );
    // The option's range is the file's (`scenario.replications`).
    let assert = alloysim()
        .args(["run", "-r", "1000001"])
        .arg(&scenario)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("1000001 is not in 1..=1000000"), "{stderr}");
    alloysim()
        .args(["run", "-q", "--no-charts", "-j", "1024", "-r", "2", "-o"])
        .arg(dir.path().join("out"))
        .arg(&scenario)
        .assert()
        .success();
}

#[test]
fn deadlock_exits_3_and_keeps_previous_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("summary.json"), "previous").unwrap();
    let locked = write(dir.path(), "locked.toml", DEADLOCK);
    let assert = alloysim()
        .args(["run", "-q", "-o"])
        .arg(&out)
        .arg(&locked)
        .assert()
        .code(3);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("deadlocked")
            && stderr.contains("A, B")
            && stderr.contains("simulated time"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(out.join("summary.json")).unwrap(),
        "previous"
    );
    assert_eq!(fs::read_dir(&out).unwrap().count(), 1, "no partial files");
}

#[test]
fn validate_prints_the_capacity_table_of_the_shipped_scenario() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let assert = alloysim()
        .arg("validate")
        .arg(root.join("scenarios/pilot_line.toml"))
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    // The static figure is labelled for what it is, never "bottleneck".
    assert!(
        stdout.contains("die_cast") && stdout.contains("<- capacity bound"),
        "{stdout}"
    );
    assert!(!stdout.contains("bottleneck <-"), "{stdout}");
    assert!(stdout.contains("upper bound on good output"), "{stdout}");
}

#[test]
fn run_trace_writes_the_trace_and_the_gantt_chart_with_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    alloysim()
        .args(["run", "-q", "-r", "2", "--horizon", "2d", "--warmup", "1d"])
        .arg(root.join("scenarios/pilot_line.toml"))
        .args(["--trace", "1:30h..32h", "-o"])
        .arg(&out)
        .assert()
        .success();
    let trace = fs::read_to_string(out.join("trace.csv")).unwrap();
    let mut lines = trace.lines();
    assert_eq!(
        lines.next(),
        Some("variant,time,station,machine,state,active")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let times: Vec<f64> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
    assert!(times.iter().all(|t| (30.0..=32.0).contains(t)));
    // Every variant starts with all 13 machines at 30 h and ends with them at 32 h.
    let baseline: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == "baseline").collect();
    assert!(baseline[..13].iter().all(|r| r[1] == "30"));
    assert!(baseline[baseline.len() - 13..].iter().all(|r| r[1] == "32"));
    assert!(out.join("gantt.png").exists());
    // A later run without --trace drops the old trace with the rest.
    alloysim()
        .args(["run", "-q", "-r", "2", "--horizon", "2d", "--warmup", "1d"])
        .arg(root.join("scenarios/pilot_line.toml"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    assert!(!out.join("trace.csv").exists() && !out.join("gantt.png").exists());
}

#[test]
fn run_trace_refuses_a_window_over_the_row_limit_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let assert = alloysim()
        .args(["run", "-q", "-r", "2"])
        .arg(root.join("scenarios/pilot_line.toml"))
        .args(["--trace", "0", "-o"])
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("holds more than 1000000 machine state changes")
            && stderr.contains("fits, e.g. --trace 0:0h.."),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing written");
    for (arg, message) in [
        ("5", "the run has 2 replications (0 to 1)"),
        ("x", "expected REP[:FROM..TO]"),
        ("0:5h", "expected the window as FROM..TO"),
        ("0:5h..2h", "end after it starts"),
        ("0:2000h..2100h", "starts after the run ends"),
    ] {
        let assert = alloysim()
            .args(["run", "-q", "-r", "2"])
            .arg(root.join("scenarios/pilot_line.toml"))
            .args(["--trace", arg, "-o"])
            .arg(&out)
            .assert()
            .code(2);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(message), "--trace {arg}: {stderr}");
    }
}

/// The studies take `run`'s overrides of the run settings: a sweep and an
/// attribution with `--seed`, `--horizon` and `--warmup` write what the
/// same study of a file with those settings writes, byte for byte.
#[test]
fn studies_take_the_run_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "small.toml", SMALL);
    let edited = SMALL
        .replace("warmup = \"1h\"", "warmup = \"30min\"")
        .replace("horizon = \"10h\"", "horizon = \"4h\"")
        .replace("seed = 5", "seed = 77");
    let same = write(dir.path(), "edited.toml", &edited);
    let overrides = ["--seed", "77", "--horizon", "4h", "--warmup", "30min"];
    for (study, file) in [
        (
            vec!["sweep", "--param", "stations.B.buffer=1..3"],
            "sweep.csv",
        ),
        (vec!["attribute"], "attribution.csv"),
    ] {
        let run = |path: &Path, extra: &[&str], out: &str| {
            let out = dir.path().join(out);
            alloysim()
                .args(&study)
                .args(["-q", "--no-charts", "-r", "2"])
                .args(extra)
                .arg("-o")
                .arg(&out)
                .arg(path)
                .assert()
                .success();
            fs::read_to_string(out.join(file)).unwrap()
        };
        let overridden = run(&scenario, &overrides, "a");
        assert_eq!(overridden, run(&same, &[], "b"), "{study:?}");
        assert_ne!(overridden, run(&scenario, &[], "c"), "{study:?}");
    }
    // A back-test runs to its last observed day: --horizon is refused.
    let observed = write(
        dir.path(),
        "daily.csv",
        "day,good_parts\n1,5\n2,5\n3,5\n4,5\n5,5\n",
    );
    let assert = alloysim()
        .args(["backtest", "--horizon", "2d", "--observed"])
        .arg(&observed)
        .arg(&scenario)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("--horizon: a back-test runs"), "{stderr}");
}

/// A sweep of two parameters needs two keys: the same key twice would pair
/// its values point by point and let the second override the first.
#[test]
fn a_sweep_of_one_key_given_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    let assert = alloysim()
        .args(["sweep", "-q", "--no-charts", "-r", "2"])
        .args(["--param", "stations.B.buffer=1,2"])
        .args(["--param", " stations.B.buffer =3,4"])
        .arg("-o")
        .arg(&out)
        .arg(&scenario)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("--param stations.B.buffer is given twice"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn a_sweep_names_every_point_that_is_not_valid() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    let refused = |values: &str| {
        let assert = alloysim()
            .args(["sweep", "-q", "--no-charts", "-r", "2"])
            .args(["--param", &format!("stations.B.machines={values}")])
            .arg("-o")
            .arg(&out)
            .arg(&scenario)
            .assert()
            .code(2);
        String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
    };
    // The first invalid point's error in full, then the others by name.
    let stderr = refused("1,0,2,-1");
    assert!(stderr.contains("at stations.B.machines = 0:"), "{stderr}");
    assert!(stderr.contains("expected an integer from 1"), "{stderr}");
    assert!(
        stderr.contains("2 of the 4 points are not valid; the others: stations.B.machines = -1\n"),
        "{stderr}"
    );
    // One invalid point: no such line.
    let stderr = refused("1,0");
    assert!(!stderr.contains("points are not valid"), "{stderr}");
    // Many: the first eight others named, and how many more.
    let stderr = refused("0,-1,-2,-3,-4,-5,-6,-7,-8,-9,-10,1");
    assert!(
        stderr
            .contains("11 of the 12 points are not valid; the others: stations.B.machines = -1; "),
        "{stderr}"
    );
    assert!(
        stderr.contains("stations.B.machines = -8 and 2 more\n"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn sweep_and_attribute_write_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    alloysim()
        .args([
            "sweep",
            "-q",
            "-r",
            "2",
            "--param",
            "stations.B.buffer=1..3",
            "-o",
        ])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .success();
    let csv = fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(
        csv.starts_with("stations.B.buffer,throughput_per_h,ci95_low,ci95_high"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 4);
    assert!(out.join("sweep.png").exists());
    alloysim()
        .args([
            "sweep",
            "-q",
            "--no-charts",
            "-r",
            "2",
            "--param",
            "stations.B.buffer=1,2",
            "--param",
            "stations.A.machines=1,2",
            "-o",
        ])
        .arg(dir.path().join("grid"))
        .arg(&scenario)
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(dir.path().join("grid/sweep.csv"))
            .unwrap()
            .lines()
            .count(),
        5
    );
    alloysim()
        .args(["attribute", "-q", "-r", "2", "-o"])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .success();
    let csv = fs::read_to_string(out.join("attribution.csv")).unwrap();
    assert!(csv.contains("shapley,faster,"), "{csv}");
    assert!(out.join("attribution.png").exists());
    // Mistakes in the arguments exit with 2.
    alloysim()
        .args(["sweep", "--param", "buffer=1"])
        .arg(&scenario)
        .assert()
        .code(2);
    alloysim()
        .args(["sweep", "--param", "stations.Z.buffer=1"])
        .arg(&scenario)
        .assert()
        .code(2);
    alloysim()
        .args(["attribute", "--variant", "nope"])
        .arg(&scenario)
        .assert()
        .code(2);
    alloysim()
        .args([
            "sweep",
            "--param",
            "stations.B.buffer=1..1000",
            "--param",
            "stations.A.machines=1..100",
        ])
        .arg(&scenario)
        .assert()
        .code(2);
    alloysim()
        .args(["run", "--precision", "-1%"])
        .arg(&scenario)
        .assert()
        .code(2);
}

#[test]
fn precision_is_recorded_and_identical_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "small.toml", SMALL);
    let mut summaries = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("p{threads}"));
        alloysim()
            .args([
                "run",
                "-q",
                "--no-charts",
                "--precision",
                "5%",
                "--max-replications",
                "60",
                "-j",
                threads,
                "-o",
            ])
            .arg(&out)
            .arg(&scenario)
            .assert()
            .success();
        let summary = crate::common::read_summary_without_timing(&out);
        summaries.push(summary);
    }
    assert_eq!(summaries[0], summaries[1]);
    let precision = &summaries[0]["precision"];
    assert_eq!(precision["target_pct"], 5.0);
    assert_eq!(summaries[0]["replications"], precision["replications"]);
}

/// Two changes that are only consistent together: one adds a station, the
/// other routes the product through it.
const DEPENDENT_CHANGES: &str = r#"
[scenario]
name = "dependent"
horizon = "10h"
replications = 2

[[products]]
name = "p"
route = ["A"]

[[stations]]
name = "A"
process = 1.0

[[changes]]
name = "add-wash"
new_stations = [ { name = "wash", buffer = 2, process = 0.5 } ]

[[changes]]
name = "route-wash"
products.p = { route = ["A", "wash"] }

[[variants]]
name = "both"
changes = ["add-wash", "route-wash"]
"#;

/// Regression: `attribute` on a subset of changes that is no valid
/// scenario printed the scenario error but exited 1.
#[test]
fn attribute_on_inconsistent_changes_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "dependent.toml", DEPENDENT_CHANGES);
    let assert = alloysim()
        .args(["attribute", "-q", "-o"])
        .arg(dir.path().join("out"))
        .arg(&scenario)
        .assert()
        .code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("unknown station \"wash\""), "{stderr}");
    // The scenario itself is valid.
    alloysim()
        .args(["validate"])
        .arg(&scenario)
        .assert()
        .success();
}

/// Several scenarios run at once each write to a folder named after the
/// scenario: two of one name would replace each other's results, so the
/// run is refused before any work.
#[test]
fn two_scenarios_of_one_name_are_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let first = write(dir.path(), "first.toml", SMALL);
    let second = write(dir.path(), "second.toml", SMALL);
    let out = dir.path().join("out");
    let assert = alloysim()
        .args(["run", "-q", "--no-charts", "-r", "2", "-o"])
        .arg(&out)
        .arg(&first)
        .arg(&second)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("first.toml and ") && stderr.contains("second.toml would both write to"),
        "{stderr}"
    );
    assert!(
        stderr.contains("both scenarios are named \"small\""),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written");
}
