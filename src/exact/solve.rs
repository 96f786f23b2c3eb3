//! Stationary distribution of a finite chain: π Q = 0, Σ π = 1.
//!
//! Dense LU (nalgebra) up to [`DENSE_LIMIT`] states. Above, the states are
//! renumbered so that every transition joins states close in number (a
//! breadth-first order over the chain's graph, from a state far from the
//! others: Cuthill–McKee), and, where the band of rates that leaves is
//! narrow enough to keep, the chain is solved directly by state reduction
//! within the band: the Grassmann–Taksar–Heyman algorithm (GTH; Grassmann,
//! Taksar and Heyman, *Operations Research* 33(5), 1985), which only adds
//! and multiplies positive numbers and so stays accurate where rates differ
//! by many orders of magnitude. A line's chain is narrow in that order: a
//! long release queue or buffer makes it long, not wide. Chains too wide for
//! the band fall back to Gauss–Seidel sweeps over the incoming rates of each
//! state, normalised as they go, with every tenth sweep an aggregation over
//! the breadth-first levels (which moves probability along a long, busy
//! queue at once, where sweeps alone move it a level a sweep; dropped where
//! it stops lowering the residual), until the residual is below
//! [`TOLERANCE`]. Every solution is checked by its residual.

use super::chain::Chain;
use nalgebra::{DMatrix, DVector};
use std::time::{Duration, Instant};

/// Largest chain solved by dense LU.
pub const DENSE_LIMIT: usize = 2500;
/// Most rates the band solver keeps (states × (2 × half-bandwidth + 1)):
/// 240 MB.
pub const BAND_ENTRIES_LIMIT: f64 = 3e7;
/// Most multiply-adds the band solver may take (states × half-bandwidth²):
/// some seconds.
pub const BAND_WORK_LIMIT: f64 = 2e10;
/// Residual accepted: max_j |(πQ)_j| relative to max_j π_j q_j.
pub const TOLERANCE: f64 = 1e-10;
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// A stationary distribution and how it was found.
#[derive(Clone, Debug)]
pub struct Solution {
    pub pi: Vec<f64>,
    pub method: &'static str,
    pub iterations: usize,
    pub residual: f64,
}

/// max_j |(πQ)_j| / max_j π_j q_j.
pub fn residual(chain: &Chain, pi: &[f64]) -> f64 {
    let mut flow = vec![0.0; chain.len()];
    for &(from, to, rate) in &chain.transitions {
        flow[to as usize] += pi[from as usize] * rate;
    }
    let mut worst: f64 = 0.0;
    let mut scale: f64 = 0.0;
    for j in 0..chain.len() {
        let out = pi[j] * chain.out_rate[j];
        worst = worst.max((flow[j] - out).abs());
        scale = scale.max(out);
    }
    if scale > 0.0 {
        worst / scale
    } else {
        0.0
    }
}

/// Solves the chain; `Err((residual, sweeps))` if the iteration stalls.
pub fn stationary(chain: &Chain, force_iterative: bool) -> Result<Solution, (f64, usize)> {
    stationary_with(chain, force_iterative, &|_, _| {})
}

/// [`stationary`], telling `on_sweeps` the sweeps so far and the residual
/// every ten sweeps of the iterative solver.
pub fn stationary_with(
    chain: &Chain,
    force_iterative: bool,
    on_sweeps: &dyn Fn(usize, f64),
) -> Result<Solution, (f64, usize)> {
    if chain.len() == 1 {
        return Ok(Solution {
            pi: vec![1.0],
            method: "trivial",
            iterations: 0,
            residual: 0.0,
        });
    }
    if !force_iterative {
        if chain.len() <= DENSE_LIMIT {
            if let Some(solution) = dense(chain) {
                return Ok(solution);
            }
        }
        if let Some(solution) = banded(chain) {
            return Ok(solution);
        }
    }
    gauss_seidel(chain, on_sweeps)
}

