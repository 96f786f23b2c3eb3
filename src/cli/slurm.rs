//! `alloysim slurm`: a study as a SLURM job array (one shard per task)
//! and a merge job that runs when every task has succeeded.

use super::shard::{strip_args, Identity, Mode};
use super::{Cli, Command, UsageError};
use alloysim::scenario::Scenario;
use alloysim::shard::{shell_quote, MAX_SHARDS};
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process;

/// What `alloysim slurm` was asked for.
#[derive(Debug, PartialEq)]
struct SlurmArgs {
    /// The study's command line (after `alloysim`).
    study: Vec<String>,
    tasks: u32,
    partition: Option<String>,
    time: Option<String>,
    cpus_per_task: Option<u32>,
    dry_run: bool,
}

const USAGE: &str = "usage: alloysim slurm <run|sweep|attribute|portfolio|backtest> <ARGS>... --tasks N [--partition P] [--time T] [--cpus-per-task C] [--dry-run]";

/// Takes `alloysim slurm`'s own options out of `words`, wherever they are;
/// the rest is the study's command line.
fn parse(words: &[String]) -> Result<SlurmArgs, String> {
    let mut study = Vec::new();
    let (mut tasks, mut partition, mut time, mut cpus, mut dry_run) =
        (None, None, None, None, false);
    let mut it = words.iter();
    while let Some(word) = it.next() {
        let (name, inline) = match word.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_owned())),
            _ => (word.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match name {
            "--tasks" => {
                let v = value(name)?;
                tasks = Some(match v.parse::<u32>() {
                    Ok(n) if (1..=MAX_SHARDS).contains(&n) => n,
                    _ => {
                        return Err(format!(
                        "--tasks: expected a number of tasks from 1 to {MAX_SHARDS}, got \"{v}\""
                    ))
                    }
                });
            }
            "--partition" => partition = Some(value(name)?),
            "--time" => time = Some(value(name)?),
            "--cpus-per-task" => {
                let v = value(name)?;
                cpus = Some(match v.parse::<u32>() {
                    // Each task runs on that many threads (`-j`).
                    Ok(n) if n >= 1 && u64::from(n) <= super::MAX_THREADS => n,
                    _ => {
                        return Err(format!(
                            "--cpus-per-task: expected a number from 1 to {}, got \"{v}\"",
                            super::MAX_THREADS
                        ))
                    }
                });
            }
            "--dry-run" => dry_run = true,
            _ => study.push(word.clone()),
        }
    }
    let tasks = tasks.ok_or_else(|| format!("--tasks N is required\n{USAGE}"))?;
    for (what, text) in [("--partition", &partition), ("--time", &time)] {
        if let Some(t) = text {
            if t.is_empty() || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(format!("{what}: \"{t}\" is not a SLURM {what} value"));
            }
        }
    }
    Ok(SlurmArgs {
        study,
        tasks,
        partition,
        time,
        cpus_per_task: cpus,
        dry_run,
    })
}

/// The study a `slurm` command line names: its command, its scenario, the
/// results folder (absolute) and whether it sets the threads itself.
struct Study {
    command: &'static str,
    /// What identifies its parts.
    identity: Identity,
    scenario: PathBuf,
    output: PathBuf,
    args: Vec<String>,
    threads_given: bool,
}

fn study(words: &[String]) -> anyhow::Result<Study> {
    let mut argv = vec!["alloysim".to_owned()];
    argv.extend(words.iter().cloned());
    let cli = Cli::try_parse_from(&argv).map_err(|e| {
        UsageError(format!(
            "the study's command line \"{}\": {}",
            words.join(" "),
            e.to_string().trim_end()
        ))
    })?;
    let (command, scenario, shard, threads_given) = match &cli.command {
        Command::Run(args) => {
            if args.scenarios.len() != 1 {
                return Err(UsageError(
                    "alloysim slurm run takes one scenario: submit one study per scenario".into(),
                )
                .into());
            }
            if args.precision.is_some() || args.trace.is_some() {
                return Err(UsageError(
                    "alloysim slurm run: --precision and --trace cannot be sharded (the first adds replications by rounds, the second traces one replication): run them on one machine".into(),
                )
                .into());
            }
            (
                "run",
                args.scenarios[0].clone(),
                &args.shard,
                args.threads.is_some(),
            )
        }
        Command::Sweep {
            scenario,
            shard,
            common,
            ..
        } => ("sweep", scenario.clone(), shard, common.threads.is_some()),
        Command::Attribute {
            scenario,
            shard,
            common,
            ..
        } => (
            "attribute",
            scenario.clone(),
            shard,
            common.threads.is_some(),
        ),
        Command::Portfolio {
            scenario,
            shard,
            common,
            ..
        } => (
            "portfolio",
            scenario.clone(),
            shard,
            common.threads.is_some(),
        ),
        Command::Backtest {
            scenario,
            shard,
            common,
            ..
        } => (
            "backtest",
            scenario.clone(),
            shard,
            common.threads.is_some(),
        ),
        _ => {
            return Err(UsageError(format!(
                "alloysim slurm runs a study: run, sweep, attribute, portfolio or backtest\n{USAGE}"
            ))
            .into())
        }
    };
    if shard.is_some() {
        return Err(UsageError(
            "alloysim slurm gives each task its --shard; leave it out of the study's command line"
                .into(),
        )
        .into());
    }
    let loaded = Scenario::load(&scenario)?;
    let (args, output) = strip_args(words);
    let output = match output {
        Some(dir) => PathBuf::from(dir),
        None if command == "backtest" => {
            Path::new("output").join(format!("{}-backtest", loaded.name))
        }
        None => Path::new("output").join(&loaded.name),
    };
    let output = std::path::absolute(output)?;
    // The study prepared here, every model built and checked, so that a
    // mistake stops before anything is submitted.
    let noted = std::rc::Rc::new(std::cell::OnceCell::new());
    super::shard::run_study(
        cli.command,
        Mode::Check(noted.clone()),
        Some(output.clone()),
        Some(true),
    )?;
    let identity = noted
        .get()
        .cloned()
        .expect("a prepared study notes its identity");
    Ok(Study {
        command,
        identity,
        scenario,
        output,
        args,
        threads_given,
    })
}

