//! A bounded load generator for `qingdan serve` (not run by CI; figures in BENCHMARKS.md):
//! the bundled community-work admission decision, logged to SQLite (or to PostgreSQL with
//! `QINGDAN_BENCH_PG=postgres://…/db`).
//!
//!     cargo build --release && cargo bench --bench serve_load
//!
//! 1. Single requests: CLIENTS threads, each sending SINGLES requests one after another on
//!    its own keep-alive connection; p50/p99 latency and requests per second.
//! 2. Paced single requests: CLIENTS threads sending RATE requests per second in all for
//!    PACED_SECS seconds, each request at its scheduled time; latency is counted from that
//!    time (so a stall is not hidden by the requests it delays): p50/p99/max.
//! 3. Batches: BATCHES JSON Lines batches of BATCH cases one after another; decisions per second.
//!
//! `QINGDAN=path` picks the binary (default target/release/qingdan).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CLIENTS: usize = 4;
const SINGLES: usize = 2_000;
const RATE: u32 = 1_000;
const PACED_SECS: u32 = 5;
const BATCHES: usize = 20;
const BATCH: usize = 5_000;

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let bin = std::env::var("QINGDAN").unwrap_or_else(|_| "target/release/qingdan".into());
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let dir = tmp.path().join("policies/community_work");
    copy_dir(&root.join("community_work"), &dir);
    copy_dir(&root.join("sources"), &tmp.path().join("policies/sources"));
    let log = std::env::var("QINGDAN_BENCH_PG")
        .unwrap_or_else(|_| format!("sqlite:{}", dir.join("decisions.sqlite").display()));
    let mut child = Command::new(&bin)
        .arg("serve")
        .arg(&dir)
        .args(["--addr", "127.0.0.1:0", "--reload-ms", "0", "--log", &log])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("qingdan serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("announces");
    let addr: SocketAddr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|a| a.parse().ok())
        .expect("an address");
    let case = first_case(&dir);
    let path = "/v1/policies/%E7%A4%BE%E5%8C%BA%E5%B7%A5%E4%BD%9C%E4%BA%8B%E9%A1%B9%E5%87%86%E5%85%A5/decisions/%E5%87%86%E5%85%A5%E7%BB%93%E8%AE%BA";

    let started = Instant::now();
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let case = case.clone();
            std::thread::spawn(move || {
                let mut conn = TcpStream::connect(addr).expect("connects");
                conn.set_nodelay(true).expect("nodelay");
                (0..SINGLES)
                    .map(|_| {
                        let t = Instant::now();
                        let body = request(&mut conn, addr, path, &case);
                        assert!(body.starts_with("{\"decision_id\""), "{body}");
                        t.elapsed()
                    })
                    .collect::<Vec<Duration>>()
            })
        })
        .collect();
    let mut lat: Vec<Duration> = threads.into_iter().flat_map(|t| t.join().expect("client")).collect();
    let elapsed = started.elapsed();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    println!(
        "single: {} requests from {CLIENTS} clients in {:.2} s: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
        lat.len(),
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3
    );

    paced(addr, path, &case);

    let body = format!("{case}\n").repeat(BATCH);
    let mut conn = TcpStream::connect(addr).expect("connects");
    let started = Instant::now();
    for _ in 0..BATCHES {
        let answer = request(&mut conn, addr, &format!("{path}/batch"), &body);
        assert_eq!(answer.matches("\"decision_id\"").count(), BATCH);
    }
    let elapsed = started.elapsed();
    println!(
        "batch: {} decisions in {BATCHES} batches of {BATCH} in {:.2} s: {:.0} decisions/s (log {})",
        BATCHES * BATCH,
        elapsed.as_secs_f64(),
        (BATCHES * BATCH) as f64 / elapsed.as_secs_f64(),
        if log.starts_with("sqlite:") { "SQLite" } else { "PostgreSQL" }
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// RATE requests a second from CLIENTS connections, each sent at its scheduled time.
fn paced(addr: SocketAddr, path: &'static str, case: &str) {
    let per_client = RATE / CLIENTS as u32;
    let gap = Duration::from_secs(1) / per_client;
    let start = Instant::now() + Duration::from_millis(50);
    let threads: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let case = case.to_string();
            std::thread::spawn(move || {
                let mut conn = TcpStream::connect(addr).expect("connects");
                conn.set_nodelay(true).expect("nodelay");
                // The clients' schedules are interleaved, not in step.
                let offset = gap * c as u32 / CLIENTS as u32;
                (0..per_client * PACED_SECS)
                    .map(|i| {
                        let due = start + offset + gap * i;
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        let body = request(&mut conn, addr, path, &case);
                        assert!(body.starts_with("{\"decision_id\""), "{body}");
                        due.elapsed()
                    })
                    .collect::<Vec<Duration>>()
            })
        })
        .collect();
    let mut lat: Vec<Duration> = threads.into_iter().flat_map(|t| t.join().expect("client")).collect();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)].as_secs_f64() * 1e3;
    println!(
        "paced: {} requests at {RATE} req/s from {CLIENTS} clients: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
}

/// One request on a keep-alive connection; the answer's body (chunked or sized).
fn request(conn: &mut TcpStream, addr: SocketAddr, path: &str, body: &str) -> String {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).expect("head");
    conn.write_all(body.as_bytes()).expect("body");
    let mut reader = BufReader::new(conn);
    let (mut length, mut chunked) = (0usize, false);
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header");
        let lower = line.to_ascii_lowercase();
        if let Some(n) = lower.strip_prefix("content-length:") {
            length = n.trim().parse().expect("length");
        }
        chunked |= lower.starts_with("transfer-encoding: chunked");
        if line == "\r\n" {
            break;
        }
    }
    let mut out = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).expect("chunk size");
            let n = usize::from_str_radix(size.trim(), 16).expect("hex");
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).expect("chunk");
            if n == 0 {
                break;
            }
            out.extend_from_slice(&chunk[..n]);
        }
    } else {
        out.resize(length, 0);
        reader.read_exact(&mut out).expect("body");
    }
    String::from_utf8(out).expect("utf-8")
}

fn first_case(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("cases.yaml")).expect("cases");
    let cases: Vec<serde_yaml::Value> = serde_yaml::from_str(&text).expect("yaml");
    let given: serde_json::Value = serde_yaml::from_value(cases[0]["given"].clone()).expect("json");
    given.to_string()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("dir").flatten() {
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}
