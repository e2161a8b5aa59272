//! Sets of inputs as decision diagrams over cells.
//!
//! Every dimension of the input space (an input field, or a term the analyser cannot see
//! through) is cut into finitely many cells (`space.rs`); a set of inputs is then a
//! function from one cell per dimension to true/false, stored as a reduced, shared
//! decision diagram. Dimensions are tested in index order, equal sub-diagrams are stored
//! once, and a test whose two outcomes are equal is never made, so two sets are equal
//! exactly when their node ids are.
//!
//! A DMN table checker intersects and subtracts boxes (one interval per column); here
//! `unless` clauses and exceptions subtract regions all the time, and the complement of a
//! union of boxes grows quickly as a list of boxes. In the diagram, complement and
//! intersection stay proportional to the diagrams involved, and the boxes are read back
//! only for display ([`Mdd::boxes`]): each path to `TRUE` is one box.
//!
//! A node tests one *bit* of a dimension's cell number (most significant first), as a
//! binary decision diagram encodes a many-valued variable. A node with one child per cell
//! made every set over a field cost as many children as the field has cells, so that n
//! rules comparing one field with n constants cost n² (a threshold over 40,001 cells is
//! now 16 nodes), and adding one cell to a set made a copy of the whole set (adding one now
//! copies only the path to that cell: a union of n scattered cells, built one cell at a
//! time, stays n × bits nodes).
//!
//! Cell numbers past a dimension's last cell (up to the next power of two) stand for
//! nothing; every set gives them the last cell's answer. Pointwise operations (`and`,
//! `or`, `not`) keep that so, and it keeps both the equality of equal sets and `exists`
//! exact (those numbers only repeat the last cell).

use std::collections::HashMap;
use std::ops::Range;

use foldhash::fast::FixedState;

pub type NodeId = u32;
pub type DimId = u32;

/// The empty set and the whole space.
pub const FALSE: NodeId = 0;
pub const TRUE: NodeId = 1;

/// A bit of a dimension's cell number: `bit` 0 is the most significant.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Var {
    dim: DimId,
    bit: u8,
}

/// A terminal's variable: after every real one.
const TERMINAL: Var = Var { dim: DimId::MAX, bit: u8::MAX };

/// `lo` for the cells whose `var` bit is 0, `hi` for 1.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Node {
    var: Var,
    lo: NodeId,
    hi: NodeId,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    And,
    Or,
    Not,
    Exists(DimId),
}

/// The store of nodes, with the caches that make operations on shared diagrams cheap.
pub struct Mdd {
    nodes: Vec<Node>,
    unique: HashMap<Node, NodeId, FixedState>,
    cache: HashMap<(Op, NodeId, NodeId), NodeId, FixedState>,
    /// Per dimension seen: its number of cells and the bits of a cell number.
    widths: Vec<Option<Width>>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Width {
    cells: u32,
    bits: u8,
}

/// One box: for each dimension the path tests, the cells allowed (others: any cell).
pub type CellBox = Vec<(DimId, CellSet)>;

/// Cells of one dimension as runs, in order, apart from each other.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellSet(Vec<Range<u32>>);

impl CellSet {
    pub fn one(cell: u32) -> CellSet {
        CellSet(std::iter::once(cell..cell + 1).collect())
    }

    pub fn runs(&self) -> &[Range<u32>] {
        &self.0
    }

    pub fn contains(&self, cell: u32) -> bool {
        let i = self.0.partition_point(|r| r.end <= cell);
        self.0.get(i).is_some_and(|r| r.start <= cell)
    }

    /// How many cells.
    pub fn count(&self) -> usize {
        self.0.iter().map(|r| r.len()).sum()
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().flat_map(Clone::clone)
    }
}

impl Default for Mdd {
    fn default() -> Self {
        Mdd::new()
    }
}

impl Mdd {
    pub fn new() -> Mdd {
        let terminal = Node { var: TERMINAL, lo: FALSE, hi: FALSE };
        Mdd {
            nodes: vec![terminal, terminal],
            unique: HashMap::default(),
            cache: HashMap::default(),
            widths: Vec::new(),
        }
    }

    /// How many links to children the store holds (two per node): its memory, and a bound
    /// on the work done, comparable with a store of one child per cell.
    #[cfg(test)]
    pub fn size(&self) -> usize {
        2 * (self.nodes.len() - 2)
    }

