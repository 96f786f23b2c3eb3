//! Which set of measures to buy (`alloysim portfolio`): every subset of the
//! scenario's changes simulated with common random numbers, and the
//! efficient frontier of capex against the objective (NPV or throughput).
//!
//! A subset is on the frontier when every other subset that costs no more
//! has a lower objective (of tied subsets only the cheapest is on it, so a
//! subset that adds capex and nothing else never is). The recommendation
//! for a budget is the best subset whose capex is within it (ties to the
//! cheaper): the empty one when buying nothing is best. A subset is *near
//! the best* when the paired difference between it and the best subset it
//! could have been bought instead of (the best within its own capex) has a
//! 95 % interval that includes 0: the replications cannot tell them apart.

use crate::engine::ReplicationResult;
use crate::experiment::{self, ExperimentError};
use crate::model::Model;
use crate::scenario::{Scenario, ScenarioError};
use crate::stats::{self, Estimate};
use crate::summary::money;

/// Changes up to which every subset is simulated (4 096 subsets).
pub const MAX_CHANGES: usize = 12;
/// Runners-up named with a recommendation, at most.
const RUNNERS_UP: usize = 5;

/// What a portfolio maximises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// Net present value over the baseline (needs `[economics]`).
    Npv,
    /// Good parts per hour.
    Throughput,
}

/// One subset of the changes.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The changes' names, in the file's order.
    pub changes: Vec<String>,
    pub capex: f64,
    pub throughput_per_h: Estimate,
    /// NPV over the baseline (with `[economics]`).
    pub npv: Option<Estimate>,
    pub objective: Estimate,
    pub frontier: bool,
    /// Not distinguishable from the best subset within its capex.
    pub near_best: bool,
}

/// The subsets and the frontier.
#[derive(Clone, Debug)]
pub struct Portfolio {
    pub objective: Objective,
    /// Every subset, the empty one first, in the order of their bit masks
    /// over the changes.
    pub candidates: Vec<Candidate>,
    /// With a budget: the index of the recommended subset and of its
    /// runners-up (near the best at that budget, best first).
    pub budget: Option<f64>,
    pub recommended: Option<usize>,
    pub runners_up: Vec<usize>,
    pub replications: u32,
}

impl Portfolio {
    /// The frontier's subsets, cheapest first.
    pub fn frontier(&self) -> Vec<&Candidate> {
        let mut frontier: Vec<&Candidate> = self.candidates.iter().filter(|c| c.frontier).collect();
        frontier.sort_by(|a, b| a.capex.total_cmp(&b.capex));
        frontier
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PortfolioError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
    #[error("the scenario has no [[changes]]: there is nothing to choose from")]
    NoChanges,
    #[error("the scenario has {changes} changes, {subsets} subsets; a portfolio simulates every subset of at most {limit} changes: group measures that are bought together into one change")]
    TooManyChanges {
        changes: usize,
        subsets: u64,
        limit: usize,
    },
    #[error("--objective npv needs [economics] in the scenario (margins, and the pools' cost_per_h); use --objective throughput")]
    NoEconomics,
}

impl PortfolioError {
    /// The process exit code: 2 for a scenario that cannot be studied so,
    /// else that of the experiment error.
    pub fn exit_code(&self) -> i32 {
        match self {
            PortfolioError::Scenario(e) => e.exit_code(),
            PortfolioError::Experiment(e) => e.exit_code(),
            PortfolioError::NoChanges
            | PortfolioError::TooManyChanges { .. }
            | PortfolioError::NoEconomics => 2,
        }
    }
}

/// The number of subsets of the scenario's changes, or why there is no
/// portfolio to run.
pub fn subsets(scenario: &Scenario) -> Result<u64, PortfolioError> {
    let n = scenario.changes.len();
    if n == 0 {
        return Err(PortfolioError::NoChanges);
    }
    if n > MAX_CHANGES {
        return Err(PortfolioError::TooManyChanges {
            changes: n,
            subsets: 1u64.checked_shl(n as u32).unwrap_or(u64::MAX),
            limit: MAX_CHANGES,
        });
    }
    Ok(1 << n)
}

/// Simulates every subset of the changes and finds the frontier.
pub fn portfolio(
    scenario: &Scenario,
    objective: Objective,
    budget: Option<f64>,
    threads: Option<usize>,
    on_done: &(dyn Fn() + Sync),
) -> Result<Portfolio, PortfolioError> {
    let study = PortfolioStudy::new(scenario, objective, budget)?;
    let work = study.work(scenario);
    let results = experiment::run_items(&work, 0..work.len(), threads, on_done)?;
    let runs = experiment::group(&work, results)?;
    Ok(study.finish(scenario, &runs))
}

/// A portfolio prepared: the model of every subset of the scenario's
/// changes, to be simulated (here, or in shards) and then ranked by
/// [`PortfolioStudy::finish`].
pub struct PortfolioStudy {
    objective: Objective,
    budget: Option<f64>,
    sets: Vec<(String, Vec<usize>)>,
    models: Vec<Model>,
}

impl PortfolioStudy {
    /// Every subset of the scenario's changes, each one's scenario built
    /// and checked.
    pub fn new(
        scenario: &Scenario,
        objective: Objective,
        budget: Option<f64>,
    ) -> Result<PortfolioStudy, PortfolioError> {
        let count = subsets(scenario)?;
        if objective == Objective::Npv && scenario.economics.is_none() {
            return Err(PortfolioError::NoEconomics);
        }
        let n = scenario.changes.len();
        let sets: Vec<(String, Vec<usize>)> = (0..count)
            .map(|mask| {
                let picked: Vec<usize> = (0..n).filter(|i| mask >> i & 1 == 1).collect();
                (format!("subset-{mask}"), picked)
            })
            .collect();
        let models = scenario.with_change_sets(&sets)?;
        Ok(PortfolioStudy {
            objective,
            budget,
            sets,
            models,
        })
    }

