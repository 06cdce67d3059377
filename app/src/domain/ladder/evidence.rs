//! The facts about one unit for one period, as loaded from the database ([`UnitSituation`] and
//! what it holds), the [`Evidence`] that calls for an escalation, and what
//! [`propose`](super::propose()) makes of it: a [`Proposal`] per rung, each [`Reason`] with the
//! clause of 106号 it rests on.

use super::Rung;
use crate::domain::forms;
use crate::domain::period::Period;
use crate::domain::unit::UnitKind;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What is known of one unit for one period, as loaded from the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitSituation {
    pub unit_kind: UnitKind,
    /// The period weighed (parse the stored key with [`Period::parse_key`]).
    pub period: Period,
    /// Whether the unit was open in the period and so owes a filing for it
    /// ([`crate::domain::lifecycle::Life::expects`]); a unit that was not owes none, and no
    /// filing of it is missing.
    pub expected_to_file: bool,
    /// The unit's latest non-draft filing for the period, `None` if it has filed nothing.
    pub filing: Option<FiledSituation>,
    /// Row ids the unit left unmet in the previous period's filing.
    pub previous_unmet_rows: Vec<String>,
    /// The unit's escalations not yet closed by their issuer, of any period.
    pub open_escalations: Vec<OpenEscalation>,
    /// The accidents to weigh for 第六条（一）（二）. Every accident given, up to `today`, is
    /// counted: leave out those already dealt with by a closed escalation.
    pub accidents: Vec<Accident>,
    /// Today in Kunming.
    pub today: NaiveDate,
}

/// What the unit's filing for the period shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledSituation {
    /// Submitted after its window closed (不及时).
    pub late: bool,
    /// Every binding row answered and every unmet row explained; false for a filing returned as
    /// incomplete and not yet filed again (申报情况不全).
    pub complete: bool,
    /// Found not to match the facts by review or inspection (不符合事实, 第七条（五）).
    pub found_untrue: bool,
    /// The rows answered 不落实, with the unit's explanations. Rows that do not bind the unit's
    /// kind are ignored, as in [`forms`].
    pub unmet_rows: Vec<UnmetItem>,
}

/// One row answered 不落实, with its explanation: the filing's own type.
pub use crate::domain::filing::UnmetItem;

/// An escalation on the unit that its issuer has not closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenEscalation {
    /// Its document number ([`document_number`](super::document_number)).
    pub number: String,
    pub rung: Rung,
    /// The Kunming date of issue.
    pub issued_on: NaiveDate,
    /// The unit has signed for it. Not used by the rules: a deadline runs from issue.
    pub acknowledged: bool,
    /// The unit has replied (for a 告诫, sent its 第九条 report). A reply sent back as
    /// inadequate is recorded as no reply.
    pub responded: bool,
    /// The last day for the reply; `None` means [`REPORT_DAYS`](super::REPORT_DAYS) after issue
    /// (for a 告诫, that is [`rectification_due`](super::rectification_due)).
    pub rectification_due: Option<NaiveDate>,
    /// For a 告诫: the issuer has accepted the report for the record (备案, 第九条).
    pub report_accepted: bool,
    /// The [`Reason::key`]s of the findings it was issued on.
    pub evidence_keys: Vec<String>,
}

// Its reply ([`OpenEscalation::reply_due`], [`OpenEscalation::response`]) is reckoned in
// `deadlines`, with the 15 days of 第九条.

/// An accident in the unit's area or industry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accident {
    /// Kunming date it happened.
    pub date: NaiveDate,
    /// 较大以上: larger, major or especially major (国务院令 第493号 第三条); else 一般 (ordinary).
    pub larger: bool,
}

