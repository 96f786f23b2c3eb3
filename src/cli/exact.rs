//! `alloysim exact`: the exact Markov-chain solution of every variant, and
//! with `--compare` the simulation side by side.

use alloysim::exact;
use alloysim::experiment;
use alloysim::model::Model;
use alloysim::report::{self, OutputFolder};
use alloysim::scenario::Scenario;
use alloysim::summary::summarise;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::time::Duration;

pub fn exact(
    path: &Path,
    output: Option<&Path>,
    compare: bool,
    iterative: bool,
) -> anyhow::Result<()> {
    let scenario = Scenario::load(path)?;
    let folder = OutputFolder::check(&report::output_dir(output, &scenario.name, false))?;
    let solved = scenario
        .variants
        .iter()
        .map(|variant| solve(&variant.model, iterative))
        .collect::<Result<Vec<_>, _>>()?;
    report::write_exact(&folder, &scenario.name, &solved)?;
    let simulated = if compare {
        let threads = rayon::current_num_threads();
        let result = experiment::run(&scenario, Some(threads), &|| {})?;
        Some(summarise(&scenario, &result))
    } else {
        None
    };
    let written = folder.path().join(report::exact_json::NAME);
    let table = report::exact_table::text(&solved, simulated.as_ref());
    super::print_out(&format!("{table}written: {}\n", written.display()))
}

/// Solves one variant with a spinner on standard error that says what the
/// solver is doing (a large chain can take a minute or two); indicatif
/// hides it when standard error is not a terminal.
fn solve(model: &Model, iterative: bool) -> Result<exact::ExactVariant, exact::ExactError> {
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {prefix}: {msg} ({elapsed})")
            .expect("valid template"),
    );
    spinner.set_prefix(super::bar_label(&model.variant));
    spinner.enable_steady_tick(Duration::from_millis(200));
    let progress = |p: exact::Progress| {
        spinner.set_message(match p {
            exact::Progress::Building => "building the Markov chain".to_owned(),
            exact::Progress::Solving {
                states, sweeps: 0, ..
            } => {
                format!("solving the chain of {states} states")
            }
            exact::Progress::Solving {
                states,
                sweeps,
                residual,
            } => format!(
                "{states} states, sweep {sweeps}, residual {residual:.0e} (to {:.0e})",
                exact::solve::TOLERANCE
            ),
        });
    };
    let solved = exact::solve_model_with(model, iterative, &progress);
    spinner.finish_and_clear();
    solved
}
