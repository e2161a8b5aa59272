//! Properties of the interpreter over generated cases: a `priority` decision gives the
//! most severe outcome among the rules that fired, a `unique` decision never picks when two
//! rules fire, and evaluation is deterministic.

use std::sync::OnceLock;

use proptest::prelude::*;
use qingdan_dsl::program::check_files;
use qingdan_dsl::NoFiles;
use qingdan_engine::eval::{Conflict, DecisionResult, Evaluator};
use qingdan_engine::ir::{Combining, Policy, Type};
use qingdan_engine::{lower, Value};

const RULES: &str = r#"
source s "杭州决定" { clause 五 "网格事务准入" clause 十 "平战结合" }
enum 类别 { 宣传, 采集, 应急, 执法 }
enum 状态 { 平时, 战时 }
record 任务 { 编号: text, 类别: 类别 }
list 任务清单: 任务 key 编号 { item "T1" { 类别: 宣传 } item "T2" { 类别: 采集 } item "T3" { 类别: 应急 } }
input 申请 { 类别: 类别, 频次: int, 分钟: int, 依据: text?, 经费: bool, 照片: bool, 状态: 状态, 替代: 任务清单?, 预算: decimal, 日期: date }
let 月工作量 = 申请.频次 * 申请.分钟
rule 执法 cite s.五 { when 申请.类别 == 执法 then 拒绝 "执法" }
rule 超限 cite s.五 { when 月工作量 > 600 then 拒绝 "超限" unless 申请.状态 == 战时 }
rule 无依据 cite s.五 { when 申请.依据 is none then 退回 "无依据" }
rule 无经费 cite s.五 { when not 申请.经费 then 退回 "无经费" }
exception 照片 to 无经费 cite s.五 { when 申请.照片 then 拒绝 "照片" }
exception 战时经费 to 无经费 cite s.十 { when 申请.状态 == 战时 }
exception 小额 to 照片 cite s.五 { when 申请.预算 < 10.5 }
rule 重复 cite s.五 { when 申请.替代 is some and 申请.替代.类别 == 申请.类别 then 拒绝 "重复" }
rule 战时 cite s.十 { when 申请.状态 == 战时 and 申请.类别 == 应急 then 临时 "战时" }
rule 早 cite s.五 { when 申请.日期 < 2023-01-01 then 退回 "早" }
rule 常规 cite s.五 { when 申请.类别 == 宣传 and 申请.频次 <= 4 then 准入 "常规" }
"#;

/// The test policy with each decision form, checked and lowered once per test binary.
fn priority() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| policy("priority 拒绝 > 退回 > 临时 > 准入 default 准入 \"符合\""))
}

fn unique() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| policy("unique default 准入 \"符合\""))
}

fn collect() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| policy("collect default 准入 \"符合\""))
}

fn policy(decision: &str) -> Policy {
    let text =
        format!("policy p\nenum 结论 {{ 准入, 临时, 退回, 拒绝 }}\n{RULES}\ndecision d: 结论 by {decision}");
    let program = check_files(vec![("p.qd".into(), Ok(text.into_bytes()))], &mut NoFiles);
    assert!(
        program.diagnostics.is_empty(),
        "{:?}",
        program.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()
    );
    lower(&program, None).expect("lowers")
}

/// Values of a slot's type, small enough that rules fire often.
fn value(p: &Policy, ty: &Type) -> BoxedStrategy<Value> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Int => (0i64..80).prop_map(Value::Int).boxed(),
        Type::Decimal => (0i64..30_000_000).prop_map(Value::Dec).boxed(),
        Type::Text => prop::sample::select(vec!["防洪法", "网格条例"]).prop_map(Value::text).boxed(),
        Type::Date => (19_000i32..19_500).prop_map(Value::Date).boxed(),
        Type::Enum(e) => (0..p.enums[*e as usize].variants.len() as u32).prop_map(Value::Enum).boxed(),
        Type::Row(l) => (0..p.lists[*l as usize].rows.len() as u32).prop_map(Value::Row).boxed(),
        Type::Set(inner) => prop::collection::vec(value(p, inner), 0..3).prop_map(Value::set).boxed(),
        Type::Opt(inner) => prop_oneof![Just(Value::None), value(p, inner)].boxed(),
    }
}

fn cases(p: &Policy) -> impl Strategy<Value = Vec<Value>> {
    p.slots.iter().map(|s| value(p, &s.ty)).collect::<Vec<_>>()
}

fn decide(p: &Policy, case: &[Value]) -> DecisionResult {
    let ev = Evaluator::new(p);
    let mut frame = ev.frame(case);
    ev.decide(0, &mut frame).expect("no arithmetic errors in this policy")
}

fn outcome_of(p: &Policy, rule: u32) -> u32 {
    p.rules[rule as usize].then.as_ref().map(|t| t.variant).expect("fired rules have outcomes")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn priority_gives_the_most_severe_fired_outcome(case in cases(priority())) {
        let p = priority();
        let Combining::Priority(rank) = &p.decisions[0].combining else { unreachable!("a priority decision") };
        let r = decide(p, &case);
        if !r.conflicts.is_empty() {
            prop_assert!(r.outcomes.is_empty(), "a conflict is never decided");
        } else if r.fired.iter().all(|f| p.rules[*f as usize].then.is_none()) {
            prop_assert!(r.by_default);
        } else {
            let speakers = r.fired.iter().filter(|f| p.rules[**f as usize].then.is_some());
            let worst = speakers.map(|f| rank[outcome_of(p, *f) as usize]).min();
            prop_assert_eq!(Some(rank[r.outcomes[0].variant as usize]), worst);
            prop_assert!(r.fired.iter().all(|f| !r.overridden.contains(f)), "an overridden rule does not fire");
        }
    }

    #[test]
    fn unique_never_picks_between_two_fired_rules(case in cases(unique())) {
        let p = unique();
        let r = decide(p, &case);
        let speakers = r.fired.iter().filter(|f| p.rules[**f as usize].then.is_some()).count();
        if speakers > 1 {
            prop_assert!(r.outcomes.is_empty());
            let unique_conflict = r.conflicts.iter().any(|c| matches!(c, Conflict::Unique { .. }));
            let exception_conflict = r.conflicts.iter().any(|c| matches!(c, Conflict::Exceptions { .. }));
            prop_assert!(unique_conflict || exception_conflict);
        } else {
            prop_assert_eq!(r.outcomes.len(), 1);
        }
    }

    #[test]
    fn evaluation_is_deterministic(case in cases(collect())) {
        let p = collect();
        let ev = Evaluator::new(p);
        let first = decide(p, &case);
        let mut frame = ev.frame(&case);
        let again = ev.decide(0, &mut frame).expect("evaluates");
        let third = ev.decide(0, &mut frame).expect("evaluates with remembered lets");
        prop_assert_eq!(&first, &again);
        prop_assert_eq!(&first, &third);
    }
}