    /// The work list: every subset's replications, subset by subset (in
    /// ascending order of their bit masks).
    pub fn work<'a>(&'a self, scenario: &'a Scenario) -> experiment::Work<'a> {
        experiment::Work::new(self.models.iter().collect(), &scenario.run)
    }

    /// The portfolio from the runs of every subset (in the work list's
    /// order).
    pub fn finish(self, scenario: &Scenario, runs: &[experiment::VariantRuns]) -> Portfolio {
        rank(scenario, self, runs)
    }
}

/// Each subset's figures, the frontier, and the recommendation.
fn rank(scenario: &Scenario, study: PortfolioStudy, runs: &[experiment::VariantRuns]) -> Portfolio {
    let PortfolioStudy {
        objective,
        budget,
        sets,
        models,
    } = study;
    let settings = &scenario.run;
    let throughput: Vec<Vec<f64>> = runs
        .iter()
        .map(|r| {
            r.replications
                .iter()
                .map(ReplicationResult::throughput_per_h)
                .collect()
        })
        .collect();
    let costs: Vec<(f64, f64)> = sets
        .iter()
        .map(|(_, changes)| money::capex_and_opex(scenario, changes))
        .collect();
    let npv: Option<Vec<Vec<f64>>> = scenario.economics.as_ref().map(|economics| {
        let cash: Vec<Vec<f64>> = runs
            .iter()
            .zip(&models)
            .zip(&costs)
            .map(|((run, model), &(_, opex))| {
                money::year_figures(economics, model, &run.replications, opex)
                    .iter()
                    .map(|y| y.cash)
                    .collect()
            })
            .collect();
        cash.iter()
            .zip(&costs)
            .map(|(c, &(capex, _))| {
                c.iter()
                    .zip(&cash[0])
                    .map(|(v, b)| economics.npv(capex, v - b))
                    .collect()
            })
            .collect()
    });
    let values: &Vec<Vec<f64>> = match objective {
        Objective::Throughput => &throughput,
        Objective::Npv => npv.as_ref().expect("checked above"),
    };
    let means: Vec<f64> = values
        .iter()
        .map(|v| stats::mean(v.iter().copied()))
        .collect();
    let capex: Vec<f64> = costs.iter().map(|c| c.0).collect();
    let frontier = frontier(&capex, &means);
    let mut candidates: Vec<Candidate> = sets
        .iter()
        .enumerate()
        .map(|(i, (_, changes))| Candidate {
            changes: changes
                .iter()
                .map(|&c| scenario.changes[c].name.clone())
                .collect(),
            capex: capex[i],
            throughput_per_h: stats::estimate(&throughput[i]),
            npv: npv.as_ref().map(|v| stats::estimate(&v[i])),
            objective: stats::estimate(&values[i]),
            frontier: frontier[i],
            near_best: false,
        })
        .collect();
    for i in 0..candidates.len() {
        let best = best_within(&capex, &means, capex[i]);
        candidates[i].near_best = indistinguishable(&values[best], &values[i]);
    }
    let recommended = budget.map(|b| best_within(&capex, &means, b));
    let runners_up = match recommended {
        None => Vec::new(),
        Some(best) => {
            let mut near: Vec<usize> = (0..candidates.len())
                .filter(|&i| {
                    i != best
                        && capex[i] <= budget.unwrap_or(f64::INFINITY)
                        && indistinguishable(&values[best], &values[i])
                })
                .collect();
            near.sort_by(|&a, &b| {
                means[b]
                    .total_cmp(&means[a])
                    .then(capex[a].total_cmp(&capex[b]))
            });
            near.truncate(RUNNERS_UP);
            near
        }
    };
    Portfolio {
        objective,
        candidates,
        budget,
        recommended,
        runners_up,
        replications: settings.replications,
    }
}

/// Which subsets are on the frontier: in order of capex (equal capex: the
/// better first, then the lower mask), each that beats every cheaper one.
fn frontier(capex: &[f64], means: &[f64]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..capex.len()).collect();
    order.sort_by(|&a, &b| {
        capex[a]
            .total_cmp(&capex[b])
            .then(means[b].total_cmp(&means[a]))
            .then(a.cmp(&b))
    });
    let mut on = vec![false; capex.len()];
    let mut best = f64::NEG_INFINITY;
    for i in order {
        if means[i] > best {
            on[i] = true;
            best = means[i];
        }
    }
    on
}

