//! The input space the analyser reasons over, shared by the one or two policies being
//! analysed (two for `diff`): each input field's domain, partitioned into cells.
//!
//! - Finite fields (bool, enum, list row, and optional versions) have one cell per value;
//!   rows that every condition sees alike (equal in all the row fields conditions read)
//!   share a cell, so a 10,000-row list read through one enum column has a few cells.
//! - Small sets (`set of` an enum, bool or short list) have one yes/no dimension per
//!   element.
//! - Ordered fields (int, decimal, date) and texts are cut at the constants the conditions
//!   compare them with (`space.cut`): every constant is a cell of its own and the stretches
//!   between are cells, so every such comparison is constant on every cell.
//! - Terms the analyser cannot see through (`月工作量分钟`, a product of two fields; a
//!   text function; an aggregate over an input set) get dimensions of their own, cut the
//!   same way, or yes/no for a condition (`compile.rs`). These are over-approximations:
//!   the term is treated as free, so regions involving it are only candidates until a
//!   concrete input is found for them (`witness.rs`).
//!
//! A point of the space ([`Point`]) is one cell per dimension plus concrete values for
//! ordered and text fields; it gives a case for each policy (enum values and rows are
//! matched by name and key between revisions).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use qingdan_dsl::Span;

use crate::eval::Evaluator;
use crate::ir::{Expr, Policy, SlotId, Type};
use crate::value::{Value, DECIMAL_SCALE};

use super::expr::Lets;
use super::mdd::DimId;
use super::prefer::Preference;

pub(crate) type FieldId = usize;
pub(crate) type TermId = usize;

/// Sets with more possible elements than this are not split per element.
const MAX_BITS: usize = 12;

/// Dates the interpreter keeps (years 0 to 9999), in days since 1970-01-01.
pub(crate) const DATE_MIN: i64 = -719_528;
pub(crate) const DATE_MAX: i64 = 2_932_896;
/// Witness dates are chosen near 2025-01-01 when nothing else decides.
pub(crate) const DATE_PIVOT: i64 = 20_089;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sort {
    Int,
    Dec,
    Date,
    Text,
}

pub(crate) struct Field {
    /// `申请.每月频次`
    pub name: String,
    /// The field's slot in each policy (`None` where the policy has no such field).
    pub slots: Vec<Option<SlotId>>,
    pub optional: bool,
    pub domain: Domain,
    pub dims: Vec<DimId>,
}

pub(crate) enum Domain {
    /// Bools and enums: the values every policy having the field knows (matched by name),
    /// shown names and, per value, the value in each policy.
    Finite {
        shown: Vec<String>,
        values: Vec<Vec<Value>>,
    },
    /// Rows of a list, matched by key; per key, the row in each policy. `paths`: the row
    /// fields conditions read (`["层级"]`, `["对应职责", "清单类型"]`), which decide
    /// which rows share a cell; `bare`: the row itself is compared, so none do.
    Rows {
        keys: Vec<Value>,
        rows: Vec<Vec<Option<u32>>>,
        paths: Vec<Vec<String>>,
        bare: bool,
    },
    Scalar(Sort),
    /// One yes/no dimension per possible element.
    Bits {
        shown: Vec<String>,
        values: Vec<Vec<Value>>,
    },
    /// A value the analyser does not split (a large set): one cell.
    Free,
}

pub(crate) enum DimOf {
    Field(FieldId),
    Bit(FieldId, usize),
    Term(TermId),
}

pub(crate) struct Dim {
    pub of: DimOf,
    pub cells: Vec<Cell>,
    /// The cells from the nicest for a witness ([`Space::prefer`]), worked out once.
    prefer: Preference,
}

impl Dim {
    fn new(of: DimOf, cells: Vec<Cell>) -> Dim {
        let prefer = Preference::new(&cells);
        Dim { of, cells, prefer }
    }
}

