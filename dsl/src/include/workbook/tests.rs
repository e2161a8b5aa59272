//! Workbooks made here by hand (a minimal `.xlsx` is five small XML parts in a zip), for
//! the shapes office software does not write: bombs and damage. Workbooks written by
//! LibreOffice are read in tests/office.rs.

use std::io::Write;

use super::*;
use crate::include::tests::ty;
use crate::syntax::ast::{ExprKind, KeyValue};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="职责清单" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// An `.xlsx` whose one sheet `职责清单` has these `<sheetData>` rows (inline strings), and
/// optionally a shared-strings part.
fn xlsx(rows: &str, shared_strings: Option<&[u8]>) -> Vec<u8> {
    xlsx_sheet(&format!("<sheetData>{rows}</sheetData>"), shared_strings)
}

/// An `.xlsx` whose one sheet holds `inner` (`<sheetData>`, `<mergeCells>`, …).
fn xlsx_sheet(inner: &str, shared_strings: Option<&[u8]>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{inner}</worksheet>"#
    );
    let mut parts: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ];
    if let Some(s) = shared_strings {
        parts.push(("xl/sharedStrings.xml", s));
    }
    for (name, bytes) in parts {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(bytes).expect("zip write");
    }
    zip.finish().expect("zip").into_inner()
}

fn text_cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

