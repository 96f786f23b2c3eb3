//! Calendar dates and timestamps: days from 1970-01-01 in the proleptic
//! Gregorian calendar (the plant calendar's dates, timestamps of plant
//! data).

/// Days from 1970-01-01 to a civil date (proleptic Gregorian calendar).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
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
pub fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

/// A day from 1970-01-01 as "YYYY-MM-DD".
pub fn civil_from_days(z: i64) -> String {
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

/// A timestamp `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM`, `YYYY-MM-DDTHH:MM:SS` or
/// the same with a space for the `T` (a trailing `Z` allowed), as minutes
/// from 1970-01-01 00:00.
pub fn parse_timestamp(text: &str) -> Result<f64, String> {
    let text = text.trim().trim_end_matches('Z');
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let days = parse_date(date)?;
    let minutes = match time {
        None => 0.0,
        Some(t) => {
            let error = || format!("expected a time of day \"HH:MM\" or \"HH:MM:SS\", got \"{t}\"");
            let parts: Vec<&str> = t.split(':').collect();
            if !(2..=3).contains(&parts.len()) {
                return Err(error());
            }
            let h: u32 = parts[0].parse().map_err(|_| error())?;
            let m: u32 = parts[1].parse().map_err(|_| error())?;
            let s: f64 = match parts.get(2) {
                Some(s) => s.parse().map_err(|_| error())?,
                None => 0.0,
            };
            if h > 23 || m > 59 || !(0.0..60.0).contains(&s) {
                return Err(error());
            }
            f64::from(h * 60 + m) + s / 60.0
        }
    };
    Ok(days as f64 * 1440.0 + minutes)
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

#[cfg(test)]
mod timestamp_tests {
    use super::*;

    #[test]
    fn timestamps_count_minutes() {
        assert_eq!(parse_timestamp("1970-01-02"), Ok(1440.0));
        assert_eq!(parse_timestamp("1970-01-01T06:30"), Ok(390.0));
        assert_eq!(parse_timestamp("1970-01-01 00:00:30Z"), Ok(0.5));
        assert!(parse_timestamp("1970-01-01T25:00").is_err());
    }
}
