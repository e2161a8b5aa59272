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

/// A hand-made module whose `begin` loops for ever (as hosts/js/test/modules.mjs builds
/// it), with a manifest that passes every check and sealed as `qingdan build` seals.
fn endless_module() -> Vec<u8> {
    fn uleb(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            out.push(if n > 0 { b | 0x80 } else { b });
            if n == 0 {
                return;
            }
        }
    }
    fn section(id: u8, items: &[Vec<u8>], counted: bool) -> Vec<u8> {
        let mut body = Vec::new();
        if counted {
            uleb(items.len(), &mut body);
        }
        items.iter().for_each(|i| body.extend_from_slice(i));
        let mut out = vec![id];
        uleb(body.len(), &mut out);
        out.extend(body);
        out
    }
    let name = |s: &str| {
        let mut out = Vec::new();
        uleb(s.len(), &mut out);
        out.extend_from_slice(s.as_bytes());
        out
    };
    let body = |code: &[u8]| {
        let mut out = Vec::new();
        uleb(code.len() + 2, &mut out);
        out.push(0x00);
        out.extend_from_slice(code);
        out.push(0x0b);
        out
    };
    let manifest = format!(
        r#"{{"abi":{},"policy":"endless","lang":"en","hash":"{}","layout":{{"result":64,"slots":120,"let_values":128,"let_flags":128,"speakers":128,"scratch":128,"outcomes":144,"outcome_stride":8,"fired":160,"overridden":168,"conflicts":176,"ranks":200,"statics":208,"arena":4096,"arena_size":65536,"heap":69632,"pages":8}},"inputs":[{{"name":"form","fields":[0]}}],"slots":[{{"input":0,"path":["name"],"ty":"Text"}}],"enums":[{{"name":"answer","variants":[{{"name":"yes","fields":[]}}]}}],"lists":[],"lets":[],"rules":[],"decisions":[{{"name":"verdict","outcome_enum":0,"combining":"priority","ranks":[0],"default":0,"default_reason":null,"rules":[]}}],"checks":[],"sources":[],"sites":[]}}"#,
        qingdan_runtime::abi::ABI_VERSION,
        "0".repeat(64)
    );
    let exports: Vec<Vec<u8>> = [
        ("memory", 2, 0),
        ("abi_version", 3, 0),
        ("begin", 0, 0),
        ("decide", 0, 1),
        ("check", 0, 2),
        ("read_let", 0, 3),
    ]
    .iter()
    .map(|&(n, kind, i)| [name(n), vec![kind, i]].concat())
    .collect();
    let mut custom = name(qingdan_runtime::abi::MANIFEST_SECTION);
    custom.extend_from_slice(manifest.as_bytes());
    let abi = qingdan_runtime::abi::ABI_VERSION as u8;
    let module = [
        b"\0asm\x01\0\0\0".to_vec(),
        section(1, &[vec![0x60, 0x00, 0x01, 0x7f], vec![0x60, 0x01, 0x7f, 0x01, 0x7f]], true),
        section(3, &[vec![0], vec![1], vec![1], vec![1]], true),
        section(5, &[vec![0x01, 8, 16]], true),
        section(6, &[vec![0x7f, 0x00, 0x41, abi, 0x0b]], true),
        section(7, &exports, true),
        // `begin`: loop br 0 end; i32.const 0 — the others answer 0.
        section(
            10,
            &[
                body(&[0x03, 0x40, 0x0c, 0x00, 0x0b, 0x41, 0x00]),
                body(&[0x41, 0x00]),
                body(&[0x41, 0x00]),
                body(&[0x41, 0x00]),
            ],
            true,
        ),
        section(0, &[custom], false),
    ]
    .concat();
    qingdan_runtime::integrity::seal(module)
}

