//! The WASM target against the interpreter: every bundled case, decided by every decision
//! of its policy, gives the same result (outcomes with their values, fired and overridden
//! rules, conflicts, errors) through the compiled module on wasmtime as through the
//! interpreter; checks give the same hits; every module passes wasmparser validation.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use qingdan_dsl::Code;
use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::Evaluator;
use qingdan_engine::ir::Type;
use qingdan_engine::testing::read_case_file;
use qingdan_engine::wasm::layout::ABI_VERSION;
use qingdan_engine::wasm::{compile, host, integrity};
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
    ("enforcement_catalogue/withdrawal.qd", &["enforcement_catalogue/withdrawal.cases.yaml"]),
    ("enforcement_catalogue/referral.qd", &["enforcement_catalogue/referral.cases.yaml"]),
    ("legality_review/review.qd", &["legality_review/cases.yaml"]),
    ("community_work/admission.qd", &["community_work/cases.yaml"]),
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
/// asserts they agree. The evaluator is one per policy, as in `eval`: the values it
/// remembers from earlier cases (lets and searches by the fields they read) are used.
fn agree(ev: &Evaluator, inst: &mut host::Instance, case: &[Value], what: &str) {
    let p = ev.policy;
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
        let ev = Evaluator::new(&p);
        let mut n = 0;
        for cf in *case_files {
            for (i, case) in cases(&p, cf).iter().enumerate() {
                agree(&ev, &mut inst, case, &format!("{cf} case {}", i + 1));
                n += 1;
            }
        }
        assert!(n >= 7, "{file}: only {n} cases");
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

/// One evaluator for each bundled policy, shared by every random case.
fn evaluators() -> &'static [Evaluator<'static>] {
    static E: std::sync::OnceLock<Vec<Evaluator<'static>>> = std::sync::OnceLock::new();
    E.get_or_init(|| compiled().iter().map(|(_, p, _)| Evaluator::new(p)).collect())
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
        let (file, _, module) = &compiled()[i];
        let mut inst = module.instantiate().expect("instance");
        agree(&evaluators()[i], &mut inst, &case, file);
    }
}

// ---- Bad input: clear errors with stable codes, never a trap that takes the host down.

fn admission() -> &'static (String, Policy, host::Module) {
    &compiled()[0]
}

/// A case of the admission policy from its first bundled case.
fn admission_case() -> Vec<Value> {
    cases(&admission().1, BUNDLED[0].1[0]).remove(0)
}

fn admission_bytes() -> Vec<u8> {
    compile(&admission().1, "test").expect("compiles").bytes
}

#[test]
fn a_truncated_module_is_refused() {
    let bytes = admission_bytes();
    // (The first 8 bytes alone are an empty module: valid, but with no manifest, E0502.)
    for cut in [0, 7, 100, bytes.len() / 2, bytes.len() - 1] {
        let e = host::Module::load(&bytes[..cut]).err().expect("refused");
        assert_eq!(e.code, Code::E0501, "cut at {cut}: {e}");
    }
}

#[test]
fn a_module_of_another_abi_is_refused() {
    let bytes = admission_bytes();
    // The manifest says which ABI the module speaks: change it in place, and seal the
    // module again, as a build of that ABI would have sealed it.
    let current = format!("{{\"abi\":{ABI_VERSION}");
    let at = bytes.windows(current.len()).position(|w| w == current.as_bytes()).expect("manifest") + 7;
    let mut foreign = bytes.clone();
    foreign[at] = b'9';
    let foreign = integrity::reseal(&foreign).expect("resealed");
    let e = host::Module::load(&foreign).err().expect("refused");
    assert_eq!(e.code, Code::E0502);
    assert!(e.message.en.contains("ABI version 9"), "{e}");
}

