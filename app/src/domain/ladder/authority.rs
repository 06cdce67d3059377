//! Who may escalate against whom (第二条: downward only, from a government, a management
//! committee or a safety committee office), and how an escalation reaches its target
//! (第四条–第八条).

use super::Rung;
use crate::domain::unit::UnitKind;
use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn pos(id: &str, kind: UnitKind, county: Option<&str>) -> UnitPosition {
        UnitPosition {
            unit_id: id.into(),
            kind,
            county_id: county.map(str::to_string),
        }
    }

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
}
