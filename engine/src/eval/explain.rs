//! Explanations: a decision result told with names — the outcome and its values, the rules
//! that fired and those overridden, the values each of them read, their reasons and the
//! clauses they cite with the clause text. Serialisable: this is the stable JSON/YAML form.

use serde::Serialize;

use super::{Conflict, DecisionResult, EvalError, Evaluator, Frame};
use crate::ir::visit::{each_read, Read};
use crate::ir::{Policy, RuleId, Type};

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
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct NamedValue {
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RuleTrace {
    pub rule: String,
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
    let p = ev.policy;
    let decision = &p.decisions[result.decision as usize];
    let enum_def = &p.enums[decision.outcome_enum as usize];
    let outcomes = result
        .outcomes
        .iter()
        .map(|o| {
            let variant = &enum_def.variants[o.variant as usize];
            let reason = match o.rule {
                Some(r) => p.rules[r as usize].then.as_ref().and_then(|t| t.reason.clone()),
                None => decision.default.as_ref().and_then(|d| d.reason.clone()),
            };
            ShownOutcome {
                outcome: variant.name.clone(),
                values: variant
                    .fields
                    .iter()
                    .zip(&o.fields)
                    .map(|((name, ty), v)| NamedValue { name: name.clone(), value: p.show(v, ty) })
                    .collect(),
                reason,
                rule: o.rule.map(|r| p.rules[r as usize].name.clone()),
            }
        })
        .collect();
    let trace = |rules: &[RuleId], f: &mut Frame<'_>| {
        rules.iter().map(|&r| trace(ev, r, f, detail)).collect::<Result<Vec<_>, _>>()
    };
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
        fired: trace(&result.fired, f)?,
        overridden: trace(&result.overridden, f)?,
        conflicts,
    })
}

fn trace(ev: &Evaluator<'_>, r: RuleId, f: &mut Frame<'_>, detail: bool) -> Result<RuleTrace, EvalError> {
    let p = ev.policy;
    let rule = &p.rules[r as usize];
    let enum_def = &p.enums[p.decisions[rule.decision as usize].outcome_enum as usize];
    // The input fields and lets the rule reads directly (a let's own reads belong to the
    // let), each once, in order of first appearance.
    let mut reads: Vec<Read<'_>> = Vec::new();
    for e in rule.exprs().filter(|_| detail) {
        each_read(e, &mut |r| match r {
            Read::Slot(_) | Read::Let(_) if !reads.contains(&r) => reads.push(r),
            _ => {}
        });
    }
    let mut read = Vec::new();
    for r in reads {
        let (name, value, ty) = match r {
            Read::Slot(s) => {
                let slot = &p.slots[s as usize];
                let name = format!("{}.{}", p.inputs[slot.input as usize].name, slot.path.join("."));
                (name, f.case.get(s as usize).cloned().unwrap_or_default(), slot.ty.clone())
            }
            Read::Let(l) => {
                let def = &p.lets[l as usize];
                let value = ev.eval(&def.value, f)?;
                (def.name.clone(), value, def.ty.clone())
            }
            _ => continue,
        };
        read.push(NamedValue { name, value: show(p, &value, &ty) });
    }
    Ok(RuleTrace {
        rule: rule.name.clone(),
        exception_to: rule.exception_to.map(|t| p.rules[t as usize].name.clone()),
        outcome: rule.then.as_ref().map(|t| enum_def.variants[t.variant as usize].name.clone()),
        reason: rule.then.as_ref().and_then(|t| t.reason.clone()),
        read,
        cites: rule
            .cites
            .iter()
            .filter(|_| detail)
            .map(|c| {
                let (source, clause) = p.clause_text(*c);
                ShownCite { source: source.to_string(), clause: clause.id.clone(), text: clause.text.clone() }
            })
            .collect(),
    })
}

fn show(p: &Policy, v: &crate::value::Value, ty: &Type) -> String {
    p.show(v, ty)
}