    fn mk(&mut self, var: Var, lo: NodeId, hi: NodeId) -> NodeId {
        if lo == hi {
            return lo;
        }
        let node = Node { var, lo, hi };
        if let Some(&id) = self.unique.get(&node) {
            return id;
        }
        let id = self.nodes.len() as NodeId;
        self.nodes.push(node);
        self.unique.insert(node, id);
        id
    }

    fn width(&self, dim: DimId) -> Option<Width> {
        self.widths.get(dim as usize).copied().flatten()
    }

    /// Records that `dim` has `cells` cells (every node of it agrees).
    fn set_width(&mut self, dim: DimId, cells: u32) -> Width {
        let bits = (u32::BITS - cells.saturating_sub(1).leading_zeros()) as u8;
        let width = Width { cells, bits };
        if self.widths.len() <= dim as usize {
            self.widths.resize(dim as usize + 1, None);
        }
        debug_assert!(self.widths[dim as usize].is_none_or(|w| w == width), "dimension {dim} changed size");
        self.widths[dim as usize] = Some(width);
        width
    }

    /// The set testing `dim` with one child per cell, reduced and shared.
    pub fn node(&mut self, dim: DimId, kids: Vec<NodeId>) -> NodeId {
        self.node_runs(dim, kids.into_iter().enumerate().map(|(c, kid)| (c as u32 + 1, kid)))
    }

    /// The set testing `dim` whose cells up to each `end` (exclusive, increasing; the last
    /// is the number of cells) lead to the child given with it.
    pub fn node_runs(&mut self, dim: DimId, runs: impl IntoIterator<Item = (u32, NodeId)>) -> NodeId {
        let mut joined: Vec<(u32, NodeId)> = Vec::new();
        for (end, kid) in runs {
            match joined.last_mut() {
                Some(last) if end <= last.0 => {} // an empty run
                Some(last) if last.1 == kid => last.0 = end,
                None if end == 0 => {}
                _ => joined.push((end, kid)),
            }
        }
        let Some(&(cells, _)) = joined.last() else { return FALSE };
        let width = self.set_width(dim, cells);
        self.build(dim, width, 0, 0, &joined)
    }

    /// The diagram of cells `start ..` (a block of `2^(bits - level)` numbers) from runs.
    fn build(&mut self, dim: DimId, width: Width, level: u8, start: u64, runs: &[(u32, NodeId)]) -> NodeId {
        let size = 1u64 << (width.bits - level);
        // Numbers past the last cell take its answer.
        let run_of = |c: u64| runs.partition_point(|r| u64::from(r.0) <= c).min(runs.len() - 1);
        let (first, last) = (run_of(start), run_of(start + size - 1));
        if first == last {
            return runs[first].1;
        }
        let half = size / 2;
        let lo = self.build(dim, width, level + 1, start, runs);
        let hi = self.build(dim, width, level + 1, start + half, runs);
        self.mk(Var { dim, bit: level }, lo, hi)
    }

    /// The inputs whose cell in `dim` (of `cells` cells) is one of `allowed`.
    pub fn cells(&mut self, dim: DimId, cells: u32, allowed: impl Fn(u32) -> bool) -> NodeId {
        let kids = (0..cells).map(|c| if allowed(c) { TRUE } else { FALSE }).collect();
        self.node(dim, kids)
    }

    pub fn and(&mut self, a: NodeId, b: NodeId) -> NodeId {
        match (a, b) {
            (FALSE, _) | (_, FALSE) => FALSE,
            (TRUE, x) | (x, TRUE) => x,
            _ if a == b => a,
            _ => self.apply(Op::And, a.min(b), a.max(b)),
        }
    }

    pub fn or(&mut self, a: NodeId, b: NodeId) -> NodeId {
        match (a, b) {
            (TRUE, _) | (_, TRUE) => TRUE,
            (FALSE, x) | (x, FALSE) => x,
            _ if a == b => a,
            _ => self.apply(Op::Or, a.min(b), a.max(b)),
        }
    }

    pub fn not(&mut self, a: NodeId) -> NodeId {
        match a {
            FALSE => TRUE,
            TRUE => FALSE,
            _ => self.apply(Op::Not, a, a),
        }
    }

