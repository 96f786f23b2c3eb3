//! `alloysim exact`: the exact Markov-chain solution of every variant, and
//! with `--compare` the simulation side by side.

use alloysim::exact;
use alloysim::experiment;
use alloysim::report;
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
    let solved = scenario
        .variants
        .iter()
        .map(|variant| exact::solve_model(&variant.model, iterative))
        .collect::<Result<Vec<_>, _>>()?;
    let dir = report::output_dir(output, &scenario.name, false);
    report::write_exact(&dir, &scenario.name, &solved)?;
    let simulated = if compare {
        let threads = rayon::current_num_threads();
        let result = experiment::run(&scenario, Some(threads), &|| {})?;
        Some(summarise(&scenario, &result))
    } else {
        None
    };
    print!("{}", report::exact_table::text(&solved, simulated.as_ref()));
    println!("written: {}", dir.join(report::exact_json::NAME).display());
    Ok(())
}
