//! Every finding on a small policy made to have it, its witness replayed through the
//! interpreter to show it; and the absence of findings where there are none.

use super::*;
use crate::eval::tests::policy;
use crate::eval::{Conflict, DecisionResult, EvalError, Evaluator};
use crate::ir::Combining;
use crate::value::Value;

const HEAD: &str = r#"policy t
source s "来源" { clause a "条款" }
enum 状态 { 平时, 战时 }
enum 类别 { 宣传, 采集, 应急 }
"#;

fn with_head(body: &str) -> Policy {
    policy(&format!("{HEAD}{body}"))
}

fn decide(p: &Policy, case: &[Value]) -> Result<DecisionResult, EvalError> {
    let ev = Evaluator::new(p);
    let mut f = ev.frame(case);
    ev.decide(0, &mut f)
}

fn kinds(a: &Analysis) -> Vec<&FindingKind> {
    a.findings.iter().map(|f| &f.kind).collect()
}

fn rule(p: &Policy, name: &str) -> crate::ir::RuleId {
    p.rules.iter().position(|r| r.name == name).unwrap_or_else(|| panic!("no rule {name}")) as u32
}

fn witness(a: &Analysis, pred: impl Fn(&FindingKind) -> bool) -> &Witness {
    let f = a
        .findings
        .iter()
        .find(|f| pred(&f.kind))
        .unwrap_or_else(|| panic!("finding not made: {:?}", kinds(a)));
    f.witness.as_ref().expect("a witness")
}

/// The same policy deciding by `collect`: every rule that speaks shows its outcome.
fn collecting(p: &Policy) -> Policy {
    let mut c = p.clone();
    c.decisions[0].combining = Combining::Collect;
    c
}

#[test]
fn overlap_in_a_unique_decision_is_shown_by_both_rules_firing() {
    let p = with_head(
        r#"enum 结论 { 准入, 退回 }
input 申请 { 频次: int, 状态: 状态 }
rule 高频 cite s.a { when 申请.频次 > 5 then 退回 "高频" }
rule 平时 cite s.a { when 申请.状态 == 平时 and 申请.频次 >= 3 then 准入 "平时" }
decision d: 结论 by unique default 准入 "默认""#,
    );
    let a = analyse(&p);
    let (hi, peace) = (rule(&p, "高频"), rule(&p, "平时"));
    let w = witness(&a, |k| *k == FindingKind::UniqueOverlap { rules: [hi, peace] });
    let r = decide(&p, &w.case).expect("decides");
    assert!(
        r.conflicts.iter().any(
            |c| matches!(c, Conflict::Unique { rules } if rules.contains(&hi) && rules.contains(&peace))
        ),
        "{r:?}"
    );
    assert_eq!(w.case[1], Value::Enum(0), "平时");
    assert!(matches!(w.case[0], Value::Int(n) if n > 5));
}

#[test]
fn exclusive_rules_of_a_unique_decision_are_not_reported() {
    let p = with_head(
        r#"enum 结论 { 准入, 退回 }
input 申请 { 频次: int, 状态: 状态 }
rule 高频 cite s.a { when 申请.频次 > 5 then 退回 "高频" }
rule 低频 cite s.a { when 申请.频次 <= 5 and 申请.状态 == 平时 then 准入 "低频" }
decision d: 结论 by unique default 准入 "默认""#,
    );
    assert!(analyse(&p).findings.is_empty(), "{:?}", kinds(&analyse(&p)));
}

#[test]
fn a_gap_in_a_total_decision_is_an_input_no_rule_decides() {
    let p = with_head(
        r#"enum 结论 { 准入, 退回 }
input 申请 { 频次: int, 日期: date, 状态: 状态 }
rule 高频 cite s.a { when 申请.频次 > 5 then 退回 "高频" }
rule 低频 cite s.a { when 申请.频次 < 5 and 申请.日期 >= 2024-01-01 then 准入 "低频" }
rule 战时 cite s.a { when 申请.状态 == 战时 then 准入 "战时" }
decision d: 结论 by priority 退回 > 准入 total"#,
    );
    let a = analyse(&p);
    let w = witness(&a, |k| *k == FindingKind::Gap);
    assert_eq!(decide(&p, &w.case), Err(EvalError::NoRuleApplies(0)));
    assert!(w.shown.iter().any(|(f, _)| f == "申请.频次"), "{:?}", w.shown);
}