pub(crate) struct Cell {
    /// The value standing for the cell, per policy.
    pub rep: Vec<Value>,
    pub kind: CellKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CellKind {
    Absent,
    /// Index into the field's `Finite` values.
    Value(usize),
    /// Keys (indices into the field's `Rows` keys) that conditions cannot tell apart.
    Class(Vec<usize>),
    /// Inclusive, in the sort's unit (integers, decimals scaled by 10^6, days).
    Range(i64, i64),
    Text(Arc<str>),
    /// Any text other than the listed ones.
    OtherText,
    Any,
    /// Yes/no: a set element's presence, or a condition's value.
    Truth(bool),
}

/// What a term dimension stands for.
pub(crate) struct Term {
    pub policy: usize,
    /// Inlined (see `expr.rs`); a condition when `sort` is `None`.
    pub expr: Expr,
    /// Where it is written, for display.
    pub span: Span,
    pub sort: Option<Sort>,
    pub dim: DimId,
}

/// A point: a cell per dimension, and the concrete value of scalar and free fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Point {
    pub cells: Vec<u32>,
    pub values: Vec<Option<Value>>,
}

pub(crate) struct Space<'p> {
    pub policies: Vec<&'p Policy>,
    pub evals: Vec<Evaluator<'p>>,
    pub lets: Vec<Lets>,
    pub fields: Vec<Field>,
    pub dims: Vec<Dim>,
    pub terms: Vec<Term>,
    pub term_keys: HashMap<String, TermId>,
    /// Cut points of each scalar field and each value term, collected before cells are made.
    pub cuts: HashMap<DimOwner, Cuts>,
    /// Per policy: slot → field.
    pub slot_field: Vec<Vec<FieldId>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum DimOwner {
    Field(FieldId),
    Term(TermId),
}

#[derive(Default)]
pub(crate) struct Cuts {
    pub points: BTreeSet<i64>,
    pub texts: BTreeSet<Arc<str>>,
}

impl Cuts {
    /// Records a comparison of a value of `sort` with `v`.
    pub fn add(&mut self, sort: Sort, v: &Value) {
        match (sort, v) {
            (Sort::Text, Value::Text(t)) => {
                self.texts.insert(t.clone());
            }
            (Sort::Text, _) => {}
            (_, v) => self.points.extend(cut_points(sort, v)),
        }
    }
}

