//! Which change buys the gain (`alloysim attribute`): the Shapley value of
//! each change of a variant, the main effects and two-factor interactions of
//! a least-squares fit on the factorial design, and gain per unit of capital.
//!
//! With k ≤ 10 changes every subset (2^k) is simulated. With more, the
//! Shapley values are estimated from 64 random orders of the changes (seeded,
//! so deterministic): each change's marginal gain when added after those
//! before it in an order, averaged; the factorial fit needs the full design
//! and is then skipped. Either way every subset runs with the same random
//! streams (common random numbers), so in each replication the Shapley
//! values add up exactly to the variant's gain, and a change that alters
//! nothing gets exactly zero.

use crate::engine::ReplicationResult;
use crate::experiment::{self, ExperimentError};
use crate::model::Model;
use crate::scenario::{Scenario, ScenarioError};
use crate::stats::{self, Estimate};
use crate::summary::money;
use nalgebra::{DMatrix, DVector};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::collections::BTreeMap;

/// Changes beyond which subsets are sampled instead of enumerated.
pub const EXACT_LIMIT: usize = 10;
const SAMPLED_ORDERS: usize = 64;
/// Subsets are bit masks of a `u64`.
pub const MAX_CHANGES: usize = 63;

/// One change's share of the gain.
#[derive(Clone, Debug)]
pub struct ChangeShare {
    pub name: String,
    /// Shapley value of the throughput gain, good parts per hour.
    pub shapley: Estimate,
    /// Main effect from the factorial fit (high minus low average), when
    /// the full design was run.
    pub main_effect: Option<f64>,
    pub capex: Option<f64>,
    /// Shapley value per million of capex (good parts/h per million).
    pub gain_per_million: Option<f64>,
    /// Shapley value of the NPV over the baseline (with `[economics]`):
    /// each change's share of the variant's NPV, its capex included.
    pub npv: Option<Estimate>,
}

/// Two-factor interaction of the factorial fit.
#[derive(Clone, Debug)]
pub struct Interaction {
    pub first: String,
    pub second: String,
    /// The interaction effect (in the same units as the main effects).
    pub effect: f64,
}

/// The attribution of a variant's gain.
#[derive(Clone, Debug)]
pub struct Attribution {
    pub variant: String,
    pub baseline_per_h: Estimate,
    pub variant_per_h: Estimate,
    /// Paired gain of the variant over the baseline.
    pub gain_per_h: Estimate,
    /// The variant's NPV over the baseline (with `[economics]`).
    pub npv: Option<Estimate>,
    pub changes: Vec<ChangeShare>,
    pub interactions: Vec<Interaction>,
    /// "all 2^k subsets" or "64 sampled orders".
    /// The main bottleneck of the baseline and its share of the time as
    /// the bottleneck (empty when no station was ever active).
    pub baseline_bottleneck: (String, f64),
    /// The same with all the variant's changes: where the bottleneck moves.
    pub variant_bottleneck: (String, f64),
    pub method: String,
    pub subsets: usize,
    pub replications: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum AttributionError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
    #[error("variant \"{0}\" has no changes to attribute")]
    NoChanges(String),
    #[error("variant \"{variant}\" has {changes} changes; attribution handles at most {limit}")]
    TooManyChanges {
        variant: String,
        changes: usize,
        limit: usize,
    },
}

impl AttributionError {
    /// The process exit code: 2 for a scenario or variant that cannot be
    /// attributed, else that of the experiment error.
    pub fn exit_code(&self) -> i32 {
        match self {
            AttributionError::Scenario(e) => e.exit_code(),
            AttributionError::Experiment(e) => e.exit_code(),
            AttributionError::NoChanges(_) | AttributionError::TooManyChanges { .. } => 2,
        }
    }
}

/// Which subsets of k changes are simulated: all 2^k (k ≤ [`EXACT_LIMIT`]),
/// or those along random orders of the changes.
struct SubsetPlan {
    k: usize,
    /// The sampled orders (empty when every subset is simulated).
    orders: Vec<Vec<usize>>,
    /// The subsets, as bit masks over the changes, ascending.
    masks: Vec<u64>,
}

