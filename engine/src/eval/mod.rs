//! The interpreter: decides a case under a policy's decisions, in the manner of default
//! logic for exceptions, and evaluates its checks.
//!
//! Rules and exceptions, precisely:
//! - a rule or exception *holds* when its `when` is true and none of its `unless` is;
//! - an exception that holds *speaks* for its target: with `then`, its outcome replaces
//!   the target's; without `then`, it only cancels the target (the target does not apply);
//! - the most specific speaker wins: a rule whose exception speaks is *overridden*;
//! - two exceptions of one rule that both give outcomes, and different ones, are a
//!   *conflict*: the decision is not decided and the conflict is reported, never a pick.
//!
//! Decisions then combine the outcomes of their rules: `priority` takes the most severe
//! (ties: the first in file order), `first` the first rule in file order, `collect` all,
//! `unique` the single one (two or more is a conflict); with none, the default applies
//! (a `total` decision with none is an error).

mod cond;
pub mod explain;
mod expr;
mod index;
mod memo;
mod near;
pub mod similarity;
mod steps;
pub(crate) mod words;

pub use explain::{explain, explain_with, Explanation};
pub use expr::{arith, compare, to_decimal, Fault};

use std::collections::HashMap;

use smallvec::SmallVec;

use qingdan_dsl::syntax::ast::Modality;
use qingdan_dsl::Span;

use crate::ir::{CheckId, Combining, DecisionId, ListId, OutcomeExpr, Policy, RuleId, SlotId, Type};
use crate::value::Value;

/// Why a case could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    DivisionByZero(Span),
    Overflow(Span),
    /// A `total` decision where no rule applied.
    NoRuleApplies(DecisionId),
}

/// What a decision or check gave: the runtime's types, which a module's host reads too.
pub use qingdan_runtime::decided::{CheckResult, Conflict, DecisionResult, Outcome};

type KeyIndex = HashMap<Value, u32, foldhash::fast::FixedState>;

/// Holds what evaluation needs besides the policy: key indexes of lists and the
/// exceptions of each rule.
pub struct Evaluator<'p> {
    pub policy: &'p Policy,
    /// Each list's rows by key, made when first searched by key: most lists never are,
    /// and a list read from a file may hold 100,000 rows.
    keys: Vec<std::sync::OnceLock<KeyIndex>>,
    exceptions: Vec<Vec<RuleId>>,
    /// Each rule's `when` and `unless` conditions, compiled.
    conditions: Vec<(cond::Cond<'p>, Vec<cond::Cond<'p>>)>,
    /// For each decision, its rules in order with what the rule loop needs at hand.
    plans: Vec<Vec<PlanStep<'p>>>,
    /// List rows grouped by the columns quantifiers search (see `index.rs`).
    indexes: index::Indexes<'p>,
    /// The units `similarity` compares, of every text in the policy's lists.
    known_units: similarity::KnownUnits,
    /// For each check that reads little of the case, its answers by the values it reads.
    check_memos: Vec<Option<memo::CheckMemo>>,
    /// For each let that searches a list and reads little of the case, its values by the
    /// values it reads.
    let_memos: Vec<Option<memo::LetMemo>>,
    /// For each let that is a step function of one date (or int) field, its values by
    /// step (see `steps.rs`); such a let has no memo.
    let_steps: Vec<Option<steps::Steps>>,
    /// The same for the list searches at the top of rules' conditions and outcomes, by
    /// the search's address.
    search_memos: HashMap<usize, memo::SearchMemo, foldhash::fast::FixedState>,
    /// The value of each let that reads nothing of the case (a threshold, a set of enum
    /// values, a list's total), computed once here rather than in every case's frame.
    constant_lets: Vec<Option<Result<Value, EvalError>>>,
}

/// Per-evaluation state: the case, remembered lets and bound variables. Reused between
/// cases to avoid allocating.
pub struct Frame<'c> {
    pub case: &'c [Value],
    lets: Vec<Option<Value>>,
    locals: Vec<Value>,
    speakers: Vec<RuleId>,
    /// The first error met while testing conditions (kept aside so that conditions
    /// return plain booleans); `decide` returns it.
    error: Option<EvalError>,
    /// Buffers of outcome values a reused result gave back (see `decide_into`).
    spare_values: Vec<Vec<Value>>,
    /// For each word table, the rows found in this case's text (see `words.rs`).
    words: Vec<words::Hits>,
}

