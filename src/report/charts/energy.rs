//! `energy.png` (only with energy data): energy per good part per variant,
//! stacked by station, with kg CO2 on a second axis when a CO2 factor is
//! given. Scrap's energy is included.

use super::{
    category_label, err, finite_or, label_above, station_color, title, Area, ChartData, FONT,
};
use crate::summary::VariantSummary;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Every station of every variant, in order of first appearance (a change
/// may add stations): the colour of a station is its place here.
fn all_stations(variants: &[VariantSummary]) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for v in variants {
        for s in &v.stations {
            if !all.contains(&s.name) {
                all.push(s.name.clone());
            }
        }
    }
    all
}

pub fn draw(root: &Area<'_>, data: &ChartData) -> Result<(), String> {
    let variants = &data.summary.variants;
    let names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
    let n = variants.len().max(1);
    let stations = all_stations(variants);
    let top = variants
        .iter()
        .map(|v| finite_or(v.energy_kwh_per_good_part.unwrap_or(0.0), 0.0))
        .fold(0.0, f64::max);
    let y_max = if top > 0.0 { top * 1.25 } else { 1.0 };
    let co2_factor = variants
        .iter()
        .find_map(|v| Some(v.co2_kg_per_good_part? / v.energy_kwh_per_good_part?))
        .filter(|f| f.is_finite());
    let mut builder = ChartBuilder::on(root);
    builder
        .caption(
            title(
                data,
                "energy per good part, by station (scrap's energy included)",
            ),
            (FONT, 36),
        )
        .margin(30)
        .x_label_area_size(70)
        .y_label_area_size(110)
        .right_y_label_area_size(if co2_factor.is_some() { 110 } else { 0 });
    let mut chart = builder
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..y_max)
        .map_err(err)?
        .set_secondary_coord(
            -0.5f64..(n as f64 - 0.5),
            0f64..y_max * co2_factor.unwrap_or(1.0),
        );
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| category_label(&names, *x))
        .x_desc("variant")
        .y_desc("kWh per good part")
        .axis_desc_style((FONT, 28))
        .label_style((FONT, 24))
        .draw()
        .map_err(err)?;
    if co2_factor.is_some() {
        chart
            .configure_secondary_axes()
            .y_desc("kg CO2 per good part")
            .axis_desc_style((FONT, 28))
            .label_style((FONT, 24))
            .draw()
            .map_err(err)?;
    }
    for (i, v) in variants.iter().enumerate() {
        draw_variant(&mut chart, i, v, &stations, y_max)?;
    }
    draw_legend(&mut chart, &stations)
}

/// The stacked bar of one variant and its total.
fn draw_variant(
    chart: &mut Chart<'_, '_>,
    i: usize,
    v: &VariantSummary,
    stations: &[String],
    y_max: f64,
) -> Result<(), String> {
    let x = i as f64;
    let good = v.good_parts_mean;
    let mut bottom = 0.0;
    for station in &v.stations {
        let Some(kwh) = station.energy_kwh else {
            continue;
        };
        if !(good > 0.0 && kwh.is_finite() && kwh > 0.0) {
            continue;
        }
        let share = kwh / good;
        let color_index = stations
            .iter()
            .position(|s| *s == station.name)
            .unwrap_or(0);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - 0.3, bottom), (x + 0.3, bottom + share)],
                station_color(color_index).filled(),
            )))
            .map_err(err)?;
        bottom += share;
    }
    let total = v.energy_kwh_per_good_part.unwrap_or(f64::NAN);
    if total.is_finite() {
        let label = match v.co2_kg_per_good_part {
            Some(co2) if co2.is_finite() => format!("{total:.2} kWh, {co2:.2} kg CO2"),
            _ => format!("{total:.2} kWh"),
        };
        chart
            .draw_series(std::iter::once(Text::new(
                label,
                (x, total + y_max * 0.015),
                label_above(24),
            )))
            .map_err(err)?;
    }
    Ok(())
}

/// Legend of stations, drawn as invisible series with swatches.
fn draw_legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>, stations: &[String]) -> Result<(), String> {
    for (index, name) in stations.iter().enumerate() {
        let color = station_color(index);
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
            .map_err(err)?
            .label(name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 10), (x + 24, y + 10)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT, 22))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    Ok(())
}