#[test]
fn covering_rules_make_no_gap() {
    let p = with_head(
        r#"enum 结论 { 准入, 退回 }
input 申请 { 频次: int, 依据: text? }
rule 高频 cite s.a { when 申请.频次 > 5 then 退回 "高频" }
rule 低频 cite s.a { when 申请.频次 <= 5 and 申请.依据 is some then 准入 "低频" }
rule 无依据 cite s.a { when 申请.依据 is none then 退回 "无依据" }
decision d: 结论 by priority 退回 > 准入 total"#,
    );
    assert!(analyse(&p).findings.is_empty(), "{:?}", kinds(&analyse(&p)));
}

#[test]
fn tied_outcomes_with_different_values_keep_the_first_rules_values() {
    let p = with_head(
        r#"enum 结论 { 准入, 退回 { 补正: set of text } }
input 申请 { 依据: text?, 频次: int }
rule 无依据 cite s.a { when 申请.依据 is none then 退回 { 补正: ["补依据"] } "无依据" }
rule 高频 cite s.a { when 申请.频次 > 10 then 退回 { 补正: ["减频次"] } "高频" }
decision d: 结论 by priority 退回 > 准入 default 准入 "默认""#,
    );
    let a = analyse(&p);
    let w = witness(&a, |k| matches!(k, FindingKind::TiedValues { .. }));
    let r = decide(&p, &w.case).expect("decides");
    assert_eq!(r.outcomes[0].rule, Some(rule(&p, "无依据")), "the first rule's values are kept");
    let all = decide(&collecting(&p), &w.case).expect("decides");
    let values: Vec<&Vec<Value>> = all.outcomes.iter().map(|o| &o.fields).collect();
    assert_eq!(all.outcomes.len(), 2);
    assert_ne!(values[0], values[1], "both fire, with different values");
}

#[test]
fn equal_values_at_one_rank_are_no_tie() {
    let p = with_head(
        r#"enum 结论 { 准入, 退回 { 补正: set of text } }
input 申请 { 依据: text?, 频次: int }
rule 无依据 cite s.a { when 申请.依据 is none then 退回 { 补正: ["补正"] } "无依据" }
rule 高频 cite s.a { when 申请.频次 > 10 then 退回 { 补正: ["补正"] } "高频" }
decision d: 结论 by priority 退回 > 准入 default 准入 "默认""#,
    );
    assert!(analyse(&p).findings.is_empty(), "{:?}", kinds(&analyse(&p)));
}

#[test]
fn a_shadowed_rule_fires_only_where_an_earlier_one_decides() {
    let p = with_head(
        r#"enum 结论 { 宽, 严 }
input 申请 { 频次: int }
rule 较高 cite s.a { when 申请.频次 > 5 then 严 "较高" }
rule 很高 cite s.a { when 申请.频次 > 10 then 宽 "很高" }
decision d: 结论 by first default 宽 "默认""#,
    );
    let a = analyse(&p);
    let (higher, highest) = (rule(&p, "较高"), rule(&p, "很高"));
    let w = witness(&a, |k| *k == FindingKind::Shadowed { rule: highest, by: vec![higher] });
    let r = decide(&p, &w.case).expect("decides");
    assert_eq!(r.outcomes[0].rule, Some(higher));
    let all = decide(&collecting(&p), &w.case).expect("decides");
    assert!(all.outcomes.iter().any(|o| o.rule == Some(highest)), "the shadowed rule does fire there");
}

#[test]
fn dead_rules_and_exceptions_are_reported_without_a_witness() {
    let p = with_head(
        r#"enum 结论 { 准入, 退回 }
input 申请 { 频次: int, 状态: 状态 }
rule 矛盾 cite s.a { when 申请.频次 > 10 and 申请.频次 < 3 then 退回 "矛盾" }
rule 战时 cite s.a { when 申请.状态 == 战时 then 退回 "战时" }
exception 平时例外 to 战时 cite s.a { when 申请.状态 == 平时 }
rule 全排除 cite s.a { when 申请.频次 > 1 then 退回 "全排除" unless 申请.频次 >= 0 }
decision d: 结论 by priority 退回 > 准入 default 准入 "默认""#,
    );
    let a = analyse(&p);
    for (name, under) in [("矛盾", false), ("平时例外", true), ("全排除", false)] {
        let f = a
            .findings
            .iter()
            .find(|f| f.kind == FindingKind::Dead { rule: rule(&p, name), under_target: under })
            .unwrap_or_else(|| panic!("{name} not reported: {:?}", kinds(&a)));
        assert!(f.witness.is_none());
    }
    assert_eq!(a.findings.len(), 3, "{:?}", kinds(&a));
}

