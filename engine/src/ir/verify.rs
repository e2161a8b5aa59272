//! The IR's type rules, checked on every lowered policy. Both back ends — the interpreter
//! and the WASM code generator — choose an operation from the static types of its
//! operands, and an int and a decimal share a representation (a 64-bit number, the
//! decimal scaled by 10^6) while meaning different things. So the rules are exact: every
//! operator takes operands of exactly its own types, and an int reaches a decimal only
//! through [`ExprKind::ToDecimal`]. A policy that breaks a rule is a lowering bug; it is
//! refused before either back end can decide anything with it.
//!
//! Optionality is not part of the check: an absent value is one word in every type, and
//! the checker has already proved that optional values are tested before use.

use qingdan_dsl::check::builtins::Builtin;
use qingdan_dsl::syntax::ast::QuantKind;

use super::*;

/// What is ill-typed, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    pub message: String,
    pub span: Span,
}

type Verified = Result<(), VerifyError>;

/// Checks every expression, row, outcome and test value of `p` against the IR's rules.
pub fn verify(p: &Policy) -> Verified {
    let v = Verifier { p, binders: Vec::new() };
    v.tables()?;
    for l in &p.lets {
        let mut v = Verifier { p, binders: Vec::new() };
        v.expect(&l.value, &l.ty)?;
    }
    for r in &p.rules {
        let mut v = Verifier { p, binders: Vec::new() };
        v.condition(&r.when)?;
        for u in &r.unless {
            v.condition(u)?;
        }
        if let Some(o) = &r.then {
            v.outcome(r.decision, o)?;
        }
    }
    for (d, decision) in p.decisions.iter().enumerate() {
        if let Some(o) = &decision.default {
            Verifier { p, binders: Vec::new() }.outcome(d as DecisionId, o)?;
        }
    }
    for c in &p.checks {
        let mut v = Verifier { p, binders: Vec::new() };
        if let Some(scope) = &c.scope {
            let elem = v.elements(&scope.over)?;
            v.binders.push(elem);
            if let Some(f) = &scope.filter {
                v.condition(f)?;
            }
        }
        v.condition(&c.body)?;
    }
    Ok(())
}

struct Verifier<'p> {
    p: &'p Policy,
    /// Types of the variables in scope, outermost first.
    binders: Vec<Type>,
}

/// A type without `?` at any level: what decides a value's representation.
fn shape(t: &Type) -> Type {
    match t {
        Type::Opt(inner) => shape(inner),
        Type::Set(inner) => Type::Set(Box::new(shape(inner))),
        other => other.clone(),
    }
}

fn same(a: &Type, b: &Type) -> bool {
    shape(a) == shape(b)
}

/// Whether a constant is a value of type `t` (absent fits every type).
fn value_fits(v: &Value, t: &Type) -> bool {
    match (v, t.required()) {
        (Value::None, _) => true,
        (Value::Bool(_), Type::Bool)
        | (Value::Int(_), Type::Int)
        | (Value::Dec(_), Type::Decimal)
        | (Value::Text(_), Type::Text)
        | (Value::Date(_), Type::Date)
        | (Value::Enum(_), Type::Enum(_))
        | (Value::Row(_), Type::Row(_)) => true,
        (Value::Set(items), Type::Set(elem)) => items.iter().all(|i| value_fits(i, elem)),
        _ => false,
    }
}

