//! The WASM target against the interpreter: every bundled case, decided by every decision
//! of its policy, gives the same result (outcomes with their values, fired and overridden
//! rules, conflicts, errors) through the compiled module on wasmtime as through the
//! interpreter; checks give the same hits; every module passes wasmparser validation.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::Evaluator;
use qingdan_engine::ir::Type;
use qingdan_engine::testing::read_case_file;
use qingdan_engine::wasm::{compile, host};
use qingdan_engine::{Policy, Value};

fn policies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

/// Each bundled policy file with the case files written for it.
const BUNDLED: &[(&str, &[&str])] = &[
    ("grid_admission/admission.qd", &["grid_admission/cases.yaml"]),
    ("grid_admission/withdrawal.qd", &["grid_admission/withdrawal.cases.yaml"]),
    ("township_duties/duties.qd", &["township_duties/cases.yaml"]),
    ("enforcement_catalogue/catalogue.qd", &["enforcement_catalogue/cases.yaml"]),
    ("legality_review/review.qd", &["legality_review/cases.yaml"]),
];

fn load(file: &str) -> Policy {
    qingdan::load_policy(&policies().join(file), None).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn cases(p: &Policy, file: &str) -> Vec<Vec<Value>> {
    let text = std::fs::read_to_string(policies().join(file)).expect("case file");
    let read = read_case_file(&CaseReader::new(p), &text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
    read.into_iter().filter_map(|c| c.given).collect()
}

/// Decides `case` with every decision and check, in the interpreter and in `inst`, and
/// asserts they agree.
fn agree(p: &Policy, inst: &mut host::Instance, case: &[Value], what: &str) {
    let ev = Evaluator::new(p);
    inst.place(case).unwrap_or_else(|e| panic!("{what}: {e}"));
    for l in 0..p.lets.len() as u32 {
        let mut frame = ev.frame(case);
        let want = ev.let_value(l, &mut frame);
        let got = inst.let_value(l).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(got, want, "{what}: let {}", p.lets[l as usize].name);
    }
    for d in 0..p.decisions.len() as u32 {
        let mut frame = ev.frame(case);
        let want = ev.decide(d, &mut frame);
        let got = inst.decide(d).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(got, want, "{what}: decision {}", p.decisions[d as usize].name);
    }
    for c in 0..p.checks.len() as u32 {
        let mut frame = ev.frame(case);
        let want = ev.check(c, &mut frame);
        let got = inst.check(c).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(got, want, "{what}: check {}", p.checks[c as usize].name);
    }
}

#[test]
fn every_bundled_case_agrees_with_the_interpreter() {
    for (file, case_files) in BUNDLED {
        let p = load(file);
        let compiled = compile(&p, "test").unwrap_or_else(|e| panic!("{file}: {e:?}"));
        wasmparser::Validator::new().validate_all(&compiled.bytes).expect("valid module");
        let module = host::Module::load(&compiled.bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut inst = module.instantiate().expect("instance");
        let mut n = 0;
        for cf in *case_files {
            for (i, case) in cases(&p, cf).iter().enumerate() {
                agree(&p, &mut inst, case, &format!("{cf} case {}", i + 1));
                n += 1;
            }
        }
        assert!(n >= 19, "{file}: only {n} cases");
    }
}

/// Texts worth trying for a policy: every text in its lists and its expressions, and a
/// few that match nothing.
fn texts(p: &Policy) -> Vec<String> {
    let mut out: Vec<String> = vec![String::new(), "其他".into(), "x".into()];
    let mut add = |v: &Value| {
        if let Value::Text(t) = v {
            out.push(t.to_string());
        }
    };
    p.lists.iter().flat_map(|l| l.rows.iter().flatten()).for_each(&mut add);
    let exprs = p.lets.iter().map(|l| &l.value).chain(p.rules.iter().flat_map(|r| r.exprs()));
    for e in exprs {
        qingdan_engine::ir::visit::walk(e, &mut |x| {
            if let qingdan_engine::ir::ExprKind::Const(v) = &x.kind {
                add(v);
                if let Value::Set(items) = v {
                    items.iter().for_each(&mut add);
                }
            }
        });
    }
    out.sort();
    out.dedup();
    out
}

fn value(p: &Policy, texts: &[String], ty: &Type) -> BoxedStrategy<Value> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Int => prop_oneof![6 => -2i64..2_000, 1 => any::<i64>().prop_filter("in range", |i| *i != i64::MIN)]
            .prop_map(Value::Int)
            .boxed(),
        Type::Decimal => prop_oneof![6 => 0i64..500_000_000_000, 1 => any::<i64>().prop_filter("in range", |i| *i != i64::MIN)]
            .prop_map(Value::Dec)
            .boxed(),
        Type::Text => prop::sample::select(texts.to_vec()).prop_map(|t| Value::text(&t)).boxed(),
        Type::Date => (19_000i32..21_000).prop_map(Value::Date).boxed(),
        Type::Enum(e) => (0..p.enums[*e as usize].variants.len() as u32).prop_map(Value::Enum).boxed(),
        Type::Row(l) => (0..p.lists[*l as usize].rows.len().max(1) as u32).prop_map(Value::Row).boxed(),
        Type::Set(inner) => prop::collection::vec(value(p, texts, inner), 0..4).prop_map(Value::set).boxed(),
        Type::Opt(inner) => prop_oneof![1 => Just(Value::None), 3 => value(p, texts, inner)].boxed(),
    }
}

/// Each bundled policy, lowered and compiled once for the property below.
fn compiled() -> &'static [(String, Policy, host::Module)] {
    static C: std::sync::OnceLock<Vec<(String, Policy, host::Module)>> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        BUNDLED
            .iter()
            .map(|(file, _)| {
                let p = load(file);
                let bytes = compile(&p, "test").expect("compiles").bytes;
                (file.to_string(), p, host::Module::load(&bytes).expect("loads"))
            })
            .collect()
    })
}

fn random_cases() -> impl Strategy<Value = (usize, Vec<Value>)> {
    (0..BUNDLED.len()).prop_flat_map(|i| {
        let (_, p, _) = &compiled()[i];
        let texts = texts(p);
        let slots: Vec<BoxedStrategy<Value>> = p.slots.iter().map(|s| value(p, &texts, &s.ty)).collect();
        (Just(i), slots)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_cases_of_bundled_policies_agree((i, case) in random_cases()) {
        let (file, p, module) = &compiled()[i];
        let mut inst = module.instantiate().expect("instance");
        agree(p, &mut inst, &case, file);
    }
}
