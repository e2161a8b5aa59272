//! "Record as test case": the case in the playground's form, with the outcome the saved
//! policy now gives it, appended to the policy's case file as a `case`/`given`/`expect`
//! entry, so that `qingdan test` keeps it from then on.
//!
//! The policy is read from disk (the page saves it first), checked and lowered as
//! `qingdan test` does; the case is read by the case reader and decided by the interpreter;
//! each decision's outcome and values become the expectation. The entry is appended to
//! the file's text as it is (comments, order and layout untouched; its byte order mark and
//! line endings kept), under a name no other case of the file has. Before anything is
//! written, the new text is read back as a case file and the new case run against the
//! policy: the entry is written only if it passes, so the case file never gets an entry
//! that `qingdan test` would fail.

use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qingdan_engine::cases::{case_to_json, CaseReader};
use qingdan_engine::eval::Evaluator;
use qingdan_engine::ir::Combining;
use qingdan_engine::testing::{self, Expect};
use qingdan_engine::{Policy, Value};
use serde::Deserialize;
use serde_json::{json, Map, Value as Json};

use crate::playground_cmd::error;
use crate::playground_files::{decode, encode, version_of, Files};

#[derive(Deserialize)]
pub struct RecordRequest {
    /// The policy (`.qd`), relative to the policy folder.
    path: String,
    /// The name the drafter gave the case (made unique in its file).
    name: String,
    /// The case, shaped as a case file's `given`.
    given: Json,
}

/// Answers with the case file, the case's name and what it expects, or why not.
pub fn record(files: &Files, request: RecordRequest) -> Response {
    match recorded(files, &request) {
        Ok(answer) => axum::Json(answer).into_response(),
        Err(refused) => refused,
    }
}

fn recorded(files: &Files, request: &RecordRequest) -> Result<Json, Response> {
    let rel = request.path.as_str();
    if !rel.ends_with(".qd") {
        return Err(unprocessable(
            "not-a-policy",
            "a case is recorded for a policy (.qd)",
            "案例须记录到政策（.qd）",
        ));
    }
    let policy_file = files.resolve(rel)?.path;
    let policy = load(files, &policy_file)?;
    let values = read_given(&policy, &request.given)?;
    let expect = expectations(&policy, &values)?;
    let case_file = case_file_for(&policy_file);
    let case_rel = sibling(rel, &case_file);
    let target = files.resolve(&case_rel)?;
    let _one_at_a_time = files.lock();
    let old = match std::fs::read(&target.path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(write_failed(&case_rel, &e.to_string())),
    };
    let Some((old_text, identity)) = decode(&old) else {
        return Err(unprocessable("not-text", "the case file is not UTF-8 text", "案例文件不是 UTF-8 文本"));
    };
    let reader = CaseReader::new(&policy);
    let existing = testing::read_case_file(&reader, &old_text).map_err(|e| {
        let line = e.line.map(|l| format!(" (line {l})")).unwrap_or_default();
        unprocessable(
            "case-file-unreadable",
            &format!("`{case_rel}` cannot be read as a case file{line}: {}", e.message.en),
            &format!("`{case_rel}` 无法作为案例文件读取{line}：{}", e.message.zh),
        )
    })?;
    let taken: Vec<&str> = existing.iter().map(|c| c.name.as_str()).collect();
    let name = unique_name(&request.name, &taken);
    let entry = entry_text(&name, &without_nulls(case_to_json(&policy, &values)), &expect)?;
    let new_text = appended(&old_text, &entry);
    passes(&policy, &reader, &new_text, &name)?;
    let bytes = encode(&new_text, identity);
    crate::replace::replace(&target.path, &bytes).map_err(|e| write_failed(&case_rel, &e.message().en))?;
    Ok(json!({ "file": case_rel, "name": name, "expect": expect, "version": version_of(&bytes) }))
}

