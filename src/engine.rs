//! The simulation of one replication of one model.
//!
//! [`simulate`] runs the event loop of the model (docs/SCENARIOS.md): parts flow through FIFO
//! buffers, machines block after service, failures suspend and resume
//! operations, finished parts are scrapped or reworked. It does no I/O and
//! cannot fail: a model that locks up is reported in
//! [`ReplicationResult::deadlock`], not as an error.
//!
//! A machine goes through phases: idle, claimed (it holds the parts of its
//! next operation and waits for operators), setup, processing, unloading (its
//! finished parts leave one by one; while the next station cannot take one,
//! the machine is blocked). Batch machines load several parts per operation;
//! transfers reserve a place downstream before the move starts.
//!
//! Cost model: each machine has at most one pending operation event (the
//! earlier of completion and operating-basis failure is scheduled, never
//! both), parts live in a slab with a free list, buffers are ring buffers, so
//! after the first moments of a run no event allocates. Memory is bounded by
//! the number of parts in the line, not by the horizon.

pub mod queue;
pub mod rng;

pub use crate::model::state::{MachineState, StateShares, STATE_COUNT};
use crate::model::{FailureBasis, Model, ProductIdx, RunSettings, SetupRule, Source, MIN_PER_H};
use crate::stats::collect::{BinnedLevel, Histogram};
use queue::{EventKind, EventQueue};
use rand::Rng;
use rng::{Purpose, Stream};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

/// What one replication measured (the measured period only).
#[derive(Clone, Debug)]
pub struct ReplicationResult {
    pub replication: u32,
    /// Base seed of the replication's streams.
    pub seed: u64,
    /// Length of the measured period, minutes.
    pub measured_min: f64,
    /// Simulated time at which the run ended (the end of the horizon unless
    /// it stopped early), minutes.
    pub end_min: f64,
    pub good_parts: u64,
    pub scrap_parts: u64,
    /// Parts that entered the line during the measured period.
    pub released: u64,
    /// Parts in the line when measurement started and when it ended.
    pub wip_at_start: u64,
    pub wip_at_end: u64,
    /// Time-average number of parts in the line.
    pub wip_mean: f64,
    /// Sum and count of lead times of good parts leaving, minutes.
    pub lead_time_sum_min: f64,
    pub lead_time_count: u64,
    /// Time-average length of the release queue (interarrival source).
    pub release_queue_mean: f64,
    /// Energy of all machines over the measured period, kWh (`None`
    /// without energy data).
    pub energy_kwh: Option<f64>,
    /// Events processed over the whole run, warm-up included.
    pub events: u64,
    /// Time-average WIP in equal bins of the whole run, warm-up included
    /// (see [`crate::stats::collect::SERIES_BINS`]).
    pub wip_series: Vec<f64>,
    /// Width of one WIP bin, minutes.
    pub wip_bin_min: f64,
    /// Lead times of the good parts counted in `lead_time_count`.
    pub lead_times: Histogram,
    pub stations: Vec<StationResult>,
    /// Set when the line locked up before the end of the run.
    pub deadlock: Option<Deadlock>,
    /// The run was stopped from outside (Ctrl-C) before its end.
    pub interrupted: bool,
    /// The run stopped because more than [`WIP_LIMIT`] parts were in the line.
    pub overflow: Option<Overflow>,
    /// The run stopped because simulated time stood still for
    /// [`STALL_EVENTS`] events.
    pub stalled: Option<Stall>,
}

impl ReplicationResult {
    /// Good parts per hour of the measured period.
    pub fn throughput_per_h(&self) -> f64 {
        self.good_parts as f64 / self.measured_min * MIN_PER_H
    }

    /// Mean lead time of good parts, minutes (NaN when none left).
    pub fn lead_time_mean_min(&self) -> f64 {
        self.lead_time_sum_min / self.lead_time_count as f64
    }
}

/// What one station measured.
#[derive(Clone, Debug, Default)]
pub struct StationResult {
    /// Machine-minutes spent in each state.
    pub state_min: StateShares,
    /// Time-average number of parts waiting in the buffer.
    pub buffer_mean: f64,
    /// Operations finished (parts, scrapped or not).
    pub finished: u64,
    /// Parts that finished here and moved on along their route (not
    /// scrapped, not reworked): the station's good output.
    pub passed: u64,
    /// Parts scrapped at this station.
    pub scrapped: u64,
    /// Setups started.
    pub setups: u64,
    /// Operations started (batches on a batch machine, parts otherwise).
    pub operations: u64,
    /// Energy of the station's machines, kWh.
    pub energy_kwh: f64,
}

impl StationResult {
    /// Share of machine time in each state; sums to 1.
    pub fn state_shares(&self) -> StateShares {
        let total = self.state_min.total();
        let mut shares = StateShares::default();
        if total > 0.0 {
            for (share, minutes) in shares.0.iter_mut().zip(self.state_min.0) {
                *share = minutes / total;
            }
        }
        shares
    }
}

/// Where the parts piled up when the line held more than [`WIP_LIMIT`].
#[derive(Clone, Debug, PartialEq)]
pub struct Overflow {
    /// Simulated time, minutes.
    pub time_min: f64,
    /// The station whose buffer held the most parts, and how many.
    pub station: String,
    pub parts: usize,
    /// Its buffer's capacity (`None`: unbounded).
    pub capacity: Option<u32>,
}

/// Simulated time that stopped advancing: events without end at one instant.
#[derive(Clone, Debug, PartialEq)]
pub struct Stall {
    /// Simulated time, minutes.
    pub time_min: f64,
    /// Stations whose machines changed state at that instant.
    pub stations: Vec<String>,
}

/// A lock-up: no part can move any more.
#[derive(Clone, Debug, PartialEq)]
pub struct Deadlock {
    /// Simulated time at which the line locked up, minutes.
    pub time_min: f64,
    /// Stations with machines blocked by a full downstream station.
    pub stations: Vec<String>,
}

const NONE: u32 = u32::MAX;

/// A time-weighted level (buffer content, WIP): its integral over time.
#[derive(Clone, Copy, Debug, Default)]
struct TimeWeighted {
    level: u64,
    last_min: f64,
    area: f64,
}

impl TimeWeighted {
    #[inline]
    fn set(&mut self, now: f64, level: u64) {
        // Levels stay far below 2^63, where the signed conversion (one
        // instruction) equals the unsigned one (several).
        self.area += self.level as i64 as f64 * (now - self.last_min);
        self.last_min = now;
        self.level = level;
    }