/// A fact that calls for an escalation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Evidence {
    /// A row answered 不落实 this period.
    UnmetRow { row_id: String, explanation: String },
    /// A row unmet this period and the previous one, after an earlier escalation.
    PersistentFailing {
        row_id: String,
        /// The first period of the run known here: the previous period.
        since_period_key: String,
        explanation: String,
    },
    /// No filing when the window closed.
    MissingFiling { period_key: String },
    /// Filed after the window closed.
    LateFiling { period_key: String },
    /// Not complete when the window closed.
    IncompleteFiling { period_key: String },
    /// Found not to match the facts.
    UntrueFiling { period_key: String },
    /// An earlier 提示, 告知 or 公开 left unanswered past its due day.
    PriorEscalationUnanswered { escalation_no: String, rung: Rung },
    /// A 告诫 whose 第九条 report is overdue.
    RectificationOverdue {
        escalation_no: String,
        due: NaiveDate,
    },
    /// Larger accidents, and the most ordinary ones in any 30-day span.
    Accidents {
        larger: u32,
        ordinary_in_a_month: u32,
        /// The latest accident counted.
        last_on: NaiveDate,
    },
}

impl Evidence {
    /// What the finding is about, stable across re-runs ([`Reason::key`]). Row findings carry
    /// no period of their own: `period_key` is the period weighed.
    pub(super) fn key(&self, period_key: &str) -> String {
        match self {
            Evidence::UnmetRow { row_id, .. } | Evidence::PersistentFailing { row_id, .. } => {
                format!("row:{row_id}@{period_key}")
            }
            Evidence::MissingFiling { period_key } => format!("filing:missing@{period_key}"),
            Evidence::LateFiling { period_key } => format!("filing:late@{period_key}"),
            Evidence::IncompleteFiling { period_key } => {
                format!("filing:incomplete@{period_key}")
            }
            Evidence::UntrueFiling { period_key } => format!("filing:untrue@{period_key}"),
            Evidence::PriorEscalationUnanswered { escalation_no, .. }
            | Evidence::RectificationOverdue { escalation_no, .. } => {
                format!("escalation:{escalation_no}")
            }
            Evidence::Accidents { last_on, .. } => format!("accidents:{last_on}"),
        }
    }

    /// One line in Chinese for the escalation document.
    pub fn describe_zh(&self) -> String {
        match self {
            Evidence::UnmetRow {
                row_id,
                explanation,
            } => format!("{}不落实：{explanation}", row_label_zh(row_id)),
            Evidence::PersistentFailing {
                row_id,
                since_period_key,
                explanation,
            } => format!(
                "{}自{}起持续不落实：{explanation}",
                row_label_zh(row_id),
                period_label_zh(since_period_key)
            ),
            Evidence::MissingFiling { period_key } => {
                format!("{}零申报逾期未报", period_label_zh(period_key))
            }
            Evidence::LateFiling { period_key } => {
                format!("{}零申报不及时", period_label_zh(period_key))
            }
            Evidence::IncompleteFiling { period_key } => {
                format!("{}零申报情况不全", period_label_zh(period_key))
            }
            Evidence::UntrueFiling { period_key } => {
                format!("{}零申报情况不符合事实", period_label_zh(period_key))
            }
            Evidence::PriorEscalationUnanswered {
                escalation_no,
                rung,
            } => format!("{escalation_no}（{}）逾期未回复", rung.label_zh()),
            Evidence::RectificationOverdue { escalation_no, due } => {
                format!("{escalation_no}（告诫）要求的整改情况报告逾期未报（期限 {due}）")
            }
            Evidence::Accidents {
                larger,
                ordinary_in_a_month,
                ..
            } => format!(
                "发生较大以上安全生产事故 {larger} 起，1 个月内发生一般安全生产事故 {ordinary_in_a_month} 起"
            ),
        }
    }

