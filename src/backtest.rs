//! The back-test (`alloysim backtest`): does the simulated baseline
//! reproduce the plant? The observed file has one row per day (`day`,
//! `good_parts`, and optionally shares per station and state named
//! `<station>.<state>`, e.g. `die_cast.down`); the baseline is simulated
//! from its warm-up to the last observed day, and day d of the plant meets
//! day d of every replication (days without a row are compared on neither
//! side).
//!
//! The daily output is compared day by day: the mean of the differences
//! between each observed day and the replications' mean of that day,
//! tested against 0 by a t-test whose standard error adds the spread of
//! the replications' means over the same days (replications are
//! independent; days within one are not), and the difference in per cent
//! of the simulated mean with its 95 % interval. A station share is
//! compared over the same days: the observed days' mean share against the
//! replications' means of their shares on those days; it disagrees when
//! the two differ by more than 1.96 standard errors of the difference.

use crate::engine::ReplicationResult;
use crate::experiment::{self, ExperimentError};
use crate::fit::data::DataError;
use crate::model::MachineState;
use crate::scenario::Scenario;
use crate::stats;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The most days a back-test simulates (about 270 years).
pub const MAX_DAYS: u32 = 100_000;

/// The observed days.
#[derive(Clone, Debug)]
pub struct Observed {
    /// The measured day of each row (1 is the first day after the
    /// warm-up), increasing; days without a row are not compared.
    pub days: Vec<u32>,
    pub good_parts: Vec<f64>,
    /// (station, state, daily shares).
    pub shares: Vec<(String, MachineState, Vec<f64>)>,
}

/// Reads the observed file; its station and state columns must name
/// stations of `scenario` and machine states. The `day` column numbers
/// the measured days from 1 (whole numbers, each at most once, in any
/// order; the rows are put in day order); without it the rows are days 1,
/// 2, 3, ...
pub fn read_observed(text: &str, file: &str, scenario: &Scenario) -> Result<Observed, DataError> {
    let whole = |message: String| DataError::File {
        file: file.to_owned(),
        message,
    };
    let bad = |line: u64, column: usize, message: String| DataError::Bad {
        file: file.to_owned(),
        line,
        column,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| whole(e.to_string()))?.clone();
    let stations = &scenario.baseline().stations;
    let mut good = None;
    let mut day_column = None;
    let mut share_columns = Vec::new();
    if !header.is_empty() && header.iter().all(|cell| cell.parse::<f64>().is_ok()) {
        return Err(bad(
            1,
            1,
            format!(
                "no header line: the first line must name the columns, e.g. \"day,good_parts\" (and <station>.<state> shares); it reads \"{}\"",
                header.iter().collect::<Vec<_>>().join(",")
            ),
        ));
    }
    for (i, name) in header.iter().enumerate() {
        match name {
            "day" => day_column = Some(i),
            "good_parts" => good = Some(i),
            other => {
                let column = |why: String| {
                    bad(
                        1,
                        i + 1,
                        format!("unknown column \"{other}\": expected day, good_parts or <station>.<state>; {why}"),
                    )
                };
                let Some((station, state)) = other.rsplit_once('.') else {
                    return Err(column(
                        "a share column names a station and a machine state, e.g. \"xray.busy\""
                            .to_owned(),
                    ));
                };
                if !stations.iter().any(|s| s.name == station) {
                    let names: Vec<&str> = stations.iter().map(|s| s.name.as_str()).collect();
                    return Err(column(format!(
                        "the scenario has no station \"{station}\" (its stations: {})",
                        names.join(", ")
                    )));
                }
                let Some(state) = MachineState::from_name(state) else {
                    let states: Vec<&str> = MachineState::ALL.iter().map(|s| s.name()).collect();
                    return Err(column(format!(
                        "\"{state}\" is not a machine state (the states: {})",
                        states.join(", ")
                    )));
                };
                share_columns.push((i, station.to_owned(), state));
            }
        }
    }
    let good =
        good.ok_or_else(|| whole("no column \"good_parts\" in the header line".to_owned()))?;
    let mut observed = Observed {
        days: Vec::new(),
        good_parts: Vec::new(),
        shares: share_columns
            .iter()
            .map(|(_, station, state)| (station.clone(), *state, Vec::new()))
            .collect(),
    };
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| whole(e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let number = |i: usize| -> Result<f64, DataError> {
            let cell = record.get(i).unwrap_or("");
            cell.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| {
                    bad(
                        line,
                        i + 1,
                        format!("expected a number >= 0, got \"{cell}\""),
                    )
                })
        };
        let day = match day_column {
            Some(i) => {
                let cell = record.get(i).unwrap_or("");
                cell.parse::<u32>()
                    .ok()
                    .filter(|d| (1..=MAX_DAYS).contains(d))
                    .ok_or_else(|| {
                        bad(
                            line,
                            i + 1,
                            format!("expected a whole day number from 1 to {MAX_DAYS} (1 is the first day after the warm-up), got \"{cell}\""),
                        )
                    })?
            }
            None => observed.days.len() as u32 + 1,
        };
        lines.push(line);
        observed.days.push(day);
        observed.good_parts.push(number(good)?);
        for (k, (i, _, _)) in share_columns.iter().enumerate() {
            let share = number(*i)?;
            if share > 1.0 {
                return Err(bad(
                    line,
                    i + 1,
                    format!("expected a share from 0 to 1, got {share}"),
                ));
            }
            observed.shares[k].2.push(share);
        }
    }
    // Day order; a day given twice is refused at its second row.
    let mut order: Vec<usize> = (0..observed.days.len()).collect();
    order.sort_by_key(|&r| (observed.days[r], lines[r]));
    for w in order.windows(2) {
        let (first, again) = (w[0], w[1]);
        if observed.days[first] == observed.days[again] {
            let (first, again) = (first.min(again), first.max(again));
            return Err(bad(
                lines[again],
                day_column.map_or(1, |i| i + 1),
                format!(
                    "day {} is given twice (also on line {})",
                    observed.days[again], lines[first]
                ),
            ));
        }
    }
    let reorder = |v: &[f64]| order.iter().map(|&r| v[r]).collect::<Vec<f64>>();
    observed.good_parts = reorder(&observed.good_parts);
    for share in &mut observed.shares {
        share.2 = reorder(&share.2);
    }
    observed.days = order.iter().map(|&r| observed.days[r]).collect();
    if observed.good_parts.len() < 5 {
        return Err(whole(format!(
            "{} day(s); a back-test needs at least 5",
            observed.good_parts.len()
        )));
    }
    Ok(observed)
}