    fn restart(&mut self, now: f64) {
        self.area = 0.0;
        self.last_min = now;
    }

    fn mean(&mut self, now: f64, length: f64) -> f64 {
        self.set(now, self.level);
        if length > 0.0 {
            self.area / length
        } else {
            0.0
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Part {
    product: u16,
    /// Position in the product's route of the station it is at or going to
    /// (the route's length once it is finished).
    position: u16,
    /// When the part entered the line.
    entered_min: f64,
    /// When the part entered its current buffer (batch `max_wait`).
    queued_min: f64,
    /// The machine reserved for it at the end of a transfer (`NONE`: a
    /// buffer slot).
    reserved_machine: u32,
}

/// Where a machine is in its cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Holds no part.
    Idle,
    /// Holds the parts of its next operation, waiting for operators (or,
    /// when down, for the repair).
    Claimed,
    Setup,
    Processing,
    /// Finished parts leave one by one from `unload_head`.
    Unloading,
}

#[derive(Debug)]
struct Machine {
    station: u32,
    state: MachineState,
    since_min: f64,
    phase: Phase,
    /// Parts of the operation (loaded, or finished and waiting to leave).
    parts: Vec<u32>,
    unload_head: usize,
    /// Waiting in a station's blocked queue to hand over `parts[unload_head]`.
    blocked: bool,
    /// The station it waits for, while `blocked`.
    blocked_on: u32,
    down: bool,
    /// A part in transport will occupy this idle machine.
    reserved: bool,
    has_operators: bool,
    work_left_min: f64,
    segment_start_min: f64,
    operation_end_min: f64,
    /// Operating basis: processing time left until the next failure.
    ttf_left_min: f64,
    generation: u32,
    last_product: u32,
    parts_since_setup: u32,
    process_stream: Stream,
    failure_stream: Stream,
    repair_stream: Stream,
    scrap_stream: Stream,
    routing_stream: Stream,
    setup_stream: Stream,
    transfer_stream: Stream,
}

impl Machine {
    /// Machine `machine` of `station`, idle and up, with its own streams.
    fn new(seed: u64, station_idx: usize, station: &crate::model::Station, machine: u32) -> Self {
        let stream = |purpose| rng::stream(seed, &station.name, machine, purpose);
        let load = station.batch.as_ref().map_or(1, |b| b.size as usize);
        Machine {
            station: station_idx as u32,
            state: MachineState::Starved,
            since_min: 0.0,
            phase: Phase::Idle,
            parts: Vec::with_capacity(load),
            unload_head: 0,
            blocked: false,
            blocked_on: NONE,
            down: false,
            reserved: false,
            has_operators: false,
            work_left_min: 0.0,
            segment_start_min: 0.0,
            operation_end_min: 0.0,
            ttf_left_min: f64::INFINITY,
            generation: 0,
            last_product: NONE,
            parts_since_setup: 0,
            process_stream: stream(Purpose::Process),
            failure_stream: stream(Purpose::Failure),
            repair_stream: stream(Purpose::Repair),
            scrap_stream: stream(Purpose::Scrap),
            routing_stream: stream(Purpose::Routing),
            setup_stream: stream(Purpose::Setup),
            transfer_stream: stream(Purpose::Transfer),
        }
    }
}

#[derive(Debug)]
struct StationRuntime {
    first_machine: u32,
    machine_count: u32,
    capacity: usize,
    buffer: VecDeque<u32>,
    /// Buffer slots promised to parts in transport.
    reserved_slots: usize,
    /// Machines holding a part for this station, in the order they blocked.
    blocked: VecDeque<u32>,
    /// Products released to this first station and not yet admitted.
    release: VecDeque<u16>,
    buffer_level: TimeWeighted,
    /// Products whose route starts here, with cumulative mix weights.
    start_products: Vec<(u16, f64)>,
    /// Whether any product can be scrapped or reworked here.
    draws_quality: bool,
    is_batch: bool,
    batch_generation: u32,
    result: StationResult,
}

impl StationRuntime {
    /// Station `station_idx` of `model`, empty, its machines from `first_machine`.
    fn new(model: &Model, station_idx: usize, first_machine: u32) -> Self {
        let station = &model.stations[station_idx];
        let mut start_products = Vec::new();
        let mut cumulative = 0.0;
        for (product_idx, product) in model.products.iter().enumerate() {
            if product.route[0] == station_idx {
                cumulative += product.mix;
                start_products.push((product_idx as u16, cumulative));
            }
        }
        let capacity = station.buffer.map_or(usize::MAX, |c| c as usize);
        StationRuntime {
            first_machine,
            machine_count: station.machines,
            capacity,
            buffer: VecDeque::with_capacity(capacity.min(1024)),
            reserved_slots: 0,
            blocked: VecDeque::new(),
            release: VecDeque::new(),
            buffer_level: TimeWeighted::default(),
            start_products,
            draws_quality: station.scrap.iter().any(|&p| p > 0.0)
                || station.rework.as_ref().is_some_and(|r| r.prob > 0.0),
            is_batch: station.batch.is_some(),
            batch_generation: 0,
            result: StationResult::default(),
        }
    }
}

#[derive(Debug)]
struct PoolRuntime {
    /// Operators not held by an operation (whatever the shift).
    free: u32,
    on_shift: bool,
    /// Machines waiting for operators, first come first served.
    queue: VecDeque<u32>,
    machines: Vec<u32>,
}

/// Where a part goes at a station.
#[derive(Clone, Copy, Debug)]
enum Place {
    Machine(usize),
    Buffer,
}

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
    Simulation::new(model, *run, replication).run(stop, u64::MAX)
}

/// The first `events` events (about: the count is checked every
/// [`STOP_CHECK_EVENTS`]) of replication 0, for forecasting a run: the
/// result's `end_min` says how far the simulation got.
pub fn probe(model: &Model, run: &RunSettings, events: u64) -> ReplicationResult {
    static NEVER: AtomicBool = AtomicBool::new(false);
    Simulation::new(model, *run, 0).run(&NEVER, events)
}

/// How often the event loop looks at the stop flag: at the slowest a few
/// milliseconds of simulation between two looks.
pub const STOP_CHECK_EVENTS: u64 = 1 << 14;

/// Parts in the line beyond which a run stops: only an unbounded buffer
/// that fills without end gets there (memory would follow).
pub const WIP_LIMIT: usize = 1_000_000;

/// Events at one instant after which a run stops as stalled: well above
/// any burst a line of at most [`WIP_LIMIT`] parts makes at one time
/// (about two seconds of simulation), far below "never".
pub const STALL_EVENTS: u64 = 20_000_000;

struct Simulation<'m> {
    model: &'m Model,
    /// Warm-up and horizon of this replication.
    settings: RunSettings,
    replication: u32,
    now: f64,
    queue: EventQueue,
    machines: Vec<Machine>,
    stations: Vec<StationRuntime>,
    pools: Vec<PoolRuntime>,
    parts: Vec<Part>,
    free_parts: Vec<u32>,
    wip: TimeWeighted,
    release_queue: TimeWeighted,
    arrival_stream: Stream,
    mix_stream: Stream,
    /// Cumulative mix weights of all products (interarrival source).
    product_cumulative: Vec<f64>,
    unlimited: bool,
    in_transit: usize,
    /// Set when a set of blocked machines waits on itself.
    locked: Option<Deadlock>,
    interrupted: bool,
    overflow: Option<Overflow>,
    stalled: Option<Stall>,
    /// Scratch space of the lock search (sized once, never reallocated).
    visited: Vec<bool>,
    stack: Vec<usize>,
    seed: u64,
    events: u64,
    good_parts: u64,
    scrap_parts: u64,
    released: u64,
    wip_at_start: u64,
    lead_time_sum_min: f64,
    lead_time_count: u64,
    wip_series: BinnedLevel,
    lead_times: Histogram,
}

