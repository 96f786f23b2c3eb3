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

/// Two M/M/1 stations with a transport between them (a Jackson network):
/// A's departures are Poisson (Burke), and a move of any length that does
/// not hold the machine keeps them Poisson (an infinite-server delay), so B
/// is an M/M/1 queue as well. lambda = 0.5/min, mu = 1/min:
/// W = 2 + move + 2 min, and B's mean queue rho²/(1 − rho) = 0.5 whatever the
/// move. A machine must never idle, reserved for a part on its way, while
/// another part waits in its buffer: that made B's queue grow with the move.
#[test]
fn jackson_network_with_transport() {
    for (transfer, mean) in [("20", 20.0), ("{ dist = \"exponential\", mean = 5 }", 5.0)] {
        let text = format!(
            "[scenario]\nname = \"q\"\nwarmup = \"50h\"\nhorizon = \"1500h\"\nreplications = 10\nseed = 7\n\n[source]\nmode = \"interarrival\"\ninterarrival = {{ dist = \"exponential\", mean = 2 }}\n\n[[products]]\nname = \"p\"\nroute = [\"A\", \"B\"]\n\n[[stations]]\nname = \"A\"\nbuffer = \"inf\"\nprocess = {{ dist = \"exponential\", mean = 1 }}\ntransfer = {transfer}\n\n[[stations]]\nname = \"B\"\nbuffer = \"inf\"\nprocess = {{ dist = \"exponential\", mean = 1 }}\n"
        );
        let (_, result) = run(&scenario(&text), 2);
        let lead = estimate_of(&result, 0, |r| r.lead_time_mean_min());
        assert_in_ci(&format!("W, move {transfer}"), &lead, 4.0 + mean, 10);
        let queue = estimate_of(&result, 0, |r| r.stations[1].buffer_mean);
        assert_in_ci(&format!("B's queue, move {transfer}"), &queue, 0.5, 10);
    }
}

/// Three M/M/c stations in series with moves between them (a Jackson
/// network): W is the sum of the M/M/c times in system and of the mean
/// move times, however many parts are on their way to a station with
/// several machines. lambda = 0.5/min.
#[test]
fn jackson_network_of_mmc_stations_with_transport() {
    let w = 1.0 / (1.0 / 1.4 - 0.5)
        + erlang_c(2, 1.5) / (2.0 / 3.0 - 0.5)
        + 3.0
        + erlang_c(3, 2.25) / (3.0 / 4.5 - 0.5)
        + 4.5
        + 3.0
        + 4.0;
    let text = "[scenario]\nname = \"q\"\nwarmup = \"50h\"\nhorizon = \"1500h\"\nreplications = 10\nseed = 11\n\n[source]\nmode = \"interarrival\"\ninterarrival = { dist = \"exponential\", mean = 2 }\n\n[[products]]\nname = \"p\"\nroute = [\"A\", \"B\", \"C\"]\n\n[[stations]]\nname = \"A\"\nbuffer = \"inf\"\nprocess = { dist = \"exponential\", mean = 1.4 }\ntransfer = { dist = \"uniform\", min = 0, max = 6 }\n\n[[stations]]\nname = \"B\"\nmachines = 2\nbuffer = \"inf\"\nprocess = { dist = \"exponential\", mean = 3 }\ntransfer = 4\n\n[[stations]]\nname = \"C\"\nmachines = 3\nbuffer = \"inf\"\nprocess = { dist = \"exponential\", mean = 4.5 }\n";
    let (_, result) = run(&scenario(text), 2);
    let lead = estimate_of(&result, 0, |r| r.lead_time_mean_min());
    assert_in_ci("W of the network", &lead, w, 10);
}

/// Throughput of a closed network of an infinite-server node and a
/// c-server exponential node holding `population` customers (product form).
fn closed_network_throughput(c: u32, population: u32, delay: f64, service: f64) -> f64 {
    let weight = |n: u32| {
        let servers: f64 = (1..=n).map(|k| f64::from(k.min(c))).product();
        delay.powi((population - n) as i32) / (1..=population - n).map(f64::from).product::<f64>()
            * service.powi(n as i32)
            / servers
    };
    let total: f64 = (0..=population).map(weight).sum();
    (0..=population)
        .map(|n| weight(n) / total * f64::from(n.min(c)) / service)
        .sum()
}

/// A feeder that always has a part ready moves parts (exponential, mean
/// 2 min) to a station of c exponential machines and a buffer of b: every
/// place there (machines and buffer slots) is always held by a part on its
/// way or at the station, so the c + b parts circulate in a closed network
/// of the move (an infinite-server delay) and the station. While a machine
/// waited for the part that had reserved it, the parts that arrived before
/// it queued (c = 1, b = 3: 45.4 parts/h, theory 50.9).
#[test]
fn moves_into_a_station_form_a_closed_network() {
    for (c, b) in [(1_u32, 3_u32), (2, 2), (3, 4), (2, 0)] {
        let service = 3.26 * f64::from(c) / 3.0;
        let per_h = 60.0 * closed_network_throughput(c, c + b, 2.0, service);
        let text = format!(
            "[scenario]\nname = \"q\"\nwarmup = 500\nhorizon = 20000\nreplications = 10\nseed = 3\n\n[[products]]\nname = \"p\"\nroute = [\"feed\", \"S\"]\n\n[[stations]]\nname = \"feed\"\nprocess = {{ dist = \"uniform\", min = 0.0005, max = 0.0015 }}\ntransfer = {{ dist = \"exponential\", mean = 2 }}\n\n[[stations]]\nname = \"S\"\nmachines = {c}\nbuffer = {b}\nprocess = {{ dist = \"exponential\", mean = {service} }}\n"
        );
        let (summary, _) = run(&scenario(&text), 2);
        assert_in_ci(
            &format!("throughput, {c} machines, buffer {b}"),
            &summary.variants[0].throughput_per_h,
            per_h,
            10,
        );
    }
}
