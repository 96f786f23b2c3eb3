//! Sharded studies on the command line: `--shard i/N` (compute one slice
//! of a study's work list and write it as a part), `alloysim merge` (the
//! parts back into the one-machine results) and the [`Mode`] that tells
//! each study command which of the three it is doing.

use super::{Cli, Command, UsageError};
use alloysim::experiment::{self, VariantRuns, Work};
use alloysim::report::{self, OutputFolder};
use alloysim::scenario::Scenario;
use alloysim::shard::{self, Assembled, Manifest, MergeError, Shard, ShardSpec};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How a study command gets its replication results.
pub enum Mode {
    /// Simulate the whole work list here.
    Whole,
    /// Simulate one shard's slice and write it as a part.
    Shard(ShardJob),
    /// Read every result back from the parts of a sharded study.
    Merge(Box<Assembled>),
    /// Prepare the study (load the scenario, build and check every model
    /// and the results folder) and stop before simulating, noting what
    /// identifies it: what `alloysim slurm` does before it submits anything.
    Check(std::rc::Rc<std::cell::OnceCell<Identity>>),
}

/// What identifies a study's parts: its command, the hashes of its
/// resolved scenario and of its arguments, and the length of its work list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub command: String,
    pub scenario_hash: String,
    pub args_hash: String,
    pub total_items: u64,
}

impl Identity {
    /// Whether `manifest` is a part of this study, cut into `shards`, by
    /// this alloysim.
    pub fn owns(&self, manifest: &Manifest, shards: u32) -> bool {
        manifest.command == self.command
            && manifest.scenario_hash == self.scenario_hash
            && manifest.args_hash == self.args_hash
            && manifest.total_items == self.total_items
            && manifest.shards == shards
            && manifest.alloysim_version == env!("CARGO_PKG_VERSION")
    }
}

/// One shard of a study: which, and the command line that made it.
pub struct ShardJob {
    pub shard: Shard,
    /// The study's command line after `alloysim`, without `--shard` and
    /// `-o` (the manifest's `args`).
    pub args: Vec<String>,
}

impl Mode {
    /// The mode of a study command given `--shard` (or not), resolving
    /// `auto` from the environment.
    pub fn from_option(shard: Option<&str>) -> anyhow::Result<Mode> {
        let Some(text) = shard else {
            return Ok(Mode::Whole);
        };
        let spec = ShardSpec::parse(text).map_err(|e| UsageError(format!("--shard: {e}")))?;
        let shard = spec
            .resolve(&|name| std::env::var(name).ok())
            .map_err(UsageError)?;
        let raw = std::env::args_os()
            .skip(1)
            .map(|a| a.into_string())
            .collect::<Result<Vec<String>, _>>()
            .map_err(|a| {
                UsageError(format!(
                    "--shard: the command line must be UTF-8 text (it is recorded in the part's manifest), but {} is not",
                    a.to_string_lossy()
                ))
            })?;
        Ok(Mode::Shard(ShardJob {
            shard,
            args: strip_args(&raw).0,
        }))
    }

    /// The shard computed, if this is one.
    pub fn shard(&self) -> Option<Shard> {
        match self {
            Mode::Shard(job) => Some(job.shard),
            _ => None,
        }
    }

    /// Whether results are read back from parts (nothing is simulated).
    pub fn merging(&self) -> bool {
        matches!(self, Mode::Merge(_))
    }

    /// The folder a study's results go to: `-o DIR` or `output/<name>`,
    /// or for a shard its part's folder in the folder of parts (`-o DIR`
    /// or `output/<name>.parts`).
    pub fn folder(&self, output: Option<&Path>, name: &str, several: bool) -> PathBuf {
        match self.shard() {
            None => report::output_dir(output, name, several),
            Some(shard) => parts_dir(output, name).join(shard.folder_name()),
        }
    }

