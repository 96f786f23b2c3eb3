//! `exact.json`: the exact solution of every variant.

use crate::exact::ExactVariant;
use serde::Serialize;
use std::io;

pub const NAME: &str = "exact.json";

/// What `exact.json` holds.
#[derive(Serialize)]
struct ExactFile<'a> {
    scenario: &'a str,
    version: &'a str,
    variants: &'a [ExactVariant],
}

pub fn bytes(scenario: &str, solved: &[ExactVariant]) -> io::Result<Vec<u8>> {
    let json = serde_json::to_string_pretty(&ExactFile {
        scenario,
        version: env!("CARGO_PKG_VERSION"),
        variants: solved,
    })
    .map_err(io::Error::other)?;
    Ok((json + "\n").into_bytes())
}