/// Cuthill–McKee order of the chain's states, over its transitions taken
/// both ways: breadth first from a state at the end of a longest
/// breadth-first path from state 0, neighbours in order of their degree.
/// Every transition then joins states at most two levels' width apart.
/// Returns the position of each state.
pub fn band_order(chain: &Chain) -> Vec<u32> {
    cuthill_mckee(chain).0
}

/// [`band_order`], and the breadth-first level of each state: every
/// transition joins states of the same or adjacent levels.
fn cuthill_mckee(chain: &Chain) -> (Vec<u32>, Vec<u32>) {
    let n = chain.len();
    let mut start = vec![0usize; n + 1];
    for &(from, to, _) in &chain.transitions {
        start[from as usize + 1] += 1;
        start[to as usize + 1] += 1;
    }
    for j in 0..n {
        start[j + 1] += start[j];
    }
    let mut fill = start.clone();
    let mut next = vec![0u32; start[n]];
    for &(from, to, _) in &chain.transitions {
        next[fill[from as usize]] = to;
        fill[from as usize] += 1;
        next[fill[to as usize]] = from;
        fill[to as usize] += 1;
    }
    let degree = |v: u32| start[v as usize + 1] - start[v as usize];
    // Breadth first from `root`: the order, with neighbours by degree, and
    // each state's level.
    let bfs = |root: u32| {
        let mut level = vec![u32::MAX; n];
        let mut order = Vec::with_capacity(n);
        let mut around = Vec::new();
        level[root as usize] = 0;
        order.push(root);
        let mut head = 0;
        while head < order.len() {
            let v = order[head] as usize;
            head += 1;
            around.clear();
            around.extend(
                next[start[v]..start[v + 1]]
                    .iter()
                    .copied()
                    .filter(|&w| level[w as usize] == u32::MAX),
            );
            around.sort_unstable_by_key(|&w| (degree(w), w));
            around.dedup();
            for &w in &around {
                level[w as usize] = level[v] + 1;
                order.push(w);
            }
        }
        (order, level)
    };
    let far = *bfs(0).0.last().expect("a chain has states");
    let (order, level) = bfs(far);
    debug_assert_eq!(order.len(), n, "the chain is connected");
    let mut position = vec![0u32; n];
    for (i, &v) in order.iter().enumerate() {
        position[v as usize] = i as u32;
    }
    (position, level)
}

/// The chain solved by GTH state reduction within the band of its
/// Cuthill–McKee order; `None` where the band is too wide to keep or to
/// reduce in reasonable time, where a state is left with no way down (the
/// chain is not irreducible), or where the residual is not below the
/// tolerance.
pub fn banded(chain: &Chain) -> Option<Solution> {
    let n = chain.len();
    if n < 2 {
        return None;
    }
    let position = band_order(chain);
    let half = chain
        .transitions
        .iter()
        .map(|&(from, to, _)| position[from as usize].abs_diff(position[to as usize]) as usize)
        .max()
        .unwrap_or(0);
    let width = 2 * half + 1;
    if n as f64 * width as f64 > BAND_ENTRIES_LIMIT
        || n as f64 * (half as f64).powi(2) > BAND_WORK_LIMIT
    {
        return None;
    }
    // q[i][j] (|i − j| ≤ half) at band[i * width + (j + half − i)].
    let at = |i: usize, j: usize| i * width + j + half - i;
    let mut band = vec![0.0f64; n * width];
    for &(from, to, rate) in &chain.transitions {
        let (i, j) = (
            position[from as usize] as usize,
            position[to as usize] as usize,
        );
        band[at(i, j)] += rate;
    }
    // Reduce the states from the last: the rates of each state k to the
    // lower ones sum to s; every lower state i that reached k now reaches
    // k's lower neighbours j instead, in proportion (q_ij += q_ik q_kj / s).
    for k in (1..n).rev() {
        let low = k.saturating_sub(half);
        let s: f64 = (low..k).map(|j| band[at(k, j)]).sum();
        if s <= 0.0 {
            return None;
        }
        for i in low..k {
            let to_k = band[at(i, k)];
            if to_k == 0.0 {
                continue;
            }
            let share = to_k / s;
            band[at(i, k)] = share;
            for j in low..k {
                if j != i {
                    let from_k = band[at(k, j)];
                    band[at(i, j)] += share * from_k;
                }
            }
        }
    }
    // π_k is what flows into k from the states below it, scaled.
    let mut ordered = vec![0.0f64; n];
    ordered[0] = 1.0;
    for k in 1..n {
        let low = k.saturating_sub(half);
        ordered[k] = (low..k).map(|i| ordered[i] * band[at(i, k)]).sum();
    }
    let total: f64 = ordered.iter().sum();
    let pi: Vec<f64> = position
        .iter()
        .map(|&p| ordered[p as usize] / total)
        .collect();
    checked(chain, pi, "banded GTH")
}

