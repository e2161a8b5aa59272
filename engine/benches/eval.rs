//! Interpreter speed: one admission decision of ~30 rules per evaluation.
//! Run with `cargo bench --bench eval`; figures go to BENCHMARKS.md.

mod common;

use common::{admission_policy, jsonl_cases, lowered, typical_case};
use criterion::{criterion_group, criterion_main, Criterion};
use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::Evaluator;
use qingdan_engine::Policy;

/// Reads and decides JSON Lines in parallel chunks, as `qingdan eval` does; returns how
/// many cases were decided.
pub fn batch(policy: &Policy, text: &str) -> usize {
    use rayon::prelude::*;
    let reader = CaseReader::new(policy);
    let ev = Evaluator::new(policy);
    let lines: Vec<&str> = text.lines().collect();
    lines
        .par_chunks(8192)
        .map(|chunk| {
            let mut frame = ev.frame(&[]);
            let mut decided = 0;
            for (i, line) in chunk.iter().enumerate() {
                let Ok(case) = reader.json_line(line, i + 1) else { continue };
                let mut f = frame.rebind(&case);
                decided += usize::from(ev.decide(0, &mut f).is_ok());
                frame = f.rebind(&[]);
            }
            decided
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let policy = lowered(&admission_policy());
    assert!(policy.rules.len() >= 30, "{} rules", policy.rules.len());
    let ev = Evaluator::new(&policy);
    let case = typical_case(&policy);
    c.bench_function("admission_decision_30_rules", |b| {
        let mut frame = Some(ev.frame(&case));
        b.iter(|| {
            let mut f = frame.take().expect("a frame").rebind(&case);
            let result = ev.decide(0, &mut f).expect("decides");
            frame = Some(f);
            result
        })
    });
    c.bench_function("admission_decision_30_rules_fresh_frame", |b| {
        b.iter(|| ev.decide(0, &mut ev.frame(&case)).expect("decides"))
    });
}

fn bench_batch(c: &mut Criterion) {
    let policy = lowered(&admission_policy());
    let text = jsonl_cases(1_000_000);
    assert_eq!(batch(&policy, &text), 1_000_000, "every generated case reads and decides");
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Elements(1_000_000));
    group.bench_function("jsonl_1m_cases_read_and_decide", |b| b.iter(|| batch(&policy, &text)));
    group.finish();
}

criterion_group!(benches, bench, bench_batch);
criterion_main!(benches);
