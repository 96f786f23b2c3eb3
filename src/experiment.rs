//! Experiments: every variant of a scenario, R replications each, in
//! parallel on a rayon pool.
//!
//! Replication r of every variant uses the same random streams (common random
//! numbers), so variant differences are paired. Results are collected in
//! (variant, replication) order whatever the number of threads, which makes
//! every output bit-identical for 1 or N threads.

use crate::engine::{self, ReplicationResult};
use crate::model::{MachineState, Model, RunSettings, StationIdx, MIN_PER_H};
use crate::scenario::Scenario;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What holds a deadlocked line: blocked machines, or requests for people
/// whom nothing will free.
fn deadlock_reason(stations: &[String], pools: &[String], holders: &[String]) -> String {
    let mut parts = Vec::new();
    if !stations.is_empty() {
        parts.push(format!(
            "machines at {} hold finished parts that no downstream station can take",
            stations.join(", ")
        ));
    }
    if !pools.is_empty() {
        let quoted = |names: &[String]| {
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let at = if holders.is_empty() {
            String::new()
        } else {
            format!(", at {}", quoted(holders))
        };
        parts.push(format!(
            "requests wait for people of pool {} whom nothing will free (they are held by machines that are down or wait themselves{at}: give the pool more people, or repairs a crew of their own)",
            quoted(pools)
        ));
    }
    if parts.is_empty() {
        parts.push("nothing is left to happen".to_owned());
    }
    parts.join("; ")
}

/// Why an experiment did not produce results.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    #[error(
        "the line deadlocked in variant \"{variant}\", replication {replication}, at simulated time {time_h:.3} h: {}",
        deadlock_reason(stations, pools, holders)
    )]
    Deadlock {
        variant: String,
        replication: u32,
        time_h: f64,
        stations: Vec<String>,
        pools: Vec<String>,
        holders: Vec<String>,
    },
    #[error("interrupted: no results were written; earlier results are unchanged")]
    Interrupted,
    #[error(
        "variant \"{variant}\", replication {replication}: more than {limit} parts piled up in the line by simulated time {time_h:.1} h, {parts} of them waiting at station \"{station}\", {}",
        match capacity {
            None => "whose buffer is unbounded (give it a capacity, or release parts with an interarrival source no faster than the line)".to_owned(),
            Some(c) => format!("whose buffer holds up to {c} (alloysim keeps at most {limit} parts in the line: give it a smaller buffer)"),
        }
    )]
    Overflow {
        variant: String,
        replication: u32,
        time_h: f64,
        limit: usize,
        station: String,
        parts: usize,
        capacity: Option<u32>,
    },
    #[error(
        "variant \"{variant}\", replication {replication}: simulated time stopped at {time_h:.3} h: more than {events} events happened at that instant at {} without time passing (a loop of operations that take no time, such as rework with probability 1 at a station whose processing time is 0)",
        stations.join(", ")
    )]
    Stalled {
        variant: String,
        replication: u32,
        time_h: f64,
        events: u64,
        stations: Vec<String>,
    },
    #[error(
        "{runs} runs ({variants} variant{} x {replications} replications): each run keeps its WIP curve and lead-time histogram in memory (about 10 KB), so at most {limit} are simulated at once; use fewer replications, or a --precision target",
        if *variants == 1 { "" } else { "s" }
    )]
    TooManyRuns {
        runs: u64,
        variants: usize,
        replications: u64,
        limit: u64,
    },
    #[error("cannot start {threads} worker threads: {message}")]
    ThreadPool { threads: usize, message: String },
    #[error(
        "--trace: the window {from_h} h..{to_h} h of replication {replication} holds more than {limit} machine state changes (the most trace.csv takes): variant \"{variant}\" reached its share of {share} rows by {reached_h:.2} h; a window of about {fits_h:.1} h fits, e.g. --trace {replication}:{from_h}h..{suggested_to_h:.1}h"
    )]
    TraceTooLong {
        replication: u32,
        from_h: f64,
        to_h: f64,
        limit: usize,
        variant: String,
        share: usize,
        reached_h: f64,
        fits_h: f64,
        suggested_to_h: f64,
    },
    /// A study asked for something the run cannot do (e.g. a back-test's
    /// observed days beyond the longest run).
    #[error("{0}")]
    Input(String),
}

impl ExperimentError {
    /// The process exit code: 3 for a line that locked up, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            ExperimentError::Deadlock { .. } | ExperimentError::Stalled { .. } => 3,
            ExperimentError::TooManyRuns { .. }
            | ExperimentError::TraceTooLong { .. }
            | ExperimentError::Input(_) => 2,
            ExperimentError::Interrupted
            | ExperimentError::Overflow { .. }
            | ExperimentError::ThreadPool { .. } => 1,
        }
    }
}

/// The most rows `trace.csv` holds, all variants together.
pub const TRACE_ROW_LIMIT: usize = 1_000_000;

/// What `run --trace` asks for: replication `replication` of every
/// variant, over `[from_min, to_min]` of simulated time (warm-up included).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceRequest {
    pub replication: u32,
    pub from_min: f64,
    pub to_min: f64,
}

