//! The summary table printed at the end of a run.

use crate::engine::STATE_NAMES;
use crate::stats::Estimate;
use crate::summary::Summary;
use std::fmt::Write;

fn with_ci(e: &Estimate, decimals: usize) -> String {
    match e.half_width() {
        Some(h) => format!("{:.*} ± {:.*}", decimals, e.mean, decimals, h),
        None => format!("{:.*}", decimals, e.mean),
    }
}

fn fixed(value: f64, decimals: usize) -> String {
    if value.is_finite() {
        format!("{value:.decimals$}")
    } else {
        "-".to_owned()
    }
}

/// Renders rows as left-aligned first column, right-aligned others.
fn render(rows: &[Vec<String>]) -> String {
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
    fn paint(&self, text: &str, code: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// The whole terminal summary: variants, then station states per variant.
pub fn summary_table(summary: &Summary) -> String {
    summary_table_styled(summary, Style { colour: false })
}

/// [`summary_table`] with colour: gains green or red, bottlenecks bold.
pub fn summary_table_styled(summary: &Summary, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} replication{} x {:.0} h measured after {:.0} h warm-up, seed {}\n",
        summary.scenario,
        summary.replications,
        if summary.replications == 1 { "" } else { "s" },
        summary.horizon_h,
        summary.warmup_h,
        summary.seed
    );
    let mut rows = vec![vec![
        "variant".to_owned(),
        "good parts/h (95% CI)".to_owned(),
        "gain % (95% CI)".to_owned(),
        "bottleneck".to_owned(),
        "WIP".to_owned(),
        "lead time min".to_owned(),
        "kWh/part".to_owned(),
    ]];
    for variant in &summary.variants {
        let gain = summary
            .comparisons
            .iter()
            .find(|c| c.variant == variant.name)
            .map(|c| with_ci(&c.gain_pct, 1))
            .unwrap_or_else(|| "-".to_owned());
        rows.push(vec![
            variant.name.clone(),
            with_ci(&variant.throughput_per_h, 2),
            gain,
            if variant.bottleneck_on_shift == variant.bottleneck {
                variant.bottleneck.clone()
            } else {
                format!(
                    "{} (on shift: {})",
                    variant.bottleneck, variant.bottleneck_on_shift
                )
            },
            fixed(variant.wip_mean, 1),
            fixed(variant.lead_time_min_mean, 1),
            variant
                .energy_kwh_per_good_part
                .map(|e| fixed(e, 2))
                .unwrap_or_else(|| "-".to_owned()),
        ]);
    }
    let table = render(&rows);
    if style.colour {
        // Colour the gain column after alignment, so widths stay right.
        for (i, line) in table.lines().enumerate() {
            let painted = match summary.variants.get(i.wrapping_sub(2)) {
                Some(variant) if i >= 2 => {
                    let gain = summary
                        .comparisons
                        .iter()
                        .find(|c| c.variant == variant.name);
                    match gain.and_then(|c| Some((c.gain_pct.ci95_low?, c.gain_pct.ci95_high?))) {
                        Some((low, _)) if low > 0.0 => style.paint(line, "32"),
                        Some((_, high)) if high < 0.0 => style.paint(line, "31"),
                        _ => line.to_owned(),
                    }
                }
                _ if i == 0 => style.paint(line, "1"),
                _ => line.to_owned(),
            };
            out.push_str(&painted);
            out.push('\n');
        }
    } else {
        out.push_str(&table);
    }
    for variant in &summary.variants {
        let _ = writeln!(
            out,
            "\nstations, {} (share of machine time, %):",
            variant.name
        );
        let mut header = vec!["station".to_owned()];
        header.extend(STATE_NAMES.iter().map(|s| s.to_string()));
        header.extend([
            "buffer".to_owned(),
            "good/h".to_owned(),
            "scrap %".to_owned(),
        ]);
        let mut rows = vec![header];
        for s in &variant.stations {
            let mut row = vec![if s.name == variant.bottleneck {
                format!("{} *", s.name)
            } else {
                s.name.clone()
            }];
            row.extend(s.shares().iter().map(|v| fixed(v * 100.0, 1)));
            row.extend([
                fixed(s.buffer_mean, 2),
                fixed(s.throughput_per_h, 2),
                fixed(s.scrap_share * 100.0, 1),
            ]);
            rows.push(row);
        }
        out.push_str(&render(&rows));
    }
    let _ = writeln!(
        out,
        "\n* bottleneck (largest busy + setup + down + waiting-operator share)\n{} events in {:.2} s on {} thread{}: {:.3e} events/s, {:.3e} good parts/s",
        summary.events,
        summary.wall_s,
        summary.threads,
        if summary.threads == 1 { "" } else { "s" },
        summary.events_per_s,
        summary.good_parts_per_s
    );
    out
}
