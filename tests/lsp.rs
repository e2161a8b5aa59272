//! `qingdan lsp` spoken to over standard input and output, as an editor speaks to it: the
//! real binary, framed JSON-RPC, the bundled policies. Answers are snapshotted as YAML
//! with the checkout's location replaced by `file:///REPO`.

#[path = "lsp/client.rs"]
mod client;
#[path = "lsp/commands.rs"]
mod commands;
#[path = "lsp/data_files.rs"]
mod data_files;
#[path = "lsp/dates.rs"]
mod dates;
#[path = "lsp/editing.rs"]
mod editing;
#[path = "lsp/variables.rs"]
mod variables;

use client::*;
use serde_json::{json, Value};

#[test]
fn a_session_on_the_bundled_admission_policy() {
    let mut c = Client::start();
    let init = c.initialize();
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    let (uri, text) = admission();
    c.open(&uri, &text);
    let published = c.diagnostics(&uri, 1);
    assert_eq!(published["diagnostics"], json!([]), "the bundled policy checks clean");

    let hover_let = c.result("textDocument/hover", at(&uri, pos(&text, "月工作量分钟 /", 0, 1)));
    let hover_clause = c.result("textDocument/hover", at(&uri, pos(&text, "湖南减负清单.二", 0, 8)));
    let hover_variant = c.result("textDocument/hover", at(&uri, pos(&text, "则 不予准入", 0, 3)));
    let hover_field = c.result("textDocument/hover", at(&uri, pos(&text, "申请.每月频次", 0, 4)));
    insta::assert_yaml_snapshot!(
        "hover",
        portable(&json!({
            "let": hover_let,
            "clause": hover_clause,
            "variant": hover_variant,
            "field": hover_field,
        }))
    );

    let definition_field = c.result("textDocument/definition", at(&uri, pos(&text, "申请.每月频次", 0, 4)));
    let definition_row_list =
        c.result("textDocument/definition", at(&uri, pos(&text, "依法履职事项清单[", 0, 2)));
    let definition_clause =
        c.result("textDocument/definition", at(&uri, pos(&text, "湖南减负清单.二", 0, 8)));
    let mut references = c.result(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri }, "position": pos(&text, "令 月工作量分钟", 0, 3), "context": { "includeDeclaration": true } }),
    );
    sort_locations(&mut references);
    insta::assert_yaml_snapshot!(
        "navigation",
        portable(&json!({
            "definition of a field": definition_field,
            "definition of a list": definition_row_list,
            "definition of a clause": definition_clause,
            "references to a let": references,
        }))
    );

    let symbols = c.result("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    let outline: Vec<String> = symbols
        .as_array()
        .expect("symbols")
        .iter()
        .map(|s| format!("{} {}", s["kind"], s["name"].as_str().unwrap_or("")))
        .collect();
    insta::assert_yaml_snapshot!("outline", outline);

    let lenses = c.result("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }));
    let titles: Vec<String> = lenses
        .as_array()
        .expect("lenses")
        .iter()
        .map(|l| format!("{}: {}", l["range"]["start"]["line"], l["command"]["title"].as_str().unwrap_or("")))
        .collect();
    insta::assert_yaml_snapshot!("impact_lenses", titles);

    let formatting = c.result(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(formatting, json!([]), "the bundled policy is formatted already");
    assert_eq!(c.stop(), 0);
}

fn astral() -> (String, String) {
    let path = repo().join("tests/fixtures/lsp/astral.qd");
    let text = std::fs::read_to_string(&path).expect("the fixture");
    (file_uri(&path), text)
}

/// Characters outside the BMP are two UTF-16 units: every range the server gives, and
/// every position it reads, counts them so.
#[test]
fn positions_count_utf16_units_with_astral_plane_characters() {
    let mut c = Client::start();
    c.initialize();
    let (uri, text) = astral();
    c.open(&uri, &text);
    let published = c.diagnostics(&uri, 1);
    // `规则 𠀃成年通过`: the name starts after one astral character (2 units) and ends 6 units later.
    let w0001 = published["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["code"] == "W0001")
        .expect("W0001")
        .clone();
    assert_eq!(
        w0001["range"],
        json!({ "start": { "line": 7, "character": 3 }, "end": { "line": 7, "character": 9 } })
    );
    // Formatting gives one edit of the whole text (its end: line 11, after the last newline).
    let formatting = c.result(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    insta::assert_yaml_snapshot!("astral_formatting", formatting);
    // `𠀁年龄` after `申请.` spans UTF-16 columns 12–16 (𠀂 before it counts two).
    let field = pos(&text, "申请.𠀁年龄", 0, 3);
    assert_eq!(field, json!({ "line": 6, "character": 12 }));
    let hover = c.result("textDocument/hover", at(&uri, json!({ "line": 6, "character": 14 })));
    assert_eq!(
        hover["range"],
        json!({ "start": { "line": 6, "character": 12 }, "end": { "line": 6, "character": 16 } })
    );
    let definition = c.result("textDocument/definition", at(&uri, json!({ "line": 6, "character": 15 })));
    assert_eq!(
        definition["range"],
        json!({ "start": { "line": 3, "character": 8 }, "end": { "line": 3, "character": 12 } })
    );
    // An edit placed after astral characters: `18` becomes `16` at its UTF-16 column.
    let eighteen = pos(&text, "18", 0, 0);
    assert_eq!(eighteen, json!({ "line": 6, "character": 20 }));
    let edit = json!({ "range": { "start": { "line": 6, "character": 20 }, "end": { "line": 6, "character": 22 } }, "text": "𠀄" });
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [edit] }),
    );
    let after = c.diagnostics(&uri, 2);
    assert_eq!(after["version"], 2);
    let unknown = after["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["severity"] == 1)
        .expect("an error")
        .clone();
    assert_eq!(
        unknown["range"],
        json!({ "start": { "line": 6, "character": 20 }, "end": { "line": 6, "character": 22 } }),
        "{unknown}"
    );
    let rename = c.result(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 8, "character": 5 }, "newName": "𠀅成年" }),
    );
    insta::assert_yaml_snapshot!("astral_rename", portable(&rename));
    assert_eq!(c.stop(), 0);
}

