//! `POST /api/cases`: the cases `qingdan test` would run for the policy being edited — its
//! inline `test` blocks and its case files (`X.cases.yaml`, or the folder's `cases.yaml`),
//! paired and read exactly as the CLI does (`test_cmd/folders.rs`, `engine::testing`) — as
//! JSON the page runs with the compiled module. The page has no YAML reader and must not
//! grow one: here each case's `given` becomes the JSON object the JS host's case reader
//! takes (`case_to_json`), and its expectations names and normalized texts. Nothing is
//! decided here: the page decides every case in the browser and compares as `qingdan test`.

use std::path::Path;

use axum::response::{IntoResponse, Response};
use qingdan_dsl::diag::Msg;
use qingdan_engine::cases::{case_to_json, CaseReader};
use qingdan_engine::testing::{self, Coverage, Expect, FileCase, Problem};
use qingdan_engine::Policy;
use serde_json::{json, Value as Json};

use crate::files;
use crate::test_cmd::expect_json;
use crate::test_cmd::folders::{folder, read_text, scan_folder};

/// The answer for the policy at `file` (inside `root`) as lowered from the page's `text`.
pub fn answer(root: &Path, file: &Path, text: &str, policy: &Policy) -> Response {
    let mut groups = Vec::new();
    let inline = inline_group(&relative(root, file), text, policy);
    if !inline["cases"].as_array().is_some_and(|c| c.is_empty()) {
        groups.push(inline);
    }
    let (owned, folder_problems) = scan_folder(folder(file));
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let reader = CaseReader::new(policy);
    for case_file in owned.get(&stem).into_iter().flatten() {
        groups.push(file_group(root, case_file, &reader, policy));
    }
    let problems: Vec<Json> = folder_problems.iter().map(message).collect();
    axum::Json(json!({
        "policy": policy.name,
        "groups": groups,
        "problems": problems,
        "coverage": coverage_basis(policy),
    }))
    .into_response()
}

/// A bilingual message as the page's other errors carry it.
fn message(m: &Msg) -> Json {
    json!({ "message": m.en, "message_zh": m.zh })
}

/// The policy's inline `test` blocks, as `qingdan test` runs them first.
fn inline_group(file: &str, text: &str, policy: &Policy) -> Json {
    let line_of = |at: u32| text.get(..at as usize).map(|b| b.matches('\n').count() + 1);
    let cases: Vec<Json> = policy
        .tests
        .iter()
        .map(|t| {
            let expects: Vec<Expect> = t.expects.iter().map(Expect::inline).collect();
            let line = (t.span.file.0 == 0).then(|| line_of(t.span.start)).flatten();
            case_json(policy, &t.name, line, Some(&t.case), &expects, &[])
        })
        .collect();
    json!({ "source": file, "inline": true, "error": null, "cases": cases })
}

/// One case file, read as `qingdan test` reads it; a file it cannot read at all is the
/// group's `error` (as the CLI reports it and runs none of its cases).
fn file_group(root: &Path, case_file: &Path, reader: &CaseReader<'_>, policy: &Policy) -> Json {
    let shown = relative(root, case_file);
    let group = |cases: Vec<Json>, error: Json| json!({ "source": shown, "inline": false, "error": error, "cases": cases });
    // The folder was checked to be inside the root; a case file that is a link out of it is not.
    if !inside(root, case_file) {
        let m = qingdan_dsl::diag::msg(
            "案例文件链接到政策文件夹之外，试验台不读取",
            "the case file links outside the policy folder, which the playground does not read",
        );
        return group(Vec::new(), json!({ "line": null, "message": m.en, "message_zh": m.zh }));
    }
    let text = match read_text(case_file) {
        Ok(t) => t,
        Err(m) => return group(Vec::new(), json!({ "line": null, "message": m.en, "message_zh": m.zh })),
    };
    match testing::read_case_file(reader, &text) {
        Ok(cases) => group(cases.iter().map(|c| file_case_json(policy, c)).collect(), Json::Null),
        Err(e) => {
            group(Vec::new(), json!({ "line": e.line, "message": e.message.en, "message_zh": e.message.zh }))
        }
    }
}

/// A file as the page names it: relative to the policy folder, with `/`.
fn relative(root: &Path, file: &Path) -> String {
    file.strip_prefix(root).map_or_else(|_| files::display(file), files::display).replace('\\', "/")
}

fn inside(root: &Path, file: &Path) -> bool {
    match (std::fs::canonicalize(root), std::fs::canonicalize(file)) {
        (Ok(r), Ok(f)) => f.starts_with(r),
        _ => false,
    }
}

fn file_case_json(policy: &Policy, c: &FileCase) -> Json {
    case_json(policy, &c.name, c.line, c.given.as_deref(), &c.expects, &c.problems)
}

/// A case: its inputs (`null` when they could not be read), what it expects of each
/// decision (`expect_json`, as `qingdan test --format json` prints it), and the problems
/// that fail it before it runs.
fn case_json(
    policy: &Policy,
    name: &str,
    line: Option<usize>,
    given: Option<&[qingdan_engine::Value]>,
    expects: &[Expect],
    problems: &[Problem],
) -> Json {
    let problems: Vec<Json> = problems
        .iter()
        .map(|p| {
            json!({ "path": p.path, "code": p.code.map(|c| c.as_str()), "message": p.message.en, "message_zh": p.message.zh })
        })
        .collect();
    json!({
        "name": name,
        "line": line,
        "given": given.map_or(Json::Null, |v| case_to_json(policy, v)),
        "expect": expect_json(policy, expects),
        "problems": problems,
    })
}

/// What coverage is measured against, as `qingdan test` measures it: every rule and
/// exception (with its decision), and per decision the outcomes it can give (some rule's,
/// or its default).
fn coverage_basis(policy: &Policy) -> Json {
    let rules: Vec<Json> = policy
        .rules
        .iter()
        .map(|r| json!({ "name": r.name, "decision": policy.decisions[r.decision as usize].name }))
        .collect();
    // With nothing recorded, every outcome a decision can give is "unproduced".
    let can: serde_json::Map<String, Json> = Coverage::new(policy)
        .unproduced(policy)
        .into_iter()
        .map(|(d, vs)| {
            let decision = &policy.decisions[d as usize];
            let variants = &policy.enums[decision.outcome_enum as usize].variants;
            (decision.name.clone(), json!(vs.iter().map(|v| &variants[*v as usize].name).collect::<Vec<_>>()))
        })
        .collect();
    json!({ "rules": rules, "outcomes": can })
}
