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
pub use rows::{FileRows, ListRows, RowCursor, RowHead};
pub use workbook::{is_workbook, split_sheet, workbook_rows, workbook_table, WorkbookRows};
pub use yaml::yaml_rows;

use crate::diag::{msg, Code, Diagnostic, Msg};
use crate::source::{FileId, Span};
use crate::syntax::ast::{Expr, ExprKind, FieldInit, Ident, InForce, KeyValue, TypeExpr};
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

#[derive(Clone, Debug, Default)]
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
    let mut reader = TableReader::new(place, source, headers, room, file, key, columns);
    for row in rows {
        reader.row(row.borrow());
    }
    reader.done()
}

/// What reading a table's rows keeps between rows: the compact rows, the problems found,
/// and the column of each header.
struct TableReader<'t> {
    place: &'t Place,
    source: &'t str,
    headers: &'t [TableCell],
    /// The declared column of each header, found once.
    declared: Vec<Option<usize>>,
    key: &'t str,
    columns: &'t [Column<'t>],
    kept: FileRows,
    diags: Vec<Diagnostic>,
    any_row: bool,
}

impl<'t> TableReader<'t> {
    fn new(
        place: &'t Place,
        source: &'t str,
        headers: &'t [TableCell],
        room: Room,
        file: FileId,
        key: &'t str,
        columns: &'t [Column<'t>],
    ) -> TableReader<'t> {
        let serials = matches!(place, Place::Sheet(_));
        let mut kept = FileRows::new(file, rows::Reading::new(key, columns, serials));
        kept.reserve(room.rows, room.cells);
        let declared = headers.iter().map(|h| column_of(columns, &h.text)).collect();
        TableReader {
            place,
            source,
            headers,
            declared,
            key,
            columns,
            kept,
            diags: Vec::new(),
            any_row: false,
        }
    }

    fn row(&mut self, row: &TableRow) {
        let place = self.place;
        self.any_row = true;
        if let Some(d) = ragged(place, row, self.headers.len()) {
            self.diags.push(d);
        }
        let cells =
            self.headers.iter().zip(&self.declared).zip(&row.cells).filter(|((h, _), _)| !h.text.is_empty());
        let cells = cells.map(|((h, &column), c)| {
            let at = CellAt(Some((place, c.line, c.col)));
            let (name, text) = (h.text.as_str(), c.text.as_str());
            RowCell { name, column, text, name_span: h.span, span: c.span, at }
        });
        let at = RowAt(Some((place, row.line)));
        self.kept.read(self.source, cells, self.columns, row.span, at, &mut self.diags);
    }

    fn done(self) -> Rows {
        // The header's problems come first, as the header comes first in the file.
        let mut told = Vec::new();
        check_headers(self.place, self.headers, self.any_row, self.key, &mut told);
        told.extend(self.diags);
        (self.kept.done(), told)
    }
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
    /// The declared column of that name (an index into the reader's columns), found once
    /// per header name, not once per cell.
    column: Option<usize>,
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

/// A row read: its key cell's value and span, which of its cells gave it, and its dates.
struct ReadRow<'c> {
    key: KeyRead<'c>,
    key_span: Span,
    key_at: usize,
    in_force: Option<InForce>,
}

/// A key as its cell reads it, borrowing the cell's text.
#[derive(Clone, Copy)]
enum KeyRead<'c> {
    Text(&'c str),
    Int(i64),
}

impl KeyRead<'_> {
    /// Puts the key in `slot`, reusing a text key's room.
    fn put(self, slot: &mut KeyValue) {
        match (self, slot) {
            (KeyRead::Text(t), KeyValue::Text(s)) => put_text(s, t),
            (KeyRead::Text(t), slot) => *slot = KeyValue::Text(t.to_string()),
            (KeyRead::Int(i), slot) => *slot = KeyValue::Int(i),
        }
    }
}

/// Puts `text` in `slot`, reusing its room.
fn put_text(slot: &mut String, text: &str) {
    slot.clear();
    slot.push_str(text);
}

