//! alloysim's integration tests: one binary, a module per concern. Every
//! check compares the simulator with a number known independently of it
//! (closed forms, hand computations, conservation laws) or pins an invariant
//! of the contract (determinism, common random numbers, error messages).

mod architecture;
mod automation;
mod backtest;
mod bottleneck;
mod charts;
mod cli;
mod common;
mod determinism;
mod docs;
mod economics;
mod error_cases;
mod exact;
mod fit;
mod hand_computed;
mod hardening;
mod loader_fuzz;
mod portfolio;
mod process_features;
mod queueing_theory;
mod regressions;
mod scenario_errors;
mod shards;
mod single_purpose;
mod studies;
mod validation_cases;
mod warmup;