impl SubsetPlan {
    /// The plan for `k` changes; random orders are drawn from `seed`.
    fn new(k: usize, seed: u64) -> SubsetPlan {
        if k <= EXACT_LIMIT {
            return SubsetPlan {
                k,
                orders: Vec::new(),
                masks: (0..1u64 << k).collect(),
            };
        }
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
        let orders: Vec<Vec<usize>> = (0..SAMPLED_ORDERS)
            .map(|_| {
                let mut order: Vec<usize> = (0..k).collect();
                order.shuffle(&mut rng);
                order
            })
            .collect();
        let mut set = std::collections::BTreeSet::new();
        for order in &orders {
            let mut mask = 0u64;
            set.insert(mask);
            for &i in order {
                mask |= 1 << i;
                set.insert(mask);
            }
        }
        SubsetPlan {
            k,
            orders,
            masks: set.into_iter().collect(),
        }
    }

    fn exact(&self) -> bool {
        self.orders.is_empty()
    }

    /// Each change's Shapley value in each replication, from the
    /// throughput of every subset in every replication (`value`).
    fn shapley(&self, value: &BTreeMap<u64, Vec<f64>>, replications: usize) -> Vec<Vec<f64>> {
        let k = self.k;
        let mut shapley = vec![vec![0.0; replications]; k];
        if self.exact() {
            let factorial = |n: usize| (1..=n).map(|x| x as f64).product::<f64>();
            for (i, values) in shapley.iter_mut().enumerate() {
                for &mask in &self.masks {
                    if mask >> i & 1 == 1 {
                        continue;
                    }
                    let size = mask.count_ones() as usize;
                    let weight = factorial(size) * factorial(k - size - 1) / factorial(k);
                    let (with, without) = (&value[&(mask | 1 << i)], &value[&mask]);
                    for r in 0..replications {
                        values[r] += weight * (with[r] - without[r]);
                    }
                }
            }
        } else {
            for order in &self.orders {
                let mut mask = 0u64;
                for &i in order {
                    let next = mask | 1 << i;
                    for r in 0..replications {
                        shapley[i][r] +=
                            (value[&next][r] - value[&mask][r]) / self.orders.len() as f64;
                    }
                    mask = next;
                }
            }
        }
        shapley
    }

    fn method(&self) -> String {
        if self.exact() {
            format!("all {} subsets", self.masks.len())
        } else {
            format!(
                "{SAMPLED_ORDERS} sampled orders ({} subsets)",
                self.masks.len()
            )
        }
    }
}

/// Attributes the gain of the variant at `variant` to its changes.
pub fn attribute(
    scenario: &Scenario,
    variant: usize,
    threads: Option<usize>,
    on_done: &(dyn Fn() + Sync),
) -> Result<Attribution, AttributionError> {
    let study = AttributionStudy::new(scenario, variant)?;
    let work = study.work(scenario);
    let results = experiment::run_items(&work, 0..work.len(), threads, on_done)?;
    let runs = experiment::group(&work, results)?;
    Ok(study.finish(scenario, &runs))
}

/// An attribution prepared: the model of every subset of the variant's
/// changes, to be simulated (here, or in shards) and then attributed by
/// [`AttributionStudy::finish`].
pub struct AttributionStudy {
    variant: usize,
    plan: SubsetPlan,
    models: Vec<Model>,
}

impl AttributionStudy {
    /// The subsets of the changes of the variant at `variant`, each one's
    /// scenario built and checked.
    pub fn new(scenario: &Scenario, variant: usize) -> Result<AttributionStudy, AttributionError> {
        let chosen = &scenario.variants[variant];
        let k = chosen.changes.len();
        if k == 0 {
            return Err(AttributionError::NoChanges(chosen.name.clone()));
        }
        if k > MAX_CHANGES {
            return Err(AttributionError::TooManyChanges {
                variant: chosen.name.clone(),
                changes: k,
                limit: MAX_CHANGES,
            });
        }
        let plan = SubsetPlan::new(k, scenario.run.seed);
        let sets: Vec<(String, Vec<usize>)> = plan
            .masks
            .iter()
            .map(|&mask| (format!("subset-{mask}"), sets_of(&chosen.changes, mask)))
            .collect();
        let models = scenario.with_change_sets(&sets)?;
        Ok(AttributionStudy {
            variant,
            plan,
            models,
        })
    }

