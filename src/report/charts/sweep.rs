//! `sweep.png`: throughput with its 95 % CI band against one swept
//! parameter (best point and knee marked), or a heat map over two.

use super::{category_label, err, finite_or, stage, variant_color, Area, FONT, HEIGHT};
use crate::report::atomic::{OutputError, ResultSet};
use crate::scenario::EditValue;
use crate::stats::Estimate;
use crate::sweep::Sweep;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

pub const NAME: &str = "sweep.png";

pub fn stage_chart(set: &mut ResultSet, scenario: &str, sweep: &Sweep) -> Result<(), OutputError> {
    stage(set, NAME, HEIGHT, &|root| {
        if sweep.params.len() == 1 {
            line(root, scenario, sweep)
        } else {
            heat_map(root, scenario, sweep)
        }
    })
}

fn edit_number(value: &EditValue) -> f64 {
    match value {
        EditValue::Integer(i) => *i as f64,
        EditValue::Float(x) => *x,
    }
}

/// The upper (`high`) or lower end of an estimate's CI, its mean without one.
fn ci_end(e: &Estimate, high: bool) -> f64 {
    let end = if high { e.ci95_high } else { e.ci95_low };
    finite_or(end.unwrap_or(e.mean), 0.0)
}

fn line(root: &Area<'_>, scenario: &str, sweep: &Sweep) -> Result<(), String> {
    let xs: Vec<f64> = sweep
        .points
        .iter()
        .map(|p| edit_number(&p.values[0]))
        .collect();
    let (x_min, x_max) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let pad = ((x_max - x_min) * 0.05).max(0.5);
    let top = sweep
        .points
        .iter()
        .map(|p| ci_end(&p.throughput_per_h, true))
        .fold(0.0, f64::max);
    let y_max = if top > 0.0 { top * 1.15 } else { 1.0 };
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!(
                "{scenario} — good parts per hour against {} ({}), 95 % CI",
                sweep.params[0], sweep.variant
            ),
            (FONT, 34),
        )
        .margin(30)
        .x_label_area_size(70)
        .y_label_area_size(110)
        .build_cartesian_2d((x_min - pad)..(x_max + pad), 0f64..y_max)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(sweep.params[0].clone())
        .y_desc("good parts per hour")
        .axis_desc_style((FONT, 28))
        .label_style((FONT, 24))
        .draw()
        .map_err(err)?;
    draw_curve(&mut chart, sweep, &xs)?;
    for (index, label, offset) in [
        (sweep.best, "best", 0.04),
        (sweep.knee, "knee: within 1 % of the best", 0.09),
    ] {
        mark_point(
            &mut chart,
            sweep,
            &xs,
            (index, label, offset),
            (x_min, x_max, y_max),
        )?;
    }
    Ok(())
}

/// The CI band, the mean curve and a dot per point.
fn draw_curve(chart: &mut Chart<'_, '_>, sweep: &Sweep, xs: &[f64]) -> Result<(), String> {
    let color = variant_color(0);
    let mut band: Vec<(f64, f64)> = sweep
        .points
        .iter()
        .zip(xs)
        .map(|(p, &x)| (x, ci_end(&p.throughput_per_h, true)))
        .collect();
    band.extend(
        sweep
            .points
            .iter()
            .zip(xs)
            .rev()
            .map(|(p, &x)| (x, ci_end(&p.throughput_per_h, false))),
    );
    chart
        .draw_series(std::iter::once(Polygon::new(band, color.mix(0.2).filled())))
        .map_err(err)?;
    let mean = |p: &crate::sweep::Point| finite_or(p.throughput_per_h.mean, 0.0);
    chart
        .draw_series(LineSeries::new(
            sweep.points.iter().zip(xs).map(|(p, &x)| (x, mean(p))),
            color.stroke_width(3),
        ))
        .map_err(err)?;
    chart
        .draw_series(
            sweep
                .points
                .iter()
                .zip(xs)
                .map(|(p, &x)| Circle::new((x, mean(p)), 5, color.filled())),
        )
        .map_err(err)?;
    Ok(())
}

