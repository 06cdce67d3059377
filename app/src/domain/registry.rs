//! The enterprise registry as a table (issue 14): the columns of the import template, the
//! unified social credit code (统一社会信用代码, GB 32100—2015) with its check digit, and a
//! file's rows read into enterprises to register, or the reasons, line by line, they cannot be.
//!
//! Pure: the file is decoded at the edge (`ssr::registry`) into lines of cells; the counties
//! and townships a row may name are handed in ([`Places`]).

use super::limits::Text;
use super::unit::INDUSTRIES;
use std::collections::HashMap;

/// The most rows a file may have (the city has about 100,000 enterprises).
pub const MAX_ROWS: usize = 200_000;

/// The longest cell read, in characters; longer is refused on its line (no field is longer).
pub const MAX_CELL_CHARS: usize = 500;

/// A column of the registry file, in the template's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Column {
    Name,
    CreditCode,
    County,
    Township,
    Industry,
    Address,
    LegalRepresentative,
    Headcount,
    Contact,
    Phone,
    /// 单位类型 of a township or department file (see [`ORG_COLUMNS`]).
    Kind,
    /// 监管行业 of a department: the industries it supervises.
    Industries,
}

/// The columns of the file of townships and departments (机构名录), in its template's order.
pub const ORG_COLUMNS: [Column; 4] = [
    Column::Name,
    Column::Kind,
    Column::County,
    Column::Industries,
];

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Name,
        Column::CreditCode,
        Column::County,
        Column::Township,
        Column::Industry,
        Column::Address,
        Column::LegalRepresentative,
        Column::Headcount,
        Column::Contact,
        Column::Phone,
    ];

    /// The template's header (Chinese, as an office's spreadsheet has it).
    pub fn header_zh(self) -> &'static str {
        match self {
            Column::Name => "单位名称",
            Column::CreditCode => "统一社会信用代码",
            Column::County => "所属县（市、区）",
            Column::Township => "乡镇（街道）",
            Column::Industry => "行业",
            Column::Address => "地址",
            Column::LegalRepresentative => "法定代表人",
            Column::Headcount => "从业人员数",
            Column::Contact => "联系人",
            Column::Phone => "联系电话",
            Column::Kind => "单位类型",
            Column::Industries => "监管行业",
        }
    }

    pub fn header_en(self) -> &'static str {
        match self {
            Column::Name => "Name",
            Column::CreditCode => "Unified social credit code",
            Column::County => "County",
            Column::Township => "Township",
            Column::Industry => "Industry",
            Column::Address => "Address",
            Column::LegalRepresentative => "Legal representative",
            Column::Headcount => "Headcount",
            Column::Contact => "Contact",
            Column::Phone => "Phone",
            Column::Kind => "Kind",
            Column::Industries => "Industries",
        }
    }

    /// Whether a row must fill it (the township, contact and phone may be left empty).
    pub fn required(self) -> bool {
        !matches!(
            self,
            Column::Township | Column::Contact | Column::Phone | Column::Industries
        )
    }

    /// Whether an organizations file must fill it: the name and kind (a township's county
    /// and a department's industries are checked by kind).
    fn required_in_orgs(self) -> bool {
        matches!(self, Column::Name | Column::Kind)
    }

    /// The column a header names: its Chinese or English header, ignoring spaces, case and
    /// full-width brackets typed as half-width ones.
    pub fn from_header(header: &str) -> Option<Column> {
        Self::from_header_among(header, &Column::ALL)
    }

    /// [`Column::from_header`] among `columns`.
    fn from_header_among(header: &str, columns: &[Column]) -> Option<Column> {
        let norm = |s: &str| -> String {
            s.chars()
                .filter(|c| !c.is_whitespace() && *c != '*')
                .map(|c| match c {
                    '(' => '（',
                    ')' => '）',
                    c => c.to_ascii_lowercase(),
                })
                .collect()
        };
        let h = norm(header.trim_start_matches('\u{feff}'));
        columns
            .iter()
            .copied()
            .find(|c| norm(c.header_zh()) == h || norm(c.header_en()) == h)
    }

    /// The longest value the column holds, in characters.
    fn max_chars(self) -> usize {
        match self {
            Column::Name => Text::UnitName.max_chars(),
            Column::Address => Text::Address.max_chars(),
            Column::LegalRepresentative | Column::Contact => Text::PersonName.max_chars(),
            Column::Phone => Text::Phone.max_chars(),
            Column::Industries => MAX_CELL_CHARS,
            _ => Text::Search.max_chars(),
        }
    }
}

