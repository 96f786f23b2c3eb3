//! Exact solution of Markovian lines (`alloysim exact`): the continuous-time
//! Markov chain of the line exactly as the model's semantics define it
//! (docs/SCENARIOS.md), solved for its stationary distribution.
//!
//! Scope: every time exponential (processing, time to failure on either
//! basis, time to repair, interarrival), the unlimited or a Poisson source,
//! stations in series (one product, or several that share the route and the
//! processing times), parallel machines, finite buffers with blocking after
//! service, failures with preempt-resume, scrap, operators who load
//! (exponential load time) and repair crews on operating-basis failures,
//! each from a pool without shifts serving only that task of one station
//! (its machines are alike, so first come first served needs no order in
//! the state). Anything else is refused with the reason
//! ([`ExactError::NotMarkovian`]).
//!
//! The state of station k is the number of its machines busy and up, busy
//! and down, blocked and up, blocked and down, idle and down, holding a
//! part to load (waiting or being loaded; idle and up follows), and its
//! buffer level; a Poisson source adds the release queue,
//! truncated where its probability is negligible. Transitions apply the
//! engine's own rules for what happens at the same instant (a free machine
//! takes its buffer's head, else the part of the earliest-blocked upstream
//! machine, else a raw part), so the chain and the simulation describe the
//! same line. Small chains are solved by dense LU (nalgebra), larger ones by
//! GTH state reduction within a band (long queues make a chain long but
//! narrow) or, too wide for that, by Gauss–Seidel over a sparse matrix of
//! incoming rates, each checked by its residual ([`solve`]).

pub mod chain;
mod measures;
pub mod solve;

use crate::model::{FailureBasis, Model, Source, StateShares, MIN_PER_H};
use serde::{Deserialize, Serialize};

/// Why a model has no exact solution here.
#[derive(Debug, thiserror::Error)]
pub enum ExactError {
    #[error("variant \"{variant}\" cannot be solved exactly: {reason}")]
    NotMarkovian { variant: String, reason: String },
    #[error("variant \"{variant}\": the Markov chain would have at least {states:.3e} states, more than the limit of {limit:.1e}; use smaller buffers or fewer machines, or simulate")]
    TooLarge {
        variant: String,
        states: f64,
        limit: f64,
    },
    #[error("variant \"{variant}\": the line cannot keep up with the arrivals, or only just (the chain, cut at {cut} waiting parts, puts probability {mass:.1e} on the cut), so it has no steady state within reach; simulate it to see the queue grow")]
    Unstable {
        variant: String,
        cut: u16,
        mass: f64,
    },
    #[error("variant \"{variant}\": the iterative solver did not converge (residual {residual:.2e} after {iterations} sweeps)")]
    NotConverged {
        variant: String,
        residual: f64,
        iterations: usize,
    },
}

impl ExactError {
    /// The process exit code: 2 for a line that has no exact solution here
    /// (the input asks for something this command does not do), 1 for a
    /// solver that did not converge.
    pub fn exit_code(&self) -> i32 {
        match self {
            ExactError::NotMarkovian { .. }
            | ExactError::TooLarge { .. }
            | ExactError::Unstable { .. } => 2,
            ExactError::NotConverged { .. } => 1,
        }
    }
}

/// The largest chain the solver builds (reachable states).
pub const STATE_LIMIT: f64 = 5e6;
/// Chains whose quick upper bound exceeds this are refused before building
/// (the bound counts unreachable states too, often ten times more).
const BOUND_LIMIT: f64 = 1e8;

/// A Markovian line, reduced to what the chain needs.
#[derive(Clone, Debug)]
pub struct Line {
    pub stations: Vec<LineStation>,
    /// Poisson arrivals per minute; `None` for the unlimited source.
    pub arrival_rate: Option<f64>,
    /// Unbounded buffers are cut at this level.
    pub truncation: u16,
    /// Capacity of the release queue (Poisson source): the truncation level,
    /// or 0 when the first station's own buffer is unbounded (it then takes
    /// every release).
    pub release_capacity: u16,
}

