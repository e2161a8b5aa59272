//! Case files against `tests/fixtures/cases/policy.qd` (a policy whose input has a field of
//! every type).
//!
//! - `*.yaml`: the first line says what must happen: `# expect: ok`, or
//!   `# expect: E0302 case 2 at 申请.每月频次; E0303 case 3 at 申请.地址.街道` (exactly
//!   those errors; every other case reads).
//! - `*.jsonl`, `*.json` (no comments in JSON): the file name says it. `valid…` reads
//!   without error; `E0302_case2_….jsonl` raises E0302 at case 2 and nowhere else.
//!
//! The snapshot of each file lists every case: `ok`, or the error in both languages.

use std::io::BufReader;
use std::path::Path;

use proptest::prelude::*;
use qingdan_dsl::{Code, Lang, NoFiles};
use qingdan_engine::cases::{case_to_json, CaseError, CaseReader, CaseResult};
use qingdan_engine::ir::Type;
use qingdan_engine::{Policy, Value};

fn fixture_policy() -> Policy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases/policy.qd");
    let text = std::fs::read(&path).expect("policy.qd");
    let program = qingdan_dsl::check_files(vec![("policy.qd".into(), Ok(text))], &mut NoFiles);
    assert!(program.diagnostics.is_empty(), "policy.qd: {:?}", program.diagnostics);
    qingdan_engine::lower(&program, None).expect("policy.qd lowers")
}

/// Reads a case file by its extension, as the CLI does.
fn read(reader: &CaseReader<'_>, path: &Path) -> Vec<CaseResult> {
    let text = std::fs::read_to_string(path).expect("fixture");
    match path.extension().and_then(|e| e.to_str()) {
        Some("jsonl") => reader.lines(BufReader::new(text.as_bytes())).collect(),
        Some("json") => reader.read_json(&text),
        _ => reader.read_yaml(&text),
    }
}

/// (code, case, path): `path` is `None` where the file cannot say it (JSON).
type Expected = (Code, usize, Option<String>);

fn expectations(path: &Path) -> Vec<Expected> {
    let name = path.file_name().and_then(|n| n.to_str()).expect("file name");
    if name.ends_with(".yaml") {
        let text = std::fs::read_to_string(path).expect("fixture");
        let first = text.lines().next().unwrap_or_default();
        let list = first
            .strip_prefix("# expect:")
            .unwrap_or_else(|| panic!("{name}: first line must be `# expect: …`"));
        if list.trim() == "ok" {
            return Vec::new();
        }
        return list
            .split(';')
            .map(|item| {
                let words: Vec<&str> = item.split_whitespace().collect();
                match words.as_slice() {
                    [code, "case", n, rest @ ..] => {
                        let code = Code::parse(code).unwrap_or_else(|| panic!("{name}: unknown code {code}"));
                        let n = n.parse().unwrap_or_else(|_| panic!("{name}: bad case number {n}"));
                        let at = match rest {
                            ["at", p] => Some(p.to_string()),
                            [] => None,
                            _ => panic!("{name}: expected `at PATH` in `{item}`"),
                        };
                        (code, n, at)
                    }
                    _ => panic!("{name}: cannot read `{item}`"),
                }
            })
            .collect();
    }
    let stem = name.split('.').next().unwrap_or_default();
    if stem.starts_with("valid") {
        return Vec::new();
    }
    let mut parts = stem.split('_');
    let code =
        parts.next().and_then(Code::parse).unwrap_or_else(|| panic!("{name}: name must start with a code"));
    let cases: Vec<usize> = parts.filter_map(|p| p.strip_prefix("case")?.parse().ok()).collect();
    assert!(!cases.is_empty(), "{name}: name must say the case, e.g. `{code}_case2_….jsonl`");
    cases.into_iter().map(|n| (code, n, None)).collect()
}

