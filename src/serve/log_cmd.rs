//! `qingdan log`: the decision log listed or exported (CSV or JSON Lines), and
//! `qingdan replay`: logged cases decided again under a revision, the ones whose outcome
//! changes reported as `qingdan diff --cases` reports recorded cases.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use qingdan_dsl::Lang;
use qingdan_engine::cases::CaseReader;
use serde_json::Value as Json;

use super::catalog::eval_args;
use super::store::{Filter, Record, Store};
use crate::cli::Format;
use crate::commands::Output;
use crate::diff_cmd::{CaseChange, CasesReport};
use crate::eval_cmd::JsonDecider;
use crate::exit;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LogAs {
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The decision log: a SQLite file `qingdan serve` wrote (`sqlite:` may prefix it), or
    /// a `postgres://…` URL.
    #[arg(long, default_value = "policies/decisions.sqlite")]
    pub db: String,
    /// Only decisions of this policy.
    #[arg(long)]
    pub policy: Option<String>,
    /// Only decisions taken on or after this date (`YYYY-MM-DD`) or time (RFC 3339, UTC).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only decisions with this outcome.
    #[arg(long)]
    pub outcome: Option<String>,
    /// CSV (the default) or JSON Lines (the global `--format json` also gives JSON Lines).
    #[arg(long = "as", value_enum)]
    pub as_: Option<LogAs>,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The decision log.
    #[arg(long, default_value = "policies/decisions.sqlite")]
    pub db: String,
    /// The revised policy (file or folder); logged decisions of the policy with its name are
    /// decided again.
    pub policy: PathBuf,
    /// Which policy, when the path holds several.
    #[arg(long)]
    pub name: Option<String>,
    /// Only decisions taken on or after this date or time.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

fn open(db: &str) -> Result<Box<dyn Store>, String> {
    super::store::open_existing(db)
}

pub fn log(args: &LogArgs, format: Format, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let mut store = match open(&args.db) {
        Ok(s) => s,
        Err(why) => {
            let _ = writeln!(err, "qingdan: {why}");
            return exit::USAGE;
        }
    };
    let filter =
        Filter { policy: args.policy.clone(), since: args.since.clone(), outcome: args.outcome.clone() };
    let json = args.as_ == Some(LogAs::Json) || (args.as_.is_none() && format == Format::Json);
    let mut failed = false;
    if !json {
        failed = out
            .write_all(&csv_line(&[
                "id", "time", "policy", "version", "decision", "caller", "outcome", "input",
            ]))
            .is_err();
    }
    let scanned = store.scan(&filter, &mut |r: Record| {
        if failed {
            return;
        }
        if json {
            failed = writeln!(out, "{}", r.to_json()).is_err();
        } else {
            let version = r.hash.get(..12).unwrap_or(&r.hash);
            let line =
                csv_line(&[&r.id, &r.time, &r.policy, version, &r.decision, &r.caller, &r.outcome, &r.input]);
            failed = out.write_all(&line).is_err();
        }
    });
    match scanned {
        Ok(()) if failed => exit::USAGE,
        Ok(()) => exit::OK,
        Err(why) => {
            let _ = writeln!(err, "qingdan: {why}");
            exit::USAGE
        }
    }
}

/// One CSV record, quoted as needed.
fn csv_line(fields: &[&str]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(fields);
    w.into_inner().unwrap_or_default()
}

/// What a result line (the result model, as the log keeps it and as eval prints it) says
/// of one decision: its outcomes with their values, sorted, or its error or conflict. The
/// logged line and the line decided again are both read by this one function, so that only
/// a change of decision shows as a change.
fn observation(result: &str, decision: &str) -> String {
    let body: Json = serde_json::from_str(result).unwrap_or_default();
    if let Some(code) = body["error"]["code"].as_str() {
        return format!("error {code}");
    }
    let d = &body["decisions"][decision];
    if d.is_null() {
        return "error".into();
    }
    if d["conflicts"].as_array().is_some_and(|c| !c.is_empty()) {
        return "conflict".into();
    }
    let mut shown: Vec<String> =
        d["outcomes"].as_array().map(|os| os.iter().map(outcome_text).collect()).unwrap_or_default();
    shown.sort();
    shown.dedup();
    shown.join("; ")
}

/// `名称 { 字段: 值, … }`, a value as the model writes it (texts bare, absent as `none`).
fn outcome_text(o: &Json) -> String {
    let name = o["outcome"].as_str().unwrap_or_default();
    let values: Vec<String> = o["values"]
        .as_object()
        .map(|vs| {
            vs.iter()
                .map(|(field, v)| match v {
                    Json::String(s) => format!("{field}: {s}"),
                    Json::Null => format!("{field}: none"),
                    other => format!("{field}: {other}"),
                })
                .collect()
        })
        .unwrap_or_default();
    if values.is_empty() {
        name.to_string()
    } else {
        format!("{name} {{ {} }}", values.join(", "))
    }
}

pub fn replay(
    args: &ReplayArgs,
    opts: &Output,
    lang: Option<Lang>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let mut store = match open(&args.db) {
        Ok(s) => s,
        Err(why) => {
            let _ = writeln!(err, "qingdan: {why}");
            return exit::USAGE;
        }
    };
    let policy = match crate::commands::load_policy(&args.policy, args.name.as_deref(), opts, out, err) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let lang = lang.unwrap_or(policy.lang);
    let reader = CaseReader::new(&policy);
    let deciders: Vec<JsonDecider> =
        (0..policy.decisions.len() as u32).map(|d| JsonDecider::new(&policy, d, eval_args())).collect();
    let filter = Filter { policy: Some(policy.name.clone()), since: args.since.clone(), outcome: None };
    let (mut read, mut changed) = (0, Vec::new());
    let scanned = store.scan(&filter, &mut |r: Record| {
        read += 1;
        let old = observation(&r.result, &r.decision);
        let new = match policy.decisions.iter().position(|d| d.name == r.decision) {
            None => "—".to_string(),
            Some(d) => observation(&deciders[d].decide(1, reader.json_line(&r.input, 1)).0, &r.decision),
        };
        if old != new {
            changed.push(CaseChange { case: r.id.clone(), decision: r.decision.clone(), old, new });
        }
    });
    if let Err(why) = scanned {
        let _ = writeln!(err, "qingdan: {why}");
        return exit::USAGE;
    }
    let report = CasesReport { file: args.db.clone(), read, changed };
    let text = match opts.format {
        Format::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
        Format::Yaml => serde_yaml::to_string(&report).unwrap_or_default(),
        Format::Human => crate::diff_cmd::cases_text(&report, lang),
    };
    let _ = out.write_all(text.as_bytes());
    if report.changed.is_empty() {
        exit::OK
    } else {
        exit::FAILED
    }
}
