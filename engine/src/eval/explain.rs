//! Explanations: a decision result told with names — the outcome and its values, the rules
//! that fired and those overridden, the values each of them read, their reasons and the
//! clauses they cite with the clause text. Serialisable: this is the stable JSON/YAML form.

use serde::Serialize;

use super::{Conflict, DecisionResult, EvalError, Evaluator, Frame};
use crate::ir::visit::{each_read, Read};
use crate::ir::{version_label, Cite, Policy, RuleId, Type};
use crate::value::Value;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Explanation {
    pub decision: String,
    /// The outcome variant (for `collect`, every outcome); empty when in conflict.
    pub outcomes: Vec<ShownOutcome>,
    pub by_default: bool,
    pub fired: Vec<RuleTrace>,
    pub overridden: Vec<RuleTrace>,
    pub conflicts: Vec<Vec<String>>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ShownOutcome {
    pub outcome: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<NamedValue>,
    pub reason: Option<String>,
    /// The rule behind it; absent for the default.
    pub rule: Option<String>,
    /// For the default, the clauses it cites (a rule's are in its trace).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<ShownCite>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct NamedValue {
    pub name: String,
    pub value: String,
    /// For a let with versions, the one that gave the value (`自 2026-01-01 起`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// For a row of a list with dated rows, the days it is in force (`自 2026-01-01 起`),
    /// in detailed explanations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_force: Option<String>,
}

impl NamedValue {
    /// `value` of type `ty` named `name`, shown with names; with `detail`, a dated row's days.
    fn new(p: &Policy, name: String, value: &Value, ty: &Type, detail: bool) -> NamedValue {
        let in_force = if detail { p.row_days(value, ty).map(|v| version_label(&v, p.lang)) } else { None };
        NamedValue { name, value: p.show(value, ty), version: None, in_force }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RuleTrace {
    pub rule: String,
    /// For a version of a rule, the days it is in force (`自 2025-01-01 起`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `exception to RULE` for exceptions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception_to: Option<String>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    /// The input fields and lets the rule reads, with their values in this case.
    pub read: Vec<NamedValue>,
    pub cites: Vec<ShownCite>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ShownCite {
    pub source: String,
    pub clause: String,
    pub text: String,
}

/// Tells `result` with names and the values read in `frame`.
pub fn explain(
    ev: &Evaluator<'_>,
    result: &DecisionResult,
    f: &mut Frame<'_>,
) -> Result<Explanation, EvalError> {
    explain_with(ev, result, f, true)
}

/// As [`explain`]; without `detail`, rule traces carry only names, outcomes and reasons
/// (no values read, no clause texts), which is what a batch summary needs.
pub fn explain_with(
    ev: &Evaluator<'_>,
    result: &DecisionResult,
    f: &mut Frame<'_>,
    detail: bool,
) -> Result<Explanation, EvalError> {
    let mut values = FrameValues { ev, f };
    tell(ev.policy, result, &|r| rule_reads(ev.policy, r), &mut values, detail)
}

/// An input field or let that a rule reads directly, shown in its trace.
pub use qingdan_runtime::manifest::TraceRead;

/// The input fields and lets rule `r` reads directly (a let's own reads belong to the
/// let), each once, in order of first appearance.
pub fn rule_reads(p: &Policy, r: RuleId) -> Vec<TraceRead> {
    let mut reads = Vec::new();
    for e in p.rules[r as usize].exprs() {
        each_read(e, &mut |r| {
            let read = match r {
                Read::Slot(s) => TraceRead::Slot(s),
                Read::Let(l) => TraceRead::Let(l),
                _ => return,
            };
            if !reads.contains(&read) {
                reads.push(read);
            }
        });
    }
    reads
}

/// Where an explanation finds the values a rule read: the interpreter's frame, or a
/// WASM module's memory.
pub trait CaseValues {
    fn slot(&self, s: u32) -> Value;
    fn let_value(&mut self, l: u32) -> Result<Value, EvalError>;
}

struct FrameValues<'a, 'e, 'c> {
    ev: &'a Evaluator<'e>,
    f: &'a mut Frame<'c>,
}

impl CaseValues for FrameValues<'_, '_, '_> {
    fn slot(&self, s: u32) -> Value {
        self.f.case.get(s as usize).cloned().unwrap_or_default()
    }

    fn let_value(&mut self, l: u32) -> Result<Value, EvalError> {
        self.ev.eval(&self.ev.policy.lets[l as usize].value, self.f)
    }
}

/// Tells `result` with names, the values each rule read coming from `values`.
pub fn tell(
    p: &Policy,
    result: &DecisionResult,
    reads: &dyn Fn(RuleId) -> Vec<TraceRead>,
    values: &mut dyn CaseValues,
    detail: bool,
) -> Result<Explanation, EvalError> {
    let decision = &p.decisions[result.decision as usize];
    let enum_def = &p.enums[decision.outcome_enum as usize];
    let outcomes = result
        .outcomes
        .iter()
        .map(|o| {
            let variant = &enum_def.variants[o.variant as usize];
            let (reason, cites) = match o.rule {
                Some(r) => (p.rules[r as usize].then.as_ref().and_then(|t| t.reason.clone()), Vec::new()),
                None => (
                    decision.default.as_ref().and_then(|d| d.reason.clone()),
                    shown_cites(p, &decision.default_cites, detail),
                ),
            };
            ShownOutcome {
                outcome: variant.name.clone(),
                values: variant
                    .fields
                    .iter()
                    .zip(&o.fields)
                    .map(|((name, ty), v)| NamedValue::new(p, name.clone(), v, ty, detail))
                    .collect(),
                reason,
                rule: o.rule.map(|r| p.rules[r as usize].name.clone()),
                cites,
            }
        })
        .collect();
    let mut trace = |rules: &[RuleId]| {
        rules
            .iter()
            .map(|&r| trace(p, r, if detail { reads(r) } else { Vec::new() }, values, detail))
            .collect::<Result<Vec<_>, _>>()
    };
    let fired = trace(&result.fired)?;
    let overridden = trace(&result.overridden)?;
    let conflicts = result
        .conflicts
        .iter()
        .map(|c| match c {
            Conflict::Exceptions { rules, .. } | Conflict::Unique { rules } => {
                rules.iter().map(|r| p.rules[*r as usize].name.clone()).collect()
            }
        })
        .collect();
    Ok(Explanation {
        decision: decision.name.clone(),
        outcomes,
        by_default: result.by_default,
        fired,
        overridden,
        conflicts,
    })
}

fn trace(
    p: &Policy,
    r: RuleId,
    reads: Vec<TraceRead>,
    values: &mut dyn CaseValues,
    detail: bool,
) -> Result<RuleTrace, EvalError> {
    let rule = &p.rules[r as usize];
    let enum_def = &p.enums[p.decisions[rule.decision as usize].outcome_enum as usize];
    let mut read = Vec::new();
    let day = match p.decision_date.map(|s| values.slot(s)) {
        Some(Value::Date(d)) => Some(qingdan_dsl::value::Date::from_days_since_epoch(i64::from(d))),
        _ => None,
    };
    for r in reads {
        let (name, value, ty, version) = match r {
            TraceRead::Slot(s) => {
                let slot = &p.slots[s as usize];
                let name = format!("{}.{}", p.inputs[slot.input as usize].name, slot.path.join("."));
                (name, values.slot(s), &slot.ty, None)
            }
            TraceRead::Let(l) => {
                let def = &p.lets[l as usize];
                let version = def.version_on(day).map(|v| version_label(v, p.lang));
                (def.name.clone(), values.let_value(l)?, &def.ty, version)
            }
        };
        read.push(NamedValue { version, ..NamedValue::new(p, name, &value, ty, true) });
    }
    Ok(RuleTrace {
        rule: rule.name.clone(),
        version: rule.version.as_ref().map(|v| version_label(v, p.lang)),
        exception_to: rule.exception_to.map(|t| p.rules[t as usize].name.clone()),
        outcome: rule.then.as_ref().map(|t| enum_def.variants[t.variant as usize].name.clone()),
        reason: rule.then.as_ref().and_then(|t| t.reason.clone()),
        read,
        cites: shown_cites(p, &rule.cites, detail),
    })
}

/// Clauses with their text, shown only in detailed explanations.
fn shown_cites(p: &Policy, cites: &[Cite], detail: bool) -> Vec<ShownCite> {
    cites
        .iter()
        .filter(|_| detail)
        .map(|c| {
            let (source, clause) = p.clause_text(*c);
            ShownCite { source: source.to_string(), clause: clause.id.clone(), text: clause.text.clone() }
        })
        .collect()
}
