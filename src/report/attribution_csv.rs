//! `attribution.csv`: the total gain, each change's Shapley value (with
//! capex and gain per million), with `[economics]` the variant's NPV and
//! each change's Shapley share of it (`total_npv`, `shapley_npv`), main
//! effects, interactions, and the main
//! bottleneck of the baseline and with all changes (`change` = `baseline`
//! or `all_changes`, `other` = the station, `estimate` = its share of the
//! time as the bottleneck), one row each, told apart by the `kind` column.

use super::csv_bytes;
use crate::attribution::Attribution;
use crate::stats::Estimate;
use std::io;

pub const NAME: &str = "attribution.csv";

const HEADER: [&str; 8] = [
    "kind",
    "change",
    "other",
    "estimate",
    "ci95_low",
    "ci95_high",
    "capex",
    "gain_per_million",
];

fn opt(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// A row: kind, change, other change, the estimate (with its interval when
/// it has one), capex and gain per million.
fn row(
    kind: &str,
    change: &str,
    other: &str,
    estimate: Estimate,
    capex: Option<f64>,
    per_million: Option<f64>,
) -> [String; 8] {
    [
        kind.to_owned(),
        change.to_owned(),
        other.to_owned(),
        estimate.mean.to_string(),
        opt(estimate.ci95_low),
        opt(estimate.ci95_high),
        opt(capex),
        opt(per_million),
    ]
}

/// A figure without an interval.
fn point(value: f64) -> Estimate {
    Estimate {
        mean: value,
        ci95_low: None,
        ci95_high: None,
    }
}

pub fn bytes(a: &Attribution) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    w.write_record(row("total_gain", &a.variant, "", a.gain_per_h, None, None))?;
    for c in &a.changes {
        let record = row(
            "shapley",
            &c.name,
            "",
            c.shapley,
            c.capex,
            c.gain_per_million,
        );
        w.write_record(record)?;
    }
    if let Some(npv) = a.npv {
        w.write_record(row("total_npv", &a.variant, "", npv, None, None))?;
    }
    for c in &a.changes {
        if let Some(npv) = c.npv {
            w.write_record(row("shapley_npv", &c.name, "", npv, c.capex, None))?;
        }
    }
    for c in &a.changes {
        if let Some(m) = c.main_effect {
            w.write_record(row("main_effect", &c.name, "", point(m), None, None))?;
        }
    }
    for (subset, (station, share)) in [
        ("baseline", &a.baseline_bottleneck),
        ("all_changes", &a.variant_bottleneck),
    ] {
        w.write_record(row(
            "bottleneck",
            subset,
            station,
            point(*share),
            None,
            None,
        ))?;
    }
    for i in &a.interactions {
        let record = row(
            "interaction",
            &i.first,
            &i.second,
            point(i.effect),
            None,
            None,
        );
        w.write_record(record)?;
    }
    csv_bytes(w)
}
