//! `alloysim run`: simulate every variant of each scenario and write results.

use super::{RunArgs, UsageError};
use crate::experiment;
use crate::report;
use crate::scenario::Scenario;
use crate::summary::summarise;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub fn run(args: &RunArgs) -> anyhow::Result<()> {
    if args.threads == Some(0) {
        return Err(UsageError("--threads must be at least 1".into()).into());
    }
    if args.replications == Some(0) {
        return Err(UsageError("--replications must be at least 1".into()).into());
    }
    // Load everything first: a mistake in the last file stops before any work.
    let mut scenarios = Vec::with_capacity(args.scenarios.len());
    for path in &args.scenarios {
        let mut scenario = Scenario::load(path)?;
        apply_overrides(&mut scenario, args)?;
        scenarios.push(scenario);
    }
    let threads = args.threads.unwrap_or_else(rayon::current_num_threads);
    for scenario in &scenarios {
        let dir = output_dir(args, scenario);
        run_one(scenario, args, threads, &dir)?;
    }
    Ok(())
}

fn apply_overrides(scenario: &mut Scenario, args: &RunArgs) -> anyhow::Result<()> {
    let parse =
        |scenario: &Scenario, option: &str, text: &Option<String>| -> anyhow::Result<Option<f64>> {
            match text {
                None => Ok(None),
                Some(text) => scenario
                    .parse_duration(text)
                    .map(Some)
                    .map_err(|e| UsageError(format!("{option}: {e}")).into()),
            }
        };
    let horizon = parse(scenario, "--horizon", &args.horizon)?;
    let warmup = parse(scenario, "--warmup", &args.warmup)?;
    if horizon.is_some_and(|h| h <= 0.0) {
        return Err(UsageError("--horizon: expected a positive duration".into()).into());
    }
    if warmup.is_some_and(|w| w < 0.0) {
        return Err(UsageError("--warmup: expected a duration >= 0".into()).into());
    }
    scenario.override_run(args.replications, args.seed, horizon, warmup);
    Ok(())
}

fn output_dir(args: &RunArgs, scenario: &Scenario) -> PathBuf {
    match &args.output {
        Some(dir) if args.scenarios.len() == 1 => dir.clone(),
        Some(dir) => dir.join(&scenario.name),
        None => Path::new("output").join(&scenario.name),
    }
}

/// Runs expected to take longer than this get a warning first.
const LONG_RUN_S: f64 = 600.0;

fn run_one(scenario: &Scenario, args: &RunArgs, threads: usize, dir: &Path) -> anyhow::Result<()> {
    let (events, seconds) = experiment::estimate(scenario, threads);
    if seconds > LONG_RUN_S && !args.quiet {
        eprintln!(
            "note: {} simulates about {events:.1e} events, roughly {:.0} minutes on {threads} thread(s); for a first look try -r 3 or a shorter --horizon (Ctrl-C stops cleanly)",
            scenario.name,
            seconds / 60.0
        );
    }
    let jobs: u64 = scenario
        .variants
        .iter()
        .map(|v| u64::from(v.model.replications))
        .sum();
    let progress = if args.quiet {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new(jobs);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:40}] {pos}/{len} replications, {elapsed} (eta {eta})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_prefix(scenario.name.clone());
        bar
    };
    let (result, precision) = match &args.precision {
        None => (
            experiment::run(scenario, Some(threads), &|| progress.inc(1)),
            None,
        ),
        Some(text) => {
            let target = parse_precision(text)?;
            if args.max_replications < 2 {
                return Err(UsageError("--max-replications must be at least 2".into()).into());
            }
            progress.set_length(u64::from(args.max_replications) * scenario.variants.len() as u64);
            match experiment::run_to_precision(
                scenario,
                target,
                args.max_replications,
                Some(threads),
                &|| progress.inc(1),
            ) {
                Ok((result, precision)) => (Ok(result), Some(precision)),
                Err(e) => (Err(e), None),
            }
        }
    };
    progress.finish_and_clear();
    let result = result?;
    let mut summary = match precision {
        Some(p) => {
            let mut done = scenario.clone();
            done.override_run(Some(p.replications), None, None, None);
            summarise(&done, &result, threads)
        }
        None => summarise(scenario, &result, threads),
    };
    summary.precision = precision;
    report::write_results(dir, &summary, &result, !args.no_charts)?;
    if !args.quiet {
        let style = report::table::Style {
            colour: std::io::stdout().is_terminal(),
        };
        print!("{}", report::table::summary_table_styled(&summary, style));
        if let Some(p) = &summary.precision {
            println!(
                "precision: widest gain CI ±{:.2} points after {} replications (target ±{:.2}){}",
                p.achieved_pct,
                p.replications,
                p.target_pct,
                if p.met {
                    ""
                } else {
                    " — NOT met: raise --max-replications"
                }
            );
        }
        println!("results: {}", dir.display());
    }
    Ok(())
}

/// "1%" or "1" -> 1.0 (percentage points).
fn parse_precision(text: &str) -> anyhow::Result<f64> {
    let number = text.trim().trim_end_matches('%').trim();
    match number.parse::<f64>() {
        Ok(p) if p > 0.0 && p.is_finite() => Ok(p),
        _ => Err(UsageError(format!(
            "--precision: expected a positive percentage such as \"1%\", got \"{text}\""
        ))
        .into()),
    }
}
