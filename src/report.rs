//! Output: every file a command writes, the terminal tables, and the PNG
//! charts. One file per output: `summary_json.rs` writes `summary.json`,
//! `sweep_table.rs` prints the sweep's table, `charts/wip.rs` draws
//! `wip.png`, and so on.
//!
//! Every command writes its result set through [`write_set`], into the
//! folder [`output_dir`] chooses and [`OutputFolder::check`] checked before
//! any work: all files at once or none (see [`atomic`]). Charts are drawn
//! from the files' content, never from the engine, so `alloysim plot`
//! redraws exactly what `run` drew.

pub mod atomic;
pub mod attribution_csv;
pub mod attribution_table;
pub mod charts;
pub mod exact_json;
pub mod exact_table;
pub mod lead_times_csv;
pub mod portfolio_files;
pub mod portfolio_table;
pub mod replications_csv;
pub mod run_table;
pub mod stations_csv;
pub mod summary_json;
pub mod sweep_csv;
pub mod sweep_table;
pub mod table;
pub mod timeseries_csv;
pub mod trace_csv;

use crate::attribution::Attribution;
use crate::exact::ExactVariant;
use crate::experiment::ExperimentResult;
use crate::summary::Summary;
use crate::sweep::Sweep;
use atomic::ResultSet;
pub use atomic::{OutputError, OutputFolder};
use std::io;
use std::path::{Path, PathBuf};

/// The files `run` writes (the data files, then every chart it may draw).
pub const RUN_FILES: &[&str] = &[
    summary_json::NAME,
    replications_csv::NAME,
    stations_csv::NAME,
    timeseries_csv::NAME,
    lead_times_csv::NAME,
    trace_csv::NAME,
    "throughput.png",
    "station_states.png",
    "bottleneck.png",
    "wip.png",
    "lead_time.png",
    "energy.png",
    charts::business_case::NAME,
    "gantt.png",
];
/// The charts `plot` redraws.
pub const RUN_CHARTS: &[&str] = &[
    "throughput.png",
    "station_states.png",
    "bottleneck.png",
    "wip.png",
    "lead_time.png",
    "energy.png",
    charts::business_case::NAME,
    "gantt.png",
];
pub const SWEEP_FILES: &[&str] = &[sweep_csv::NAME, charts::sweep::NAME];
pub const ATTRIBUTION_FILES: &[&str] = &[attribution_csv::NAME, charts::attribution::NAME];
pub const EXACT_FILES: &[&str] = &[exact_json::NAME];
pub const FIT_FILES: &[&str] = &["fit.json", charts::fit::NAME];
pub const FAILURES_FILES: &[&str] = &["failures.json"];
pub const BACKTEST_FILES: &[&str] = &["backtest.json", charts::backtest::NAME];
pub const PORTFOLIO_FILES: &[&str] = &[
    portfolio_files::CSV,
    portfolio_files::JSON,
    charts::portfolio::NAME,
];

/// The files of a shard's part (`--shard`).
pub const PART_FILES: &[&str] = &[crate::shard::MANIFEST, crate::shard::RESULTS];

/// The result folder of a command: `-o DIR` as given, or
/// `output/<scenario name>/` without it. When one command writes several
/// scenarios (`run a.toml b.toml -o DIR`), each gets `DIR/<scenario name>/`.
pub fn output_dir(option: Option<&Path>, scenario: &str, several_scenarios: bool) -> PathBuf {
    match option {
        Some(dir) if several_scenarios => dir.join(scenario),
        Some(dir) => dir.to_path_buf(),
        None => Path::new("output").join(scenario),
    }
}

/// Writes one command's result set, among the files `owned`, into
/// `folder`: `stage` puts every file into the set, which then appears as a
/// whole, or not at all if staging fails. Returns the paths written.
pub fn write_set(
    folder: &OutputFolder,
    owned: &'static [&'static str],
    stage: impl FnOnce(&mut ResultSet) -> Result<(), OutputError>,
) -> Result<Vec<PathBuf>, OutputError> {
    let mut set = ResultSet::new(folder, owned)?;
    stage(&mut set)?;
    set.commit()
}

/// An error of producing a file's content (not of writing it), named by
/// the file.
fn content_error(name: &'static str) -> impl FnOnce(io::Error) -> OutputError {
    move |source| OutputError::Io {
        action: "produce",
        path: PathBuf::from(name),
        source,
    }
}

