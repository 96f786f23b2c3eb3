//! Writes the synthetic plant data of the worked example (docs and README,
//! "From shop-floor data to a trusted baseline") under `scenarios/data/`:
//! an MES export of die-casting cycle times, a downtime log of the two
//! casting cells, and the line's daily output over four weeks with the
//! casting cells' down share and the X-ray's busy share of each day. They are
//! drawn from the pilot line's own assumptions (with seeds of their own),
//! so fitting them recovers the scenario's distributions and the back-test
//! agrees:
//!
//! `cargo run --release --example plant_data`

use alloysim::engine::simulate_daily_until;
use alloysim::model::MachineState;
use alloysim::scenario::Scenario;
use rand::SeedableRng;
use rand_distr::Distribution;
use std::fmt::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;

fn main() -> anyhow::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data");
    std::fs::create_dir_all(&dir)?;
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(20270104);
    // Cycle times: log-normal, mean 75 s, cv 10 % (the manual cells).
    let sigma2: f64 = (1.0f64 + 0.01).ln();
    let cycle = rand_distr::LogNormal::new(75f64.ln() - sigma2 / 2.0, sigma2.sqrt())?;
    let mut text = "timestamp,cell,cycle_s\n".to_owned();
    let mut t = 6.0 * 3600.0; // Monday 06:00, seconds
    for i in 0..600 {
        let c: f64 = cycle.sample(&mut rng);
        t += c;
        let (day, rest) = ((t / 86400.0) as u32, t % 86400.0);
        let _ = writeln!(
            text,
            "2027-01-{:02}T{:02}:{:02}:{:02},cell{},{c:.1}",
            4 + day,
            (rest / 3600.0) as u32,
            (rest % 3600.0 / 60.0) as u32,
            (rest % 60.0) as u32,
            1 + i % 2
        );
    }
    std::fs::write(dir.join("die_cast_cycles.csv"), text)?;
    // Downtime log: up times exponential with mean 8 h, repairs log-normal
    // with mean 2 h and cv 0.8, eight weeks of two cells, in minutes.
    let up = rand_distr::Exp::new(1.0 / 480.0)?;
    let s2: f64 = (1.0f64 + 0.64).ln();
    let repair = rand_distr::LogNormal::new(120f64.ln() - s2 / 2.0, s2.sqrt())?;
    let mut text = "machine,start,end,reason\n".to_owned();
    let end_of_log = 8.0 * 7.0 * 1440.0;
    for cell in ["cell1", "cell2"] {
        let mut t = 0.0;
        loop {
            t += up.sample(&mut rng);
            let r: f64 = repair.sample(&mut rng);
            if t + r > end_of_log {
                break;
            }
            let reason = if r > 180.0 { "die" } else { "sticking" };
            let _ = writeln!(text, "{cell},{t:.1},{:.1},{reason}", t + r);
            t += r;
        }
    }
    std::fs::write(dir.join("die_cast_downtime.csv"), text)?;
    // Daily output and two station shares: one replication of the pilot
    // line's baseline with a seed of its own, four weeks after the warm-up.
    let scenario =
        Scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/pilot_line.toml"))?;
    let mut run = scenario.run;
    run.seed = 99;
    let station = |name: &str| {
        let stations = &scenario.baseline().stations;
        stations
            .iter()
            .position(|s| s.name == name)
            .expect("a station of the pilot line")
    };
    let shares = [
        (station("die_cast"), MachineState::Down),
        (station("xray"), MachineState::Busy),
    ];
    let rep = simulate_daily_until(
        scenario.baseline(),
        &run,
        0,
        &shares,
        &AtomicBool::new(false),
    );
    let mut text = "day,good_parts,die_cast.down,xray.busy\n".to_owned();
    for (d, g) in rep.good_per_day.iter().enumerate() {
        let share = |c: usize| rep.share_per_day[d * shares.len() + c];
        let _ = writeln!(text, "{},{g},{:.3},{:.3}", d + 1, share(0), share(1));
    }
    std::fs::write(dir.join("pilot_daily_output.csv"), text)?;
    println!("written: {}", dir.display());
    Ok(())
}
