//! The case readers on arbitrary bytes, against a fixed policy that has a field of every
//! type (tests/fixtures/cases/policy.qd): the first byte picks YAML, JSON or JSON Lines,
//! the rest is the case file. Every case that reads is decided and checked by the
//! interpreter, and written back as JSON, which must read as the same case.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use qingdan_dsl::{check_files, NoFiles};
use qingdan_engine::cases::{case_to_json, CaseReader};
use qingdan_engine::eval::Evaluator;
use qingdan_engine::{Policy, Value};

const POLICY: &str = include_str!("../../tests/fixtures/cases/policy.qd");

fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| {
        let program = check_files(vec![("policy.qd".into(), Ok(POLICY.as_bytes().to_vec()))], &mut NoFiles);
        qingdan_engine::lower(&program, None).expect("the fixed policy lowers")
    })
}

fn decide(p: &Policy, case: &[Value]) {
    let ev = Evaluator::new(p);
    let mut frame = ev.frame(case);
    for d in 0..p.decisions.len() as u32 {
        let _ = ev.decide(d, &mut frame);
    }
    for c in 0..p.checks.len() as u32 {
        let _ = ev.check(c, &mut frame);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&format, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let p = policy();
    let reader = CaseReader::new(p);
    let cases: Vec<_> = match format % 3 {
        0 => reader.read_yaml(&text),
        1 => reader.read_json(&text),
        _ => reader.lines(rest).collect(),
    };
    for case in cases.into_iter().flatten() {
        decide(p, &case);
        let json = case_to_json(p, &case).to_string();
        let again = reader.read_json(&json);
        assert!(
            matches!(again.as_slice(), [Ok(c)] if *c == case),
            "a case written as JSON reads back as itself: {json}"
        );
    }
});
