//! `POST /v1/policies/{policy}/decisions/{decision}/batch`: many cases — a JSON array, or
//! JSON Lines streamed — answered as JSON Lines, one line per case in order (a result with
//! its `decision_id`, or the case's error as `qingdan eval` prints it). Cases are read,
//! decided, logged and answered a chunk at a time, so memory is bounded whatever the
//! number of lines; a chunk's lines are sent only once the log has committed it.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, BodyDataStream, Bytes};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::StreamExt;
use qingdan_dsl::Code;
use serde_json::json;

use super::auth::Caller;
use super::catalog::Served;
use super::decide::{decide_text, record, with_id};
use super::Service;

/// Cases decided and logged together.
const CHUNK: usize = 1024;
/// A JSON Lines line longer than this is skipped unkept (E0307), as `eval` does.
const MAX_LINE: usize = 1024 * 1024;

pub async fn decide_batch(
    State(svc): State<Arc<Service>>,
    Path((policy, decision)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
    body: Body,
) -> Response {
    let served = match svc.find(&policy, &decision, &caller) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let batch = Batch {
        svc,
        served,
        decision,
        caller: caller.name,
        body: body.into_data_stream(),
        pending: Vec::new(),
        start: 0,
        scanned: 0,
        skipping: false,
        ended: false,
        array: None,
        next: 1,
        last: None,
        done: false,
    };
    let stream = futures_util::stream::unfold(batch, |mut b| async move {
        b.next_chunk().await.map(|bytes| (Ok::<Bytes, Infallible>(bytes), b))
    });
    ([(header::CONTENT_TYPE, "application/x-ndjson")], Body::from_stream(stream)).into_response()
}

/// One case's text, or the error line already decided for it.
type Item = (usize, Result<String, String>);

struct Batch {
    svc: Arc<Service>,
    served: Arc<Served>,
    decision: String,
    caller: String,
    body: BodyDataStream,
    /// Bytes of JSON Lines not yet split.
    pending: Vec<u8>,
    /// Where the next line in `pending` starts.
    start: usize,
    /// How far `pending` is known to hold no newline.
    scanned: usize,
    /// Inside a line over [`MAX_LINE`], dropping bytes to its end.
    skipping: bool,
    ended: bool,
    /// The items of a JSON array body (read whole, under the body limit).
    array: Option<VecDeque<String>>,
    /// The next case's number.
    next: usize,
    /// A last error line, to send after the cases gathered before it.
    last: Option<String>,
    done: bool,
}

impl Batch {
    async fn next_chunk(&mut self) -> Option<Bytes> {
        if self.done {
            return None;
        }
        let items = match self.gather().await {
            Ok(items) => items,
            Err(line) => {
                self.done = true;
                return Some(Bytes::from(line + "\n"));
            }
        };
        if items.is_empty() {
            self.done = true;
            return None;
        }
        let (served, decision) = (self.served.clone(), self.decision.clone());
        let decided = tokio::task::spawn_blocking(move || {
            items
                .into_iter()
                .map(|(n, item)| match item {
                    Ok(text) => {
                        let (line, ok) = decide_text(&served, &decision, &text, n);
                        (line, ok.then_some(text))
                    }
                    Err(line) => (line, None),
                })
                .collect::<Vec<_>>()
        });
        let limits = &self.svc.limits;
        let decided = match tokio::time::timeout(limits.timeout, decided).await {
            Ok(Ok(d)) => d,
            _ => return self.stop(Code::E0906, "the batch's chunk took longer than --timeout-ms"),
        };
        let mut out = String::new();
        let mut records = Vec::new();
        for (line, input) in decided {
            match input {
                Some(input) => {
                    let rec = record(&self.served, &self.decision, &self.caller, input, line);
                    out.push_str(&with_id(&rec.result, &rec.id));
                    records.push(rec);
                }
                None => out.push_str(&line),
            }
            out.push('\n');
        }
        let count = records.len() as u64;
        if let Err(why) = self.svc.logger.commit(records).await {
            return self
                .stop(Code::E0905, &format!("the decision log failed, this chunk is not given: {why}"));
        }
        self.svc.metrics.decided(count);
        Some(Bytes::from(out))
    }

    /// A last line saying why the batch stops here.
    fn stop(&mut self, code: Code, message: &str) -> Option<Bytes> {
        self.done = true;
        let line = json!({ "case": self.next, "error": { "code": code.as_str(), "message": message } });
        Some(Bytes::from(format!("{line}\n")))
    }

    /// Up to [`CHUNK`] cases, reading the body as far as needed. `Err` is a last line,
    /// kept in `last` when cases come before it, to be sent after theirs.
    async fn gather(&mut self) -> Result<Vec<Item>, String> {
        let mut items = Vec::new();
        if let Some(line) = self.last.take() {
            return Err(line);
        }
        if let Err(line) = self.gather_into(&mut items).await {
            if items.is_empty() {
                return Err(line);
            }
            self.last = Some(line);
        }
        Ok(items)
    }

    async fn gather_into(&mut self, items: &mut Vec<Item>) -> Result<(), String> {
        while items.len() < CHUNK {
            if let Some(array) = &mut self.array {
                match array.pop_front() {
                    Some(text) => {
                        items.push(self.numbered(Ok(text))?);
                        continue;
                    }
                    None => break,
                }
            }
            if let Some(line) = self.take_line() {
                if let Some(item) = line {
                    items.push(self.numbered(item)?);
                }
                continue;
            }
            if self.ended {
                let rest = self.pending.split_off(self.start.min(self.pending.len()));
                self.pending.clear();
                (self.start, self.scanned) = (0, 0);
                if let Some(item) = self.line_item(rest) {
                    items.push(self.numbered(item)?);
                }
                break;
            }
            self.read_more().await?;
        }
        Ok(())
    }

    /// Gives the item its case number, refusing past `--max-batch`.
    fn numbered(&mut self, item: Result<String, String>) -> Result<Item, String> {
        let n = self.next;
        if n > self.svc.limits.batch {
            let max = self.svc.limits.batch;
            let line = json!({ "case": n, "error": { "code": Code::E0903.as_str(),
                "message": format!("a batch holds at most {max} cases (--max-batch)") } });
            return Err(line.to_string());
        }
        self.next += 1;
        // An error line was made before the number was known.
        let item = item.map_err(|e| e.replace("\"case\":0", &format!("\"case\":{n}")));
        Ok((n, item))
    }

    /// Reads the next part of the body (with the idle timeout).
    async fn read_more(&mut self) -> Result<(), String> {
        let limits = &self.svc.limits;
        let next = match tokio::time::timeout(limits.timeout, self.body.next()).await {
            Ok(next) => next,
            Err(_) => {
                let line = json!({ "case": self.next, "error": { "code": Code::E0906.as_str(),
                    "message": format!("no part of the body arrived within {} ms", limits.timeout.as_millis()) } });
                return Err(line.to_string());
            }
        };
        match next {
            Some(Ok(bytes)) => {
                if self.next == 1 && self.pending.is_empty() && starts_array(&bytes) {
                    return self.read_array(bytes).await;
                }
                if self.skipping {
                    if let Some(at) = bytes.iter().position(|&b| b == b'\n') {
                        self.skipping = false;
                        self.pending.extend_from_slice(&bytes[at..]);
                    }
                } else {
                    self.pending.extend_from_slice(&bytes);
                }
                Ok(())
            }
            Some(Err(e)) => Err(json!({ "case": self.next, "error": { "code": Code::E0301.as_str(),
                "message": format!("the body could not be read: {e}") } })
            .to_string()),
            None => {
                self.ended = true;
                Ok(())
            }
        }
    }

    /// A JSON array body: read whole (at most the body limit), split into its items.
    async fn read_array(&mut self, first: Bytes) -> Result<(), String> {
        let limit = self.svc.limits.body;
        let mut all = first.to_vec();
        while let Some(part) = self.body.next().await {
            let part = part.map_err(|e| e.to_string())?;
            if all.len() + part.len() > limit {
                return Err(json!({ "case": 1, "error": { "code": Code::E0903.as_str(),
                    "message": format!("a JSON array batch is read whole and may be at most {limit} bytes; send JSON Lines to stream") } })
                .to_string());
            }
            all.extend_from_slice(&part);
        }
        let items: Vec<&serde_json::value::RawValue> = serde_json::from_slice(&all).map_err(|e| {
            json!({ "case": 1, "error": { "code": Code::E0301.as_str(), "message": format!("not a JSON array of cases: {e}") } })
                .to_string()
        })?;
        self.array = Some(items.iter().map(|i| i.get().to_string()).collect());
        self.ended = true;
        Ok(())
    }

    /// The next complete line: `Some(None)` for a blank one, `None` when none is complete.
    /// Lines are copied out of `pending` from `start`, which moves on; the bytes before it
    /// are dropped once they are many, so each byte is copied a bounded number of times.
    fn take_line(&mut self) -> Option<Option<Result<String, String>>> {
        let from = self.scanned.max(self.start).min(self.pending.len());
        match self.pending[from..].iter().position(|&b| b == b'\n') {
            Some(at) => {
                let end = from + at;
                let line = self.pending[self.start..end].to_vec();
                self.start = end + 1;
                self.scanned = self.start;
                if self.start == self.pending.len() {
                    self.pending.clear();
                    (self.start, self.scanned) = (0, 0);
                } else if self.start > MAX_LINE {
                    self.pending.drain(..self.start);
                    (self.start, self.scanned) = (0, 0);
                }
                Some(self.line_item(line))
            }
            None => {
                self.scanned = self.pending.len();
                if self.pending.len() - self.start > MAX_LINE {
                    // Too long: dropped unkept, and its case is an error.
                    self.pending = Vec::new();
                    (self.start, self.scanned) = (0, 0);
                    self.skipping = true;
                    return Some(Some(Err(too_long())));
                }
                None
            }
        }
    }

    /// A line as a case: blank lines are no case.
    fn line_item(&self, line: Vec<u8>) -> Option<Result<String, String>> {
        if line.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        Some(String::from_utf8(line).map_err(|_| {
            json!({ "case": 0, "error": { "code": Code::E0301.as_str(), "path": "", "message": "the line is not UTF-8" } })
                .to_string()
        }))
    }
}

fn too_long() -> String {
    json!({ "case": 0, "error": { "code": Code::E0307.as_str(), "path": "",
        "message": format!("the case is longer than {MAX_LINE} bytes and was skipped") } })
    .to_string()
}

fn starts_array(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
}
