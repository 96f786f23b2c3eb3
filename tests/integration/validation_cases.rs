//! The validation cases: simulation against the exact Markov chain, the
//! exact chain against closed forms, simulation against closed forms, and
//! Little's law. Shared by the test suite (which asserts every row) and by
//! `cargo run --release --example validation`, which writes docs/VALIDATION.md.

use alloysim::exact::{solve_model, ExactVariant};
use alloysim::experiment;
use alloysim::scenario::Scenario;
use alloysim::stats::{self, Estimate};
use std::path::Path;

/// One checked figure.
pub struct Row {
    pub case: String,
    pub check: &'static str,
    pub figure: &'static str,
    /// Exact or closed-form value.
    pub reference: f64,
    pub estimate: f64,
    /// 95 % CI of a simulated estimate.
    pub ci95: Option<(f64, f64)>,
    /// Whether the check passes: relative error below 1 % and, for simulated
    /// figures, the reference inside the 99.9 % CI (the suite makes dozens of
    /// interval checks; at 95 % one or two would miss by chance).
    pub pass: bool,
}

impl Row {
    pub fn relative_error(&self) -> f64 {
        (self.estimate - self.reference) / self.reference
    }

    pub fn inside_ci95(&self) -> Option<bool> {
        self.ci95
            .map(|(l, h)| l <= self.reference && self.reference <= h)
    }
}

fn scenario(text: &str) -> Scenario {
    Scenario::from_text(text, "validation.toml", Path::new(".")).expect("validation case loads")
}

fn widened(estimate: &Estimate, replications: usize) -> (f64, f64) {
    let half = estimate.half_width().unwrap() * stats::t_quantile(0.9995, replications - 1)
        / stats::t_quantile_975(replications - 1);
    (estimate.mean - half, estimate.mean + half)
}

/// A simulated figure: passes inside the 99.9 % interval, and (`strict`)
/// with a relative error below 1 %. Throughput is strict; WIP is not (near
/// saturation its replication means are too noisy for 1 % at this length).
fn simulated_row(
    case: &str,
    check: &'static str,
    figure: &'static str,
    reference: f64,
    values: &[f64],
    strict: bool,
) -> Row {
    let estimate = stats::estimate(values);
    let (low, high) = widened(&estimate, values.len());
    let close = ((estimate.mean - reference) / reference).abs() < 0.01;
    Row {
        case: case.to_owned(),
        check,
        figure,
        reference,
        estimate: estimate.mean,
        ci95: estimate.ci95_low.zip(estimate.ci95_high),
        pass: low <= reference && reference <= high && (close || !strict),
    }
}

fn exact_row(case: &str, figure: &'static str, reference: f64, exact: f64) -> Row {
    Row {
        case: case.to_owned(),
        check: "exact vs closed form",
        figure,
        reference,
        estimate: exact,
        ci95: None,
        pass: ((exact - reference) / reference).abs() < 1e-6,
    }
}

fn header(name: &str, horizon: &str, replications: u32, source: &str) -> String {
    format!(
        "[scenario]\nname = \"{name}\"\nwarmup = \"5000min\"\nhorizon = \"{horizon}\"\nreplications = {replications}\nseed = 2024\n{source}\n"
    )
}

fn exp(mean: f64) -> String {
    format!("{{ dist = \"exponential\", mean = {mean} }}")
}

fn failures(mttf: f64, mttr: f64, basis: &str) -> String {
    format!(
        "failures = {{ ttf = {}, ttr = {}, basis = \"{basis}\" }}",
        exp(mttf),
        exp(mttr)
    )
}

