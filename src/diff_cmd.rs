//! `qingdan diff OLD NEW`: what adopting a revision changes. For each decision, the regions
//! of the input space whose outcome changes, each with an input that shows it; the rows
//! added, removed and changed in each list; with `--cases`, the recorded cases decided
//! differently. As text, JSON, YAML, or a Markdown 修订对照表 (`--markdown`).

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use qingdan_dsl::Lang;
use qingdan_engine::analyse::diff::{observe, Report};
use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::Evaluator;
use qingdan_engine::{Policy, Value};
use serde::Serialize;

use crate::cli::Format;
use crate::commands::{load_program, Output};
use crate::exit;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The revision in force (a policy file, or a folder holding it).
    pub old: PathBuf,
    /// The proposed revision (left out with `--at`).
    #[arg(required_unless_present = "at", conflicts_with = "at")]
    pub new: Option<PathBuf>,
    /// Compare OLD with itself as in force on two days: `--at 2024-12-31 --at 2025-01-01`
    /// (its versions, `自 … 起` / `至 … 止`, on each day).
    #[arg(long, value_name = "DATE", value_parser = crate::cli::parse_date, num_args = 1)]
    pub at: Vec<qingdan_dsl::value::Date>,
    /// Which policy, when a path holds several.
    #[arg(long)]
    pub policy: Option<String>,
    /// Recorded cases (YAML, JSON, JSON Lines, or a `qingdan test` case file): list those
    /// whose outcome changes.
    #[arg(long, value_name = "FILE")]
    pub cases: Option<PathBuf>,
    /// Print a Markdown 修订对照表 (old and new side by side) to paste into a review.
    #[arg(long)]
    pub markdown: bool,
    /// Also write the 修订对照表 as a Word document (`.docx`, landscape, one table per
    /// decision: 条款/规则, 原规定, 修订后, 影响的情形, 示例).
    #[arg(long, value_name = "FILE")]
    pub docx: Option<PathBuf>,
}

/// A recorded case whose outcome changes (or that one revision cannot read).
#[derive(Debug, Serialize)]
pub(crate) struct CaseChange {
    pub(crate) case: String,
    pub(crate) decision: String,
    pub(crate) old: String,
    pub(crate) new: String,
}

#[derive(Serialize)]
struct Full<'r> {
    #[serde(flatten)]
    report: &'r Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    cases: Option<&'r CasesReport>,
}

#[derive(Debug, Serialize)]
pub(crate) struct CasesReport {
    pub(crate) file: String,
    pub(crate) read: usize,
    pub(crate) changed: Vec<CaseChange>,
}

pub(crate) fn run(
    args: &DiffArgs,
    opts: &Output,
    lang: Option<Lang>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let days = match args.at.as_slice() {
        [] => [None, None],
        [a, b] => [Some(*a), Some(*b)],
        _ => {
            let _ = writeln!(
                err,
                "qingdan: {}",
                crate::i18n::messages::two_days_to_compare(lang.unwrap_or(Lang::En))
            );
            return exit::USAGE;
        }
    };
    let new_path = args.new.as_deref().unwrap_or(&args.old);
    let Ok((old_program, old)) = load_at(&args.old, days[0], args, opts, out, err) else {
        return exit::USAGE;
    };
    let Ok((new_program, new)) = load_at(new_path, days[1], args, opts, out, err) else {
        return exit::USAGE;
    };
    let lang = lang.unwrap_or(new.lang);
    let d =
        qingdan_engine::analyse::diff(&old, &new, [Some(&old_program.sources), Some(&new_program.sources)]);
    let report = d.report(lang);
    let cases = match &args.cases {
        Some(path) => match compare_cases(&old, &new, path, lang) {
            Ok(c) => Some(c),
            Err(e) => {
                let file = path.display().to_string();
                let _ = writeln!(
                    err,
                    "qingdan: {}",
                    crate::i18n::messages::cannot_read_because(lang, &file, &e.to_string())
                );
                return exit::USAGE;
            }
        },
        None => None,
    };
    if let Some(path) = &args.docx {
        let revs = crate::diff_docx::Revisions {
            old: &old,
            new: &new,
            old_name: revision_name(&old, &args.old, days[0]),
            new_name: revision_name(&new, new_path, days[1]),
        };
        let doc = crate::diff_docx::document(&report, cases.as_ref(), &revs, lang);
        if let Err(e) = crate::replace::replace(path, &doc.to_bytes()) {
            let _ = writeln!(err, "qingdan: E0011[write-failed]: {}", e.message().get(lang));
            return exit::USAGE;
        }
    }
    let text = if args.markdown {
        markdown(&report, cases.as_ref(), lang)
    } else {
        match opts.format {
            Format::Json => {
                serde_json::to_string_pretty(&Full { report: &report, cases: cases.as_ref() })
                    .unwrap_or_default()
                    + "\n"
            }
            Format::Yaml => {
                serde_yaml::to_string(&Full { report: &report, cases: cases.as_ref() }).unwrap_or_default()
            }
            Format::Human => human(&report, cases.as_ref(), lang),
        }
    };
    let _ = write!(out, "{text}");
    let changed_cases = cases.as_ref().is_some_and(|c| !c.changed.is_empty());
    if d.is_empty() && !changed_cases {
        exit::OK
    } else {
        exit::FAILED
    }
}

