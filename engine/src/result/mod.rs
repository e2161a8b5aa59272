//! The result model (docs/result.schema.json, version [`MODEL_VERSION`]): one case's
//! decisions, the rules that fired and were overridden with their reasons and clauses, the
//! checks it meets, or the error that stopped it — written as one line of JSON, the same
//! bytes from every host (`qingdan eval --format json`, the interpreter, the Rust WASM
//! host, the JavaScript host).
//!
//! The writer goes straight to text: every name, reason and clause of the policy is escaped
//! once when the writer is made, values are typed as they are written, and nothing passes
//! through a generic JSON value tree.

pub mod json;

use qingdan_dsl::diag::{msg, Code, Msg};

use crate::cases::CaseError;
use crate::eval::explain::TraceRead;
use crate::eval::{CheckResult, DecisionResult, EvalError, Evaluator, Frame};
use crate::ir::{CheckId, Cite, DecisionId, LetId, Policy, RuleId, SlotId, Type};
use crate::value::Value;
use json::{push_str, push_value, quoted, quoted_or_null};

/// The version of the result model; every line says it (`"model":1`). A change to the
/// model is a versioned change of the ABI document (docs/wasm-abi.md §12).
pub const MODEL_VERSION: u32 = 1;

/// Why a case has no result: its code, message in both languages, and the field of the
/// case it is about (`申请.标签[2]`), or the decision for E0603.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultError {
    pub code: Code,
    pub message: Msg,
    pub path: Option<String>,
    /// The line of a YAML or JSON file where the case (or its syntax error) is. Not given
    /// for JSON Lines (the case number counts the lines) nor by hosts given one case.
    pub line: Option<usize>,
}

impl ResultError {
    /// A case that could not be read; `line` from the reader is kept only when asked for.
    pub fn of_case(e: &CaseError, with_line: bool) -> ResultError {
        let path = (!e.path.is_empty()).then(|| e.path.clone());
        let line = e.line.filter(|_| with_line);
        ResultError { code: e.code, message: e.message.clone(), path, line }
    }

    /// An evaluation error, with the words the runtime gives a module's.
    pub fn of_eval(p: &Policy, e: &EvalError) -> ResultError {
        use qingdan_runtime::decided::Failure;
        let (failure, decision) = match e {
            EvalError::DivisionByZero(_) => (Failure::DivisionByZero { site: 0 }, ""),
            EvalError::Overflow(_) => (Failure::Overflow { site: 0 }, ""),
            EvalError::NoRuleApplies(d) => {
                (Failure::NoRuleApplies { decision: *d }, p.decisions[*d as usize].name.as_str())
            }
        };
        let e = failure.error(decision);
        let code = crate::wasm::host::code_of(e.code);
        ResultError { code, message: msg(e.message.zh, e.message.en), path: e.path, line: None }
    }
}

/// What decides a case for the writer: the interpreter's frame or a module instance.
pub trait Decide {
    fn decide(&mut self, d: DecisionId) -> Result<DecisionResult, ResultError>;
    fn check(&mut self, c: CheckId) -> Result<CheckResult, ResultError>;
    /// The case's value in slot `s` (for explanations).
    fn slot(&self, s: SlotId) -> Value;
    /// Let `l`'s value in this case (for explanations).
    fn let_value(&mut self, l: LetId) -> Result<Value, ResultError>;
}

/// The interpreter deciding one case.
pub struct Interpreted<'a, 'p, 'c> {
    pub ev: &'a Evaluator<'p>,
    pub frame: Frame<'c>,
}

