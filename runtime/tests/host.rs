//! The runtime on its example module (tests/fixtures/subsidy.wasm, built from subsidy.qd
//! beside it): decisions told by name, and every kind of bad input refused with the code
//! the engine, the JavaScript and the Python hosts give it — never a panic.

use qingdan_runtime::{Code, Error, Module, Value};

const MODULE: &[u8] = include_bytes!("fixtures/subsidy.wasm");

fn module() -> Module {
    Module::load(MODULE).expect("the fixture loads")
}

/// Decides `补贴` for an applicant of `age` with a monthly income of `income` yuan
/// (a decimal, scaled by 10^6) in a household of `members`.
fn decide(m: &Module, age: i64, income: i64, members: i64) -> Result<qingdan_runtime::Decided, Error> {
    let mut case = m.case();
    case.set("申请.年龄", Value::Int(age))?
        .set("申请.月收入", Value::Dec(income * 1_000_000))?
        .set("申请.户数", Value::Int(members))?;
    m.instantiate()?.decide_case(&case, "补贴")
}

#[test]
fn a_case_is_decided_and_told_by_name() {
    let m = module();
    let got = decide(&m, 85, 2500, 1).expect("decided");
    assert_eq!(got.outcomes, ["发放"]);
    assert_eq!(got.values, [("金额".to_string(), Value::Dec(200_000_000))]);
    assert_eq!(got.fired, ["高龄低收入"]);
    assert!(!got.by_default);
    let got = decide(&m, 60, 2500, 1).expect("decided");
    assert_eq!((got.outcomes, got.fired, got.by_default), (vec!["不予发放".to_string()], vec![], true));
}

#[test]
fn one_instance_decides_many_cases() {
    let m = module();
    let mut inst = m.instantiate().expect("instance");
    for age in [79, 80, 81, 120] {
        let mut case = m.case();
        case.set("申请.年龄", Value::Int(age)).expect("age");
        case.set("申请.月收入", Value::Dec(0)).expect("income");
        case.set("申请.户数", Value::Int(2)).expect("members");
        case.set("申请.街道", Value::text("城关街道")).expect("street");
        let got = inst.decide_case(&case, "补贴").expect("decided");
        assert_eq!(got.outcomes, [if age >= 80 { "发放" } else { "不予发放" }], "age {age}");
    }
}

fn refused(r: Result<impl std::fmt::Debug, Error>) -> Error {
    r.expect_err("refused")
}

#[test]
fn a_foreign_module_is_refused_with_e0502() {
    // A valid WASM module with no qingdan manifest, and a module of another ABI version.
    let e = refused(Module::load(b"\0asm\x01\0\0\0"));
    assert_eq!(e.code, Code::E0502, "{e}");
    assert!(e.message.zh.contains("清单段") && e.message.en.contains("manifest"), "{e}");
}

#[test]
fn a_corrupt_or_truncated_module_is_refused_with_e0501() {
    let e = refused(Module::load(&MODULE[..MODULE.len() / 2]));
    assert_eq!(e.code, Code::E0501, "{e}");
    for at in [MODULE.len() / 3, MODULE.len() - 40] {
        let mut bad = MODULE.to_vec();
        bad[at] ^= 0x20;
        let e = refused(Module::load(&bad));
        assert_eq!(e.code, Code::E0501, "byte {at}: {e}");
    }
    assert_eq!(refused(Module::load(b"not wasm at all")).code, Code::E0501);
}

#[test]
fn a_wrong_type_an_unknown_field_and_a_missing_field_are_refused_with_their_paths() {
    let m = module();
    let mut case = m.case();
    let e = refused(case.set("申请.年龄", Value::text("八十")));
    assert_eq!((e.code, e.path.as_deref()), (Code::E0302, Some("申请.年龄")), "{e}");
    let e = refused(case.set("申请.年纪", Value::Int(80)));
    assert_eq!((e.code, e.path.as_deref()), (Code::E0304, Some("申请.年纪")), "{e}");
    let e = refused(case.set("申请.街道", Value::Int(3)));
    assert_eq!(e.code, Code::E0302, "{e}");
    assert!(case.set("申请.街道", Value::None).is_ok(), "an optional field may be absent");
    case.set("申请.年龄", Value::Int(80)).expect("age");
    let e = refused(m.instantiate().expect("instance").decide_case(&case, "补贴"));
    assert_eq!((e.code, e.path.as_deref()), (Code::E0303, Some("申请.月收入")), "{e}");
    let e = refused(m.decision("补助"));
    assert_eq!((e.code, e.path.as_deref()), (Code::E0902, Some("补助")), "{e}");
    assert!(e.message.en.contains("`补贴`"), "the message lists the decisions: {e}");
}

#[test]
fn an_evaluation_error_is_an_error_with_its_code() {
    // 户均 divides the income by the household's members.
    let e = refused(decide(&module(), 85, 2500, 0));
    assert_eq!(e.code, Code::E0601, "{e}");
    assert_eq!(e.render(true), "E0601[eval-division-by-zero]: 除数为零");
}

#[test]
fn a_call_beyond_its_fuel_stops_with_e0504_and_the_next_instance_runs_again() {
    let mut m = module();
    m.set_fuel_per_call(20);
    let e = refused(decide(&m, 85, 2500, 1));
    assert_eq!(e.code, Code::E0504, "{e}");
    assert!(e.message.en.contains("fuel"), "{e}");
    m.set_fuel_per_call(qingdan_runtime::FUEL_PER_CALL);
    assert_eq!(decide(&m, 85, 2500, 1).expect("decided").outcomes, ["发放"]);
}

#[test]
fn a_text_too_long_for_the_arena_is_refused_with_e0503() {
    let m = module();
    let arena = m.manifest.layout.arena_size as usize;
    let mut case = m.case();
    case.set("申请.年龄", Value::Int(85)).expect("age");
    case.set("申请.月收入", Value::Dec(0)).expect("income");
    case.set("申请.户数", Value::Int(1)).expect("members");
    case.set("申请.街道", Value::text(&"街".repeat(arena / 3 + 1))).expect("street");
    let mut inst = m.instantiate().expect("instance");
    let e = refused(inst.decide_case(&case, "补贴"));
    assert_eq!(e.code, Code::E0503, "{e}");
    // The instance is not spoiled: a case that fits is decided.
    case.set("申请.街道", Value::text("城关街道")).expect("street");
    assert_eq!(inst.decide_case(&case, "补贴").expect("decided").outcomes, ["发放"]);
}

#[test]
fn placing_a_value_the_module_cannot_hold_is_refused_not_decided() {
    let m = module();
    let mut inst = m.instantiate().expect("instance");
    let e = refused(inst.place(&[Value::Int(1)]));
    assert_eq!(e.code, Code::E0505, "{e}");
    let e = refused(inst.decide(0));
    assert_eq!(e.code, Code::E0501, "nothing placed: {e}");
}