impl<'m> Simulation<'m> {
    /// The line empty at time 0. (Long only because it names every field
    /// of the simulation state once.)
    fn new(model: &'m Model, settings: RunSettings, replication: u32) -> Self {
        let seed = rng::replication_seed(settings.seed, replication);
        let mut machines = Vec::with_capacity(model.machine_count());
        let mut stations = Vec::with_capacity(model.stations.len());
        let mut pools: Vec<PoolRuntime> = model
            .pools
            .iter()
            .map(|p| PoolRuntime {
                free: p.size,
                on_shift: p.on_shift(0.0),
                queue: VecDeque::new(),
                machines: Vec::new(),
            })
            .collect();
        for (station_idx, station) in model.stations.iter().enumerate() {
            let first_machine = machines.len() as u32;
            for machine in 0..station.machines {
                if let Some(operators) = &station.operators {
                    pools[operators.pool].machines.push(machines.len() as u32);
                }
                machines.push(Machine::new(seed, station_idx, station, machine));
            }
            stations.push(StationRuntime::new(model, station_idx, first_machine));
        }
        let mut cumulative = 0.0;
        let product_cumulative = model
            .products
            .iter()
            .map(|p| {
                cumulative += p.mix;
                cumulative
            })
            .collect();
        Simulation {
            model,
            settings,
            replication,
            now: 0.0,
            queue: EventQueue::with_capacity(machines.len() * 2 + 4),
            stations,
            pools,
            parts: Vec::with_capacity(64),
            free_parts: Vec::with_capacity(64),
            wip: TimeWeighted::default(),
            release_queue: TimeWeighted::default(),
            arrival_stream: rng::stream(seed, "", 0, Purpose::Arrivals),
            mix_stream: rng::stream(seed, "", 0, Purpose::Routing),
            product_cumulative,
            unlimited: matches!(model.source, Source::Unlimited),
            in_transit: 0,
            locked: None,
            interrupted: false,
            overflow: None,
            stalled: None,
            visited: vec![false; model.stations.len()],
            stack: Vec::with_capacity(model.stations.len()),
            seed,
            events: 0,
            good_parts: 0,
            scrap_parts: 0,
            released: 0,
            wip_at_start: 0,
            lead_time_sum_min: 0.0,
            lead_time_count: 0,
            wip_series: BinnedLevel::new(settings.end_min()),
            lead_times: Histogram::default(),
            machines,
        }
    }

    fn run(mut self, stop: &AtomicBool, event_limit: u64) -> ReplicationResult {
        self.initialise();
        let warmup = self.settings.warmup_min;
        let end = self.settings.end_min();
        let mut measuring = false;
        if warmup <= 0.0 {
            self.start_measuring();
            measuring = true;
        }
        let mut deadlock = None;
        let mut same_instant = 0u64;
        loop {
            let Some(event) = self.queue.pop() else {
                // Nothing left to happen before the end: the line is locked.
                deadlock = Some(self.deadlock());
                break;
            };
            let time = event.time();
            if !measuring && time > warmup {
                self.now = warmup;
                self.start_measuring();
                measuring = true;
            }
            if time > end {
                break;
            }
            if time == self.now {
                same_instant += 1;
                if same_instant > STALL_EVENTS {
                    self.stalled = Some(self.stall());
                    break;
                }
            } else {
                same_instant = 0;
            }
            self.now = time;
            if !self.handle(event) {
                continue;
            }
            self.events += 1;
            if cfg!(debug_assertions) {
                self.check_states();
            }
            if let Some(lock) = self.locked.take() {
                deadlock = Some(lock);
                break;
            }
            if self.parts.len() > WIP_LIMIT {
                self.overflow = Some(self.overflow());
                break;
            }
            if self.events.is_multiple_of(STOP_CHECK_EVENTS)
                && (stop.load(Ordering::Relaxed) || self.events >= event_limit)
            {
                self.interrupted = true;
                break;
            }
        }
        if !measuring {
            self.now = warmup;
            self.start_measuring();
        }
        let ended_early = deadlock.is_some()
            || self.overflow.is_some()
            || self.stalled.is_some()
            || self.interrupted;
        self.now = if ended_early { self.now.min(end) } else { end };
        self.finish(deadlock)
    }

    /// Handles one event; false for a stale one (an operation suspended by
    /// a calendar-basis failure, a batch deadline that moved), which is
    /// not counted.
    #[inline(always)]
    fn handle(&mut self, event: queue::Event) -> bool {
        let target = event.target as usize;
        match event.kind() {
            EventKind::Complete => {
                if event.generation != self.machines[target].generation {
                    return false;
                }
                self.on_complete(target);
            }
            EventKind::Fail => self.on_operating_failure(target),
            EventKind::Repair => self.on_repair(target),
            EventKind::CalendarFail => self.on_calendar_failure(target),
            EventKind::Arrival => self.on_arrival(),
            EventKind::TransferArrive => self.on_transfer_arrive(event.target),
            EventKind::BatchTimeout => {
                if event.generation != self.stations[target].batch_generation {
                    return false;
                }
                self.start_idle_machines(target);
            }
            EventKind::ShiftChange => self.on_shift_change(target),
        }
        true
    }

