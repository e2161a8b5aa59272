//! Concrete inputs for regions.
//!
//! A region built only from exact leaves holds every input of each of its cells, so the
//! cell values themselves are a witness. A region that involves a term or an opaque
//! condition is only a candidate: a point of it is an input only if the terms really take
//! the values the region asks for. The search below tries values inside the region's
//! cells (ends, constants the terms mention, small numbers, texts of list rows) and keeps
//! the first input whose *evaluated* terms put it inside the region; every witness is then
//! replayed by the caller through the interpreter before anything is claimed.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::ir::{ExprKind, Type};
use crate::value::{Value, DECIMAL_SCALE};

use super::mdd::{CellSet, DimId, Mdd, NodeId, FALSE};
use super::space::{unit_value, CellKind, DimOf, Domain, FieldId, Point, Sort, Space};

/// Boxes of a region tried, restarts per box, steps per climb, random changes tried per
/// field and step, and evaluations of the score per search.
const BOXES: usize = 12;
const RESTARTS: usize = 2;
const STEPS: usize = 80;
const MOVES_PER_FIELD: usize = 4;
const EVALS: usize = 24_000;
const EVALS_PER_CLIMB: usize = 2_000;
/// Cells of one field whose values are offered to the search.
const MAX_CELLS_TRIED: usize = 256;

/// The cell of dimension `d` the input `pt` is in; `None` if a term cannot be evaluated.
pub(crate) fn cell_at(space: &Space<'_>, pt: &Point, d: DimId) -> Option<u32> {
    let dim = &space.dims[d as usize];
    match dim.of {
        DimOf::Field(f) => match (&space.fields[f].domain, &pt.values[f]) {
            (Domain::Scalar(_), Some(v)) => space.value_cell(d, v),
            _ => Some(pt.cells[d as usize]),
        },
        DimOf::Bit(..) => Some(pt.cells[d as usize]),
        DimOf::Term(t) => {
            let term = &space.terms[t];
            let case = space.case(term.policy, pt);
            let ev = &space.evals[term.policy];
            let mut f = ev.frame(&case);
            let v = ev.value_of(&term.expr, &mut f).ok()?;
            match term.sort {
                None => Some(u32::from(v == Value::Bool(true))),
                Some(_) => space.value_cell(d, &v),
            }
        }
    }
}

/// Whether the input `pt` lies in region `n` (terms evaluated, not assumed).
pub(crate) fn contains(space: &Space<'_>, mdd: &Mdd, n: NodeId, pt: &Point) -> bool {
    mdd.contains(n, |d| cell_at(space, pt, d))
}

/// An input in region `n` for which `accept` holds, if one is found.
pub(crate) fn find(
    space: &Space<'_>,
    mdd: &Mdd,
    n: NodeId,
    accept: &mut dyn FnMut(&Point) -> bool,
) -> Option<Point> {
    if n == FALSE || space.is_empty() {
        return None;
    }
    let preferred = mdd.pick(n, |d, runs| space.best_in(d, runs));
    let (boxes, _) = mdd.boxes(n, BOXES);
    let boxes = preferred
        .map(|p| p.into_iter().map(|(d, c)| (d, CellSet::one(c))).collect())
        .into_iter()
        .chain(boxes);
    let pool = Pool::new(space);
    let mut search = Search { space, rng: Rng(0x9E37_79B9_7F4A_7C15), budget: 0, spare: EVALS };
    for bx in boxes {
        let start = start_point(space, &bx);
        if contains(space, mdd, n, &start) && accept(&start) {
            return Some(start);
        }
        let targets: Vec<(DimId, &CellSet)> = bx
            .iter()
            .filter(|(d, _)| matches!(space.dims[*d as usize].of, DimOf::Term(_)))
            .map(|(d, cells)| (*d, cells))
            .collect();
        if targets.is_empty() {
            continue; // an exact box: its point is the witness, and it was not accepted
        }
        let fields = term_fields(space, targets.iter().map(|t| t.0));
        let choices: Vec<Vec<Choice>> = fields.iter().map(|f| pool.choices(space, *f, &bx)).collect();
        // Which of `fields` each target reads: only those are moved while it is missed.
        let reads: Vec<Vec<usize>> = targets
            .iter()
            .map(|t| {
                let own = term_fields(space, std::iter::once(t.0));
                fields.iter().enumerate().filter(|(_, f)| own.contains(f)).map(|(i, _)| i).collect()
            })
            .collect();
        for restart in 0..RESTARTS {
            if search.spare == 0 {
                return None;
            }
            search.budget = search.spare.min(EVALS_PER_CLIMB);
            search.spare -= search.budget;
            // First the nicest values, then small non-zero ones (a product of zeros cannot
            // be moved one factor at a time), then random ones.
            let mut pt = start.clone();
            for options in &choices {
                let i = match restart {
                    0 => None,
                    1 => options.iter().position(|c| c.is_nonzero()),
                    _ => Some(search.rng.below(options.len())),
                };
                if let Some(c) = i.and_then(|i| options.get(i)) {
                    c.apply(&mut pt);
                }
            }
            let found = search.climb(&targets, &reads, &choices, pt);
            let Some(found) = found else { continue };
            if contains(space, mdd, n, &found) && accept(&found) {
                return Some(found);
            }
        }
    }
    None
}

