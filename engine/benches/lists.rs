//! How a list-heavy decision's cost grows with its list: a generated policy whose lets
//! look a name up in a task list, sum and count the tasks of the applicant's department,
//! decided for one case as the list grows 40 → 400 → 4,000 → 40,000 rows (40 departments,
//! so a department holds a fortieth of the rows). `indexed` is the policy as written (the
//! interpreter searches by column, see eval/index.rs); `scan` is the same policy with a
//! conjunct put first that only a scan can test (an arithmetic test on the row), so every
//! row is visited. Each is measured with the evaluator's remembered answers forgotten
//! before every decision (`forget_remembered`), so the searches run every time as for a case
//! never seen; `indexed_remembered` is the same case asked again, answered from the lets'
//! memos. Run with `cargo bench -p qingdan-engine --bench lists`.

#[allow(dead_code)]
mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use qingdan_engine::eval::Evaluator;
use qingdan_engine::{Policy, Value};

const DEPARTMENTS: usize = 40;

/// The policy; `first` is put before each search's column test.
fn text(first: &str) -> String {
    format!(
        "policy lists\nsource s \"S\" {{ clause c \"c\" }}\nenum Out {{ ok, listed, over }}\n\
         record Task {{ code: text, name: text, dept: text, minutes: int }}\n\
         list tasks: Task key code {{\n  item \"T0\" {{ name: \"n0\", dept: \"d0\", minutes: 1 }}\n}}\n\
         input x {{ name: text, dept: text, minutes: int }}\n\
         let listed = any(t in tasks where {first}t.name == x.name)\n\
         let dept_minutes = sum(t in tasks of t.minutes where {first}t.dept == x.dept)\n\
         let dept_tasks = count(t in tasks where {first}t.dept == x.dept)\n\
         rule already cite s.c {{ when listed then listed \"already listed\" }}\n\
         rule over cite s.c {{ when dept_minutes + x.minutes > 600 * dept_tasks then over \"too much\" }}\n\
         decision d: Out by priority listed > over > ok default ok \"ok\"\n"
    )
}

/// The policy with `rows` generated task rows (made after lowering: lists are data).
fn with_rows(first: &str, rows: usize) -> Policy {
    let mut p = common::lowered(&text(first));
    let list = &mut p.lists[0];
    let span = list.row_spans[0];
    let made = (0..rows).map(|i| {
        let (code, name, dept) = (format!("T{i}"), format!("n{i}"), format!("d{}", i % DEPARTMENTS));
        vec![Value::text(&code), Value::text(&name), Value::text(&dept), Value::Int((i % 50) as i64)]
    });
    list.rows = qingdan_engine::ir::Rows::from_rows(list.fields.len(), made);
    list.row_spans = vec![span; rows];
    p
}

/// A new task (its name is in no row) for department d7.
fn case() -> Vec<Value> {
    vec![Value::text("新的事项"), Value::text("d7"), Value::Int(30)]
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("list_growth");
    for rows in [40, 400, 4_000, 40_000] {
        for (name, first) in [("indexed", ""), ("scan", "t.minutes * 1 > -1 and ")] {
            let p = with_rows(first, rows);
            let ev = Evaluator::new(&p);
            assert_eq!(ev.indexed_searches(), if first.is_empty() { 3 } else { 0 });
            let case = case();
            let decided = ev.decide(0, &mut ev.frame(&case)).expect("decides");
            assert!(decided.by_default, "the new task is admitted");
            group.bench_with_input(BenchmarkId::new(name, rows), &rows, |b, _| {
                let mut frame = Some(ev.frame(&case));
                b.iter(|| {
                    ev.forget_remembered();
                    let mut f = frame.take().expect("a frame").rebind(&case);
                    let result = ev.decide(0, &mut f);
                    frame = Some(f);
                    result
                })
            });
            if first.is_empty() {
                group.bench_with_input(BenchmarkId::new("indexed_remembered", rows), &rows, |b, _| {
                    let mut frame = Some(ev.frame(&case));
                    b.iter(|| {
                        let mut f = frame.take().expect("a frame").rebind(&case);
                        let result = ev.decide(0, &mut f);
                        frame = Some(f);
                        result
                    })
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
