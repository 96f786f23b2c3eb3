//! alloysim's engine against the single-purpose serial-line simulator of
//! `examples/single_purpose.rs`: a separate, short implementation of the
//! same semantics (blocking after service, buffers of waiting parts,
//! operating-basis failures with preempt-resume, scrap at completion, the
//! lowest-numbered idle machine first, events at one instant in the order
//! they were scheduled, measuring from the first event after the warm-up).
//! Drawing from the same streams in the same order, the two must agree
//! exactly, replication by replication: the good parts and the number of
//! events, and every figure of the measured period the two keep alike
//! (minutes per machine state, buffer levels, WIP and its series, the
//! lead-time histogram, the bottleneck shares). The figures' test fails
//! when the simulator takes another idle machine, handles simultaneous
//! events in reverse order, or does not start its figures again after the
//! warm-up.

#[path = "../../examples/single_purpose.rs"]
#[allow(dead_code)]
mod simulator;

use crate::common::{scenario, uniforms};
use alloysim::engine::simulate;
use alloysim::model::MachineState;
use alloysim::scenario::Scenario;
use std::path::Path;

fn assert_same(s: &Scenario, replications: u32, what: &str) {
    let model = &s.variants[0].model;
    for r in 0..replications {
        let result = simulate(model, &s.run, r);
        let (good, events) = simulator::single(model, &s.run, r);
        let (good_books, events_books) = simulator::single_with_books(model, &s.run, r);
        assert_eq!(
            (result.good_parts, result.events),
            (good, events),
            "{what}, replication {r}: alloysim (good parts, events) against the single-purpose simulator's"
        );
        assert_eq!(
            (good, events),
            (good_books, events_books),
            "{what}: with bookkeeping"
        );
    }
}

#[test]
fn the_benchmark_models_agree_replication_by_replication() {
    for name in ["line5", "big20"] {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("benches/models/{name}.toml"));
        let mut s = Scenario::load(&path).unwrap();
        s.run.horizon_min = 10_000.0;
        assert_same(&s, 3, name);
    }
}

/// A random serial line: 1 to 6 stations of 1 to 3 machines, buffers of 0
/// to 5 places, processing times of every family (fixed times too, so
/// that events tie), failures on the operating basis at some, scrap at some.
fn random_line(seed: u64) -> String {
    random_line_from(seed, true)
}

/// [`random_line`], measured from time 0 unless `warmup` (0–300 min).
fn random_line_from(seed: u64, warmup: bool) -> String {
    let mut next = uniforms(seed);
    let stations = 1 + (next() * 6.0) as usize;
    let names: Vec<String> = (0..stations).map(|i| format!("\"S{i}\"")).collect();
    let mut text = format!(
        "[scenario]\nname = \"r{seed}\"\nwarmup = {:.1}\nhorizon = 2000\nreplications = 1\nseed = {seed}\n\n\
         [[products]]\nname = \"p\"\nroute = [{}]\n",
        if warmup { next() * 300.0 } else { 0.0 },
        names.join(", ")
    );
    for i in 0..stations {
        let machines = 1 + (next() * 3.0) as u32;
        let mean = (0.5 + next() * 1.5) * f64::from(machines);
        let process = match (next() * 8.0) as u32 {
            0 => format!("{{ dist = \"exponential\", mean = {mean:.3} }}"),
            1 => format!("{{ dist = \"lognormal\", mean = {mean:.3}, cv = 0.6 }}"),
            2 => format!(
                "{{ dist = \"triangular\", min = {:.3}, mode = {mean:.3}, max = {:.3} }}",
                mean * 0.5,
                mean * 1.5
            ),
            3 => format!(
                "{{ dist = \"uniform\", min = {:.3}, max = {:.3} }}",
                mean * 0.7,
                mean * 1.3
            ),
            4 => format!("{{ dist = \"normal\", mean = {mean:.3}, cv = 0.3 }}"),
            5 => format!("{{ dist = \"gamma\", mean = {mean:.3}, cv = 0.8 }}"),
            6 => format!("{{ dist = \"weibull\", shape = 1.5, scale = {mean:.3} }}"),
            _ => format!("\"{:.1}min\"", mean.round().max(1.0)),
        };
        text += &format!(
            "\n[[stations]]\nname = \"S{i}\"\nmachines = {machines}\nprocess = {process}\n"
        );
        if i > 0 {
            text += &format!("buffer = {}\n", (next() * 6.0) as u32);
        }
        if next() < 0.6 {
            text += &format!(
                "failures = {{ ttf = {{ dist = \"weibull\", shape = 0.9, scale = {:.3} }}, ttr = {{ dist = \"lognormal\", mean = {:.3}, cv = 1.0 }}, basis = \"operating\" }}\n",
                20.0 + next() * 200.0,
                2.0 + next() * 10.0
            );
        }
        if next() < 0.5 {
            text += &format!("scrap = {:.3}\n", next() * 0.1);
        }
    }
    text
}

#[test]
fn random_serial_lines_agree_replication_by_replication() {
    for seed in 0..60 {
        let text = random_line(seed);
        assert_same(&scenario(&text), 2, &format!("line {seed}:\n{text}"));
    }
}

/// Relative difference, against a floor for figures near zero.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn every_figure_agrees_with_the_bookkeeping_of_the_single_purpose_simulator() {
    let states = [
        MachineState::Starved,
        MachineState::Busy,
        MachineState::Down,
        MachineState::Blocked,
    ];
    let mut shifting = 0;
    // Measured from time 0, and after a warm-up (the figures start again).
    for (seed, warmup) in (0..40).flat_map(|seed| [(seed, false), (seed, true)]) {
        let text = random_line_from(seed, warmup);
        let s = scenario(&text);
        let model = &s.variants[0].model;
        let result = simulate(model, &s.run, 0);
        let (good, _, figures) = simulator::books(model, &s.run, 0);
        let what = format!("line {seed}:\n{text}");
        assert_eq!(result.good_parts, good, "{what}");
        assert_eq!(result.lead_times, figures.lead_times, "lead times, {what}");
        assert!(
            close(result.wip_mean, figures.wip_mean),
            "WIP {} against {}, {what}",
            result.wip_mean,
            figures.wip_mean
        );
        assert_eq!(result.wip_series.len(), figures.wip_series.len());
        for (a, b) in result.wip_series.iter().zip(&figures.wip_series) {
            assert!(close(*a, *b), "WIP series {a} against {b}, {what}");
        }
        for (k, station) in result.stations.iter().enumerate() {
            for (i, state) in states.iter().enumerate() {
                let (a, b) = (station.state_min[*state], figures.state_min[k][i]);
                assert!(
                    close(a, b),
                    "station {k}, {state:?}: {a} against {b} min, {what}"
                );
            }
            assert!(
                close(station.state_min.total(), figures.state_min[k].iter().sum()),
                "station {k}: states the single-purpose simulator lacks, {what}"
            );
            assert!(
                close(station.buffer_mean, figures.buffer_mean[k]),
                "station {k}, buffer, {what}"
            );
            let (sole, shifting_min) = (
                figures.bottleneck.sole_min[k],
                figures.bottleneck.shifting_min[k],
            );
            assert!(
                close(station.bottleneck_sole_min, sole)
                    && close(station.bottleneck_shifting_min, shifting_min),
                "station {k}, bottleneck: ({}, {}) against ({sole}, {shifting_min}), {what}",
                station.bottleneck_sole_min,
                station.bottleneck_shifting_min
            );
            shifting += usize::from(shifting_min > 0.0);
        }
    }
    assert!(
        shifting > 10,
        "the lines give shifting bottlenecks: {shifting}"
    );
}