    /// The work list: every subset's replications, subset by subset (in
    /// ascending order of their bit masks).
    pub fn work<'a>(&'a self, scenario: &'a Scenario) -> experiment::Work<'a> {
        experiment::Work::new(self.models.iter().collect(), &scenario.run)
    }

    /// The attribution from the runs of every subset (in the work list's
    /// order).
    pub fn finish(self, scenario: &Scenario, runs: &[experiment::VariantRuns]) -> Attribution {
        let chosen = &scenario.variants[self.variant];
        let changes = &chosen.changes;
        let k = changes.len();
        let plan = &self.plan;
        let (value, npv, bottlenecks) =
            subset_values(scenario, changes, &plan.masks, runs, &self.models);
        let replications = scenario.run.replications as usize;
        let shapley = plan.shapley(&value, replications);
        let npv_shapley = npv.as_ref().map(|npv| plan.shapley(npv, replications));
        let (main_effects, interactions) = if plan.exact() {
            factorial_fit(k, &plan.masks, &value)
        } else {
            (vec![None; k], Vec::new())
        };
        let names: Vec<String> = changes
            .iter()
            .map(|&c| scenario.changes[c].name.clone())
            .collect();
        let mut shares = change_shares(scenario, changes, &shapley, &main_effects);
        if let Some(npv_shapley) = &npv_shapley {
            for (share, values) in shares.iter_mut().zip(npv_shapley) {
                share.npv = Some(stats::estimate(values));
            }
        }
        let full = (1u64 << k) - 1;
        let diffs: Vec<f64> = value[&full]
            .iter()
            .zip(&value[&0])
            .map(|(v, b)| v - b)
            .collect();
        Attribution {
            variant: chosen.name.clone(),
            baseline_per_h: stats::estimate(&value[&0]),
            variant_per_h: stats::estimate(&value[&full]),
            gain_per_h: stats::estimate(&diffs),
            npv: npv.as_ref().map(|npv| stats::estimate(&npv[&full])),
            changes: shares,
            interactions: interactions
                .into_iter()
                .map(|(a, b, effect)| Interaction {
                    first: names[a].clone(),
                    second: names[b].clone(),
                    effect,
                })
                .collect(),
            baseline_bottleneck: bottlenecks[&0].clone(),
            variant_bottleneck: bottlenecks[&full].clone(),
            method: plan.method(),
            subsets: plan.masks.len(),
            replications: replications as u32,
        }
    }
}

/// Each change's Shapley value (an estimate over replications), main
/// effect, capex and gain per million of capex.
fn change_shares(
    scenario: &Scenario,
    changes: &[usize],
    shapley: &[Vec<f64>],
    main_effects: &[Option<f64>],
) -> Vec<ChangeShare> {
    changes
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let estimate = stats::estimate(&shapley[i]);
            let capex = scenario.changes[c].capex;
            ChangeShare {
                name: scenario.changes[c].name.clone(),
                shapley: estimate,
                main_effect: main_effects[i],
                capex,
                gain_per_million: capex
                    .filter(|&c| c > 0.0)
                    .map(|c| estimate.mean / (c / 1e6)),
                npv: None,
            }
        })
        .collect()
}

