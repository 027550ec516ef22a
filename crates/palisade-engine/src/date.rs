//! Calendar dates for exemption expiry. Hand-written: we need only `YYYY-MM-DD` parsing and
//! today's date in UTC, which does not justify a date-time dependency.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn parse(s: &str) -> Result<Date, String> {
        let err = || format!("`{s}` is not a date; write it as YYYY-MM-DD, e.g. 2027-03-31");
        let mut it = s.trim().splitn(3, '-');
        let y: i32 = it.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let m: u8 = it.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let d: u8 = it.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return Err(err());
        }
        Ok(Date {
            year: y,
            month: m,
            day: d,
        })
    }

    /// Today in UTC.
    pub fn today() -> Date {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::from_days(secs.div_euclid(86_400))
    }

    /// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    pub fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
        Date {
            year: y,
            month: m,
            day: d,
        }
    }
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_civil() {
        assert_eq!(Date::parse("2027-03-31").unwrap().to_string(), "2027-03-31");
        assert!(Date::parse("2027-02-30").is_err());
        assert!(Date::parse("tomorrow").is_err());
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_415).to_string(), "2025-11-23");
        assert!(Date::parse("2024-02-29").is_ok());
    }
}
