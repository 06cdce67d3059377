//! A unit's life: the day it opened and, once it closed, the day it closed; and from them,
//! the periods it is expected to file for.
//!
//! 107号 三、(二) puts every unit of the chain under the duty to file, and 四、(一) has it file
//! twice a year on a period: 上一年度情况 (the whole previous year) and 半年情况 (the first
//! half). A unit answers for the time it existed. It is **expected to file for a period** when
//! it was open on some day from the first day the period reports on (1 January of its year,
//! for both kinds) to the last day of the period's window (the 10th, 107号 四、(一)):
//!
//! - a unit that opened after the window closed was never asked for that period: not
//!   expected, so never "missing" in a roll-up nor for the ladder (106号 第五条（四）);
//! - a unit that opened before or during the window files, like every unit open then;
//! - a unit that closed before the period began owes nothing for it, and cannot file for it;
//! - a unit that closed during the period, or during the window, still files for it (the
//!   duties of 107号 五 bound it while it was open).
//!
//! Nobody filed before 107号 was issued ([`REGIME_START`]): periods before it are never
//! expected, whatever a unit's opening date.

use super::period::Period;
use super::validation::FieldErrors;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The day 昆政办〔2010〕107号 was issued (2010年4月29日). Units recorded before the lifecycle
/// was kept are taken as open since that day, which keeps every period's expectations as they
/// were.
pub const REGIME_START: NaiveDate = match NaiveDate::from_ymd_opt(2010, 4, 29) {
    Some(d) => d,
    None => panic!("2010-04-29 exists"),
};

/// Dates outside these years are typing mistakes, not openings or closings.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

/// When a unit was open: from `opened_on`, until `closed_on` if it has closed (both Kunming
/// dates, both days included). Built only with the closing on or after the opening.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Life {
    opened_on: NaiveDate,
    closed_on: Option<NaiveDate>,
}

/// Why a life cannot be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LifeError {
    /// The closing date is before the opening date.
    ClosedBeforeOpened,
}

impl Life {
    /// A life from its dates; a closing before the opening is refused.
    pub fn new(opened_on: NaiveDate, closed_on: Option<NaiveDate>) -> Result<Self, LifeError> {
        match closed_on {
            Some(c) if c < opened_on => Err(LifeError::ClosedBeforeOpened),
            _ => Ok(Self {
                opened_on,
                closed_on,
            }),
        }
    }

    /// Open since [`REGIME_START`], not closed: a unit whose opening is not known.
    pub fn since_regime_start() -> Self {
        Self {
            opened_on: REGIME_START,
            closed_on: None,
        }
    }

    /// Open since `opened_on`, not closed.
    pub fn opened(opened_on: NaiveDate) -> Self {
        Self {
            opened_on,
            closed_on: None,
        }
    }

    /// The dates as typed into a form (`YYYY-MM-DD`): the opening is required, the closing
    /// optional (empty: still open). Errors are per field: `opened_on`, `closed_on`.
    pub fn parse(opened_on: &str, closed_on: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let opened = match opened_on.trim() {
            "" => {
                errors.add("opened_on", "err.required");
                None
            }
            s => parse_date(s).or_else(|| {
                errors.add("opened_on", "err.date");
                None
            }),
        };
        let closed = match closed_on.trim() {
            "" => None,
            s => parse_date(s).or_else(|| {
                errors.add("closed_on", "err.date");
                None
            }),
        };
        let Some(opened) = opened.filter(|_| errors.is_empty()) else {
            return Err(errors);
        };
        Self::new(opened, closed).map_err(|_| {
            let mut errors = FieldErrors::new();
            errors.add("closed_on", "err.closed_before_opened");
            errors
        })
    }

    pub fn opened_on(&self) -> NaiveDate {
        self.opened_on
    }

    pub fn closed_on(&self) -> Option<NaiveDate> {
        self.closed_on
    }

