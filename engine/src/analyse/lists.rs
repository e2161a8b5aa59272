//! The integrity of the lists themselves, decided before any case is run.
//!
//! Keys that repeat (E0119) and references to rows that do not exist (E0120) are errors
//! of the front end already. What a list must satisfy beyond that is policy: "a delegated
//! item has a supervising body", "an item on the withdrawn list is not delegated" are
//! written as `check`s (须 / 不得 over `每个 x 属于 清单`). A check that reads only lists
//! has one answer for every case, so the analyser evaluates it now, with the interpreter,
//! and reports every row that breaks it (W0407). It also reports two rows equal in every
//! field but the key (W0408), and constant keys in conditions that name no row (W0409):
//! `申请.部门 == "XQ-MZZ"` can never hold.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use smallvec::SmallVec;

use qingdan_dsl::syntax::ast::Modality;

use crate::eval::Evaluator;
use crate::ir::visit::walk;
use crate::ir::{CmpOp, Expr, ExprKind, ListId, Policy, Type};
use crate::value::Value;

use super::expr::Lets;
use super::findings::{Finding, FindingKind};
use super::space::Space;

pub(crate) fn findings(space: &Space<'_>) -> Vec<Finding> {
    let p = space.policies[0];
    let mut out = static_checks(p, &space.evals[0], &space.lets[0]);
    out.extend(duplicate_rows(p));
    out.extend(unknown_keys(p, &space.lets[0]));
    out
}

/// Whether a check reads no input field, directly or through lets.
fn reads_only_lists(c: &crate::ir::Check, lets: &Lets) -> bool {
    let mut only_lists = true;
    for e in c.exprs() {
        crate::ir::visit::each_read(e, &mut |r| match r {
            crate::ir::visit::Read::Slot(_) => only_lists = false,
            crate::ir::visit::Read::Let(l) => {
                only_lists &= lets.constant.get(l as usize).is_some_and(Option::is_some)
            }
            _ => {}
        });
    }
    only_lists
}

fn static_checks(p: &Policy, ev: &Evaluator<'_>, lets: &Lets) -> Vec<Finding> {
    let case = vec![Value::None; p.slots.len()];
    let mut out = Vec::new();
    for (i, c) in p.checks.iter().enumerate() {
        if c.modality == Modality::May || !reads_only_lists(c, lets) {
            continue;
        }
        let mut f = ev.frame(&case);
        let Ok(result) = ev.check(i as u32, &mut f) else { continue };
        if result.hits.is_empty() {
            continue;
        }
        let rows: Vec<u32> = result
            .hits
            .iter()
            .filter_map(|h| match h {
                Some(Value::Row(r)) => Some(*r),
                _ => None,
            })
            .collect();
        let span = first_row_span(p, c, &rows).unwrap_or(c.span);
        out.push(Finding {
            kind: FindingKind::ListCheck { check: i as u32, rows },
            decision: None,
            span,
            witness: None,
        });
    }
    out
}

/// Where the first offending row is written, if the check ranges over a list.
fn first_row_span(p: &Policy, c: &crate::ir::Check, rows: &[u32]) -> Option<qingdan_dsl::Span> {
    let ExprKind::ListRows(l) = c.scope.as_ref()?.over.kind else { return None };
    p.lists.get(l as usize)?.row_spans.get(*rows.first()? as usize).copied()
}

fn duplicate_rows(p: &Policy) -> Vec<Finding> {
    let mut out = Vec::new();
    for (l, list) in p.lists.iter().enumerate() {
        if list.fields.len() < 2 {
            continue;
        }
        // Rows by the hash of all their fields but the key, sorted: a list of 100,000 rows
        // costs 16 bytes a row, not a vector of references. Rows with one hash are
        // compared, each with the first of its kind before it.
        let hasher = FixedState::with_seed(0);
        let rest =
            |r: u32| list.rows[r as usize].iter().enumerate().filter(|(i, _)| *i != list.key).map(|(_, v)| v);
        let mut by_hash: Vec<(u64, u32)> = (0..list.rows.len() as u32)
            .map(|r| (hasher.hash_one(rest(r).collect::<SmallVec<[&Value; 16]>>()), r))
            .collect();
        by_hash.sort_unstable();
        let mut repeats = Vec::new();
        for group in by_hash.chunk_by(|a, b| a.0 == b.0) {
            let mut firsts: SmallVec<[u32; 1]> = SmallVec::new();
            for &(_, r) in group {
                match firsts.iter().find(|&&f| rest(f).eq(rest(r))) {
                    Some(&first) => repeats.push((r, first)),
                    None => firsts.push(r),
                }
            }
        }
        // Told in the order of the rows.
        repeats.sort_unstable();
        out.extend(repeats.into_iter().map(|(r, first)| Finding {
            kind: FindingKind::DuplicateRows { list: l as ListId, rows: [first, r] },
            decision: None,
            span: list.row_spans.get(r as usize).copied().unwrap_or(list.span),
            witness: None,
        }));
    }
    out
}

fn unknown_keys(p: &Policy, lets: &Lets) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in p.exprs() {
        walk(e, &mut |x| {
            for (list, key) in constant_keys(p, lets, x) {
                let Some(def) = p.lists.get(list as usize) else { continue };
                if !def.rows.iter().any(|r| r[def.key] == *key.0) {
                    out.push(Finding {
                        kind: FindingKind::UnknownKey { list, key: key.0.clone() },
                        decision: None,
                        span: key.1,
                        witness: None,
                    });
                }
            }
        });
    }
    out.sort_by_key(|f| f.span);
    out.dedup_by_key(|f| f.span);
    out
}

/// Constant keys `x` looks up in a list: `L["k"]`, `"k" in L`, and a row's key compared
/// with (or looked for in a set of) constants.
fn constant_keys<'e>(
    p: &Policy,
    lets: &'e Lets,
    x: &'e Expr,
) -> Vec<(ListId, (&'e Value, qingdan_dsl::Span))> {
    let constant = |e: &'e Expr| match &e.kind {
        ExprKind::Const(v) if *v != Value::None => Some((v, e.span)),
        // A parameter (`令 综合执法部门 = "LP-ZF"`) is a constant too.
        ExprKind::Let(l) => match lets.constant.get(*l as usize) {
            Some(Some(v)) if *v != Value::None => Some((v, e.span)),
            _ => None,
        },
        _ => None,
    };
    let key_of = |e: &Expr| match &e.kind {
        ExprKind::RowField { list, field, .. } => {
            let def = p.lists.get(*list as usize)?;
            (def.key == *field as usize).then_some(*list)
        }
        _ => None,
    };
    match &x.kind {
        ExprKind::Lookup { list, key } | ExprKind::HasKey { list, key } => {
            constant(key).map(|k| vec![(*list, k)]).unwrap_or_default()
        }
        ExprKind::Cmp(CmpOp::Eq | CmpOp::Ne, a, b) => [(a, b), (b, a)]
            .into_iter()
            .filter_map(|(row, k)| Some((key_of(row)?, constant(k)?)))
            .take(1)
            .collect(),
        ExprKind::In(a, set) => match (key_of(a), &set.kind) {
            (Some(list), ExprKind::SetOf(items)) => {
                items.iter().filter_map(constant).map(|k| (list, k)).collect()
            }
            (Some(list), ExprKind::Const(Value::Set(items))) if matches!(set.ty, Type::Set(_)) => {
                items.iter().map(|v| (list, (v, set.span))).collect()
            }
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}