/// Reads one row; every bad cell is reported, and the row is kept only if all are good.
/// With `fields`, each field is written into it, reusing what it held before (a file's
/// rows are read again one at a time into the same item, so that reading 100,000 rows
/// allocates about as much as reading one). Without, no field is built: every cell is
/// still read (and reported), what a first reading of a file's rows needs.
#[allow(clippy::too_many_arguments)]
fn read_row<'c>(
    cells: impl Iterator<Item = RowCell<'c>>,
    row_span: Span,
    row_at: RowAt<'_>,
    key: &rows::Key,
    columns: &[Column<'_>],
    serials: bool,
    mut fields: Option<&mut Vec<FieldInit>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<ReadRow<'c>> {
    let before = diags.len();
    let mut item_key = None;
    let mut filled = 0;
    let mut dates = RowDates::default();
    for (place, c) in cells.enumerate() {
        let cell = trim_cell(c.text);
        let declared = c.column.map(|k| &columns[k]);
        if let (None, Some(end)) = (declared, DateEnd::of_column(c.name)) {
            dates.read(end, cell, &c, serials, diags);
            continue;
        }
        let ty = declared.and_then(|col| col.ty);
        let is_key = match key.column {
            Some(k) => c.column == Some(k),
            None => c.name == key.name,
        };
        if is_key {
            item_key = Some(match key_value(cell, ty, c.span, c.at, &key.name) {
                Ok(value) => Some((value, c.span, place)),
                Err(d) => {
                    diags.push(d);
                    None
                }
            });
            continue;
        }
        // An empty cell is an absent value, except in a required set column, where it is
        // the empty set (a YAML `[]`, a spreadsheet cell that lists nothing).
        let empty_set = ty.is_some_and(|t| t.set_depth > 0 && !t.optional);
        if cell.is_empty() && !empty_set {
            continue;
        }
        let read = CellRead { span: c.span, at: c.at, serials };
        let (name, depth) = ty.map_or((None, 0), |t| (Some(t.name.name.as_str()), t.set_depth));
        let checked = match fields.as_deref_mut() {
            Some(fields) => {
                filled += 1;
                put_field(fields, filled - 1, &c, |value| fill_value(value, cell, name, depth, read))
            }
            None => check_at_depth(cell, name, depth, read),
        };
        if let Err(d) = checked {
            diags.push(d);
        }
    }
    if let Some(fields) = fields {
        fields.truncate(filled);
    }
    let Some(item_key) = item_key else {
        let key = &key.name;
        let detail = msg(
            format!("这一行没有键列 `{key}` 的值"),
            format!("the row has no value in the key column `{key}`"),
        );
        diags.push(malformed(row_span, located(row_at.msg().as_ref(), detail), ""));
        return None;
    };
    let (key, key_span, key_at) = item_key?;
    let in_force = dates.in_force();
    (diags.len() == before).then_some(ReadRow { key, key_span, key_at, in_force })
}

/// Writes field `k` of `fields` from cell `c`, reusing the field that was there.
fn put_field(
    fields: &mut Vec<FieldInit>,
    k: usize,
    c: &RowCell<'_>,
    fill: impl FnOnce(&mut Expr) -> Result<(), Diagnostic>,
) -> Result<(), Diagnostic> {
    if k == fields.len() {
        let name = Ident { name: String::new(), span: c.name_span };
        fields.push(FieldInit { name, value: Expr { kind: ExprKind::None, span: c.span }, span: c.span });
    }
    let field = &mut fields[k];
    put_text(&mut field.name.name, c.name);
    field.name.span = c.name_span;
    field.span = c.span;
    fill(&mut field.value)
}

/// `text.trim()`, quicker for the usual cell, with no space at either end.
fn trim_cell(text: &str) -> &str {
    let clean = |c: Option<char>| c.is_none_or(|c| !c.is_whitespace());
    match clean(text.chars().next()) && clean(text.chars().next_back()) {
        true => text,
        false => text.trim(),
    }
}

/// The index of the column named `name`, if one is declared.
fn column_of(columns: &[Column<'_>], name: &str) -> Option<usize> {
    columns.iter().position(|col| col.name == name)
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

fn key_value<'c>(
    cell: &'c str,
    ty: Option<&TypeExpr>,
    span: Span,
    at: CellAt<'_>,
    key: &str,
) -> Result<KeyRead<'c>, Diagnostic> {
    if cell.is_empty() {
        let detail = msg(format!("键列 `{key}` 是空的"), format!("the key column `{key}` is empty"));
        return Err(malformed(span, located(at.msg().as_ref(), detail), ""));
    }
    match is_int(ty) {
        true => {
            parse_int(cell).map(KeyRead::Int).ok_or_else(|| bad_cell(span, at, cell, "整数", "an integer"))
        }
        false => Ok(KeyRead::Text(cell)),
    }
}

/// Whether a column is declared an integer: its keys are read as integers.
fn is_int(ty: Option<&TypeExpr>) -> bool {
    ty.is_some_and(|t| matches!(t.name.name.as_str(), "int" | "整数"))
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

/// Where a cell is, and how its dates may be written, for reading its value.
#[derive(Clone, Copy)]
struct CellRead<'c> {
    span: Span,
    at: CellAt<'c>,
    serials: bool,
}

