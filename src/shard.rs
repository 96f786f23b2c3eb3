//! Sharded studies: one study's work list split over N machines
//! (`--shard i/N`), each shard writing a *part* (its replication results
//! and a manifest), and the parts put back together (`alloysim merge`)
//! into exactly the results one machine would have written.
//!
//! Why the merged results are identical: a study's work list (every
//! model's replications, model-major, see [`crate::experiment::Work`]) is
//! fixed by the scenario and the study's arguments alone; shard i of N
//! takes the contiguous slice [`Shard::items`] of it; a replication's random
//! streams depend only on the master seed and the replication (never on the
//! shard, the thread or what else runs), so each item's result is
//! bit-identical wherever it runs; parts store results bit for bit
//! (`postcard`, every `f64` as its 8 bytes, NaN included); and the merge
//! hands the results, in item order, to the same summarising code as the
//! one-machine command.

use crate::engine::ReplicationResult;
use crate::scenario::Scenario;
use sha2::{Digest, Sha256};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The manifest of a part.
pub const MANIFEST: &str = "manifest.json";
/// The replication results of a part.
pub const RESULTS: &str = "results.bin";
/// The format of a part; parts of another format are refused.
pub const FORMAT: &str = "alloysim-part-2";
/// The most shards a study is split into.
pub const MAX_SHARDS: u32 = 100_000;

/// Shard `index` of `count` (0 ≤ index < count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// `--shard` as given: a fixed shard, or `auto` (from the environment of a
/// job array, with the count given or read there too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardSpec {
    Fixed(Shard),
    Auto { count: Option<u32> },
}

impl ShardSpec {
    /// Parses `i/N`, `auto` or `auto/N`.
    pub fn parse(text: &str) -> Result<ShardSpec, String> {
        let usage = || {
            format!(
                "expected i/N with 0 <= i < N <= {MAX_SHARDS} (e.g. 0/4), \"auto\" (a SLURM job array's task) or \"auto/N\" (an indexed job of N tasks), got \"{text}\""
            )
        };
        let count = |n: &str| -> Result<u32, String> {
            match n.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_SHARDS).contains(&n) => Ok(n),
                _ => Err(usage()),
            }
        };
        let text = text.trim();
        if text == "auto" {
            return Ok(ShardSpec::Auto { count: None });
        }
        let (index, n) = text.split_once('/').ok_or_else(usage)?;
        let n = count(n)?;
        if index.trim() == "auto" {
            return Ok(ShardSpec::Auto { count: Some(n) });
        }
        let index: u32 = index.trim().parse().map_err(|_| usage())?;
        if index >= n {
            return Err(format!(
                "shard {index} of {n} does not exist: shards are numbered 0 to {}",
                n - 1
            ));
        }
        Ok(ShardSpec::Fixed(Shard { index, count: n }))
    }

    /// The shard: fixed, or read from `env` (the process environment):
    /// `SLURM_ARRAY_TASK_ID` (less `SLURM_ARRAY_TASK_MIN`) of
    /// `SLURM_ARRAY_TASK_COUNT`, or `JOB_COMPLETION_INDEX` (a Kubernetes
    /// Indexed Job) of the count given.
    pub fn resolve(self, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let given = match self {
            ShardSpec::Fixed(shard) => return Ok(shard),
            ShardSpec::Auto { count } => count,
        };
        let number = |name: &str| -> Result<Option<u32>, String> {
            match env(name) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse::<u32>()
                    .map(Some)
                    .map_err(|_| format!("--shard auto: {name} is \"{v}\", not a task number")),
            }
        };
        let (index, count) = if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
            let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let count = match (number("SLURM_ARRAY_TASK_COUNT")?, given) {
                (Some(c), Some(g)) if c != g => {
                    return Err(format!(
                        "--shard auto/{g}: the job array has {c} tasks (SLURM_ARRAY_TASK_COUNT)"
                    ))
                }
                (Some(c), _) | (None, Some(c)) => c,
                (None, None) => {
                    return Err(
                        "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; give the count, --shard auto/N".to_owned(),
                    )
                }
            };
            (id.checked_sub(min), count)
        } else if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            let count = given.ok_or_else(|| {
                "--shard auto: JOB_COMPLETION_INDEX is set; give the number of tasks, --shard auto/N".to_owned()
            })?;
            (Some(index), count)
        } else {
            return Err(
                "--shard auto: neither SLURM_ARRAY_TASK_ID (a SLURM job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; outside a job array give the shard, e.g. --shard 0/4".to_owned(),
            );
        };
        match index {
            Some(index) if index < count && count <= MAX_SHARDS => Ok(Shard { index, count }),
            _ => Err(format!(
                "--shard auto: task {} is not one of the {count} tasks (numbered from 0)",
                index.map_or_else(|| "below the array's first".to_owned(), |i| i.to_string())
            )),
        }
    }
}

