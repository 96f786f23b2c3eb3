//! PNG charts of a run, drawn with plotters from the result files' content
//! (never from the engine), so `alloysim plot` redraws exactly what `run`
//! drew. Text uses the bundled Noto Sans font: no system font is needed.
//!
//! - `throughput.png`: good parts per hour per variant, 95 % CI error bars,
//!   gain over the baseline;
//! - `station_states.png`: per variant, the stacked state shares of every
//!   station, bottleneck marked;
//! - `wip.png`: WIP over simulated time, mean and min–max band over
//!   replications, warm-up shaded;
//! - `lead_time.png`: empirical distribution of lead time, mean and 95th
//!   percentile;
//! - `energy.png`: energy and CO2 per good part, by station (only with
//!   energy data).

use super::atomic::ResultSet;
use crate::engine::STATE_NAMES;
use crate::summary::Summary;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::Once;

/// Chart size in pixels.
pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 1000;

const FONT: &str = "sans-serif";

/// The drawing area of one chart.
type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
/// A function that draws one chart.
type DrawFn<'d> = &'d dyn Fn(&Area<'_>) -> Result<(), String>;

/// One row of `timeseries.csv`.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct SeriesRow {
    pub variant: String,
    pub time_h: f64,
    pub wip_mean: f64,
    pub wip_min: f64,
    pub wip_max: f64,
}

/// One row of `lead_times.csv`.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct LeadRow {
    pub variant: String,
    pub low_min: f64,
    pub high_min: f64,
    pub count: u64,
    pub share: f64,
}

/// Everything the charts show, as read from the result files.
#[derive(Clone, Debug)]
pub struct ChartData {
    pub summary: Summary,
    pub series: Vec<SeriesRow>,
    pub lead_times: Vec<LeadRow>,
}

impl ChartData {
    /// Parses the contents of `summary.json`, `timeseries.csv` and
    /// `lead_times.csv`.
    pub fn parse(summary: &[u8], series: &[u8], lead_times: &[u8]) -> io::Result<ChartData> {
        let summary: Summary = serde_json::from_slice(summary).map_err(io::Error::other)?;
        fn rows<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> io::Result<Vec<T>> {
            csv::Reader::from_reader(bytes)
                .deserialize()
                .collect::<Result<Vec<T>, _>>()
                .map_err(io::Error::other)
        }
        Ok(ChartData {
            summary,
            series: rows(series)?,
            lead_times: rows(lead_times)?,
        })
    }

    /// Reads a result folder written by `run`.
    pub fn load(dir: &Path) -> io::Result<ChartData> {
        let read = |name: &str| {
            std::fs::read(dir.join(name))
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.join(name).display())))
        };
        Self::parse(
            &read("summary.json")?,
            &read("timeseries.csv")?,
            &read("lead_times.csv")?,
        )
    }
}

/// Names of the chart files [`stage_charts`] writes for this data.
pub fn chart_names(data: &ChartData) -> Vec<&'static str> {
    let mut names = vec![
        "throughput.png",
        "station_states.png",
        "wip.png",
        "lead_time.png",
    ];
    if has_energy(data) {
        names.push("energy.png");
    }
    names
}

fn has_energy(data: &ChartData) -> bool {
    data.summary
        .variants
        .iter()
        .any(|v| v.energy_kwh_per_good_part.is_some_and(f64::is_finite))
}

fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled font bytes are valid TrueType; failure here would be a
        // packaging bug, and text would fall back to nothing rather than crash.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, notosans::REGULAR_TTF);
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, notosans::BOLD_TTF);
    });
}

/// Draws every chart into `set` (PNG files under temporary names).
pub fn stage_charts(set: &mut ResultSet, data: &ChartData) -> io::Result<()> {
    register_fonts();
    let draw = |set: &mut ResultSet, name: &str, f: DrawFn<'_>| -> io::Result<()> {
        let path = set.stage_path(name);
        let root = BitMapBackend::new(&path, (WIDTH, height_for(name, data))).into_drawing_area();
        root.fill(&WHITE).map_err(to_io)?;
        f(&root).map_err(|e| io::Error::other(format!("{name}: {e}")))?;
        root.present().map_err(to_io)?;
        Ok(())
    };
    draw(set, "throughput.png", &|root| throughput(root, data))?;
    draw(set, "station_states.png", &|root| {
        station_states(root, data)
    })?;
    draw(set, "wip.png", &|root| wip(root, data))?;
    draw(set, "lead_time.png", &|root| lead_time(root, data))?;
    if has_energy(data) {
        draw(set, "energy.png", &|root| energy(root, data))?;
    }
    Ok(())
}