/// Writes a cell's value, as the type named `ty` (`depth` sets deep) reads it, into `slot`,
/// reusing the texts and sets it held: `集合` cells split into their parts, each read by
/// the set's element type.
fn fill_value(
    slot: &mut Expr,
    cell: &str,
    ty: Option<&str>,
    depth: u32,
    read: CellRead<'_>,
) -> Result<(), Diagnostic> {
    slot.span = read.span;
    if depth == 0 {
        match (scalar(cell, ty, read)?, &mut slot.kind) {
            (Scalar::Text(t), ExprKind::Text(s)) => put_text(s, t),
            (Scalar::Name(n), ExprKind::Name(id)) => {
                put_text(&mut id.name, n);
                id.span = read.span;
            }
            (value, kind) => *kind = value.kind(read.span),
        }
        return Ok(());
    }
    if !matches!(slot.kind, ExprKind::Set(_)) {
        slot.kind = ExprKind::Set(Vec::new());
    }
    let ExprKind::Set(items) = &mut slot.kind else { unreachable!("made a set above") };
    let mut n = 0;
    for part in set_parts(cell) {
        if n == items.len() {
            items.push(Expr { kind: ExprKind::None, span: read.span });
        }
        fill_value(&mut items[n], part, ty, depth - 1, read)?;
        n += 1;
    }
    items.truncate(n);
    Ok(())
}

/// Whether a cell reads as the type named `ty`, `depth` sets deep, building nothing.
fn check_at_depth(cell: &str, ty: Option<&str>, depth: u32, read: CellRead<'_>) -> Result<(), Diagnostic> {
    match depth {
        0 => scalar(cell, ty, read).map(drop),
        _ => set_parts(cell).try_for_each(|p| check_at_depth(p, ty, depth - 1, read)),
    }
}

/// The parts of a `集合` cell: split on `;`, `；` or `、`, each trimmed, empty ones left out.
fn set_parts(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([';', '；', '、']).map(str::trim).filter(|p| !p.is_empty())
}

/// One value of a cell, borrowing its text.
enum Scalar<'t> {
    Int(i64),
    Decimal(Decimal),
    Date(Date),
    Bool(bool),
    Text(&'t str),
    /// A variant's name or a referenced row's key: the checker tells them apart.
    Name(&'t str),
}

impl Scalar<'_> {
    fn kind(self, span: Span) -> ExprKind {
        match self {
            Scalar::Int(i) => ExprKind::Int(i),
            Scalar::Decimal(d) => ExprKind::Decimal(d),
            Scalar::Date(d) => ExprKind::Date(d),
            Scalar::Bool(b) => ExprKind::Bool(b),
            Scalar::Text(t) => ExprKind::Text(t.to_string()),
            Scalar::Name(n) => ExprKind::Name(Ident { name: n.to_string(), span }),
        }
    }
}

/// A cell (or a set's part) as the type named `ty` reads it; text where no type is declared.
fn scalar<'t>(cell: &'t str, ty: Option<&str>, read: CellRead<'_>) -> Result<Scalar<'t>, Diagnostic> {
    let CellRead { span, at, serials } = read;
    let Some(ty) = ty else {
        return Ok(Scalar::Text(cell));
    };
    Ok(match ty {
        "int" | "整数" => {
            Scalar::Int(parse_int(cell).ok_or_else(|| bad_cell(span, at, cell, "整数", "an integer"))?)
        }
        "decimal" | "小数" => {
            let d = Decimal::parse(cell)
                .or_else(|| cell.parse::<i64>().ok().map(|m| Decimal { mantissa: m, scale: 0 }));
            Scalar::Decimal(d.ok_or_else(|| bad_cell(span, at, cell, "小数", "a decimal"))?)
        }
        "date" | "日期" => {
            let serial = if serials { date_from_serial(cell) } else { None };
            let date = Date::parse(cell).or(serial);
            Scalar::Date(date.ok_or_else(|| bad_cell(span, at, cell, "日期", "a date (YYYY-MM-DD)"))?)
        }
        "bool" | "布尔" => match cell {
            "true" | "真" | "是" | "TRUE" | "True" => Scalar::Bool(true),
            "false" | "假" | "否" | "FALSE" | "False" => Scalar::Bool(false),
            _ => return Err(bad_cell(span, at, cell, "真假值（是/否）", "a boolean (true/false)")),
        },
        "text" | "文本" => Scalar::Text(cell),
        // Enum variants are names; a list reference is a key. The checker tells them apart.
        _ => Scalar::Name(key_of_label(cell)),
    })
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
