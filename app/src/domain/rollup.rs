//! Roll-ups (汇总) for a period over the units below an office or department (107号 四、(二):
//! each department and office 汇总 what it receives): who was expected to file, who filed on
//! time or late, who is missing; returned and accepted; nil filings and filings with unmet
//! items; unmet items counted by form, by row, by industry and by subordinate unit.
//!
//! Pure: the caller loads the facts (one [`UnitFacts`] per expected unit) and gets the
//! counts, so the same arithmetic serves every page, export and chart, and tests can check
//! it against an independent count.

use super::filing::{FilingStatus, UnmetItem};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What is known of one expected unit's filing for the period (its latest submitted version).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitFacts {
    pub unit_id: String,
    /// The subordinate unit it is counted under (a county for the city, a township or a
    /// department for a county, …).
    pub group: String,
    /// For an enterprise, its industry.
    pub industry: Option<String>,
    /// The latest non-draft version, if the unit has filed at all.
    pub filing: Option<FiledFacts>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledFacts {
    pub status: FilingStatus,
    pub late: bool,
    /// Whether the filing is nil (107号 五: every binding row 落实), as stored when it was
    /// submitted: the one source of truth, never recomputed from the answers.
    pub nil: bool,
    /// The binding rows answered 不落实, with their explanations.
    pub unmet: Vec<UnmetItem>,
}

/// The counts of a roll-up.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollup {
    pub expected: usize,
    pub filed_on_time: usize,
    pub filed_late: usize,
    pub missing: usize,
    pub returned: usize,
    pub accepted: usize,
    /// Filed with no unmet item (零申报 proper).
    pub nil: usize,
    /// Filed with at least one unmet item.
    pub with_unmet: usize,
    /// Unmet items by form number.
    pub unmet_by_form: BTreeMap<u8, usize>,
    /// Unmet items by row id.
    pub unmet_by_row: BTreeMap<String, usize>,
    /// Unmet items by industry code (enterprises only).
    pub unmet_by_industry: BTreeMap<String, usize>,
    /// Per subordinate group: (expected, filed, unmet items).
    pub by_group: BTreeMap<String, GroupCounts>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCounts {
    pub expected: usize,
    pub filed: usize,
    pub unmet_items: usize,
}

impl Rollup {
    /// Share of expected units that filed (on time or late), 0.0 when none are expected.
    pub fn completeness(&self) -> f64 {
        if self.expected == 0 {
            0.0
        } else {
            (self.filed_on_time + self.filed_late) as f64 / self.expected as f64
        }
    }
}

impl Rollup {
    /// All unmet items counted (the sum over the groups: the same as over the forms, and
    /// known without the per-row counts).
    pub fn unmet_items(&self) -> usize {
        self.by_group.values().map(|g| g.unmet_items).sum()
    }

    /// Units that filed, on time or late.
    pub fn filed(&self) -> usize {
        self.filed_on_time + self.filed_late
    }
}

/// The summary a department or office files upward (107号 四、(二): 审核、汇总后上报): the
/// roll-up of the filings it has accepted. A filing not (yet) accepted is not in it: it
/// counts as not received, so `missing` here means "not accepted".
pub fn summary_of(units: &[UnitFacts]) -> Rollup {
    let accepted: Vec<UnitFacts> = units
        .iter()
        .map(|u| UnitFacts {
            filing: u
                .filing
                .clone()
                .filter(|f| f.status == FilingStatus::Accepted),
            ..u.clone()
        })
        .collect();
    roll_up(&accepted)
}

/// One period of a trend across periods.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub period_key: String,
    pub label: String,
    pub expected: usize,
    pub filed: usize,
    pub filed_late: usize,
    pub with_unmet: usize,
    pub unmet_items: usize,
}

impl TrendPoint {
    pub fn of(period_key: String, label: String, r: &Rollup) -> Self {
        TrendPoint {
            period_key,
            label,
            expected: r.expected,
            filed: r.filed(),
            filed_late: r.filed_late,
            with_unmet: r.with_unmet,
            unmet_items: r.unmet_items(),
        }
    }

    /// Share of expected units that filed, 0.0 when none are expected.
    pub fn completeness(&self) -> f64 {
        if self.expected == 0 {
            0.0
        } else {
            self.filed as f64 / self.expected as f64
        }
    }
}

