//! Conditions as sets of inputs.
//!
//! A condition is first taken apart into `and` / `or` / `not` over *leaves* (with lets
//! inlined, and `if` pushed out of comparisons: `(if c then a else b) > 5` is
//! `(c and a > 5) or (not c and b > 5)`). Each leaf is then one of:
//!
//! - **exact**: it reads only finite fields, or ordered/text fields only where they are
//!   compared with something whose values can be listed (a constant, a parameter, a row
//!   field of a finite input, a column of a list), looked up as a list key, or tested for
//!   presence. Those values cut the field (`space.rs`), so the leaf is constant on each
//!   cell, and it is evaluated *by the interpreter* on one value per cell combination.
//!   Both ends of every stretch are evaluated too, and must agree: a check of the cuts.
//! - **a term compared with a constant** (`月工作量分钟 > 600` where the term is a product
//!   of two fields): the term becomes a dimension of its own, cut at the constants.
//! - **opaque** (an aggregate over an input set, two fields compared): a yes/no dimension.
//!
//! Terms and opaque leaves are treated as free of the fields they read: an
//! over-approximation. A region that involves them is a candidate until `witness.rs`
//! finds an input in it; a region that is empty even so is empty for certain.

use std::collections::HashMap;
use std::rc::Rc;

use crate::eval::compare;
use crate::ir::{CmpOp, Expr, ExprKind, Type};
use crate::value::Value;

use super::expr::is_closed_constant;
use super::mdd::{DimId, Mdd, NodeId, FALSE, TRUE};
use super::pieces::{self, pieces, Pieces};
use super::space::{CellKind, Cuts, DimOf, DimOwner, Domain, FieldId, Sort, Space, TermId};

/// Most evaluations spent on one exact leaf (cell combinations, ends included).
const MAX_LEAF_EVALS: usize = 50_000;
/// Most cases an `if` inside one comparison is split into.
const MAX_IF_CASES: usize = 16;
/// Most values listed for the other side of a comparison.
const MAX_LISTED: usize = 4_096;

pub(crate) enum Form {
    Const(bool),
    And(Rc<Form>, Rc<Form>),
    Or(Rc<Form>, Rc<Form>),
    Not(Rc<Form>),
    Leaf(Rc<Leaf>),
}

pub(crate) struct Leaf {
    pub policy: usize,
    /// Lets inlined.
    pub expr: Expr,
    pub key: String,
    pub plan: Plan,
}

pub(crate) enum Plan {
    Const(bool),
    /// Evaluated on every combination of the pieces of these fields: their cells, or for
    /// ordered and text fields the stretches between the leaf's own constants (`cuts`).
    Exact {
        fields: Vec<FieldId>,
        cuts: HashMap<FieldId, Cuts>,
    },
    /// `term OP value`, or `value OP term` when `flipped`.
    Term {
        term: TermId,
        op: CmpOp,
        value: Value,
        flipped: bool,
    },
    Opaque(TermId),
}

/// Builds forms (collecting cuts) and then compiles them into diagrams.
pub(crate) struct Compiler {
    leaf_nodes: HashMap<(usize, String), NodeId>,
    /// Per policy, the case of the preferred point (leaves are evaluated on a copy).
    base: Vec<Vec<Value>>,
}

impl Compiler {
    pub fn new() -> Compiler {
        Compiler { leaf_nodes: HashMap::new(), base: Vec::new() }
    }
}

// ------------------------------------------------------------------ forms

/// The form of a boolean expression of policy `p` (leaves planned, cuts recorded).
pub(crate) fn form(space: &mut Space<'_>, p: usize, e: &Expr) -> Rc<Form> {
    let policy = space.policies[p];
    match space.lets[p].inline(policy, e) {
        Some(inlined) => decompose(space, p, &inlined),
        // Too large to inline: one opaque leaf, known to this policy only.
        None => {
            let key = format!("uninlined:{p}:{:?}", e.span);
            let t = space.term(p, e.clone(), key.clone(), None);
            Rc::new(Form::Leaf(Rc::new(Leaf { policy: p, expr: e.clone(), key, plan: Plan::Opaque(t) })))
        }
    }
}

