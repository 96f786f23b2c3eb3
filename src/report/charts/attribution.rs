//! `attribution.png`: a waterfall from the baseline to the variant, one
//! step per change (its Shapley value with its 95 % CI whisker), largest
//! first.

use super::{category_label, err, finite_or, label_above, stage, Area, FONT, HEIGHT};
use crate::attribution::Attribution;
use crate::report::atomic::{OutputError, ResultSet};
use crate::stats::Estimate;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

pub const NAME: &str = "attribution.png";

pub fn stage_chart(
    set: &mut ResultSet,
    scenario: &str,
    a: &Attribution,
) -> Result<(), OutputError> {
    stage(set, NAME, HEIGHT, &|root| draw(root, scenario, a))
}

/// A step of the waterfall: from, to, and the Shapley value's estimate.
type Step = (f64, f64, Estimate);

fn draw(root: &Area<'_>, scenario: &str, a: &Attribution) -> Result<(), String> {
    let mut order: Vec<usize> = (0..a.changes.len()).collect();
    order.sort_by(|&x, &y| {
        a.changes[y]
            .shapley
            .mean
            .total_cmp(&a.changes[x].shapley.mean)
    });
    let mut names = vec!["baseline".to_owned()];
    names.extend(order.iter().map(|&i| a.changes[i].name.clone()));
    names.push(a.variant.clone());
    let n = names.len();
    // Running level after each step.
    let mut level = finite_or(a.baseline_per_h.mean, 0.0);
    let mut steps: Vec<Step> = Vec::new();
    for &i in &order {
        let s = finite_or(a.changes[i].shapley.mean, 0.0);
        steps.push((level, level + s, a.changes[i].shapley));
        level += s;
    }
    let end = finite_or(a.variant_per_h.mean, level);
    let top = steps
        .iter()
        .map(|(from, to, e)| from.max(*to).max(to + e.half_width().unwrap_or(0.0)))
        .fold(end.max(a.baseline_per_h.mean), f64::max);
    let y_max = if top > 0.0 { top * 1.2 } else { 1.0 };
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!(
                "{scenario} — where the gain of {} comes from (Shapley values, 95 % CI)",
                a.variant
            ),
            (FONT, 34),
        )
        .margin(30)
        .x_label_area_size(70)
        .y_label_area_size(110)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..y_max)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| category_label(&names, *x))
        .y_desc("good parts per hour")
        .axis_desc_style((FONT, 28))
        .label_style((FONT, 22))
        .draw()
        .map_err(err)?;
    let ends = [
        (0.0, finite_or(a.baseline_per_h.mean, 0.0)),
        ((n - 1) as f64, end),
    ];
    draw_ends(&mut chart, ends, y_max)?;
    for (step, (s, &i)) in steps.iter().zip(&order).enumerate() {
        let label_y = draw_step(&mut chart, (step + 1) as f64, s, y_max)?;
        let change = &a.changes[i];
        if let Some(capex) = change.capex {
            let per_million = change
                .gain_per_million
                .map_or(String::new(), |g| format!(", {g:+.2}/h per M"));
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("capex {:.2} M{per_million}", capex / 1e6),
                    ((step + 1) as f64, label_y + y_max * 0.045),
                    label_above(20),
                )))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// The grey bars of the baseline and the variant, with their values.
fn draw_ends(chart: &mut Chart<'_, '_>, ends: [(f64, f64); 2], y_max: f64) -> Result<(), String> {
    let grey = RGBColor(0x77, 0x77, 0x77);
    for (x, value) in ends {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - 0.3, 0.0), (x + 0.3, value)],
                grey.filled(),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{value:.2}/h"),
                (x, value + y_max * 0.01),
                label_above(24),
            )))
            .map_err(err)?;
    }
    Ok(())
}

/// One change's step: green up or red down, its CI whisker and value;
/// returns the height its label stands on.
fn draw_step(chart: &mut Chart<'_, '_>, x: f64, step: &Step, y_max: f64) -> Result<f64, String> {
    let (from, to, estimate) = step;
    let color = if to >= from {
        RGBColor(0x2E, 0x8B, 0x57)
    } else {
        RGBColor(0xD6, 0x27, 0x28)
    };
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(x - 0.3, *from), (x + 0.3, *to)],
            color.filled(),
        )))
        .map_err(err)?;
    let mut label_y = from.max(*to);
    if let Some(h) = estimate.half_width().filter(|h| h.is_finite()) {
        let whisker = vec![(x, to - h), (x, to + h)];
        chart
            .draw_series(std::iter::once(PathElement::new(
                whisker,
                BLACK.stroke_width(3),
            )))
            .map_err(err)?;
        label_y = label_y.max(to + h);
    }
    let text = match estimate.half_width() {
        Some(h) if h.is_finite() => format!("{:+.2} ± {h:.2}", to - from),
        _ => format!("{:+.2}", to - from),
    };
    chart
        .draw_series(std::iter::once(Text::new(
            text,
            (x, label_y + y_max * 0.01),
            label_above(24),
        )))
        .map_err(err)?;
    Ok(label_y)
}
