//! The command line: the arguments as clap parses them (this file, the
//! first stage), and one file per command that validates them into a plan
//! (the second stage: durations parsed, scenarios loaded, output folders
//! chosen) and runs it with the library.

mod exact;
mod fit;
mod run;
mod shard;
mod slurm;
mod study;
mod validate;

use clap::builder::RangedU64ValueParser;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// alloysim: what each automation measure of a light-alloy line really buys.
#[derive(Debug, Parser)]
#[command(name = "alloysim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate the baseline and every variant; write results to `output/<scenario>/`.
    Run(RunArgs),
    /// Load and check scenarios; print the resolved line and its static capacity.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Treat warnings (inputs that look wrong) as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Solve a Markovian line exactly (continuous-time Markov chain); write exact.json.
    Exact {
        /// Scenario file (TOML) whose times are all exponential.
        scenario: PathBuf,
        /// Output folder (default: `output/<scenario name>`).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Also simulate and print both side by side.
        #[arg(long)]
        compare: bool,
        /// Use the iterative solver (Gauss–Seidel) whatever the chain.
        #[arg(long)]
        iterative: bool,
    },
    /// Sweep one or two numeric scenario fields; write sweep.csv and sweep.png.
    Sweep {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// KEY.PATH=VALUES, e.g. stations.age.buffer=200..1000:200 or pools.crew.size=2,3,4.
        #[arg(long = "param", required = true)]
        params: Vec<String>,
        /// Variant to sweep (default: the baseline).
        #[arg(long)]
        variant: Option<String>,
        /// Compute only shard i of N of the study's work list and write it as a
        /// part into -o DIR (default `output/<scenario>.parts`); "auto" takes
        /// i and N from a SLURM job array, "auto/N" i from a Kubernetes
        /// Indexed Job. `alloysim merge` puts the parts together.
        #[arg(long, value_name = "i/N|auto")]
        shard: Option<String>,
        #[command(flatten)]
        common: StudyOptions,
    },
    /// Attribute a variant's gain to its changes (Shapley values, factorial fit).
    Attribute {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Variant to attribute (default: the one with the most changes).
        #[arg(long)]
        variant: Option<String>,
        /// Compute only shard i of N of the study's work list and write it as a
        /// part into -o DIR (default `output/<scenario>.parts`); "auto" takes
        /// i and N from a SLURM job array, "auto/N" i from a Kubernetes
        /// Indexed Job. `alloysim merge` puts the parts together.
        #[arg(long, value_name = "i/N|auto")]
        shard: Option<String>,
        #[command(flatten)]
        common: StudyOptions,
    },
    /// Every subset of the scenario's changes, and which to buy for a budget
    /// (the efficient frontier of capex against NPV or throughput).
    Portfolio {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Budget for the recommendation, in the scenario's currency units.
        #[arg(long, value_parser = budget_parser)]
        budget: Option<f64>,
        /// What to maximise (default: npv with [economics], else throughput).
        #[arg(long, value_parser = ["npv", "throughput"])]
        objective: Option<String>,
        /// Compute only shard i of N of the study's work list and write it as a
        /// part into -o DIR (default `output/<scenario>.parts`); "auto" takes
        /// i and N from a SLURM job array, "auto/N" i from a Kubernetes
        /// Indexed Job. `alloysim merge` puts the parts together.
        #[arg(long, value_name = "i/N|auto")]
        shard: Option<String>,
        #[command(flatten)]
        common: StudyOptions,
    },
    /// Fit the scenario format's distributions to observed times (a CSV
    /// column); write fit.json and fit.png and print the TOML line.
    Fit {
        /// CSV file of observations (one per line; a header line is recognised).
        csv: PathBuf,
        /// The column to fit (default: the first).
        #[arg(long)]
        column: Option<String>,
        /// The unit of the times in the file.
        #[arg(long, default_value = "min", value_parser = ["s", "min", "h"])]
        unit: String,
        /// Output folder (default: `output/fit-<file name>`).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Do not draw fit.png.
        #[arg(long)]
        no_charts: bool,
        /// Print nothing but errors and warnings.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Fit times to failure (right-censored at the log's ends) and to repair
    /// from a downtime log (machine,start,end); write failures.json.
    FitFailures {
        /// CSV downtime log: one row per stoppage, columns machine,start,end[,reason].
        csv: PathBuf,
        /// The unit of numeric times in the log (timestamps are converted).
        #[arg(long, default_value = "min", value_parser = ["s", "min", "h"])]
        unit: String,
        /// When the log starts (the up time before each machine's first stoppage is censored).
        #[arg(long)]
        log_start: Option<String>,
        /// When the log ends (default: the last stoppage's end).
        #[arg(long)]
        log_end: Option<String>,
        /// Output folder (default: `output/failures-<file name>`).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Print nothing but errors and warnings.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Compare the simulated baseline with observed daily output (and station
    /// shares); write backtest.json and backtest.png.
    Backtest {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// CSV of observed days: day, good_parts[, <station>.<state> shares].
        #[arg(long, required = true)]
        observed: PathBuf,
        /// Compute only shard i of N of the replications and write it as a
        /// part into -o DIR (default `output/<scenario>-backtest.parts`);
        /// "auto" takes i and N from a SLURM job array, "auto/N" i from a
        /// Kubernetes Indexed Job. `alloysim merge` puts the parts together.
        #[arg(long, value_name = "i/N|auto")]
        shard: Option<String>,
        #[command(flatten)]
        common: StudyOptions,
    },
    /// Put the parts of a sharded study (`--shard i/N`) together: write the
    /// results the study would have written on one machine.
    Merge {
        /// Part folders, or folders that hold them (e.g. `output/<scenario>.parts`).
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// Output folder of the merged results.
        #[arg(short = 'o', long = "output", required = true)]
        output: PathBuf,
        /// Print nothing but errors and warnings.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Run a study as a SLURM job array with a merge job:
    /// alloysim slurm <run|sweep|attribute|portfolio|backtest> <ARGS>... --tasks N
    /// [--partition P] [--time T] [--cpus-per-task C] [--dry-run]
    #[command(disable_help_flag = true)]
    Slurm {
        /// The study's command line and the options --tasks N (array
        /// tasks, one shard each), --partition P, --time T,
        /// --cpus-per-task C (threads per task) and --dry-run (print the job
        /// scripts, submit nothing), in any order.
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Redraw the charts of a result folder from its files, without simulating.
    Plot {
        /// A folder written by `alloysim run`.
        result_dir: PathBuf,
    },
}

/// A budget: a finite number >= 0 (3.5e6 or 3500000).
fn budget_parser(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(b) if b.is_finite() && b >= 0.0 => Ok(b),
        _ => Err(format!(
            "expected a budget >= 0 such as 1e7, got \"{text}\""
        )),
    }
}

/// The most worker threads `-j` takes: far more than any machine has cores
/// (each replication runs on one thread), few enough that starting them
/// takes no noticeable time (100 000 were still starting after 20 s).
pub const MAX_THREADS: u64 = 1024;

/// Worker threads: 1 to [`MAX_THREADS`].
fn threads_parser() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(1..=MAX_THREADS)
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario files (TOML).
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Replications per variant (overrides the scenario).
    #[arg(short = 'r', long = "replications", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Master seed (overrides the scenario).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long = "threads", value_parser = threads_parser())]
    pub threads: Option<usize>,
    /// Output folder (default: `output/<scenario name>`).
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Measured period, e.g. "20d" (overrides the scenario).
    #[arg(long)]
    pub horizon: Option<String>,
    /// Warm-up, e.g. "1d" (overrides the scenario).
    #[arg(long)]
    pub warmup: Option<String>,
    /// Do not draw PNG charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors and warnings.
    #[arg(short, long)]
    pub quiet: bool,
    /// Add replications until every gain's 95 % CI half-width is at most this
    /// many percentage points, e.g. "1%".
    #[arg(long)]
    pub precision: Option<String>,
    /// Upper limit on replications with --precision (at least 2).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(2..=1_000_000))]
    pub max_replications: u32,
    /// Treat warnings (inputs that look wrong, a warm-up too short) as errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Write trace.csv and gantt.png: the machine states of replication REP
    /// (from 0) of every variant, over simulated time FROM..TO (warm-up
    /// included; default the whole run), e.g. "0:170h..178h". At most
    /// 1 000 000 rows.
    #[arg(long, value_name = "REP[:FROM..TO]")]
    pub trace: Option<String>,
    /// Compute only shard i of N of the work list (variants x replications)
    /// and write it as a part into -o DIR (default `output/<scenario>.parts`);
    /// "auto" takes i and N from a SLURM job array, "auto/N" i from a
    /// Kubernetes Indexed Job. `alloysim merge` puts the parts together.
    #[arg(long, value_name = "i/N|auto")]
    pub shard: Option<String>,
}

/// Options shared by `sweep` and `attribute`.
#[derive(Debug, clap::Args)]
pub struct StudyOptions {
    /// Output folder (default: `output/<scenario name>`).
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Replications per point (overrides the scenario).
    #[arg(short = 'r', long = "replications", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Master seed (overrides the scenario).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Measured period, e.g. "20d" (overrides the scenario; a back-test
    /// runs to its last observed day instead).
    #[arg(long)]
    pub horizon: Option<String>,
    /// Warm-up, e.g. "1d" (overrides the scenario).
    #[arg(long)]
    pub warmup: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long = "threads", value_parser = threads_parser())]
    pub threads: Option<usize>,
    /// Do not draw PNG charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors and warnings.
    #[arg(short, long)]
    pub quiet: bool,
    /// Treat warnings (inputs that look wrong) as errors.
    #[arg(long)]
    pub deny_warnings: bool,
}

