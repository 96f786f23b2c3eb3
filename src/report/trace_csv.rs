//! `trace.csv` (with `run --trace`): one replication's machine states over
//! a window of simulated time. Per variant: every machine's state at the
//! window's start, each change inside it in the order it happened (rows of
//! one instant: the last stands), every machine's state at the window's
//! end. `time` is in hours from the start of the run, warm-up included;
//! `machine` numbers a station's machines from 0; `active` is the
//! bottleneck measure's: busy, setup, down, waiting for an operator, or off
//! shift with work waiting.

use super::csv_bytes;
use crate::experiment::VariantTrace;
use crate::model::{MachineState, Model, MIN_PER_H};
use std::io;

pub const NAME: &str = "trace.csv";

/// One row as read back (the Gantt chart is drawn from the file).
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Row {
    pub variant: String,
    /// The `time` column, hours.
    #[serde(rename = "time")]
    pub time_h: f64,
    pub station: String,
    pub machine: u32,
    pub state: String,
    pub active: bool,
}

impl Row {
    pub fn machine_state(&self) -> Option<MachineState> {
        MachineState::from_name(&self.state)
    }
}

/// The file of `traces`, one per variant of `models`.
pub fn bytes(traces: &[VariantTrace], models: &[&Model]) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["variant", "time", "station", "machine", "state", "active"])?;
    for (t, model) in traces.iter().zip(models) {
        for row in &t.trace.rows {
            w.write_record([
                t.variant.as_str(),
                &(row.time_min / MIN_PER_H).to_string(),
                &model.stations[row.station as usize].name,
                &row.machine.to_string(),
                row.state.name(),
                if row.active { "true" } else { "false" },
            ])?;
        }
    }
    csv_bytes(w)
}

/// Parses the file's content.
pub fn parse(bytes: &[u8]) -> io::Result<Vec<Row>> {
    csv::Reader::from_reader(bytes)
        .deserialize()
        .collect::<Result<Vec<Row>, _>>()
        .map_err(io::Error::other)
}
