//! Typed reads of values from the spanned TOML tree, each reporting what was
//! expected (and what was found) at the value's line:column on failure.
//!
//! Every reader returns `Option`: `None` means a diagnostic was recorded and
//! the caller carries on, so one pass reports every mistake in a file.

use super::diagnostic::{did_you_mean, Diagnostic, Diagnostics};
use std::ops::Range;
use std::path::PathBuf;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A value of the scenario file with its byte span.
pub type Value<'i> = Spanned<DeValue<'i>>;
/// A table of the scenario file.
pub type Table<'i> = DeTable<'i>;

/// `parent.key`, or `key` at the top.
pub fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// `parent[index]`.
pub fn index(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// How a value is named in "got ..." messages.
pub fn describe(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => format!("the string \"{s}\""),
        DeValue::Integer(i) => format!("{i}"),
        DeValue::Float(f) => format!("{f}"),
        DeValue::Boolean(b) => format!("{b}"),
        DeValue::Datetime(d) => format!("the date-time {d}"),
        DeValue::Array(_) => "an array".to_owned(),
        DeValue::Table(_) => "a table".to_owned(),
    }
}

/// The longest duration accepted anywhere (about 19 000 years): times must
/// stay finite and precise in minutes.
pub const MAX_DURATION_MIN: f64 = 1e10;

/// A duration in minutes that is finite, at most [`MAX_DURATION_MIN`], and
/// `> 0` (`positive`) or `>= 0`; otherwise what was expected.
pub fn check_duration(minutes: f64, positive: bool) -> Result<f64, String> {
    // Also catches NaN and infinity (never finite and bounded).
    if !minutes.is_finite() || minutes.abs() > MAX_DURATION_MIN {
        Err(format!(
            "expected a duration of at most {MAX_DURATION_MIN:e} minutes"
        ))
    } else if positive && minutes <= 0.0 {
        Err("expected a positive duration".to_owned())
    } else if minutes < 0.0 {
        Err("expected a duration >= 0".to_owned())
    } else {
        Ok(minutes)
    }
}

/// Parses a duration string with a unit: `"45s"`, `"1.5min"`, `"8h"`, `"2d"`;
/// returns minutes. A bare number is in `minutes_per_unit` units.
pub fn parse_duration(text: &str, minutes_per_unit: f64) -> Result<f64, String> {
    let text = text.trim();
    let bytes = text.as_bytes();
    // The unit starts at the first letter that is not a number's exponent.
    let split = (0..bytes.len())
        .find(|&i| {
            let c = bytes[i];
            let exponent = (c == b'e' || c == b'E')
                && i > 0
                && bytes
                    .get(i + 1)
                    .is_some_and(|n| n.is_ascii_digit() || *n == b'-' || *n == b'+');
            c.is_ascii_alphabetic() && !exponent
        })
        .unwrap_or(bytes.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number.trim().parse().map_err(|_| {
        format!("expected a duration such as \"45s\", \"1.5min\", \"8h\" or \"2d\", got \"{text}\"")
    })?;
    let factor = match unit.trim() {
        "" => minutes_per_unit,
        "s" => 1.0 / 60.0,
        "min" => 1.0,
        "h" => 60.0,
        "d" => 1440.0,
        other => {
            return Err(format!(
                "unknown time unit \"{other}\" in \"{text}\": expected s, min, h or d"
            ))
        }
    };
    if !value.is_finite() {
        return Err(format!("expected a finite duration, got \"{text}\""));
    }
    Ok(value * factor)
}

/// Why a text file (a scenario, a column of observed times) was not read.
#[derive(Debug)]
pub enum TextFileError {
    /// The operating system's error (no such file, no permission).
    Io(std::io::Error),
    /// A device, a pipe or a folder: reading it could block or never end.
    NotRegular,
    /// Larger than the limit, bytes.
    TooLarge(u64),
    /// Not UTF-8: where the first bad byte is (1-based line, column).
    NotUtf8 { line: usize, column: usize },
}

impl std::fmt::Display for TextFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextFileError::Io(e) => write!(f, "{e}"),
            TextFileError::NotRegular => f.write_str("not a regular file (a device, pipe or folder)"),
            TextFileError::TooLarge(limit) => {
                write!(f, "larger than {} MiB, the most read", limit >> 20)
            }
            TextFileError::NotUtf8 { line, column } => write!(
                f,
                "{line}:{column}: not UTF-8 text (a file saved as Latin-1 or Windows-1252 must be converted to UTF-8)"
            ),
        }
    }
}

