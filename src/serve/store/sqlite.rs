//! The decision log in SQLite: a file beside the policies, WAL, every commit on disk.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use super::{Filter, Record, Store, COLUMNS, SCHEMA};

pub struct Sqlite {
    conn: Connection,
    path: PathBuf,
}

impl Sqlite {
    /// Opens (creating) the log at `path`: WAL, and `synchronous = FULL` so that a commit
    /// is on disk when it returns.
    pub fn open(path: &Path) -> Result<Sqlite, String> {
        let conn = Connection::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(|e| e.to_string())?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| e.to_string())?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(|e| e.to_string())?;
        conn.execute_batch(SCHEMA).map_err(|e| e.to_string())?;
        Ok(Sqlite { conn, path: path.to_path_buf() })
    }

    /// Opens an existing log only (for `qingdan log`, which must not create one).
    pub fn open_existing(path: &Path) -> Result<Sqlite, String> {
        if !path.is_file() {
            return Err(format!("{}: no such decision log", path.display()));
        }
        Sqlite::open(path)
    }
}

fn row_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record {
        id: row.get(0)?,
        time: row.get(1)?,
        policy: row.get(2)?,
        hash: row.get(3)?,
        decision: row.get(4)?,
        caller: row.get(5)?,
        input: row.get(6)?,
        result: row.get(7)?,
        outcome: row.get(8)?,
    })
}

impl Store for Sqlite {
    fn append(&mut self, records: &[Record]) -> Result<(), String> {
        let tx = self.conn.transaction().map_err(|e| e.to_string())?;
        {
            let mut insert = tx
                .prepare_cached(&format!(
                    "INSERT INTO decisions ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                ))
                .map_err(|e| e.to_string())?;
            for r in records {
                insert
                    .execute(params![
                        r.id, r.time, r.policy, r.hash, r.decision, r.caller, r.input, r.result, r.outcome
                    ])
                    .map_err(|e| e.to_string())?;
            }
        }
        tx.commit().map_err(|e| e.to_string())
    }

    fn get(&mut self, id: &str) -> Result<Option<Record>, String> {
        self.conn
            .query_row(&format!("SELECT {COLUMNS} FROM decisions WHERE id = ?1"), [id], row_record)
            .optional()
            .map_err(|e| e.to_string())
    }

    fn scan(&mut self, filter: &Filter, each: &mut dyn FnMut(Record)) -> Result<(), String> {
        let sql = format!(
            "SELECT {COLUMNS} FROM decisions WHERE (?1 IS NULL OR policy = ?1) AND (?2 IS NULL OR time >= ?2) \
             AND (?3 IS NULL OR outcome = ?3) ORDER BY id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| e.to_string())?;
        let rows = stmt
            .query_map(params![filter.policy, filter.since, filter.outcome], row_record)
            .map_err(|e| e.to_string())?;
        for r in rows {
            each(r.map_err(|e| e.to_string())?);
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }
}