    /// The inputs that some cell of `dim` takes into `n`: `n` with `dim` forgotten.
    pub fn exists(&mut self, n: NodeId, dim: DimId) -> NodeId {
        let node = self.nodes[n as usize];
        if node.var.dim == TERMINAL.dim || node.var.dim > dim {
            return n;
        }
        if let Some(&r) = self.cache.get(&(Op::Exists(dim), n, n)) {
            return r;
        }
        let (lo, hi) = (self.exists(node.lo, dim), self.exists(node.hi, dim));
        // The bits of `dim` are forgotten by joining both sides; the numbers past the
        // last cell repeat it, so they add nothing.
        let r = if node.var.dim == dim { self.or(lo, hi) } else { self.mk(node.var, lo, hi) };
        self.cache.insert((Op::Exists(dim), n, n), r);
        r
    }

    /// `a` without `b`.
    pub fn minus(&mut self, a: NodeId, b: NodeId) -> NodeId {
        let nb = self.not(b);
        self.and(a, nb)
    }

    pub fn any(&mut self, items: impl IntoIterator<Item = NodeId>) -> NodeId {
        items.into_iter().fold(FALSE, |acc, x| self.or(acc, x))
    }

    /// Shannon expansion on the first variable either operand tests. Recursion depth is
    /// at most the number of variables (the bits of every dimension).
    fn apply(&mut self, op: Op, a: NodeId, b: NodeId) -> NodeId {
        if let Some(&r) = self.cache.get(&(op, a, b)) {
            return r;
        }
        let (na, nb) = (self.nodes[a as usize], self.nodes[b as usize]);
        let var = na.var.min(nb.var);
        let split = |n: Node, id: NodeId| if n.var == var { (n.lo, n.hi) } else { (id, id) };
        let ((a0, a1), (b0, b1)) = (split(na, a), split(nb, b));
        let (lo, hi) = match op {
            Op::And => (self.and(a0, b0), self.and(a1, b1)),
            Op::Or => (self.or(a0, b0), self.or(a1, b1)),
            Op::Not | Op::Exists(_) => (self.not(a0), self.not(a1)),
        };
        let r = self.mk(var, lo, hi);
        self.cache.insert((op, a, b), r);
        r
    }

    /// The node below `n` that cell `cell` of `n`'s first dimension leads to.
    fn descend(&self, mut n: NodeId, dim: DimId, cell: u32, width: Width) -> NodeId {
        loop {
            let node = self.nodes[n as usize];
            if node.var.dim != dim {
                return n;
            }
            let bit = (cell >> (width.bits - 1 - node.var.bit)) & 1;
            n = if bit == 1 { node.hi } else { node.lo };
        }
    }

    /// Whether the input whose cells `cell_of` gives is in `n`. Only the dimensions on the
    /// path are asked for, once each; `None` (a cell that cannot be told) answers `false`.
    pub fn contains(&self, mut n: NodeId, mut cell_of: impl FnMut(DimId) -> Option<u32>) -> bool {
        loop {
            match n {
                FALSE => return false,
                TRUE => return true,
                _ => {}
            }
            let dim = self.nodes[n as usize].var.dim;
            let Some(width) = self.width(dim) else { return false };
            match cell_of(dim) {
                Some(cell) if cell < width.cells => n = self.descend(n, dim, cell, width),
                _ => return false,
            }
        }
    }

    /// One path to `TRUE`, choosing at each dimension tested the cell `best` picks among
    /// those whose child is not empty (given as runs): `(dimension, cell)` for each
    /// dimension tested on the way. Every node other than `FALSE` has such a path (a node
    /// whose cells all lead to `FALSE` is `FALSE`).
    pub fn pick(
        &self,
        mut n: NodeId,
        best: impl Fn(DimId, &[Range<u32>]) -> Option<u32>,
    ) -> Option<Vec<(DimId, u32)>> {
        let mut path = Vec::new();
        while n != TRUE {
            if n == FALSE {
                return None;
            }
            let (dim, spans) = self.spans(n);
            let open: Vec<Range<u32>> =
                spans.into_iter().filter(|(_, k)| *k != FALSE).map(|(r, _)| r).collect();
            let cell = best(dim, &open)?;
            let kid = self.descend(n, dim, cell, self.width(dim)?);
            if kid == FALSE || cell >= self.width(dim)?.cells {
                return None;
            }
            path.push((dim, cell));
            n = kid;
        }
        Some(path)
    }

    /// The cells of `n`'s first dimension as runs, each with the node it leads to
    /// (neighbouring runs with the same node joined).
    fn spans(&self, n: NodeId) -> (DimId, Vec<(Range<u32>, NodeId)>) {
        let dim = self.nodes[n as usize].var.dim;
        let mut out: Vec<(Range<u32>, NodeId)> = Vec::new();
        if let Some(width) = self.width(dim) {
            self.spans_into(n, dim, width, 0, 0, &mut out);
        }
        (dim, out)
    }

