//! The `alloysim` binary: parse the arguments, run the command, and map
//! errors to exit codes (0 ok, 1 other, 2 invalid scenario or arguments,
//! 3 deadlock).

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    // Ctrl-C: workers stop promptly; nothing half-written is left, since
    // result files are only renamed into place after a complete run.
    let _ = ctrlc::set_handler(alloysim::experiment::request_stop);
    if let Err(error) = cli::execute(args) {
        eprintln!("{error:#}");
        std::process::exit(exit_code(&error));
    }
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
