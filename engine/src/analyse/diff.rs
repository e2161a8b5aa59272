//! The semantic difference between two revisions of a policy: for each decision, the
//! regions of the input space whose outcome changes, each with an input that shows it;
//! and the rows added, removed and changed in each list.
//!
//! Both revisions are analysed in one space (fields matched by input and path, enum values
//! by name, rows by key; terms shared when their canonical text is equal). For each
//! decision, each revision partitions the space by outcome (`decide.rs`: the variant and
//! the canonical text of its values, or a conflict, or the default). Where an old outcome
//! meets a different new one, the region is a change. Each change is confirmed by an
//! input found in it and decided by both revisions' interpreters; a region where no such
//! input is found (terms the analyser cannot see into, values that may coincide) is listed
//! as not decided exactly, never as a change.

use std::collections::BTreeMap;

use qingdan_dsl::diag::{msg, Msg};
use qingdan_dsl::{Lang, SourceMap};
use serde::Serialize;

use crate::eval::explain::explain_with;
use crate::eval::Evaluator;
use crate::ir::{Combining, DecisionId, Policy, RuleId, Type};
use crate::value::Value;

use super::decide::{regions, Desc, Regions};
use super::describe::{describe_box, Condition};
use super::findings::{dim_fields, show, witness_of};
use super::mdd::{NodeId, FALSE};
use super::space::{Domain, Point};
use super::{witness, Ctx};

/// The difference between two revisions, with the analysis it came from (to test inputs
/// against its regions).
pub struct Diff<'p> {
    ctx: Ctx<'p>,
    pub inputs: Vec<Msg>,
    pub decisions: Vec<DecisionDiff>,
    pub lists: Vec<ListDiff>,
}

pub struct DecisionDiff {
    pub name: String,
    pub status: Status,
    /// Regions whose outcome changes, each shown by an input.
    pub changes: Vec<Change>,
    /// Regions that may change, where the analyser found no input to show it.
    pub undecided: Vec<Change>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Compared,
    Added,
    Removed,
}

/// A change of outcome over a region of inputs: of the inputs the old revision decides
/// `from`, exactly those meeting `conditions` are decided `to` by the new one.
pub struct Change {
    pub from: Msg,
    pub to: Msg,
    pub conditions: Vec<Condition>,
    pub witness: Option<DiffWitness>,
    region: NodeId,
}

pub struct DiffWitness {
    /// The input in each revision's slot layout (replay with `Evaluator::decide`).
    pub old_case: Vec<Value>,
    pub new_case: Vec<Value>,
    /// The input as a case file holds it (new revision's fields).
    pub json: serde_json::Value,
    /// The fields the change depends on.
    pub shown: Vec<(String, String)>,
    pub old: String,
    pub new: String,
}

pub struct ListDiff {
    pub name: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<RowChange>,
    pub fields: Vec<Msg>,
}

pub struct RowChange {
    pub key: String,
    /// (field, old value, new value)
    pub fields: Vec<(String, String, String)>,
}

/// Compares two revisions. `sources` (of each revision's program) let terms be shown as
/// written; without them their canonical form is shown.
pub fn diff<'p>(old: &'p Policy, new: &'p Policy, sources: [Option<&SourceMap>; 2]) -> Diff<'p> {
    let mut ctx = Ctx::new(vec![old, new]);
    let inputs = input_changes(&ctx);
    let mut decisions = Vec::new();
    for (d0, dec) in old.decisions.iter().enumerate() {
        let status = match new.decisions.iter().position(|x| x.name == dec.name) {
            // Without any input both revisions accept, no outcome can change.
            Some(_) if ctx.space.is_empty() => Status::Compared,
            Some(d1) => {
                decisions.push(compare(&mut ctx, d0 as DecisionId, d1 as DecisionId, &sources));
                continue;
            }
            None => Status::Removed,
        };
        decisions.push(DecisionDiff {
            name: dec.name.clone(),
            status,
            changes: Vec::new(),
            undecided: Vec::new(),
        });
    }
    for dec in &new.decisions {
        if !old.decisions.iter().any(|x| x.name == dec.name) {
            let status = Status::Added;
            decisions.push(DecisionDiff {
                name: dec.name.clone(),
                status,
                changes: Vec::new(),
                undecided: Vec::new(),
            });
        }
    }
    let lists = list_changes(old, new);
    Diff { ctx, inputs, decisions, lists }
}

