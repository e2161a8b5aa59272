//! List rows in a workbook (`.xlsx`, `.xls`, `.ods`), read with calamine from bytes.
//!
//! A sheet becomes text, one line per sheet row (line 17 is row 17, blank rows blank
//! lines, cells as CSV would write them), so that messages show the row as a drafter sees
//! it; every cell message also names the cell (`职责清单!D17`). Cell values become text as
//! the sheet shows them: whole numbers without `.0`, dates (date-formatted cells, and day
//! numbers in a `日期` column) as `YYYY-MM-DD`, a formula by its cached value, text cells
//! as written (codes keep their leading zeros).
//!
//! A workbook is a zip archive (or, for `.xls`, a compound file) someone else made, so it
//! is bounded before anything is unpacked: each zip entry's declared size (which the zip
//! reader holds the data to) at most [`MAX_ENTRY_BYTES`], an `.xls` file's records checked
//! and its container rewritten (`xls_bounds`), and while cells are read, at most
//! [`MAX_ROWS`] rows, [`MAX_COLUMNS`] columns and [`MAX_AREA`] cell places; merged regions
//! are filled within a budget of cell visits.

mod ods_bounds;
mod xls_bounds;

use std::io::Cursor;

use calamine::{Data, DataRef, Dimensions, Ods, Reader, Xls, Xlsx};

use super::{Column, Place, Rows, Table, TableCell, TableRow};
use crate::diag::{msg, Code, Diagnostic, Msg};
use crate::source::{FileId, Span};

/// The largest unpacked part of a workbook (a sheet's XML, its shared strings).
pub const MAX_ENTRY_BYTES: u64 = 96 * 1024 * 1024;
/// The most rows a sheet read as a list may have.
pub const MAX_ROWS: u32 = 300_000;
/// The most columns.
pub const MAX_COLUMNS: u32 = 1_024;
/// The most cell places kept (each row as wide as its last cell).
pub const MAX_AREA: usize = 6_000_000;

/// The most cell visits spent filling merged regions (twice the cells a sheet may have).
const MERGE_VISITS: usize = 2 * MAX_AREA;

const EXTENSIONS: [&str; 4] = [".xlsx", ".xlsm", ".xls", ".ods"];

