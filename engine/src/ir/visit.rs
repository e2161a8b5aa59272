//! Walking expressions. One traversal of [`ExprKind`] for every pass that needs to know
//! what an expression reads: the dependency graph, the interpreter's explanations, the
//! analyser and the WASM compiler. A new expression kind is then added in one place.

use super::*;

/// Something outside the expression that its value depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read<'a> {
    /// An input field.
    Slot(SlotId),
    Let(LetId),
    /// The rows of a list: iterated, searched by key, or a field of one of its rows read.
    List(ListId),
    /// One row named by a constant (`Value::Row` in a constant of row type).
    Row {
        list: ListId,
        row: u32,
    },
    /// A constant key looked up in a list (`部门清单["XQ-MZ"]`, `"XQ-MZ" in 部门清单`): the
    /// row it names, if any, is read too. The caller resolves it against the list's rows.
    Key {
        list: ListId,
        key: &'a Value,
    },
}

/// Calls `f` on the direct subexpressions of `e`, left to right.
pub fn each_child<'a>(e: &'a Expr, f: &mut impl FnMut(&'a Expr)) {
    match &e.kind {
        ExprKind::Const(_)
        | ExprKind::Slot(_)
        | ExprKind::Let(_)
        | ExprKind::Local(_)
        | ExprKind::ListRows(_) => {}
        ExprKind::RowField { row: a, .. }
        | ExprKind::Lookup { key: a, .. }
        | ExprKind::HasKey { key: a, .. }
        | ExprKind::Not(a)
        | ExprKind::Neg(a)
        | ExprKind::ToDecimal(a)
        | ExprKind::IsSome(a) => f(a),
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Cmp(_, a, b)
        | ExprKind::Arith(_, a, b)
        | ExprKind::In(a, b) => {
            f(a);
            f(b);
        }
        ExprKind::If(c, t, e) => {
            f(c);
            f(t);
            f(e);
        }
        ExprKind::SetOf(items) | ExprKind::Call(_, items) => items.iter().for_each(f),
        ExprKind::Quant(q) => {
            f(&q.over);
            if let Some(x) = &q.filter {
                f(x);
            }
            if let Some(x) = &q.of {
                f(x);
            }
        }
    }
}

/// Calls `f` on `e` and every expression inside it, parents before children. Recursion is
/// safe: the front end refuses trees deeper than 256.
pub fn walk<'a>(e: &'a Expr, f: &mut impl FnMut(&'a Expr)) {
    f(e);
    each_child(e, &mut |c| walk(c, f));
}

/// Calls `f` on everything `e` reads, in the order the expression mentions it (with
/// repeats: a slot read twice is reported twice).
pub fn each_read<'a>(e: &'a Expr, f: &mut impl FnMut(Read<'a>)) {
    walk(e, &mut |x| match &x.kind {
        ExprKind::Slot(s) => f(Read::Slot(*s)),
        ExprKind::Let(l) => f(Read::Let(*l)),
        ExprKind::ListRows(l) | ExprKind::RowField { list: l, .. } => f(Read::List(*l)),
        ExprKind::Lookup { list, key } | ExprKind::HasKey { list, key } => {
            f(Read::List(*list));
            if let ExprKind::Const(k) = &key.kind {
                f(Read::Key { list: *list, key: k });
            }
        }
        ExprKind::Const(v) => const_rows(v, &x.ty, f),
        _ => {}
    });
}

/// Rows named inside a constant of type `ty` (a row, an optional row, a set of rows).
fn const_rows<'a>(v: &'a Value, ty: &Type, f: &mut impl FnMut(Read<'a>)) {
    match (v, ty) {
        (v, Type::Opt(inner)) => const_rows(v, inner, f),
        (Value::Row(row), Type::Row(list)) => f(Read::Row { list: *list, row: *row }),
        (Value::Set(items), Type::Set(inner)) => items.iter().for_each(|i| const_rows(i, inner, f)),
        _ => {}
    }
}

impl Policy {
    /// The exceptions of each rule (and of each exception), in file order: what the
    /// interpreter, the WASM compiler and the analyser walk below a rule.
    pub fn exceptions(&self) -> Vec<Vec<RuleId>> {
        let mut below = vec![Vec::new(); self.rules.len()];
        for (i, r) in self.rules.iter().enumerate() {
            if let Some(t) = r.exception_to {
                below[t as usize].push(i as RuleId);
            }
        }
        below
    }

