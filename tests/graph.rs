//! `qingdan graph` on the bundled admission policy: the three exports and the two queries,
//! as snapshots a reviewer reads in a diff (one node or edge per line).

const POLICY: &str = "policies/grid_admission/admission.qd";

mod common;

fn qingdan(args: &[&str]) -> (u8, String, String) {
    common::run_in_process(args.iter().copied())
}

/// Stdout of a run that must succeed quietly.
fn ok(args: &[&str]) -> String {
    let (code, out, err) = qingdan(args);
    assert_eq!((code, err.as_str()), (0, ""), "qingdan {}", args.join(" "));
    out
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn dot_export() {
    let dot = ok(&["graph", POLICY]);
    assert_eq!(dot, ok(&["graph", "--as", "dot", POLICY]), "dot is the default");
    snapshot("graph_dot", &dot);
}

#[test]
fn mermaid_export() {
    snapshot("graph_mermaid", &ok(&["graph", "--as", "mermaid", POLICY]));
}

#[test]
fn json_export_is_valid_and_complete() {
    let text = ok(&["graph", "--as", "json", POLICY]);
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let nodes = json["nodes"].as_array().expect("nodes");
    let ids: Vec<&str> = nodes.iter().filter_map(|n| n["id"].as_str()).collect();
    for e in json["edges"].as_array().expect("edges") {
        for end in ["from", "to"] {
            assert!(ids.contains(&e[end].as_str().unwrap_or_default()), "edge end {e}");
        }
    }
    snapshot("graph_json", &text);
}

#[test]
fn impact_of_a_field() {
    let list = ok(&["graph", POLICY, "--impact", "申请.每月频次"]);
    // Without the input's name, as it is the only input with that field.
    assert_eq!(list, ok(&["graph", POLICY, "--impact", "每月频次"]));
    let sub = ok(&["graph", POLICY, "--impact", "申请.每月频次", "--as", "mermaid"]);
    snapshot("graph_impact", &format!("{list}\n──── --as mermaid\n{sub}"));
}

#[test]
fn why_a_decision() {
    let list = ok(&["graph", POLICY, "--why", "准入结论"]);
    let sub = ok(&["graph", POLICY, "--why", "准入结论", "--as", "dot"]);
    snapshot("graph_why", &format!("{list}\n──── --as dot\n{sub}"));
}

#[test]
fn impact_of_a_clause() {
    // Clause 五 (the admission mechanism) is cited by rules of the decision and by the
    // workload checks over the task list.
    // A Chinese policy's query is answered in Chinese, and in English when asked.
    assert_eq!(
        ok(&["graph", POLICY, "--impact", "杭州决定.五"]),
        "决定      准入结论\n检查      清单事项单项工作量\n检查      清单工时总量\n"
    );
    assert_eq!(
        ok(&["graph", POLICY, "--impact", "杭州决定.五", "--lang", "en"]),
        "decision  准入结论\ncheck     清单事项单项工作量\ncheck     清单工时总量\n"
    );
}

#[test]
fn unknown_names_are_usage_errors_with_a_suggestion() {
    let (code, out, err) = qingdan(&["graph", POLICY, "--impact", "申请.每月频率"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("是否想写 `申请.每月频次`？"), "{err}");
    let (code, _, err) = qingdan(&["graph", POLICY, "--why", "准入结果", "--lang", "en"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `准入结论`?"), "{err}");
}

#[test]
fn impact_and_why_together_are_refused() {
    let (code, _, err) = qingdan(&["graph", POLICY, "--impact", "每月频次", "--why", "准入结论"]);
    assert_eq!(code, 2, "{err}");
}
