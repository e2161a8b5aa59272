//! `qingdan trace`: clause coverage. For each source (an instrument, however many policies
//! declare it) and each of its clauses: the rules, exceptions, checks and defaults that
//! cite it, how its words are known (checked against the full text, taken from it, a
//! summary, unverified), whether it is declared out of scope and why — and the clauses
//! nothing cites. A source with a full text lists every clause of the text, declared or
//! not. Collection here; the three formats in `render.rs`.

mod render;

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use qingdan_dsl::check::env::SourceInfo;
use qingdan_dsl::check::{Checked, Def, Env};
use qingdan_dsl::include::ListRows;
use qingdan_dsl::sources::{mentioned_numbers, number_value, TextIndex};
use qingdan_dsl::syntax::ast::{ClauseKind, DecisionEnd, Decl, ExprKind, Item, Path, RuleKind};
use qingdan_dsl::Program;
use serde::Serialize;

use crate::commands::Output;
use crate::exit;

#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Policy files or folders (every `.qd` below them, with the policies they use).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Only this source: a name it is declared under (`杭州决定`) or its title.
    #[arg(long)]
    pub source: Option<String>,
    /// Output: text (in the policies' language), Markdown, or JSON.
    #[arg(long = "as", value_enum, value_name = "FORMAT", default_value = "text")]
    pub as_format: TraceFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TraceFormat {
    Text,
    Markdown,
    Json,
}

/// Clause coverage of a set of policies.
#[derive(Debug, Serialize)]
pub struct Trace {
    pub sources: Vec<SourceTrace>,
}

#[derive(Debug, Serialize)]
pub struct SourceTrace {
    pub title: String,
    pub date: Option<String>,
    /// The names it is declared under, with the policy of each (`社区工作准入.杭州决定`).
    pub declared_as: Vec<String>,
    pub full_text: Option<String>,
    pub clauses: Vec<ClauseTrace>,
    /// Where each clause is in `clauses`, by id and by number: one lookup per citation.
    #[serde(skip)]
    by_id: HashMap<String, usize>,
    #[serde(skip)]
    by_number: HashMap<u32, usize>,
}

impl SourceTrace {
    fn push(&mut self, clause: ClauseTrace) -> usize {
        let at = self.clauses.len();
        self.by_id.entry(clause.id.clone()).or_insert(at);
        if let Some(n) = number_of(&clause) {
            self.by_number.entry(n).or_insert(at);
        }
        self.clauses.push(clause);
        at
    }

    /// The entry of clause `id`: the one by that id, else the text's clause of the same
    /// number, else a new one at the end.
    fn entry(&mut self, id: &str) -> &mut ClauseTrace {
        let found = self.by_id.get(id).copied();
        let found = found.or_else(|| number_value(id).and_then(|n| self.by_number.get(&n).copied()));
        let at = found.unwrap_or_else(|| self.push(ClauseTrace::new(id, None)));
        self.by_id.insert(id.to_string(), at);
        let clause = &mut self.clauses[at];
        if clause.heading.as_deref() == Some(clause.id.as_str()) {
            clause.id = id.to_string(); // the id policies use, once one declares it
        }
        clause
    }

    fn by_number(&mut self, n: u32) -> Option<&mut ClauseTrace> {
        let at = *self.by_number.get(&n)?;
        self.clauses.get_mut(at)
    }
}

