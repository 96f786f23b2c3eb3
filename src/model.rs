//! The validated production line: what the engine simulates.
//!
//! Everything here is resolved: names are indices, times are minutes,
//! per-product overrides are expanded into per-(station, product) tables, and
//! every invariant the engine relies on has been checked by the scenario
//! loader. The model owns no random state and does no I/O.

pub mod capacity;
pub mod dist;

pub use dist::Dist;

/// Index of a station in [`Model::stations`].
pub type StationIdx = usize;
/// Index of a product in [`Model::products`].
pub type ProductIdx = usize;

/// Minutes per hour, for reported rates.
pub const MIN_PER_H: f64 = 60.0;

/// A validated scenario variant, ready to simulate.
#[derive(Clone, Debug)]
pub struct Model {
    /// Scenario name (output folder name).
    pub name: String,
    /// Name of the variant this model is (`baseline` or a variant name).
    pub variant: String,
    pub warmup_min: f64,
    pub horizon_min: f64,
    pub replications: u32,
    pub seed: u64,
    pub source: Source,
    pub products: Vec<Product>,
    pub stations: Vec<Station>,
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

    /// Index of the station with this name.
    pub fn station_index(&self, name: &str) -> Option<StationIdx> {
        self.stations.iter().position(|s| s.name == name)
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

    /// Whether some product's route starts at this station.
    pub fn starts_routes(&self, station: StationIdx) -> bool {
        self.products.iter().any(|p| p.route[0] == station)
    }
}
