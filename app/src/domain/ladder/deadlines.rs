//! Deadlines, in Kunming days: the 15 days of 第九条 (a 告诫's report, and the reply to a 提示,
//! 告知 or 公开 when the issuer sets no date), where the reply to an open escalation stands, and
//! the reminders due at an instant (the filing window of 107号 四、(一), a 第九条 report).

use super::{OpenEscalation, Rung};
use crate::domain::period::WindowState;
use crate::domain::time::{kunming_date, start_of_kunming_day};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// 第九条: the 15 days of a 告诫.
// ---------------------------------------------------------------------------------------------

/// 第九条: "于 15 日内将采取的措施和落实情况报发出告诫通知的单位备案". Also the time the app
/// gives a 提示, 告知 or 公开 to be answered when the issuer sets no date (106号 sets none).
pub const REPORT_DAYS: u64 = 15;

/// The last Kunming day on which a reply to an escalation issued on `issued_on` is in time.
pub fn reply_due(issued_on: NaiveDate) -> NaiveDate {
    issued_on
        .checked_add_days(Days::new(REPORT_DAYS))
        .expect("dates stay in range")
}

/// The last day for a 告诫's report (第九条): the Kunming date of issue plus 15 days.
///
/// "15 日内" is counted as Chinese law counts periods in days (民法典 第二百零一条): the day of
/// issue does not count, day 1 is the next day, so day 15 is the date of issue + 15; the report
/// is in time until 24:00 of that day in Kunming (第二百零三条). A due day falling on a public
/// holiday is not moved (第二百零三条 would move it; the app keeps no holiday calendar).
pub fn rectification_due(issued_at: DateTime<Utc>) -> NaiveDate {
    reply_due(kunming_date(issued_at))
}

/// Whether a 告诫 issued at `issued_at` is past its report deadline at `now`: true from 00:00
/// Kunming time on the day after [`rectification_due`].
pub fn rectification_overdue(issued_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    let day_after = rectification_due(issued_at)
        .succ_opt()
        .expect("dates stay in range");
    now >= start_of_kunming_day(day_after)
}

// ---------------------------------------------------------------------------------------------
// Where the reply to an open escalation stands.
// ---------------------------------------------------------------------------------------------

/// Where the reply to an escalation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// Replied (a 告诫: its report accepted).
    Answered,
    /// A 告诫's report is in and awaits the issuer's acceptance.
    UnderReview,
    /// No reply yet; in time until the end of `due` (Kunming).
    Awaiting { due: NaiveDate },
    /// No reply by the end of `due`.
    Overdue { due: NaiveDate },
    /// A 专报 goes to the issuer's leader; no reply is asked of the unit.
    NotExpected,
}

impl OpenEscalation {
    /// The last day for the unit's reply, `None` for a 专报.
    pub fn reply_due(&self) -> Option<NaiveDate> {
        (self.rung != Rung::SpecialReport)
            .then(|| self.rectification_due.unwrap_or(reply_due(self.issued_on)))
    }

