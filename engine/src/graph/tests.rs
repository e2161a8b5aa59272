//! Unit tests of the dependency graph: built from small policies through the real front
//! end and lowering, and from hand-made IR for what lowering would refuse (cycles).

use qingdan_dsl::{FileId, NoFiles, Span};

use super::*;
use crate::ir::lower;
use crate::value::Value;

/// Two inputs sharing a field name, lets in a chain, an exception, two decisions, a list
/// whose rows point into another, a constant key, and a clause nobody cites.
const POLICY: &str = r#"
政策 测试图

来源 规定 "某规定" (2024-01-01) {
  条款 一 "第一条"
  条款 二 "第二条"
  条款 三 "未引用的一条"
}

枚举 结论 { 通过, 不通过 }
枚举 等级 { 县级, 乡镇 }

记录 部门 {
  编号: 文本
  名称: 文本
  层级: 等级
}

清单 部门清单: 部门 键 编号 {
  条目 "MZ" { 名称: "民政局", 层级: 县级 }
  条目 "JD" { 名称: "街道", 层级: 乡镇 }
}

记录 事项 {
  序号: 整数
  牵头: 部门清单
}

清单 事项清单: 事项 键 序号 {
  条目 1 { 牵头: "MZ" }
}

输入 申请 {
  频次: 整数
  时长: 整数
  加急: 布尔
  名称: 文本
}

输入 复核 {
  频次: 整数
}

令 工作量 = 申请.频次 * 申请.时长
令 超量 = 工作量 > 600
令 有民政 = "MZ" 属于 部门清单

规则 工作量超限 用于 准入 引用 规定.一 {
  当 超量
  则 不通过 "每月工作量超过 600 分钟"
}

例外 加急 针对 工作量超限 引用 规定.二 {
  当 申请.加急
  则 通过 "加急事项放行"
}

规则 复核过频 用于 复核结论 引用 规定.二 {
  当 复核.频次 > 10
  则 不通过 "复核过于频繁"
}

决定 准入: 结论 按 优先 不通过 > 通过 默认 通过 "符合条件"
决定 复核结论: 结论 按 优先 不通过 > 通过 默认 通过 "符合条件"

检查 有民政部门 引用 规定.一 {
  须 有民政 "部门清单须有民政局"
}

检查 工作量非负 引用 规定.一 {
  须 工作量 >= 0 "工作量不能为负"
}
"#;

fn lowered(src: &str) -> Policy {
    let program = qingdan_dsl::check_files(vec![("t.qd".into(), Ok(src.as_bytes().to_vec()))], &mut NoFiles);
    assert!(!program.has_errors(), "{:?}", program.diagnostics);
    lower(&program, None).expect("lowers")
}

fn graph() -> DepGraph {
    build(&lowered(POLICY)).expect("no cycle")
}

fn labels(g: &DepGraph, nodes: &[NodeId]) -> Vec<String> {
    nodes.iter().map(|&n| g.node(n).label.clone()).collect()
}

fn names<T: Copy>(g: &DepGraph, ids: &[T], kind: impl Fn(T) -> NodeKind) -> Vec<String> {
    ids.iter().map(|&i| g.node(g.find(kind(i)).expect("node")).label.clone()).collect()
}

fn edge(g: &DepGraph, from: &str, to: &str) -> Option<EdgeKind> {
    let id = |l: &str| g.nodes().find(|(_, n)| n.label == l).map(|(i, _)| i);
    let (a, b) = (id(from)?, id(to)?);
    g.edges().into_iter().find(|(x, y, _)| *x == a && *y == b).map(|(_, _, k)| k)
}

#[test]
fn impact_of_a_field_reaches_exactly_the_decisions_reading_it_through_lets() {
    let g = graph();
    let i = g.impact("申请.频次").expect("known field");
    assert_eq!(labels(&g, &i.affected), ["申请.频次", "工作量", "超量", "工作量超限", "准入", "工作量非负"]);
    assert_eq!(names(&g, &i.decisions, NodeKind::Decision), ["准入"]);
    assert_eq!(names(&g, &i.checks, NodeKind::Check), ["工作量非负"]);

    let other = g.impact("复核.频次").expect("known field");
    assert_eq!(names(&g, &other.decisions, NodeKind::Decision), ["复核结论"]);
    assert!(other.checks.is_empty());

    // `时长` belongs to one input only, so the input's name may be left out.
    assert_eq!(g.impact("时长").expect("short path").decisions, i.decisions);
    let unread = g.impact("申请.名称").expect("known field");
    assert!(unread.decisions.is_empty() && unread.checks.is_empty());
}

