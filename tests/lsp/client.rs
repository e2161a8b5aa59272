//! The client side of `tests/lsp.rs`: the server started as an editor starts it, framed
//! JSON-RPC both ways, and helpers for positions and portable snapshots.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

/// How long to wait for one message before the test fails (a hang, not a timing claim).
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct Client {
    pub child: Child,
    stdin: ChildStdin,
    inbox: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for responses.
    pub notes: Vec<Value>,
}

impl Client {
    pub fn start() -> Client {
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

    pub fn raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    pub fn send(&mut self, message: Value) {
        self.raw(&message.to_string());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The whole response (result or error) to a request.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response_to(json!(id))
    }

    pub fn response_to(&mut self, id: Value) -> Value {
        loop {
            let m = self.inbox.recv_timeout(PATIENCE).expect("the server answers");
            if m.get("method").is_none() && m["id"] == id {
                return m;
            }
            self.notes.push(m);
        }
    }

    pub fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The first diagnostics published for version `version` of `uri` (the front end's:
    /// the analyser's come later), taken from those already received first.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        let wanted = |n: &Value| is_diagnostics_for(n, uri) && n["params"]["version"] == version;
        if let Some(i) = self.notes.iter().position(wanted) {
            return self.notes.remove(i)["params"].clone();
        }
        loop {
            let m = self.inbox.recv_timeout(PATIENCE).expect("diagnostics are published");
            if wanted(&m) {
                return m["params"].clone();
            }
            self.notes.push(m);
        }
    }

    /// The next diagnostics for `uri` whose list satisfies `accept`.
    pub fn diagnostics_where(&mut self, uri: &str, accept: impl Fn(&Value) -> bool) -> Value {
        loop {
            let m = self.inbox.recv_timeout(PATIENCE).expect("diagnostics are published");
            if is_diagnostics_for(&m, uri) && accept(&m["params"]["diagnostics"]) {
                return m["params"].clone();
            }
            self.notes.push(m);
        }
    }

    pub fn initialize(&mut self) -> Value {
        let result =
            self.result("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} }));
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        let doc = json!({ "uri": uri, "languageId": "qingdan", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": doc }));
    }

    /// A server started and initialized, with `text` open at `uri` and its first
    /// diagnostics received.
    pub fn with_open(uri: &str, text: &str) -> Client {
        let mut c = Client::start();
        c.initialize();
        c.open(uri, text);
        c.diagnostics(uri, 1);
        c
    }

    /// Shuts the server down and returns its exit code.
    pub fn stop(mut self) -> i32 {
        let r = self.call("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("the server exits");
        status.code().expect("an exit code")
    }
}

pub fn is_diagnostics_for(m: &Value, uri: &str) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
}

pub fn read_frame(input: &mut dyn BufRead) -> Option<Value> {
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
pub fn file_uri(path: &Path) -> String {
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

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The answer with the checkout's location replaced, so snapshots hold anywhere.
pub fn portable(v: &Value) -> Value {
    let text = v.to_string().replace(&file_uri(repo()), "file:///REPO");
    serde_json::from_str(&text).expect("still JSON")
}

/// The protocol position (line, UTF-16 column) of the `nth` occurrence of `needle`, plus `ahead` characters.
pub fn pos(text: &str, needle: &str, nth: usize, ahead: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).map(|(i, _)| i).expect("needle in text");
    let at = text[at..].char_indices().nth(ahead).map_or(text.len(), |(i, _)| at + i);
    let line = text[..at].matches('\n').count();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let character = text[line_start..at].encode_utf16().count();
    json!({ "line": line, "character": character })
}

pub fn admission() -> (String, String) {
    let path = repo().join("policies/community_work/admission.qd");
    let text = std::fs::read_to_string(&path).expect("the bundled policy");
    (file_uri(&path), text)
}

pub fn at(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

pub fn sort_locations(v: &mut Value) {
    if let Some(list) = v.as_array_mut() {
        list.sort_by_key(|l| {
            (
                l["uri"].to_string(),
                l["range"]["start"]["line"].as_u64(),
                l["range"]["start"]["character"].as_u64(),
            )
        });
    }
}

/// A fixture of `tests/fixtures/lsp`: its URI and text.
pub fn fixture(name: &str) -> (String, String) {
    let path = repo().join("tests/fixtures/lsp").join(name);
    let text = std::fs::read_to_string(&path).expect("the fixture");
    (file_uri(&path), text)
}

/// `didChange` with one edit of `range` (start and end positions) to `text`.
pub fn edit(c: &mut Client, uri: &str, version: i64, start: Value, end: Value, text: &str) {
    let change = json!({ "range": { "start": start, "end": end }, "text": text });
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] }),
    );
}

/// Where each location points, as `path:line:column` (columns in UTF-16 units, from 0).
pub fn places(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|list| list.iter().map(place).collect())
        .unwrap_or_else(|| if v.is_null() { Vec::new() } else { vec![place(v)] });
    out.sort();
    out
}

fn place(l: &Value) -> String {
    let uri = l["uri"].as_str().unwrap_or("");
    let name = unescape(uri.rsplit('/').next().unwrap_or(""));
    let s = &l["range"]["start"];
    let e = &l["range"]["end"];
    format!("{name}:{}:{}-{}:{}", s["line"], s["character"], e["line"], e["character"])
}

/// A URI's percent escapes decoded (the file names in snapshots stay readable).
fn unescape(escaped: &str) -> String {
    let bytes = escaped.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%').then(|| escaped.get(i + 1..i + 3)).flatten();
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
