//! `alloysim fit`: distributions fitted to a column of observed times.

use alloysim::fit::{self, data};
use alloysim::report::{self, OutputFolder};
use std::fmt::Write;
use std::path::Path;

pub fn fit(
    csv: &Path,
    column: Option<&str>,
    unit: &str,
    output: Option<&Path>,
    no_charts: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    let shown = csv.display().to_string();
    let text =
        std::fs::read_to_string(csv).map_err(|e| anyhow::anyhow!("cannot read {shown}: {e}"))?;
    let column = data::read_column(&text, &shown, column, fit::MIN_OBSERVATIONS)?;
    for note in &column.skipped {
        eprintln!("note: {shown}: {note}");
    }
    let stem = csv
        .file_stem()
        .map_or("data".to_owned(), |s| s.to_string_lossy().into_owned());
    let name = format!("fit-{stem}");
    let folder = OutputFolder::check(&report::output_dir(output, &name, false))?;
    let result = fit::fit(&column.values, unit, &shown, 2024);
    for warning in &result.warnings {
        eprintln!("warning: {shown}: {warning}");
    }
    report::write_fit(
        &folder,
        &format!("{stem}: {}", column.name),
        &result,
        &column.values,
        !no_charts,
    )?;
    if !quiet {
        let mut out = format!(
            "{}: {} observations of \"{}\" ({}), mean {:.4}, sd {:.4}, lag-1 autocorrelation {:+.2}\n",
            shown, result.n, column.name, unit, result.mean, result.sd, result.lag1_autocorrelation
        );
        let _ = writeln!(
            out,
            "  {:<12} {:>12} {:>10} {:>8} {:>8} {:>8} {:>8}  parameters",
            "family", "loglik", "AIC", "AD", "AD p", "KS", "KS p"
        );
        for c in &result.candidates {
            let _ = writeln!(
                out,
                "  {:<12} {:>12.2} {:>10.2} {:>8.3} {:>8.3} {:>8.4} {:>8.3}  {}",
                c.dist,
                c.loglik,
                c.aic,
                c.ad,
                c.ad_p,
                c.ks,
                c.ks_p,
                params_text(c)
            );
        }
        let _ = writeln!(out, "best: {}\n  {}", result.best, result.toml);
        let _ = writeln!(out, "results: {}", folder.path().display());
        super::print_out(&out)?;
    }
    Ok(())
}

/// A candidate's parameters, "shape 1.3069, scale 478.7401".
fn params_text(c: &fit::Candidate) -> String {
    let params: Vec<String> = c
        .fitted
        .params()
        .iter()
        .map(|(k, v)| format!("{k} {v:.4}"))
        .collect();
    params.join(", ")
}

/// Minutes per unit of `--unit`.
fn minutes_per(unit: &str) -> f64 {
    match unit {
        "s" => 1.0 / 60.0,
        "h" => 60.0,
        _ => 1.0,
    }
}

pub fn fit_failures(
    csv: &Path,
    unit: &str,
    log_start: Option<&str>,
    log_end: Option<&str>,
    output: Option<&Path>,
    quiet: bool,
) -> anyhow::Result<()> {
    let shown = csv.display().to_string();
    let text =
        std::fs::read_to_string(csv).map_err(|e| anyhow::anyhow!("cannot read {shown}: {e}"))?;
    let times = fit::failures::read_log(&text, &shown, minutes_per(unit), log_start, log_end)?;
    if let Some(note) = data::blank_lines_note(&text) {
        eprintln!("note: {shown}: {note}");
    }
    if times.ttf.len() < 2 || times.ttr.len() < fit::MIN_OBSERVATIONS {
        return Err(data::DataError::File {
            file: shown,
            message: format!(
                "{} complete time(s) to failure and {} repair(s) in the log; a fit needs at least 2 times to failure and {} repairs",
                times.ttf.len(),
                times.ttr.len(),
                fit::MIN_OBSERVATIONS
            ),
        }
        .into());
    }
    let stem = csv
        .file_stem()
        .map_or("log".to_owned(), |s| s.to_string_lossy().into_owned());
    let folder = OutputFolder::check(&report::output_dir(
        output,
        &format!("failures-{stem}"),
        false,
    ))?;
    let result = fit::failures::fit_failures(&times, unit, 2024);
    report::write_failures(&folder, &result)?;
    if !quiet {
        let mut out = format!(
            "{shown}: {} stoppages of {} machine(s): {} times to failure ({} right-censored), {} repairs ({unit})\n",
            result.stoppages,
            result.machines,
            result.ttf.n + result.ttf.censored,
            result.ttf.censored,
            result.ttr.n
        );
        for (what, part) in [
            ("time to failure", &result.ttf),
            ("time to repair", &result.ttr),
        ] {
            let _ = writeln!(out, "  {what}:");
            for c in &part.candidates {
                let _ = writeln!(
                    out,
                    "    {:<12} AIC {:>10.2}  AD p {:.3}  KS p {:.3}  {}",
                    c.dist,
                    c.aic,
                    c.ad_p,
                    c.ks_p,
                    params_text(c)
                );
            }
        }
        let _ = writeln!(out, "  {}", result.toml);
        let _ = writeln!(out, "results: {}", folder.path().display());
        super::print_out(&out)?;
    }
    Ok(())
}

