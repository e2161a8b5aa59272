//! Soundness of the analyser on generated policies, checked against the interpreter on
//! random inputs: no gap reported ⇒ every input gets an outcome; no overlap reported in a
//! `unique` decision ⇒ no input fires two rules; a policy's diff against itself is empty;
//! with one threshold changed, every input whose outcome changes lies in a reported
//! region, and every reported example does change.
//!
//! Policies are written as source text and go through the real front end. Conditions
//! compare input fields with constants (the fragment the analyser decides exactly), so
//! nothing may be left undecided either.

use proptest::prelude::*;
use qingdan_dsl::program::check_files;
use qingdan_dsl::NoFiles;
use qingdan_engine::analyse::diff::observe;
use qingdan_engine::analyse::{analyse, diff, FindingKind};
use qingdan_engine::eval::{Conflict, EvalError, Evaluator};
use qingdan_engine::{lower, Policy, Value};

const HEAD: &str = r#"policy p
source s "来源" { clause a "条款" }
enum 类别 { 宣传, 采集, 应急 }
enum 结论 { 准入, 临时, 退回, 拒绝 }
record 任务 { 编号: text, 类别: 类别, 频次: int }
list 任务清单: 任务 key 编号 {
  item "T1" { 类别: 宣传, 频次: 2 }
  item "T2" { 类别: 采集, 频次: 8 }
  item "T3" { 类别: 应急, 频次: 2 }
  item "T4" { 类别: 宣传, 频次: 15 }
}
input 申请 { a: int, b: int, c: 类别, d: bool, e: date, f: decimal, g: int?, h: 任务清单?, t: text }
"#;

const VARIANTS: [&str; 4] = ["准入", "临时", "退回", "拒绝"];
const CATEGORIES: [&str; 3] = ["宣传", "采集", "应急"];
const OPS: [&str; 6] = ["==", "!=", "<", "<=", ">", ">="];

/// One comparison of an input field with a constant.
#[derive(Clone, Debug)]
enum Atom {
    Num {
        field: &'static str,
        op: usize,
        k: i64,
    },
    Cat {
        eq: bool,
        v: usize,
    },
    Flag(bool),
    Before {
        month: u32,
    },
    Amount {
        op: usize,
        halves: i64,
    },
    Opt {
        k: Option<i64>,
    },
    /// The named row's category, or its count against a constant.
    Row {
        cat: Option<usize>,
        k: i64,
    },
    Text {
        eq: bool,
        which: usize,
    },
}

const TEXTS: [&str; 3] = ["防洪法", "统计法", "T2"];

impl Atom {
    fn text(&self) -> String {
        match self {
            Atom::Num { field, op, k } => format!("申请.{field} {} {k}", OPS[*op]),
            Atom::Cat { eq, v } => format!("申请.c {} {}", if *eq { "==" } else { "!=" }, CATEGORIES[*v]),
            Atom::Flag(true) => "申请.d".into(),
            Atom::Flag(false) => "not 申请.d".into(),
            Atom::Before { month } => format!("申请.e < 2024-{month:02}-01"),
            Atom::Amount { op, halves } => {
                format!("申请.f {} {}.{}", OPS[*op], halves / 2, if halves % 2 == 1 { 5 } else { 0 })
            }
            Atom::Opt { k: Some(k) } => format!("(申请.g is some and 申请.g > {k})"),
            Atom::Opt { k: None } => "申请.g is none".into(),
            Atom::Row { cat: Some(v), .. } => {
                format!("(申请.h is some and 申请.h.类别 == {})", CATEGORIES[*v])
            }
            Atom::Row { cat: None, k } => format!("(申请.h is some and 申请.h.频次 > {k})"),
            // `申请.t in 任务清单` looks the text up as a key.
            Atom::Text { eq: true, which: 2 } => "申请.t in 任务清单".into(),
            Atom::Text { eq, which } => {
                format!("申请.t {} \"{}\"", if *eq { "==" } else { "!=" }, TEXTS[*which])
            }
        }
    }
}