/// What one filed unit adds to a roll-up: everything in [`Rollup`] but the expected count
/// and the per-row maps. Additive, so sums of it can be kept per place and period in the
/// transaction that changes a filing (`ssr::counts`), and a roll-up built from those sums is
/// the same as one counted unit by unit ([`roll_up`] is built from it too).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub on_time: i64,
    pub late: i64,
    pub returned: i64,
    pub accepted: i64,
    pub nil: i64,
    pub with_unmet: i64,
    pub unmet_items: i64,
}

impl Tally {
    /// The tally of one unit's latest filing.
    pub fn of(f: &FiledFacts) -> Tally {
        Tally {
            on_time: (!f.late) as i64,
            late: f.late as i64,
            returned: (f.status == FilingStatus::Returned) as i64,
            accepted: (f.status == FilingStatus::Accepted) as i64,
            nil: f.nil as i64,
            with_unmet: (!f.nil) as i64,
            unmet_items: f.unmet.len() as i64,
        }
    }

    /// The tally a summary counts ([`summary_of`]): the filing's if it was accepted, else
    /// nothing (not received).
    pub fn of_accepted(f: &FiledFacts) -> Tally {
        if f.status == FilingStatus::Accepted {
            Tally::of(f)
        } else {
            Tally::default()
        }
    }

    /// Field by field: `self + sign * other`.
    pub fn add(self, sign: i64, o: &Tally) -> Tally {
        Tally {
            on_time: self.on_time + sign * o.on_time,
            late: self.late + sign * o.late,
            returned: self.returned + sign * o.returned,
            accepted: self.accepted + sign * o.accepted,
            nil: self.nil + sign * o.nil,
            with_unmet: self.with_unmet + sign * o.with_unmet,
            unmet_items: self.unmet_items + sign * o.unmet_items,
        }
    }

    pub fn is_zero(&self) -> bool {
        *self == Tally::default()
    }

    /// Units that filed.
    pub fn filed(&self) -> i64 {
        self.on_time + self.late
    }
}

/// A count kept as a sum never goes below zero; if it did, the sums are broken and the
/// roll-up shows zero rather than wrapping around.
fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// The form number of a row id (`"5.3"` → 5).
pub fn form_of(row_id: &str) -> u8 {
    row_id
        .split('.')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

impl Rollup {
    /// Adds `n` expected units in `group`.
    pub fn add_expected(&mut self, group: &str, n: i64) {
        self.expected += count(n);
        self.by_group.entry(group.to_string()).or_default().expected += count(n);
    }

    /// Adds the tally of filings of units in `group`.
    pub fn add_tally(&mut self, group: &str, t: &Tally) {
        self.filed_on_time += count(t.on_time);
        self.filed_late += count(t.late);
        self.returned += count(t.returned);
        self.accepted += count(t.accepted);
        self.nil += count(t.nil);
        self.with_unmet += count(t.with_unmet);
        let g = self.by_group.entry(group.to_string()).or_default();
        g.filed += count(t.filed());
        g.unmet_items += count(t.unmet_items);
    }

    /// Adds `n` unmet items of row `row_id` (of enterprises in `industry`, if any).
    pub fn add_unmet_row(&mut self, row_id: &str, industry: Option<&str>, n: i64) {
        if n <= 0 {
            return;
        }
        *self.unmet_by_form.entry(form_of(row_id)).or_default() += count(n);
        *self.unmet_by_row.entry(row_id.to_string()).or_default() += count(n);
        if let Some(industry) = industry {
            *self
                .unmet_by_industry
                .entry(industry.to_string())
                .or_default() += count(n);
        }
    }

    /// Once everything is added: the expected units that did not file are missing.
    pub fn finish(mut self) -> Rollup {
        self.missing = self.expected.saturating_sub(self.filed());
        self
    }
}

/// Counts the facts of every expected unit.
pub fn roll_up(units: &[UnitFacts]) -> Rollup {
    let mut r = Rollup::default();
    for u in units {
        r.add_expected(&u.group, 1);
        let Some(f) = &u.filing else {
            continue;
        };
        r.add_tally(&u.group, &Tally::of(f));
        for row in &f.unmet {
            r.add_unmet_row(&row.row_id, u.industry.as_deref(), 1);
        }
    }
    r.finish()
}

/// The change from one period's roll-up to the next, as signed differences.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupChange {
    pub expected: i64,
    pub filed: i64,
    pub missing: i64,
    pub with_unmet: i64,
    pub unmet_items: i64,
}