/// Reads a regular file of at most `limit` bytes as UTF-8 text.
pub fn read_text(path: &std::path::Path, limit: u64) -> Result<String, TextFileError> {
    use std::io::Read;
    // Looked at before opening: opening a pipe blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(TextFileError::Io)?;
    if !meta.is_file() {
        return Err(TextFileError::NotRegular);
    }
    let file = std::fs::File::open(path).map_err(TextFileError::Io)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(TextFileError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(TextFileError::TooLarge(limit));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let (line, column) = super::diagnostic::line_column(&text, text.len());
        TextFileError::NotUtf8 { line, column }
    })
}

/// A non-negative number (kW, kg/kWh, price).
pub fn non_negative(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<f64> {
    let x = reader.number(value, path)?;
    if x < 0.0 {
        reader.error(
            value.span(),
            path,
            format!("expected a number >= 0, got {x}"),
        );
        return None;
    }
    Some(x)
}

/// Reads values, recording a diagnostic for each mistake.
pub struct Reader<'t> {
    diagnostics: Diagnostics<'t>,
    /// Minutes per scenario time unit (bare numbers in durations).
    pub minutes_per_unit: f64,
    /// Folder of the scenario file, for relative paths (empirical files).
    pub base_dir: PathBuf,
}

impl<'t> Reader<'t> {
    /// A reader of one file, whose problems go to `diagnostics`.
    pub fn new(diagnostics: Diagnostics<'t>, base_dir: PathBuf) -> Self {
        Self {
            diagnostics,
            minutes_per_unit: 1.0,
            base_dir,
        }
    }

    pub fn error(&mut self, span: Range<usize>, path: &str, message: impl Into<String>) {
        self.diagnostics.error(span, path, message);
    }

    /// Records a problem of a command-line option, not of the file.
    pub fn option_error(&mut self, option: &str, path: &str, message: impl Into<String>) {
        self.diagnostics.option_error(option, path, message);
    }

    /// Records something legal that looks wrong.
    pub fn warn(&mut self, span: Range<usize>, path: &str, message: impl Into<String>) {
        self.diagnostics.warn(span, path, message);
    }

    /// The warnings recorded so far.
    pub fn warnings(&self) -> &[super::diagnostic::Warning] {
        &self.diagnostics.warnings
    }

    /// Removes and returns the warnings recorded from position `from` on.
    pub fn take_warnings_from(&mut self, from: usize) -> Vec<super::diagnostic::Warning> {
        self.diagnostics.warnings.drain(from..).collect()
    }

    /// Records a warning built elsewhere, unless it is already recorded.
    pub fn push_warning(&mut self, warning: super::diagnostic::Warning) {
        self.diagnostics.push_warning(warning);
    }

