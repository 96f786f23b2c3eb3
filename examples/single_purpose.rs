//! A single-purpose simulator of serial lines such as the benchmark models
//! (`benches/models/line5.toml`, `big20.toml`), and a paired speed
//! comparison of alloysim's engine against it (docs/PERFORMANCE.md).
//!
//! It does only what those models need: one product, an unlimited supply
//! in front of the first station, blocking after service, buffers that
//! count waiting parts only, failures on the operating basis with
//! preempt-resume, and scrap at completion. A machine has one pending event
//! at a time (the earlier of its completion and its failure, or the end of
//! its repair), the event list is a binary heap of single integer keys with
//! replace-top, and the hand-over of a finished part runs as one loop. Every
//! machine draws from its own streams, as alloysim's do, and it samples with
//! alloysim's distributions, so that what the comparison measures is the
//! engine around them. Bare, its only statistics are the good parts of
//! the measured period and the number of events.
//!
//! ```sh
//! cargo run --release --example single_purpose -- benches/models/line5.toml 15
//! cargo run --release --example single_purpose -- benches/models/big20.toml 15
//! ```
//!
//! Three simulators take part: the bare single-purpose one, the same with
//! the bookkeeping alloysim does in every run (part identities, lead-time
//! histogram, WIP and its series, minutes per machine state, buffer levels,
//! the active-period bottleneck tracker), and alloysim's engine. The second
//! argument is the number of rounds: each round runs one replication of the
//! model's horizon with each simulator in turn, rotating which goes first,
//! on one thread. It prints each one's throughput (they must agree: all
//! three model the same line) and the median ratio of its good parts per
//! second to the bare simulator's. `--only=single`, `--only=books` or
//! `--only=alloysim` as a third argument runs that one alone, for
//! callgrind (`benches/instructions.sh` explains the marginal count).

use alloysim::engine::rng::{self, Purpose, Stream};
use alloysim::engine::simulate;
use alloysim::model::{Dist, FailureBasis, Model, RunSettings, Source};
use alloysim::scenario::Scenario;
use alloysim::stats::bottleneck::{ActivePeriods, BottleneckTimes};
use alloysim::stats::collect::{BinnedLevel, Histogram, TimeWeighted};
use rand::Rng;
use std::collections::VecDeque;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

/// What a machine is doing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Starved: nothing to do.
    Idle,
    /// Processing; its pending event is a completion or a failure.
    Busy,
    /// Under repair; its pending event is the repair's end.
    Down,
    /// Finished, waiting for room downstream.
    Blocked,
}

struct Machine {
    station: usize,
    phase: Phase,
    /// Processing time still to do of the current part, minutes.
    work: f64,
    /// Processing time left until the next failure, minutes.
    ttf: f64,
    /// The pending event of a busy machine is its failure.
    fails: bool,
    process: Stream,
    scrap: Stream,
    failure: Stream,
    repair: Stream,
    /// Bookkeeping: the part on the machine, the time of its last change
    /// of phase and its minutes in each phase.
    part: u32,
    since: f64,
    phase_min: [f64; 4],
}

struct Station {
    process: Dist,
    scrap: f64,
    ttf: Option<(Dist, Dist)>,
    /// Waiting parts and the buffer's capacity.
    waiting: u32,
    capacity: u32,
    idle: Vec<u32>,
    /// Machines of the station before, blocked by this one, in order.
    blocked: VecDeque<u32>,
    /// Bookkeeping: the waiting parts in order and their time-weighted count.
    parts: VecDeque<u32>,
    level: TimeWeighted,
    /// Bookkeeping: machines idle or blocked; the station is active (for
    /// the bottleneck measure) while none is.
    inactive: u32,
    active: bool,
}

/// What alloysim keeps of every run besides the good parts: part
/// identities and release times, the time-weighted WIP and its series, the
/// lead-time histogram and alloysim's active-period bottleneck tracker
/// (each machine's minutes per phase, each buffer's time-weighted level
/// and each station's activity are kept above). Only the `STATS` build
/// keeps them.
struct Books {
    release: Vec<f64>,
    free: Vec<u32>,
    wip: TimeWeighted,
    series: BinnedLevel,
    lead_times: Histogram,
    bottleneck: ActivePeriods,
}

/// Event list: a binary min-heap of keys `time bits << 64 | seq << 16 | machine`.
struct Heap(Vec<u128>);

impl Heap {
    fn key(time: f64, seq: u64, machine: u32) -> u128 {
        (u128::from(time.to_bits()) << 64) | (u128::from(seq) << 16) | u128::from(machine)
    }

