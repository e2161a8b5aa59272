//! `qingdan lsp` spoken to over standard input and output, as an editor speaks to it: the
//! real binary, framed JSON-RPC, the bundled policies. Answers are snapshotted as YAML
//! with the checkout's location replaced by `file:///REPO`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

/// How long to wait for one message before the test fails (a hang, not a timing claim).
const PATIENCE: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: ChildStdin,
    inbox: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for responses.
    notes: Vec<Value>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qingdan"))
            .arg("lsp")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("qingdan lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, inbox) = mpsc::channel();
        std::thread::spawn(move || {
            let mut out = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut out) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Client { child, stdin, inbox, next_id: 0, notes: Vec::new() }
    }

    fn raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn send(&mut self, message: Value) {
        self.raw(&message.to_string());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The whole response (result or error) to a request.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response_to(json!(id))
    }

    fn response_to(&mut self, id: Value) -> Value {
        loop {
            let m = self.inbox.recv_timeout(PATIENCE).expect("the server answers");
            if m.get("method").is_none() && m["id"] == id {
                return m;
            }
            self.notes.push(m);
        }
    }

    fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The next diagnostics published for `uri` (taken from those already received first).
    fn diagnostics(&mut self, uri: &str) -> Value {
        if let Some(i) = self.notes.iter().position(|n| is_diagnostics_for(n, uri)) {
            return self.notes.remove(i)["params"].clone();
        }
        loop {
            let m = self.inbox.recv_timeout(PATIENCE).expect("diagnostics are published");
            if is_diagnostics_for(&m, uri) {
                return m["params"].clone();
            }
            self.notes.push(m);
        }
    }

    fn initialize(&mut self) -> Value {
        let result = self.result("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} }));
        self.notify("initialized", json!({}));
        result
    }

    fn open(&mut self, uri: &str, text: &str) {
        let doc = json!({ "uri": uri, "languageId": "qingdan", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": doc }));
    }

    /// Shuts the server down and returns its exit code.
    fn stop(mut self) -> i32 {
        let r = self.call("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("the server exits");
        status.code().expect("an exit code")
    }
}

fn is_diagnostics_for(m: &Value, uri: &str) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
}

fn read_frame(input: &mut dyn BufRead) -> Option<Value> {
    let mut length = 0;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A `file:` URI as the server writes it (bytes outside the unreserved set escaped).
fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for &b in path.to_string_lossy().as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The answer with the checkout's location replaced, so snapshots hold anywhere.
fn portable(v: &Value) -> Value {
    let text = v.to_string().replace(&file_uri(repo()), "file:///REPO");
    serde_json::from_str(&text).expect("still JSON")
}

/// The protocol position (line, UTF-16 column) of the `nth` occurrence of `needle`, plus `ahead` characters.
fn pos(text: &str, needle: &str, nth: usize, ahead: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).map(|(i, _)| i).expect("needle in text");
    let at = text[at..].char_indices().nth(ahead).map_or(text.len(), |(i, _)| at + i);
    let line = text[..at].matches('\n').count();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let character = text[line_start..at].encode_utf16().count();
    json!({ "line": line, "character": character })
}

fn admission() -> (String, String) {
    let path = repo().join("policies/community_work/admission.qd");
    let text = std::fs::read_to_string(&path).expect("the bundled policy");
    (file_uri(&path), text)
}

fn at(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

#[test]
fn a_session_on_the_bundled_admission_policy() {
    let mut c = Client::start();
    let init = c.initialize();
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    let (uri, text) = admission();
    c.open(&uri, &text);
    let published = c.diagnostics(&uri);
    assert_eq!(published["diagnostics"], json!([]), "the bundled policy checks clean");

    let hover_let = c.result("textDocument/hover", at(&uri, pos(&text, "月工作量分钟 /", 0, 1)));
    let hover_clause = c.result("textDocument/hover", at(&uri, pos(&text, "湖南减负清单.二", 0, 8)));
    let hover_variant = c.result("textDocument/hover", at(&uri, pos(&text, "则 不予准入", 0, 3)));
    let hover_field = c.result("textDocument/hover", at(&uri, pos(&text, "申请.每月频次", 0, 4)));
    insta::assert_yaml_snapshot!("hover", portable(&json!({
        "let": hover_let,
        "clause": hover_clause,
        "variant": hover_variant,
        "field": hover_field,
    })));

    let definition_field = c.result("textDocument/definition", at(&uri, pos(&text, "申请.每月频次", 0, 4)));
    let definition_row_list = c.result("textDocument/definition", at(&uri, pos(&text, "依法履职事项清单[", 0, 2)));
    let definition_clause = c.result("textDocument/definition", at(&uri, pos(&text, "湖南减负清单.二", 0, 8)));
    let mut references = c.result(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri }, "position": pos(&text, "令 月工作量分钟", 0, 3), "context": { "includeDeclaration": true } }),
    );
    sort_locations(&mut references);
    insta::assert_yaml_snapshot!("navigation", portable(&json!({
        "definition of a field": definition_field,
        "definition of a list": definition_row_list,
        "definition of a clause": definition_clause,
        "references to a let": references,
    })));

    let symbols = c.result("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    let outline: Vec<String> = symbols.as_array().expect("symbols").iter().map(|s| format!("{} {}", s["kind"], s["name"])).collect();
    insta::assert_yaml_snapshot!("outline", outline);

    let lenses = c.result("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }));
    let titles: Vec<String> = lenses
        .as_array()
        .expect("lenses")
        .iter()
        .take(12)
        .map(|l| format!("{}: {}", l["range"]["start"]["line"], l["command"]["title"]))
        .collect();
    insta::assert_yaml_snapshot!("impact_lenses", titles);

    let formatting = c.result("textDocument/formatting", json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }));
    assert_eq!(formatting, json!([]), "the bundled policy is formatted already");
    assert_eq!(c.stop(), 0);
}

fn sort_locations(v: &mut Value) {
    if let Some(list) = v.as_array_mut() {
        list.sort_by_key(|l| (l["uri"].to_string(), l["range"]["start"]["line"].as_u64(), l["range"]["start"]["character"].as_u64()));
    }
}
