//! Warnings about a whole model and its run settings: legal, but likely
//! not what the engineer meant (a horizon shorter than a few cycles of the
//! slowest operation, a source that releases faster than the line works,
//! a station that can never work).

use super::station::minutes_text;
use super::Warning;
use crate::model::capacity::{capacity, crew_paces, working_share};
use crate::model::{
    FailureBasis, Model, OperatorTask, Operators, RunSettings, Source, Station, MIN_PER_DAY,
    MIN_PER_H, WEEK_MIN,
};

/// A horizon of fewer cycles of the slowest operation than this gets a
/// warning: results then depend on where each replication stops.
const MIN_CYCLES: f64 = 5.0;

pub fn run_warnings(variant: &str, model: &Model, run: &RunSettings) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if run.replications == 1 {
        warnings.push(Warning {
            key_path: "scenario.replications".to_owned(),
            ..Warning::general(
                "one replication gives no confidence interval and no paired test of the gains: the figures carry no measure of their precision; run at least 2 (5 or more for a usable interval)",
            )
        });
    }
    if let Some((station, cycle)) = slowest_operation(model) {
        if run.horizon_min < MIN_CYCLES * cycle {
            warnings.push(Warning {
                key_path: "scenario.horizon".to_owned(),
                ..Warning::general(format!(
                    "the horizon ({}) is shorter than {MIN_CYCLES} cycles of the slowest operation (station \"{station}\", {} a cycle in variant \"{variant}\"): the results depend on where each replication stops; simulate longer",
                    minutes_text(run.horizon_min),
                    minutes_text(cycle)
                ))
            });
        }
    }
    for (i, station) in model.stations.iter().enumerate() {
        // Only operators needed for every part can keep a station from
        // ever working (a plant closed all week is an error).
        let Some(operators) = station.operators.filter(|_| crew_paces(station)) else {
            continue;
        };
        let on_route = model.products.iter().any(|p| p.route.contains(&i));
        if !on_route || working_share(model, i) > 0.0 {
            continue;
        }
        let pool = &model.pools[operators.pool].name;
        let why = if model.calendar.is_some() && !station.lights_out {
            format!(
                "every shift of its operators' pool \"{pool}\" falls in the plant's closed time"
            )
        } else {
            format!("its operators' pool \"{pool}\" has no working time")
        };
        warnings.push(Warning {
            key_path: format!("stations[{i}]"),
            ..Warning::general(format!(
                "in variant \"{variant}\" station \"{}\" can never work: {why}; the line makes no good part that passes it",
                station.name
            ))
        });
    }
    pool_lock_risks(variant, model, &mut warnings);
    warnings.extend(partial_rhythm(variant, model, run));
    if overloaded(model) {
        let cap = capacity(model);
        let releases_per_h = releases_per_h(model).unwrap_or(0.0);
        let bottleneck = match cap.limit {
            crate::model::capacity::Limit::Station(s) => {
                format!("station \"{}\"", model.stations[s].name)
            }
            crate::model::capacity::Limit::Pool(p) => {
                format!("pool \"{}\"", model.pools[p].name)
            }
        };
        warnings.push(Warning {
            key_path: "source.interarrival".to_owned(),
            ..Warning::general(format!(
                "in variant \"{variant}\" the source releases {releases_per_h:.2} parts/h, more than the line can work ({:.2} good parts/h at most, its capacity bound is {bottleneck}): the release queue grows without end",
                cap.bound_per_h
            ))
        });
    }
    warnings
}

/// Share of the horizon beyond whole periods of the calendar's rhythm
/// above which the horizon gets a warning.
const PARTIAL_RHYTHM_SHARE: f64 = 0.01;

/// A line that works to a daily or weekly rhythm (shifts, plant closures)
/// measured over a horizon that is not whole periods of it: the part
/// beyond the whole periods counts some hours of the day or week more
/// often than the others, so the figures depend on which ones it covers
/// (30 days of a line closed at weekends measure 22 or 20 working days
/// instead of 21.4, by where they start).
fn partial_rhythm(variant: &str, model: &Model, run: &RunSettings) -> Option<Warning> {
    let period = model.rhythm_min()?;
    let horizon = run.horizon_min;
    // Whole periods to a second.
    let whole = ((horizon + 1.0 / 60.0) / period).floor();
    let rest = horizon - whole * period;
    if rest <= PARTIAL_RHYTHM_SHARE * horizon {
        return None;
    }
    let (rhythm, unit, why) = if period == WEEK_MIN {
        (
            "weekly",
            "week",
            "its crews' shifts or the plant's closed times differ between days",
        )
    } else {
        (
            "daily",
            "day",
            "its crews' shifts or the plant's closed hours repeat every day",
        )
    };
    let longer = format!("\"{}\"", span_text((whole + 1.0) * period));
    let (measured, suggestion) = if whole > 0.0 {
        let periods = if whole == 1.0 {
            format!("1 {unit}")
        } else {
            format!("{whole:.0} {unit}s")
        };
        (
            format!(
                "is {periods} and {}: the part beyond whole {unit}s ({:.1} % of the horizon) counts some hours of the {unit} more often than others",
                words(rest),
                100.0 * rest / horizon
            ),
            format!("\"{}\" or {longer}", span_text(whole * period)),
        )
    } else {
        (
            format!("is less than a {unit}: it counts some hours of the {unit} and not others"),
            longer,
        )
    };
    Some(Warning {
        key_path: "scenario.horizon".to_owned(),
        ..Warning::general(format!(
            "in variant \"{variant}\" the line works to a {rhythm} rhythm ({why}), but the measured period ({}) {measured}, which biases throughput, shares and costs; make the horizon whole {unit}s, e.g. horizon = {suggestion}",
            span_text(horizon),
        ))
    })
}

