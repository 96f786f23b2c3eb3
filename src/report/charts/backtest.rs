//! `backtest.png`: the observed daily output (points) against the
//! simulated baseline's daily output (its mean over the replications, and
//! the band from the 5 % to the 95 % replication of each day).

use super::{err, stage, Area, FONT, HEIGHT};
use crate::backtest::Backtest;
use crate::report::atomic::{OutputError, ResultSet};
use plotters::prelude::*;

pub const NAME: &str = "backtest.png";

pub fn stage_chart(set: &mut ResultSet, title: &str, b: &Backtest) -> Result<(), OutputError> {
    stage(set, NAME, HEIGHT, &|root| draw(root, title, b))
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
        .x_desc("day")
        .y_desc("good parts per day")
        .axis_desc_style((FONT, 28))
        .label_style((FONT, 24))
        .draw()
        .map_err(err)?;
    let blue = RGBColor(0x44, 0x77, 0xAA);
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
        .draw_series(std::iter::once(Polygon::new(band, blue.mix(0.2).filled())))
        .map_err(err)?
        .label("simulated, 5-95 % of replications")
        .legend(move |(x, y)| {
            Rectangle::new([(x, y - 8), (x + 30, y + 8)], blue.mix(0.2).filled())
        });
    chart
        .draw_series(LineSeries::new(
            b.simulated_band
                .iter()
                .enumerate()
                .map(|(d, s)| (d as f64 + 1.0, s.0)),
            blue.stroke_width(3),
        ))
        .map_err(err)?
        .label("simulated mean")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], blue.stroke_width(3)));
    let red = RGBColor(0xD6, 0x27, 0x28);
    chart
        .draw_series(
            b.observed_days
                .iter()
                .map(|&(d, v)| Circle::new((f64::from(d), v), 6, red.filled())),
        )
        .map_err(err)?
        .label("observed")
        .legend(move |(x, y)| Circle::new((x + 15, y), 6, red.filled()));
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
