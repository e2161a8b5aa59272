//! What every name in a checked program stands for: the declarations (policies, sources
//! and their clauses, enums and variants, records and fields, lists and their rows — rows
//! kept in CSV/YAML files included —, lets, rules, decisions, checks, tests) and every
//! mention of each, across all the files checked together. Hover, definition, references,
//! rename, symbols and the code lens all read this one table.
//!
//! Names are resolved as the checker resolves them: a policy's own declarations, then the
//! exported ones of the policies it uses; a field after `.` by the type the checker gave
//! the expression before it; a bare variant by the enum its place expects.

use std::collections::HashMap;

use qingdan_dsl::check::{Checked, Ty};
use qingdan_dsl::include::ListRows;
use qingdan_dsl::syntax::ast::*;
use qingdan_dsl::{Program, Span};

pub type SymId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Policy,
    Source,
    Clause,
    Enum,
    Variant,
    Record,
    Input,
    Field,
    List,
    Row,
    Let,
    Rule,
    Decision,
    Check,
    Test,
    /// The variable a quantifier (`任一(x 属于 清单 …)`) or a check's scope binds; known
    /// only inside it.
    Variable,
}

#[derive(Clone, Debug)]
pub struct Symbol {
    pub kind: Kind,
    pub name: String,
    pub module: usize,
    pub container: Option<SymId>,
    /// The name where it is declared.
    pub name_span: Span,
    /// The whole declaration.
    pub decl_span: Span,
    /// (module, declaration index) for top-level declarations.
    pub decl: Option<(usize, usize)>,
}

#[derive(Debug, Default)]
pub struct Index {
    pub symbols: Vec<Symbol>,
    /// Every mention, the declaring name included.
    pub mentions: Vec<(Span, SymId)>,
    top: Vec<HashMap<String, SymId>>,
    members: HashMap<(SymId, String), SymId>,
    policies: HashMap<String, usize>,
    imports: Vec<Vec<usize>>,
    /// The type of each bound variable: a row of the list it ranges over, or an element
    /// of the set.
    pub variable_types: HashMap<SymId, Ty>,
}

impl Index {
    pub fn build(program: &Program) -> Index {
        let mut index = Index::default();
        for (m, pm) in program.modules.iter().enumerate() {
            index.policies.insert(pm.module.name.name.clone(), m);
            index.top.push(HashMap::new());
            index.declare_module(m, &pm.module, program);
        }
        for pm in &program.modules {
            let used = pm.module.decls.iter().filter_map(|d| match d {
                Decl::Use(name) => index.policies.get(&name.name).copied(),
                _ => None,
            });
            index.imports.push(used.collect());
        }
        let mut walker = Walker {
            index: &mut index,
            modules: &program.modules,
            included: &program.included,
            sources: &program.sources,
            checked: program.checked.as_ref(),
            found: Vec::new(),
            at_span: HashMap::new(),
            enums: HashMap::new(),
        };
        for (m, pm) in program.modules.iter().enumerate() {
            if let Some(as_of) = &pm.module.as_of {
                walker.path(m, as_of);
            }
            for (d, decl) in pm.module.decls.iter().enumerate() {
                walker.decl(m, d, decl);
            }
        }
        let found = std::mem::take(&mut walker.found);
        index.mentions.extend(found);
        index.mentions.sort_by_key(|(span, _)| *span);
        index.mentions.dedup();
        index
    }

    /// The symbol mentioned at byte `offset` of `file` (a name's end counts as on it).
    pub fn at(&self, file: qingdan_dsl::FileId, offset: usize) -> Option<(Span, SymId)> {
        let offset = offset as u32;
        self.mentions
            .iter()
            .filter(|(s, _)| s.file == file && s.start <= offset && offset <= s.end)
            .min_by_key(|(s, _)| s.end - s.start)
            .copied()
    }

