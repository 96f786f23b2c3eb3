//! alloysim: a discrete-event simulator for light-alloy production lines.
pub mod cli;
pub mod engine;
pub mod experiment;
pub mod model;
pub mod report;
pub mod scenario;
pub mod stats;
pub mod summary;
