//! The simulation state of one replication and its construction: the
//! runtime records, the event list, the random streams of the source, the
//! collectors, and the scratch space the event loop reuses.
//!
//! [`Sim`] owns everything. [`Hot`] is a view of it for the event loop:
//! each collection borrowed on its own, so that the compiler holds their
//! addresses and lengths in registers (the fields of one struct behind one
//! reference are reloaded after every store, since the store might have
//! changed them).

use super::queue::EventQueue;
use super::records::{ColdStreams, Lots, Machine, Part, PoolRt, StationRt};
use super::result::{Deadlock, Overflow, Stall};
use super::rng::{self, Purpose, Stream};
use super::trace::Recorder;
use crate::model::{MachineState, Model, RunSettings, Source};
use crate::stats::bottleneck::ActivePeriods;
use crate::stats::collect::{BinnedLevel, Histogram, TimeWeighted};
use std::collections::VecDeque;

/// A step of the hand-over cascade (see `run.rs`): what the event loop
/// still has to do after the step at hand, kept on an explicit stack so
/// that the cascade runs as one loop.
#[derive(Clone, Copy, Debug)]
pub enum Task {
    /// A free machine looks for work.
    Seek(u32),
    /// A machine hands over its finished parts.
    Leave(u32),
    /// A station's buffer takes parts while it has room.
    Fill(u32),
    /// The free machines of a batch station, from this index on, look for
    /// work.
    StartIdle(u32, u32),
    /// A batch station schedules the deadline of its oldest part.
    Deadline(u32),
    /// Every idle machine of the line, from this index on, looks for work
    /// (the start of a run).
    StartAll(u32),
}

/// What the line has made so far: the counts and collectors of the
/// measured period.
#[derive(Debug)]
pub struct Books {
    pub wip: TimeWeighted,
    pub release_queue: TimeWeighted,
    pub wip_series: BinnedLevel,
    pub lead_times: Histogram,
    pub good_parts: u64,
    /// Good parts of each product.
    pub good_by_product: Vec<u64>,
    pub scrap_parts: u64,
    pub released: u64,
    pub wip_at_start: u64,
    pub lead_time_sum_min: f64,
    pub lead_time_count: u64,
    pub in_transit: usize,
    /// Per station, the parts in transport that reserved one of its
    /// machines, in the order they reserved; whichever part arrives first
    /// takes such a machine. (Here rather than in the station's record,
    /// which every event reads.)
    pub promised: Vec<Vec<u32>>,
    /// The active periods of the stations (the bottleneck measure).
    pub bottleneck: ActivePeriods,
    /// The trace recorder, when a trace was asked for.
    pub trace: Option<Box<Recorder>>,
    /// Good parts of each measured day, when asked for (a back-test).
    pub daily: Option<Vec<u32>>,
    /// Where the first measured day starts (the end of the warm-up).
    pub daily_from_min: f64,
    /// The (station, state) shares asked for per measured day (a
    /// back-test's observed columns), their shares of the days passed
    /// (day-major), the cumulative minutes at the last day's end, and when
    /// the next day ends (infinite when none is asked for).
    pub day_columns: Vec<(u32, MachineState)>,
    pub day_shares: Vec<f64>,
    pub day_last_min: Vec<f64>,
    pub day_next_min: f64,
}

/// The search for lock-ups: its finding and its scratch space (sized once,
/// never reallocated).
#[derive(Debug, Default)]
pub struct Lockup {
    /// Set when a set of blocked machines waits on itself.
    pub found: Option<Deadlock>,
    pub visited: Vec<bool>,
    pub stack: Vec<usize>,
}

/// Everything one replication changes.
pub struct Sim<'m> {
    pub model: &'m Model,
    /// Warm-up and horizon of this replication.
    pub settings: RunSettings,
    pub replication: u32,
    pub seed: u64,
    pub now: f64,
    /// Whether the warm-up is over.
    pub measuring: bool,
    pub queue: EventQueue,
    pub machines: Vec<Machine>,
    pub streams: Vec<ColdStreams>,
    pub stations: Vec<StationRt>,
    pub pools: Vec<PoolRt>,
    pub parts: Vec<Part>,
    pub free_parts: Vec<u32>,
    pub tasks: Vec<Task>,
    pub books: Books,
    pub lockup: Lockup,
    pub arrival_stream: Stream,
    pub mix_stream: Stream,
    /// Cumulative mix weights of all products (interarrival source).
    pub product_cumulative: Vec<f64>,
    /// The lot sequence of releases (interarrival source, lots).
    pub lots: Option<Lots>,
    /// Whether the plant calendar says open.
    pub plant_open: bool,
    /// Machines waiting for the plant to open to start, in arrival order.
    pub plant_waiting: Vec<u32>,
    pub unlimited: bool,
    pub interrupted: bool,
    pub overflow: Option<Overflow>,
    pub stalled: Option<Stall>,
    pub events: u64,
}

