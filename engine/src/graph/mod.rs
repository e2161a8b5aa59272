//! The dependency graph of a policy: what each let, rule, decision and check reads, which
//! exception overrides which rule, which clause each rule cites.
//!
//! **Edge direction.** Every edge points from a dependency to its dependent, the way values
//! flow: `申请.每月频次 → 月工作量分钟 → 工作量超限 → 准入结论`. So a topological order is
//! an evaluation order, [`DepGraph::dependents`] (downstream) answers "what does this
//! change affect" and [`DepGraph::dependencies`] (upstream) answers "why". Each edge kind
//! names the relation from the dependent's side; see [`EdgeKind`].
//!
//! Nodes: every input field (slot), let, rule, exception, decision and check of the policy;
//! the lists it reads or that lie in its file, and the lists their rows point into; rows
//! named by constants; cited clauses. Lists and sources of other policies checked together
//! that this one never touches are left out, so a folder's graph is not cluttered.

mod export;
mod query;
#[cfg(test)]
mod tests;

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::fmt;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use qingdan_dsl::Span;

pub use export::View;
pub use query::{Impact, QueryError, Why};

use crate::ir::visit::{each_read, Read};
use crate::ir::*;
use crate::value::Value;

/// A node of a [`DepGraph`]; ids are dense, in the order nodes are listed in exports.
pub type NodeId = NodeIndex<u32>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// An input field, shown as `申请.每月频次`.
    Input(SlotId),
    Let(LetId),
    Rule(RuleId),
    /// A rule with `exception_to`.
    Exception(RuleId),
    Decision(DecisionId),
    Check(CheckId),
    List(ListId),
    /// A row named by a constant in an expression, shown as `部门清单[XQ-MZ]`.
    Row {
        list: ListId,
        row: u32,
    },
    /// A cited clause, shown as `杭州决定.五`.
    Clause {
        source: SourceId,
        clause: u32,
    },
}

impl NodeKind {
    /// The kind's name in exports and query output.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Input(_) => "input",
            NodeKind::Let(_) => "let",
            NodeKind::Rule(_) => "rule",
            NodeKind::Exception(_) => "exception",
            NodeKind::Decision(_) => "decision",
            NodeKind::Check(_) => "check",
            NodeKind::List(_) => "list",
            NodeKind::Row { .. } => "row",
            NodeKind::Clause { .. } => "clause",
        }
    }

    /// Which kind wins when a queried name is the label of several nodes.
    fn preference(self) -> u8 {
        match self {
            NodeKind::Input(_) => 0,
            NodeKind::Clause { .. } => 1,
            NodeKind::Let(_) => 2,
            NodeKind::List(_) => 3,
            NodeKind::Row { .. } => 4,
            NodeKind::Rule(_) | NodeKind::Exception(_) => 5,
            NodeKind::Decision(_) => 6,
            NodeKind::Check(_) => 7,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    pub label: String,
    /// Where it is declared; rows and clauses have none in the IR.
    pub span: Option<Span>,
}

/// Edge kinds. An edge `a → b` always means "`b` depends on `a`".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// `b` (let, rule, exception, decision default, check) reads `a` (input field, let,
    /// list, row).
    Reads,
    /// `a` is an exception that overrides rule (or exception) `b`.
    Overrides,
    /// `b` (rule, exception, check) cites clause `a`.
    Cites,
    /// `a` is one of decision `b`'s rules.
    Decides,
    /// List `b` has a field holding rows of list `a`.
    References,
    /// Row `b` is one of list `a`'s rows.
    Contains,
}

impl EdgeKind {
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Reads => "reads",
            EdgeKind::Overrides => "overrides",
            EdgeKind::Cites => "cites",
            EdgeKind::Decides => "decides",
            EdgeKind::References => "references",
            EdgeKind::Contains => "contains",
        }
    }

    /// Whether the edge constrains evaluation order. Lists are data, and may point at
    /// each other (a department list whose rows name a parent department): such cycles
    /// are fine, so references take no part in ordering or cycle detection.
    fn orders(self) -> bool {
        self != EdgeKind::References
    }
}

/// The dependency graph of one policy. Built by [`build`].
#[derive(Clone, Debug)]
pub struct DepGraph {
    policy: String,
    graph: DiGraph<Node, EdgeKind, u32>,
    /// Every node after everything it depends on; ties go to the lower id.
    order: Vec<NodeId>,
    /// Position of each node in `order`.
    position: Vec<usize>,
    index: HashMap<NodeKind, NodeId>,
    /// Names of clauses and lists that exist but have no node (never cited or read): a
    /// query for them is answered with "nothing depends on it" instead of an error.
    silent: BTreeSet<String>,
}

