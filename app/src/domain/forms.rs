//! The nine official nil-filing forms (零申报表) of 昆政办〔2010〕107号, as data, word for word.
//!
//! 107号 五、申报内容 lists nine duties; the plan ends with the nine printed tables that units
//! actually fill in. Where the wording of the tables differs from the prose of 五、申报内容 the
//! **table wins**: every [`FormRow::text`] and [`FormDef::title`] here is copied character for
//! character (full-width and half-width punctuation, spaces, “ ” quotes) from the tables at the end
//! of `shared/seed/kunming-2010-zero-report.zh.md`, and the tests check it against that file.
//!
//! # Shape
//! Every table has the same frame ([`LABEL_FILING_UNIT`] … [`LABEL_PHONE`]) and a numbered list of
//! rows (申报内容), each answered 落实 / 不落实 ([`Answer`]). Table 3 splits its item 1 into four
//! lines and its item 3 into two; each line is answered on its own, so it is a row of its own here
//! (ids `3.1.1`–`3.1.4`, `3.3.1`–`3.3.2`). Table 9 numbers its rows 1–4 (the prose groups them as
//! 1.(1)(2) and 2.(1)(2)); the table numbering is used. Rows per form: 4, 3, 7, 4, 4, 3, 1, 1, 4
//! = 31 answerable rows.
//!
//! # Who answers which row
//! The printed form shows every row to everyone; a unit answers the rows that bind its
//! [`BindingKind`]. The binding is read from the words of each row (who the row names as its
//! subject) and the reason is kept beside the row in [`FormRow::binding_reason`]. Rule of thumb:
//! "各级政府、管委会" / "县（市）区政府、管委会" bind [`BindingKind::Government`]; "部门" binds
//! [`BindingKind::Department`]; "乡镇（街道办事处）" binds [`BindingKind::Township`]; "企业" /
//! "生产经营单位" bind [`BindingKind::Enterprise`]. Rows with no named subject bind every kind for
//! which the duty makes sense (see each row's reason).
//!
//! Binding rows per kind (checked by a test):
//!
//! | kind | rows | forms with at least one binding row |
//! |---|---|---|
//! | Government | 16 | 1, 2, 3, 4, 5, 6, 7, 9 |
//! | Department | 13 | 1, 2, 3, 4, 5, 6, 7, 9 |
//! | Township | 11 | 2, 3, 4, 7, 9 |
//! | Enterprise | 15 | 1–9 |
//!
//! # Nil, unmet, complete
//! For a unit of a given kind and its answers (row id → [`Answer`]): the filing is *complete*
//! when every binding row is answered; each binding row answered 不落实 is an *unmet item* (to be
//! explained in 申报说明); the filing is *nil* (零申报 proper) when it is complete and has no unmet
//! item. Answers to rows that do not bind the unit are ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// The frame common to the nine tables.
// ---------------------------------------------------------------------------------------------

/// 申报单位 (filing unit), printed "申报单位：（盖章）": the unit's name, under its seal.
pub const LABEL_FILING_UNIT: &str = "申报单位";
/// （盖章）: the unit's official seal beside its name (tables 1, 5 and 9 print it full-width,
/// the others "(盖章)").
pub const LABEL_SEAL: &str = "（盖章）";
/// 申报时间 (filing date), printed "申报时间： 年 月 日".
pub const LABEL_FILING_DATE: &str = "申报时间";
/// 申报单位主要负责人 (the filing unit's principal).
pub const LABEL_PRINCIPAL: &str = "申报单位主要负责人";
/// 申报单位分管领导 (the filing unit's leader in charge of work safety).
pub const LABEL_LEADER_IN_CHARGE: &str = "申报单位分管领导";
/// 序号 (item number), head of the first column.
pub const LABEL_ITEM: &str = "序号";
/// 申报内容 (what is filed), head of the row-text column.
pub const LABEL_CONTENT: &str = "申报内容";
/// 申报情况 (status), head over the two answer columns.
pub const LABEL_STATUS: &str = "申报情况";
/// 落实 (done), the first answer column: [`Answer::Done`].
pub const LABEL_DONE: &str = "落实";
/// 不落实 (not done), the second answer column: [`Answer::NotDone`].
pub const LABEL_NOT_DONE: &str = "不落实";
/// 申报说明 (filing explanation), where each 不落实 row is explained.
pub const LABEL_EXPLANATION: &str = "申报说明";
/// 填表人 (filled in by).
pub const LABEL_FILLED_BY: &str = "填表人";
/// 审核人 (reviewed by).
pub const LABEL_REVIEWED_BY: &str = "审核人";
/// 联系电话 (contact phone).
pub const LABEL_PHONE: &str = "联系电话";

/// Every label of the frame, in the order printed on the tables.
pub const FRAME_LABELS: [&str; 14] = [
    LABEL_FILING_UNIT,
    LABEL_SEAL,
    LABEL_FILING_DATE,
    LABEL_PRINCIPAL,
    LABEL_LEADER_IN_CHARGE,
    LABEL_ITEM,
    LABEL_CONTENT,
    LABEL_STATUS,
    LABEL_DONE,
    LABEL_NOT_DONE,
    LABEL_EXPLANATION,
    LABEL_FILLED_BY,
    LABEL_REVIEWED_BY,
    LABEL_PHONE,
];

// ---------------------------------------------------------------------------------------------
// Kinds of filing unit and answers.
// ---------------------------------------------------------------------------------------------