/// The best subset whose capex is at most `budget` (ties to the cheaper,
/// then the lower mask); the empty subset costs nothing, so there is one.
fn best_within(capex: &[f64], means: &[f64], budget: f64) -> usize {
    (0..capex.len())
        .filter(|&i| capex[i] <= budget)
        .max_by(|&a, &b| {
            means[a]
                .total_cmp(&means[b])
                .then(capex[b].total_cmp(&capex[a]))
                .then(b.cmp(&a))
        })
        .unwrap_or(0)
}

/// Whether the paired differences `best - other` have a 95 % interval
/// that includes 0 (identical values: yes).
fn indistinguishable(best: &[f64], other: &[f64]) -> bool {
    let diffs: Vec<f64> = best.iter().zip(other).map(|(b, o)| b - o).collect();
    let d = stats::estimate(&diffs);
    match (d.ci95_low, d.ci95_high) {
        (Some(low), Some(high)) => low <= 0.0 && 0.0 <= high,
        _ => d.mean == 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frontier_keeps_only_subsets_that_beat_every_cheaper_one() {
        // capex:  0, 1 (no gain), 2, 3 (same as 2), 5 (less), 8 (more)
        let capex = [0.0, 1.0, 2.0, 3.0, 5.0, 8.0];
        let means = [10.0, 10.0, 20.0, 20.0, 15.0, 30.0];
        assert_eq!(
            frontier(&capex, &means),
            [true, false, true, false, false, true]
        );
        assert_eq!(best_within(&capex, &means, 0.5), 0);
        assert_eq!(best_within(&capex, &means, 1.5), 0);
        assert_eq!(best_within(&capex, &means, 4.0), 2);
        assert_eq!(best_within(&capex, &means, 100.0), 5);
        // The recommendation never falls as the budget grows.
        let mut last = f64::NEG_INFINITY;
        for budget in [0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 8.0, 9.0] {
            let m = means[best_within(&capex, &means, budget)];
            assert!(m >= last);
            last = m;
        }
    }
}
