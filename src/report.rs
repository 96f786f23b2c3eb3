//! Result files and the terminal summary (SPEC §5): `summary.json`,
//! `replications.csv`, `stations.csv`, `timeseries.csv`, `lead_times.csv`
//! and the PNG charts, written all-or-nothing.

pub mod atomic;
pub mod charts;
pub mod table;

use crate::experiment::ExperimentResult;
use crate::stats::collect::Histogram;
use crate::summary::{lead_time_histogram, Summary};
use atomic::ResultSet;
use std::io;
use std::path::{Path, PathBuf};

/// Writes every result file of a run into `dir`, atomically; charts unless
/// `charts` is false.
pub fn write_results(
    dir: &Path,
    summary: &Summary,
    result: &ExperimentResult,
    charts: bool,
) -> io::Result<Vec<PathBuf>> {
    let mut set = ResultSet::new(dir)?;
    let files = result_files(summary, result)?;
    for (name, bytes) in &files {
        set.stage(name, bytes)?;
    }
    if charts {
        // Charts are drawn from the files' content, exactly as `plot` does.
        let content = |name: &str| {
            files
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, bytes)| bytes.as_slice())
                .expect("every data file is staged")
        };
        let data = charts::ChartData::parse(
            content("summary.json"),
            content("timeseries.csv"),
            content("lead_times.csv"),
        )?;
        charts::stage_charts(&mut set, &data)?;
    }
    set.commit()
}

/// The data files of a run: name and content.
pub fn result_files(
    summary: &Summary,
    result: &ExperimentResult,
) -> io::Result<Vec<(&'static str, Vec<u8>)>> {
    let json = serde_json::to_string_pretty(summary).map_err(io::Error::other)? + "\n";
    Ok(vec![
        ("summary.json", json.into_bytes()),
        ("replications.csv", replications_csv(result)?),
        ("stations.csv", stations_csv(summary)?),
        ("timeseries.csv", timeseries_csv(result)?),
        ("lead_times.csv", lead_times_csv(result)?),
    ])
}

fn finish(w: csv::Writer<Vec<u8>>) -> io::Result<Vec<u8>> {
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
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
    finish(w)
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
    finish(w)
}

/// WIP over the whole run (warm-up included): per time bin, the mean, the
/// lowest and the highest of the replications' time-average WIP.
fn timeseries_csv(result: &ExperimentResult) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["variant", "time_h", "wip_mean", "wip_min", "wip_max"])?;
    for variant in &result.variants {
        let reps = &variant.replications;
        let Some(first) = reps.first() else { continue };
        for bin in 0..first.wip_series.len() {
            let values = reps.iter().map(|r| r.wip_series[bin]);
            let mean = values.clone().sum::<f64>() / reps.len() as f64;
            let min = values.clone().fold(f64::INFINITY, f64::min);
            let max = values.fold(f64::NEG_INFINITY, f64::max);
            let time_h = (bin as f64 + 0.5) * first.wip_bin_min / 60.0;
            w.write_record([
                variant.name.clone(),
                time_h.to_string(),
                mean.to_string(),
                min.to_string(),
                max.to_string(),
            ])?;
        }
    }
    finish(w)
}

/// Lead times of good parts, all replications together: the non-empty bins
/// of a log-linear histogram (bins at most 3.1 % wide), with counts and shares.
fn lead_times_csv(result: &ExperimentResult) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["variant", "low_min", "high_min", "count", "share"])?;
    for variant in &result.variants {
        let histogram = lead_time_histogram(&variant.replications);
        let total = histogram.total().max(1) as f64;
        for (bin, &count) in histogram.counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let (low, high) = Histogram::edges(bin);
            w.write_record([
                variant.name.clone(),
                low.to_string(),
                high.to_string(),
                count.to_string(),
                (count as f64 / total).to_string(),
            ])?;
        }
    }
    finish(w)
}

fn number_or_empty(value: f64) -> String {
    if value.is_finite() {
        value.to_string()
    } else {
        String::new()
    }
}
