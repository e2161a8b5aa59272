//! JSON-RPC over the Language Server Protocol's framing: `Content-Length: N` headers, a blank
//! line, then N bytes of JSON. Our own reader rather than a scaffold crate's, because a
//! malformed message must cost the client one error response (`-32700`, `-32600`), not the
//! connection: the reader keeps going after any message it cannot read, and gives up only
//! when the stream ends or its framing is lost.

use std::io::{BufRead, Read, Write};

use serde_json::{json, Value};

/// A message body above this is refused unread (skipped) rather than held in memory.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// JSON-RPC error codes the server answers with.
pub mod codes {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const SERVER_NOT_INITIALIZED: i64 = -32002;
    pub const REQUEST_FAILED: i64 = -32803;
}

/// One message from the client, as far as it could be read.
#[derive(Debug)]
pub enum Incoming {
    Request {
        id: Value,
        method: String,
        params: Value,
    },
    Notification {
        method: String,
        params: Value,
    },
    /// A response to a request of ours (we send none that need an answer): ignored.
    Response,
    /// Not a message we can act on: answered with this error (to `id`, or `null`).
    Invalid {
        id: Value,
        code: i64,
        message: String,
    },
}

/// Reads the next message; `None` at the end of the stream or when the framing is lost
/// (a header block without a usable `Content-Length`), after which nothing can be read
/// reliably.
pub fn read_message(input: &mut dyn BufRead) -> Option<Incoming> {
    let length = read_headers(input)?;
    if length > MAX_BODY_BYTES {
        std::io::copy(&mut input.take(length as u64), &mut std::io::sink()).ok()?;
        return Some(invalid(
            Value::Null,
            codes::INVALID_REQUEST,
            format!("message of {length} bytes is too large"),
        ));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).ok()?;
    Some(parse_body(&body))
}

/// The body length the headers announce; `None` at the end of the stream or when there is none.
fn read_headers(input: &mut dyn BufRead) -> Option<usize> {
    let mut length = None;
    let mut seen_any = false;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if seen_any {
                return length;
            }
            continue; // blank lines between messages
        }
        seen_any = true;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok();
            }
        }
    }
}

fn parse_body(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return invalid(Value::Null, codes::PARSE_ERROR, format!("malformed JSON: {e}")),
    };
    let Value::Object(mut object) = value else {
        return invalid(Value::Null, codes::INVALID_REQUEST, "a message must be a JSON object".into());
    };
    let id = object.remove("id");
    let params = object.remove("params").unwrap_or(Value::Null);
    match (object.remove("method"), id) {
        (Some(Value::String(method)), Some(id)) if id.is_number() || id.is_string() => {
            Incoming::Request { id, method, params }
        }
        (Some(_), Some(id)) => {
            invalid(id, codes::INVALID_REQUEST, "a request's id must be a number or a string".into())
        }
        (Some(Value::String(method)), None) => Incoming::Notification { method, params },
        (Some(_), None) => invalid(Value::Null, codes::INVALID_REQUEST, "`method` must be a string".into()),
        (None, Some(_)) => Incoming::Response,
        (None, None) => {
            invalid(Value::Null, codes::INVALID_REQUEST, "a message needs a `method` or an `id`".into())
        }
    }
}

fn invalid(id: Value, code: i64, message: String) -> Incoming {
    Incoming::Invalid { id, code, message }
}

/// Writes one message with its header and flushes it.
pub fn write_message(out: &mut dyn Write, message: &Value) -> std::io::Result<()> {
    let body = serde_json::to_vec(message).map_err(std::io::Error::other)?;
    write!(out, "Content-Length: {}\r\n\r\n", body.len())?;
    out.write_all(&body)?;
    out.flush()
}

pub fn response(id: Value, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

pub fn error_response(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

pub fn notification(method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "method": method, "params": params })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &str) -> Vec<Incoming> {
        let mut input = std::io::Cursor::new(bytes.as_bytes().to_vec());
        std::iter::from_fn(|| read_message(&mut input)).collect()
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn a_malformed_message_is_answered_and_the_next_one_read() {
        let stream = frame("{not json") + &frame(r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#);
        let got = read(&stream);
        assert!(matches!(&got[0], Incoming::Invalid { code: codes::PARSE_ERROR, .. }));
        assert!(matches!(&got[1], Incoming::Request { method, .. } if method == "shutdown"));
    }

    #[test]
    fn messages_without_a_method_or_a_proper_id_are_invalid_requests() {
        let stream = frame("[1,2]") + &frame(r#"{"id":{"x":1},"method":"a"}"#) + &frame(r#"{"method":3}"#);
        let codes: Vec<i64> = read(&stream)
            .into_iter()
            .map(|m| match m {
                Incoming::Invalid { code, .. } => code,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(codes, [codes::INVALID_REQUEST; 3]);
    }

    #[test]
    fn the_stream_ends_where_the_framing_is_lost() {
        assert!(read("Content-Type: x\r\n\r\n{}").is_empty());
    }
}