/// A dependency cycle: each node depends on the next, and the last on the first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleError {
    pub cycle: Vec<Node>,
}

impl fmt::Display for CycleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self
            .cycle
            .iter()
            .chain(self.cycle.first())
            .map(|n| format!("{} `{}`", n.kind.name(), n.label))
            .collect();
        write!(f, "dependency cycle (依赖成环): {}; each depends on the next", names.join(" → "))
    }
}

impl std::error::Error for CycleError {}

/// Builds the dependency graph of `policy`, or names a cycle among its lets, rules and
/// exceptions (lowering rejects those already; a hand-built or future IR may not).
pub fn build(policy: &Policy) -> Result<DepGraph, CycleError> {
    let mut links = links(policy);
    let mut lists: BTreeSet<ListId> = BTreeSet::new();
    let mut rows: BTreeSet<(ListId, u32)> = BTreeSet::new();
    let mut clauses: BTreeSet<(SourceId, u32)> = BTreeSet::new();
    for (from, _, _) in &links {
        match *from {
            NodeKind::List(l) => _ = lists.insert(l),
            NodeKind::Row { list, row } => _ = rows.insert((list, row)),
            NodeKind::Clause { source, clause } => _ = clauses.insert((source, clause)),
            _ => {}
        }
    }
    for &(list, row) in &rows {
        lists.insert(list);
        links.push((NodeKind::List(list), NodeKind::Row { list, row }, EdgeKind::Contains));
    }
    // The policy's own lists appear even when nothing reads them yet: a drafter looking at
    // the graph should see them unused rather than wonder where they went.
    if let Some(file) = home_file(policy) {
        lists.extend(
            (0..policy.lists.len() as ListId).filter(|&l| policy.lists[l as usize].span.file == file),
        );
    }
    let mut work: Vec<ListId> = lists.iter().copied().collect();
    while let Some(l) = work.pop() {
        for (_, ty) in policy.lists.get(l as usize).map_or(&[][..], |d| &d.fields) {
            if let Some(target) = row_list(ty) {
                links.push((NodeKind::List(target), NodeKind::List(l), EdgeKind::References));
                if lists.insert(target) {
                    work.push(target);
                }
            }
        }
    }

    let mut kinds: Vec<NodeKind> = (0..policy.slots.len() as SlotId).map(NodeKind::Input).collect();
    kinds.extend(clauses.iter().map(|&(source, clause)| NodeKind::Clause { source, clause }));
    kinds.extend(lists.iter().map(|&l| NodeKind::List(l)));
    kinds.extend(rows.iter().map(|&(list, row)| NodeKind::Row { list, row }));
    kinds.extend((0..policy.lets.len() as LetId).map(NodeKind::Let));
    kinds.extend(policy.rules.iter().enumerate().map(|(i, r)| rule_kind(i as RuleId, r)));
    kinds.extend((0..policy.decisions.len() as DecisionId).map(NodeKind::Decision));
    kinds.extend((0..policy.checks.len() as CheckId).map(NodeKind::Check));

    let mut graph = DiGraph::with_capacity(kinds.len(), links.len());
    let mut index = HashMap::new();
    for kind in kinds {
        let (label, span) = describe(policy, kind);
        index.insert(kind, graph.add_node(Node { kind, label, span }));
    }
    let edges: BTreeSet<(NodeId, NodeId, EdgeKind)> =
        links.iter().filter_map(|(a, b, k)| Some((*index.get(a)?, *index.get(b)?, *k))).collect();
    for (a, b, k) in edges {
        graph.add_edge(a, b, k);
    }

    let order = topological(&graph)
        .map_err(|cycle| CycleError { cycle: cycle.into_iter().map(|n| graph[n].clone()).collect() })?;
    let mut position = vec![0; order.len()];
    for (i, n) in order.iter().enumerate() {
        position[n.index()] = i;
    }
    let mut silent = BTreeSet::new();
    for (s, source) in policy.sources.iter().enumerate() {
        for (c, clause) in source.clauses.iter().enumerate() {
            if !clauses.contains(&(s as SourceId, c as u32)) {
                silent.insert(format!("{}.{}", source.name, clause.id));
            }
        }
    }
    silent.extend(
        policy
            .lists
            .iter()
            .enumerate()
            .filter(|(l, _)| !lists.contains(&(*l as ListId)))
            .map(|(_, d)| d.name.clone()),
    );
    Ok(DepGraph { policy: policy.name.clone(), graph, order, position, index, silent })
}

fn rule_kind(id: RuleId, rule: &Rule) -> NodeKind {
    if rule.exception_to.is_some() {
        NodeKind::Exception(id)
    } else {
        NodeKind::Rule(id)
    }
}

