//! The terminal table of `alloysim exact`: the exact figures of every
//! variant, and with `--compare` the simulated ones beside them.

use crate::exact::{ExactStation, ExactVariant};
use crate::model::MachineState::{Blocked, Busy, Down, Starved};
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

fn exact_only(out: &mut String, v: &ExactVariant) {
    let _ = writeln!(
        out,
        "  good parts/h {:.4}   WIP {:.3}",
        v.throughput_per_h, v.wip_mean
    );
    let _ = writeln!(
        out,
        "  {:<14} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "station", "busy", "blocked", "starved", "down", "buffer"
    );
    for s in &v.stations {
        let shares = &s.shares;
        let _ = writeln!(
            out,
            "  {:<14} {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>8.3}",
            s.name, shares[Busy], shares[Blocked], shares[Starved], shares[Down], s.buffer_mean
        );
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
    let _ = writeln!(
        out,
        "  {:<14} {:>17} {:>17} {:>17} {:>17} {:>17}",
        "station (exact / simulated)", "busy", "blocked", "starved", "down", "buffer"
    );
    for (e, s) in v.stations.iter().zip(&sim.stations) {
        station_row(out, e, s);
    }
}

fn station_row(out: &mut String, e: &ExactStation, s: &StationSummary) {
    let (x, y) = (&e.shares, &s.shares);
    let _ = writeln!(
        out,
        "  {:<27} {:>8.4}/{:<8.4} {:>8.4}/{:<8.4} {:>8.4}/{:<8.4} {:>8.4}/{:<8.4} {:>8.3}/{:<8.3}",
        e.name,
        x[Busy],
        y[Busy],
        x[Blocked],
        y[Blocked],
        x[Starved],
        y[Starved],
        x[Down],
        y[Down],
        e.buffer_mean,
        s.buffer_mean
    );
}
