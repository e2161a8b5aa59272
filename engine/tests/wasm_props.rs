//! Differential testing of the WASM target: randomly generated well-typed policies (rules,
//! exceptions, every combining form, payload outcomes, lets with arithmetic that can
//! overflow or divide by zero, quantifiers, sets, texts, dates, optional fields, list
//! lookups, `if`, checks of every modality) are
//! compiled, and random cases must give the same results — outcomes and their values,
//! fired and overridden rules, conflicts, errors — in the module (wasmtime) as in the
//! interpreter. Case counts are bounded so CI stays fast.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use qingdan_dsl::program::check_files;
use qingdan_dsl::NoFiles;
use qingdan_engine::eval::Evaluator;
use qingdan_engine::ir::Type;
use qingdan_engine::wasm::{compile, host};
use qingdan_engine::{lower, Policy, Value};

const HEADER: &str = r#"policy g
source s "S" { clause c "a clause" }
enum K { k0, k1, k2 }
enum Out { ok, held { days: int }, fee { amount: decimal }, no { notes: set of text } }
record R { code: text, kind: K, n: int, due: date? }
list rows: R key code {
  item "a" { kind: k0, n: 3 }
  item "b" { kind: k1, n: 7, due: 2024-05-01 }
  item "c" { kind: k2, n: -2 }
}
input x { e: K, i: int, j: int, d: decimal, b: bool, o: int?, t: date, s: text, ks: set of K, r: rows? }
let prod = x.i * x.j
let ratio = x.d / x.i
let later = x.t + x.j
let hits = count(w in rows where w.kind == x.e)
let total = sum(w in rows of w.n * x.i where w.n > x.j)
let small = min(x.d, x.i)
let picked = rows[x.s]
let known = x.s in rows
let signed = if x.b then -x.i else x.j
let span = days_between(2024-01-01, x.t)
let tagged = sum(w in rows of w.n where w.kind in x.ks)
check rows_differ cite s.c {
  for w in rows where w.n > x.j
  must w.kind != x.e "rows of the case's kind must be small"
}
check not_large cite s.c {
  must not x.i > 40 and not x.b "large cases need b"
}
check may_b cite s.c {
  may x.b "b is allowed"
}
"#;

/// Conditions over the input, to depth `depth`.
fn cond(depth: u32) -> BoxedStrategy<String> {
    let ints = prop::sample::select(vec!["-3", "0", "2", "5", "40", "9223372036854"]);
    let decs = prop::sample::select(vec!["0.5", "2.25", "-1.5", "100"]);
    let ks = prop::sample::select(vec!["k0", "k1", "k2"]);
    let ops = prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]);
    let atom = prop_oneof![
        (ks.clone(), any::<bool>()).prop_map(|(k, eq)| format!("x.e {} {k}", if eq { "==" } else { "!=" })),
        (ops.clone(), ints.clone()).prop_map(|(op, c)| format!("x.i {op} {c}")),
        (ops.clone(), decs.clone()).prop_map(|(op, c)| format!("x.d {op} {c}")),
        (ops.clone(), decs).prop_map(|(op, c)| format!("x.j {op} {c}")),
        Just("x.b".to_string()),
        Just("x.o is some".to_string()),
        (ops.clone(), ints.clone()).prop_map(|(op, c)| format!("x.o is some and x.o {op} {c}")),
        (ops.clone(), ints.clone()).prop_map(|(op, c)| format!("prod {op} {c}")),
        (ops.clone()).prop_map(|op| format!("ratio {op} 1.5")),
        (ops.clone()).prop_map(|op| format!("later {op} 2024-03-01")),
        (ops.clone(), ints.clone()).prop_map(|(op, c)| format!("hits {op} {c}")),
        (ops.clone(), ints).prop_map(|(op, c)| format!("total {op} {c}")),
        ops.clone().prop_map(|op| format!("small {op} 1")),
        ks.prop_map(|k| format!("{k} in x.ks")),
        Just("contains(x.s, \"b\")".to_string()),
        Just("starts_with(x.s, \"a\")".to_string()),
        Just("x.s == \"ab\"".to_string()),
        Just("length(x.s) > 2".to_string()),
        Just("x.r is some and x.r.kind == x.e".to_string()),
        Just("any(w in rows where w.code == x.s)".to_string()),
        Just("all(k in x.ks where k != k2)".to_string()),
        ops.clone().prop_map(|op| format!("x.t - 2024-01-01 {op} 10")),
        Just("year(x.t) == 2024 and month(x.t) > 6".to_string()),
        Just("known".to_string()),
        Just("picked is some and picked.n > 2".to_string()),
        ops.clone().prop_map(|op| format!("signed {op} 3")),
        ops.clone().prop_map(|op| format!("span {op} 100")),
        ops.prop_map(|op| format!("tagged {op} 5")),
    ];
    if depth == 0 {
        return atom.boxed();
    }
    let sub = cond(depth - 1);
    prop_oneof![
        3 => atom,
        1 => (sub.clone(), sub.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
        1 => (sub.clone(), sub.clone()).prop_map(|(a, b)| format!("({a}) or ({b})")),
        1 => sub.prop_map(|a| format!("not ({a})")),
    ]
    .boxed()
}

