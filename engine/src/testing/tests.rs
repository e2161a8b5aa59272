//! Unit tests of case files and verdicts; `qingdan test` end to end is in tests/test_cmd.rs.

use qingdan_dsl::Lang;

use super::*;
use crate::eval::Evaluator;

const POLICY: &str = r#"policy t
source s "a source" { clause one "first clause" }
enum verdict { admit, temporary { until: date }, returned { fixes: set of text }, refuse }
enum note { review, simple }
enum mode { peace, wartime }
input app { minutes: int, mode: mode, funded: bool, budget: decimal, filed: date }

rule too_much cite s.one {
  when app.minutes > 600
  then refuse "too much"
  unless app.mode == wartime
}
rule unfunded cite s.one {
  when not app.funded
  then returned { fixes: ["fund it", "say how"] } "money must follow the task"
}
exception wartime_funding to unfunded cite s.one {
  when app.mode == wartime
}
rule wartime_temporary cite s.one {
  when app.mode == wartime
  then temporary { until: app.filed + 30 } "temporary in wartime"
}
decision admission: verdict by priority refuse > returned > temporary > admit default admit "fine"

rule costly for notes cite s.one {
  when app.budget > 1000.00
  then review "costly"
}
rule rare for notes cite s.one {
  when app.minutes <= 30
  then simple "rare"
}
decision notes: note by collect default simple "nothing"
"#;

fn policy() -> Policy {
    let files = vec![("t.qd".to_string(), Ok(POLICY.as_bytes().to_vec()))];
    let program = qingdan_dsl::check_files(files, &mut qingdan_dsl::NoFiles);
    let codes: Vec<_> = program.diagnostics.iter().map(|d| (d.code, d.message.en.clone())).collect();
    assert!(codes.is_empty(), "test policy has diagnostics: {codes:?}");
    crate::lower(&program, None).expect("lowers")
}

const GIVEN: &str = "{ minutes: 20, mode: wartime, funded: false, budget: 1200.50, filed: 2024-07-01 }";

fn read(p: &Policy, text: &str) -> Vec<FileCase> {
    read_case_file(&CaseReader::new(p), text).expect("a list of cases")
}

fn problems(case: &FileCase) -> Vec<(String, String)> {
    case.problems.iter().map(|p| (p.path.clone(), p.message.get(Lang::En).to_string())).collect()
}

/// Every expectation of the case, as (decision passed, verdict); the actuals go to `cov`.
fn run(p: &Policy, case: &FileCase, cov: &mut Coverage) -> Vec<Verdict> {
    let ev = Evaluator::new(p);
    let values = case.given.as_ref().expect("given was read");
    let mut f = ev.frame(values);
    case.expects
        .iter()
        .map(|e| {
            let result = ev.decide(e.decision, &mut f).expect("decides");
            let actual = observe(p, &result);
            cov.record(e.decision, &actual);
            compare(p, e, &actual)
        })
        .collect()
}

#[test]
fn short_and_long_forms_pass_with_normalized_values_and_cancelling_exceptions_fired() {
    let p = policy();
    let cases = read(
        &p,
        &format!(
            "# a comment
- case: wartime
  given: {GIVEN}
  expect:
    admission: {{ outcome: temporary, values: {{ until: 2024-07-31 }}, fires: [wartime_funding, wartime_temporary] }}
    notes: [simple, review]
- case: peace
  given: {{ minutes: 700, mode: peace, funded: false, budget: 1000.00, filed: 2024-07-01 }}
  expect:
    admission: refuse
    notes: {{ outcome: simple, fires: [] }}
"
        ),
    );
    assert_eq!(cases.len(), 2);
    assert_eq!((cases[0].name.as_str(), cases[0].line), ("wartime", Some(2)));
    assert_eq!(cases[1].line, Some(7));
    let mut cov = Coverage::new(&p);
    for case in &cases {
        assert_eq!(problems(case), vec![]);
        for v in run(&p, case, &mut cov) {
            assert!(v.passed(), "{}: {v:?}", case.name);
        }
    }
    let names =
        |rules: Vec<RuleId>| rules.iter().map(|r| p.rules[*r as usize].name.clone()).collect::<Vec<_>>();
    // `unfunded` was cancelled in `wartime` but fired in `peace`, where it lost to
    // `refuse`: priority keeps every rule that fired.
    assert_eq!(names(cov.unfired()), Vec::<String>::new());
    let unproduced: Vec<(String, Vec<String>)> = cov
        .unproduced(&p)
        .into_iter()
        .map(|(d, vs)| {
            let e = &p.enums[p.decisions[d as usize].outcome_enum as usize];
            (
                p.decisions[d as usize].name.clone(),
                vs.iter().map(|v| e.variants[*v as usize].name.clone()).collect(),
            )
        })
        .collect();
    // `returned` and `admit` never came out; `refuse` did.
    assert_eq!(
        unproduced,
        vec![("admission".to_string(), vec!["admit".to_string(), "returned".to_string()])]
    );
}

#[test]
fn mismatches_are_reported_part_by_part() {
    let p = policy();
    let cases = read(
        &p,
        &format!(
            "- case: wrong
  given: {GIVEN}
  expect:
    admission: {{ outcome: temporary, values: {{ until: 2024-08-01 }}, fires: [wartime_temporary] }}
    notes: review
"
        ),
    );
    let verdicts = run(&p, &cases[0], &mut Coverage::new(&p));
    assert_eq!(
        verdicts[0],
        Verdict { outcome_ok: true, values_ok: false, fires_ok: false, shown: Some(0) },
        "the value and the cancelling exception differ"
    );
    assert!(!verdicts[1].outcome_ok, "collect gave two outcomes, not one");
}

