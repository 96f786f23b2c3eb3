//! The simulation of one replication of one model.
//!
//! [`simulate`] runs the event loop of SPEC §2: parts flow through FIFO
//! buffers, machines block after service, failures suspend and resume
//! operations, finished parts are scrapped or reworked. It does no I/O and
//! cannot fail: a model that locks up is reported in
//! [`ReplicationResult::deadlock`], not as an error.
//!
//! Cost model: each machine has at most one pending operation event (the
//! earlier of completion and operating-basis failure is scheduled, never
//! both), parts live in a slab with a free list, buffers are ring buffers, so
//! after the first moments of a run no event allocates. Memory is bounded by
//! the number of parts in the line, not by the horizon.

pub mod queue;
pub mod rng;

use crate::model::{FailureBasis, Model, ProductIdx, Source, MIN_PER_H};
use queue::{EventKind, EventQueue};
use rand::Rng;
use rng::{Purpose, Stream};
use std::collections::VecDeque;

/// The state a machine is in; exactly one at every instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum MachineState {
    Busy = 0,
    Setup = 1,
    Blocked = 2,
    Starved = 3,
    WaitingOperator = 4,
    OffShift = 5,
    Down = 6,
}

/// Number of machine states.
pub const STATE_COUNT: usize = 7;

/// Names of the machine states, in [`MachineState`] order, as reported.
pub const STATE_NAMES: [&str; STATE_COUNT] = [
    "busy",
    "setup",
    "blocked",
    "starved",
    "waiting_operator",
    "off_shift",
    "down",
];

/// What one replication measured (the measured period only).
#[derive(Clone, Debug)]
pub struct ReplicationResult {
    pub replication: u32,
    /// Base seed of the replication's streams.
    pub seed: u64,
    /// Length of the measured period, minutes.
    pub measured_min: f64,
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
    /// Events processed over the whole run, warm-up included.
    pub events: u64,
    pub stations: Vec<StationResult>,
    /// Set when the line locked up before the end of the run.
    pub deadlock: Option<Deadlock>,
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
    pub state_min: [f64; STATE_COUNT],
    /// Time-average number of parts waiting in the buffer.
    pub buffer_mean: f64,
    /// Operations finished (parts, scrapped or not).
    pub finished: u64,
    /// Parts scrapped at this station.
    pub scrapped: u64,
}

impl StationResult {
    /// Share of machine time in each state; sums to 1.
    pub fn state_shares(&self) -> [f64; STATE_COUNT] {
        let total: f64 = self.state_min.iter().sum();
        let mut shares = [0.0; STATE_COUNT];
        if total > 0.0 {
            for (share, minutes) in shares.iter_mut().zip(self.state_min) {
                *share = minutes / total;
            }
        }
        shares
    }
}

/// A lock-up: no part can move any more.
#[derive(Clone, Debug, PartialEq)]
pub struct Deadlock {
    /// Simulated time at which the line locked up, minutes.
    pub time_min: f64,
    /// Stations with machines blocked by a full downstream station.
    pub stations: Vec<String>,
}

const NO_PART: u32 = u32::MAX;

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
        self.area += self.level as f64 * (now - self.last_min);
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
    /// Position in the product's route of the station it is at or going to.
    position: u16,
    entered_min: f64,
}

#[derive(Debug)]
struct Machine {
    station: u32,
    state: MachineState,
    since_min: f64,
    /// The part on the machine (in operation or finished and blocked).
    part: u32,
    /// An operation is in progress (possibly suspended by a failure).
    in_operation: bool,
    /// Holds a finished part that the next station cannot take yet.
    holding: bool,
    down: bool,
    work_left_min: f64,
    segment_start_min: f64,
    operation_end_min: f64,
    /// Operating basis: processing time left until the next failure.
    ttf_left_min: f64,
    generation: u32,
    process_stream: Stream,
    failure_stream: Stream,
    repair_stream: Stream,
    scrap_stream: Stream,
    routing_stream: Stream,
}

#[derive(Debug)]
struct StationRuntime {
    first_machine: u32,
    machine_count: u32,
    capacity: usize,
    buffer: VecDeque<u32>,
    /// Machines holding a part for this station, in the order they blocked.
    blocked: VecDeque<u32>,
    /// Products released to this first station and not yet admitted.
    release: VecDeque<u16>,
    buffer_level: TimeWeighted,
    /// Products whose route starts here, with cumulative mix weights.
    start_products: Vec<(u16, f64)>,
    /// Whether any product can be scrapped or reworked here.
    draws_quality: bool,
    result: StationResult,
}

/// Runs replication `replication` of `model` to the end of its horizon.
pub fn simulate(model: &Model, replication: u32) -> ReplicationResult {
    Simulation::new(model, replication).run()
}

