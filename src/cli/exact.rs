//! `alloysim exact`: the exact Markov-chain solution of every variant, and
//! with `--compare` the simulation side by side.

use alloysim::exact;
use alloysim::experiment;
use alloysim::report::{self, OutputFolder};
use alloysim::scenario::Scenario;
use alloysim::summary::summarise;
use std::path::Path;

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
        .map(|variant| exact::solve_model(&variant.model, iterative))
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
