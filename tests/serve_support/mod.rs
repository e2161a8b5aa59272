//! `qingdan serve` started for a test over a copy of the bundled community-work admission
//! policy, and a small HTTP/1.1 client. Shared by tests/serve*.rs.
#![allow(dead_code)] // each test binary uses part of it

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const POLICY: &str = "社区工作事项准入";
pub const DECISION: &str = "准入结论";

pub fn qingdan() -> Command {
    Command::new(env!("CARGO_BIN_EXE_qingdan"))
}

/// Where a test's decisions are logged: the default SQLite file, or a fresh database on
/// the PostgreSQL server `QINGDAN_TEST_PG` names (`.ci/run` starts one).
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite,
    Postgres(String),
}

impl Store {
    /// The PostgreSQL store, or `None` (the test is skipped, and says so) when no server is
    /// given; with `QINGDAN_REQUIRE_PG=1`, as CI sets, a missing server fails the test.
    pub fn postgres() -> Option<Store> {
        match std::env::var("QINGDAN_TEST_PG") {
            Ok(url) if !url.is_empty() => Some(Store::Postgres(url)),
            _ => {
                assert!(
                    std::env::var("QINGDAN_REQUIRE_PG").as_deref() != Ok("1"),
                    "QINGDAN_REQUIRE_PG=1 but QINGDAN_TEST_PG names no PostgreSQL server"
                );
                eprintln!("skipped: set QINGDAN_TEST_PG=postgres://… to run this test on PostgreSQL");
                None
            }
        }
    }
}

/// A fresh database on the server of `base` (a URL ending in `/DBNAME`), made with psql.
fn fresh_database(base: &str) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!(
        "qd_{}_{n}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() % 1_000_000_000)
    );
    let made = Command::new("psql")
        .arg(base)
        .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("psql runs");
    assert!(made.status.success(), "psql: {}", String::from_utf8_lossy(&made.stderr));
    let (prefix, _) = base.rsplit_once('/').expect("a URL with a database");
    format!("{prefix}/{name}")
}

/// A scratch `policies/` folder holding the admission policy (and the source texts it
/// quotes); `dir` is the folder served, `log` the `--log`/`--db` of the test's store.
pub struct Folder {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub log: String,
}

impl Folder {
    pub fn new() -> Folder {
        Folder::on(&Store::Sqlite)
    }

    pub fn on(store: &Store) -> Folder {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        let dir = tmp.path().join("policies/community_work");
        copy_dir(&root.join("community_work"), &dir);
        copy_dir(&root.join("sources"), &tmp.path().join("policies/sources"));
        let log = match store {
            Store::Sqlite => format!("sqlite:{}", dir.join("decisions.sqlite").display()),
            Store::Postgres(base) => fresh_database(base),
        };
        Folder { tmp, dir, log }
    }

    /// `qingdan serve` on this folder and store.
    pub fn start(&self, options: &[&str]) -> Server {
        let mut all = vec!["--log", self.log.as_str()];
        all.extend_from_slice(options);
        start(&self.dir, &all)
    }

    pub fn policy_file(&self) -> PathBuf {
        self.dir.join("admission.qd")
    }

    /// The bundled cases' `given`s as JSON texts, in file order.
    pub fn cases(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.dir.join("cases.yaml")).expect("cases");
        let cases: Vec<serde_yaml::Value> = serde_yaml::from_str(&text).expect("yaml");
        cases
            .iter()
            .map(|c| {
                let given: serde_json::Value =
                    serde_yaml::from_value(c["given"].clone()).expect("given as json");
                given.to_string()
            })
            .collect()
    }

    /// What `qingdan eval --format json --explain --decision` prints for `cases` (one line each).
    pub fn eval_lines(&self, cases: &[String]) -> Vec<String> {
        let input = self.tmp.path().join("cases.jsonl");
        std::fs::write(&input, cases.join("\n") + "\n").expect("write cases");
        let out = qingdan()
            .args(["eval", "--format", "json", "--explain", "--decision", DECISION, "--input"])
            .arg(&input)
            .arg(self.policy_file())
            .output()
            .expect("eval runs");
        String::from_utf8(out.stdout).expect("utf-8").lines().map(str::to_string).collect()
    }

    /// `qingdan log --db … --as json`: every logged decision.
    pub fn logged(&self) -> Vec<serde_json::Value> {
        let out = qingdan().args(["log", "--as", "json", "--db", &self.log]).output().expect("log runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `qingdan serve DIR --addr 127.0.0.1:0 OPTIONS…` and reads the address it announces.
pub fn start(dir: &Path, options: &[&str]) -> Server {
    let mut child = qingdan()
        .arg("serve")
        .arg(dir)
        .args(["--addr", "127.0.0.1:0"])
        .args(options)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("announces itself");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Server { child, addr }
}

pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_string()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn lines(&self) -> Vec<serde_json::Value> {
        self.text().lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
    }
}

/// A path segment percent-encoded (the policy and decision names are Chinese).
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn decide_path() -> String {
    format!("/v1/policies/{}/decisions/{}", enc(POLICY), enc(DECISION))
}

impl Server {
    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], b"")
    }

    pub fn post(&self, path: &str, body: &[u8]) -> Reply {
        self.request("POST", path, &[("Content-Type", "application/json")], body)
    }

    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut s = self.send(method, path, headers, body.len(), body);
        read_reply(&mut s)
    }

    /// Sends a request's head (declaring `length` bytes) and `body`; the connection, to read
    /// the answer from.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        length: usize,
        body: &[u8],
    ) -> TcpStream {
        let mut s = TcpStream::connect(self.addr).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(300))).expect("timeout");
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {length}\r\nConnection: close\r\n\r\n"));
        s.write_all(head.as_bytes()).expect("writes");
        let _ = s.write_all(body);
        s
    }
}

pub fn read_reply(s: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("reads an answer");
    parse_reply(&raw).unwrap_or_else(|| panic!("no HTTP answer: {}", String::from_utf8_lossy(&raw)))
}

pub fn parse_reply(raw: &[u8]) -> Option<Reply> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok())?;
    let mut body = raw[split..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = unchunk(&body);
    }
    Some(Reply { status, head, body })
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else { return out };
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 || data.len() < eol + 2 + size {
            return out;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[(eol + 4 + size).min(data.len())..];
    }
}

/// The eval line with `case` set to `n` and without `decision_id`, to compare.
pub fn normalised(mut v: serde_json::Value, n: usize) -> serde_json::Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("decision_id");
        o.insert("case".into(), n.into());
    }
    v
}
