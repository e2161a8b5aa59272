//! One pass over an OpenDocument sheet's XML before calamine reads it, for two things
//! calamine does not do: bounds and merged cells.
//!
//! Bounds: a row or cell written once may say it repeats (`number-rows-repeated="1000000"`),
//! and calamine materialises up to 100 million cells. Only cells with a value count; the
//! repeated empty rows LibreOffice writes to the sheet's end cost nothing.
//!
//! Merged cells (`number-rows-spanned`, `number-columns-spanned`), per sheet, which
//! calamine does not report for `.ods`.

use std::collections::HashMap;
use std::io::{BufReader, Cursor};

use calamine::Dimensions;
use quick_xml::events::{BytesStart, Event};

use super::{WorkbookError, MAX_AREA};
use crate::diag::msg;

/// At most this many merged regions are remembered per workbook.
const MAX_MERGES: usize = 100_000;

/// Where the walk is: the sheet, the row and column of the next cell.
#[derive(Default)]
struct Walk {
    sheet: String,
    row: u64,
    col: u64,
    rows_repeated: u64,
    cells: u64,
    merges: HashMap<String, Vec<Dimensions>>,
    merge_count: usize,
}

/// The merged regions of each sheet, or an error when the sheet unfolds beyond the bound.
pub(super) fn scan(bytes: &[u8]) -> Result<HashMap<String, Vec<Dimensions>>, WorkbookError> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(HashMap::new()); // calamine reports what is wrong with it
    };
    let Ok(content) = archive.by_name("content.xml") else {
        return Ok(HashMap::new());
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut walk = Walk::default();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => return Ok(walk.merges),
            Ok(Event::Start(e)) => walk.open(&e, false)?,
            Ok(Event::Empty(e)) => walk.open(&e, true)?,
            Ok(Event::End(e)) if e.local_name().as_ref() == "table-row" => walk.end_row(),
            Ok(_) => {}
        }
        buf.clear();
    }
}

impl Walk {
    fn open(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), WorkbookError> {
        match e.local_name().as_ref() {
            "table" => {
                self.sheet = attr(e, "table:name").unwrap_or_default();
                self.row = 0;
            }
            "table-row" => {
                self.rows_repeated = number(e, "table:number-rows-repeated");
                self.col = 0;
                if empty {
                    self.end_row();
                }
            }
            "table-cell" | "covered-table-cell" => self.cell(e)?,
            _ => {}
        }
        Ok(())
    }

    fn end_row(&mut self) {
        self.row = self.row.saturating_add(self.rows_repeated.max(1));
    }

    fn cell(&mut self, e: &BytesStart<'_>) -> Result<(), WorkbookError> {
        let columns = number(e, "table:number-columns-repeated");
        if attr(e, "office:value-type").is_some() {
            self.cells = self.cells.saturating_add(self.rows_repeated.max(1).saturating_mul(columns));
            if self.cells > MAX_AREA as u64 {
                return Err(WorkbookError::TooLarge(msg(
                    format!("重复的行列展开后超过 {MAX_AREA} 个有值的单元格"),
                    format!("its repeated rows and columns unfold to more than {MAX_AREA} cells with values"),
                )));
            }
        }
        let (down, across) =
            (number(e, "table:number-rows-spanned"), number(e, "table:number-columns-spanned"));
        if (down > 1 || across > 1) && self.merge_count < MAX_MERGES {
            let at = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
            let start = (at(self.row), at(self.col));
            let end = (at(self.row + down - 1), at(self.col + across - 1));
            self.merges.entry(self.sheet.clone()).or_default().push(Dimensions::new(start, end));
            self.merge_count += 1;
        }
        self.col = self.col.saturating_add(columns);
        Ok(())
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().map(|a| a.value.to_string())
}

fn number(e: &BytesStart<'_>, name: &str) -> u64 {
    attr(e, name).and_then(|v| v.parse().ok()).unwrap_or(1).clamp(1, 1 << 32)
}
