//! The result model's explanations say which version applied (docs/result.md): a let's
//! version and a rule's, and the days of a dated row a rule read or an outcome gives. Every
//! writer gives the same bytes: the interpreter (`eval --format json --explain`), the module
//! through the engine's host (`eval --wasm`) and through the runtime crate alone. The
//! JavaScript and Python hosts are held to the interpreter by playground/test/host.test.mjs
//! and hosts/python/tests/test_conformance.py (the `dated` entry of prepare.sh).

mod common;

use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/result_dates").join(name)
}

fn eval(args: &[&str]) -> String {
    let (code, out, err) = common::run_in_process(args.iter().copied());
    assert_eq!(code, 0, "{err}");
    out
}

/// The module of the fixture, built into `dir`.
fn module(dir: &Path) -> String {
    let module = dir.join("dated.wasm").to_string_lossy().into_owned();
    let policy = fixture("dated.qd").to_string_lossy().into_owned();
    eval(&["build", &policy, "-o", &module]);
    module
}

/// The runtime crate's lines for `cases` (JSON Lines), as an embedding Rust service writes them.
fn runtime(module: &str, cases: &str, explain: bool) -> String {
    let bytes = std::fs::read(module).expect("module");
    let module = qingdan_runtime::Module::load(&bytes).expect("loads");
    let mut inst = module.instantiate().expect("instance");
    let options = qingdan_runtime::LineOptions { explain, ..Default::default() };
    cases
        .lines()
        .enumerate()
        .map(|(i, case)| inst.decide_json(&module, case, i + 1, &options).expect("a line"))
        .collect()
}

#[test]
fn every_writer_names_the_versions_and_row_days_alike() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (policy, cases) = (fixture("dated.qd"), fixture("dated.cases.jsonl"));
    let (policy, cases) = (policy.to_str().expect("path"), cases.to_str().expect("path"));
    let interpreted = eval(&["eval", policy, "-i", cases, "--format", "json", "--explain"]);
    let expected = std::fs::read_to_string(fixture("dated.expected.jsonl")).expect("expected");
    assert_eq!(interpreted, expected, "the interpreter's lines are the reviewed ones");
    let module = module(dir.path());
    let from_module = eval(&["eval", "--wasm", &module, "-i", cases, "--format", "json", "--explain"]);
    assert_eq!(from_module, interpreted, "eval --wasm");
    let text = std::fs::read_to_string(cases).expect("cases");
    assert_eq!(runtime(&module, &text, true), interpreted, "the runtime crate");
    // Without --explain no line says anything of versions (reads exist only with it).
    let brief = eval(&["eval", policy, "-i", cases, "--format", "json"]);
    assert!(!brief.contains("\"version\"") && !brief.contains("\"in_force\""), "{brief}");
    assert_eq!(runtime(&module, &text, false), brief);
}

#[test]
fn the_explanation_says_which_version_applied_on_the_cases_day() {
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(fixture("dated.expected.jsonl"))
        .expect("expected")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let old = serde_json::json!({ "from": null, "until": "2025-12-31" });
    let new = serde_json::json!({ "from": "2026-01-01", "until": null });
    // The day before the change: the old rule and the old limit; the row ending that day.
    let fired = &lines[0]["decisions"]["income"]["fired"][0];
    assert_eq!(fired["version"], old);
    assert_eq!(fired["read"][2], serde_json::json!({ "name": "limit", "value": 1000, "version": old }));
    let listed = &lines[0]["decisions"]["listed"];
    assert_eq!(listed["outcomes"][0]["in_force"], serde_json::json!({ "task": old }));
    assert_eq!(listed["fired"][0]["read"][0]["in_force"], old);
    // The day of the change: the new ones, and the row that begins that day.
    let fired = &lines[1]["decisions"]["income"]["fired"][0];
    assert_eq!(fired["version"], new);
    assert_eq!(fired["read"][2]["version"], new);
    assert_eq!(lines[1]["decisions"]["listed"]["outcomes"][0]["in_force"]["task"], new);
    // A row open at both ends is named by its key alone: the lines are as they were.
    let listed = &lines[2]["decisions"]["listed"];
    assert!(listed["outcomes"][0].get("in_force").is_none(), "{listed}");
    assert_eq!(listed["fired"][0]["read"][0], serde_json::json!({ "name": "found", "value": "FM-07" }));
}