impl StudyOptions {
    /// The run settings these options override.
    pub fn overrides(&self) -> alloysim::scenario::RunOverrides {
        alloysim::scenario::RunOverrides {
            replications: self.replications,
            seed: self.seed,
            horizon: self.horizon.clone(),
            warmup: self.warmup.clone(),
        }
    }
}

/// The reader of the output went away (`alloysim run ... | head`): the
/// command stops quietly, exit code 0.
#[derive(Debug, thiserror::Error)]
#[error("standard output closed")]
pub struct OutputClosed;

/// Writes `text` to standard output; a closed pipe becomes [`OutputClosed`].
/// A progress bar's label: at most 20 characters, so that the bar, its
/// counts and times fit one line of 80 columns.
pub fn bar_label(text: &str) -> String {
    const MAX: usize = 20;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let mut label: String = text.chars().take(MAX - 1).collect();
        label.push('…');
        label
    }
}

/// A forecast wall time in words: seconds, minutes, hours or days.
pub fn wall_time_words(seconds: f64) -> String {
    if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else if seconds < 3600.0 {
        format!("{:.1} min", seconds / 60.0)
    } else if seconds < 2.0 * 86400.0 {
        format!("{:.1} h", seconds / 3600.0)
    } else {
        format!("{:.0} days", seconds / 86400.0)
    }
}

