//! `business_case.png` (with `[economics]`): per variant the NPV over the
//! baseline with its 95 % CI, green where the whole interval is above 0,
//! red where it is below, grey where it straddles 0, and the payback
//! written above each bar.

use super::{category_label, err, finite_or, label_above, title, whisker, Area, ChartData, FONT};
use crate::summary::Comparison;
use plotters::prelude::*;

pub const NAME: &str = "business_case.png";

/// Whether the run has a business case to draw.
pub fn applies(data: &ChartData) -> bool {
    data.summary
        .comparisons
        .iter()
        .any(|c| c.economics.is_some())
}

/// The amount in the unit the chart's axis uses: millions.
const MILLION: f64 = 1e6;

pub fn draw(root: &Area<'_>, data: &ChartData) -> Result<(), String> {
    let cases: Vec<&Comparison> = data
        .summary
        .comparisons
        .iter()
        .filter(|c| c.economics.is_some())
        .collect();
    let names: Vec<String> = cases.iter().map(|c| c.variant.clone()).collect();
    let n = cases.len().max(1);
    let ends = cases.iter().flat_map(|c| {
        let npv = &c.economics.as_ref().expect("filtered").npv;
        [
            npv.mean,
            npv.ci95_low.unwrap_or(npv.mean),
            npv.ci95_high.unwrap_or(npv.mean),
        ]
    });
    let (low, high) = ends.fold((0.0f64, 0.0f64), |(lo, hi), v| {
        let v = finite_or(v, 0.0) / MILLION;
        (lo.min(v), hi.max(v))
    });
    let span = (high - low).max(1e-9);
    let (y_min, y_max) = (low - span * 0.08, high + span * 0.2);
    let mut chart = ChartBuilder::on(root)
        .caption(
            title(
                data,
                "net present value over the baseline, 95 % CI, and payback",
            ),
            (FONT, 40),
        )
        .margin(30)
        .x_label_area_size(70)
        .y_label_area_size(120)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y_min..y_max)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| category_label(&names, *x))
        .y_label_formatter(&|y| format!("{y:.1} M"))
        .x_desc("variant")
        .y_desc("NPV (currency units, millions)")
        .axis_desc_style((FONT, 28))
        .label_style((FONT, 24))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(-0.5, 0.0), (n as f64 - 0.5, 0.0)],
            BLACK.stroke_width(2),
        )))
        .map_err(err)?;
    for (i, case) in cases.iter().enumerate() {
        let economics = case.economics.as_ref().expect("filtered");
        let npv = &economics.npv;
        let x = i as f64;
        let mean = finite_or(npv.mean, 0.0) / MILLION;
        let (lo, hi) = (
            npv.ci95_low.unwrap_or(npv.mean) / MILLION,
            npv.ci95_high.unwrap_or(npv.mean) / MILLION,
        );
        let colour = if lo > 0.0 {
            RGBColor(0x2E, 0x8B, 0x57)
        } else if hi < 0.0 {
            RGBColor(0xD6, 0x27, 0x28)
        } else {
            RGBColor(0x99, 0x99, 0x99)
        };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - 0.3, 0.0), (x + 0.3, mean)],
                colour.mix(0.85).filled(),
            )))
            .map_err(err)?;
        chart.draw_series(whisker(x, lo, hi)).map_err(err)?;
        let payback = match &economics.payback_years {
            Some(_) if economics.capex.mean == 0.0 => "no capex".to_owned(),
            Some(p) if p.mean.is_finite() => format!("payback {:.1} years", p.mean),
            _ => "never pays back".to_owned(),
        };
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{mean:+.2} M, {payback}"),
                (x, hi.max(mean).max(0.0) + (y_max - y_min) * 0.02),
                label_above(24),
            )))
            .map_err(err)?;
    }
    Ok(())
}