    pub fn mentions_of(&self, sym: SymId) -> impl Iterator<Item = Span> + '_ {
        self.mentions.iter().filter(move |(_, s)| *s == sym).map(|(span, _)| *span)
    }

    pub fn member(&self, container: SymId, name: &str) -> Option<SymId> {
        self.members.get(&(container, name.to_string())).copied()
    }

    pub fn members_of(&self, container: SymId) -> impl Iterator<Item = SymId> + '_ {
        (0..self.symbols.len()).filter(move |&s| self.symbols[s].container == Some(container))
    }

    /// A top-level name as seen from module `m`: its own, then the exported ones of the
    /// policies it uses, then a policy's name.
    pub fn top(&self, m: usize, name: &str) -> Option<SymId> {
        if let Some(&s) = self.top.get(m)?.get(name) {
            return Some(s);
        }
        let exported = |s: &SymId| {
            matches!(self.symbols[*s].kind, Kind::Enum | Kind::Record | Kind::List | Kind::Source)
        };
        for &u in &self.imports[m] {
            if let Some(s) = self.top[u].get(name).filter(|s| exported(s)) {
                return Some(*s);
            }
        }
        let p = *self.policies.get(name)?;
        self.top[p].get(name).copied().filter(|&s| self.symbols[s].kind == Kind::Policy)
    }

    /// Every top-level name visible from module `m` (for completion).
    pub fn visible(&self, m: usize) -> Vec<SymId> {
        let mut all: Vec<SymId> = self.top.get(m).map(|t| t.values().copied().collect()).unwrap_or_default();
        for &u in self.imports.get(m).into_iter().flatten() {
            all.extend(self.top[u].values().copied().filter(|&s| {
                matches!(self.symbols[s].kind, Kind::Enum | Kind::Record | Kind::List | Kind::Source)
            }));
        }
        all.sort_by(|a, b| self.symbols[*a].name.cmp(&self.symbols[*b].name));
        all.dedup();
        all
    }

    fn add(&mut self, sym: Symbol) -> SymId {
        let id = self.symbols.len();
        self.mentions.push((sym.name_span, id));
        match sym.container {
            Some(c) => {
                self.members.entry((c, sym.name.clone())).or_insert(id);
            }
            None => {
                self.top[sym.module].entry(sym.name.clone()).or_insert(id);
            }
        }
        self.symbols.push(sym);
        id
    }

    /// A variable: a symbol of its own (so that two quantifiers' `x` are two names), in no
    /// table of names in scope.
    fn add_variable(&mut self, sym: Symbol, ty: Option<Ty>) -> SymId {
        let id = self.symbols.len();
        self.mentions.push((sym.name_span, id));
        self.symbols.push(sym);
        if let Some(ty) = ty {
            self.variable_types.insert(id, ty);
        }
        id
    }

    fn declare_module(&mut self, m: usize, module: &Module, program: &Program) {
        let sym = |kind, id: &Ident, decl_span, container, decl| Symbol {
            kind,
            name: id.name.clone(),
            module: m,
            container,
            name_span: id.span,
            decl_span,
            decl,
        };
        self.add(sym(Kind::Policy, &module.name, module.span, None, None));
        for (d, decl) in module.decls.iter().enumerate() {
            let at = Some((m, d));
            let kind = match decl {
                Decl::Use(_) => continue,
                Decl::Source(_) => Kind::Source,
                Decl::Enum(_) => Kind::Enum,
                Decl::Record(_) => Kind::Record,
                Decl::Input(_) => Kind::Input,
                Decl::List(_) => Kind::List,
                Decl::Let(_) => Kind::Let,
                Decl::Rule(_) => Kind::Rule,
                Decl::Decision(_) => Kind::Decision,
                Decl::Check(_) => Kind::Check,
                Decl::Test(_) => Kind::Test,
            };
            let parent = self.add(sym(kind, decl.name(), decl.span(), None, at));
            match decl {
                Decl::Source(s) => {
                    for c in &s.clauses {
                        self.add(sym(Kind::Clause, &c.id, c.span, Some(parent), None));
                    }
                }
                Decl::Enum(e) => {
                    for v in &e.variants {
                        let variant = self.add(sym(Kind::Variant, &v.name, v.span, Some(parent), None));
                        for f in &v.fields {
                            self.add(sym(Kind::Field, &f.name, f.span, Some(variant), None));
                        }
                    }
                }
                Decl::Record(r) | Decl::Input(r) => {
                    for f in &r.fields {
                        self.add(sym(Kind::Field, &f.name, f.span, Some(parent), None));
                    }
                }
                Decl::List(l) => {
                    for item in ListRows::of(l, program.included.get(&(m, d)), &program.sources).heads() {
                        let row_key = item.key();
                        let key = Ident { name: row_key.value.to_string(), span: row_key.span };
                        self.add(sym(Kind::Row, &key, item.span, Some(parent), None));
                    }
                }
                _ => {}
            }
        }
    }
}