    /// Refuses what cannot be sharded: `what` (an option given) with the
    /// reason.
    pub fn refuse(&self, given: bool, what: &str, why: &str) -> anyhow::Result<()> {
        if given && self.shard().is_some() {
            return Err(UsageError(format!("--shard with {what}: {why}")).into());
        }
        Ok(())
    }
}

/// The folder of a sharded study's parts.
pub fn parts_dir(output: Option<&Path>, name: &str) -> PathBuf {
    match output {
        Some(dir) => dir.to_path_buf(),
        None => Path::new("output").join(format!("{name}.parts")),
    }
}

/// What a study asks of [`obtain`]: its work list and how to name it.
pub struct Request<'a> {
    pub scenario: &'a Scenario,
    /// The command: run, sweep, attribute, portfolio or backtest.
    pub command: &'static str,
    /// What the study's arguments ask for beyond the resolved scenario
    /// (e.g. the swept parameters), hashed into the manifest.
    pub description: String,
    pub work: &'a Work<'a>,
    /// The results folder (a shard's part folder).
    pub folder: &'a OutputFolder,
    pub threads: Option<usize>,
    pub quiet: bool,
    /// The progress bar's label.
    pub label: &'a str,
}

/// The runs of a study, the seconds they took and on how many threads.
pub struct Obtained {
    pub runs: Vec<VariantRuns>,
    pub wall_s: f64,
    pub threads: usize,
}

/// The results of a study's work list: simulated here, or read back from
/// the parts (merge). A shard simulates its slice, writes its part and
/// returns `None`: the command is done.
pub fn obtain(mode: &Mode, request: &Request<'_>) -> anyhow::Result<Option<Obtained>> {
    let work = request.work;
    let threads = request.threads.unwrap_or_else(rayon::current_num_threads);
    match mode {
        Mode::Whole => {
            let bar = progress(request.quiet, work.len(), request.label);
            let start = Instant::now();
            let results =
                experiment::run_items(work, 0..work.len(), request.threads, &|| bar.inc(1));
            bar.finish_and_clear();
            let runs = experiment::group(work, results?)?;
            Ok(Some(Obtained {
                runs,
                wall_s: start.elapsed().as_secs_f64(),
                threads,
            }))
        }
        Mode::Shard(job) => {
            write_shard(job, request, threads)?;
            Ok(None)
        }
        Mode::Check(identity) => {
            let _ = identity.set(Identity {
                command: request.command.to_owned(),
                scenario_hash: shard::scenario_hash(request.scenario),
                args_hash: shard::args_hash(&request.description),
                total_items: work.len(),
            });
            Ok(None)
        }
        Mode::Merge(assembled) => {
            let m = &assembled.manifest;
            // The arguments first: what they name (a back-test's observed
            // file) can also set the resolved scenario (its horizon).
            let now = shard::args_hash(&request.description);
            if now != m.args_hash || m.command != request.command {
                return Err(MergeError::Changed {
                    what: "what the study's arguments ask for",
                    recorded: m.args_hash.clone(),
                    now,
                }
                .into());
            }
            let now = shard::scenario_hash(request.scenario);
            if now != m.scenario_hash {
                return Err(MergeError::Changed {
                    what: "the scenario",
                    recorded: m.scenario_hash.clone(),
                    now,
                }
                .into());
            }
            if m.total_items != work.len() {
                return Err(MergeError::Changed {
                    what: "the study's work list",
                    recorded: m.total_items.to_string(),
                    now: work.len().to_string(),
                }
                .into());
            }
            for (k, result) in assembled.results.iter().enumerate() {
                let (_, replication) = work.item(k as u64);
                if result.replication != replication {
                    return Err(UsageError(format!(
                        "the parts' item {k} is replication {}, the work list's replication {replication}: the parts are damaged; rerun the study",
                        result.replication
                    ))
                    .into());
                }
            }
            let runs = experiment::group(work, assembled.results.clone())?;
            Ok(Some(Obtained {
                runs,
                wall_s: assembled.wall_s,
                threads: assembled.threads,
            }))
        }
    }
}