/// One station of a validation line: machines, buffer (empty: left out),
/// mean processing time, failures (MTTF, MTTR, basis) and scrap.
type StationSpec<'a> = (u32, &'a str, f64, Option<(f64, f64, &'a str)>, f64);

/// A serial line of stations `S1`, `S2`, ...
fn line(name: &str, stations: &[StationSpec<'_>], source: &str) -> String {
    let route: Vec<String> = (0..stations.len())
        .map(|i| format!("\"S{}\"", i + 1))
        .collect();
    let mut text = header(name, "200000min", 12, source);
    text += &format!(
        "[[products]]\nname = \"p\"\nroute = [{}]\n",
        route.join(", ")
    );
    for (i, (machines, buffer, mean, fail, scrap)) in stations.iter().enumerate() {
        text += &format!(
            "[[stations]]\nname = \"S{}\"\nmachines = {machines}\nprocess = {}\nscrap = {scrap}\n",
            i + 1,
            exp(*mean)
        );
        if i > 0 || !buffer.is_empty() {
            text += &format!("buffer = {buffer}\n");
        }
        if let Some((mttf, mttr, basis)) = fail {
            text += &failures(*mttf, *mttr, basis);
            text.push('\n');
        }
    }
    text
}

/// The Markovian lines simulated and solved exactly.
pub fn markov_lines() -> Vec<(String, String)> {
    let poisson =
        "[source]\nmode = \"interarrival\"\ninterarrival = { dist = \"exponential\", mean = 1.25 }";
    vec![
        ("2 stations, buffer 0".into(), line("v1", &[(1, "", 1.0, None, 0.0), (1, "0", 0.8, None, 0.0)], "")),
        ("2 stations, buffer 1, bottleneck first".into(), line("v2", &[(1, "", 1.2, None, 0.0), (1, "1", 1.0, None, 0.0)], "")),
        ("3 stations, buffers 5, scrap, bottleneck in the middle".into(), line("v3", &[(1, "", 0.8, None, 0.03), (1, "5", 1.0, None, 0.0), (1, "5", 0.7, None, 0.02)], "")),
        ("4 stations, buffers 20, bottleneck last".into(), line("v4", &[(1, "", 0.8, None, 0.0), (1, "20", 0.85, None, 0.0), (1, "20", 0.8, None, 0.0), (1, "20", 1.0, None, 0.0)], "")),
        ("Poisson source, unbounded buffers (Jackson tandem)".into(), line("v5", &[(1, "\"inf\"", 1.0, None, 0.0), (1, "\"inf\"", 0.9, None, 0.0)], poisson)),
        ("3 stations, 3 parallel machines in the middle".into(), line("v6", &[(1, "", 1.0, None, 0.0), (3, "2", 2.8, None, 0.0), (1, "2", 0.9, None, 0.0)], "")),
        ("3 stations, operating-basis failures".into(), line("v7", &[(1, "", 1.0, Some((90.0, 10.0, "operating")), 0.0), (1, "3", 0.9, Some((120.0, 8.0, "operating")), 0.0), (1, "3", 0.95, Some((60.0, 5.0, "operating")), 0.0)], "")),
        ("3 stations, calendar-basis failures".into(), line("v8", &[(1, "", 1.0, Some((200.0, 20.0, "calendar")), 0.0), (1, "3", 0.9, Some((150.0, 15.0, "calendar")), 0.0), (1, "3", 0.8, Some((100.0, 10.0, "calendar")), 0.0)], "")),
        ("2 stations, heavy failures (availability 0.7), buffer 5".into(), line("v9", &[(1, "", 1.0, Some((70.0, 30.0, "operating")), 0.0), (1, "5", 0.9, Some((35.0, 15.0, "calendar")), 0.0)], "")),
        ("5 stations, mixed: failures, scrap, parallel machines, buffers 0/1/5/2".into(), line("v10", &[(1, "", 1.0, Some((100.0, 5.0, "operating")), 0.01), (1, "0", 0.9, None, 0.0), (2, "1", 1.9, Some((150.0, 10.0, "operating")), 0.02), (1, "5", 0.95, Some((80.0, 6.0, "calendar")), 0.0), (1, "2", 0.8, None, 0.01)], "")),
        ("2 stations, bottleneck first with failures".into(), line("v11", &[(1, "", 1.0, Some((50.0, 10.0, "operating")), 0.0), (2, "2", 1.5, None, 0.0)], "")),
        ("Poisson source into finite buffers (release queue)".into(), line("v12", &[(1, "2", 1.0, None, 0.0), (1, "1", 0.9, None, 0.0)], "[source]\nmode = \"interarrival\"\ninterarrival = { dist = \"exponential\", mean = 1.6 }")),
    ]
}

/// Simulation against the exact chain, and Little's law, for every line.
pub fn simulation_vs_exact() -> Vec<Row> {
    let mut rows = Vec::new();
    for (case, text) in markov_lines() {
        let s = scenario(&text);
        let exact: ExactVariant = solve_model(&s.variants[0].model, false).expect("Markovian");
        let result = experiment::run(&s, Some(2), &|| {}).expect("runs");
        let reps = &result.variants[0].replications;
        let tp: Vec<f64> = reps.iter().map(|r| r.throughput_per_h()).collect();
        rows.push(simulated_row(
            &case,
            "simulation vs exact",
            "good parts/h",
            exact.throughput_per_h,
            &tp,
            true,
        ));
        let wip: Vec<f64> = reps.iter().map(|r| r.wip_mean).collect();
        rows.push(simulated_row(
            &case,
            "simulation vs exact",
            "WIP",
            exact.wip_mean,
            &wip,
            false,
        ));
        // Little's law on the simulation itself: L = throughput x W.
        if s.variants[0]
            .model
            .stations
            .iter()
            .all(|st| st.scrap.iter().all(|&p| p == 0.0))
        {
            let little: Vec<f64> = reps
                .iter()
                .map(|r| r.throughput_per_h() / 60.0 * r.lead_time_mean_min() / r.wip_mean)
                .collect();
            let e = stats::estimate(&little);
            rows.push(Row {
                case: case.clone(),
                check: "Little's law (simulation)",
                figure: "λW / L",
                reference: 1.0,
                estimate: e.mean,
                ci95: None,
                pass: (e.mean - 1.0).abs() < 0.01,
            });
        }
    }
    rows
}

/// Erlang C: probability of waiting in an M/M/c queue with offered load a.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / f64::from(c);
    let (mut term, mut sum) = (1.0, 0.0);
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        sum += term;
    }
    let last = term * a / f64::from(c) / (1.0 - rho);
    last / (sum + last)
}