/// Each subset's throughput per replication, its NPV over the baseline
/// per replication (with `[economics]`), and its main bottleneck with that
/// station's bottleneck share, from the runs of the baseline with each
/// subset of `changes` (bit masks over them, applied in the variant's
/// order), all with the same random streams.
fn subset_values(
    scenario: &Scenario,
    changes: &[usize],
    masks: &[u64],
    runs: &[experiment::VariantRuns],
    models: &[Model],
) -> SubsetValues {
    let economics = scenario.economics.as_ref();
    let mut value = BTreeMap::new();
    let mut cash = BTreeMap::new();
    let mut bottlenecks = BTreeMap::new();
    for ((&mask, run), model) in masks.iter().zip(runs).zip(models) {
        let throughput = run
            .replications
            .iter()
            .map(ReplicationResult::throughput_per_h);
        value.insert(mask, throughput.collect());
        if let Some(economics) = economics {
            let (capex, opex) = money::capex_and_opex(scenario, &sets_of(changes, mask));
            let figures = money::year_figures(economics, model, &run.replications, opex);
            let yearly: Vec<f64> = figures.iter().map(|y| y.cash).collect();
            cash.insert(mask, (capex, yearly));
        }
        let summary = crate::summary::summarise_variant(model, &run.replications);
        let share = summary
            .stations
            .iter()
            .find(|s| s.name == summary.bottleneck)
            .map_or(0.0, crate::summary::StationSummary::bottleneck_share);
        bottlenecks.insert(mask, (summary.bottleneck, share));
    }
    // NPV over the baseline per replication: the empty subset's is 0.
    let npv = economics.map(|economics| {
        let base = cash[&0].1.clone();
        cash.iter()
            .map(|(&mask, (capex, yearly))| {
                let npv = yearly
                    .iter()
                    .zip(&base)
                    .map(|(c, b)| economics.npv(*capex, c - b))
                    .collect();
                (mask, npv)
            })
            .collect()
    });
    (value, npv, bottlenecks)
}

/// The changes of a subset (a bit mask over `changes`), in their order.
fn sets_of(changes: &[usize], mask: u64) -> Vec<usize> {
    (0..changes.len())
        .filter(|i| mask >> i & 1 == 1)
        .map(|i| changes[i])
        .collect()
}

/// Each subset's throughput per replication, its NPV over the baseline per
/// replication (with `[economics]`), and its main bottleneck.
type SubsetValues = (
    BTreeMap<u64, Vec<f64>>,
    Option<BTreeMap<u64, Vec<f64>>>,
    BTreeMap<u64, (String, f64)>,
);

/// Main effects (one per change) and interactions `(a, b, effect)`.
type FactorialFit = (Vec<Option<f64>>, Vec<(usize, usize, f64)>);

/// Least squares on the full 2^k design with factors coded -1/+1: mean
/// throughput = b0 + Σ b_i x_i + Σ b_ij x_i x_j. Effects are reported as
/// 2b (the difference between the high and the low average).
fn factorial_fit(k: usize, masks: &[u64], value: &BTreeMap<u64, Vec<f64>>) -> FactorialFit {
    let pairs: Vec<(usize, usize)> = (0..k)
        .flat_map(|a| (a + 1..k).map(move |b| (a, b)))
        .collect();
    let columns = 1 + k + pairs.len();
    let mut x = DMatrix::<f64>::zeros(masks.len(), columns);
    let mut y = DVector::<f64>::zeros(masks.len());
    for (row, &mask) in masks.iter().enumerate() {
        let level = |i: usize| if mask >> i & 1 == 1 { 1.0 } else { -1.0 };
        x[(row, 0)] = 1.0;
        for i in 0..k {
            x[(row, 1 + i)] = level(i);
        }
        for (p, &(a, b)) in pairs.iter().enumerate() {
            x[(row, 1 + k + p)] = level(a) * level(b);
        }
        y[row] = stats::mean(value[&mask].iter().copied());
    }
    let Ok(b) = x.svd(true, true).solve(&y, 1e-12) else {
        return (vec![None; k], Vec::new());
    };
    let mains = (0..k).map(|i| Some(2.0 * b[1 + i])).collect();
    let interactions = pairs
        .iter()
        .enumerate()
        .map(|(p, &(a, c))| (a, c, 2.0 * b[1 + k + p]))
        .collect();
    (mains, interactions)
}
