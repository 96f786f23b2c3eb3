//! Load-time errors that point at the scenario file: file, line:column, key
//! path, what was expected and what was found.

use std::fmt;
use std::ops::Range;

/// One problem found in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based line and column (in characters) of the offending value or
    /// key; 0 for a problem of the command line (`file` then names the
    /// option, e.g. `--param`).
    pub line: usize,
    pub column: usize,
    /// Key path such as `stations[2].buffer`; empty for syntax errors.
    pub key_path: String,
    pub message: String,
    /// Byte offset of the position in the file.
    pub offset: usize,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: ", self.file)?;
        } else {
            write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        }
        if !self.key_path.is_empty() {
            write!(f, "{}: ", self.key_path)?;
        }
        f.write_str(&self.message)
    }
}

/// Something legal that looks wrong (a CV written as a percentage, a
/// station on no route): reported, recorded in `summary.json`, an error
/// with `--deny-warnings`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    /// File, line and column (1-based) it points at, where there is one.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// Key path such as `stations[2].process.cv`; empty when none.
    pub key_path: String,
    pub message: String,
}

impl Warning {
    /// A warning about the run as a whole, with no place in a file.
    pub fn general(message: impl Into<String>) -> Warning {
        Warning {
            file: None,
            line: None,
            column: None,
            key_path: String::new(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}:")?;
            if let (Some(line), Some(column)) = (self.line, self.column) {
                write!(f, "{line}:{column}:")?;
            }
            f.write_str(" ")?;
        }
        if !self.key_path.is_empty() {
            write!(f, "{}: ", self.key_path)?;
        }
        f.write_str(&self.message)
    }
}

/// 1-based line and character column of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Collects diagnostics for one file.
#[derive(Debug)]
pub struct Diagnostics<'t> {
    file: String,
    text: &'t str,
    /// Distinct problems, in the order found.
    pub list: Vec<Diagnostic>,
    /// Problems reported, repeats included.
    reported: usize,
    /// Warnings, each once, in the order found.
    pub warnings: Vec<Warning>,
}

impl<'t> Diagnostics<'t> {
    pub fn new(file: &str, text: &'t str) -> Self {
        Self {
            file: file.to_owned(),
            text,
            list: Vec::new(),
            reported: 0,
            warnings: Vec::new(),
        }
    }

    /// Records a problem at `span` for `key_path`. Exact repeats (the same
    /// value checked again for another variant) are kept once.
    pub fn error(&mut self, span: Range<usize>, key_path: &str, message: impl Into<String>) {
        self.reported += 1;
        let (line, column) = line_column(self.text, span.start);
        let diagnostic = Diagnostic {
            file: self.file.clone(),
            line,
            column,
            key_path: key_path.to_owned(),
            message: message.into(),
            offset: span.start,
        };
        if !self.list.contains(&diagnostic) {
            self.list.push(diagnostic);
        }
    }

    /// Records a problem of a command-line option (`--param`) rather than
    /// of the file: it has no line and column.
    pub fn option_error(&mut self, option: &str, key_path: &str, message: impl Into<String>) {
        self.reported += 1;
        let diagnostic = Diagnostic {
            file: option.to_owned(),
            line: 0,
            column: 0,
            key_path: key_path.to_owned(),
            message: message.into(),
            offset: 0,
        };
        if !self.list.contains(&diagnostic) {
            self.list.push(diagnostic);
        }
    }

    /// Records a warning at `span` for `key_path`, once.
    pub fn warn(&mut self, span: Range<usize>, key_path: &str, message: impl Into<String>) {
        let (line, column) = line_column(self.text, span.start);
        let warning = Warning {
            file: Some(self.file.clone()),
            line: Some(line),
            column: Some(column),
            key_path: key_path.to_owned(),
            message: message.into(),
        };
        self.push_warning(warning);
    }

    /// 1-based line and column of byte `offset` of the file.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        line_column(self.text, offset)
    }

    /// Records `warning` unless it is recorded already.
    pub fn push_warning(&mut self, warning: Warning) {
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
    }

    /// Problems reported so far, repeats included.
    pub fn reported(&self) -> usize {
        self.reported
    }
}

/// ` (did you mean "x"?)` for the closest candidate, if one is close enough.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let best = candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, candidate)) => format!(" (did you mean \"{candidate}\"?)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_in_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, text.find('=').unwrap()), (1, 3));
        let second_eq = text.rfind('=').unwrap();
        assert_eq!(line_column(text, second_eq), (2, 4));
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("bufer", ["buffer", "machines"]),
            " (did you mean \"buffer\"?)"
        );
        assert_eq!(did_you_mean("zzz", ["buffer", "machines"]), "");
    }
}
