//! `stations.csv`: one row per (variant, station): every state share, the
//! station's other figures, and its bottleneck shares (sole and shifting,
//! with their 95 % CIs), off-shift-with-work-waiting share, share down
//! waiting for a repair crew, and planned maintenances per hour.

use super::csv_bytes;
use crate::model::MachineState;
use crate::summary::Summary;
use std::io;

pub const NAME: &str = "stations.csv";

fn opt(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

pub fn bytes(summary: &Summary) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["variant", "station"];
    header.extend(MachineState::ALL.map(MachineState::name));
    header.extend([
        "buffer_mean",
        "throughput_per_h",
        "scrap_share",
        "oee",
        "energy_kwh",
        "bottleneck_sole",
        "bottleneck_sole_ci95_low",
        "bottleneck_sole_ci95_high",
        "bottleneck_shifting",
        "bottleneck_shifting_ci95_low",
        "bottleneck_shifting_ci95_high",
        "off_shift_waiting",
        "waiting_repair",
        "maintenances_per_h",
    ]);
    w.write_record(&header)?;
    for variant in &summary.variants {
        for s in &variant.stations {
            let mut record = vec![variant.name.clone(), s.name.clone()];
            record.extend(s.shares.iter().map(f64::to_string));
            record.extend([
                s.buffer_mean.to_string(),
                s.throughput_per_h.to_string(),
                s.scrap_share.to_string(),
                s.oee.to_string(),
                s.energy_kwh.map(|e| e.to_string()).unwrap_or_default(),
            ]);
            for e in [&s.bottleneck_sole, &s.bottleneck_shifting] {
                record.extend([e.mean.to_string(), opt(e.ci95_low), opt(e.ci95_high)]);
            }
            record.push(s.off_shift_waiting.to_string());
            record.push(s.waiting_repair.to_string());
            record.push(s.maintenances_per_h.to_string());
            w.write_record(record)?;
        }
    }
    csv_bytes(w)
}