impl Decide for Interpreted<'_, '_, '_> {
    fn decide(&mut self, d: DecisionId) -> Result<DecisionResult, ResultError> {
        self.ev.decide(d, &mut self.frame).map_err(|e| ResultError::of_eval(self.ev.policy, &e))
    }

    fn check(&mut self, c: CheckId) -> Result<CheckResult, ResultError> {
        self.ev.check(c, &mut self.frame).map_err(|e| ResultError::of_eval(self.ev.policy, &e))
    }

    fn slot(&self, s: SlotId) -> Value {
        self.frame.case.get(s as usize).cloned().unwrap_or_default()
    }

    fn let_value(&mut self, l: LetId) -> Result<Value, ResultError> {
        self.ev.let_value(l, &mut self.frame).map_err(|e| ResultError::of_eval(self.ev.policy, &e))
    }
}

/// A rule's parts that never change, escaped once.
struct RuleText {
    name: String,
    /// `},"reason":…,"rule":…,"cites":[…]}`: what closes an outcome this rule gave.
    outcome_tail: String,
    /// `{"rule":…,"exception_to":…,"outcome":…,"reason":…,"cites":[…]` (not closed).
    head: String,
    /// Its exceptions: for an overridden rule, those that fired or held are what overrode it.
    exceptions: Vec<RuleId>,
    /// What it reads directly (explanations only).
    reads: Vec<TraceRead>,
}

struct VariantText {
    /// `{"outcome":"…","values":{`.
    head: String,
    /// `"field":` for each field.
    keys: Vec<String>,
}

struct DecisionText {
    /// `"name":`.
    key: String,
    /// `},"reason":…,"rule":null,"cites":[…]}`: what closes the default outcome.
    default_tail: String,
}

struct CheckText {
    /// `{"check":…,"reason":…,"cites":[…],"rows":[` (not closed).
    head: String,
    /// The type of the rows (or values) it reports; `None` for a check without `for`.
    elem: Option<Type>,
}

/// Writes the result model for one policy: its texts escaped once.
pub struct ResultWriter<'p> {
    policy: &'p Policy,
    explain: bool,
    decisions: Vec<DecisionId>,
    checks: Vec<CheckId>,
    rule_text: Vec<RuleText>,
    variant_text: Vec<Vec<VariantText>>,
    decision_text: Vec<DecisionText>,
    check_text: Vec<CheckText>,
    /// `"name":"申请.字段"` of each slot and `"name":"定义"` of each let (explanations).
    slot_names: Vec<String>,
    let_names: Vec<String>,
}