/// Every edge, by the kinds of its ends; lists, rows and clauses get nodes only if here.
fn links(policy: &Policy) -> Vec<(NodeKind, NodeKind, EdgeKind)> {
    let mut links = Vec::new();
    let reads = |e: &Expr, to: NodeKind, links: &mut Vec<_>| {
        each_read(e, &mut |r| {
            let from = match r {
                Read::Slot(s) => NodeKind::Input(s),
                Read::Let(l) => NodeKind::Let(l),
                Read::List(l) => NodeKind::List(l),
                Read::Row { list, row } => NodeKind::Row { list, row },
                Read::Key { list, key } => match key_row(policy, list, key) {
                    Some(row) => NodeKind::Row { list, row },
                    None => return,
                },
            };
            links.push((from, to, EdgeKind::Reads));
        });
    };
    let cites = |cites: &[Cite], to: NodeKind, links: &mut Vec<_>| {
        for c in cites {
            links.push((NodeKind::Clause { source: c.source, clause: c.clause }, to, EdgeKind::Cites));
        }
    };
    for (i, l) in policy.lets.iter().enumerate() {
        reads(&l.value, NodeKind::Let(i as LetId), &mut links);
    }
    for (i, r) in policy.rules.iter().enumerate() {
        let me = rule_kind(i as RuleId, r);
        r.exprs().for_each(|e| reads(e, me, &mut links));
        cites(&r.cites, me, &mut links);
        if let Some(target) = r.exception_to.and_then(|t| Some(rule_kind(t, policy.rules.get(t as usize)?))) {
            links.push((me, target, EdgeKind::Overrides));
        }
    }
    for (i, d) in policy.decisions.iter().enumerate() {
        let me = NodeKind::Decision(i as DecisionId);
        d.exprs().for_each(|e| reads(e, me, &mut links));
        cites(&d.default_cites, me, &mut links);
        for &r in &d.rules {
            if let Some(rule) = policy.rules.get(r as usize) {
                links.push((rule_kind(r, rule), me, EdgeKind::Decides));
            }
        }
    }
    for (i, c) in policy.checks.iter().enumerate() {
        let me = NodeKind::Check(i as CheckId);
        c.exprs().for_each(|e| reads(e, me, &mut links));
        cites(&c.cites, me, &mut links);
    }
    links
}

/// The row of `list` whose key is `key`.
fn key_row(policy: &Policy, list: ListId, key: &Value) -> Option<u32> {
    let def = policy.lists.get(list as usize)?;
    def.rows.iter().position(|r| r.get(def.key) == Some(key)).map(|r| r as u32)
}

/// The list whose rows a field of this type holds.
fn row_list(ty: &Type) -> Option<ListId> {
    match ty {
        Type::Row(l) => Some(*l),
        Type::Opt(inner) | Type::Set(inner) => row_list(inner),
        _ => None,
    }
}

/// The file the policy is written in: where its own declarations are.
fn home_file(p: &Policy) -> Option<qingdan_dsl::FileId> {
    let spans = p.inputs.iter().map(|x| x.span).chain(p.lets.iter().map(|x| x.span));
    let spans = spans.chain(p.rules.iter().map(|x| x.span)).chain(p.decisions.iter().map(|x| x.span));
    spans.chain(p.checks.iter().map(|x| x.span)).next().map(|s| s.file)
}

/// A node's label and span. Out-of-range ids (only possible in a hand-built IR) show as
/// `#n` rather than panicking.
fn describe(p: &Policy, kind: NodeKind) -> (String, Option<Span>) {
    let missing = |i: u32| (format!("#{i}"), None);
    match kind {
        NodeKind::Input(s) => p.slots.get(s as usize).map_or_else(
            || missing(s),
            |slot| {
                let input = p.inputs.get(slot.input as usize).map_or("?", |i| i.name.as_str());
                (format!("{input}.{}", slot.path.join(".")), Some(slot.span))
            },
        ),
        NodeKind::Let(i) => {
            p.lets.get(i as usize).map_or_else(|| missing(i), |x| (x.name.clone(), Some(x.span)))
        }
        NodeKind::Rule(i) | NodeKind::Exception(i) => {
            p.rules.get(i as usize).map_or_else(|| missing(i), |x| (x.name.clone(), Some(x.span)))
        }
        NodeKind::Decision(i) => {
            p.decisions.get(i as usize).map_or_else(|| missing(i), |x| (x.name.clone(), Some(x.span)))
        }
        NodeKind::Check(i) => {
            p.checks.get(i as usize).map_or_else(|| missing(i), |x| (x.name.clone(), Some(x.span)))
        }
        NodeKind::List(i) => {
            p.lists.get(i as usize).map_or_else(|| missing(i), |x| (x.name.clone(), Some(x.span)))
        }
        NodeKind::Row { list, row } => {
            let Some(def) = p.lists.get(list as usize) else { return missing(list) };
            let key = def
                .rows
                .get(row as usize)
                .and_then(|r| Some(p.show(r.get(def.key)?, &def.fields.get(def.key)?.1)));
            (format!("{}[{}]", def.name, key.unwrap_or_else(|| format!("#{row}"))), None)
        }
        NodeKind::Clause { source, clause } => {
            let Some(s) = p.sources.get(source as usize) else { return missing(source) };
            let id = s.clauses.get(clause as usize).map_or_else(|| format!("#{clause}"), |c| c.id.clone());
            (format!("{}.{id}", s.name), None)
        }
    }
}

