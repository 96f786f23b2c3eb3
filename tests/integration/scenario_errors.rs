//! Bad scenario files get messages naming file, line:column, key path and
//! what was expected; every mistake of a file is reported.

use crate::common::{errors, scenario};

const GOOD: &str = r#"[scenario]
name = "e"
horizon = "8h"

[[products]]
name = "p"
route = ["A", "B"]

[[stations]]
name = "A"
process = 1.0

[[stations]]
name = "B"
buffer = 2
process = { dist = "exponential", mean = 1.0 }
"#;

/// Replaces `from` in the good scenario by `to` and checks the message.
fn check(from: &str, to: &str, expected: &[&str]) {
    assert!(GOOD.contains(from), "fixture lacks {from:?}");
    let text = GOOD.replacen(from, to, 1);
    let message = errors(&text);
    for e in expected {
        assert!(message.contains(e), "expected {e:?} in:\n{message}");
    }
}

#[test]
fn the_fixture_is_valid() {
    let s = scenario(GOOD);
    assert_eq!(s.variants.len(), 1);
    assert_eq!(s.baseline().horizon_min, 480.0);
}

#[test]
fn negative_buffer() {
    check(
        "buffer = 2",
        "buffer = -3",
        &["test.toml:15:10: stations[1].buffer: expected an integer >= 0 or \"inf\", got -3"],
    );
}

#[test]
fn misspelt_key_gets_a_suggestion() {
    check(
        "buffer = 2",
        "bufer = 2",
        &["test.toml:15:1: stations[1].bufer: unknown key \"bufer\" (did you mean \"buffer\"?)"],
    );
}

#[test]
fn unknown_station_in_route() {
    check(
        "route = [\"A\", \"B\"]",
        "route = [\"A\", \"C\", \"b\"]",
        &[
            "products[0].route[1]: unknown station \"C\"",
            "test.toml:7:20: products[0].route[2]: unknown station \"b\" (did you mean \"B\"?)",
        ],
    );
}

#[test]
fn empty_route() {
    check(
        "route = [\"A\", \"B\"]",
        "route = []",
        &["products[0].route: a route needs at least one station"],
    );
}

#[test]
fn probabilities_and_means() {
    check(
        "process = 1.0",
        "process = 1.0\nscrap = 1.5",
        &["stations[0].scrap: expected a probability from 0 to 1, got 1.5"],
    );
    check(
        "mean = 1.0 }",
        "mean = 0 }",
        &["stations[1].process.mean: expected a positive duration, got 0"],
    );
    check(
        "mean = 1.0 }",
        "mean = -2 }",
        &["stations[1].process.mean: expected a positive duration, got -2"],
    );
    check(
        "dist = \"exponential\", mean = 1.0",
        "dist = \"lognormal\", mean = 1.0, cv = -1",
        &["stations[1].process.cv: expected a cv >= 0, got -1"],
    );
    check(
        "dist = \"exponential\", mean = 1.0",
        "dist = \"uniform\", min = 3, max = 1",
        &["stations[1].process: min (3 min) is greater than max (1 min)"],
    );
    check(
        "dist = \"exponential\"",
        "dist = \"exponental\"",
        &["unknown distribution \"exponental\" (did you mean \"exponential\"?)"],
    );
}

#[test]
fn scrap_plus_rework_above_one() {
    check(
        "buffer = 2\n",
        "buffer = 2\nscrap = 0.6\nrework = { prob = 0.5, to = \"A\" }\n",
        &["stations[1].rework.prob: scrap (0.6) + rework (0.5) exceed 1 for product \"p\""],
    );
}

#[test]
fn rework_target_must_be_upstream_on_the_route() {
    check("process = 1.0", "process = 1.0\nbuffer = 1\nrework = { prob = 0.1, to = \"B\" }", &["stations[0].rework.to: station \"B\" is not on the route of product \"p\" at or before station \"A\""]);
}

