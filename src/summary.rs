//! The summary of an experiment (`summary.json`): per-variant estimates,
//! per-station figures and paired comparisons with the baseline.
//!
//! Pure computation from replication results: the measurements of the run
//! itself (wall time, threads, memory) come in as a [`Timing`] from the
//! experiment layer, and writing the summary anywhere is the report
//! module's job.

use crate::engine::ReplicationResult;
use crate::experiment::{ExperimentResult, Timing};
use crate::model::{MachineState, StateShares, MIN_PER_H};
use crate::scenario::{Scenario, Warning};
use crate::stats::{self, Estimate};
use serde::{Deserialize, Serialize};

pub mod money;
pub use money::{ComparisonEconomics, PoolSummary, VariantEconomics};

/// Everything `summary.json` holds.
///
/// The measurements of the run itself are in [`Summary::timing`]; all the
/// rest is the same, bit for bit, whatever the number of threads. The
/// top-level `wall_s`, `events_per_s`, `good_parts_per_s`, `threads` and
/// `peak_rss_kib` are deprecated copies of `timing`'s fields, written until
/// the next release for readers of the first one.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Summary {
    pub scenario: String,
    pub version: String,
    pub seed: u64,
    pub replications: u32,
    #[serde(with = "stats::nan_as_null")]
    pub warmup_h: f64,
    #[serde(with = "stats::nan_as_null")]
    pub horizon_h: f64,
    /// Deprecated: `timing.wall_s`.
    #[serde(with = "stats::nan_as_null")]
    wall_s: f64,
    /// Events processed, all replications of all variants.
    pub events: u64,
    /// Deprecated: `timing.events_per_s`.
    #[serde(with = "stats::nan_as_null")]
    events_per_s: f64,
    /// Deprecated: `timing.good_parts_per_s`.
    #[serde(with = "stats::nan_as_null")]
    good_parts_per_s: f64,
    /// Deprecated: `timing.threads`.
    threads: usize,
    pub variants: Vec<VariantSummary>,
    pub comparisons: Vec<Comparison>,
    /// Inputs that look wrong and lines that did not settle in the warm-up.
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// Deprecated: `timing.peak_rss_kib`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    peak_rss_kib: Option<u64>,
    /// How `--precision` ended, when it was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<crate::experiment::Precision>,
    /// How the run went on this machine; varies from run to run.
    #[serde(default)]
    pub timing: Timing,
}

impl Summary {
    /// Records the run's measurements (and their deprecated copies).
    pub fn set_timing(&mut self, timing: Timing) {
        self.timing = timing;
        self.wall_s = timing.wall_s;
        self.events_per_s = timing.events_per_s;
        self.good_parts_per_s = timing.good_parts_per_s;
        self.threads = timing.threads;
        self.peak_rss_kib = timing.peak_rss_kib;
    }

    /// The summary without the run's measurements: what must be identical
    /// on any number of threads, and between one machine and merged shards.
    pub fn without_timing(mut self) -> Summary {
        self.set_timing(Timing::default());
        self
    }
}

