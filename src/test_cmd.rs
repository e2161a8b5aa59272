//! `qingdan test`: runs each policy's inline `test` blocks and the case files beside it,
//! prints one line per case with a diff for each failure, a summary line CI reads, and the
//! rules and outcomes no case reached. With `--snapshot` it also writes each case's
//! explanation as an insta-compatible file, so that a reviewer sees in a diff how a change
//! to the policy changes its decisions.
//!
//! Which case files belong to which policy: `X.cases.yaml` to `X.qd` beside it, and a
//! plain `cases.yaml` to the folder's main policy, the one `.qd` without an `X.cases.yaml`
//! of its own. The reading and comparing is `qingdan_engine::testing`; this module finds
//! files, runs cases and prints.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use qingdan_dsl::diag::{msg, Msg};
use qingdan_dsl::syntax::lex::MAX_FILE_BYTES;
use qingdan_dsl::Lang;
use qingdan_engine::cases::{case_to_json, CaseReader};
use qingdan_engine::eval::{explain, DecisionResult, EvalError, Evaluator, Frame};
use qingdan_engine::ir::DecisionId;
use qingdan_engine::testing::{self, Actual, Coverage, Expect, Outcomes, Problem, Verdict};
use qingdan_engine::{Policy, Value};
use serde_json::{json, Value as Json};

use crate::cli::Format;
use crate::commands::{load_policy, Output};
use crate::{exit, files};

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Policy files (`.qd`) or folders, searched recursively.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Also write one snapshot file per case: every decision explained (insta format).
    #[arg(long)]
    pub snapshot: bool,
    /// Where snapshots go (default: `snapshots/` in each policy's folder).
    #[arg(long, value_name = "DIR", requires = "snapshot")]
    pub snapshot_dir: Option<PathBuf>,
    /// With --snapshot: write nothing, list the snapshot files that would change (exit 1).
    #[arg(long, requires = "snapshot")]
    pub check: bool,
}

pub(crate) fn run(
    args: &TestArgs,
    opts: &Output,
    format: Format,
    lang: Option<Lang>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let mut run = Run {
        args,
        format,
        lang,
        code: exit::OK,
        reports: Vec::new(),
        errors: Vec::new(),
        folders: HashMap::new(),
        snapshots: Vec::new(),
    };
    let mut seen = HashSet::new();
    let paths: Vec<PathBuf> = files::expand(&args.paths)
        .into_iter()
        .filter(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())))
        .collect();
    if paths.is_empty() {
        let shown: Vec<String> = args.paths.iter().map(|p| files::display(p)).collect();
        run.error(
            json!({ "paths": shown }),
            msg(
                format!("{} 中没有政策文件（.qd）", shown.join("、")),
                format!("no policy files (.qd) in {}", shown.join(", ")),
            ),
            err,
        );
    }
    for path in &paths {
        run.policy(path, opts, out, err);
    }
    run.finish(out)
}

/// What one run has seen so far.
struct Run<'a> {
    args: &'a TestArgs,
    format: Format,
    /// `--lang`; otherwise each policy speaks its own language.
    lang: Option<Lang>,
    code: u8,
    reports: Vec<PolicyReport>,
    /// Usage-level problems: policies with errors, unreadable case files, ambiguous folders.
    errors: Vec<Json>,
    /// Per folder, its policies' case files (each folder is looked at once).
    folders: HashMap<PathBuf, HashMap<String, Vec<PathBuf>>>,
    snapshots: Vec<SnapshotNote>,
}

struct PolicyReport {
    name: String,
    file: String,
    lang: Lang,
    groups: Vec<Group>,
    rules: usize,
    unfired: Vec<String>,
    unproduced: Vec<(String, Vec<String>)>,
}

/// The cases of one source: the policy's test blocks, or one case file.
struct Group {
    /// The file the cases come from, as shown.
    source: String,
    inline: bool,
    cases: Vec<CaseReport>,
}

