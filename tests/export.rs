//! `qingdan export`: a list as a published workbook, read back through the list reader
//! (`来自 "….xlsx"`) row for row (a property test over generated lists); the workbook's
//! layout (frozen header, widths, drop-downs); CSV, Markdown and HTML; and, where
//! LibreOffice is installed (CI installs it and sets QINGDAN_REQUIRE_OFFICE=1), the
//! workbook opened by LibreOffice and converted back to CSV, and rendered as PNG in target/.

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;

mod common;
use common::run_in_process;

const RECORD: &str = "记录 事项 {\n  编号: 文本\n  名称: 文本\n  次数: 整数\n  金额: 小数?\n  起始: 日期\n  类别: 类别\n  部门: 部门表\n  标签: 集合 文本\n  公开: 布尔\n}\n";

/// A policy with the lists 部门表 (rows inline) and 事项表 (rows from `from`).
fn policy(from: &str) -> String {
    format!(
        "政策 导出\n枚举 类别 {{ 政策宣传, 基础信息采集, 应急处置 }}\n记录 部门 {{\n  编号: 文本\n  名称: 文本\n}}\n\
         清单 部门表: 部门 键 编号 {{\n  条目 B01 {{ 名称: \"民政办\" }}\n  条目 B02 {{ 名称: \"应急办、安监\" }}\n}}\n{RECORD}\
         清单 事项表: 事项 键 编号 来自 \"{from}\"\n"
    )
}

/// One generated row, written as CSV.
#[derive(Clone, Debug)]
struct Row {
    name: String,
    times: i64,
    amount: Option<(i64, u8)>,
    day: i64,
    category: usize,
    department: usize,
    tags: Vec<String>,
    public: bool,
}

fn row() -> impl Strategy<Value = Row> {
    (
        "[甲乙丙丁走访宣传a-z0-9]{1,8}",
        -1_000_000i64..1_000_000,
        proptest::option::of((-100_000i64..100_000, 0u8..3)),
        -3_000i64..30_000,
        0usize..3,
        0usize..2,
        proptest::collection::vec("[甲乙丙丁a-z]{1,4}", 0..3),
        any::<bool>(),
    )
        .prop_map(|(name, times, amount, day, category, department, tags, public)| Row {
            name,
            times,
            amount,
            day,
            category,
            department,
            tags,
            public,
        })
}

