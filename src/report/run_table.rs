//! The terminal summary of a run: the station states of each variant, then
//! the answer, the variants with their gains (last, so that it is on the
//! screen when the run ends), then the speed of the run. Lines fit 100
//! columns for names of up to 24 characters.

use super::table::{duration, fixed, money_with_ci, render, with_ci, Style};
use crate::model::MachineState;
use crate::summary::{Summary, VariantSummary};
use std::fmt::Write;

/// The whole terminal summary, without colour.
pub fn text(summary: &Summary) -> String {
    styled(summary, Style { colour: false })
}

/// [`text`] with colour: gains green or red, the header bold.
pub fn styled(summary: &Summary, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} replication{} x {} measured after {} warm-up, seed {}\n",
        summary.scenario,
        summary.replications,
        if summary.replications == 1 { "" } else { "s" },
        duration(summary.horizon_h),
        duration(summary.warmup_h),
        summary.seed
    );
    for variant in &summary.variants {
        out.push_str(&stations_table(variant));
    }
    out.push('\n');
    out.push_str(&variants_table(summary, style));
    out.push('\n');
    if summary.variants.iter().any(|v| v.economics.is_some()) {
        out.push_str(&business_table(summary));
        out.push('\n');
    }
    for variant in &summary.variants {
        out.push_str(&wrap(
            &format!("{}: {}", variant.name, variant.bottleneck_why),
            100,
        ));
    }
    let timing = &summary.timing;
    let _ = writeln!(
        out,
        "\n* main bottleneck (active-period method): bn % = share of the time as the bottleneck\n\
         l/u: loading or unloading; w op: waiting for an operator (to start, load or unload)\n{} events in {:.2} s on {} thread{}: {:.2e} events/s, {:.2e} good parts/s",
        summary.events,
        timing.wall_s,
        timing.threads,
        if timing.threads == 1 { "" } else { "s" },
        timing.events_per_s,
        timing.good_parts_per_s
    );
    out
}

/// A row per variant with `[economics]`: the yearly cash, its gain over the
/// baseline, the NPV and the payback.
fn business_table(summary: &Summary) -> String {
    let header = [
        "business case",
        "cash/year (95% CI)",
        "gain/year",
        "NPV (95% CI)",
        "payback",
    ];
    let mut rows = vec![header.map(str::to_owned).to_vec()];
    for variant in &summary.variants {
        let Some(money) = &variant.economics else {
            continue;
        };
        let case = summary
            .comparisons
            .iter()
            .find(|c| c.variant == variant.name)
            .and_then(|c| c.economics.as_ref());
        let (gain, npv, payback) = match case {
            None => ("-".to_owned(), "-".to_owned(), "-".to_owned()),
            Some(case) => (
                money_with_ci(&case.cash_gain_per_year),
                money_with_ci(&case.npv),
                match &case.payback_years {
                    None => "never".to_owned(),
                    Some(_) if case.capex.mean == 0.0 => "at once".to_owned(),
                    Some(p) => format!("{} y", fixed(p.mean, 1)),
                },
            ),
        };
        let capped = if money.demand_capped { " (demand)" } else { "" };
        rows.push(vec![
            format!("{}{capped}", variant.name),
            money_with_ci(&money.cash_per_year),
            gain,
            npv,
            payback,
        ]);
    }
    render(&rows)
}

/// A row per variant: throughput, gain, bottleneck, WIP, lead time, energy.
fn variants_table(summary: &Summary, style: Style) -> String {
    let header = [
        "variant",
        "good/h (95% CI)",
        "gain % (95% CI)",
        "bottleneck",
        "WIP",
        "lead h",
        "kWh/part",
    ];
    let mut rows = vec![header.map(str::to_owned).to_vec()];
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
            if variant.bottleneck.is_empty() {
                "-".to_owned()
            } else {
                variant.bottleneck.clone()
            },
            fixed(variant.wip_mean, 1),
            fixed(variant.lead_time_min_mean / 60.0, 1),
            variant
                .energy_kwh_per_good_part
                .map(|e| fixed(e, 2))
                .unwrap_or_else(|| "-".to_owned()),
        ]);
    }
    let table = render(&rows);
    if style.colour {
        paint_gains(summary, &table, style)
    } else {
        table
    }
}

/// Colours the rows after alignment, so widths stay right: a variant whose
/// gain's CI lies above 0 green, below 0 red; the header bold.
fn paint_gains(summary: &Summary, table: &str, style: Style) -> String {
    let mut out = String::new();
    for (i, line) in table.lines().enumerate() {
        let painted = match summary.variants.get(i.wrapping_sub(2)) {
            // The header and its rule come first; rows follow in order.
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
    out
}

/// The state shares and flow of every station of one variant: busy,
/// blocked and starved always, the other states where some station of the
/// variant spends time in them, waiting for an operator to load or unload
/// counted with waiting for one (stations.csv has every state apart).
fn stations_table(variant: &VariantSummary) -> String {
    let mut out = format!("\nstations, {} (share of machine time, %):\n", variant.name);
    let always = [
        MachineState::Busy,
        MachineState::Blocked,
        MachineState::Starved,
    ];
    let share = |s: &crate::summary::StationSummary, state: MachineState| match state {
        MachineState::WaitingOperator => {
            s.shares[state] + s.shares[MachineState::WaitingLoadUnload]
        }
        _ => s.shares[state],
    };
    let shown: Vec<MachineState> = MachineState::ALL
        .into_iter()
        .filter(|&state| state != MachineState::WaitingLoadUnload)
        .filter(|&state| {
            always.contains(&state) || variant.stations.iter().any(|s| share(s, state) > 0.0)
        })
        .collect();
    let mut header = vec!["station".to_owned()];
    header.extend(shown.iter().map(|s| s.label().to_owned()));
    header.extend([
        "buffer".to_owned(),
        "good/h".to_owned(),
        "scrap %".to_owned(),
        "bn %".to_owned(),
    ]);
    let mut rows = vec![header];
    for s in &variant.stations {
        let mut row = vec![if s.name == variant.bottleneck {
            format!("{} *", s.name)
        } else {
            s.name.clone()
        }];
        row.extend(shown.iter().map(|&state| fixed(share(s, state) * 100.0, 1)));
        row.extend([
            fixed(s.buffer_mean, 2),
            fixed(s.throughput_per_h, 2),
            fixed(s.scrap_share * 100.0, 1),
            fixed(s.bottleneck_share() * 100.0, 1),
        ]);
        rows.push(row);
    }
    out.push_str(&render(&rows));
    out
}

/// `text` broken at spaces into lines of at most `width` characters (a
/// longer word stands alone), the follow-on lines indented by four.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    let mut words = 0;
    for word in text.split(' ') {
        if words > 0 && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = "    ".to_owned();
            words = 0;
        }
        if words > 0 {
            line.push(' ');
        }
        line.push_str(word);
        words += 1;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_breaks_at_spaces_and_indents_what_follows() {
        assert_eq!(wrap("a bb ccc", 4), "a bb\n    ccc\n");
        assert_eq!(wrap("a bb ccc", 20), "a bb ccc\n");
        assert_eq!(wrap("abcdefgh ij", 5), "abcdefgh\n    ij\n");
    }
}