struct Simulation<'m> {
    model: &'m Model,
    now: f64,
    queue: EventQueue,
    machines: Vec<Machine>,
    stations: Vec<StationRuntime>,
    parts: Vec<Part>,
    free_parts: Vec<u32>,
    wip: TimeWeighted,
    release_queue: TimeWeighted,
    arrival_stream: Stream,
    mix_stream: Stream,
    /// Cumulative mix weights of all products (interarrival source).
    product_cumulative: Vec<f64>,
    unlimited: bool,
    holding_count: usize,
    seed: u64,
    events: u64,
    good_parts: u64,
    scrap_parts: u64,
    released: u64,
    wip_at_start: u64,
    lead_time_sum_min: f64,
    lead_time_count: u64,
}

impl<'m> Simulation<'m> {
    fn new(model: &'m Model, replication: u32) -> Self {
        let seed = rng::replication_seed(model.seed, replication);
        let mut machines = Vec::with_capacity(model.machine_count());
        let mut stations = Vec::with_capacity(model.stations.len());
        for (station_idx, station) in model.stations.iter().enumerate() {
            let first_machine = machines.len() as u32;
            for machine in 0..station.machines {
                let stream = |purpose| rng::stream(seed, &station.name, machine, purpose);
                machines.push(Machine {
                    station: station_idx as u32,
                    state: MachineState::Starved,
                    since_min: 0.0,
                    part: NO_PART,
                    in_operation: false,
                    holding: false,
                    down: false,
                    work_left_min: 0.0,
                    segment_start_min: 0.0,
                    operation_end_min: 0.0,
                    ttf_left_min: f64::INFINITY,
                    generation: 0,
                    process_stream: stream(Purpose::Process),
                    failure_stream: stream(Purpose::Failure),
                    repair_stream: stream(Purpose::Repair),
                    scrap_stream: stream(Purpose::Scrap),
                    routing_stream: stream(Purpose::Routing),
                });
            }
            let mut start_products = Vec::new();
            let mut cumulative = 0.0;
            for (product_idx, product) in model.products.iter().enumerate() {
                if product.route[0] == station_idx {
                    cumulative += product.mix;
                    start_products.push((product_idx as u16, cumulative));
                }
            }
            let capacity = station.buffer.map_or(usize::MAX, |c| c as usize);
            stations.push(StationRuntime {
                first_machine,
                machine_count: station.machines,
                capacity,
                buffer: VecDeque::with_capacity(capacity.min(1024)),
                blocked: VecDeque::new(),
                release: VecDeque::new(),
                buffer_level: TimeWeighted::default(),
                start_products,
                draws_quality: station.scrap.iter().any(|&p| p > 0.0)
                    || station.rework.as_ref().is_some_and(|r| r.prob > 0.0),
                result: StationResult::default(),
            });
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
            now: 0.0,
            queue: EventQueue::with_capacity(machines.len() * 2 + 4),
            stations,
            parts: Vec::with_capacity(64),
            free_parts: Vec::with_capacity(64),
            wip: TimeWeighted::default(),
            release_queue: TimeWeighted::default(),
            arrival_stream: rng::stream(seed, "", 0, Purpose::Arrivals),
            mix_stream: rng::stream(seed, "", 0, Purpose::Routing),
            product_cumulative,
            unlimited: matches!(model.source, Source::Unlimited),
            holding_count: 0,
            seed,
            events: 0,
            good_parts: 0,
            scrap_parts: 0,
            released: 0,
            wip_at_start: 0,
            lead_time_sum_min: 0.0,
            lead_time_count: 0,
            machines,
        }
    }