/// The point with the nicest cell of each dimension a box allows.
fn start_point(space: &Space<'_>, bx: &[(DimId, CellSet)]) -> Point {
    let mut pt = space.base_point();
    for (d, cells) in bx {
        if let Some(c) = space.best_in(*d, cells.runs()) {
            pt.cells[*d as usize] = c;
        }
    }
    pt
}

/// Hill climbing towards a point whose terms fall in the cells a box asks for: the score
/// is how far each term's value is from its allowed cells; each step takes the best of a
/// few changes to one field (neighbouring numbers, pool values, other cells).
struct Search<'s, 'p> {
    space: &'s Space<'p>,
    rng: Rng,
    /// Evaluations of the score left for the climb at hand.
    budget: usize,
    /// Evaluations left for the whole search.
    spare: usize,
}

impl Search<'_, '_> {
    /// `reads[t]`: the positions in `choices` of the fields target `t` reads. In the manner
    /// of WalkSAT: each step takes a missed target at random and the change to one of its
    /// fields that leaves fewest targets missed (then: brings it closest); now and then,
    /// any change that brings it closer, so that coupled targets (`经费 ≥ 6 × 工作量`
    /// while `工作量` must grow) can be broken and mended in turn.
    fn climb(
        &mut self,
        targets: &[(DimId, &CellSet)],
        reads: &[Vec<usize>],
        choices: &[Vec<Choice>],
        mut pt: Point,
    ) -> Option<Point> {
        let mut scores = self.scores(targets, &pt)?;
        for _ in 0..STEPS {
            let missed: Vec<usize> = (0..targets.len()).filter(|t| scores[*t] > 0).collect();
            if missed.is_empty() {
                return Some(pt);
            }
            let t = missed[self.rng.below(missed.len())];
            let mut options: Vec<(usize, u128, Vec<u128>, Point)> = Vec::new();
            for &i in &reads[t] {
                for c in self.moves(&choices[i], &pt) {
                    let mut trial = pt.clone();
                    c.apply(&mut trial);
                    let s = self.scores(targets, &trial)?;
                    let broken = s.iter().filter(|x| **x > 0).count();
                    options.push((broken, s[t], s, trial));
                }
            }
            let noise = self.rng.below(10) < 3;
            let pick = if noise {
                let closer: Vec<usize> = (0..options.len()).filter(|i| options[*i].1 < scores[t]).collect();
                closer.get(self.rng.below(closer.len())).copied()
            } else {
                (0..options.len()).min_by_key(|i| (options[*i].0, options[*i].1))
            };
            let Some(i) = pick else { continue };
            let (_, _, s, p) = options.swap_remove(i);
            (scores, pt) = (s, p);
        }
        None
    }

