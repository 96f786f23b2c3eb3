//! PNG charts, drawn with plotters from the result files' content (never
//! from the engine), so `alloysim plot` redraws exactly what `run` drew.
//! Text uses the bundled Noto Sans font: no system font is needed.
//!
//! One file per chart: `throughput.png`, `station_states.png`,
//! `bottleneck.png`, `wip.png`,
//! `gantt.png` (a traced run),
//! `lead_time.png` and `energy.png` (only with energy data) and
//! `business_case.png` (only with economics) of a run;
//! `sweep.png`, `attribution.png` and `portfolio.png` of the studies. This file holds what
//! they share: the data read back from the files, fonts, colours, and the
//! staging of a chart into a result set.

pub mod attribution;
pub mod backtest;
pub mod bottleneck;
pub mod business_case;
pub mod energy;
pub mod fit;
pub mod gantt;
pub mod lead_time;
pub mod portfolio;
pub mod station_states;
pub mod sweep;
pub mod throughput;
pub mod wip;

use super::atomic::{io_error, OutputError, ResultSet};
use crate::model::MachineState;
use crate::summary::Summary;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
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

/// Everything the charts of a run show, as read from the result files.
#[derive(Clone, Debug)]
pub struct ChartData {
    pub summary: Summary,
    pub series: Vec<SeriesRow>,
    pub lead_times: Vec<LeadRow>,
    /// The rows of `trace.csv`, when the run was traced.
    pub trace: Option<Vec<super::trace_csv::Row>>,
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
            trace: None,
        })
    }

    /// Reads a result folder written by `run`.
    pub fn load(dir: &Path) -> Result<ChartData, OutputError> {
        if !dir.join("summary.json").is_file() {
            let holds = [
                "sweep.csv",
                "attribution.csv",
                "portfolio.csv",
                "backtest.json",
                "fit.json",
                "manifest.json",
            ]
            .into_iter()
            .find(|f| dir.join(f).is_file())
            .map(|f| match f {
                "manifest.json" => " (it holds manifest.json: a part of a sharded study, which `alloysim merge` puts together)".to_owned(),
                f => format!(" (it holds {f}: its chart is drawn by the command that wrote it)"),
            })
            .unwrap_or_default();
            let reason = if dir.is_dir() {
                format!("no summary.json: `plot` redraws the charts of a folder written by `alloysim run`{holds}")
            } else {
                "no such folder".to_owned()
            };
            return Err(OutputError::Unusable {
                path: dir.to_owned(),
                reason,
            });
        }
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(io_error("read", &path))
        };
        let mut data = Self::parse(
            &read("summary.json")?,
            &read("timeseries.csv")?,
            &read("lead_times.csv")?,
        )
        .map_err(io_error("read the results in", dir))?;
        let trace = dir.join(super::trace_csv::NAME);
        if trace.exists() {
            let bytes = read(super::trace_csv::NAME)?;
            data.trace = Some(super::trace_csv::parse(&bytes).map_err(io_error("read", &trace))?);
        }
        Ok(data)
    }

    /// Index of the variant named `name`.
    fn variant_index(&self, name: &str) -> Option<usize> {
        self.summary.variants.iter().position(|v| v.name == name)
    }
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

/// Draws every chart of a run into `set`.
pub fn stage_run_charts(set: &mut ResultSet, data: &ChartData) -> Result<(), OutputError> {
    stage(set, "throughput.png", HEIGHT, &|root| {
        throughput::draw(root, data)
    })?;
    let height = station_states::height(data);
    stage(set, "station_states.png", height, &|root| {
        station_states::draw(root, data)
    })?;
    stage(set, bottleneck::NAME, bottleneck::height(data), &|root| {
        bottleneck::draw(root, data)
    })?;
    stage(set, "wip.png", HEIGHT, &|root| wip::draw(root, data))?;
    stage(set, "lead_time.png", HEIGHT, &|root| {
        lead_time::draw(root, data)
    })?;
    if has_energy(data) {
        stage(set, "energy.png", HEIGHT, &|root| energy::draw(root, data))?;
    }
    if business_case::applies(data) {
        stage(set, business_case::NAME, HEIGHT, &|root| {
            business_case::draw(root, data)
        })?;
    }
    if let Some(rows) = &data.trace {
        stage(set, gantt::NAME, gantt::height(data, rows), &|root| {
            gantt::draw(root, data, rows)
        })?;
    }
    Ok(())
}

