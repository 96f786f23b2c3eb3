//! Money: what a variant's output is worth and what it costs a year, and
//! what a variant is worth against the baseline (cash gain, NPV, payback).
//!
//! Definitions (docs/SCENARIOS.md, "Economics"): a replication's measured
//! period is scaled to a year of `weeks_per_year` weeks. Sold parts are the
//! good parts, capped at `demand_per_year` (with several products, each
//! product's sold parts are its good parts scaled down in proportion when
//! the total exceeds the demand). Contribution = Σ margin × sold parts;
//! labour = paid operator-hours × `cost_per_h`, paid hours being each
//! pool's size × its shift hours (busy or not; a pool without shifts is
//! paid around the clock); energy = kWh × `price_per_kwh`; yearly cash =
//! contribution − labour − energy − opex. Against the baseline, with common
//! random numbers: NPV = −capex + Σ over `years` of the yearly cash gain,
//! discounted at the end of each year; payback = capex / yearly cash gain
//! (none when the gain is not positive).

use super::{Model, WEEK_MIN};

/// The scenario's `[economics]`, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Economics {
    /// Contribution margin per good part sold, per product.
    pub margin: Vec<f64>,
    /// Parts the market takes a year (`None`: all of them).
    pub demand_per_year: Option<f64>,
    /// Weeks a year the plant works: turns the measured period into a year.
    pub weeks_per_year: f64,
    /// Years of the business case.
    pub years: u32,
    /// Yearly discount rate of the NPV.
    pub discount_rate: f64,
}

/// A replication's money figures, per year.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct YearFigures {
    pub good_parts: f64,
    pub sold_parts: f64,
    pub contribution: f64,
    pub labour_cost: f64,
    pub energy_cost: f64,
    pub opex: f64,
    pub cash: f64,
}

impl YearFigures {
    /// Labour, energy and opex per good part.
    pub fn cost_per_good_part(&self) -> f64 {
        (self.labour_cost + self.energy_cost + self.opex) / self.good_parts
    }
}

impl Economics {
    /// Years in a replication's measured period (`measured_min` minutes).
    pub fn years_in(&self, measured_min: f64) -> f64 {
        measured_min / (self.weeks_per_year * WEEK_MIN)
    }

    /// Σ over the years of 1 / (1 + r)^t: the NPV of one a year.
    pub fn annuity(&self) -> f64 {
        (1..=self.years)
            .map(|t| (1.0 + self.discount_rate).powi(-(t as i32)))
            .sum()
    }

    /// The net present value of a yearly cash gain bought with `capex`.
    pub fn npv(&self, capex: f64, cash_gain_per_year: f64) -> f64 {
        -capex + cash_gain_per_year * self.annuity()
    }

    /// Paid operator-hours a year and their cost, over the model's pools.
    pub fn labour_cost_per_year(&self, model: &Model) -> f64 {
        model
            .pools
            .iter()
            .map(|pool| {
                let hours = f64::from(pool.size) * pool.minutes_per_week() / 60.0;
                hours * self.weeks_per_year * pool.cost_per_h.unwrap_or(0.0)
            })
            .sum()
    }

    /// A measured period of `model` in money, a year: `good_by_product`
    /// parts made and `energy_kwh` drawn in `measured_min` minutes; `opex`
    /// is the variant's yearly opex.
    pub fn year_figures(
        &self,
        model: &Model,
        measured_min: f64,
        good_by_product: &[u64],
        energy_kwh: Option<f64>,
        opex: f64,
    ) -> YearFigures {
        let years = self.years_in(measured_min);
        let good: Vec<f64> = good_by_product.iter().map(|&g| g as f64 / years).collect();
        let good_parts: f64 = good.iter().sum();
        let scale = match self.demand_per_year {
            Some(demand) if good_parts > demand => demand / good_parts,
            _ => 1.0,
        };
        let contribution: f64 = good
            .iter()
            .zip(&self.margin)
            .map(|(g, m)| g * scale * m)
            .sum();
        let energy_cost = match (energy_kwh, model.price_per_kwh) {
            (Some(kwh), Some(price)) => kwh * price / years,
            _ => 0.0,
        };
        let labour_cost = self.labour_cost_per_year(model);
        YearFigures {
            good_parts,
            sold_parts: good_parts * scale,
            contribution,
            labour_cost,
            energy_cost,
            opex,
            cash: contribution - labour_cost - energy_cost - opex,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_annuity_is_the_sum_of_discount_factors() {
        let e = Economics {
            margin: vec![1.0],
            demand_per_year: None,
            weeks_per_year: 48.0,
            years: 8,
            discount_rate: 0.08,
        };
        // (1 - 1.08^-8) / 0.08
        let closed = (1.0 - 1.08f64.powi(-8)) / 0.08;
        assert!((e.annuity() - closed).abs() < 1e-12);
        assert!((e.npv(1e6, 2e5) - (-1e6 + 2e5 * closed)).abs() < 1e-6);
        let undiscounted = Economics {
            discount_rate: 0.0,
            ..e
        };
        assert_eq!(undiscounted.annuity(), 8.0);
    }
}