impl Diff<'_> {
    /// Whether nothing changes: no decision, list or input differs.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
            && self.lists.is_empty()
            && self
                .decisions
                .iter()
                .all(|d| d.status == Status::Compared && d.changes.is_empty() && d.undecided.is_empty())
    }

    /// Whether an input of the old revision (its slot values) lies in a region reported as
    /// changed or undecided for decision `name`. `None` if the input lies outside the
    /// shared domain (a value one revision does not know).
    pub fn reported(&self, name: &str, old_case: &[Value]) -> Option<bool> {
        let pt = self.ctx.space.point_of(0, old_case)?;
        let d = self.decisions.iter().find(|d| d.name == name)?;
        let inside = |c: &Change| witness::contains(&self.ctx.space, &self.ctx.mdd, c.region, &pt);
        Some(d.changes.iter().chain(&d.undecided).any(inside))
    }

    /// The input of the new revision for an input of the old one.
    pub fn new_case(&self, old_case: &[Value]) -> Option<Vec<Value>> {
        let pt = self.ctx.space.point_of(0, old_case)?;
        Some(self.ctx.space.case(1, &pt))
    }
}

/// What a decision gives for an input, as explanations show it: comparable across
/// revisions (names, not indices).
pub fn observe(ev: &Evaluator<'_>, d: DecisionId, case: &[Value]) -> String {
    let mut f = ev.frame(case);
    let result = match ev.decide(d, &mut f) {
        Ok(r) => r,
        Err(e) => return format!("error: {e:?}"),
    };
    let Ok(e) = explain_with(ev, &result, &mut f, false) else { return "error".into() };
    // Conflicts are alike whichever rules conflict: there is no outcome.
    if !e.conflicts.is_empty() {
        return "conflict".into();
    }
    let mut shown: Vec<String> = e
        .outcomes
        .iter()
        .map(|o| {
            if o.values.is_empty() {
                return o.outcome.clone();
            }
            let values: Vec<String> = o.values.iter().map(|v| format!("{}: {}", v.name, v.value)).collect();
            format!("{} {{ {} }}", o.outcome, values.join(", "))
        })
        .collect();
    // `collect` gives a set of outcomes.
    shown.sort();
    shown.dedup();
    shown.join("; ")
}

/// One candidate change: the region, where the old and the new outcome hold, and the
/// rules giving each (to show the fields they read).
struct Candidate {
    from: Msg,
    to: Msg,
    region: NodeId,
    old_side: NodeId,
    /// The rules (`None`: the default) whose outcome this is somewhere in the region.
    rules: (Vec<Option<RuleId>>, Vec<Option<RuleId>>),
}