/// Whether a data file's path (without a `#sheet`) names a workbook.
pub fn is_workbook(path: &str) -> bool {
    let lower = path.to_lowercase();
    EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// `"x.xlsx#职责清单"` → (`x.xlsx`, `Some("职责清单")`); a `#` in any other path is part of it.
pub fn split_sheet(written: &str) -> (&str, Option<&str>) {
    match written.rsplit_once('#') {
        Some((path, sheet)) if is_workbook(path) && !sheet.is_empty() => (path, Some(sheet)),
        _ => (written, None),
    }
}

/// A workbook's sheet read as a list: the text shown for it, its items, and where each
/// data cell is in that text with its address (`职责清单!D17`), so that what the checker
/// later finds in a cell can name it as the drafter finds it.
pub struct WorkbookRows {
    pub sheet: String,
    pub text: String,
    pub rows: Rows,
    pub cells: Vec<(Span, String)>,
}

/// Reads the sheet (`sheet`, else the first) of the workbook `bytes`; `path` picks the
/// format by its extension, `at` is where the policy names the file (for errors that have
/// no cell), `file` the id the shown text will have.
pub fn workbook_rows(
    bytes: &[u8],
    path: &str,
    sheet: Option<&str>,
    at: Span,
    file: FileId,
    key: &str,
    columns: &[Column<'_>],
) -> Result<WorkbookRows, Diagnostic> {
    let grid = read_grid(bytes, path, sheet).map_err(|e| e.at(at, path))?;
    let (text, table) = render(&grid, file);
    let rows = super::table_rows(&table, &text, file, key, columns);
    let cells = table
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .map(|c| (c.span, format!("{}!{}{}", grid.sheet, super::column_letters(c.col), c.line)))
        .collect();
    Ok(WorkbookRows { sheet: grid.sheet, text, rows, cells })
}

/// The sheet (`sheet`, else the first) of the workbook `bytes` as a table of cell texts,
/// with the sheet's name: what `qingdan import` proposes declarations from.
pub fn workbook_table(
    bytes: &[u8],
    path: &str,
    sheet: Option<&str>,
    at: Span,
    file: FileId,
) -> Result<(String, Table), Diagnostic> {
    let grid = read_grid(bytes, path, sheet).map_err(|e| e.at(at, path))?;
    let (_, table) = render(&grid, file);
    Ok((grid.sheet, table))
}

/// Why a workbook could not be read.
#[derive(Debug)]
enum WorkbookError {
    /// Not a workbook of its extension's kind, or damaged (E0133).
    Corrupt(String),
    /// Encrypted with a password (E0133).
    Password,
    /// No sheet of that name (E0134), with the names there are.
    NoSheet(String, Vec<String>),
    /// Larger than the bounds (E0135).
    TooLarge(Msg),
}

impl WorkbookError {
    fn at(self, span: Span, path: &str) -> Diagnostic {
        match self {
            WorkbookError::Corrupt(detail) => Diagnostic::new(
                Code::E0133,
                span,
                msg(
                    format!("`{path}` 无法作为工作簿读取：文件已损坏，或不是它的扩展名所说的格式"),
                    format!("`{path}` cannot be read as a workbook: it is damaged, or not the format its extension says ({detail})"),
                ),
            )
            .help(msg(
                "用 Excel、WPS 或 LibreOffice 打开后另存为 .xlsx 再试",
                "open it in Excel, WPS or LibreOffice and save it again as .xlsx",
            )),
            WorkbookError::Password => Diagnostic::new(
                Code::E0133,
                span,
                msg(format!("工作簿 `{path}` 设有打开密码，无法读取"), format!("workbook `{path}` is protected by a password")),
            )
            .help(msg("另存一份不设密码的副本，引用那一份", "save a copy without a password and name that one")),
            WorkbookError::NoSheet(sheet, names) => {
                let hint = crate::check::suggest::did_you_mean(&sheet, names.iter().map(String::as_str));
                let list = names.join("、");
                Diagnostic::new(
                    Code::E0134,
                    span,
                    msg(
                        format!("工作簿 `{path}` 里没有工作表 `{sheet}`"),
                        format!("workbook `{path}` has no sheet `{sheet}`"),
                    ),
                )
                .help(crate::check::suggest::with_hint(
                    hint,
                    msg(format!("它的工作表有：{list}"), format!("its sheets are: {}", names.join(", "))),
                ))
            }
            WorkbookError::TooLarge(why) => Diagnostic::new(
                Code::E0135,
                span,
                msg(format!("工作簿 `{path}` 过大：{}", why.zh), format!("workbook `{path}` is too large: {}", why.en)),
            )
            .help(msg(
                format!("一个清单至多 {MAX_ROWS} 行、{MAX_COLUMNS} 列；把数据拆到几个工作表或文件里"),
                format!("a list has at most {MAX_ROWS} rows and {MAX_COLUMNS} columns; split the rows over several sheets or files"),
            )),
        }
    }
}

/// A sheet's cells as text, row by row (row 0 is sheet row 1); each row as long as its
/// last cell.
#[derive(Debug, Default)]
struct Grid {
    sheet: String,
    rows: Vec<Vec<String>>,
    area: usize,
    /// The merged regions, which tell how tall the header is.
    merged: Vec<Dimensions>,
}

impl Grid {
    fn put(&mut self, row: u32, col: u32, text: String) -> Result<(), WorkbookError> {
        if row >= MAX_ROWS {
            return Err(WorkbookError::TooLarge(msg(
                format!("第 {} 行超过了 {MAX_ROWS} 行", row + 1),
                format!("row {} is beyond {MAX_ROWS} rows", row + 1),
            )));
        }
        if col >= MAX_COLUMNS {
            return Err(WorkbookError::TooLarge(msg(
                format!("第 {} 列超过了 {MAX_COLUMNS} 列", col + 1),
                format!("column {} is beyond {MAX_COLUMNS} columns", col + 1),
            )));
        }
        if text.is_empty() {
            return Ok(());
        }
        let (r, c) = (row as usize, col as usize);
        if self.rows.len() <= r {
            self.rows.resize_with(r + 1, Vec::new);
        }
        let cells = &mut self.rows[r];
        if cells.len() <= c {
            self.area += c + 1 - cells.len();
            if self.area > MAX_AREA {
                return Err(WorkbookError::TooLarge(msg(
                    format!("单元格超过 {MAX_AREA} 个"),
                    format!("more than {MAX_AREA} cells"),
                )));
            }
            cells.resize(c + 1, String::new());
        }
        cells[c] = text;
        Ok(())
    }

    fn get(&self, row: usize, col: usize) -> &str {
        self.rows.get(row).and_then(|r| r.get(col)).map_or("", String::as_str)
    }

    /// Gives every empty cell of a merged region the region's value (its top-left cell),
    /// within the rows the sheet has: a merged header over two columns names both, a
    /// department merged down three rows belongs to each.
    ///
    /// The file may hold many regions over the same large area, each costing a visit per
    /// cell even where nothing is left to fill, so the visits are budgeted.
    fn fill_merged(&mut self, regions: &[Dimensions]) -> Result<(), WorkbookError> {
        let mut visits = 0usize;
        for region in regions {
            let (top, left) = (region.start.0 as usize, region.start.1 as usize);
            let value = self.get(top, left).to_string();
            if value.is_empty() {
                continue;
            }
            let bottom = (region.end.0 as usize).min(self.rows.len().saturating_sub(1));
            let right = (region.end.1 as usize).min(MAX_COLUMNS as usize);
            visits = visits.saturating_add(
                (bottom + 1).saturating_sub(top).saturating_mul((right + 1).saturating_sub(left)),
            );
            if visits > MERGE_VISITS {
                return Err(WorkbookError::TooLarge(msg(
                    format!("合并单元格共覆盖超过 {MERGE_VISITS} 个单元格"),
                    format!("its merged cells cover more than {MERGE_VISITS} cells in all"),
                )));
            }
            for row in top..=bottom {
                for col in left..=(region.end.1 as usize) {
                    if (row, col) != (top, left) && self.get(row, col).is_empty() {
                        self.put(row as u32, col as u32, value.clone())?;
                    }
                }
            }
        }
        self.merged = regions.to_vec();
        Ok(())
    }
}

fn read_grid(bytes: &[u8], path: &str, sheet: Option<&str>) -> Result<Grid, WorkbookError> {
    // The loader reads one byte past the limit, so a larger file arrives cut short: say
    // that it is too large rather than that it is damaged.
    let max = crate::syntax::lex::MAX_FILE_BYTES;
    if bytes.len() > max {
        return Err(WorkbookError::TooLarge(msg(
            format!("文件超过 {} MiB", max >> 20),
            format!("the file is larger than {} MiB", max >> 20),
        )));
    }
    // calamine parses files from outside; what it still cannot take, after the bounds
    // checked here, is a damaged file, not a reason for the whole check to crash.
    let read = std::panic::AssertUnwindSafe(|| read_book(bytes, path, sheet));
    std::panic::catch_unwind(read)
        .unwrap_or_else(|_| Err(WorkbookError::Corrupt("the workbook reader stopped on it".into())))
}

fn read_book(bytes: &[u8], path: &str, sheet: Option<&str>) -> Result<Grid, WorkbookError> {
    let lower = path.to_lowercase();
    if lower.ends_with(".xls") {
        let clean = xls_bounds::sanitize(bytes)?;
        let mut book = Xls::new(Cursor::new(clean)).map_err(xls_error)?;
        let name = pick_sheet(book.sheet_names(), sheet)?;
        let range = book.worksheet_range(&name).map_err(xls_error)?;
        let merged = book.merge_cells_by_sheet_name(&name).unwrap_or_default();
        from_range(name, &range, &merged)
    } else if lower.ends_with(".ods") {
        check_zip(bytes)?;
        let mut merges = ods_bounds::scan(bytes)?;
        let mut book: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(ods_error)?;
        let name = pick_sheet(book.sheet_names(), sheet)?;
        let range = book.worksheet_range(&name).map_err(ods_error)?;
        let merged = merges.remove(&name).unwrap_or_default();
        from_range(name, &range, &merged)
    } else {
        check_zip(bytes)?;
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
        let name = pick_sheet(book.sheet_names(), sheet)?;
        let merged = book.merge_cells_by_sheet_name(&name).map_err(xlsx_error)?;
        let mut grid = Grid { sheet: name.clone(), ..Grid::default() };
        let mut cells = book.worksheet_cells_reader(&name).map_err(xlsx_error)?;
        // Streamed, so that the bounds hold before anything the size of the sheet exists.
        while let Some(cell) = cells.next_cell().map_err(xlsx_error)? {
            let (row, col) = cell.get_position();
            grid.put(row, col, ref_text(cell.get_value()))?;
        }
        grid.fill_merged(&merged)?;
        Ok(grid)
    }
}

fn from_range(
    sheet: String,
    range: &calamine::Range<Data>,
    merged: &[Dimensions],
) -> Result<Grid, WorkbookError> {
    let mut grid = Grid { sheet, ..Grid::default() };
    for (row, col, value) in range.used_cells() {
        let (start_row, start_col) = range.start().unwrap_or((0, 0));
        grid.put(start_row + row as u32, start_col + col as u32, data_text(value))?;
    }
    grid.fill_merged(merged)?;
    Ok(grid)
}

fn pick_sheet(names: Vec<String>, wanted: Option<&str>) -> Result<String, WorkbookError> {
    match wanted {
        None => names.into_iter().next().ok_or_else(|| WorkbookError::Corrupt("no sheet".into())),
        Some(w) if names.iter().any(|n| n == w) => Ok(w.to_string()),
        Some(w) => Err(WorkbookError::NoSheet(w.to_string(), names)),
    }
}

/// Refuses a zip archive with an entry whose declared size is beyond the bound; the zip
/// reader stops at the declared size, so nothing larger is ever unpacked.
fn check_zip(bytes: &[u8]) -> Result<(), WorkbookError> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // Not a zip: an encrypted workbook is a compound file, which calamine recognises.
        return Ok(());
    };
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| WorkbookError::Corrupt(e.to_string()))?;
        if entry.size() > MAX_ENTRY_BYTES {
            let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
            return Err(WorkbookError::TooLarge(msg(
                format!(
                    "其中 `{}` 解压后有 {} MiB，超过 {} MiB",
                    name,
                    entry.size() >> 20,
                    MAX_ENTRY_BYTES >> 20
                ),
                format!(
                    "its part `{}` unpacks to {} MiB, more than {} MiB",
                    name,
                    entry.size() >> 20,
                    MAX_ENTRY_BYTES >> 20
                ),
            )));
        }
    }
    Ok(())
}