impl ClauseTrace {
    fn new(id: &str, heading: Option<&str>) -> ClauseTrace {
        ClauseTrace {
            id: id.to_string(),
            heading: heading.map(str::to_string),
            wording: Vec::new(),
            cited_by: Vec::new(),
            out_of_scope: None,
            status: Status::Uncited,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ClauseTrace {
    /// The id the policies use (`五`), or the heading as the text writes it (`(五)`) when
    /// no policy declares the clause.
    pub id: String,
    /// The heading as the full text writes it.
    pub heading: Option<String>,
    /// How the words of its declarations are known (`checked`, `from_text`, `summary`,
    /// `unverified`, `unmarked`); empty when no policy declares it.
    pub wording: Vec<Wording>,
    pub cited_by: Vec<Citer>,
    pub out_of_scope: Option<String>,
    pub status: Status,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Wording {
    /// A quotation checked against the full text.
    Checked,
    /// No words given: taken from the full text.
    FromText,
    /// Marked `摘要` / `summary`.
    Summary,
    /// Marked `未核` / `unverified`: a quotation no text in the repository checks.
    Unverified,
    /// A quotation with no full text and no mark: nobody checks it, and it does not say so.
    Unmarked,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Implemented,
    OutOfScope,
    Uncited,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Citer {
    pub policy: String,
    pub kind: CiterKind,
    pub name: String,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum CiterKind {
    Rule,
    Exception,
    Check,
    /// The default outcome of the named decision.
    Default,
    /// A list row whose text names the clause after the source's name
    /// (`杭州决定第（四）项`): the list and the row's key.
    Row,
}

pub(crate) fn run(args: &TraceArgs, opts: &Output, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let program = match crate::commands::load_checked(&args.paths, opts, out, err) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let Some(checked) = &program.checked else { return exit::FAILED };
    let mut trace = collect(&program, checked);
    if let Some(wanted) = &args.source {
        trace.sources.retain(|s| {
            s.title == *wanted || s.declared_as.iter().any(|d| d.ends_with(&format!(".{wanted}")))
        });
        if trace.sources.is_empty() {
            let _ = writeln!(err, "qingdan: no source `{wanted}` (没有来源 `{wanted}`)");
            return exit::USAGE;
        }
    }
    let lang = opts.lang(&program);
    let text = match args.as_format {
        TraceFormat::Text => render::text(&trace, lang),
        TraceFormat::Markdown => render::markdown(&trace, lang),
        TraceFormat::Json => serde_json::to_string_pretty(&trace).unwrap_or_default() + "\n",
    };
    let _ = write!(out, "{text}");
    exit::OK
}

/// Every source of the program, grouped by title, with its clauses and their citers.
pub fn collect(program: &Program, checked: &Checked) -> Trace {
    let env = &checked.env;
    let mut sources: Vec<SourceTrace> = Vec::new();
    // env source index → index in `sources`
    let mut group = Vec::with_capacity(env.sources.len());
    for info in &env.sources {
        let at = match sources.iter().position(|s| s.title == info.title) {
            Some(at) => at,
            None => {
                let mut source = SourceTrace {
                    title: info.title.clone(),
                    date: date_of(program, info),
                    declared_as: Vec::new(),
                    full_text: info.full_text.clone(),
                    clauses: Vec::new(),
                    by_id: HashMap::new(),
                    by_number: HashMap::new(),
                };
                for clause in text_clauses(program, info) {
                    source.push(clause);
                }
                sources.push(source);
                sources.len() - 1
            }
        };
        let s = &mut sources[at];
        s.declared_as.push(format!("{}.{}", policy_name(program, info.module), info.name));
        if s.full_text.is_none() && info.full_text.is_some() {
            s.full_text = info.full_text.clone();
            for clause in text_clauses(program, info) {
                s.push(clause);
            }
        }
        for c in &info.clauses {
            let clause = s.entry(&c.id);
            clause.wording.push(wording(info, c.kind, c.from_text || c.text.is_empty()));
            if clause.out_of_scope.is_none() {
                clause.out_of_scope.clone_from(&c.out_of_scope);
            }
        }
        group.push(at);
    }
    for (m, pm) in program.modules.iter().enumerate() {
        let policy = pm.module.name.name.clone();
        for decl in &pm.module.decls {
            for (kind, name, cites) in citing(decl) {
                for cite in cites {
                    let Some((sid, id)) = resolve(checked, m, cite) else { continue };
                    let clause = sources[group[sid]].entry(id);
                    clause.cited_by.push(Citer { policy: policy.clone(), kind, name: name.to_string() });
                }
            }
        }
    }
    for (m, pm) in program.modules.iter().enumerate() {
        for (i, decl) in pm.module.decls.iter().enumerate() {
            let Decl::List(list) = decl else { continue };
            let mut rows = ListRows::of(list, program.included.get(&(m, i)), &program.sources).cursor();
            while let Some(item) = rows.next_row() {
                for (sid, n) in row_mentions(env, m, item) {
                    // Only clauses the source has: words after a name are not always a citation.
                    let Some(clause) = sources[group[sid]].by_number(n) else {
                        continue;
                    };
                    let name = format!("{} {}", list.name.name, item.key.value);
                    clause.cited_by.push(Citer {
                        policy: pm.module.name.name.clone(),
                        kind: CiterKind::Row,
                        name,
                    });
                }
            }
        }
    }
    for s in &mut sources {
        for c in &mut s.clauses {
            c.wording = c.wording.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
            c.cited_by = c.cited_by.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
            c.status = if !c.cited_by.is_empty() {
                Status::Implemented
            } else if c.out_of_scope.is_some() {
                Status::OutOfScope
            } else {
                Status::Uncited
            };
        }
    }
    Trace { sources }
}

/// The clauses a row's text fields name after the name of a source of its policy.
fn row_mentions(env: &Env, m: usize, item: &Item) -> Vec<(usize, u32)> {
    let mut found = Vec::new();
    for field in &item.fields {
        let ExprKind::Text(text) = &field.value.kind else { continue };
        for (sid, source) in env.sources.iter().enumerate().filter(|(_, s)| s.module == m) {
            for (at, _) in text.match_indices(source.name.as_str()) {
                let after = &text[at + source.name.len()..];
                found.extend(mentioned_numbers(after).into_iter().map(|n| (sid, n)));
            }
        }
    }
    found
}

fn policy_name(program: &Program, module: usize) -> &str {
    &program.modules[module].module.name.name
}

fn date_of(program: &Program, info: &SourceInfo) -> Option<String> {
    program.modules[info.module].module.decls.iter().find_map(|d| match d {
        Decl::Source(s) if s.name.name == info.name => s.date.as_ref().map(|(d, _)| d.to_string()),
        _ => None,
    })
}

/// The clauses of the full text, in its order, none declared or cited yet.
fn text_clauses(program: &Program, info: &SourceInfo) -> Vec<ClauseTrace> {
    let Some(file) = info.text_file else { return Vec::new() };
    let text = &program.sources.get(file).text;
    TextIndex::new(text)
        .clauses(text)
        .into_iter()
        .map(|(_, heading)| ClauseTrace::new(heading, Some(heading)))
        .collect()
}

/// The number of a clause entry: its heading's, else its id's.
fn number_of(c: &ClauseTrace) -> Option<u32> {
    c.heading.as_deref().and_then(heading_number).or_else(|| number_value(&c.id))
}

/// The number in a heading as written: `(五)` → 5, `第二十四条` → 24, `三、` → 3.
fn heading_number(heading: &str) -> Option<u32> {
    let inner = heading.trim_matches(|c: char| "()（）第条、.．".contains(c));
    number_value(inner)
}

fn wording(info: &SourceInfo, kind: ClauseKind, no_words: bool) -> Wording {
    match (info.full_text.is_some(), kind, no_words) {
        (_, ClauseKind::Summary, _) => Wording::Summary,
        (true, _, true) => Wording::FromText,
        (true, _, false) => Wording::Checked,
        (false, ClauseKind::Unverified, _) => Wording::Unverified,
        (false, _, _) => Wording::Unmarked,
    }
}

/// The citations a declaration makes, with who makes them.
fn citing(decl: &Decl) -> Vec<(CiterKind, &str, &[Path])> {
    match decl {
        Decl::Rule(r) => {
            let kind = match r.kind {
                RuleKind::Rule { .. } => CiterKind::Rule,
                RuleKind::Exception { .. } => CiterKind::Exception,
            };
            vec![(kind, r.name.name.as_str(), r.cites.as_slice())]
        }
        Decl::Check(c) => vec![(CiterKind::Check, c.name.name.as_str(), c.cites.as_slice())],
        Decl::Decision(d) => match &d.end {
            DecisionEnd::Default(_, cites) => {
                vec![(CiterKind::Default, d.name.name.as_str(), cites.as_slice())]
            }
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// `S.C` or `P.S.C` as the checker reads it: the source's index and the clause id.
fn resolve<'a>(checked: &Checked, m: usize, cite: &'a Path) -> Option<(usize, &'a str)> {
    let env = &checked.env;
    let def = match cite.parts.as_slice() {
        [s, _] => env.lookup(m, &s.name),
        [p, s, _] => match env.lookup(m, &p.name) {
            Some(Def::Policy(pm)) => env.lookup_in(pm, &s.name),
            _ => None,
        },
        _ => None,
    };
    match def {
        Some(Def::Source(sid)) => Some((sid.0, cite.parts.last()?.name.as_str())),
        _ => None,
    }
}