fn unprocessable(code: &str, en: &str, zh: &str) -> Response {
    error(StatusCode::UNPROCESSABLE_ENTITY, code, en, zh)
}

fn write_failed(rel: &str, why: &str) -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "write-failed",
        &format!("`{rel}`: {why}"),
        &format!("`{rel}`：{why}"),
    )
}

/// The policy as saved, checked and lowered (reading only inside the policy folder).
fn load(files: &Files, file: &Path) -> Result<Policy, Response> {
    let mut loader = crate::loader::FsLoader::within(files.root_or_here());
    let program = qingdan_dsl::program::check_files(crate::files::inputs(&[file.to_path_buf()]), &mut loader);
    if program.has_errors() {
        return Err(unprocessable(
            "policy-has-errors",
            "the saved policy has errors: fix and save it before recording a case",
            "已保存的政策有错误：请先改正并保存，再记录案例",
        ));
    }
    qingdan_engine::lower(&program, None).map_err(|e| unprocessable("lowering", &e.message, &e.message))
}

/// The form's case read as `qingdan eval` reads a JSON case.
fn read_given(policy: &Policy, given: &Json) -> Result<Vec<Value>, Response> {
    let text = serde_json::to_string(given).unwrap_or_default();
    match CaseReader::new(policy).read_json(&text).pop() {
        Some(Ok(values)) => Ok(values),
        Some(Err(e)) => Err(unprocessable(
            e.code.as_str(),
            &format!("{} {}", e.path, e.message.en),
            &format!("{} {}", e.path, e.message.zh),
        )),
        None => Err(unprocessable("case-error", "no case", "没有案例")),
    }
}

/// Each decision's outcome (and values) for the case, as a case file writes it. A
/// decision in conflict, without an outcome or failing is left out; none left is an error.
fn expectations(policy: &Policy, values: &[Value]) -> Result<Map<String, Json>, Response> {
    let ev = Evaluator::new(policy);
    let mut frame = ev.frame(values);
    let mut expect = Map::new();
    for (d, decision) in policy.decisions.iter().enumerate() {
        let Ok(result) = ev.decide(d as u32, &mut frame) else { continue };
        let actual = testing::observe(policy, &result);
        if actual.variants.is_empty() || !actual.conflicts.is_empty() {
            continue;
        }
        let variants = &policy.enums[decision.outcome_enum as usize].variants;
        let name = |v: u32| Json::String(variants[v as usize].name.clone());
        let mut one = Map::new();
        if decision.combining == Combining::Collect {
            let mut names: Vec<u32> = actual.variants.clone();
            names.sort_unstable();
            names.dedup();
            one.insert("outcome".into(), Json::Array(names.into_iter().map(name).collect()));
        } else {
            let v = actual.variants[0];
            one.insert("outcome".into(), name(v));
            let fields = &variants[v as usize].fields;
            if !fields.is_empty() {
                let shown = fields.iter().zip(&actual.values[0]).map(|((f, _), s)| (f.clone(), json!(s)));
                one.insert("values".into(), Json::Object(shown.collect()));
            }
        }
        expect.insert(decision.name.clone(), Json::Object(one));
    }
    if expect.is_empty() {
        return Err(unprocessable(
            "case-undecided",
            "no decision gives this case one clear outcome (conflicts or errors): nothing to expect",
            "没有一个决定对此案例给出明确结论（冲突或出错）：无可预期",
        ));
    }
    Ok(expect)
}

/// The case file the policy's cases go to, as `qingdan test` pairs them: its own
/// `X.cases.yaml`, else the folder's `cases.yaml` when that is the policy's, else a new
/// `X.cases.yaml`.
fn case_file_for(policy_file: &Path) -> PathBuf {
    let folder = crate::test_cmd::folders::folder(policy_file);
    let stem = policy_file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let (owned, _) = crate::test_cmd::folders::scan_folder(folder);
    let mine = owned.get(&stem).cloned().unwrap_or_default();
    let own =
        |p: &PathBuf| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&format!("{stem}.")));
    mine.iter()
        .find(|p| own(p))
        .or(mine.first())
        .cloned()
        .unwrap_or_else(|| folder.join(format!("{stem}.cases.yaml")))
}

