//! `summary.json`: the [`Summary`] of a run, pretty-printed.

use crate::summary::Summary;
use std::io;

pub const NAME: &str = "summary.json";

pub fn bytes(summary: &Summary) -> io::Result<Vec<u8>> {
    let json = serde_json::to_string_pretty(summary).map_err(io::Error::other)? + "\n";
    Ok(json.into_bytes())
}
