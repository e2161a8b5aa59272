//! Answers remembered by the case values they read. A check over lists reads little or
//! nothing of the case (nothing at all, or only the decision date when its list has dated
//! rows), yet compares row with row: the community policy's checks that no two list items
//! are alike cost over a millisecond a case. A let that searches a list reads a field or
//! two (the application date, the task's name) and visits every row: the grid admission
//! policy's monthly workload sums the rows in force on the application's date. Their
//! answer for given values of those fields is computed once and reused, errors included.

use std::collections::HashMap;
use std::sync::Mutex;

use foldhash::fast::RandomState;

use super::{CheckResult, EvalError};
use crate::ir::{visit, Expr, ExprKind, Policy, SlotId};
use crate::value::Value;

/// More fields than this, and the answers would be as varied as the cases.
const MAX_SLOTS: usize = 3;
/// Memory stays bounded: when this many answers are held, they are all forgotten.
const MAX_ANSWERS: usize = 1024;
/// Keys longer than this (bytes of text, elements of sets) are not kept: a memo holds at
/// most [`MAX_ANSWERS`] of them, so it never holds more than a few megabytes of a case.
const MAX_KEY_WEIGHT: usize = 1024;

/// The values of the fields read, on the stack (no allocation to look an answer up).
type Key = smallvec::SmallVec<[Value; MAX_SLOTS]>;

/// A check's answer, or a let's value.
pub(super) struct Memo<A> {
    /// The input fields the answer depends on, directly or through lets.
    slots: Vec<SlotId>,
    // A fast hash, seeded per process: a memo holds at most [`MAX_ANSWERS`] keys.
    answers: Mutex<HashMap<Key, A, RandomState>>,
}

impl<A: Clone> Memo<A> {
    fn over(slots: Vec<SlotId>) -> Option<Memo<A>> {
        (slots.len() <= MAX_SLOTS).then(|| Memo { slots, answers: Mutex::default() })
    }

    /// A memo keyed by one to [`MAX_SLOTS`] fields: what reads none of the case is not a
    /// search to remember but a constant (lets: `constant_lets`).
    fn over_case(slots: Vec<SlotId>) -> Option<Memo<A>> {
        (!slots.is_empty()).then(|| Memo::over(slots)).flatten()
    }

    /// The answer for `case`: remembered, or computed by `compute` now.
    pub fn answer(&self, case: &[Value], compute: impl FnOnce() -> A) -> A {
        let key: Key =
            self.slots.iter().map(|&s| case.get(s as usize).cloned().unwrap_or(Value::None)).collect();
        if key.iter().map(weight).sum::<usize>() > MAX_KEY_WEIGHT {
            return compute();
        }
        if let Some(known) = self.lock().get(&key) {
            return known.clone();
        }
        // Computed without the lock held: two threads may both compute an answer, and
        // they compute the same one.
        let answer = compute();
        let mut answers = self.lock();
        if answers.len() >= MAX_ANSWERS {
            answers.clear();
        }
        answers.insert(key, answer.clone());
        answer
    }

