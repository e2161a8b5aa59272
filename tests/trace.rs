//! Sources with their full text and `qingdan trace`: where a policy's `全文` is looked for
//! (its folder, then the nearest `policies` folder above, never outside), the trace
//! report in its three formats, and the bundled report `policies/TRACE.md` kept current.

use std::path::{Path, PathBuf};

mod common;

fn qingdan(args: &[&str]) -> (u8, String, String) {
    common::run_in_process(args.iter().copied())
}

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).to_string_lossy().into_owned()
}

const TEXT: &str = "某市关于基层治理的决定\n\n一、健全体系,\n\n(一)打造治理格局。把党的领导贯穿全过程。\n\n\
                    (二)加强“小脑+手脚”建设。迭代升级“基层治理四平台”。\n\n(三)发挥人大代表作用。\n";

/// `policies/sources/t.txt` and `policies/甲/x.qd` whose source names it as `sources/t.txt`.
fn tree(policy: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let policies = dir.path().join("policies");
    std::fs::create_dir_all(policies.join("sources")).expect("folders");
    std::fs::create_dir_all(policies.join("甲")).expect("folders");
    std::fs::write(policies.join("sources/t.txt"), TEXT).expect("text");
    let file = policies.join("甲/x.qd");
    std::fs::write(&file, policy).expect("policy");
    (dir, file)
}

const POLICY: &str = r#"政策 甲
来源 市决定 "某市关于基层治理的决定" (2022-12-20) 全文 "sources/t.txt" {
  条款 一
  条款 二 "加强 “小脑＋手脚” 建设。……迭代升级"
  条款 三 范围外 "人大代表的工作"
}
来源 意见 "关于加强基层治理的意见" {
  条款 费随事转 摘要 "做到权随事转、人随事转、费随事转"
  条款 三权 "赋予乡镇综合管理权"
}
记录 行 { 编号: 文本, 依据: 文本 }
清单 表: 行 键 编号 { 条目 "A1" { 依据: "市决定第（一）项" } }
枚举 结论 { 准入, 不予准入 }
输入 申请 { 小时: 整数 }
规则 超时 引用 市决定.二, 意见.费随事转 { 当 申请.小时 > 8 则 不予准入 "超时" }
决定 准入结论: 结论 按 优先 不予准入 > 准入 默认 准入 "符合" 引用 意见.三权
"#;

#[test]
fn a_full_text_is_found_in_the_nearest_policies_folder_and_checked() {
    let (_dir, file) = tree(POLICY);
    let (code, out, err) = qingdan(&["check", file.to_str().expect("path")]);
    assert_eq!(code, 0, "{out}{err}");
    // A paraphrase of clause 二 is caught, with the text's words shown.
    let (_dir, file) = tree(&POLICY.replace("……迭代升级", "……迭代更新"));
    let (code, _, err) = qingdan(&["check", "--color", "never", file.to_str().expect("path")]);
    assert_eq!(code, 1);
    assert!(err.contains("E0131") && err.contains("其后引文是“更新…”，原文是“升级“基层治理四平"), "{err}");
}

#[test]
fn a_full_text_outside_the_folders_is_refused_before_it_is_looked_up() {
    let (_dir, file) = tree(&POLICY.replace("\"sources/t.txt\"", "\"../sources/t.txt\""));
    let (code, _, err) = qingdan(&["check", "--color", "never", file.to_str().expect("path")]);
    assert_eq!(code, 1);
    assert!(err.contains("E0128"), "{err}");
    assert!(!err.contains("E0131") && !err.contains("E0130"), "{err}");
}

/// `二` and `2` name one clause of the text: the second is a duplicate (E0114).
#[test]
fn two_spellings_of_one_clause_number_are_a_duplicate() {
    let (_dir, file) = tree(&POLICY.replace("  条款 一\n", "  条款 一\n  条款 1 \"打造治理格局\"\n"));
    let (code, _, err) = qingdan(&["check", "--color", "never", file.to_str().expect("path")]);
    assert_eq!(code, 1);
    assert!(err.contains("E0114") && err.contains("条款 `1` 与条款 `一` 在全文中是同一条"), "{err}");
}