    fn spans_into(
        &self,
        n: NodeId,
        dim: DimId,
        width: Width,
        level: u8,
        start: u64,
        out: &mut Vec<(Range<u32>, NodeId)>,
    ) {
        if start >= u64::from(width.cells) {
            return;
        }
        let node = self.nodes[n as usize];
        let size = 1u64 << (width.bits - level);
        if node.var.dim != dim || level == width.bits {
            let end = (start + size).min(u64::from(width.cells)) as u32;
            match out.last_mut() {
                Some((r, k)) if *k == n => r.end = end,
                _ => out.push((start as u32..end, n)),
            }
            return;
        }
        // A node testing a later bit: this bit does not matter, both halves go on alike.
        let (lo, hi) = if node.var.bit == level { (node.lo, node.hi) } else { (n, n) };
        self.spans_into(lo, dim, width, level + 1, start, out);
        self.spans_into(hi, dim, width, level + 1, start + size / 2, out);
    }

    /// The paths to `TRUE` as boxes, cells with the same sub-diagram merged into one cell
    /// set; at most `limit` boxes, and the number of boxes there are in all (counted up to
    /// a million). The boxes are disjoint and their union is `n`.
    pub fn boxes(&self, n: NodeId, limit: usize) -> (Vec<CellBox>, usize) {
        let mut out = Vec::new();
        let mut count = 0usize;
        self.walk_boxes(n, &mut Vec::new(), limit, &mut out, &mut count);
        (out, count)
    }

    fn walk_boxes(
        &self,
        n: NodeId,
        at: &mut Vec<(DimId, Vec<Range<u32>>)>,
        limit: usize,
        out: &mut Vec<CellBox>,
        count: &mut usize,
    ) {
        const MAX_COUNT: usize = 1_000_000;
        if n == FALSE || *count >= MAX_COUNT {
            return;
        }
        if n == TRUE {
            *count += 1;
            if out.len() < limit {
                // Cells are listed only for the boxes kept.
                out.push(at.iter().map(|(d, runs)| (*d, CellSet(runs.clone()))).collect());
            }
            return;
        }
        let (dim, spans) = self.spans(n);
        // Children in first-seen order, each with the cells that lead to it (in order).
        let mut groups: Vec<(NodeId, Vec<Range<u32>>)> = Vec::new();
        let mut index: HashMap<NodeId, usize, FixedState> = HashMap::default();
        for (cells, k) in spans {
            match index.get(&k) {
                Some(&g) => groups[g].1.push(cells),
                None => {
                    index.insert(k, groups.len());
                    groups.push((k, vec![cells]));
                }
            }
        }
        for (k, cells) in groups {
            if k == FALSE {
                continue;
            }
            at.push((dim, cells));
            self.walk_boxes(k, at, limit, out, count);
            at.pop();
        }
    }

