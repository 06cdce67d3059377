//! A filing: one unit's nine forms for one period, and what it takes to submit it.
//!
//! 107号 四、(一) and the tables' frame: a filing names its principal (主要负责人), leader in
//! charge (分管领导), who filled it in (填表人), who reviewed it (审核人) and a contact phone
//! (联系电话); its date (申报时间) is the day it is submitted, in Kunming, or for a filing
//! entered on the unit's behalf from its sealed paper form (代填) the date on the paper
//! ([`PaperDate`]). Every row that binds
//! the unit is answered; every 不落实 is explained (what is missing, and the plan to rectify it).

use super::forms::{self, Answer, BindingKind};
use super::limits::Text;
use super::unit::UnitKind;
use super::validation::FieldErrors;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The least an explanation of an unmet item must say, in characters (a Chinese sentence
/// naming what is missing and how it will be put right is longer than this).
pub const MIN_EXPLANATION_CHARS: usize = 15;

/// The kind of filing a unit makes: the rows that bind it (107号 五; see [`forms`]).
/// A safety committee office works for its government, so it files the government's forms.
pub fn binding_kind(kind: UnitKind) -> BindingKind {
    match kind {
        UnitKind::CityGovernment
        | UnitKind::CountyGovernment
        | UnitKind::ManagementCommittee
        | UnitKind::SafetyOffice => BindingKind::Government,
        UnitKind::Department => BindingKind::Department,
        UnitKind::Township => BindingKind::Township,
        UnitKind::Enterprise => BindingKind::Enterprise,
    }
}

/// Whether row `row_id` binds a unit of `kind` (107号 五); an unknown row binds nobody. Unmet
/// answers of rows that do not bind the unit are not counted as its unmet items.
pub fn binds(kind: UnitKind, row_id: &str) -> bool {
    forms::row(row_id).is_some_and(|r| r.is_binding_for(binding_kind(kind)))
}

/// Where a filing stands. A submitted filing is never changed; a change is a new version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FilingStatus {
    Draft,
    Submitted,
    Returned,
    Accepted,
}

impl FilingStatus {
    pub fn code(&self) -> &'static str {
        match self {
            FilingStatus::Draft => "draft",
            FilingStatus::Submitted => "submitted",
            FilingStatus::Returned => "returned",
            FilingStatus::Accepted => "accepted",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            FilingStatus::Draft,
            FilingStatus::Submitted,
            FilingStatus::Returned,
            FilingStatus::Accepted,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    pub fn is_editable(&self) -> bool {
        *self == FilingStatus::Draft
    }
}

/// A stored status code, read back (so a row with a status we do not know fails to decode).
impl TryFrom<String> for FilingStatus {
    type Error = String;

    fn try_from(code: String) -> Result<Self, String> {
        FilingStatus::parse(&code).ok_or_else(|| format!("unknown filing status {code}"))
    }
}

/// The frame of the nine tables, shared by all nine forms of a filing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// 申报单位主要负责人.
    pub principal: String,
    /// 申报单位分管领导.
    pub leader_in_charge: String,
    /// 填表人.
    pub filled_by: String,
    /// 审核人.
    pub reviewed_by: String,
    /// 联系电话.
    pub phone: String,
}

impl Frame {
    /// The four names of the frame with their fields, in the order printed.
    pub fn names(&self) -> [(FrameField, &String); 4] {
        [
            (FrameField::Principal, &self.principal),
            (FrameField::LeaderInCharge, &self.leader_in_charge),
            (FrameField::FilledBy, &self.filled_by),
            (FrameField::ReviewedBy, &self.reviewed_by),
        ]
    }

    /// The value of a field.
    pub fn get(&self, field: FrameField) -> &String {
        match field {
            FrameField::Principal => &self.principal,
            FrameField::LeaderInCharge => &self.leader_in_charge,
            FrameField::FilledBy => &self.filled_by,
            FrameField::ReviewedBy => &self.reviewed_by,
            FrameField::Phone => &self.phone,
        }
    }

    /// The value of a field, to change it.
    pub fn get_mut(&mut self, field: FrameField) -> &mut String {
        match field {
            FrameField::Principal => &mut self.principal,
            FrameField::LeaderInCharge => &mut self.leader_in_charge,
            FrameField::FilledBy => &mut self.filled_by,
            FrameField::ReviewedBy => &mut self.reviewed_by,
            FrameField::Phone => &mut self.phone,
        }
    }
}

