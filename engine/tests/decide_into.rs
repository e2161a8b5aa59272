//! `Evaluator::decide_into`: a batch deciding into one reused result gives what `decide`
//! gives, case after case, and allocates nothing per case once its buffers have grown
//! (counted by a global allocator that counts).

#[path = "../benches/common.rs"]
#[allow(dead_code)]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::Evaluator;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn deciding_into_a_reused_result_agrees_and_allocates_nothing_per_case() {
    let policy = common::lowered(&common::admission_policy());
    let reader = CaseReader::new(&policy);
    let text = common::jsonl_cases(300);
    let cases: Vec<_> =
        text.lines().enumerate().map(|(i, l)| reader.json_line(l, i + 1).expect("a case")).collect();
    let ev = Evaluator::new(&policy);
    let mut frame = ev.frame(&[]);
    let mut result = ev.decide(0, &mut ev.frame(&cases[0])).expect("decides");
    // Agreement on every case (outcomes of every kind, fired sets of every size) …
    for case in &cases {
        let want = ev.decide(0, &mut ev.frame(case));
        let mut f = frame.rebind(case);
        let got = ev.decide_into(0, &mut f, &mut result).map(|()| result.clone());
        assert_eq!(got, want);
        frame = f.rebind(&[]);
    }
    // … then a second pass, with buffers grown, allocates nothing at all.
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let mut decided = 0;
    for case in &cases {
        let mut f = frame.rebind(case);
        decided += usize::from(ev.decide_into(0, &mut f, &mut result).is_ok());
        frame = f.rebind(&[]);
    }
    assert_eq!(decided, cases.len());
    assert_eq!(ALLOCATIONS.load(Ordering::Relaxed) - before, 0, "allocations while deciding {} cases", cases.len());
}