#[test]
fn conflicting_exceptions_are_shown_by_the_interpreters_conflict() {
    let p = with_head(
        r#"enum 结论 { 准入, 临时, 退回 }
input 申请 { 状态: 状态, 类别: 类别, 频次: int }
rule 基本 cite s.a { when 申请.频次 > 0 then 准入 "基本" }
exception 战时 to 基本 cite s.a { when 申请.状态 == 战时 then 临时 "战时" }
exception 应急 to 基本 cite s.a { when 申请.类别 == 应急 then 退回 "应急" }
decision d: 结论 by priority 退回 > 临时 > 准入 default 准入 "默认""#,
    );
    let a = analyse(&p);
    let (base, war, emergency) = (rule(&p, "基本"), rule(&p, "战时"), rule(&p, "应急"));
    let w = witness(&a, |k| *k == FindingKind::ExceptionConflict { base, rules: [war, emergency] });
    let r = decide(&p, &w.case).expect("decides");
    assert!(
        r.conflicts.iter().any(|c| matches!(c, Conflict::Exceptions { base: b, .. } if *b == base)),
        "{r:?}"
    );
}

#[test]
fn unused_input_fields_are_reported() {
    let p = with_head(
        r#"enum 结论 { 准入, 退回 }
input 申请 { 频次: int, 备注: text }
rule 高频 cite s.a { when 申请.频次 > 5 then 退回 "高频" }
decision d: 结论 by priority 退回 > 准入 default 准入 "默认""#,
    );
    assert_eq!(kinds(&analyse(&p)), vec![&FindingKind::UnusedInput { slot: 1 }]);
}

#[test]
fn a_total_decision_resting_on_a_product_is_not_decided_exactly() {
    // `申请.a * 申请.a` is never negative, but the analyser treats the product as free: it
    // says it cannot decide rather than claim a gap.
    let p = with_head(
        r#"enum 结论 { 准入 }
input 申请 { a: int }
rule 非负 cite s.a { when 申请.a * 申请.a >= 0 then 准入 "非负" }
decision d: 结论 by priority 准入 total"#,
    );
    let a = analyse(&p);
    assert!(
        matches!(kinds(&a).as_slice(), [FindingKind::Undecided { question: findings::Question::Gap, terms }] if terms.len() == 1),
        "{:?}",
        kinds(&a)
    );
}

#[test]
fn a_gap_behind_a_product_is_found_with_a_witness() {
    let p = with_head(
        r#"enum 结论 { 准入, 退回 }
input 申请 { 频次: int, 分钟: int }
let 工作量 = 申请.频次 * 申请.分钟
rule 超限 cite s.a { when 工作量 > 600 then 退回 "超限" }
rule 少量 cite s.a { when 工作量 <= 60 then 准入 "少量" }
decision d: 结论 by priority 退回 > 准入 total"#,
    );
    let a = analyse(&p);
    let w = witness(&a, |k| *k == FindingKind::Gap);
    assert_eq!(decide(&p, &w.case), Err(EvalError::NoRuleApplies(0)));
}

const LISTS: &str = r#"enum 层级 { 区级, 街道 }
enum 状态值 { 已赋权, 未赋权 }
record 部门 { 编号: text, 层级: 层级 }
list 部门清单: 部门 key 编号 {
  item "QU" { 层级: 区级 }
  item "JD" { 层级: 街道 }
}
record 事项 { 编码: text, 状态: 状态值, 执法主体: 部门清单, 监管: 部门清单? }
list 事项清单: 事项 key 编码 {
  item "A" { 状态: 已赋权, 执法主体: "JD", 监管: "QU" }
  item "B" { 状态: 已赋权, 执法主体: "JD" }
  item "C" { 状态: 未赋权, 执法主体: "QU" }
  item "D" { 状态: 未赋权, 执法主体: "QU" }
}
check 赋权须有监管 cite s.a {
  for x in 事项清单 where x.状态 == 已赋权
  must x has 监管 "赋权事项须有监管部门"
}
check 赋权由街道执法 cite s.a {
  for x in 事项清单 where x.状态 == 已赋权
  must x.执法主体.层级 == 街道 "赋权事项由街道执法"
}
enum 结论 { 准入, 退回 }
input 申请 { 事项: 事项清单 }
rule 已赋权 cite s.a { when 申请.事项.状态 == 已赋权 then 退回 "已赋权" }
rule 某部门 cite s.a { when 申请.事项.执法主体 == "XQ" then 退回 "某部门" }
decision d: 结论 by priority 退回 > 准入 default 准入 "默认"
"#;

