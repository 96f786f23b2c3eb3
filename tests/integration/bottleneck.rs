//! The active-period bottleneck measure against numbers known without it:
//! lines computed by hand, a straightforward reference computed from the
//! whole trace of random lines, and the practical meaning of the measure
//! (one more machine helps most at the main bottleneck).

use crate::common::{run, scenario, uniforms};
use alloysim::engine::trace::{TraceRow, TraceWindow};
use alloysim::engine::{simulate, simulate_traced};
use alloysim::model::Model;

/// (sole, shifting) share of each station in replication 0.
fn shares(text: &str) -> Vec<(f64, f64)> {
    let s = scenario(text);
    let r = simulate(&s.variants[0].model, &s.run, 0);
    r.stations
        .iter()
        .map(|st| {
            (
                st.bottleneck_sole_min / r.measured_min,
                st.bottleneck_shifting_min / r.measured_min,
            )
        })
        .collect()
}

fn assert_shares(got: &[(f64, f64)], want: &[(f64, f64)]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g.0 - w.0).abs() < 1e-9 && (g.1 - w.1).abs() < 1e-9,
            "station {i}: (sole, shifting) {g:?}, by hand {w:?}; all {got:?}"
        );
    }
}

fn two_stations(a: &str, b: &str, warmup: f64, horizon: f64) -> String {
    format!(
        "[scenario]\nname = \"t\"\nwarmup = {warmup}\nhorizon = {horizon}\nreplications = 1\n\n\
         [[products]]\nname = \"p\"\nroute = [\"A\", \"B\"]\n\n\
         [[stations]]\nname = \"A\"\n{a}\n\n[[stations]]\nname = \"B\"\nbuffer = 0\n{b}\n"
    )
}

#[test]
fn the_slower_of_two_stations_without_a_buffer_is_the_sole_bottleneck() {
    // A (1 min) is busy 1 min, then blocked 1 min while B (2 min) works:
    // its periods last 1 min, inside B's single period, which runs from
    // the first part on without a break.
    let text = two_stations("process = 1.0", "process = 2.0", 100.0, 1000.0);
    assert_shares(&shares(&text), &[(0.0, 0.0), (1.0, 0.0)]);
}

#[test]
fn busy_then_down_then_busy_is_one_period() {
    // B fails every 10.3 min of processing for 2 min; A blocks behind it,
    // but B itself never stops being active: one period, sole bottleneck.
    let text = two_stations(
        "process = 1.0",
        "process = 1.0\nfailures = { ttf = 10.3, ttr = 2.0 }",
        50.0,
        1000.0,
    );
    assert_shares(&shares(&text), &[(0.0, 0.0), (1.0, 0.0)]);
}

#[test]
fn two_equal_stations_with_failures_at_known_times_by_hand() {
    // Both 1 min per part, no buffer between, 20 min from an empty line.
    // B fails after 4.3 min of processing (at 5.3 and 11.6) for 2 min, A
    // after 10.3 (at 14.3) for 5 min. By hand:
    //   A: busy 0-6, blocked 6-8 (B down with part 5), busy 8-12, blocked
    //      12-14, then busy, down 14.3-19.3, busy: periods [0,6] [8,12]
    //      [14,20].
    //   B: starved 0-1, active 1-15 (busy and down), starved 15-20 (A
    //      down): period [1,15].
    // The longest period at each instant: A [0,1], B [1,15], A [15,20];
    // bottleneck periods A [0,6], B [1,15], A [14,20]. Covered by one:
    // [0,1] A, [6,14] B, [15,20] A; by two: [1,6] and [14,15].
    //   A: sole 1 + 5 = 6, shifting 5 + 1 = 6; B: sole 8, shifting 6.
    let text = two_stations(
        "process = 1.0\nfailures = { ttf = 10.3, ttr = 5.0 }",
        "process = 1.0\nfailures = { ttf = 4.3, ttr = 2.0 }",
        0.0,
        20.0,
    );
    assert_shares(
        &shares(&text),
        &[(6.0 / 20.0, 6.0 / 20.0), (8.0 / 20.0, 6.0 / 20.0)],
    );
}

