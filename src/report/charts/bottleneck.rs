//! `bottleneck.png`: a panel per variant, one bar per station: the share of
//! the measured time it was the sole bottleneck (dark) and a shifting one
//! (light, stacked on top), each with its 95 % CI; the main bottleneck's
//! bar is labelled. The panels share their axes, so the move of the
//! bottleneck from the baseline to each variant is seen at a glance.

use super::{category_label, err, finite_or, frame, label_above, Area, ChartData, FONT, HEIGHT};
use crate::stats::Estimate;
use crate::summary::VariantSummary;
use plotters::prelude::*;

pub const NAME: &str = "bottleneck.png";

const SOLE: RGBColor = RGBColor(0xB2, 0x18, 0x2B);
const SHIFTING: RGBColor = RGBColor(0xF4, 0xA5, 0x82);

/// One readable panel per variant.
pub fn height(data: &ChartData) -> u32 {
    HEIGHT.max(160 + 260 * data.summary.variants.len() as u32)
}

pub fn draw(root: &Area<'_>, data: &ChartData) -> Result<(), String> {
    let (panels_area, legend_area) = frame(
        root,
        data,
        "where the bottleneck is (share of the measured time)",
    )?;
    let variants = &data.summary.variants;
    let top = axis_top(variants);
    let panels = panels_area.split_evenly((variants.len().max(1), 1));
    for (variant, panel) in variants.iter().zip(panels.iter()) {
        draw_panel(panel, variant, top)?;
    }
    draw_legend(&legend_area)
}

/// The top of the shared y axis, percent: room above the tallest bar and
/// its interval for the label, at most 100.
fn axis_top(variants: &[VariantSummary]) -> f64 {
    let tallest = variants
        .iter()
        .flat_map(|v| &v.stations)
        .map(|s| {
            let high = |e: &Estimate| finite_or(e.ci95_high.unwrap_or(e.mean), 0.0);
            high(&s.bottleneck_sole) + high(&s.bottleneck_shifting)
        })
        .fold(0.0, f64::max);
    (tallest * 100.0 * 1.2).clamp(10.0, 100.0)
}

fn draw_panel(panel: &Area<'_>, variant: &VariantSummary, top: f64) -> Result<(), String> {
    let names: Vec<String> = variant.stations.iter().map(|s| s.name.clone()).collect();
    let n = names.len().max(1);
    let caption = if variant.bottleneck.is_empty() {
        format!("{} — no bottleneck", variant.name)
    } else {
        format!("{} — main bottleneck: {}", variant.name, variant.bottleneck)
    };
    let mut chart = ChartBuilder::on(panel)
        .caption(caption, (FONT, 26))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .y_labels(5)
        .x_label_formatter(&|x| category_label(&names, *x))
        .y_label_formatter(&|y| format!("{y:.0} %"))
        .label_style((FONT, 20))
        .draw()
        .map_err(err)?;
    for (i, station) in variant.stations.iter().enumerate() {
        let x = i as f64;
        let sole = finite_or(station.bottleneck_sole.mean, 0.0) * 100.0;
        let shifting = finite_or(station.bottleneck_shifting.mean, 0.0) * 100.0;
        let bar = |low: f64, high: f64, colour: RGBColor| {
            Rectangle::new(
                [(x - 0.3, low.min(top)), (x + 0.3, high.min(top))],
                colour.filled(),
            )
        };
        chart
            .draw_series([bar(0.0, sole, SOLE), bar(sole, sole + shifting, SHIFTING)])
            .map_err(err)?;
        // Each share's interval, drawn at the top of its part of the bar.
        for (estimate, level) in [
            (&station.bottleneck_sole, sole),
            (&station.bottleneck_shifting, sole + shifting),
        ] {
            if let Some(half) = estimate.half_width().filter(|h| *h > 0.0) {
                chart
                    .draw_series(whisker(x, level, half * 100.0, top))
                    .map_err(err)?;
            }
        }
        if station.name == variant.bottleneck {
            let label = format!("main bottleneck {:.0} %", sole + shifting);
            let y = (sole + shifting + top * 0.04).min(top * 0.96);
            chart
                .draw_series([Text::new(label, (x, y), label_above(22))])
                .map_err(err)?;
        }
    }
    Ok(())
}

/// An interval of `half` around `level` at `x`, within the axis.
fn whisker(x: f64, level: f64, half: f64, top: f64) -> [PathElement<(f64, f64)>; 3] {
    let (low, high) = ((level - half).max(0.0), (level + half).min(top));
    [
        PathElement::new(vec![(x, low), (x, high)], BLACK.stroke_width(2)),
        PathElement::new(vec![(x - 0.08, low), (x + 0.08, low)], BLACK),
        PathElement::new(vec![(x - 0.08, high), (x + 0.08, high)], BLACK),
    ]
}

fn draw_legend(legend_area: &Area<'_>) -> Result<(), String> {
    let items = [
        (SOLE, "sole bottleneck"),
        (
            SHIFTING,
            "shifting bottleneck (overlaps another station's period)",
        ),
    ];
    let mut x = 40;
    for (colour, name) in items {
        legend_area
            .draw(&Rectangle::new([(x, 20), (x + 30, 50)], colour.filled()))
            .map_err(err)?;
        legend_area
            .draw(&Text::new(name, (x + 40, 22), (FONT, 24)))
            .map_err(err)?;
        x += 40 + 16 * name.len() as i32;
    }
    legend_area
        .draw(&Text::new(
            "whiskers: 95 % CI over replications",
            (x + 20, 22),
            (FONT, 24),
        ))
        .map_err(err)?;
    Ok(())
}
