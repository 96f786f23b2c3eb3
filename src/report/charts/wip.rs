//! `wip.png`: work in process over simulated time, per variant the mean and
//! the min–max band over replications, the warm-up shaded.

use super::{err, finite_or, title, variant_color, Area, ChartData, SeriesRow, FONT};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;

type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

pub fn draw(root: &Area<'_>, data: &ChartData) -> Result<(), String> {
    let mut by_variant: BTreeMap<usize, Vec<&SeriesRow>> = BTreeMap::new();
    for row in &data.series {
        if let Some(i) = data.variant_index(&row.variant) {
            by_variant.entry(i).or_default().push(row);
        }
    }
    let end_h = data.summary.warmup_h + data.summary.horizon_h;
    let top = data
        .series
        .iter()
        .map(|r| finite_or(r.wip_max, 0.0))
        .fold(0.0, f64::max);
    // Headroom above the curves for the legend.
    let y_max = if top > 0.0 { top * 1.45 } else { 1.0 };
    let mut chart = ChartBuilder::on(root)
        .caption(
            title(
                data,
                "work in process over simulated time (mean, min–max of replications)",
            ),
            (FONT, 36),
        )
        .margin(30)
        .x_label_area_size(70)
        .y_label_area_size(110)
        .build_cartesian_2d(0f64..end_h.max(1e-9), 0f64..y_max)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("simulated time (h)")
        .y_desc("parts in the line")
        .axis_desc_style((FONT, 28))
        .label_style((FONT, 24))
        .draw()
        .map_err(err)?;
    if data.summary.warmup_h > 0.0 {
        shade_warmup(&mut chart, data.summary.warmup_h, y_max)?;
    }
    for (&i, rows) in &by_variant {
        draw_variant(&mut chart, data, i, rows)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT, 24))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    Ok(())
}

fn shade_warmup(chart: &mut Chart<'_, '_>, warmup_h: f64, y_max: f64) -> Result<(), String> {
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(0.0, 0.0), (warmup_h, y_max)],
            BLACK.mix(0.08).filled(),
        )))
        .map_err(err)?;
    let style = TextStyle::from((FONT, 26).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    chart
        .draw_series(std::iter::once(Text::new(
            "warm-up (not measured)".to_owned(),
            (warmup_h / 2.0, y_max * 0.98),
            style,
        )))
        .map_err(err)?;
    Ok(())
}

/// The band and mean curve of variant `i`.
fn draw_variant(
    chart: &mut Chart<'_, '_>,
    data: &ChartData,
    i: usize,
    rows: &[&SeriesRow],
) -> Result<(), String> {
    let color = variant_color(i);
    let mut band: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (r.time_h, finite_or(r.wip_max, 0.0)))
        .collect();
    band.extend(
        rows.iter()
            .rev()
            .map(|r| (r.time_h, finite_or(r.wip_min, 0.0))),
    );
    chart
        .draw_series(std::iter::once(Polygon::new(
            band,
            color.mix(0.18).filled(),
        )))
        .map_err(err)?;
    let variant = &data.summary.variants[i];
    chart
        .draw_series(LineSeries::new(
            rows.iter().map(|r| (r.time_h, finite_or(r.wip_mean, 0.0))),
            color.stroke_width(3),
        ))
        .map_err(err)?
        .label(format!(
            "{}: mean WIP {:.1}",
            variant.name, variant.wip_mean
        ))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], color.stroke_width(4)));
    Ok(())
}