    /// Candidate changes to one field: numbers next to its value, and a few options.
    fn moves(&mut self, options: &[Choice], pt: &Point) -> Vec<Choice> {
        let mut out: Vec<Choice> = Vec::new();
        if let Some(Choice::Value(f, _)) = options.first() {
            let f = *f;
            let field = &self.space.fields[f];
            if let (Domain::Scalar(sort), Some(&d)) = (&field.domain, field.dims.first()) {
                if let Some(x) = self.space.case_value(f, pt).as_ref().and_then(unit_of) {
                    // Days move by days, weeks, months and years; numbers also by factors.
                    let near: Vec<i64> = if *sort == Sort::Date {
                        [1, -1, 7, -7, 30, -30, 365, -365].iter().map(|d| x.saturating_add(*d)).collect()
                    } else {
                        let unit = if *sort == Sort::Dec { crate::value::DECIMAL_SCALE } else { 1 };
                        let mut near: Vec<i64> = [1, 10, 100, 1_000]
                            .iter()
                            .flat_map(|k| [x.saturating_add(k * unit), x.saturating_sub(k * unit)])
                            .collect();
                        let size = x.abs().max(unit);
                        near.extend([
                            x.saturating_add(size),
                            x / 2,
                            x.saturating_add(size.saturating_mul(9)),
                        ]);
                        near
                    };
                    for y in near {
                        let v = unit_value(*sort, y);
                        if allowed_value(self.space, options, d, &v) {
                            out.push(Choice::Value(f, v));
                        }
                    }
                }
            }
        }
        for _ in 0..MOVES_PER_FIELD {
            if let Some(c) = options.get(self.rng.below(options.len())) {
                out.push(c.clone());
            }
        }
        out
    }

    /// How far each of the point's terms is from the cells wanted (0: inside); `None`
    /// when the budget is spent.
    fn scores(&mut self, targets: &[(DimId, &CellSet)], pt: &Point) -> Option<Vec<u128>> {
        self.budget = self.budget.checked_sub(1)?;
        Some(targets.iter().map(|(d, allowed)| distance(self.space, pt, *d, allowed)).collect())
    }
}

/// How far term `d`'s value at `pt` is from the `allowed` cells.
fn distance(space: &Space<'_>, pt: &Point, d: DimId, allowed: &CellSet) -> u128 {
    const MISS: u128 = 1 << 80;
    let DimOf::Term(t) = space.dims[d as usize].of else { return 0 };
    let term = &space.terms[t];
    let case = space.case(term.policy, pt);
    let ev = &space.evals[term.policy];
    let mut f = ev.frame(&case);
    let Ok(v) = ev.value_of(&term.expr, &mut f) else { return MISS };
    let Some(cell) = (match term.sort {
        None => Some(u32::from(v == Value::Bool(true))),
        Some(_) => space.value_cell(d, &v),
    }) else {
        return MISS;
    };
    if allowed.contains(cell) {
        return 0;
    }
    if term.sort.is_none() {
        return comparison_gap(space, term, &case).unwrap_or(MISS);
    }
    let Some(x) = unit_of(&v) else { return MISS };
    // Stretches are in order, so a run of them is one stretch from its first to its last.
    let cells = &space.dims[d as usize].cells;
    let stretch = |r: &std::ops::Range<u32>| {
        let lo = (r.start..r.end).find_map(|c| match cells[c as usize].kind {
            CellKind::Range(lo, _) => Some(lo),
            _ => None,
        })?;
        match cells[r.end as usize - 1].kind {
            CellKind::Range(_, hi) => Some((lo, hi)),
            _ => None,
        }
    };
    allowed
        .runs()
        .iter()
        .filter_map(stretch)
        .map(|(lo, hi)| if x < lo { lo.abs_diff(x) } else { x.abs_diff(hi) })
        .min()
        .map_or(MISS, u128::from)
}

/// For a condition comparing two numbers that has the wrong truth: how far apart its
/// sides are (plus one), so that the search can walk towards flipping it.
fn comparison_gap(space: &Space<'_>, term: &super::space::Term, case: &[Value]) -> Option<u128> {
    let ExprKind::Cmp(_, a, b) = &term.expr.kind else { return None };
    let ev = &space.evals[term.policy];
    let mut f = ev.frame(case);
    let x = ev.value_of(a, &mut f).ok()?.as_scaled()?;
    let y = ev.value_of(b, &mut f).ok()?.as_scaled()?;
    Some(u128::from(x.abs_diff(y)) + 1)
}

/// A number in its unit (integers, scaled decimals, days).
fn unit_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(x) | Value::Dec(x) => Some(*x),
        Value::Date(d) => Some(i64::from(*d)),
        _ => None,
    }
}