#[test]
fn horizon_and_warmup() {
    check(
        "horizon = \"8h\"",
        "horizon = 0",
        &["scenario.horizon: expected a positive duration, got 0"],
    );
    check(
        "horizon = \"8h\"",
        "horizon = \"8 hours\"",
        &["scenario.horizon: unknown time unit \"hours\""],
    );
    check(
        "horizon = \"8h\"",
        "horizon = \"8h\"\nwarmup = -1",
        &["scenario.warmup: expected a duration >= 0, got -1"],
    );
    check(
        "horizon = \"8h\"\n",
        "",
        &["scenario.horizon: missing required key \"horizon\""],
    );
}

#[test]
fn duplicate_names_and_mix() {
    check(
        "name = \"B\"",
        "name = \"A\"",
        &["stations[1].name: duplicate station name \"A\""],
    );
    check(
        "name = \"p\"",
        "name = \"p\"\nmix = 0",
        &["products[0].mix: expected a positive mix share, got 0"],
    );
}

#[test]
fn buffer_is_required_inside_the_line() {
    check(
        "buffer = 2\n",
        "",
        &["stations[1].buffer: missing required key \"buffer\""],
    );
}

#[test]
fn process_feature_keys_are_checked() {
    check(
        "process = 1.0",
        "process = 1.0\nbuffer = 4\nbatch = { size = 0 }",
        &["stations[0].batch.size: expected an integer from 1 to 1000000, got 0"],
    );
    check(
        "process = 1.0",
        "process = 1.0\nbuffer = 4\nbatch = { size = 5, min = 6 }",
        &["stations[0].batch.min: expected an integer from 1 to 5, got 6"],
    );
    check(
        "buffer = 2\n",
        "buffer = 2\nbatch = { size = 10, min = 4, max_wait = 30 }\n",
        &["stations[1].batch: the buffer (2) must hold at least batch.min (4) parts"],
    );
    check(
        "buffer = 2\n",
        "buffer = 2\nbatch = { size = 10, min = 2 }\n",
        &["stations[1].batch: a full batch of 10 can never gather in a buffer of 2"],
    );
    check(
        "buffer = 2\n",
        "buffer = 2\nbatch = { size = 2, max_wait = 0 }\n",
        &["stations[1].batch.max_wait: expected a positive duration"],
    );
    check(
        "process = 1.0",
        "process = 1.0\nsetup = { time = 5, on = \"sometimes\" }",
        &["stations[0].setup.on: expected \"product_change\" or \"every\", got \"sometimes\""],
    );
    check(
        "process = 1.0",
        "process = 1.0\nsetup = { time = 5, on = \"every\" }",
        &["stations[0].setup.every: missing required key \"every\""],
    );
    check(
        "process = 1.0",
        "process = 1.0\nsetup = { tme = 5 }",
        &["stations[0].setup.tme: unknown key \"tme\" (did you mean \"time\"?)"],
    );
    check(
        "process = 1.0",
        "process = 1.0\noperators = { pool = \"crew\" }",
        &["stations[0].operators.pool: unknown pool \"crew\""],
    );
    check(
        "process = 1.0",
        "process = 1.0\ntransfer = -1",
        &["stations[0].transfer: expected a duration >= 0, got -1"],
    );
    check(
        "process = 1.0",
        "process = 1.0\nenergy = { busy_kw = -5, idle_kw = 1 }",
        &["stations[0].energy.busy_kw: expected a number >= 0, got -5"],
    );
    check(
        "process = 1.0",
        "process = 1.0\nenergy = { busy_kw = 5 }",
        &["stations[0].energy.idle_kw: missing required key \"idle_kw\""],
    );
}

