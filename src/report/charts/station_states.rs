//! `station_states.png`: a panel per variant with the stacked state shares
//! of every station, the bottleneck outlined, and a legend of the states.

use super::{
    category_label, err, finite_or, frame, state_color, state_legend, states_shown, Area,
    ChartData, FONT, HEIGHT,
};
use crate::summary::VariantSummary;
use plotters::prelude::*;

/// Taller than the other charts with many variants: one readable panel each.
pub fn height(data: &ChartData) -> u32 {
    HEIGHT.max(160 + 280 * data.summary.variants.len() as u32)
}

pub fn draw(root: &Area<'_>, data: &ChartData) -> Result<(), String> {
    let (panels_area, legend_area) = frame(
        root,
        data,
        "machine states per station (share of machine time)",
    )?;
    let variants = &data.summary.variants;
    let panels = panels_area.split_evenly((variants.len().max(1), 1));
    for (variant, panel) in variants.iter().zip(panels.iter()) {
        draw_panel(panel, variant)?;
    }
    state_legend(&legend_area, &states_shown(&data.summary, |_| false))
}

/// The station labels of a variant's panel (the bottleneck named) and
/// the panel's caption.
fn labels(variant: &VariantSummary) -> (Vec<String>, String) {
    let names: Vec<String> = variant
        .stations
        .iter()
        .map(|s| {
            if s.name == variant.bottleneck {
                format!("{} (bottleneck)", s.name)
            } else {
                s.name.clone()
            }
        })
        .collect();
    let caption = if variant.bottleneck.is_empty() {
        format!("{} — no bottleneck", variant.name)
    } else {
        format!(
            "{} — main bottleneck: {} (outlined)",
            variant.name, variant.bottleneck
        )
    };
    (names, caption)
}

/// One variant: a stacked bar of state shares per station.
fn draw_panel(panel: &Area<'_>, variant: &VariantSummary) -> Result<(), String> {
    let (names, caption) = labels(variant);
    let n = names.len().max(1);
    let mut chart = ChartBuilder::on(panel)
        .caption(caption, (FONT, 26))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..100.0)
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
        let mut bottom = 0.0;
        for (state, share) in station.shares.states() {
            let share = finite_or(*share, 0.0) * 100.0;
            if share <= 0.0 {
                continue;
            }
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.35, bottom), (x + 0.35, (bottom + share).min(100.0))],
                    state_color(state).filled(),
                )))
                .map_err(err)?;
            bottom += share;
        }
        if station.name == variant.bottleneck {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.37, 0.0), (x + 0.37, 100.0)],
                    BLACK.stroke_width(3),
                )))
                .map_err(err)?;
        }
    }
    Ok(())
}
