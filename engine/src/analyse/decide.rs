//! What a decision does, as regions of the input space, following the interpreter's
//! semantics exactly (the module doc of `eval/mod.rs`):
//!
//! - `holds(x)` = `when` and no `unless`;
//! - an exception is looked at only where its target holds; it *speaks* where it holds
//!   and an exception below it speaks, or none below it speaks or cancels and it has an
//!   outcome; it *cancels* where it holds, none below speaks or cancels, and it has no
//!   outcome;
//! - `speaker(x)`: x's own outcome is among those the decision combines;
//! - exceptions of one rule that speak together with different outcomes conflict;
//! - combining: `priority` (most severe, ties in speaking order), `first` and `unique`
//!   (the first speaker; two or more is a conflict for `unique`), `collect` (all);
//!   where nobody speaks, the default applies, or, without one, no outcome at all (a gap).

use std::collections::HashMap;

use crate::ir::{Combining, DecisionId, OutcomeExpr, RuleId};

use super::mdd::{Mdd, NodeId, FALSE};
use super::space::Space;
use super::Ctx;

/// An outcome as text that does not depend on ids: the variant's name and the canonical
/// text of each value (equal texts: equal values).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Desc {
    Outcome {
        variant: String,
        fields: Vec<String>,
    },
    /// Exceptions (or, for `unique`, rules) disagree: no outcome.
    Conflict,
    /// Exceptions give the same variant with values that may or may not differ.
    MaybeConflict,
    /// No rule applies and there is no default (an evaluation error).
    Gap,
}

pub(crate) struct Regions {
    pub decision: DecisionId,
    /// Every rule and exception of the decision, in speaking order (exceptions before the
    /// rule they belong to, as the interpreter appends speakers).
    pub order: Vec<RuleId>,
    pub holds: HashMap<RuleId, NodeId>,
    /// Where the rule's or exception's target is looked at (everywhere for rules).
    pub reach: HashMap<RuleId, NodeId>,
    pub speaker: HashMap<RuleId, NodeId>,
    /// Where an exception without an outcome cancels its target (and so fires).
    pub cancels: HashMap<RuleId, NodeId>,
    /// Pairs of speakers below one rule with different outcomes: (rule, a, b, region,
    /// whether the variants differ). At most [`MAX_CONFLICT_PAIRS`] per rule: the regions
    /// below hold them all.
    pub exception_conflicts: Vec<(RuleId, RuleId, RuleId, NodeId, bool)>,
    /// Where exceptions of one rule give different variants together.
    pub exception_definite: NodeId,
    /// Where two rules of a `unique` decision speak together.
    pub unique_conflict: NodeId,
    /// Any conflict (definite or possible).
    pub conflict: NodeId,
    /// Where the rule's outcome is the decision's (not for `collect`).
    pub decider: Vec<(RuleId, NodeId)>,
    /// Where nobody speaks: the default applies (or, without one, the gap).
    pub silent: NodeId,
    pub descs: HashMap<RuleId, Desc>,
    pub default: Option<Desc>,
}

impl Regions {
    /// Where each outcome (as a description) is the decision's: a partition of the space.
    /// For `collect`, where each outcome is among those collected (not a partition).
    pub fn outcomes(&self, mdd: &mut Mdd, combining: &Combining) -> Vec<(Desc, NodeId)> {
        let mut out: Vec<(Desc, NodeId)> = Vec::new();
        let mut index: HashMap<Desc, usize> = HashMap::new();
        let mut add = |mdd: &mut Mdd, desc: Desc, n: NodeId| {
            if n == FALSE {
                return;
            }
            match index.get(&desc) {
                Some(&i) => out[i].1 = mdd.or(out[i].1, n),
                None => {
                    index.insert(desc.clone(), out.len());
                    out.push((desc, n));
                }
            }
        };
        if *combining == Combining::Collect {
            for &r in &self.order {
                if let (Some(&s), Some(d)) = (self.speaker.get(&r), self.descs.get(&r)) {
                    let s = mdd.minus(s, self.conflict);
                    add(mdd, d.clone(), s);
                }
            }
        } else {
            for (r, n) in &self.decider {
                if let Some(d) = self.descs.get(r) {
                    add(mdd, d.clone(), *n);
                }
            }
        }
        let definite = self.definite_conflict(mdd);
        add(mdd, Desc::Conflict, definite);
        let maybe = mdd.minus(self.conflict, definite);
        add(mdd, Desc::MaybeConflict, maybe);
        let silent = self.silent;
        add(mdd, self.default.clone().unwrap_or(Desc::Gap), silent);
        out
    }

    fn definite_conflict(&self, mdd: &mut Mdd) -> NodeId {
        let exceptions = self.definite_exception_conflict(mdd);
        mdd.or(exceptions, self.unique_conflict)
    }

