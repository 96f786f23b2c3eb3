//! Failures from a downtime log (`alloysim fit-failures`): one row per
//! stoppage (`machine,start,end`, optionally `reason`); times to repair are
//! `end − start`, times to failure the up times between a machine's
//! stoppages (the calendar basis: a log of stoppages cannot tell processing
//! from idle time). The up time still running when the log ends, and with a
//! log start the one before a machine's first stoppage, are right-censored.

use super::data::DataError;
use super::{rank, Candidate};
use crate::model::date::parse_timestamp;
use serde::Serialize;

/// The families fitted to failure and repair times.
pub const FAILURE_FAMILIES: [&str; 4] = ["weibull", "exponential", "lognormal", "gamma"];

/// The times a downtime log gives, in the log's unit.
#[derive(Debug, Default)]
pub struct Times {
    pub ttf: Vec<f64>,
    pub ttf_censored: Vec<f64>,
    pub ttr: Vec<f64>,
    pub machines: usize,
    pub stoppages: usize,
}

/// A time cell: a number in the unit, or an ISO 8601 timestamp.
fn time_of(cell: &str, minutes_per_unit: f64) -> Result<f64, String> {
    if let Ok(v) = cell.parse::<f64>() {
        return if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("expected a time, got \"{cell}\""))
        };
    }
    parse_timestamp(cell)
        .map(|minutes| minutes / minutes_per_unit)
        .map_err(|e| format!("expected a number or an ISO 8601 timestamp: {e}"))
}

/// Reads the log; `log_start` and `log_end` are cells in the same forms.
pub fn read_log(
    text: &str,
    file: &str,
    minutes_per_unit: f64,
    log_start: Option<&str>,
    log_end: Option<&str>,
) -> Result<Times, DataError> {
    let bad = |line: u64, column: usize, message: String| DataError::Bad {
        file: file.to_owned(),
        line,
        column,
        message,
    };
    let whole = |message: String| DataError::File {
        file: file.to_owned(),
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| whole(e.to_string()))?.clone();
    let column = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            whole(format!(
                "no column \"{name}\" in the header line (machine,start,end[,reason]); it has: {}",
                header.iter().collect::<Vec<_>>().join(", ")
            ))
        })
    };
    let (m, s, e) = (column("machine")?, column("start")?, column("end")?);
    // (machine, start, end, line)
    let mut rows: Vec<(String, f64, f64, u64)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| whole(e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| {
            record
                .get(i)
                .ok_or_else(|| bad(line, i + 1, "missing value".to_owned()))
        };
        let machine = cell(m)?.to_owned();
        let start = time_of(cell(s)?, minutes_per_unit).map_err(|msg| bad(line, s + 1, msg))?;
        let end = time_of(cell(e)?, minutes_per_unit).map_err(|msg| bad(line, e + 1, msg))?;
        if end <= start {
            return Err(bad(
                line,
                e + 1,
                format!(
                    "the stoppage ends at or before its start ({} <= {})",
                    cell(e)?,
                    cell(s)?
                ),
            ));
        }
        rows.push((machine, start, end, line));
    }
    if rows.is_empty() {
        return Err(whole("no stoppages in the log".to_owned()));
    }
    let parse_bound = |text: Option<&str>, what: &str| -> Result<Option<f64>, DataError> {
        text.map(|t| time_of(t, minutes_per_unit).map_err(|msg| whole(format!("--{what}: {msg}"))))
            .transpose()
    };
    let start_of_log = parse_bound(log_start, "log-start")?;
    let end_of_log = parse_bound(log_end, "log-end")?
        .unwrap_or_else(|| rows.iter().map(|r| r.2).fold(f64::NEG_INFINITY, f64::max));
    let mut machines: Vec<String> = Vec::new();
    for r in &rows {
        if !machines.contains(&r.0) {
            machines.push(r.0.clone());
        }
    }
    let mut times = Times {
        machines: machines.len(),
        stoppages: rows.len(),
        ..Times::default()
    };
    for machine in &machines {
        let mut own: Vec<&(String, f64, f64, u64)> =
            rows.iter().filter(|r| &r.0 == machine).collect();
        own.sort_by(|a, b| a.1.total_cmp(&b.1));
        if let Some(first_of_log) = start_of_log {
            if own[0].1 < first_of_log {
                return Err(bad(
                    own[0].3,
                    s + 1,
                    "the stoppage starts before --log-start".to_owned(),
                ));
            }
            if own[0].1 > first_of_log {
                times.ttf_censored.push(own[0].1 - first_of_log);
            }
        }
        for w in own.windows(2) {
            let up = w[1].1 - w[0].2;
            if up <= 0.0 {
                return Err(bad(
                    w[1].3,
                    s + 1,
                    format!("machine \"{machine}\" stops again before the stoppage of line {} has ended", w[0].3),
                ));
            }
            times.ttf.push(up);
        }
        for r in &own {
            times.ttr.push(r.2 - r.1);
        }
        let last = own[own.len() - 1];
        if last.2 > end_of_log {
            return Err(bad(
                last.3,
                e + 1,
                "the stoppage ends after --log-end".to_owned(),
            ));
        }
        if end_of_log > last.2 {
            times.ttf_censored.push(end_of_log - last.2);
        }
    }
    Ok(times)
}

/// A fit of failure or repair times, shaped like `fit.json`.
#[derive(Clone, Debug, Serialize)]
pub struct TimesFit {
    /// Observed (uncensored) times.
    pub n: usize,
    /// Right-censored times.
    pub censored: usize,
    pub unit: String,
    pub best: String,
    pub toml: String,
    pub candidates: Vec<Candidate>,
}

/// `failures.json`.
#[derive(Clone, Debug, Serialize)]
pub struct FailuresFit {
    pub machines: usize,
    pub stoppages: usize,
    pub ttf: TimesFit,
    pub ttr: TimesFit,
    /// The ready-to-paste `failures = { ... }` line.
    pub toml: String,
}

/// Fits the four families to observed and censored times; AD and KS are
/// computed on the observed times, their p-values by a parametric
/// bootstrap that censors each draw at the same censoring times (and, for
/// times on a grid with ties, such as stoppages logged to the minute,
/// rounds its observed draws to that grid, as `fit` does).
pub fn fit_times(observed: &[f64], censored: &[f64], unit: &str, seed: u64) -> TimesFit {
    let mut sorted = observed.to_vec();
    sorted.sort_by(f64::total_cmp);
    let grid = super::tied_grid(&sorted);
    let candidates = rank(&FAILURE_FAMILIES, observed, censored, grid, seed);
    let (best, toml) = candidates
        .first()
        .map_or(("none".to_owned(), String::new()), |c| {
            (c.dist.to_owned(), c.fitted.toml(unit))
        });
    TimesFit {
        n: observed.len(),
        censored: censored.len(),
        unit: unit.to_owned(),
        best,
        toml,
        candidates,
    }
}

/// Fits times to failure and to repair of a log.
pub fn fit_failures(times: &Times, unit: &str, seed: u64) -> FailuresFit {
    let ttf = fit_times(&times.ttf, &times.ttf_censored, unit, seed);
    let ttr = fit_times(&times.ttr, &[], unit, seed ^ 0x5eed);
    let toml = format!(
        "failures = {{ ttf = {}, ttr = {}, basis = \"calendar\" }}",
        ttf.toml, ttr.toml
    );
    FailuresFit {
        machines: times.machines,
        stoppages: times.stoppages,
        ttf,
        ttr,
        toml,
    }
}