#[test]
fn two_identical_stations_that_are_never_idle_share_one_shifting_segment() {
    // Each product has its own station; with raw material always there,
    // each station is busy without a break: two identical periods.
    let text = r#"
[scenario]
name = "t"
warmup = 10
horizon = 500
replications = 1
[source]
mode = "unlimited"
[[products]]
name = "p"
route = ["A"]
[[products]]
name = "q"
route = ["B"]
[[stations]]
name = "A"
process = 1.0
[[stations]]
name = "B"
process = 1.0
"#;
    assert_shares(&shares(text), &[(0.0, 1.0), (0.0, 1.0)]);
}

// ---- the reference: the definition applied to the whole trace -------------

/// A station's active periods from a full trace (time 0 to `end`): the
/// station is active while all its machines are; an inactive spell of no
/// duration does not end a period.
fn periods(rows: &[TraceRow], machines: &[u32], end: f64) -> Vec<Vec<(f64, f64)>> {
    let n = machines.len();
    let mut active: Vec<Vec<bool>> = machines.iter().map(|&m| vec![false; m as usize]).collect();
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new(); n];
    let mut open: Vec<Option<f64>> = vec![None; n];
    let mut i = 0;
    while i < rows.len() {
        let now = rows[i].time_min;
        // Apply every change of this instant, then look at the result.
        while i < rows.len() && rows[i].time_min == now {
            let r = &rows[i];
            active[r.station as usize][r.machine as usize] = r.active;
            i += 1;
        }
        for s in 0..n {
            let is_active = active[s].iter().all(|&a| a);
            match (open[s], is_active) {
                (None, true) => {
                    // Reopen a period that ended at this same instant.
                    let start = match out[s].last() {
                        Some(&(start, e)) if e == now => {
                            out[s].pop();
                            start
                        }
                        _ => now,
                    };
                    open[s] = Some(start);
                }
                (Some(start), false) => {
                    if now > start {
                        out[s].push((start, now));
                    }
                    open[s] = None;
                }
                _ => {}
            }
        }
    }
    for s in 0..n {
        if let Some(start) = open[s] {
            if end > start {
                out[s].push((start, end));
            }
        }
    }
    out
}

/// (sole, shifting) minutes of each station over `[from, end]`, straight
/// from the definition: at each elementary interval, the stations whose
/// running period is the longest are the bottleneck; a period that is the
/// bottleneck anywhere is a bottleneck period; time covered by one
/// bottleneck period is sole, by several shifting.
fn reference(periods: &[Vec<(f64, f64)>], from: f64, end: f64) -> Vec<(f64, f64)> {
    let mut cuts: Vec<f64> = periods
        .iter()
        .flatten()
        .flat_map(|&(a, b)| [a, b])
        .chain([from, end])
        .collect();
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let n = periods.len();
    let running = |s: usize, t: f64| periods[s].iter().position(|&(a, b)| a <= t && t < b);
    let mut bottleneck: Vec<Vec<bool>> = periods.iter().map(|p| vec![false; p.len()]).collect();
    for w in cuts.windows(2) {
        let mid = (w[0] + w[1]) / 2.0;
        let now: Vec<(usize, usize)> = (0..n)
            .filter_map(|s| running(s, mid).map(|p| (s, p)))
            .collect();
        let longest = now
            .iter()
            .map(|&(s, p)| periods[s][p].1 - periods[s][p].0)
            .fold(f64::NEG_INFINITY, f64::max);
        for &(s, p) in &now {
            if periods[s][p].1 - periods[s][p].0 == longest {
                bottleneck[s][p] = true;
            }
        }
    }
    let mut out = vec![(0.0, 0.0); n];
    for w in cuts.windows(2) {
        if w[0] < from || w[1] > end {
            continue;
        }
        let mid = (w[0] + w[1]) / 2.0;
        let covering: Vec<usize> = (0..n)
            .filter(|&s| running(s, mid).is_some_and(|p| bottleneck[s][p]))
            .collect();
        let length = w[1] - w[0];
        match covering.len() {
            0 => {}
            1 => out[covering[0]].0 += length,
            _ => covering.iter().for_each(|&s| out[s].1 += length),
        }
    }
    out
}

