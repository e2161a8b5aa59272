//! `Evaluator::decide_into`: a batch deciding into one reused result gives what `decide`
//! gives, case after case, and keeps the result's buffers (an outcome's values are
//! written into the buffer the previous outcome held).

#[path = "../benches/common.rs"]
#[allow(dead_code)]
mod common;

use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::Evaluator;

#[test]
fn deciding_into_a_reused_result_agrees_and_reuses_its_buffers() {
    let policy = common::lowered(&common::admission_policy());
    let reader = CaseReader::new(&policy);
    let text = common::jsonl_cases(300);
    let cases: Vec<_> =
        text.lines().enumerate().map(|(i, l)| reader.json_line(l, i + 1).expect("a case")).collect();
    let ev = Evaluator::new(&policy);
    let mut frame = ev.frame(&[]);
    let mut result = ev.decide(0, &mut ev.frame(&cases[0])).expect("decides");
    let mut reused = 0;
    for case in &cases {
        let want = ev.decide(0, &mut ev.frame(case));
        let before = result.outcomes.first().filter(|o| o.fields.capacity() > 0).map(|o| o.fields.as_ptr());
        let mut f = frame.rebind(case);
        let got = ev.decide_into(0, &mut f, &mut result).map(|()| result.clone());
        frame = f.rebind(&[]);
        assert_eq!(got, want);
        let after = result.outcomes.first().filter(|o| !o.fields.is_empty()).map(|o| o.fields.as_ptr());
        reused += usize::from(before.is_some() && before == after);
    }
    assert_eq!(reused, 0, "the synthetic decision's outcomes carry no values");
}

/// Outcomes that carry values: each decision writes them into the buffer the previous
/// outcome held.
#[test]
fn outcome_values_are_written_into_the_previous_buffer() {
    let policy = common::lowered(
        "policy p\nsource s \"S\" { clause c \"c\" }\nenum O { ok { n: int, tags: set of text }, no { why: text } }\n\
         input x { n: int, s: text }\n\
         rule big cite s.c { when x.n > 5 then ok { n: x.n, tags: [\"a\", x.s] } \"big\" }\n\
         rule small cite s.c { when x.n <= 2 then no { why: x.s } \"small\" }\n\
         decision d: O by first default no { why: \"none\" } \"none\"\n",
    );
    let ev = Evaluator::new(&policy);
    let cases: Vec<Vec<qingdan_engine::Value>> = (0..12)
        .map(|n| vec![qingdan_engine::Value::Int(n), qingdan_engine::Value::text(&format!("t{n}"))])
        .collect();
    let mut result = ev.decide(0, &mut ev.frame(&cases[0])).expect("decides");
    let mut frame = ev.frame(&[]);
    for case in cases.iter().cycle().take(48) {
        let before = result.outcomes[0].fields.as_ptr();
        let mut f = frame.rebind(case);
        ev.decide_into(0, &mut f, &mut result).expect("decides");
        frame = f.rebind(&[]);
        assert_eq!(Ok(result.clone()), ev.decide(0, &mut ev.frame(case)));
        assert_eq!(result.outcomes[0].fields.as_ptr(), before, "case {case:?}");
    }
}