    /// Whether the machines blocked on `station` can never move again:
    /// every machine of the station, and of every station those machines
    /// wait for in turn, is itself blocked. (A station with blocked machines
    /// upstream has a full buffer, so only one of its own machines could
    /// free a place.) Cost: one pass over the stations reachable along
    /// blocked machines; usually the first machine checked is not blocked.
    fn is_locked(&mut self, station: usize) -> bool {
        // Fast path: some machine of the station itself can still move.
        let first = self.stations[station].first_machine as usize;
        let count = self.stations[station].machine_count as usize;
        if self.machines[first..first + count]
            .iter()
            .any(|m| !m.blocked)
        {
            return false;
        }
        self.visited.fill(false);
        self.stack.clear();
        self.visited[station] = true;
        self.stack.push(station);
        while let Some(s) = self.stack.pop() {
            let first = self.stations[s].first_machine as usize;
            for machine in first..first + self.stations[s].machine_count as usize {
                let m = &self.machines[machine];
                if !m.blocked {
                    return false;
                }
                let next = m.blocked_on as usize;
                if !self.visited[next] {
                    self.visited[next] = true;
                    self.stack.push(next);
                }
            }
        }
        true
    }

    /// Where the parts are when the line holds too many.
    fn overflow(&self) -> Overflow {
        let (station, fullest) = self
            .stations
            .iter()
            .enumerate()
            .max_by_key(|(_, s)| s.buffer.len() + s.release.len())
            .expect("a line has stations");
        Overflow {
            time_min: self.now,
            station: self.model.stations[station].name.clone(),
            parts: fullest.buffer.len(),
            capacity: self.model.stations[station].buffer,
        }
    }

    /// The stations that act at the instant time stands still.
    fn stall(&self) -> Stall {
        let mut stations: Vec<String> = Vec::new();
        for machine in self.machines.iter().filter(|m| m.since_min == self.now) {
            let name = &self.model.stations[machine.station as usize].name;
            if !stations.contains(name) {
                stations.push(name.clone());
            }
        }
        Stall {
            time_min: self.now,
            stations,
        }
    }

    fn deadlock(&self) -> Deadlock {
        let mut stations: Vec<String> = Vec::new();
        for machine in self.machines.iter().filter(|m| m.blocked) {
            let name = &self.model.stations[machine.station as usize].name;
            if !stations.contains(name) {
                stations.push(name.clone());
            }
        }
        Deadlock {
            time_min: self.now,
            stations,
        }
    }

    fn initialise(&mut self) {
        for machine in 0..self.machines.len() {
            let station = self.machines[machine].station as usize;
            if let Some(failures) = &self.model.stations[station].failures {
                let ttf = failures
                    .ttf
                    .sample(&mut self.machines[machine].failure_stream);
                match failures.basis {
                    FailureBasis::Operating => self.machines[machine].ttf_left_min = ttf,
                    FailureBasis::Calendar => {
                        self.queue
                            .push(ttf, EventKind::CalendarFail, machine as u32, 0)
                    }
                }
            }
        }
        for (pool_idx, pool) in self.model.pools.iter().enumerate() {
            if let Some(next) = pool.next_change(0.0) {
                self.queue
                    .push(next, EventKind::ShiftChange, pool_idx as u32, 0);
            }
        }
        if let Source::Interarrival(interarrival) = &self.model.source {
            let first = interarrival.sample(&mut self.arrival_stream);
            self.queue.push(first, EventKind::Arrival, 0, 0);
        }
        for machine in 0..self.machines.len() {
            if self.machines[machine].phase == Phase::Idle {
                self.try_start(machine);
            }
        }
    }

    /// Ends the warm-up: every statistic restarts from the current state.
    fn start_measuring(&mut self) {
        let now = self.now;
        for machine in &mut self.machines {
            machine.since_min = now;
        }
        for station in &mut self.stations {
            station.buffer_level.restart(now);
            station.result = StationResult::default();
        }
        self.wip.restart(now);
        self.release_queue.restart(now);
        self.good_parts = 0;
        self.scrap_parts = 0;
        self.released = 0;
        self.wip_at_start = self.wip.level;
        self.lead_time_sum_min = 0.0;
        self.lead_time_count = 0;
        self.lead_times = Histogram::default();
    }

    fn finish(mut self, deadlock: Option<Deadlock>) -> ReplicationResult {
        let now = self.now;
        let start = self.settings.warmup_min.min(now);
        let measured = now - start;
        for machine in 0..self.machines.len() {
            self.set_state(machine, self.machines[machine].state);
        }
        let has_energy = self.model.stations.iter().any(|s| s.energy.is_some());
        let mut energy_kwh = 0.0;
        let stations = self
            .stations
            .iter_mut()
            .zip(&self.model.stations)
            .map(|(s, spec)| {
                let mut result = std::mem::take(&mut s.result);
                result.buffer_mean = s.buffer_level.mean(now, measured);
                if let Some(energy) = &spec.energy {
                    result.energy_kwh = result
                        .state_min
                        .states()
                        .map(|(state, minutes)| minutes * energy.kw(state))
                        .sum::<f64>()
                        / MIN_PER_H;
                    energy_kwh += result.energy_kwh;
                }
                result
            })
            .collect();
        let wip_bin_min = self.wip_series.bin_width_min();
        let end = self.settings.end_min();
        let wip_series = self.wip_series.finish(end.max(now));
        ReplicationResult {
            wip_series,
            wip_bin_min,
            lead_times: self.lead_times,
            replication: self.replication,
            seed: self.seed,
            measured_min: measured,
            end_min: now,
            good_parts: self.good_parts,
            scrap_parts: self.scrap_parts,
            released: self.released,
            wip_at_start: self.wip_at_start,
            wip_at_end: self.wip.level,
            wip_mean: self.wip.mean(now, measured),
            lead_time_sum_min: self.lead_time_sum_min,
            lead_time_count: self.lead_time_count,
            release_queue_mean: self.release_queue.mean(now, measured),
            energy_kwh: has_energy.then_some(energy_kwh),
            events: self.events,
            stations,
            deadlock,
            interrupted: self.interrupted,
            overflow: self.overflow,
            stalled: self.stalled,
        }
    }