    /// The dimensions `n` tests anywhere.
    pub fn support(&self, n: NodeId) -> Vec<DimId> {
        let mut seen = std::collections::HashSet::new();
        let mut dims = std::collections::BTreeSet::new();
        let mut stack = vec![n];
        while let Some(x) = stack.pop() {
            if x <= TRUE || !seen.insert(x) {
                continue;
            }
            let node = self.nodes[x as usize];
            dims.insert(node.var.dim);
            stack.extend([node.lo, node.hi]);
        }
        dims.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dimension 0 has 3 cells, dimension 1 has 2.
    fn point(m: &Mdd, n: NodeId, a: u32, b: u32) -> bool {
        m.contains(n, |d| Some(if d == 0 { a } else { b }))
    }

    #[test]
    fn operations_agree_with_sets_of_points() {
        let mut m = Mdd::new();
        let x = m.cells(0, 3, |c| c >= 1);
        let y = m.cells(1, 2, |c| c == 0);
        let both = m.and(x, y);
        let either = m.or(x, y);
        let not_x = m.not(x);
        let x_minus_y = m.minus(x, y);
        for a in 0..3 {
            for b in 0..2 {
                let (px, py) = (a >= 1, b == 0);
                assert_eq!(point(&m, both, a, b), px && py);
                assert_eq!(point(&m, either, a, b), px || py);
                assert_eq!(point(&m, not_x, a, b), !px);
                assert_eq!(point(&m, x_minus_y, a, b), px && !py);
            }
        }
    }

    #[test]
    fn equal_sets_are_the_same_node() {
        let mut m = Mdd::new();
        let x = m.cells(0, 3, |c| c != 1);
        let y = m.cells(1, 2, |c| c == 1);
        let a = m.or(x, y);
        let nx = m.not(x);
        let ny = m.not(y);
        let both_not = m.and(nx, ny);
        let b = m.not(both_not);
        assert_eq!(a, b, "De Morgan gives the same node");
        let all = m.cells(0, 3, |_| true);
        assert_eq!(all, TRUE);
        let none = m.and(x, nx);
        assert_eq!(none, FALSE);
    }

    #[test]
    fn boxes_are_disjoint_and_cover_the_set() {
        let mut m = Mdd::new();
        let x = m.cells(0, 3, |c| c != 1);
        let y = m.cells(1, 2, |c| c == 1);
        let set = m.or(x, y);
        let (boxes, count) = m.boxes(set, 10);
        assert_eq!(count, boxes.len());
        for a in 0..3 {
            for b in 0..2 {
                let inside =
                    |bx: &CellBox| bx.iter().all(|(d, cells)| cells.contains(if *d == 0 { a } else { b }));
                let hits = boxes.iter().filter(|bx| inside(bx)).count();
                assert_eq!(hits, usize::from(point(&m, set, a, b)), "cell ({a}, {b})");
            }
        }
        let path = m.pick(set, |_, runs| runs.first().map(|r| r.start)).expect("not empty");
        assert!(m.contains(set, |d| path.iter().find(|(pd, _)| *pd == d).map(|(_, c)| *c).or(Some(0))));
        assert_eq!(m.support(set), vec![0, 1]);
    }

    #[test]
    fn cells_past_the_last_do_not_count() {
        // Five cells take three bits; numbers 5..8 stand for nothing.
        let mut m = Mdd::new();
        let some = m.cells(0, 5, |c| c == 1 || c == 3);
        let rest = m.not(some);
        assert_eq!(m.or(some, rest), TRUE);
        assert_eq!(m.and(some, rest), FALSE);
        let last = m.cells(0, 5, |c| c == 4);
        let not_last = m.cells(0, 5, |c| c != 4);
        assert_eq!(m.not(last), not_last, "a complement equals the set built directly");
        let all_but_last = m.not(last);
        let none = m.minus(all_but_last, not_last);
        assert_eq!(none, FALSE);
        assert_eq!(m.exists(last, 0), TRUE);
        assert!(!m.contains(rest, |_| Some(5)), "a number past the cells is in no set");
        let (boxes, count) = m.boxes(rest, 10);
        assert_eq!((boxes, count), (vec![vec![(0, CellSet(vec![0..1, 2..3, 4..5]))]], 1));
    }

    #[test]
    fn a_threshold_is_a_few_nodes_however_many_cells() {
        let mut m = Mdd::new();
        let cells = 40_001;
        let above = m.node_runs(0, [(20_000, FALSE), (cells, TRUE)]);
        assert!(m.size() <= 2 * 16, "{} links", m.size());
        assert!(m.contains(above, |_| Some(20_000)) && !m.contains(above, |_| Some(19_999)));
        let (boxes, _) = m.boxes(above, 1);
        assert_eq!(boxes[0][0].1.count(), 20_001);
        assert_eq!(m.pick(above, |_, runs| Some(runs[0].start)), Some(vec![(0, 20_000)]));
    }

    #[test]
    fn a_union_of_scattered_cells_grows_by_a_path_per_cell() {
        // Adding a cell to a set copies the path to it, not the set: n cells united one
        // by one (in an order unrelated to their numbers) make about n × bits nodes, where
        // one child per cell made each union as large as the dimension (n × 65,536).
        let (n, cells) = (20_000u32, 1u32 << 16);
        let mut m = Mdd::new();
        let mut union = FALSE;
        for i in 0..n {
            let c = (i * 7_919) % cells;
            let one = m.node_runs(0, [(c, FALSE), (c + 1, TRUE), (cells, FALSE)]);
            union = m.or(union, one);
        }
        // Two paths of 16 nodes per cell (its own set, the union's new path), 2 links each.
        assert!(m.size() <= 2 * 2 * 16 * n as usize, "{} links for {n} cells", m.size());
        assert!(m.contains(union, |_| Some(7_919)) && !m.contains(union, |_| Some(1)));
    }
}