/// What a filing says: the frame, an answer per row, an explanation per unmet row, and a
/// free note (申报说明) per form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingContent {
    pub frame: Frame,
    /// Row id (`3.1.2`) → answer.
    pub answers: BTreeMap<String, Answer>,
    /// Row id → explanation of the unmet item (不落实 的说明: what is missing, rectification plan).
    pub explanations: BTreeMap<String, String>,
    /// Form number → 申报说明 text beyond the row explanations.
    pub notes: BTreeMap<u8, String>,
}

/// A row of the nine forms, by its id (`3.1.2`): only the id of a row that exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowId(&'static str);

impl RowId {
    /// The row with id `id` (`3.1.2`), if the nine forms have one.
    pub fn parse(id: &str) -> Option<Self> {
        forms::row(id).map(Self::of)
    }

    /// The id of a row of the nine forms.
    pub fn of(row: &'static forms::FormRow) -> Self {
        RowId(row.id)
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }

    pub fn row(&self) -> &'static forms::FormRow {
        forms::row(self.0).expect("a RowId names a row")
    }

    /// `3.1.2` → `3_1_2`, as the field names spell it.
    fn slug(&self) -> String {
        self.0.replace('.', "_")
    }

    fn from_slug(slug: &str) -> Option<Self> {
        Self::parse(&slug.replace('_', "."))
    }
}

impl std::fmt::Display for RowId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// A field of the frame of the tables (107号, the tables' frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameField {
    Principal,
    LeaderInCharge,
    FilledBy,
    ReviewedBy,
    Phone,
}

impl FrameField {
    /// In the order printed.
    pub const ALL: [FrameField; 5] = [
        FrameField::Principal,
        FrameField::LeaderInCharge,
        FrameField::FilledBy,
        FrameField::ReviewedBy,
        FrameField::Phone,
    ];

    /// The field's name (and id) in the form.
    pub fn name(&self) -> &'static str {
        match self {
            FrameField::Principal => "principal",
            FrameField::LeaderInCharge => "leader_in_charge",
            FrameField::FilledBy => "filled_by",
            FrameField::ReviewedBy => "reviewed_by",
            FrameField::Phone => "phone",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// A field of the filing form. The one place that spells the form's field names:
///
/// | field | posted name ([`Display`](std::fmt::Display), [`FieldName::parse`]) | id and error key ([`FieldName::id`]) |
/// |---|---|---|
/// | the frame | `principal` … `phone` | the same |
/// | a row's answer | `answers[r3_1_2]` | `r3_1_2` |
/// | a row's explanation | `explanations[x3_1_2]` | `x3_1_2` |
/// | a form's note (申报说明) | `notes[f3]` | `note3` |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldName {
    Frame(FrameField),
    Answer(RowId),
    Explanation(RowId),
    /// A form's number, 1–9.
    Note(u8),
}

const ANSWERS: &str = "answers";
const EXPLANATIONS: &str = "explanations";
const NOTES: &str = "notes";

impl FieldName {
    /// The field posted as `name` (`answers[r3_1_2]`), if the form has it.
    pub fn parse(name: &str) -> Option<Self> {
        match name.split_once('[') {
            Some((group, rest)) => Self::nested(group, rest.strip_suffix(']')?),
            None => FrameField::parse(name).map(FieldName::Frame),
        }
    }

    /// The field posted as `group[key]` (`answers`, `r3_1_2`).
    pub fn nested(group: &str, key: &str) -> Option<Self> {
        match group {
            ANSWERS => RowId::from_slug(key.strip_prefix('r')?).map(FieldName::Answer),
            EXPLANATIONS => RowId::from_slug(key.strip_prefix('x')?).map(FieldName::Explanation),
            NOTES => {
                let n: u8 = key.strip_prefix('f')?.parse().ok()?;
                forms::form(n).map(|f| FieldName::Note(f.number))
            }
            _ => None,
        }
    }

    /// The note field of form `number`, if there is such a form.
    pub fn note(number: u8) -> Option<Self> {
        forms::form(number).map(|f| FieldName::Note(f.number))
    }

