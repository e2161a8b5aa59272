//! Which cell of a dimension a witness takes when it may choose: absent first, then
//! numbers near zero (dates near 2025), then in order; and the nicest cell of any set of
//! cells, found without a pass over the dimension.
//!
//! A witness for "this rule never decides" lies where the rule speaks: for `x > 19,999`
//! over a field cut at 20,000 thresholds, the nicest cells (near zero) are all outside.
//! Walking the preference order until a cell inside turns up cost a pass over the cells
//! per finding, so n such findings cost n². Here each block of 64 cells (and each block of
//! 64 blocks, and so on) keeps its nicest cell, and a run of cells is answered from the
//! blocks it covers.

use std::ops::Range;

use crate::value::Value;

use super::space::{Cell, CellKind, DATE_PIVOT};

/// Cells per block at each level.
const FAN: usize = 64;

pub(crate) struct Preference {
    /// The cells, nicest first.
    order: Vec<u32>,
    /// Each cell's place in `order`.
    rank: Vec<u32>,
    /// `levels[k][j]`: the nicest cell of block `j` of level `k + 1` (FAN^(k+1) cells).
    levels: Vec<Vec<u32>>,
}

impl Preference {
    pub fn new(cells: &[Cell]) -> Preference {
        let mut order: Vec<u32> = (0..cells.len() as u32).collect();
        order.sort_by_key(|&c| match &cells[c as usize].kind {
            CellKind::Absent => (0, 0),
            CellKind::Range(..) => match cells[c as usize].rep.first() {
                Some(Value::Int(x)) | Some(Value::Dec(x)) => (1, x.unsigned_abs() as i128),
                Some(Value::Date(x)) => (1, (i64::from(*x) - DATE_PIVOT).unsigned_abs() as i128),
                _ => (1, 0),
            },
            // Any other text: the neutral choice, before the texts conditions name.
            CellKind::OtherText => (0, 1),
            _ => (1, i128::from(c)),
        });
        let mut rank = vec![0; order.len()];
        for (i, &c) in order.iter().enumerate() {
            rank[c as usize] = i as u32;
        }
        let mut p = Preference { order, rank, levels: Vec::new() };
        let mut below: Vec<u32> = (0..cells.len() as u32).collect();
        while below.len() > FAN {
            let level: Vec<u32> =
                below.chunks(FAN).map(|b| p.nicest(b.iter().copied()).unwrap_or(0)).collect();
            p.levels.push(level.clone());
            below = level;
        }
        p
    }

    /// All the cells, nicest first.
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    /// The nicest cell among `runs` (cells of this dimension), if any.
    pub fn best(&self, runs: &[Range<u32>]) -> Option<u32> {
        let n = self.rank.len() as u32;
        let found = runs.iter().filter_map(|r| self.best_at(0, r.start as usize, r.end.min(n) as usize));
        self.nicest(found)
    }

    fn nicest(&self, cells: impl Iterator<Item = u32>) -> Option<u32> {
        cells.min_by_key(|&c| self.rank[c as usize])
    }

    /// The nicest of items `a..b` of level `k` (level 0: the cells themselves).
    fn best_at(&self, k: usize, a: usize, b: usize) -> Option<u32> {
        let item = |i: usize| if k == 0 { i as u32 } else { self.levels[k - 1][i] };
        if a >= b {
            return None;
        }
        let (first, last) = (a.div_ceil(FAN), b / FAN);
        if k == self.levels.len() || last <= first {
            return self.nicest((a..b).map(item));
        }
        // The partial blocks at both ends item by item, the whole ones from the level above.
        let ends = (a..first * FAN).chain(last * FAN..b).map(item);
        self.nicest(ends.chain(self.best_at(k + 1, first, last)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_of_runs_is_the_first_in_order_among_them() {
        // Stretches around zero: cells 0..10_000 for -5_000..4_999 (zero is cell 5_000).
        let cells: Vec<Cell> = (0..10_000i64)
            .map(|i| Cell { rep: vec![Value::Int(i - 5_000)], kind: CellKind::Range(i - 5_000, i - 5_000) })
            .collect();
        let p = Preference::new(&cells);
        assert_eq!(p.order()[0], 5_000);
        let check = |runs: &[Range<u32>]| {
            let slow = p.order().iter().copied().find(|c| runs.iter().any(|r| r.contains(c)));
            assert_eq!(p.best(runs), slow, "{runs:?}");
        };
        let one = |r: Range<u32>| vec![r];
        check(&one(0..10_000));
        check(&one(7_001..9_000));
        check(&[10..4_000, 6_100..6_105]);
        check(&[4_999..5_000, 5_001..5_002]);
        check(&one(130..131));
        check(&[]);
    }
}
