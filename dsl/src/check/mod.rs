//! Name resolution and type checking of a set of policies checked together.
//!
//! [`env::collect`] first records every declaration; then each expression is typed in
//! [`expr`], each declaration checked in [`decls`]. Problems are collected, never fatal:
//! after an error the offending value gets [`Ty::Error`], which fits everywhere, so one
//! mistake is reported once.

pub mod builtins;
mod decls;
pub mod env;
mod expr;
mod names;
mod rows;
pub mod suggest;
pub mod types;
pub mod versions;

use std::collections::{HashMap, HashSet};

pub use env::{Def, Env};
pub use types::Ty;

use crate::diag::{msg, Code, Diagnostic};
use crate::source::SourceMap;
use crate::syntax::ast::{Decl, KeyValue, Module};

/// Rows of lists written in YAML/CSV files: (module index, declaration index) → items.
pub type IncludedRows = HashMap<(usize, usize), crate::include::FileRows>;

/// The result of checking: the tables (for later stages) and every problem found.
#[derive(Debug)]
pub struct Checked {
    pub env: Env,
    /// For each rule or exception (module, decl index): its decision's decl index.
    pub rule_decisions: HashMap<(usize, usize), usize>,
    /// The type of every expression, by its span, as narrowed where it stands; later
    /// stages read it instead of typing again.
    pub expr_types: HashMap<crate::source::Span, Ty>,
    /// The inferred type of each `let` (module, decl index).
    pub let_types: HashMap<(usize, usize), Ty>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn check(modules: &[Module], included: &IncludedRows, sources: &SourceMap) -> Checked {
    let mut diags = Vec::new();
    let env = env::collect(modules, &mut diags);
    let mut c = Checker {
        list_keys: vec![HashMap::default(); env.lists.len()],
        env,
        modules,
        included,
        sources,
        diags,
        lets: HashMap::new(),
        expr_types: HashMap::new(),
        let_stack: Vec::new(),
        used_lets: HashSet::new(),
        rule_decisions: HashMap::new(),
        record_types: true,
        dated_use_told: HashSet::new(),
    };
    c.collect_lists();
    for m in 0..modules.len() {
        c.assign_decisions(m);
    }
    for m in 0..modules.len() {
        c.check_module(m);
    }
    c.report_unused();
    let let_types = c
        .lets
        .into_iter()
        .filter_map(|(k, state)| match state {
            LetState::Done(t) => Some((k, t)),
            LetState::InProgress => None,
        })
        .collect();
    Checked {
        env: c.env,
        rule_decisions: c.rule_decisions,
        let_types,
        expr_types: c.expr_types,
        diagnostics: c.diags,
    }
}

enum LetState {
    InProgress,
    Done(Ty),
}

struct Checker<'a> {
    env: Env,
    modules: &'a [Module],
    included: &'a IncludedRows,
    sources: &'a SourceMap,
    diags: Vec<Diagnostic>,
    /// Each list's row keys and where each was first written: the checker's alone (what
    /// references are checked against), so that they go when it does.
    list_keys: Vec<HashMap<KeyValue, crate::source::Span, foldhash::fast::RandomState>>,
    lets: HashMap<(usize, usize), LetState>,
    /// The lets being typed, outermost first: a let met again here closes a cycle.
    let_stack: Vec<(usize, usize)>,
    used_lets: HashSet<(usize, usize)>,
    rule_decisions: HashMap<(usize, usize), usize>,
    expr_types: HashMap<crate::source::Span, Ty>,
    /// Off while the rows of a list read from a file are checked: their types are the
    /// columns' declared ones, and a 100,000-row list would add a million entries.
    record_types: bool,
    /// (policy, list) pairs already told that the policy reads another's dated list
    /// without naming its decision date (E0143 once each).
    dated_use_told: HashSet<(usize, usize)>,
}

/// What an expression is checked in: its module, the variables bound around it, and the
/// optional values known to be present there (narrowing), by their path text.
#[derive(Clone, Debug, Default)]
struct Cx {
    module: usize,
    locals: Vec<(String, Ty)>,
    present: Vec<String>,
}

impl Cx {
    fn new(module: usize) -> Cx {
        Cx { module, ..Cx::default() }
    }

    fn local(&self, name: &str) -> Option<&Ty> {
        self.locals.iter().rev().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    fn with_local(&self, name: &str, ty: Ty) -> Cx {
        let mut cx = self.clone();
        cx.locals.push((name.to_string(), ty));
        // What was known about an outer value of this name says nothing about the new one.
        cx.present.retain(|k| {
            k.strip_prefix(name).is_none_or(|rest| !(rest.is_empty() || rest.starts_with(['.', '['])))
        });
        cx
    }

    fn knowing(&self, facts: Vec<String>) -> Cx {
        let mut cx = self.clone();
        cx.present.extend(facts);
        cx
    }
}

impl Checker<'_> {
    fn check_module(&mut self, m: usize) {
        let module = &self.modules[m];
        for (i, decl) in module.decls.iter().enumerate() {
            match decl {
                Decl::List(l) => self.check_list(m, i, l),
                Decl::Let(_) => {
                    self.let_type(m, i);
                }
                Decl::Decision(d) => self.check_decision(m, d),
                _ => {}
            }
        }
        // Rules need every decision's type; tests need every rule's decision.
        for (i, decl) in module.decls.iter().enumerate() {
            match decl {
                Decl::Rule(r) => self.check_rule(m, i, r),
                Decl::Check(c) => self.check_check(m, c),
                _ => {}
            }
        }
        for decl in &module.decls {
            if let Decl::Test(t) = decl {
                self.check_test(m, t);
            }
        }
        self.check_empty_decisions(m);
        self.check_versions(m);
    }

    /// Whether another version of this let (one with the same name) is used: a name is
    /// looked up once, so only its first version is ever marked used.
    fn version_used(&self, m: usize, l: &crate::syntax::ast::LetDecl) -> bool {
        l.in_force.is_some()
            && self.modules[m].decls.iter().enumerate().any(|(j, d)| {
                matches!(d, Decl::Let(o) if o.name.name == l.name.name) && self.used_lets.contains(&(m, j))
            })
    }

    fn report_unused(&mut self) {
        for (m, module) in self.modules.iter().enumerate() {
            for (i, decl) in module.decls.iter().enumerate() {
                if let Decl::Let(l) = decl {
                    if !self.used_lets.contains(&(m, i)) && !self.version_used(m, l) {
                        self.diags.push(
                            Diagnostic::new(
                                Code::W0002,
                                l.name.span,
                                msg(
                                    format!("定义 `{}` 未被使用", l.name.name),
                                    format!("`{}` is never used", l.name.name),
                                ),
                            )
                            .help(msg("删除它，或在规则中使用它", "remove it, or use it in a rule")),
                        );
                    }
                }
            }
            for import in &self.env.scopes[m].imports {
                if !import.used.get() {
                    let name = self.sources.text(import.span).to_string();
                    self.diags.push(
                        Diagnostic::new(
                            Code::W0004,
                            import.span,
                            msg(
                                format!("引入了政策 `{name}` 但没有使用"),
                                format!("policy `{name}` is used but nothing from it is"),
                            ),
                        )
                        .help(msg("删除这行 `使用`", "remove this `use` line")),
                    );
                }
            }
        }
    }
}
