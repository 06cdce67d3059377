//! The escalation ladder of 昆政办〔2010〕106号《昆明市安全生产警示管理办法（试行）》 (警示管理).
//!
//! 第二条: governments, the three management committees and their safety committee offices
//! apply 提示、告知、告诫、公开、专报 to the governments and departments below them. 第四条 to
//! 第八条 say when each rung applies, 第九条 gives a 告诫 15 days for its report; 107号 六、(三)
//! ties the ladder to nil filing ("对零申报工作开展不力的，将给予提示、告知、告诫、公开、专报").
//!
//! # What is here
//! - [`Rung`] and [`Severity`]: the five rungs (第四条–第八条) and their three severities.
//! - [`may_issue`] and [`delivery`]: who may escalate against whom (第二条, 第四条–第八条), and how
//!   the escalation reaches its target.
//! - [`propose`]: the escalations a unit's facts for a period call for, each with its evidence
//!   and the clause it rests on.
//! - [`rectification_due`], [`rectification_overdue`]: the 15 days of 第九条, in Kunming days.
//! - [`document_number`]: the number printed on an escalation document.
//! - [`deadline_reminders`]: the reminders due at an instant (window open, window closing,
//!   a 告诫 report falling due).
//!
//! Pure: the caller loads the facts (plain strings, dates and instants, as stored) and gets
//! decisions; nothing here reads a clock or a database.
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

use super::filing::binding_kind;
use super::forms;
use super::period::{Period, WindowState};
use super::time::{kunming_date, start_of_kunming_day};
use super::unit::UnitKind;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------------
// Rungs and severities.
// ---------------------------------------------------------------------------------------------

/// One rung of the ladder, lowest first (the derived order is the ladder's order).
/// Stored as its [`Rung::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Rung {
    /// 提示 (第四条): a prompt notice naming the problem and the measures suggested.
    Prompt,
    /// 告知 (第五条): a written notification of problems found in supervision.
    Notification,
    /// 告诫 (第六条): an admonition; the unit reports its measures within 15 days (第九条).
    Admonition,
    /// 公开 (第七条): a written circular (书面通报) on a government or department, media
    /// exposure (曝光) of an enterprise.
    Disclosure,
    /// 专报 (第八条): a special report to the principal leader of the issuer's own government.
    SpecialReport,
}

impl Rung {
    pub const ALL: [Rung; 5] = [
        Rung::Prompt,
        Rung::Notification,
        Rung::Admonition,
        Rung::Disclosure,
        Rung::SpecialReport,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Rung::Prompt => "prompt",
            Rung::Notification => "notification",
            Rung::Admonition => "admonition",
            Rung::Disclosure => "disclosure",
            Rung::SpecialReport => "special_report",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The word of 106号: 提示, 告知, 告诫, 公开, 专报.
    pub fn label_zh(&self) -> &'static str {
        match self {
            Rung::Prompt => "提示",
            Rung::Notification => "告知",
            Rung::Admonition => "告诫",
            Rung::Disclosure => "公开",
            Rung::SpecialReport => "专报",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            Rung::Prompt => "prompt",
            Rung::Notification => "written notification",
            Rung::Admonition => "admonition",
            Rung::Disclosure => "public disclosure",
            Rung::SpecialReport => "special report",
        }
    }

    /// The article of 106号 that sets the rung out.
    pub fn article(&self) -> &'static str {
        match self {
            Rung::Prompt => "第四条",
            Rung::Notification => "第五条",
            Rung::Admonition => "第六条",
            Rung::Disclosure => "第七条",
            Rung::SpecialReport => "第八条",
        }
    }

    /// The word in the rung's document number ([`document_number`]): the name of the document
    /// the article issues. 公开 is done by 书面通报 (第七条), so its documents are 通报.
    pub fn document_word(&self) -> &'static str {
        match self {
            Rung::Prompt => "提示",
            Rung::Notification => "告知",
            Rung::Admonition => "告诫",
            Rung::Disclosure => "通报",
            Rung::SpecialReport => "专报",
        }
    }

    /// The severity the rung belongs to (DOMAIN.md: notice = 提示; warning = 告知, 告诫;
    /// alert = 公开, 专报).
    pub fn severity(&self) -> Severity {
        match self {
            Rung::Prompt => Severity::Notice,
            Rung::Notification | Rung::Admonition => Severity::Warning,
            Rung::Disclosure | Rung::SpecialReport => Severity::Alert,
        }
    }

    /// The rung above, `None` at 专报.
    pub fn next(&self) -> Option<Rung> {
        Self::ALL.get(self.index() as usize).copied()
    }

    /// The rung's place on the ladder, 1 (提示) to 5 (专报).
    pub fn index(&self) -> u8 {
        match self {
            Rung::Prompt => 1,
            Rung::Notification => 2,
            Rung::Admonition => 3,
            Rung::Disclosure => 4,
            Rung::SpecialReport => 5,
        }
    }
}

