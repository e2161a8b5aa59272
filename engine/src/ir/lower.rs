//! Checked AST → IR. The checker has already proved the program well-typed, so lowering
//! only looks names up (the same way the checker did) and reads the types it recorded.

use std::collections::HashMap;

use qingdan_dsl::check::builtins::Builtin;
use qingdan_dsl::check::env::{Def, Env};
use qingdan_dsl::check::{Checked, Ty};
use qingdan_dsl::program::Program;
use qingdan_dsl::syntax::ast::{self, BinaryOp, Decl, ExprKind as A, ListBody, UnaryOp};
use qingdan_dsl::Span;

use super::*;
use crate::value::Value;

/// Why a checked program cannot be lowered: it had errors, or uses something the engine
/// does not run yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowerError {
    pub message: String,
    pub span: Option<Span>,
}

type Lowered<T> = Result<T, LowerError>;

fn unsupported<T>(what: &str, span: Span) -> Lowered<T> {
    Err(LowerError { message: format!("not supported by the engine yet: {what}"), span: Some(span) })
}

/// Lowers the policy named `policy` (or the first one) of a checked program.
pub fn lower(program: &Program, policy: Option<&str>) -> Lowered<Policy> {
    let checked = program.checked.as_ref().filter(|_| !program.has_errors()).ok_or_else(|| LowerError {
        message: "the policy has errors; run `qingdan check` first".into(),
        span: None,
    })?;
    let m = match policy {
        None => 0,
        Some(name) => program
            .modules
            .iter()
            .position(|pm| pm.module.name.name == name)
            .ok_or_else(|| LowerError { message: format!("no policy named `{name}`"), span: None })?,
    };
    let module =
        &program.modules.get(m).ok_or_else(|| LowerError { message: "no policy".into(), span: None })?.module;
    let mut l = Lowerer {
        program,
        checked,
        env: &checked.env,
        m,
        module,
        policy: empty(&module.name.name, module.lang),
        let_ids: HashMap::new(),
        locals: Vec::new(),
    };
    l.tables()?;
    l.inputs()?;
    l.body()?;
    super::verify(&l.policy).map_err(|e| LowerError { message: e.message, span: Some(e.span) })?;
    Ok(l.policy)
}

fn empty(name: &str, lang: qingdan_dsl::Lang) -> Policy {
    Policy {
        name: name.to_string(),
        lang,
        inputs: Vec::new(),
        slots: Vec::new(),
        enums: Vec::new(),
        lists: Vec::new(),
        sources: Vec::new(),
        lets: Vec::new(),
        rules: Vec::new(),
        decisions: Vec::new(),
        checks: Vec::new(),
        tests: Vec::new(),
    }
}

struct Lowerer<'a> {
    program: &'a Program,
    checked: &'a Checked,
    env: &'a Env,
    m: usize,
    module: &'a ast::Module,
    policy: Policy,
    /// Declaration index of a let → its id (assigned in dependency order).
    let_ids: HashMap<usize, LetId>,
    /// Names bound by quantifiers and checks, outermost first.
    locals: Vec<String>,
}

/// A checked type as a run-time type; `None` for what is no value: a record (inputs are
/// flattened into slots and rows are referenced by index), the type of `none` and `[]`
/// (which take the type of where they stand: see [`Lowerer::expr_as`]) and the checker's
/// stand-in after an error.
pub fn run_type(ty: &Ty) -> Option<Type> {
    Some(match ty {
        Ty::Nothing | Ty::Error | Ty::Record(_) => return None,
        Ty::Bool => Type::Bool,
        Ty::Int => Type::Int,
        Ty::Decimal => Type::Decimal,
        Ty::Text => Type::Text,
        Ty::Date => Type::Date,
        Ty::Enum(e) => Type::Enum(e.0 as u32),
        Ty::Row(l) => Type::Row(l.0 as u32),
        Ty::List(l) => Type::Set(Box::new(Type::Row(l.0 as u32))),
        Ty::Set(inner) => Type::Set(Box::new(run_type(inner)?)),
        Ty::Opt(inner) => Type::Opt(Box::new(run_type(inner)?)),
    })
}

/// A declared type (of a field, a let, a variant's value) as a run-time type.
fn declared_type(ty: &Ty, span: Span) -> Lowered<Type> {
    run_type(ty).ok_or_else(|| LowerError {
        message: "a field or let whose type is not a value".into(),
        span: Some(span),
    })
}

/// The type of `none` or `[]` with nothing around it to give it one.
fn untyped<T>(span: Span) -> Lowered<T> {
    Err(LowerError {
        message:
            "the type of `none` or `[]` cannot be told here: declare it (e.g. `let s: set of text = []`)"
                .into(),
        span: Some(span),
    })
}

/// Whether the checker left `ty` without a value type (`none`, `[]`, `[none]`).
fn is_untyped(ty: &Ty) -> bool {
    match ty {
        Ty::Nothing => true,
        Ty::Set(inner) | Ty::Opt(inner) => is_untyped(inner),
        _ => false,
    }
}

