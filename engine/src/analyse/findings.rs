//! The questions asked of each decision, and what is reported.
//!
//! A finding that says "this can happen" carries a witness: an input found in the region
//! and replayed through the interpreter, which must show it (two rules firing together,
//! no outcome, …). A finding that says "this never happens" (a dead or shadowed rule)
//! rests on an empty region, which is certain even where terms were over-approximated.
//! Where a region is not empty but no input could be found in it, nothing is claimed;
//! for the two properties a drafter declares (`unique`, `total`) the analyser says that it
//! could not decide (W0406), naming the conditions it could not see into.

use std::collections::{BTreeSet, HashMap, HashSet};

use qingdan_dsl::Span;

use crate::eval::{Conflict, EvalError};
use crate::ir::{CheckId, Combining, DecisionId, ListId, Policy, RuleId, SlotId};
use crate::value::Value;

use super::decide::{regions, Desc, Regions};
use super::mdd::{NodeId, FALSE};
use super::space::{DimOf, Point, Space};
use super::{witness, Ctx};

/// What the analyser found in one policy.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub kind: FindingKind,
    pub decision: Option<DecisionId>,
    /// Where the problem is written.
    pub span: Span,
    /// An input that shows it, for findings that something can happen.
    pub witness: Option<Witness>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FindingKind {
    /// Two rules of a `unique` decision fire together (E0401).
    UniqueOverlap { rules: [RuleId; 2] },
    /// Inputs for which no rule of a decision without a default fires (E0402).
    Gap,
    /// Rules giving the same outcome with different values fire together in a `priority`
    /// decision; only the first's values are kept (W0401). One finding per outcome.
    TiedValues { variant: u32, pairs: Vec<TiedPair> },
    /// A rule of a `first` decision that never decides: an earlier rule always speaks
    /// where it does (W0402).
    Shadowed { rule: RuleId, by: Vec<RuleId> },
    /// A rule or exception that can never hold; `under_target`: an exception that can
    /// hold, but never where its target holds (W0403).
    Dead { rule: RuleId, under_target: bool },
    /// Exceptions of one rule that give different outcomes together (W0404).
    ExceptionConflict { base: RuleId, rules: [RuleId; 2] },
    /// An input field nothing reads (W0405).
    UnusedInput { slot: SlotId },
    /// A `unique` or `total` property the analyser could neither prove nor refute
    /// (W0406): the conditions it could not see into are at `terms`.
    Undecided { question: Question, terms: Vec<Span> },
    /// Rows of a list that break a check reading only lists (W0407).
    ListCheck { check: CheckId, rows: Vec<u32> },
    /// Two rows of a list equal in everything but the key (W0408).
    DuplicateRows { list: ListId, rows: [u32; 2] },
    /// A constant key that names no row of the list it is looked up in (W0409).
    UnknownKey { list: ListId, key: Value },
}

/// Two rules tied at one rank: `kept` decides, `dropped` fires with other values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TiedPair {
    pub kept: RuleId,
    pub dropped: RuleId,
    pub witness: Witness,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Question {
    UniqueOverlap([RuleId; 2]),
    Gap,
}

/// An input that shows a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// One value per slot of the policy: replay it with `Evaluator::decide`.
    pub case: Vec<Value>,
    /// The fields the finding depends on, with their values as a drafter writes them.
    pub shown: Vec<(String, String)>,
}

/// The findings about every decision of the analysed policy (policy 0 of the context).
pub(crate) fn decisions(ctx: &mut Ctx<'_>) -> Vec<Finding> {
    let policy = ctx.space.policies[0];
    let mut out = Vec::new();
    for d in 0..policy.decisions.len() as DecisionId {
        let r = regions(ctx, 0, d);
        let decision = &policy.decisions[d as usize];
        out.extend(dead(ctx, &r));
        out.extend(exception_conflicts(ctx, &r));
        match &decision.combining {
            Combining::Unique => out.extend(unique_overlaps(ctx, &r)),
            Combining::First => out.extend(shadowed(ctx, &r)),
            Combining::Priority(_) => out.extend(tied_values(ctx, &r)),
            Combining::Collect => {}
        }
        if decision.default.is_none() {
            out.extend(gap(ctx, &r));
        }
    }
    out
}