struct CaseReport {
    name: String,
    line: Option<usize>,
    /// Problems reading the case, and errors deciding it, as they are printed.
    problems: Vec<(String, Option<&'static str>, String)>,
    decisions: Vec<DecisionReport>,
    /// The case's input as JSON (`null` when it could not be read), for other hosts to
    /// evaluate: what `qingdan eval` reads back to the same values.
    given: Json,
    /// Per decision, what the case expects of it (see [`expect_json`]).
    expect: Json,
}

impl CaseReport {
    fn passed(&self) -> bool {
        self.problems.is_empty() && self.decisions.iter().all(|d| d.verdict.passed())
    }
}

struct DecisionReport {
    decision: String,
    verdict: Verdict,
    expected: Side,
    actual: Side,
}

/// One side of a diff: the outcome(s), the values compared and the rules that fired.
struct Side {
    outcome: Shown,
    values: Vec<(String, String)>,
    fires: Option<Vec<String>>,
}

/// An outcome as a diff shows it.
enum Shown {
    One(String),
    /// The outcomes of a `collect` decision, as a set.
    Set(Vec<String>),
    /// No outcome: these rules are in conflict.
    Conflict(Vec<String>),
}

impl Shown {
    fn text(&self, l: &Labels) -> String {
        match self {
            Shown::One(v) => v.clone(),
            Shown::Set(vs) => list(vs.iter().cloned()),
            Shown::Conflict(rules) => format!("{} {}", l.conflict, list(rules.iter().cloned())),
        }
    }