/// An outcome with its values.
fn outcome() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ok \"fine\"".to_string()),
        prop::sample::select(vec!["x.i + 1", "x.j * 3", "x.t - 2024-01-01", "hits"])
            .prop_map(|e| format!("held {{ days: {e} }} \"wait\"")),
        prop::sample::select(vec!["x.d * 2", "ratio", "x.d - 0.25", "small"])
            .prop_map(|e| format!("fee {{ amount: {e} }} \"pay\"")),
        prop::sample::select(vec!["[\"a\", x.s]", "[x.s]", "[]"])
            .prop_map(|e| format!("no {{ notes: {e} }} \"no\"")),
    ]
}

#[derive(Clone, Debug)]
struct Spec {
    rules: Vec<(String, Option<String>, String)>,
    exceptions: Vec<(usize, String, Option<String>)>,
    combining: &'static str,
    default: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    let rule = (cond(2), prop::option::weighted(0.3, cond(1)), outcome());
    let exception = (0usize..8, cond(1), prop::option::weighted(0.6, outcome()));
    let combining = prop::sample::select(vec!["priority no > fee > held > ok", "first", "collect", "unique"]);
    (prop::collection::vec(rule, 1..6), prop::collection::vec(exception, 0..3), combining, any::<bool>())
        .prop_map(|(rules, exceptions, combining, default)| Spec { rules, exceptions, combining, default })
}

fn source(s: &Spec) -> String {
    let mut text = HEADER.to_string();
    for (i, (when, unless, then)) in s.rules.iter().enumerate() {
        let unless = unless.as_ref().map(|u| format!(" unless {u}")).unwrap_or_default();
        text.push_str(&format!("rule r{i} cite s.c {{ when {when} then {then}{unless} }}\n"));
    }
    for (i, (target, when, then)) in s.exceptions.iter().enumerate() {
        // Targets are earlier rules or exceptions, so the tree has no cycle.
        let n = s.rules.len() + i;
        let t = target % n;
        let target = if t < s.rules.len() { format!("r{t}") } else { format!("e{}", t - s.rules.len()) };
        let then = then.as_ref().map(|o| format!(" then {o}")).unwrap_or_default();
        text.push_str(&format!("exception e{i} to {target} cite s.c {{ when {when}{then} }}\n"));
    }
    let default = if s.default { " default ok \"by default\"" } else { " total" };
    text.push_str(&format!("decision d: Out by {}{default}\n", s.combining));
    text
}

fn policy(text: &str) -> Option<Policy> {
    let program = check_files(vec![("g.qd".into(), Ok(text.as_bytes().to_vec()))], &mut NoFiles);
    if program.has_errors() {
        return None;
    }
    lower(&program, None).ok()
}