/// A direct solution, kept if its residual is below the tolerance.
fn checked(chain: &Chain, pi: Vec<f64>, method: &'static str) -> Option<Solution> {
    let residual = residual(chain, &pi);
    (residual < TOLERANCE).then_some(Solution {
        pi,
        method,
        iterations: 1,
        residual,
    })
}

/// Qᵀ π = 0 with the last equation replaced by Σ π = 1, by LU.
fn dense(chain: &Chain) -> Option<Solution> {
    let n = chain.len();
    let mut a = DMatrix::<f64>::zeros(n, n);
    for &(from, to, rate) in &chain.transitions {
        a[(to as usize, from as usize)] += rate;
    }
    for (i, &out) in chain.out_rate.iter().enumerate() {
        a[(i, i)] -= out;
    }
    for j in 0..n {
        a[(n - 1, j)] = 1.0;
    }
    let mut b = DVector::<f64>::zeros(n);
    b[n - 1] = 1.0;
    let x = a.lu().solve(&b)?;
    let pi: Vec<f64> = x.iter().map(|&v| v.max(0.0)).collect();
    let total: f64 = pi.iter().sum();
    let pi: Vec<f64> = pi.into_iter().map(|v| v / total).collect();
    checked(chain, pi, "dense LU")
}

/// Gauss–Seidel sweeps, with an aggregation step every tenth sweep: the
/// states' breadth-first levels ([`cuthill_mckee`]) are lumped, and since
/// every transition joins the same or adjacent levels, the lumped chain
/// is a birth–death chain, solved in closed form; each level's states are
/// then scaled to its probability (iterative aggregation–disaggregation,
/// e.g. Stewart, *Introduction to the Numerical Solution of Markov
/// Chains*, 1994). The sweeps settle each level's inside, the aggregation
/// the flow between levels, which sweeps alone move one level a sweep:
/// along a long, busy queue they would take a million sweeps. Where the
/// aggregation does not help (the residual reaches no new low for five
/// checks), the sweeps go on without it from the best solution so far.
fn gauss_seidel(chain: &Chain, on_sweeps: &dyn Fn(usize, f64)) -> Result<Solution, (f64, usize)> {
    let n = chain.len();
    // Incoming transitions of each state, in compressed rows.
    let mut start = vec![0usize; n + 1];
    for &(_, to, _) in &chain.transitions {
        start[to as usize + 1] += 1;
    }
    for j in 0..n {
        start[j + 1] += start[j];
    }
    let mut fill = start.clone();
    let mut source = vec![0u32; chain.transitions.len()];
    let mut rate = vec![0.0; chain.transitions.len()];
    for &(from, to, r) in &chain.transitions {
        let slot = &mut fill[to as usize];
        source[*slot] = from;
        rate[*slot] = r;
        *slot += 1;
    }
    let (_, level) = cuthill_mckee(chain);
    let levels = level.iter().max().map_or(1, |&l| l as usize + 1);
    let mut lumps = Lumps::new(levels);
    let mut pi = vec![1.0 / n as f64; n];
    let mut best_pi = pi.clone();
    let mut best = f64::INFINITY;
    let mut stalled = 0;
    let mut aggregating = levels > 1;
    let began = Instant::now();
    let mut sweeps = 0;
    loop {
        for j in 0..n {
            if chain.out_rate[j] <= 0.0 {
                continue;
            }
            let inflow: f64 = (start[j]..start[j + 1])
                .map(|t| pi[source[t] as usize] * rate[t])
                .sum();
            pi[j] = inflow / chain.out_rate[j];
        }
        sweeps += 1;
        let total: f64 = pi.iter().sum();
        pi.iter_mut().for_each(|p| *p /= total);
        if sweeps % 10 == 0 {
            let r = residual(chain, &pi);
            on_sweeps(sweeps, r);
            if r < TOLERANCE {
                return Ok(Solution {
                    pi,
                    method: "Gauss-Seidel",
                    iterations: sweeps,
                    residual: r,
                });
            }
            if began.elapsed() > TIME_LIMIT || sweeps >= 1_000_000 {
                return Err((r, sweeps));
            }
            // The aggregation can also hinder: where the slow flows are
            // not between the levels it may undo what the sweeps did. If
            // the residual has not reached a new low for five checks, the
            // sweeps go on alone from the best solution so far.
            if r < best {
                best = r;
                stalled = 0;
                best_pi.copy_from_slice(&pi);
            } else {
                stalled += 1;
            }
            if aggregating && stalled >= 5 {
                aggregating = false;
                pi.copy_from_slice(&best_pi);
            }
            if aggregating {
                lumps.aggregate(chain, &level, &mut pi);
            }
        }
    }
}

