//! Checking decisions, rules and exceptions (which decision each belongs to, outcomes and
//! their values, citations), checks and tests.

use std::collections::{HashMap, HashSet};

use super::env::{Def, EnumId, VariantInfo};
use super::expr::facts;
use super::rows::Shape;
use super::suggest::{did_you_mean, with_hint};
use super::types::Ty;
use super::{Checker, Cx};
use crate::diag::{msg, Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::*;

impl Checker<'_> {
    // ------------------------------------------------------------ decisions

    pub(super) fn decision_enum(&self, m: usize, d: &DecisionDecl) -> Option<EnumId> {
        match self.env.lookup(m, &d.ty.name)? {
            Def::Enum(e) => Some(e),
            _ => None,
        }
    }

    pub(super) fn check_decision(&mut self, m: usize, d: &DecisionDecl) {
        let Some(e) = self.decision_enum(m, d) else {
            let known =
                self.env.lookup(m, &d.ty.name).is_some() || super::env::primitive(&d.ty.name).is_some();
            let (code, zh, en) = if known {
                (
                    Code::E0211,
                    format!("决定的类型 `{}` 不是枚举", d.ty.name),
                    format!("decision type `{}` is not an enum", d.ty.name),
                )
            } else {
                (Code::E0111, format!("未知类型 `{}`", d.ty.name), format!("unknown type `{}`", d.ty.name))
            };
            let names = self
                .env
                .visible_enums(m)
                .into_iter()
                .map(|e| self.env.enums[e.0].name.clone())
                .collect::<Vec<_>>();
            let help = if known { None } else { did_you_mean(&d.ty.name, names.iter().map(String::as_str)) };
            self.diags.push(Diagnostic::new(code, d.ty.span, msg(zh, en)).help(with_hint(
                help,
                msg(
                    "决定的结论须是一个枚举，例如 `枚举 结论 { 准入, 不予准入 }`",
                    "a decision's outcomes are an enum, e.g. `enum Verdict { Admit, Refuse }`",
                ),
            )));
            return;
        };
        if let Combining::Priority(order) = &d.combining {
            let ranked = match (order.first(), order.last()) {
                (Some(a), Some(b)) => a.span.to(b.span),
                _ => d.ty.span.to(d.span),
            };
            self.check_priority(e, order, ranked);
        }
        match &d.end {
            DecisionEnd::Default(o, cites) => {
                self.check_outcome(o, e, &Cx::new(m), Code::E0210, &d.name.name);
                // A default without a citation is allowed (W0001 is for rules and checks).
                for cite in cites {
                    self.check_cite(m, cite);
                }
            }
            DecisionEnd::Total(_) => {}
            DecisionEnd::Missing => self.diags.push(
                Diagnostic::new(
                    Code::E0214,
                    d.name.span,
                    msg(format!("决定 `{}` 没有默认结论，也没有声明完备", d.name.name), format!("decision `{}` has no default and is not declared total", d.name.name)),
                )
                .help(msg(
                    "在末尾加上 `默认 结论 \"理由\"`，或写 `完备` 声明每种情况都有规则",
                    "end it with `default OUTCOME \"reason\"`, or write `total` to declare that rules cover every case",
                )),
            ),
        }
    }

    fn check_priority(&mut self, e: EnumId, order: &[Ident], span: Span) {
        let mut seen: Vec<&Ident> = Vec::new();
        for v in order {
            if let Some(first) = seen.iter().find(|s| s.name == v.name) {
                self.diags.push(
                    Diagnostic::new(
                        Code::E0213,
                        v.span,
                        msg(
                            format!("`{}` 在优先顺序中出现两次", v.name),
                            format!("`{}` is ranked twice", v.name),
                        ),
                    )
                    .secondary(first.span, msg("第一次出现在这里", "first ranked here"))
                    .help(msg("每个结论在优先顺序中只出现一次", "rank each outcome exactly once")),
                );
            } else if self.qualified_variant(e, v) != Ty::Error {
                seen.push(v);
            }
        }
        let info = &self.env.enums[e.0];
        let missing: Vec<String> = info
            .variants
            .iter()
            .filter(|v| !order.iter().any(|o| o.name == v.name))
            .map(|v| format!("`{}`", v.name))
            .collect();
        if !missing.is_empty() {
            let (list_zh, list_en) = (missing.join("、"), missing.join(", "));
            self.diags.push(
                Diagnostic::new(
                    Code::E0212,
                    span,
                    msg(
                        format!("优先顺序缺少 {list_zh}"),
                        format!("the priority order leaves out {list_en}"),
                    ),
                )
                .help(msg(
                    format!("把 `{}` 的每个值都排进顺序，最严重的写在最前", info.name),
                    format!("rank every variant of `{}`, the most severe first", info.name),
                )),
            );
        }
    }

    /// Checks `then`/`default` outcomes: a variant of the decision's enum, with exactly the
    /// values the variant carries, and (warning) a reason.
    pub(super) fn check_outcome(&mut self, o: &Outcome, e: EnumId, cx: &Cx, wrong: Code, decision: &str) {
        let Some(v) = self.outcome_variant(&o.variant, e, wrong, decision) else {
            return;
        };
        let variant_info = self.env.enums[e.0].variants[v].clone();
        self.check_payload(o, &variant_info, cx);
    }

    /// The variant an outcome names, if it is one of the decision's enum.
    fn outcome_variant(&mut self, path: &Path, e: EnumId, wrong: Code, decision: &str) -> Option<usize> {
        let variant = path.last();
        let info = &self.env.enums[e.0];
        let qualifier_ok = match path.parts.as_slice() {
            [_] => true,
            [.., q, _] => q.name == info.name,
            [] => false,
        };
        let found = info.variant(&variant.name).filter(|_| qualifier_ok);
        if found.is_none() {
            let help = did_you_mean(&variant.name, info.variants.iter().map(|v| v.name.as_str()));
            let names: Vec<&str> = info.variants.iter().map(|v| v.name.as_str()).collect();
            let (all_zh, all_en) = (names.join("、"), names.join(", "));
            let enum_name = info.name.clone();
            let text = self.sources.text(path.span).to_string();
            let message = if wrong == Code::E0218 {
                msg(
                    format!("例外的结论 `{text}` 不属于决定 `{decision}`：例外推翻的规则属于这个决定"),
                    format!("exception outcome `{text}` is not an outcome of decision `{decision}`, the decision of the rule it overrides"),
                )
            } else {
                msg(
                    format!("`{text}` 不是决定 `{decision}` 的结论（`{enum_name}` 的值）"),
                    format!(
                        "`{text}` is not an outcome of decision `{decision}` (a variant of `{enum_name}`)"
                    ),
                )
            };
            self.diags.push(Diagnostic::new(wrong, path.span, message).help_opt(help.or_else(|| {
                Some(msg(format!("可选的结论：{all_zh}"), format!("its outcomes are: {all_en}")))
            })));
        }
        found
    }

    fn check_payload(&mut self, o: &Outcome, variant_info: &VariantInfo, cx: &Cx) {
        let variant = o.variant.last();
        match (&o.fields, variant_info.fields.is_empty()) {
            (Some(inits), true) if !inits.is_empty() => self.diags.push(
                Diagnostic::new(
                    Code::E0219,
                    o.variant.span.to(inits.last().map_or(o.variant.span, |i| i.span)),
                    msg(
                        format!("结论 `{}` 不带取值", variant.name),
                        format!("outcome `{}` carries no values", variant.name),
                    ),
                )
                .help(msg(
                    "删除花括号中的取值，或在枚举中为该结论声明字段",
                    "remove the values in braces, or declare fields for this variant in the enum",
                )),
            ),
            // A variant whose fields are all optional may be written bare: they are none.
            (None, false) if variant_info.fields.iter().all(|f| matches!(f.ty, Ty::Opt(_))) => {}
            (None, false) => {
                let names: Vec<String> = variant_info
                    .fields
                    .iter()
                    .filter(|f| !matches!(f.ty, Ty::Opt(_)))
                    .map(|f| format!("`{}`", f.name))
                    .collect();
                let (names_zh, names_en) = (names.join("、"), names.join(", "));
                self.diags.push(
                    Diagnostic::new(
                        Code::E0209,
                        o.variant.span,
                        msg(
                            format!("结论 `{}` 须带取值 {names_zh}", variant.name),
                            format!("outcome `{}` needs the value(s) {names_en}", variant.name),
                        ),
                    )
                    .help(msg(
                        format!("写成 `{} {{ 字段: 值 }}`", variant.name),
                        format!("write `{} {{ field: value }}`", variant.name),
                    )),
                );
            }
            (Some(inits), false) => {
                let fields = variant_info.fields.clone();
                let shape = Shape {
                    constant: false,
                    missing_code: Code::E0209,
                    ..Shape::row(&fields, &variant.name, o.variant.span)
                };
                self.check_inits(inits, &shape, cx);
            }
            _ => {}
        }
        if o.reason.is_none() {
            self.diags.push(
                Diagnostic::new(
                    Code::W0007,
                    o.variant.span,
                    msg(
                        format!("结论 `{}` 没有写理由", variant.name),
                        format!("outcome `{}` gives no reason", variant.name),
                    ),
                )
                .help(msg(
                    "在结论后加上理由，例如 `不予准入 \"超出网格职责范围\"`",
                    "add a reason after the outcome, e.g. `Refuse \"outside grid duties\"`",
                )),
            );
        }
    }

    pub(super) fn check_empty_decisions(&mut self, m: usize) {
        let with_rules: HashSet<usize> =
            self.rule_decisions.iter().filter(|(k, _)| k.0 == m).map(|(_, d)| *d).collect();
        for (i, decl) in self.modules[m].decls.iter().enumerate() {
            let Decl::Decision(d) = decl else { continue };
            if !with_rules.contains(&i) && self.decision_enum(m, d).is_some() {
                self.diags.push(
                    Diagnostic::new(
                        Code::W0005,
                        d.name.span,
                        msg(
                            format!("决定 `{}` 没有任何规则", d.name.name),
                            format!("decision `{}` has no rules", d.name.name),
                        ),
                    )
                    .help(msg(
                        "它总是给出默认结论；添加规则，或删除这个决定",
                        "it always gives its default; add rules or remove it",
                    )),
                );
            }
        }
    }

    // ------------------------------------------------------------ rules and exceptions

    /// Works out which decision every rule and exception of module `m` belongs to.
    pub(super) fn assign_decisions(&mut self, m: usize) {
        let module = &self.modules[m];
        let outcomes = self.outcome_index(m);
        for (i, decl) in module.decls.iter().enumerate() {
            if let Decl::Rule(r @ RuleDecl { kind: RuleKind::Rule { .. }, .. }) = decl {
                if let Some(d) = self.rule_decision(m, r, &outcomes) {
                    self.rule_decisions.insert((m, i), d);
                }
            }
        }
        for (i, decl) in module.decls.iter().enumerate() {
            if let Decl::Rule(r @ RuleDecl { kind: RuleKind::Exception { .. }, .. }) = decl {
                if let Some(d) = self.exception_decision(m, i, r) {
                    self.rule_decisions.insert((m, i), d);
                }
            }
        }
    }

    fn decisions(&self, m: usize) -> Vec<(usize, &DecisionDecl)> {
        let module = &self.modules[m];
        let it = module.decls.iter().enumerate();
        it.filter_map(|(i, d)| match d {
            Decl::Decision(d) => Some((i, d)),
            _ => None,
        })
        .collect()
    }

    /// The decisions of module `m` by the variants of their outcome enums, built once so
    /// that a rule's decision is found without a pass over every decision (which made a
    /// policy of many rules quadratic to check).
    fn outcome_index(&self, m: usize) -> OutcomeIndex {
        let mut index = OutcomeIndex::default();
        for (i, d) in self.decisions(m) {
            let Some(e) = self.decision_enum(m, d) else { continue };
            let decisions = index.by_enum.entry(e.0).or_default();
            if decisions.is_empty() {
                for v in &self.env.enums[e.0].variants {
                    let enums = index.enums_with.entry(v.name.clone()).or_default();
                    // Once, even if the enum repeats a variant (reported elsewhere).
                    if enums.last() != Some(&e.0) {
                        enums.push(e.0);
                    }
                }
            }
            decisions.push((i, d.name.name.clone()));
        }
        index
    }

    fn rule_decision(&mut self, m: usize, r: &RuleDecl, outcomes: &OutcomeIndex) -> Option<usize> {
        let RuleKind::Rule { decision } = &r.kind else {
            return None;
        };
        if let Some(name) = decision {
            return match self.env.scopes[m].names.get(&name.name) {
                Some((Def::Decision(i), _)) => Some(*i),
                _ => {
                    self.unknown_decision(m, name);
                    None
                }
            };
        }
        let outcome = r.then.as_ref()?;
        let variant = outcome.variant.last();
        let qualifier = outcome.variant.parts.iter().rev().nth(1).map(|q| q.name.clone());
        let enums = outcomes.enums_with.get(&variant.name).map_or(&[][..], Vec::as_slice);
        let mut candidates: Vec<(usize, String)> = enums
            .iter()
            .filter(|e| qualifier.as_ref().is_none_or(|q| *q == self.env.enums[**e].name))
            .flat_map(|e| outcomes.by_enum[e].iter().cloned())
            .collect();
        // In the order the decisions are declared.
        candidates.sort_unstable_by_key(|(i, _)| *i);
        match candidates.as_slice() {
            [(one, _)] => Some(*one),
            [] => {
                let outcomes: Vec<String> = self
                    .decisions(m)
                    .into_iter()
                    .filter_map(|(_, d)| self.decision_enum(m, d))
                    .flat_map(|e| self.env.enums[e.0].variants.iter().map(|v| v.name.clone()))
                    .collect();
                let suggestion = did_you_mean(&variant.name, outcomes.iter().map(String::as_str));
                self.diags.push(
                    Diagnostic::new(
                        Code::E0116,
                        outcome.variant.span,
                        msg(format!("没有哪个决定的结论是 `{}`", variant.name), format!("no decision has the outcome `{}`", variant.name)),
                    )
                    .help(with_hint(suggestion, msg(
                        "声明一个以该结论所属枚举为类型的决定，或检查结论的拼写",
                        "declare a decision whose type is the enum with this variant, or check the spelling",
                    ))),
                );
                None
            }
            many => {
                let names: Vec<String> = many.iter().map(|(_, n)| format!("`{n}`")).collect();
                let (names_zh, names_en) = (names.join("、"), names.join(", "));
                self.diags.push(
                    Diagnostic::new(
                        Code::E0116,
                        outcome.variant.span,
                        msg(
                            format!("结论 `{}` 属于多个决定：{names_zh}", variant.name),
                            format!("outcome `{}` belongs to several decisions: {names_en}", variant.name),
                        ),
                    )
                    .help(msg(
                        "用 `用于 决定名` 写明规则属于哪个决定",
                        "say which decision the rule is for with `for DECISION`",
                    )),
                );
                None
            }
        }
    }

    fn unknown_decision(&mut self, m: usize, name: &Ident) {
        let names: Vec<String> = self.decisions(m).into_iter().map(|(_, d)| d.name.name.clone()).collect();
        self.diags.push(
            Diagnostic::new(
                Code::E0117,
                name.span,
                msg(format!("未知决定 `{}`", name.name), format!("unknown decision `{}`", name.name)),
            )
            .help_opt(did_you_mean(&name.name, names.iter().map(String::as_str))),
        );
    }

    /// An exception's decision is its base rule's; the chain of targets is followed to the
    /// first plain rule.
    fn exception_decision(&mut self, m: usize, i: usize, r: &RuleDecl) -> Option<usize> {
        let mut visited = HashSet::from([i]);
        let mut current = r;
        loop {
            let RuleKind::Exception { target } = &current.kind else {
                let key = (m, self.decl_index(m, &current.name.name)?);
                return self.rule_decisions.get(&key).copied();
            };
            let found = match self.env.scopes[m].names.get(&target.name) {
                Some((Def::Rule(t), _)) => *t,
                _ => {
                    if current.name == r.name {
                        self.unknown_rule(m, target);
                    }
                    return None;
                }
            };
            if !visited.insert(found) {
                if current.name == r.name || found == i {
                    self.diags.push(
                        Diagnostic::new(
                            Code::E0125,
                            target.span,
                            msg(
                                format!("例外 `{}` 最终针对的是它自己", r.name.name),
                                format!("exception `{}` ends up being an exception to itself", r.name.name),
                            ),
                        )
                        .help(msg("例外须针对另一条规则", "an exception must target another rule")),
                    );
                }
                return None;
            }
            let Decl::Rule(next) = &self.modules[m].decls[found] else {
                return None;
            };
            current = next;
        }
    }

    fn decl_index(&self, m: usize, name: &str) -> Option<usize> {
        self.env.scopes[m].names.get(name).and_then(|(d, _)| match d {
            Def::Rule(i) => Some(*i),
            _ => None,
        })
    }

    fn unknown_rule(&mut self, m: usize, name: &Ident) {
        let names: Vec<String> = self.modules[m]
            .decls
            .iter()
            .filter_map(|d| match d {
                Decl::Rule(r) => Some(r.name.name.clone()),
                _ => None,
            })
            .collect();
        self.diags.push(
            Diagnostic::new(
                Code::E0115,
                name.span,
                msg(format!("未知规则 `{}`", name.name), format!("unknown rule `{}`", name.name)),
            )
            .help_opt(did_you_mean(&name.name, names.iter().map(String::as_str))),
        );
    }

    pub(super) fn check_rule(&mut self, m: usize, i: usize, r: &RuleDecl) {
        let cx = Cx::new(m);
        self.check_cites(m, &r.cites, &r.name);
        self.expect_bool(&r.when, &cx);
        let after_when = cx.knowing(facts(&r.when, true));
        for u in &r.unless {
            self.expect_bool(u, &after_when);
        }
        let decision = self.rule_decisions.get(&(m, i)).copied();
        let Some(outcome) = &r.then else { return };
        let Some(d) = decision else { return };
        let Decl::Decision(dd) = &self.modules[m].decls[d] else {
            return;
        };
        let Some(e) = self.decision_enum(m, dd) else {
            return;
        };
        let wrong = match r.kind {
            RuleKind::Exception { .. } => Code::E0218,
            RuleKind::Rule { .. } => Code::E0210,
        };
        self.check_outcome(outcome, e, &after_when, wrong, &dd.name.name.clone());
    }

    pub(super) fn check_cites(&mut self, m: usize, cites: &[Path], owner: &Ident) {
        if cites.is_empty() {
            self.diags.push(
                Diagnostic::new(
                    Code::W0001,
                    owner.span,
                    msg(
                        format!("`{}` 没有引用任何条款", owner.name),
                        format!("`{}` cites no clause", owner.name),
                    ),
                )
                .help(msg(
                    "在名称后写 `引用 来源.条款`，说明它依据哪一条",
                    "add `cite SOURCE.CLAUSE` after the name to say which clause it implements",
                )),
            );
        }
        for cite in cites {
            self.check_cite(m, cite);
        }
    }

    fn check_cite(&mut self, m: usize, cite: &Path) {
        let parts = &cite.parts;
        // `S.C` or `P.S.C` (a source of another policy).
        let (source_name, clause) = match parts.as_slice() {
            [s, c] => (s, c),
            [p, s, c] if matches!(self.env.lookup(m, &p.name), Some(Def::Policy(_))) => (s, c),
            _ => (&parts[0], parts.last().expect("a citation has two parts or more")),
        };
        let def = match parts.as_slice() {
            [p, s, _] => match self.env.lookup(m, &p.name) {
                Some(Def::Policy(pm)) => self.env.lookup_in(pm, &s.name),
                _ => None,
            },
            _ => self.env.lookup(m, &source_name.name),
        };
        let Some(Def::Source(sid)) = def else {
            let names: Vec<String> =
                self.env.sources.iter().filter(|s| s.module == m).map(|s| s.name.clone()).collect();
            self.diags.push(
                Diagnostic::new(
                    Code::E0110,
                    source_name.span,
                    msg(
                        format!("未知来源 `{}`", source_name.name),
                        format!("unknown source `{}`", source_name.name),
                    ),
                )
                .help(with_hint(
                    did_you_mean(&source_name.name, names.iter().map(String::as_str)),
                    msg("引用的写法是 `来源名.条款编号`", "a citation is written `SOURCE.CLAUSE`"),
                )),
            );
            return;
        };
        let source = &self.env.sources[sid.0];
        if source.clauses.iter().any(|c| c.id == clause.name) {
            return;
        }
        let help = did_you_mean(&clause.name, source.clauses.iter().map(|c| c.id.as_str()));
        let ids: Vec<&str> = source.clauses.iter().map(|c| c.id.as_str()).collect();
        let (all_zh, all_en) = (ids.join("、"), ids.join(", "));
        let name = source.name.clone();
        let span = self.env.name_span(source.module, &name).unwrap_or(source.span);
        self.diags.push(
            Diagnostic::new(
                Code::E0109,
                clause.span,
                msg(
                    format!("来源 `{name}` 中没有条款 `{}`", clause.name),
                    format!("source `{name}` has no clause `{}`", clause.name),
                ),
            )
            .secondary(span, msg("来源在这里声明", "the source is declared here"))
            .help_opt(help.or_else(|| {
                Some(msg(format!("已声明的条款：{all_zh}"), format!("its clauses are: {all_en}")))
            })),
        );
    }

    // ------------------------------------------------------------ checks and tests

    pub(super) fn check_check(&mut self, m: usize, c: &CheckDecl) {
        self.check_cites(m, &c.cites, &c.name);
        let mut cx = Cx::new(m);
        if let Some(scope) = &c.scope {
            let over = self.present(&scope.over, &cx, None);
            let elem = match over {
                Ty::List(l) => Ty::Row(l),
                Ty::Set(inner) => *inner,
                Ty::Error => Ty::Error,
                other => {
                    self.not_a_collection(scope.over.span, &other);
                    Ty::Error
                }
            };
            self.warn_shadow(&scope.var, &cx);
            cx = cx.with_local(&scope.var.name, elem);
            if let Some(filter) = &scope.filter {
                self.expect_bool(filter, &cx);
                cx = cx.knowing(facts(filter, true));
            }
        }
        self.expect_bool(&c.body, &cx);
    }

    pub(super) fn check_test(&mut self, m: usize, t: &TestDecl) {
        let cx = Cx::new(m);
        let mut given_inputs = Vec::new();
        for g in &t.givens {
            match self.env.lookup(m, &g.input.name) {
                Some(Def::Input(r)) => {
                    given_inputs.push(r);
                    let record = self.env.records[r.0].clone();
                    self.check_inits(&g.fields, &Shape::row(&record.fields, &record.name, g.input.span), &cx);
                }
                _ => {
                    let inputs: Vec<String> =
                        self.inputs(m).into_iter().map(|r| self.env.records[r].name.clone()).collect();
                    self.diags.push(
                        Diagnostic::new(
                            Code::E0101,
                            g.input.span,
                            msg(
                                format!("未知输入 `{}`", g.input.name),
                                format!("unknown input `{}`", g.input.name),
                            ),
                        )
                        .help_opt(did_you_mean(&g.input.name, inputs.iter().map(String::as_str))),
                    );
                }
            }
        }
        for r in self.inputs(m) {
            if !t.givens.is_empty() && !given_inputs.iter().any(|g| g.0 == r) {
                let name = self.env.records[r].name.clone();
                self.diags.push(
                    Diagnostic::new(
                        Code::E0127,
                        t.name.span,
                        msg(
                            format!("测试没有给出输入 `{name}`"),
                            format!("the test gives no value for input `{name}`"),
                        ),
                    )
                    .help(msg(format!("加上 `给定 {name} {{ … }}`"), format!("add `given {name} {{ … }}`"))),
                );
            }
        }
        for ex in &t.expects {
            self.check_expect(m, ex);
        }
    }

    fn inputs(&self, m: usize) -> Vec<usize> {
        (0..self.env.records.len())
            .filter(|&r| self.env.records[r].module == m && self.env.records[r].is_input)
            .collect()
    }

    fn check_expect(&mut self, m: usize, ex: &Expect) {
        let Some((Def::Decision(d), _)) = self.env.scopes[m].names.get(&ex.decision.name).copied() else {
            self.unknown_decision(m, &ex.decision);
            return;
        };
        let Decl::Decision(dd) = &self.modules[m].decls[d] else {
            return;
        };
        // A test names only the variant; the values it carries are not compared.
        if let Some(e) = self.decision_enum(m, dd) {
            self.outcome_variant(&ex.outcome, e, Code::E0210, &dd.name.name.clone());
        }
        for rule in ex.fires.iter().flatten() {
            match self.env.scopes[m].names.get(&rule.name) {
                Some((Def::Rule(_), _)) => {}
                _ => self.unknown_rule(m, rule),
            }
        }
    }
}

/// A module's decisions by outcome: for each variant name, the enums (of some decision)
/// that have it; for each such enum, its decisions (declaration index and name) in order.
#[derive(Default)]
struct OutcomeIndex {
    enums_with: HashMap<String, Vec<usize>>,
    by_enum: HashMap<usize, Vec<(usize, String)>>,
}