    /// The field's id in the page, which is also the key of its error (so an error is shown
    /// next to its field): `principal`, `r3_1_2`, `x3_1_2`, `note3`.
    pub fn id(&self) -> String {
        match self {
            FieldName::Frame(f) => f.name().to_string(),
            FieldName::Answer(row) => format!("r{}", row.slug()),
            FieldName::Explanation(row) => format!("x{}", row.slug()),
            FieldName::Note(n) => format!("note{n}"),
        }
    }
}

impl std::fmt::Display for FieldName {
    /// The name the field is posted under (the `name=` attribute).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldName::Frame(field) => f.write_str(field.name()),
            FieldName::Answer(_) => write!(f, "{ANSWERS}[{}]", self.id()),
            FieldName::Explanation(_) => write!(f, "{EXPLANATIONS}[{}]", self.id()),
            FieldName::Note(n) => write!(f, "{NOTES}[f{n}]"),
        }
    }
}

/// Adds an error to `field`, under the field's id.
pub fn field_error(errors: &mut FieldErrors, field: FieldName, message_key: &str) {
    errors.add(&field.id(), message_key);
}

/// The error key of a row's answer field: `3.1.2` → `r3_1_2` (see [`FieldName`]).
pub fn row_field(row_id: &str) -> String {
    RowId::parse(row_id)
        .map(|r| FieldName::Answer(r).id())
        .unwrap_or_default()
}

/// The error key of a row's explanation field: `3.1.2` → `x3_1_2` (see [`FieldName`]).
pub fn explanation_field(row_id: &str) -> String {
    RowId::parse(row_id)
        .map(|r| FieldName::Explanation(r).id())
        .unwrap_or_default()
}

/// Whether a phone number is a Chinese mobile (11 digits, 1[3-9]…) or a landline with its
/// area code (0871-1234567, 010-12345678, optionally -extension). Spaces are ignored.
pub fn is_valid_phone(phone: &str) -> bool {
    let p: String = phone.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if p.len() == 11 && digits(&p) && p.starts_with('1') && matches!(p.as_bytes()[1], b'3'..=b'9') {
        return true;
    }
    let parts: Vec<&str> = p.split('-').collect();
    let landline = |area: &str, number: &str| {
        digits(area)
            && area.starts_with('0')
            && (3..=4).contains(&area.len())
            && digits(number)
            && (7..=8).contains(&number.len())
    };
    match parts.as_slice() {
        [area, number] => landline(area, number),
        [area, number, ext] => landline(area, number) && digits(ext) && ext.len() <= 6,
        _ => false,
    }
}

fn check_name(errors: &mut FieldErrors, field: FrameField, value: &str) {
    if !Text::PersonName.fits(value.trim()) {
        field_error(errors, FieldName::Frame(field), "err.too_long");
    }
}

const PHONE: FieldName = FieldName::Frame(FrameField::Phone);

/// Checks what may be saved as a draft: nothing is required yet, but nothing may be
/// malformed or too long.
pub fn check_draft(content: &FilingContent) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let f = &content.frame;
    for (field, value) in f.names() {
        check_name(&mut errors, field, value);
    }
    if !Text::Phone.fits(&f.phone) {
        field_error(&mut errors, PHONE, "err.too_long");
    } else if !f.phone.trim().is_empty() && !is_valid_phone(&f.phone) {
        field_error(&mut errors, PHONE, "err.phone");
    }
    for (row, text) in &content.explanations {
        if !Text::Explanation.fits(text) {
            if let Some(row) = RowId::parse(row) {
                field_error(&mut errors, FieldName::Explanation(row), "err.too_long");
            }
        }
    }
    for (form, text) in &content.notes {
        if !Text::Note.fits(text) {
            if let Some(note) = FieldName::note(*form) {
                field_error(&mut errors, note, "err.too_long");
            }
        }
    }
    errors
}

/// Checks that every row answered or explained binds a unit of `kind` (107号 五: each kind
/// of unit answers its own rows); another kind's row is refused, not stored.
pub fn check_binding(kind: BindingKind, content: &FilingContent) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let rows = content.answers.keys().map(|id| (id, true));
    let explained = content.explanations.keys().map(|id| (id, false));
    for (id, answer) in rows.chain(explained) {
        let Some(row) = RowId::parse(id) else {
            errors.add("form", "err.unknown_field");
            continue;
        };
        if !row.row().is_binding_for(kind) {
            let field = if answer {
                FieldName::Answer(row)
            } else {
                FieldName::Explanation(row)
            };
            field_error(&mut errors, field, "err.row_not_binding");
        }
    }
    errors
}