/// Whether `v` lies in a cell some option of the field lies in.
fn allowed_value(space: &Space<'_>, options: &[Choice], d: DimId, v: &Value) -> bool {
    let Some(cell) = space.value_cell(d, v) else { return false };
    options.iter().any(|c| match c {
        Choice::Value(_, o) => space.value_cell(d, o) == Some(cell),
        Choice::Cell(..) => false,
    })
}

/// One way to set a field of a point: a concrete value (ordered, text and free fields),
/// or a cell (finite fields and set elements).
#[derive(Clone)]
enum Choice {
    Value(FieldId, Value),
    Cell(DimId, u32),
}

impl Choice {
    /// A number other than zero (or any cell).
    fn is_nonzero(&self) -> bool {
        match self {
            Choice::Value(_, v) => unit_of(v).is_some_and(|x| x != 0),
            Choice::Cell(..) => false,
        }
    }

    fn apply(&self, pt: &mut Point) {
        match self {
            Choice::Value(f, v) => pt.values[*f] = Some(v.clone()),
            Choice::Cell(d, c) => pt.cells[*d as usize] = *c,
        }
    }
}

/// The fields read by the term dimensions `dims`: the ones worth varying.
fn term_fields(space: &Space<'_>, dims: impl Iterator<Item = DimId>) -> Vec<FieldId> {
    let mut fields = BTreeSet::new();
    for d in dims {
        if let DimOf::Term(t) = space.dims[d as usize].of {
            let term = &space.terms[t];
            crate::ir::visit::walk(&term.expr, &mut |x| {
                if let ExprKind::Slot(s) = x.kind {
                    if let Some(&f) = space.slot_field[term.policy].get(s as usize) {
                        fields.insert(f);
                    }
                }
            });
        }
    }
    fields.into_iter().collect()
}

/// Values worth trying: constants of the policies' expressions and the values in their
/// lists, by kind.
struct Pool {
    numbers: BTreeSet<i64>,
    texts: BTreeSet<Arc<str>>,
}

impl Pool {
    fn new(space: &Space<'_>) -> Pool {
        let mut pool = Pool { numbers: BTreeSet::new(), texts: BTreeSet::new() };
        for n in [0, 1, 2, 3, 5, 10, 12, 20, 30, 60, 100, 365, 1_000] {
            pool.numbers.insert(n);
        }
        for t in &space.terms {
            crate::ir::visit::walk(&t.expr, &mut |x| {
                if let ExprKind::Const(v) = &x.kind {
                    pool.add(v);
                }
            });
        }
        for p in &space.policies {
            for list in &p.lists {
                for row in list.rows.iter().take(200) {
                    row.iter().for_each(|v| pool.add_text(v));
                }
            }
        }
        pool
    }

    fn add(&mut self, v: &Value) {
        match v {
            Value::Int(x) => {
                for y in [x.saturating_sub(1), *x, x.saturating_add(1), *x / 2, x.saturating_mul(2)] {
                    self.numbers.insert(y);
                }
            }
            Value::Dec(d) => {
                self.numbers.insert(d / DECIMAL_SCALE);
                self.numbers.insert((d / DECIMAL_SCALE).saturating_add(1));
            }
            Value::Set(items) => items.iter().for_each(|i| self.add(i)),
            other => self.add_text(other),
        }
    }

    fn add_text(&mut self, v: &Value) {
        match v {
            Value::Text(t) if self.texts.len() < 400 => {
                self.texts.insert(t.clone());
            }
            Value::Set(items) => items.iter().for_each(|i| self.add_text(i)),
            _ => {}
        }
    }

    /// Ways to set field `f` inside the cells the box allows for it, nicest first.
    fn choices(&self, space: &Space<'_>, f: FieldId, bx: &[(DimId, CellSet)]) -> Vec<Choice> {
        let field = &space.fields[f];
        // The nicest cells the box allows; a field cut into thousands of cells is tried in
        // the ones nearest the nice values, not in all.
        let allowed = |d: DimId| -> Vec<u32> {
            let order = space.prefer(d).iter().copied();
            match bx.iter().find(|(bd, _)| *bd == d) {
                Some((_, cells)) => order.filter(|c| cells.contains(*c)).take(MAX_CELLS_TRIED).collect(),
                None => order.take(MAX_CELLS_TRIED).collect(),
            }
        };
        match field.domain {
            Domain::Scalar(_) | Domain::Free => {
                let Some(&d) = field.dims.first() else { return Vec::new() };
                self.candidates(space, f, d, &allowed(d)).into_iter().map(|v| Choice::Value(f, v)).collect()
            }
            // A set's elements vary one at a time: the choice is over one element's bit.
            _ => field
                .dims
                .iter()
                .flat_map(|&d| allowed(d).into_iter().map(move |c| Choice::Cell(d, c)))
                .collect(),
        }
    }

