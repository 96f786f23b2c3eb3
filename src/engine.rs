//! The simulation of one replication of one model.
//!
//! [`simulate`] runs the event loop of the model (docs/SCENARIOS.md): parts
//! flow through FIFO buffers, machines block after service, failures suspend
//! and resume operations, finished parts are scrapped or reworked. It does
//! no I/O and cannot fail: a model that locks up is reported in
//! [`ReplicationResult::deadlock`], not as an error.
//!
//! A machine goes through phases: idle, claimed (it holds the parts of its
//! next operation and waits for operators), setup, processing, leaving (its
//! finished parts leave one by one; while the next station cannot take one,
//! the machine is blocked). Batch machines load several parts per operation;
//! transfers reserve a place downstream before the move starts.
//!
//! The files of this module: `queue.rs` the event list, `rng.rs` the random
//! streams, `result.rs` what a replication hands back, `records.rs` the
//! runtime records of parts, machines, stations and pools, `state.rs` the
//! simulation state and its construction, `books.rs` the bookkeeping of
//! states, WIP and parts, `lockup.rs` lock-ups, stalls and runaway WIP, and
//! `run.rs` the event loop with its handlers.
//!
//! Cost model: each machine has at most one pending operation event (the
//! earlier of completion and operating-basis failure is scheduled, never
//! both); the hand-over cascade of a finished part runs as one loop over an
//! explicit task stack, so the hot path is one function whose data stay in
//! registers; parts live in a slab with a free list; buffers are ring
//! buffers; the machines that could take a part are a bit set, so a station
//! of 100 000 machines costs no more per event than one of a few. After the
//! first moments of a run no event allocates, and memory is bounded by the
//! number of parts in the line, not by the horizon.

mod books;
mod lockup;
pub mod queue;
mod records;
pub mod result;
pub mod rng;
mod run;
mod state;
pub mod trace;

pub use crate::model::state::{MachineState, StateShares, STATE_COUNT};
pub use result::{Deadlock, Overflow, ReplicationResult, Stall, StationResult};
pub use run::{STALL_EVENTS, STOP_CHECK_EVENTS, WIP_LIMIT};

use crate::model::{Model, RunSettings, StationIdx, MIN_PER_DAY};
use std::sync::atomic::AtomicBool;

/// Runs replication `replication` of `model` over the warm-up and horizon
/// of `run`, with the streams of `run`'s seed.
pub fn simulate(model: &Model, run: &RunSettings, replication: u32) -> ReplicationResult {
    static NEVER: AtomicBool = AtomicBool::new(false);
    simulate_until(model, run, replication, &NEVER)
}

/// Like [`simulate`], but stops early (with `interrupted` set) once `stop`
/// becomes true; the flag is read every [`STOP_CHECK_EVENTS`] events.
pub fn simulate_until(
    model: &Model,
    run: &RunSettings,
    replication: u32,
    stop: &AtomicBool,
) -> ReplicationResult {
    state::Sim::new(model, *run, replication).run(stop, u64::MAX)
}

/// Like [`simulate`], with the good parts of each whole measured day in
/// [`ReplicationResult::good_per_day`] (a back-test against daily plant
/// output).
pub fn simulate_daily(model: &Model, run: &RunSettings, replication: u32) -> ReplicationResult {
    static NEVER: AtomicBool = AtomicBool::new(false);
    simulate_daily_until(model, run, replication, &[], &NEVER)
}

/// [`simulate_daily`] that also gives the share of each (station, state)
/// of `shares` in each measured day
/// ([`ReplicationResult::share_per_day`]), and stops early (marked
/// `interrupted`) once `stop` is set, as [`simulate_until`]. The shares
/// change no draw and no other figure of the run.
pub fn simulate_daily_until(
    model: &Model,
    run: &RunSettings,
    replication: u32,
    shares: &[(StationIdx, MachineState)],
    stop: &AtomicBool,
) -> ReplicationResult {
    let mut sim = state::Sim::new(model, *run, replication);
    let days = (run.horizon_min / MIN_PER_DAY).floor() as usize;
    sim.books.daily = Some(vec![0; days]);
    if !shares.is_empty() && days > 0 {
        let books = &mut sim.books;
        books.day_columns = shares.iter().map(|&(s, state)| (s as u32, state)).collect();
        books.day_last_min = vec![0.0; shares.len()];
        books.day_shares = Vec::with_capacity(days * shares.len());
        books.day_next_min = books.daily_from_min + MIN_PER_DAY;
    }
    sim.run(stop, u64::MAX)
}

/// The first `events` events (about: the count is checked every
/// [`STOP_CHECK_EVENTS`]) of replication 0, for forecasting a run: the
/// result's `end_min` says how far the simulation got.
///
/// The probe measures from time 0 (its warm-up is part of its horizon): a
/// replication stopped within its warm-up reports the end of the warm-up
/// as its end, which would overstate how far a probe that stopped there
/// got.
pub fn probe(model: &Model, run: &RunSettings, events: u64) -> ReplicationResult {
    static NEVER: AtomicBool = AtomicBool::new(false);
    let settings = RunSettings {
        warmup_min: 0.0,
        horizon_min: run.end_min(),
        ..*run
    };
    state::Sim::new(model, settings, 0).run(&NEVER, events)
}

/// Replication `replication` of `model`, as [`simulate`] runs it, with the
/// trace of its machines over `window` (see [`trace`]).
pub fn simulate_traced(
    model: &Model,
    run: &RunSettings,
    replication: u32,
    window: trace::TraceWindow,
) -> (ReplicationResult, trace::Trace) {
    static NEVER: AtomicBool = AtomicBool::new(false);
    let mut sim = state::Sim::new(model, *run, replication);
    let place = model
        .stations
        .iter()
        .enumerate()
        .flat_map(|(s, station)| (0..station.machines).map(move |m| (s as u32, m)))
        .collect();
    sim.books.trace = Some(Box::new(trace::Recorder::new(window, place)));
    sim.run_traced(&NEVER)
}

/// The most machines a line may have: an event names its machine in 21
/// bits (see [`queue`]).
pub const MAX_MACHINES: usize = queue::MAX_TARGET as usize;
