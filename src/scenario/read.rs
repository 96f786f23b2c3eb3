//! Typed reads of values from the spanned TOML tree, each reporting what was
//! expected (and what was found) at the value's line:column on failure.
//!
//! Every reader returns `Option`: `None` means a diagnostic was recorded and
//! the caller carries on, so one pass reports every mistake in a file.

use super::diagnostic::{did_you_mean, Diagnostics};
use crate::model::Dist;
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

/// Reads values, recording a diagnostic for each mistake.
pub struct Reader<'t> {
    pub diagnostics: Diagnostics<'t>,
    /// Minutes per scenario time unit (bare numbers in durations).
    pub minutes_per_unit: f64,
    /// Folder of the scenario file, for relative paths (empirical files).
    pub base_dir: PathBuf,
}

impl Reader<'_> {
    pub fn error(&mut self, span: Range<usize>, path: &str, message: impl Into<String>) {
        self.diagnostics.error(span, path, message);
    }

    fn expected(&mut self, value: &Value<'_>, path: &str, what: &str) {
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

    /// Rejects keys whose feature this version does not simulate yet.
    pub fn reject_unsupported(&mut self, table: &Table<'_>, path: &str, keys: &[&str]) {
        for key in table.keys() {
            let name: &str = key.get_ref();
            if keys.contains(&name) {
                self.error(
                    key.span(),
                    &join(path, name),
                    format!("\"{name}\" is not supported yet by this version of alloysim"),
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

    /// A name: non-empty, letters, digits, `_`, `-` and `.` only.
    pub fn name(&mut self, value: &Value<'_>, path: &str) -> Option<String> {
        let name = self.string(value, path)?;
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
        if valid {
            Some(name)
        } else {
            self.error(
                value.span(),
                path,
                format!("expected a name of letters, digits, '_', '-' or '.', got \"{name}\""),
            );
            None
        }
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

    pub fn boolean(&mut self, value: &Value<'_>, path: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.expected(value, path, "true or false");
                None
            }
        }
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
        // Also catches NaN and infinity (never finite and bounded).
        if !minutes.is_finite() || minutes.abs() > MAX_DURATION_MIN {
            self.error(
                value.span(),
                path,
                format!(
                    "expected a duration of at most {MAX_DURATION_MIN:e} minutes, got {}",
                    describe(value.get_ref())
                ),
            );
            return None;
        }
        if positive && minutes <= 0.0 {
            self.error(
                value.span(),
                path,
                format!(
                    "expected a positive duration, got {}",
                    describe(value.get_ref())
                ),
            );
            return None;
        }
        if minutes < 0.0 {
            self.error(
                value.span(),
                path,
                format!(
                    "expected a duration >= 0, got {}",
                    describe(value.get_ref())
                ),
            );
            return None;
        }
        Some(minutes)
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

    /// A distribution of durations (SPEC §3): a bare number or duration string
    /// is deterministic; otherwise a table with `dist`.
    pub fn dist(&mut self, value: &Value<'_>, path: &str) -> Option<Dist> {
        match value.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) | DeValue::String(_) => self
                .duration_bounded(value, path, false)
                .map(Dist::Deterministic),
            DeValue::Table(table) => self.dist_table(table, value.span(), path),
            _ => {
                self.expected(
                    value,
                    path,
                    "a distribution: a number, a duration string, or a table with \"dist\"",
                );
                None
            }
        }
    }

    fn dist_table(&mut self, table: &Table<'_>, span: Range<usize>, path: &str) -> Option<Dist> {
        const NAMES: [&str; 10] = [
            "deterministic",
            "exponential",
            "uniform",
            "triangular",
            "normal",
            "lognormal",
            "gamma",
            "erlang",
            "weibull",
            "empirical",
        ];
        let kind_value = self.required(table, span.clone(), path, "dist")?;
        let kind_path = join(path, "dist");
        let kind = self.string(kind_value, &kind_path)?;
        let allowed: &[&str] = match kind.as_str() {
            "deterministic" => &["dist", "value"],
            "exponential" => &["dist", "mean"],
            "uniform" => &["dist", "min", "max"],
            "triangular" => &["dist", "min", "mode", "max"],
            "normal" | "lognormal" => &["dist", "mean", "sd", "cv"],
            "gamma" => &["dist", "mean", "cv"],
            "erlang" => &["dist", "k", "mean"],
            "weibull" => &["dist", "shape", "scale"],
            "empirical" => &["dist", "values", "file"],
            other => {
                let hint = did_you_mean(other, NAMES);
                self.error(
                    kind_value.span(),
                    &kind_path,
                    format!(
                        "unknown distribution \"{other}\"{hint}; expected one of: {}",
                        NAMES.join(", ")
                    ),
                );
                return None;
            }
        };
        self.check_keys(table, path, allowed);
        let get = |reader: &mut Self, key: &str, positive: bool| {
            let value = reader.required(table, span.clone(), path, key)?;
            reader.duration_bounded(value, &join(path, key), positive)
        };
        match kind.as_str() {
            "deterministic" => get(self, "value", false).map(Dist::Deterministic),
            "exponential" => get(self, "mean", true).map(|mean| Dist::Exponential { mean }),
            "uniform" => {
                let min = get(self, "min", false);
                let max = get(self, "max", false);
                let (min, max) = (min?, max?);
                if min > max {
                    self.error(
                        span,
                        path,
                        format!("min ({min} min) is greater than max ({max} min)"),
                    );
                    return None;
                }
                Some(Dist::Uniform { min, max })
            }
            "triangular" => {
                let min = get(self, "min", false);
                let mode = get(self, "mode", false);
                let max = get(self, "max", false);
                let (min, mode, max) = (min?, mode?, max?);
                if !(min <= mode && mode <= max) {
                    self.error(span, path, "expected min <= mode <= max");
                    return None;
                }
                Some(Dist::triangular(min, mode, max))
            }
            "normal" | "lognormal" => {
                let mean = get(self, "mean", true);
                let sd = self.spread(table, span, path, mean)?;
                let mean = mean?;
                Some(if kind == "normal" {
                    Dist::normal(mean, sd)
                } else {
                    Dist::lognormal(mean, sd / mean)
                })
            }
            "gamma" => {
                let mean = get(self, "mean", true);
                let cv = self.cv(table, span, path);
                Some(Dist::gamma(mean?, cv?))
            }
            "erlang" => {
                let k = self
                    .required(table, span.clone(), path, "k")
                    .and_then(|v| self.integer_in(v, &join(path, "k"), 1, 1_000_000));
                let mean = get(self, "mean", true);
                Some(Dist::erlang(k? as u32, mean?))
            }
            "weibull" => {
                let shape = self
                    .required(table, span.clone(), path, "shape")
                    .and_then(|v| {
                        let shape = self.number(v, &join(path, "shape"))?;
                        if shape <= 0.0 {
                            self.error(
                                v.span(),
                                &join(path, "shape"),
                                format!("expected a positive number, got {shape}"),
                            );
                            return None;
                        }
                        Some(shape)
                    });
                let scale = get(self, "scale", true);
                let dist = Dist::weibull(shape?, scale?);
                if dist.is_none() {
                    self.error(span, path, "these Weibull parameters give no finite mean");
                }
                dist
            }
            "empirical" => self.empirical(table, span, path),
            _ => unreachable!(),
        }
    }

    /// The standard deviation from exactly one of `sd` (a duration) or `cv`.
    fn spread(
        &mut self,
        table: &Table<'_>,
        span: Range<usize>,
        path: &str,
        mean: Option<f64>,
    ) -> Option<f64> {
        match (table.get("sd"), table.get("cv")) {
            (Some(_), Some(cv)) => {
                self.error(
                    cv.span(),
                    &join(path, "cv"),
                    "give either sd or cv, not both",
                );
                None
            }
            (Some(sd), None) => self.duration_bounded(sd, &join(path, "sd"), false),
            (None, Some(_)) => Some(self.cv(table, span, path)? * mean?),
            (None, None) => {
                self.error(
                    span,
                    &join(path, "sd"),
                    "missing required key \"sd\" or \"cv\"",
                );
                None
            }
        }
    }

    fn cv(&mut self, table: &Table<'_>, span: Range<usize>, path: &str) -> Option<f64> {
        let value = self.required(table, span, path, "cv")?;
        let cv = self.number(value, &join(path, "cv"))?;
        if cv < 0.0 {
            self.error(
                value.span(),
                &join(path, "cv"),
                format!("expected a cv >= 0, got {cv}"),
            );
            return None;
        }
        Some(cv)
    }

    fn empirical(&mut self, table: &Table<'_>, span: Range<usize>, path: &str) -> Option<Dist> {
        let values = match (table.get("values"), table.get("file")) {
            (Some(_), Some(file)) => {
                self.error(
                    file.span(),
                    &join(path, "file"),
                    "give either values or file, not both",
                );
                return None;
            }
            (Some(values), None) => {
                let values_path = join(path, "values");
                let array = self.array(values, &values_path)?;
                let mut out = Vec::with_capacity(array.len());
                for (i, v) in array.iter().enumerate() {
                    out.push(self.duration_bounded(v, &index(&values_path, i), false));
                }
                out.into_iter().collect::<Option<Vec<f64>>>()?
            }
            (None, Some(file)) => self.empirical_file(file, &join(path, "file"))?,
            (None, None) => {
                self.error(
                    span,
                    &join(path, "values"),
                    "missing required key \"values\" or \"file\"",
                );
                return None;
            }
        };
        if values.is_empty() {
            self.error(
                span,
                path,
                "an empirical distribution needs at least one value",
            );
            return None;
        }
        Some(Dist::Empirical(values.into()))
    }

    /// One column of observed times (scenario time unit), with or without a
    /// header line.
    fn empirical_file(&mut self, value: &Value<'_>, path: &str) -> Option<Vec<f64>> {
        let name = self.string(value, path)?;
        let file = self.base_dir.join(&name);
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                self.error(
                    value.span(),
                    path,
                    format!("cannot read \"{}\": {e}", file.display()),
                );
                return None;
            }
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut values = Vec::new();
        for (row, record) in reader.records().enumerate() {
            let field = record
                .ok()
                .and_then(|r| r.get(0).map(str::trim).map(str::to_owned));
            let Some(field) = field else { continue };
            match field.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => values.push(v * self.minutes_per_unit),
                _ if row == 0 => {} // a header line
                _ => {
                    self.error(
                        value.span(),
                        path,
                        format!(
                            "{}: line {}: expected a duration >= 0, got \"{field}\"",
                            file.display(),
                            row + 1
                        ),
                    );
                    return None;
                }
            }
        }
        Some(values)
    }
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
