//! The impact lens's command: the lens carries `qingdan.showImpact` with the document and
//! its position (the VS Code extension runs it), and the server answers
//! `workspace/executeCommand` `qingdan.impact` with the decisions and checks downstream.

use super::client::*;
use serde_json::json;

#[test]
fn the_impact_lens_command_lists_the_decisions_downstream() {
    let mut c = Client::start();
    let init = c.initialize();
    assert_eq!(init["capabilities"]["executeCommandProvider"]["commands"], json!(["qingdan.impact"]));
    let (uri, text) = admission();
    c.open(&uri, &text);
    c.diagnostics(&uri, 1);
    let lenses = c.result("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }));
    let at_let = pos(&text, "令 月工作量分钟", 0, 0);
    let lens = lenses
        .as_array()
        .expect("lenses")
        .iter()
        .find(|l| l["range"]["start"]["line"] == at_let["line"])
        .expect("a lens above the let")
        .clone();
    assert_eq!(lens["command"]["command"], "qingdan.showImpact");
    let arguments = lens["command"]["arguments"].clone();
    assert_eq!(arguments[0], json!(uri));
    let impact =
        c.result("workspace/executeCommand", json!({ "command": "qingdan.impact", "arguments": arguments }));
    let listed: Vec<String> = impact
        .as_array()
        .expect("a list")
        .iter()
        .map(|i| {
            format!(
                "{} {} {}",
                i["kind"].as_str().unwrap_or(""),
                i["name"].as_str().unwrap_or(""),
                places(&i["location"]).join("")
            )
        })
        .collect();
    let decisions = listed.iter().filter(|l| l.starts_with("决定")).count();
    let checks = listed.iter().filter(|l| l.starts_with("检查")).count();
    let title = lens["command"]["title"].as_str().expect("title");
    assert!(
        title.contains(&format!("{decisions} 个决定")) && title.contains(&format!("{checks} 项检查")),
        "{title}: {listed:?}"
    );
    insta::assert_yaml_snapshot!("impact_command", json!({ "lens": portable(&lens), "impacted": listed }));
    let unknown =
        c.call("workspace/executeCommand", json!({ "command": "qingdan.nothing", "arguments": [] }));
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    let nowhere = c.call(
        "workspace/executeCommand",
        json!({ "command": "qingdan.impact", "arguments": [uri, { "line": 0, "character": 0 }] }),
    );
    assert_eq!(nowhere["error"]["code"], -32602, "{nowhere}");
    assert_eq!(c.stop(), 0);
}