/// A module that keeps the ABI's shape and a real manifest, but whose `decide` never
/// returns: a hostile or broken module.
fn endless_module(manifest: bool) -> Vec<u8> {
    use wasm_encoder::*;
    let m = &admission().2.manifest;
    let mut types = TypeSection::new();
    types.ty().function([], [ValType::I32]);
    types.ty().function([ValType::I32], [ValType::I32]);
    let mut funcs = FunctionSection::new();
    for ty in [0, 1, 1, 1] {
        funcs.function(ty);
    }
    let mut memory = MemorySection::new();
    let pages = u64::from(m.layout.pages);
    memory.memory(MemoryType {
        minimum: pages,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut globals = GlobalSection::new();
    globals.global(
        GlobalType { val_type: ValType::I32, mutable: false, shared: false },
        &ConstExpr::i32_const(ABI_VERSION as i32),
    );
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    exports.export("abi_version", ExportKind::Global, 0);
    for (i, name) in ["begin", "decide", "check", "read_let"].iter().enumerate() {
        exports.export(name, ExportKind::Func, i as u32);
    }
    let mut code = CodeSection::new();
    let mut begin = Function::new([]);
    begin.instruction(&Instruction::I32Const(0)).instruction(&Instruction::End);
    code.function(&begin);
    let mut endless = Function::new([]);
    endless
        .instruction(&Instruction::Loop(BlockType::Empty))
        .instruction(&Instruction::Br(0))
        .instruction(&Instruction::End)
        .instruction(&Instruction::Unreachable)
        .instruction(&Instruction::End);
    for _ in 0..3 {
        code.function(&endless);
    }
    let mut module = Module::new();
    module
        .section(&types)
        .section(&funcs)
        .section(&memory)
        .section(&globals)
        .section(&exports)
        .section(&code);
    if manifest {
        let data = serde_json::to_vec(m).expect("manifest");
        module.section(&CustomSection { name: "qingdan".into(), data: data.into() });
    }
    integrity::seal(module.finish())
}

#[test]
fn a_module_that_never_returns_runs_out_of_fuel() {
    let module = host::Module::load(&endless_module(true)).expect("a well-formed module");
    let mut inst = module.instantiate().expect("instance");
    inst.place(&admission_case()).expect("placed");
    let e = inst.decide(0).expect_err("stopped");
    assert_eq!(e.code, Code::E0504);
    assert!(e.message.en.contains("fuel"), "{e}");
    // The host is still there: another instance of a good module works.
    let mut good = admission().2.instantiate().expect("instance");
    good.place(&admission_case()).expect("placed");
    assert!(good.decide(0).expect("decided").is_ok());
}

#[test]
fn a_module_without_a_manifest_is_refused() {
    let e = host::Module::load(&endless_module(false)).err().expect("refused");
    assert_eq!(e.code, Code::E0502);
}

#[test]
fn a_case_that_does_not_fit_the_layout_is_refused() {
    let (_, p, module) = admission();
    let mut inst = module.instantiate().expect("instance");
    let e = inst.place(&admission_case()[1..]).expect_err("refused");
    assert_eq!(e.code, Code::E0505);
    // A value the module's own check rejects: an enum variant that does not exist.
    let mut case = admission_case();
    let slot = p.slots.iter().position(|s| matches!(s.ty, Type::Enum(_))).expect("an enum field");
    case[slot] = Value::Enum(999);
    let e = inst.place(&case).expect_err("refused");
    assert_eq!(e.code, Code::E0505);
    let field = p.slots[slot].path.join(".");
    assert!(e.message.en.contains(&field), "{e} names {field}");
    // Decisions refuse to run on the refused case rather than read stale input.
    let e = inst.decide(0).expect_err("not ready");
    assert_eq!(e.code, Code::E0501);
    // A good case afterwards is decided as usual.
    inst.place(&admission_case()).expect("placed");
    assert!(inst.decide(0).expect("decided").is_ok());
}

#[test]
fn a_text_longer_than_the_input_arena_is_refused() {
    let (_, p, module) = admission();
    let mut inst = module.instantiate().expect("instance");
    let mut case = admission_case();
    let slot = p.slots.iter().position(|s| s.ty == Type::Text).expect("a text field");
    case[slot] = Value::text(&"网".repeat(100_000));
    // Place a good case first: a refused case must not leave it to be decided.
    inst.place(&admission_case()).expect("placed");
    let e = inst.place(&case).expect_err("refused");
    assert_eq!(e.code, Code::E0503);
    let e = inst.decide(0).expect_err("not ready");
    assert_eq!((e.code, e.message.en.contains("no case was placed")), (Code::E0501, true), "{e}");
    inst.place(&admission_case()).expect("placed");
    assert!(inst.decide(0).expect("decided").is_ok());
}

// ---- The CLI: build, eval --wasm, dump-wat.

mod common;

fn qingdan(args: &[&str]) -> (u8, String, String) {
    common::run_in_process(args.iter().copied())
}

#[test]
fn eval_with_a_built_module_prints_what_the_interpreter_prints() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (file, case_files) in BUNDLED {
        let policy = policies().join(file).to_string_lossy().into_owned();
        let module = dir.path().join("m.wasm").to_string_lossy().into_owned();
        let (code, out, err) = qingdan(&["build", &policy, "-o", &module]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("m.wasm"), "{out}");
        let cases = policies().join(case_files[0]).to_string_lossy().into_owned();
        for format in ["human", "json"] {
            let by_module =
                qingdan(&["eval", "--wasm", &module, "--input", &cases, "--explain", "--format", format]);
            let by_interpreter =
                qingdan(&["eval", &policy, "--input", &cases, "--explain", "--format", format]);
            assert_eq!(by_module, by_interpreter, "{file} as {format}");
        }
    }
}

#[test]
fn dump_wat_shows_the_module_and_its_manifest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let module = dir.path().join("r.wasm").to_string_lossy().into_owned();
    let policy = policies().join("legality_review/review.qd").to_string_lossy().into_owned();
    assert_eq!(qingdan(&["build", &policy, "-o", &module]).0, 0);
    let (code, out, _) = qingdan(&["dump-wat", &module]);
    assert_eq!(code, 0);
    let abi = format!("\"abi\": {ABI_VERSION}");
    for part in [";; manifest", &abi, ";; seal", "(module", "(export \"decide\"", "(memory"] {
        assert!(out.contains(part), "dump-wat lacks {part}");
    }
}

