//! The examples in the documentation are valid scenarios.

use crate::common::scenario;

#[test]
fn readme_example_scenario_loads() {
    let readme = include_str!("../../README.md");
    let start = readme.find("```toml\n").expect("README has a TOML example") + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let s = scenario(&readme[start..end]);
    assert_eq!(s.variants.len(), 2);
    assert_eq!(s.variants[1].name, "automated");
}

#[test]
fn shipped_scenarios_load() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            if let Err(e) = alloysim::scenario::Scenario::load(&path) {
                panic!("{}: {e}", path.display());
            }
        }
    }
}

/// docs/SCENARIOS.md is the complete reference of the file format: every
/// key the reader accepts is listed there by its key path, and every
/// distribution family with each of its parameters.
#[test]
fn the_file_format_reference_lists_every_key() {
    let reference = include_str!("../../docs/SCENARIOS.md");
    let missing: Vec<String> = alloysim::scenario::keys::paths()
        .into_iter()
        .filter(|path| !reference.contains(&format!("`{path}`")))
        .collect();
    assert!(missing.is_empty(), "not in docs/SCENARIOS.md: {missing:?}");
    for (family, parameters) in alloysim::scenario::FAMILIES {
        let row = reference
            .lines()
            .find(|l| l.starts_with(&format!("| `{family}` |")))
            .unwrap_or_else(|| panic!("no row for distribution {family}"));
        for parameter in parameters {
            assert!(
                row.contains(&format!("`{parameter}`")),
                "distribution {family}: parameter {parameter} not in its row"
            );
        }
    }
}

/// The project's documents stand on their own: none points to a contract
/// outside the repository.
#[test]
fn the_documents_cite_no_contract_outside_the_repository() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in [
        "README.md",
        "docs/SCENARIOS.md",
        "docs/ARCHITECTURE.md",
        "docs/ERRORS.md",
    ] {
        let text = std::fs::read_to_string(root.join(name)).unwrap();
        assert!(!text.contains("SPEC"), "{name} cites SPEC");
    }
}
