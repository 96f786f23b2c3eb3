//! The state space and transition rates of a Markovian [`Line`], built by
//! breadth-first search from the empty line, and the figures read off a
//! stationary distribution.

use super::Line;
use crate::model::FailureBasis;
use std::collections::{HashMap, VecDeque};

/// Fields of a station in the state vector.
pub const BUSY_UP: usize = 0;
pub const BUSY_DOWN: usize = 1;
pub const BLOCKED_UP: usize = 2;
pub const BLOCKED_DOWN: usize = 3;
pub const IDLE_DOWN: usize = 4;
pub const BUFFER: usize = 5;
/// Machines holding a part to load: waiting for an operator, or being
/// loaded (the first `servers` of them).
pub const LOADING: usize = 6;
/// Values per station in the state vector; the release queue follows the
/// last station.
pub const FIELDS: usize = 7;

/// A finite continuous-time Markov chain.
#[derive(Debug)]
pub struct Chain {
    /// Number of values per state.
    pub stride: usize,
    /// All states, `stride` values each, in discovery order.
    pub states: Vec<u16>,
    /// Transitions `(from, to, rate per minute)`, never from a state to itself.
    pub transitions: Vec<(u32, u32, f64)>,
    /// Total rate out of each state.
    pub out_rate: Vec<f64>,
}

impl Chain {
    pub fn len(&self) -> usize {
        self.out_rate.len()
    }

    pub fn is_empty(&self) -> bool {
        self.out_rate.is_empty()
    }

    pub fn state(&self, index: usize) -> &[u16] {
        &self.states[index * self.stride..(index + 1) * self.stride]
    }
}

/// An upper bound of the number of states (for refusing huge chains before
/// building them).
pub fn size_bound(line: &Line) -> f64 {
    let mut bound = 1.0;
    for s in &line.stations {
        let m = f64::from(s.machines);
        let machine_configs = match s.failures {
            None => (m + 1.0) * (m + 2.0) / 2.0,
            Some((_, _, FailureBasis::Operating)) => (m + 1.0) * (m + 2.0) * (m + 3.0) / 6.0,
            Some((_, _, FailureBasis::Calendar)) => 6.0 * m.max(1.0),
        };
        let loading = if s.load.is_some() { m + 1.0 } else { 1.0 };
        bound *= machine_configs * loading * (f64::from(s.capacity) + 1.0);
    }
    if line.arrival_rate.is_some() {
        bound *= f64::from(line.release_capacity) + 1.0;
    }
    bound
}

/// Instantaneous rules applied to a state vector, mirroring the engine.
struct Rules<'a> {
    line: &'a Line,
    release: usize,
}

