//! The money figures of `summary.json` (with `[economics]`): per variant a
//! year's good and sold parts, contribution, labour, energy, opex, cash and
//! cost per good part; per comparison the capex, the yearly cash gain, the
//! NPV and the payback, paired by replication (common random numbers); and
//! per pool the operators' utilisation and hours per good part (always).

use crate::engine::ReplicationResult;
use crate::model::economics::{Economics, YearFigures};
use crate::model::{Model, MIN_PER_H};
use crate::scenario::Scenario;
use crate::stats::{self, Estimate};
use serde::{Deserialize, Serialize};

/// A variant's money figures, a year, with 95 % CIs over replications.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VariantEconomics {
    pub good_parts_per_year: Estimate,
    pub sold_parts_per_year: Estimate,
    pub contribution_per_year: Estimate,
    pub labour_cost_per_year: Estimate,
    pub energy_cost_per_year: Estimate,
    pub opex_per_year: Estimate,
    pub cash_per_year: Estimate,
    /// Labour, energy and opex per good part.
    pub cost_per_good_part: Estimate,
    /// The mean good output exceeds the demand: parts beyond it are not sold.
    pub demand_capped: bool,
}

/// A variant's business case against the baseline.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ComparisonEconomics {
    pub capex: Estimate,
    pub cash_gain_per_year: Estimate,
    pub npv: Estimate,
    /// Capex over the yearly cash gain; `null` when the gain is not
    /// positive (it never pays back); an interval end is `null` where the
    /// gain's interval reaches 0.
    pub payback_years: Option<Estimate>,
}

/// An operator pool's figures over the measured period.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PoolSummary {
    pub name: String,
    /// People held by tasks over people on shift (operations finished after
    /// the shift's end can take it above 1).
    #[serde(with = "stats::nan_as_null")]
    pub utilisation: f64,
    /// Person-hours held per good part of the line.
    #[serde(with = "stats::nan_as_null")]
    pub operator_hours_per_good_part: f64,
}

/// Every pool's utilisation and hours per good part.
pub fn pools(model: &Model, reps: &[ReplicationResult]) -> Vec<PoolSummary> {
    model
        .pools
        .iter()
        .enumerate()
        .map(|(p, pool)| {
            let held: f64 = reps.iter().map(|r| r.pool_held_min[p]).sum();
            let paid: f64 = reps
                .iter()
                .map(|r| {
                    let from = r.end_min - r.measured_min;
                    f64::from(pool.size) * pool.on_shift_minutes(from, r.end_min)
                })
                .sum();
            let good: u64 = reps.iter().map(|r| r.good_parts).sum();
            PoolSummary {
                name: pool.name.clone(),
                utilisation: held / paid,
                operator_hours_per_good_part: held / MIN_PER_H / good as f64,
            }
        })
        .collect()
}

/// Capex and yearly opex of a variant's changes.
pub fn capex_and_opex(scenario: &Scenario, changes: &[usize]) -> (f64, f64) {
    changes.iter().fold((0.0, 0.0), |(capex, opex), &c| {
        let change = &scenario.changes[c];
        (
            capex + change.capex.unwrap_or(0.0),
            opex + change.opex_per_year.unwrap_or(0.0),
        )
    })
}

/// A variant's money figures, one per replication.
pub fn year_figures(
    economics: &Economics,
    model: &Model,
    reps: &[ReplicationResult],
    opex: f64,
) -> Vec<YearFigures> {
    reps.iter()
        .map(|r| {
            economics.year_figures(
                model,
                r.measured_min,
                &r.good_by_product,
                r.energy_kwh,
                opex,
            )
        })
        .collect()
}

/// The variant's figures as estimates.
pub fn variant_economics(economics: &Economics, figures: &[YearFigures]) -> VariantEconomics {
    let of =
        |f: fn(&YearFigures) -> f64| stats::estimate(&figures.iter().map(f).collect::<Vec<_>>());
    let good = of(|y| y.good_parts);
    VariantEconomics {
        good_parts_per_year: good,
        sold_parts_per_year: of(|y| y.sold_parts),
        contribution_per_year: of(|y| y.contribution),
        labour_cost_per_year: of(|y| y.labour_cost),
        energy_cost_per_year: of(|y| y.energy_cost),
        opex_per_year: of(|y| y.opex),
        cash_per_year: of(|y| y.cash),
        cost_per_good_part: of(YearFigures::cost_per_good_part),
        demand_capped: economics
            .demand_per_year
            .is_some_and(|demand| good.mean > demand),
    }
}

/// A variant against the baseline: the paired yearly cash gain, and the
/// NPV and payback it buys with `capex`.
pub fn comparison_economics(
    economics: &Economics,
    capex: f64,
    variant: &[YearFigures],
    baseline: &[YearFigures],
) -> ComparisonEconomics {
    let gains: Vec<f64> = variant
        .iter()
        .zip(baseline)
        .map(|(v, b)| v.cash - b.cash)
        .collect();
    let gain = stats::estimate(&gains);
    let npvs: Vec<f64> = gains.iter().map(|&g| economics.npv(capex, g)).collect();
    ComparisonEconomics {
        capex: Estimate {
            mean: capex,
            ci95_low: Some(capex),
            ci95_high: Some(capex),
        },
        cash_gain_per_year: gain,
        npv: stats::estimate(&npvs),
        payback_years: payback(capex, &gain),
    }
}

/// Capex / gain, its interval from the gain's (`None` where that reaches 0).
fn payback(capex: f64, gain: &Estimate) -> Option<Estimate> {
    if gain.mean <= 0.0 {
        return None;
    }
    let years = |g: f64| (g > 0.0).then(|| capex / g);
    Some(Estimate {
        mean: capex / gain.mean,
        ci95_low: gain.ci95_high.and_then(years),
        ci95_high: gain.ci95_low.and_then(years),
    })
}