impl<'p> Space<'p> {
    /// The fields of `policies` and their finite domains. Row cells are grouped by the row
    /// fields the policies read (`row_paths`). Scalar fields get their cells in
    /// [`Space::make_cells`], once every cut is known.
    pub fn new(policies: Vec<&'p Policy>) -> Space<'p> {
        let evals: Vec<Evaluator<'p>> = policies.iter().map(|p| Evaluator::new(p)).collect();
        let lets = policies.iter().zip(&evals).map(|(p, ev)| Lets::new(p, ev)).collect();
        let mut space = Space {
            policies,
            evals,
            lets,
            fields: Vec::new(),
            dims: Vec::new(),
            terms: Vec::new(),
            term_keys: HashMap::new(),
            cuts: HashMap::new(),
            slot_field: Vec::new(),
        };
        space.match_fields();
        let paths = super::rows::row_paths(&space);
        for f in 0..space.fields.len() {
            space.add_field_dims(f, &paths);
        }
        space
    }

    pub fn n_policies(&self) -> usize {
        self.policies.len()
    }

    /// Fields matched by input name, path and type across the policies.
    fn match_fields(&mut self) {
        let n = self.policies.len();
        let mut by_key: HashMap<(String, String), FieldId> = HashMap::new();
        for (pi, p) in self.policies.iter().enumerate() {
            let mut map = Vec::with_capacity(p.slots.len());
            for (s, slot) in p.slots.iter().enumerate() {
                let input = p.inputs.get(slot.input as usize).map_or("?", |i| i.name.as_str());
                let name = format!("{input}.{}", slot.path.join("."));
                let key = (name.clone(), type_sig(p, &slot.ty));
                let f = *by_key.entry(key).or_insert_with(|| {
                    self.fields.push(Field {
                        name,
                        slots: vec![None; n],
                        optional: matches!(slot.ty, Type::Opt(_)),
                        domain: Domain::Free,
                        dims: Vec::new(),
                    });
                    self.fields.len() - 1
                });
                self.fields[f].slots[pi] = Some(s as SlotId);
                map.push(f);
            }
            self.slot_field.push(map);
        }
        for f in 0..self.fields.len() {
            self.fields[f].domain = self.domain_of(f);
        }
    }

    /// The type of field `f` in the first policy that has it.
    pub fn field_type(&self, f: FieldId) -> (usize, &Type) {
        let (pi, s) =
            self.fields[f].slots.iter().enumerate().find_map(|(pi, s)| s.map(|s| (pi, s))).unwrap_or((0, 0));
        (pi, &self.policies[pi].slots[s as usize].ty)
    }

    fn domain_of(&self, f: FieldId) -> Domain {
        let (pi, ty) = self.field_type(f);
        let optional = matches!(ty, Type::Opt(_));
        let ty = ty.required().clone();
        match &ty {
            Type::Bool => Domain::Finite {
                shown: bool_names(self.policies[pi]),
                values: vec![self.same(Value::Bool(false)), self.same(Value::Bool(true))],
            },
            Type::Int => Domain::Scalar(Sort::Int),
            Type::Decimal => Domain::Scalar(Sort::Dec),
            Type::Date => Domain::Scalar(Sort::Date),
            Type::Text => Domain::Scalar(Sort::Text),
            Type::Enum(_) => {
                let (shown, values) = self.common_values(f, &ty);
                Domain::Finite { shown, values }
            }
            Type::Row(_) => {
                let (keys, rows) = self.common_rows(f);
                Domain::Rows { keys, rows, paths: Vec::new(), bare: false }
            }
            Type::Set(inner) if !optional && !matches!(**inner, Type::Opt(_)) => {
                let (shown, values) = self.common_values(f, inner);
                if shown.is_empty() || shown.len() > MAX_BITS {
                    Domain::Free
                } else {
                    Domain::Bits { shown, values }
                }
            }
            _ => Domain::Free,
        }
    }

    fn same(&self, v: Value) -> Vec<Value> {
        vec![v; self.policies.len()]
    }

    /// The values of an element type that every policy having field `f` knows: (shown,
    /// per value the value in each policy). Empty when the type is not finite.
    fn common_values(&self, f: FieldId, ty: &Type) -> (Vec<String>, Vec<Vec<Value>>) {
        let (pi, _) = self.field_type(f);
        let p0 = self.policies[pi];
        let candidates: Vec<(String, Value)> = match ty {
            Type::Bool => bool_names(p0).into_iter().zip([Value::Bool(false), Value::Bool(true)]).collect(),
            Type::Enum(e) => p0.enums[*e as usize]
                .variants
                .iter()
                .enumerate()
                .map(|(i, v)| (v.name.clone(), Value::Enum(i as u32)))
                .collect(),
            Type::Row(l) => {
                let list = &p0.lists[*l as usize];
                if list.rows.len() > MAX_BITS {
                    return (Vec::new(), Vec::new());
                }
                list.rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (p0.show(&r[list.key], &Type::Text), Value::Row(i as u32)))
                    .collect()
            }
            _ => return (Vec::new(), Vec::new()),
        };
        let mut shown = Vec::new();
        let mut values = Vec::new();
        'each: for (name, v0) in candidates {
            let mut per = Vec::with_capacity(self.policies.len());
            for (pj, p) in self.policies.iter().enumerate() {
                let v = match (self.fields[f].slots[pj], pj == pi) {
                    (_, true) | (None, _) => Some(v0.clone()),
                    (Some(s), false) => value_by_name(p, elem_type(&p.slots[s as usize].ty, ty), &name),
                };
                match v {
                    Some(v) => per.push(v),
                    None => continue 'each,
                }
            }
            shown.push(name);
            values.push(per);
        }
        (shown, values)
    }

    /// Keys present in every policy that has field `f` (a row field), in the first one's
    /// order, with each policy's row.
    fn common_rows(&self, f: FieldId) -> (Vec<Value>, Vec<Vec<Option<u32>>>) {
        let lists: Vec<Option<(&crate::ir::ListDef, HashMap<&Value, u32>)>> = self
            .policies
            .iter()
            .enumerate()
            .map(|(pi, p)| {
                let s = self.fields[f].slots[pi]?;
                let Type::Row(l) = p.slots[s as usize].ty.required() else { return None };
                let list = &p.lists[*l as usize];
                let index = list.rows.iter().enumerate().map(|(i, r)| (&r[list.key], i as u32)).collect();
                Some((list, index))
            })
            .collect();
        let Some((first, _)) = lists.iter().flatten().next() else { return (Vec::new(), Vec::new()) };
        let mut keys = Vec::new();
        let mut rows = Vec::new();
        for row in &first.rows {
            let key = &row[first.key];
            let per: Vec<Option<u32>> =
                lists.iter().map(|l| l.as_ref().and_then(|(_, index)| index.get(key).copied())).collect();
            let everywhere = lists.iter().zip(&per).all(|(l, r)| l.is_none() || r.is_some());
            if everywhere {
                keys.push(key.clone());
                rows.push(per);
            }
        }
        (keys, rows)
    }

    fn add_field_dims(&mut self, f: FieldId, paths: &super::rows::RowPaths) {
        let optional = self.fields[f].optional;
        let n = self.policies.len();
        let mut cells: Vec<Cell> = Vec::new();
        if optional {
            cells.push(Cell { rep: vec![Value::None; n], kind: CellKind::Absent });
        }
        match &self.fields[f].domain {
            Domain::Finite { values, .. } => {
                for (i, v) in values.iter().enumerate() {
                    cells.push(Cell { rep: v.clone(), kind: CellKind::Value(i) });
                }
            }
            Domain::Rows { .. } => cells.extend(super::rows::row_cells(self, f, paths)),
            Domain::Bits { shown, .. } => {
                let n_bits = shown.len();
                for b in 0..n_bits {
                    let cells = [false, true]
                        .map(|t| Cell { rep: vec![Value::Bool(t); n], kind: CellKind::Truth(t) })
                        .into();
                    self.push_dim(DimOf::Bit(f, b), cells, f);
                }
                return;
            }
            // Scalar fields get their cells once every cut is known.
            Domain::Scalar(_) => return,
            Domain::Free => {
                let rep = if optional { Value::None } else { Value::set(Vec::new()) };
                cells = vec![Cell { rep: vec![rep; n], kind: CellKind::Any }];
            }
        }
        self.push_dim(DimOf::Field(f), cells, f);
    }

    fn push_dim(&mut self, of: DimOf, cells: Vec<Cell>, f: FieldId) {
        self.dims.push(Dim::new(of, cells));
        self.fields[f].dims.push((self.dims.len() - 1) as DimId);
    }

    /// Records that conditions compare scalar field or value term `owner` with `v`.
    pub fn cut(&mut self, owner: DimOwner, sort: Sort, v: &Value) {
        self.cuts.entry(owner).or_default().add(sort, v);
    }

    /// Cells of the scalar fields from their cuts (after every condition was looked at).
    pub fn make_field_cells(&mut self) {
        for f in 0..self.fields.len() {
            let Domain::Scalar(sort) = self.fields[f].domain else { continue };
            let cuts = self.cuts.remove(&DimOwner::Field(f)).unwrap_or_default();
            let mut cells = Vec::new();
            if self.fields[f].optional {
                cells.push(Cell { rep: vec![Value::None; self.policies.len()], kind: CellKind::Absent });
            }
            cells.extend(scalar_cells(sort, &cuts, self.policies.len()));
            self.push_dim(DimOf::Field(f), cells, f);
        }
    }

    /// A term dimension (cut like a scalar field) or a condition dimension (yes/no),
    /// shared by every policy whose expression has the same canonical text.
    pub fn term(&mut self, policy: usize, expr: Expr, key: String, sort: Option<Sort>) -> TermId {
        if let Some(&t) = self.term_keys.get(&key) {
            return t;
        }
        let span = expr.span;
        self.terms.push(Term { policy, expr, span, sort, dim: DimId::MAX });
        let t = self.terms.len() - 1;
        self.term_keys.insert(key, t);
        t
    }

    /// Dimensions for terms registered so far that have none yet.
    pub fn make_term_dims(&mut self) {
        let n = self.policies.len();
        for t in 0..self.terms.len() {
            if self.terms[t].dim != DimId::MAX {
                continue;
            }
            let cells = match self.terms[t].sort {
                None => [false, true]
                    .map(|b| Cell { rep: vec![Value::Bool(b); n], kind: CellKind::Truth(b) })
                    .into(),
                Some(sort) => {
                    let cuts = self.cuts.remove(&DimOwner::Term(t)).unwrap_or_default();
                    scalar_cells(sort, &cuts, n)
                }
            };
            self.dims.push(Dim::new(DimOf::Term(t), cells));
            self.terms[t].dim = (self.dims.len() - 1) as DimId;
        }
    }

    /// The dimensions of a field, of several fields, sorted.
    pub fn dims_of(&self, fields: &[FieldId]) -> Vec<DimId> {
        let mut dims: Vec<DimId> = fields.iter().flat_map(|f| self.fields[*f].dims.iter().copied()).collect();
        dims.sort_unstable();
        dims.dedup();
        dims
    }

    /// Whether no input can be given at all (a field with no possible value: a required
    /// row of an empty list, an enum whose values no two revisions share).
    pub fn is_empty(&self) -> bool {
        self.dims.iter().any(|d| d.cells.is_empty())
    }

    pub fn cells(&self, d: DimId) -> usize {
        self.dims[d as usize].cells.len()
    }

    /// The preferred point: the nicest cell of every dimension (absent for optional
    /// fields, zero for numbers), no concrete values yet.
    pub fn base_point(&self) -> Point {
        // A dimension without cells (a required row of an empty list) can hold no input;
        // cell 0 of it stands for nothing and reads as absent.
        let cells =
            (0..self.dims.len() as DimId).map(|d| self.prefer(d).first().copied().unwrap_or(0)).collect();
        Point { cells, values: vec![None; self.fields.len()] }
    }

    /// Cells of `d` from the nicest for a witness: absent first, then numbers near zero
    /// (dates near 2025), then in order.
    pub fn prefer(&self, d: DimId) -> &[u32] {
        self.dims[d as usize].prefer.order()
    }

    /// The first cell in [`Space::prefer`]'s order among `runs` of cells of `d`.
    pub fn best_in(&self, d: DimId, runs: &[std::ops::Range<u32>]) -> Option<u32> {
        self.dims[d as usize].prefer.best(runs)
    }

    /// The case a point gives in policy `p`.
    pub fn case(&self, p: usize, pt: &Point) -> Vec<Value> {
        let policy = self.policies[p];
        let mut case = vec![Value::None; policy.slots.len()];
        for (s, value) in case.iter_mut().enumerate() {
            let f = self.slot_field[p][s];
            *value = self.field_value(p, f, pt);
        }
        case
    }

    /// The value of field `f` at the point, in the first policy that has it.
    pub fn case_value(&self, f: FieldId, pt: &Point) -> Option<Value> {
        let p = self.fields[f].slots.iter().position(Option::is_some)?;
        Some(self.field_value(p, f, pt))
    }

    fn field_value(&self, p: usize, f: FieldId, pt: &Point) -> Value {
        let field = &self.fields[f];
        if let Some(v) = &pt.values[f] {
            return v.clone();
        }
        match &field.domain {
            Domain::Bits { values, .. } => {
                let present = field.dims.iter().enumerate().filter(|(_, d)| {
                    let cell = self.dims[**d as usize].cells.get(pt.cells[**d as usize] as usize);
                    cell.is_some_and(|c| c.kind == CellKind::Truth(true))
                });
                Value::set(present.map(|(b, _)| values[b][p].clone()).collect())
            }
            _ => {
                let Some(&d) = field.dims.first() else { return Value::None };
                let cell = self.dims[d as usize].cells.get(pt.cells[d as usize] as usize);
                cell.and_then(|c| c.rep.get(p).cloned()).unwrap_or_default()
            }
        }
    }

    /// The point of a case of policy `p`; `None` when a value lies outside the shared
    /// domain (an enum value or row another revision does not have).
    pub fn point_of(&self, p: usize, case: &[Value]) -> Option<Point> {
        let mut pt = self.base_point();
        for (s, v) in case.iter().enumerate() {
            let f = *self.slot_field[p].get(s)?;
            let field = &self.fields[f];
            match &field.domain {
                Domain::Scalar(_) | Domain::Free => pt.values[f] = Some(v.clone()),
                Domain::Bits { values, .. } => {
                    let Value::Set(items) = v else { return None };
                    if items.iter().any(|i| !values.iter().any(|e| e[p] == *i)) {
                        return None;
                    }
                    for (b, d) in field.dims.iter().enumerate() {
                        pt.cells[*d as usize] = u32::from(items.contains(&values[b][p]));
                    }
                }
                _ => {
                    let d = *field.dims.first()?;
                    pt.cells[d as usize] = self.finite_cell(p, f, d, v)?;
                }
            }
        }
        for f in 0..self.fields.len() {
            if let (Some(v), Some(&d)) = (&pt.values[f], self.fields[f].dims.first()) {
                if let Domain::Scalar(_) = self.fields[f].domain {
                    pt.cells[d as usize] = self.value_cell(d, v)?;
                }
            }
        }
        Some(pt)
    }

    fn finite_cell(&self, p: usize, f: FieldId, d: DimId, v: &Value) -> Option<u32> {
        let cells = &self.dims[d as usize].cells;
        let find =
            |want: &dyn Fn(&CellKind) -> bool| cells.iter().position(|c| want(&c.kind)).map(|c| c as u32);
        if *v == Value::None {
            return find(&|k| *k == CellKind::Absent);
        }
        match &self.fields[f].domain {
            Domain::Finite { values, .. } => {
                let i = values.iter().position(|per| per[p] == *v)?;
                find(&|k| *k == CellKind::Value(i))
            }
            Domain::Rows { rows, .. } => {
                let Value::Row(r) = v else { return None };
                let k = rows.iter().position(|per| per[p] == Some(*r))?;
                find(&|kind| matches!(kind, CellKind::Class(keys) if keys.contains(&k)))
            }
            Domain::Free => Some(0),
            _ => None,
        }
    }

    /// The cell of scalar dimension `d` holding `v` (a field's or a term's value). The
    /// cells are in order (absent, stretches or listed texts, any other text), so this is
    /// a binary search.
    pub fn value_cell(&self, d: DimId, v: &Value) -> Option<u32> {
        let cells = &self.dims[d as usize].cells;
        let absent = usize::from(cells.first().is_some_and(|c| c.kind == CellKind::Absent));
        let rest = &cells[absent..];
        let at = match v {
            Value::None => (absent == 1).then_some(0),
            Value::Int(_) | Value::Dec(_) | Value::Date(_) => {
                let x = match v {
                    Value::Date(x) => i64::from(*x),
                    Value::Int(x) | Value::Dec(x) => *x,
                    _ => return None,
                };
                let i = rest.partition_point(|c| matches!(c.kind, CellKind::Range(_, hi) if hi < x));
                rest.get(i).and_then(|c| match c.kind {
                    CellKind::Range(lo, hi) => (lo <= x && x <= hi).then_some(absent + i),
                    _ => None,
                })
            }
            Value::Text(x) => {
                let texts = rest.partition_point(|c| matches!(c.kind, CellKind::Text(_)));
                let listed = rest[..texts].binary_search_by(|c| match &c.kind {
                    CellKind::Text(t) => (**t).cmp(&**x),
                    _ => std::cmp::Ordering::Less,
                });
                match listed {
                    Ok(i) => Some(absent + i),
                    Err(_) => rest.iter().position(|c| c.kind == CellKind::OtherText).map(|i| absent + i),
                }
            }
            _ => None,
        };
        at.map(|c| c as u32)
    }
}

