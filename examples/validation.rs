//! Writes the validation table of docs/VALIDATION.md:
//! `cargo run --release --example validation > docs/VALIDATION.md`.

#[path = "../tests/integration/validation_cases.rs"]
mod validation_cases;

fn main() {
    let rows = validation_cases::all_rows();
    let passed = rows.iter().filter(|r| r.pass).count();
    print!("{}", include_str!("validation_header.md"));
    println!("{}", validation_cases::markdown(&rows));
    println!("{passed} of {} checks pass.", rows.len());
}