impl<'p> ResultWriter<'p> {
    /// A writer for `decisions` and `checks` of `policy`; with `explain`, rules carry the
    /// values they read and clauses their text. `reads(r)`: what rule `r` reads directly
    /// (the interpreter's `rule_reads`, a module's manifest), asked only with `explain`.
    pub fn new(
        policy: &'p Policy,
        decisions: Vec<DecisionId>,
        checks: Vec<CheckId>,
        explain: bool,
        reads: &dyn Fn(RuleId) -> Vec<TraceRead>,
    ) -> ResultWriter<'p> {
        let p = policy;
        let cites = |c: &[Cite]| cites_text(p, c, explain);
        let mut exceptions = vec![Vec::new(); p.rules.len()];
        for (r, rule) in p.rules.iter().enumerate() {
            if let Some(t) = rule.exception_to {
                exceptions[t as usize].push(r as RuleId);
            }
        }
        let rule_text = p
            .rules
            .iter()
            .enumerate()
            .zip(exceptions)
            .map(|((r, rule), exceptions)| {
                let variants = &p.enums[p.decisions[rule.decision as usize].outcome_enum as usize].variants;
                let outcome = rule.then.as_ref().map(|t| variants[t.variant as usize].name.as_str());
                let (name, reason, cites) = (
                    quoted(&rule.name),
                    quoted_or_null(rule.then.as_ref().and_then(|t| t.reason.as_deref())),
                    cites(&rule.cites),
                );
                let mut head = format!(
                    "{{\"rule\":{name},\"exception_to\":{},\"outcome\":{},\"reason\":{reason},\"cites\":{cites}",
                    quoted_or_null(rule.exception_to.map(|t| p.rules[t as usize].name.as_str())),
                    quoted_or_null(outcome),
                );
                if let Some(v) = rule.version.as_ref().filter(|_| explain) {
                    head.push_str(",\"version\":");
                    push_days(&mut head, v);
                }
                let outcome_tail = format!("}},\"reason\":{reason},\"rule\":{name},\"cites\":{cites}}}");
                let reads = if explain { reads(r as RuleId) } else { Vec::new() };
                RuleText { name, outcome_tail, head, exceptions, reads }
            })
            .collect();
        let variant_text = p
            .enums
            .iter()
            .map(|e| {
                e.variants
                    .iter()
                    .map(|v| VariantText {
                        head: format!("{{\"outcome\":{},\"values\":{{", quoted(&v.name)),
                        keys: v.fields.iter().map(|(name, _)| format!("{}:", quoted(name))).collect(),
                    })
                    .collect()
            })
            .collect();
        let decision_text = p
            .decisions
            .iter()
            .map(|d| DecisionText {
                key: format!("{}:", quoted(&d.name)),
                default_tail: format!(
                    "}},\"reason\":{},\"rule\":null,\"cites\":{}}}",
                    quoted_or_null(d.default.as_ref().and_then(|x| x.reason.as_deref())),
                    cites(&d.default_cites)
                ),
            })
            .collect();
        let check_text = p
            .checks
            .iter()
            .map(|c| CheckText {
                head: format!(
                    "{{\"check\":{},\"reason\":{},\"cites\":{},\"rows\":[",
                    quoted(&c.name),
                    quoted_or_null(c.reason.as_deref()),
                    cites(&c.cites)
                ),
                elem: match c.scope.as_ref().map(|s| &s.over.ty) {
                    Some(Type::Set(inner)) => Some((**inner).clone()),
                    _ => None,
                },
            })
            .collect();
        let slot_names = p
            .slots
            .iter()
            .map(|s| {
                format!(
                    "\"name\":{}",
                    quoted(&format!("{}.{}", p.inputs[s.input as usize].name, s.path.join(".")))
                )
            })
            .collect();
        let let_names = p.lets.iter().map(|l| format!("\"name\":{}", quoted(&l.name))).collect();
        ResultWriter {
            policy,
            explain,
            decisions,
            checks,
            rule_text,
            variant_text,
            decision_text,
            check_text,
            slot_names,
            let_names,
        }
    }

    /// Appends case `n`'s line (with its newline): its result, or the error that stopped
    /// it. Returns whether it was decided.
    pub fn case(&self, out: &mut String, n: usize, name: Option<&str>, case: &mut dyn Decide) -> bool {
        let start = out.len();
        match self.decided(out, n, name, case) {
            Ok(()) => true,
            Err(e) => {
                out.truncate(start);
                self.error(out, n, name, &e);
                false
            }
        }
    }

    /// Appends case `n`'s error line.
    pub fn error(&self, out: &mut String, n: usize, name: Option<&str>, e: &ResultError) {
        self.line_head(out, n, name);
        out.push_str("\"error\":{\"code\":\"");
        out.push_str(e.code.as_str());
        out.push_str("\",\"message\":{\"zh\":");
        push_str(out, &e.message.zh);
        out.push_str(",\"en\":");
        push_str(out, &e.message.en);
        out.push_str("},\"path\":");
        match &e.path {
            Some(path) => push_str(out, path),
            None => out.push_str("null"),
        }
        if let Some(line) = e.line {
            out.push_str(",\"line\":");
            out.push_str(&line.to_string());
        }
        out.push_str("}}\n");
    }

    fn line_head(&self, out: &mut String, n: usize, name: Option<&str>) {
        out.push_str("{\"model\":");
        out.push_str(&MODEL_VERSION.to_string());
        out.push_str(",\"case\":");
        out.push_str(&n.to_string());
        out.push(',');
        if let Some(name) = name {
            out.push_str("\"name\":");
            push_str(out, name);
            out.push(',');
        }
    }

    fn decided(
        &self,
        out: &mut String,
        n: usize,
        name: Option<&str>,
        case: &mut dyn Decide,
    ) -> Result<(), ResultError> {
        self.line_head(out, n, name);
        out.push_str("\"decisions\":{");
        for (i, &d) in self.decisions.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let result = case.decide(d)?;
            out.push_str(&self.decision_text[d as usize].key);
            self.decision(out, &result, case)?;
        }
        out.push('}');
        let mut hits: Vec<(bool, CheckResult)> = Vec::new();
        for &c in &self.checks {
            let result = case.check(c)?;
            if !result.hits.is_empty() {
                let may = self.policy.checks[c as usize].modality == qingdan_dsl::syntax::ast::Modality::May;
                hits.push((may, result));
            }
        }
        for (key, may) in [(",\"violations\":[", false), (",\"permissions\":[", true)] {
            out.push_str(key);
            let mut first = true;
            for (_, hit) in hits.iter().filter(|(m, _)| *m == may) {
                if !first {
                    out.push(',');
                }
                first = false;
                self.check_hit(out, hit);
            }
            out.push(']');
        }
        out.push_str("}\n");
        Ok(())
    }

    fn decision(
        &self,
        out: &mut String,
        r: &DecisionResult,
        case: &mut dyn Decide,
    ) -> Result<(), ResultError> {
        let p = self.policy;
        let decision = &p.decisions[r.decision as usize];
        let variants = &p.enums[decision.outcome_enum as usize].variants;
        let texts = &self.variant_text[decision.outcome_enum as usize];
        out.push_str("{\"outcomes\":[");
        for (i, o) in r.outcomes.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let text = &texts[o.variant as usize];
            out.push_str(&text.head);
            for (j, ((_, ty), v)) in variants[o.variant as usize].fields.iter().zip(&o.fields).enumerate() {
                if j > 0 {
                    out.push(',');
                }
                out.push_str(&text.keys[j]);
                push_value(out, p, v, ty);
            }
            let tail = match o.rule {
                Some(rule) => &self.rule_text[rule as usize].outcome_tail,
                None => &self.decision_text[r.decision as usize].default_tail,
            };
            if self.explain {
                // The tail closes the outcome; its days go last, before that brace.
                out.push_str(&tail[..tail.len() - 1]);
                self.rows_in_force(out, variants[o.variant as usize].fields.iter().zip(&o.fields));
                out.push('}');
            } else {
                out.push_str(tail);
            }
        }
        out.push_str("],\"fired\":[");
        self.rules(out, &r.fired, None, case)?;
        out.push_str("],\"overridden\":[");
        let held: Vec<RuleId> = r.fired.iter().chain(&r.overridden).copied().collect();
        self.rules(out, &r.overridden, Some(&held), case)?;
        out.push_str("],\"by_default\":");
        out.push_str(if r.by_default { "true" } else { "false" });
        out.push_str(",\"conflicts\":[");
        for (i, c) in r.conflicts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let rules = match c {
                crate::eval::Conflict::Exceptions { rules, .. } | crate::eval::Conflict::Unique { rules } => {
                    rules
                }
            };
            self.names(out, rules.iter().copied());
        }
        out.push_str("]}");
        Ok(())
    }

    /// Rule objects; for overridden rules (`held`: every rule that held), `by` names the
    /// exceptions that held over them.
    fn rules(
        &self,
        out: &mut String,
        rules: &[RuleId],
        held: Option<&[RuleId]>,
        case: &mut dyn Decide,
    ) -> Result<(), ResultError> {
        for (i, &r) in rules.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let text = &self.rule_text[r as usize];
            out.push_str(&text.head);
            if self.explain {
                self.reads(out, &text.reads, case)?;
            }
            if let Some(held) = held {
                out.push_str(",\"by\":");
                self.names(out, text.exceptions.iter().copied().filter(|e| held.contains(e)));
            }
            out.push('}');
        }
        Ok(())
    }

    fn reads(&self, out: &mut String, reads: &[TraceRead], case: &mut dyn Decide) -> Result<(), ResultError> {
        let p = self.policy;
        out.push_str(",\"read\":[");
        for (i, read) in reads.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('{');
            let (value, ty) = match *read {
                TraceRead::Slot(s) => {
                    out.push_str(&self.slot_names[s as usize]);
                    (case.slot(s), &p.slots[s as usize].ty)
                }
                TraceRead::Let(l) => {
                    let value = case.let_value(l)?;
                    out.push_str(&self.let_names[l as usize]);
                    (value, &p.lets[l as usize].ty)
                }
            };
            out.push_str(",\"value\":");
            push_value(out, p, &value, ty);
            if let TraceRead::Let(l) = *read {
                if let Some(v) = p.lets[l as usize].version_on(self.decision_day(case)) {
                    out.push_str(",\"version\":");
                    push_days(out, v);
                }
            }
            if let Some(days) = p.row_days(&value, ty) {
                out.push_str(",\"in_force\":");
                push_days(out, &days);
            }
            out.push('}');
        }
        out.push(']');
        Ok(())
    }

    /// The case's decision date (`以 … 为准`), which chooses the versions of lets.
    fn decision_day(&self, case: &dyn Decide) -> Option<qingdan_dsl::value::Date> {
        match self.policy.decision_date.map(|s| case.slot(s)) {
            Some(Value::Date(d)) => Some(qingdan_dsl::value::Date::from_days_since_epoch(i64::from(d))),
            _ => None,
        }
    }

    /// `,"in_force":{"field":{…},…}` for the outcome's fields that name a dated row;
    /// nothing when none does.
    fn rows_in_force<'v>(
        &self,
        out: &mut String,
        fields: impl Iterator<Item = (&'v (String, Type), &'v Value)>,
    ) {
        let mut first = true;
        for ((name, ty), v) in fields {
            let Some(days) = self.policy.row_days(v, ty) else { continue };
            out.push_str(if first { ",\"in_force\":{" } else { "," });
            first = false;
            push_str(out, name);
            out.push(':');
            push_days(out, &days);
        }
        if !first {
            out.push('}');
        }
    }

    fn names(&self, out: &mut String, rules: impl Iterator<Item = RuleId>) {
        out.push('[');
        for (i, r) in rules.enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&self.rule_text[r as usize].name);
        }
        out.push(']');
    }

    fn check_hit(&self, out: &mut String, hit: &CheckResult) {
        let text = &self.check_text[hit.check as usize];
        out.push_str(&text.head);
        let mut first = true;
        for v in hit.hits.iter().flatten() {
            let Some(elem) = &text.elem else { continue };
            if !first {
                out.push(',');
            }
            first = false;
            push_value(out, self.policy, v, elem);
        }
        out.push_str("]}");
    }
}

/// The days of a version or a dated row: `{"from":"YYYY-MM-DD","until":null}`, an open
/// end as `null`.
fn push_days(out: &mut String, v: &crate::ir::Version) {
    for (key, day) in [("{\"from\":", &v.from), (",\"until\":", &v.until)] {
        out.push_str(key);
        match day {
            Some(d) => push_str(out, d),
            None => out.push_str("null"),
        }
    }
    out.push('}');
}

/// `[{"source":…,"clause":…}]`, with `"text"` in explanations.
fn cites_text(p: &Policy, cites: &[Cite], explain: bool) -> String {
    let items: Vec<String> = cites
        .iter()
        .map(|c| {
            let (source, clause) = p.clause_text(*c);
            let text = if explain { format!(",\"text\":{}", quoted(&clause.text)) } else { String::new() };
            format!("{{\"source\":{},\"clause\":{}{text}}}", quoted(source), quoted(&clause.id))
        })
        .collect();
    format!("[{}]", items.join(","))
}
