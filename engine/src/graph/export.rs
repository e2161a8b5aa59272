//! Exports of a [`DepGraph`], whole or in part: Graphviz DOT, Mermaid and JSON.
//!
//! All three list nodes by id and edges sorted by (from, to, kind), one per line, so the
//! same policy always gives the same text and a change shows as a small diff. A node's id
//! is `n<index>` in every format, and the same in a subgraph as in the whole graph. Edges
//! point from a dependency to its dependent (see the [module docs](super)).
//!
//! The JSON document (stable; consumers such as the playground may rely on it):
//!
//! ```text
//! {
//!   "policy": "网格事务准入",
//!   "nodes": [
//!     {"id":"n3","kind":"input","label":"申请.每月频次","span":{"file":0,"start":1203,"end":1218}},
//!     …
//!   ],
//!   "edges": [
//!     {"from":"n3","to":"n12","kind":"reads"},
//!     …
//!   ]
//! }
//! ```
//!
//! - `kind` of a node: `input`, `let`, `rule`, `exception`, `decision`, `check`, `list`,
//!   `row`, `clause`. `label` is the name as written in the policy (an input field with its
//!   input's name, a clause as `source.clause`, a row as `list[key]`).
//! - `span` is the declaration's byte range; absent for rows and clauses. `file` is the
//!   index of the file among those the program was checked from (0: the first file given).
//! - `kind` of an edge: `reads`, `overrides`, `cites`, `decides`, `references`, `contains`;
//!   `to` depends on `from`.

use std::fmt::Write;

use super::{DepGraph, EdgeKind, Node, NodeId, NodeKind};

/// A set of nodes of a graph to export, and the edges between them.
#[derive(Clone, Debug)]
pub struct View<'g> {
    graph: &'g DepGraph,
    keep: Vec<bool>,
}

impl DepGraph {
    /// The whole graph.
    pub fn view(&self) -> View<'_> {
        View { graph: self, keep: vec![true; self.len()] }
    }

    /// The nodes `nodes` and the edges among them.
    pub fn view_of(&self, nodes: &[NodeId]) -> View<'_> {
        let mut keep = vec![false; self.len()];
        for n in nodes {
            if let Some(k) = keep.get_mut(n.index()) {
                *k = true;
            }
        }
        View { graph: self, keep }
    }
}

impl View<'_> {
    fn nodes(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.graph.nodes().filter(|(n, _)| self.keep[n.index()])
    }

    fn edges(&self) -> impl Iterator<Item = (NodeId, NodeId, EdgeKind)> + '_ {
        self.graph.edges().into_iter().filter(|(a, b, _)| self.keep[a.index()] && self.keep[b.index()])
    }

    /// Graphviz DOT, left to right; shapes tell kinds apart, edges other than `reads` are
    /// labelled.
    pub fn dot(&self) -> String {
        let mut out = format!(
            "digraph {} {{\n  rankdir=LR;\n  node [fontname=\"sans-serif\"];\n",
            dot_str(self.graph.policy())
        );
        for (id, node) in self.nodes() {
            let _ = writeln!(
                out,
                "  n{} [label={}, {}];",
                id.index(),
                dot_str(&node.label),
                dot_shape(node.kind)
            );
        }
        for (a, b, kind) in self.edges() {
            let attrs = match kind {
                EdgeKind::Reads => String::new(),
                other => format!(" [label=\"{}\", style={}]", other.name(), dot_style(other)),
            };
            let _ = writeln!(out, "  n{} -> n{}{attrs};", a.index(), b.index());
        }
        out.push_str("}\n");
        out
    }

    /// A Mermaid `flowchart LR`: ASCII ids, labels in quotes with entity escapes.
    pub fn mermaid(&self) -> String {
        let mut out = format!("flowchart LR\n  %% {}\n", self.graph.policy().replace('\n', " "));
        for (id, node) in self.nodes() {
            let (open, close) = mermaid_shape(node.kind);
            let _ = writeln!(out, "  n{}{open}\"{}\"{close}", id.index(), mermaid_text(&node.label));
        }
        for (a, b, kind) in self.edges() {
            let arrow = match kind {
                EdgeKind::Reads => "-->".to_string(),
                EdgeKind::Overrides => "-.->|overrides|".to_string(),
                other => format!("-->|{}|", other.name()),
            };
            let _ = writeln!(out, "  n{} {arrow} n{}", a.index(), b.index());
        }
        out
    }

    /// The JSON document described in the module docs, one node or edge per line. Written
    /// by hand rather than by serde_json so that keys keep the documented order.
    pub fn json(&self) -> String {
        let text = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let nodes: Vec<String> = self
            .nodes()
            .map(|(id, n)| {
                let span = n.span.map_or_else(String::new, |s| {
                    format!(r#","span":{{"file":{},"start":{},"end":{}}}"#, s.file.0, s.start, s.end)
                });
                format!(
                    r#"{{"id":"n{}","kind":"{}","label":{}{span}}}"#,
                    id.index(),
                    n.kind.name(),
                    text(&n.label)
                )
            })
            .collect();
        let edges: Vec<String> = self
            .edges()
            .map(|(a, b, k)| {
                format!(r#"{{"from":"n{}","to":"n{}","kind":"{}"}}"#, a.index(), b.index(), k.name())
            })
            .collect();
        let list = |items: Vec<String>| {
            if items.is_empty() {
                "[]".to_string()
            } else {
                format!("[\n    {}\n  ]", items.join(",\n    "))
            }
        };
        format!(
            "{{\n  \"policy\": {},\n  \"nodes\": {},\n  \"edges\": {}\n}}\n",
            text(self.graph.policy()),
            list(nodes),
            list(edges)
        )
    }
}

/// A DOT quoted string: backslashes and quotes escaped, line breaks as `\n`.
fn dot_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn dot_shape(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Input(_) => "shape=box, style=rounded",
        NodeKind::Let(_) => "shape=ellipse",
        NodeKind::Rule(_) => "shape=box",
        NodeKind::Exception(_) => "shape=box, style=dashed",
        NodeKind::Decision(_) => "shape=doubleoctagon",
        NodeKind::Check(_) => "shape=hexagon",
        NodeKind::List(_) => "shape=cylinder",
        NodeKind::Row { .. } => "shape=box3d",
        NodeKind::Clause { .. } => "shape=note",
    }
}

fn dot_style(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Reads | EdgeKind::Decides => "solid",
        EdgeKind::Overrides | EdgeKind::References => "dashed",
        EdgeKind::Cites | EdgeKind::Contains => "dotted",
    }
}

fn mermaid_shape(kind: NodeKind) -> (&'static str, &'static str) {
    match kind {
        NodeKind::Input(_) => ("([", "])"),
        NodeKind::Let(_) => ("(", ")"),
        NodeKind::Rule(_) => ("[", "]"),
        NodeKind::Exception(_) => ("[/", "/]"),
        NodeKind::Decision(_) => ("[[", "]]"),
        NodeKind::Check(_) => ("{{", "}}"),
        NodeKind::List(_) => ("[(", ")]"),
        NodeKind::Row { .. } => ("[/", "\\]"),
        NodeKind::Clause { .. } => (">", "]"),
    }
}

/// Text inside a quoted Mermaid label. Mermaid decodes `#name;` entities and reads `<…>`
/// as HTML, so `#`, quotes and angle brackets become entities.
fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