/// A revision as the Word table names it: the policy and the file it was read from.
fn revision_name(policy: &Policy, path: &Path, day: Option<qingdan_dsl::value::Date>) -> String {
    match day {
        Some(day) => format!("{}（{}，{day}）", policy.name, crate::files::display(path)),
        None => format!("{}（{}）", policy.name, crate::files::display(path)),
    }
}

/// One revision: the policy at `path`, as in force on `day` when one is given.
fn load_at(
    path: &Path,
    day: Option<qingdan_dsl::value::Date>,
    args: &DiffArgs,
    opts: &Output,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(qingdan_dsl::program::Program, Policy), u8> {
    let (program, policy) = load_program(path, args.policy.as_deref(), opts, out, err)?;
    let Some(day) = day else { return Ok((program, policy)) };
    match qingdan_engine::ir::lower_at(&program, args.policy.as_deref(), Some(day)) {
        Ok(at_day) => Ok((program, at_day)),
        Err(e) => {
            let _ = writeln!(err, "qingdan: {}", e.message);
            Err(exit::FAILED)
        }
    }
}

/// Decides every recorded case with both revisions.
fn compare_cases(old: &Policy, new: &Policy, path: &Path, lang: Lang) -> Result<CasesReport, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let name = path.to_string_lossy().into_owned();
    let lower = name.to_lowercase();
    let json = lower.ends_with(".json") || lower.ends_with(".jsonl");
    let test_file = if json { None } else { crate::eval_cmd::test_file_inputs(&text) };
    let (body, names) = test_file.unwrap_or((text, Vec::new()));
    let read = |p: &Policy| -> Vec<Result<Vec<Value>, String>> {
        let reader = CaseReader::new(p);
        let results = if lower.ends_with(".jsonl") {
            reader.lines(body.as_bytes()).collect()
        } else if lower.ends_with(".json") {
            reader.read_json(&body)
        } else {
            reader.read_yaml(&body)
        };
        results.into_iter().map(|r| r.map_err(|e| e.render(lang))).collect()
    };
    let (cases0, cases1) = (read(old), read(new));
    let (ev0, ev1) = (Evaluator::new(old), Evaluator::new(new));
    let mut changed = Vec::new();
    let zh = lang == Lang::Zh;
    for (i, (c0, c1)) in cases0.iter().zip(&cases1).enumerate() {
        let case = match names.get(i).filter(|n| !n.is_empty()) {
            Some(n) => n.clone(),
            None if zh => format!("案例 {}", i + 1),
            None => format!("case {}", i + 1),
        };
        for (d0, dec) in old.decisions.iter().enumerate() {
            let Some(d1) = new.decisions.iter().position(|x| x.name == dec.name) else { continue };
            let o = c0.as_ref().map(|c| observe(&ev0, d0 as u32, c)).unwrap_or_else(Clone::clone);
            let n = c1.as_ref().map(|c| observe(&ev1, d1 as u32, c)).unwrap_or_else(Clone::clone);
            if o != n {
                changed.push(CaseChange { case: case.clone(), decision: dec.name.clone(), old: o, new: n });
            }
        }
    }
    Ok(CasesReport { file: name, read: cases0.len().max(cases1.len()), changed })
}