/// Circles the point at `index` and labels it, inside the plot.
fn mark_point(
    chart: &mut Chart<'_, '_>,
    sweep: &Sweep,
    xs: &[f64],
    (index, label, offset): (usize, &str, f64),
    (x_min, x_max, y_max): (f64, f64, f64),
) -> Result<(), String> {
    let p = &sweep.points[index];
    let (x, y) = (xs[index], finite_or(p.throughput_per_h.mean, 0.0));
    // Keep labels inside the plot: anchor them away from the nearer edge.
    let share = if x_max > x_min {
        (x - x_min) / (x_max - x_min)
    } else {
        0.5
    };
    let anchor = if share > 0.66 {
        HPos::Right
    } else if share < 0.33 {
        HPos::Left
    } else {
        HPos::Center
    };
    let style = TextStyle::from((FONT, 24).into_font()).pos(Pos::new(anchor, VPos::Bottom));
    chart
        .draw_series(std::iter::once(Text::new(
            format!(
                "{label} ({} = {}, {:.2}/h)",
                sweep.params[0], p.values[0], y
            ),
            (x, y + y_max * offset),
            style,
        )))
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(Circle::new(
            (x, y),
            9,
            BLACK.stroke_width(3),
        )))
        .map_err(err)?;
    Ok(())
}

/// The distinct values of parameter `k` over the points, in order of
/// first appearance.
fn axis_values(sweep: &Sweep, k: usize) -> Vec<f64> {
    let mut values: Vec<f64> = Vec::new();
    for p in &sweep.points {
        let v = edit_number(&p.values[k]);
        if !values.contains(&v) {
            values.push(v);
        }
    }
    values
}

fn heat_map(root: &Area<'_>, scenario: &str, sweep: &Sweep) -> Result<(), String> {
    let (firsts, seconds) = (axis_values(sweep, 0), axis_values(sweep, 1));
    let (n1, n2) = (firsts.len(), seconds.len());
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!("{scenario} — good parts per hour ({})", sweep.variant),
            (FONT, 34),
        )
        .margin(30)
        .x_label_area_size(70)
        .y_label_area_size(110)
        .build_cartesian_2d(-0.5f64..(n1 as f64 - 0.5), -0.5f64..(n2 as f64 - 0.5))
        .map_err(err)?;
    let first_names: Vec<String> = firsts.iter().map(|v| format!("{v}")).collect();
    let second_names: Vec<String> = seconds.iter().map(|v| format!("{v}")).collect();
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(n1)
        .y_labels(n2)
        .x_label_formatter(&|x| category_label(&first_names, *x))
        .y_label_formatter(&|y| category_label(&second_names, *y))
        .x_desc(sweep.params[0].clone())
        .y_desc(sweep.params[1].clone())
        .axis_desc_style((FONT, 28))
        .label_style((FONT, 22))
        .draw()
        .map_err(err)?;
    draw_cells(&mut chart, sweep, &firsts, &seconds)
}

/// A cell per point, coloured from the lowest to the highest throughput.
fn draw_cells(
    chart: &mut Chart<'_, '_>,
    sweep: &Sweep,
    firsts: &[f64],
    seconds: &[f64],
) -> Result<(), String> {
    let (low, high) = sweep
        .points
        .iter()
        .map(|p| finite_or(p.throughput_per_h.mean, 0.0))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    for (index, p) in sweep.points.iter().enumerate() {
        let position = |values: &[f64], k: usize| {
            let v = edit_number(&p.values[k]);
            values.iter().position(|&x| x == v).unwrap_or(0) as f64
        };
        let (i, j) = (position(firsts, 0), position(seconds, 1));
        let value = finite_or(p.throughput_per_h.mean, 0.0);
        let t = if high > low {
            (value - low) / (high - low)
        } else {
            0.5
        };
        let color = RGBColor(
            (250.0 - 200.0 * t) as u8,
            (250.0 - 120.0 * t) as u8,
            (255.0 - 60.0 * t) as u8,
        );
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(i - 0.5, j - 0.5), (i + 0.5, j + 0.5)],
                color.filled(),
            )))
            .map_err(err)?;
        let mark = if index == sweep.best {
            " (best)"
        } else if index == sweep.knee {
            " (knee)"
        } else {
            ""
        };
        let style =
            TextStyle::from((FONT, 20).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{value:.1}{mark}"),
                (i, j),
                style,
            )))
            .map_err(err)?;
    }
    Ok(())
}