/// Scratch space of the aggregation step: per level, its probability and
/// its flows up and down.
struct Lumps {
    mass: Vec<f64>,
    up: Vec<f64>,
    down: Vec<f64>,
    target: Vec<f64>,
}

impl Lumps {
    fn new(levels: usize) -> Self {
        Self {
            mass: vec![0.0; levels],
            up: vec![0.0; levels],
            down: vec![0.0; levels],
            target: vec![0.0; levels],
        }
    }

    /// Scales each level of `pi` to the probability of the lumped
    /// birth–death chain; leaves `pi` as it is where a level has no
    /// probability yet or no flow down.
    fn aggregate(&mut self, chain: &Chain, level: &[u32], pi: &mut [f64]) {
        self.mass.fill(0.0);
        self.up.fill(0.0);
        self.down.fill(0.0);
        for (state, &p) in pi.iter().enumerate() {
            self.mass[level[state] as usize] += p;
        }
        for &(from, to, rate) in &chain.transitions {
            let (a, b) = (level[from as usize], level[to as usize]);
            let flow = pi[from as usize] * rate;
            if b == a + 1 {
                self.up[a as usize] += flow;
            } else if a == b + 1 {
                self.down[a as usize] += flow;
            }
        }
        // p(l + 1) / p(l) = (up(l) / mass(l)) / (down(l + 1) / mass(l + 1)).
        self.target[0] = 1.0;
        for l in 1..self.mass.len() {
            let (mass_below, mass) = (self.mass[l - 1], self.mass[l]);
            if mass_below <= 0.0 || mass <= 0.0 || self.down[l] <= 0.0 {
                return;
            }
            self.target[l] =
                self.target[l - 1] * (self.up[l - 1] / mass_below) / (self.down[l] / mass);
        }
        let total: f64 = self.target.iter().sum();
        if !total.is_finite() || total <= 0.0 {
            return;
        }
        for (state, p) in pi.iter_mut().enumerate() {
            let l = level[state] as usize;
            *p *= self.target[l] / total / self.mass[l];
        }
    }
}