fn finding(kind: FindingKind, d: DecisionId, span: Span, witness: Option<Witness>) -> Finding {
    Finding { kind, decision: Some(d), span, witness }
}

fn rule_span(p: &Policy, r: RuleId) -> Span {
    p.rules[r as usize].span
}

/// Decides the witness's case with the analysed policy.
fn decide(ctx: &Ctx<'_>, d: DecisionId, pt: &Point) -> Result<crate::eval::DecisionResult, EvalError> {
    let case = ctx.space.case(0, pt);
    let ev = &ctx.space.evals[0];
    let mut f = ev.frame(&case);
    ev.decide(d, &mut f)
}

/// The fields a set of dimensions stands for (a term: the fields it reads).
pub(crate) fn dim_fields(space: &Space<'_>, dims: &[super::mdd::DimId]) -> BTreeSet<usize> {
    let mut fields = BTreeSet::new();
    for &d in dims {
        match space.dims[d as usize].of {
            DimOf::Field(f) | DimOf::Bit(f, _) => {
                fields.insert(f);
            }
            DimOf::Term(t) => {
                let term = &space.terms[t];
                crate::ir::visit::walk(&term.expr, &mut |x| {
                    if let crate::ir::ExprKind::Slot(s) = x.kind {
                        if let Some(&f) = space.slot_field[term.policy].get(s as usize) {
                            fields.insert(f);
                        }
                    }
                });
            }
        }
    }
    fields
}

/// The fields the conditions of `rules` (and of the rules they are exceptions to) read,
/// through lets.
pub(crate) fn rule_fields(space: &Space<'_>, p: usize, rules: &[RuleId]) -> Vec<usize> {
    let policy = space.policies[p];
    let mut fields = BTreeSet::new();
    let mut todo: Vec<RuleId> = rules.to_vec();
    let mut seen = HashSet::new();
    while let Some(r) = todo.pop() {
        if !seen.insert(r) {
            continue;
        }
        let rule = &policy.rules[r as usize];
        for e in std::iter::once(&rule.when).chain(&rule.unless) {
            let Some(e) = space.lets[p].inline(policy, e) else { continue };
            crate::ir::visit::walk(&e, &mut |x| {
                if let crate::ir::ExprKind::Slot(s) = x.kind {
                    if let Some(&f) = space.slot_field[p].get(s as usize) {
                        fields.insert(f);
                    }
                }
            });
        }
        todo.extend(rule.exception_to);
    }
    fields.into_iter().collect()
}

/// A witness, showing first the `focus` fields (those of the rules concerned), then the
/// other fields the region depends on where the witness does not take the nicest value.
pub(crate) fn witness_of(
    space: &Space<'_>,
    support: &[super::mdd::DimId],
    pt: &Point,
    p: usize,
    focus: &[usize],
) -> Witness {
    let policy = space.policies[p];
    let case = space.case(p, pt);
    let base = space.case(p, &space.base_point());
    let relevant = dim_fields(space, support);
    let mut order: Vec<usize> = focus.iter().copied().filter(|f| relevant.contains(f)).collect();
    for f in relevant {
        let differs = space.fields[f].slots[p].is_some_and(|s| case[s as usize] != base[s as usize]);
        if differs && !order.contains(&f) {
            order.push(f);
        }
    }
    let shown = order
        .into_iter()
        .filter_map(|f| {
            let s = space.fields[f].slots[p]?;
            let slot = &policy.slots[s as usize];
            Some((space.fields[f].name.clone(), show(policy, &case[s as usize], &slot.ty)))
        })
        .collect();
    Witness { case, shown }
}

/// A value as a drafter writes it, in the policy's keywords (`无`, `真`).
pub(crate) fn show(p: &Policy, v: &Value, ty: &crate::ir::Type) -> String {
    let zh = p.lang == qingdan_dsl::Lang::Zh;
    match (v, zh) {
        (Value::None, true) => "无".into(),
        (Value::Bool(b), true) => (if *b { "真" } else { "假" }).into(),
        _ => p.show(v, ty),
    }
}

/// Finds a witness in `region` that `accept` confirms, and describes it around the fields
/// of `rules`.
fn confirmed(
    ctx: &Ctx<'_>,
    region: NodeId,
    rules: &[RuleId],
    accept: &mut dyn FnMut(&Point) -> bool,
) -> Option<Witness> {
    let pt = witness::find(&ctx.space, &ctx.mdd, region, accept)?;
    Some(described(ctx, region, &pt, rules))
}

