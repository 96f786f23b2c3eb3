//! `replications.csv`: one row per (variant, replication).

use super::{csv_bytes, number_or_empty};
use crate::experiment::ExperimentResult;
use std::io;

pub const NAME: &str = "replications.csv";

pub fn bytes(result: &ExperimentResult) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "variant",
        "replication",
        "seed",
        "throughput_per_h",
        "good_parts",
        "scrap_parts",
        "wip_mean",
        "lead_time_mean_min",
        "energy_kwh",
        "events",
    ])?;
    for variant in &result.variants {
        for r in &variant.replications {
            w.write_record([
                variant.name.clone(),
                r.replication.to_string(),
                r.seed.to_string(),
                r.throughput_per_h().to_string(),
                r.good_parts.to_string(),
                r.scrap_parts.to_string(),
                r.wip_mean.to_string(),
                number_or_empty(r.lead_time_mean_min()),
                r.energy_kwh.map(|e| e.to_string()).unwrap_or_default(),
                r.events.to_string(),
            ])?;
        }
    }
    csv_bytes(w)
}
