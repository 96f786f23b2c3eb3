//! Simulation against closed forms of queueing theory: M/M/1, M/M/c (Erlang
//! C) and the availability of an unreliable machine.

use crate::common::{assert_in_ci, assert_in_ci95, estimate_of, run, scenario};
use alloysim::model::MachineState;

fn single_station(source: &str, station: &str, horizon: &str, replications: u32) -> String {
    format!(
        "[scenario]\nname = \"q\"\nwarmup = \"100h\"\nhorizon = \"{horizon}\"\nreplications = {replications}\nseed = 7\n\n{source}\n\n[[products]]\nname = \"p\"\nroute = [\"S\"]\n\n[[stations]]\nname = \"S\"\n{station}\n"
    )
}

/// Erlang C: probability that an arrival waits in an M/M/c queue.
fn erlang_c(c: u32, offered_load: f64) -> f64 {
    let rho = offered_load / f64::from(c);
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= offered_load / f64::from(k);
        }
        sum += term;
    }
    let last = term * offered_load / f64::from(c) / (1.0 - rho);
    last / (sum + last)
}

#[test]
fn erlang_c_by_hand() {
    // c = 1: P(wait) = rho.
    assert!((erlang_c(1, 0.8) - 0.8).abs() < 1e-12);
    // c = 2, a = 1: P0 = 1/3, C = a^2/(2!(1-rho)) * P0 = 1/3.
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn mm1_time_in_system_and_utilisation() {
    // lambda = 0.8/min, mu = 1/min: W = 1/(mu - lambda) = 5 min, rho = 0.8,
    // L = rho/(1-rho) = 4.
    let text = single_station(
        "[source]\nmode = \"interarrival\"\ninterarrival = { dist = \"exponential\", mean = 1.25 }",
        "buffer = \"inf\"\nprocess = { dist = \"exponential\", mean = 1.0 }",
        "2000h",
        10,
    );
    let (summary, result) = run(&scenario(&text), 2);
    let lead = estimate_of(&result, 0, |r| r.lead_time_mean_min());
    assert_in_ci95("M/M/1 W", &lead, 5.0);
    let busy = estimate_of(&result, 0, |r| {
        r.stations[0].state_shares()[MachineState::Busy]
    });
    assert_in_ci95("M/M/1 utilisation", &busy, 0.8);
    let wip = estimate_of(&result, 0, |r| r.wip_mean);
    assert_in_ci("M/M/1 L", &wip, 4.0, 10);
    assert_in_ci(
        "M/M/1 throughput",
        &summary.variants[0].throughput_per_h,
        48.0,
        10,
    );
}

#[test]
fn mm3_time_in_system_and_utilisation() {
    // lambda = 2.4/min, mu = 1/min per machine, c = 3: rho = 0.8,
    // W = C(3, 2.4)/(c mu - lambda) + 1/mu.
    let w = erlang_c(3, 2.4) / (3.0 - 2.4) + 1.0;
    let text = single_station(
        "[source]\nmode = \"interarrival\"\ninterarrival = { dist = \"exponential\", mean = 0.4166666666666667 }",
        "machines = 3\nbuffer = \"inf\"\nprocess = { dist = \"exponential\", mean = 1.0 }",
        "1000h",
        10,
    );
    let (_, result) = run(&scenario(&text), 2);
    let lead = estimate_of(&result, 0, |r| r.lead_time_mean_min());
    assert_in_ci95("M/M/3 W", &lead, w);
    let busy = estimate_of(&result, 0, |r| {
        r.stations[0].state_shares()[MachineState::Busy]
    });
    assert_in_ci95("M/M/3 utilisation", &busy, 0.8);
    // Little's law on the same runs: L = lambda W.
    let wip = estimate_of(&result, 0, |r| r.wip_mean);
    assert_in_ci("M/M/3 L", &wip, 2.4 * w, 10);
}

#[test]
fn md1_pollaczek_khinchine() {
    // M/D/1, lambda = 0.8, service 1: Wq = rho/(2 mu (1 - rho)) = 2, W = 3.
    let text = single_station(
        "[source]\nmode = \"interarrival\"\ninterarrival = { dist = \"exponential\", mean = 1.25 }",
        "buffer = \"inf\"\nprocess = 1.0",
        "2000h",
        10,
    );
    let (_, result) = run(&scenario(&text), 2);
    let lead = estimate_of(&result, 0, |r| r.lead_time_mean_min());
    assert_in_ci("M/D/1 W", &lead, 3.0, 10);
}

#[test]
fn availability_of_an_isolated_machine() {
    // Unlimited source: the machine works whenever it is up.
    // Operating basis: busy = MTTF / (MTTF + MTTR) = 100 / 105.
    // Calendar basis: up share = MTTF / (MTTF + MTTR) as well, all busy.
    for basis in ["operating", "calendar"] {
        let station = format!(
            "process = {{ dist = \"exponential\", mean = 1.0 }}\nfailures = {{ ttf = {{ dist = \"exponential\", mean = 100 }}, ttr = {{ dist = \"exponential\", mean = 5 }}, basis = \"{basis}\" }}"
        );
        let text = single_station("", &station, "2000h", 10);
        let (summary, result) = run(&scenario(&text), 2);
        let busy = estimate_of(&result, 0, |r| {
            r.stations[0].state_shares()[MachineState::Busy]
        });
        assert_in_ci(&format!("{basis} availability"), &busy, 100.0 / 105.0, 10);
        let down = estimate_of(&result, 0, |r| {
            r.stations[0].state_shares()[MachineState::Down]
        });
        assert_in_ci(&format!("{basis} down share"), &down, 5.0 / 105.0, 10);
        assert_in_ci(
            &format!("{basis} throughput"),
            &summary.variants[0].throughput_per_h,
            60.0 * 100.0 / 105.0,
            10,
        );
    }
}

#[test]
fn calendar_failures_strike_idle_machines_too() {
    // M/M/1 at rho = 0.5 with calendar failures (MTTF 50, MTTR 10): the
    // machine is down 10/60 of the time whatever it does, so busy + starved
    // share 5/6, and the busy share is lambda * E[S] = 0.5.
    let text = single_station(
        "[source]\nmode = \"interarrival\"\ninterarrival = { dist = \"exponential\", mean = 2.0 }",
        "buffer = \"inf\"\nprocess = { dist = \"exponential\", mean = 1.0 }\nfailures = { ttf = { dist = \"exponential\", mean = 50 }, ttr = { dist = \"exponential\", mean = 10 }, basis = \"calendar\" }",
        "2000h",
        10,
    );
    let (_, result) = run(&scenario(&text), 2);
    let down = estimate_of(&result, 0, |r| {
        r.stations[0].state_shares()[MachineState::Down]
    });
    assert_in_ci("calendar down share", &down, 1.0 / 6.0, 10);
    let busy = estimate_of(&result, 0, |r| {
        r.stations[0].state_shares()[MachineState::Busy]
    });
    assert_in_ci("busy share", &busy, 0.5, 10);
}