#[test]
fn an_endless_module_stops_on_its_fuel_with_e0504_every_time() {
    let mut m =
        Module::load(&endless_module()).expect("the endless module loads: its seal and manifest hold");
    m.set_fuel_per_call(1_000_000);
    let mut case = m.case();
    case.set("form.name", Value::text("x")).expect("name");
    let mut inst = m.instantiate().expect("instance");
    for _ in 0..2 {
        let e = refused(inst.decide_case(&case, "verdict"));
        assert_eq!(e.code, Code::E0504, "{e}");
        assert!(e.message.en.contains("ran out of fuel"), "{e}");
    }
}

#[test]
fn an_enum_field_is_set_by_its_value_name_and_an_unknown_one_is_e0305() {
    let m = module();
    let mut case = m.case();
    case.set("申请.年龄", Value::Int(85)).expect("age");
    case.set("申请.月收入", Value::Dec(0)).expect("income");
    case.set("申请.户数", Value::Int(1)).expect("members");
    let e = refused(case.set_variant("申请.户籍", "外省"));
    assert_eq!((e.code, e.path.as_deref()), (Code::E0305, Some("申请.户籍")), "{e}");
    let e = refused(case.set_variant("申请.年龄", "本地"));
    assert_eq!(e.code, Code::E0305, "not an enum field: {e}");
    let e = refused(case.set("申请.户籍", Value::Enum(2)));
    assert_eq!(e.code, Code::E0302, "a variant index beyond the enum: {e}");
    let mut inst = m.instantiate().expect("instance");
    case.set_variant("申请.户籍", "本地").expect("本地");
    assert_eq!(inst.decide_case(&case, "补贴").expect("decided").outcomes, ["发放"]);
    case.set_variant("申请.户籍", "外地").expect("外地");
    let got = inst.decide_case(&case, "补贴").expect("decided");
    // Under `priority` every rule that held is told; the most severe outcome stands.
    assert_eq!(got.outcomes, ["不予发放"]);
    assert_eq!(got.fired, ["高龄低收入", "外地户籍"]);
}

fn rows_module() -> Module {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rows.wasm");
    Module::load(&std::fs::read(path).expect("rows.wasm")).expect("rows.wasm loads")
}

#[test]
fn a_list_row_is_set_by_its_int_or_text_key() -> Result<(), Error> {
    let m = rows_module();
    let mut case = m.case();
    case.set_row("x.grid", &Value::Int(101))?.set_row("x.office", &Value::text("OF-1"))?;
    case.set("x.note", Value::text("甲"))?;
    let decided = m.instantiate()?.decide_case(&case, "d")?;
    assert_eq!(decided.outcomes, ["crowded"]);
    assert_eq!(decided.values, [("households".to_string(), Value::Int(420))]);
    // Another row of each list: the second, named by its key.
    case.set_row("x.grid", &Value::Int(7))?.set_row("x.office", &Value::text("OF-2"))?;
    assert_eq!(&case.values()[..2], [Value::Row(1), Value::Row(1)]);
    assert_eq!(m.instantiate()?.decide_case(&case, "d")?.outcomes, ["seatless"]);
    Ok(())
}

#[test]
fn a_key_no_row_has_and_a_field_that_is_no_row_are_refused() {
    let m = rows_module();
    let mut case = m.case();
    let e = refused(case.set_row("x.grid", &Value::Int(102)).map(|_| ()));
    assert_eq!((e.code, e.path.as_deref()), (Code::E0306, Some("x.grid")));
    assert_eq!(e.message.en, "`grids` has no row with key `102`");
    let e = refused(case.set_row("x.office", &Value::text("OF-9")).map(|_| ()));
    assert_eq!((e.code, e.message.en.as_str()), (Code::E0306, "`offices` has no row with key `OF-9`"));
    // A text where the key is an int finds no row either.
    assert_eq!(refused(case.set_row("x.grid", &Value::text("101")).map(|_| ())).code, Code::E0306);
    let e = refused(case.set_row("x.note", &Value::text("OF-1")).map(|_| ()));
    assert_eq!((e.code, e.path.as_deref()), (Code::E0302, Some("x.note")));
    assert_eq!(refused(case.set_row("x.nope", &Value::Int(7)).map(|_| ())).code, Code::E0304);
    assert_eq!(case.values()[0], Value::None, "nothing was placed");
}
