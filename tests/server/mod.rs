//! `qingdan playground` started for a test, and raw HTTP/1.1 to it (the requests a page,
//! or a hostile page, would send). Shared by tests/playground.rs and tests/hostile.rs.
#![allow(dead_code)] // each test binary uses part of it

#[path = "../http/mod.rs"]
mod http;
pub use http::{read_reply, Reply};

use std::io::Write;
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
        http::send(self.addr, method, path, headers, body.len(), body)
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
    let addr = http::announced_addr(&mut child);
    let mut server = Server { child, addr, token: String::new() };
    let page = server.raw("GET", "/", &[("Host", &addr.to_string())], b"");
    assert_eq!(page.status, 200, "the page: {}", page.text());
    server.token = token_in(&page.text()).unwrap_or_else(|| panic!("no token in the page: {}", page.text()));
    server
}
