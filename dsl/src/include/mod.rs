//! List rows kept in data files (`list L: T key k from "rows.csv"`). Drafters keep long
//! catalogues in spreadsheets; this turns each row into the same [`Item`] a row written in
//! the policy would be, with spans pointing into the data file, so the checker treats both
//! alike.
//!
//! Every format becomes a [`Table`] first (a header and rows of cells, each cell with its
//! span and its address): `csv.rs` (UTF-8 with or without BOM, GBK/GB18030), `workbook.rs`
//! (`.xlsx`, `.xls`, `.ods` through calamine, shown as text whose line numbers are the
//! sheet's row numbers), `yaml.rs` (a list of mappings). One pass here reads every cell
//! and reports every bad one (type errors, ragged rows, empty keys) in one run, each with
//! its address (`第 17 行第 4 列` for CSV, `职责清单!D17` for a workbook).
//!
//! Cells are read by the declared type of their column: `整数` cells as integers, enum
//! columns as variant names, `集合` cells split on `;`, `；` or `、`, empty cells as absent
//! (or, in a column whose type is a set and not optional, as the empty set).

mod csv;
mod rows;
mod workbook;
mod yaml;

pub use self::csv::{csv_rows, csv_table, decode_csv, CsvEncoding};
pub use rows::{FileRows, ListRows, RowHead};
pub use workbook::{is_workbook, split_sheet, workbook_rows, workbook_table, WorkbookRows};
pub use yaml::yaml_rows;

use crate::diag::{msg, Code, Diagnostic, Msg};
use crate::source::{FileId, Span};
use crate::syntax::ast::{Expr, ExprKind, FieldInit, Ident, InForce, Item, ItemKey, KeyValue, TypeExpr};
use crate::value::{Date, Decimal};

/// How to read one column: its declared type, by name.
pub struct Column<'a> {
    pub name: &'a str,
    pub ty: Option<&'a TypeExpr>,
}

/// Where a table's cells are, for messages: a CSV file's lines and columns, a sheet's
/// cell names, or nothing more than the span (YAML).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Csv,
    Sheet(String),
    Yaml,
}

/// One cell: its text (trimmed later), its span in the shown file, its 1-based line (CSV)
/// or row (sheet) and 0-based column.
#[derive(Clone, Debug)]
pub struct TableCell {
    pub text: String,
    pub span: Span,
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug)]
pub struct TableRow {
    pub cells: Vec<TableCell>,
    pub span: Span,
    pub line: u32,
}

/// A data file read as a header of field names and rows of cells.
#[derive(Clone, Debug)]
pub struct Table {
    pub place: Place,
    pub headers: Vec<TableCell>,
    pub rows: Vec<TableRow>,
}

/// The rows that read cleanly, and every problem of the others.
pub type Rows = (FileRows, Vec<Diagnostic>);

/// `D` for column 3 (0-based), `AA` for 26.
pub fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

impl Place {
    /// The cell's address as a drafter finds it: `第 17 行第 4 列` in a CSV file (the line as
    /// an editor counts it, the column as a spreadsheet shows it, `D`), `职责清单!D17` in a
    /// workbook.
    pub fn address(&self, line: u32, col: u32) -> Option<Msg> {
        match self {
            Place::Csv => Some(msg(
                format!("第 {line} 行第 {} 列（{}{line}）", col + 1, column_letters(col)),
                format!("line {line}, column {} ({}{line})", col + 1, column_letters(col)),
            )),
            Place::Sheet(sheet) => {
                let at = format!("{sheet}!{}{line}", column_letters(col));
                Some(msg(at.clone(), at))
            }
            Place::Yaml => None,
        }
    }

    fn row_address(&self, line: u32) -> Option<Msg> {
        match self {
            Place::Csv => Some(msg(format!("第 {line} 行"), format!("line {line}"))),
            Place::Sheet(sheet) => Some(msg(format!("{sheet}!第 {line} 行"), format!("{sheet}!row {line}"))),
            Place::Yaml => None,
        }
    }
}

