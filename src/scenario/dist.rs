//! Distributions of durations as written: a bare number or duration string
//! (deterministic), or a table with `dist` and the family's parameters,
//! checked and turned into a [`Dist`].

use super::diagnostic::did_you_mean;
use super::read::{index, join, Reader, Table, Value};
use crate::model::Dist;
use std::ops::Range;
use toml::de::DeValue;

/// The families of the scenario format, and the keys each takes besides
/// `dist`.
pub const FAMILIES: [(&str, &[&str]); 10] = [
    ("deterministic", &["value"]),
    ("exponential", &["mean"]),
    ("uniform", &["min", "max"]),
    ("triangular", &["min", "mode", "max"]),
    ("normal", &["mean", "sd", "cv"]),
    ("lognormal", &["mean", "sd", "cv"]),
    ("gamma", &["mean", "cv"]),
    ("erlang", &["k", "mean"]),
    ("weibull", &["shape", "scale"]),
    ("empirical", &["values", "file"]),
];

/// Where a distribution's parameters are read from.
struct Params<'a, 'i> {
    table: &'a Table<'i>,
    span: Range<usize>,
    path: &'a str,
}

impl Reader<'_> {
    /// A distribution of durations: a bare number or duration string
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
        let kind_value = self.required(table, span.clone(), path, "dist")?;
        let kind_path = join(path, "dist");
        let kind = self.string(kind_value, &kind_path)?;
        let Some(&(_, keys)) = FAMILIES.iter().find(|(name, _)| *name == kind) else {
            let names = FAMILIES.map(|(name, _)| name);
            let hint = did_you_mean(&kind, names);
            self.error(
                kind_value.span(),
                &kind_path,
                format!(
                    "unknown distribution \"{kind}\"{hint}; expected one of: {}",
                    names.join(", ")
                ),
            );
            return None;
        };
        let allowed: Vec<&str> = std::iter::once("dist")
            .chain(keys.iter().copied())
            .collect();
        self.check_keys(table, path, &allowed);
        let params = Params { table, span, path };
        match kind.as_str() {
            "deterministic" => self.param(&params, "value", false).map(Dist::Deterministic),
            "exponential" => self
                .param(&params, "mean", true)
                .map(|mean| Dist::Exponential { mean }),
            "uniform" => self.uniform(&params),
            "triangular" => self.triangular(&params),
            "normal" | "lognormal" => {
                let mean = self.param(&params, "mean", true);
                let sd = self.spread(table, params.span.clone(), path, mean)?;
                let mean = mean?;
                let negative = crate::model::dist::normal_negative_share(mean, sd);
                if kind == "normal" && negative > MAX_NORMAL_NEGATIVE {
                    self.warn(
                        params.span.clone(),
                        path,
                        format!(
                            "a normal of mean {} and sd {} is negative in {:.1} % of draws, which are drawn again, so its times average {} (the capacity figures use that): a lognormal or gamma keeps the mean and spread as written",
                            super::station::minutes_text(mean),
                            super::station::minutes_text(sd),
                            negative * 100.0,
                            super::station::minutes_text(crate::model::dist::truncated_normal_mean(mean, sd))
                        ),
                    );
                }
                Some(if kind == "normal" {
                    Dist::normal(mean, sd)
                } else {
                    Dist::lognormal(mean, sd / mean)
                })
            }
            "gamma" => {
                let mean = self.param(&params, "mean", true);
                let cv = self.cv(table, params.span.clone(), path);
                Some(Dist::gamma(mean?, cv?))
            }
            "erlang" => {
                let k = self
                    .required(table, params.span.clone(), path, "k")
                    .and_then(|v| self.integer_in(v, &join(path, "k"), 1, 1_000_000));
                let mean = self.param(&params, "mean", true);
                Some(Dist::erlang(k? as u32, mean?))
            }
            "weibull" => self.weibull(&params),
            "empirical" => self.empirical(table, params.span, path),
            _ => unreachable!("every family of FAMILIES is handled"),
        }
    }

    /// A required duration parameter (`> 0` if `positive`, else `>= 0`).
    fn param(&mut self, params: &Params<'_, '_>, key: &str, positive: bool) -> Option<f64> {
        let value = self.required(params.table, params.span.clone(), params.path, key)?;
        self.duration_bounded(value, &join(params.path, key), positive)
    }

    fn uniform(&mut self, params: &Params<'_, '_>) -> Option<Dist> {
        let min = self.param(params, "min", false);
        let max = self.param(params, "max", false);
        let (min, max) = (min?, max?);
        if min > max {
            self.error(
                params.span.clone(),
                params.path,
                format!("min ({min} min) is greater than max ({max} min)"),
            );
            return None;
        }
        Some(Dist::Uniform { min, max })
    }

    fn triangular(&mut self, params: &Params<'_, '_>) -> Option<Dist> {
        let min = self.param(params, "min", false);
        let mode = self.param(params, "mode", false);
        let max = self.param(params, "max", false);
        let (min, mode, max) = (min?, mode?, max?);
        if !(min <= mode && mode <= max) {
            self.error(
                params.span.clone(),
                params.path,
                "expected min <= mode <= max",
            );
            return None;
        }
        Some(Dist::triangular(min, mode, max))
    }

    fn weibull(&mut self, params: &Params<'_, '_>) -> Option<Dist> {
        let path = params.path;
        let shape = self
            .required(params.table, params.span.clone(), path, "shape")
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
        let scale = self.param(params, "scale", true);
        let dist = Dist::weibull(shape?, scale?);
        if dist.is_none() {
            self.error(
                params.span.clone(),
                path,
                "these Weibull parameters give no finite mean",
            );
        }
        dist
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
        if cv > MAX_PLAUSIBLE_CV {
            self.warn(
                value.span(),
                &join(path, "cv"),
                format!(
                    "a coefficient of variation of {cv} is very large; cv is a ratio (0.25 for 25 %): is it written as a percentage?"
                ),
            );
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

    /// One column of observed times (scenario time unit), with or without
    /// a header line: one value per line; a blank line or the header is
    /// skipped with a warning, anything else that is no duration >= 0 is an
    /// error naming its line and column.
    fn empirical_file(&mut self, value: &Value<'_>, path: &str) -> Option<Vec<f64>> {
        let name = self.string(value, path)?;
        let file = self.base_dir.join(&name);
        let text = match super::read::read_text(&file, MAX_EMPIRICAL_BYTES) {
            Ok(text) => text,
            Err(e) => {
                let message = format!("cannot read \"{}\": {e}", file.display());
                self.error(value.span(), path, message);
                return None;
            }
        };
        let shown = file.display().to_string();
        let mut values = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let at = |column: usize| format!("{shown}:{}:{column}", index + 1);
            let field = line.trim();
            if field.is_empty() {
                self.warn(value.span(), path, format!("{}: blank line skipped", at(1)));
                continue;
            }
            let column = line.len() - line.trim_start().len() + 1;
            if let Some(comma) = field.find([',', ';', '\t']) {
                let fields = field.split([',', ';', '\t']).count();
                let message = format!(
                    "{}: expected one value per line (a single column of observed times), got {fields} fields",
                    at(column + comma)
                );
                self.error(value.span(), path, message);
                return None;
            }
            match field.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => values.push(v * self.minutes_per_unit),
                Err(_) if values.is_empty() && index == 0 => {
                    let message = format!("{}: header \"{field}\" skipped", at(column));
                    self.warn(value.span(), path, message);
                }
                _ => {
                    let message =
                        format!("{}: expected a duration >= 0, got \"{field}\"", at(column));
                    self.error(value.span(), path, message);
                    return None;
                }
            }
        }
        Some(values)
    }
}

/// A normal negative in more than this share of draws gets a warning: the
/// redrawn times move its mean by more than about 1 %.
const MAX_NORMAL_NEGATIVE: f64 = 0.01;

/// A cv above this gets a warning: as a ratio it is rare in a production
/// line, as a percentage (`cv = 10` for 10 %) a common slip.
const MAX_PLAUSIBLE_CV: f64 = 2.0;

/// The largest file of observed times read.
const MAX_EMPIRICAL_BYTES: u64 = 64 << 20;
