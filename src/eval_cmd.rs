//! `qingdan eval`: reads cases, decides them (in parallel for JSON Lines, in input order
//! on output), and prints results for people or as stable JSON/YAML.

use std::io::{BufRead, IsTerminal, Write};

use qingdan_dsl::syntax::ast::Modality;
use qingdan_dsl::Lang;
use qingdan_engine::cases::{raw_lines, CaseError, CaseReader};
use qingdan_engine::eval::explain::{rule_reads, tell, CaseValues, TraceRead};
use qingdan_engine::eval::{explain_with, EvalError, Evaluator, Explanation};
use qingdan_engine::result::{Interpreted, ResultError, ResultWriter};
use qingdan_engine::wasm::host;
use qingdan_engine::wasm::host::ModuleCase;
use qingdan_engine::{Policy, Value};
use rayon::prelude::*;
use serde_json::Value as Json;

use crate::cli::{Format, InputFormat};
use crate::exit;
use crate::i18n::messages;
use crate::i18n::shown_value;

/// Cases decided together before their output is written; bounds memory on big streams.
const CHUNK: usize = 8192;
/// Cases one worker decides into one buffer (so that a chunk is a few hundred strings).
const BATCH: usize = 256;
/// The largest YAML or JSON (not JSON Lines) input read whole.
const MAX_WHOLE_INPUT: u64 = 64 * 1024 * 1024;

pub struct EvalArgs {
    pub input: String,
    pub input_format: Option<InputFormat>,
    pub decision: Option<String>,
    pub explain: bool,
    pub format: Format,
    /// The language asked for (`--lang`, a Chinese locale); else the policy's.
    pub lang: Option<Lang>,
    /// `--as-of` with a module: the day put into each case's decision date field (the
    /// interpreter is lowered at that day instead, and its policy reads no such field).
    pub as_of: Option<qingdan_dsl::value::Date>,
}

pub fn run(
    policy: &Policy,
    backend: Backend<'_>,
    args: &EvalArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let decisions: Vec<u32> = match &args.decision {
        None => (0..policy.decisions.len() as u32).collect(),
        Some(name) => match policy.decisions.iter().position(|d| d.name == *name) {
            Some(d) => vec![d as u32],
            None => {
                let names: Vec<&str> = policy.decisions.iter().map(|d| d.name.as_str()).collect();
                let lang = args.lang.unwrap_or(policy.lang);
                let _ = writeln!(err, "qingdan: {}", messages::no_such_decision(lang, name, &names));
                return exit::USAGE;
            }
        },
    };
    let case_checks =
        if args.decision.is_some() { Vec::new() } else { checks_reading_the_case(policy, &backend) };
    let format = args.input_format.unwrap_or_else(|| guess_format(&args.input));
    let writer = (args.format != Format::Human).then(|| match &backend {
        Backend::Interpreter(_) => {
            ResultWriter::new(policy, decisions.clone(), case_checks.clone(), args.explain, &|r| {
                rule_reads(policy, r)
            })
        }
        Backend::Wasm(m) => {
            m.result_writer(policy, args.decision.as_ref().map(|_| decisions[0]), args.explain)
        }
    });
    let job = Job {
        policy,
        backend,
        decisions,
        case_checks,
        args,
        zh: args.lang.unwrap_or(policy.lang) == Lang::Zh,
        writer,
        input_format: format,
    };
    let reader = CaseReader::new(policy);
    if args.input != "-" && std::path::Path::new(&args.input).is_dir() {
        let why = messages::input_is_folder(job.lang());
        let _ = writeln!(err, "qingdan: {}: {why}", args.input);
        return exit::USAGE;
    }
    let result = match format {
        InputFormat::Jsonl => job.stream(&reader, out, err),
        _ => job.whole(&reader, format, out),
    };
    match result {
        Ok(failed) if failed > 0 => exit::FAILED,
        Ok(_) => exit::OK,
        Err(Stop::Input(why)) => {
            let _ = writeln!(err, "qingdan: {}: {why}", args.input);
            exit::USAGE
        }
        // The output stream has recorded why; `streams::finish` reports it.
        Err(Stop::Output) => exit::USAGE,
    }
}

