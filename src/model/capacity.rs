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
//!
//! The machine time of an operation includes its loading and unloading;
//! planned maintenance on the operating basis adds its duration per `every`
//! minutes of processing, on the calendar basis it takes a share
//! `duration / (every + duration)` of the time (an estimate: the machine
//! finishes its part first). Under a plant calendar, `W` is the share of
//! the time the plant is open and the crew on shift (lights-out stations:
//! the crew only; a crew needed only for setups does not count). Work
//! started in a working spell is finished after it, so `W` also counts, after
//! each spell, up to a mean operation's length.
//!
//! Operator pools are bounded the same way: a pool of `n` people on shift a
//! share `W` of the week, whose tasks (operations, loading and unloading,
//! setups, repairs and maintenances on the operating basis, each times the
//! people it takes) take `L` minutes per released part, absorbs at most
//! `n·W / L` releases per minute (`W`: on shift, and after each shift up to
//! the longest of its mean tasks).

use super::{Model, MIN_PER_H};

/// One station's static capacity.
#[derive(Clone, Debug)]
pub struct StationCapacity {
    pub name: String,
    pub machines: u32,
    /// Up time share × share of the week the station can be working (its
    /// crew on shift, the plant open, and the operation under way after).
    pub availability: f64,
    /// Mean machine minutes per released part (all products, mix-weighted).
    pub load_min_per_release: f64,
    /// Releases per hour the station can handle.
    pub releases_per_h: f64,
    /// Good parts per hour of the line if this station were the only limit.
    pub good_parts_per_h: f64,
}

/// One operator pool's static capacity.
#[derive(Clone, Debug)]
pub struct PoolCapacity {
    pub name: String,
    pub size: u32,
    /// Share of the week the pool's people can be at work: on shift, and
    /// after each shift the longest of its mean tasks.
    pub on_shift: f64,
    /// Person-minutes of work per released part.
    pub work_min_per_release: f64,
    /// Releases per hour the pool can handle.
    pub releases_per_h: f64,
    /// Good parts per hour of the line if this pool were the only limit.
    pub good_parts_per_h: f64,
}

/// What bounds the line's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Station(usize),
    Pool(usize),
}