#[test]
fn pools_and_energy_factors_are_checked() {
    let with = |pool: &str| format!("{GOOD}\n[[pools]]\n{pool}\n");
    let message = errors(&with("name = \"crew\"\nsize = 0"));
    assert!(
        message.contains("pools[0].size: expected an integer from 1 to 1000000, got 0"),
        "{message}"
    );
    let message = errors(&with("name = \"crew\"\nsize = 2\nshifts = [ { days = \"mon-fry\", start = \"06:00\", end = \"14:00\" } ]"));
    assert!(
        message.contains("pools[0].shifts[0].days: unknown day \"fry\" (did you mean \"fri\"?)"),
        "{message}"
    );
    let message = errors(&with("name = \"crew\"\nsize = 2\nshifts = [ { days = \"mon\", start = \"6h\", end = \"25:00\" } ]"));
    assert!(
        message.contains("pools[0].shifts[0].start: expected a time of day \"HH:MM\""),
        "{message}"
    );
    assert!(
        message.contains("pools[0].shifts[0].end: expected a time of day"),
        "{message}"
    );
    let message = errors(&with("name = \"crew\"\nsize = 2\nshifts = []"));
    assert!(
        message.contains("pools[0].shifts: a pool needs at least one shift"),
        "{message}"
    );
    let text = format!("{GOOD}\n[[pools]]\nname = \"crew\"\nsize = 1\n").replacen(
        "process = 1.0",
        "process = 1.0\noperators = { pool = \"crew\", count = 2 }",
        1,
    );
    let message = errors(&text);
    assert!(
        message.contains(
            "stations[0].operators.count: needs 2 operators but pool \"crew\" has only 1"
        ),
        "{message}"
    );
    let message = errors(&format!("{GOOD}\n[energy]\nco2_kg_per_kwh = -1\n"));
    assert!(
        message.contains("energy.co2_kg_per_kwh: expected a number >= 0, got -1"),
        "{message}"
    );
}

#[test]
fn changes_can_patch_pools_and_add_them() {
    let text = format!(
        "{GOOD}\n[[pools]]\nname = \"crew\"\nsize = 1\n\n[[changes]]\nname = \"c\"\npools.crew = {{ size = 3 }}\nnew_pools = [ {{ name = \"robots\", size = 2 }} ]\nstations.A = {{ operators = {{ pool = \"robots\", count = 2 }} }}\n"
    );
    let s = scenario(&text);
    let model = &s.variants[1].model;
    assert_eq!(model.pools[0].size, 3);
    assert_eq!(model.pools[1].name, "robots");
    assert_eq!(model.stations[0].operators.unwrap().pool, 1);
    let message = errors(&text.replace("pools.crew", "pools.crow"));
    assert!(
        message.contains("changes[0].pools.crow: unknown pool \"crow\" (did you mean \"crew\"?)"),
        "{message}"
    );
}

#[test]
fn changes_and_variants_are_checked() {
    let text = format!(
        "{GOOD}\n[[changes]]\nname = \"c\"\nstations.X = {{ machines = 2 }}\nstations.B = {{ scrap = 2 }}\n\n[[variants]]\nname = \"v\"\nchanges = [\"c\", \"d\"]\n"
    );
    let message = errors(&text);
    assert!(
        message.contains("changes[0].stations.X: unknown station \"X\""),
        "{message}"
    );
    assert!(
        message.contains(
            "stations[1].scrap: expected a probability from 0 to 1, got 2 (in variant \"v\")"
        ) || message.contains("variants[0].changes[1]: unknown change \"d\""),
        "{message}"
    );
    assert!(
        message.contains("variants[0].changes[1]: unknown change \"d\""),
        "{message}"
    );
}

#[test]
fn a_patch_error_points_at_the_patch() {
    let text = format!("{GOOD}\n[[changes]]\nname = \"c\"\nstations.B = {{ scrap = 2 }}\n");
    let message = errors(&text);
    let line = text.lines().position(|l| l.contains("scrap = 2")).unwrap() + 1;
    assert!(message.contains(&format!("test.toml:{line}:")), "{message}");
    assert!(message.contains("(in variant \"automated\")"), "{message}");
}

#[test]
fn every_mistake_is_reported() {
    let text = GOOD
        .replacen("buffer = 2", "buffer = -1", 1)
        .replacen("process = 1.0", "process = 1.0\nmachnes = 2", 1)
        .replacen("horizon = \"8h\"", "horizon = -5", 1);
    let message = errors(&text);
    assert!(message.contains("3 errors in scenario"), "{message}");
}

#[test]
fn invalid_toml_has_a_position() {
    let message = errors("[scenario\nname = 1");
    assert!(message.starts_with("error: test.toml:1:"), "{message}");
    assert!(message.contains("invalid TOML"), "{message}");
}