    /// Forgets every answer.
    pub fn forget(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, A, RandomState>> {
        // A thread that panicked while holding it left the map whole: inserting is all
        // that happens under the lock.
        self.answers.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// How much of a case a key holds: bytes of text, one for any other value.
fn weight(v: &Value) -> usize {
    match v {
        Value::Text(t) => t.len(),
        Value::Set(items) => items.iter().map(weight).sum::<usize>() + 1,
        _ => 1,
    }
}

pub(super) type CheckMemo = Memo<Result<CheckResult, EvalError>>;
pub(super) type LetMemo = Memo<Result<Value, EvalError>>;

/// One memo for each check that reads at most [`MAX_SLOTS`] input fields.
/// `lets` are the input fields each let reads ([`Policy::slots_read_by_lets`]), as for the
/// two below.
pub(super) fn for_checks(policy: &Policy, lets: &[Vec<SlotId>]) -> Vec<Option<CheckMemo>> {
    policy.slots_read_by_checks(lets).into_iter().map(Memo::over).collect()
}

/// One memo for each let that searches a list (a quantifier or aggregate over its rows,
/// where computing costs more than remembering) and reads one to [`MAX_SLOTS`] input
/// fields. Lets that read none are computed once per policy instead (`constant_lets`).
pub(super) fn for_lets(policy: &Policy, reads: &[Vec<SlotId>]) -> Vec<Option<LetMemo>> {
    let memo = |(l, slots): (&crate::ir::Let, &Vec<SlotId>)| {
        searches(&l.value).then(|| Memo::over_case(slots.clone())).flatten()
    };
    policy.lets.iter().zip(reads).map(memo).collect()
}

/// A list search's result (`任一(r 属于 非网格事项目录 满足 …)` in a rule's condition).
pub(super) type SearchMemo = Memo<Result<Value, EvalError>>;

/// Memos for the searches of a list that rules' conditions and outcomes make at their top
/// level (not inside another search, whose variable they could read), each reading one to
/// [`MAX_SLOTS`] input fields; keyed by the search's address in the policy. Lets are
/// remembered as a whole (`for_lets`), checks too (`for_checks`).
pub(super) fn for_searches(
    policy: &Policy,
    lets: &[Vec<SlotId>],
) -> HashMap<usize, SearchMemo, foldhash::fast::FixedState> {
    let mut memos = HashMap::default();
    for e in policy.rules.iter().flat_map(|r| r.exprs()) {
        top_searches(e, &mut |search| {
            if let Some(memo) = Memo::over_case(visit::slots_read(std::iter::once(search), lets)) {
                memos.insert(search as *const Expr as usize, memo);
            }
        });
    }
    memos
}

/// Whether `e` searches a list somewhere.
pub(super) fn searches(e: &Expr) -> bool {
    let mut found = false;
    visit::walk(e, &mut |x| found |= is_list_search(x));
    found
}

/// A quantifier or aggregate over a list's rows.
fn is_list_search(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Quant(q) if matches!(q.over.kind, ExprKind::ListRows(_)))
}

/// Calls `found` on each search of a list in `e` that is not inside another search.
fn top_searches<'a>(e: &'a Expr, found: &mut impl FnMut(&'a Expr)) {
    match &e.kind {
        _ if is_list_search(e) => found(e),
        ExprKind::Quant(_) => {}
        _ => visit::each_child(e, &mut |c| top_searches(c, found)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past [`MAX_ANSWERS`] the memo forgets and starts again; every answer stays the one
    /// computed for its own key, and a remembered one is not computed again.
    #[test]
    fn answers_are_bounded_and_each_keys_own() {
        let memo: CheckMemo = Memo { slots: vec![1], answers: Mutex::default() };
        let computed = std::cell::Cell::new(0);
        let ask = |n: i64| {
            let case = [Value::None, Value::Int(n)];
            memo.answer(&case, || {
                computed.set(computed.get() + 1);
                Ok(CheckResult { check: 0, hits: vec![Some(Value::Int(n))] })
            })
        };
        for n in 0..(MAX_ANSWERS as i64 + 10) {
            assert_eq!(ask(n).expect("answers").hits, [Some(Value::Int(n))]);
            assert_eq!(ask(n).expect("answers").hits, [Some(Value::Int(n))]);
        }
        assert_eq!(computed.get(), MAX_ANSWERS + 10);
        assert!(memo.lock().len() <= MAX_ANSWERS);
        // Forgotten, an answer is computed again.
        memo.forget();
        assert_eq!(ask(1).expect("answers").hits, [Some(Value::Int(1))]);
        assert_eq!(computed.get(), MAX_ANSWERS + 11);
    }

    /// A long text is computed every time and never kept.
    #[test]
    fn long_keys_are_not_kept() {
        let memo: LetMemo = Memo { slots: vec![0], answers: Mutex::default() };
        let long = [Value::text(&"长".repeat(MAX_KEY_WEIGHT))];
        let computed = std::cell::Cell::new(0);
        for _ in 0..3 {
            let got = memo.answer(&long, || {
                computed.set(computed.get() + 1);
                Ok(Value::Int(7))
            });
            assert_eq!(got, Ok(Value::Int(7)));
        }
        assert_eq!(computed.get(), 3);
        assert!(memo.lock().is_empty());
    }
}
