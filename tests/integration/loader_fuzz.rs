//! A mutation fuzzer for the scenario loader: every shipped scenario is
//! mutated at random (lines deleted, duplicated or swapped, numbers and
//! strings replaced by extreme values, text truncated, garbage inserted, key
//! letters flipped) and loaded. The loader must never panic and never take
//! long: it returns a scenario or diagnostics. The test runs a few thousand
//! inputs; `cargo run --release --example fuzz_loader -- N` runs N.

use alloysim::scenario::Scenario;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::path::Path;
use std::time::{Duration, Instant};

const NUMBERS: [&str; 19] = [
    "-1",
    "0",
    "1e308",
    "-1e308",
    "1e-308",
    "nan",
    "inf",
    "-inf",
    "99999999999999999999",
    "0.5",
    "\"x\"",
    "\"1e400d\"",
    "\"-5min\"",
    "4294967296",
    "1e-300",
    "[]",
    "1e-200",
    "\"1e306d\"",
    "{ dist = \"gamma\", mean = 1e300, cv = 1e-200 }",
];
const STRINGS: [&str; 9] = [
    "\"\"",
    "\"inf\"",
    "\"a b\"",
    "\"ü\"",
    "\"24:00\"",
    "\"00:00\"",
    "\"mon-sun\"",
    "\"fri-mon\"",
    "{}",
];

/// The shipped scenarios and benchmark models, the seeds of the mutations.
pub fn seeds() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["scenarios", "benches/models"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            out.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    out
}

/// One random mutation of `text`.
pub fn mutate(text: &str, rng: &mut Xoshiro256PlusPlus) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        return String::new();
    }
    let pick = |rng: &mut Xoshiro256PlusPlus, n: usize| rng.random_range(0..n.max(1));
    match rng.random_range(0..9) {
        0 => {
            let i = pick(rng, lines.len());
            lines.remove(i);
        }
        1 => {
            let i = pick(rng, lines.len());
            let line = lines[i].clone();
            lines.insert(i, line);
        }
        2 | 3 => {
            // Replace the value after an '=' by an extreme one.
            let i = pick(rng, lines.len());
            if let Some(eq) = lines[i].find('=') {
                let value = if rng.random_bool(0.7) {
                    NUMBERS[pick(rng, NUMBERS.len())]
                } else {
                    STRINGS[pick(rng, STRINGS.len())]
                };
                lines[i] = format!("{}= {value}", &lines[i][..eq]);
            }
        }
        4 => {
            let (a, b) = (pick(rng, lines.len()), pick(rng, lines.len()));
            lines.swap(a, b);
        }
        5 => {
            let joined = lines.join("\n");
            let mut cut = pick(rng, joined.len());
            while !joined.is_char_boundary(cut) {
                cut -= 1;
            }
            return joined[..cut].to_owned();
        }
        6 => {
            let i = pick(rng, lines.len());
            let garbage =
                ["[", "]", "{", "\"", "=", "[[", "#", "\u{0}", "\\", "é", ","][pick(rng, 11)];
            let at = pick(rng, lines[i].len() + 1).min(lines[i].len());
            if lines[i].is_char_boundary(at) {
                lines[i].insert_str(at, garbage);
            }
        }
        7 => {
            // Flip a letter of a key.
            let i = pick(rng, lines.len());
            if let Some(eq) = lines[i].find('=') {
                let key: Vec<char> = lines[i][..eq].chars().collect();
                if !key.is_empty() {
                    let mut key = key;
                    let k = pick(rng, key.len());
                    key[k] = (b'a' + rng.random_range(0..26u8)) as char;
                    lines[i] =
                        format!("{}{}", key.into_iter().collect::<String>(), &lines[i][eq..]);
                }
            }
        }
        _ => {
            // Duplicate a whole table header block start (duplicate names).
            let headers: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].starts_with("[["))
                .collect();
            if !headers.is_empty() {
                let i = headers[pick(rng, headers.len())];
                let block: Vec<String> = lines[i..].iter().take(4).cloned().collect();
                for (k, line) in block.into_iter().enumerate() {
                    lines.insert(i + k, line);
                }
            }
        }
    }
    lines.join("\n")
}

/// Loads `count` mutated inputs (each mutated 1-4 times); returns the number
/// loaded without error and the slowest load.
pub fn fuzz(count: usize, seed: u64) -> (usize, Duration) {
    let seeds = seeds();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (mut accepted, mut slowest) = (0, Duration::ZERO);
    for _ in 0..count {
        let (_, text) = &seeds[rng.random_range(0..seeds.len())];
        let mut input = text.clone();
        for _ in 0..rng.random_range(1..=4) {
            input = mutate(&input, &mut rng);
        }
        let start = Instant::now();
        let result = Scenario::from_text(&input, "fuzz.toml", Path::new("scenarios"));
        slowest = slowest.max(start.elapsed());
        if let Err(e) = &result {
            assert!(
                e.to_string().contains("fuzz.toml:"),
                "a message without a position:\n{e}\n--- input:\n{input}"
            );
        } else {
            accepted += 1;
        }
    }
    (accepted, slowest)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_loader_survives_mutated_scenarios() {
        let (accepted, slowest) = super::fuzz(3000, 20261128);
        assert!(
            accepted > 100,
            "mutations should not all be fatal ({accepted} accepted)"
        );
        assert!(
            slowest < std::time::Duration::from_secs(1),
            "slowest load {slowest:?}"
        );
    }
}