pub fn print_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(OutputClosed.into()),
        other => Ok(other?),
    }
}

/// Prints warnings on stderr (`warning: ...`); with `deny`, they are errors.
pub fn report_warnings(warnings: &[alloysim::scenario::Warning], deny: bool) -> anyhow::Result<()> {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    if deny && !warnings.is_empty() {
        return Err(UsageError(format!(
            "{} warning{} denied by --deny-warnings",
            warnings.len(),
            if warnings.len() == 1 { "" } else { "s" }
        ))
        .into());
    }
    Ok(())
}

/// A mistake in the command's arguments (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl Command {
    /// `Some(--shard)` for a study command (`Some(None)` without it),
    /// `None` for the other commands.
    fn shard_option(&self) -> Option<Option<String>> {
        match self {
            Command::Run(args) => Some(args.shard.clone()),
            Command::Sweep { shard, .. }
            | Command::Attribute { shard, .. }
            | Command::Portfolio { shard, .. }
            | Command::Backtest { shard, .. } => Some(shard.clone()),
            _ => None,
        }
    }
}

/// Runs a parsed command line.
pub fn execute(cli: Cli) -> anyhow::Result<()> {
    if let Some(shard) = cli.command.shard_option() {
        // A study: whole, or one shard of it.
        let mode = shard::Mode::from_option(shard.as_deref())?;
        shard::run_study(cli.command, mode, None, None)?;
        return Ok(());
    }
    match cli.command {
        Command::Merge {
            parts,
            output,
            quiet,
        } => shard::merge(&parts, &output, quiet),
        Command::Slurm { args } => slurm::slurm(&args),
        Command::Validate {
            scenarios,
            deny_warnings,
        } => validate::validate(&scenarios, deny_warnings),
        Command::Plot { result_dir } => {
            let folder = alloysim::report::OutputFolder::check(&result_dir)?;
            for path in alloysim::report::redraw(&folder)? {
                print_out(&format!("{}\n", path.display()))?;
            }
            Ok(())
        }
        Command::Fit {
            csv,
            column,
            unit,
            output,
            no_charts,
            quiet,
        } => fit::fit(
            &csv,
            column.as_deref(),
            &unit,
            output.as_deref(),
            no_charts,
            quiet,
        ),
        Command::FitFailures {
            csv,
            unit,
            log_start,
            log_end,
            output,
            quiet,
        } => fit::fit_failures(
            &csv,
            &unit,
            log_start.as_deref(),
            log_end.as_deref(),
            output.as_deref(),
            quiet,
        ),
        Command::Run(_)
        | Command::Sweep { .. }
        | Command::Attribute { .. }
        | Command::Portfolio { .. }
        | Command::Backtest { .. } => unreachable!("studies are run above"),
        Command::Exact {
            scenario,
            output,
            compare,
            iterative,
        } => exact::exact(&scenario, output.as_deref(), compare, iterative),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bar_labels_stay_within_20_characters() {
        assert_eq!(super::bar_label("pilot_line"), "pilot_line");
        let long = super::bar_label("automated-3-shift-finishing-and-more");
        assert_eq!(long.chars().count(), 20);
        assert!(long.ends_with('…'));
    }
}
