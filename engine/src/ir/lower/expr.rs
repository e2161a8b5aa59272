//! Lowering expressions: every operator at exactly its operand types, an explicit
//! `ToDecimal` wherever an int stands for a decimal, names and fields resolved.

use super::*;
use crate::value::FromLiteral;

impl Lowerer<'_> {
    pub(super) fn ty_of(&self, e: &ast::Expr) -> Ty {
        self.checked.expr_types.get(&e.span).cloned().unwrap_or(Ty::Error)
    }

    pub(super) fn node(&self, kind: ExprKind, ty: Type, span: Span) -> Expr {
        Expr { kind, ty, span }
    }

    /// `e` with the type the checker gave it.
    pub(super) fn expr(&mut self, e: &ast::Expr) -> Lowered<Expr> {
        let checked = self.ty_of(e);
        match run_type(&checked) {
            Some(ty) => self.expr_typed(e, ty),
            None if is_untyped(&checked) => untyped(e.span),
            None => unsupported("this expression as a value", e.span),
        }
    }

    /// `e` where a value of type `target` is wanted (a declared let, an outcome value, an
    /// `if` branch, a set element, the other side of a comparison): converted to it, and
    /// `none` and `[]` typed by it.
    pub(super) fn expr_as(&mut self, e: &ast::Expr, target: &Type) -> Lowered<Expr> {
        if !is_untyped(&self.ty_of(e)) {
            let x = self.expr(e)?;
            return Ok(convert(x, target));
        }
        let ty = match (&e.kind, target) {
            (_, Type::Opt(_) | Type::Set(_)) => target.clone(),
            (A::None, t) => Type::Opt(Box::new(t.clone())),
            _ => target.clone(),
        };
        self.expr_typed(e, ty)
    }

    pub(super) fn expr_typed(&mut self, e: &ast::Expr, ty: Type) -> Lowered<Expr> {
        let b = |x: Expr| Box::new(x);
        let kind = match &e.kind {
            A::Bool(_) | A::Int(_) | A::Decimal(_) | A::Text(_) | A::Date(_) | A::None => {
                ExprKind::Const(literal(e)?)
            }
            A::Name(n) => return self.name(n, e),
            A::Field(base, f) => return self.field(base, f, e),
            A::Index(base, key) => match self.ty_of(base) {
                Ty::List(l) => {
                    let lookup = ExprKind::Lookup { list: l.0 as ListId, key: b(self.expr(key)?) };
                    return self.lookup_in_force(self.node(lookup, ty, e.span));
                }
                _ => return unsupported("indexing something other than a list", e.span),
            },
            A::Call(f, args) => {
                let (builtin, _) = Builtin::lookup(&f.name)
                    .ok_or_else(|| LowerError { message: "unknown function".into(), span: Some(f.span) })?;
                ExprKind::Call(builtin, self.arguments(builtin, args)?)
            }
            A::Set(items) => {
                let Type::Set(elem) = ty.required() else { return unsupported("this set", e.span) };
                let elem = (**elem).clone();
                ExprKind::SetOf(items.iter().map(|i| self.expr_as(i, &elem)).collect::<Lowered<_>>()?)
            }
            A::Unary(UnaryOp::Not, x) => ExprKind::Not(b(self.expr(x)?)),
            A::Unary(UnaryOp::Neg, x) => ExprKind::Neg(b(self.expr(x)?)),
            A::Binary(op, l, r) => return self.binary(*op, l, r, ty, e.span),
            A::IsSome(x, some) => {
                let test = ExprKind::IsSome(b(self.expr(x)?));
                if *some {
                    test
                } else {
                    ExprKind::Not(b(self.node(test, Type::Bool, e.span)))
                }
            }
            A::Has(x, f) => {
                let field =
                    ast::Expr { kind: A::Field(Box::new((**x).clone()), f.clone()), span: x.span.to(f.span) };
                ExprKind::IsSome(b(self.field(x, f, &field)?))
            }
            A::If(c, t, f) => {
                ExprKind::If(b(self.expr(c)?), b(self.expr_as(t, &ty)?), b(self.expr_as(f, &ty)?))
            }
            A::Quant(q) => ExprKind::Quant(Box::new(self.quant(q)?)),
        };
        Ok(self.node(kind, ty, e.span))
    }

    pub(super) fn name(&mut self, n: &ast::Ident, e: &ast::Expr) -> Lowered<Expr> {
        let checked = self.ty_of(e);
        let ty = run_type(&checked)
            .map_or_else(|| unsupported(&format!("the name `{}` as a value", n.name), e.span), Ok)?;
        if let Some(level) = self.locals.iter().rposition(|l| *l == n.name) {
            return Ok(self.node(ExprKind::Local(level as u32), ty, e.span));
        }
        let kind = match self.env.lookup(self.m, &n.name) {
            Some(Def::Let(i)) => ExprKind::Let(self.let_id(i)?),
            Some(Def::List(l)) => ExprKind::ListRows(l.0 as ListId),
            _ => match &ty {
                Type::Enum(en) => ExprKind::Const(Value::Enum(self.variant_index(*en, &n.name, e.span)?)),
                _ => return unsupported(&format!("the name `{}` as a value", n.name), e.span),
            },
        };
        Ok(self.node(kind, ty, e.span))
    }

    /// `申请.字段` (an input slot), `行.字段` (a row field), `结论.准入` (a variant),
    /// `P.清单` (another policy's list).
    pub(super) fn field(&mut self, base: &ast::Expr, f: &ast::Ident, e: &ast::Expr) -> Lowered<Expr> {
        // A path that ends at a slot is that slot; one that goes on past a row reference
        // (`申请.牵头部门.名称`) is a field of the referenced row, handled below.
        if let Some(slot) = self.input_path(e).and_then(|(input, path)| self.slot(&input, &path)) {
            let ty = self.policy.slots[slot as usize].ty.clone();
            return Ok(self.node(ExprKind::Slot(slot), narrowed(&self.ty_of(e), ty), e.span));
        }
        if let A::Name(n) = &base.kind {
            if !self.locals.contains(&n.name) {
                match self.env.lookup(self.m, &n.name) {
                    Some(Def::Enum(en)) => {
                        let v = self.variant_index(en.0 as EnumId, &f.name, f.span)?;
                        return Ok(self.node(
                            ExprKind::Const(Value::Enum(v)),
                            Type::Enum(en.0 as EnumId),
                            e.span,
                        ));
                    }
                    Some(Def::Policy(p)) => return self.qualified(p, f, e),
                    _ => {}
                }
            }
        }
        if let A::Field(inner, en) = &base.kind {
            if let A::Name(p) = &inner.kind {
                if let Some(Def::Policy(pm)) = self.env.lookup(self.m, &p.name) {
                    if let Some(Def::Enum(en)) = self.env.lookup_in(pm, &en.name) {
                        let v = self.variant_index(en.0 as EnumId, &f.name, f.span)?;
                        return Ok(self.node(
                            ExprKind::Const(Value::Enum(v)),
                            Type::Enum(en.0 as EnumId),
                            e.span,
                        ));
                    }
                }
            }
        }
        let row = self.expr(base)?;
        let list = match row.ty.clone() {
            Type::Row(l) => l,
            Type::Opt(inner) => match *inner {
                Type::Row(l) => l,
                _ => return unsupported("a field of this value", e.span),
            },
            _ => return unsupported("a field of this value", e.span),
        };
        let def = &self.policy.lists[list as usize];
        let field = def
            .fields
            .iter()
            .position(|(n, _)| *n == f.name)
            .ok_or_else(|| LowerError { message: format!("no field `{}`", f.name), span: Some(f.span) })?;
        let ty = narrowed(&self.ty_of(e), def.fields[field].1.clone());
        Ok(self.node(ExprKind::RowField { row: Box::new(row), list, field: field as u32 }, ty, e.span))
    }

    pub(super) fn qualified(&mut self, p: usize, f: &ast::Ident, e: &ast::Expr) -> Lowered<Expr> {
        match self.env.lookup_in(p, &f.name) {
            Some(Def::List(l)) => {
                let ty = Type::Set(Box::new(Type::Row(l.0 as ListId)));
                Ok(self.node(ExprKind::ListRows(l.0 as ListId), ty, e.span))
            }
            _ => unsupported("this qualified name as a value", e.span),
        }
    }

    /// `申请.地址.区` → ("申请", ["地址", "区"]) when the chain starts at an input.
    pub(super) fn input_path(&self, e: &ast::Expr) -> Option<(String, Vec<String>)> {
        match &e.kind {
            A::Name(n) if !self.locals.contains(&n.name) => match self.env.lookup(self.m, &n.name)? {
                Def::Input(_) => Some((n.name.clone(), Vec::new())),
                _ => None,
            },
            A::Field(base, f) => {
                let (input, mut path) = self.input_path(base)?;
                path.push(f.name.clone());
                Some((input, path))
            }
            _ => None,
        }
    }

    pub(super) fn binary(
        &mut self,
        op: BinaryOp,
        l: &ast::Expr,
        r: &ast::Expr,
        ty: Type,
        span: Span,
    ) -> Lowered<Expr> {
        let b = Box::new;
        let kind = match op {
            BinaryOp::And => ExprKind::And(b(self.expr(l)?), b(self.expr(r)?)),
            BinaryOp::Or => ExprKind::Or(b(self.expr(l)?), b(self.expr(r)?)),
            BinaryOp::In | BinaryOp::NotIn => {
                let test = self.membership(l, r, span)?;
                return Ok(if op == BinaryOp::In {
                    test
                } else {
                    self.node(ExprKind::Not(b(test)), Type::Bool, span)
                });
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let (arith, el, er) = arith(op, self.expr(l)?, self.expr(r)?);
                ExprKind::Arith(arith, b(el), b(er))
            }
            _ => {
                let c = match op {
                    BinaryOp::Eq => CmpOp::Eq,
                    BinaryOp::Ne => CmpOp::Ne,
                    BinaryOp::Lt => CmpOp::Lt,
                    BinaryOp::Le => CmpOp::Le,
                    BinaryOp::Gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let (el, er) = self.compared(l, r)?;
                ExprKind::Cmp(c, b(el), b(er))
            }
        };
        Ok(self.node(kind, ty, span))
    }

    /// Both sides of a comparison, of one type: `none` and `[]` typed by the other side,
    /// a row compared with a key value standing for its key, an int side made a decimal
    /// when the other is one.
    pub(super) fn compared(&mut self, l: &ast::Expr, r: &ast::Expr) -> Lowered<(Expr, Expr)> {
        let (el, er) = match (is_untyped(&self.ty_of(l)), is_untyped(&self.ty_of(r))) {
            (true, true) => return untyped(l.span.to(r.span)),
            (true, false) => {
                let er = self.expr(r)?;
                (self.expr_as(l, &er.ty)?, er)
            }
            (false, true) => {
                let el = self.expr(l)?;
                let er = self.expr_as(r, &el.ty)?;
                (el, er)
            }
            (false, false) => (self.expr(l)?, self.expr(r)?),
        };
        let (tl, tr) = (el.ty.clone(), er.ty.clone());
        Ok(unify(self.key_if_row(el, &tr), self.key_if_row(er, &tl)))
    }

    /// A value and a set (or list) it is looked for in: `[]` typed by the value, `none` by
    /// the set's elements.
    pub(super) fn element_and_set(&mut self, x: &ast::Expr, set: &ast::Expr) -> Lowered<(Expr, Expr)> {
        match (is_untyped(&self.ty_of(x)), is_untyped(&self.ty_of(set))) {
            (_, true) => {
                let el = self.expr(x)?;
                let of = Type::Set(Box::new(el.ty.required().clone()));
                let er = self.expr_as(set, &of)?;
                Ok((el, er))
            }
            (true, false) => {
                let er = self.expr(set)?;
                let elem = match er.ty.required() {
                    Type::Set(elem) => (**elem).clone(),
                    _ => return untyped(x.span),
                };
                Ok((self.expr_as(x, &elem)?, er))
            }
            (false, false) => Ok((self.expr(x)?, self.expr(set)?)),
        }
    }

    /// Arguments of a built-in: `min`/`max` of one type, `contains` as membership.
    pub(super) fn arguments(&mut self, f: Builtin, args: &[ast::Expr]) -> Lowered<Vec<Expr>> {
        match (f, args) {
            (Builtin::Min | Builtin::Max, [a, b]) => {
                let (a, b) = unify(self.expr(a)?, self.expr(b)?);
                Ok(vec![a, b])
            }
            (Builtin::Contains, [set, x]) if matches!(self.ty_of(set).present(), Ty::Set(_)) => {
                let (x, set) = self.element_and_set(x, set)?;
                let (x, set) = same_elements(x, set);
                Ok(vec![set, x])
            }
            _ => args.iter().map(|a| self.expr(a)).collect(),
        }
    }

    /// A row compared with (or looked for among) key values stands for its key.
    pub(super) fn key_if_row(&self, e: Expr, other: &Type) -> Expr {
        let other = other.required();
        let list = match e.ty.required() {
            Type::Row(l) if !matches!(other, Type::Row(_)) => *l,
            _ => return e,
        };
        let def = &self.policy.lists[list as usize];
        let ty = def.fields[def.key].1.clone();
        let span = e.span;
        self.node(ExprKind::RowField { row: Box::new(e), list, field: def.key as u32 }, ty, span)
    }

    pub(super) fn membership(&mut self, l: &ast::Expr, r: &ast::Expr, span: Span) -> Lowered<Expr> {
        let (el, er) = self.element_and_set(l, r)?;
        let kind = match (&er.kind, er.ty.required()) {
            (ExprKind::ListRows(list), _) => {
                let list = *list;
                if matches!(el.ty.required(), Type::Row(l) if *l == list) {
                    ExprKind::IsSome(Box::new(el))
                } else {
                    // A row of another list is looked for by its key.
                    let def = &self.policy.lists[list as usize];
                    let key = self.key_if_row(el, &def.fields[def.key].1);
                    ExprKind::HasKey { list, key: Box::new(key) }
                }
            }
            (_, Type::Set(elem)) => {
                let el = self.key_if_row(el, elem);
                let (el, er) = same_elements(el, er);
                ExprKind::In(Box::new(el), Box::new(er))
            }
            _ => return unsupported("`in` on this value", span),
        };
        let kind = self.member_in_force(kind, span)?;
        Ok(self.node(kind, Type::Bool, span))
    }

    pub(super) fn quant(&mut self, q: &ast::Quant) -> Lowered<Quant> {
        let over = self.expr(&q.over)?;
        self.locals.push(q.var.name.clone());
        let filter = q.filter.as_ref().map(|f| self.expr(f)).transpose();
        let level = self.locals.len() - 1;
        let all = q.kind == qingdan_dsl::syntax::ast::QuantKind::All;
        let filter = filter.and_then(|f| self.filter_in_force(&over, level, all, f));
        let of = q.of.as_ref().map(|f| self.expr(f)).transpose();
        self.locals.pop();
        Ok(Quant { kind: q.kind, over, filter: filter?, of: of? })
    }
}