/// One variant's results.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VariantSummary {
    pub name: String,
    pub description: String,
    pub changes: Vec<String>,
    pub throughput_per_h: Estimate,
    #[serde(with = "stats::nan_as_null")]
    pub good_parts_mean: f64,
    #[serde(with = "stats::nan_as_null")]
    pub scrap_parts_mean: f64,
    #[serde(with = "stats::nan_as_null")]
    pub wip_mean: f64,
    #[serde(with = "stats::nan_as_null")]
    pub lead_time_min_mean: f64,
    /// 95th percentile of lead time (from a histogram with bins at most 3.1 % wide).
    #[serde(with = "stats::nan_as_null")]
    pub lead_time_min_p95: f64,
    #[serde(with = "stats::nan_as_null")]
    pub release_queue_mean: f64,
    /// Energy per good part (scrap's energy included); `null` when the
    /// scenario has no energy data.
    pub energy_kwh_per_good_part: Option<f64>,
    /// `null` without `[energy] co2_kg_per_kwh`.
    pub co2_kg_per_good_part: Option<f64>,
    /// `null` without `[energy] price_per_kwh`.
    pub energy_cost_per_good_part: Option<f64>,
    /// Energy of the whole line per replication (mean), kWh.
    pub energy_kwh_mean: Option<f64>,
    /// The main bottleneck: the station with the largest mean share of the
    /// measured time as a bottleneck, sole plus shifting (the active-period
    /// method, [`crate::stats::bottleneck`]); empty when no station was
    /// ever active.
    pub bottleneck: String,
    /// Why, in one line: its sole and shifting shares, and what held it up
    /// (or a plain statement that no station constrains the line).
    pub bottleneck_why: String,
    #[serde(with = "stats::nan_as_null")]
    pub events_mean: f64,
    /// Whether the line settled by the end of the warm-up (see
    /// [`crate::warmup`]); `null` when the measured period is too short to
    /// tell.
    #[serde(default)]
    pub warmup_check: Option<WarmupSummary>,
    pub stations: Vec<StationSummary>,
    /// The operator pools: utilisation and operator-hours per good part.
    #[serde(default)]
    pub pools: Vec<PoolSummary>,
    /// Money a year (with `[economics]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub economics: Option<VariantEconomics>,
}

/// The warm-up check of a variant, as written.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WarmupSummary {
    pub settled: bool,
    /// Measured time the check would cut, hours (0 when settled).
    pub cut_h: f64,
    pub p_value: Option<f64>,
}

/// One station's results in one variant (means over replications).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StationSummary {
    pub name: String,
    /// Share of machine time in each state, written by state name.
    #[serde(flatten)]
    pub shares: StateShares,
    #[serde(with = "stats::nan_as_null")]
    pub buffer_mean: f64,
    /// Parts that finished at the station and moved on along their route
    /// (not scrapped, not reworked), per hour.
    #[serde(with = "stats::nan_as_null")]
    pub throughput_per_h: f64,
    /// Scrapped share of the parts the station finished.
    #[serde(with = "stats::nan_as_null")]
    pub scrap_share: f64,
    #[serde(with = "stats::nan_as_null")]
    pub oee: f64,
    /// Energy of the station's machines over the measured period (mean over
    /// replications), kWh.
    pub energy_kwh: Option<f64>,
    /// Setups per hour.
    #[serde(with = "stats::nan_as_null")]
    pub setups_per_h: f64,
    /// Share of the measured time the station was the sole bottleneck, with
    /// its 95 % CI over replications.
    pub bottleneck_sole: Estimate,
    /// Share of the measured time the station was a shifting bottleneck
    /// (its bottleneck period overlapping another station's).
    pub bottleneck_shifting: Estimate,
    /// Share of machine time off shift with work waiting (a part on the
    /// machine or waiting for the station): time an absent crew holds the
    /// station up.
    #[serde(with = "stats::nan_as_null")]
    pub off_shift_waiting: f64,
    /// Share of machine time down and waiting for a repair crew (part of
    /// the `down` share).
    #[serde(with = "stats::nan_as_null")]
    pub waiting_repair: f64,
    /// Planned maintenances per hour (all machines of the station).
    #[serde(with = "stats::nan_as_null")]
    pub maintenances_per_h: f64,
}

impl StationSummary {
    /// Mean share of the measured time as a bottleneck, sole plus shifting.
    pub fn bottleneck_share(&self) -> f64 {
        self.bottleneck_sole.mean + self.bottleneck_shifting.mean
    }

    /// Share of machine time starved or blocked: idle for want of parts or
    /// of room downstream.
    pub fn idle_share(&self) -> f64 {
        self.shares[MachineState::Starved] + self.shares[MachineState::Blocked]
    }
}

/// A variant against the baseline, paired by replication.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Comparison {
    pub variant: String,
    pub baseline: String,
    pub diff_per_h: Estimate,
    pub gain_pct: Estimate,
    /// The business case (with `[economics]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub economics: Option<ComparisonEconomics>,
}

