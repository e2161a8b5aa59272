//! Expressions to instructions. Each IR expression leaves one word on the stack (see
//! `words.rs`); conditions leave an i32. Operands are evaluated in the interpreter's
//! order, so that the first error met is the same error.
//!
//! Errors: a failing operation calls `fail`, which records the first error and counts
//! it, and yields absent; evaluation goes on. The interpreter stops at an error instead,
//! but what it would have computed after it cannot change the result: any error makes
//! the call fail, and lets are remembered only when computed without one.

use super::asm::{Body, Ins, ABSENT, I32, I64};
use super::layout::{global, ErrorKind};
use super::runtime::Rt;
use super::{BuildError, Gen};
use crate::ir::{ArithOp, CmpOp, Expr, ExprKind, Type};
use crate::value::Value;
use qingdan_dsl::check::builtins::Builtin;
use qingdan_dsl::syntax::ast::QuantKind;

/// A function body under construction, with the generator's tables at hand.
pub(super) struct Fx<'g, 'p> {
    pub(super) g: &'g mut Gen<'p>,
    pub(super) b: Body,
    /// Wasm locals of the quantifier and check variables in scope, outermost first.
    binders: Vec<u32>,
}

/// How two values of one static type compare.
enum Kind {
    Words,
    Texts,
    Sets { texts: bool },
}

fn elem_is_text(t: &Type) -> bool {
    matches!(t.required(), Type::Set(inner) if matches!(inner.required(), Type::Text))
}

impl<'g, 'p> Fx<'g, 'p> {
    pub(super) fn new(g: &'g mut Gen<'p>, params: u32) -> Fx<'g, 'p> {
        Fx { g, b: Body::new(params), binders: Vec::new() }
    }

    /// The value of `e`, as a word.
    pub(super) fn expr(&mut self, e: &Expr) -> Result<(), BuildError> {
        match &e.kind {
            ExprKind::Const(v) => {
                let w = self.g.statics.word(v);
                self.b.i64(w);
            }
            ExprKind::Slot(s) => {
                let at = self.g.layout.slots + 8 * s;
                self.b.i32(0).load64(at);
            }
            ExprKind::Let(l) => {
                self.b.call(self.g.funcs.let_fn(*l));
            }
            ExprKind::Local(n) => match self.binders.get(*n as usize) {
                Some(&l) => {
                    self.b.get(l);
                }
                None => return Err(BuildError::unsupported(e, "a variable outside its binder")),
            },
            ExprKind::RowField { row, list, field } => self.row_field(row, *list, *field)?,
            ExprKind::ListRows(l) => {
                let w = self.g.list_rows(*l);
                self.b.i64(w);
            }
            ExprKind::Lookup { list, key } => {
                self.expr(key)?;
                self.b.call(self.g.funcs.lookup_fn(*list));
            }
            ExprKind::HasKey { list, key } => {
                self.expr(key)?;
                self.b.call(self.g.funcs.lookup_fn(*list)).is_absent().op(Ins::I32Eqz).op(Ins::I64ExtendI32U);
            }
            ExprKind::Not(_)
            | ExprKind::And(..)
            | ExprKind::Or(..)
            | ExprKind::Cmp(..)
            | ExprKind::IsSome(_) => {
                self.truth(e)?;
                self.b.op(Ins::I64ExtendI32U);
            }
            ExprKind::Neg(x) => {
                let t = self.b.local(I64);
                self.expr(x)?;
                // Negation cannot overflow: i64::MIN is not a number.
                self.b.tee(t).is_absent().if_(Some(I64)).i64(ABSENT).else_();
                self.b.i64(0).get(t).op(Ins::I64Sub).end();
            }
            ExprKind::ToDecimal(x) => {
                let site = self.g.site(e);
                self.expr(x)?;
                let scale = if matches!(x.ty.required(), Type::Set(_)) { Rt::ScaleSet } else { Rt::Scale };
                self.b.i32(site).call(scale.index());
            }
            ExprKind::Arith(op, a, b) => self.arith(*op, a, b, e)?,
            ExprKind::In(x, set) => {
                let t = self.b.local(I64);
                self.expr(x)?;
                self.b.set(t);
                self.expr(set)?;
                let has = if elem_is_text(&set.ty) { Rt::HasText } else { Rt::HasWord };
                self.b.get(t).call(has.index()).op(Ins::I64ExtendI32U);
            }
            ExprKind::If(c, t, o) => {
                self.truth(c)?;
                self.b.if_(Some(I64));
                self.expr(t)?;
                self.b.else_();
                self.expr(o)?;
                self.b.end();
            }
            ExprKind::SetOf(items) => self.set_of(items, e)?,
            ExprKind::Call(f, args) => self.call(*f, args, e)?,
            ExprKind::Quant(_) => self.quant(e)?,
        }
        Ok(())
    }

