//! Ints used as decimals: every place where the checker lets an int stand for a decimal
//! (a declared let, an `if` branch, a set literal, a decimal outcome value, a decimal
//! cell of a list row, membership and `contains`) gives the decimal of the same value, in
//! the interpreter and in the compiled module alike. Both back ends once read such an
//! int as a scaled decimal (900 as 0.0009) in the module, or compared `3.0` with `3` as
//! different set elements in both; these fixtures hold the right answers, not only
//! agreement. The lowered IR and the module text of each fixture are snapshots, so a
//! reviewer sees every conversion node and the code it becomes.

use std::path::{Path, PathBuf};

use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::{explain, Evaluator};
use qingdan_engine::testing::read_case_file;
use qingdan_engine::wasm::{compile, host};
use qingdan_engine::{Policy, Value};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conversions").join(name)
}

fn load(name: &str) -> Policy {
    qingdan::load_policy(&fixture(&format!("{name}.qd")), None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn cases(p: &Policy, name: &str) -> Vec<Vec<Value>> {
    let text = std::fs::read_to_string(fixture(&format!("{name}.cases.yaml"))).expect("case file");
    let read = read_case_file(&CaseReader::new(p), &text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    read.into_iter().filter_map(|c| c.given).collect()
}

/// Per case, the fired rules and the outcome values of decision 0 — from the module,
/// after checking that every decision and let of the module equals the interpreter's.
fn decide(name: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let p = load(name);
    let ev = Evaluator::new(&p);
    let compiled = compile(&p, "test").unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let module = host::Module::load(&compiled.bytes).expect("module");
    let mut inst = module.instantiate().expect("instance");
    let mut out = Vec::new();
    for case in cases(&p, name) {
        inst.place(&case).expect("placed");
        for l in 0..p.lets.len() as u32 {
            let want = ev.let_value(l, &mut ev.frame(&case));
            assert_eq!(inst.let_value(l).expect("let"), want, "{name}: let {}", p.lets[l as usize].name);
        }
        let want = ev.decide(0, &mut ev.frame(&case));
        let got = inst.decide(0).expect("decided");
        assert_eq!(got, want, "{name}: case {case:?}");
        let result = got.expect("no error");
        let shown = explain(&ev, &result, &mut ev.frame(&case)).expect("explained");
        let fired = shown.fired.iter().map(|r| r.rule.clone()).collect();
        let values = shown.outcomes.iter().flat_map(|o| o.values.iter().map(|v| v.value.clone())).collect();
        out.push((fired, values));
    }
    out
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn an_int_used_as_a_decimal_keeps_its_value_everywhere() {
    let got = decide("int_as_decimal");
    // 900: the declared decimal, the int branch and the mixed list all exceed their bounds.
    assert_eq!(got[0], (names(&["a", "b", "c"]), names(&[])));
    // 2000: and the decimal outcome value is 2000, not 0.002.
    assert_eq!(got[1], (names(&["a", "b", "c", "e"]), names(&["2000"])));
    // 100 by household: the branch halves it (50), the list's largest is 100 (not > 100).
    assert_eq!(got[2], (names(&["a"]), names(&[])));
}

#[test]
fn an_int_in_a_decimal_list_cell_is_that_decimal() {
    let got = decide("list_row");
    let fired: Vec<Vec<String>> = got.into_iter().map(|(f, _)| f).collect();
    assert_eq!(fired, vec![names(&["dear_fee"]), names(&["dear_fee"]), names(&[])]);
}

#[test]
fn membership_compares_numbers_as_equality_does() {
    let got = decide("membership");
    let fired: Vec<Vec<String>> = got.into_iter().map(|(f, _)| f).collect();
    assert_eq!(fired, vec![names(&["member", "equal", "among", "holds"]), names(&[])]);
}

#[test]
fn the_lowered_ir_shows_every_conversion() {
    for name in ["int_as_decimal", "list_row", "membership"] {
        let p = load(name);
        insta::assert_snapshot!(format!("conversions_ir__{name}"), p.dump());
    }
}

#[test]
fn the_module_text_shows_the_code_each_conversion_becomes() {
    let p = load("int_as_decimal");
    let compiled = compile(&p, "test").expect("compiled");
    let wat = wasmprinter::print_bytes(&compiled.bytes).expect("printable");
    // The policy's own functions (lets, rules, decisions, entry points); the runtime
    // helpers every module carries first are the same in all and are left out, and so
    // are the data segments.
    let own: Vec<&str> = wat
        .split("\n  (func ")
        .skip(1 + qingdan_engine::wasm::RUNTIME_FUNCTIONS)
        .map(|f| f.split("\n  (data ").next().unwrap_or(f))
        .collect();
    assert!(own.len() > 4, "the policy's functions");
    insta::assert_snapshot!("conversions_wat__int_as_decimal", format!("  (func {}", own.join("\n  (func ")));
}