fn described(ctx: &Ctx<'_>, region: NodeId, pt: &Point, rules: &[RuleId]) -> Witness {
    let support = ctx.mdd.support(region);
    let focus = rule_fields(&ctx.space, 0, rules);
    witness_of(&ctx.space, &support, pt, 0, &focus)
}

/// The spans of the terms a region involves (for W0406).
fn term_spans(ctx: &Ctx<'_>, region: NodeId) -> Vec<Span> {
    let spans: BTreeSet<Span> = ctx
        .mdd
        .support(region)
        .into_iter()
        .filter_map(|d| match ctx.space.dims[d as usize].of {
            DimOf::Term(t) => Some(ctx.space.terms[t].span),
            _ => None,
        })
        .collect();
    spans.into_iter().collect()
}

fn gap(ctx: &Ctx<'_>, r: &Regions) -> Option<Finding> {
    let d = r.decision;
    let span = ctx.space.policies[0].decisions[d as usize].span;
    if r.silent == FALSE {
        return None;
    }
    let mut accept = |pt: &Point| matches!(decide(ctx, d, pt), Err(EvalError::NoRuleApplies(x)) if x == d);
    // Where no rule fires, every rule's fields matter.
    match confirmed(ctx, r.silent, &r.order, &mut accept) {
        Some(w) => Some(finding(FindingKind::Gap, d, span, Some(w))),
        None => {
            let terms = term_spans(ctx, r.silent);
            Some(finding(FindingKind::Undecided { question: Question::Gap, terms }, d, span, None))
        }
    }
}

/// Overlapping pairs reported per `unique` decision.
const MAX_OVERLAPS: usize = 20;

fn speakers(r: &Regions) -> Vec<RuleId> {
    r.order.iter().copied().filter(|x| r.speaker.contains_key(x)).collect()
}

fn unique_overlaps(ctx: &mut Ctx<'_>, r: &Regions) -> Vec<Finding> {
    let d = r.decision;
    let policy = ctx.space.policies[0];
    let mut out = Vec::new();
    let speakers = speakers(r);
    let exceptions = r.definite_exception_conflict(&mut ctx.mdd);
    // Where some later rule speaks: a rule that overlaps none of them is skipped whole, and
    // each rule looked at pair by pair gives a finding, so the pairs looked at stay few.
    let mut later = vec![FALSE; speakers.len()];
    for i in (1..speakers.len()).rev() {
        later[i - 1] = ctx.mdd.or(later[i], r.speaker[&speakers[i]]);
    }
    for (i, &a) in speakers.iter().enumerate() {
        let overlaps = ctx.mdd.and(r.speaker[&a], later[i]);
        if ctx.mdd.minus(overlaps, exceptions) == FALSE {
            continue;
        }
        for &b in &speakers[i + 1..] {
            let both = ctx.mdd.and(r.speaker[&a], r.speaker[&b]);
            let both = ctx.mdd.minus(both, exceptions);
            if both == FALSE {
                continue;
            }
            if out.len() >= MAX_OVERLAPS {
                // A decision this far from `unique` needs rewriting, not a longer list.
                return out;
            }
            let mut accept = |pt: &Point| match decide(ctx, d, pt) {
                Ok(res) => res.conflicts.iter().any(
                    |c| matches!(c, Conflict::Unique { rules } if rules.contains(&a) && rules.contains(&b)),
                ),
                Err(_) => false,
            };
            let (first, second) = (a.min(b), a.max(b));
            let span = rule_span(policy, second);
            out.push(match confirmed(ctx, both, &[a, b], &mut accept) {
                Some(w) => finding(FindingKind::UniqueOverlap { rules: [first, second] }, d, span, Some(w)),
                None => {
                    let question = Question::UniqueOverlap([first, second]);
                    finding(FindingKind::Undecided { question, terms: term_spans(ctx, both) }, d, span, None)
                }
            });
        }
    }
    out
}

