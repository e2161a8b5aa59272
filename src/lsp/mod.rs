//! `qingdan lsp`: a language server over standard input and output.
//!
//! One thread reads messages (`transport.rs`) and one runs the analyser (`analyser.rs`);
//! both hand what they have to this loop through one channel, and only this loop writes.
//! Every edit is checked by the front end at once (a few milliseconds for the bundled
//! policies) and published; the analyser (gaps, overlaps, dead rules) runs once typing has
//! paused, and its findings are published with the front end's if the document has not
//! changed meanwhile.

mod actions;
mod analyser;
mod analysis;
mod completion;
mod data_columns;
mod data_files;
mod dates;
mod diagnostics;
mod documents;
mod fixes;
mod hover;
mod index;
mod lens;
mod navigate;
mod recover;
mod shift;
mod symbols;
mod transport;
mod uri;

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::mpsc;

use lsp_types::{Position, TextDocumentContentChangeEvent};
use serde_json::{json, Value};

use crate::loader::FsLoader;
use analysis::{Analysis, Snapshot};
use documents::Documents;
use transport::{codes, Incoming};

/// What one edit costs on the typing path, for `benches/lsp.rs`: the document (its file's
/// path and the editor's text) checked with what it names, indexed, and its diagnostics
/// made ready to publish.
pub fn diagnostics_after_edit(path: &str, text: &str) -> Vec<Value> {
    let uri = uri::from_path(path);
    let open = Snapshot { files: vec![(uri.clone(), path.to_string(), text.to_string())] };
    diagnostics::of_analysis(&analysis::analyse(&uri, &open, &FsLoader::confined()))
}

/// The front end alone, as `qingdan check` runs it before the analyser (the part of
/// [`diagnostics_after_edit`] that is not the server's own), for the same benchmark.
pub fn front_end_after_edit(path: &str, text: &str) -> usize {
    let uri = uri::from_path(path);
    let open = Snapshot { files: vec![(uri.clone(), path.to_string(), text.to_string())] };
    analysis::check_only(&uri, &open, &FsLoader::confined()).diagnostics.len()
}

/// What the analyser's thread does once typing pauses (front end and analyser), for the
/// same benchmark: the number of diagnostics.
pub fn analyser_after_edit(path: &str, text: &str) -> usize {
    let uri = uri::from_path(path);
    let open = Snapshot { files: vec![(uri.clone(), path.to_string(), text.to_string())] };
    analysis::analyse_fully(&uri, &open, &FsLoader::confined()).diagnostics.len()
}

/// What the loop waits for.
enum Event {
    Message(Incoming),
    /// The analyser's diagnostics for a document at a version.
    Analysed {
        uri: String,
        version: i32,
        diagnostics: Vec<Value>,
    },
    /// The client's stream ended.
    End,
}

/// A request's failure: a JSON-RPC error code and message.
pub struct Failure(i64, String);

type Reply = Result<Value, Failure>;

fn invalid_params(why: impl Into<String>) -> Failure {
    Failure(codes::INVALID_PARAMS, why.into())
}

/// Serves the protocol on `input`/`out` until `exit` (or the end of the input); the exit code.
pub fn serve(input: Box<dyn BufRead + Send>, out: &mut dyn Write, fs: FsLoader) -> u8 {
    let (events, inbox) = mpsc::channel();
    let reader = events.clone();
    std::thread::spawn(move || {
        let mut input = input;
        while let Some(message) = transport::read_message(&mut *input) {
            if reader.send(Event::Message(message)).is_err() {
                return;
            }
        }
        let _ = reader.send(Event::End);
    });
    let analyser = analyser::start(fs.clone(), events);
    let mut server = Server {
        out,
        docs: Documents::default(),
        fs,
        analyser,
        state: State::Starting,
        cache: HashMap::new(),
        parsed: HashMap::new(),
        recovered: HashMap::new(),
        root: None,
    };
    while let Ok(event) = inbox.recv() {
        match event {
            Event::Message(m) => {
                if let Some(code) = server.handle(m) {
                    return code;
                }
            }
            Event::Analysed { uri, version, diagnostics } => server.analysed(&uri, version, diagnostics),
            Event::End => break,
        }
    }
    // The stream ended without `exit`: 1 unless shutdown came first, as the protocol says.
    if server.state == State::ShutDown {
        0
    } else {
        1
    }
}

#[derive(PartialEq, Eq)]
enum State {
    Starting,
    Running,
    ShutDown,
}

