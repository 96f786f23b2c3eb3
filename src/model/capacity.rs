//! Static capacity: what each station could produce if it never waited for
//! parts or space, and the upper bound that puts on the line's good output.
//!
//! For station s, with `m` machines of availability `A`, working a share `W`
//! of the week (its operators' shifts; 1 when unmanned) and, per released
//! part, a mean machine time `L` (visits × mean processing time per part — a
//! batch's time shared by its parts — plus setups every N parts, with the
//! visit counts of scrap and rework solved exactly), the station can absorb
//! at most `m·A·W / L` releases per minute. The line's good output is at most
//! the smallest of these times the good parts per release. Setups on product
//! change depend on the sequence and are not counted.

use super::{Model, MIN_PER_H};

/// One station's static capacity.
#[derive(Clone, Debug)]
pub struct StationCapacity {
    pub name: String,
    pub machines: u32,
    /// Up time share × share of the week the station's crew works.
    pub availability: f64,
    /// Mean machine minutes per released part (all products, mix-weighted).
    pub load_min_per_release: f64,
    /// Releases per hour the station can handle.
    pub releases_per_h: f64,
    /// Good parts per hour of the line if this station were the only limit.
    pub good_parts_per_h: f64,
}

/// The capacity table of a model.
#[derive(Clone, Debug)]
pub struct Capacity {
    pub stations: Vec<StationCapacity>,
    /// Good parts per released part.
    pub good_per_release: f64,
    /// Index of the station with the smallest capacity.
    pub bottleneck: usize,
    /// The upper bound on good parts per hour.
    pub bound_per_h: f64,
}

/// Expected visits of each route position per released part of `product`.
pub fn route_visits(model: &Model, product: usize) -> (Vec<f64>, f64) {
    let p = &model.products[product];
    let n = p.route.len();
    let mut visits = vec![0.0; n];
    let mut exits = 0.0;
    // Fixed-point iteration; rework only sends parts back, with total
    // probability < 1 per visit, so this converges geometrically.
    for _ in 0..100_000 {
        let mut next = vec![0.0; n];
        next[0] = 1.0;
        let mut exit = 0.0;
        for k in 0..n {
            let station = &model.stations[p.route[k]];
            let scrap = station.scrap[product];
            let rework = match (&station.rework, p.rework_target[k]) {
                (Some(r), Some(target)) => {
                    next[target] += visits[k] * r.prob;
                    r.prob
                }
                _ => 0.0,
            };
            let forward = visits[k] * (1.0 - scrap - rework);
            if k + 1 < n {
                next[k + 1] += forward;
            } else {
                exit += forward;
            }
        }
        let change: f64 = next.iter().zip(&visits).map(|(a, b)| (a - b).abs()).sum();
        visits = next;
        exits = exit;
        if change < 1e-13 {
            break;
        }
    }
    (visits, exits)
}

/// Computes the static capacity table.
pub fn capacity(model: &Model) -> Capacity {
    let total_mix: f64 = model.products.iter().map(|p| p.mix).sum();
    let mut load = vec![0.0; model.stations.len()];
    let mut good_per_release = 0.0;
    for (product_idx, product) in model.products.iter().enumerate() {
        let share = product.mix / total_mix;
        let (visits, exits) = route_visits(model, product_idx);
        good_per_release += share * exits;
        for (k, &station) in product.route.iter().enumerate() {
            let s = &model.stations[station];
            let per_batch = s.batch.as_ref().map_or(1.0, |b| f64::from(b.size));
            let mut per_part = s.process[product_idx].mean() / per_batch;
            if let Some(setup) = &s.setup {
                if let super::SetupRule::Every(n) = setup.rule {
                    per_part += setup.time.mean() / f64::from(n);
                }
            }
            load[station] += share * visits[k] * per_part;
        }
    }
    let stations: Vec<StationCapacity> = model
        .stations
        .iter()
        .enumerate()
        .map(|(s, station)| {
            let on_shift = station.operators.map_or(1.0, |o| {
                model.pools[o.pool].minutes_per_week() / super::WEEK_MIN
            });
            let availability = model.availability(s) * on_shift;
            let releases_per_h = if load[s] > 0.0 {
                f64::from(station.machines) * availability / load[s] * MIN_PER_H
            } else {
                f64::INFINITY
            };
            StationCapacity {
                name: station.name.clone(),
                machines: station.machines,
                availability,
                load_min_per_release: load[s],
                releases_per_h,
                good_parts_per_h: releases_per_h * good_per_release,
            }
        })
        .collect();
    let bottleneck = (0..stations.len())
        .min_by(|&a, &b| {
            stations[a]
                .releases_per_h
                .total_cmp(&stations[b].releases_per_h)
        })
        .unwrap_or(0);
    let bound_per_h = stations
        .get(bottleneck)
        .map_or(f64::INFINITY, |s| s.good_parts_per_h);
    Capacity {
        stations,
        good_per_release,
        bottleneck,
        bound_per_h,
    }
}
