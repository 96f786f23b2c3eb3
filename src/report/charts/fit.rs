//! `fit.png`: the observations' histogram with the densities of the three
//! best fits (left), and the Q-Q plot of the best fit (right: observed
//! against fitted quantiles, on the diagonal when the fit is right).

use super::{err, stage, variant_color, Area, FONT, HEIGHT};
use crate::fit::{density, quantiles, FitReport};
use crate::report::atomic::{OutputError, ResultSet};
use plotters::prelude::*;

pub const NAME: &str = "fit.png";

pub fn stage_chart(
    set: &mut ResultSet,
    title: &str,
    report: &FitReport,
    data: &[f64],
) -> Result<(), OutputError> {
    stage(set, NAME, HEIGHT, &|root| draw(root, title, report, data))
}

fn draw(root: &Area<'_>, title: &str, report: &FitReport, data: &[f64]) -> Result<(), String> {
    let (head, body) = root.split_vertically(70);
    head.titled(
        &format!(
            "{title} — fitted distributions ({} observations, {})",
            report.n, report.unit
        ),
        (FONT, 36),
    )
    .map_err(err)?;
    let (left, right) = body.split_horizontally(body.dim_in_pixel().0 * 3 / 5);
    histogram(&left, report, data)?;
    qq(&right, report, data)
}

fn histogram(area: &Area<'_>, report: &FitReport, data: &[f64]) -> Result<(), String> {
    let (min, max) = data
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let bins = ((data.len() as f64).sqrt().ceil() as usize).clamp(5, 60);
    // All observations equal (the fit is a constant): bins of 1 % of the
    // value, so the bar and the axis are readable.
    let width = ((max - min) / bins as f64).max(max.abs() * 0.01).max(1e-12);
    let mut counts = vec![0usize; bins];
    for &v in data {
        counts[(((v - min) / width) as usize).min(bins - 1)] += 1;
    }
    let n = data.len() as f64;
    let heights: Vec<f64> = counts.iter().map(|&c| c as f64 / n / width).collect();
    let xs: Vec<f64> = (0..=200)
        .map(|i| min - width + (max - min + 2.0 * width) * i as f64 / 200.0)
        .filter(|x| *x > 0.0)
        .collect();
    let curves: Vec<(&str, Vec<f64>)> = report
        .candidates
        .iter()
        .take(3)
        .map(|c| (c.dist, density(&c.fitted, &xs)))
        .collect();
    let top = heights
        .iter()
        .chain(curves.iter().flat_map(|(_, d)| d.iter()))
        .cloned()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        * 1.15;
    let mut chart = ChartBuilder::on(area)
        .margin(25)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d((min - width).max(0.0)..(max + width), 0.0..top.max(1e-12))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(format!("observed time ({})", report.unit))
        .y_desc("density")
        .axis_desc_style((FONT, 26))
        .label_style((FONT, 22))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(heights.iter().enumerate().map(|(i, &h)| {
            let x0 = min + width * i as f64;
            Rectangle::new(
                [(x0, 0.0), (x0 + width, h)],
                RGBColor(0xC7, 0xC7, 0xC7).filled(),
            )
        }))
        .map_err(err)?;
    for (i, (name, d)) in curves.iter().enumerate() {
        let colour = variant_color(i);
        chart
            .draw_series(LineSeries::new(
                xs.iter()
                    .cloned()
                    .zip(d.iter().cloned())
                    .filter(|(_, y)| y.is_finite()),
                colour.stroke_width(4),
            ))
            .map_err(err)?
            .label(format!("{}. {name}", i + 1))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 30, y)], colour.stroke_width(4))
            });
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 24))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(err)?;
    Ok(())
}

fn qq(area: &Area<'_>, report: &FitReport, data: &[f64]) -> Result<(), String> {
    let Some(best) = report.candidates.first() else {
        return Ok(());
    };
    let mut sorted = data.to_vec();
    sorted.sort_by(f64::total_cmp);
    let high = sorted.last().copied().unwrap_or(1.0) * 4.0 + 1.0;
    let fitted = quantiles(&best.fitted, sorted.len(), high);
    let finite = || {
        sorted
            .iter()
            .chain(fitted.iter())
            .cloned()
            .filter(|v| v.is_finite())
    };
    let top = finite().fold(0.0, f64::max) * 1.05;
    let bottom = finite().fold(f64::INFINITY, f64::min).min(top) * 0.95;
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("Q-Q plot of the best fit: {}", best.dist),
            (FONT, 28),
        )
        .margin(25)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(bottom..top.max(1e-12), bottom..top.max(1e-12))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(format!("fitted quantile ({})", report.unit))
        .y_desc(format!("observed ({})", report.unit))
        .axis_desc_style((FONT, 26))
        .label_style((FONT, 22))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(bottom, bottom), (top, top)],
            BLACK.stroke_width(2),
        )))
        .map_err(err)?;
    chart
        .draw_series(
            fitted
                .iter()
                .zip(&sorted)
                .filter(|(f, _)| f.is_finite())
                .map(|(&f, &o)| Circle::new((f, o), 4, variant_color(0).filled())),
        )
        .map_err(err)?;
    Ok(())
}
