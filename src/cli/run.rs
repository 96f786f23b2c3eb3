//! `alloysim run`: simulate every variant of each scenario and write results.

use super::{RunArgs, UsageError};
use alloysim::experiment::{self, ExperimentResult, Precision};
use alloysim::report::{self, OutputFolder};
use alloysim::scenario::{RunOverrides, Scenario};
use alloysim::summary::summarise;
use indicatif::{ProgressBar, ProgressStyle};

/// A validated `run`: every scenario loaded with the command line's
/// overrides applied, and the checked folder each one's results go to.
struct RunPlan {
    scenarios: Vec<(Scenario, OutputFolder)>,
    threads: usize,
    /// `--precision`: the target half-width, percentage points.
    precision: Option<f64>,
    max_replications: u32,
    charts: bool,
    quiet: bool,
    deny_warnings: bool,
}

impl RunPlan {
    /// Loads and checks everything first: a mistake in the last file, or an
    /// output folder that cannot be written, stops before any work.
    fn new(args: &RunArgs) -> anyhow::Result<RunPlan> {
        let precision = args.precision.as_deref().map(parse_precision).transpose()?;
        let mut scenarios = Vec::with_capacity(args.scenarios.len());
        let several = args.scenarios.len() > 1;
        let overrides = RunOverrides {
            replications: args.replications,
            seed: args.seed,
            horizon: args.horizon.clone(),
            warmup: args.warmup.clone(),
        };
        for path in &args.scenarios {
            let mut scenario = Scenario::load(path)?;
            scenario.override_run(&overrides).map_err(UsageError)?;
            let dir = report::output_dir(args.output.as_deref(), &scenario.name, several);
            scenarios.push((scenario, OutputFolder::check(&dir)?));
        }
        Ok(RunPlan {
            scenarios,
            threads: args.threads.unwrap_or_else(rayon::current_num_threads),
            precision,
            max_replications: args.max_replications,
            charts: !args.no_charts,
            quiet: args.quiet,
            deny_warnings: args.deny_warnings,
        })
    }
}

pub fn run(args: &RunArgs) -> anyhow::Result<()> {
    let plan = RunPlan::new(args)?;
    for (scenario, _) in &plan.scenarios {
        super::report_warnings(&scenario.warnings(), plan.deny_warnings)?;
    }
    for (scenario, folder) in &plan.scenarios {
        run_one(&plan, scenario, folder)?;
    }
    Ok(())
}

/// Runs expected to take longer than this get a warning first.
const LONG_RUN_S: f64 = 600.0;

fn run_one(plan: &RunPlan, scenario: &Scenario, folder: &OutputFolder) -> anyhow::Result<()> {
    let threads = plan.threads;
    let (events, seconds) = experiment::estimate(scenario, threads);
    if seconds > LONG_RUN_S && !plan.quiet {
        eprintln!(
            "note: {} simulates about {events:.1e} events, roughly {:.0} minutes on {threads} thread(s); for a first look try -r 3 or a shorter --horizon (Ctrl-C stops cleanly)",
            scenario.name,
            seconds / 60.0
        );
    }
    let variants = scenario.variants.len() as u64;
    let replications = match plan.precision {
        None => u64::from(scenario.run.replications),
        Some(_) => u64::from(plan.max_replications),
    };
    let progress = progress_bar(plan.quiet, variants * replications, &scenario.name);
    let (result, precision) = simulate(plan, scenario, &|| progress.inc(1));
    progress.finish_and_clear();
    let result = result?;
    let mut summary = summarise(scenario, &result);
    summary.set_timing(experiment::timing(&result, threads));
    summary.precision = precision;
    // Warnings found by the run itself (the warm-up check): those of the
    // input were reported before it.
    let known = scenario.warnings();
    let found: Vec<_> = summary
        .warnings
        .iter()
        .filter(|w| !known.contains(w))
        .cloned()
        .collect();
    super::report_warnings(&found, plan.deny_warnings)?;
    report::write_run(folder, &summary, &result, plan.charts)?;
    if plan.quiet {
        return Ok(());
    }
    let style = report::table::Style::for_stdout();
    let mut text = report::run_table::styled(&summary, style);
    if let Some(p) = &summary.precision {
        text += &format!(
            "precision: widest gain CI ±{:.2} points after {} replications (target ±{:.2}){}\n",
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
    text += &format!("results: {}\n", folder.path().display());
    super::print_out(&text)
}

/// The scenario's replications, or with `--precision` as many as needed.
fn simulate(
    plan: &RunPlan,
    scenario: &Scenario,
    on_done: &(dyn Fn() + Sync),
) -> (
    Result<ExperimentResult, experiment::ExperimentError>,
    Option<Precision>,
) {
    let threads = Some(plan.threads);
    match plan.precision {
        None => (experiment::run(scenario, threads, on_done), None),
        Some(target) => {
            match experiment::run_to_precision(
                scenario,
                target,
                plan.max_replications,
                threads,
                on_done,
            ) {
                Ok((result, precision)) => (Ok(result), Some(precision)),
                Err(e) => (Err(e), None),
            }
        }
    }
}

fn progress_bar(quiet: bool, jobs: u64, prefix: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(jobs);
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix} [{bar:40}] {pos}/{len} replications, {elapsed} (eta {eta})",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix(prefix.to_owned());
    bar
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
