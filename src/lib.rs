//! alloysim: a discrete-event simulator for light-alloy production lines.
//!
//! Engineers describe a line (stations, buffers, products and routes,
//! failures, scrap, rework) and the automation measures under consideration
//! in a TOML scenario; alloysim simulates the baseline and every variant over
//! independent replications with common random numbers and reports good-part
//! throughput with confidence intervals, paired gains, station states, WIP
//! and lead time.
//!
//! The pipeline is [`scenario`] (file → validated [`model::Model`] per
//! variant) → [`experiment`] (replications on a rayon pool, each an
//! [`engine`] run) → [`summary`] → [`report`]. A study too big for one
//! machine is split into shards whose parts [`shard`] puts back together.
//!
//! ```
//! use alloysim::scenario::Scenario;
//! use std::path::Path;
//!
//! // Two deterministic stations, 1 and 2 minutes, no buffer between them:
//! // the second limits the line to 30 parts per hour.
//! let text = r#"
//! [scenario]
//! name = "example"
//! horizon = "10h"
//! replications = 2
//!
//! [[products]]
//! name = "part"
//! route = ["saw", "press"]
//!
//! [[stations]]
//! name = "saw"
//! process = 1.0
//!
//! [[stations]]
//! name = "press"
//! buffer = 0
//! process = 2.0
//! "#;
//! let scenario = Scenario::from_text(text, "example.toml", Path::new(".")).unwrap();
//! let result = alloysim::experiment::run(&scenario, Some(1), &|| {}).unwrap();
//! let summary = alloysim::summary::summarise(&scenario, &result);
//! assert!((summary.variants[0].throughput_per_h.mean - 30.0).abs() < 0.2);
//! assert_eq!(summary.variants[0].bottleneck, "press");
//! ```

pub mod attribution;
pub mod backtest;
pub mod engine;
pub mod exact;
pub mod experiment;
pub mod fit;
pub mod model;
pub mod portfolio;
pub mod report;
pub mod scenario;
pub mod shard;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod warmup;

/// The process exit code an error of this library calls for, if `error` is
/// one: 2 for an invalid scenario or a request the command cannot serve, 3
/// for a line that locked up, 1 for anything else (see each error type's
/// `exit_code`). The binary walks an error's chain with this.
pub fn exit_code(error: &(dyn std::error::Error + 'static)) -> Option<i32> {
    if let Some(e) = error.downcast_ref::<scenario::ScenarioError>() {
        Some(e.exit_code())
    } else if let Some(e) = error.downcast_ref::<experiment::ExperimentError>() {
        Some(e.exit_code())
    } else if let Some(e) = error.downcast_ref::<exact::ExactError>() {
        Some(e.exit_code())
    } else if let Some(e) = error.downcast_ref::<report::OutputError>() {
        Some(e.exit_code())
    } else if let Some(e) = error.downcast_ref::<sweep::SweepError>() {
        Some(e.exit_code())
    } else if let Some(e) = error.downcast_ref::<portfolio::PortfolioError>() {
        Some(e.exit_code())
    } else if let Some(e) = error.downcast_ref::<fit::data::DataError>() {
        Some(e.exit_code())
    } else if let Some(e) = error.downcast_ref::<shard::MergeError>() {
        Some(e.exit_code())
    } else {
        error
            .downcast_ref::<attribution::AttributionError>()
            .map(attribution::AttributionError::exit_code)
    }
}