#[test]
fn bad_modules_and_unsupported_policies_are_clear_errors_at_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let truncated = dir.path().join("t.wasm");
    std::fs::write(&truncated, &admission_bytes()[..1000]).expect("written");
    let cases = policies().join("grid_admission/cases.yaml").to_string_lossy().into_owned();
    let (code, _, err) = qingdan(&["eval", "--wasm", &truncated.to_string_lossy(), "--input", &cases]);
    assert_eq!(code, 1);
    assert!(err.contains("E0501"), "{err}");
    let nested = dir.path().join("n.qd");
    let source = "policy n\nenum Out { ok, no }\ninput x { groups: set of set of int }\n\
        rule r { when count(g in x.groups) > 1 then no \"many\" }\ndecision d: Out by first default ok \"fine\"\n";
    std::fs::write(&nested, source).expect("written");
    let (code, _, err) = qingdan(&["build", &nested.to_string_lossy()]);
    assert_eq!(code, 1);
    assert!(err.contains("E0506") && err.contains("n.qd:3:11"), "{err}");
    assert!(!dir.path().join("n.wasm").exists(), "nothing half-written");
}

#[test]
fn begin_puts_an_unsorted_input_set_in_order() {
    // Hosts write sets sorted; one that does not gets the same decisions, and a reversed set
    // of 5,000 texts is sorted well within one call's fuel.
    let (_, p, module) = admission();
    let slot = p
        .slots
        .iter()
        .position(|s| matches!(&s.ty, Type::Set(t) if **t == Type::Text))
        .expect("a set of texts");
    let mut sorted_case = admission_case();
    let mut texts: Vec<Value> = (0..5_000).map(|i| Value::text(&format!("数据项{i:05}"))).collect();
    texts.push(Value::text("数据项00042"));
    sorted_case[slot] = Value::set(texts.clone());
    texts.reverse();
    let mut unsorted_case = sorted_case.clone();
    unsorted_case[slot] = Value::Set(texts.into());
    let mut inst = module.instantiate().expect("instance");
    inst.place(&unsorted_case).expect("placed");
    let ev = Evaluator::new(p);
    for d in 0..p.decisions.len() as u32 {
        assert_eq!(inst.decide(d).expect("decided"), ev.decide(d, &mut ev.frame(&sorted_case)));
    }
}