pub fn backtest(
    scenario: &Path,
    observed: &Path,
    common: &super::StudyOptions,
    mode: super::shard::Mode,
) -> anyhow::Result<()> {
    if common.horizon.is_some() {
        return Err(super::UsageError(
            "--horizon: a back-test runs from the warm-up to the last observed day; leave --horizon out".to_owned(),
        )
        .into());
    }
    let mut scenario = alloysim::scenario::Scenario::load(scenario)?;
    scenario
        .override_run(&common.overrides())
        .map_err(super::UsageError)?;
    if scenario.run.replications < 2 {
        return Err(super::UsageError(
            "a back-test needs at least 2 replications (-r 2 or more)".to_owned(),
        )
        .into());
    }
    // The shards reported the input's warnings; the merge repeats none.
    // The run lasts to the last observed day, so what the scenario's own
    // horizon would measure does not apply.
    if !mode.merging() {
        let mut warnings = scenario.warnings();
        warnings.retain(|w| w.key_path != "scenario.horizon");
        super::report_warnings(&warnings, common.deny_warnings)?;
    }
    let shown = observed.display().to_string();
    let text = std::fs::read_to_string(observed)
        .map_err(|e| anyhow::anyhow!("cannot read {shown}: {e}"))?;
    let data = alloysim::backtest::read_observed(&text, &shown, &scenario)?;
    if let Some(note) = data::blank_lines_note(&text) {
        eprintln!("note: {shown}: {note}");
    }
    // Day d of the plant meets day d of every replication: the run lasts
    // to the last observed day, whatever the scenario's horizon.
    let scenario_horizon_min = scenario.run.horizon_min;
    alloysim::backtest::fit_horizon(&mut scenario, &data)
        .map_err(|e| super::UsageError(format!("{shown}: {e}")))?;
    if !common.quiet && scenario.run.horizon_min != scenario_horizon_min {
        eprintln!(
            "note: {shown}: the baseline is simulated for {} days (to the last observed day), not the scenario's horizon of {} d",
            data.last_day(),
            (scenario_horizon_min / 1440.0 * 1e4).round() / 1e4
        );
    }
    if !common.quiet && data.missing_days() > 0 {
        eprintln!(
            "note: {shown}: {} of days 1 to {} without a row: simulated, but their output and shares are not compared",
            data.missing_days(),
            data.last_day()
        );
    }
    let folder = OutputFolder::check(&mode.folder(
        common.output.as_deref(),
        &format!("{}-backtest", scenario.name),
        false,
    ))?;
    let work = alloysim::backtest::work(&scenario, &data);
    // The observed days only enter the comparison, but a merge must
    // compare with the file the shards were given.
    let request = super::shard::Request {
        scenario: &scenario,
        command: "backtest",
        description: format!(
            "backtest observed={}",
            alloysim::shard::sha256_hex(text.as_bytes())
        ),
        work: &work,
        folder: &folder,
        threads: common.threads,
        quiet: common.quiet,
        label: "backtest",
    };
    let Some(got) = super::shard::obtain(&mode, &request)? else {
        return Ok(());
    };
    let result = alloysim::backtest::compare(&data, &got.runs[0].replications);
    report::write_backtest(&folder, &scenario.name, &result, !common.no_charts)?;
    if !common.quiet {
        let mut out = format!(
            "back-test of {} ({} observed days; {} replications of {} simulated days):\n  {}: {}\n",
            scenario.name,
            result.days_observed,
            result.replications,
            result.days_simulated,
            result.verdict,
            result.sentence()
        );
        for s in &result.shares {
            let _ = writeln!(
                out,
                "  {}.{}: observed {:.3}, simulated {:.3} ({:+.1} points){}",
                s.station,
                s.state,
                s.observed,
                s.simulated,
                s.difference_points,
                if s.disagrees { "  <- disagrees" } else { "" }
            );
        }
        let _ = writeln!(out, "results: {}", folder.path().display());
        super::print_out(&out)?;
    }
    Ok(())
}
