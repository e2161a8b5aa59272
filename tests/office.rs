//! Office files made by real office software (tests/fixtures/office/make.sh: LibreOffice and
//! iconv) read as list sources, compared cell by cell with the CSV rows they were made from.

use std::path::Path;

use qingdan_dsl::include::{self, Column};
use qingdan_dsl::source::{FileId, Span};
use qingdan_dsl::syntax::ast::{ExprKind, Ident, KeyValue, TypeExpr};

fn dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/office")
}

fn ty(name: &str) -> TypeExpr {
    TypeExpr {
        set_depth: 0,
        name: Ident { name: name.into(), span: Span::default() },
        optional: false,
        span: Span::default(),
    }
}

/// A row as (key, [(field, value)]) without spans.
fn plain(rows: &include::FileRows, text: &str) -> Vec<(String, Vec<(String, String)>)> {
    rows.to_items(text)
        .iter()
        .map(|item| {
            let key = match &item.key.value {
                KeyValue::Text(t) => t.clone(),
                KeyValue::Int(i) => i.to_string(),
            };
            let mut fields: Vec<(String, String)> = item
                .fields
                .iter()
                .map(|f| {
                    let value = match &f.value.kind {
                        ExprKind::Int(i) => format!("int {i}"),
                        ExprKind::Date(d) => format!("date {d}"),
                        ExprKind::Text(t) => format!("text {t}"),
                        ExprKind::Name(n) => format!("name {}", n.name),
                        other => format!("{other:?}"),
                    };
                    (f.name.name.clone(), value)
                })
                .collect();
            fields.sort();
            (key, fields)
        })
        .collect()
}

fn with_columns<T>(read: impl FnOnce(&[Column<'_>]) -> T) -> T {
    let (int, date, category) = (ty("整数"), ty("日期"), ty("事项类别"));
    let columns = [
        Column { name: "名称", ty: None },
        Column { name: "频次", ty: Some(&int) },
        Column { name: "起始日期", ty: Some(&date) },
        Column { name: "年度次数", ty: Some(&int) },
        Column { name: "类别", ty: Some(&category) },
    ];
    read(&columns)
}

fn csv_source() -> Vec<(String, Vec<(String, String)>)> {
    let text = std::fs::read_to_string(dir().join("任务清单.csv")).expect("fixture");
    let (items, errs) = with_columns(|c| include::csv_rows(&text, FileId(1), "编号", c));
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(items.len(), 5);
    plain(&items, &text)
}

fn workbook(name: &str, sheet: Option<&str>) -> Vec<(String, Vec<(String, String)>)> {
    let bytes = std::fs::read(dir().join(name)).expect("fixture");
    let read =
        with_columns(|c| include::workbook_rows(&bytes, name, sheet, Span::default(), FileId(1), "编号", c))
            .unwrap_or_else(|d| panic!("{name}: {}", d.message.en));
    assert_eq!(read.sheet, "任务清单");
    assert!(
        read.rows.1.is_empty(),
        "{name}: {:?}",
        read.rows.1.iter().map(|d| &d.message.zh).collect::<Vec<_>>()
    );
    plain(&read.rows.0, &read.text)
}

#[test]
fn workbooks_written_by_libreoffice_read_as_the_csv_they_were_made_from() {
    // A two-row header with merged cells, a blank row, date cells, a formula column (its
    // cached value), codes with leading zeros, a second sheet.
    let expected = csv_source();
    assert_eq!(expected[0].0, "001");
    for name in ["任务清单.xlsx", "任务清单.ods", "任务清单.xls"] {
        assert_eq!(workbook(name, None), expected, "{name}");
        assert_eq!(workbook(name, Some("任务清单")), expected, "{name}#任务清单");
    }
}

#[test]
fn the_second_sheet_is_read_by_its_name() {
    for name in ["任务清单.xlsx", "任务清单.ods", "任务清单.xls"] {
        let bytes = std::fs::read(dir().join(name)).expect("fixture");
        let read =
            include::workbook_rows(&bytes, name, Some("部门清单"), Span::default(), FileId(1), "编号", &[])
                .unwrap_or_else(|d| panic!("{name}: {}", d.message.en));
        assert_eq!(read.text, "编号,名称\nB01,民政办\nB02,应急办\n", "{name}");
        assert_eq!(read.rows.0.len(), 2);
    }
}

#[test]
fn a_gbk_csv_written_by_iconv_reads_as_its_utf8_source() {
    let bytes = std::fs::read(dir().join("任务清单.gbk.csv")).expect("fixture");
    assert!(std::str::from_utf8(&bytes).is_err(), "the fixture is GBK, not UTF-8");
    let (text, encoding) = include::decode_csv(&bytes).expect("decodes");
    assert_eq!(encoding, include::CsvEncoding::Gb18030);
    let (items, errs) = with_columns(|c| include::csv_rows(&text, FileId(1), "编号", c));
    assert!(errs.is_empty());
    assert_eq!(plain(&items, &text), csv_source());
}

/// Copies `policies/` to a scratch folder, there writes `来自 "<from>"` where the policy file
/// `file` reads `来自 "<xlsx>"`, and gives the rows of `list` both ways.
fn bundled_both_ways(file: &str, list: &str, xlsx: &str, csv: &str) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let scratch = tempfile::tempdir().expect("temp dir");
    // A folder called `policies`, with the source texts the policies name.
    let base = scratch.path().join("policies");
    std::fs::create_dir_all(base.join("sources")).expect("folder");
    for entry in std::fs::read_dir(root.join("sources")).expect("sources") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, base.join("sources").join(path.file_name().expect("name"))).expect("copy");
    }
    for folder in ["township_duties", "enforcement_catalogue"] {
        std::fs::create_dir_all(base.join(folder)).expect("folder");
        for entry in std::fs::read_dir(root.join(folder)).expect("policies") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                std::fs::copy(&path, base.join(folder).join(path.file_name().expect("name"))).expect("copy");
            }
        }
    }
    let rows = |from: &str| {
        let policy_path = base.join(file);
        let text = std::fs::read_to_string(root.join(file)).expect("policy");
        let written = text
            .replace(&format!("来自 \"{xlsx}\""), &format!("来自 \"{from}\""))
            .replace(&format!("来自 \"{csv}\""), &format!("来自 \"{from}\""));
        assert!(written.contains(&format!("来自 \"{from}\"")), "{file} reads {xlsx} or {csv}");
        std::fs::write(&policy_path, written).expect("policy");
        let policy = qingdan::load_policy(&policy_path, None).unwrap_or_else(|e| panic!("{e}"));
        let l = policy.lists.iter().find(|l| l.name == list).expect("list");
        l.rows
            .iter()
            .map(|row| row.iter().zip(&l.fields).map(|(v, (_, t))| policy.show(v, t)).collect())
            .collect::<Vec<Vec<String>>>()
    };
    (rows(xlsx), rows(csv))
}