/// Why a run ended before every case was decided.
enum Stop {
    /// The input could not be read.
    Input(String),
    /// The output could not be written: deciding the rest would be for nothing.
    Output,
}

/// Checks that read the case: a `must` or `must not` it breaks is a violation, a `may` it
/// uses is a permission shown with the case (the right to refuse unadmitted work, say).
/// A module's policy has no check bodies to look into: its manifest says which read the case.
fn checks_reading_the_case(policy: &Policy, backend: &Backend<'_>) -> Vec<u32> {
    let reads_case = |c: u32| match backend {
        Backend::Interpreter(_) => policy.checks[c as usize].reads_case(),
        Backend::Wasm(m) => m.manifest.checks.get(c as usize).is_some_and(|x| x.reads_case),
    };
    (0..policy.checks.len() as u32).filter(|&c| reads_case(c)).collect()
}

fn guess_format(input: &str) -> InputFormat {
    let lower = input.to_lowercase();
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        InputFormat::Yaml
    } else if lower.ends_with(".json") {
        InputFormat::Json
    } else {
        InputFormat::Jsonl
    }
}

/// A check the case meets: a broken `must` / `must not`, or a `may` whose permission it uses.
struct CheckHit {
    check: String,
    permission: bool,
    reason: Option<String>,
    /// `SOURCE.CLAUSE` of each clause the check cites.
    cites: Vec<String>,
    rows: Vec<String>,
}

/// What decides: the interpreter, or a compiled module (one instance per worker thread).
pub enum Backend<'p> {
    /// Boxed: the evaluator's indexes and memos are far larger than a module's reference.
    Interpreter(Box<Evaluator<'p>>),
    Wasm(&'p host::Module),
}

/// What a worker thread decides with: the shared interpreter, or its own module instance.
enum Worker<'a, 'p> {
    Interpreter(&'a Evaluator<'p>),
    Wasm(Box<Result<host::Instance, host::HostError>>),
}

/// A module instance with the case placed in it, as explanations read values from it.
struct ModuleValues<'a> {
    inst: &'a mut host::Instance,
    case: &'a [Value],
    /// A host error met while reading a let: the explanation is then not shown.
    broken: Option<host::HostError>,
}

impl CaseValues for ModuleValues<'_> {
    fn slot(&self, s: u32) -> Value {
        self.case.get(s as usize).cloned().unwrap_or_default()
    }

    fn let_value(&mut self, l: u32) -> Result<Value, EvalError> {
        self.inst.let_value(l).unwrap_or_else(|e| {
            self.broken.get_or_insert(e);
            Ok(Value::None)
        })
    }
}

struct Job<'p> {
    policy: &'p Policy,
    backend: Backend<'p>,
    decisions: Vec<u32>,
    /// Checks that read the case (those over lists alone are `qingdan test`'s business).
    case_checks: Vec<u32>,
    args: &'p EvalArgs,
    zh: bool,
    /// The result model's writer, for JSON and YAML output.
    writer: Option<ResultWriter<'p>>,
    input_format: InputFormat,
}

pub(crate) type CaseResult = Result<Vec<Value>, CaseError>;

/// A case's explained decisions and the checks it meets (broken, or permissions used).
type Decided = (Vec<Explanation>, Vec<CheckHit>);

