//! The WASM target: a policy compiled to a self-contained WebAssembly module that gives
//! exactly the interpreter's decisions.
//!
//! The module imports nothing. It exports its memory, an `abi_version` global and four
//! functions — `begin` (accept the case written into memory), `decide(d)`, `check(c)`
//! and `read_let(l)` — and carries a manifest (custom section `qingdan`) that tells a
//! host the input layout, the names of everything and where results are written. Lists
//! become data segments. `docs/wasm-abi.md` is the contract; [`host`] is the Rust host.
//!
//! Stages: [`layout`] plans memory, [`expr`] and [`decide`] generate code from the IR
//! (with the helpers of [`runtime`]), this file assembles the module, [`manifest`]
//! describes it, and [`integrity`] seals it (a digest of everything, optionally signed).

mod asm;
mod decide;
mod entry;
mod expr;
pub mod host;
mod keywords;
pub use qingdan_runtime::integrity;
pub mod layout;
pub mod manifest;
mod runtime;
pub mod words;

use std::collections::HashMap;

use qingdan_dsl::Span;
use wasm_encoder::{
    CodeSection, ConstExpr, CustomSection, DataSection, ElementSection, Elements, ExportKind, ExportSection,
    FunctionSection, GlobalSection, GlobalType, MemorySection, MemoryType, Module, RefType, TableSection,
    TableType, TypeSection, ValType,
};

use crate::ir::{Combining, DecisionId, Expr, ExprKind, ListId, Policy, RuleId};
use asm::{Body, ABSENT, I32, I64};
use layout::{global, Layout, ABI_VERSION, MAX_PAGES};
use manifest::Column;
pub use manifest::Manifest;
use words::Statics;

/// The custom section that carries the manifest.
pub use qingdan_runtime::abi::MANIFEST_SECTION;

/// How many runtime helpers every module carries: they are its first functions, the
/// same in every module, and the policy's own code follows them.
pub const RUNTIME_FUNCTIONS: usize = runtime::ALL.len();

/// A policy the compiler cannot translate. The checker rules these out for policies it
/// accepts; the error exists so that a gap between the two is a message, not a panic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    pub span: Span,
    pub what: String,
}

impl BuildError {
    fn unsupported(e: &Expr, what: &str) -> BuildError {
        BuildError { span: e.span, what: what.to_string() }
    }
}

/// A compiled policy: the module's bytes and its manifest.
pub struct Compiled {
    pub bytes: Vec<u8>,
    pub manifest: Manifest,
}

/// Compiles `policy` to a WASM module. `hash` identifies the source it came from.
pub fn compile(policy: &Policy, hash: &str) -> Result<Compiled, BuildError> {
    reject_sets_of_sets(policy)?;
    let mut g = Gen::new(policy);
    let bodies = g.bodies()?;
    let sink = layout::finish(&mut g.layout, g.statics.len(), 8 * g.sink_words.max(1));
    let manifest = manifest::manifest_of(policy, &g.layout, &g.columns, g.sites.clone(), hash);
    let bytes = integrity::seal(g.assemble(bodies, sink, &manifest));
    Ok(Compiled { bytes, manifest })
}

/// Indices of the generated functions, fixed before any body is generated so that
/// bodies can call one another.
struct Funcs {
    lets: u32,
    lookups: u32,
    /// One per keyword table (`keywords.rs`).
    keywords: u32,
    outcomes: u32,
    verdicts: Vec<Option<u32>>,
    sames: u32,
    decides: u32,
    checks: u32,
    /// `begin`, `decide`, `check`, `read_let`.
    exports: u32,
    total: u32,
    /// The type index of `outcome_r(dst)`, for `call_indirect`.
    outcome_type: u32,
}

impl Funcs {
    fn let_fn(&self, l: u32) -> u32 {
        self.lets + l
    }

    fn lookup_fn(&self, l: ListId) -> u32 {
        self.lookups + l
    }