    /// 1-based line and column of byte `offset` of the file.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        self.diagnostics.position(offset)
    }

    /// Problems reported so far, a repeat of an earlier one included: a
    /// part of the file read without problems leaves it unchanged.
    pub fn error_count(&self) -> usize {
        self.diagnostics.reported()
    }

    pub fn has_errors(&self) -> bool {
        !self.diagnostics.list.is_empty()
    }

    /// The distinct problems recorded so far, in order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics.list
    }

    /// Removes and returns the problems recorded from position `from` on.
    pub fn take_diagnostics_from(&mut self, from: usize) -> Vec<Diagnostic> {
        self.diagnostics.list.drain(from..).collect()
    }

    /// Records a problem built elsewhere, unless it is already recorded.
    pub fn push_diagnostic(&mut self, diagnostic: Diagnostic) {
        if !self.diagnostics.list.contains(&diagnostic) {
            self.diagnostics.list.push(diagnostic);
        }
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics.list
    }

    /// The position of `wanted` among `names`; otherwise records
    /// `unknown {what} "{wanted}"` (with a "did you mean" when a name is
    /// close) at `span`.
    pub fn lookup<'n>(
        &mut self,
        names: impl Iterator<Item = &'n str> + Clone,
        wanted: &str,
        what: &str,
        span: Range<usize>,
        path: &str,
    ) -> Option<usize> {
        let found = names.clone().position(|n| n == wanted);
        if found.is_none() {
            let hint = did_you_mean(wanted, names);
            self.error(span, path, format!("unknown {what} \"{wanted}\"{hint}"));
        }
        found
    }

    /// Records that `got` is none of the `choices` of a string setting.
    pub fn unknown_choice(&mut self, span: Range<usize>, path: &str, got: &str, choices: &[&str]) {
        let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
        let expected = match quoted.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        let hint = did_you_mean(got, choices.iter().copied());
        self.error(
            span,
            path,
            format!("expected {expected}, got \"{got}\"{hint}"),
        );
    }

    pub(super) fn expected(&mut self, value: &Value<'_>, path: &str, what: &str) {
        let message = format!("expected {what}, got {}", describe(value.get_ref()));
        self.error(value.span(), path, message);
    }

    /// Checks a table's keys: unknown ones are errors with a "did you mean".
    pub fn check_keys(&mut self, table: &Table<'_>, path: &str, allowed: &[&str]) {
        for key in table.keys() {
            let name: &str = key.get_ref();
            if !allowed.contains(&name) {
                let hint = did_you_mean(name, allowed.iter().copied());
                let expected = allowed.join(", ");
                self.error(
                    key.span(),
                    &join(path, name),
                    format!("unknown key \"{name}\"{hint}; expected one of: {expected}"),
                );
            }
        }
    }

    pub fn table<'a, 'i>(&mut self, value: &'a Value<'i>, path: &str) -> Option<&'a Table<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            _ => {
                self.expected(value, path, "a table");
                None
            }
        }
    }

    pub fn array<'a, 'i>(&mut self, value: &'a Value<'i>, path: &str) -> Option<&'a [Value<'i>]> {
        match value.get_ref() {
            DeValue::Array(array) => Some(array),
            _ => {
                self.expected(value, path, "an array");
                None
            }
        }
    }

    pub fn string(&mut self, value: &Value<'_>, path: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.expected(value, path, "a string");
                None
            }
        }
    }

    pub fn boolean(&mut self, value: &Value<'_>, path: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.expected(value, path, "true or false");
                None
            }
        }
    }

    /// A name: non-empty, ASCII letters, digits, `_`, `-` and `.` only.
    pub fn name(&mut self, value: &Value<'_>, path: &str) -> Option<String> {
        let name = self.string(value, path)?;
        if is_name(&name) {
            Some(name)
        } else {
            self.bad_name(value, path, &name);
            None
        }
    }

    /// The name of something the file defines (a station, product or
    /// pool): checked as [`Reader::name`], but an invalid string is still
    /// returned, so that the routes and references that spell it the same
    /// way find it and the one mistake is reported once, at the definition.
    /// The entry itself is not clean (an error was recorded), so no model is
    /// built from it.
    pub fn defined_name(&mut self, value: &Value<'_>, path: &str) -> Option<String> {
        let name = self.string(value, path)?;
        if !is_name(&name) {
            self.bad_name(value, path, &name);
        }
        Some(name)
    }

    fn bad_name(&mut self, value: &Value<'_>, path: &str, name: &str) {
        self.error(
            value.span(),
            path,
            format!(
                "expected a name of ASCII letters (a-z, A-Z), digits, '_', '-' or '.', got \"{name}\""
            ),
        );
    }

    pub fn number(&mut self, value: &Value<'_>, path: &str) -> Option<f64> {
        let number = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|i| i as f64),
            DeValue::Float(f) => f.as_str().parse::<f64>().ok().filter(|f| f.is_finite()),
            _ => None,
        };
        if number.is_none() {
            self.expected(value, path, "a finite number");
        }
        number
    }

    pub fn integer(&mut self, value: &Value<'_>, path: &str) -> Option<i64> {
        match value.get_ref() {
            DeValue::Integer(i) => {
                let parsed = i64::from_str_radix(i.as_str(), i.radix()).ok();
                if parsed.is_none() {
                    self.expected(value, path, "an integer that fits in 64 bits");
                }
                parsed
            }
            _ => {
                self.expected(value, path, "an integer");
                None
            }
        }
    }

    /// An integer in `[min, max]`.
    pub fn integer_in(&mut self, value: &Value<'_>, path: &str, min: i64, max: i64) -> Option<i64> {
        let i = self.integer(value, path)?;
        if i < min || i > max {
            self.error(
                value.span(),
                path,
                format!("expected an integer from {min} to {max}, got {i}"),
            );
            return None;
        }
        Some(i)
    }

    /// A probability in `[0, 1]`.
    pub fn probability(&mut self, value: &Value<'_>, path: &str) -> Option<f64> {
        let p = self.number(value, path)?;
        if !(0.0..=1.0).contains(&p) {
            self.error(
                value.span(),
                path,
                format!("expected a probability from 0 to 1, got {p}"),
            );
            return None;
        }
        Some(p)
    }

    /// A duration in minutes: a number in the scenario's unit, or a string
    /// with a unit.
    pub fn duration(&mut self, value: &Value<'_>, path: &str) -> Option<f64> {
        match value.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) => {
                Some(self.number(value, path)? * self.minutes_per_unit)
            }
            DeValue::String(s) => match parse_duration(s, self.minutes_per_unit) {
                Ok(minutes) => Some(minutes),
                Err(message) => {
                    self.error(value.span(), path, message);
                    None
                }
            },
            _ => {
                self.expected(
                    value,
                    path,
                    "a duration (a number, or a string such as \"45s\", \"8h\")",
                );
                None
            }
        }
    }

    /// A duration that must be `> 0` (`positive`) or `>= 0`, and at most
    /// [`MAX_DURATION_MIN`].
    pub fn duration_bounded(
        &mut self,
        value: &Value<'_>,
        path: &str,
        positive: bool,
    ) -> Option<f64> {
        let minutes = self.duration(value, path)?;
        match check_duration(minutes, positive) {
            Ok(minutes) => Some(minutes),
            Err(expected) => {
                let message = format!("{expected}, got {}", describe(value.get_ref()));
                self.error(value.span(), path, message);
                None
            }
        }
    }

    /// A required key of a table; missing is an error at the table.
    pub fn required<'a, 'i>(
        &mut self,
        table: &'a Table<'i>,
        table_span: Range<usize>,
        path: &str,
        key: &str,
    ) -> Option<&'a Value<'i>> {
        let value = table.get(key);
        if value.is_none() {
            self.error(
                table_span,
                &join(path, key),
                format!("missing required key \"{key}\""),
            );
        }
        value
    }
}

/// Whether `name` is a valid name: non-empty, ASCII letters, digits, `_`,
/// `-` and `.` only (names become file names, CSV cells and chart labels).
fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_with_units() {
        assert_eq!(parse_duration("45s", 1.0), Ok(0.75));
        assert_eq!(parse_duration("1.5min", 60.0), Ok(1.5));
        assert_eq!(parse_duration("8h", 1.0), Ok(480.0));
        assert_eq!(parse_duration("2d", 1.0), Ok(2880.0));
        assert_eq!(parse_duration("2", 60.0), Ok(120.0));
        assert_eq!(parse_duration("1e3", 1.0), Ok(1000.0));
        assert_eq!(parse_duration(" 3 h ", 1.0), Ok(180.0));
        assert!(parse_duration("3 weeks", 1.0)
            .unwrap_err()
            .contains("unknown time unit"));
        assert!(parse_duration("abc", 1.0).is_err());
        assert!(parse_duration("", 1.0).is_err());
    }
}
