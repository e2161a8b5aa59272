//! The manifest a module carries in its `qingdan` custom section (JSON): its types are the
//! runtime's (`qingdan_runtime::manifest`, where the host reads it); here a manifest is
//! made from a policy, and a policy with its interface made back from a manifest.

use qingdan_dsl::syntax::ast::Modality;
use qingdan_dsl::{FileId, Lang, Span};
pub use qingdan_runtime::manifest::*;

use super::layout::{Layout, ABI_VERSION};
use crate::eval::explain::rule_reads;
use crate::ir::{self, Combining, Expr, ExprKind, Policy, Type};
use crate::value::Value;

fn cites(cs: &[ir::Cite]) -> Vec<(u32, u32)> {
    cs.iter().map(|c| (c.source, c.clause)).collect()
}

/// A policy's manifest, and a policy from a manifest.
pub trait ManifestOf {
    fn site(&self, n: i32) -> Span;
    fn to_policy(&self, rows: Vec<Vec<Vec<Value>>>) -> Policy;
}

/// The manifest of `p` compiled with `layout`.
pub(super) fn manifest_of(
    p: &Policy,
    layout: &Layout,
    columns: &[Vec<Column>],
    sites: Vec<Span>,
    hash: &str,
) -> Manifest {
    Manifest {
        abi: ABI_VERSION,
        policy: p.name.clone(),
        lang: if p.lang == Lang::Zh { "zh" } else { "en" }.into(),
        hash: hash.into(),
        layout: layout.clone(),
        inputs: p.inputs.iter().map(|i| Input { name: i.name.clone(), fields: i.fields.clone() }).collect(),
        slots: p
            .slots
            .iter()
            .map(|s| Slot { input: s.input, path: s.path.clone(), ty: s.ty.clone() })
            .collect(),
        enums: p
            .enums
            .iter()
            .map(|e| Enum {
                name: e.name.clone(),
                variants: e
                    .variants
                    .iter()
                    .map(|v| Variant { name: v.name.clone(), fields: v.fields.clone() })
                    .collect(),
            })
            .collect(),
        lists: p
            .lists
            .iter()
            .zip(columns)
            .map(|(l, cols)| List {
                name: l.name.clone(),
                fields: l.fields.clone(),
                key: l.key,
                rows: l.rows.len() as u32,
                columns: cols.clone(),
                dates: l.dates,
            })
            .collect(),
        sources: p
            .sources
            .iter()
            .map(|s| Source {
                name: s.name.clone(),
                title: s.title.clone(),
                clauses: s.clauses.iter().map(|c| (c.id.clone(), c.text.clone())).collect(),
            })
            .collect(),
        lets: p
            .lets
            .iter()
            .map(|l| Named { name: l.name.clone(), ty: l.ty.clone(), versions: l.versions.clone() })
            .collect(),
        rules: (0..p.rules.len() as u32)
            .map(|r| {
                let rule = &p.rules[r as usize];
                Rule {
                    name: rule.name.clone(),
                    decision: rule.decision,
                    exception_to: rule.exception_to,
                    outcome: rule.then.as_ref().map(|t| t.variant),
                    reason: rule.then.as_ref().and_then(|t| t.reason.clone()),
                    cites: cites(&rule.cites),
                    reads: rule_reads(p, r),
                    version: rule.version.clone(),
                }
            })
            .collect(),
        decisions: p.decisions.iter().map(decision).collect(),
        checks: p
            .checks
            .iter()
            .map(|c| Check {
                name: c.name.clone(),
                modality: match c.modality {
                    Modality::Must => "must",
                    Modality::May => "may",
                    Modality::MustNot => "must not",
                }
                .into(),
                over: c.scope.as_ref().map(|s| s.over.ty.clone()),
                reason: c.reason.clone(),
                cites: cites(&c.cites),
                reads_case: c.reads_case(),
            })
            .collect(),
        sites: sites.iter().map(|s| [s.file.0, s.start, s.end]).collect(),
        decision_date: p.decision_date,
    }
}

impl ManifestOf for Manifest {
    /// The span of site `n`, as the interpreter would report it.
    fn site(&self, n: i32) -> Span {
        usize::try_from(n)
            .ok()
            .and_then(|n| self.sites.get(n))
            .map(|[f, s, e]| Span { file: FileId(*f), start: *s, end: *e })
            .unwrap_or_default()
    }

