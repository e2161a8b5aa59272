//! Expressions as the analyser sees them: lets replaced by what they stand for (constants
//! by their value), and a canonical text that names everything by name, so that the same
//! term in two revisions of a policy is recognised as the same.

use std::hash::BuildHasher;

use crate::eval::Evaluator;
use crate::ir::{Expr, ExprKind, LetId, Policy, Quant};
use crate::value::Value;

/// Inlining stops beyond this many nodes (a let used in a let used in … can multiply) or
/// this many lets deep: the condition is then left undecided rather than expanded without
/// bound (and the recursion stays shallow on any thread).
const MAX_INLINED_NODES: usize = 20_000;
const MAX_LET_DEPTH: u32 = 64;

/// What inlining may still spend: nodes, and lets nested.
struct Budget {
    nodes: usize,
    lets: u32,
}

/// What the analyser knows about one policy's lets and lists.
pub(crate) struct Lets {
    /// The value of each let that reads no input field (a parameter such as `上限 = 600`).
    pub constant: Vec<Option<Value>>,
    /// A fingerprint of each list's rows: terms reading a list that changed between two
    /// revisions must not be taken for the same term.
    pub list_prints: Vec<u64>,
}

impl Lets {
    pub fn new(p: &Policy, ev: &Evaluator<'_>) -> Lets {
        // Not constant: reads an input field, or a let that is not constant (one reading
        // an input, or one whose value is an error).
        let mut open = vec![false; p.lets.len()];
        let mut constant = vec![None; p.lets.len()];
        let empty = vec![Value::None; p.slots.len()];
        // One frame for all: it remembers each let's value, so a let is computed once and
        // a chain of n lets costs n evaluations, not n² (a frame per let would start
        // every chain from its first let again).
        let mut f = ev.frame(&empty);
        // Lets are in dependency order: a let reads only lets before it.
        for (i, l) in p.lets.iter().enumerate() {
            let mut reads = false;
            crate::ir::visit::each_read(&l.value, &mut |r| match r {
                crate::ir::visit::Read::Slot(_) => reads = true,
                crate::ir::visit::Read::Let(x) => reads |= open.get(x as usize).copied().unwrap_or(true),
                _ => {}
            });
            if !reads {
                constant[i] = ev.value_of(&l.value, &mut f).ok();
            }
            open[i] = constant[i].is_none();
        }
        // foldhash, not SipHash: a list read from a file may hold 100,000 rows.
        let print = foldhash::fast::FixedState::with_seed(0);
        let list_prints = p.lists.iter().map(|l| print.hash_one((&l.name, &l.fields, &l.rows))).collect();
        Lets { constant, list_prints }
    }

    /// `e` with every let replaced by its value (a parameter) or its definition, the
    /// variables of an inlined definition renumbered to where it now stands. `None` when
    /// the result would be too large.
    pub fn inline(&self, p: &Policy, e: &Expr) -> Option<Expr> {
        let mut budget = Budget { nodes: MAX_INLINED_NODES, lets: MAX_LET_DEPTH };
        self.inline_at(p, e, 0, 0, &mut budget)
    }

    /// `shift`: added to the variables of `e` (it was a let's definition, placed under
    /// `shift` binders); `depth`: binders around `e` in the result.
    fn inline_at(&self, p: &Policy, e: &Expr, shift: u32, depth: u32, budget: &mut Budget) -> Option<Expr> {
        budget.nodes = budget.nodes.checked_sub(1)?;
        let go = |x: &Expr, extra: u32, budget: &mut Budget| {
            self.inline_at(p, x, shift, depth + extra, budget).map(Box::new)
        };
        let kind = match &e.kind {
            ExprKind::Let(l) => {
                budget.lets = budget.lets.checked_sub(1)?;
                let inlined = self.inline_let(p, e, *l, depth, budget);
                budget.lets += 1;
                return inlined;
            }
            ExprKind::Local(n) => ExprKind::Local(n + shift),
            ExprKind::Const(_) | ExprKind::Slot(_) | ExprKind::ListRows(_) => e.kind.clone(),
            ExprKind::RowField { row, list, field } => {
                ExprKind::RowField { row: go(row, 0, budget)?, list: *list, field: *field }
            }
            ExprKind::Lookup { list, key } => ExprKind::Lookup { list: *list, key: go(key, 0, budget)? },
            ExprKind::HasKey { list, key } => ExprKind::HasKey { list: *list, key: go(key, 0, budget)? },
            ExprKind::Not(a) => ExprKind::Not(go(a, 0, budget)?),
            ExprKind::Neg(a) => ExprKind::Neg(go(a, 0, budget)?),
            ExprKind::ToDecimal(a) => ExprKind::ToDecimal(go(a, 0, budget)?),
            ExprKind::IsSome(a) => ExprKind::IsSome(go(a, 0, budget)?),
            ExprKind::And(a, b) => ExprKind::And(go(a, 0, budget)?, go(b, 0, budget)?),
            ExprKind::Or(a, b) => ExprKind::Or(go(a, 0, budget)?, go(b, 0, budget)?),
            ExprKind::Cmp(op, a, b) => ExprKind::Cmp(*op, go(a, 0, budget)?, go(b, 0, budget)?),
            ExprKind::Arith(op, a, b) => ExprKind::Arith(*op, go(a, 0, budget)?, go(b, 0, budget)?),
            ExprKind::In(a, b) => ExprKind::In(go(a, 0, budget)?, go(b, 0, budget)?),
            ExprKind::If(c, t, f) => ExprKind::If(go(c, 0, budget)?, go(t, 0, budget)?, go(f, 0, budget)?),
            ExprKind::SetOf(items) => {
                ExprKind::SetOf(items.iter().map(|i| go(i, 0, budget).map(|b| *b)).collect::<Option<_>>()?)
            }
            ExprKind::Call(b, args) => {
                ExprKind::Call(*b, args.iter().map(|i| go(i, 0, budget).map(|b| *b)).collect::<Option<_>>()?)
            }
            ExprKind::Quant(q) => ExprKind::Quant(Box::new(Quant {
                kind: q.kind,
                over: *go(&q.over, 0, budget)?,
                filter: match &q.filter {
                    Some(f) => Some(*go(f, 1, budget)?),
                    None => None,
                },
                of: match &q.of {
                    Some(o) => Some(*go(o, 1, budget)?),
                    None => None,
                },
            })),
        };
        Some(Expr { kind, ty: e.ty.clone(), span: e.span })
    }