/// The element type of a set field's type (or the type itself).
fn elem_type<'t>(ty: &'t Type, fallback: &'t Type) -> &'t Type {
    match ty.required() {
        Type::Set(inner) => inner,
        Type::Enum(_) | Type::Bool | Type::Row(_) => ty.required(),
        _ => fallback,
    }
}

fn value_by_name(p: &Policy, ty: &Type, name: &str) -> Option<Value> {
    match ty {
        Type::Bool => bool_names(p).iter().position(|n| n == name).map(|i| Value::Bool(i == 1)),
        Type::Enum(e) => {
            p.enums[*e as usize].variants.iter().position(|v| v.name == name).map(|i| Value::Enum(i as u32))
        }
        Type::Row(l) => {
            let list = &p.lists[*l as usize];
            list.rows
                .iter()
                .position(|r| p.show(&r[list.key], &Type::Text) == name)
                .map(|i| Value::Row(i as u32))
        }
        _ => None,
    }
}

fn bool_names(p: &Policy) -> Vec<String> {
    match p.lang {
        qingdan_dsl::Lang::Zh => vec!["假".into(), "真".into()],
        qingdan_dsl::Lang::En => vec!["false".into(), "true".into()],
    }
}

/// A type's shape with names, to match fields across revisions.
fn type_sig(p: &Policy, t: &Type) -> String {
    match t {
        Type::Enum(_) => "enum".into(),
        Type::Row(l) => format!("row:{}", p.lists[*l as usize].name),
        Type::Set(inner) => format!("set:{}", type_sig(p, inner)),
        Type::Opt(inner) => format!("{}?", type_sig(p, inner)),
        other => format!("{other:?}"),
    }
}