/// The two job scripts of a study.
struct Scripts {
    array: String,
    merge: String,
}

/// Where a submitted study's files go.
struct Places {
    results: PathBuf,
    parts: PathBuf,
    jobs: PathBuf,
}

/// What the job scripts of one submission are made of.
struct Submission<'a> {
    slurm: &'a SlurmArgs,
    study: &'a Study,
    places: &'a Places,
    program: &'a str,
    cwd: &'a Path,
}

impl Submission<'_> {
    /// The array job over the shards `tasks` (a SLURM array list) and the
    /// merge job after array job `array_id` (none when empty).
    fn scripts(&self, tasks: &str, array_id: &str) -> Scripts {
        let Submission {
            slurm,
            study,
            places,
            program,
            cwd,
        } = *self;
        let q = |p: &Path| shell_quote(&p.display().to_string());
        let name = format!(
            "alloysim-{}-{}",
            study.command,
            study
                .scenario
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
        );
        // The merge job gets the partition and time; it needs one CPU.
        let mut merge_resources = String::new();
        if let Some(p) = &slurm.partition {
            merge_resources += &format!("#SBATCH --partition={p}\n");
        }
        if let Some(t) = &slurm.time {
            merge_resources += &format!("#SBATCH --time={t}\n");
        }
        let mut resources = merge_resources.clone();
        if let Some(c) = slurm.cpus_per_task {
            resources += &format!("#SBATCH --cpus-per-task={c}\n");
        }
        let words: Vec<String> = study.args.iter().map(|w| shell_quote(w)).collect();
        let threads = if study.threads_given {
            String::new()
        } else {
            " -j \"${SLURM_CPUS_PER_TASK:-1}\"".to_owned()
        };
        let logs = places.jobs.join("logs");
        let array = format!(
        "#!/bin/bash\n\
         # alloysim {command}: shard number $SLURM_ARRAY_TASK_ID of the {count} shards of the\n\
         # study's work list, written as a part into {parts}.\n\
         # Written by `alloysim slurm`; to compute some shards again: sbatch --array=<i,j,...> this script.\n\
         #SBATCH --job-name={name}\n\
         #SBATCH --array={tasks}\n\
         #SBATCH --output={log}\n\
         {resources}\
         set -eu\n\
         cd {cwd}\n\
         exec {program} {words} --shard \"$SLURM_ARRAY_TASK_ID/{count}\" -o {parts_q}{threads}\n",
        command = study.command,
        count = slurm.tasks,
        parts = places.parts.display(),
        log = q(&logs.join("task-%a.log")),
        cwd = q(cwd),
        program = shell_quote(program),
        words = words.join(" "),
        parts_q = q(&places.parts),
    );
        let merge = format!(
            "#!/bin/bash\n\
         # alloysim {command}: merges the {tasks} parts into {results}{when}.\n\
         # Written by `alloysim slurm`.\n\
         #SBATCH --job-name={name}-merge\n\
         #SBATCH --output={log}\n\
         {dependency}\
         {merge_resources}\
         set -eu\n\
         cd {cwd}\n\
         exec {program} merge {parts} -o {results_q}\n",
            command = study.command,
            tasks = slurm.tasks,
            results = places.results.display(),
            log = q(&logs.join("merge.log")),
            cwd = q(cwd),
            program = shell_quote(program),
            parts = q(&places.parts),
            results_q = q(&places.results),
            when = if array_id.is_empty() {
                String::new()
            } else {
                format!(
                " once every\n# task of job {array_id} has succeeded (a failed task cancels it)"
            )
            },
            dependency = if array_id.is_empty() {
                String::new()
            } else {
                format!(
                    "#SBATCH --dependency=afterok:{array_id}\n#SBATCH --kill-on-invalid-dep=yes\n"
                )
            },
        );
        Scripts { array, merge }
    }
}

