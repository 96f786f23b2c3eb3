//! Warnings about a whole model and its run settings: legal, but likely
//! not what the engineer meant (a horizon shorter than a few cycles of the
//! slowest operation, a source that releases faster than the line works,
//! a station that can never work).

use super::station::minutes_text;
use super::Warning;
use crate::model::capacity::{capacity, crew_paces, working_share};
use crate::model::{Model, RunSettings, Source, MIN_PER_H};

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