fn height_for(name: &str, data: &ChartData) -> u32 {
    if name == "station_states.png" {
        // One panel per variant: keep each panel readable.
        HEIGHT.max(160 + 280 * data.summary.variants.len() as u32)
    } else {
        HEIGHT
    }
}

fn to_io<E: std::fmt::Display>(e: E) -> io::Error {
    io::Error::other(e.to_string())
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// A colour per variant (colour-blind-safe palette, cycled).
fn variant_color(index: usize) -> RGBColor {
    const PALETTE: [RGBColor; 8] = [
        RGBColor(0x44, 0x77, 0xAA),
        RGBColor(0xEE, 0x66, 0x77),
        RGBColor(0x22, 0x88, 0x33),
        RGBColor(0xCC, 0xBB, 0x44),
        RGBColor(0x66, 0xCC, 0xEE),
        RGBColor(0xAA, 0x33, 0x77),
        RGBColor(0x99, 0x99, 0x33),
        RGBColor(0x88, 0x22, 0x55),
    ];
    PALETTE[index % PALETTE.len()]
}

/// A colour per machine state, in [`STATE_NAMES`] order.
fn state_color(state: usize) -> RGBColor {
    const COLORS: [RGBColor; 7] = [
        RGBColor(0x2E, 0x8B, 0x57), // busy
        RGBColor(0xE6, 0xAB, 0x02), // setup
        RGBColor(0xD6, 0x27, 0x28), // blocked
        RGBColor(0xC7, 0xC7, 0xC7), // starved
        RGBColor(0xFF, 0x7F, 0x0E), // waiting_operator
        RGBColor(0x5A, 0x5A, 0x5A), // off_shift
        RGBColor(0x6A, 0x3D, 0x9A), // down
    ];
    COLORS[state]
}

fn finite_or(value: f64, fallback: f64) -> f64 {
    if value.is_finite() {
        value
    } else {
        fallback
    }
}

fn title(data: &ChartData, what: &str) -> String {
    format!("{} — {what}", data.summary.scenario)
}

/// Labels the integer ticks of a categorical axis drawn on `-0.5..n-0.5`.
fn category_label(names: &[String], x: f64) -> String {
    let index = x.round();
    if (x - index).abs() < 1e-6 && index >= 0.0 && (index as usize) < names.len() {
        names[index as usize].clone()
    } else {
        String::new()
    }
}

fn throughput(root: &Area<'_>, data: &ChartData) -> Result<(), String> {
    let variants = &data.summary.variants;
    let names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
    let n = variants.len().max(1);
    let top = variants
        .iter()
        .map(|v| {
            finite_or(
                v.throughput_per_h
                    .ci95_high
                    .unwrap_or(v.throughput_per_h.mean),
                0.0,
            )
        })
        .fold(0.0, f64::max);
    let y_max = if top > 0.0 { top * 1.25 } else { 1.0 };
    let mut chart = ChartBuilder::on(root)
        .caption(
            title(data, "good parts per hour, 95 % confidence intervals"),
            (FONT, 40),
        )
        .margin(30)
        .x_label_area_size(70)
        .y_label_area_size(110)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..y_max)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| category_label(&names, *x))
        .x_desc("variant")
        .y_desc("good parts per hour")
        .axis_desc_style((FONT, 28))
        .label_style((FONT, 24))
        .draw()
        .map_err(err)?;
    for (i, v) in variants.iter().enumerate() {
        let x = i as f64;
        let mean = finite_or(v.throughput_per_h.mean, 0.0);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - 0.3, 0.0), (x + 0.3, mean)],
                variant_color(i).mix(0.85).filled(),
            )))
            .map_err(err)?;
        let mut label_y = mean;
        if let (Some(low), Some(high)) = (v.throughput_per_h.ci95_low, v.throughput_per_h.ci95_high)
        {
            if low.is_finite() && high.is_finite() {
                // Whisker with caps from the low to the high end of the CI.
                let whisker = [
                    vec![(x, low.max(0.0)), (x, high)],
                    vec![(x - 0.05, low.max(0.0)), (x + 0.05, low.max(0.0))],
                    vec![(x - 0.05, high), (x + 0.05, high)],
                ];
                chart
                    .draw_series(
                        whisker
                            .into_iter()
                            .map(|points| PathElement::new(points, BLACK.stroke_width(3))),
                    )
                    .map_err(err)?;
                label_y = high;
            }
        }
        let mut label = format!("{mean:.2}/h");
        if let Some(c) = data
            .summary
            .comparisons
            .iter()
            .find(|c| c.variant == v.name)
        {
            if c.gain_pct.mean.is_finite() {
                label = match c.gain_pct.half_width() {
                    Some(h) if h.is_finite() => {
                        format!("{label}   {:+.1} % ± {h:.1}", c.gain_pct.mean)
                    }
                    _ => format!("{label}   {:+.1} %", c.gain_pct.mean),
                };
            }
        }
        let style =
            TextStyle::from((FONT, 26).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(std::iter::once(Text::new(
                label,
                (x, label_y + y_max * 0.015),
                style,
            )))
            .map_err(err)?;
    }
    Ok(())
}

