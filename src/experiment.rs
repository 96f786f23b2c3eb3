//! Experiments: every variant of a scenario, R replications each, in
//! parallel on a rayon pool.
//!
//! Replication r of every variant uses the same random streams (common random
//! numbers), so variant differences are paired. Results are collected in
//! (variant, replication) order whatever the number of threads, which makes
//! every output bit-identical for 1 or N threads.

use crate::engine::{self, ReplicationResult};
use crate::model::{Model, RunSettings};
use crate::scenario::Scenario;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Why an experiment did not produce results.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    #[error(
        "the line deadlocked in variant \"{variant}\", replication {replication}, at simulated time {time_h:.3} h: machines at {} hold finished parts that no downstream station can take",
        stations.join(", ")
    )]
    Deadlock {
        variant: String,
        replication: u32,
        time_h: f64,
        stations: Vec<String>,
    },
    #[error("interrupted: no results were written; earlier results are unchanged")]
    Interrupted,
    #[error(
        "variant \"{variant}\", replication {replication}: more than {limit} parts piled up in the line by simulated time {time_h:.1} h; an unbounded buffer behind the unlimited source fills without end (give it a capacity, or use an interarrival source)"
    )]
    Overflow {
        variant: String,
        replication: u32,
        time_h: f64,
        limit: usize,
    },
    #[error("cannot start {threads} worker threads: {message}")]
    ThreadPool { threads: usize, message: String },
}

impl ExperimentError {
    /// The process exit code: 3 for a line that locked up, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            ExperimentError::Deadlock { .. } => 3,
            ExperimentError::Interrupted
            | ExperimentError::Overflow { .. }
            | ExperimentError::ThreadPool { .. } => 1,
        }
    }
}

/// Replications of one variant, in replication order.
#[derive(Clone, Debug)]
pub struct VariantRuns {
    pub name: String,
    pub replications: Vec<ReplicationResult>,
}

/// What an experiment produced.
#[derive(Clone, Debug)]
pub struct ExperimentResult {
    /// One entry per variant, the baseline first.
    pub variants: Vec<VariantRuns>,
    /// Wall-clock seconds of the simulation (not of output).
    pub wall_s: f64,
    /// Events processed, all replications of all variants.
    pub events: u64,
}

/// Set by [`request_stop`]; running replications end within
/// [`engine::STOP_CHECK_EVENTS`] events and no new ones start.
static STOP: AtomicBool = AtomicBool::new(false);

/// Asks every running experiment to stop (the Ctrl-C handler calls this).
pub fn request_stop() {
    STOP.store(true, Ordering::Relaxed);
}

/// Runs every variant's replications on `threads` threads (all cores if
/// `None`), calling `on_done` after each replication.
pub fn run(
    scenario: &Scenario,
    threads: Option<usize>,
    on_done: &(dyn Fn() + Sync),
) -> Result<ExperimentResult, ExperimentError> {
    let models: Vec<&Model> = scenario.variants.iter().map(|v| &v.model).collect();
    let start = Instant::now();
    let replications = 0..scenario.run.replications;
    let runs = run_models(&models, &scenario.run, replications, threads, on_done)?;
    Ok(collect(runs, start.elapsed().as_secs_f64()))
}

fn collect(runs: Vec<VariantRuns>, wall_s: f64) -> ExperimentResult {
    let events = runs
        .iter()
        .flat_map(|v| &v.replications)
        .map(|r| r.events)
        .sum();
    ExperimentResult {
        variants: runs,
        wall_s,
        events,
    }
}

/// Runs the given replications of every model in parallel, with the warm-up,
/// horizon and seed of `settings`; results come back in (model, replication)
/// order whatever the number of threads. Replication r of every model uses
/// the same random streams (common random numbers).
pub fn run_models(
    models: &[&Model],
    settings: &RunSettings,
    replications: Range<u32>,
    threads: Option<usize>,
    on_done: &(dyn Fn() + Sync),
) -> Result<Vec<VariantRuns>, ExperimentError> {
    let jobs: Vec<(usize, u32)> = (0..models.len())
        .flat_map(|m| replications.clone().map(move |r| (m, r)))
        .collect();
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        builder = builder.num_threads(threads);
    }
    let pool = builder.build().map_err(|e| ExperimentError::ThreadPool {
        threads: threads.unwrap_or(0),
        message: e.to_string(),
    })?;
    let results: Vec<ReplicationResult> = pool.install(|| {
        jobs.par_iter()
            .map(|&(m, r)| {
                let result = engine::simulate_until(models[m], settings, r, &STOP);
                on_done();
                result
            })
            .collect()
    });
    if STOP.load(Ordering::Relaxed) || results.iter().any(|r| r.interrupted) {
        return Err(ExperimentError::Interrupted);
    }
    let mut runs: Vec<VariantRuns> = models
        .iter()
        .map(|m| VariantRuns {
            name: m.variant.clone(),
            replications: Vec::with_capacity(replications.len()),
        })
        .collect();
    for (&(m, _), result) in jobs.iter().zip(results) {
        if result.overflow {
            return Err(ExperimentError::Overflow {
                variant: runs[m].name.clone(),
                replication: result.replication,
                time_h: result.end_min / 60.0,
                limit: engine::WIP_LIMIT,
            });
        }
        if let Some(deadlock) = &result.deadlock {
            return Err(ExperimentError::Deadlock {
                variant: runs[m].name.clone(),
                replication: result.replication,
                time_h: deadlock.time_min / 60.0,
                stations: deadlock.stations.clone(),
            });
        }
        runs[m].replications.push(result);
    }
    Ok(runs)
}