/// Finds the mentions in declarations' bodies.
struct Walker<'a> {
    index: &'a mut Index,
    modules: &'a [qingdan_dsl::program::ParsedModule],
    included: &'a qingdan_dsl::check::IncludedRows,
    sources: &'a qingdan_dsl::source::SourceMap,
    checked: Option<&'a Checked>,
    found: Vec<(Span, SymId)>,
    /// The latest mention found at each span (what a `.` follows).
    at_span: HashMap<Span, SymId>,
    /// Per module, the enums it sees (for bare variant names), computed once.
    enums: HashMap<usize, Vec<SymId>>,
}

impl Walker<'_> {
    fn mention(&mut self, span: Span, sym: Option<SymId>) -> Option<SymId> {
        if let Some(s) = sym {
            self.found.push((span, s));
            self.at_span.insert(span, s);
        }
        sym
    }

    fn top(&mut self, m: usize, id: &Ident) -> Option<SymId> {
        let sym = self.index.top(m, &id.name);
        self.mention(id.span, sym)
    }

    fn member(&mut self, container: Option<SymId>, id: &Ident) -> Option<SymId> {
        let sym = container.and_then(|c| self.index.member(c, &id.name));
        self.mention(id.span, sym)
    }

    /// A dotted path: the first part from the scope, each next one a member of the one
    /// before (or a name of the policy the one before names).
    fn path(&mut self, m: usize, path: &Path) -> Option<SymId> {
        let mut at = self.top(m, &path.parts[0]);
        for part in &path.parts[1..] {
            let next = at.and_then(|s| match self.index.symbols[s].kind {
                Kind::Policy => self.index.top.get(self.index.symbols[s].module)?.get(&part.name).copied(),
                _ => self.index.member(s, &part.name),
            });
            at = self.mention(part.span, next);
        }
        at
    }

    /// The symbol of a named type (enum, record, input) or of a type's record.
    fn type_symbol(&self, ty: &Ty) -> Option<SymId> {
        let env = &self.checked?.env;
        let (module, name) = match ty.present() {
            Ty::Enum(e) => (env.enums[e.0].module, &env.enums[e.0].name),
            Ty::Record(r) => (env.records[r.0].module, &env.records[r.0].name),
            Ty::Row(l) => {
                let r = env.lists[l.0].row?;
                (env.records[r.0].module, &env.records[r.0].name)
            }
            Ty::List(l) => (env.lists[l.0].module, &env.lists[l.0].name),
            Ty::Set(inner) => return self.type_symbol(inner),
            _ => return None,
        };
        self.index.top.get(module)?.get(name).copied()
    }

    fn type_of(&self, span: Span) -> Option<&Ty> {
        self.checked?.expr_types.get(&span)
    }

    /// The enum of the outcomes of the decision declared at (`m`, `d`).
    fn decision_enum(&self, m: usize, d: usize) -> Option<SymId> {
        match self.modules.get(m)?.module.decls.get(d)? {
            Decl::Decision(dd) => self.index.top(m, &dd.ty.name),
            _ => None,
        }
    }

    fn decl(&mut self, m: usize, d: usize, decl: &Decl) {
        match decl {
            Decl::Use(name) => {
                self.top(m, name);
            }
            Decl::Source(_) => {}
            Decl::Enum(e) => {
                for v in &e.variants {
                    v.fields.iter().for_each(|f| self.type_expr(m, &f.ty));
                }
            }
            Decl::Record(r) | Decl::Input(r) => r.fields.iter().for_each(|f| self.type_expr(m, &f.ty)),
            Decl::List(l) => self.list(m, d, l),
            Decl::Let(l) => {
                if let Some(t) = &l.ty {
                    self.type_expr(m, t);
                }
                self.expr(m, &[], &l.value);
            }
            Decl::Rule(r) => self.rule(m, d, r),
            Decl::Decision(dd) => {
                let outcome = self.top(m, &dd.ty);
                if let Combining::Priority(order) = &dd.combining {
                    order.iter().for_each(|v| {
                        self.member(outcome, v);
                    });
                }
                if let DecisionEnd::Default(o, cites) = &dd.end {
                    self.outcome(m, outcome, o);
                    cites.iter().for_each(|c| {
                        self.path(m, c);
                    });
                }
            }
            Decl::Check(c) => {
                c.cites.iter().for_each(|p| {
                    self.path(m, p);
                });
                let mut locals = Vec::new();
                if let Some(scope) = &c.scope {
                    self.expr(m, &[], &scope.over);
                    locals.push(self.bind(m, &scope.var, &scope.over));
                    if let Some(f) = &scope.filter {
                        self.expr(m, &locals, f);
                    }
                }
                self.expr(m, &locals, &c.body);
            }
            Decl::Test(t) => self.test(m, t),
        }
    }

    fn type_expr(&mut self, m: usize, t: &TypeExpr) {
        self.top(m, &t.name);
    }

    /// A list's row type and key, and its rows' fields — those written in CSV/YAML files
    /// too, so that a reference to another list's row in a cell is a mention of that row.
    fn list(&mut self, m: usize, d: usize, l: &ListDecl) {
        let row = self.top(m, &l.row_type);
        self.member(row, &l.key);
        let (included, sources) = (self.included, self.sources);
        let mut rows = ListRows::of(l, included.get(&(m, d)), sources).cursor();
        while let Some(item) = rows.next_row() {
            self.fields(m, row, &item.fields);
        }
    }

    /// The row of a list that a name stands for where the checker expects such a row.
    fn row_named(&self, e: &Expr, key: &str) -> Option<SymId> {
        let env = &self.checked?.env;
        let Ty::Row(l) = self.type_of(e.span)?.present() else { return None };
        let list = &env.lists[l.0];
        let list_sym = *self.index.top.get(list.module)?.get(&list.name)?;
        self.index.member(list_sym, key)
    }

    fn fields(&mut self, m: usize, container: Option<SymId>, fields: &[FieldInit]) {
        for f in fields {
            self.member(container, &f.name);
            // A row of another list named by its key (a cell of a CSV file, a bare key).
            let list = container.and_then(|c| self.list_of_field(c, &f.name.name));
            match (&f.value.kind, list) {
                (ExprKind::Name(key), Some(list)) => {
                    let row = self.index.member(list, &key.name);
                    self.mention(key.span, row);
                }
                _ => self.expr(m, &[], &f.value),
            }
        }
    }

    /// The list whose rows field `field` of record `record` holds, if it holds rows.
    fn list_of_field(&self, record: SymId, field: &str) -> Option<SymId> {
        let env = &self.checked?.env;
        let r = &self.index.symbols[record];
        let info = env.records.iter().find(|i| i.module == r.module && i.name == r.name)?;
        let Ty::Row(l) = info.field(field)?.ty.present() else { return None };
        let list = &env.lists[l.0];
        self.index.top.get(list.module)?.get(&list.name).copied()
    }

    fn rule(&mut self, m: usize, d: usize, r: &RuleDecl) {
        r.cites.iter().for_each(|p| {
            self.path(m, p);
        });
        match &r.kind {
            RuleKind::Rule { decision: Some(id) } => {
                self.top(m, id);
            }
            RuleKind::Rule { decision: None } => {}
            RuleKind::Exception { target } => {
                self.top(m, target);
            }
        }
        self.expr(m, &[], &r.when);
        r.unless.iter().for_each(|e| self.expr(m, &[], e));
        let decision = self.checked.and_then(|c| c.rule_decisions.get(&(m, d)).copied());
        let outcome_enum = decision.and_then(|dd| self.decision_enum(m, dd));
        if let Some(o) = &r.then {
            self.outcome(m, outcome_enum, o);
        }
    }

    fn outcome(&mut self, m: usize, outcome_enum: Option<SymId>, o: &Outcome) {
        let variant = if o.variant.parts.len() > 1 {
            self.path(m, &o.variant)
        } else {
            let id = &o.variant.parts[0];
            let sym = outcome_enum
                .and_then(|e| self.index.member(e, &id.name))
                .or_else(|| self.unique_variant(m, &id.name));
            self.mention(id.span, sym)
        };
        if let Some(fields) = &o.fields {
            self.fields(m, variant, fields);
        }
    }

    /// The variant of this name, when exactly one enum visible from `m` has one.
    fn unique_variant(&mut self, m: usize, name: &str) -> Option<SymId> {
        let index = &*self.index;
        let enums = self.enums.entry(m).or_insert_with(|| {
            index.visible(m).into_iter().filter(|&s| index.symbols[s].kind == Kind::Enum).collect()
        });
        let mut found = enums.iter().filter_map(|&e| index.member(e, name));
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }

    fn test(&mut self, m: usize, t: &TestDecl) {
        for g in &t.givens {
            let input = self.top(m, &g.input);
            self.fields(m, input, &g.fields);
        }
        for e in &t.expects {
            let decision = self.top(m, &e.decision);
            let variant_enum = decision.and_then(|s| {
                let (dm, dd) = self.index.symbols[s].decl?;
                self.decision_enum(dm, dd)
            });
            let last = e.outcome.last();
            if e.outcome.parts.len() > 1 {
                self.path(m, &e.outcome);
            } else {
                let sym = variant_enum
                    .and_then(|en| self.index.member(en, &last.name))
                    .or_else(|| self.unique_variant(m, &last.name));
                self.mention(last.span, sym);
            }
            for rule in e.fires.iter().flatten() {
                self.top(m, rule);
            }
        }
    }

    fn expr(&mut self, m: usize, locals: &[(String, SymId)], e: &Expr) {
        match &e.kind {
            ExprKind::Name(id) => {
                if let Some((_, var)) = locals.iter().rev().find(|(name, _)| *name == id.name) {
                    self.mention(id.span, Some(*var));
                    return;
                }
                let sym = self.index.top(m, &id.name).or_else(|| self.row_named(e, &id.name)).or_else(|| {
                    let by_type = self.type_of(e.span).and_then(|t| self.type_symbol(t));
                    by_type
                        .and_then(|en| self.index.member(en, &id.name))
                        .or_else(|| self.unique_variant(m, &id.name))
                });
                self.mention(id.span, sym);
            }
            ExprKind::Field(inner, f) => {
                self.expr(m, locals, inner);
                let before = self.mentioned_at(inner);
                let sym = match before.map(|s| self.index.symbols[s].kind) {
                    Some(Kind::Policy) => before.and_then(|s| {
                        self.index.top.get(self.index.symbols[s].module)?.get(&f.name).copied()
                    }),
                    Some(Kind::Enum | Kind::Source | Kind::List) => {
                        before.and_then(|s| self.index.member(s, &f.name))
                    }
                    _ => None,
                };
                let sym = sym.or_else(|| {
                    let record = self.type_of(inner.span).and_then(|t| self.type_symbol(t));
                    record.and_then(|r| self.index.member(r, &f.name))
                });
                self.mention(f.span, sym);
            }
            ExprKind::Has(inner, f) => {
                self.expr(m, locals, inner);
                let record = self.type_of(inner.span).and_then(|t| self.type_symbol(t));
                let sym = record.and_then(|r| self.index.member(r, &f.name));
                self.mention(f.span, sym);
            }
            ExprKind::Index(list, key) => {
                self.expr(m, locals, list);
                self.expr(m, locals, key);
                let list_sym = self.mentioned_at(list).filter(|&s| self.index.symbols[s].kind == Kind::List);
                let key_text = match &key.kind {
                    ExprKind::Text(t) => Some((t.clone(), inside_quotes(key.span, t))),
                    ExprKind::Int(i) => Some((i.to_string(), key.span)),
                    _ => None,
                };
                if let (Some(l), Some((k, span))) = (list_sym, key_text) {
                    let row = self.index.member(l, &k);
                    self.mention(span, row);
                }
            }
            ExprKind::Call(_, args) | ExprKind::Set(args) => {
                args.iter().for_each(|a| self.expr(m, locals, a))
            }
            ExprKind::Unary(_, a) | ExprKind::IsSome(a, _) => self.expr(m, locals, a),
            ExprKind::Binary(_, a, b) => {
                self.expr(m, locals, a);
                self.expr(m, locals, b);
            }
            ExprKind::If(c, a, b) => [c, a, b].iter().for_each(|x| self.expr(m, locals, x)),
            ExprKind::Quant(q) => {
                self.expr(m, locals, &q.over);
                let mut inner = locals.to_vec();
                inner.push(self.bind(m, &q.var, &q.over));
                for x in q.of.iter().chain(q.filter.iter()) {
                    self.expr(m, &inner, x);
                }
            }
            ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Decimal(_)
            | ExprKind::Text(_)
            | ExprKind::Date(_)
            | ExprKind::None => {}
        }
    }

    /// Declares the variable `var` ranging over `over` (already walked).
    fn bind(&mut self, m: usize, var: &Ident, over: &Expr) -> (String, SymId) {
        let ty = self.type_of(over.span).and_then(|t| match t.present() {
            Ty::List(l) => Some(Ty::Row(*l)),
            Ty::Set(inner) => Some((**inner).clone()),
            _ => None,
        });
        // What a hover shows of it: `x 属于 清单`.
        let decl_span = Span { end: over.span.end, ..var.span };
        let sym = Symbol {
            kind: Kind::Variable,
            name: var.name.clone(),
            module: m,
            container: None,
            name_span: var.span,
            decl_span,
            decl: None,
        };
        let id = self.index.add_variable(sym, ty);
        (var.name.clone(), id)
    }

    /// The symbol a name or field expression was found to mention (for what follows `.`).
    fn mentioned_at(&self, e: &Expr) -> Option<SymId> {
        let span = match &e.kind {
            ExprKind::Name(id) => id.span,
            ExprKind::Field(_, f) => f.span,
            _ => return None,
        };
        self.at_span.get(&span).copied()
    }
}

/// The span of a string literal's words without its quotes (`"…"` one byte each, `“…”`
/// three), when the literal has no escapes; else the whole literal.
fn inside_quotes(span: Span, value: &str) -> Span {
    let quotes = (span.end - span.start) as usize - value.len().min((span.end - span.start) as usize);
    match quotes {
        2 | 6 => Span { start: span.start + quotes as u32 / 2, end: span.end - quotes as u32 / 2, ..span },
        _ => span,
    }
}
