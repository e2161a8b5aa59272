//! The decision log in PostgreSQL, for several `qingdan serve` replicas behind a load
//! balancer writing one log. The same table and queries as SQLite; a commit returns once
//! PostgreSQL has it durable (`synchronous_commit` as the server is configured, `on` by
//! default).

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls};

use super::{Filter, Record, Store, COLUMNS, SCHEMA};

pub struct Postgres {
    client: Client,
    /// The URL without its password, for `/v1/status`.
    shown: String,
}

impl Postgres {
    pub fn open(url: &str) -> Result<Postgres, String> {
        let mut client = Client::connect(url, NoTls).map_err(|e| format!("{}: {e}", shown(url)))?;
        client.batch_execute(SCHEMA).map_err(|e| e.to_string())?;
        Ok(Postgres { client, shown: shown(url) })
    }
}

/// `postgres://user:secret@host/db` as `postgres://user@host/db`.
fn shown(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    match rest.split_once('@') {
        Some((who, place)) => format!("{scheme}://{}@{place}", who.split(':').next().unwrap_or("")),
        None => url.to_string(),
    }
}

fn row_record(row: &postgres::Row) -> Record {
    Record {
        id: row.get(0),
        time: row.get(1),
        policy: row.get(2),
        hash: row.get(3),
        decision: row.get(4),
        caller: row.get(5),
        input: row.get(6),
        result: row.get(7),
        outcome: row.get(8),
    }
}

impl Store for Postgres {
    /// One `COPY … FROM STDIN BINARY` per group: a single round trip however many records
    /// the group holds, where one INSERT each paid a round trip per record.
    fn append(&mut self, records: &[Record]) -> Result<(), String> {
        let mut tx = self.client.transaction().map_err(|e| e.to_string())?;
        let sink = tx
            .copy_in(&format!("COPY decisions ({COLUMNS}) FROM STDIN BINARY"))
            .map_err(|e| e.to_string())?;
        let mut writer = BinaryCopyInWriter::new(sink, &[Type::TEXT; 9]);
        for r in records {
            let row: [&(dyn ToSql + Sync); 9] =
                [&r.id, &r.time, &r.policy, &r.hash, &r.decision, &r.caller, &r.input, &r.result, &r.outcome];
            writer.write(&row).map_err(|e| e.to_string())?;
        }
        writer.finish().map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string())
    }

    fn get(&mut self, id: &str) -> Result<Option<Record>, String> {
        let row = self
            .client
            .query_opt(&format!("SELECT {COLUMNS} FROM decisions WHERE id = $1"), &[&id])
            .map_err(|e| e.to_string())?;
        Ok(row.as_ref().map(row_record))
    }

    fn scan(&mut self, filter: &Filter, each: &mut dyn FnMut(Record)) -> Result<(), String> {
        let sql = format!(
            "SELECT {COLUMNS} FROM decisions WHERE ($1::text IS NULL OR policy = $1) \
             AND ($2::text IS NULL OR time >= $2) AND ($3::text IS NULL OR outcome = $3) ORDER BY id"
        );
        let params: [&(dyn ToSql + Sync); 3] = [&filter.policy, &filter.since, &filter.outcome];
        // Rows are streamed, not collected: a log can be larger than memory.
        let mut rows = self.client.query_raw(&sql, params).map_err(|e| e.to_string())?;
        while let Some(row) = rows.next().map_err(|e| e.to_string())? {
            each(row_record(&row));
        }
        Ok(())
    }

    fn describe(&self) -> String {
        self.shown.clone()
    }
}
