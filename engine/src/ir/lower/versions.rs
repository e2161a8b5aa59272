//! Versions lowered to ordinary expressions over the decision date, so that the
//! interpreter, the analyser and the WASM compiler run them with no code of their own and
//! cannot disagree: a rule's version holds only on its days (`date ≥ from and date ≤
//! until` before its condition), and a let's versions become one let, `if date ≤ until₁
//! then v₁ else if … else vₙ` (the checker has proved the versions tile every day, so the
//! last one needs no test). Lowered at a fixed date (`eval --as-of`, `diff --at`), the
//! tests are decided at once: the policy as in force that day.

use crate::value::FromLiteral;
use qingdan_dsl::syntax::ast::InForce;
use qingdan_dsl::value::Date;

use super::*;

/// The date versions are chosen by: a fixed day, or the case field the policy names.
#[derive(Clone, Copy, Debug)]
pub(super) enum DecisionDate {
    Fixed(Date),
    Slot(SlotId),
}

pub(super) fn version(v: &InForce) -> Version {
    Version { from: v.from.map(|d| d.to_string()), until: v.until.map(|d| d.to_string()) }
}

impl Lowerer<'_> {
    /// The decision date of the lowered policy, once its inputs are slots.
    pub(super) fn decision_date(&self) -> Lowered<Option<DecisionDate>> {
        if let Some(day) = self.at {
            return Ok(Some(DecisionDate::Fixed(day)));
        }
        let Some(p) = &self.module.as_of else { return Ok(None) };
        let (input, fields) = p.parts.split_first().expect("a path has a first part");
        let path: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
        let slot = self.slot(&input.name, &path).ok_or_else(|| LowerError {
            message: "the decision date is not an input field".into(),
            span: Some(p.span),
        })?;
        Ok(Some(DecisionDate::Slot(slot)))
    }

    fn date_const(&self, d: Date, span: Span) -> Expr {
        self.node(ExprKind::Const(Value::from_date(d)), Type::Date, span)
    }

    /// `date OP d`, or its truth at once when the date is fixed.
    fn date_test(&self, op: CmpOp, d: Date, span: Span) -> Lowered<Expr> {
        match self.date {
            Some(DecisionDate::Fixed(day)) => {
                let holds = if op == CmpOp::Ge { day >= d } else { day <= d };
                Ok(self.node(ExprKind::Const(Value::Bool(holds)), Type::Bool, span))
            }
            Some(DecisionDate::Slot(s)) => {
                let date = self.node(ExprKind::Slot(s), Type::Date, span);
                let kind = ExprKind::Cmp(op, Box::new(date), Box::new(self.date_const(d, span)));
                Ok(self.node(kind, Type::Bool, span))
            }
            None => unsupported("versions in a policy without a decision date", span),
        }
    }

    /// `cond` made to hold only on the version's days.
    pub(super) fn in_force_only(&self, v: &InForce, cond: Expr) -> Lowered<Expr> {
        let mut tests = Vec::new();
        if let Some(from) = v.from {
            tests.push(self.date_test(CmpOp::Ge, from, v.span)?);
        }
        if let Some(until) = v.until {
            tests.push(self.date_test(CmpOp::Le, until, v.span)?);
        }
        tests.push(cond);
        Ok(tests.into_iter().reduce(|a, b| self.and(a, b)).expect("the condition itself"))
    }

    /// `a and b`, folding constants (so a policy lowered at a fixed date has no trace of
    /// the versions it does not use).
    fn and(&self, a: Expr, b: Expr) -> Expr {
        match (&a.kind, &b.kind) {
            (ExprKind::Const(Value::Bool(true)), _) => b,
            (ExprKind::Const(Value::Bool(false)), _) => a,
            _ => {
                let span = b.span;
                self.node(ExprKind::And(Box::new(a), Box::new(b)), Type::Bool, span)
            }
        }
    }

    /// The declarations that are versions of the let at `decl`, sorted by start (an open
    /// start first); just `decl` for a let without versions.
    pub(super) fn let_versions(&self, decl: usize) -> Vec<usize> {
        let Decl::Let(l) = &self.module.decls[decl] else { return vec![decl] };
        if l.in_force.is_none() {
            return vec![decl];
        }
        let mut versions: Vec<(Option<Date>, usize)> = (self.module.decls.iter().enumerate())
            .filter_map(|(i, d)| match d {
                Decl::Let(o) if o.name.name == l.name.name => o.in_force.map(|v| (v.from, i)),
                _ => None,
            })
            .collect();
        versions.sort();
        versions.into_iter().map(|(_, i)| i).collect()
    }

    /// The days of a let's versions, for explanations: none for a let without versions,
    /// only the one in force when lowered at a fixed day.
    pub(super) fn shown_versions(&self, versions: &[(InForce, Expr)]) -> Vec<Version> {
        let dated = versions.iter().map(|(v, _)| v).filter(|v| v.from.is_some() || v.until.is_some());
        match self.date {
            Some(DecisionDate::Fixed(day)) => dated.filter(|v| v.holds_on(day)).map(version).collect(),
            _ => dated.map(version).collect(),
        }
    }

    /// One let's versions (already lowered, by start) as the chain of `if`s choosing the
    /// one in force.
    pub(super) fn choose_version(&self, versions: Vec<(InForce, Expr)>) -> Lowered<Expr> {
        let mut versions = versions.into_iter().rev();
        let (_, mut chosen) = versions.next().expect("a let has a version");
        for (v, value) in versions {
            let Some(until) = v.until else { return unsupported("a version without an end", v.span) };
            let test = self.date_test(CmpOp::Le, until, v.span)?;
            chosen = match test.kind {
                ExprKind::Const(Value::Bool(true)) => value,
                ExprKind::Const(Value::Bool(false)) => chosen,
                _ => {
                    let (ty, span) = (chosen.ty.clone(), value.span);
                    let kind = ExprKind::If(Box::new(test), Box::new(value), Box::new(chosen));
                    self.node(kind, ty, span)
                }
            };
        }
        Ok(chosen)
    }
}