fn atom() -> impl Strategy<Value = Atom> {
    prop_oneof![
        (prop::sample::select(vec!["a", "b"]), 0..6usize, 0i64..20).prop_map(|(field, op, k)| Atom::Num {
            field,
            op,
            k
        }),
        (any::<bool>(), 0..3usize).prop_map(|(eq, v)| Atom::Cat { eq, v }),
        any::<bool>().prop_map(Atom::Flag),
        (1u32..4).prop_map(|month| Atom::Before { month }),
        (0..6usize, 0i64..30).prop_map(|(op, halves)| Atom::Amount { op, halves }),
        prop::option::of(0i64..20).prop_map(|k| Atom::Opt { k }),
        (prop::option::of(0..3usize), 0i64..16).prop_map(|(cat, k)| Atom::Row { cat, k }),
        (any::<bool>(), 0..3usize).prop_map(|(eq, which)| Atom::Text { eq, which }),
    ]
}

/// A condition: one to three atoms joined by `and` / `or`.
#[derive(Clone, Debug)]
struct Cond {
    atoms: Vec<Atom>,
    ors: Vec<bool>,
}

impl Cond {
    fn text(&self) -> String {
        let mut s = self.atoms[0].text();
        for (a, or) in self.atoms[1..].iter().zip(&self.ors) {
            s = format!("({s}) {} {}", if *or { "or" } else { "and" }, a.text());
        }
        s
    }
}

fn cond() -> impl Strategy<Value = Cond> {
    (prop::collection::vec(atom(), 1..4), prop::collection::vec(any::<bool>(), 3))
        .prop_map(|(atoms, ors)| Cond { atoms, ors })
}

#[derive(Clone, Debug)]
struct RuleSpec {
    when: Cond,
    unless: Option<Cond>,
    variant: usize,
    /// An exception: (index of an earlier rule it targets, whether it gives an outcome).
    exception: Option<(usize, bool)>,
}

#[derive(Clone, Debug)]
struct Spec {
    rules: Vec<RuleSpec>,
    combining: usize,
    default: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    let rule = (
        cond(),
        prop::option::of(cond()),
        0..4usize,
        prop::option::weighted(0.3, (0..8usize, any::<bool>())),
    )
        .prop_map(|(when, unless, variant, exception)| RuleSpec { when, unless, variant, exception });
    (prop::collection::vec(rule, 1..6), 0..4usize, any::<bool>())
        .prop_map(|(rules, combining, default)| Spec { rules, combining, default })
}

impl Spec {
    fn text(&self) -> String {
        let mut s = HEAD.to_string();
        for (i, r) in self.rules.iter().enumerate() {
            let unless = r.unless.as_ref().map(|u| format!(" unless {}", u.text())).unwrap_or_default();
            // An exception targets an earlier top-level rule; the first rule is always one.
            match r.exception.filter(|_| i > 0) {
                Some((t, then)) => {
                    let target = self.top_rule(t % i);
                    let then = if then {
                        format!(" then {} \"例外{i}\"", VARIANTS[r.variant])
                    } else {
                        String::new()
                    };
                    s += &format!(
                        "exception r{i} to r{target} cite s.a {{ when {}{then}{unless} }}\n",
                        r.when.text()
                    );
                }
                None => {
                    s += &format!(
                        "rule r{i} cite s.a {{ when {} then {} \"规则{i}\"{unless} }}\n",
                        r.when.text(),
                        VARIANTS[r.variant]
                    )
                }
            }
        }
        let how = ["priority 拒绝 > 退回 > 临时 > 准入", "first", "unique", "collect"][self.combining];
        let end = if self.default { "default 准入 \"默认\"" } else { "total" };
        s + &format!("decision d: 结论 by {how} {end}\n")
    }

    /// The rule an exception at index `i` ends up targeting (exceptions of exceptions are
    /// allowed too, but kept simple here: the nearest rule at or before `i`).
    fn top_rule(&self, i: usize) -> usize {
        (0..=i).rev().find(|j| *j == 0 || self.rules[*j].exception.is_none()).unwrap_or(0)
    }

    /// The same policy with one constant of the first numeric atom moved by `delta`.
    fn mutated(&self, delta: i64) -> Option<Spec> {
        let mut m = self.clone();
        for r in &mut m.rules {
            for a in &mut r.when.atoms {
                if let Atom::Num { k, .. } = a {
                    *k += delta;
                    return Some(m);
                }
            }
        }
        None
    }
}