/// Simulates a shard's slice of the work list and writes its part.
fn write_shard(job: &ShardJob, request: &Request<'_>, threads: usize) -> anyhow::Result<()> {
    let work = request.work;
    let items = job.shard.items(work.len());
    let bar = progress(request.quiet, items.end - items.start, request.label);
    let start = Instant::now();
    let results = experiment::run_items(work, items.clone(), request.threads, &|| bar.inc(1));
    bar.finish_and_clear();
    let results = results?;
    let wall_s = start.elapsed().as_secs_f64();
    let folder = request.folder;
    let parts_dir = std::path::absolute(folder.path())
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let manifest = Manifest {
        format: shard::FORMAT.to_owned(),
        alloysim_version: env!("CARGO_PKG_VERSION").to_owned(),
        command: request.command.to_owned(),
        args: job.args.clone(),
        cwd: std::env::current_dir()?,
        parts_dir,
        scenario_hash: shard::scenario_hash(request.scenario),
        args_hash: shard::args_hash(&request.description),
        seed: request.scenario.run.seed,
        shards: job.shard.count,
        shard: job.shard.index,
        total_items: work.len(),
        first_item: items.start,
        end_item: items.end,
        results_sha256: String::new(),
        results_bytes: 0,
        wall_s,
        threads,
    };
    report::write_part(folder, manifest, &results)?;
    if !request.quiet {
        super::print_out(&format!(
            "shard {} of {}: items {}..{} of {} ({} replication results) in {}\n",
            job.shard.index,
            job.shard.count,
            items.start,
            items.end,
            work.len(),
            results.len(),
            folder.path().display()
        ))?;
    }
    Ok(())
}