    /// Where the reply stands on `today` (Kunming).
    pub fn response(&self, today: NaiveDate) -> Response {
        let Some(due) = self.reply_due() else {
            return Response::NotExpected;
        };
        match (self.rung, self.responded, self.report_accepted) {
            (Rung::Admonition, _, true) => Response::Answered,
            (Rung::Admonition, true, false) => Response::UnderReview,
            (_, true, _) => Response::Answered,
            (_, false, _) if today > due => Response::Overdue { due },
            (_, false, _) => Response::Awaiting { due },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reminders.
// ---------------------------------------------------------------------------------------------

/// A 告诫's report is reminded of from this many days before its due day.
pub const REPORT_REMINDER_DAYS: u64 = 3;
/// A window's close is reminded of from this many days before its last day (the 8th).
pub const WINDOW_CLOSING_REMINDER_DAYS: u64 = 2;

/// A reminder due now. Each is *active* over a span of Kunming days, so a daily job that
/// missed a day still sends it; send each [`Reminder::key`] once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reminder {
    /// A window is open (active from its first day until the closing reminder takes over).
    WindowOpen {
        period_key: String,
        last_day: NaiveDate,
    },
    /// A window closes at the end of `last_day` (active from 2 days before it through it).
    WindowClosing {
        period_key: String,
        last_day: NaiveDate,
    },
    /// A 告诫's report is due by the end of `due` (active from 3 days before it through it).
    RectificationReportDue {
        escalation_no: String,
        due: NaiveDate,
    },
}

impl Reminder {
    /// A stable key to send each reminder once: `window_open:2026-Y`,
    /// `window_closing:2026-Y`, `report_due:<number>`.
    pub fn key(&self) -> String {
        match self {
            Reminder::WindowOpen { period_key, .. } => format!("window_open:{period_key}"),
            Reminder::WindowClosing { period_key, .. } => format!("window_closing:{period_key}"),
            Reminder::RectificationReportDue { escalation_no, .. } => {
                format!("report_due:{escalation_no}")
            }
        }
    }
}

/// The reminders active at `now`: the open window's opening or closing (107号 四、(一)), and
/// the 第九条 reports of `escalations` that are 告诫 awaiting a report due within
/// [`REPORT_REMINDER_DAYS`] days.
pub fn deadline_reminders(now: DateTime<Utc>, escalations: &[OpenEscalation]) -> Vec<Reminder> {
    let today = kunming_date(now);
    let mut reminders = Vec::new();
    if let WindowState::Open(window) = WindowState::at(now) {
        let last_day = window.period.window_last_day();
        let closing_from = last_day
            .checked_sub_days(Days::new(WINDOW_CLOSING_REMINDER_DAYS))
            .expect("dates stay in range");
        let period_key = window.period.key();
        reminders.push(if today >= closing_from {
            Reminder::WindowClosing {
                period_key,
                last_day,
            }
        } else {
            Reminder::WindowOpen {
                period_key,
                last_day,
            }
        });
    }
    for e in escalations.iter().filter(|e| e.rung == Rung::Admonition) {
        if let Response::Awaiting { due } = e.response(today) {
            let from = due
                .checked_sub_days(Days::new(REPORT_REMINDER_DAYS))
                .expect("dates stay in range");
            if today >= from {
                reminders.push(Reminder::RectificationReportDue {
                    escalation_no: e.number.clone(),
                    due,
                });
            }
        }
    }
    reminders
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ladder::fixtures::{article_text, at, d, escalation};

    // --- 第九条 ------------------------------------------------------------------------------

    #[test]
    fn article_9_gives_fifteen_days() {
        assert!(article_text("第九条").contains("于 15 日内"));
        assert_eq!(REPORT_DAYS, 15);
    }

    #[test]
    fn the_report_is_due_on_the_kunming_date_of_issue_plus_fifteen_days() {
        assert_eq!(
            rectification_due(at("2027-01-12T09:00:00+08:00")),
            d("2027-01-27")
        );
    }

    #[test]
    fn an_admonition_is_not_overdue_on_day_14_nor_at_23_59_of_day_15_but_is_at_00_00_of_day_16() {
        let issued = at("2027-01-12T09:00:00+08:00");
        assert!(!rectification_overdue(
            issued,
            at("2027-01-26T12:00:00+08:00")
        ));
        assert!(!rectification_overdue(
            issued,
            at("2027-01-27T23:59:59+08:00")
        ));
        assert!(rectification_overdue(
            issued,
            at("2027-01-28T00:00:00+08:00")
        ));
    }

    #[test]
    fn an_admonition_issued_at_20_00_utc_counts_from_the_next_kunming_day() {
        // 2027-01-11T20:00Z is 04:00 on 12 January in Kunming.
        let issued = at("2027-01-11T20:00:00Z");
        assert_eq!(rectification_due(issued), d("2027-01-27"));
        assert!(!rectification_overdue(issued, at("2027-01-27T15:59:59Z")));
        assert!(
            rectification_overdue(issued, at("2027-01-27T16:00:00Z")),
            "16:00 UTC on the 27th is 00:00 on the 28th in Kunming"
        );
    }

    #[test]
    fn a_reply_is_awaited_to_the_end_of_its_due_day_then_overdue() {
        let e = escalation("n", Rung::Prompt, "2027-01-12");
        assert_eq!(e.reply_due(), Some(d("2027-01-27")));
        assert_eq!(
            e.response(d("2027-01-27")),
            Response::Awaiting {
                due: d("2027-01-27")
            }
        );
        assert_eq!(
            e.response(d("2027-01-28")),
            Response::Overdue {
                due: d("2027-01-27")
            }
        );
        let with_date = OpenEscalation {
            rectification_due: Some(d("2027-02-10")),
            ..e.clone()
        };
        assert_eq!(
            with_date.response(d("2027-02-01")),
            Response::Awaiting {
                due: d("2027-02-10")
            },
            "the issuer's own date wins"
        );
        let replied = OpenEscalation {
            responded: true,
            ..e
        };
        assert_eq!(replied.response(d("2027-03-01")), Response::Answered);
    }

    #[test]
    fn an_admonition_report_sent_but_not_yet_accepted_is_under_review_never_overdue() {
        let sent = OpenEscalation {
            responded: true,
            ..escalation("n", Rung::Admonition, "2027-01-12")
        };
        assert_eq!(sent.response(d("2027-03-01")), Response::UnderReview);
        let accepted = OpenEscalation {
            report_accepted: true,
            ..sent
        };
        assert_eq!(accepted.response(d("2027-03-01")), Response::Answered);
    }

    #[test]
    fn a_special_report_asks_no_reply_of_the_unit() {
        let e = escalation("n", Rung::SpecialReport, "2027-01-12");
        assert_eq!(e.reply_due(), None);
        assert_eq!(e.response(d("2028-01-01")), Response::NotExpected);
    }

    // --- Reminders ---------------------------------------------------------------------------

    #[test]
    fn the_window_open_reminder_runs_from_its_first_kunming_day_to_the_7th() {
        assert_eq!(
            deadline_reminders(at("2026-12-31T15:59:59Z"), &[]),
            Vec::new(),
            "23:59 on 31 December in Kunming"
        );
        let open = Reminder::WindowOpen {
            period_key: "2026-Y".into(),
            last_day: d("2027-01-10"),
        };
        assert_eq!(
            deadline_reminders(at("2026-12-31T16:00:00Z"), &[]),
            std::slice::from_ref(&open)
        );
        assert_eq!(
            deadline_reminders(at("2027-01-07T23:59:59+08:00"), &[]),
            [open]
        );
    }

    #[test]
    fn the_window_closing_reminder_runs_from_two_days_before_the_last_day_through_it() {
        let closing = Reminder::WindowClosing {
            period_key: "2027-H1".into(),
            last_day: d("2027-07-10"),
        };
        assert_eq!(
            deadline_reminders(at("2027-07-08T00:00:00+08:00"), &[]),
            std::slice::from_ref(&closing)
        );
        assert_eq!(
            deadline_reminders(at("2027-07-10T23:59:59+08:00"), &[]),
            [closing]
        );
        assert_eq!(
            deadline_reminders(at("2027-07-11T00:00:00+08:00"), &[]),
            Vec::new()
        );
    }

    #[test]
    fn an_admonition_report_is_reminded_from_three_days_before_its_due_day_through_it() {
        // Issued 12 January, due 27 January: reminded from the 24th.
        let e = escalation("j1", Rung::Admonition, "2027-01-12");
        let due = Reminder::RectificationReportDue {
            escalation_no: "j1".into(),
            due: d("2027-01-27"),
        };
        let slice = std::slice::from_ref(&e);
        assert_eq!(
            deadline_reminders(at("2027-01-23T23:59:59+08:00"), slice),
            Vec::new()
        );
        assert_eq!(
            deadline_reminders(at("2027-01-23T16:00:00Z"), slice),
            std::slice::from_ref(&due),
            "00:00 on the 24th in Kunming"
        );
        assert_eq!(
            deadline_reminders(at("2027-01-27T23:59:59+08:00"), slice),
            [due]
        );
        assert_eq!(
            deadline_reminders(at("2027-01-28T00:00:00+08:00"), slice),
            Vec::new(),
            "overdue is for the proposals, not a reminder"
        );
    }

    #[test]
    fn no_report_reminder_once_the_report_is_in_or_for_other_rungs() {
        let now = at("2027-01-25T10:00:00+08:00");
        let sent = OpenEscalation {
            responded: true,
            ..escalation("j1", Rung::Admonition, "2027-01-12")
        };
        let prompt = escalation("t1", Rung::Prompt, "2027-01-12");
        assert_eq!(deadline_reminders(now, &[sent, prompt]), Vec::new());
    }

    #[test]
    fn reminders_during_a_window_and_a_due_report_come_together_with_distinct_keys() {
        let e = escalation("j1", Rung::Admonition, "2026-12-20");
        let r = deadline_reminders(at("2027-01-03T09:00:00+08:00"), &[e]);
        let keys: Vec<String> = r.iter().map(Reminder::key).collect();
        assert_eq!(keys, ["window_open:2026-Y", "report_due:j1"]);
    }
}