    fn outcome_fn(&self, r: RuleId) -> u32 {
        self.outcomes + r
    }

    fn verdict_fn(&self, r: RuleId) -> u32 {
        self.verdicts.get(r as usize).copied().flatten().unwrap_or(0)
    }

    fn same_fn(&self, d: DecisionId) -> u32 {
        self.sames + d
    }

    fn decide_fn(&self, d: DecisionId) -> u32 {
        self.decides + d
    }

    fn check_fn(&self, c: u32) -> u32 {
        self.checks + c
    }
}

/// The code generator's state for one policy.
pub(crate) struct Gen<'p> {
    policy: &'p Policy,
    layout: Layout,
    statics: Statics,
    funcs: Funcs,
    /// Spans of the expressions that can fail, by site number.
    sites: Vec<Span>,
    site_of: HashMap<(u32, u32, u32), i32>,
    /// Words the largest constant-size allocation needs (see `runtime::alloc`).
    sink_words: u32,
    exceptions: Vec<Vec<RuleId>>,
    let_may_fail: Vec<bool>,
    /// Per list: the fields the module holds, as columns.
    columns: Vec<Vec<Column>>,
    list_rows: HashMap<ListId, i64>,
    /// Per list: whether the policy looks a row up by key (its lookup gets a table).
    looked_up: Vec<bool>,
    /// The columns searched by keyword, laid out (`keywords.rs`).
    keyword_tables: Vec<keywords::Table>,
    /// Function types, interned.
    types: Vec<(Vec<ValType>, Vec<ValType>)>,
}