/// Checks what a submission needs, for a unit of `kind`: the whole frame, an answer to every
/// binding row, and an explanation of real length for every unmet row.
pub fn check_submit(kind: BindingKind, content: &FilingContent) -> FieldErrors {
    let mut errors = check_draft(content);
    let f = &content.frame;
    for (field, value) in f.names() {
        if value.trim().is_empty() {
            field_error(&mut errors, FieldName::Frame(field), "err.required");
        }
    }
    if f.phone.trim().is_empty() {
        field_error(&mut errors, PHONE, "err.required");
    }
    let answers = answers_map(content);
    for row in forms::missing_rows(kind, &answers) {
        field_error(
            &mut errors,
            FieldName::Answer(RowId::of(row)),
            "err.row_unanswered",
        );
    }
    for row in forms::unmet_rows(kind, &answers) {
        let text = content
            .explanations
            .get(row.id)
            .map(|t| t.trim())
            .unwrap_or_default();
        if text.chars().count() < MIN_EXPLANATION_CHARS {
            field_error(
                &mut errors,
                FieldName::Explanation(RowId::of(row)),
                "err.explanation_short",
            );
        }
    }
    errors
}

fn answers_map(content: &FilingContent) -> forms::Answers {
    content
        .answers
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

/// Progress of a filing for a unit of `kind`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub answered: usize,
    pub binding: usize,
    /// Unmet binding rows (不落实), by id.
    pub unmet: Vec<String>,
    /// Complete and nothing unmet: a nil filing (零申报).
    pub nil: bool,
    /// Per form: (number, answered, binding, unmet).
    pub per_form: Vec<(u8, usize, usize, usize)>,
}

/// Whether a filing is nil (零申报, 107号 五): every row binding a unit of `kind` answered
/// 落实 (so complete, and nothing 不落实).
///
/// The one definition: the submission computes it with this function and stores it in
/// `filing.nil`, which everything after reads ([`crate::model::filing::FilingRecord::nil`]);
/// before submission the page shows it through [`progress`] as a preview.
pub fn is_nil(kind: BindingKind, answers: &BTreeMap<String, Answer>) -> bool {
    forms::is_nil(kind, answers)
}

pub fn progress(kind: BindingKind, answers: &BTreeMap<String, Answer>) -> Progress {
    let map: forms::Answers = answers.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let per_form = forms::FORMS
        .iter()
        .map(|form| {
            let rows: Vec<_> = form.binding_rows(kind).collect();
            let answered = rows.iter().filter(|r| answers.contains_key(r.id)).count();
            let unmet = rows
                .iter()
                .filter(|r| answers.get(r.id) == Some(&Answer::NotDone))
                .count();
            (form.number, answered, rows.len(), unmet)
        })
        .collect();
    Progress {
        answered: forms::answered_count(kind, &map),
        binding: forms::binding_count(kind),
        unmet: forms::unmet_rows(kind, &map)
            .into_iter()
            .map(|r| r.id.to_string())
            .collect(),
        nil: is_nil(kind, answers),
        per_form,
    }
}