fn xlsx_error(e: calamine::XlsxError) -> WorkbookError {
    match e {
        calamine::XlsxError::Password => WorkbookError::Password,
        other => WorkbookError::Corrupt(other.to_string()),
    }
}

fn xls_error(e: calamine::XlsError) -> WorkbookError {
    match e {
        calamine::XlsError::Password => WorkbookError::Password,
        other => WorkbookError::Corrupt(other.to_string()),
    }
}

fn ods_error(e: calamine::OdsError) -> WorkbookError {
    match e {
        calamine::OdsError::Password => WorkbookError::Password,
        other => WorkbookError::Corrupt(other.to_string()),
    }
}

fn ref_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => iso_text(s),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Bool(b) => bool_text(*b),
        DataRef::DateTime(d) => datetime_text(d),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

fn data_text(value: &Data) -> String {
    match value {
        Data::String(s) => s.clone(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => iso_text(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => bool_text(*b),
        Data::DateTime(d) => datetime_text(d),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

/// An ISO date-time at midnight is a date (`2024-03-01T00:00:00` → `2024-03-01`).
fn iso_text(s: &str) -> String {
    s.strip_suffix("T00:00:00").unwrap_or(s).to_string()
}

fn bool_text(b: bool) -> String {
    if b { "TRUE" } else { "FALSE" }.to_string()
}

/// Whole numbers as integers (a workbook keeps `42` as `42.0`), others in the shortest
/// form that reads back as the same number.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn datetime_text(d: &calamine::ExcelDateTime) -> String {
    if !d.is_datetime() {
        return float_text(d.as_f64());
    }
    let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{day:02}")
    } else {
        format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}")
    }
}

/// The sheet as text (line n is row n) and as a table: the header is the first non-blank
/// row, extended down over the rows its vertically merged cells cover; a column's name is
/// its lowest header cell (so `联系方式` merged over `电话` and `邮箱` names neither).
fn render(grid: &Grid, file: FileId) -> (String, Table) {
    let mut text = String::new();
    let mut lines: Vec<Vec<TableCell>> = Vec::with_capacity(grid.rows.len());
    for (r, cells) in grid.rows.iter().enumerate() {
        let line = r as u32 + 1;
        let mut shown = Vec::with_capacity(cells.len());
        for (c, cell) in cells.iter().enumerate() {
            if c > 0 {
                text.push(',');
            }
            let start = text.len();
            text.push_str(&csv_quoted(cell));
            let span = Span::new(file, start, text.len());
            shown.push(TableCell { text: cell.clone(), span, line, col: c as u32 });
        }
        text.push('\n');
        lines.push(shown);
    }
    let place = Place::Sheet(grid.sheet.clone());
    let Some(first) = lines.iter().position(|l| l.iter().any(|c| !c.text.trim().is_empty())) else {
        return (text, Table { place, headers: Vec::new(), rows: Vec::new() });
    };
    let band_end = header_band_end(grid, first);
    let headers = header_names(&lines[first..=band_end]);
    let rows = lines
        .into_iter()
        .enumerate()
        .skip(band_end + 1)
        .filter(|(_, cells)| cells.iter().any(|c| !c.text.trim().is_empty()))
        .map(|(r, cells)| {
            let span = match (cells.first(), cells.last()) {
                (Some(a), Some(b)) => Span::new(file, a.span.start as usize, b.span.end as usize),
                _ => Span::default(),
            };
            TableRow { cells, span, line: r as u32 + 1 }
        })
        .collect();
    (text, Table { place, headers, rows })
}

/// The last row of the header: the first row, or further down when cells of the header
/// row are merged down over the rows below (which then name sub-columns).
fn header_band_end(grid: &Grid, first: usize) -> usize {
    let merged_down = grid.merged.iter().filter(|m| m.start.0 as usize == first);
    // At most four header rows: a taller merge is a cell spanning data rows.
    merged_down.map(|m| m.end.0 as usize).filter(|end| end - first < 4).max().unwrap_or(first).max(first)
}

fn header_names(band: &[Vec<TableCell>]) -> Vec<TableCell> {
    let width = band.iter().map(Vec::len).max().unwrap_or(0);
    let mut headers: Vec<TableCell> = (0..width)
        .map(|c| {
            band.iter()
                .rev()
                .filter_map(|r| r.get(c))
                .find(|cell| !cell.text.trim().is_empty())
                .cloned()
                .unwrap_or_else(|| TableCell {
                    text: String::new(),
                    span: Span::default(),
                    line: 1,
                    col: c as u32,
                })
        })
        .collect();
    for h in &mut headers {
        h.text = h.text.trim().to_string();
    }
    // Trailing empty columns are not columns.
    while headers.last().is_some_and(|h| h.text.is_empty()) {
        headers.pop();
    }
    headers
}

/// A cell as CSV shows it: quoted when it holds a comma, quote or line break (shown as a
/// space, so that line n stays row n).
fn csv_quoted(cell: &str) -> String {
    let flat: String = cell.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
    if flat.contains([',', '"']) {
        format!("\"{}\"", flat.replace('"', "\"\""))
    } else {
        flat
    }
}

#[cfg(test)]
mod tests;
