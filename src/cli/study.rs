//! `alloysim sweep`, `alloysim attribute` and `alloysim portfolio`:
//! experiments across many versions of a scenario, written as CSV and
//! charts.

use super::shard::{self, Mode, Request};
use super::{StudyOptions, UsageError};
use alloysim::attribution::AttributionStudy;
use alloysim::portfolio::{Objective, PortfolioStudy};
use alloysim::report::{self, OutputFolder};
use alloysim::scenario::Scenario;
use alloysim::sweep::{self, Param, SweepStudy};
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
    /// The whole study here, one shard of it, or a merge of the parts.
    mode: Mode,
}

impl StudyPlan {
    pub fn new(
        path: &Path,
        variant: Option<String>,
        options: &StudyOptions,
        mode: Mode,
    ) -> anyhow::Result<StudyPlan> {
        let mut scenario = Scenario::load(path)?;
        scenario
            .override_run(&options.overrides())
            .map_err(super::UsageError)?;
        // The shards reported the input's warnings; the merge repeats none.
        if !mode.merging() {
            super::report_warnings(&scenario.warnings(), options.deny_warnings)?;
        }
        let dir = mode.folder(options.output.as_deref(), &scenario.name, false);
        Ok(StudyPlan {
            scenario,
            variant,
            folder: OutputFolder::check(&dir)?,
            threads: options.threads,
            charts: !options.no_charts,
            quiet: options.quiet,
            mode,
        })
    }

    /// The runs of `work`, or `None` for a shard (its part is written).
    fn obtain(
        &self,
        command: &'static str,
        description: String,
        work: &alloysim::experiment::Work<'_>,
    ) -> anyhow::Result<Option<shard::Obtained>> {
        shard::obtain(
            &self.mode,
            &Request {
                scenario: &self.scenario,
                command,
                description,
                work,
                folder: &self.folder,
                threads: self.threads,
                quiet: self.quiet,
                label: command,
            },
        )
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
}

/// Parses the `--param` options: one or two `KEY.PATH=VALUES`.
pub fn parse_params(params: &[String]) -> anyhow::Result<Vec<Param>> {
    if params.is_empty() || params.len() > 2 {
        return Err(UsageError("give one or two --param KEY.PATH=VALUES".into()).into());
    }
    let params: Vec<Param> = params
        .iter()
        .map(|p| sweep::parse_param(p).map_err(|e| UsageError(format!("--param {p}: {e}"))))
        .collect::<Result<_, _>>()?;
    if let [a, b] = &params[..] {
        if a.path == b.path {
            return Err(UsageError(format!(
                "--param {} is given twice: a sweep of two parameters needs two different keys (give the values of one key in one --param)",
                a.path
            ))
            .into());
        }
    }
    Ok(params)
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
    let study = SweepStudy::new(scenario, variant, params)?;
    let description = format!(
        "sweep variant={variant} params={:?}",
        params
            .iter()
            .map(|p| (&p.path, &p.values))
            .collect::<Vec<_>>()
    );
    let Some(got) = plan.obtain("sweep", description, &study.work(scenario))? else {
        return Ok(());
    };
    let result = study.finish(got.runs, got.wall_s);
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
    let study = AttributionStudy::new(scenario, variant)?;
    let description = format!("attribute variant={variant}");
    let Some(got) = plan.obtain("attribute", description, &study.work(scenario))? else {
        return Ok(());
    };
    let result = study.finish(scenario, &got.runs);
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
    let study = PortfolioStudy::new(scenario, objective, budget)?;
    // The budget only picks among the results: it is in the description
    // so that merged files (which name the recommendation) match.
    let description = format!(
        "portfolio objective={objective:?} budget={:?}",
        budget.map(f64::to_bits)
    );
    let Some(got) = plan.obtain("portfolio", description, &study.work(scenario))? else {
        return Ok(());
    };
    let result = study.finish(scenario, &got.runs);
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
