//! The validated production line: what the engine simulates.
//!
//! Everything here is resolved: names are indices, times are minutes,
//! per-product overrides are expanded into per-(station, product) tables, and
//! every invariant the engine relies on has been checked by the scenario
//! loader. The model owns no random state and does no I/O.

pub mod capacity;
pub mod dist;
pub mod state;

pub use dist::Dist;
pub use state::{MachineState, PerState, StateShares, STATE_COUNT};

/// Index of a station in [`Model::stations`].
pub type StationIdx = usize;
/// Index of a product in [`Model::products`].
pub type ProductIdx = usize;
/// Index of an operator pool in [`Model::pools`].
pub type PoolIdx = usize;

/// Minutes in a week: shift calendars repeat weekly from Monday 00:00.
pub const WEEK_MIN: f64 = 7.0 * 1440.0;

/// Minutes per hour, for reported rates.
pub const MIN_PER_H: f64 = 60.0;

/// How a scenario is run: the same for every variant, so that variants are
/// compared over the same replications with the same random streams.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunSettings {
    /// Independent replications per variant.
    pub replications: u32,
    /// Master seed: every random stream derives from it.
    pub seed: u64,
    /// Simulated time before measuring starts, minutes.
    pub warmup_min: f64,
    /// Measured period, minutes.
    pub horizon_min: f64,
}

impl RunSettings {
    /// Warm-up plus measured period: where a replication ends, minutes.
    pub fn end_min(&self) -> f64 {
        self.warmup_min + self.horizon_min
    }
}

/// A validated scenario variant, ready to simulate.
#[derive(Clone, Debug)]
pub struct Model {
    /// Name of the variant this model is (`baseline` or a variant name).
    pub variant: String,
    pub source: Source,
    pub products: Vec<Product>,
    pub stations: Vec<Station>,
    pub pools: Vec<Pool>,
    /// kg CO2 per kWh, if the scenario gives it.
    pub co2_kg_per_kwh: Option<f64>,
    /// Energy price per kWh, if the scenario gives it.
    pub price_per_kwh: Option<f64>,
}

/// How raw parts enter the line.
#[derive(Clone, Debug)]
pub enum Source {
    /// First stations are never starved: the line's capacity.
    Unlimited,
    /// A renewal process of releases into an unbounded release queue.
    Interarrival(Dist),
}

/// A product and its route.
#[derive(Clone, Debug)]
pub struct Product {
    pub name: String,
    /// Relative share of releases.
    pub mix: f64,
    /// Stations visited in order; a station may appear more than once.
    pub route: Vec<StationIdx>,
    /// For each route position, where a rework at that position sends the
    /// part (a route position at or before it), if the station has rework.
    pub rework_target: Vec<Option<usize>>,
}

/// A station: identical parallel machines in front of one FIFO buffer.
#[derive(Clone, Debug)]
pub struct Station {
    pub name: String,
    pub machines: u32,
    /// Capacity of the input buffer (waiting parts only); `None` is unbounded.
    pub buffer: Option<u32>,
    /// Processing time per product (the station default where not overridden).
    pub process: Vec<Dist>,
    pub failures: Option<Failures>,
    /// Scrap probability per product.
    pub scrap: Vec<f64>,
    /// Rework probability (per product, like scrap) and target station.
    pub rework: Option<Rework>,
    pub batch: Option<Batch>,
    pub setup: Option<Setup>,
    /// Operators needed per operation (`None`: unmanned, around the clock).
    pub operators: Option<Operators>,
    /// Move time to the next station.
    pub transfer: Option<Dist>,
    pub energy: Option<Energy>,
}

/// A batch machine (furnace, oven): one processing time per batch.
#[derive(Clone, Debug)]
pub struct Batch {
    pub size: u32,
    /// Smallest batch started after `max_wait_min`.
    pub min: u32,
    /// How long the oldest waiting part may wait before a partial batch
    /// starts (infinite: only full batches).
    pub max_wait_min: f64,
}