    fn run(mut self) -> ReplicationResult {
        self.initialise();
        let warmup = self.model.warmup_min;
        let end = warmup + self.model.horizon_min;
        let mut measuring = false;
        if warmup <= 0.0 {
            self.start_measuring();
            measuring = true;
        }
        let mut deadlock = None;
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
            self.now = time;
            let machine = event.target as usize;
            match event.kind {
                EventKind::Complete => {
                    if event.generation != self.machines[machine].generation {
                        continue;
                    }
                    self.on_complete(machine);
                }
                EventKind::Fail => self.on_operating_failure(machine),
                EventKind::Repair => self.on_repair(machine),
                EventKind::CalendarFail => self.on_calendar_failure(machine),
                EventKind::Arrival => self.on_arrival(),
            }
            self.events += 1;
            if self.holding_count == self.machines.len() {
                deadlock = Some(self.deadlock());
                break;
            }
        }
        if !measuring {
            self.now = warmup;
            self.start_measuring();
        }
        self.now = if deadlock.is_some() {
            self.now.min(end)
        } else {
            end
        };
        self.finish(deadlock)
    }

    fn deadlock(&self) -> Deadlock {
        let mut stations: Vec<String> = Vec::new();
        for machine in self.machines.iter().filter(|m| m.holding) {
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
        if let Source::Interarrival(interarrival) = &self.model.source {
            let first = interarrival.sample(&mut self.arrival_stream);
            self.queue.push(first, EventKind::Arrival, 0, 0);
        }
        for machine in 0..self.machines.len() {
            self.try_start(machine);
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
    }

    fn finish(mut self, deadlock: Option<Deadlock>) -> ReplicationResult {
        let now = self.now;
        let start = self.model.warmup_min.min(now);
        let measured = now - start;
        for machine in 0..self.machines.len() {
            self.set_state(machine, self.machines[machine].state);
        }
        let stations = self
            .stations
            .iter_mut()
            .map(|s| {
                let mut result = std::mem::take(&mut s.result);
                result.buffer_mean = s.buffer_level.mean(now, measured);
                result
            })
            .collect();
        ReplicationResult {
            replication: 0,
            seed: self.seed,
            measured_min: measured,
            good_parts: self.good_parts,
            scrap_parts: self.scrap_parts,
            released: self.released,
            wip_at_start: self.wip_at_start,
            wip_at_end: self.wip.level,
            wip_mean: self.wip.mean(now, measured),
            lead_time_sum_min: self.lead_time_sum_min,
            lead_time_count: self.lead_time_count,
            release_queue_mean: self.release_queue.mean(now, measured),
            events: self.events,
            stations,
            deadlock,
        }
    }

    // ----- state bookkeeping -------------------------------------------------

    /// Records time spent in the current state and enters `state`.
    #[inline]
    fn set_state(&mut self, machine: usize, state: MachineState) {
        let m = &mut self.machines[machine];
        let elapsed = self.now - m.since_min;
        let station = m.station as usize;
        let old = m.state as usize;
        m.state = state;
        m.since_min = self.now;
        self.stations[station].result.state_min[old] += elapsed;
    }

    /// Enters the state that the machine's flags imply.
    #[inline]
    fn refresh_state(&mut self, machine: usize) {
        let m = &self.machines[machine];
        let state = if m.down {
            MachineState::Down
        } else if m.holding {
            MachineState::Blocked
        } else if m.in_operation {
            MachineState::Busy
        } else {
            MachineState::Starved
        };
        if state != m.state {
            self.set_state(machine, state);
        }
    }

    #[inline]
    fn set_buffer_level(&mut self, station: usize) {
        let s = &mut self.stations[station];
        s.buffer_level.set(self.now, s.buffer.len() as u64);
    }

    fn new_part(&mut self, product: u16) -> u32 {
        self.released += 1;
        self.wip.set(self.now, self.wip.level + 1);
        let part = Part {
            product,
            position: 0,
            entered_min: self.now,
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

    fn remove_part(&mut self, part: u32) {
        self.wip.set(self.now, self.wip.level - 1);
        self.free_parts.push(part);
    }

    // ----- machine logic -----------------------------------------------------

    /// A free machine looks for work: its buffer's head, the part of the
    /// earliest-blocked upstream machine, the release queue, or (unlimited
    /// source, first station) a new raw part. Finds none: starved.
    fn try_start(&mut self, machine: usize) {
        let m = &self.machines[machine];
        debug_assert!(m.part == NO_PART && !m.in_operation && !m.holding);
        if m.down {
            self.refresh_state(machine);
            return;
        }
        let station = m.station as usize;
        if let Some(part) = self.stations[station].buffer.pop_front() {
            self.set_buffer_level(station);
            self.start_operation(machine, part);
            self.fill_buffer(station);
            return;
        }
        if let Some(upstream) = self.stations[station].blocked.pop_front() {
            let part = self.take_held_part(upstream as usize);
            self.start_operation(machine, part);
            self.try_start(upstream as usize);
            return;
        }
        if let Some(product) = self.stations[station].release.pop_front() {
            self.release_queue
                .set(self.now, self.release_queue.level - 1);
            let part = self.new_part(product);
            self.start_operation(machine, part);
            return;
        }
        if self.unlimited && !self.stations[station].start_products.is_empty() {
            let product = self.draw_start_product(machine, station);
            let part = self.new_part(product);
            self.start_operation(machine, part);
            return;
        }
        self.refresh_state(machine);
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
            if s.buffer.len() >= s.capacity {
                return;
            }
            if let Some(upstream) = s.blocked.pop_front() {
                let part = self.take_held_part(upstream as usize);
                self.stations[station].buffer.push_back(part);
                self.set_buffer_level(station);
                self.try_start(upstream as usize);
            } else if let Some(product) = s.release.pop_front() {
                self.release_queue
                    .set(self.now, self.release_queue.level - 1);
                let part = self.new_part(product);
                self.stations[station].buffer.push_back(part);
                self.set_buffer_level(station);
            } else {
                return;
            }
        }
    }

    fn take_held_part(&mut self, machine: usize) -> u32 {
        let m = &mut self.machines[machine];
        debug_assert!(m.holding);
        let part = m.part;
        m.part = NO_PART;
        m.holding = false;
        self.holding_count -= 1;
        part
    }

    /// Lowest-numbered machine of `station` that is idle, up and free.
    #[inline]
    fn idle_machine(&self, station: usize) -> Option<usize> {
        let s = &self.stations[station];
        let first = s.first_machine as usize;
        (first..first + s.machine_count as usize).find(|&m| {
            let machine = &self.machines[m];
            !machine.down && machine.part == NO_PART
        })
    }

    /// Offers a part to a station: an idle machine takes it, else the buffer
    /// if it has room. Returns whether the station took it.
    fn accept(&mut self, station: usize, part: u32) -> bool {
        if let Some(machine) = self.idle_machine(station) {
            self.start_operation(machine, part);
            return true;
        }
        let s = &mut self.stations[station];
        if s.buffer.len() < s.capacity {
            s.buffer.push_back(part);
            self.set_buffer_level(station);
            return true;
        }
        false
    }

    fn start_operation(&mut self, machine: usize, part: u32) {
        let station = self.machines[machine].station as usize;
        let product = self.parts[part as usize].product as usize;
        let dist = &self.model.stations[station].process[product];
        let m = &mut self.machines[machine];
        let work = dist.sample(&mut m.process_stream);
        m.part = part;
        m.in_operation = true;
        m.work_left_min = work;
        self.set_state(machine, MachineState::Busy);
        self.schedule_segment(machine);
    }

    /// Schedules the end of the operation's next segment: its completion, or
    /// an operating-basis failure if that comes first. One event, never two.
    fn schedule_segment(&mut self, machine: usize) {
        let now = self.now;
        let m = &mut self.machines[machine];
        m.segment_start_min = now;
        if m.ttf_left_min < m.work_left_min {
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

    fn on_complete(&mut self, machine: usize) {
        let m = &mut self.machines[machine];
        if m.ttf_left_min.is_finite() {
            m.ttf_left_min -= m.work_left_min;
        }
        m.work_left_min = 0.0;
        m.in_operation = false;
        let part = m.part;
        let station = m.station as usize;
        self.stations[station].result.finished += 1;
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
                self.machines[machine].part = NO_PART;
                self.remove_part(part);
                self.try_start(machine);
                return;
            }
            if let Some(rework) = &model_station.rework {
                if u < scrap + rework.prob {
                    if let Some(target) = self.model.products[product].rework_target[position] {
                        next_position = target;
                    }
                }
            }
        }
        let route = &self.model.products[product].route;
        if next_position == route.len() {
            self.good_parts += 1;
            self.lead_time_sum_min += self.now - self.parts[part as usize].entered_min;
            self.lead_time_count += 1;
            self.machines[machine].part = NO_PART;
            self.remove_part(part);
            self.try_start(machine);
            return;
        }
        let next_station = route[next_position];
        self.parts[part as usize].position = next_position as u16;
        // The machine still holds the part while the next station is asked,
        // so that a rework to its own station cannot hand it back to itself.
        if self.accept(next_station, part) {
            self.machines[machine].part = NO_PART;
            self.try_start(machine);
        } else if next_station == station {
            // Rework at its own station with a full buffer: the part goes to
            // the back of the buffer as the machine takes the head, an
            // exchange that needs no free slot (without waiting room the
            // machine simply starts it again). Blocking on itself would lock
            // the station for ever.
            let s = &mut self.stations[station];
            let next = match s.buffer.pop_front() {
                Some(head) => {
                    s.buffer.push_back(part);
                    head
                }
                None => part,
            };
            self.start_operation(machine, next);
        } else {
            let m = &mut self.machines[machine];
            m.holding = true;
            self.holding_count += 1;
            self.stations[next_station]
                .blocked
                .push_back(machine as u32);
            self.refresh_state(machine);
        }
    }

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
        if m.in_operation {
            // Suspend: the pending completion becomes stale.
            m.work_left_min = m.operation_end_min - now;
            m.generation = m.generation.wrapping_add(1);
        }
        self.go_down(machine);
    }

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
        if m.in_operation {
            self.set_state(machine, MachineState::Busy);
            self.schedule_segment(machine);
        } else if m.holding {
            self.refresh_state(machine);
        } else {
            self.try_start(machine);
        }
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
            let part = self.new_part(product as u16);
            if self.accept(station, part) {
                return;
            }
            // Not admitted: it waits in the release queue, outside the line.
            self.released -= 1;
            self.wip.set(self.now, self.wip.level - 1);
            self.free_parts.push(part);
        }
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
