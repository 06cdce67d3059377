//! [`propose`]: the escalations a unit's facts for a period call for (第四条–第八条), each with
//! its evidence and the clause it rests on.
//!
//! # How proposals are decided
//! Each finding about the unit is proposed once, at one rung, and findings at the same rung
//! form one [`Proposal`]:
//!
//! 1. **Base rung.** Unmet rows of forms 1, 2, 3, 4, 9 → 提示 (第四条（一）–（四）); unmet rows of
//!    forms 5, 6 → 告知 (第五条（二）（三）); unmet rows of forms 7, 8 → 告知 (第五条（一）, see
//!    `base_clause`); a filing missing or incomplete when the window has closed, filed late, or
//!    found untrue → 告知 (第五条（四）, "零申报"制度执行不到位); one larger accident, or two
//!    ordinary accidents within a month → 告诫 (第六条（一）（二）).
//! 2. **Still failing after an earlier rung.** "Earlier" means an open escalation issued before
//!    this period's window opened, so it came before the facts now weighed. Against the highest
//!    such rung (the unit's *standing*), a finding that is still there moves up: after 提示 or
//!    告知 → 告诫 (第六条（六）, 第六条（三） for major hazards); after 告诫 → 公开 (第七条); after
//!    公开 or 专报 → 专报 (第八条（一）). A row is still there when it was unmet in the previous
//!    period as well; a filing failure is still there when an earlier escalation was about the
//!    unit's filing. After 告诫, 第七条 also lists by name, without "still": 一岗双责 (form 1),
//!    失管漏管 (form 4), major hazards (form 5), major hazard sources (form 6) and a filing late,
//!    incomplete or untrue (第七条（五）; a missing filing is the extreme of 不及时); these go to
//!    公开 even when new.
//! 3. **No answer.** An open escalation whose reply is overdue ([`OpenEscalation::response`];
//!    the issuer's date, else 15 days after issue, as 第九条 gives a 告诫):
//!    a 提示 or 告知 → 告诫 (第六条（六）); a 告诫 whose 第九条 report is overdue → 公开;
//!    a 公开 → 专报 (第八条（一）). When overdue escalations span two or more rungs, every one of
//!    them goes to 专报 (第八条（一）: "经提示、告知、告诫后仍未采取有效措施").
//! 4. **Not twice.** A finding is dropped when an open escalation at the same or a higher rung
//!    was already issued on it (same [`Reason::key`] in [`OpenEscalation::evidence_keys`]).
//!    The next rung comes from step 3 once that escalation goes unanswered.

use super::{
    is_target, Accident, Evidence, OpenEscalation, Proposal, Reason, Response, Rung, UnitSituation,
};
use crate::domain::filing::binding_kind;
use crate::domain::forms;
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// "1 个月内" of 第六条（二）, taken as any span of 30 consecutive Kunming days (the later accident
/// at most 29 days after the earlier): a calendar-month rule would let 31 January and
/// 1 February pass as "different months".
pub const ACCIDENT_SPAN_DAYS: i64 = 30;

/// The rung a finding that is still there goes to, after the unit's highest earlier rung:
/// after 提示 or 告知 → 告诫 (第六条（六）), after 告诫 → 公开 (第七条), after 公开 → 专报
/// (第八条（一）); after 专报 it is 专报 again (a new report on a new period).
fn rung_after(standing: Rung) -> Rung {
    match standing {
        Rung::Prompt | Rung::Notification => Rung::Admonition,
        Rung::Admonition => Rung::Disclosure,
        Rung::Disclosure | Rung::SpecialReport => Rung::SpecialReport,
    }
}

/// The base rung and clause of an unmet row of `form`.
///
/// Forms 1–4 and 9 are the four items of 第四条: 一岗双责 (1 → 第四条（一）), target
/// responsibility (2 → （四）, 目标管理体系), staff, funding and equipment (3 → （二）), no blind
/// spots (4 → （三）, 失管漏管), emergency plans and rescue teams (9 → （四）, 应急救援体系).
/// Forms 5 and 6 are 第五条（二） major hazards and （三） major hazard sources.
/// Forms 7 (accident reporting and investigation, 国务院令 第493号) and 8 (certification of the
/// three posts) are not systems to build, as 第四条's items are, but statutory duties not
/// carried out: 第五条（一） "履行安全生产管理职责不到位", so 告知.
fn base_clause(form: u8) -> (Rung, &'static str) {
    match form {
        1 => (Rung::Prompt, "第四条（一）"),
        2 | 9 => (Rung::Prompt, "第四条（四）"),
        3 => (Rung::Prompt, "第四条（二）"),
        4 => (Rung::Prompt, "第四条（三）"),
        5 => (Rung::Notification, "第五条（二）"),
        6 => (Rung::Notification, "第五条（三）"),
        _ => (Rung::Notification, "第五条（一）"),
    }
}