/// How grave an escalation is: three bands over the five rungs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// 提示.
    Notice,
    /// 告知, 告诫.
    Warning,
    /// 公开, 专报.
    Alert,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Notice, Severity::Warning, Severity::Alert];

    pub fn code(&self) -> &'static str {
        match self {
            Severity::Notice => "notice",
            Severity::Warning => "warning",
            Severity::Alert => "alert",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The app's own names for the bands (106号 has none).
    pub fn label_zh(&self) -> &'static str {
        match self {
            Severity::Notice => "提示级",
            Severity::Warning => "警告级",
            Severity::Alert => "警报级",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            Severity::Notice => "notice",
            Severity::Warning => "warning",
            Severity::Alert => "alert",
        }
    }

    /// The rungs in this band, lowest first.
    pub fn rungs(&self) -> Vec<Rung> {
        Rung::ALL
            .into_iter()
            .filter(|r| r.severity() == *self)
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Who may escalate against whom.
// ---------------------------------------------------------------------------------------------

/// Where a unit sits, as far as the direction of an escalation is concerned: the columns
/// `unit_id`, `kind` and `county_id` of its row.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnitPosition {
    pub unit_id: String,
    pub kind: UnitKind,
    /// The county-level government (or management committee) whose area the unit lies in,
    /// `None` for a city-level unit. A county-level government points at itself.
    pub county_id: Option<String>,
}

/// Why a unit may not escalate against another. Each reason has a message key for the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IssueRefusal {
    /// A unit escalating against itself.
    SameUnit,
    /// Only governments, management committees and their safety committee offices issue
    /// (第二条); departments, townships and enterprises do not.
    NotAnIssuer,
    /// The unit's kind and county disagree (a city government inside a county, a county-level
    /// government, township or enterprise with no county): the data is wrong, decide nothing.
    InconsistentPosition,
    /// A county-level issuer against a city-level unit: the ladder runs to the level below
    /// (第二条 "对下级人民政府及有关部门").
    Upward,
    /// A county-level issuer against a unit of another county: same level, not below.
    Sideways,
    /// An issuer against the government it belongs to (the city government for a city-level
    /// issuer, the county's own government or committee for a county-level one).
    OwnGovernment,
    /// A safety committee office is the issuer's arm, not a target: the ladder addresses its
    /// government (第二条).
    NotATarget,
}

impl IssueRefusal {
    pub const ALL: [IssueRefusal; 7] = [
        IssueRefusal::SameUnit,
        IssueRefusal::NotAnIssuer,
        IssueRefusal::InconsistentPosition,
        IssueRefusal::Upward,
        IssueRefusal::Sideways,
        IssueRefusal::OwnGovernment,
        IssueRefusal::NotATarget,
    ];