/// An unmet item (107号 五): one binding row answered 不落实, with the unit's explanation
/// from the form's 申报说明. The one shape of it from storage to the roll-ups, the ladder's
/// evidence and the pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmetItem {
    /// Row id, `5.3`.
    pub row_id: String,
    pub explanation: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(kind: BindingKind) -> FilingContent {
        let mut c = FilingContent {
            frame: Frame {
                principal: "赵建国".into(),
                leader_in_charge: "钱明".into(),
                filled_by: "孙丽华".into(),
                reviewed_by: "李志强".into(),
                phone: "0871-63123456".into(),
            },
            ..Default::default()
        };
        for row in forms::binding_rows(kind) {
            c.answers.insert(row.id.to_string(), Answer::Done);
        }
        c
    }

    #[test]
    fn mobile_and_landline_numbers_with_area_code_are_accepted() {
        for ok in [
            "13812345678",
            "138 1234 5678",
            "0871-63123456",
            "010-12345678",
            "0871-6312345",
            "0871-63123456-801",
        ] {
            assert!(is_valid_phone(ok), "{ok} is a valid phone");
        }
        for bad in [
            "",
            "12812345678",
            "1381234567",
            "63123456",
            "871-63123456",
            "0871-123",
            "0871-63123456-1234567",
            "phone",
        ] {
            assert!(!is_valid_phone(bad), "{bad} is not a valid phone");
        }
    }

    #[test]
    fn a_complete_all_done_filing_can_be_submitted_and_is_nil() {
        let c = complete(BindingKind::Enterprise);
        assert!(check_submit(BindingKind::Enterprise, &c).is_empty());
        let p = progress(BindingKind::Enterprise, &c.answers);
        assert!(p.nil);
        assert_eq!(p.answered, p.binding);
    }

    #[test]
    fn an_unanswered_binding_row_blocks_submission_and_names_the_row() {
        let mut c = complete(BindingKind::Enterprise);
        c.answers.remove("8.1");
        let errors = check_submit(BindingKind::Enterprise, &c);
        assert_eq!(errors.get("r8_1"), Some("err.row_unanswered"));
        assert!(!progress(BindingKind::Enterprise, &c.answers).nil);
    }

    #[test]
    fn an_unmet_row_needs_an_explanation_of_real_length() {
        let mut c = complete(BindingKind::Enterprise);
        c.answers.insert("5.3".into(), Answer::NotDone);
        assert_eq!(
            check_submit(BindingKind::Enterprise, &c).get("x5_3"),
            Some("err.explanation_short")
        );
        c.explanations.insert("5.3".into(), "无".into());
        assert_eq!(
            check_submit(BindingKind::Enterprise, &c).get("x5_3"),
            Some("err.explanation_short")
        );
        c.explanations.insert(
            "5.3".into(),
            "隐患排查制度尚未建立，计划于三月底前制定并组织全员培训。".into(),
        );
        assert!(check_submit(BindingKind::Enterprise, &c).is_empty());
        let p = progress(BindingKind::Enterprise, &c.answers);
        assert!(!p.nil, "an unmet item makes the filing not nil");
        assert_eq!(p.unmet, vec!["5.3".to_string()]);
    }

    #[test]
    fn a_draft_may_be_incomplete_but_not_malformed() {
        let mut c = FilingContent::default();
        assert!(check_draft(&c).is_empty(), "an empty draft can be saved");
        c.frame.phone = "12345".into();
        assert_eq!(check_draft(&c).get("phone"), Some("err.phone"));
        let errors = check_submit(BindingKind::Department, &FilingContent::default());
        for field in [
            "principal",
            "leader_in_charge",
            "filled_by",
            "reviewed_by",
            "phone",
        ] {
            assert_eq!(errors.get(field), Some("err.required"), "{field}");
        }
    }

    #[test]
    fn answers_to_rows_that_do_not_bind_the_unit_are_ignored() {
        let mut c = complete(BindingKind::Enterprise);
        // 1.1 binds governments only.
        c.answers.insert("1.1".into(), Answer::NotDone);
        assert!(check_submit(BindingKind::Enterprise, &c).is_empty());
        assert!(progress(BindingKind::Enterprise, &c.answers).nil);
    }

    #[test]
    fn offices_file_their_governments_forms() {
        assert_eq!(
            binding_kind(UnitKind::SafetyOffice),
            BindingKind::Government
        );
        assert_eq!(
            binding_kind(UnitKind::ManagementCommittee),
            BindingKind::Government
        );
        assert_eq!(binding_kind(UnitKind::Enterprise), BindingKind::Enterprise);
    }

    #[test]
    fn row_fields_round_trip() {
        assert_eq!(row_field("3.1.2"), "r3_1_2");
        assert_eq!(explanation_field("5.3"), "x5_3");
        let row = RowId::parse("3.1.2").unwrap();
        assert_eq!(row.to_string(), "3.1.2");
        assert_eq!(RowId::parse("9.9"), None);
    }

    #[test]
    fn field_names_round_trip_through_their_posted_names() {
        let row = RowId::parse("3.1.2").unwrap();
        for (field, name, id) in [
            (FieldName::Answer(row), "answers[r3_1_2]", "r3_1_2"),
            (
                FieldName::Explanation(row),
                "explanations[x3_1_2]",
                "x3_1_2",
            ),
            (FieldName::Note(3), "notes[f3]", "note3"),
            (
                FieldName::Frame(FrameField::Principal),
                "principal",
                "principal",
            ),
            (FieldName::Frame(FrameField::Phone), "phone", "phone"),
        ] {
            assert_eq!(field.to_string(), name);
            assert_eq!(field.id(), id);
            assert_eq!(FieldName::parse(name), Some(field), "{name}");
        }
        for row in forms::all_rows() {
            for field in [
                FieldName::Answer(RowId::of(row)),
                FieldName::Explanation(RowId::of(row)),
            ] {
                assert_eq!(FieldName::parse(&field.to_string()), Some(field));
            }
        }
        for form in forms::FORMS.iter() {
            let note = FieldName::note(form.number).unwrap();
            assert_eq!(FieldName::parse(&note.to_string()), Some(note));
        }
    }

    #[test]
    fn names_the_form_has_not_are_not_fields() {
        for name in [
            "answers[r9_9]",
            "answers[x3_1_2]",
            "answers[r3_1_2",
            "explanations[r3_1_2]",
            "notes[f10]",
            "notes[3]",
            "notes[fx]",
            "period",
            "intent",
            "Principal",
            "answers",
            "",
        ] {
            assert_eq!(FieldName::parse(name), None, "{name}");
        }
        assert_eq!(FieldName::note(0), None);
    }
}