/// A unified social credit code (统一社会信用代码), GB 32100—2015: 18 characters from the 31
/// of the standard's table (digits and capitals but I, O, S, V, Z), the last a check
/// character over the first 17.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct CreditCode(String);

/// GB 32100—2015 表 2: the characters a code is made of, each worth its position.
const CODE_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 32100—2015 5.2: the weight of position i (1-based) is 3^(i−1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a credit code is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreditCodeError {
    /// Not 18 characters of the standard's set.
    Format,
    /// The 18th character is not the check character of the first 17.
    CheckDigit,
}

impl CreditCode {
    /// Reads a code as typed: spaces dropped, lower case raised.
    pub fn parse(raw: &str) -> Result<Self, CreditCodeError> {
        let code: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let values: Vec<u32> = code
            .chars()
            .map(|c| CODE_CHARS.find(c).map(|i| i as u32))
            .collect::<Option<Vec<u32>>>()
            .ok_or(CreditCodeError::Format)?;
        if values.len() != 18 {
            return Err(CreditCodeError::Format);
        }
        if check_value(&values[..17]) != values[17] {
            return Err(CreditCodeError::CheckDigit);
        }
        Ok(Self(code))
    }

    /// The first 17 characters completed with their check character (for generated codes:
    /// the demo's and the benchmark's). `None` when they are not 17 of the standard's set.
    pub fn complete(first17: &str) -> Option<Self> {
        let values: Vec<u32> = first17
            .chars()
            .map(|c| CODE_CHARS.find(c).map(|i| i as u32))
            .collect::<Option<Vec<u32>>>()?;
        if values.len() != 17 {
            return None;
        }
        let check = CODE_CHARS.as_bytes()[check_value(&values) as usize] as char;
        Some(Self(format!("{first17}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// GB 32100—2015 5.2: C18 = 31 − (Σ Ci·Wi mod 31), with 31 written as 0.
fn check_value(first17: &[u32]) -> u32 {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(c, w)| c * w).sum();
    (31 - sum % 31) % 31
}

/// A cell as the file holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    /// A spreadsheet formula: its value depends on the sheet, so it is not taken.
    Formula,
}

/// The counties and townships a row may name, as the database has them.
#[derive(Clone, Debug, Default)]
pub struct Places {
    /// County-level units by their name and by their area code: the unit id.
    pub counties: HashMap<String, String>,
    /// Townships by (county unit id, name): the unit id.
    pub townships: HashMap<(String, String), String>,
}

/// An enterprise as a file's row gives it, checked.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RegistryRow {
    pub line: usize,
    pub name: String,
    pub credit_code: CreditCode,
    pub county_id: String,
    pub township_id: Option<String>,
    pub industry_code: String,
    pub address: String,
    pub legal_representative: String,
    pub headcount: i64,
    pub contact: String,
    pub phone: String,
}

/// Why a row (or the whole file) cannot be imported.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Problem {
    /// The file is empty or has no header line.
    NoHeader,
    /// A header that is none of the template's columns.
    UnknownColumn(String),
    /// A column the template requires is missing.
    MissingColumn(Column),
    /// A column given twice.
    RepeatedColumn(Column),
    /// More rows than [`MAX_ROWS`].
    TooManyRows,
    /// The file is neither UTF-8 nor GBK text, nor an XLSX workbook.
    Encoding,
    /// The workbook could not be read.
    Unreadable,
    Required,
    TooLong,
    Formula,
    CreditCodeFormat,
    CreditCodeCheckDigit,
    Headcount,
    UnknownCounty,
    UnknownTownship,
    UnknownIndustry,
    /// The same credit code, or the same name in the same county, on an earlier line.
    DuplicateInFile {
        first_line: usize,
    },
    /// Another enterprise of the county already has the name.
    NameTaken,
    /// The credit code's enterprise is registered in another county, township or industry:
    /// a move, which an import does not make.
    Moved,
    /// The line's credit code or name is a duplicate registration merged into another
    /// enterprise (`unit_merge`): the line is to name the enterprise kept.
    Merged,
    /// The row has more cells than the header.
    ExtraCells,
    /// A 单位类型 that is neither a township (乡镇、街道) nor a department (部门).
    UnknownKind,
    /// 监管行业 given for a township (only a department supervises industries).
    IndustriesNotForTownship,
}

impl Problem {
    /// The i18n key of the reason (`import.*`).
    pub fn key(&self) -> &'static str {
        match self {
            Problem::NoHeader => "import.no_header",
            Problem::UnknownColumn(_) => "import.unknown_column",
            Problem::MissingColumn(_) => "import.missing_column",
            Problem::RepeatedColumn(_) => "import.repeated_column",
            Problem::TooManyRows => "import.too_many_rows",
            Problem::Encoding => "import.encoding",
            Problem::Unreadable => "import.unreadable",
            Problem::Required => "import.required",
            Problem::TooLong => "import.too_long",
            Problem::Formula => "import.formula",
            Problem::CreditCodeFormat => "import.code_format",
            Problem::CreditCodeCheckDigit => "import.code_check",
            Problem::Headcount => "import.headcount",
            Problem::UnknownCounty => "import.unknown_county",
            Problem::UnknownTownship => "import.unknown_township",
            Problem::UnknownIndustry => "import.unknown_industry",
            Problem::DuplicateInFile { .. } => "import.duplicate",
            Problem::NameTaken => "import.name_taken",
            Problem::Moved => "import.moved",
            Problem::Merged => "import.merged",
            Problem::ExtraCells => "import.extra_cells",
            Problem::UnknownKind => "import.unknown_kind",
            Problem::IndustriesNotForTownship => "import.industries_township",
        }
    }
}

/// A problem on a line (1 is the header), in a column where it is one cell's.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineProblem {
    pub line: usize,
    pub column: Option<Column>,
    pub problem: Problem,
}