impl Observed {
    /// The days simulated: up to the last observed day.
    pub fn last_day(&self) -> u32 {
        self.days.last().copied().unwrap_or(0)
    }

    /// The days from 1 to the last observed one that have no row.
    pub fn missing_days(&self) -> u32 {
        self.last_day() - self.days.len() as u32
    }
}

/// An estimate with its interval, as written.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Interval {
    pub mean: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
}

/// A station share compared.
#[derive(Clone, Debug, Serialize)]
pub struct ShareCheck {
    pub station: String,
    pub state: String,
    pub observed: f64,
    pub simulated: f64,
    /// Observed − simulated, percentage points.
    pub difference_points: f64,
    pub disagrees: bool,
}

/// `backtest.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Backtest {
    pub days_observed: usize,
    pub days_simulated: usize,
    pub replications: usize,
    pub observed_mean: f64,
    pub simulated_mean: f64,
    /// (observed / simulated − 1) × 100.
    pub difference_pct: Interval,
    pub p_value: f64,
    /// `"agrees"` or `"disagrees"`, at the 5 % level.
    pub verdict: String,
    pub shares: Vec<ShareCheck>,
    /// The observed daily output (day, good parts), and per simulated day
    /// the mean, 5 % and 95 % quantile over the replications (for the
    /// chart).
    #[serde(skip)]
    pub observed_days: Vec<(u32, f64)>,
    #[serde(skip)]
    pub simulated_band: Vec<(f64, f64, f64)>,
}

impl Backtest {
    /// The verdict in plain words.
    pub fn sentence(&self) -> String {
        let d = &self.difference_pct;
        if self.verdict == "agrees" {
            format!(
                "the baseline reproduces the observed daily output within ±{:.1} % (observed {:.1}, simulated {:.1} a day, p = {:.2})",
                d.ci95_low.abs().max(d.ci95_high.abs()),
                self.observed_mean,
                self.simulated_mean,
                self.p_value
            )
        } else {
            format!(
                "the baseline does not reproduce the plant: observed {:.1} a day, simulated {:.1}, a difference of {:+.1} % (95 % CI {:+.1} to {:+.1} %, p = {:.1e})",
                self.observed_mean, self.simulated_mean, d.mean, d.ci95_low, d.ci95_high, self.p_value
            )
        }
    }
}

/// Sets `scenario`'s horizon to the observed days (day 1 to the last
/// observed one), so that day d of the plant meets day d of every
/// replication; an error when warm-up and days exceed the longest run.
pub fn fit_horizon(scenario: &mut Scenario, observed: &Observed) -> Result<(), String> {
    let horizon_min = f64::from(observed.last_day()) * 1440.0;
    let end = scenario.run.warmup_min + horizon_min;
    if end > crate::scenario::MAX_RUN_MIN {
        return Err(format!(
            "warm-up plus {} observed days is {end:.3e} minutes; at most 1e9 (about 1900 years) is simulated",
            observed.last_day()
        ));
    }
    scenario.run.horizon_min = horizon_min;
    Ok(())
}

/// Simulates the baseline day by day, over the observed days (whatever the
/// scenario's horizon: [`fit_horizon`]), and compares it with `observed`.
///
/// A replication of the baseline that ends early (it locks up, its WIP
/// runs away, its time stands still) is the error, as in a run: its days
/// after that would count as days without output.
pub fn backtest(
    scenario: &Scenario,
    observed: &Observed,
    threads: Option<usize>,
) -> Result<Backtest, ExperimentError> {
    let mut scenario = scenario.clone();
    fit_horizon(&mut scenario, observed).map_err(ExperimentError::Input)?;
    let scenario = &scenario;
    let work = work(scenario, observed);
    let results = experiment::run_items(&work, 0..work.len(), threads, &|| {})?;
    let runs = experiment::group(&work, results)?;
    Ok(compare(observed, &runs[0].replications))
}

