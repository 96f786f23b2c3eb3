//! Experiments: every variant of a scenario, R replications each, in
//! parallel on a rayon pool.
//!
//! Replication r of every variant uses the same random streams (common random
//! numbers), so variant differences are paired. Results are collected in
//! (variant, replication) order whatever the number of threads, which makes
//! every output bit-identical for 1 or N threads.

use crate::engine::{self, ReplicationResult};
use crate::scenario::Scenario;
use rayon::prelude::*;
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
    #[error("cannot start {threads} worker threads: {message}")]
    ThreadPool { threads: usize, message: String },
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

/// Runs every variant's replications on `threads` threads (all cores if
/// `None`), calling `on_done` after each replication.
pub fn run(
    scenario: &Scenario,
    threads: Option<usize>,
    on_done: &(dyn Fn() + Sync),
) -> Result<ExperimentResult, ExperimentError> {
    let jobs: Vec<(usize, u32)> = scenario
        .variants
        .iter()
        .enumerate()
        .flat_map(|(v, variant)| (0..variant.model.replications).map(move |r| (v, r)))
        .collect();
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        builder = builder.num_threads(threads);
    }
    let pool = builder.build().map_err(|e| ExperimentError::ThreadPool {
        threads: threads.unwrap_or(0),
        message: e.to_string(),
    })?;
    let start = Instant::now();
    let results: Vec<ReplicationResult> = pool.install(|| {
        jobs.par_iter()
            .map(|&(v, r)| {
                let mut result = engine::simulate(&scenario.variants[v].model, r);
                result.replication = r;
                on_done();
                result
            })
            .collect()
    });
    let wall_s = start.elapsed().as_secs_f64();

    let mut variants: Vec<VariantRuns> = scenario
        .variants
        .iter()
        .map(|v| VariantRuns {
            name: v.name.clone(),
            replications: Vec::with_capacity(v.model.replications as usize),
        })
        .collect();
    let mut events = 0;
    for (&(v, _), result) in jobs.iter().zip(results) {
        if let Some(deadlock) = &result.deadlock {
            return Err(ExperimentError::Deadlock {
                variant: variants[v].name.clone(),
                replication: result.replication,
                time_h: deadlock.time_min / 60.0,
                stations: deadlock.stations.clone(),
            });
        }
        events += result.events;
        variants[v].replications.push(result);
    }
    Ok(ExperimentResult {
        variants,
        wall_s,
        events,
    })
}