    fn row_field(&mut self, row: &Expr, list: u32, field: u32) -> Result<(), BuildError> {
        let t = self.b.local(I64);
        let column = self.g.column(list, field as usize);
        self.expr(row)?;
        self.b.tee(t).is_absent().if_(Some(I64)).i64(ABSENT).else_();
        self.b.get(t).op(Ins::I32WrapI64);
        self.b.load_column(column.at, column.width);
        self.b.end();
        Ok(())
    }

    /// Arithmetic: both operands first (each already of the operator's type); an absent
    /// one gives absent; then the operation, checked.
    fn arith(&mut self, op: ArithOp, a: &Expr, b: &Expr, e: &Expr) -> Result<(), BuildError> {
        let site = self.g.site(e);
        let (x, y) = (self.b.local(I64), self.b.local(I64));
        self.expr(a)?;
        self.b.set(x);
        self.expr(b)?;
        self.b.set(y);
        self.b.get(x).is_absent().get(y).is_absent().op(Ins::I32Or).if_(Some(I64)).i64(ABSENT).else_();
        let helper = match op {
            ArithOp::IntAdd => Some(Rt::IntAdd),
            ArithOp::IntSub => Some(Rt::IntSub),
            ArithOp::IntMul => Some(Rt::IntMul),
            ArithOp::DecAdd => Some(Rt::DecAdd),
            ArithOp::DecSub => Some(Rt::DecSub),
            ArithOp::DecMul => Some(Rt::DecMul),
            ArithOp::Div => Some(Rt::Div),
            ArithOp::DateAddDays | ArithOp::DateSubDays => Some(Rt::DateAdd),
            ArithOp::DateDiff => None,
        };
        self.b.get(x).get(y);
        if op == ArithOp::DateSubDays {
            self.b.set(y).i64(0).get(y).op(Ins::I64Sub);
        }
        match helper {
            Some(h) => {
                self.b.i32(site).call(h.index());
            }
            None => {
                self.b.op(Ins::I64Sub);
            }
        }
        self.b.end();
        Ok(())
    }

    fn set_of(&mut self, items: &[Expr], e: &Expr) -> Result<(), BuildError> {
        if let Some(values) = items.iter().map(constant).collect::<Option<Vec<Value>>>() {
            let w = self.g.statics.word(&Value::set(values));
            self.b.i64(w);
            return Ok(());
        }
        let (p, n) = (self.b.local(I32), self.b.local(I32));
        self.g.sink_words = self.g.sink_words.max(items.len() as u32);
        self.b.i32(8 * items.len() as i32).call(Rt::Alloc.index()).set(p);
        for (i, item) in items.iter().enumerate() {
            self.b.get(p);
            self.expr(item)?;
            self.b.store64(8 * i as u32);
        }
        let sort = if elem_is_text(&e.ty) { Rt::SortTexts } else { Rt::SortWords };
        self.b.get(p).i32(items.len() as i32).call(sort.index()).set(n);
        self.b.pack(p, n);
        Ok(())
    }

