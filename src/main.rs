//! The `alloysim` binary: parse arguments, run the command, map errors to
//! SPEC §4 exit codes (0 ok, 1 other, 2 invalid input, 3 deadlock).

use clap::Parser;

fn main() {
    let cli = alloysim::cli::Cli::parse();
    // Ctrl-C: workers stop promptly; nothing half-written is left, since
    // result files are only renamed into place after a complete run.
    let _ = ctrlc::set_handler(alloysim::experiment::request_stop);
    if let Err(error) = alloysim::cli::execute(cli) {
        eprintln!("{error:#}");
        std::process::exit(alloysim::cli::exit_code(&error));
    }
}