/// The values rule `r`'s outcome gives for the witness.
/// The values rule `r`'s outcome would keep when it decides at `pt`: all of them, but in
/// a `merge` decision its set fields are merged with the others', so none of theirs is lost.
fn outcome_values(ctx: &Ctx<'_>, r: RuleId, pt: &Point) -> Option<Vec<Value>> {
    let case = ctx.space.case(0, pt);
    let ev = &ctx.space.evals[0];
    let mut f = ev.frame(&case);
    let policy = ctx.space.policies[0];
    let rule = &policy.rules[r as usize];
    let then = rule.then.as_ref()?;
    let decision = &policy.decisions[rule.decision as usize];
    let types = &policy.enums[decision.outcome_enum as usize].variants[then.variant as usize].fields;
    let kept = |ty: &crate::ir::Type| !(decision.merge && matches!(ty, crate::ir::Type::Set(_)));
    let fields = then.fields.iter().zip(types).filter(|(_, (_, ty))| kept(ty));
    fields.map(|(e, _)| ev.value_of(e, &mut f).ok()).collect()
}

/// For each rule whose outcome ties with an earlier one's at the same rank: one search for
/// an input where an earlier rule of that outcome decides, this one fires too, and their
/// values differ (the pair is whatever the witness shows).
fn tied_values(ctx: &mut Ctx<'_>, r: &Regions) -> Vec<Finding> {
    let d = r.decision;
    let policy = ctx.space.policies[0];
    let mut by_variant: Vec<(u32, Vec<TiedPair>)> = Vec::new();
    // Deciders are disjoint, so where an earlier rule of the same variant but other values
    // decides is where the variant's deciders so far do, less those with the same values:
    // two unions kept as the rules go by, rather than a pass over the earlier rules each.
    let mut of_variant: HashMap<&str, NodeId> = HashMap::new();
    let mut of_desc: HashMap<&Desc, NodeId> = HashMap::new();
    let position: HashMap<RuleId, usize> = r.decider.iter().enumerate().map(|(i, (x, _))| (*x, i)).collect();
    for (i, &(b, decides_b)) in r.decider.iter().enumerate() {
        let Some(desc_b @ Desc::Outcome { variant: vb, .. }) = r.descs.get(&b) else { continue };
        // Adding `b` to both unions first changes nothing: its region is taken out again.
        let all = of_variant.entry(vb).or_insert(FALSE);
        *all = ctx.mdd.or(*all, decides_b);
        let all = *all;
        let same = of_desc.entry(desc_b).or_insert(FALSE);
        *same = ctx.mdd.or(*same, decides_b);
        let same = *same;
        let decides = ctx.mdd.minus(all, same);
        let region = ctx.mdd.and(decides, r.speaker[&b]);
        if region == FALSE {
            continue;
        }
        // An earlier decider with the same variant and other values.
        let kept = |a: RuleId| {
            position.get(&a).is_some_and(|&j| j < i)
                && matches!(r.descs.get(&a), Some(da @ Desc::Outcome { variant, .. }) if variant == vb && da != desc_b)
        };
        let mut pair = None;
        let mut accept = |pt: &Point| match decide(ctx, d, pt) {
            Ok(res) => match res.outcomes.first().and_then(|o| o.rule) {
                Some(a) if kept(a) && res.fired.contains(&b) => {
                    let differ = outcome_values(ctx, a, pt) != outcome_values(ctx, b, pt);
                    pair = differ.then_some(a);
                    differ
                }
                _ => false,
            },
            Err(_) => false,
        };
        let Some(pt) = witness::find(&ctx.space, &ctx.mdd, region, &mut accept) else { continue };
        let Some(a) = pair else { continue };
        let w = described(ctx, region, &pt, &[a, b]);
        let variant = policy.rules[b as usize].then.as_ref().map_or(0, |t| t.variant);
        let pair = TiedPair { kept: a, dropped: b, witness: w };
        match by_variant.iter_mut().find(|(v, _)| *v == variant) {
            Some((_, pairs)) => pairs.push(pair),
            None => by_variant.push((variant, vec![pair])),
        }
    }
    by_variant
        .into_iter()
        .map(|(variant, pairs)| {
            let w = pairs.first().map(|p| p.witness.clone());
            // Marked at the first rule whose values are dropped.
            let span =
                pairs.first().map_or(policy.decisions[d as usize].span, |p| rule_span(policy, p.dropped));
            finding(FindingKind::TiedValues { variant, pairs }, d, span, w)
        })
        .collect()
}