/// The kinds of filing unit a row of the forms can bind (107号 四、(二); 五、申报内容).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BindingKind {
    /// A government: 县（市）区人民政府 or 开发（度假）区管委会 (and the city government), whose
    /// 安全生产委员会办公室 files for it. Named as "各级政府、管委会", "县（市）区政府、管委会".
    Government,
    /// 负有安全生产监管职责的部门, city or county level. Named as "部门".
    Department,
    /// 乡镇、街道办事处. Named as "乡镇（街道办事处）".
    Township,
    /// 生产经营单位. Named as "企业", "生产经营单位".
    Enterprise,
}

impl BindingKind {
    pub const ALL: [BindingKind; 4] = [
        BindingKind::Government,
        BindingKind::Department,
        BindingKind::Township,
        BindingKind::Enterprise,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            BindingKind::Government => "government",
            BindingKind::Department => "department",
            BindingKind::Township => "township",
            BindingKind::Enterprise => "enterprise",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            BindingKind::Government => "政府、管委会",
            BindingKind::Department => "负有安全生产监管职责的部门",
            BindingKind::Township => "乡镇（街道办事处）",
            BindingKind::Enterprise => "生产经营单位",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            BindingKind::Government => "government / management committee",
            BindingKind::Department => "supervising department",
            BindingKind::Township => "township / sub-district",
            BindingKind::Enterprise => "enterprise",
        }
    }
}

/// The answer to one row: the two columns under 申报情况.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Answer {
    /// 落实: the duty is carried out.
    Done,
    /// 不落实: the duty is not carried out; an unmet item, to be explained in 申报说明.
    NotDone,
}

impl Answer {
    pub const ALL: [Answer; 2] = [Answer::Done, Answer::NotDone];