impl Shard {
    /// The items of a work list of `total` items this shard computes: a
    /// contiguous slice, the slices of shards 0..count covering the list
    /// in order, their sizes differing by at most one (empty when there
    /// are more shards than items).
    pub fn items(&self, total: u64) -> Range<u64> {
        let at = |i: u32| (u128::from(total) * u128::from(i) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }

    /// The name of its part's folder: `part-0003-of-0008`.
    pub fn folder_name(&self) -> String {
        let width = self.count.to_string().len().max(4);
        format!("part-{:0width$}-of-{:0width$}", self.index, self.count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What a part holds: the study it belongs to and the items it computed.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// The alloysim version that computed the part.
    pub alloysim_version: String,
    /// The study command: run, sweep, attribute or portfolio.
    pub command: String,
    /// The study's command line after `alloysim`, without `--shard` and
    /// `-o`: what the merge rebuilds the study from and a rerun repeats.
    pub args: Vec<String>,
    /// The folder it ran in (relative paths of `args` are relative to it).
    pub cwd: PathBuf,
    /// The folder of the study's parts.
    pub parts_dir: PathBuf,
    /// SHA-256 of the resolved scenario ([`scenario_hash`]).
    pub scenario_hash: String,
    /// SHA-256 of what the study's arguments ask for ([`args_hash`]).
    pub args_hash: String,
    /// The master seed.
    pub seed: u64,
    /// The number of shards.
    pub shards: u32,
    /// This part's shard.
    pub shard: u32,
    /// Items in the study's work list.
    pub total_items: u64,
    /// The items this part computed: `first..end` of the work list.
    pub first_item: u64,
    pub end_item: u64,
    /// SHA-256 and length of [`RESULTS`].
    pub results_sha256: String,
    pub results_bytes: u64,
    /// Seconds the part's simulation took, and on how many threads.
    pub wall_s: f64,
    pub threads: usize,
}

/// SHA-256 of `bytes`, in hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// SHA-256 of the resolved scenario: its name, run settings and every
/// variant's model as resolved (after the command line's overrides, with
/// the data of empirical distributions), not the file's text or path, so a
/// reformatted but equal file hashes the same and a changed one does not.
pub fn scenario_hash(scenario: &Scenario) -> String {
    let resolved = format!(
        "{:?}",
        (
            &scenario.name,
            scenario.minutes_per_unit,
            &scenario.run,
            &scenario.variants,
            &scenario.changes,
            &scenario.economics,
        )
    );
    sha256_hex(resolved.as_bytes())
}

/// SHA-256 of a study's description (the command and what its arguments
/// ask for, e.g. the swept parameters and their values).
pub fn args_hash(description: &str) -> String {
    sha256_hex(description.as_bytes())
}

/// The bytes of a part's results: `postcard`, each `f64` as its bits.
pub fn encode_results(results: &[ReplicationResult]) -> Result<Vec<u8>, String> {
    postcard::to_stdvec(results).map_err(|e| e.to_string())
}

/// The results `bytes` hold (written by [`encode_results`]).
pub fn decode_results(bytes: &[u8]) -> Result<Vec<ReplicationResult>, String> {
    postcard::from_bytes(bytes).map_err(|e| e.to_string())
}

/// A part read back from its folder.
#[derive(Clone, Debug)]
pub struct Part {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub results: Vec<ReplicationResult>,
}

/// Why parts cannot be merged (exit code 2; nothing is written).
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{}: not a part of a sharded study ({reason})", dir.display())]
    NotAPart { dir: PathBuf, reason: String },
    #[error("{}: corrupt part ({reason}); rerun its shard:\n  {rerun}", dir.display())]
    Corrupt {
        dir: PathBuf,
        reason: String,
        rerun: String,
    },
    #[error("no parts given")]
    NoParts,
    #[error("{0}")]
    Mixed(Box<Mixed>),
    #[error("shard {shard} of {count} is given twice: {} and {}", a.display(), b.display())]
    Duplicate {
        shard: u32,
        count: u32,
        a: PathBuf,
        b: PathBuf,
    },
    #[error(
        "{}; {} with:\n{}",
        if missing.len() == 1 {
            format!("shard {} of {count} is missing", missing[0])
        } else {
            format!(
                "{} of the {count} shards are missing ({})",
                missing.len(),
                missing.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
            )
        },
        if missing.len() == 1 { "compute it" } else { "compute them" },
        reruns.join("\n")
    )]
    Missing {
        count: u32,
        missing: Vec<u32>,
        reruns: Vec<String>,
    },
    #[error("{what} changed since the parts were computed (the parts hold {}…, now {}…): rerun the study, or merge where the parts were made", &recorded[..12.min(recorded.len())], &now[..12.min(now.len())])]
    Changed {
        what: &'static str,
        recorded: String,
        now: String,
    },
}

