//! `alloysim sweep` and `alloysim attribute`: experiments across many
//! versions of a scenario, written as CSV and charts.

use super::UsageError;
use crate::attribution::{self, Attribution};
use crate::report::atomic::ResultSet;
use crate::report::charts;
use crate::scenario::Scenario;
use crate::sweep::{self, Sweep};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

/// Limits of a sweep: grid points, and points × replications.
const MAX_POINTS: u64 = 5_000;
const MAX_RUNS: u64 = 100_000;

fn progress(quiet: bool, jobs: u64, what: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(jobs);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:40}] {pos}/{len} runs, {elapsed} (eta {eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_owned());
    bar
}

/// Index of the variant named `name`, or the default: the variant with the
/// most changes (the last such one), else the baseline.
fn pick_variant(
    scenario: &Scenario,
    name: Option<&str>,
    default_most_changes: bool,
) -> anyhow::Result<usize> {
    match name {
        Some(name) => scenario
            .variants
            .iter()
            .position(|v| v.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = scenario.variants.iter().map(|v| v.name.as_str()).collect();
                UsageError(format!(
                    "no variant \"{name}\"; the scenario has: {}",
                    names.join(", ")
                ))
                .into()
            }),
        None if default_most_changes => Ok((0..scenario.variants.len())
            .max_by_key(|&i| (scenario.variants[i].changes.len(), i))
            .unwrap_or(0)),
        None => Ok(0),
    }
}

fn output_dir(output: Option<&PathBuf>, scenario: &Scenario) -> PathBuf {
    output
        .cloned()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name))
}

/// Common options of the study commands.
pub struct StudyArgs<'a> {
    pub scenario: &'a Path,
    pub variant: Option<&'a str>,
    pub output: Option<&'a PathBuf>,
    pub no_charts: bool,
    pub replications: Option<u32>,
    pub threads: Option<usize>,
    pub quiet: bool,
}

pub fn sweep(args: &StudyArgs<'_>, params: &[String]) -> anyhow::Result<()> {
    if params.is_empty() || params.len() > 2 {
        return Err(UsageError("give one or two --param KEY.PATH=VALUES".into()).into());
    }
    let params: Vec<sweep::Param> = params
        .iter()
        .map(|p| sweep::parse_param(p).map_err(|e| UsageError(format!("--param {p}: {e}"))))
        .collect::<Result<_, _>>()?;
    let mut scenario = Scenario::load(args.scenario)?;
    scenario.override_run(args.replications, None, None, None);
    let variant = pick_variant(&scenario, args.variant, false)?;
    let points: u64 = params.iter().map(|p| p.values.len() as u64).product();
    let runs = points * u64::from(scenario.baseline().replications);
    if points > MAX_POINTS || runs > MAX_RUNS {
        return Err(UsageError(format!(
            "{points} points x {} replications = {runs} runs; a sweep takes at most {MAX_POINTS} points and {MAX_RUNS} runs (each run keeps its WIP curve and lead-time histogram): use coarser steps",
            scenario.baseline().replications
        ))
        .into());
    }
    let bar = progress(
        args.quiet,
        points * u64::from(scenario.baseline().replications),
        "sweep",
    );
    let result = sweep::sweep(&scenario, variant, &params, args.threads, &|| bar.inc(1));
    bar.finish_and_clear();
    let result = result.map_err(|e| match e {
        sweep::SweepError::Scenario { .. } => anyhow::Error::from(UsageError(e.to_string())),
        sweep::SweepError::Experiment(e) => e.into(),
    })?;
    let dir = output_dir(args.output, &scenario);
    let mut set = ResultSet::new(&dir)?;
    set.stage("sweep.csv", &sweep_csv(&result)?)?;
    if !args.no_charts {
        charts::stage_sweep_chart(&mut set, &scenario.name, &result)?;
    }
    set.commit()?;
    if !args.quiet {
        print!("{}", sweep_table(&result));
        println!("results: {}", dir.display());
    }
    Ok(())
}