/// The exact chain against closed forms.
pub fn exact_vs_closed_forms() -> Vec<Row> {
    let mut rows = Vec::new();
    let single = |c: u32, lambda: f64| {
        let text = format!(
            "{}[[products]]\nname = \"p\"\nroute = [\"S\"]\n[[stations]]\nname = \"S\"\nmachines = {c}\nbuffer = \"inf\"\nprocess = {}\n",
            header("q", "1000min", 2, &format!("[source]\nmode = \"interarrival\"\ninterarrival = {}", exp(1.0 / lambda))),
            exp(1.0)
        );
        solve_model(&scenario(&text).variants[0].model, false).expect("Markovian")
    };
    // M/M/1, lambda 0.8, mu 1: L = rho / (1 - rho) = 4, throughput 48/h.
    let mm1 = single(1, 0.8);
    rows.push(exact_row(
        "M/M/1, rho = 0.8",
        "WIP L = rho/(1-rho)",
        4.0,
        mm1.wip_mean,
    ));
    rows.push(exact_row(
        "M/M/1, rho = 0.8",
        "good parts/h = 60 lambda",
        48.0,
        mm1.throughput_per_h,
    ));
    rows.push(exact_row(
        "M/M/1, rho = 0.8",
        "busy share = rho",
        0.8,
        mm1.stations[0].busy,
    ));
    // M/M/3, lambda 2.4: L = C(3, 2.4) rho/(1 - rho) + a.
    let mm3 = single(3, 2.4);
    let l = erlang_c(3, 2.4) * 0.8 / 0.2 + 2.4;
    rows.push(exact_row(
        "M/M/3, rho = 0.8",
        "WIP L (Erlang C)",
        l,
        mm3.wip_mean,
    ));
    rows.push(exact_row(
        "M/M/3, rho = 0.8",
        "busy share = rho",
        0.8,
        mm3.stations[0].busy,
    ));
    // Two-station line, blocking after service, buffer B between them,
    // unlimited source: the number of parts at and in front of station 2,
    // counting one blocked at station 1, is a birth-death chain on 0..B+2
    // with rates mu1 up and mu2 down (e.g. Altiok, Performance Analysis of
    // Manufacturing Systems, 1997, two-station lines), so throughput =
    // mu2 (1 - p0) with p_n proportional to (mu1/mu2)^n.
    for (mu1, mu2, b) in [(1.0, 1.25, 0u32), (1.0, 0.8, 1), (1.2, 1.0, 3)] {
        let text = format!(
            "{}[[products]]\nname = \"p\"\nroute = [\"A\", \"B\"]\n[[stations]]\nname = \"A\"\nprocess = {}\n[[stations]]\nname = \"B\"\nbuffer = {b}\nprocess = {}\n",
            header("bas", "1000min", 2, ""),
            exp(1.0 / mu1),
            exp(1.0 / mu2)
        );
        let exact = solve_model(&scenario(&text).variants[0].model, false).expect("Markovian");
        let r: f64 = mu1 / mu2;
        let n = b + 2;
        let norm: f64 = (0..=n).map(|k| r.powi(k as i32)).sum();
        let throughput = mu2 * (1.0 - 1.0 / norm) * 60.0;
        rows.push(exact_row(
            &format!("2-station BAS line, mu1 = {mu1}, mu2 = {mu2}, buffer {b}"),
            "good parts/h (birth-death)",
            throughput,
            exact.throughput_per_h,
        ));
    }
    // Jackson tandem: Poisson 0.8 into exponential stations 1.0 and 0.9 with
    // unbounded buffers: L = sum rho_i / (1 - rho_i).
    let (case, text) = &markov_lines()[4];
    let exact = solve_model(&scenario(text).variants[0].model, false).expect("Markovian");
    let l = 0.8 / 0.2 + 0.72 / 0.28;
    rows.push(Row {
        pass: ((exact.wip_mean - l) / l).abs() < 1e-4,
        ..exact_row(
            case,
            "WIP L = sum rho/(1-rho) (truncated chain)",
            l,
            exact.wip_mean,
        )
    });
    rows
}