fn compare(
    ctx: &mut Ctx<'_>,
    d0: DecisionId,
    d1: DecisionId,
    sources: &[Option<&SourceMap>; 2],
) -> DecisionDiff {
    let (old, new) = (ctx.space.policies[0], ctx.space.policies[1]);
    let r0 = regions(ctx, 0, d0);
    let r1 = regions(ctx, 1, d1);
    let (c0, c1) = (&old.decisions[d0 as usize].combining, &new.decisions[d1 as usize].combining);
    let outs0 = r0.outcomes(&mut ctx.mdd, c0);
    let outs1 = r1.outcomes(&mut ctx.mdd, c1);
    let candidates = if *c0 != Combining::Collect && *c1 != Combining::Collect {
        replaced(ctx, (old, &r0, &outs0), (new, &r1, &outs1))
    } else {
        collected(ctx, (old, &r0, &outs0), (new, &r1, &outs1))
    };
    let mut out = DecisionDiff {
        name: old.decisions[d0 as usize].name.clone(),
        status: Status::Compared,
        changes: Vec::new(),
        undecided: Vec::new(),
    };
    for (i, c) in candidates.into_iter().enumerate() {
        let (conditions, core) = distinguishing(ctx, &c, sources);
        // Beyond a bound, regions are listed without searching them: not decided, never
        // dropped.
        let witness = if i < MAX_SEARCHED { confirm(ctx, c.region, (d0, d1), core) } else { None };
        let change = Change { from: c.from, to: c.to, conditions, witness, region: c.region };
        if change.witness.is_some() {
            out.changes.push(change);
        } else {
            out.undecided.push(change);
        }
    }
    out
}

type Side<'a, 'p> = (&'p Policy, &'a Regions, &'a [(Desc, NodeId)]);

/// One outcome replaced by another. Changes between two variants are grouped by the pair
/// of variants (whichever rules give them); a change of values within one variant is kept
/// per pair of outcomes, as only those pairs differ.
fn replaced(
    ctx: &mut Ctx<'_>,
    (old, r0, outs0): Side<'_, '_>,
    (new, r1, outs1): Side<'_, '_>,
) -> Vec<Candidate> {
    let mut groups: Vec<((Desc, Desc), Candidate)> = Vec::new();
    for (a, ra) in outs0 {
        for (b, rb) in outs1 {
            if a == b {
                continue;
            }
            let both = ctx.mdd.and(*ra, *rb);
            if both == FALSE {
                continue;
            }
            let key = match (variant_of(a), variant_of(b)) {
                (Some(x), Some(y)) if x == y => (a.clone(), b.clone()),
                _ => (variant_only(a), variant_only(b)),
            };
            let rules = (rules_in(ctx, r0, a, both), rules_in(ctx, r1, b, both));
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, c)) => {
                    c.region = ctx.mdd.or(c.region, both);
                    c.old_side = ctx.mdd.or(c.old_side, *ra);
                    c.rules.0.extend(rules.0);
                    c.rules.1.extend(rules.1);
                }
                None => {
                    let c =
                        Candidate { from: msg("", ""), to: msg("", ""), region: both, old_side: *ra, rules };
                    groups.push((key, c));
                }
            }
        }
    }
    groups
        .into_iter()
        .map(|((a, b), mut c)| {
            for rules in [&mut c.rules.0, &mut c.rules.1] {
                rules.sort_unstable_by_key(|r| r.unwrap_or(RuleId::MAX));
                rules.dedup();
            }
            c.from = outcome_text(old, &a, &c.rules.0);
            c.to = outcome_text(new, &b, &c.rules.1);
            c
        })
        .collect()
}

/// Sets of outcomes (`collect`): where each outcome is among them in one revision only.
fn collected(
    ctx: &mut Ctx<'_>,
    (old, r0, outs0): Side<'_, '_>,
    (new, r1, outs1): Side<'_, '_>,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut seen: Vec<&Desc> = Vec::new();
    for desc in outs0.iter().chain(outs1).map(|(d, _)| d) {
        if seen.contains(&desc) {
            continue;
        }
        seen.push(desc);
        let in0 = outs0.iter().find(|(d, _)| d == desc).map_or(FALSE, |(_, n)| *n);
        let in1 = outs1.iter().find(|(d, _)| d == desc).map_or(FALSE, |(_, n)| *n);
        let (not0, not1) = (ctx.mdd.not(in0), ctx.mdd.not(in1));
        let _ = not1;
        let gone = ctx.mdd.and(in0, not1);
        let came = ctx.mdd.and(in1, not0);
        let none = msg("—", "—");
        if gone != FALSE {
            let rules = (rules_in(ctx, r0, desc, gone), Vec::new());
            let from = outcome_text(old, desc, &rules.0);
            out.push(Candidate { from, to: none.clone(), region: gone, old_side: in0, rules });
        }
        if came != FALSE {
            let rules = (Vec::new(), rules_in(ctx, r1, desc, came));
            let to = outcome_text(new, desc, &rules.1);
            out.push(Candidate { from: none, to, region: came, old_side: not0, rules });
        }
    }
    out
}

