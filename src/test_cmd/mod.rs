//! `qingdan test`: runs each policy's inline `test` blocks and the case files beside it,
//! prints one line per case with a diff for each failure, a summary line CI reads, and the
//! rules and outcomes no case reached. With `--snapshot` it also writes each case's
//! explanation as an insta-compatible file, so that a reviewer sees in a diff how a change
//! to the policy changes its decisions.
//!
//! Which case files belong to which policy: `X.cases.yaml` to `X.qd` beside it, and a
//! plain `cases.yaml` to the folder's main policy, the one `.qd` without an `X.cases.yaml`
//! of its own. The reading and comparing is `qingdan_engine::testing`; this module runs
//! the cases, `folders` finds the case files, `report` prints what was found and
//! `snapshots` writes the snapshot files.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use qingdan_dsl::diag::{msg, Msg};
use qingdan_dsl::Lang;
use qingdan_engine::cases::{case_to_json, CaseReader};
use qingdan_engine::eval::{explain, DecisionResult, EvalError, Evaluator, Frame};
use qingdan_engine::ir::DecisionId;
use qingdan_engine::testing::{self, Actual, Coverage, Expect, Outcomes, Problem};
use qingdan_engine::{Policy, Value};
use serde_json::{json, Value as Json};

use crate::cli::Format;
use crate::commands::{load_policy_at, Output};
use crate::i18n::messages;
use crate::{exit, files};

pub(crate) mod folders;
mod report;
mod review;
mod snapshots;

use folders::{folder, read_text, scan_folder};
use report::{CaseReport, DecisionReport, Group, PolicyReport, Shown, Side};
use snapshots::{body_of, pending_path, snapshot_text, SnapshotNote, SnapshotOf, SnapshotSet, SnapshotState};

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Policy files (`.qd`) or folders, searched recursively.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Also write one snapshot file per case: every decision explained (insta format); a
    /// changed one is written beside the old as `X.snap.new`, pending review (exit 1).
    #[arg(long, conflicts_with = "review")]
    pub snapshot: bool,
    /// Where snapshots go (default: `snapshots/` in each policy's folder).
    #[arg(long, value_name = "DIR")]
    pub snapshot_dir: Option<PathBuf>,
    /// With --snapshot: write nothing, list the snapshot files that would change (exit 1).
    #[arg(long, requires = "snapshot", conflicts_with = "accept")]
    pub check: bool,
    /// Review the pending snapshots (`X.snap.new`): show each diff, ask accept, reject or
    /// skip (as `cargo insta review`).
    #[arg(long)]
    pub review: bool,
    /// With --review: accept every pending snapshot without asking. With --snapshot:
    /// write changed snapshots in place instead of pending.
    #[arg(long, conflicts_with = "reject")]
    pub accept: bool,
    /// With --review: reject (remove) every pending snapshot without asking.
    #[arg(long, requires = "review")]
    pub reject: bool,
    /// With --snapshot: remove the snapshot files whose case is gone (else only reported).
    #[arg(long, requires = "snapshot")]
    pub prune_snapshots: bool,
    /// Decide every case under the versions and list rows in force on this day
    /// (`YYYY-MM-DD`) instead of the date its case field gives: which expectations a
    /// revision in force that day would break.
    #[arg(long, value_name = "DATE", value_parser = crate::cli::parse_date)]
    pub as_of: Option<qingdan_dsl::value::Date>,
}