/// `ty` with its ints made decimals wherever `target` has decimals (optionality kept):
/// the type an expression has once converted to stand where `target` is wanted.
fn widened(ty: &Type, target: &Type) -> Type {
    match (ty, target.required()) {
        (Type::Opt(inner), _) => Type::Opt(Box::new(widened(inner, target))),
        (Type::Int, Type::Decimal) => Type::Decimal,
        (Type::Set(a), Type::Set(b)) => Type::Set(Box::new(widened(a, b))),
        (t, _) => t.clone(),
    }
}

/// `e` converted to stand where `target` is wanted: unchanged when it already has
/// `target`'s representation, else an int (or set of ints) made a decimal — a constant
/// at once, anything else by a [`ExprKind::ToDecimal`] node.
fn convert(e: Expr, target: &Type) -> Expr {
    let ty = widened(&e.ty, target);
    if ty == e.ty {
        return e;
    }
    if let ExprKind::Const(v) = &e.kind {
        if let Some(d) = crate::eval::to_decimal(v.clone()) {
            return Expr { kind: ExprKind::Const(d), ty, span: e.span };
        }
    }
    let span = e.span;
    Expr { kind: ExprKind::ToDecimal(Box::new(e)), ty, span }
}

/// Two operands that must have one type (comparison, `min`/`max`, arithmetic): the int
/// side made a decimal when the other is one.
fn unify(a: Expr, b: Expr) -> (Expr, Expr) {
    let a = convert(a, &b.ty);
    let b = convert(b, &a.ty);
    (a, b)
}