/// Two parts of different studies: `what` differs.
#[derive(Debug)]
pub struct Mixed {
    first: PathBuf,
    other: PathBuf,
    what: &'static str,
    ours: String,
    theirs: String,
    /// The two parts' command lines, where the field alone would not say
    /// what differs (empty otherwise).
    detail: String,
}

impl fmt::Display for Mixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the parts belong to different studies: {} has {} {}, but {} has {}{}",
            self.other.display(),
            self.what,
            self.theirs,
            self.first.display(),
            self.ours,
            self.detail
        )
    }
}

impl MergeError {
    pub fn exit_code(&self) -> i32 {
        2
    }
}

/// The folders of the parts given: a part's own folder, or a folder that
/// holds parts (`part-*` folders with a manifest), taken in name order.
pub fn expand(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, MergeError> {
    let mut parts = Vec::new();
    for dir in dirs {
        if dir.join(MANIFEST).exists() {
            parts.push(dir.clone());
            continue;
        }
        let not_a_part = |reason: String| MergeError::NotAPart {
            dir: dir.clone(),
            reason,
        };
        let entries = std::fs::read_dir(dir).map_err(|e| not_a_part(e.to_string()))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join(MANIFEST).is_file())
            .collect();
        if found.is_empty() {
            return Err(not_a_part(format!(
                "it has no {MANIFEST}, nor folders of parts that have one"
            )));
        }
        found.sort();
        parts.extend(found);
    }
    if parts.is_empty() {
        return Err(MergeError::NoParts);
    }
    Ok(parts)
}

/// The command that recomputes the shard of `manifest` numbered `shard`.
pub fn rerun_command(manifest: &Manifest, shard: u32, program: &str) -> String {
    let mut words = vec![program.to_owned()];
    words.extend(manifest.args.iter().cloned());
    words.push("--shard".to_owned());
    words.push(format!("{shard}/{}", manifest.shards));
    words.push("-o".to_owned());
    words.push(manifest.parts_dir.display().to_string());
    format!(
        "cd {} && {}",
        shell_quote(&manifest.cwd.display().to_string()),
        words
            .iter()
            .map(|w| shell_quote(w))
            .collect::<Vec<_>>()
            .join(" ")
    )
}

/// `word` quoted for a POSIX shell where it needs to be.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The largest manifest read (a part's manifest is about 2 KB).
const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// Reads the part in `dir` and checks it whole: its manifest, the
/// checksum and length of its results, and one result per item.
pub fn read_part(dir: &Path, program: &str) -> Result<Part, MergeError> {
    let path = dir.join(MANIFEST);
    let not_a_part = |reason: String| MergeError::NotAPart {
        dir: dir.to_path_buf(),
        reason,
    };
    let size = std::fs::metadata(&path)
        .map_err(|e| not_a_part(format!("cannot read {MANIFEST}: {e}")))?
        .len();
    if size > MAX_MANIFEST_BYTES {
        return Err(not_a_part(format!("{MANIFEST} is {size} bytes long")));
    }
    let text =
        std::fs::read(&path).map_err(|e| not_a_part(format!("cannot read {MANIFEST}: {e}")))?;
    // The format first, so that another file by that name is told apart
    // from a damaged manifest.
    let value: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| not_a_part(format!("{MANIFEST} is not JSON: {e}")))?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(not_a_part(format!(
                "its format is \"{other}\"; this alloysim reads \"{FORMAT}\""
            )))
        }
        None => return Err(not_a_part(format!("{MANIFEST} has no \"format\""))),
    }
    let manifest: Manifest =
        serde_json::from_value(value).map_err(|e| not_a_part(format!("{MANIFEST}: {e}")))?;
    let corrupt = |reason: String| MergeError::Corrupt {
        dir: dir.to_path_buf(),
        reason,
        rerun: rerun_command(&manifest, manifest.shard, program),
    };
    let bytes = std::fs::read(dir.join(RESULTS))
        .map_err(|e| corrupt(format!("cannot read {RESULTS}: {e}")))?;
    if bytes.len() as u64 != manifest.results_bytes {
        return Err(corrupt(format!(
            "{RESULTS} is {} bytes long, the manifest says {}",
            bytes.len(),
            manifest.results_bytes
        )));
    }
    if sha256_hex(&bytes) != manifest.results_sha256 {
        return Err(corrupt(format!("{RESULTS} does not match its checksum")));
    }
    let results = decode_results(&bytes).map_err(|e| corrupt(format!("{RESULTS}: {e}")))?;
    let expected = manifest.end_item.saturating_sub(manifest.first_item);
    if results.len() as u64 != expected || manifest.first_item > manifest.end_item {
        return Err(corrupt(format!(
            "it holds {} results for items {}..{}",
            results.len(),
            manifest.first_item,
            manifest.end_item
        )));
    }
    Ok(Part {
        dir: dir.to_path_buf(),
        manifest,
        results,
    })
}