    /// Every expression of the policy: lets, rules and exceptions, decisions' defaults,
    /// checks.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        let lets = self.lets.iter().map(|l| &l.value);
        let rules = self.rules.iter().flat_map(|r| r.exprs());
        let decisions = self.decisions.iter().flat_map(|d| d.exprs());
        let checks = self.checks.iter().flat_map(|c| c.exprs());
        lets.chain(rules).chain(decisions).chain(checks)
    }
}

impl Rule {
    /// The rule's expressions: `when`, each `unless`, then the outcome's values.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        let then = self.then.iter().flat_map(|o| o.fields.iter());
        std::iter::once(&self.when).chain(self.unless.iter()).chain(then)
    }
}

impl Decision {
    /// The default outcome's values (a decision reads nothing else itself).
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        self.default.iter().flat_map(|o| o.fields.iter())
    }
}

impl Check {
    /// The check's expressions: the collection it ranges over, the filter, the body.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        let scope = self.scope.iter().flat_map(|s| std::iter::once(&s.over).chain(s.filter.iter()));
        scope.chain(std::iter::once(&self.body))
    }

    /// Whether the check reads the case (an input field or a let); otherwise it is about
    /// the lists alone. A case's output shows the checks that do (see `docs/wasm-abi.md`).
    pub fn reads_case(&self) -> bool {
        let mut found = false;
        for e in self.exprs() {
            each_read(e, &mut |r| found |= matches!(r, Read::Slot(_) | Read::Let(_)));
        }
        found
    }
}

impl Policy {
    /// For each let, the input fields its value depends on, directly or through earlier
    /// lets (sorted, each once). A let of constants and lists alone (a threshold, a list's
    /// total) depends on none.
    pub fn slots_read_by_lets(&self) -> Vec<Vec<SlotId>> {
        let mut reads: Vec<Vec<SlotId>> = Vec::with_capacity(self.lets.len());
        // Lets only read earlier lets, so one pass in order settles them all.
        for l in &self.lets {
            let slots = slots_read(std::iter::once(&l.value), &reads);
            reads.push(slots);
        }
        reads
    }

    /// For each check, the input fields its answer depends on, directly or through lets.
    /// None: the check reads lists and constants alone and answers alike for every case.
    /// (Unlike [`Check::reads_case`], which says whether a case's output shows the check.)
    /// `lets` are what [`Policy::slots_read_by_lets`] gives.
    pub fn slots_read_by_checks(&self, lets: &[Vec<SlotId>]) -> Vec<Vec<SlotId>> {
        self.checks.iter().map(|c| slots_read(c.exprs(), lets)).collect()
    }
}

/// The input fields `exprs` read, directly or through the lets (whose own are `lets`, from
/// [`Policy::slots_read_by_lets`]).
pub fn slots_read<'a>(exprs: impl Iterator<Item = &'a Expr>, lets: &[Vec<SlotId>]) -> Vec<SlotId> {
    let mut slots = Vec::new();
    for e in exprs {
        each_read(e, &mut |r| match r {
            Read::Slot(s) => slots.push(s),
            Read::Let(l) => slots.extend_from_slice(&lets[l as usize]),
            Read::List(_) | Read::Row { .. } | Read::Key { .. } => {}
        });
    }
    slots.sort_unstable();
    slots.dedup();
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use qingdan_dsl::Span;

    fn e(kind: ExprKind, ty: Type) -> Expr {
        Expr { kind, ty, span: Span::default() }
    }

    #[test]
    fn reads_are_reported_in_order_with_constant_keys_and_rows() {
        let key = Value::text("XQ-MZ");
        let lookup = e(
            ExprKind::Lookup { list: 2, key: Box::new(e(ExprKind::Const(key.clone()), Type::Text)) },
            Type::Row(2),
        );
        let rows = e(ExprKind::Const(Value::set(vec![Value::Row(1)])), Type::Set(Box::new(Type::Row(3))));
        let sum = e(
            ExprKind::Arith(
                ArithOp::IntAdd,
                Box::new(e(ExprKind::Slot(4), Type::Int)),
                Box::new(e(ExprKind::Let(0), Type::Int)),
            ),
            Type::Int,
        );
        let all = e(ExprKind::SetOf(vec![sum, lookup, rows]), Type::Bool);
        let mut seen = Vec::new();
        each_read(&all, &mut |r| seen.push(format!("{r:?}")));
        assert_eq!(
            seen,
            [
                "Slot(4)",
                "Let(0)",
                "List(2)",
                "Key { list: 2, key: Text(\"XQ-MZ\") }",
                "Row { list: 3, row: 1 }"
            ]
        );
    }
}
