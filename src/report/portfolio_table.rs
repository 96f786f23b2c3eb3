//! The terminal table of `alloysim portfolio`: the frontier, cheapest
//! first, and with a budget the recommendation and its runners-up.

use super::table::{fixed, money_with_ci, render, with_ci};
use crate::portfolio::{Candidate, Objective, Portfolio};
use std::fmt::Write;

fn objective_text(portfolio: &Portfolio, c: &Candidate) -> String {
    match portfolio.objective {
        Objective::Npv => money_with_ci(&c.objective),
        Objective::Throughput => with_ci(&c.objective, 2),
    }
}

fn names(c: &Candidate) -> String {
    if c.changes.is_empty() {
        "(nothing)".to_owned()
    } else {
        c.changes.join(" + ")
    }
}

pub fn text(portfolio: &Portfolio) -> String {
    let what = match portfolio.objective {
        Objective::Npv => "NPV (95% CI)",
        Objective::Throughput => "good/h (95% CI)",
    };
    let mut out = format!(
        "portfolio: {} subsets of the changes, {} replications each; the efficient frontier:\n",
        portfolio.candidates.len(),
        portfolio.replications
    );
    let mut rows = vec![vec![
        "capex (M)".to_owned(),
        what.to_owned(),
        "changes".to_owned(),
    ]];
    for c in portfolio.frontier() {
        rows.push(vec![
            fixed(c.capex / 1e6, 2),
            objective_text(portfolio, c),
            names(c),
        ]);
    }
    out.push_str(&render(&rows));
    if let (Some(budget), Some(best)) = (portfolio.budget, portfolio.recommended) {
        let c = &portfolio.candidates[best];
        let _ = writeln!(
            out,
            "\nbudget {:.2} M: buy {} (capex {:.2} M, {})",
            budget / 1e6,
            names(c),
            c.capex / 1e6,
            objective_text(portfolio, c)
        );
        for &i in &portfolio.runners_up {
            let r = &portfolio.candidates[i];
            let _ = writeln!(
                out,
                "  as good within the CIs: {} (capex {:.2} M, {})",
                names(r),
                r.capex / 1e6,
                objective_text(portfolio, r)
            );
        }
    }
    out
}
