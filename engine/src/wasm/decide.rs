//! Rules, decisions and checks to functions, following the interpreter's `decide` and
//! `check` (eval/mod.rs) step by step: the rule loop, exceptions in the manner of default
//! logic, combining, the default, and the order in which errors win.

use qingdan_dsl::syntax::ast::Modality;

use super::asm::{Body, Ins, ABSENT, I32, I64};
use super::expr::Fx;
use super::layout::{global, result, ErrorKind, Status};
use super::runtime::Rt;
use super::{BuildError, Gen};
use crate::ir::{Combining, DecisionId, RuleId, Type};

/// What `verdict_r` returns.
const NOT_APPLICABLE: i32 = 0;
const CANCEL: i32 = 1;
const SAYS: i32 = 2;

pub use qingdan_runtime::abi::{CONFLICT_EXCEPTIONS, CONFLICT_UNIQUE};

impl Fx<'_, '_> {
    /// Whether rule `r` holds: its `when`, and none of its `unless`.
    fn holds(&mut self, r: RuleId) -> Result<(), BuildError> {
        let rule = &self.g.policy.rules[r as usize];
        self.cond(&rule.when)?;
        self.b.if_(Some(I32));
        for (i, u) in rule.unless.iter().enumerate() {
            self.cond(u)?;
            if i + 1 < rule.unless.len() {
                self.b.if_(Some(I32)).i32(1).else_();
            }
        }
        for _ in 1..rule.unless.len() {
            self.b.end();
        }
        if rule.unless.is_empty() {
            self.b.i32(1);
        } else {
            self.b.op(Ins::I32Eqz);
        }
        self.b.else_().i32(0).end();
        Ok(())
    }

    /// Appends rule id `r` to the id list at `base` whose length is in global `count`.
    fn push_id(&mut self, base: u32, count: u32, r: i32) {
        self.b.gget(count).i32(2).op(Ins::I32Shl).i32(r).store32(base);
        self.b.gbump(count, 1);
    }

    fn push_id_local(&mut self, base: u32, count: u32, l: u32) {
        self.b.gget(count).i32(2).op(Ins::I32Shl).get(l).store32(base);
        self.b.gbump(count, 1);
    }

    /// Writes rule `r`'s outcome (the rule id in local `r`) at the address in local `dst`.
    fn write_outcome(&mut self, r: u32, dst: u32) {
        let ty = self.g.funcs.outcome_type;
        self.b.get(dst).get(r).op(Ins::CallIndirect { type_index: ty, table_index: 0 });
    }

    /// Records a failure and returns from the function with status `Failed`.
    fn fail_return(&mut self, kind: u32, site: u32) {
        let at = self.g.layout.result;
        self.b.i32(0).i32(Status::Failed as i32).store32(at + result::STATUS);
        self.b.i32(0).get(kind).store32(at + result::ERROR_KIND);
        self.b.i32(0).get(site).store32(at + result::ERROR_SITE);
        self.b.i32(Status::Failed as i32).op(Ins::Return);
    }

    /// If an error was recorded since `ERR_KIND` was cleared, fails with it.
    fn fail_if_error(&mut self) {
        let (k, s) = (self.b.local(I32), self.b.local(I32));
        self.b.gget(global::ERR_KIND).tee(k).if_(None);
        self.b.gget(global::ERR_SITE).set(s);
        self.fail_return(k, s);
        self.b.end();
    }
}

