//! What the service tells its operator, as `tracing` events on standard error (`--trace
//! text|json|off`): one event per request (method, path, status, time taken, the caller,
//! and the decision id or the refusal's code, so a complaint can be matched to the log),
//! one per batch chunk (the ids it spans), reloads and log failures.

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use clap::ValueEnum;
use qingdan_dsl::Code;

use super::auth::Caller;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    /// One line of `key=value` fields per event.
    Text,
    /// One JSON object per event (for log collectors).
    Json,
    /// None.
    Off,
}

/// The id a decision was logged under, put on its response for the request's event.
#[derive(Clone)]
pub struct DecisionId(pub String);

/// The code a refusal answered with, put on its response for the request's event.
#[derive(Clone, Copy)]
pub struct Refused(pub Code);

/// Events waiting to be written; when this many wait, new ones are dropped (and counted)
/// rather than held without bound or slowing the answers down.
const WAITING: usize = 10_000;

/// The formatted events, one buffer each, on their way to the command's standard error.
pub type Events = tokio::sync::mpsc::Receiver<Vec<u8>>;

/// Installs the process's subscriber in `format`; its events are to be written by
/// [`write_events`] on the thread that holds standard error (the command's own: other
/// threads would wait on its lock for ever).
pub fn init(format: TraceFormat) -> Option<Events> {
    let (send, events) = tokio::sync::mpsc::channel(WAITING);
    let writer = move || EventWriter { line: Vec::new(), send: send.clone() };
    let builder = tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_target(true);
    let installed = match format {
        TraceFormat::Text => builder.try_init(),
        TraceFormat::Json => builder.json().flatten_event(true).try_init(),
        TraceFormat::Off => return None,
    };
    installed.ok().map(|()| events)
}

/// Writes the events as they come, for as long as the service runs.
pub async fn write_events(events: Option<Events>, err: &mut dyn std::io::Write) {
    let Some(mut events) = events else { return std::future::pending().await };
    while let Some(line) = events.recv().await {
        let _ = err.write_all(&line);
        let _ = err.flush();
    }
    std::future::pending().await
}

/// One event's text, sent off when the subscriber is done writing it.
struct EventWriter {
    line: Vec<u8>,
    send: tokio::sync::mpsc::Sender<Vec<u8>>,
}

impl std::io::Write for EventWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for EventWriter {
    fn drop(&mut self) {
        if !self.line.is_empty() && self.send.try_send(std::mem::take(&mut self.line)).is_err() {
            DROPPED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// Events dropped because too many were waiting (shown in `/metrics`).
pub static DROPPED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The middleware: an event when each request is answered.
pub async fn request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let caller = response.extensions().get::<Caller>().map_or("", |c| c.name.as_str());
    let status = response.status().as_u16();
    let micros = started.elapsed().as_micros() as u64;
    let id = response.extensions().get::<DecisionId>().map(|d| d.0.as_str()).unwrap_or("");
    let code = response.extensions().get::<Refused>().map(|r| r.0.as_str()).unwrap_or("");
    if code.is_empty() {
        tracing::info!(target: "qingdan::request", %method, path, status, micros, caller, decision_id = id);
    } else {
        tracing::warn!(target: "qingdan::request", %method, path, status, micros, caller, code);
    }
    response
}

/// A batch chunk answered: how many decisions, and the first and last id logged.
pub fn chunk(policy: &str, decision: &str, caller: &str, ids: &[String]) {
    if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
        let count = ids.len();
        tracing::info!(target: "qingdan::batch", policy, decision, caller, count, first_id = %first, last_id = %last);
    }
}

/// The decision log refused a write: nothing of it was answered.
pub fn log_failed(why: &str) {
    tracing::error!(target: "qingdan::log", code = Code::E0905.as_str(), why);
}

/// A changed folder was loaded: swapped in, or kept out with its diagnostics.
pub fn reloaded(policies: usize, errors: bool, diagnostics: &str) {
    if errors {
        tracing::warn!(target: "qingdan::reload", swapped = false, diagnostics);
    } else {
        tracing::info!(target: "qingdan::reload", swapped = true, policies);
    }
}