struct Words {
    title: &'static str,
    inputs: &'static str,
    decision: &'static str,
    unchanged: &'static str,
    added: &'static str,
    removed: &'static str,
    changes: &'static str,
    region: &'static str,
    example: &'static str,
    old: &'static str,
    new: &'static str,
    undecided: &'static str,
    list: &'static str,
    rows_added: &'static str,
    rows_removed: &'static str,
    rows_changed: &'static str,
    cases: &'static str,
    no_case: &'static str,
    table: &'static str,
    row: &'static str,
    field: &'static str,
    case: &'static str,
    sep: &'static str,
    legend: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Zh => Words {
            title: "修订对照",
            inputs: "输入",
            decision: "决定",
            unchanged: "结论没有变化",
            added: "新增的决定",
            removed: "删除的决定",
            changes: "处结论改变",
            region: "输入区域",
            example: "示例",
            old: "原",
            new: "新",
            undecided: "可能改变、未能确切判定的区域",
            list: "清单",
            rows_added: "新增",
            rows_removed: "删除",
            rows_changed: "修改",
            cases: "案例",
            no_case: "没有案例的结论改变",
            table: "修订对照表",
            row: "条目",
            field: "字段",
            case: "案例",
            sep: "，",
            legend: "输入区域：原为该结论的输入中，恰好满足这些条件的改为新结论；每个示例都由两个版本的解释器判定过。",
        },
        Lang::En => Words {
            title: "Revision comparison",
            inputs: "Inputs",
            decision: "decision",
            unchanged: "no outcome changes",
            added: "decision added",
            removed: "decision removed",
            changes: "outcome changes",
            region: "Inputs",
            example: "example",
            old: "old",
            new: "new",
            undecided: "regions that may change, not decided exactly",
            list: "list",
            rows_added: "added",
            rows_removed: "removed",
            rows_changed: "changed",
            cases: "Cases",
            no_case: "no case changes outcome",
            table: "Revision comparison table",
            row: "row",
            field: "field",
            case: "case",
            sep: ", ",
            legend: "Inputs: of the inputs with the old outcome, exactly those meeting these conditions get the new one; every example was decided by both revisions' interpreters.",
        },
    }
}

fn human(r: &Report, cases: Option<&CasesReport>, lang: Lang) -> String {
    let w = words(lang);
    let mut s = String::new();
    let _ = writeln!(s, "{}: {} → {}", w.title, r.old, r.new);
    for i in &r.inputs {
        let _ = writeln!(s, "{}: {i}", w.inputs);
    }
    for d in &r.decisions {
        let status = match d.status {
            qingdan_engine::analyse::diff::Status::Added => w.added,
            qingdan_engine::analyse::diff::Status::Removed => w.removed,
            _ if d.changes.is_empty() && d.not_decided_exactly.is_empty() => w.unchanged,
            _ => "",
        };
        if !status.is_empty() {
            let _ = writeln!(s, "\n{} {}: {status}", w.decision, d.name);
            continue;
        }
        let _ = writeln!(s, "\n{} {}: {} {}", w.decision, d.name, d.changes.len(), w.changes);
        for (i, c) in d.changes.iter().enumerate() {
            change_text(&mut s, i + 1, c, &w);
        }
        if !d.not_decided_exactly.is_empty() {
            let _ = writeln!(s, "  {}:", w.undecided);
            for (i, c) in d.not_decided_exactly.iter().enumerate() {
                change_text(&mut s, i + 1, c, &w);
            }
        }
    }
    if r.decisions.iter().any(|d| !d.changes.is_empty() || !d.not_decided_exactly.is_empty()) {
        let _ = writeln!(s, "\n{}", w.legend);
    }
    for l in &r.lists {
        let _ = writeln!(s, "\n{} {}:", w.list, l.name);
        for n in &l.notes {
            let _ = writeln!(s, "  {n}");
        }
        for k in &l.added {
            let _ = writeln!(s, "  + {k} ({})", w.rows_added);
        }
        for k in &l.removed {
            let _ = writeln!(s, "  - {k} ({})", w.rows_removed);
        }
        for row in &l.changed {
            let fields: Vec<String> =
                row.fields.iter().map(|f| format!("{}: {} → {}", f.field, f.old, f.new)).collect();
            let _ = writeln!(s, "  ~ {} ({}) {}", row.key, w.rows_changed, fields.join(w.sep));
        }
    }
    if let Some(c) = cases {
        s.push('\n');
        s.push_str(&cases_text(c, lang));
    }
    s
}

/// The recorded cases whose outcome changes, for people (also `qingdan replay`'s report).
pub(crate) fn cases_text(c: &CasesReport, lang: Lang) -> String {
    let w = words(lang);
    let mut s = String::new();
    let _ = writeln!(s, "{} ({}, {}):", w.cases, c.file, c.read);
    if c.changed.is_empty() {
        let _ = writeln!(s, "  {}", w.no_case);
    }
    for x in &c.changed {
        let _ = writeln!(s, "  {} — {}: {} → {}", x.case, x.decision, x.old, x.new);
    }
    s
}

