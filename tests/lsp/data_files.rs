//! A CSV file of list rows opened in the editor gets the diagnostics of the policies that
//! read it, at its rows and columns, as it is typed — and again when what they read
//! with it changes.

use super::client::*;
use serde_json::{json, Value};

#[test]
fn a_broken_csv_file_gets_its_own_diagnostics() {
    let mut c = Client::start();
    c.initialize();
    let (uri, text) = fixture("rows/事项.csv");
    // A ragged row and a department key that 部门.csv does not have.
    let broken = text.replace("XZ-2,协助做好优抚,QX-MZ", "XZ-2,协助做好优抚").replace("QX-SGB", "QX-XX");
    c.open(&uri, &broken);
    let published = c.diagnostics(&uri, 1);
    let found: Vec<Value> = published["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| json!({ "code": d["code"], "range": d["range"], "message": d["message"] }))
        .collect();
    insta::assert_yaml_snapshot!("broken_csv", found);
    // The missing department added to the other list's file (open, unsaved): once typing
    // pauses, the first file's diagnostics no longer name the key.
    let (departments_uri, departments) = fixture("rows/部门.csv");
    c.open(&departments_uri, &format!("{departments}QX-XX,新设部门\n"));
    let again = c.diagnostics_where(&uri, |d| {
        d.as_array().is_some_and(|d| !d.is_empty() && d.iter().all(|d| d["code"] != "E0120"))
    });
    let codes: Vec<&str> =
        again["diagnostics"].as_array().expect("list").iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes, ["E0127", "E0122"], "{again}");
    // Mended in the editor: the file's diagnostics are cleared.
    let whole = json!({ "text": text });
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [whole] }),
    );
    assert_eq!(c.diagnostics(&uri, 2)["diagnostics"], json!([]));
    // A data file answers no requests of its own, and is not checked as a policy.
    assert_eq!(c.result("textDocument/hover", at(&uri, json!({ "line": 1, "character": 1 }))), Value::Null);
    assert!(
        !c.notes.iter().any(|n| is_diagnostics_for(n, &uri)
            && n["params"]["diagnostics"].as_array().is_some_and(|d| d.iter().any(|d| d["code"] == "E0001"))),
        "{:?}",
        c.notes
    );
    assert_eq!(c.stop(), 0);
}