fn variant_of(d: &Desc) -> Option<&str> {
    match d {
        Desc::Outcome { variant, .. } => Some(variant),
        _ => None,
    }
}

/// An outcome without its values (to group changes by variant).
fn variant_only(d: &Desc) -> Desc {
    match d {
        Desc::Outcome { variant, .. } => Desc::Outcome { variant: variant.clone(), fields: Vec::new() },
        other => other.clone(),
    }
}

/// Which of the inputs the old revision decides `from` change: the region with every
/// dimension forgotten that can be (forgetting it and meeting the old outcome's region
/// again gives the region back), as boxes. Among the inputs with the old outcome, those
/// meeting these conditions are exactly the ones that change.
fn distinguishing(
    ctx: &mut Ctx<'_>,
    c: &Candidate,
    sources: &[Option<&SourceMap>; 2],
) -> (Vec<Condition>, NodeId) {
    let mut core = c.region;
    // Terms first, then fields from the last: the fields a drafter writes stay longest.
    let mut dims = ctx.mdd.support(c.region);
    dims.sort_by_key(|d| {
        (!matches!(ctx.space.dims[*d as usize].of, super::space::DimOf::Term(_)), std::cmp::Reverse(*d))
    });
    for d in dims {
        let forgotten = ctx.mdd.exists(core, d);
        if ctx.mdd.and(forgotten, c.old_side) == c.region {
            core = forgotten;
        }
    }
    let (boxes, count) = ctx.mdd.boxes(core, MAX_BOXES);
    let conditions = boxes.iter().map(|b| describe_box(&ctx.space, b, sources)).collect::<Vec<_>>();
    let mut conditions = join_boxes(conditions);
    if count > boxes.len() {
        // The description is cut short: say so, so that it is never read as complete.
        let more = count - boxes.len();
        conditions.push(Condition {
            subject: String::new(),
            zh: format!("或另外 {more} 种情形（未列出）"),
            en: format!("or {more} more alternatives (not listed)"),
        });
    }
    (conditions, core)
}

/// Boxes shown per change; beyond them the description says how many more there are.
const MAX_BOXES: usize = 8;

/// Changes of one decision searched for an example; any further ones are listed as not
/// decided exactly (a bound on time for revisions that change a great deal).
const MAX_SEARCHED: usize = 48;

/// One box as its conditions; several as alternatives (`或` / `or`) of conjunctions.
fn join_boxes(boxes: Vec<Vec<Condition>>) -> Vec<Condition> {
    if boxes.len() <= 1 {
        return boxes.into_iter().next().unwrap_or_default();
    }
    let texts = |pick: fn(&Condition) -> String| -> Vec<String> {
        boxes.iter().map(|b| b.iter().map(pick).collect::<Vec<_>>().join(" 且 ")).collect()
    };
    let zh = texts(|c| c.text(qingdan_dsl::Lang::Zh))
        .iter()
        .map(|t| format!("（{t}）"))
        .collect::<Vec<_>>()
        .join(" 或 ");
    let en: Vec<String> = boxes
        .iter()
        .map(|b| {
            format!("({})", b.iter().map(|c| c.text(qingdan_dsl::Lang::En)).collect::<Vec<_>>().join(" and "))
        })
        .collect();
    vec![Condition { subject: String::new(), zh, en: en.join(" or ") }]
}