impl Gen<'_> {
    /// `verdict_r() -> i32`: what rule or exception `r`, with the exceptions below it,
    /// says about the case (interpreter: `Evaluator::verdict`).
    pub(super) fn verdict_fn(&mut self, r: RuleId) -> Result<Body, BuildError> {
        let lay = self.layout.clone();
        let exceptions = self.exceptions[r as usize].clone();
        let has_then = self.policy.rules[r as usize].then.is_some();
        let verdicts: Vec<u32> = exceptions.iter().map(|x| self.funcs.verdict_fn(*x)).collect();
        let decision = self.policy.rules[r as usize].decision;
        let mut fx = Fx::new(self, 0);
        fx.holds(r)?;
        fx.b.op(Ins::I32Eqz).if_(None).i32(NOT_APPLICABLE).op(Ins::Return).end();
        if exceptions.is_empty() {
            speak_or_cancel(&mut fx, r, has_then, &lay);
            return Ok(fx.b);
        }
        let (start, cancelled) = (fx.b.local(I32), fx.b.local(I32));
        fx.b.gget(global::N_SPEAK).set(start);
        for v in verdicts {
            fx.b.call(v).i32(CANCEL).op(Ins::I32Eq).get(cancelled).op(Ins::I32Or).set(cancelled);
        }
        let spoke = fx.b.local(I32);
        fx.b.gget(global::N_SPEAK).get(start).op(Ins::I32GtU).set(spoke);
        fx.b.get(spoke).get(cancelled).op(Ins::I32Or).if_(None);
        fx.push_id(lay.overridden, global::N_OVER, r as i32);
        fx.b.end();
        fx.b.get(spoke).if_(None);
        fx.disagree(start, decision)?;
        fx.b.if_(None);
        fx.conflict_of_speakers(start, r);
        fx.b.end();
        fx.b.i32(SAYS).op(Ins::Return).end();
        fx.b.get(cancelled).if_(None).i32(NOT_APPLICABLE).op(Ins::Return).end();
        speak_or_cancel(&mut fx, r, has_then, &lay);
        Ok(fx.b)
    }

    /// `decide_d() -> status`.
    pub(super) fn decide_fn(&mut self, d: DecisionId) -> Result<Body, BuildError> {
        let decision = self.policy.decisions[d as usize].clone();
        let lay = self.layout.clone();
        let plain: Vec<bool> =
            decision.rules.iter().map(|r| self.exceptions[*r as usize].is_empty()).collect();
        let verdicts: Vec<Option<u32>> =
            decision.rules.iter().zip(&plain).map(|(r, p)| (!p).then(|| self.funcs.verdict_fn(*r))).collect();
        let mut fx = Fx::new(self, 0);
        for g in [global::N_SPEAK, global::N_FIRED, global::N_OVER, global::CONF_WORDS, global::N_CONF] {
            fx.b.i32(0).gset(g);
        }
        fx.b.i32(0).gset(global::ERR_KIND).i32(-1).gset(global::ERR_SITE);
        fx.b.i32(0).i32(0).store32(lay.result + result::BY_DEFAULT);
        let first = decision.combining == Combining::First;
        let before = fx.b.local(I32);
        for (i, &r) in decision.rules.iter().enumerate() {
            if first {
                fx.b.gget(global::N_SPEAK).set(before);
            }
            match verdicts[i] {
                None => {
                    fx.holds(r)?;
                    fx.b.if_(None);
                    fx.push_id(lay.speakers, global::N_SPEAK, r as i32);
                    fx.b.end();
                }
                Some(v) => {
                    fx.b.call(v).op(Ins::Drop);
                }
            }
            if first {
                // The first rule that speaks decides; later ones are only looked at.
                fx.b.get(before).if_(None).get(before).gset(global::N_SPEAK).end();
            }
        }
        fx.fired_from_speakers();
        // Errors in conditions wait until the outcome's own errors have had their say.
        let (k1, s1) = (fx.b.local(I32), fx.b.local(I32));
        fx.b.gget(global::ERR_KIND).set(k1).gget(global::ERR_SITE).set(s1);
        fx.b.i32(0).gset(global::ERR_KIND);
        let nout = fx.b.local(I32);
        fx.b.gget(global::N_CONF).op(Ins::I32Eqz).if_(None);
        fx.combine(d, nout);
        fx.b.end();
        fx.b.get(k1).if_(None);
        fx.fail_return(k1, s1);
        fx.b.end();
        fx.b.get(nout).op(Ins::I32Eqz).gget(global::N_CONF).op(Ins::I32Eqz).op(Ins::I32And).if_(None);
        fx.default_outcome(d, nout)?;
        fx.b.end();
        let at = lay.result;
        for (field, value) in [
            (result::N_FIRED, global::N_FIRED),
            (result::N_OVERRIDDEN, global::N_OVER),
            (result::N_CONFLICTS, global::N_CONF),
        ] {
            fx.b.i32(0).gget(value).store32(at + field);
        }
        fx.b.i32(0).get(nout).store32(at + result::N_OUTCOMES);
        fx.b.i32(0).i32(Status::Ok as i32).store32(at + result::STATUS);
        fx.b.i32(Status::Ok as i32);
        Ok(fx.b)
    }

    /// `outcome_r(dst)`: writes rule `r`'s outcome record at `dst`.
    pub(super) fn outcome_fn(&mut self, r: RuleId) -> Result<Body, BuildError> {
        let then = self.policy.rules[r as usize].then.clone();
        let mut fx = Fx::new(self, 1);
        if let Some(then) = then {
            fx.b.get(0).i32(then.variant as i32).store32(0);
            fx.b.get(0).i32(r as i32).store32(4);
            for (i, e) in then.fields.iter().enumerate() {
                fx.b.get(0);
                fx.expr(e)?;
                fx.b.store64(8 + 8 * i as u32);
            }
        }
        Ok(fx.b)
    }

    /// `same_d(a, b) -> i32`: two outcome records of decision `d` agree (variant, values).
    pub(super) fn same_fn(&mut self, d: DecisionId) -> Body {
        let e = self.policy.decisions[d as usize].outcome_enum;
        let variants = self.policy.enums[e as usize].variants.clone();
        let mut b = Body::new(2);
        b.get(0).load32(0).get(1).load32(0).op(Ins::I32Ne).if_(None).i32(0).op(Ins::Return).end();
        for (v, def) in variants.iter().enumerate().filter(|(_, def)| !def.fields.is_empty()) {
            b.get(0).load32(0).i32(v as i32).op(Ins::I32Eq).if_(None);
            for (i, (_, ty)) in def.fields.iter().enumerate() {
                let at = 8 + 8 * i as u32;
                b.get(0).load64(at).get(1).load64(at);
                match ty.required() {
                    Type::Text => b.call(Rt::TextEq.index()),
                    Type::Set(inner) if matches!(inner.required(), Type::Text) => b.call(Rt::EqTexts.index()),
                    Type::Set(_) => b.call(Rt::EqWords.index()),
                    _ => b.op(Ins::I64Eq),
                };
                b.op(Ins::I32Eqz).if_(None).i32(0).op(Ins::Return).end();
            }
            b.end();
        }
        b.i32(1);
        b
    }

    /// `check_c() -> status`: the rows (or the case) that break check `c`, or use its
    /// permission, as words at `hits` (interpreter: `Evaluator::check`).
    pub(super) fn check_fn(&mut self, c: u32) -> Result<Body, BuildError> {
        let check = self.policy.checks[c as usize].clone();
        let at = self.layout.result;
        let hit_when = i32::from(check.modality != Modality::Must);
        let mut fx = Fx::new(self, 0);
        fx.b.i32(0).gset(global::ERR_KIND).i32(-1).gset(global::ERR_SITE);
        let (hits, nh) = (fx.b.local(I32), fx.b.local(I32));
        match &check.scope {
            None => {
                fx.b.i32(8).call(Rt::Alloc.index()).set(hits);
                fx.truth(&check.body)?;
                fx.b.i32(hit_when).op(Ins::I32Eq).if_(None);
                fx.b.get(hits).i64(ABSENT).store64(0).i32(1).set(nh).end();
            }
            Some(scope) => {
                let (i, n, p, item) = (fx.b.local(I32), fx.b.local(I32), fx.b.local(I32), fx.b.local(I64));
                let rows = fx.iteration(&scope.over, n, p)?;
                fx.b.get(n).i32(3).op(Ins::I32Shl).call(Rt::Alloc.index()).set(hits);
                // A failed allocation (or an error in `over`) ends the check here.
                fx.fail_if_error();
                fx.b.block().loop_();
                fx.b.get(i).get(n).op(Ins::I32GeU).br_if(1);
                fx.item(rows, i, p, item);
                fx.bind(item);
                match &scope.filter {
                    Some(filter) => fx.truth(filter)?,
                    None => {
                        fx.b.i32(1);
                    }
                }
                fx.b.if_(Some(I32));
                fx.truth(&check.body)?;
                fx.b.i32(hit_when).op(Ins::I32Eq).else_().i32(0).end();
                fx.b.if_(None);
                fx.b.get(hits).get(nh).i32(3).op(Ins::I32Shl).op(Ins::I32Add).get(item).store64(0);
                fx.b.bump(nh, 1).end();
                fx.unbind();
                fx.b.bump(i, 1).br(0);
                fx.b.end().end();
            }
        }
        fx.fail_if_error();
        fx.b.i32(0).get(nh).store32(at + result::N_HITS);
        fx.b.i32(0).get(hits).store32(at + result::HITS);
        fx.b.i32(0).i32(Status::Ok as i32).store32(at + result::STATUS);
        fx.b.i32(Status::Ok as i32);
        Ok(fx.b)
    }
}

