//! The decision log: what a store must do ([`Store`]), the SQLite store, and the group
//! commit in front of it ([`Logger`]): one writer thread takes every record waiting, writes
//! them in one transaction, and only then tells each request its records are committed, so
//! an acknowledged decision is never lost, while a busy service pays one `fsync` for many.

use std::path::Path;
use std::sync::mpsc;
use std::sync::Mutex;

use serde_json::{json, Value as Json};

mod postgres;
mod sqlite;

pub use sqlite::Sqlite;

/// One logged decision.
#[derive(Clone, Debug)]
pub struct Record {
    /// UUID v7: time-ordered.
    pub id: String,
    /// RFC 3339, UTC, milliseconds.
    pub time: String,
    pub policy: String,
    /// SHA-256 of the policy's sources when it decided.
    pub hash: String,
    pub decision: String,
    pub caller: String,
    /// The case as JSON (as received).
    pub input: String,
    /// The result as `qingdan eval --format json --explain` prints it.
    pub result: String,
    /// The first outcome's name (empty on a conflict), for filtering.
    pub outcome: String,
}

impl Record {
    pub fn to_json(&self) -> Json {
        let parse = |t: &str| serde_json::from_str::<Json>(t).unwrap_or_else(|_| Json::String(t.into()));
        json!({
            "id": self.id,
            "time": self.time,
            "policy": self.policy,
            "version": self.hash.get(..12).unwrap_or(&self.hash),
            "hash": self.hash,
            "decision": self.decision,
            "caller": self.caller,
            "outcome": self.outcome,
            "input": parse(&self.input),
            "result": parse(&self.result),
        })
    }
}

/// Which records `qingdan log` and `replay` want.
#[derive(Default, Debug)]
pub struct Filter {
    pub policy: Option<String>,
    /// Records at or after this time (RFC 3339 or a date, compared as text).
    pub since: Option<String>,
    pub outcome: Option<String>,
}

/// A place decisions are logged.
pub trait Store: Send {
    /// Writes every record, all or none.
    fn append(&mut self, records: &[Record]) -> Result<(), String>;
    fn get(&mut self, id: &str) -> Result<Option<Record>, String>;
    /// Calls `each` with every matching record, in id (time) order.
    fn scan(&mut self, filter: &Filter, each: &mut dyn FnMut(Record)) -> Result<(), String>;
    /// What it is, for `/v1/status`.
    fn describe(&self) -> String;
}

/// Opens (creating) the store `--log` names: `postgres://…` (or `postgresql://…`),
/// `sqlite:PATH` or a bare path.
pub fn open(spec: &str) -> Result<Box<dyn Store>, String> {
    if is_postgres(spec) {
        return Ok(Box::new(postgres::Postgres::open(spec)?));
    }
    let path = spec.strip_prefix("sqlite:").unwrap_or(spec);
    Ok(Box::new(Sqlite::open(Path::new(path))?))
}

/// Opens a log that must exist already (`qingdan log`, `replay`: they never create one).
pub fn open_existing(spec: &str) -> Result<Box<dyn Store>, String> {
    if is_postgres(spec) {
        return Ok(Box::new(postgres::Postgres::open(spec)?));
    }
    let path = spec.strip_prefix("sqlite:").unwrap_or(spec);
    Ok(Box::new(Sqlite::open_existing(Path::new(path))?))
}

fn is_postgres(spec: &str) -> bool {
    spec.starts_with("postgres://") || spec.starts_with("postgresql://")
}

