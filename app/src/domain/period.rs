//! Filing periods and their windows.
//!
//! 107号 四、(一) 申报时间: "每年申报两次，即1月1日-10日（上一年度情况）和7月1日-10日（半年情况）".
//! A window opens at 00:00 on the 1st and closes at 24:00 on the 10th, Kunming time.

use super::time::{kunming_date, start_of_kunming_day};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which half of the filing calendar a period is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PeriodKind {
    /// 半年情况: the first half of year Y, filed 1–10 July of Y.
    HalfYear,
    /// 上一年度情况: the whole of year Y, filed 1–10 January of Y+1.
    Annual,
}

/// A filing period: what a filing reports on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    /// The calendar year reported on (not the year the window falls in, for annual periods).
    pub year: i32,
    pub kind: PeriodKind,
}

/// The last day of a window: 107号 四、(一) "1月1日-10日", "7月1日-10日".
const WINDOW_LAST_DAY: u32 = 10;

impl Period {
    pub fn annual(year: i32) -> Self {
        Self {
            year,
            kind: PeriodKind::Annual,
        }
    }

    pub fn half_year(year: i32) -> Self {
        Self {
            year,
            kind: PeriodKind::HalfYear,
        }
    }

    /// The first day of this period's window, Kunming date.
    pub fn window_first_day(&self) -> NaiveDate {
        match self.kind {
            // 1月1日-10日（上一年度情况）
            PeriodKind::Annual => NaiveDate::from_ymd_opt(self.year + 1, 1, 1),
            // 7月1日-10日（半年情况）
            PeriodKind::HalfYear => NaiveDate::from_ymd_opt(self.year, 7, 1),
        }
        .expect("1 January and 1 July exist")
    }

    /// The last day of this period's window (the window closes at 24:00 on it).
    pub fn window_last_day(&self) -> NaiveDate {
        self.window_first_day()
            .with_day(WINDOW_LAST_DAY)
            .expect("the 10th exists")
    }

    /// The filing window of this period.
    pub fn window(&self) -> FilingWindow {
        FilingWindow {
            period: *self,
            opens_at: start_of_kunming_day(self.window_first_day()),
            closes_at: start_of_kunming_day(
                self.window_last_day().succ_opt().expect("the 11th exists"),
            ),
        }
    }

    /// The period whose window comes after this one's.
    pub fn next(&self) -> Self {
        match self.kind {
            PeriodKind::HalfYear => Self::annual(self.year),
            PeriodKind::Annual => Self::half_year(self.year + 1),
        }
    }

    /// The period whose window comes before this one's.
    pub fn previous(&self) -> Self {
        match self.kind {
            PeriodKind::HalfYear => Self::annual(self.year - 1),
            PeriodKind::Annual => Self::half_year(self.year),
        }
    }

    /// The latest period whose window has opened at `at` (open now or already closed).
    pub fn latest_opened(at: DateTime<Utc>) -> Self {
        let today = kunming_date(at);
        if today.month() >= 7 {
            Self::half_year(today.year())
        } else {
            Self::annual(today.year() - 1)
        }
    }

    /// The latest period whose window has closed at `at` (the one before the open window, if
    /// a window is open): the period whose filings can be judged complete or missing.
    pub fn latest_closed(at: DateTime<Utc>) -> Self {
        match WindowState::at(at) {
            WindowState::Open(w) => w.period.previous(),
            WindowState::Closed { last, .. } => last.period,
        }
    }

    /// A stable key, `2026-H1` or `2026-Y`, used in URLs and the database.
    pub fn key(&self) -> String {
        match self.kind {
            PeriodKind::HalfYear => format!("{}-H1", self.year),
            PeriodKind::Annual => format!("{}-Y", self.year),
        }
    }

    /// Parses a key made by [`Period::key`].
    pub fn parse_key(key: &str) -> Option<Self> {
        let (year, kind) = key.split_once('-')?;
        let year: i32 = year.parse().ok().filter(|y| (2000..=9999).contains(y))?;
        match kind {
            "H1" => Some(Self::half_year(year)),
            "Y" => Some(Self::annual(year)),
            _ => None,
        }
    }

    /// Chinese label: `2026年上半年` or `2026年度`.
    pub fn label_zh(&self) -> String {
        match self.kind {
            PeriodKind::HalfYear => format!("{}年上半年", self.year),
            PeriodKind::Annual => format!("{}年度", self.year),
        }
    }

    /// English label: `first half of 2026` or `year 2026`.
    pub fn label_en(&self) -> String {
        match self.kind {
            PeriodKind::HalfYear => format!("first half of {}", self.year),
            PeriodKind::Annual => format!("year {}", self.year),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// A filing window: `[opens_at, closes_at)` in absolute time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingWindow {
    pub period: Period,
    /// 00:00 Kunming time on the 1st.
    pub opens_at: DateTime<Utc>,
    /// 24:00 Kunming time on the 10th, i.e. 00:00 on the 11th; the first instant it is closed.
    pub closes_at: DateTime<Utc>,
}

impl FilingWindow {
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.opens_at <= at && at < self.closes_at
    }
}

/// Where an instant falls in the filing calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WindowState {
    /// A window is open now.
    Open(FilingWindow),
    /// No window is open; `last` is the most recent one (closed), `next` the coming one.
    Closed {
        last: FilingWindow,
        next: FilingWindow,
    },
}

impl WindowState {
    pub fn at(at: DateTime<Utc>) -> Self {
        let latest = Period::latest_opened(at).window();
        if latest.contains(at) {
            WindowState::Open(latest)
        } else {
            WindowState::Closed {
                last: latest,
                next: latest.period.next().window(),
            }
        }
    }