/// One station of a [`Line`].
#[derive(Clone, Debug)]
pub struct LineStation {
    pub name: String,
    pub machines: u16,
    /// Buffer capacity (an unbounded one is cut at the truncation level).
    pub capacity: u16,
    pub unbounded: bool,
    /// Processing rate per minute.
    pub rate: f64,
    pub scrap: f64,
    /// Failure and repair rates per minute, and the basis.
    pub failures: Option<(f64, f64, FailureBasis)>,
    /// Loading by operators (load and unload): the loading rate per
    /// minute, and how many loads the pool can do at once.
    pub load: Option<(f64, u16)>,
    /// Repairs a repair crew can do at once (`None`: no crew, every down
    /// machine is repaired at once).
    pub repair_servers: Option<u16>,
}

/// The exact figures of one variant, shaped like `summary.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExactVariant {
    pub name: String,
    pub throughput_per_h: f64,
    pub wip_mean: f64,
    /// Mean time in the line by Little's law (only without scrap: with scrap
    /// the good parts' lead time differs from the mean time in the line).
    pub lead_time_min_mean: Option<f64>,
    pub release_queue_mean: f64,
    pub stations: Vec<ExactStation>,
    pub states: usize,
    pub transitions: usize,
    pub method: String,
    pub iterations: usize,
    /// max over states of |(πQ)_j|, relative to the largest exit rate.
    pub residual: f64,
    /// Probability of the truncation level (Poisson source), an upper bound
    /// of the error the cut makes.
    pub truncation_mass: f64,
}

/// Exact per-station figures.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExactStation {
    pub name: String,
    /// Share of machine time in each state, written by state name.
    #[serde(flatten)]
    pub shares: StateShares,
    pub buffer_mean: f64,
    pub throughput_per_h: f64,
}

/// Reduces a model to a [`Line`], or says why it is not Markovian.
pub fn line_of(model: &Model) -> Result<Line, ExactError> {
    reduce(model).map_err(|reason| ExactError::NotMarkovian {
        variant: model.variant.clone(),
        reason,
    })
}

/// [`line_of`], with the reason for a refusal.
fn reduce(model: &Model) -> Result<Line, String> {
    let route = serial_route(model)?;
    let stations = route
        .iter()
        .map(|&s| line_station(model, s))
        .collect::<Result<Vec<_>, _>>()?;
    let arrival_rate = match &model.source {
        Source::Unlimited => None,
        Source::Interarrival(d) if d.is_exponential() => Some(1.0 / d.mean()),
        Source::Interarrival(_) => return Err("the interarrival time is not exponential".into()),
    };
    // First stations under the unlimited source never hold waiting parts;
    // unbounded buffers elsewhere need a Poisson source to be cut.
    let mut line = Line {
        stations,
        arrival_rate,
        truncation: 0,
        release_capacity: 0,
    };
    if arrival_rate.is_none() {
        line.stations[0].capacity = 0;
        line.stations[0].unbounded = false;
        if let Some(s) = line.stations.iter().find(|s| s.unbounded) {
            return Err(format!(
                "station \"{}\" has an unbounded buffer behind the unlimited source (the chain would be infinite)",
                s.name
            ));
        }
    } else {
        line.truncation = truncation_level(&line);
        let cut = line.truncation;
        line.release_capacity = if line.stations[0].unbounded { 0 } else { cut };
        for s in &mut line.stations {
            if s.unbounded {
                s.capacity = cut;
            }
        }
    }
    Ok(line)
}

/// The one route every product follows, visiting every station once.
fn serial_route(model: &Model) -> Result<&[usize], String> {
    let route = &model.products[0].route;
    for product in &model.products[1..] {
        if product.route != *route {
            return Err(format!(
                "products \"{}\" and \"{}\" have different routes",
                model.products[0].name, product.name
            ));
        }
    }
    for (i, s) in route.iter().enumerate() {
        if route[..i].contains(s) {
            let name = &model.stations[*s].name;
            return Err(format!("the route visits station \"{name}\" twice"));
        }
    }
    if let Some(station) = (0..model.stations.len())
        .find(|idx| !route.contains(idx))
        .map(|idx| &model.stations[idx])
    {
        return Err(format!("station \"{}\" is on no route", station.name));
    }
    Ok(route)
}