    fn json(&self) -> Json {
        match self {
            Shown::One(v) => json!(v),
            Shown::Set(vs) => json!(vs),
            Shown::Conflict(rules) => json!({ "conflict": rules }),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SnapshotState {
    Created,
    Updated,
    WouldCreate,
    WouldUpdate,
    /// A file for this policy that no case writes any more (left in place).
    Obsolete,
}

struct SnapshotNote {
    path: String,
    state: SnapshotState,
}

/// One case to run, whichever its source.
struct Case<'c> {
    name: &'c str,
    line: Option<usize>,
    values: Option<&'c [Value]>,
    expects: &'c [Expect],
    problems: &'c [Problem],
    /// The file named in the snapshot's header: the `.qd` or the case file.
    source: &'c str,
}

impl Run<'_> {
    /// A usage-level problem. Without `--lang` it is told in both languages (as unreadable
    /// files are): the policy it is about may be the one whose language is unknown.
    fn error(&mut self, mut body: Json, message: Msg, err: &mut dyn Write) {
        if self.format == Format::Human {
            let _ = match self.lang {
                Some(lang) => writeln!(err, "qingdan: {}", message.get(lang)),
                None => writeln!(err, "qingdan: {}\n         {}", message.zh, message.en),
            };
        }
        let lang = self.lang.unwrap_or(Lang::En);
        body["message"] = Json::String(message.get(lang).to_string());
        self.errors.push(body);
        self.code = exit::USAGE;
    }

    fn policy(&mut self, path: &Path, opts: &Output, out: &mut dyn Write, err: &mut dyn Write) {
        let file = files::display(path);
        // In JSON or YAML the diagnostics document is captured and becomes part of this
        // run's one report, so that stdout stays a single document.
        let mut captured = Vec::new();
        let policy = match load_policy(path, None, opts, &mut captured, err) {
            Ok(p) => p,
            Err(code) => {
                let diagnostics = match self.format {
                    Format::Human => Json::Null,
                    Format::Json => serde_json::from_slice(&captured).unwrap_or(Json::Null),
                    Format::Yaml => serde_yaml::from_slice(&captured).unwrap_or(Json::Null),
                };
                self.error(
                    json!({ "file": file, "diagnostics": diagnostics }),
                    if code == exit::USAGE {
                        msg(
                            format!("{file}：无法读取，未测试"),
                            format!("{file}: not tested: it cannot be read"),
                        )
                    } else {
                        msg(
                            format!("{file}：政策有错误，未测试"),
                            format!("{file}: not tested: the policy has errors"),
                        )
                    },
                    err,
                );
                return;
            }
        };
        let lang = self.lang.unwrap_or(policy.lang);
        let ev = Evaluator::new(&policy);
        let reader = CaseReader::new(&policy);
        let mut coverage = Coverage::new(&policy);
        let mut snap = SnapshotSet::new(self.snapshot_dir(path), &policy.name);
        let qd_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut groups = Vec::new();

        let inline: Vec<(Vec<Expect>, &[Value])> = policy
            .tests
            .iter()
            .map(|t| (t.expects.iter().map(Expect::inline).collect(), &t.case[..]))
            .collect();
        // The lines of the test blocks, for messages: a test is always in the policy's own
        // file, which was read a moment ago (and if it changed since, only a line is off).
        let text = files::read_capped(path).unwrap_or_default();
        let line_of =
            |at: u32| text.get(..at as usize).map(|b| b.iter().filter(|c| **c == b'\n').count() + 1);
        let mut group = Group { source: file.clone(), inline: true, cases: Vec::new() };
        for (t, (expects, values)) in policy.tests.iter().zip(&inline) {
            let case = Case {
                name: &t.name,
                line: line_of(t.span.start),
                values: Some(values),
                expects,
                problems: &[],
                source: &qd_name,
            };
            group.cases.push(self.case(&ev, &case, lang, &mut coverage, &mut snap, err));
        }
        if !group.cases.is_empty() {
            groups.push(group);
        }

        let mut complete = true;
        for case_file in self.case_files(path, err) {
            let shown = files::display(&case_file);
            let text = match read_text(&case_file) {
                Ok(text) => text,
                Err(why) => {
                    let m = msg(format!("{shown}：{}", why.zh), format!("{shown}: {}", why.en));
                    self.error(json!({ "file": shown }), m, err);
                    complete = false;
                    continue;
                }
            };
            let cases = match testing::read_case_file(&reader, &text) {
                Ok(cases) => cases,
                Err(e) => {
                    let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
                    let m = msg(
                        format!("{shown}{at}：{}", e.message.zh),
                        format!("{shown}{at}: {}", e.message.en),
                    );
                    self.error(json!({ "file": shown, "line": e.line }), m, err);
                    complete = false;
                    continue;
                }
            };
            let source = case_file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let mut group = Group { source: shown, inline: false, cases: Vec::new() };
            for c in &cases {
                let case = Case {
                    name: &c.name,
                    line: c.line,
                    values: c.given.as_deref(),
                    expects: &c.expects,
                    problems: &c.problems,
                    source: &source,
                };
                group.cases.push(self.case(&ev, &case, lang, &mut coverage, &mut snap, err));
            }
            groups.push(group);
        }
        if complete {
            snap.obsolete(&mut self.snapshots);
        }

        let report = PolicyReport {
            name: policy.name.clone(),
            file,
            lang,
            groups,
            rules: policy.rules.len(),
            unfired: coverage.unfired().iter().map(|r| policy.rules[*r as usize].name.clone()).collect(),
            unproduced: coverage
                .unproduced(&policy)
                .into_iter()
                .map(|(d, vs)| {
                    let decision = &policy.decisions[d as usize];
                    let variants = &policy.enums[decision.outcome_enum as usize].variants;
                    (decision.name.clone(), vs.iter().map(|v| variants[*v as usize].name.clone()).collect())
                })
                .collect(),
        };
        if self.format == Format::Human {
            let _ = out.write_all(report.text().as_bytes());
        }
        self.reports.push(report);
    }

    fn snapshot_dir(&self, policy: &Path) -> Option<PathBuf> {
        if !self.args.snapshot {
            return None;
        }
        Some(self.args.snapshot_dir.clone().unwrap_or_else(|| folder(policy).join("snapshots")))
    }

    /// Runs one case: decides what it expects (and, for a snapshot, every decision).
    fn case(
        &mut self,
        ev: &Evaluator<'_>,
        case: &Case<'_>,
        lang: Lang,
        coverage: &mut Coverage,
        snap: &mut SnapshotSet,
        err: &mut dyn Write,
    ) -> CaseReport {
        let p = ev.policy;
        let mut report = CaseReport {
            name: case.name.to_string(),
            line: case.line,
            problems: case
                .problems
                .iter()
                .map(|pr| (pr.path.clone(), pr.code.map(|c| c.as_str()), pr.message.get(lang).to_string()))
                .collect(),
            decisions: Vec::new(),
            given: case.values.map_or(Json::Null, |v| case_to_json(p, v)),
            expect: expect_json(p, case.expects),
        };
        let path = snap.path_for(case.name);
        let Some(values) = case.values else { return report };
        let mut frame = ev.frame(values);
        let mut results: Vec<Option<Result<DecisionResult, EvalError>>> = vec![None; p.decisions.len()];
        let mut decide = |d: DecisionId, frame: &mut Frame<'_>| {
            results[d as usize].get_or_insert_with(|| ev.decide(d, frame)).clone()
        };
        for e in case.expects {
            let name = &p.decisions[e.decision as usize].name;
            let actual = decide(e.decision, &mut frame).map(|r| testing::observe(p, &r));
            match actual {
                Ok(actual) => {
                    coverage.record(e.decision, &actual);
                    report.decisions.push(decision_report(p, e, &actual));
                }
                Err(why) => report.problems.push((
                    format!("expect.{name}"),
                    None,
                    eval_error(p, &why).get(lang).into(),
                )),
            }
        }
        if let Some(path) = path {
            let mut decisions = serde_json::Map::new();
            for (d, decision) in p.decisions.iter().enumerate() {
                let explained = decide(d as DecisionId, &mut frame)
                    .and_then(|r| explain(ev, &r, &mut frame))
                    .map(|e| serde_json::to_value(e).unwrap_or(Json::Null));
                let body = match explained {
                    Ok(Json::Object(mut body)) => {
                        // `shift_remove` keeps the other keys in the explanation's order.
                        body.shift_remove("decision");
                        Json::Object(body)
                    }
                    Ok(other) => other,
                    Err(why) => json!({ "error": eval_error(p, &why).get(lang) }),
                };
                decisions.insert(decision.name.clone(), body);
            }
            let text = snapshot_text(case.source, case.name, &Json::Object(decisions));
            if let Some(note) = self.write_snapshot(&path, &text, err) {
                self.snapshots.push(note);
            }
        }
        report
    }