/// A random line: up to five stations with several machines, failures on
/// either basis, batches, setups, scrap, crews with shifts, finite buffers,
/// moves between stations.
fn random_line(seed: u64) -> String {
    let mut next = uniforms(seed);
    let stations = 2 + (next() * 4.0) as usize;
    let names: Vec<String> = (0..stations).map(|i| format!("\"S{i}\"")).collect();
    let mut text = format!(
        "[scenario]\nname = \"r{seed}\"\nwarmup = 300\nhorizon = 3000\nreplications = 1\nseed = {seed}\n\n\
         [[products]]\nname = \"p\"\nroute = [{}]\n",
        names.join(", ")
    );
    for i in 0..stations {
        let machines = 1 + (next() * 2.5) as u32;
        let mean = 0.5 + next() * 1.5 * f64::from(machines);
        let mut buffer = (next() * 4.0) as u32;
        text += &format!(
            "\n[[stations]]\nname = \"S{i}\"\nmachines = {machines}\nprocess = {{ dist = \"exponential\", mean = {mean:.4} }}\n"
        );
        if next() < 0.5 {
            let basis = if next() < 0.5 {
                "operating"
            } else {
                "calendar"
            };
            text += &format!(
                "failures = {{ ttf = {{ dist = \"exponential\", mean = {:.3} }}, ttr = {{ dist = \"exponential\", mean = {:.3} }}, basis = \"{basis}\" }}\n",
                20.0 + next() * 80.0,
                2.0 + next() * 10.0
            );
        }
        if i > 0 && next() < 0.25 {
            let size = 2 + (next() * 3.0) as u32;
            buffer = buffer.max(size);
            text += &format!(
                "batch = {{ size = {size}, min = 1, max_wait = {:.2} }}\n",
                5.0 + next() * 20.0
            );
        } else if next() < 0.2 {
            text += "setup = { time = 3.0, on = \"every\", every = 7 }\n";
        }
        text += &format!("buffer = {buffer}\n");
        if next() < 0.3 {
            text += &format!("scrap = {:.3}\n", next() * 0.05);
        }
        if next() < 0.4 {
            text += "operators = { pool = \"crew\" }\n";
        }
        if i + 1 < stations && next() < 0.3 {
            text += &format!(
                "transfer = {{ dist = \"exponential\", mean = {:.3} }}\n",
                0.5 + next() * 4.0
            );
        }
    }
    text += "\n[[pools]]\nname = \"crew\"\nsize = 2\nshifts = [ { days = \"mon-sun\", start = \"00:00\", end = \"00:20\" }, { days = \"mon-sun\", start = \"00:30\", end = \"01:00\" }, { days = \"mon-sun\", start = \"01:10\", end = \"23:40\" } ]\n";
    text
}

/// The on-the-fly figures of replication 0 and the reference computed
/// from its full trace agree; returns the stations with shifting time.
fn compare(model: &Model, run: &alloysim::model::RunSettings) -> usize {
    let end = run.end_min();
    let window = TraceWindow {
        from_min: 0.0,
        to_min: end,
        limit: usize::MAX,
    };
    let (result, trace) = simulate_traced(model, run, 0, window);
    assert!(trace.overflow_at_min.is_none());
    // A run with a trace takes the build with the bookkeeping of machines
    // off shift and of the trace; one without, on a line that is never
    // off shift, the build without both: the results agree to the bit.
    assert_eq!(
        serde_json::to_string(&simulate(model, run, 0)).unwrap(),
        serde_json::to_string(&result).unwrap(),
        "the run without a trace differs"
    );
    let machines: Vec<u32> = model.stations.iter().map(|s| s.machines).collect();
    let periods = periods(&trace.rows, &machines, result.end_min);
    let want = reference(&periods, run.warmup_min, result.end_min);
    for (s, (st, w)) in result.stations.iter().zip(&want).enumerate() {
        let tolerance = 1e-9 * result.end_min;
        assert!(
            (st.bottleneck_sole_min - w.0).abs() < tolerance
                && (st.bottleneck_shifting_min - w.1).abs() < tolerance,
            "station {s}: on the fly (sole {}, shifting {}), reference {w:?}",
            st.bottleneck_sole_min,
            st.bottleneck_shifting_min
        );
    }
    want.iter().filter(|w| w.1 > 0.0).count()
}