/// A progress bar of `jobs` runs labelled `label` (hidden when `quiet`,
/// and by indicatif when standard error is not a terminal).
pub fn progress(quiet: bool, jobs: u64, label: &str) -> ProgressBar {
    if quiet {
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
    bar.set_prefix(super::bar_label(label));
    bar
}

/// Splits a command line (after `alloysim`) into the study's own
/// arguments and the `-o`/`--output` value; `--shard` (and its value) is
/// dropped. Short options written together (`-qo DIR`) are understood.
pub fn strip_args(args: &[String]) -> (Vec<String>, Option<String>) {
    let mut kept = Vec::with_capacity(args.len());
    let mut output = None;
    let mut words = args.iter();
    while let Some(word) = words.next() {
        if word == "--" {
            kept.push(word.clone());
            kept.extend(words.by_ref().cloned());
            break;
        }
        if word == "--shard" || word == "--output" {
            let value = words.next().cloned();
            if word == "--output" {
                output = value;
            }
        } else if word.starts_with("--shard=") {
        } else if let Some(value) = word.strip_prefix("--output=") {
            output = Some(value.to_owned());
        } else if word.starts_with('-') && !word.starts_with("--") && word.contains('o') {
            // A cluster of short flags: what follows `o` is its value.
            let at = word.find('o').expect("contains o");
            let (flags, rest) = (&word[..at], &word[at + 1..]);
            if flags.len() > 1 {
                kept.push(flags.to_owned());
            }
            output = if rest.is_empty() {
                words.next().cloned()
            } else {
                Some(rest.to_owned())
            };
        } else {
            kept.push(word.clone());
        }
    }
    (kept, output)
}

/// `alloysim merge`: checks the parts and writes the study's results into
/// `output` as the one-machine command would.
pub fn merge(dirs: &[PathBuf], output: &Path, quiet: bool) -> anyhow::Result<()> {
    let program = program();
    let dirs = shard::expand(dirs)?;
    let parts = dirs
        .iter()
        .map(|d| shard::read_part(d, &program))
        .collect::<Result<Vec<_>, _>>()?;
    let assembled = shard::assemble(parts, &program)?;
    let m = assembled.manifest.clone();
    // The study is rebuilt from its own command line, in its own folder.
    let output = std::path::absolute(output)?;
    let mut words = vec!["alloysim".to_owned()];
    words.extend(m.args.iter().cloned());
    let cli = Cli::try_parse_from(&words).map_err(|e| {
        UsageError(format!(
            "the parts' command line \"{}\" does not parse: {}",
            m.args.join(" "),
            e.to_string().trim_end()
        ))
    })?;
    std::env::set_current_dir(&m.cwd).map_err(|e| {
        UsageError(format!(
            "the parts were computed in {}, which cannot be entered here ({e}); merge where the scenario is",
            m.cwd.display()
        ))
    })?;
    let mode = Mode::Merge(Box::new(assembled));
    if !run_study(cli.command, mode, Some(output), Some(quiet))? {
        return Err(UsageError(format!(
            "the parts' command \"{}\" is not a study that can be sharded",
            m.command
        ))
        .into());
    }
    Ok(())
}

/// Points a study's options at `output` and `quiet` where given.
fn redirect(common: &mut super::StudyOptions, output: Option<PathBuf>, quiet: Option<bool>) {
    common.output = output.or(common.output.take());
    common.quiet = quiet.unwrap_or(common.quiet);
}

/// Runs the study `command` in `mode`, its results going to `output` and
/// quiet or not as given (else as its own options say); `Ok(false)` when
/// `command` is not a study that can be sharded.
pub fn run_study(
    command: Command,
    mode: Mode,
    output: Option<PathBuf>,
    quiet: Option<bool>,
) -> anyhow::Result<bool> {
    use super::study::{self, StudyPlan};
    match command {
        Command::Run(mut args) => {
            args.output = output.or(args.output);
            args.quiet = quiet.unwrap_or(args.quiet);
            super::run::run(&args, mode)?;
        }
        Command::Sweep {
            scenario,
            params,
            variant,
            mut common,
            ..
        } => {
            redirect(&mut common, output, quiet);
            let params = study::parse_params(&params)?;
            study::sweep(&StudyPlan::new(&scenario, variant, &common, mode)?, &params)?;
        }
        Command::Attribute {
            scenario,
            variant,
            mut common,
            ..
        } => {
            redirect(&mut common, output, quiet);
            study::attribute(&StudyPlan::new(&scenario, variant, &common, mode)?)?;
        }
        Command::Portfolio {
            scenario,
            budget,
            objective,
            mut common,
            ..
        } => {
            redirect(&mut common, output, quiet);
            let plan = StudyPlan::new(&scenario, None, &common, mode)?;
            study::portfolio(&plan, objective.as_deref(), budget)?;
        }
        Command::Backtest {
            scenario,
            observed,
            mut common,
            ..
        } => {
            redirect(&mut common, output, quiet);
            super::fit::backtest(&scenario, &observed, &common, mode)?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// This program, by absolute path where it can be found (for the commands
/// that rerun a shard).
pub fn program() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .map_or_else(|| "alloysim".to_owned(), |p| p.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::strip_args;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_shard_and_output_options_are_taken_out_of_a_command_line() {
        let cases = [
            (
                "sweep a.toml --shard 1/4 -o out",
                "sweep a.toml",
                Some("out"),
            ),
            (
                "run a.toml --shard=auto --output=o -r 3",
                "run a.toml -r 3",
                Some("o"),
            ),
            (
                "run a.toml -qo dir --shard auto",
                "run a.toml -q",
                Some("dir"),
            ),
            ("run a.toml -odir -j 2", "run a.toml -j 2", Some("dir")),
            (
                "attribute a.toml --output x -q",
                "attribute a.toml -q",
                Some("x"),
            ),
            (
                "portfolio a.toml --budget 1e6",
                "portfolio a.toml --budget 1e6",
                None,
            ),
        ];
        for (given, kept, output) in cases {
            let (k, o) = strip_args(&words(given));
            assert_eq!(k, words(kept), "{given}");
            assert_eq!(o.as_deref(), output, "{given}");
        }
    }
}
