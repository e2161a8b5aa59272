//! Navigation while the text is being edited: a syntax error on one line leaves the rest
//! of the document answering, and names bound by quantifiers are names of their own.

use super::client::*;
use serde_json::{json, Value};

/// A declaration that does not parse is typed above a let: hover, definition and
/// references on names elsewhere answer as before, at the positions of the edited text.
#[test]
fn a_syntax_error_leaves_the_rest_of_the_document_answering() {
    let (uri, text) = admission();
    let mut c = Client::with_open(&uri, &text);
    let references_to = |c: &mut Client, text: &str| {
        let used = pos(text, "当 月工作量分钟 >", 0, 3);
        c.result(
            "textDocument/references",
            json!({ "textDocument": { "uri": uri }, "position": used, "context": { "includeDeclaration": true } }),
        )
    };
    let before = references_to(&mut c, &text);
    let line = pos(&text, "令 月工作量分钟 =", 0, 0);
    let inserted_at = line["line"].as_u64().expect("line");
    let broken_line = "令 坏 = (申请.每月频次 *\n";
    edit(&mut c, &uri, 2, line.clone(), line, broken_line);
    let edited = text.replacen("令 月工作量分钟 =", &format!("{broken_line}令 月工作量分钟 ="), 1);
    let published = c.diagnostics(&uri, 2);
    let errors: Vec<&Value> =
        published["diagnostics"].as_array().expect("list").iter().filter(|d| d["severity"] == 1).collect();
    assert!(!errors.is_empty(), "{published}");

    // The let is used far below the broken line; its declaration moved down one line.
    let used = pos(&edited, "当 月工作量分钟 >", 0, 3);
    let hover = c.result("textDocument/hover", at(&uri, used.clone()));
    assert_eq!(hover["range"]["start"], pos(&edited, "当 月工作量分钟 >", 0, 2), "{hover}");
    let definition = c.result("textDocument/definition", at(&uri, used.clone()));
    assert_eq!(definition["range"]["start"], pos(&edited, "令 月工作量分钟", 0, 2), "{definition}");
    let references = references_to(&mut c, &edited);
    // The same places as before the edit, those below the new line one line further down.
    let expected: Vec<String> = places(&before)
        .iter()
        .map(|p| {
            let (file, range) = p.split_once(':').expect("file:range");
            let shift = |lc: &str| {
                let (l, col) = lc.split_once(':').expect("line:column");
                let l: u64 = l.parse().expect("line");
                format!("{}:{col}", if l >= inserted_at { l + 1 } else { l })
            };
            let (from, to) = range.split_once('-').expect("from-to");
            format!("{file}:{}-{}", shift(from), shift(to))
        })
        .collect();
    assert_eq!(places(&references), expected);
    // A field of the input, used on the line after the broken one.
    let field = pos(&edited, "= 申请.每月频次", 0, 5);
    let field_hover = c.result("textDocument/hover", at(&uri, field.clone()));
    let field_definition = c.result("textDocument/definition", at(&uri, field));
    // On the broken line itself nothing is known.
    let on_broken = c.result("textDocument/hover", at(&uri, pos(&edited, "令 坏", 0, 2)));
    assert_eq!(on_broken, Value::Null);
    insta::assert_yaml_snapshot!(
        "syntax_error_elsewhere",
        portable(&json!({
            "errors": errors.iter().map(|d| json!({ "code": d["code"], "range": d["range"] })).collect::<Vec<_>>(),
            "hover on the let": hover,
            "definition of the let": places(&definition),
            "references to the let": places(&references),
            "hover on a field": field_hover["contents"]["value"],
            "definition of the field": places(&field_definition),
        }))
    );
    // An unfinished let (the error is reported at the next declaration's first word): the
    // let after it still answers.
    let next_line = json!({ "line": inserted_at + 1, "character": 0 });
    edit(&mut c, &uri, 3, json!({ "line": inserted_at, "character": 0 }), next_line, "令 坏 =\n");
    c.diagnostics(&uri, 3);
    let definition = c.result("textDocument/definition", at(&uri, used));
    assert_eq!(definition["range"]["start"], pos(&edited, "令 月工作量分钟", 0, 2), "{definition}");
    assert_eq!(c.stop(), 0);
}

/// A broken header leaves nothing that parses: the last analysis in which the document
/// parsed answers, positions mapped through the edits since.
#[test]
fn with_a_broken_header_the_last_good_analysis_answers_at_moved_positions() {
    let (uri, text) = admission();
    let mut c = Client::with_open(&uri, &text);
    // A second policy header typed above the first.
    let top = json!({ "line": 0, "character": 0 });
    edit(&mut c, &uri, 2, top.clone(), top, "政策 草稿\n");
    let edited = format!("政策 草稿\n{text}");
    let published = c.diagnostics(&uri, 2);
    assert!(published["diagnostics"].as_array().is_some_and(|d| d.iter().any(|d| d["severity"] == 1)));
    let used = pos(&edited, "当 月工作量分钟 >", 0, 3);
    let hover = c.result("textDocument/hover", at(&uri, used.clone()));
    assert_eq!(hover["range"]["start"], pos(&edited, "当 月工作量分钟 >", 0, 2), "{hover}");
    let definition = c.result("textDocument/definition", at(&uri, used.clone()));
    assert_eq!(definition["range"]["start"], pos(&edited, "令 月工作量分钟", 0, 2), "{definition}");
    let references = c.result(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri }, "position": used, "context": { "includeDeclaration": false } }),
    );
    let lines: Vec<u64> = references
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["range"]["start"]["line"].as_u64().expect("line"))
        .collect();
    let expected: Vec<u64> = edited
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("月工作量分钟") && !l.starts_with("令 月工作量分钟"))
        .map(|(i, _)| i as u64)
        .collect();
    assert_eq!(lines, expected);
    // On the new line nothing is known; the old text's impact lenses are not shown.
    assert_eq!(c.result("textDocument/hover", at(&uri, json!({ "line": 0, "character": 4 }))), Value::Null);
    assert_eq!(c.result("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })), json!([]));
    // The outline: the old declarations at their new lines.
    let outline = c.result("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    let first_let = outline
        .as_array()
        .expect("symbols")
        .iter()
        .find(|s| s["name"] == "月工作量分钟")
        .expect("the let in the outline")
        .clone();
    assert_eq!(first_let["selectionRange"]["start"], pos(&edited, "令 月工作量分钟", 0, 2), "{first_let}");
    assert_eq!(c.stop(), 0);
}
