//! `alloysim run`: simulate every variant of each scenario and write results.

use super::shard::{self, Mode, Request};
use super::{RunArgs, UsageError};
use alloysim::experiment::{self, ExperimentResult, Precision, TraceRequest};
use alloysim::report::{self, OutputFolder};
use alloysim::scenario::{RunOverrides, Scenario};
use alloysim::summary::summarise;

/// A validated `run`: every scenario loaded with the command line's
/// overrides applied, and the checked folder each one's results go to.
struct RunPlan {
    scenarios: Vec<(Scenario, OutputFolder)>,
    /// `--trace`, resolved for each scenario (its time unit).
    traces: Vec<Option<TraceRequest>>,
    threads: usize,
    /// `--precision`: the target half-width, percentage points.
    precision: Option<f64>,
    max_replications: u32,
    charts: bool,
    quiet: bool,
    deny_warnings: bool,
    /// The whole run here, one shard of it, or a merge of the parts.
    mode: Mode,
}

impl RunPlan {
    /// Loads and checks everything first: a mistake in the last file, or an
    /// output folder that cannot be written, stops before any work.
    fn new(args: &RunArgs, mode: Mode) -> anyhow::Result<RunPlan> {
        mode.refuse(
            args.scenarios.len() > 1,
            "several scenarios",
            "a sharded run is one study; run each scenario as its own",
        )?;
        mode.refuse(
            args.precision.is_some(),
            "--precision",
            "replications are added in rounds that depend on the results so far, so the work cannot be divided in advance; give -r N",
        )?;
        mode.refuse(
            args.trace.is_some(),
            "--trace",
            "trace one replication on one machine (alloysim run --trace, without --shard)",
        )?;
        let precision = args.precision.as_deref().map(parse_precision).transpose()?;
        let mut scenarios = Vec::with_capacity(args.scenarios.len());
        let several = args.scenarios.len() > 1;
        let overrides = RunOverrides {
            replications: args.replications,
            seed: args.seed,
            horizon: args.horizon.clone(),
            warmup: args.warmup.clone(),
        };
        let mut traces = Vec::with_capacity(args.scenarios.len());
        let mut folders: Vec<(std::path::PathBuf, std::path::PathBuf)> = Vec::new();
        for path in &args.scenarios {
            let mut scenario = Scenario::load(path)?;
            scenario.override_run(&overrides).map_err(UsageError)?;
            if precision.is_some() {
                // The rounds of --precision are of this many, at least 2.
                scenario.run.replications = scenario.run.replications.max(2);
            }
            // The replications every run reports: with --precision, its
            // first batch.
            let most = match precision {
                None => scenario.run.replications,
                Some(_) => scenario.run.replications.max(2).min(args.max_replications),
            };
            let trace = args
                .trace
                .as_deref()
                .map(|text| parse_trace(text, &scenario, most))
                .transpose()?;
            traces.push(trace);
            let dir = mode.folder(args.output.as_deref(), &scenario.name, several);
            if let Some((_, first)) = folders.iter().find(|(d, _)| *d == dir) {
                return Err(UsageError(format!(
                    "{} and {} would both write to {} (both scenarios are named \"{}\"), and the second's results would replace the first's: give them different scenario.name values, or run them one at a time with -o",
                    first.display(),
                    path.display(),
                    dir.display(),
                    scenario.name
                ))
                .into());
            }
            folders.push((dir, path.clone()));
            scenarios.push(scenario);
        }
        let scenarios = scenarios
            .into_iter()
            .zip(&folders)
            .map(|(scenario, (dir, _))| Ok((scenario, OutputFolder::check(dir)?)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(RunPlan {
            scenarios,
            traces,
            threads: args.threads.unwrap_or_else(rayon::current_num_threads),
            precision,
            max_replications: args.max_replications,
            charts: !args.no_charts,
            quiet: args.quiet,
            deny_warnings: args.deny_warnings,
            mode,
        })
    }
}

pub fn run(args: &RunArgs, mode: Mode) -> anyhow::Result<()> {
    let plan = RunPlan::new(args, mode)?;
    // The shards reported the input's warnings; the merge repeats none.
    if !plan.mode.merging() {
        for (scenario, _) in &plan.scenarios {
            super::report_warnings(&scenario.warnings(), plan.deny_warnings)?;
        }
    }
    for ((scenario, folder), trace) in plan.scenarios.iter().zip(&plan.traces) {
        run_one(&plan, scenario, folder, *trace)?;
    }
    Ok(())
}

/// Runs expected to take longer than this get a warning first.
const LONG_RUN_S: f64 = 600.0;

fn run_one(
    plan: &RunPlan,
    scenario: &Scenario,
    folder: &OutputFolder,
    trace: Option<TraceRequest>,
) -> anyhow::Result<()> {
    let mut threads = plan.threads;
    // The trace first: a window too long is refused before the long part.
    let traces = trace
        .map(|request| experiment::trace(scenario, request, Some(threads)))
        .transpose()?;
    // The forecast probes each variant: only where its note can be shown.
    if matches!(plan.mode, Mode::Whole) && !plan.quiet {
        let (events, seconds) = experiment::estimate(scenario, threads);
        if seconds > LONG_RUN_S {
            eprintln!(
                "note: {} simulates about {events:.1e} events, roughly {} on {threads} thread(s); for a first look try -r 3 or a shorter --horizon (Ctrl-C stops cleanly)",
                scenario.name,
                super::wall_time_words(seconds)
            );
        }
    }
    let (result, precision) = match plan.precision {
        Some(_) => {
            let replications = u64::from(plan.max_replications);
            let variants = scenario.variants.len() as u64;
            let progress = shard::progress(plan.quiet, variants * replications, &scenario.name);
            let (result, precision) = simulate(plan, scenario, &|| progress.inc(1));
            progress.finish_and_clear();
            (result?, precision)
        }
        None => {
            let models = scenario.variants.iter().map(|v| &v.model).collect();
            let work = experiment::Work::new(models, &scenario.run);
            let request = Request {
                scenario,
                command: "run",
                description: "run".to_owned(),
                work: &work,
                folder,
                threads: Some(threads),
                quiet: plan.quiet,
                label: &scenario.name,
            };
            let Some(got) = shard::obtain(&plan.mode, &request)? else {
                return Ok(());
            };
            threads = got.threads;
            (experiment::collect(got.runs, got.wall_s), None)
        }
    };
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
    let models: Vec<&alloysim::model::Model> = scenario.variants.iter().map(|v| &v.model).collect();
    let traced = traces.as_deref().map(|traces| report::Traced {
        traces,
        models: &models,
    });
    report::write_run(folder, &summary, &result, traced.as_ref(), plan.charts)?;
    if plan.quiet {
        return Ok(());
    }
    super::print_out(&result_text(&summary, folder))
}

/// The terminal summary of a run, its precision and where its files are.
fn result_text(summary: &alloysim::summary::Summary, folder: &OutputFolder) -> String {
    let style = report::table::Style::for_stdout();
    let mut text = report::run_table::styled(summary, style);
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
    text
}

/// With `--precision`, as many replications as needed.
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

/// `--trace REP[:FROM..TO]` for `scenario`: durations as in the file (a
/// bare number in its time unit); the window within the run.
fn parse_trace(text: &str, scenario: &Scenario, replications: u32) -> anyhow::Result<TraceRequest> {
    let usage =
        |why: String| -> anyhow::Error { UsageError(format!("--trace \"{text}\": {why}")).into() };
    let (rep, window) = match text.split_once(':') {
        Some((rep, window)) => (rep, Some(window)),
        None => (text, None),
    };
    let replication: u32 = rep.trim().parse().map_err(|_| {
        usage(
            "expected REP[:FROM..TO], REP a replication number from 0, e.g. \"0:170h..178h\""
                .to_owned(),
        )
    })?;
    if replication >= replications {
        return Err(usage(format!(
            "the run has {replications} replication{} (0 to {})",
            if replications == 1 { "" } else { "s" },
            replications - 1
        )));
    }
    let end = scenario.run.end_min();
    let (from_min, to_min) = match window {
        None => (0.0, end),
        Some(window) => {
            let (from, to) = window.split_once("..").ok_or_else(|| {
                usage("expected the window as FROM..TO, e.g. \"170h..178h\"".to_owned())
            })?;
            let duration = |d: &str| scenario.parse_duration(d).map_err(&usage);
            (duration(from)?, duration(to)?)
        }
    };
    if !(from_min >= 0.0 && to_min > from_min) {
        return Err(usage(
            "the window must start at 0 or later and end after it starts".to_owned(),
        ));
    }
    if from_min >= end {
        return Err(usage(format!(
            "the window starts after the run ends ({:.1} h, warm-up included)",
            end / 60.0
        )));
    }
    Ok(TraceRequest {
        replication,
        from_min,
        to_min: to_min.min(end),
    })
}
