//! All-or-nothing result files: every file of a run is first written under a
//! temporary name in the destination folder, then all are renamed into
//! place. A run that fails or is interrupted before [`ResultSet::commit`]
//! leaves the previous results untouched and removes its temporary files.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Files staged for one atomic commit.
#[derive(Debug)]
pub struct ResultSet {
    dir: PathBuf,
    staged: Vec<(PathBuf, PathBuf)>,
}

impl ResultSet {
    /// Prepares to write into `dir` (created if missing).
    pub fn new(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            staged: Vec::new(),
        })
    }

    /// Writes `bytes` to a temporary file that becomes `name` on commit.
    pub fn stage(&mut self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let final_path = self.dir.join(name);
        let temp_path = self.dir.join(format!(".tmp-{}-{name}", std::process::id()));
        let mut file = fs::File::create(&temp_path)?;
        self.staged.push((temp_path, final_path));
        file.write_all(bytes)?;
        file.sync_all()?;
        Ok(())
    }

    /// A temporary path that becomes `name` on commit, for writers that
    /// need a path (the PNG encoder).
    pub fn stage_path(&mut self, name: &str) -> PathBuf {
        let final_path = self.dir.join(name);
        let temp_path = self.dir.join(format!(".tmp-{}-{name}", std::process::id()));
        self.staged.push((temp_path.clone(), final_path));
        temp_path
    }

    /// Renames every staged file into place; returns the final paths.
    pub fn commit(mut self) -> io::Result<Vec<PathBuf>> {
        let staged = std::mem::take(&mut self.staged);
        let mut written = Vec::with_capacity(staged.len());
        for (temp, target) in staged {
            fs::rename(&temp, &target)?;
            written.push(target);
        }
        Ok(written)
    }
}

impl Drop for ResultSet {
    fn drop(&mut self) {
        for (temp, _) in &self.staged {
            let _ = fs::remove_file(temp);
        }
    }
}