    /// One line in English.
    pub fn describe_en(&self) -> String {
        match self {
            Evidence::UnmetRow {
                row_id,
                explanation,
            } => format!("row {row_id} not done: {explanation}"),
            Evidence::PersistentFailing {
                row_id,
                since_period_key,
                explanation,
            } => format!(
                "row {row_id} not done since {}: {explanation}",
                period_label_en(since_period_key)
            ),
            Evidence::MissingFiling { period_key } => format!("no filing for {}", period_label_en(period_key)),
            Evidence::LateFiling { period_key } => format!("late filing for {}", period_label_en(period_key)),
            Evidence::IncompleteFiling { period_key } => {
                format!("incomplete filing for {}", period_label_en(period_key))
            }
            Evidence::UntrueFiling { period_key } => {
                format!("filing for {} found untrue", period_label_en(period_key))
            }
            Evidence::PriorEscalationUnanswered {
                escalation_no,
                rung,
            } => format!("{escalation_no} ({}) unanswered", rung.label_en()),
            Evidence::RectificationOverdue { escalation_no, due } => {
                format!("report on {escalation_no} (admonition) overdue since {due}")
            }
            Evidence::Accidents {
                larger,
                ordinary_in_a_month,
                ..
            } => format!(
                "{larger} larger accident(s); {ordinary_in_a_month} ordinary accident(s) within a month"
            ),
        }
    }

    pub(super) fn is_filing_failure(&self) -> bool {
        matches!(
            self,
            Evidence::MissingFiling { .. }
                | Evidence::LateFiling { .. }
                | Evidence::IncompleteFiling { .. }
                | Evidence::UntrueFiling { .. }
        )
    }
}

/// `2026年度` for `2026-Y`; the key itself if it is not one.
fn period_label_zh(key: &str) -> String {
    Period::parse_key(key).map_or_else(|| key.to_string(), |p| p.label_zh())
}

/// `year 2026` for `2026-Y`; the key itself if it is not one.
fn period_label_en(key: &str) -> String {
    Period::parse_key(key).map_or_else(|| key.to_string(), |p| p.label_en())
}

/// A row as a reader of the printed forms finds it: `5.3` → `表5第3项`, `3.1.2` → `表3第1项（2）`.
fn row_label_zh(row_id: &str) -> String {
    match forms::row(row_id) {
        Some(r) => match r.sub {
            Some(sub) => format!("表{}第{}项（{sub}）", r.form, r.item),
            None => format!("表{}第{}项", r.form, r.item),
        },
        None => row_id.to_string(),
    }
}

/// One finding at the rung it is proposed at, and the clause of 106号 it rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub evidence: Evidence,
    /// The article and item, e.g. `第五条（四）`.
    pub clause: String,
    /// What the finding is about, stable across re-runs: `row:5.3@2026-Y`,
    /// `filing:missing@2026-Y` (also `late`, `incomplete`, `untrue`), `escalation:<number>`,
    /// `accidents:2027-03-04` (the latest accident counted). Store it with the escalation
    /// issued on the finding ([`OpenEscalation::evidence_keys`]) so that it is not proposed
    /// again at that rung.
    pub key: String,
}

/// An escalation the facts call for, for a supervisor to issue or dismiss.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub rung: Rung,
    /// Findings in a fixed order: filing failures, rows (printed order), accidents, earlier
    /// escalations (in the order given).
    pub reasons: Vec<Reason>,
}

impl Proposal {
    /// The article the rung rests on (第四条 … 第八条).
    pub fn article(&self) -> &'static str {
        self.rung.article()
    }

    /// The distinct clauses of the reasons, in the order of the reasons.
    pub fn clauses(&self) -> Vec<&str> {
        let mut seen = BTreeSet::new();
        self.reasons
            .iter()
            .map(|r| r.clause.as_str())
            .filter(|c| seen.insert(*c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ladder::fixtures::{persistent, row};

    #[test]
    fn evidence_reads_as_a_sentence_in_both_languages() {
        assert_eq!(
            row("3.1.4").describe_zh(),
            "表3第1项（4）不落实：3.1.4 的说明"
        );
        assert_eq!(
            persistent("5.3").describe_zh(),
            "表5第3项自2026年上半年起持续不落实：5.3 的说明"
        );
        assert_eq!(
            Evidence::MissingFiling {
                period_key: "2026-Y".into()
            }
            .describe_en(),
            "no filing for year 2026"
        );
    }
}
