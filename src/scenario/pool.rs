//! `[[pools]]`: operator pools and their weekly shift calendars (windows
//! in minutes from Monday 00:00, merged and sorted).

use super::diagnostic::did_you_mean;
use super::keys;
use super::read::{index, join, Reader, Value};
use crate::model::{Pool, WEEK_MIN};

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Days of a shift: "mon-fri", "sat", "mon,wed,fri", "fri-mon", "daily".
pub(super) fn parse_days(text: &str) -> Result<[bool; 7], String> {
    let mut days = [false; 7];
    let day = |name: &str| -> Result<usize, String> {
        let name = name.trim().to_ascii_lowercase();
        DAY_NAMES.iter().position(|d| *d == name).ok_or_else(|| {
            let hint = did_you_mean(&name, DAY_NAMES);
            format!("unknown day \"{name}\"{hint}; expected mon, tue, wed, thu, fri, sat, sun")
        })
    };
    if matches!(text.trim(), "daily" | "all") {
        return Ok([true; 7]);
    }
    for part in text.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day(from)?, day(to)?);
                let mut d = from;
                loop {
                    days[d] = true;
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days[day(part)?] = true,
        }
    }
    Ok(days)
}

/// "HH:MM" from 00:00 to 24:00, in minutes.
pub(super) fn parse_clock(text: &str) -> Result<f64, String> {
    let error = || format!("expected a time of day \"HH:MM\" from 00:00 to 24:00, got \"{text}\"");
    let (h, m) = text.trim().split_once(':').ok_or_else(error)?;
    let (h, m): (u32, u32) = (
        h.parse().map_err(|_| error())?,
        m.parse().map_err(|_| error())?,
    );
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return Err(error());
    }
    Ok(f64::from(h * 60 + m))
}

pub fn read_pool(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<Pool> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, keys::POOL);
    let name = reader
        .required(table, value.span(), path, "name")
        .and_then(|v| reader.defined_name(v, &join(path, "name")));
    let size = reader
        .required(table, value.span(), path, "size")
        .and_then(|v| reader.integer_in(v, &join(path, "size"), 1, 1_000_000))
        .map(|s| s as u32);
    let shifts = match table.get("shifts") {
        Some(v) => Some(read_shifts(reader, v, &join(path, "shifts"))?),
        None => None,
    };
    let cost_per_h = match table.get("cost_per_h") {
        Some(v) => Some(super::read::non_negative(
            reader,
            v,
            &join(path, "cost_per_h"),
        )?),
        None => None,
    };
    Some(Pool {
        name: name?,
        size: size?,
        shifts,
        cost_per_h,
    })
}

/// `shifts`: at least one shift entry; their windows merged.
fn read_shifts(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<Vec<(f64, f64)>> {
    let array = reader.array(value, path)?;
    let errors_before = reader.error_count();
    if array.is_empty() {
        reader.error(
            value.span(),
            path,
            "a pool needs at least one shift (leave shifts out for a pool that always works)",
        );
    }
    let mut windows = Vec::new();
    for (i, shift) in array.iter().enumerate() {
        windows.extend(read_shift(reader, shift, &index(path, i)).unwrap_or_default());
    }
    (reader.error_count() == errors_before).then(|| merge_windows(windows))
}

/// The weekly windows of one shift entry.
fn read_shift(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<Vec<(f64, f64)>> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, keys::SHIFT);
    let mut field = |key: &str, parse: fn(&str) -> Result<f64, String>| -> Option<f64> {
        let v = reader.required(table, value.span(), path, key)?;
        let text = reader.string(v, &join(path, key))?;
        parse(&text)
            .map_err(|e| reader.error(v.span(), &join(path, key), e))
            .ok()
    };
    let start = field("start", parse_clock);
    let end = field("end", parse_clock);
    let days_value = reader.required(table, value.span(), path, "days");
    let days = days_value.and_then(|v| {
        let text = reader.string(v, &join(path, "days"))?;
        parse_days(&text)
            .map_err(|e| reader.error(v.span(), &join(path, "days"), e))
            .ok()
    });
    let (start, mut end, days) = (start?, end?, days?);
    // As in the plant calendar's windows: an end at or before the start
    // runs past midnight, so one at the start is 24 hours later.
    if end <= start {
        end += 1440.0;
    }
    Some(weekly_windows(&days, start, end))
}

/// The windows `[start, end)` (minutes of a day; `end` may pass midnight)
/// of every day marked in `days`, within one week: a window running past
/// Sunday midnight is split at the week's end.
pub(super) fn weekly_windows(days: &[bool; 7], start: f64, end: f64) -> Vec<(f64, f64)> {
    let mut windows = Vec::new();
    for (day, &on) in days.iter().enumerate() {
        if on {
            let (s, e) = (day as f64 * 1440.0 + start, day as f64 * 1440.0 + end);
            if e > WEEK_MIN {
                windows.push((s, WEEK_MIN));
                windows.push((0.0, e - WEEK_MIN));
            } else {
                windows.push((s, e));
            }
        }
    }
    windows
}

/// Sorts windows and merges overlapping or touching ones.
pub(super) fn merge_windows(mut windows: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    windows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (start, end) in windows {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}
