//! All-or-nothing result sets: a command's files appear in the result
//! folder together, or not at all.
//!
//! Every file of the set is written into a staging folder beside the result
//! folder (`.<name>.alloysim-<pid>-<n>`, on the same file system). At commit
//! the files of the result folder that belong to no one of this command's
//! outputs (another command's results, a user's notes) are hard-linked
//! into the staging folder, and the two folders are swapped in one atomic
//! `rename` (`RENAME_EXCHANGE` on Linux). Whatever happens, and whenever the
//! process is killed, the result folder is either the old one or the new
//! one, never a mix. This command's files that the new set lacks (charts
//! after `--no-charts`, say) disappear with the old folder.
//!
//! Writers to one folder are serialised by a lock on its parent folder,
//! held from the first staged file to the end of the commit; leftovers of
//! dead writers (staging folders, old temporary files) are removed under
//! that lock. [`OutputFolder::check`] looks at the folder before any work
//! is done, so that a folder that cannot be written is reported at once.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, Ordering};

/// Why a result set could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The folder cannot hold results (found before any work is done).
    #[error("output folder {}: {reason}", path.display())]
    Unusable { path: PathBuf, reason: String },
    /// An operation on a path failed (the cause follows as the source).
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("interrupted: no results were written; earlier results are unchanged")]
    Interrupted,
}

impl OutputError {
    /// 2 for a folder that cannot hold results (the command's arguments
    /// must change), 1 for a failure on the way.
    pub fn exit_code(&self) -> i32 {
        match self {
            OutputError::Unusable { .. } => 2,
            OutputError::Io { .. } | OutputError::Interrupted => 1,
        }
    }
}

/// The error of `action` on `path`, for `map_err`.
pub fn io_error<'p>(
    action: &'static str,
    path: &'p Path,
) -> impl FnOnce(io::Error) -> OutputError + use<'p> {
    move |source| OutputError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Set when the process was asked to stop: a commit then does not happen.
static STOP: AtomicBool = AtomicBool::new(false);

/// Asks every result set not yet committed to give up (Ctrl-C).
pub fn request_stop() {
    STOP.store(true, Ordering::SeqCst);
}

/// A step of writing a result set, for fault injection in tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Step {
    /// Writing a staged file.
    Stage = 1,
    /// Linking the folder's other files into the staging folder.
    Carry = 2,
    /// Swapping the staging folder in.
    Swap = 3,
    /// Removing the old folder after the swap.
    Cleanup = 4,
}

/// What an injected fault does at its step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The step fails with an I/O error.
    Fail,
    /// The process dies at once, as if killed.
    Abort,
}

/// The injected fault: step in the low byte, 0x100 for an abort.
static FAULT: AtomicU32 = AtomicU32::new(0);

/// Makes every later result set fail, or the process die, at `step`: the
/// tests of atomicity use it (the binary reads `ALLOYSIM_FAULT`).
pub fn inject_fault(step: Step, fault: Fault) {
    let abort = if fault == Fault::Abort { 0x100 } else { 0 };
    FAULT.store(u32::from(step as u8) | abort, Ordering::SeqCst);
}

fn at(step: Step, path: &Path) -> Result<(), OutputError> {
    let fault = FAULT.load(Ordering::SeqCst);
    if fault & 0xFF != u32::from(step as u8) {
        return Ok(());
    }
    if fault & 0x100 != 0 {
        std::process::abort();
    }
    Err(OutputError::Io {
        action: "write (injected fault)",
        path: path.to_path_buf(),
        source: io::Error::other("injected fault"),
    })
}

/// A result folder that was checked before any work: it can be created,
/// its parent is writable, and a swap of it keeps everything else in it.
#[derive(Clone, Debug)]
pub struct OutputFolder {
    /// The folder, absolute.
    dir: PathBuf,
    /// As the user gave it, for messages.
    shown: PathBuf,
    parent: PathBuf,
    name: String,
}

/// Length of the longest file name in a result set, beside which the
/// staging folder's name must still fit.
const STAGE_SUFFIX_MAX: usize = 32;