    fn call(&mut self, f: Builtin, args: &[Expr], e: &Expr) -> Result<(), BuildError> {
        let locals: Vec<u32> = args.iter().map(|_| self.b.local(I64)).collect();
        for (a, l) in args.iter().zip(&locals) {
            self.expr(a)?;
            self.b.set(*l);
        }
        let arg = |i: usize| locals.get(i).copied().ok_or_else(|| BuildError::unsupported(e, "arguments"));
        let set_arg = matches!(args.first().map(|a| a.ty.required()), Some(Type::Set(_)));
        match f {
            Builtin::Length if set_arg => {
                let s = arg(0)?;
                self.b.get(s).is_absent().if_(Some(I64)).i64(ABSENT).else_();
                self.b.get(s).i64(0xFFFF_FFFF).op(Ins::I64And).end();
            }
            Builtin::Length => {
                self.b.get(arg(0)?).call(Rt::TextLen.index());
            }
            Builtin::Contains if set_arg => {
                let (s, x) = (arg(0)?, arg(1)?);
                let has = if elem_is_text(&args[0].ty) { Rt::HasText } else { Rt::HasWord };
                self.b.get(s).is_absent().if_(Some(I64)).i64(ABSENT).else_();
                self.b.get(s).get(x).call(has.index()).op(Ins::I64ExtendI32U).end();
            }
            Builtin::Contains => {
                self.b.get(arg(0)?).get(arg(1)?).call(Rt::TextContains.index());
            }
            Builtin::StartsWith => {
                self.b.get(arg(0)?).get(arg(1)?).call(Rt::TextStarts.index());
            }
            Builtin::Min | Builtin::Max => self.min_max(f == Builtin::Min, (arg(0)?, arg(1)?)),
            Builtin::Year | Builtin::Month => {
                let c = self.b.local(I64);
                self.b.get(arg(0)?).call(Rt::Civil.index()).tee(c).is_absent().if_(Some(I64)).i64(ABSENT);
                self.b.else_().get(c);
                if f == Builtin::Year {
                    self.b.i64(4).op(Ins::I64ShrS);
                } else {
                    self.b.i64(15).op(Ins::I64And);
                }
                self.b.end();
            }
            Builtin::Similarity => {
                self.b.get(arg(0)?).get(arg(1)?).call(Rt::Similarity.index());
            }
            Builtin::DaysBetween => {
                let (a, b) = (arg(0)?, arg(1)?);
                self.b.get(a).is_absent().get(b).is_absent().op(Ins::I32Or).if_(Some(I64)).i64(ABSENT);
                self.b.else_().get(b).get(a).op(Ins::I64Sub).end();
            }
        }
        Ok(())
    }

    /// `min`/`max` of two numbers of one type: absent if either is; else the smaller
    /// (larger), x when they are equal for `min`, y for `max` (the interpreter's
    /// `compare(Le, x, y)`).
    fn min_max(&mut self, min: bool, (x, y): (u32, u32)) {
        self.b.get(x).is_absent().get(y).is_absent().op(Ins::I32Or).if_(Some(I64)).i64(ABSENT).else_();
        self.b.get(x).get(y).op(Ins::I64LeS);
        if !min {
            self.b.op(Ins::I32Eqz);
        }
        self.b.if_(Some(I64)).get(x).else_().get(y).end().end();
    }

    fn quant(&mut self, e: &Expr) -> Result<(), BuildError> {
        let ExprKind::Quant(q) = &e.kind else { return Ok(()) };
        if self.keyword_search(q)? {
            return Ok(());
        }
        let site = self.g.site(e);
        let (i, n, p, item) = (self.b.local(I32), self.b.local(I32), self.b.local(I32), self.b.local(I64));
        let (count, sum, all) = (self.b.local(I64), self.b.local(I64), self.b.local(I32));
        let rows = self.iteration(&q.over, n, p)?;
        // A quantifier inside another runs many times in one call: start afresh.
        self.b.i32(0).set(i).i64(0).set(count).i64(0).set(sum).i32(1).set(all);
        self.b.block().loop_();
        self.b.get(i).get(n).op(Ins::I32GeU).br_if(1);
        self.item(rows, i, p, item);
        self.binders.push(item);
        let sel = self.b.local(I32);
        match &q.filter {
            Some(c) => self.truth(c)?,
            None => {
                self.b.i32(1);
            }
        }
        self.b.set(sel);
        if q.kind == QuantKind::All {
            self.b.get(all).get(sel).op(Ins::I32And).set(all);
        } else {
            self.b.get(sel).if_(None);
            self.b.get(count).i64(1).op(Ins::I64Add).set(count);
            if q.kind == QuantKind::Sum {
                match &q.of {
                    Some(of) => self.expr(of)?,
                    None => {
                        self.b.get(item);
                    }
                }
                self.add_to_sum(sum, site);
            }
            self.b.end();
        }
        self.binders.pop();
        match q.kind {
            QuantKind::Any => {
                self.b.get(count).i64(0).op(Ins::I64GtS).br_if(1);
            }
            QuantKind::All => {
                self.b.get(all).op(Ins::I32Eqz).br_if(1);
            }
            _ => {}
        }
        self.b.bump(i, 1).br(0);
        self.b.end().end();
        match q.kind {
            QuantKind::Any => self.b.get(count).i64(0).op(Ins::I64GtS).op(Ins::I64ExtendI32U),
            QuantKind::All => self.b.get(all).op(Ins::I64ExtendI32U),
            QuantKind::Count => self.b.get(count),
            QuantKind::Sum => self.b.get(sum),
        };
        Ok(())
    }