/// An input in `region` that the two revisions decide differently, shown by the fields
/// the `core` description reads.
fn confirm(
    ctx: &Ctx<'_>,
    region: NodeId,
    (d0, d1): (DecisionId, DecisionId),
    core: NodeId,
) -> Option<DiffWitness> {
    let space = &ctx.space;
    let mut seen = (String::new(), String::new());
    let mut accept = |pt: &Point| {
        let old = observe(&space.evals[0], d0, &space.case(0, pt));
        let new = observe(&space.evals[1], d1, &space.case(1, pt));
        let differ = old != new;
        seen = (old, new);
        differ
    };
    let pt = witness::find(space, &ctx.mdd, region, &mut accept)?;
    let support = ctx.mdd.support(core);
    let focus: Vec<usize> = dim_fields(space, &support).into_iter().collect();
    let w = witness_of(space, &support, &pt, 1, &focus);
    let old_case = space.case(0, &pt);
    let json = crate::cases::case_to_json(space.policies[1], &w.case);
    Some(DiffWitness { old_case, new_case: w.case, json, shown: w.shown, old: seen.0, new: seen.1 })
}

/// The rules (and exceptions) giving outcome `desc` somewhere in `region`, and `None` for
/// the default if it does.
fn rules_in(ctx: &mut Ctx<'_>, r: &Regions, desc: &Desc, region: NodeId) -> Vec<Option<RuleId>> {
    let mut out = Vec::new();
    let places: Vec<(RuleId, NodeId)> = if r.decider.is_empty() {
        r.order.iter().filter_map(|x| r.speaker.get(x).map(|n| (*x, *n))).collect()
    } else {
        r.decider.clone()
    };
    for (x, n) in places {
        if r.descs.get(&x) == Some(desc) && ctx.mdd.and(n, region) != FALSE {
            out.push(Some(x));
        }
    }
    if r.default.as_ref() == Some(desc) && ctx.mdd.and(r.silent, region) != FALSE {
        out.push(None);
    }
    out
}

/// An outcome as a reviewer reads it: the variant and the rules that give it there.
fn outcome_text(p: &Policy, desc: &Desc, rules: &[Option<RuleId>]) -> Msg {
    match desc {
        Desc::Outcome { variant, .. } => {
            const NAMED: usize = 3;
            let name = |x: &Option<RuleId>, default: &str| {
                x.map_or(default.to_string(), |x| p.rules[x as usize].name.clone())
            };
            let zh: Vec<String> = rules.iter().map(|x| name(x, "默认")).collect();
            let en: Vec<String> = rules.iter().map(|x| name(x, "default")).collect();
            let more = zh.len() > NAMED;
            let (zh, en) = (zh[..zh.len().min(NAMED)].join("、"), en[..en.len().min(NAMED)].join(", "));
            let (mz, me) = if more { ("等", ", …") } else { ("", "") };
            msg(format!("{variant}（{zh}{mz}）"), format!("{variant} ({en}{me})"))
        }
        Desc::Conflict => msg("冲突（无结论）", "conflict (no outcome)"),
        Desc::MaybeConflict => msg("可能冲突", "possible conflict"),
        Desc::Gap => msg("无结论（没有规则适用）", "no outcome (no rule applies)"),
    }
}

/// Fields added, removed or retyped; enum values one revision does not have.
fn input_changes(ctx: &Ctx<'_>) -> Vec<Msg> {
    let space = &ctx.space;
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (f, field) in space.fields.iter().enumerate() {
        by_name.entry(field.name.as_str()).or_default().push(f);
    }
    let mut out = Vec::new();
    for (name, fields) in by_name {
        let in_old = fields.iter().any(|f| space.fields[*f].slots[0].is_some());
        let in_new = fields.iter().any(|f| space.fields[*f].slots[1].is_some());
        match (in_old, in_new, fields.len()) {
            (true, false, _) => {
                out.push(msg(format!("删除输入字段 `{name}`"), format!("input field `{name}` removed")))
            }
            (false, true, _) => {
                out.push(msg(format!("新增输入字段 `{name}`"), format!("input field `{name}` added")))
            }
            (true, true, n) if n > 1 => out.push(msg(
                format!("输入字段 `{name}` 的类型改变"),
                format!("input field `{name}` changed type"),
            )),
            _ => out.extend(value_changes(ctx, fields[0])),
        }
    }
    out
}

