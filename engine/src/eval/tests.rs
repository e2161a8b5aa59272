use crate::value::FromLiteral;
use qingdan_dsl::program::check_files;
use qingdan_dsl::NoFiles;

use super::*;
use crate::ir::lower;

/// Checks and lowers a policy written for a test (it must have no diagnostics at all,
/// warnings included, so that tests stay honest about what they exercise).
pub(crate) fn policy(text: &str) -> Policy {
    let program = check_files(vec![("test.qd".into(), Ok(text.as_bytes().to_vec()))], &mut NoFiles);
    let codes: Vec<_> = program.diagnostics.iter().map(|d| (d.code, d.message.en.clone())).collect();
    assert!(codes.is_empty(), "test policy has diagnostics: {codes:?}");
    lower(&program, None).expect("lowers")
}

/// A case from (field, value) pairs of the first input; other slots absent.
fn case(p: &Policy, values: &[(&str, Value)]) -> Vec<Value> {
    let mut slots = vec![Value::None; p.slots.len()];
    for (name, v) in values {
        let s = p
            .slots
            .iter()
            .position(|s| s.path.join(".") == *name)
            .unwrap_or_else(|| panic!("no slot {name}"));
        slots[s] = v.clone();
    }
    slots
}

fn variant(p: &Policy, r: &DecisionResult) -> Vec<String> {
    let e = &p.enums[p.decisions[r.decision as usize].outcome_enum as usize];
    r.outcomes.iter().map(|o| e.variants[o.variant as usize].name.clone()).collect()
}

fn names(p: &Policy, rules: &[RuleId]) -> Vec<String> {
    rules.iter().map(|r| p.rules[*r as usize].name.clone()).collect()
}

fn decide(p: &Policy, case: &[Value]) -> DecisionResult {
    let ev = Evaluator::new(p);
    let mut f = ev.frame(case);
    ev.decide(0, &mut f).expect("evaluates")
}

const HEADER: &str = r#"
policy t
source s "a source" { clause one "first clause" clause two "second clause" }
enum verdict { admit, returned, refuse }
enum mode { peace, emergency }
input app { minutes: int, legal_basis: text?, mode: mode, photos: bool, funded: bool }
"#;

