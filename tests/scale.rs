//! Single inputs that once took time or memory growing with the square of their size, run
//! at the sizes that showed it, through the CLI: many rules of one decision, a chain of
//! lets, an enum of many variants, deeply nested case files, and diagnostics repeated by
//! the thousand. Each asserts that the run completes with the expected result and, where
//! the output is the measure, a bound on it (never a time).
//!
//! The largest sizes (20,000 rules, 100,000 variants) take a few seconds in a debug build;
//! `QINGDAN_LARGE_TESTS=1` runs 200,000 lets and 100,000-deep files as well.

use std::path::Path;

mod common;

fn qingdan(args: &[&str]) -> (u8, String, String) {
    common::run_in_process(args.iter().copied())
}

/// `small` normally, `large` when `QINGDAN_LARGE_TESTS` is set.
fn size(small: usize, large: usize) -> usize {
    if std::env::var_os("QINGDAN_LARGE_TESTS").is_some() {
        large
    } else {
        small
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

/// Rules `申请.x > i` for i below `n`, all giving `是`, in one priority decision: 20,000 of
/// them took the analyser 3.2 GB and 27 s (a diagram node per rule with a child per cell,
/// and each rule evaluated on every cell), and the front end a pass over every decision
/// for each rule.
#[test]
fn twenty_thousand_rules_of_one_decision() {
    let n = 20_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from(
        "政策 t\n来源 s \"来源\" { 条款 a \"条款\" }\n输入 申请 { x: 整数 }\n枚举 结论 { 是, 否 }\n",
    );
    for i in 0..n {
        text += &format!("规则 r{i} 引用 s.a {{ 当 申请.x > {i} 则 是 \"r{i}\" }}\n");
    }
    text += "决定 d: 结论 按 优先 是 > 否 默认 否 \"默认\"\n";
    let file = write(dir.path(), "rules.qd", &text);
    let (code, out, err) = qingdan(&["--format", "json", "check", &file]);
    assert_eq!(code, 0, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(json["summary"]["warnings"], 0, "{out}");
}

/// `令 a_i = a_(i-1) + 1`: each constant let was computed in a frame of its own, so the
/// chain was computed again from `a0` for each (20,000 lets: 25–40 s).
#[test]
fn a_chain_of_twenty_thousand_lets() {
    let n = size(20_000, 200_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("政策 t\n令 a0 = 1\n");
    for i in 1..n {
        text += &format!("令 a{i} = a{} + 1\n", i - 1);
    }
    let file = write(dir.path(), "lets.qd", &text);
    let (code, out, err) = qingdan(&["--format", "json", "check", &file]);
    assert_eq!(code, 0, "{out}{err}");
    // Only the last let is unused.
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(json["summary"]["warnings"], 1, "{out}");
    assert_eq!(json["diagnostics"][0]["message"], format!("定义 `a{}` 未被使用", n - 1));
}

/// 100,000 variants: each was compared with every earlier one for repeats, and looked up
/// by a pass over them (24 s). The analyser then works over a field of 100,000 values.
#[test]
fn an_enum_of_a_hundred_thousand_variants() {
    let n = 100_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let names: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
    let text = format!(
        "政策 t\n来源 s \"来源\" {{ 条款 a \"条款\" }}\n枚举 e {{ {} }}\n枚举 结论 {{ 是, 否 }}\n输入 申请 {{ x: e }}\n\
         规则 r 引用 s.a {{ 当 申请.x == v{} 则 是 \"r\" }}\n决定 d: 结论 按 优先 是 > 否 默认 否 \"否\"\n",
        names.join(", "),
        n - 1
    );
    let file = write(dir.path(), "enum.qd", &text);
    let (code, out, err) = qingdan(&["--format", "json", "check", &file]);
    assert_eq!(code, 0, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(json["summary"]["warnings"], 0, "{out}");
    // A repeated variant is still found, after 100,000 others.
    let repeated = text.replace(" }\n枚举 结论", ", v7 }\n枚举 结论");
    let file = write(dir.path(), "repeated.qd", &repeated);
    let (code, out, _) = qingdan(&["--format", "json", "check", &file]);
    assert_eq!(code, 1);
    assert!(out.contains("E0113") && out.contains("`v7`"), "{out}");
}

const CASE_POLICY: &str = "政策 样例\n输入 申请 { 标签: 集合 文本, 地址: 文本? }\n枚举 结论 { 是 }\n决定 d: 结论 按 优先 是 默认 是 \"是\"\n";

/// A value nested 32,000 deep in a YAML case file (a 64 KB file took 10 s; the YAML
/// scanner is quadratic in the nesting) is refused before it is read, with its line; the
/// same in a JSON array file is read in linear time (it used to be read as YAML first, to
/// see whether it was a test file) and refused at the JSON reader's depth limit.
#[test]
fn case_files_nested_thirty_two_thousand_deep() {
    let n = size(32_000, 100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(dir.path(), "p.qd", CASE_POLICY);
    let yaml =
        write(dir.path(), "flow.yaml", &format!("- 标签: [a]\n- 标签: {}{}\n", "[".repeat(n), "]".repeat(n)));
    let (code, out, err) = qingdan(&["--format", "json", "eval", &policy, "--input", &yaml]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("E0301") && out.contains("128"), "{out}");
    assert!(out.contains("\"line\":2"), "the line where it gets too deep: {out}");

    let json = write(
        dir.path(),
        "obj.json",
        &format!("[{{\"地址\": \"x\"}}, {{\"地址\":{}1{}}}]", "{\"a\":".repeat(n), "}".repeat(n)),
    );
    let (code, out, err) = qingdan(&["--format", "json", "eval", &policy, "--input", &json]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("E0302"), "{out}");
}

const LIST_POLICY: &str = "政策 列表\n记录 部门 {\n  编号: 文本\n  名称: 文本\n  人数: 整数\n}\n清单 部门清单: 部门 键 编号 来自 \"d.csv\"\n";

/// A CSV header of 10,000 unknown columns is 10,000 E0103, and human text repeated the
/// 80 KB header line for each: 1.37 GB. Now 20 are shown and the rest counted.
#[test]
fn ten_thousand_unknown_columns_are_shown_twenty_times() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(dir.path(), "p.qd", LIST_POLICY);
    let n = 10_000;
    let header: Vec<String> = ["编号", "名称", "人数"]
        .into_iter()
        .map(String::from)
        .chain((0..n).map(|i| format!("c{i}")))
        .collect();
    let row: Vec<&str> = ["A1", "甲", "3"].into_iter().chain(std::iter::repeat_n("x", n)).collect();
    write(dir.path(), "d.csv", &format!("{}\n{}\n", header.join(","), row.join(",")));

    let (code, out, err) = qingdan(&["--color", "never", "check", &policy]);
    assert_eq!(code, 1);
    assert_eq!(
        err.matches("E0103").count(),
        20 + 1,
        "20 shown and the count: {}",
        &err[err.len().saturating_sub(600)..]
    );
    assert!(
        err.contains(&format!("… 另有 {} 条诊断未显示（E0103 ×{}", n - 20, n - 20)),
        "{}",
        &err[err.len() - 400..]
    );
    // Each shown diagnostic may quote the whole header line; twenty of them, not 10,000.
    assert!(err.len() < 30 * 90_000, "{} bytes", err.len());
    assert!(out.contains(&format!("{n} 个错误")), "the summary counts them all: {out}");

    let (_, out, _) = qingdan(&["--format", "json", "check", &policy]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(json["diagnostics"].as_array().expect("list").len(), 1_000);
    assert_eq!(json["omitted"][0]["code"], "E0103");
    assert_eq!(json["omitted"][0]["count"], n - 1_000);
    assert_eq!(json["summary"]["errors"], n);
}

/// 10,000 rows with 5,000 repeated keys: the human text of 5,000 E0119 took 4.3 s (each
/// snippet found its line by reading the file from the start).
#[test]
fn five_thousand_repeated_keys_are_shown_twenty_times() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(dir.path(), "p.qd", LIST_POLICY);
    let rows: String = (0..10_000).map(|i| format!("K{},名{i},{}\n", i % 5_000, i % 20)).collect();
    write(dir.path(), "d.csv", &format!("编号,名称,人数\n{rows}"));
    let (code, _, err) = qingdan(&["--color", "never", "check", &policy]);
    assert_eq!(code, 1);
    assert_eq!(err.matches("E0119").count(), 20 + 1, "{}", &err[err.len().saturating_sub(600)..]);
    assert!(err.contains("… 另有 4980 条诊断未显示（E0119 ×4980"), "{}", &err[err.len() - 400..]);
}

#[path = "../benches/big_list.rs"]
#[allow(dead_code)] // the in-memory loader is the benchmark's
mod big_list;

/// The duty list of BENCHMARKS.md's "a 100,000-row duty list from CSV" (reference and set
/// columns, one check over every row), at a fifth of its size: every row read, checked,
/// lowered and run through the list check. The size that took 446 MB before its rows stopped
/// being copied runs with `QINGDAN_LARGE_TESTS`.
#[test]
fn a_duty_list_of_twenty_thousand_rows_from_csv() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rows = size(20_000, 100_000);
    // Some rows break the check: withdrawn duties led by a department with no name (D40).
    let text = big_list::big_list_policy("职责.csv")
        .replace("}\n清单 职责清单", "  条目 \"D40\" { 名称: \"\" }\n}\n清单 职责清单");
    let policy = write(dir.path(), "职责.qd", &text);
    write(dir.path(), "职责.csv", &big_list::big_list_csv(rows).replace(",D02,", ",D40,"));
    let (code, out, err) = qingdan(&["--color", "never", "--lang", "en", "check", &policy]);
    assert_eq!(code, 0, "{out}{err}");
    // Rows 2, 42, 82, … were led by D02; those of kind 收回 (every third) break the check.
    let breaking: Vec<usize> = (0..rows).filter(|i| i % 40 == 2 && i % 3 == 2).collect();
    let shown: Vec<String> = breaking.iter().take(5).map(|i| format!("`ZZ-{i:06}`")).collect();
    let expected = format!("rows {}, … ({}) break the check", shown.join(", "), breaking.len());
    assert!(err.contains(&expected), "{expected}\n{}", &err[..err.len().min(2000)]);
    assert_eq!(err.matches("W0407").count(), 1, "{err}");
}
