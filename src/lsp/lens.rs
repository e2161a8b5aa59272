//! `qingdan graph --impact` as a code lens: above each input field, let and rule of the
//! document, how many decisions (and checks) change when it changes ("影响：3 个决定").

use qingdan_dsl::Lang;
use serde_json::{json, Value};

use super::analysis::Analysis;
use super::Reply;

pub fn code_lenses(a: &Analysis) -> Reply {
    let Some(m) = a.module else { return Ok(json!([])) };
    if a.program.has_errors() {
        return Ok(json!([]));
    }
    let name = &a.program.modules[m].module.name.name;
    let Ok(policy) = qingdan_engine::lower(&a.program, Some(name)) else { return Ok(json!([])) };
    let Ok(graph) = qingdan_engine::graph::build(&policy) else { return Ok(json!([])) };
    let lang = a.lang();
    let mut lenses = Vec::new();
    for (id, node) in graph.nodes() {
        use qingdan_engine::graph::NodeKind as N;
        let Some(span) = node.span.filter(|s| s.file == a.file) else { continue };
        if !matches!(node.kind, N::Input(_) | N::Let(_) | N::Rule(_) | N::Exception(_)) {
            continue;
        }
        let downstream = graph.dependents(&[id]);
        let decisions = downstream.iter().filter(|n| matches!(graph.node(**n).kind, N::Decision(_))).count();
        let checks = downstream.iter().filter(|n| matches!(graph.node(**n).kind, N::Check(_))).count();
        let start = a.range(span).start;
        lenses.push(json!({
            "range": { "start": start, "end": start },
            "command": { "title": title(lang, decisions, checks), "command": "" },
        }));
    }
    lenses.sort_by_key(|l| (l["range"]["start"]["line"].as_u64(), l["range"]["start"]["character"].as_u64()));
    Ok(Value::Array(lenses))
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
