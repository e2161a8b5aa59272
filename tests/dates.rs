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
    fn formatted_dated_policies_parse_back_the_same(
        (cuts, ranges) in dated(),
        rows in row_ranges(),
        zh in any::<bool>(),
    ) {
        // A policy with dated rules and lets, then the rows of a dated list (laid out as a table).
        let text = dated_policy(&cuts, &ranges) + &dated_list_policy(&rows).replace("policy listed as of application.day\n", "")
            .replace("input application {\n  day: date\n  wanted: text\n}\n", "input wanting {\n  wanted: text\n}\n")
            .replace("application.wanted", "wanting.wanted")
            .replace("enum verdict { yes, no }", "enum verdict2 { yes, no }")
            .replace("verdict.yes", "verdict2.yes").replace("verdict.no", "verdict2.no")
            .replace("decision d: verdict", "decision d2: verdict2")
            .replace("rule known", "rule known2");
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
    // The parameter the rule read is named with its version, by the module too.
    let read = format!("limit = 2000 (version from {})", day(BASE + 10));
    assert!(out.contains(&read), "{out}");
    let module = dir.path().join("dated.wasm").to_string_lossy().into_owned();
    let (code, _, err) = common::run_in_process(["build", &policy, "-o", &module]);
    assert_eq!(code, 0, "{err}");
    let (code, from_module, err) =
        common::run_in_process(["eval", "--wasm", &module, "-i", &cases, "--explain"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(from_module, out);
    // Lowered at a day, the version in force that day is named.
    let (_, at, _) = common::run_in_process([
        "eval",
        &policy,
        "-i",
        &cases,
        "--explain",
        "--as-of",
        &day(BASE + 10).to_string(),
    ]);
    assert!(at.matches(&read).count() == 2, "{at}");
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

// ------------------------------------------------------------ dated list rows

/// A list whose rows carry generated ranges (some ends open), searched every way a policy
/// can search a list: `count`, `sum`, `all`, `any`, a lookup by key and `in`.
fn dated_list_policy(ranges: &[Range]) -> String {
    let mut s = String::from("policy listed as of application.day\n\n");
    s +=
        "input application {\n  day: date\n  wanted: text\n}\n\nrecord task { code: text, minutes: int }\n\n";
    s += "list tasks: task key code {\n";
    for (k, (from, until)) in ranges.iter().enumerate() {
        let from = from.map(|d| format!(" from {}", day(d))).unwrap_or_default();
        let until = until.map(|d| format!(" until {}", day(d))).unwrap_or_default();
        s += &format!("  item \"K{k}\"{from}{until} {{ minutes: {} }}\n", k + 1);
    }
    s += "}\n\nenum verdict { yes, no }\n\n";
    s += "let n = count(t in tasks)\n";
    s += "let total = sum(t in tasks of t.minutes)\n";
    s += "let small = all(t in tasks where t.minutes < 3)\n";
    s += "let big = any(t in tasks where t.minutes >= 3)\n";
    s += "let found = tasks[application.wanted]\n";
    s += "let found_minutes = if found is some then found.minutes else 0\n";
    s += "\nrule known {\n  when application.wanted in tasks and n + total + found_minutes > 0 and (small or big)\n";
    s += "  then verdict.yes \"known\"\n}\n\ndecision d: verdict by first default verdict.no \"unknown\"\n";
    s
}

/// Up to six rows, each with a range inside the generated calendar (ends open at random;
/// a closed range never ends before it starts).
fn row_ranges() -> impl Strategy<Value = Vec<Range>> {
    let end = proptest::option::of(0i64..120);
    proptest::collection::vec((end.clone(), end), 1..7).prop_map(|rs| {
        rs.into_iter()
            .map(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => (Some(BASE + a.min(b)), Some(BASE + a.max(b))),
                (a, b) => (a.map(|d| BASE + d), b.map(|d| BASE + d)),
            })
            .collect()
    })
}

/// What the searches give on day `d`, read directly from the ranges, for the case that
/// looks up `key`: n, total, small, big, found_minutes, known.
fn expected_searches(ranges: &[Range], d: i64, key: usize) -> [Value; 6] {
    let in_force = |(f, u): &Range| f.is_none_or(|f| f <= d) && u.is_none_or(|u| d <= u);
    let minutes: Vec<i64> =
        (ranges.iter().enumerate()).filter(|(_, r)| in_force(r)).map(|(k, _)| k as i64 + 1).collect();
    let n = minutes.len() as i64;
    let total: i64 = minutes.iter().sum();
    let small = minutes.iter().all(|&m| m < 3);
    let big = minutes.iter().any(|&m| m >= 3);
    let found = ranges.get(key).filter(|r| in_force(r)).map_or(0, |_| key as i64 + 1);
    let known = found > 0;
    [
        Value::Int(n),
        Value::Int(total),
        Value::Bool(small),
        Value::Bool(big),
        Value::Int(found),
        Value::Bool(known),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Interpreter and module agree with the ranges read directly, on every boundary day,
    /// the day before and the day after, for a key of every row and one of no row.
    #[test]
    fn dated_rows_are_searched_alike_by_interpreter_and_module(ranges in row_ranges()) {
        let text = dated_list_policy(&ranges);
        let p = lowered(&text, None);
        let module = host::Module::load(&compile(&p, "listed").expect("compiles").bytes).expect("loads");
        let mut inst = module.instantiate().expect("instance");
        let ev = Evaluator::new(&p);
        let names = ["n", "total", "small", "big", "found_minutes"];
        let lets: Vec<u32> =
            names.iter().map(|n| p.lets.iter().position(|l| l.name == *n).expect("a let") as u32).collect();
        for d in days_around(&[], &ranges) {
            for key in 0..=ranges.len() {
                let want = expected_searches(&ranges, d, key);
                let mut c = vec![Value::None; p.slots.len()];
                c[0] = Value::from_date(day(d));
                c[1] = Value::text(&format!("K{key}"));
                let mut frame = ev.frame(&c);
                inst.place(&c).expect("placed");
                for (i, &l) in lets.iter().enumerate() {
                    let interpreted = ev.let_value(l, &mut frame);
                    prop_assert_eq!(&interpreted, &Ok(want[i].clone()), "{} on {} for K{}\n{}", names[i], day(d), key, text);
                    prop_assert_eq!(inst.let_value(l).expect("let"), interpreted);
                }
                let decided = ev.decide(0, &mut frame);
                prop_assert_eq!(&inst.decide(0).expect("decides"), &decided);
                let fired = !decided.expect("no error").fired.is_empty();
                prop_assert_eq!(Value::Bool(fired), want[5].clone(), "known on {}", day(d));
            }
        }
    }
}

/// A duty list kept in CSV whose `施行日期`/`废止日期` columns date its rows.
const DUTY_POLICY: &str = "政策 职责 以 申请.申请日期 为准\n\n输入 申请 {\n  申请日期: 日期\n  事项: 文本\n}\n\n\
记录 职责 { 编号: 文本, 名称: 文本 }\n\n清单 职责清单: 职责 键 编号 来自 \"duties.csv\"\n\n\
枚举 结论 { 在内, 不在内 }\n\n规则 在清单内 {\n  当 申请.事项 属于 职责清单\n  则 结论.在内 \"在清单内\"\n}\n\n\
决定 判断: 结论 按 首个 默认 结论.不在内 \"不在清单内\"\n";

fn write_duties(dir: &std::path::Path, policy: &str, csv: &str) -> String {
    std::fs::write(dir.join("duties.csv"), csv).expect("csv");
    let path = dir.join("duties.qd");
    std::fs::write(&path, policy).expect("policy");
    path.to_string_lossy().into_owned()
}

#[test]
fn csv_rows_with_dates_are_in_force_only_on_their_days() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = "编号,名称,施行日期,废止日期\nD1,走访,,2025-12-31\nD2,巡查,2026-01-01,\n";
    let policy = write_duties(dir.path(), DUTY_POLICY, csv);
    let cases = dir.path().join("cases.yaml");
    let text =
        "申请: { 申请日期: 2025-12-31, 事项: D1 }\n---\n申请: { 申请日期: 2026-01-01, 事项: D1 }\n---\n\
申请: { 申请日期: 2025-12-31, 事项: D2 }\n---\n申请: { 申请日期: 2026-01-01, 事项: D2 }\n";
    std::fs::write(&cases, text).expect("cases");
    let cases = cases.to_string_lossy().into_owned();
    let (code, out, err) = common::run_in_process(["eval", &policy, "-i", &cases, "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    let verdicts: Vec<&str> = out.lines().filter(|l| l.starts_with("case")).collect();
    assert_eq!(
        verdicts,
        ["case 1: 判断 → 在内", "case 2: 判断 → 不在内", "case 3: 判断 → 不在内", "case 4: 判断 → 在内"],
        "{out}"
    );
    // The module reads the date from the case as the interpreter does.
    let module = dir.path().join("duties.wasm").to_string_lossy().into_owned();
    let (code, _, err) = common::run_in_process(["build", &policy, "-o", &module]);
    assert_eq!(code, 0, "{err}");
    let (code, wasm_out, err) =
        common::run_in_process(["eval", "--wasm", &module, "-i", &cases, "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(wasm_out, out);
}

#[test]
fn bad_date_cells_backwards_rows_and_a_missing_date_field_are_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = "编号,名称,施行日期,废止日期\nD1,走访,2025-13-01,\nD2,巡查,2026-01-01,2025-12-31\n";
    let policy = write_duties(dir.path(), DUTY_POLICY, csv);
    let (code, out, err) = common::run_in_process(["check", &policy, "--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    let diags = json["diagnostics"].as_array().expect("diagnostics");
    let with = |code: &str| {
        diags.iter().filter(|d| d["code"] == code).map(|d| d["message"].to_string()).collect::<Vec<_>>()
    };
    let bad = with("E0122");
    assert!(bad.len() == 1 && bad[0].contains("C2") && bad[0].contains("2025-13-01"), "{bad:?}");
    let backwards = with("E0140");
    assert!(backwards.len() == 1 && backwards[0].contains("2025-12-31"), "{backwards:?}");
    // Dated rows in a policy that names no date field.
    let undated = DUTY_POLICY.replace(" 以 申请.申请日期 为准", "");
    let policy = write_duties(dir.path(), &undated, "编号,名称,施行日期\nD1,走访,2026-01-01\n");
    let (code, out, _) = common::run_in_process(["check", &policy, "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("E0143"), "{out}");
    // Inline rows: a range written after the key, checked the same way.
    let inline = undated.replace(
        "来自 \"duties.csv\"",
        "{\n  条目 D1 自 2026-01-01 起 至 2025-01-01 止 { 名称: \"走访\" }\n}",
    );
    let policy = write_duties(dir.path(), &inline, "");
    let (code, out, _) = common::run_in_process(["check", &policy, "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("E0140") && out.contains("E0143"), "{out}");
}

#[test]
fn as_of_reaches_the_module_and_the_test_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = "编号,名称,施行日期,废止日期\nD1,走访,,2025-12-31\nD2,巡查,2026-01-01,\n";
    let policy = write_duties(dir.path(), DUTY_POLICY, csv);
    let cases = dir.path().join("cases.yaml");
    let case = |d: &str, item: &str, outcome: &str| {
        format!("- case: {item}_{d}\n  given:\n    申请日期: {d}\n    事项: {item}\n  expect:\n    判断: {{ outcome: {outcome} }}\n")
    };
    let text = case("2025-12-31", "D1", "在内") + &case("2026-01-01", "D2", "在内");
    std::fs::write(&cases, &text).expect("cases");
    let (code, out, err) = common::run_in_process(["test", &policy, "--lang", "en"]);
    assert_eq!(code, 0, "{out}{err}");
    // As of the day of the change the first case's row is no longer in force.
    let (code, out, err) = common::run_in_process(["test", &policy, "--as-of", "2026-01-01", "--lang", "en"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("1 passed, 1 failed"), "{out}");
    assert!(out.contains("D1_2025-12-31"), "{out}");
    // eval --wasm --as-of puts the day into each case's date field: the interpreter's answers.
    let plain = dir.path().join("plain.yaml");
    let docs = "申请: { 申请日期: 2025-12-31, 事项: D1 }\n---\n申请: { 申请日期: 2025-12-31, 事项: D2 }\n";
    std::fs::write(&plain, docs).expect("cases");
    let plain = plain.to_string_lossy().into_owned();
    let module = dir.path().join("duties.wasm").to_string_lossy().into_owned();
    let (code, _, err) = common::run_in_process(["build", &policy, "-o", &module]);
    assert_eq!(code, 0, "{err}");
    for day in ["2025-12-31", "2026-01-01"] {
        let args = ["-i", &plain, "--as-of", day, "--format", "json"];
        let (code, interpreted, err) = common::run_in_process(["eval", &policy].into_iter().chain(args));
        assert_eq!(code, 0, "{err}");
        let (code, from_module, err) =
            common::run_in_process(["eval", "--wasm", &module].into_iter().chain(args));
        assert_eq!(code, 0, "{err}");
        assert_eq!(from_module, interpreted, "as of {day}");
        let outcomes: Vec<&str> =
            ["\"在内\"", "\"不在内\""].into_iter().filter(|o| interpreted.contains(o)).collect();
        assert_eq!(outcomes.len(), 2, "one row in force on {day}: {interpreted}");
    }
    let (_, on_day, _) =
        common::run_in_process(["eval", "--wasm", &module, "-i", &plain, "--as-of", "2026-01-01"]);
    assert!(
        on_day.contains("不在内") && on_day.lines().filter(|l| l.contains("→ 在内")).count() == 1,
        "{on_day}"
    );
}

#[test]
fn import_leaves_the_reserved_date_columns_to_the_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("duties.csv");
    std::fs::write(&csv, "编号,名称,施行日期,废止日期\nD1,走访,,2025-12-31\nD2,巡查,2026-01-01,\n")
        .expect("csv");
    let (code, out, err) = common::run_in_process(["import", &csv.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("名称: 文本") && !out.contains("施行日期:") && !out.contains("废止日期:"), "{out}");
    // Dated rows need a decision date: the proposal names a stand-in to replace, and checks.
    assert!(out.contains("以 案件.日期 为准"), "{out}");
    std::fs::write(dir.path().join("proposal.qd"), &out).expect("proposal");
    let (code, checked, err) =
        common::run_in_process(["check", &dir.path().join("proposal.qd").to_string_lossy()]);
    assert_eq!(code, 0, "{checked}{err}");
}

/// A policy that searches another policy's dated list must name its own decision date:
/// without one it cannot tell which rows are in force (E0143 at the first mention), and
/// with one it checks clean.
#[test]
fn a_dated_list_of_a_used_policy_needs_the_users_decision_date() {
    let owner = "政策 负面清单 以 申请.申请日期 为准\n\n输入 申请 { 申请日期: 日期 }\n\n\
        记录 负面事项 { 编号: 文本, 关键词: 集合 文本 }\n\n\
        清单 负面事项清单: 负面事项 键 编号 {\n  条目 \"FM-06\" 自 2026-01-01 起 { 关键词: [\"扫码关注\"] }\n}\n";
    let user = |as_of: &str| {
        format!(
            "政策 派单{as_of}\n\n使用 负面清单\n\n输入 派单 {{ 日期: 日期\n  事项名称: 文本 }}\n\n\
             令 网络推广 = 任一(n 属于 负面清单.负面事项清单 满足 任一(k 属于 n.关键词 满足 包含(派单.事项名称, k)))\n"
        )
    };
    let check = |user: String| {
        let files = vec![
            ("负面清单.qd".into(), Ok(owner.as_bytes().to_vec())),
            ("派单.qd".into(), Ok(user.into_bytes())),
        ];
        check_files(files, &mut NoFiles)
    };
    let undated = check(user(""));
    let told: Vec<_> = undated.diagnostics.iter().filter(|d| d.code == Code::E0143).collect();
    assert_eq!(told.len(), 1, "{:?}", undated.diagnostics);
    let file = undated.sources.get(told[0].span.file);
    assert_eq!(file.path, "派单.qd");
    assert!(file.text[told[0].span.start as usize..].starts_with("负面事项清单"), "at the list's name");
    let dated = check(user(" 以 派单.日期 为准"));
    assert!(!dated.has_errors(), "{:?}", dated.diagnostics);
}

/// A policy whose rule reads a row of a dated list (a lookup), and gives it as an outcome value.
const LISTED_POLICY: &str = "policy listed as of application.day\n\n\
input application {\n  day: date\n  wanted: text\n}\n\nrecord task { code: text, minutes: int }\n\n\
list tasks: task key code {\n  item \"FM-06\" until 2025-12-31 { minutes: 1 }\n  \
item \"FM-06-2026\" from 2026-01-01 { minutes: 2 }\n  item \"FM-07\" { minutes: 3 }\n}\n\n\
enum verdict { yes { task: tasks }, no }\n\nlet found = tasks[application.wanted]\n\n\
rule known {\n  when found is some\n  then verdict.yes { task: found } \"known\"\n}\n\n\
decision d: verdict by first default verdict.no \"unknown\"\n";

/// `eval --explain` of `policy` on `cases` by the interpreter, checked equal to the module's.
fn explained_alike(dir: &std::path::Path, policy: &str, cases: &str) -> String {
    let case_file = dir.join("rows.cases.yaml").to_string_lossy().into_owned();
    std::fs::write(&case_file, cases).expect("cases");
    let (code, out, err) = common::run_in_process(["eval", policy, "-i", &case_file, "--explain"]);
    assert_eq!(code, 0, "{err}");
    let module = dir.join("rows.wasm").to_string_lossy().into_owned();
    let (code, _, err) = common::run_in_process(["build", policy, "-o", &module]);
    assert_eq!(code, 0, "{err}");
    let (code, from_module, err) =
        common::run_in_process(["eval", "--wasm", &module, "-i", &case_file, "--explain"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(from_module, out, "the module explains as the interpreter does");
    out
}

#[test]
fn explanations_name_a_dated_row_with_its_days() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = dir.path().join("listed.qd");
    std::fs::write(&policy, LISTED_POLICY).expect("policy");
    let policy = policy.to_string_lossy().into_owned();
    let cases = "application: { day: 2026-01-01, wanted: FM-06-2026 }\n---\n\
application: { day: 2025-12-31, wanted: FM-06 }\n---\napplication: { day: 2025-06-01, wanted: FM-07 }\n";
    let out = explained_alike(dir.path(), &policy, cases);
    for line in [
        "case 1: d → yes { task: FM-06-2026 (from 2026-01-01) }",
        "    read: found = FM-06-2026 (from 2026-01-01)",
        "case 2: d → yes { task: FM-06 (until 2025-12-31) }",
        "    read: found = FM-06 (until 2025-12-31)",
        // A row with no days is named by its key alone.
        "case 3: d → yes { task: FM-07 }",
        "    read: found = FM-07",
    ] {
        assert!(out.lines().any(|l| l == line), "no line `{line}` in:\n{out}");
    }
    // Without --explain, the verdict line is as it was.
    let case_file = dir.path().join("rows.cases.yaml").to_string_lossy().into_owned();
    let (_, brief, _) = common::run_in_process(["eval", &policy, "-i", &case_file]);
    assert!(brief.lines().any(|l| l == "case 1: d → yes { task: FM-06-2026 }"), "{brief}");
    // A data file's 施行日期 / 废止日期 columns, in the policy's language.
    let found = DUTY_POLICY
        .replace("枚举 结论", "令 找到 = 职责清单[申请.事项]\n\n枚举 结论")
        .replace("当 申请.事项 属于 职责清单", "当 申请.事项 属于 职责清单 且 找到 有值");
    let csv = "编号,名称,施行日期,废止日期\nD1,走访,2025-01-01,2025-12-31\nD2,巡查,2026-01-01,\n";
    let policy = write_duties(dir.path(), &found, csv);
    let out = explained_alike(
        dir.path(),
        &policy,
        "申请: { 申请日期: 2026-01-01, 事项: D2 }\n---\n申请: { 申请日期: 2025-06-30, 事项: D1 }\n",
    );
    assert!(out.contains("    读取：找到 = D2（自 2026-01-01 起）\n"), "{out}");
    assert!(out.contains("    读取：找到 = D1（自 2025-01-01 起至 2025-12-31 止）\n"), "{out}");
}

/// A module's manifest names a list's date columns only when the list has dated rows: an
/// undated policy's manifest is what it was (ABI 1), and the module holds a dated list's days.
#[test]
fn only_dated_lists_carry_their_date_columns_in_the_manifest() {
    let module = |text: &str| {
        let p = lowered(text, None);
        let bytes = compile(&p, "listed").expect("compiles").bytes;
        host::Module::load(&bytes).expect("loads").manifest.clone()
    };
    let dated = module(LISTED_POLICY);
    let list = &dated.lists[0];
    assert_eq!(list.dates, Some((2, 3)), "{:?}", list.fields);
    assert!(list.columns.iter().any(|c| c.field == 2) && list.columns.iter().any(|c| c.field == 3));
    let undated = module(&LISTED_POLICY.replace(" until 2025-12-31", "").replace(" from 2026-01-01", ""));
    assert_eq!(undated.lists[0].dates, None);
    let json = serde_json::to_string(&undated).expect("json");
    assert!(!json.contains("\"dates\""), "{json}");
}