fn value(p: &Policy, ty: &Type) -> BoxedStrategy<Value> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Int => prop_oneof![
            4 => -5i64..50,
            1 => Just(i64::MAX),
            1 => Just(-i64::MAX),
            1 => Just(4_611_686_018_427_387_904i64),
            1 => Just(9_223_372_036_855i64),
        ]
        .prop_map(Value::Int)
        .boxed(),
        Type::Decimal => prop_oneof![
            4 => -3_000_000i64..120_000_000,
            1 => Just(i64::MAX),
            1 => Just(-i64::MAX),
            1 => Just(1i64),
        ]
        .prop_map(Value::Dec)
        .boxed(),
        Type::Text => prop::sample::select(vec!["", "a", "ab", "abc", "b", "c", "网格", "ab网"])
            .prop_map(Value::text)
            .boxed(),
        Type::Date => prop_oneof![4 => 19_700i32..20_200, 1 => Just(2_932_800i32), 1 => Just(-719_500i32)]
            .prop_map(Value::Date)
            .boxed(),
        Type::Enum(e) => (0..p.enums[*e as usize].variants.len() as u32).prop_map(Value::Enum).boxed(),
        Type::Row(l) => (0..p.lists[*l as usize].rows.len() as u32).prop_map(Value::Row).boxed(),
        Type::Set(inner) => prop::collection::vec(value(p, inner), 0..4).prop_map(Value::set).boxed(),
        Type::Opt(inner) => prop_oneof![Just(Value::None), value(p, inner)].boxed(),
    }
}

fn cases(p: &Policy, n: usize) -> impl Strategy<Value = Vec<Vec<Value>>> {
    let one: Vec<BoxedStrategy<Value>> = p.slots.iter().map(|s| value(p, &s.ty)).collect();
    prop::collection::vec(one, n)
}

/// Every decision of `p`, for each case, agrees between interpreter and module.
fn agree(
    p: &Policy,
    inst: &mut host::Instance,
    cases: &[Vec<Value>],
    text: &str,
) -> Result<(), TestCaseError> {
    let ev = Evaluator::new(p);
    for case in cases {
        inst.place(case).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        for d in 0..p.decisions.len() as u32 {
            let want = ev.decide(d, &mut ev.frame(case));
            let got = inst.decide(d).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(&got, &want, "case {:?}\npolicy:\n{}", case, text);
        }
        for c in 0..p.checks.len() as u32 {
            let want = ev.check(c, &mut ev.frame(case));
            let got = inst.check(c).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(&got, &want, "check {} case {:?}", p.checks[c as usize].name, case);
        }
        for l in 0..p.lets.len() as u32 {
            let want = ev.let_value(l, &mut ev.frame(case));
            let got = inst.let_value(l).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(&got, &want, "let {} case {:?}", p.lets[l as usize].name, case);
        }
    }
    Ok(())
}

proptest! {
    // Each generated policy is compiled by wasmtime (tens of milliseconds): few policies,
    // many cases each.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_policies_agree_with_the_interpreter(s in spec(), seed in any::<u64>()) {
        let text = source(&s);
        let p = policy(&text);
        prop_assume!(p.is_some());
        let p = p.expect("checked");
        let compiled = compile(&p, "test").map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        wasmparser::Validator::new().validate_all(&compiled.bytes).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let module = host::Module::load(&compiled.bytes).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let mut inst = module.instantiate().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let mut runner = proptest::test_runner::TestRunner::new_with_rng(
            ProptestConfig::default(),
            proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &seed_bytes(seed)),
        );
        let batch = cases(&p, 64).new_tree(&mut runner).map_err(|e| TestCaseError::fail(e.to_string()))?.current();
        agree(&p, &mut inst, &batch, &text)?;
    }
}

fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&seed.wrapping_mul(i as u64 + 1).to_le_bytes());
    }
    out
}

#[test]
fn the_generated_header_checks() {
    let text =
        format!("{HEADER}rule r0 cite s.c {{ when x.b then ok \"fine\" }}\ndecision d: Out by first total\n");
    let program = check_files(vec![("g.qd".into(), Ok(text.into_bytes()))], &mut NoFiles);
    let codes: Vec<_> = program.diagnostics.iter().map(|d| (d.code, d.message.en.clone())).collect();
    assert!(!program.has_errors(), "{codes:?}");
}