/// The capacity table of a model.
#[derive(Clone, Debug)]
pub struct Capacity {
    pub stations: Vec<StationCapacity>,
    pub pools: Vec<PoolCapacity>,
    /// The station or pool of least capacity.
    pub limit: Limit,
    /// Good parts per released part.
    pub good_per_release: f64,
    /// Index of the station with the smallest capacity.
    pub bottleneck: usize,
    /// The upper bound on good parts per hour (stations and pools).
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

impl Capacity {
    /// The name of the station or pool that bounds the output.
    pub fn limit_name(&self) -> &str {
        match self.limit {
            Limit::Station(s) => &self.stations[s].name,
            Limit::Pool(p) => &self.pools[p].name,
        }
    }
}

/// Mean machine minutes and operator minutes of one part of `product` at
/// `station` (a batch's times shared by its parts), and the person-minutes
/// it puts on each pool.
fn part_times(model: &Model, station: usize, product: usize, work: &mut [f64], weight: f64) -> f64 {
    let s = &model.stations[station];
    let per_batch = s.batch.as_ref().map_or(1.0, |b| f64::from(b.size));
    let mean = |d: &Option<super::Dist>| d.as_ref().map_or(0.0, |d| d.mean());
    let process = s.process[product].mean() / per_batch;
    let handling = (mean(&s.load) + mean(&s.unload)) / per_batch;
    let setup = match &s.setup {
        Some(setup) => match setup.rule {
            super::SetupRule::Every(n) => setup.time.mean() / f64::from(n),
            super::SetupRule::ProductChange => 0.0,
        },
        None => 0.0,
    };
    let mut machine = process + handling + setup;
    if let Some(m) = s
        .maintenance
        .as_ref()
        .filter(|m| m.basis == super::FailureBasis::Operating)
    {
        let maintenance = process * m.duration.mean() / m.every_min;
        machine += maintenance;
        if let Some(crew) = m.crew {
            work[crew.pool] += weight * maintenance * f64::from(crew.count);
        }
    }
    if let Some(o) = s.operators {
        let held = match o.task {
            super::OperatorTask::All => process + handling + setup,
            super::OperatorTask::LoadUnload => handling + setup,
            super::OperatorTask::Setup => setup,
        };
        work[o.pool] += weight * held * f64::from(o.count);
    }
    if let Some(f) = s
        .failures
        .as_ref()
        .filter(|f| f.basis == super::FailureBasis::Operating)
    {
        if let Some(crew) = f.repair {
            let repairs = process / f.ttf.mean() * f.ttr.mean();
            work[crew.pool] += weight * repairs * f64::from(crew.count);
        }
    }
    machine
}

/// Whether the station's operators are needed for every part it works
/// (the whole operation, or loading or unloading), so that it works only
/// while they are on shift. Operators needed only for setups (`"setup"`,
/// or `"load_unload"` with neither step) leave the machines working
/// unattended; the pool's work for the setups bounds the line in the
/// pool's own row.
pub fn crew_paces(station: &super::Station) -> bool {
    station.operators.is_some_and(|o| match o.task {
        super::OperatorTask::All => true,
        super::OperatorTask::LoadUnload => station.load.is_some() || station.unload.is_some(),
        super::OperatorTask::Setup => false,
    })
}

/// The share of the time station `s` can work: its pool on shift (where
/// the pool paces it, [`crew_paces`]) and, under a plant calendar, the
/// plant open (unless it works lights-out); over one week, or over the
/// weeks up to the last holiday.
pub fn working_share(model: &Model, s: usize) -> f64 {
    station_reach(model, s, 0.0)
}

/// The mean setup time per operation of `station`, as the machine time
/// counts it (setups every N parts; those on product change depend on the
/// sequence and are not counted).
fn setup_per_operation(station: &super::Station) -> f64 {
    match &station.setup {
        Some(setup) => match setup.rule {
            super::SetupRule::Every(n) => setup.time.mean() / f64::from(n),
            super::SetupRule::ProductChange => 0.0,
        },
        None => 0.0,
    }
}

/// The mean length of an operation of `station`, of its slowest product:
/// loading, processing (a batch's), unloading and its share of setups.
fn operation_length(station: &super::Station) -> f64 {
    let mean = |d: &Option<super::Dist>| d.as_ref().map_or(0.0, |d| d.mean());
    let process = station.process.iter().map(|d| d.mean()).fold(0.0, f64::max);
    setup_per_operation(station) + mean(&station.load) + process + mean(&station.unload)
}

/// The longest of the mean tasks the people of pool `p` start: what each
/// station holds them for, the repairs and maintenances they answer.
fn longest_task(model: &Model, p: usize) -> f64 {
    let mean = |d: &Option<super::Dist>| d.as_ref().map_or(0.0, |d| d.mean());
    let mut longest: f64 = 0.0;
    for station in &model.stations {
        let setup = setup_per_operation(station);
        if let Some(o) = station.operators.filter(|o| o.pool == p) {
            longest = longest.max(match o.task {
                super::OperatorTask::All => operation_length(station),
                super::OperatorTask::LoadUnload => {
                    (setup + mean(&station.load)).max(mean(&station.unload))
                }
                super::OperatorTask::Setup => station.setup.as_ref().map_or(0.0, |s| s.time.mean()),
            });
        }
        if let Some(f) = station
            .failures
            .as_ref()
            .filter(|f| f.repair.is_some_and(|c| c.pool == p))
        {
            longest = longest.max(f.ttr.mean());
        }
        if let Some(m) = station
            .maintenance
            .as_ref()
            .filter(|m| m.crew.is_some_and(|c| c.pool == p))
        {
            longest = longest.max(m.duration.mean());
        }
    }
    longest
}

/// The share of `period` minutes (from time 0, by the minute) in which
/// work could be under way if it can start only while `works` and each
/// piece lasts at most `longest` minutes: the working time, and up to
/// `longest` minutes after each working spell (work under way at its end
/// is finished). The period repeats: a spell at its end reaches into its
/// start.
fn reach(period_min: f64, longest: f64, works: impl Fn(f64) -> bool) -> f64 {
    let minutes = period_min.ceil() as i64;
    if minutes <= 0 {
        return 1.0;
    }
    let working: Vec<bool> = (0..minutes).map(|m| works(m as f64 + 0.5)).collect();
    let Some(last) = working.iter().rposition(|&w| w) else {
        return 0.0;
    };
    // Minutes since the end of the latest working minute, starting from
    // the last one of the period (the cycle before).
    let mut since = (minutes - 1 - last as i64) as f64;
    let mut usable = 0usize;
    for &w in &working {
        if w {
            since = 0.0;
            usable += 1;
        } else {
            // This minute starts `since` minutes after the last working
            // minute ended: work started then still runs in it.
            if since < longest {
                usable += 1;
            }
            since += 1.0;
        }
    }
    usable as f64 / minutes as f64
}

/// The share of the time machines of station `s` can be working: while
/// they can start work ([`working_share`]) and while what they started
/// then is finished (a mean operation after each spell).
fn reach_share(model: &Model, s: usize) -> f64 {
    station_reach(model, s, operation_length(&model.stations[s]))
}

/// The share of the time station `s` can start work, with `longest`
/// minutes after each working spell ([`reach`]).
fn station_reach(model: &Model, s: usize, longest: f64) -> f64 {
    let station = &model.stations[s];
    let pool = station
        .operators
        .filter(|_| crew_paces(station))
        .map(|o| &model.pools[o.pool]);
    let on_shift = |t: f64| pool.is_none_or(|p| p.on_shift(t));
    match model.calendar.as_ref().filter(|_| !station.lights_out) {
        Some(calendar) => {
            let weeks = calendar.holidays.last().map_or(1.0, |&d| {
                ((f64::from(d) + 1.0) * 1440.0 / super::WEEK_MIN).ceil()
            });
            reach(weeks * super::WEEK_MIN, longest, |t| {
                calendar.is_open(t) && on_shift(t)
            })
        }
        None => match pool.filter(|p| p.shifts.is_some()) {
            Some(_) => reach(super::WEEK_MIN, longest, on_shift),
            None => 1.0,
        },
    }
}

/// The share of the week pool `p`'s people can be at work: on shift, and
/// finishing after each shift the longest task they start.
fn pool_reach_share(model: &Model, p: usize) -> f64 {
    let pool = &model.pools[p];
    if pool.shifts.is_none() {
        return 1.0;
    }
    reach(super::WEEK_MIN, longest_task(model, p), |t| {
        pool.on_shift(t)
    })
}

/// Good parts per hour from releases per hour: none where no release ends
/// as a good part, even at a station without work (whose release rate is
/// infinite), so that the table never shows `inf × 0`.
fn good_rate(releases_per_h: f64, good_per_release: f64) -> f64 {
    if good_per_release > 0.0 {
        releases_per_h * good_per_release
    } else {
        0.0
    }
}

/// Computes the static capacity table.
pub fn capacity(model: &Model) -> Capacity {
    let total_mix: f64 = model.products.iter().map(|p| p.mix).sum();
    let mut load = vec![0.0; model.stations.len()];
    let mut work = vec![0.0; model.pools.len()];
    let mut good_per_release = 0.0;
    for (product_idx, product) in model.products.iter().enumerate() {
        let share = product.mix / total_mix;
        let (visits, exits) = route_visits(model, product_idx);
        good_per_release += share * exits;
        for (k, &station) in product.route.iter().enumerate() {
            let weight = share * visits[k];
            load[station] += weight * part_times(model, station, product_idx, &mut work, weight);
        }
    }
    let stations: Vec<StationCapacity> = model
        .stations
        .iter()
        .enumerate()
        .map(|(s, station)| {
            let maintained = station
                .maintenance
                .as_ref()
                .filter(|m| m.basis == super::FailureBasis::Calendar)
                .map_or(1.0, |m| m.every_min / (m.every_min + m.duration.mean()));
            let availability = model.availability(s) * maintained * reach_share(model, s);
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
                good_parts_per_h: good_rate(releases_per_h, good_per_release),
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
    let pools: Vec<PoolCapacity> = model
        .pools
        .iter()
        .zip(&work)
        .enumerate()
        .map(|(p, (pool, &work))| {
            let on_shift = pool_reach_share(model, p);
            let releases_per_h = if work > 0.0 {
                f64::from(pool.size) * on_shift / work * MIN_PER_H
            } else {
                f64::INFINITY
            };
            PoolCapacity {
                name: pool.name.clone(),
                size: pool.size,
                on_shift,
                work_min_per_release: work,
                releases_per_h,
                good_parts_per_h: good_rate(releases_per_h, good_per_release),
            }
        })
        .collect();
    let mut limit = Limit::Station(bottleneck);
    let mut bound_per_h = stations
        .get(bottleneck)
        .map_or(f64::INFINITY, |s| s.good_parts_per_h);
    for (p, pool) in pools.iter().enumerate() {
        if pool.good_parts_per_h < bound_per_h {
            bound_per_h = pool.good_parts_per_h;
            limit = Limit::Pool(p);
        }
    }
    Capacity {
        stations,
        pools,
        limit,
        good_per_release,
        bottleneck,
        bound_per_h,
    }
}
