//! Effective dates: versions of lets and rules (`自 … 起` / `至 … 止`, both ends
//! inclusive) chosen by the policy's decision date (`以 … 为准`).
//!
//! Generated dated policies are decided on the days around every boundary by the
//! interpreter and by the compiled module, which must agree with each other and with the
//! version a direct reading of the ranges picks; the formatter's output parses back to the
//! same tree; two versions in force on one day are reported with a day that is checked
//! to lie in both; `eval --as-of` and `diff --at` decide as of a fixed day.

use proptest::prelude::*;
use qingdan_dsl::syntax::ast::InForce;
use qingdan_dsl::value::Date;
use qingdan_dsl::{check_files, Code, NoFiles};
use qingdan_engine::eval::Evaluator;
use qingdan_engine::value::FromLiteral;
use qingdan_engine::wasm::{compile, host};
use qingdan_engine::{Policy, Value};

mod common;

fn day(n: i64) -> Date {
    Date::from_days_since_epoch(n)
}

/// The first day of the generated calendar: 2025-01-01.
const BASE: i64 = 20089;

fn program(text: &str) -> qingdan_dsl::Program {
    check_files(vec![("dated.qd".into(), Ok(text.as_bytes().to_vec()))], &mut NoFiles)
}

fn lowered(text: &str, at: Option<Date>) -> Policy {
    let p = program(text);
    let errors: Vec<_> =
        p.diagnostics.iter().filter(|d| d.code.severity() == qingdan_dsl::Severity::Error).collect();
    assert!(errors.is_empty(), "{text}\n{errors:?}");
    qingdan_engine::ir::lower_at(&p, None, at).expect("lowers")
}

/// A policy whose parameter `limit` has one version per cut (the cuts are the first days
/// of all versions but the first) and whose rule `low` has versions on `rule_ranges`.
fn dated_policy(cuts: &[i64], rule_ranges: &[(Option<i64>, Option<i64>)]) -> String {
    let mut s = String::from("policy dated as of application.day\n\n");
    s += "input application {\n  day: date\n  income: int\n}\n\nenum verdict { yes, no }\n\n";
    for k in 0..=cuts.len() {
        let from = (k > 0).then(|| format!(" from {}", day(cuts[k - 1])));
        let until = cuts.get(k).map(|c| format!(" until {}", day(c - 1)));
        s += &format!(
            "let limit{}{} = {}\n",
            from.unwrap_or_default(),
            until.unwrap_or_default(),
            1000 * (k + 1)
        );
    }
    for (k, (from, until)) in rule_ranges.iter().enumerate() {
        let from = from.map(|d| format!(" from {}", day(d))).unwrap_or_default();
        let until = until.map(|d| format!(" until {}", day(d))).unwrap_or_default();
        s += &format!("\nrule low{from}{until} {{\n  when application.income < limit + {k}\n  then verdict.yes \"low\"\n}}\n");
    }
    s += "\ndecision d: verdict by first default verdict.no \"not low\"\n";
    s
}

/// Sorted distinct cuts, and rule versions that do not overlap: consecutive pieces of a
/// sorted list of days, some ends left open.
/// A range of days (as days since the epoch), each end open or not.
type Range = (Option<i64>, Option<i64>);

fn dated() -> impl Strategy<Value = (Vec<i64>, Vec<Range>)> {
    let cuts = proptest::collection::btree_set(0i64..400, 0..4)
        .prop_map(|s| s.into_iter().map(|d| BASE + d).collect());
    let rule_days = proptest::collection::btree_set(0i64..400, 2..7);
    let opens = (any::<bool>(), any::<bool>());
    (cuts, rule_days, opens).prop_map(|(cuts, days, (open_start, open_end)): (Vec<i64>, _, _)| {
        let days: Vec<i64> = days.into_iter().map(|d| BASE + d).collect();
        let mut ranges: Vec<(Option<i64>, Option<i64>)> =
            days.chunks(2).filter(|c| c.len() == 2).map(|c| (Some(c[0]), Some(c[1]))).collect();
        if open_start {
            ranges[0].0 = None;
        }
        if open_end {
            let last = ranges.len() - 1;
            ranges[last].1 = None;
        }
        (cuts, ranges)
    })
}