/// Whether a unit may save and submit its filing for a period at an instant.
///
/// 107号 四、(一): inside the window (1–10 January / 1–10 July, Kunming time) a unit may save
/// as often as it likes and submit once. After the window a unit that has not filed may file
/// only under a late-filing exception (补报) granted by its supervisor, until the date the
/// exception names; such a filing is marked late (106号 第七条(五): 不及时).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FilingAccess {
    /// The window is open until `closes_at`.
    Open {
        closes_at: chrono::DateTime<chrono::Utc>,
    },
    /// The window has closed, but a late-filing exception allows filing until `until`.
    Late {
        until: chrono::DateTime<chrono::Utc>,
    },
    /// The window has not opened yet.
    NotYetOpen {
        opens_at: chrono::DateTime<chrono::Utc>,
    },
    /// The window has closed and no exception is in force.
    Closed,
    /// The unit was not open in the period (opened after its window closed, or closed before
    /// the period began: `lifecycle::Life::expects`), so it neither owes nor may make a filing
    /// for it, whatever the window.
    NotOpen,
    /// The receiving unit returned the filing: the filer amends and resubmits whatever the
    /// window, and the filing keeps the lateness of the version that was returned (a filing
    /// made on time does not become late by being returned).
    Amend { late: bool },
}

impl FilingAccess {
    pub fn at(
        period: super::period::Period,
        now: chrono::DateTime<chrono::Utc>,
        exception_until: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Self {
        let window = period.window();
        if window.contains(now) {
            FilingAccess::Open {
                closes_at: window.closes_at,
            }
        } else if now < window.opens_at {
            FilingAccess::NotYetOpen {
                opens_at: window.opens_at,
            }
        } else {
            match exception_until {
                Some(until) if now < until => FilingAccess::Late { until },
                _ => FilingAccess::Closed,
            }
        }
    }

    /// Access while amending a returned filing: see [`FilingAccess::Amend`].
    pub fn amending(returned_version_was_late: bool) -> Self {
        FilingAccess::Amend {
            late: returned_version_was_late,
        }
    }

    /// Whether drafts may be saved and the filing submitted.
    pub fn may_file(&self) -> bool {
        matches!(
            self,
            FilingAccess::Open { .. } | FilingAccess::Late { .. } | FilingAccess::Amend { .. }
        )
    }

    /// Whether a filing made now is late.
    pub fn is_late(&self) -> bool {
        matches!(
            self,
            FilingAccess::Late { .. } | FilingAccess::Amend { late: true }
        )
    }
}

/// The date written on a unit's sealed paper form (申报时间), when its filing is entered from
/// paper on its behalf (代填, issue 14). Built only by [`PaperDate::parse`]: a Kunming
/// calendar date, not after today (the clock's Kunming day), not before the period ends
/// (a form cannot report on a period before it is over: the earliest is the window's first
/// day, 107号 四、(一)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperDate(chrono::NaiveDate);

impl PaperDate {
    /// Reads `text` (`YYYY-MM-DD`) for `period` on the Kunming day `today`; the message key
    /// of what is wrong otherwise (`err.date`, `err.paper_date_future`,
    /// `err.paper_date_early`).
    pub fn parse(
        text: &str,
        period: super::period::Period,
        today: chrono::NaiveDate,
    ) -> Result<Self, &'static str> {
        let date =
            chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| "err.date")?;
        if date > today {
            Err("err.paper_date_future")
        } else if date < period.window_first_day() {
            Err("err.paper_date_early")
        } else {
            Ok(PaperDate(date))
        }
    }

    pub fn date(&self) -> chrono::NaiveDate {
        self.0
    }

    /// Whether a filing dated this day is late: it counts as made on the paper's date, so it
    /// is on time when that lies in the window (107号 四、(一)), late otherwise (entered
    /// under a late-filing exception, 106号 第七条(五)).
    pub fn is_late(&self, period: super::period::Period) -> bool {
        self.0 > period.window_last_day()
    }
}

