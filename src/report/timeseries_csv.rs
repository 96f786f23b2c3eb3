//! `timeseries.csv`: WIP over the whole run (warm-up included): per time
//! bin, the mean, the lowest and the highest of the replications'
//! time-average WIP.

use super::csv_bytes;
use crate::experiment::ExperimentResult;
use std::io;

pub const NAME: &str = "timeseries.csv";

pub fn bytes(result: &ExperimentResult) -> io::Result<Vec<u8>> {
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
    csv_bytes(w)
}
