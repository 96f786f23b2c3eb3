//! `[calendar]`: when the plant is closed. Weekly closed windows (as shift
//! windows, from Monday 00:00) and closed days, given as dates counted from
//! `start_date`, the date of time 0, a Monday.

use super::keys;
use super::pool::{merge_windows, parse_clock, parse_days};
use super::read::{index, join, Reader, Table};
use crate::model::{Calendar, WEEK_MIN};

/// Days from 1970-01-01 to a civil date (proleptic Gregorian calendar).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A date "YYYY-MM-DD" as days from 1970-01-01.
pub fn parse_date(text: &str) -> Result<i64, String> {
    let error = || format!("expected a date \"YYYY-MM-DD\", got \"{text}\"");
    let parts: Vec<&str> = text.trim().split('-').collect();
    let [y, m, d] = parts[..] else {
        return Err(error());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(error());
    }
    let (year, month, day): (i64, u32, u32) = (
        y.parse().map_err(|_| error())?,
        m.parse().map_err(|_| error())?,
        d.parse().map_err(|_| error())?,
    );
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(format!("{}: there is no month {month}", error())),
    };
    if day == 0 || day > days_in_month {
        return Err(format!("{}: that month has {days_in_month} days", error()));
    }
    Ok(days_from_civil(year, month, day))
}

/// The weekday of a day from 1970-01-01 (0 = Monday; 1970-01-01 was a Thursday).
fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

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

/// A day from 1970-01-01 as "YYYY-MM-DD".
fn civil_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
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
    Some(windows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days_and_know_mondays() {
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert_eq!(parse_date("2027-01-04").map(weekday), Ok(0));
        assert_eq!(parse_date("2027-01-01").map(weekday), Ok(4));
        let jan4 = parse_date("2027-01-04").unwrap();
        assert_eq!(parse_date("2027-03-01").unwrap() - jan4, 27 + 28 + 1);
        assert_eq!(
            parse_date("2028-03-01").unwrap() - parse_date("2028-02-28").unwrap(),
            2
        );
        assert_eq!(civil_from_days(jan4), "2027-01-04");
        assert!(parse_date("2027-02-29").is_err());
        assert!(parse_date("2027-13-01").is_err());
        assert!(parse_date("27-01-01").is_err());
    }
}