    /// Whether the unit is expected to file for `period` (see the module documentation):
    /// open on some day from 1 January of the period's year to the last day of its window,
    /// and the period not before 107号.
    pub fn expects(&self, period: Period) -> bool {
        let reports_from = NaiveDate::from_ymd_opt(period.year, 1, 1).expect("1 January exists");
        period >= first_period_of_regime()
            && self.opened_on <= period.window_last_day()
            && self.closed_on.is_none_or(|c| c >= reports_from)
    }

    /// The periods the unit is expected to file for, as a span of periods ([`Self::expects`]
    /// is exactly [`Periods::contains`] of it), which the kept counts store.
    pub fn periods(&self) -> Periods {
        Periods {
            first: first_expected(self.opened_on.max(REGIME_START)),
            // The latest period reporting on a day up to the closing: the closing year's
            // annual period (both kinds report from 1 January).
            last: self.closed_on.map(|c| Period::annual(c.year())),
        }
    }
}

/// A date as typed: `YYYY-MM-DD`, in [`YEARS`].
fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
}

/// The first period of the regime: the one whose window is the first to end after 107号.
fn first_period_of_regime() -> Period {
    first_expected(REGIME_START)
}

/// The earliest period whose window ends on or after `day` (windows come in the order of
/// their periods: 上一年度 in January, 半年 in July).
fn first_expected(day: NaiveDate) -> Period {
    let y = day.year();
    [Period::annual(y - 1), Period::half_year(y)]
        .into_iter()
        .find(|p| day <= p.window_last_day())
        .unwrap_or(Period::annual(y))
}

/// A run of consecutive periods: from `first`, to `last` included (`None`: no end yet).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Periods {
    pub first: Period,
    pub last: Option<Period>,
}

impl Periods {
    pub fn contains(&self, period: Period) -> bool {
        self.first <= period && self.last.is_none_or(|l| period <= l)
    }

    /// As stored: the first period's key, and the last one's or `''` for none.
    pub fn keys(&self) -> (String, String) {
        (
            self.first.key(),
            self.last.map(|p| p.key()).unwrap_or_default(),
        )
    }

    /// From [`Self::keys`]; `None` for keys no period has.
    pub fn parse_keys(first: &str, last: &str) -> Option<Self> {
        Some(Self {
            first: Period::parse_key(first)?,
            last: match last {
                "" => None,
                k => Some(Period::parse_key(k)?),
            },
        })
    }
}

/// The periods a unit is counted in each of its places, for a unit that moved (changed its
/// county, township or industry): `moved_until` are the last periods of its earlier places,
/// oldest first (each place holds the periods after the one before it, up to its own); its
/// current place holds the periods after the last of them. Each place's span is cut to the
/// unit's life; `None` where nothing is left. The result has one entry per earlier place,
/// then one for the current place.
pub fn spans_by_place(life: &Life, moved_until: &[Period]) -> Vec<Option<Periods>> {
    let whole = life.periods();
    let mut out = Vec::with_capacity(moved_until.len() + 1);
    let mut from = whole.first;
    for until in moved_until {
        let last = match whole.last {
            Some(l) if l < *until => l,
            _ => *until,
        };
        out.push((from <= last).then_some(Periods {
            first: from,
            last: Some(last),
        }));
        if until.next() > from {
            from = until.next();
        }
    }
    out.push(whole.last.is_none_or(|l| from <= l).then_some(Periods {
        first: from,
        last: whole.last,
    }));
    out
}

/// The last period a unit moving on `day` leaves with its old place: the latest of the
/// periods whose window had closed before that day and of `last_filed` (a period it has
/// already filed for: 107号 四、(二), its filings stay with the chain they went to). The
/// periods after it go with the unit to its new place.
pub fn moved_until(day: NaiveDate, last_filed: Option<Period>) -> Period {
    let closed_before = first_expected(day).previous();
    match last_filed {
        Some(p) if p > closed_before => p,
        _ => closed_before,
    }
}