    /// Values for scalar or free field `f` (dimension `d`) inside the `allowed` cells.
    fn candidates(&self, space: &Space<'_>, f: FieldId, d: DimId, allowed: &[u32]) -> Vec<Value> {
        let field = &space.fields[f];
        let cells = &space.dims[d as usize].cells;
        let mut out = Vec::new();
        match field.domain {
            Domain::Scalar(sort @ (Sort::Int | Sort::Dec | Sort::Date)) => {
                for c in allowed {
                    match cells[*c as usize].kind {
                        CellKind::Range(lo, hi) => out.extend(self.numbers_in(sort, lo, hi)),
                        CellKind::Absent => out.push(Value::None),
                        _ => {}
                    }
                }
            }
            Domain::Scalar(Sort::Text) => {
                for c in allowed {
                    match &cells[*c as usize].kind {
                        CellKind::Text(t) => out.push(Value::Text(t.clone())),
                        CellKind::OtherText => out.extend(self.other_texts(cells)),
                        CellKind::Absent => out.push(Value::None),
                        _ => {}
                    }
                }
            }
            Domain::Free => out.extend(self.sets(space, f)),
            _ => {}
        }
        out
    }

    fn numbers_in(&self, sort: Sort, lo: i64, hi: i64) -> Vec<Value> {
        let unit = |x: i64| match sort {
            Sort::Dec => x.saturating_mul(DECIMAL_SCALE),
            _ => x,
        };
        let pivot = if sort == Sort::Date { 20_089 } else { 0 };
        // The ends of a stretch, unless it is unbounded there (9999-12-31 helps no reader).
        let (min, max) = if sort == Sort::Date {
            (super::space::DATE_MIN, super::space::DATE_MAX)
        } else {
            (i64::MIN, i64::MAX)
        };
        let mut xs: BTreeSet<i64> = BTreeSet::new();
        if lo != min {
            xs.extend([lo, lo.saturating_add(1)]);
        }
        if hi != max {
            xs.extend([hi, hi.saturating_sub(1)]);
        }
        if lo != min && hi != max {
            xs.insert(lo / 2 + hi / 2);
        }
        for n in &self.numbers {
            xs.insert(unit(*n).saturating_add(pivot));
        }
        let mut xs: Vec<i64> = xs.into_iter().filter(|x| lo <= *x && *x <= hi).collect();
        // Nicest first: near zero (or 2025 for dates), not negative.
        xs.sort_by_key(|x| (*x < pivot, x.abs_diff(pivot)));
        xs.into_iter().map(|x| unit_value(sort, x)).collect()
    }

    fn other_texts(&self, cells: &[super::space::Cell]) -> Vec<Value> {
        let listed = |t: &str| cells.iter().any(|c| matches!(&c.kind, CellKind::Text(x) if &**x == t));
        let lengths = [0usize, 1, 10, 30, 31, 100];
        let made = lengths.iter().map(|n| Arc::from("字".repeat(*n).as_str()));
        self.texts.iter().cloned().chain(made).filter(|t| !listed(t)).map(Value::Text).collect()
    }

    /// Small sets of texts for a free set field (of texts).
    fn sets(&self, space: &Space<'_>, f: FieldId) -> Vec<Value> {
        let (_, ty) = space.field_type(f);
        let elem_is_text = matches!(ty, Type::Set(inner) if **inner == Type::Text);
        let mut out = vec![Value::set(Vec::new())];
        if elem_is_text {
            out.extend(self.texts.iter().take(60).map(|t| Value::set(vec![Value::Text(t.clone())])));
        }
        out
    }
}

/// A small deterministic generator (splitmix64): the same witnesses on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}