    /// Writes (or with `--check` compares) one snapshot; a note when it changes.
    fn write_snapshot(&mut self, path: &Path, text: &str, err: &mut dyn Write) -> Option<SnapshotNote> {
        let old = std::fs::read_to_string(path).ok().map(|t| t.replace("\r\n", "\n"));
        if old.as_deref() == Some(text) {
            return None;
        }
        let shown = files::display(path);
        let state = match (self.args.check, old.is_some()) {
            (true, true) => SnapshotState::WouldUpdate,
            (true, false) => SnapshotState::WouldCreate,
            (false, true) => SnapshotState::Updated,
            (false, false) => SnapshotState::Created,
        };
        if !self.args.check {
            let written = folder(path);
            let folder_made = std::fs::create_dir_all(written).map_err(|e| {
                crate::streams::write_failure(&msg(format!("`{shown}`"), format!("`{shown}`")), &e)
            });
            let replaced = folder_made
                .and_then(|()| crate::replace::replace(path, text.as_bytes()).map_err(|e| e.message()));
            if let Err(message) = replaced {
                self.error(json!({ "file": shown }), message, err);
                return None;
            }
        }
        Some(SnapshotNote { path: shown, state })
    }

    /// The case files of the policy at `path` (see the module comment), in name order.
    /// A folder's mistakes (an orphan or ambiguous case file) are reported once.
    fn case_files(&mut self, path: &Path, err: &mut dyn Write) -> Vec<PathBuf> {
        let dir = folder(path).to_path_buf();
        if !self.folders.contains_key(&dir) {
            let (owned, problems) = scan_folder(&dir);
            for m in problems {
                self.error(json!({ "folder": files::display(&dir) }), m, err);
            }
            self.folders.insert(dir.clone(), owned);
        }
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        self.folders.get(&dir).and_then(|owned| owned.get(&stem)).cloned().unwrap_or_default()
    }

    fn finish(mut self, out: &mut dyn Write) -> u8 {
        let cases = self.reports.iter().flat_map(|r| r.groups.iter().flat_map(|g| &g.cases));
        let (passed, failed) =
            cases.fold((0, 0), |(p, f), c| if c.passed() { (p + 1, f) } else { (p, f + 1) });
        let changed = self
            .snapshots
            .iter()
            .any(|n| matches!(n.state, SnapshotState::WouldCreate | SnapshotState::WouldUpdate));
        if self.code == exit::OK && (failed > 0 || changed) {
            self.code = exit::FAILED;
        }
        match self.format {
            Format::Human => {
                let _ = out.write_all(self.summary_text(passed, failed).as_bytes());
            }
            Format::Json | Format::Yaml => {
                let doc = self.json(passed, failed);
                let text = if self.format == Format::Json {
                    serde_json::to_string_pretty(&doc).unwrap_or_default()
                } else {
                    serde_yaml::to_string(&doc).unwrap_or_default()
                };
                let _ = writeln!(out, "{}", text.trim_end());
            }
        }
        self.code
    }

    /// The language of lines about the whole run: asked for, else that of most policies.
    fn run_lang(&self) -> Lang {
        self.lang.unwrap_or_else(|| {
            let zh = self.reports.iter().filter(|r| r.lang == Lang::Zh).count();
            if zh > 0 && zh * 2 >= self.reports.len() {
                Lang::Zh
            } else {
                Lang::En
            }
        })
    }

