//! Runs the scenario-loader fuzzer for longer than the test suite does:
//! `cargo run --release --example fuzz_loader -- 200000 [seed]`.

#[path = "../tests/integration/loader_fuzz.rs"]
mod loader_fuzz;

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let start = std::time::Instant::now();
    let (accepted, slowest) = loader_fuzz::fuzz(count, seed);
    println!(
        "{count} inputs in {:.1} s: {accepted} loaded, {} rejected with diagnostics, slowest {slowest:?}, no panic",
        start.elapsed().as_secs_f64(),
        count - accepted
    );
}
