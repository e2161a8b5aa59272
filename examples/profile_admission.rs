//! Decides every bundled grid-admission case N times with the interpreter (or the module,
//! with `wasm` as the first argument, which also prints the time per decision): a steady
//! loop for `valgrind --tool=callgrind`.
use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::Evaluator;
use qingdan_engine::testing::read_case_file;
use qingdan_engine::value::Value;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).cloned().unwrap_or_else(|| "interp".into());
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/grid_admission");
    // Another policy of the folder (a variant with a let replaced, to see what it costs).
    let file = std::env::var("QINGDAN_PROFILE_POLICY").unwrap_or_else(|_| "admission.qd".into());
    let p = qingdan::load_policy(&dir.join(file), None).expect("loads");
    let text = std::fs::read_to_string(dir.join("cases.yaml")).expect("cases");
    let cases: Vec<_> = read_case_file(&CaseReader::new(&p), &text)
        .expect("cases")
        .into_iter()
        .filter_map(|c| c.given)
        .collect();
    let ev = Evaluator::new(&p);
    let mut decided = 0usize;
    if mode == "ir" {
        println!("{}", p.dump());
        return;
    }
    if mode == "lets" || mode == "cold-lets" {
        eprintln!("indexed searches: {}", ev.indexed_searches());
        let mut spent = vec![std::time::Duration::ZERO; p.lets.len()];
        for i in 0..n {
            for c in &cases {
                let c = if mode == "cold-lets" { made_new(&p, c, i) } else { c.clone() };
                let mut f = ev.frame(&c);
                for (l, t) in spent.iter_mut().enumerate() {
                    let start = std::time::Instant::now();
                    let _ = ev.let_value(l as u32, &mut f);
                    *t += start.elapsed();
                }
            }
        }
        let per = (n * cases.len()) as u32;
        for (l, t) in spent.iter().enumerate() {
            eprintln!("{:>8?} {}", *t / per, p.lets[l].name);
        }
    } else if mode == "cold-let" {
        // One let, its inputs computed first, in `measured` (for `--toggle-collect=*measured*`).
        let name = args.get(3).expect("a let's name");
        let l = p.lets.iter().position(|l| &l.name == name).expect("the let") as u32;
        for i in 0..n {
            for c in &cases {
                let c = made_new(&p, c, i);
                let mut f = ev.frame(&c);
                (0..l).for_each(|k| drop(ev.let_value(k, &mut f)));
                decided += measured(&ev, l, &mut f) as usize;
            }
        }
    } else if mode == "cold-rule" {
        // One rule's condition, every let computed first, in `measured_rule`.
        let name = args.get(3).expect("a rule's name");
        let r = p.rules.iter().position(|r| &r.name == name).expect("the rule");
        for i in 0..n {
            for c in &cases {
                let c = made_new(&p, c, i);
                let mut f = ev.frame(&c);
                (0..p.lets.len() as u32).for_each(|k| drop(ev.let_value(k, &mut f)));
                decided += measured_rule(&ev, &p.rules[r].when, &mut f) as usize;
            }
        }
    } else if mode == "wasm" {
        let module = qingdan_engine::wasm::host::Module::load(
            &qingdan_engine::wasm::compile(&p, "p").expect("c").bytes,
        )
        .expect("loads");
        let mut inst = module.instantiate().expect("instance");
        let start = std::time::Instant::now();
        for _ in 0..n {
            for c in &cases {
                inst.place(c).expect("placed");
                decided += inst.decide(0).is_ok() as usize;
            }
        }
        eprintln!("{:?} per decision", start.elapsed() / (n * cases.len()) as u32);
    } else if mode == "cold" {
        // Every case made new each time (another name, another day), so that no let's
        // remembered value answers it: the cost of a decision the memos have not seen.
        let mut frame = Some(ev.frame(&cases[0]));
        for i in 0..n {
            for c in &cases {
                let c = made_new(&p, c, i);
                let mut f = frame.take().expect("frame").rebind(&c);
                decided += ev.decide(0, &mut f).is_ok() as usize;
                frame = Some(f.rebind(&cases[0]));
            }
        }
    } else {
        let mut frame = Some(ev.frame(&cases[0]));
        for _ in 0..n {
            for c in &cases {
                let mut f = frame.take().expect("frame").rebind(c);
                decided += ev.decide(0, &mut f).is_ok() as usize;
                frame = Some(f);
            }
        }
    }
    println!("{} cases, {decided} decisions", cases.len());
}

#[inline(never)]
fn measured(ev: &Evaluator<'_>, l: u32, f: &mut qingdan_engine::eval::Frame<'_>) -> bool {
    ev.let_value(l, f).is_ok()
}

#[inline(never)]
fn measured_rule(
    ev: &Evaluator<'_>,
    when: &qingdan_engine::ir::Expr,
    f: &mut qingdan_engine::eval::Frame<'_>,
) -> bool {
    ev.value_of(when, f).is_ok()
}

/// Case `c` made new for round `i`: another name, another day.
fn made_new(p: &qingdan_engine::ir::Policy, c: &[Value], i: usize) -> Vec<Value> {
    let (name, day) = (slot(p, "事项名称"), slot(p, "申请日期"));
    let mut c = c.to_vec();
    if let Value::Text(t) = &c[name] {
        c[name] = Value::text(&format!("{t}{i}"));
    }
    if let Value::Date(d) = c[day] {
        c[day] = Value::Date(d + i as i32);
    }
    c
}

/// The index of the application's field `name` in a case.
fn slot(p: &qingdan_engine::ir::Policy, name: &str) -> usize {
    p.slots.iter().position(|s| s.path == [name]).expect("the field")
}