/// A duration in words: "2 days", "4 h", "30 min".
fn words(minutes: f64) -> String {
    match span(minutes) {
        (1.0, "d") => "1 day".to_owned(),
        (days, "d") => format!("{days:.0} days"),
        (n, unit) => format!("{n:.0} {unit}"),
    }
}

/// A duration as the scenario format writes it: whole days ("30d"), else
/// whole hours ("102h"), else minutes.
fn span_text(minutes: f64) -> String {
    let (n, unit) = span(minutes);
    format!("{n:.0}{unit}")
}

/// A duration as a count of whole days, else of whole hours, else of
/// (rounded) minutes, with its unit.
fn span(minutes: f64) -> (f64, &'static str) {
    let whole = |n: f64| (n - n.round()).abs() < 1e-6;
    let (days, hours) = (minutes / MIN_PER_DAY, minutes / MIN_PER_H);
    if whole(days) {
        (days.round(), "d")
    } else if whole(hours) {
        (hours.round(), "h")
    } else {
        (minutes.round(), "min")
    }
}

/// Whether a station's operators are ever asked for (a step they are there
/// for exists).
fn operators_asked(station: &Station, operators: &Operators) -> bool {
    match operators.task {
        OperatorTask::All => true,
        OperatorTask::LoadUnload => {
            station.load.is_some() || station.unload.is_some() || station.setup.is_some()
        }
        OperatorTask::Setup => station.setup.is_some(),
    }
}

/// Pools that can lock across stations. People with a machine when it
/// breaks down stay until it is repaired (operators while it processes,
/// and under calendar-basis failures in any step they are there for, or a
/// maintenance crew); where the repair crew comes from the same pool and
/// the pool's queue is served first come, first served, a request that
/// needs more people than those left, waiting first, holds up every
/// repair behind it for good. The station's own check covers one station
/// with its own repairs (`scenario::station`); this covers the holds of
/// all stations together against the pool's largest request.
fn pool_lock_risks(variant: &str, model: &Model, warnings: &mut Vec<Warning>) {
    for (p, pool) in model.pools.iter().enumerate() {
        let size = u64::from(pool.size);
        let mut held = 0u64;
        let mut holders: Vec<&str> = Vec::new();
        let mut one_station_alone = false;
        let mut need = (0u32, String::new());
        let mut asks = |count: u32, what: String| {
            if count > need.0 {
                need = (count, what);
            }
        };
        for station in &model.stations {
            let operators = station
                .operators
                .filter(|o| o.pool == p && o.count > 0 && operators_asked(station, o));
            if let Some(o) = operators {
                asks(
                    o.count,
                    format!("the operators of station \"{}\"", station.name),
                );
            }
            let maintainers = station
                .maintenance
                .as_ref()
                .and_then(|m| m.crew)
                .filter(|c| c.pool == p);
            if let Some(c) = maintainers {
                asks(
                    c.count,
                    format!("the maintenance of station \"{}\"", station.name),
                );
            }
            let Some(failures) = station.failures.as_ref() else {
                continue;
            };
            let Some(crew) = failures.repair.filter(|c| c.pool == p) else {
                continue;
            };
            asks(
                crew.count,
                format!("the repair of station \"{}\"", station.name),
            );
            let calendar = failures.basis == FailureBasis::Calendar;
            let by_operators = operators
                .filter(|o| o.attend_processing() || calendar)
                .map_or(0, |o| o.count);
            let by_maintainers = maintainers.filter(|_| calendar).map_or(0, |c| c.count);
            let hold = u64::from(by_operators.max(by_maintainers));
            if hold > 0 {
                let machines = u64::from(station.machines);
                held += machines * hold;
                holders.push(&station.name);
                one_station_alone |= machines * hold + u64::from(crew.count) > size;
            }
        }
        let (need, what) = need;
        if held == 0 || one_station_alone || held + u64::from(need) <= size {
            continue;
        }
        let holders = holders
            .iter()
            .map(|h| format!("\"{h}\""))
            .collect::<Vec<_>>()
            .join(", ");
        warnings.push(Warning {
            key_path: format!("pools[{p}].size"),
            ..Warning::general(format!(
                "in variant \"{variant}\" pool \"{}\" ({size} people) repairs machines that keep up to {held} of its people while they are down (at {holders}), and {what} needs {need}: served first come, first served, such a request waiting first while those people are held holds up every repair behind it, and the line stops for good; give the pool at least {} people, or the repairs a crew of their own",
                pool.name,
                held + u64::from(need)
            ))
        });
    }
}

/// Releases per hour of an interarrival source (`None` for the unlimited
/// source).
fn releases_per_h(model: &Model) -> Option<f64> {
    match &model.source {
        Source::Interarrival(interarrival) => Some(MIN_PER_H / interarrival.mean()),
        _ => None,
    }
}

/// Whether an interarrival source releases more than the line can work
/// (its static capacity bound): the release queue, and the WIP, grow
/// without end, and no warm-up lets the line settle.
pub fn overloaded(model: &Model) -> bool {
    releases_per_h(model).is_some_and(|releases| {
        let cap = capacity(model);
        releases * cap.good_per_release > cap.bound_per_h * (1.0 + 1e-9)
    })
}

/// The station with the longest mean operation (processing of a part or a
/// batch, plus a setup), and that time, minutes.
fn slowest_operation(model: &Model) -> Option<(&str, f64)> {
    model
        .stations
        .iter()
        .map(|s| {
            let process = s.process.iter().map(|d| d.mean()).fold(0.0, f64::max);
            let setup = s.setup.as_ref().map_or(0.0, |setup| setup.time.mean());
            (s.name.as_str(), process + setup)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
}
