//! `alloysim sweep`, `alloysim attribute` and `alloysim portfolio`:
//! experiments across many versions of a scenario, written as CSV and
//! charts.

use super::{StudyOptions, UsageError};
use alloysim::attribution;
use alloysim::portfolio::{self, Objective};
use alloysim::report::{self, OutputFolder};
use alloysim::scenario::Scenario;
use alloysim::sweep::{self, Param};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;

/// Limits of a sweep: grid points, and points × replications.
const MAX_POINTS: u64 = 5_000;
const MAX_RUNS: u64 = 100_000;

/// A validated study: the scenario with `-r` applied, the variant studied,
/// and where the results go.
pub struct StudyPlan {
    scenario: Scenario,
    /// The `--variant` asked for, if any.
    variant: Option<String>,
    folder: OutputFolder,
    threads: Option<usize>,
    charts: bool,
    quiet: bool,
}

impl StudyPlan {
    pub fn new(
        path: &Path,
        variant: Option<String>,
        options: &StudyOptions,
    ) -> anyhow::Result<StudyPlan> {
        let mut scenario = Scenario::load(path)?;
        if let Some(r) = options.replications {
            scenario.run.replications = r;
        }
        super::report_warnings(&scenario.warnings(), options.deny_warnings)?;
        let dir = report::output_dir(options.output.as_deref(), &scenario.name, false);
        Ok(StudyPlan {
            scenario,
            variant,
            folder: OutputFolder::check(&dir)?,
            threads: options.threads,
            charts: !options.no_charts,
            quiet: options.quiet,
        })
    }

    /// Index of the `--variant` asked for, or the default: the variant
    /// with the most changes (the last such one) if `most_changes`, else
    /// the baseline.
    fn pick_variant(&self, most_changes: bool) -> anyhow::Result<usize> {
        let variants = &self.scenario.variants;
        match &self.variant {
            Some(name) => variants
                .iter()
                .position(|v| v.name == *name)
                .ok_or_else(|| {
                    let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
                    UsageError(format!(
                        "no variant \"{name}\"; the scenario has: {}",
                        names.join(", ")
                    ))
                    .into()
                }),
            None if most_changes => Ok((0..variants.len())
                .max_by_key(|&i| (variants[i].changes.len(), i))
                .unwrap_or(0)),
            None => Ok(0),
        }
    }

    fn progress(&self, jobs: u64, what: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(jobs);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{wide_bar}] {pos}/{len} runs, {elapsed} (eta {eta})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_prefix(super::bar_label(what));
        bar
    }
}

/// Parses the `--param` options: one or two `KEY.PATH=VALUES`.
pub fn parse_params(params: &[String]) -> anyhow::Result<Vec<Param>> {
    if params.is_empty() || params.len() > 2 {
        return Err(UsageError("give one or two --param KEY.PATH=VALUES".into()).into());
    }
    Ok(params
        .iter()
        .map(|p| sweep::parse_param(p).map_err(|e| UsageError(format!("--param {p}: {e}"))))
        .collect::<Result<_, _>>()?)
}

pub fn sweep(plan: &StudyPlan, params: &[Param]) -> anyhow::Result<()> {
    let scenario = &plan.scenario;
    let variant = plan.pick_variant(false)?;
    let points: u64 = params.iter().map(|p| p.values.len() as u64).product();
    let replications = u64::from(scenario.run.replications);
    let runs = points * replications;
    if points > MAX_POINTS || runs > MAX_RUNS {
        return Err(UsageError(format!(
            "{points} points x {replications} replications = {runs} runs; a sweep takes at most {MAX_POINTS} points and {MAX_RUNS} runs (each run keeps its WIP curve and lead-time histogram): use coarser steps"
        ))
        .into());
    }
    let bar = plan.progress(runs, "sweep");
    let result = sweep::sweep(scenario, variant, params, plan.threads, &|| bar.inc(1));
    bar.finish_and_clear();
    let result = result?;
    report::write_sweep(&plan.folder, &scenario.name, &result, plan.charts)?;
    if !plan.quiet {
        let table = report::sweep_table::text(&result);
        super::print_out(&format!(
            "{table}results: {}\n",
            plan.folder.path().display()
        ))?;
    }
    Ok(())
}

pub fn attribute(plan: &StudyPlan) -> anyhow::Result<()> {
    let scenario = &plan.scenario;
    let variant = plan.pick_variant(true)?;
    let k = scenario.variants[variant].changes.len();
    let subsets = if k <= attribution::EXACT_LIMIT {
        1u64 << k
    } else {
        64 * k as u64
    };
    let bar = plan.progress(subsets * u64::from(scenario.run.replications), "attribute");
    let result = attribution::attribute(scenario, variant, plan.threads, &|| bar.inc(1));
    bar.finish_and_clear();
    let result = result?;
    report::write_attribution(&plan.folder, &scenario.name, &result, plan.charts)?;
    if !plan.quiet {
        let table = report::attribution_table::text(&result);
        super::print_out(&format!(
            "{table}results: {}\n",
            plan.folder.path().display()
        ))?;
    }
    Ok(())
}

pub fn portfolio(
    plan: &StudyPlan,
    objective: Option<&str>,
    budget: Option<f64>,
) -> anyhow::Result<()> {
    let scenario = &plan.scenario;
    let objective = match objective {
        Some("npv") => Objective::Npv,
        Some(_) => Objective::Throughput,
        None if scenario.economics.is_some() => Objective::Npv,
        None => Objective::Throughput,
    };
    let subsets = portfolio::subsets(scenario)?;
    let bar = plan.progress(subsets * u64::from(scenario.run.replications), "portfolio");
    let result = portfolio::portfolio(scenario, objective, budget, plan.threads, &|| bar.inc(1));
    bar.finish_and_clear();
    let result = result?;
    report::write_portfolio(&plan.folder, &scenario.name, &result, plan.charts)?;
    if !plan.quiet {
        let table = report::portfolio_table::text(&result);
        super::print_out(&format!(
            "{table}results: {}\n",
            plan.folder.path().display()
        ))?;
    }
    Ok(())
}