impl<'p> Job<'p> {
    /// The language of the text output and of messages.
    fn lang(&self) -> Lang {
        if self.zh {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// A YAML or JSON file, read whole (with a size cap).
    fn whole(
        &self,
        reader: &CaseReader<'_>,
        format: InputFormat,
        out: &mut dyn Write,
    ) -> Result<usize, Stop> {
        let text = read_whole(&self.args.input).map_err(Stop::Input)?;
        // Only YAML can be a test case file: a JSON file is not read as YAML as well.
        let (cases, names) = match format {
            InputFormat::Yaml => match test_file_inputs(&text) {
                Some((givens, names)) => (reader.read_yaml(&givens), names),
                None => (reader.read_yaml(&text), Vec::new()),
            },
            _ => (reader.read_json(&text), Vec::new()),
        };
        self.decide_chunk(cases, 1, &names, |c| c, out)
    }

    /// JSON Lines, streamed in chunks: never more than [`CHUNK`] cases in memory.
    fn stream(
        &self,
        reader: &CaseReader<'_>,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<usize, Stop> {
        let input: Box<dyn BufRead> = if self.args.input == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            let file = std::fs::File::open(&self.args.input).map_err(|e| Stop::Input(e.to_string()))?;
            Box::new(std::io::BufReader::with_capacity(1 << 20, file))
        };
        let progress = progress_bar(self.lang());
        // Lines are split on this thread; reading them into cases happens in parallel.
        let mut lines = raw_lines(input);
        let (mut failed, mut next) = (0, 1);
        loop {
            let chunk: Vec<_> = lines.by_ref().take(CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            let n = chunk.len();
            failed +=
                self.decide_chunk(chunk, next, &[], |l| l.and_then(|raw| reader.read_line(&raw)), out)?;
            next += n;
            if let Some(p) = &progress {
                p.inc(n as u64);
            }
        }
        if let Some(p) = progress {
            p.finish_and_clear();
            let _ = writeln!(err, "{}", messages::cases_decided(self.lang(), next - 1));
        }
        Ok(failed)
    }

    /// Decides cases in parallel, a batch per worker into one buffer, and writes their
    /// results in input order; returns how many failed.
    fn decide_chunk<T: Send>(
        &self,
        items: Vec<T>,
        first: usize,
        names: &[String],
        read: impl Fn(T) -> CaseResult + Sync,
        out: &mut dyn Write,
    ) -> Result<usize, Stop> {
        let rendered: Vec<(String, usize)> = items
            .into_par_iter()
            .enumerate()
            .chunks(BATCH)
            .map_init(
                || self.worker(),
                |w, batch| {
                    let mut text = String::new();
                    let mut failed = 0;
                    for (i, item) in batch {
                        let name = names.get(i).map(String::as_str);
                        failed += usize::from(!self.one(w, &mut text, first + i, name, read(item)));
                    }
                    (text, failed)
                },
            )
            .collect();
        let mut failed = 0;
        for (text, f) in rendered {
            failed += f;
            out.write_all(text.as_bytes()).map_err(|_| Stop::Output)?;
        }
        Ok(failed)
    }

    fn worker(&self) -> Worker<'_, 'p> {
        match &self.backend {
            Backend::Interpreter(ev) => Worker::Interpreter(ev),
            Backend::Wasm(m) => Worker::Wasm(Box::new(m.instantiate())),
        }
    }

    /// Appends one case's output to `out`; whether it was decided without error.
    fn one(
        &self,
        w: &mut Worker<'_, '_>,
        out: &mut String,
        n: usize,
        name: Option<&str>,
        case: CaseResult,
    ) -> bool {
        let case = case.map(|values| self.dated(values));
        if let Some(writer) = &self.writer {
            return self.model(writer, w, out, n, name, case);
        }
        let name = name.map(str::to_string);
        let result = case
            .map_err(|e| self.case_error(&e))
            .and_then(|values| self.decide(w, n, name.as_ref(), &values));
        let ok = result.is_ok();
        out.push_str(&result.unwrap_or_else(|e| e));
        ok
    }

    /// The case as of `--as-of`'s day, when the policy reads a decision date field.
    fn dated(&self, mut values: Vec<Value>) -> Vec<Value> {
        if let (Some(day), Some(slot)) = (self.args.as_of, self.policy.decision_date) {
            if let Some(v) = values.get_mut(slot as usize) {
                *v = <Value as qingdan_engine::value::FromLiteral>::from_date(day);
            }
        }
        values
    }

    /// One case in the result model: a JSON line, or a YAML item made from it.
    fn model(
        &self,
        writer: &ResultWriter<'_>,
        w: &mut Worker<'_, '_>,
        out: &mut String,
        n: usize,
        name: Option<&str>,
        case: CaseResult,
    ) -> bool {
        let start = out.len();
        let ok = match (case, w) {
            (Err(e), _) => {
                // JSON Lines: the case number counts the lines already.
                let with_line = self.input_format != InputFormat::Jsonl;
                writer.error(out, n, name, &ResultError::of_case(&e, with_line));
                false
            }
            (Ok(values), Worker::Interpreter(ev)) => {
                writer.case(out, n, name, &mut Interpreted { ev, frame: ev.frame(&values) })
            }
            (Ok(values), Worker::Wasm(inst)) => match inst.as_mut() {
                Err(e) => {
                    writer.error(out, n, name, &e.clone().into());
                    false
                }
                Ok(inst) => match inst.place(&values) {
                    Err(e) => {
                        writer.error(out, n, name, &e.into());
                        false
                    }
                    Ok(()) => writer.case(
                        out,
                        n,
                        name,
                        &mut ModuleCase { inst, policy: self.policy, case: &values },
                    ),
                },
            },
        };
        if self.args.format == Format::Yaml {
            let line: Json = serde_json::from_str(&out[start..]).unwrap_or(Json::Null);
            out.truncate(start);
            out.push_str(&yaml_item(&line));
        }
        ok
    }

    fn decide(
        &self,
        w: &mut Worker<'_, '_>,
        n: usize,
        name: Option<&String>,
        values: &[Value],
    ) -> Result<String, String> {
        let (explained, checks) = match w {
            Worker::Interpreter(ev) => self.interpret(ev, n, values)?,
            Worker::Wasm(inst) => match inst.as_mut() {
                Ok(inst) => self
                    .run_module(inst, values)
                    .map_err(|e| self.host_error(n, &e))?
                    .map_err(|e| self.eval_error(n, &e))?,
                Err(e) => return Err(self.host_error(n, e)),
            },
        };
        Ok(self.text(n, name, &explained, &checks))
    }

    fn interpret(&self, ev: &Evaluator<'_>, n: usize, values: &[Value]) -> Result<Decided, String> {
        let mut frame = ev.frame(values);
        let mut explained = Vec::new();
        for &d in &self.decisions {
            let result = ev.decide(d, &mut frame).map_err(|e| self.eval_error(n, &e))?;
            let shown = explain_with(ev, &result, &mut frame, self.args.explain);
            explained.push(shown.map_err(|e| self.eval_error(n, &e))?);
        }
        let mut checks = Vec::new();
        for &c in &self.case_checks {
            let result = ev.check(c, &mut frame).map_err(|e| self.eval_error(n, &e))?;
            if !result.hits.is_empty() {
                checks.push(self.check_hit(c, &result.hits));
            }
        }
        Ok((explained, checks))
    }

    /// The same through a module: decisions and checks by the module, explanations told
    /// from its manifest with the values it computed.
    fn run_module(
        &self,
        inst: &mut host::Instance,
        values: &[Value],
    ) -> Result<Result<Decided, EvalError>, host::HostError> {
        inst.place(values)?;
        let mut explained = Vec::new();
        for &d in &self.decisions {
            let result = match inst.decide(d)? {
                Ok(r) => r,
                Err(e) => return Ok(Err(e)),
            };
            let reads = |r: u32| self.module_reads(r);
            let mut case = ModuleValues { inst, case: values, broken: None };
            let told = tell(self.policy, &result, &reads, &mut case, self.args.explain);
            if let Some(e) = case.broken {
                return Err(e);
            }
            match told {
                Ok(shown) => explained.push(shown),
                Err(e) => return Ok(Err(e)),
            }
        }
        let mut checks = Vec::new();
        for &c in &self.case_checks {
            match inst.check(c)? {
                Ok(result) if !result.hits.is_empty() => checks.push(self.check_hit(c, &result.hits)),
                Ok(_) => {}
                Err(e) => return Ok(Err(e)),
            }
        }
        Ok(Ok((explained, checks)))
    }

    /// What rule `r` reads, as the module's manifest lists it.
    fn module_reads(&self, r: u32) -> Vec<TraceRead> {
        match &self.backend {
            Backend::Wasm(m) => m.manifest.rules.get(r as usize).map(|x| x.reads.clone()).unwrap_or_default(),
            Backend::Interpreter(_) => Vec::new(),
        }
    }

    fn host_error(&self, n: usize, e: &host::HostError) -> String {
        let message = e.render(self.lang());
        format!("{} {n}{} {message}\n", Labels::new(self.zh).case, Labels::new(self.zh).colon)
    }

    /// A check the case meets: its name, reason, clauses and the rows (by key) it is about.
    fn check_hit(&self, c: u32, hits: &[Option<Value>]) -> CheckHit {
        let check = &self.policy.checks[c as usize];
        let elem = match check.scope.as_ref().map(|s| &s.over.ty) {
            Some(qingdan_engine::ir::Type::Set(inner)) => Some((**inner).clone()),
            _ => None,
        };
        let rows = hits.iter().filter_map(|h| Some(self.policy.show(h.as_ref()?, elem.as_ref()?))).collect();
        let cites = check
            .cites
            .iter()
            .map(|c| {
                let (source, clause) = self.policy.clause_text(*c);
                format!("{source}.{}", clause.id)
            })
            .collect();
        CheckHit {
            check: check.name.clone(),
            permission: check.modality == Modality::May,
            reason: check.reason.clone(),
            cites,
            rows,
        }
    }

    fn text(
        &self,
        n: usize,
        name: Option<&String>,
        explained: &[Explanation],
        checks: &[CheckHit],
    ) -> String {
        let mut s = String::new();
        let l = Labels::new(self.zh);
        if let Some(name) = name {
            s.push_str(&format!("{} {n}{}{name}\n", l.case, l.colon));
        }
        for v in checks.iter().filter(|v| !v.permission) {
            s.push_str(&format!("{} {n}{}{} {}\n", l.case, l.colon, l.violates, hit_text(v, &l)));
        }
        for e in explained {
            let outcome = if e.outcomes.is_empty() {
                l.conflict.to_string()
            } else {
                e.outcomes.iter().map(|o| show_outcome(o, self.lang())).collect::<Vec<_>>().join(", ")
            };
            s.push_str(&format!("{} {n}{}{} → {outcome}\n", l.case, l.colon, e.decision));
            for o in &e.outcomes {
                let by = o.rule.as_deref().map_or(l.default.to_string(), |r| format!("{} {r}", l.rule));
                s.push_str(&format!(
                    "  {}{}{}（{by}）\n",
                    l.reason,
                    l.colon,
                    o.reason.as_deref().unwrap_or("—")
                ));
                for c in &o.cites {
                    s.push_str(&format!(
                        "    {}{}{}.{} “{}”\n",
                        l.cites, l.colon, c.source, c.clause, c.text
                    ));
                }
            }
            for c in &e.conflicts {
                s.push_str(&format!("  {}{}{}\n", l.conflict, l.colon, c.join(", ")));
            }
            if self.args.explain {
                explain_text(&mut s, e, &l);
            }
        }
        for v in checks.iter().filter(|v| v.permission) {
            s.push_str(&format!("{} {n}{}{} {}\n", l.case, l.colon, l.may, hit_text(v, &l)));
        }
        s
    }

    fn case_error(&self, e: &CaseError) -> String {
        let message = e.message.get(self.lang());
        let l = Labels::new(self.zh);
        format!("{} {}{}{} {}{}{message}\n", l.case, e.case, l.colon, e.code, e.path, l.colon)
    }

    fn eval_error(&self, n: usize, e: &EvalError) -> String {
        let message = ResultError::of_eval(self.policy, e).message.get(self.lang()).to_string();
        format!("{} {n}{} {message}\n", Labels::new(self.zh).case, Labels::new(self.zh).colon)
    }
}

/// A check met, for people: its name, the rows, the reason and the clauses it cites.
fn hit_text(v: &CheckHit, l: &Labels) -> String {
    let mut s = v.check.clone();
    if !v.rows.is_empty() {
        s.push_str(&format!(" [{}]", v.rows.join(", ")));
    }
    if let Some(reason) = &v.reason {
        s.push_str(&format!(" {reason}"));
    }
    if !v.cites.is_empty() {
        s.push_str(&format!("（{}{}{}）", l.cites, l.colon, v.cites.join(l.and)));
    }
    s
}

fn show_outcome(o: &qingdan_engine::eval::explain::ShownOutcome, lang: Lang) -> String {
    if o.values.is_empty() {
        return o.outcome.clone();
    }
    let values: Vec<String> = o
        .values
        .iter()
        .map(|v| format!("{}: {}{}", v.name, shown_value(lang, &v.value), row_days(lang, v)))
        .collect();
    format!("{} {{ {} }}", o.outcome, values.join(", "))
}

/// The days a dated list row is in force, after its key: `（自 2026-01-01 起）`,
/// ` (from 2026-01-01)`; nothing for other values.
fn row_days(lang: Lang, v: &qingdan_engine::eval::explain::NamedValue) -> String {
    match (&v.in_force, lang) {
        (None, _) => String::new(),
        (Some(days), Lang::Zh) => format!("（{days}）"),
        (Some(days), Lang::En) => format!(" ({days})"),
    }
}

/// Which version of a rule applied: `（自 2025-01-01 起的版本）`, ` (version from 2025-01-01)`.
fn version_label(lang: Lang, days: &str) -> String {
    match lang {
        Lang::Zh => format!("（{days}的版本）"),
        Lang::En => format!(" (version {days})"),
    }
}

fn explain_text(s: &mut String, e: &Explanation, l: &Labels) {
    for (label, rules) in [(l.fired, &e.fired), (l.overridden, &e.overridden)] {
        for r in rules {
            let to =
                r.exception_to.as_deref().map(|t| format!(" ({} {t})", l.exception_to)).unwrap_or_default();
            let version = r.version.as_deref().map(|v| version_label(l.lang, v)).unwrap_or_default();
            s.push_str(&format!("  {label}{}{}{version}{to}\n", l.colon, r.rule));
            for v in &r.read {
                let version = v.version.as_deref().map(|d| version_label(l.lang, d)).unwrap_or_default();
                s.push_str(&format!(
                    "    {}{}{} = {}{}{version}\n",
                    l.read,
                    l.colon,
                    v.name,
                    shown_value(l.lang, &v.value),
                    row_days(l.lang, v)
                ));
            }
            for c in &r.cites {
                s.push_str(&format!("    {}{}{}.{} “{}”\n", l.cites, l.colon, c.source, c.clause, c.text));
            }
        }
    }
}

/// Labels of the text output, in the policy's language.
struct Labels {
    lang: Lang,
    case: &'static str,
    colon: &'static str,
    rule: &'static str,
    reason: &'static str,
    default: &'static str,
    conflict: &'static str,
    fired: &'static str,
    overridden: &'static str,
    exception_to: &'static str,
    violates: &'static str,
    may: &'static str,
    and: &'static str,
    read: &'static str,
    cites: &'static str,
}

impl Labels {
    fn new(zh: bool) -> Labels {
        if zh {
            Labels {
                lang: Lang::Zh,
                case: "案例",
                colon: "：",
                rule: "规则",
                reason: "理由",
                default: "默认",
                conflict: "冲突，未能决定",
                fired: "触发",
                overridden: "被推翻",
                exception_to: "例外，针对",
                violates: "违反检查",
                may: "可以",
                and: "、",
                read: "读取",
                cites: "依据",
            }
        } else {
            Labels {
                lang: Lang::En,
                case: "case",
                colon: ": ",
                rule: "rule",
                reason: "reason",
                default: "default",
                conflict: "conflict, not decided",
                fired: "fired",
                overridden: "overridden",
                exception_to: "exception to",
                violates: "violates",
                may: "may",
                and: ", ",
                read: "read",
                cites: "cites",
            }
        }
    }
}

fn yaml_item(value: &Json) -> String {
    serde_yaml::to_string(&vec![value]).unwrap_or_default()
}

/// A `qingdan test` case file (`- case: …, given: {…}, expect: {…}`) can be evaluated too:
/// its `given` parts are the cases, shown with their names. `None` when the text is not
/// such a file.
pub(crate) fn test_file_inputs(text: &str) -> Option<(String, Vec<String>)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Too deep for `serde_yaml` to scan in linear time: the case reader says why.
    if qingdan_dsl::yaml_depth::too_deep(text, qingdan_dsl::yaml_depth::MAX_DEPTH).is_some() {
        return None;
    }
    let items: Vec<serde_yaml::Value> = serde_yaml::from_str(text).ok()?;
    let key = serde_yaml::Value::String("given".into());
    let givens: Option<Vec<&serde_yaml::Value>> = items.iter().map(|item| item.get(&key)).collect();
    let givens = givens.filter(|g| !g.is_empty())?;
    let names = items
        .iter()
        .map(|item| item.get("case").and_then(|c| c.as_str()).unwrap_or("").to_string())
        .collect();
    Some((serde_yaml::to_string(&givens).ok()?, names))
}

pub(crate) fn read_whole(path: &str) -> Result<String, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let reader: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| e.to_string())?)
    };
    reader.take(MAX_WHOLE_INPUT + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_WHOLE_INPUT {
        return Err(format!(
            "larger than {} MiB; use JSON Lines (.jsonl), which is streamed",
            MAX_WHOLE_INPUT >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

fn progress_bar(lang: Lang) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(indicatif::ProgressStyle::with_template(messages::progress_template(lang)).ok()?);
    Some(bar)
}

/// One decision of a policy, each case shown exactly as `qingdan eval --format json
/// --decision D` prints it (one line, no newline), for `qingdan serve`: the service calls
/// the very code that prints eval's JSON, so the two cannot drift apart.
pub(crate) struct JsonDecider<'p> {
    job: Job<'p>,
}

impl<'p> JsonDecider<'p> {
    /// `args` must ask for JSON; its `explain` chooses the long form.
    pub(crate) fn new(policy: &'p Policy, decision: u32, args: &'p EvalArgs) -> JsonDecider<'p> {
        let backend = Backend::Interpreter(Box::new(Evaluator::new(policy)));
        let zh = args.lang.unwrap_or(policy.lang) == Lang::Zh;
        let writer =
            ResultWriter::new(policy, vec![decision], Vec::new(), args.explain, &|r| rule_reads(policy, r));
        let job = Job {
            policy,
            backend,
            decisions: vec![decision],
            case_checks: Vec::new(),
            args,
            zh,
            writer: Some(writer),
            // As a JSON Lines stream does: a case's error names no line.
            input_format: InputFormat::Jsonl,
        };
        JsonDecider { job }
    }

    /// Case number `n`'s line (as eval prints it) and whether it was decided.
    pub(crate) fn decide(&self, n: usize, case: CaseResult) -> (String, bool) {
        let mut worker = self.job.worker();
        let mut text = String::new();
        let ok = self.job.one(&mut worker, &mut text, n, None, case);
        if text.ends_with('\n') {
            text.pop();
        }
        (text, ok)
    }
}
