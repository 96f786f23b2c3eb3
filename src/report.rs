//! Result files and the terminal summary (SPEC §5): `summary.json`,
//! `replications.csv`, `stations.csv`, written all-or-nothing.

pub mod atomic;
pub mod table;

use crate::experiment::ExperimentResult;
use crate::summary::Summary;
use atomic::ResultSet;
use std::io;
use std::path::{Path, PathBuf};

/// Writes every result file of a run into `dir`, atomically.
pub fn write_results(
    dir: &Path,
    summary: &Summary,
    result: &ExperimentResult,
) -> io::Result<Vec<PathBuf>> {
    let mut set = ResultSet::new(dir)?;
    stage_results(&mut set, summary, result)?;
    set.commit()
}

/// Stages the JSON and CSV files into `set`.
pub fn stage_results(
    set: &mut ResultSet,
    summary: &Summary,
    result: &ExperimentResult,
) -> io::Result<()> {
    let json = serde_json::to_string_pretty(summary).map_err(io::Error::other)?;
    set.stage("summary.json", (json + "\n").as_bytes())?;
    set.stage("replications.csv", &replications_csv(result)?)?;
    set.stage("stations.csv", &stations_csv(summary)?)?;
    Ok(())
}

fn replications_csv(result: &ExperimentResult) -> io::Result<Vec<u8>> {
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
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

fn stations_csv(summary: &Summary) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "variant",
        "station",
        "busy",
        "setup",
        "blocked",
        "starved",
        "waiting_operator",
        "off_shift",
        "down",
        "buffer_mean",
        "throughput_per_h",
        "scrap_share",
        "oee",
        "energy_kwh",
    ])?;
    for variant in &summary.variants {
        for s in &variant.stations {
            let mut record = vec![variant.name.clone(), s.name.clone()];
            record.extend(s.shares().iter().map(f64::to_string));
            record.extend([
                s.buffer_mean.to_string(),
                s.throughput_per_h.to_string(),
                s.scrap_share.to_string(),
                s.oee.to_string(),
                s.energy_kwh.map(|e| e.to_string()).unwrap_or_default(),
            ]);
            w.write_record(record)?;
        }
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

fn number_or_empty(value: f64) -> String {
    if value.is_finite() {
        value.to_string()
    } else {
        String::new()
    }
}