#[test]
fn edits_completion_rename_and_quick_fixes() {
    let mut c = Client::start();
    c.initialize();
    let (uri, text) = admission();
    c.open(&uri, &text);
    c.diagnostics(&uri, 1);
    // Type `申请.` on a new line inside the last rule: the line does not parse, yet the
    // fields of the input are offered.
    let line = pos(&text, "当 申请.村社角色 == 责任主体", 0, 0);
    let typing = json!({ "range": { "start": line, "end": line }, "text": "当 申请.\n  " });
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [typing] }),
    );
    let broken = c.diagnostics(&uri, 2);
    assert!(
        broken["diagnostics"].as_array().is_some_and(|d| d.iter().any(|d| d["severity"] == 1)),
        "{broken}"
    );
    let after_dot =
        json!({ "line": line["line"], "character": line["character"].as_u64().expect("column") + 5 });
    let completion = c.result("textDocument/completion", at(&uri, after_dot));
    let labels: Vec<&str> =
        completion["items"].as_array().expect("items").iter().filter_map(|i| i["label"].as_str()).collect();
    insta::assert_yaml_snapshot!("completion_after_dot", labels);
    // Undo, then write `。` at a line's end and `大于` for `>`: both come with a quick fix.
    let undo = json!({ "range": { "start": line, "end": { "line": line["line"].as_u64().expect("line") + 1, "character": 2 } }, "text": "" });
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [undo] }),
    );
    assert_eq!(c.diagnostics(&uri, 3)["diagnostics"], json!([]), "back to the bundled text");
    let gt = pos(&text, "申请.每月报表次数 > 每月报表次数上限", 0, 10);
    let slip = json!({ "range": { "start": gt, "end": { "line": gt["line"], "character": gt["character"].as_u64().expect("column") + 1 } }, "text": "大于" });
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 4 }, "contentChanges": [slip] }),
    );
    let slipped = c.diagnostics(&uri, 4);
    let range = slipped["diagnostics"][0]["range"].clone();
    let actions = c.result(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": range, "context": { "diagnostics": slipped["diagnostics"] } }),
    );
    insta::assert_yaml_snapshot!(
        "quick_fix",
        portable(&json!({ "diagnostics": slipped["diagnostics"], "actions": actions }))
    );
    // Completion after `引用 `: every source's clauses.
    let cite = pos(&text, "规则 缺少法律依据 引用 ", 0, 13);
    let clauses = c.result("textDocument/completion", at(&uri, cite));
    let labels: Vec<&str> = clauses["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["label"].as_str())
        .take(8)
        .collect();
    insta::assert_yaml_snapshot!("completion_after_cite", labels);
    // The whole text sent again (full sync), then an input field renamed: in its
    // declaration and every use.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 5 }, "contentChanges": [{ "text": text }] }),
    );
    assert_eq!(c.diagnostics(&uri, 5)["diagnostics"], json!([]));
    let field = pos(&text, "申请.每月频次", 0, 4);
    let rename = c.result(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri }, "position": field, "newName": "每月次数" }),
    );
    let edits = rename["changes"][&uri].as_array().expect("edits in the policy").len();
    let uses = text.matches("每月频次").count();
    assert_eq!(edits, uses, "{rename}");
    assert_eq!(c.stop(), 0);
}