    /// The interface message key (for `i18n`).
    pub fn message_key(&self) -> &'static str {
        match self {
            IssueRefusal::SameUnit => "err.ladder_same_unit",
            IssueRefusal::NotAnIssuer => "err.ladder_not_an_issuer",
            IssueRefusal::InconsistentPosition => "err.ladder_inconsistent_position",
            IssueRefusal::Upward => "err.ladder_upward",
            IssueRefusal::Sideways => "err.ladder_sideways",
            IssueRefusal::OwnGovernment => "err.ladder_own_government",
            IssueRefusal::NotATarget => "err.ladder_not_a_target",
        }
    }

    /// The message in Chinese, for the `i18n` table.
    pub fn message_zh(&self) -> &'static str {
        match self {
            IssueRefusal::SameUnit => "不能对本单位发出警示。",
            IssueRefusal::NotAnIssuer => {
                "只有人民政府、管委会及其安全生产委员会办公室可以发出警示。"
            }
            IssueRefusal::InconsistentPosition => {
                "单位类型与所属县（市）区不一致，请先更正单位信息。"
            }
            IssueRefusal::Upward => "不能对上级单位发出警示。",
            IssueRefusal::Sideways => "不能对其他县（市）区的单位发出警示。",
            IssueRefusal::OwnGovernment => "不能对本级人民政府（管委会）发出警示。",
            IssueRefusal::NotATarget => "安全生产委员会办公室不是警示对象，请对其人民政府发出。",
        }
    }

    /// The message in English, for the `i18n` table.
    pub fn message_en(&self) -> &'static str {
        match self {
            IssueRefusal::SameUnit => "A unit cannot escalate against itself.",
            IssueRefusal::NotAnIssuer => {
                "Only governments, management committees and their safety committee offices issue escalations."
            }
            IssueRefusal::InconsistentPosition => {
                "The unit's kind and county do not agree; correct the unit first."
            }
            IssueRefusal::Upward => "Escalations go downward, never to a higher level.",
            IssueRefusal::Sideways => "Escalations cannot go to a unit of another county.",
            IssueRefusal::OwnGovernment => "An issuer cannot escalate against its own government.",
            IssueRefusal::NotATarget => {
                "A safety committee office is not a target; address its government."
            }
        }
    }
}

/// Whether a unit of `kind` may issue escalations (第二条: 各级人民政府、三个开发（度假）区管委会
/// 及其安全生产委员会办公室).
pub fn is_issuer(kind: UnitKind) -> bool {
    matches!(
        kind,
        UnitKind::CityGovernment
            | UnitKind::CountyGovernment
            | UnitKind::ManagementCommittee
            | UnitKind::SafetyOffice
    )
}

/// Whether a unit of `kind` can be escalated against at all, by someone: not the city
/// government (nobody is above it) nor a safety committee office (the issuer's arm).
pub fn is_target(kind: UnitKind) -> bool {
    !matches!(kind, UnitKind::CityGovernment | UnitKind::SafetyOffice)
}

/// Whether the kind and the county of a position agree with the unit table's rules.
fn is_consistent(p: &UnitPosition) -> bool {
    match p.kind {
        UnitKind::CityGovernment => p.county_id.is_none(),
        UnitKind::CountyGovernment
        | UnitKind::ManagementCommittee
        | UnitKind::Township
        | UnitKind::Enterprise => p.county_id.is_some(),
        // Offices and departments exist at both levels.
        UnitKind::SafetyOffice | UnitKind::Department => true,
    }
}

/// Whether `issuer` may escalate against `target`, at any rung.
///
/// 第二条: downward only, from a government, management committee or safety committee office.
/// A city-level issuer may target any county-level government or management committee and any
/// department (city-level ones too: 第六条 "同级有关职能部门"), township or enterprise; a
/// county-level issuer only the departments, townships and enterprises of its own county.
/// Reasons are checked in the order of [`IssueRefusal::ALL`], so each refusal is the first that
/// applies.
pub fn may_issue(issuer: &UnitPosition, target: &UnitPosition) -> Result<(), IssueRefusal> {
    if issuer.unit_id == target.unit_id {
        return Err(IssueRefusal::SameUnit);
    }
    if !is_issuer(issuer.kind) {
        return Err(IssueRefusal::NotAnIssuer);
    }
    if !is_consistent(issuer) || !is_consistent(target) {
        return Err(IssueRefusal::InconsistentPosition);
    }
    if let Some(own_county) = &issuer.county_id {
        match &target.county_id {
            None => return Err(IssueRefusal::Upward),
            Some(county) if county != own_county => return Err(IssueRefusal::Sideways),
            Some(_) if target.kind.is_county_level_government() => {
                return Err(IssueRefusal::OwnGovernment)
            }
            Some(_) => {}
        }
    }
    match target.kind {
        UnitKind::CityGovernment => Err(IssueRefusal::OwnGovernment),
        UnitKind::SafetyOffice => Err(IssueRefusal::NotATarget),
        _ => Ok(()),
    }
}

/// How an escalation reaches its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Delivery {
    /// A notice sent to the government or department itself: 提示通知 (第四条), 书面告知
    /// (第五条), 告诫 (第六条).
    Notice,
    /// 书面通报 on a government or department (第七条).
    WrittenCircular,
    /// An enterprise's 提示, 告知 or 告诫 goes through the department supervising its industry:
    /// 第四条–第六条 address governments and departments, and the enterprise's chain runs
    /// through its department (107号 四、(二)).
    ThroughSupervisingDepartment,
    /// 对企业在媒体上进行曝光 (第七条).
    MediaExposure,
    /// 专报 to the principal leader of the issuer's own government, about the target (第八条).
    ReportToPrincipalLeader,
}