/// Points that must be cells of their own for comparisons with `v` to be constant on
/// every cell of a field of `sort`. An int compared with a decimal is cut at both
/// neighbours, and where converting it to a decimal would overflow.
pub(crate) fn cut_points(sort: Sort, v: &Value) -> Vec<i64> {
    let s = DECIMAL_SCALE;
    match (sort, v) {
        (Sort::Int, Value::Int(x)) | (Sort::Dec, Value::Dec(x)) => vec![*x],
        (Sort::Int, Value::Dec(d)) => {
            vec![d.div_euclid(s), d.div_euclid(s) + 1, i64::MAX / s, -(i64::MAX / s)]
        }
        (Sort::Dec, Value::Int(x)) => x.checked_mul(s).map_or_else(Vec::new, |x| vec![x]),
        (Sort::Date, Value::Date(d)) => vec![i64::from(*d)],
        _ => Vec::new(),
    }
}

pub(crate) fn unit_bounds(sort: Sort) -> (i64, i64) {
    match sort {
        Sort::Date => (DATE_MIN, DATE_MAX),
        _ => (i64::MIN, i64::MAX),
    }
}

pub(crate) fn unit_value(sort: Sort, x: i64) -> Value {
    match sort {
        Sort::Int => Value::Int(x),
        Sort::Dec => Value::Dec(x),
        Sort::Date => Value::Date(x.clamp(DATE_MIN, DATE_MAX) as i32),
        Sort::Text => Value::Int(x),
    }
}