/// The header line: which column each cell is. Every problem of the header at once.
pub fn read_header(cells: &[Cell]) -> Result<Vec<Column>, Vec<LineProblem>> {
    read_header_of(cells, &Column::ALL, Column::required)
}

/// Whether a header line is that of the townships and departments file (it has 单位类型).
pub fn is_org_header(cells: &[Cell]) -> bool {
    cells.iter().any(|c| {
        matches!(c, Cell::Text(t) if Column::from_header_among(t.trim(), &[Column::Kind]).is_some())
    })
}

/// The header of the townships and departments file.
pub fn read_org_header(cells: &[Cell]) -> Result<Vec<Column>, Vec<LineProblem>> {
    read_header_of(cells, &ORG_COLUMNS, Column::required_in_orgs)
}

fn read_header_of(
    cells: &[Cell],
    known: &[Column],
    required: fn(Column) -> bool,
) -> Result<Vec<Column>, Vec<LineProblem>> {
    let at = |column, problem| LineProblem {
        line: 1,
        column,
        problem,
    };
    let mut problems = Vec::new();
    let mut columns = Vec::new();
    // Trailing empty cells (a spreadsheet's used range) are not columns.
    let last = cells
        .iter()
        .rposition(|c| !matches!(c, Cell::Text(t) if t.trim().is_empty()))
        .map_or(0, |i| i + 1);
    for cell in &cells[..last] {
        let text = match cell {
            Cell::Text(t) => t.trim(),
            Cell::Formula => {
                problems.push(at(None, Problem::Formula));
                continue;
            }
        };
        match Column::from_header_among(text, known) {
            Some(c) if columns.contains(&c) => {
                problems.push(at(Some(c), Problem::RepeatedColumn(c)))
            }
            Some(c) => columns.push(c),
            None => problems.push(at(
                None,
                Problem::UnknownColumn(text.chars().take(50).collect()),
            )),
        }
    }
    if last == 0 {
        problems.push(at(None, Problem::NoHeader));
    }
    for &c in known {
        if required(c) && !columns.contains(&c) && last > 0 {
            problems.push(at(Some(c), Problem::MissingColumn(c)));
        }
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems)
    }
}