    fn summary_text(&self, passed: usize, failed: usize) -> String {
        let zh = self.run_lang() == Lang::Zh;
        let mut s = String::new();
        for n in &self.snapshots {
            let verb = match (n.state, zh) {
                (SnapshotState::Created, false) => "created",
                (SnapshotState::Updated, false) => "updated",
                (SnapshotState::WouldCreate, false) => "would create",
                (SnapshotState::WouldUpdate, false) => "would update",
                (SnapshotState::Obsolete, false) => "obsolete (no case writes it)",
                (SnapshotState::Created, true) => "新建",
                (SnapshotState::Updated, true) => "更新",
                (SnapshotState::WouldCreate, true) => "将新建",
                (SnapshotState::WouldUpdate, true) => "将更新",
                (SnapshotState::Obsolete, true) => "已无案例对应",
            };
            s.push_str(&format!("{verb} {}\n", n.path));
        }
        if !self.snapshots.is_empty() {
            s.push('\n');
        }
        // The English line is read by CI tooling: keep it exactly so, on its own line.
        s.push_str(&format!("{passed} passed, {failed} failed\n"));
        if zh {
            s.push_str(&format!("通过 {passed} 个，失败 {failed} 个\n"));
        }
        if self.reports.is_empty() {
            return s;
        }
        s.push_str(if zh { "\n覆盖率：\n" } else { "\ncoverage:\n" });
        for r in &self.reports {
            s.push_str(&r.coverage_text(zh));
        }
        s
    }