    pub fn code(&self) -> &'static str {
        match self {
            Answer::Done => "done",
            Answer::NotDone => "not_done",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The column heading as printed: 落实 / 不落实.
    pub fn label_zh(&self) -> &'static str {
        match self {
            Answer::Done => LABEL_DONE,
            Answer::NotDone => LABEL_NOT_DONE,
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            Answer::Done => "done",
            Answer::NotDone => "not done",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Forms and rows.
// ---------------------------------------------------------------------------------------------

/// One answerable row of a form.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct FormRow {
    /// Stable key: `"<form>.<item>"`, or `"<form>.<item>.<sub>"` for a sub-row (e.g. `"3.1.2"`).
    pub id: &'static str,
    /// The form's number, 1–9.
    pub form: u8,
    /// The item number (序号) the row belongs to, as printed.
    pub item: u8,
    /// For table 3's split items: the line within the item, from 1. Only line 1 carries the
    /// printed 序号; the later lines are printed unnumbered.
    pub sub: Option<u8>,
    /// The row's text (申报内容), verbatim from the table.
    pub text: &'static str,
    /// The kinds of unit that must answer this row.
    pub binds: &'static [BindingKind],
    /// Why the row binds those kinds, quoting the row's own words.
    pub binding_reason: &'static str,
}

impl FormRow {
    /// Whether a unit of `kind` must answer this row.
    pub fn is_binding_for(&self, kind: BindingKind) -> bool {
        self.binds.contains(&kind)
    }

    /// The 序号 printed in the first column: the item number, except on the unnumbered later
    /// lines of a split item.
    pub fn printed_item(&self) -> Option<u8> {
        match self.sub {
            None | Some(1) => Some(self.item),
            Some(_) => None,
        }
    }
}

/// One of the nine forms (零申报表).
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct FormDef {
    /// 1–9, in the order the tables appear in 107号.
    pub number: u8,
    /// The title, verbatim from the table.
    pub title: &'static str,
    /// The series line printed above the title on some tables, e.g.
    /// "安全生产监管“市域全覆盖”零申报表二"; `None` where the table has none.
    pub series_heading: Option<&'static str>,
    /// The answerable rows, in printed order.
    pub rows: &'static [FormRow],
}

impl FormDef {
    /// The rows of this form a unit of `kind` must answer.
    pub fn binding_rows(&self, kind: BindingKind) -> impl Iterator<Item = &'static FormRow> {
        let rows: &'static [FormRow] = self.rows;
        rows.iter().filter(move |r| r.is_binding_for(kind))
    }

    /// Whether at least one row of this form binds `kind`.
    pub fn binds(&self, kind: BindingKind) -> bool {
        self.rows.iter().any(|r| r.is_binding_for(kind))
    }
}

use BindingKind as K;

/// All four kinds.
const ALL_KINDS: &[BindingKind] = &BindingKind::ALL;

/// The nine forms of 107号, in the order of its tables.
pub static FORMS: [FormDef; 9] = [
    // 五、(一); table 1.
    FormDef {
        number: 1,
        title: "安全生产“一岗双责”不落实零申报表",
        series_heading: None,
        rows: &[
            FormRow {
                id: "1.1",
                form: 1,
                item: 1,
                sub: None,
                text: "各级政府、管委会主要领导与副职签订安全生产管理“一岗双责”责任书签订率 100%；各级政府分管领导与分管部门主要领导签订安全生产管理目标责任书签订率 100%。",
                binds: &[K::Government],
                binding_reason: "Names \"各级政府、管委会主要领导\" and \"各级政府分管领导\": the government's own leaders sign.",
            },
            FormRow {
                id: "1.2",
                form: 1,
                item: 2,
                sub: None,
                text: "部门主要领导与副职签订安全生产管理目标责任书签订率 100%；分管领导与分管单位主要领导签订安全生产目标责任书 100%。",
                binds: &[K::Department],
                binding_reason: "Names \"部门主要领导与副职\": a department's leaders sign.",
            },
            FormRow {
                id: "1.3",
                form: 1,
                item: 3,
                sub: None,
                text: "企业主要负责人与副职签订安全生产目标责任书 100%；副职与分管部门签订安全生产目标责任书 100%。",
                binds: &[K::Enterprise],
                binding_reason: "Names \"企业主要负责人与副职\": an enterprise's leaders sign.",
            },
            FormRow {
                id: "1.4",
                form: 1,
                item: 4,
                sub: None,
                text: "各级政府、管委会每年至少召开常务会（主任办公会）2次、分管安全生产领导每季度至少召开安全生产例会 1 次、其他行政领导副职每季度至少召开分析会 1 次，专题研究安全生产工作。",
                binds: &[K::Government],
                binding_reason: "Names \"各级政府、管委会\" holding \"常务会（主任办公会）\": government executive meetings.",
            },
        ],
    },
    // 五、(二); table 2.
    FormDef {
        number: 2,
        title: "目标责任状不落实零申报表",
        series_heading: Some("安全生产监管“市域全覆盖”零申报表二"),
        rows: &[
            FormRow {
                id: "2.1",
                form: 2,
                item: 1,
                sub: None,
                text: "层层分解目标任务，层层签订目标责任状，层层落实安全生产目标责任，形成横向到边，纵向到底的目标责任管理体系。",
                binds: ALL_KINDS,
                binding_reason: "No subject named; \"层层分解……层层签订……层层落实\" and \"纵向到底\" reach every level, so every kind signs and carries target agreements.",
            },
            FormRow {
                id: "2.2",
                form: 2,
                item: 2,
                sub: None,
                text: "督促目标责任管理的落实，加强目标责任管理的跟踪监控和预警预报，做到月分析、季检查、半年小结、年末考评。",
                binds: ALL_KINDS,
                binding_reason: "No subject named; follows row 1's \"层层\" agreements: every level that signs them must \"月分析、季检查、半年小结、年末考评\".",
            },
            FormRow {
                id: "2.3",
                form: 2,
                item: 3,
                sub: None,
                text: "根据日常监管工作情况和年终考评，严格兑现奖惩。",
                binds: ALL_KINDS,
                binding_reason: "No subject named; \"严格兑现奖惩\" on the \"年终考评\" of the agreements of row 1, which every level signs.",
            },
        ],
    },
    // 五、(三); table 3. Item 1 is printed as four lines and item 3 as two; each is a row.
    FormDef {
        number: 3,
        title: "人员、经费、装备不落实零申报表",
        series_heading: Some("安全生产监管“市域全覆盖”零申报表三"),
        rows: &[
            FormRow {
                id: "3.1.1",
                form: 3,
                item: 1,
                sub: Some(1),
                text: "各县（市）区政府、管委会安全生产监管部门人员 100%配备到位。",
                binds: &[K::Government],
                binding_reason: "Names \"各县（市）区政府、管委会\": the government staffs its own 安全生产监管部门.",
            },
            FormRow {
                id: "3.1.2",
                form: 3,
                item: 1,
                sub: Some(2),
                text: "市、县负有安全生产监管职责的部门建立健全本部门安全生产监管体系，有机构、有专（兼）职人员负责安全生产工作。",
                binds: &[K::Department],
                binding_reason: "Names \"市、县负有安全生产监管职责的部门\".",
            },
            FormRow {
                id: "3.1.3",
                form: 3,
                item: 1,
                sub: Some(3),
                text: "乡镇、街道办事处有机构、有专（兼）职人员负责安全生产工作。",
                binds: &[K::Township],
                binding_reason: "Names \"乡镇、街道办事处\".",
            },
            FormRow {
                id: "3.1.4",
                form: 3,
                item: 1,
                sub: Some(4),
                text: "按照《云南省安全生产条例》的规定，矿山、建筑施工单位和危险物品生产、经营、储存和使用量大的生产经营单位，从业人员在 100 人以上的，必须设置专门的安全生产管理机构，人员不少于 3 人；从业人员不足 100 人的，至少要配备 1-2 名专职安全生产管理人员。其他生产经营单位从业人员在 300 人以上的必须设置安全生产管理机构，人员不少于 3 人；从业人员不足 300 人的必须配备专职安全生产管理人员。各类生产经营单位要将安全生产管理人员配备情况报企业所在地县（市）区安全生产监督管理部门备案。",
                binds: &[K::Enterprise],
                binding_reason: "Names \"生产经营单位\" (\"各类生产经营单位要将安全生产管理人员配备情况……备案\").",
            },
            FormRow {
                id: "3.2",
                form: 3,
                item: 2,
                sub: None,
                text: "县（市）区政府、管委会安全生产监管业务工作经费纳入同级财政保障，不低于责任书规定数额；乡镇（街道办事处）不低于 3 万元，每年在上年基础上增加 10%；企业按规定足额提取安全费用。",
                binds: &[K::Government, K::Township, K::Enterprise],
                binding_reason: "Names three subjects: \"县（市）区政府、管委会\" (budget), \"乡镇（街道办事处）\" (不低于 3 万元) and \"企业\" (足额提取安全费用).",
            },
            FormRow {
                id: "3.3.1",
                form: 3,
                item: 3,
                sub: Some(1),
                text: "按照《昆明市人民政府办公厅转发省政府办公厅关于进一步做好安全监管装备配备工作文件的通知》（昆政办〔2009〕117 号）文件规定，配足配齐县（市）区安监部门专用监管车辆、检查检测设备、事故现场取证与分析设备和办公设备。",
                binds: &[K::Government],
                binding_reason: "No subject named; \"配足配齐县（市）区安监部门专用监管车辆……\" under 昆政办〔2009〕117 号 is the county-level government equipping its own work-safety bureau, as it staffs it (row 3.1.1) and funds it (row 3.2); other departments have no part in it.",
            },
            FormRow {
                id: "3.3.2",
                form: 3,
                item: 3,
                sub: Some(2),
                text: "乡镇（街道办事处）有检测、取证等必要装备、有办公场所。",
                binds: &[K::Township],
                binding_reason: "Names \"乡镇（街道办事处）\".",
            },
        ],
    },
    // 五、(四); table 4.
    FormDef {
        number: 4,
        title: "安全生产监管无盲区零申报表",
        series_heading: Some("安全生产监管“市域全覆盖”零申报表四"),
        rows: &[
            FormRow {
                id: "4.1",
                form: 4,
                item: 1,
                sub: None,
                text: "县（市）区政府、管委会建立健全覆盖辖区监管网络体系；每季度组织开展综合性“全覆盖”的安全生产大检查；组织开展多部门联合执法行动，打击非法违法生产、经营、建设行为；依法关闭不符合安全生产条件的生产经营单位。",
                binds: &[K::Government],
                binding_reason: "Names \"县（市）区政府、管委会\".",
            },
            FormRow {
                id: "4.2",
                form: 4,
                item: 2,
                sub: None,
                text: "负有安全监管职责的部门按照本行业安全监管职责、范围和工作实际，划分并建立以乡镇（街道办事处）为基本单位的安全监管责任区，督促所属单位落实安全监管主体责任；制订本行业《安全监管全覆盖方案》，明确责任区的位置、面积、第一责任人、具体责任人、安全管理责任人。",
                binds: &[K::Department],
                binding_reason: "Names \"负有安全监管职责的部门\".",
            },
            FormRow {
                id: "4.3",
                form: 4,
                item: 3,
                sub: None,
                text: "乡镇（街道办事处）建立以村（居）委会为基本单位的安全监管责任区和安全监管责任区网络，明确每个责任区的位置、责任领导、安全生产巡查员、重点隐患单位（注明单位地址、隐患内容、整改措施、时限、跟踪责任人）、主要社区、建筑场所等，落实责任区的安全管理工作。",
                binds: &[K::Township],
                binding_reason: "Names \"乡镇（街道办事处）\".",
            },
            FormRow {
                id: "4.4",
                form: 4,
                item: 4,
                sub: None,
                text: "生产经营单位建立以企业法定代表人负总责的横向到边、纵向到底的安全生产管理责任体系；完善企业区域、场所、部位、环节和设施设备、工艺流程等各项安全管理制度；建立隐患排查治理机制；认真开展安全生产检查，真正落实到班组，班前、班后检查、工段日检查，车间周检查、厂月检查制度，使管理无死角、无盲区。",
                binds: &[K::Enterprise],
                binding_reason: "Names \"生产经营单位\" (\"以企业法定代表人负总责\").",
            },
        ],
    },
    // 五、(五); table 5 (printed without a series line).
    FormDef {
        number: 5,
        title: "重大隐患整改不落实零申报表",
        series_heading: None,
        rows: &[
            FormRow {
                id: "5.1",
                form: 5,
                item: 1,
                sub: None,
                text: "各县（市）区政府、管委会，市级各有关部门每季度排查一次辖区（行业领域）安全隐患，对排查出的隐患进行梳理、评估；确定为重大隐患的，按重大隐患分级上报，确定市、县两级挂牌督办。",
                binds: &[K::Government, K::Department],
                binding_reason: "Names \"各县（市）区政府、管委会\" and \"市级各有关部门\", each searching its \"辖区（行业领域）\" quarterly.",
            },
            FormRow {
                id: "5.2",
                form: 5,
                item: 2,
                sub: None,
                text: "负有安全生产监管职责的部门，按照有关法律、法规、规章、标准和规程的要求，做好事故隐患信息的登记、核销和统计上报工作，建立健全事故隐患整改工作制度；督促相关企业制定切实可行的安全保障措施和整改方案实施整改。",
                binds: &[K::Department],
                binding_reason: "Names \"负有安全生产监管职责的部门\".",
            },
            FormRow {
                id: "5.3",
                form: 5,
                item: 3,
                sub: None,
                text: "生产经营单位要建立健全事故隐患排查工作制度，及时组织隐患排查治理工作；对排查出来的事故隐患，属重大事故隐患的进行登记并逐级上报。",
                binds: &[K::Enterprise],
                binding_reason: "Names \"生产经营单位\".",
            },
            FormRow {
                id: "5.4",
                form: 5,
                item: 4,
                sub: None,
                text: "制定重大事故隐患整改方案，落实整改单位、整改责任人和整改资金、时限，完成整改。",
                binds: &[K::Enterprise],
                binding_reason: "No subject named; continues row 3's \"生产经营单位\": the enterprise draws up the plan for the major hazards it registered and names \"整改单位、整改责任人和整改资金\" (the department's part, \"督促相关企业……整改\", is row 2).",
            },
        ],
    },
    // 五、(六); table 6.
    FormDef {
        number: 6,
        title: "重大危险源监控不落实零申报表",
        series_heading: Some("安全生产监管“市域全覆盖”零申报表六"),
        rows: &[
            FormRow {
                id: "6.1",
                form: 6,
                item: 1,
                sub: None,
                text: "各县（市）区政府、管委会对本行政区域内生产经营单位的重大危险源要进行登记建档、备案、评估和核销。建立健全重大危险源安全管理制度，制定重大危险源安全管理技术措施。",
                binds: &[K::Government],
                binding_reason: "Names \"各县（市）区政府、管委会\".",
            },
            FormRow {
                id: "6.2",
                form: 6,
                item: 2,
                sub: None,
                text: "负有安全生产监管职责的部门做到月检查、季巡查、督促企业每年评估重大危险源等级。",
                binds: &[K::Department],
                binding_reason: "Names \"负有安全生产监管职责的部门\".",
            },
            FormRow {
                id: "6.3",
                form: 6,
                item: 3,
                sub: None,
                text: "生产经营单位根据重大危险源的等级，建立健全相应的安全监控系统和安全监控设施，设置明显的安全警示标志，进行定期的检测检验，做到制度、措施、资金、责任、应急预案“五落实”。",
                binds: &[K::Enterprise],
                binding_reason: "Names \"生产经营单位\".",
            },
        ],
    },
    // 五、(七); table 7 (printed without a series line).
    FormDef {
        number: 7,
        title: "事故报告和调查处理不落实零申报表",
        series_heading: None,
        rows: &[FormRow {
            id: "7.1",
            form: 7,
            item: 1,
            sub: None,
            text: "按照《安全生产事故报告和调查处理条例》(国务院令 493号)规定,在规定时间内报告事故情况,依法开展事故调查处理。",
            binds: ALL_KINDS,
            binding_reason: "No subject named; \"在规定时间内报告事故情况\" under 国务院令 493号 binds everyone in the reporting chain: the enterprise reports its accident, departments, townships and governments report on up and take part in \"事故调查处理\".",
        }],
    },
    // 五、(八); table 8 (printed without a series line).
    FormDef {
        number: 8,
        title: "“三项岗位人员”持证上岗不落实零申报表",
        series_heading: None,
        rows: &[FormRow {
            id: "8.1",
            form: 8,
            item: 1,
            sub: None,
            text: "生产经营单位主要负责人、安全管理人员和特种作业人员安全教育培训、持证率 100%。",
            binds: &[K::Enterprise],
            binding_reason: "Names \"生产经营单位主要负责人、安全管理人员和特种作业人员\": certificates held in enterprises.",
        }],
    },
    // 五、(九); table 9 (printed without a series line). The table numbers 1–4 what the prose
    // groups as 1.(1)(2) 应急预案 and 2.(1)(2) 救援队伍建设.
    FormDef {
        number: 9,
        title: "应急预案和救援队伍建设不落实零申报表",
        series_heading: None,
        rows: &[
            FormRow {
                id: "9.1",
                form: 9,
                item: 1,
                sub: None,
                text: "建立健全市、县（市）区、乡镇（街道）、企业四级应急预案管理体系。各级政府应分门别类建立综合及专项安全生产应急预案；政府相关部门应牵头建立本部门的专项安全生产应急预案；各生产经营单位修订建立健全覆盖综合预案、专项预案、现场处置方案在内的应急预案体系，并与政府及有关部门的应急预案相衔接。",
                binds: ALL_KINDS,
                binding_reason: "Names \"市、县（市）区、乡镇（街道）、企业四级\" plus \"各级政府\", \"政府相关部门\" and \"各生产经营单位\": all four kinds.",
            },
            FormRow {
                id: "9.2",
                form: 9,
                item: 2,
                sub: None,
                text: "各级政府和政府相关部门每年至少组织1次综合性的预案演练；生产经营单位每年至少组织2次应急预案演练。",
                binds: &[K::Government, K::Department, K::Enterprise],
                binding_reason: "Names \"各级政府和政府相关部门\" (1次) and \"生产经营单位\" (2次); townships are not named.",
            },
            FormRow {
                id: "9.3",
                form: 9,
                item: 3,
                sub: None,
                text: "按照《国务院办公厅关于加强基层应急队伍建设的意见》（国办发〔2009〕59号）规定，建立健全辖区安全生产应急救援队伍。",
                binds: &[K::Government, K::Township],
                binding_reason: "No subject named; \"建立健全辖区……应急救援队伍\" under 国办发〔2009〕59号 (基层应急队伍) binds the units that have a 辖区 (territory): county-level governments and townships / sub-districts.",
            },
            FormRow {
                id: "9.4",
                form: 9,
                item: 4,
                sub: None,
                text: "根据事故、灾害类型和救援队伍的实际情况开展培训演练，开展企业负责人、应急管理人员及岗位操作人员应急培训。",
                binds: ALL_KINDS,
                binding_reason: "No subject named; \"开展培训演练\" of the rescue teams of row 3 (governments, townships) and \"企业负责人、应急管理人员及岗位操作人员应急培训\", which enterprises hold for their own staff and departments organise in their industry: all four kinds.",
            },
        ],
    },
];

/// Number of answerable rows over the nine forms.
pub const ROW_COUNT: usize = 31;

/// The form numbered `number` (1–9).
pub fn form(number: u8) -> Option<&'static FormDef> {
    FORMS.iter().find(|f| f.number == number)
}