/// The set-typed fields of a variant: (index, whether the elements are texts).
fn set_fields(fields: &[(String, Type)]) -> Vec<(u32, i32)> {
    fields
        .iter()
        .enumerate()
        .filter_map(|(k, (_, ty))| match ty {
            Type::Set(inner) => Some((k as u32, i32::from(matches!(inner.required(), Type::Text)))),
            _ => None,
        })
        .collect()
}

/// The end of a verdict once nothing below the rule spoke: it speaks itself, or (an
/// exception without `then`) cancels its target.
fn speak_or_cancel(fx: &mut Fx<'_, '_>, r: RuleId, has_then: bool, lay: &super::layout::Layout) {
    if has_then {
        fx.push_id(lay.speakers, global::N_SPEAK, r as i32);
        fx.b.i32(SAYS);
    } else {
        fx.push_id(lay.fired, global::N_FIRED, r as i32);
        fx.b.i32(CANCEL);
    }
}

impl Fx<'_, '_> {
    /// Whether the speakers from `start` on give different outcomes; pushes an i32. An
    /// error while computing them counts as agreement (and is recorded).
    fn disagree(&mut self, start: u32, d: DecisionId) -> Result<(), BuildError> {
        let lay = self.g.layout.clone();
        let same = self.g.funcs.same_fn(d);
        let (c, dis, i, r, a, b) = (
            self.b.local(I32),
            self.b.local(I32),
            self.b.local(I32),
            self.b.local(I32),
            self.b.local(I32),
            self.b.local(I32),
        );
        self.b.gget(global::ERR_COUNT).set(c);
        self.b.i32(lay.scratch as i32).set(a).i32((lay.scratch + lay.outcome_stride) as i32).set(b);
        self.speaker(start, r);
        self.write_outcome(r, a);
        self.b.get(start).i32(1).op(Ins::I32Add).set(i);
        self.b.block().loop_();
        self.b.get(i).gget(global::N_SPEAK).op(Ins::I32GeU).br_if(1);
        self.speaker(i, r);
        self.write_outcome(r, b);
        self.b.get(a).get(b).call(same).op(Ins::I32Eqz).if_(None).i32(1).set(dis).br(2).end();
        self.b.bump(i, 1).br(0);
        self.b.end().end();
        self.b.get(dis).gget(global::ERR_COUNT).get(c).op(Ins::I32Eq).op(Ins::I32And);
        Ok(())
    }

