//! Criterion benches of the engine (issue: speed).
//!
//! - `engine/*`: one replication of each benchmark model (line5, big20),
//!   of the shipped pilot line's baseline (operator pools, batches, setups,
//!   transfers) and of `wide` (one station of 100 000 machines), throughput
//!   in good parts per second; `engine_events/*`: the same runs in events
//!   per second.
//! - `hold/*`: the bare event list, a hold loop (pop the earliest event,
//!   push one a random exponential delay later) with the engine's queue and
//!   generator at the queue sizes the models produce: the floor the engine is
//!   measured against.
//! - `replications/*`: a batch of 32 replications of line5 on 1 and 2
//!   threads, for the parallel speed-up.
//!
//! Run with `cargo bench`; figures and how to read them: docs/PERFORMANCE.md.

use alloysim::engine::queue::{EventKind, EventQueue};
use alloysim::engine::rng;
use alloysim::engine::simulate;
use alloysim::experiment;
use alloysim::model::Dist;
use alloysim::scenario::Scenario;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

fn model(name: &str) -> Scenario {
    load(&format!("benches/models/{name}"))
}

fn load(path: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    Scenario::load(&path).expect("benchmark model loads")
}

fn engine(c: &mut Criterion) {
    let models = [
        ("line5", "benches/models/line5.toml"),
        ("big20", "benches/models/big20.toml"),
        ("pilot_line", "scenarios/pilot_line.toml"),
        ("wide", "benches/models/wide.toml"),
    ];
    for (name, path) in models {
        let scenario = load(path);
        let m = &scenario.variants[0].model;
        let probe = simulate(m, &scenario.run, 0);
        let mut group = c.benchmark_group("engine");
        group
            .sample_size(20)
            .measurement_time(Duration::from_secs(8));
        group.throughput(Throughput::Elements(probe.good_parts));
        group.bench_function(name, |b| {
            b.iter(|| black_box(simulate(m, &scenario.run, 0)))
        });
        group.finish();
        let mut group = c.benchmark_group("engine_events");
        group
            .sample_size(20)
            .measurement_time(Duration::from_secs(8));
        group.throughput(Throughput::Elements(probe.events));
        group.bench_function(name, |b| {
            b.iter(|| black_box(simulate(m, &scenario.run, 0)))
        });
        group.finish();
    }
}

/// Pops the earliest event and schedules one an exponential delay later,
/// `holds` times, on a queue holding `size` events.
fn hold_loop(size: usize, holds: u64) -> f64 {
    let mut stream = rng::stream(1, "hold", 0, rng::Purpose::Process);
    let delay = Dist::Exponential { mean: 1.0 };
    let mut queue = EventQueue::with_capacity(size);
    for i in 0..size {
        queue.push(delay.sample(&mut stream), EventKind::Complete, i);
    }
    let mut last = 0.0;
    for _ in 0..holds {
        let event = queue.pop().expect("never empty");
        last = event.time();
        queue.push(
            last + delay.sample(&mut stream),
            EventKind::Complete,
            event.target(),
        );
    }
    last
}

fn hold(c: &mut Criterion) {
    const HOLDS: u64 = 1_000_000;
    let mut group = c.benchmark_group("hold");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(HOLDS));
    // line5 keeps about 8 events pending, big20 about 22.
    for size in [8usize, 22] {
        group.bench_function(format!("size_{size}"), |b| {
            b.iter(|| black_box(hold_loop(size, HOLDS)))
        });
    }
    group.finish();
}

fn replications(c: &mut Criterion) {
    let mut scenario = model("line5.toml");
    scenario.run.replications = 32;
    scenario.run.horizon_min = 20_000.0;
    let good: u64 = experiment::run(&scenario, Some(1), &|| {})
        .unwrap()
        .variants[0]
        .replications
        .iter()
        .map(|r| r.good_parts)
        .sum();
    let mut group = c.benchmark_group("replications");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(good));
    for threads in [1usize, 2] {
        group.bench_function(format!("line5_x32_threads_{threads}"), |b| {
            b.iter_batched(
                || (),
                |_| black_box(experiment::run(&scenario, Some(threads), &|| {}).unwrap()),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, engine, hold, replications);
criterion_main!(benches);