/// Enum values of a field that only one revision has (inputs with them are not compared).
fn value_changes(ctx: &Ctx<'_>, f: usize) -> Vec<Msg> {
    let space = &ctx.space;
    let field = &space.fields[f];
    let names = |p: usize| -> Vec<String> {
        let Some(s) = field.slots[p] else { return Vec::new() };
        let policy = space.policies[p];
        let mut ty = &policy.slots[s as usize].ty;
        while let Type::Opt(inner) | Type::Set(inner) = ty {
            ty = inner;
        }
        match ty {
            Type::Enum(e) => policy.enums[*e as usize].variants.iter().map(|v| v.name.clone()).collect(),
            _ => Vec::new(),
        }
    };
    if !matches!(field.domain, Domain::Finite { .. } | Domain::Bits { .. }) {
        return Vec::new();
    }
    let (old, new) = (names(0), names(1));
    let mut out = Vec::new();
    let name = &field.name;
    for v in new.iter().filter(|v| !old.contains(v)) {
        out.push(msg(
            format!("`{name}` 新增取值 `{v}`（含它的输入不作比较）"),
            format!("`{name}` has a new value `{v}` (inputs with it are not compared)"),
        ));
    }
    for v in old.iter().filter(|v| !new.contains(v)) {
        out.push(msg(format!("`{name}` 删除取值 `{v}`"), format!("`{name}` no longer has the value `{v}`")));
    }
    out
}

fn list_changes(old: &Policy, new: &Policy) -> Vec<ListDiff> {
    let mut out = Vec::new();
    for l0 in &old.lists {
        let Some(l1) = new.lists.iter().find(|l| l.name == l0.name) else {
            out.push(ListDiff {
                name: l0.name.clone(),
                added: Vec::new(),
                removed: keys(old, l0),
                changed: Vec::new(),
                fields: vec![msg("清单已删除", "list removed")],
            });
            continue;
        };
        let d = compare_lists(old, l0, new, l1);
        if !(d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty() && d.fields.is_empty()) {
            out.push(d);
        }
    }
    for l1 in &new.lists {
        if !old.lists.iter().any(|l| l.name == l1.name) {
            out.push(ListDiff {
                name: l1.name.clone(),
                added: keys(new, l1),
                removed: Vec::new(),
                changed: Vec::new(),
                fields: vec![msg("新增清单", "list added")],
            });
        }
    }
    out
}

fn key_text(p: &Policy, l: &crate::ir::ListDef, row: &[Value]) -> String {
    p.show(&row[l.key], &Type::Text)
}

fn keys(p: &Policy, l: &crate::ir::ListDef) -> Vec<String> {
    l.rows.iter().map(|r| key_text(p, l, r)).collect()
}

fn compare_lists(old: &Policy, l0: &crate::ir::ListDef, new: &Policy, l1: &crate::ir::ListDef) -> ListDiff {
    let mut fields = Vec::new();
    for (n, _) in &l0.fields {
        if !l1.fields.iter().any(|(m, _)| m == n) {
            fields.push(msg(format!("删除字段 `{n}`"), format!("field `{n}` removed")));
        }
    }
    for (n, _) in &l1.fields {
        if !l0.fields.iter().any(|(m, _)| m == n) {
            fields.push(msg(format!("新增字段 `{n}`"), format!("field `{n}` added")));
        }
    }
    let index1: BTreeMap<&Value, usize> = l1.rows.iter().enumerate().map(|(i, r)| (&r[l1.key], i)).collect();
    let mut changed = Vec::new();
    let mut removed = Vec::new();
    for row0 in &l0.rows {
        let Some(&i) = index1.get(&row0[l0.key]) else {
            removed.push(key_text(old, l0, row0));
            continue;
        };
        let row1 = &l1.rows[i];
        let mut diffs = Vec::new();
        for (j, (name, ty0)) in l0.fields.iter().enumerate() {
            let Some(k) = l1.fields.iter().position(|(m, _)| m == name) else { continue };
            let (a, b) = (show(old, &row0[j], ty0), show(new, &row1[k], &l1.fields[k].1));
            if a != b {
                diffs.push((name.clone(), a, b));
            }
        }
        if !diffs.is_empty() {
            changed.push(RowChange { key: key_text(old, l0, row0), fields: diffs });
        }
    }
    let index0: BTreeMap<&Value, usize> = l0.rows.iter().enumerate().map(|(i, r)| (&r[l0.key], i)).collect();
    let added =
        l1.rows.iter().filter(|r| !index0.contains_key(&r[l1.key])).map(|r| key_text(new, l1, r)).collect();
    ListDiff { name: l0.name.clone(), added, removed, changed, fields }
}