    fn json(&self, passed: usize, failed: usize) -> Json {
        let snapshots: Vec<Json> = self
            .snapshots
            .iter()
            .map(|n| {
                let state = match n.state {
                    SnapshotState::Created => "created",
                    SnapshotState::Updated => "updated",
                    SnapshotState::WouldCreate => "would create",
                    SnapshotState::WouldUpdate => "would update",
                    SnapshotState::Obsolete => "obsolete",
                };
                json!({ "file": n.path, "state": state })
            })
            .collect();
        let mut doc = json!({
            "policies": self.reports.iter().map(PolicyReport::json).collect::<Vec<_>>(),
            "errors": self.errors,
            "summary": { "passed": passed, "failed": failed },
        });
        if self.args.snapshot {
            doc["snapshots"] = Json::Array(snapshots);
        }
        doc
    }
}

fn decision_report(p: &Policy, e: &Expect, actual: &Actual) -> DecisionReport {
    let decision = &p.decisions[e.decision as usize];
    let variants = &p.enums[decision.outcome_enum as usize].variants;
    let rule_names =
        |rules: &[u32]| rules.iter().map(|r| p.rules[*r as usize].name.clone()).collect::<Vec<_>>();
    let verdict = testing::compare(p, e, actual);
    let expected_outcome = match &e.outcomes {
        Outcomes::One(v) => Shown::One(variants[*v as usize].name.clone()),
        Outcomes::Set(vs) => Shown::Set(vs.iter().map(|v| variants[*v as usize].name.clone()).collect()),
    };
    let actual_outcome = if actual.variants.is_empty() {
        Shown::Conflict(actual.conflicts.iter().flat_map(|c| rule_names(c)).collect())
    } else if actual.variants.len() == 1 && matches!(e.outcomes, Outcomes::One(_)) {
        Shown::One(variants[actual.variants[0] as usize].name.clone())
    } else {
        // In variant order, as the expected set is, so that equal sets print alike.
        let mut vs = actual.variants.clone();
        vs.sort_unstable();
        vs.dedup();
        Shown::Set(vs.iter().map(|v| variants[*v as usize].name.clone()).collect())
    };
    let expected_values: Vec<(String, String)> = e
        .variant()
        .map(|v| {
            let fields = &variants[v as usize].fields;
            e.values.iter().map(|(f, text)| (fields[*f as usize].0.clone(), text.clone())).collect()
        })
        .unwrap_or_default();
    // The actual values of the same fields when the outcome is the expected one, else all
    // the values of the outcome that came out.
    let actual_values: Vec<(String, String)> = verdict
        .shown
        .map(|i| {
            let fields = &variants[actual.variants[i] as usize].fields;
            let values = &actual.values[i];
            let all = fields.iter().zip(values).map(|((n, _), v)| (n.clone(), v.clone()));
            if Some(actual.variants[i]) == e.variant() {
                all.filter(|(n, _)| expected_values.iter().any(|(x, _)| x == n)).collect()
            } else {
                all.collect()
            }
        })
        .unwrap_or_default();
    DecisionReport {
        decision: decision.name.clone(),
        verdict,
        expected: Side {
            outcome: expected_outcome,
            values: expected_values,
            fires: e.fires.as_deref().map(rule_names),
        },
        actual: Side {
            outcome: actual_outcome,
            values: actual_values,
            fires: e.fires.as_ref().map(|_| rule_names(&actual.fires)),
        },
    }
}

/// What a case expects, by decision name: the outcome variant (a list of them for a
/// `collect` decision written as a list), the values compared as `qingdan test` compares
/// them, and the rules expected to fire (`null` when the case does not say).
fn expect_json(p: &Policy, expects: &[Expect]) -> Json {
    let decisions = expects.iter().map(|e| {
        let decision = &p.decisions[e.decision as usize];
        let variants = &p.enums[decision.outcome_enum as usize].variants;
        let outcome = match &e.outcomes {
            Outcomes::One(v) => json!(variants[*v as usize].name),
            Outcomes::Set(vs) => json!(vs.iter().map(|v| &variants[*v as usize].name).collect::<Vec<_>>()),
        };
        let values: serde_json::Map<String, Json> = e
            .variant()
            .map(|v| {
                let fields = &variants[v as usize].fields;
                e.values.iter().map(|(f, text)| (fields[*f as usize].0.clone(), json!(text))).collect()
            })
            .unwrap_or_default();
        let fires = e
            .fires
            .as_ref()
            .map(|rules| rules.iter().map(|r| p.rules[*r as usize].name.clone()).collect::<Vec<_>>());
        (decision.name.clone(), json!({ "outcome": outcome, "values": values, "fires": fires }))
    });
    Json::Object(decisions.collect())
}

fn eval_error(p: &Policy, e: &EvalError) -> Msg {
    match e {
        EvalError::DivisionByZero(_) => msg("求值出错：除数为零", "cannot evaluate: division by zero"),
        EvalError::Overflow(_) => msg("求值出错：数值超出范围", "cannot evaluate: number out of range"),
        EvalError::NoRuleApplies(d) => {
            let name = &p.decisions[*d as usize].name;
            msg(
                format!("决定 `{name}` 声明为完备，却没有规则适用"),
                format!("decision `{name}` is declared total but no rule applies"),
            )
        }
    }
}

/// Labels of the text output, in the policy's language.
struct Labels {
    zh: bool,
    pass: &'static str,
    fail: &'static str,
    colon: &'static str,
    conflict: &'static str,
    outcome: &'static str,
    values: &'static str,
    fires: &'static str,
}

impl Labels {
    fn new(lang: Lang) -> Labels {
        if lang == Lang::Zh {
            Labels {
                zh: true,
                pass: "✓ 通过",
                fail: "✗ 失败",
                colon: "：",
                conflict: "冲突，未能决定",
                outcome: "结论",
                values: "字段值",
                fires: "触发",
            }
        } else {
            Labels {
                zh: false,
                pass: "✓",
                fail: "✗",
                colon: ": ",
                conflict: "conflict, not decided:",
                outcome: "outcome",
                values: "values",
                fires: "fires",
            }
        }
    }
}

impl PolicyReport {
    fn text(&self) -> String {
        let l = Labels::new(self.lang);
        let mut s = if l.zh {
            format!("政策 {}（{}）\n", self.name, self.file)
        } else {
            format!("policy {} ({})\n", self.name, self.file)
        };
        if self.groups.is_empty() {
            s.push_str(if l.zh { "  没有测试案例\n" } else { "  no test cases\n" });
        }
        for g in &self.groups {
            let title = match (g.inline, l.zh) {
                (true, true) => "测试块".to_string(),
                (true, false) => "test blocks".to_string(),
                (false, _) => g.source.clone(),
            };
            s.push_str(&format!("  {title}\n"));
            for c in &g.cases {
                s.push_str(&format!("    {} {}\n", if c.passed() { l.pass } else { l.fail }, c.name));
                let at = match c.line {
                    Some(line) => format!("{}:{line}", g.source),
                    None => g.source.clone(),
                };
                for (path, code, message) in &c.problems {
                    let code = code.map(|c| format!("{c} ")).unwrap_or_default();
                    s.push_str(&if l.zh {
                        format!("        {at}：案例 `{}` 的 `{path}`：{code}{message}\n", c.name)
                    } else {
                        format!("        {at}: case `{}`, `{path}`: {code}{message}\n", c.name)
                    });
                }
                for d in c.decisions.iter().filter(|d| !d.verdict.passed()) {
                    s.push_str(&d.diff(&l));
                }
            }
        }
        s.push('\n');
        s
    }

    fn coverage_text(&self, zh: bool) -> String {
        let mut s = String::new();
        let fired = self.rules - self.unfired.len();
        let (sep, colon) = if zh { ("、", "：") } else { (", ", ": ") };
        s.push_str(&match (self.rules, self.unfired.is_empty(), zh) {
            (0, _, true) => format!("  {}：没有规则\n", self.name),
            (0, _, false) => format!("  {}: no rules\n", self.name),
            (_, true, true) => format!("  {}：100% rule coverage（所有规则和例外都被触发）\n", self.name),
            (_, true, false) => format!("  {}: 100% rule coverage\n", self.name),
            (n, false, true) => format!("  {}：{n} 条规则和例外中 {fired} 条被触发\n", self.name),
            (n, false, false) => format!("  {}: {fired} of {n} rules and exceptions fired\n", self.name),
        });
        if !self.unfired.is_empty() {
            let label = if zh { "从未触发" } else { "never fired" };
            s.push_str(&format!("    {label}{colon}{}\n", self.unfired.join(sep)));
        }
        for (decision, variants) in &self.unproduced {
            let label = if zh { "从未得出的结论" } else { "outcomes never produced" };
            s.push_str(&format!("    {label}{colon}{decision} → {}\n", variants.join(sep)));
        }
        s
    }