/// The data files of a run: name and content.
pub fn run_files(
    summary: &Summary,
    result: &ExperimentResult,
    trace: Option<&Traced<'_>>,
) -> io::Result<Vec<(&'static str, Vec<u8>)>> {
    let mut files = vec![
        (summary_json::NAME, summary_json::bytes(summary)?),
        (replications_csv::NAME, replications_csv::bytes(result)?),
        (stations_csv::NAME, stations_csv::bytes(summary)?),
        (timeseries_csv::NAME, timeseries_csv::bytes(result)?),
        (lead_times_csv::NAME, lead_times_csv::bytes(result)?),
    ];
    if let Some(t) = trace {
        files.push((trace_csv::NAME, trace_csv::bytes(t.traces, t.models)?));
    }
    Ok(files)
}

/// The traces of a run (`run --trace`) and the models they come from.
#[derive(Clone, Copy, Debug)]
pub struct Traced<'a> {
    pub traces: &'a [crate::experiment::VariantTrace],
    pub models: &'a [&'a crate::model::Model],
}

/// Writes every result file of a run into `dir`, and its charts unless
/// `charts` is false.
pub fn write_run(
    folder: &OutputFolder,
    summary: &Summary,
    result: &ExperimentResult,
    trace: Option<&Traced<'_>>,
    charts: bool,
) -> Result<Vec<PathBuf>, OutputError> {
    let files = run_files(summary, result, trace).map_err(content_error("the run's files"))?;
    write_set(folder, RUN_FILES, |set| {
        for (name, bytes) in &files {
            set.stage(name, bytes)?;
        }
        if charts {
            // Charts are drawn from the files' content, exactly as `plot` does.
            let content = |name: &str| {
                files
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, bytes)| bytes.as_slice())
                    .expect("every data file is staged")
            };
            let mut data = charts::ChartData::parse(
                content(summary_json::NAME),
                content(timeseries_csv::NAME),
                content(lead_times_csv::NAME),
            )
            .map_err(content_error("the charts' data"))?;
            if trace.is_some() {
                let rows = trace_csv::parse(content(trace_csv::NAME))
                    .map_err(content_error("the trace"))?;
                data.trace = Some(rows);
            }
            charts::stage_run_charts(set, &data)?;
        }
        Ok(())
    })
}

/// Redraws the charts of a run's result folder from its files.
pub fn redraw(folder: &OutputFolder) -> Result<Vec<PathBuf>, OutputError> {
    let data = charts::ChartData::load(folder.path())?;
    write_set(folder, RUN_CHARTS, |set| {
        charts::stage_run_charts(set, &data)
    })
}

/// Writes `sweep.csv` and, unless `charts` is false, `sweep.png`.
pub fn write_sweep(
    folder: &OutputFolder,
    scenario: &str,
    sweep: &Sweep,
    charts: bool,
) -> Result<Vec<PathBuf>, OutputError> {
    let csv = sweep_csv::bytes(sweep).map_err(content_error(sweep_csv::NAME))?;
    write_set(folder, SWEEP_FILES, |set| {
        set.stage(sweep_csv::NAME, &csv)?;
        if charts {
            charts::sweep::stage_chart(set, scenario, sweep)?;
        }
        Ok(())
    })
}

/// Writes `attribution.csv` and, unless `charts` is false, `attribution.png`.
pub fn write_attribution(
    folder: &OutputFolder,
    scenario: &str,
    attribution: &Attribution,
    charts: bool,
) -> Result<Vec<PathBuf>, OutputError> {
    let csv = attribution_csv::bytes(attribution).map_err(content_error(attribution_csv::NAME))?;
    write_set(folder, ATTRIBUTION_FILES, |set| {
        set.stage(attribution_csv::NAME, &csv)?;
        if charts {
            charts::attribution::stage_chart(set, scenario, attribution)?;
        }
        Ok(())
    })
}

/// Writes `portfolio.csv`, `portfolio.json` and `portfolio.png`.
pub fn write_portfolio(
    folder: &OutputFolder,
    scenario: &str,
    portfolio: &crate::portfolio::Portfolio,
    charts: bool,
) -> Result<Vec<PathBuf>, OutputError> {
    let csv = portfolio_files::csv(portfolio).map_err(content_error(portfolio_files::CSV))?;
    let json = portfolio_files::json(portfolio).map_err(content_error(portfolio_files::JSON))?;
    write_set(folder, PORTFOLIO_FILES, |set| {
        set.stage(portfolio_files::CSV, &csv)?;
        set.stage(portfolio_files::JSON, &json)?;
        if charts {
            charts::portfolio::stage_chart(set, scenario, portfolio)?;
        }
        Ok(())
    })
}