struct Server<'o> {
    out: &'o mut dyn Write,
    docs: Documents,
    fs: FsLoader,
    analyser: analyser::Handle,
    state: State,
    /// The latest front-end analysis of each open document, at its version.
    cache: HashMap<String, (i32, Analysis)>,
    /// The latest analysis of each document in which it parsed (completion's names while
    /// the line being typed does not parse).
    parsed: HashMap<String, Analysis>,
    /// Per document that does not parse, at its version: the rest of it checked with the
    /// broken declarations blanked (`recover.rs`), if that parses.
    recovered: HashMap<String, (i32, Option<Analysis>)>,
    /// The workspace's root folder, if the client named one (how far up policies are
    /// looked for that read an open data file).
    root: Option<std::path::PathBuf>,
}

impl Server<'_> {
    fn send(&mut self, message: Value) {
        // A client that stopped reading gets nothing more; its `exit` or the end of its
        // stream ends the loop.
        let _ = transport::write_message(self.out, &message);
    }

    /// Handles one message; `Some(code)` when the server is to exit.
    fn handle(&mut self, message: Incoming) -> Option<u8> {
        match message {
            Incoming::Request { id, method, params } => {
                let reply = self.request(&method, params);
                self.send(match reply {
                    Ok(result) => transport::response(id, result),
                    Err(Failure(code, why)) => transport::error_response(id, code, &why),
                });
            }
            Incoming::Notification { method, params } => return self.notification(&method, params),
            Incoming::Response => {}
            Incoming::Invalid { id, code, message } => {
                self.send(transport::error_response(id, code, &message))
            }
        }
        None
    }

    fn request(&mut self, method: &str, params: Value) -> Reply {
        match (&self.state, method) {
            (State::Starting, "initialize") => {
                self.state = State::Running;
                self.root = workspace_root(&params);
                return Ok(capabilities());
            }
            (State::Starting, _) => {
                return Err(Failure(codes::SERVER_NOT_INITIALIZED, "initialize first".into()))
            }
            (State::ShutDown, _) => {
                return Err(Failure(codes::INVALID_REQUEST, "the server is shutting down".into()))
            }
            (State::Running, "shutdown") => {
                self.state = State::ShutDown;
                return Ok(Value::Null);
            }
            _ => {}
        }
        if method == "workspace/executeCommand" {
            return self.execute_command(&params);
        }
        let uri = params.pointer("/textDocument/uri").and_then(Value::as_str).map(str::to_string);
        let known = [
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/references",
            "textDocument/completion",
            "textDocument/formatting",
            "textDocument/rename",
            "textDocument/prepareRename",
            "textDocument/codeAction",
            "textDocument/documentSymbol",
            "textDocument/codeLens",
        ];
        if !known.contains(&method) {
            return Err(Failure(codes::METHOD_NOT_FOUND, format!("unknown method `{method}`")));
        }
        let uri = uri.ok_or_else(|| invalid_params("missing `textDocument.uri`"))?;
        if self.docs.get(&uri).is_none() {
            return Err(invalid_params(format!("`{uri}` is not open")));
        }
        if data_files::is_data_file(&uri) {
            // Rows are looked into from the policies; a data file answers only about its
            // columns (data_columns.rs).
            return Ok(self.about_columns(&uri, method, &params));
        }
        if method == "textDocument/formatting" {
            return actions::format(self.docs.get(&uri).expect("open"));
        }
        let at = self.position(&uri, &params)?;
        if method == "textDocument/codeAction" {
            // The fixes belong to the diagnostics of the text as it is.
            return actions::code_actions(self.analysis(&uri), &uri, &params);
        }
        let text = self.docs.get(&uri).map(|d| d.text.clone()).unwrap_or_default();
        if method == "textDocument/completion" {
            return completion::complete(self.names_for_completion(&uri), &text, at?);
        }
        let (analysis, shift) = self.navigable(&uri, &text);
        let Some(shift) = shift else { return navigation(analysis, method, at, &params) };
        if method == "textDocument/codeLens" {
            // An old text's graph, and positions in its lenses' arguments: none till it parses.
            return Ok(json!([]));
        }
        let at = match at {
            Ok(offset) => match shift.to_old(offset) {
                Some(old) => Ok(old),
                // Typed since the document last parsed: nothing is known there.
                None => return Ok(Value::Null),
            },
            Err(none) => Err(none),
        };
        navigation(analysis, method, at, &params).map(|reply| shift.answer(reply))
    }

    /// Hover and completion in a data file, about its columns; null for anything else.
    fn about_columns(&self, uri: &str, method: &str, params: &Value) -> Value {
        let Ok(Ok(offset)) = self.position(uri, params) else { return Value::Null };
        let open = Snapshot::of(&self.docs);
        let Some(doc) = self.docs.get(uri) else { return Value::Null };
        let d = data_columns::DataDoc { uri, doc, open: &open, fs: &self.fs, root: self.root.as_deref() };
        match method {
            "textDocument/hover" => data_columns::hover(&d, offset),
            "textDocument/completion" => data_columns::complete(&d, offset),
            _ => Value::Null,
        }
    }

    /// `workspace/executeCommand`: `qingdan.impact` with the URI and position of a lens.
    fn execute_command(&mut self, params: &Value) -> Reply {
        let command = params["command"].as_str().unwrap_or("");
        if command != lens::IMPACT_COMMAND {
            return Err(invalid_params(format!("unknown command `{command}`")));
        }
        let args = &params["arguments"];
        let uri = args[0].as_str().ok_or_else(|| invalid_params("arguments: [uri, position]"))?.to_string();
        if self.docs.get(&uri).is_none() || data_files::is_data_file(&uri) {
            return Err(invalid_params(format!("`{uri}` is not an open policy")));
        }
        let at = self.position(&uri, &json!({ "position": args[1] }))??;
        lens::impact(self.rest_of(&uri), at)
    }

    /// The byte offset of the request's `position` in the document: `Ok(Err(_))` when the
    /// request has none, an error when it lies outside the document.
    fn position(&self, uri: &str, params: &Value) -> Result<Result<usize, Failure>, Failure> {
        let Some(pos) = params.get("position") else {
            return Ok(Err(invalid_params("missing `position`")));
        };
        let pos: Position = serde_json::from_value(pos.clone())
            .map_err(|e| invalid_params(format!("bad `position`: {e}")))?;
        let doc = self.docs.get(uri).expect("open");
        match doc.offset(pos) {
            Some(offset) => Ok(Ok(offset)),
            None => Err(invalid_params(format!(
                "position {}:{} is outside the document",
                pos.line, pos.character
            ))),
        }
    }

    /// The document's front-end analysis at its current version.
    fn analysis(&mut self, uri: &str) -> &Analysis {
        let version = self.docs.get(uri).map_or(0, |d| d.version);
        let fresh = self.cache.get(uri).is_some_and(|(v, _)| *v == version);
        if !fresh {
            let analysis = analysis::analyse(uri, &Snapshot::of(&self.docs), &self.fs);
            if let Some((_, old)) = self.cache.insert(uri.to_string(), (version, analysis)) {
                if old.module.is_some() {
                    self.parsed.insert(uri.to_string(), old);
                }
            }
        }
        &self.cache[uri].1
    }

    /// What hover, definition, references, rename, the outline and the lenses read: the
    /// current analysis; while the document does not parse, the rest of it (`recover.rs`)
    /// when that parses, else the latest analysis in which it parsed with the edits since
    /// (`shift.rs`) to map positions through.
    fn navigable(&mut self, uri: &str, text: &str) -> (&Analysis, Option<shift::Shift>) {
        let rest = self.rest_of(uri);
        if rest.module.is_some() || !self.parsed.contains_key(uri) {
            return (self.rest_of(uri), None);
        }
        let old = &self.parsed[uri];
        let shift = shift::Shift::new(old.text(old.file), text, uri);
        (old, Some(shift))
    }

    /// The current analysis, or while the document does not parse, the rest of it
    /// (`recover.rs`) when that parses.
    fn rest_of(&mut self, uri: &str) -> &Analysis {
        if self.analysis(uri).module.is_some() {
            return &self.cache[uri].1;
        }
        let version = self.docs.get(uri).map_or(0, |d| d.version);
        if self.recovered.get(uri).is_none_or(|(v, _)| *v != version) {
            let open = Snapshot::of(&self.docs);
            let rest = recover::parse_what_parses(uri, &open, &self.fs, &self.cache[uri].1);
            self.recovered.insert(uri.to_string(), (version, rest));
        }
        match &self.recovered[uri].1 {
            Some(rest) => rest,
            None => &self.cache[uri].1,
        }
    }

    /// The names completion offers: those of the current analysis or of what of the
    /// document parses, else of the latest analysis in which it parsed.
    fn names_for_completion(&mut self, uri: &str) -> &Analysis {
        let parsed_now = self.rest_of(uri).module.is_some();
        if !parsed_now && self.parsed.contains_key(uri) {
            return &self.parsed[uri];
        }
        self.rest_of(uri)
    }

    fn notification(&mut self, method: &str, params: Value) -> Option<u8> {
        match method {
            "exit" => return Some(if self.state == State::ShutDown { 0 } else { 1 }),
            _ if self.state != State::Running => {}
            "textDocument/didOpen" => {
                let doc = &params["textDocument"];
                if let (Some(uri), Some(text)) = (doc["uri"].as_str(), doc["text"].as_str()) {
                    let version = doc["version"].as_i64().unwrap_or(0) as i32;
                    self.docs.open(uri.to_string(), text.to_string(), version);
                    self.changed(uri);
                }
            }
            "textDocument/didChange" => self.did_change(&params),
            "textDocument/didClose" => {
                if let Some(uri) = params.pointer("/textDocument/uri").and_then(Value::as_str) {
                    self.docs.close(uri);
                    self.cache.remove(uri);
                    self.parsed.remove(uri);
                    self.recovered.remove(uri);
                    self.send(transport::notification(
                        "textDocument/publishDiagnostics",
                        json!({ "uri": uri, "diagnostics": [] }),
                    ));
                }
            }
            // `initialized`, `$/cancelRequest`, `workspace/didChangeConfiguration`, …:
            // nothing to do; unknown notifications are ignored, as the protocol asks.
            _ => {}
        }
        None
    }

    fn did_change(&mut self, params: &Value) {
        let Some(uri) = params.pointer("/textDocument/uri").and_then(Value::as_str) else { return };
        let version = params.pointer("/textDocument/version").and_then(Value::as_i64).unwrap_or(0) as i32;
        let changes: Vec<TextDocumentContentChangeEvent> =
            serde_json::from_value(params["contentChanges"].clone()).unwrap_or_default();
        let Some(doc) = self.docs.get_mut(uri) else { return };
        let mut refused = Vec::new();
        for change in changes {
            if let Err(why) = doc.apply(change) {
                refused.push(why);
            }
        }
        doc.version = version;
        for why in refused {
            // A notification cannot be answered: the client hears of the refused edit in
            // its log, and the document keeps its text.
            let message = format!("qingdan lsp: {uri}: {why}");
            self.send(transport::notification("window/logMessage", json!({ "type": 1, "message": message })));
        }
        self.changed(uri);
    }

    /// A document changed: its front-end diagnostics now, the analyser's later — for the
    /// other open documents too, since one may `使用` the policy being edited.
    fn changed(&mut self, uri: &str) {
        let version = self.docs.get(uri).map_or(0, |d| d.version);
        let open = Snapshot::of(&self.docs);
        let diagnostics = if data_files::is_data_file(uri) {
            data_files::diagnostics(uri, &open, &self.fs, self.root.as_deref())
        } else {
            diagnostics::of_analysis(self.analysis(uri))
        };
        self.publish(uri, version, diagnostics);
        // Open data files too: the policies that read them may be the one that changed.
        for (other, doc) in self.docs.iter() {
            self.analyser.submit(other.clone(), doc.version, open.clone(), self.root.clone());
        }
    }

    fn analysed(&mut self, uri: &str, version: i32, diagnostics: Vec<Value>) {
        if self.docs.get(uri).is_some_and(|d| d.version == version) {
            self.publish(uri, version, diagnostics);
        }
    }

    fn publish(&mut self, uri: &str, version: i32, diagnostics: Vec<Value>) {
        let params = json!({ "uri": uri, "version": version, "diagnostics": diagnostics });
        self.send(transport::notification("textDocument/publishDiagnostics", params));
    }
}