/// Days around every boundary: each boundary, the day before and the day after.
fn days_around(cuts: &[i64], ranges: &[(Option<i64>, Option<i64>)]) -> Vec<i64> {
    let ends = ranges.iter().flat_map(|(f, u)| [*f, *u]).flatten();
    let mut days: Vec<i64> = cuts.iter().copied().chain(ends).flat_map(|d| [d - 1, d, d + 1]).collect();
    days.extend([BASE - 1000, BASE + 1000]);
    days.sort();
    days.dedup();
    days
}

/// The value of `limit` and whether `low` (some version) is in force on `d`, read
/// directly from the ranges.
fn expected(cuts: &[i64], ranges: &[(Option<i64>, Option<i64>)], d: i64) -> (i64, Option<usize>) {
    let version = cuts.iter().filter(|&&c| c <= d).count();
    let rule = ranges.iter().position(|(f, u)| f.is_none_or(|f| f <= d) && u.is_none_or(|u| d <= u));
    (1000 * (version as i64 + 1), rule)
}

fn case(p: &Policy, d: i64, income: i64) -> Vec<Value> {
    let mut c = vec![Value::None; p.slots.len()];
    c[0] = Value::from_date(day(d));
    c[1] = Value::Int(income);
    c
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn interpreter_and_module_agree_around_every_boundary((cuts, ranges) in dated()) {
        let text = dated_policy(&cuts, &ranges);
        let p = lowered(&text, None);
        let module = host::Module::load(&compile(&p, "dated").expect("compiles").bytes).expect("loads");
        let mut inst = module.instantiate().expect("instance");
        let ev = Evaluator::new(&p);
        for d in days_around(&cuts, &ranges) {
            let (limit, rule) = expected(&cuts, &ranges, d);
            // Just under the limit (plus the rule's own offset): `low` fires iff in force.
            let c = case(&p, d, limit - 1);
            let mut frame = ev.frame(&c);
            prop_assert_eq!(ev.let_value(0, &mut frame), Ok(Value::Int(limit)), "limit on {}", day(d));
            let want = ev.decide(0, &mut frame);
            inst.place(&c).expect("placed");
            prop_assert_eq!(inst.let_value(0).expect("let"), Ok(Value::Int(limit)));
            let got = inst.decide(0).expect("decides");
            prop_assert_eq!(&got, &want, "{}", day(d));
            let fired = want.expect("no error").fired;
            prop_assert_eq!(fired.first().map(|&r| r as usize), rule, "on {}", day(d));
            // The policy lowered at that day decides the case as the dated policy does.
            let at = lowered(&text, Some(day(d)));
            let ev_at = Evaluator::new(&at);
            let far = case(&at, BASE - 5000, limit - 1);
            let mut f = ev_at.frame(&far);
            prop_assert_eq!(ev_at.decide(0, &mut f).expect("decides").fired.first().map(|&r| r as usize), rule);
        }
    }

    #[test]
    fn formatted_dated_policies_parse_back_the_same((cuts, ranges) in dated(), zh in any::<bool>()) {
        let text = dated_policy(&cuts, &ranges);
        let (module, _) = qingdan_dsl::syntax::parse::parse_text(&text, qingdan_dsl::FileId(0));
        let module = module.expect("parses");
        let lang = if zh { qingdan_dsl::Lang::Zh } else { qingdan_dsl::Lang::En };
        let printed = qingdan_dsl::fmt::format_with(&module, &[], &text, lang);
        let (again, diags) = qingdan_dsl::syntax::parse::parse_text(&printed, qingdan_dsl::FileId(0));
        prop_assert!(diags.is_empty(), "{printed}\n{diags:?}");
        let dump = |m: &qingdan_dsl::syntax::ast::Module| {
            // The keyword language is the one thing formatting in the other set changes.
            qingdan_dsl::syntax::dump::dump(m).replacen("lang=zh", "lang=en", 1)
        };
        prop_assert_eq!(dump(&again.expect("parses back")), dump(&module), "{}", printed);
    }

    /// Two versions of a rule on random ranges: E0141 exactly when some day lies in both,
    /// and the day it names does.
    #[test]
    fn overlapping_versions_are_reported_with_a_day_in_both(
        a in (proptest::option::of(0i64..60), proptest::option::of(0i64..60)),
        b in (proptest::option::of(0i64..60), proptest::option::of(0i64..60)),
    ) {
        let backwards = |(f, u): (Option<i64>, Option<i64>)| f.zip(u).is_some_and(|(f, u)| u < f);
        prop_assume!(!backwards(a) && !backwards(b));
        prop_assume!(a.0.is_some() || a.1.is_some());
        prop_assume!(b.0.is_some() || b.1.is_some());
        let shift = |(f, u): (Option<i64>, Option<i64>)| (f.map(|d| d + BASE), u.map(|d| d + BASE));
        let (a, b) = (shift(a), shift(b));
        let text = dated_policy(&[], &[a, b]);
        let p = program(&text);
        let found: Vec<_> = p.diagnostics.iter().filter(|d| d.code == Code::E0141).collect();
        let range = |(f, u): (Option<i64>, Option<i64>)| InForce {
            from: f.map(day), until: u.map(day), span: qingdan_dsl::Span::default(),
        };
        let (ra, rb) = (range(a), range(b));
        let some_common = (BASE - 10..BASE + 70).any(|d| ra.holds_on(day(d)) && rb.holds_on(day(d)));
        prop_assert_eq!(found.len(), usize::from(some_common), "{}", text);
        if let Some(diag) = found.first() {
            let message = &diag.message.en;
            let witness = message.split_whitespace().find_map(Date::parse).expect("a day in the message");
            prop_assert!(ra.holds_on(witness) && rb.holds_on(witness), "{message}");
        }
    }
}

