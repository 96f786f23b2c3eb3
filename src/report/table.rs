//! Plain-text tables for the terminal: aligned columns, a rule under the
//! header, numbers with their confidence intervals, optional colour.

use crate::stats::Estimate;

/// `mean ± half-width` (the mean alone without an interval).
pub fn with_ci(e: &Estimate, decimals: usize) -> String {
    if !e.mean.is_finite() {
        return "-".to_owned();
    }
    match e.half_width().filter(|h| h.is_finite()) {
        Some(h) => format!("{:.*} ± {:.*}", decimals, e.mean, decimals, h),
        None => format!("{:.*}", decimals, e.mean),
    }
}

/// An amount of money with its 95 % CI in the unit of its size:
/// "1.21 ± 0.05 M", "356 ± 12 k", "950 ± 40".
pub fn money_with_ci(e: &Estimate) -> String {
    if !e.mean.is_finite() {
        return "-".to_owned();
    }
    let (scale, unit, decimals) = match e.mean.abs() {
        m if m >= 1e6 => (1e6, " M", 2),
        m if m >= 1e4 => (1e3, " k", 0),
        _ => (1.0, "", 0),
    };
    format!("{}{unit}", with_ci(&e.scaled(1.0 / scale), decimals))
}

/// A duration in hours as "20 min", "8 h" or "28 d" (one decimal where it
/// is not whole).
pub fn duration(hours: f64) -> String {
    let (value, unit) = if hours < 1.0 {
        (hours * 60.0, "min")
    } else if hours < 48.0 {
        (hours, "h")
    } else {
        (hours / 24.0, "d")
    };
    let text = format!("{value:.1}");
    format!("{} {unit}", text.strip_suffix(".0").unwrap_or(&text))
}

/// A number with `decimals` decimals, `-` when it is not finite.
pub fn fixed(value: f64, decimals: usize) -> String {
    if value.is_finite() {
        format!("{value:.decimals$}")
    } else {
        "-".to_owned()
    }
}

/// Renders rows as left-aligned first column, right-aligned others; the
/// first row is the header.
pub fn render(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if i == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * (columns.saturating_sub(1));
            out.push_str(&"-".repeat(total));
            out.push('\n');
        }
    }
    out
}

/// ANSI styling, used only when the output is a terminal.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub colour: bool,
}

impl Style {
    /// Colour when standard output is a terminal and `NO_COLOR` is not set.
    pub fn for_stdout() -> Style {
        use std::io::IsTerminal;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            colour: std::io::stdout().is_terminal() && !no_color,
        }
    }

    /// `text` in the ANSI style `code` when colour is on.
    pub fn paint(&self, text: &str, code: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}
