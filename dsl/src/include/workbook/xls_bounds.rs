//! An `.xls` workbook made safe for calamine before it reads it.
//!
//! An `.xls` file is a compound file (a small FAT file system) holding a `Workbook` stream
//! of BIFF records. calamine trusts both more than a file from outside deserves: its
//! compound-file reader follows sector chains without noticing a loop (a few hundred bytes
//! that never finish reading), a sheet's `DIMENSIONS` record is reserved as rows × columns
//! cells before any cell is read (four billion rows say the BIFF8 fields), a sheet starts
//! wherever its `BoundSheet8` record says (beyond the stream is a panic), and the cells
//! become one dense rectangle from the first to the last (a cell at A1 and one at IV65536
//! are 16.7 million cells, half a gigabyte).
//!
//! So the container is read with the `cfb` crate, which checks its chains; the `Workbook`
//! stream's records are walked the way calamine walks them, and every place calamine would
//! size something from the file is bounded; then calamine is given a compound file written
//! here, holding only that stream, so that it never meets the original container at all.

use std::io::{Cursor, Read, Write};

use super::{WorkbookError, MAX_AREA, MAX_ENTRY_BYTES};
use crate::diag::msg;

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const CONTINUE: u16 = 0x003C;
const FILE_PASS: u16 = 0x002F;
const BOUND_SHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
const MUL_RK: u16 = 0x00BD;
const FORMULA: u16 = 0x0006;
const FORMULA_STRING: u16 = 0x0207;
/// Records whose first four bytes are the row and column of one cell (Number, Label,
/// RString, BoolErr, Rk, LabelSst): the ones calamine keeps as cells.
const CELLS: [u16; 6] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD];

/// The workbook `bytes` (a compound file) rewritten as a compound file holding only its
/// checked `Workbook` stream, or why it cannot be read within the bounds.
pub(super) fn sanitize(bytes: &[u8]) -> Result<Vec<u8>, WorkbookError> {
    let stream = workbook_stream(bytes)?;
    check_records(&stream)?;
    rebuild(&stream)
}

/// The `Workbook` (or, in files older than Excel 97, `Book`) stream, named in any case as
/// calamine accepts it.
fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, WorkbookError> {
    let corrupt = |e: std::io::Error| WorkbookError::Corrupt(e.to_string());
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(corrupt)?;
    let find = |name: &str| {
        file.walk()
            .find(|e| e.is_stream() && e.name().eq_ignore_ascii_case(name))
            .map(|e| (e.path().to_path_buf(), e.len()))
    };
    let Some((path, len)) = find("Workbook").or_else(|| find("Book")) else {
        return Err(WorkbookError::Corrupt("no Workbook stream".into()));
    };
    if len > MAX_ENTRY_BYTES {
        return Err(too_large_stream(len));
    }
    let mut stream = Vec::new();
    file.open_stream(&path)
        .map_err(corrupt)?
        .take(MAX_ENTRY_BYTES)
        .read_to_end(&mut stream)
        .map_err(corrupt)?;
    Ok(stream)
}

fn too_large_stream(len: u64) -> WorkbookError {
    WorkbookError::TooLarge(msg(
        format!("其中的工作簿数据有 {} MiB，超过 {} MiB", len >> 20, MAX_ENTRY_BYTES >> 20),
        format!("its workbook data is {} MiB, more than {} MiB", len >> 20, MAX_ENTRY_BYTES >> 20),
    ))
}

/// One BIFF record: its type and its data with any `CONTINUE` records after it (which
/// calamine reads as part of it, so they are never records of their own).
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
}

/// The records from `stream`'s start, as calamine's record iterator reads them; a record
/// cut short ends the walk with an error.
fn records(stream: &[u8]) -> impl Iterator<Item = Result<Record<'_>, WorkbookError>> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some((typ, data, next)) = split_record(rest) else {
            rest = &[];
            return Some(Err(WorkbookError::Corrupt("a record is cut short".into())));
        };
        rest = next;
        while let Some((CONTINUE, _, next)) = split_record(rest) {
            rest = next;
        }
        Some(Ok(Record { typ, data }))
    })
}

fn split_record(bytes: &[u8]) -> Option<(u16, &[u8], &[u8])> {
    let typ = u16::from_le_bytes([*bytes.first()?, *bytes.get(1)?]);
    let len = u16::from_le_bytes([*bytes.get(2)?, *bytes.get(3)?]) as usize;
    let data = bytes.get(4..4 + len)?;
    Some((typ, data, &bytes[4 + len..]))
}

fn u16_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u16::from_le_bytes([*data.get(at)?, *data.get(at + 1)?]) as u32)
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// Walks the workbook globals for the sheets' positions, then each sheet from there, as
/// calamine does when it opens the file (it reads every sheet then, not only the one asked
/// for).
fn check_records(stream: &[u8]) -> Result<(), WorkbookError> {
    let mut sheets = Vec::new();
    for record in records(stream) {
        let record = record?;
        match record.typ {
            // An encrypted workbook: calamine says so from this record, and reads no sheet.
            FILE_PASS if u16_at(record.data, 0).is_some_and(|v| v != 0) => return Ok(()),
            BOUND_SHEET => sheets.push(sheet_position(record.data, stream.len())?),
            BOF if record.data.len() < 2 => return Err(short_bof()),
            EOF => break,
            _ => {}
        }
    }
    for start in sheets {
        check_sheet(&stream[start..])?;
    }
    Ok(())
}

