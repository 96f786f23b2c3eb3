//! `sweep.csv`: one row per point of a sweep: the swept values, throughput
//! with its 95 % CI, WIP, lead time and the bottleneck.

use super::csv_bytes;
use crate::sweep::Sweep;
use std::io;

pub const NAME: &str = "sweep.csv";

pub fn bytes(result: &Sweep) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = result.params.clone();
    header.extend(
        [
            "throughput_per_h",
            "ci95_low",
            "ci95_high",
            "wip_mean",
            "lead_time_min_mean",
            "bottleneck",
        ]
        .map(String::from),
    );
    w.write_record(&header)?;
    for p in &result.points {
        let mut row: Vec<String> = p.values.iter().map(|v| v.to_string()).collect();
        let t = &p.throughput_per_h;
        row.extend([
            t.mean.to_string(),
            t.ci95_low.map(|v| v.to_string()).unwrap_or_default(),
            t.ci95_high.map(|v| v.to_string()).unwrap_or_default(),
            p.wip_mean.to_string(),
            p.lead_time_min_mean.to_string(),
            p.bottleneck.clone(),
        ]);
        w.write_record(&row)?;
    }
    csv_bytes(w)
}
