//! Checked AST → IR. The checker has already proved the program well-typed, so lowering
//! only looks names up (the same way the checker did) and reads the types it recorded.

use std::collections::HashMap;

use qingdan_dsl::check::builtins::Builtin;
use qingdan_dsl::check::env::{Def, Env};
use qingdan_dsl::check::{Checked, Ty};
use qingdan_dsl::program::Program;
use qingdan_dsl::syntax::ast::{self, BinaryOp, Decl, ExprKind as A, UnaryOp};
use qingdan_dsl::Span;

use super::*;
use crate::value::Value;

mod dated_rows;
mod expr;
mod tables;
mod versions;

use versions::DecisionDate;

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
    lower_at(program, policy, None)
}

/// Like [`lower`]; with a day, the policy as in force on that day: the versions in force
/// then, whatever date a case gives (`eval --as-of`, `diff --at`).
pub fn lower_at(
    program: &Program,
    policy: Option<&str>,
    at: Option<qingdan_dsl::value::Date>,
) -> Lowered<Policy> {
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
        at,
        date: None,
        lowering: Vec::new(),
        dated_lists: Vec::new(),
        row_keys: Vec::new(),
    };
    l.tables()?;
    l.inputs()?;
    l.date = l.decision_date()?;
    if let Some(DecisionDate::Slot(s)) = l.date {
        l.policy.decision_date = Some(s);
    }
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
        decision_date: None,
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
    /// The day to lower at (the policy as in force then), if one is fixed.
    at: Option<qingdan_dsl::value::Date>,
    /// What versions are chosen by: that day, or the case's date field.
    date: Option<DecisionDate>,
    /// Lets being lowered: a version that reads its own name reads an earlier version,
    /// which lowering (one let for all versions) cannot express.
    lowering: Vec<usize>,
    /// Per list: the columns of its rows' first and last day, if it has dated rows.
    dated_lists: Vec<Option<(u32, u32)>>,
    /// Per list, its rows by key (made with the tables, read by tests).
    row_keys: Vec<tables::RowKeys>,
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

// ------------------------------------------------------------ lets, rules, decisions, checks

impl Lowerer<'_> {
    /// The indexes of the module's declarations of one kind, in file order.
    fn decls_where(&self, kind: impl Fn(&Decl) -> bool) -> Vec<usize> {
        self.module.decls.iter().enumerate().filter(|(_, d)| kind(d)).map(|(i, _)| i).collect()
    }

    fn body(&mut self) -> Lowered<()> {
        for (i, decl) in self.module.decls.iter().enumerate() {
            if let Decl::Let(_) = decl {
                self.let_id(i)?;
            }
        }
        let decisions = self.decls_where(|d| matches!(d, Decl::Decision(_)));
        let rules = self.decls_where(|d| matches!(d, Decl::Rule(_)));
        let rule_ids = self.rule_ids(&rules);
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
            // An exception to a rule with versions is one exception to each version.
            let targets = match &r.kind {
                ast::RuleKind::Exception { target } => match rule_ids.get(&target.name) {
                    Some(ids) => ids.iter().map(|&t| Some(t)).collect(),
                    None => vec![None],
                },
                ast::RuleKind::Rule { .. } => vec![None],
            };
            for target in targets {
                let rule = self.rule(r, d as DecisionId, target)?;
                if rule.exception_to.is_none() {
                    self.policy.decisions[d].rules.push(self.policy.rules.len() as RuleId);
                }
                self.policy.rules.push(rule);
            }
        }
        for decl in &self.module.decls {
            if let Decl::Check(c) = decl {
                let check = self.check(c)?;
                self.policy.checks.push(check);
            }
        }
        for decl in &self.module.decls {
            if let Decl::Test(t) = decl {
                let test = self.test(t, &self.row_keys)?;
                self.policy.tests.push(test);
            }
        }
        Ok(())
    }

    /// A `test` block: its `given` values as a case, its expectations by index.
    fn test(&self, t: &ast::TestDecl, keys: &[tables::RowKeys]) -> Lowered<TestCase> {
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
        if self.lowering.contains(&decl) {
            return unsupported("a version of a let that reads the let's own name", l.span);
        }
        let versions = self.let_versions(decl);
        self.lowering.extend(&versions);
        let mut lowered = Vec::new();
        for &v in &versions {
            lowered.push(self.let_value(v));
        }
        self.lowering.retain(|d| !versions.contains(d));
        let lowered = lowered.into_iter().collect::<Lowered<Vec<_>>>()?;
        let ty = lowered[0].1.clone();
        let chosen: Vec<_> = versions
            .iter()
            .zip(lowered)
            .map(|(&d, (value, _))| match &self.module.decls[d] {
                Decl::Let(ast::LetDecl { in_force: Some(v), .. }) => (*v, value),
                _ => (ast::InForce { from: None, until: None, span: l.span }, value),
            })
            .collect();
        let shown = self.shown_versions(&chosen);
        let value = self.choose_version(chosen)?;
        let id = self.policy.lets.len() as LetId;
        self.policy.lets.push(Let { name: l.name.name.clone(), ty, value, span: l.span, versions: shown });
        for d in versions {
            self.let_ids.insert(d, id);
        }
        Ok(id)
    }

    /// One version's value and type.
    fn let_value(&mut self, decl: usize) -> Lowered<(Expr, Type)> {
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
        Ok((value, ty))
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

    /// The ids of the rules (every version) that exceptions may name, assigned ahead of
    /// lowering (an exception may come before its target): each rule lowers to one IR
    /// rule, each exception to one per version of its target.
    fn rule_ids(&self, rules: &[usize]) -> HashMap<String, Vec<RuleId>> {
        let mut ids: HashMap<String, Vec<RuleId>> = HashMap::new();
        let mut next = 0;
        for &d in rules {
            let Decl::Rule(r) = &self.module.decls[d] else { continue };
            match &r.kind {
                ast::RuleKind::Rule { .. } => {
                    ids.entry(r.name.name.clone()).or_default().push(next);
                    next += 1;
                }
                ast::RuleKind::Exception { target } => {
                    let versions = rules.iter().filter(|&&t| {
                        matches!(&self.module.decls[t], Decl::Rule(x) if x.name.name == target.name
                            && matches!(x.kind, ast::RuleKind::Rule { .. }))
                    });
                    let n = match versions.count() {
                        0 => ids.get(&target.name).map_or(1, Vec::len) as RuleId,
                        n => n as RuleId,
                    };
                    ids.entry(r.name.name.clone()).or_default().extend(next..next + n);
                    next += n;
                }
            }
        }
        ids
    }

    fn rule(&mut self, r: &ast::RuleDecl, decision: DecisionId, target: Option<RuleId>) -> Lowered<Rule> {
        let exception_to = match &r.kind {
            ast::RuleKind::Exception { target: t } => Some(target.ok_or_else(|| LowerError {
                message: "unknown exception target".into(),
                span: Some(t.span),
            })?),
            ast::RuleKind::Rule { .. } => None,
        };
        let e = self.policy.decisions[decision as usize].outcome_enum;
        let then = r.then.as_ref().map(|o| self.outcome(o, e)).transpose()?;
        let when = self.expr(&r.when)?;
        let (when, version) = match &r.in_force {
            Some(v) => (self.in_force_only(v, when)?, Some(versions::version(v))),
            None => (when, None),
        };
        Ok(Rule {
            name: r.name.name.clone(),
            version,
            decision,
            exception_to,
            when,
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
                let level = self.locals.len() - 1;
                let filter = filter.and_then(|f| self.filter_in_force(&over, level, false, f));
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
}