/// The clause of 第七条 that names a row of `form` after 告诫, if any: （一） 一岗双责,
/// （二） 失管漏管, （三） major hazards, （四） major hazard sources.
fn disclosure_clause(form: u8) -> Option<&'static str> {
    match form {
        1 => Some("第七条（一）"),
        4 => Some("第七条（二）"),
        5 => Some("第七条（三）"),
        6 => Some("第七条（四）"),
        _ => None,
    }
}

/// The clause for a finding that moved up to `rung` because it is still there.
fn escalated_clause(rung: Rung, form: Option<u8>, evidence: &Evidence) -> &'static str {
    match rung {
        // 第六条（三）: a major hazard still not rectified after supervision.
        Rung::Admonition if form == Some(5) => "第六条（三）",
        Rung::Admonition => "第六条（六）",
        Rung::Disclosure if evidence.is_filing_failure() => "第七条（五）",
        Rung::Disclosure => form.and_then(disclosure_clause).unwrap_or("第七条（六）"),
        _ => "第八条（一）",
    }
}

/// The largest number of `dates` (sorted) within any span of [`ACCIDENT_SPAN_DAYS`] days.
fn most_within_span(dates: &[NaiveDate]) -> u32 {
    let mut best = 0;
    let mut start = 0;
    for end in 0..dates.len() {
        while (dates[end] - dates[start]).num_days() >= ACCIDENT_SPAN_DAYS {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best as u32
}

/// The escalations the facts about one unit call for, lowest rung first, at most one per rung.
/// See the module documentation for the rules. A unit nobody may target (the city government,
/// a safety committee office: [`is_target`]) gets none.
pub fn propose(s: &UnitSituation) -> Vec<Proposal> {
    if !is_target(s.unit_kind) {
        return Vec::new();
    }
    let period_key = s.period.key();
    let window_closed = s.today > s.period.window_last_day();
    let first_day = s.period.window_first_day();

    // The unit's standing: the highest rung issued before this period's facts came in.
    let earlier: Vec<&OpenEscalation> = s
        .open_escalations
        .iter()
        .filter(|e| e.issued_on < first_day)
        .collect();
    let standing = earlier.iter().map(|e| e.rung).max();
    let told_about_filing = earlier.iter().any(|e| {
        e.rung <= Rung::Notification && e.evidence_keys.iter().any(|k| k.starts_with("filing:"))
    });
    let admonished = standing.is_some_and(|r| r >= Rung::Admonition);

    let mut found: Vec<(Rung, &'static str, Evidence)> = Vec::new();

    // Filing failures: 第五条（四）, or after an earlier rung 第六条（六） / 第七条（五） / 第八条（一）.
    let mut filing_failures = Vec::new();
    match &s.filing {
        // 第五条（四） weighs the filings a unit owes: none is missing for a period the unit
        // was not open in (`lifecycle`).
        None if window_closed && s.expected_to_file => {
            filing_failures.push(Evidence::MissingFiling {
                period_key: period_key.clone(),
            })
        }
        Some(f) => {
            if window_closed && !f.complete {
                filing_failures.push(Evidence::IncompleteFiling {
                    period_key: period_key.clone(),
                });
            }
            if f.late {
                filing_failures.push(Evidence::LateFiling {
                    period_key: period_key.clone(),
                });
            }
            if f.found_untrue {
                filing_failures.push(Evidence::UntrueFiling {
                    period_key: period_key.clone(),
                });
            }
        }
        None => {}
    }
    let filing_still_failing = admonished || told_about_filing;
    for evidence in filing_failures {
        match standing {
            Some(standing) if filing_still_failing => {
                let rung = rung_after(standing);
                found.push((rung, escalated_clause(rung, None, &evidence), evidence));
            }
            _ => found.push((Rung::Notification, "第五条（四）", evidence)),
        }
    }

    // Unmet rows, in printed order, binding the unit's kind only.
    if let Some(f) = &s.filing {
        let kind = binding_kind(s.unit_kind);
        for row in forms::binding_rows(kind) {
            let Some(item) = f.unmet_rows.iter().find(|u| u.row_id == row.id) else {
                continue;
            };
            let persistent = s.previous_unmet_rows.iter().any(|r| r == row.id);
            let named_after_admonition = admonished && disclosure_clause(row.form).is_some();
            let unmet_row = || Evidence::UnmetRow {
                row_id: item.row_id.clone(),
                explanation: item.explanation.clone(),
            };
            let (rung, clause, evidence) = match standing {
                Some(standing) if persistent || named_after_admonition => {
                    let rung = rung_after(standing);
                    let evidence = if persistent {
                        Evidence::PersistentFailing {
                            row_id: item.row_id.clone(),
                            since_period_key: s.period.previous().key(),
                            explanation: item.explanation.clone(),
                        }
                    } else {
                        unmet_row()
                    };
                    (
                        rung,
                        escalated_clause(rung, Some(row.form), &evidence),
                        evidence,
                    )
                }
                _ => {
                    let (rung, clause) = base_clause(row.form);
                    (rung, clause, unmet_row())
                }
            };
            found.push((rung, clause, evidence));
        }
    }

    // Accidents: 第六条（一） one larger, 第六条（二） two ordinary within a month.
    let mut counted: Vec<&Accident> = s.accidents.iter().filter(|a| a.date <= s.today).collect();
    counted.sort_by_key(|a| a.date);
    let larger = counted.iter().filter(|a| a.larger).count() as u32;
    let ordinary: Vec<NaiveDate> = counted
        .iter()
        .filter(|a| !a.larger)
        .map(|a| a.date)
        .collect();
    let ordinary_in_a_month = most_within_span(&ordinary);
    if larger >= 1 || ordinary_in_a_month >= 2 {
        let clause = match (larger >= 1, ordinary_in_a_month >= 2) {
            (true, true) => "第六条（一）（二）",
            (true, false) => "第六条（一）",
            _ => "第六条（二）",
        };
        let last_on = counted.last().expect("at least one accident").date;
        found.push((
            Rung::Admonition,
            clause,
            Evidence::Accidents {
                larger,
                ordinary_in_a_month,
                last_on,
            },
        ));
    }

    // Earlier escalations left unanswered.
    let overdue: Vec<(&OpenEscalation, NaiveDate)> = s
        .open_escalations
        .iter()
        .filter_map(|e| match e.response(s.today) {
            Response::Overdue { due } => Some((e, due)),
            _ => None,
        })
        .collect();
    let overdue_rungs: BTreeSet<Rung> = overdue.iter().map(|(e, _)| e.rung).collect();
    for (e, due) in overdue {
        let evidence = if e.rung == Rung::Admonition {
            Evidence::RectificationOverdue {
                escalation_no: e.number.clone(),
                due,
            }
        } else {
            Evidence::PriorEscalationUnanswered {
                escalation_no: e.number.clone(),
                rung: e.rung,
            }
        };
        let (rung, clause) = if overdue_rungs.len() >= 2 {
            (Rung::SpecialReport, "第八条（一）")
        } else {
            match e.rung {
                Rung::Prompt | Rung::Notification => (Rung::Admonition, "第六条（六）"),
                Rung::Admonition => (Rung::Disclosure, "第九条、第七条（六）"),
                _ => (Rung::SpecialReport, "第八条（一）"),
            }
        };
        found.push((rung, clause, evidence));
    }

    // Group by rung, dropping findings an open escalation at that rung or higher was issued on.
    let mut proposals: Vec<Proposal> = Vec::new();
    for rung in Rung::ALL {
        let reasons: Vec<Reason> = found
            .iter()
            .filter(|(r, _, _)| *r == rung)
            .map(|(_, clause, evidence)| Reason {
                evidence: evidence.clone(),
                clause: clause.to_string(),
                key: evidence.key(&period_key),
            })
            .filter(|reason| {
                !s.open_escalations
                    .iter()
                    .any(|e| e.rung >= rung && e.evidence_keys.contains(&reason.key))
            })
            .collect();
        if !reasons.is_empty() {
            proposals.push(Proposal { rung, reasons });
        }
    }
    proposals
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ladder::fixtures::{d, escalation, persistent, row};
    use crate::domain::ladder::{FiledSituation, UnmetItem};
    use crate::domain::period::Period;
    use crate::domain::unit::UnitKind;

    fn unmet(ids: &[&str]) -> Vec<UnmetItem> {
        ids.iter()
            .map(|id| UnmetItem {
                row_id: id.to_string(),
                explanation: format!("{id} 的说明"),
            })
            .collect()
    }

    /// An enterprise's on-time, complete filing for 2026 (window 1–10 January 2027), weighed on
    /// 20 January 2027, with the given unmet rows.
    fn enterprise(rows: &[&str]) -> UnitSituation {
        UnitSituation {
            unit_kind: UnitKind::Enterprise,
            period: Period::annual(2026),
            expected_to_file: true,
            filing: Some(FiledSituation {
                late: false,
                complete: true,
                found_untrue: false,
                unmet_rows: unmet(rows),
            }),
            previous_unmet_rows: Vec::new(),
            open_escalations: Vec::new(),
            accidents: Vec::new(),
            today: d("2027-01-20"),
        }
    }

    /// An escalation issued last period and answered: it counts for the unit's standing only.
    fn answered(number: &str, rung: Rung) -> OpenEscalation {
        OpenEscalation {
            responded: true,
            report_accepted: true,
            ..escalation(number, rung, "2026-07-20")
        }
    }

    fn rungs(proposals: &[Proposal]) -> Vec<Rung> {
        proposals.iter().map(|p| p.rung).collect()
    }

    fn at_rung(proposals: &[Proposal], rung: Rung) -> &Proposal {
        proposals
            .iter()
            .find(|p| p.rung == rung)
            .unwrap_or_else(|| panic!("expected a {rung:?} proposal in {proposals:#?}"))
    }

    /// (evidence, clause) of a proposal, for compact assertions.
    fn reasons(p: &Proposal) -> Vec<(Evidence, &str)> {
        p.reasons
            .iter()
            .map(|r| (r.evidence.clone(), r.clause.as_str()))
            .collect()
    }

    // --- Proposals: base rungs ---------------------------------------------------------------

    #[test]
    fn a_clean_on_time_nil_filing_calls_for_nothing() {
        assert_eq!(propose(&enterprise(&[])), Vec::new());
    }

    #[test]
    fn unmet_rows_of_forms_1_2_3_4_and_9_call_for_a_prompt_under_article_4() {
        let p = propose(&enterprise(&["1.3", "2.1", "3.2", "4.4", "9.1"]));
        assert_eq!(rungs(&p), [Rung::Prompt]);
        assert_eq!(
            reasons(&p[0]),
            [
                (row("1.3"), "第四条（一）"),
                (row("2.1"), "第四条（四）"),
                (row("3.2"), "第四条（二）"),
                (row("4.4"), "第四条（三）"),
                (row("9.1"), "第四条（四）"),
            ]
        );
        assert_eq!(p[0].article(), "第四条");
    }

    #[test]
    fn unmet_rows_of_forms_5_and_6_call_for_a_notification_under_article_5() {
        let p = propose(&enterprise(&["5.3", "6.3"]));
        assert_eq!(rungs(&p), [Rung::Notification]);
        assert_eq!(
            reasons(&p[0]),
            [(row("5.3"), "第五条（二）"), (row("6.3"), "第五条（三）")]
        );
    }

    #[test]
    fn unmet_rows_of_forms_7_and_8_call_for_a_notification_under_article_5_item_1() {
        let p = propose(&enterprise(&["7.1", "8.1"]));
        assert_eq!(
            reasons(at_rung(&p, Rung::Notification)),
            [(row("7.1"), "第五条（一）"), (row("8.1"), "第五条（一）")]
        );
        assert_eq!(rungs(&p), [Rung::Notification]);
    }

    #[test]
    fn rows_that_do_not_bind_the_units_kind_are_ignored() {
        // 1.1 binds governments, not townships; 9.3 binds townships.
        let s = UnitSituation {
            unit_kind: UnitKind::Township,
            ..enterprise(&["1.1", "9.3", "no.such.row"])
        };
        let p = propose(&s);
        assert_eq!(reasons(&p[0]), [(row("9.3"), "第四条（四）")]);
    }

    #[test]
    fn a_missing_filing_calls_for_a_notification_once_the_window_has_closed() {
        let mut s = UnitSituation {
            filing: None,
            today: d("2027-01-10"),
            ..enterprise(&[])
        };
        assert_eq!(propose(&s), Vec::new(), "the 10th is still in the window");
        s.today = d("2027-01-11");
        let p = propose(&s);
        assert_eq!(
            reasons(&p[0]),
            [(
                Evidence::MissingFiling {
                    period_key: "2026-Y".into()
                },
                "第五条（四）"
            )]
        );
        assert_eq!(p[0].rung, Rung::Notification);
        assert_eq!(p[0].reasons[0].key, "filing:missing@2026-Y");
    }

    #[test]
    fn no_filing_is_missing_from_a_unit_not_open_in_the_period() {
        // Closed before 2026 began, or opened after its window: it owed nothing for 2026.
        let s = UnitSituation {
            filing: None,
            expected_to_file: false,
            today: d("2027-02-01"),
            ..enterprise(&[])
        };
        assert_eq!(propose(&s), Vec::new(), "nothing is missing");
    }

    #[test]
    fn an_incomplete_filing_calls_for_a_notification_only_once_the_window_has_closed() {
        let mut s = enterprise(&[]);
        s.filing.as_mut().unwrap().complete = false;
        s.today = d("2027-01-09");
        assert_eq!(propose(&s), Vec::new());
        s.today = d("2027-01-11");
        assert_eq!(
            reasons(&propose(&s)[0]),
            [(
                Evidence::IncompleteFiling {
                    period_key: "2026-Y".into()
                },
                "第五条（四）"
            )]
        );
    }

    #[test]
    fn a_late_or_untrue_filing_calls_for_a_notification_under_article_5_item_4() {
        let mut s = enterprise(&[]);
        let f = s.filing.as_mut().unwrap();
        f.late = true;
        f.found_untrue = true;
        let p = propose(&s);
        assert_eq!(rungs(&p), [Rung::Notification]);
        assert_eq!(
            reasons(&p[0]),
            [
                (
                    Evidence::LateFiling {
                        period_key: "2026-Y".into()
                    },
                    "第五条（四）"
                ),
                (
                    Evidence::UntrueFiling {
                        period_key: "2026-Y".into()
                    },
                    "第五条（四）"
                ),
            ]
        );
    }

    #[test]
    fn one_larger_accident_calls_for_an_admonition_under_article_6_item_1() {
        let s = UnitSituation {
            accidents: vec![Accident {
                date: d("2026-11-03"),
                larger: true,
            }],
            ..enterprise(&[])
        };
        let p = propose(&s);
        assert_eq!(rungs(&p), [Rung::Admonition]);
        assert_eq!(
            reasons(&p[0]),
            [(
                Evidence::Accidents {
                    larger: 1,
                    ordinary_in_a_month: 0,
                    last_on: d("2026-11-03")
                },
                "第六条（一）"
            )]
        );
    }

    fn ordinary(dates: &[&str]) -> Vec<Accident> {
        dates
            .iter()
            .map(|s| Accident {
                date: d(s),
                larger: false,
            })
            .collect()
    }

    #[test]
    fn two_ordinary_accidents_within_thirty_days_call_for_an_admonition_even_across_months() {
        for pair in [["2026-01-31", "2026-02-01"], ["2026-03-01", "2026-03-30"]] {
            let s = UnitSituation {
                accidents: ordinary(&pair),
                ..enterprise(&[])
            };
            let p = propose(&s);
            assert_eq!(rungs(&p), [Rung::Admonition], "{pair:?}");
            assert_eq!(p[0].reasons[0].clause, "第六条（二）");
        }
    }

    #[test]
    fn ordinary_accidents_thirty_days_apart_or_a_single_one_call_for_nothing() {
        for dates in [&["2026-03-01", "2026-03-31"][..], &["2026-05-05"][..]] {
            let s = UnitSituation {
                accidents: ordinary(dates),
                ..enterprise(&[])
            };
            assert_eq!(propose(&s), Vec::new(), "{dates:?}");
        }
    }

    #[test]
    fn accidents_after_today_are_not_counted() {
        let s = UnitSituation {
            accidents: vec![Accident {
                date: d("2027-01-21"),
                larger: true,
            }],
            ..enterprise(&[])
        };
        assert_eq!(propose(&s), Vec::new());
    }

    #[test]
    fn the_most_ordinary_accidents_in_any_thirty_day_span_are_counted() {
        let s = UnitSituation {
            accidents: ordinary(&["2026-06-01", "2026-06-20", "2026-06-29", "2026-09-01"]),
            ..enterprise(&[])
        };
        match &propose(&s)[0].reasons[0].evidence {
            Evidence::Accidents {
                ordinary_in_a_month,
                last_on,
                ..
            } => {
                assert_eq!(*ordinary_in_a_month, 3);
                assert_eq!(*last_on, d("2026-09-01"));
            }
            other => panic!("expected accidents, got {other:?}"),
        }
    }

    // --- Proposals: still failing after an earlier rung --------------------------------------

    #[test]
    fn a_row_still_unmet_after_an_earlier_prompt_calls_for_an_admonition() {
        let s = UnitSituation {
            previous_unmet_rows: vec!["2.1".into()],
            open_escalations: vec![answered("t1", Rung::Prompt)],
            ..enterprise(&["2.1"])
        };
        let p = propose(&s);
        assert_eq!(rungs(&p), [Rung::Admonition]);
        assert_eq!(reasons(&p[0]), [(persistent("2.1"), "第六条（六）")]);
    }

    #[test]
    fn a_major_hazard_still_unrectified_after_a_notification_rests_on_article_6_item_3() {
        let s = UnitSituation {
            previous_unmet_rows: vec!["5.3".into()],
            open_escalations: vec![answered("g1", Rung::Notification)],
            ..enterprise(&["5.3"])
        };
        assert_eq!(
            reasons(at_rung(&propose(&s), Rung::Admonition)),
            [(persistent("5.3"), "第六条（三）")]
        );
    }

    #[test]
    fn a_row_unmet_twice_with_no_earlier_escalation_stays_at_its_base_rung() {
        let s = UnitSituation {
            previous_unmet_rows: vec!["2.1".into()],
            ..enterprise(&["2.1"])
        };
        assert_eq!(
            reasons(at_rung(&propose(&s), Rung::Prompt)),
            [(row("2.1"), "第四条（四）")]
        );
    }

    #[test]
    fn a_new_row_after_an_earlier_prompt_stays_at_its_base_rung() {
        let s = UnitSituation {
            previous_unmet_rows: vec!["9.1".into()],
            open_escalations: vec![answered("t1", Rung::Prompt)],
            ..enterprise(&["2.1"])
        };
        assert_eq!(rungs(&propose(&s)), [Rung::Prompt]);
    }

    #[test]
    fn an_escalation_issued_since_this_periods_window_opened_is_not_earlier() {
        // Issued on 12 January 2027 on the 2026 filing itself: the unit has not yet been
        // weighed after it.
        let s = UnitSituation {
            previous_unmet_rows: vec!["2.1".into()],
            open_escalations: vec![OpenEscalation {
                responded: true,
                ..escalation("t1", Rung::Prompt, "2027-01-12")
            }],
            ..enterprise(&["2.1"])
        };
        assert_eq!(rungs(&propose(&s)), [Rung::Prompt]);
    }

    #[test]
    fn a_filing_failure_after_an_earlier_notification_about_filing_calls_for_an_admonition() {
        let mut s = enterprise(&[]);
        s.filing.as_mut().unwrap().late = true;
        s.open_escalations = vec![OpenEscalation {
            evidence_keys: vec!["filing:late@2026-H1".into()],
            ..answered("g1", Rung::Notification)
        }];
        let p = propose(&s);
        assert_eq!(rungs(&p), [Rung::Admonition]);
        assert_eq!(
            reasons(&p[0]),
            [(
                Evidence::LateFiling {
                    period_key: "2026-Y".into()
                },
                "第六条（六）"
            )]
        );
    }

    #[test]
    fn a_filing_failure_after_an_earlier_prompt_about_something_else_stays_a_notification() {
        let mut s = enterprise(&[]);
        s.filing.as_mut().unwrap().late = true;
        s.open_escalations = vec![OpenEscalation {
            evidence_keys: vec!["row:2.1@2026-H1".into()],
            ..answered("t1", Rung::Prompt)
        }];
        assert_eq!(rungs(&propose(&s)), [Rung::Notification]);
    }

    #[test]
    fn after_an_admonition_a_row_still_unmet_calls_for_disclosure() {
        let s = UnitSituation {
            previous_unmet_rows: vec!["2.1".into(), "5.3".into()],
            open_escalations: vec![answered("j1", Rung::Admonition)],
            ..enterprise(&["2.1", "5.3"])
        };
        let p = propose(&s);
        assert_eq!(rungs(&p), [Rung::Disclosure]);
        assert_eq!(
            reasons(&p[0]),
            [
                (persistent("2.1"), "第七条（六）"),
                (persistent("5.3"), "第七条（三）"),
            ]
        );
    }

    #[test]
    fn after_an_admonition_a_late_incomplete_or_untrue_filing_calls_for_disclosure_under_article_7_item_5(
    ) {
        let mut s = UnitSituation {
            open_escalations: vec![answered("j1", Rung::Admonition)],
            ..enterprise(&[])
        };
        let f = s.filing.as_mut().unwrap();
        f.late = true;
        f.complete = false;
        f.found_untrue = true;
        let p = propose(&s);
        assert_eq!(rungs(&p), [Rung::Disclosure]);
        let clauses: Vec<&str> = p[0].reasons.iter().map(|r| r.clause.as_str()).collect();
        assert_eq!(clauses, ["第七条（五）"; 3]);
        assert_eq!(p[0].clauses(), ["第七条（五）"]);
    }

    #[test]
    fn after_an_admonition_a_missing_filing_calls_for_disclosure() {
        let s = UnitSituation {
            filing: None,
            open_escalations: vec![answered("j1", Rung::Admonition)],
            ..enterprise(&[])
        };
        assert_eq!(rungs(&propose(&s)), [Rung::Disclosure]);
    }

    #[test]
    fn after_an_admonition_new_rows_named_in_article_7_call_for_disclosure_and_others_stay_at_base()
    {
        let s = UnitSituation {
            open_escalations: vec![answered("j1", Rung::Admonition)],
            ..enterprise(&["1.3", "2.1", "4.4", "6.3", "7.1"])
        };
        let p = propose(&s);
        assert_eq!(
            rungs(&p),
            [Rung::Prompt, Rung::Notification, Rung::Disclosure]
        );
        assert_eq!(reasons(&p[0]), [(row("2.1"), "第四条（四）")]);
        assert_eq!(reasons(&p[1]), [(row("7.1"), "第五条（一）")]);
        assert_eq!(
            reasons(&p[2]),
            [
                (row("1.3"), "第七条（一）"),
                (row("4.4"), "第七条（二）"),
                (row("6.3"), "第七条（四）"),
            ]
        );
    }

    #[test]
    fn a_unit_under_disclosure_still_failing_calls_for_a_special_report() {
        let mut s = UnitSituation {
            previous_unmet_rows: vec!["5.3".into()],
            open_escalations: vec![answered("gk1", Rung::Disclosure)],
            ..enterprise(&["5.3"])
        };
        s.filing.as_mut().unwrap().late = true;
        let p = propose(&s);
        assert_eq!(rungs(&p), [Rung::SpecialReport]);
        assert_eq!(p[0].clauses(), ["第八条（一）"]);
        assert_eq!(p[0].reasons.len(), 2, "the late filing and the row");
    }

    // --- Proposals: unanswered escalations ---------------------------------------------------

    #[test]
    fn an_unanswered_prompt_or_notification_calls_for_an_admonition() {
        for rung in [Rung::Prompt, Rung::Notification] {
            let s = UnitSituation {
                open_escalations: vec![escalation("x1", rung, "2027-01-02")],
                today: d("2027-01-18"),
                ..enterprise(&[])
            };
            let p = propose(&s);
            assert_eq!(
                rungs(&p),
                [Rung::Admonition],
                "after an unanswered {rung:?}"
            );
            assert_eq!(
                reasons(&p[0]),
                [(
                    Evidence::PriorEscalationUnanswered {
                        escalation_no: "x1".into(),
                        rung
                    },
                    "第六条（六）"
                )]
            );
        }
    }

    #[test]
    fn a_prompt_still_within_its_reply_time_calls_for_nothing() {
        let s = UnitSituation {
            open_escalations: vec![escalation("t1", Rung::Prompt, "2027-01-02")],
            today: d("2027-01-17"),
            ..enterprise(&[])
        };
        assert_eq!(propose(&s), Vec::new(), "due on the 17th, in time all day");
    }

    #[test]
    fn an_admonition_whose_report_is_overdue_calls_for_disclosure() {
        let s = UnitSituation {
            open_escalations: vec![escalation("j1", Rung::Admonition, "2027-01-02")],
            today: d("2027-01-18"),
            ..enterprise(&[])
        };
        let p = propose(&s);
        assert_eq!(rungs(&p), [Rung::Disclosure]);
        assert_eq!(
            reasons(&p[0]),
            [(
                Evidence::RectificationOverdue {
                    escalation_no: "j1".into(),
                    due: d("2027-01-17")
                },
                "第九条、第七条（六）"
            )]
        );
    }

    #[test]
    fn an_unanswered_disclosure_calls_for_a_special_report() {
        let s = UnitSituation {
            open_escalations: vec![escalation("gk1", Rung::Disclosure, "2027-01-02")],
            today: d("2027-01-18"),
            ..enterprise(&[])
        };
        assert_eq!(rungs(&propose(&s)), [Rung::SpecialReport]);
    }

    #[test]
    fn two_rungs_left_unanswered_call_for_a_special_report() {
        let s = UnitSituation {
            open_escalations: vec![
                escalation("t1", Rung::Prompt, "2026-08-01"),
                escalation("j1", Rung::Admonition, "2026-09-01"),
            ],
            ..enterprise(&[])
        };
        let p = propose(&s);
        assert_eq!(rungs(&p), [Rung::SpecialReport]);
        assert_eq!(
            reasons(&p[0]),
            [
                (
                    Evidence::PriorEscalationUnanswered {
                        escalation_no: "t1".into(),
                        rung: Rung::Prompt
                    },
                    "第八条（一）"
                ),
                (
                    Evidence::RectificationOverdue {
                        escalation_no: "j1".into(),
                        due: d("2026-09-16")
                    },
                    "第八条（一）"
                ),
            ]
        );
    }

    #[test]
    fn two_unanswered_escalations_at_the_same_rung_are_one_rung_not_two() {
        let s = UnitSituation {
            open_escalations: vec![
                escalation("t1", Rung::Prompt, "2026-08-01"),
                escalation("t2", Rung::Prompt, "2026-09-01"),
            ],
            ..enterprise(&[])
        };
        let p = propose(&s);
        assert_eq!(rungs(&p), [Rung::Admonition]);
        assert_eq!(p[0].reasons.len(), 2);
    }

    // --- Proposals: not twice, one per rung, deterministic -----------------------------------

    #[test]
    fn a_unit_with_an_unanswered_notification_gets_no_second_notification_but_the_next_rung() {
        // 告知 g1 was issued on 12 January on the missing 2026 filing, which is still missing.
        let mut s = UnitSituation {
            filing: None,
            open_escalations: vec![OpenEscalation {
                evidence_keys: vec!["filing:missing@2026-Y".into()],
                ..escalation("g1", Rung::Notification, "2027-01-12")
            }],
            ..enterprise(&[])
        };
        assert_eq!(propose(&s), Vec::new(), "g1 is awaiting its reply");
        s.today = d("2027-01-28");
        let p = propose(&s);
        assert_eq!(rungs(&p), [Rung::Admonition], "no second 告知: {p:#?}");
        assert_eq!(
            p[0].reasons[0].evidence,
            Evidence::PriorEscalationUnanswered {
                escalation_no: "g1".into(),
                rung: Rung::Notification
            }
        );
    }

    #[test]
    fn findings_already_issued_on_are_not_proposed_again_but_new_ones_are() {
        let s = UnitSituation {
            open_escalations: vec![OpenEscalation {
                evidence_keys: vec!["row:2.1@2026-Y".into()],
                ..escalation("t1", Rung::Prompt, "2027-01-12")
            }],
            ..enterprise(&["2.1", "9.1"])
        };
        let p = propose(&s);
        assert_eq!(reasons(&p[0]), [(row("9.1"), "第四条（四）")]);
    }

    #[test]
    fn a_finding_issued_on_at_a_lower_rung_is_still_proposed_at_a_higher_one() {
        // The overdue prompt t1 was itself the evidence of prompt t2: that does not hide the
        // admonition it now calls for.
        let s = UnitSituation {
            open_escalations: vec![
                escalation("t1", Rung::Prompt, "2027-01-01"),
                OpenEscalation {
                    evidence_keys: vec!["escalation:t1".into()],
                    ..escalation("t2", Rung::Prompt, "2027-01-19")
                },
            ],
            ..enterprise(&[])
        };
        assert_eq!(rungs(&propose(&s)), [Rung::Admonition]);
        let issued = UnitSituation {
            open_escalations: vec![
                escalation("t1", Rung::Prompt, "2027-01-01"),
                OpenEscalation {
                    evidence_keys: vec!["escalation:t1".into()],
                    ..escalation("j1", Rung::Admonition, "2027-01-19")
                },
            ],
            ..enterprise(&[])
        };
        assert_eq!(
            propose(&issued),
            Vec::new(),
            "the admonition on t1 is out already"
        );
    }

    #[test]
    fn findings_form_one_proposal_per_rung_lowest_first_in_a_fixed_order() {
        let mut s = UnitSituation {
            previous_unmet_rows: vec!["9.1".into()],
            open_escalations: vec![answered("t1", Rung::Prompt)],
            accidents: vec![Accident {
                date: d("2026-12-01"),
                larger: true,
            }],
            ..enterprise(&["9.1", "5.3", "2.1", "1.3"])
        };
        s.filing.as_mut().unwrap().late = true;
        let p = propose(&s);
        assert_eq!(
            rungs(&p),
            [Rung::Prompt, Rung::Notification, Rung::Admonition]
        );
        assert_eq!(
            reasons(&p[0]),
            [(row("1.3"), "第四条（一）"), (row("2.1"), "第四条（四）")],
            "rows in printed order, whatever order they came in"
        );
        let late = Evidence::LateFiling {
            period_key: "2026-Y".into(),
        };
        assert_eq!(
            reasons(&p[1]),
            [(late, "第五条（四）"), (row("5.3"), "第五条（二）")],
            "filing failures before rows"
        );
        let kinds: Vec<&str> = p[2]
            .reasons
            .iter()
            .map(|r| r.key.split(':').next().unwrap())
            .collect();
        assert_eq!(kinds, ["row", "accidents"], "rows before accidents");
        assert_eq!(propose(&s), p, "the same facts give the same proposals");
    }

    #[test]
    fn the_city_government_and_safety_offices_get_no_proposals() {
        for kind in [UnitKind::CityGovernment, UnitKind::SafetyOffice] {
            let s = UnitSituation {
                unit_kind: kind,
                filing: None,
                ..enterprise(&[])
            };
            assert_eq!(propose(&s), Vec::new(), "{kind:?}");
        }
    }
}
