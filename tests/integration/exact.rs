//! The exact solver: the chain is a valid generator, both solvers agree,
//! the figures match closed forms, and simulation matches the chain on a
//! dozen lines (the validation suite of docs/VALIDATION.md).

use crate::common::scenario;
use crate::validation_cases as cases;
use alloysim::exact::{chain, line_of, solve, solve_model, solve_model_with, Progress};

fn check_rows(rows: Vec<cases::Row>) {
    let failures: Vec<String> = rows
        .iter()
        .filter(|r| !r.pass)
        .map(|r| {
            format!(
                "{} / {} / {}: reference {} vs {} ({:+.3} %), CI {:?}",
                r.case,
                r.check,
                r.figure,
                r.reference,
                r.estimate,
                r.relative_error() * 100.0,
                r.ci95
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "validation failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn exact_matches_closed_forms() {
    check_rows(cases::exact_vs_closed_forms());
}

#[test]
fn gershwin_berman_solution_is_self_consistent() {
    // The sum-of-products solution itself, before it is used as a
    // reference: the boundary system is solved exactly, flow is conserved
    // through the buffer, the known root is found, and a longer buffer
    // approaches the isolated efficiency of the slower machine.
    for (m1, m2, b) in cases::gershwin_berman_lines() {
        let gb = cases::two_machine::solve(m1, m2, b as usize + 2);
        assert!(gb.trivial_root_found);
        assert!(gb.residual < 1e-10, "residual {}", gb.residual);
        assert!((gb.production_rate - gb.production_rate_m1).abs() < 1e-10);
        let slower = (m1.mu * m1.r / (m1.r + m1.p)).min(m2.mu * m2.r / (m2.r + m2.p));
        assert!(gb.production_rate < slower);
        let long = cases::two_machine::solve(m1, m2, 4000);
        assert!(long.production_rate > gb.production_rate);
        assert!(
            (long.production_rate - slower).abs() / slower < 2e-3,
            "{} vs {slower}",
            long.production_rate
        );
    }
}

#[test]
fn simulation_matches_the_exact_chain_on_a_dozen_lines() {
    let rows = cases::simulation_vs_exact();
    assert!(rows.iter().filter(|r| r.figure == "good parts/h").count() >= 10);
    let table = cases::markdown(&rows);
    assert_eq!(table.lines().count(), rows.len() + 2);
    assert!(rows.iter().any(|r| r.inside_ci95().is_some()));
    check_rows(rows);
}

#[test]
fn simulation_matches_pollaczek_khinchine() {
    check_rows(cases::simulation_vs_pollaczek_khinchine());
}

#[test]
fn simulation_with_moves_matches_product_form_networks() {
    check_rows(cases::simulation_vs_transport());
}

#[test]
fn generator_rows_sum_to_zero_and_solvers_agree() {
    // The largest validation line that dense LU still solves.
    let (s, chain) = cases::markov_lines()
        .iter()
        .map(|(_, text)| {
            let s = scenario(text);
            let line = line_of(&s.variants[0].model).unwrap();
            let chain = chain::build(&line, 1_000_000).unwrap();
            (s, chain)
        })
        .filter(|(_, c)| c.len() <= solve::DENSE_LIMIT)
        .max_by_key(|(_, c)| c.len())
        .unwrap();
    assert!(chain.len() > 300, "{} states", chain.len());
    // Row sums: the diagonal is minus the sum of the rates out.
    let mut out = vec![0.0; chain.len()];
    for &(from, to, rate) in &chain.transitions {
        assert_ne!(from, to);
        assert!(rate > 0.0);
        out[from as usize] += rate;
    }
    for (a, b) in out.iter().zip(&chain.out_rate) {
        assert!((a - b).abs() <= 1e-12 * b.max(1.0));
    }
    let dense = solve::stationary(&chain, false).unwrap();
    let iterative = solve::stationary(&chain, true).unwrap();
    let banded = solve::banded(&chain).unwrap();
    assert_eq!(dense.method, "dense LU");
    assert_eq!(iterative.method, "Gauss-Seidel");
    assert_eq!(banded.method, "banded GTH");
    for solution in [&dense, &iterative, &banded] {
        assert!((solution.pi.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(solution.residual < solve::TOLERANCE);
    }
    for (other, tolerance) in [(&iterative, 1e-8), (&banded, 1e-12)] {
        let worst = dense
            .pi
            .iter()
            .zip(&other.pi)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < tolerance, "{} differs by {worst}", other.method);
    }
    // Every transition joins states at most a band apart, and the order
    // numbers every state once.
    let position = solve::band_order(&chain);
    let mut seen = position.clone();
    seen.sort_unstable();
    assert!(seen.iter().enumerate().all(|(i, &p)| p as usize == i));
    let a = solve_model(&s.variants[0].model, false).unwrap();
    let b = solve_model(&s.variants[0].model, true).unwrap();
    assert!((a.throughput_per_h - b.throughput_per_h).abs() < 1e-7 * a.throughput_per_h);
}

/// A long, busy queue: M/M/1 at rho = 0.993, its buffer cut at 4 000
/// parts. Sweeps alone move probability one level a sweep and took more
/// than a million sweeps; the band solves it directly, and the sweeps with
/// their aggregation over levels in a few dozen. Both give L = rho / (1 -
/// rho) to the truncation's 2e-11, and agree state by state.
#[test]
fn long_queues_are_solved_by_the_band_and_by_aggregated_sweeps() {
    let mm1 = r#"
[scenario]
name = "mm1"
horizon = 1000
replications = 2
[source]
mode = "interarrival"
interarrival = { dist = "exponential", mean = 1.0070493454179255 }
[[products]]
name = "p"
route = ["M"]
[[stations]]
name = "M"
buffer = "inf"
process = { dist = "exponential", mean = 1.0 }
"#;
    let model = &scenario(mm1).variants[0].model;
    let l = 0.993 / 0.007;
    let banded = solve_model(model, false).unwrap();
    let swept = solve_model(model, true).unwrap();
    assert_eq!(banded.method, "banded GTH");
    assert_eq!(swept.method, "Gauss-Seidel");
    assert!(swept.iterations < 1000, "{} sweeps", swept.iterations);
    for solved in [&banded, &swept] {
        assert_eq!(solved.states, 4002);
        assert!(
            ((solved.wip_mean - l) / l).abs() < 1e-9,
            "{}",
            solved.wip_mean
        );
    }
    let line = line_of(model).unwrap();
    let chain = chain::build(&line, 10_000).unwrap();
    let a = solve::banded(&chain).unwrap();
    let b = solve::stationary(&chain, true).unwrap();
    let worst =
        a.pi.iter()
            .zip(&b.pi)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
    assert!(worst < 1e-12, "{worst}");
}

/// The progress a long solve reports: the chain being built, then its
/// size, then each tenth sweep with a residual that ends below the
/// tolerance; the solution is the one without a progress display.
#[test]
fn the_solver_reports_its_progress() {
    // The validation line of the largest chain.
    let s = cases::markov_lines()
        .iter()
        .map(|(_, text)| scenario(text))
        .max_by_key(|s| {
            let line = line_of(&s.variants[0].model).unwrap();
            chain::build(&line, 1_000_000).unwrap().len()
        })
        .unwrap();
    let seen = std::cell::RefCell::new(Vec::new());
    let record = |p: Progress| seen.borrow_mut().push(p);
    let with = solve_model_with(&s.variants[0].model, true, &record).unwrap();
    let seen = seen.into_inner();
    assert!(matches!(seen[0], Progress::Building), "{seen:?}");
    let sweeps: Vec<(usize, usize, f64)> = seen[1..]
        .iter()
        .map(|p| match *p {
            Progress::Solving {
                states,
                sweeps,
                residual,
            } => (states, sweeps, residual),
            Progress::Building => panic!("built twice: {seen:?}"),
        })
        .collect();
    assert!(sweeps.iter().all(|&(states, _, _)| states == with.states));
    assert_eq!(sweeps[0].1, 0);
    assert!(sweeps.len() > 2, "{sweeps:?}");
    for (k, pair) in sweeps[1..].windows(2).enumerate() {
        assert_eq!((pair[0].1, pair[1].1), (10 * (k + 1), 10 * (k + 2)));
    }
    let last = sweeps.last().unwrap();
    assert!(
        last.2 < solve::TOLERANCE && last.1 == with.iterations,
        "{last:?}"
    );
    let without = solve_model(&s.variants[0].model, true).unwrap();
    assert_eq!(format!("{with:?}"), format!("{without:?}"));
}

#[test]
fn non_markovian_models_are_refused_with_the_reason() {
    let base = "[scenario]\nname = \"x\"\nhorizon = 100\n[[products]]\nname = \"p\"\nroute = [\"A\", \"B\"]\n[[stations]]\nname = \"A\"\nprocess = { dist = \"exponential\", mean = 1 }\n[[stations]]\nname = \"B\"\nbuffer = 2\nprocess = { dist = \"exponential\", mean = 1 }\n";
    let refuse = |text: &str, reason: &str| {
        let s = scenario(text);
        let e = solve_model(&s.variants[0].model, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains(reason), "{e}");
    };
    refuse(
        &base.replacen("{ dist = \"exponential\", mean = 1 }", "1.0", 1),
        "not exponential",
    );
    refuse(
        &base.replace("buffer = 2", "buffer = 2\nsetup = { time = 1 }"),
        "setups",
    );
    refuse(
        &base.replace("buffer = 2", "buffer = \"inf\""),
        "unbounded buffer behind the unlimited source",
    );
    refuse(&base.replace("buffer = 2", "machines = 2\nbuffer = 2\nfailures = { ttf = { dist = \"exponential\", mean = 10 }, ttr = { dist = \"exponential\", mean = 1 }, basis = \"calendar\" }"), "calendar-basis failures on several machines");
    let unstable = base
        .replace("[[products]]", "[source]\nmode = \"interarrival\"\ninterarrival = { dist = \"exponential\", mean = 0.9 }\n[[products]]")
        .replace("process = { dist = \"exponential\", mean = 1 }\n[[stations]]", "buffer = 2\nprocess = { dist = \"exponential\", mean = 1 }\n[[stations]]");
    refuse(&unstable, "cannot keep up with the arrivals");
    let big = base.replace("buffer = 2", "machines = 200\nbuffer = 60000");
    let e = solve_model(&scenario(&big).variants[0].model, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("states, more than the limit"), "{e}");
}