fn lowered(text: &str) -> Policy {
    let program = check_files(vec![("p.qd".into(), Ok(text.as_bytes().to_vec()))], &mut NoFiles);
    let errors: Vec<_> =
        program.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.en.clone()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{text}");
    lower(&program, None).expect("lowers")
}

/// Random inputs over small ranges, so that thresholds are crossed often.
fn inputs() -> impl Strategy<Value = Vec<Vec<Value>>> {
    let one = (
        -2i64..24,
        -2i64..24,
        0u32..3,
        any::<bool>(),
        19_700i32..19_800,
        0i64..32,
        prop::option::of(-1i64..24),
    )
        .prop_map(|(a, b, c, d, e, halves, g)| {
            vec![
                Value::Int(a),
                Value::Int(b),
                Value::Enum(c),
                Value::Bool(d),
                Value::Date(e),
                Value::Dec(halves * 500_000),
                g.map_or(Value::None, Value::Int),
            ]
        });
    prop::collection::vec(one, 48)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn no_gap_reported_means_every_input_gets_an_outcome(spec in spec(), cases in inputs()) {
        let spec = Spec { default: false, ..spec };
        let p = lowered(&spec.text());
        let a = analyse(&p);
        let gap = a.findings.iter().any(|f| matches!(f.kind, FindingKind::Gap));
        let undecided = a.findings.iter().any(|f| matches!(f.kind, FindingKind::Undecided { .. }));
        prop_assert!(!undecided, "comparisons with constants are decided exactly");
        let ev = Evaluator::new(&p);
        for case in &cases {
            let mut f = ev.frame(case);
            let result = ev.decide(0, &mut f);
            if !gap {
                prop_assert!(!matches!(result, Err(EvalError::NoRuleApplies(_))), "no gap reported, but {case:?} gets no outcome\n{}", spec.text());
            }
        }
    }

    #[test]
    fn no_overlap_reported_means_no_input_fires_two_rules(spec in spec(), cases in inputs()) {
        let spec = Spec { combining: 2, ..spec };
        let p = lowered(&spec.text());
        let a = analyse(&p);
        let overlap = a.findings.iter().any(|f| matches!(f.kind, FindingKind::UniqueOverlap { .. }));
        let undecided = a.findings.iter().any(|f| matches!(f.kind, FindingKind::Undecided { .. }));
        prop_assert!(!undecided, "comparisons with constants are decided exactly");
        let ev = Evaluator::new(&p);
        for case in &cases {
            let mut f = ev.frame(case);
            if let Ok(r) = ev.decide(0, &mut f) {
                let two = r.conflicts.iter().any(|c| matches!(c, Conflict::Unique { .. }));
                prop_assert!(overlap || !two, "no overlap reported, but {case:?} fires {:?}\n{}", r.fired, spec.text());
            }
        }
    }

    #[test]
    fn a_policy_compared_with_itself_has_no_difference(spec in spec()) {
        let p = lowered(&spec.text());
        let same = lowered(&spec.text());
        let d = diff(&p, &same, [None, None]);
        prop_assert!(d.is_empty(), "{}", spec.text());
    }

    #[test]
    fn a_changed_threshold_changes_exactly_the_reported_regions(spec in spec(), delta in prop::sample::select(vec![-3i64, -1, 1, 2, 5]), cases in inputs()) {
        let Some(changed) = spec.mutated(delta) else { return Ok(()) };
        let (old, new) = (lowered(&spec.text()), lowered(&changed.text()));
        let d = diff(&old, &new, [None, None]);
        let (ev0, ev1) = (Evaluator::new(&old), Evaluator::new(&new));
        let decision = &d.decisions[0];
        prop_assert!(decision.undecided.is_empty(), "nothing is left undecided here");
        for c in &decision.changes {
            let w = c.witness.as_ref().expect("every change has an example");
            prop_assert_ne!(observe(&ev0, 0, &w.old_case), observe(&ev1, 0, &w.new_case), "the example changes");
        }
        for case in &cases {
            let changes = observe(&ev0, 0, case) != observe(&ev1, 0, case);
            let reported = d.reported("d", case).expect("shared fields");
            prop_assert_eq!(changes, reported, "input {:?}\n--- old\n{}\n--- new\n{}", case, spec.text(), changed.text());
        }
    }
}