/// How many of the pool's requests can be served at once, if the pool is
/// one the chain can model: no shifts, and used only by `station` for
/// `what` (`true` for operators, `false` for a repair crew).
fn exclusive_pool(
    model: &Model,
    station: usize,
    pool: usize,
    operators: bool,
) -> Result<(), String> {
    let spec = &model.pools[pool];
    if spec.shifts.is_some() {
        return Err(format!("pool \"{}\" has shifts", spec.name));
    }
    for (i, s) in model.stations.iter().enumerate() {
        let uses = [
            (s.operators.map(|o| o.pool), true),
            (
                s.failures.as_ref().and_then(|f| f.repair.map(|c| c.pool)),
                false,
            ),
            (
                s.maintenance.as_ref().and_then(|m| m.crew.map(|c| c.pool)),
                false,
            ),
        ];
        for (used, as_operators) in uses {
            if used == Some(pool) && (i != station || as_operators != operators) {
                return Err(format!(
                    "pool \"{}\" serves more than one kind of request (the chain would have to track the order they wait in)",
                    spec.name
                ));
            }
        }
    }
    Ok(())
}

/// A station of the chain: exponential times, none of the features the
/// chain does not model.
fn line_station(model: &Model, idx: usize) -> Result<LineStation, String> {
    let station = &model.stations[idx];
    let name = &station.name;
    let feature = |what: &str| format!("station \"{name}\" has {what}");
    if station.batch.is_some() {
        return Err(feature("a batch"));
    }
    if station.setup.is_some() {
        return Err(feature("setups"));
    }
    if station.maintenance.is_some() {
        return Err(feature("planned maintenance (not Markovian)"));
    }
    if station.unload.is_some() {
        return Err(feature("an unload step"));
    }
    if model.calendar.is_some() {
        return Err("the plant has a calendar (not Markovian)".into());
    }
    if model.lot_size.is_some() {
        return Err("the source releases lots (not Markovian)".into());
    }
    if !model.initial_wip.is_empty() {
        return Err("the line starts with parts in it (the steady state does not depend on it; leave out [initial_wip])".into());
    }
    let load = match (&station.operators, &station.load) {
        (None, None) => None,
        (None, Some(load)) => {
            // Loading without operators is a part of the cycle that is not
            // exponential unless it is zero.
            if !load.is_zero() {
                return Err(feature("a load step without operators"));
            }
            None
        }
        (Some(o), load) => {
            if o.task != crate::model::OperatorTask::LoadUnload {
                return Err(feature(
                    "operators held for the whole operation or for setups (the chain models operators who load)",
                ));
            }
            let Some(load) = load.as_ref().filter(|d| d.is_exponential()) else {
                return Err(feature(
                    "operators for loading without an exponential load time",
                ));
            };
            exclusive_pool(model, idx, o.pool, true).map_err(|e| feature(&e))?;
            let servers = model.pools[o.pool].size / o.count;
            Some((1.0 / load.mean(), servers.min(u32::from(u16::MAX)) as u16))
        }
    };
    if station.transfer.is_some() {
        return Err(feature("a transfer time"));
    }
    if station.rework.as_ref().is_some_and(|r| r.prob > 0.0) {
        return Err(feature("rework"));
    }
    let process = &station.process[0];
    if station
        .process
        .iter()
        .any(|d| !d.is_exponential() || d.mean() != process.mean())
    {
        return Err(feature(
            "a processing time that is not exponential (and the same for every product)",
        ));
    }
    if station.scrap.iter().any(|&p| p != station.scrap[0]) {
        return Err(feature("a different scrap rate per product"));
    }
    let failures = match &station.failures {
        None => None,
        Some(f) => {
            if !f.ttf.is_exponential() || !f.ttr.is_exponential() {
                return Err(feature(
                    "a time to failure or repair that is not exponential",
                ));
            }
            if f.basis == FailureBasis::Calendar && (load.is_some() || f.repair.is_some()) {
                return Err(feature(
                    "calendar-basis failures with operators or a repair crew",
                ));
            }
            if f.basis == FailureBasis::Calendar && station.machines > 1 {
                return Err(feature(
                    "calendar-basis failures on several machines (the release order of blocked machines that are up or down would have to be tracked)",
                ));
            }
            Some((1.0 / f.ttf.mean(), 1.0 / f.ttr.mean(), f.basis))
        }
    };
    let repair_servers = match station.failures.as_ref().and_then(|f| f.repair) {
        None => None,
        Some(crew) => {
            exclusive_pool(model, idx, crew.pool, false).map_err(|e| feature(&e))?;
            let servers = model.pools[crew.pool].size / crew.count;
            Some(servers.min(u32::from(u16::MAX)) as u16)
        }
    };
    if station.machines > 200 {
        return Err(feature("more than 200 machines"));
    }
    Ok(LineStation {
        name: name.clone(),
        machines: station.machines as u16,
        capacity: station
            .buffer
            .map_or(0, |b| b.min(u32::from(u16::MAX - 1)) as u16),
        unbounded: station.buffer.is_none(),
        rate: 1.0 / process.mean(),
        scrap: station.scrap[0],
        failures,
        load,
        repair_servers,
    })
}

