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