#[test]
fn trace_reports_citers_rows_out_of_scope_and_uncited_clauses() {
    let (_dir, file) = tree(POLICY);
    let path = file.to_str().expect("path");
    let (code, json, err) = qingdan(&["trace", "--as", "json", path]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let decision = &v["sources"][0];
    assert_eq!(decision["full_text"], "sources/t.txt");
    let clauses = decision["clauses"].as_array().expect("clauses");
    // The text's three clauses, in its order; the part heading 一、 is not a clause.
    let ids: Vec<&str> = clauses.iter().map(|c| c["id"].as_str().expect("id")).collect();
    assert_eq!(ids, ["一", "二", "三"]);
    assert_eq!(clauses[0]["status"], "implemented");
    assert_eq!(clauses[0]["wording"], serde_json::json!(["from_text"]));
    assert_eq!(
        clauses[0]["cited_by"][0],
        serde_json::json!({ "policy": "甲", "kind": "row", "name": "表 A1" })
    );
    assert_eq!(
        clauses[1]["cited_by"][0],
        serde_json::json!({ "policy": "甲", "kind": "rule", "name": "超时" })
    );
    assert_eq!(clauses[1]["wording"], serde_json::json!(["checked"]));
    assert_eq!(clauses[2]["status"], "out_of_scope");
    assert_eq!(clauses[2]["out_of_scope"], "人大代表的工作");
    let opinion = &v["sources"][1]["clauses"];
    assert_eq!(opinion[0]["wording"], serde_json::json!(["summary"]));
    assert_eq!(opinion[1]["wording"], serde_json::json!(["unmarked"]));
    assert_eq!(opinion[1]["cited_by"][0]["kind"], "default");

    let (_, text, _) = qingdan(&["trace", path]);
    assert!(text.contains("3 条：2 条有引用，1 条范围外，0 条无人引用"), "{text}");
    assert!(text.contains("    引用者：甲.规则 超时\n"), "{text}");
    assert!(text.contains("    文字：引文无从核对且未注明\n"), "{text}");
    let (_, en, _) = qingdan(&["trace", "--lang", "en", "--as", "markdown", path]);
    assert!(en.contains("| 三 | words taken from the text |  | 人大代表的工作 |"), "{en}");
}

#[test]
fn trace_of_one_source_and_of_an_unknown_one() {
    let (_dir, file) = tree(POLICY);
    let path = file.to_str().expect("path");
    let (code, out, _) = qingdan(&["trace", "--source", "意见", path]);
    assert_eq!(code, 0);
    assert!(out.starts_with("关于加强基层治理的意见\n"), "{out}");
    assert!(!out.contains("某市关于基层治理的决定"), "{out}");
    let (code, _, err) = qingdan(&["trace", "--source", "没有", path]);
    assert_eq!(code, 2, "{err}");
    // A policy with errors reports them instead of a trace.
    let (_dir, file) = tree(&POLICY.replace("条款 一\n", "条款 九\n"));
    let (code, out, err) = qingdan(&["trace", file.to_str().expect("path")]);
    assert_eq!(code, 1);
    assert!(out.is_empty() && err.contains("E0130"), "{out}{err}");
}

/// The Hangzhou decision: each of its 21 clauses is implemented by a bundled policy or
/// declared out of scope with a reason, and no bundled clause is an unmarked quotation.
#[test]
fn every_hangzhou_clause_is_implemented_or_out_of_scope() {
    let (code, json, err) = qingdan(&["trace", "--as", "json", &repo("policies")]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let sources = v["sources"].as_array().expect("sources");
    let hangzhou =
        sources.iter().find(|s| s["full_text"] == "sources/hangzhou-2022.txt").expect("the decision");
    let clauses = hangzhou["clauses"].as_array().expect("clauses");
    assert_eq!(clauses.len(), 21);
    for c in clauses {
        assert_ne!(c["status"], "uncited", "{c}");
    }
    for s in sources {
        for c in s["clauses"].as_array().expect("clauses") {
            let wording = c["wording"].as_array().expect("wording");
            assert!(!wording.iter().any(|w| w == "unmarked"), "{}: {c}", s["title"]);
        }
    }
}

#[test]
fn trace_of_the_bundled_hangzhou_decision() {
    let (code, out, err) = qingdan(&["trace", "--source", "杭州决定", &repo("policies")]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("trace_bundled_hangzhou", out);
}

/// policies/TRACE.md is the Markdown trace of every bundled policy; CI fails when it is
/// stale.
#[test]
fn policies_trace_md_is_current() {
    let (code, now, err) = qingdan(&["trace", "--as", "markdown", &repo("policies")]);
    assert_eq!(code, 0, "{err}");
    let kept = std::fs::read_to_string(repo("policies/TRACE.md")).unwrap_or_default();
    assert!(
        kept == now,
        "policies/TRACE.md is out of date; regenerate it with\n    cargo run -- trace --as markdown policies > policies/TRACE.md"
    );
}