/// Whether a line has nothing in it (skipped: spreadsheets keep empty rows).
pub fn is_blank(cells: &[Cell]) -> bool {
    cells
        .iter()
        .all(|c| matches!(c, Cell::Text(t) if t.trim().is_empty()))
}

/// Reads one line into an enterprise, or every problem of its cells.
pub fn read_row(
    line: usize,
    columns: &[Column],
    cells: &[Cell],
    places: &Places,
) -> Result<RegistryRow, Vec<LineProblem>> {
    let mut problems = Vec::new();
    let mut add = |column: Option<Column>, problem| {
        problems.push(LineProblem {
            line,
            column,
            problem,
        })
    };
    let values = read_cells(columns, cells, Column::required, &mut add);
    let get = |c: Column| values.get(&c).cloned();
    let credit_code = get(Column::CreditCode).and_then(|v| match CreditCode::parse(&v) {
        Ok(code) => Some(code),
        Err(e) => {
            add(
                Some(Column::CreditCode),
                match e {
                    CreditCodeError::Format => Problem::CreditCodeFormat,
                    CreditCodeError::CheckDigit => Problem::CreditCodeCheckDigit,
                },
            );
            None
        }
    });
    let county_id = get(Column::County).and_then(|v| county_named(&v, places, &mut add));
    let township_id = match (get(Column::Township).filter(|v| !v.is_empty()), &county_id) {
        (Some(name), Some(county)) => {
            let found = places.townships.get(&(county.clone(), name)).cloned();
            if found.is_none() {
                add(Some(Column::Township), Problem::UnknownTownship);
            }
            found
        }
        _ => None,
    };
    let industry_code = get(Column::Industry).and_then(|v| {
        let found = industry_named(&v);
        if found.is_none() {
            add(Some(Column::Industry), Problem::UnknownIndustry);
        }
        found
    });
    let headcount = get(Column::Headcount).and_then(|v| {
        // A spreadsheet may give a whole number as "12.0".
        let n = v
            .parse::<i64>()
            .ok()
            .or_else(|| v.strip_suffix(".0").and_then(|w| w.parse::<i64>().ok()));
        match n {
            Some(n) if (0..=1_000_000).contains(&n) => Some(n),
            _ => {
                add(Some(Column::Headcount), Problem::Headcount);
                None
            }
        }
    });
    match (
        get(Column::Name),
        credit_code,
        county_id,
        industry_code,
        get(Column::Address),
        get(Column::LegalRepresentative),
        headcount,
    ) {
        (
            Some(name),
            Some(credit_code),
            Some(county_id),
            Some(industry_code),
            Some(address),
            Some(legal_representative),
            Some(headcount),
        ) if problems.is_empty() => Ok(RegistryRow {
            line,
            name,
            credit_code,
            county_id,
            township_id,
            industry_code,
            address,
            legal_representative,
            headcount,
            contact: get(Column::Contact).unwrap_or_default(),
            phone: get(Column::Phone).unwrap_or_default(),
        }),
        _ => Err(problems),
    }
}

/// The cells of a line by column, trimmed; a formula, a cell too long, or an empty required
/// cell is a problem (`add`) and left out.
fn read_cells(
    columns: &[Column],
    cells: &[Cell],
    required: fn(Column) -> bool,
    add: &mut impl FnMut(Option<Column>, Problem),
) -> HashMap<Column, String> {
    if cells.len() > columns.len() && !is_blank(&cells[columns.len()..]) {
        add(None, Problem::ExtraCells);
    }
    let mut values: HashMap<Column, String> = HashMap::new();
    for (i, column) in columns.iter().enumerate() {
        let value = match cells.get(i) {
            Some(Cell::Formula) => {
                add(Some(*column), Problem::Formula);
                continue;
            }
            Some(Cell::Text(t)) => t.trim().to_string(),
            None => String::new(),
        };
        if value.chars().count() > column.max_chars().min(MAX_CELL_CHARS) {
            add(Some(*column), Problem::TooLong);
            continue;
        }
        // A value a spreadsheet would take for a formula (CSV injection) is not a name.
        if looks_like_formula(&value) {
            add(Some(*column), Problem::Formula);
            continue;
        }
        if value.is_empty() && required(*column) {
            add(Some(*column), Problem::Required);
            continue;
        }
        values.insert(*column, value);
    }
    values
}