/// Every case on a line or three: what a reviewer reads in the snapshot diff.
fn render(results: &[CaseResult]) -> String {
    let mut out = String::new();
    for (i, r) in results.iter().enumerate() {
        match r {
            Ok(_) => out.push_str(&format!("case {}  ok\n", i + 1)),
            Err(e) => {
                let line = e.line.map_or(String::new(), |l| format!("  line {l}"));
                let path = if e.path.is_empty() { "(case)" } else { e.path.as_str() };
                out.push_str(&format!("case {}{line}  {}  {path}\n", e.case, e.code));
                out.push_str(&format!("    {}\n    {}\n", e.message.get(Lang::En), e.message.get(Lang::Zh)));
            }
        }
    }
    out
}

#[test]
fn case_fixtures() {
    let policy = fixture_policy();
    let reader = CaseReader::new(&policy);
    insta::glob!("fixtures/cases/*.{yaml,json,jsonl}", |path| {
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        let results = read(&reader, path);
        assert!(!results.is_empty(), "{name}: no cases");
        let errors: Vec<&CaseError> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        for (i, r) in results.iter().enumerate() {
            if let Err(e) = r {
                assert_eq!(e.case, i + 1, "{name}: case numbers count the results");
            }
        }
        let expected = expectations(path);
        for (code, case, at) in &expected {
            let found = errors
                .iter()
                .any(|e| e.code == *code && e.case == *case && at.as_ref().is_none_or(|p| *p == e.path));
            assert!(found, "{name}: expected {code} at case {case} {at:?}, got:\n{}", render(&results));
        }
        for e in &errors {
            let wanted = expected.iter().any(|(code, case, _)| e.code == *code && e.case == *case);
            assert!(wanted, "{name}: unexpected {} at case {}: {}", e.code, e.case, e.message.en);
        }
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(render(&results));
        });
    });
}

/// The codes the case fixtures raise, for tests/fixtures.rs's coverage check.
#[test]
fn every_case_code_has_a_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases");
    let mut covered = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixtures folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "json" || e == "jsonl") {
            covered.extend(expectations(&path).into_iter().map(|(c, _, _)| c));
        }
    }
    let missing: Vec<_> =
        Code::ALL.iter().filter(|c| c.as_str().starts_with("E03") && !covered.contains(c)).collect();
    assert!(missing.is_empty(), "case codes without a fixture: {missing:?}");
}

// ------------------------------------------------------------------ round trip

/// Any value a field of type `ty` may hold.
fn value_of(policy: &Policy, ty: &Type) -> BoxedStrategy<Value> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Int => any::<i64>().prop_map(Value::Int).boxed(),
        Type::Decimal => any::<i64>().prop_map(Value::Dec).boxed(),
        Type::Text => any::<String>().prop_map(|s| Value::text(&s)).boxed(),
        // 0001-01-01 ..= 9999-12-31: the dates `YYYY-MM-DD` can write.
        Type::Date => (-719_162i32..=2_932_896).prop_map(Value::Date).boxed(),
        Type::Enum(e) => (0..policy.enums[*e as usize].variants.len() as u32).prop_map(Value::Enum).boxed(),
        Type::Row(l) => (0..policy.lists[*l as usize].rows.len() as u32).prop_map(Value::Row).boxed(),
        Type::Set(inner) => {
            proptest::collection::vec(value_of(policy, inner), 0..4).prop_map(Value::set).boxed()
        }
        Type::Opt(inner) => prop_oneof![Just(Value::None), value_of(policy, inner)].boxed(),
    }
}

/// The fixture policy, read once for all the property's cases.
fn shared_policy() -> &'static Policy {
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(fixture_policy)
}

/// A well-typed case: one value per slot.
fn any_case() -> Vec<BoxedStrategy<Value>> {
    let policy = shared_policy();
    policy.slots.iter().map(|s| value_of(policy, &s.ty)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `case_to_json` is the inverse of reading, through JSON Lines and through YAML.
    #[test]
    fn cases_round_trip(case in any_case()) {
        let policy = shared_policy();
        let reader = CaseReader::new(policy);
        let json = case_to_json(policy, &case);
        prop_assert_eq!(reader.json_line(&json.to_string(), 1), Ok(case.clone()), "{}", json);
        let yaml = serde_yaml::to_string(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(reader.read_yaml(&yaml), vec![Ok(case)], "{}", yaml);
    }
}