/// Draws one chart of `height` pixels into `set` as `name`.
fn stage(
    set: &mut ResultSet,
    name: &str,
    height: u32,
    draw: DrawFn<'_>,
) -> Result<(), OutputError> {
    register_fonts();
    let path = set.stage_path(name);
    let root = BitMapBackend::new(&path, (WIDTH, height)).into_drawing_area();
    let drawn = root
        .fill(&WHITE)
        .map_err(err)
        .and_then(|()| draw(&root))
        .and_then(|()| root.present().map_err(err));
    drawn.map_err(|e| io_error("draw", &path)(io::Error::other(e)))
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// The layout of a chart of panels: a title band of 70 px on top, a legend
/// band of 70 px at the bottom; returns the panels' area and the legend's.
fn frame<'a>(
    root: &Area<'a>,
    data: &ChartData,
    what: &str,
) -> Result<(Area<'a>, Area<'a>), String> {
    let (header, body) = root.split_vertically(70);
    let (panels, legend) = body.split_vertically(body.dim_in_pixel().1.saturating_sub(70));
    header.titled(&title(data, what), (FONT, 40)).map_err(err)?;
    Ok((panels, legend))
}

/// The states a chart of `summary` shows in its legend: busy, blocked and
/// starved always, the others where some station spends time in them.
fn states_shown(summary: &Summary, also: impl Fn(MachineState) -> bool) -> Vec<MachineState> {
    MachineState::ALL
        .into_iter()
        .filter(|&state| {
            matches!(
                state,
                MachineState::Busy | MachineState::Blocked | MachineState::Starved
            ) || also(state)
                || summary
                    .variants
                    .iter()
                    .flat_map(|v| &v.stations)
                    .any(|s| s.shares[state] > 0.0)
        })
        .collect()
}

/// A swatch and a name per machine state shown: one row of up to seven,
/// else two rows.
fn state_legend(legend_area: &Area<'_>, states: &[MachineState]) -> Result<(), String> {
    let width = legend_area.dim_in_pixel().0 as i32;
    let two_rows = states.len() > 7;
    let per_row = if two_rows {
        states.len().div_ceil(2)
    } else {
        7
    };
    let slot = width / per_row as i32;
    let (swatch, font, rows_y) = if two_rows {
        (24, 20, [4, 38])
    } else {
        (30, 24, [20, 20])
    };
    for (i, &state) in states.iter().enumerate() {
        let x = 40 + slot * (i % per_row) as i32;
        let y = rows_y[i / per_row];
        legend_area
            .draw(&Rectangle::new(
                [(x, y), (x + swatch, y + swatch)],
                state_color(state).filled(),
            ))
            .map_err(err)?;
        legend_area
            .draw(&Text::new(
                state.name().replace('_', " "),
                (x + swatch + 10, y + 2),
                (FONT, font),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// A CI whisker at `x` from `low` to `high`, with caps: its three strokes.
fn whisker(x: f64, low: f64, high: f64) -> impl Iterator<Item = PathElement<(f64, f64)>> {
    [
        vec![(x, low), (x, high)],
        vec![(x - 0.05, low), (x + 0.05, low)],
        vec![(x - 0.05, high), (x + 0.05, high)],
    ]
    .into_iter()
    .map(|points| PathElement::new(points, BLACK.stroke_width(3)))
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

/// The colour of a machine state.
fn state_color(state: MachineState) -> RGBColor {
    match state {
        MachineState::Busy => RGBColor(0x2E, 0x8B, 0x57),
        MachineState::Setup => RGBColor(0xE6, 0xAB, 0x02),
        MachineState::Blocked => RGBColor(0xD6, 0x27, 0x28),
        MachineState::Starved => RGBColor(0xC7, 0xC7, 0xC7),
        MachineState::WaitingOperator => RGBColor(0xFF, 0x7F, 0x0E),
        MachineState::OffShift => RGBColor(0x5A, 0x5A, 0x5A),
        MachineState::Down => RGBColor(0x6A, 0x3D, 0x9A),
        MachineState::LoadUnload => RGBColor(0x8F, 0xD1, 0x75),
        MachineState::WaitingLoadUnload => RGBColor(0xFF, 0xBB, 0x78),
        MachineState::Maintenance => RGBColor(0x1F, 0x77, 0xB4),
    }
}

/// A colour per station (energy chart), cycled.
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

/// A text style of `size` anchored at its bottom centre (labels above bars).
fn label_above(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom))
}

/// Hours as "12 min", "3.5 h" or "4.2 d".
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
