//! `qingdan graph`: a policy's dependency graph, whole (`--as dot|mermaid|json`) or around
//! one name: what a change to an input field or clause affects (`--impact`), what a
//! decision rests on (`--why`).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use qingdan_engine::graph::{self, DepGraph, NodeId};

use crate::commands::{load_policy, Output};
use crate::exit;
use crate::i18n::messages;

/// The export format is chosen with `--as`, not `--format`: `--format` is the global
/// choice of how diagnostics are printed, and a policy with errors still reports them.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The policy file (or a folder holding it with the policies it uses).
    pub path: PathBuf,
    /// Which policy, when the path holds several.
    #[arg(long)]
    pub policy: Option<String>,
    /// Export format. Default: dot for the whole graph; with --impact or --why, a list of
    /// names, or the subgraph in this format when given.
    #[arg(long = "as", value_enum, value_name = "FORMAT")]
    pub as_format: Option<GraphFormat>,
    /// List every decision and check that depends on this input field (`申请.每月频次`, or
    /// `每月频次` when only one input has it) or clause (`杭州决定.五`).
    #[arg(long, value_name = "FIELD|CLAUSE", conflicts_with = "why")]
    pub impact: Option<String>,
    /// List everything this decision (or check, rule, let) depends on.
    #[arg(long, value_name = "DECISION")]
    pub why: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart (renders in Markdown on GitHub and GitLab).
    Mermaid,
    /// Nodes and edges, one per line (schema in `engine/src/graph/export.rs`).
    Json,
}

pub(crate) fn run(args: &GraphArgs, opts: &Output, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let policy = match load_policy(&args.path, args.policy.as_deref(), opts, out, err) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let g = match graph::build(&policy) {
        Ok(g) => g,
        Err(e) => {
            let _ = writeln!(err, "qingdan: {e}");
            return exit::FAILED;
        }
    };
    // (the subgraph to export, the nodes to list when no format is asked for)
    let query = if let Some(name) = &args.impact {
        g.impact(name).map(|i| {
            let listed = i.affected.iter().copied().filter(|&n| is_outcome(&g, n)).collect();
            (i.affected, listed)
        })
    } else if let Some(name) = &args.why {
        g.why(name).map(|w| {
            let mut nodes = w.dependencies.clone();
            nodes.extend(&w.targets);
            (nodes, w.dependencies)
        })
    } else {
        let text = export(&g.view(), args.as_format.unwrap_or(GraphFormat::Dot));
        let _ = write!(out, "{text}");
        return exit::OK;
    };
    let lang = opts.asked_lang().unwrap_or(policy.lang);
    let (subgraph, listed) = match query {
        Ok(q) => q,
        Err(e) => {
            let _ = writeln!(err, "qingdan: {}", messages::graph_query_error(lang, &e));
            return exit::USAGE;
        }
    };
    match args.as_format {
        Some(format) => {
            let _ = write!(out, "{}", export(&g.view_of(&subgraph), format));
        }
        None if listed.is_empty() => {
            // Not an error, but an empty stdout alone could look like a failure.
            let what = match (&args.impact, &args.why) {
                (Some(name), _) => messages::nothing_depends_on(lang, name),
                (_, Some(name)) => messages::depends_on_nothing(lang, name),
                _ => String::new(),
            };
            let _ = writeln!(err, "qingdan: {what}");
        }
        None => {
            for n in listed {
                let node = g.node(n);
                let kind = messages::node_kind(lang, node.kind.name());
                let _ = writeln!(out, "{} {}", pad(kind, 9), node.label);
            }
        }
    }
    exit::OK
}

fn is_outcome(g: &DepGraph, n: NodeId) -> bool {
    matches!(g.node(n).kind, graph::NodeKind::Decision(_) | graph::NodeKind::Check(_))
}

fn export(view: &graph::View<'_>, format: GraphFormat) -> String {
    match format {
        GraphFormat::Dot => view.dot(),
        GraphFormat::Mermaid => view.mermaid(),
        GraphFormat::Json => view.json(),
    }
}

/// `text` padded with spaces to `width` columns (a Chinese character takes two).
fn pad(text: &str, width: usize) -> String {
    let used: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}
