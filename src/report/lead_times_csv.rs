//! `lead_times.csv`: lead times of good parts, all replications together:
//! the non-empty bins of a log-linear histogram (bins at most 3.1 % wide),
//! with counts and shares.

use super::csv_bytes;
use crate::experiment::ExperimentResult;
use crate::stats::collect::Histogram;
use crate::summary::lead_time_histogram;
use std::io;

pub const NAME: &str = "lead_times.csv";

pub fn bytes(result: &ExperimentResult) -> io::Result<Vec<u8>> {
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
    csv_bytes(w)
}
