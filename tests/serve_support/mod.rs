//! `qingdan serve` started for a test over a copy of the bundled community-work admission
//! policy, and a small HTTP/1.1 client. Shared by tests/serve*.rs.
#![allow(dead_code)] // each test binary uses part of it

#[path = "../http/mod.rs"]
mod http;
#[allow(unused_imports)] // each test binary uses part of it
pub use http::{parse_reply, read_reply, Reply};

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

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

    /// Makes the log refuse every new decision (a trigger that raises, as a full disk or a
    /// lost database would), or lifts that again.
    pub fn refuse_writes(&self, store: &Store, refuse: bool) {
        match store {
            Store::Sqlite => {
                let path = self.log.strip_prefix("sqlite:").expect("a sqlite log");
                let db = rusqlite::Connection::open(path).expect("the log opens");
                let sql = if refuse {
                    "CREATE TRIGGER refuse BEFORE INSERT ON decisions BEGIN SELECT RAISE(ABORT, 'the disk is full (test)'); END;"
                } else {
                    "DROP TRIGGER refuse;"
                };
                db.execute_batch(sql).expect("trigger");
            }
            Store::Postgres(_) => {
                let sql = if refuse {
                    "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'the disk is full (test)'; END $$ LANGUAGE plpgsql; \
                     CREATE TRIGGER refuse BEFORE INSERT ON decisions FOR EACH ROW EXECUTE FUNCTION refuse();"
                } else {
                    "DROP TRIGGER refuse ON decisions; DROP FUNCTION refuse();"
                };
                let done =
                    Command::new("psql").arg(&self.log).args(["-q", "-c", sql]).output().expect("psql runs");
                assert!(done.status.success(), "psql: {}", String::from_utf8_lossy(&done.stderr));
            }
        }
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
    /// Where the server's standard error (its `--trace` events) goes.
    pub stderr: tempfile::NamedTempFile,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `qingdan serve DIR --addr 127.0.0.1:0 OPTIONS…` and reads the address it announces.
pub fn start(dir: &Path, options: &[&str]) -> Server {
    let stderr = tempfile::NamedTempFile::new().expect("stderr file");
    let mut child = qingdan()
        .arg("serve")
        .arg(dir)
        .args(["--addr", "127.0.0.1:0"])
        .args(options)
        .stdout(Stdio::piped())
        .stderr(stderr.reopen().expect("stderr file"))
        .spawn()
        .expect("server starts");
    let addr = http::announced_addr(&mut child);
    Server { child, addr, stderr }
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
    /// Stops the server and gives what it wrote on standard error.
    pub fn stop_and_stderr(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stderr_text()
    }

    /// What the server has written on standard error so far.
    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(self.stderr.path()).expect("stderr")
    }

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

    /// Sends a request's head (declaring `length` bytes, with its Host) and `body`; the
    /// connection, to read the answer from.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        length: usize,
        body: &[u8],
    ) -> TcpStream {
        let host = self.addr.to_string();
        let mut all = vec![("Host", host.as_str())];
        all.extend_from_slice(headers);
        http::send(self.addr, method, path, &all, length, body)
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