/// Summarises an experiment of `scenario` (with an empty [`Timing`]: see
/// [`Summary::set_timing`]).
pub fn summarise(scenario: &Scenario, result: &ExperimentResult) -> Summary {
    let mut warnings = scenario.warnings();
    // The variants whose warm-up could not be checked, by the reason why.
    let mut unchecked: Vec<(
        crate::scenario::Warning,
        Vec<&str>,
        &crate::model::Model,
        f64,
    )> = Vec::new();
    let variants: Vec<VariantSummary> = scenario
        .variants
        .iter()
        .zip(&result.variants)
        .map(|(variant, runs)| {
            let reps = &runs.replications;
            let mut summary = summarise_variant(&variant.model, reps);
            let check = crate::warmup::check(&variant.model, &scenario.run, reps);
            if let Some(c) = &check {
                let overloaded = crate::scenario::overloaded(&variant.model);
                warnings.extend(crate::warmup::warning(
                    &variant.name,
                    &scenario.run,
                    c,
                    overloaded,
                ));
            } else if let Some(first) = reps.first().filter(|r| r.wip_bin_min > 0.0) {
                let bin = first.wip_bin_min;
                let reason =
                    crate::warmup::unchecked_warning(&[], &variant.model, &scenario.run, bin);
                match unchecked.iter_mut().find(|(w, ..)| *w == reason) {
                    Some((_, names, ..)) => names.push(&variant.name),
                    None => unchecked.push((reason, vec![&variant.name], &variant.model, bin)),
                }
            }
            summary.warmup_check = check.map(|c| WarmupSummary {
                settled: !c.unsettled,
                cut_h: if c.unsettled {
                    c.cut_min / MIN_PER_H
                } else {
                    0.0
                },
                p_value: c.p_value,
            });
            summary.name = variant.name.clone();
            summary.description = variant.description.clone();
            summary.changes = variant
                .changes
                .iter()
                .map(|&c| scenario.changes[c].name.clone())
                .collect();
            summary
        })
        .collect();
    for (_, names, model, bin) in &unchecked {
        warnings.push(crate::warmup::unchecked_warning(
            names,
            model,
            &scenario.run,
            *bin,
        ));
    }
    let mut variants = variants;
    let mut comparisons = compare_with_baseline(result);
    if let Some(economics) = &scenario.economics {
        add_economics(scenario, economics, result, &mut variants, &mut comparisons);
    }
    let run = &scenario.run;
    Summary {
        scenario: scenario.name.clone(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        seed: run.seed,
        replications: result.variants[0].replications.len() as u32,
        warmup_h: run.warmup_min / MIN_PER_H,
        horizon_h: run.horizon_min / MIN_PER_H,
        wall_s: 0.0,
        events: result.events,
        events_per_s: 0.0,
        good_parts_per_s: 0.0,
        threads: 0,
        variants,
        comparisons,
        warnings,
        peak_rss_kib: None,
        precision: None,
        timing: Timing::default(),
    }
}

/// The money figures of every variant and comparison.
fn add_economics(
    scenario: &Scenario,
    economics: &crate::model::economics::Economics,
    result: &ExperimentResult,
    variants: &mut [VariantSummary],
    comparisons: &mut [Comparison],
) {
    let figures: Vec<(f64, Vec<crate::model::economics::YearFigures>)> = scenario
        .variants
        .iter()
        .zip(&result.variants)
        .map(|(variant, runs)| {
            let (capex, opex) = money::capex_and_opex(scenario, &variant.changes);
            let reps = &runs.replications;
            (
                capex,
                money::year_figures(economics, &variant.model, reps, opex),
            )
        })
        .collect();
    for (summary, (_, f)) in variants.iter_mut().zip(&figures) {
        summary.economics = Some(money::variant_economics(economics, f));
    }
    for (comparison, (capex, f)) in comparisons.iter_mut().zip(&figures[1..]) {
        comparison.economics = Some(money::comparison_economics(
            economics,
            *capex,
            f,
            &figures[0].1,
        ));
    }
}

/// Each variant against the baseline, paired by replication.
fn compare_with_baseline(result: &ExperimentResult) -> Vec<Comparison> {
    let base_tp: Vec<f64> = result.variants[0]
        .replications
        .iter()
        .map(ReplicationResult::throughput_per_h)
        .collect();
    let base_mean = stats::mean(base_tp.iter().copied());
    result.variants[1..]
        .iter()
        .map(|runs| {
            let diffs: Vec<f64> = runs
                .replications
                .iter()
                .zip(&base_tp)
                .map(|(r, b)| r.throughput_per_h() - b)
                .collect();
            let diff = stats::estimate(&diffs);
            Comparison {
                variant: runs.name.clone(),
                baseline: result.variants[0].name.clone(),
                diff_per_h: diff,
                gain_pct: diff.scaled(100.0 / base_mean),
                economics: None,
            }
        })
        .collect()
}

/// Summarises one model's replications (name and changes left empty).
pub fn summarise_variant(
    model: &crate::model::Model,
    reps: &[ReplicationResult],
) -> VariantSummary {
    let stations = &model.stations;
    let throughput: Vec<f64> = reps
        .iter()
        .map(ReplicationResult::throughput_per_h)
        .collect();
    let station_summaries: Vec<StationSummary> = stations
        .iter()
        .enumerate()
        .map(|(s, station)| summarise_station(s, station, reps))
        .collect();
    let main = main_bottleneck(&station_summaries);
    let bottleneck = main
        .map(|s| station_summaries[s].name.clone())
        .unwrap_or_default();
    let bottleneck_why = bottleneck_why(&station_summaries, main);
    // Per good part over all replications: total energy / total good parts.
    let energy_total: Option<f64> = reps.iter().map(|r| r.energy_kwh).sum();
    let good_total: u64 = reps.iter().map(|r| r.good_parts).sum();
    let energy_per_part = energy_total.map(|e| {
        if good_total > 0 {
            e / good_total as f64
        } else {
            f64::NAN
        }
    });
    VariantSummary {
        name: String::new(),
        description: String::new(),
        changes: Vec::new(),
        throughput_per_h: stats::estimate(&throughput),
        good_parts_mean: stats::mean(reps.iter().map(|r| r.good_parts as f64)),
        scrap_parts_mean: stats::mean(reps.iter().map(|r| r.scrap_parts as f64)),
        wip_mean: stats::mean(reps.iter().map(|r| r.wip_mean)),
        lead_time_min_mean: stats::mean(reps.iter().map(ReplicationResult::lead_time_mean_min)),
        lead_time_min_p95: lead_time_histogram(reps).quantile(0.95),
        release_queue_mean: stats::mean(reps.iter().map(|r| r.release_queue_mean)),
        energy_kwh_per_good_part: energy_per_part,
        co2_kg_per_good_part: energy_per_part
            .zip(model.co2_kg_per_kwh)
            .map(|(e, f)| e * f),
        energy_cost_per_good_part: energy_per_part.zip(model.price_per_kwh).map(|(e, p)| e * p),
        energy_kwh_mean: energy_total.map(|e| e / reps.len() as f64),
        bottleneck,
        bottleneck_why,
        events_mean: stats::mean(reps.iter().map(|r| r.events as f64)),
        warmup_check: None,
        stations: station_summaries,
        pools: money::pools(model, reps),
        economics: None,
    }
}

/// Station `s`'s figures over the replications.
fn summarise_station(
    s: usize,
    station: &crate::model::Station,
    reps: &[ReplicationResult],
) -> StationSummary {
    let mut shares = StateShares::default();
    for rep in reps {
        for (acc, share) in shares.0.iter_mut().zip(rep.stations[s].state_shares().0) {
            *acc += share / reps.len() as f64;
        }
    }
    let finished: u64 = reps.iter().map(|r| r.stations[s].finished).sum();
    let scrapped: u64 = reps.iter().map(|r| r.stations[s].scrapped).sum();
    let scrap_share = if finished > 0 {
        scrapped as f64 / finished as f64
    } else {
        0.0
    };
    let per_hour = |count: u64, r: &ReplicationResult| count as f64 / r.measured_min * MIN_PER_H;
    let share = |f: fn(&crate::engine::StationResult) -> f64| -> Vec<f64> {
        reps.iter()
            .map(|r| f(&r.stations[s]) / r.measured_min)
            .collect()
    };
    let machines = f64::from(station.machines.max(1));
    let throughput_per_h = stats::mean(reps.iter().map(|r| per_hour(r.stations[s].passed, r)));
    StationSummary {
        name: station.name.clone(),
        shares,
        buffer_mean: stats::mean(reps.iter().map(|r| r.stations[s].buffer_mean)),
        throughput_per_h,
        scrap_share,
        oee: shares[MachineState::Busy] * (1.0 - scrap_share),
        energy_kwh: station
            .energy
            .map(|_| stats::mean(reps.iter().map(|r| r.stations[s].energy_kwh))),
        setups_per_h: stats::mean(reps.iter().map(|r| per_hour(r.stations[s].setups, r))),
        bottleneck_sole: stats::estimate(&share(|r| r.bottleneck_sole_min)),
        bottleneck_shifting: stats::estimate(&share(|r| r.bottleneck_shifting_min)),
        off_shift_waiting: stats::mean(share(|r| r.off_shift_waiting_min).iter().copied())
            / machines,
        waiting_repair: stats::mean(share(|r| r.repair_waiting_min).iter().copied()) / machines,
        maintenances_per_h: stats::mean(
            reps.iter().map(|r| per_hour(r.stations[s].maintenances, r)),
        ),
    }
}

/// The station with the largest mean bottleneck share (the first of equals);
/// `None` when no station was ever a bottleneck.
pub fn main_bottleneck(stations: &[StationSummary]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, s) in stations.iter().enumerate() {
        let share = s.bottleneck_share();
        if share > 0.0 && best.is_none_or(|b| share > stations[b].bottleneck_share()) {
            best = Some(i);
        }
    }
    best
}