impl OutputFolder {
    /// Checks `dir` as a result folder and creates its parent folders.
    pub fn check(dir: &Path) -> Result<OutputFolder, OutputError> {
        let unusable = |reason: String| OutputError::Unusable {
            path: dir.to_path_buf(),
            reason,
        };
        let absolute = std::path::absolute(dir).map_err(|e| unusable(e.to_string()))?;
        // A folder given through a symbolic link is swapped where it lies.
        let absolute = fs::canonicalize(&absolute).unwrap_or(absolute);
        let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
            return Err(unusable("a results folder needs a parent folder".into()));
        };
        let name = name.to_string_lossy().into_owned();
        if name.len() + STAGE_SUFFIX_MAX > 255 {
            return Err(unusable(format!(
                "the folder name is {} bytes long; at most {} are allowed (file names are limited to 255 bytes)",
                name.len(),
                255 - STAGE_SUFFIX_MAX
            )));
        }
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|c| fs::canonicalize(c).ok());
        if cwd.is_some_and(|cwd| cwd.starts_with(&absolute)) {
            return Err(unusable(
                "is the current folder or contains it; results replace their folder as a whole, so give a folder of their own".into(),
            ));
        }
        let folder = OutputFolder {
            shown: dir.to_path_buf(),
            parent: parent.to_path_buf(),
            name,
            dir: absolute,
        };
        folder.check_existing(&unusable)?;
        fs::create_dir_all(&folder.parent)
            .map_err(|e| unusable(format!("cannot create it: {e}")))?;
        // Whether the parent takes a staging folder, tried for real.
        let probe = folder.stage_path();
        fs::create_dir(&probe)
            .and_then(|()| fs::remove_dir(&probe))
            .map_err(|e| {
                unusable(format!(
                    "cannot write into {}: {e}",
                    folder.parent.display()
                ))
            })?;
        Ok(folder)
    }

    /// An existing folder must be a folder, and hold no folders of others:
    /// they could not be carried into the new one.
    fn check_existing(&self, unusable: &dyn Fn(String) -> OutputError) -> Result<(), OutputError> {
        let Ok(meta) = fs::metadata(&self.dir) else {
            return Ok(());
        };
        if !meta.is_dir() {
            return Err(unusable("exists and is not a folder".into()));
        }
        let entries = fs::read_dir(&self.dir).map_err(|e| unusable(e.to_string()))?;
        let mut folders: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !RESULT_FILES.contains(&n.as_str()))
            .collect();
        folders.sort();
        if !folders.is_empty() {
            return Err(unusable(format!(
                "holds folders of its own ({}/); results replace their folder as a whole, so give a folder of their own",
                folders.join("/, ")
            )));
        }
        Ok(())
    }

    /// The folder as the user gave it.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    fn stage_path(&self) -> PathBuf {
        static COUNTER: AtomicU8 = AtomicU8::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        self.parent.join(format!(
            ".{}.alloysim-{}-{n}",
            self.name,
            std::process::id()
        ))
    }

    /// Whether `entry` (a name in the parent) is a leftover of a writer of
    /// this folder.
    fn is_leftover(&self, entry: &str) -> bool {
        entry
            .strip_prefix(&format!(".{}.alloysim-", self.name))
            .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '-'))
    }
}

/// Every file name any command writes into a result folder; a file of
/// another command is carried into the new set, a file of this command
/// that the new set lacks is not.
pub const RESULT_FILES: &[&str] = &[
    "summary.json",
    "replications.csv",
    "stations.csv",
    "timeseries.csv",
    "lead_times.csv",
    "trace.csv",
    "throughput.png",
    "station_states.png",
    "bottleneck.png",
    "wip.png",
    "lead_time.png",
    "energy.png",
    "business_case.png",
    "gantt.png",
    "sweep.csv",
    "sweep.png",
    "attribution.csv",
    "attribution.png",
    "fit.json",
    "fit.png",
    "failures.json",
    "backtest.json",
    "backtest.png",
    "portfolio.csv",
    "portfolio.json",
    "portfolio.png",
    "exact.json",
    "manifest.json",
    "results.bin",
];

/// Files staged for one atomic commit.
#[derive(Debug)]
pub struct ResultSet {
    folder: OutputFolder,
    stage: PathBuf,
    /// The names this command writes (whether in this set or not).
    owned: &'static [&'static str],
    staged: Vec<String>,
    /// The lock on the parent folder, held until the set is committed or
    /// dropped.
    _lock: File,
    committed: bool,
}