impl<'p> Gen<'p> {
    fn new(policy: &'p Policy) -> Gen<'p> {
        let layout = layout::plan(policy);
        let mut statics = Statics::new(layout.statics, &compared_texts(policy));
        // Lists first: their tables are the bulk of the static data. Only the columns
        // the policy reads go in (and the key, which names rows).
        let columns: Vec<Vec<Column>> = columns(policy)
            .into_iter()
            .zip(&policy.lists)
            .map(|(fields, list)| {
                let column = |f: usize| {
                    let words: Vec<i64> = list.rows.iter().map(|row| statics.word(&row[f])).collect();
                    let width = words::column_width(&words, &list.fields[f].1);
                    Column { field: f, at: statics.column(&words, width), width }
                };
                fields.into_iter().map(column).collect()
            })
            .collect();
        let exceptions = policy.exceptions();
        let mut let_may_fail = Vec::with_capacity(policy.lets.len());
        for l in &policy.lets {
            let fails = expr::may_fail(&l.value, &let_may_fail);
            let_may_fail.push(fails);
        }
        let keyword_tables: Vec<keywords::Table> = keywords::searched_columns(policy)
            .into_iter()
            .map(|(l, f)| keywords::Table::lay_out(&mut statics, l, f, &policy.lists[l as usize].rows))
            .collect();
        let funcs = Self::number(policy, &exceptions, keyword_tables.len());
        let mut g = Gen {
            policy,
            layout,
            columns,
            statics,
            funcs,
            sites: Vec::new(),
            site_of: HashMap::new(),
            sink_words: keyword_tables.iter().map(keywords::Table::sink_words).max().unwrap_or(0).max(1),
            keyword_tables,
            exceptions,
            let_may_fail,
            list_rows: HashMap::new(),
            looked_up: looked_up(policy),
            types: Vec::new(),
        };
        g.funcs.outcome_type = g.ty(&[I32], &[]);
        g
    }

    fn number(policy: &Policy, exceptions: &[Vec<RuleId>], keyword_tables: usize) -> Funcs {
        let mut next = runtime::ALL.len() as u32;
        let mut take = |n: usize| {
            let start = next;
            next += n as u32;
            start
        };
        let lets = take(policy.lets.len());
        let lookups = take(policy.lists.len());
        let keywords = take(keyword_tables);
        let outcomes = take(policy.rules.len());
        let verdicts = policy
            .rules
            .iter()
            .enumerate()
            .map(|(r, rule)| (rule.exception_to.is_some() || !exceptions[r].is_empty()).then(|| take(1)))
            .collect();
        let sames = take(policy.decisions.len());
        let decides = take(policy.decisions.len());
        let checks = take(policy.checks.len());
        let exports = take(4);
        Funcs {
            lets,
            lookups,
            keywords,
            outcomes,
            verdicts,
            sames,
            decides,
            checks,
            exports,
            total: next,
            outcome_type: 0,
        }
    }

    fn ty(&mut self, params: &[ValType], results: &[ValType]) -> u32 {
        let key = (params.to_vec(), results.to_vec());
        match self.types.iter().position(|t| *t == key) {
            Some(i) => i as u32,
            None => {
                self.types.push(key);
                self.types.len() as u32 - 1
            }
        }
    }

    /// The site number of a failing expression, for the host to point at its span.
    fn site(&mut self, e: &Expr) -> i32 {
        let key = (e.span.file.0, e.span.start, e.span.end);
        if let Some(s) = self.site_of.get(&key) {
            return *s;
        }
        self.sites.push(e.span);
        let s = self.sites.len() as i32 - 1;
        self.site_of.insert(key, s);
        s
    }

    fn may_fail(&self, e: &Expr) -> bool {
        expr::may_fail(e, &self.let_may_fail)
    }

    /// The column of field `field` of list `l`. The key and every field an expression
    /// reads have one; any other answers an empty column at 0 (never read).
    fn column(&self, l: ListId, field: usize) -> Column {
        let cols = self.columns.get(l as usize).map_or(&[][..], |c| c.as_slice());
        cols.iter().find(|c| c.field == field).copied().unwrap_or(Column { field, at: 0, width: 8 })
    }

    /// The set of all row indices of list `l`, as a constant word.
    fn list_rows(&mut self, l: ListId) -> i64 {
        if let Some(w) = self.list_rows.get(&l) {
            return *w;
        }
        let n = self.policy.lists.get(l as usize).map_or(0, |x| x.rows.len());
        let rows: Vec<crate::Value> = (0..n as u32).map(crate::Value::Row).collect();
        let w = self.statics.word(&crate::Value::Set(rows.into()));
        self.list_rows.insert(l, w);
        w
    }

    /// Every generated body with its type, in function index order after the runtime's.
    fn bodies(&mut self) -> Result<Vec<(u32, Body)>, BuildError> {
        let p = self.policy;
        let mut out = Vec::new();
        for l in 0..p.lets.len() as u32 {
            let ty = self.ty(&[], &[I64]);
            out.push((ty, self.let_fn(l)?));
        }
        for l in 0..p.lists.len() as u32 {
            let ty = self.ty(&[I64], &[I64]);
            out.push((ty, self.lookup_fn(l)));
        }
        if !self.keyword_tables.is_empty() {
            let ty = self.ty(&[I64], &[I32]);
            for (t, table) in self.keyword_tables.iter().enumerate() {
                out.push((ty, table.body(t as u32)));
            }
        }
        for r in 0..p.rules.len() as u32 {
            out.push((self.funcs.outcome_type, self.outcome_fn(r)?));
        }
        for r in 0..p.rules.len() as u32 {
            if self.funcs.verdicts[r as usize].is_some() {
                let ty = self.ty(&[], &[I32]);
                out.push((ty, self.verdict_fn(r)?));
            }
        }
        for d in 0..p.decisions.len() as u32 {
            let ty = self.ty(&[I32, I32], &[I32]);
            out.push((ty, self.same_fn(d)));
        }
        for d in 0..p.decisions.len() as u32 {
            let ty = self.ty(&[], &[I32]);
            out.push((ty, self.decide_fn(d)?));
        }
        for c in 0..p.checks.len() as u32 {
            let ty = self.ty(&[], &[I32]);
            out.push((ty, self.check_fn(c)?));
        }
        let begin = self.begin_fn()?;
        let (none_i32, i32_i32) = (self.ty(&[], &[I32]), self.ty(&[I32], &[I32]));
        out.push((none_i32, begin));
        out.push((i32_i32, self.dispatch(p.decisions.len() as u32, |f, d| f.decide_fn(d))));
        out.push((i32_i32, self.dispatch(p.checks.len() as u32, |f, c| f.check_fn(c))));
        out.push((i32_i32, self.read_let_fn()));
        Ok(out)
    }

    /// Puts the module together: sections in the order the format requires.
    fn assemble(&mut self, bodies: Vec<(u32, Body)>, sink: u32, manifest: &Manifest) -> Vec<u8> {
        let runtime_types: Vec<u32> = runtime::ALL
            .iter()
            .map(|r| {
                let (params, results) = r.signature();
                self.ty(params, results)
            })
            .collect();
        let mut types = TypeSection::new();
        for (params, results) in &self.types {
            types.ty().function(params.iter().copied(), results.iter().copied());
        }
        let mut functions = FunctionSection::new();
        let mut code = CodeSection::new();
        for (r, ty) in runtime::ALL.iter().zip(&runtime_types) {
            functions.function(*ty);
            code.function(&r.body().finish());
        }
        for (ty, body) in bodies {
            functions.function(ty);
            code.function(&body.finish());
        }
        debug_assert_eq!(functions.len(), self.funcs.total);
        let rules = self.policy.rules.len() as u64;
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: rules,
            maximum: Some(rules),
            shared: false,
        });
        let mut memories = MemorySection::new();
        memories.memory(MemoryType {
            minimum: u64::from(self.layout.pages),
            maximum: Some(MAX_PAGES),
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        let mut globals = GlobalSection::new();
        for g in 0..global::ABI + 1 {
            let (mutable, value) = match g {
                global::HEAP => (true, self.layout.heap as i32),
                global::HEAP_BASE => (false, self.layout.heap as i32),
                global::SINK => (false, sink as i32),
                global::ABI => (false, ABI_VERSION as i32),
                global::ERR_SITE => (true, -1),
                _ => (g < global::MUTABLE, 0),
            };
            let ty = GlobalType { val_type: I32, mutable, shared: false };
            globals.global(ty, &ConstExpr::i32_const(value));
        }
        for _ in 0..layout::cache::WAYS {
            let ty = GlobalType { val_type: I64, mutable: true, shared: false };
            globals.global(ty, &ConstExpr::i64_const(ABSENT));
            globals.global(ty, &ConstExpr::i64_const(0));
        }
        globals.global(GlobalType { val_type: I32, mutable: true, shared: false }, &ConstExpr::i32_const(0));
        let units_end = self.statics.units_end() as i32;
        globals.global(
            GlobalType { val_type: I32, mutable: false, shared: false },
            &ConstExpr::i32_const(units_end),
        );
        for _ in &self.keyword_tables {
            let ty = GlobalType { val_type: I64, mutable: true, shared: false };
            globals.global(ty, &ConstExpr::i64_const(layout::cache::NO_TEXT));
            globals.global(ty, &ConstExpr::i64_const(0));
        }
        let mut exports = ExportSection::new();
        exports.export("memory", ExportKind::Memory, 0);
        exports.export("abi_version", ExportKind::Global, global::ABI);
        for (i, name) in ["begin", "decide", "check", "read_let"].iter().enumerate() {
            exports.export(name, ExportKind::Func, self.funcs.exports + i as u32);
        }
        let mut elements = ElementSection::new();
        let outcome_fns: Vec<u32> = (0..rules as u32).map(|r| self.funcs.outcome_fn(r)).collect();
        elements.active(None, &ConstExpr::i32_const(0), Elements::Functions(outcome_fns.into()));
        let mut data = DataSection::new();
        data.active(0, &ConstExpr::i32_const(self.layout.ranks as i32), self.ranks());
        data.active(0, &ConstExpr::i32_const(self.layout.statics as i32), self.statics.bytes.iter().copied());
        let manifest = CustomSection {
            name: MANIFEST_SECTION.into(),
            data: serde_json::to_vec(manifest).unwrap_or_default().into(),
        };
        let mut module = Module::new();
        module
            .section(&types)
            .section(&functions)
            .section(&tables)
            .section(&memories)
            .section(&globals)
            .section(&exports)
            .section(&elements)
            .section(&code)
            .section(&data)
            .section(&manifest);
        module.finish()
    }

    /// Per rule, the rank of its outcome in its decision's `priority` order, as bytes.
    fn ranks(&self) -> Vec<u8> {
        let p = self.policy;
        p.rules
            .iter()
            .flat_map(|r| {
                let rank = match (&p.decisions[r.decision as usize].combining, &r.then) {
                    (Combining::Priority(ranks), Some(t)) => ranks.get(t.variant as usize).copied(),
                    _ => None,
                };
                rank.unwrap_or(u32::MAX).to_le_bytes()
            })
            .collect()
    }
}

/// Per list, the fields a module's table keeps: the key and every field an expression
/// reads, for each list the policy refers to (by expression or by type); none for the
/// others.
fn columns(p: &Policy) -> Vec<Vec<usize>> {
    use crate::ir::visit::walk;
    use crate::ir::{ExprKind, Type};
    let mut used = vec![std::collections::BTreeSet::new(); p.lists.len()];
    let refer = |t: &Type, used: &mut Vec<std::collections::BTreeSet<usize>>| {
        fn rows(t: &Type, out: &mut Vec<u32>) {
            match t {
                Type::Row(l) => out.push(*l),
                Type::Set(x) | Type::Opt(x) => rows(x, out),
                _ => {}
            }
        }
        let mut ls = Vec::new();
        rows(t, &mut ls);
        for l in ls {
            if let (Some(u), Some(list)) = (used.get_mut(l as usize), p.lists.get(l as usize)) {
                u.insert(list.key);
                // A row's days too: an explanation names a dated row with them.
                u.extend(list.dates.into_iter().flat_map(|(from, until)| [from, until]));
            }
        }
    };
    for e in p.exprs() {
        walk(e, &mut |x| {
            refer(&x.ty, &mut used);
            let (list, field) = match &x.kind {
                ExprKind::RowField { list, field, .. } => (*list, Some(*field as usize)),
                ExprKind::ListRows(l)
                | ExprKind::Lookup { list: l, .. }
                | ExprKind::HasKey { list: l, .. } => (*l, None),
                _ => return,
            };
            if let (Some(u), Some(def)) = (used.get_mut(list as usize), p.lists.get(list as usize)) {
                u.insert(def.key);
                u.extend(field);
                u.extend(def.dates.into_iter().flat_map(|(from, until)| [from, until]));
            }
        });
    }
    let types =
        p.slots.iter().map(|s| &s.ty).chain(p.lets.iter().map(|l| &l.ty)).chain(
            p.enums.iter().flat_map(|e| e.variants.iter().flat_map(|v| v.fields.iter().map(|(_, t)| t))),
        );
    for t in types {
        refer(t, &mut used);
    }
    // A kept field that names rows of another list needs that list's keys too.
    loop {
        let before: usize = used.iter().map(|u| u.len()).sum();
        for (l, list) in p.lists.iter().enumerate() {
            let fields: Vec<usize> = used[l].iter().copied().collect();
            for f in fields {
                refer(&list.fields[f].1, &mut used);
            }
        }
        if used.iter().map(|u| u.len()).sum::<usize>() == before {
            break;
        }
    }
    used.into_iter().map(|u| u.into_iter().collect()).collect()
}

/// Sets of sets have no one-word order inside a module; the checker accepts them, so
/// they are refused here, at the first place they occur.
fn reject_sets_of_sets(p: &Policy) -> Result<(), BuildError> {
    use crate::ir::visit::walk;
    use crate::ir::Type;
    fn nested(t: &Type) -> bool {
        match t {
            Type::Set(x) => matches!(x.required(), Type::Set(_)) || nested(x),
            Type::Opt(x) => nested(x),
            _ => false,
        }
    }
    let what = "a set of sets";
    if let Some(s) = p.slots.iter().find(|s| nested(&s.ty)) {
        return Err(BuildError { span: s.span, what: what.into() });
    }
    if let Some(l) = p.lists.iter().find(|l| l.fields.iter().any(|(_, t)| nested(t))) {
        return Err(BuildError { span: l.span, what: what.into() });
    }
    let mut found = None;
    for e in p.exprs() {
        walk(e, &mut |x| {
            if found.is_none() && nested(&x.ty) {
                found = Some(x.span);
            }
        });
    }
    match found {
        Some(span) => Err(BuildError { span, what: what.into() }),
        None => Ok(()),
    }
}

/// Per list: whether some expression of `policy` looks a row up by key.
fn looked_up(policy: &Policy) -> Vec<bool> {
    let mut looked_up = vec![false; policy.lists.len()];
    for e in policy.exprs() {
        crate::ir::visit::walk(e, &mut |x| {
            if let ExprKind::Lookup { list, .. } | ExprKind::HasKey { list, .. } = &x.kind {
                if let Some(l) = looked_up.get_mut(*list as usize) {
                    *l = true;
                }
            }
        });
    }
    looked_up
}

/// The constant texts `similarity` may compare, each once: its constant arguments, and
/// the cells of the text columns read in its arguments or iterated by an enclosing
/// quantifier (`相似度(t.名称, …)`, `任一(y 属于 t.采集数据项 满足 相似度(x, y) …)`). They are laid
/// out with their units; a text reaching `similarity` another way (through a let) has its
/// units computed as a case text's are.
fn compared_texts(policy: &Policy) -> Vec<&str> {
    let mut columns: Vec<(ListId, u32)> = Vec::new();
    let mut constants: Vec<&str> = Vec::new();
    for e in policy.exprs() {
        similarity_reads(e, &mut Vec::new(), &mut |x| match &x.kind {
            ExprKind::RowField { list, field, .. } if !columns.contains(&(*list, *field)) => {
                columns.push((*list, *field));
            }
            ExprKind::Const(crate::Value::Text(t)) => constants.push(t),
            _ => {}
        });
    }
    let mut texts = constants;
    for (list, field) in columns {
        for row in &policy.lists[list as usize].rows {
            match &row[field as usize] {
                crate::Value::Text(t) => texts.push(t),
                crate::Value::Set(items) => texts.extend(items.iter().filter_map(|i| match i {
                    crate::Value::Text(t) => Some(&**t),
                    _ => None,
                })),
                _ => {}
            }
        }
    }
    texts.sort_unstable();
    texts.dedup();
    texts
}

/// Calls `found` on every expression within a `similarity` call's arguments and within
/// the `over` of each quantifier enclosing the call (`overs`, outermost first).
fn similarity_reads<'a>(e: &'a Expr, overs: &mut Vec<&'a Expr>, found: &mut impl FnMut(&'a Expr)) {
    match &e.kind {
        ExprKind::Call(qingdan_dsl::check::builtins::Builtin::Similarity, args) => {
            for x in args.iter().chain(overs.iter().copied()) {
                crate::ir::visit::walk(x, found);
            }
        }
        ExprKind::Quant(q) => {
            similarity_reads(&q.over, overs, found);
            overs.push(&q.over);
            crate::ir::visit::each_child(e, &mut |c| {
                if !std::ptr::eq(c, &q.over) {
                    similarity_reads(c, overs, found);
                }
            });
            overs.pop();
        }
        _ => crate::ir::visit::each_child(e, &mut |c| similarity_reads(c, overs, found)),
    }
}