/// The trace of one variant.
#[derive(Clone, Debug)]
pub struct VariantTrace {
    pub variant: String,
    pub trace: engine::trace::Trace,
}

/// Traces replication `request.replication` of every variant, in parallel;
/// each variant may fill its share of [`TRACE_ROW_LIMIT`]. The replication
/// is the one [`run`] simulates: same streams, same results.
pub fn trace(
    scenario: &Scenario,
    request: TraceRequest,
    threads: Option<usize>,
) -> Result<Vec<VariantTrace>, ExperimentError> {
    let share = TRACE_ROW_LIMIT / scenario.variants.len().max(1);
    let window = engine::trace::TraceWindow {
        from_min: request.from_min,
        to_min: request.to_min,
        limit: share,
    };
    let pool = thread_pool(threads)?;
    let traces: Vec<VariantTrace> = pool.install(|| {
        scenario
            .variants
            .par_iter()
            .map(|v| {
                let (_, trace) =
                    engine::simulate_traced(&v.model, &scenario.run, request.replication, window);
                VariantTrace {
                    variant: v.name.clone(),
                    trace,
                }
            })
            .collect()
    });
    // The variant that filled its share soonest sets the window that fits.
    let first = traces
        .iter()
        .filter_map(|t| Some((&t.variant, t.trace.overflow_at_min?)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((variant, at)) = first {
        let hours = |min: f64| min / MIN_PER_H;
        // The rate seen so far, with room to spare.
        let fits_min = 0.8 * (at - request.from_min);
        return Err(ExperimentError::TraceTooLong {
            replication: request.replication,
            from_h: hours(request.from_min),
            to_h: hours(request.to_min),
            limit: TRACE_ROW_LIMIT,
            variant: variant.clone(),
            share,
            reached_h: hours(at),
            fits_h: hours(fits_min),
            suggested_to_h: hours(request.from_min + fits_min),
        });
    }
    Ok(traces)
}

/// The most replication results one experiment holds at once (about 1 GB).
pub const MAX_RUNS: u64 = 100_000;

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

/// The experiment of the variants' runs (in the scenario's order), which
/// took `wall_s` seconds.
pub fn collect(runs: Vec<VariantRuns>, wall_s: f64) -> ExperimentResult {
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

/// The work list of a study: every model's replications, model-major.
/// Item `k` is replication `replications.start + k % R` of model `k / R`
/// (R replications per model). The order is fixed, so a shard of the
/// study (a contiguous slice of the list, cut by the `shard` module) is the
/// same work on any machine.
#[derive(Clone, Debug)]
pub struct Work<'a> {
    pub models: Vec<&'a Model>,
    pub settings: &'a RunSettings,
    pub replications: Range<u32>,
    /// Each result also counts the good parts of every measured day (a
    /// back-test's, see [`engine::simulate_daily`]).
    pub daily: bool,
    /// With `daily`, the (station, state) shares each result gives per
    /// measured day ([`engine::simulate_daily_until`]).
    pub daily_shares: Vec<(StationIdx, MachineState)>,
}

impl<'a> Work<'a> {
    /// Every replication of the scenario's settings, of each model.
    pub fn new(models: Vec<&'a Model>, settings: &'a RunSettings) -> Work<'a> {
        Work {
            models,
            settings,
            replications: 0..settings.replications,
            daily: false,
            daily_shares: Vec::new(),
        }
    }

    /// The number of items.
    pub fn len(&self) -> u64 {
        self.models.len() as u64 * self.replications.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The model index and replication of item `k`.
    pub fn item(&self, k: u64) -> (usize, u32) {
        let per_model = self.replications.len() as u64;
        let model = (k / per_model) as usize;
        let replication = self.replications.start + (k % per_model) as u32;
        (model, replication)
    }

    /// At most [`MAX_RUNS`] results are held at once.
    fn check_size(&self) -> Result<(), ExperimentError> {
        if self.len() > MAX_RUNS {
            return Err(ExperimentError::TooManyRuns {
                runs: self.len(),
                variants: self.models.len(),
                replications: self.replications.len() as u64,
                limit: MAX_RUNS,
            });
        }
        Ok(())
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
    let work = Work {
        models: models.to_vec(),
        settings,
        replications,
        daily: false,
        daily_shares: Vec::new(),
    };
    let results = run_items(&work, 0..work.len(), threads, on_done)?;
    group(&work, results)
}

/// Simulates items `items` of `work` in parallel; the results come back in
/// item order whatever the number of threads. A replication's streams
/// depend on the master seed and the replication only, never on which
/// items run together, so a slice gives the results the whole list would.
pub fn run_items(
    work: &Work<'_>,
    items: Range<u64>,
    threads: Option<usize>,
    on_done: &(dyn Fn() + Sync),
) -> Result<Vec<ReplicationResult>, ExperimentError> {
    work.check_size()?;
    let jobs: Vec<(usize, u32)> = items.map(|k| work.item(k)).collect();
    let pool = thread_pool(threads)?;
    // A replication that has not started when a stop is asked for does not
    // start: the run ends within one replication's check interval.
    let results: Vec<Option<ReplicationResult>> = pool.install(|| {
        jobs.par_iter()
            .map(|&(m, r)| {
                if STOP.load(Ordering::Relaxed) {
                    return None;
                }
                let (model, settings) = (work.models[m], work.settings);
                let result = if work.daily {
                    engine::simulate_daily_until(model, settings, r, &work.daily_shares, &STOP)
                } else {
                    engine::simulate_until(model, settings, r, &STOP)
                };
                on_done();
                Some(result)
            })
            .collect()
    });
    let stopped = |r: &Option<ReplicationResult>| r.as_ref().is_none_or(|r| r.interrupted);
    if STOP.load(Ordering::Relaxed) || results.iter().any(stopped) {
        return Err(ExperimentError::Interrupted);
    }
    let results: Vec<ReplicationResult> = results.into_iter().flatten().collect();
    for (&(m, _), result) in jobs.iter().zip(&results) {
        check_ended(&work.models[m].variant, result)?;
    }
    Ok(results)
}

/// Groups the results of every item of `work`, in item order, by model:
/// the first replication that ended early (in item order) is the error,
/// as when the whole list ran here.
pub fn group(
    work: &Work<'_>,
    results: Vec<ReplicationResult>,
) -> Result<Vec<VariantRuns>, ExperimentError> {
    work.check_size()?;
    assert_eq!(results.len() as u64, work.len(), "one result per item");
    let mut runs: Vec<VariantRuns> = work
        .models
        .iter()
        .map(|m| VariantRuns {
            name: m.variant.clone(),
            replications: Vec::with_capacity(work.replications.len()),
        })
        .collect();
    for (k, result) in results.into_iter().enumerate() {
        let (m, _) = work.item(k as u64);
        check_ended(&runs[m].name, &result)?;
        runs[m].replications.push(result);
    }
    Ok(runs)
}

/// A pool of `threads` workers (all cores if `None`).
fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, ExperimentError> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        builder = builder.num_threads(threads);
    }
    builder.build().map_err(|e| ExperimentError::ThreadPool {
        threads: threads.unwrap_or(0),
        message: e.to_string(),
    })
}

/// The error of a replication of `variant` that ended before its horizon
/// (runaway WIP, a stall, a lock-up).
pub fn check_ended(variant: &str, result: &ReplicationResult) -> Result<(), ExperimentError> {
    if let Some(overflow) = &result.overflow {
        return Err(ExperimentError::Overflow {
            variant: variant.to_owned(),
            replication: result.replication,
            time_h: overflow.time_min / 60.0,
            limit: engine::WIP_LIMIT,
            station: overflow.station.clone(),
            parts: overflow.parts,
            capacity: overflow.capacity,
        });
    }
    if let Some(stall) = &result.stalled {
        return Err(ExperimentError::Stalled {
            variant: variant.to_owned(),
            replication: result.replication,
            time_h: stall.time_min / 60.0,
            events: engine::STALL_EVENTS,
            stations: stall.stations.clone(),
        });
    }
    if let Some(deadlock) = &result.deadlock {
        return Err(ExperimentError::Deadlock {
            variant: variant.to_owned(),
            replication: result.replication,
            time_h: deadlock.time_min / 60.0,
            stations: deadlock.stations.clone(),
            pools: deadlock.pools.clone(),
            holders: deadlock.holders.clone(),
        });
    }
    Ok(())
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
    let most = u64::from(max_replications) * scenario.variants.len() as u64;
    if most > MAX_RUNS {
        return Err(ExperimentError::TooManyRuns {
            runs: most,
            variants: scenario.variants.len(),
            replications: u64::from(max_replications),
            limit: MAX_RUNS,
        });
    }
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

/// A forecast of a run's events and wall time, from a probe of each
/// variant: its first [`PROBE_EVENTS`] events give the events per
/// simulated minute and the wall time per event on this machine, which
/// are extrapolated to the whole run (replications spread over `threads`).
/// A line whose pace changes after its start (a long transient) is
/// forecast from its start; the forecast is meant to within a factor of
/// two, to warn before runs that would take long.
pub fn estimate(scenario: &Scenario, threads: usize) -> (f64, f64) {
    let run = &scenario.run;
    let (mut events, mut seconds) = (0.0, 0.0);
    for variant in &scenario.variants {
        let start = Instant::now();
        let probe = engine::probe(&variant.model, run, PROBE_EVENTS);
        let wall_s = start.elapsed().as_secs_f64();
        let per_min = probe.events as f64 / probe.end_min.max(1e-9);
        let per_replication = per_min * run.end_min();
        events += per_replication * f64::from(run.replications);
        seconds +=
            per_replication * f64::from(run.replications) * wall_s / (probe.events.max(1) as f64);
    }
    let jobs = (run.replications as usize * scenario.variants.len()).max(1);
    let parallel = threads.clamp(1, jobs) as f64;
    (events, seconds / parallel)
}

/// Events a forecast simulates of each variant.
pub const PROBE_EVENTS: u64 = 1 << 17;

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