fn decimal((mantissa, scale): (i64, u8)) -> String {
    let digits = format!("{:0>width$}", mantissa.unsigned_abs(), width = scale as usize + 1);
    let (whole, frac) = digits.split_at(digits.len() - scale as usize);
    let sign = if mantissa < 0 { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

fn csv(rows: &[Row]) -> String {
    let mut text = String::from("编号,名称,次数,金额,起始,类别,部门,标签,公开\n");
    for (i, r) in rows.iter().enumerate() {
        let date = qingdan_dsl::value::Date::from_days_since_epoch(r.day);
        let mut tags = r.tags.clone();
        tags.sort();
        tags.dedup();
        text.push_str(&format!(
            "K{i:03},{},{},{},{date},{},{},{},{}\n",
            r.name,
            r.times,
            r.amount.map(decimal).unwrap_or_default(),
            ["政策宣传", "基础信息采集", "应急处置"][r.category],
            ["B01", "B02"][r.department],
            tags.join(";"),
            if r.public { "是" } else { "否" },
        ));
    }
    text
}

/// The rows of 事项表 as the interpreter holds them, shown with names.
fn rows_of(policy_path: &Path) -> Vec<Vec<String>> {
    let policy = qingdan::load_policy(policy_path, None).unwrap_or_else(|e| panic!("{e}"));
    let list = policy.lists.iter().find(|l| l.name == "事项表").expect("list");
    list.rows
        .iter()
        .map(|row| row.iter().zip(&list.fields).map(|(v, (_, t))| policy.show(v, t)).collect())
        .collect()
}

fn export(dir: &Path, policy: &str, out: &str, extra: &[&str]) -> (u8, String, String) {
    let p = dir.join(policy);
    let o = dir.join(out);
    let mut args =
        vec!["export", p.to_str().expect("utf-8"), "--list", "事项表", "-o", o.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    run_in_process(args)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn export_then_import_gives_back_the_same_rows(rows in proptest::collection::vec(row(), 1..12)) {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("事项.csv"), csv(&rows)).expect("csv");
        std::fs::write(dir.path().join("a.qd"), policy("事项.csv")).expect("policy");
        let (code, _, err) = export(dir.path(), "a.qd", "事项.xlsx", &[]);
        prop_assert_eq!(code, 0, "{}", err);
        std::fs::write(dir.path().join("b.qd"), policy("事项.xlsx#事项表")).expect("policy");
        prop_assert_eq!(rows_of(&dir.path().join("b.qd")), rows_of(&dir.path().join("a.qd")));
    }
}

/// A small scene: the policy and three rows, one with a CJK name wide enough to size its column.
fn scene() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let rows = "编号,名称,次数,金额,起始,类别,部门,标签,公开\n\
                K001,入户走访独居老人并登记基础信息,4,12.5,2024-01-15,基础信息采集,B01,走访;登记,是\n\
                K002,防汛值守,1,,2024-06-01,应急处置,B02,,否\n\
                K003,\"宣传,进小区\",2,0.25,2025-12-31,政策宣传,B01,宣传,是\n";
    std::fs::write(dir.path().join("事项.csv"), rows).expect("csv");
    std::fs::write(dir.path().join("a.qd"), policy("事项.csv")).expect("policy");
    dir
}

/// The parts of the exported workbook, as text.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("a zip");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(name).expect(name), &mut text).expect("utf-8");
    text
}

