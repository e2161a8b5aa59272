//! List rows in CSV as Excel and WPS write it: UTF-8 with or without a byte-order mark, or
//! (Excel's "CSV" on Chinese Windows) GBK, read as GB18030, its superset.

use super::{
    first_line_end, malformed, read_table, Column, FileRows, Place, Room, Rows, Table, TableCell, TableRow,
};
use crate::diag::msg;
use crate::source::{FileId, Span};

/// The encoding a CSV file was found in; a writer that puts the file back keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvEncoding {
    Utf8,
    Utf8Bom,
    Gb18030,
}

/// The text of a CSV file: valid UTF-8 is UTF-8 (a BOM kept in the text, since spans count
/// it), anything else is decoded as GB18030 (GBK's superset: every GBK file reads the same).
/// A file that is neither has no reading, and `None` says so.
pub fn decode_csv(bytes: &[u8]) -> Option<(String, CsvEncoding)> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        let encoding = if text.starts_with('\u{feff}') { CsvEncoding::Utf8Bom } else { CsvEncoding::Utf8 };
        return Some((text.to_string(), encoding));
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    (!had_errors).then(|| (text.into_owned(), CsvEncoding::Gb18030))
}

/// Parses CSV (a header row of field names, then one row per item), a row at a time.
pub fn csv_rows(text: &str, file: FileId, key: &str, columns: &[Column<'_>]) -> Rows {
    let mut lines = CsvLines::new(text, file);
    let headers = match lines.next() {
        Some(Ok(header)) => header.cells,
        Some(Err(d)) => return (FileRows::default(), vec![d]),
        None => Vec::new(),
    };
    // About one row a line.
    let room = Room { rows: text.bytes().filter(|&b| b == b'\n').count(), cells: headers.len() };
    let mut error = None;
    let rows = lines.map_while(|line| line.map_err(|d| error = Some(d)).ok());
    let read = read_table(&Place::Csv, text, &headers, rows, room, file, key, columns);
    // A file the reader cannot get through gives no rows, only where it stopped.
    match error {
        Some(d) => (FileRows::default(), vec![d]),
        None => read,
    }
}

/// A CSV text as a table of cell texts (the header row, then the rows).
pub fn csv_table(text: &str, file: FileId) -> Result<Table, crate::diag::Diagnostic> {
    let mut rows = CsvLines::new(text, file).collect::<Result<Vec<_>, _>>()?.into_iter();
    let headers = rows.next().map(|r| r.cells).unwrap_or_default();
    Ok(Table { place: Place::Csv, headers, rows: rows.collect() })
}

/// A CSV text's lines as table rows, one at a time.
struct CsvLines<'t> {
    text: &'t str,
    /// The length of a byte-order mark, which is not content: the reader starts after it,
    /// and offsets are shifted back.
    bom: usize,
    file: FileId,
    reader: csv::Reader<&'t [u8]>,
    record: csv::StringRecord,
    failed: bool,
}

impl<'t> CsvLines<'t> {
    fn new(text: &'t str, file: FileId) -> CsvLines<'t> {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body.as_bytes());
        CsvLines {
            text,
            bom: text.len() - body.len(),
            file,
            reader,
            record: csv::StringRecord::new(),
            failed: false,
        }
    }
}

impl Iterator for CsvLines<'_> {
    type Item = Result<TableRow, crate::diag::Diagnostic>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => Some(Ok(table_row(self.text, self.bom, &self.record, self.file))),
            Err(e) => {
                self.failed = true;
                Some(Err(csv_error(&e, self.file, self.text, self.bom)))
            }
        }
    }
}

fn table_row(text: &str, bom: usize, record: &csv::StringRecord, file: FileId) -> TableRow {
    let (start, line) = record.position().map_or((bom, 1), |p| (bom + p.byte() as usize, p.line() as u32));
    let end = first_line_end(text, start);
    let spans = cell_spans(text, start, end, record.len(), file);
    let cells = record
        .iter()
        .zip(spans)
        .enumerate()
        .map(|(i, (cell, span))| TableCell { text: cell.to_string(), span, line, col: i as u32 })
        .collect();
    TableRow { cells, span: Span::new(file, start, end), line }
}

/// The csv crate's errors are English; what a drafter needs is where, in their language.
fn csv_error(e: &csv::Error, file: FileId, text: &str, bom: usize) -> crate::diag::Diagnostic {
    let at = e.position().map_or(bom, |p| bom + p.byte() as usize).min(text.len());
    let line = e.position().map_or(1, |p| p.line());
    malformed(
        Span::new(file, at, first_line_end(text, at)),
        msg(format!("第 {line} 行无法读取（检查引号是否成对）"), format!("line {line} cannot be read ({e})")),
        "CSV",
    )
}

/// Spans of the cells of one CSV line. Exact for unquoted lines; a quoted line (where a
/// comma may sit inside a cell) gives every cell the whole line.
fn cell_spans(text: &str, start: usize, end: usize, n: usize, file: FileId) -> Vec<Span> {
    let line = &text[start..end];
    let whole = Span::new(file, start, end);
    if line.contains('"') {
        return vec![whole; n];
    }
    let mut spans = Vec::with_capacity(n);
    let mut offset = start;
    for cell in line.split(',') {
        spans.push(Span::new(file, offset, offset + cell.len()));
        offset += cell.len() + 1;
    }
    spans.resize(n, whole);
    spans
}