/// The one-line reason for the main bottleneck `main`.
///
/// A station starved or blocked most of the time is never presented as the
/// constraint: the line then has none worth the name (it is held up by its
/// source, or the stations take turns), and the line says so.
pub fn bottleneck_why(stations: &[StationSummary], main: Option<usize>) -> String {
    let pct = |v: f64| format!("{:.0} %", v * 100.0);
    let Some(main) = main else {
        return "no station was active: nothing constrained the line".to_owned();
    };
    let s = &stations[main];
    if s.idle_share() > 0.5 {
        return format!(
            "no station constrains the line: the most frequent bottleneck, {}, is {} of the \
             time a bottleneck and starved or blocked {} (the source or the stations in turn \
             set the pace)",
            s.name,
            pct(s.bottleneck_share()),
            pct(s.idle_share())
        );
    }
    let mut why = format!(
        "{}: bottleneck {} of the time (sole {}, shifting {})",
        s.name,
        pct(s.bottleneck_share()),
        pct(s.bottleneck_sole.mean),
        pct(s.bottleneck_shifting.mean)
    );
    let held = [
        ("down", s.shares[MachineState::Down]),
        ("waiting for a repair crew", s.waiting_repair),
        ("in maintenance", s.shares[MachineState::Maintenance]),
        ("in setup", s.shares[MachineState::Setup]),
        ("loading and unloading", s.shares[MachineState::LoadUnload]),
        (
            "waiting for an operator",
            s.shares[MachineState::WaitingOperator],
        ),
        (
            "waiting for an operator to load or unload",
            s.shares[MachineState::WaitingLoadUnload],
        ),
        ("off shift with work waiting", s.off_shift_waiting),
    ];
    for (what, share) in held {
        if share >= 0.05 {
            why.push_str(&format!("; {what} {}", pct(share)));
        }
    }
    why
}

/// Lead times of all replications of a variant together.
pub fn lead_time_histogram(reps: &[ReplicationResult]) -> crate::stats::collect::Histogram {
    let mut merged = crate::stats::collect::Histogram::default();
    for rep in reps {
        merged.merge(&rep.lead_times);
    }
    merged
}