impl Rules<'_> {
    fn at(k: usize, field: usize) -> usize {
        k * FIELDS + field
    }

    fn idle_up(&self, s: &[u16], k: usize) -> u16 {
        let base = k * FIELDS;
        self.line.stations[k].machines
            - s[base + BUSY_UP]
            - s[base + BUSY_DOWN]
            - s[base + BLOCKED_UP]
            - s[base + BLOCKED_DOWN]
            - s[base + IDLE_DOWN]
            - s[base + LOADING]
    }

    /// A machine of station `k` takes a part: it processes, or first waits
    /// to be loaded.
    fn start(&self, s: &mut [u16], k: usize) {
        if self.line.stations[k].load.is_some() {
            s[Self::at(k, LOADING)] += 1;
        } else {
            s[Self::at(k, BUSY_UP)] += 1;
        }
    }

    /// A machine of station `k` has just become free (and up): it takes its
    /// buffer's head, else the part of the earliest-blocked machine upstream,
    /// else (first station) a released or raw part; else it idles.
    fn free_machine(&self, s: &mut [u16], k: usize) {
        if s[Self::at(k, BUFFER)] > 0 {
            s[Self::at(k, BUFFER)] -= 1;
            self.start(s, k);
            self.slot_freed(s, k);
        } else if k > 0 && self.blocked(s, k - 1) > 0 {
            self.take_blocked(s, k - 1);
            self.start(s, k);
        } else if k == 0 && self.line.arrival_rate.is_some() && s[self.release] > 0 {
            s[self.release] -= 1;
            self.start(s, 0);
        } else if k == 0 && self.line.arrival_rate.is_none() {
            self.start(s, 0);
        }
    }

    fn blocked(&self, s: &[u16], k: usize) -> u16 {
        s[Self::at(k, BLOCKED_UP)] + s[Self::at(k, BLOCKED_DOWN)]
    }

    /// The earliest-blocked machine of station `j` hands over its part. With
    /// several machines all blocked ones are up (calendar failures need a
    /// single machine), so which one goes first does not change the state.
    fn take_blocked(&self, s: &mut [u16], j: usize) {
        if s[Self::at(j, BLOCKED_UP)] > 0 {
            s[Self::at(j, BLOCKED_UP)] -= 1;
            self.free_machine(s, j);
        } else {
            s[Self::at(j, BLOCKED_DOWN)] -= 1;
            s[Self::at(j, IDLE_DOWN)] += 1;
        }
    }

    /// A slot of station `k`'s buffer has been freed: the earliest-blocked
    /// upstream machine's part moves in, else a released part.
    fn slot_freed(&self, s: &mut [u16], k: usize) {
        if k > 0 && self.blocked(s, k - 1) > 0 {
            self.take_blocked(s, k - 1);
            s[Self::at(k, BUFFER)] += 1;
        } else if k == 0 && self.line.arrival_rate.is_some() && s[self.release] > 0 {
            s[self.release] -= 1;
            s[Self::at(0, BUFFER)] += 1;
        }
    }

    /// Offers a part to station `n`: an idle machine, else a buffer slot.
    fn place(&self, s: &mut [u16], n: usize) -> bool {
        if self.idle_up(s, n) > 0 {
            self.start(s, n);
            true
        } else if s[Self::at(n, BUFFER)] < self.line.stations[n].capacity {
            s[Self::at(n, BUFFER)] += 1;
            true
        } else {
            false
        }
    }

    /// A busy machine of station `k` finishes; `scrapped` or passed on.
    fn complete(&self, s: &mut [u16], k: usize, scrapped: bool) {
        s[Self::at(k, BUSY_UP)] -= 1;
        let last = k + 1 == self.line.stations.len();
        if scrapped || last || self.place(s, k + 1) {
            self.free_machine(s, k);
        } else {
            s[Self::at(k, BLOCKED_UP)] += 1;
        }
    }

    fn arrive(&self, s: &mut [u16]) {
        if s[self.release] == 0 {
            if self.idle_up(s, 0) > 0 {
                self.start(s, 0);
                return;
            }
            if s[Self::at(0, BUFFER)] < self.line.stations[0].capacity {
                s[Self::at(0, BUFFER)] += 1;
                return;
            }
        }
        if s[self.release] < self.line.release_capacity {
            s[self.release] += 1;
        }
    }
}

/// Builds the chain reachable from the empty line; `Err(states)` once more
/// than `limit` states have been found.
pub fn build(line: &Line, limit: usize) -> Result<Chain, usize> {
    let stations = line.stations.len();
    let stride = stations * FIELDS + 1;
    let rules = Rules {
        line,
        release: stations * FIELDS,
    };
    let mut initial = vec![0u16; stride];
    for _ in 0..line.stations[0].machines {
        if rules.idle_up(&initial, 0) > 0 {
            rules.free_machine(&mut initial, 0);
        }
    }
    let mut index: HashMap<Vec<u16>, u32> = HashMap::new();
    let mut chain = Chain {
        stride,
        states: Vec::new(),
        transitions: Vec::new(),
        out_rate: Vec::new(),
    };
    let mut queue = VecDeque::new();
    let mut intern = |state: Vec<u16>, chain: &mut Chain, queue: &mut VecDeque<u32>| -> u32 {
        if let Some(&i) = index.get(&state) {
            return i;
        }
        let i = chain.out_rate.len() as u32;
        chain.states.extend_from_slice(&state);
        chain.out_rate.push(0.0);
        index.insert(state, i);
        queue.push_back(i);
        i
    };
    intern(initial, &mut chain, &mut queue);
    let mut moves: Vec<(Vec<u16>, f64)> = Vec::new();
    while let Some(from) = queue.pop_front() {
        if chain.len() > limit {
            return Err(chain.len());
        }
        let state = chain.state(from as usize).to_vec();
        moves.clear();
        successors(&rules, &state, &mut moves);
        for (next, rate) in moves.drain(..) {
            if rate <= 0.0 || next == state {
                continue;
            }
            let to = intern(next, &mut chain, &mut queue);
            chain.transitions.push((from, to, rate));
            chain.out_rate[from as usize] += rate;
        }
    }
    Ok(chain)
}

