//! `alloysim exact`: the exact Markov-chain solution of every variant, and
//! with `--compare` the simulation side by side.

use super::UsageError;
use crate::exact::{self, ExactError, ExactVariant};
use crate::experiment;
use crate::report::atomic::ResultSet;
use crate::scenario::Scenario;
use crate::summary::{summarise, Summary};
use serde::Serialize;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What `exact.json` holds.
#[derive(Serialize)]
struct ExactFile<'a> {
    scenario: &'a str,
    version: &'a str,
    variants: &'a [ExactVariant],
}

pub fn exact(
    path: &Path,
    output: Option<&PathBuf>,
    compare: bool,
    iterative: bool,
) -> anyhow::Result<()> {
    let scenario = Scenario::load(path)?;
    let mut solved = Vec::with_capacity(scenario.variants.len());
    for variant in &scenario.variants {
        match exact::solve_model(&variant.model, iterative) {
            Ok(v) => solved.push(v),
            Err(
                e @ (ExactError::NotMarkovian { .. }
                | ExactError::TooLarge { .. }
                | ExactError::Unstable { .. }),
            ) => return Err(UsageError(e.to_string()).into()),
            Err(e) => return Err(e.into()),
        }
    }
    let dir = output
        .cloned()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name));
    let json = serde_json::to_string_pretty(&ExactFile {
        scenario: &scenario.name,
        version: env!("CARGO_PKG_VERSION"),
        variants: &solved,
    })?;
    let mut set = ResultSet::new(&dir)?;
    set.stage("exact.json", (json + "\n").as_bytes())?;
    set.commit()?;
    let simulated = if compare {
        let threads = rayon::current_num_threads();
        let result = experiment::run(&scenario, Some(threads), &|| {})?;
        Some(summarise(&scenario, &result, threads))
    } else {
        None
    };
    print!("{}", table(&solved, simulated.as_ref()));
    println!("written: {}", dir.join("exact.json").display());
    Ok(())
}

fn table(solved: &[ExactVariant], simulated: Option<&Summary>) -> String {
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
        let sim = simulated.map(|s| &s.variants[i]);
        match sim {
            None => {
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
                    let _ = writeln!(
                        out,
                        "  {:<14} {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>8.3}",
                        s.name, s.busy, s.blocked, s.starved, s.down, s.buffer_mean
                    );
                }
            }
            Some(sim) => {
                let t = &sim.throughput_per_h;
                let half = t.half_width().unwrap_or(f64::NAN);
                let inside = t
                    .ci95_low
                    .zip(t.ci95_high)
                    .is_some_and(|(l, h)| l <= v.throughput_per_h && v.throughput_per_h <= h);
                let _ =
                    writeln!(
                    out,
                    "  good parts/h   exact {:.4}   simulated {:.4} ± {:.4}   error {:+.3} %   {}",
                    v.throughput_per_h,
                    t.mean,
                    half,
                    (t.mean / v.throughput_per_h - 1.0) * 100.0,
                    if inside { "inside the 95 % CI" } else { "OUTSIDE the 95 % CI" }
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
                    let _ = writeln!(
                        out,
                        "  {:<27} {:>8.4}/{:<8.4} {:>8.4}/{:<8.4} {:>8.4}/{:<8.4} {:>8.4}/{:<8.4} {:>8.3}/{:<8.3}",
                        e.name, e.busy, s.busy, e.blocked, s.blocked, e.starved, s.starved, e.down, s.down, e.buffer_mean, s.buffer_mean
                    );
                }
            }
        }
    }
    out
}