/// What a rule (with its exceptions) says about a case.
enum Verdict {
    NotApplicable,
    /// An exception without `then` held and was not itself overridden.
    Cancel,
    /// The rule, or exceptions below it, give outcomes (appended to the speakers).
    Says,
}

impl<'p> Evaluator<'p> {
    pub fn new(policy: &'p Policy) -> Evaluator<'p> {
        let keys = policy.lists.iter().map(|_| std::sync::OnceLock::new()).collect();
        let exceptions = policy.exceptions();
        let conditions: Vec<(cond::Cond<'p>, Vec<cond::Cond<'p>>)> = policy
            .rules
            .iter()
            .map(|r| (cond::compile(&r.when), r.unless.iter().map(cond::compile).collect()))
            .collect();
        let plans = policy
            .decisions
            .iter()
            .map(|d| {
                let step = |&r: &RuleId| Self::plan_step(policy, r, exceptions[r as usize].is_empty());
                d.rules.iter().map(step).collect()
            })
            .collect();
        let indexes = index::Indexes::new(policy);
        let known_units = index::list_text_units(policy);
        // The input fields each let reads, directly or through other lets: what the memos
        // are keyed by, and which lets are constants.
        let reads = policy.slots_read_by_lets();
        let check_memos = memo::for_checks(policy, &reads);
        let let_steps = steps::for_lets(policy, &reads);
        let mut let_memos = memo::for_lets(policy, &reads);
        for (memo, steps) in let_memos.iter_mut().zip(&let_steps) {
            if steps.is_some() {
                *memo = None;
            }
        }
        let search_memos = memo::for_searches(policy, &reads);
        let mut ev = Evaluator {
            policy,
            keys,
            exceptions,
            conditions,
            plans,
            indexes,
            known_units,
            check_memos,
            let_memos,
            let_steps,
            search_memos,
            constant_lets: Vec::new(),
        };
        ev.constant_lets = ev.compute_constant_lets(&reads);
        ev
    }

    /// The rows of `list` by key.
    fn keys(&self, list: ListId) -> &KeyIndex {
        self.keys[list as usize].get_or_init(|| {
            let l = &self.policy.lists[list as usize];
            l.rows.iter().enumerate().map(|(i, row)| (row[l.key].clone(), i as u32)).collect()
        })
    }

    /// The lets that read no input field, directly or through other lets, evaluated once.
    fn compute_constant_lets(&self, reads: &[Vec<SlotId>]) -> Vec<Option<Result<Value, EvalError>>> {
        let mut frame = self.frame(&[]);
        (0..reads.len()).map(|l| reads[l].is_empty().then(|| self.let_value(l as u32, &mut frame))).collect()
    }

    /// How many of the policy's quantifiers search a list by index instead of a scan.
    pub fn indexed_searches(&self) -> usize {
        self.indexes.planned()
    }

    /// How many of those search by a column's value, by membership in a set, by a row's
    /// words in a text, and by similarity alone (see `index.rs`, `words.rs`, `near.rs`).
    pub fn indexed_searches_by_kind(&self) -> [usize; 4] {
        self.indexes.planned_kinds()
    }

    /// How many of the policy's lets and rules' list searches are remembered by the case
    /// fields they read (see `memo.rs`), or by the step a date falls in (`steps.rs`).
    pub fn remembered_searches(&self) -> usize {
        self.let_memos.iter().flatten().count()
            + self.let_steps.iter().flatten().count()
            + self.search_memos.len()
    }

    /// Forgets every answer remembered for earlier cases, so that the next case is decided
    /// as the first of its kind: what a benchmark of the searches themselves measures, and
    /// what a host that wants the memory back calls between batches.
    pub fn forget_remembered(&self) {
        let lets = self.let_memos.iter().flatten();
        lets.for_each(memo::Memo::forget);
        self.let_steps.iter().flatten().for_each(steps::Steps::forget);
        self.check_memos.iter().flatten().for_each(memo::Memo::forget);
        self.search_memos.values().for_each(memo::Memo::forget);
    }

    /// The rule loop's view of a rule: compiled again for rules without exceptions, so the
    /// loop reads one array in order.
    fn plan_step(policy: &'p Policy, rule: RuleId, plain: bool) -> PlanStep<'p> {
        let r = &policy.rules[rule as usize];
        let when = cond::compile(&r.when);
        let guard = when.guard();
        let plain = plain.then(|| (when, r.unless.iter().map(cond::compile).collect()));
        PlanStep { rule, guard, plain }
    }

    pub fn frame<'c>(&self, case: &'c [Value]) -> Frame<'c> {
        Frame {
            case,
            lets: vec![None; self.policy.lets.len()],
            locals: Vec::new(),
            speakers: Vec::new(),
            error: None,
            spare_values: Vec::new(),
            words: Vec::new(),
        }
    }
}

