//! What a drafter's habits meet on the command line: `check --deny-warnings` for CI (a
//! warning such as a rule without a citation fails the check), and `fmt` repairing the
//! full-width forms a Chinese input method types and laying lists out as tables.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_qingdan");

/// Exit code, standard output, standard error of the real binary.
fn qingdan(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).env("NO_COLOR", "1").output().expect("run qingdan");
    (
        out.status.code().expect("exited normally"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}

const HEAD: &str = "政策 准入\n\n来源 某决定 \"某决定\" {\n  条款 五 \"准入\"\n}\n\n枚举 结论 { 准入, 不予准入 }\n\n输入 申请 {\n  每月频次: 整数\n}\n\n";
const DECISION: &str = "\n决定 准入结论: 结论 按 优先 不予准入 > 准入 默认 准入 \"符合条件\"\n";

/// A policy whose only finding is W0001 (a rule without a citation).
fn uncited() -> String {
    format!("{HEAD}规则 频次过高 {{\n  当 申请.每月频次 > 20\n  则 不予准入 \"频次过高\"\n}}\n{DECISION}")
}

fn cited() -> String {
    format!("{HEAD}规则 频次过高 引用 某决定.五 {{\n  当 申请.每月频次 > 20\n  则 不予准入 \"频次过高\"\n}}\n{DECISION}")
}

#[test]
fn deny_warnings_fails_a_check_that_has_only_warnings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "uncited.qd", &uncited());
    let path = file.to_str().expect("path");

    let (code, stdout, stderr) = qingdan(&["check", path]);
    assert_eq!(code, 0, "warnings alone pass without the option: {stdout}{stderr}");
    assert!(stderr.contains("W0001"), "{stderr}");

    let (code, stdout, stderr) = qingdan(&["check", "--deny-warnings", path]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("W0001"), "the warning is still shown: {stderr}");
    assert!(stdout.contains("1 个警告") && stdout.contains("--deny-warnings"), "{stdout}");

    let (code, stdout, _) = qingdan(&["check", "--deny-warnings", "--lang", "en", path]);
    assert_eq!(code, 1);
    assert!(stdout.contains("warnings fail the check"), "{stdout}");

    let (code, stdout, _) = qingdan(&["check", "--deny-warnings", "--format", "json", path]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(json["summary"]["warnings"], 1, "{stdout}");
}

#[test]
fn deny_warnings_passes_a_clean_policy_and_keeps_the_other_exit_codes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clean = write(dir.path(), "cited.qd", &cited());
    let (code, stdout, stderr) = qingdan(&["check", "--deny-warnings", clean.to_str().expect("path")]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains("--deny-warnings"), "{stdout}");

    let broken = write(dir.path(), "broken.qd", "政策 坏\n令 甲 = 乙\n");
    assert_eq!(qingdan(&["check", "--deny-warnings", broken.to_str().expect("path")]).0, 1);
    assert_eq!(qingdan(&["check", "--deny-warnings", "/no/such/policy.qd"]).0, 2, "unreadable stays 2");
}

#[test]
fn fmt_writes_full_width_forms_in_ascii_and_names_what_it_cannot_repair() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = cited()
        .replace("{ 准入, 不予准入 }", "｛ 准入，不予准入 ｝")
        .replace("> 20", "＞＝ ２０")
        .replace("某决定.五", "某决定．五");
    let file = write(dir.path(), "fullwidth.qd", &text);
    let path = file.to_str().expect("path");
    assert_eq!(qingdan(&["check", path]).0, 0, "full-width forms are read as ASCII");
    let (code, stdout, stderr) = qingdan(&["fmt", path]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let formatted = std::fs::read_to_string(&file).expect("read back");
    assert!(formatted.contains("枚举 结论 { 准入, 不予准入 }"), "{formatted}");
    assert!(formatted.contains("当 申请.每月频次 >= 20"), "{formatted}");
    assert!(formatted.contains("引用 某决定.五"), "{formatted}");
    assert!(!formatted.contains(['｛', '＞', '＝', '２', '．']), "{formatted}");

    let quoted = write(dir.path(), "quoted.qd", &format!("{}令 名称 = ‘走访’\n", cited()));
    let (code, _, stderr) = qingdan(&["fmt", quoted.to_str().expect("path")]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("E0015") && stderr.contains("无法自动改正"), "{stderr}");
}