impl Delivery {
    pub fn code(&self) -> &'static str {
        match self {
            Delivery::Notice => "notice",
            Delivery::WrittenCircular => "written_circular",
            Delivery::ThroughSupervisingDepartment => "through_department",
            Delivery::MediaExposure => "media_exposure",
            Delivery::ReportToPrincipalLeader => "report_to_leader",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Delivery::Notice => "书面通知",
            Delivery::WrittenCircular => "书面通报",
            Delivery::ThroughSupervisingDepartment => "经行业监管部门转达",
            Delivery::MediaExposure => "媒体曝光",
            Delivery::ReportToPrincipalLeader => "专报同级人民政府主要领导",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            Delivery::Notice => "written notice",
            Delivery::WrittenCircular => "written circular",
            Delivery::ThroughSupervisingDepartment => "through the supervising department",
            Delivery::MediaExposure => "media exposure",
            Delivery::ReportToPrincipalLeader => "report to the principal leader",
        }
    }
}

/// How an escalation at `rung` reaches a target of `target_kind` (check [`may_issue`] first).
pub fn delivery(target_kind: UnitKind, rung: Rung) -> Delivery {
    match (rung, target_kind) {
        (Rung::SpecialReport, _) => Delivery::ReportToPrincipalLeader,
        (Rung::Disclosure, UnitKind::Enterprise) => Delivery::MediaExposure,
        (Rung::Disclosure, _) => Delivery::WrittenCircular,
        (_, UnitKind::Enterprise) => Delivery::ThroughSupervisingDepartment,
        _ => Delivery::Notice,
    }
}

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
// Document numbers.
// ---------------------------------------------------------------------------------------------

/// The number of an escalation document: `{issuer_short}{word}〔{year}〕{seq}号`, e.g.
/// `五华区安委办告诫〔2027〕3号`.
///
/// The shape of 发文字号 in GB/T 9704-2012 7.2.4 (机关代字, the year in full in 〔〕, the sequence
/// number without 第 and without leading zeros, then 号), with the rung's
/// [`Rung::document_word`] after the issuer's short name so each kind of document has its own
/// series. `seq` counts from 1 per issuer, per rung, per year of issue (Kunming).
pub fn document_number(issuer_short: &str, year: i32, rung: Rung, seq: u32) -> String {
    format!(
        "{}{}〔{year}〕{seq}号",
        issuer_short.trim(),
        rung.document_word()
    )
}

/// The year of an escalation issued at `at`, for its [`document_number`]: the Kunming calendar
/// year (an instant on 31 December after 16:00 UTC is already the next year in Kunming).
pub fn document_year(at: DateTime<Utc>) -> i32 {
    kunming_date(at).year()
}

// ---------------------------------------------------------------------------------------------
// The facts about a unit, and the escalations they call for.
// ---------------------------------------------------------------------------------------------

/// What is known of one unit for one period, as loaded from the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitSituation {
    pub unit_kind: UnitKind,
    /// The period weighed (parse the stored key with [`Period::parse_key`]).
    pub period: Period,
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

/// One row answered 不落实, with its explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmetItem {
    /// Row id, `5.3`.
    pub row_id: String,
    pub explanation: String,
}

/// An escalation on the unit that its issuer has not closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenEscalation {
    /// Its document number ([`document_number`]).
    pub number: String,
    pub rung: Rung,
    /// The Kunming date of issue.
    pub issued_on: NaiveDate,
    /// The unit has signed for it. Not used by the rules: a deadline runs from issue.
    pub acknowledged: bool,
    /// The unit has replied (for a 告诫, sent its 第九条 report). A reply sent back as
    /// inadequate is recorded as no reply.
    pub responded: bool,
    /// The last day for the reply; `None` means [`REPORT_DAYS`] after issue
    /// (for a 告诫, that is [`rectification_due`]).
    pub rectification_due: Option<NaiveDate>,
    /// For a 告诫: the issuer has accepted the report for the record (备案, 第九条).
    pub report_accepted: bool,
    /// The [`Reason::key`]s of the findings it was issued on.
    pub evidence_keys: Vec<String>,
}

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

