//! Sets of inputs as multi-valued decision diagrams over cells.
//!
//! Every dimension of the input space (an input field, or a term the analyser cannot see
//! through) is cut into finitely many cells (`space.rs`); a set of inputs is then a
//! function from one cell per dimension to true/false, stored as a reduced, shared
//! decision diagram: a node tests one dimension and has one child per cell. Dimensions are
//! tested in index order, equal sub-diagrams are stored once, and a node whose children
//! are all equal is never made, so two sets are equal exactly when their node ids are.
//!
//! A DMN table checker intersects and subtracts boxes (one interval per column); here
//! `unless` clauses and exceptions subtract regions all the time, and the complement of a
//! union of boxes grows quickly as a list of boxes. In the diagram, complement and
//! intersection stay proportional to the diagrams involved, and the boxes are read back
//! only for display ([`Mdd::boxes`]): each path to `TRUE` is one box.

use std::collections::HashMap;

use foldhash::fast::FixedState;

pub type NodeId = u32;
pub type DimId = u32;

/// The empty set and the whole space.
pub const FALSE: NodeId = 0;
pub const TRUE: NodeId = 1;

/// A terminal's dimension: after every real one.
const TERMINAL: DimId = DimId::MAX;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Node {
    dim: DimId,
    kids: Box<[NodeId]>,
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
}

/// One box: for each dimension the path tests, the cells allowed (others: any cell).
pub type CellBox = Vec<(DimId, Vec<u32>)>;

impl Default for Mdd {
    fn default() -> Self {
        Mdd::new()
    }
}

impl Mdd {
    pub fn new() -> Mdd {
        let terminal = |_| Node { dim: TERMINAL, kids: Box::new([]) };
        Mdd { nodes: vec![terminal(0), terminal(1)], unique: HashMap::default(), cache: HashMap::default() }
    }

    /// The node testing `dim` with these children, reduced and shared.
    pub fn node(&mut self, dim: DimId, kids: Vec<NodeId>) -> NodeId {
        match kids.first() {
            None => return FALSE,
            Some(&k) if kids.iter().all(|&x| x == k) => return k,
            Some(_) => {}
        }
        let node = Node { dim, kids: kids.into_boxed_slice() };
        if let Some(&id) = self.unique.get(&node) {
            return id;
        }
        let id = self.nodes.len() as NodeId;
        self.nodes.push(node.clone());
        self.unique.insert(node, id);
        id
    }

    /// The inputs whose cell in `dim` (of `cells` cells) is one of `allowed`.
    pub fn cells(&mut self, dim: DimId, cells: u32, allowed: impl Fn(u32) -> bool) -> NodeId {
        let kids = (0..cells).map(|c| if allowed(c) { TRUE } else { FALSE }).collect();
        self.node(dim, kids)
    }