/// Writes a shard's part: `results.bin` (the replication results, bit for
/// bit) and `manifest.json` (`manifest`, completed with the results'
/// checksum and length).
pub fn write_part(
    folder: &OutputFolder,
    mut manifest: crate::shard::Manifest,
    results: &[crate::engine::ReplicationResult],
) -> Result<Vec<PathBuf>, OutputError> {
    let bytes = crate::shard::encode_results(results)
        .map_err(|e| content_error(crate::shard::RESULTS)(io::Error::other(e)))?;
    manifest.results_sha256 = crate::shard::sha256_hex(&bytes);
    manifest.results_bytes = bytes.len() as u64;
    let mut json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| content_error(crate::shard::MANIFEST)(io::Error::other(e)))?;
    json.push(b'\n');
    write_set(folder, PART_FILES, |set| {
        set.stage(crate::shard::RESULTS, &bytes)?;
        set.stage(crate::shard::MANIFEST, &json)
    })
}

/// Writes `fit.json` and `fit.png`.
pub fn write_fit(
    folder: &OutputFolder,
    title: &str,
    fit: &crate::fit::FitReport,
    data: &[f64],
    charts: bool,
) -> Result<Vec<PathBuf>, OutputError> {
    let mut json = serde_json::to_vec_pretty(fit)
        .map_err(|e| content_error("fit.json")(io::Error::other(e)))?;
    json.push(b'\n');
    write_set(folder, FIT_FILES, |set| {
        set.stage("fit.json", &json)?;
        if charts {
            charts::fit::stage_chart(set, title, fit, data)?;
        }
        Ok(())
    })
}

/// Writes `failures.json`.
pub fn write_failures(
    folder: &OutputFolder,
    fit: &crate::fit::failures::FailuresFit,
) -> Result<Vec<PathBuf>, OutputError> {
    let mut json = serde_json::to_vec_pretty(fit)
        .map_err(|e| content_error("failures.json")(io::Error::other(e)))?;
    json.push(b'\n');
    write_set(folder, FAILURES_FILES, |set| {
        set.stage("failures.json", &json)
    })
}

/// Writes `backtest.json` and `backtest.png`.
pub fn write_backtest(
    folder: &OutputFolder,
    title: &str,
    backtest: &crate::backtest::Backtest,
    charts: bool,
) -> Result<Vec<PathBuf>, OutputError> {
    let mut json = serde_json::to_vec_pretty(backtest)
        .map_err(|e| content_error("backtest.json")(io::Error::other(e)))?;
    json.push(b'\n');
    write_set(folder, BACKTEST_FILES, |set| {
        set.stage("backtest.json", &json)?;
        if charts {
            charts::backtest::stage_chart(set, title, backtest)?;
        }
        Ok(())
    })
}

/// Writes `exact.json`.
pub fn write_exact(
    folder: &OutputFolder,
    scenario: &str,
    solved: &[ExactVariant],
) -> Result<Vec<PathBuf>, OutputError> {
    let bytes = exact_json::bytes(scenario, solved).map_err(content_error(exact_json::NAME))?;
    write_set(folder, EXACT_FILES, |set| {
        set.stage(exact_json::NAME, &bytes)
    })
}

/// Finishes a CSV writer into its bytes.
fn csv_bytes(writer: csv::Writer<Vec<u8>>) -> io::Result<Vec<u8>> {
    writer
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))
}

/// A number for a CSV cell; empty when it is not finite.
fn number_or_empty(value: f64) -> String {
    if value.is_finite() {
        value.to_string()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A result folder knows every command's files: none is taken for a
    /// stranger (and carried over) when another command rewrites it.
    #[test]
    fn every_command_file_is_a_known_result_file() {
        for files in [
            RUN_FILES,
            RUN_CHARTS,
            SWEEP_FILES,
            ATTRIBUTION_FILES,
            EXACT_FILES,
            FIT_FILES,
            FAILURES_FILES,
            BACKTEST_FILES,
            PORTFOLIO_FILES,
            PART_FILES,
        ] {
            for name in files {
                assert!(atomic::RESULT_FILES.contains(name), "{name}");
            }
        }
    }
}