/// `at: detail`, or the detail alone when there is no address.
fn located(at: Option<&Msg>, detail: Msg) -> Msg {
    match at {
        Some(at) => msg(format!("{}：{}", at.zh, detail.zh), format!("{}: {}", at.en, detail.en)),
        None => detail,
    }
}

/// Reads every row of a table, reporting every bad cell, ragged row and repeated header
/// together.
pub fn table_rows(table: &Table, source: &str, file: FileId, key: &str, columns: &[Column<'_>]) -> Rows {
    let room = Room { rows: table.rows.len(), cells: table.headers.len() };
    read_table(&table.place, source, &table.headers, table.rows.iter(), room, file, key, columns)
}

/// How many rows, and cells a row, a table is expected to have: what its compact rows
/// reserve.
struct Room {
    rows: usize,
    cells: usize,
}

/// Reads rows one at a time as they come (a CSV file's are never all held as cells): only
/// the compact rows are kept.
#[allow(clippy::too_many_arguments)]
fn read_table<R: std::borrow::Borrow<TableRow>>(
    place: &Place,
    source: &str,
    headers: &[TableCell],
    rows: impl Iterator<Item = R>,
    room: Room,
    file: FileId,
    key: &str,
    columns: &[Column<'_>],
) -> Rows {
    let serials = matches!(place, Place::Sheet(_));
    let mut kept = FileRows::new(file, rows::Reading::new(key, columns, serials));
    kept.reserve(room.rows, room.cells);
    let (mut diags, mut any_row) = (Vec::new(), false);
    for row in rows {
        let row = row.borrow();
        any_row = true;
        if let Some(d) = ragged(place, row, headers.len()) {
            diags.push(d);
        }
        let cells: Vec<RowCell<'_>> = headers
            .iter()
            .zip(&row.cells)
            .filter(|(h, _)| !h.text.is_empty())
            .map(|(h, c)| {
                let at = CellAt(Some((place, c.line, c.col)));
                RowCell { name: h.text.as_str(), text: c.text.as_str(), name_span: h.span, span: c.span, at }
            })
            .collect();
        kept.read(source, &cells, columns, row.span, RowAt(Some((place, row.line))), &mut diags);
    }
    // The header's problems come first, as the header comes first in the file.
    let mut told = Vec::new();
    check_headers(place, headers, any_row, key, &mut told);
    told.extend(diags);
    (kept.done(), told)
}

/// A header cell named twice, or a key column that is not in the header.
fn check_headers(
    place: &Place,
    headers: &[TableCell],
    any_row: bool,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) {
    for (i, h) in headers.iter().enumerate() {
        if h.text.is_empty() {
            continue;
        }
        if headers[..i].iter().any(|e| e.text == h.text) {
            let at = place.address(h.line, h.col);
            let detail = msg(
                format!("表头 `{}` 出现了两次", h.text),
                format!("the header `{}` appears twice", h.text),
            );
            diags.push(
                Diagnostic::new(Code::E0122, h.span, located(at.as_ref(), detail))
                    .help(msg("每列的表头写一个不同的字段名", "give each column a different field name")),
            );
        }
    }
    if any_row && !headers.iter().any(|h| h.text == key) {
        let span = headers.first().map_or(Span::default(), |h| h.span);
        let names: Vec<&str> = headers.iter().map(|h| h.text.as_str()).filter(|n| !n.is_empty()).collect();
        let hint = crate::check::suggest::did_you_mean(key, names.iter().copied());
        diags.push(
            Diagnostic::new(
                Code::E0122,
                span,
                msg(format!("表头里没有键列 `{key}`"), format!("the header has no key column `{key}`")),
            )
            .help(crate::check::suggest::with_hint(
                hint,
                msg(format!("第一行写上 `{key}` 这一列"), format!("add a `{key}` column to the header row")),
            )),
        );
    }
}

/// A row with more cells than the header has names, or (in CSV, where Excel writes every
/// separator) fewer.
fn ragged(place: &Place, row: &TableRow, width: usize) -> Option<Diagnostic> {
    let n = row.cells.len();
    let extra = row.cells.iter().skip(width).find(|c| !c.text.trim().is_empty());
    let short = n < width && *place == Place::Csv;
    if extra.is_none() && !short {
        return None;
    }
    let span = extra.map_or(row.span, |c| c.span);
    let at = match extra {
        Some(c) => place.address(c.line, c.col),
        None => place.row_address(row.line),
    };
    let detail = msg(
        format!("这一行有 {n} 格，表头有 {width} 列"),
        format!("the row has {n} cells, the header {width} columns"),
    );
    Some(Diagnostic::new(Code::E0122, span, located(at.as_ref(), detail)).help(msg(
        "每行的格数与表头一致：补上缺的格（可以空着），删去多出的格",
        "give every row as many cells as the header: add the missing ones (they may be empty), remove the extra ones",
    )))
}

/// One cell of a row with what names and locates it.
#[derive(Clone, Copy)]
struct RowCell<'c> {
    name: &'c str,
    text: &'c str,
    name_span: Span,
    span: Span,
    at: CellAt<'c>,
}

/// Where a cell is, told in words only when a message needs it: a list of 100,000 rows
/// has 800,000 cells, and formatting two addresses for each cost more than reading it.
#[derive(Clone, Copy)]
struct CellAt<'c>(Option<(&'c Place, u32, u32)>);