    /// Where exceptions of one rule give different variants together.
    pub fn definite_exception_conflict(&self, _mdd: &mut Mdd) -> NodeId {
        self.exception_definite
    }
}

/// Computes the regions of decision `d` of policy `p`.
pub(crate) fn regions(ctx: &mut Ctx<'_>, p: usize, d: DecisionId) -> Regions {
    let policy = ctx.space.policies[p];
    let decision = &policy.decisions[d as usize];
    let children = policy.exceptions();
    let regions = Regions {
        decision: d,
        order: Vec::new(),
        holds: HashMap::new(),
        reach: HashMap::new(),
        speaker: HashMap::new(),
        cancels: HashMap::new(),
        exception_conflicts: Vec::new(),
        exception_definite: FALSE,
        unique_conflict: FALSE,
        conflict: FALSE,
        decider: Vec::new(),
        silent: FALSE,
        descs: HashMap::new(),
        default: decision.default.as_ref().map(|o| describe(&ctx.space, p, d, o)),
    };
    let mut walker = Walker { ctx, p, d, children, regions, depth: 0 };
    for &r in &decision.rules {
        walker.walk(r, super::mdd::TRUE);
    }
    let Walker { ctx, mut regions, .. } = walker;
    combine(&mut ctx.mdd, &mut regions, &decision.combining, policy);
    regions
}

struct Walker<'a, 'p> {
    ctx: &'a mut Ctx<'p>,
    p: usize,
    d: DecisionId,
    /// The exceptions of each rule.
    children: Vec<Vec<RuleId>>,
    regions: Regions,
    /// Guards against exception chains deeper than the front end allows anyway.
    depth: u32,
}

/// (speaks, cancels) of a rule, as functions of the input.
type Verdict = (NodeId, NodeId);

impl Walker<'_, '_> {
    fn walk(&mut self, x: RuleId, reach: NodeId) -> Verdict {
        self.depth += 1;
        let h = self.ctx.holds(self.p, x);
        let mdd = &mut self.ctx.mdd;
        let inner = mdd.and(reach, h);
        let kids = self.children.get(x as usize).cloned().unwrap_or_default();
        let (mut spoke, mut cancelled) = (FALSE, FALSE);
        let first_below = self.regions.order.len();
        if self.depth < 256 {
            for &c in &kids {
                let (s, k) = self.walk(c, inner);
                spoke = self.ctx.mdd.or(spoke, s);
                cancelled = self.ctx.mdd.or(cancelled, k);
            }
        }
        let below: Vec<RuleId> = self.regions.order[first_below..].to_vec();
        let rule = &self.ctx.space.policies[self.p].rules[x as usize];
        let has_then = rule.then.is_some();
        let mdd = &mut self.ctx.mdd;
        let either = mdd.or(spoke, cancelled);
        let quiet = mdd.minus(h, either);
        let h_spoke = mdd.and(h, spoke);
        let says = if has_then { mdd.or(h_spoke, quiet) } else { h_spoke };
        let cancels = if has_then { FALSE } else { quiet };
        self.regions.holds.insert(x, h);
        self.regions.reach.insert(x, reach);
        if let Some(o) = &rule.then {
            let speaker = mdd.and(reach, quiet);
            self.regions.speaker.insert(x, speaker);
            let desc = describe(&self.ctx.space, self.p, self.d, o);
            self.regions.descs.insert(x, desc);
        } else {
            let fired = mdd.and(reach, cancels);
            self.regions.cancels.insert(x, fired);
        }
        self.exception_conflicts(x, inner, &below);
        self.regions.order.push(x);
        self.depth -= 1;
        (says, cancels)
    }

    /// Speakers below `x` that can speak together with different outcomes. The regions
    /// (any conflict, and one between different variants) come from running unions, so
    /// that many exceptions cost their number, not its square; the pairs themselves are
    /// listed for the first [`MAX_CONFLICT_PAIRS`] that meet.
    fn exception_conflicts(&mut self, x: RuleId, inner: NodeId, below: &[RuleId]) {
        let speakers: Vec<RuleId> =
            below.iter().copied().filter(|r| self.regions.speaker.contains_key(r)).collect();
        let variant = |d: &Desc| match d {
            Desc::Outcome { variant, .. } => variant.clone(),
            _ => String::new(),
        };
        let (mut by_desc, mut by_variant) = (Unions::default(), Unions::default());
        let first_pair = self.regions.exception_conflicts.len();
        let mut pairs = 0;
        for (j, &b) in speakers.iter().enumerate() {
            let desc = self.regions.descs[&b].clone();
            let sb = self.regions.speaker[&b];
            let mdd = &mut self.ctx.mdd;
            let met = by_desc.add(mdd, desc.clone(), sb);
            by_variant.add(mdd, Desc::Outcome { variant: variant(&desc), fields: Vec::new() }, sb);
            let met = mdd.and(met, inner);
            if met == FALSE || pairs >= MAX_CONFLICT_PAIRS {
                continue;
            }
            for &a in &speakers[..j] {
                let da = &self.regions.descs[&a];
                if *da == desc || pairs >= MAX_CONFLICT_PAIRS {
                    continue;
                }
                let definite = variant(da) != variant(&desc);
                let mdd = &mut self.ctx.mdd;
                let both = mdd.and(self.regions.speaker[&a], sb);
                let both = mdd.and(both, inner);
                if both != FALSE {
                    self.regions.exception_conflicts.push((x, a, b, both, definite));
                    pairs += 1;
                }
            }
        }
        // In speaking order of the first rule of each pair, then of the second.
        let at = |r: RuleId| speakers.iter().position(|&s| s == r);
        self.regions.exception_conflicts[first_pair..].sort_by_key(|c| (at(c.1), at(c.2)));
        let mdd = &mut self.ctx.mdd;
        let conflict = mdd.and(by_desc.twice, inner);
        self.regions.conflict = mdd.or(self.regions.conflict, conflict);
        let definite = mdd.and(by_variant.twice, inner);
        self.regions.exception_definite = mdd.or(self.regions.exception_definite, definite);
    }
}