    fn json(&self) -> Json {
        let cases: Vec<Json> = self
            .groups
            .iter()
            .flat_map(|g| {
                g.cases.iter().map(move |c| {
                    let problems: Vec<Json> = c
                        .problems
                        .iter()
                        .map(
                            |(path, code, message)| json!({ "path": path, "code": code, "message": message }),
                        )
                        .collect();
                    let diff: Vec<Json> = c
                        .decisions
                        .iter()
                        .filter(|d| !d.verdict.passed())
                        .map(|d| {
                            json!({
                                "decision": d.decision,
                                "outcome_ok": d.verdict.outcome_ok,
                                "values_ok": d.verdict.values_ok,
                                "fires_ok": d.verdict.fires_ok,
                                "expected": d.expected.json(),
                                "actual": d.actual.json(),
                            })
                        })
                        .collect();
                    json!({
                        "name": c.name,
                        "source": if g.inline { "test block" } else { "case file" },
                        "file": g.source,
                        "line": c.line,
                        "status": if c.passed() { "passed" } else { "failed" },
                        "problems": problems,
                        "diff": diff,
                        "given": c.given,
                        "expect": c.expect,
                    })
                })
            })
            .collect();
        let unproduced: serde_json::Map<String, Json> =
            self.unproduced.iter().map(|(d, vs)| (d.clone(), json!(vs))).collect();
        json!({
            "policy": self.name,
            "file": self.file,
            "cases": cases,
            "coverage": {
                "rules": self.rules,
                "fired": self.rules - self.unfired.len(),
                "unfired": self.unfired,
                "unproduced": unproduced,
            },
        })
    }
}

impl DecisionReport {
    /// `- expected` / `+ actual` lines for each part that differs.
    fn diff(&self, l: &Labels) -> String {
        let mut s = if l.zh {
            format!("        决定 {}（- 预期，+ 实际）：\n", self.decision)
        } else {
            format!("        decision {} (- expected, + actual):\n", self.decision)
        };
        let mut pair = |label: &str, expected: &str, actual: &str| {
            s.push_str(&format!("        - {label}{}{expected}\n", l.colon));
            s.push_str(&format!("        + {label}{}{actual}\n", l.colon));
        };
        let (e, a) = (&self.expected, &self.actual);
        if !self.verdict.outcome_ok {
            pair(l.outcome, &e.outcome.text(l), &a.outcome.text(l));
        }
        if !self.verdict.values_ok {
            pair(l.values, &values_text(&e.values), &values_text(&a.values));
        }
        if !self.verdict.fires_ok {
            let fires = |f: &Option<Vec<String>>| list(f.iter().flatten().cloned());
            pair(l.fires, &fires(&e.fires), &fires(&a.fires));
        }
        s
    }
}

impl Side {
    fn json(&self) -> Json {
        let values: serde_json::Map<String, Json> =
            self.values.iter().map(|(k, v)| (k.clone(), Json::String(v.clone()))).collect();
        json!({ "outcome": self.outcome.json(), "values": values, "fires": self.fires })
    }
}

fn values_text(values: &[(String, String)]) -> String {
    if values.is_empty() {
        return "{}".into();
    }
    let inner: Vec<String> = values.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{ {} }}", inner.join(", "))
}

fn list(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(", "))
}