/// The closing date a duplicate enterprise gets when it is merged into the one kept
/// (issue 14, "merge of two duplicate enterprises keeps both histories"), merged on `day`.
///
/// Its registration was a mistake, so it owes nothing from the merge on; what it already owed
/// stays: the periods whose window closed before the merge, and any period it filed for
/// (`last_filed`; 107号 四、(二): a filing stays with the chain it went to). The closing is the
/// earliest day that keeps those periods expected, so that later periods are not:
/// 31 December of the last kept period's year, or the merge day itself when that is earlier,
/// never before the opening. A closing ends a unit's duty a whole year at a time (both periods
/// of a year report from 1 January, module documentation), so a duplicate that owed the first
/// half of the merge year stays expected for that year's annual period too.
pub fn merged_closing(life: &Life, day: NaiveDate, last_filed: Option<Period>) -> NaiveDate {
    let kept = moved_until(day, last_filed);
    let year_end = NaiveDate::from_ymd_opt(kept.year, 12, 31).expect("31 December exists");
    year_end.min(day).max(life.opened_on)
}

/// The first period whose window had not closed before `day`: the period being filed for
/// (window open) or the next one to be. Two filings of one enterprise for it or later are
/// still current on `day` (see `merged_closing`).
pub fn first_current(day: NaiveDate) -> Period {
    first_expected(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn life(opened: &str, closed: Option<&str>) -> Life {
        Life::new(d(opened), closed.map(d)).unwrap()
    }

    #[test]
    fn a_unit_opened_after_a_window_closes_is_not_expected_for_its_period() {
        let y2026 = Period::annual(2026);
        assert!(
            !life("2027-01-11", None).expects(y2026),
            "opened the day after 1–10 January 2027"
        );
        assert!(
            life("2027-01-10", None).expects(y2026),
            "opened on the window's last day: it files"
        );
        assert!(life("2027-01-11", None).expects(Period::half_year(2027)));
    }

    #[test]
    fn a_closed_unit_is_not_expected_for_periods_that_began_after_it_closed() {
        let l = life("2015-03-01", Some("2026-05-20"));
        assert!(l.expects(Period::half_year(2026)), "open in the first half");
        assert!(
            l.expects(Period::annual(2026)),
            "the year 2026 reports on its first months too"
        );
        assert!(!l.expects(Period::half_year(2027)));
        assert!(!l.expects(Period::annual(2027)));
    }

    #[test]
    fn no_period_before_the_regime_is_expected() {
        let l = life("1998-06-01", None);
        assert!(!l.expects(Period::annual(2009)));
        assert!(l.expects(Period::half_year(2010)));
        assert_eq!(l.periods().first, Period::half_year(2010));
    }

    #[test]
    fn the_span_of_periods_is_exactly_what_the_unit_is_expected_for() {
        // Every opening and closing day over three years, against every period around them.
        let days: Vec<NaiveDate> = d("2025-01-01")
            .iter_days()
            .take_while(|x| *x <= d("2027-12-31"))
            .step_by(3)
            .collect();
        let periods: Vec<Period> =
            std::iter::successors(Some(Period::annual(2023)), |p| Some(p.next()))
                .take(12)
                .collect();
        for (i, opened) in days.iter().enumerate() {
            for closed in std::iter::once(None).chain(days[i..].iter().step_by(7).map(Some)) {
                let l = Life::new(*opened, closed.copied()).unwrap();
                for p in &periods {
                    assert_eq!(
                        l.periods().contains(*p),
                        l.expects(*p),
                        "{l:?} for {p}: the stored span disagrees with the rule"
                    );
                }
            }
        }
    }

    #[test]
    fn a_form_needs_an_opening_date_and_a_closing_not_before_it() {
        assert_eq!(
            Life::parse("2026-03-01", "").unwrap(),
            Life::opened(d("2026-03-01"))
        );
        let e = Life::parse("", "2026-01-01").unwrap_err();
        assert_eq!(e.get("opened_on"), Some("err.required"));
        let e = Life::parse("2026-13-01", "1 May").unwrap_err();
        assert_eq!(e.get("opened_on"), Some("err.date"));
        assert_eq!(e.get("closed_on"), Some("err.date"));
        let e = Life::parse("2026-03-01", "2026-02-28").unwrap_err();
        assert_eq!(e.get("closed_on"), Some("err.closed_before_opened"));
        assert!(
            Life::parse("2026-03-01", "2026-03-01").is_ok(),
            "a one-day life"
        );
        assert_eq!(
            Life::parse("0026-03-01", "").unwrap_err().get("opened_on"),
            Some("err.date")
        );
    }

    #[test]
    fn a_move_leaves_past_and_filed_periods_with_the_old_place() {
        // Moving on 20 January 2027: 2026-Y's window has closed, it stays behind.
        assert_eq!(moved_until(d("2027-01-20"), None), Period::annual(2026));
        // Moving on 5 January, inside 2026-Y's window: it goes along, unless already filed.
        assert_eq!(moved_until(d("2027-01-05"), None), Period::half_year(2026));
        assert_eq!(
            moved_until(d("2027-01-05"), Some(Period::annual(2026))),
            Period::annual(2026)
        );
    }

    #[test]
    fn each_place_counts_the_periods_between_moves_within_the_life() {
        let l = life("2025-03-01", None);
        let spans = spans_by_place(&l, &[Period::annual(2025), Period::annual(2026)]);
        assert_eq!(
            spans,
            vec![
                Some(Periods {
                    first: Period::half_year(2025),
                    last: Some(Period::annual(2025))
                }),
                Some(Periods {
                    first: Period::half_year(2026),
                    last: Some(Period::annual(2026))
                }),
                Some(Periods {
                    first: Period::half_year(2027),
                    last: None
                }),
            ]
        );
        // Closed before its last move took effect: the current place counts nothing.
        let closed = life("2025-03-01", Some("2026-03-01"));
        let spans = spans_by_place(&closed, &[Period::annual(2026)]);
        assert_eq!(spans[1], None);
        assert_eq!(spans[0].unwrap().last, Some(Period::annual(2026)));
        // Every period of the life is in exactly one place.
        for p in std::iter::successors(Some(Period::annual(2024)), |p| Some(p.next())).take(8) {
            let places = spans_by_place(&l, &[Period::annual(2025), Period::annual(2026)])
                .iter()
                .filter(|s| s.is_some_and(|s| s.contains(p)))
                .count();
            assert_eq!(places, l.expects(p) as usize, "{p}");
        }
    }

    #[test]
    fn stored_keys_read_back_as_the_same_span() {
        let p = life("2026-08-01", Some("2027-02-01")).periods();
        assert_eq!(p.first, Period::annual(2026));
        assert_eq!(p.last, Some(Period::annual(2027)));
        let (first, last) = p.keys();
        assert_eq!(Periods::parse_keys(&first, &last), Some(p));
        let open = Life::since_regime_start().periods();
        assert_eq!(open.keys(), ("2010-H1".to_string(), String::new()));
    }

    #[test]
    fn a_merged_duplicate_keeps_what_it_owed_and_owes_nothing_after() {
        let old = life("2015-03-01", None);
        // Merged on 20 January 2027: 2026-Y's window has closed, it stays owed; 2027 is not.
        let c = merged_closing(&old, d("2027-01-20"), None);
        assert_eq!(c, d("2026-12-31"));
        let merged = Life::new(old.opened_on(), Some(c)).unwrap();
        assert!(merged.expects(Period::annual(2026)));
        assert!(!merged.expects(Period::half_year(2027)));
        // Merged on 5 January 2027, inside 2026-Y's window, not filed: only 2026-H1 was due,
        // and 2026-Y comes with its year.
        let c = merged_closing(&old, d("2027-01-05"), None);
        assert_eq!(c, d("2026-12-31"));
        // Merged in August 2027 after filing 2027-H1: closed on the merge day (2027 owed).
        let c = merged_closing(&old, d("2027-08-02"), Some(Period::half_year(2027)));
        assert_eq!(c, d("2027-08-02"));
        // A duplicate registered this year closes no earlier than it opened.
        let new = life("2027-01-15", None);
        assert_eq!(merged_closing(&new, d("2027-01-20"), None), d("2027-01-15"));
        assert_eq!(first_current(d("2027-01-05")), Period::annual(2026));
        assert_eq!(first_current(d("2027-01-11")), Period::half_year(2027));
    }
}