    /// The window that is open now, or else the next one to open.
    pub fn current_or_next(&self) -> FilingWindow {
        match self {
            WindowState::Open(w) => *w,
            WindowState::Closed { next, .. } => *next,
        }
    }
}

/// A countdown split into days, hours, minutes and seconds (never negative).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Countdown {
    pub days: i64,
    pub hours: i64,
    pub minutes: i64,
    pub seconds: i64,
}

impl Countdown {
    pub fn between(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let total = (to - from).num_seconds().max(0);
        Self {
            days: total / 86_400,
            hours: total % 86_400 / 3_600,
            minutes: total % 3_600 / 60,
            seconds: total % 60,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::parse_instant;

    fn at(s: &str) -> DateTime<Utc> {
        parse_instant(s).unwrap()
    }

    #[test]
    fn january_window_opens_at_kunming_midnight_even_though_utc_is_still_31_december() {
        let state = WindowState::at(at("2026-12-31T16:00:00Z"));
        assert_eq!(
            state,
            WindowState::Open(Period::annual(2026).window()),
            "00:00 on 1 January in Kunming is inside the window"
        );
    }

    #[test]
    fn one_second_before_kunming_midnight_the_january_window_is_still_closed() {
        let state = WindowState::at(at("2026-12-31T15:59:59Z"));
        match state {
            WindowState::Closed { last, next } => {
                assert_eq!(last.period, Period::half_year(2026));
                assert_eq!(next.period, Period::annual(2026));
            }
            other => panic!("expected closed, got {other:?}"),
        }
    }

    #[test]
    fn window_is_open_until_the_last_second_of_the_10th_in_kunming() {
        assert!(Period::annual(2026)
            .window()
            .contains(at("2027-01-10T23:59:59+08:00")));
        assert!(!Period::annual(2026)
            .window()
            .contains(at("2027-01-11T00:00:00+08:00")));
        // 10 January 16:00 UTC is already 11 January in Kunming.
        assert!(!Period::annual(2026)
            .window()
            .contains(at("2027-01-10T16:00:00Z")));
    }

    #[test]
    fn july_window_has_the_same_boundaries() {
        let w = Period::half_year(2027).window();
        assert!(!w.contains(at("2027-06-30T23:59:59+08:00")));
        assert!(
            w.contains(at("2027-06-30T16:00:00Z")),
            "1 July 00:00 in Kunming"
        );
        assert!(w.contains(at("2027-07-10T23:59:59+08:00")));
        assert!(!w.contains(at("2027-07-11T00:00:00+08:00")));
    }

    #[test]
    fn january_window_belongs_to_the_previous_year_and_july_to_the_first_half() {
        assert_eq!(
            Period::latest_opened(at("2027-01-05T10:00:00+08:00")),
            Period::annual(2026)
        );
        assert_eq!(
            Period::latest_opened(at("2027-07-05T10:00:00+08:00")),
            Period::half_year(2027)
        );
        assert_eq!(
            Period::latest_opened(at("2027-03-01T10:00:00+08:00")),
            Period::annual(2026)
        );
        assert_eq!(
            Period::latest_opened(at("2027-11-24T10:00:00+08:00")),
            Period::half_year(2027)
        );
    }

    #[test]
    fn the_latest_closed_period_is_the_one_before_an_open_window() {
        // Inside the January window (until 24:00 on the 10th, Kunming), 2026-H1 is the last
        // closed; from 00:00 on the 11th (16:00 UTC on the 10th), 2026-Y.
        assert_eq!(
            Period::latest_closed(at("2027-01-10T23:59:00+08:00")),
            Period::half_year(2026)
        );
        assert_eq!(
            Period::latest_closed(at("2027-01-10T16:00:00Z")),
            Period::annual(2026)
        );
        assert_eq!(
            Period::latest_closed(at("2026-11-24T10:00:00+08:00")),
            Period::half_year(2026)
        );
    }

    #[test]
    fn after_a_window_closes_the_next_one_is_announced() {
        match WindowState::at(at("2026-11-24T10:00:00+08:00")) {
            WindowState::Closed { last, next } => {
                assert_eq!(last.period, Period::half_year(2026));
                assert_eq!(next.period, Period::annual(2026));
                assert_eq!(next.opens_at, at("2027-01-01T00:00:00+08:00"));
            }
            other => panic!("expected closed, got {other:?}"),
        }
    }

    #[test]
    fn period_keys_round_trip_and_reject_garbage() {
        for p in [Period::annual(2026), Period::half_year(2027)] {
            assert_eq!(Period::parse_key(&p.key()), Some(p));
        }
        assert_eq!(Period::parse_key("2026-H2"), None);
        assert_eq!(Period::parse_key("abcd-Y"), None);
    }

    #[test]
    fn periods_step_forward_and_back_alternately() {
        let p = Period::half_year(2026);
        assert_eq!(p.next(), Period::annual(2026));
        assert_eq!(p.next().next(), Period::half_year(2027));
        assert_eq!(p.next().previous(), p);
    }

    #[test]
    fn countdown_splits_days_hours_minutes() {
        let c = Countdown::between(
            at("2026-12-30T22:30:15+08:00"),
            at("2027-01-01T00:00:00+08:00"),
        );
        assert_eq!(
            c,
            Countdown {
                days: 1,
                hours: 1,
                minutes: 29,
                seconds: 45
            }
        );
        assert_eq!(
            Countdown::between(at("2027-01-02T00:00:00Z"), at("2027-01-01T00:00:00Z")).days,
            0
        );
    }
}
