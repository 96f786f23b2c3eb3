//! Reading observed times from a CSV export: one column (by name, or the
//! first), a header line recognised and reported, blank lines reported,
//! and every bad cell an error with its line and column.

/// A problem with the data file.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{file}:{line}:{column}: {message}")]
    Bad {
        file: String,
        line: u64,
        column: usize,
        message: String,
    },
    #[error("{file}: {message}")]
    File { file: String, message: String },
}

impl DataError {
    /// Bad data is bad input: exit code 2.
    pub fn exit_code(&self) -> i32 {
        2
    }
}

/// The observations of one column, in file order, and what was skipped.
#[derive(Debug)]
pub struct Column {
    pub name: String,
    pub values: Vec<f64>,
    /// Notes on lines skipped (a header, blank lines), for the user.
    pub skipped: Vec<String>,
}

/// The note on blank lines of `text` (CSV readers skip them), if any.
pub fn blank_lines_note(text: &str) -> Option<String> {
    let blank: Vec<String> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim().is_empty())
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    (!blank.is_empty()).then(|| format!("blank line(s) skipped: {}", blank.join(", ")))
}

/// Reads column `wanted` (default: the first) of `text`; every value must
/// be a number > 0, and at least `min` of them.
pub fn read_column(
    text: &str,
    file: &str,
    wanted: Option<&str>,
    min: usize,
) -> Result<Column, DataError> {
    let bad = |line: u64, column: usize, message: String| DataError::Bad {
        file: file.to_owned(),
        line,
        column,
        message,
    };
    let mut skipped: Vec<String> = blank_lines_note(text).into_iter().collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records().peekable();
    let first = match records.peek() {
        Some(Ok(r)) => r.clone(),
        Some(Err(e)) => {
            return Err(DataError::File {
                file: file.to_owned(),
                message: e.to_string(),
            })
        }
        None => {
            return Err(DataError::File {
                file: file.to_owned(),
                message: "no data".to_owned(),
            })
        }
    };
    let is_header = first.iter().any(|c| c.parse::<f64>().is_err());
    let names: Vec<String> = if is_header {
        first.iter().map(str::to_owned).collect()
    } else {
        (1..=first.len()).map(|i| format!("column {i}")).collect()
    };
    let index = match wanted {
        None => 0,
        Some(name) => names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| DataError::File {
                file: file.to_owned(),
                message: format!(
                    "no column \"{name}\"; the file has: {}",
                    if is_header {
                        names.join(", ")
                    } else {
                        "no header line (columns are unnamed; leave out --column for the first)"
                            .to_owned()
                    }
                ),
            })?,
    };
    if is_header {
        records.next();
        skipped.push(format!("line 1 read as the header: {}", names.join(", ")));
    }
    let mut values = Vec::new();
    for record in records {
        let record = record.map_err(|e| DataError::File {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let Some(cell) = record.get(index) else {
            return Err(bad(
                line,
                index + 1,
                format!(
                    "the line has {} column(s), column {} is missing",
                    record.len(),
                    index + 1
                ),
            ));
        };
        let value: f64 = cell
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                bad(
                    line,
                    index + 1,
                    format!("expected a number, got \"{cell}\""),
                )
            })?;
        if value <= 0.0 {
            return Err(bad(
                line,
                index + 1,
                format!("expected a time > 0, got {cell}"),
            ));
        }
        values.push(value);
    }
    if values.len() < min {
        return Err(DataError::File {
            file: file.to_owned(),
            message: format!(
                "{} observation(s) in column \"{}\"; a fit needs at least {min}",
                values.len(),
                names[index]
            ),
        });
    }
    Ok(Column {
        name: names[index].clone(),
        values,
        skipped,
    })
}
