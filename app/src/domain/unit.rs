//! Units of the reporting chain, the roles of their staff, industries and areas.
//!
//! 107号 四、(二) 申报程序: enterprise → county-level department by industry → county safety
//! committee office → (county government →) city safety committee office → city government.

use serde::{Deserialize, Serialize};

/// The kind of a unit in the chain. Stored as its [`UnitKind::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnitKind {
    /// 昆明市人民政府.
    CityGovernment,
    /// 县（市）区人民政府.
    CountyGovernment,
    /// 开发（度假）区管委会: files and is supervised like a county-level government.
    ManagementCommittee,
    /// 安全生产委员会办公室 (安委办) of a government, city or county level.
    SafetyOffice,
    /// 负有安全生产监管职能的部门, city or county level, supervising a set of industries.
    Department,
    /// 乡镇、街道办事处.
    Township,
    /// 生产经营单位.
    Enterprise,
}

impl UnitKind {
    pub const ALL: [UnitKind; 7] = [
        UnitKind::CityGovernment,
        UnitKind::CountyGovernment,
        UnitKind::ManagementCommittee,
        UnitKind::SafetyOffice,
        UnitKind::Department,
        UnitKind::Township,
        UnitKind::Enterprise,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            UnitKind::CityGovernment => "city_government",
            UnitKind::CountyGovernment => "county_government",
            UnitKind::ManagementCommittee => "management_committee",
            UnitKind::SafetyOffice => "safety_office",
            UnitKind::Department => "department",
            UnitKind::Township => "township",
            UnitKind::Enterprise => "enterprise",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// A county-level area's own government: a county government or a management committee.
    pub fn is_county_level_government(&self) -> bool {
        matches!(
            self,
            UnitKind::CountyGovernment | UnitKind::ManagementCommittee
        )
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            UnitKind::CityGovernment => "市人民政府",
            UnitKind::CountyGovernment => "县（市）区人民政府",
            UnitKind::ManagementCommittee => "开发（度假）区管委会",
            UnitKind::SafetyOffice => "安全生产委员会办公室",
            UnitKind::Department => "负有安全生产监管职能的部门",
            UnitKind::Township => "乡镇（街道办事处）",
            UnitKind::Enterprise => "生产经营单位",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            UnitKind::CityGovernment => "city government",
            UnitKind::CountyGovernment => "county-level government",
            UnitKind::ManagementCommittee => "management committee",
            UnitKind::SafetyOffice => "safety committee office",
            UnitKind::Department => "supervising department",
            UnitKind::Township => "township / sub-district",
            UnitKind::Enterprise => "enterprise",
        }
    }
}

/// What a user may do; a user has exactly one role in exactly one unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Fills and submits its enterprise's nine forms.
    EnterpriseFiler,
    /// Staff of a supervising department: reviews its enterprises, files the department's forms.
    DepartmentStaff,
    /// Staff of a township or sub-district: files its own nine forms.
    TownshipStaff,
    /// Staff of a county-level safety committee office.
    CountyOfficeStaff,
    /// Staff of the city safety committee office.
    CityOfficeStaff,
    /// Manages units and accounts.
    Administrator,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::EnterpriseFiler,
        Role::DepartmentStaff,
        Role::TownshipStaff,
        Role::CountyOfficeStaff,
        Role::CityOfficeStaff,
        Role::Administrator,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Role::EnterpriseFiler => "enterprise_filer",
            Role::DepartmentStaff => "department_staff",
            Role::TownshipStaff => "township_staff",
            Role::CountyOfficeStaff => "county_office_staff",
            Role::CityOfficeStaff => "city_office_staff",
            Role::Administrator => "administrator",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether this role fills in nil-filing forms for a unit (see `ssr::access::own_filing_unit`).
    pub fn fills_forms(&self) -> bool {
        matches!(
            self,
            Role::EnterpriseFiler
                | Role::DepartmentStaff
                | Role::TownshipStaff
                | Role::CountyOfficeStaff
        )
    }

    /// Whether this role supervises units below it (late-filing exceptions, review).
    pub fn is_supervisor(&self) -> bool {
        matches!(
            self,
            Role::DepartmentStaff | Role::CountyOfficeStaff | Role::CityOfficeStaff
        )
    }

    /// Whether a user with this role may belong to a unit of `kind`.
    /// `unit_has_county` is whether the unit sits in a county-level area (not city level).
    pub fn fits_unit(&self, kind: UnitKind, unit_has_county: bool) -> bool {
        match self {
            Role::EnterpriseFiler => kind == UnitKind::Enterprise,
            Role::DepartmentStaff => kind == UnitKind::Department,
            Role::TownshipStaff => kind == UnitKind::Township,
            Role::CountyOfficeStaff => kind == UnitKind::SafetyOffice && unit_has_county,
            Role::CityOfficeStaff => kind == UnitKind::SafetyOffice && !unit_has_county,
            // Administrators sit in the city office that runs the system.
            Role::Administrator => kind == UnitKind::SafetyOffice && !unit_has_county,
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Role::EnterpriseFiler => "企业填报员",
            Role::DepartmentStaff => "监管部门工作人员",
            Role::TownshipStaff => "乡镇（街道）工作人员",
            Role::CountyOfficeStaff => "县级安委办工作人员",
            Role::CityOfficeStaff => "市安委办工作人员",
            Role::Administrator => "系统管理员",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            Role::EnterpriseFiler => "enterprise filer",
            Role::DepartmentStaff => "department staff",
            Role::TownshipStaff => "township staff",
            Role::CountyOfficeStaff => "county office staff",
            Role::CityOfficeStaff => "city office staff",
            Role::Administrator => "administrator",
        }
    }
}

