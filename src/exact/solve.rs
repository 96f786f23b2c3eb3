//! Stationary distribution of a finite chain: π Q = 0, Σ π = 1.
//!
//! Dense LU (nalgebra) up to [`DENSE_LIMIT`] states; above, Gauss–Seidel
//! sweeps over the incoming rates of each state, normalised as it goes, until
//! the residual is below [`TOLERANCE`].

use super::chain::Chain;
use nalgebra::{DMatrix, DVector};
use std::time::{Duration, Instant};

/// Largest chain solved by dense LU.
pub const DENSE_LIMIT: usize = 2500;
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
    if chain.len() <= DENSE_LIMIT && !force_iterative {
        if let Some(solution) = dense(chain) {
            return Ok(solution);
        }
    }
    gauss_seidel(chain, on_sweeps)
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
    let residual = residual(chain, &pi);
    (residual < TOLERANCE).then_some(Solution {
        pi,
        method: "dense LU",
        iterations: 1,
        residual,
    })
}

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
    let mut pi = vec![1.0 / n as f64; n];
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
        }
    }
}