/// Kahn's algorithm, always taking the lowest ready id, so the order is deterministic and
/// keeps declaration order where dependencies allow (lets come out in `policy.lets` order).
/// On a cycle, returns one cycle instead, each node depending on the next.
fn topological(g: &DiGraph<Node, EdgeKind, u32>) -> Result<Vec<NodeId>, Vec<NodeId>> {
    let n = g.node_count();
    let mut waiting = vec![0usize; n];
    for e in g.raw_edges().iter().filter(|e| e.weight.orders()) {
        waiting[e.target().index()] += 1;
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..n).filter(|&i| waiting[i] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(i)) = ready.pop() {
        order.push(NodeId::new(i));
        for e in g.edges(NodeId::new(i)).filter(|e| e.weight().orders()) {
            let t = e.target().index();
            waiting[t] -= 1;
            if waiting[t] == 0 {
                ready.push(Reverse(t));
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    // Every node left over still waits for another left-over node, so walking from one to
    // the node it waits for must come back to a node already seen: that loop is a cycle.
    let Some(start) = (0..n).find(|&i| waiting[i] > 0) else { return Ok(order) };
    let mut path = vec![start];
    while let Some(&here) = path.last() {
        let next = g
            .edges_directed(NodeId::new(here), Direction::Incoming)
            .filter(|e| e.weight().orders())
            .map(|e| e.source().index())
            .filter(|&s| waiting[s] > 0)
            .min();
        let Some(next) = next else { break };
        if let Some(at) = path.iter().position(|&p| p == next) {
            let mut cycle = path.split_off(at);
            let first = cycle.iter().enumerate().min_by_key(|(_, n)| **n).map_or(0, |(i, _)| i);
            cycle.rotate_left(first);
            return Err(cycle.into_iter().map(NodeId::new).collect());
        }
        path.push(next);
    }
    Err(path.into_iter().map(NodeId::new).collect())
}

impl DepGraph {
    /// The name of the policy the graph was built from.
    pub fn policy(&self) -> &str {
        &self.policy
    }

    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.graph[id]
    }

    /// All nodes, by id.
    pub fn nodes(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.graph.node_indices().map(|i| (i, &self.graph[i]))
    }

    /// All edges as (from, to, kind), sorted.
    pub fn edges(&self) -> Vec<(NodeId, NodeId, EdgeKind)> {
        let mut edges: Vec<_> =
            self.graph.raw_edges().iter().map(|e| (e.source(), e.target(), e.weight)).collect();
        edges.sort();
        edges
    }

    /// The node of a let, rule, input field…, if the graph has one.
    pub fn find(&self, kind: NodeKind) -> Option<NodeId> {
        self.index.get(&kind).copied()
    }

    /// Every node after everything it depends on: the order to evaluate in.
    pub fn order(&self) -> &[NodeId] {
        &self.order
    }

    /// The lets in evaluation order. Lowering already emits lets in dependency order and
    /// ties keep declaration order, so this equals `0..policy.lets.len()` for lowered IR.
    pub fn topological_lets(&self) -> Vec<LetId> {
        self.order_of(|k| match k {
            NodeKind::Let(l) => Some(l),
            _ => None,
        })
    }

    /// Rules and exceptions in evaluation order: an exception before the rule it overrides.
    pub fn topological_rules(&self) -> Vec<RuleId> {
        self.order_of(|k| match k {
            NodeKind::Rule(r) | NodeKind::Exception(r) => Some(r),
            _ => None,
        })
    }

    fn order_of(&self, pick: impl Fn(NodeKind) -> Option<u32>) -> Vec<u32> {
        self.order.iter().filter_map(|&n| pick(self.graph[n].kind)).collect()
    }
}
