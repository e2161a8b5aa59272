//! The variable a quantifier or a check's scope binds is a name of its own: its type on
//! hover (a row of the list, an element of the set), its binding as its definition, its
//! uses inside that quantifier alone as its references, and a rename that stays there.

use super::client::*;
use serde_json::{json, Value};

/// Hover, definition, references and rename on a policy's variables; `uses` are the
/// needles (with the character offset onto the variable) of the uses asked about.
fn variables(fixture_name: &str, uses: &[(&str, usize)], new_name: &str) -> Value {
    let (uri, text) = fixture(fixture_name);
    let mut c = Client::with_open(&uri, &text);
    let mut answers = serde_json::Map::new();
    for (needle, ahead) in uses {
        let at_use = at(&uri, pos(&text, needle, 0, *ahead));
        let hover = c.result("textDocument/hover", at_use.clone());
        let definition = c.result("textDocument/definition", at_use.clone());
        let mut references = at_use.clone();
        references["context"] = json!({ "includeDeclaration": true });
        let references = c.result("textDocument/references", references);
        let mut rename = at_use;
        rename["newName"] = json!(new_name);
        let rename = c.result("textDocument/rename", rename);
        let edits: Vec<Value> = rename["changes"][&uri]
            .as_array()
            .expect("edits in the policy")
            .iter()
            .map(|e| json!({ "uri": uri, "range": e["range"] }))
            .collect();
        assert_eq!(places(&json!(edits)), places(&references), "rename edits every reference, no more");
        answers.insert(
            needle.to_string(),
            json!({
                "hover": hover["contents"]["value"],
                "definition": places(&definition),
                "references": places(&references),
            }),
        );
    }
    assert_eq!(c.stop(), 0);
    Value::Object(answers)
}

#[test]
fn quantifier_variables_in_chinese() {
    let answers = variables(
        "quant_zh.qd",
        &[
            // `任务` is also a record's name: inside the quantifier it is the variable.
            ("任务.分钟 > 申请", 0),
            ("长度(任务", 3),
            ("任务.分钟 > 60", 0),
            ("取 任务.分钟", 2),
            ("标签 == \"急\"", 0),
            ("须 任务.分钟", 2),
        ],
        "事",
    );
    insta::assert_yaml_snapshot!("variables_zh", answers);
}

#[test]
fn quantifier_variables_in_english() {
    let answers = variables(
        "quant_en.qd",
        &[
            ("t.minutes > application", 0),
            ("length(t", 7),
            ("t.minutes > 60", 0),
            ("of t.minutes", 3),
            ("tag == \"urgent\"", 0),
            ("must t.minutes", 5),
        ],
        "job",
    );
    insta::assert_yaml_snapshot!("variables_en", answers);
}

/// Typing a quantifier (the line does not parse yet): after `var.` the fields of the rows
/// of the list it ranges over.
#[test]
fn completion_after_a_variable_being_typed_offers_the_row_fields() {
    for (name, typed) in [
        ("quant_zh.qd", "令 新 = 任一(活 属于 任务清单 满足 活."),
        ("quant_en.qd", "let fresh = any(job in tasks where job."),
    ] {
        let (uri, text) = fixture(name);
        let mut c = Client::with_open(&uri, &text);
        let end = json!({ "line": text.lines().count(), "character": 0 });
        edit(&mut c, &uri, 2, end.clone(), end, typed);
        c.diagnostics(&uri, 2);
        let after_dot = json!({ "line": text.lines().count(), "character": typed.encode_utf16().count() });
        let completion = c.result("textDocument/completion", at(&uri, after_dot));
        let mut labels: Vec<&str> = completion["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["label"].as_str())
            .collect();
        labels.sort();
        let expected: Vec<&str> = if name.ends_with("zh.qd") {
            vec!["分钟", "标签", "编号"]
        } else {
            vec!["code", "minutes", "tags"]
        };
        assert_eq!(labels, expected, "{name}");
        assert_eq!(c.stop(), 0);
    }
}
