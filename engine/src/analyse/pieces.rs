//! The cells of one dimension that a leaf cannot tell apart, grouped.
//!
//! A field is cut at the constants of *every* condition on it, but one leaf (`x > 600`)
//! changes only at its own constants: between two of them it is constant, however many
//! other conditions cut the stretch further. So a leaf is evaluated once per group of
//! cells between its own constants (its *pieces*), and its diagram node gets one run per
//! piece. Evaluating it on every cell instead made a policy of n thresholds on one field
//! cost n² evaluations.

use crate::value::Value;

use super::mdd::DimId;
use super::space::{nice_in, unit_bounds, unit_value, CellKind, Cuts, DimOf, Domain, Sort, Space};

/// Where a piece is evaluated.
pub(crate) enum Probe {
    /// The cell itself (finite fields, set elements, an absent value).
    Cell(u32),
    /// A value inside the piece, and both ends when the piece is a stretch (they must
    /// give the same answer: a check that the constants really cut the leaf).
    Value { at: Value, ends: Option<(Value, Value)> },
}

pub(crate) struct Pieces {
    pub probes: Vec<Probe>,
    /// The cells in order as runs: `(end, probe)`, cells up to `end` (exclusive) taking
    /// the answer of `probes[probe]`. Pieces of texts are not contiguous: "any other text"
    /// is one probe for every run between the texts the leaf names.
    pub runs: Vec<(u32, usize)>,
}

/// The pieces of dimension `d` for a leaf whose own constants on it are `own`: every cell
/// alone unless `d` is ordered or text (a scalar field, or a term cut at constants).
pub(crate) fn pieces(space: &Space<'_>, d: DimId, own: &Cuts) -> Pieces {
    match sort_of(space, d) {
        Some(Sort::Text) => text_pieces(space, d, own),
        Some(sort) => ordered_pieces(space, d, sort, own),
        None => each_cell(space, d),
    }
}

fn sort_of(space: &Space<'_>, d: DimId) -> Option<Sort> {
    match space.dims[d as usize].of {
        DimOf::Field(f) => match space.fields[f].domain {
            Domain::Scalar(sort) => Some(sort),
            _ => None,
        },
        DimOf::Term(t) => space.terms[t].sort,
        DimOf::Bit(..) => None,
    }
}

fn each_cell(space: &Space<'_>, d: DimId) -> Pieces {
    let n = space.cells(d) as u32;
    Pieces { probes: (0..n).map(Probe::Cell).collect(), runs: (0..n).map(|c| (c + 1, c as usize)).collect() }
}

/// The absent cell, if the dimension has one (it comes first).
fn absent_piece(space: &Space<'_>, d: DimId) -> Pieces {
    let absent = space.dims[d as usize].cells.first().is_some_and(|c| c.kind == CellKind::Absent);
    match absent {
        true => Pieces { probes: vec![Probe::Cell(0)], runs: vec![(1, 0)] },
        false => Pieces { probes: Vec::new(), runs: Vec::new() },
    }
}

/// Stretches between the leaf's own cut points (each point a piece of its own), as
/// [`super::space`] cuts a field, each mapped onto the field's finer cells.
fn ordered_pieces(space: &Space<'_>, d: DimId, sort: Sort, own: &Cuts) -> Pieces {
    let mut out = absent_piece(space, d);
    let cells = &space.dims[d as usize].cells;
    let (min, max) = unit_bounds(sort);
    let mut add = |lo: i64, hi: i64| {
        // The first cell past the piece: the one after the cell holding `hi`.
        let end = cells.partition_point(|c| match c.kind {
            CellKind::Range(_, h) => h <= hi,
            _ => true,
        });
        let at = unit_value(sort, nice_in(sort, lo, hi));
        let ends = (lo < hi).then(|| (unit_value(sort, lo), unit_value(sort, hi)));
        out.runs.push((end as u32, out.probes.len()));
        out.probes.push(Probe::Value { at, ends });
    };
    let mut from = min;
    for &c in own.points.iter().filter(|c| (min..=max).contains(*c)) {
        if c > from {
            add(from, c - 1);
        }
        add(c, c);
        match c.checked_add(1) {
            Some(next) => from = next,
            None => return out,
        }
    }
    if from <= max {
        add(from, max);
    }
    out
}

/// Each text the leaf names is a piece; every other cell (texts named only by other
/// conditions, and any other text) is one piece, evaluated on "any other text".
fn text_pieces(space: &Space<'_>, d: DimId, own: &Cuts) -> Pieces {
    let mut out = absent_piece(space, d);
    let cells = &space.dims[d as usize].cells;
    let Some(other) = cells.iter().position(|c| c.kind == CellKind::OtherText) else {
        return each_cell(space, d);
    };
    let other_probe = out.probes.len();
    out.probes.push(Probe::Value { at: cells[other].rep[0].clone(), ends: None });
    let mut named: Vec<u32> = own
        .texts
        .iter()
        .filter_map(|t| space.value_cell(d, &Value::Text(t.clone())))
        .filter(|&c| c as usize != other)
        .collect();
    named.sort_unstable();
    named.dedup();
    let mut at = out.runs.last().map_or(0, |r| r.0);
    for c in named {
        if c > at {
            out.runs.push((c, other_probe));
        }
        out.runs.push((c + 1, out.probes.len()));
        out.probes.push(Probe::Cell(c));
        at = c + 1;
    }
    if (at as usize) < cells.len() {
        out.runs.push((cells.len() as u32, other_probe));
    }
    out
}