#[test]
fn the_on_the_fly_measure_equals_the_reference_on_the_whole_trace_of_random_lines() {
    let mut shifting = 0;
    for seed in 0..40 {
        let s = scenario(&random_line(seed));
        shifting += usize::from(compare(&s.variants[0].model, &s.run) >= 2);
    }
    // Not a comparison of zeros: most lines have stations taking turns.
    assert!(shifting >= 20, "{shifting} of 40 lines with shifting time");
}

#[test]
fn the_measure_equals_the_reference_on_random_lines_that_run_around_the_clock() {
    let mut shifting = 0;
    for seed in 100..130 {
        let text = random_line(seed);
        let (line, _) = text.split_once("\n[[pools]]").unwrap();
        let text = format!("{line}\n[[pools]]\nname = \"crew\"\nsize = 2\n");
        let s = scenario(&text);
        let model = &s.variants[0].model;
        assert!(model.calendar.is_none() && model.pools.iter().all(|p| p.shifts.is_none()));
        shifting += usize::from(compare(model, &s.run) >= 2);
    }
    assert!(shifting >= 15, "{shifting} of 30 lines with shifting time");
}

#[test]
fn the_on_the_fly_measure_equals_the_reference_on_the_shipped_pilot_line() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/pilot_line.toml"
    ))
    .unwrap();
    let mut s = scenario(&text);
    s.run.warmup_min = 2.0 * 24.0 * 60.0;
    s.run.horizon_min = 7.0 * 24.0 * 60.0;
    for variant in &s.variants {
        assert!(compare(&variant.model, &s.run) >= 2);
    }
}

#[test]
fn a_trace_window_keeps_the_state_at_its_start_and_the_changes_inside() {
    let s = scenario(&random_line(3));
    let model = &s.variants[0].model;
    let full = simulate_traced(
        model,
        &s.run,
        0,
        TraceWindow {
            from_min: 0.0,
            to_min: f64::INFINITY,
            limit: usize::MAX,
        },
    )
    .1;
    let (from, to) = (1000.0, 1200.0);
    let part = simulate_traced(
        model,
        &s.run,
        0,
        TraceWindow {
            from_min: from,
            to_min: to,
            limit: usize::MAX,
        },
    )
    .1;
    let machines = model.machine_count();
    // The first rows are every machine at `from`, as the full trace has it.
    for row in &part.rows[..machines] {
        let last = full
            .rows
            .iter()
            .rfind(|r| r.time_min <= from && r.station == row.station && r.machine == row.machine)
            .unwrap();
        assert_eq!(
            (row.time_min, row.state, row.active),
            (from, last.state, last.active)
        );
    }
    let inside: Vec<&TraceRow> = full
        .rows
        .iter()
        .filter(|r| r.time_min > from && r.time_min <= to)
        .collect();
    let rest: Vec<&TraceRow> = part.rows[machines..part.rows.len() - machines]
        .iter()
        .filter(|r| r.time_min > from)
        .collect();
    assert_eq!(inside, rest);
    // The last rows are every machine at `to`.
    for row in &part.rows[part.rows.len() - machines..] {
        assert_eq!(row.time_min, to);
    }
}

// ---- what the measure is for -----------------------------------------------

/// Throughput per replication of `text` with one more machine at each
/// station in turn, and the main bottleneck of the line as given.
fn one_more_machine_each(text: &str) -> (String, Vec<(String, f64, f64)>) {
    let s = scenario(text);
    let (summary, base) = run(&s, 2);
    let main = summary.variants[0].bottleneck.clone();
    let base_tp: Vec<f64> = base.variants[0]
        .replications
        .iter()
        .map(|r| r.throughput_per_h())
        .collect();
    let mut gains = Vec::new();
    for station in &s.variants[0].model.stations {
        let mut more = s.clone();
        let model = &mut more.variants[0].model;
        let st = model
            .stations
            .iter_mut()
            .find(|x| x.name == station.name)
            .unwrap();
        st.machines += 1;
        let runs = alloysim::experiment::run_models(
            &[&more.variants[0].model],
            &more.run,
            0..more.run.replications,
            Some(2),
            &|| {},
        )
        .unwrap();
        let diffs: Vec<f64> = runs[0]
            .replications
            .iter()
            .zip(&base_tp)
            .map(|(r, b)| r.throughput_per_h() - b)
            .collect();
        let e = alloysim::stats::estimate(&diffs);
        gains.push((station.name.clone(), e.mean, e.half_width().unwrap()));
    }
    (main, gains)
}

