//! The `qingdan` command line end to end: exit codes, output formats, and bad input
//! (unreadable, binary, huge and deeply nested files) that must yield a diagnostic and a
//! non-zero exit, never a panic or a stack overflow.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_qingdan");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the real binary, so that stack use and exit codes are what a user gets.
fn qingdan(args: &[&str]) -> Run {
    let out = Command::new(BIN).args(args).env("NO_COLOR", "1").output().expect("run qingdan");
    Run {
        code: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).to_string_lossy().into_owned()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

fn json_codes(run: &Run) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    let diags = json["diagnostics"].as_array().expect("diagnostics array");
    diags.iter().map(|d| d["code"].as_str().expect("code").to_string()).collect()
}

/// The bundled policies have no error and no warning of the front end. The analyser's
/// findings about them (W04xx) are stated in each policy's README.md and snapshotted by
/// tests/analyse.rs.
#[test]
fn bundled_policies_check_clean() {
    let run = qingdan(&["check", &repo("policies")]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("0 个错误"), "{}", run.stdout);
    let json = qingdan(&["check", "--format", "json", &repo("policies")]);
    let front_end: Vec<String> = json_codes(&json).into_iter().filter(|c| !c.starts_with("W04")).collect();
    assert!(front_end.is_empty(), "{front_end:?}");
}

#[test]
fn errors_exit_1_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = write(dir.path(), "bad.qd", "政策 坏\n令 甲 = 乙\n".as_bytes());
    let run = qingdan(&["check", bad.to_str().expect("path")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("E0101") && run.stderr.contains("未知名称 `乙`"), "{}", run.stderr);

    assert_eq!(qingdan(&["check"]).code, 2, "a missing argument is a usage error");
    assert_eq!(qingdan(&["frobnicate"]).code, 2);
    let missing = qingdan(&["check", "--format", "json", "/no/such/policy.qd"]);
    assert_eq!(missing.code, 2);
    assert_eq!(json_codes(&missing), ["E0009"]);
}

#[test]
fn unreadable_file_is_a_diagnostic() {
    // As root, permissions do not stop reading; a symlink loop does.
    let dir = tempfile::tempdir().expect("temp dir");
    let looped = dir.path().join("loop.qd");
    std::os::unix::fs::symlink(&looped, &looped).expect("symlink");
    let run = qingdan(&["check", looped.to_str().expect("path")]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0009") && run.stderr.contains("loop.qd"), "{}", run.stderr);
}

#[test]
fn binary_file_is_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let png = write(dir.path(), "photo.qd", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let run = qingdan(&["check", "--format", "json", png.to_str().expect("path")]);
    assert_eq!(run.code, 1);
    assert_eq!(json_codes(&run), ["E0005"]);
    let gbk = write(dir.path(), "gbk.qd", &[0xd5, 0xfe, 0xb2, 0xdf, 0x20, 0xbc, 0xd7]);
    let run = qingdan(&["check", gbk.to_str().expect("path")]);
    assert!(run.stderr.contains("E0005") && run.stderr.contains("GBK"), "{}", run.stderr);
}

#[test]
fn ten_megabyte_file_is_rejected_without_being_read_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("政策 巨大\n");
    let line = "// 这一行只是为了让文件变大，不含任何声明。\n";
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(line);
    }
    let big = write(dir.path(), "big.qd", text.as_bytes());
    let run = qingdan(&["check", "--format", "json", big.to_str().expect("path")]);
    assert_eq!(run.code, 1);
    assert_eq!(json_codes(&run), ["E0006"]);
}

#[test]
fn ten_thousand_levels_of_nesting_do_not_overflow_the_stack() {
    let dir = tempfile::tempdir().expect("temp dir");
    let deep = |body: String| format!("政策 深\n输入 申请 {{ 频次: 整数 }}\n令 值 = {body}\n");
    let cases = [
        ("parens.qd", deep(format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000)))),
        ("ifs.qd", deep(format!("{}1{}", "如果 真 则 ".repeat(10_000), " 否则 0".repeat(10_000)))),
        ("nots.qd", deep(format!("{}真", "非 ".repeat(10_000)))),
        ("chain.qd", deep(vec!["申请.频次"; 10_000].join(" + "))),
        ("sets.qd", format!("政策 深\n输入 申请 {{ 标签: {}整数 }}\n", "集合 ".repeat(10_000))),
    ];
    for (name, text) in cases {
        let path = write(dir.path(), name, text.as_bytes());
        let run = qingdan(&["check", "--format", "json", path.to_str().expect("path")]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        assert_eq!(json_codes(&run), ["E0007"], "{name}");
    }
}