    /// `任一(w 属于 r.列 满足 包含(X, w))` as a bit of the rows found in `X` by the column's
    /// keyword table (`keywords.rs`), where `X` reads no variable and cannot fail, so
    /// that evaluating it once is what the scan would do at every word. Returns whether
    /// it compiled the search so.
    fn keyword_search(&mut self, q: &crate::ir::Quant) -> Result<bool, BuildError> {
        let level = self.binders.len() as u32;
        let Some((row_level, list, field, text)) = crate::eval::words::recognise(q, level) else {
            return Ok(false);
        };
        let mut reads_variable = false;
        crate::ir::visit::walk(text, &mut |x| reads_variable |= matches!(x.kind, ExprKind::Local(_)));
        let table = self.g.keyword_tables.iter().position(|t| (t.list, t.field) == (list, field));
        let (Some(t), Some(&row), false, false) = (
            table,
            self.binders.get(row_level as usize),
            reads_variable,
            may_fail(text, &self.g.let_may_fail),
        ) else {
            return Ok(false);
        };
        self.expr(text)?;
        self.b.call(self.g.funcs.keywords + t as u32);
        super::keywords::has_row(&mut self.b, row);
        Ok(true)
    }

    /// `sum += value` (on the stack; the sum's own type, int or decimal, which add
    /// alike); an absent value or an overflow is an error.
    fn add_to_sum(&mut self, sum: u32, site: i32) {
        let v = self.b.local(I64);
        self.b.set(v);
        self.b.get(v).is_absent().if_(None);
        self.b.i32(ErrorKind::Overflow as i32).i32(site).call(Rt::Fail.index());
        self.b.else_();
        self.b.get(v).get(sum).i32(site).call(Rt::IntAdd.index()).set(v);
        // An overflow gave absent (and is recorded); keep the sum a number.
        self.b.get(sum).get(v).get(v).is_absent().op(Ins::Select).set(sum);
        self.b.end();
    }

    /// Sets up iteration over a list's rows or a set's elements: `n` elements, at `p`
    /// for a set. Returns whether the items are row indices.
    pub(super) fn iteration(&mut self, over: &Expr, n: u32, p: u32) -> Result<bool, BuildError> {
        if let ExprKind::ListRows(l) = &over.kind {
            let rows = self.g.policy.lists.get(*l as usize).map_or(0, |x| x.rows.len());
            self.b.i32(rows as i32).set(n);
            return Ok(true);
        }
        let s = self.b.local(I64);
        self.expr(over)?;
        self.b.tee(s).is_absent().if_(None).i32(0).set(n).else_();
        self.b.ptr_of(s).set(p).len_of(s).set(n).end();
        Ok(false)
    }

    pub(super) fn item(&mut self, rows: bool, i: u32, p: u32, item: u32) {
        if rows {
            self.b.get(i).op(Ins::I64ExtendI32U).set(item);
        } else {
            self.b.get(p).get(i).i32(3).op(Ins::I32Shl).op(Ins::I32Add).load64(0).set(item);
        }
    }

    pub(super) fn bind(&mut self, local: u32) {
        self.binders.push(local);
    }

    pub(super) fn unbind(&mut self) {
        self.binders.pop();
    }

    /// Whether `e` holds, as an i32: `eval(e)` is `true`. Errors propagate as in `eval`.
    pub(super) fn truth(&mut self, e: &Expr) -> Result<(), BuildError> {
        if self.connective(e, Self::truth)? {
            return Ok(());
        }
        match &e.kind {
            ExprKind::Cmp(op, a, b) => self.compare(*op, a, b, e)?,
            ExprKind::IsSome(x) => {
                self.expr(x)?;
                self.b.is_absent().op(Ins::I32Eqz);
            }
            _ => {
                self.expr(e)?;
                self.b.i64(1).op(Ins::I64Eq);
            }
        }
        Ok(())
    }

    /// A rule condition: `and`, `or` and `not` as usual, and each other part (a leaf) is
    /// false when an error occurs in it — the interpreter's compiled conditions keep the
    /// error for the decision's result and answer `false`.
    pub(super) fn cond(&mut self, e: &Expr) -> Result<(), BuildError> {
        if self.connective(e, Self::cond)? {
            return Ok(());
        }
        if !self.g.may_fail(e) {
            return self.truth(e);
        }
        let c = self.b.local(I32);
        self.b.gget(global::ERR_COUNT).set(c);
        self.truth(e)?;
        self.b.gget(global::ERR_COUNT).get(c).op(Ins::I32Eq).op(Ins::I32And);
        Ok(())
    }

