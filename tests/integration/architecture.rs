//! The layering of the library, checked on its source: each top-level
//! module may use only the modules below it (docs/ARCHITECTURE.md), and
//! the exact solver shares no code with the engine it is the reference for.

use std::collections::BTreeSet;
use std::path::Path;

/// Each top-level module and the modules it may use.
const LAYERS: [(&str, &[&str]); 16] = [
    ("model", &[]),
    ("fit", &["model"]),
    ("stats", &[]),
    ("engine", &["model", "stats"]),
    ("exact", &["model"]),
    ("scenario", &["model"]),
    ("experiment", &["engine", "model", "scenario", "stats"]),
    ("warmup", &["engine", "model", "scenario", "stats"]),
    (
        "summary",
        &[
            "engine",
            "experiment",
            "model",
            "scenario",
            "stats",
            "warmup",
        ],
    ),
    (
        "sweep",
        &[
            "engine",
            "experiment",
            "model",
            "scenario",
            "stats",
            "summary",
        ],
    ),
    (
        "attribution",
        &[
            "engine",
            "experiment",
            "model",
            "scenario",
            "stats",
            "summary",
        ],
    ),
    (
        "backtest",
        &["engine", "experiment", "fit", "model", "scenario", "stats"],
    ),
    ("shard", &["engine", "experiment", "scenario"]),
    (
        "portfolio",
        &[
            "engine",
            "experiment",
            "model",
            "scenario",
            "stats",
            "summary",
        ],
    ),
    (
        "report",
        &[
            "attribution",
            "backtest",
            "engine",
            "exact",
            "experiment",
            "fit",
            "model",
            "portfolio",
            "scenario",
            "shard",
            "stats",
            "summary",
            "sweep",
            "warmup",
        ],
    ),
    (
        "lib",
        &[
            "attribution",
            "backtest",
            "exact",
            "experiment",
            "fit",
            "portfolio",
            "scenario",
            "shard",
            "sweep",
        ],
    ),
];

/// The top-level modules `crate::x` names in the file's text.
fn uses(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            used.insert(name);
        }
    }
    used
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn library_modules_use_only_the_layers_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut checked = 0;
    for path in all {
        let relative = path.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "main" || top == "cli" {
            continue; // the binary: it may use everything
        }
        let allowed = LAYERS
            .iter()
            .find(|(name, _)| *name == top)
            .unwrap_or_else(|| panic!("{top}: a new top-level module; add it to LAYERS"))
            .1;
        let text = std::fs::read_to_string(&path).unwrap();
        for used in uses(&text) {
            assert!(
                used == top || allowed.contains(&used.as_str()),
                "{}: uses crate::{used}, which the layer {top} may not",
                relative.display()
            );
        }
        checked += 1;
    }
    assert!(checked > 30, "only {checked} files found");
}

#[test]
fn the_library_exports_no_command_line() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    assert!(
        !lib.contains("mod cli"),
        "the command line lives in the binary"
    );
}