pub(crate) fn run(
    args: &TestArgs,
    opts: &Output,
    format: Format,
    lang: Option<Lang>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    if (args.accept || args.snapshot_dir.is_some()) && !args.snapshot && !args.review {
        let lang = lang.unwrap_or(Lang::En);
        let _ = writeln!(err, "qingdan: {}", crate::i18n::messages::review_flags_misused(lang));
        return exit::USAGE;
    }
    if args.review {
        return review::run(args, lang, out, err);
    }
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
        let policy = match load_policy_at(path, None, self.args.as_of, opts, &mut captured, err) {
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
        let mut snap = SnapshotSet::new(snapshot_dir(self.args, path), &policy.name);
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
            snap.obsolete(self.args.prune_snapshots, &mut self.snapshots);
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
            let of = SnapshotOf { source: case.source, policy: &p.name, case: case.name, lang };
            let text = snapshot_text(&of, &Json::Object(decisions));
            if let Some(note) = self.write_snapshot(&path, &text, err) {
                self.snapshots.push(note);
            }
        }
        report
    }

    /// Writes (or with `--check` compares) one snapshot; a note when it changes. A new
    /// snapshot is written at once, a changed one as the pending `X.snap.new` (in place
    /// with `--accept`); a pending file the case no longer differs from is removed.
    fn write_snapshot(&mut self, path: &Path, text: &str, err: &mut dyn Write) -> Option<SnapshotNote> {
        let old = std::fs::read_to_string(path).ok().map(|t| t.replace("\r\n", "\n"));
        let pending = pending_path(path);
        if old.as_deref().map(body_of) == Some(body_of(text)) {
            if !self.args.check {
                let _ = std::fs::remove_file(&pending);
            }
            return None;
        }
        let (state, target) = match (self.args.check, old.is_some(), self.args.accept) {
            (true, true, _) => (SnapshotState::WouldUpdate, None),
            (true, false, _) => (SnapshotState::WouldCreate, None),
            (false, false, _) => (SnapshotState::Created, Some(path.to_path_buf())),
            (false, true, true) => (SnapshotState::Updated, Some(path.to_path_buf())),
            (false, true, false) => (SnapshotState::Pending, Some(pending.clone())),
        };
        let Some(target) = target else {
            return Some(SnapshotNote { path: files::display(path), state });
        };
        let shown = files::display(&target);
        let folder_made = std::fs::create_dir_all(folder(&target))
            .map_err(|e| crate::streams::write_failure(&msg(format!("`{shown}`"), format!("`{shown}`")), &e));
        let replaced = folder_made
            .and_then(|()| crate::replace::replace(&target, text.as_bytes()).map_err(|e| e.message()));
        if let Err(message) = replaced {
            self.error(json!({ "file": shown }), message, err);
            return None;
        }
        if target == path {
            let _ = std::fs::remove_file(&pending);
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
        let changed = self.snapshots.iter().any(|n| {
            matches!(
                n.state,
                SnapshotState::WouldCreate | SnapshotState::WouldUpdate | SnapshotState::Pending
            )
        });
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
        let mut s = String::new();
        let lang = self.run_lang();
        for n in &self.snapshots {
            s.push_str(&format!("{} {}\n", messages::snapshot_state(lang, n.state.name()), n.path));
        }
        let pending = self.snapshots.iter().filter(|n| n.state == SnapshotState::Pending).count();
        if pending > 0 {
            s.push_str(&format!("{}\n", messages::review_hint(lang, pending)));
        }
        if !self.snapshots.is_empty() {
            s.push('\n');
        }
        s.push_str(&messages::test_summary(lang, passed, failed));
        if self.reports.is_empty() {
            return s;
        }
        s.push_str(&format!("\n{}\n", messages::coverage_heading(lang)));
        for r in &self.reports {
            s.push_str(&r.coverage_text(lang));
        }
        s
    }

    fn json(&self, passed: usize, failed: usize) -> Json {
        let snapshots: Vec<Json> =
            self.snapshots.iter().map(|n| json!({ "file": n.path, "state": n.state.name() })).collect();
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
pub(crate) fn expect_json(p: &Policy, expects: &[Expect]) -> Json {
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

/// Where a policy's snapshots are (with `--snapshot` or `--review`): `--snapshot-dir`,
/// else `snapshots/` in the policy's folder.
fn snapshot_dir(args: &TestArgs, policy: &Path) -> Option<PathBuf> {
    if !args.snapshot && !args.review {
        return None;
    }
    Some(args.snapshot_dir.clone().unwrap_or_else(|| folder(policy).join("snapshots")))
}
