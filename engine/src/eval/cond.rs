//! Rule conditions compiled once per policy into a compact tree whose leaves compare an
//! input slot with a constant directly — the shape of nearly every condition in these
//! policies. Anything else falls back to the general evaluator.

use super::expr::compare;
use super::{Evaluator, Frame};
use crate::ir::{CmpOp, Expr, ExprKind};
use crate::value::Value;

pub(super) enum Cond<'p> {
    Const(bool),
    /// `slot OP constant`.
    SlotCmp(CmpOp, u32, Value),
    /// The same, specialised to integers and enum variants (compared as integers).
    SlotInt(CmpOp, u32, i64),
    SlotEnum(CmpOp, u32, u32),
    /// A bool input field.
    SlotTrue(u32),
    /// An optional input field is present.
    SlotSome(u32),
    /// `let OP constant`: the let is computed once per case, then compared in place.
    LetCmp(CmpOp, u32, Value),
    And(Box<Cond<'p>>, Box<Cond<'p>>),
    Or(Box<Cond<'p>>, Box<Cond<'p>>),
    Not(Box<Cond<'p>>),
    Other(&'p Expr),
}

pub(super) fn compile(e: &Expr) -> Cond<'_> {
    let b = |e| Box::new(compile(e));
    match &e.kind {
        ExprKind::Const(Value::Bool(v)) => Cond::Const(*v),
        ExprKind::Slot(s) => Cond::SlotTrue(*s),
        ExprKind::IsSome(x) => match &x.kind {
            ExprKind::Slot(s) => Cond::SlotSome(*s),
            _ => Cond::Other(e),
        },
        ExprKind::Cmp(op, l, r) => match (&l.kind, &r.kind) {
            (ExprKind::Slot(s), ExprKind::Const(v)) => slot_cmp(*op, *s, v),
            (ExprKind::Const(v), ExprKind::Slot(s)) => slot_cmp(flip(*op), *s, v),
            (ExprKind::Let(l), ExprKind::Const(v)) => Cond::LetCmp(*op, *l, v.clone()),
            (ExprKind::Const(v), ExprKind::Let(l)) => Cond::LetCmp(flip(*op), *l, v.clone()),
            _ => Cond::Other(e),
        },
        ExprKind::And(l, r) => Cond::And(b(l), b(r)),
        ExprKind::Or(l, r) => Cond::Or(b(l), b(r)),
        ExprKind::Not(x) => Cond::Not(b(x)),
        _ => Cond::Other(e),
    }
}

fn slot_cmp(op: CmpOp, slot: u32, v: &Value) -> Cond<'static> {
    match v {
        Value::Int(i) => Cond::SlotInt(op, slot, *i),
        Value::Enum(e) => Cond::SlotEnum(op, slot, *e),
        other => Cond::SlotCmp(op, slot, other.clone()),
    }
}

/// A test of one input field that a condition cannot hold without: the rule loop checks
/// it inline and skips the rule when it fails, as a decision table is indexed by its most
/// selective column. Most rules fail here (`申请.类别 == 应急处置 且 …` for other kinds).
#[derive(Clone, Copy)]
pub(super) enum Guard {
    Enum(u32, u32),
    Int(CmpOp, u32, i64),
    Bool(u32, bool),
}

impl Guard {
    #[inline]
    pub(super) fn passes(self, case: &[Value]) -> bool {
        match self {
            Guard::Enum(s, v) => matches!(case.get(s as usize), Some(Value::Enum(x)) if *x == v),
            Guard::Int(op, s, c) => match case.get(s as usize) {
                Some(Value::Int(x)) => holds(op, x.cmp(&c)),
                // Anything else (an absent value) is left to the full test.
                _ => true,
            },
            Guard::Bool(s, want) => match case.get(s as usize) {
                Some(Value::Bool(b)) => *b == want,
                // An absent optional bool is not true, so `not x` holds for it.
                _ => !want,
            },
        }
    }
}

impl Cond<'_> {
    /// The guard of a condition: its first test, when that test reads one input field.
    pub(super) fn guard(&self) -> Option<Guard> {
        match self {
            Cond::SlotEnum(CmpOp::Eq, slot, variant) => Some(Guard::Enum(*slot, *variant)),
            Cond::SlotInt(op, slot, c) => Some(Guard::Int(*op, *slot, *c)),
            Cond::SlotTrue(slot) => Some(Guard::Bool(*slot, true)),
            Cond::Not(x) => match **x {
                Cond::SlotTrue(slot) => Some(Guard::Bool(slot, false)),
                _ => None,
            },
            Cond::And(first, _) => first.guard(),
            _ => None,
        }
    }
}

/// `c OP slot` as `slot OP' c`.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

fn holds(op: CmpOp, ord: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        CmpOp::Eq => ord == Equal,
        CmpOp::Ne => ord != Equal,
        CmpOp::Lt => ord == Less,
        CmpOp::Le => ord != Greater,
        CmpOp::Gt => ord == Greater,
        CmpOp::Ge => ord != Less,
    }
}

impl Evaluator<'_> {
    /// Whether the condition holds. An error (say, a let dividing by zero) is kept in the
    /// frame for `decide` to return, so the hot path carries a plain `bool`.
    pub(super) fn test(&self, c: &Cond<'_>, f: &mut Frame<'_>) -> bool {
        let slot = |s: &u32| f.case.get(*s as usize).unwrap_or(&Value::None);
        match c {
            Cond::Const(v) => *v,
            Cond::SlotCmp(op, s, v) => compare(*op, slot(s), v),
            Cond::SlotInt(op, s, c) => match slot(s) {
                Value::Int(x) => holds(*op, x.cmp(c)),
                other => compare(*op, other, &Value::Int(*c)),
            },
            Cond::SlotEnum(op, s, c) => match slot(s) {
                Value::Enum(x) => holds(*op, x.cmp(c)),
                other => compare(*op, other, &Value::Enum(*c)),
            },
            Cond::SlotTrue(s) => matches!(slot(s), Value::Bool(true)),
            Cond::SlotSome(s) => *slot(s) != Value::None,
            Cond::LetCmp(op, l, v) => match self.ensure_let(*l, f) {
                Ok(()) => {
                    f.lets.get(*l as usize).and_then(Option::as_ref).is_some_and(|x| compare(*op, x, v))
                }
                Err(e) => f.fail(e),
            },
            Cond::And(l, r) => self.test(l, f) && self.test(r, f),
            Cond::Or(l, r) => self.test(l, f) || self.test(r, f),
            Cond::Not(x) => !self.test(x, f),
            Cond::Other(e) => self.truth(e, f).unwrap_or_else(|err| f.fail(err)),
        }
    }
}
