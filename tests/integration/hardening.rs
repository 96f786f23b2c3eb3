//! Hardening: interrupted runs, runaway WIP, memory that stays flat with the
//! horizon, extreme values, and properties of the engine on generated lines.

use crate::common::{alloysim, run, scenario};
use alloysim::engine::simulate;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::fs;
use std::time::{Duration, Instant};

const LONG: &str = r#"
[scenario]
name = "long"
horizon = "200000d"
replications = 4
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = { dist = "exponential", mean = 1.0 }
[[stations]]
name = "B"
buffer = 3
process = { dist = "exponential", mean = 1.0 }
"#;

#[cfg(unix)]
#[test]
fn ctrl_c_stops_promptly_and_keeps_previous_results() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("long.toml");
    fs::write(&scenario, LONG).unwrap();
    let out = dir.path().join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("summary.json"), "previous").unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("alloysim"))
        .args(["run", "-q", "-j", "2", "-o"])
        .arg(&out)
        .arg(&scenario)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let sent = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let status = child.wait().unwrap();
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "took {:?} to stop",
        sent.elapsed()
    );
    assert_eq!(status.code(), Some(1));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(
        fs::read_to_string(out.join("summary.json")).unwrap(),
        "previous"
    );
    assert_eq!(
        fs::read_dir(&out).unwrap().count(),
        1,
        "no partial or temporary files"
    );
}

#[test]
fn an_unbounded_buffer_that_fills_without_end_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let text = LONG
        .replace("horizon = \"200000d\"", "horizon = \"10d\"")
        .replace("replications = 4", "replications = 1")
        .replace(
            "mean = 1.0 }\n[[stations]]",
            "mean = 0.0005 }\n[[stations]]",
        )
        .replace("buffer = 3", "buffer = \"inf\"");
    let path = dir.path().join("flood.toml");
    fs::write(&path, text).unwrap();
    let assert = alloysim()
        .args(["run", "-q", "-o"])
        .arg(dir.path().join("o"))
        .arg(&path)
        .assert()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("parts piled up")
            && stderr.contains("station \"B\", whose buffer is unbounded"),
        "{stderr}"
    );
}

#[test]
fn peak_memory_does_not_grow_with_the_horizon() {
    let dir = tempfile::tempdir().unwrap();
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/models/line5.toml");
    let mut peaks = Vec::new();
    for horizon in ["20000", "200000"] {
        let out = dir.path().join(horizon);
        alloysim()
            .args([
                "run",
                "-q",
                "--no-charts",
                "-j",
                "1",
                "-r",
                "2",
                "--horizon",
                horizon,
                "-o",
            ])
            .arg(&out)
            .arg(&model)
            .assert()
            .success();
        let summary: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        match summary["peak_rss_kib"].as_u64() {
            Some(kib) => peaks.push(kib as f64),
            None => return, // not Linux: nothing to compare
        }
    }
    assert!(
        peaks[1] < peaks[0] * 1.2,
        "peak RSS {} KiB -> {} KiB for a 10x horizon",
        peaks[0],
        peaks[1]
    );
}

fn finite_or_null(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Number(n) => n.as_f64().is_some_and(f64::is_finite),
        serde_json::Value::Array(a) => a.iter().all(finite_or_null),
        serde_json::Value::Object(o) => o.values().all(finite_or_null),
        _ => true,
    }
}