fn station_states(root: &Area<'_>, data: &ChartData) -> Result<(), String> {
    let (header, body) = root.split_vertically(70);
    let (panels_area, legend_area) =
        body.split_vertically(body.dim_in_pixel().1.saturating_sub(70));
    header
        .titled(
            &title(data, "machine states per station (share of machine time)"),
            (FONT, 40),
        )
        .map_err(err)?;
    let variants = &data.summary.variants;
    let panels = panels_area.split_evenly((variants.len().max(1), 1));
    for (variant, panel) in variants.iter().zip(panels.iter()) {
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
        let n = names.len().max(1);
        let caption = if variant.bottleneck_on_shift == variant.bottleneck {
            format!(
                "{} — bottleneck: {} (outlined)",
                variant.name, variant.bottleneck
            )
        } else {
            format!(
                "{} — bottleneck: {} (outlined); on shift time: {}",
                variant.name, variant.bottleneck, variant.bottleneck_on_shift
            )
        };
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
            for (state, share) in station.shares().iter().enumerate() {
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
    }
    // Legend: a swatch and a name per state.
    let width = legend_area.dim_in_pixel().0 as i32;
    let slot = width / STATE_NAMES.len() as i32;
    for (state, name) in STATE_NAMES.iter().enumerate() {
        let x = 40 + slot * state as i32;
        legend_area
            .draw(&Rectangle::new(
                [(x, 20), (x + 30, 50)],
                state_color(state).filled(),
            ))
            .map_err(err)?;
        legend_area
            .draw(&Text::new(name.replace('_', " "), (x + 40, 22), (FONT, 24)))
            .map_err(err)?;
    }
    Ok(())
}

fn wip(root: &Area<'_>, data: &ChartData) -> Result<(), String> {
    let mut by_variant: BTreeMap<usize, Vec<&super::charts::SeriesRow>> = BTreeMap::new();
    for row in &data.series {
        if let Some(i) = data
            .summary
            .variants
            .iter()
            .position(|v| v.name == row.variant)
        {
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
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, 0.0), (data.summary.warmup_h, y_max)],
                BLACK.mix(0.08).filled(),
            )))
            .map_err(err)?;
        let style = TextStyle::from((FONT, 26).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
        chart
            .draw_series(std::iter::once(Text::new(
                "warm-up (not measured)".to_owned(),
                (data.summary.warmup_h / 2.0, y_max * 0.98),
                style,
            )))
            .map_err(err)?;
    }
    for (&i, rows) in &by_variant {
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
        let name = &data.summary.variants[i].name;
        chart
            .draw_series(LineSeries::new(
                rows.iter().map(|r| (r.time_h, finite_or(r.wip_mean, 0.0))),
                color.stroke_width(3),
            ))
            .map_err(err)?
            .label(format!(
                "{name}: mean WIP {:.1}",
                data.summary.variants[i].wip_mean
            ))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 30, y)], color.stroke_width(4))
            });
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

fn lead_time(root: &Area<'_>, data: &ChartData) -> Result<(), String> {
    let mut by_variant: BTreeMap<usize, Vec<&LeadRow>> = BTreeMap::new();
    for row in &data.lead_times {
        if let Some(i) = data
            .summary
            .variants
            .iter()
            .position(|v| v.name == row.variant)
        {
            by_variant.entry(i).or_default().push(row);
        }
    }
    // Lead times in hours on a log axis when they span a wide range.
    let upper = |r: &LeadRow| {
        if r.high_min.is_finite() {
            r.high_min
        } else {
            r.low_min
        }
    };
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
    let (low_h, high_h) = if low_h.is_finite() && high_h > low_h {
        (low_h * 0.9, high_h * 1.1)
    } else {
        (0.01, 1.0)
    };
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
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 30, y)], color.stroke_width(4))
            });
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

fn format_hours(h: f64) -> String {
    if !h.is_finite() {
        "-".to_owned()
    } else if h < 1.0 {
        format!("{:.0} min", h * 60.0)
    } else if h < 48.0 {
        format!("{h:.1} h")
    } else {
        format!("{:.1} d", h / 24.0)
    }
}