fn decompose(space: &mut Space<'_>, p: usize, e: &Expr) -> Rc<Form> {
    let mut go = |x: &Expr| decompose(space, p, x);
    match &e.kind {
        ExprKind::Const(Value::Bool(b)) => Rc::new(Form::Const(*b)),
        ExprKind::And(a, b) => Rc::new(Form::And(go(a), go(b))),
        ExprKind::Or(a, b) => Rc::new(Form::Or(go(a), go(b))),
        ExprKind::Not(a) => Rc::new(Form::Not(go(a))),
        ExprKind::If(c, t, f) if e.ty == Type::Bool => {
            let (c, t, f) = (go(c), go(t), go(f));
            let yes = Rc::new(Form::And(c.clone(), t));
            let no = Rc::new(Form::And(Rc::new(Form::Not(c)), f));
            Rc::new(Form::Or(yes, no))
        }
        ExprKind::Cmp(..) | ExprKind::In(..) | ExprKind::IsSome(_) => split_ifs(space, p, e),
        _ => leaf(space, p, e.clone()),
    }
}

/// A comparison, membership or presence test whose operands may be `if`s: one leaf per
/// combination of branches, under the branches' conditions.
fn split_ifs(space: &mut Space<'_>, p: usize, e: &Expr) -> Rc<Form> {
    let operands: Vec<&Expr> = match &e.kind {
        ExprKind::Cmp(_, a, b) | ExprKind::In(a, b) => vec![a, b],
        ExprKind::IsSome(a) => vec![a],
        _ => return leaf(space, p, e.clone()),
    };
    let mut combos: Vec<(Vec<Branch>, Vec<Expr>)> = vec![(Vec::new(), Vec::new())];
    for op in operands {
        let cases = branches(op);
        if combos.len() * cases.len() > MAX_IF_CASES {
            return leaf(space, p, e.clone());
        }
        combos = combos
            .into_iter()
            .flat_map(|(conds, ops)| {
                cases.iter().map(move |(c, x)| {
                    let mut conds = conds.clone();
                    conds.extend(c.iter().cloned());
                    let mut ops = ops.clone();
                    ops.push(x.clone());
                    (conds, ops)
                })
            })
            .collect();
    }
    if combos.len() == 1 {
        return leaf(space, p, e.clone());
    }
    let mut alternatives = Vec::new();
    for (conds, ops) in combos {
        let kind = match (&e.kind, ops.as_slice()) {
            (ExprKind::Cmp(op, ..), [a, b]) => ExprKind::Cmp(*op, Box::new(a.clone()), Box::new(b.clone())),
            (ExprKind::In(..), [a, b]) => ExprKind::In(Box::new(a.clone()), Box::new(b.clone())),
            (_, [a]) => ExprKind::IsSome(Box::new(a.clone())),
            _ => return leaf(space, p, e.clone()),
        };
        let mut f = decompose(space, p, &Expr { kind, ty: Type::Bool, span: e.span });
        for (c, holds) in conds {
            let c = decompose(space, p, &c);
            let c = if holds { c } else { Rc::new(Form::Not(c)) };
            f = Rc::new(Form::And(c, f));
        }
        alternatives.push(f);
    }
    alternatives
        .into_iter()
        .reduce(|a, b| Rc::new(Form::Or(a, b)))
        .unwrap_or_else(|| Rc::new(Form::Const(false)))
}

/// A condition an `if` branch is taken under, and whether it must hold (`then`) or not.
type Branch = (Expr, bool);

/// The values an operand can take, each under the conditions of its branches.
fn branches(e: &Expr) -> Vec<(Vec<Branch>, Expr)> {
    let ExprKind::If(c, t, f) = &e.kind else { return vec![(Vec::new(), e.clone())] };
    let mut out = Vec::new();
    for (holds, branch) in [(true, t), (false, f)] {
        for (mut conds, x) in branches(branch) {
            conds.insert(0, ((**c).clone(), holds));
            // The branch takes the `if`'s type (a narrowed optional stays narrowed).
            out.push((conds, Expr { ty: e.ty.clone(), ..x }));
        }
    }
    out
}

fn leaf(space: &mut Space<'_>, p: usize, expr: Expr) -> Rc<Form> {
    let key = space.lets[p].canon(space.policies[p], &expr);
    let plan = plan(space, p, &expr, &key);
    Rc::new(Form::Leaf(Rc::new(Leaf { policy: p, expr, key, plan })))
}

// ------------------------------------------------------------------ planning