fn sheet_position(data: &[u8], stream_len: usize) -> Result<usize, WorkbookError> {
    // calamine reads the position, then the sheet's visibility and kind at bytes 4 and 5.
    let position = u32_at(data, 0).filter(|_| data.len() >= 6).map(|p| p as usize);
    match position {
        Some(p) if p <= stream_len => Ok(p),
        _ => Err(WorkbookError::Corrupt("a sheet starts outside the workbook".into())),
    }
}

/// calamine reads a `BOF` record's version without looking at its length.
fn short_bof() -> WorkbookError {
    WorkbookError::Corrupt("a BOF record is cut short".into())
}

/// The rectangle calamine will lay a sheet's cells out in, grown cell by cell.
#[derive(Default)]
struct Extent {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl Extent {
    fn add(&mut self, row: u32, col: u32) -> Result<(), WorkbookError> {
        let grow =
            |span: Option<(u32, u32)>, at: u32| span.map_or((at, at), |(lo, hi)| (lo.min(at), hi.max(at)));
        self.rows = Some(grow(self.rows, row));
        self.cols = Some(grow(self.cols, col));
        let height = self.rows.map_or(0, |(lo, hi)| (hi - lo) as usize + 1);
        let width = self.cols.map_or(0, |(lo, hi)| (hi - lo) as usize + 1);
        within_area(height, width)
    }
}

fn within_area(height: usize, width: usize) -> Result<(), WorkbookError> {
    if height.saturating_mul(width) > MAX_AREA {
        return Err(WorkbookError::TooLarge(msg(
            format!("一个工作表的单元格从首到尾跨 {height} 行 × {width} 列，超过 {MAX_AREA} 个"),
            format!("a sheet's cells span {height} rows × {width} columns, more than {MAX_AREA} cells"),
        )));
    }
    Ok(())
}

/// One sheet's records up to its end, nested substreams (embedded charts) skipped as
/// calamine skips them.
fn check_sheet(sheet: &[u8]) -> Result<(), WorkbookError> {
    let mut extent = Extent::default();
    let (mut seen_bof, mut depth) = (false, 0usize);
    let mut formula_at = (0, 0);
    for record in records(sheet) {
        let Record { typ, data } = record?;
        if depth > 0 {
            match typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            BOF if data.len() < 2 => return Err(short_bof()),
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => check_dimensions(data)?,
            MUL_RK => check_mul_rk(data, &mut extent)?,
            FORMULA if data.len() >= 20 => {
                formula_at = (u16_at(data, 0).unwrap_or(0), u16_at(data, 2).unwrap_or(0));
                extent.add(formula_at.0, formula_at.1)?;
            }
            FORMULA_STRING => extent.add(formula_at.0, formula_at.1)?,
            t if CELLS.contains(&t) => {
                if let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) {
                    extent.add(row, col)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// calamine reserves the rectangle a `DIMENSIONS` record declares, computed in `u32`
/// (an end before the start underflows).
fn check_dimensions(data: &[u8]) -> Result<(), WorkbookError> {
    let fields = match data.len() {
        10 => (u16_at(data, 0), u16_at(data, 2), u16_at(data, 4), u16_at(data, 6)),
        14 | 16 => (u32_at(data, 0), u32_at(data, 4), u16_at(data, 8), u16_at(data, 10)),
        _ => return Ok(()), // calamine refuses the record itself
    };
    let (Some(first_row), Some(row_end), Some(mut first_col), Some(col_end)) = fields else {
        return Ok(());
    };
    if first_col > 0xFF || col_end < first_col {
        first_col = 0;
    }
    if row_end == 0 || col_end == 0 {
        return Ok(()); // calamine takes it as one cell
    }
    if row_end - 1 < first_row || col_end - 1 < first_col {
        return Err(WorkbookError::Corrupt("a sheet's DIMENSIONS record ends before it starts".into()));
    }
    within_area((row_end - first_row) as usize, (col_end - first_col) as usize)
}

/// A `MULRK` record: several numbers in one row, from a first to a last column.
fn check_mul_rk(data: &[u8], extent: &mut Extent) -> Result<(), WorkbookError> {
    if data.len() < 6 {
        return Ok(()); // calamine refuses it
    }
    let (Some(row), Some(first), Some(last)) =
        (u16_at(data, 0), u16_at(data, 2), u16_at(data, data.len() - 2))
    else {
        return Ok(());
    };
    if last < first {
        return Err(WorkbookError::Corrupt("a MULRK record ends before it starts".into()));
    }
    extent.add(row, first)?;
    extent.add(row, last)
}

/// A compound file written here, holding `stream` as its `Workbook`: version 3 (512-byte
/// sectors), as Excel writes them and as calamine's reader finds a large stream in.
fn rebuild(stream: &[u8]) -> Result<Vec<u8>, WorkbookError> {
    let fail = |e: std::io::Error| WorkbookError::Corrupt(e.to_string());
    let mut file =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new())).map_err(fail)?;
    file.create_stream("/Workbook").map_err(fail)?.write_all(stream).map_err(fail)?;
    file.flush().map_err(fail)?;
    Ok(file.into_inner().into_inner())
}