    /// Loads speaker number `i` (a local) into local `r`.
    fn speaker(&mut self, i: u32, r: u32) {
        let base = self.g.layout.speakers;
        self.b.get(i).i32(2).op(Ins::I32Shl).load32(base).set(r);
    }

    /// Records a conflict between the exceptions of `base` that spoke (speakers from
    /// `start` on), as their sorted ids.
    fn conflict_of_speakers(&mut self, start: u32, base: RuleId) {
        let (n, i, r) = (self.b.local(I32), self.b.local(I32), self.b.local(I32));
        let w = self.open_conflict(CONFLICT_EXCEPTIONS, base as i32);
        self.b.get(start).set(i);
        self.b.block().loop_();
        self.b.get(i).gget(global::N_SPEAK).op(Ins::I32GeU).br_if(1);
        self.speaker(i, r);
        self.b.get(w).get(n).i32(2).op(Ins::I32Shl).op(Ins::I32Add).get(r).store32(12);
        self.b.bump(n, 1).bump(i, 1).br(0);
        self.b.end().end();
        self.close_conflict(w, n);
    }

    /// Starts a conflict record (kind, base rule) at the conflict cursor; returns the local
    /// holding its address. Its ids follow from offset 12; `close_conflict` ends it.
    fn open_conflict(&mut self, kind: i32, base: i32) -> u32 {
        let w = self.b.local(I32);
        let conflicts = self.g.layout.conflicts as i32;
        self.b.gget(global::CONF_WORDS).i32(2).op(Ins::I32Shl).i32(conflicts).op(Ins::I32Add).set(w);
        self.b.get(w).i32(kind).store32(0);
        self.b.get(w).i32(base).store32(4);
        w
    }

