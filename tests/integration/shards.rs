//! Sharded studies: `--shard i/N` parts merged by `alloysim merge` give
//! the one-machine files byte for byte (timing aside) for every study
//! command and shard count; broken, missing, duplicated and mixed parts
//! are refused with exit code 2 and nothing written; `--shard auto` reads
//! a job array's environment; `alloysim slurm --dry-run` writes the job
//! scripts a cluster runs.

use crate::common::{alloysim, read_summary_without_timing};
use std::fs;
use std::path::{Path, PathBuf};

/// A random line with failures, two changes, a variant with both, and
/// money figures: every study command has work to do on it.
const LINE: &str = r#"
[scenario]
name = "sharded"
warmup = "2h"
horizon = "40h"
replications = 3
seed = 11

[economics]
margin_per_part = 12.0
weeks_per_year = 48
years = 5

[[products]]
name = "p"
route = ["cast", "trim", "check"]

[[stations]]
name = "cast"
process = { dist = "exponential", mean = 2.0 }
failures = { ttf = { dist = "exponential", mean = "3h" }, ttr = { dist = "exponential", mean = "20min" } }

[[stations]]
name = "trim"
buffer = 4
process = { dist = "lognormal", mean = 2.2, cv = 0.4 }

[[stations]]
name = "check"
buffer = 3
process = { dist = "exponential", mean = 1.5 }

[[changes]]
name = "robot-trim"
capex = 4e5
stations.trim = { process = { dist = "lognormal", mean = 1.6, cv = 0.2 } }

[[changes]]
name = "bigger-buffers"
capex = 5e4
stations.trim = { buffer = 8 }
stations.check = { buffer = 8 }

[[variants]]
name = "robot"
changes = ["robot-trim"]

[[variants]]
name = "both"
changes = ["robot-trim", "bigger-buffers"]
"#;