impl Frame<'_> {
    /// The same buffers for another case, so a batch allocates them once.
    #[inline]
    pub fn rebind<'d>(self, case: &'d [Value]) -> Frame<'d> {
        let Frame { mut lets, mut locals, speakers, spare_values, mut words, .. } = self;
        lets.iter_mut().for_each(|l| *l = None);
        locals.clear();
        words.iter_mut().for_each(words::Hits::forget);
        Frame { case, lets, locals, speakers, error: None, spare_values, words }
    }

    /// Records an error met in a condition and answers `false` for it.
    pub(crate) fn fail(&mut self, e: EvalError) -> bool {
        self.error.get_or_insert(e);
        false
    }
}

impl Evaluator<'_> {
    /// Decides one decision for the case in `frame`.
    pub fn decide(&self, d: DecisionId, f: &mut Frame<'_>) -> Result<DecisionResult, EvalError> {
        let mut result = DecisionResult {
            decision: d,
            outcomes: SmallVec::new(),
            fired: SmallVec::new(),
            overridden: SmallVec::new(),
            conflicts: Vec::new(),
            by_default: false,
        };
        self.decide_into(d, f, &mut result)?;
        Ok(result)
    }

    /// [`Evaluator::decide`] into a result kept from an earlier decision, whose buffers
    /// (outcome values included, through the frame) are reused: a batch that decides into
    /// one result allocates nothing per case beyond the values the policy itself builds.
    /// On an error the result's content is unspecified.
    pub fn decide_into(
        &self,
        d: DecisionId,
        f: &mut Frame<'_>,
        result: &mut DecisionResult,
    ) -> Result<(), EvalError> {
        let decision = &self.policy.decisions[d as usize];
        result.decision = d;
        for outcome in result.outcomes.drain(..) {
            f.spare_values.push(outcome.fields);
        }
        result.fired.clear();
        result.overridden.clear();
        result.conflicts.clear();
        result.by_default = false;
        // The frame's buffer, so that deciding allocates only what the result keeps.
        let mut speakers = std::mem::take(&mut f.speakers);
        speakers.clear();
        let decided = self.combine(d, f, result, &mut speakers);
        f.speakers = speakers;
        decided?;
        if let Some(e) = f.error.take() {
            return Err(e);
        }
        if result.outcomes.is_empty() && result.conflicts.is_empty() {
            let default = decision.default.as_ref().ok_or(EvalError::NoRuleApplies(d))?;
            let fields = self.values(default, f)?;
            result.outcomes.push(Outcome { variant: default.variant, fields, rule: None });
            result.by_default = true;
        }
        Ok(())
    }

    /// The value of any expression of the policy, or one built from its parts, for the
    /// case in `f`. The analyser asks its conditions this way, so that it and the
    /// interpreter cannot disagree about what a condition means.
    pub fn value_of(&self, e: &crate::ir::Expr, f: &mut Frame<'_>) -> Result<Value, EvalError> {
        let v = self.eval(e, f);
        match f.error.take() {
            Some(err) => Err(err),
            None => v,
        }
    }

    /// Collects what each rule says into `speakers` and combines it into `result`.
    fn combine(
        &self,
        d: DecisionId,
        f: &mut Frame<'_>,
        result: &mut DecisionResult,
        speakers: &mut Vec<RuleId>,
    ) -> Result<(), EvalError> {
        let decision = &self.policy.decisions[d as usize];
        let first_decides = decision.combining == Combining::First;
        for step in &self.plans[d as usize] {
            let r = step.rule;
            let before = speakers.len();
            if step.guard.is_some_and(|g| !g.passes(f.case)) {
                continue;
            }
            match &step.plain {
                // Most rules have no exceptions: test them in the loop, without the
                // bookkeeping of `verdict`.
                Some((when, unless)) => {
                    if self.test(when, f) && !unless.iter().any(|u| self.test(u, f)) {
                        speakers.push(r);
                    }
                }
                None => {
                    self.verdict(r, f, result, speakers);
                }
            }
            if first_decides && before > 0 {
                // Later rules are still looked at (for what they override), but the
                // first rule that speaks decides.
                speakers.truncate(before);
            }
        }
        // Exceptions that cancelled their target took effect too, though they give no
        // outcome; `verdict` recorded them in `fired` already.
        result.fired.extend_from_slice(speakers);
        result.fired.sort_unstable();
        result.fired.dedup();
        if !result.conflicts.is_empty() {
            return Ok(());
        }
        match &decision.combining {
            Combining::Priority(rank) => {
                if let Some(r) = self.most_severe(speakers, rank) {
                    self.push_outcome(r, f, result)?;
                    if decision.merge {
                        self.merge_sets(r, speakers, f, result)?;
                    }
                }
            }
            Combining::Unique if speakers.len() > 1 => {
                result.conflicts.push(Conflict::Unique { rules: result.fired.to_vec() });
            }
            Combining::First | Combining::Unique => {
                if let Some(&r) = speakers.first() {
                    self.push_outcome(r, f, result)?;
                }
            }
            Combining::Collect => {
                for &r in speakers.iter() {
                    self.push_outcome(r, f, result)?;
                }
            }
        }
        Ok(())
    }

    /// The values an outcome carries, for the case in `f`; the first error ends it.
    fn values(&self, outcome: &OutcomeExpr, f: &mut Frame<'_>) -> Result<Vec<Value>, EvalError> {
        let mut values = f.spare_values.pop().unwrap_or_default();
        values.clear();
        for e in &outcome.fields {
            values.push(self.eval(e, f)?);
        }
        Ok(values)
    }

    fn push_outcome(
        &self,
        r: RuleId,
        f: &mut Frame<'_>,
        result: &mut DecisionResult,
    ) -> Result<(), EvalError> {
        let then = self.policy.rules[r as usize].then.as_ref().expect("speakers have an outcome");
        let fields = self.values(then, f)?;
        result.outcomes.push(Outcome { variant: then.variant, fields, rule: Some(r) });
        Ok(())
    }

    /// `priority … merge`: every other speaker that gives the winning variant, in order,
    /// adds its set fields to those of the outcome just pushed (rule `best`'s); its other
    /// fields are still evaluated, so their errors count as the module's do.
    fn merge_sets(
        &self,
        best: RuleId,
        speakers: &[RuleId],
        f: &mut Frame<'_>,
        result: &mut DecisionResult,
    ) -> Result<(), EvalError> {
        let then = |r: RuleId| self.policy.rules[r as usize].then.as_ref().expect("speakers have an outcome");
        let variant = then(best).variant;
        let decision = &self.policy.decisions[self.policy.rules[best as usize].decision as usize];
        let types = &self.policy.enums[decision.outcome_enum as usize].variants[variant as usize].fields;
        for &s in speakers.iter().filter(|&&s| s != best && then(s).variant == variant) {
            let fields: Vec<Value> = self.values(then(s), f)?;
            let merged = result.outcomes.last_mut().expect("the winning outcome was pushed");
            for ((into, more), (_, ty)) in merged.fields.iter_mut().zip(fields).zip(types) {
                if let (Type::Set(_), Value::Set(a), Value::Set(b)) = (ty, &*into, &more) {
                    *into = Value::set(a.iter().chain(b.iter()).cloned().collect());
                }
            }
        }
        Ok(())
    }

    fn most_severe(&self, speakers: &[RuleId], rank: &[u32]) -> Option<RuleId> {
        let rank_of = |r: &RuleId| {
            let variant = self.policy.rules[*r as usize].then.as_ref().map_or(0, |t| t.variant);
            rank.get(variant as usize).copied().unwrap_or(u32::MAX)
        };
        // `min_by_key` keeps the first of equals: ties go to file order.
        speakers.iter().copied().min_by_key(rank_of)
    }

    /// What rule `r` and the exceptions below it say about the case; the rules whose
    /// outcome stands are appended to `speakers`.
    fn verdict(
        &self,
        r: RuleId,
        f: &mut Frame<'_>,
        result: &mut DecisionResult,
        speakers: &mut Vec<RuleId>,
    ) -> Verdict {
        if !self.holds(r, f) {
            return Verdict::NotApplicable;
        }
        let exceptions = &self.exceptions[r as usize];
        if exceptions.is_empty() {
            // The common case: a rule nobody overrides speaks for itself.
            return match self.policy.rules[r as usize].then {
                Some(_) => {
                    speakers.push(r);
                    Verdict::Says
                }
                None => {
                    result.fired.push(r);
                    Verdict::Cancel
                }
            };
        }
        let start = speakers.len();
        let mut cancelled = false;
        for &x in exceptions {
            if let Verdict::Cancel = self.verdict(x, f, result, speakers) {
                cancelled = true;
            }
        }
        let spoke = speakers.len() > start;
        if spoke || cancelled {
            result.overridden.push(r);
        }
        if spoke {
            let disagree = self.disagree(&speakers[start..], f).unwrap_or_else(|e| f.fail(e));
            if disagree {
                result
                    .conflicts
                    .push(Conflict::Exceptions { base: r, rules: sorted(speakers[start..].to_vec()) });
            }
            return Verdict::Says;
        }
        match (cancelled, &self.policy.rules[r as usize].then) {
            (true, _) => Verdict::NotApplicable,
            (false, Some(_)) => {
                speakers.push(r);
                Verdict::Says
            }
            (false, None) => {
                result.fired.push(r);
                Verdict::Cancel
            }
        }
    }

    fn holds(&self, r: RuleId, f: &mut Frame<'_>) -> bool {
        let (when, unless) = &self.conditions[r as usize];
        self.test(when, f) && !unless.iter().any(|u| self.test(u, f))
    }

    /// Whether exceptions that all hold give different outcomes (variant or values).
    fn disagree(&self, rules: &[RuleId], f: &mut Frame<'_>) -> Result<bool, EvalError> {
        let mut first: Option<(u32, Vec<Value>)> = None;
        for &r in rules {
            let then = self.policy.rules[r as usize].then.as_ref().expect("speakers have an outcome");
            let fields = self.values(then, f)?;
            match &first {
                None => first = Some((then.variant, fields)),
                Some(seen) if *seen != (then.variant, fields) => return Ok(true),
                Some(_) => {}
            }
        }
        Ok(false)
    }

    /// Evaluates a check: the rows (or the case) that break it, or use its permission.
    pub fn check(&self, c: CheckId, f: &mut Frame<'_>) -> Result<CheckResult, EvalError> {
        match &self.check_memos[c as usize] {
            Some(memo) => memo.answer(f.case, || self.check_now(c, f)),
            None => self.check_now(c, f),
        }
    }

    fn check_now(&self, c: CheckId, f: &mut Frame<'_>) -> Result<CheckResult, EvalError> {
        let check = &self.policy.checks[c as usize];
        let hit_when = check.modality != Modality::Must;
        let mut hits = Vec::new();
        match &check.scope {
            None => {
                if self.eval(&check.body, f)?.as_bool() == hit_when {
                    hits.push(None);
                }
            }
            Some(scope) => {
                let rows = match self.eval(&scope.over, f)? {
                    Value::Set(items) => items,
                    _ => Vec::new().into(),
                };
                for row in rows.iter() {
                    f.locals.push(row.clone());
                    let selected = match &scope.filter {
                        Some(filter) => self.eval(filter, f).map(|v| v.as_bool()),
                        None => Ok(true),
                    };
                    let hit =
                        selected.and_then(|s| Ok(s && self.eval(&check.body, f)?.as_bool() == hit_when));
                    f.locals.pop();
                    if hit? {
                        hits.push(Some(row.clone()));
                    }
                }
            }
        }
        Ok(CheckResult { check: c, hits })
    }
}

/// One rule as the rule loop sees it.
struct PlanStep<'p> {
    rule: RuleId,
    /// A one-field test the rule's `when` cannot hold without.
    guard: Option<cond::Guard>,
    /// `when` and `unless`, for a rule without exceptions.
    plain: Option<(cond::Cond<'p>, Vec<cond::Cond<'p>>)>,
}

fn sorted(mut rules: Vec<RuleId>) -> Vec<RuleId> {
    rules.sort_unstable();
    rules.dedup();
    rules
}

#[cfg(test)]
pub(crate) mod tests;
