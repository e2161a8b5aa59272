//! Answers of checks, remembered by the case values they read. A check over lists reads
//! little or nothing of the case (nothing at all, or only the decision date when its list
//! has dated rows), yet compares row with row: the community policy's checks that no two
//! list items are alike cost over a millisecond a case. Its answer for given values of
//! those fields is computed once and reused, errors included.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{CheckResult, EvalError};
use crate::ir::{Policy, SlotId};
use crate::value::Value;

/// More fields than this, and the answers would be as varied as the cases.
const MAX_SLOTS: usize = 2;
/// Memory stays bounded: when this many answers are held, they are all forgotten.
const MAX_ANSWERS: usize = 1024;

type Answer = Result<CheckResult, EvalError>;

pub(super) struct CheckMemo {
    /// The input fields the check reads, directly or through lets.
    slots: Vec<SlotId>,
    answers: Mutex<HashMap<Vec<Value>, Answer>>,
}

impl CheckMemo {
    /// One memo for each check that reads at most [`MAX_SLOTS`] input fields.
    pub fn for_policy(policy: &Policy) -> Vec<Option<CheckMemo>> {
        let memo = |slots: Vec<SlotId>| {
            (slots.len() <= MAX_SLOTS).then(|| CheckMemo { slots, answers: Mutex::default() })
        };
        policy.slots_read_by_checks().into_iter().map(memo).collect()
    }

    /// The check's answer for `case`: remembered, or computed by `compute` now.
    pub fn answer(&self, case: &[Value], compute: impl FnOnce() -> Answer) -> Answer {
        let key: Vec<Value> =
            self.slots.iter().map(|&s| case.get(s as usize).cloned().unwrap_or(Value::None)).collect();
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

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Vec<Value>, Answer>> {
        // A thread that panicked while holding it left the map whole: inserting is all
        // that happens under the lock.
        self.answers.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past [`MAX_ANSWERS`] the memo forgets and starts again; every answer stays the one
    /// computed for its own key, and a remembered one is not computed again.
    #[test]
    fn answers_are_bounded_and_each_keys_own() {
        let memo = CheckMemo { slots: vec![1], answers: Mutex::default() };
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
    }
}