fn read(bytes: &[u8], sheet: Option<&str>, columns: &[Column<'_>]) -> Result<WorkbookRows, Diagnostic> {
    workbook_rows(bytes, "x.xlsx", sheet, Span::default(), FileId(1), "编号", columns)
}

#[test]
fn a_sheet_is_shown_with_its_row_numbers_and_cells_are_named_by_address() {
    let rows = [
        format!(r#"<row r="1">{}{}</row>"#, text_cell("A1", "编号"), text_cell("B1", "频次")),
        format!(r#"<row r="2">{}<c r="B2"><v>4</v></c></row>"#, text_cell("A2", "007")),
        format!(r#"<row r="4">{}{}</row>"#, text_cell("A4", "008"), text_cell("B4", "四")),
    ]
    .concat();
    let int = ty("整数");
    let read = read(&xlsx(&rows, None), None, &[Column { name: "频次", ty: Some(&int) }]).expect("reads");
    assert_eq!(read.sheet, "职责清单");
    assert_eq!(read.text, "编号,频次\n007,4\n\n008,四\n", "line n is row n");
    let (rows, errs) = read.rows;
    let items = rows.to_items(&read.text);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].key.value, KeyValue::Text("007".into()), "a code keeps its leading zeros");
    assert_eq!(items[0].fields[0].value.kind, ExprKind::Int(4));
    assert_eq!(errs.len(), 1);
    assert!(errs[0].message.zh.starts_with("职责清单!B4：数据 `四` 不是整数"), "{}", errs[0].message.zh);
}

#[test]
fn a_missing_sheet_names_the_sheets_there_are() {
    let err = read(&xlsx("", None), Some("职责清淡"), &[]).err().expect("no such sheet");
    assert_eq!(err.code, Code::E0134);
    assert!(err.message.zh.contains("没有工作表 `职责清淡`"), "{}", err.message.zh);
    let help = err.help.expect("help");
    assert!(help.zh.contains("职责清单"), "{}", help.zh);
}

#[test]
fn damaged_workbooks_are_told_apart_from_bombs() {
    let err = read(b"PK\x03\x04 not really a zip", None, &[]).err().expect("damaged");
    assert_eq!(err.code, Code::E0133);
    let mut truncated = xlsx("", None);
    truncated.truncate(truncated.len() / 2);
    assert_eq!(read(&truncated, None, &[]).err().expect("truncated").code, Code::E0133);
    assert_eq!(read(b"", None, &[]).err().expect("empty").code, Code::E0133);
    let cut_short = vec![0u8; crate::syntax::lex::MAX_FILE_BYTES + 1];
    assert_eq!(read(&cut_short, None, &[]).err().expect("over 8 MiB").code, Code::E0135);
}

#[test]
fn a_row_beyond_the_bound_is_refused_before_the_sheet_is_laid_out() {
    // Two cells a million rows and 16,000 columns apart: laid out densely (as calamine's
    // `Range` would), 17 billion cells.
    let rows = format!(
        r#"<row r="1">{}</row><row r="1000000"><c r="XFD1000000"><v>1</v></c></row>"#,
        text_cell("A1", "编号")
    );
    let err = read(&xlsx(&rows, None), None, &[]).err().expect("too large");
    assert_eq!(err.code, Code::E0135);
    assert!(err.message.zh.contains("第 1000000 行超过了 300000 行"), "{}", err.message.zh);
}

#[test]
fn many_merged_regions_over_one_large_area_stop_at_the_visit_budget() {
    // One region A1:AMJ1000 fills a million cells; each copy of it visits them all again
    // (nothing left to fill), so ten thousand copies would be ten billion visits.
    let rows: String =
        (1..=1000).map(|r| format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#)).collect();
    let merges = r#"<mergeCell ref="A1:AMJ1000"/>"#.repeat(10_000);
    let sheet = format!(r#"<sheetData>{rows}</sheetData><mergeCells count="10000">{merges}</mergeCells>"#);
    let err = read(&xlsx_sheet(&sheet, None), None, &[]).err().expect("too large");
    assert_eq!(err.code, Code::E0135);
    assert!(err.message.zh.contains("合并单元格共覆盖超过"), "{}", err.message.zh);
}

#[test]
fn a_million_rows_stop_at_the_bound() {
    let mut rows = String::with_capacity(40 * 1_000_001);
    rows.push_str(&format!(r#"<row r="1">{}</row>"#, text_cell("A1", "编号")));
    for r in 2..=1_000_000 {
        rows.push_str(&format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#));
    }
    let bytes = xlsx(&rows, None);
    assert!(bytes.len() < crate::syntax::lex::MAX_FILE_BYTES, "small enough to be loaded: {}", bytes.len());
    let err = read(&bytes, None, &[]).err().expect("too many rows");
    assert_eq!(err.code, Code::E0135);
}

#[test]
fn huge_shared_strings_are_refused_by_their_declared_size() {
    let mut strings = b"<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>".to_vec();
    strings.resize(strings.len() + (MAX_ENTRY_BYTES as usize) + 1, b'a');
    strings.extend_from_slice(b"</t></si></sst>");
    let bytes = xlsx("", Some(&strings));
    assert!(bytes.len() < 1_000_000, "a zip bomb: {} bytes", bytes.len());
    let err = read(&bytes, None, &[]).err().expect("bomb");
    assert_eq!(err.code, Code::E0135);
    assert!(err.message.zh.contains("xl/sharedStrings.xml"), "{}", err.message.zh);
}

#[test]
fn merged_header_cells_name_their_sub_columns_and_merged_data_cells_every_row() {
    let mut grid = Grid::default();
    for (r, c, t) in [
        (0, 0, "编号"),
        (0, 1, "联系方式"),
        (1, 1, "电话"),
        (1, 2, "邮箱"),
        (2, 0, "A1"),
        (2, 1, "123"),
        (3, 0, "A2"),
    ] {
        grid.put(r, c, t.to_string()).expect("small");
    }
    let merged = [
        Dimensions::new((0, 0), (1, 0)), // 编号 down over two header rows
        Dimensions::new((0, 1), (0, 2)), // 联系方式 over 电话 and 邮箱
        Dimensions::new((2, 1), (3, 1)), // a phone shared by two rows
    ];
    grid.fill_merged(&merged).expect("small");
    let (_, table) = render(&grid, FileId(1));
    let names: Vec<&str> = table.headers.iter().map(|h| h.text.as_str()).collect();
    assert_eq!(names, ["编号", "电话", "邮箱"]);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[1].cells[1].text, "123", "a merged data cell belongs to each of its rows");
}

#[test]
fn sheet_names_follow_a_hash_only_after_a_workbook() {
    assert_eq!(split_sheet("data/职责.xlsx#职责清单"), ("data/职责.xlsx", Some("职责清单")));
    assert_eq!(split_sheet("data/a#b.csv"), ("data/a#b.csv", None));
    assert_eq!(split_sheet("x.ods"), ("x.ods", None));
    assert!(is_workbook("X.XLSX") && is_workbook("a.xls") && !is_workbook("a.csv"));
    assert_eq!(float_text(42.0), "42");
    assert_eq!(float_text(0.1), "0.1");
}

#[test]
fn a_password_protected_workbook_is_told_as_such() {
    // Office encrypts an `.xlsx` into a compound file holding `EncryptionInfo` and
    // `EncryptedPackage` streams, which is what calamine looks for.
    let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).expect("compound file");
    for stream in ["/EncryptionInfo", "/EncryptedPackage"] {
        file.create_stream(stream).expect("stream").write_all(&[0u8; 64]).expect("write");
    }
    file.flush().expect("flush");
    let bytes = file.into_inner().into_inner();
    let err = read(&bytes, None, &[]).err().expect("encrypted");
    assert_eq!(err.code, Code::E0133);
    assert!(err.message.zh.contains("设有打开密码"), "{}", err.message.zh);
}

/// One BIFF record.
fn biff(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut out = typ.to_le_bytes().to_vec();
    out.extend((data.len() as u16).to_le_bytes());
    out.extend(data);
    out
}

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn bof(kind: u16) -> Vec<u8> {
    let mut data = vec![0x00, 0x06];
    data.extend(kind.to_le_bytes());
    data.resize(16, 0);
    biff(0x0809, &data)
}

/// A text cell (`LABEL`, the string in UTF-16).
fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let mut data = [row.to_le_bytes(), col.to_le_bytes(), [0, 0]].concat();
    data.extend((text.encode_utf16().count() as u16).to_le_bytes());
    data.push(1);
    data.extend(utf16(text));
    biff(0x0204, &data)
}

fn number(row: u16, col: u16, value: f64) -> Vec<u8> {
    let mut data = [row.to_le_bytes(), col.to_le_bytes(), [0, 0]].concat();
    data.extend(value.to_le_bytes());
    biff(0x0203, &data)
}

/// A BIFF8 `DIMENSIONS` record: rows `first..end`, columns `first_col..end_col`.
fn dimensions(first: u32, end: u32, first_col: u16, end_col: u16) -> Vec<u8> {
    let data = [
        &first.to_le_bytes()[..],
        &end.to_le_bytes(),
        &first_col.to_le_bytes(),
        &end_col.to_le_bytes(),
        &[0, 0],
    ]
    .concat();
    biff(0x0200, &data)
}

/// The `Workbook` stream of a workbook with one sheet `职责清单` holding `records`; the
/// sheet starts where the globals end, unless `position` says otherwise.
fn workbook_stream(records: &[Vec<u8>], position: Option<u32>) -> Vec<u8> {
    let bound_sheet = |pos: u32| {
        let mut data = pos.to_le_bytes().to_vec();
        data.extend([0, 0, "职责清单".encode_utf16().count() as u8, 1]);
        data.extend(utf16("职责清单"));
        biff(0x0085, &data)
    };
    let globals_len = (bof(5).len() + bound_sheet(0).len() + biff(0x000A, &[]).len()) as u32;
    let mut stream = [bof(5), bound_sheet(position.unwrap_or(globals_len)), biff(0x000A, &[])].concat();
    stream.extend(bof(0x10));
    stream.extend(records.concat());
    stream.extend(biff(0x000A, &[]));
    stream
}

fn compound_file(stream: &[u8]) -> Vec<u8> {
    let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).expect("compound file");
    file.create_stream("/Workbook").expect("stream").write_all(stream).expect("write");
    file.flush().expect("flush");
    file.into_inner().into_inner()
}

fn xls(records: &[Vec<u8>]) -> Vec<u8> {
    compound_file(&workbook_stream(records, None))
}

fn read_xls(bytes: &[u8]) -> Result<(String, Table), Diagnostic> {
    workbook_table(bytes, "x.xls", None, Span::default(), FileId(1))
}

fn refused(bytes: &[u8]) -> Diagnostic {
    match read_xls(bytes) {
        Ok((sheet, _)) => panic!("sheet {sheet} was read"),
        Err(e) => e,
    }
}

#[test]
fn an_xls_is_read_through_a_container_written_again() {
    // Padded past 4,096 bytes, so that the stream is kept in the container's large sectors.
    let padding = biff(0x00FF, &[0; 6000]);
    let records = [label(0, 0, "编号"), label(0, 1, "名称"), number(1, 0, 7.0), label(1, 1, "巡查"), padding];
    let (sheet, table) = read_xls(&xls(&records)).expect("a small workbook");
    assert_eq!(sheet, "职责清单");
    let names: Vec<&str> = table.headers.iter().map(|h| h.text.as_str()).collect();
    assert_eq!(names, ["编号", "名称"]);
    let row: Vec<&str> = table.rows[0].cells.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(row, ["7", "巡查"]);
}

#[test]
fn an_xls_whose_cells_span_too_far_is_refused_before_they_are_laid_out() {
    // A1 and IV65536: calamine would lay out 16.7 million cells (half a gigabyte).
    let err = refused(&xls(&[number(0, 0, 1.0), number(65535, 255, 2.0)]));
    assert_eq!(err.code, Code::E0135, "{}", err.message.en);
    assert!(err.message.zh.contains("65536 行 × 256 列"), "{}", err.message.zh);
}

#[test]
fn an_xls_declaring_billions_of_rows_is_refused_before_they_are_reserved() {
    let err = refused(&xls(&[dimensions(0, u32::MAX, 0, 10), number(0, 0, 1.0)]));
    assert_eq!(err.code, Code::E0135, "{}", err.message.en);
    // An end before the start is damage (calamine's subtraction would wrap).
    let err = refused(&xls(&[dimensions(10, 5, 0, 2), number(0, 0, 1.0)]));
    assert_eq!(err.code, Code::E0133, "{}", err.message.en);
    let err = refused(&xls(&[dimensions(0, 5, 3, 3), number(0, 0, 1.0)]));
    assert_eq!(err.code, Code::E0133, "{}", err.message.en);
}

#[test]
fn an_xls_with_records_that_point_outside_or_run_backwards_is_damaged() {
    let outside = compound_file(&workbook_stream(&[number(0, 0, 1.0)], Some(1 << 20)));
    assert_eq!(refused(&outside).code, Code::E0133);
    let backwards =
        [0u16.to_le_bytes(), 5u16.to_le_bytes(), [0; 2], [0; 2], [0; 2], [0; 2], 2u16.to_le_bytes()].concat();
    let err = refused(&xls(&[biff(0x00BD, &backwards)]));
    assert_eq!(err.code, Code::E0133, "{}", err.message.en);
    let err = refused(&xls(&[biff(0x0809, &[0])]));
    assert_eq!(err.code, Code::E0133, "{}", err.message.en);
}

#[test]
fn an_xls_whose_sector_chain_loops_is_damaged_not_read_forever() {
    // Three 4096-byte sectors of workbook data, s → s+1 → s+2 → end; the last made to
    // point back at the first. calamine's own reader would follow the loop for ever.
    let mut bytes =
        xls(&[label(0, 0, "编号"), number(1, 0, 1.0), biff(0x00FF, &[0; 8000]), biff(0x00FF, &[0; 2000])]);
    let sector = 1usize << u16::from_le_bytes([bytes[0x1E], bytes[0x1F]]);
    let fat_sector = u32::from_le_bytes(bytes[0x4C..0x50].try_into().expect("4 bytes")) as usize;
    let fat_at = (fat_sector + 1) * sector;
    let entry = |b: &[u8], i: usize| {
        u32::from_le_bytes(b[fat_at + 4 * i..fat_at + 4 * i + 4].try_into().expect("4 bytes"))
    };
    let last = (2..sector / 4)
        .find(|&i| {
            entry(&bytes, i) == 0xFFFF_FFFE
                && entry(&bytes, i - 1) == i as u32
                && entry(&bytes, i - 2) == i as u32 - 1
        })
        .expect("a chain of three sectors");
    bytes[fat_at + 4 * last..fat_at + 4 * last + 4].copy_from_slice(&(last as u32 - 2).to_le_bytes());
    let err = refused(&bytes);
    assert_eq!(err.code, Code::E0133, "{}", err.message.en);
}
