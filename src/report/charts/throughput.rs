//! `throughput.png`: good parts per hour per variant, 95 % CI error bars,
//! and the gain over the baseline written above each bar.

use super::{
    category_label, err, finite_or, label_above, title, variant_color, whisker, Area, ChartData,
    FONT,
};
use crate::summary::VariantSummary;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

pub fn draw(root: &Area<'_>, data: &ChartData) -> Result<(), String> {
    let variants = &data.summary.variants;
    let names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
    let n = variants.len().max(1);
    let top = variants
        .iter()
        .map(|v| {
            finite_or(
                v.throughput_per_h
                    .ci95_high
                    .unwrap_or(v.throughput_per_h.mean),
                0.0,
            )
        })
        .fold(0.0, f64::max);
    let y_max = if top > 0.0 { top * 1.25 } else { 1.0 };
    let mut chart = ChartBuilder::on(root)
        .caption(
            title(data, "good parts per hour, 95 % confidence intervals"),
            (FONT, 40),
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
        .x_desc("variant")
        .y_desc("good parts per hour")
        .axis_desc_style((FONT, 28))
        .label_style((FONT, 24))
        .draw()
        .map_err(err)?;
    for (i, v) in variants.iter().enumerate() {
        draw_variant(&mut chart, data, i, v, y_max)?;
    }
    Ok(())
}

/// The bar of one variant, its CI whisker and its label.
fn draw_variant(
    chart: &mut Chart<'_, '_>,
    data: &ChartData,
    i: usize,
    v: &VariantSummary,
    y_max: f64,
) -> Result<(), String> {
    let x = i as f64;
    let mean = finite_or(v.throughput_per_h.mean, 0.0);
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(x - 0.3, 0.0), (x + 0.3, mean)],
            variant_color(i).mix(0.85).filled(),
        )))
        .map_err(err)?;
    let mut label_y = mean;
    if let (Some(low), Some(high)) = (v.throughput_per_h.ci95_low, v.throughput_per_h.ci95_high) {
        if low.is_finite() && high.is_finite() {
            // Whisker with caps from the low to the high end of the CI.
            chart
                .draw_series(whisker(x, low.max(0.0), high))
                .map_err(err)?;
            label_y = high;
        }
    }
    chart
        .draw_series(std::iter::once(Text::new(
            bar_label(data, v, mean),
            (x, label_y + y_max * 0.015),
            label_above(26),
        )))
        .map_err(err)?;
    Ok(())
}

/// "31.20/h   +9.1 % ± 1.2": throughput and, for a variant, its gain.
fn bar_label(data: &ChartData, v: &VariantSummary, mean: f64) -> String {
    let label = format!("{mean:.2}/h");
    let Some(c) = data
        .summary
        .comparisons
        .iter()
        .find(|c| c.variant == v.name)
    else {
        return label;
    };
    if !c.gain_pct.mean.is_finite() {
        return label;
    }
    match c.gain_pct.half_width() {
        Some(h) if h.is_finite() => format!("{label}   {:+.1} % ± {h:.1}", c.gain_pct.mean),
        _ => format!("{label}   {:+.1} %", c.gain_pct.mean),
    }
}
