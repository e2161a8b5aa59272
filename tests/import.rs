//! `qingdan import`: declarations proposed from the files an office keeps, which check clean
//! beside the file they were made from.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_qingdan");

fn qingdan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out =
        Command::new(BIN).args(args).current_dir(dir).env("NO_COLOR", "1").output().expect("run qingdan");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().expect("exit code"), text(&out.stdout), text(&out.stderr))
}

/// Imports `file` (copied into a scratch folder), writes the proposal beside it and checks it.
fn imported(from: &Path, args: &[&str]) -> String {
    let scratch = tempfile::tempdir().expect("temp dir");
    let name = from.file_name().expect("name").to_string_lossy().into_owned();
    std::fs::copy(from, scratch.path().join(&name)).expect("copy");
    let mut all = vec!["import", name.as_str()];
    all.extend_from_slice(args);
    let (code, proposal, err) = qingdan(scratch.path(), &all);
    assert_eq!(code, 0, "{err}");
    std::fs::write(scratch.path().join("proposal.qd"), &proposal).expect("write");
    let (code, out, err) = qingdan(scratch.path(), &["check", "proposal.qd"]);
    assert_eq!(code, 0, "the proposal for {name} checks clean:\n{proposal}\n{out}{err}");
    let (code, _, _) = qingdan(scratch.path(), &["fmt", "--check", "proposal.qd"]);
    assert_eq!(code, 0, "the proposal is formatted:\n{proposal}");
    proposal
}

#[test]
fn every_bundled_list_file_gives_a_proposal_that_checks_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut seen = 0;
    for folder in std::fs::read_dir(&root).expect("policies") {
        let folder = folder.expect("entry").path();
        if !folder.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&folder).expect("folder") {
            let file = file.expect("entry").path();
            if matches!(file.extension().and_then(|e| e.to_str()), Some("csv" | "xlsx")) {
                imported(&file, &[]);
                seen += 1;
            }
        }
    }
    assert!(seen >= 10, "only {seen} list files");
}

#[test]
fn types_enums_optional_cells_and_the_key_are_inferred() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let duties = imported(&root.join("policies/township_duties/职责清单.csv"), &[]);
    assert!(duties.contains("枚举 清单类型选项 { 基本, 收回, 配合 }"), "{duties}");
    assert!(duties.contains("  配合部门: 文本?\n"), "a column with blanks is optional:\n{duties}");
    assert!(duties.contains("  序号: 整数\n") && duties.contains("  涉农村: 布尔\n"), "{duties}");
    assert!(duties.contains("清单 职责清单: 职责清单行 键 编号 来自 \"职责清单.csv\""), "{duties}");
    // Codes with leading zeros stay text, and such a column is still the key; a workbook
    // written by LibreOffice (merged header, formula column, a blank row) reads as its CSV.
    let office = root.join("tests/fixtures/office");
    let from_csv = imported(&office.join("任务清单.csv"), &[]);
    assert!(from_csv.contains("  编号: 文本\n") && from_csv.contains("  起始日期: 日期\n"), "{from_csv}");
    for workbook in ["任务清单.xlsx", "任务清单.ods", "任务清单.xls"] {
        let from_book = imported(&office.join(workbook), &["--name", "任务清单"]);
        let body =
            |t: &str| t.lines().skip(2).map(|l| l.replace(workbook, "任务清单.csv")).collect::<Vec<_>>();
        assert_eq!(body(&from_book), body(&from_csv), "{workbook}");
    }
    insta::assert_snapshot!("import_office_task_list", from_csv);
}

#[test]
fn a_file_with_no_column_fit_to_be_a_key_says_so() {
    let scratch = tempfile::tempdir().expect("temp dir");
    std::fs::write(scratch.path().join("重复.csv"), "类别,次数\n走访,1\n走访,1\n宣传,\n").expect("csv");
    let (code, proposal, err) = qingdan(scratch.path(), &["import", "重复.csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(proposal.contains("不能作键"), "{proposal}");
    assert!(proposal.contains("  次数: 整数?\n"), "{proposal}");
}

#[test]
fn a_damaged_workbook_or_a_missing_sheet_is_a_coded_error() {
    let scratch = tempfile::tempdir().expect("temp dir");
    std::fs::write(scratch.path().join("坏.xlsx"), b"PK\x03\x04 not really a workbook").expect("file");
    let (code, _, err) = qingdan(scratch.path(), &["import", "坏.xlsx"]);
    assert_eq!(code, 1);
    assert!(err.contains("E0133"), "{err}");
    let office = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/office");
    let (code, _, err) = qingdan(&office, &["import", "任务清单.xlsx", "--sheet", "没有这张表"]);
    assert_eq!(code, 1);
    assert!(err.contains("E0134"), "{err}");
}