/// The folder of the client's first workspace folder, else of its `rootUri`.
fn workspace_root(params: &Value) -> Option<std::path::PathBuf> {
    let uri = params
        .pointer("/workspaceFolders/0/uri")
        .and_then(Value::as_str)
        .or_else(|| params["rootUri"].as_str())?;
    uri::to_path(uri).map(std::path::PathBuf::from)
}

/// The requests that read an analysis at a position (or of the whole document).
fn navigation(a: &Analysis, method: &str, at: Result<usize, Failure>, params: &Value) -> Reply {
    match method {
        "textDocument/hover" => hover::hover(a, at?),
        "textDocument/definition" => navigate::definition(a, at?),
        "textDocument/references" => navigate::references(a, at?, params),
        "textDocument/rename" => navigate::rename(a, at?, params),
        "textDocument/prepareRename" => navigate::prepare_rename(a, at?),
        "textDocument/documentSymbol" => symbols::document_symbols(a),
        _ => lens::code_lenses(a),
    }
}

fn capabilities() -> Value {
    json!({
        "capabilities": {
            "positionEncoding": "utf-16",
            "textDocumentSync": { "openClose": true, "change": 2 },
            "hoverProvider": true,
            "definitionProvider": true,
            "referencesProvider": true,
            "completionProvider": { "triggerCharacters": [".", "．", " "] },
            "documentFormattingProvider": true,
            "renameProvider": { "prepareProvider": true },
            "codeActionProvider": { "codeActionKinds": ["quickfix"] },
            "documentSymbolProvider": true,
            "codeLensProvider": { "resolveProvider": false },
            "executeCommandProvider": { "commands": [lens::IMPACT_COMMAND] }
        },
        "serverInfo": { "name": "qingdan", "version": env!("CARGO_PKG_VERSION") }
    })
}
