//! Lets that are step functions of one date. A let that reads one input field, a date or an
//! int, and does nothing with it but compare it with constants and with its lists' cells
//! (`令 现有平时月工时 = 求和(t 属于 网格任务清单 … 满足 t.纳入日期 <= 申请.申请日期 且 …)`,
//! and every search of a list with dated rows, whose rows in force are tested against the
//! decision date) has one value between two consecutive values it is compared with: there
//! every comparison comes out the same, so the whole evaluation does, errors included.
//!
//! Such a let's answers are kept per step: the values it is compared with are collected
//! and sorted when the evaluator is made, a case's field is placed among them by a binary
//! search, and the step's answer is computed the first time a case falls in it. A case
//! on a day never seen before is answered without a search, so long as another day of
//! the same step was (the remembered answers of `memo.rs` are by the exact value). There
//! are at most two answers per value compared with, plus the days before and after all
//! of them and an absent field; none is forgotten to make room.

use std::sync::Mutex;

use super::EvalError;
use crate::ir::{visit, Expr, ExprKind, Policy, SlotId, Type};
use crate::value::Value;

/// More values compared with than this (a dated list of many thousand rows), and the
/// let is remembered by exact value instead (`memo.rs`).
const MAX_BOUNDS: usize = 8192;

type Answer = Result<Value, EvalError>;

/// One let's answers by step of its field.
pub(super) struct Steps {
    slot: SlotId,
    /// The values the field is compared with, sorted, each once.
    bounds: Vec<i64>,
    /// Step `2i` holds the values between `bounds[i - 1]` and `bounds[i]` (exclusive),
    /// step `2i + 1` the value `bounds[i]`; the step after the last bound is `2k`, and an
    /// absent field is `2k + 1`.
    answers: Mutex<Vec<Option<Answer>>>,
}

impl Steps {
    /// The answer for `case`: its step's, or computed by `compute` now.
    pub fn answer(&self, case: &[Value], compute: impl FnOnce() -> Answer) -> Answer {
        let step = match case.get(self.slot as usize) {
            Some(Value::Date(d)) => self.step(i64::from(*d)),
            Some(Value::Int(i)) => self.step(*i),
            Some(Value::None) | None => 2 * self.bounds.len() + 1,
            Some(_) => return compute(),
        };
        if let Some(known) = &self.lock()[step] {
            return known.clone();
        }
        // Computed without the lock held; two threads compute the same answer.
        let answer = compute();
        self.lock()[step] = Some(answer.clone());
        answer
    }

    fn step(&self, x: i64) -> usize {
        match self.bounds.binary_search(&x) {
            Ok(i) => 2 * i + 1,
            Err(i) => 2 * i,
        }
    }