/// The county-level government a cell names, or [`Problem::UnknownCounty`].
fn county_named(
    v: &str,
    places: &Places,
    add: &mut impl FnMut(Option<Column>, Problem),
) -> Option<String> {
    let found = places.counties.get(v).cloned();
    if found.is_none() {
        add(Some(Column::County), Problem::UnknownCounty);
    }
    found
}

/// The industry a cell names: its code, Chinese or English name.
fn industry_named(v: &str) -> Option<String> {
    INDUSTRIES
        .iter()
        .find(|(code, zh, en)| *zh == v || *code == v || en.eq_ignore_ascii_case(v))
        .map(|(code, _, _)| code.to_string())
}

/// A township or a department, the units of the townships and departments file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum OrgKind {
    /// 乡镇、街道办事处 (107号 四、(二)1: they file to their county's office).
    Township,
    /// 负有安全生产监管职责的部门, of a county or of the city (四、(二)2).
    Department,
}

impl OrgKind {
    /// Reads 单位类型: 乡镇, 街道, 乡镇（街道）, 部门, or the English `township`, `department`.
    pub fn parse(v: &str) -> Option<Self> {
        match v.trim() {
            "乡镇" | "街道" | "乡镇（街道）" | "乡镇(街道)" | "街道办事处" => {
                Some(OrgKind::Township)
            }
            "部门" => Some(OrgKind::Department),
            v if v.eq_ignore_ascii_case("township") => Some(OrgKind::Township),
            v if v.eq_ignore_ascii_case("department") => Some(OrgKind::Department),
            _ => None,
        }
    }

    pub fn unit_kind(self) -> super::unit::UnitKind {
        match self {
            OrgKind::Township => super::unit::UnitKind::Township,
            OrgKind::Department => super::unit::UnitKind::Department,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            OrgKind::Township => "乡镇（街道）",
            OrgKind::Department => "部门",
        }
    }
}

/// A township or department as a line of the file gives it, checked.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OrgRow {
    pub line: usize,
    pub name: String,
    pub kind: OrgKind,
    /// The county-level government; `None` for a city-level department.
    pub county_id: Option<String>,
    /// A department's industries (codes, sorted); none for a township.
    pub industries: Vec<String>,
}

/// Reads one line of the townships and departments file, or every problem of its cells: a
/// township needs its county and no industries; a department one industry or more (its
/// county empty for a city-level department).
pub fn read_org_row(
    line: usize,
    columns: &[Column],
    cells: &[Cell],
    places: &Places,
) -> Result<OrgRow, Vec<LineProblem>> {
    let mut problems = Vec::new();
    let mut add = |column: Option<Column>, problem| {
        problems.push(LineProblem {
            line,
            column,
            problem,
        })
    };
    let values = read_cells(columns, cells, Column::required_in_orgs, &mut add);
    let get = |c: Column| values.get(&c).cloned().filter(|v| !v.is_empty());
    let kind = get(Column::Kind).and_then(|v| {
        let k = OrgKind::parse(&v);
        if k.is_none() {
            add(Some(Column::Kind), Problem::UnknownKind);
        }
        k
    });
    let county_id = get(Column::County).and_then(|v| county_named(&v, places, &mut add));
    let mut industries = Vec::new();
    let mut unknown_industry = false;
    if let Some(list) = get(Column::Industries) {
        for name in list
            .split(['、', ',', '，', ';', '；', '/', ' '])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            match industry_named(name) {
                Some(code) if !industries.contains(&code) => industries.push(code),
                Some(_) => {}
                None => {
                    unknown_industry = true;
                    add(Some(Column::Industries), Problem::UnknownIndustry)
                }
            }
        }
    }
    industries.sort();
    match kind {
        Some(OrgKind::Township) if get(Column::County).is_none() => {
            add(Some(Column::County), Problem::Required)
        }
        Some(OrgKind::Township) if !industries.is_empty() => {
            add(Some(Column::Industries), Problem::IndustriesNotForTownship)
        }
        Some(OrgKind::Department) if industries.is_empty() && !unknown_industry => {
            add(Some(Column::Industries), Problem::Required)
        }
        _ => {}
    }
    match (get(Column::Name), kind) {
        (Some(name), Some(kind)) if problems.is_empty() => Ok(OrgRow {
            line,
            name,
            kind,
            county_id,
            industries,
        }),
        _ => Err(problems),
    }
}

