//! `gantt.png` (with `run --trace`): the machine states of the traced
//! replication over the window, one row per machine, a panel per variant:
//! the picture that shows blocking chains (a run of red from a station
//! back up the line) and who starves whom (grey downstream of purple).

use super::{err, frame, state_color, state_legend, states_shown, Area, ChartData, FONT, HEIGHT};
use crate::model::MachineState;
use crate::report::trace_csv::Row;
use plotters::prelude::*;
use std::collections::HashMap;

pub const NAME: &str = "gantt.png";

/// Machines drawn per panel; a line with more shows its first ones and
/// says so.
pub const MAX_ROWS: usize = 48;

const ROW_PX: u32 = 24;

/// The machines of one variant's trace, in line order, each with its
/// state changes.
struct Lanes {
    names: Vec<String>,
    changes: Vec<Vec<(f64, MachineState)>>,
    from_h: f64,
    to_h: f64,
    total: usize,
}

fn lanes(rows: &[&Row]) -> Lanes {
    let mut machines_of: HashMap<&str, u32> = HashMap::new();
    for row in rows {
        let count = machines_of.entry(row.station.as_str()).or_default();
        *count = (*count).max(row.machine + 1);
    }
    let mut keys: Vec<(String, u32)> = Vec::new();
    let mut lane_of: HashMap<(&str, u32), usize> = HashMap::new();
    let mut changes: Vec<Vec<(f64, MachineState)>> = Vec::new();
    let (mut from_h, mut to_h) = (f64::INFINITY, f64::NEG_INFINITY);
    for row in rows {
        from_h = from_h.min(row.time_h);
        to_h = to_h.max(row.time_h);
        let lane = *lane_of
            .entry((row.station.as_str(), row.machine))
            .or_insert_with(|| {
                keys.push((row.station.clone(), row.machine));
                changes.push(Vec::new());
                keys.len() - 1
            });
        if let Some(state) = row.machine_state() {
            changes[lane].push((row.time_h, state));
        }
    }
    let several = |station: &str| machines_of.get(station).is_some_and(|&n| n > 1);
    let names = keys
        .iter()
        .map(|(station, m)| {
            if several(station) {
                format!("{station} #{}", m + 1)
            } else {
                station.clone()
            }
        })
        .collect();
    let total = keys.len();
    Lanes {
        names,
        changes,
        from_h,
        to_h,
        total,
    }
}

fn variant_rows<'r>(rows: &'r [Row], variant: &str) -> Vec<&'r Row> {
    rows.iter().filter(|r| r.variant == variant).collect()
}

/// Tall enough for every panel's rows.
pub fn height(data: &ChartData, rows: &[Row]) -> u32 {
    let panels: u32 = data
        .summary
        .variants
        .iter()
        .map(|v| {
            let lanes = lanes(&variant_rows(rows, &v.name)).total.min(MAX_ROWS) as u32;
            110 + ROW_PX * lanes.max(1)
        })
        .sum();
    (140 + panels).max(HEIGHT / 2)
}

pub fn draw(root: &Area<'_>, data: &ChartData, rows: &[Row]) -> Result<(), String> {
    let (panels_area, legend_area) = frame(root, data, "machine states over the traced window")?;
    let variants = &data.summary.variants;
    let all: Vec<Lanes> = variants
        .iter()
        .map(|v| lanes(&variant_rows(rows, &v.name)))
        .collect();
    let mut rest = panels_area;
    for (variant, lanes) in variants.iter().zip(&all) {
        let shown = lanes.total.clamp(1, MAX_ROWS) as u32;
        let (panel, below) = rest.split_vertically(110 + ROW_PX * shown);
        draw_panel(&panel, &variant.name, lanes)?;
        rest = below;
    }
    let traced = |state: crate::model::MachineState| rows.iter().any(|r| r.state == state.name());
    state_legend(&legend_area, &states_shown(&data.summary, traced))
}

fn draw_panel(panel: &Area<'_>, variant: &str, lanes: &Lanes) -> Result<(), String> {
    if lanes.total == 0 || lanes.to_h <= lanes.from_h {
        return panel
            .titled(&format!("{variant}: nothing traced"), (FONT, 26))
            .map(|_| ())
            .map_err(err);
    }
    let shown = lanes.total.min(MAX_ROWS);
    let caption = if shown < lanes.total {
        format!("{variant} (the first {shown} of {} machines)", lanes.total)
    } else {
        variant.to_owned()
    };
    let names = &lanes.names[..shown];
    let mut chart = ChartBuilder::on(panel)
        .caption(caption, (FONT, 26))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(180)
        .build_cartesian_2d(lanes.from_h..lanes.to_h, -0.5f64..shown as f64 - 0.5)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(shown)
        // Lane i is centred on shown - 1 - i: the first machine on top.
        .y_label_formatter(&|y| {
            let lane = shown as f64 - 1.0 - y;
            let i = lane.round();
            if (lane - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < shown {
                names[i as usize].clone()
            } else {
                String::new()
            }
        })
        .x_desc("simulated time, h (warm-up included)")
        .label_style((FONT, 18))
        .axis_desc_style((FONT, 20))
        .draw()
        .map_err(err)?;
    for (i, changes) in lanes.changes.iter().take(shown).enumerate() {
        let centre = (shown - 1 - i) as f64;
        let (bottom, top) = (centre - 0.4, centre + 0.4);
        let segments = changes.windows(2).filter(|w| w[1].0 > w[0].0).map(|w| {
            Rectangle::new(
                [(w[0].0, bottom), (w[1].0, top)],
                state_color(w[0].1).filled(),
            )
        });
        chart.draw_series(segments).map_err(err)?;
    }
    Ok(())
}