/// A back-test's work list: the baseline's replications, each counting
/// its good parts and the observed station shares day by day.
pub fn work<'a>(scenario: &'a Scenario, observed: &Observed) -> experiment::Work<'a> {
    let mut work = experiment::Work::new(vec![scenario.baseline()], &scenario.run);
    work.daily = true;
    work.daily_shares = observed
        .shares
        .iter()
        .map(|(station, state, _)| (station_index(scenario, station), *state))
        .collect();
    work
}

/// The index of a station the observed file names (checked when read).
fn station_index(scenario: &Scenario, station: &str) -> usize {
    scenario
        .baseline()
        .stations
        .iter()
        .position(|s| s.name == station)
        .expect("checked")
}

/// The back-test from the baseline's replications (the results of
/// [`work`], which ran to their end).
pub fn compare(observed: &Observed, reps: &[ReplicationResult]) -> Backtest {
    let days = reps.first().map_or(0, |r| r.good_per_day.len());
    // The observed days the replications reached (all of them: the run is
    // as long as the last observed day), as indices into the daily counts.
    let (at, obs): (Vec<usize>, Vec<f64>) = observed
        .days
        .iter()
        .zip(&observed.good_parts)
        .map(|(&d, &g)| (d as usize - 1, g))
        .filter(|&(i, _)| i < days)
        .unzip();
    // Each replication's mean over the same days as the plant's.
    let rep_means: Vec<f64> = reps
        .iter()
        .map(|r| stats::mean(at.iter().map(|&i| f64::from(r.good_per_day[i]))))
        .collect();
    let day_means: Vec<f64> = at
        .iter()
        .map(|&i| stats::mean(reps.iter().map(|r| f64::from(r.good_per_day[i]))))
        .collect();
    let paired: Vec<f64> = obs.iter().zip(&day_means).map(|(o, s)| o - s).collect();
    let (mo, _, _) = moments(&obs);
    let (ms, vs, ns) = moments(&rep_means);
    let (diff, vd, nd) = moments(&paired);
    let se2 = vd / nd + vs / ns;
    let se = se2.sqrt();
    let df = (nd - 1.0).max(1.0);
    let t = StudentsT::new(0.0, 1.0, df).expect("positive degrees of freedom");
    let p_value = if se > 0.0 {
        2.0 * (1.0 - t.cdf((diff / se).abs()))
    } else if diff == 0.0 {
        1.0
    } else {
        0.0
    };
    let q = t.inverse_cdf(0.975);
    let pct = |v: f64| v / ms * 100.0;
    // The observed shares of the days the replications reached, and each
    // replication's mean share over the same days.
    let columns = observed.shares.len();
    let shares = observed
        .shares
        .iter()
        .enumerate()
        .map(|(c, (station, state, daily))| {
            let daily: Vec<f64> = observed
                .days
                .iter()
                .zip(daily)
                .filter(|&(&d, _)| (d as usize) <= days)
                .map(|(_, &share)| share)
                .collect();
            let sim: Vec<f64> = reps
                .iter()
                .map(|r| stats::mean(at.iter().map(|&i| r.share_per_day[i * columns + c])))
                .collect();
            let (a, va, na) = moments(&daily);
            let (b, vb, nb) = moments(&sim);
            let se = (va / na + vb / nb).sqrt();
            ShareCheck {
                station: station.clone(),
                state: state.name().to_owned(),
                observed: a,
                simulated: b,
                difference_points: (a - b) * 100.0,
                disagrees: (a - b).abs() > 1.96 * se.max(1e-12),
            }
        })
        .collect();
    let band = (0..days)
        .map(|d| {
            let mut v: Vec<f64> = reps.iter().map(|r| f64::from(r.good_per_day[d])).collect();
            v.sort_by(f64::total_cmp);
            let at = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
            (stats::mean(v.iter().copied()), at(0.05), at(0.95))
        })
        .collect();
    Backtest {
        days_observed: obs.len(),
        days_simulated: days,
        replications: reps.len(),
        observed_mean: mo,
        simulated_mean: ms,
        difference_pct: Interval {
            mean: pct(diff),
            ci95_low: pct(diff - q * se),
            ci95_high: pct(diff + q * se),
        },
        p_value,
        verdict: if p_value >= 0.05 {
            "agrees"
        } else {
            "disagrees"
        }
        .to_owned(),
        shares,
        observed_days: at
            .iter()
            .map(|&i| i as u32 + 1)
            .zip(obs.iter().copied())
            .collect(),
        simulated_band: band,
    }
}

/// Mean, sample variance and count.
fn moments(x: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = if x.len() > 1 {
        x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var, n)
}
