//! The validated production line: what the engine simulates.
//!
//! Everything here is resolved: names are indices, times are minutes,
//! per-product overrides are expanded into per-(station, product) tables, and
//! every invariant the engine relies on has been checked by the scenario
//! loader. The model owns no random state and does no I/O.

pub mod capacity;
pub mod date;
pub mod dist;
pub mod economics;
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
/// Minutes per day.
pub const MIN_PER_DAY: f64 = 1440.0;

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
    /// When the plant is closed, if the scenario has a calendar.
    pub calendar: Option<Calendar>,
    /// Releases in lots of this many parts of one product, in a fixed
    /// sequence that follows the mix (`None`: each part's product drawn).
    pub lot_size: Option<u32>,
    /// Parts in the line at time 0.
    pub initial_wip: Vec<InitialWip>,
}

/// Parts waiting at a station at time 0.
#[derive(Clone, Debug, PartialEq)]
pub struct InitialWip {
    pub station: StationIdx,
    pub product: ProductIdx,
    /// The position in the product's route of its first visit to the station.
    pub position: usize,
    pub count: u32,
}

/// The plant calendar: weekly closed windows and closed days (holidays),
/// time 0 being a Monday 00:00.
#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    /// Closed windows `[start, end)` in minutes from Monday 00:00, sorted,
    /// merged and inside one week.
    pub closed: Vec<(f64, f64)>,
    /// Closed days, as days from time 0, sorted and unique.
    pub holidays: Vec<u32>,
}

impl Calendar {
    /// Whether the plant is open at time `t` (minutes from time 0).
    pub fn is_open(&self, t: f64) -> bool {
        let day = (t / 1440.0).floor();
        if day >= 0.0 && self.holidays.binary_search(&(day as u32)).is_ok() {
            return false;
        }
        let w = t.rem_euclid(WEEK_MIN);
        !self
            .closed
            .iter()
            .any(|&(start, end)| start <= w && w < end)
    }

    /// The first time after `t` at which the plant opens or closes, if it
    /// ever does again.
    pub fn next_change(&self, t: f64) -> Option<f64> {
        let open = self.is_open(t);
        // Past the last holiday the calendar repeats weekly: a change comes
        // within two weeks of it, or never.
        let last_holiday_end = self
            .holidays
            .last()
            .map_or(0.0, |&d| (f64::from(d) + 1.0) * 1440.0);
        let limit = t.max(last_holiday_end) + 2.0 * WEEK_MIN;
        let mut at = t;
        while at <= limit {
            let next = self.next_boundary(at)?;
            if self.is_open(next) != open {
                return Some(next);
            }
            at = next;
        }
        None
    }

    /// The next boundary of a weekly window or a holiday after `t`.
    fn next_boundary(&self, t: f64) -> Option<f64> {
        let week_start = (t / WEEK_MIN).floor() * WEEK_MIN;
        let weekly = [week_start, week_start + WEEK_MIN]
            .into_iter()
            .flat_map(|week| {
                self.closed
                    .iter()
                    .flat_map(move |&(s, e)| [week + s, week + e])
            })
            .find(|&b| b > t);
        let day = (t / 1440.0).floor().max(-1.0) as i64;
        let holiday = self
            .holidays
            .iter()
            .map(|&d| i64::from(d))
            .find(|&d| d + 1 > day)
            .map(|d| {
                let (start, end) = (d as f64 * 1440.0, (d + 1) as f64 * 1440.0);
                if start > t {
                    start
                } else {
                    end
                }
            });
        match (weekly, holiday) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
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
    /// Loading before processing, per operation (a batch loads at once).
    pub load: Option<Dist>,
    /// Unloading after processing, per operation.
    pub unload: Option<Dist>,
    pub maintenance: Option<Maintenance>,
    /// Works while the plant calendar says closed.
    pub lights_out: bool,
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
    /// The steps they are needed for.
    pub task: OperatorTask,
}

/// The steps of an operation that hold its operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperatorTask {
    /// The whole operation: setup, loading, processing and unloading.
    All,
    /// Setup and loading, then unloading; the machine processes unattended.
    LoadUnload,
    /// Setups only.
    Setup,
}

impl Operators {
    /// Whether the operators are held while processing.
    pub fn attend_processing(&self) -> bool {
        self.task == OperatorTask::All
    }
}

/// Technicians of a pool that a repair or a maintenance needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crew {
    pub pool: PoolIdx,
    pub count: u32,
}

/// Planned maintenance of every machine of a station.
#[derive(Clone, Debug)]
pub struct Maintenance {
    /// From the end of one maintenance to the start of the next: elapsed
    /// minutes, or processing minutes on the operating basis.
    pub every_min: f64,
    pub duration: Dist,
    pub basis: FailureBasis,
    pub crew: Option<Crew>,
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
            MachineState::Down | MachineState::Maintenance => self.down_kw,
            MachineState::Blocked
            | MachineState::Starved
            | MachineState::WaitingOperator
            | MachineState::LoadUnload
            | MachineState::WaitingLoadUnload
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
    /// Cost of a paid operator-hour, if the scenario gives it.
    pub cost_per_h: Option<f64>,
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

