//! `[calendar]`: when the plant is closed. Weekly closed windows (as shift
//! windows, from Monday 00:00) and closed days, given as dates counted from
//! `start_date`, the date of time 0, a Monday.

use super::keys;
use super::pool::{merge_windows, parse_clock, parse_days, weekly_windows};
use super::read::{index, join, Reader, Table};
use crate::model::date::{civil_from_days, parse_date, weekday};
use crate::model::{Calendar, WEEK_MIN};

pub fn read_calendar(reader: &mut Reader<'_>, root: &Table<'_>) -> Option<Option<Calendar>> {
    let Some(value) = root.get("calendar") else {
        return Some(None);
    };
    let table = reader.table(value, "calendar")?;
    let errors_before = reader.error_count();
    reader.check_keys(table, "calendar", keys::CALENDAR);
    let start = table.get("start_date").and_then(|v| {
        let text = reader.string(v, "calendar.start_date")?;
        let days = parse_date(&text)
            .map_err(|e| reader.error(v.span(), "calendar.start_date", e))
            .ok()?;
        if weekday(days) != 0 {
            const NAMES: [&str; 7] = [
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            ];
            let monday = days - weekday(days);
            reader.error(
                v.span(),
                "calendar.start_date",
                format!(
                    "expected a Monday (time 0 and every weekly window start on a Monday), got a {}; the Monday before is {}",
                    NAMES[weekday(days) as usize],
                    civil_from_days(monday)
                ),
            );
            return None;
        }
        Some(days)
    });
    let mut windows = Vec::new();
    if let Some(v) = table.get("closed") {
        if let Some(array) = reader.array(v, "calendar.closed") {
            for (i, entry) in array.iter().enumerate() {
                let path = index("calendar.closed", i);
                windows.extend(read_closed(reader, entry, &path).unwrap_or_default());
            }
        }
    }
    let mut holidays = Vec::new();
    if let Some(v) = table.get("holidays") {
        if table.get("start_date").is_none() {
            reader.error(
                v.span(),
                "calendar.start_date",
                "holidays are dates: give start_date, the date of time 0 (a Monday)",
            );
        }
        if let (Some(array), Some(start)) = (reader.array(v, "calendar.holidays"), start) {
            for (i, entry) in array.iter().enumerate() {
                let path = index("calendar.holidays", i);
                let Some(text) = reader.string(entry, &path) else {
                    continue;
                };
                match parse_date(&text) {
                    Ok(day) if day < start => reader.warn(
                        entry.span(),
                        &path,
                        format!("{text} is before start_date: this holiday is never reached"),
                    ),
                    Ok(day) => holidays.push((day - start) as u32),
                    Err(e) => reader.error(entry.span(), &path, e),
                }
            }
        }
    }
    if reader.error_count() > errors_before {
        return None;
    }
    holidays.sort_unstable();
    holidays.dedup();
    let closed = merge_windows(windows);
    let closed_min: f64 = closed.iter().map(|(s, e)| e - s).sum();
    if closed_min >= WEEK_MIN {
        reader.error(
            value.span(),
            "calendar.closed",
            "the plant is closed all week: it would never make a part (leave out [calendar] for a plant that never closes)",
        );
        return None;
    }
    Some(Some(Calendar { closed, holidays }))
}

/// The weekly windows of one `closed` entry: `days`, and `start`/`end`
/// (both omitted: the whole day; an end at or before the start runs past
/// midnight into the next day).
fn read_closed(
    reader: &mut Reader<'_>,
    value: &super::read::Value<'_>,
    path: &str,
) -> Option<Vec<(f64, f64)>> {
    let table = reader.table(value, path)?;
    reader.check_keys(table, path, keys::CLOSED);
    let mut clock = |key: &str| -> Option<Option<f64>> {
        let Some(v) = table.get(key) else {
            return Some(None);
        };
        let text = reader.string(v, &join(path, key))?;
        parse_clock(&text)
            .map_err(|e| reader.error(v.span(), &join(path, key), e))
            .ok()
            .map(Some)
    };
    let (start, end) = (clock("start"), clock("end"));
    let days = reader
        .required(table, value.span(), path, "days")
        .and_then(|v| {
            let text = reader.string(v, &join(path, "days"))?;
            parse_days(&text)
                .map_err(|e| reader.error(v.span(), &join(path, "days"), e))
                .ok()
        });
    let (start, end, days) = (start?, end?, days?);
    let (start, mut end) = match (start, end) {
        (None, None) => (0.0, 1440.0),
        (Some(s), Some(e)) => (s, e),
        _ => {
            reader.error(
                value.span(),
                path,
                "give both start and end, or neither (the whole day)",
            );
            return None;
        }
    };
    if end <= start {
        end += 1440.0; // past midnight
    }
    Some(weekly_windows(&days, start, end))
}
