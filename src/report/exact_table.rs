//! The terminal table of `alloysim exact`: the exact figures of every
//! variant, and with `--compare` the simulated ones beside them.

use crate::exact::{ExactStation, ExactVariant};
use crate::model::MachineState::{
    self, Blocked, Busy, Down, LoadUnload, Starved, WaitingLoadUnload,
};
use crate::summary::{StationSummary, Summary, VariantSummary};
use std::fmt::Write;

/// Every variant's exact figures, beside the simulated ones when given.
pub fn text(solved: &[ExactVariant], simulated: Option<&Summary>) -> String {
    let mut out = String::new();
    for (i, v) in solved.iter().enumerate() {
        let _ = writeln!(
            out,
            "variant {}: {} states, {} transitions, {} ({} iterations), residual {:.1e}{}",
            v.name,
            v.states,
            v.transitions,
            v.method,
            v.iterations,
            v.residual,
            if v.truncation_mass > 0.0 {
                format!(", truncation mass {:.1e}", v.truncation_mass)
            } else {
                String::new()
            }
        );
        match simulated.map(|s| &s.variants[i]) {
            None => exact_only(&mut out, v),
            Some(sim) => side_by_side(&mut out, v, sim),
        }
    }
    out
}

/// The states the table shows: busy, blocked, starved and down, and the
/// loading states where a station loads.
fn shown_states(v: &ExactVariant) -> Vec<MachineState> {
    let mut states = vec![Busy, Blocked, Starved, Down];
    for extra in [LoadUnload, WaitingLoadUnload] {
        if v.stations.iter().any(|s| s.shares[extra] > 0.0) {
            states.push(extra);
        }
    }
    states
}

fn exact_only(out: &mut String, v: &ExactVariant) {
    let _ = writeln!(
        out,
        "  good parts/h {:.4}   WIP {:.3}",
        v.throughput_per_h, v.wip_mean
    );
    let states = shown_states(v);
    let _ = write!(out, "  {:<14}", "station");
    for state in &states {
        let _ = write!(out, " {:>8}", state.label());
    }
    let _ = writeln!(out, " {:>8}", "buffer");
    for s in &v.stations {
        let _ = write!(out, "  {:<14}", s.name);
        for &state in &states {
            let _ = write!(out, " {:>8.4}", s.shares[state]);
        }
        let _ = writeln!(out, " {:>8.3}", s.buffer_mean);
    }
}

fn side_by_side(out: &mut String, v: &ExactVariant, sim: &VariantSummary) {
    let t = &sim.throughput_per_h;
    let half = t.half_width().unwrap_or(f64::NAN);
    let inside = t
        .ci95_low
        .zip(t.ci95_high)
        .is_some_and(|(l, h)| l <= v.throughput_per_h && v.throughput_per_h <= h);
    let _ = writeln!(
        out,
        "  good parts/h   exact {:.4}   simulated {:.4} ± {:.4}   error {:+.3} %   {}",
        v.throughput_per_h,
        t.mean,
        half,
        (t.mean / v.throughput_per_h - 1.0) * 100.0,
        if inside {
            "inside the 95 % CI"
        } else {
            "OUTSIDE the 95 % CI"
        }
    );
    let _ = writeln!(
        out,
        "  WIP            exact {:.3}   simulated {:.3}",
        v.wip_mean, sim.wip_mean
    );
    let states = shown_states(v);
    let _ = write!(out, "  {:<27}", "station (exact / simulated)");
    for state in &states {
        let _ = write!(out, " {:>17}", state.label());
    }
    let _ = writeln!(out, " {:>17}", "buffer");
    for (e, s) in v.stations.iter().zip(&sim.stations) {
        station_row(out, e, s, &states);
    }
}

fn station_row(out: &mut String, e: &ExactStation, s: &StationSummary, states: &[MachineState]) {
    let _ = write!(out, "  {:<27}", e.name);
    for &state in states {
        let _ = write!(out, " {:>8.4}/{:<8.4}", e.shares[state], s.shares[state]);
    }
    let _ = writeln!(out, " {:>8.3}/{:<8.3}", e.buffer_mean, s.buffer_mean);
}