/// How `run --precision` ended.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Precision {
    /// Target half-width of every gain's 95 % CI, percentage points (of
    /// throughput's relative CI when there are no variants).
    pub target_pct: f64,
    /// Largest half-width reached, percentage points.
    pub achieved_pct: f64,
    pub replications: u32,
    pub met: bool,
}

/// Largest 95 % CI half-width of the gains (or, without variants, of the
/// baseline's throughput relative to its mean), in percentage points.
pub fn widest_half_width_pct(result: &ExperimentResult) -> f64 {
    let base: Vec<f64> = result.variants[0]
        .replications
        .iter()
        .map(ReplicationResult::throughput_per_h)
        .collect();
    let base_mean = crate::stats::mean(base.iter().copied());
    if result.variants.len() == 1 {
        let e = crate::stats::estimate(&base);
        return e
            .half_width()
            .map_or(f64::INFINITY, |h| 100.0 * h / base_mean);
    }
    result.variants[1..]
        .iter()
        .map(|v| {
            let diffs: Vec<f64> = v
                .replications
                .iter()
                .zip(&base)
                .map(|(r, b)| r.throughput_per_h() - b)
                .collect();
            crate::stats::estimate(&diffs)
                .half_width()
                .map_or(f64::INFINITY, |h| 100.0 * h / base_mean)
        })
        .fold(0.0, f64::max)
}

/// Adds replications in batches of the scenario's replication count (at
/// least 2) until every gain's 95 % CI half-width is at most `target_pct`
/// percentage points, or `max_replications` is reached. Batches depend only
/// on the scenario, never on the number of threads, so the result is the
/// same on any number of threads.
pub fn run_to_precision(
    scenario: &Scenario,
    target_pct: f64,
    max_replications: u32,
    threads: Option<usize>,
    on_done: &(dyn Fn() + Sync),
) -> Result<(ExperimentResult, Precision), ExperimentError> {
    let start = Instant::now();
    let batch = scenario.run.replications.max(2);
    let models: Vec<&Model> = scenario.variants.iter().map(|v| &v.model).collect();
    let mut runs: Vec<VariantRuns> = Vec::new();
    let mut done = 0u32;
    loop {
        let size = batch
            .min(max_replications.saturating_sub(done))
            .max(if done == 0 { 2 } else { 0 });
        if size == 0 {
            break;
        }
        let batch_runs = run_models(&models, &scenario.run, done..done + size, threads, on_done)?;
        if runs.is_empty() {
            runs = batch_runs;
        } else {
            for (all, new) in runs.iter_mut().zip(batch_runs) {
                all.replications.extend(new.replications);
            }
        }
        done += size;
        let partial = collect(runs.clone(), 0.0);
        if widest_half_width_pct(&partial) <= target_pct {
            break;
        }
    }
    let result = collect(runs, start.elapsed().as_secs_f64());
    let achieved_pct = widest_half_width_pct(&result);
    Ok((
        result,
        Precision {
            target_pct,
            achieved_pct,
            replications: done,
            met: achieved_pct <= target_pct,
        },
    ))
}

/// A rough forecast of a run's events and wall time: parts released per
/// minute (the arrival rate, or the static capacity bound of the line under
/// the unlimited source) × stations on the route × about three events per
/// operation, at five million events per second and thread. Used to warn
/// before runs that would take long.
pub fn estimate(scenario: &Scenario, threads: usize) -> (f64, f64) {
    let events: f64 = scenario
        .variants
        .iter()
        .map(|v| {
            let m = &v.model;
            let capacity = crate::model::capacity::capacity(m);
            let releases_per_min = match &m.source {
                crate::model::Source::Interarrival(d) => 1.0 / d.mean().max(1e-12),
                crate::model::Source::Unlimited => {
                    capacity.bound_per_h / 60.0 / capacity.good_per_release.max(1e-9)
                }
            };
            let route: f64 = m
                .products
                .iter()
                .map(|p| p.route.len() as f64)
                .fold(0.0, f64::max);
            let per_replication = releases_per_min.min(1e12) * route * 3.0 * scenario.run.end_min();
            per_replication * f64::from(scenario.run.replications)
        })
        .sum();
    (events, events / (5e6 * threads.max(1) as f64))
}

/// The measurements of a run: they vary from run to run and machine to
/// machine, unlike every other figure of the summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Timing {
    /// Wall-clock seconds of the simulation (not of output).
    #[serde(with = "crate::stats::nan_as_null")]
    pub wall_s: f64,
    #[serde(with = "crate::stats::nan_as_null")]
    pub events_per_s: f64,
    #[serde(with = "crate::stats::nan_as_null")]
    pub good_parts_per_s: f64,
    /// Worker threads.
    pub threads: usize,
    /// Peak resident memory of the process, KiB (Linux only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss_kib: Option<u64>,
}

/// The measurements of a finished experiment on `threads` threads.
pub fn timing(result: &ExperimentResult, threads: usize) -> Timing {
    let good_parts: u64 = result
        .variants
        .iter()
        .flat_map(|v| &v.replications)
        .map(|r| r.good_parts)
        .sum();
    Timing {
        wall_s: result.wall_s,
        events_per_s: result.events as f64 / result.wall_s.max(1e-9),
        good_parts_per_s: good_parts as f64 / result.wall_s.max(1e-9),
        threads,
        peak_rss_kib: peak_rss_kib(),
    }
}

/// Peak resident memory of this process so far, KiB (Linux; `None` elsewhere).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