    fn inline_let(&self, p: &Policy, at: &Expr, l: LetId, depth: u32, budget: &mut Budget) -> Option<Expr> {
        if let Some(v) = self.constant.get(l as usize).cloned().flatten() {
            return Some(Expr { kind: ExprKind::Const(v), ty: at.ty.clone(), span: at.span });
        }
        let body = &p.lets.get(l as usize)?.value;
        // The definition keeps its own span (for display) and takes the use's type, which
        // may be narrowed.
        let mut e = self.inline_at(p, body, depth, depth, budget)?;
        e.ty = at.ty.clone();
        Some(e)
    }

    /// A canonical text of an inlined expression: input fields by path, enum values by
    /// name, rows by key, lists by name and fingerprint. Equal texts (in one policy or in
    /// two revisions) denote the same function of the inputs.
    pub fn canon(&self, p: &Policy, e: &Expr) -> String {
        let mut out = String::new();
        self.canon_into(p, e, &mut out);
        out
    }

    fn canon_into(&self, p: &Policy, e: &Expr, out: &mut String) {
        use std::fmt::Write;
        let list = |l: &u32| {
            let name = p.lists.get(*l as usize).map_or("?", |x| x.name.as_str());
            format!("{name}#{:x}", self.list_prints.get(*l as usize).copied().unwrap_or(0))
        };
        let sub = |x: &Expr, out: &mut String| {
            out.push(' ');
            self.canon_into(p, x, out);
        };
        match &e.kind {
            ExprKind::Const(v) => {
                let _ = write!(out, "{}:{}", p.show(v, &e.ty), p.type_name(&e.ty));
            }
            ExprKind::Slot(s) => {
                let slot = &p.slots[*s as usize];
                let input = p.inputs.get(slot.input as usize).map_or("?", |i| i.name.as_str());
                let _ = write!(out, "${input}.{}", slot.path.join("."));
            }
            ExprKind::Let(l) => {
                let _ = write!(out, "let:{}", p.lets.get(*l as usize).map_or("?", |x| x.name.as_str()));
            }
            ExprKind::Local(n) => {
                let _ = write!(out, "%{n}");
            }
            ExprKind::ListRows(l) => {
                let _ = write!(out, "rows({})", list(l));
            }
            ExprKind::RowField { row, list: l, field } => {
                let fname = p.lists.get(*l as usize).and_then(|x| x.fields.get(*field as usize));
                let _ = write!(out, "(field {} {}", list(l), fname.map_or("?", |f| f.0.as_str()));
                sub(row, out);
                out.push(')');
            }
            ExprKind::Lookup { list: l, key } | ExprKind::HasKey { list: l, key } => {
                let what = if matches!(e.kind, ExprKind::Lookup { .. }) { "lookup" } else { "has-key" };
                let _ = write!(out, "({what} {}", list(l));
                sub(key, out);
                out.push(')');
            }
            ExprKind::Quant(q) => {
                let _ = write!(out, "({:?}", q.kind);
                sub(&q.over, out);
                for (tag, x) in [("where", &q.filter), ("of", &q.of)] {
                    if let Some(x) = x {
                        let _ = write!(out, " {tag}");
                        sub(x, out);
                    }
                }
                out.push(')');
            }
            other => {
                let head = match other {
                    ExprKind::Not(_) => "not".to_string(),
                    ExprKind::Neg(_) => "neg".to_string(),
                    ExprKind::ToDecimal(_) => "decimal".to_string(),
                    ExprKind::IsSome(_) => "is-some".to_string(),
                    ExprKind::And(..) => "and".to_string(),
                    ExprKind::Or(..) => "or".to_string(),
                    ExprKind::Cmp(op, ..) => format!("{op:?}"),
                    ExprKind::Arith(op, ..) => format!("{op:?}"),
                    ExprKind::In(..) => "in".to_string(),
                    ExprKind::If(..) => "if".to_string(),
                    ExprKind::SetOf(_) => "set".to_string(),
                    ExprKind::Call(b, _) => format!("{b:?}"),
                    _ => "?".to_string(),
                };
                let _ = write!(out, "({head}");
                crate::ir::visit::each_child(e, &mut |c| sub(c, out));
                out.push(')');
            }
        }
    }
}

/// Whether `e` reads the case at all (an input field, or a variable bound outside it).
pub(crate) fn is_closed_constant(e: &Expr) -> bool {
    let mut open = false;
    crate::ir::visit::walk(e, &mut |x| {
        open |=
            matches!(x.kind, ExprKind::Slot(_) | ExprKind::Let(_) | ExprKind::Local(_) | ExprKind::Quant(_));
    });
    !open
}