    /// Sorts the `n` ids of the conflict record at `w`, stores their count, and moves the
    /// conflict cursor past it.
    fn close_conflict(&mut self, w: u32, n: u32) {
        self.b.get(w).i32(12).op(Ins::I32Add).get(n).call(Rt::SortIds.index()).set(n);
        self.b.get(w).get(n).store32(8);
        self.b
            .gget(global::CONF_WORDS)
            .i32(3)
            .op(Ins::I32Add)
            .get(n)
            .op(Ins::I32Add)
            .gset(global::CONF_WORDS);
        self.b.gbump(global::N_CONF, 1);
    }

    /// Rules that took effect: the speakers join the cancelling exceptions already
    /// recorded, sorted and without repeats.
    fn fired_from_speakers(&mut self) {
        let lay = self.g.layout.clone();
        let (i, r) = (self.b.local(I32), self.b.local(I32));
        self.b.block().loop_();
        self.b.get(i).gget(global::N_SPEAK).op(Ins::I32GeU).br_if(1);
        self.speaker(i, r);
        self.push_id_local(lay.fired, global::N_FIRED, r);
        self.b.bump(i, 1).br(0);
        self.b.end().end();
        self.b.i32(lay.fired as i32).gget(global::N_FIRED).call(Rt::SortIds.index()).gset(global::N_FIRED);
    }

    /// Combines the speakers into outcomes (interpreter: `Evaluator::combine`).
    fn combine(&mut self, d: DecisionId, nout: u32) {
        let lay = self.g.layout.clone();
        let decision = &self.g.policy.decisions[d as usize];
        let (combining, merge) = (decision.combining.clone(), decision.merge);
        let (i, r) = (self.b.local(I32), self.b.local(I32));
        match &combining {
            Combining::Priority(_) => {
                // The most severe: the lowest rank, the first of equals.
                let (best, rank) = (self.b.local(I32), self.b.local(I32));
                self.b.i32(-1).set(best).i32(-1).set(r);
                self.b.block().loop_();
                self.b.get(i).gget(global::N_SPEAK).op(Ins::I32GeU).br_if(1);
                let s = self.b.local(I32);
                self.speaker(i, s);
                self.b.get(s).i32(2).op(Ins::I32Shl).load32(lay.ranks).tee(rank).get(best).op(Ins::I32LtU);
                self.b.get(r).i32(-1).op(Ins::I32Eq).op(Ins::I32Or);
                self.b.if_(None).get(rank).set(best).get(s).set(r).end();
                self.b.bump(i, 1).br(0);
                self.b.end().end();
                self.b.get(r).i32(-1).op(Ins::I32Ne).if_(None);
                self.push_outcome(r, nout);
                if merge {
                    self.merge_sets(d, r, best);
                }
                self.b.end();
            }
            Combining::Unique => {
                self.b.gget(global::N_SPEAK).i32(1).op(Ins::I32GtU).if_(None);
                self.unique_conflict();
                self.b.else_();
                self.first_outcome(r, nout);
                self.b.end();
            }
            Combining::First => self.first_outcome(r, nout),
            Combining::Collect => {
                self.b.block().loop_();
                self.b.get(i).gget(global::N_SPEAK).op(Ins::I32GeU).br_if(1);
                self.speaker(i, r);
                self.push_outcome(r, nout);
                self.b.bump(i, 1).br(0);
                self.b.end().end();
            }
        }
    }