/// Conflicting pairs of exceptions listed per rule (each is then shown by an input).
pub(crate) const MAX_CONFLICT_PAIRS: usize = 20;

/// Sets added one by one, each with a key: where two sets with different keys meet.
#[derive(Default)]
struct Unions {
    /// Where some set is.
    any: NodeId,
    /// Where sets of at least two keys are.
    twice: NodeId,
    /// Per key, where its sets are.
    of: HashMap<Desc, NodeId>,
}

impl Unions {
    /// Adds `set` under `key`; returns where it meets a set of another key added before.
    /// (Where only one key was, it is another exactly when it is not `key`'s.)
    fn add(&mut self, mdd: &mut Mdd, key: Desc, set: NodeId) -> NodeId {
        let own = self.of.get(&key).copied().unwrap_or(FALSE);
        let once = mdd.minus(self.any, own);
        let other = mdd.or(self.twice, once);
        let met = mdd.and(set, other);
        self.twice = mdd.or(self.twice, met);
        self.any = mdd.or(self.any, set);
        let own = mdd.or(own, set);
        self.of.insert(key, own);
        met
    }
}

/// Decider regions and the silent region, by the combining policy.
fn combine(mdd: &mut Mdd, regions: &mut Regions, combining: &Combining, policy: &crate::ir::Policy) {
    let speakers: Vec<RuleId> =
        regions.order.iter().copied().filter(|r| regions.speaker.contains_key(r)).collect();
    if *combining == Combining::Unique {
        // Exceptions in conflict are reported first: the decision never gets to count.
        let exceptions = regions.definite_exception_conflict(mdd);
        // Where two or more speak: the union of every pair, in one pass.
        let (mut once, mut twice) = (FALSE, FALSE);
        for r in &speakers {
            let s = regions.speaker[r];
            let again = mdd.and(once, s);
            twice = mdd.or(twice, again);
            once = mdd.or(once, s);
        }
        regions.unique_conflict = mdd.minus(twice, exceptions);
        regions.conflict = mdd.or(regions.conflict, regions.unique_conflict);
    }
    let all: Vec<NodeId> = speakers.iter().map(|r| regions.speaker[r]).collect();
    let any = mdd.any(all);
    regions.silent = mdd.not(any);
    let ranked: Vec<RuleId> = match combining {
        Combining::Priority(rank) => {
            let rank_of = |r: &RuleId| {
                let v = policy.rules[*r as usize].then.as_ref().map_or(0, |t| t.variant);
                rank.get(v as usize).copied().unwrap_or(u32::MAX)
            };
            let mut by_rank = speakers.clone();
            // Stable: ties stay in speaking order.
            by_rank.sort_by_key(rank_of);
            by_rank
        }
        Combining::First | Combining::Unique => speakers,
        Combining::Collect => return,
    };
    let mut before = FALSE;
    for r in ranked {
        let s = regions.speaker[&r];
        let first = mdd.minus(s, before);
        let decided = mdd.minus(first, regions.conflict);
        regions.decider.push((r, decided));
        before = mdd.or(before, s);
    }
}

pub(crate) fn describe(space: &Space<'_>, p: usize, d: DecisionId, o: &OutcomeExpr) -> Desc {
    let policy = space.policies[p];
    let e = &policy.enums[policy.decisions[d as usize].outcome_enum as usize];
    let variant =
        e.variants.get(o.variant as usize).map_or_else(|| format!("#{}", o.variant), |v| v.name.clone());
    let fields = o
        .fields
        .iter()
        .map(|f| match space.lets[p].inline(policy, f) {
            Some(x) => space.lets[p].canon(policy, &x),
            None => format!("uninlined:{p}:{:?}", f.span),
        })
        .collect();
    Desc::Outcome { variant, fields }
}