/// The table both stores keep (SQLite and PostgreSQL read the same SQL).
pub(crate) const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS decisions (
    id TEXT PRIMARY KEY,
    time TEXT NOT NULL,
    policy TEXT NOT NULL,
    hash TEXT NOT NULL,
    decision TEXT NOT NULL,
    caller TEXT NOT NULL,
    input TEXT NOT NULL,
    result TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_policy_time ON decisions (policy, time);";

pub(crate) const COLUMNS: &str = "id, time, policy, hash, decision, caller, input, result, outcome";

/// Records waiting to be written and whom to tell when they are.
struct Pending {
    records: Vec<Record>,
    done: tokio::sync::oneshot::Sender<Result<(), String>>,
}

/// Records handed to the log, to wait on: committed, or why not.
pub struct Receipt(Result<Option<tokio::sync::oneshot::Receiver<Result<(), String>>>, String>);

impl Receipt {
    pub async fn committed(self) -> Result<(), String> {
        match self.0? {
            None => Ok(()),
            Some(wait) => wait.await.map_err(|_| "the log writer stopped".to_string())?,
        }
    }
}

/// Most records written in one transaction.
const GROUP: usize = 4096;

/// The front of the log: requests hand their records to [`Logger::commit`] and wait for
/// the writer thread's word; lookups go to a second connection behind a lock.
pub struct Logger {
    queue: mpsc::Sender<Pending>,
    reader: Mutex<Box<dyn Store>>,
    described: String,
}

impl Logger {
    /// Starts the writer thread over `writer`; `reader` answers lookups.
    pub fn start(mut writer: Box<dyn Store>, reader: Box<dyn Store>) -> Logger {
        let described = writer.describe();
        let (queue, inbox) = mpsc::channel::<Pending>();
        std::thread::Builder::new()
            .name("decision-log".into())
            .spawn(move || {
                while let Ok(first) = inbox.recv() {
                    let mut group = vec![first];
                    let mut count = group[0].records.len();
                    while count < GROUP {
                        match inbox.try_recv() {
                            Ok(p) => {
                                count += p.records.len();
                                group.push(p);
                            }
                            Err(_) => break,
                        }
                    }
                    let all: Vec<Record> =
                        group.iter_mut().flat_map(|p| std::mem::take(&mut p.records)).collect();
                    let result = writer.append(&all);
                    for p in group {
                        let _ = p.done.send(result.clone());
                    }
                }
            })
            .map(|_| ())
            .unwrap_or_else(|e| panic!("cannot start the decision log's writer: {e}"));
        Logger { queue, reader: Mutex::new(reader), described }
    }

    /// Returns once `records` are committed (or with why they could not be).
    pub async fn commit(&self, records: Vec<Record>) -> Result<(), String> {
        self.submit(records).committed().await
    }

    /// Hands `records` to the writer at once; the receipt tells when they are committed,
    /// so that a batch can decide its next cases meanwhile.
    pub fn submit(&self, records: Vec<Record>) -> Receipt {
        if records.is_empty() {
            return Receipt(Ok(None));
        }
        let (done, wait) = tokio::sync::oneshot::channel();
        let queued = self.queue.send(Pending { records, done });
        Receipt(queued.map(|()| Some(wait)).map_err(|_| "the log writer stopped".to_string()))
    }

    pub fn get(&self, id: &str) -> Result<Option<Record>, String> {
        self.reader.lock().map_err(|_| "log lock poisoned".to_string())?.get(id)
    }

    pub fn describe(&self) -> &str {
        &self.described
    }
}

/// A UUID v7: 48 bits of Unix milliseconds, then random bits (RFC 9562).
pub fn uuid_v7(unix_ms: u64) -> String {
    let mut b = [0u8; 16];
    let _ = getrandom::fill(&mut b[6..]);
    b[..6].copy_from_slice(&unix_ms.to_be_bytes()[2..]);
    b[6] = 0x70 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// RFC 3339 UTC with milliseconds for a Unix time in milliseconds.
pub fn rfc3339(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        unix_ms % 1000
    )
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_ids() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_796_601_600_123), "2026-12-07T00:00:00.123Z");
        let id = uuid_v7(1_796_601_600_123);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "7");
        assert!(uuid_v7(1) < uuid_v7(2));
    }

    /// A store whose disk is full.
    struct Failing;

    impl Store for Failing {
        fn append(&mut self, _: &[Record]) -> Result<(), String> {
            Err("database or disk is full".into())
        }
        fn get(&mut self, _: &str) -> Result<Option<Record>, String> {
            Ok(None)
        }
        fn scan(&mut self, _: &Filter, _: &mut dyn FnMut(Record)) -> Result<(), String> {
            Ok(())
        }
        fn describe(&self) -> String {
            "failing".into()
        }
    }

    #[test]
    fn a_failed_commit_reaches_every_request_of_its_group() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let logger = Logger::start(Box::new(Failing), Box::new(Failing));
        let rec = Record {
            id: "1".into(),
            time: String::new(),
            policy: "p".into(),
            hash: String::new(),
            decision: "d".into(),
            caller: "local".into(),
            input: "{}".into(),
            result: "{}".into(),
            outcome: String::new(),
        };
        let both = futures_util::future::join(logger.commit(vec![rec.clone()]), logger.commit(vec![rec]));
        let (a, b) = runtime.block_on(both);
        assert_eq!(a, Err("database or disk is full".to_string()));
        assert_eq!(b, a);
        // Nothing to commit is committed at once.
        assert_eq!(runtime.block_on(logger.commit(Vec::new())), Ok(()));
    }

    #[test]
    fn sqlite_round_trip_and_filter() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = Sqlite::open(&dir.path().join("log.sqlite")).expect("open");
        let rec = |id: &str, outcome: &str| Record {
            id: id.into(),
            time: "2026-12-06T00:00:00.000Z".into(),
            policy: "p".into(),
            hash: "ab".repeat(32),
            decision: "d".into(),
            caller: "local".into(),
            input: "{}".into(),
            result: "{\"case\":1}".into(),
            outcome: outcome.into(),
        };
        s.append(&[rec("1", "准入"), rec("2", "退回")]).expect("append");
        assert_eq!(s.get("2").expect("get").map(|r| r.outcome), Some("退回".into()));
        let mut seen = Vec::new();
        let f = Filter { outcome: Some("准入".into()), ..Filter::default() };
        s.scan(&f, &mut |r| seen.push(r.id)).expect("scan");
        assert_eq!(seen, ["1"]);
    }
}
