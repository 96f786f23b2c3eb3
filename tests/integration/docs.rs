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
