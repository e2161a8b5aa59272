//! The Rust host on arbitrary bytes as a module. The first byte says whether to load the
//! rest as it is (the seal must then hold: almost every mutation stops at E0501) or to
//! seal it again first, as someone who alters a module on purpose would, so that the
//! manifest checks, validation, instantiation and evaluation see the mutated module.
//! Each module that loads decides and checks the fixed cases that fit it, and a case of
//! default values for its own input slots. The host must answer with a coded error, never
//! panic or hang (fuel bounds every call).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qingdan_engine::cases::CaseReader;
use qingdan_engine::ir::Type;
use qingdan_engine::wasm::{host, integrity};
use qingdan_engine::{Policy, Value};

/// Cases of the seed module's policy (tests/fixtures/cases/policy.qd).
const CASES: &str = include_str!("../../tests/fixtures/cases/valid.jsonl");

fn default_value(p: &Policy, ty: &Type) -> Value {
    match ty {
        Type::Bool => Value::Bool(false),
        Type::Int => Value::Int(0),
        Type::Decimal => Value::Dec(0),
        Type::Text => Value::text("文本"),
        Type::Date => Value::Date(0),
        Type::Enum(_) => Value::Enum(0),
        Type::Row(l) if p.lists.get(*l as usize).is_some_and(|l| !l.rows.is_empty()) => Value::Row(0),
        Type::Row(_) | Type::Opt(_) => Value::None,
        Type::Set(_) => Value::Set(Vec::new().into()),
    }
}

fn evaluate(p: &Policy, inst: &mut host::Instance, case: &[Value]) {
    if inst.place(case).is_err() {
        return;
    }
    for d in 0..p.decisions.len() as u32 {
        let _ = inst.decide(d);
    }
    for c in 0..p.checks.len() as u32 {
        let _ = inst.check(c);
    }
    for l in 0..p.lets.len() as u32 {
        let _ = inst.let_value(l);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&how, rest)) = data.split_first() else { return };
    let bytes =
        if how % 2 == 1 { integrity::reseal(rest).unwrap_or_else(|_| rest.to_vec()) } else { rest.to_vec() };
    let Ok(module) = host::Module::load(&bytes) else { return };
    let Ok(policy) = module.policy() else { return };
    let Ok(mut inst) = module.instantiate() else { return };
    let reader = CaseReader::new(&policy);
    for case in reader.lines(CASES.as_bytes()).flatten() {
        evaluate(&policy, &mut inst, &case);
    }
    let defaults: Vec<Value> = policy.slots.iter().map(|s| default_value(&policy, &s.ty)).collect();
    evaluate(&policy, &mut inst, &defaults);
});