impl Lowerer<'_> {
    // ------------------------------------------------------------ tables

    /// Enums, lists and sources of every policy checked together, with the checker's ids.
    fn tables(&mut self) -> Lowered<()> {
        let field =
            |f: &qingdan_dsl::check::env::FieldInfo| Ok((f.name.clone(), declared_type(&f.ty, f.span)?));
        self.policy.enums = self
            .env
            .enums
            .iter()
            .map(|e| {
                let variants = e
                    .variants
                    .iter()
                    .map(|v| {
                        let fields = v.fields.iter().map(field).collect::<Lowered<_>>()?;
                        Ok(VariantDef { name: v.name.clone(), fields })
                    })
                    .collect::<Lowered<_>>()?;
                Ok(EnumDef { name: e.name.clone(), variants })
            })
            .collect::<Lowered<_>>()?;
        self.policy.sources = self
            .env
            .sources
            .iter()
            .map(|s| SourceDef {
                name: s.name.clone(),
                title: s.title.clone(),
                clauses: s
                    .clauses
                    .iter()
                    .map(|c| ClauseDef { id: c.id.clone(), text: c.text.clone() })
                    .collect(),
            })
            .collect();
        let keys = self.key_indexes();
        for (id, info) in self.env.lists.iter().enumerate() {
            let record = self.env.row_record(qingdan_dsl::check::env::ListId(id));
            let fields: Vec<(String, Type)> = match record {
                Some(r) => r.fields.iter().map(field).collect::<Lowered<_>>()?,
                None => Vec::new(),
            };
            let key = info.key_field.unwrap_or(0);
            let rows = self.rows(id, &fields, key, &keys)?;
            let row_spans = self.list_items(id).iter().map(|item| item.span).collect();
            self.policy.lists.push(ListDef {
                name: info.name.clone(),
                fields,
                key,
                rows,
                row_spans,
                span: info.span,
            });
        }
        Ok(())
    }

    /// For every list, its row items in order: (module, declaration index).
    fn list_items(&self, list: usize) -> Vec<ast::Item> {
        let mut n = 0;
        for (m, pm) in self.program.modules.iter().enumerate() {
            for (i, decl) in pm.module.decls.iter().enumerate() {
                if let Decl::List(l) = decl {
                    if n == list {
                        return match &l.body {
                            ListBody::Items(items) => items.clone(),
                            ListBody::From(_) => {
                                self.program.included.get(&(m, i)).cloned().unwrap_or_default()
                            }
                        };
                    }
                    n += 1;
                }
            }
        }
        Vec::new()
    }

    /// Key value → row index, for each list.
    fn key_indexes(&self) -> Vec<HashMap<ast::KeyValue, u32>> {
        (0..self.env.lists.len())
            .map(|l| {
                self.list_items(l)
                    .iter()
                    .enumerate()
                    .map(|(i, it)| (it.key.value.clone(), i as u32))
                    .collect()
            })
            .collect()
    }

    fn rows(
        &self,
        list: usize,
        fields: &[(String, Type)],
        key: usize,
        keys: &[HashMap<ast::KeyValue, u32>],
    ) -> Lowered<Vec<Vec<Value>>> {
        let mut rows = Vec::new();
        for item in self.list_items(list) {
            let mut row = vec![Value::None; fields.len()];
            row[key] = match &item.key.value {
                ast::KeyValue::Text(t) => Value::text(t),
                ast::KeyValue::Int(i) => Value::Int(*i),
            };
            for init in &item.fields {
                let Some(f) = fields.iter().position(|(n, _)| *n == init.name.name) else { continue };
                row[f] = self.constant(&init.value, &fields[f].1, keys)?;
            }
            rows.push(row);
        }
        Ok(rows)
    }

    /// A constant of a row or test: literals, variants, sets, and row keys.
    fn constant(&self, e: &ast::Expr, ty: &Type, keys: &[HashMap<ast::KeyValue, u32>]) -> Lowered<Value> {
        let ty = match ty {
            Type::Opt(inner) => inner,
            other => other,
        };
        Ok(match (&e.kind, ty) {
            (A::None, _) => Value::None,
            (A::Set(items), Type::Set(inner)) => {
                Value::set(items.iter().map(|i| self.constant(i, inner, keys)).collect::<Lowered<_>>()?)
            }
            (A::Text(t) | A::Name(ast::Ident { name: t, .. }), Type::Row(l)) => {
                let row = keys[*l as usize].get(&ast::KeyValue::Text(t.clone()));
                Value::Row(*row.ok_or_else(|| LowerError {
                    message: format!("dangling key `{t}`"),
                    span: Some(e.span),
                })?)
            }
            (A::Int(i), Type::Row(l)) => {
                Value::Row(*keys[*l as usize].get(&ast::KeyValue::Int(*i)).ok_or_else(|| LowerError {
                    message: format!("dangling key `{i}`"),
                    span: Some(e.span),
                })?)
            }
            (A::Name(n), Type::Enum(en)) => Value::Enum(self.variant_index(*en, &n.name, e.span)?),
            (A::Field(_, v), Type::Enum(en)) => Value::Enum(self.variant_index(*en, &v.name, e.span)?),
            (A::Unary(UnaryOp::Neg, x), _) => match self.constant(x, ty, keys)? {
                Value::Int(i) => Value::Int(-i),
                Value::Dec(d) => Value::Dec(-d),
                _ => return unsupported("negating this constant", e.span),
            },
            // An int written where a decimal is declared is that decimal.
            (A::Int(_), Type::Decimal) => crate::eval::to_decimal(literal(e)?).ok_or_else(|| LowerError {
                message: "number out of the decimal range".into(),
                span: Some(e.span),
            })?,
            _ => literal(e)?,
        })
    }

    fn variant_index(&self, e: EnumId, name: &str, span: Span) -> Lowered<u32> {
        let def = &self.policy.enums[e as usize];
        def.variants.iter().position(|v| v.name == name).map(|i| i as u32).ok_or_else(|| LowerError {
            message: format!("`{name}` is not a variant of `{}`", def.name),
            span: Some(span),
        })
    }

    // ------------------------------------------------------------ inputs

    fn inputs(&mut self) -> Lowered<()> {
        let inputs: Vec<_> =
            self.env.records.iter().enumerate().filter(|(_, r)| r.module == self.m && r.is_input).collect();
        for (n, (_, record)) in inputs.into_iter().enumerate() {
            let mut fields = Vec::new();
            for f in &record.fields {
                self.flatten(n as u32, vec![f.name.clone()], &f.ty, f.span, &mut fields, 0)?;
            }
            self.policy.inputs.push(Input { name: record.name.clone(), fields, span: record.span });
        }
        Ok(())
    }

    /// Adds slots for a field, one per leaf of a record-typed field.
    fn flatten(
        &mut self,
        input: u32,
        path: Vec<String>,
        ty: &Ty,
        span: Span,
        out: &mut Vec<SlotId>,
        depth: u32,
    ) -> Lowered<()> {
        if depth > 8 {
            return unsupported("records nested more than 8 deep in an input", span);
        }
        let record = match ty {
            Ty::Record(r) => Some(*r),
            Ty::Opt(inner) if matches!(**inner, Ty::Record(_)) => {
                return unsupported("optional record fields", span)
            }
            _ => None,
        };
        match record {
            Some(r) => {
                for f in &self.env.records[r.0].fields {
                    let mut p = path.clone();
                    p.push(f.name.clone());
                    self.flatten(input, p, &f.ty, f.span, out, depth + 1)?;
                }
            }
            None => {
                out.push(self.policy.slots.len() as SlotId);
                self.policy.slots.push(Slot { path, input, ty: declared_type(ty, span)?, span });
            }
        }
        Ok(())
    }

    fn slot(&self, input: &str, path: &[String]) -> Option<SlotId> {
        let input = self.policy.inputs.iter().position(|i| i.name == input)? as u32;
        self.policy.slots.iter().position(|s| s.input == input && s.path == path).map(|i| i as SlotId)
    }

    // ------------------------------------------------------------ lets, rules, decisions, checks

    fn body(&mut self) -> Lowered<()> {
        for (i, decl) in self.module.decls.iter().enumerate() {
            if let Decl::Let(_) = decl {
                self.let_id(i)?;
            }
        }
        let decisions: Vec<usize> = self
            .module
            .decls
            .iter()
            .enumerate()
            .filter(|(_, d)| matches!(d, Decl::Decision(_)))
            .map(|(i, _)| i)
            .collect();
        let rules: Vec<usize> = self
            .module
            .decls
            .iter()
            .enumerate()
            .filter(|(_, d)| matches!(d, Decl::Rule(_)))
            .map(|(i, _)| i)
            .collect();
        for &i in &decisions {
            let Decl::Decision(d) = &self.module.decls[i] else { continue };
            let decision = self.decision(d)?;
            self.policy.decisions.push(decision);
        }
        for &i in &rules {
            let Decl::Rule(r) = &self.module.decls[i] else { continue };
            let d = self
                .checked
                .rule_decisions
                .get(&(self.m, i))
                .and_then(|d| decisions.iter().position(|x| x == d));
            let Some(d) = d else { return unsupported("a rule without a decision", r.span) };
            let rule = self.rule(r, d as DecisionId, &rules)?;
            if rule.exception_to.is_none() {
                self.policy.decisions[d].rules.push(self.policy.rules.len() as RuleId);
            }
            self.policy.rules.push(rule);
        }
        for decl in &self.module.decls {
            if let Decl::Check(c) = decl {
                let check = self.check(c)?;
                self.policy.checks.push(check);
            }
        }
        let keys = self.key_indexes();
        for decl in &self.module.decls {
            if let Decl::Test(t) = decl {
                let test = self.test(t, &keys)?;
                self.policy.tests.push(test);
            }
        }
        Ok(())
    }

    /// A `test` block: its `given` values as a case, its expectations by index.
    fn test(&self, t: &ast::TestDecl, keys: &[HashMap<ast::KeyValue, u32>]) -> Lowered<TestCase> {
        let mut case = vec![Value::None; self.policy.slots.len()];
        for given in &t.givens {
            for init in &given.fields {
                let path = [init.name.name.clone()];
                let Some(slot) = self.slot(&given.input.name, &path) else {
                    return unsupported("a test value for a record-typed field", init.span);
                };
                case[slot as usize] =
                    self.constant(&init.value, &self.policy.slots[slot as usize].ty, keys)?;
            }
        }
        let mut expects = Vec::new();
        for ex in &t.expects {
            let decision = self.policy.decisions.iter().position(|d| d.name == ex.decision.name);
            let decision = decision
                .ok_or_else(|| LowerError { message: "unknown decision".into(), span: Some(ex.span) })?;
            let e = self.policy.decisions[decision].outcome_enum;
            let variant = self.variant_index(e, &ex.outcome.last().name, ex.outcome.span)?;
            let fires = match &ex.fires {
                None => None,
                Some(names) => Some(
                    names
                        .iter()
                        .map(|n| {
                            let id = self.policy.rules.iter().position(|r| r.name == n.name);
                            id.map(|i| i as RuleId).ok_or_else(|| LowerError {
                                message: format!("unknown rule `{}`", n.name),
                                span: Some(n.span),
                            })
                        })
                        .collect::<Lowered<Vec<_>>>()?,
                ),
            };
            expects.push(Expectation { decision: decision as DecisionId, variant, fires });
        }
        Ok(TestCase { name: t.name.name.clone(), case, expects, span: t.span })
    }

    fn let_id(&mut self, decl: usize) -> Lowered<LetId> {
        if let Some(id) = self.let_ids.get(&decl) {
            return Ok(*id);
        }
        let Decl::Let(l) = &self.module.decls[decl] else { return unsupported("a let", self.module.span) };
        let declared = self.checked.let_types.get(&(self.m, decl)).filter(|t| !is_untyped(t));
        let (value, ty) = match declared {
            Some(t) => {
                let ty = declared_type(t, l.span)?;
                (self.expr_as(&l.value, &ty)?, ty)
            }
            None => {
                let value = self.expr(&l.value)?;
                let ty = value.ty.clone();
                (value, ty)
            }
        };
        let id = self.policy.lets.len() as LetId;
        self.policy.lets.push(Let { name: l.name.name.clone(), ty, value, span: l.span });
        self.let_ids.insert(decl, id);
        Ok(id)
    }

    fn decision(&mut self, d: &ast::DecisionDecl) -> Lowered<Decision> {
        let Some(Def::Enum(e)) = self.env.lookup(self.m, &d.ty.name) else {
            return unsupported("a decision whose type is not an enum", d.span);
        };
        let e = e.0 as EnumId;
        let combining = match &d.combining {
            ast::Combining::Priority(order) => {
                let mut rank = vec![0u32; self.policy.enums[e as usize].variants.len()];
                for (r, v) in order.iter().enumerate() {
                    rank[self.variant_index(e, &v.name, v.span)? as usize] = r as u32;
                }
                Combining::Priority(rank)
            }
            ast::Combining::First => Combining::First,
            ast::Combining::Collect => Combining::Collect,
            ast::Combining::Unique => Combining::Unique,
        };
        let (default, default_cites) = match &d.end {
            ast::DecisionEnd::Default(o, cites) => (Some(self.outcome(o, e)?), self.cites(cites)),
            _ => (None, Vec::new()),
        };
        Ok(Decision {
            name: d.name.name.clone(),
            outcome_enum: e,
            combining,
            merge: d.merge.is_some(),
            default,
            default_cites,
            rules: Vec::new(),
            span: d.span,
        })
    }

    fn rule(&mut self, r: &ast::RuleDecl, decision: DecisionId, rules: &[usize]) -> Lowered<Rule> {
        let exception_to = match &r.kind {
            ast::RuleKind::Exception { target } => {
                let decl = self
                    .module
                    .decls
                    .iter()
                    .position(|d| matches!(d, Decl::Rule(x) if x.name.name == target.name));
                let id = decl.and_then(|d| rules.iter().position(|x| *x == d));
                Some(id.ok_or_else(|| LowerError {
                    message: "unknown exception target".into(),
                    span: Some(target.span),
                })? as RuleId)
            }
            ast::RuleKind::Rule { .. } => None,
        };
        let e = self.policy.decisions[decision as usize].outcome_enum;
        let then = r.then.as_ref().map(|o| self.outcome(o, e)).transpose()?;
        Ok(Rule {
            name: r.name.name.clone(),
            decision,
            exception_to,
            when: self.expr(&r.when)?,
            unless: r.unless.iter().map(|u| self.expr(u)).collect::<Lowered<_>>()?,
            then,
            cites: self.cites(&r.cites),
            span: r.span,
        })
    }

    fn outcome(&mut self, o: &ast::Outcome, e: EnumId) -> Lowered<OutcomeExpr> {
        let variant = self.variant_index(e, &o.variant.last().name, o.variant.span)?;
        let names: Vec<String> = self.policy.enums[e as usize].variants[variant as usize]
            .fields
            .iter()
            .map(|f| f.0.clone())
            .collect();
        let mut fields = Vec::new();
        for name in names {
            let ty = self.policy.enums[e as usize].variants[variant as usize].fields[fields.len()].1.clone();
            let init = o.fields.iter().flatten().find(|f| f.name.name == name);
            let value = match init {
                Some(init) => self.expr_as(&init.value, &ty)?,
                // The checker lets an optional field be left out, as in a list row: it is none.
                None if matches!(ty, Type::Opt(_)) => {
                    Expr { kind: ExprKind::Const(Value::None), ty, span: o.span }
                }
                None => {
                    return Err(LowerError { message: format!("missing value `{name}`"), span: Some(o.span) })
                }
            };
            fields.push(value);
        }
        Ok(OutcomeExpr { variant, fields, reason: o.reason.as_ref().map(|r| r.value.clone()), span: o.span })
    }

    fn cites(&self, cites: &[ast::Path]) -> Vec<Cite> {
        let mut out = Vec::new();
        for c in cites {
            let parts = &c.parts;
            let (Some(source), Some(clause)) = (parts.iter().rev().nth(1), parts.last()) else { continue };
            let Some(sid) =
                self.env.sources.iter().position(|s| s.name == source.name && self.visible(s.module))
            else {
                continue;
            };
            if let Some(k) = self.env.sources[sid].clauses.iter().position(|x| x.id == clause.name) {
                out.push(Cite { source: sid as SourceId, clause: k as u32 });
            }
        }
        out
    }

    fn visible(&self, module: usize) -> bool {
        module == self.m || self.env.scopes[self.m].imports.iter().any(|i| i.module == module)
    }

    fn check(&mut self, c: &ast::CheckDecl) -> Lowered<Check> {
        let scope = match &c.scope {
            Some(s) => {
                let over = self.expr(&s.over)?;
                self.locals.push(s.var.name.clone());
                let filter = s.filter.as_ref().map(|f| self.expr(f)).transpose();
                Some((over, filter))
            }
            None => None,
        };
        let body = self.expr(&c.body);
        let scope = match scope {
            Some((over, filter)) => {
                self.locals.pop();
                Some(CheckScope { over, filter: filter? })
            }
            None => None,
        };
        Ok(Check {
            name: c.name.name.clone(),
            modality: c.modality,
            scope,
            body: body?,
            reason: c.reason.as_ref().map(|r| r.value.clone()),
            cites: self.cites(&c.cites),
            span: c.span,
        })
    }

    // ------------------------------------------------------------ expressions

    fn ty_of(&self, e: &ast::Expr) -> Ty {
        self.checked.expr_types.get(&e.span).cloned().unwrap_or(Ty::Error)
    }

    fn node(&self, kind: ExprKind, ty: Type, span: Span) -> Expr {
        Expr { kind, ty, span }
    }

    /// `e` with the type the checker gave it.
    pub(super) fn expr(&mut self, e: &ast::Expr) -> Lowered<Expr> {
        let checked = self.ty_of(e);
        match run_type(&checked) {
            Some(ty) => self.expr_typed(e, ty),
            None if is_untyped(&checked) => untyped(e.span),
            None => unsupported("this expression as a value", e.span),
        }
    }

    /// `e` where a value of type `target` is wanted (a declared let, an outcome value, an
    /// `if` branch, a set element, the other side of a comparison): converted to it, and
    /// `none` and `[]` typed by it.
    fn expr_as(&mut self, e: &ast::Expr, target: &Type) -> Lowered<Expr> {
        if !is_untyped(&self.ty_of(e)) {
            let x = self.expr(e)?;
            return Ok(convert(x, target));
        }
        let ty = match (&e.kind, target) {
            (_, Type::Opt(_) | Type::Set(_)) => target.clone(),
            (A::None, t) => Type::Opt(Box::new(t.clone())),
            _ => target.clone(),
        };
        self.expr_typed(e, ty)
    }

    fn expr_typed(&mut self, e: &ast::Expr, ty: Type) -> Lowered<Expr> {
        let b = |x: Expr| Box::new(x);
        let kind = match &e.kind {
            A::Bool(_) | A::Int(_) | A::Decimal(_) | A::Text(_) | A::Date(_) | A::None => {
                ExprKind::Const(literal(e)?)
            }
            A::Name(n) => return self.name(n, e),
            A::Field(base, f) => return self.field(base, f, e),
            A::Index(base, key) => match self.ty_of(base) {
                Ty::List(l) => ExprKind::Lookup { list: l.0 as ListId, key: b(self.expr(key)?) },
                _ => return unsupported("indexing something other than a list", e.span),
            },
            A::Call(f, args) => {
                let (builtin, _) = Builtin::lookup(&f.name)
                    .ok_or_else(|| LowerError { message: "unknown function".into(), span: Some(f.span) })?;
                ExprKind::Call(builtin, self.arguments(builtin, args)?)
            }
            A::Set(items) => {
                let Type::Set(elem) = ty.required() else { return unsupported("this set", e.span) };
                let elem = (**elem).clone();
                ExprKind::SetOf(items.iter().map(|i| self.expr_as(i, &elem)).collect::<Lowered<_>>()?)
            }
            A::Unary(UnaryOp::Not, x) => ExprKind::Not(b(self.expr(x)?)),
            A::Unary(UnaryOp::Neg, x) => ExprKind::Neg(b(self.expr(x)?)),
            A::Binary(op, l, r) => return self.binary(*op, l, r, ty, e.span),
            A::IsSome(x, some) => {
                let test = ExprKind::IsSome(b(self.expr(x)?));
                if *some {
                    test
                } else {
                    ExprKind::Not(b(self.node(test, Type::Bool, e.span)))
                }
            }
            A::Has(x, f) => {
                let field =
                    ast::Expr { kind: A::Field(Box::new((**x).clone()), f.clone()), span: x.span.to(f.span) };
                ExprKind::IsSome(b(self.field(x, f, &field)?))
            }
            A::If(c, t, f) => {
                ExprKind::If(b(self.expr(c)?), b(self.expr_as(t, &ty)?), b(self.expr_as(f, &ty)?))
            }
            A::Quant(q) => ExprKind::Quant(Box::new(self.quant(q)?)),
        };
        Ok(self.node(kind, ty, e.span))
    }

    fn name(&mut self, n: &ast::Ident, e: &ast::Expr) -> Lowered<Expr> {
        let checked = self.ty_of(e);
        let ty = run_type(&checked)
            .map_or_else(|| unsupported(&format!("the name `{}` as a value", n.name), e.span), Ok)?;
        if let Some(level) = self.locals.iter().rposition(|l| *l == n.name) {
            return Ok(self.node(ExprKind::Local(level as u32), ty, e.span));
        }
        let kind = match self.env.lookup(self.m, &n.name) {
            Some(Def::Let(i)) => ExprKind::Let(self.let_id(i)?),
            Some(Def::List(l)) => ExprKind::ListRows(l.0 as ListId),
            _ => match &ty {
                Type::Enum(en) => ExprKind::Const(Value::Enum(self.variant_index(*en, &n.name, e.span)?)),
                _ => return unsupported(&format!("the name `{}` as a value", n.name), e.span),
            },
        };
        Ok(self.node(kind, ty, e.span))
    }

    /// `申请.字段` (an input slot), `行.字段` (a row field), `结论.准入` (a variant),
    /// `P.清单` (another policy's list).
    fn field(&mut self, base: &ast::Expr, f: &ast::Ident, e: &ast::Expr) -> Lowered<Expr> {
        // A path that ends at a slot is that slot; one that goes on past a row reference
        // (`申请.牵头部门.名称`) is a field of the referenced row, handled below.
        if let Some(slot) = self.input_path(e).and_then(|(input, path)| self.slot(&input, &path)) {
            let ty = self.policy.slots[slot as usize].ty.clone();
            return Ok(self.node(ExprKind::Slot(slot), narrowed(&self.ty_of(e), ty), e.span));
        }
        if let A::Name(n) = &base.kind {
            if !self.locals.contains(&n.name) {
                match self.env.lookup(self.m, &n.name) {
                    Some(Def::Enum(en)) => {
                        let v = self.variant_index(en.0 as EnumId, &f.name, f.span)?;
                        return Ok(self.node(
                            ExprKind::Const(Value::Enum(v)),
                            Type::Enum(en.0 as EnumId),
                            e.span,
                        ));
                    }
                    Some(Def::Policy(p)) => return self.qualified(p, f, e),
                    _ => {}
                }
            }
        }
        if let A::Field(inner, en) = &base.kind {
            if let A::Name(p) = &inner.kind {
                if let Some(Def::Policy(pm)) = self.env.lookup(self.m, &p.name) {
                    if let Some(Def::Enum(en)) = self.env.lookup_in(pm, &en.name) {
                        let v = self.variant_index(en.0 as EnumId, &f.name, f.span)?;
                        return Ok(self.node(
                            ExprKind::Const(Value::Enum(v)),
                            Type::Enum(en.0 as EnumId),
                            e.span,
                        ));
                    }
                }
            }
        }
        let row = self.expr(base)?;
        let list = match row.ty.clone() {
            Type::Row(l) => l,
            Type::Opt(inner) => match *inner {
                Type::Row(l) => l,
                _ => return unsupported("a field of this value", e.span),
            },
            _ => return unsupported("a field of this value", e.span),
        };
        let def = &self.policy.lists[list as usize];
        let field = def
            .fields
            .iter()
            .position(|(n, _)| *n == f.name)
            .ok_or_else(|| LowerError { message: format!("no field `{}`", f.name), span: Some(f.span) })?;
        let ty = narrowed(&self.ty_of(e), def.fields[field].1.clone());
        Ok(self.node(ExprKind::RowField { row: Box::new(row), list, field: field as u32 }, ty, e.span))
    }

    fn qualified(&mut self, p: usize, f: &ast::Ident, e: &ast::Expr) -> Lowered<Expr> {
        match self.env.lookup_in(p, &f.name) {
            Some(Def::List(l)) => {
                let ty = Type::Set(Box::new(Type::Row(l.0 as ListId)));
                Ok(self.node(ExprKind::ListRows(l.0 as ListId), ty, e.span))
            }
            _ => unsupported("this qualified name as a value", e.span),
        }
    }

    /// `申请.地址.区` → ("申请", ["地址", "区"]) when the chain starts at an input.
    fn input_path(&self, e: &ast::Expr) -> Option<(String, Vec<String>)> {
        match &e.kind {
            A::Name(n) if !self.locals.contains(&n.name) => match self.env.lookup(self.m, &n.name)? {
                Def::Input(_) => Some((n.name.clone(), Vec::new())),
                _ => None,
            },
            A::Field(base, f) => {
                let (input, mut path) = self.input_path(base)?;
                path.push(f.name.clone());
                Some((input, path))
            }
            _ => None,
        }
    }

    fn binary(&mut self, op: BinaryOp, l: &ast::Expr, r: &ast::Expr, ty: Type, span: Span) -> Lowered<Expr> {
        let b = Box::new;
        let kind = match op {
            BinaryOp::And => ExprKind::And(b(self.expr(l)?), b(self.expr(r)?)),
            BinaryOp::Or => ExprKind::Or(b(self.expr(l)?), b(self.expr(r)?)),
            BinaryOp::In | BinaryOp::NotIn => {
                let test = self.membership(l, r, span)?;
                return Ok(if op == BinaryOp::In {
                    test
                } else {
                    self.node(ExprKind::Not(b(test)), Type::Bool, span)
                });
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let (arith, el, er) = arith(op, self.expr(l)?, self.expr(r)?);
                ExprKind::Arith(arith, b(el), b(er))
            }
            _ => {
                let c = match op {
                    BinaryOp::Eq => CmpOp::Eq,
                    BinaryOp::Ne => CmpOp::Ne,
                    BinaryOp::Lt => CmpOp::Lt,
                    BinaryOp::Le => CmpOp::Le,
                    BinaryOp::Gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let (el, er) = self.compared(l, r)?;
                ExprKind::Cmp(c, b(el), b(er))
            }
        };
        Ok(self.node(kind, ty, span))
    }

    /// Both sides of a comparison, of one type: `none` and `[]` typed by the other side,
    /// a row compared with a key value standing for its key, an int side made a decimal
    /// when the other is one.
    fn compared(&mut self, l: &ast::Expr, r: &ast::Expr) -> Lowered<(Expr, Expr)> {
        let (el, er) = match (is_untyped(&self.ty_of(l)), is_untyped(&self.ty_of(r))) {
            (true, true) => return untyped(l.span.to(r.span)),
            (true, false) => {
                let er = self.expr(r)?;
                (self.expr_as(l, &er.ty)?, er)
            }
            (false, true) => {
                let el = self.expr(l)?;
                let er = self.expr_as(r, &el.ty)?;
                (el, er)
            }
            (false, false) => (self.expr(l)?, self.expr(r)?),
        };
        let (tl, tr) = (el.ty.clone(), er.ty.clone());
        Ok(unify(self.key_if_row(el, &tr), self.key_if_row(er, &tl)))
    }

    /// A value and a set (or list) it is looked for in: `[]` typed by the value, `none` by
    /// the set's elements.
    fn element_and_set(&mut self, x: &ast::Expr, set: &ast::Expr) -> Lowered<(Expr, Expr)> {
        match (is_untyped(&self.ty_of(x)), is_untyped(&self.ty_of(set))) {
            (_, true) => {
                let el = self.expr(x)?;
                let of = Type::Set(Box::new(el.ty.required().clone()));
                let er = self.expr_as(set, &of)?;
                Ok((el, er))
            }
            (true, false) => {
                let er = self.expr(set)?;
                let elem = match er.ty.required() {
                    Type::Set(elem) => (**elem).clone(),
                    _ => return untyped(x.span),
                };
                Ok((self.expr_as(x, &elem)?, er))
            }
            (false, false) => Ok((self.expr(x)?, self.expr(set)?)),
        }
    }

    /// Arguments of a built-in: `min`/`max` of one type, `contains` as membership.
    fn arguments(&mut self, f: Builtin, args: &[ast::Expr]) -> Lowered<Vec<Expr>> {
        match (f, args) {
            (Builtin::Min | Builtin::Max, [a, b]) => {
                let (a, b) = unify(self.expr(a)?, self.expr(b)?);
                Ok(vec![a, b])
            }
            (Builtin::Contains, [set, x]) if matches!(self.ty_of(set).present(), Ty::Set(_)) => {
                let (x, set) = self.element_and_set(x, set)?;
                let (x, set) = same_elements(x, set);
                Ok(vec![set, x])
            }
            _ => args.iter().map(|a| self.expr(a)).collect(),
        }
    }

    /// A row compared with (or looked for among) key values stands for its key.
    fn key_if_row(&self, e: Expr, other: &Type) -> Expr {
        let other = other.required();
        let list = match e.ty.required() {
            Type::Row(l) if !matches!(other, Type::Row(_)) => *l,
            _ => return e,
        };
        let def = &self.policy.lists[list as usize];
        let ty = def.fields[def.key].1.clone();
        let span = e.span;
        self.node(ExprKind::RowField { row: Box::new(e), list, field: def.key as u32 }, ty, span)
    }

    fn membership(&mut self, l: &ast::Expr, r: &ast::Expr, span: Span) -> Lowered<Expr> {
        let (el, er) = self.element_and_set(l, r)?;
        let kind = match (&er.kind, er.ty.required()) {
            (ExprKind::ListRows(list), _) => {
                let list = *list;
                if matches!(el.ty.required(), Type::Row(l) if *l == list) {
                    ExprKind::IsSome(Box::new(el))
                } else {
                    // A row of another list is looked for by its key.
                    let def = &self.policy.lists[list as usize];
                    let key = self.key_if_row(el, &def.fields[def.key].1);
                    ExprKind::HasKey { list, key: Box::new(key) }
                }
            }
            (_, Type::Set(elem)) => {
                let el = self.key_if_row(el, elem);
                let (el, er) = same_elements(el, er);
                ExprKind::In(Box::new(el), Box::new(er))
            }
            _ => return unsupported("`in` on this value", span),
        };
        Ok(self.node(kind, Type::Bool, span))
    }

    fn quant(&mut self, q: &ast::Quant) -> Lowered<Quant> {
        let over = self.expr(&q.over)?;
        self.locals.push(q.var.name.clone());
        let filter = q.filter.as_ref().map(|f| self.expr(f)).transpose();
        let of = q.of.as_ref().map(|f| self.expr(f)).transpose();
        self.locals.pop();
        Ok(Quant { kind: q.kind, over, filter: filter?, of: of? })
    }
}