fn change_text(s: &mut String, n: usize, c: &qingdan_engine::analyse::diff::ChangeReport, w: &Words) {
    let _ = writeln!(s, "  {n}. {} → {}", c.old, c.new);
    if !c.conditions.is_empty() {
        let _ = writeln!(s, "     {}: {}", w.region, c.conditions.join(w.sep));
    }
    if let Some(x) = &c.witness {
        let _ = writeln!(s, "     {}: {}", w.example, x.fields.join(w.sep));
        let _ = writeln!(s, "       {}: {}", w.old, x.old);
        let _ = writeln!(s, "       {}: {}", w.new, x.new);
    }
}

/// Text in a table cell: no `|`, no line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn markdown(r: &Report, cases: Option<&CasesReport>, lang: Lang) -> String {
    let w = words(lang);
    let mut s = String::new();
    let _ = writeln!(s, "# {}：{} → {}\n", w.table, r.old, r.new);
    for i in &r.inputs {
        let _ = writeln!(s, "- {}", cell(i));
    }
    if !r.inputs.is_empty() {
        s.push('\n');
    }
    for d in &r.decisions {
        let _ = writeln!(s, "## {} `{}`\n", w.decision, d.name);
        match d.status {
            qingdan_engine::analyse::diff::Status::Added => {
                let _ = writeln!(s, "{}\n", w.added);
                continue;
            }
            qingdan_engine::analyse::diff::Status::Removed => {
                let _ = writeln!(s, "{}\n", w.removed);
                continue;
            }
            _ => {}
        }
        if d.changes.is_empty() && d.not_decided_exactly.is_empty() {
            let _ = writeln!(s, "{}\n", w.unchanged);
            continue;
        }
        let _ = writeln!(s, "| # | {} | {} | {} | {} |", w.region, w.old, w.new, w.example);
        let _ = writeln!(s, "| --- | --- | --- | --- | --- |");
        for (i, c) in d.changes.iter().enumerate() {
            table_row(&mut s, &(i + 1).to_string(), c, &w);
        }
        for (i, c) in d.not_decided_exactly.iter().enumerate() {
            table_row(&mut s, &format!("?{}", i + 1), c, &w);
        }
        if !d.not_decided_exactly.is_empty() {
            let _ = writeln!(s, "\n?: {}", w.undecided);
        }
        let _ = writeln!(s, "\n{}\n", w.legend);
    }
    for l in &r.lists {
        let _ = writeln!(s, "## {} `{}`\n", w.list, l.name);
        for n in &l.notes {
            let _ = writeln!(s, "- {}", cell(n));
        }
        let _ = writeln!(s, "| {} | {} | {} | {} |", w.row, w.field, w.old, w.new);
        let _ = writeln!(s, "| --- | --- | --- | --- |");
        for k in &l.added {
            let _ = writeln!(s, "| {} | | | {} |", cell(k), w.rows_added);
        }
        for k in &l.removed {
            let _ = writeln!(s, "| {} | | {} | |", cell(k), w.rows_removed);
        }
        for row in &l.changed {
            for f in &row.fields {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    cell(&row.key),
                    cell(&f.field),
                    cell(&f.old),
                    cell(&f.new)
                );
            }
        }
        s.push('\n');
    }
    if let Some(c) = cases {
        let _ = writeln!(s, "## {}（{}）\n", w.cases, cell(&c.file));
        if c.changed.is_empty() {
            let _ = writeln!(s, "{}\n", w.no_case);
        } else {
            let _ = writeln!(s, "| {} | {} | {} | {} |", w.case, w.decision, w.old, w.new);
            let _ = writeln!(s, "| --- | --- | --- | --- |");
            for x in &c.changed {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    cell(&x.case),
                    cell(&x.decision),
                    cell(&x.old),
                    cell(&x.new)
                );
            }
            s.push('\n');
        }
    }
    s
}

fn table_row(s: &mut String, n: &str, c: &qingdan_engine::analyse::diff::ChangeReport, w: &Words) {
    let region = cell(&c.conditions.join(w.sep));
    let example = match &c.witness {
        Some(x) => format!(
            "{}<br>{}: {}<br>{}: {}",
            cell(&x.fields.join(w.sep)),
            w.old,
            cell(&x.old),
            w.new,
            cell(&x.new)
        ),
        None => String::new(),
    };
    let _ = writeln!(s, "| {n} | {region} | {} | {} | {example} |", cell(&c.old), cell(&c.new));
}