/// An accident in the unit's area or industry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accident {
    /// Kunming date it happened.
    pub date: NaiveDate,
    /// 较大以上: larger, major or especially major (国务院令 第493号 第三条); else 一般 (ordinary).
    pub larger: bool,
}

/// "1 个月内" of 第六条（二）, taken as any span of 30 consecutive Kunming days (the later accident
/// at most 29 days after the earlier): a calendar-month rule would let 31 January and
/// 1 February pass as "different months".
pub const ACCIDENT_SPAN_DAYS: i64 = 30;

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
    fn key(&self, period_key: &str) -> String {
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

    fn is_filing_failure(&self) -> bool {
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
        None if window_closed => filing_failures.push(Evidence::MissingFiling {
            period_key: period_key.clone(),
        }),
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
    use crate::domain::time::parse_instant;

    const SOURCE: &str = include_str!("../../../docs/kunming-2010-zero-report.zh.md");

    /// The text of one article of 106号, from its number to the next article.
    fn article_text(article: &str) -> &'static str {
        let start = SOURCE
            .find(&format!("\n{article} "))
            .expect("article in the source");
        let rest = &SOURCE[start + 1..];
        let end = rest[article.len()..]
            .find("\n第")
            .map_or(rest.len(), |i| i + article.len());
        &rest[..end]
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    fn at(s: &str) -> DateTime<Utc> {
        parse_instant(s).expect("an instant")
    }

    fn pos(id: &str, kind: UnitKind, county: Option<&str>) -> UnitPosition {
        UnitPosition {
            unit_id: id.into(),
            kind,
            county_id: county.map(str::to_string),
        }
    }

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

    fn escalation(number: &str, rung: Rung, issued_on: &str) -> OpenEscalation {
        OpenEscalation {
            number: number.into(),
            rung,
            issued_on: d(issued_on),
            acknowledged: true,
            responded: false,
            rectification_due: None,
            report_accepted: false,
            evidence_keys: Vec::new(),
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

    fn row(id: &str) -> Evidence {
        Evidence::UnmetRow {
            row_id: id.into(),
            explanation: format!("{id} 的说明"),
        }
    }

    fn persistent(id: &str) -> Evidence {
        Evidence::PersistentFailing {
            row_id: id.into(),
            since_period_key: "2026-H1".into(),
            explanation: format!("{id} 的说明"),
        }
    }

    // --- Rungs and severities ----------------------------------------------------------------

    #[test]
    fn rung_and_severity_codes_round_trip_and_unknown_codes_are_rejected() {
        for r in Rung::ALL {
            assert_eq!(Rung::parse(r.code()), Some(r));
        }
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.code()), Some(s));
        }
        assert_eq!(Rung::parse("warning"), None);
        assert_eq!(Severity::parse("prompt"), None);
    }

    #[test]
    fn rungs_climb_from_prompt_to_special_report_one_step_at_a_time() {
        let indexes: Vec<u8> = Rung::ALL.iter().map(Rung::index).collect();
        assert_eq!(indexes, [1, 2, 3, 4, 5]);
        for pair in Rung::ALL.windows(2) {
            assert_eq!(pair[0].next(), Some(pair[1]));
            assert!(pair[0] < pair[1], "the derived order is the ladder's");
        }
        assert_eq!(Rung::SpecialReport.next(), None);
    }

    #[test]
    fn each_rung_cites_its_article_and_the_article_names_it() {
        let articles: Vec<&str> = Rung::ALL.iter().map(Rung::article).collect();
        assert_eq!(articles, ["第四条", "第五条", "第六条", "第七条", "第八条"]);
        for r in Rung::ALL {
            let text = article_text(r.article());
            assert!(
                text.contains(r.label_zh()),
                "{} should speak of {}: {text}",
                r.article(),
                r.label_zh()
            );
        }
        assert!(
            article_text("第七条").contains("书面通报"),
            "公开 is done by 通报"
        );
        assert!(article_text("第二条").contains("提示、告知、告诫、公开、专报"));
    }

    #[test]
    fn severities_group_the_rungs_as_the_domain_notes_say() {
        assert_eq!(Severity::Notice.rungs(), [Rung::Prompt]);
        assert_eq!(
            Severity::Warning.rungs(),
            [Rung::Notification, Rung::Admonition]
        );
        assert_eq!(
            Severity::Alert.rungs(),
            [Rung::Disclosure, Rung::SpecialReport]
        );
    }

    // --- Who may escalate against whom -------------------------------------------------------

    const WUHUA: &str = "wuhua";
    const GUANDU: &str = "guandu";

    fn city_office() -> UnitPosition {
        pos("city-office", UnitKind::SafetyOffice, None)
    }

    fn wuhua_office() -> UnitPosition {
        pos("wuhua-office", UnitKind::SafetyOffice, Some(WUHUA))
    }

    #[test]
    fn the_city_may_escalate_against_county_governments_committees_departments_townships_and_enterprises(
    ) {
        let targets = [
            pos(WUHUA, UnitKind::CountyGovernment, Some(WUHUA)),
            pos("gx", UnitKind::ManagementCommittee, Some("gx")),
            pos("wuhua-ajj", UnitKind::Department, Some(WUHUA)),
            pos("city-ajj", UnitKind::Department, None),
            pos("hongshan", UnitKind::Township, Some(WUHUA)),
            pos("factory", UnitKind::Enterprise, Some(GUANDU)),
        ];
        for issuer in [city_office(), pos("city", UnitKind::CityGovernment, None)] {
            for t in &targets {
                assert_eq!(
                    may_issue(&issuer, t),
                    Ok(()),
                    "{} → {}",
                    issuer.unit_id,
                    t.unit_id
                );
            }
        }
    }

    #[test]
    fn a_county_may_escalate_against_its_own_departments_townships_and_enterprises() {
        for issuer in [
            wuhua_office(),
            pos(WUHUA, UnitKind::CountyGovernment, Some(WUHUA)),
        ] {
            for t in [
                pos("wuhua-ajj", UnitKind::Department, Some(WUHUA)),
                pos("hongshan", UnitKind::Township, Some(WUHUA)),
                pos("factory", UnitKind::Enterprise, Some(WUHUA)),
            ] {
                assert_eq!(
                    may_issue(&issuer, &t),
                    Ok(()),
                    "{} → {}",
                    issuer.unit_id,
                    t.unit_id
                );
            }
        }
    }

    #[test]
    fn a_management_committee_issues_like_a_county_government() {
        let gx = pos("gx", UnitKind::ManagementCommittee, Some("gx"));
        assert_eq!(
            may_issue(&gx, &pos("gx-factory", UnitKind::Enterprise, Some("gx"))),
            Ok(())
        );
        assert_eq!(
            may_issue(&gx, &pos("factory", UnitKind::Enterprise, Some(WUHUA))),
            Err(IssueRefusal::Sideways)
        );
    }

    #[test]
    fn a_county_may_not_escalate_upward_to_any_city_level_unit() {
        for t in [
            pos("city", UnitKind::CityGovernment, None),
            city_office(),
            pos("city-ajj", UnitKind::Department, None),
        ] {
            assert_eq!(
                may_issue(&wuhua_office(), &t),
                Err(IssueRefusal::Upward),
                "→ {}",
                t.unit_id
            );
        }
    }

    #[test]
    fn a_county_may_not_escalate_sideways_into_another_county() {
        for t in [
            pos(GUANDU, UnitKind::CountyGovernment, Some(GUANDU)),
            pos("guandu-office", UnitKind::SafetyOffice, Some(GUANDU)),
            pos("guandu-ajj", UnitKind::Department, Some(GUANDU)),
            pos("guandu-town", UnitKind::Township, Some(GUANDU)),
            pos("guandu-factory", UnitKind::Enterprise, Some(GUANDU)),
        ] {
            assert_eq!(
                may_issue(&wuhua_office(), &t),
                Err(IssueRefusal::Sideways),
                "→ {}",
                t.unit_id
            );
        }
    }

    #[test]
    fn an_issuer_may_not_escalate_against_its_own_government() {
        assert_eq!(
            may_issue(
                &wuhua_office(),
                &pos(WUHUA, UnitKind::CountyGovernment, Some(WUHUA))
            ),
            Err(IssueRefusal::OwnGovernment)
        );
        assert_eq!(
            may_issue(&city_office(), &pos("city", UnitKind::CityGovernment, None)),
            Err(IssueRefusal::OwnGovernment)
        );
    }

    #[test]
    fn no_one_escalates_against_a_safety_office() {
        assert_eq!(
            may_issue(&city_office(), &wuhua_office()),
            Err(IssueRefusal::NotATarget)
        );
        assert_eq!(
            may_issue(
                &pos(WUHUA, UnitKind::CountyGovernment, Some(WUHUA)),
                &wuhua_office()
            ),
            Err(IssueRefusal::NotATarget)
        );
        assert!(!is_target(UnitKind::SafetyOffice) && !is_target(UnitKind::CityGovernment));
    }

    #[test]
    fn departments_townships_and_enterprises_never_issue() {
        let target = pos("factory", UnitKind::Enterprise, Some(WUHUA));
        for issuer in [
            pos("wuhua-ajj", UnitKind::Department, Some(WUHUA)),
            pos("city-ajj", UnitKind::Department, None),
            pos("hongshan", UnitKind::Township, Some(WUHUA)),
            pos("other-factory", UnitKind::Enterprise, Some(WUHUA)),
        ] {
            assert_eq!(
                may_issue(&issuer, &target),
                Err(IssueRefusal::NotAnIssuer),
                "{} must not issue",
                issuer.unit_id
            );
        }
    }

    #[test]
    fn a_unit_may_not_escalate_against_itself() {
        assert_eq!(
            may_issue(&wuhua_office(), &wuhua_office()),
            Err(IssueRefusal::SameUnit)
        );
    }

    #[test]
    fn positions_whose_kind_and_county_disagree_are_refused() {
        for (issuer, target) in [
            (wuhua_office(), pos("factory", UnitKind::Enterprise, None)),
            (city_office(), pos(WUHUA, UnitKind::CountyGovernment, None)),
            (city_office(), pos("town", UnitKind::Township, None)),
            (
                pos("city", UnitKind::CityGovernment, Some(WUHUA)),
                pos("factory", UnitKind::Enterprise, Some(WUHUA)),
            ),
        ] {
            assert_eq!(
                may_issue(&issuer, &target),
                Err(IssueRefusal::InconsistentPosition),
                "{issuer:?} → {target:?}"
            );
        }
    }

    #[test]
    fn every_refusal_has_its_own_message_key_in_both_languages() {
        let keys: BTreeSet<&str> = IssueRefusal::ALL.iter().map(|r| r.message_key()).collect();
        assert_eq!(keys.len(), IssueRefusal::ALL.len(), "keys are distinct");
        for r in IssueRefusal::ALL {
            assert!(r.message_key().starts_with("err.ladder_"));
            assert!(!r.message_zh().is_empty() && !r.message_en().is_empty());
        }
    }

    #[test]
    fn enterprises_are_reached_through_their_department_and_disclosed_in_the_media() {
        for r in [Rung::Prompt, Rung::Notification, Rung::Admonition] {
            assert_eq!(
                delivery(UnitKind::Enterprise, r),
                Delivery::ThroughSupervisingDepartment
            );
        }
        assert_eq!(
            delivery(UnitKind::Enterprise, Rung::Disclosure),
            Delivery::MediaExposure
        );
    }

    #[test]
    fn governments_and_departments_get_notices_and_circulars_and_special_reports_go_to_the_leader()
    {
        assert_eq!(
            delivery(UnitKind::Department, Rung::Admonition),
            Delivery::Notice
        );
        assert_eq!(
            delivery(UnitKind::CountyGovernment, Rung::Disclosure),
            Delivery::WrittenCircular
        );
        for kind in [UnitKind::Township, UnitKind::Enterprise] {
            assert_eq!(
                delivery(kind, Rung::SpecialReport),
                Delivery::ReportToPrincipalLeader
            );
        }
    }

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

    // --- Document numbers --------------------------------------------------------------------

    #[test]
    fn document_numbers_follow_gb_t_9704_with_the_rungs_word() {
        assert_eq!(
            document_number("五华区安委办", 2027, Rung::Admonition, 3),
            "五华区安委办告诫〔2027〕3号"
        );
        assert_eq!(
            document_number(" 昆安委办 ", 2027, Rung::Prompt, 1),
            "昆安委办提示〔2027〕1号",
            "no leading zero, no 第, the short name trimmed"
        );
        assert_eq!(
            document_number("昆安委办", 2028, Rung::Disclosure, 12),
            "昆安委办通报〔2028〕12号"
        );
    }

    #[test]
    fn the_document_year_is_the_kunming_year() {
        assert_eq!(document_year(at("2027-12-31T15:59:59Z")), 2027);
        assert_eq!(document_year(at("2027-12-31T16:00:00Z")), 2028);
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
