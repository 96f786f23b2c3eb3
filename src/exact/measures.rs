//! The figures of a line read off the stationary distribution of its
//! chain: state shares, buffer levels, WIP and throughput per station.

use super::chain::{
    Chain, BLOCKED_DOWN, BLOCKED_UP, BUFFER, BUSY_DOWN, BUSY_UP, FIELDS, IDLE_DOWN, LOADING,
};
use super::solve::Solution;
use super::{per_hour, ExactStation, ExactVariant, Line};
use crate::model::{MachineState, StateShares};

/// Reads the figures of `summary.json` off the stationary distribution.
/// (One pass over the states accumulates every station's figures at once;
/// the function is as long as the list of figures.)
pub fn measures(line: &Line, chain: &Chain, solution: &Solution, variant: &str) -> ExactVariant {
    let n_stations = line.stations.len();
    let release = n_stations * FIELDS;
    let mut busy = vec![0.0; n_stations];
    let mut down = vec![0.0; n_stations];
    let mut blocked = vec![0.0; n_stations];
    let mut idle = vec![0.0; n_stations];
    let mut buffer = vec![0.0; n_stations];
    let mut loading = vec![0.0; n_stations];
    let mut waiting_load = vec![0.0; n_stations];
    let (mut wip, mut release_queue, mut truncation_mass) = (0.0, 0.0, 0.0);
    for (i, &p) in solution.pi.iter().enumerate() {
        let s = chain.state(i);
        for (k, station) in line.stations.iter().enumerate() {
            let f = |field: usize| f64::from(s[k * FIELDS + field]);
            busy[k] += p * f(BUSY_UP);
            down[k] += p * (f(BUSY_DOWN) + f(BLOCKED_DOWN) + f(IDLE_DOWN));
            blocked[k] += p * f(BLOCKED_UP);
            let idle_up = f64::from(station.machines)
                - f(BUSY_UP)
                - f(BUSY_DOWN)
                - f(BLOCKED_UP)
                - f(BLOCKED_DOWN)
                - f(IDLE_DOWN)
                - f(LOADING);
            idle[k] += p * idle_up;
            buffer[k] += p * f(BUFFER);
            if let Some((_, servers)) = station.load {
                let being_loaded = f(LOADING).min(f64::from(servers));
                loading[k] += p * being_loaded;
                waiting_load[k] += p * (f(LOADING) - being_loaded);
            }
            wip += p
                * (f(BUSY_UP)
                    + f(BUSY_DOWN)
                    + f(BLOCKED_UP)
                    + f(BLOCKED_DOWN)
                    + f(BUFFER)
                    + f(LOADING));
            if station.unbounded && s[k * FIELDS + BUFFER] == station.capacity {
                truncation_mass += p;
            }
        }
        if line.arrival_rate.is_some() {
            release_queue += p * f64::from(s[release]);
            if line.release_capacity > 0 && s[release] == line.release_capacity {
                truncation_mass += p;
            }
        }
    }
    let stations: Vec<ExactStation> = line
        .stations
        .iter()
        .enumerate()
        .map(|(k, station)| {
            let m = f64::from(station.machines);
            let mut shares = StateShares::default();
            shares[MachineState::Busy] = busy[k] / m;
            shares[MachineState::Blocked] = blocked[k] / m;
            shares[MachineState::Starved] = idle[k] / m;
            shares[MachineState::Down] = down[k] / m;
            shares[MachineState::LoadUnload] = loading[k] / m;
            shares[MachineState::WaitingLoadUnload] = waiting_load[k] / m;
            ExactStation {
                name: station.name.clone(),
                shares,
                buffer_mean: buffer[k],
                throughput_per_h: per_hour(busy[k] * station.rate * (1.0 - station.scrap)),
            }
        })
        .collect();
    let throughput_per_h = stations.last().map_or(0.0, |s| s.throughput_per_h);
    let no_scrap = line.stations.iter().all(|s| s.scrap == 0.0);
    ExactVariant {
        name: variant.to_owned(),
        throughput_per_h,
        wip_mean: wip,
        lead_time_min_mean: (no_scrap && throughput_per_h > 0.0)
            .then(|| wip / (throughput_per_h / 60.0)),
        release_queue_mean: release_queue,
        stations,
        states: chain.len(),
        transitions: chain.transitions.len(),
        method: solution.method.to_owned(),
        iterations: solution.iterations,
        residual: solution.residual,
        truncation_mass,
    }
}
