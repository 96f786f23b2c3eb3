//! PNG charts: valid images of the expected size with something drawn in
//! the plot area, reproduced exactly by `alloysim plot`, and no panic on edge
//! cases.

use crate::common::alloysim;
use std::fs;
use std::path::Path;

const CHARTS: [&str; 4] = [
    "throughput.png",
    "station_states.png",
    "wip.png",
    "lead_time.png",
];

fn run_into(dir: &Path, text: &str) -> std::path::PathBuf {
    let scenario = dir.join("s.toml");
    fs::write(&scenario, text).unwrap();
    let out = dir.join("out");
    alloysim()
        .args(["run", "-q", "-j", "2", "-o"])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .success();
    out
}

/// Decodes a PNG and returns its size and the share of pixels in the middle
/// 80 % of the image that are not white.
fn inspect(path: &Path) -> (u32, u32, f64) {
    let image = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    let (w, h) = image.dimensions();
    let (mut drawn, mut total) = (0u64, 0u64);
    for y in h / 10..h * 9 / 10 {
        for x in w / 10..w * 9 / 10 {
            total += 1;
            if image.get_pixel(x, y).0 != [255, 255, 255] {
                drawn += 1;
            }
        }
    }
    (w, h, drawn as f64 / total as f64)
}

const LINE: &str = r#"
[scenario]
name = "charts"
warmup = "2h"
horizon = "20h"
replications = 3
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = { dist = "exponential", mean = 1.0 }
energy = { busy_kw = 10, idle_kw = 2 }
[[stations]]
name = "B"
buffer = 3
process = { dist = "exponential", mean = 0.9 }
failures = { ttf = { dist = "exponential", mean = 60 }, ttr = 5 }
scrap = 0.05
energy = { busy_kw = 20, idle_kw = 4 }
[energy]
co2_kg_per_kwh = 0.5
[[changes]]
name = "faster"
stations.B = { process = { dist = "exponential", mean = 0.6 } }
"#;

#[test]
fn charts_are_pngs_with_content_and_plot_redraws_them_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_into(dir.path(), LINE);
    let mut originals = Vec::new();
    for name in CHARTS.iter().chain(["energy.png"].iter()) {
        let path = out.join(name);
        let (w, h, drawn) = inspect(&path);
        assert_eq!(w, 1600, "{name}");
        assert!(h >= 1000, "{name}");
        assert!(drawn > 0.02, "{name}: only {drawn} of the plot area drawn");
        originals.push((name, fs::read(&path).unwrap()));
        fs::remove_file(&path).unwrap();
    }
    for name in ["timeseries.csv", "lead_times.csv"] {
        assert!(
            fs::read_to_string(out.join(name)).unwrap().lines().count() > 2,
            "{name}"
        );
    }
    alloysim().arg("plot").arg(&out).assert().success();
    for (name, bytes) in originals {
        assert_eq!(
            fs::read(out.join(name)).unwrap(),
            bytes,
            "{name} differs after plot"
        );
    }
    // A folder that is not a run's: exit 2, saying what `plot` takes.
    fs::remove_file(out.join("summary.json")).unwrap();
    fs::write(out.join("sweep.csv"), "x\n").unwrap();
    let assert = alloysim().arg("plot").arg(&out).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("no summary.json: `plot` redraws the charts of a folder written by `alloysim run` (it holds sweep.csv"),
        "{stderr}"
    );
}

#[test]
fn no_energy_data_means_no_energy_chart_and_no_charts_flag_skips_them() {
    let dir = tempfile::tempdir().unwrap();
    let text = LINE
        .replace("energy = { busy_kw = 10, idle_kw = 2 }\n", "")
        .replace("energy = { busy_kw = 20, idle_kw = 4 }\n", "");
    let out = run_into(dir.path(), &text);
    assert!(out.join("throughput.png").exists());
    assert!(!out.join("energy.png").exists());
    let scenario = dir.path().join("s.toml");
    let bare = dir.path().join("bare");
    alloysim()
        .args(["run", "-q", "--no-charts", "-o"])
        .arg(&bare)
        .arg(&scenario)
        .assert()
        .success();
    assert!(bare.join("summary.json").exists());
    assert!(!bare.join("throughput.png").exists());
}

#[test]
fn edge_cases_draw_without_panicking() {
    let cases = [
        // One variant, one replication: no interval, no comparison.
        LINE.replace("replications = 3", "replications = 1")
            .replace("[[changes]]\nname = \"faster\"\nstations.B = { process = { dist = \"exponential\", mean = 0.6 } }\n", ""),
        // Zero throughput: the first part needs longer than the run.
        "[scenario]\nname = \"zero\"\nhorizon = 10\nreplications = 2\n[[products]]\nname = \"p\"\nroute = [\"A\"]\n[[stations]]\nname = \"A\"\nprocess = 100\n".to_owned(),
        // A station that is down all the time.
        "[scenario]\nname = \"down\"\nhorizon = 100\nreplications = 2\n[[products]]\nname = \"p\"\nroute = [\"A\"]\n[[stations]]\nname = \"A\"\nprocess = 1\nfailures = { ttf = 0.001, ttr = 1e9, basis = \"calendar\" }\n".to_owned(),
    ];
    for text in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = run_into(dir.path(), &text);
        for name in CHARTS {
            let (w, _, _) = inspect(&out.join(name));
            assert_eq!(w, 1600);
        }
    }
}
