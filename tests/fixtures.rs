//! Fixture-folder tests for the language front end.
//!
//! - `tests/fixtures/check/errors/*.qd`: each file's first line says which codes it must
//!   raise (`// expect: E0101, W0002`); the snapshot shows the source and the rendered
//!   diagnostics as a drafter sees them.
//! - `tests/fixtures/check/valid/*.qd`: must check with no diagnostic at all; the snapshot
//!   is the formatted file, which must also be a fixed point of the formatter.
//! - Case codes (E03xx) have case-file fixtures in `tests/fixtures/cases/`, run by
//!   tests/cases.rs; the coverage check below counts them too.

use std::path::Path;

use qingdan_dsl::Code;

mod common;

fn qingdan(args: &[&str]) -> (u8, String, String) {
    common::run_in_process(args.iter().copied())
}

fn expected_codes(source: &str) -> Vec<Code> {
    let first = source.lines().next().unwrap_or_default();
    let list = first.split_once("expect:").map_or("", |(_, l)| l);
    list.split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(|c| Code::parse(c).unwrap_or_else(|| panic!("unknown code {c}")))
        .collect()
}

fn codes_raised(path: &Path) -> Vec<String> {
    let (_, out, _) = qingdan(&["check", "--format", "json", path.to_str().expect("utf-8 path")]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("json output");
    json["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn error_fixtures() {
    insta::glob!("fixtures/check/errors/*.qd", |path| {
        let source = std::fs::read_to_string(path).expect("fixture");
        let expected = expected_codes(&source);
        assert!(!expected.is_empty(), "{}: first line must be `// expect: CODE…`", path.display());
        let raised = codes_raised(path);
        for code in &expected {
            assert!(
                raised.iter().any(|r| r == code.as_str()),
                "{}: expected {code}, got {raised:?}",
                path.display()
            );
        }
        let name = path.file_name().and_then(|n| n.to_str()).expect("name");
        // A path relative to the package (where cargo runs tests), so that the rendering,
        // whose help text is wrapped, is the same wherever the repository is checked out.
        let dir = "tests/fixtures/check/errors";
        let (exit, stdout, stderr) = qingdan(&["check", "--color", "never", &format!("{dir}/{name}")]);
        let rendered = stderr.replace(dir, "fixtures");
        // Control characters (the binary-file fixture) are shown, not embedded.
        let snapshot = format!("{source}\n──── exit {exit}: {stdout}{rendered}").replace('\0', "␀");
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(snapshot);
        });
    });
}

/// Valid fixtures are valid language: no error and no warning of the front end. The
/// analyser's findings about what their rules do (W04xx) are real findings about these
/// small examples; tests/analyse.rs lists them in a snapshot.
#[test]
fn valid_fixtures() {
    insta::glob!("fixtures/check/valid/*.qd", |path| {
        let source = std::fs::read_to_string(path).expect("fixture");
        let raised: Vec<String> = codes_raised(path).into_iter().filter(|c| !c.starts_with("W04")).collect();
        assert!(raised.is_empty(), "{}: expected no diagnostics, got {raised:?}", path.display());
        let formatted = qingdan_dsl::fmt::format_text(&source).expect("formats");
        let again = qingdan_dsl::fmt::format_text(&formatted).expect("formats twice");
        assert_eq!(formatted, again, "{}: formatting is not idempotent", path.display());
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(formatted);
        });
    });
}

/// The codes a case fixture (`tests/fixtures/cases/`, run by tests/cases.rs) expects: from
/// its first line (`# expect: E0302 case 2 at 申请.每月频次; …`) for YAML, from its name
/// (`E0302_case2_wrong_type.jsonl`) for JSON, which has no comments.
fn case_fixture_codes(path: &Path) -> Vec<Code> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let text = match path.extension().and_then(|e| e.to_str()) {
        Some("yaml") => {
            std::fs::read_to_string(path).expect("fixture").lines().next().unwrap_or_default().to_string()
        }
        Some("json" | "jsonl") => name.split('_').next().unwrap_or_default().to_string(),
        _ => return Vec::new(),
    };
    text.split([' ', ';']).filter(|w| w.starts_with('E')).filter_map(Code::parse).collect()
}

/// Every code has an explanation and at least one fixture that raises it.
#[test]
fn every_code_is_documented_and_exercised() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/errors");
    let mut covered = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixtures folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "qd") {
            covered.extend(expected_codes(&std::fs::read_to_string(&path).expect("fixture")));
        }
    }
    // Case codes (E03xx) are raised by case files read against a policy, not by `check`.
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases");
    for entry in std::fs::read_dir(&cases).expect("case fixtures folder") {
        covered.extend(case_fixture_codes(&entry.expect("entry").path()));
    }
    // WASM codes (E05xx) are raised by modules and hosts: tests/wasm.rs and (for the seal
    // and signatures) tests/integrity.rs assert each one; evaluation codes (E06xx) are
    // raised by cases of the conformance corpus, which tests/conformance.rs asserts.
    let wasm = ["tests/wasm.rs", "tests/integrity.rs", "tests/conformance.rs"]
        .map(|f| std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(f)).expect("wasm tests"))
        .join("\n");
    covered.extend(Code::ALL.iter().filter(|c| wasm.contains(&format!("Code::{}", c.as_str()))).copied());
    covered.extend(
        Code::ALL.iter().filter(|c| wasm.contains(&format!("contains(\"{}\")", c.as_str()))).copied(),
    );
    let undocumented: Vec<_> = Code::ALL.iter().filter(|c| c.explanation().is_none()).collect();
    assert!(undocumented.is_empty(), "codes without a section in docs/diagnostics.md: {undocumented:?}");
    // Not fixtures: E0006 needs a file over 8 MiB and E0009 a file that cannot be read, so
    // tests/cli.rs makes them on the fly. E0118 (two policies with one name) needs two files
    // checked together, while a fixture is checked alone and the files it `use`s are found
    // by name (never two of one name); tests/docs.rs raises it from its two-file example.
    // E0011 is about writing output, not about a policy: tests/cli.rs writes to /dev/full.
    // E0701, E0702, W0701 and W0702 are about Word templates, not policies: tests/notice.rs
    // raises each of them.
    let exempt = [
        Code::E0006,
        Code::E0009,
        Code::E0011,
        Code::E0118,
        Code::E0701,
        Code::E0702,
        Code::W0701,
        Code::W0702,
        // The decision service's HTTP errors: tests/serve.rs raises E0901-E0907 over HTTP
        // (E0905 with a log that refuses writes); E0908 (deciding panicked) is worded in
        // src/serve/errors.rs and reached by no input.
        Code::E0901,
        Code::E0902,
        Code::E0903,
        Code::E0904,
        Code::E0905,
        Code::E0906,
        Code::E0907,
        Code::E0908,
    ];
    let untested: Vec<_> = Code::ALL.iter().filter(|c| !covered.contains(c) && !exempt.contains(c)).collect();
    assert!(untested.is_empty(), "codes without an error fixture: {untested:?}");
}
