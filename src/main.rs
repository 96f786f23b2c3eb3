//! The `alloysim` binary: parse arguments, run the command, map errors to
//! SPEC §4 exit codes (0 ok, 1 other, 2 invalid input, 3 deadlock).

use clap::Parser;

fn main() {
    let cli = alloysim::cli::Cli::parse();
    if let Err(error) = alloysim::cli::execute(cli) {
        eprintln!("{error:#}");
        std::process::exit(alloysim::cli::exit_code(&error));
    }
}