/// The value of `[lo, hi]` a reader would pick: zero if inside, a whole number for
/// decimals, the day nearest 2025-01-01 for dates, else the end nearest zero.
pub(crate) fn nice_in(sort: Sort, lo: i64, hi: i64) -> i64 {
    let pivot = if sort == Sort::Date { DATE_PIVOT } else { 0 };
    let nearest = pivot.clamp(lo, hi);
    if sort != Sort::Dec || nearest % DECIMAL_SCALE == 0 {
        return nearest;
    }
    let up = nearest.div_euclid(DECIMAL_SCALE).saturating_add(1).saturating_mul(DECIMAL_SCALE);
    let down = nearest.div_euclid(DECIMAL_SCALE).saturating_mul(DECIMAL_SCALE);
    [down, up]
        .into_iter()
        .filter(|x| lo <= *x && *x <= hi)
        .min_by_key(|x| x.abs_diff(pivot))
        .unwrap_or(nearest)
}

fn scalar_cells(sort: Sort, cuts: &Cuts, n: usize) -> Vec<Cell> {
    if sort == Sort::Text {
        let mut cells: Vec<Cell> = cuts
            .texts
            .iter()
            .map(|t| Cell { rep: vec![Value::Text(t.clone()); n], kind: CellKind::Text(t.clone()) })
            .collect();
        let other = other_text(&cuts.texts);
        cells.push(Cell { rep: vec![Value::Text(other); n], kind: CellKind::OtherText });
        return cells;
    }
    let (min, max) = unit_bounds(sort);
    let mut cells = Vec::new();
    let mut push = |lo: i64, hi: i64| {
        if lo <= hi {
            let rep = unit_value(sort, nice_in(sort, lo, hi));
            cells.push(Cell { rep: vec![rep; n], kind: CellKind::Range(lo, hi) });
        }
    };
    let mut from = min;
    for &c in cuts.points.iter().filter(|c| (min..=max).contains(*c)) {
        if c > from {
            push(from, c - 1);
        }
        push(c, c);
        match c.checked_add(1) {
            Some(next) => from = next,
            None => return cells,
        }
    }
    push(from, max);
    cells
}