    /// `priority … merge` (interpreter: `Evaluator::merge_sets`): each other speaker of
    /// the winning rank (local `rank`), in order, writes its outcome to scratch, and every
    /// set field of the outcome written for rule `best` becomes the union of the two.
    fn merge_sets(&mut self, d: DecisionId, best: u32, rank: u32) {
        let lay = self.g.layout.clone();
        let e = self.g.policy.decisions[d as usize].outcome_enum;
        let merged: Vec<(i32, Vec<(u32, i32)>)> = self.g.policy.enums[e as usize]
            .variants
            .iter()
            .enumerate()
            .map(|(v, def)| (v as i32, set_fields(&def.fields)))
            .filter(|(_, fields)| !fields.is_empty())
            .collect();
        if merged.is_empty() {
            return;
        }
        let (i, s, scratch) = (self.b.local(I32), self.b.local(I32), self.b.local(I32));
        self.b.i32(lay.scratch as i32).set(scratch);
        self.b.block().loop_();
        self.b.get(i).gget(global::N_SPEAK).op(Ins::I32GeU).br_if(1);
        self.speaker(i, s);
        self.b.get(s).get(best).op(Ins::I32Ne);
        self.b.get(s).i32(2).op(Ins::I32Shl).load32(lay.ranks).get(rank).op(Ins::I32Eq).op(Ins::I32And);
        self.b.if_(None);
        self.write_outcome(s, scratch);
        self.fail_if_error();
        for (v, fields) in &merged {
            self.b.i32(0).load32(lay.outcomes).i32(*v).op(Ins::I32Eq).if_(None);
            for &(k, texts) in fields {
                let at = 8 + 8 * k;
                self.b.i32(0).i32(0).load64(lay.outcomes + at).get(scratch).load64(at).i32(texts);
                self.b.call(Rt::Union.index()).store64(lay.outcomes + at);
            }
            self.b.end();
        }
        self.fail_if_error();
        self.b.end();
        self.b.bump(i, 1).br(0);
        self.b.end().end();
    }

    fn first_outcome(&mut self, r: u32, nout: u32) {
        let i = self.b.local(I32);
        self.b.gget(global::N_SPEAK).if_(None);
        self.speaker(i, r);
        self.push_outcome(r, nout);
        self.b.end();
    }

    /// Several rules fired in a `unique` decision: a conflict naming all that fired.
    fn unique_conflict(&mut self) {
        let lay = self.g.layout.clone();
        let (n, i) = (self.b.local(I32), self.b.local(I32));
        let w = self.open_conflict(CONFLICT_UNIQUE, -1);
        self.b.gget(global::N_FIRED).set(n);
        self.b.block().loop_();
        self.b.get(i).get(n).op(Ins::I32GeU).br_if(1);
        self.b.get(w).get(i).i32(2).op(Ins::I32Shl).op(Ins::I32Add);
        self.b.get(i).i32(2).op(Ins::I32Shl).load32(lay.fired).store32(12);
        self.b.bump(i, 1).br(0);
        self.b.end().end();
        self.close_conflict(w, n);
    }

    /// Writes the outcome of rule `r` (a local) as outcome number `nout`; an error in
    /// its values fails the decision at once.
    fn push_outcome(&mut self, r: u32, nout: u32) {
        let lay = self.g.layout.clone();
        let dst = self.b.local(I32);
        self.b
            .get(nout)
            .i32(lay.outcome_stride as i32)
            .op(Ins::I32Mul)
            .i32(lay.outcomes as i32)
            .op(Ins::I32Add);
        self.b.set(dst);
        self.write_outcome(r, dst);
        self.fail_if_error();
        self.b.bump(nout, 1);
    }

    /// No rule spoke and nothing conflicts: the default, or `NoRuleApplies`.
    fn default_outcome(&mut self, d: DecisionId, nout: u32) -> Result<(), BuildError> {
        let lay = self.g.layout.clone();
        let default = self.g.policy.decisions[d as usize].default.clone();
        let Some(default) = default else {
            let (k, s) = (self.b.local(I32), self.b.local(I32));
            self.b.i32(ErrorKind::NoRuleApplies as i32).set(k).i32(d as i32).set(s);
            self.fail_return(k, s);
            return Ok(());
        };
        self.b.i32(0).i32(default.variant as i32).store32(lay.outcomes);
        self.b.i32(0).i32(-1).store32(lay.outcomes + 4);
        for (i, e) in default.fields.iter().enumerate() {
            self.b.i32(0);
            self.expr(e)?;
            self.b.store64(lay.outcomes + 8 + 8 * i as u32);
        }
        self.fail_if_error();
        self.b.i32(1).set(nout);
        self.b.i32(0).i32(1).store32(lay.result + result::BY_DEFAULT);
        Ok(())
    }
}