// ------------------------------------------------------------------ reports

/// The difference in one language, as plain data for JSON, YAML, text and Markdown.
#[derive(Debug, Serialize)]
pub struct Report {
    pub old: String,
    pub new: String,
    pub inputs: Vec<String>,
    pub decisions: Vec<DecisionReport>,
    pub lists: Vec<ListReport>,
}

#[derive(Debug, Serialize)]
pub struct DecisionReport {
    pub name: String,
    pub status: Status,
    pub changes: Vec<ChangeReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_decided_exactly: Vec<ChangeReport>,
}

#[derive(Debug, Serialize)]
pub struct ChangeReport {
    pub old: String,
    pub new: String,
    /// Of the inputs with the old outcome, exactly those meeting these conditions get the
    /// new one.
    #[serde(rename = "where")]
    pub conditions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<WitnessReport>,
}

#[derive(Debug, Serialize)]
pub struct WitnessReport {
    pub input: serde_json::Value,
    pub fields: Vec<String>,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Serialize)]
pub struct ListReport {
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<RowReport>,
}

#[derive(Debug, Serialize)]
pub struct RowReport {
    pub key: String,
    pub fields: Vec<FieldReport>,
}

#[derive(Debug, Serialize)]
pub struct FieldReport {
    pub field: String,
    pub old: String,
    pub new: String,
}

impl Diff<'_> {
    pub fn report(&self, lang: Lang) -> Report {
        let pick = |m: &Msg| m.get(lang).to_string();
        let change = |c: &Change| ChangeReport {
            old: pick(&c.from),
            new: pick(&c.to),
            conditions: c.conditions.iter().map(|x| x.text(lang)).collect(),
            witness: c.witness.as_ref().map(|w| WitnessReport {
                input: w.json.clone(),
                fields: w.shown.iter().map(|(n, v)| format!("{n} = {v}")).collect(),
                old: w.old.clone(),
                new: w.new.clone(),
            }),
        };
        Report {
            old: self.ctx.space.policies[0].name.clone(),
            new: self.ctx.space.policies[1].name.clone(),
            inputs: self.inputs.iter().map(pick).collect(),
            decisions: self
                .decisions
                .iter()
                .map(|d| DecisionReport {
                    name: d.name.clone(),
                    status: d.status,
                    changes: d.changes.iter().map(change).collect(),
                    not_decided_exactly: d.undecided.iter().map(change).collect(),
                })
                .collect(),
            lists: self
                .lists
                .iter()
                .map(|l| ListReport {
                    name: l.name.clone(),
                    notes: l.fields.iter().map(pick).collect(),
                    added: l.added.clone(),
                    removed: l.removed.clone(),
                    changed: l
                        .changed
                        .iter()
                        .map(|r| RowReport {
                            key: r.key.clone(),
                            fields: r
                                .fields
                                .iter()
                                .map(|(f, o, n)| FieldReport {
                                    field: f.clone(),
                                    old: o.clone(),
                                    new: n.clone(),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