/// Reports rows repeating an earlier row's name in the same county (or at city level).
pub fn org_duplicates_in_file(rows: &[OrgRow]) -> Vec<LineProblem> {
    let mut by_name: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    let mut problems = Vec::new();
    for row in rows {
        let key = (row.county_id.as_deref(), row.name.as_str());
        match by_name.get(&key) {
            Some(first) => problems.push(LineProblem {
                line: row.line,
                column: Some(Column::Name),
                problem: Problem::DuplicateInFile { first_line: *first },
            }),
            None => {
                by_name.insert(key, row.line);
            }
        }
    }
    problems
}

/// Whether a spreadsheet opening the value would take it for a formula (`=`, `@`, or `+` /
/// `-` before anything but a digit).
fn looks_like_formula(value: &str) -> bool {
    let mut chars = value.chars();
    match chars.next() {
        Some('=') | Some('@') => true,
        Some('+') | Some('-') => chars.next().is_some_and(|c| !c.is_ascii_digit()),
        _ => false,
    }
}

/// Reports rows repeating an earlier row's credit code, or its name in the same county.
pub fn duplicates_in_file(rows: &[RegistryRow]) -> Vec<LineProblem> {
    let mut by_code: HashMap<&str, usize> = HashMap::new();
    let mut by_name: HashMap<(&str, &str), usize> = HashMap::new();
    let mut problems = Vec::new();
    for row in rows {
        if let Some(first) = by_code.get(row.credit_code.as_str()) {
            problems.push(LineProblem {
                line: row.line,
                column: Some(Column::CreditCode),
                problem: Problem::DuplicateInFile { first_line: *first },
            });
        } else {
            by_code.insert(row.credit_code.as_str(), row.line);
        }
        let key = (row.county_id.as_str(), row.name.as_str());
        if let Some(first) = by_name.get(&key) {
            problems.push(LineProblem {
                line: row.line,
                column: Some(Column::Name),
                problem: Problem::DuplicateInFile { first_line: *first },
            });
        } else {
            by_name.insert(key, row.line);
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(cells: &[&str]) -> Vec<Cell> {
        cells.iter().map(|c| Cell::Text(c.to_string())).collect()
    }

    fn places() -> Places {
        let mut p = Places::default();
        p.counties.insert("五华区".into(), "county-530102".into());
        p.counties.insert("530102".into(), "county-530102".into());
        p.townships.insert(
            ("county-530102".into(), "华山街道".into()),
            "county-530102-town-0".into(),
        );
        p
    }

    #[test]
    fn the_check_character_is_that_of_gb_32100() {
        // The standard's example.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        assert_eq!(
            CreditCode::parse("91350100M000100Y44"),
            Err(CreditCodeError::CheckDigit)
        );
        // Letters outside the set (I, O, S, V, Z) and wrong lengths.
        assert_eq!(
            CreditCode::parse("91350100M000100O43"),
            Err(CreditCodeError::Format)
        );
        assert_eq!(
            CreditCode::parse("91350100M000100Y4"),
            Err(CreditCodeError::Format)
        );
        // Typed with spaces and in lower case: the same code.
        assert_eq!(
            CreditCode::parse(" 91350100m000100y43 ").unwrap().as_str(),
            "91350100M000100Y43"
        );
        // Completing 17 characters gives a code that parses; every other 18th does not.
        let code = CreditCode::complete("91530102MA6K00001").unwrap();
        assert!(CreditCode::parse(code.as_str()).is_ok());
        let wrong = CODE_CHARS
            .chars()
            .filter(|c| !code.as_str().ends_with(*c))
            .filter(|c| CreditCode::parse(&format!("91530102MA6K00001{c}")).is_ok())
            .count();
        assert_eq!(wrong, 0);
    }

    #[test]
    fn headers_are_read_in_either_language_and_every_problem_is_reported() {
        let cols = read_header(&text(&[
            "单位名称",
            "统一社会信用代码",
            "所属县(市、区)",
            "行业",
            "Address",
            "法定代表人",
            "从业人员数",
        ]))
        .unwrap();
        assert_eq!(cols.len(), 7);
        let problems = read_header(&text(&["单位名称", "单位名称", "颜色"])).unwrap_err();
        assert!(problems
            .iter()
            .any(|p| p.problem == Problem::RepeatedColumn(Column::Name)));
        assert!(problems
            .iter()
            .any(|p| p.problem == Problem::UnknownColumn("颜色".into())));
        assert!(problems
            .iter()
            .any(|p| p.problem == Problem::MissingColumn(Column::CreditCode)));
        assert_eq!(read_header(&[]).unwrap_err()[0].problem, Problem::NoHeader);
    }

    #[test]
    fn a_row_is_read_or_refused_cell_by_cell() {
        let cols: Vec<Column> = Column::ALL.to_vec();
        let good = text(&[
            "昆明某化工有限公司",
            "91350100M000100Y43",
            "五华区",
            "华山街道",
            "化工",
            "五华区某路1号",
            "张三",
            "12.0",
            "李四",
            "0871-1234567",
        ]);
        let row = read_row(2, &cols, &good, &places()).unwrap();
        assert_eq!(row.county_id, "county-530102");
        assert_eq!(row.township_id.as_deref(), Some("county-530102-town-0"));
        assert_eq!(row.industry_code, "chemical");
        assert_eq!(row.headcount, 12);
        let bad = vec![
            Cell::Text(String::new()),
            Cell::Text("91350100M000100Y44".into()),
            Cell::Text("火星区".into()),
            Cell::Text("".into()),
            Cell::Text("造船".into()),
            Cell::Text("x".repeat(10_000_000)),
            Cell::Formula,
            Cell::Text("many".into()),
            Cell::Text("".into()),
            Cell::Text("".into()),
            Cell::Text("extra".into()),
        ];
        let problems: Vec<(Option<Column>, Problem)> = read_row(3, &cols, &bad, &places())
            .unwrap_err()
            .into_iter()
            .map(|p| {
                assert_eq!(p.line, 3);
                (p.column, p.problem)
            })
            .collect();
        for expected in [
            (None, Problem::ExtraCells),
            (Some(Column::Name), Problem::Required),
            (Some(Column::CreditCode), Problem::CreditCodeCheckDigit),
            (Some(Column::County), Problem::UnknownCounty),
            (Some(Column::Industry), Problem::UnknownIndustry),
            (Some(Column::Address), Problem::TooLong),
            (Some(Column::LegalRepresentative), Problem::Formula),
            (Some(Column::Headcount), Problem::Headcount),
        ] {
            assert!(problems.contains(&expected), "{expected:?} in {problems:?}");
        }
        let mut injected = good.clone();
        injected[0] = Cell::Text("=HYPERLINK(\"x\")".into());
        assert_eq!(
            read_row(4, &cols, &injected, &places()).unwrap_err()[0].problem,
            Problem::Formula
        );
    }

    #[test]
    fn repeated_codes_and_names_point_at_the_first_line() {
        let cols: Vec<Column> = Column::ALL.to_vec();
        let a = text(&[
            "甲公司",
            "91350100M000100Y43",
            "530102",
            "",
            "化工",
            "地址",
            "张三",
            "1",
            "",
            "",
        ]);
        let mut b = a.clone();
        b[0] = Cell::Text("乙公司".into());
        let mut c = a.clone();
        c[1] = Cell::Text(
            CreditCode::complete("91530102MA6K00001")
                .unwrap()
                .as_str()
                .into(),
        );
        let rows: Vec<RegistryRow> = [(2, a), (3, b), (4, c)]
            .into_iter()
            .map(|(l, cells)| read_row(l, &cols, &cells, &places()).unwrap())
            .collect();
        let d = duplicates_in_file(&rows);
        assert_eq!(
            d,
            vec![
                LineProblem {
                    line: 3,
                    column: Some(Column::CreditCode),
                    problem: Problem::DuplicateInFile { first_line: 2 }
                },
                LineProblem {
                    line: 4,
                    column: Some(Column::Name),
                    problem: Problem::DuplicateInFile { first_line: 2 }
                },
            ]
        );
    }
}