#[test]
fn values_compare_numbers_and_sets_as_shown() {
    let p = policy();
    let cases = read(
        &p,
        "- case: unfunded
  given: { minutes: 20, mode: peace, funded: false, budget: 5.0, filed: 2024-07-01 }
  expect:
    admission: { outcome: returned, values: { fixes: [say how, fund it] } }
",
    );
    assert_eq!(problems(&cases[0]), vec![]);
    assert!(run(&p, &cases[0], &mut Coverage::new(&p))[0].passed());
    assert_eq!(
        expected_text(&serde_yaml::from_str("200.00").expect("yaml"), &Type::Decimal),
        Ok("200".into())
    );
    assert_eq!(
        expected_text(&serde_yaml::from_str("\"200.50\"").expect("yaml"), &Type::Decimal),
        Ok("200.5".into())
    );
    assert_eq!(expected_text(&serde_yaml::from_str("真").expect("yaml"), &Type::Bool), Ok("true".into()));
}

#[test]
fn reading_problems_name_the_field_path() {
    let p = policy();
    let cases = read(
        &p,
        "- case: typos
  given: { minutes: many, mode: peace, funded: false, budget: 5.0, filed: 2024-07-01 }
  expect:
    admision: admit
    admission: { outcome: admitt, fire: [] }
    notes: { outcome: simple, values: { x: 1 }, fires: [too_much, rarely] }
- given: { minutes: 1, mode: peace, funded: true, budget: 5.0, filed: 2024-07-01 }
  expect: {}
  expects: {}
- case: precise
  given: { minutes: 1, mode: peace, funded: true, budget: 1234567890.1234567, filed: 2024-07-01 }
  expect: { admission: [admit] }
",
    );
    let found = problems(&cases[0]);
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "given.app.minutes",
            "expect.admision",
            "expect.admission.fire",
            "expect.admission.outcome",
            "expect.notes.values.x",
            "expect.notes.fires[0]",
            "expect.notes.fires[1]",
        ],
        "{found:#?}"
    );
    assert!(found[1].1.contains("did you mean `admission`?"), "{}", found[1].1);
    assert!(found[3].1.contains("has no outcome `admitt`; did you mean `admit`?"), "{}", found[3].1);
    assert!(found[4].1.contains("carries no values"), "{}", found[4].1);
    assert!(found[5].1.contains("belongs to decision `admission`, not `notes`"), "{}", found[5].1);
    assert!(found[6].1.contains("did you mean `rare`?"), "{}", found[6].1);
    assert_eq!(cases[0].given, None);
    assert_eq!(cases[1].name, "#2");
    let second: Vec<String> = problems(&cases[1]).into_iter().map(|(p, _)| p).collect();
    assert_eq!(second, ["expects", "case", "expect"]);
    let third = problems(&cases[2]);
    assert_eq!(third[0].0, "given.budget");
    assert!(third[0].1.contains("quote it"), "{}", third[0].1);
    assert_eq!(third[1].0, "expect.admission", "a list of outcomes is for collect decisions");
}

#[test]
fn a_file_that_is_not_a_list_is_one_error() {
    let p = policy();
    let reader = CaseReader::new(&p);
    assert!(read_case_file(&reader, "case: x\n").is_err());
    let e = read_case_file(&reader, "- case: x\n  given: [\n").expect_err("malformed");
    assert!(e.message.get(Lang::En).starts_with("malformed YAML"), "{:?}", e);
    assert_eq!(read_case_file(&reader, "# nothing yet\n"), Ok(Vec::new()));
}

/// `fires: [low]` names a rule whatever version of it fired: the versions of a rule share
/// its name (it once failed with "- fires: [low] + fires: [low]" after the first version).
#[test]
fn an_expected_rule_name_stands_for_every_version_of_the_rule() {
    let text = r#"policy dated as of application.day
source s "x" { clause one "c" }
input application { day: date, income: int }
enum level { low, high, middle }
rule low until 2025-12-31 cite s.one { when application.income < 1000 then level.low "old" }
rule low from 2026-01-01 cite s.one { when application.income < 2000 then level.low "new" }
rule high cite s.one { when application.income > 5000 then level.high "high" }
decision income: level by first default level.middle "neither" cite s.one
"#;
    let files = vec![("t.qd".to_string(), Ok(text.as_bytes().to_vec()))];
    let program = qingdan_dsl::check_files(files, &mut qingdan_dsl::NoFiles);
    let codes: Vec<_> = program.diagnostics.iter().map(|d| (d.code, d.message.en.clone())).collect();
    assert!(codes.is_empty(), "test policy has diagnostics: {codes:?}");
    let p = crate::lower(&program, None).expect("lowers");
    let cases = read(
        &p,
        r#"
- case: old
  given: { day: 2025-06-01, income: 500 }
  expect: { income: { outcome: low, fires: [low] } }
- case: new
  given: { day: 2026-06-01, income: 1500 }
  expect: { income: { outcome: low, fires: [low] } }
- case: wrong
  given: { day: 2026-06-01, income: 1500 }
  expect: { income: { outcome: low, fires: [high] } }
"#,
    );
    let mut cov = Coverage::new(&p);
    let fires: Vec<bool> = cases.iter().map(|c| run(&p, c, &mut cov)[0].fires_ok).collect();
    assert_eq!(fires, [true, true, false]);
}
