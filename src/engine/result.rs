//! What a replication measured: the results the engine hands back, for the
//! measured period only. Plain data: the summary and the report read it.

use crate::model::{StateShares, MIN_PER_H};
use crate::stats::collect::Histogram;

/// What one replication measured (the measured period only).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
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
    /// Good parts of each measured day (whole days only; empty unless a
    /// back-test asked for them, see [`crate::engine::simulate_daily`]).
    pub good_per_day: Vec<u32>,
    /// The share of each (station, state) a back-test asked for in each
    /// measured day, day-major: day d's shares are `d * columns ..
    /// (d + 1) * columns` (NaN for a day a run that ended early did not
    /// reach; empty unless asked for, see
    /// [`crate::engine::simulate_daily_until`]).
    pub share_per_day: Vec<f64>,
    /// Good parts of each product (in the model's product order).
    pub good_by_product: Vec<u64>,
    /// Person-minutes of each pool held by tasks in the measured period.
    pub pool_held_min: Vec<f64>,
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
    /// The run stopped because more than [`super::WIP_LIMIT`] parts were in the line.
    pub overflow: Option<Overflow>,
    /// The run stopped because simulated time stood still for
    /// [`super::STALL_EVENTS`] events.
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
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct StationResult {
    /// Machine-minutes spent in each state.
    #[serde(with = "state_minutes")]
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
    /// Time the station was the sole bottleneck, minutes (see
    /// [`crate::stats::bottleneck`]).
    pub bottleneck_sole_min: f64,
    /// Time the station was a shifting bottleneck, minutes.
    pub bottleneck_shifting_min: f64,
    /// Machine-minutes off shift with work waiting (a part on the machine
    /// or in its buffer): time an absent crew holds the station up.
    pub off_shift_waiting_min: f64,
    /// Machine-minutes down waiting for a repair crew (part of `down`).
    pub repair_waiting_min: f64,
    /// Planned maintenances started.
    pub maintenances: u64,
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

/// Where the parts piled up when the line held more than [`super::WIP_LIMIT`].
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stall {
    /// Simulated time, minutes.
    pub time_min: f64,
    /// Stations whose machines changed state at that instant.
    pub stations: Vec<String>,
}

/// A lock-up: no part can move any more.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Deadlock {
    /// Simulated time at which the line locked up, minutes.
    pub time_min: f64,
    /// Stations with machines blocked by a full downstream station.
    pub stations: Vec<String>,
    /// Pools whose people every waiting request needs but nobody will
    /// free (all held by machines that are down or waiting themselves).
    pub pools: Vec<String>,
    /// Stations whose machines keep people of those pools while they wait
    /// themselves (down, for a repair).
    #[serde(default)]
    pub holders: Vec<String>,
}

/// A station's minutes per state as they are: every value's bits kept, so
/// that a result read back from a shard's part is the result computed
/// (the JSON form of [`StateShares`] writes NaN as null).
mod state_minutes {
    use crate::model::{PerState, StateShares, STATE_COUNT};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(value: &StateShares, serializer: S) -> Result<S::Ok, S::Error> {
        value.0.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<StateShares, D::Error> {
        <[f64; STATE_COUNT]>::deserialize(deserializer).map(PerState)
    }
}