/// The event loop's view of the state: each collection borrowed on its own.
///
/// `FULL` compiles in the bookkeeping of machines off shift (their load,
/// work waiting for them) and of the trace. A line without operator
/// shifts and without a plant calendar, run without a trace, never has a
/// machine off shift, and its event loop is compiled without both
/// ([`Sim::around_the_clock`]): the same steps in the same order, less code
/// on the path of every event.
pub struct Hot<'a, const FULL: bool = true> {
    pub model: &'a Model,
    pub now: f64,
    pub unlimited: bool,
    pub queue: &'a mut EventQueue,
    pub machines: &'a mut [Machine],
    pub streams: &'a mut [ColdStreams],
    pub stations: &'a mut [StationRt],
    pub pools: &'a mut [PoolRt],
    pub parts: &'a mut Vec<Part>,
    pub free_parts: &'a mut Vec<u32>,
    pub tasks: &'a mut Vec<Task>,
    pub books: &'a mut Books,
    pub lockup: &'a mut Lockup,
    pub arrival_stream: &'a mut Stream,
    pub mix_stream: &'a mut Stream,
    pub product_cumulative: &'a [f64],
    pub lots: &'a mut Option<Lots>,
    pub plant_open: bool,
    pub plant_waiting: &'a mut Vec<u32>,
}

impl<'m> Sim<'m> {
    /// The line empty at time 0, every machine idle and up. (Long because
    /// it names every field of the state once; the parts are built by the
    /// records' own constructors.)
    pub fn new(model: &'m Model, settings: RunSettings, replication: u32) -> Self {
        let seed = rng::replication_seed(settings.seed, replication);
        let machine_count = model.machine_count();
        let mut machines = Vec::with_capacity(machine_count);
        let mut streams = Vec::with_capacity(machine_count);
        let mut stations = Vec::with_capacity(model.stations.len());
        let mut pools: Vec<PoolRt> = model
            .pools
            .iter()
            .map(|p| PoolRt {
                free: p.size,
                on_shift: p.on_shift(0.0),
                queue: VecDeque::new(),
                machines: Vec::new(),
                held: TimeWeighted::default(),
            })
            .collect();
        for (station_idx, station) in model.stations.iter().enumerate() {
            let first_machine = machines.len() as u32;
            for machine in 0..station.machines {
                if let Some(operators) = &station.operators {
                    pools[operators.pool].machines.push(machines.len() as u32);
                }
                let (record, cold) = Machine::new(seed, station_idx, station, machine);
                machines.push(record);
                streams.push(cold);
            }
            let mut runtime = StationRt::new(model, station_idx, first_machine);
            for i in 0..station.machines as usize {
                runtime.available.set(i, true);
            }
            stations.push(runtime);
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
        Sim {
            model,
            settings,
            replication,
            seed,
            now: 0.0,
            measuring: false,
            queue: EventQueue::with_capacity(machine_count * 2 + 4),
            machines,
            streams,
            tasks: Vec::with_capacity(4 * model.stations.len() + 8),
            stations,
            pools,
            parts: Vec::with_capacity(64),
            free_parts: Vec::with_capacity(64),
            books: Books {
                wip: TimeWeighted::default(),
                release_queue: TimeWeighted::default(),
                wip_series: BinnedLevel::new(settings.end_min()),
                lead_times: Histogram::default(),
                good_parts: 0,
                good_by_product: vec![0; model.products.len()],
                scrap_parts: 0,
                released: 0,
                wip_at_start: 0,
                lead_time_sum_min: 0.0,
                lead_time_count: 0,
                in_transit: 0,
                promised: vec![Vec::new(); model.stations.len()],
                bottleneck: ActivePeriods::new(model.stations.len(), settings.warmup_min),
                trace: None,
                daily: None,
                daily_from_min: settings.warmup_min,
                day_columns: Vec::new(),
                day_shares: Vec::new(),
                day_last_min: Vec::new(),
                day_next_min: f64::INFINITY,
            },
            lockup: Lockup {
                found: None,
                visited: vec![false; model.stations.len()],
                stack: Vec::with_capacity(model.stations.len()),
            },
            arrival_stream: rng::stream(seed, "", 0, Purpose::Arrivals),
            mix_stream: rng::stream(seed, "", 0, Purpose::Routing),
            product_cumulative,
            lots: model.lot_size.map(|size| {
                Lots::new(
                    size,
                    model
                        .products
                        .iter()
                        .enumerate()
                        .map(|(p, product)| (p as u16, product.mix)),
                )
            }),
            plant_open: model.calendar.as_ref().is_none_or(|c| c.is_open(0.0)),
            plant_waiting: Vec::new(),
            unlimited: matches!(model.source, Source::Unlimited),
            interrupted: false,
            overflow: None,
            stalled: None,
            events: 0,
        }
    }

    /// The event loop's view of the state, at the current time.
    #[inline(always)]
    pub fn hot<const FULL: bool>(&mut self) -> Hot<'_, FULL> {
        Hot {
            model: self.model,
            now: self.now,
            unlimited: self.unlimited,
            queue: &mut self.queue,
            machines: &mut self.machines,
            streams: &mut self.streams,
            stations: &mut self.stations,
            pools: &mut self.pools,
            parts: &mut self.parts,
            free_parts: &mut self.free_parts,
            tasks: &mut self.tasks,
            books: &mut self.books,
            lockup: &mut self.lockup,
            arrival_stream: &mut self.arrival_stream,
            mix_stream: &mut self.mix_stream,
            product_cumulative: &self.product_cumulative,
            lots: &mut self.lots,
            plant_open: self.plant_open,
            plant_waiting: &mut self.plant_waiting,
        }
    }
}