impl CellAt<'_> {
    fn msg(self) -> Option<Msg> {
        self.0.and_then(|(place, line, col)| place.address(line, col))
    }
}

/// Where a row is (its line), told in words only when a message needs it.
#[derive(Clone, Copy)]
struct RowAt<'c>(Option<(&'c Place, u32)>);

impl RowAt<'_> {
    fn msg(self) -> Option<Msg> {
        self.0.and_then(|(place, line)| place.row_address(line))
    }
}

/// Builds one item; every bad cell is reported, and the row is kept only if all are good.
/// Without `with_fields` the item has its key, dates and span, and no fields: every cell is
/// still read (and reported), what a first reading of a file's rows needs.
#[allow(clippy::too_many_arguments)]
fn read_row<'c>(
    cells: impl Iterator<Item = RowCell<'c>>,
    row_span: Span,
    row_at: RowAt<'_>,
    key: &str,
    columns: &[Column<'_>],
    serials: bool,
    with_fields: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<Item> {
    let before = diags.len();
    let mut item_key = None;
    let mut seen_key = false;
    let mut fields = Vec::with_capacity(if with_fields { columns.len().saturating_sub(1) } else { 0 });
    let mut dates = RowDates::default();
    for c in cells {
        let cell = c.text.trim();
        let declared = columns.iter().find(|col| col.name == c.name);
        if let (None, Some(end)) = (declared, DateEnd::of_column(c.name)) {
            dates.read(end, cell, &c, serials, diags);
            continue;
        }
        let ty = declared.and_then(|col| col.ty);
        if c.name == key {
            seen_key = true;
            match key_value(cell, ty, c.span, c.at, key) {
                Ok(value) => item_key = Some(ItemKey { value, bare: false, span: c.span }),
                Err(d) => diags.push(d),
            }
            continue;
        }
        // An empty cell is an absent value, except in a required set column, where it is
        // the empty set (a YAML `[]`, a spreadsheet cell that lists nothing).
        let empty_set = ty.is_some_and(|t| t.set_depth > 0 && !t.optional);
        if cell.is_empty() && !empty_set {
            continue;
        }
        match cell_value(cell, ty, c.span, c.at, serials) {
            Ok(value) if with_fields => fields.push(FieldInit {
                name: Ident { name: c.name.to_string(), span: c.name_span },
                value,
                span: c.span,
            }),
            Ok(_) => {}
            Err(d) => diags.push(d),
        }
    }
    if !seen_key {
        let detail = msg(
            format!("这一行没有键列 `{key}` 的值"),
            format!("the row has no value in the key column `{key}`"),
        );
        diags.push(malformed(row_span, located(row_at.msg().as_ref(), detail), ""));
    }
    let key = item_key?;
    let in_force = dates.in_force();
    (diags.len() == before).then_some(Item { key, in_force, fields, span: row_span })
}

/// Whether a data file's column is one of the reserved `施行日期`/`废止日期` (`from`/`until`)
/// columns that date a row (when the record declares no field of that name).
pub fn is_row_date_column(name: &str) -> bool {
    DateEnd::of_column(name.trim()).is_some()
}

/// Which end of a row's range a reserved column gives.
#[derive(Clone, Copy)]
enum DateEnd {
    From,
    Until,
}

impl DateEnd {
    /// The reserved columns (when the row's record declares no field of that name):
    /// `施行日期` / `from` and `废止日期` / `until`, both days inclusive.
    fn of_column(name: &str) -> Option<DateEnd> {
        match name {
            "施行日期" | "from" => Some(DateEnd::From),
            "废止日期" | "until" => Some(DateEnd::Until),
            _ => None,
        }
    }
}

/// The range a row's reserved date cells give, with the span of the cells.
#[derive(Default)]
struct RowDates {
    from: Option<Date>,
    until: Option<Date>,
    span: Option<Span>,
}

impl RowDates {
    /// A date cell (empty: that end is open); a cell that is not a date is reported.
    fn read(
        &mut self,
        end: DateEnd,
        cell: &str,
        c: &RowCell<'_>,
        serials: bool,
        diags: &mut Vec<Diagnostic>,
    ) {
        if cell.is_empty() {
            return;
        }
        let serial = if serials { date_from_serial(cell) } else { None };
        let Some(date) = Date::parse(cell).or(serial) else {
            let (zh, en) = match end {
                DateEnd::From => ("施行日期（YYYY-MM-DD）", "a date the row is in force from (YYYY-MM-DD)"),
                DateEnd::Until => ("废止日期（YYYY-MM-DD）", "a date the row is in force until (YYYY-MM-DD)"),
            };
            diags.push(bad_cell(c.span, c.at, cell, zh, en));
            return;
        };
        match end {
            DateEnd::From => self.from = Some(date),
            DateEnd::Until => self.until = Some(date),
        }
        self.span = Some(self.span.map_or(c.span, |s| s.to(c.span)));
    }

    fn in_force(self) -> Option<InForce> {
        let span = self.span?;
        Some(InForce { from: self.from, until: self.until, span })
    }
}

fn key_value(
    cell: &str,
    ty: Option<&TypeExpr>,
    span: Span,
    at: CellAt<'_>,
    key: &str,
) -> Result<KeyValue, Diagnostic> {
    if cell.is_empty() {
        let detail = msg(format!("键列 `{key}` 是空的"), format!("the key column `{key}` is empty"));
        return Err(malformed(span, located(at.msg().as_ref(), detail), ""));
    }
    match ty.map(|t| t.name.name.as_str()) {
        Some("int" | "整数") => {
            parse_int(cell).map(KeyValue::Int).ok_or_else(|| bad_cell(span, at, cell, "整数", "an integer"))
        }
        _ => Ok(KeyValue::Text(cell.to_string())),
    }
}

/// An integer as a spreadsheet may hold it: `42`, `0042` (a number stored as text), or
/// `42.0` (a whole number a workbook keeps as a float).
fn parse_int(cell: &str) -> Option<i64> {
    cell.parse().ok().or_else(|| cell.strip_suffix(".0").and_then(|w| w.parse().ok()))
}

/// The largest date serial Excel shows (9999-12-31).
const MAX_DATE_SERIAL: i64 = 2_958_465;

/// A date written as a workbook's day number in a cell not formatted as a date
/// (`45292` for 2024-01-01, counted from 1899-12-30 as Excel does after 1900-02-28).
fn date_from_serial(cell: &str) -> Option<Date> {
    let serial = parse_int(cell).filter(|s| (61..=MAX_DATE_SERIAL).contains(s))?;
    Some(Date::from_days_since_epoch(serial - 25_569))
}

fn cell_value(
    cell: &str,
    ty: Option<&TypeExpr>,
    span: Span,
    at: CellAt<'_>,
    serials: bool,
) -> Result<Expr, Diagnostic> {
    let expr = |kind| Expr { kind, span };
    let Some(ty) = ty else {
        return Ok(expr(ExprKind::Text(cell.to_string())));
    };
    if ty.set_depth > 0 {
        let inner = TypeExpr { set_depth: ty.set_depth - 1, optional: false, ..ty.clone() };
        let parts = cell.split([';', '；', '、']).map(str::trim).filter(|p| !p.is_empty());
        let items =
            parts.map(|p| cell_value(p, Some(&inner), span, at, serials)).collect::<Result<_, _>>()?;
        return Ok(expr(ExprKind::Set(items)));
    }
    let kind = match ty.name.name.as_str() {
        "int" | "整数" => {
            ExprKind::Int(parse_int(cell).ok_or_else(|| bad_cell(span, at, cell, "整数", "an integer"))?)
        }
        "decimal" | "小数" => {
            let d = Decimal::parse(cell)
                .or_else(|| cell.parse::<i64>().ok().map(|m| Decimal { mantissa: m, scale: 0 }));
            ExprKind::Decimal(d.ok_or_else(|| bad_cell(span, at, cell, "小数", "a decimal"))?)
        }
        "date" | "日期" => {
            let serial = if serials { date_from_serial(cell) } else { None };
            let date = Date::parse(cell).or(serial);
            ExprKind::Date(date.ok_or_else(|| bad_cell(span, at, cell, "日期", "a date (YYYY-MM-DD)"))?)
        }
        "bool" | "布尔" => match cell {
            "true" | "真" | "是" | "TRUE" | "True" => ExprKind::Bool(true),
            "false" | "假" | "否" | "FALSE" | "False" => ExprKind::Bool(false),
            _ => return Err(bad_cell(span, at, cell, "真假值（是/否）", "a boolean (true/false)")),
        },
        "text" | "文本" => ExprKind::Text(cell.to_string()),
        // Enum variants are names; a list reference is a key. The checker tells them apart.
        _ => ExprKind::Name(Ident { name: key_of_label(cell).to_string(), span }),
    };
    Ok(expr(kind))
}

/// The key of a reference as `qingdan export` shows it, `B01（民政办）` → `B01`; names and
/// keys are never written with a final full-width bracket otherwise.
fn key_of_label(cell: &str) -> &str {
    cell.strip_suffix('）').and_then(|c| c.split_once('（')).map_or(cell, |(key, _)| key.trim_end())
}

fn bad_cell(span: Span, at: CellAt<'_>, cell: &str, zh: &str, en: &str) -> Diagnostic {
    let detail = msg(format!("数据 `{cell}` 不是{zh}"), format!("value `{cell}` is not {en}"));
    Diagnostic::new(Code::E0122, span, located(at.msg().as_ref(), detail))
        .help(msg("按该列声明的类型填写", "fill the cell according to the column's declared type"))
}

/// `what` names the format (`CSV`, `YAML`), or is empty when either is meant.
fn malformed(span: Span, detail: Msg, what: &str) -> Diagnostic {
    let (zh, en) = if what.is_empty() {
        ("数据文件格式错误".to_string(), "malformed data file".to_string())
    } else {
        (format!("{what} 数据文件格式错误"), format!("malformed {what} data file"))
    };
    Diagnostic::new(Code::E0122, span, msg(format!("{zh}：{}", detail.zh), format!("{en}: {}", detail.en)))
        .help(msg(
        "CSV 第一行是字段名，之后每行一个条目；YAML 是条目的列表（每项 `- 字段: 值`）",
        "CSV: a header row of field names, then one row per item; YAML: a list of rows (`- field: value`)",
    ))
}

fn first_line_end(text: &str, start: usize) -> usize {
    let start = start.min(text.len());
    text[start..].find(['\n', '\r']).map_or(text.len(), |n| start + n)
}

#[cfg(test)]
mod tests;
