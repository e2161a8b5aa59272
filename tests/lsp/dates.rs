//! The effective-date words: hover explains a version's range and the policy's
//! `以 … 为准` / `as of`; completion offers them only where they may stand.

use super::client::*;
use serde_json::{json, Value};

fn hover_text(c: &mut Client, uri: &str, at_pos: Value) -> Value {
    let hover = c.result("textDocument/hover", at(uri, at_pos));
    json!({ "text": hover["contents"]["value"], "range": places(&json!({ "uri": uri, "range": hover["range"] })) })
}

fn labels(completion: &Value) -> Vec<String> {
    let items = completion["items"].as_array().expect("items");
    items.iter().filter_map(|i| i["label"].as_str()).map(str::to_string).collect()
}

#[test]
fn date_words_in_chinese_are_explained_and_offered_where_valid() {
    let (uri, text) = admission();
    let mut c = Client::with_open(&uri, &text);
    let since = hover_text(&mut c, &uri, pos(&text, "自 2026-01-01 起:", 0, 0));
    let since_end = hover_text(&mut c, &uri, pos(&text, "自 2026-01-01 起:", 0, 13));
    assert_eq!(since, since_end, "the whole range answers alike");
    let as_of = hover_text(&mut c, &uri, pos(&text, "以 申请.申请日期 为准", 0, 0));
    let as_of_end = hover_text(&mut c, &uri, pos(&text, "以 申请.申请日期 为准", 0, 11));
    assert_eq!(as_of, as_of_end);
    // The field the header names is a mention of the input's field.
    let field = c.result("textDocument/definition", at(&uri, pos(&text, "以 申请.申请日期 为准", 0, 6)));
    // A new let typed above the first one: after its name, `自` and `至` alone.
    let line = pos(&text, "令 月工作量分钟", 0, 0);
    edit(&mut c, &uri, 2, line.clone(), line.clone(), "令 新限额 \n");
    c.diagnostics(&uri, 2);
    let after_name = json!({ "line": line["line"], "character": 6 });
    let offered = labels(&c.result("textDocument/completion", at(&uri, after_name)));
    // In a rule's condition they are not offered.
    let condition = pos(&text, "当 申请.村社角色 == 责任主体", 0, 2);
    let shifted =
        json!({ "line": condition["line"].as_u64().expect("line") + 1, "character": condition["character"] });
    let elsewhere = labels(&c.result("textDocument/completion", at(&uri, shifted)));
    assert!(elsewhere.iter().any(|l| l == "规则"), "{elsewhere:?}");
    assert!(!elsewhere.iter().any(|l| ["自", "至", "以"].contains(&l.as_str())), "{elsewhere:?}");
    insta::assert_yaml_snapshot!(
        "date_words_zh",
        json!({
            "hover on 自 … 起": since,
            "hover on 以 … 为准": as_of,
            "definition of the field in the header": places(&field),
            "completion after a let's name": offered,
        })
    );
    assert_eq!(c.stop(), 0);
}

#[test]
fn date_words_in_english_are_explained_and_offered_where_valid() {
    let (uri, text) = fixture("versions_en.qd");
    let mut c = Client::with_open(&uri, &text);
    let until = hover_text(&mut c, &uri, pos(&text, "until 2025-12-31", 0, 2));
    let from_until = hover_text(&mut c, &uri, pos(&text, "from 2025-01-01 until", 0, 1));
    let as_of = hover_text(&mut c, &uri, pos(&text, "as of", 0, 3));
    // After `rule name from DATE `: `until` alone.
    let line = pos(&text, "rule low_income", 0, 0);
    edit(&mut c, &uri, 2, line.clone(), line.clone(), "rule other from 2026-07-01 \n");
    c.diagnostics(&uri, 2);
    let after_from = json!({ "line": line["line"], "character": 27 });
    let offered = labels(&c.result("textDocument/completion", at(&uri, after_from)));
    insta::assert_yaml_snapshot!(
        "date_words_en",
        json!({
            "hover on until": until,
            "hover on from … until": from_until,
            "hover on as of": as_of,
            "completion after from": offered,
        })
    );
    assert_eq!(c.stop(), 0);
}