    /// `and` (short-circuit), `or` (short-circuit) and `not` over operands generated by
    /// `part`; false when `e` is none of them.
    fn connective(
        &mut self,
        e: &Expr,
        part: fn(&mut Self, &Expr) -> Result<(), BuildError>,
    ) -> Result<bool, BuildError> {
        match &e.kind {
            ExprKind::And(a, b) => {
                part(self, a)?;
                self.b.if_(Some(I32));
                part(self, b)?;
                self.b.else_().i32(0).end();
            }
            ExprKind::Or(a, b) => {
                part(self, a)?;
                self.b.if_(Some(I32)).i32(1).else_();
                part(self, b)?;
                self.b.end();
            }
            ExprKind::Not(x) => {
                part(self, x)?;
                self.b.op(Ins::I32Eqz);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn compare(&mut self, op: CmpOp, a: &Expr, b: &Expr, e: &Expr) -> Result<(), BuildError> {
        let (ta, tb) = (a.ty.required(), b.ty.required());
        let kind = match (ta, tb) {
            (Type::Text, _) | (_, Type::Text) => Kind::Texts,
            (Type::Set(_), _) | (_, Type::Set(_)) => {
                Kind::Sets { texts: elem_is_text(ta) || elem_is_text(tb) }
            }
            _ => Kind::Words,
        };
        let (x, y) = (self.b.local(I64), self.b.local(I64));
        self.expr(a)?;
        self.b.set(x);
        self.expr(b)?;
        self.b.set(y);
        match kind {
            Kind::Words => words_compare(&mut self.b, op, x, y),
            Kind::Texts | Kind::Sets { .. } => {
                let eq = match kind {
                    Kind::Texts => Rt::TextEq,
                    Kind::Sets { texts: true } => Rt::EqTexts,
                    _ => Rt::EqWords,
                };
                match op {
                    CmpOp::Eq => self.b.get(x).get(y).call(eq.index()),
                    CmpOp::Ne => self.b.get(x).get(y).call(eq.index()).op(Ins::I32Eqz),
                    _ => return Err(BuildError::unsupported(e, "ordering texts or sets")),
                };
            }
        }
        Ok(())
    }
}

/// Comparison of words of one ordered type. Absent equals only absent and is neither
/// less nor greater than anything (so `absent ≤ absent` holds, being equal).
fn words_compare(b: &mut Body, op: CmpOp, x: u32, y: u32) {
    let present = |b: &mut Body, l: u32| {
        b.get(l).is_absent().op(Ins::I32Eqz);
    };
    match op {
        CmpOp::Eq => {
            b.get(x).get(y).op(Ins::I64Eq);
        }
        CmpOp::Ne => {
            b.get(x).get(y).op(Ins::I64Ne);
        }
        CmpOp::Lt => {
            present(b, x);
            b.get(x).get(y).op(Ins::I64LtS).op(Ins::I32And);
        }
        CmpOp::Gt => {
            present(b, y);
            b.get(x).get(y).op(Ins::I64GtS).op(Ins::I32And);
        }
        CmpOp::Le => {
            present(b, x);
            b.get(x).get(y).op(Ins::I64LtS).op(Ins::I32And).get(x).get(y).op(Ins::I64Eq).op(Ins::I32Or);
        }
        CmpOp::Ge => {
            present(b, y);
            b.get(x).get(y).op(Ins::I64GtS).op(Ins::I32And).get(x).get(y).op(Ins::I64Eq).op(Ins::I32Or);
        }
    }
}

/// The value of a constant expression, if it is one.
fn constant(e: &Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Const(v) => Some(v.clone()),
        _ => None,
    }
}

/// Whether evaluating `e` can fail (or read a let that can), so that a rule condition
/// must watch for errors in it.
pub(super) fn may_fail(e: &Expr, lets: &[bool]) -> bool {
    let own = match &e.kind {
        ExprKind::Let(l) => lets.get(*l as usize).copied().unwrap_or(true),
        ExprKind::Arith(op, ..) => *op != ArithOp::DateDiff,
        ExprKind::ToDecimal(_) => true,
        ExprKind::Call(f, _) => matches!(f, Builtin::Min | Builtin::Max),
        ExprKind::Quant(q) => q.kind == QuantKind::Sum,
        ExprKind::SetOf(_) => true,
        _ => false,
    };
    let mut child = false;
    crate::ir::visit::each_child(e, &mut |c| child |= may_fail(c, lets));
    own || child
}
