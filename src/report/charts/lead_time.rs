//! `lead_time.png`: the cumulative distribution of the lead time of good
//! parts per variant on a log axis, its mean (a vertical line) and 95th
//! percentile (a diamond).

use super::{err, format_hours, title, variant_color, Area, ChartData, LeadRow, FONT};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::collections::BTreeMap;

type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The upper edge of a bin, its lower edge for the open last one.
fn upper(r: &LeadRow) -> f64 {
    if r.high_min.is_finite() {
        r.high_min
    } else {
        r.low_min
    }
}

/// The range of the axis, hours: around every bin of every variant.
fn axis_range(data: &ChartData) -> (f64, f64) {
    let low_h = data
        .lead_times
        .iter()
        .map(|r| r.low_min.max(1e-3) / 60.0)
        .fold(f64::INFINITY, f64::min);
    let high_h = data
        .lead_times
        .iter()
        .map(|r| upper(r) / 60.0)
        .fold(0.0, f64::max);
    if low_h.is_finite() && high_h > low_h {
        (low_h * 0.9, high_h * 1.1)
    } else {
        (0.01, 1.0)
    }
}

pub fn draw(root: &Area<'_>, data: &ChartData) -> Result<(), String> {
    let mut by_variant: BTreeMap<usize, Vec<&LeadRow>> = BTreeMap::new();
    for row in &data.lead_times {
        if let Some(i) = data.variant_index(&row.variant) {
            by_variant.entry(i).or_default().push(row);
        }
    }
    let (low_h, high_h) = axis_range(data);
    let caption = title(
        data,
        "lead time of good parts: cumulative share, mean (line) and 95th percentile (diamond)",
    );
    let mut chart = ChartBuilder::on(root)
        .caption(caption, (FONT, 36))
        .margin(30)
        .x_label_area_size(70)
        .y_label_area_size(110)
        .build_cartesian_2d(low_h.log10()..high_h.log10(), 0f64..1.05)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(12)
        .x_desc("lead time (log scale)")
        .y_desc("share of good parts")
        .y_label_formatter(&|y| format!("{:.0} %", y * 100.0))
        .x_label_formatter(&|x| format_hours(10f64.powf(*x)))
        .axis_desc_style((FONT, 28))
        .label_style((FONT, 24))
        .draw()
        .map_err(err)?;
    for (&i, rows) in &by_variant {
        draw_variant(&mut chart, data, i, rows, (low_h, high_h))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font((FONT, 24))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    Ok(())
}

/// The cumulative curve of variant `i`, its mean and 95th percentile.
fn draw_variant(
    chart: &mut Chart<'_, '_>,
    data: &ChartData,
    i: usize,
    rows: &[&LeadRow],
    (low_h, high_h): (f64, f64),
) -> Result<(), String> {
    let color = variant_color(i);
    let mut cumulative = 0.0;
    let mut points = vec![((rows[0].low_min.max(1e-3) / 60.0).log10(), 0.0)];
    for r in rows {
        cumulative += r.share;
        points.push(((upper(r) / 60.0).log10(), cumulative.min(1.0)));
    }
    let v = &data.summary.variants[i];
    chart
        .draw_series(LineSeries::new(points, color.stroke_width(3)))
        .map_err(err)?
        .label(format!(
            "{}: mean {}, 95th percentile {}",
            v.name,
            format_hours(v.lead_time_min_mean / 60.0),
            format_hours(v.lead_time_min_p95 / 60.0)
        ))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], color.stroke_width(4)));
    let mean_h = v.lead_time_min_mean / 60.0;
    if mean_h.is_finite() && mean_h > low_h && mean_h < high_h {
        let x = mean_h.log10();
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, 1.0)],
                color.stroke_width(2),
            )))
            .map_err(err)?;
    }
    let p95_h = v.lead_time_min_p95 / 60.0;
    if p95_h.is_finite() && p95_h > low_h && p95_h < high_h {
        let half_width = (high_h / low_h).log10() * 0.006;
        let x = p95_h.log10();
        chart
            .draw_series(std::iter::once(Polygon::new(
                vec![
                    (x - half_width, 0.95),
                    (x, 0.97),
                    (x + half_width, 0.95),
                    (x, 0.93),
                ],
                color.filled(),
            )))
            .map_err(err)?;
    }
    Ok(())
}