/// The declared type, without `?` where the checker narrowed it.
pub(super) fn narrowed(checked: &Ty, declared: Type) -> Type {
    match (checked, declared) {
        (Ty::Opt(_) | Ty::Error, d) => d,
        (_, Type::Opt(inner)) => *inner,
        (_, d) => d,
    }
}

/// The operator for `op` on these operands, with the operands it takes: dates by day
/// counts, ints by int operators, and decimal operators (and every quotient) on
/// decimals, an int operand converted.
pub(super) fn arith(op: BinaryOp, el: Expr, er: Expr) -> (ArithOp, Expr, Expr) {
    let dec = matches!(el.ty.required(), Type::Decimal) || matches!(er.ty.required(), Type::Decimal);
    let decimals = |el: Expr, er: Expr| (convert(el, &Type::Decimal), convert(er, &Type::Decimal));
    match (op, el.ty.required(), er.ty.required()) {
        (BinaryOp::Add, Type::Date, _) => (ArithOp::DateAddDays, el, er),
        (BinaryOp::Add, _, Type::Date) => (ArithOp::DateAddDays, er, el),
        (BinaryOp::Sub, Type::Date, Type::Date) => (ArithOp::DateDiff, el, er),
        (BinaryOp::Sub, Type::Date, _) => (ArithOp::DateSubDays, el, er),
        _ if op == BinaryOp::Div || dec => {
            let (el, er) = decimals(el, er);
            let op = match op {
                BinaryOp::Add => ArithOp::DecAdd,
                BinaryOp::Sub => ArithOp::DecSub,
                BinaryOp::Mul => ArithOp::DecMul,
                _ => ArithOp::Div,
            };
            (op, el, er)
        }
        (BinaryOp::Add, _, _) => (ArithOp::IntAdd, el, er),
        (BinaryOp::Sub, _, _) => (ArithOp::IntSub, el, er),
        _ => (ArithOp::IntMul, el, er),
    }
}

/// An element and a set of one element type: the int side made decimal.
pub(super) fn same_elements(x: Expr, set: Expr) -> (Expr, Expr) {
    let elem = match set.ty.required() {
        Type::Set(elem) => (**elem).clone(),
        _ => return (x, set),
    };
    let x = convert(x, &elem);
    let set = convert(set, &Type::Set(Box::new(x.ty.required().clone())));
    (x, set)
}

pub(super) fn literal(e: &ast::Expr) -> Lowered<Value> {
    Ok(match &e.kind {
        A::Bool(v) => Value::Bool(*v),
        A::Int(i) => Value::Int(*i),
        A::Decimal(d) => Value::from_decimal(*d)
            .ok_or_else(|| LowerError { message: "decimal out of range".into(), span: Some(e.span) })?,
        A::Text(t) => Value::text(t),
        A::Date(d) => Value::from_date(*d),
        A::None => Value::None,
        _ => return unsupported("a non-constant value here", e.span),
    })
}
