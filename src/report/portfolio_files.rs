//! `portfolio.csv` (one row per subset of the changes) and `portfolio.json`
//! (the objective, the frontier, and with a budget the recommended subset
//! and its runners-up).

use super::csv_bytes;
use crate::portfolio::{Candidate, Portfolio};
use crate::stats::Estimate;
use serde::Serialize;
use std::io;

pub const CSV: &str = "portfolio.csv";
pub const JSON: &str = "portfolio.json";

fn opt(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite())
        .map(|x| x.to_string())
        .unwrap_or_default()
}

pub fn csv(portfolio: &Portfolio) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "changes",
        "capex",
        "throughput_per_h",
        "throughput_ci95_low",
        "throughput_ci95_high",
        "npv",
        "npv_ci95_low",
        "npv_ci95_high",
        "frontier",
        "near_best",
    ])?;
    for c in &portfolio.candidates {
        let t = &c.throughput_per_h;
        let npv = c.npv.unwrap_or(Estimate {
            mean: f64::NAN,
            ci95_low: None,
            ci95_high: None,
        });
        w.write_record([
            c.changes.join("+"),
            c.capex.to_string(),
            opt(Some(t.mean)),
            opt(t.ci95_low),
            opt(t.ci95_high),
            opt(Some(npv.mean)),
            opt(npv.ci95_low),
            opt(npv.ci95_high),
            c.frontier.to_string(),
            c.near_best.to_string(),
        ])?;
    }
    csv_bytes(w)
}

#[derive(Serialize)]
struct Point<'a> {
    changes: &'a [String],
    capex: f64,
    objective: Estimate,
    throughput_per_h: Estimate,
    npv: Option<Estimate>,
}

impl<'a> From<&'a Candidate> for Point<'a> {
    fn from(c: &'a Candidate) -> Self {
        Point {
            changes: &c.changes,
            capex: c.capex,
            objective: c.objective,
            throughput_per_h: c.throughput_per_h,
            npv: c.npv,
        }
    }
}

#[derive(Serialize)]
struct File<'a> {
    objective: crate::portfolio::Objective,
    subsets: usize,
    replications: u32,
    /// Cheapest first.
    frontier: Vec<Point<'a>>,
    budget: Option<f64>,
    recommended: Option<&'a [String]>,
    runners_up: Vec<Point<'a>>,
}

pub fn json(portfolio: &Portfolio) -> io::Result<Vec<u8>> {
    let file = File {
        objective: portfolio.objective,
        subsets: portfolio.candidates.len(),
        replications: portfolio.replications,
        frontier: portfolio.frontier().into_iter().map(Point::from).collect(),
        budget: portfolio.budget,
        recommended: portfolio
            .recommended
            .map(|i| portfolio.candidates[i].changes.as_slice()),
        runners_up: portfolio
            .runners_up
            .iter()
            .map(|&i| Point::from(&portfolio.candidates[i]))
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&file).map_err(io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}