    pub fn forget(&self) {
        self.lock().iter_mut().for_each(|a| *a = None);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Option<Answer>>> {
        // Setting one answer is all that happens under the lock: a panic leaves it whole.
        self.answers.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// For each let that searches a list and is a step function of one date or int field
/// (`reads`: the fields each let reads, [`Policy::slots_read_by_lets`]), its steps.
pub(super) fn for_lets(policy: &Policy, reads: &[Vec<SlotId>]) -> Vec<Option<Steps>> {
    policy.lets.iter().zip(reads).map(|(l, read)| steps(policy, &l.value, read, reads)).collect()
}

fn steps(policy: &Policy, value: &Expr, read: &[SlotId], reads: &[Vec<SlotId>]) -> Option<Steps> {
    let &[slot] = read else { return None };
    let ty = policy.slots.get(slot as usize)?.ty.required();
    if !matches!(ty, Type::Date | Type::Int) || !super::memo::searches(value) {
        return None;
    }
    // The field must be read here, not through another let.
    let mut through_lets = false;
    visit::walk(value, &mut |x| {
        through_lets |= matches!(x.kind, ExprKind::Let(l) if !reads[l as usize].is_empty())
    });
    if through_lets {
        return None;
    }
    let mut bounds = Vec::new();
    let (mut reads_of_slot, mut compared) = (0, 0);
    let mut unbounded = false;
    visit::walk(value, &mut |x| match &x.kind {
        ExprKind::Slot(s) if *s == slot => reads_of_slot += 1,
        ExprKind::Cmp(_, a, b) => {
            for (field, other) in [(a, b), (b, a)] {
                if matches!(field.kind, ExprKind::Slot(s) if s == slot) {
                    compared += 1;
                    unbounded |= !compared_with(policy, other, &mut bounds);
                }
            }
        }
        _ => {}
    });
    if unbounded || reads_of_slot != compared {
        return None;
    }
    bounds.sort_unstable();
    bounds.dedup();
    (bounds.len() <= MAX_BOUNDS).then(|| {
        let answers = Mutex::new(vec![None; 2 * bounds.len() + 2]);
        Steps { slot, bounds, answers }
    })
}

/// Adds to `bounds` every value `other` can have, if it is a constant or a cell of a
/// list's column (read from a row variable); false for anything else.
fn compared_with(policy: &Policy, other: &Expr, bounds: &mut Vec<i64>) -> bool {
    match &other.kind {
        ExprKind::Const(v) => {
            bound(v, bounds);
            true
        }
        ExprKind::RowField { row, list, field } if matches!(row.kind, ExprKind::Local(_)) => {
            let Some(rows) = policy.lists.get(*list as usize).map(|l| &l.rows) else { return false };
            rows.iter().for_each(|r| bound(&r[*field as usize], bounds));
            true
        }
        _ => false,
    }
}

/// An absent value is no bound: comparing with it answers alike for every field value.
fn bound(v: &Value, bounds: &mut Vec<i64>) {
    match v {
        Value::Date(d) => bounds.push(i64::from(*d)),
        Value::Int(i) => bounds.push(*i),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::eval::tests::policy;
    use crate::eval::Evaluator;
    use crate::value::Value;

    const STEPS: &str = r#"
policy steps
source s "S" { clause c "c" }
enum Out { yes, no }
record Task { code: text, start: date, until: date?, n: int, big: int }
list tasks: Task key code {
  item "T1" { start: 2024-01-10, until: 2024-03-31, n: 1, big: 9000000000000000000 }
  item "T2" { start: 2024-02-01, n: 5, big: 1 }
  item "T3" { start: 2024-02-01, until: 2024-02-01, n: 9, big: 9000000000000000000 }
}
input x { day: date, k: int, other: int }
let in_force = sum(t in tasks of t.n where t.start <= x.day and (not (t.until is some) or t.until >= x.day))
let overflowing = sum(t in tasks of t.big where t.start < x.day)
let on_the_day = count(t in tasks where t.start == x.day or x.day == 2024-03-01)
let above = count(t in tasks where t.n > x.k)
let shifted = count(t in tasks where t.start <= x.day + 1)
let two_fields = count(t in tasks where t.n > x.k and t.n < x.other)
rule r cite s.c { when in_force > 0 and overflowing > 0 and on_the_day > 0 and above > 0 and shifted > 0 and two_fields > 0 then yes "yes" }
decision d: Out by first default no "no"
"#;

    /// Days at, just before and just after every bound (2024-01-10 is day 19,732), far
    /// from them, and absent; ints likewise.
    fn day() -> impl Strategy<Value = Value> {
        prop_oneof![
            4 => (19_700i32..19_820).prop_map(Value::Date),
            1 => Just(Value::Date(0)),
            1 => Just(Value::None),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Through one evaluator, whose steps fill up as the cases come, every let's value
        /// (errors included) is the one its expression has when evaluated directly.
        #[test]
        fn answers_by_step_are_the_lets_own(cases in proptest::collection::vec((day(), -1i64..11, -1i64..11), 1..40)) {
            let p = policy(STEPS);
            let ev = Evaluator::new(&p);
            let stepped: Vec<bool> = ev.let_steps.iter().map(Option::is_some).collect();
            // Not `shifted` (the day is added to, not compared) or `two_fields` (two fields).
            prop_assert_eq!(stepped, [true, true, true, true, false, false]);
            for (day, k, other) in cases {
                let case = [day, Value::Int(k), Value::Int(other)];
                let mut f = ev.frame(&case);
                for (l, declared) in p.lets.iter().enumerate() {
                    let direct = ev.value_of(&declared.value, &mut ev.frame(&case));
                    prop_assert_eq!(ev.let_value(l as u32, &mut f), direct, "{}", declared.name);
                }
            }
        }
    }
}