struct Dir {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Dir {
    fn new() -> Dir {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        fs::write(root.join("line.toml"), LINE).unwrap();
        Dir { _tmp: tmp, root }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Runs `alloysim ARGS` in the folder; returns (exit code, stderr).
    fn alloysim(&self, args: &[&str]) -> (i32, String) {
        let out = alloysim()
            .current_dir(&self.root)
            .args(args)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("SLURM_ARRAY_TASK_COUNT")
            .env_remove("SLURM_ARRAY_TASK_MIN")
            .env_remove("JOB_COMPLETION_INDEX")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, args: &[&str]) {
        let (code, stderr) = self.alloysim(args);
        assert_eq!(code, 0, "alloysim {args:?} failed:\n{stderr}");
    }
}

/// Every file of two result folders is the same, byte for byte, but for
/// summary.json's timing fields.
fn assert_same_results(a: &Path, b: &Path) {
    let names = |d: &Path| {
        let mut n: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(a), names(b), "{} vs {}", a.display(), b.display());
    for name in names(a) {
        if name == "summary.json" {
            assert_eq!(
                read_summary_without_timing(a),
                read_summary_without_timing(b),
                "summary.json"
            );
        } else {
            assert!(
                fs::read(a.join(&name)).unwrap() == fs::read(b.join(&name)).unwrap(),
                "{name} differs between {} and {}",
                a.display(),
                b.display()
            );
        }
    }
}

/// The study commands and their work lists' lengths on [`LINE`].
fn studies() -> Vec<(Vec<&'static str>, u32)> {
    vec![
        // 3 variants x 3 replications.
        (vec!["run", "line.toml"], 9),
        // 3 points x 3 replications.
        (
            vec![
                "sweep",
                "line.toml",
                "--param",
                "stations.check.buffer=1..5:2",
                "--variant",
                "robot",
            ],
            9,
        ),
        // 4 subsets x 3 replications.
        (vec!["attribute", "line.toml"], 12),
        (vec!["portfolio", "line.toml", "--budget", "1e5"], 12),
    ]
}

#[test]
fn every_study_merged_from_shards_is_the_one_machine_result() {
    let dir = Dir::new();
    for (study, items) in studies() {
        let command = study[0];
        let one = format!("{command}-one");
        let mut args = study.clone();
        args.extend(["-q", "-o", &one]);
        dir.ok(&args);
        // One shard, several, and more shards than items (empty parts).
        for shards in [1, 4, items + 3] {
            let parts = format!("{command}-parts-{shards}");
            for index in 0..shards {
                let shard = format!("{index}/{shards}");
                // Threads differ from shard to shard: results do not.
                let threads = (1 + index % 2).to_string();
                let mut args = study.clone();
                args.extend(["--shard", &shard, "-j", &threads, "-q", "-o", &parts]);
                dir.ok(&args);
            }
            // Parts given in any order, as folders of their own.
            let mut given: Vec<String> = (0..shards)
                .rev()
                .map(|i| format!("{parts}/part-{:04}-of-{:04}", i, shards))
                .collect();
            if shards == 4 {
                // Or the folder that holds them.
                given = vec![parts.clone()];
            }
            let merged = format!("{command}-merged-{shards}");
            let mut args = vec!["merge"];
            args.extend(given.iter().map(String::as_str));
            args.extend(["-q", "-o", &merged]);
            dir.ok(&args);
            assert_same_results(&dir.path(&one), &dir.path(&merged));
        }
    }
}

/// Writes the 3 parts of the sweep into `parts`; returns the sweep's
/// command line without `--shard`/`-o`.
fn sweep_parts(dir: &Dir, parts: &str, replications: &str) -> Vec<String> {
    let study: Vec<String> = [
        "sweep",
        "line.toml",
        "--param",
        "stations.check.buffer=1..5:2",
        "-r",
        replications,
        "-q",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for index in 0..3 {
        let mut args: Vec<&str> = study.iter().map(String::as_str).collect();
        let shard = format!("{index}/3");
        args.extend(["--shard", &shard, "-o", parts]);
        dir.ok(&args);
    }
    study
}

fn part(parts: &str, index: u32) -> String {
    format!("{parts}/part-{index:04}-of-0003")
}

/// `merge ARGS -o out` fails with exit code 2, saying `expected`, and
/// writes nothing.
fn assert_refused(dir: &Dir, parts: &[&str], expected: &str) {
    let mut args = vec!["merge"];
    args.extend(parts);
    args.extend(["-o", "out"]);
    let (code, stderr) = dir.alloysim(&args);
    assert_eq!(code, 2, "{parts:?}: {stderr}");
    assert!(
        stderr.contains(expected),
        "{parts:?}: expected \"{expected}\" in:\n{stderr}"
    );
    assert!(!dir.path("out").exists(), "{parts:?}: results written");
}

#[test]
fn missing_duplicated_mixed_and_damaged_parts_are_refused_and_nothing_is_written() {
    let dir = Dir::new();
    sweep_parts(&dir, "p", "2");
    let (p0, p1, p2) = (part("p", 0), part("p", 1), part("p", 2));

    // A missing shard is named, with the command that computes it.
    assert_refused(&dir, &[&p0, &p2], "shard 1 of 3 is missing");
    let mut args = vec!["merge", p0.as_str(), p2.as_str(), "-o", "out"];
    let (_, stderr) = dir.alloysim(&args);
    let rerun = stderr.lines().find(|l| l.contains("--shard 1/3")).unwrap();
    assert!(rerun.contains("sweep line.toml --param stations.check.buffer=1..5:2 -r 2"));
    // Running that command mends the study.
    let command = rerun.trim().split_once(" && ").unwrap().1;
    let words: Vec<&str> = command.split_whitespace().skip(1).collect();
    fs::remove_dir_all(dir.path(&p1)).unwrap();
    dir.ok(&words);
    args.insert(2, &p1);
    dir.ok(&args);
    fs::remove_dir_all(dir.path("out")).unwrap();
    assert_refused(&dir, &[&p0, &p2], "shard 1 of 3 is missing");

    // The same shard twice.
    copy_dir(&dir.path(&p1), &dir.path("copy"));
    assert_refused(
        &dir,
        &[&p0, &p1, &p2, "copy"],
        "shard 1 of 3 is given twice",
    );

    // A part whose manifest claims another shard's place in the list.
    copy_dir(&dir.path(&p1), &dir.path("moved"));
    let moved = dir.path("moved/manifest.json");
    let text = fs::read_to_string(&moved).unwrap();
    fs::write(&moved, text.replace("\"shard\": 1,", "\"shard\": 0,")).unwrap();
    assert_refused(
        &dir,
        &["moved", &p1, &p2],
        "should hold items 0..2 of 6, it holds 2..4",
    );

    // Parts of another study: other replications, another shard count.
    // Each is told by what differs, and where only a hash would say so,
    // by the two command lines.
    sweep_parts(&dir, "q", "3");
    let q2 = part("q", 2);
    assert_refused(&dir, &[&p0, &p1, &q2], "has work list length 9");
    let (_, stderr) = dir.alloysim(&["merge", &p0, &p1, &q2, "-o", "out"]);
    assert!(
        stderr.contains(&format!(
            "{q2}: alloysim sweep line.toml --param stations.check.buffer=1..5:2 -r 3 -q"
        )) && stderr.contains(&format!(
            "{p0}: alloysim sweep line.toml --param stations.check.buffer=1..5:2 -r 2 -q"
        )),
        "{stderr}"
    );
    // The same command line on an edited scenario file.
    let edited = LINE.replace("mean = 1.5", "mean = 1.4");
    fs::write(dir.path("line.toml"), &edited).unwrap();
    let study = [
        "sweep",
        "line.toml",
        "--param",
        "stations.check.buffer=1..5:2",
        "-r",
        "2",
        "-q",
    ];
    dir.ok(&[&study[..], &["--shard", "2/3", "-o", "edited"]].concat());
    fs::write(dir.path("line.toml"), LINE).unwrap();
    assert_refused(
        &dir,
        &[&p0, &p1, &part("edited", 2)],
        "the same command line: the scenario file changed between the two runs",
    );
    dir.ok(&[
        "sweep",
        "line.toml",
        "--param",
        "stations.check.buffer=1..5:2",
        "-r",
        "2",
        "-q",
        "--seed",
        "9",
        "--shard",
        "2/3",
        "-o",
        "seeded",
    ]);
    assert_refused(&dir, &[&p0, &p1, &part("seeded", 2)], "has seed 9, but");
    dir.ok(&[
        "sweep",
        "line.toml",
        "--param",
        "stations.check.buffer=1..5:2",
        "-r",
        "2",
        "-q",
        "--shard",
        "0/2",
        "-o",
        "two",
    ]);
    assert_refused(
        &dir,
        &[&p0, &p1, &p2, "two/part-0000-of-0002"],
        "shard count",
    );
    dir.ok(&[
        "sweep",
        "line.toml",
        "--param",
        "stations.check.buffer=2..6:2",
        "-r",
        "2",
        "-q",
        "--shard",
        "2/3",
        "-o",
        "other",
    ]);
    assert_refused(
        &dir,
        &[&p0, &p1, &part("other", 2)],
        "study arguments (hash)",
    );

    // A truncated, a flipped and a missing results file; a damaged manifest.
    let results = dir.path(&p2).join("results.bin");
    let good = fs::read(&results).unwrap();
    fs::write(&results, &good[..good.len() / 2]).unwrap();
    assert_refused(&dir, &[&p0, &p1, &p2], "corrupt part");
    let mut flipped = good.clone();
    flipped[good.len() / 3] ^= 0x10;
    fs::write(&results, &flipped).unwrap();
    assert_refused(&dir, &[&p0, &p1, &p2], "does not match its checksum");
    fs::remove_file(&results).unwrap();
    assert_refused(&dir, &[&p0, &p1, &p2], "cannot read results.bin");
    fs::write(&results, &good).unwrap();
    let manifest = dir.path(&p1).join("manifest.json");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(&manifest, &text[..text.len() / 2]).unwrap();
    assert_refused(&dir, &[&p0, &p1, &p2], "manifest.json is not JSON");
    fs::write(&manifest, &text).unwrap();
    assert_refused(&dir, &["line.toml"], "not a part");
    fs::create_dir(dir.path("empty")).unwrap();
    assert_refused(&dir, &["empty"], "no manifest.json");

    // The scenario edited after the parts were computed.
    let edited = LINE.replace("mean = 1.5", "mean = 1.4");
    fs::write(dir.path("line.toml"), edited).unwrap();
    assert_refused(&dir, &[&p0, &p1, &p2], "the scenario changed");
    fs::write(dir.path("line.toml"), LINE).unwrap();

    // An earlier result folder stays as it was when the merge is refused.
    dir.ok(&["merge", "p", "-q", "-o", "out"]);
    let before = fs::read(dir.path("out/sweep.csv")).unwrap();
    fs::remove_dir_all(dir.path(&p1)).unwrap();
    let (code, _) = dir.alloysim(&["merge", "p", "-o", "out"]);
    assert_eq!(code, 2);
    assert_eq!(fs::read(dir.path("out/sweep.csv")).unwrap(), before);
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn shard_auto_reads_a_job_array_or_an_indexed_job() {
    let dir = Dir::new();
    let run = |env: &[(&str, &str)], shard: &str| {
        let mut cmd = alloysim();
        cmd.current_dir(&dir.root)
            .args(["run", "line.toml", "-q", "--shard", shard, "-o", "auto"])
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("SLURM_ARRAY_TASK_COUNT")
            .env_remove("SLURM_ARRAY_TASK_MIN")
            .env_remove("JOB_COMPLETION_INDEX");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let slurm = [
        ("SLURM_ARRAY_TASK_ID", "1"),
        ("SLURM_ARRAY_TASK_COUNT", "2"),
        ("SLURM_ARRAY_TASK_MIN", "0"),
    ];
    assert_eq!(run(&slurm, "auto").0, 0);
    assert!(dir.path("auto/part-0001-of-0002/manifest.json").is_file());
    assert_eq!(run(&[("JOB_COMPLETION_INDEX", "0")], "auto/2").0, 0);
    assert!(dir.path("auto/part-0000-of-0002/manifest.json").is_file());
    // The two tasks make the whole study.
    dir.ok(&["merge", "auto", "-q", "-o", "merged"]);
    dir.ok(&["run", "line.toml", "-q", "-o", "one"]);
    assert_same_results(&dir.path("one"), &dir.path("merged"));

    let (code, stderr) = run(&[], "auto");
    assert_eq!(code, 2);
    assert!(stderr.contains("neither SLURM_ARRAY_TASK_ID"), "{stderr}");
    let (code, stderr) = run(&[("JOB_COMPLETION_INDEX", "0")], "auto");
    assert_eq!(code, 2);
    assert!(stderr.contains("auto/N"), "{stderr}");
}

#[test]
fn what_cannot_be_divided_in_advance_is_refused_with_shard() {
    let dir = Dir::new();
    for (args, expected) in [
        (vec!["run", "line.toml", "--precision", "1%"], "--precision"),
        (vec!["run", "line.toml", "--trace", "0"], "--trace"),
        (vec!["run", "line.toml", "line.toml"], "several scenarios"),
        (vec!["run", "line.toml"], "0 to 1"),
    ] {
        let mut args = args.clone();
        let shard = if expected == "0 to 1" { "2/2" } else { "0/2" };
        args.extend(["--shard", shard, "-o", "parts"]);
        let (code, stderr) = dir.alloysim(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    assert!(!dir.path("parts").exists());
}

#[test]
fn slurm_dry_run_prints_an_array_job_and_a_merge_job_that_depends_on_it() {
    let dir = Dir::new();
    let out = alloysim()
        .current_dir(&dir.root)
        .args([
            "slurm",
            "sweep",
            "line.toml",
            "--param",
            "stations.check.buffer=1..5:2",
            "--tasks",
            "4",
            "--time",
            "0:20:00",
            "--partition",
            "short",
            "--cpus-per-task",
            "2",
            "-o",
            "results",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let program = fs::canonicalize(assert_cmd::cargo::cargo_bin("alloysim")).unwrap();
    for expected in [
        "#SBATCH --array=0-3",
        "#SBATCH --time=0:20:00",
        "#SBATCH --partition=short",
        "#SBATCH --cpus-per-task=2",
        "#SBATCH --dependency=afterok:<ARRAY_JOB_ID>",
        "#SBATCH --kill-on-invalid-dep=yes",
        "--shard \"$SLURM_ARRAY_TASK_ID/4\"",
        "-j \"${SLURM_CPUS_PER_TASK:-1}\"",
        " merge ",
        "results.parts",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(
        text.contains(&format!("exec {} sweep line.toml", program.display())),
        "the scripts call this binary by absolute path:\n{text}"
    );
    // Nothing was written or submitted.
    assert!(!dir.path("results.slurm").exists());
    assert!(!dir.path("results.parts").exists());

    // The study is prepared before anything is submitted: a mistake in it
    // stops the submission.
    let (code, stderr) = dir.alloysim(&[
        "slurm",
        "sweep",
        "line.toml",
        "--param",
        "stations.nope.buffer=1,2",
        "--tasks",
        "2",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no station named \"nope\""), "{stderr}");
    let (code, stderr) = dir.alloysim(&[
        "slurm",
        "attribute",
        "line.toml",
        "--variant",
        "baseline",
        "--tasks",
        "2",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no changes"), "{stderr}");
    assert!(!dir.path("output").join("sharded.slurm").exists());
    let (code, stderr) = dir.alloysim(&["slurm", "validate", "line.toml", "--tasks", "2"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("run, sweep, attribute, portfolio or backtest"),
        "{stderr}"
    );
    let (code, stderr) = dir.alloysim(&[
        "slurm",
        "run",
        "line.toml",
        "--shard",
        "0/2",
        "--tasks",
        "2",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("leave it out"), "{stderr}");
}

#[test]
fn a_part_keeps_every_result_bit_for_bit() {
    use alloysim::shard::encode_results;
    let scenario = crate::common::scenario(LINE);
    let result = alloysim::experiment::run(&scenario, Some(2), &|| {}).unwrap();
    let mut results: Vec<_> = result
        .variants
        .into_iter()
        .flat_map(|v| v.replications)
        .collect();
    // Values JSON could not carry: NaN with a payload, infinities, -0.
    results[0].wip_mean = f64::from_bits(0x7ff8_0000_dead_beef);
    results[0].lead_time_sum_min = f64::NEG_INFINITY;
    results[1].release_queue_mean = -0.0;
    results[1].stations[0].state_min.0[0] = f64::INFINITY;
    let bytes = encode_results(&results).unwrap();
    let back: Vec<alloysim::engine::ReplicationResult> = postcard_decode(&bytes);
    assert_eq!(back[0].wip_mean.to_bits(), 0x7ff8_0000_dead_beef);
    assert_eq!(back[1].release_queue_mean.to_bits(), (-0.0f64).to_bits());
    assert_eq!(encode_results(&back).unwrap(), bytes);
    assert_eq!(
        format!("{:?}", back[2..].to_vec()),
        format!("{:?}", results[2..].to_vec())
    );
}

fn postcard_decode(bytes: &[u8]) -> Vec<alloysim::engine::ReplicationResult> {
    alloysim::shard::decode_results(bytes).unwrap()
}

/// A stand-in for SLURM's `sbatch` and `scancel` on PATH: each call is
/// logged with its arguments, and sbatch answers job ids 100, 101, ...
fn fake_slurm(dir: &Dir) -> PathBuf {
    let bin = dir.path("bin");
    fs::create_dir_all(&bin).unwrap();
    let log = dir.path("slurm.log");
    let sbatch = format!(
        "#!/bin/sh\nn=$(cat {log}.n 2>/dev/null || echo 100)\necho \"sbatch $*\" >> {log}\necho $((n + 1)) > {log}.n\necho \"$n\"\n",
        log = log.display()
    );
    let scancel = format!("#!/bin/sh\necho \"scancel $*\" >> {}\n", log.display());
    for (name, text) in [("sbatch", sbatch), ("scancel", scancel)] {
        let path = bin.join(name);
        fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    bin
}

#[cfg(unix)]
#[test]
fn slurm_submits_the_array_then_the_merge_and_a_resubmission_computes_only_what_is_missing() {
    let dir = Dir::new();
    let bin = fake_slurm(&dir);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let study = [
        "sweep",
        "line.toml",
        "--param",
        "stations.check.buffer=1..5:2",
        "-r",
        "2",
    ];
    let submit = || {
        let mut args = vec!["slurm"];
        args.extend(study);
        args.extend(["-o", "res", "--tasks", "3"]);
        let out = alloysim()
            .current_dir(&dir.root)
            .env("PATH", &path)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let log = || fs::read_to_string(dir.path("slurm.log")).unwrap_or_default();

    let text = submit();
    assert!(
        text.contains("submitted job array 100 (3 tasks) and merge job 101"),
        "{text}"
    );
    let array = fs::read_to_string(dir.path("res.slurm/array.sh")).unwrap();
    assert!(array.contains("#SBATCH --array=0-2"), "{array}");
    let merge = fs::read_to_string(dir.path("res.slurm/merge.sh")).unwrap();
    assert!(
        merge.contains("#SBATCH --dependency=afterok:100"),
        "{merge}"
    );
    assert!(
        merge.contains("#SBATCH --kill-on-invalid-dep=yes"),
        "{merge}"
    );
    assert!(log().contains("sbatch --parsable"), "{}", log());

    // Shards 0 and 2 computed (as the tasks would), shard 1 failed; a part
    // of another study and one of another cut lie in the folder too.
    let shard = |index: &str, out: &str, replications: &str| {
        let mut args: Vec<&str> = study.to_vec();
        args[5] = replications;
        args.extend(["--shard", index, "-q", "-o", out]);
        dir.ok(&args);
    };
    shard("0/3", "res.parts", "2");
    shard("2/3", "res.parts", "2");
    shard("5/6", "res.parts", "2");
    shard("1/3", "other.parts", "3");
    fs::rename(
        dir.path("other.parts/part-0001-of-0003"),
        dir.path("res.parts/part-0001-of-0003"),
    )
    .unwrap();
    let text = submit();
    assert!(
        text.contains("2 of the 3 parts are there already") && text.contains("computing shard 1"),
        "{text}"
    );
    assert!(
        text.contains("submitted job array 102 (1 task) and merge job 103"),
        "{text}"
    );
    let array = fs::read_to_string(dir.path("res.slurm/array.sh")).unwrap();
    assert!(array.contains("#SBATCH --array=1\n"), "{array}");
    assert!(
        array.contains("--shard \"$SLURM_ARRAY_TASK_ID/3\""),
        "{array}"
    );
    // The other study's part and the other cut's are gone.
    assert!(!dir.path("res.parts/part-0001-of-0003").exists());
    assert!(!dir.path("res.parts/part-0005-of-0006").exists());
    assert!(dir.path("res.parts/part-0002-of-0003").exists());

    // Every part there: only the merge, with nothing to wait for.
    shard("1/3", "res.parts", "2");
    let text = submit();
    assert!(
        text.contains("computing none") && text.contains("submitted merge job 104"),
        "{text}"
    );
    let merge = fs::read_to_string(dir.path("res.slurm/merge.sh")).unwrap();
    assert!(!merge.contains("--dependency"), "{merge}");
    // What the merge job runs gives the one-machine sweep.
    dir.ok(&["merge", "res.parts", "-q", "-o", "res"]);
    let mut one: Vec<&str> = study.to_vec();
    one.extend(["-q", "-o", "one"]);
    dir.ok(&one);
    assert_same_results(&dir.path("one"), &dir.path("res"));

    // Without sbatch on PATH, the submission says so.
    let out = alloysim()
        .current_dir(&dir.root)
        .env("PATH", "/nonexistent")
        .args([
            "slurm",
            "sweep",
            "line.toml",
            "--param",
            "stations.check.buffer=1,2",
            "--tasks",
            "2",
            "-o",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot run sbatch"));
}

#[test]
fn a_backtest_merged_from_shards_is_the_one_machine_result() {
    let dir = Dir::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(
        root.join("scenarios/pilot_line.toml"),
        dir.path("pilot.toml"),
    )
    .unwrap();
    fs::copy(
        root.join("scenarios/data/pilot_daily_output.csv"),
        dir.path("daily.csv"),
    )
    .unwrap();
    let study = [
        "backtest",
        "pilot.toml",
        "--observed",
        "daily.csv",
        "-r",
        "3",
    ];
    let mut one = study.to_vec();
    one.extend(["-q", "-o", "one"]);
    dir.ok(&one);
    // Two shards, and more shards than replications.
    for shards in [2, 5] {
        let parts = format!("parts-{shards}");
        for index in 0..shards {
            let shard = format!("{index}/{shards}");
            let mut args = study.to_vec();
            args.extend(["--shard", &shard, "-q", "-o", &parts]);
            dir.ok(&args);
        }
        let merged = format!("merged-{shards}");
        dir.ok(&["merge", &parts, "-q", "-o", &merged]);
        assert_same_results(&dir.path("one"), &dir.path(&merged));
    }
    // The observed file changed since the parts were computed.
    let text = fs::read_to_string(dir.path("daily.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.pop();
    fs::write(dir.path("daily.csv"), lines.join("\n") + "\n").unwrap();
    assert_refused(
        &dir,
        &["parts-2"],
        "what the study's arguments ask for changed",
    );
}