/// The main bottleneck's gain is the largest, and larger than every other
/// station's by more than the two intervals' half-widths together.
fn assert_main_bottleneck_helps_most(text: &str) {
    let (main, gains) = one_more_machine_each(text);
    let best = gains.iter().find(|g| g.0 == main).unwrap();
    for other in gains.iter().filter(|g| g.0 != main) {
        assert!(
            best.1 - best.2 > other.1 + other.2,
            "one more machine at the main bottleneck {main} gains {:.3} ± {:.3}/h, at {} {:.3} ± {:.3}/h; all {gains:?}",
            best.1,
            best.2,
            other.0,
            other.1,
            other.2
        );
    }
}

#[test]
fn one_more_machine_helps_most_at_the_main_bottleneck_of_a_line_with_failures() {
    // The busiest station (C, 0.85 min) is not the constraint: B's
    // failures (availability 80 %) make B's effective work 1.0 min a part.
    assert_main_bottleneck_helps_most(
        r#"
[scenario]
name = "t"
warmup = "10h"
horizon = "200h"
replications = 10
seed = 7
[source]
mode = "unlimited"
[[products]]
name = "p"
route = ["A", "B", "C", "D"]
[[stations]]
name = "A"
process = { dist = "exponential", mean = 0.6 }
[[stations]]
name = "B"
buffer = 4
process = { dist = "exponential", mean = 0.8 }
failures = { ttf = { dist = "exponential", mean = 40 }, ttr = { dist = "exponential", mean = 10 } }
[[stations]]
name = "C"
buffer = 4
process = { dist = "exponential", mean = 0.85 }
[[stations]]
name = "D"
buffer = 4
process = { dist = "exponential", mean = 0.7 }
"#,
    );
}

#[test]
fn one_more_machine_helps_most_at_the_main_bottleneck_of_a_line_with_a_night_crew_gap() {
    // C works fastest, but its crew is off every night: parts wait for it
    // eight hours a day, and that, not the slower B, limits the line.
    assert_main_bottleneck_helps_most(
        r#"
[scenario]
name = "t"
warmup = "2d"
horizon = "28d"
replications = 10
seed = 11
[source]
mode = "unlimited"
[[products]]
name = "p"
route = ["A", "B", "C"]
[[stations]]
name = "A"
process = { dist = "exponential", mean = 0.5 }
[[stations]]
name = "B"
buffer = 20
process = { dist = "exponential", mean = 0.9 }
[[stations]]
name = "C"
buffer = 20
machines = 1
process = { dist = "exponential", mean = 0.7 }
operators = { pool = "crew" }
[[pools]]
name = "crew"
size = 2
shifts = [ { days = "mon-sun", start = "06:00", end = "22:00" } ]
"#,
    );
}

#[test]
fn a_line_held_up_by_its_source_names_no_station_as_its_constraint() {
    // Parts arrive every 2 min on average; both stations could do one a
    // minute: each is starved most of the time, and neither may be called
    // the constraint.
    let s = scenario(
        r#"
[scenario]
name = "t"
warmup = 100
horizon = 20000
replications = 4
[source]
mode = "interarrival"
interarrival = { dist = "exponential", mean = 2.0 }
[[products]]
name = "p"
route = ["A", "B"]
[[stations]]
name = "A"
process = { dist = "exponential", mean = 0.5 }
[[stations]]
name = "B"
buffer = 5
process = { dist = "exponential", mean = 0.6 }
"#,
    );
    let (summary, _) = run(&s, 2);
    let why = &summary.variants[0].bottleneck_why;
    assert!(why.starts_with("no station constrains the line"), "{why}");
}