/// The sixteen industries in scope, 107号 三、(二) 申报范围, in the order of the text:
/// (code, Chinese name, English name).
pub const INDUSTRIES: [(&str, &str, &str); 16] = [
    ("coal_mine", "煤矿", "coal mines"),
    ("non_coal_mine", "非煤矿山", "non-coal mines"),
    ("chemical", "化工", "chemicals"),
    ("petroleum", "石油", "petroleum"),
    ("construction", "建筑施工", "building construction"),
    ("road_traffic", "道路交通", "road traffic"),
    ("fire", "消防", "fire safety"),
    (
        "nonferrous_metallurgy",
        "有色冶金",
        "non-ferrous metallurgy",
    ),
    ("special_equipment", "特种设备", "special equipment"),
    ("building_materials", "建材", "building materials"),
    ("agricultural_machinery", "农机", "agricultural machinery"),
    ("water_conservancy", "水利", "water conservancy"),
    ("tourism", "旅游", "tourism"),
    ("light_industry", "轻工", "light industry"),
    ("textile", "纺织", "textiles"),
    ("civil_explosives", "民爆器材", "civil explosives"),
];

/// The Chinese name of an industry code, if it is one of the sixteen.
pub fn industry_name_zh(code: &str) -> Option<&'static str> {
    INDUSTRIES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, _)| *zh)
}

/// The English name of an industry code, if it is one of the sixteen.
pub fn industry_name_en(code: &str) -> Option<&'static str> {
    INDUSTRIES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, en)| *en)
}

/// Kunming's county-level areas (DOMAIN.md): (code, name, is a management committee).
/// Codes are the administrative division codes for the counties and short tags for the
/// management committees, which have none of their own.
pub const COUNTY_AREAS: [(&str, &str, bool); 19] = [
    ("530102", "五华区", false),
    ("530103", "盘龙区", false),
    ("530111", "官渡区", false),
    ("530112", "西山区", false),
    ("530114", "呈贡区", false),
    ("530113", "东川区", false),
    ("530115", "晋宁区", false),
    ("530181", "安宁市", false),
    ("530124", "富民县", false),
    ("530125", "宜良县", false),
    ("530127", "嵩明县", false),
    ("530126", "石林县", false),
    ("530128", "禄劝县", false),
    ("530129", "寻甸县", false),
    ("gx", "高新区", true),
    ("jk", "经开区", true),
    ("dc", "滇池度假区", true),
    ("kg", "空港经济区", true),
    ("yzh", "阳宗海风景区", true),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_kind_and_role_codes_round_trip() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.code()), Some(k));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn there_are_sixteen_distinct_industries_and_nineteen_county_level_areas() {
        let mut codes: Vec<_> = INDUSTRIES.iter().map(|i| i.0).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 16);
        assert_eq!(
            COUNTY_AREAS.iter().filter(|a| a.2).count(),
            5,
            "five management committees"
        );
        assert_eq!(
            COUNTY_AREAS.iter().filter(|a| !a.2).count(),
            14,
            "fourteen counties and districts"
        );
    }

    #[test]
    fn roles_fit_only_their_kind_of_unit() {
        assert!(Role::EnterpriseFiler.fits_unit(UnitKind::Enterprise, true));
        assert!(!Role::EnterpriseFiler.fits_unit(UnitKind::Department, true));
        assert!(Role::CountyOfficeStaff.fits_unit(UnitKind::SafetyOffice, true));
        assert!(
            !Role::CountyOfficeStaff.fits_unit(UnitKind::SafetyOffice, false),
            "the city office is not a county office"
        );
        assert!(Role::CityOfficeStaff.fits_unit(UnitKind::SafetyOffice, false));
    }
}
