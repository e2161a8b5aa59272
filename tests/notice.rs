//! Word documents out: `qingdan diff --docx` (the 修订对照表) and `qingdan eval --notice`
//! (a decision notice per case from the bundled grid admission templates). The documents
//! are opened by LibreOffice headless and converted to text, which must say what the
//! decision said: the outcome, every correction, the clause text. Renderings go to
//! `target/docx-*.png` for a person to look at. Without LibreOffice the office part is
//! skipped, unless `QINGDAN_REQUIRE_OFFICE=1` (as `.ci/run` sets it), when it fails.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

const ADMISSION: &str = "policies/grid_admission/admission.qd";
const CASES: &str = "policies/grid_admission/cases.yaml";
/// A case returned for two corrections at once (cases.yaml: 多项补正一并列出).
const RETURNED: &str = "多项补正一并列出";
const CORRECTIONS: [&str; 2] = ["写明事项的法律、法规或规章依据", "减少填表报数频次，数据从统一平台直接获取"];
/// 舟山条例 第 24 条, which the rule returning it cites.
const CLAUSE_24: &str =
    "需纳入网格化服务管理事项清单的事项，应当由有关业务主管部门事先向同级网格化工作机构提出申请";

fn qingdan(args: &[&str]) -> (u8, String, String) {
    common::run_in_process(args.iter().copied())
}

/// Whether LibreOffice and poppler are here; without them the office checks are skipped,
/// or fail when CI requires them.
fn office() -> bool {
    let here = |tool: &str| Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
    let found = here("soffice") && Command::new("pdftoppm").arg("-v").output().is_ok();
    if !found && std::env::var("QINGDAN_REQUIRE_OFFICE").as_deref() == Ok("1") {
        panic!("QINGDAN_REQUIRE_OFFICE=1 but soffice or pdftoppm is missing (Debian: libreoffice-writer-nogui, poppler-utils)");
    }
    if !found {
        eprintln!("LibreOffice not found: the documents are not opened in an office suite");
    }
    found
}

/// `file` converted by LibreOffice headless to `format` (`txt:Text`, `pdf`) in `out`.
fn convert(file: &Path, format: &str, out: &Path) -> PathBuf {
    // A profile of its own: two LibreOffice runs sharing one wait for each other or fail.
    let profile = tempfile::tempdir().expect("profile");
    let status = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.path().display()))
        .args(["--headless", "--convert-to", format, "--outdir"])
        .arg(out)
        .arg(file)
        .output()
        .expect("soffice runs");
    assert!(status.status.success(), "soffice: {}", String::from_utf8_lossy(&status.stderr));
    let ext = format.split(':').next().expect("extension");
    let converted = out.join(file.file_stem().expect("stem")).with_extension(ext);
    assert!(converted.is_file(), "LibreOffice wrote no {}", converted.display());
    converted
}

/// The first page of a document as `target/NAME.png`, through PDF and pdftoppm.
fn render(file: &Path, name: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = convert(file, "pdf", dir.path());
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join(name);
    let run = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&target)
        .output()
        .expect("pdftoppm runs");
    assert!(run.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&run.stderr));
    assert!(target.with_extension("png").is_file());
}

/// The text LibreOffice reads from a document.
fn office_text(file: &Path) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let txt = convert(file, "txt:Text", dir.path());
    std::fs::read_to_string(txt).expect("UTF-8 text")
}

/// A part of a .docx, read with the zip crate.
fn part(docx: &Path, name: &str) -> String {
    let file = std::fs::File::open(docx).expect("docx");
    let mut zip = zip::ZipArchive::new(file).expect("a zip file");
    let mut s = String::new();
    zip.by_name(name).expect("part").read_to_string(&mut s).expect("UTF-8");
    s
}

/// A copy of the grid admission folder (policy, lists, templates) to spoil, in a folder
/// called `policies` with the source texts its sources name.
fn copy_grid() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join("policies/grid_admission");
    copy_dir(Path::new("policies/grid_admission"), &copy);
    copy_dir(Path::new("policies/sources"), &dir.path().join("policies/sources"));
    (dir, copy)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("folder") {
        let path = entry.expect("entry").path();
        let dest = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, dest).expect("copy");
        }
    }
}