#[test]
fn extreme_values_give_numbers_not_panics() {
    let cases = [
        (
            "tiny times",
            "process = 1e-6",
            "buffer = 2\nprocess = 2e-6",
            "horizon = 0.5",
        ),
        (
            "huge times",
            "process = 1e9",
            "buffer = 2\nprocess = 1.0",
            "horizon = 1000",
        ),
        (
            "everything scrapped",
            "process = 1.0\nscrap = 1",
            "buffer = 2\nprocess = 1.0\nscrap = 1",
            "horizon = 1000",
        ),
        (
            "availability near zero",
            "process = 1.0\nfailures = { ttf = 1e-6, ttr = 1e6 }",
            "buffer = 2\nprocess = 1.0",
            "horizon = 1000",
        ),
        (
            "unbounded buffers everywhere",
            "process = 1.0",
            "buffer = \"inf\"\nprocess = 0.5",
            "horizon = 1000",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (title, a, b, horizon) in cases {
        let text = format!(
            "[scenario]\nname = \"x\"\n{horizon}\nreplications = 2\n[[products]]\nname = \"p\"\nroute = [\"A\", \"B\"]\n[[stations]]\nname = \"A\"\n{a}\n[[stations]]\nname = \"B\"\n{b}\n"
        );
        let path = dir.path().join("x.toml");
        fs::write(&path, &text).unwrap();
        let out = dir.path().join(title.replace(' ', "_"));
        alloysim()
            .args(["run", "-q", "-o"])
            .arg(&out)
            .arg(&path)
            .assert()
            .success();
        let summary: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        assert!(
            finite_or_null(&summary),
            "{title}: a non-finite number in summary.json"
        );
        let throughput = summary["variants"][0]["throughput_per_h"]["mean"]
            .as_f64()
            .unwrap();
        match title {
            "tiny times" => assert!(
                (throughput - 60.0 / 2e-6).abs() / (60.0 / 2e-6) < 0.01,
                "{throughput}"
            ),
            "huge times" | "everything scrapped" => assert_eq!(throughput, 0.0),
            "availability near zero" => assert!(throughput < 0.01),
            _ => assert!((throughput - 60.0).abs() < 1.0, "{throughput}"),
        }
    }
}

/// A random serial line with random features, from `seed`.
fn random_line(seed: u64) -> String {
    random_line_with(seed, false)
}

/// The same, and with `transfers` a random move time after some stations.
fn random_line_with(seed: u64, transfers: bool) -> String {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let stations = rng.random_range(2..=5);
    let route: Vec<String> = (0..stations).map(|i| format!("\"S{i}\"")).collect();
    let mut text = format!(
        "[scenario]\nname = \"g{seed}\"\nwarmup = 200\nhorizon = 5000\nreplications = 6\nseed = {seed}\n[[products]]\nname = \"p\"\nroute = [{}]\n",
        route.join(", ")
    );
    for i in 0..stations {
        let mean = rng.random_range(0.5..1.5);
        let process = match rng.random_range(0..4) {
            0 => format!("{{ dist = \"exponential\", mean = {mean} }}"),
            1 => format!("{{ dist = \"lognormal\", mean = {mean}, cv = 0.6 }}"),
            2 => format!(
                "{{ dist = \"uniform\", min = {}, max = {} }}",
                mean * 0.5,
                mean * 1.5
            ),
            _ => format!("{mean}"),
        };
        text += &format!(
            "[[stations]]\nname = \"S{i}\"\nmachines = {}\nprocess = {process}\n",
            rng.random_range(1..=2)
        );
        if i > 0 {
            text += &format!("buffer = {}\n", rng.random_range(0..5));
        }
        if rng.random_bool(0.5) {
            let basis = if rng.random_bool(0.5) {
                "operating"
            } else {
                "calendar"
            };
            text += &format!(
                "failures = {{ ttf = {{ dist = \"exponential\", mean = {} }}, ttr = {{ dist = \"exponential\", mean = {} }}, basis = \"{basis}\" }}\n",
                rng.random_range(30.0..200.0),
                rng.random_range(2.0..15.0)
            );
        }
        if rng.random_bool(0.3) {
            text += &format!("scrap = {}\n", rng.random_range(0.0..0.1));
        }
        if transfers && rng.random_bool(0.7) {
            let mean: f64 = rng.random_range(0.2..4.0);
            text += &match rng.random_range(0..3) {
                0 => format!("transfer = {mean}\n"),
                1 => format!("transfer = {{ dist = \"exponential\", mean = {mean} }}\n"),
                _ => format!(
                    "transfer = {{ dist = \"uniform\", min = 0, max = {} }}\n",
                    2.0 * mean
                ),
            };
        }
    }
    text
}

#[test]
fn generated_lines_conserve_parts_and_account_for_all_time() {
    for (seed, transfers) in (0..25)
        .map(|s| (s, false))
        .chain((100..125).map(|s| (s, true)))
    {
        let s = scenario(&random_line_with(seed, transfers));
        let model = &s.variants[0].model;
        for replication in 0..2 {
            let r = simulate(model, &s.run, replication);
            assert!(r.deadlock.is_none(), "seed {seed}");
            assert_eq!(
                r.wip_at_start + r.released,
                r.good_parts + r.scrap_parts + r.wip_at_end,
                "seed {seed}"
            );
            for (station, spec) in r.stations.iter().zip(&model.stations) {
                let minutes: f64 = station.state_min.iter().sum();
                let expected = f64::from(spec.machines) * r.measured_min;
                assert!((minutes - expected).abs() < 1e-6 * expected, "seed {seed}");
            }
        }
    }
}

/// The paired difference `changed - base` of throughput is not significantly
/// negative (its 99.9 % interval reaches 0 or above).
fn never_significantly_lower(base: &str, changed: &str, what: &str) {
    let (s1, s2) = (scenario(base), scenario(changed));
    let (_, r1) = run(&s1, 2);
    let (_, r2) = run(&s2, 2);
    let diffs: Vec<f64> = r2.variants[0]
        .replications
        .iter()
        .zip(&r1.variants[0].replications)
        .map(|(b, a)| b.throughput_per_h() - a.throughput_per_h())
        .collect();
    let e = alloysim::stats::estimate(&diffs);
    let widen = alloysim::stats::t_quantile(0.9995, diffs.len() - 1)
        / alloysim::stats::t_quantile_975(diffs.len() - 1);
    let upper = e.mean + e.half_width().unwrap_or(0.0) * widen;
    assert!(
        upper >= 0.0,
        "{what}: throughput fell by {} (interval up to {upper})",
        -e.mean
    );
}

#[test]
fn more_buffer_or_a_faster_bottleneck_never_lowers_throughput() {
    for seed in 0..10 {
        let base = random_line(seed);
        let s = scenario(&base);
        let model = &s.variants[0].model;
        // More buffer everywhere it is finite.
        let more_buffer = (0..5).fold(base.clone(), |text, b| {
            text.replace(&format!("buffer = {b}\n"), &format!("buffer = {}\n", b + 3))
        });
        never_significantly_lower(&base, &more_buffer, &format!("seed {seed}: +3 buffer"));
        // A faster bottleneck (static): its processing times scaled by 0.8.
        let capacity = alloysim::model::capacity::capacity(model);
        let name = &model.stations[capacity.bottleneck].name;
        let faster = scale_process_of(&base, name, 0.8);
        assert_ne!(faster, base);
        never_significantly_lower(&base, &faster, &format!("seed {seed}: faster {name}"));
    }
}

/// Scales the `process` line of station `name` by `factor`.
fn scale_process_of(text: &str, name: &str, factor: f64) -> String {
    let mut inside = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with("name = ") {
                inside = line == format!("name = \"{name}\"");
            }
            if inside && line.starts_with("process = ") {
                rebuild_inline(line, factor)
            } else {
                line.to_owned()
            }
        })
        .collect();
    lines.join("\n") + "\n"
}

/// Scales every number after `mean = `, `min = `, `max = ` or a bare value.
fn rebuild_inline(line: &str, factor: f64) -> String {
    let value = line.trim_start_matches("process = ");
    if let Ok(x) = value.parse::<f64>() {
        return format!("process = {}", x * factor);
    }
    let mut out = String::from("process = ");
    let mut rest = value;
    while !rest.is_empty() {
        let key = ["mean = ", "min = ", "max = "]
            .iter()
            .filter_map(|k| rest.find(k).map(|i| (i, k)))
            .min_by_key(|(i, _)| *i);
        match key {
            Some((i, k)) => {
                out.push_str(&rest[..i + k.len()]);
                rest = &rest[i + k.len()..];
                let end = rest.find([',', ' ', '}']).unwrap_or(rest.len());
                let x: f64 = rest[..end].parse().unwrap();
                out.push_str(&format!("{}", x * factor));
                rest = &rest[end..];
            }
            None => {
                out.push_str(rest);
                break;
            }
        }
    }
    out
}
