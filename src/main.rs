//! The `alloysim` binary: parse the arguments, run the command, and map
//! errors to exit codes (0 ok, 1 other, 2 invalid scenario or arguments,
//! 3 deadlock).

mod cli;

use clap::Parser;
use std::sync::atomic::{AtomicBool, Ordering};

fn main() {
    let args = cli::Cli::parse();
    // Ctrl-C: workers stop within a second and nothing is written (result
    // sets are swapped in whole, and not at all once a stop is asked for);
    // a second Ctrl-C exits at once.
    let _ = ctrlc::set_handler(|| {
        static PRESSED: AtomicBool = AtomicBool::new(false);
        if PRESSED.swap(true, Ordering::SeqCst) {
            std::process::exit(1);
        }
        alloysim::experiment::request_stop();
        alloysim::report::atomic::request_stop();
    });
    inject_fault_for_tests();
    if let Err(error) = cli::execute(args) {
        if error.downcast_ref::<cli::OutputClosed>().is_some() {
            return;
        }
        let text = format!("{error:#}");
        if text.starts_with("error:") {
            eprintln!("{text}");
        } else {
            eprintln!("error: {text}");
        }
        std::process::exit(exit_code(&error));
    }
}

/// `ALLOYSIM_FAULT=<step>[:abort]` makes writing results fail (or the
/// process die) at that step: the hook of the tests that results appear
/// whole or not at all. Steps: stage, carry, swap, cleanup.
fn inject_fault_for_tests() {
    use alloysim::report::atomic::{inject_fault, Fault, Step};
    let Ok(text) = std::env::var("ALLOYSIM_FAULT") else {
        return;
    };
    let (step, kind) = text.split_once(':').unwrap_or((&text, "fail"));
    let step = match step {
        "stage" => Step::Stage,
        "carry" => Step::Carry,
        "swap" => Step::Swap,
        "cleanup" => Step::Cleanup,
        _ => return,
    };
    let fault = if kind == "abort" {
        Fault::Abort
    } else {
        Fault::Fail
    };
    inject_fault(step, fault);
}

/// The exit code of the first error in the chain that knows its own: a
/// mistake in the arguments, or one of the library's errors.
fn exit_code(error: &anyhow::Error) -> i32 {
    error
        .chain()
        .find_map(|cause| {
            if cause.downcast_ref::<cli::UsageError>().is_some() {
                Some(2)
            } else {
                alloysim::exit_code(cause)
            }
        })
        .unwrap_or(1)
}
