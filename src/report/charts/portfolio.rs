//! `portfolio.png`: every subset of the changes as capex against the
//! objective with its 95 % CI, the efficient frontier drawn as a step line
//! through its subsets (labelled by their measures), and the budget, when
//! one is given, as a vertical line with the recommendation ringed.

use super::{err, finite_or, stage, Area, FONT, HEIGHT};
use crate::portfolio::{Objective, Portfolio};
use crate::report::atomic::{OutputError, ResultSet};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub const NAME: &str = "portfolio.png";

pub fn stage_chart(
    set: &mut ResultSet,
    scenario: &str,
    portfolio: &Portfolio,
) -> Result<(), OutputError> {
    stage(set, NAME, HEIGHT, &|root| draw(root, scenario, portfolio))
}

fn draw(root: &Area<'_>, scenario: &str, p: &Portfolio) -> Result<(), String> {
    let (scale, unit) = match p.objective {
        Objective::Npv => (1e6, "NPV over the baseline (millions)"),
        Objective::Throughput => (1.0, "good parts per hour"),
    };
    let y = |v: f64| finite_or(v, 0.0) / scale;
    let x_max = p
        .candidates
        .iter()
        .map(|c| c.capex / 1e6)
        .chain(p.budget.map(|b| b / 1e6))
        .fold(0.0, f64::max)
        .max(1e-6)
        * 1.15;
    let ends = p.candidates.iter().flat_map(|c| {
        [
            y(c.objective.ci95_low.unwrap_or(c.objective.mean)),
            y(c.objective.ci95_high.unwrap_or(c.objective.mean)),
        ]
    });
    let (low, high) = ends.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let span = (high - low).max(1e-9);
    let (y_min, y_max) = (low - span * 0.1, high + span * 0.15);
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!("{scenario} — which measures to buy: every subset, and the efficient frontier"),
            (FONT, 36),
        )
        .margin(30)
        .x_label_area_size(70)
        .y_label_area_size(120)
        .build_cartesian_2d(-x_max * 0.03..x_max, y_min..y_max)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("capex (currency units, millions)")
        .y_desc(unit)
        .axis_desc_style((FONT, 28))
        .label_style((FONT, 24))
        .draw()
        .map_err(err)?;
    let grey = RGBColor(0x99, 0x99, 0x99);
    for c in &p.candidates {
        let (cx, cy) = (c.capex / 1e6, y(c.objective.mean));
        if let (Some(lo), Some(hi)) = (c.objective.ci95_low, c.objective.ci95_high) {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(cx, y(lo)), (cx, y(hi))],
                    grey.stroke_width(2),
                )))
                .map_err(err)?;
        }
        let colour = if c.frontier {
            RGBColor(0x2E, 0x8B, 0x57)
        } else {
            grey
        };
        chart
            .draw_series(std::iter::once(Circle::new(
                (cx, cy),
                if c.frontier { 9 } else { 5 },
                colour.filled(),
            )))
            .map_err(err)?;
    }
    let frontier = p.frontier();
    let mut steps = Vec::new();
    for (i, c) in frontier.iter().enumerate() {
        let (cx, cy) = (c.capex / 1e6, y(c.objective.mean));
        steps.push((cx, cy));
        let next_x = frontier.get(i + 1).map_or(x_max, |n| n.capex / 1e6);
        steps.push((next_x, cy));
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            steps,
            RGBColor(0x2E, 0x8B, 0x57).stroke_width(3),
        )))
        .map_err(err)?;
    let label = (FONT, 22)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Bottom));
    let below = (FONT, 22)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Top));
    for (i, c) in frontier.iter().enumerate() {
        let text = if c.changes.is_empty() {
            "nothing".to_owned()
        } else {
            c.changes.join(" + ")
        };
        // Alternately above and below the line, so that neighbours do not overlap.
        let (dy, style) = if i % 2 == 0 {
            (span * 0.015, label.clone())
        } else {
            (-span * 0.015, below.clone())
        };
        chart
            .draw_series(std::iter::once(Text::new(
                text,
                (c.capex / 1e6 + x_max * 0.01, y(c.objective.mean) + dy),
                style,
            )))
            .map_err(err)?;
    }
    if let Some(budget) = p.budget {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(budget / 1e6, y_min), (budget / 1e6, y_max)],
                RGBColor(0xD6, 0x27, 0x28).stroke_width(2),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("budget {:.1} M", budget / 1e6),
                (budget / 1e6 + x_max * 0.005, y_min + span * 0.03),
                label.clone(),
            )))
            .map_err(err)?;
        if let Some(best) = p.recommended {
            let c = &p.candidates[best];
            chart
                .draw_series(std::iter::once(Circle::new(
                    (c.capex / 1e6, y(c.objective.mean)),
                    16,
                    RGBColor(0xD6, 0x27, 0x28).stroke_width(3),
                )))
                .map_err(err)?;
        }
    }
    Ok(())
}
