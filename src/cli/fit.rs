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
            let params: Vec<String> = c
                .fitted
                .params()
                .iter()
                .map(|(k, v)| format!("{k} {v:.4}"))
                .collect();
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
                params.join(", ")
            );
        }
        let _ = writeln!(out, "best: {}\n  process = {}", result.best, result.toml);
        let _ = writeln!(out, "results: {}", folder.path().display());
        super::print_out(&out)?;
    }
    Ok(())
}
