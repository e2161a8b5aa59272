//! `qingdan graph --impact` as a code lens: above each input field, let and rule of the
//! document, how many decisions (and checks) change when it changes ("影响：3 个决定").
//! The lens carries the command `qingdan.showImpact` (the VS Code extension's: a quick pick
//! of those decisions), which asks the server for them through `workspace/executeCommand`
//! with [`IMPACT_COMMAND`].

use qingdan_dsl::Lang;
use qingdan_engine::graph::{DepGraph, NodeId, NodeKind as N};
use serde_json::{json, Value};

use super::analysis::Analysis;
use super::{invalid_params, Reply};

/// The command the lens runs in the client.
pub const SHOW_COMMAND: &str = "qingdan.showImpact";
/// The server's command: the decisions and checks downstream of the lens's node.
pub const IMPACT_COMMAND: &str = "qingdan.impact";

/// The document's dependency graph, when it checks clean.
fn graph(a: &Analysis) -> Option<DepGraph> {
    let m = a.module?;
    if a.program.has_errors() {
        return None;
    }
    let name = &a.program.modules[m].module.name.name;
    let policy = qingdan_engine::lower(&a.program, Some(name)).ok()?;
    qingdan_engine::graph::build(&policy).ok()
}

/// The nodes a lens stands above: the document's inputs, lets, rules and exceptions.
fn lens_nodes<'g>(
    a: &'g Analysis,
    graph: &'g DepGraph,
) -> impl Iterator<Item = (NodeId, qingdan_dsl::Span)> + 'g {
    graph.nodes().filter_map(move |(id, node)| {
        let span = node.span.filter(|s| s.file == a.file)?;
        matches!(node.kind, N::Input(_) | N::Let(_) | N::Rule(_) | N::Exception(_)).then_some((id, span))
    })
}

/// The decisions and checks downstream of `id`.
fn impacted(graph: &DepGraph, id: NodeId) -> Vec<NodeId> {
    let downstream = graph.dependents(&[id]);
    downstream.into_iter().filter(|n| matches!(graph.node(*n).kind, N::Decision(_) | N::Check(_))).collect()
}

pub fn code_lenses(a: &Analysis) -> Reply {
    let Some(graph) = graph(a) else { return Ok(json!([])) };
    let lang = a.lang();
    let uri = &a.uris[a.file.0 as usize];
    let mut lenses = Vec::new();
    for (id, span) in lens_nodes(a, &graph) {
        let downstream = impacted(&graph, id);
        let decisions = downstream.iter().filter(|n| matches!(graph.node(**n).kind, N::Decision(_))).count();
        let checks = downstream.len() - decisions;
        let start = a.range(span).start;
        let title = title(lang, decisions, checks);
        lenses.push(json!({
            "range": { "start": start, "end": start },
            "command": { "title": title, "command": SHOW_COMMAND, "arguments": [uri, start] },
        }));
    }
    lenses.sort_by_key(|l| (l["range"]["start"]["line"].as_u64(), l["range"]["start"]["character"].as_u64()));
    Ok(Value::Array(lenses))
}

/// `qingdan.impact` at byte `offset` (where a lens stands): each decision and check
/// downstream, with its kind (in the document's language) and location.
pub fn impact(a: &Analysis, offset: usize) -> Reply {
    let graph = graph(a).ok_or_else(|| invalid_params("the policy does not check clean"))?;
    let offset = offset as u32;
    let (id, _) = lens_nodes(a, &graph)
        .filter(|(_, s)| s.start <= offset && offset <= s.end)
        .min_by_key(|(_, s)| s.end - s.start)
        .ok_or_else(|| invalid_params("no input, let or rule here"))?;
    let lang = a.lang();
    let found: Vec<Value> = impacted(&graph, id)
        .into_iter()
        .map(|n| {
            let node = graph.node(n);
            let kind = match (node.kind, lang) {
                (N::Decision(_), Lang::Zh) => "决定",
                (N::Decision(_), Lang::En) => "decision",
                (_, Lang::Zh) => "检查",
                (_, Lang::En) => "check",
            };
            let mut item = json!({ "name": node.label, "kind": kind });
            if let Some(span) = node.span {
                item["location"] = a.location(span);
            }
            item
        })
        .collect();
    Ok(json!(found))
}

fn title(lang: Lang, decisions: usize, checks: usize) -> String {
    match (lang, checks) {
        (Lang::Zh, 0) => format!("影响：{decisions} 个决定"),
        (Lang::Zh, _) => format!("影响：{decisions} 个决定、{checks} 项检查"),
        (Lang::En, 0) => format!("impact: {decisions} decision{}", plural(decisions)),
        (Lang::En, _) => {
            format!("impact: {decisions} decision{}, {checks} check{}", plural(decisions), plural(checks))
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