#[test]
fn impact_of_a_clause_follows_exceptions_to_their_decision() {
    let g = graph();
    let i = g.impact("规定.二").expect("cited clause");
    assert_eq!(names(&g, &i.decisions, NodeKind::Decision), ["准入", "复核结论"]);
    assert!(labels(&g, &i.affected).contains(&"加急".to_string()));
    let first = g.impact("规定.一").expect("cited clause");
    assert_eq!(names(&g, &first.checks, NodeKind::Check), ["有民政部门", "工作量非负"]);
    // A clause that exists but is never cited affects nothing; it is not an error.
    let uncited = g.impact("规定.三").expect("existing clause");
    assert!(uncited.targets.is_empty() && uncited.decisions.is_empty());
}

#[test]
fn why_lists_everything_a_decision_rests_on_and_nothing_else() {
    let g = graph();
    let w = g.why("准入").expect("decision");
    assert_eq!(labels(&g, &w.targets), ["准入"]);
    assert_eq!(
        labels(&g, &w.dependencies),
        ["申请.频次", "申请.时长", "申请.加急", "规定.一", "规定.二", "工作量", "超量", "加急", "工作量超限"]
    );
    let check = g.why("有民政部门").expect("check");
    assert_eq!(labels(&g, &check.dependencies), ["规定.一", "部门清单", "部门清单[MZ]", "有民政"]);
}

#[test]
fn exceptions_override_their_target_and_rows_and_references_are_linked() {
    let g = graph();
    assert_eq!(edge(&g, "加急", "工作量超限"), Some(EdgeKind::Overrides));
    assert_eq!(edge(&g, "工作量超限", "准入"), Some(EdgeKind::Decides));
    assert_eq!(edge(&g, "加急", "准入"), None, "an exception decides through its target");
    assert_eq!(edge(&g, "规定.二", "加急"), Some(EdgeKind::Cites));
    assert_eq!(edge(&g, "部门清单", "部门清单[MZ]"), Some(EdgeKind::Contains));
    assert_eq!(edge(&g, "部门清单[MZ]", "有民政"), Some(EdgeKind::Reads));
    // 事项清单 is read by nothing but lies in the policy's file; its rows name departments.
    assert_eq!(edge(&g, "部门清单", "事项清单"), Some(EdgeKind::References));
    let kind = |l: &str| g.nodes().find(|(_, n)| n.label == l).map(|(_, n)| n.kind.name());
    assert_eq!(kind("加急"), Some("exception"));
    assert_eq!(kind("工作量超限"), Some("rule"));
    assert_eq!(g.topological_rules(), [1, 0, 2], "an exception is evaluated before its target");
}

#[test]
fn topological_lets_agree_with_lowering() {
    // The bundled policies include CSV rows, which this pure crate cannot read; the CLI
    // test `tests/graph.rs` covers them.
    {
        let p = lowered(POLICY);
        let g = build(&p).expect("no cycle");
        let expected: Vec<LetId> = (0..p.lets.len() as LetId).collect();
        assert_eq!(g.topological_lets(), expected);
        // The whole order respects every ordering edge.
        let at = |n: NodeId| g.order().iter().position(|&x| x == n).expect("ordered");
        for (a, b, k) in g.edges() {
            assert!(!k.orders() || at(a) < at(b), "{} before {}", g.node(a).label, g.node(b).label);
        }
    }
}

#[test]
fn unknown_and_ambiguous_names_are_errors_with_help() {
    let g = graph();
    assert_eq!(
        g.impact("申请.频率"),
        Err(QueryError::Unknown { name: "申请.频率".into(), suggestion: Some("申请.频次".into()) })
    );
    let short = g.impact("时间长").expect_err("unknown");
    assert_eq!(short, QueryError::Unknown { name: "时间长".into(), suggestion: Some("申请.时长".into()) });
    assert_eq!(
        g.impact("频次"),
        Err(QueryError::Ambiguous {
            name: "频次".into(),
            candidates: vec!["复核.频次".into(), "申请.频次".into()]
        })
    );
    assert!(g.why("准人").expect_err("typo").to_string().contains("did you mean `准入`?"));
}

// ------------------------------------------------------------ hand-made IR

fn span(start: u32) -> Span {
    Span { file: FileId(0), start, end: start + 1 }
}

fn expr(kind: ExprKind, ty: Type) -> Expr {
    Expr { kind, ty, span: span(0) }
}

fn let_reading(name: &str, other: LetId, at: u32) -> Let {
    let one = expr(ExprKind::Const(Value::Int(1)), Type::Int);
    let value = expr(
        ExprKind::Arith(ArithOp::IntAdd, Box::new(expr(ExprKind::Let(other), Type::Int)), Box::new(one)),
        Type::Int,
    );
    Let { name: name.into(), ty: Type::Int, value, span: span(at), versions: Vec::new() }
}

fn rule(name: &str, exception_to: Option<RuleId>, at: u32) -> Rule {
    Rule {
        name: name.into(),
        version: None,
        decision: 0,
        exception_to,
        when: expr(ExprKind::Const(Value::Bool(true)), Type::Bool),
        unless: Vec::new(),
        then: None,
        cites: Vec::new(),
        span: span(at),
    }
}