#[cfg(test)]
mod paper_tests {
    use super::*;
    use crate::domain::period::Period;

    fn day(s: &str) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_paper_date_in_the_window_is_on_time_and_after_it_late() {
        let p = Period::annual(2026);
        let today = day("2027-01-15");
        let in_window = PaperDate::parse(" 2027-01-08 ", p, today).unwrap();
        assert_eq!(in_window.date(), day("2027-01-08"));
        assert!(!in_window.is_late(p), "dated in the window: on time");
        assert!(!PaperDate::parse("2027-01-10", p, today).unwrap().is_late(p));
        assert!(
            PaperDate::parse("2027-01-11", p, today).unwrap().is_late(p),
            "dated after the 10th: late"
        );
        assert!(!PaperDate::parse("2027-01-01", p, today).unwrap().is_late(p));
    }

    #[test]
    fn a_paper_date_is_a_real_day_between_the_periods_end_and_today() {
        let p = Period::half_year(2027);
        let today = day("2027-07-05");
        assert_eq!(
            PaperDate::parse("2027-07-06", p, today),
            Err("err.paper_date_future")
        );
        assert_eq!(
            PaperDate::parse("2027-06-30", p, today),
            Err("err.paper_date_early"),
            "the last day of the half-year is before it ends"
        );
        for bad in ["", "2027-02-30", "5 July", "2027/07/05", "20270705"] {
            assert_eq!(PaperDate::parse(bad, p, today), Err("err.date"), "{bad:?}");
        }
        assert!(
            PaperDate::parse("2027-07-05", p, today).is_ok(),
            "today is fine"
        );
    }
}

#[cfg(test)]
mod access_tests {
    use super::*;
    use crate::domain::period::Period;
    use crate::domain::time::parse_instant;

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        parse_instant(s).unwrap()
    }

    #[test]
    fn filing_is_open_exactly_during_the_window_in_kunming_time() {
        let p = Period::annual(2026);
        assert!(
            FilingAccess::at(p, at("2026-12-31T16:00:00Z"), None).may_file(),
            "1 January 00:00 Kunming"
        );
        assert!(FilingAccess::at(p, at("2027-01-10T23:59:59+08:00"), None).may_file());
        assert_eq!(
            FilingAccess::at(p, at("2027-01-11T00:00:00+08:00"), None),
            FilingAccess::Closed
        );
        assert!(matches!(
            FilingAccess::at(p, at("2026-12-31T15:59:59Z"), None),
            FilingAccess::NotYetOpen { .. }
        ));
    }

    #[test]
    fn after_the_window_only_an_exception_in_force_allows_a_late_filing() {
        let p = Period::half_year(2027);
        let now = at("2027-07-15T09:00:00+08:00");
        assert_eq!(FilingAccess::at(p, now, None), FilingAccess::Closed);
        let until = at("2027-07-20T00:00:00+08:00");
        let access = FilingAccess::at(p, now, Some(until));
        assert_eq!(access, FilingAccess::Late { until });
        assert!(access.may_file() && access.is_late());
        assert_eq!(
            FilingAccess::at(p, at("2027-07-20T00:00:00+08:00"), Some(until)),
            FilingAccess::Closed,
            "an expired exception allows nothing"
        );
        assert!(
            !FilingAccess::at(p, at("2027-07-05T09:00:00+08:00"), Some(until)).is_late(),
            "inside the window nothing is late"
        );
    }
}