#[test]
fn list_integrity_rows_breaking_checks_repeated_rows_and_unknown_keys() {
    let p = with_head(LISTS);
    let a = analyse(&p);
    let list = |name: &str| p.lists.iter().position(|l| l.name == name).expect("list") as u32;
    // B has no supervising body: the check says so for that row, and the interpreter agrees.
    let breaks = a
        .findings
        .iter()
        .find_map(|f| match &f.kind {
            FindingKind::ListCheck { check: 0, rows } => Some(rows.clone()),
            _ => None,
        })
        .expect("W0407 for 赋权须有监管");
    assert_eq!(breaks, vec![1]);
    let ev = Evaluator::new(&p);
    let case = vec![Value::None; p.slots.len()];
    let mut f = ev.frame(&case);
    assert_eq!(ev.check(0, &mut f).expect("evaluates").hits, vec![Some(Value::Row(1))]);
    assert!(
        !kinds(&a).iter().any(|k| matches!(k, FindingKind::ListCheck { check: 1, .. })),
        "every delegated row is enforced by a street"
    );
    assert!(kinds(&a).contains(&&FindingKind::DuplicateRows { list: list("事项清单"), rows: [2, 3] }));
    assert!(kinds(&a).contains(&&FindingKind::UnknownKey { list: list("部门清单"), key: Value::text("XQ") }));
}

#[test]
fn analysing_the_bundled_shapes_never_panics_on_empty_lists_and_optionals() {
    let p = with_head(
        r#"enum 结论 { 准入, 退回 }
record 行 { 号: int, 值: decimal? }
list 空: 行 key 号 {}
input 申请 { 行: 空?, 金额: decimal?, 标签: set of 类别, 名: text? }
rule 甲 cite s.a { when 申请.行 is some and 申请.行.值 is some and 申请.行.值 > 1.5 then 退回 "甲" }
rule 乙 cite s.a { when 申请.金额 is some and 申请.金额 >= 10.25 and 应急 in 申请.标签 then 退回 "乙" }
rule 丙 cite s.a { when 申请.名 is some and length(申请.名) > 3 then 准入 "丙" }
decision d: 结论 by unique total"#,
    );
    let a = analyse(&p);
    // 甲 can never hold (the list is empty); 乙 and 丙 overlap; no rule fires for most inputs.
    assert!(kinds(&a).contains(&&FindingKind::Dead { rule: 0, under_target: false }), "{:?}", kinds(&a));
    let w = witness(&a, |k| *k == FindingKind::UniqueOverlap { rules: [1, 2] });
    assert!(decide(&p, &w.case)
        .expect("decides")
        .conflicts
        .iter()
        .any(|c| matches!(c, Conflict::Unique { .. })));
    let gap = witness(&a, |k| *k == FindingKind::Gap);
    assert_eq!(decide(&p, &gap.case), Err(EvalError::NoRuleApplies(0)));
}

#[test]
fn a_required_row_of_an_empty_list_leaves_no_input_and_no_panic() {
    let p = with_head(
        r#"enum 结论 { 准入, 退回 }
record 行 { 号: int, 类: 类别 }
list 空: 行 key 号 {}
input 申请 { 行: 空, 频次: int }
rule 甲 cite s.a { when 申请.行.类 == 应急 then 退回 "甲" }
rule 乙 cite s.a { when 申请.频次 > 3 then 准入 "乙" }
decision d: 结论 by unique total"#,
    );
    // No input exists (no row can be named): no decision can do anything, so there is no
    // overlap and no gap to show, and no input to show one with.
    let a = analyse(&p);
    assert!(a.findings.is_empty(), "{:?}", kinds(&a));
    let same = diff(&p, &p, [None, None]);
    assert!(same.is_empty());
}

/// A policy of `n` rules giving `是`, rule i with condition `cond(i)`, in one decision.
fn many_rules(n: usize, cond: &dyn Fn(usize) -> String, combining: &str) -> Policy {
    let mut text = String::from("enum 结论 { 是, 否 }\ninput 申请 { x: int, s: text }\n");
    for i in 0..n {
        text += &format!("rule r{i} cite s.a {{ when {} then 是 \"r{i}\" }}\n", cond(i));
    }
    text += &format!("decision d: 结论 by {combining} default 否 \"默认\"");
    with_head(&text)
}