/// `file`'s path relative to the policy folder, beside the policy `rel`.
fn sibling(rel: &str, file: &Path) -> String {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match rel.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{name}"),
        None => name,
    }
}

/// `wanted` (or "试验台案例"), with " 2", " 3", … added while a case already has it.
fn unique_name(wanted: &str, taken: &[&str]) -> String {
    let wanted = wanted.trim();
    let base = if wanted.is_empty() { "试验台案例" } else { wanted };
    let mut name = base.to_string();
    let mut n = 2;
    while taken.contains(&name.as_str()) {
        name = format!("{base} {n}");
        n += 1;
    }
    name
}

/// The case without its absent fields (an absent optional field is left out, as a
/// drafter writes a case).
fn without_nulls(value: Json) -> Json {
    match value {
        Json::Object(fields) => Json::Object(
            fields.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect(),
        ),
        other => other,
    }
}

/// The entry as YAML: a one-item block list at the left margin.
fn entry_text(name: &str, given: &Json, expect: &Map<String, Json>) -> Result<String, Response> {
    let entry = json!([{ "case": name, "given": given, "expect": expect }]);
    serde_yaml::to_string(&entry).map_err(|e| unprocessable("case-error", &e.to_string(), &e.to_string()))
}

/// The old text with the entry after it, on a line of its own, after a blank line.
fn appended(old: &str, entry: &str) -> String {
    let mut text = old.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if !text.trim().is_empty() {
        text.push('\n');
    }
    text.push_str("# 在试验台中记录 / recorded in the playground\n");
    text.push_str(entry);
    text
}

/// The new text, read as a case file, has the case `name`, and it passes.
fn passes(policy: &Policy, reader: &CaseReader<'_>, text: &str, name: &str) -> Result<(), Response> {
    let refuse = |why: &str| {
        unprocessable(
            "record-would-fail",
            &format!("the recorded case would not pass `qingdan test` ({why}); nothing was written"),
            &format!("记录的案例不能通过 `qingdan test`（{why}）；未写入任何内容"),
        )
    };
    let cases = testing::read_case_file(reader, text).map_err(|e| refuse(&e.message.en))?;
    let case = cases.iter().rfind(|c| c.name == name).ok_or_else(|| refuse("the case is not read back"))?;
    if let Some(p) = case.problems.first() {
        return Err(refuse(&format!("{}: {}", p.path, p.message.en)));
    }
    let values = case.given.as_deref().ok_or_else(|| refuse("no given"))?;
    let ev = Evaluator::new(policy);
    let mut frame = ev.frame(values);
    for e in &case.expects {
        let failed = |e: &Expect| policy.decisions[e.decision as usize].name.clone();
        let result = ev.decide(e.decision, &mut frame).map_err(|_| refuse(&failed(e)))?;
        if !testing::compare(policy, e, &testing::observe(policy, &result)).passed() {
            return Err(refuse(&failed(e)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_unique_and_entries_start_on_a_line_of_their_own() {
        assert_eq!(unique_name("甲", &["甲", "甲 2"]), "甲 3");
        assert_eq!(unique_name(" ", &[]), "试验台案例");
        assert_eq!(
            appended("- case: a", "- case: b\n"),
            "- case: a\n\n# 在试验台中记录 / recorded in the playground\n- case: b\n"
        );
        assert_eq!(appended("", "- case: b\n"), "# 在试验台中记录 / recorded in the playground\n- case: b\n");
        assert_eq!(sibling("x/y.qd", Path::new("/a/x/cases.yaml")), "x/cases.yaml");
        assert_eq!(sibling("y.qd", Path::new("cases.yaml")), "cases.yaml");
    }
}
