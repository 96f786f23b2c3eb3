//! `backtest.png`: the observed daily output (points) against the
//! simulated baseline's daily output (its mean over the replications, and
//! the band from the 5 % to the 95 % replication of each day); below it,
//! when the observed file has station shares, each share's observed and
//! simulated means over the same days, the shares that disagree marked.

use super::{err, stage, Area, FONT, HEIGHT};
use crate::backtest::Backtest;
use crate::report::atomic::{OutputError, ResultSet};
use plotters::prelude::*;

pub const NAME: &str = "backtest.png";

/// Observed figures, simulated ones, and a share that disagrees.
const RED: RGBColor = RGBColor(0xD6, 0x27, 0x28);
const BLUE: RGBColor = RGBColor(0x44, 0x77, 0xAA);
const ORANGE: RGBColor = RGBColor(0xEE, 0x77, 0x33);

/// Height of the shares panel: a band per share and room for the axis.
fn shares_height(b: &Backtest) -> u32 {
    if b.shares.is_empty() {
        0
    } else {
        250 + 60 * b.shares.len() as u32
    }
}

pub fn stage_chart(set: &mut ResultSet, title: &str, b: &Backtest) -> Result<(), OutputError> {
    stage(set, NAME, HEIGHT + shares_height(b), &|root| {
        let (daily, shares) = root.split_vertically(HEIGHT);
        draw(&daily, title, b)?;
        if !b.shares.is_empty() {
            draw_shares(&shares, b)?;
        }
        Ok(())
    })
}

/// Each share: the observed mean (red, as the observed days above) and the
/// simulated one (blue), joined by a line, orange and labelled where the
/// two disagree.
fn draw_shares(root: &Area<'_>, b: &Backtest) -> Result<(), String> {
    let (root, legend) = root.split_vertically(root.dim_in_pixel().1.saturating_sub(60));
    let rows = b.shares.len();
    let top = b
        .shares
        .iter()
        .map(|c| c.observed.max(c.simulated))
        .fold(0.0, f64::max);
    let right = ((top * 100.0 * 1.15 / 10.0).ceil() * 10.0).clamp(10.0, 100.0);
    let label = |c: &crate::backtest::ShareCheck| {
        let mark = if c.disagrees { " (disagrees)" } else { "" };
        format!("{} {}{mark}", c.station, c.state.replace('_', " "))
    };
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "station shares over the same days: observed against simulated",
            (FONT, 30),
        )
        .margin(30)
        .x_label_area_size(70)
        .y_label_area_size(420)
        .build_cartesian_2d(0f64..right, -0.5f64..(rows as f64 - 0.5))
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(rows)
        .y_label_formatter(&|y| {
            let i = y.round();
            if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < rows {
                label(&b.shares[rows - 1 - i as usize])
            } else {
                String::new()
            }
        })
        .x_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("share of the day, %")
        .axis_desc_style((FONT, 26))
        .label_style((FONT, 24))
        .draw()
        .map_err(err)?;
    // The first share at the top.
    let y = |i: usize| (rows - 1 - i) as f64;
    chart
        .draw_series(b.shares.iter().enumerate().map(|(i, c)| {
            let colour = if c.disagrees {
                ORANGE
            } else {
                RGBColor(0x99, 0x99, 0x99)
            };
            PathElement::new(
                vec![(c.observed * 100.0, y(i)), (c.simulated * 100.0, y(i))],
                colour.stroke_width(if c.disagrees { 6 } else { 3 }),
            )
        }))
        .map_err(err)?;
    chart
        .draw_series(
            b.shares
                .iter()
                .enumerate()
                .map(|(i, c)| Circle::new((c.simulated * 100.0, y(i)), 9, BLUE.filled())),
        )
        .map_err(err)?;
    chart
        .draw_series(
            b.shares
                .iter()
                .enumerate()
                .map(|(i, c)| Circle::new((c.observed * 100.0, y(i)), 9, RED.filled())),
        )
        .map_err(err)?;
    // The legend in a band of its own, below the axis: it never hides a share.
    let style = (FONT, 24).into_font().color(&BLACK);
    let mid = 30;
    let mut x = 160;
    for (text, mark) in [
        ("observed, mean of the days", 0),
        ("simulated, mean over the same days", 1),
        ("disagree: over 1.96 standard errors apart", 2),
    ] {
        match mark {
            0 => legend.draw(&Circle::new((x + 15, mid), 9, RED.filled())),
            1 => legend.draw(&Circle::new((x + 15, mid), 9, BLUE.filled())),
            _ => legend.draw(&PathElement::new(
                vec![(x, mid), (x + 30, mid)],
                ORANGE.stroke_width(6),
            )),
        }
        .map_err(err)?;
        legend
            .draw(&Text::new(text, (x + 40, mid - 12), style.clone()))
            .map_err(err)?;
        x += 90 + 12 * text.len() as i32;
    }
    Ok(())
}

fn draw(root: &Area<'_>, title: &str, b: &Backtest) -> Result<(), String> {
    let last_observed = b.observed_days.last().map_or(0, |&(d, _)| d as usize);
    let days = last_observed.max(b.simulated_band.len()).max(1);
    let top = b
        .observed_days
        .iter()
        .map(|&(_, v)| v)
        .chain(b.simulated_band.iter().map(|s| s.2))
        .fold(0.0, f64::max)
        * 1.15;
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!("{title} — back-test: observed daily output against the simulated baseline"),
            (FONT, 34),
        )
        .margin(30)
        .x_label_area_size(70)
        .y_label_area_size(110)
        .build_cartesian_2d(0.5f64..(days as f64 + 0.5), 0f64..top.max(1.0))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("day")
        .y_desc("good parts per day")
        .axis_desc_style((FONT, 28))
        .label_style((FONT, 24))
        .draw()
        .map_err(err)?;
    let band: Vec<(f64, f64)> = b
        .simulated_band
        .iter()
        .enumerate()
        .map(|(d, s)| (d as f64 + 1.0, s.2))
        .chain(
            b.simulated_band
                .iter()
                .enumerate()
                .rev()
                .map(|(d, s)| (d as f64 + 1.0, s.1)),
        )
        .collect();
    chart
        .draw_series(std::iter::once(Polygon::new(band, BLUE.mix(0.2).filled())))
        .map_err(err)?
        .label("simulated, 5-95 % of replications")
        .legend(move |(x, y)| {
            Rectangle::new([(x, y - 8), (x + 30, y + 8)], BLUE.mix(0.2).filled())
        });
    chart
        .draw_series(LineSeries::new(
            b.simulated_band
                .iter()
                .enumerate()
                .map(|(d, s)| (d as f64 + 1.0, s.0)),
            BLUE.stroke_width(3),
        ))
        .map_err(err)?
        .label("simulated mean")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], BLUE.stroke_width(3)));
    chart
        .draw_series(
            b.observed_days
                .iter()
                .map(|&(d, v)| Circle::new((f64::from(d), v), 6, RED.filled())),
        )
        .map_err(err)?
        .label("observed")
        .legend(move |(x, y)| Circle::new((x + 15, y), 6, RED.filled()));
    chart
        .configure_series_labels()
        .label_font((FONT, 24))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(err)?;
    Ok(())
}