    fn cofactor(&self, n: NodeId, dim: DimId, cell: usize) -> NodeId {
        let node = &self.nodes[n as usize];
        if node.dim == dim {
            node.kids[cell]
        } else {
            n
        }
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
        let node = &self.nodes[n as usize];
        if node.dim == TERMINAL || node.dim > dim {
            return n;
        }
        if let Some(&r) = self.cache.get(&(Op::Exists(dim), n, n)) {
            return r;
        }
        let kids = node.kids.clone();
        let r = if node.dim == dim {
            kids.iter().fold(FALSE, |acc, &k| self.or(acc, k))
        } else {
            let d = node.dim;
            let kids = kids.iter().map(|&k| self.exists(k, dim)).collect();
            self.node(d, kids)
        };
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

    /// Shannon expansion on the first dimension either operand tests. Recursion depth is
    /// at most the number of dimensions.
    fn apply(&mut self, op: Op, a: NodeId, b: NodeId) -> NodeId {
        if let Some(&r) = self.cache.get(&(op, a, b)) {
            return r;
        }
        let dim = self.nodes[a as usize].dim.min(self.nodes[b as usize].dim);
        let width = if self.nodes[a as usize].dim == dim {
            self.nodes[a as usize].kids.len()
        } else {
            self.nodes[b as usize].kids.len()
        };
        let mut kids = Vec::with_capacity(width);
        for cell in 0..width {
            let (x, y) = (self.cofactor(a, dim, cell), self.cofactor(b, dim, cell));
            kids.push(match op {
                Op::And => self.and(x, y),
                Op::Or => self.or(x, y),
                Op::Not | Op::Exists(_) => self.not(x),
            });
        }
        let r = self.node(dim, kids);
        self.cache.insert((op, a, b), r);
        r
    }

    /// Whether the input whose cells `cell_of` gives is in `n`. Only the dimensions on the
    /// path are asked for; `None` (a cell that cannot be told) answers `false`.
    pub fn contains(&self, mut n: NodeId, mut cell_of: impl FnMut(DimId) -> Option<u32>) -> bool {
        loop {
            match n {
                FALSE => return false,
                TRUE => return true,
                _ => {}
            }
            let node = &self.nodes[n as usize];
            let Some(cell) = cell_of(node.dim) else { return false };
            match node.kids.get(cell as usize) {
                Some(&k) => n = k,
                None => return false,
            }
        }
    }

    /// One path to `TRUE`, choosing at each node the first cell in `prefer`'s order whose
    /// child is not empty: `(dimension, cell)` for each dimension tested on the way. Every
    /// node other than `FALSE` has such a path (an all-`FALSE` node is never made).
    pub fn pick(
        &self,
        mut n: NodeId,
        prefer: impl Fn(DimId, usize) -> Vec<u32>,
    ) -> Option<Vec<(DimId, u32)>> {
        let mut path = Vec::new();
        while n != TRUE {
            if n == FALSE {
                return None;
            }
            let node = &self.nodes[n as usize];
            let cell = prefer(node.dim, node.kids.len())
                .into_iter()
                .find(|&c| node.kids.get(c as usize).is_some_and(|&k| k != FALSE))?;
            path.push((node.dim, cell));
            n = node.kids[cell as usize];
        }
        Some(path)
    }

    /// The paths to `TRUE` as boxes, children with the same sub-diagram merged into one
    /// cell set; at most `limit` boxes, and the number of boxes there are in all (counted
    /// up to a million). The boxes are disjoint and their union is `n`.
    pub fn boxes(&self, n: NodeId, limit: usize) -> (Vec<CellBox>, usize) {
        let mut out = Vec::new();
        let mut count = 0usize;
        self.walk_boxes(n, &mut Vec::new(), limit, &mut out, &mut count);
        (out, count)
    }

    fn walk_boxes(
        &self,
        n: NodeId,
        at: &mut CellBox,
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
                out.push(at.clone());
            }
            return;
        }
        let node = &self.nodes[n as usize];
        // Children in first-seen order, each with the cells that lead to it.
        let mut groups: Vec<(NodeId, Vec<u32>)> = Vec::new();
        for (cell, &k) in node.kids.iter().enumerate() {
            match groups.iter_mut().find(|(g, _)| *g == k) {
                Some((_, cells)) => cells.push(cell as u32),
                None => groups.push((k, vec![cell as u32])),
            }
        }
        for (k, cells) in groups {
            if k == FALSE {
                continue;
            }
            at.push((node.dim, cells));
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
            let node = &self.nodes[x as usize];
            dims.insert(node.dim);
            stack.extend(node.kids.iter().copied());
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
                    |bx: &CellBox| bx.iter().all(|(d, cells)| cells.contains(if *d == 0 { &a } else { &b }));
                let hits = boxes.iter().filter(|bx| inside(bx)).count();
                assert_eq!(hits, usize::from(point(&m, set, a, b)), "cell ({a}, {b})");
            }
        }
        let path = m.pick(set, |_, n| (0..n as u32).collect()).expect("not empty");
        assert!(m.contains(set, |d| path.iter().find(|(pd, _)| *pd == d).map(|(_, c)| *c).or(Some(0))));
        assert_eq!(m.support(set), vec![0, 1]);
    }
}
