//! `alloysim validate`: load, check, print the resolved line and its static
//! capacity table.

use alloysim::model::capacity::{capacity, Limit};
use alloysim::model::{Dist, Model, Source, MIN_PER_H};
use alloysim::scenario::Scenario;
use std::fmt::Write;
use std::path::PathBuf;

pub fn validate(paths: &[PathBuf], deny_warnings: bool) -> anyhow::Result<()> {
    for path in paths {
        let scenario = Scenario::load(path)?;
        super::print_out(&describe(&scenario))?;
        super::report_warnings(&scenario.warnings(), deny_warnings)?;
    }
    Ok(())
}

/// `n` and the noun, plural unless `n` is 1.
fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn dist_text(dist: &Dist) -> String {
    match dist {
        Dist::Deterministic(v) => format!("{v:.3} min"),
        other => format!("mean {:.3} min", other.mean()),
    }
}

/// The resolved line and capacity table of every variant.
pub fn describe(scenario: &Scenario) -> String {
    let mut out = String::new();
    let model = scenario.baseline();
    let run = &scenario.run;
    let variants = scenario.variants.len() - 1;
    let _ = writeln!(
        out,
        "{}: ok — {}, {}, {} besides the baseline, {}, warm-up {:.1} h, horizon {:.1} h",
        scenario.file,
        counted(model.products.len(), "product"),
        counted(model.stations.len(), "station"),
        if variants == 0 {
            "no variants".to_string()
        } else {
            counted(variants, "variant")
        },
        counted(run.replications as usize, "replication"),
        run.warmup_min / MIN_PER_H,
        run.horizon_min / MIN_PER_H,
    );
    for variant in &scenario.variants {
        let _ = writeln!(out, "\nvariant {}:", variant.name);
        describe_model(&mut out, &variant.model);
    }
    let threads = rayon::current_num_threads();
    let (events, seconds) = alloysim::experiment::estimate(scenario, threads);
    let _ = writeln!(
        out,
        "\nestimated run: about {events:.1e} events, {} on {threads} thread(s)",
        super::wall_time_words(seconds)
    );
    out
}

fn describe_model(out: &mut String, model: &Model) {
    match &model.source {
        Source::Unlimited => {
            let _ = writeln!(out, "  source: unlimited (measures capacity)");
        }
        Source::Interarrival(d) => {
            let _ = writeln!(out, "  source: interarrival {}", dist_text(d));
        }
    }
    for product in &model.products {
        let route: Vec<&str> = product
            .route
            .iter()
            .map(|&s| model.stations[s].name.as_str())
            .collect();
        let _ = writeln!(
            out,
            "  product {} (mix {}): {}",
            product.name,
            product.mix,
            route.join(" -> ")
        );
    }
    let cap = capacity(model);
    let _ = writeln!(
        out,
        "  {:<16} {:>8} {:>8} {:>14} {:>8} {:>8} {:>14}",
        "station", "machines", "buffer", "process", "avail.", "scrap", "good parts/h"
    );
    for (s, station) in model.stations.iter().enumerate() {
        let buffer = station.buffer.map_or("inf".to_owned(), |b| b.to_string());
        let mark = if cap.limit == Limit::Station(s) {
            " <- capacity bound"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:<16} {:>8} {:>8} {:>14} {:>8.3} {:>8.3} {:>14.2}{mark}",
            station.name,
            station.machines,
            buffer,
            dist_text(&station.process[0]),
            cap.stations[s].availability,
            station.scrap[0],
            cap.stations[s].good_parts_per_h,
        );
    }
    let worked: Vec<_> = cap
        .pools
        .iter()
        .enumerate()
        .filter(|(_, p)| p.work_min_per_release > 0.0)
        .collect();
    if !worked.is_empty() {
        let _ = writeln!(
            out,
            "  {:<16} {:>8} {:>8} {:>14} {:>8} {:>8} {:>14}",
            "pool", "people", "", "work/part", "shift", "", "good parts/h"
        );
        for (p, pool) in worked {
            let mark = if cap.limit == Limit::Pool(p) {
                " <- capacity bound"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {:<16} {:>8} {:>8} {:>14} {:>8.3} {:>8} {:>14.2}{mark}",
                pool.name,
                pool.size,
                "",
                format!("{:.3} min", pool.work_min_per_release),
                pool.on_shift,
                "",
                pool.good_parts_per_h,
            );
        }
    }
    let _ = writeln!(
        out,
        "  upper bound on good output: {:.2} parts/h ({:.4} good parts per release); the\n  \
         capacity bound is the station or operator pool of least static capacity; variability,\n  \
         blocking and starving can put the bottleneck elsewhere: `run` measures where it is",
        cap.bound_per_h, cap.good_per_release
    );
}