/// Every row of the nine forms, in printed order.
pub fn all_rows() -> impl Iterator<Item = &'static FormRow> {
    FORMS.iter().flat_map(|f| f.rows.iter())
}

/// The row with id `id` (e.g. `"3.1.2"`).
pub fn row(id: &str) -> Option<&'static FormRow> {
    all_rows().find(|r| r.id == id)
}

/// The rows a unit of `kind` must answer, in printed order.
pub fn binding_rows(kind: BindingKind) -> impl Iterator<Item = &'static FormRow> {
    all_rows().filter(move |r| r.is_binding_for(kind))
}

// ---------------------------------------------------------------------------------------------
// The filing logic.
// ---------------------------------------------------------------------------------------------

/// A unit's answers: row id → answer. Ids not among the binding rows of the unit's kind are
/// ignored by every function below.
pub type Answers = BTreeMap<String, Answer>;

/// How many rows a unit of `kind` must answer.
pub fn binding_count(kind: BindingKind) -> usize {
    binding_rows(kind).count()
}

/// How many of the rows binding `kind` are answered.
pub fn answered_count(kind: BindingKind, answers: &Answers) -> usize {
    binding_rows(kind)
        .filter(|r| answers.contains_key(r.id))
        .count()
}

/// The rows binding `kind` that are not answered yet, in printed order.
pub fn missing_rows(kind: BindingKind, answers: &Answers) -> Vec<&'static FormRow> {
    binding_rows(kind)
        .filter(|r| !answers.contains_key(r.id))
        .collect()
}