/// A text different from every cut: what "any other text" is shown and tried as.
fn other_text(cuts: &BTreeSet<Arc<str>>) -> Arc<str> {
    (0..)
        .map(|i| if i == 0 { "其他".to_string() } else { format!("其他{i}") })
        .find(|t| !cuts.contains(t.as_str()))
        .map(Arc::from)
        .unwrap_or_else(|| Arc::from(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_make_each_constant_a_cell() {
        let mut cuts = Cuts::default();
        cuts.points.extend([5, 6, 10]);
        let cells = scalar_cells(Sort::Int, &cuts, 1);
        let kinds: Vec<_> = cells.iter().map(|c| c.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                CellKind::Range(i64::MIN, 4),
                CellKind::Range(5, 5),
                CellKind::Range(6, 6),
                CellKind::Range(7, 9),
                CellKind::Range(10, 10),
                CellKind::Range(11, i64::MAX),
            ]
        );
        assert_eq!(cells[0].rep, vec![Value::Int(0)]);
        assert_eq!(cells[5].rep, vec![Value::Int(11)]);
    }

    #[test]
    fn ints_compared_with_decimals_are_cut_on_both_sides() {
        assert_eq!(cut_points(Sort::Int, &Value::Dec(10_500_000))[..2], [10, 11]);
        assert_eq!(cut_points(Sort::Int, &Value::Dec(-500_000))[..2], [-1, 0]);
        assert_eq!(nice_in(Sort::Dec, 10_000_001, i64::MAX), 11_000_000);
    }
}
