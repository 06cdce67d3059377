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
    /// All unmet items counted.
    pub fn unmet_items(&self) -> usize {
        self.unmet_by_form.values().sum()
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

/// Counts the facts of every expected unit.
pub fn roll_up(units: &[UnitFacts]) -> Rollup {
    let mut r = Rollup {
        expected: units.len(),
        ..Default::default()
    };
    for u in units {
        let group = r.by_group.entry(u.group.clone()).or_default();
        group.expected += 1;
        let Some(f) = &u.filing else {
            r.missing += 1;
            continue;
        };
        group.filed += 1;
        group.unmet_items += f.unmet.len();
        if f.late {
            r.filed_late += 1;
        } else {
            r.filed_on_time += 1;
        }
        match f.status {
            FilingStatus::Returned => r.returned += 1,
            FilingStatus::Accepted => r.accepted += 1,
            FilingStatus::Submitted | FilingStatus::Draft => {}
        }
        if f.nil {
            r.nil += 1;
        } else {
            r.with_unmet += 1;
        }
        for row in f.unmet.iter().map(|u| &u.row_id) {
            let form: u8 = row
                .split('.')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            *r.unmet_by_form.entry(form).or_default() += 1;
            *r.unmet_by_row.entry(row.clone()).or_default() += 1;
            if let Some(industry) = &u.industry {
                *r.unmet_by_industry.entry(industry.clone()).or_default() += 1;
            }
        }
    }
    r
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