#[test]
fn the_revision_table_is_a_word_document_that_libreoffice_reads() {
    let (_dir, new) = copy_grid();
    let policy = new.join("admission.qd");
    let text = std::fs::read_to_string(&policy).expect("policy");
    let lowered = text.replacen("令 单项每月工作量上限分钟 = 600", "令 单项每月工作量上限分钟 = 480", 1);
    assert_ne!(text, lowered, "the threshold is still in the policy");
    std::fs::write(&policy, lowered).expect("write");
    let out = tempfile::tempdir().expect("temp dir");
    let docx = out.path().join("修订对照表.docx");
    let args = ["diff", ADMISSION, policy.to_str().expect("utf-8"), "--cases", CASES, "--docx"];
    let (code, _, err) = qingdan(&[&args[..], &[docx.to_str().expect("utf-8")]].concat());
    assert_eq!(code, 1, "a change is exit 1: {err}");

    // The document's own XML: landscape, a header row repeated, borders, 宋体.
    let body = part(&docx, "word/document.xml");
    assert!(body.contains(r#"w:orient="landscape""#));
    assert!(body.contains("<w:tblHeader/>") && body.contains("<w:tblBorders>"));
    assert!(part(&docx, "word/styles.xml").contains(r#"w:eastAsia="宋体""#));
    for header in ["条款/规则", "原规定", "修订后", "影响的情形", "示例"] {
        assert!(body.contains(header), "{header}");
    }

    if !office() {
        return;
    }
    let text = office_text(&docx);
    for expected in [
        "修订对照表",
        "决定 准入结论",
        "条款/规则",
        "影响的情形",
        "规则 单项工作量超限",
        "退回补正（清单工时总量超限）",
        "申请.单次耗时分钟 = 550",
        "舟山条例.25",
        "按户计量单项超限",
    ] {
        assert!(text.contains(expected), "LibreOffice does not read `{expected}` in:\n{text}");
    }
    render(&docx, "docx-revision-table");
}

#[test]
fn notices_are_written_one_per_case_from_the_bundled_templates() {
    let out = tempfile::tempdir().expect("temp dir");
    let dir = out.path().join("通知书");
    let d = dir.to_str().expect("utf-8");
    let (code, stdout, err) =
        qingdan(&["eval", ADMISSION, "--input", CASES, "--notice", d, "--notice-date", "2026-12-06"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("准入结论 → 退回补正"), "the usual results are still printed");
    let cases = std::fs::read_to_string(CASES).expect("cases");
    let named = cases.lines().filter(|l| l.starts_with("- case: ")).count();
    let written = std::fs::read_dir(&dir).expect("notices").count();
    assert_eq!(written, named, "one notice per case: {err}");
    assert!(err.contains(&format!("已写出 {named} 份通知书")), "{err}");
    assert!(!err.contains("W07"), "every outcome has a template, every placeholder a value: {err}");

    // LibreOffice splits runs where the script changes, so the template's placeholders lie
    // across runs (`{{` · `补正事项` · `}}`): filling must see through that.
    let template = part(Path::new("policies/grid_admission/notices/退回补正.docx"), "word/document.xml");
    assert!(template.contains("<w:t>{{</w:t>") && !template.contains("{{补正事项}}"));
    let returned = dir.join(format!("{RETURNED}.docx"));
    let body = part(&returned, "word/document.xml");
    assert!(!body.contains("{{"), "every placeholder filled");
    for c in CORRECTIONS {
        assert!(body.contains(c), "{c}");
    }
    // Another outcome gets its own template: 不予准入 a 决定书 with the catalogue row.
    let refused = part(&dir.join("涉及执法检查处罚.docx"), "word/document.xml");
    assert!(refused.contains("不予准入决定书") && refused.contains("FW-04"));

    if !office() {
        return;
    }
    let text = office_text(&returned);
    for expected in [
        "网格事务准入退回补正通知书",
        "结论为：退回补正",
        "区民政局（QU-MZ）",
        "2026年12月6日",
        "准入申请须写明法律依据",
        CLAUSE_24,
    ] {
        assert!(text.contains(expected), "LibreOffice does not read `{expected}` in:\n{text}");
    }
    for (i, c) in CORRECTIONS.iter().enumerate() {
        let item = format!("{}. {c}", i + 1);
        assert!(text.contains(&item), "correction `{item}` missing in:\n{text}");
    }
    render(&returned, "docx-notice-returned");
}

/// Every bundled policy ships a template for each outcome of its main decision: each of its
/// recorded cases gets a notice, every placeholder has a value.
#[test]
fn every_bundled_policy_writes_a_notice_for_each_case() {
    let policies = [
        ("community_work/admission.qd", "community_work/cases.yaml"),
        ("enforcement_catalogue/catalogue.qd", "enforcement_catalogue/cases.yaml"),
        ("enforcement_catalogue/referral.qd", "enforcement_catalogue/referral.cases.yaml"),
        ("enforcement_catalogue/withdrawal.qd", "enforcement_catalogue/withdrawal.cases.yaml"),
        ("grid_admission/withdrawal.qd", "grid_admission/withdrawal.cases.yaml"),
        ("legality_review/review.qd", "legality_review/cases.yaml"),
        ("township_duties/duties.qd", "township_duties/cases.yaml"),
    ];
    for (policy, cases) in policies {
        let out = tempfile::tempdir().expect("temp dir");
        let (policy, cases) = (format!("policies/{policy}"), format!("policies/{cases}"));
        let dir = out.path().to_str().expect("utf-8");
        let (code, _, err) = qingdan(&["eval", &policy, "--input", &cases, "--notice", dir]);
        assert_eq!(code, 0, "{policy}: {err}");
        assert!(!err.contains("W07"), "{policy}: {err}");
        let named = std::fs::read_to_string(&cases)
            .expect("cases")
            .lines()
            .filter(|l| l.starts_with("- case: "))
            .count();
        assert_eq!(std::fs::read_dir(out.path()).expect("notices").count(), named, "{policy}: {err}");
    }
}

/// The template for 退回补正 with `from` replaced by `to` in its body.
fn edit_template(grid: &Path, from: &str, to: &str) {
    let path = grid.join("notices/退回补正.docx");
    let bytes = std::fs::read(&path).expect("template");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("part");
        let name = f.name().expect("name").to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("read");
        if name == "word/document.xml" {
            let text = String::from_utf8(data).expect("utf-8");
            assert!(text.contains(from), "the template has no `{from}`");
            data = text.replace(from, to).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).expect("start");
        out.write_all(&data).expect("write");
    }
    std::fs::write(&path, out.finish().expect("zip").into_inner()).expect("template");
}

fn notice_run(grid: &Path, dir: &Path) -> (u8, String) {
    let policy = grid.join("admission.qd");
    let (code, _, err) = qingdan(&[
        "eval",
        policy.to_str().expect("utf-8"),
        "--input",
        CASES,
        "--notice",
        dir.to_str().expect("utf-8"),
    ]);
    (code, err)
}

#[test]
fn a_template_that_is_not_a_word_document_stops_before_anything_is_written() {
    let (tmp, grid) = copy_grid();
    std::fs::write(grid.join("notices/退回补正.docx"), "这是一个改了扩展名的文本文件").expect("spoil");
    let out = tmp.path().join("out");
    let (code, err) = notice_run(&grid, &out);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("E0701[notice-template-invalid]") && err.contains("退回补正.docx"), "{err}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_placeholder_naming_nothing_is_a_warning_that_names_it() {
    let (tmp, grid) = copy_grid();
    // LibreOffice wrote the placeholder as three runs (`{{`, `补正事项`, `}}`): the middle one is renamed.
    edit_template(&grid, "<w:t>补正事项</w:t>", "<w:t>补正事宜</w:t>");
    let out = tmp.path().join("out");
    let (code, err) = notice_run(&grid, &out);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("W0701[unknown-placeholder]").count(), 1, "once per template and name: {err}");
    assert!(err.contains("{{补正事宜}}") && err.contains("补正事项"), "names it and what exists: {err}");
    let body = part(&out.join(format!("{RETURNED}.docx")), "word/document.xml");
    assert!(body.contains("{{补正事宜}}"), "left as written");
}

#[test]
fn missing_templates_and_unwritable_folders_are_coded_errors() {
    // No `notices/` at all.
    let (tmp, grid) = copy_grid();
    std::fs::remove_dir_all(grid.join("notices")).expect("remove");
    let (code, err) = notice_run(&grid, &tmp.path().join("never-written"));
    assert_eq!(code, 2);
    assert!(err.contains("E0702[no-notice-templates]"), "{err}");
    assert!(!tmp.path().join("never-written").exists());

    // An outcome without its template: a warning, the other notices are written.
    let (tmp, grid) = copy_grid();
    std::fs::remove_file(grid.join("notices/已在清单.docx")).expect("remove");
    let (code, err) = notice_run(&grid, &tmp.path().join("out"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("W0702[no-notice-template]").count(), 1, "{err}");
    assert!(err.contains("已在清单"), "{err}");

    // The folder cannot be made: under a file.
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").expect("file");
    let (code, err) = notice_run(&grid, &file.join("notices"));
    assert_eq!(code, 2);
    assert!(err.contains("E0011[write-failed]"), "{err}");
}