fn energy(root: &Area<'_>, data: &ChartData) -> Result<(), String> {
    let variants = &data.summary.variants;
    let names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
    let n = variants.len().max(1);
    let station_names: Vec<String> = variants
        .first()
        .map(|v| v.stations.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default();
    let mut all_stations = station_names.clone();
    for v in variants {
        for s in &v.stations {
            if !all_stations.contains(&s.name) {
                all_stations.push(s.name.clone());
            }
        }
    }
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
            let color_index = all_stations
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
            let style =
                TextStyle::from((FONT, 24).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    (x, total + y_max * 0.015),
                    style,
                )))
                .map_err(err)?;
        }
    }
    // Legend of stations, drawn as invisible series with swatches.
    for (index, name) in all_stations.iter().enumerate() {
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

/// A colour per station for the energy chart.
fn station_color(index: usize) -> RGBColor {
    const COLORS: [RGBColor; 12] = [
        RGBColor(0x1F, 0x77, 0xB4),
        RGBColor(0xFF, 0x7F, 0x0E),
        RGBColor(0x2C, 0xA0, 0x2C),
        RGBColor(0xD6, 0x27, 0x28),
        RGBColor(0x94, 0x67, 0xBD),
        RGBColor(0x8C, 0x56, 0x4B),
        RGBColor(0xE3, 0x77, 0xC2),
        RGBColor(0x7F, 0x7F, 0x7F),
        RGBColor(0xBC, 0xBD, 0x22),
        RGBColor(0x17, 0xBE, 0xCF),
        RGBColor(0x39, 0x3B, 0x79),
        RGBColor(0xAD, 0x49, 0x4A),
    ];
    COLORS[index % COLORS.len()]
}

fn stage_one(set: &mut ResultSet, name: &str, draw: DrawFn<'_>) -> io::Result<()> {
    register_fonts();
    let path = set.stage_path(name);
    let root = BitMapBackend::new(&path, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(to_io)?;
    draw(&root).map_err(|e| io::Error::other(format!("{name}: {e}")))?;
    root.present().map_err(to_io)?;
    Ok(())
}

fn edit_number(value: &crate::scenario::EditValue) -> f64 {
    match value {
        crate::scenario::EditValue::Integer(i) => *i as f64,
        crate::scenario::EditValue::Float(x) => *x,
    }
}

/// `sweep.png`: throughput with its 95 % CI band against one parameter, or
/// a heat map over two.
pub fn stage_sweep_chart(
    set: &mut ResultSet,
    scenario: &str,
    sweep: &crate::sweep::Sweep,
) -> io::Result<()> {
    stage_one(set, "sweep.png", &|root| {
        if sweep.params.len() == 1 {
            sweep_line(root, scenario, sweep)
        } else {
            sweep_heat_map(root, scenario, sweep)
        }
    })
}

fn sweep_line(root: &Area<'_>, scenario: &str, sweep: &crate::sweep::Sweep) -> Result<(), String> {
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
        .map(|p| {
            finite_or(
                p.throughput_per_h
                    .ci95_high
                    .unwrap_or(p.throughput_per_h.mean),
                0.0,
            )
        })
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
    let color = variant_color(0);
    let mut band: Vec<(f64, f64)> = sweep
        .points
        .iter()
        .zip(&xs)
        .map(|(p, &x)| {
            (
                x,
                finite_or(
                    p.throughput_per_h
                        .ci95_high
                        .unwrap_or(p.throughput_per_h.mean),
                    0.0,
                ),
            )
        })
        .collect();
    band.extend(sweep.points.iter().zip(&xs).rev().map(|(p, &x)| {
        (
            x,
            finite_or(
                p.throughput_per_h
                    .ci95_low
                    .unwrap_or(p.throughput_per_h.mean),
                0.0,
            ),
        )
    }));
    chart
        .draw_series(std::iter::once(Polygon::new(band, color.mix(0.2).filled())))
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(
            sweep
                .points
                .iter()
                .zip(&xs)
                .map(|(p, &x)| (x, finite_or(p.throughput_per_h.mean, 0.0))),
            color.stroke_width(3),
        ))
        .map_err(err)?;
    chart
        .draw_series(sweep.points.iter().zip(&xs).map(|(p, &x)| {
            Circle::new(
                (x, finite_or(p.throughput_per_h.mean, 0.0)),
                5,
                color.filled(),
            )
        }))
        .map_err(err)?;
    for (index, label, offset) in [
        (sweep.best, "best", 0.04),
        (sweep.knee, "knee: within 1 % of the best", 0.09),
    ] {
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
    }
    Ok(())
}

fn sweep_heat_map(
    root: &Area<'_>,
    scenario: &str,
    sweep: &crate::sweep::Sweep,
) -> Result<(), String> {
    let mut firsts: Vec<f64> = Vec::new();
    let mut seconds: Vec<f64> = Vec::new();
    for p in &sweep.points {
        let (a, b) = (edit_number(&p.values[0]), edit_number(&p.values[1]));
        if !firsts.contains(&a) {
            firsts.push(a);
        }
        if !seconds.contains(&b) {
            seconds.push(b);
        }
    }
    let (n1, n2) = (firsts.len(), seconds.len());
    let (low, high) = sweep
        .points
        .iter()
        .map(|p| finite_or(p.throughput_per_h.mean, 0.0))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
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
    for (index, p) in sweep.points.iter().enumerate() {
        let i = firsts
            .iter()
            .position(|&v| v == edit_number(&p.values[0]))
            .unwrap_or(0) as f64;
        let j = seconds
            .iter()
            .position(|&v| v == edit_number(&p.values[1]))
            .unwrap_or(0) as f64;
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

/// `attribution.png`: a waterfall from the baseline to the variant, one
/// step per change (its Shapley value, 95 % CI whisker).
pub fn stage_attribution_chart(
    set: &mut ResultSet,
    scenario: &str,
    a: &crate::attribution::Attribution,
) -> io::Result<()> {
    stage_one(set, "attribution.png", &|root| {
        let mut order: Vec<usize> = (0..a.changes.len()).collect();
        order.sort_by(|&x, &y| {
            a.changes[y]
                .shapley
                .mean
                .total_cmp(&a.changes[x].shapley.mean)
        });
        let mut names = vec!["baseline".to_owned()];
        names.extend(order.iter().map(|&i| a.changes[i].name.clone()));
        names.push(a.variant.clone());
        let n = names.len();
        // Running level after each step.
        let mut level = finite_or(a.baseline_per_h.mean, 0.0);
        let mut steps = Vec::new();
        for &i in &order {
            let s = finite_or(a.changes[i].shapley.mean, 0.0);
            steps.push((level, level + s, a.changes[i].shapley));
            level += s;
        }
        let end = finite_or(a.variant_per_h.mean, level);
        let top = steps
            .iter()
            .map(|(from, to, e)| from.max(*to).max(to + e.half_width().unwrap_or(0.0)))
            .fold(end.max(a.baseline_per_h.mean), f64::max);
        let y_max = if top > 0.0 { top * 1.15 } else { 1.0 };
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "{scenario} — where the gain of {} comes from (Shapley values, 95 % CI)",
                    a.variant
                ),
                (FONT, 34),
            )
            .margin(30)
            .x_label_area_size(70)
            .y_label_area_size(110)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| category_label(&names, *x))
            .y_desc("good parts per hour")
            .axis_desc_style((FONT, 28))
            .label_style((FONT, 22))
            .draw()
            .map_err(err)?;
        let label_style =
            || TextStyle::from((FONT, 24).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
        let grey = RGBColor(0x77, 0x77, 0x77);
        for (x, value) in [
            (0.0, finite_or(a.baseline_per_h.mean, 0.0)),
            ((n - 1) as f64, end),
        ] {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.3, 0.0), (x + 0.3, value)],
                    grey.filled(),
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("{value:.2}/h"),
                    (x, value + y_max * 0.01),
                    label_style(),
                )))
                .map_err(err)?;
        }
        for (step, (from, to, estimate)) in steps.iter().enumerate() {
            let x = (step + 1) as f64;
            let color = if to >= from {
                RGBColor(0x2E, 0x8B, 0x57)
            } else {
                RGBColor(0xD6, 0x27, 0x28)
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.3, *from), (x + 0.3, *to)],
                    color.filled(),
                )))
                .map_err(err)?;
            let mut label_y = from.max(*to);
            if let Some(h) = estimate.half_width().filter(|h| h.is_finite()) {
                let whisker = vec![(x, to - h), (x, to + h)];
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        whisker,
                        BLACK.stroke_width(3),
                    )))
                    .map_err(err)?;
                label_y = label_y.max(to + h);
            }
            let text = match estimate.half_width() {
                Some(h) if h.is_finite() => format!("{:+.2} ± {h:.2}", to - from),
                _ => format!("{:+.2}", to - from),
            };
            chart
                .draw_series(std::iter::once(Text::new(
                    text,
                    (x, label_y + y_max * 0.01),
                    label_style(),
                )))
                .map_err(err)?;
        }
        Ok(())
    })
}
