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

fn run_one(scenario: &Scenario, args: &RunArgs, threads: usize, dir: &Path) -> anyhow::Result<()> {
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
    let result = experiment::run(scenario, Some(threads), &|| progress.inc(1));
    progress.finish_and_clear();
    let result = result?;
    let summary = summarise(scenario, &result, threads);
    let written = report::write_results(dir, &summary, &result, !args.no_charts)?;
    if !args.quiet {
        let style = report::table::Style {
            colour: std::io::stdout().is_terminal(),
        };
        print!("{}", report::table::summary_table_styled(&summary, style));
        println!("results: {}", dir.display());
        let _ = written;
    }
    Ok(())
}