fn policy(lets: Vec<Let>, rules: Vec<Rule>) -> Policy {
    let base: Vec<RuleId> = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.exception_to.is_none())
        .map(|(i, _)| i as RuleId)
        .collect();
    Policy {
        name: "手工".into(),
        lang: qingdan_dsl::Lang::Zh,
        inputs: Vec::new(),
        slots: Vec::new(),
        enums: vec![EnumDef { name: "结论".into(), variants: Vec::new() }],
        lists: Vec::new(),
        sources: Vec::new(),
        decision_date: None,
        lets,
        rules,
        decisions: vec![Decision {
            name: "决定".into(),
            outcome_enum: 0,
            combining: Combining::First,
            merge: false,
            default: None,
            default_cites: Vec::new(),
            rules: base,
            span: span(90),
        }],
        checks: Vec::new(),
        tests: Vec::new(),
    }
}

#[test]
fn a_let_cycle_is_named_whole_in_order_with_spans() {
    // 甲 reads 丙, 乙 reads 甲, 丙 reads 乙; 丁 is outside the cycle but depends on it.
    let lets = vec![
        let_reading("甲", 2, 10),
        let_reading("乙", 0, 20),
        let_reading("丙", 1, 30),
        let_reading("丁", 2, 40),
    ];
    let err = build(&policy(lets, Vec::new())).expect_err("cycle");
    let cycle: Vec<(&str, &str, Option<Span>)> =
        err.cycle.iter().map(|n| (n.kind.name(), n.label.as_str(), n.span)).collect();
    assert_eq!(
        cycle,
        [("let", "甲", Some(span(10))), ("let", "丙", Some(span(30))), ("let", "乙", Some(span(20)))]
    );
    assert_eq!(
        err.to_string(),
        "dependency cycle (依赖成环): let `甲` → let `丙` → let `乙` → let `甲`; each depends on the next"
    );
}

#[test]
fn a_let_reading_itself_is_a_cycle_of_one() {
    let err = build(&policy(vec![let_reading("自身", 0, 5)], Vec::new())).expect_err("cycle");
    assert_eq!(err.cycle.len(), 1);
    assert_eq!(err.cycle[0].label, "自身");
}

#[test]
fn an_exception_cycle_is_an_error_naming_both_exceptions() {
    let rules = vec![rule("基本", None, 10), rule("例外甲", Some(2), 20), rule("例外乙", Some(1), 30)];
    let err = build(&policy(Vec::new(), rules)).expect_err("cycle");
    let cycle: Vec<(&str, &str)> = err.cycle.iter().map(|n| (n.kind.name(), n.label.as_str())).collect();
    assert_eq!(cycle, [("exception", "例外甲"), ("exception", "例外乙")]);
}

#[test]
fn lists_that_point_at_each_other_are_data_not_a_cycle() {
    let mut p = policy(Vec::new(), vec![rule("基本", None, 10)]);
    let list = |name: &str, other: ListId| ListDef {
        name: name.into(),
        fields: vec![("键".into(), Type::Text), ("对方".into(), Type::Opt(Box::new(Type::Row(other))))],
        key: 0,
        rows: crate::ir::Rows::default(),
        row_spans: Vec::new(),
        span: span(50),
        dates: None,
    };
    p.lists = vec![list("部门", 1), list("人员", 0)];
    let g = build(&p).expect("references do not order evaluation");
    assert_eq!(edge(&g, "部门", "人员"), Some(EdgeKind::References));
    assert_eq!(edge(&g, "人员", "部门"), Some(EdgeKind::References));
}

#[test]
fn exports_escape_labels_and_keep_ids_ascii() {
    let label = "a\"b#<c>\\d";
    let mut p = policy(vec![let_reading(label, 1, 1), let_reading("乙", 2, 2)], Vec::new());
    p.lets.push(Let {
        name: "丙".into(),
        ty: Type::Int,
        value: expr(ExprKind::Const(Value::Int(0)), Type::Int),
        span: span(3),
        versions: Vec::new(),
    });
    let g = build(&p).expect("acyclic");
    let dot = g.view().dot();
    assert!(dot.contains(r#"n0 [label="a\"b#<c>\\d", shape=ellipse];"#), "{dot}");
    let mermaid = g.view().mermaid();
    assert!(mermaid.contains("n0(\"a#quot;b#35;#lt;c#gt;\\d\")"), "{mermaid}");
    let json: serde_json::Value = serde_json::from_str(&g.view().json()).expect("valid json");
    assert_eq!(json["nodes"][0]["label"], label);
    assert_eq!(json["edges"][0], serde_json::json!({ "from": "n1", "to": "n0", "kind": "reads" }));
    // A subgraph keeps the whole graph's ids and drops edges to nodes left out.
    let part = g.view_of(&[NodeId::new(1), NodeId::new(2)]).mermaid();
    assert_eq!(part, "flowchart LR\n  %% 手工\n  n1(\"乙\")\n  n2(\"丙\")\n  n2 --> n1\n");
}