/// n rules comparing one field with n constants. With a child per cell (2n + 1 cells)
/// each rule's condition alone held 2n + 1 links, and each was evaluated on every cell:
/// 20,000 rules took 3.2 GB and 27 s. Now each rule costs a few nodes per bit of a cell
/// number, whatever the combining, and the findings are the ones there are.
#[test]
fn many_rules_on_one_field_cost_a_few_diagram_nodes_each() {
    let n = if std::env::var_os("QINGDAN_LARGE_TESTS").is_some() { 20_000 } else { 2_000 };
    let above = |i: usize| format!("申请.x > {i}");
    let equal = |i: usize| format!("申请.x == {i}");
    let text = |i: usize| format!("申请.s == \"t{i}\"");
    type Condition<'a> = &'a dyn Fn(usize) -> String;
    let shapes: [(&str, Condition, &str, usize); 5] = [
        ("thresholds, priority", &above, "priority 是 > 否", 0),
        ("values, unique", &equal, "unique", 0),
        ("texts, priority", &text, "priority 是 > 否", 0),
        // Every rule but the first is shadowed by the one before.
        ("thresholds, first", &above, "first", n - 1),
        // Overlaps are reported for the first 20 pairs.
        ("thresholds, unique", &above, "unique", 20),
    ];
    for (shape, cond, combining, expected) in shapes {
        let p = many_rules(n, cond, combining);
        let mut ctx = Ctx::new(vec![&p]);
        let found = findings::decisions(&mut ctx);
        assert_eq!(found.len(), expected, "{shape}");
        let links = ctx.mdd.size();
        assert!(links <= 60 * n, "{shape}: {links} links for {n} rules");
    }
}

/// `a_i = a_(i-1) + 1`, 20,000 long: each constant let was computed in a frame of its own,
/// from `a0` again each time (quadratic, and 20,000 evaluations deep).
#[test]
fn a_long_chain_of_constant_lets_is_computed_once_each() {
    let n = 20_000;
    let mut text = String::from("policy t\nlet a0 = 1\n");
    for i in 1..n {
        text += &format!("let a{i} = a{} + 1\n", i - 1);
    }
    let program =
        qingdan_dsl::check_files(vec![("t.qd".into(), Ok(text.into_bytes()))], &mut qingdan_dsl::NoFiles);
    let p = crate::lower(&program, None).expect("lowers");
    let space = super::space::Space::new(vec![&p]);
    let constant = &space.lets[0].constant;
    assert_eq!(constant.len(), n);
    assert_eq!(constant[n - 1], Some(Value::Int(n as i64)));
}

/// One rule with n exceptions. Conflicts among them were found pair by pair (n² / 2
/// intersections) and every conflicting pair was searched for an input; now the regions
/// come from running unions and the first 20 pairs are shown.
#[test]
fn many_exceptions_of_one_rule_cost_a_few_diagram_nodes_each() {
    let n = if std::env::var_os("QINGDAN_LARGE_TESTS").is_some() { 20_000 } else { 2_000 };
    for (shape, overlapping) in [("disjoint", false), ("overlapping, two outcomes", true)] {
        let mut text = String::from("enum 结论 { 是, 否, 待定 }\ninput 申请 { x: int }\n");
        text += "rule base cite s.a { when 申请.x > 0 then 是 \"base\" }\n";
        for i in 0..n {
            let (cond, outcome) = match overlapping {
                false => (format!("申请.x == {}", i + 1), "否"),
                true => (format!("申请.x > {i}"), if i % 2 == 0 { "否" } else { "待定" }),
            };
            text += &format!("exception e{i} to base cite s.a {{ when {cond} then {outcome} \"e{i}\" }}\n");
        }
        text += "decision d: 结论 by priority 否 > 待定 > 是 default 是 \"默认\"";
        let p = with_head(&text);
        let mut ctx = Ctx::new(vec![&p]);
        let found = findings::decisions(&mut ctx);
        let conflicts =
            found.iter().filter(|f| matches!(f.kind, FindingKind::ExceptionConflict { .. })).count();
        assert_eq!(conflicts, if overlapping { super::decide::MAX_CONFLICT_PAIRS } else { 0 }, "{shape}");
        let links = ctx.mdd.size();
        assert!(links <= 60 * n, "{shape}: {links} links for {n} exceptions");
    }
}
