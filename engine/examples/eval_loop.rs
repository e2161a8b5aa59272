//! Runs the benchmark decision N times (for instruction counts under callgrind).
#[path = "../benches/common.rs"]
#[allow(dead_code)]
mod bench;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let policy = bench::lowered(&bench::admission_policy());
    let ev = qingdan_engine::eval::Evaluator::new(&policy);
    let case = bench::typical_case(&policy);
    let mut frame = ev.frame(&case);
    let mut by_default = 0;
    for _ in 0..n {
        frame = frame.rebind(&case);
        by_default += usize::from(ev.decide(0, &mut frame).expect("decides").by_default);
    }
    println!("{by_default}");
}