/// The fields an expression reads.
fn reads(space: &Space<'_>, p: usize, e: &Expr) -> Vec<FieldId> {
    let mut out = Vec::new();
    crate::ir::visit::walk(e, &mut |x| {
        if let ExprKind::Slot(s) = x.kind {
            if let Some(&f) = space.slot_field[p].get(s as usize) {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
    });
    out
}

fn is_finite(space: &Space<'_>, f: FieldId) -> bool {
    matches!(space.fields[f].domain, Domain::Finite { .. } | Domain::Rows { .. } | Domain::Bits { .. })
}

fn scalar_sort(space: &Space<'_>, f: FieldId) -> Option<Sort> {
    match space.fields[f].domain {
        Domain::Scalar(s) => Some(s),
        _ => None,
    }
}

fn plan(space: &mut Space<'_>, p: usize, e: &Expr, key: &str) -> Plan {
    let fields = reads(space, p, e);
    if fields.is_empty() && is_closed(e) {
        if let Some(Value::Bool(b)) = evaluate(space, p, e) {
            return Plan::Const(b);
        }
    }
    if fields.iter().all(|f| is_finite(space, *f)) {
        return Plan::Exact { fields, cuts: HashMap::new() };
    }
    let mut cuts = Vec::new();
    if cut_walk(space, p, e, &mut Vec::new(), &mut cuts) {
        let mut own: HashMap<FieldId, Cuts> = HashMap::new();
        for (f, v) in cuts {
            if let Some(sort) = scalar_sort(space, f) {
                space.cut(DimOwner::Field(f), sort, &v);
                own.entry(f).or_default().add(sort, &v);
            }
        }
        return Plan::Exact { fields, cuts: own };
    }
    term_plan(space, p, e).unwrap_or_else(|| Plan::Opaque(space.term(p, e.clone(), key.to_string(), None)))
}

/// `e` has no free variables.
fn is_closed(e: &Expr) -> bool {
    let mut depth_ok = true;
    fn walk(e: &Expr, depth: u32, ok: &mut bool) {
        match &e.kind {
            ExprKind::Local(n) if *n >= depth => *ok = false,
            ExprKind::Quant(q) => {
                walk(&q.over, depth, ok);
                for x in [&q.filter, &q.of].into_iter().flatten() {
                    walk(x, depth + 1, ok);
                }
            }
            _ => crate::ir::visit::each_child(e, &mut |c| walk(c, depth, ok)),
        }
    }
    walk(e, 0, &mut depth_ok);
    depth_ok
}

fn evaluate(space: &Space<'_>, p: usize, e: &Expr) -> Option<Value> {
    let case = vec![Value::None; space.policies[p].slots.len()];
    let ev = &space.evals[p];
    let mut f = ev.frame(&case);
    ev.value_of(e, &mut f).ok()
}

/// Whether every place `e` reads an ordered or text field is one where cutting the field
/// at listed values makes `e` constant on each cell; the values go to `cuts`.
/// `binders`: for each variable in scope, the list whose rows it ranges over.
fn cut_walk(
    space: &Space<'_>,
    p: usize,
    e: &Expr,
    binders: &mut Vec<Option<u32>>,
    cuts: &mut Vec<(FieldId, Value)>,
) -> bool {
    // A field converted to a decimal is cut like the field itself: the conversion keeps
    // the order, and cut values compare across int and decimal.
    let scalar = |x: &Expr| {
        match &x.kind {
            ExprKind::ToDecimal(inner) => match inner.kind {
                ExprKind::Slot(s) => Some(s),
                _ => None,
            },
            ExprKind::Slot(s) => Some(*s),
            _ => None,
        }
        .and_then(|s| {
            space.slot_field[p].get(s as usize).and_then(|&f| scalar_sort(space, f).map(|st| (f, st)))
        })
    };
    match &e.kind {
        ExprKind::Cmp(op, a, b) => {
            for (x, other) in [(a, b), (b, a)] {
                let Some((f, sort)) = scalar(x) else { continue };
                if sort == Sort::Text && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    return false;
                }
                let Some(values) = listed_values(space, p, other, binders) else { return false };
                cuts.extend(values.into_iter().map(|v| (f, v)));
                return true;
            }
        }
        ExprKind::In(a, set) => {
            if let Some((f, _)) = scalar(a) {
                let Some(values) = listed_values(space, p, set, binders) else { return false };
                for v in values {
                    if let Value::Set(items) = v {
                        cuts.extend(items.iter().map(|i| (f, i.clone())));
                    }
                }
                return true;
            }
        }
        ExprKind::HasKey { list, key } | ExprKind::Lookup { list, key } => {
            if let Some((f, _)) = scalar(key) {
                let Some(def) = space.policies[p].lists.get(*list as usize) else { return false };
                cuts.extend(def.rows.iter().map(|r| (f, r[def.key].clone())));
                return true;
            }
        }
        ExprKind::IsSome(x) if scalar(x).is_some() => return true,
        ExprKind::Slot(s) => {
            return space.slot_field[p].get(*s as usize).is_some_and(|&f| is_finite(space, f));
        }
        ExprKind::Quant(q) => {
            if !cut_walk(space, p, &q.over, binders, cuts) {
                return false;
            }
            let over = match q.over.kind {
                ExprKind::ListRows(l) => Some(l),
                _ => None,
            };
            binders.push(over);
            let ok = [&q.filter, &q.of].into_iter().flatten().all(|x| cut_walk(space, p, x, binders, cuts));
            binders.pop();
            return ok;
        }
        _ => {}
    }
    let mut ok = true;
    crate::ir::visit::each_child(e, &mut |c| ok = ok && cut_walk(space, p, c, binders, cuts));
    ok
}

/// Every value `e` can take, when that is a short list: `e` reads no ordered, text or
/// free field, and its variables (if any) are rows of lists it reads columns of.
fn listed_values(space: &Space<'_>, p: usize, e: &Expr, binders: &[Option<u32>]) -> Option<Vec<Value>> {
    let fields = reads(space, p, e);
    if !fields.iter().all(|f| is_finite(space, *f)) {
        return None;
    }
    if let Some((level, path)) = local_chain(space, p, e) {
        let list = (*binders.get(level as usize)?)?;
        let policy = space.policies[p];
        let rows = policy.lists.get(list as usize)?.rows.len() as u32;
        return Some((0..rows).map(|r| super::rows::follow(policy, list, r, &path)).collect());
    }
    if !is_closed(e) {
        return None;
    }
    let dims = space.dims_of(&fields);
    let total = dims.iter().try_fold(1usize, |acc, d| acc.checked_mul(space.cells(*d)))?;
    if total > MAX_LISTED {
        return None;
    }
    let mut values = Vec::new();
    let base = space.case(p, &space.base_point());
    let mut case = base.clone();
    each_combination(space, p, &dims, &mut case, &mut |case| {
        let ev = &space.evals[p];
        let mut f = ev.frame(case);
        match ev.value_of(e, &mut f) {
            Ok(v) => {
                values.push(v);
                true
            }
            Err(_) => false,
        }
    })
    .then_some(values)
}

/// `%n.a.b`: a variable's row fields.
fn local_chain(space: &Space<'_>, p: usize, e: &Expr) -> Option<(u32, Vec<String>)> {
    match &e.kind {
        ExprKind::RowField { row, list, field } => {
            let name = space.policies[p].lists.get(*list as usize)?.fields.get(*field as usize)?.0.clone();
            let (level, mut path) = match &row.kind {
                ExprKind::Local(n) => (*n, Vec::new()),
                _ => local_chain(space, p, row)?,
            };
            path.push(name);
            Some((level, path))
        }
        _ => None,
    }
}

/// Calls `f` on the case with every combination of cell values of `dims` (whose fields
/// belong to policy `p`); stops and answers `false` as soon as `f` does.
fn each_combination(
    space: &Space<'_>,
    p: usize,
    dims: &[DimId],
    case: &mut Vec<Value>,
    f: &mut dyn FnMut(&[Value]) -> bool,
) -> bool {
    let Some((&d, rest)) = dims.split_first() else { return f(case) };
    for cell in 0..space.cells(d) as u32 {
        let saved = set_cell(space, p, d, cell, case);
        let ok = each_combination(space, p, rest, case, f);
        restore(space, p, d, saved, case);
        if !ok {
            return false;
        }
    }
    true
}

/// Puts cell `cell` of dimension `d` into the case; returns what was there.
fn set_cell(space: &Space<'_>, p: usize, d: DimId, cell: u32, case: &mut [Value]) -> Option<(usize, Value)> {
    let dim = &space.dims[d as usize];
    let c = &dim.cells[cell as usize];
    match dim.of {
        DimOf::Field(f) => {
            let slot = space.fields[f].slots[p]? as usize;
            let old = std::mem::replace(&mut case[slot], c.rep[p].clone());
            Some((slot, old))
        }
        DimOf::Bit(f, b) => {
            let slot = space.fields[f].slots[p]? as usize;
            let Domain::Bits { values, .. } = &space.fields[f].domain else { return None };
            let elem = values[b][p].clone();
            let mut items: Vec<Value> = match &case[slot] {
                Value::Set(items) => items.iter().filter(|v| **v != elem).cloned().collect(),
                _ => Vec::new(),
            };
            if c.kind == CellKind::Truth(true) {
                items.push(elem);
            }
            let old = std::mem::replace(&mut case[slot], Value::set(items));
            Some((slot, old))
        }
        DimOf::Term(_) => None,
    }
}

fn restore(_space: &Space<'_>, _p: usize, _d: DimId, saved: Option<(usize, Value)>, case: &mut [Value]) {
    if let Some((slot, old)) = saved {
        case[slot] = old;
    }
}

/// `T OP constant` where `T` reads the case in a way no cut can follow: `T` becomes a
/// dimension, cut at the constant.
fn term_plan(space: &mut Space<'_>, p: usize, e: &Expr) -> Option<Plan> {
    let ExprKind::Cmp(op, a, b) = &e.kind else { return None };
    let (term, constant, flipped) = if is_closed_constant(b) {
        (a, b, false)
    } else if is_closed_constant(a) {
        (b, a, true)
    } else {
        return None;
    };
    let sort = match &term.ty {
        Type::Int => Sort::Int,
        Type::Decimal => Sort::Dec,
        Type::Date => Sort::Date,
        Type::Text if matches!(op, CmpOp::Eq | CmpOp::Ne) => Sort::Text,
        _ => return None,
    };
    let value = evaluate(space, p, constant)?;
    let key = format!("term:{}", space.lets[p].canon(space.policies[p], term));
    let t = space.term(p, (**term).clone(), key, Some(sort));
    if space.terms[t].sort != Some(sort) {
        return None;
    }
    space.cut(DimOwner::Term(t), sort, &value);
    Some(Plan::Term { term: t, op: *op, value, flipped })
}

// ------------------------------------------------------------------ compiling

impl Compiler {
    /// The set of inputs where a form holds.
    pub fn compile(&mut self, space: &mut Space<'_>, mdd: &mut Mdd, f: &Form) -> NodeId {
        match f {
            Form::Const(b) => {
                if *b {
                    TRUE
                } else {
                    FALSE
                }
            }
            Form::And(a, b) => {
                let a = self.compile(space, mdd, a);
                if a == FALSE {
                    return FALSE;
                }
                let b = self.compile(space, mdd, b);
                mdd.and(a, b)
            }
            Form::Or(a, b) => {
                let a = self.compile(space, mdd, a);
                let b = self.compile(space, mdd, b);
                mdd.or(a, b)
            }
            Form::Not(a) => {
                let a = self.compile(space, mdd, a);
                mdd.not(a)
            }
            Form::Leaf(l) => self.leaf(space, mdd, l),
        }
    }

    fn leaf(&mut self, space: &mut Space<'_>, mdd: &mut Mdd, l: &Leaf) -> NodeId {
        let cache_key = (l.policy, l.key.clone());
        if let Some(&n) = self.leaf_nodes.get(&cache_key) {
            return n;
        }
        let node = match &l.plan {
            Plan::Const(b) => Some(if *b { TRUE } else { FALSE }),
            Plan::Exact { fields, cuts } => self.exact(space, mdd, l, fields, cuts),
            Plan::Term { term, op, value, flipped } => term_node(space, mdd, *term, *op, value, *flipped),
            Plan::Opaque(t) => Some(opaque_node(space, mdd, *t)),
        };
        // A leaf that could not be decided as planned (too many combinations, a cut that
        // did not hold, an error) becomes a yes/no dimension of its own.
        let node = node.unwrap_or_else(|| {
            let t = space.term(l.policy, l.expr.clone(), format!("undecided:{}", l.key), None);
            space.make_term_dims();
            opaque_node(space, mdd, t)
        });
        self.leaf_nodes.insert(cache_key, node);
        node
    }

    fn exact(
        &mut self,
        space: &Space<'_>,
        mdd: &mut Mdd,
        l: &Leaf,
        fields: &[FieldId],
        cuts: &HashMap<FieldId, Cuts>,
    ) -> Option<NodeId> {
        let p = l.policy;
        while self.base.len() <= p {
            let pi = self.base.len();
            self.base.push(space.case(pi, &space.base_point()));
        }
        let none = Cuts::default();
        let dims: Vec<(DimId, Pieces)> = space
            .dims_of(fields)
            .into_iter()
            .map(|d| {
                let own = match space.dims[d as usize].of {
                    DimOf::Field(f) => cuts.get(&f).unwrap_or(&none),
                    _ => &none,
                };
                (d, pieces(space, d, own))
            })
            .collect();
        let mut budget = MAX_LEAF_EVALS;
        let mut case = self.base[p].clone();
        build(space, mdd, l, &dims, &mut case, &mut budget)
    }
}

/// The diagram of an exact leaf over `dims` (Shannon expansion, one evaluation per
/// combination of pieces). For a stretch of an ordered field, its two ends are evaluated
/// as well and must give the same sub-diagram; otherwise `None`.
fn build(
    space: &Space<'_>,
    mdd: &mut Mdd,
    l: &Leaf,
    dims: &[(DimId, Pieces)],
    case: &mut Vec<Value>,
    budget: &mut usize,
) -> Option<NodeId> {
    let Some(((d, pieces), rest)) = dims.split_first() else {
        *budget = budget.checked_sub(1)?;
        let ev = &space.evals[l.policy];
        let mut f = ev.frame(case);
        // As the interpreter reads a condition: anything but `true` (an absent optional
        // bool included) does not hold.
        let v = ev.value_of(&l.expr, &mut f).ok()?;
        return Some(if v.as_bool() { TRUE } else { FALSE });
    };
    let d = *d;
    let mut at = |probe: Probe<'_>, case: &mut Vec<Value>, budget: &mut usize| {
        let saved = match probe {
            Probe::Cell(c) => set_cell(space, l.policy, d, c, case),
            Probe::Value(v) => set_value(space, l.policy, d, v.clone(), case),
        };
        let kid = build(space, mdd, l, rest, case, budget);
        restore(space, l.policy, d, saved, case);
        kid
    };
    let mut kids = Vec::with_capacity(pieces.probes.len());
    for probe in &pieces.probes {
        let kid = match probe {
            pieces::Probe::Cell(c) => at(Probe::Cell(*c), case, budget)?,
            pieces::Probe::Value { at: v, ends } => {
                let kid = at(Probe::Value(v), case, budget)?;
                for end in ends.iter().flat_map(|(lo, hi)| [lo, hi]) {
                    if at(Probe::Value(end), case, budget)? != kid {
                        return None;
                    }
                }
                kid
            }
        };
        kids.push(kid);
    }
    Some(mdd.node_runs(d, pieces.runs.iter().map(|&(end, p)| (end, kids[p]))))
}