#[test]
fn the_bundled_workbooks_made_by_qingdan_export_hold_the_rows_of_their_csv() {
    let (from_xlsx, from_csv) = bundled_both_ways(
        "enforcement_catalogue/catalogue.qd",
        "执法事项清单",
        "执法事项目录.xlsx",
        "执法事项目录.csv",
    );
    assert_eq!(from_xlsx.len(), 175);
    assert_eq!(from_xlsx, from_csv);
    let (from_xlsx, from_csv) =
        bundled_both_ways("township_duties/duties.qd", "职责清单", "职责清单.xlsx", "职责清单.csv");
    assert_eq!(from_xlsx.len(), 242);
    assert_eq!(from_xlsx, from_csv);
}

/// What the checker finds in a workbook's cell (here a category the policy's enum lacks) is
/// told with the cell's address as the drafter finds it in the sheet.
#[test]
fn a_checker_error_in_a_workbook_cell_names_the_sheet_and_the_cell() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let office = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/office");
    std::fs::copy(office.join("任务清单.xlsx"), scratch.path().join("任务清单.xlsx")).expect("copy");
    let policy = "政策 任务\n\n枚举 类别选项 { 基础信息采集, 政策宣传 }\n\n记录 任务 {\n  编号: 文本\n  名称: 文本\n  频次: 整数\n  起始日期: 日期\n  年度次数: 整数\n  类别: 类别选项\n}\n\n清单 任务清单: 任务 键 编号 来自 \"任务清单.xlsx\"\n";
    std::fs::write(scratch.path().join("p.qd"), policy).expect("policy");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qingdan"))
        .args(["check", "p.qd"])
        .current_dir(scratch.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run qingdan");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    // The merged two-row header and the blank row put 防汛应急值守 in row 6; 类别 is column F.
    assert!(err.contains("任务清单!F6：未知名称 `应急处置`"), "{err}");
    assert!(err.contains("任务清单!F8："), "{err}");
}