/// What `alloysim slurm --help` prints.
const HELP: &str = "Run a study as a SLURM job array (one shard of its work list per task) and a
merge job that writes the study's results when every task has succeeded.

The study is prepared first (a mistake stops before anything is submitted).
Submitted again after a failed task, it keeps the parts of the same study
and computes only the shards still missing. See docs/CLUSTER.md.

Options (anywhere on the line; the rest is the study's command line):
  --tasks N            array tasks, one shard each (required)
  --partition P        #SBATCH --partition for the tasks and the merge
  --time T             #SBATCH --time for the tasks and the merge
  --cpus-per-task C    #SBATCH --cpus-per-task; each task runs on C threads
  --dry-run            print the two job scripts, submit nothing

The study's -o DIR is where the merged results go (default
output/<scenario>); the parts go to DIR.parts, the scripts and logs to
DIR.slurm.
";

/// `alloysim slurm ...`.
pub fn slurm(words: &[String]) -> anyhow::Result<()> {
    if matches!(words.first().map(String::as_str), Some("--help" | "-h")) {
        return super::print_out(&format!("{USAGE}\n\n{HELP}"));
    }
    let slurm = parse(words).map_err(UsageError)?;
    let study = study(&slurm.study)?;
    let cwd = std::env::current_dir()?;
    let program = super::shard::program();
    let name = study.output.file_name().map_or_else(
        || "results".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let sibling = |suffix: &str| study.output.with_file_name(format!("{name}{suffix}"));
    let places = Places {
        results: study.output.clone(),
        parts: sibling(".parts"),
        jobs: sibling(".slurm"),
    };
    let submission = Submission {
        slurm: &slurm,
        study: &study,
        places: &places,
        program: &program,
        cwd: &cwd,
    };
    let all: Vec<u32> = (0..slurm.tasks).collect();
    if slurm.dry_run {
        let s = submission.scripts(&array_list(&all), "<ARRAY_JOB_ID>");
        return super::print_out(&format!(
            "# {jobs}/array.sh (sbatch --parsable array.sh)\n{array}\n# {jobs}/merge.sh (sbatch --parsable merge.sh, once the array is submitted)\n{merge}",
            jobs = places.jobs.display(),
            array = s.array,
            merge = s.merge
        ));
    }
    let logs = places.jobs.join("logs");
    std::fs::create_dir_all(&logs)
        .map_err(|e| UsageError(format!("cannot create {}: {e}", logs.display())))?;
    // Parts of this very study (an earlier submission cut one of whose
    // tasks failed) are kept; only the shards without one are computed.
    let done = keep_own_parts(&places.parts, &study.identity, slurm.tasks)?;
    let todo: Vec<u32> = all.iter().copied().filter(|i| !done.contains(i)).collect();
    let array_path = places.jobs.join("array.sh");
    let merge_path = places.jobs.join("merge.sh");
    let mut text = String::new();
    if !done.is_empty() {
        text += &format!(
            "{} of the {} parts are there already (from an earlier submission of this study); computing {}\n",
            done.len(),
            slurm.tasks,
            if todo.is_empty() {
                "none".to_owned()
            } else {
                format!(
                    "shard{} {}",
                    if todo.len() == 1 { "" } else { "s" },
                    array_list(&todo)
                )
            }
        );
    }
    if todo.is_empty() {
        let s = submission.scripts(&array_list(&all), "");
        write_script(&merge_path, &s.merge)?;
        let merge_id = sbatch(&merge_path)?;
        text += &format!("submitted merge job {merge_id}\n");
        return super::print_out(&(text + &watch(&places, &merge_id, &logs)));
    }
    let pending = submission.scripts(&array_list(&todo), "<ARRAY_JOB_ID>");
    write_script(&array_path, &pending.array)?;
    let array_id = sbatch(&array_path)?;
    let s = submission.scripts(&array_list(&todo), &array_id);
    write_script(&merge_path, &s.merge)?;
    let merge_id = match sbatch(&merge_path) {
        Ok(id) => id,
        Err(e) => {
            // No merge would follow: the array is cancelled too.
            let _ = process::Command::new("scancel").arg(&array_id).status();
            return Err(e.context(format!("the array job {array_id} was cancelled")));
        }
    };
    text += &format!(
        "submitted job array {array_id} ({} task{}) and merge job {merge_id} (runs when every task has succeeded)\n",
        todo.len(),
        if todo.len() == 1 { "" } else { "s" }
    );
    text += &watch(&places, &format!("{array_id},{merge_id}"), &logs);
    text.push_str(
        "a failed task cancels the merge: submit the same command again to compute only the shards still missing\n",
    );
    super::print_out(&text)
}

/// Where to look while the jobs run.
fn watch(places: &Places, jobs: &str, logs: &Path) -> String {
    format!(
        "results: {}\nparts:   {}\nwatch:   squeue -j {jobs}\nlogs:    {}/task-<i>.log, {}/merge.log\n",
        places.results.display(),
        places.parts.display(),
        logs.display(),
        logs.display()
    )
}

/// Task numbers as a SLURM array list: `0-3,5,7-8`.
fn array_list(tasks: &[u32]) -> String {
    let mut runs: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tasks.len() {
        let mut j = i;
        while j + 1 < tasks.len() && tasks[j + 1] == tasks[j] + 1 {
            j += 1;
        }
        runs.push(if i == j {
            tasks[i].to_string()
        } else {
            format!("{}-{}", tasks[i], tasks[j])
        });
        i = j + 1;
    }
    runs.join(",")
}

/// Keeps the intact parts of the study `identity` cut into `shards` in the
/// folder of parts and removes every other part (of another study, another
/// cut, damaged), so that the merge finds only this study's; returns the
/// shards kept.
fn keep_own_parts(parts: &Path, identity: &Identity, shards: u32) -> anyhow::Result<Vec<u32>> {
    let Ok(entries) = std::fs::read_dir(parts) else {
        return Ok(Vec::new());
    };
    let mut kept = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let is_part = entry.file_name().to_string_lossy().starts_with("part-")
            && path.join(alloysim::shard::MANIFEST).is_file();
        if !is_part {
            continue;
        }
        let own = alloysim::shard::read_part(&path, "alloysim")
            .ok()
            .filter(|part| {
                let m = &part.manifest;
                let shard = alloysim::shard::Shard {
                    index: m.shard,
                    count: shards,
                };
                identity.owns(m, shards)
                    && m.shard < shards
                    && (m.first_item..m.end_item) == shard.items(m.total_items)
                    && path.file_name() == Some(std::ffi::OsStr::new(&shard.folder_name()))
            });
        match own {
            Some(part) => kept.push(part.manifest.shard),
            None => std::fs::remove_dir_all(&path).map_err(|e| {
                UsageError(format!(
                    "cannot remove the old part {}: {e}",
                    path.display()
                ))
            })?,
        }
    }
    kept.sort_unstable();
    kept.dedup();
    Ok(kept)
}

