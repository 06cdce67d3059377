//! Kunming time and the app clock.
//!
//! Every rule about dates is decided in Asia/Shanghai time (UTC+8, no daylight saving),
//! whatever the server's own time zone: 107号 四、(一) speaks of calendar days in Kunming.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use std::sync::{Arc, RwLock};

/// The time zone every window, deadline and "today" is computed in.
pub const KUNMING: Tz = chrono_tz::Asia::Shanghai;

/// The calendar date in Kunming at an instant.
pub fn kunming_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&KUNMING).date_naive()
}

/// The instant a Kunming calendar day begins (00:00 local).
pub fn start_of_kunming_day(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    KUNMING
        .from_local_datetime(&midnight)
        .single()
        .expect("Asia/Shanghai has no DST gaps since 1991")
        .with_timezone(&Utc)
}

/// Formats an instant as Kunming local time, `2027-01-05 10:00`.
pub fn format_kunming(at: DateTime<Utc>) -> String {
    at.with_timezone(&KUNMING)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Parses a clock instant as given on the command line: RFC 3339 with an offset
/// (`2027-01-05T10:00:00+08:00` or `...Z`).
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("invalid clock instant {text:?}: {e}; expected RFC 3339 such as 2027-01-05T10:00:00+08:00")
        })
}

/// The app's clock. The whole app reads "now" from here and nowhere else, so that a
/// fixed instant makes every page, rule and deadline behave as at that instant
/// (drills, demos, tests).
#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Arc<RwLock<Option<DateTime<Utc>>>>,
}

impl Clock {
    /// The real clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock frozen at `at` (it can be moved with [`Clock::set`]).
    pub fn fixed(at: DateTime<Utc>) -> Self {
        let clock = Self::default();
        clock.set(Some(at));
        clock
    }

    /// Moves a fixed clock to `at`, or back to real time with `None`.
    pub fn set(&self, at: Option<DateTime<Utc>>) {
        *self.fixed.write().unwrap_or_else(|e| e.into_inner()) = at;
    }

    /// Whether this clock is fixed rather than real.
    pub fn is_fixed(&self) -> bool {
        self.fixed
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// The current instant, as the app sees it.
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or_else(Utc::now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_evening_of_31_december_is_1_january_in_kunming() {
        let at = parse_instant("2026-12-31T16:00:00Z").unwrap();
        assert_eq!(
            kunming_date(at),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        );
    }

    #[test]
    fn start_of_kunming_day_is_16_00_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(
            start_of_kunming_day(day),
            parse_instant("2026-12-31T16:00:00Z").unwrap()
        );
    }

    #[test]
    fn malformed_clock_instant_is_rejected_with_an_example() {
        let err = parse_instant("2027-13-45").unwrap_err();
        assert!(
            err.contains("2027-01-05T10:00:00+08:00"),
            "message should show the expected form: {err}"
        );
        assert!(
            parse_instant("2027-01-05T10:00:00").is_err(),
            "an instant without offset is ambiguous"
        );
    }

    #[test]
    fn fixed_clock_reports_its_instant_and_can_be_moved() {
        let at = parse_instant("2027-01-05T10:00:00+08:00").unwrap();
        let clock = Clock::fixed(at);
        assert_eq!(clock.now(), at);
        let later = parse_instant("2027-07-01T00:00:00+08:00").unwrap();
        clock.set(Some(later));
        assert_eq!(clock.now(), later);
        assert!(clock.is_fixed());
    }
}