/// `(hover text, completion labels)` at `at` in the data file `uri`.
fn hover_and_completion(c: &mut Client, uri: &str, position: Value) -> (String, Vec<String>) {
    let hover = c.result("textDocument/hover", at(uri, position.clone()));
    let completion = c.result("textDocument/completion", at(uri, position));
    let labels = completion["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["label"].as_str()).map(str::to_string).collect())
        .unwrap_or_default();
    (hover["contents"]["value"].as_str().unwrap_or("").to_string(), labels)
}

/// A data file's reserved date columns (`施行日期` / `废止日期`, `from` / `until`) are known
/// columns: no diagnostic, a hover that says what they mean, offered where a column's name
/// is typed — in CSV and YAML, beside the record's own fields (and an unknown column is one).
#[test]
fn the_reserved_date_columns_of_data_files_are_known_columns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy =
        "政策 行日期 以 申请.日期 为准\n\n记录 事项 {\n  编号: 文本\n  名称: 文本\n  分值: 整数?\n}\n\n\
清单 事项清单: 事项 键 编号 来自 \"事项.csv\"\n清单 另一清单: 事项 键 编号 来自 \"另一.yaml\"\n\n\
输入 申请 { 日期: 日期, 事项: 文本 }\n\n枚举 结论 { 在内, 不在内 }\n\n\
规则 在内 {\n  当 申请.事项 属于 事项清单 或 申请.事项 属于 另一清单\n  则 结论.在内 \"在清单内\"\n}\n\n\
决定 判断: 结论 按 首个 默认 结论.不在内 \"不在清单内\"\n";
    let csv = "编号,名称,施行日期\nXZ-1,协助开展人口普查,2025-01-01\nXZ-2,协助做好优抚,\n";
    let yaml = "- 编号: XZ-3\n  名称: 协助开展党建\n  施行日期: 2026-01-01\n  \n- 编号: XZ-4\n  名称: 协助巡查\n  废止日期: 2025-12-31\n";
    for (name, text) in [("p.qd", policy), ("事项.csv", csv), ("另一.yaml", yaml)] {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let mut c = Client::start();
    c.initialize();
    let policy_uri = file_uri(&dir.path().join("p.qd"));
    c.open(&policy_uri, policy);
    let policy_diags = c.diagnostics(&policy_uri, 1)["diagnostics"].clone();
    assert!(policy_diags.as_array().is_some_and(|d| d.iter().all(|d| d["severity"] == 2)), "{policy_diags}");
    let csv_uri = file_uri(&dir.path().join("事项.csv"));
    c.open(&csv_uri, csv);
    assert_eq!(c.diagnostics(&csv_uri, 1)["diagnostics"], json!([]), "the date column is no unknown column");
    let (from, _) = hover_and_completion(&mut c, &csv_uri, pos(csv, "施行日期", 0, 1));
    assert!(
        from.starts_with("**施行日期**（保留的日期列）\n\n这一行自哪天起施行（含当天）；空着表示不限"),
        "{from}"
    );
    let (field, _) = hover_and_completion(&mut c, &csv_uri, pos(csv, "名称", 0, 0));
    assert!(
        field.contains("**字段**（记录 `事项`，清单 `事项清单`）") && field.contains("名称: 文本"),
        "{field}"
    );
    // Typing a new column at the end of the header: what the file lacks, the other date column included.
    let (_, offered) = hover_and_completion(&mut c, &csv_uri, pos(csv, "施行日期", 0, 4));
    assert_eq!(offered, ["分值", "废止日期"]);
    // A column the record does not have is one: E0103 at it, and the hover says so.
    let odd = csv
        .replacen("施行日期", "施行日期,备注", 1)
        .replace("2025-01-01\n", "2025-01-01,x\n")
        .replace("优抚,\n", "优抚,,\n");
    edit_whole(&mut c, &csv_uri, 2, &odd);
    let codes: Vec<Value> = c.diagnostics(&csv_uri, 2)["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["code"].clone())
        .collect();
    assert_eq!(codes, [json!("E0103")]);
    let (unknown, _) = hover_and_completion(&mut c, &csv_uri, pos(&odd, "备注", 0, 1));
    assert!(unknown.starts_with("记录 `事项` 没有字段 `备注`"), "{unknown}");
    // YAML: each row's keys.
    let yaml_uri = file_uri(&dir.path().join("另一.yaml"));
    c.open(&yaml_uri, yaml);
    assert_eq!(c.diagnostics(&yaml_uri, 1)["diagnostics"], json!([]));
    let (until, _) = hover_and_completion(&mut c, &yaml_uri, pos(yaml, "废止日期", 0, 2));
    assert!(until.starts_with("**废止日期**（保留的日期列）\n\n这一行施行到哪天为止"), "{until}");
    let blank = json!({ "line": 3, "character": 2 });
    let (_, offered) = hover_and_completion(&mut c, &yaml_uri, blank);
    assert_eq!(offered, ["分值", "废止日期"], "the first row's missing keys");
    // After a key's colon is a value, not a column.
    let (_, offered) = hover_and_completion(&mut c, &yaml_uri, pos(yaml, "协助巡查", 0, 0));
    assert!(offered.is_empty(), "{offered:?}");
    assert_eq!(c.stop(), 0);
    // In an English policy, the columns are `from` and `until`.
    let en = "policy dated as of application.day\n\nrecord task {\n  code: text\n}\n\n\
list tasks: task key code from \"tasks.csv\"\n\ninput application { day: date, code: text }\n\n\
enum verdict { yes, no }\n\nrule known {\n  when application.code in tasks\n  then verdict.yes \"known\"\n}\n\n\
decision d: verdict by first default verdict.no \"unknown\"\n";
    let tasks = "code,until\nT1,2025-12-31\n";
    std::fs::write(dir.path().join("en.qd"), en).expect("write");
    std::fs::write(dir.path().join("tasks.csv"), tasks).expect("write");
    let mut c = Client::start();
    c.initialize();
    let tasks_uri = file_uri(&dir.path().join("tasks.csv"));
    c.open(&tasks_uri, tasks);
    assert_eq!(c.diagnostics(&tasks_uri, 1)["diagnostics"], json!([]));
    let (until, offered) = hover_and_completion(&mut c, &tasks_uri, pos(tasks, "until", 0, 5));
    assert!(
        until.starts_with("**until** (reserved date column)\n\nthe last day the row is in force"),
        "{until}"
    );
    assert_eq!(offered, ["from"]);
    assert_eq!(c.stop(), 0);
}

/// `didChange` with the whole new text.
fn edit_whole(c: &mut Client, uri: &str, version: i64, text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
    );
}