/// Bad input costs the client one error each, and the server goes on answering.
#[test]
fn malformed_messages_unknown_methods_and_bad_positions_are_protocol_errors() {
    let mut c = Client::start();
    let early = c.call("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    c.initialize();
    c.raw("{this is not json");
    let parse_error = c.response_to(Value::Null);
    assert_eq!(parse_error["error"]["code"], -32700, "{parse_error}");
    c.raw("[1, 2, 3]");
    assert_eq!(c.response_to(Value::Null)["error"]["code"], -32600);
    let unknown = c.call("qingdan/noSuchThing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let (uri, text) = astral();
    let not_open = c.call("textDocument/hover", at(&uri, json!({ "line": 0, "character": 0 })));
    assert_eq!(not_open["error"]["code"], -32602, "{not_open}");
    c.open(&uri, &text);
    c.diagnostics(&uri, 1);
    let past_end = c.call("textDocument/hover", at(&uri, json!({ "line": 400, "character": 0 })));
    assert_eq!(past_end["error"]["code"], -32602, "{past_end}");
    let no_position = c.call("textDocument/definition", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(no_position["error"]["code"], -32602, "{no_position}");
    // An edit outside the document changes nothing and is told in the log.
    let edit = json!({ "range": { "start": { "line": 99, "character": 0 }, "end": { "line": 99, "character": 1 } }, "text": "x" });
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [edit] }),
    );
    let again = c.diagnostics(&uri, 2);
    assert_eq!(again["diagnostics"].as_array().map(Vec::len), Some(2), "{again}");
    assert!(c.notes.iter().any(|n| n["method"] == "window/logMessage"), "{:?}", c.notes);
    // Still up: a hover on the unchanged text.
    let hover = c.result("textDocument/hover", at(&uri, json!({ "line": 6, "character": 14 })));
    assert!(hover["contents"]["value"].as_str().is_some_and(|v| v.contains("𠀁年龄")), "{hover}");
    assert_eq!(c.stop(), 0);
}

#[test]
fn exit_without_shutdown_is_exit_code_one() {
    let mut c = Client::start();
    c.initialize();
    c.notify("exit", Value::Null);
    assert_eq!(c.child.wait().expect("exits").code(), Some(1));
}

/// The analyser's findings come after the front end's, for the same version, once typing
/// has paused; the front end's publication right after the edit does not wait for them.
#[test]
fn the_analyser_publishes_its_findings_after_the_front_end() {
    let mut c = Client::start();
    c.initialize();
    let path = repo().join("tests/fixtures/lsp/analysed.qd");
    let text = std::fs::read_to_string(&path).expect("the fixture");
    let uri = file_uri(&path);
    c.open(&uri, &text);
    let front_end = c.diagnostics(&uri, 1);
    assert_eq!(front_end["diagnostics"], json!([]), "{front_end}");
    let analysed = c.diagnostics_where(&uri, |d| !d.as_array().is_some_and(Vec::is_empty));
    let codes: Vec<&str> =
        analysed["diagnostics"].as_array().expect("list").iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes, ["W0405", "W0403"], "{analysed}");
    assert_eq!(analysed["version"], 1);
    assert_eq!(c.stop(), 0);
}

