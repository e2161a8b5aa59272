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
use super::store::Receipt;
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
        committing: None,
        tail: None,
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
    /// No more cases are read.
    done: bool,
    /// The chunk handed to the log and not yet answered.
    committing: Option<Committing>,
    /// The line that ends the answer, once the chunks before it are sent.
    tail: Option<Bytes>,
}

/// A chunk decided and handed to the log: its lines are sent once the log has it.
struct Committing {
    receipt: Receipt,
    out: Bytes,
    ids: Vec<String>,
    /// The chunk's first case, named if the log fails.
    first: usize,
}

/// What deciding the next chunk gave.
enum Ahead {
    Chunk(Committing),
    /// A line that ends the batch (a limit, a fault of the body), sent after what is before it.
    Stop(Bytes),
    End,
}

impl Batch {
    /// The next part of the answer. A chunk is decided while the one before it commits
    /// (the log's writer and the deciding threads work at once), and the one before is
    /// answered once committed, so lines still go out in order and only when logged.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        loop {
            let ahead = if self.done { Ahead::End } else { self.decide_next().await };
            let before = self.committing.take();
            match ahead {
                Ahead::Chunk(c) => self.committing = Some(c),
                Ahead::Stop(line) => (self.done, self.tail) = (true, Some(line)),
                Ahead::End => self.done = true,
            }
            match before {
                Some(before) => return Some(self.settle(before).await),
                None if self.committing.is_some() => continue,
                None => return self.tail.take(),
            }
        }
    }

    /// A chunk's lines once the log has committed it; if the log failed, the line that
    /// stops the batch there (a chunk decided after it may be logged but is not given).
    async fn settle(&mut self, c: Committing) -> Bytes {
        if let Err(why) = c.receipt.committed().await {
            trace::log_failed(&why);
            (self.committing, self.tail) = (None, None);
            let message = format!("the decision log failed: the cases from this one on are not given: {why}");
            return self.stop(c.first, Code::E0905, &message);
        }
        trace::chunk(&self.served.name, &self.decision, &self.caller, &c.ids);
        self.svc.metrics.decided(c.ids.len() as u64);
        c.out
    }

    /// Reads and decides up to [`CHUNK`] cases and hands their records to the log.
    async fn decide_next(&mut self) -> Ahead {
        let items = match self.gather().await {
            Ok(items) => items,
            Err(line) => return Ahead::Stop(Bytes::from(line + "\n")),
        };
        let Some(&(first, _)) = items.first() else { return Ahead::End };
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
            _ => {
                return Ahead::Stop(self.stop(
                    first,
                    Code::E0906,
                    "the batch's chunk took longer than --timeout-ms",
                ))
            }
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
        let ids = records.iter().map(|r| r.id.clone()).collect();
        let receipt = self.svc.logger.submit(records);
        Ahead::Chunk(Committing { receipt, out: Bytes::from(out), ids, first })
    }

    /// A last line saying why the batch stops at case `at` (the first not given).
    fn stop(&mut self, at: usize, code: Code, message: &str) -> Bytes {
        self.done = true;
        let line = json!({ "case": at, "error": { "code": code.as_str(), "message": message } });
        Bytes::from(format!("{line}\n"))
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