    // ----- state bookkeeping -------------------------------------------------

    /// Records time spent in the current state and enters `state`.
    #[inline(always)]
    fn set_state(&mut self, machine: usize, state: MachineState) {
        let m = &mut self.machines[machine];
        let elapsed = self.now - m.since_min;
        let station = m.station as usize;
        let old = m.state as usize;
        m.state = state;
        m.since_min = self.now;
        self.stations[station].result.state_min.0[old] += elapsed;
    }

    /// Whether the operator pool of the machine's station is off shift.
    #[inline(always)]
    fn off_shift(&self, machine: usize) -> bool {
        let station = self.machines[machine].station as usize;
        match &self.model.stations[station].operators {
            Some(operators) => !self.pools[operators.pool].on_shift,
            None => false,
        }
    }

    /// Enters the state that the machine's phase and flags imply.
    #[inline(always)]
    fn refresh_state(&mut self, machine: usize) {
        let state = self.implied_state(machine);
        if state != self.machines[machine].state {
            self.set_state(machine, state);
        }
    }

    /// The state that the machine's phase and flags imply.
    #[inline(always)]
    fn implied_state(&self, machine: usize) -> MachineState {
        let m = &self.machines[machine];
        if m.down {
            MachineState::Down
        } else {
            match m.phase {
                Phase::Unloading => MachineState::Blocked,
                Phase::Setup => MachineState::Setup,
                Phase::Processing => MachineState::Busy,
                Phase::Claimed if self.off_shift(machine) => MachineState::OffShift,
                Phase::Claimed => MachineState::WaitingOperator,
                Phase::Idle if self.off_shift(machine) => MachineState::OffShift,
                Phase::Idle => MachineState::Starved,
            }
        }
    }

    /// Debug builds: every machine's recorded state is the one its phase
    /// and flags imply, so no time is booked to a wrong state.
    fn check_states(&self) {
        for machine in 0..self.machines.len() {
            debug_assert_eq!(
                self.machines[machine].state,
                self.implied_state(machine),
                "machine {machine} at t = {}: {:?}",
                self.now,
                self.machines[machine].phase
            );
        }
    }

    #[inline(always)]
    fn set_buffer_level(&mut self, station: usize) {
        let s = &mut self.stations[station];
        s.buffer_level.set(self.now, s.buffer.len() as u64);
    }

    #[inline(always)]
    fn set_wip(&mut self, level: u64) {
        self.wip.set(self.now, level);
        self.wip_series.set(self.now, level as i64 as f64);
    }

    #[inline(always)]
    fn new_part(&mut self, product: u16) -> u32 {
        self.released += 1;
        self.set_wip(self.wip.level + 1);
        let part = Part {
            product,
            position: 0,
            entered_min: self.now,
            queued_min: self.now,
            reserved_machine: NONE,
        };
        match self.free_parts.pop() {
            Some(id) => {
                self.parts[id as usize] = part;
                id
            }
            None => {
                self.parts.push(part);
                (self.parts.len() - 1) as u32
            }
        }
    }

    #[inline(always)]
    fn remove_part(&mut self, part: u32) {
        self.set_wip(self.wip.level - 1);
        self.free_parts.push(part);
    }

    #[inline(always)]
    fn exit_good(&mut self, part: u32) {
        self.good_parts += 1;
        let lead_time = self.now - self.parts[part as usize].entered_min;
        self.lead_time_sum_min += lead_time;
        self.lead_time_count += 1;
        self.lead_times.add(lead_time);
        self.remove_part(part);
    }

    // ----- finding work ------------------------------------------------------

    /// A free machine looks for work: its buffer's head, the part of the
    /// earliest-blocked upstream machine, the release queue, or (unlimited
    /// source, first station) a new raw part. Finds none: starved.
    fn try_start(&mut self, machine: usize) {
        let m = &self.machines[machine];
        debug_assert!(m.phase == Phase::Idle && m.parts.is_empty() && !m.reserved);
        if m.down {
            self.refresh_state(machine);
            return;
        }
        let station = m.station as usize;
        if self.stations[station].is_batch {
            self.try_start_batch(machine, station);
            return;
        }
        if let Some(part) = self.stations[station].buffer.pop_front() {
            self.set_buffer_level(station);
            self.claim(machine, part);
            self.fill_buffer(station);
            return;
        }
        if let Some(upstream) = self.stations[station].blocked.pop_front() {
            let part = self.take_blocked_part(upstream as usize);
            self.hand_over(upstream as usize, part, station, Place::Machine(machine));
            // Reserved for a part in transport, the machine waits (starved).
            self.refresh_state(machine);
            self.unload(upstream as usize);
            return;
        }
        if let Some(product) = self.stations[station].release.pop_front() {
            self.release_queue
                .set(self.now, self.release_queue.level - 1);
            let part = self.new_part(product);
            self.claim(machine, part);
            return;
        }
        if self.unlimited && !self.stations[station].start_products.is_empty() {
            let product = self.draw_start_product(machine, station);
            let part = self.new_part(product);
            self.claim(machine, part);
            return;
        }
        self.refresh_state(machine);
    }

    /// A free batch machine starts a batch if the rule allows: `size` parts
    /// wait, or the oldest has waited `max_wait` and at least `min` wait. At a
    /// first station under the unlimited source, raw parts fill the batch.
    fn try_start_batch(&mut self, machine: usize, station: usize) {
        let batch = self.model.stations[station]
            .batch
            .as_ref()
            .expect("batch station");
        let size = batch.size as usize;
        let waiting = self.stations[station].buffer.len();
        let raw = self.unlimited && !self.stations[station].start_products.is_empty();
        let waited_long_enough = self.stations[station].buffer.front().is_some_and(|&head| {
            self.now >= self.parts[head as usize].queued_min + batch.max_wait_min
        });
        let take = if waiting >= size {
            size
        } else if raw || (waiting >= batch.min as usize && waited_long_enough) {
            waiting
        } else {
            0
        };
        if take == 0 && !raw {
            self.refresh_state(machine);
            return;
        }
        for _ in 0..take {
            let part = self.stations[station].buffer.pop_front().expect("counted");
            self.machines[machine].parts.push(part);
        }
        if raw {
            while self.machines[machine].parts.len() < size {
                let product = self.draw_start_product(machine, station);
                let part = self.new_part(product);
                self.machines[machine].parts.push(part);
            }
        }
        self.set_buffer_level(station);
        self.machines[machine].phase = Phase::Claimed;
        self.request_operators(machine);
        self.fill_buffer(station);
        self.schedule_batch_timeout(station);
    }

