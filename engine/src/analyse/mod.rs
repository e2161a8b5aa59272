//! Static analysis of a policy, and the semantic difference between two revisions.
//!
//! The analyser answers questions about *every* input, not about the cases at hand: can
//! two rules of a `unique` decision fire together, is there an input no rule of a `total`
//! decision covers, can a rule ever take effect, which inputs does a revision decide
//! differently. It never guesses:
//!
//! 1. `space.rs` cuts each input field's domain into cells at the constants the
//!    conditions use (every enum value, every stretch between two thresholds, …);
//! 2. `compile.rs` turns each condition into a set of cells, stored as a decision diagram
//!    (`mdd.rs`), by evaluating its parts with the interpreter itself on one value per cell
//!    (both ends of a stretch checked to agree). Parts it cannot decide this way (a product
//!    of two fields, an aggregate over an input set, a text function) become dimensions of
//!    their own: the result over-approximates, so "empty" is certain and "not empty" is a
//!    candidate;
//! 3. `decide.rs` follows the interpreter's rules for exceptions and combining to get, per
//!    decision, where each rule speaks, where the decision is silent, where it conflicts;
//! 4. `findings.rs` asks the questions, and `witness.rs` turns each non-empty candidate
//!    into a concrete input, which is replayed through the interpreter before a finding is
//!    made. A candidate without a witness is reported as not decided exactly (W0406) when
//!    it matters (`unique`, `total`), never as a finding;
//! 5. `lists.rs` checks the lists themselves (checks that read only lists, repeated rows,
//!    keys that name no row); `diff.rs` compares two revisions over one shared space.
//!
//! `diag.rs` turns findings into diagnostics for `qingdan check`.

mod compile;
mod decide;
mod describe;
pub mod diag;
pub mod diff;
mod expr;
mod findings;
mod lists;
mod mdd;
mod pieces;
mod prefer;
mod rows;
mod space;
mod witness;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::rc::Rc;

pub use describe::Condition;
pub use diag::{diagnostics, program_diagnostics};
pub use diff::{diff, Diff};
pub use findings::{Analysis, Finding, FindingKind, Witness};

use crate::ir::{Policy, RuleId};
use compile::{form, Compiler, Form};
use mdd::{Mdd, NodeId};
use space::Space;

/// Analyses one policy.
pub fn analyse(policy: &Policy) -> Analysis {
    let mut ctx = Ctx::new(vec![policy]);
    // Without any possible input, no decision can do anything: nothing to find there.
    let mut found = if ctx.space.is_empty() { Vec::new() } else { findings::decisions(&mut ctx) };
    found.extend(findings::unused_inputs(policy));
    found.extend(lists::findings(&ctx.space));
    Analysis { findings: found }
}

/// The conditions of every rule as forms, built before any cell is made (building them
/// records the cuts), then compiled on demand.
struct RuleForms {
    when: Rc<Form>,
    unless: Vec<Rc<Form>>,
}

/// Everything the questions share: the space, the diagram store, the compiled conditions.
pub(crate) struct Ctx<'p> {
    space: Space<'p>,
    mdd: Mdd,
    compiler: Compiler,
    forms: Vec<Vec<RuleForms>>,
    holds: HashMap<(usize, RuleId), NodeId>,
}

impl<'p> Ctx<'p> {
    fn new(policies: Vec<&'p Policy>) -> Ctx<'p> {
        let mut space = Space::new(policies);
        let mut forms = Vec::new();
        for p in 0..space.n_policies() {
            let policy = space.policies[p];
            let rules = policy
                .rules
                .iter()
                .map(|r| RuleForms {
                    when: form(&mut space, p, &r.when),
                    unless: r.unless.iter().map(|u| form(&mut space, p, u)).collect(),
                })
                .collect();
            forms.push(rules);
        }
        space.make_field_cells();
        space.make_term_dims();
        Ctx { space, mdd: Mdd::new(), compiler: Compiler::new(), forms, holds: HashMap::new() }
    }

    /// Where rule (or exception) `r` of policy `p` holds: `when` and no `unless`.
    fn holds(&mut self, p: usize, r: RuleId) -> NodeId {
        if let Some(&n) = self.holds.get(&(p, r)) {
            return n;
        }
        let forms = &self.forms[p][r as usize];
        let (when, unless) = (forms.when.clone(), forms.unless.clone());
        let mut h = self.compiler.compile(&mut self.space, &mut self.mdd, &when);
        for u in &unless {
            let u = self.compiler.compile(&mut self.space, &mut self.mdd, u);
            h = self.mdd.minus(h, u);
        }
        self.holds.insert((p, r), h);
        h
    }
}