    fn push(&mut self, key: u128) {
        let heap = &mut self.0;
        let mut i = heap.len();
        heap.push(key);
        while i > 0 {
            let parent = (i - 1) / 2;
            if heap[parent] <= key {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = key;
    }

    /// Puts `key` in the root's place and sifts it down.
    fn replace_top(&mut self, key: u128) {
        let heap = &mut self.0;
        let n = heap.len();
        let mut i = 0;
        loop {
            let left = 2 * i + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && heap[right] < heap[left] {
                right
            } else {
                left
            };
            if key <= heap[child] {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = key;
    }

    fn pop_top(&mut self) {
        let last = self.0.pop().expect("not empty");
        if !self.0.is_empty() {
            self.replace_top(last);
        }
    }
}

struct Line<const STATS: bool> {
    books: Books,
    machines: Vec<Machine>,
    stations: Vec<Station>,
    heap: Heap,
    /// The popped event's slot is still at the heap's root.
    root_free: bool,
    seq: u64,
    now: f64,
}

impl<const STATS: bool> Line<STATS> {
    fn new(model: &Model, run: &RunSettings, replication: u32) -> Self {
        assert!(
            model.products.len() == 1
                && matches!(model.source, Source::Unlimited)
                && model.calendar.is_none()
                && model.initial_wip.is_empty()
                && model.machine_count() < 1 << 16,
            "single_purpose: one product, an unlimited supply, no calendar, no initial WIP \
             and fewer than 65 536 machines only"
        );
        let route = &model.products[0].route;
        assert!(
            route.iter().enumerate().all(|(i, &s)| s == i) && route.len() == model.stations.len(),
            "single_purpose: a serial line visiting every station once, in order"
        );
        let seed = rng::replication_seed(run.seed, replication);
        let mut machines = Vec::new();
        let mut stations = Vec::new();
        for (k, s) in model.stations.iter().enumerate() {
            assert!(
                s.rework.is_none()
                    && s.batch.is_none()
                    && s.setup.is_none()
                    && s.operators.is_none()
                    && s.load.is_none()
                    && s.unload.is_none()
                    && s.maintenance.is_none()
                    && s.transfer.is_none(),
                "single_purpose: station {} uses a feature this simulator lacks",
                s.name
            );
            let ttf = s.failures.as_ref().map(|f| {
                assert!(
                    f.basis == FailureBasis::Operating && f.repair.is_none(),
                    "single_purpose: failures on the operating basis, repaired at once, only"
                );
                (f.ttf.clone(), f.ttr.clone())
            });
            let mut idle = Vec::new();
            for j in 0..s.machines {
                let stream = |p| rng::stream(seed, &s.name, j, p);
                let mut failure = stream(Purpose::Failure);
                let first_ttf = ttf
                    .as_ref()
                    .map_or(f64::INFINITY, |(d, _)| d.sample(&mut failure));
                idle.push(machines.len() as u32);
                machines.push(Machine {
                    station: k,
                    phase: Phase::Idle,
                    work: 0.0,
                    ttf: first_ttf,
                    fails: false,
                    process: stream(Purpose::Process),
                    scrap: stream(Purpose::Scrap),
                    failure,
                    repair: stream(Purpose::Repair),
                    part: u32::MAX,
                    since: 0.0,
                    phase_min: [0.0; 4],
                });
            }
            stations.push(Station {
                process: s.process[0].clone(),
                scrap: s.scrap[0],
                ttf,
                waiting: 0,
                capacity: s.buffer.unwrap_or(u32::MAX),
                idle,
                blocked: VecDeque::new(),
                parts: VecDeque::new(),
                level: TimeWeighted::default(),
                inactive: s.machines,
                active: false,
            });
        }
        Line {
            books: Books {
                release: Vec::new(),
                free: Vec::new(),
                wip: TimeWeighted::default(),
                series: BinnedLevel::new(run.end_min()),
                lead_times: Histogram::default(),
                bottleneck: ActivePeriods::new(model.stations.len(), run.warmup_min),
            },
            machines,
            stations,
            heap: Heap(Vec::with_capacity(64)),
            root_free: false,
            seq: 0,
            now: 0.0,
        }
    }

    fn schedule(&mut self, delay: f64, machine: u32) {
        self.seq += 1;
        let key = Heap::key(self.now + delay, self.seq, machine);
        if self.root_free {
            self.root_free = false;
            self.heap.replace_top(key);
        } else {
            self.heap.push(key);
        }
    }

    /// Machine `m` changes to `phase`.
    #[inline(always)]
    fn set_phase(&mut self, m: u32, phase: Phase) {
        let machine = &mut self.machines[m as usize];
        if STATS {
            machine.phase_min[machine.phase as usize] += self.now - machine.since;
            machine.since = self.now;
            let inactive = |p| matches!(p, Phase::Idle | Phase::Blocked);
            let (was, is) = (inactive(machine.phase), inactive(phase));
            machine.phase = phase;
            if was != is {
                let k = machine.station;
                let station = &mut self.stations[k];
                station.inactive = if is {
                    station.inactive + 1
                } else {
                    station.inactive - 1
                };
                let active = station.inactive == 0;
                if active != station.active {
                    station.active = active;
                    self.books.bottleneck.set_active(k, active, self.now);
                }
            }
            return;
        }
        machine.phase = phase;
    }

    /// A new part enters the line on machine `m` (of the first station).
    fn release(&mut self, m: u32) {
        let books = &mut self.books;
        let part = match books.free.pop() {
            Some(part) => {
                books.release[part as usize] = self.now;
                part
            }
            None => {
                books.release.push(self.now);
                books.release.len() as u32 - 1
            }
        };
        self.machines[m as usize].part = part;
        let wip = books.wip.level + 1;
        books.wip.set(self.now, wip);
        books.series.set(self.now, wip as f64);
    }

    /// The part of machine `m` leaves the line, good or scrapped.
    fn depart(&mut self, m: u32, good: bool) {
        let books = &mut self.books;
        let part = self.machines[m as usize].part;
        if good {
            books
                .lead_times
                .add(self.now - books.release[part as usize]);
        }
        books.free.push(part);
        let wip = books.wip.level - 1;
        books.wip.set(self.now, wip);
        books.series.set(self.now, wip as f64);
    }

    /// The waiting parts of station `k` change by one (the count is set).
    #[inline(always)]
    fn buffer_changed(&mut self, k: usize) {
        if STATS {
            let station = &mut self.stations[k];
            station.level.set(self.now, u64::from(station.waiting));
        }
    }

    /// Runs the machine's current part until its completion or its next
    /// failure, whichever comes first.
    fn run_segment(&mut self, m: u32) {
        self.set_phase(m, Phase::Busy);
        let machine = &mut self.machines[m as usize];
        let (delay, fails) = if machine.ttf < machine.work {
            (machine.ttf, true)
        } else {
            (machine.work, false)
        };
        machine.fails = fails;
        self.schedule(delay, m);
    }

    fn start(&mut self, m: u32) {
        let machine = &mut self.machines[m as usize];
        let station = &self.stations[machine.station];
        machine.work = station.process.sample(&mut machine.process);
        self.run_segment(m);
    }

    /// Machine `m` has just become free: it takes the next part, and the
    /// room this frees upstream releases a blocked machine, and so on up
    /// the line.
    fn freed(&mut self, mut m: u32) {
        loop {
            let k = self.machines[m as usize].station;
            let station = &mut self.stations[k];
            if k == 0 {
                if STATS {
                    self.release(m);
                }
                self.start(m);
                return;
            }
            if station.waiting > 0 {
                station.waiting -= 1;
                if STATS {
                    let part = station.parts.pop_front().expect("waiting");
                    self.machines[m as usize].part = part;
                }
                self.start(m);
                let station = &mut self.stations[k];
                match station.blocked.pop_front() {
                    Some(up) => {
                        station.waiting += 1;
                        if STATS {
                            station.parts.push_back(self.machines[up as usize].part);
                        }
                        m = up;
                    }
                    None => {
                        self.buffer_changed(k);
                        return;
                    }
                }
            } else if let Some(up) = station.blocked.pop_front() {
                if STATS {
                    self.machines[m as usize].part = self.machines[up as usize].part;
                }
                self.start(m);
                m = up;
            } else {
                self.set_phase(m, Phase::Idle);
                self.stations[k].idle.push(m);
                return;
            }
        }
    }

    /// Machine `m` finished its part: scrap, or hand it over downstream.
    /// Returns whether a good part left the line.
    fn complete(&mut self, m: u32) -> bool {
        let machine = &mut self.machines[m as usize];
        machine.ttf -= machine.work;
        let k = machine.station;
        let station = &self.stations[k];
        if station.scrap > 0.0 && machine.scrap.random::<f64>() < station.scrap {
            if STATS {
                self.depart(m, false);
            }
            self.freed(m);
            return false;
        }
        if k + 1 == self.stations.len() {
            if STATS {
                self.depart(m, true);
            }
            self.freed(m);
            return true;
        }
        let next = &mut self.stations[k + 1];
        if let Some(free) = lowest(&mut next.idle) {
            if STATS {
                self.machines[free as usize].part = self.machines[m as usize].part;
            }
            self.start(free);
            self.freed(m);
        } else if next.waiting < next.capacity {
            next.waiting += 1;
            if STATS {
                next.parts.push_back(self.machines[m as usize].part);
            }
            self.buffer_changed(k + 1);
            self.freed(m);
        } else {
            next.blocked.push_back(m);
            self.set_phase(m, Phase::Blocked);
        }
        false
    }

    /// Runs one replication; returns the good parts of the measured period
    /// and the events handled.
    fn run(mut self, run: &RunSettings) -> (u64, u64, Option<Figures>) {
        let end = run.end_min();
        for m in 0..self.stations[0].idle.len() {
            let first = self.stations[0].idle[m];
            if STATS {
                self.release(first);
            }
            self.start(first);
        }
        self.stations[0].idle.clear();
        let mut good = 0u64;
        let mut events = 0u64;
        let warmup = run.warmup_min;
        // As in alloysim, measuring starts with the first event after the
        // warm-up (from time 0 without one).
        let mut measuring = warmup <= 0.0;
        while let Some(&top) = self.heap.0.first() {
            let time = f64::from_bits((top >> 64) as u64);
            if !measuring && time > warmup {
                measuring = true;
                if STATS {
                    self.now = warmup;
                    self.restart_books();
                }
            }
            if time > end {
                break;
            }
            self.now = time;
            let m = (top & 0xffff) as u32;
            events += 1;
            self.root_free = true;
            let machine = &mut self.machines[m as usize];
            match machine.phase {
                Phase::Busy if machine.fails => {
                    machine.work -= machine.ttf;
                    let ttr = &self.stations[machine.station]
                        .ttf
                        .as_ref()
                        .expect("fails")
                        .1;
                    let delay = ttr.sample(&mut machine.repair);
                    self.set_phase(m, Phase::Down);
                    self.schedule(delay, m);
                }
                Phase::Busy => {
                    if self.complete(m) && measuring {
                        good += 1;
                    }
                }
                Phase::Down => {
                    let ttf = &self.stations[machine.station]
                        .ttf
                        .as_ref()
                        .expect("fails")
                        .0;
                    machine.ttf = ttf.sample(&mut machine.failure);
                    self.run_segment(m);
                }
                Phase::Idle | Phase::Blocked => unreachable!("no event pending"),
            }
            if self.root_free {
                self.root_free = false;
                self.heap.pop_top();
            }
        }
        if STATS && !measuring {
            self.now = warmup;
            self.restart_books();
        }
        let figures = STATS.then(|| self.figures(warmup.max(0.0), end));
        (good, events, figures)
    }

    /// The warm-up ends: every figure but the WIP series starts again.
    fn restart_books(&mut self) {
        let now = self.now;
        for machine in &mut self.machines {
            machine.phase_min = [0.0; 4];
            machine.since = now;
        }
        for station in &mut self.stations {
            station.level.restart(now);
        }
        self.books.wip.restart(now);
        self.books.lead_times = Histogram::default();
    }

    /// The bookkeeping's figures over the measured period, `from` to `end`.
    fn figures(self, from: f64, end: f64) -> Figures {
        let Line {
            mut books,
            machines,
            mut stations,
            ..
        } = self;
        let mut state_min = vec![[0.0; 4]; stations.len()];
        for m in &machines {
            let station = &mut state_min[m.station];
            for (phase, minutes) in m.phase_min.iter().enumerate() {
                station[phase] += minutes;
            }
            station[m.phase as usize] += end - m.since;
        }
        Figures {
            state_min,
            buffer_mean: stations
                .iter_mut()
                .map(|s| s.level.mean(end, end - from))
                .collect(),
            wip_mean: books.wip.mean(end, end - from),
            wip_series: books.series.finish(end),
            lead_times: books.lead_times,
            bottleneck: books.bottleneck.finish(end),
        }
    }
}

/// What the bookkeeping measured over the measured period (the WIP series:
/// over the whole run).
pub struct Figures {
    /// Machine-minutes of each station idle, busy, down and blocked.
    pub state_min: Vec<[f64; 4]>,
    /// Time-average waiting parts of each station.
    pub buffer_mean: Vec<f64>,
    pub wip_mean: f64,
    pub wip_series: Vec<f64>,
    pub lead_times: Histogram,
    pub bottleneck: BottleneckTimes,
}

/// Takes the idle machine of lowest number, as alloysim does.
fn lowest(idle: &mut Vec<u32>) -> Option<u32> {
    let (i, _) = idle.iter().enumerate().min_by_key(|&(_, &m)| m)?;
    Some(idle.swap_remove(i))
}

/// One replication of the bare single-purpose simulator: good parts and events.
pub fn single(model: &Model, run: &RunSettings, replication: u32) -> (u64, u64) {
    let (good, events, _) = Line::<false>::new(model, run, replication).run(run);
    (good, events)
}

/// The same with alloysim's bookkeeping (see [`Books`]).
pub fn single_with_books(model: &Model, run: &RunSettings, replication: u32) -> (u64, u64) {
    let (good, events, figures) = black_box(books(model, run, replication));
    black_box(figures);
    (good, events)
}

/// [`single_with_books`] with the figures.
pub fn books(model: &Model, run: &RunSettings, replication: u32) -> (u64, u64, Figures) {
    let (good, events, figures) = Line::<true>::new(model, run, replication).run(run);
    (good, events, figures.expect("kept"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .map_or("benches/models/line5.toml", String::as_str);
    let pairs: u32 = args.get(1).map_or(15, |p| p.parse().expect("pairs"));
    let only = args
        .get(2)
        .map(|a| a.trim_start_matches("--only=").to_string());
    let scenario = Scenario::load(Path::new(path)).expect("scenario loads");
    let model = &scenario.variants[0].model;
    let run = scenario.run;
    let simulators: [(&str, &str, Simulator); 3] = [
        ("single", "single-purpose", single),
        (
            "books",
            "single-purpose with bookkeeping",
            single_with_books,
        ),
        ("alloysim", "alloysim", |model, run, replication| {
            let result = simulate(model, run, replication);
            (result.good_parts, result.events)
        }),
    ];
    if let Some(only) = only {
        let (_, name, simulator) = simulators
            .iter()
            .find(|(key, _, _)| *key == only)
            .unwrap_or_else(|| panic!("--only takes single, books or alloysim, not {only}"));
        for r in 0..pairs {
            let (good, events) = black_box(simulator(model, &run, r));
            println!("{name}, replication {r}: {good} good parts, {events} events");
        }
        return;
    }
    // Per simulator: throughput per hour, good parts per second, events.
    let mut throughput = [const { Vec::new() }; 3];
    let mut rate = [const { Vec::new() }; 3];
    let mut events = [0u64; 3];
    for r in 0..pairs {
        for turn in 0..3 {
            let which = (turn + r as usize) % 3;
            let t = Instant::now();
            let (good, n) = black_box(simulators[which].2(model, &run, r));
            let seconds = t.elapsed().as_secs_f64();
            throughput[which].push(good as f64 / run.horizon_min * 60.0);
            rate[which].push(good as f64 / seconds);
            events[which] += n;
        }
    }
    let n = f64::from(pairs);
    println!(
        "{path}: {pairs} rounds, one replication of {} min by each simulator in turn",
        run.end_min()
    );
    let (m0, s0) = mean_sd(&throughput[0]);
    for (k, (_, name, _)) in simulators.iter().enumerate() {
        let (m, s) = mean_sd(&throughput[k]);
        let z = (m - m0) / ((s0 * s0 + s * s) / n).sqrt();
        let ratios: Vec<f64> = rate[k].iter().zip(&rate[0]).map(|(a, b)| a / b).collect();
        let (lo, mid, hi) = spread(ratios);
        println!(
            "  {name}: {m:.2} good parts/h (sd {s:.2}, z against the first {z:+.2}); {:.2} M good parts/s; {:.0} events per replication; speed against the first: median {mid:.3} (range {lo:.3}-{hi:.3})",
            spread(rate[k].clone()).1 / 1e6,
            events[k] as f64 / n,
        );
    }
}

type Simulator = fn(&Model, &RunSettings, u32) -> (u64, u64);

/// Smallest, median and largest.
fn spread(mut x: Vec<f64>) -> (f64, f64, f64) {
    x.sort_by(f64::total_cmp);
    let n = x.len();
    let median = if n % 2 == 1 {
        x[n / 2]
    } else {
        (x[n / 2 - 1] + x[n / 2]) / 2.0
    };
    (x[0], median, x[n - 1])
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}