#[test]
fn a_parameter_gap_is_reported_with_the_missing_day() {
    let text = dated_policy(&[BASE + 10], &[])
        .replace(&format!("until {}", day(BASE + 9)), &format!("until {}", day(BASE + 7)));
    let p = program(&text);
    let gap: Vec<_> = p.diagnostics.iter().filter(|d| d.code == Code::E0142).collect();
    assert_eq!(gap.len(), 1, "{:?}", p.diagnostics);
    assert!(gap[0].message.en.contains(&day(BASE + 8).to_string()), "{}", gap[0].message.en);
}

fn write_dated(dir: &std::path::Path) -> (String, String) {
    let policy = dir.join("dated.qd");
    std::fs::write(&policy, dated_policy(&[BASE + 10], &[(Some(BASE + 10), None)])).expect("policy");
    let cases = dir.join("cases.yaml");
    // On the day before and the day of the change: 1500 is under the new limit only.
    let before = day(BASE + 9);
    let after = day(BASE + 10);
    let text = format!(
        "application: {{ day: {before}, income: 1500 }}\n---\napplication: {{ day: {after}, income: 1500 }}\n"
    );
    std::fs::write(&cases, text).expect("cases");
    (policy.to_string_lossy().into_owned(), cases.to_string_lossy().into_owned())
}

#[test]
fn eval_explains_the_version_and_as_of_decides_every_case_on_one_day() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (policy, cases) = write_dated(dir.path());
    let (code, out, err) = common::run_in_process(["eval", &policy, "-i", &cases, "--explain"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("case 1: d → no"), "{out}");
    assert!(out.contains("case 2: d → yes"), "{out}");
    assert!(out.contains(&format!("low (version from {})", day(BASE + 10))), "{out}");
    let as_of = day(BASE + 9).to_string();
    let (code, out, err) = common::run_in_process(["eval", &policy, "-i", &cases, "--as-of", &as_of]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("case 1: d → no") && out.contains("case 2: d → no"), "{out}");
}

#[test]
fn diff_at_two_days_shows_what_the_change_of_version_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (policy, _) = write_dated(dir.path());
    let (a, b) = (day(BASE + 9).to_string(), day(BASE + 10).to_string());
    let (code, out, err) =
        common::run_in_process(["diff", &policy, "--at", &a, "--at", &b, "--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    let text = json.to_string();
    assert!(text.contains("\"no\"") && text.contains("\"yes\""), "{text}");
    let (code, _, err) = common::run_in_process(["diff", &policy, "--at", &a]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--at"), "{err}");
    let (code, out, _) = common::run_in_process(["diff", &policy, "--at", &a, "--at", &a]);
    assert_eq!(code, 0, "{out}");
}