/// Rows kept in CSV files are declarations like any other: a constant key in the policy
/// leads to its row, and the row's references include the cells of another list that
/// name it.
#[test]
fn rows_in_csv_files_are_found_and_referenced() {
    let mut c = Client::start();
    c.initialize();
    let path = repo().join("tests/fixtures/lsp/rows/rows.qd");
    let text = std::fs::read_to_string(&path).expect("the fixture");
    let uri = file_uri(&path);
    c.open(&uri, &text);
    c.diagnostics(&uri, 1);
    let key = pos(&text, "\"QX-MZ\"", 0, 2);
    let definition = c.result("textDocument/definition", at(&uri, key.clone()));
    let mut references = c.result(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri }, "position": key, "context": { "includeDeclaration": true } }),
    );
    sort_locations(&mut references);
    insta::assert_yaml_snapshot!(
        "csv_rows",
        portable(&json!({ "definition": definition, "references": references }))
    );
    assert_eq!(c.stop(), 0);
}

/// Names from the policies a file `使用`s lead into those files: a list, a field of its
/// rows, a clause cited as `政策.来源.条款`.
#[test]
fn definitions_follow_used_policies() {
    let mut c = Client::start();
    c.initialize();
    let path = repo().join("policies/enforcement_catalogue/referral.qd");
    let text = std::fs::read_to_string(&path).expect("the bundled policy");
    let uri = file_uri(&path);
    c.open(&uri, &text);
    assert_eq!(c.diagnostics(&uri, 1)["diagnostics"], json!([]));
    let list = c.result("textDocument/definition", at(&uri, pos(&text, "事项: 执法事项清单", 0, 4)));
    let field = c.result("textDocument/definition", at(&uri, pos(&text, "对应事项.赋权状态", 0, 6)));
    let clause =
        c.result("textDocument/definition", at(&uri, pos(&text, "执法事项目录.行政处罚法.27", 0, 13)));
    let hover = c.result("textDocument/hover", at(&uri, pos(&text, "执法事项目录.行政处罚法.27", 0, 13)));
    insta::assert_yaml_snapshot!(
        "used_policies",
        portable(
            &json!({ "list": list, "field of a row": field, "clause": clause, "hover on the clause": hover["contents"]["value"] })
        )
    );
    assert_eq!(c.stop(), 0);
}

/// Editing a used policy re-checks the open policies that use it (once typing pauses).
#[test]
fn an_edit_of_a_used_policy_is_seen_by_the_policies_using_it() {
    let mut c = Client::start();
    c.initialize();
    let read = |name: &str| {
        let path = repo().join("policies/enforcement_catalogue").join(name);
        (file_uri(&path), std::fs::read_to_string(&path).expect("the bundled policy"))
    };
    let (catalogue_uri, catalogue) = read("catalogue.qd");
    let (referral_uri, referral) = read("referral.qd");
    c.open(&catalogue_uri, &catalogue);
    c.open(&referral_uri, &referral);
    assert_eq!(c.diagnostics(&referral_uri, 1)["diagnostics"], json!([]));
    // The list the referral policy names is renamed in the (unsaved) catalogue.
    let at = pos(&catalogue, "清单 执法事项清单", 0, 3);
    let end = json!({ "line": at["line"], "character": at["character"].as_u64().expect("column") + 6 });
    let rename = json!({ "range": { "start": at, "end": end }, "text": "执法事项总表" });
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": catalogue_uri, "version": 2 }, "contentChanges": [rename] }),
    );
    let seen = c.diagnostics_where(&referral_uri, |d| {
        d.as_array().is_some_and(|d| d.iter().any(|d| d["severity"] == 1))
    });
    let messages: Vec<&str> =
        seen["diagnostics"].as_array().expect("list").iter().filter_map(|d| d["message"].as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("执法事项清单")), "{messages:?}");
    assert_eq!(c.stop(), 0);
}