fn admission(extra: &str, decision: &str) -> Policy {
    policy(&format!(
        "{HEADER}
rule too_much cite s.one {{ when app.minutes > 600 then refuse \"too much\" unless app.mode == emergency }}
rule no_basis cite s.one {{ when app.legal_basis is none then returned \"no legal basis\" }}
rule unfunded cite s.two {{ when not app.funded then returned \"money must follow the task\" }}
{extra}
decision d: verdict by {decision}"
    ))
}

fn base_case(p: &Policy) -> Vec<Value> {
    case(
        p,
        &[
            ("minutes", Value::Int(100)),
            ("legal_basis", Value::text("law")),
            ("mode", Value::Enum(0)),
            ("photos", Value::Bool(false)),
            ("funded", Value::Bool(true)),
        ],
    )
}

#[test]
fn priority_takes_the_most_severe_outcome_and_reports_every_fired_rule() {
    let p = admission("", "priority refuse > returned > admit default admit \"fine\"");
    let mut c = base_case(&p);
    assert_eq!(variant(&p, &decide(&p, &c)), ["admit"]);
    assert!(decide(&p, &c).by_default);
    c[0] = Value::Int(700);
    c[1] = Value::None;
    let r = decide(&p, &c);
    assert_eq!(variant(&p, &r), ["refuse"]);
    assert_eq!(names(&p, &r.fired), ["too_much", "no_basis"]);
    c[2] = Value::Enum(1);
    assert_eq!(variant(&p, &decide(&p, &c)), ["returned"], "`unless` switches the rule off");
}

#[test]
fn an_exception_overrides_its_rule_and_one_without_then_cancels_it() {
    let extra = "exception photo_proof to unfunded cite s.two { when app.photos then refuse \"photos are no proof of work\" }
exception emergency_funding to unfunded cite s.two { when app.mode == emergency }";
    let p = admission(extra, "priority refuse > returned > admit default admit \"fine\"");
    let mut c = base_case(&p);
    c[4] = Value::Bool(false);
    let r = decide(&p, &c);
    assert_eq!(
        (variant(&p, &r), names(&p, &r.fired)),
        (vec!["returned".to_string()], vec!["unfunded".to_string()])
    );
    c[3] = Value::Bool(true);
    let r = decide(&p, &c);
    assert_eq!(variant(&p, &r), ["refuse"]);
    assert_eq!(
        (names(&p, &r.fired), names(&p, &r.overridden)),
        (vec!["photo_proof".into()], vec!["unfunded".into()])
    );
    c[3] = Value::Bool(false);
    c[2] = Value::Enum(1);
    let r = decide(&p, &c);
    assert_eq!(variant(&p, &r), ["admit"], "cancelled: the rule does not apply");
    assert_eq!(names(&p, &r.overridden), ["unfunded"]);
    assert_eq!(names(&p, &r.fired), ["emergency_funding"], "the cancelling exception took effect");
}

#[test]
fn conflicting_exceptions_are_reported_never_picked() {
    let extra = "exception a to unfunded cite s.two { when app.photos then refuse \"a\" }
exception b to unfunded cite s.two { when app.minutes > 50 then admit \"b\" }";
    let p = admission(extra, "priority refuse > returned > admit default admit \"fine\"");
    let mut c = base_case(&p);
    c[4] = Value::Bool(false);
    c[3] = Value::Bool(true);
    let r = decide(&p, &c);
    assert!(r.outcomes.is_empty());
    assert_eq!(r.conflicts, [Conflict::Exceptions { base: 2, rules: vec![3, 4] }]);
    c[0] = Value::Int(10);
    assert_eq!(variant(&p, &decide(&p, &c)), ["refuse"], "only one exception holds");
}

#[test]
fn an_exception_to_an_exception_restores_or_replaces() {
    let extra = "exception photo_proof to unfunded cite s.two { when app.photos then refuse \"photos\" }
exception small_task to photo_proof cite s.two { when app.minutes < 30 }";
    let p = admission(extra, "priority refuse > returned > admit default admit \"fine\"");
    let mut c = base_case(&p);
    c[4] = Value::Bool(false);
    c[3] = Value::Bool(true);
    assert_eq!(variant(&p, &decide(&p, &c)), ["refuse"]);
    c[0] = Value::Int(10);
    let r = decide(&p, &c);
    assert_eq!(variant(&p, &r), ["returned"], "the exception is cancelled, so the rule applies again");
    assert_eq!(names(&p, &r.overridden), ["photo_proof"]);
}

#[test]
fn unique_first_and_collect() {
    let p = admission("", "unique default admit \"fine\"");
    let mut c = base_case(&p);
    c[1] = Value::None;
    assert_eq!(variant(&p, &decide(&p, &c)), ["returned"]);
    c[4] = Value::Bool(false);
    let r = decide(&p, &c);
    assert!(r.outcomes.is_empty());
    assert_eq!(r.conflicts, [Conflict::Unique { rules: vec![1, 2] }]);

    let p = admission("", "first default admit \"fine\"");
    let mut c = base_case(&p);
    c[0] = Value::Int(700);
    c[4] = Value::Bool(false);
    let r = decide(&p, &c);
    assert_eq!(
        (variant(&p, &r), names(&p, &r.fired)),
        (vec!["refuse".to_string()], vec!["too_much".to_string()])
    );

    let p = admission("", "collect default admit \"fine\"");
    assert_eq!(variant(&p, &decide(&p, &c)), ["refuse", "returned"]);
}

#[test]
fn a_total_decision_with_no_rule_is_an_error() {
    let p = admission("", "first total");
    let ev = Evaluator::new(&p);
    let c = base_case(&p);
    let mut f = ev.frame(&c);
    assert_eq!(ev.decide(0, &mut f), Err(EvalError::NoRuleApplies(0)));
}

#[test]
fn outcomes_carry_values_and_lets_are_computed_once() {
    let p = policy(
        r#"policy t
source s "x" { clause one "c" }
enum verdict { admit, temporary { until: date, note: text }, refuse }
input app { start: date, days: int?, per_month: int, minutes: int }
let monthly = app.per_month * app.minutes
let hours = monthly / 60
rule temp cite s.one {
  when app.days is some and hours > 2.5
  then temporary { until: app.start + app.days, note: "for a while" } "temporary"
}
decision d: verdict by priority refuse > temporary > admit default admit "ok""#,
    );
    let start = Value::from_date(qingdan_dsl::value::Date::parse("2024-07-01").expect("date"));
    let c = case(
        &p,
        &[
            ("start", start),
            ("days", Value::Int(30)),
            ("per_month", Value::Int(4)),
            ("minutes", Value::Int(60)),
        ],
    );
    let r = decide(&p, &c);
    let until = Value::from_date(qingdan_dsl::value::Date::parse("2024-07-31").expect("date"));
    assert_eq!(r.outcomes[0].fields, [until, Value::text("for a while")]);
    let ev = Evaluator::new(&p);
    let mut f = ev.frame(&c);
    let ex = explain(&ev, &ev.decide(0, &mut f).expect("evaluates"), &mut f).expect("explains");
    let read: Vec<(String, String)> =
        ex.fired[0].read.iter().map(|r| (r.name.clone(), r.value.clone())).collect();
    assert_eq!(
        read,
        [
            ("app.days".into(), "30".into()),
            ("hours".into(), "4".into()),
            ("app.start".into(), "2024-07-01".into())
        ]
    );
    assert_eq!(ex.fired[0].cites[0].text, "c");
    assert_eq!(ex.outcomes[0].values[0].value, "2024-07-31");
}

#[test]
fn checks_report_rows_that_break_them_and_aggregates_count() {
    let p = policy(
        r#"policy t
source s "x" { clause one "c" }
enum kind { basic, cooperating, withdrawn }
record dept { code: text, name: text }
record duty { id: text, kind: kind, lead: depts, receiver: depts?, hours: int }
list depts: dept key code { item "D1" { name: "civil affairs" } item "D2" { name: "police" } }
list duties: duty key id {
  item "A" { kind: basic, lead: "D1", hours: 10 }
  item "B" { kind: withdrawn, lead: "D2", hours: 5 }
  item "C" { kind: withdrawn, lead: "D2", receiver: "D1", hours: 7 }
}
input q { min_hours: int }
check withdrawn_has_receiver cite s.one { for x in duties where x.kind == withdrawn must x.receiver is some "needs a receiver" }
check no_heavy cite s.one { for x in duties must not x.hours > q.min_hours "too heavy" }
check may_share cite s.one { for x in duties may x.lead.name == "police" "police may lead" }
enum verdict { ok, busy }
let total = sum(x in duties of x.hours)
let n_withdrawn = count(x in duties where x.kind == withdrawn)
rule busy cite s.one { when total > 20 and n_withdrawn >= 2 and any(x in duties where x.lead == "D1") then busy "busy" }
decision d: verdict by first default ok "fine""#,
    );
    let c = case(&p, &[("min_hours", Value::Int(8))]);
    let ev = Evaluator::new(&p);
    let mut f = ev.frame(&c);
    let hits: Vec<Vec<Option<Value>>> = (0..3).map(|i| ev.check(i, &mut f).expect("check").hits).collect();
    assert_eq!(hits[0], [Some(Value::Row(1))]);
    assert_eq!(hits[1], [Some(Value::Row(0))]);
    assert_eq!(hits[2], [Some(Value::Row(1)), Some(Value::Row(2))]);
    assert_eq!(variant(&p, &ev.decide(0, &mut f).expect("decides")), ["busy"]);
}

#[test]
fn division_by_zero_is_an_error_not_a_panic() {
    let p = policy(
        r#"policy t
source s "x" { clause one "c" }
enum verdict { ok, high }
input app { a: int, b: int }
let ratio = app.a / app.b
rule high cite s.one { when ratio > 1 then high "high" }
decision d: verdict by first default ok "fine""#,
    );
    let c = case(&p, &[("a", Value::Int(3)), ("b", Value::Int(0))]);
    let ev = Evaluator::new(&p);
    let mut f = ev.frame(&c);
    assert!(matches!(ev.decide(0, &mut f), Err(EvalError::DivisionByZero(_))));
}

#[test]
fn guards_skip_only_rules_that_cannot_hold() {
    use super::cond::Guard;
    use crate::ir::CmpOp;
    let case = [Value::Enum(1), Value::Int(5), Value::Bool(false), Value::None];
    assert!(Guard::Enum(0, 1).passes(&case));
    assert!(!Guard::Enum(0, 2).passes(&case));
    assert!(Guard::Int(CmpOp::Gt, 1, 3).passes(&case));
    assert!(!Guard::Int(CmpOp::Gt, 1, 5).passes(&case));
    assert!(Guard::Bool(2, false).passes(&case) && !Guard::Bool(2, true).passes(&case));
    // Absent values (not reachable in checked policies, which narrow optionals first) are
    // left to the full test wherever it could hold.
    assert!(Guard::Int(CmpOp::Ne, 3, 1).passes(&case));
    assert!(Guard::Bool(3, false).passes(&case));
    assert!(!Guard::Enum(3, 0).passes(&case));
}

/// A let with its own quantifier, used inside a check over a list: the let's variable is
/// its own, not the check's row (it once read the check's row instead).
#[test]
fn a_let_used_under_a_check_variable_binds_its_own_variables() {
    let p = policy(
        r#"policy t
source s "x" { clause one "c" }
enum verdict { ok }
record dept { code: text, staff: int }
list depts: dept key code { item "A" { staff: 1 } item "B" { staff: 5 } }
input app { name: text }
let big = count(y in depts where y.staff > 3)
check one_big cite s.one {
  for x in depts
  must big == 1 "one big department"
}
rule r cite s.one { when app.name == "x" then ok "ok" }
decision d: verdict by first default ok "fine""#,
    );
    let c = case(&p, &[("name", Value::text("x"))]);
    let ev = Evaluator::new(&p);
    let mut f = ev.frame(&c);
    assert_eq!(ev.check(0, &mut f).expect("evaluates").hits, Vec::<Option<Value>>::new());
}

/// A check that reads lists, constants and lets of those alone answers alike for every
/// case, so it is computed once and its answer (an error too) reused; a check reading a
/// let of the case is remembered by that field's value and answers each case its own way.
#[test]
fn checks_are_remembered_by_what_they_read_of_the_case() {
    let p = policy(
        r#"policy t
source s "x" { clause one "c" }
enum verdict { ok }
record dept { code: text, staff: int }
list depts: dept key code { item "A" { staff: 1 } item "B" { staff: 5 } }
input app { limit: int }
let cap = 3
let total = sum(x in depts of x.staff)
let per_case = app.limit
check under_cap cite s.one { for x in depts must x.staff <= cap "under the cap" }
check under_limit cite s.one { for x in depts must x.staff <= per_case "under the case's limit" }
check share cite s.one { for x in depts must x.staff / (total - 6) >= 0 "a share of the rest" }
rule r cite s.one { when app.limit > 100 then ok "ok" }
decision d: verdict by first default ok "fine""#,
    );
    let limit = p.slots.iter().position(|s| s.path == ["limit"]).expect("slot") as u32;
    assert_eq!(p.slots_read_by_lets(), [vec![], vec![], vec![limit]]);
    assert_eq!(p.slots_read_by_checks(&p.slots_read_by_lets()), [vec![], vec![limit], vec![]]);
    let ev = Evaluator::new(&p);
    let answers = |limit: i64| {
        let c = case(&p, &[("limit", Value::Int(limit))]);
        let mut f = ev.frame(&c);
        (0..3).map(|i| ev.check(i, &mut f).map(|r| r.hits)).collect::<Vec<_>>()
    };
    let (low, high) = (answers(0), answers(10));
    assert_eq!(answers(0), low, "asked again, each case gets its own answer");
    assert_eq!(low[0], Ok(vec![Some(Value::Row(1))]));
    assert_eq!(high[0], low[0]);
    assert_eq!(low[1], Ok(vec![Some(Value::Row(0)), Some(Value::Row(1))]));
    assert_eq!(high[1], Ok(vec![]));
    assert!(matches!(low[2], Err(EvalError::DivisionByZero(_))), "{:?}", low[2]);
    assert_eq!(high[2], low[2]);
}

/// A let that searches a list is remembered by the input fields it reads, and answers each
/// case with its own values: a sum over the rows in force on the case's date, a search
/// reading two fields, and an error (overflow) remembered as an error.
#[test]
fn lets_that_search_lists_are_remembered_by_what_they_read_of_the_case() {
    let p = policy(
        r#"policy t
source s "x" { clause one "c" }
record task { code: text, since: date, minutes: int }
list tasks: task key code {
  item "A" { since: 2025-01-01, minutes: 10 }
  item "B" { since: 2025-06-01, minutes: 20 }
  item "C" { since: 2026-01-01, minutes: 9223372036854775807 }
}
enum verdict { ok }
enum found { yes, no }
input app { day: date, name: text, extra: int }
let load = sum(k in tasks of k.minutes where k.since <= app.day)
let named = any(k in tasks where k.code == app.name and k.minutes > app.extra)
let plain = app.extra + 1
rule r cite s.one { when load > 15 and named and plain > 0 then ok "ok" }
rule listed cite s.one { when any(k in tasks where k.code == app.name) then yes "listed" }
decision d: verdict by first default ok "fine"
decision e: found by first default no "not listed""#,
    );
    let ev = Evaluator::new(&p);
    // `load` is a step function of the day, remembered by step (steps.rs) instead.
    assert_eq!(ev.let_memos.iter().map(Option::is_some).collect::<Vec<_>>(), [false, true, false]);
    assert_eq!(ev.let_steps.iter().map(Option::is_some).collect::<Vec<_>>(), [true, false, false]);
    assert_eq!(ev.search_memos.len(), 1, "the rule's search by the case's name");
    let listed = |name: &str| {
        let c = case(&p, &[("day", Value::Date(0)), ("name", Value::text(name)), ("extra", Value::Int(0))]);
        ev.decide(1, &mut ev.frame(&c)).expect("decides").fired.len()
    };
    for _ in 0..2 {
        assert_eq!([listed("A"), listed("Z"), listed("C"), listed("")], [1, 0, 1, 0]);
    }
    let lets = |day: &str, name: &str, extra: i64| {
        let day = Value::Date(qingdan_dsl::value::Date::parse(day).expect("date").days_since_epoch() as i32);
        let c = case(&p, &[("day", day), ("name", Value::text(name)), ("extra", Value::Int(extra))]);
        let mut f = ev.frame(&c);
        (0..3).map(|l| ev.let_value(l, &mut f)).collect::<Vec<_>>()
    };
    for _ in 0..2 {
        assert_eq!(lets("2024-12-31", "A", 5), [Ok(Value::Int(0)), Ok(Value::Bool(true)), Ok(Value::Int(6))]);
        assert_eq!(
            lets("2025-06-01", "A", 10),
            [Ok(Value::Int(30)), Ok(Value::Bool(false)), Ok(Value::Int(11))]
        );
        assert_eq!(
            lets("2025-06-01", "B", 10),
            [Ok(Value::Int(30)), Ok(Value::Bool(true)), Ok(Value::Int(11))]
        );
        let late = lets("2026-01-01", "B", 30);
        assert!(matches!(late[0], Err(EvalError::Overflow(_))), "{:?}", late[0]);
        assert_eq!(late[1..], [Ok(Value::Bool(false)), Ok(Value::Int(31))]);
    }
}
