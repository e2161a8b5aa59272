//! List rows in CSV as Excel and WPS write it: UTF-8 with or without a byte-order mark, or
//! (Excel's "CSV" on Chinese Windows) GBK, read as GB18030, its superset.

use super::{
    first_line_end, malformed, Column, FileRows, Place, Room, Rows, Table, TableCell, TableReader, TableRow,
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

/// Parses CSV (a header row of field names, then one row per item), a row at a time, into
/// one reused row.
pub fn csv_rows(text: &str, file: FileId, key: &str, columns: &[Column<'_>]) -> Rows {
    let mut lines = CsvLines::new(text, file);
    let headers = match lines.next() {
        Some(Ok(header)) => header.cells,
        Some(Err(d)) => return (FileRows::default(), vec![d]),
        None => Vec::new(),
    };
    // About one row a line.
    let room = Room { rows: text.bytes().filter(|&b| b == b'\n').count(), cells: headers.len() };
    let mut reader = TableReader::new(&Place::Csv, text, &headers, room, file, key, columns);
    let mut row = TableRow::default();
    while let Some(read) = lines.next_into(&mut row) {
        match read {
            Ok(()) => reader.row(&row),
            // A file the reader cannot get through gives no rows, only where it stopped.
            Err(d) => return (FileRows::default(), vec![d]),
        }
    }
    reader.done()
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
    lines: Lines<'t>,
}

/// How a CSV text is split into rows.
enum Lines<'t> {
    /// A text without a quote: a row is a line, and a cell what lies between commas, as
    /// the csv crate would read it (blank lines skipped, `\r`, `\n` and `\r\n` all
    /// ending a line), without its copying and checking: the cells are the text's own.
    Plain { at: usize, line: u32 },
    /// Any other text, through the csv crate.
    Quoted { reader: Box<csv::Reader<&'t [u8]>>, record: csv::StringRecord },
}

impl<'t> CsvLines<'t> {
    fn new(text: &'t str, file: FileId) -> CsvLines<'t> {
        Self::split(text, file, false)
    }

    /// `through_crate`: through the csv crate even without a quote (to test that both
    /// readings agree).
    fn split(text: &'t str, file: FileId, through_crate: bool) -> CsvLines<'t> {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let bom = text.len() - body.len();
        let lines = if through_crate || body.contains('"') {
            let reader =
                csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body.as_bytes());
            Lines::Quoted { reader: Box::new(reader), record: csv::StringRecord::new() }
        } else {
            Lines::Plain { at: bom, line: 1 }
        };
        CsvLines { text, bom, file, lines }
    }

    /// Reads the next row into `row`, reusing its cells' room; `None` after the last.
    fn next_into(&mut self, row: &mut TableRow) -> Option<Result<(), crate::diag::Diagnostic>> {
        let (text, file) = (self.text, self.file);
        match &mut self.lines {
            Lines::Plain { at, line } => {
                skip_blank_lines(text, at, line);
                if *at >= text.len() {
                    return None;
                }
                let (start, end) = (*at, first_line_end(text, *at));
                *at = end;
                fill_row(row, plain_cells(text, start, end, file), Span::new(file, start, end), *line);
            }
            Lines::Quoted { reader, record } => match reader.read_record(record) {
                Ok(false) => return None,
                Ok(true) => {
                    let at = record
                        .position()
                        .map_or((self.bom, 1), |p| (self.bom + p.byte() as usize, p.line() as u32));
                    // The crate gives where it began to look for the record, before the
                    // blank lines it skipped.
                    let (mut start, mut line) = at;
                    skip_blank_lines(text, &mut start, &mut line);
                    let end = first_line_end(text, start);
                    let spans = cell_spans(text, start, end, record.len(), file);
                    fill_row(row, record.iter().zip(spans), Span::new(file, start, end), line);
                }
                Err(e) => return Some(Err(csv_error(&e, file, text, self.bom))),
            },
        }
        Some(Ok(()))
    }
}

impl Iterator for CsvLines<'_> {
    type Item = Result<TableRow, crate::diag::Diagnostic>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut row = TableRow::default();
        Some(self.next_into(&mut row)?.map(|()| row))
    }
}

/// Moves `at` past the line ends there, counting the lines passed.
fn skip_blank_lines(text: &str, at: &mut usize, line: &mut u32) {
    while let Some(&b @ (b'\n' | b'\r')) = text.as_bytes().get(*at) {
        *line += u32::from(b == b'\n');
        *at += 1;
    }
}

/// Makes `row` the line at `span` with `cells`, reusing the room its cells had.
fn fill_row<'c>(row: &mut TableRow, cells: impl Iterator<Item = (&'c str, Span)>, span: Span, line: u32) {
    let mut n = 0;
    for (col, (text, span)) in cells.enumerate() {
        match row.cells.get_mut(col) {
            Some(cell) => {
                super::put_text(&mut cell.text, text);
                (cell.span, cell.line, cell.col) = (span, line, col as u32);
            }
            None => row.cells.push(TableCell { text: text.to_string(), span, line, col: col as u32 }),
        }
        n = col + 1;
    }
    row.cells.truncate(n);
    (row.span, row.line) = (span, line);
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
    let mut spans: Vec<Span> = plain_cells(text, start, end, file).map(|(_, span)| span).collect();
    spans.resize(n, whole);
    spans
}

/// The cells of an unquoted line `text[start..end]`, each with its span: what lies
/// between commas.
fn plain_cells(text: &str, start: usize, end: usize, file: FileId) -> impl Iterator<Item = (&str, Span)> {
    let mut offset = start;
    text[start..end].split(',').map(move |cell| {
        let span = Span::new(file, offset, offset + cell.len());
        offset += cell.len() + 1;
        (cell, span)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Each row as its debug text: cells with their spans, lines and columns.
    fn rows(text: &str, through_crate: bool) -> Vec<String> {
        let mut lines = CsvLines::split(text, FileId(1), through_crate);
        let mut row = TableRow::default();
        let mut rows = Vec::new();
        while let Some(read) = lines.next_into(&mut row) {
            read.expect("a text without quotes always reads");
            rows.push(format!("{row:?}"));
        }
        rows
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// A text without quotes is split as the csv crate splits it: the same rows, cells,
        /// spans and line numbers, blank lines and every line ending included; the row
        /// reused from line to line keeps nothing of a longer line before it.
        #[test]
        fn plain_lines_split_as_the_csv_crate_does(
            parts in proptest::collection::vec(prop_oneof![
                Just("a"), Just("中文"), Just(","), Just("\n"), Just("\r"), Just("\r\n"), Just(" "), Just("\u{3000}"),
            ], 0..40),
            bom in any::<bool>(),
        ) {
            let text = format!("{}{}", if bom { "\u{feff}" } else { "" }, parts.concat());
            prop_assert_eq!(rows(&text, false), rows(&text, true));
        }
    }
}