fn point_label(result: &Sweep, index: usize) -> String {
    result
        .params
        .iter()
        .zip(&result.points[index].values)
        .map(|(p, v)| format!("{p} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn sweep_table(result: &Sweep) -> String {
    let mut out = format!(
        "sweep of {} in variant {}\n",
        result.params.join(" x "),
        result.variant
    );
    for (i, p) in result.points.iter().enumerate() {
        let t = &p.throughput_per_h;
        let half = t
            .half_width()
            .map_or(String::new(), |h| format!(" ± {h:.2}"));
        let mark = match (i == result.best, i == result.knee) {
            (true, true) => "  <- best, knee",
            (true, false) => "  <- best",
            (false, true) => "  <- knee (within 1 % of the best)",
            _ => "",
        };
        out += &format!(
            "  {:<40} {:>9.2}{half} good parts/h  WIP {:.1}  bottleneck {}{mark}\n",
            point_label(result, i),
            t.mean,
            p.wip_mean,
            p.bottleneck
        );
    }
    out += &format!(
        "best: {} ({:.2}/h); knee: {} ({:.2}/h)\n",
        point_label(result, result.best),
        result.points[result.best].throughput_per_h.mean,
        point_label(result, result.knee),
        result.points[result.knee].throughput_per_h.mean
    );
    out
}

fn sweep_csv(result: &Sweep) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = result.params.clone();
    header.extend(
        [
            "throughput_per_h",
            "ci95_low",
            "ci95_high",
            "wip_mean",
            "lead_time_min_mean",
            "bottleneck",
        ]
        .map(String::from),
    );
    w.write_record(&header)?;
    for p in &result.points {
        let mut row: Vec<String> = p.values.iter().map(|v| v.to_string()).collect();
        let t = &p.throughput_per_h;
        row.extend([
            t.mean.to_string(),
            t.ci95_low.map(|v| v.to_string()).unwrap_or_default(),
            t.ci95_high.map(|v| v.to_string()).unwrap_or_default(),
            p.wip_mean.to_string(),
            p.lead_time_min_mean.to_string(),
            p.bottleneck.clone(),
        ]);
        w.write_record(&row)?;
    }
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

pub fn attribute(args: &StudyArgs<'_>) -> anyhow::Result<()> {
    let mut scenario = Scenario::load(args.scenario)?;
    scenario.override_run(args.replications, None, None, None);
    let variant = pick_variant(&scenario, args.variant, true)?;
    let k = scenario.variants[variant].changes.len();
    let subsets = if k <= attribution::EXACT_LIMIT {
        1u64 << k
    } else {
        64 * k as u64
    };
    let bar = progress(
        args.quiet,
        subsets * u64::from(scenario.baseline().replications),
        "attribute",
    );
    let result = attribution::attribute(&scenario, variant, args.threads, &|| bar.inc(1));
    bar.finish_and_clear();
    let result = result.map_err(|e| match e {
        attribution::AttributionError::NoChanges(_)
        | attribution::AttributionError::TooManyChanges { .. } => {
            anyhow::Error::from(UsageError(e.to_string()))
        }
        other => other.into(),
    })?;
    let dir = output_dir(args.output, &scenario);
    let mut set = ResultSet::new(&dir)?;
    set.stage("attribution.csv", &attribution_csv(&result)?)?;
    if !args.no_charts {
        charts::stage_attribution_chart(&mut set, &scenario.name, &result)?;
    }
    set.commit()?;
    if !args.quiet {
        print!("{}", attribution_table(&result));
        println!("results: {}", dir.display());
    }
    Ok(())
}

fn with_ci(e: &crate::stats::Estimate) -> String {
    match e.half_width() {
        Some(h) => format!("{:+.2} ± {h:.2}", e.mean),
        None => format!("{:+.2}", e.mean),
    }
}

fn attribution_table(a: &Attribution) -> String {
    let mut out = format!(
        "variant {}: {:.2} -> {:.2} good parts/h, gain {} ({}, {} replications each)\n",
        a.variant,
        a.baseline_per_h.mean,
        a.variant_per_h.mean,
        with_ci(&a.gain_per_h),
        a.method,
        a.replications
    );
    let mut order: Vec<usize> = (0..a.changes.len()).collect();
    order.sort_by(|&x, &y| {
        a.changes[y]
            .shapley
            .mean
            .total_cmp(&a.changes[x].shapley.mean)
    });
    out += &format!(
        "  {:<28} {:>18} {:>12} {:>12} {:>16}\n",
        "change (by Shapley value)",
        "Shapley, parts/h",
        "main effect",
        "capex (M)",
        "parts/h per M"
    );
    for &i in &order {
        let c = &a.changes[i];
        out += &format!(
            "  {:<28} {:>18} {:>12} {:>12} {:>16}\n",
            c.name,
            with_ci(&c.shapley),
            c.main_effect.map_or("-".to_owned(), |m| format!("{m:+.2}")),
            c.capex
                .map_or("-".to_owned(), |c| format!("{:.2}", c / 1e6)),
            c.gain_per_million
                .map_or("-".to_owned(), |g| format!("{g:.2}"))
        );
    }
    if !a.interactions.is_empty() {
        out += "  largest two-factor interactions:\n";
        let mut inter: Vec<&attribution::Interaction> = a.interactions.iter().collect();
        inter.sort_by(|x, y| y.effect.abs().total_cmp(&x.effect.abs()));
        for i in inter.iter().take(5) {
            out += &format!("    {} x {}: {:+.2}\n", i.first, i.second, i.effect);
        }
    }
    out
}

fn attribution_csv(a: &Attribution) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "kind",
        "change",
        "other",
        "estimate",
        "ci95_low",
        "ci95_high",
        "capex",
        "gain_per_million",
    ])?;
    let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    w.write_record([
        "total_gain",
        a.variant.as_str(),
        "",
        &a.gain_per_h.mean.to_string(),
        &opt(a.gain_per_h.ci95_low),
        &opt(a.gain_per_h.ci95_high),
        "",
        "",
    ])?;
    for c in &a.changes {
        w.write_record([
            "shapley",
            c.name.as_str(),
            "",
            &c.shapley.mean.to_string(),
            &opt(c.shapley.ci95_low),
            &opt(c.shapley.ci95_high),
            &opt(c.capex),
            &opt(c.gain_per_million),
        ])?;
    }
    for c in &a.changes {
        if let Some(m) = c.main_effect {
            w.write_record([
                "main_effect",
                c.name.as_str(),
                "",
                &m.to_string(),
                "",
                "",
                "",
                "",
            ])?;
        }
    }
    for i in &a.interactions {
        w.write_record([
            "interaction",
            i.first.as_str(),
            i.second.as_str(),
            &i.effect.to_string(),
            "",
            "",
            "",
            "",
        ])?;
    }
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}