#[test]
fn the_workbook_has_a_frozen_header_fitted_widths_drop_downs_and_dates() {
    let dir = scene();
    let (code, out, err) = export(dir.path(), "a.qd", "事项.xlsx", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("事项表") && out.contains("3 行"), "{out}");
    let bytes = std::fs::read(dir.path().join("事项.xlsx")).expect("written");
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#),
        "{sheet}"
    );
    // 入户走访独居老人并登记基础信息: 15 CJK characters, 30 columns, and 2 more.
    assert!(sheet.contains(r#"<col min="2" max="2" width="32.7109375" customWidth="1"/>"#), "{sheet}");
    assert!(
        sheet.contains(r#"<dataValidation type="list""#) && sheet.contains(r#"errorTitle="不在选项中""#),
        "{sheet}"
    );
    assert!(sheet.contains(r#"sqref="F2:F1004""#), "the drop-down covers 类别 and rows to add: {sheet}");
    assert!(sheet.contains("<formula1>选项!$A$1:$A$3</formula1>"), "{sheet}");
    let options = part(&bytes, "xl/workbook.xml");
    assert!(options.contains(r#"name="选项" sheetId="2" state="hidden""#), "{options}");
    let strings = part(&bytes, "xl/sharedStrings.xml");
    assert!(strings.contains("B02（应急办、安监）"), "a reference shows key and name: {strings}");
    // Dates are numbers with a date format: 2024-01-15 is day 45306.
    assert!(sheet.contains("<v>45306</v>"), "{sheet}");
}

#[test]
fn csv_markdown_and_html_show_the_same_table() {
    let dir = scene();
    let (code, _, err) = export(dir.path(), "a.qd", "事项.csv", &[]);
    assert_eq!(code, 0, "{err}");
    let csv = std::fs::read_to_string(dir.path().join("事项.csv")).expect("written");
    assert!(csv.starts_with("\u{feff}编号,名称,次数,金额,起始,类别,部门,标签,公开\r\n"), "{csv}");
    assert!(
        csv.contains("K003,\"宣传,进小区\",2,0.25,2025-12-31,政策宣传,B01（民政办）,宣传,是\r\n"),
        "{csv}"
    );
    let (code, md, _) = run_in_process([
        "export",
        dir.path().join("a.qd").to_str().expect("utf-8"),
        "--list",
        "事项表",
        "--as",
        "md",
    ]);
    assert_eq!(code, 0);
    assert!(md.starts_with("| 编号 | 名称 |"), "{md}");
    assert!(
        md.contains("| K002 | 防汛值守 | 1 |  | 2024-06-01 | 应急处置 | B02（应急办、安监） |  | 否 |"),
        "{md}"
    );
    let (code, html, _) = run_in_process([
        "export",
        dir.path().join("a.qd").to_str().expect("utf-8"),
        "--list",
        "事项表",
        "--as",
        "html",
    ]);
    assert_eq!(code, 0);
    assert!(html.contains("<th>编号</th>") && html.contains("<td>宣传,进小区</td>"), "{html}");
}

#[test]
fn an_unknown_list_is_a_usage_error_naming_the_lists() {
    let dir = scene();
    let (code, _, err) =
        run_in_process(["export", dir.path().join("a.qd").to_str().expect("utf-8"), "--list", "事项"]);
    assert_eq!(code, 2);
    assert!(err.contains("没有清单 `事项`") && err.contains("事项表"), "{err}");
}

/// Whether LibreOffice may be missing here: only where CI has not promised it.
fn office() -> Option<&'static str> {
    let found = Command::new("soffice").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("QINGDAN_REQUIRE_OFFICE").as_deref() != Ok("1"),
            "QINGDAN_REQUIRE_OFFICE=1 but soffice is not installed"
        );
        return None;
    }
    Some("soffice")
}

fn soffice(dir: &Path, args: &[&str]) {
    let profile = format!("-env:UserInstallation=file://{}/lo-profile", dir.display());
    let status = Command::new("soffice")
        .arg(profile)
        .arg("--headless")
        .args(args)
        .current_dir(dir)
        .status()
        .expect("soffice runs");
    assert!(status.success(), "soffice {args:?}");
}

#[test]
fn libreoffice_opens_the_exported_workbook_and_writes_back_the_same_cells() {
    let Some(_) = office() else { return };
    let dir = scene();
    let (code, _, err) = export(dir.path(), "a.qd", "事项.xlsx", &[]);
    assert_eq!(code, 0, "{err}");
    let back = dir.path().join("back");
    std::fs::create_dir_all(&back).expect("folder");
    // CSV filter: comma, double quote, UTF-8 (76), first line 1; dates as shown.
    soffice(
        dir.path(),
        &["--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", "back", "事项.xlsx"],
    );
    let csv = std::fs::read_to_string(back.join("事项.csv")).expect("converted");
    // LibreOffice quotes every text cell; numbers, dates and booleans bare.
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], r#""编号","名称","次数","金额","起始","类别","部门","标签","公开""#);
    assert_eq!(
        lines[1],
        r#""K001","入户走访独居老人并登记基础信息",4,12.5,2024-01-15,"基础信息采集","B01（民政办）","登记、走访",TRUE"#
    );
    assert_eq!(lines[2], r#""K002","防汛值守",1,,2024-06-01,"应急处置","B02（应急办、安监）",,FALSE"#);
    assert_eq!(lines[3], r#""K003","宣传,进小区",2,0.25,2025-12-31,"政策宣传","B01（民政办）","宣传",TRUE"#);
    assert_eq!(lines.len(), 4);
    // And a picture of it for a person: LibreOffice → PDF → PNG, in target/.
    soffice(dir.path(), &["--convert-to", "pdf", "--outdir", "back", "事项.xlsx"]);
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/export-xlsx");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-singlefile"])
        .arg(back.join("事项.pdf"))
        .arg(&target)
        .status()
        .expect("pdftoppm runs");
    assert!(status.success());
    assert!(std::fs::metadata(target.with_extension("png")).expect("png").len() > 1_000);
}