/// A release-queue cut where a queue fed at the arrival rate and served at
/// the slowest station's capacity would exceed the level with probability
/// below 1e-12 (geometric tail), between 50 and 2000.
fn truncation_level(line: &Line) -> u16 {
    let lambda = line.arrival_rate.unwrap_or(0.0);
    let capacity = line
        .stations
        .iter()
        .map(|s| {
            let availability = s.failures.map_or(1.0, |(f, r, _)| r / (f + r));
            f64::from(s.machines) * s.rate * availability
        })
        .fold(f64::INFINITY, f64::min);
    let rho = (lambda / capacity).min(0.999);
    let level = (1e-12f64.ln() / rho.ln()).ceil();
    level.clamp(50.0, 2000.0) as u16
}

/// Probability allowed on the cut of a truncated chain.
const TRUNCATION_MASS: f64 = 1e-9;
/// Largest cut tried.
const MAX_CUT: u16 = 4000;

/// Solves one model exactly. With a Poisson source the chain is cut where
/// waiting parts would be improbable; if the cut still carries probability,
/// it is doubled (while the chain stays under the limit) and the chain
/// solved again. A line whose mass stays on the cut cannot keep up with its
/// arrivals.
pub fn solve_model(model: &Model, force_iterative: bool) -> Result<ExactVariant, ExactError> {
    solve_model_with(model, force_iterative, &|_| {})
}

/// What [`solve_model_with`] is doing, for a progress display.
#[derive(Clone, Copy, Debug)]
pub enum Progress {
    /// Building the chain (its reachable states).
    Building,
    /// Solving a chain of `states` states: by dense LU, or iteratively
    /// (`sweeps` so far, `residual` the last, against [`solve::TOLERANCE`]).
    Solving {
        states: usize,
        sweeps: usize,
        residual: f64,
    },
}

/// [`solve_model`], telling `progress` what it is doing.
pub fn solve_model_with(
    model: &Model,
    force_iterative: bool,
    progress: &dyn Fn(Progress),
) -> Result<ExactVariant, ExactError> {
    let mut line = line_of(model)?;
    loop {
        let too_large = |states: f64| ExactError::TooLarge {
            variant: model.variant.clone(),
            states,
            limit: STATE_LIMIT,
        };
        let estimate = chain::size_bound(&line);
        if estimate > BOUND_LIMIT {
            return Err(too_large(estimate));
        }
        progress(Progress::Building);
        let chain = chain::build(&line, STATE_LIMIT as usize).map_err(|n| too_large(n as f64))?;
        let states = chain.len();
        progress(Progress::Solving {
            states,
            sweeps: 0,
            residual: f64::NAN,
        });
        let on_sweeps = |sweeps, residual| {
            progress(Progress::Solving {
                states,
                sweeps,
                residual,
            })
        };
        let solution = solve::stationary_with(&chain, force_iterative, &on_sweeps).map_err(
            |(residual, iterations)| ExactError::NotConverged {
                variant: model.variant.clone(),
                residual,
                iterations,
            },
        )?;
        let variant = measures::measures(&line, &chain, &solution, &model.variant);
        if variant.truncation_mass <= TRUNCATION_MASS {
            return Ok(variant);
        }
        let doubled = line.with_cut(line.truncation.saturating_mul(2).min(MAX_CUT));
        if line.truncation >= MAX_CUT || chain::size_bound(&doubled) > BOUND_LIMIT {
            return Err(ExactError::Unstable {
                variant: model.variant.clone(),
                cut: line.truncation,
                mass: variant.truncation_mass,
            });
        }
        line = doubled;
    }
}

impl Line {
    /// The same line cut at `cut` waiting parts instead.
    fn with_cut(&self, cut: u16) -> Line {
        let mut line = self.clone();
        for s in &mut line.stations {
            if s.unbounded {
                s.capacity = cut;
            }
        }
        if line.release_capacity > 0 {
            line.release_capacity = cut;
        }
        line.truncation = cut;
        line
    }
}

/// Good parts per hour from per-minute rates.
fn per_hour(rate_per_min: f64) -> f64 {
    rate_per_min * MIN_PER_H
}
