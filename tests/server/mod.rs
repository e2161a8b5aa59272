//! `qingdan playground` started for a test, and raw HTTP/1.1 to it (the requests a page,
//! or a hostile page, would send). Shared by tests/playground.rs and tests/hostile.rs.
#![allow(dead_code)] // each test binary uses part of it

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// The token the page was given (read from `index.html`, as the page reads it).
    pub token: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer: status, content type, body.
pub struct Reply {
    pub status: u16,
    pub kind: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The error code of a JSON error answer.
    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_string()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Starts the server on a free port (port 0) over the policy folder `policies`, with the
/// page in `web`, reads the address it announces and the token its page carries.
pub fn start(web: &Path, policies: &Path, options: &[&str]) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_qingdan"))
        .args(["playground", "--port", "0", "--web"])
        .arg(web)
        .args(options)
        .arg(policies)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    announced(child)
}

/// The token a page carries in `<meta name="qingdan-token" content="…">`.
pub fn token_in(page: &str) -> Option<String> {
    let rest = page.split("<meta name=\"qingdan-token\" content=\"").nth(1)?;
    Some(rest.split('"').next()?.to_string())
}

impl Server {
    /// A request as the playground's own page sends it: its Host, JSON, the token.
    pub fn request(&self, method: &str, path: &str, body: &[u8]) -> Reply {
        let host = self.addr.to_string();
        let headers =
            [("Host", host.as_str()), ("Content-Type", "application/json"), ("X-Qingdan-Token", &self.token)];
        self.raw(method, path, &headers, body)
    }

    /// A request with exactly these headers (and Content-Length, Connection: close).
    pub fn raw(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut s = self.send(method, path, headers, body);
        read_reply(&mut s)
    }

    /// Sends only a request's head, declaring a body of `length` bytes, and reads the answer
    /// (one the server gives from the head alone).
    pub fn head_only(&self, path: &str, length: usize) -> Reply {
        let mut s = TcpStream::connect(self.addr).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(300))).expect("timeout");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nX-Qingdan-Token: {}\r\nContent-Length: {length}\r\n\r\n",
            self.addr, self.token
        );
        s.write_all(head.as_bytes()).expect("writes");
        read_reply(&mut s)
    }

    /// Sends a request and returns the connection, to read the answer later.
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> TcpStream {
        let mut s = TcpStream::connect(self.addr).expect("connects");
        // Generous: no test waits on a server that has stopped answering for good.
        s.set_read_timeout(Some(Duration::from_secs(300))).expect("timeout");
        let mut head = format!("{method} {path} HTTP/1.1\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()));
        s.write_all(head.as_bytes()).expect("writes");
        // A refused body may be answered before it is all sent; that is fine.
        let _ = s.write_all(body);
        s
    }
}

/// Reads an answer to its end (the server closes the connection).
pub fn read_reply(s: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("reads an answer");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header") + 4;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status");
    let kind = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type: ").map(str::to_string))
        .unwrap_or_default();
    let mut body = raw[split..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = unchunk(&body);
    }
    Reply { status, kind, body }
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else { return out };
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 4 + size..];
    }
}

/// The body of an edit request: a policy's path and text.
pub fn edit(path: &str, text: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "path": path, "text": text })).expect("json")
}

/// A stand-in for the playground's page: an index and a script, and a test file that
/// must not be served.
pub fn web() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><html><head><title>清单</title></head></html>",
    )
    .expect("page");
    std::fs::write(dir.path().join("app.mjs"), "export const ok = 1;").expect("script");
    std::fs::create_dir(dir.path().join("test")).expect("test dir");
    std::fs::write(dir.path().join("test/secret.mjs"), "no").expect("test file");
    dir
}

/// Starts `bin playground --port 0 ARGS…` in the folder `cwd` (no `--web`: the page built
/// into the binary), and reads its address and token as [`start`] does.
pub fn start_binary(bin: &Path, cwd: &Path, args: &[&str]) -> Server {
    let child = Command::new(bin)
        .current_dir(cwd)
        .args(["playground", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    announced(child)
}

/// The server a started playground is: its address from the line it announces itself with,
/// and the token its page carries.
fn announced(mut child: std::process::Child) -> Server {
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("announces itself");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let mut server = Server { child, addr, token: String::new() };
    let page = server.raw("GET", "/", &[("Host", &addr.to_string())], b"");
    assert_eq!(page.status, 200, "the page: {}", page.text());
    server.token = token_in(&page.text()).unwrap_or_else(|| panic!("no token in the page: {}", page.text()));
    server
}