    /// Minutes on shift from `from` to `to`.
    pub fn on_shift_minutes(&self, from: f64, to: f64) -> f64 {
        if self.shifts.is_none() {
            return (to - from).max(0.0);
        }
        let mut total = 0.0;
        let mut t = from;
        while t < to {
            let next = self.next_change(t).unwrap_or(to).min(to);
            if self.on_shift(t) {
                total += next - t;
            }
            t = next;
        }
        total
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
    /// The crew a repair waits for, if any.
    pub repair: Option<Crew>,
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

    /// Whether a station takes its operators, or a repair or maintenance
    /// crew, from `pool`.
    pub fn pool_used(&self, pool: PoolIdx) -> bool {
        self.stations.iter().any(|s| {
            s.operators.is_some_and(|o| o.pool == pool)
                || s.failures
                    .as_ref()
                    .and_then(|f| f.repair)
                    .is_some_and(|c| c.pool == pool)
                || s.maintenance
                    .as_ref()
                    .and_then(|m| m.crew)
                    .is_some_and(|c| c.pool == pool)
        })
    }

    /// The period of the model's calendar, minutes: a day where crews'
    /// shifts and the plant's closed windows are the same every day, a week
    /// where they differ between days (weekends), `None` where people are
    /// always at work and the plant always open. Holidays alone are no
    /// rhythm: they come once. Only the shifts of pools that stations use
    /// count, and the plant's closures only where some station does not
    /// work lights-out.
    pub fn rhythm_min(&self) -> Option<f64> {
        let mut calendars: Vec<&[(f64, f64)]> = self
            .pools
            .iter()
            .enumerate()
            .filter(|&(p, _)| self.pool_used(p))
            .filter_map(|(_, pool)| pool.shifts.as_deref())
            .collect();
        let closes = self.stations.iter().any(|s| !s.lights_out);
        if let Some(calendar) = self
            .calendar
            .as_ref()
            .filter(|c| closes && !c.closed.is_empty())
        {
            calendars.push(&calendar.closed);
        }
        if calendars.is_empty() {
            None
        } else if calendars.iter().all(|w| same_every_day(w)) {
            Some(MIN_PER_DAY)
        } else {
            Some(WEEK_MIN)
        }
    }
}

/// Whether weekly windows `[start, end)` (minutes from Monday 00:00) cover
/// the same hours of every day. Their indicator is constant between the
/// times of day at which any window starts or ends, so comparing the days
/// at the middle of each such piece is exact.
fn same_every_day(windows: &[(f64, f64)]) -> bool {
    let inside = |t: f64| windows.iter().any(|&(start, end)| start <= t && t < end);
    let mut cuts: Vec<f64> = windows
        .iter()
        .flat_map(|&(start, end)| [start, end])
        .map(|t| t.rem_euclid(MIN_PER_DAY))
        .chain([0.0, MIN_PER_DAY])
        .collect();
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    cuts.windows(2).all(|piece| {
        let middle = 0.5 * (piece[0] + piece[1]);
        (1..7).all(|day| inside(middle) == inside(f64::from(day) * MIN_PER_DAY + middle))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calendar_the_same_every_day_has_a_daily_rhythm() {
        let day = MIN_PER_DAY;
        let nights: Vec<(f64, f64)> = (0..7)
            .flat_map(|d| {
                let d = f64::from(d) * day;
                [(d, d + 360.0), (d + 1320.0, d + day)]
            })
            .collect();
        assert!(same_every_day(&nights));
        // Merged across midnight: the same hours, as one window a night.
        let merged: Vec<(f64, f64)> = std::iter::once((0.0, 360.0))
            .chain((0..6).map(|d| {
                let d = f64::from(d) * day;
                (d + 1320.0, d + day + 360.0)
            }))
            .chain(std::iter::once((6.0 * day + 1320.0, 7.0 * day)))
            .collect();
        assert!(same_every_day(&merged));
        // Closed at weekends as well: a weekly rhythm.
        let mut weekends = merged.clone();
        weekends.push((5.0 * day, 7.0 * day));
        assert!(!same_every_day(&weekends));
        // One day an hour longer.
        let mut longer = nights.clone();
        longer[2].1 += 60.0;
        assert!(!same_every_day(&longer));
        assert!(same_every_day(&[]));
    }

    #[test]
    fn the_calendar_reopens_after_a_long_closure() {
        // Closed at weekends, and a year of holidays from day 3 on.
        let calendar = Calendar {
            closed: vec![(5.0 * 1440.0, WEEK_MIN)],
            holidays: (3..368).collect(),
        };
        assert!(calendar.is_open(0.0));
        assert_eq!(calendar.next_change(0.0), Some(3.0 * 1440.0));
        // Day 368 (52 weeks and 4 days) is a Friday: open.
        let reopens = calendar.next_change(3.0 * 1440.0).unwrap();
        assert_eq!(reopens, 368.0 * 1440.0);
        assert!(calendar.is_open(reopens));
        // Never closed: no change ever.
        let open = Calendar {
            closed: Vec::new(),
            holidays: Vec::new(),
        };
        assert_eq!(open.next_change(100.0), None);
    }
}