/// Whether every row binding `kind` is answered.
pub fn is_complete(kind: BindingKind, answers: &Answers) -> bool {
    binding_rows(kind).all(|r| answers.contains_key(r.id))
}

/// The unmet items: rows binding `kind` answered 不落实, in printed order.
pub fn unmet_rows(kind: BindingKind, answers: &Answers) -> Vec<&'static FormRow> {
    binding_rows(kind)
        .filter(|r| answers.get(r.id) == Some(&Answer::NotDone))
        .collect()
}

/// Whether the filing is nil (零申报): complete, and no binding row answered 不落实.
pub fn is_nil(kind: BindingKind, answers: &Answers) -> bool {
    binding_rows(kind).all(|r| answers.get(r.id) == Some(&Answer::Done))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const SOURCE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/kunming-2010-zero-report.zh.md"
    ));

    /// The part of the source holding the nine tables: everything from 六、工作要求 on.
    fn tables() -> &'static str {
        let start = SOURCE
            .find("六、工作要求")
            .expect("the tables follow 六、工作要求");
        &SOURCE[start..]
    }

    fn answers(pairs: &[(&str, Answer)]) -> Answers {
        pairs.iter().map(|(id, a)| (id.to_string(), *a)).collect()
    }

    fn all_done(kind: BindingKind) -> Answers {
        binding_rows(kind)
            .map(|r| (r.id.to_string(), Answer::Done))
            .collect()
    }

    fn ids(rows: &[&FormRow]) -> Vec<&'static str> {
        rows.iter().map(|r| r.id).collect()
    }

    fn binds(id: &str) -> Vec<BindingKind> {
        row(id).expect("row exists").binds.to_vec()
    }

    #[test]
    fn there_are_nine_forms_with_thirty_one_rows_in_the_printed_counts() {
        assert_eq!(FORMS.len(), 9);
        let counts: Vec<usize> = FORMS.iter().map(|f| f.rows.len()).collect();
        assert_eq!(counts, vec![4, 3, 7, 4, 4, 3, 1, 1, 4]);
        assert_eq!(all_rows().count(), ROW_COUNT);
        assert_eq!(ROW_COUNT, 31);
    }

    #[test]
    fn forms_are_numbered_one_to_nine_in_order() {
        for (i, f) in FORMS.iter().enumerate() {
            assert_eq!(f.number as usize, i + 1);
            assert_eq!(form(f.number), Some(f));
            assert!(
                f.rows.iter().all(|r| r.form == f.number),
                "form {}",
                f.number
            );
        }
        assert_eq!(form(0), None);
        assert_eq!(form(10), None);
    }

    #[test]
    fn row_ids_are_unique_and_match_form_item_and_sub() {
        let mut seen = BTreeSet::new();
        for r in all_rows() {
            assert!(seen.insert(r.id), "duplicate id {}", r.id);
            let expected = match r.sub {
                None => format!("{}.{}", r.form, r.item),
                Some(s) => format!("{}.{}.{}", r.form, r.item, s),
            };
            assert_eq!(r.id, expected);
            assert_eq!(row(r.id), Some(r));
        }
        assert_eq!(row("3.1"), None);
        assert_eq!(row("10.1"), None);
    }

    #[test]
    fn items_are_numbered_from_one_without_gaps_and_sub_rows_from_one() {
        for f in &FORMS {
            let mut expected_item = 0u8;
            let mut expected_sub = 0u8;
            for r in f.rows {
                match r.sub {
                    None | Some(1) => {
                        expected_item += 1;
                        expected_sub = 1;
                    }
                    Some(_) => expected_sub += 1,
                }
                assert_eq!(r.item, expected_item, "row {}", r.id);
                if let Some(s) = r.sub {
                    assert_eq!(s, expected_sub, "row {}", r.id);
                }
            }
        }
        let form3: Vec<Option<u8>> = FORMS[2].rows.iter().map(|r| r.printed_item()).collect();
        assert_eq!(
            form3,
            vec![Some(1), None, None, None, Some(2), Some(3), None]
        );
    }

    #[test]
    fn every_row_text_is_verbatim_from_the_tables_in_printed_order() {
        let tables = tables();
        let mut from = 0;
        for r in all_rows() {
            assert!(SOURCE.contains(r.text), "row {} not in source", r.id);
            let at = tables[from..].find(r.text).unwrap_or_else(|| {
                panic!(
                    "row {} not found in the tables after the row before it",
                    r.id
                )
            });
            from += at + r.text.len();
        }
    }

    #[test]
    fn every_title_and_series_heading_is_verbatim_from_the_tables_in_order() {
        let tables = tables();
        let numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九"];
        let mut from = 0;
        for f in &FORMS {
            assert!(SOURCE.contains(f.title), "title of form {}", f.number);
            if let Some(h) = f.series_heading {
                assert!(h.starts_with("安全生产监管“市域全覆盖”零申报表"), "{h}");
                assert!(h.ends_with(numerals[f.number as usize - 1]), "{h}");
                let at = tables[from..].find(h).expect("series heading in order");
                from += at + h.len();
                // The title follows its series heading directly.
                assert!(tables[from..].trim_start().starts_with(f.title), "{h}");
            }
            let at = tables[from..]
                .find(f.title)
                .unwrap_or_else(|| panic!("title of form {} not in order", f.number));
            from += at + f.title.len();
            // The title's frame follows before the first row.
            let first = tables[from..]
                .find(f.rows[0].text)
                .expect("first row follows");
            assert!(tables[from..from + first].contains("申报单位"));
        }
        assert_eq!(FORMS[0].title, "安全生产“一岗双责”不落实零申报表");
        assert_eq!(FORMS[7].title, "“三项岗位人员”持证上岗不落实零申报表");
    }

    #[test]
    fn tables_without_a_series_heading_print_none() {
        let with: Vec<u8> = FORMS
            .iter()
            .filter(|f| f.series_heading.is_some())
            .map(|f| f.number)
            .collect();
        assert_eq!(with, vec![2, 3, 4, 6]);
    }

    #[test]
    fn table_seven_keeps_its_half_width_punctuation() {
        assert_eq!(
            row("7.1").unwrap().text,
            "按照《安全生产事故报告和调查处理条例》(国务院令 493号)规定,在规定时间内报告事故情况,依法开展事故调查处理。"
        );
    }

    #[test]
    fn the_table_wording_wins_over_the_prose() {
        // 五、(五)2 reads "整改方案并实施整改"; table 5 omits the 并.
        assert!(row("5.2").unwrap().text.ends_with("整改方案实施整改。"));
        // 五、(九)2.(2) reads "应急管理人員"; table 9 has 人员.
        assert!(row("9.4").unwrap().text.contains("应急管理人员"));
        // 五、(四)2 reads "制订本行业实施方案"; table 4 names the 《安全监管全覆盖方案》.
        assert!(row("4.2").unwrap().text.contains("《安全监管全覆盖方案》"));
    }

    #[test]
    fn the_frame_labels_are_printed_on_the_tables() {
        let squeezed: String = tables().chars().filter(|c| !c.is_whitespace()).collect();
        for label in FRAME_LABELS {
            assert!(squeezed.contains(label), "{label}");
        }
        assert_eq!(Answer::Done.label_zh(), "落实");
        assert_eq!(Answer::NotDone.label_zh(), "不落实");
    }

    #[test]
    fn every_row_binds_some_kind_and_gives_a_reason() {
        for r in all_rows() {
            assert!(!r.binds.is_empty(), "row {}", r.id);
            assert!(!r.binding_reason.trim().is_empty(), "row {}", r.id);
            let distinct: BTreeSet<_> = r.binds.iter().collect();
            assert_eq!(distinct.len(), r.binds.len(), "row {} repeats a kind", r.id);
        }
        for f in &FORMS {
            assert!(
                BindingKind::ALL.iter().any(|k| f.binds(*k)),
                "form {}",
                f.number
            );
        }
    }

    #[test]
    fn each_kind_has_binding_rows_as_documented() {
        let counts: Vec<(BindingKind, usize)> = BindingKind::ALL
            .iter()
            .map(|k| (*k, binding_count(*k)))
            .collect();
        assert_eq!(
            counts,
            vec![
                (BindingKind::Government, 16),
                (BindingKind::Department, 13),
                (BindingKind::Township, 11),
                (BindingKind::Enterprise, 15),
            ]
        );
        let forms_of = |k: BindingKind| -> Vec<u8> {
            FORMS
                .iter()
                .filter(|f| f.binds(k))
                .map(|f| f.number)
                .collect()
        };
        assert_eq!(
            forms_of(BindingKind::Government),
            vec![1, 2, 3, 4, 5, 6, 7, 9]
        );
        assert_eq!(
            forms_of(BindingKind::Department),
            vec![1, 2, 3, 4, 5, 6, 7, 9]
        );
        assert_eq!(forms_of(BindingKind::Township), vec![2, 3, 4, 7, 9]);
        assert_eq!(
            forms_of(BindingKind::Enterprise),
            (1..=9).collect::<Vec<u8>>()
        );
        for k in BindingKind::ALL {
            assert!(forms_of(k).len() > 9 / 2, "{k:?} is bound in most forms");
        }
    }

    #[test]
    fn rows_naming_a_subject_bind_that_kind() {
        use BindingKind::*;
        assert_eq!(binds("1.1"), vec![Government]);
        assert_eq!(binds("1.2"), vec![Department]);
        assert_eq!(binds("1.3"), vec![Enterprise]);
        assert_eq!(binds("3.1.1"), vec![Government]);
        assert_eq!(binds("3.1.2"), vec![Department]);
        assert_eq!(binds("3.1.3"), vec![Township]);
        assert_eq!(binds("3.1.4"), vec![Enterprise]);
        assert_eq!(binds("3.2"), vec![Government, Township, Enterprise]);
        assert_eq!(binds("3.3.2"), vec![Township]);
        assert_eq!(binds("4.3"), vec![Township]);
        assert_eq!(binds("5.1"), vec![Government, Department]);
        assert_eq!(binds("5.4"), vec![Enterprise]);
        assert_eq!(binds("8.1"), vec![Enterprise]);
        assert_eq!(binds("9.2"), vec![Government, Department, Enterprise]);
    }

    #[test]
    fn rows_for_every_level_bind_all_four_kinds() {
        for id in ["2.1", "2.2", "2.3", "7.1", "9.1", "9.4"] {
            assert_eq!(binds(id), BindingKind::ALL.to_vec(), "row {id}");
        }
    }

    #[test]
    fn form_eight_binds_enterprises_only() {
        let f = form(8).unwrap();
        assert!(f.binds(BindingKind::Enterprise));
        for k in [
            BindingKind::Government,
            BindingKind::Department,
            BindingKind::Township,
        ] {
            assert!(!f.binds(k), "{k:?}");
            assert_eq!(f.binding_rows(k).count(), 0);
        }
    }

    #[test]
    fn binding_rows_of_a_form_are_those_of_the_kind_in_that_form() {
        for k in BindingKind::ALL {
            let per_form: usize = FORMS.iter().map(|f| f.binding_rows(k).count()).sum();
            assert_eq!(per_form, binding_count(k));
        }
        let township_in_3: Vec<&str> = form(3)
            .unwrap()
            .binding_rows(BindingKind::Township)
            .map(|r| r.id)
            .collect();
        assert_eq!(township_in_3, vec!["3.1.3", "3.2", "3.3.2"]);
    }

    #[test]
    fn all_binding_rows_done_is_complete_and_nil() {
        for k in BindingKind::ALL {
            let a = all_done(k);
            assert_eq!(answered_count(k, &a), binding_count(k));
            assert!(is_complete(k, &a), "{k:?}");
            assert!(is_nil(k, &a), "{k:?}");
            assert!(unmet_rows(k, &a).is_empty());
            assert!(missing_rows(k, &a).is_empty());
        }
    }

    #[test]
    fn one_not_done_is_complete_but_not_nil_and_is_listed_unmet() {
        let k = BindingKind::Enterprise;
        let mut a = all_done(k);
        a.insert("5.4".to_string(), Answer::NotDone);
        assert!(is_complete(k, &a));
        assert!(!is_nil(k, &a));
        assert_eq!(ids(&unmet_rows(k, &a)), vec!["5.4"]);
        a.insert("1.3".to_string(), Answer::NotDone);
        assert_eq!(ids(&unmet_rows(k, &a)), vec!["1.3", "5.4"]);
    }

    #[test]
    fn a_missing_binding_answer_is_incomplete_and_not_nil() {
        let k = BindingKind::Township;
        let mut a = all_done(k);
        a.remove("3.3.2");
        assert!(!is_complete(k, &a));
        assert!(!is_nil(k, &a));
        assert_eq!(answered_count(k, &a), binding_count(k) - 1);
        assert_eq!(ids(&missing_rows(k, &a)), vec!["3.3.2"]);
        assert!(unmet_rows(k, &a).is_empty());
        assert!(!is_complete(k, &Answers::new()));
        assert_eq!(answered_count(k, &Answers::new()), 0);
    }

    #[test]
    fn an_answer_to_a_non_binding_row_is_ignored() {
        let k = BindingKind::Department;
        let mut a = all_done(k);
        // 8.1 binds enterprises only, 3.1.3 townships only; and an unknown id.
        a.insert("8.1".to_string(), Answer::NotDone);
        a.insert("3.1.3".to_string(), Answer::NotDone);
        a.insert("99.9".to_string(), Answer::NotDone);
        assert_eq!(answered_count(k, &a), binding_count(k));
        assert!(is_complete(k, &a));
        assert!(is_nil(k, &a));
        assert!(unmet_rows(k, &a).is_empty());
        // Answering only non-binding rows does not make a filing complete.
        let only_others = answers(&[("8.1", Answer::Done), ("1.3", Answer::Done)]);
        assert_eq!(answered_count(k, &only_others), 0);
        assert!(!is_complete(k, &only_others));
    }

    #[test]
    fn kinds_and_answers_round_trip_their_codes_and_serde() {
        for k in BindingKind::ALL {
            assert_eq!(BindingKind::parse(k.code()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(serde_json::from_str::<BindingKind>(&json).unwrap(), k);
        }
        for a in Answer::ALL {
            assert_eq!(Answer::parse(a.code()), Some(a));
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(serde_json::from_str::<Answer>(&json).unwrap(), a);
        }
        assert_eq!(BindingKind::parse("city"), None);
        assert_eq!(Answer::parse("maybe"), None);
    }
}