/// Every transition out of `state`: completions, failures and repairs of
/// each station, and arrivals. (One block per kind of event, in a single
/// function so that the whole generator can be read in one place.)
fn successors(rules: &Rules<'_>, state: &[u16], moves: &mut Vec<(Vec<u16>, f64)>) {
    let line = rules.line;
    let mut apply = |rate: f64, f: &dyn Fn(&mut [u16])| {
        let mut next = state.to_vec();
        f(&mut next);
        moves.push((next, rate));
    };
    for (k, station) in line.stations.iter().enumerate() {
        let at = |field| Rules::at(k, field);
        let busy = f64::from(state[at(BUSY_UP)]);
        if busy > 0.0 {
            apply(busy * station.rate * station.scrap, &|s| {
                rules.complete(s, k, true)
            });
            apply(busy * station.rate * (1.0 - station.scrap), &|s| {
                rules.complete(s, k, false)
            });
        }
        if let Some((load_rate, servers)) = station.load {
            let loading = state[at(LOADING)].min(servers);
            if loading > 0 {
                apply(f64::from(loading) * load_rate, &|s| {
                    s[at(LOADING)] -= 1;
                    s[at(BUSY_UP)] += 1;
                });
            }
        }
        let Some((fail, repair, basis)) = station.failures else {
            continue;
        };
        match basis {
            FailureBasis::Operating => {
                if busy > 0.0 {
                    apply(busy * fail, &|s| {
                        s[at(BUSY_UP)] -= 1;
                        s[at(BUSY_DOWN)] += 1;
                    });
                }
                let down = state[at(BUSY_DOWN)];
                // With a crew, at most its number of repairs at a time.
                let repairing = f64::from(station.repair_servers.map_or(down, |c| down.min(c)));
                if repairing > 0.0 {
                    apply(repairing * repair, &|s| {
                        s[at(BUSY_DOWN)] -= 1;
                        s[at(BUSY_UP)] += 1;
                    });
                }
            }
            FailureBasis::Calendar => {
                // One machine: fails in whatever state it is, and comes back
                // to it when repaired (an idle one then looks for work).
                let pairs = [(BUSY_UP, BUSY_DOWN), (BLOCKED_UP, BLOCKED_DOWN)];
                for (up, down) in pairs {
                    if state[at(up)] > 0 {
                        apply(fail, &|s| {
                            s[at(up)] -= 1;
                            s[at(down)] += 1;
                        });
                    }
                    if state[at(down)] > 0 {
                        apply(repair, &|s| {
                            s[at(down)] -= 1;
                            s[at(up)] += 1;
                        });
                    }
                }
                if rules.idle_up(state, k) > 0 {
                    apply(fail, &|s| s[at(IDLE_DOWN)] += 1);
                }
                if state[at(IDLE_DOWN)] > 0 {
                    apply(repair, &|s| {
                        s[at(IDLE_DOWN)] -= 1;
                        rules.free_machine(s, k);
                    });
                }
            }
        }
    }
    if let Some(lambda) = line.arrival_rate {
        apply(lambda, &|s| rules.arrive(s));
    }
}