    /// A policy with this manifest's interface and no rule bodies: what the case reader,
    /// `Policy::show` and explanations need. `rows` gives each list's rows, read from the
    /// module's memory.
    fn to_policy(&self, rows: Vec<Vec<Vec<Value>>>) -> Policy {
        let nothing =
            || Expr { kind: ExprKind::Const(Value::Bool(false)), ty: Type::Bool, span: Span::default() };
        let outcome = |variant: u32, reason: Option<String>, fields: usize| ir::OutcomeExpr {
            variant,
            fields: vec![nothing(); fields],
            reason,
            span: Span::default(),
        };
        let fields_of = |e: u32, v: u32| {
            self.enums.get(e as usize).and_then(|e| e.variants.get(v as usize)).map_or(0, |v| v.fields.len())
        };
        let mut rows = rows.into_iter();
        Policy {
            name: self.policy.clone(),
            lang: if self.lang == "zh" { Lang::Zh } else { Lang::En },
            inputs: self
                .inputs
                .iter()
                .map(|i| ir::Input { name: i.name.clone(), fields: i.fields.clone(), span: Span::default() })
                .collect(),
            slots: self
                .slots
                .iter()
                .map(|s| ir::Slot {
                    path: s.path.clone(),
                    input: s.input,
                    ty: s.ty.clone(),
                    span: Span::default(),
                })
                .collect(),
            enums: self
                .enums
                .iter()
                .map(|e| ir::EnumDef {
                    name: e.name.clone(),
                    variants: e
                        .variants
                        .iter()
                        .map(|v| ir::VariantDef { name: v.name.clone(), fields: v.fields.clone() })
                        .collect(),
                })
                .collect(),
            lists: self
                .lists
                .iter()
                .map(|l| {
                    let rows = ir::Rows::from_rows(l.fields.len(), rows.next().unwrap_or_default());
                    ir::ListDef {
                        name: l.name.clone(),
                        fields: l.fields.clone(),
                        key: l.key,
                        row_spans: vec![Span::default(); rows.len()],
                        rows,
                        span: Span::default(),
                        dates: l.dates,
                    }
                })
                .collect(),
            sources: self
                .sources
                .iter()
                .map(|s| ir::SourceDef {
                    name: s.name.clone(),
                    title: s.title.clone(),
                    clauses: s
                        .clauses
                        .iter()
                        .map(|(id, text)| ir::ClauseDef { id: id.clone(), text: text.clone() })
                        .collect(),
                })
                .collect(),
            lets: self
                .lets
                .iter()
                .map(|l| ir::Let {
                    name: l.name.clone(),
                    ty: l.ty.clone(),
                    value: nothing(),
                    span: Span::default(),
                    versions: l.versions.clone(),
                })
                .collect(),
            rules: self
                .rules
                .iter()
                .map(|r| {
                    let enum_id = self.decisions.get(r.decision as usize).map_or(0, |d| d.outcome_enum);
                    ir::Rule {
                        name: r.name.clone(),
                        version: r.version.clone(),
                        decision: r.decision,
                        exception_to: r.exception_to,
                        when: nothing(),
                        unless: Vec::new(),
                        then: r.outcome.map(|v| outcome(v, r.reason.clone(), fields_of(enum_id, v))),
                        cites: r.cites.iter().map(|&(source, clause)| ir::Cite { source, clause }).collect(),
                        span: Span::default(),
                    }
                })
                .collect(),
            decisions: self
                .decisions
                .iter()
                .map(|d| ir::Decision {
                    name: d.name.clone(),
                    outcome_enum: d.outcome_enum,
                    combining: match d.combining.as_str() {
                        "priority" => Combining::Priority(d.ranks.clone()),
                        "first" => Combining::First,
                        "collect" => Combining::Collect,
                        _ => Combining::Unique,
                    },
                    merge: d.merge,
                    default: d
                        .default
                        .map(|v| outcome(v, d.default_reason.clone(), fields_of(d.outcome_enum, v))),
                    default_cites: d
                        .default_cites
                        .iter()
                        .map(|&(source, clause)| ir::Cite { source, clause })
                        .collect(),
                    rules: d.rules.clone(),
                    span: Span::default(),
                })
                .collect(),
            checks: self
                .checks
                .iter()
                .map(|c| ir::Check {
                    name: c.name.clone(),
                    modality: match c.modality.as_str() {
                        "must" => Modality::Must,
                        "may" => Modality::May,
                        _ => Modality::MustNot,
                    },
                    scope: c.over.as_ref().map(|ty| ir::CheckScope {
                        over: Expr {
                            kind: ExprKind::Const(Value::None),
                            ty: ty.clone(),
                            span: Span::default(),
                        },
                        filter: None,
                    }),
                    body: nothing(),
                    reason: c.reason.clone(),
                    cites: c.cites.iter().map(|&(source, clause)| ir::Cite { source, clause }).collect(),
                    span: Span::default(),
                })
                .collect(),
            tests: Vec::new(),
            decision_date: self.decision_date,
        }
    }
}

fn decision(d: &ir::Decision) -> Decision {
    let (combining, ranks) = match &d.combining {
        Combining::Priority(r) => ("priority", r.clone()),
        Combining::First => ("first", Vec::new()),
        Combining::Collect => ("collect", Vec::new()),
        Combining::Unique => ("unique", Vec::new()),
    };
    Decision {
        name: d.name.clone(),
        outcome_enum: d.outcome_enum,
        combining: combining.into(),
        ranks,
        merge: d.merge,
        default: d.default.as_ref().map(|o| o.variant),
        default_reason: d.default.as_ref().and_then(|o| o.reason.clone()),
        default_cites: cites(&d.default_cites),
        rules: d.rules.clone(),
    }
}