/// The rule of the decision that `x` (a rule or exception) belongs to.
fn top_rule(p: &Policy, mut x: RuleId) -> RuleId {
    let mut steps = 0;
    while let Some(t) = p.rules[x as usize].exception_to {
        x = t;
        steps += 1;
        if steps > p.rules.len() {
            break;
        }
    }
    x
}

fn shadowed(ctx: &mut Ctx<'_>, r: &Regions) -> Vec<Finding> {
    let d = r.decision;
    let policy = ctx.space.policies[0];
    let mut out = Vec::new();
    // Each rule's speakers (itself and its exceptions) and where they decide, gathered in
    // one pass rather than one per rule.
    let mut members: HashMap<RuleId, Vec<RuleId>> = HashMap::new();
    for x in speakers(r) {
        members.entry(top_rule(policy, x)).or_default().push(x);
    }
    let decider: HashMap<RuleId, NodeId> = r.decider.iter().copied().collect();
    for &top in &policy.decisions[d as usize].rules {
        let members = members.get(&top).map_or(&[][..], Vec::as_slice);
        let speaks: Vec<NodeId> = members.iter().map(|x| r.speaker[x]).collect();
        let speaks = ctx.mdd.any(speaks);
        let decides: Vec<NodeId> = members.iter().filter_map(|x| decider.get(x).copied()).collect();
        let decides = ctx.mdd.any(decides);
        if speaks == FALSE || decides != FALSE {
            continue;
        }
        let mut by = Vec::new();
        let mut accept = |pt: &Point| match decide(ctx, d, pt) {
            Ok(res) => match res.outcomes.first().and_then(|o| o.rule) {
                Some(x) if !members.contains(&x) => {
                    by = vec![top_rule(policy, x)];
                    true
                }
                _ => false,
            },
            Err(_) => false,
        };
        if let Some(w) = confirmed(ctx, speaks, &[top], &mut accept) {
            out.push(finding(FindingKind::Shadowed { rule: top, by }, d, rule_span(policy, top), Some(w)));
        }
    }
    out
}

fn dead(ctx: &mut Ctx<'_>, r: &Regions) -> Vec<Finding> {
    let d = r.decision;
    let policy = ctx.space.policies[0];
    let mut out = Vec::new();
    for &x in &r.order {
        let (h, reach) = (r.holds[&x], r.reach[&x]);
        if reach == FALSE {
            continue; // its target is reported instead
        }
        let under_target = if h == FALSE {
            false
        } else if ctx.mdd.and(h, reach) == FALSE {
            true
        } else {
            continue;
        };
        out.push(finding(FindingKind::Dead { rule: x, under_target }, d, rule_span(policy, x), None));
    }
    out
}

fn exception_conflicts(ctx: &mut Ctx<'_>, r: &Regions) -> Vec<Finding> {
    let d = r.decision;
    let policy = ctx.space.policies[0];
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for &(base, a, b, region, _) in &r.exception_conflicts {
        if !seen.insert((a, b)) {
            continue; // reported at the lowest rule they both belong to
        }
        let mut accept = |pt: &Point| {
            match decide(ctx, d, pt) {
            Ok(res) => res.conflicts.iter().any(
                |c| matches!(c, Conflict::Exceptions { rules, .. } if rules.contains(&a) && rules.contains(&b)),
            ),
            Err(_) => false,
        }
        };
        if let Some(w) = confirmed(ctx, region, &[a, b], &mut accept) {
            let kind = FindingKind::ExceptionConflict { base, rules: [a.min(b), a.max(b)] };
            out.push(finding(kind, d, rule_span(policy, base), Some(w)));
        }
    }
    out
}

/// Input fields no expression reads.
pub(crate) fn unused_inputs(p: &Policy) -> Vec<Finding> {
    let mut read = vec![false; p.slots.len()];
    for e in p.exprs() {
        crate::ir::visit::each_read(e, &mut |r| {
            if let crate::ir::visit::Read::Slot(s) = r {
                if let Some(x) = read.get_mut(s as usize) {
                    *x = true;
                }
            }
        });
    }
    (0..p.slots.len() as SlotId)
        .filter(|s| !read[*s as usize])
        .map(|slot| Finding {
            kind: FindingKind::UnusedInput { slot },
            decision: None,
            span: p.slots[slot as usize].span,
            witness: None,
        })
        .collect()
}
