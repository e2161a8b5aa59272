//! Declarations collected into tables: what every name in every policy means. Built in one
//! pass before any expression is checked, so declarations may come in any order.

use std::cell::Cell;
use std::collections::HashMap;

use super::suggest::{did_you_mean, with_hint};
use super::types::Ty;
use crate::diag::{msg, Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{Decl, FieldDecl, Module, TypeExpr};
use crate::syntax::keywords::PRIMITIVE_TYPES;

macro_rules! ids {
    ($($name:ident),*) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub usize);
    )*};
}
ids!(EnumId, RecordId, ListId, SourceId);

#[derive(Clone, Debug)]
pub struct FieldInfo {
    pub name: String,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct VariantInfo {
    pub name: String,
    pub fields: Vec<FieldInfo>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct EnumInfo {
    pub module: usize,
    pub name: String,
    /// Set once, by [`EnumInfo::set_variants`], which also indexes them.
    pub variants: Vec<VariantInfo>,
    pub span: Span,
    /// Each variant's position by name: an enum of 100,000 variants is looked up without
    /// a pass over them.
    by_name: HashMap<String, usize>,
}

impl EnumInfo {
    pub fn variant(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The variants (names distinct), indexed by name.
    fn set_variants(&mut self, variants: Vec<VariantInfo>) {
        self.by_name = variants.iter().enumerate().map(|(i, v)| (v.name.clone(), i)).collect();
        self.variants = variants;
    }
}

/// A `record` or an `input`.
#[derive(Clone, Debug)]
pub struct RecordInfo {
    pub module: usize,
    pub name: String,
    pub fields: Vec<FieldInfo>,
    pub is_input: bool,
    pub span: Span,
}

impl RecordInfo {
    pub fn field(&self, name: &str) -> Option<&FieldInfo> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Clone, Debug)]
pub struct ListInfo {
    pub module: usize,
    pub name: String,
    pub row: Option<RecordId>,
    /// Index of the key field in the row record, once known to be valid.
    pub key_field: Option<usize>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ClauseInfo {
    pub id: String,
    /// The declared words, or (once `sources::verify` ran) those taken from the full text.
    pub text: String,
    pub kind: crate::syntax::ast::ClauseKind,
    /// Whether `text` was taken from the full text (the clause gave no words).
    pub from_text: bool,
    /// Why no policy implements it (`范围外`).
    pub out_of_scope: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct SourceInfo {
    pub module: usize,
    pub name: String,
    pub title: String,
    /// The path of the instrument's text as written (`全文`).
    pub full_text: Option<String>,
    /// The file of that text, once read (set by `sources::verify`).
    pub text_file: Option<crate::source::FileId>,
    pub clauses: Vec<ClauseInfo>,
    pub span: Span,
}

/// What a top-level name stands for. Indices into a module's `decls` for the kinds that
/// are checked in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Def {
    Enum(EnumId),
    Record(RecordId),
    Input(RecordId),
    List(ListId),
    Source(SourceId),
    Let(usize),
    Rule(usize),
    Decision(usize),
    Check(usize),
    Test(usize),
    Policy(usize),
}

impl Def {
    /// Types, lists and sources may be used from other policies; the rest stays local.
    fn exported(self) -> bool {
        matches!(self, Def::Enum(_) | Def::Record(_) | Def::List(_) | Def::Source(_))
    }
}

#[derive(Debug)]
pub struct Import {
    pub module: usize,
    pub span: Span,
    pub used: Cell<bool>,
}

#[derive(Debug, Default)]
pub struct Scope {
    /// foldhash: every enum variant and row reference in a 100,000-row file is looked up here.
    pub names: HashMap<String, (Def, Span), foldhash::fast::RandomState>,
    pub imports: Vec<Import>,
}

#[derive(Debug, Default)]
pub struct Env {
    pub enums: Vec<EnumInfo>,
    pub records: Vec<RecordInfo>,
    pub lists: Vec<ListInfo>,
    pub sources: Vec<SourceInfo>,
    pub scopes: Vec<Scope>,
    /// Policy name → module index.
    pub policies: HashMap<String, usize>,
}

impl Env {
    /// Finds a name as seen from `module`: its own declarations first, then what it imports.
    pub fn lookup(&self, module: usize, name: &str) -> Option<Def> {
        self.find(module, name, true)
    }

    /// Like [`Env::lookup`], but without counting a hit in an imported policy as a use of
    /// it (for "did you mean" and other questions that are not uses).
    pub fn peek(&self, module: usize, name: &str) -> Option<Def> {
        self.find(module, name, false)
    }

    fn find(&self, module: usize, name: &str, is_use: bool) -> Option<Def> {
        let scope = &self.scopes[module];
        if let Some((def, _)) = scope.names.get(name) {
            return Some(*def);
        }
        for import in &scope.imports {
            let found = self.scopes[import.module].names.get(name).filter(|(d, _)| d.exported());
            if let Some((def, _)) = found {
                if is_use {
                    import.used.set(true);
                }
                return Some(*def);
            }
        }
        let policy = *self.policies.get(name)?;
        // `P.X` uses P as much as a bare `X` does.
        if is_use {
            for import in scope.imports.iter().filter(|i| i.module == policy) {
                import.used.set(true);
            }
        }
        Some(Def::Policy(policy))
    }

    /// Where `name` is declared in `module` (the name itself, for pointing at it).
    pub fn name_span(&self, module: usize, name: &str) -> Option<Span> {
        self.scopes[module].names.get(name).map(|(_, s)| *s)
    }

    /// A name exported by another policy, for `P.X`.
    pub fn lookup_in(&self, policy: usize, name: &str) -> Option<Def> {
        self.scopes[policy].names.get(name).map(|(d, _)| *d).filter(|d| d.exported())
    }

    /// Every name visible from `module`, for "did you mean".
    pub fn visible_names(&self, module: usize) -> Vec<&str> {
        let scope = &self.scopes[module];
        let own = scope.names.keys().map(String::as_str);
        let imported = scope.imports.iter().flat_map(|i| {
            self.scopes[i.module].names.iter().filter(|(_, (d, _))| d.exported()).map(|(n, _)| n.as_str())
        });
        own.chain(imported).collect()
    }

    /// The enums visible from `module`, for resolving a bare variant name.
    pub fn visible_enums(&self, module: usize) -> Vec<EnumId> {
        let scope = &self.scopes[module];
        let mut modules = vec![module];
        modules.extend(scope.imports.iter().map(|i| i.module));
        (0..self.enums.len()).map(EnumId).filter(|e| modules.contains(&self.enums[e.0].module)).collect()
    }

    pub fn list_key_ty(&self, list: ListId) -> Option<Ty> {
        let l = &self.lists[list.0];
        Some(self.records[l.row?.0].fields[l.key_field?].ty.clone())
    }

    pub fn row_record(&self, list: ListId) -> Option<&RecordInfo> {
        self.lists[list.0].row.map(|r| &self.records[r.0])
    }
}

/// Builds the tables for all modules checked together.
pub fn collect(modules: &[Module], diags: &mut Vec<Diagnostic>) -> Env {
    let mut env = Env::default();
    register_policies(&mut env, modules, diags);
    for (m, module) in modules.iter().enumerate() {
        register_names(&mut env, m, module, diags);
    }
    for (m, module) in modules.iter().enumerate() {
        resolve_uses(&mut env, m, module, diags);
    }
    check_use_cycles(&env, modules, diags);
    for (m, module) in modules.iter().enumerate() {
        resolve_shapes(&mut env, m, module, diags);
    }
    env
}

fn register_policies(env: &mut Env, modules: &[Module], diags: &mut Vec<Diagnostic>) {
    for (m, module) in modules.iter().enumerate() {
        env.scopes.push(Scope::default());
        let name = &module.name;
        if let Some(&first) = env.policies.get(&name.name) {
            diags.push(
                Diagnostic::new(
                    Code::E0118,
                    name.span,
                    msg(
                        format!("政策 `{}` 重名", name.name),
                        format!("policy `{}` is defined twice", name.name),
                    ),
                )
                .secondary(modules[first].name.span, msg("第一次定义在这里", "first defined here"))
                .help(msg("每个政策须有唯一的名称", "give each policy its own name")),
            );
        } else {
            env.policies.insert(name.name.clone(), m);
        }
    }
}

fn register_names(env: &mut Env, m: usize, module: &Module, diags: &mut Vec<Diagnostic>) {
    for (i, decl) in module.decls.iter().enumerate() {
        let name = decl.name();
        let def = match decl {
            Decl::Use(_) => continue,
            Decl::Source(s) => {
                let clauses = s
                    .clauses
                    .iter()
                    .map(|c| ClauseInfo {
                        id: c.id.name.clone(),
                        text: c.text.as_ref().map(|t| t.value.clone()).unwrap_or_default(),
                        kind: c.kind,
                        from_text: false,
                        out_of_scope: c.out_of_scope.as_ref().map(|w| w.value.clone()),
                        span: c.span,
                    })
                    .collect();
                let title = s.title.value.clone();
                env.sources.push(SourceInfo {
                    module: m,
                    name: name.name.clone(),
                    title,
                    full_text: s.full_text.as_ref().map(|t| t.value.clone()),
                    text_file: None,
                    clauses,
                    span: s.span,
                });
                Def::Source(SourceId(env.sources.len() - 1))
            }
            Decl::Enum(e) => {
                env.enums.push(EnumInfo {
                    module: m,
                    name: name.name.clone(),
                    variants: Vec::new(),
                    span: e.span,
                    by_name: HashMap::new(),
                });
                Def::Enum(EnumId(env.enums.len() - 1))
            }
            Decl::Record(r) | Decl::Input(r) => {
                let is_input = matches!(decl, Decl::Input(_));
                let info = RecordInfo {
                    module: m,
                    name: name.name.clone(),
                    fields: Vec::new(),
                    is_input,
                    span: r.span,
                };
                env.records.push(info);
                let id = RecordId(env.records.len() - 1);
                if is_input {
                    Def::Input(id)
                } else {
                    Def::Record(id)
                }
            }
            Decl::List(l) => {
                let info =
                    ListInfo { module: m, name: name.name.clone(), row: None, key_field: None, span: l.span };
                env.lists.push(info);
                Def::List(ListId(env.lists.len() - 1))
            }
            Decl::Let(_) => Def::Let(i),
            Decl::Rule(_) => Def::Rule(i),
            Decl::Decision(_) => Def::Decision(i),
            Decl::Check(_) => Def::Check(i),
            Decl::Test(_) => Def::Test(i),
        };
        let scope = &mut env.scopes[m];
        if let Some((first_def, first)) = scope.names.get(&name.name) {
            if !is_version_of(decl, *first_def, module) {
                diags.push(duplicate(&name.name, name.span, *first));
            }
        } else {
            scope.names.insert(name.name.clone(), (def, name.span));
        }
    }
}

/// Several versions of one let or rule may share its name when each carries a range
/// (`自 … 起`, `至 … 止`); whether their ranges overlap is `versions.rs`'s question.
fn is_version_of(decl: &Decl, first: Def, module: &Module) -> bool {
    let versioned = |d: &Decl| match d {
        Decl::Let(l) => l.in_force.is_some(),
        Decl::Rule(r) => r.in_force.is_some(),
        _ => false,
    };
    let first = match first {
        Def::Let(i) | Def::Rule(i) => &module.decls[i],
        _ => return false,
    };
    versioned(decl) && versioned(first) && std::mem::discriminant(decl) == std::mem::discriminant(first)
}

fn duplicate(name: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::E0102,
        span,
        msg(format!("`{name}` 重复声明"), format!("`{name}` is declared more than once")),
    )
    .secondary(first, msg("第一次声明在这里", "first declared here"))
    .help(msg("重命名其中一个，或删除多余的声明", "rename one of them or remove the extra declaration"))
}

fn resolve_uses(env: &mut Env, m: usize, module: &Module, diags: &mut Vec<Diagnostic>) {
    for decl in &module.decls {
        let Decl::Use(target) = decl else { continue };
        let Some(&other) = env.policies.get(&target.name) else {
            let names: Vec<&str> = env.policies.keys().map(String::as_str).collect();
            diags.push(
                Diagnostic::new(
                    Code::E0106,
                    target.span,
                    msg(format!("找不到政策 `{}`", target.name), format!("no policy named `{}`", target.name)),
                )
                .help(with_hint(
                    did_you_mean(&target.name, names),
                    msg(
                    "被引入的政策文件须和本文件一起检查（例如放在同一文件夹）",
                    "the used policy's file must be checked together with this one (e.g. in the same folder)",
                ))),
            );
            continue;
        };
        if other == m {
            diags.push(
                Diagnostic::new(
                    Code::E0107,
                    target.span,
                    msg(
                        format!("政策 `{}` 引入了它自己", target.name),
                        format!("policy `{}` uses itself", target.name),
                    ),
                )
                .help(msg("删除这行 `使用`", "remove this `use` line")),
            );
            continue;
        }
        for (name, (def, span)) in &env.scopes[other].names {
            if def.exported() {
                if let Some((_, local)) = env.scopes[m].names.get(name) {
                    diags.push(
                        Diagnostic::new(
                            Code::E0108,
                            *local,
                            msg(
                                format!("`{name}` 与从 `{}` 引入的名称冲突", target.name),
                                format!("`{name}` conflicts with a name used from `{}`", target.name),
                            ),
                        )
                        .secondary(*span, msg("引入的名称在这里声明", "the used name is declared here"))
                        .help(msg("重命名本地的声明", "rename the local declaration")),
                    );
                }
            }
        }
        env.scopes[m].imports.push(Import { module: other, span: target.span, used: Cell::new(false) });
    }
}

fn check_use_cycles(env: &Env, modules: &[Module], diags: &mut Vec<Diagnostic>) {
    for start in 0..modules.len() {
        // Depth-first search for a path of `use` edges leading back to `start`.
        let mut stack = vec![(start, vec![start])];
        let mut seen = vec![false; modules.len()];
        while let Some((m, path)) = stack.pop() {
            for import in &env.scopes[m].imports {
                if import.module == start {
                    report_use_cycle(env, modules, &path, diags);
                    break;
                }
                if !seen[import.module] {
                    seen[import.module] = true;
                    let mut next = path.clone();
                    next.push(import.module);
                    stack.push((import.module, next));
                }
            }
        }
    }
}

fn report_use_cycle(env: &Env, modules: &[Module], path: &[usize], diags: &mut Vec<Diagnostic>) {
    // Report each cycle once, from its smallest module.
    if path.iter().min() != path.first() {
        return;
    }
    let names: Vec<&str> = path.iter().chain(path.first()).map(|&m| modules[m].name.name.as_str()).collect();
    let chain = names.join(" → ");
    let first = path[0];
    let span = env.scopes[first]
        .imports
        .iter()
        .find(|i| Some(&i.module) == path.get(1).or(path.first()))
        .map_or(modules[first].name.span, |i| i.span);
    diags.push(
        Diagnostic::new(
            Code::E0107,
            span,
            msg(format!("政策循环引入：{chain}"), format!("policies use each other in a cycle: {chain}")),
        )
        .help(msg(
            "把共用的类型、清单和来源移到一个单独的政策里，两边都引入它",
            "move the shared types, lists and sources into a separate policy that both use",
        )),
    );
}

fn resolve_shapes(env: &mut Env, m: usize, module: &Module, diags: &mut Vec<Diagnostic>) {
    let (mut e, mut r) = (0, 0);
    let first_enum = env.enums.iter().position(|x| x.module == m).unwrap_or(0);
    let first_record = env.records.iter().position(|x| x.module == m).unwrap_or(0);
    for decl in &module.decls {
        match decl {
            Decl::Enum(d) => {
                let mut variants: Vec<VariantInfo> = Vec::new();
                let mut seen: HashMap<&str, usize> = HashMap::new();
                for v in &d.variants {
                    if let Some(prev) = seen.get(v.name.name.as_str()).map(|&i| &variants[i]) {
                        diags.push(
                            Diagnostic::new(
                                Code::E0113,
                                v.name.span,
                                msg(
                                    format!("枚举值 `{}` 重复", v.name.name),
                                    format!("variant `{}` appears twice", v.name.name),
                                ),
                            )
                            .secondary(prev.span, msg("第一次出现在这里", "first listed here"))
                            .help(msg("删除重复的枚举值", "remove the repeated variant")),
                        );
                        continue;
                    }
                    let fields = field_infos(env, m, &v.fields, diags);
                    seen.insert(&v.name.name, variants.len());
                    variants.push(VariantInfo { name: v.name.name.clone(), fields, span: v.name.span });
                }
                env.enums[first_enum + e].set_variants(variants);
                e += 1;
            }
            Decl::Record(d) | Decl::Input(d) => {
                env.records[first_record + r].fields = field_infos(env, m, &d.fields, diags);
                r += 1;
            }
            Decl::Source(s) => {
                let mut seen: HashMap<&str, Span> = HashMap::new();
                for c in &s.clauses {
                    if let Some(first) = seen.insert(&c.id.name, c.id.span) {
                        diags.push(
                            Diagnostic::new(
                                Code::E0114,
                                c.id.span,
                                msg(
                                    format!("条款 `{}` 重复", c.id.name),
                                    format!("clause `{}` appears twice", c.id.name),
                                ),
                            )
                            .secondary(first, msg("第一次出现在这里", "first listed here"))
                            .help(msg("每个条款编号只能出现一次", "each clause number may appear once")),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

fn field_infos(env: &Env, m: usize, fields: &[FieldDecl], diags: &mut Vec<Diagnostic>) -> Vec<FieldInfo> {
    let mut out: Vec<FieldInfo> = Vec::new();
    for f in fields {
        if let Some(prev) = out.iter().find(|p| p.name == f.name.name) {
            diags.push(
                Diagnostic::new(
                    Code::E0112,
                    f.name.span,
                    msg(
                        format!("字段 `{}` 重复", f.name.name),
                        format!("field `{}` is declared twice", f.name.name),
                    ),
                )
                .secondary(prev.span, msg("第一次声明在这里", "first declared here"))
                .help(msg("删除或重命名重复的字段", "remove or rename the repeated field")),
            );
            continue;
        }
        let ty = resolve_type(env, m, &f.ty, diags);
        out.push(FieldInfo { name: f.name.name.clone(), ty, span: f.name.span });
    }
    out
}

/// A written type → a checked type; unknown names are reported and become `Ty::Error`.
pub fn resolve_type(env: &Env, m: usize, t: &TypeExpr, diags: &mut Vec<Diagnostic>) -> Ty {
    let name = t.name.name.as_str();
    let base = match primitive(name) {
        Some(ty) => ty,
        None => match env.lookup(m, name) {
            Some(Def::Enum(id)) => Ty::Enum(id),
            Some(Def::Record(id)) => Ty::Record(id),
            Some(Def::List(id)) => Ty::Row(id),
            _ => {
                let mut candidates = env.visible_names(m);
                candidates
                    .retain(|n| matches!(env.peek(m, n), Some(Def::Enum(_) | Def::Record(_) | Def::List(_))));
                candidates.extend(PRIMITIVE_TYPES.iter().flat_map(|(en, zh)| [*en, *zh]));
                diags.push(
                    Diagnostic::new(Code::E0111, t.name.span, msg(format!("未知类型 `{name}`"), format!("unknown type `{name}`")))
                        .help(with_hint(
                            did_you_mean(name, candidates),
                            msg(
                            "类型可以是 布尔、整数、小数、文本、日期，或本政策声明的枚举、记录、清单",
                            "a type is bool, int, decimal, text, date, or an enum, record or list declared in the policy",
                        ))),
                );
                Ty::Error
            }
        },
    };
    let mut ty = base;
    for _ in 0..t.set_depth {
        ty = ty.set();
    }
    if t.optional {
        ty = ty.opt();
    }
    ty
}

pub fn primitive(name: &str) -> Option<Ty> {
    let index = PRIMITIVE_TYPES.iter().position(|(en, zh)| *en == name || *zh == name)?;
    Some([Ty::Bool, Ty::Int, Ty::Decimal, Ty::Text, Ty::Date][index].clone())
}
