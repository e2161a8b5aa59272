//! The WASM target against the interpreter: every bundled case, decided by every decision
//! of its policy, gives the same result (outcomes with their values, fired and overridden
//! rules, conflicts, errors) through the compiled module on wasmtime as through the
//! interpreter; checks give the same hits; every module passes wasmparser validation.

use std::path::{Path, PathBuf};

use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::Evaluator;
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