/// Simulation against Pollaczek-Khinchine for M/G/1 (lambda 0.8, E[S] 1):
/// W = E[S] + lambda E[S^2] / (2 (1 - rho)).
pub fn simulation_vs_pollaczek_khinchine() -> Vec<Row> {
    let cases = [
        ("M/D/1", "1.0", 1.0),
        (
            "M/U/1, uniform 0.5-1.5",
            "{ dist = \"uniform\", min = 0.5, max = 1.5 }",
            1.0 + 1.0 / 12.0,
        ),
        (
            "M/LN/1, lognormal cv 0.5",
            "{ dist = \"lognormal\", mean = 1.0, cv = 0.5 }",
            1.25,
        ),
    ];
    let mut rows = Vec::new();
    for (case, service, second_moment) in cases {
        let text = format!(
            "{}[[products]]\nname = \"p\"\nroute = [\"S\"]\n[[stations]]\nname = \"S\"\nbuffer = \"inf\"\nprocess = {service}\n",
            header("mg1", "300000min", 12, &format!("[source]\nmode = \"interarrival\"\ninterarrival = {}", exp(1.25)))
        );
        let w = 1.0 + 0.8 * second_moment / (2.0 * 0.2);
        let result = experiment::run(&scenario(&text), Some(2), &|| {}).expect("runs");
        let values: Vec<f64> = result.variants[0]
            .replications
            .iter()
            .map(|r| r.lead_time_mean_min())
            .collect();
        rows.push(simulated_row(
            case,
            "simulation vs Pollaczek-Khinchine",
            "time in system W (min)",
            w,
            &values,
            true,
        ));
    }
    rows
}

/// Every row of the suite (the example's entry point).
#[allow(dead_code)]
pub fn all_rows() -> Vec<Row> {
    let mut rows = exact_vs_closed_forms();
    rows.extend(simulation_vs_exact());
    rows.extend(simulation_vs_pollaczek_khinchine());
    rows
}

/// The rows as the Markdown table of docs/VALIDATION.md.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from("| case | check | figure | reference | alloysim | 95 % CI | relative error | pass |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for r in rows {
        let ci = match r.ci95 {
            Some((l, h)) => format!(
                "[{l:.4}, {h:.4}]{}",
                if r.inside_ci95() == Some(true) {
                    ""
                } else {
                    " (reference outside)"
                }
            ),
            None => "–".to_owned(),
        };
        out += &format!(
            "| {} | {} | {} | {:.4} | {:.4} | {} | {:+.3} % | {} |\n",
            r.case,
            r.check,
            r.figure,
            r.reference,
            r.estimate,
            ci,
            r.relative_error() * 100.0,
            if r.pass { "yes" } else { "NO" }
        );
    }
    out
}
