//! The WASM target against the interpreter, in one run: the size of each bundled
//! policy's module, and the cost of one decision after instantiation — the synthetic
//! 30-rule admission decision of engine/benches/eval.rs and the real bundled admission
//! policy (32 rules, lists searched by quantifiers) on its first bundled case.
//! Run with `cargo bench --bench wasm`; figures go to BENCHMARKS.md.

#[path = "../engine/benches/common.rs"]
#[allow(dead_code)]
mod common;

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::Evaluator;
use qingdan_engine::testing::read_case_file;
use qingdan_engine::wasm::{compile, host};
use qingdan_engine::{Policy, Value};

const BUNDLED: &[&str] = &[
    "grid_admission/admission.qd",
    "grid_admission/withdrawal.qd",
    "township_duties/duties.qd",
    "enforcement_catalogue/catalogue.qd",
    "legality_review/review.qd",
    "community_work/admission.qd",
    "enforcement_catalogue/withdrawal.qd",
    "enforcement_catalogue/referral.qd",
];

fn policies() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

fn first_case(p: &Policy, file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(policies().join(file)).expect("case file");
    let cases = read_case_file(&CaseReader::new(p), &text).expect("cases");
    cases.into_iter().find_map(|c| c.given).expect("a case")
}

/// Interpreter, placing a case in the module, and placing it plus deciding, for one decision.
fn compare(c: &mut Criterion, name: &str, p: &Policy, case: &[Value]) {
    let ev = Evaluator::new(p);
    let module = host::Module::load(&compile(p, "bench").expect("compiles").bytes).expect("loads");
    let mut inst = module.instantiate().expect("instance");
    inst.place(case).expect("placed");
    let want = ev.decide(0, &mut ev.frame(case));
    assert_eq!(inst.decide(0).expect("decided"), want, "module and interpreter agree");
    let mut group = c.benchmark_group(name);
    group.bench_function("interpreter", |b| {
        let mut frame = Some(ev.frame(case));
        b.iter(|| {
            let mut f = frame.take().expect("a frame").rebind(case);
            let result = ev.decide(0, &mut f);
            frame = Some(f);
            result
        })
    });
    // `decide` alone, called again on the same case, would find the case's lets already
    // computed: not what a new case costs. Every figure here places the case, so lets are
    // computed afresh as the interpreter's rebound frame computes them.
    group.bench_function("wasm_place_only", |b| b.iter(|| inst.place(case).expect("placed")));
    group.bench_function("wasm_place_and_decide", |b| {
        b.iter(|| {
            inst.place(case).expect("placed");
            inst.decide(0).expect("decided")
        })
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    println!("module sizes:");
    for file in BUNDLED {
        let p = qingdan::load_policy(&policies().join(file), None).expect("loads");
        let bytes = compile(&p, "bench").expect("compiles").bytes;
        println!("  {file:40} {:>6} bytes ({:.1} KiB)", bytes.len(), bytes.len() as f64 / 1024.0);
        // 160 KiB: the policies now carry lists of real size (a 224-row duty list, duty and
        // non-grid catalogues), and the texts `similarity` compares carry their bigrams
        // (the 224 duty names: 29 KB), so that no comparison splits a name again; OPA's
        // WASM for 60 rules is ~405 KB.
        assert!(bytes.len() < 160 * 1024, "{file} is {} bytes", bytes.len());
    }
    let synthetic = common::lowered(&common::admission_policy());
    let case = common::typical_case(&synthetic);
    compare(c, "synthetic_admission_30_rules", &synthetic, &case);
    let real = qingdan::load_policy(&policies().join("grid_admission/admission.qd"), None).expect("loads");
    let case = first_case(&real, "grid_admission/cases.yaml");
    compare(c, "bundled_admission", &real, &case);
    every_case(c, &real);
}

/// The bundled admission decision over every case of its case file in turn, then over
/// 4,096 cases made new (each its own task name and application date), which the values
/// the interpreter remembers by the fields its searches read (eval/memo.rs, 1,024 per
/// search) cannot answer: the cost of a case unlike any seen before.
fn every_case(c: &mut Criterion, p: &Policy) {
    let text = std::fs::read_to_string(policies().join("grid_admission/cases.yaml")).expect("case file");
    let cases: Vec<Vec<Value>> = read_case_file(&CaseReader::new(p), &text)
        .expect("cases")
        .into_iter()
        .filter_map(|c| c.given)
        .collect();
    let slot = |name: &str| p.slots.iter().position(|s| s.path == [name]).expect("a field");
    let (name, day) = (slot("事项名称"), slot("申请日期"));
    let new: Vec<Vec<Value>> = (0..4096)
        .map(|i| {
            let mut case = cases[i % cases.len()].clone();
            if let Value::Text(t) = &case[name] {
                case[name] = Value::text(&format!("{t}{i}"));
            }
            if let Value::Date(d) = case[day] {
                case[day] = Value::Date(d + i as i32);
            }
            case
        })
        .collect();
    let mut group = c.benchmark_group("bundled_admission_cases");
    for (label, cases) in [("interpreter_each_bundled_case", &cases), ("interpreter_new_cases", &new)] {
        let ev = Evaluator::new(p);
        group.bench_function(label, |b| {
            let mut frame = Some(ev.frame(&cases[0]));
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % cases.len();
                let mut f = frame.take().expect("a frame").rebind(&cases[i]);
                let result = ev.decide(0, &mut f);
                frame = Some(f);
                result
            })
        });
    }
    let module = host::Module::load(&compile(p, "bench").expect("compiles").bytes).expect("loads");
    let mut inst = module.instantiate().expect("instance");
    group.bench_function("wasm_place_and_decide_each_bundled_case", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % cases.len();
            inst.place(&cases[i]).expect("placed");
            inst.decide(0).expect("decided")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