#[test]
fn as_of_names_the_version_in_force_on_that_day() {
    let (policy, cases) = (fixture("dated.qd"), fixture("dated.cases.jsonl"));
    let (policy, cases) = (policy.to_str().expect("path"), cases.to_str().expect("path"));
    let out = eval(&["eval", policy, "-i", cases, "--format", "json", "--explain", "--as-of", "2025-06-01"]);
    let line: serde_json::Value = serde_json::from_str(out.lines().nth(3).expect("case 4")).expect("JSON");
    // Case 4 is dated 2026-06-01, but decided as of 2025-06-01: the old rule and limit apply,
    // and the rule is shown reading the day it was decided on.
    let old = serde_json::json!({ "from": null, "until": "2025-12-31" });
    let fired = &line["decisions"]["income"]["fired"][0];
    assert_eq!(fired["version"], old, "{line}");
    assert_eq!(fired["read"][0], serde_json::json!({ "name": "application.day", "value": "2025-06-01" }));
    assert_eq!(fired["read"][2], serde_json::json!({ "name": "limit", "value": 1000, "version": old }));
    assert_eq!(line["decisions"]["listed"]["outcomes"][0]["in_force"], serde_json::json!({ "task": old }));
    // The module decided as of that day (the day set in the case) names the same versions and days.
    let dir = tempfile::tempdir().expect("temp dir");
    let module = module(dir.path());
    let from_module = eval(&[
        "eval",
        "--wasm",
        &module,
        "-i",
        cases,
        "--format",
        "json",
        "--explain",
        "--as-of",
        "2025-06-01",
    ]);
    assert_eq!(from_module, out, "the module explains a case decided as of a day as the interpreter does");
    assert_eq!(dated_members(&out).len(), 8, "{out}");
}

/// Every `version` and `in_force` member of `lines`, in order, as text.
fn dated_members(lines: &str) -> Vec<String> {
    let mut found = Vec::new();
    for key in ["\"version\":{", "\"in_force\":{"] {
        for (at, _) in lines.match_indices(key) {
            let end = lines[at..].find('}').map_or(lines.len(), |e| at + e + 1);
            found.push(format!("{at:>8} {}", &lines[at..end]));
        }
    }
    found.sort();
    found.into_iter().map(|f| f[9..].to_string()).collect()
}

/// The members the lines carry are those docs/result.schema.json allows where they stand.
#[test]
fn the_schema_allows_every_member_of_the_dated_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("docs/result.schema.json")).expect("schema"))
            .expect("JSON");
    let allowed = |def: &str| -> Vec<String> {
        let props = schema["$defs"][def]["properties"].as_object().unwrap_or_else(|| panic!("$defs/{def}"));
        props.keys().cloned().collect()
    };
    let within = |obj: &serde_json::Value, def: &str| {
        let allowed = allowed(def);
        for key in obj.as_object().expect("an object").keys() {
            assert!(allowed.contains(key), "`{key}` is not a member of $defs/{def}: {obj}");
        }
    };
    let mut seen = 0;
    for line in std::fs::read_to_string(fixture("dated.expected.jsonl")).expect("expected").lines() {
        let line: serde_json::Value = serde_json::from_str(line).expect("JSON");
        for decision in line["decisions"].as_object().expect("decisions").values() {
            for outcome in decision["outcomes"].as_array().expect("outcomes") {
                within(outcome, "outcome");
                for days in
                    outcome.get("in_force").and_then(|d| d.as_object()).into_iter().flat_map(|d| d.values())
                {
                    within(days, "days");
                    seen += 1;
                }
            }
            for rule in decision["fired"].as_array().expect("fired") {
                within(rule, "rule");
                for read in rule["read"].as_array().expect("read") {
                    within(read, "read");
                    for key in ["version", "in_force"] {
                        if let Some(days) = read.get(key) {
                            within(days, "days");
                            seen += 1;
                        }
                    }
                }
                if let Some(days) = rule.get("version") {
                    within(days, "days");
                    seen += 1;
                }
            }
        }
    }
    assert_eq!(seen, 10, "the fixture names versions and days");
}

#[test]
fn the_fixtures_own_cases_pass_with_the_rule_versions_they_expect_to_fire() {
    // `fires: [low]` names the rule; either of its two versions answers to it.
    let policy = fixture("dated.qd");
    let out = eval(&["test", policy.to_str().expect("path")]);
    assert!(out.contains("4 passed, 0 failed"), "{out}");
}
