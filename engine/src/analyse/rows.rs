//! Cells of a row-valued input field: rows that every condition sees alike share a cell.
//!
//! A condition reads a row field `申请.事项` only through chains of row fields
//! (`申请.事项.纳入方式`, `申请.事项.对应职责.清单类型`); two rows equal in every chain
//! any expression of the policies reads cannot be told apart by any condition, so one
//! stands for both. Where the row itself is compared (`申请.事项 == 退出申请.并入事项`
//! compares keys), every row is its own cell.

use std::collections::{BTreeSet, HashMap};

use crate::ir::visit::each_child;
use crate::ir::{Expr, ExprKind, Policy, SlotId, Type};
use crate::value::Value;

use super::space::{Cell, CellKind, Domain, FieldId, Space};

/// Per row field: the chains read from it, and whether it is used bare.
pub(crate) type RowPaths = HashMap<FieldId, (BTreeSet<Vec<String>>, bool)>;

pub(crate) fn row_paths(space: &Space<'_>) -> RowPaths {
    let mut out = RowPaths::new();
    for (pi, p) in space.policies.iter().enumerate() {
        let mut record = |slot: SlotId, path: Option<Vec<String>>| {
            let Some(&f) = space.slot_field[pi].get(slot as usize) else { return };
            if !matches!(space.fields[f].domain, Domain::Rows { .. }) {
                return;
            }
            let entry = out.entry(f).or_default();
            match path {
                Some(path) => {
                    entry.0.insert(path);
                }
                None => entry.1 = true,
            }
        };
        for e in p.exprs() {
            visit(p, e, &mut record);
        }
    }
    out
}

fn visit(p: &Policy, e: &Expr, record: &mut impl FnMut(SlotId, Option<Vec<String>>)) {
    if let Some((slot, path)) = chain(p, e) {
        record(slot, Some(path));
        return;
    }
    match &e.kind {
        // Presence does not tell rows apart: the absent value has a cell of its own.
        ExprKind::IsSome(x) if matches!(x.kind, ExprKind::Slot(_)) => {}
        ExprKind::Slot(s) => record(*s, None),
        _ => each_child(e, &mut |c| visit(p, c, record)),
    }
}

/// `slot.a.b` as (slot, ["a", "b"]).
fn chain(p: &Policy, e: &Expr) -> Option<(SlotId, Vec<String>)> {
    let ExprKind::RowField { row, list, field } = &e.kind else { return None };
    let name = p.lists.get(*list as usize)?.fields.get(*field as usize)?.0.clone();
    let (slot, mut path) = match &row.kind {
        ExprKind::Slot(s) => (*s, Vec::new()),
        _ => chain(p, row)?,
    };
    path.push(name);
    Some((slot, path))
}

/// The cells of row field `f` (its absent cell, if any, is made by the caller), and the
/// chains recorded in its domain for display.
pub(crate) fn row_cells(space: &mut Space<'_>, f: FieldId, paths: &RowPaths) -> Vec<Cell> {
    let (chains, bare) = paths.get(&f).cloned().unwrap_or_default();
    let chains: Vec<Vec<String>> = chains.into_iter().collect();
    let n = space.policies.len();
    let Domain::Rows { keys, rows, .. } = &space.fields[f].domain else { return Vec::new() };
    let mut classes: Vec<(Vec<Value>, Vec<usize>)> = Vec::new();
    let mut index: HashMap<Vec<Value>, usize> = HashMap::new();
    for (k, per) in rows.iter().enumerate() {
        let sig = if bare { vec![keys[k].clone()] } else { signature(space, f, per, &chains) };
        match index.get(&sig) {
            Some(&c) => classes[c].1.push(k),
            None => {
                index.insert(sig.clone(), classes.len());
                classes.push((sig, vec![k]));
            }
        }
    }
    let cells = classes
        .into_iter()
        .map(|(_, members)| {
            let first = &rows[members[0]];
            let rep = (0..n).map(|pi| first[pi].map_or(Value::None, Value::Row)).collect();
            Cell { rep, kind: CellKind::Class(members) }
        })
        .collect();
    if let Domain::Rows { paths, bare: is_bare, .. } = &mut space.fields[f].domain {
        *paths = chains;
        *is_bare = bare;
    }
    cells
}

/// The values of every chain for one key, in every policy that has the field.
fn signature(space: &Space<'_>, f: FieldId, per: &[Option<u32>], chains: &[Vec<String>]) -> Vec<Value> {
    let mut sig = Vec::new();
    for (pi, row) in per.iter().enumerate() {
        let (Some(row), Some(slot)) = (row, space.fields[f].slots[pi]) else { continue };
        let p = space.policies[pi];
        let Type::Row(list) = p.slots[slot as usize].ty.required() else { continue };
        for path in chains {
            sig.push(follow(p, *list, *row, path));
        }
    }
    sig
}

/// The value at `path` from row `row` of `list`.
pub(crate) fn follow(p: &Policy, list: u32, row: u32, path: &[String]) -> Value {
    follow_typed(p, list, row, path).0
}

/// The same, as a drafter writes it (enum values and rows by name).
pub(crate) fn follow_shown(p: &Policy, list: u32, row: u32, path: &[String]) -> String {
    let (v, ty) = follow_typed(p, list, row, path);
    super::findings::show(p, &v, &ty)
}

fn follow_typed(p: &Policy, mut list: u32, mut row: u32, path: &[String]) -> (Value, Type) {
    let mut value = (Value::None, Type::Bool);
    for (i, name) in path.iter().enumerate() {
        let Some(def) = p.lists.get(list as usize) else { return (Value::None, Type::Bool) };
        let Some(field) = def.fields.iter().position(|(n, _)| n == name) else {
            return (Value::None, Type::Bool);
        };
        let v = def.rows.get(row as usize).map_or(Value::None, |r| r[field].clone());
        value = (v, def.fields[field].1.clone());
        if i + 1 < path.len() {
            match (&value.0, def.fields[field].1.required()) {
                (Value::Row(r), Type::Row(l)) => (list, row) = (*l, *r),
                _ => return (Value::None, Type::Bool),
            }
        }
    }
    value
}