impl Verifier<'_> {
    fn fail<T>(&self, e: &Expr, what: String) -> Result<T, VerifyError> {
        Err(VerifyError { message: format!("ill-typed IR: {what} in `{}`", self.p.expr(e)), span: e.span })
    }

    fn name(&self, t: &Type) -> String {
        self.p.type_name(t)
    }

    /// List rows and test values against their declared types.
    fn tables(&self) -> Verified {
        for l in &self.p.lists {
            for (row, span) in l.rows.iter().zip(&l.row_spans) {
                for (v, (field, t)) in row.iter().zip(&l.fields) {
                    if !value_fits(v, t) {
                        let message = format!("ill-typed IR: `{v}` in field `{field}` of `{}`", l.name);
                        return Err(VerifyError { message, span: *span });
                    }
                }
            }
        }
        for test in &self.p.tests {
            for (v, slot) in test.case.iter().zip(&self.p.slots) {
                if !value_fits(v, &slot.ty) {
                    let message = format!("ill-typed IR: `{v}` given for `{}`", slot.path.join("."));
                    return Err(VerifyError { message, span: test.span });
                }
            }
        }
        Ok(())
    }

    fn outcome(&mut self, d: DecisionId, o: &OutcomeExpr) -> Verified {
        let e = self.p.decisions[d as usize].outcome_enum;
        let fields = &self.p.enums[e as usize].variants[o.variant as usize].fields;
        for (x, (_, t)) in o.fields.iter().zip(fields) {
            self.expect(x, t)?;
        }
        Ok(())
    }

    fn condition(&mut self, e: &Expr) -> Verified {
        self.expect(e, &Type::Bool)
    }

    /// `e` is well typed and has type `t`.
    fn expect(&mut self, e: &Expr, t: &Type) -> Verified {
        self.check(e)?;
        if !same(&e.ty, t) {
            return self.fail(e, format!("{} where {} is wanted", self.name(&e.ty), self.name(t)));
        }
        Ok(())
    }

    /// The element type of a collection `e` (a set, or a list's rows), `e` verified.
    fn elements(&mut self, e: &Expr) -> Result<Type, VerifyError> {
        self.check(e)?;
        match e.ty.required() {
            Type::Set(elem) => Ok((**elem).clone()),
            other => self.fail(e, format!("{} is not a collection", self.name(other))),
        }
    }

    /// Checks `e` and its subexpressions: each node's type follows from its operands'.
    fn check(&mut self, e: &Expr) -> Verified {
        let own: Type = match &e.kind {
            ExprKind::Const(v) => {
                if !value_fits(v, &e.ty) {
                    return self.fail(e, format!("constant `{v}` typed {}", self.name(&e.ty)));
                }
                e.ty.clone()
            }
            ExprKind::Slot(s) => match self.p.slots.get(*s as usize) {
                Some(slot) => slot.ty.clone(),
                None => return self.fail(e, format!("no slot {s}")),
            },
            ExprKind::Let(l) => match self.p.lets.get(*l as usize) {
                Some(l) => l.ty.clone(),
                None => return self.fail(e, format!("no let {l}")),
            },
            ExprKind::Local(n) => match self.binders.get(*n as usize) {
                Some(t) => t.clone(),
                None => return self.fail(e, format!("variable %{n} outside its binder")),
            },
            ExprKind::RowField { row, list, field } => {
                self.expect(row, &Type::Row(*list))?;
                match self.p.lists.get(*list as usize).and_then(|l| l.fields.get(*field as usize)) {
                    Some((_, t)) => t.clone(),
                    None => return self.fail(e, format!("no field {field} in list {list}")),
                }
            }
            ExprKind::ListRows(l) => Type::Set(Box::new(Type::Row(*l))),
            ExprKind::Lookup { list, key } | ExprKind::HasKey { list, key } => {
                let Some(def) = self.p.lists.get(*list as usize) else {
                    return self.fail(e, format!("no list {list}"));
                };
                self.expect(key, &def.fields[def.key].1)?;
                match e.kind {
                    ExprKind::Lookup { .. } => Type::Row(*list),
                    _ => Type::Bool,
                }
            }
            ExprKind::Not(a) => {
                self.condition(a)?;
                Type::Bool
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                self.condition(a)?;
                self.condition(b)?;
                Type::Bool
            }
            ExprKind::IsSome(a) => {
                self.check(a)?;
                Type::Bool
            }
            ExprKind::Neg(a) => {
                self.check(a)?;
                if !matches!(a.ty.required(), Type::Int | Type::Decimal) {
                    return self.fail(e, format!("negating {}", self.name(&a.ty)));
                }
                a.ty.clone()
            }
            ExprKind::ToDecimal(a) => {
                self.check(a)?;
                match shape(&a.ty) {
                    Type::Int => Type::Decimal,
                    Type::Set(elem) if *elem == Type::Int => Type::Set(Box::new(Type::Decimal)),
                    other => return self.fail(e, format!("converting {} to a decimal", self.name(&other))),
                }
            }
            ExprKind::Cmp(op, a, b) => {
                self.check(a)?;
                self.expect(b, &a.ty)?;
                let ordered = matches!(a.ty.required(), Type::Int | Type::Decimal | Type::Date);
                if !matches!(op, CmpOp::Eq | CmpOp::Ne) && !ordered {
                    return self.fail(e, format!("ordering {}", self.name(&a.ty)));
                }
                Type::Bool
            }
            ExprKind::Arith(op, a, b) => {
                let (ta, tb, result) = arith_signature(*op);
                self.expect(a, &ta)?;
                self.expect(b, &tb)?;
                result
            }
            ExprKind::In(x, set) => {
                let elem = self.elements(set)?;
                self.expect(x, &elem)?;
                Type::Bool
            }
            ExprKind::If(c, t, f) => {
                self.condition(c)?;
                self.expect(t, &e.ty)?;
                self.expect(f, &e.ty)?;
                e.ty.clone()
            }
            ExprKind::SetOf(items) => {
                let Type::Set(elem) = e.ty.required() else {
                    return self.fail(e, format!("a set literal typed {}", self.name(&e.ty)));
                };
                for i in items {
                    self.expect(i, elem)?;
                }
                e.ty.clone()
            }
            ExprKind::Call(f, args) => self.call(*f, args, e)?,
            ExprKind::Quant(q) => self.quant(q, e)?,
        };
        if !same(&own, &e.ty) {
            return self.fail(e, format!("typed {} but computes {}", self.name(&e.ty), self.name(&own)));
        }
        Ok(())
    }

    fn call(&mut self, f: Builtin, args: &[Expr], e: &Expr) -> Result<Type, VerifyError> {
        for a in args {
            self.check(a)?;
        }
        let tys: Vec<Type> = args.iter().map(|a| shape(&a.ty)).collect();
        let result = match (f, tys.as_slice()) {
            (Builtin::Length, [Type::Text | Type::Set(_)]) => Type::Int,
            (Builtin::Contains | Builtin::StartsWith, [Type::Text, Type::Text]) => Type::Bool,
            (Builtin::Contains, [Type::Set(elem), x]) if **elem == *x => Type::Bool,
            (Builtin::Min | Builtin::Max, [x @ (Type::Int | Type::Decimal | Type::Date), y]) if x == y => {
                x.clone()
            }
            (Builtin::Year | Builtin::Month, [Type::Date]) => Type::Int,
            (Builtin::DaysBetween, [Type::Date, Type::Date]) => Type::Int,
            (Builtin::Similarity, [Type::Text, Type::Text]) => Type::Decimal,
            _ => {
                let names: Vec<String> = args.iter().map(|a| self.name(&a.ty)).collect();
                return self.fail(e, format!("{f:?} of ({})", names.join(", ")));
            }
        };
        Ok(result)
    }

    fn quant(&mut self, q: &Quant, e: &Expr) -> Result<Type, VerifyError> {
        let elem = self.elements(&q.over)?;
        self.binders.push(elem.clone());
        let result = self.quant_body(q, &elem, e);
        self.binders.pop();
        result
    }

    fn quant_body(&mut self, q: &Quant, elem: &Type, e: &Expr) -> Result<Type, VerifyError> {
        if let Some(f) = &q.filter {
            self.condition(f)?;
        }
        match q.kind {
            QuantKind::Any | QuantKind::All => Ok(Type::Bool),
            QuantKind::Count => Ok(Type::Int),
            QuantKind::Sum => {
                let summed = match &q.of {
                    Some(of) => {
                        self.check(of)?;
                        of.ty.clone()
                    }
                    None => elem.clone(),
                };
                if !matches!(summed.required(), Type::Int | Type::Decimal) {
                    return self.fail(e, format!("a sum of {}", self.name(&summed)));
                }
                Ok(summed)
            }
        }
    }
}

/// The operand types an arithmetic operator takes, and its result.
fn arith_signature(op: ArithOp) -> (Type, Type, Type) {
    use Type::{Date, Decimal, Int};
    match op {
        ArithOp::IntAdd | ArithOp::IntSub | ArithOp::IntMul => (Int, Int, Int),
        ArithOp::DecAdd | ArithOp::DecSub | ArithOp::DecMul | ArithOp::Div => (Decimal, Decimal, Decimal),
        ArithOp::DateAddDays | ArithOp::DateSubDays => (Date, Int, Date),
        ArithOp::DateDiff => (Date, Date, Int),
    }
}