    /// Schedules the `max_wait` deadline of the buffer's oldest part.
    fn schedule_batch_timeout(&mut self, station: usize) {
        let Some(batch) = &self.model.stations[station].batch else {
            return;
        };
        if !batch.max_wait_min.is_finite() {
            return;
        }
        let Some(&head) = self.stations[station].buffer.front() else {
            return;
        };
        let s = &mut self.stations[station];
        s.batch_generation = s.batch_generation.wrapping_add(1);
        let due = (self.parts[head as usize].queued_min + batch.max_wait_min).max(self.now);
        self.queue.push(
            due,
            EventKind::BatchTimeout,
            station as u32,
            s.batch_generation,
        );
    }

    /// Offers work to the station's free machines (batch stations).
    fn start_idle_machines(&mut self, station: usize) {
        let first = self.stations[station].first_machine as usize;
        for machine in first..first + self.stations[station].machine_count as usize {
            let m = &self.machines[machine];
            if m.phase == Phase::Idle && !m.reserved && !m.down {
                self.try_start(machine);
            }
        }
    }

    fn draw_start_product(&mut self, machine: usize, station: usize) -> u16 {
        let products = &self.stations[station].start_products;
        if products.len() == 1 {
            return products[0].0;
        }
        let total = products[products.len() - 1].1;
        let u = self.machines[machine].routing_stream.random::<f64>() * total;
        products
            .iter()
            .find(|(_, cumulative)| u < *cumulative)
            .unwrap_or(&products[products.len() - 1])
            .0
    }

    /// Moves parts into a station's buffer while it has room: from blocked
    /// upstream machines first (in blocking order), then the release queue.
    fn fill_buffer(&mut self, station: usize) {
        loop {
            let s = &mut self.stations[station];
            if s.buffer.len() + s.reserved_slots >= s.capacity {
                return;
            }
            if let Some(upstream) = s.blocked.pop_front() {
                let part = self.take_blocked_part(upstream as usize);
                self.hand_over(upstream as usize, part, station, Place::Buffer);
                self.unload(upstream as usize);
            } else if let Some(product) = s.release.pop_front() {
                self.release_queue
                    .set(self.now, self.release_queue.level - 1);
                let part = self.new_part(product);
                self.place(station, part, Place::Buffer);
            } else {
                return;
            }
        }
    }

    #[inline(always)]
    fn take_blocked_part(&mut self, machine: usize) -> u32 {
        let m = &mut self.machines[machine];
        debug_assert!(m.blocked && m.phase == Phase::Unloading);
        let part = m.parts[m.unload_head];
        m.unload_head += 1;
        m.blocked = false;
        part
    }

    /// Lowest-numbered machine of `station` that can take a part now.
    #[inline(always)]
    fn idle_machine(&self, station: usize) -> Option<usize> {
        let s = &self.stations[station];
        if s.is_batch {
            return None;
        }
        let first = s.first_machine as usize;
        (first..first + s.machine_count as usize).find(|&m| {
            let machine = &self.machines[m];
            machine.phase == Phase::Idle && !machine.down && !machine.reserved
        })
    }

    /// Where a part offered to `station` would go now, if anywhere.
    #[inline(always)]
    fn find_place(&self, station: usize) -> Option<Place> {
        if let Some(machine) = self.idle_machine(station) {
            return Some(Place::Machine(machine));
        }
        let s = &self.stations[station];
        (s.buffer.len() + s.reserved_slots < s.capacity).then_some(Place::Buffer)
    }

    /// A part leaves machine `from` for `station`: at once, or by transport
    /// after reserving its place there.
    #[inline(always)]
    fn hand_over(&mut self, from: usize, part: u32, station: usize, place: Place) {
        let from_station = self.machines[from].station as usize;
        let Some(transfer) = &self.model.stations[from_station].transfer else {
            self.place(station, part, place);
            return;
        };
        let reserved_machine = match place {
            Place::Machine(machine) => {
                self.machines[machine].reserved = true;
                machine as u32
            }
            Place::Buffer => {
                self.stations[station].reserved_slots += 1;
                NONE
            }
        };
        self.parts[part as usize].reserved_machine = reserved_machine;
        let duration = transfer.sample(&mut self.machines[from].transfer_stream);
        self.start_transfer(part, duration);
    }

    fn start_transfer(&mut self, part: u32, duration: f64) {
        self.in_transit += 1;
        self.queue
            .push(self.now + duration, EventKind::TransferArrive, part, 0);
    }

    /// Puts a part on a machine or into the buffer of `station`.
    #[inline(always)]
    fn place(&mut self, station: usize, part: u32, place: Place) {
        match place {
            Place::Machine(machine) => self.claim(machine, part),
            Place::Buffer => {
                self.parts[part as usize].queued_min = self.now;
                let s = &mut self.stations[station];
                s.buffer.push_back(part);
                let first_waiting = s.buffer.len() == 1;
                let is_batch = s.is_batch;
                self.set_buffer_level(station);
                if is_batch {
                    if first_waiting {
                        self.schedule_batch_timeout(station);
                    }
                    self.start_idle_machines(station);
                }
            }
        }
    }

    fn on_transfer_arrive(&mut self, part: u32) {
        self.in_transit -= 1;
        let p = self.parts[part as usize];
        let route = &self.model.products[p.product as usize].route;
        if p.position as usize == route.len() {
            self.exit_good(part);
            return;
        }
        let station = route[p.position as usize];
        if p.reserved_machine != NONE {
            let machine = p.reserved_machine as usize;
            self.machines[machine].reserved = false;
            self.claim(machine, part);
            return;
        }
        self.stations[station].reserved_slots -= 1;
        // A machine may have become free while the part was on its way.
        match self.idle_machine(station) {
            Some(machine) => self.claim(machine, part),
            None => self.place(station, part, Place::Buffer),
        }
    }

    // ----- operations --------------------------------------------------------

    /// The machine loads `part` and asks for the operators of its operation.
    #[inline(always)]
    fn claim(&mut self, machine: usize, part: u32) {
        let m = &mut self.machines[machine];
        debug_assert!(m.phase == Phase::Idle && m.parts.is_empty());
        m.parts.push(part);
        m.phase = Phase::Claimed;
        self.request_operators(machine);
    }