pub fn change(previous: &Rollup, current: &Rollup) -> RollupChange {
    let items = |r: &Rollup| r.unmet_items() as i64;
    RollupChange {
        expected: current.expected as i64 - previous.expected as i64,
        filed: current.filed() as i64 - previous.filed() as i64,
        missing: current.missing as i64 - previous.missing as i64,
        with_unmet: current.with_unmet as i64 - previous.with_unmet as i64,
        unmet_items: items(current) - items(previous),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(
        id: &str,
        group: &str,
        industry: Option<&str>,
        filing: Option<(FilingStatus, bool, &[&str])>,
    ) -> UnitFacts {
        UnitFacts {
            unit_id: id.into(),
            group: group.into(),
            industry: industry.map(str::to_string),
            filing: filing.map(|(status, late, unmet)| FiledFacts {
                status,
                late,
                nil: unmet.is_empty(),
                unmet: unmet
                    .iter()
                    .map(|s| UnmetItem {
                        row_id: s.to_string(),
                        explanation: String::new(),
                    })
                    .collect(),
            }),
        }
    }

    #[test]
    fn expected_units_are_counted_as_on_time_late_or_missing() {
        let units = [
            unit(
                "a",
                "五华区",
                Some("chemical"),
                Some((FilingStatus::Accepted, false, &[])),
            ),
            unit(
                "b",
                "五华区",
                Some("chemical"),
                Some((FilingStatus::Submitted, true, &["5.3", "6.3"])),
            ),
            unit(
                "c",
                "官渡区",
                Some("fire"),
                Some((FilingStatus::Returned, false, &["5.3"])),
            ),
            unit("d", "官渡区", Some("fire"), None),
        ];
        let r = roll_up(&units);
        assert_eq!(
            (r.expected, r.filed_on_time, r.filed_late, r.missing),
            (4, 2, 1, 1)
        );
        assert_eq!((r.returned, r.accepted), (1, 1));
        assert_eq!((r.nil, r.with_unmet), (1, 2));
        assert_eq!(r.unmet_by_form.get(&5), Some(&2));
        assert_eq!(r.unmet_by_form.get(&6), Some(&1));
        assert_eq!(r.unmet_by_row.get("5.3"), Some(&2));
        assert_eq!(r.unmet_by_industry.get("chemical"), Some(&2));
        assert_eq!(
            r.by_group.get("官渡区"),
            Some(&GroupCounts {
                expected: 2,
                filed: 1,
                unmet_items: 1
            })
        );
        assert!((r.completeness() - 0.75).abs() < 1e-9);
    }

    #[test]
    fn a_summary_counts_only_accepted_filings() {
        let units = [
            unit(
                "a",
                "g",
                None,
                Some((FilingStatus::Accepted, false, &["5.3"])),
            ),
            unit(
                "b",
                "g",
                None,
                Some((FilingStatus::Submitted, false, &["6.1"])),
            ),
            unit("c", "g", None, Some((FilingStatus::Returned, true, &[]))),
            unit("d", "g", None, None),
        ];
        let s = summary_of(&units);
        assert_eq!((s.expected, s.filed(), s.missing, s.accepted), (4, 1, 3, 1));
        assert_eq!(s.unmet_items(), 1);
        assert_eq!(s.unmet_by_row.get("5.3"), Some(&1));
        assert_eq!(s.unmet_by_row.get("6.1"), None);
        let all = roll_up(&units);
        assert_eq!((all.filed(), all.unmet_items()), (3, 2));
        let p = TrendPoint::of("2026-annual".into(), "x".into(), &all);
        assert_eq!(
            (p.expected, p.filed, p.filed_late, p.unmet_items),
            (4, 3, 1, 2)
        );
        assert!((p.completeness() - 0.75).abs() < 1e-9);
    }

    #[test]
    fn nothing_expected_means_an_empty_roll_up_not_a_division_by_zero() {
        let r = roll_up(&[]);
        assert_eq!(r, Rollup::default());
        assert_eq!(r.completeness(), 0.0);
    }

    #[test]
    fn the_change_from_the_previous_period_is_signed() {
        let before = roll_up(&[
            unit("a", "g", None, None),
            unit(
                "b",
                "g",
                None,
                Some((FilingStatus::Accepted, false, &["1.3"])),
            ),
        ]);
        let after = roll_up(&[
            unit("a", "g", None, Some((FilingStatus::Accepted, false, &[]))),
            unit("b", "g", None, Some((FilingStatus::Accepted, false, &[]))),
        ]);
        let c = change(&before, &after);
        assert_eq!(
            (c.expected, c.filed, c.missing, c.with_unmet, c.unmet_items),
            (0, 1, -1, -1, -1)
        );
    }
}