#[test]
fn json_output_is_stable_and_complete() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad =
        write(dir.path(), "bad.qd", "政策 坏\n输入 申请 { 频次: 整数 }\n令 甲 = 申请.频率\n".as_bytes());
    let run = qingdan(&["check", "--format", "json", "--lang", "en", bad.to_str().expect("path")]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let diags = json["diagnostics"].as_array().expect("array");
    let d = diags.iter().find(|d| d["severity"] == "error").expect("an error");
    assert_eq!(d["code"], "E0103");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "`申请` has no field `频率`");
    assert_eq!(d["help"], "did you mean `频次`?");
    assert_eq!(d["start"]["line"], 3);
    assert_eq!(d["start"]["column"], 10, "columns count characters, not bytes");
    assert_eq!(json["summary"]["errors"], 1);
}

#[test]
fn fmt_rewrites_atomically_and_check_mode_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let messy = "政策 甲\n枚举 结论{准入，不予准入}\n令 x=1+2  // 注释\n";
    let path = write(dir.path(), "a.qd", messy.as_bytes());
    let p = path.to_str().expect("path");
    let check = qingdan(&["fmt", "--check", p]);
    assert_eq!(check.code, 1);
    assert!(check.stdout.contains("would reformat"));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), messy);

    assert_eq!(qingdan(&["fmt", p]).code, 0);
    let formatted = std::fs::read_to_string(&path).expect("read");
    assert!(formatted.contains("枚举 结论 { 准入, 不予准入 }"), "{formatted}");
    assert!(formatted.contains("// 注释"), "comments survive: {formatted}");
    assert_eq!(qingdan(&["fmt", "--check", p]).code, 0, "formatting is idempotent");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");

    let english = qingdan(&["fmt", "--keywords", "en", p]);
    assert_eq!(english.code, 0);
    assert!(std::fs::read_to_string(&path).expect("read").starts_with("policy 甲"));
}

#[test]
fn fmt_leaves_files_with_syntax_errors_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = "政策 甲\n令 x = 99999999999999999999\n";
    let path = write(dir.path(), "b.qd", broken.as_bytes());
    let run = qingdan(&["fmt", path.to_str().expect("path")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("E0003"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), broken);
}

#[test]
fn explain_prints_the_registry() {
    let run = qingdan(&["explain", "E0202"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("## E0202"), "{}", run.stdout);
    let by_slug = qingdan(&["explain", "unchecked-optional"]);
    assert_eq!(by_slug.stdout, run.stdout);
    assert_eq!(qingdan(&["explain", "E9999"]).code, 2);
    let all = qingdan(&["explain"]);
    assert_eq!(all.stdout.lines().count(), qingdan_dsl::Code::ALL.len());
}

#[test]
fn messages_follow_the_file_language_unless_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let zh = write(dir.path(), "zh.qd", "政策 甲\n令 x = y\n".as_bytes());
    let en = write(dir.path(), "en.qd", "policy a\nlet x = y\n".as_bytes());
    assert!(qingdan(&["check", zh.to_str().expect("p")]).stderr.contains("未知名称"));
    assert!(qingdan(&["check", en.to_str().expect("p")]).stderr.contains("unknown name"));
    let forced = qingdan(&["check", "--lang", "en", zh.to_str().expect("p")]);
    assert!(forced.stderr.contains("unknown name"), "{}", forced.stderr);
}

#[test]
fn used_policies_are_found_beside_the_checked_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "shared.qd", "政策 共用\n枚举 状态 { 平时, 战时 }\n".as_bytes());
    let main = write(
        dir.path(),
        "main.qd",
        "政策 主\n使用 共用\n输入 申请 { 状态: 状态 }\n检查 战时 引用 依据.一 { 须 申请.状态 == 平时 \"平时\" }\n来源 依据 \"x\" { 条款 一 \"y\" }\n".as_bytes(),
    );
    let run = qingdan(&["check", main.to_str().expect("p")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_missing_used_policy_is_one_error_not_hundreds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rows = String::from("编号,名称,主管部门\n");
    for i in 0..200 {
        rows.push_str(&format!("T{i},事项{i},D{}\n", i % 7));
    }
    write(dir.path(), "rows.csv", rows.as_bytes());
    let main = write(
        dir.path(),
        "main.qd",
        "政策 主\n使用 部门名录\n记录 事项 { 编号: 文本, 名称: 文本, 主管部门: 部门清单 }\n清单 事项清单: 事项 键 编号 来自 \"rows.csv\"\n".as_bytes(),
    );
    let run = qingdan(&["check", "--format", "json", main.to_str().expect("p")]);
    assert_eq!(run.code, 1);
    assert_eq!(json_codes(&run), ["E0106"], "follow-on errors are left out");
    assert!(run.stdout.contains("follow-on") || run.stdout.contains("后续"), "{}", run.stdout);
}