    #[inline(always)]
    fn request_operators(&mut self, machine: usize) {
        let station = self.machines[machine].station as usize;
        let Some(operators) = self.model.stations[station].operators else {
            self.begin(machine);
            return;
        };
        let pool = &mut self.pools[operators.pool];
        if pool.queue.is_empty() && pool.on_shift && pool.free >= operators.count {
            pool.free -= operators.count;
            self.machines[machine].has_operators = true;
            self.begin(machine);
        } else {
            pool.queue.push_back(machine as u32);
            self.refresh_state(machine);
        }
    }

    /// Hands free operators to waiting machines, first come first served.
    fn serve_pool(&mut self, pool: usize) {
        loop {
            let p = &self.pools[pool];
            if !p.on_shift {
                return;
            }
            let Some(&machine) = p.queue.front() else {
                return;
            };
            let station = self.machines[machine as usize].station as usize;
            let count = self.model.stations[station]
                .operators
                .expect("queued for operators")
                .count;
            if p.free < count {
                return;
            }
            let p = &mut self.pools[pool];
            p.queue.pop_front();
            p.free -= count;
            self.machines[machine as usize].has_operators = true;
            self.begin(machine as usize);
        }
    }

    fn release_operators(&mut self, machine: usize) {
        if !self.machines[machine].has_operators {
            return;
        }
        self.machines[machine].has_operators = false;
        let station = self.machines[machine].station as usize;
        let operators = self.model.stations[station]
            .operators
            .expect("held operators");
        self.pools[operators.pool].free += operators.count;
        self.serve_pool(operators.pool);
    }

    /// Starts the claimed operation: a setup first if one is due.
    #[inline(always)]
    fn begin(&mut self, machine: usize) {
        if self.machines[machine].down {
            self.refresh_state(machine);
            return;
        }
        let station = self.machines[machine].station as usize;
        let Some(setup) = &self.model.stations[station].setup else {
            self.start_processing(machine);
            return;
        };
        let m = &mut self.machines[machine];
        let product = self.parts[m.parts[0] as usize].product as u32;
        let due = match setup.rule {
            SetupRule::ProductChange => m.last_product != NONE && m.last_product != product,
            SetupRule::Every(n) => m.parts_since_setup >= n,
        };
        if !due {
            self.start_processing(machine);
            return;
        }
        m.parts_since_setup = 0;
        m.phase = Phase::Setup;
        m.work_left_min = setup.time.sample(&mut m.setup_stream);
        self.stations[station].result.setups += 1;
        self.set_state(machine, MachineState::Setup);
        self.schedule_segment(machine);
    }

    #[inline(always)]
    fn start_processing(&mut self, machine: usize) {
        let station = self.machines[machine].station as usize;
        let m = &mut self.machines[machine];
        let product = self.parts[m.parts[0] as usize].product;
        let dist = &self.model.stations[station].process[product as usize];
        m.work_left_min = dist.sample(&mut m.process_stream);
        m.phase = Phase::Processing;
        m.last_product = u32::from(product);
        m.parts_since_setup += m.parts.len() as u32;
        self.stations[station].result.operations += 1;
        self.set_state(machine, MachineState::Busy);
        self.schedule_segment(machine);
    }

    /// Schedules the end of the operation's next segment: its completion, or
    /// an operating-basis failure if that comes first. One event, never two.
    #[inline(always)]
    fn schedule_segment(&mut self, machine: usize) {
        let now = self.now;
        let m = &mut self.machines[machine];
        m.segment_start_min = now;
        if m.phase == Phase::Processing && m.ttf_left_min < m.work_left_min {
            self.queue
                .push(now + m.ttf_left_min, EventKind::Fail, machine as u32, 0);
        } else {
            m.operation_end_min = now + m.work_left_min;
            self.queue.push(
                m.operation_end_min,
                EventKind::Complete,
                machine as u32,
                m.generation,
            );
        }
    }

    #[inline(always)]
    fn on_complete(&mut self, machine: usize) {
        if self.machines[machine].phase == Phase::Setup {
            self.start_processing(machine);
            return;
        }
        let m = &mut self.machines[machine];
        debug_assert_eq!(m.phase, Phase::Processing);
        if m.ttf_left_min.is_finite() {
            m.ttf_left_min -= m.work_left_min;
        }
        m.work_left_min = 0.0;
        let station = m.station as usize;
        self.release_operators(machine);

        // Quality at the end of processing, part by part in FIFO order.
        let count = self.machines[machine].parts.len();
        self.stations[station].result.finished += count as u64;
        let mut kept = 0;
        for i in 0..count {
            let part = self.machines[machine].parts[i];
            let product = self.parts[part as usize].product as usize;
            let position = self.parts[part as usize].position as usize;
            let mut next_position = position + 1;
            if self.stations[station].draws_quality {
                let u = self.machines[machine].scrap_stream.random::<f64>();
                let model_station = &self.model.stations[station];
                let scrap = model_station.scrap[product];
                if u < scrap {
                    self.stations[station].result.scrapped += 1;
                    self.scrap_parts += 1;
                    self.remove_part(part);
                    continue;
                }
                if let Some(rework) = &model_station.rework {
                    if u < scrap + rework.prob {
                        if let Some(target) = self.model.products[product].rework_target[position] {
                            next_position = target;
                        }
                    }
                }
            }
            if next_position == position + 1 {
                self.stations[station].result.passed += 1;
            }
            self.parts[part as usize].position = next_position as u16;
            self.machines[machine].parts[kept] = part;
            kept += 1;
        }
        let m = &mut self.machines[machine];
        m.parts.truncate(kept);
        m.phase = Phase::Unloading;
        m.unload_head = 0;
        self.unload(machine);
    }

