//! The decision log under stress: `qingdan serve` killed with SIGKILL while clients are
//! deciding (every acknowledged decision must be in the log), and a batch of 1,000,000
//! cases streamed through in bounded memory.

mod serve_support;

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serve_support::*;

/// Clients deciding at once, and the most requests each sends.
const CLIENTS: usize = 8;
const PER_CLIENT: usize = 60;
/// Acknowledgements after which the server is killed.
const KILL_AFTER: usize = 120;

#[test]
fn nothing_acknowledged_is_lost_when_the_server_is_killed_sqlite() {
    nothing_acknowledged_is_lost_when_the_server_is_killed(&Store::Sqlite);
}

#[test]
fn nothing_acknowledged_is_lost_when_the_server_is_killed_postgres() {
    if let Some(store) = Store::postgres() {
        nothing_acknowledged_is_lost_when_the_server_is_killed(&store);
    }
}

fn nothing_acknowledged_is_lost_when_the_server_is_killed(store: &Store) {
    let f = Folder::on(store);
    let mut s = f.start(&["--reload-ms", "0"]);
    let case = Arc::new(f.cases()[0].clone());
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let addr = s.addr;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (case, acked, count, killed) = (case.clone(), acked.clone(), count.clone(), killed.clone());
            std::thread::spawn(move || {
                for _ in 0..PER_CLIENT {
                    if killed.load(Ordering::SeqCst) {
                        break;
                    }
                    let Some(id) = decide(addr, &case) else { break };
                    acked.lock().expect("lock").push(id);
                    count.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    while count.load(Ordering::SeqCst) < KILL_AFTER {
        std::thread::yield_now();
    }
    // SIGKILL: no chance to flush anything.
    s.child.kill().expect("kill");
    killed.store(true, Ordering::SeqCst);
    let _ = s.child.wait();
    for c in clients {
        c.join().expect("client");
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() >= KILL_AFTER);
    let logged: std::collections::HashSet<String> =
        f.logged().iter().map(|r| r["id"].as_str().expect("id").to_string()).collect();
    let missing: Vec<&String> = acked.iter().filter(|id| !logged.contains(*id)).collect();
    assert!(missing.is_empty(), "{} of {} acknowledged decisions missing", missing.len(), acked.len());
}

/// One decision over a fresh connection: its id, or `None` once the server is gone.
fn decide(addr: std::net::SocketAddr, case: &str) -> Option<String> {
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        decide_path(),
        case.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(case.as_bytes()).ok()?;
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut s, &mut raw).ok()?;
    let reply = parse_reply(&raw)?;
    if reply.status != 200 {
        return None;
    }
    let body: serde_json::Value = serde_json::from_slice(&reply.body).ok()?;
    Some(body["decision_id"].as_str()?.to_string())
}

/// Cases in the big batch, and the bytes of each line.
const BIG: usize = 1_000_000;
const LINE: usize = 200;

#[test]
fn a_million_case_batch_streams_in_bounded_memory() {
    let f = Folder::new();
    let s = f.start(&["--reload-ms", "0"]);
    // Each case is refused by the case reader (a number where a text belongs), so nothing
    // is logged and the test measures the stream, not the disk.
    let pad = "x".repeat(LINE - 40);
    let line = format!("{{\"事项名称\": 1, \"工作内容\": \"{pad}\"}}\n");
    let line = format!("{}{}\n", &line[..line.len() - 1], " ".repeat(LINE.saturating_sub(line.len())));
    let mut conn = std::net::TcpStream::connect(s.addr).expect("connects");
    let head = format!(
        "POST {}/batch HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        decide_path(),
        s.addr,
        line.len() * BIG
    );
    conn.write_all(head.as_bytes()).expect("head");
    let reader = conn.try_clone().expect("clone");
    let counting = std::thread::spawn(move || count_lines(reader));
    let block = line.repeat(1000);
    for _ in 0..BIG / 1000 {
        conn.write_all(block.as_bytes()).expect("body");
    }
    let (lines, head) = counting.join().expect("reader");
    assert_eq!(lines, BIG);
    assert!(head.contains("\"case\":1,\"error\":{\"code\":\"E03"), "{head}");
    // The server read 200 MB; it never held more than a small part of it.
    let peak_kb = peak_rss_kb(s.child.id());
    let body_kb = (line.len() * BIG / 1024) as u64;
    assert!(peak_kb < body_kb / 3, "peak {peak_kb} kB for a {body_kb} kB body");
    assert_eq!(s.get("/healthz").status, 200);
    drop(s);
    assert!(f.logged().is_empty());
}

/// Reads a chunked JSON Lines answer to its end: its lines (each ends a case's line; the
/// chunk sizes between them end with `\r\n`, not a bare newline), and the head of it.
fn count_lines(mut conn: std::net::TcpStream) -> (usize, String) {
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut head, mut prev) = (0, Vec::new(), 0u8);
    loop {
        let n = std::io::Read::read(&mut conn, &mut buf).expect("reads");
        if n == 0 {
            break;
        }
        if head.len() < 4096 {
            head.extend_from_slice(&buf[..n.min(4096)]);
        }
        for &b in &buf[..n] {
            lines += usize::from(b == b'\n' && prev != b'\r');
            prev = b;
        }
    }
    (lines, String::from_utf8_lossy(&head).into_owned())
}

/// The process's peak resident memory (Linux `VmHWM`), in kB.
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}