impl ResultSet {
    /// Prepares a set of files among `owned` for `folder`: waits for other
    /// writers of the folder, removes their leftovers, and creates the
    /// staging folder.
    pub fn new(folder: &OutputFolder, owned: &'static [&'static str]) -> Result<Self, OutputError> {
        let lock = lock_folder(&folder.parent)?;
        remove_leftovers(folder)?;
        let stage = folder.stage_path();
        fs::create_dir(&stage).map_err(io_error("create the staging folder", &stage))?;
        Ok(Self {
            folder: folder.clone(),
            stage,
            owned,
            staged: Vec::new(),
            _lock: lock,
            committed: false,
        })
    }

    /// Writes `bytes` as `name` of the set.
    pub fn stage(&mut self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.stage_path(name);
        at(Step::Stage, &path)?;
        let mut file = File::create(&path).map_err(io_error("create", &path))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(io_error("write", &path))
    }

    /// The path to write `name` of the set to, for writers that need a path
    /// (the PNG encoder).
    pub fn stage_path(&mut self, name: &str) -> PathBuf {
        debug_assert!(
            self.owned.contains(&name),
            "{name} is not among the command's files"
        );
        self.staged.push(name.to_owned());
        self.stage.join(name)
    }

    /// Makes the set the folder's content, keeping everything in the folder
    /// that is not this command's; returns the paths written.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, OutputError> {
        if STOP.load(Ordering::SeqCst) {
            return Err(OutputError::Interrupted);
        }
        let dir = &self.folder.dir;
        let exists = dir.is_dir();
        if exists {
            self.carry_others()?;
        }
        at(Step::Swap, dir)?;
        if exists {
            exchange(&self.stage, dir).map_err(io_error("swap in the new results of", dir))?;
        } else {
            fs::rename(&self.stage, dir).map_err(io_error("move the new results to", dir))?;
        }
        self.committed = true;
        // After the swap the staging path holds the old results. The new
        // ones are in place whatever happens now: a failure to remove the
        // old ones only leaves a leftover that the next writer removes.
        if at(Step::Cleanup, &self.stage).is_ok() && exists {
            let _ = fs::remove_dir_all(&self.stage);
        }
        if let Ok(parent) = File::open(&self.folder.parent) {
            let _ = parent.sync_all();
        }
        let shown = self.folder.path().to_path_buf();
        Ok(self.staged.iter().map(|name| shown.join(name)).collect())
    }

    /// Hard-links (or copies) into the staging folder every entry of the
    /// folder that is not one of this command's files.
    fn carry_others(&self) -> Result<(), OutputError> {
        let dir = &self.folder.dir;
        let entries = fs::read_dir(dir).map_err(io_error("read", dir))?;
        for entry in entries {
            let entry = entry.map_err(io_error("read", dir))?;
            let name = entry.file_name();
            let name_text = name.to_string_lossy();
            if self.owned.contains(&name_text.as_ref()) || name_text.starts_with(".tmp-") {
                continue;
            }
            let (from, to) = (entry.path(), self.stage.join(&name));
            at(Step::Carry, &from)?;
            let kind = entry.file_type().map_err(io_error("read", &from))?;
            if kind.is_symlink() {
                let target = fs::read_link(&from).map_err(io_error("read", &from))?;
                symlink(&target, &to).map_err(io_error("keep the link", &from))?;
            } else if kind.is_dir() && RESULT_FILES.contains(&name_text.as_ref()) {
                // A folder by the name of a result file: not results, dropped.
                continue;
            } else if kind.is_dir() {
                return Err(OutputError::Unusable {
                    path: self.folder.path().to_path_buf(),
                    reason: format!(
                        "a folder {} appeared in it; results replace their folder as a whole",
                        name_text
                    ),
                });
            } else if fs::hard_link(&from, &to).is_err() {
                fs::copy(&from, &to).map_err(io_error("keep", &from))?;
            }
        }
        Ok(())
    }
}

impl Drop for ResultSet {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.stage);
        }
    }
}

/// Locks `parent` for this process, waiting (and saying so) while another
/// alloysim holds it. The lock goes with the file, also when a process dies.
fn lock_folder(parent: &Path) -> Result<File, OutputError> {
    fs::create_dir_all(parent).map_err(io_error("create", parent))?;
    let file = File::open(parent).map_err(io_error("open", parent))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => {
            eprintln!(
                "waiting for another alloysim that is writing results in {}",
                parent.display()
            );
            file.lock().map_err(io_error("lock", parent))?;
            Ok(file)
        }
        Err(fs::TryLockError::Error(e)) => Err(io_error("lock", parent)(e)),
    }
}

/// Removes staging folders left by writers that died (any writer alive
/// would hold the lock this process holds now), and temporary files of
/// earlier versions inside the folder.
fn remove_leftovers(folder: &OutputFolder) -> Result<(), OutputError> {
    let parent = &folder.parent;
    for entry in fs::read_dir(parent).map_err(io_error("read", parent))? {
        let entry = entry.map_err(io_error("read", parent))?;
        if folder.is_leftover(&entry.file_name().to_string_lossy()) {
            let path = entry.path();
            fs::remove_dir_all(&path).map_err(io_error("remove the leftover", &path))?;
        }
    }
    Ok(())
}

/// Swaps two folders in one step.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// Swaps two folders: the old one aside, the new one in, the old one back
/// to the staging name (where the commit removes it). A kill between the
/// two renames leaves the old results aside, not mixed.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    let aside = a.with_extension("old");
    fs::rename(b, &aside)?;
    fs::rename(a, b)?;
    fs::rename(&aside, a)
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    fs::copy(target, link).map(|_| ())
}