/// Setups before an operation.
#[derive(Clone, Debug)]
pub struct Setup {
    pub time: Dist,
    pub rule: SetupRule,
}

/// When a setup is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetupRule {
    /// The next part is of another product than the previous one.
    ProductChange,
    /// After every N parts.
    Every(u32),
}

/// Operators an operation needs.
#[derive(Clone, Copy, Debug)]
pub struct Operators {
    pub pool: PoolIdx,
    pub count: u32,
}

/// Power drawn by one machine in each state, kW.
#[derive(Clone, Copy, Debug)]
pub struct Energy {
    pub busy_kw: f64,
    pub idle_kw: f64,
    pub down_kw: f64,
    pub setup_kw: f64,
}

impl Energy {
    /// kW drawn by a machine in `state`.
    pub fn kw(&self, state: MachineState) -> f64 {
        match state {
            MachineState::Busy => self.busy_kw,
            MachineState::Setup => self.setup_kw,
            MachineState::Down => self.down_kw,
            MachineState::Blocked
            | MachineState::Starved
            | MachineState::WaitingOperator
            | MachineState::OffShift => self.idle_kw,
        }
    }
}

/// An operator pool with a weekly shift calendar.
#[derive(Clone, Debug)]
pub struct Pool {
    pub name: String,
    pub size: u32,
    /// Working windows `[start, end)` in minutes from Monday 00:00, sorted,
    /// merged and inside one week; `None` means always at work.
    pub shifts: Option<Vec<(f64, f64)>>,
}

impl Pool {
    /// Whether the pool works at time `t` (minutes from Monday 00:00).
    pub fn on_shift(&self, t: f64) -> bool {
        match &self.shifts {
            None => true,
            Some(windows) => {
                let w = t.rem_euclid(WEEK_MIN);
                windows.iter().any(|&(start, end)| start <= w && w < end)
            }
        }
    }

    /// The first time after `t` at which the pool's shift state changes.
    pub fn next_change(&self, t: f64) -> Option<f64> {
        let windows = self.shifts.as_ref()?;
        let week_start = (t / WEEK_MIN).floor() * WEEK_MIN;
        for week in [week_start, week_start + WEEK_MIN] {
            for &(start, end) in windows {
                for boundary in [week + start, week + end] {
                    if boundary > t {
                        return Some(boundary);
                    }
                }
            }
        }
        None
    }

    /// Working minutes per week.
    pub fn minutes_per_week(&self) -> f64 {
        match &self.shifts {
            None => WEEK_MIN,
            Some(windows) => windows.iter().map(|(s, e)| e - s).sum(),
        }
    }
}

/// Failure model of every machine of a station.
#[derive(Clone, Debug)]
pub struct Failures {
    pub ttf: Dist,
    pub ttr: Dist,
    pub basis: FailureBasis,
}

/// What the time to failure counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureBasis {
    /// Processing time only; a machine fails only while processing.
    Operating,
    /// Elapsed time; a failure can strike in any state.
    Calendar,
}

/// Rework: a finished part goes back to an earlier station of its route.
#[derive(Clone, Debug)]
pub struct Rework {
    pub prob: f64,
    pub to: StationIdx,
}

impl Model {
    /// Total number of machines of the line.
    pub fn machine_count(&self) -> usize {
        self.stations.iter().map(|s| s.machines as usize).sum()
    }

    /// Long-run availability of a machine of `station` (1 without failures).
    ///
    /// Operating basis: a machine that processes all the time is up a share
    /// `MTTF / (MTTF + MTTR)` of the time; calendar basis: the same ratio of
    /// elapsed time.
    pub fn availability(&self, station: StationIdx) -> f64 {
        match &self.stations[station].failures {
            None => 1.0,
            Some(f) => {
                let mttf = f.ttf.mean();
                mttf / (mttf + f.ttr.mean())
            }
        }
    }
}
