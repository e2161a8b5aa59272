//! `POST /v1/policies/{policy}/decisions/{decision}/batch`: many cases — a JSON array or
//! JSON Lines, both streamed — answered as JSON Lines, one line per case in order (a result with
//! its `decision_id`, or the case's error as `qingdan eval` prints it). Cases are read,
//! decided, logged and answered a chunk at a time, so memory is bounded whatever the
//! number of lines; a chunk's lines are sent only once the log has committed it.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, BodyDataStream, Bytes};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::StreamExt;
use qingdan_dsl::Code;
use rayon::prelude::*;
use serde_json::json;

use super::auth::Caller;
use super::catalog::Served;
use super::decide::{decide_text, record, with_id};
use super::split::{Piece, Splitter};
use super::trace;
use super::Service;

/// Cases decided and logged together.
const CHUNK: usize = 1024;

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
        splitter: Splitter::default(),
        ended: false,
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
type Item = (usize, Piece);

struct Batch {
    svc: Arc<Service>,
    served: Arc<Served>,
    decision: String,
    caller: String,
    body: BodyDataStream,
    /// The body's bytes, split into cases as they come.
    splitter: Splitter,
    ended: bool,
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
        let Some(&(first, _)) = items.first() else {
            self.done = true;
            return None;
        };
        let (served, decision) = (self.served.clone(), self.decision.clone());
        // Decided on every core (in order): the chunk's time is the batch's pace.
        let decided = tokio::task::spawn_blocking(move || {
            items
                .into_par_iter()
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
            _ => return self.stop(first, Code::E0906, "the batch's chunk took longer than --timeout-ms"),
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
        let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
        if let Err(why) = self.svc.logger.commit(records).await {
            trace::log_failed(&why);
            let message = format!("the decision log failed: the cases from this one on are not given: {why}");
            return self.stop(first, Code::E0905, &message);
        }
        trace::chunk(&self.served.name, &self.decision, &self.caller, &ids);
        self.svc.metrics.decided(count);
        Some(Bytes::from(out))
    }

    /// A last line saying why the batch stops at case `at` (the first not given).
    fn stop(&mut self, at: usize, code: Code, message: &str) -> Option<Bytes> {
        self.done = true;
        let line = json!({ "case": at, "error": { "code": code.as_str(), "message": message } });
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
            let piece = if self.ended { self.splitter.finish() } else { self.splitter.next() };
            match piece.map_err(|fault| self.numbered_fault(fault))? {
                Some(piece) => items.push(self.numbered(piece)?),
                None if self.ended => break,
                None => self.read_more().await?,
            }
        }
        Ok(())
    }

    /// A fault of the body, said at the number of the case it stopped at.
    fn numbered_fault(&self, fault: String) -> String {
        fault.replace("\"case\":0", &format!("\"case\":{}", self.next))
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
                self.splitter.push(&bytes);
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
}