    /// Finished parts leave one by one; the first that cannot leave blocks
    /// the machine. When all have left, the machine looks for work.
    fn unload(&mut self, machine: usize) {
        let station = self.machines[machine].station as usize;
        loop {
            let m = &self.machines[machine];
            if m.unload_head == m.parts.len() {
                break;
            }
            let part = m.parts[m.unload_head];
            let p = self.parts[part as usize];
            let route = &self.model.products[p.product as usize].route;
            if p.position as usize == route.len() {
                self.machines[machine].unload_head += 1;
                // Leaving the line needs no place; the last move still takes time.
                match &self.model.stations[station].transfer {
                    Some(transfer) => {
                        let duration = transfer.sample(&mut self.machines[machine].transfer_stream);
                        self.start_transfer(part, duration);
                    }
                    None => self.exit_good(part),
                }
                continue;
            }
            let next = route[p.position as usize];
            if next == station && !self.stations[station].is_batch {
                // Rework at its own station: an exchange with the buffer,
                // never a move, so no transfer time either.
                self.rework_in_place(machine, station, part);
                return;
            }
            if let Some(place) = self.find_place(next) {
                self.machines[machine].unload_head += 1;
                if next == station {
                    // Back into its own batch station's buffer: no move.
                    self.place(station, part, place);
                } else {
                    self.hand_over(machine, part, next, place);
                }
                continue;
            }
            self.block(machine, next);
            return;
        }
        let m = &mut self.machines[machine];
        m.parts.clear();
        m.unload_head = 0;
        m.phase = Phase::Idle;
        if !m.reserved {
            self.try_start(machine);
        } else {
            self.refresh_state(machine);
        }
    }

    /// Rework at its own station: the part goes to the back of the buffer
    /// as the machine takes the head, an exchange that needs no free slot
    /// and takes no time (with an empty buffer the machine starts the part
    /// again). Blocking on itself would lock a full station for ever.
    fn rework_in_place(&mut self, machine: usize, station: usize, part: u32) {
        let s = &mut self.stations[station];
        let work = match s.buffer.pop_front() {
            Some(head) => {
                self.parts[part as usize].queued_min = self.now;
                s.buffer.push_back(part);
                head
            }
            None => part,
        };
        let m = &mut self.machines[machine];
        m.parts.clear();
        m.unload_head = 0;
        m.phase = Phase::Idle;
        self.claim(machine, work);
    }

    /// The machine waits, blocked, until `next` can take its part; a set of
    /// blocked machines that waits on itself is a lock-up.
    fn block(&mut self, machine: usize, next: usize) {
        let m = &mut self.machines[machine];
        m.blocked = true;
        m.blocked_on = next as u32;
        self.stations[next].blocked.push_back(machine as u32);
        self.refresh_state(machine);
        if self.is_locked(next) {
            let stations = (0..self.stations.len())
                .filter(|&s| self.visited[s])
                .map(|s| self.model.stations[s].name.clone())
                .collect();
            self.locked = Some(Deadlock {
                time_min: self.now,
                stations,
            });
        }
    }

    // ----- failures ----------------------------------------------------------

    #[inline(always)]
    fn on_operating_failure(&mut self, machine: usize) {
        let now = self.now;
        let m = &mut self.machines[machine];
        m.work_left_min -= now - m.segment_start_min;
        m.ttf_left_min = 0.0;
        self.go_down(machine);
    }

    fn on_calendar_failure(&mut self, machine: usize) {
        let now = self.now;
        let m = &mut self.machines[machine];
        if matches!(m.phase, Phase::Setup | Phase::Processing) {
            // Suspend: the pending completion becomes stale.
            m.work_left_min = m.operation_end_min - now;
            m.generation = m.generation.wrapping_add(1);
        }
        self.go_down(machine);
    }

    #[inline(always)]
    fn go_down(&mut self, machine: usize) {
        let station = self.machines[machine].station as usize;
        let failures = self.model.stations[station]
            .failures
            .as_ref()
            .expect("failure event without failures");
        let m = &mut self.machines[machine];
        m.down = true;
        let repair = failures.ttr.sample(&mut m.repair_stream);
        self.queue
            .push(self.now + repair, EventKind::Repair, machine as u32, 0);
        self.set_state(machine, MachineState::Down);
    }

    #[inline(always)]
    fn on_repair(&mut self, machine: usize) {
        let station = self.machines[machine].station as usize;
        let failures = self.model.stations[station]
            .failures
            .as_ref()
            .expect("repair event without failures");
        let m = &mut self.machines[machine];
        m.down = false;
        let ttf = failures.ttf.sample(&mut m.failure_stream);
        match failures.basis {
            FailureBasis::Operating => m.ttf_left_min = ttf,
            FailureBasis::Calendar => {
                self.queue
                    .push(self.now + ttf, EventKind::CalendarFail, machine as u32, 0)
            }
        }
        let m = &self.machines[machine];
        match m.phase {
            Phase::Setup | Phase::Processing => {
                self.refresh_state(machine);
                self.schedule_segment(machine);
            }
            Phase::Claimed => {
                let needs_operators = self.model.stations[station].operators.is_some();
                if !needs_operators || m.has_operators {
                    self.begin(machine);
                } else {
                    self.refresh_state(machine);
                }
            }
            Phase::Unloading => self.refresh_state(machine),
            Phase::Idle if m.reserved => self.refresh_state(machine),
            Phase::Idle => self.try_start(machine),
        }
    }

    // ----- shifts and the source ---------------------------------------------

    fn on_shift_change(&mut self, pool: usize) {
        let spec = &self.model.pools[pool];
        self.pools[pool].on_shift = spec.on_shift(self.now);
        if let Some(next) = spec.next_change(self.now) {
            self.queue
                .push(next, EventKind::ShiftChange, pool as u32, 0);
        }
        for i in 0..self.pools[pool].machines.len() {
            let machine = self.pools[pool].machines[i] as usize;
            self.refresh_state(machine);
        }
        self.serve_pool(pool);
    }

    fn on_arrival(&mut self) {
        let Source::Interarrival(interarrival) = &self.model.source else {
            unreachable!("arrival event without an interarrival source");
        };
        let next = self.now + interarrival.sample(&mut self.arrival_stream);
        self.queue.push(next, EventKind::Arrival, 0, 0);
        let product = self.draw_product();
        let station = self.model.products[product].route[0];
        if self.stations[station].release.is_empty() {
            if let Some(place) = self.find_place(station) {
                let part = self.new_part(product as u16);
                self.place(station, part, place);
                return;
            }
        }
        // Not admitted: it waits in the release queue, outside the line.
        self.stations[station].release.push_back(product as u16);
        self.release_queue
            .set(self.now, self.release_queue.level + 1);
    }

    fn draw_product(&mut self) -> ProductIdx {
        if self.product_cumulative.len() == 1 {
            return 0;
        }
        let total = self.product_cumulative[self.product_cumulative.len() - 1];
        let u = self.mix_stream.random::<f64>() * total;
        self.product_cumulative
            .iter()
            .position(|&c| u < c)
            .unwrap_or(self.product_cumulative.len() - 1)
    }
}