/// What one evaluation of [`build`] puts into the case.
enum Probe<'v> {
    Cell(u32),
    Value(&'v Value),
}

fn set_value(space: &Space<'_>, p: usize, d: DimId, v: Value, case: &mut [Value]) -> Option<(usize, Value)> {
    let DimOf::Field(f) = space.dims[d as usize].of else { return None };
    let slot = space.fields[f].slots[p]? as usize;
    Some((slot, std::mem::replace(&mut case[slot], v)))
}

fn term_node(
    space: &Space<'_>,
    mdd: &mut Mdd,
    t: TermId,
    op: CmpOp,
    value: &Value,
    flipped: bool,
) -> Option<NodeId> {
    let d = space.terms[t].dim;
    let sort = space.terms[t].sort?;
    let test = |x: &Value| if flipped { compare(op, value, x) } else { compare(op, x, value) };
    let mut own = Cuts::default();
    own.add(sort, value);
    let pieces = pieces(space, d, &own);
    let cells = &space.dims[d as usize].cells;
    let mut kids = Vec::with_capacity(pieces.probes.len());
    for probe in &pieces.probes {
        let holds = match probe {
            pieces::Probe::Cell(c) => test(cells.get(*c as usize)?.rep.first()?),
            pieces::Probe::Value { at, ends } => {
                let holds = test(at);
                if ends.as_ref().is_some_and(|(lo, hi)| test(lo) != holds || test(hi) != holds) {
                    return None;
                }
                holds
            }
        };
        kids.push(if holds { TRUE } else { FALSE });
    }
    Some(mdd.node_runs(d, pieces.runs.iter().map(|&(end, p)| (end, kids[p]))))
}

fn opaque_node(space: &Space<'_>, mdd: &mut Mdd, t: TermId) -> NodeId {
    let d = space.terms[t].dim;
    mdd.cells(d, 2, |c| c == 1)
}
