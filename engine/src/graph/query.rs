//! Queries on a [`DepGraph`]: what a change affects (`impact`) and what a decision rests
//! on (`why`), with names resolved the way a drafter writes them.

use std::collections::BTreeSet;
use std::fmt;

use petgraph::Direction;
use qingdan_dsl::check::suggest;

use super::{DepGraph, NodeId, NodeKind};
use crate::ir::{CheckId, DecisionId};

/// A name given to [`DepGraph::impact`] or [`DepGraph::why`] that cannot be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryError {
    Unknown {
        name: String,
        suggestion: Option<String>,
    },
    /// A field path without its input's name that several inputs have.
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::Unknown { name, suggestion } => {
                write!(
                    f,
                    "`{name}` is not an input field, clause, let, list, rule, decision or check (未找到)"
                )?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{s}`?"),
                    None => Ok(()),
                }
            }
            QueryError::Ambiguous { name, candidates } => {
                let list: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
                write!(
                    f,
                    "`{name}` is a field of several inputs: {}; write the input's name too (名称有歧义)",
                    list.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for QueryError {}

/// What a change to some nodes affects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Impact {
    /// The nodes the queried name resolved to (several for a record-typed input field).
    pub targets: Vec<NodeId>,
    /// The targets and everything downstream of them, in topological order.
    pub affected: Vec<NodeId>,
    pub decisions: Vec<DecisionId>,
    pub checks: Vec<CheckId>,
}

/// What some nodes depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Why {
    pub targets: Vec<NodeId>,
    /// Everything upstream of the targets (not the targets), in topological order.
    pub dependencies: Vec<NodeId>,
}

impl DepGraph {
    /// Everything downstream of `from` (not `from` itself unless on a path back), in
    /// topological order.
    pub fn dependents(&self, from: &[NodeId]) -> Vec<NodeId> {
        self.reach(from, Direction::Outgoing)
    }

    /// Everything upstream of `of`, in topological order.
    pub fn dependencies(&self, of: &[NodeId]) -> Vec<NodeId> {
        self.reach(of, Direction::Incoming)
    }

    fn reach(&self, start: &[NodeId], dir: Direction) -> Vec<NodeId> {
        let mut seen = vec![false; self.len()];
        let mut work: Vec<NodeId> = start.to_vec();
        let mut found = Vec::new();
        while let Some(n) = work.pop() {
            for next in self.graph.neighbors_directed(n, dir) {
                if !seen[next.index()] {
                    seen[next.index()] = true;
                    found.push(next);
                    work.push(next);
                }
            }
        }
        self.sort_topologically(&mut found);
        found
    }

    fn sort_topologically(&self, nodes: &mut [NodeId]) {
        nodes.sort_by_key(|n| self.position[n.index()]);
    }

    /// Every decision and check that depends on `name`: an input field (`申请.每月频次`,
    /// or `每月频次` when one input has it; a record field stands for all its leaves), a
    /// clause (`杭州决定.五`), or any other node's label.
    pub fn impact(&self, name: &str) -> Result<Impact, QueryError> {
        let targets = self.resolve(name)?;
        let mut affected = targets.clone();
        affected.extend(self.dependents(&targets).into_iter().filter(|n| !targets.contains(n)));
        self.sort_topologically(&mut affected);
        let mut decisions = Vec::new();
        let mut checks = Vec::new();
        for &n in &affected {
            match self.graph[n].kind {
                NodeKind::Decision(d) => decisions.push(d),
                NodeKind::Check(c) => checks.push(c),
                _ => {}
            }
        }
        Ok(Impact { targets, affected, decisions, checks })
    }

    /// Everything the decision (or check, or any node) `name` depends on.
    pub fn why(&self, name: &str) -> Result<Why, QueryError> {
        let targets = self.resolve(name)?;
        let dependencies = self.dependencies(&targets).into_iter().filter(|n| !targets.contains(n)).collect();
        Ok(Why { targets, dependencies })
    }

    /// The nodes a queried name stands for. Exact labels first (of the preferred kind when
    /// several share one), then a record field's leaves, then a field path without its
    /// input's name. A clause or list that exists but has no node resolves to nothing.
    fn resolve(&self, name: &str) -> Result<Vec<NodeId>, QueryError> {
        let name = name.trim();
        let exact: Vec<NodeId> = self.graph.node_indices().filter(|&n| self.graph[n].label == name).collect();
        if let Some(best) = exact.iter().map(|&n| self.graph[n].kind.preference()).min() {
            return Ok(exact.into_iter().filter(|&n| self.graph[n].kind.preference() == best).collect());
        }
        let inputs =
            || self.graph.node_indices().filter(|&n| matches!(self.graph[n].kind, NodeKind::Input(_)));
        let under =
            |label: &str, path: &str| label.strip_prefix(path).is_some_and(|rest| rest.starts_with('.'));
        let record: Vec<NodeId> = inputs().filter(|&n| under(&self.graph[n].label, name)).collect();
        if !record.is_empty() {
            return Ok(record);
        }
        // `每月频次` for `申请.每月频次`: the label after the input's name.
        let short = |n: NodeId| {
            self.graph[n].label.split_once('.').map(|(input, rest)| (input.to_string(), rest.to_string()))
        };
        let matches: Vec<(NodeId, String)> = inputs()
            .filter_map(|n| short(n).map(|(input, rest)| (n, input, rest)))
            .filter(|(_, _, rest)| rest == name || under(rest, name))
            .map(|(n, input, _)| (n, input))
            .collect();
        let inputs_hit: BTreeSet<&str> = matches.iter().map(|(_, i)| i.as_str()).collect();
        if inputs_hit.len() > 1 {
            let candidates = inputs_hit.iter().map(|i| format!("{i}.{name}")).collect();
            return Err(QueryError::Ambiguous { name: name.to_string(), candidates });
        }
        if !matches.is_empty() {
            return Ok(matches.into_iter().map(|(n, _)| n).collect());
        }
        if self.silent.contains(name) {
            return Ok(Vec::new());
        }
        // Candidates paired with what to suggest: a near miss of a field's short path is
        // answered with the full path, which is unambiguous.
        let mut candidates: Vec<(String, String)> =
            inputs().filter_map(|n| short(n).map(|(_, rest)| (rest, self.graph[n].label.clone()))).collect();
        candidates.extend(self.graph.node_weights().map(|n| (n.label.clone(), n.label.clone())));
        candidates.extend(self.silent.iter().map(|s| (s.clone(), s.clone())));
        let suggestion = suggest::closest(name, candidates.iter().map(|(c, _)| c.as_str()))
            .and_then(|c| candidates.iter().find(|(x, _)| x == c))
            .map(|(_, full)| full.clone());
        Err(QueryError::Unknown { name: name.to_string(), suggestion })
    }
}