/// Parts checked to be one whole study.
#[derive(Clone, Debug)]
pub struct Assembled {
    /// The manifest of shard 0 (the study's command line and hashes).
    pub manifest: Manifest,
    /// Every item's result, in work-list order.
    pub results: Vec<ReplicationResult>,
    /// The parts' simulation seconds, summed, and their most threads.
    pub wall_s: f64,
    pub threads: usize,
}

/// The first 12 digits of a SHA-256: enough to tell two apart.
fn short_hash(hash: &str) -> String {
    format!("{}…", &hash[..12.min(hash.len())])
}

/// What tells two parts of unequal hashes apart: their command lines, or,
/// where those are the same, the scenario file's having changed between
/// the two runs.
fn commands_told_apart(a: &Path, ma: &Manifest, b: &Path, mb: &Manifest) -> String {
    let line =
        |dir: &Path, m: &Manifest| format!("\n  {}: alloysim {}", dir.display(), m.args.join(" "));
    let mut text = format!("{}{}", line(a, ma), line(b, mb));
    if ma.args == mb.args && ma.cwd == mb.cwd {
        text.push_str("\n  the same command line: the scenario file changed between the two runs");
    }
    text
}

/// Checks that `parts` are the shards of one study, each exactly once,
/// with the slice of the work list its shard number gives, and puts their
/// results in order. `program` is named in the commands to rerun shards.
pub fn assemble(mut parts: Vec<Part>, program: &str) -> Result<Assembled, MergeError> {
    if parts.is_empty() {
        return Err(MergeError::NoParts);
    }
    parts.sort_by_key(|p| p.manifest.shard);
    let first = parts[0].manifest.clone();
    let first_dir = parts[0].dir.clone();
    for part in &parts[1..] {
        let m = &part.manifest;
        let mixed = |what: &'static str, ours: String, theirs: String, detail: String| {
            MergeError::Mixed(Box::new(Mixed {
                first: first_dir.clone(),
                other: part.dir.clone(),
                what,
                ours,
                theirs,
                detail,
            }))
        };
        let checks: [(&'static str, String, String); 4] = [
            (
                "alloysim version",
                first.alloysim_version.clone(),
                m.alloysim_version.clone(),
            ),
            ("command", first.command.clone(), m.command.clone()),
            (
                "shard count",
                first.shards.to_string(),
                m.shards.to_string(),
            ),
            ("seed", first.seed.to_string(), m.seed.to_string()),
        ];
        for (what, ours, theirs) in checks {
            if ours != theirs {
                return Err(mixed(what, ours, theirs, String::new()));
            }
        }
        // What the command lines set: told apart by them.
        let settings = [
            (
                "work list length",
                first.total_items.to_string(),
                m.total_items.to_string(),
            ),
            (
                "scenario (hash)",
                short_hash(&first.scenario_hash),
                short_hash(&m.scenario_hash),
            ),
            (
                "study arguments (hash)",
                short_hash(&first.args_hash),
                short_hash(&m.args_hash),
            ),
        ];
        for (what, ours, theirs) in settings {
            if ours != theirs {
                let detail = commands_told_apart(&first_dir, &first, &part.dir, m);
                return Err(mixed(what, ours, theirs, detail));
            }
        }
    }
    for pair in parts.windows(2) {
        if pair[0].manifest.shard == pair[1].manifest.shard {
            return Err(MergeError::Duplicate {
                shard: pair[0].manifest.shard,
                count: first.shards,
                a: pair[0].dir.clone(),
                b: pair[1].dir.clone(),
            });
        }
    }
    let present: Vec<u32> = parts.iter().map(|p| p.manifest.shard).collect();
    let missing: Vec<u32> = (0..first.shards)
        .filter(|i| present.binary_search(i).is_err())
        .collect();
    if !missing.is_empty() {
        let reruns = missing
            .iter()
            .map(|&i| format!("  {}", rerun_command(&first, i, program)))
            .collect();
        return Err(MergeError::Missing {
            count: first.shards,
            missing,
            reruns,
        });
    }
    let mut results = Vec::with_capacity(first.total_items as usize);
    let (mut wall_s, mut threads) = (0.0, 0);
    for part in parts {
        let m = &part.manifest;
        let expected = Shard {
            index: m.shard,
            count: m.shards,
        }
        .items(m.total_items);
        if m.shard >= m.shards || (m.first_item..m.end_item) != expected {
            return Err(MergeError::Corrupt {
                dir: part.dir.clone(),
                reason: format!(
                    "shard {} of {} should hold items {}..{} of {}, it holds {}..{}",
                    m.shard,
                    m.shards,
                    expected.start,
                    expected.end,
                    m.total_items,
                    m.first_item,
                    m.end_item
                ),
                rerun: rerun_command(m, m.shard, program),
            });
        }
        wall_s += m.wall_s;
        threads = threads.max(m.threads);
        results.extend(part.results);
    }
    Ok(Assembled {
        manifest: first,
        results,
        wall_s,
        threads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_work_list_in_order_and_differ_by_at_most_one() {
        for total in [0u64, 1, 2, 7, 20, 1000] {
            for count in [1u32, 2, 3, 4, 7, 25] {
                let slices: Vec<Range<u64>> = (0..count)
                    .map(|index| Shard { index, count }.items(total))
                    .collect();
                assert_eq!(slices[0].start, 0);
                assert_eq!(slices.last().unwrap().end, total);
                for pair in slices.windows(2) {
                    assert_eq!(pair[0].end, pair[1].start);
                }
                let sizes: Vec<u64> = slices.iter().map(|s| s.end - s.start).collect();
                let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                assert!(hi - lo <= 1, "{total} items, {count} shards: {sizes:?}");
            }
        }
    }

    #[test]
    fn shard_text_is_parsed_and_checked() {
        assert_eq!(
            ShardSpec::parse("2/4"),
            Ok(ShardSpec::Fixed(Shard { index: 2, count: 4 }))
        );
        assert_eq!(
            ShardSpec::parse("auto"),
            Ok(ShardSpec::Auto { count: None })
        );
        assert_eq!(
            ShardSpec::parse("auto/8"),
            Ok(ShardSpec::Auto { count: Some(8) })
        );
        assert!(ShardSpec::parse("4/4").unwrap_err().contains("0 to 3"));
        for bad in ["", "1", "1/0", "-1/4", "a/4", "1/4/5", "0/100001"] {
            assert!(ShardSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn auto_shards_come_from_a_job_array_or_an_indexed_job() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let auto = ShardSpec::Auto { count: None };
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(auto.resolve(&slurm), Ok(Shard { index: 3, count: 4 }));
        // An array numbered from 1.
        let from_one = env(&[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(auto.resolve(&from_one), Ok(Shard { index: 3, count: 4 }));
        let k8s = env(&[("JOB_COMPLETION_INDEX", "5")]);
        let counted = ShardSpec::Auto { count: Some(6) };
        assert_eq!(counted.resolve(&k8s), Ok(Shard { index: 5, count: 6 }));
        assert!(auto.resolve(&k8s).unwrap_err().contains("auto/N"));
        assert!(ShardSpec::Auto { count: Some(5) }
            .resolve(&slurm)
            .unwrap_err()
            .contains("4 tasks"));
        assert!(auto.resolve(&env(&[])).unwrap_err().contains("neither"));
        let beyond = env(&[("JOB_COMPLETION_INDEX", "6")]);
        assert!(counted.resolve(&beyond).unwrap_err().contains("not one of"));
    }

    #[test]
    fn words_are_quoted_for_the_shell_where_needed() {
        assert_eq!(
            shell_quote("scenarios/pilot_line.toml"),
            "scenarios/pilot_line.toml"
        );
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