/// The folder a file is in (`.` for a bare file name).
fn folder(path: &Path) -> &Path {
    path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Which case files of `dir` belong to which policy (by file stem), and what is wrong
/// with the folder: an `X.cases.yaml` without `X.qd`, or a `cases.yaml` whose main
/// policy cannot be told.
fn scan_folder(dir: &Path) -> (HashMap<String, Vec<PathBuf>>, Vec<Msg>) {
    let mut owned: HashMap<String, Vec<PathBuf>> = HashMap::new();
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return (owned, problems) };
    let mut names: Vec<String> =
        entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let is_file = |name: &str| dir.join(name).is_file();
    let stems: Vec<&str> =
        names.iter().filter(|n| is_file(n)).filter_map(|n| n.strip_suffix(".qd")).collect();
    let mut plain = Vec::new();
    for name in names.iter().filter(|n| is_file(n)) {
        if name == "cases.yaml" || name == "cases.yml" {
            plain.push(name.as_str());
            continue;
        }
        let Some(stem) = name.strip_suffix(".cases.yaml").or_else(|| name.strip_suffix(".cases.yml")) else {
            continue;
        };
        if stems.contains(&stem) {
            owned.entry(stem.to_string()).or_default().push(dir.join(name));
        } else {
            let file = files::display(&dir.join(name));
            problems.push(msg(
                format!("{file}：同一文件夹中没有它所属的政策 `{stem}.qd`"),
                format!("{file}: no policy `{stem}.qd` beside it, which it would belong to"),
            ));
        }
    }
    if !plain.is_empty() {
        let mains: Vec<&str> = stems.iter().copied().filter(|s| !owned.contains_key(*s)).collect();
        match mains.as_slice() {
            [main] => owned.entry(main.to_string()).or_default().extend(plain.iter().map(|n| dir.join(n))),
            _ => {
                let file = files::display(&dir.join(plain[0]));
                let qd: Vec<String> = mains.iter().map(|s| format!("{s}.qd")).collect();
                let (zh, en) = if qd.is_empty() {
                    (
                        "这里每个政策都已有自己的 X.cases.yaml".to_string(),
                        "every policy here has its own X.cases.yaml".to_string(),
                    )
                } else {
                    (format!("可能属于 {}", qd.join("、")), format!("it could belong to {}", qd.join(", ")))
                };
                problems.push(msg(
                    format!("{file}：无法确定所属的主政策（{zh}）；请改名为 X.cases.yaml，X 为它所测试的政策文件名"),
                    format!("{file}: cannot tell which policy it belongs to ({en}); rename it X.cases.yaml after the policy X.qd it tests"),
                ));
            }
        }
    }
    (owned, problems)
}

/// A case file's text, with the same size cap as policy files.
fn read_text(path: &Path) -> Result<String, Msg> {
    let bytes = files::read_capped(path).map_err(|why| msg(why.clone(), why))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(msg(
            format!("文件超过 {} MiB", MAX_FILE_BYTES >> 20),
            format!("larger than {} MiB", MAX_FILE_BYTES >> 20),
        ));
    }
    String::from_utf8(bytes).map_err(|_| msg("不是 UTF-8 文本", "not UTF-8 text"))
}

/// The snapshot files of one policy: where they go, and which names this run has used.
struct SnapshotSet {
    dir: Option<PathBuf>,
    prefix: String,
    used: HashSet<String>,
}

impl SnapshotSet {
    fn new(dir: Option<PathBuf>, policy: &str) -> SnapshotSet {
        SnapshotSet { dir, prefix: format!("{}__", safe_name(policy)), used: HashSet::new() }
    }

    /// `<policy>__<case>.snap`; a second case of the same name (an inline test and a case
    /// file often share one) gets `-2`, and so on, in run order.
    fn path_for(&mut self, case: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let base = format!("{}{}", self.prefix, safe_name(case));
        let mut name = format!("{base}.snap");
        let mut n = 1;
        while !self.used.insert(name.clone()) {
            n += 1;
            name = format!("{base}-{n}.snap");
        }
        Some(dir.join(name))
    }

    /// Files of this policy in the folder that no case of this run wrote.
    fn obsolete(&self, notes: &mut Vec<SnapshotNote>) {
        let Some(dir) = &self.dir else { return };
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut stale: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&self.prefix) && n.ends_with(".snap") && !self.used.contains(n))
            .collect();
        stale.sort();
        notes.extend(
            stale
                .into_iter()
                .map(|n| SnapshotNote { path: files::display(&dir.join(n)), state: SnapshotState::Obsolete }),
        );
    }
}

/// A name that is safe as a file name everywhere: letters (any script), digits, `-`,
/// `_` and inner `.` are kept, anything else becomes `_`; at most 80 characters, so that
/// even all-CJK names stay under the usual 255-byte limit.
fn safe_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .take(80)
        .map(|c| if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '_' })
        .collect();
    if s.starts_with('.') || s.is_empty() {
        s.insert(0, '_');
    }
    s
}

/// An insta snapshot: the `---` header with `source` and `expression`, then a YAML body.
fn snapshot_text(source: &str, case: &str, body: &Json) -> String {
    let header = serde_yaml::to_string(&json!({ "source": source, "expression": case })).unwrap_or_default();
    let body = serde_yaml::to_string(body).unwrap_or_default();
    format!("---\n{header}---\n{body}")
}