/// The declared type, without `?` where the checker narrowed it.
fn narrowed(checked: &Ty, declared: Type) -> Type {
    match (checked, declared) {
        (Ty::Opt(_) | Ty::Error, d) => d,
        (_, Type::Opt(inner)) => *inner,
        (_, d) => d,
    }
}

/// The operator for `op` on these operands, with the operands it takes: dates by day
/// counts, ints by int operators, and decimal operators (and every quotient) on
/// decimals, an int operand converted.
fn arith(op: BinaryOp, el: Expr, er: Expr) -> (ArithOp, Expr, Expr) {
    let dec = matches!(el.ty.required(), Type::Decimal) || matches!(er.ty.required(), Type::Decimal);
    let decimals = |el: Expr, er: Expr| (convert(el, &Type::Decimal), convert(er, &Type::Decimal));
    match (op, el.ty.required(), er.ty.required()) {
        (BinaryOp::Add, Type::Date, _) => (ArithOp::DateAddDays, el, er),
        (BinaryOp::Add, _, Type::Date) => (ArithOp::DateAddDays, er, el),
        (BinaryOp::Sub, Type::Date, Type::Date) => (ArithOp::DateDiff, el, er),
        (BinaryOp::Sub, Type::Date, _) => (ArithOp::DateSubDays, el, er),
        _ if op == BinaryOp::Div || dec => {
            let (el, er) = decimals(el, er);
            let op = match op {
                BinaryOp::Add => ArithOp::DecAdd,
                BinaryOp::Sub => ArithOp::DecSub,
                BinaryOp::Mul => ArithOp::DecMul,
                _ => ArithOp::Div,
            };
            (op, el, er)
        }
        (BinaryOp::Add, _, _) => (ArithOp::IntAdd, el, er),
        (BinaryOp::Sub, _, _) => (ArithOp::IntSub, el, er),
        _ => (ArithOp::IntMul, el, er),
    }
}

/// An element and a set of one element type: the int side made decimal.
fn same_elements(x: Expr, set: Expr) -> (Expr, Expr) {
    let elem = match set.ty.required() {
        Type::Set(elem) => (**elem).clone(),
        _ => return (x, set),
    };
    let x = convert(x, &elem);
    let set = convert(set, &Type::Set(Box::new(x.ty.required().clone())));
    (x, set)
}

fn literal(e: &ast::Expr) -> Lowered<Value> {
    Ok(match &e.kind {
        A::Bool(v) => Value::Bool(*v),
        A::Int(i) => Value::Int(*i),
        A::Decimal(d) => Value::from_decimal(*d)
            .ok_or_else(|| LowerError { message: "decimal out of range".into(), span: Some(e.span) })?,
        A::Text(t) => Value::text(t),
        A::Date(d) => Value::from_date(*d),
        A::None => Value::None,
        _ => return unsupported("a non-constant value here", e.span),
    })
}