fn write_script(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text)
        .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())).into())
}

/// Submits `script` with `sbatch --parsable`; returns the job id.
fn sbatch(script: &Path) -> anyhow::Result<String> {
    let output = process::Command::new("sbatch")
        .arg("--parsable")
        .arg(script)
        .output()
        .map_err(|e| {
            UsageError(format!(
                "cannot run sbatch ({e}): is this a SLURM login node? (--dry-run prints the job scripts)"
            ))
        })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(anyhow::anyhow!(
            "sbatch {} failed ({}): {}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    // `--parsable` prints "<id>" or "<id>;<cluster>".
    let id = stdout.trim().split(';').next().unwrap_or("").to_owned();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(anyhow::anyhow!(
            "sbatch {} printed \"{}\", not a job id",
            script.display(),
            stdout.trim()
        ));
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::{array_list, parse};

    #[test]
    fn task_numbers_are_written_as_a_slurm_array_list() {
        assert_eq!(array_list(&[0, 1, 2, 3]), "0-3");
        assert_eq!(array_list(&[1]), "1");
        assert_eq!(array_list(&[0, 2, 3, 4, 7, 9, 10]), "0,2-4,7,9-10");
    }

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn slurm_options_are_found_anywhere_and_the_rest_is_the_study() {
        let a = parse(&words(
            "sweep a.toml --tasks 4 --param x=1,2 --time=0:10:00 --dry-run --cpus-per-task 2",
        ))
        .unwrap();
        assert_eq!(a.study, words("sweep a.toml --param x=1,2"));
        assert_eq!(a.tasks, 4);
        assert_eq!(a.time.as_deref(), Some("0:10:00"));
        assert_eq!(a.cpus_per_task, Some(2));
        assert!(a.dry_run);
        assert!(parse(&words("run a.toml"))
            .unwrap_err()
            .contains("--tasks N is required"));
        assert!(parse(&words("run a.toml --tasks 0")).is_err());
        assert!(parse(&words("run a.toml --tasks 2 --cpus-per-task x")).is_err());
    }
}
